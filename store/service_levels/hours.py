"""School hours: the time a service level counts, from the calendar already imported.

    from store.service_levels.hours import Cover, SchoolClock
    clock = SchoolClock(logged, logged + dt.timedelta(days=60))   # reads the calendar once
    clock.seconds(logged, now)              # school time between two moments
    clock.add(logged, 4 * 3600)             # when four school hours from `logged` end

Cover is term-time school days between `opens` and `closes` (08:00 to 16:30 unless
the school says otherwise), less any closed part of the day (a lunch hour). Weekends
and holidays are closed; an INSET day is closed unless `inset_open`. Times in and out
are naive UTC, as the store keeps them; the day is the school's local one
(store.school.calendar), so a target follows the term dates and the clock changes
with no second calendar to keep (docs/architecture.md).
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from dataclasses import dataclass

from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput
from store.db.models import Setting
from store.db.sanitise import shown
from store.school import calendar, people

HORIZON = dt.timedelta(days=400)
"""How far a clock reads ahead of its span to find when a target falls due: longer than
any holiday, shorter than the calendar's own limits."""


@dataclass(frozen=True)
class Cover:
    """The hours of cover on a school day, in the school's local time."""

    opens: dt.time = dt.time(8, 0)
    closes: dt.time = dt.time(16, 30)
    closed: tuple[tuple[dt.time, dt.time], ...] = ()
    """Parts of the day with no cover, such as a closed lunch hour: (from, to)."""
    inset_open: bool = False
    """Whether INSET (training) days count: technicians are in, pupils are not."""

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise BadInput("Cover must close after it opens.")
        for start, end in self.closed:
            if not self.opens <= start < end <= self.closes:
                raise BadInput("A closed part of the day must fall between opening and closing.")

    def local_spans(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's open spans, local and naive, from opening to closing less `closed`."""
        spans = [(self.opens, self.closes)]
        for start, end in sorted(self.closed):
            spans = [
                piece
                for left, right in spans
                for piece in ((left, min(right, start)), (max(left, end), right))
                if piece[0] < piece[1]
            ]
        return [(dt.datetime.combine(day, a), dt.datetime.combine(day, b)) for a, b in spans]


COVER_KEY = "sla_cover"
_TIME = re.compile(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*")


def clean_time(value: object, what: str) -> dt.time:
    """A clock time as people write it (08:00, 8:30, 16.30); BadInput in one sentence."""
    match = _TIME.fullmatch(value if isinstance(value, str) else "")
    if match is None:
        raise BadInput(f"{what} must be a time like 08:00, not '{shown(str(value), 20)}'.")
    return dt.time(int(match.group(1)), int(match.group(2)))


def clean_closed(value: object) -> tuple[dt.time, dt.time]:
    """A closed part of the day written as 12:00-13:00."""
    text = value if isinstance(value, str) else ""
    if text.count("-") != 1:
        raise BadInput(f"Write a closed part of the day like 12:00-13:00, not '{shown(text, 20)}'.")
    first, last = text.split("-")
    return clean_time(first, "A closed part's start"), clean_time(last, "A closed part's end")


def _as_json(cover: Cover) -> str:
    return json.dumps(
        {
            "opens": cover.opens.strftime("%H:%M"),
            "closes": cover.closes.strftime("%H:%M"),
            "closed": [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in cover.closed],
            "inset_open": cover.inset_open,
        },
        sort_keys=True,
    )


def _from_json(text: str | None) -> Cover:
    """The stored cover; the default if none, or if the setting was edited into nonsense."""
    if not text:
        return Cover()
    try:
        stored = json.loads(text)
        return Cover(
            clean_time(stored["opens"], "opens"),
            clean_time(stored["closes"], "closes"),
            tuple((clean_time(a, "closed"), clean_time(b, "closed")) for a, b in stored["closed"]),
            bool(stored["inset_open"]),
        )
    except (ValueError, KeyError, TypeError, BadInput):
        return Cover()


def current_cover() -> Cover:
    """The school's hours of cover: its own where set, else 08:00 to 16:30."""
    with read():
        row = Setting.get_or_none(Setting.key == COVER_KEY)
    return _from_json(row.value if row else None)


def set_cover(
    *,
    opens: object = None,
    closes: object = None,
    closed: list | tuple | None = None,
    inset_open: bool | None = None,
    by: str,
) -> Cover:
    """Change the school's hours of cover (a manager's step); what is not given stays.
    `closed` is a list like ["12:00-13:00"] (an empty list opens the whole day)."""
    with write():
        people.manager_or_first(by, "set the hours of cover")
        before = current_cover()
        after = Cover(
            clean_time(opens, "Opening") if opens is not None else before.opens,
            clean_time(closes, "Closing") if closes is not None else before.closes,
            tuple(sorted(clean_closed(part) for part in closed))
            if closed is not None
            else before.closed,
            before.inset_open if inset_open is None else bool(inset_open),
        )
        row = Setting.put(COVER_KEY, _as_json(after))
        journal.record(
            by,
            row,
            "set cover",
            field="cover",
            before=cover_words(before),
            after=cover_words(after),
        )
    return after


def cover_words(cover: Cover) -> str:
    """The cover as a sentence: "08:00 to 16:30 on school days, closed 12:00-13:00"."""
    text = f"{cover.opens:%H:%M} to {cover.closes:%H:%M} on school days"
    if cover.closed:
        text += ", closed " + ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in cover.closed)
    return text + (", INSET days included" if cover.inset_open else ", not on INSET days")


class SchoolClock:
    """The cover hours around a span, the calendar read once, to answer many questions
    about the time between two moments or when a target falls due."""

    def __init__(self, start: dt.datetime, end: dt.datetime, cover: Cover | None = None):
        self.cover = cover or Cover()
        self.first = calendar.to_local(start).date() - dt.timedelta(days=1)
        self.last = calendar.to_local(end).date() + HORIZON
        self.kinds: dict[dt.date, str] = {}
        day = self.first
        while day <= self.last:  # the calendar answers for at most three years at a time
            upto = min(self.last, day + dt.timedelta(days=1000))
            self.kinds.update(calendar.day_kinds(day, upto))
            day = upto + dt.timedelta(days=1)
        self._index()

    def covers(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether this clock can answer for [start, end] and a target's length beyond."""
        return (
            calendar.to_local(start).date() > self.first
            and calendar.to_local(end).date() + HORIZON - dt.timedelta(days=60) <= self.last
        )

    def is_open(self, moment: dt.datetime) -> bool:
        """Whether `moment` (naive UTC) is within the hours of cover."""
        day = calendar.to_local(moment).date()
        return any(a <= moment < b for a, b in self.spans(day))

    def is_open_day(self, day: dt.date) -> bool:
        kind = self.kinds.get(day)
        if kind is None:
            raise BadInput("That moment is outside the span this clock read.")
        return kind == "school" or (kind == "inset" and self.cover.inset_open)

    def spans(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's cover as naive UTC spans (none on a closed day)."""
        if not self.is_open_day(day):
            return []
        return [(calendar.to_utc(a), calendar.to_utc(b)) for a, b in self.cover.local_spans(day)]

    def _index(self) -> None:
        """Every span of cover in the clock's days, with the cover before each: a question
        is then a binary search, not a walk over the days (the report asks millions)."""
        self._starts: list[dt.datetime] = []
        self._ends: list[dt.datetime] = []
        self._before: list[dt.timedelta] = []  # cover before each span starts
        self._through: list[dt.timedelta] = []  # cover up to each span's end
        total, day = dt.timedelta(0), self.first
        while day <= self.last:
            for a, b in self.spans(day):
                self._starts.append(a)
                self._ends.append(b)
                self._before.append(total)
                total += b - a
                self._through.append(total)
            day += dt.timedelta(days=1)

    def _cover_before(self, moment: dt.datetime) -> dt.timedelta:
        """Cover from the clock's first day up to `moment`."""
        i = bisect.bisect_right(self._starts, moment) - 1
        if i < 0:
            return dt.timedelta(0)
        return self._before[i] + min(moment - self._starts[i], self._ends[i] - self._starts[i])

    def seconds(self, start: dt.datetime, end: dt.datetime) -> int:
        """Whole seconds of cover in [start, end) (naive UTC); 0 if end is not after start."""
        if end <= start:
            return 0
        return int((self._cover_before(end) - self._cover_before(start)).total_seconds())

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime | None:
        """The moment `seconds` of cover after `start` have passed (a target's due time);
        None if that is beyond what the calendar was read for. A call logged out of hours
        starts its clock when cover next opens."""
        wanted = self._cover_before(start) + dt.timedelta(seconds=max(0, seconds))
        if seconds <= 0:  # now, if in cover; else when cover next opens
            i = bisect.bisect_right(self._ends, start)
            if i >= len(self._starts):
                return None
            return max(start, self._starts[i])
        i = bisect.bisect_left(self._through, wanted)
        if i >= len(self._starts):
            return None
        return self._starts[i] + (wanted - self._before[i])
