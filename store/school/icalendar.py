"""Reading the iCalendar (RFC 5545) files of term dates that schools and councils publish,
on the field's libraries: `icalendar` parses, `x-wr-timezone` repairs the calendars that
name their zone only in X-WR-TIMEZONE (as calendar services export them), and
`recurring-ical-events` expands RRULE, RDATE, EXDATE and RECURRENCE-ID over the window
the school plans in.

    from store.school.icalendar import read_events
    events = read_events(Path("term-dates.ics").read_bytes(), source="term-dates.ics")
    for event in events:        # Event(summary, start, end, all_day, uid, kind, recurrence)
        ...

What this layer adds to them:

- Text: UTF-8 with or without a byte-order mark, UTF-16 with a mark, else cp1252
  (what Outlook and older council sites write); folded lines are unfolded before the
  bytes are decoded, so a fold inside a character does not break it.
- Times become naive UTC, as the store keeps every time; a floating time, or one in a
  zone neither the file nor zoneinfo knows, is the school's local time (this machine's,
  as in store.school.calendar). Ends are exclusive, as DTEND is.
- Only occurrences overlapping the planning window (this academic year and the next,
  from 1 September) are read, at most MOST_EVENTS of them, so an RRULE with no end or
  a million occurrences is bounded. Cancelled events and occurrences are left out.
- Each occurrence is keyed by its UID and recurrence id, so importing a file again
  replaces what it brought rather than adding to it.
- `kind` is a guess from the summary: term, holiday, inset, exam, freeze or other.

Anything wrong with the file is a BadInput with one sentence that names `source`;
nothing else is raised. Summaries pass through store.db.sanitise.clean, with HTML tags
taken out, so control characters and markup are removed rather than refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass

from store.db import journal
from store.db.errors import BadInput
from store.db.sanitise import Field, clean, shown

MOST_BYTES = 5 * 1024 * 1024
"""5 MB: a council's file of ten years of term dates is a few hundred kilobytes."""
MOST_LINES = 100_000
"""Content lines after unfolding: 5,000 events of a dozen lines each is 60,000. The
parser takes about 20 microseconds a line, so this bounds a hostile file's cost."""
MOST_EVENTS = 5000
"""Occurrences in the planning window: a school's two years are a few hundred."""

SUMMARY = Field("the summary", 200, required=False)
UID_FIELD = Field("the UID", 255, required=False)


@dataclass(frozen=True)
class Event:
    """One VEVENT: its end is exclusive; times are naive UTC; dates are whole days."""

    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    all_day: bool
    uid: str
    """The occurrence's key: its UID, and its recurrence id when it has one."""
    kind: str
    recurrence: str = ""
    """The recurrence id (the occurrence's original start) of one of a series, or ""."""


# ---------------------------------------------------------------------------- guessing kinds

_FREEZE = re.compile(r"\bfreeze\b|\bfrozen\b|\bchange embargo\b")
_INSET = re.compile(
    r"\binset\b|\btraining day|\bstaff (?:development|training|day)|\bteacher(?:s'?)? day"
    r"|\bpd day|\bprofessional development|\bnon[- ]pupil day|\bteacher training"
)
_EXAM = re.compile(r"\bexam|\bassessment|\bmocks?\b|\bgcses?\b|\bsats\b|\ba[- ]levels?\b")
_HOLIDAY = re.compile(
    r"\bholidays?\b|\bhalf[- ]?term\b|\bbreak\b|\bclosed\b|\bclosure\b|\bvacation\b"
    r"|\bmay day\b|\bboxing day\b|\bgood friday\b|\beaster monday\b|\bnew year'?s day\b"
    r"|\bchristmas day\b|\brecess\b"
)
_SEASON = re.compile(r"\bchristmas\b|\beaster\b|\bsummer\b|\bwhitsun\b|\bxmas\b")
_TERM = re.compile(
    r"\bterms?\b|\b(?:first|last) day\b|\bpupils? return|\bstudents? return"
    r"|\bschool (?:re)?opens\b|\bschool starts\b"
)


def guess_kind(summary: str) -> str:
    """What an event's summary says it is: term, holiday, inset, exam, freeze or other.
    "Summer term" is term time; "Summer holiday" and "Christmas" are holidays."""
    text = summary.lower().replace("\u2019", "'")
    if _FREEZE.search(text):
        return "freeze"
    if _INSET.search(text):
        return "inset"
    if _EXAM.search(text):
        return "exam"
    if _HOLIDAY.search(text):
        return "holiday"
    if _TERM.search(text):
        return "term"
    if _SEASON.search(text):
        return "holiday"
    return "other"


# ---------------------------------------------------------------------------- reading


def _cap(source: str) -> str:
    """`source` at the start of a sentence: "the file" becomes "The file"; a path stays."""
    return source[:1].upper() + source[1:] if source.startswith("the ") else source


def _decode(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        if len(data) > MOST_BYTES or len(data.encode("utf-8", "surrogatepass")) > MOST_BYTES:
            raise BadInput(f"{_cap(source)} is larger than 5 MB, the most allowed.")
        return data.removeprefix("\ufeff")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise BadInput(f"{_cap(source)} is not text.")
    raw = bytes(data)
    if len(raw) > MOST_BYTES:
        raise BadInput(f"{_cap(source)} is larger than 5 MB, the most allowed.")
    if not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw = _unfold(raw)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise BadInput(f"{_cap(source)} is not a text file.") from None
    if b"\x00" in raw:
        raise BadInput(f"{_cap(source)} is not a text file.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # 5 bytes cp1252 leaves undefined


def _unfold(raw: bytes) -> bytes:
    """RFC 5545 folding undone on the bytes: a fold may fall inside a UTF-8 character."""
    return re.sub(rb"\r?\n[ \t]|\r[ \t]", b"", raw)


def window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The planning window: 1 September of this academic year to 1 September two years on."""
    today = today or journal.now().date()
    first = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    return first, first.replace(year=first.year + 2)


def _moment(value: object) -> dt.date | dt.datetime:
    """A DTSTART or DTEND as the store keeps it: a date, or a naive UTC time."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.astimezone()  # floating: local
        return aware.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    raise ValueError("not a date or time")


_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _summary(component, source: str) -> str:
    text = html.unescape(_TAG.sub("", str(component.get("SUMMARY", ""))))
    try:
        return clean(text, SUMMARY)
    except BadInput:
        raise BadInput(
            f"An event in {source} has a summary longer than {SUMMARY.limit} characters: "
            f"'{shown(text, 40)}'."
        ) from None


def _key(uid: str, recurrence: str) -> str:
    """One occurrence's key: its UID and recurrence id, hashed if that would not fit."""
    key = f"{uid}/{recurrence}" if recurrence else uid
    return key if len(key) <= 200 else hashlib.sha256(key.encode()).hexdigest()


def _occurrence(component, source: str) -> Event | None:
    """The Event one expanded occurrence describes, or None if it is cancelled."""
    if str(component.get("STATUS", "")).strip().upper() == "CANCELLED":
        return None
    summary = _summary(component, source)
    named = f"'{shown(summary, 40)}'" if summary else "an event"
    try:
        start = _moment(component.decoded("DTSTART"))
        end = _moment(component.end) if "DTEND" in component or "DURATION" in component else None
    except (KeyError, ValueError, TypeError, OverflowError):
        raise BadInput(
            f"The event {named} in {source} has no start or end that is a date."
        ) from None
    all_day = not isinstance(start, dt.datetime)
    if end is None or (all_day and end == start):
        end = start + dt.timedelta(days=1) if all_day else start
    if _sortable(end) - _sortable(start) > LONGEST:
        raise BadInput(f"The event {named} in {source} lasts more than {LONGEST.days} days.")
    uid = (
        clean(html.unescape(str(component.get("UID", ""))), UID_FIELD) if "UID" in component else ""
    )
    if not uid:  # the same event in the same file always gets the same made-up UID
        uid = hashlib.sha256(f"{start}|{end}|{summary}".encode()).hexdigest()[:20] + "@fitsdesk"
    recurrence = ""
    if "RECURRENCE-ID" in component:
        with contextlib.suppress(Exception):
            recurrence = _moment(component.decoded("RECURRENCE-ID")).isoformat()
    return Event(
        summary, start, end, all_day, _key(uid, recurrence), guess_kind(summary), recurrence
    )


def read_events(
    data: bytes | str, *, source: str = "the file", between: tuple[dt.date, dt.date] | None = None
) -> list[Event]:
    """Every occurrence in an iCalendar file of term dates that overlaps `between` (the
    planning window unless given), earliest first, or BadInput with one sentence saying
    what is wrong with it (nothing is returned half-read)."""
    import icalendar
    import recurring_ical_events
    import x_wr_timezone

    source = shown(source, 100) or "the file"  # a file's name is quoted in every refusal
    text = _decode(data, source)
    if not text.strip():
        raise BadInput(f"{_cap(source)} is empty.")
    if "\n" not in text:  # old Macs end lines with CR alone
        text = text.replace("\r", "\n")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise BadInput(
            f"{_cap(source)} is not an iCalendar file: it does not start with BEGIN:VCALENDAR."
        )
    lines = sum(1 for line in text.splitlines() if line.strip())
    if lines > MOST_LINES:
        raise BadInput(f"{_cap(source)} has more than {MOST_LINES:,} lines, the most allowed.")
    _whole(text, source)
    first, last = between or window()
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # the parser's own errors are ValueError and kin
        raise BadInput(f"{_cap(source)} is not a valid iCalendar file ({_reason(exc)}).") from None
    events: list[Event] = []
    for parsed in calendars:
        try:
            _check_series(parsed, source)
            query = recurring_ical_events.of(x_wr_timezone.to_standard(parsed))
            week = first
            while week < last:  # a week at a time, so a flood is refused after a week of it
                ends = min(week + CHUNK, last)
                for component in query.between(week, ends):
                    if week > first and _day(component.decoded("DTSTART")) < week:
                        continue  # begun in an earlier week, and taken there
                    event = _occurrence(component, source)
                    if event is not None:
                        events.append(event)
                if len(events) > MOST_EVENTS:
                    raise BadInput(
                        f"{_cap(source)} has more than {MOST_EVENTS:,} events between "
                        f"{first:%d %B %Y} and {last:%d %B %Y}, the most allowed."
                    )
                week += CHUNK
        except BadInput:
            raise
        except Exception as exc:  # a rule the expander cannot follow, a zone that cannot be
            raise BadInput(
                f"{_cap(source)} has an event that cannot be read ({_reason(exc)})."
            ) from None
    events.sort(key=lambda e: (_sortable(e.start), e.uid))
    return events


CHUNK = dt.timedelta(days=7)
_FINE = ("SECONDLY", "MINUTELY", "HOURLY")


LONGEST = dt.timedelta(days=400)
"""An event longer than a school year and a term is a mistake in the file."""


def _check_series(calendar, source: str) -> None:
    """What the parser lets through but a school's calendar must not have, said per event
    before anything is expanded: dates that are not dates, an end before the start, a
    date for one end and a time for the other, an all-day event of part days, and a
    repeat more often than daily (millions of occurrences)."""
    for event in calendar.walk("VEVENT"):
        summary = shown(str(event.get("SUMMARY", "")), 40)
        named = f"The event '{summary}'" if summary else "An event"
        values = {}
        for name, kind, words in (
            ("DTSTART", dt.date, "a date"),
            ("DTEND", dt.date, "a date"),
            ("DURATION", dt.timedelta, "a length of time"),
        ):
            if name in event:
                value = event.decoded(name)
                if not isinstance(value, kind):
                    raise BadInput(
                        f"{named} in {source} has '{shown(str(value), 40)}' for {name}, "
                        f"which is not {words}."
                    )
                values[name] = value
        if "DTSTART" not in values:
            raise BadInput(f"{named} in {source} has no start date (DTSTART).")
        start = values["DTSTART"]
        all_day = not isinstance(start, dt.datetime)
        if "DTEND" in values:
            end = values["DTEND"]
            if isinstance(end, dt.datetime) != isinstance(start, dt.datetime):
                raise BadInput(
                    f"{named} in {source} gives a date for one of its start and end and a "
                    "time for the other."
                )
            if _moment(end) < _moment(start):
                raise BadInput(f"{named} in {source} ends before it starts.")
        if "DURATION" in values:
            length = values["DURATION"]
            if length < dt.timedelta(0):
                raise BadInput(f"{named} in {source} ends before it starts.")
            if all_day and length % dt.timedelta(days=1):
                raise BadInput(
                    f"{named} in {source} lasts all day but has a DURATION that is not whole days."
                )
        rules = event.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules]:
            if rule is not None and str(rule.get("FREQ", [""])[0]).upper() in _FINE:
                raise BadInput(
                    f"{named} in {source} repeats more often than daily; a school calendar's "
                    "events repeat daily at most."
                )


_PART = re.compile(r"^(BEGIN|END):([A-Za-z0-9-]+)[ \t]*\r?$", re.M | re.I)


def _whole(text: str, source: str) -> None:
    """Refuse a file cut short: every part begun is ended, in order (the parser would
    quietly drop the unfinished event)."""
    stack: list[str] = []
    for match in _PART.finditer(text):
        verb, part = match.group(1).upper(), match.group(2).upper()
        if verb == "BEGIN":
            stack.append(part)
        elif stack and stack[-1] == part:
            stack.pop()
        elif stack:
            raise BadInput(
                f"{_cap(source)} ends {shown(part, 20)} where END:{stack[-1]} was expected; "
                "it may be cut short."
            )
        else:
            raise BadInput(f"{_cap(source)} ends {shown(part, 20)}, which was never begun.")
    if stack:
        raise BadInput(f"{_cap(source)} stops before END:{stack[-1]}; it may be cut short.")


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _sortable(value: dt.date | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def _reason(exc: Exception) -> str:
    """The library's own words, short and on one line, for the end of a sentence."""
    words = " ".join(str(exc).split()) or exc.__class__.__name__
    return shown(words.rstrip("."), 120)
