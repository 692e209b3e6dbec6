"""The asset register: every device the school owns, where it is, who has it, and its
history, known by the tag on its QR label.

    from store import assets
    assets.add_asset("LAP-0042", kind="laptop", make="Dell", model="Latitude 3440",
                     serial="7HX2Q", location="LIB", purchased_on="2024-09-01",
                     cost="£649.00", by="jsmith")
    assets.move_asset("lap-0042", "S12", by="jsmith")     # tags are matched in upper case
    assets.attach_part("PSU-0042", "LAP-0042", by="jsmith")
    assets.history("LAP-0042").repeat_faults          # [('laptop', 4)]: its fourth this year

Every change is journalled like an incident's. Loans of spares are in
`store.loans`, the spreadsheet import and export in `store.inventory`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import peewee as pw

from store import calls, journal
from store.database import read, write
from store.errors import BadInput, NotFound, Refused
from store.locations import location_row
from store.models import Asset, Category, Incident, Location
from store.records import Call
from store.sanitise import DESCRIPTION, TAG, Field, clean, clean_code, shown

KINDS = {
    "laptop": "Laptop",
    "chromebook": "Chromebook",
    "desktop": "Desktop",
    "tablet": "Tablet",
    "printer": "Printer",
    "projector": "Projector",
    "panel": "Interactive panel",
    "access_point": "Access point",
    "switch": "Switch",
    "server": "Server",
    "power_supply": "Power supply",
    "other": "Other",
}
"""Each kind of device and its name in words."""
STATUS_WORDS = {
    "in_use": "In use",
    "spare": "Spare",
    "in_repair": "In repair",
    "on_loan": "On loan",
    "retired": "Retired",
}
REPEAT_FAULTS = 3
"""Incidents in one category within twelve months that flag a device as a repeat fault."""
SHORT = Field("this", 120, required=False)
NOTES = Field("the notes", 4000, multiline=True, required=False)
EDITABLE = (
    "kind",
    "description",
    "make",
    "model",
    "serial",
    "assigned_to",
    "status",
    "purchased_on",
    "cost",
    "supplier",
    "warranty_end",
    "notes",
)
"""Fields `update_asset` changes (location and parts have their own functions)."""


@dataclass(frozen=True)
class AssetInfo:
    """A device as screens see it."""

    tag: str
    kind: str
    description: str
    location: str | None
    location_name: str | None = None
    make: str = ""
    model: str = ""
    serial: str = ""
    assigned_to: str = ""
    status: str = "in_use"
    purchased_on: dt.date | None = None
    cost_pence: int | None = None
    supplier: str = ""
    warranty_end: dt.date | None = None
    notes: str = ""
    part_of: str | None = None
    parts: tuple[str, ...] = ()
    version: int = 1

    @property
    def name(self) -> str:
        """What a person calls it: make and model, or its description, or its kind."""
        made = " ".join(part for part in (self.make, self.model) if part)
        return made or self.description or KINDS.get(self.kind, self.kind)

    @property
    def cost(self) -> str:
        """The purchase cost in pounds, or ''."""
        return "" if self.cost_pence is None else f"£{self.cost_pence / 100:,.2f}"


# -- what people type, made into what is stored


def clean_kind(value: object) -> str:
    """A kind by its short name or its words: 'Interactive panel' is panel."""
    text = str(value or "").strip().lower().replace("-", " ").replace("_", " ")
    for key, words in KINDS.items():
        if text in (key.replace("_", " "), words.lower()):
            return key
    if text in ("access point", "wap", "ap"):
        return "access_point"
    if text in ("psu", "charger", "power pack", "power supply"):
        return "power_supply"
    raise BadInput(
        f"'{shown(value)}' is not a kind of device: choose from "
        f"{', '.join(KINDS.values()).lower()}."
    )


def clean_status(value: object) -> str:
    """A status by its short name or its words: 'In repair' is in_repair."""
    text = str(value or "").strip().lower().replace("-", " ").replace("_", " ")
    for key, words in STATUS_WORDS.items():
        if text in (key.replace("_", " "), words.lower()):
            return key
    raise BadInput(
        f"'{shown(value)}' is not a status: choose from {', '.join(STATUS_WORDS.values()).lower()}."
    )


def clean_date(value: object, what: str) -> dt.date | None:
    """A date as 2024-09-01 or 01/09/2024 (day first, as schools write it), or None."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            day, month, year = (int(part) for part in text.split("/"))
            return dt.date(year, month, day)
    except ValueError:
        pass
    raise BadInput(
        f"'{shown(value)}' is not a date for the {what}: write 2024-09-01 or 01/09/2024."
    )


def clean_cost(value: object) -> int | None:
    """A cost like £649, 649.00 or 1,299.99 as whole pence, or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(",", "").removeprefix("£").strip()
    if not re.fullmatch(r"\d{1,7}(\.\d{1,2})?", text):
        raise BadInput(f"'{shown(value)}' is not a cost: write it like 649.00.")
    pounds, _, pence = text.partition(".")
    return int(pounds) * 100 + int((pence + "00")[:2])


def clean_tag(value: object) -> str:
    """A tag as printed on labels: upper case, no spaces (a space becomes a dash)."""
    if isinstance(value, str):
        value = re.sub(r"\s+", "-", value.strip())
    tag = clean_code(value, TAG)
    if len(tag) > TAG.limit:  # upper case can lengthen it: 'ß' is 'SS'
        raise BadInput(
            f"The asset tag is too long: {len(tag)} characters, the most is {TAG.limit}."
        )
    return tag


def _cleaned(changes: dict) -> dict:
    """Stored values for the EDITABLE fields given."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise BadInput(f"An asset has no field '{shown(sorted(unknown)[0])}'.")
    out: dict = {}
    for name, value in changes.items():
        if name == "kind":
            out["kind"] = clean_kind(value)
        elif name == "status":
            out["status"] = clean_status(value)
        elif name in ("purchased_on", "warranty_end"):
            out[name] = clean_date(value, name.replace("_", " "))
        elif name == "cost":
            out["cost_pence"] = clean_cost(value)
        elif name == "notes":
            out["notes"] = clean(value, NOTES)
        elif name == "description":
            out["description"] = clean(value, DESCRIPTION)
        else:
            out[name] = clean(value, SHORT)
    return out


# -- reading


def _info(
    row: Asset,
    place: Location | None = None,
    part_of: str | None = None,
    parts: tuple[str, ...] = (),
) -> AssetInfo:
    return AssetInfo(
        row.tag,
        row.kind,
        row.description,
        place.code if place else None,
        place.name if place else None,
        row.make,
        row.model,
        row.serial,
        row.assigned_to,
        row.status,
        row.purchased_on,
        row.cost_pence,
        row.supplier,
        row.warranty_end,
        row.notes,
        part_of,
        parts,
        row.version,
    )


def asset_row(tag: object) -> Asset:
    """The Asset row for a tag, or NotFound naming it."""
    tag = clean_tag(tag)
    with read():
        row = Asset.get_or_none(Asset.tag == tag)
    if row is None:
        raise NotFound(f"No asset is tagged '{tag}'.")
    return row


def asset(tag: str) -> AssetInfo:
    """A device by tag, with its place, what it is part of and its parts; or NotFound."""
    row = asset_row(tag)
    with read():
        place = Location.get_by_id(row.location_id) if row.location_id else None
        part_of = Asset.get_by_id(row.part_of_id).tag if row.part_of_id else None
        parts = tuple(
            a.tag
            for a in Asset.select(Asset.tag).where(Asset.part_of == row.id).order_by(Asset.tag)
        )
    return _info(row, place, part_of, parts)


def list_assets(
    search: str = "",
    *,
    location: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[AssetInfo]:
    """Devices by tag; `search` looks in tag, make, model, serial, description and holder."""
    query = (
        Asset.select(Asset, Location)
        .join(Location, pw.JOIN.LEFT_OUTER, on=(Asset.location == Location.id))
        .order_by(Asset.tag)
    )
    if search:
        text = clean(search, SHORT)
        if text:  # contains() escapes % and _, so they are searched for as typed
            query = query.where(
                Asset.tag.contains(text.upper())
                | Asset.make.contains(text)
                | Asset.model.contains(text)
                | Asset.serial.contains(text)
                | Asset.description.contains(text)
                | Asset.assigned_to.contains(text)
            )
    if location:
        query = query.where(Location.code == clean_code(location))
    if kind:
        query = query.where(Asset.kind == clean_kind(kind))
    if status:
        query = query.where(Asset.status == clean_status(status))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    with read():
        return [_info(row, row.location) for row in query]


# -- changing


def add_asset(
    tag: str,
    *,
    kind: str = "other",
    location: str | None = None,
    part_of: str | None = None,
    by: str,
    **fields,
) -> AssetInfo:
    """Put a device on the register. `fields` are any of EDITABLE but kind."""
    tag = clean_tag(tag)
    values = _cleaned({"kind": kind, **fields})
    try:
        place = location_row(location) if location else None
        parent = asset_row(part_of) if part_of else None
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    with write():
        if Asset.get_or_none(Asset.tag == tag):
            raise BadInput(f"There is already an asset tagged '{tag}'.")
        row = Asset.create(tag=tag, location=place, part_of=parent, **values)
        journal.record(by, row, "add", after=f"{tag} {values['kind']}")
    return asset(tag)


def _for_change(tag: object, seen_version: int | None) -> Asset:
    row = asset_row(tag)
    row = Asset.select().where(Asset.id == row.id).first()  # read again inside the write
    if seen_version is not None and row.version != seen_version:
        raise Refused(f"{row.tag} was just changed by someone else: look at it again.")
    return row


def _change(row: Asset, who: str, action: str, updates: dict) -> None:
    plain = {k: v for k, v in updates.items() if k not in ("location", "part_of")}
    journal.changes(who, row, action, plain)
    Asset.update(**updates, version=row.version + 1).where(Asset.id == row.id).execute()


def update_asset(tag: str, *, by: str, seen_version: int | None = None, **changes) -> AssetInfo:
    """Change any of EDITABLE; what is unchanged is left alone and not journalled."""
    values = _cleaned(changes)
    with write():
        row = _for_change(tag, seen_version)
        if "status" in values and values["status"] == "on_loan" and row.status != "on_loan":
            raise Refused(
                "A device goes on loan by lending it (the desk's swap), so the loan is recorded."
            )
        if "status" in values and row.status == "on_loan" and values["status"] != "on_loan":
            raise Refused(f"{row.tag} is out on loan: return it first.")  # else the loan stays open
        moved = {k: v for k, v in values.items() if getattr(row, k) != v}
        if moved:
            _change(row, by, "update", moved)
    return asset(row.tag)


def move_asset(tag: str, location: str | None, *, by: str) -> AssetInfo:
    """Say where a device now is (None: nowhere in particular)."""
    try:
        place = location_row(location) if location else None
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    with write():
        row = _for_change(tag, None)
        if row.location_id == (place.id if place else None):
            raise Refused(f"{row.tag} is already {'in ' + place.code if place else 'nowhere'}.")
        before = Location.get_by_id(row.location_id).code if row.location_id else None
        journal.record(
            by, row, "move", field="location", before=before, after=place.code if place else None
        )
        _change(row, by, "move", {"location": place.id if place else None})
    return asset(row.tag)


def retire_asset(tag: str, reason: str, *, by: str) -> AssetInfo:
    """Take a device out of use for good (sold, broken beyond repair); its history stays."""
    reason = clean(reason, Field("the reason", 500))
    with write():
        row = _for_change(tag, None)
        if row.status == "retired":
            raise Refused(f"{row.tag} is already retired.")
        if row.status == "on_loan":
            raise Refused(f"{row.tag} is out on loan: return it first.")
        notes = (row.notes + "\n" if row.notes else "") + f"Retired: {reason}"
        _change(row, by, "retire", {"status": "retired", "notes": notes})
    return asset(row.tag)


def attach_part(part: str, to: str, *, by: str) -> AssetInfo:
    """Record that `part` goes with `to` (a laptop's charger, a panel's PC)."""
    with write():
        child, parent = _for_change(part, None), _for_change(to, None)
        if child.id == parent.id:
            raise Refused("A device cannot be a part of itself.")
        above, seen = parent, set()
        while above.part_of_id and above.id not in seen:  # no circles of parts
            seen.add(above.id)
            if above.part_of_id == child.id:
                raise Refused(f"{parent.tag} is already a part of {child.tag}.")
            above = Asset.get_by_id(above.part_of_id)
        if child.part_of_id == parent.id:
            raise Refused(f"{child.tag} is already a part of {parent.tag}.")
        before = Asset.get_by_id(child.part_of_id).tag if child.part_of_id else None
        journal.record(by, child, "attach", field="part_of", before=before, after=parent.tag)
        _change(child, by, "attach", {"part_of": parent.id})
    return asset(parent.tag)


def detach_part(part: str, *, by: str) -> AssetInfo:
    """`part` no longer goes with anything."""
    with write():
        child = _for_change(part, None)
        if child.part_of_id is None:
            raise Refused(f"{child.tag} is not a part of anything.")
        before = Asset.get_by_id(child.part_of_id).tag
        journal.record(by, child, "detach", field="part_of", before=before, after=None)
        _change(child, by, "detach", {"part_of": None})
    return asset(child.tag)


# -- history


@dataclass(frozen=True)
class AssetHistory:
    """A device and everything that has happened to it, newest first."""

    asset: AssetInfo
    calls: tuple[Call, ...]
    last_twelve_months: int
    """How many calls about it were logged in the last twelve months."""
    repeat_faults: tuple[tuple[str, int], ...] = ()
    """(category, calls) with REPEAT_FAULTS or more in twelve months."""
    changes: tuple[journal.JournalEntry, ...] = ()
    """Moves, status changes and the rest, from the journal."""
    loans: tuple = ()
    """store.loans.LoanInfo for every loan this device was lent or handed in for."""


def repeat_faults(asset_id: int, since: dt.datetime) -> list[tuple[str, int]]:
    """Categories with REPEAT_FAULTS or more calls about one device since `since`."""
    query = (
        Incident.select(Category.name, pw.fn.COUNT(Incident.id))
        .join(Category, on=(Incident.category == Category.id))
        .where((Incident.asset == asset_id) & (Incident.logged_at >= since))
        .group_by(Category.name)
        .having(pw.fn.COUNT(Incident.id) >= REPEAT_FAULTS)
        .order_by(pw.fn.COUNT(Incident.id).desc(), Category.name)
        .tuples()
    )
    return list(query)


def history(tag: str) -> AssetHistory:
    """What a scan of a device's label shows: the device, its calls, moves and loans."""
    from store import loans  # loans name assets: imported here to keep the one way round

    device = asset(tag)
    year_ago = journal.now() - dt.timedelta(days=365)
    with read():
        row = asset_row(device.tag)
        query = (
            calls.base_query()
            .where(Incident.asset == row.id)
            .order_by(Incident.logged_at.desc(), Incident.id.desc())
        )
        found = tuple(calls.to_call(values) for values in query)
        flags = tuple(repeat_faults(row.id, year_ago))
    changes = tuple(reversed(journal.history("asset", row.id)))
    recent = sum(1 for call in found if call.logged_at >= year_ago)
    return AssetHistory(device, found, recent, flags, changes, tuple(loans.loans_of(row.id)))


def flagged(since_days: int = 365) -> list[tuple[str, str, int]]:
    """(tag, category, calls) for every device that is a repeat fault."""
    since = journal.now() - dt.timedelta(days=since_days)
    with read():
        query = (
            Incident.select(Asset.tag, Category.name, pw.fn.COUNT(Incident.id))
            .join(Asset, on=(Incident.asset == Asset.id))
            .switch(Incident)
            .join(Category, on=(Incident.category == Category.id))
            .where(Incident.logged_at >= since)
            .group_by(Asset.tag, Category.name)
            .having(pw.fn.COUNT(Incident.id) >= REPEAT_FAULTS)
            .order_by(pw.fn.COUNT(Incident.id).desc(), Asset.tag, Category.name)
            .tuples()
        )
        return list(query)
