"""What every kiosk screen shares: the bar naming the place, and the step line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Static

if TYPE_CHECKING:
    from kiosk.draft import Draft

STEPS = 5


def plain(text: str) -> Text:
    """People's text for the screen: shown as typed, never read as markup."""
    return Text(text)


class KioskScreen(Screen):
    """A kiosk screen with the top bar."""

    BINDINGS = [Binding("escape", "back", show=False, priority=True)]
    STEP_LINE = ""

    def compose_bar(self) -> ComposeResult:
        place = self.app.place
        where = f"  ·  {place.location_name}" if place else ""
        with Horizontal(id="bar"):
            yield Static(plain(f"IT help{where}"), id="bar-title")
            yield Static(self.STEP_LINE, id="bar-step")

    def action_back(self) -> None:
        self.app.pop_screen()


class StepScreen(KioskScreen):
    """One step of reporting a problem: a question, its fields, Back and Next."""

    STEP = 1
    QUESTION = ""

    def __init__(self, draft: Draft) -> None:
        super().__init__()
        self.draft = draft
        """The report so far, shared by every step."""
        self.STEP_LINE = f"Step {self.STEP} of {STEPS}"

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        yield Static(self.QUESTION, id="question")
        with VerticalScroll(id="body"):
            yield from self.compose_body()
        with Horizontal(id="nav"):
            yield Button("Back", id="back")
            yield Static("Esc goes back", id="nav-gap")
            yield Button("Next", id="next", variant="primary")

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_input_changed(self, event: Input.Changed) -> None:
        """What was wrong with a field is no longer said once it is being changed."""
        said = self.query(f"#{event.input.id}-problem")
        if said:
            said.first().display = False

    def action_back(self) -> None:
        self.remember()
        self.app.pop_screen()

    def remember(self) -> None:
        """Copy what is in this step's fields into the draft, unchecked, so going back
        and forward again loses nothing."""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            event.stop()
            self.action_back()
        elif event.button.id == "next":
            event.stop()
            self.action_next()

    def action_next(self) -> None:
        """Check this step; show what is wrong, or keep it and go on."""
        problems = self.check()
        for problem in self.query(".problem"):
            problem.update("")
            problem.display = False
        if problems:
            for name, said in problems.items():
                shown = self.query_one(f"#{name}-problem", Static)
                shown.update(said)
                shown.display = True
            first = next(iter(problems))
            if self.query(f"#{first}"):
                self.query_one(f"#{first}").focus()
            return
        self.keep()
        self.app.push_screen(self.next_screen())

    def on_mount(self) -> None:
        # Enter on Back would throw a step away; Back is for touching, Esc for keys.
        self.query_one("#back", Button).can_focus = False

    def check(self) -> dict[str, str]:
        """What is wrong with this step's fields, by field id."""
        return {}

    def keep(self) -> None:
        """Copy this step's fields into the draft."""

    def next_screen(self) -> Screen:
        raise NotImplementedError


def problem(field: str) -> Static:
    """The place under a field where what is wrong with it is said."""
    shown = Static("", id=f"{field}-problem", classes="problem", markup=False)
    shown.display = False
    return shown
