"""The rules a continuity plan is checked by, with no database: the 3-2-1 rule in plain
words, RTO and RPO as people write them ("15m", "4h", "1d"), how often a plan is tested
and when its test is overdue (store.continuity.plans keeps and reads the plans)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from store.db.errors import BadInput
from store.db.sanitise import shown

RESULTS = ("pass", "fail")
TERMLY = "termly"
DAYS_WITHOUT_TERMS = 122
"""A term, when the calendar has none: a third of a year."""
LONGEST = 90 * 24 * 60
"""The longest RTO or RPO, in minutes (90 days)."""
MOST_COPIES = 99

_DURATION = re.compile(
    r"\s*(\d{1,4})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|wk|weeks?)\s*", re.IGNORECASE
)
_EVERY = re.compile(r"\s*(\d{1,3})\s*(d|days?)?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    """The 3-2-1 rule's check: three copies, on two devices, one off site."""

    met: bool
    words: str


def three_two_one(copies: int, devices: int, offsite: bool) -> Rule:
    """Whether three copies (the data itself counts as one), on two devices, one off
    site, are kept; in plain words either way."""
    where = f"{copies} cop{'y' if copies == 1 else 'ies'} on {devices} device" + (
        "" if devices == 1 else "s"
    )
    missing = []
    if copies < 3:
        missing.append(f"{3 - copies} more cop{'y' if 3 - copies == 1 else 'ies'}")
    if devices < 2:
        missing.append("a second device" if devices == 1 else "two devices")
    if not offsite:
        missing.append("one copy off site")
    if not missing:
        return Rule(True, f"3-2-1 met: {where}, one off site.")
    if copies == 0:
        return Rule(False, "3-2-1 not met: no copies are recorded.")
    there = ", one off site" if offsite else ", none off site"
    return Rule(False, f"3-2-1 not met: {where}{there}; needs {_and(missing)}.")


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def clean_duration(value: object, what: str = "an RTO or RPO") -> int:
    """A length of real time as people write it ("15m", "4h", "1d", "2w") in minutes;
    a day here is 24 hours, not a school day. BadInput in one sentence otherwise."""
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise BadInput(
            f"'{shown(str(value), 30)}' is not a length of time for {what}: write it like "
            "15m, 4h, 1d or 2w."
        )
    number, unit = int(match.group(1)), match.group(2).lower()
    minutes = number * (
        1 if unit.startswith("m") else 60 if unit.startswith("h") else 1440
        if unit.startswith("d") else 10080
    )  # fmt: skip
    if not 1 <= minutes <= LONGEST:
        raise BadInput(f"{what[0].upper()}{what[1:]} is from a minute to 90 days.")
    return minutes


def duration_words(minutes: int | None) -> str:
    """15 min, 4 h, 1 day, 2 weeks; '-' for none."""
    if minutes is None:
        return "-"
    if minutes % 10080 == 0:
        weeks = minutes // 10080
        return f"{weeks} week{'' if weeks == 1 else 's'}"
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"{days} day{'' if days == 1 else 's'}"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    if minutes > 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} min"


def day_words(day: dt.date) -> str:
    """5 January 2026."""
    return f"{day.day} {day:%B %Y}"


def clean_count(value: object, what: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) > MOST_COPIES:
        raise BadInput(f"The number of {what} is a whole number from 0 to {MOST_COPIES}.")
    return int(text)


def clean_priority(value: object) -> int:
    text = str(value).strip()
    if text not in ("1", "2", "3", "4", "5"):
        raise BadInput(f"A recovery priority is 1 (first) to 5, not '{shown(text, 10)}'.")
    return int(text)


def clean_result(value: object) -> str:
    text = str(value).strip().lower()
    if text not in RESULTS:
        raise BadInput(f"A test's result is pass or fail, not '{shown(str(value), 20)}'.")
    return text


# -- how often a plan is tested ---------------------------------------------------------


def clean_interval(value: object) -> str:
    """'termly', or a number of days from 7 to 730 ('90', '90d')."""
    text = str(value).strip().lower()
    if text == TERMLY:
        return TERMLY
    match = _EVERY.fullmatch(text)
    if match is None or not 7 <= int(match.group(1)) <= 730:
        raise BadInput(
            f"A test is due termly or every so many days (7 to 730), not '{shown(value, 20)}'."
        )
    return f"{int(match.group(1))}d"


def interval_words(interval: str) -> str:
    if interval == TERMLY:
        return "once a term"
    return f"every {interval[:-1]} days"


def due_since(today: dt.date, interval: str, terms: list[tuple[dt.date, dt.date]]) -> dt.date:
    """The earliest date a test may be on and still count today. Termly: since the start
    of the last term that has ended (tested once in it, or since); with no term ended in
    the calendar, a term is DAYS_WITHOUT_TERMS days."""
    if interval == TERMLY:
        ended = [start for start, end in terms if end < today]
        if ended:
            return ended[-1]
        return today - dt.timedelta(days=DAYS_WITHOUT_TERMS)
    return today - dt.timedelta(days=int(interval[:-1]))


def is_overdue(tested_on: dt.date | None, since: dt.date) -> bool:
    return tested_on is None or tested_on < since
