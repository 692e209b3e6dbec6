"""The service catalogue (FITS): the services the school depends on, who owns each, when
it is agreed to be up, how much it matters, and the kinds of fault and devices under it.

    from store.service_levels import catalogue
    catalogue.add_service("Printing", description="Printers and copiers", by="jsmith")
    catalogue.edit_service("Printing", categories=["printer"], by="jsmith")
    catalogue.service_for(category_id, asset_id)   # a new call's service: device first
    catalogue.record_outage("Wi-Fi", start, end, by="jsmith")

A call takes its service from its device (a device belongs to one service at most),
else from its kind of fault; a technician can change it (store.servicedesk.incidents).
Adding and changing services is a manager's step; every change is journalled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import peewee as pw

from store.db import journal
from store.db.database import first_row, read, write
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import (
    COVERS,
    CRITICALITIES,
    Asset,
    Category,
    Incident,
    Outage,
    Service,
    ServiceAsset,
    ServiceCategory,
)
from store.db.numbers import log_number
from store.db.sanitise import Field, clean, shown
from store.records import calls
from store.records.calls import IS_OPEN
from store.school import people

NAME = Field("the service's name", 60)
DESCRIPTION = Field("the description", 500, required=False)
OWNER = Field("the owner", 80, required=False)
SUPPLIER = Field("the supplier", 80, required=False)
CONTRACT = Field("the contract reference", 80, required=False)
OUTAGE_NOTE = Field("the note", 500, required=False)
MOST_LINKS = 500
"""Categories or devices named in one change: more is a mistake, not a catalogue."""


@dataclass(frozen=True)
class ServiceInfo:
    """One service in the catalogue, with what it covers."""

    name: str
    description: str
    owner: str
    cover: str
    criticality: str
    availability_target: float
    supplier: str
    contract: str
    retired: bool
    categories: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    open_calls: int = 0
    version: int = 1

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "owner": self.owner,
            "cover": self.cover,
            "criticality": self.criticality,
            "availability_target": self.availability_target,
            "supplier": self.supplier,
            "contract": self.contract,
            "retired": self.retired,
            "categories": list(self.categories),
            "assets": list(self.assets),
            "open_calls": self.open_calls,
        }


@dataclass(frozen=True)
class OutageInfo:
    """A time a service was down."""

    id: int
    service: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    incident: str | None
    note: str

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "service": self.service,
            "from": self.starts_at.isoformat(),
            "to": self.ends_at.isoformat() if self.ends_at else None,
            "incident": self.incident,
            "note": self.note,
        }


def clean_criticality(value: object) -> str:
    text = str(value).strip().lower()
    if text not in CRITICALITIES:
        raise BadInput(f"Criticality is high, medium or low, not '{shown(str(value), 20)}'.")
    return text


def clean_cover(value: object) -> str:
    text = str(value).strip().lower()
    if text not in COVERS:
        raise BadInput(
            f"Cover is school (school hours) or always (every hour), not '{shown(str(value), 20)}'."
        )
    return text


def clean_availability(value: object) -> float:
    """A percentage from 50 to 100 ("99.5", "99.5%")."""
    text = str(value).strip().rstrip("%").strip()
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if not 50 <= number <= 100:
        raise BadInput(
            f"An availability target is a percentage from 50 to 100, not '{shown(str(value), 20)}'."
        )
    return round(number, 3)


def service_row(name: object) -> Service:
    """The service of that name (any case); NotFound in one sentence."""
    text = clean(str(name), NAME)
    row = Service.get_or_none(pw.fn.LOWER(Service.name) == text.lower())
    if row is None:
        raise NotFound(f"There is no service '{shown(text, 60)}'. See: fitsdesk service list.")
    return row


def _categories(names: Iterable[object]) -> list[Category]:
    rows = []
    for name in list(names)[: MOST_LINKS + 1]:
        text = str(name).strip().lower()
        row = Category.get_or_none(Category.name == text)
        if row is None:
            raise BadInput(
                f"There is no category '{shown(text, 40)}'. See: fitsdesk category list."
            )
        rows.append(row)
    if len(rows) > MOST_LINKS:
        raise BadInput(f"Name at most {MOST_LINKS} categories at once.")
    return rows


def _assets(tags: Iterable[object]) -> list[Asset]:
    rows = []
    for tag in list(tags)[: MOST_LINKS + 1]:
        text = str(tag).strip().upper()
        row = Asset.get_or_none(Asset.tag == text)
        if row is None:
            raise BadInput(f"No asset is tagged '{shown(text, 40)}'. See: fitsdesk asset list.")
        rows.append(row)
    if len(rows) > MOST_LINKS:
        raise BadInput(f"Name at most {MOST_LINKS} devices at once.")
    return rows


def _link(row: Service, categories, assets, by: str) -> None:
    """Put these categories and devices under `row`, taking them from any other service."""
    for kind in categories:
        before = ServiceCategory.get_or_none(ServiceCategory.category == kind.id)
        if before is not None and before.service_id == row.id:
            continue
        ServiceCategory.delete().where(ServiceCategory.category == kind.id).execute()
        ServiceCategory.create(service=row.id, category=kind.id)
        journal.record(by, row, "cover", field="category", after=kind.name)
    for device in assets:
        before = ServiceAsset.get_or_none(ServiceAsset.asset == device.id)
        if before is not None and before.service_id == row.id:
            continue
        ServiceAsset.delete().where(ServiceAsset.asset == device.id).execute()
        ServiceAsset.create(service=row.id, asset=device.id)
        journal.record(by, row, "cover", field="asset", after=device.tag)


def add_service(
    name: str,
    *,
    description: str = "",
    owner: str = "",
    cover: str = "school",
    criticality: str = "medium",
    availability: object = 99.0,
    supplier: str = "",
    contract: str = "",
    categories: Iterable[object] = (),
    assets: Iterable[object] = (),
    by: str,
) -> ServiceInfo:
    """Add a service to the catalogue (a manager's step)."""
    values = {
        "name": clean(name, NAME),
        "description": clean(description, DESCRIPTION),
        "owner": clean(owner, OWNER),
        "cover": clean_cover(cover),
        "criticality": clean_criticality(criticality),
        "availability_target": clean_availability(availability),
        "supplier": clean(supplier, SUPPLIER),
        "contract": clean(contract, CONTRACT),
    }
    with write():
        people.manager_or_first(by, "change the service catalogue")
        if Service.get_or_none(pw.fn.LOWER(Service.name) == values["name"].lower()):
            raise BadInput(f"There is already a service called '{values['name']}'.")
        kinds, devices = _categories(categories), _assets(assets)
        row = Service.create(**values, created_at=journal.now())
        journal.record(by, row, "add", after=row.name)
        _link(row, kinds, devices, by)
    return show_service(row.name)


EDITABLE = ("description", "owner", "cover", "criticality", "availability", "supplier", "contract")


def edit_service(
    name: str,
    *,
    new_name: str | None = None,
    categories: Iterable[object] = (),
    assets: Iterable[object] = (),
    drop_categories: Iterable[object] = (),
    drop_assets: Iterable[object] = (),
    retired: bool | None = None,
    by: str,
    seen_version: int | None = None,
    **changes: object,
) -> ServiceInfo:
    """Change a service's details (only those given), add or drop what it covers, or
    retire it (a manager's step). With `seen_version` (ServiceInfo.version when the
    manager looked), refuse if someone changed it since."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise BadInput(f"A service has no '{shown(sorted(unknown)[0], 30)}' to change.")
    cleaners = {
        "description": lambda v: clean(v, DESCRIPTION),
        "owner": lambda v: clean(v, OWNER),
        "cover": clean_cover,
        "criticality": clean_criticality,
        "availability": clean_availability,
        "supplier": lambda v: clean(v, SUPPLIER),
        "contract": lambda v: clean(v, CONTRACT),
    }
    updates = {
        ("availability_target" if key == "availability" else key): cleaners[key](value)
        for key, value in changes.items()
        if value is not None
    }
    if new_name is not None:
        updates["name"] = clean(new_name, NAME)
    if retired is not None:
        updates["retired"] = bool(retired)
    with write():
        people.manager_or_first(by, "change the service catalogue")
        row = service_row(name)
        if seen_version is not None and row.version != seen_version:
            raise Refused(f"{row.name} was just changed by someone else: look at it again.")
        renamed = "name" in updates and updates["name"].lower() != row.name.lower()
        if renamed and Service.get_or_none(pw.fn.LOWER(Service.name) == updates["name"].lower()):
            raise BadInput(f"There is already a service called '{updates['name']}'.")
        _link(row, _categories(categories), _assets(assets), by)
        for kind in _categories(drop_categories):
            gone = (
                ServiceCategory.delete()
                .where((ServiceCategory.category == kind.id) & (ServiceCategory.service == row.id))
                .execute()
            )
            if gone:
                journal.record(by, row, "cover", field="category", before=kind.name)
        for device in _assets(drop_assets):
            gone = (
                ServiceAsset.delete()
                .where((ServiceAsset.asset == device.id) & (ServiceAsset.service == row.id))
                .execute()
            )
            if gone:
                journal.record(by, row, "cover", field="asset", before=device.tag)
        if updates:
            journal.update(row, by, "edit", updates)
    return show_service(row.name)


def _info(row: Service, with_links: bool = True) -> ServiceInfo:
    categories = assets = ()
    open_calls = 0
    if with_links:
        categories = tuple(
            name
            for (name,) in Category.select(Category.name)
            .join(ServiceCategory, on=ServiceCategory.category == Category.id)
            .where(ServiceCategory.service == row.id)
            .order_by(Category.name)
            .tuples()
        )
        assets = tuple(
            tag
            for (tag,) in Asset.select(Asset.tag)
            .join(ServiceAsset, on=ServiceAsset.asset == Asset.id)
            .where(ServiceAsset.service == row.id)
            .order_by(Asset.tag)
            .tuples()
        )
        open_calls = Incident.select().where((Incident.service == row.id) & IS_OPEN).count()
    return ServiceInfo(
        row.name,
        row.description,
        row.owner,
        row.cover,
        row.criticality,
        row.availability_target,
        row.supplier,
        row.contract,
        row.retired,
        categories,
        assets,
        open_calls,
        row.version,
    )


def show_service(name: object) -> ServiceInfo:
    """One service, with the kinds of fault and devices it covers and its open calls."""
    with read():
        return _info(service_row(name))


def list_services(include_retired: bool = False) -> list[ServiceInfo]:
    """The catalogue, most critical first, then by name."""
    order = {name: n for n, name in enumerate(CRITICALITIES)}
    with read():
        query = Service.select().order_by(Service.name)
        if not include_retired:
            query = query.where(~Service.retired)
        found = [_info(row) for row in query]
    return sorted(found, key=lambda s: (order.get(s.criticality, 9), s.name.lower()))


def service_names() -> list[str]:
    """The names of the services in use, for a list to choose from (one query)."""
    with read():
        query = Service.select(Service.name).where(~Service.retired).order_by(Service.name)
        return [name for (name,) in query.tuples()]


def service_for(category_id: int | None, asset_id: int | None) -> int | None:
    """The service a new call is about: its device's, else its kind of fault's; inside
    the transaction that logs it."""
    if asset_id is not None:
        found = first_row(
            "service of a device",
            lambda: ServiceAsset.select(ServiceAsset.service).where(ServiceAsset.asset == 0),
            (asset_id,),
        )
        if found:
            return found[0]
    if category_id is not None:
        found = first_row(
            "service of a category",
            lambda: ServiceCategory.select(ServiceCategory.service).where(
                ServiceCategory.category == 0
            ),
            (category_id,),
        )
        if found:
            return found[0]
    return None


def _outage_info(row: Outage, service: str) -> OutageInfo:
    return OutageInfo(
        row.id,
        service,
        row.starts_at,
        row.ends_at,
        log_number(row.incident_id) if row.incident_id else None,
        row.note,
    )


def record_outage(
    service: object,
    start: dt.datetime,
    end: dt.datetime | None,
    *,
    note: str = "",
    incident: int | None = None,
    by: str,
) -> OutageInfo:
    """Record a time a service was down, [start, end) naive UTC (no end: still down)."""
    note = clean(note, OUTAGE_NOTE)
    if end is not None and end <= start:
        raise BadInput("An outage must end after it starts.")
    now = journal.now()
    if start > now + dt.timedelta(minutes=5):
        raise BadInput("An outage cannot start in the future: record it when it happens.")
    with write():
        people.active_technician(by)
        row = service_row(service)
        outage = Outage.create(
            service=row.id,
            starts_at=start,
            ends_at=end,
            incident=incident,
            note=note,
            recorded_by=str(by),
            recorded_at=now,
        )
        journal.record(
            by,
            row,
            "outage",
            field="outage",
            after=f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}" if end else f"{start} on",
        )
        return _outage_info(outage, row.name)


def outage_from_call(reference: object, service: object, *, by: str) -> OutageInfo:
    """Record a major incident's time as an outage of `service`: from when the call was
    logged to when it was resolved (still down while it is open). The call must be about
    that service, or about none."""

    with read():
        wanted = service_row(service)
        row = calls.for_change(reference)
        if row.service_id not in (None, wanted.id):
            theirs = Service.get_by_id(row.service_id).name
            raise BadInput(f"{log_number(row.id)} is about {theirs}, not {wanted.name}.")
        taken = Outage.get_or_none(Outage.incident == row.id)
    if taken is not None:
        raise BadInput(f"{log_number(row.id)}'s outage is already recorded.")
    return record_outage(
        wanted.name,
        row.logged_at,
        row.resolved_at,
        note=f"{log_number(row.id)}: {row.summary}"[:500],
        incident=row.id,
        by=by,
    )


def end_outage(service: object, end: dt.datetime, *, by: str) -> OutageInfo:
    """Say a service that is down is back."""
    with write():
        people.active_technician(by)
        row = service_row(service)
        outage = (
            Outage.select()
            .where((Outage.service == row.id) & Outage.ends_at.is_null())
            .order_by(Outage.starts_at.desc())
            .first()
        )
        if outage is None:
            raise BadInput(f"{row.name} is not down.")
        if end <= outage.starts_at:
            raise BadInput("An outage must end after it starts.")
        Outage.update(ends_at=end).where(Outage.id == outage.id).execute()
        outage.ends_at = end
        journal.record(by, row, "outage over", field="outage", after=f"{end:%Y-%m-%d %H:%M}")
        return _outage_info(outage, row.name)


def outages(
    start: dt.datetime, end: dt.datetime, service: object | None = None
) -> list[OutageInfo]:
    """Outages overlapping [start, end), earliest first."""
    with read():
        query = (
            Outage.select(Outage, Service.name)
            .join(Service)
            .where((Outage.starts_at < end) & (Outage.ends_at.is_null() | (Outage.ends_at > start)))
            .order_by(Outage.starts_at)
        )
        if service is not None:
            query = query.where(Outage.service == service_row(service).id)
        return [_outage_info(row, row.service.name) for row in query]
