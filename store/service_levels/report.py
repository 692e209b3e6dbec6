"""The service report (FITS): how IT support did over a term, in four sections and the
availability of each service, for the head and the governors.

    from store.service_levels import report
    period = report.term_period("Autumn term")          # or report.dates_period(first, last)
    found = report.build(period)                         # a dict: period, reactive, ...
    found["reactive"]["resolution"]["percent"]          # 93.4

Every figure is counted in the database (one pass over the period's calls, one over
the calls resolved in it), so a term of a million-call school takes seconds. The
report reads the tables of the areas it counts (calls, problems, changes: see
docs/architecture.md) rather than calling up into them.

What each figure means (docs/service_levels.md):
- Response and resolution in target count finished clocks only: calls logged in the
  period that have been answered, and calls resolved in it. The verdicts are those
  frozen when each clock stopped (store.service_levels.clocks).
- Times to resolve are school hours, less time on hold.
- The backlog at a moment is the calls logged before it and not resolved by then.
- Resolved at first contact: resolved within 15 minutes of school time of being
  logged and never reopened (the caller was still there or on the line).
- Found by technicians: calls a technician logged at the desk ("desk" channel), as
  against calls from users by kiosk, phone, visit or email.
- Availability: (agreed time - unplanned downtime in it) / agreed time x 100, agreed
  time being school hours (or every hour, for a service covered always). Planned
  work under changes is reported on its own line, never as an outage.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

import peewee as pw

from store.db import database, journal
from store.db.database import db, read
from store.db.errors import BadInput, NotFound
from store.db.models import (
    CalendarEvent,
    Category,
    Change,
    ChangeAsset,
    Incident,
    Journal,
    Outage,
    Problem,
    ProblemIncident,
    Service,
    ServiceAsset,
)
from store.db.sanitise import shown
from store.problems import capacity
from store.school import calendar
from store.service_levels import clocks

FIRST_CONTACT = 15 * 60
"""A call resolved within this much school time of being logged, never reopened, was
resolved at first contact."""
USERS = ("kiosk", "phone", "visit", "email")
"""Channels by which users report faults; "desk" is a technician logging what they found."""
HOUR = 3600


@dataclass(frozen=True)
class Period:
    """The span a report covers: [start, end) naive UTC, `end` no later than now."""

    name: str
    start: dt.datetime
    end: dt.datetime
    until: dt.datetime
    """Where the period ends when it is over (a term's last day); `end` is now if sooner."""

    @property
    def so_far(self) -> bool:
        return self.end < self.until

    def to_json(self) -> dict:
        last = calendar.to_local(self.until - dt.timedelta(seconds=1)).date()
        return {
            "name": self.name,
            "from": calendar.to_local(self.start).date().isoformat(),
            "to": last.isoformat(),
            "so_far": self.so_far,
        }


def _terms() -> list[CalendarEvent]:
    with read():
        return list(
            CalendarEvent.select()
            .where(CalendarEvent.kind == "term")
            .order_by(CalendarEvent.starts_at)
        )


def _period(row: CalendarEvent, now: dt.datetime) -> Period:
    return Period(row.title, row.starts_at, min(row.ends_at, now), row.ends_at)


def term_period(name: str | None = None, *, now: dt.datetime | None = None) -> Period:
    """The term of that name (any case; the latest that has begun, if the calendar has
    several years), or with no name the term now, else the last one; up to now."""
    now = now or journal.now()
    begun = [row for row in _terms() if row.starts_at <= now]
    if not begun:
        raise NotFound(
            "The calendar has no term that has begun: import the term dates (fitsdesk "
            "calendar import FILE) or give --from and --to."
        )
    if name is None or not str(name).strip():
        current = [row for row in begun if row.ends_at > now]
        return _period(current[-1] if current else begun[-1], now)
    wanted = str(name).strip().casefold()
    found = [row for row in begun if row.title.casefold() == wanted]
    if not found:
        known = ", ".join(dict.fromkeys(row.title for row in begun))
        raise NotFound(f"There is no term called '{shown(str(name), 60)}'. Terms: {known}.")
    return _period(found[-1], now)


def dates_period(
    first: dt.date, last: dt.date, *, now: dt.datetime | None = None, name: str = ""
) -> Period:
    """The local days from `first` to `last`, both included."""
    now = now or journal.now()
    if last < first:
        raise BadInput("The report's last day is before its first.")
    if (last - first).days > 800:
        raise BadInput("A report covers at most two years.")
    start = calendar.day_span(first)[0]
    until = calendar.day_span(last)[1]
    if start >= now:
        raise BadInput("The report's first day has not come yet.")
    words = name or f"{first:%d %b %Y} to {last:%d %b %Y}"
    return Period(words, start, min(until, now), until)


def previous(period: Period) -> Period:
    """The period before, to compare with: the term before a term, else as long again."""
    terms = _terms()
    for n, row in enumerate(terms):
        if (row.starts_at, row.ends_at) == (period.start, period.until) and n > 0:
            before = terms[n - 1]
            return Period(before.title, before.starts_at, before.ends_at, before.ends_at)
    length = period.end - period.start
    return Period("the period before", period.start - length, period.start, period.start)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _run(sql: str, period: Period) -> list[tuple]:
    """A report query over [start, end), on the index named in it: SQLite is told to use
    it (its planner prefers a smaller index that is not covering and reads the table
    row by row, some ten times slower); PostgreSQL finds it alone."""
    if database.is_sqlite():
        sql = sql.replace("FROM incident", "FROM incident INDEXED BY {index}")
    else:
        sql = sql.replace("%", "%%")
    index = "incident_logged_report" if "logged_at >=" in sql else "incident_resolved_report"
    sql = sql.format(index=index).replace("?", db.obj.param)
    span = (period.start, period.end)
    if database.is_sqlite():  # as the store's SQLite adapter writes a datetime
        span = tuple(moment.isoformat(" ") for moment in span)
    with read():
        return db.obj.execute_sql(sql, span).fetchall()


SCAN = (
    "SELECT category_id, priority, channel, COUNT(*), COUNT(respond_met),"
    " SUM(CASE WHEN respond_met THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END)"
    " FROM incident WHERE logged_at >= ? AND logged_at < ?"
    " GROUP BY category_id, priority, channel"
)
RESOLVED = (
    "SELECT priority, resolve_secs / 60, COUNT(*), SUM(CASE WHEN resolve_met THEN 1 ELSE 0 END),"
    " SUM(resolve_secs),"
    f" SUM(CASE WHEN resolve_secs <= {FIRST_CONTACT} AND reopen_count = 0 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN closed_how = 'confirmed' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN closed_how = 'unanswered' THEN 1 ELSE 0 END)"
    " FROM incident WHERE resolved_at >= ? AND resolved_at < ? AND resolve_met IS NOT NULL"
    " GROUP BY priority, resolve_secs / 60"
)
"""The calls resolved in a period by priority and by the minute they took: one pass, and
the median from a few thousand rows rather than every call."""


def _median_minutes(counts: list[tuple[int, int]]) -> float | None:
    """The median of whole minutes given as (minute, how many), each minute's middle."""
    total = sum(n for _m, n in counts)
    if not total:
        return None
    seen = 0
    for minute, n in sorted(counts):
        seen += n
        if seen * 2 >= total:
            return minute + 0.5
    return None


def _scan(period: Period) -> dict:
    """Counts over the calls logged in the period, in one grouped query."""
    categories: dict = {}
    priorities: dict = {}
    channels: dict = {}
    response: dict = {}
    total = reopened = 0
    with read():
        names = {row.id: (row.name, row.label) for row in Category.select()}
    for category, priority, channel, count, timed, met, again in _run(SCAN, period):
        total += count
        reopened += int(again or 0)
        categories[category] = categories.get(category, 0) + count
        priorities[priority] = priorities.get(priority, 0) + count
        channels[channel] = channels.get(channel, 0) + count
        was = response.get(priority, (0, 0))
        response[priority] = (was[0] + int(met or 0), was[1] + int(timed or 0))
    return {
        "calls": total,
        "reopened": reopened,
        "by_category": sorted(
            (
                {
                    "name": names.get(key, ("none", "No category"))[0],
                    "label": names.get(key, ("none", "No category"))[1],
                    "count": count,
                }
                for key, count in categories.items()
            ),
            key=lambda c: (-c["count"], c["name"]),
        ),
        "by_priority": [{"priority": f"P{p}", "count": priorities[p]} for p in sorted(priorities)],
        "by_channel": sorted(
            ({"channel": k, "count": v} for k, v in channels.items()), key=lambda c: -c["count"]
        ),
        "response": _in_target(response),
        "found_by_technicians": channels.get("desk", 0),
        "reported_by_users": sum(channels.get(c, 0) for c in USERS),
    }


def _in_target(by_priority: dict) -> dict:
    met = sum(m for m, _t in by_priority.values())
    timed = sum(t for _m, t in by_priority.values())
    return {
        "in_target": met,
        "timed": timed,
        "percent": _percent(met, timed),
        "by_priority": [
            {"priority": f"P{p}", "in_target": m, "timed": t, "percent": _percent(m, t)}
            for p, (m, t) in sorted(by_priority.items())
            if t
        ],
    }


def _resolved(period: Period) -> dict:
    """Figures over the calls resolved in the period: in target, times, first contact,
    and what their callers said."""
    by_priority: dict = {}
    minutes: dict = {}
    first = confirmed = unanswered = resolved = seconds = 0
    for priority, minute, count, met, taken, quick, yes, silent in _run(RESOLVED, period):
        was = by_priority.get(priority, (0, 0))
        by_priority[priority] = (was[0] + int(met or 0), was[1] + count)
        minutes[int(minute)] = minutes.get(int(minute), 0) + count
        resolved += count
        seconds += int(taken or 0)
        first += int(quick or 0)
        confirmed += int(yes or 0)
        unanswered += int(silent or 0)
    median = _median_minutes(list(minutes.items()))
    return {
        "resolution": _in_target(by_priority),
        "time_to_resolve": {
            "resolved": resolved,
            "median_hours": round(median / 60, 1) if median is not None else None,
            "mean_hours": round(seconds / resolved / HOUR, 1) if resolved else None,
        },
        "first_contact": first,
        "first_contact_percent": _percent(first, resolved),
        "confirmations": {
            "confirmed": confirmed,
            "closed_unanswered": unanswered,
            "waiting": resolved - confirmed - unanswered,
        },
    }


def backlog(moment: dt.datetime) -> int:
    """Calls logged before `moment` and not resolved by then (two index counts: every
    call resolved before a moment was logged before it)."""
    with read():
        logged = Incident.select().where(Incident.logged_at < moment).count()
        resolved = Incident.select().where(Incident.resolved_at < moment).count()
    return logged - resolved


def reactive(period: Period, before: Period | None = None) -> dict:
    """The service desk and incident figures."""
    scan, done = _scan(period), _resolved(period)
    found = {
        "calls": scan["calls"],
        "by_category": scan["by_category"],
        "by_priority": scan["by_priority"],
        "by_channel": scan["by_channel"],
        "response": scan["response"],
        **done,
        "backlog": {"start": backlog(period.start), "end": backlog(period.end)},
        "reopened": scan["reopened"],
        "found_by_technicians": scan["found_by_technicians"],
        "reported_by_users": scan["reported_by_users"],
    }
    if before is not None:
        earlier, earlier_done = _scan(before), _resolved(before)
        found["previous"] = {
            "calls": earlier["calls"],
            "response_percent": earlier["response"]["percent"],
            "resolution_percent": earlier_done["resolution"]["percent"],
            "median_hours": earlier_done["time_to_resolve"]["median_hours"],
        }
    return found


def _between(column, period: Period):
    return (column >= period.start) & (column < period.end)


def proactive(period: Period, found: dict) -> dict:
    """Problem management and capacity: the work that prevents calls."""
    with read():
        opened = Problem.select().where(_between(Problem.created_at, period)).count()
        resolved = Problem.select().where(_between(Problem.resolved_at, period)).count()
        known = (
            Journal.select(pw.fn.COUNT(pw.fn.DISTINCT(Journal.record_id)))
            .where(
                (Journal.record == "problem")
                & (Journal.field == "status")
                & (Journal.after == "known_error")
                & _between(Journal.at, period)
            )
            .scalar()
        )
        repeats = (
            ProblemIncident.select(pw.fn.COUNT(pw.fn.DISTINCT(ProblemIncident.incident)))
            .join(Incident, on=ProblemIncident.incident == Incident.id)
            .where(_between(Incident.logged_at, period))
            .scalar()
        )
    needs = []
    for metric in capacity.list_metrics(now=period.end):
        full_at = metric.forecast.full_at
        soon = full_at is not None and full_at <= period.end + dt.timedelta(days=metric.warn_days)
        over = metric.warning is not None and (metric.latest or 0) >= metric.warning
        if soon or over:
            needs.append(
                {
                    "metric": metric.name,
                    "latest": metric.latest,
                    "capacity": metric.capacity,
                    "unit": metric.unit,
                    "full_at": full_at.date().isoformat() if full_at else None,
                }
            )
    users, techs = found["reported_by_users"], found["found_by_technicians"]
    return {
        "problems_opened": opened,
        "problems_resolved": resolved,
        "known_errors_published": known or 0,
        "repeat_incidents": repeats or 0,
        "found_by_technicians": techs,
        "reported_by_users": users,
        "found_by_technicians_percent": _percent(techs, techs + users),
        "capacity_needing_action": needs,
    }


def changes(period: Period) -> dict:
    """Changes implemented in the period: by kind, outcomes, emergencies."""
    kinds: dict = {}
    outcomes = {"succeeded": 0, "failed": 0, "backed_out": 0, "not_reviewed": 0}
    with read():
        rows = (
            Change.select(Change.kind, Change.outcome, Change.status)
            .where(_between(Change.implemented_at, period) | (
                (Change.status == "backed_out") & _between(Change.updated_at, period)
            ))
            .tuples()
        )  # fmt: skip
        for kind, outcome, status in rows:
            kinds[kind] = kinds.get(kind, 0) + 1
            if status == "backed_out" and outcome is None:
                outcome = "backed_out"
            outcomes[outcome if outcome in outcomes else "not_reviewed"] += 1
    total = sum(kinds.values())
    reviewed = total - outcomes["not_reviewed"]
    return {
        "total": total,
        "by_kind": {k: kinds.get(k, 0) for k in ("standard", "normal", "emergency")},
        "emergency": kinds.get("emergency", 0),
        "outcomes": outcomes,
        "succeeded_percent": _percent(outcomes["succeeded"], reviewed),
    }


def _overlap(clock, cover: str, start, end, period: Period) -> int:
    a, b = max(start, period.start), min(end or period.end, period.end)
    if b <= a:
        return 0
    return clocks.RealClock().seconds(a, b) if cover == "always" else clock.seconds(a, b)


def availability(period: Period) -> list[dict]:
    """Each service in the catalogue against its availability target."""
    clock = clocks.school_clock(period.start, period.end)
    found = []
    with read():
        services = list(Service.select().where(~Service.retired).order_by(Service.name))
        outages = list(
            Outage.select().where(
                (Outage.starts_at < period.end)
                & (Outage.ends_at.is_null() | (Outage.ends_at > period.start))
            )
        )
        planned = list(
            Change.select(Change.window_start, Change.window_end, ServiceAsset.service)
            .join(ChangeAsset, on=ChangeAsset.change == Change.id)
            .join(ServiceAsset, on=ServiceAsset.asset == ChangeAsset.asset)
            .where(
                Change.implemented_at.is_null(False)
                & (Change.window_start < period.end)
                & (Change.window_end > period.start)
            )
            .distinct()
            .tuples()
        )
    for service in services:
        agreed = _overlap(clock, service.cover, period.start, period.end, period)
        down = [o for o in outages if o.service_id == service.id]
        unplanned = sum(
            _overlap(clock, service.cover, o.starts_at, o.ends_at, period) for o in down
        )
        work = sum(
            _overlap(clock, service.cover, a, b, period)
            for a, b, sid in planned
            if sid == service.id
        )
        restored = [o for o in down if o.ends_at is not None]
        mtrs = (
            statistics.fmean((o.ends_at - o.starts_at).total_seconds() for o in restored) / 60
            if restored
            else None
        )
        percent = round(100 * (agreed - unplanned) / agreed, 2) if agreed else None
        found.append(
            {
                "service": service.name,
                "criticality": service.criticality,
                "target": service.availability_target,
                "agreed_hours": round(agreed / HOUR, 1),
                "unplanned_minutes": round(unplanned / 60),
                "planned_minutes": round(work / 60),
                "outages": len(down),
                "mtrs_minutes": round(mtrs) if mtrs is not None else None,
                "percent": percent,
                "met": None if percent is None else percent >= service.availability_target,
            }
        )
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(found, key=lambda s: (order.get(s["criticality"], 3), s["service"]))


def build(period: Period) -> dict:
    """The whole report: period, reactive, proactive, changes and availability."""
    before = previous(period)
    found = reactive(period, before)
    return {
        "period": {**period.to_json(), "previous": before.to_json()},
        "reactive": found,
        "proactive": proactive(period, found),
        "changes": changes(period),
        "availability": availability(period),
    }


def headline(period: Period) -> dict:
    """The figures the desk shows for a term so far: calls, in target, median time,
    backlog now, and services below their availability target."""
    found = reactive(period)
    below = [s["service"] for s in availability(period) if s["met"] is False]
    return {
        "period": period.to_json(),
        "calls": found["calls"],
        "response_percent": found["response"]["percent"],
        "resolution_percent": found["resolution"]["percent"],
        "median_hours": found["time_to_resolve"]["median_hours"],
        "backlog": found["backlog"]["end"],
        "below_target": below,
    }
