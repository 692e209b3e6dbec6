"""Calendar files: term dates from an iCalendar file (.ics, as councils publish them), or
the whole calendar, timetable included, written in TOML.

    from store.school import calendar_files
    calendar_files.import_file(Path("term-dates-2026-27.ics"), by="jsmith")
    calendar_files.import_file(Path("calendar.toml"), by="jsmith")

A file's events replace those the same file brought before (by its name), so a
council's updated file can be imported again. Everything is checked before
anything is written: a bad file changes nothing.

The TOML form (dates are whole days, the last one included; times are local):

    [[period]]
    name = "Period 1"
    kind = "lesson"          # lesson, registration, break, lunch, after_school
    start = "08:50"
    end = "09:50"
    days = "12345"           # ISO weekdays; Monday to Friday unless said

    [[event]]
    kind = "holiday"         # term, holiday, inset, exam, freeze, other
    title = "October half term"
    start = 2026-10-26
    end = 2026-10-30
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from store.db.database import write
from store.db.errors import BadInput, NotFound
from store.db.sanitise import shown
from store.db.spreadsheets import open_plain
from store.school import calendar

MOST_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Imported:
    """What an import did."""

    source: str
    added: int
    removed: int
    periods: int | None
    """Periods in the new timetable, when the file had one."""


def _read(path: Path) -> bytes:
    """The file's bytes, if it is a plain file of at most MOST_BYTES; never more is read."""
    too_big = f"{shown(path.name)} is over 5 MB: that is not a school calendar."
    try:
        with open_plain(path, shown(os.fspath(path), 200), "a calendar file") as handle:
            if os.fstat(handle.fileno()).st_size > MOST_BYTES:
                raise BadInput(too_big)
            data = handle.read(MOST_BYTES + 1)  # a file that grew since is still cut short
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise BadInput(f"{path} cannot be read ({exc.__class__.__name__}).") from None
    if len(data) > MOST_BYTES:
        raise BadInput(too_big)
    return data


def import_file(path: Path, *, by: str) -> Imported:
    """Import an .ics or .toml calendar file (by its content when the name says neither)."""
    data = _read(path)
    head = data[:2000].lstrip(b"\xef\xbb\xbf \t\r\n")
    if path.suffix.lower() in (".ics", ".ical", ".ifb") or head.upper().startswith(
        b"BEGIN:VCALENDAR"
    ):
        return _import_ics(data, path.name, by)
    return _import_toml(data, path.name, by)


def _import_ics(data: bytes, source: str, by: str) -> Imported:
    from store.school import icalendar

    events = []
    for event in icalendar.read_events(data, source=source):
        start, end = event.start, event.end
        if event.all_day:  # iCalendar's end day is exclusive; ours is the last day
            end = end - dt.timedelta(days=1)
        events.append((event.kind, event.summary, start, end, event.uid))
    if not events:
        raise BadInput(f"{source} has no events in it.")
    added, removed = calendar.replace_events(events, source=source, by=by)
    return Imported(source, added, removed, None)


def _import_toml(data: bytes, source: str, by: str) -> Imported:
    import tomllib

    try:
        raw = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BadInput(f"{source} is neither iCalendar nor UTF-8 TOML.") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{source} is not valid TOML: {exc}.") from None
    unknown = sorted(set(raw) - {"period", "event"})
    if unknown:
        raise BadInput(f"{source}: '{unknown[0]}' is not part of a calendar (period, event).")
    periods = raw.get("period")
    events = raw.get("event", [])
    if not isinstance(events, list) or (periods is not None and not isinstance(periods, list)):
        raise BadInput(f"{source}: write each period as [[period]] and each event as [[event]].")
    rows = []
    for number, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            raise BadInput(f"{source}: event {number} must be a table.")
        start, end = event.get("start"), event.get("end", event.get("start"))
        if isinstance(start, dt.time) or isinstance(end, dt.time):
            raise BadInput(f"{source}: event {number} needs dates, not only times.")
        start, end = (
            calendar.to_utc(v) if isinstance(v, dt.datetime) and v.tzinfo is None else v
            for v in (start, end)
        )  # TOML's times without an offset are the school's local times
        rows.append((event.get("kind", "other"), event.get("title", ""), start, end, ""))
    try:
        if periods is not None:
            calendar.check_timetable(periods)
        with write():  # events and timetable together, or neither
            added, removed = calendar.replace_events(rows, source=source, by=by)
            count = len(calendar.set_timetable(periods, by=by)) if periods is not None else None
    except BadInput as exc:
        raise BadInput(f"{source}: {exc}") from None
    return Imported(source, added, removed, count)
