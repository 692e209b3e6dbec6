"""Capacity: metrics measured against a capacity, their readings, and when each will be full.

    from store.problems import capacity
    capacity.add_metric("M365 storage", capacity=1024, unit="GB", by="jsmith")  # warning 90%
    capacity.add_sample("M365 storage", 612.5, by="jsmith")      # at: now, or a naive UTC time
    found = capacity.metric("M365 storage")
    found.latest, found.percent_used, found.forecast.full_at, found.words()
    capacity.check_forecasts()        # raise a problem for each metric soon full, once

Readings are refused, each with one sentence, when they are not a number, negative,
not finite, more than MOST, from the future (more than a minute ahead of this
clock, for skew), before 2000, or at the very instant of one already recorded (a
repeated run: nothing is added). Two more refusals can be forced (`force=True`,
`--force` on the command line), for a reading that is right however odd it looks:
more than TOO_FAR_OVER times the capacity (a unit slip: bytes for GB), or a jump
of more than JUMP of the capacity from the reading just before it (just after, if
it is the earliest). A reading earlier than the metric's others is fine.

The forecast (see store.problems.forecast) is worked out whenever a metric is read. After
every reading is recorded (`add_sample`, `record_disk_usage`), that metric's
forecast is checked: if it says full within the metric's `warn_days`, a problem
is raised by "system" with the evidence, unless one raised for this metric
(origin "metric:ID") is still unclosed. So a problem is raised once, not every
day; a closed one lets the next forecast raise another.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import peewee as pw

from store.db import journal
from store.db.database import cached_sql, read, write
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import Metric, Sample
from store.db.sanitise import Field, clean, shown
from store.problems import problems
from store.problems.forecast import MOST_READINGS, WINDOW, Forecast, forecast, number
from store.records.problems import SYSTEM, ProblemInfo
from store.school import people

NAME = Field("the metric's name", 60)
UNIT = Field("the unit", 20, required=False)
MOST = 1e15
"""The largest reading or capacity accepted (a petabyte in bytes)."""
TOO_FAR_OVER = 10
"""A reading over this many times the capacity is refused unless forced."""
JUMP = 0.5
"""A reading more than this share of the capacity away from its neighbour is refused
unless forced."""
SKEW = dt.timedelta(minutes=1)
"""How far ahead of this clock a reading may be (another machine's clock)."""
EARLIEST = dt.datetime(2000, 1, 1)
DEFAULT_WARNING = 0.9
"""The warning level, as a share of the capacity, when none is given."""
MOST_WARN_DAYS = 3650


@dataclass(frozen=True)
class Reading:
    """One reading of a metric (naive UTC)."""

    at: dt.datetime
    value: float


@dataclass(frozen=True)
class MetricInfo:
    """A metric as screens see it: its settings, newest reading, and forecast."""

    id: int
    name: str
    unit: str
    capacity: float
    warning: float | None
    warn_days: int
    source: str
    created_at: dt.datetime
    version: int
    readings: int
    """How many readings it has in all."""
    latest: float | None
    latest_at: dt.datetime | None
    forecast: Forecast
    problem: str | None = None
    """The unclosed problem raised from its forecast (PRB-000007), if any."""

    @property
    def origin(self) -> str:
        """What problems raised from this metric's forecast are marked with."""
        return f"metric:{self.id}"

    @property
    def percent_used(self) -> float | None:
        """The newest reading as a percentage of the capacity."""
        return None if self.latest is None else self.latest / self.capacity * 100

    @property
    def over_warning(self) -> bool:
        return self.latest is not None and self.warning is not None and self.latest >= self.warning

    def amount(self, value: float | None) -> str:
        """A value with this metric's unit: '81.2 GB'."""
        if value is None:
            return "-"
        return f"{number(value)}%" if self.unit == "%" else f"{number(value)} {self.unit}".strip()

    def words(self) -> str:
        """The forecast in plain words."""
        return self.forecast.words(self.unit)


@dataclass(frozen=True)
class Recorded:
    """What adding a reading did: the metric now, and the problem it raised, if any."""

    metric: MetricInfo
    reading: Reading
    raised: ProblemInfo | None = None


# Checking what people give


def clean_name(value: object) -> str:
    """A metric's name: any printable text up to 60 characters (markup is kept as text)."""
    return clean(value, NAME)


def clean_value(value: object, what: str = "A reading") -> float:
    """A reading or capacity as a float: a finite number from 0 to MOST."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadInput(f"{what} must be a number, like 42.5.")
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text:
            raise BadInput(f"{what} is empty: give a number, like 42.5.")
        try:
            value = float(text)
        except ValueError:
            raise BadInput(f"'{shown(text)}' is not a number: write it like 42.5.") from None
        if math.isnan(value) or (math.isinf(value) and text.lstrip("+-").isalpha()):
            raise BadInput(f"'{shown(text)}' is not a number: write it like 42.5.")
    try:
        value = float(value)
    except OverflowError:
        raise BadInput(f"{what} is too big: the most is {MOST:g}.") from None
    if math.isnan(value):
        raise BadInput(f"{what} is not a number: write it like 42.5.")
    if value < 0:
        raise BadInput(f"{what} cannot be negative.")
    if value > MOST:
        raise BadInput(f"{what} is too big: the most is {MOST:g}.")
    return value


def clean_time(at: object, now: dt.datetime) -> dt.datetime:
    """A reading's time as naive UTC: not ahead of `now` by more than SKEW, not before 2000."""
    if not isinstance(at, dt.datetime):
        raise BadInput("A reading's time must be a date and time, like 2026-03-01 09:00.")
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    if at > now + SKEW:
        raise BadInput(
            f"{at:%Y-%m-%d %H:%M} UTC is in the future: a reading can be at most a minute "
            "ahead of this machine's clock."
        )
    if at < EARLIEST:
        raise BadInput(f"{at:%Y-%m-%d} is too long ago for a reading: the earliest is 2000.")
    return at


def _warn_days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput("The warning window is a whole number of days, like 30.")
    if not 1 <= value <= MOST_WARN_DAYS:
        raise BadInput(f"The warning window is from 1 to {MOST_WARN_DAYS} days.")
    return value


def _capacity(value: object) -> float:
    found = clean_value(value, "The capacity")
    if found == 0:
        raise BadInput("The capacity must be more than 0.")
    return found


def _warning(value: object, capacity: float) -> float | None:
    if value is None:
        return None
    found = clean_value(value, "The warning level")
    if not 0 < found < capacity:
        raise BadInput(
            f"The warning level must be above 0 and below the capacity ({number(capacity)})."
        )
    return found


def parse_level(text: str, capacity: float) -> float:
    """A warning level as typed: '90%' of the capacity, or an amount ('450')."""
    cleaned = str(text).strip()
    if cleaned.endswith("%"):
        share = clean_value(cleaned[:-1], "The warning level")
        return capacity * share / 100
    return clean_value(cleaned, "The warning level")


# Reading


def metric_rows() -> list[Metric]:
    return list(Metric.select().order_by(Metric.id))


def find_metric(name: object, rows: list[Metric] | None = None) -> Metric | None:
    """A metric by name in any case (compared in Python: SQLite lowers ASCII only)."""
    wanted = clean_name(name).casefold()
    for row in metric_rows() if rows is None else rows:
        if row.name.casefold() == wanted:
            return row
    return None


def metric_row(name: object) -> Metric:
    found = find_metric(name)
    if found is None:
        raise NotFound(f"There is no metric called '{shown(clean_name(name), 60)}'.")
    return found


def _time(value: object) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def _window_sql():
    return (
        Sample.select(Sample.at, Sample.value)
        .where((Sample.metric == 0) & (Sample.at >= EARLIEST) & (Sample.at <= EARLIEST))
        .order_by(Sample.at.desc(), Sample.id.desc())
        .limit(1)
    )


def _count_sql():
    return Sample.select(pw.fn.COUNT(Sample.id)).where(Sample.metric == 0)


def _run(key: str, build, params: tuple) -> list[tuple]:
    return Sample._meta.database.execute_sql(cached_sql(key, build), params).fetchall()


def _readings(row_id: int, since: dt.datetime, until: dt.datetime, limit: int) -> list[Reading]:
    """Readings between two times, newest `limit` of them, oldest first."""
    found = _run(
        "capacity readings",
        _window_sql,
        (row_id, Sample.at.db_value(since), Sample.at.db_value(until), limit),
    )
    return [Reading(_time(at), float(value)) for at, value in reversed(found)]


def _info(row: Metric, now: dt.datetime) -> MetricInfo:
    recent = _run(
        "capacity readings",
        _window_sql,
        (
            row.id,
            Sample.at.db_value(now - WINDOW),
            Sample.at.db_value(now + SKEW),
            MOST_READINGS,
        ),
    )
    pairs = [(_time(at), float(value)) for at, value in reversed(recent)]
    if pairs:
        latest_at, latest = pairs[-1]
    else:
        newest = _readings(row.id, EARLIEST, now + SKEW, 1)
        latest_at, latest = (newest[0].at, newest[0].value) if newest else (None, None)
    [(count,)] = _run("capacity count", _count_sql, (row.id,))
    open_problem = problems.open_with_origin(f"metric:{row.id}")
    return MetricInfo(
        row.id,
        row.name,
        row.unit,
        row.capacity,
        row.warning,
        row.warn_days,
        row.source,
        row.created_at,
        row.version,
        int(count),
        latest,
        latest_at,
        forecast(pairs, row.capacity, row.warning, now=now),
        open_problem.number if open_problem else None,
    )


def metric(name: str, *, now: dt.datetime | None = None) -> MetricInfo:
    """One metric, its newest reading and its forecast as of `now` (default: now)."""
    now = now or journal.now()
    with read():
        return _info(metric_row(name), now)


def list_metrics(*, now: dt.datetime | None = None) -> list[MetricInfo]:
    """Every metric by name, each with its newest reading and forecast."""
    now = now or journal.now()
    with read():
        rows = sorted(metric_rows(), key=lambda row: row.name.casefold())
        return [_info(row, now) for row in rows]


def samples(
    name: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    *,
    last: int | None = None,
) -> list[Reading]:
    """A metric's readings, oldest first, between `since` and `until` (default: all);
    with `last`, only the newest `last` of them."""
    if last is not None and (isinstance(last, bool) or not isinstance(last, int) or last < 1):
        raise BadInput("Say how many readings as a whole number, like 10.")
    for moment in (since, until):
        if moment is not None and not isinstance(moment, dt.datetime):
            raise BadInput("Give the times as dates and times, like 2026-03-01 09:00.")
    with read():
        row = metric_row(name)
        end = until or dt.datetime(9999, 1, 1)
        return _readings(row.id, since or EARLIEST, end, last or 10**9)


# Changing


def add_metric(
    name: str,
    *,
    capacity: float,
    by: str,
    unit: str = "",
    warning: float | object | None = ...,
    warn_days: int = 30,
    source: str = "",
) -> MetricInfo:
    """Start measuring something against a capacity. Without `warning`, the warning level
    is 90% of the capacity; None: no warning level."""
    name = clean_name(name)
    unit = clean(unit, UNIT)
    capacity = _capacity(capacity)
    warning = capacity * DEFAULT_WARNING if warning is ... else _warning(warning, capacity)
    warn_days = _warn_days(warn_days)
    now = journal.now()
    with write():
        people.active_technician(by)
        if find_metric(name) is not None:
            raise Refused(f"There is already a metric called '{name}'.")
        row = Metric.create(
            name=name,
            unit=unit,
            capacity=capacity,
            warning=warning,
            warn_days=warn_days,
            source=clean(source, Field("the source", 200, required=False)),
            created_at=now,
        )
        journal.record(by, row, "add", after=f"{name}: capacity {number(capacity)} {unit}", at=now)
        return _info(row, now)


def update_metric(
    name: str,
    *,
    by: str,
    seen_version: int | None = None,
    new_name: str | None = None,
    unit: str | None = None,
    capacity: float | None = None,
    warning: float | object | None = ...,
    warn_days: int | None = None,
) -> MetricInfo:
    """Change a metric's name, unit, capacity, warning level (None: none) or window.
    A new capacity without a new warning level keeps the warning at the same share."""
    updates: dict = {}
    if new_name is not None:
        updates["name"] = clean_name(new_name)
    if unit is not None:
        updates["unit"] = clean(unit, UNIT)
    if capacity is not None:
        updates["capacity"] = _capacity(capacity)
    if warn_days is not None:
        updates["warn_days"] = _warn_days(warn_days)
    now = journal.now()
    with write():
        people.active_technician(by)
        rows = metric_rows()
        row = metric_row(name)
        if seen_version is not None and row.version != seen_version:
            raise Refused(f"{row.name} was just changed by someone else: look at it again.")
        if "name" in updates:
            other = find_metric(updates["name"], rows)
            if other is not None and other.id != row.id:
                raise Refused(f"There is already a metric called '{updates['name']}'.")
        size = updates.get("capacity", row.capacity)
        if warning is not ...:
            updates["warning"] = _warning(warning, size)
        elif "capacity" in updates and row.warning is not None:
            updates["warning"] = row.warning * size / row.capacity
        change_metric(row, by, updates, now)
        return _info(row, now)


def change_metric(row: Metric, by: str, updates: dict, now: dt.datetime) -> None:
    updates = {k: v for k, v in updates.items() if getattr(row, k) != v}
    if not updates:
        return
    journal.changes(by, row, "edit", updates, at=now)
    Metric.update(**updates, version=row.version + 1).where(Metric.id == row.id).execute()
    for key, value in {**updates, "version": row.version + 1}.items():
        setattr(row, key, value)


def _neighbour(row: Metric, at: dt.datetime) -> Reading | None:
    """The reading just before `at`, else the one just after."""
    before = (
        Sample.select(Sample.at, Sample.value)
        .where((Sample.metric == row.id) & (Sample.at < at))
        .order_by(Sample.at.desc())
        .first()
    )
    if before is None:
        before = (
            Sample.select(Sample.at, Sample.value)
            .where((Sample.metric == row.id) & (Sample.at > at))
            .order_by(Sample.at)
            .first()
        )
    return None if before is None else Reading(before.at, before.value)


def _label(row: Metric, value: float) -> str:
    return f"{number(value)}%" if row.unit == "%" else f"{number(value)} {row.unit}".strip()


def _refuse_odd(row: Metric, value: float, at: dt.datetime) -> None:
    """Refuse a reading that is wildly out of line, saying how to force it."""
    force = "if it is right, add it again forced (--force)"
    if value > TOO_FAR_OVER * row.capacity:
        raise Refused(
            f"{_label(row, value)} is more than {TOO_FAR_OVER} times the capacity of "
            f"{row.name} ({_label(row, row.capacity)}): {force}."
        )
    near = _neighbour(row, at)
    if near is not None and abs(value - near.value) > JUMP * row.capacity:
        raise Refused(
            f"{_label(row, value)} is a jump of more than half the capacity from "
            f"{_label(row, near.value)} at {near.at:%Y-%m-%d %H:%M} UTC: {force}."
        )


def _refuse_repeat(row: Metric, at: dt.datetime) -> None:
    if Sample.select(Sample.id).where((Sample.metric == row.id) & (Sample.at == at)).exists():
        raise Refused(
            f"{row.name} already has a reading at {at:%Y-%m-%d %H:%M:%S} UTC: nothing was added."
        )


def add_reading(row: Metric, value: float, at: dt.datetime, by: str, action: str) -> None:
    Sample.insert(metric=row.id, at=at, value=value).execute()
    journal.record(by, row, action, field="value", after=f"{number(value)} at {at.isoformat()}")


def add_sample(
    name: str,
    value: float | str,
    *,
    by: str,
    at: dt.datetime | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
) -> Recorded:
    """Record a reading (at `at`, naive UTC or aware; default now), then check the
    metric's forecast and raise a problem if it is full within its warning window."""
    now = now or journal.now()
    value = clean_value(value)
    at = now if at is None else clean_time(at, now)
    with write():
        row = metric_row(name)
        _refuse_repeat(row, at)
        if not force:
            _refuse_odd(row, value, at)
        add_reading(row, value, at, by, "forced reading" if force else "reading")
    raised = check_forecasts([row.name], now=now)
    return Recorded(metric(row.name, now=now), Reading(at, value), raised[0] if raised else None)


# Problems from forecasts


def problem_title(info: MetricInfo) -> str:
    """'Disk /srv will be full around 14 March 2027' (or 'is full')."""
    name = info.name[:1].upper() + info.name[1:]
    if info.forecast.already_full:
        return f"{name} is full"
    when = info.forecast.full_at
    return f"{name} will be full around {when.day} {when:%B %Y}"


def problem_description(info: MetricInfo) -> str:
    """The evidence: the newest reading, the line, its fit and range."""
    found = info.forecast
    lines = [
        f"{info.name}: {info.amount(info.latest)} of {info.amount(info.capacity)} "
        f"({info.percent_used:.0f}%) at {info.latest_at:%Y-%m-%d %H:%M} UTC.",
        found.words(info.unit),
    ]
    if found.start is not None and found.newest_at is not None:
        lines.append(
            f"Fitted to {found.readings} readings from {found.start:%Y-%m-%d} to "
            f"{found.newest_at:%Y-%m-%d}; the warning window is {info.warn_days} days."
        )
    lines.append(f"Raised by FITS Desk from the forecast for metric {info.id}.")
    return "\n".join(lines)


def check_forecasts(
    names: Iterable[str] | None = None, *, now: dt.datetime | None = None
) -> list[ProblemInfo]:
    """Raise a problem for each metric (all, or those named) whose forecast says full
    within its warning window, unless one raised for it is still unclosed. Returns the
    problems raised now."""
    now = now or journal.now()
    found = list_metrics(now=now) if names is None else [metric(n, now=now) for n in names]
    raised: list[ProblemInfo] = []
    for info in found:
        days = info.forecast.days_to_full(now)
        if days is None or days > info.warn_days or info.problem is not None:
            continue
        try:
            raised.append(
                problems.raise_problem(
                    problem_title(info),
                    by=SYSTEM,
                    description=problem_description(info),
                    origin=info.origin,
                    via="metric",
                )
            )
        except Refused:  # raised a moment ago by another process
            continue
    return raised
