"""The asset register: every device the school owns, where it is, who has it, and its
history, known by the tag on its QR label.

    from store.configuration import assets
    assets.add_asset("LAP-0042", kind="laptop", make="Dell", model="Latitude 3440",
                     serial="7HX2Q", location="LIB", purchased_on="2024-09-01",
                     cost="£649.00", by="jsmith")
    assets.move_asset("lap-0042", "S12", by="jsmith")     # tags are matched in upper case
    assets.attach_part("PSU-0042", "LAP-0042", by="jsmith")

Every change is journalled like an incident's. What a scan of its label shows (its
calls, repeat faults, changes and loans) is in `store.configuration.history`, loans
of spares in `store.configuration.loans`, the spreadsheet import and export in
`store.configuration.inventory`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import peewee as pw

from store.db import journal
from store.db.database import cached_sql, first_row, read, write
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import Asset, Loan, Location
from store.db.sanitise import DESCRIPTION, TAG, Field, clean, clean_code, clean_date, shown
from store.school import people
from store.school.locations import location_row

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
SHORT = Field("this", 120, required=False)
NOTES = Field("the note text", 4000, multiline=True, required=False)
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


DATE_WORDS = {"purchased_on": "purchase date", "warranty_end": "end of the warranty"}


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
    """A tag as printed on labels: upper case, no spaces or underscores (each becomes a
    dash), so its QR code stays in alphanumeric mode."""
    if isinstance(value, str):
        value = re.sub(r"[\s_]+", "-", value.strip())
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
            out[name] = clean_date(value, DATE_WORDS[name])
        elif name == "cost":
            out["cost_pence"] = clean_cost(value)
        elif name == "notes":
            out["notes"] = clean(value, NOTES)
        elif name == "description":
            out["description"] = clean(value, DESCRIPTION)
        else:
            out[name] = clean(value, SHORT)
    bought, ends = out.get("purchased_on"), out.get("warranty_end")
    if bought and bought > dt.date.today():
        raise BadInput(f"The purchase date {bought.isoformat()} has not come yet.")
    if bought and ends and ends < bought:
        raise BadInput(
            f"The warranty ends ({ends.isoformat()}) before the device was bought "
            f"({bought.isoformat()})."
        )
    return out


def held_for_a_loan(row: Asset) -> bool:
    """Whether a device is in for repair with a spare lent in its place: its status is the
    loan's to change (returning the spare), not an edit's or an import's."""
    return (
        row.status == "in_repair"
        and Loan.select().where((Loan.handed_in == row.id) & Loan.returned_at.is_null()).exists()
    )


# -- reading


def asset_row(tag: object) -> Asset:
    """The Asset row for a tag, or NotFound naming it."""
    tag = clean_tag(tag)
    with read():
        row = Asset.get_or_none(Asset.tag == tag)
    if row is None:
        raise NotFound(f"No asset is tagged '{tag}'.")
    return row


def _day(value: str | dt.date | None) -> dt.date | None:
    """A stored date: SQLite hands back text, PostgreSQL a date."""
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _devices() -> pw.ModelSelect:
    """Devices as AssetInfo's fields (parts aside), then version and id: see `_as_info`."""
    parent = Asset.alias("parent")
    return (
        Asset.select(
            Asset.tag,
            Asset.kind,
            Asset.description,
            Location.code,
            Location.name,
            Asset.make,
            Asset.model,
            Asset.serial,
            Asset.assigned_to,
            Asset.status,
            Asset.purchased_on,
            Asset.cost_pence,
            Asset.supplier,
            Asset.warranty_end,
            Asset.notes,
            parent.tag,
            Asset.version,
            Asset.id,
        )
        .join(Location, pw.JOIN.LEFT_OUTER, on=(Asset.location == Location.id))
        .switch(Asset)
        .join(parent, pw.JOIN.LEFT_OUTER, on=(Asset.part_of == parent.id))
        .tuples()
    )


def _as_info(values: tuple, parts: tuple[str, ...] = ()) -> AssetInfo:
    *fields, version, _row_id = values
    for n in (10, 13):  # purchased_on, warranty_end
        fields[n] = _day(fields[n])
    return AssetInfo(*fields, parts=parts, version=version)


def asset_and_id(tag: object) -> tuple[AssetInfo, int]:
    """A device by tag, with its place, what it is part of and its parts, and its row id;
    or NotFound. Read with SQL made once: a scan opens it as fast as a call."""
    tag = clean_tag(tag)
    with read():
        values = first_row(
            "device and its place by tag", lambda: _devices().where(Asset.tag == ""), (tag,)
        )
        if values is None:
            raise NotFound(f"No asset is tagged '{tag}'.")
        row_id = values[-1]
        sql = cached_sql(
            "asset parts",
            lambda: Asset.select(Asset.tag).where(Asset.part_of == 0).order_by(Asset.tag),
        )
        parts = tuple(part for (part,) in Asset._meta.database.execute_sql(sql, (row_id,)))
    return _as_info(values, parts), row_id


def asset(tag: str) -> AssetInfo:
    """A device by tag, with its place, what it is part of and its parts; or NotFound."""
    return asset_and_id(tag)[0]


def list_assets(
    search: str = "",
    *,
    location: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[AssetInfo]:
    """Devices by tag; `search` looks in tag, make, model, serial, description and holder,
    and finds every device in a room by its code."""
    query = _devices().order_by(Asset.tag)
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
                | (Location.code == text.upper())
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
        return [_as_info(values) for values in query]


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
    if values.get("status") == "on_loan":
        raise BadInput("A device goes on loan by lending it at the desk, so the loan is recorded.")
    try:
        place = location_row(location) if location else None
        parent = asset_row(part_of) if part_of else None
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    with write():
        people.active_technician(by)
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
        people.active_technician(by)
        row = _for_change(tag, seen_version)
        if "status" in values and values["status"] == "on_loan" and row.status != "on_loan":
            raise Refused(
                "A device goes on loan by lending it (the desk's swap), so the loan is recorded."
            )
        if "status" in values and row.status == "on_loan" and values["status"] != "on_loan":
            raise Refused(f"{row.tag} is out on loan: return it first.")  # else the loan stays open
        if "status" in values and values["status"] != row.status and held_for_a_loan(row):
            raise Refused(
                f"{row.tag} is in for repair with a spare lent for it: "
                "its status changes when the spare is returned."
            )
        if values.get("status") == "retired" and row.status != "retired":
            raise Refused(f"Retire {row.tag} with its reason (the desk's Retire, or asset retire).")
        moved = {k: v for k, v in values.items() if getattr(row, k) != v}
        if moved:
            _change(row, by, "update", moved)
    return asset(row.tag)


def move_asset(tag: str, location: str | None, *, by: str) -> AssetInfo:
    """Say where a device now is (None: nowhere in particular). Its parts that were with
    it (a laptop's charger, a panel's PC) go with it, each journalled."""
    try:
        place = location_row(location) if location else None
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    with write():
        people.active_technician(by)
        row = _for_change(tag, None)
        if row.location_id == (place.id if place else None):
            raise Refused(f"{row.tag} is already {'in ' + place.code if place else 'nowhere'}.")
        before = Location.get_by_id(row.location_id).code if row.location_id else None
        with_it = Asset.select().where(
            (Asset.part_of == row.id)
            & (
                Asset.location.is_null()
                if row.location_id is None
                else (Asset.location == row.location_id)
            )
        )
        for moved in (row, *with_it):
            journal.record(
                by,
                moved,
                "move",
                field="location",
                before=before,
                after=place.code if place else None,
            )
            _change(moved, by, "move", {"location": place.id if place else None})
    return asset(row.tag)


def retire_asset(tag: str, reason: str, *, by: str) -> AssetInfo:
    """Take a device out of use for good (sold, broken beyond repair); its history stays."""
    reason = clean(reason, Field("the reason", 500))
    with write():
        people.active_technician(by)
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
        people.active_technician(by)
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
        people.active_technician(by)
        child = _for_change(part, None)
        if child.part_of_id is None:
            raise Refused(f"{child.tag} is not a part of anything.")
        before = Asset.get_by_id(child.part_of_id).tag
        journal.record(by, child, "detach", field="part_of", before=before, after=None)
        _change(child, by, "detach", {"part_of": None})
    return asset(child.tag)
