"""What a manager sees of the security audit trail, at 80x24 and 120x40 (SVG snapshots):
the queue's line naming the refused actions not yet read, and the trail itself: a
technician trying a manager's step, wrong kiosk PINs past the free tries, someone who is
not a technician opening the desk, and a manager working as someone else voting.

Every time is fixed (the store's clock is set for each refusal), so each snapshot is the
same on every run. Update after a deliberate change with
`pytest tests/test_desk_snapshots_security.py --snapshot-update`, then look at every
changed SVG before committing it.
"""

import datetime as dt

import pytest

from store.changes import changes
from store.db import journal
from store.db.errors import NotAllowed
from store.school import audit, kiosks, people
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import settle, steady
from tui.app import DeskApp

pytestmark = pytest.mark.screen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
NOW = dt.datetime(2026, 11, 27, 11, 0)
"""A Friday morning (GMT: local time is UTC)."""


@pytest.fixture
def morning(school, db_url, monkeypatch):
    clock = [NOW.replace(hour=8, minute=5)]
    monkeypatch.setattr(journal, "now", lambda: clock[0])
    call = servicedesk.log_call(summary="Projector flickers", requester="Ms Lee", by="jsmith")
    kiosks.set_pin("482913", by="jsmith")
    clock[0] = NOW.replace(hour=8, minute=40)
    with pytest.raises(NotAllowed):
        incidents.assign(call.number, "jsmith", by="akhan")
    for minute in range(4):
        clock[0] = NOW.replace(hour=9, minute=minute * 2)
        kiosks.check_pin("1234", kiosk="library")
    clock[0] = NOW.replace(hour=9, minute=30)
    audit.refused("visitor", "open the desk", detail="visitor is not an active technician.")
    rfc = changes.raise_change("Install Audacity in IT1", by="jsmith")
    clock[0] = NOW.replace(hour=10, minute=15)
    with pytest.raises(NotAllowed):
        changes.vote(rfc.number, "approve", by=people.acting_as("akhan", real="jsmith"))
    clock[0] = NOW
    return DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)


def test_the_queue_names_the_refusals(morning, snap_compare):
    async def run_before(pilot):
        await steady(pilot)

    assert snap_compare(morning, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_the_audit_trail(morning, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.action_audit()
        await steady(pilot)

    assert snap_compare(morning, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_kiosks_one_full_one_lifted(school, db_url, monkeypatch, snap_compare, size):
    """The kiosks at the desk: the library full, the hall let take more at 10:20."""
    from store.db import config
    from store.servicedesk import callers

    clock = [NOW.replace(hour=10, minute=15)]
    monkeypatch.setattr(journal, "now", lambda: clock[0])
    config.use(config.Config(kiosk_reports_per_window=3, kiosk_report_pause_seconds=0))
    kiosks.add_kiosk("hall", "S12", by="jsmith")
    for place in ("library", "library", "library", "hall", "hall"):
        callers.report_from_kiosk(kiosk=place, summary="No sound", requester="Sam")
    clock[0] = NOW.replace(hour=10, minute=20)
    kiosks.lift_report_ceiling("hall", by="akhan")
    clock[0] = NOW.replace(hour=10, minute=21)
    callers.report_from_kiosk(kiosk="hall", summary="No sound", requester="Sam")
    clock[0] = NOW.replace(hour=10, minute=22)
    app = DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.action_kiosks()
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
