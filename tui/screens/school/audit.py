"""The security audit trail at the desk, for a manager: every refused action (a role
check that said no, wrong kiosk PINs and check codes past the free tries, someone who
is not a technician opening the desk), newest first. Reading it marks it read, so the
queue's "Security: N refused" line goes.

Reached from the queue (a) or the command palette (ctrl+p: Security audit); the store refuses anyone
but a manager, in a sentence.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.db.errors import FitsDeskError
from store.school import audit
from tui.screens.common import KeyFooter, bar, fitted, local

COLUMNS = (
    ("at", "When", 12),
    ("who", "Who", 16),
    ("action", "What", 24),
    ("record", "Record", 10),
    ("detail", "Why it was refused", 0),
)
WIDE_ONLY = {"action", "record"}
"""Left out below 100 characters: the chosen refusal is spelt out under the table."""


def audit_words(unread: int, key: str = "a") -> str:
    """The queue's word to a manager on the refusals not read yet, with the key that
    opens the audit: "3 refused actions: a to see them", or ""."""
    if not unread:
        return ""
    if unread == 1:
        return f"1 refused action: {key} to see it"
    return f"{unread:,} refused actions: {key} to see them"


class AuditScreen(Screen):
    """Refused actions, newest first."""

    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="desk.back_audit")]

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Security audit")
        yield Static("Refused actions, newest first. Reading them marks them read.", id="explain")
        yield DataTable(id="audit", cursor_type="row", zebra_stripes=True)
        yield Static(id="chosen")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#audit", DataTable)
        self.columns = fitted(COLUMNS, WIDE_ONLY, self.app.size.width)
        for key, heading, width in self.columns:
            table.add_column(heading, key=key, width=width or None)
        table.focus()
        self.entries: list[audit.Refusal] = []
        me = self.app.me.login
        self.app.run_store(lambda: audit.entries(by=me)[::-1], self.show, self.refused)

    def refused(self, problem: FitsDeskError) -> None:
        self.query_one("#explain", Static).update(Text(str(problem), style="bold red"))

    def show(self, entries: list[audit.Refusal]) -> None:
        if not self.query("#audit"):  # a late answer while the screen is being taken down
            return
        self.entries = entries
        table = self.query_one("#audit", DataTable)
        keys = [key for key, _heading, _width in self.columns]
        for n, entry in enumerate(entries):
            cells = {
                "at": Text(short(entry.at)),
                "who": Text(entry.who),
                "action": Text(entry.action),
                "record": Text(entry.record or "-"),
                "detail": Text(entry.detail),
            }
            table.add_row(*(cells[key] for key in keys), key=str(n))
        if not entries:
            self.query_one("#explain", Static).update("Nothing has been refused.")

    @on(DataTable.RowHighlighted)
    def spell_out(self, event: DataTable.RowHighlighted) -> None:
        """Everything about the chosen refusal, under the table."""
        entry = self.entries[int(event.row_key.value)]
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for label, value in (
            ("When", local(entry.at)),
            ("Who", entry.who),
            ("What", entry.action + (f", {entry.record}" if entry.record else "")),
            ("Why", entry.detail),
        ):
            grid.add_row(label, Text(value))
        self.query_one("#chosen", Static).update(grid)


def short(moment) -> str:
    """A time in the server's local time, to fit a narrow column: "27 Nov 10:15"."""
    return local(moment).split(" ", 1)[1]
