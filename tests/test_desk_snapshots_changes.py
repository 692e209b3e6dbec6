"""What a technician sees on the Changes screens, at 80x24 and 120x40 (SVG snapshots):
the list, and an RFC awaiting the committee's votes with its window hitting a lesson
and an exam, and something like it already installed.

Every time is fixed (the store's clock is moved through the changes' weeks, then stops
at NOW), so each snapshot is the same on every run. Update after a deliberate change
with `pytest tests/test_desk_snapshots_changes.py --snapshot-update`, then look at
every changed SVG before committing it.
"""

import datetime as dt

import pytest

from store.changes import changes
from store.configuration import software
from store.db import journal
from store.school import calendar, people
from tests.kiosk_helpers import settle, steady
from tests.test_changes import PLANNED
from tui.app import DeskApp

pytestmark = pytest.mark.screen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
NOW = dt.datetime(2026, 11, 27, 15, 0)
"""A Friday afternoon, just after the last lesson (GMT: local time is UTC)."""
TIMETABLE = [
    {"name": name, "kind": "lesson", "start": start, "end": end}
    for name, start, end in (
        ("Period 1", "09:00", "10:00"),
        ("Period 2", "10:00", "11:00"),
        ("Period 3", "11:20", "12:20"),
        ("Period 4", "13:10", "14:10"),
        ("Period 5", "14:10", "15:10"),
    )
]


def at(days: float = 0, hour: int = 15, minute: int = 0) -> dt.datetime:
    """NOW's date moved by `days`, at a time of day (UTC, which is local in November)."""
    day = (NOW + dt.timedelta(days=days)).date()
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture
def board(school, db_url, monkeypatch):
    """A term's changes: Audacity put in the Library a fortnight ago; an emergency
    switch swap for tomorrow morning; Ocenaudio for IT1 awaiting the committee, its
    window on Tuesday hitting period 5 and an ICT mock exam; Chrome to update on the
    library laptops, a standard change being planned."""
    clock = [at(-16, 9)]
    monkeypatch.setattr(journal, "now", lambda: clock[0])
    for login, name, roles in (
        ("bmorris", "Bea Morris", ["technician", "committee"]),
        ("cdavis", "Cal Davis", ["technician", "committee"]),
        ("eward", "Eve Ward", ["committee"]),
    ):
        people.add_technician(login, name, roles=roles, by="jsmith")
    software.add_software(
        "Audacity", version="3.4", purposes=["audio editing"], licence="free", by="jsmith"
    )
    software.add_software(
        "Ocenaudio", version="3", purposes=["audio editing"], licence="free", by="jsmith"
    )
    calendar.set_timetable(TIMETABLE, by="jsmith")
    calendar.add_event(
        "exam", "Year 11 ICT mock", at(4, 13), at(4, 16), location="IT1", by="jsmith"
    )

    first = changes.raise_change("Install Audacity in the Library", reason="Media club",
                                 locations=["LIB"], adds=["Audacity 3.4"], by="akhan")  # fmt: skip
    for member in ("bmorris", "cdavis"):
        changes.vote(first.number, "approve", by=member)
    changes.plan(first.number, window=(at(-14, 16), at(-14, 17)), implementer="akhan",
                 peer_reviewer="jsmith", by="akhan", **PLANNED)  # fmt: skip
    changes.submit(first.number, by="akhan")
    changes.peer_review(first.number, ok=True, by="jsmith")
    for member in ("bmorris", "eward"):
        changes.vote(first.number, "approve", by=member)
    clock[0] = at(-14, 16, 5)
    changes.implement(first.number, by="akhan")
    changes.update_register(first.number, by="akhan")
    clock[0] = at(-13, 9)
    changes.review(first.number, outcome="succeeded", lessons="Fine", by="akhan")

    clock[0] = at(-1, 8)
    switch = changes.raise_change(
        "Replace the failing IT1 network switch",
        kind="emergency",
        risk="high",
        reason="Half the ports are dead",
        locations=["IT1"],
        window=(at(1, 8), at(1, 12)),
        implementer="akhan",
        backout_plan="Put the old switch back",
        by="akhan",
    )
    changes.approve_emergency(switch.number, by="jsmith")

    clock[0] = at(-1, 10)
    rfc = changes.raise_change(
        "Install Ocenaudio in IT1",
        reason="GCSE music coursework needs a simple audio editor",
        risk="medium",
        locations=["IT1"],
        adds=["Ocenaudio 3"],
        affected="Year 10 and 11 music groups",
        by="jsmith",
    )
    changes.plan(rfc.number, window=(at(4, 14, 30), at(4, 16, 30)), implementer="jsmith",
                 peer_reviewer="akhan", by="jsmith", **PLANNED)  # fmt: skip
    clock[0] = at(0, 12)
    changes.vote(rfc.number, "approve", comment="Lighter than Audacity: fine by me",
                 by="bmorris")  # fmt: skip

    clock[0] = at(0, 14)
    changes.raise_change("Update Chrome on the library laptops", kind="standard",
                         assets=["LAP-0042"], reason="Security update", by="akhan")  # fmt: skip
    clock[0] = NOW
    return db_url


@pytest.mark.parametrize("size", SIZES)
def test_the_changes_list(board, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f4")
        await steady(pilot)

    app = DeskApp(db_url=board, user="jsmith", now=lambda: NOW)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_an_rfc_awaiting_votes(board, snap_compare, size):
    async def run_before(pilot):
        from tui.screens.changes.change import open_change

        await settle(pilot)
        open_change(pilot.app, "RFC-000003")
        await steady(pilot)

    app = DeskApp(db_url=board, user="cdavis", now=lambda: NOW)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
