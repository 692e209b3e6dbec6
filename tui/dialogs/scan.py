"""Scan anything: a log's QR code opens the call, a device's label opens its history,
a problem's number (PRB-000007) opens the problem, a change's (RFC-000003) the change.

A USB scanner types what it reads and presses Enter, so this is an input box."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from store.changes import changes
from store.configuration import assets
from store.db.errors import BadInput, FitsDeskError
from store.db.numbers import parse_reference
from store.problems import problems
from store.servicedesk import servicedesk
from tui.widgets.inputs import PlainInput, steady


class ScanDialog(ModalScreen[None]):
    """Scan or type a log number (with its code or not) or a device tag."""

    BINDINGS = [Binding("escape", "dismiss", "Close", priority=True)]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Scan", id="dialog-title")
            yield Label("Scan a QR code or a label, or type a log number or a device tag:")
            yield steady(PlainInput(id="scanned", placeholder="INC-000042-K7QX or LAP-0042"))
            yield Static(id="dialog-problem", classes="problem", markup=False)

    def on_mount(self) -> None:
        self.query_one("#dialog-problem").display = False
        self.query_one("#scanned").focus()

    def on_input_submitted(self, event: PlainInput.Submitted) -> None:
        event.stop()
        typed = event.value.strip()
        if not typed:
            self.say("Scan something, or type a log number or a device tag.")
            return
        if typed.upper().startswith("PRB"):
            self.app.run_store(
                lambda: problems.problem(typed),
                lambda found: self.go_problem(found.number),
                self.trouble,
            )
            return
        if typed.upper().startswith("RFC"):
            self.app.run_store(
                lambda: changes.change(typed),
                lambda found: self.go_change(found.number),
                self.trouble,
            )
            return
        try:
            parse_reference(typed)
        except BadInput:
            try:
                tag = assets.clean_tag(typed)  # "lap 0042" is LAP-0042
            except BadInput:
                self.say("That is neither a log number nor a device tag.")
                return
            self.app.run_store(
                lambda: assets.asset(tag), lambda found: self.go_asset(found.tag), self.trouble
            )
            return
        self.app.run_store(
            lambda: servicedesk.find_call(typed),
            lambda call: self.go_call(call.number),
            self.trouble,
        )

    def go_call(self, number: str) -> None:
        self.dismiss()
        self.app.open_call(number)

    def go_problem(self, number: str) -> None:
        self.dismiss()
        self.app.open_problem(number)

    def go_change(self, number: str) -> None:
        from tui.screens.changes.change import open_change

        self.dismiss()
        open_change(self.app, number)

    def go_asset(self, tag: str) -> None:
        self.dismiss()
        self.app.open_asset(tag)

    def trouble(self, problem: FitsDeskError) -> None:
        self.say(str(problem))
        self.query_one("#scanned", PlainInput).value = ""

    def say(self, words: str) -> None:
        shown = self.query_one("#dialog-problem", Static)
        shown.update(words)
        shown.display = True
