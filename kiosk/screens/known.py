"""What we already know about: before a pupil writes out a fault, the known errors for
that room and kind of fault, and "Add me to this" instead of a report of their own.

The pupil is shown a known error's words for the kiosk (`public_text`), never its
workaround, which is for technicians. Adding themselves still logs a call of their
own, with a number and a QR code, linked to the problem; it counts against the
kiosk's report limit exactly as a report does.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from kiosk.draft import ROLES, Draft
from kiosk.screens.base import STEPS, KioskScreen, problem
from store.db.errors import BadInput, FitsDeskError
from store.db.sanitise import SUMMARY, clean
from store.problems.known_errors import KnownError, NoLongerShown
from store.records.views import Call
from store.servicedesk import callers
from tui.widgets.inputs import PlainInput

SHOWN = 3
"""Known errors shown at once; the most important first (the store's order)."""
GONE = "Sorry, we can't add you to that one now. Please tell us about your problem instead."
"""Said at the next step when the known error stopped being shown while they chose."""


def told(people: int) -> str:
    """How many people have reported it, in words."""
    if people <= 0:
        return ""
    return "1 person has told us." if people == 1 else f"{people} people have told us."


def call_summary(known: KnownError) -> str:
    """The call's summary: the known error's words for pupils, cut to fit."""
    words = " ".join(known.public_text.split())
    if len(words) > SUMMARY.limit:
        words = words[: SUMMARY.limit - 3].rstrip() + "..."
    return words or "Added at a kiosk to a known problem"


class KnownScreen(KioskScreen):
    """We know about this: the known errors that match, each with "Add me to this", and
    "No, this is something else" to carry on with the report."""

    BINDINGS = [
        Binding("up,left", "app.focus_previous", show=False),
        Binding("down,right", "app.focus_next", show=False),
        Binding("escape", "back", show=False, priority=True),
    ]

    def __init__(self, draft: Draft, known: list[KnownError]) -> None:
        super().__init__()
        self.draft = draft
        """The report so far."""
        self.known = known[:SHOWN]
        """What we know about in this room and kind of fault."""
        self.STEP_LINE = f"Step 3 of {STEPS}"

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        if len(self.known) > 1:
            yield Static("We know about these. Is yours one of them?", id="question")
        else:
            yield Static("We know about this:", id="question")
        with VerticalScroll(id="body"):
            for n, known in enumerate(self.known, start=1):
                with Vertical(classes="known"):
                    words = Text(known.public_text)  # a technician's words, shown as typed
                    if said := told(known.affected):
                        words.append("\n")
                        words.append(said, style="bold")
                    yield Static(words, classes="known-words")
                    if len(self.known) == 1:
                        yield Static("Is this your problem too?", id="too")
                    yield Button(
                        "Add me to this", id=f"add-{n}", classes="add-me", variant="primary"
                    )
        with Horizontal(id="nav"):
            yield Button("Back", id="back")
            yield Static("Esc goes back", id="nav-gap")
            yield Button("No, this is something else", id="else")

    def on_mount(self) -> None:
        self.query_one("#back", Button).can_focus = False  # as on every step
        self.query_one("#add-1").focus()

    def on_screen_resume(self) -> None:
        """Come back to from the next step: the pupil came back to choose again, so the
        cursor is on "Add me to this", not on the way they went before."""
        self.query_one("#add-1").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        pressed = event.button.id or ""
        if pressed == "back":
            self.action_back()
        elif pressed == "else":
            self.action_something_else()
        elif pressed.startswith("add-"):
            known = self.known[int(pressed.removeprefix("add-")) - 1]
            self.app.push_screen(AddMeScreen(self.draft, known))

    def action_something_else(self) -> None:
        """Carry on with the report, as if we knew of nothing."""
        from kiosk.screens.details import DeviceStep

        self.app.push_screen(DeviceStep(self.draft))


class AddMeScreen(KioskScreen):
    """Who is adding themselves, to what, anything more they want to say, and Send."""

    STEP_LINE = "Check and send"

    def __init__(self, draft: Draft, known: KnownError) -> None:
        super().__init__()
        self.draft = draft
        """The report so far: who they are, the room and the kind of fault."""
        self.known = known
        """The known error they are adding themselves to."""

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        yield Static("Add me to this", id="question")
        with VerticalScroll(id="body"):
            yield Static(self.summary(), id="review")
            yield Label("Anything else to tell us? (you can leave this empty)")
            yield PlainInput(self.draft.summary, id="extra", placeholder="like: It says paper jam")
            yield problem("extra")
        yield Static(id="send-problem", classes="problem", markup=False)
        with Horizontal(id="nav"):
            yield Button("Back", id="back")
            yield Static("Esc goes back", id="nav-gap")
            yield Button("Send", id="send", variant="success")

    def summary(self) -> Table:
        draft = self.draft
        rows = Table.grid(padding=(0, 2))
        rows.add_column(style="bold", no_wrap=True)
        rows.add_column()
        role = dict(ROLES)[draft.role]
        who = f"{draft.name} ({role}{', ' + draft.group if draft.group else ''})"
        rows.add_row("You", Text(who))
        rows.add_row("Where", Text(f"{draft.location_name} ({draft.location})"))
        rows.add_row("Problem", Text(self.known.public_text))
        return rows

    def on_mount(self) -> None:
        self.query_one("#back", Button).can_focus = False
        self.query_one("#send-problem").display = False
        self.query_one("#extra").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#extra-problem").display = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_send()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "back":
            self.action_back()
        elif event.button.id == "send":
            self.action_send()

    def action_back(self) -> None:
        self.draft.summary = self.query_one("#extra", Input).value  # kept, unchecked
        self.app.pop_screen()

    def action_send(self) -> None:
        send = self.query_one("#send", Button)
        if send.disabled:
            return
        typed = self.query_one("#extra", Input).value
        try:
            extra = clean(typed, SUMMARY) if typed.strip() else ""
        except BadInput:
            said = self.query_one("#extra-problem", Static)
            said.update(f"That is too long. Please use {SUMMARY.limit} letters or fewer.")
            said.display = True
            return
        self.draft.summary = extra
        report = {
            **self.draft.report(),
            "summary": call_summary(self.known),
            "description": extra,
            "answers": {},
        }
        send.disabled, send.label = True, "Sending..."
        place, number = self.app.kiosk_name, self.known.number
        self.app.run_store(
            lambda: callers.add_me_from_kiosk(number, kiosk=place, **report),
            self.sent,
            self.not_sent,
        )

    def sent(self, call: Call) -> None:
        from kiosk.screens.receipt import ReceiptScreen

        self.app.push_screen(ReceiptScreen(call, existing=False, linked=True))

    def not_sent(self, trouble: FitsDeskError) -> None:
        """The known error has gone: on with an ordinary report, keeping what they typed.
        Anything else: say why, and let them try again."""
        if isinstance(trouble, NoLongerShown):
            from kiosk.screens.details import DeviceStep

            self.app.pop_screen()  # this screen
            if isinstance(self.app.screen, KnownScreen):
                self.app.pop_screen()
            self.app.push_screen(DeviceStep(self.draft, note=GONE))
            return
        shown = self.query_one("#send-problem", Static)
        shown.update(str(trouble))
        shown.display = True
        send = self.query_one("#send", Button)
        send.disabled, send.label = False, "Send"
        send.focus()
