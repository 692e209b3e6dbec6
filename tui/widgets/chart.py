"""A chart of readings over time against a few levels, drawn with Braille dots: the
desk's capacity screen shows a metric's readings, its capacity and warning level, and
the forecast line out to the day it meets the capacity.

    chart = LineChart(id="chart")
    chart.show(Plot(readings, levels=(Level(1024, "capacity 1,024 GB"),), forecast=...))

Drawn here rather than by a plotting library: a chart this simple takes a page of
code, needs no new dependency, and is the same character for character on every
run (the snapshot tests compare it), and every line and date on it can be named in
plain words at the width of an SSH terminal.

It reads without colour: the readings are solid dots, the forecast is a dashed
line, each level has its own line character, the likely range of the forecast
date is a double line on the time axis, and the legend under the chart names each
of them in words; the forecast's date is written where it meets the capacity.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from store.forecast import number

READINGS_STYLE = "bold cyan"
FORECAST_STYLE = "bold yellow"
AXIS_STYLE = "dim"
DASH = 4
"""The forecast line is drawn DASH dots on, DASH dots off."""
STRETCH = 4
"""The time axis runs at most this many times the readings' span: a forecast further
out than that is cut off at the edge, its date written there."""
# Braille: the bit for the dot at (column 0-1, row 0-3) of a cell.
_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


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
    """The forecast line, from `start` to `end` ((time, value) pairs)."""

    start: tuple[dt.datetime, float]
    end: tuple[dt.datetime, float]
    label: str
    """Written where the line ends: 'full around 14 Mar 2027'."""
    words: str
    """What the legend calls it: 'forecast: full around 14 Mar 2027'."""
    earliest: dt.datetime | None = None
    latest: dt.datetime | None = None
    """The likely range of the date the line ends at (None: no end to it)."""


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
    """Characters and styles in a grid, with a Braille layer per style for the dots."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.styles = [[""] * width for _ in range(height)]
        self.dots: dict[str, list[list[int]]] = {}

    def put(self, x: int, y: int, text: str, style: str = "") -> None:
        for offset, char in enumerate(text):
            if 0 <= x + offset < self.width and 0 <= y < self.height:
                self.chars[y][x + offset] = char
                self.styles[y][x + offset] = style

    def dot(self, x: int, y: int, style: str) -> None:
        """A dot at (x, y) in dot space: two across and four down to a cell."""
        if 0 <= x < self.width * 2 and 0 <= y < self.height * 4:
            layer = self.dots.setdefault(style, [[0] * self.width for _ in range(self.height)])
            layer[y // 4][x // 2] |= _BITS[x % 2][y % 4]

    def line(self, a: tuple[int, int], b: tuple[int, int], style: str, dash: int = 0) -> None:
        """Dots from `a` to `b` (Bresenham); with `dash`, that many on, that many off."""
        (x0, y0), (x1, y1) = a, b
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error, step = dx + dy, 0
        while True:
            if not dash or (step // dash) % 2 == 0:
                self.dot(x0, y0, style)
            if x0 == x1 and y0 == y1:
                return
            step += 1
            doubled = 2 * error
            if doubled >= dy:
                error += dy
                x0 += sx
            if doubled <= dx:
                error += dx
                y0 += sy

    def cell(self, x: int, y: int) -> tuple[str, str]:
        """The character and style at (x, y): dots over characters, the first style's
        dots on top where two meet."""
        bits, style = 0, ""
        for layer_style, layer in self.dots.items():
            if layer[y][x]:
                bits |= layer[y][x]
                style = style or layer_style
        if bits:
            return chr(0x2800 + bits), style
        return self.chars[y][x], self.styles[y][x]

    def lines(self) -> list[Text]:
        out = []
        for y in range(self.height):
            text = Text(no_wrap=True, overflow="crop")
            run, run_style = [], ""
            for x in range(self.width):
                char, style = self.cell(x, y)
                if style != run_style and run:
                    text.append("".join(run), run_style)
                    run = []
                run.append(char)
                run_style = style
            text.append("".join(run), run_style)
            out.append(text)
        return out


def _legend(plot: Plot, width: int) -> list[Text]:
    """The legend's items, wrapped to `width`."""
    items = [Text.assemble(("⠤⠒⠉", READINGS_STYLE), f" readings ({len(plot.readings)})")]
    found = plot.projection
    if found is not None:
        items.append(Text.assemble(("⠒⠒ ⠒⠒", FORECAST_STYLE), " ", found.words))
        if found.earliest is not None:
            items.append(Text.assemble(("═══", FORECAST_STYLE), " likely range of that date"))
    for level in plot.levels:
        items.append(Text.assemble((level.glyph * 2, level.style), " ", level.words))
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
    """The chart as `height` lines of `width` characters (fewer when there is little to
    show): a top line for the forecast's date or why there is none, the plot with its
    value axis, the time axis and its dates, and the legend."""
    if width < 24 or height < 6:
        return [Text("Too small to draw the chart.", style="dim")]
    if not plot.readings:
        return [Text(plot.empty, style="dim")]
    legend = _legend(plot, width)
    legend = legend[: max(0, height - 7)]
    rows = height - 3 - len(legend)

    # The value axis: from 0 (or the lowest reading) to a little over the highest value.
    values = [v for _t, v in plot.readings] + [level.value for level in plot.levels]
    found = plot.projection
    if found is not None:
        values += [found.start[1], found.end[1]]
    low = min(0.0, *values)
    high = max(values)
    high = high + (high - low) * 0.08 or 1.0
    labels = {number(level.value) for level in plot.levels} | {number(low)}
    gutter = max(len(label) for label in labels) + 1
    across = width - gutter
    if found is not None and found.label:
        across = min(across, width - gutter - 1)  # room for the end marker's arrow

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

    def x_of(moment: dt.datetime) -> int:
        return round((moment - first).total_seconds() / span * (across * 2 - 1))

    def y_of(value: float) -> int:
        return rows * 4 - 1 - round((value - low) / (high - low) * (rows * 4 - 1))

    canvas = _Canvas(width, height)
    top = 1  # the plot's first line; line 0 is for the forecast's date or the note
    plot_canvas = _Canvas(across, rows)
    for level in plot.levels:
        row = y_of(level.value) // 4
        plot_canvas.put(0, row, level.glyph * across, level.style)
        canvas.put(0, top + row, number(level.value).rjust(gutter - 1) + "┤", AXIS_STYLE)
    points = [(x_of(at), y_of(value)) for at, value in plot.readings]
    for a, b in itertools.pairwise(points):
        plot_canvas.line(a, b, READINGS_STYLE)
    if len(points) == 1:
        plot_canvas.dot(*points[0], READINGS_STYLE)
    end_x = None
    if found is not None:
        (t0, v0), (t1, v1) = found.start, found.end
        if cut and t1 > t0:
            share = (until - t0) / (t1 - t0)
            t1, v1 = until, v0 + (v1 - v0) * share
        plot_canvas.line((x_of(t0), y_of(v0)), (x_of(t1), y_of(v1)), FORECAST_STYLE, DASH)
        end_x, end_row = x_of(t1) // 2, y_of(v1) // 4
    for row in range(rows):
        if canvas.chars[top + row][gutter - 1] == " ":
            canvas.put(gutter - 1, top + row, "│", AXIS_STYLE)
    canvas.put(0, top + rows - 1, number(low).rjust(gutter - 1) + "┤", AXIS_STYLE)
    if len(plot.unit) < gutter:
        canvas.put(0, 0, plot.unit, AXIS_STYLE)
    for row in range(rows):
        for x in range(across):
            char, style = plot_canvas.cell(x, row)
            if char != " ":
                canvas.put(gutter + x, top + row, char, style)

    # Where the forecast ends: its date beside it (or why there is none, on the top line).
    if found is not None and end_x is not None:
        if cut:
            words = f"{found.label}, off the chart →"
            canvas.put(max(0, width - len(words)), 0, words, FORECAST_STYLE)
        else:
            mark = gutter + end_x
            canvas.put(mark, top + end_row, "◆", FORECAST_STYLE)
            words = f"{found.label} ↓"
            at = mark - len(words) + 1
            if at < gutter:
                words, at = f"↓ {found.label}", mark
            canvas.put(at, max(0, top + end_row - 1), words, FORECAST_STYLE)
    elif plot.note:
        note = plot.note if len(plot.note) <= width - gutter else plot.note[: width - gutter - 1]
        canvas.put(gutter, 0, note + ("…" if note != plot.note else ""), "italic")

    # The time axis, the likely range of the forecast date on it, and its dates.
    axis = top + rows
    canvas.put(gutter - 1, axis, "└" + "─" * across, AXIS_STYLE)
    if found is not None and found.earliest is not None and found.earliest <= until:
        start = gutter + min(across - 1, x_of(max(found.earliest, first)) // 2)
        end = gutter + across - 1
        if found.latest is not None and found.latest <= until:
            end = gutter + x_of(found.latest) // 2
        canvas.put(start, axis, "═" * (end - start + 1), FORECAST_STYLE)
    dates = [(gutter + x_of(newest) // 2, day(newest), "centre")]
    if plot.readings[0][0] != newest:
        dates.insert(0, (gutter, day(first), "left"))
    if until > newest and not padded:
        dates.append((width - 1, day(until), "right"))
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
    return canvas.lines()[: axis + 2] + legend


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
