"""What a technician sees at the desk, at 80x24 and 120x40 (SVG snapshots).

Update after a deliberate change with `pytest tests/test_desk_snapshots.py
--snapshot-update`, then look at every changed SVG before committing it.
"""

import datetime as dt

import pytest

from store.db.models import Incident, Journal, Note
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import settle, steady
from tui.app import DeskApp

pytestmark = pytest.mark.screen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
NOW = dt.datetime(2026, 11, 27, 15, 0)


def clocks_at(now: dt.datetime) -> None:
    """Work every call's service level clocks out again at `now`, from the times the
    fixture gave it, so the Due column and a call's targets read the same on every run."""
    from store.db import journal
    from store.db.database import write
    from store.service_levels import clocks

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(journal, "now", lambda: now)
        with write():
            frozen = ("respond_secs", "respond_met", "resolve_secs", "resolve_met")
            Incident.update({name: None for name in frozen}).execute()
            for row in Incident.select():
                clocks.refresh(row)


@pytest.fixture
def app(school, db_url):
    """A morning's calls at fixed times, so every snapshot is the same each run."""
    made = [
        ("Projector flickers in lesson 3", "Ms Khan", "staff", "S12", "projector", None),
        ("Laptop will not charge", "Sam Patel", "pupil", "LIB", "laptop", "LAP-0042"),
        ("[@click=app.quit]x[/] printer [blink]", "Bobby Tables", "pupil", "IT1", "printer", None),
        ("Whole room has no network", "Mr Lee", "staff", "IT1", "network", None),
        ("Can't log in to Google Classroom", "Aisha Khan", "pupil", "LIB", "login", None),
    ]
    for summary, who, role, room, kind, tag in made:
        servicedesk.log_call(
            summary=summary,
            requester=who,
            role=role,
            location=room,
            category=kind,
            asset=tag,
            channel="kiosk" if role == "pupil" else "phone",
            by="jsmith",
        )
    incidents.take("INC-000002", by="jsmith")
    incidents.start("INC-000002", by="jsmith")
    incidents.add_note(
        "INC-000002", "Tried another charger: same. Ordering a new one.", public=True, by="jsmith"
    )
    incidents.take("INC-000004", by="akhan")
    incidents.hold("INC-000004", "Waiting for a replacement switch", by="akhan")
    for table, column in ((Incident, Incident.logged_at), (Journal, Journal.at), (Note, Note.at)):
        table.update({column: NOW - dt.timedelta(hours=2)}).execute()
    for name in ("responded_at", "updated_at"):
        Incident.update({getattr(Incident, name): NOW - dt.timedelta(hours=1)}).where(
            getattr(Incident, name).is_null(False)
        ).execute()
    clocks_at(NOW)
    return DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)


@pytest.mark.parametrize("size", SIZES)
def test_queue(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=steady)


@pytest.mark.parametrize("size", SIZES)
def test_incident(app, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_call("INC-000002")
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_scan_box(app, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+o")
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(app, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f1")
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_notices(app, snap_compare):
    from store.school import notices

    notices.add_notice("Wi-Fi is down in the Library, we're on it", location="LIB", by="jsmith")

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+t")
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_reminders(app, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f7")
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_sort_dialog(app, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("o")
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_the_palette(app, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+p")
        await steady(pilot)  # the palette's commands are gathered in a worker: waited for

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.fixture
def register(app):
    """The morning's calls, plus a register: a laptop on its third charging fault and
    swapped for a spare, its charger, a printer, and two titles with licences."""
    from store.configuration import assets, loans, software
    from store.db.models import Loan

    assets.update_asset(
        "LAP-0042",
        make="Dell",
        model="Latitude 3440",
        serial="7HX2Q",
        assigned_to="Sam Patel",
        purchased_on="2024-09-01",
        cost="649",
        supplier="XMA",
        warranty_end="2027-08-31",
        by="jsmith",
    )
    assets.add_asset(
        "PSU-0042", kind="power supply", make="Dell", model="65W", part_of="LAP-0042", by="jsmith"
    )
    assets.add_asset(
        "LAP-0099", kind="laptop", make="Dell", status="spare", location="IT1", by="jsmith"
    )
    assets.add_asset(
        "PRN-0001", kind="printer", make="HP", model="LaserJet M404", location="LIB", by="jsmith"
    )
    for summary in ("Laptop will not charge again", "Charger sparks"):
        servicedesk.log_call(
            summary=summary,
            requester="Sam Patel",
            location="LIB",
            category="laptop",
            asset="LAP-0042",
            by="jsmith",
        )
    loans.swap("INC-000002", handed_in="LAP-0042", spare="LAP-0099", by="jsmith")
    software.add_software(
        "Adobe Creative Cloud",
        version="2026",
        purposes="photo editing",
        licence="per_seat",
        seats=1,
        renews_on="2026-12-15",
        by="jsmith",
    )
    software.add_software("Audacity", version="3.4", purposes="audio editing", by="jsmith")
    software.install("Adobe Creative Cloud", room="LIB", over_licence="Trial", by="jsmith")
    for table, column in ((Incident, Incident.logged_at), (Journal, Journal.at), (Note, Note.at)):
        table.update({column: NOW - dt.timedelta(hours=2)}).execute()
    Loan.update(lent_at=NOW - dt.timedelta(hours=1)).execute()
    clocks_at(NOW)
    return app


@pytest.mark.parametrize("size", SIZES)
def test_register(register, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+e")
        await steady(pilot)

    assert snap_compare(register, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_asset_history(register, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_asset("LAP-0042")
        await steady(pilot)

    assert snap_compare(register, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("view", ["2", "4"], ids=["loans", "licences"])
def test_register_views(register, snap_compare, view):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+e", view)
        await steady(pilot)

    assert snap_compare(register, terminal_size=(80, 24), run_before=run_before)


def test_swap_dialog(register, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_call("INC-000001")
        await settle(pilot)
        await pilot.press("w")
        await steady(pilot)

    assert snap_compare(register, terminal_size=(80, 24), run_before=run_before)


def test_software_title(register, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+e", "3", "enter")
        await steady(pilot)

    assert snap_compare(register, terminal_size=(80, 24), run_before=run_before)


@pytest.fixture
def troubles(app):
    """The morning's calls, plus three problems: a known error about laptop chargers shown
    at the kiosks, a major network outage whose resolver also fixed one of its calls (the
    FITS warning), and one whose title is markup."""
    from store.db.models import Notice, Problem, ProblemIncident
    from store.problems import known_errors, problems

    problems.raise_problem("Laptop chargers failing", incidents=["INC-000002"], by="jsmith")
    problems.investigate("PRB-000001", by="jsmith")
    known_errors.publish(
        "PRB-000001",
        workaround="Lend a spare 65W charger from IT1; order a new one for the laptop.",
        root_cause="A bad batch of 65W chargers from one supplier",
        public_text="Laptop not charging? Ask at IT1 for a spare charger.",
        by="jsmith",
    )
    problems.raise_problem(
        "Network drops in IT1",
        description="The whole room loses the network a few times a day.",
        incidents=["INC-000004", "INC-000003"],
        major=True,
        by="akhan",
    )
    incidents.resolve("INC-000004", kind="workaround", text="Moved to the Library", by="akhan")
    problems.set_resolver("PRB-000002", "akhan", by="jsmith")
    problems.raise_problem(
        "[@click=app.quit]Projector[/] bulbs fade [blink]", incidents=["INC-000001"], by="jsmith"
    )
    for table, column in (
        (Journal, Journal.at),
        (Problem, Problem.created_at),
        (Problem, Problem.updated_at),
        (ProblemIncident, ProblemIncident.linked_at),
        (Notice, Notice.starts_at),
    ):
        table.update({column: NOW - dt.timedelta(hours=1)}).execute()
    Incident.update(resolved_at=NOW - dt.timedelta(hours=1)).where(
        Incident.resolved_at.is_null(False)
    ).execute()
    clocks_at(NOW)
    return app


@pytest.mark.parametrize("size", SIZES)
def test_problems(troubles, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+b")
        await steady(pilot)

    assert snap_compare(troubles, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_problem(troubles, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_problem("PRB-000002")
        await steady(pilot)

    assert snap_compare(troubles, terminal_size=size, run_before=run_before)


def test_problem_known_error(troubles, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_problem("PRB-000001")
        await steady(pilot)

    assert snap_compare(troubles, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_call_with_a_known_error(troubles, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_call("INC-000002")
        await steady(pilot)

    assert snap_compare(troubles, terminal_size=size, run_before=run_before)
