"""The school's rooms and places.

    from store.school import locations
    locations.add_location("S12", "Science lab 12", site="Main", by="jsmith")
    locations.import_locations(Path("rooms.csv"), by="jsmith")   # all good rows or none
    locations.remove_location("S12", by="jsmith")    # only if nothing refers to it

Codes are the school's own (no two schools share them), kept in upper case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store.db import journal
from store.db.database import is_sqlite, read, write
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import Location
from store.db.sanitise import CODE, PLACE_NAME, SITE, clean, clean_code, shown
from store.db.spreadsheets import Columns, open_table
from store.school import people

MAX_IMPORT_ROWS = 20_000
COLUMNS = Columns(
    names={
        "code": (
            "Room",
            "Room Code",
            "RoomCode",
            "Room No",
            "Room Number",
            "Short Name",
            "ID",
        ),
        "name": ("Room Name", "RoomName", "Description", "Long Name", "Title", "Full Name"),
        "site": ("Building", "Campus", "Block", "School", "Site Name"),
    },
    required=("code",),
    examples=3,
)
"""The columns a rooms file may have, and the names MIS exports give them."""
USED_BY = {
    "incident": "call",
    "asset": "device",
    "kiosk": "kiosk",
    "notice": "notice",
    "software_install": "software install",
    "calendar_event": "calendar event",
    "problem_location": "problem",
    "change_location": "change",
}
"""Every table that refers to a room, by what a person calls its rows."""


@dataclass(frozen=True)
class LocationInfo:
    """A location as screens see it."""

    code: str
    name: str
    site: str


@dataclass
class ImportReport:
    """What an import did, or would do on a dry run."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    """One sentence per bad row, starting with its line number."""
    adds: list[str] = field(default_factory=list)
    """Each room added, in words: 'S1: Science 1, site Main.'"""
    changes: list[str] = field(default_factory=list)
    """Each room changed, with the change: LIB: name 'Library' → 'Library 2'."""
    same: list[str] = field(default_factory=list)
    """The code of each room the file leaves as it is."""
    written: bool = False


def _info(row: Location) -> LocationInfo:
    return LocationInfo(row.code, row.name, row.site)


def location(code: str) -> LocationInfo:
    """A location by its code, or NotFound."""
    return _info(location_row(code))


def location_row(code: object) -> Location:
    """The Location row for a code, or NotFound naming it."""
    code = clean_code(code, CODE)
    with read():
        row = Location.get_or_none(Location.code == code)
    if row is None:
        raise NotFound(f"There is no location '{code}'. See: fitsdesk location list.")
    return row


def add_location(code: str, name: str, *, site: str = "", by: str) -> LocationInfo:
    """Add a room or place; its code must be new."""
    code = clean_code(code, CODE)
    name = clean(name, PLACE_NAME)
    site = clean(site, SITE)
    with write():
        people.active_technician(by)
        if Location.get_or_none(Location.code == code):
            raise BadInput(f"There is already a location '{code}'.")
        row = Location.create(code=code, name=name, site=site)
        journal.record(by, row, "add", after=f"{code} {name}")
        return _info(row)


def _natural(code: str) -> list:
    """S2 before S10, as people count rooms."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def list_locations(search: str = "") -> list[LocationInfo]:
    """Locations by code, S2 before S10; `search` keeps those whose code or name has it."""
    with read():
        query = Location.select().order_by(Location.code)
        if search:
            query = query.where(
                Location.code.contains(search.strip()) | Location.name.contains(search.strip())
            )
        return sorted((_info(row) for row in query), key=lambda place: _natural(place.code))


def import_locations(
    path: Path,
    *,
    by: str,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    sheet: str | None = None,
) -> ImportReport:
    """Add or update locations from a CSV of rooms (or a workbook's sheet: `sheet`, else
    the first) whose first row names its columns
    (COLUMNS: code, and name and site if wanted). Every good row or none; a blank cell,
    or a column the file does not have, leaves a room's name or site as it is."""
    report = ImportReport()
    wanted: dict[str, tuple[str | None, str | None, int]] = {}
    with open_table(path, COLUMNS, most_rows=MAX_IMPORT_ROWS, sheet=sheet) as table:
        for row in table.rows():
            try:
                if row.problem:
                    raise BadInput(row.problem)
                code = clean_code(row.values["code"], CODE)
                typed_name = row.values.get("name", "").strip()
                typed_site = row.values.get("site", "").strip()
                name = clean(typed_name, PLACE_NAME) if typed_name else None
                site = clean(typed_site, SITE) if typed_site else None
            except BadInput as exc:
                report.problems.append(f"Line {row.line}: {_reads_on(exc)}")
                continue
            if code in wanted:
                report.problems.append(
                    f"Line {row.line}: {code} is already on line {wanted[code][2]}."
                )
                continue
            wanted[code] = (name, site, row.line)
    if report.problems:
        return report
    if not wanted:
        raise BadInput(f"{table.name} has no rooms in it: nothing was imported.")
    with write():
        people.active_technician(by)
        existing = {row.code: row for row in Location.select()}
        for done, (code, (name, site, _line)) in enumerate(wanted.items(), start=1):
            row = existing.get(code)
            if row is None:
                name, site = name or code, site or ""
                report.added += 1
                report.adds.append(f"{code}: {name}" + (f", site {site}." if site else "."))
                if not dry_run:
                    row = Location.create(code=code, name=name, site=site)
                    journal.record(by, row, "import", after=f"{code} {name}")
            else:
                new = {"name": name or row.name, "site": row.site if site is None else site}
                moved = {key: value for key, value in new.items() if getattr(row, key) != value}
                if moved:
                    report.updated += 1
                    report.changes.append(_said(row, moved))
                    if not dry_run:
                        journal.changes(by, row, "import", moved)
                        Location.update(**moved).where(Location.id == row.id).execute()
                else:
                    report.unchanged += 1
                    report.same.append(code)
            if progress:
                progress(done, len(wanted))
    report.written = not dry_run
    return report


def _reads_on(exc: BadInput) -> str:
    """A refusal as it reads after "Line 7: "."""
    reason = str(exc).rstrip(".")
    if reason[1:2].islower():  # "The code..." reads on as "the code..."
        reason = reason[0].lower() + reason[1:]
    return reason + "."


def _said(row: Location, moved: dict) -> str:
    """One room's changes in words, for the report."""
    parts = [
        f"{key} '{shown(getattr(row, key), 40)}' → '{shown(value, 40)}'"
        for key, value in moved.items()
    ]
    return f"{row.code}: " + "; ".join(parts) + "."


def remove_location(code: str, *, by: str) -> LocationInfo:
    """Remove a room that nothing refers to; else Refused saying, with counts, what does."""
    code = clean_code(code, CODE)
    with write():
        people.active_technician(by)
        query = Location.select().where(Location.code == code)
        if not is_sqlite():
            query = query.for_update()  # a call or device added meanwhile waits, then fails
        row = query.first()
        if row is None:
            raise NotFound(f"There is no location '{code}'. See: fitsdesk location list.")
        counts = {
            foreign_key.model._meta.table_name: foreign_key.model.select()
            .where(foreign_key == row.id)
            .count()
            for foreign_key in Location._meta.backrefs
        }
        uses = {
            USED_BY.get(table, "other record"): count
            for table, count in sorted(counts.items(), key=lambda item: _order(item[0]))
            if count
        }
        if uses:
            raise Refused(_still_used(code, uses))
        journal.record(by, row, "remove", before=f"{code} {row.name}")
        row.delete_instance()
    return _info(row)


def _order(table: str) -> int:
    return list(USED_BY).index(table) if table in USED_BY else len(USED_BY)


def _still_used(code: str, uses: dict[str, int]) -> str:
    """What still refers to a room, in one sentence with the counts."""
    words = [f"{count} {what}{'' if count == 1 else 's'}" for what, count in uses.items()]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    verb = "is" if sum(uses.values()) == 1 else "are"
    if "call" in uses:  # a call keeps the room it was logged in, for its history
        return f"{code} is still where {listed} {verb}: a room calls were logged in is kept."
    return f"{code} is still where {listed} {verb}: move {'it' if verb == 'is' else 'them'} first."
