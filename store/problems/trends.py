"""Trends: what a problem manager looks for in a year of calls, each with its evidence.

    from store.problems import trends
    for trend in trends.find_trends():
        trend.headline     # 'LAP-0042 has had 4 Laptop or Chromebook calls since 3 Sep'
        trend.incidents    # ('INC-000042', ...): the calls that show it, oldest first
        trend.problem      # 'PRB-000007' when an unclosed problem already covers it
    trends.raise_from_trend(trend, by="jsmith")   # a problem with those calls linked

Three kinds, with the thresholds from the config file's [trends] table
(store.db.config.Config, trends_*):

- spike: `spike_calls` or more calls of one kind from one room within
  `spike_hours` hours, anywhere in the last year, and at least `spike_factor`
  times what that room and kind usually see in such a span (its year's calls
  over SCHOOL_HOURS): probably an outage. Windows
  that share a call are one spike; its headline counts the densest window, its
  evidence is every call in the spike.
- repeat: a device with `repeat_calls` or more calls of one kind in the last
  `repeat_days` days. Its device page (store.configuration.history) flags the same 3
  calls over twelve months, so every repeat found here is flagged there too;
  the trend asks what is recurring now, the page what has ever recurred.
- rising: a kind of fault whose calls, and whose share of all calls, went up
  `rising_weeks` weeks running (weeks are the 7 days to today, the 7 before,
  ...), with at least `rising_min_calls` in the last week and at least
  `rising_growth` times what its usual share (over the `baseline_weeks` before
  the rise) would give for a week that busy. Counting by share keeps the weeks
  after a holiday, when every kind of call goes up together, from looking like
  a rise; the minimum and the growth keep chance (a quiet kind going 2, 3, 5)
  out. A spike's calls are its outage's, not counted again towards a rise.

What counts: every call in the window, open or closed (recurring incidents are
usually fixed one by one), except calls with no kind of fault (a call logged
without one is filed as "other", which counts like any other kind; only rows
with no category at all, as an import may leave, are left out) and calls linked
to a closed problem and to no unclosed one: that cause has been dealt with, and
its calls are not evidence of a new one. A trend whose key is the origin of an
unclosed problem, or whose calls are linked to one, names it in `problem`, so
the desk shows "PRB-000007 covers this" rather than raising it twice.

The database does the counting, over the indexes of migration 0006: window
functions find where a spike starts and which devices have enough calls, and
only the calls that can be evidence come back to Python. A year of 100,000
calls takes about as long as reading them all into Python would, and less at
thresholds suited to that volume; `python -m bench --only trends` measures it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, replace

from store.db import config, journal
from store.db.database import db, is_sqlite, read
from store.db.errors import Refused
from store.db.models import Category, Location
from store.db.numbers import log_number

KINDS = ("spike", "repeat", "rising")
"""The kinds of trend, in the order find_trends lists them."""
YEAR = dt.timedelta(days=365)
SCHOOL_HOURS = 1500
"""Hours a school is open in a year (about 190 days of 8 hours): the usual rate of a
room's calls of one kind is its year's calls over these."""
TITLE_LONGEST = 120
"""A problem's title is at most this long (store.records.problems.TITLE)."""


@dataclass(frozen=True)
class Trend:
    """A pattern in the calls worth a problem, with its evidence."""

    kind: str
    """"spike", "repeat" or "rising"."""
    key: str
    """The same trend has the same key from one look to the next ("repeat:LAP-0042:laptop");
    a problem raised from it has it as its origin."""
    headline: str
    """One line of plain English."""
    incidents: tuple[str, ...]
    """The calls that show it, as log numbers, oldest first."""
    count: int
    """The calls the headline counts (a spike's densest window; a rise's last week)."""
    start: dt.datetime
    """The span the headline is about (naive UTC): a spike's densest window, a repeat's
    first and last call, a rise's first week to now."""
    end: dt.datetime
    category: str
    """The kind of fault, by name."""
    category_label: str
    location: str | None = None
    """A spike's room, by code."""
    location_name: str | None = None
    asset: str | None = None
    """A repeat's device, by tag."""
    weekly: tuple[int, ...] = ()
    """A rise: calls in each week of the rise, oldest first."""
    usual: float | None = None
    """A rise: the calls its usual share would give in the last week."""
    problem: str | None = None
    """The unclosed problem that already covers it (PRB-000007), if one does."""


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC).astimezone()


def _day(moment: dt.datetime) -> str:
    local = _local(moment)
    return f"{local.day} {local:%b}"


def _sql(text: str) -> str:
    return text if is_sqlite() else text.replace("?", "%s")


def _when(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _rows(text: str, params: list) -> list[tuple]:
    return db.obj.execute_sql(_sql(text), params).fetchall()


_STARTS = """
SELECT place, kind, t FROM (
  SELECT location_id AS place, category_id AS kind, logged_at AS t,
         LEAD(logged_at, ?) OVER (PARTITION BY location_id, category_id
                                  ORDER BY logged_at) AS kth
  FROM incident
  WHERE location_id IS NOT NULL AND category_id IS NOT NULL
    AND logged_at >= ? AND logged_at <= ?
) AS s
WHERE kth <= t + ?"""
"""PostgreSQL: where a window of `spike_hours` holding `spike_calls` calls of one kind
from one room starts: the call `spike_calls - 1` later (LEAD) is within the span. One
pass over the index on (location, category, logged_at)."""
_TIMES = """
SELECT location_id, category_id, group_concat(logged_at) FROM incident
WHERE location_id IS NOT NULL AND category_id IS NOT NULL
  AND logged_at >= ? AND logged_at <= ?
GROUP BY location_id, category_id HAVING COUNT(*) >= ?"""
"""SQLite: the times of each room's calls of each kind, for the rooms and kinds with
enough calls, in one pass over the same index; Python finds where windows start. (SQLite
runs the PostgreSQL statement's window function three to four times slower than this.)"""

_IN_SPANS = {
    "sqlite": """
WITH r (place, kind, lo, hi) AS (VALUES {values})
SELECT i.id, i.location_id, i.category_id, i.logged_at
FROM r JOIN incident i ON i.location_id = r.place AND i.category_id = r.kind
  AND i.logged_at >= r.lo AND i.logged_at <= r.hi""",
    "postgres": """
SELECT i.id, i.location_id, i.category_id, i.logged_at
FROM unnest(?::int[], ?::int[], ?::timestamp[], ?::timestamp[]) AS r (place, kind, lo, hi)
CROSS JOIN LATERAL (
  SELECT id, location_id, category_id, logged_at FROM incident
  WHERE location_id = r.place AND category_id = r.kind
    AND logged_at >= r.lo AND logged_at <= r.hi
  OFFSET 0) AS i""",
}
"""The calls in each span that a spike's windows cover, by the same index. PostgreSQL is
given the spans as arrays and, by LATERAL ... OFFSET 0, one index range per span: left to
itself it hash-joins every call of a room and kind against every span."""
SPANS_AT_ONCE = 500

_YEARLY = """
SELECT location_id, category_id, COUNT(*) FROM incident
WHERE location_id IS NOT NULL AND category_id IS NOT NULL
  AND logged_at >= ? AND logged_at <= ?
GROUP BY location_id, category_id"""

_REPEATS = """
SELECT q.id, a.tag, q.kind, q.t FROM (
  SELECT id, asset_id, category_id AS kind, logged_at AS t,
         COUNT(*) OVER (PARTITION BY asset_id, category_id) AS n
  FROM incident
  WHERE asset_id IS NOT NULL AND category_id IS NOT NULL
    AND logged_at >= ? AND logged_at <= ?
) q JOIN asset a ON a.id = q.asset_id
WHERE q.n >= ?
ORDER BY a.tag, q.kind, q.t, q.id"""

_DAILY = """
SELECT category_id, DATE(logged_at), COUNT(*) FROM incident
WHERE logged_at >= ? AND logged_at <= ?
GROUP BY category_id, DATE(logged_at)"""

_OF_KIND = """
SELECT id, logged_at FROM incident
WHERE category_id = ? AND logged_at >= ? AND logged_at <= ?
ORDER BY logged_at, id"""

_EXPLAINED = """
SELECT i.id, i.category_id, i.logged_at
FROM problem_incident l
JOIN problem p ON p.id = l.problem_id
JOIN incident i ON i.id = l.incident_id
WHERE p.status = 'closed' AND i.logged_at >= ? AND i.logged_at <= ?
  AND NOT EXISTS (
    SELECT 1 FROM problem_incident o JOIN problem op ON op.id = o.problem_id
    WHERE o.incident_id = i.id AND op.status <> 'closed')"""

_COVERED = """
SELECT l.incident_id, p.id FROM problem_incident l JOIN problem p ON p.id = l.problem_id
WHERE p.status <> 'closed'"""

_ORIGINS = """
SELECT origin, id FROM problem WHERE status <> 'closed' AND origin IS NOT NULL"""


@dataclass(frozen=True)
class _Names:
    kinds: dict[int, tuple[str, str]]
    places: dict[int, tuple[str, str]]


def _names() -> _Names:
    kinds = {
        row[0]: (row[1], row[2])
        for row in Category.select(Category.id, Category.name, Category.label).tuples()
    }
    places = {
        row[0]: (row[1], row[2])
        for row in Location.select(Location.id, Location.code, Location.name).tuples()
    }
    return _Names(kinds, places)


def find_trends(
    *, now: dt.datetime | None = None, settings: config.Config | None = None
) -> list[Trend]:
    """Spikes (newest first), then repeat faults (most calls first), then rising kinds
    of fault (steepest first), in the year to `now`, by the thresholds in `settings`
    (the config file's, unless given)."""
    now = now or journal.now()
    settings = settings or config.current()
    since = now - YEAR
    with read():
        names = _names()
        explained = _rows(_EXPLAINED, [since, now])
        skip = {row[0] for row in explained}
        spikes, outages = _spikes(settings, since, now, names, skip)
        found = [
            *spikes,
            *_repeats(settings, now, names, skip),
            *_rising(settings, now, names, {row[0]: row[1:] for row in explained + outages}),
        ]
        covering = defaultdict(list)
        for incident, problem in _rows(_COVERED, []):
            covering[log_number(incident)].append(problem)
        origins = dict(_rows(_ORIGINS, []))
    return [_covered(trend, covering, origins) for trend in found]


def _covered(trend: Trend, covering: dict, origins: dict) -> Trend:
    """The trend with the unclosed problem that covers it: the one raised from it, else
    the one most of its calls are linked to (the oldest on a tie)."""
    chosen = origins.get(trend.key)
    if chosen is None:
        votes: dict[int, int] = defaultdict(int)
        for number in trend.incidents:
            for problem in covering.get(number, ()):
                votes[problem] += 1
        if votes:
            chosen = min(votes, key=lambda problem: (-votes[problem], problem))
    if chosen is None:
        return trend
    return replace(trend, problem=log_number(chosen, "PRB"))


def _spikes(settings, since, now, names: _Names, skip: set[int]) -> tuple[list[Trend], list]:
    """The spikes, newest first, and (id, kind, logged_at) of every call in them."""
    size, hours = settings.trends_spike_calls, settings.trends_spike_hours
    span = dt.timedelta(hours=hours)
    dialect = "sqlite" if is_sqlite() else "postgres"
    starts = (
        _starts(size, span, since, now)
        if dialect == "sqlite"
        else (_rows(_STARTS, [size - 1, since, now, span]))
    )
    spans: dict[tuple[int, int], list[list[dt.datetime]]] = defaultdict(list)
    for place, kind, moment in sorted(starts):  # times already, on either database
        merged = spans[place, kind]
        reach_to = min(moment + span, now)  # no later calls when `now` is in the past
        if merged and moment <= merged[-1][1]:
            merged[-1][1] = reach_to
        else:
            merged.append([moment, reach_to])
    flat = [(place, kind, lo, hi) for (place, kind), pairs in spans.items() for lo, hi in pairs]
    groups: dict[tuple[int, int], list[tuple[dt.datetime, int]]] = defaultdict(list)
    for iid, place, kind, moment in _in_spans(flat, dialect):
        if iid not in skip:
            groups[place, kind].append((_when(moment), iid))
    yearly = {(place, kind): n for place, kind, n in _rows(_YEARLY, [since, now])} if groups else {}
    found, outages = [], []
    for (place, kind), calls in groups.items():
        usual = yearly.get((place, kind), 0) * hours / SCHOOL_HOURS
        needed = max(size, math.ceil(settings.trends_spike_factor * usual))
        for first, last, best, best_end in _episodes(calls, needed, span):
            outages += [(iid, kind, moment) for moment, iid in calls[first : last + 1]]
            code, room = names.places[place]
            name, label = names.kinds[kind]
            count = best_end - best + 1
            total = last - first + 1
            started = calls[best][0]
            whole = f" ({total} in all)" if total > count else ""
            unit = "an hour" if hours == 1 else f"{hours} hours"
            found.append(
                Trend(
                    kind="spike",
                    key=f"spike:{code}:{name}:{calls[first][0]:%Y-%m-%dT%H:%M}",
                    headline=(
                        f"{count} {label} calls in {room} within {unit} on {_day(started)} "
                        f"from {_local(started):%H:%M}{whole}: probably an outage"
                    ),
                    incidents=tuple(log_number(iid) for _t, iid in calls[first : last + 1]),
                    count=count,
                    start=started,
                    end=calls[best_end][0],
                    category=name,
                    category_label=label,
                    location=code,
                    location_name=room,
                )
            )
    found.sort(key=lambda trend: (trend.start, trend.key), reverse=True)
    return found, outages


def _starts(size: int, span: dt.timedelta, since, now) -> list[tuple]:
    """(place, kind, time) where a full window starts, on SQLite."""
    found = []
    for place, kind, joined in _rows(_TIMES, [since, now, size]):
        times = joined.split(",")
        times.sort()  # stored as ISO text: in time order
        moments = list(map(dt.datetime.fromisoformat, times))
        found += [
            (place, kind, moment)
            for moment, kth in zip(moments, moments[size - 1 :], strict=False)
            if kth - moment <= span
        ]
    return found


def _in_spans(flat: list[tuple], dialect: str):
    if dialect == "postgres":
        if flat:
            columns = [list(column) for column in zip(*flat, strict=True)]
            yield from _rows(_IN_SPANS[dialect], columns)
        return
    for chunk in range(0, len(flat), SPANS_AT_ONCE):
        batch = flat[chunk : chunk + SPANS_AT_ONCE]
        values = ", ".join(["(?, ?, ?, ?)"] * len(batch))
        params = [value for row in batch for value in row]
        yield from _rows(_IN_SPANS[dialect].format(values=values), params)


def _episodes(calls: list[tuple[dt.datetime, int]], size: int, span: dt.timedelta):
    """(first, last, best, best_end) indexes into `calls` for each run of windows of `span`
    that hold `size` or more calls and share calls: the run, and its densest window (the
    earliest on a tie). Sorts `calls` by time."""
    calls.sort()
    episodes: list[list[int]] = []
    end = 0
    for start in range(len(calls)):
        end = max(end, start)
        while end + 1 < len(calls) and calls[end + 1][0] - calls[start][0] <= span:
            end += 1
        if end - start + 1 < size:
            continue
        if episodes and start <= episodes[-1][1]:
            episode = episodes[-1]
            episode[1] = end
            if end - start > episode[3] - episode[2]:
                episode[2:] = [start, end]
        else:
            episodes.append([start, end, start, end])
    return [tuple(episode) for episode in episodes]


def _repeats(settings, now, names: _Names, skip: set[int]) -> list[Trend]:
    size, days = settings.trends_repeat_calls, settings.trends_repeat_days
    rows = _rows(_REPEATS, [now - dt.timedelta(days=days), now, size])
    groups: dict[tuple[str, int], list[tuple[dt.datetime, int]]] = defaultdict(list)
    for iid, tag, kind, moment in rows:
        if iid not in skip:
            groups[tag, kind].append((_when(moment), iid))
    found = []
    for (tag, kind), calls in groups.items():
        if len(calls) < size:
            continue
        calls.sort()
        name, label = names.kinds[kind]
        found.append(
            Trend(
                kind="repeat",
                key=f"repeat:{tag}:{name}",
                headline=(f"{tag} has had {len(calls)} {label} calls since {_day(calls[0][0])}"),
                incidents=tuple(log_number(iid) for _t, iid in calls),
                count=len(calls),
                start=calls[0][0],
                end=calls[-1][0],
                category=name,
                category_label=label,
                asset=tag,
            )
        )
    found.sort(key=lambda trend: (-trend.count, -trend.end.timestamp(), trend.key))
    return found


def _rising(settings, now, names: _Names, aside: dict[int, tuple]) -> list[Trend]:
    """Kinds of fault rising week on week, steepest first, leaving `aside` the calls
    already explained or in a spike ({id: (kind, logged_at)})."""
    run, base = settings.trends_rising_weeks, settings.trends_baseline_weeks
    today = now.date()
    weeks = run + base
    opens = dt.datetime.combine(today - dt.timedelta(days=7 * weeks - 1), dt.time())
    counts: dict[int | None, list[int]] = defaultdict(lambda: [0] * weeks)
    totals = [0] * weeks

    def week_of(day) -> int:
        if not isinstance(day, dt.date):
            day = dt.date.fromisoformat(day)
        return (today - day).days // 7

    for kind, day, count in _rows(_DAILY, [opens, now]):
        week = week_of(day)
        counts[kind][week] += count
        totals[week] += count
    for kind, moment in aside.values():
        moment = _when(moment)
        if moment >= opens:
            week = week_of(moment.date())
            counts[kind][week] -= 1
            totals[week] -= 1
    base_total = sum(totals[run:])
    if base_total <= 0:
        return []  # nothing to say what is usual
    found = []
    for kind, by_week in counts.items():
        if kind is None:
            continue
        rise = by_week[run - 1 :: -1]  # oldest first
        last = rise[-1]
        if last < settings.trends_rising_min_calls:
            continue
        shares = [
            count / total if total else 0.0
            for count, total in zip(rise, totals[run - 1 :: -1], strict=True)
        ]
        if any(earlier >= later for earlier, later in itertools.pairwise(rise)) or any(
            earlier >= later for earlier, later in itertools.pairwise(shares)
        ):
            continue  # its calls and its share of all calls must both go up each week
        usual = totals[0] * sum(by_week[run:]) / base_total
        if last < settings.trends_rising_growth * usual:
            continue
        name, label = names.kinds[kind]
        started = dt.datetime.combine(today - dt.timedelta(days=7 * run - 1), dt.time())
        calls = [
            (iid, moment)
            for iid, moment in _rows(_OF_KIND, [kind, started, now])
            if iid not in aside
        ]
        found.append(
            Trend(
                kind="rising",
                key=f"rising:{name}",
                headline=(
                    f"{label} calls rising {run} weeks running: "
                    f"{', '.join(str(n) for n in rise)} (about {usual:.0f} a week is usual)"
                ),
                incidents=tuple(log_number(iid) for iid, _m in calls),
                count=last,
                start=started,
                end=now,
                category=name,
                category_label=label,
                weekly=tuple(rise),
                usual=usual,
            )
        )
    found.sort(key=lambda trend: (-trend.count / max(trend.usual, 0.5), trend.key))
    return found


def raise_from_trend(trend: Trend, *, by: str):
    """Raise a problem from a trend, its calls linked and its key as the problem's origin
    (refused while a problem raised from it is unclosed). Returns the ProblemInfo."""
    from store.problems import problems  # problems reads calls; trends only reads

    if trend.problem:
        raise Refused(f"{trend.problem} already covers this: link the new calls there.")
    what = {"spike": "a spike", "repeat": "a repeat fault", "rising": "a rising kind of fault"}
    description = f"Found by the desk's trends as {what[trend.kind]}: {trend.headline}."
    title = trend.headline
    if len(title) > TITLE_LONGEST:
        title = title[: TITLE_LONGEST - 1].rstrip() + "…"
    return problems.raise_problem(
        title,
        by=by,
        description=description,
        incidents=trend.incidents,
        assets=(trend.asset,) if trend.asset else (),
        locations=(trend.location,) if trend.location else (),
        categories=(trend.category,),
        origin=trend.key,
        via="trend",
    )
