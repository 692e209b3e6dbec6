"""The technician's way out: the PIN, slowed down after a few wrong ones."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from store.db.errors import FitsDeskError
from store.db.sanitise import seconds
from store.school import kiosks
from tui.widgets.inputs import PlainInput


class PinScreen(ModalScreen[None]):
    """Ask for the exit PIN; the right one closes the kiosk."""

    BINDINGS = [Binding("escape", "cancel", show=False, priority=True)]

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-box"):
            yield Label("Technician PIN")
            yield PlainInput(id="pin", password=True, max_length=12)
            yield Static(id="pin-problem", classes="problem", markup=False)
            yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#pin-problem").display = False
        self.query_one("#pin").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed, kiosk = event.value, self.app.kiosk_name
        event.input.value = ""

        self.app.run_store(lambda: kiosks.try_pin(typed, kiosk=kiosk), self.answered, self.trouble)

    def answered(self, result: tuple[bool, int]) -> None:
        right, wait = result
        if right:
            self.app.exit()
        elif wait:
            self.say(f"Please wait {seconds(wait)}, then try again.")
        else:
            self.say("That PIN is not right.")

    def trouble(self, problem: FitsDeskError) -> None:
        self.say(str(problem))

    def say(self, words: str) -> None:
        shown = self.query_one("#pin-problem", Static)
        shown.update(words)
        shown.display = True
