"""The school's rooms and places.

    from store import locations
    locations.add_location("S12", "Science lab 12", site="Main", by="jsmith")
    locations.import_locations(Path("rooms.csv"), by="jsmith")   # all good rows or none

Codes are the school's own (no two schools share them), kept in upper case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store import journal, people
from store.database import read, write
from store.errors import BadInput, NotFound
from store.models import Location
from store.sanitise import CODE, PLACE_NAME, SITE, clean, clean_code
from store.spreadsheets import read_rows

MAX_IMPORT_ROWS = 20_000
_HEADERS = {
    "code": (
        "code",
        "room",
        "room code",
        "roomcode",
        "room_code",
        "short name",
        "room no",
        "room number",
        "id",
    ),
    "name": ("name", "room name", "description", "long name", "title", "full name"),
    "site": ("site", "building", "campus", "block", "school"),
}


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


def _columns(header: list[str]) -> dict[str, int] | None:
    """Column positions from a header row, or None if the row is data."""
    names = [cell.strip().lower().replace("-", " ") for cell in header]
    found = {}
    for key, synonyms in _HEADERS.items():
        for position, name in enumerate(names):
            if name in synonyms:
                found[key] = position
                break
    return found if "code" in found else None


def import_locations(
    path: Path,
    *,
    by: str,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Add or update locations from a CSV of rooms: code, name, site (a header row with
    names like 'Room', 'Description', 'Building' is recognised). Every good row or none."""
    rows = read_rows(path)
    report = ImportReport()
    if not rows:
        raise BadInput(f"{path} is empty: nothing was imported.")
    columns = _columns(rows[0])
    first_line = 2 if columns else 1
    if columns is None:
        columns = {"code": 0, "name": 1, "site": 2}
    data = rows[first_line - 1 :]
    if len(data) > MAX_IMPORT_ROWS:
        report.problems.append(f"{path} has {len(data)} rows; the most is {MAX_IMPORT_ROWS}.")
        return report
    wanted: dict[str, tuple[str, str, int]] = {}
    for line, cells in enumerate(data, start=first_line):
        if not any(cell.strip() for cell in cells):
            continue
        try:

            def cell(key: str, cells=cells) -> str:
                position = columns.get(key)
                return cells[position] if position is not None and position < len(cells) else ""

            code = clean_code(cell("code"), CODE)
            name = clean(cell("name") or code, PLACE_NAME)
            site = clean(cell("site"), SITE)
        except BadInput as exc:
            report.problems.append(f"Line {line}: {exc}")
            continue
        if code in wanted:
            report.problems.append(f"Line {line}: {code} is already on line {wanted[code][2]}.")
            continue
        wanted[code] = (name, site, line)
    if report.problems or not wanted:
        if not wanted and not report.problems:
            raise BadInput(f"{path} has no rooms in it: nothing was imported.")
        return report
    with write():
        people.active_technician(by)
        existing = {row.code: row for row in Location.select()}
        for done, (code, (name, site, _line)) in enumerate(wanted.items(), start=1):
            row = existing.get(code)
            if row is None:
                report.added += 1
                if not dry_run:
                    row = Location.create(code=code, name=name, site=site)
                    journal.record(by, row, "import", after=f"{code} {name}")
            elif (row.name, row.site) != (name, site):
                report.updated += 1
                if not dry_run:
                    journal.changes(by, row, "import", {"name": name, "site": site})
                    Location.update(name=name, site=site).where(Location.id == row.id).execute()
            else:
                report.unchanged += 1
            if progress:
                progress(done, len(wanted))
    report.written = not dry_run
    return report
