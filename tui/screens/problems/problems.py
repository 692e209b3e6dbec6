"""Problems: the causes behind recurring calls, in three views a key apart (1-3): those
not yet closed, the known errors, and all of them. Enter opens one; n raises a new one.

A problem is listed with its status in words, its owner, how many calls are linked
and how many people they came from; a major one says MAJOR before its title.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static, Tabs

from store.problems import problems
from tui.dialogs.ask import Ask
from tui.screens.common import SearchedList, fitted, references, view_keys

VIEWS = {"open": "Not closed", "known_error": "Known errors", "all": "All"}
"""The lists, a key apart (1-3): the store's status filter and its words."""
COLUMNS = (
    ("number", "Number", 10),
    ("status", "Status", 15),
    ("title", "Title", 0),
    ("owner", "Owner", 8),
    ("calls", "Calls", 5),
    ("people", "People", 6),
    ("kiosks", "Kiosks", 6),
)
"""Column key, heading and width (0: whatever the others leave)."""
WIDE_ONLY = {"owner", "kiosks"}
"""Columns left out below 100 characters, so an 80x24 terminal keeps a readable title."""
SAID = {
    "open": ("not closed", "not closed"),
    "known_error": ("known error", "known errors"),
    "all": ("problem in all", "problems in all"),
}
"""What a view's count says, for one and for more."""


def cells(found: problems.ProblemSummary) -> dict[str, Text]:
    """A problem as table cells, every one plain Text: a title is never markup."""
    title = Text()
    if found.major:
        title.append("MAJOR ", style="bold red")
    title.append(found.title)
    return {
        "number": Text(found.number),
        "status": Text(found.status_word),
        "title": title,
        "owner": Text(found.owner or "-"),
        "calls": Text(str(found.incidents), justify="right"),
        "people": Text(str(found.affected), justify="right"),
        "kiosks": Text("shown" if found.public else "-"),
    }


def raise_dialog(me: str, *, calls: list[str] = (), title: str = "") -> Ask:
    """Raise a problem, with calls already linked (from a call or the queue's marks) or
    with the numbers typed here."""
    calls = list(calls)

    def act(v):
        linked = calls or references(v["calls"])
        return problems.raise_problem(
            v["title"],
            description=v["description"],
            incidents=linked,
            major=bool(v["major"]),
            by=me,
        )

    fields = [
        Ask.text("title", "Title: what keeps going wrong", title, "like Laptop chargers failing"),
        Ask.text("description", "Description (optional)"),
    ]
    if not calls:
        fields.append(
            Ask.text("calls", "Calls to link (type or scan, with spaces)", "", "INC-000042 ...")
        )
    fields.append(Ask.switch("major", "A major incident (many people stopped at once)"))
    if len(calls) == 1:
        heading = f"Raise a problem from {calls[0]}"
    elif calls:
        heading = f"Raise a problem from {len(calls)} calls: {', '.join(calls)}"
    else:
        heading = "Raise a problem"
    return Ask(heading, fields, act, ok="Raise")


class ProblemsScreen(SearchedList):
    """Every problem, a view a key apart."""

    TABLE = "problems"

    BINDINGS = [
        Binding("n", "new", "New problem", id="desk.problem_new"),
        Binding("slash", "search", "Search", id="desk.problems_search"),
        Binding("t", "trends", "Trends", id="desk.trends"),
        Binding("c", "capacity", "Capacity", id="desk.capacity"),
        Binding("escape,q", "back", "Back", id="desk.back_problems"),
        *view_keys(VIEWS, "desk.problems_"),
    ]

    def __init__(self, view: str = "open") -> None:
        super().__init__()
        self.view = view
        self.searching = ""
        self.keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield from self.list_parts("Problems", VIEWS, "Search titles and descriptions (/)")

    def on_mount(self) -> None:
        self.query_one("#views", Tabs).active = self.view
        self.query_one("#problems").focus()
        self.load()

    def load(self) -> None:
        view, words = self.view, self.searching
        self.app.run_store(
            lambda: problems.list_problems(view, words), lambda found: self.show(view, found)
        )

    def show(self, view: str, found: list[problems.ProblemSummary]) -> None:
        if view != self.view:
            return  # the technician has moved on
        chosen = self.chosen()
        table, keys = self.fit_table()
        table.clear()
        for item in found:
            shown = cells(item)
            table.add_row(*(shown[k] for k in keys), key=item.number)
        if chosen in table.rows:
            table.move_cursor(row=table.get_row_index(chosen))
        one, more = SAID[view]
        said = f"{len(found):,} {one if len(found) == 1 else more}, majors first"
        if self.searching:
            said += f" matching {self.searching}  (Esc: all)"
        self.query_one("#narrowed", Static).update(said)

    def columns_at(self, width: int) -> list[tuple[str, str, int]]:
        return fitted(COLUMNS, WIDE_ONLY, width)

    @on(DataTable.RowSelected, "#problems")
    def open_chosen(self, event: DataTable.RowSelected) -> None:
        self.app.open_problem(event.row_key.value)

    def action_trends(self) -> None:
        """What a problem manager would look for in the year's calls."""
        from tui.screens.problems.trends import TrendsScreen

        self.app.push_screen(TrendsScreen())

    def action_capacity(self) -> None:
        """Metrics such as the file server's disk, and when each will be full."""
        from tui.screens.problems.capacity import CapacityScreen

        self.app.push_screen(CapacityScreen())

    def action_new(self) -> None:
        self.app.push_screen(raise_dialog(self.app.me.login), self.raised)

    def raised(self, found: problems.ProblemInfo | None) -> None:
        if found is not None:
            self.notify(f"{found.number} raised.", markup=False)
            self.app.open_problem(found.number)
        self.load()
