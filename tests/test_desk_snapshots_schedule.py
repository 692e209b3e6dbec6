"""What a technician sees on the forward schedule of change, at 80x24 and 120x40 (SVG
snapshots): four weeks over a half term, a change freeze and mock exams, with a few
changes approved and one proposed.

Every time is fixed (the store's clock and the desk's at NOW, the schedule from Mon 19
Oct 2026), so each snapshot is the same on every run. Update after a deliberate change
with `pytest tests/test_desk_snapshots_schedule.py --snapshot-update`, then look at every
changed SVG before committing it.
"""

import datetime as dt

import pytest

from tests.kiosk_helpers import settle
from tests.test_desk_schedule import NOW, autumn, planned  # noqa: F401 (fixtures)
from tui.app import DeskApp

pytestmark = pytest.mark.screen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.usefixtures("planned")
@pytest.mark.parametrize("size", SIZES)
def test_schedule(db_url, snap_compare, size):
    async def run_before(pilot):
        from tui.screens.changes.schedule import ScheduleScreen

        await settle(pilot)
        pilot.app.push_screen(ScheduleScreen(dt.date(2026, 10, 19)))
        await settle(pilot)

    app = DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.usefixtures("planned")
def test_schedule_at_its_end(db_url, snap_compare):
    """The end of the four weeks at 80x24: the training day, the freeze with an
    emergency change in it, the mock exams."""

    async def run_before(pilot):
        from tui.screens.changes.schedule import ScheduleScreen

        await settle(pilot)
        pilot.app.push_screen(ScheduleScreen(dt.date(2026, 10, 19)))
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)

    app = DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
