"""The demo school's register: its devices, what they are and when they were bought,
a few spare laptops for swaps, and a small software library with builds and licences,
so the desk's register has something true-looking to show on a first run. Adobe
Express goes into the library beyond its seats, allowed by a manager with a reason;
the builds go on under a standard change (`store.demo.changes.fill_builds`).

`demo.fill` calls `fill_register` after the devices exist; it skips what is there.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from store.configuration import software
from store.db.database import write
from store.db.models import Asset, Build, Software, Technician, holds

SPARES = 8
"""Laptops kept in IT1 as spares for the desk's swap."""
SUPPLIERS = ("XMA", "Misco", "Stone Group", "CDW")
TITLES = (
    # title, version, publisher, purposes, licence, seats, renews in days (None: never)
    ("Audacity", "3.4", "Audacity Team", "audio editing, podcasts", "free", None, None),
    ("MuseScore", "4", "MuseScore BVBA", "music notation", "free", None, None),
    ("Scratch", "3", "MIT", "coding", "free", None, None),
    ("GeoGebra", "6", "GeoGebra", "graphing, geometry", "free", None, None),
    ("Adobe Express", "", "Adobe", "graphics, video editing", "per_seat", 30, 40),
    ("Sibelius", "2024", "Avid", "music notation", "per_seat", 20, 200),
    ("Microsoft 365", "", "Microsoft", "office, email", "subscription", None, 150),
    ("OBS Studio", "30", "OBS Project", "screen recording", "free", None, None),
)
BUILDS = (
    ("Music suite", ("Audacity 3.4", "MuseScore 4", "Sibelius 2024"), "MU2"),
    ("Computing", ("Scratch 3", "GeoGebra 6", "OBS Studio 30"), "IT1"),
)


def devices(rng: random.Random, room_codes: Sequence[str]) -> list[tuple[str, str, str, str]]:
    """(tag, kind, description, room code or '') for the school's devices."""
    out = []
    for i in range(1, 301):
        out.append(
            (
                f"LAP-{i:04d}",
                "laptop",
                rng.choice(("Dell Latitude 3440", "Lenovo ThinkPad E14", "HP ProBook 440")),
                "",
            )
        )
    for i in range(1, 241):
        out.append((f"CB-{i:04d}", "chromebook", "Acer Chromebook 314", rng.choice(room_codes)))
    for code in room_codes:
        out.append((f"PRJ-{code}", "projector", "Epson EB-685W", code))
        if code.startswith(("IT", "LIB", "LRC")):
            out.extend(
                (f"PC-{code}-{n:02d}", "desktop", "Dell OptiPlex 7010", code) for n in range(1, 31)
            )
    for i, code in enumerate(("LIB", "LRC", "STAFF", "RECEP", "IT1", "SF1", "SEN"), start=1):
        out.append((f"PRN-{i:02d}", "printer", "Kyocera TASKalfa 3554ci", code))
    for i, code in enumerate(room_codes[::3], start=1):
        out.append((f"AP-{i:02d}", "access_point", "Aruba AP-515", code))
    return out


def split_name(description: str) -> tuple[str, str]:
    """'Dell Latitude 3440' as make and model."""
    make, _, model = description.partition(" ")
    return make, model


def device_details(rng: random.Random, kind: str, today: dt.date) -> dict:
    """A serial number, when it was bought, for how much, from whom, and its warranty."""
    bought = today - dt.timedelta(days=rng.randrange(60, 6 * 365))
    cost = {"laptop": 649, "chromebook": 219, "desktop": 549, "projector": 520}.get(kind, 300)
    return {
        "serial": f"{rng.choice('ABCDEFGHJK')}{rng.randrange(10**8):08d}",
        "purchased_on": bought,
        "cost_pence": cost * 100,
        "supplier": rng.choice(SUPPLIERS),
        "warranty_end": bought + dt.timedelta(days=3 * 365),
    }


def fill_register(rng: random.Random, by: str, rooms: dict[str, int]) -> None:
    """Spares, software, builds and their installs, unless the library already has them."""
    if Software.select().exists():
        return
    with write():
        spares = (
            Asset.select(Asset.id)
            .where((Asset.kind == "laptop") & (Asset.status == "in_use"))
            .order_by(Asset.tag.desc())
            .limit(SPARES)
        )
        Asset.update(status="spare", location=rooms.get("IT1")).where(
            Asset.id.in_([row.id for row in spares])
        ).execute()
    today = dt.date.today()
    for title, version, publisher, purposes, licence, seats, renews in TITLES:
        software.add_software(
            title,
            version=version,
            publisher=publisher,
            purposes=purposes,
            licence=licence,
            seats=seats,
            renews_on=today + dt.timedelta(days=renews) if renews is not None else None,
            by=by,
        )
    for name, titles, _room in BUILDS:
        if not Build.select().where(Build.name == name).exists():
            software.add_build(name, titles, by=by)
    if "LIB" in rooms:  # the library's PCs outnumber the seats: a manager allowed it
        software.install("Adobe Express", room="LIB", over_licence=OVER_LIBRARY, by=manager_of(by))


OVER_LIBRARY = "Coursework deadline: 10 more seats are on order with the renewal."
"""Why the demo's manager let Adobe Express into the library beyond its seats."""


def manager_of(by: str) -> str:
    """`by` if they are a manager, else the school's first active manager."""
    managers = [
        row.login
        for row in Technician.select(Technician.login, Technician.roles)
        .where(Technician.active)
        .order_by(Technician.id)
        if holds(row.roles, "manager")
    ]
    return by if by in managers else managers[0]
