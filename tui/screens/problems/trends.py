"""Trends: what a problem manager looks for in a year of calls, each with the calls that
show it: a spike in one room (probably an outage), a device whose fault keeps coming
back, a kind of fault rising week on week (store.problems.trends; thresholds in the config).

The list is worked out in the background ("Looking for trends…"); `r` looks again.
Moving through it shows the chosen trend's calls below; Enter moves into them, and
Enter on a call opens it. `p` raises a problem with the trend's calls already
linked and opens it; a trend a problem already covers says so ("PRB-000007 covers
this") and `o` opens that problem instead.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.problems import trends
from store.records.views import Call
from store.servicedesk import servicedesk
from tui.screens.common import KeyFooter, bar, local

KIND_WORDS = {"spike": "Spike", "repeat": "Repeat fault", "rising": "Rising"}
"""Each kind of trend in words."""
EVIDENCE_MOST = 100
"""The most calls shown under a trend (a rise in a big school can have hundreds)."""
TREND_COLUMNS = (
    ("kind", "Kind", 12),
    ("headline", "What", 0),
    ("calls", "Calls", 5),
    ("covered", "Covered", 10),
)
CALL_COLUMNS = (
    ("number", "Number", 10),
    ("logged", "Logged", 16),
    ("status", "Status", 11),
    ("location", "Where", 6),
    ("summary", "Summary", 0),
)
WIDE_ONLY = {"location"}
"""Columns left out below 100 characters."""


def columns_for(columns, width: int, wide_covered: bool = False) -> list[tuple[str, str, int]]:
    """The columns at this width, the flexible one given what the others leave."""
    chosen = [c for c in columns if width >= 100 or c[0] not in WIDE_ONLY]
    chosen = [(k, h, 22 if k == "covered" and wide_covered else w) for k, h, w in chosen]
    fixed = sum(w + 2 for _k, _h, w in chosen if w)
    return [(k, h, w or max(12, width - fixed - 4)) for k, h, w in chosen]


def covered_words(trend: trends.Trend, wide: bool) -> Text:
    if not trend.problem:
        return Text("-")
    return Text(f"{trend.problem} covers this" if wide else trend.problem, style="bold")


def trend_cells(trend: trends.Trend, wide: bool) -> dict[str, Text]:
    """A trend as table cells, every one plain Text: names in a headline are not markup."""
    return {
        "kind": Text(KIND_WORDS.get(trend.kind, trend.kind)),
        "headline": Text(trend.headline),
        "calls": Text(str(len(trend.incidents)), justify="right"),
        "covered": covered_words(trend, wide),
    }


def call_cells(call: Call) -> dict[str, Text]:
    return {
        "number": Text(call.number),
        "logged": Text(local(call.logged_at)),
        "status": Text(call.status_word),
        "location": Text(call.location or "-"),
        "summary": Text(call.summary),
    }


def detail(trend: trends.Trend) -> Text:
    """The chosen trend in full: its headline, and what can be done about it."""
    text = Text()
    text.append(f"{KIND_WORDS.get(trend.kind, trend.kind)}: ", style="bold")
    text.append(trend.headline + ".")
    count = len(trend.incidents)
    calls = f"{count} call{'s' if count != 1 else ''}"
    if trend.problem:
        text.append(f" {trend.problem} covers this", style="bold")
        text.append(f" (o opens it); its {calls} are below.")
    else:
        text.append(f" Its {calls} are below; p raises a problem with them linked.")
    return text


class TrendsScreen(Screen):
    """Trends in the last year's calls, and the calls behind each."""

    DEFAULT_CSS = """
    TrendsScreen #trends-said { height: auto; padding: 0 1; color: $text-muted; }
    TrendsScreen #trends { height: auto; max-height: 40%; }
    TrendsScreen #trend-detail { height: auto; padding: 0 1; margin-top: 1; }
    TrendsScreen #evidence { height: 1fr; }
    """

    BINDINGS = [
        Binding("p", "raise_problem", "Raise problem", id="desk.trends_raise"),
        Binding("o", "open_problem", "Its problem", id="desk.trends_problem"),
        Binding("r", "look_again", "Look again", id="desk.trends_refresh"),
        Binding("escape,q", "back", "Back", id="desk.back_trends"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[trends.Trend] = []
        self.chosen: str | None = None
        """The key of the trend whose calls are shown."""
        self.looking = False
        self.widths: list = []

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Trends")
        yield Static(id="trends-said")
        yield DataTable(id="trends", cursor_type="row", zebra_stripes=True)
        yield Static(id="trend-detail")
        yield DataTable(id="evidence", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#trend-detail").display = False
        self.query_one("#evidence").display = False
        self.look()

    def on_resize(self, event) -> None:
        if self.found and self.widths != columns_for(TREND_COLUMNS, event.size.width):
            self.fill()

    def look(self) -> None:
        """Work the trends out in the background, saying so meanwhile."""
        if self.looking:
            return
        self.looking = True
        self.query_one("#trends-said", Static).update("Looking for trends…")
        self.refresh_bindings()
        now = self.app.now()
        self.app.run_store(lambda: self.find(now), self.show, self.failed)

    def find(self, now) -> list[trends.Trend]:
        """The trends as of `now` (in a worker thread)."""
        return trends.find_trends(now=now)

    def failed(self, problem) -> None:
        self.looking = False
        self.query_one("#trends-said", Static).update(f"Could not look for trends: {problem}")
        self.refresh_bindings()

    def show(self, found: list[trends.Trend]) -> None:
        self.looking = False
        self.found = found
        until = self.app.now()
        when = f"{until.day} {until:%b %Y}"
        said = self.query_one("#trends-said", Static)
        if not found:
            said.update(
                f"No trends found in the year to {when}: no spikes in one room, no device "
                "with a fault that keeps coming back, no kind of fault rising. r looks again."
            )
        else:
            count = f"{len(found)} trend{'s' if len(found) != 1 else ''}"
            said.update(f"{count} in the year to {when}. Enter goes to a trend's calls.")
        keys = [trend.key for trend in found]
        if self.chosen not in keys:
            self.chosen = keys[0] if keys else None
        self.query_one("#trend-detail").display = bool(found)
        self.query_one("#evidence").display = bool(found)
        self.fill()
        self.refresh_bindings()

    def fill(self) -> None:
        table = self.query_one("#trends", DataTable)
        width = self.app.size.width
        self.widths = wanted = columns_for(TREND_COLUMNS, width)
        wide = width >= 100
        table.clear(columns=True)
        for key, heading, size in columns_for(TREND_COLUMNS, width, wide_covered=wide):
            table.add_column(heading, key=key, width=size)
        keys = [k for k, _h, _w in wanted]
        for trend in self.found:
            cells = trend_cells(trend, wide)
            table.add_row(*(cells[k] for k in keys), key=trend.key)
        names = [trend.key for trend in self.found]
        if self.chosen in names:
            table.move_cursor(row=names.index(self.chosen))
            self.show_chosen()
        table.focus()

    def chosen_trend(self) -> trends.Trend | None:
        return next((trend for trend in self.found if trend.key == self.chosen), None)

    @on(DataTable.RowHighlighted, "#trends")
    def choose(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key != self.chosen:
            self.chosen = key
            self.show_chosen()
            self.refresh_bindings()

    @on(DataTable.RowSelected, "#trends")
    def into_the_calls(self, _event: DataTable.RowSelected) -> None:
        evidence = self.query_one("#evidence", DataTable)
        if evidence.row_count:
            evidence.focus()

    @on(DataTable.RowSelected, "#evidence")
    def open_call(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value != "more":
            self.app.open_call(event.row_key.value)

    def show_chosen(self) -> None:
        """The chosen trend's words, and its calls fetched and listed below."""
        trend = self.chosen_trend()
        if trend is None:
            return
        self.query_one("#trend-detail", Static).update(detail(trend))
        numbers, key = trend.incidents[:EVIDENCE_MOST], trend.key

        def listed(calls: list[Call]) -> None:
            if key == self.chosen:
                self.list_calls(calls, len(trend.incidents))

        self.app.run_store(lambda: servicedesk.calls_numbered(numbers), listed)

    def list_calls(self, calls: list[Call], total: int) -> None:
        table = self.query_one("#evidence", DataTable)
        wanted = columns_for(CALL_COLUMNS, self.app.size.width)
        table.clear(columns=True)
        for key, heading, size in wanted:
            table.add_column(heading, key=key, width=size)
        keys = [k for k, _h, _w in wanted]
        for call in calls:
            cells = call_cells(call)
            table.add_row(*(cells[k] for k in keys), key=call.number)
        if total > len(calls):
            table.add_row(
                *(Text(f"and {total - len(calls)} more") if k == "summary" else "" for k in keys),
                key="more",
            )

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        trend = self.chosen_trend()
        if action == "raise_problem":
            return not self.looking and trend is not None and not trend.problem
        if action == "open_problem":
            return trend is not None and bool(trend.problem)
        if action == "look_again":
            return not self.looking
        return True

    def action_back(self) -> None:
        evidence = self.query_one("#evidence", DataTable)
        if evidence.has_focus:
            self.query_one("#trends", DataTable).focus()
        else:
            self.app.pop_screen()

    def action_look_again(self) -> None:
        self.look()

    def action_raise_problem(self) -> None:
        trend, me = self.chosen_trend(), self.app.me.login
        if trend is None or trend.problem:
            return
        self.app.run_store(
            lambda: trends.raise_from_trend(trend, by=me), self.raised, self.not_raised
        )

    def not_raised(self, problem) -> None:
        """Refused (raised by someone else a moment ago): say why, and look again."""
        self.app.say_problem(problem)
        self.look()

    def raised(self, problem) -> None:
        count = len(problem.incidents)
        self.notify(
            f"Raised {problem.number} with {count} call{'s' if count != 1 else ''} linked.",
            markup=False,
        )
        self.look()
        self.open(problem.number)

    def action_open_problem(self) -> None:
        trend = self.chosen_trend()
        if trend is not None and trend.problem:
            self.open(trend.problem)

    def open(self, number: str) -> None:
        from tui.screens.problems.problem import ProblemScreen

        self.app.push_screen(ProblemScreen(number))
