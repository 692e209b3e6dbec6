"""When a change can run: its window against lessons, exams, freezes and term time.

    from store.changes import schedule as change_schedule as schedule
    start, end = schedule.check_window(start, end)         # BadInput: past, too long...
    found = schedule.clashes(start, end, locations=["HALL"], risk="high")
    [c.words for c in found]      # ["Period 2 (lesson), Wed 14 Oct 09:50-10:50", ...]
    found.more                    # clashes left off after the first MOST_CLASHES
    schedule.next_windows(dt.timedelta(hours=2), after=now, locations=["HALL", "ICT1"])
    schedule.window_words(start, end)                      # "Wed 14 Oct 16:00-18:00"
    schedule.calendar_days(dt.date(2026, 10, 12), 28)      # the desk's four weeks ahead

Times in and out are naive UTC, as the store keeps them; words are the school's local
time. Lessons are school-wide (one timetable); exams and freezes are school-wide or in
one room. A high-risk change also waits for a day without school: each school day in
term time that its window touches is a clash. Each call reads the calendar once.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from store.db import config, journal
from store.db.database import read
from store.db.errors import BadInput
from store.db.models import Location
from store.db.sanitise import CODE, Field, clean_code
from store.school.calendar import (
    EARLIEST,
    HORIZON,
    LATEST,
    LONGEST_WINDOW,
    _Year,
    check_length,
    day_span,
    gaps,
    local_days,
    to_local,
    to_utc,
)

RISKS = ("low", "medium", "high")
"""As store.db.models.RISKS; only "high" changes what clashes."""
MOST_CLASHES = 50
MOST_ROOMS = 1000
MOST_WINDOWS = 50
MOST_DAYS = 366
ROOM = Field("the room code", CODE.limit)
SLACK = dt.timedelta(minutes=5)
"""A window may start this long ago: the form was filled in a minute or two back."""
FURTHEST = dt.timedelta(days=731)
"""Two years ahead, leap day included."""


@dataclass(frozen=True)
class Clash:
    """Something a change window would hit."""

    kind: str
    """"lesson", "exam", "freeze", or "term" (a school day, for a high-risk change)."""
    title: str
    """"Period 2", "GCSE Maths Paper 1", "Christmas change freeze", "Autumn term"."""
    starts_at: dt.datetime
    """The clash's own span (the lesson's, the exam's), naive UTC."""
    ends_at: dt.datetime
    location: str | None = None
    """The room of a room-only exam or freeze; None: the whole school."""

    @property
    def words(self) -> str:
        """One line in local time: "Period 2 (lesson), Wed 14 Oct 09:50-10:50"."""
        where = f" in {self.location}" if self.location else ""
        return f"{self.title} ({self.kind}){where}, {span_words(self.starts_at, self.ends_at)}"


class Clashes(list[Clash]):
    """The first MOST_CLASHES clashes, earliest first; `more` counts those left off."""

    more: int = 0


@dataclass(frozen=True)
class Day:
    """One local date of the forward schedule."""

    date: dt.date
    day: str
    """"school", "weekend", "holiday" or "inset", as store.school.calendar says."""
    events: tuple[str, ...]
    """Titles of the terms, holidays, training days, exams, freezes and other events on
    that day, earliest first; a room-only one says its room ("Mocks in HALL")."""
    kinds: tuple[str, ...] = ()
    """What each of `events` is ("term", "exam", "freeze"...), in the same order."""


def _day_words(moment: dt.datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}"


def window_words(start: dt.datetime, end: dt.datetime) -> str:
    """A window in plain local words: "Wed 14 Oct 16:00-18:00", "Fri 23 Oct 16:00 to
    Mon 26 Oct 07:00"."""
    start, end = _moments(start, end)
    first, last = to_local(start), to_local(end)
    if first.date() == last.date():
        return f"{_day_words(first)} {first:%H:%M}-{last:%H:%M}"
    return f"{_day_words(first)} {first:%H:%M} to {_day_words(last)} {last:%H:%M}"


def span_words(start: dt.datetime, end: dt.datetime) -> str:
    """As window_words, but whole local days as dates, the last one included:
    "Mon 11 May", "Mon 11 May-Fri 15 May"."""
    first, last = to_local(start), to_local(end)
    if first.time() == last.time() == dt.time() and last > first:
        last -= dt.timedelta(days=1)
        if first.date() == last.date():
            return _day_words(first)
        return f"{_day_words(first)}-{_day_words(last)}"
    return window_words(start, end)


def _moment(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise BadInput("Give a change window's start and end as dates with times.")
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if not EARLIEST <= value.date() < LATEST:
        raise BadInput("A change window must fall between 2000 and 2100.")
    return value


def _moments(start: object, end: object) -> tuple[dt.datetime, dt.datetime]:
    return _moment(start), _moment(end)


def _window(start: object, end: object) -> tuple[dt.datetime, dt.datetime]:
    """Both times, in order, two weeks apart at the most."""
    start, end = _moments(start, end)
    if end < start:
        raise BadInput("That window ends before it starts.")
    if end == start:
        raise BadInput("That window ends as it starts: give it some time, like 2 hours.")
    if end - start > LONGEST_WINDOW:
        raise BadInput("A change window can last two weeks at the most.")
    return start, end


def check_window(
    start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The window, or BadInput when it ends before or as it starts, starts in the past
    (more than five minutes ago), lasts over two weeks, starts over two years ahead, or is
    not times. Naive UTC comes back unchanged (a time with a zone, as naive UTC)."""
    start, end = _window(start, end)
    now = now or journal.now()
    if start < now - SLACK:
        raise BadInput("That window starts in the past.")
    if start > now + FURTHEST:
        raise BadInput("A change window can start two years ahead at the most.")
    return start, end


def _risk(value: object) -> str:
    text = str(value).strip().lower()
    if text not in RISKS:
        raise BadInput(f"A change's risk is {', '.join(RISKS[:-1])} or {RISKS[-1]}.")
    return text


def _rooms(locations: Iterable[str] | str) -> tuple[str, ...]:
    """Room codes, cleaned, each known; BadInput naming the first that is not."""
    if isinstance(locations, str):
        locations = (locations,)
    given = list(itertools.islice(locations, MOST_ROOMS + 1))
    if len(given) > MOST_ROOMS:
        raise BadInput(f"A change can name {MOST_ROOMS} rooms at the most.")
    codes = tuple(dict.fromkeys(clean_code(code, ROOM) for code in given))
    if not codes:
        return ()
    with read():
        known = {row.code for row in Location.select(Location.code).where(Location.code << codes)}
    for code in codes:
        if code not in known:
            raise BadInput(f"There is no room '{code}'. See: fitsdesk location list.")
    return codes


def _school_days(year: _Year, start: dt.datetime, end: dt.datetime) -> list[Clash]:
    """Each school day [start, end) touches, as a "term" clash named after its term."""
    found = []
    for day in local_days(start, end):
        if year.day(day) == "school":
            first, last = day_span(day)
            terms = year._covering("term", to_utc(dt.datetime.combine(day, dt.time(12))))
            title = terms[0].title if terms else "School day"
            found.append(Clash("term", title, first, last))
    return found


def _all_clashes(year: _Year, start: dt.datetime, end: dt.datetime, risk: str) -> list[Clash]:
    found = [
        Clash(e.kind, e.title, e.starts_at, e.ends_at, e.location)
        for e in year.events
        if e.kind in ("exam", "freeze") and e.starts_at < end and e.ends_at > start
    ]
    for day in local_days(start, end):
        if year.day(day) != "school":
            continue
        for p in year.periods:
            if p.kind == "lesson" and str(day.isoweekday()) in p.days:
                first = to_utc(dt.datetime.combine(day, p.starts))
                last = to_utc(dt.datetime.combine(day, p.ends))
                if first < end and last > start:
                    found.append(Clash("lesson", p.name, first, last))
    if risk == "high":
        found += _school_days(year, start, end)
    return sorted(found, key=lambda c: (c.starts_at, c.ends_at, c.kind, c.title))


def clashes(
    start: dt.datetime,
    end: dt.datetime,
    *,
    locations: Iterable[str] | str = (),
    risk: str = "low",
) -> Clashes:
    """What [start, end) (naive UTC, two weeks at most) would hit: each lesson on each
    school day; exams and freezes school-wide or in any of `locations` (room codes); with
    risk "high", each school day too. Earliest first, the first MOST_CLASHES of them;
    `.more` says how many were left off. A window in the past is allowed (an old change)."""
    start, end = _window(start, end)
    risk, rooms = _risk(risk), _rooms(locations)
    found = _all_clashes(_Year(start, end, locations=rooms), start, end, risk)
    shown = Clashes(found[:MOST_CLASHES])
    shown.more = len(found) - len(shown)
    return shown


def next_windows(
    length: dt.timedelta,
    *,
    after: dt.datetime,
    locations: Iterable[str] | str = (),
    count: int = 3,
    risk: str = "low",
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The next `count` windows of `length` from `after` (at a quarter hour) that clash
    with nothing (as `clashes` with the same locations and risk) and fall within the
    technicians' working hours, within HORIZON; one per gap between clashes, at the
    gap's start. Fewer, or none, when the horizon runs out."""
    check_length(length)
    after = _moment(after)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MOST_WINDOWS:
        raise BadInput(f"Ask for 1 to {MOST_WINDOWS} windows.")
    risk, rooms = _risk(risk), _rooms(locations)
    after = _next_quarter(after)
    end = after + HORIZON
    year = _Year(after, end, locations=rooms)
    busy = year.busy(after, end) + _off_hours(after, end)
    if risk == "high":
        busy += [(c.starts_at, c.ends_at) for c in _school_days(year, after, end)]
    return gaps(sorted(busy), after, end, length, count)


def _next_quarter(moment: dt.datetime) -> dt.datetime:
    """The moment, or the next quarter hour after it: windows people can type."""
    floor = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return floor if floor == moment else floor + dt.timedelta(minutes=15)


def _off_hours(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Each night outside the technicians' working hours ([changes] working_hours), as
    busy spans: nobody is offered a window at midnight."""
    first, last = (dt.time.fromisoformat(t) for t in config.current().working_hours)
    spans, day = [], to_local(start).date() - dt.timedelta(days=1)
    while to_utc(dt.datetime.combine(day, last)) < end:
        spans.append(
            (
                to_utc(dt.datetime.combine(day, last)),
                to_utc(dt.datetime.combine(day + dt.timedelta(days=1), first)),
            )
        )
        day += dt.timedelta(days=1)
    return spans


def calendar_days(first: dt.date, days: int, *, hidden: Iterable[str] = ()) -> list[Day]:
    """`days` local dates from `first`, what kind of day each is and what is on, every
    room's exams and freezes included: the desk's forward schedule. Events from a source
    in `hidden` (an imported file's name) are left out of what is on; the kind of day is
    still the whole calendar's."""
    if isinstance(first, dt.datetime) or not isinstance(first, dt.date):
        raise BadInput("Give the first day of the schedule as a date.")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MOST_DAYS:
        raise BadInput(f"A schedule shows 1 to {MOST_DAYS} days.")
    if not EARLIEST <= first <= LATEST - dt.timedelta(days=days):
        raise BadInput("A schedule must fall between 2000 and 2100.")
    dates = [first + dt.timedelta(days=n) for n in range(days)]
    start, end = day_span(dates[0])[0], day_span(dates[-1])[1]
    year = _Year(start, end, every_room=True)
    away = set(hidden)
    found = []
    for date in dates:
        first_moment, last_moment = day_span(date)
        on = [
            e
            for e in year.events
            if e.starts_at < last_moment and e.ends_at > first_moment and e.source not in away
        ]
        words = tuple(f"{e.title} in {e.location}" if e.location else e.title for e in on)
        found.append(Day(date, year.day(date), words, tuple(e.kind for e in on)))
    return found
