"""Home: the school's notices, then two big choices."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Static

from kiosk.screens.base import KioskScreen
from store.school import notices

REFRESH_S = 60


class HomeScreen(KioskScreen):
    """What a pupil walking up sees."""

    BINDINGS = [
        Binding("1", "report", show=False),
        Binding("2", "check", show=False),
        Binding("up,left", "app.focus_previous", show=False),
        Binding("down,right", "app.focus_next", show=False),
        Binding("escape", "back", show=False, priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        yield Static(id="notices", markup=False)
        with Vertical(id="choices"):
            yield Static("Is something not working? We can help.", id="welcome")
            yield Button("1   Report a problem", id="report", variant="primary")
            yield Button("2   Check my log number", id="check")
        yield Static("Press 1 or 2, or touch a button.", id="hint")

    def on_mount(self) -> None:
        self.query_one("#notices").display = False
        self.query_one("#report").focus()
        self.load_notices()
        self.set_interval(REFRESH_S, self.load_notices)

    def on_screen_resume(self) -> None:
        self.query_one("#report").focus()
        self.load_notices()

    def load_notices(self) -> None:
        place = self.app.place
        self.app.run_store(
            lambda: notices.current_notices(place.location if place else None),
            self.show_notices,
            lambda _problem: None,  # no notices is better than an error on the front page
        )

    def show_notices(self, found: list[notices.NoticeInfo]) -> None:
        box = self.query_one("#notices", Static)
        text = Text()
        for n, notice in enumerate(found[:4]):
            if n:
                text.append("\n")
            text.append("Notice: ", style="bold")
            text.append(notice.text)  # a technician's words, shown as typed
        box.update(text)
        box.display = bool(found)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "report":
            self.action_report()
        elif event.button.id == "check":
            self.action_check()

    def action_report(self) -> None:
        from kiosk.draft import Draft  # kept off the start path, like every later screen
        from kiosk.screens.report import WhoStep

        draft = Draft()
        if self.app.place:
            draft.location = self.app.place.location
            draft.location_name = self.app.place.location_name
        self.app.push_screen(WhoStep(draft))

    def action_check(self) -> None:
        from kiosk.screens.check import CheckScreen

        self.app.push_screen(CheckScreen())

    def action_back(self) -> None:
        """Escape on Home goes nowhere."""
