"""What the desk's screens share: the top bar, how a call reads in a table row, the list
in views a key apart with its search box, and the page of one record.

Textual calls the message handlers (on_...) of every class a screen is made of, so a
screen's own on_data_changed runs as well as one here, not instead of it."""

from __future__ import annotations

import datetime as dt
import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, Tab, Tabs
from textual.widgets._footer import FooterKey

from store.db.errors import FitsDeskError
from store.records.views import Call
from store.service_levels import clocks
from store.servicedesk.queues import Due
from tui.messages import DataChanged
from tui.widgets.inputs import PlainInput, steady
from tui.widgets.tables import Table

PRIORITY_STYLES = {1: "bold red", 2: "bold yellow", 3: "", 4: "dim", 5: "dim"}
DUE_STYLES = {"near": "yellow", "late": "red"}
"""A call's row once clocks.AMBER of a target is used, and once one is missed: the
priorities' colours, readable in 16 colours; the Due column says it in words as well."""


class Bar(Static):
    """The line at the top: FITS Desk, the database's state while it is away, who is at
    the desk, and what this screen is."""

    def __init__(self, right: str = "") -> None:
        super().__init__(id="bar")
        self.right = right
        """What this screen is."""

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        """Draw the line again (the app calls this when the database goes or comes back)."""
        app = self.app
        who = f"{app.me.full_name} ({app.me.login})" if app.me else ""
        if app.me and app.me.working_for:
            who += f", worked by {app.me.working_for}"
        line = Text("FITS Desk", style="bold")
        status = getattr(app, "status", "")
        if status:
            line.append("  ·  ")
            line.append(status, style="bold reverse")
        line.append(f"  ·  {who}")
        if self.right:
            line.append(f"  ·  {self.right}")
        self.update(line)


class KeyFooter(Footer):
    """The keys at the foot of a desk screen, each shown whole or not at all, most needed
    first: Help (F1), the screen's own keys in the order the screen lists them, those of
    its keys hidden from the footer that the screen names in IF_ROOM (shown on a wide
    terminal), then the keys that work anywhere, up to the first that does not fit (a
    screen's key that does not fit is left out, and a shorter one after it may still
    show). The palette key (ctrl+p) is on the right.
    A screen's own keys fit at 80 columns (tests/test_desk_narrow.py); all of them are
    in F1 and the palette (docs/ssh.md)."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self.fitted_to = 0
        """The width the keys were last fitted to."""

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        app, width = self.app, self.app.size.width
        self.fitted_to = width
        first, own, more, anywhere, palette = [], [], [], [], None
        spare, actions = getattr(self.screen, "IF_ROOM", ()), set()
        for node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.action in ("command_palette", "app.command_palette"):
                palette = (binding, enabled, tooltip)
            if (node, binding.action) in actions:
                continue
            if binding.show:
                place = own if node is not app else first if binding.action == "help" else anywhere
            elif node is not app and binding.id in spare:
                place = more
            else:
                continue
            actions.add((node, binding.action))
            place.append((binding, enabled, tooltip))
        if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE):
            palette = None
        if palette:
            binding, enabled, tooltip = palette
            width -= len(app.get_key_display(binding)) + len(binding.description) + 2
        for binding, enabled, tooltip in (*first, *own, *more, *anywhere):
            shown = app.get_key_display(binding)
            needs = len(shown) + len(binding.description) + 2  # a space inside, one after
            if needs > width:
                if (binding, enabled, tooltip) in anywhere:
                    break  # the desk's keys in their order, none after one left out
                continue
            width -= needs
            yield FooterKey(
                binding.key,
                shown,
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or binding.tooltip,
            ).data_bind(compact=Footer.compact)
        if palette:
            binding, enabled, tooltip = palette
            yield FooterKey(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def on_resize(self) -> None:
        if self.app.size.width != self.fitted_to and self._bindings_ready:
            self.call_after_refresh(self.recompose)


def bar(app, right: str = "") -> ComposeResult:
    """The line at the top of every desk screen (`Bar`)."""
    yield Bar(right)


def age(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """How long ago, shortly: 5m, 3h, 2d, 6w."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    minutes = max(0, int((now - moment).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    if minutes < 14 * 24 * 60:
        return f"{minutes // (24 * 60)}d"
    return f"{minutes // (7 * 24 * 60)}w"


def local(moment: dt.datetime | None) -> str:
    """A stored UTC time in the server's local time, to the minute."""
    if moment is None:
        return "-"
    return moment.replace(tzinfo=dt.UTC).astimezone().strftime("%a %d %b %H:%M")


def journal_time(value: str | None) -> str | None:
    """A time as the journal keeps it ("2026-11-28T22:46:46.225102") as the desk shows
    times; any other value as it is."""
    if value and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return local(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


COLUMNS = (
    ("number", "Number", 10),
    ("age", "Age", 4),
    ("priority", "P", 2),
    ("due", "Due", 9),
    ("status", "Status", 11),
    ("location", "Where", 6),
    ("category", "What", 9),
    ("summary", "Summary", 0),
    ("assignee", "Who", 8),
)
"""Column key, heading and width (0: whatever the others leave), in the order shown."""
DROPPED_FIRST = ("age", "category", "location", "status", "assignee", "due", "priority")
"""The columns of a table of calls, least needed first: each is left out, in this order,
when keeping it would leave the summary less than SUMMARY_ROOM. Age goes first because
below WIDEST the Due column says what the age did against the call's targets. The
number and the summary always show."""
SUMMARY_ROOM = 24
"""The fewest characters of a call's summary a table of calls keeps while another column
could go instead (docs/ssh.md)."""
WIDEST = 120
"""From this many characters the Due column of a table of calls is 16 wide, to say "answer
1h30 late" in full; below, it is 9 wide with the short words (`due_words`)."""


def fitted(columns, wide_only: set[str], width: int) -> list[tuple[str, str, int]]:
    """The columns (key, heading, width) a table this wide shows: those in `wide_only`
    only from 100 characters, and the one of width 0 given what the others leave."""
    chosen = [c for c in columns if width >= 100 or c[0] not in wide_only]
    fixed = sum(w + 2 for _k, _h, w in chosen if w)
    return [(k, h, w or max(12, width - fixed - 4)) for k, h, w in chosen]


def columns_for(width: int) -> list[tuple[str, str, int]]:
    """The columns a table of calls this wide shows, the summary's width worked out: the
    columns in DROPPED_FIRST go one by one, least needed first, until the summary has
    SUMMARY_ROOM characters (or only the number and the summary are left)."""
    columns = [(k, h, 16 if k == "due" and width >= WIDEST else w) for k, h, w in COLUMNS]
    for key in DROPPED_FIRST:
        if summary_width(columns, width) >= SUMMARY_ROOM:
            break
        columns = [column for column in columns if column[0] != key]
    return fitted(columns, set(), width)


def summary_width(columns, width: int) -> int:
    """What a table this wide leaves its summary, beside the other `columns` (each cell
    has a space either side, and the table keeps 2 for its scroll bar and edge)."""
    return width - sum(w + 2 for _k, _h, w in columns if w) - 4


def short_due(width: int) -> bool:
    """Whether a table of calls this wide has the short Due column."""
    return width < WIDEST


def due_words(due: Due | None, short: bool = False) -> str:
    """What falls due first on a call, in school time (docs/service_levels.md): "3h10",
    "2.5d", "1h30 late"; "answer 20m" while no one has answered it ("ans 20m", and "no
    answer" once late, when `short`); "on hold" while paused; "" when nothing is due."""
    if due is not None and due.on_hold:
        return "on hold"
    if due is None or due.first is None:
        return ""
    what, left = due.first
    words = "late" if -60 < left < 0 else clocks.left_words(left)
    if what == "resolve":
        return _fit(words, SHORT_DUE) if short else words
    if short:
        return "no answer" if left < 0 else f"ans {_fit(words, SHORT_DUE - 4)}"
    return f"answer {words}"


def _fit(words: str, room: int) -> str:
    """Time words in `room` characters: "11.4d late" as "11d late" (and "123.4d" as
    "123d") when they would not fit whole."""
    if len(words) <= room:
        return words
    words = re.sub(r"^(\d+)(?:\.\d+(d)|(h)\d\d)", r"\1\2\3", words)
    if len(words) <= room:
        return words
    return "long late" if words.endswith("late") else ">999d"  # years: a mistake to see


SHORT_DUE = 9
"""The Due column's width below WIDEST: every short word fits it whole."""


def view_keys(views: dict[str, str], prefix: str) -> list[Binding]:
    """A hidden key for each view, 1 up, calling action_view; each binding's id is
    `prefix` and the view's (like desk.changes_open). The view's words are its tooltip, for
    `fitsdesk desk --keys` only: without a description the footer, F1 and the palette
    leave it out (F1 says the number keys in MORE_KEYS)."""
    return [
        Binding(
            str(n),
            f"view('{view}')",
            show=False,
            tooltip=f"Show the list '{words}'",
            id=f"{prefix}{view}",
        )
        for n, (view, words) in enumerate(views.items(), start=1)
    ]


def cells(
    call: Call, now: dt.datetime | None = None, due: Due | None = None, short: bool = True
) -> dict[str, Text]:
    """A call as table cells by column, every one plain Text: people's words are never
    markup. `due` (queues.due_states) fills the Due column and tints the row."""
    tint = DUE_STYLES.get(due.state, "") if due else ""
    said = due_words(due, short)
    return {
        "number": Text(call.number, style=tint),
        "age": Text(age(call.logged_at, now), justify="right", style=tint),
        "priority": Text(call.priority_label, style=PRIORITY_STYLES[call.priority]),
        "due": Text(said, style=f"bold {tint}" if tint else "dim" if said == "on hold" else ""),
        "status": Text(call.status_word, style=tint),
        "location": Text(call.location or "-", style=tint),
        "category": Text(call.category or "-", style=tint),
        "summary": Text(call.summary, style=tint),
        "assignee": Text(call.assignee or "-", style=tint),
    }


def set_columns(table, width: int) -> list[str]:
    """Give `table` the columns for `width` (if they differ); return their keys."""
    wanted = columns_for(width)
    keys = [k for k, _h, _w in wanted]
    if [c.value for c in table.columns] != keys:
        table.clear(columns=True)
        for key, heading, size in wanted:
            table.add_column(heading, key=key, width=size)
    else:
        for key, _heading, size in wanted:
            table.columns[key].width = size
        table.refresh()
    return keys


def row(
    call: Call,
    keys: list[str],
    now: dt.datetime | None = None,
    due: Due | None = None,
    short: bool = True,
) -> list[Text]:
    """A call's cells for the columns `keys`."""
    found = cells(call, now, due, short)
    return [found[key] for key in keys]


class ReloadOnReturn:
    """Mixed into a screen with a `load`: read it again each time the screen is shown
    again, back from another screen or a dialog, so what changed there shows at once,
    not at the next change check."""

    _shown_once = False

    def on_screen_resume(self) -> None:
        if self._shown_once:
            self.load()
        self._shown_once = True


class RecordScreen(Screen):
    """One record (a call, a problem, a change) and its steps, each a key. `load` reads
    it through app.run_store; it is read again when the data changes and after each
    step's dialog, and a step the store refuses is said in one sentence, then the record
    read again. Each screen's `done` says what a step did."""

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    def after_dialog(self, result) -> None:
        if result is not None:
            self.done(result)
        else:
            self.load()

    def refused(self, problem: FitsDeskError) -> None:
        self.app.say_problem(problem)
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


class ListScreen(Screen):
    """A list in views a key apart: the views as tabs (#views), a search box (#search,
    focused by /) with what the list shows beside it (#narrowed), and a table of rows
    (id TABLE). `view` is the view shown; `load` fills the table for it."""

    TABLE = ""
    """The id of the screen's table."""
    view: str

    def list_parts(self, title: str, views: dict[str, str], placeholder: str) -> ComposeResult:
        """The top bar, the tabs, the search box, the table and the footer."""
        yield from bar(self.app, title)
        yield Tabs(*(Tab(words, id=view) for view, words in views.items()), id="views")
        with Horizontal(id="find"):
            yield steady(PlainInput(id="search", placeholder=placeholder))
            yield Static(id="narrowed", markup=False)
        yield Table(id=self.TABLE, cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def chosen(self) -> str | None:
        """The key of the row under the cursor; None when the table is empty."""
        table = self.query_one(f"#{self.TABLE}", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(Tabs.TabActivated, "#views")
    def switch_view(self, event: Tabs.TabActivated) -> None:
        if event.tab.id and event.tab.id != self.view:
            self.view = event.tab.id
            self.view_switched()
            self.load()
            self.query_one(f"#{self.TABLE}").focus()

    def view_switched(self) -> None:
        """What else changes when the technician picks another view: nothing here."""

    def action_view(self, view: str) -> None:
        self.query_one("#views", Tabs).active = view

    def action_search(self) -> None:
        self.query_one("#search").focus()


class SearchedList(ListScreen):
    """A list narrowed to the words searched for (`searching`): Enter in the search box
    reads it again and goes back to the table; Escape clears the search first, then
    leaves. It is read again when the data or the columns that fit change."""

    searching: str
    keys: list[str]
    """The keys of the table's columns."""

    def columns_at(self, width: int) -> list[tuple[str, str, int]]:
        """The columns (key, heading, width) the table shows at this width."""
        raise NotImplementedError

    def fit_table(self) -> tuple[DataTable, list[str]]:
        """The table, given the columns for the screen's width if it has others; their
        keys."""
        table = self.query_one(f"#{self.TABLE}", DataTable)
        wanted = self.columns_at(self.size.width or self.app.size.width)
        keys = [k for k, _h, _w in wanted]
        if keys != self.keys or [c.value for c in table.columns] != keys:
            table.clear(columns=True)
            for key, heading, size in wanted:
                table.add_column(heading, key=key, width=size)
            self.keys = keys
        return table, keys

    def on_resize(self, event) -> None:
        if [k for k, _h, _w in self.columns_at(event.size.width)] != self.keys:
            self.load()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    @on(PlainInput.Submitted, "#search")
    def search(self, event: PlainInput.Submitted) -> None:
        self.searching = event.value.strip()
        self.load()
        self.query_one(f"#{self.TABLE}").focus()

    def action_back(self) -> None:
        if self.searching or self.query_one("#search", PlainInput).value:
            self.searching = ""
            self.query_one("#search", PlainInput).value = ""
            self.load()
            self.query_one(f"#{self.TABLE}").focus()
            return
        self.app.pop_screen()


def references(text: str) -> list[str]:
    """The numbers typed or scanned into one box, split at commas and spaces."""
    return [part for part in re.split(r"[\s,;]+", text) if part]
