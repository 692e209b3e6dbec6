"""The baseline: a bare Textual app that shows one line and waits."""

from textual.app import App
from textual.widgets import Static


class Bare(App):
    def compose(self):
        yield Static("Hello from a bare Textual app")


if __name__ == "__main__":
    Bare().run()
