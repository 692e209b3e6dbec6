"""Service levels at the desk, driven through Textual's Pilot (docs/service_levels.md): the
queue's Due column and its colours, sorting by it, the notice when a call misses a
target, a call's service and targets on its page, and the service catalogue screen."""

import datetime as dt

import pytest
from textual.widgets import DataTable

from store.db import journal
from store.school import people
from store.service_levels import catalogue
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import settle, text_of
from tests.test_desk_app import answer, footer, open_call, screen_name, table_numbers
from tui.app import DeskApp
from tui.screens.common import columns_for

# November is GMT, so these naive UTC times are the school's own; with no terms imported
# every weekday is a school day, covered 08:00 to 16:30.
MONDAY_9 = dt.datetime(2026, 11, 23, 9, 0)
WIDE, NARROW = (120, 30), (80, 24)


def at_time(hours: int, minutes: int = 0, days: int = 0) -> dt.datetime:
    return MONDAY_9.replace(hour=hours, minute=minutes) + dt.timedelta(days=days)


@pytest.fixture
def now(school, monkeypatch):
    """The time the store and the desk think it is, set by the test: [moment]."""
    moment = [MONDAY_9]
    monkeypatch.setattr(journal, "now", lambda: moment[0])
    return moment


def log(summary: str, impact: int = 2, urgency: int = 2, **extra):
    """A call: P3 by default (answer in 4 h, resolve in 3 school days); 1, 1 is a P1
    (answer in 30 min, resolve in 4 h)."""
    fields = {"requester": "Sam Patel", "location": "LIB", "category": "printer", "by": "jsmith"}
    return servicedesk.log_call(
        summary=summary, impact=impact, urgency=urgency, **{**fields, **extra}
    )


@pytest.fixture
def calls(now):
    """At 09:00 on a Monday: a P3, a P1, a P1 on hold and a resolved P3."""
    p3 = log("Printer jams")
    p1 = log("Whole room has no network", impact=1, urgency=1, category="network")
    held = log("Projector dead", impact=1, urgency=1, category="projector")
    incidents.take(held.number, by="akhan")
    incidents.hold(held.number, "Waiting for a bulb", by="akhan")
    done = log("Toner low")
    incidents.resolve(done.number, kind="fix", text="New toner", by="jsmith")
    return {"p3": p3.number, "p1": p1.number, "held": held.number, "done": done.number}


def due_cell(pilot, number: str):
    return pilot.app.screen.query_one("#calls", DataTable).get_cell(number, "due")


def summary_cell(pilot, number: str):
    return pilot.app.screen.query_one("#calls", DataTable).get_cell(number, "summary")


async def refresh(pilot) -> None:
    await pilot.press("r")
    await settle(pilot)


def told(app) -> list[str]:
    return [str(n.message) for n in app._notifications if n.title == "Service level missed"]


async def test_the_due_column_says_what_falls_due_first_and_colours_the_row(calls, now, db_url):
    now[0] = at_time(9, 10)
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert due_cell(pilot, calls["p3"]).plain == "answer 3h50"
        assert due_cell(pilot, calls["p1"]).plain == "answer 20m"
        assert due_cell(pilot, calls["held"]).plain == "on hold"
        assert summary_cell(pilot, calls["p1"]).style == ""
        now[0] = at_time(9, 25)  # 25 of its 30 minutes used: amber
        pilot.app.screen.time_passes()  # what the queue's minute timer does
        await settle(pilot)
        assert due_cell(pilot, calls["p1"]).plain == "answer 5m"
        assert "yellow" in str(summary_cell(pilot, calls["p1"]).style)
        assert "yellow" in str(due_cell(pilot, calls["p1"]).style)
        assert summary_cell(pilot, calls["p3"]).style == ""
        now[0] = at_time(9, 50)  # past it: red
        await refresh(pilot)
        assert due_cell(pilot, calls["p1"]).plain == "answer 20m late"
        assert "red" in str(summary_cell(pilot, calls["p1"]).style)
        incidents.take(calls["p1"], by="jsmith")  # answered: the fix is due at 13:00
        await refresh(pilot)
        assert due_cell(pilot, calls["p1"]).plain == "3h10"
        assert "red" not in str(summary_cell(pilot, calls["p1"]).style)
        await pilot.press("5")  # resolved, waiting: nothing is due
        await settle(pilot)
        assert table_numbers(pilot) == [calls["done"]]
        assert due_cell(pilot, calls["done"]).plain == ""


async def test_at_80_columns_the_due_column_is_short_and_the_summary_keeps_its_room(
    calls, now, db_url
):
    for size, summary in ((80, 18), (100, 27), (120, 34)):
        widths = {key: width for key, _heading, width in columns_for(size)}
        assert widths["summary"] >= summary
        assert widths["due"] == (16 if size >= 120 else 9)
        assert ("age" in widths) == (size >= 120)  # Due says it below
    now[0] = at_time(9, 40)
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert due_cell(pilot, calls["p3"]).plain == "ans 3h20"
        assert due_cell(pilot, calls["p1"]).plain == "no answer"
        assert "red" in str(due_cell(pilot, calls["p1"]).style)
        await pilot.press("space")  # a marked call keeps its colour
        await settle(pilot)
        marked = summary_cell(pilot, table_numbers(pilot)[0])
        assert marked.plain.startswith("✓") and marked.spans  # styled, not plain


async def test_the_queue_sorts_by_due_with_calls_on_hold_last(calls, now, db_url):
    p2 = log("Board dead", impact=1, urgency=2, category="projector")  # resolve in 1 day
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await answer(pilot, column="due")
        assert table_numbers(pilot) == [calls["p1"], p2.number, calls["p3"], calls["held"]]
        assert "By due" in text_of(pilot, "#narrowed")
        await pilot.press("o")
        await settle(pilot)
        await answer(pilot, column="due", reversed=True)
        assert table_numbers(pilot) == [calls["p3"], p2.number, calls["p1"], calls["held"]]


async def test_a_missed_target_is_told_once_to_its_assignee_and_the_managers(calls, now, db_url):
    theirs = log("Email down", impact=1, urgency=1, category="email")
    incidents.take(theirs.number, by="jsmith")  # answered at once; its fix is due at 13:00
    jsmith = DeskApp(db_url=db_url, user="jsmith")  # a manager: told of every call
    async with jsmith.run_test(size=WIDE) as pilot:
        await settle(pilot)
        now[0] = at_time(9, 29)
        jsmith.look_for_breaches()
        await settle(pilot)
        assert told(jsmith) == []
        now[0] = at_time(9, 31)  # the unassigned P1 was to be answered by 09:30
        jsmith.look_for_breaches()
        await settle(pilot)
        jsmith.look_for_breaches()  # again: each is told once
        await settle(pilot)
        assert told(jsmith) == [
            f"{calls['p1']} (P1) was not answered in time: Whole room has no network"
        ]
    incidents.assign(calls["p1"], "akhan", by="jsmith")  # its fix is due at 13:00 too
    now[0] = at_time(12, 59)
    akhan = DeskApp(db_url=db_url, user="akhan")  # not a manager: his own calls alone
    async with akhan.run_test(size=WIDE) as pilot:
        await settle(pilot)
        now[0] = at_time(13, 1)
        akhan.look_for_breaches()
        await settle(pilot)
        assert told(akhan) == [
            f"{calls['p1']} (P1) was not resolved in time: Whole room has no network"
        ]


async def test_no_notice_out_of_school_hours_then_the_morning_tells_of_the_evening(now, db_url):
    now[0] = at_time(12, 30)
    late = log("Server down", impact=1, urgency=1, category="network")
    incidents.take(late.number, by="jsmith")  # answered: its fix is due at 16:30
    app = DeskApp(db_url=db_url, user="jsmith")
    now[0] = at_time(16, 0)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        now[0] = at_time(17, 0)
        app.look_for_breaches()
        await settle(pilot)
        assert told(app) == []
        now[0] = at_time(8, 1, days=1)
        app.look_for_breaches()
        await settle(pilot)
        assert told(app) == [f"{late.number} (P1) was not resolved in time: Server down"]


async def test_a_call_shows_its_service_and_targets_and_its_service_can_change(calls, now, db_url):
    now[0] = at_time(9, 40)
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await open_call(pilot, calls["p1"])
        shown = " ".join(text_of(pilot, "#fields").split())
        assert "Service Network and internet" in shown
        assert "Answer by Mon 23 Nov 09:30, 10m late" in shown
        assert "Resolve by Mon 23 Nov 13:00, 3h20 left" in shown
        assert "Service" in footer(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert "Which service is" in text_of(pilot, "#dialog-title")
        await answer(pilot, service="Printing")
        assert servicedesk.find_call(calls["p1"]).service == "Printing"
        assert "Service Printing" in " ".join(text_of(pilot, "#fields").split())
        await pilot.press("v")
        await settle(pilot)
        await answer(pilot, service="Printing")  # the same again: said in the dialog
        assert "already about Printing" in text_of(pilot, "#dialog-problem")
        await answer(pilot, service="")
        assert servicedesk.find_call(calls["p1"]).service is None
        assert "Service none" in " ".join(text_of(pilot, "#fields").split())
        await pilot.press("escape")
        await open_call(pilot, calls["held"])
        assert "Resolve by paused while on hold" in " ".join(text_of(pilot, "#fields").split())
        await pilot.press("escape")
        await open_call(pilot, calls["done"])
        shown = " ".join(text_of(pilot, "#fields").split())
        assert "Resolved in 0m, in target" in shown and "Resolve by" not in shown


async def test_the_service_catalogue_lists_and_spells_out_each_service(calls, now, db_url):
    from tui.commands import desk_commands

    catalogue.edit_service(
        "Printing", supplier="[b]Copiers R Us[/b]", contract="CR-2026-7", by="jsmith"
    )
    catalogue.add_service("Old VLE", description="The old learning platform", by="jsmith")
    catalogue.edit_service("Old VLE", retired=True, by="jsmith")
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "Services" in [c.title for c in desk_commands(pilot.app, pilot.app.screen)]
        await pilot.press("f5")
        await settle(pilot)
        assert screen_name(pilot) == "ServicesScreen"
        names = table_numbers(pilot, "#services")
        assert names[0] == "Classroom projectors" and "Old VLE" not in names
        table = pilot.app.screen.query_one("#services", DataTable)
        assert table.get_cell("Printing", "open").plain == "1"  # the P3; the resolved one not
        assert table.get_cell("Printing", "supplier").plain == "[b]Copiers R Us[/b]"
        table.move_cursor(row=names.index("Printing"))
        await settle(pilot)
        shown = " ".join(text_of(pilot, "#service-detail").split())
        assert "Supplier [b]Copiers R Us[/b]" in shown and "Contract CR-2026-7" in shown
        assert "Categories printer" in shown and "Cover school hours" in shown
        await pilot.press("r")
        await settle(pilot)
        assert "Old VLE" in table_numbers(pilot, "#services")
        assert table.get_cell("Old VLE", "name").plain == "Old VLE (retired)"
        await pilot.press("r")
        await settle(pilot)
        table.move_cursor(row=table_numbers(pilot, "#services").index("Printing"))
        await pilot.press("e")
        await settle(pilot)
        await answer(pilot, owner="Business manager", availability="101")
        assert "from 50 to 100" in text_of(pilot, "#dialog-problem")
        await answer(pilot, availability="99")
        found = catalogue.show_service("Printing")
        assert (found.owner, found.availability_target) == ("Business manager", 99.0)
        assert found.contract == "CR-2026-7"  # what was not changed stays
        assert table.get_cell("Printing", "owner").plain == "Business manager"
        assert table.get_cell("Printing", "target").plain == "99%"


async def test_only_a_manager_is_offered_the_catalogue_edit(calls, now, db_url):
    people.add_technician("bmorris", "Bea Morris", by="jsmith")
    app = DeskApp(db_url=db_url, user="bmorris")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert "Edit" not in footer(pilot) and "Retired too" in footer(pilot)
        await pilot.press("e")  # not offered: nothing happens
        await settle(pilot)
        assert screen_name(pilot) == "ServicesScreen"
        columns = [c.value for c in pilot.app.screen.query_one("#services", DataTable).columns]
        assert "supplier" not in columns  # spelt out under the list at 80 columns
        assert "Supplier" in text_of(pilot, "#service-detail")
