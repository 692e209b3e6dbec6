"""Service levels at the desk, as SVG snapshots: the queue's Due column with a call near
its target (amber), one past it (red) and one on hold, at 80x24 and 120x40; and the
service catalogue with the chosen service spelt out under it.

Every time is fixed (the store's clock is set for each step), so each snapshot is the
same on every run. Update after a deliberate change with
`pytest tests/test_desk_snapshots_service_levels.py --snapshot-update`, then look at every
changed SVG before committing it.
"""

import datetime as dt

import pytest
from textual.widgets import DataTable

from store.db import journal
from store.service_levels import catalogue
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import settle, steady
from tui.app import DeskApp

pytestmark = pytest.mark.screen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
MONDAY_9 = dt.datetime(2026, 11, 23, 9, 0)
"""A Monday morning (GMT: local time is UTC); with no terms imported, a school day."""


@pytest.fixture
def morning(school, db_url, monkeypatch):
    """Calls logged at 09:00, seen at 12:10: the P1's fix is due at 13:00 (amber), the P2
    was to be answered by 10:00 (red), a P3 is on hold and a P4 has time."""
    clock = [MONDAY_9]
    monkeypatch.setattr(journal, "now", lambda: clock[0])
    made = (
        ("Whole room has no network", "IT1", "network", 1, 1),
        ("Board dead in S12", "S12", "projector", 1, 2),
        ("Laptop will not charge", "LIB", "laptop", 2, 2),
        ("Mouse sticks", "IT1", "desktop", 3, 2),
    )
    for summary, room, kind, impact, urgency in made:
        servicedesk.log_call(
            summary=summary,
            requester="Ms Khan",
            role="staff",
            location=room,
            category=kind,
            impact=impact,
            urgency=urgency,
            channel="phone",
            by="jsmith",
        )
    clock[0] = MONDAY_9.replace(minute=5)
    incidents.take("INC-000001", by="jsmith")
    incidents.take("INC-000003", by="akhan")
    incidents.hold("INC-000003", "Waiting for a charger", by="akhan")
    catalogue.edit_service(
        "Network and internet",
        supplier="Schools Broadband",
        contract="SB-2026-114",
        by="jsmith",
    )
    clock[0] = MONDAY_9.replace(hour=12, minute=10)
    return DeskApp(db_url=db_url, user="jsmith")


@pytest.mark.parametrize("size", SIZES)
def test_queue_due(morning, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        table = pilot.app.screen.query_one("#calls", DataTable)
        table.move_cursor(row=table.row_count - 1)  # the colours show on the other rows
        await steady(pilot)

    assert snap_compare(morning, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_services(morning, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("down", "down", "down", "down")  # to Network and internet
        await steady(pilot)

    assert snap_compare(morning, terminal_size=size, run_before=run_before)
