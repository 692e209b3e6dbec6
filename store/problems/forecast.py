"""When a metric will reach its capacity: a straight line through its recent readings,
with how sure the line is. Pure Python (no numpy, no database).

    from store.problems.forecast import forecast
    found = forecast(readings, capacity=100.0, warning=90.0)   # readings: (at, value)
    found.full_at, found.full_earliest, found.full_latest       # or None, and found.reason
    found.words("GB")   # 'Full around 14 March 2027 (between 2 March and 30 March 2027); ...'

How the line is found:

- The readings: those in the WINDOW (90 days) up to `now` (default: the newest
  reading), at most the newest MOST_READINGS (10,000) of them.
- A big fall that lasts (a disk wiped, files moved away) starts the fit afresh
  from it: the readings before it say nothing about the rate since. A sharp rise
  is kept, as it is real use. A routine clean-up or a weekly backup rotation is
  not a restart: see `_last_fall` for the rule.
- Glitches (one or two readings in a row far out of line with a robust Theil-Sen
  line through the rest) are left out; three or more in a row are taken as real.
- A least-squares line through what is left gives the rate, R² (how much of the
  change the line explains) and, from the line's 95% confidence band, the earliest
  and latest dates the level can be reached (Fieller's interval for where the
  line's mean crosses the level). The range is how sure the fit is, not a
  guarantee: readings that drift together make it look surer than it is.

No date (and a plain `reason`) for: fewer than FEWEST readings, readings that
span less than a day, a flat or falling series, a fit that explains less than
MIN_R2 of the change, a rise within the readings' scatter, or a date more than
ten years out. A metric whose newest reading is at or over its capacity is
already full: `full_at` is when that run of readings began.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

WINDOW = dt.timedelta(days=90)
"""How far back the fit looks from the newest reading (or `now`)."""
MOST_READINGS = 10_000
"""The most readings the fit uses: the newest ones in the window."""
FEWEST = 5
"""The fewest readings that make a forecast."""
SHORTEST = dt.timedelta(days=1)
"""The shortest span of readings that makes a forecast."""
MIN_R2 = 0.5
"""Below this share of the change explained, the line means nothing."""
HORIZON = dt.timedelta(days=3653)
"""Dates further out than ten years are not given."""
FALL = 0.02
"""A fall restarts the fit only if it is more than this share of the capacity..."""
NOISE = 6
"""...and more than this many times the readings' wobble (a robust standard deviation
of their steps, the trend taken out)..."""
STEPS = 5
"""...and more than this many typical steps between readings."""
GLITCH = 0.01
"""A reading further than this share of the capacity (and well outside the scatter)
from the robust line may be a glitch."""
ROBUST_POINTS = 150
"""The Theil-Sen line runs on at most this many evenly spread readings (11,175 pairs),
which keeps it fast over 10,000 readings."""
SIDE_POINTS = 40
"""The slope on either side of a fall uses at most this many evenly spread readings on
each side (780 pairs), so a series that falls every day stays quick."""
BIGGEST = 1e18
"""Readings beyond this (or not finite) are ignored."""

# Student's t at 97.5% for 1..30 degrees of freedom (two-sided 95%).
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_975(freedom: int) -> float:
    """Student's t quantile at 0.975 (a table to 30, then a Cornish-Fisher expansion)."""
    if freedom <= 0:
        return math.inf
    if freedom <= len(_T975):
        return _T975[freedom - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * freedom) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * freedom**2)


@dataclass(frozen=True)
class Forecast:
    """A metric's forecast: the fitted line (to draw), the dates it reaches the warning
    level and the capacity with their ranges, how good the fit is, or why there is none.

    The line is `start_value + slope_per_day * days since start`, fitted over the
    readings from `start` to `newest_at`; `value_at(moment)` evaluates it."""

    capacity: float
    warning: float | None
    reason: str | None = None
    """Why there is no date for the capacity; None when `full_at` is set."""
    readings: int = 0
    """How many readings the line was fitted to (after leaving out glitches)."""
    glitches: int = 0
    """Readings left out of the fit as far out of line with the rest."""
    restarted_at: dt.datetime | None = None
    """The sharp fall the fit starts from, if there was one."""
    start: dt.datetime | None = None
    """The first reading the line was fitted to (None: no line)."""
    newest_at: dt.datetime | None = None
    newest_value: float | None = None
    start_value: float | None = None
    slope_per_day: float | None = None
    r_squared: float | None = None
    """The share of the change the line explains, 0 to 1."""
    full_at: dt.datetime | None = None
    full_earliest: dt.datetime | None = None
    full_latest: dt.datetime | None = None
    """None with `full_at` set: later than ten years out."""
    warning_at: dt.datetime | None = None
    warning_earliest: dt.datetime | None = None
    warning_latest: dt.datetime | None = None
    already_full: bool = False
    already_warning: bool = False

    def value_at(self, moment: dt.datetime) -> float | None:
        """The fitted line's value at `moment`, or None if there is no line."""
        if self.start is None or self.slope_per_day is None or self.start_value is None:
            return None
        return self.start_value + self.slope_per_day * _days(moment - self.start)

    def line(self, until: dt.datetime | None = None) -> tuple[tuple[dt.datetime, float], ...]:
        """The two ends of the line to draw: from the first fitted reading to `until`
        (default: the date it reaches capacity, else the newest reading)."""
        if self.start is None or self.newest_at is None:
            return ()
        end = until or self.full_at or self.newest_at
        return ((self.start, self.value_at(self.start)), (end, self.value_at(end)))

    def days_to_full(self, now: dt.datetime) -> float | None:
        """Days from `now` to the forecast date (0 or less: already full)."""
        return None if self.full_at is None else _days(self.full_at - now)

    def words(self, unit: str = "") -> str:
        """The forecast in one or two plain sentences."""
        if self.already_full:
            return f"Already full: {_amount(self.newest_value, unit)} since {_date(self.full_at)}."
        if self.full_at is None:
            return f"No forecast: {self.reason}."
        if self.full_latest is None:
            text = f"Full around {_date(self.full_at)}, not before {_date(self.full_earliest)}"
        else:
            between = _between(self.full_earliest, self.full_latest)
            text = f"Full around {_date(self.full_at)} ({between})"
        rate = _amount(self.slope_per_day, unit)
        text += f", rising {rate} a day; the line explains {_percent(self.r_squared)} of the change"
        text += f" over {_span(self.newest_at - self.start)}."
        if self.glitches:
            text += f" {self.glitches} reading{'s' if self.glitches > 1 else ''} far out of "
            text += "line left out."
        if self.warning is not None and self.already_warning:
            text += f" Already over the warning level ({_amount(self.warning, unit)})."
        elif self.warning is not None and self.warning_at is not None:
            text += f" Over the warning level ({_amount(self.warning, unit)}) around "
            text += f"{_date(self.warning_at)}."
        return text


def forecast(
    readings: Iterable[tuple[dt.datetime, float]],
    capacity: float,
    warning: float | None = None,
    *,
    now: dt.datetime | None = None,
) -> Forecast:
    """The forecast for `readings` ((at, value) pairs, any order) against `capacity` and
    the `warning` level. Never raises for odd readings: it gives a reason instead."""
    if not (isinstance(capacity, int | float) and math.isfinite(capacity) and capacity > 0):
        return Forecast(float("nan"), None, reason="the capacity is not a positive number")
    capacity = float(capacity)
    if warning is not None and not (
        isinstance(warning, int | float) and math.isfinite(warning) and 0 <= warning < capacity
    ):
        warning = None
    points = [
        (at, float(value))
        for at, value in readings
        if isinstance(value, int | float)
        and -BIGGEST <= value <= BIGGEST  # and so finite
        and isinstance(at, dt.datetime)
    ]
    points.sort(key=_first)
    if now is None and points:
        now = points[-1][0]
    if now is not None:
        try:
            points = [p for p in points if p[0] >= now - WINDOW][-MOST_READINGS:]
        except OverflowError:  # `now` within 90 days of year 1
            points = points[-MOST_READINGS:]
    empty = Forecast(capacity, warning)
    if not points:
        return _with(empty, reason="there are no readings in the last 90 days")
    newest_at, newest_value = points[-1]
    base = _with(
        empty,
        newest_at=newest_at,
        newest_value=newest_value,
        already_full=newest_value >= capacity,
        already_warning=warning is not None and newest_value >= warning,
    )
    fitted, line = _fit(points, capacity, base)
    return _crossings(fitted, line, points)


def _first(point: tuple[dt.datetime, float]) -> dt.datetime:
    return point[0]


def _with(found: Forecast, **changes) -> Forecast:
    return Forecast(**{**found.__dict__, **changes})


def _days(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 86400


def _moment(origin: dt.datetime, days: float) -> dt.datetime | None:
    """`origin` plus `days`, or None when that is not a date Python can hold."""
    try:
        return origin + dt.timedelta(days=days)
    except (OverflowError, ValueError):
        return None


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _spread(values: list[float]) -> float:
    """A robust standard deviation: 1.4826 times the median absolute deviation."""
    centre = _median(values)
    return 1.4826 * _median([abs(v - centre) for v in values])


def theil_sen(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(slope, intercept) of the Theil-Sen line: the median of the pairwise slopes, over
    at most ROBUST_POINTS evenly spread points; the intercept is the median over all."""
    slopes = _slopes(xs, ys)
    slope = _median(slopes) if slopes else 0.0
    return slope, _median([y - slope * x for x, y in zip(xs, ys, strict=True)])


def _slopes(xs: list[float], ys: list[float], most: int = ROBUST_POINTS) -> list[float]:
    """The slopes between every pair of at most `most` evenly spread points."""
    n = len(xs)
    if n > most:
        step = (n - 1) / (most - 1)
        picked = sorted({round(i * step) for i in range(most)})
        sx, sy = [xs[i] for i in picked], [ys[i] for i in picked]
    else:
        sx, sy = xs, ys
    return [
        (sy[j] - sy[i]) / (sx[j] - sx[i])
        for i in range(len(sx))
        for j in range(i + 1, len(sx))
        if sx[j] != sx[i]
    ]


def _last_fall(xs: list[float], ys: list[float], slope: float, capacity: float) -> int | None:
    """The index of the newest fall big enough to start the fit afresh, if any.

    The trend is taken out first, so a fall is measured against where the line would
    have been: `slope` (a Theil-Sen line through all the readings) to find the
    candidates, then for each a Theil-Sen slope from pairs of readings on the same
    side of it, which the fall itself cannot tilt. A fall at reading i restarts the
    fit only if all of these hold:

    - its step is bigger than `sharp`, the largest of: NOISE times the wobble of the
      steps (1.4826 x their median absolute deviation, a standard deviation that a
      few odd steps do not inflate; with the trend out a step is about 0, and one
      six of these below it is next to impossible by chance), STEPS times the
      typical step between readings (the median of their absolute changes: a
      clean-up that takes back a few readings' worth of growth is routine upkeep,
      not a new trend), and FALL of the capacity;
    - the level after it (the median of up to five readings from i, so one odd
      reading does not decide) is lower than the low end of the levels before it
      (their 10th percentile, so a lone glitch does not decide) by more than `sharp`
      again: a fall back to where the series has been before, as a weekly backup
      rotation does each week, is its rhythm, not a new start.

    A wiped disk or a share moved elsewhere clears all of these by far, and restarts
    the fit even as the newest reading: the old rate must not be used for it."""
    z = [y - slope * x for x, y in zip(xs, ys, strict=True)]
    steps = [z[i] - z[i - 1] for i in range(1, len(z))]
    if not steps:
        return None
    typical = _median([abs(ys[i] - ys[i - 1]) for i in range(1, len(ys))])
    sharp = max(NOISE * _spread(steps), STEPS * typical, FALL * capacity)
    for i in range(len(z) - 1, 0, -1):
        if z[i] - z[i - 1] >= -sharp:
            continue
        either_side = _slopes(xs[:i], ys[:i], SIDE_POINTS) + _slopes(xs[i:], ys[i:], SIDE_POINTS)
        rate = _median(either_side) if either_side else slope
        level = [y - rate * x for x, y in zip(xs, ys, strict=True)]
        if level[i] - level[i - 1] < -sharp and _median(level[i : i + 5]) < _low(level[:i]) - sharp:
            return i
    return None


def _low(values: list[float]) -> float:
    """The 10th percentile of `values` (the nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.1 * len(ordered)) - 1)]


def _glitches(xs: list[float], ys: list[float], capacity: float) -> set[int]:
    """Readings in runs of one or two that lie far off the robust line on the same side."""
    slope, intercept = theil_sen(xs, ys)
    residuals = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
    limit = max(5 * _spread(residuals), GLITCH * capacity)
    side = [0 if abs(r) <= limit else (1 if r > 0 else -1) for r in residuals]
    out: set[int] = set()
    i = 0
    while i < len(side):
        if side[i] == 0:
            i += 1
            continue
        j = i
        while j + 1 < len(side) and side[j + 1] == side[i]:
            j += 1
        if j - i + 1 <= 2:
            out.update(range(i, j + 1))
        i = j + 1
    return out


@dataclass(frozen=True)
class _Line:
    n: int
    mean_x: float
    mean_y: float
    sxx: float
    slope: float
    r_squared: float
    k: float
    """Student's t times the residual standard error: the band's half-width scale."""


def _least_squares(xs: list[float], ys: list[float]) -> _Line:
    n = len(xs)
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx if sxx > 0 else 0.0
    ss_res = math.fsum(
        (y - mean_y - slope * (x - mean_x)) ** 2 for x, y in zip(xs, ys, strict=True)
    )
    r_squared = 1.0 - ss_res / syy if syy > 0 else 0.0
    k = t_975(n - 2) * math.sqrt(ss_res / (n - 2)) if n > 2 else math.inf
    return _Line(n, mean_x, mean_y, sxx, slope, max(0.0, min(1.0, r_squared)), k)


def _span(delta: dt.timedelta) -> str:
    days = _days(delta)
    if days < 2:
        return f"{round(days * 24)} hours"
    return f"{round(days)} days"


def _fit(
    points: list[tuple[dt.datetime, float]], capacity: float, base: Forecast
) -> tuple[Forecast, tuple[_Line, dt.datetime] | None]:
    """The forecast with its line filled in (or the reason there is none), and the line's
    figures with the moment its days count from, when it can give dates."""
    origin = points[0][0]
    xs = [(at - origin).total_seconds() / 86400 for at, _ in points]
    ys = [value for _, value in points]
    enough = _enough(points, "in the last 90 days")
    if enough:
        return _with(base, reason=enough), None
    restarted = None
    fall = _last_fall(xs, ys, theil_sen(xs, ys)[0], capacity)
    if fall is not None:
        restarted = points[fall][0]
        points, xs, ys = points[fall:], xs[fall:], ys[fall:]
        when = f"since they fell sharply on {_date(restarted)}"
        enough = _enough(points, when)
        if enough:
            return _with(base, reason=enough, restarted_at=restarted), None
    out = _glitches(xs, ys, capacity)
    if out:
        kept = [i for i in range(len(xs)) if i not in out]
        points = [points[i] for i in kept]
        xs, ys = [xs[i] for i in kept], [ys[i] for i in kept]
        enough = _enough(points, "that are in line with each other")
        if enough:
            return _with(base, reason=enough, glitches=len(out), restarted_at=restarted), None
    line = _least_squares(xs, ys)
    start = points[0][0]
    fitted = _with(
        base,
        readings=line.n,
        glitches=len(out),
        restarted_at=restarted,
        start=start,
        start_value=line.mean_y + line.slope * (xs[0] - line.mean_x),
        slope_per_day=line.slope,
        r_squared=line.r_squared,
    )
    span = _span(points[-1][0] - start)
    if line.slope == 0 or max(ys) == min(ys):
        return _with(fitted, reason=f"the readings are flat over the last {span}"), None
    if line.slope < 0:
        return _with(fitted, reason=f"the readings are falling over the last {span}"), None
    if line.r_squared < MIN_R2:
        return _with(
            fitted,
            reason=f"the readings are too scattered to forecast: a straight line explains "
            f"only {_percent(line.r_squared)} of their change over the last {span}",
        ), None
    if line.slope <= line.k / math.sqrt(line.sxx):
        return _with(
            fitted,
            reason=f"the readings are not clearly rising over the last {span}: "
            "the rise is within their scatter",
        ), None
    return fitted, (line, origin)


def _enough(points: list[tuple[dt.datetime, float]], where: str) -> str | None:
    if len(points) < FEWEST:
        count = f"{len(points)} reading{'' if len(points) == 1 else 's'}"
        return f"there {'is' if len(points) == 1 else 'are'} only {count} {where}; " + (
            f"a forecast needs at least {FEWEST}"
        )
    span = points[-1][0] - points[0][0]
    if span < SHORTEST:
        return (
            f"the readings {where} span only {_span(span)}; a forecast needs at least a day of them"
        )
    return None


def _cross(line: _Line, level: float) -> tuple[float, float, float | None]:
    """(centre, earliest, latest) in days from the fit's origin where the line's mean
    reaches `level`; latest is None when the band never closes (slope not significant)."""
    gap = line.mean_y - level
    centre = -gap / line.slope
    a = line.slope**2 - line.k**2 / line.sxx
    if a <= 0:
        return line.mean_x + centre, -math.inf, None
    b = 2 * line.slope * gap
    c = gap**2 - line.k**2 / line.n
    root = math.sqrt(max(0.0, b * b - 4 * a * c))
    low, high = sorted(((-b - root) / (2 * a), (-b + root) / (2 * a)))
    return line.mean_x + centre, line.mean_x + min(low, centre), line.mean_x + max(high, centre)


def _crossings(
    found: Forecast,
    fit: tuple[_Line, dt.datetime] | None,
    points: list[tuple[dt.datetime, float]],
) -> Forecast:
    """Fill in the dates the line reaches the warning level and the capacity."""
    changes: dict = {}
    for name, level, already in (
        ("warning", found.warning, found.already_warning),
        ("full", found.capacity, found.already_full),
    ):
        if level is None:
            continue
        if already:
            since = _run_start(points, level)
            changes.update({f"{name}_at": since, f"{name}_earliest": since})
            changes[f"{name}_latest"] = since
            continue
        if fit is None:
            continue
        line, origin = fit
        centre, earliest, latest = _cross(line, level)
        newest = _days(found.newest_at - origin)
        horizon = newest + _days(HORIZON)
        if centre > horizon:
            if name == "full":
                changes["reason"] = "at this rate it would not be full within ten years"
            continue
        at = _moment(origin, max(centre, newest))
        if at is None:
            if name == "full":
                changes["reason"] = "the date it would be full is out of reach"
            continue
        changes[f"{name}_at"] = at
        changes[f"{name}_earliest"] = _moment(origin, max(earliest, newest))
        changes[f"{name}_latest"] = (
            None if latest is None or latest > horizon else _moment(origin, max(latest, newest))
        )
    if found.already_full:
        changes["reason"] = None
    return _with(found, **changes)


def _run_start(points: list[tuple[dt.datetime, float]], level: float) -> dt.datetime:
    """When the newest unbroken run of readings at or over `level` began."""
    since = points[-1][0]
    for at, value in reversed(points):
        if value < level:
            break
        since = at
    return since


# Words


def _date(moment: dt.datetime | None) -> str:
    return "an unknown date" if moment is None else f"{moment.day} {moment:%B %Y}"


def _between(earliest: dt.datetime | None, latest: dt.datetime | None) -> str:
    if earliest is None or latest is None:
        return "no range"
    if earliest.date() == latest.date():
        return f"on {_date(earliest)} or very near it"
    if earliest.year == latest.year:
        return f"between {earliest.day} {earliest:%B} and {_date(latest)}"
    return f"between {_date(earliest)} and {_date(latest)}"


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"


def number(value: float) -> str:
    """A reading as people write it: 12.5, 1,234, 0.004."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.3g}"


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        return f"{number(value)}%"
    return f"{number(value)} {unit}".strip()
