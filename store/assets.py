"""Devices on the asset register, known by the tag on their QR label.

    from store import assets
    assets.add_asset("LAP-0042", kind="laptop", location="LIB", by="jsmith")
    assets.asset("lap-0042").description     # tags are matched in upper case
    assets.history("LAP-0042").last_twelve_months   # its calls, for a scan at the desk

This is the register's first shape (tag, kind, description, location);
the full register (make, serial, loans, parts) builds on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store import calls, journal
from store.database import read, write
from store.errors import BadInput, NotFound
from store.locations import location_row
from store.models import Asset, Incident, Location
from store.records import Call
from store.sanitise import DESCRIPTION, TAG, clean, clean_code, shown

KINDS = (
    "laptop",
    "chromebook",
    "desktop",
    "tablet",
    "printer",
    "projector",
    "panel",
    "access_point",
    "switch",
    "server",
    "power_supply",
    "other",
)


@dataclass(frozen=True)
class AssetInfo:
    """An asset as screens see it."""

    tag: str
    kind: str
    description: str
    location: str | None


def asset_row(tag: object) -> Asset:
    """The Asset row for a tag, or NotFound naming it."""
    tag = clean_code(tag, TAG)
    with read():
        row = Asset.get_or_none(Asset.tag == tag)
    if row is None:
        raise NotFound(f"No asset is tagged '{tag}'.")
    return row


def asset(tag: str) -> AssetInfo:
    """An asset by tag, or NotFound."""
    row = asset_row(tag)
    code = None
    if row.location_id:
        with read():
            code = Location.get_by_id(row.location_id).code
    return AssetInfo(row.tag, row.kind, row.description, code)


def add_asset(
    tag: str, *, kind: str = "other", description: str = "", location: str | None = None, by: str
) -> AssetInfo:
    """Put a device on the register."""
    tag = clean_code(tag, TAG)
    kind = str(kind).strip().lower().replace(" ", "_")
    if kind not in KINDS:
        raise BadInput(f"'{shown(kind)}' is not a kind of asset: choose from {', '.join(KINDS)}.")
    description = clean(description, DESCRIPTION)
    place = location_row(location) if location else None
    with write():
        if Asset.get_or_none(Asset.tag == tag):
            raise BadInput(f"There is already an asset tagged '{tag}'.")
        row = Asset.create(tag=tag, kind=kind, description=description, location=place)
        journal.record(by, row, "add", after=f"{tag} {kind}")
    return AssetInfo(tag, kind, description, place.code if place else None)


@dataclass(frozen=True)
class AssetHistory:
    """A device and every call about it, newest first."""

    asset: AssetInfo
    calls: tuple[Call, ...]
    last_twelve_months: int
    """How many of those calls were logged in the last twelve months."""


def history(tag: str) -> AssetHistory:
    """What a scan of a device's label shows: the device and its calls."""
    device = asset(tag)
    with read():
        row = asset_row(device.tag)
        query = (
            calls.base_query()
            .where(Incident.asset == row.id)
            .order_by(Incident.logged_at.desc(), Incident.id.desc())
        )
        found = tuple(calls.to_call(values) for values in query)
    year_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=365)
    recent = sum(1 for call in found if call.logged_at >= year_ago)
    return AssetHistory(device, found, recent)
