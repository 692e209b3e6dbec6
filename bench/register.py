"""The asset register at scale: importing a big inventory, printing a big label sheet,
and opening a device's history against opening a call.

- Import: `store.configuration.inventory.import_assets` of a 50,000-row CSV into a fresh database,
  against the least any import must do (csv.reader and one executemany of the same
  rows into the same table, one transaction, the same durability).
- Labels: `store.configuration.labels.write_sheet` of 1,000 labels (PDF and SVG), against making the
  1,000 QR codes alone, which every label sheet has to do.
- History: `store.configuration.history.history` of a device (what a scan of its label
  opens), against what opening a call reads (`servicedesk.find_call` and the call's journal), on the
  same big database.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sqlite3
import tempfile
import time
from functools import partial
from pathlib import Path

import peewee as pw

from bench.staff import staffed
from bench.timing import Timing, interleaved, settled
from store.configuration import history as asset_history
from store.configuration import inventory, labels
from store.db import database, journal
from store.db.models import Asset, Incident
from store.school import locations
from store.servicedesk import servicedesk

KINDS = ("laptop", "chromebook", "desktop", "tablet", "projector", "printer", "panel")
MAKES = {
    "laptop": ("Dell", "Latitude 3440"),
    "chromebook": ("Acer", "Chromebook 314"),
    "desktop": ("HP", "ProDesk 400"),
    "tablet": ("Apple", "iPad 10th gen"),
    "projector": ("Epson", "EB-982W"),
    "printer": ("HP", "LaserJet M404"),
    "panel": ("Promethean", "ActivPanel 9"),
}
ROOMS = [f"R{n:03d}" for n in range(1, 201)]


def write_inventory(path: Path, rows: int, seed: int = 5) -> None:
    """A school inventory export as a spreadsheet gives it: its own column names, dates
    day first, costs with pound signs."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as out:
        sheet = csv.writer(out)
        sheet.writerow(
            ["Asset Tag", "Type", "Manufacturer", "Model", "Serial Number", "Room",
             "Purchase Date", "Cost", "Supplier", "Warranty Expiry"]
        )  # fmt: skip
        for n in range(rows):
            kind = rng.choice(KINDS)
            make, model = MAKES[kind]
            bought = dt.date(2019, 9, 1) + dt.timedelta(days=rng.randrange(2000))
            sheet.writerow(
                [
                    f"{kind[:3].upper()}-{n:06d}",
                    kind,
                    make,
                    model,
                    f"SN{rng.randrange(10**9):09d}",
                    rng.choice(ROOMS),
                    bought.strftime("%d/%m/%Y"),
                    f"£{rng.randrange(150, 1500)}.00",
                    "XMA",
                    (bought + dt.timedelta(days=3 * 365)).strftime("%d/%m/%Y"),
                ]
            )


def _fresh(folder: Path, name: str) -> str:
    path = folder / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    database.connect(url)
    staffed()
    for code in ROOMS:
        locations.add_location(code, f"Room {code}", by="bench")
    return url


def import_figures(rows: int = 50_000) -> tuple[float, float, int]:
    """(store seconds, raw seconds, devices on the register after the store's import)."""
    with tempfile.TemporaryDirectory(prefix="fitsdesk-bench-import-") as where:
        folder = Path(where)
        sheet = folder / "devices.csv"
        write_inventory(sheet, rows)

        _fresh(folder, "raw.db")
        database.db.close()
        with settled():
            started = time.perf_counter()
            _raw_import(folder / "raw.db", sheet)
            raw_s = time.perf_counter() - started

        _fresh(folder, "store.db")
        with settled():
            started = time.perf_counter()
            report = inventory.import_assets(sheet, by="bench")
            store_s = time.perf_counter() - started
        count = Asset.select().count()
        assert report.added == rows == count, (report.added, count)
        database.db.close()
    return store_s, raw_s, count


def _raw_import(path: Path, sheet: Path) -> None:
    """The least an import can do: read the rows, look up the rooms, insert them all."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    rooms = dict(conn.execute("SELECT code, id FROM location"))
    with open(sheet, newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader)
        values = [
            (
                tag, kind, make, model, serial, rooms[room],
                dt.datetime.strptime(bought, "%d/%m/%Y").date().isoformat(),
                int(cost.strip("£").replace(".", "")), supplier,
                dt.datetime.strptime(warranty, "%d/%m/%Y").date().isoformat(),
            )
            for tag, kind, make, model, serial, room, bought, cost, supplier, warranty in reader
        ]  # fmt: skip
    with conn:
        conn.executemany(
            "INSERT INTO asset (tag, kind, make, model, serial, location_id, purchased_on,"
            " cost_pence, supplier, warranty_end, description, assigned_to, status, notes,"
            " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', 'in_use', '', 1)",
            values,
        )
    conn.close()


def label_figures(count: int = 1_000) -> dict[str, float]:
    """Seconds to write `count` labels as PDF and as SVG, and to make their QR codes alone."""
    tags = [f"LAP-{n:05d}" for n in range(count)]
    found = {}
    labels.label_matrix("WARM-UP")  # the qrcode import is not part of either figure
    with tempfile.TemporaryDirectory(prefix="fitsdesk-bench-labels-") as where:
        with settled():
            started = time.perf_counter()
            for tag in tags:
                labels.label_matrix(tag)
            found["QR codes alone"] = time.perf_counter() - started
        for suffix in ("pdf", "svg"):
            with settled():
                started = time.perf_counter()
                pages = labels.write_sheet(Path(where) / f"sheet.{suffix}", tags, school="Bench")
                found[f"{suffix.upper()} sheet"] = time.perf_counter() - started
            found[f"{suffix.upper()} files"] = len(pages)
    return found


def history_figures(url: str, repeats: int = 200) -> tuple[Timing, Timing, int]:
    """(device history, opening a call, median calls per device timed) on `url`."""
    database.connect(url, create=False)
    rng = random.Random(7)
    busy = [
        (tag, n)
        for tag, n in Asset.select(Asset.tag, pw.fn.COUNT(Incident.id))
        .join(Incident)
        .group_by(Asset.tag)
        .tuples()
    ]
    devices = rng.sample(busy, k=min(50, len(busy)))
    total = Incident.select().count()
    picks = rng.sample(range(1, total + 1), k=min(repeats, total))

    def device(i: int) -> None:
        asset_history.history(devices[i % len(devices)][0])

    def call(i: int) -> None:
        number = picks[i % len(picks)]
        servicedesk.find_call(f"INC-{number:06d}")
        journal.history("incident", number)

    for i in range(max(len(devices), len(picks))):  # bring the pages off the disk first
        device(i), call(i)
    a, b = interleaved(device, call, repeats)
    calls = sorted(n for _tag, n in devices)
    database.db.close()
    return a, b, calls[len(calls) // 2]


def screens_open(url: str, opens: int = 30) -> tuple[Timing, Timing]:
    """(a device's page, a call's page) in the desk: milliseconds from asking to open one
    to its details drawn, in this process on an 80x24 screen, alternating."""
    import asyncio
    import statistics
    import sys

    from bench.kiosk import ROOT

    sys.path.insert(0, str(ROOT))
    from tui.app import DeskApp
    from tui.screens.configuration.asset import AssetScreen
    from tui.screens.servicedesk.incident import IncidentScreen

    database.connect(url, create=False)
    staffed()
    rng = random.Random(9)
    tags = [t for (t,) in Asset.select(Asset.tag).join(Incident).distinct().tuples()]
    tags = rng.sample(tags, k=min(opens, len(tags)))
    numbers = [rng.randrange(1, Incident.select().count() + 1) for _ in range(opens)]
    database.db.close()
    times: dict[str, list[float]] = {"device": [], "call": []}
    drawn: list[float] = []
    originals = {cls: cls.show for cls in (AssetScreen, IncidentScreen)}

    def timed(original):
        def show(self, result) -> None:  # note when what it shows is first drawn
            self.call_after_refresh(lambda: drawn.append(time.perf_counter()))
            original(self, result)  # (work it puts off until after that is not counted)

        return show

    async def opened(pilot, open_it) -> float:
        drawn.clear()
        started = time.perf_counter()
        open_it()
        while not drawn:
            await pilot.pause()
        took = (drawn[0] - started) * 1000
        pilot.app.pop_screen()
        await pilot.pause()
        return took

    async def drive() -> None:
        app = DeskApp(db_url=url, user="bench")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for n in range(opens):
                tag, number = tags[n % len(tags)], f"INC-{numbers[n]:06d}"
                times["device"].append(await opened(pilot, partial(app.open_asset, tag)))
                times["call"].append(await opened(pilot, partial(app.open_call, number)))

    for cls, original in originals.items():
        cls.show = timed(original)
    try:
        asyncio.run(drive())
    finally:
        for cls, original in originals.items():
            cls.show = original
    database.db.close()

    def timing(samples: list[float]) -> Timing:
        samples = sorted(samples[2:])  # the first of each pays for importing its screen
        return Timing(statistics.median(samples), samples[int(len(samples) * 0.95) - 1])

    return timing(times["device"]), timing(times["call"])
