"""Review what will be sent, then Send; the receipt comes only once it is saved."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from kiosk.draft import QUESTIONS, ROLES, Draft
from kiosk.screens.base import KioskScreen
from store.db.errors import FitsDeskError
from store.servicedesk import callers


class ReviewScreen(KioskScreen):
    """Everything the pupil said, and the Send button."""

    STEP_LINE = "Check and send"

    def __init__(self, draft: Draft) -> None:
        super().__init__()
        self.draft = draft
        """The report to send."""

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        yield Static("Is this right?", id="question")
        with VerticalScroll(id="body"):
            yield Static(self.summary(), id="review")
        yield Static(id="send-problem", classes="problem", markup=False)
        with Horizontal(id="nav"):
            yield Button("Back", id="back")
            yield Static(id="nav-gap")
            yield Button("Send", id="send", variant="success")

    def summary(self) -> Table:
        draft = self.draft
        rows = Table.grid(padding=(0, 2))
        rows.add_column(style="bold", no_wrap=True)
        rows.add_column()
        role = dict(ROLES)[draft.role]
        who = f"{draft.name} ({role}{', ' + draft.group if draft.group else ''})"
        rows.add_row("You", Text(who))
        if draft.email:
            rows.add_row("Email", Text(draft.email))
        rows.add_row("Where", Text(f"{draft.location_name} ({draft.location})"))
        rows.add_row("What", Text(draft.category_label or "Something else"))
        if draft.asset:
            rows.add_row("Device", Text(f"{draft.asset_description or ''} ({draft.asset})"))
        rows.add_row("Problem", Text(draft.summary))
        for name, question in QUESTIONS.items():
            if draft.answers.get(name, "").strip():
                rows.add_row(Text(question), Text(draft.answers[name]))
        return rows

    def on_mount(self) -> None:
        self.query_one("#send-problem").display = False
        self.query_one("#send").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "back":
            self.action_back()
        elif event.button.id == "send":
            self.action_send()

    def action_send(self) -> None:
        send = self.query_one("#send", Button)
        if send.disabled:
            return
        send.disabled, send.label = True, "Sending..."
        place = self.app.kiosk_name
        report = self.draft.report()
        self.app.run_store(
            lambda: callers.report_from_kiosk(kiosk=place, **report), self.sent, self.not_sent
        )

    def sent(self, result: tuple) -> None:
        from kiosk.screens.receipt import ReceiptScreen

        call, existing = result
        # Straight on top: leaving the receipt goes home, dropping the steps beneath it.
        self.app.push_screen(ReceiptScreen(call, existing))

    def not_sent(self, trouble: FitsDeskError) -> None:
        """Say why, keep everything they typed, and let them try again."""
        shown = self.query_one("#send-problem", Static)
        shown.update(str(trouble))
        shown.display = True
        send = self.query_one("#send", Button)
        send.disabled, send.label = False, "Send"
        send.focus()
