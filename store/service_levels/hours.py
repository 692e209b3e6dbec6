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

import datetime as dt
from dataclasses import dataclass

from store.db.errors import BadInput
from store.school import calendar

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


class SchoolClock:
    """The cover hours around a span, the calendar read once, to answer many questions
    about the time between two moments or when a target falls due."""

    def __init__(self, start: dt.datetime, end: dt.datetime, cover: Cover | None = None):
        self.cover = cover or Cover()
        first = calendar.to_local(start).date() - dt.timedelta(days=1)
        self.last = calendar.to_local(end).date() + HORIZON
        self.kinds = calendar.day_kinds(first, self.last)
        self.first = first

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

    def seconds(self, start: dt.datetime, end: dt.datetime) -> int:
        """Whole seconds of cover in [start, end) (naive UTC); 0 if end is not after start."""
        if end <= start:
            return 0
        total = dt.timedelta(0)
        day = calendar.to_local(start).date()
        while day <= calendar.to_local(end).date():
            for left, right in self.spans(day):
                overlap = min(right, end) - max(left, start)
                if overlap > dt.timedelta(0):
                    total += overlap
            day += dt.timedelta(days=1)
        return int(total.total_seconds())

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime | None:
        """The moment `seconds` of cover after `start` have passed (a target's due time);
        None if that is beyond what the calendar was read for. A call logged out of hours
        starts its clock when cover next opens."""
        left = dt.timedelta(seconds=max(0, seconds))
        day = calendar.to_local(start).date()
        while day < self.last:
            for span_start, span_end in self.spans(day):
                begin = max(span_start, start)
                if begin >= span_end:
                    continue
                if not left:
                    return begin
                if begin + left <= span_end:
                    return begin + left
                left -= span_end - begin
            day += dt.timedelta(days=1)
        return None
