"""What a technician sees on the Capacity and Trends screens, at 80x24 and 120x40 (SVG
snapshots), the chart included.

Every time is fixed (readings and calls at set times, the desk's clock at NOW), so
each snapshot is the same on every run. Update after a deliberate change with
`pytest tests/test_desk_snapshots_problems.py --snapshot-update`, then look at every
changed SVG before committing it.
"""

import datetime as dt
import math

import pytest

from store.db.models import Sample
from store.problems import capacity
from tests.kiosk_helpers import settle, steady
from tui.app import DeskApp

pytestmark = pytest.mark.screen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
NOW = dt.datetime(2026, 11, 27, 15, 0)


def plant(name: str, values) -> None:
    found = capacity.metric(name, now=NOW)
    Sample.insert_many([{"metric": found.id, "at": at, "value": v} for at, v in values]).execute()


@pytest.fixture
def metrics(school, db_url):
    """The school's cloud storage filling at about 4 GB a day over two months, the staff
    shared drive with too few readings to say, and the print credits falling."""
    capacity.add_metric("M365 storage", capacity=1024, unit="GB", by="jsmith")
    first = NOW - dt.timedelta(days=60, hours=6)
    plant(
        "M365 storage",
        [
            (first + dt.timedelta(days=d), round(500 + 4 * d + 6 * math.sin(d), 1))
            for d in range(61)
        ],
    )
    capacity.add_metric("Staff shared drive", capacity=2000, unit="GB", by="jsmith")
    plant(
        "Staff shared drive",
        [(NOW - dt.timedelta(days=2, hours=3), 1220), (NOW - dt.timedelta(days=1), 1215)],
    )
    capacity.add_metric("Print credits", capacity=5000, unit="credits", warning=None, by="jsmith")
    plant(
        "Print credits",
        [(NOW - dt.timedelta(days=d, hours=2), 2200 + 40 * d) for d in range(20, -1, -1)],
    )
    return DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)


@pytest.mark.parametrize("size", SIZES)
def test_capacity(metrics, snap_compare, size):
    async def run_before(pilot):
        from tui.screens.problems.capacity import CapacityScreen

        await settle(pilot)
        pilot.app.push_screen(CapacityScreen())
        await steady(pilot)

    assert snap_compare(metrics, terminal_size=size, run_before=run_before)


@pytest.fixture
def clean_up(school, db_url):
    """A file share read each week, rising 10 GB a week for three months; the newest
    reading is 10 GB lower after a routine clean-up: the forecast stays, the dip shows."""
    capacity.add_metric("Staff file share", capacity=950, unit="GB", by="jsmith")
    weeks = [NOW - dt.timedelta(days=7 * w, hours=6) for w in range(13, -1, -1)]
    plant("Staff file share", [(at, 680.0 + 10 * i) for i, at in enumerate(weeks[:-1])])
    plant("Staff file share", [(weeks[-1], 680.0 + 10 * 11)])
    return DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)


@pytest.mark.parametrize("size", SIZES)
def test_capacity_with_a_clean_up_dip(clean_up, snap_compare, size):
    async def run_before(pilot):
        from tui.screens.problems.capacity import CapacityScreen

        await settle(pilot)
        pilot.app.push_screen(CapacityScreen())
        await steady(pilot)

    assert snap_compare(clean_up, terminal_size=size, run_before=run_before)


TRENDS_NOW = dt.datetime(2026, 3, 11, 12, 0)


@pytest.fixture
def patterns(school, db_url):
    """A Wi-Fi outage in the library yesterday morning; a laptop on its fourth charging
    fault in a month, already raised as a problem; a printer jamming again and again."""
    from store.configuration import assets
    from store.db.models import Incident, Journal
    from store.problems import trends
    from store.servicedesk import servicedesk

    assets.add_asset("PRN-0001", kind="printer", make="HP", location="IT1", by="jsmith")

    def plant(times, **where) -> None:
        for n, moment in enumerate(times, start=1):
            call = servicedesk.log_call(requester="Sam Patel", by="jsmith", **where)
            Incident.update(logged_at=moment, updated_at=moment).where(
                Incident.id == call.id
            ).execute()
            del n

    plant(
        [dt.datetime(2026, 3, 10, 9, 10 * i) for i in range(6)],
        summary="No Wi-Fi in the library",
        category="wifi",
        location="LIB",
    )
    plant(
        [TRENDS_NOW - dt.timedelta(days=d) for d in (30, 20, 9, 2)],
        summary="Laptop will not charge",
        category="laptop",
        asset="LAP-0042",
    )
    plant(
        [TRENDS_NOW - dt.timedelta(days=d, hours=3) for d in (50, 12, 5)],
        summary="Printer jams on every page",
        category="printer",
        asset="PRN-0001",
    )
    [repeat] = [t for t in trends.find_trends(now=TRENDS_NOW) if t.asset == "LAP-0042"]
    trends.raise_from_trend(repeat, by="jsmith")
    Journal.update(at=TRENDS_NOW - dt.timedelta(hours=1)).execute()
    return DeskApp(db_url=db_url, user="jsmith", now=lambda: TRENDS_NOW)


def test_trends(patterns, snap_compare):
    async def run_before(pilot):
        from tui.screens.problems.trends import TrendsScreen

        await settle(pilot)
        pilot.app.push_screen(TrendsScreen())
        await steady(pilot)

    assert snap_compare(patterns, terminal_size=(80, 24), run_before=run_before)
