"""Capacity: the things measured against a capacity (a file server's disk, the school's
cloud storage), when each will be full, and a chart of the one chosen.

The list gives each metric's newest reading and how full it is, the forecast in
words ("full around 14 Mar 2027 (2–30 Mar)") or why there is none, and the
problem raised from it. Moving through the list changes the chart: the readings of
the last 90 days, the capacity and warning level, and the forecast line out to the
day it meets the capacity. `a` adds a reading, `n` starts a new metric, `p` opens
the problem raised from the forecast.
"""

from __future__ import annotations

import datetime as dt
import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.db.errors import BadInput
from store.db.sanitise import shown
from store.problems import capacity
from store.problems.forecast import WINDOW, Forecast, number
from tui.dialogs.ask import Ask
from tui.messages import DataChanged
from tui.screens.common import KeyFooter, bar, local
from tui.widgets.chart import Level, LineChart, Plot, Projection, day

LATEST_WIDTH = 16
COLUMNS = (
    ("name", "Metric", 0),
    ("latest", "Latest", LATEST_WIDTH),
    ("forecast", "Forecast", 0),
    ("problem", "Problem", 10),
)
"""Column key, heading and width (0: shared out from what the others leave)."""
WARNING_STYLE = "#d78700"


def columns_for(width: int) -> list[tuple[str, str, int]]:
    """The columns at this width: the metric's name gets a third of what is left."""
    fixed = sum(w + 2 for _k, _h, w in COLUMNS if w) + 2 * 2 + 2  # and a scrollbar
    left = max(30, width - fixed)
    name = max(15, min(30, left // 3))
    return [(k, h, w or (name if k == "name" else left - name)) for k, h, w in COLUMNS]


def date_range(earliest: dt.datetime, latest: dt.datetime) -> str:
    """'2–30 Mar', '28 Feb–14 Mar', or with years when they differ: '28 Dec 2026–9 Jan
    2027'; '' for one day."""
    if earliest.date() == latest.date():
        return ""
    if (earliest.year, earliest.month) == (latest.year, latest.month):
        return f"{earliest.day}–{latest.day} {latest:%b}"
    if earliest.year == latest.year:
        return f"{earliest.day} {earliest:%b}–{latest.day} {latest:%b}"
    return f"{day(earliest)}–{day(latest)}"


SHORT_REASONS = (
    ("no readings in the last", "none in 90 days"),
    ("span only", "span under a day"),
    ("flat", "readings flat"),
    ("falling", "readings falling"),
    ("scattered", "too scattered"),
    ("not clearly rising", "no clear rise"),
    ("ten years", "beyond ten years"),
    ("out of reach", "out of reach"),
)
"""Why there is no forecast, in as few words as fit an 80-column table."""


def short_reason(reason: str) -> str:
    """Why there is no forecast, in a table cell: 'only 3 readings', 'too scattered'."""
    found = re.search(r"only (\d+) readings?", reason)
    if found and "a forecast needs" in reason:
        return f"only {found.group(1)} reading{'' if found.group(1) == '1' else 's'}"
    for words, short in SHORT_REASONS:
        if words in reason:
            return short
    return reason.split(";")[0].split(":")[0].strip()


def when_full(found: Forecast, *, short: bool = False) -> str:
    """The forecast in a few words: 'full around 14 Mar 2027 (2–30 Mar)'."""
    around = "full ~" if short else "full around "
    if found.already_full:
        return f"full since {day(found.full_at)}" if found.full_at else "full"
    if found.full_at is None:
        return f"no forecast: {short_reason(found.reason or 'none')}"
    text = f"{around}{day(found.full_at)}"
    if found.full_latest is None:
        return f"{text} (not before {day(found.full_earliest)})" if found.full_earliest else text
    between = date_range(found.full_earliest, found.full_latest) if found.full_earliest else ""
    if between:
        text += f" ({between})"
    return text


def latest_cell(info: capacity.MetricInfo) -> Text:
    if info.latest is None:
        return Text("no readings", style="dim")
    style = ""
    if info.latest >= info.capacity:
        style = "bold red"
    elif info.over_warning:
        style = f"bold {WARNING_STYLE}"
    words = f"{info.amount(info.latest)} ({info.percent_used:.0f}%)"
    if len(words) > LATEST_WIDTH:  # a long unit: the chart and the words below give it
        words = f"{number(info.latest)} ({info.percent_used:.0f}%)"
    return Text(words, style=style)


def cells(info: capacity.MetricInfo, short: bool) -> dict[str, Text]:
    """A metric as table cells, every one plain Text: a name is never markup."""
    return {
        "name": Text(info.name),
        "latest": latest_cell(info),
        "forecast": Text(when_full(info.forecast, short=short)),
        "problem": Text(info.problem or "-"),
    }


def summary(info: capacity.MetricInfo, *, wide: bool = True) -> Text:
    """The chosen metric in full: its newest reading and warning level (when there is
    room: the table gives the reading, the chart the levels), the problem raised from
    it, and its forecast in the store's words."""
    text = Text()
    if info.latest is None:
        text.append(info.name, style="bold")
        text.append(": no readings yet.")
        return text
    if wide:
        text.append(info.name, style="bold")
        text.append(
            f": {info.amount(info.latest)} of {info.amount(info.capacity)} "
            f"({info.percent_used:.0f}%) at {local(info.latest_at)}"
        )
        if info.warning is not None:
            text.append(f"; warning level {info.amount(info.warning)}")
        text.append(".\n")
    else:  # the list may cut a long name: say it whole once
        text.append(info.name, style="bold")
        text.append(": ")
    if info.problem:
        text.append(f"{info.problem} was raised from its forecast (p opens it). ", style="bold")
    text.append(info.words())
    return text


def plot_for(info: capacity.MetricInfo, readings) -> Plot:
    """What the chart draws for a metric: its readings, its levels, and the forecast
    line to the day it meets the capacity, or why there is none."""
    levels = [Level(info.capacity, f"capacity {info.amount(info.capacity)}", "━", "bold red")]
    if info.warning is not None:
        levels.append(
            Level(info.warning, f"warning level {info.amount(info.warning)}", "╌", WARNING_STYLE)
        )
    found = info.forecast
    projection, note = None, ""
    ends = found.line()
    if found.full_at is not None and not found.already_full and ends:
        newest = found.newest_at
        projection = Projection(
            (newest, found.value_at(newest)),  # on from the readings, drawn up to here
            ends[1],
            label=f"full around {day(found.full_at)}",
            words=f"forecast: {when_full(found)}",
            earliest=found.full_earliest,
            latest=found.full_latest,
        )
    elif found.already_full:
        note = f"Already full since {day(found.full_at)}." if found.full_at else "Already full."
    else:
        note = f"No forecast: {found.reason}."
    return Plot(
        tuple((r.at, r.value) for r in readings),
        tuple(levels),
        projection,
        note=note,
        unit=info.unit,
        empty=f"No readings of {info.name} yet: a adds one.",
    )


def reading_time(text: str) -> dt.datetime | None:
    """A time as typed ('2026-03-01 09:00', this machine's local time) as naive UTC; empty:
    None (now)."""
    cleaned = str(text).strip()
    if not cleaned:
        return None
    try:
        moment = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        raise BadInput(
            f"'{shown(cleaned, 40)}' is not a time: write it like 2026-03-01 09:00, "
            "or leave it empty for now."
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def whole_days(text: str) -> int:
    cleaned = str(text).strip() or "30"
    if not cleaned.isdigit():
        raise BadInput("The warning window is a whole number of days, like 30.")
    return int(cleaned)


class CapacityScreen(Screen):
    """Metrics, their forecasts, and a chart of the one chosen."""

    DEFAULT_CSS = """
    CapacityScreen #metrics { height: auto; max-height: 35%; }
    CapacityScreen #metric-words { height: auto; padding: 0 1; }
    CapacityScreen #chart { height: 1fr; padding: 0 1; }
    CapacityScreen #chart.roomy { margin-top: 1; }
    """

    BINDINGS = [
        Binding("a", "add_reading", "Add reading", id="desk.capacity_add"),
        Binding("n", "new_metric", "New metric", id="desk.capacity_new"),
        Binding("p", "open_problem", "Its problem", id="desk.capacity_problem"),
        Binding("escape,q", "back", "Back", id="desk.back_capacity"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.metrics: list[capacity.MetricInfo] = []
        self.chosen: str | None = None
        """The name of the metric the chart shows."""
        self.widths: list[tuple[str, str, int]] = []

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Capacity")
        yield DataTable(id="metrics", cursor_type="row", zebra_stripes=True)
        yield Static(id="metric-words")
        yield LineChart(id="chart")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#metric-words", Static).update("Reading the metrics…")
        self.load()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    def on_resize(self, event) -> None:
        self.query_one("#chart").set_class(event.size.height >= 30, "roomy")
        if self.metrics and columns_for(event.size.width) != self.widths:
            self.fill()

    def load(self) -> None:
        now = self.app.now()
        self.app.run_store(lambda: capacity.list_metrics(now=now), self.show)

    def show(self, found: list[capacity.MetricInfo]) -> None:
        self.metrics = found
        names = [info.name for info in found]
        if self.chosen not in names:
            self.chosen = names[0] if names else None
        self.fill()
        if not found:
            self.query_one("#metric-words", Static).update(
                "Nothing is measured yet. n starts a metric (a disk, cloud storage, "
                "licences in use); `fitsdesk metric df /srv` in a cron job records a disk."
            )
            self.query_one("#chart", LineChart).show(Plot(empty=""))
        self.refresh_bindings()

    def fill(self) -> None:
        """Put the metrics in the table, the chosen one under the cursor."""
        table = self.query_one("#metrics", DataTable)
        self.widths = wanted = columns_for(self.app.size.width)
        short = self.app.size.width < 100
        table.clear(columns=True)
        for key, heading, width in wanted:
            table.add_column(heading, key=key, width=width)
        keys = [k for k, _h, _w in wanted]
        for info in self.metrics:
            found = cells(info, short)
            table.add_row(*(found[k] for k in keys), key=info.name)
        names = [info.name for info in self.metrics]
        if self.chosen in names:
            table.move_cursor(row=names.index(self.chosen))
            self.draw_chosen()
        table.focus()

    @on(DataTable.RowHighlighted, "#metrics")
    @on(DataTable.RowSelected, "#metrics")
    def choose(self, event) -> None:
        name = event.row_key.value
        if name != self.chosen:
            self.chosen = name
            self.draw_chosen()
            self.refresh_bindings()

    def chosen_info(self) -> capacity.MetricInfo | None:
        return next((info for info in self.metrics if info.name == self.chosen), None)

    def draw_chosen(self) -> None:
        """Say what the chosen metric's forecast is, and fetch its readings to draw."""
        info = self.chosen_info()
        if info is None:
            return
        wide = self.app.size.width >= 100
        self.query_one("#metric-words", Static).update(summary(info, wide=wide))
        now = self.app.now()
        since = (info.latest_at or now) - WINDOW
        until = now + capacity.SKEW
        name = info.name

        def drawn(readings) -> None:
            if name == self.chosen:
                self.query_one("#chart", LineChart).show(plot_for(info, readings))

        self.app.run_store(lambda: capacity.samples(name, since, until), drawn)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "add_reading":
            return self.chosen is not None
        if action == "open_problem":
            info = self.chosen_info()
            return info is not None and info.problem is not None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add_reading(self) -> None:
        info = self.chosen_info()
        if info is None:
            return
        me, name, now = self.app.me.login, info.name, self.app.now()
        unit = f" ({info.unit})" if info.unit and info.unit != "%" else ""
        self.app.push_screen(
            Ask(
                f"Add a reading of {name}",
                [
                    Ask.text("value", f"Reading{unit}", "", "like 612.5"),
                    Ask.text("at", "When (empty: now)", "", "like 2026-03-01 09:00"),
                    Ask.switch("force", "Add it even if it looks far out of line (forced)"),
                ],
                lambda v: capacity.add_sample(
                    name,
                    v["value"],
                    by=me,
                    at=reading_time(v["at"]),
                    force=v["force"],
                    now=now,
                ),
                ok="Add",
            ),
            self.added,
        )

    def added(self, result: capacity.Recorded | None) -> None:
        if result is None:
            return
        info = result.metric
        self.notify(
            f"Added to {info.name}: {info.amount(info.latest)} is the newest reading.",
            markup=False,
        )
        if result.raised is not None:
            self.notify(
                f"Raised {result.raised.number}: {result.raised.title}.",
                title="Full soon",
                severity="warning",
                timeout=10,
                markup=False,
            )
        self.chosen = info.name
        self.load()

    def action_new_metric(self) -> None:
        me = self.app.me.login

        def act(v):
            size = capacity.clean_value(v["capacity"], "The capacity")
            level = v["warning"].strip()
            warning = None if not level else capacity.parse_level(level, size)
            return capacity.add_metric(
                v["name"],
                capacity=size,
                unit=v["unit"],
                warning=warning,
                warn_days=whole_days(v["days"]),
                by=me,
            )

        self.app.push_screen(
            Ask(
                "Start measuring something against its capacity",
                [
                    Ask.text("name", "Name", "", "like M365 storage"),
                    Ask.text("capacity", "Capacity: the most it can hold", "", "like 1024"),
                    Ask.text("unit", "Unit", "", "like GB, or seats"),
                    Ask.text("warning", "Warning level: a share or an amount (empty: none)", "90%"),
                    Ask.text("days", "Raise a problem when it will be full within (days)", "30"),
                ],
                act,
                ok="Start",
            ),
            self.started,
        )

    def started(self, info: capacity.MetricInfo | None) -> None:
        if info is None:
            return
        self.notify(f"Now measuring {info.name}: a adds its first reading.", markup=False)
        self.chosen = info.name
        self.load()

    def action_open_problem(self) -> None:
        info = self.chosen_info()
        if info is None or info.problem is None:
            return
        from tui.screens.problems.problem import ProblemScreen

        self.app.push_screen(ProblemScreen(info.problem))
