"""The desk's forward schedule of change, through Textual's Pilot: four weeks of the
school calendar with the changes whose windows touch each day, approved ones plainly and
proposed ones marked, four weeks on and back, and a change opened from it."""

import datetime as dt
import logging
import threading

import pytest
from textual.widgets import OptionList

from store.changes import changes
from store.db import database, journal
from store.school import calendar, locations, people
from tests.kiosk_helpers import settle, text_of
from tests.test_calendar import DAY
from tests.test_desk_app import footer, screen_name
from tui.app import DeskApp

SIZE = (120, 40)
NOW = dt.datetime(2026, 10, 19, 8, 0)
"""Monday 19 October 2026, 09:00 in London (summer time until Sunday 25 October)."""
PLANNED = {
    "implementation_plan": "Push it from the deployment server.",
    "test_plan": "Try it on two machines.",
    "backout_plan": "Put the old one back.",
}


def local(*args) -> dt.datetime:
    return calendar.to_utc(dt.datetime(*args))


@pytest.fixture
def autumn(school, monkeypatch):
    """The autumn term of 2026 with its half term (26-30 Oct), a training day (Mon 2 Nov),
    a reports freeze (Wed 4-Fri 6 Nov) and mock exams in the hall (Mon 9-Fri 13 Nov);
    a change committee of two; the clock at NOW."""
    monkeypatch.setattr(journal, "now", lambda: NOW)
    calendar.set_timetable(DAY, by="jsmith")
    locations.add_location("HALL", "Main hall", by="jsmith")
    people.add_technician("bmorris", "Bea Morris", roles=["technician", "committee"], by="jsmith")
    people.add_technician("cdavis", "Cal Davis", roles=["technician", "committee"], by="jsmith")
    for kind, title, first, last, room in (
        ("term", "Autumn term", (2026, 9, 2), (2026, 12, 18), None),
        ("holiday", "Half term", (2026, 10, 26), (2026, 10, 30), None),
        ("inset", "Training day", (2026, 11, 2), (2026, 11, 2), None),
        ("freeze", "Reports change freeze", (2026, 11, 4), (2026, 11, 6), None),
        ("exam", "Year 11 mocks", (2026, 11, 9), (2026, 11, 13), "HALL"),
    ):
        calendar.add_event(kind, title, dt.date(*first), dt.date(*last), location=room, by="jsmith")
    return school


def standard(title: str, window, **kw) -> str:
    """A standard change, pre-approved and scheduled."""
    rfc = changes.raise_change(
        title, kind="standard", window=window, implementer="akhan", by="jsmith", **PLANNED, **kw
    )
    return changes.submit(rfc.number, by="jsmith").number


def normal(title: str, window, *, approved: bool = False, **kw) -> str:
    """A normal change awaiting approval to proceed, or (approved) through the committee,
    peer review and the committee again, to scheduled."""
    rfc = changes.raise_change(title, window=window, by="jsmith", **kw)
    if approved:
        for member in ("bmorris", "cdavis"):
            changes.vote(rfc.number, "approve", by=member)
        changes.plan(rfc.number, by="jsmith", implementer="jsmith", peer_reviewer="akhan",
                     **PLANNED)  # fmt: skip
        changes.submit(rfc.number, by="jsmith")
        changes.peer_review(rfc.number, ok=True, by="akhan")
        for member in ("bmorris", "cdavis"):
            changes.vote(rfc.number, "approve", by=member)
    return rfc.number


@pytest.fixture
def planned(autumn):
    """A few changes over the four weeks from Mon 19 Oct: one after school, one over the
    weekend the clocks go back, one proposed in half term, an emergency in the freeze, and
    one cancelled."""
    found = {
        "chrome": standard(
            "Update Chrome in IT1", (local(2026, 10, 20, 16), local(2026, 10, 20, 18))
        ),
        "switch": normal(
            "Replace the core switch",
            (local(2026, 10, 24, 8), local(2026, 10, 25, 18)),
            risk="high",
            approved=True,
        ),
        "audacity": normal(
            "Install Audacity in IT1", (local(2026, 10, 28, 9), local(2026, 10, 28, 12))
        ),
    }
    firewall = changes.raise_change(
        "Patch the firewall",
        kind="emergency",
        window=(local(2026, 11, 5, 16), local(2026, 11, 5, 17)),
        implementer="jsmith",
        backout_plan="Restore the saved config",
        by="jsmith",
    )
    found["firewall"] = changes.approve_emergency(firewall.number, by="jsmith").number
    gone = normal("Move the printers", (local(2026, 10, 21, 16), local(2026, 10, 21, 17)))
    changes.cancel(gone, "Not needed after all", by="jsmith")
    found["gone"] = gone
    return found


def elsewhere(job) -> None:
    """Do `job` as another technician's desk would: on another connection."""

    def work() -> None:
        with database.db.connection_context():
            job()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def desk_at(db_url) -> DeskApp:
    return DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)


async def open_schedule(pilot, start: dt.date | None = None) -> None:
    from tui.screens.changes.schedule import ScheduleScreen

    await settle(pilot)
    pilot.app.push_screen(ScheduleScreen(start))
    await settle(pilot)
    assert screen_name(pilot) == "ScheduleScreen"


def lines(pilot) -> dict[str, str]:
    """Each line of the schedule by its id ("day 2026-10-19", "RFC-000001 2026-10-20"),
    the week headings by their words."""
    listing = pilot.app.screen.query_one("#schedule", OptionList)
    return {option.id or option.prompt.plain: option.prompt.plain for option in listing.options}


def day(pilot, date: str) -> str:
    return " ".join(lines(pilot)[f"day {date}"].split())


def change(pilot, number: str, date: str) -> str:
    return " ".join(lines(pilot)[f"{number} {date}"].split())


async def test_days_and_their_events_in_the_right_places(planned, db_url):
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_schedule(pilot)
        said = text_of(pilot, "#schedule-said")
        assert said.startswith("Mon 19 Oct to Sun 15 Nov 2026: 4 changes, 1 proposed.")
        assert day(pilot, "2026-10-19") == "Mon 19 Oct School ◀ today"
        assert day(pilot, "2026-10-24") == "Sat 24 Oct Weekend"
        assert day(pilot, "2026-10-27") == "Tue 27 Oct Holiday Half term"
        assert day(pilot, "2026-11-02") == "Mon 2 Nov INSET Training day"
        assert day(pilot, "2026-11-04") == "Wed 4 Nov School Freeze: Reports change freeze"
        assert day(pilot, "2026-11-10") == "Tue 10 Nov School Exams: Year 11 mocks in HALL"
        assert day(pilot, "2026-11-15") == "Sun 15 Nov Weekend"
        assert "day 2026-11-16" not in lines(pilot)
        headings = [
            text for key, text in lines(pilot).items() if not key.startswith(("day", "RFC"))
        ]
        assert [" ".join(h.split()) for h in headings] == [
            "Week of Mon 19 Oct · 2 changes",
            "Week of Mon 26 Oct · 1 change, 1 proposed",
            "Week of Mon 2 Nov · 1 change",
            "Week of Mon 9 Nov · no changes",
        ]


async def test_a_change_over_a_weekend_shows_on_both_days_in_local_time(planned, db_url):
    switch = planned["switch"]
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_schedule(pilot)
        # Saturday is summer time; the clocks go back on Sunday: both are London's times
        assert change(pilot, switch, "2026-10-24") == (
            f"{switch} from 08:00 Scheduled Replace the core switch jsmith high risk"
        )
        assert change(pilot, switch, "2026-10-25") == (
            f"{switch} until 18:00 Scheduled Replace the core switch jsmith high risk"
        )
        assert f"{switch} 2026-10-23" not in lines(pilot)
        assert f"{switch} 2026-10-26" not in lines(pilot)
        assert day(pilot, "2026-10-24") == "Sat 24 Oct Weekend"


async def test_approved_changes_read_plainly_and_those_awaiting_approval_are_proposed(
    planned, db_url
):
    chrome, audacity, firewall = planned["chrome"], planned["audacity"], planned["firewall"]
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_schedule(pilot)
        assert change(pilot, chrome, "2026-10-20") == (
            f"{chrome} 16:00-18:00 Scheduled Update Chrome in IT1 akhan"
        )
        assert change(pilot, audacity, "2026-10-28") == (
            f"{audacity} 09:00-12:00 Proposed Install Audacity in IT1 (Raised) nobody named"
        )
        assert change(pilot, firewall, "2026-11-05") == (
            f"{firewall} 16:00-17:00 Scheduled Patch the firewall (emergency) jsmith"
        )
        # approval moves it from proposed to scheduled; the screen follows the database
        elsewhere(lambda: [changes.vote(audacity, "approve", by=m) for m in ("bmorris", "cdavis")])
        assert "Raised" in change(pilot, audacity, "2026-10-28")  # not reloaded yet
        pilot.app.look_for_changes()
        await settle(pilot)
        assert change(pilot, audacity, "2026-10-28").startswith(
            f"{audacity} 09:00-12:00 Proposed Install Audacity in IT1 (Planning)"
        )


async def test_a_cancelled_change_is_not_shown(planned, db_url):
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_schedule(pilot)
        assert not [key for key in lines(pilot) if key.startswith(planned["gone"])]
        assert day(pilot, "2026-10-21") == "Wed 21 Oct School"
        elsewhere(lambda: changes.cancel(planned["chrome"], "Pulled by the vendor", by="jsmith"))
        pilot.app.look_for_changes()
        await settle(pilot)
        assert not [key for key in lines(pilot) if key.startswith(planned["chrome"])]
        assert "3 changes, 1 proposed" in text_of(pilot, "#schedule-said")


async def test_four_weeks_on_and_back_and_back_to_today(planned, db_url):
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_schedule(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert text_of(pilot, "#schedule-said") == "Mon 16 Nov to Sun 13 Dec 2026: no changes."
        assert day(pilot, "2026-11-16") == "Mon 16 Nov School"
        assert "day 2026-11-15" not in lines(pilot)
        assert "Open change" not in footer(pilot)
        await pilot.press("p", "p")
        await settle(pilot)
        assert text_of(pilot, "#schedule-said").startswith("Mon 21 Sep to Sun 18 Oct 2026")
        await pilot.press("right")
        await settle(pilot)
        assert text_of(pilot, "#schedule-said").startswith("Mon 19 Oct to Sun 15 Nov 2026")
        assert day(pilot, "2026-10-19").endswith("◀ today")
        await pilot.press("n", "n", "t")
        await settle(pilot)
        assert text_of(pilot, "#schedule-said").startswith("Mon 19 Oct to Sun 15 Nov 2026")
        listing = pilot.app.screen.query_one("#schedule", OptionList)
        assert listing.highlighted_option.id == "day 2026-10-19"  # the cursor on today
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "QueueScreen"


async def test_a_schedule_from_any_day_heads_its_part_week(planned, db_url):
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_schedule(pilot, dt.date(2026, 10, 22))
        said = text_of(pilot, "#schedule-said")
        assert said.startswith("Thu 22 Oct to Wed 18 Nov 2026: 3 changes, 1 proposed.")
        keys = list(lines(pilot))
        assert " ".join(keys[0].split()) == "Week of Mon 19 Oct · 1 change"
        assert keys[1] == "day 2026-10-22"
        assert "day 2026-10-19" not in keys


async def test_a_title_with_markup_shows_literally_and_a_long_one_is_cut_to_fit(autumn, db_url):
    typed = "[bold red]Wipe[/] [@click=app.quit]the server[/]"
    number = normal(typed, (local(2026, 10, 20, 16), local(2026, 10, 20, 17)))
    long = normal(
        "Re-image " + "every laptop " * 8, (local(2026, 10, 21, 16), local(2026, 10, 21, 17))
    )
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_schedule(pilot)
        assert typed in change(pilot, number, "2026-10-20")
        listing = pilot.app.screen.query_one("#schedule", OptionList)
        drawn = [listing.render_line(y).text for y in range(listing.size.height)]
        assert any(typed in line for line in drawn)
    async with desk_at(db_url).run_test(size=(80, 24)) as pilot:
        await open_schedule(pilot)
        cut = lines(pilot)[f"{long} 2026-10-21"]
        assert cut.endswith("every laptop every laptop …") and len(cut) == 80 - 4


def test_the_schedule_reads_the_same_few_queries_whatever_is_on(autumn, caplog):
    """A year of calendar and hundreds of changes: one read of the days, one of the
    events' kinds, one of the changes, however busy the four weeks are."""
    from store.db.models import CalendarEvent, Change, Technician
    from tui.screens.changes.schedule import read_plan

    def queries(first) -> tuple[int, object]:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="peewee"):
            plan = read_plan(first)
        return len([r for r in caplog.records if r.name == "peewee"]), plan

    quiet, _ = queries(dt.date(2026, 10, 19))
    stamp = NOW
    CalendarEvent.insert_many(
        [
            {
                "kind": "other",
                "title": f"Club {n}",
                "starts_at": local(2026, 9, 1, 15) + dt.timedelta(days=n),
                "ends_at": local(2026, 9, 1, 17) + dt.timedelta(days=n),
                "created_at": stamp,
            }
            for n in range(365)
        ]
    ).execute()
    me = Technician.get(Technician.login == "jsmith").id
    Change.insert_many(
        [
            {
                "title": f"Change {n}",
                "status": ("raised", "scheduled", "closed", "cancelled")[n % 4],
                "window_start": local(2026, 9, 1, 16) + dt.timedelta(hours=11 * n),
                "window_end": local(2026, 9, 1, 18) + dt.timedelta(hours=11 * n),
                "originator": me,
                "created_at": stamp,
                "updated_at": stamp,
            }
            for n in range(800)
        ]
    ).execute()
    busy, plan = queries(dt.date(2026, 10, 19))
    assert busy == quiet <= 4  # the periods, the days' events, their kinds, the changes
    assert len(plan.days) == 28 and len(plan.changes) == 46  # 61 windows, 15 cancelled
    assert plan.kinds["Club 50"] == "other" and plan.kinds["Reports change freeze"] == "freeze"


async def test_four_weeks_past_the_calendars_end_say_so_in_one_sentence(school, db_url):
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_schedule(pilot, dt.date(2099, 12, 20))
        assert text_of(pilot, "#schedule-said") == (
            "Could not read the schedule: A schedule must fall between 2000 and 2100."
        )
        assert lines(pilot) == {}
        await pilot.press("t")  # back to today, which is fine
        await settle(pilot)
        assert text_of(pilot, "#schedule-said").startswith("Mon 19 Oct to Sun 15 Nov 2026")


async def test_enter_or_o_on_a_change_opens_it_and_escape_comes_back_to_it(planned, db_url):
    switch = planned["switch"]
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_schedule(pilot)
        assert "Open change" not in footer(pilot)  # the cursor is on today, not a change
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "ScheduleScreen"
        listing = pilot.app.screen.query_one("#schedule", OptionList)
        listing.highlighted = listing.get_option_index(f"{switch} 2026-10-25")
        await settle(pilot)
        assert "Open change" in footer(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "ChangeScreen" and pilot.app.screen.number == switch
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "ScheduleScreen"
        assert listing.highlighted_option.id == f"{switch} 2026-10-25"
        await pilot.press("down", "down", "down", "down", "o")  # to half term's proposed one
        await settle(pilot)
        assert screen_name(pilot) == "ChangeScreen"
        assert pilot.app.screen.number == planned["audacity"]


def choices(pilot) -> list[str]:
    return [str(button.label) for button in pilot.app.screen.query("ChoiceButton")]


async def test_an_imported_calendar_can_be_hidden_and_shown_again(autumn, db_url):
    """The IT team's weekly maintenance windows, imported from a calendar service, are
    hidden from the schedule with h and come back with h; the school's own stay."""
    from pathlib import Path

    from store.school import calendar_files

    export = Path(__file__).resolve().parent.parent / "docs" / "examples"
    calendar_files.import_file(export / "it-calendar-export.ics", by="jsmith")
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_schedule(pilot)
        assert "Weekly maintenance window" in day(pilot, "2026-10-20")
        await pilot.press("h")
        await settle(pilot)
        assert choices(pilot) == ["Hide it-calendar-export.ics (45 events)"]
        await pilot.press("enter")  # the first (only) calendar, then OK
        await settle(pilot)
        if screen_name(pilot) != "ScheduleScreen":
            await pilot.press("tab", "enter")
            await settle(pilot)
        assert screen_name(pilot) == "ScheduleScreen"
        assert "Weekly maintenance" not in day(pilot, "2026-10-20")
        assert day(pilot, "2026-10-27") == "Tue 27 Oct Holiday Half term"  # the school's own
        assert "Hidden: it-calendar-export.ics (h)." in text_of(pilot, "#schedule-said")
        await pilot.press("h")
        await settle(pilot)
        assert choices(pilot) == ["Show it-calendar-export.ics (45 events)"]
        await pilot.press("enter")
        await settle(pilot)
        if screen_name(pilot) != "ScheduleScreen":
            await pilot.press("tab", "enter")
            await settle(pilot)
        assert "Weekly maintenance window" in day(pilot, "2026-10-20")
        assert "Hidden" not in text_of(pilot, "#schedule-said")
