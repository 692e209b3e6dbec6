"""Reading the iCalendar (RFC 5545) files of term dates that schools and councils publish.

    from store.changes.icalendar import read_events
    events = read_events(Path("term-dates.ics").read_bytes(), source="term-dates.ics")
    for event in events:        # Event(summary, start, end, all_day, uid, kind)
        ...

This is a small, dependency-free reader for term-dates files, not a general iCalendar
library. It reads the VEVENTs of one or more VCALENDARs and ignores everything else
(VTIMEZONE, VALARM, VTODO, X- parts and unknown properties).

- Text: UTF-8 with or without a byte-order mark, UTF-16 with a mark, else cp1252
  (what Outlook and older council sites write). Lines end CRLF, LF or CR; folded
  lines (continuations starting with a space or tab) are unfolded; TEXT escapes
  (\\n \\, \\; \\\\) are undone.
- Times: DTSTART/DTEND with TZID=... or a trailing Z become naive UTC; a TZID
  zoneinfo does not know (a Windows name Outlook invented) is read as the school's
  local time. Floating times (no zone) are the school's local wall-clock time, which
  is this machine's, as in store.changes.calendar, and also become naive UTC.
- Ends are exclusive, as DTEND is. An all-day event without DTEND lasts one day (an
  all-day DTEND equal to DTSTART is read the same way); a timed event without DTEND
  ends when it starts; DURATION gives the end from the start.
- RRULE, RDATE and EXDATE are not expanded: a repeating event is read as its first
  occurrence only (term-dates files list each date). Cancelled events
  (STATUS:CANCELLED) are left out.
- `kind` is a guess from the summary: term, holiday, inset, exam, freeze or other.

Anything wrong with the file is a BadInput with one sentence that names `source`;
nothing else is raised, and the work is linear in the size of the file, which is
refused over MOST_BYTES before it is read further. Summaries pass through
store.db.sanitise.clean, with HTML tags taken out, so control characters and markup are
removed rather than refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from store.db.errors import BadInput
from store.db.sanitise import Field, clean, shown

MOST_BYTES = 5 * 1024 * 1024
"""5 MB: a council's file of ten years of term dates is a few hundred kilobytes."""
MOST_EVENTS = 5000
MOST_LINE = 10_000
"""The most characters in one line, after unfolding."""
MOST_DEPTH = 4
"""VCALENDAR > VTIMEZONE > STANDARD is 3; VCALENDAR > VEVENT > VALARM is 3."""
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100

SUMMARY = Field("the summary", 200, required=False)
UID = Field("the UID", 255, required=False)

WINDOWS_ZONES = {
    "gmt standard time": "Europe/London",
    "greenwich standard time": "Atlantic/Reykjavik",
    "utc": "UTC",
    "coordinated universal time": "UTC",
    "w. europe standard time": "Europe/Berlin",
    "romance standard time": "Europe/Paris",
    "central europe standard time": "Europe/Budapest",
    "eastern standard time": "America/New_York",
    "pacific standard time": "America/Los_Angeles",
}
"""Zone names Outlook and Exchange write in TZID, as the IANA zones they mean."""


@dataclass(frozen=True)
class Event:
    """One VEVENT: its end is exclusive; times are naive UTC; dates are whole days."""

    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    all_day: bool
    uid: str
    kind: str


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


def _lines(text: str, source: str) -> list[tuple[int, str]]:
    """The unfolded, non-blank lines with the number of the line each starts on."""
    physical = text.split("\n") if "\n" in text else text.split("\r")
    lines: list[tuple[int, str]] = []
    parts: list[str] = []
    length = 0
    start = 0
    for number, line in enumerate(physical, 1):
        if line.endswith("\r"):
            line = line[:-1]
        if line[:1] in (" ", "\t") and parts:
            parts.append(line[1:])
            length += len(line) - 1
            if length > MOST_LINE:
                raise BadInput(f"Line {start} of {source} is longer than {MOST_LINE:,} characters.")
            continue
        if parts:
            lines.append((start, "".join(parts)))
            parts = []
        if not line.strip():
            continue
        if len(line) > MOST_LINE:
            raise BadInput(f"Line {number} of {source} is longer than {MOST_LINE:,} characters.")
        parts, length, start = [line], len(line), number
    if parts:
        lines.append((start, "".join(parts)))
    return lines


_NAME = re.compile(r"[A-Za-z0-9-]{1,100}")
_UPTO_COLON = re.compile(r'(?:[^":]|"[^"]*")*:')  # each character has one way to match


def _split(line: str, number: int, source: str) -> tuple[str, dict[str, str], str]:
    """(NAME, {PARAM: value}, value) of one content line: NAME;P=v;Q="a:b":value."""
    bad = f"Line {number} of {source} is not an iCalendar line."
    if '"' not in line:
        head, colon, value = line.partition(":")
        if not colon:
            raise BadInput(bad)
        name, *rest = head.split(";")
        params = {}
        for param in rest:
            key, _, val = param.partition("=")
            params[key.upper()] = val
    else:  # a quoted parameter value may hold ':' and ';'
        upto = _UPTO_COLON.match(line)
        if upto is None:
            raise BadInput(bad)
        colon = upto.end() - 1
        head, value = line[:colon], line[colon + 1 :]
        fields = re.findall(r';([^;="]*)=((?:"[^"]*"|[^;"])*)', head)
        name = head.split(";", 1)[0]
        params = {key.upper(): val.replace('"', "") for key, val in fields}
    if not _NAME.fullmatch(name):
        raise BadInput(bad)
    return name.upper(), params, value


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _unescape(value: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _text(value: str, field: Field, what: str, number: int, source: str) -> str:
    text = _unescape(value)
    if field is SUMMARY:
        text = html.unescape(_TAG.sub("", text))
    try:
        return clean(text, field)
    except BadInput:
        raise BadInput(
            f"{what.capitalize()} on line {number} of {source} is longer than "
            f"{field.limit} characters."
        ) from None


@lru_cache(maxsize=64)
def _zone(tzid: str) -> dt.tzinfo | None:
    """The zone a TZID names, or None for the school's local time."""
    name = tzid.strip().strip('"')
    name = WINDOWS_ZONES.get(name.lower(), name)
    candidates = [name]
    pieces = [piece for piece in name.split("/") if piece]
    if len(pieces) > 2:  # "/mozilla.org/20070129_1/Europe/London"
        candidates.append("/".join(pieces[-2:]))
    for candidate in candidates:
        if re.fullmatch(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+){0,2}", candidate):
            try:
                return zoneinfo.ZoneInfo(candidate)
            except Exception:  # unknown, a folder, not a zone file: all the same to us
                continue
    return None


_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_DATE_TIME = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})(Z?)")


def _when(
    value: str, params: dict[str, str], name: str, number: int, source: str
) -> dt.date | dt.datetime:
    """A DTSTART or DTEND: a date, or a time as naive UTC."""
    value = value.strip()
    said = shown(value, 40)
    kind = params.get("VALUE", "").upper()
    date = _DATE.fullmatch(value)
    moment = None if date else _DATE_TIME.fullmatch(value.upper())
    if (date is None and moment is None) or (kind == "DATE" and date is None):
        raise BadInput(f"Line {number} of {source} has '{said}' for {name}, which is not a date.")
    year, month, day = (int(part) for part in (date or moment).groups()[:3])
    try:
        day_itself = dt.date(year, month, day)
    except ValueError:
        raise BadInput(f"Line {number} of {source} has a date that cannot be: {said}.") from None
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise BadInput(
            f"Line {number} of {source} has a date in {year}; dates must fall between "
            f"{EARLIEST_YEAR} and {LATEST_YEAR}."
        )
    if date is not None:
        return day_itself
    assert moment is not None
    hour, minute, second = (int(part) for part in moment.groups()[3:6])
    try:
        local = dt.datetime.combine(day_itself, dt.time(hour, minute, min(second, 59)))
    except ValueError:
        raise BadInput(f"Line {number} of {source} has a time that cannot be: {said}.") from None
    if moment.group(7):
        return local
    zone = _zone(params["TZID"]) if "TZID" in params else None
    try:
        # floating, or a zone we do not know: the school's local time
        aware = local.astimezone() if zone is None else local.replace(tzinfo=zone)
        return aware.astimezone(dt.UTC).replace(tzinfo=None)
    except (OverflowError, ValueError, OSError):
        raise BadInput(f"Line {number} of {source} has a time that cannot be: {said}.") from None


_DURATION = re.compile(
    r"\+?P(?:([0-9]{1,5})W|(?:([0-9]{1,5})D)?(?:T(?:([0-9]{1,6})H)?(?:([0-9]{1,8})M)?"
    r"(?:([0-9]{1,9})S)?)?)"
)


def _duration(value: str, number: int, source: str) -> dt.timedelta:
    value = value.strip().upper()
    match = _DURATION.fullmatch(value)
    if value.startswith("-"):
        raise BadInput(f"The event on line {number} of {source} ends before it starts.")
    if not match or value in ("P", "+P") or value.endswith("T"):
        raise BadInput(f"Line {number} of {source} has a DURATION that is not a length of time.")
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def _event(props: dict[str, tuple[int, dict[str, str], str]], begun: int, source: str) -> Event:
    """The Event a VEVENT's first DTSTART, DTEND, DURATION, SUMMARY and UID describe."""
    if "SUMMARY" in props:
        number, _, value = props["SUMMARY"]
        summary = _text(value, SUMMARY, "the summary", number, source)
    else:
        summary = ""
    named = f"'{shown(summary, 40)}'" if summary else ""
    if "DTSTART" not in props:
        raise BadInput(
            f"The event {named + ' ' if named else ''}on line {begun} of {source} has no "
            "start date (DTSTART)."
        )
    number, params, value = props["DTSTART"]
    start = _when(value, params, "DTSTART", number, source)
    all_day = not isinstance(start, dt.datetime)
    if "DTEND" in props:
        number, params, value = props["DTEND"]
        end = _when(value, params, "DTEND", number, source)
        if isinstance(end, dt.datetime) != isinstance(start, dt.datetime):
            raise BadInput(
                f"The event {named + ' ' if named else ''}on line {begun} of {source} gives "
                "a date for one of its start and end and a time for the other."
            )
        if all_day and end == start:
            end = start + dt.timedelta(days=1)
    elif "DURATION" in props:
        number, _, value = props["DURATION"]
        length = _duration(value, number, source)
        if all_day and length % dt.timedelta(days=1):
            raise BadInput(
                f"The all-day event on line {begun} of {source} has a DURATION that is not "
                "whole days."
            )
        try:
            end = start + (dt.timedelta(days=length.days) if all_day else length)
        except OverflowError:
            end = dt.datetime.max if isinstance(start, dt.datetime) else dt.date.max
        latest = dt.date(LATEST_YEAR + 1, 1, 1)
        if (end if all_day else end.date()) > latest:
            raise BadInput(
                f"The event on line {begun} of {source} ends after {LATEST_YEAR}; dates must "
                f"fall between {EARLIEST_YEAR} and {LATEST_YEAR}."
            )
    else:
        end = start + dt.timedelta(days=1) if all_day else start
    if end < start:
        raise BadInput(
            f"The event {named + ' ' if named else ''}on line {begun} of {source} ends "
            "before it starts."
        )
    if "UID" in props:
        number, _, value = props["UID"]
        uid = _text(value, UID, "the UID", number, source)
    else:
        uid = ""
    if not uid:  # the same event in the same file always gets the same made-up UID
        digest = hashlib.sha256(f"{start}|{end}|{summary}".encode()).hexdigest()[:20]
        uid = f"{digest}@fitsdesk"
    return Event(summary, start, end, all_day, uid, guess_kind(summary))


_WANTED = ("DTSTART", "DTEND", "DURATION", "SUMMARY", "UID", "STATUS")


def read_events(data: bytes | str, *, source: str = "the file") -> list[Event]:
    """Every event in an iCalendar file of term dates, in file order, or BadInput with
    one sentence saying what is wrong with it (nothing is returned half-read)."""
    source = shown(source, 100) or "the file"  # a file's name is quoted in every refusal
    text = _decode(data, source)
    if not text.strip():
        raise BadInput(f"{_cap(source)} is empty.")
    lines = _lines(text, source)
    if not lines or lines[0][1].strip().upper() != "BEGIN:VCALENDAR":
        raise BadInput(
            f"{_cap(source)} is not an iCalendar file: it does not start with BEGIN:VCALENDAR."
        )
    events: list[Event] = []
    stack: list[str] = []
    props: dict[str, tuple[int, dict[str, str], str]] = {}
    begun = 0
    count = 0
    for number, line in lines:
        name, params, value = _split(line, number, source)
        if name == "BEGIN":
            part = value.strip().upper()
            if not _NAME.fullmatch(part):
                raise BadInput(f"Line {number} of {source} begins a part with no name.")
            if len(stack) >= MOST_DEPTH:
                raise BadInput(
                    f"Line {number} of {source} nests parts more than {MOST_DEPTH} deep."
                )
            if (part == "VCALENDAR") != (not stack):
                where = "inside another part" if stack else "outside BEGIN:VCALENDAR"
                raise BadInput(f"Line {number} of {source} begins {part} {where}.")
            if part == "VEVENT":
                if stack[-1] != "VCALENDAR":
                    raise BadInput(f"Line {number} of {source} begins VEVENT inside {stack[-1]}.")
                count += 1
                if count > MOST_EVENTS:
                    raise BadInput(
                        f"{_cap(source)} has more than {MOST_EVENTS:,} events, the most allowed."
                    )
                props, begun = {}, number
            stack.append(part)
        elif name == "END":
            part = value.strip().upper()
            if not stack:
                raise BadInput(
                    f"Line {number} of {source} ends {shown(part, 20)}, which was never begun."
                )
            if part != stack[-1]:
                raise BadInput(
                    f"Line {number} of {source} ends {shown(part, 20)} where END:{stack[-1]} "
                    "was expected."
                )
            stack.pop()
            if part == "VEVENT":
                status = props.get("STATUS", (0, {}, ""))[2].strip().upper()
                if status != "CANCELLED":
                    events.append(_event(props, begun, source))
        elif not stack:
            raise BadInput(f"Line {number} of {source} is outside BEGIN:VCALENDAR and END.")
        elif stack[-1] == "VEVENT" and name in _WANTED:
            props.setdefault(name, (number, params, value))
    if stack:
        raise BadInput(f"{_cap(source)} stops before END:{stack[-1]}; it may be cut short.")
    return events
