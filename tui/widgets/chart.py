"""A chart of readings over time against a few levels, drawn with block characters:
the desk's capacity screen shows a metric's readings, its capacity and warning level,
and the forecast out to the day it meets the capacity.

    chart = LineChart(id="chart")
    chart.show(Plot(readings, levels=(Level(1024, "capacity 1,024 GB"),), projection=...))

Drawn here rather than by a plotting library: a chart this simple takes a page of
code, needs no new dependency, and is the same character for character on every
run (the snapshot tests compare it), and every line and date on it can be named in
plain words at the width of an SSH terminal.

It reads without colour: the readings are a solid area (how full, column by
column, in eighths of a line), the forecast a shaded line rising from the newest
reading to the capacity, each level has its own line character, the likely range
of the forecast date is a double line on the time axis, and the legend under the
chart names each of them in words; the forecast's date is written above the point
where it meets the capacity. Only block and box-drawing characters are used (no
Braille), which every terminal font an SSH client is likely to use draws.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from store.problems.forecast import number

READINGS_STYLE = "bold cyan"
FORECAST_STYLE = "bold yellow"
AXIS_STYLE = "dim"
STRETCH = 4
"""The time axis runs at most this many times the readings' span: a forecast further
out than that is cut off at the edge, its date written there."""
EIGHTHS = " ▁▂▃▄▅▆▇"
"""The top of a column, in eighths of a line."""
SHADE = "░"
"""The forecast's line."""


@dataclass(frozen=True)
class Level:
    """A level drawn across the chart: a capacity, a warning level."""

    value: float
    words: str
    """What the legend calls it: 'capacity 1,024 GB'."""
    glyph: str = "━"
    style: str = "bold red"


@dataclass(frozen=True)
class Projection:
    """The forecast, a straight line from `start` to `end` ((time, value) pairs)."""

    start: tuple[dt.datetime, float]
    end: tuple[dt.datetime, float]
    label: str
    """Written where it ends: 'full around 14 Mar 2027'."""
    words: str
    """What the legend calls it: 'forecast: full around 14 Mar 2027'."""
    earliest: dt.datetime | None = None
    latest: dt.datetime | None = None
    """The likely range of the date it ends at (latest None: no end to it)."""


@dataclass(frozen=True)
class Plot:
    """What one chart shows."""

    readings: tuple[tuple[dt.datetime, float], ...] = ()
    """(time, value), oldest first."""
    levels: tuple[Level, ...] = ()
    projection: Projection | None = None
    note: str = ""
    """Written on the top line when there is no projection: why not."""
    unit: str = ""
    empty: str = "No readings to draw yet."


def day(moment: dt.datetime) -> str:
    """'14 Mar 2027'."""
    return f"{moment.day} {moment:%b %Y}"


class _Canvas:
    """Characters and their styles in a grid."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.styles = [[""] * width for _ in range(height)]

    def put(self, x: int, y: int, text: str, style: str = "") -> None:
        for offset, char in enumerate(text):
            if 0 <= x + offset < self.width and 0 <= y < self.height:
                self.chars[y][x + offset] = char
                self.styles[y][x + offset] = style

    def column(self, x: int, bottom: int, eighths: float, style: str) -> None:
        """A solid column standing `eighths` of a line high on line `bottom`."""
        whole, part = divmod(max(0, round(eighths)), 8)
        for n in range(min(whole, bottom + 1)):
            self.put(x, bottom - n, "█", style)
        if part and whole <= bottom:
            self.put(x, bottom - whole, EIGHTHS[part], style)

    def lines(self) -> list[Text]:
        out = []
        for chars, styles in zip(self.chars, self.styles, strict=True):
            text = Text(no_wrap=True, overflow="crop")
            start = 0
            for x in range(1, self.width + 1):
                if x == self.width or styles[x] != styles[start]:
                    text.append("".join(chars[start:x]), styles[start])
                    start = x
            out.append(text)
        return out


def _area(
    readings: Iterable[tuple[dt.datetime, float]],
    column_of: Callable[[dt.datetime], int],
    height_of: Callable[[float], float],
) -> dict[int, float]:
    """How high the readings stand in each column they cover, in eighths of a line: the
    highest reading in a column, and straight between columns with none."""
    tops: dict[int, float] = {}
    for at, value in readings:
        x = column_of(at)
        tops[x] = max(tops.get(x, 0.0), height_of(value))
    columns = sorted(tops)
    for a, b in itertools.pairwise(columns):
        for x in range(a + 1, b):
            tops[x] = tops[a] + (tops[b] - tops[a]) * (x - a) / (b - a)
    return tops


def _legend(plot: Plot, width: int) -> list[Text]:
    """The legend's items, wrapped to `width`."""
    items = [Text.assemble(("▂▄█", READINGS_STYLE), f" readings ({len(plot.readings)})")]
    found = plot.projection
    if found is not None:
        items.append(Text.assemble((SHADE * 3, FORECAST_STYLE), " ", found.words))
        if found.earliest is not None:
            items.append(Text.assemble(("═══", FORECAST_STYLE), " its likely range"))
    for level in plot.levels:
        items.append(Text.assemble((level.glyph * 3, level.style), " ", level.words))
    out: list[Text] = []
    line = Text(no_wrap=True, overflow="ellipsis")
    for item in items:
        if line.plain and len(line.plain) + 3 + len(item.plain) > width:
            out.append(line)
            line = Text(no_wrap=True, overflow="ellipsis")
        if line.plain:
            line.append("   ")
        line.append_text(item)
    out.append(line)
    for text in out:
        text.truncate(width, overflow="ellipsis")
    return out


def draw(plot: Plot, width: int, height: int) -> list[Text]:
    """The chart as lines of at most `width` characters, at most `height` of them: a top
    line for why there is no forecast, the plot with its value axis, the time axis and
    its dates, and the legend."""
    if width < 24 or height < 6:
        return [Text("Too small to draw the chart.", style="dim")]
    if not plot.readings:
        return [Text(plot.empty, style="dim")]
    legend = _legend(plot, width)[: max(0, height - 7)]
    rows = height - 3 - len(legend)

    # The value axis: from 0 (or the lowest value) to a little over the highest.
    found = plot.projection
    values = [v for _t, v in plot.readings] + [level.value for level in plot.levels]
    if found is not None:
        values += [found.start[1], found.end[1]]
    low = min(0.0, *values)
    high = max(values)
    high = high + (high - low) * 0.08 or 1.0
    labels = {number(level.value) for level in plot.levels} | {number(low)}
    gutter = max(len(label) for label in labels) + 1
    across = width - gutter - (1 if found is not None else 0)  # room for the arrow

    # The time axis: from the first reading to the newest, or on to the forecast's end.
    first = plot.readings[0][0]
    newest = plot.readings[-1][0]
    until = newest if found is None else max(newest, found.end[0])
    limit = first + max(newest - first, dt.timedelta(days=1)) * STRETCH
    cut = until > limit
    until = min(until, limit)
    padded = until - first < dt.timedelta(hours=1)
    if padded:  # one moment: put it in the middle of a day
        first, until = first - dt.timedelta(hours=12), until + dt.timedelta(hours=12)
    span = (until - first).total_seconds()

    def column_of(moment: dt.datetime) -> int:
        return round((moment - first).total_seconds() / span * (across - 1))

    def height_of(value: float) -> float:
        """In eighths of a line above the bottom of the plot's last line."""
        return (value - low) / (high - low) * rows * 8

    def row_of(value: float) -> int:
        return max(0, min(rows - 1, rows - 1 - int(height_of(value) // 8)))

    top = 1  # the plot's first line; line 0 is for the forecast's date or the note
    bottom = top + rows - 1
    canvas = _Canvas(width, top + rows + 2)
    for level in plot.levels:
        canvas.put(gutter, top + row_of(level.value), level.glyph * across, level.style)
        label = number(level.value).rjust(gutter - 1) + "┤"
        canvas.put(0, top + row_of(level.value), label, AXIS_STYLE)
    ends = None
    if found is not None:  # over the levels: where it crosses them shows
        (t0, v0), (t1, v1) = found.start, found.end
        if cut and t1 > t0:
            t1, v1 = until, v0 + (v1 - v0) * ((until - t0) / (t1 - t0))
        c0, c1 = column_of(t0), column_of(t1)
        for c in range(c0 + 1, c1 + 1):
            share = (c - c0) / (c1 - c0)
            canvas.put(gutter + c, top + row_of(v0 + (v1 - v0) * share), SHADE, FORECAST_STYLE)
        ends = (gutter + c1, top + row_of(v1))
    for c, height in _area(plot.readings, column_of, height_of).items():
        canvas.column(gutter + c, bottom, max(1.0, height), READINGS_STYLE)
    for row in range(top, bottom + 1):
        if canvas.chars[row][gutter - 1] == " ":
            canvas.put(gutter - 1, row, "│", AXIS_STYLE)
    canvas.put(0, bottom, number(low).rjust(gutter - 1) + "┤", AXIS_STYLE)
    if len(plot.unit) < gutter:
        canvas.put(0, 0, plot.unit, AXIS_STYLE)

    # Where the forecast ends: its date above it (or why there is none, on the top line).
    if found is not None and ends is not None:
        if cut:
            words = f"{found.label}, off the chart →"
            canvas.put(max(0, width - len(words)), 0, words, FORECAST_STYLE)
        else:
            mark, row = ends
            canvas.put(mark, row, "●", FORECAST_STYLE)
            words = f"{found.label} ↓"
            at = mark - len(words) + 1
            if at < gutter:
                words, at = f"↓ {found.label}", mark
            canvas.put(at, max(0, row - 1), words, FORECAST_STYLE)
    elif plot.note:
        room = width - gutter
        note = plot.note if len(plot.note) <= room else plot.note[: room - 1] + "…"
        canvas.put(gutter, 0, note, "italic")

    # The time axis, the likely range of the forecast date on it, and its dates.
    axis = bottom + 1
    canvas.put(gutter - 1, axis, "└" + "─" * across, AXIS_STYLE)
    if found is not None and found.earliest is not None and found.earliest <= until:
        start = gutter + column_of(max(found.earliest, first))
        end = gutter + across - 1
        if found.latest is not None and found.latest <= until:
            end = gutter + column_of(found.latest)
        canvas.put(start, axis, "═" * (end - start + 1), FORECAST_STYLE)
    dates = [(gutter + column_of(newest), day(newest), "centre")]
    if plot.readings[0][0] != newest:
        dates.insert(0, (gutter, day(first), "left"))
    if until > newest and not padded:
        dates.append((gutter + across - 1, day(until), "right"))
    taken: list[tuple[int, int]] = []
    for x, words, how in dates:
        at = x if how == "left" else x - len(words) + 1 if how == "right" else x - len(words) // 2
        at = max(gutter, min(at, width - len(words)))
        if any(at < b + 2 and a < at + len(words) + 2 for a, b in taken):
            continue
        taken.append((at, at + len(words)))
        canvas.put(at, axis + 1, words, AXIS_STYLE)
        if how != "left" and canvas.chars[axis][x] == "─":
            canvas.put(x, axis, "┴", AXIS_STYLE)
    return canvas.lines() + legend


class LineChart(Widget):
    """A Plot, drawn to the widget's size."""

    DEFAULT_CSS = """
    LineChart { height: 1fr; }
    """

    def __init__(
        self, plot: Plot | None = None, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.plot = plot or Plot()
        self._drawn: tuple[tuple, Text] | None = None
        """The last drawing and what it was of: a redraw of the screen reuses it."""

    def show(self, plot: Plot) -> None:
        self.plot = plot
        self.refresh()

    def render(self) -> Text:
        size = self.content_size
        key = (self.plot, size.width, size.height)
        if self._drawn is None or self._drawn[0] != key:
            lines = draw(self.plot, size.width, size.height)
            self._drawn = (key, Text("\n", no_wrap=True).join(lines))
        return self._drawn[1]
