"""Changes: requests for change (RFCs) in three views a key apart (1-3): those not yet
ended, all of them, and those awaiting my vote (a committee member's). Enter opens one;
n raises a new one; s shows the four weeks ahead.

A committee member with changes waiting for their vote lands on that view, told how
many. A change is listed with its status in a word, its risk and its window in local
words.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static, Tab, Tabs

from store.changes import changes
from tui.dialogs.ask import Ask
from tui.screens.changes.change import when_words
from tui.screens.changes.change_forms import codes, names
from tui.screens.common import ReloadOnReturn, SearchedList, fitted, view_keys

VIEWS = {"open": "Not ended", "all": "All", "vote": "Awaiting my vote"}
"""The lists, a key apart (1-3); "vote" only for a committee member."""
COLUMNS = (
    ("number", "Number", 10),
    ("status", "Status", 11),
    ("title", "Title", 0),
    ("kind", "Kind", 9),
    ("risk", "Risk", 6),
    ("window", "Window", 22),
    ("implementer", "Implementer", 11),
)
"""Column key, heading and width (0: whatever the others leave)."""
WIDE_ONLY = {"kind", "risk", "implementer"}
"""Columns left out below 100 characters, so an 80x24 terminal keeps a readable title."""
SAID = {
    "open": ("change not ended", "changes not ended"),
    "all": ("change in all", "changes in all"),
    "vote": ("change awaits your vote", "changes await your vote"),
}
"""What a view's count says, for one and for more."""
KINDS = (("normal", "Normal"), ("standard", "Standard"), ("emergency", "Emergency"))
RISKS = (("low", "Low"), ("medium", "Medium"), ("high", "High"))


def is_member(me) -> bool:
    """Whether the technician at the desk sits on the change committee."""
    return me is not None and "committee" in me.roles


def cells(found: changes.ChangeSummary, *, kind_shown: bool = True) -> dict[str, Text]:
    """A change as table cells, every one plain Text: a title is never markup. Without
    the kind column, an emergency says so before its title."""
    title = Text()
    if found.kind == "emergency" and not kind_shown:
        title.append("EMERGENCY ", style="bold red")
    title.append(found.title)
    return {
        "number": Text(found.number),
        "status": Text(found.status_word),
        "title": title,
        "kind": Text(found.kind),
        "risk": Text(found.risk, style="bold" if found.risk == "high" else ""),
        "window": Text(when_words(found)),
        "implementer": Text(found.implementer or "-"),
    }


def raise_dialog(me: str) -> Ask:
    """Raise an RFC: what, why, what kind, how risky, where and what it installs. The
    plans, the window and the people come later, when it is planned."""

    def act(v):
        return changes.raise_change(
            v["title"],
            reason=v["reason"],
            kind=v["kind"] or "normal",
            risk=v["risk"] or "low",
            locations=codes(v["rooms"]),
            adds=names(v["adds"]),
            by=me,
        )

    return Ask(
        "Raise a request for change",
        [
            Ask.text("title", "Title: what will change", "", "like Install Audacity in IT1"),
            Ask.text("reason", "Why: what it is for", "", "Music coursework needs it"),
            Ask.choice(
                "kind", "Kind (a standard change is low risk and pre-approved)", KINDS, "normal"
            ),
            Ask.choice("risk", "Risk", RISKS, "low"),
            Ask.text("rooms", "Rooms it works in: their codes (empty: none)", "", "IT1 LIB"),
            Ask.text("adds", "Software it installs, with commas (empty: none)", "", "Audacity 3.4"),
        ],
        act,
        ok="Raise",
    )


class ChangesScreen(ReloadOnReturn, SearchedList):
    """Every change, a view a key apart."""

    TABLE = "changes"

    BINDINGS = [
        Binding("n", "new", "New RFC", id="desk.change_new"),
        Binding("slash", "search", "Search", id="desk.changes_search"),
        Binding(
            "s",
            "schedule",
            "Schedule",
            id="desk.changes_schedule",
            tooltip="The four weeks ahead: term, exams, freezes and the changes planned",
        ),
        Binding("escape,q", "back", "Back", id="desk.back_changes"),
        *view_keys(VIEWS, "desk.changes_"),
    ]

    def __init__(self, view: str | None = None) -> None:
        super().__init__()
        self.view = view or "open"
        self.chosen_view = view is not None
        """Whether the view was asked for, or a committee member may land on their votes."""
        self.searching = ""
        self.keys: list[str] = []
        self.waiting = 0
        """How many changes await my vote, as last counted."""

    def compose(self) -> ComposeResult:
        shown = {v: words for v, words in VIEWS.items() if v != "vote" or is_member(self.app.me)}
        yield from self.list_parts("Changes", shown, "Search titles and reasons (/)")

    def on_mount(self) -> None:
        self.query_one("#views", Tabs).active = self.view
        self.query_one("#changes").focus()
        self.load()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "view" and parameters and parameters[0] == "vote":
            return is_member(self.app.me)
        return True

    def load(self) -> None:
        view, words, me = self.view, self.searching, self.app.me.login
        member, landing = is_member(self.app.me), not self.chosen_view

        def job():
            waiting = changes.awaiting_vote(me) if member else []
            view_now = "vote" if landing and waiting else view
            if view_now == "vote":
                found = [c for c in waiting if not words or words.lower() in c.title.lower()]
            else:
                found = changes.list_changes(view_now, words)
            return view_now, waiting, found

        self.app.run_store(job, lambda result: self.show(view, *result))

    def show(self, asked: str, view: str, waiting: list, found: list) -> None:
        if asked != self.view:
            return  # the technician has moved on
        self.chosen_view = True
        self.waiting = len(waiting)
        if view != self.view:
            self.view = view
            self.query_one("#views", Tabs).active = view
        if is_member(self.app.me):
            tab = self.query_one("#views", Tabs).query_one("#vote", Tab)
            tab.label = f"{VIEWS['vote']} {self.waiting}"
        chosen = self.chosen()
        table, keys = self.fit_table()
        table.clear()
        for item in found:
            shown = cells(item, kind_shown="kind" in keys)
            table.add_row(*(shown[k] for k in keys), key=item.number)
        if chosen in table.rows:
            table.move_cursor(row=table.get_row_index(chosen))
        one, more = SAID[view]
        said = f"{len(found):,} {one if len(found) == 1 else more}"
        if view != "vote":
            said += ", newest first"
        if self.searching:
            said += f" matching {self.searching}  (Esc: all)"
        self.query_one("#narrowed", Static).update(said)

    def columns_at(self, width: int) -> list[tuple[str, str, int]]:
        return fitted(COLUMNS, WIDE_ONLY, width)

    def view_switched(self) -> None:
        self.chosen_view = True

    @on(DataTable.RowSelected, "#changes")
    def open_chosen(self, event: DataTable.RowSelected) -> None:
        from tui.screens.changes.change import open_change

        open_change(self.app, event.row_key.value)

    def action_schedule(self) -> None:
        """The four weeks ahead: what the school is doing, and the changes planned."""
        from tui.screens.changes.schedule import ScheduleScreen

        self.app.push_screen(ScheduleScreen())

    def action_new(self) -> None:
        self.app.push_screen(raise_dialog(self.app.me.login), self.raised)

    def raised(self, found: changes.ChangeInfo | None) -> None:
        if found is not None:
            from tui.screens.changes.change import open_change

            self.notify(f"{found.number} raised: {found.status_word}.", markup=False)
            open_change(self.app, found.number)
        self.load()
