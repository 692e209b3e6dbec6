"""A call's service level clocks, worked out from its journal (docs/service_levels.md).

    clocks.due_times(logged_at, 3)     # at logging: when the response and the fix are due
    clocks.refresh(row)                # after a change of status or priority, in write()
    clocks.measure(row)                # -> Measure: time used, time left, due, paused
    clocks.aim_words(call.due_at)      # "by Tuesday afternoon", for the pupil

The response clock runs from logging to the first thing the caller can see a technician
do. The resolution clock runs while the call is open and not on hold, stops at resolve
and runs again on reopen; time on hold is left out, counted in the same school hours.
Both are counted on the priority's target clock (school hours, or every hour), with
the priority the call has now: a change of priority, service or assignee loses nothing,
as every span is read again from the journal's status changes. The verdicts (time
taken, in target or not) are frozen when a clock stops, so a later edit of the
calendar or of the targets never rewrites what was reported.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from store.db import journal
from store.db.database import cached_sql, db, read
from store.db.models import Incident, Journal
from store.school import calendar
from store.service_levels import hours, targets
from store.service_levels.hours import SchoolClock

RUNNING = ("logged", "assigned", "in_progress")
"""Statuses in which the resolution clock runs; on hold pauses it, resolved stops it."""
AMBER = 0.75
"""The share of a target used at which a call turns amber in the desk."""
_BACK = dt.timedelta(days=30)


class RealClock:
    """Every hour counts: a target on the real clock (a P1 on a server, if agreed)."""

    def seconds(self, start: dt.datetime, end: dt.datetime) -> int:
        return max(0, int((end - start).total_seconds()))

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        return start + dt.timedelta(seconds=max(0, seconds))

    def is_open(self, moment: dt.datetime) -> bool:
        return True


_CACHE: dict[tuple, SchoolClock] = {}


def _generation() -> tuple:
    """What the school clock and the targets depend on, read in one small query: the
    term, holiday and INSET events (how many, their ids and extent), the cover and the
    targets. Equal generations give equal clocks, so a clock read once serves every
    call until one of these changes."""
    row = db.obj.execute_sql(
        "SELECT COUNT(*), MAX(id), SUM(id), MIN(starts_at), MAX(ends_at), "
        "(SELECT value FROM setting WHERE key = %s), (SELECT value FROM setting WHERE key = %s) "
        "FROM calendar_event WHERE kind IN ('term', 'holiday', 'inset')".replace(
            "%s", db.obj.param
        ),
        (hours.COVER_KEY, targets.KEY),
    ).fetchone()
    return (*(str(value) for value in row), time.tzname, time.timezone)


def _clock(generation: tuple, start: dt.datetime, end: dt.datetime) -> SchoolClock:
    today = journal.now()
    for key, clock in list(_CACHE.items()):
        if key[0] != generation:
            del _CACHE[key]
        elif clock.covers(start, end):
            return clock
    first = min(start, today - _BACK)
    clock = SchoolClock(first, max(end, today), hours.current_cover())
    if len(_CACHE) >= 4:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[(generation, first)] = clock
    return clock


def school_clock(start: dt.datetime, end: dt.datetime | None = None) -> SchoolClock:
    """A school clock that can answer for [start, end] and beyond (naive UTC): the one
    read before when the calendar and cover are unchanged and it reaches far enough."""
    with read():
        return _clock(_generation(), start, end or start)


_TARGETS: dict[str | None, dict[str, targets.Target]] = {}


def _targets(generation: tuple) -> dict[str, targets.Target]:
    text = generation[6]  # the targets' setting, read with the calendar's generation
    key = None if text == "None" else text
    if key not in _TARGETS:
        _TARGETS.clear()
        _TARGETS[key] = targets.parse(key)
    return _TARGETS[key]


def timer(target: targets.Target, start: dt.datetime, end: dt.datetime | None = None):
    """The clock a target counts on, able to answer from `start` to `end`."""
    return RealClock() if target.clock == "real" else school_clock(start, end)


def target_of(priority: int) -> targets.Target:
    with read():
        return _targets(_generation())[f"P{priority}"]


def due_times(logged_at: dt.datetime, priority: int) -> tuple[dt.datetime, dt.datetime]:
    """When a call logged at `logged_at` with this priority must be answered and fixed:
    one small query (the calendar and targets unchanged since the last call)."""
    with read():
        generation = _generation()
    target = _targets(generation)[f"P{priority}"]
    clock = RealClock() if target.clock == "real" else _clock(generation, logged_at, logged_at)
    return clock.add(logged_at, target.respond), clock.add(logged_at, target.resolve)


def statuses(incident_id: int) -> list[tuple[dt.datetime, str | None, str]]:
    """The call's changes of status from its journal, oldest first: (at, before, after)."""
    sql = cached_sql(
        "status changes of a call",
        lambda: (
            Journal.select(Journal.at, Journal.before, Journal.after)
            .where(
                (Journal.record == "incident")
                & (Journal.record_id == 0)
                & (Journal.field == "status")
            )
            .order_by(Journal.id)
        ),
    )
    rows = db.obj.execute_sql(sql, ("incident", incident_id, "status")).fetchall()
    return [
        (dt.datetime.fromisoformat(at) if isinstance(at, str) else at, before, after)
        for at, before, after in rows
    ]


def running_spans(
    logged_at: dt.datetime, changes: list, status_now: str, now: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The spans in which the resolution clock ran, from logging to `now`."""
    status = changes[0][1] if changes and changes[0][1] else "logged"
    if not changes:
        status = status_now
    spans, since = [], logged_at
    for at, _before, after in changes:
        if status in RUNNING and at > since:
            spans.append((since, at))
        status, since = after, max(since, at)
    if status in RUNNING and now > since:
        spans.append((since, now))
    return spans


@dataclass(frozen=True)
class Measure:
    """Where a call stands against its targets at `at`."""

    at: dt.datetime
    target: targets.Target
    state: str
    """"running", "on hold" or "stopped" (resolved or closed)."""
    respond_due: dt.datetime
    respond_secs: int | None
    """Time taken to respond, once responded."""
    resolve_secs: int
    """Time the resolution clock has run (the time taken, once stopped)."""
    due: dt.datetime | None
    """When the resolution is due, while the clock runs."""

    @property
    def used(self) -> float:
        """The share of the resolution target used."""
        return self.resolve_secs / self.target.resolve

    @property
    def respond_met(self) -> bool | None:
        if self.respond_secs is None:
            return None
        return self.respond_secs <= self.target.respond

    @property
    def resolve_met(self) -> bool | None:
        return None if self.state != "stopped" else self.resolve_secs <= self.target.resolve


def measure(row: Incident, at: dt.datetime | None = None) -> Measure:
    """The call's clocks at `at` (now), from its journal; call inside read() or write()."""
    now = at or journal.now()
    target = target_of(row.priority)
    clock = timer(target, row.logged_at, now)
    changes = statuses(row.id)
    spans = running_spans(row.logged_at, changes, row.status, now)
    used = sum(clock.seconds(a, b) for a, b in spans)
    respond_secs = (
        clock.seconds(row.logged_at, row.responded_at) if row.responded_at is not None else None
    )
    state = (
        "running" if row.status in RUNNING else "on hold" if row.status == "on_hold" else "stopped"
    )
    due = None
    if state == "running":
        left, due = target.resolve, None
        for a, b in spans:
            run = clock.seconds(a, b)
            if run >= left:
                due = clock.add(a, left)
                break
            left -= run
        if due is None:  # running now, with `left` still to use from now on
            due = clock.add(now, left)
    return Measure(
        now, target, state, clock.add(row.logged_at, target.respond), respond_secs, used, due
    )


def refresh(row: Incident) -> Measure:
    """Work the call's clocks out again after a change of status or priority, and keep
    what they say on the row; inside the write transaction of the change. A verdict
    already frozen (a response timed, a resolution timed) is kept."""
    now = journal.now()
    found = measure(row, now)
    updates: dict = {"respond_due_at": found.respond_due, "due_at": found.due}
    if row.respond_secs is None and found.respond_secs is not None:
        updates.update(respond_secs=found.respond_secs, respond_met=found.respond_met)
    if found.state == "stopped":
        if row.resolve_secs is None:
            updates.update(resolve_secs=found.resolve_secs, resolve_met=found.resolve_met)
    else:
        updates.update(resolve_secs=None, resolve_met=None)
    Incident.update(**updates).where(Incident.id == row.id).execute()
    for name, value in updates.items():
        setattr(row, name, value)
    return found


def left(due: dt.datetime, now: dt.datetime, clock_name: str = "school", *, clock=None) -> int:
    """Time left until `due` on that clock (or on `clock`, one already read): at most -1
    once `due` has passed, even when no cover has passed since (a call due at 16:30,
    seen at 17:00, is late)."""
    if clock is None:
        clock = RealClock() if clock_name == "real" else school_clock(min(now, due), max(now, due))
    if due > now:
        return clock.seconds(now, due)
    return min(-1, -clock.seconds(due, now))


def left_words(seconds: int) -> str:
    """Time left as the desk shows it: 25m, 3h10, 2d (school days), or late by as much."""
    late, seconds = seconds < 0, abs(seconds)
    if seconds < 3600:
        text = f"{seconds // 60}m"
    elif seconds < targets.SCHOOL_DAY:
        text = f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    else:
        text = f"{seconds / targets.SCHOOL_DAY:.1f}d".replace(".0d", "d")
    return f"{text} late" if late else text


def aim_words(due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """When a call is due to be fixed, as a pupil reads it: "by the end of today", "by
    tomorrow morning", "by Tuesday afternoon", "by Monday 4 January"."""
    if due is None:
        return ""
    now = now or journal.now()
    when, today = calendar.to_local(due), calendar.to_local(now).date()
    part = "morning" if when.hour < 12 else "afternoon"
    days = (when.date() - today).days
    if days <= 0:
        return "by the end of today" if part == "afternoon" else "by the end of this morning"
    if days == 1:
        return f"by tomorrow {part}"
    if days < 7:
        return f"by {when:%A} {part}"
    return f"by {when:%A} {when.day} {when:%B}"


def aim_sentence(due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """The fix's target as a pupil reads it at the kiosk: "We aim to fix it by Tuesday
    afternoon."; a gentler sentence once it is late; nothing while the clock is paused."""
    if due is None:
        return ""
    now = now or journal.now()
    if due < now:
        return "It is taking longer than we aimed for. Sorry!"
    return f"We aim to fix it {aim_words(due, now)}."
