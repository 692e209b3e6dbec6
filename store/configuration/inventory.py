"""The asset register to and from a spreadsheet: the CSV a school's inventory or MIS gives.

    from store.configuration import inventory
    report = inventory.import_assets(Path("devices.csv"), by="jsmith", dry_run=True)
    report.problems          # ['Line 7: ...', ...] every bad row, or none
    inventory.export_assets(Path("register.csv"))

COLUMNS are the columns our export writes, in order. An import's first row names
its columns in any order, each by its key or one of its SYNONYMS ("Asset tag",
"Serial number", "Room"); a column it does not know, or one named twice, stops
the import. Only `tag` and `kind` must be there. Every good row is written, or
none: one bad row and nothing changes. A tag typed in lower case or with spaces
is stored normalised, and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store.configuration.assets import _cleaned, clean_tag, list_assets
from store.db import journal
from store.db.database import insert_rows, write
from store.db.errors import BadInput
from store.db.identity import journal_name
from store.db.models import Asset, Journal, Loan, Location
from store.db.sanitise import shown
from store.db.spreadsheets import Columns, open_table, write_rows
from store.school import people

COLUMNS = (
    "tag",
    "kind",
    "make",
    "model",
    "serial",
    "description",
    "location",
    "assigned_to",
    "status",
    "purchased_on",
    "cost",
    "supplier",
    "warranty_end",
    "notes",
    "part_of",
)
"""The register's columns, as `export_assets` writes them and `import_assets` reads them."""
REQUIRED = ("tag", "kind")
SYNONYMS = {
    "tag": ("tag", "asset tag", "asset", "asset number", "asset no", "asset id", "label"),
    "kind": ("kind", "type", "device type", "category", "asset type"),
    "make": ("make", "manufacturer", "brand"),
    "model": ("model", "model name"),
    "serial": ("serial", "serial number", "serial no", "s/n", "service tag"),
    "description": ("description", "name", "details"),
    "location": ("location", "room", "room code", "location code", "site room"),
    "assigned_to": ("assigned to", "assigned", "user", "owner", "issued to"),
    "status": ("status", "state"),
    "purchased_on": ("purchased on", "purchase date", "date purchased", "purchased", "bought"),
    "cost": ("cost", "price", "purchase cost", "purchase price", "value"),
    "supplier": ("supplier", "vendor", "bought from"),
    "warranty_end": (
        "warranty end",
        "warranty",
        "warranty expiry",
        "warranty until",
        "warranty expires",
    ),
    "notes": ("notes", "comments", "note"),
    "part_of": ("part of", "parent", "parent tag", "goes with"),
}
HEADER = Columns(
    names=SYNONYMS,
    required=REQUIRED,
    more="docs/assets.md has the other names each may have",
)
"""What a devices file's first row may name."""
MOST_ROWS = 100_000
KEEP = object()
"""A device's room when the file says nothing about it: left as it is."""


@dataclass
class InventoryReport:
    """What an import did, or would do on a dry run."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    """One sentence per bad row, starting with its line number."""
    notes: list[str] = field(default_factory=list)
    """Things changed on the way in that the school should know (normalised tags)."""
    changes: list[str] = field(default_factory=list)
    """For each device updated, what changes: 'LAP-0042: assigned to 'Ms Smith' → '9C'."""
    adds: list[str] = field(default_factory=list)
    """Each device added, in words: 'LAP-0042: laptop in S12.'"""
    same: list[str] = field(default_factory=list)
    """The tag of each device the file leaves as it is."""
    written: bool = False


def import_assets(
    path: Path,
    *,
    by: str,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    sheet: str | None = None,
) -> InventoryReport:
    """Add or update devices from a CSV file (or a workbook's sheet: `sheet`, else the
    first) whose first row names its columns (COLUMNS,
    or their SYNONYMS); every good row, or none."""
    report = InventoryReport()
    with open_table(path, HEADER, most_rows=MOST_ROWS, sheet=sheet) as table:
        rooms = {row.code: row.id for row in Location.select(Location.code, Location.id)}
        statuses = {row.tag: row.status for row in Asset.select(Asset.tag, Asset.status)}
        held = {
            tag
            for (tag,) in Asset.select(Asset.tag)
            .join(Loan, on=(Loan.handed_in == Asset.id))
            .where(Loan.returned_at.is_null() & (Asset.status == "in_repair"))
            .tuples()
        }
        wanted: dict[str, tuple[dict, str | None, str | None, int]] = {}
        for row in table.rows():
            line, values = row.line, dict(row.values)
            try:
                if row.problem:
                    raise BadInput(row.problem)
                typed = values.pop("tag").strip()
                tag = clean_tag(typed)
                if typed != tag:
                    report.notes.append(
                        f"Line {line}: the tag '{shown(typed)}' is stored as {tag}."
                    )
                was = statuses.get(tag)
                if was is not None:  # a blank cell leaves what the register has
                    values = {key: value for key, value in values.items() if value.strip()}
                room = values.pop("location", "").strip().upper() or (KEEP if was else None)
                if room not in (None, KEEP) and room not in rooms:
                    raise BadInput(f"there is no location '{shown(room)}' (import the rooms first)")
                parent = values.pop("part_of", "").strip()
                parent_tag = clean_tag(parent) if parent else None
                if not values.get("status", "x").strip():
                    del values["status"]  # a blank status: in use if new, else as it is
                cleaned = _cleaned(values)
                if cleaned.get("status") == "on_loan" and was != "on_loan":
                    raise BadInput("a device goes on loan by lending it at the desk, not by import")
                if was == "on_loan" and cleaned.get("status", was) != was:
                    raise BadInput(f"{tag} is out on loan: return it at the desk first")
                if tag in held and cleaned.get("status", was) != was:
                    raise BadInput(
                        f"{tag} is in for repair with a spare lent for it: "
                        "return the spare at the desk first"
                    )
            except BadInput as exc:
                reason = str(exc).rstrip(".")
                if reason[1:2].islower():  # "The asset tag..." reads on as "the asset tag..."
                    reason = reason[0].lower() + reason[1:]
                report.problems.append(f"Line {line}: {reason}.")
                continue
            if tag in wanted:
                report.problems.append(f"Line {line}: {tag} is already on line {wanted[tag][3]}.")
                continue
            wanted[tag] = (cleaned, room, parent_tag, line)
    known = set(statuses)
    joined = _parents()
    joined.update({tag: parent for tag, (_v, _r, parent, _l) in wanted.items() if parent})
    for tag, (_v, _room, parent, line) in wanted.items():
        if parent and parent not in wanted and parent not in known:
            report.problems.append(
                f"Line {line}: it is a part of {parent}, which is on "
                "neither the register nor this file."
            )
        if parent == tag:
            report.problems.append(f"Line {line}: {tag} cannot be a part of itself.")
        elif parent:
            above, seen = parent, {tag}
            while above is not None and above not in seen:  # no circles of parts
                seen.add(above)
                above = joined.get(above)
            if above == tag:
                report.problems.append(
                    f"Line {line}: {tag} cannot be a part of {parent}, "
                    f"which is already a part of {tag}."
                )
    if report.problems:
        report.problems.sort(key=lambda problem: int(problem.split(":")[0].split()[1]))
        return report
    if not wanted:
        raise BadInput(f"{table.name} has no devices in it: nothing was imported.")
    _write(wanted, rooms, report, by=by, dry_run=dry_run, progress=progress)
    return report


def _write(
    wanted: dict,
    rooms: dict,
    report: InventoryReport,
    *,
    by: str,
    dry_run: bool,
    progress: Callable[[int, int], None] | None,
) -> None:
    now = journal.now()
    codes = {location_id: code for code, location_id in rooms.items()}
    with write():
        people.active_technician(by)
        existing = {row.tag: row for row in Asset.select()}
        fresh, total = [], len(wanted)
        for done, (tag, (values, room, parent, _line)) in enumerate(wanted.items(), start=1):
            location_id = rooms[room] if room not in (None, KEEP) else None
            row = existing.get(tag)
            if row is None:
                report.added += 1
                fresh.append({"tag": tag, "location": location_id, **_defaults(values)})
                where = f" in {room}" if room not in (None, KEEP) else ""
                report.adds.append(f"{tag}: {fresh[-1]['kind'].replace('_', ' ')}{where}.")
            else:
                moved = {k: v for k, v in values.items() if getattr(row, k) != v}
                if room is not KEEP and location_id != row.location_id:
                    moved["location"] = location_id
                joins = bool(parent) and (
                    parent not in existing or existing[parent].id != row.part_of_id
                )  # the part_of itself is written, and journalled, once new rows have ids
                if moved or joins:
                    report.updated += 1
                    report.changes.append(
                        _said(tag, row, moved, codes, room, parent if joins else None)
                    )
                    if not dry_run:
                        plain = {k: v for k, v in moved.items() if k != "location"}
                        journal.changes(by, row, "import", plain, at=now)
                        if "location" in moved:
                            journal.record(
                                by,
                                row,
                                "import",
                                field="location",
                                before=codes.get(row.location_id),
                                after=room,
                                at=now,
                            )
                        Asset.update(**moved, version=row.version + 1).where(
                            Asset.id == row.id
                        ).execute()
                else:
                    report.unchanged += 1
                    report.same.append(tag)
            if progress and done % 500 == 0:
                progress(done, total)
        if dry_run:
            report.written = False
            if progress:
                progress(total, total)
            return
        insert_rows(Asset, fresh)
        ids = {row.tag: row.id for row in Asset.select(Asset.tag, Asset.id)}
        added = [
            {
                "at": now,
                "who": journal_name(by),
                "record": "asset",
                "record_id": ids[item["tag"]],
                "action": "import",
                "after": f"{item['tag']} {item['kind']}",
            }
            for item in fresh
        ]
        insert_rows(Journal, added)
        for tag, (_values, _room, parent, _line) in wanted.items():
            current = Asset.get_by_id(ids[tag]).part_of_id if parent else None
            if parent and current != ids[parent]:
                Asset.update(part_of=ids[parent]).where(Asset.id == ids[tag]).execute()
                journal.record(
                    by,
                    Asset(id=ids[tag]),
                    "import",
                    field="part_of",
                    before=Asset.get_by_id(current).tag if current else None,
                    after=parent,
                    at=now,
                )
        if progress:
            progress(total, total)
    report.written = True


def _said(tag: str, row, moved: dict, codes: dict, room: str | None, parent: str | None) -> str:
    """One device's changes in words, for the report."""
    parts = []
    for name, after in moved.items():
        if name == "location":
            parts.append(f"room {codes.get(row.location_id) or '-'} → {room or '-'}")
            continue
        before = getattr(row, name)
        if name == "cost_pence":
            name, before, after = "cost", _pounds(before), _pounds(after)
        words = name.replace("_", " ")
        parts.append(f"{words} '{shown(str(before or ''), 40)}' → '{shown(str(after or ''), 40)}'")
    if parent:
        parts.append(f"part of {parent}")
    return f"{tag}: " + "; ".join(parts) + "."


def _pounds(pence: int | None) -> str:
    return "" if pence is None else f"£{pence / 100:,.2f}"


def _defaults(values: dict) -> dict:
    """A new row's values, with the register's defaults for what the file left out."""
    row = {
        "kind": "other",
        "description": "",
        "make": "",
        "model": "",
        "serial": "",
        "assigned_to": "",
        "status": "in_use",
        "purchased_on": None,
        "cost_pence": None,
        "supplier": "",
        "warranty_end": None,
        "notes": "",
        "version": 1,
    }
    row.update(values)
    return row


def export_assets(path: Path, **filters) -> int:
    """Write the register (or the part `filters` choose, as list_assets takes them) to a
    CSV in COLUMNS order, ready to import again; return how many devices."""
    found = list_assets(**filters)

    def cells(device) -> list[object]:
        return [
            device.tag,
            device.kind,
            device.make,
            device.model,
            device.serial,
            device.description,
            device.location or "",
            device.assigned_to,
            device.status,
            device.purchased_on.isoformat() if device.purchased_on else "",
            f"{device.cost_pence / 100:.2f}" if device.cost_pence is not None else "",
            device.supplier,
            device.warranty_end.isoformat() if device.warranty_end else "",
            device.notes,
            parents.get(device.tag, ""),
        ]

    parents = _parents()
    return write_rows(path, COLUMNS, (cells(device) for device in found))


def _parents() -> dict[str, str]:
    """Each part's tag and the tag of what it goes with."""
    parent = Asset.alias()
    query = (
        Asset.select(Asset.tag, parent.tag).join(parent, on=(Asset.part_of == parent.id)).tuples()
    )
    return dict(query)
