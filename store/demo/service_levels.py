"""The demo school's service levels: suppliers and devices in the starting catalogue, a
few outages this year, and each demo call's service and clocks as logging would have
set them (store.service_levels.clocks), worked out in bulk."""

from __future__ import annotations

import datetime as dt
import random

from store.db.database import write
from store.db.models import Asset, Outage, Service, ServiceAsset, ServiceCategory
from store.service_levels import catalogue, clocks, targets

SUPPLIERS = {
    "MIS": ("Northgate Schools MIS Ltd", "MIS-2024-117"),
    "Printing": ("Copyfast Document Solutions", "CF-2291"),
    "Network and internet": ("County Schools Broadband", "CSB-0093"),
    "Email": ("Hosted by the trust (cloud mail)", "TRUST-IT-12"),
    "Telephones": ("Voicelink Telecom", "VL-55012"),
}
DEVICES = {"Printing": ("printer",), "Classroom projectors": ("projector",)}
OUTAGES = (
    # service, days ago, local start hour, minutes down, what happened
    ("Network and internet", 40, 9.25, 95, "Fibre cut by road works outside the school"),
    ("MIS", 26, 8.5, 50, "The MIS supplier's planned update overran"),
    ("Network and internet", 12, 13.0, 35, "Core switch restarted itself"),
    ("Printing", 8, 10.0, 120, "Print server out of disk space"),
    ("Email", 3, 11.0, 25, "Mail provider incident"),
)


def fill_catalogue(rng: random.Random, by: str, now: dt.datetime) -> None:
    """Suppliers and contracts, devices under their services, and this year's outages;
    skipped if the school already recorded outages (a second demo run)."""
    if Outage.select().exists():
        return
    for name, (supplier, contract) in SUPPLIERS.items():
        if Service.get_or_none(Service.name == name):
            catalogue.edit_service(name, supplier=supplier, contract=contract, by=by)
    with write():
        for name, kinds in DEVICES.items():
            service = Service.get_or_none(Service.name == name)
            if service is None:
                continue
            taken = {row.asset_id for row in ServiceAsset.select(ServiceAsset.asset)}
            for (asset_id,) in Asset.select(Asset.id).where(Asset.kind.in_(kinds)).tuples():
                if asset_id not in taken:
                    ServiceAsset.create(service=service.id, asset=asset_id)
    from store.school import calendar

    clock = clocks.school_clock(now - dt.timedelta(days=90), now)
    for name, days, hour, minutes, note in OUTAGES:
        day = calendar.to_local(now).date() - dt.timedelta(days=days)
        while not clock.is_open_day(day):  # outages that matter happen in school hours
            day -= dt.timedelta(days=1)
        start = calendar.to_utc(dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour))
        if Service.get_or_none(Service.name == name) and start < now:
            end = min(now, start + dt.timedelta(minutes=minutes))
            catalogue.record_outage(name, start, end, note=note, by=by)


class Clocks:
    """What logging sets on a call (its service and due times) and what its clocks said
    when they stopped, for rows the demo inserts in bulk."""

    def __init__(self, now: dt.datetime, first: dt.datetime):
        self.clock = clocks.school_clock(first, now)
        self.targets = targets.current()
        self.by_category = {row.category_id: row.service_id for row in ServiceCategory.select()}
        self.by_asset = {row.asset_id: row.service_id for row in ServiceAsset.select()}

    def row(self, category, asset, priority, status, logged, responded, resolved) -> tuple:
        """(service_id, respond_due_at, due_at, respond_secs, resolve_secs, respond_met,
        resolve_met) for one call."""
        target = self.targets[f"P{priority}"]
        timer = clocks.RealClock() if target.clock == "real" else self.clock
        service = self.by_asset.get(asset) or self.by_category.get(category)
        respond_due = timer.add(logged, target.respond)
        respond_secs = timer.seconds(logged, responded) if responded else None
        resolve_secs = timer.seconds(logged, resolved) if resolved else None
        due = timer.add(logged, target.resolve) if status in clocks.RUNNING else None
        return (
            service,
            respond_due,
            due,
            respond_secs,
            resolve_secs,
            None if respond_secs is None else respond_secs <= target.respond,
            None if resolve_secs is None else resolve_secs <= target.resolve,
        )
