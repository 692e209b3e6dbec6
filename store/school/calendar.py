"""The school calendar: when there are lessons, and when a change can be made.

    from store.school import calendar
    calendar.set_timetable([{"name": "Period 1", "kind": "lesson", "start": "08:50",
                             "end": "09:50"}, ...], by="jsmith")
    calendar.add_event("holiday", "Half term", dt.date(2026, 10, 26), dt.date(2026, 10, 30),
                       by="jsmith")                  # all-day dates: the last day included
    calendar.moment_at(when)           # Moment: a lesson? a break? a holiday? a freeze?
    calendar.free_windows(dt.timedelta(hours=2), after=when)   # the next times to change

Dated events (terms, holidays, training days, exam periods, change freezes) are
kept as spans of naive UTC with the end exclusive; an all-day event runs from the
school's local midnight to the local midnight after its last day. The timetable's
periods are in the school's local time (this machine's), so a period at 08:50 is at
08:50 in summer and in winter.

A school day is a weekday inside a term (any weekday, when no terms are set) that
is not a holiday or a training day. A lesson is a lesson period on a school day.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import peewee as pw

from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput, NotFound
from store.db.models import CALENDAR_KINDS, PERIOD_KINDS, CalendarEvent, Location, Period
from store.db.sanitise import Field, clean, shown
from store.school import people
from store.school.locations import location_row

TITLE = Field("the title", 200)
PERIOD_NAME = Field("the period's name", 40)
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 1, 1)
LONGEST_EVENT = dt.timedelta(days=400)
MOST_PERIODS = 30
HORIZON = dt.timedelta(days=120)
"""How far ahead `free_windows` looks."""
LONGEST_WINDOW = dt.timedelta(days=14)
_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class EventInfo:
    """A dated event as screens see it."""

    id: int
    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool
    location: str | None
    source: str


@dataclass(frozen=True)
class PeriodInfo:
    """A period of the school day."""

    name: str
    kind: str
    starts: dt.time
    ends: dt.time
    days: str


@dataclass(frozen=True)
class Moment:
    """What the school is doing at one moment."""

    at: dt.datetime
    day: str
    """"school", "weekend", "holiday" or "inset"."""
    part: str
    """A period's kind ("lesson", "break"...), "before_school", "after_school", or
    "no_school" on a day without school."""
    period: str | None = None
    exams: tuple[str, ...] = ()
    freezes: tuple[str, ...] = ()

    @property
    def lesson(self) -> bool:
        return self.day == "school" and self.part == "lesson"


def to_utc(local: dt.datetime) -> dt.datetime:
    """The school's local (this machine's) wall-clock time as naive UTC."""
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def to_local(moment: dt.datetime) -> dt.datetime:
    """Naive UTC as the school's local wall-clock time, naive."""
    return moment.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def local_days(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    """The school's local dates that [start, end) (naive UTC) touches."""
    day, found = to_local(start).date(), []
    while day_span(day)[0] < end:
        found.append(day)
        day += dt.timedelta(days=1)
    return found


def day_span(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A local date as naive UTC from its midnight to the next (23 or 25 hours on the
    days the clocks change)."""
    return (
        to_utc(dt.datetime.combine(day, dt.time())),
        to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time())),
    )


def clean_kind(value: object) -> str:
    text = str(value).strip().lower()
    if text not in CALENDAR_KINDS:
        raise BadInput(
            f"'{shown(text)}' is not a calendar event: choose {', '.join(CALENDAR_KINDS)}."
        )
    return text


def _span(start: object, end: object) -> tuple[dt.datetime, dt.datetime, bool]:
    """(starts_at, ends_at, all_day) in naive UTC; dates are whole local days, the end
    date included."""
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime) or not all(
        isinstance(v, dt.date) for v in (start, end)
    ):
        raise BadInput("Give the start and end both as dates or both as times.")
    if isinstance(start, dt.datetime):
        first, last, all_day = start, end, False
        if first.tzinfo is not None:
            first = first.astimezone(dt.UTC).replace(tzinfo=None)
        if last.tzinfo is not None:
            last = last.astimezone(dt.UTC).replace(tzinfo=None)
    else:
        first = to_utc(dt.datetime.combine(start, dt.time()))
        last = to_utc(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
        all_day = True
    if not (first.date() >= EARLIEST and last.date() <= LATEST):
        raise BadInput("Calendar dates must fall between 2000 and 2100.")
    if last <= first:
        raise BadInput("That event ends before it starts.")
    if last - first > LONGEST_EVENT:
        raise BadInput("A calendar event can last 400 days at the most.")
    return first, last, all_day


def _info(row: CalendarEvent, place: Location | None) -> EventInfo:
    return EventInfo(
        row.id,
        row.kind,
        row.title,
        row.starts_at,
        row.ends_at,
        row.all_day,
        place.code if place else None,
        row.source,
    )


def add_event(
    kind: str,
    title: str,
    start: dt.date | dt.datetime,
    end: dt.date | dt.datetime,
    *,
    by: str,
    location: str | None = None,
    source: str = "desk",
) -> EventInfo:
    """Add one dated event: dates for whole days (the end day included), or times."""
    kind, title = clean_kind(kind), clean(title, TITLE)
    first, last, all_day = _span(start, end)
    try:
        place = location_row(location) if location else None
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    with write():
        people.active_technician(by)
        row = CalendarEvent.create(
            kind=kind,
            title=title,
            starts_at=first,
            ends_at=last,
            all_day=all_day,
            location=place,
            source=source,
            created_at=journal.now(),
        )
        journal.record(by, row, "add", after=f"{kind}: {title}")
    return _info(row, place)


def replace_events(events: Iterable[tuple], *, source: str, by: str) -> tuple[int, int]:
    """Replace every event that came from `source` with `events`, each (kind, title,
    start, end, uid), all checked before any is written; returns (added, removed). An
    imported event whose uid (an iCalendar occurrence's UID and recurrence id) is brought
    again, by any file, is replaced too: importing is idempotent."""
    rows = []
    now = journal.now()
    for kind, title, start, end, uid in events:
        first, last, all_day = _span(start, end)
        rows.append(
            {
                "kind": clean_kind(kind),
                "title": clean(title, TITLE),
                "starts_at": first,
                "ends_at": last,
                "all_day": all_day,
                "uid": str(uid or "")[:200],
                "source": source,
                "created_at": now,
            }
        )
    keys = [row["uid"] for row in rows if row["uid"]]
    with write():
        people.active_technician(by)
        removed = CalendarEvent.delete().where(CalendarEvent.source == source).execute()
        for at in range(0, len(keys), 500):  # the same occurrences from a renamed file
            removed += (
                CalendarEvent.delete()
                .where(
                    CalendarEvent.uid.in_(keys[at : at + 500]) & (CalendarEvent.source != "desk")
                )
                .execute()
            )
        if rows:
            CalendarEvent.insert_many(rows).execute()
        journal.record(
            by,
            CalendarEvent(id=0),
            "import",
            field="source",
            before=f"{removed} events" if removed else None,
            after=f"{source}: {len(rows)} events",
        )
    return len(rows), removed


MOST_LISTED = 5000


def list_events(
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    *,
    kind: str | None = None,
    source: str | None = None,
) -> list[EventInfo]:
    """Events overlapping [start, end) (either open), of one kind or from one source,
    earliest first; at most MOST_LISTED."""
    with read():
        query = CalendarEvent.select(CalendarEvent, Location).join(
            Location, on=CalendarEvent.location == Location.id, join_type=pw.JOIN.LEFT_OUTER
        )
        if start is not None:
            query = query.where(CalendarEvent.ends_at > start)
        if end is not None:
            query = query.where(CalendarEvent.starts_at < end)
        if kind:
            query = query.where(CalendarEvent.kind == clean_kind(kind))
        if source:
            query = query.where(CalendarEvent.source == source)
        query = query.order_by(CalendarEvent.starts_at, CalendarEvent.id).limit(MOST_LISTED)
        return [_info(row, row.location) for row in query]


def sources() -> list[tuple[str, int]]:
    """Where the events came from (a file's name, "desk", "demo"), with how many each."""
    with read():
        query = (
            CalendarEvent.select(CalendarEvent.source, pw.fn.COUNT(CalendarEvent.id))
            .group_by(CalendarEvent.source)
            .order_by(CalendarEvent.source)
            .tuples()
        )
        return [(source, count) for source, count in query]


def remove_events(*, source: str | None = None, event: int | None = None, by: str) -> int:
    """Remove every event a source brought, or one event by its number; how many went.
    NotFound when there is nothing of that name or number."""
    if (source is None) == (event is None):
        raise BadInput("Say which events to remove: a source, or one event's number.")
    with write():
        people.active_technician(by)
        if event is not None:
            row = CalendarEvent.get_or_none(CalendarEvent.id == event)
            if row is None:
                raise NotFound(f"There is no calendar event {event}. See: fitsdesk calendar list.")
            journal.record(by, row, "remove", before=f"{row.kind}: {row.title}")
            row.delete_instance()
            return 1
        gone = CalendarEvent.delete().where(CalendarEvent.source == source).execute()
        if not gone:
            raise NotFound(
                f"No events came from '{shown(str(source), 100)}'. See: fitsdesk calendar list."
            )
        journal.record(
            by, CalendarEvent(id=0), "remove", field="source", before=f"{source}: {gone} events"
        )
        return gone


def events_between(start: dt.datetime, end: dt.datetime) -> list[EventInfo]:
    """Events overlapping [start, end), earliest first."""
    with read():
        query = (
            CalendarEvent.select(CalendarEvent, Location)
            .join(Location, on=CalendarEvent.location == Location.id, join_type=pw.JOIN.LEFT_OUTER)
            .where((CalendarEvent.starts_at < end) & (CalendarEvent.ends_at > start))
            .order_by(CalendarEvent.starts_at, CalendarEvent.id)
        )
        return [_info(row, row.location) for row in query]


def _clock(value: object, what: str) -> dt.time:
    match = _CLOCK.match(str(value).strip())
    if match is None:
        raise BadInput(f"{what} must be a time like 08:50, not '{shown(value)}'.")
    return dt.time(int(match[1]), int(match[2]))


def set_timetable(periods: Iterable[dict], *, by: str) -> list[PeriodInfo]:
    """Replace the school day's periods: each {name, kind, start, end, days?}; lessons
    may not overlap one another."""
    cleaned = check_timetable(periods)
    with write():
        people.active_technician(by)
        Period.delete().execute()
        for p in cleaned:
            Period.create(
                name=p.name,
                kind=p.kind,
                starts=p.starts.strftime("%H:%M"),
                ends=p.ends.strftime("%H:%M"),
                days=p.days,
            )
        journal.record(by, Period(id=0), "timetable", after=f"{len(cleaned)} periods")
    return sorted(cleaned, key=lambda p: p.starts)


def check_timetable(periods: Iterable[dict]) -> list[PeriodInfo]:
    """The periods, each checked; BadInput naming the first that is wrong."""
    cleaned = []
    for number, period in enumerate(periods, start=1):
        if not isinstance(period, dict):
            raise BadInput(f"Period {number} must be a table of name, kind, start and end.")
        name = clean(period.get("name", ""), PERIOD_NAME)
        kind = str(period.get("kind", "lesson")).strip().lower().replace(" ", "_")
        if kind not in PERIOD_KINDS:
            raise BadInput(f"{name}: '{shown(kind)}' is not one of {', '.join(PERIOD_KINDS)}.")
        starts = _clock(period.get("start", ""), f"{name}'s start")
        ends = _clock(period.get("end", ""), f"{name}'s end")
        if ends <= starts:
            raise BadInput(f"{name} ends before it starts.")
        days = str(period.get("days", "12345")).replace(",", "").replace(" ", "")
        if not days or not set(days) <= set("1234567") or len(set(days)) != len(days):
            raise BadInput(f"{name}: days are ISO weekdays like 12345 (Monday to Friday).")
        cleaned.append(PeriodInfo(name, kind, starts, ends, "".join(sorted(days))))
    if len(cleaned) > MOST_PERIODS:
        raise BadInput(f"A school day has {MOST_PERIODS} periods at the most.")
    lessons = sorted((p for p in cleaned if p.kind == "lesson"), key=lambda p: p.starts)
    for one, two in itertools.pairwise(lessons):
        if two.starts < one.ends and set(one.days) & set(two.days):
            raise BadInput(f"{one.name} and {two.name} overlap.")
    return cleaned


def timetable() -> list[PeriodInfo]:
    """The school day's periods, earliest first."""
    with read():
        rows = list(Period.select())
    found = [
        PeriodInfo(r.name, r.kind, _clock(r.starts, "start"), _clock(r.ends, "end"), r.days)
        for r in rows
    ]
    return sorted(found, key=lambda p: p.starts)


class _Year:
    """The events and periods around a span, read once, to answer many questions."""

    def __init__(
        self,
        start: dt.datetime,
        end: dt.datetime,
        location: str | None = None,
        *,
        locations: Iterable[str] = (),
        every_room: bool = False,
    ):
        """Exams and freezes school-wide and in `location` or any of `locations` (room
        codes), or in every room."""
        rooms = {None, location, *locations}
        self.periods = timetable()
        self.events = [
            e
            for e in events_between(start - dt.timedelta(days=1), end + dt.timedelta(days=1))
            if every_room or e.location in rooms or e.kind not in ("exam", "freeze")
        ]
        self.has_terms = any(e.kind == "term" for e in self.events) or self._any_terms()

    @staticmethod
    def _any_terms() -> bool:
        with read():
            return CalendarEvent.select().where(CalendarEvent.kind == "term").exists()

    def _covering(self, kind: str, moment: dt.datetime) -> list[EventInfo]:
        return [e for e in self.events if e.kind == kind and e.starts_at <= moment < e.ends_at]

    def day(self, local_day: dt.date) -> str:
        noon = to_utc(dt.datetime.combine(local_day, dt.time(12)))
        if self._covering("inset", noon):
            return "inset"
        if self._covering("holiday", noon):
            return "holiday"
        if local_day.isoweekday() > 5:
            return "weekend"
        if self.has_terms and not self._covering("term", noon):
            return "holiday"
        return "school"

    def moment(self, at: dt.datetime) -> Moment:
        local = to_local(at)
        day = self.day(local.date())
        exams = tuple(e.title for e in self._covering("exam", at))
        freezes = tuple(e.title for e in self._covering("freeze", at))
        if day != "school":
            return Moment(at, day, "no_school", None, exams, freezes)
        today = [p for p in self.periods if str(local.isoweekday()) in p.days]
        clock = local.time()
        for p in today:
            if p.starts <= clock < p.ends:
                return Moment(at, day, p.kind, p.name, exams, freezes)
        if today and clock < min(p.starts for p in today):
            part = "before_school"
        elif today and clock >= max(p.ends for p in today):
            part = "after_school"
        else:
            part = "before_school" if not today else "break"
        return Moment(at, day, part, None, exams, freezes)

    def busy(self, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """Spans in [start, end) when a change may not run: lessons on school days,
        exams, freezes; merged, earliest first."""
        spans = [(e.starts_at, e.ends_at) for e in self.events if e.kind in ("exam", "freeze")]
        for day in local_days(start, end):
            if self.day(day) == "school":
                for p in self.periods:
                    if p.kind == "lesson" and str(day.isoweekday()) in p.days:
                        spans.append(
                            (
                                to_utc(dt.datetime.combine(day, p.starts)),
                                to_utc(dt.datetime.combine(day, p.ends)),
                            )
                        )
        merged: list[list[dt.datetime]] = []
        for first, last in sorted(spans):
            if merged and first <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        return [(a, b) for a, b in merged]


def day_kinds(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """What kind of day each local date from `first` to `last` (included) is: school,
    weekend, holiday or inset, from the calendar read once."""
    if last < first or last - first > LONGEST_EVENT * 3:
        raise BadInput("Ask for the kinds of at most three years of days, first to last.")
    year = _Year(day_span(first)[0], day_span(last)[1], every_room=True)
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return {day: year.day(day) for day in days}


def moment_at(at: dt.datetime, *, location: str | None = None) -> Moment:
    """What the school is doing at `at` (naive UTC): a lesson, a break, a holiday...;
    with the exams and freezes on then (in `location`, and school-wide)."""
    return _Year(at, at, location).moment(at)


def free_windows(
    length: dt.timedelta,
    *,
    after: dt.datetime,
    count: int = 3,
    location: str | None = None,
    before: dt.datetime | None = None,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The first `count` windows of `length` from `after` that hit no lesson, exam or
    change freeze (in `location` and school-wide), within HORIZON: (start, end), UTC."""
    check_length(length)
    end = before or after + HORIZON
    return gaps(_Year(after, end, location).busy(after, end), after, end, length, count)


def check_length(length: object) -> None:
    """BadInput unless `length` is a timedelta of more than nothing and two weeks at most."""
    if not isinstance(length, dt.timedelta) or length <= dt.timedelta(0):
        raise BadInput("A window must last some time, like 2 hours.")
    if length > LONGEST_WINDOW:
        raise BadInput("A change window can last two weeks at the most.")


def gaps(
    busy: Iterable[tuple[dt.datetime, dt.datetime]],
    after: dt.datetime,
    end: dt.datetime,
    length: dt.timedelta,
    count: int,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The first `count` windows of `length` from `after` before `end`, between busy
    spans sorted by their start (they may overlap): one window per gap, at its start."""
    found, cursor = [], after
    for first, last in [*busy, (end, end)]:
        while first - cursor >= length and len(found) < count:
            found.append((cursor, cursor + length))
            cursor = first  # one window per gap: the next one starts after the next busy span
        if len(found) >= count:
            break
        cursor = max(cursor, last)
    return found
