"""What a technician sees of a call's and a problem's lifecycle at 80x24 (SVG snapshots):
resolving a problem says first which calls it resolves, a problem shows its earlier root
causes, a reopened call keeps its earlier fix on its timeline, and taking a colleague's
call asks first.

Every time is fixed, so each snapshot is the same on every run. Update after a
deliberate change with `pytest tests/test_desk_snapshots_lifecycle.py --snapshot-update`,
then look at every changed SVG before committing it.
"""

import datetime as dt

import pytest

from store.db.models import Incident, Journal, Problem, ProblemIncident
from store.problems import problems
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import settle, steady
from tests.test_desk_snapshots import clocks_at
from tui.app import DeskApp

pytestmark = pytest.mark.screen

SIZE = (80, 24)
NOW = dt.datetime(2026, 11, 27, 15, 0)


@pytest.fixture
def day(school, db_url):
    """Three printer jams in S12 linked to a problem whose cause was rewritten, one of
    them Amir's; a projector call fixed, then reopened."""
    for who in ("Ms Khan", "Bob Jones", "Sam Patel"):
        servicedesk.log_call(
            summary="Printer jams", requester=who, location="S12", category="printer", by="jsmith"
        )
    servicedesk.log_call(
        summary="Projector flickers", requester="Mr Lee", location="IT1", category="projector",
        by="jsmith",
    )  # fmt: skip
    incidents.take("INC-000002", by="akhan")
    problems.raise_problem(
        "S12 printer jams", incidents=["INC-000001", "INC-000002", "INC-000003"], by="jsmith"
    )
    problems.record_cause("PRB-000001", root_cause="Damp paper in the store room", by="akhan")
    problems.record_cause("PRB-000001", root_cause="A worn fuser", by="jsmith")
    incidents.resolve("INC-000004", kind="fix", text="Fitted a new bulb", by="akhan")
    incidents.reopen("INC-000004", "Flickers again after lunch", by="jsmith")
    for n, row in enumerate(Journal.select().order_by(Journal.id)):
        Journal.update(at=NOW - dt.timedelta(hours=3) + dt.timedelta(minutes=n)).where(
            Journal.id == row.id
        ).execute()
    for table, column in (
        (Incident, Incident.logged_at),
        (Incident, Incident.updated_at),
        (Problem, Problem.created_at),
        (Problem, Problem.updated_at),
        (ProblemIncident, ProblemIncident.linked_at),
    ):
        table.update({column: NOW - dt.timedelta(hours=3)}).execute()
    Incident.update(responded_at=NOW - dt.timedelta(hours=2)).where(
        Incident.responded_at.is_null(False)
    ).execute()
    clocks_at(NOW)
    return DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)


def test_resolving_a_problem_says_which_calls_it_resolves(day, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_problem("PRB-000001")
        await settle(pilot)
        await pilot.press("r")
        await steady(pilot)

    assert snap_compare(day, terminal_size=SIZE, run_before=run_before)


def test_a_problem_shows_its_earlier_root_cause(day, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_problem("PRB-000001")
        await steady(pilot)

    assert snap_compare(day, terminal_size=SIZE, run_before=run_before)


def test_a_reopened_call_keeps_its_earlier_fix(day, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_call("INC-000004")
        await steady(pilot)
        pilot.app.screen.query_one("#call").scroll_end(animate=False)
        await steady(pilot)

    assert snap_compare(day, terminal_size=SIZE, run_before=run_before)


def test_taking_a_colleagues_call_asks_first(day, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_call("INC-000002")
        await settle(pilot)
        await pilot.press("t")
        await steady(pilot)

    assert snap_compare(day, terminal_size=SIZE, run_before=run_before)
