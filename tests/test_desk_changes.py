"""Change management at the desk, through Textual's Pilot: the list and its views, a
committee member landing on what awaits their vote, raising an RFC, voting until the
rule decides, keys only for who may use them, refusals in one sentence with nothing
changed, the plan form's window, the whole way to closed, markup in a title, and the
scan box opening a change."""

import datetime as dt

import pytest

from store.changes import changes
from store.configuration import software
from store.db import journal
from store.db.models import Change, Journal, Vote
from store.school import calendar, people
from tests.kiosk_helpers import settle, text_of, type_into
from tests.test_changes import PLANNED, approve, new_rfc
from tests.test_desk_app import answer, footer, screen_name
from tests.test_desk_problems import cell, press, rows, words
from tui.app import DeskApp
from tui.screens.changes.change_forms import local_text

SIZE = (100, 30)
MARKUP = "[@click=app.quit]x[/] Audacity [blink]"
VOTE_KEYS = ("Approve", "Reject", "Abstain")


@pytest.fixture
def board(school, db_url):
    """The school with a change committee of three (bmorris, cdavis, eward; a majority
    of at least two decides), akhan to peer review, and Audacity in the library."""
    people.add_technician("bmorris", "Bea Morris", roles=["technician", "committee"], by="jsmith")
    people.add_technician("cdavis", "Cal Davis", roles=["technician", "committee"], by="jsmith")
    people.add_technician("eward", "Eve Ward", roles=["committee"], by="jsmith")
    software.add_software(
        "Audacity", version="3.4", purposes=["audio editing"], licence="free", by="jsmith"
    )
    return db_url


def desk(db_url: str, who: str = "jsmith") -> DeskApp:
    return DeskApp(db_url=db_url, user=who)


async def open_change(pilot, number: str) -> None:
    from tui.screens.changes.change import open_change

    open_change(pilot.app, number)
    await settle(pilot)
    assert screen_name(pilot) == "ChangeScreen"


def tabs(pilot) -> list[str]:
    return [str(tab.label) for tab in pilot.app.screen.query("#views Tab")]


def state():
    """What a refused step must leave as it was."""
    return (
        [row.__data__ for row in Change.select().order_by(Change.id)],
        Vote.select().count(),
        Journal.select().count(),
    )


def window(days: int = 7, hour: int = 16, hours: int = 2) -> tuple[dt.datetime, dt.datetime]:
    """A window some days ahead, at a local hour, as naive UTC."""
    day = calendar.to_local(journal.now()).date() + dt.timedelta(days=days)
    start = calendar.to_utc(dt.datetime.combine(day, dt.time(hour)))
    return start, start + dt.timedelta(hours=hours)


async def test_the_list_its_views_and_search(board):
    new_rfc(title="Install Audacity in IT1")
    gone = new_rfc(title="Install GIMP in LIB", adds=[], locations=["LIB"])
    changes.cancel(gone.number, "Not needed after all", by="jsmith")
    rfc = new_rfc(title="Replace the IT1 switch", kind="emergency", risk="high", adds=[])
    start, end = window()
    changes.plan(rfc.number, window=(start, end), implementer="akhan", by="jsmith")
    async with desk(board).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "changes await" not in text_of(pilot, "#narrowed")  # jsmith is not a member
        await press(pilot, "f4")
        assert screen_name(pilot) == "ChangesScreen"
        assert rows(pilot, "#changes") == ["RFC-000003", "RFC-000001"]  # newest first
        assert "2 changes not ended, newest first" in words(pilot, "#narrowed")
        assert cell(pilot, "#changes", "RFC-000003", "title") == "Replace the IT1 switch"
        assert cell(pilot, "#changes", "RFC-000003", "kind") == "emergency"
        assert cell(pilot, "#changes", "RFC-000003", "window").endswith("16:00-18:00")
        assert cell(pilot, "#changes", "RFC-000003", "implementer") == "akhan"
        assert cell(pilot, "#changes", "RFC-000001", "window") == "not planned"
        assert cell(pilot, "#changes", "RFC-000001", "status") == "Raised"
        assert tabs(pilot) == ["Not ended", "All"]
        await press(pilot, "3")  # not a member: no such view
        assert rows(pilot, "#changes") == ["RFC-000003", "RFC-000001"]
        await press(pilot, "2")
        assert rows(pilot, "#changes") == ["RFC-000003", "RFC-000002", "RFC-000001"]
        assert cell(pilot, "#changes", "RFC-000002", "status") == "Cancelled"
        await press(pilot, "slash", *"gimp", "enter")
        assert rows(pilot, "#changes") == ["RFC-000002"]
        assert "matching gimp" in words(pilot, "#narrowed")
        await press(pilot, "escape")
        assert len(rows(pilot, "#changes")) == 3
        await press(pilot, "enter")  # the cursor stayed on the one found
        assert screen_name(pilot) == "ChangeScreen" and pilot.app.screen.number == "RFC-000002"
        await press(pilot, "escape", "escape")
        assert screen_name(pilot) == "QueueScreen"
        await press(pilot, "ctrl+r")
        assert screen_name(pilot) == "ChangesScreen"


async def test_a_member_lands_on_what_awaits_their_vote(board):
    first = new_rfc(title="Install Audacity in IT1")
    new_rfc(title="Install Audacity in LIB", locations=["LIB"])
    approve(first.number, "cdavis")
    async with desk(board, "bmorris").run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "2 changes await your vote (ctrl+r: Changes)" in words(pilot, "#narrowed")
        await press(pilot, "ctrl+r")
        assert pilot.app.screen.view == "vote"
        assert rows(pilot, "#changes") == ["RFC-000001", "RFC-000002"]  # oldest first
        assert "2 changes await your vote" in words(pilot, "#narrowed")
        assert tabs(pilot)[-1] == "Awaiting my vote 2"
        await press(pilot, "enter")
        await press(pilot, "a")
        await answer(pilot, comment="Fine by me")
        assert changes.change(1).status == "planning"  # cdavis and bmorris: decided
        await press(pilot, "escape")
        assert rows(pilot, "#changes") == ["RFC-000002"]
        assert "1 change awaits your vote" in words(pilot, "#narrowed")
        await press(pilot, "1")
        assert rows(pilot, "#changes") == ["RFC-000002", "RFC-000001"]
        await press(pilot, "escape")
        assert "1 change awaits your vote" in words(pilot, "#narrowed")
    async with desk(board, "eward").run_test(size=SIZE) as pilot:  # nothing waits: the list
        await settle(pilot)
        changes.vote(2, "abstain", by="eward")
        await press(pilot, "f4")
        assert pilot.app.screen.view == "open"
        assert tabs(pilot)[-1] == "Awaiting my vote 0"


async def test_raise_an_rfc_from_the_desk(board):
    async with desk(board).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f4", "n")
        await answer(pilot, title="")
        assert "title" in text_of(pilot, "#dialog-problem")
        await answer(pilot, title="Install Audacity in IT1", rooms="IT1 MARS")
        assert "There is no location 'MARS'" in text_of(pilot, "#dialog-problem")
        await answer(pilot, rooms="it1", adds="Audacity 3.5")
        assert "Audacity 3.5" in text_of(pilot, "#dialog-problem")
        assert changes.list_changes("all") == []  # nothing half-done
        await answer(
            pilot, reason="Music coursework", adds="Audacity 3.4", kind="normal", risk="medium"
        )
        assert screen_name(pilot) == "ChangeScreen" and pilot.app.screen.number == "RFC-000001"
        found = changes.change(1)
        assert (found.title, found.reason, found.risk) == (
            "Install Audacity in IT1",
            "Music coursework",
            "medium",
        )
        assert (found.locations, found.adds, found.originator) == (
            ("IT1",),
            ("Audacity 3.4",),
            "jsmith",
        )
        shown = words(pilot, "#details")
        assert "Raised: awaiting approval to proceed" in shown and "Audacity 3.4" in shown
        assert "Approval to proceed: 0 of 3 approve; 2 needed" in words(pilot, "#committee")
        assert "no window planned yet" in words(pilot, "#calendar")
        assert "Overlap: nothing like it" in words(pilot, "#overlap")
        await press(pilot, "escape")
        assert rows(pilot, "#changes") == ["RFC-000001"]


async def test_votes_until_the_rule_decides(board):
    software.add_software("Ocenaudio", version="3", purposes=["audio editing"], by="jsmith")
    software.install("Ocenaudio 3", room="LIB", by="jsmith")
    rfc = new_rfc()
    async with desk(board, "bmorris").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_change(pilot, rfc.number)
        overlap = words(pilot, "#overlap")
        assert "We installed something like this:" in overlap
        assert "Ocenaudio 3: also for audio editing; installed in LIB" in overlap
        assert set(VOTE_KEYS) <= set(footer(pilot).split(" | "))
        assert footer(pilot).startswith("Approve | Reject | Abstain")  # the lifecycle first
        await press(pilot, "r")
        await answer(pilot, comment="")
        assert "Say why you reject it" in text_of(pilot, "#dialog-problem")
        await press(pilot, "escape")
        await press(pilot, "a")
        await answer(pilot, comment="Fine [b]by[/b] me")
        assert changes.change(1).status == "raised"  # one of three is not a majority
        committee = words(pilot, "#committee")
        assert "1 of 3 approve; 2 needed (a majority, at least 2)" in committee
        assert "Bea Morris (bmorris) approves: Fine [b]by[/b] me" in committee
        assert "Not voted yet: cdavis, eward" in committee
        assert not set(VOTE_KEYS) & set(footer(pilot).split(" | "))  # voted already
    async with desk(board, "cdavis").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_change(pilot, rfc.number)
        await press(pilot, "b")
        await answer(pilot)
        assert "1 of 3 approve, 1 abstain" in words(pilot, "#committee")
        assert "Raised: awaiting approval to proceed" in words(pilot, "#details")
    async with desk(board, "eward").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_change(pilot, rfc.number)
        await press(pilot, "a")
        await answer(pilot, comment="Yes")
        assert "Approved to proceed: planning" in words(pilot, "#details")
        assert not pilot.app.screen.query_one("#committee").display  # nothing to vote on
        assert not set(VOTE_KEYS) & set(footer(pilot).split(" | "))
        votes = words(pilot, "#details")
        assert "approval to proceed: bmorris Approve: Fine [b]by[/b] me" in votes
        assert "decision on approval to proceed: approved: 2 of 3 approve" in words(
            pilot, "#change-history"
        )


async def test_who_is_not_on_the_committee_sees_no_vote_keys(board):
    rfc = new_rfc(kind="emergency", risk="high", adds=[])
    normal = new_rfc()
    for who in ("akhan", "jsmith"):
        async with desk(board, who).run_test(size=SIZE) as pilot:
            await settle(pilot)
            await open_change(pilot, normal.number)
            assert "Approval to proceed: 0 of 3 approve" in words(pilot, "#committee")
            assert not set(VOTE_KEYS) & set(footer(pilot).split(" | "))
            await press(pilot, "a")  # a key not offered does nothing
            assert not changes.change(normal.number).votes
            await open_change(pilot, rfc.number)
            offered = footer(pilot)
            assert ("Approve emergency" in offered) == (who == "jsmith")  # a manager's
            assert ("Plan" in offered) == (who == "jsmith")  # who raised it, or a manager
            assert ("Cancel change" in offered) == (who == "jsmith")


async def test_a_refused_step_shows_its_sentence_and_changes_nothing(board):
    rfc = new_rfc()
    approve(rfc.number)
    emergency = new_rfc(kind="emergency", risk="high", adds=[])
    async with desk(board).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_change(pilot, rfc.number)
        assert "Submit" in footer(pilot)
        before = state()
        await press(pilot, "s")
        said = text_of(pilot, "#change-said")
        assert said.startswith("RFC-000001 needs the implementation plan, the test plan")
        assert "a window, an implementer and a peer reviewer first." in said
        assert state() == before
        await open_change(pilot, emergency.number)
        await press(pilot, "e")
        assert "needs a window, an implementer and a back-out plan first" in text_of(
            pilot, "#change-said"
        )
        assert changes.change(emergency.number).status == "raised"
        await open_change(pilot, rfc.number)
        changes.plan(rfc.number, test_plan="Done elsewhere", by="jsmith")  # another desk
        before = state()
        await press(pilot, "c")  # the page shows the version before that plan
        await answer(pilot, reason="Not needed")
        assert "was just changed: look at it again" in text_of(pilot, "#dialog-problem")
        assert state() == before
        await press(pilot, "escape")
        assert "Done elsewhere" in words(pilot, "#details")  # reloaded
        await press(pilot, "c")
        await answer(pilot, reason="Not needed")
        assert changes.change(rfc.number).status == "cancelled"
        assert "Cancelled" in words(pilot, "#details")
        assert footer(pilot).startswith("Back")  # it has ended: no steps left


async def test_the_plan_form_checks_the_window(board):
    rfc = new_rfc()
    approve(rfc.number)
    start, end = window(hour=16)
    calendar.add_event(
        "freeze",
        "Census freeze",
        start + dt.timedelta(hours=1),
        start + dt.timedelta(hours=3),
        by="jsmith",
    )
    async with desk(board).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_change(pilot, rfc.number)
        await press(pilot, "p")
        assert pilot.app.screen.query_one("#field-implementer").value == "jsmith"
        await answer(pilot, start=local_text(end), end=local_text(start))
        assert "That window ends before it starts." in text_of(pilot, "#dialog-problem")
        await answer(pilot, start="next tuesday")
        assert "must be a time like 2026-10-14 16:00" in text_of(pilot, "#dialog-problem")
        await answer(pilot, start=local_text(start), end="")
        assert "Give the window's end too" in text_of(pilot, "#dialog-problem")
        assert changes.change(1).window_start is None  # nothing half-done
        await answer(
            pilot,
            end=local_text(end),
            peer_reviewer="akhan",
            **PLANNED,
        )
        found = changes.change(1)
        assert (found.window_start, found.window_end) == (start, end)
        assert (found.implementer, found.peer_reviewer) == ("jsmith", "akhan")
        calendar_check = words(pilot, "#calendar")
        assert "hits 1 thing: Census freeze (freeze)" in calendar_check
        assert "Next free windows:" in calendar_check
        before = state()
        await press(pilot, "s")
        said = text_of(pilot, "#change-said")
        assert said.startswith("The window hits Census freeze (freeze)")
        assert "Next free windows:" in said
        assert state() == before
        later = window(days=8, hour=16)
        await press(pilot, "p")
        await answer(pilot, start=local_text(later[0]), end=local_text(later[1]))
        assert "is clear of lessons, exams and freezes" in words(pilot, "#calendar")
        assert not pilot.app.screen.query_one("#change-said").display
        await press(pilot, "p")
        await answer(pilot)  # nothing changed
        assert "Nothing to change." in text_of(pilot, "#dialog-problem")


async def test_the_whole_way_from_the_desk(board):
    soon = journal.now() + dt.timedelta(minutes=10)

    async def as_(who: str, *steps) -> None:
        async with desk(board, who).run_test(size=SIZE) as pilot:
            await settle(pilot)
            await open_change(pilot, "RFC-000001")
            for key, fields in steps:
                await press(pilot, key)
                if fields is not None:
                    await answer(pilot, **fields)
                assert not pilot.app.screen.query_one("#change-said").display, text_of(
                    pilot, "#change-said"
                )

    async with desk(board).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f4", "n")
        await answer(pilot, title="Install Audacity in IT1", reason="Music", rooms="IT1",
                     adds="Audacity 3.4")  # fmt: skip
    await as_("bmorris", ("a", {}))
    await as_("cdavis", ("a", {}))
    assert changes.change(1).status == "planning"
    plan = {
        **PLANNED,
        "start": local_text(soon),
        "end": local_text(soon + dt.timedelta(hours=2)),
        "peer_reviewer": "akhan",
    }
    await as_("jsmith", ("p", plan), ("s", None))
    assert changes.change(1).status == "peer_review"
    await as_("akhan", ("v", {"verdict": "back", "comment": "Say which machines"}))
    assert changes.change(1).status == "planning"
    await as_("jsmith", ("p", {"test_plan": "Open it on IT1-01 and IT1-02"}), ("s", None))
    await as_("akhan", ("v", {"verdict": "pass"}))
    assert changes.change(1).status == "reviewed"
    await as_("cdavis", ("a", {}))
    await as_("eward", ("a", {}))
    found = changes.change(1)
    assert found.status == "scheduled" and found.notices
    async with desk(board).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_change(pilot, "RFC-000001")
        assert "Approved and scheduled" in words(pilot, "#details")
        assert "Planned IT work in Computer room 1" in words(pilot, "#details")  # its notice
        offered = footer(pilot)
        assert offered.startswith("Notice | Implemented | Back out | Cancel change")
        await press(pilot, "i")
        await answer(pilot, note="Went in cleanly")
        await press(pilot, "u")
        assert changes.change(1).status == "registered"
        assert [r[0] for r in software.detail("Audacity 3.4").rooms] == ["IT1"]
        await press(pilot, "w")
        await answer(pilot, outcome="succeeded", lessons="Test on one machine first")
        assert "Closed" in words(pilot, "#details")
        assert footer(pilot).startswith("Caused a call | Back")  # only what may come later
    found = changes.change(1)
    assert (found.status, found.outcome, found.lessons) == (
        "closed",
        "succeeded",
        "Test on one machine first",
    )


async def test_markup_in_a_title_shows_literally(board):
    new_rfc(title=MARKUP, reason="[red]not red[/red]")
    async with desk(board, "bmorris").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+r")
        assert cell(pilot, "#changes", "RFC-000001", "title") == MARKUP
        await press(pilot, "enter")
        shown = text_of(pilot, "#details")
        assert MARKUP in shown and "[red]not red[/red]" in shown
        await press(pilot, "a")
        await answer(pilot, comment="[@click=app.quit]ok[/]")
        assert "approves: [@click=app.quit]ok[/]" in words(pilot, "#committee")
        await pilot.click("#details")
        await pilot.click("#committee")
        await settle(pilot)
        assert pilot.app.return_code is None


async def test_the_scan_box_opens_a_change_by_its_number(board):
    new_rfc()
    async with desk(board).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+o")
        await pilot.press(*"rfc 404", "enter")
        await settle(pilot)
        assert "There is no change RFC-000404." in text_of(pilot, "#dialog-problem")
        await type_into(pilot, "#scanned", "rfc-1")
        await press(pilot, "enter")
        assert screen_name(pilot) == "ChangeScreen" and pilot.app.screen.number == "RFC-000001"


async def test_help_lists_the_change_keys(board):
    async with desk(board).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f1")
        listed = text_of(pilot, "#keys")
        for words_ in ("Changes", "A change", "New RFC", "Approve emergency", "Approve"):
            assert words_ in listed


async def test_the_schedule_is_a_key_from_the_changes(board):
    async with desk(board).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f4")
        await press(pilot, "s")
        assert screen_name(pilot) == "ScheduleScreen"
        await press(pilot, "escape")
        assert screen_name(pilot) == "ChangesScreen"


async def test_the_call_it_came_from_is_a_key_away(board):
    from store.servicedesk import servicedesk

    call = servicedesk.log_call(summary="Please install Audacity in IT1", requester="Ms Green",
                                role="staff", by="jsmith")  # fmt: skip
    rfc = new_rfc(incident=call.number)
    async with desk(board).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_change(pilot, rfc.number)
        assert f"From call {call.number}" in words(pilot, "#details")
        assert "Its call" in footer(pilot)
        await press(pilot, "g")
        assert screen_name(pilot) == "IncidentScreen" and pilot.app.screen.number == call.number
