"""The technician desk, driven through Textual's Pilot: identity, every view, every action,
the scan box, notices, logging a call, keys, and calls arriving on their own."""

import asyncio
import datetime as dt
import re
import threading

import pytest
from textual.widgets import DataTable

from store.db import config, database, journal
from store.db.models import Incident
from store.school import notices, people
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import settle, text_of, type_into
from tui.app import POLL_S, DeskApp

SIZE = (100, 30)


@pytest.fixture
def calls(school):
    made = [
        servicedesk.log_call(
            summary="Projector flickers",
            requester="Ms Khan",
            role="staff",
            location="S12",
            category="projector",
            by="jsmith",
        ),
        servicedesk.log_call(
            summary="Laptop will not charge",
            requester="Sam Patel",
            location="LIB",
            category="laptop",
            asset="LAP-0042",
            by="jsmith",
        ),
        servicedesk.log_call(
            summary="[@click=app.quit]x[/] printer [blink]",
            requester="Bob",
            location="IT1",
            category="printer",
            by="jsmith",
        ),
    ]
    return [call.number for call in made]


@pytest.fixture
def desk(calls, db_url):
    return DeskApp(db_url=db_url, user="jsmith")


def footer(pilot) -> str:
    """The actions the screen offers now (in its footer, or, when they are less used or
    do not fit, in F1 and the palette), and the desk's keys the footer may show."""
    app, said = pilot.app, []
    for node, binding, _enabled, _tip in app.screen.active_bindings.values():
        shown = binding.show or (node is app.screen and binding.id)  # the desk names its own
        if binding.description and shown and binding.description not in said:
            said.append(binding.description)
    return " | ".join(said)


def screen_name(pilot) -> str:
    return type(pilot.app.screen).__name__


def table_numbers(pilot, selector="#calls") -> list[str]:
    table = pilot.app.screen.query_one(selector, DataTable)
    return [row.key.value for row in table.ordered_rows]  # as shown


async def open_call(pilot, number: str) -> None:
    pilot.app.open_call(number)
    await settle(pilot)
    assert screen_name(pilot) == "IncidentScreen"


async def answer(pilot, **fields) -> None:
    """Fill the open dialog's fields and press its OK."""
    for name, value in fields.items():
        widget = pilot.app.screen.query_one(f"#field-{name}")
        if hasattr(widget, "pressed_button"):
            for button in widget.query("RadioButton"):
                if button.name == value:
                    button.value = True
        elif isinstance(value, bool):
            widget.value = value
        else:
            await type_into(pilot, f"#field-{name}", value)
    await pilot.pause()
    pilot.app.screen.query_one("#ok").press()
    await settle(pilot)


async def test_only_an_active_technician_gets_the_desk(calls, db_url):
    for who in ("ghost", "[@click=app.quit]"):
        app = DeskApp(db_url=db_url, user=who)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
        assert app.return_code == 1
    people.deactivate_technician("akhan", by="jsmith")
    app = DeskApp(db_url=db_url, user="akhan")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert app.return_code == 1


async def test_the_views_their_counts_and_keys(desk, calls):
    incidents.take(calls[1], by="jsmith")
    incidents.take(calls[2], by="akhan")
    incidents.hold(calls[2], "Waiting for toner", by="akhan")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen_name(pilot) == "QueueScreen"
        assert set(table_numbers(pilot)) == set(calls)
        tabs = " | ".join(str(tab.label) for tab in pilot.app.screen.query("#views Tab"))
        for label in ("All open 3", "Mine 1", "Unassigned 1", "On hold 1", "Resolved, waiting 0"):
            assert label in tabs
        for key, expected in (("2", [calls[1]]), ("3", [calls[0]]), ("4", [calls[2]]), ("5", [])):
            await pilot.press(key)
            await settle(pilot)
            assert table_numbers(pilot) == expected


async def test_search_by_words_and_by_number(desk, calls):
    incidents.add_note(calls[0], "Bulb ordered from Epson", public=False, by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"epson", "enter")
        await settle(pilot)
        assert table_numbers(pilot) == [calls[0]]
        assert "Best matches for: epson" in text_of(pilot, "#narrowed")
        await pilot.press("escape")
        await settle(pilot)
        assert len(table_numbers(pilot)) == 3
        await type_into(pilot, "#search", calls[1].lower())
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "IncidentScreen"


async def test_filter_and_sort(desk, calls):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await answer(pilot, location="MARS")
        assert "no location 'MARS'" in text_of(pilot, "#dialog-problem")  # the dialog stays
        await answer(pilot, location="lib")
        assert table_numbers(pilot) == [calls[1]]
        assert "Only location lib" in text_of(pilot, "#narrowed")
        await pilot.press("f")
        await settle(pilot)
        await type_into(pilot, "#field-location", "")
        await answer(pilot)
        table = pilot.app.screen.query_one("#calls", DataTable)

        def column(key):
            return [table.get_cell(n, key).plain for n in table_numbers(pilot)]

        await pilot.press("o")
        await settle(pilot)
        await answer(pilot, column="summary")
        assert column("summary") == sorted(column("summary"))
        await pilot.press("o")
        await settle(pilot)
        await answer(pilot, column="summary", reversed=True)
        assert column("summary") == sorted(column("summary"), reverse=True)
        before = list(table.columns)[: list(table.columns).index("category")]
        x = sum(table.columns[key].get_render_width(table) for key in before) + 1
        await pilot.click("#calls", offset=(x, 0))  # the What heading
        await settle(pilot)
        assert column("category") == sorted(column("category"))


async def test_a_call_shows_every_field_and_its_timeline_as_plain_text(desk, calls):
    incidents.add_note(calls[2], "[red]public[/red] news", public=True, by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, calls[2])
        shown = text_of(pilot, "#fields")
        assert "[@click=app.quit]x[/] printer [blink]" in shown
        assert "Bob (pupil)" in shown and "Computer room 1 (IT1)" in shown
        timeline = text_of(pilot, "#timeline")
        assert "jsmith (public, seen by the caller): [red]public[/red] news" in timeline
        await pilot.click("#fields")  # the markup in it runs nothing
        await settle(pilot)
        assert pilot.app.return_code is None


async def test_a_call_reported_again_at_kiosks_shows_who_else_and_resolves_with_them(desk, calls):
    from store.db import config
    from store.servicedesk import callers

    config.use(config.Config(kiosk_report_pause_seconds=0))
    again = [
        callers.report_from_kiosk(
            kiosk="library", summary="No charge", requester=name, asset="LAP-0042"
        )[0].number
        for name in ("Ada", "Ben")
    ]
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, calls[1])
        shown = text_of(pilot, "#fields")
        assert "Reported by  3 people, also as" in shown and all(n in shown for n in again)
        assert "impact medium" in shown  # laptop's low impact, raised by three reporters
        pilot.app.pop_screen()
        await open_call(pilot, again[0])
        assert re.search(rf"Same fault as +{calls[1]}", text_of(pilot, "#fields"))
        assert "Ada" in text_of(pilot, "#fields")
    incidents.resolve(calls[1], kind="fix", text="New charger", by="jsmith")
    assert {servicedesk.find_call(n).status for n in again} == {"resolved"}


async def test_every_action_on_a_call(desk, calls):
    number = calls[0]
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, number)
        await pilot.press("t")
        await settle(pilot)
        assert servicedesk.find_call(number).assignee == "jsmith"
        await pilot.press("a")
        await settle(pilot)
        await answer(pilot, to="akhan")
        assert servicedesk.find_call(number).assignee == "akhan"
        await pilot.press("a")
        await settle(pilot)
        await answer(pilot, to="jsmith")
        await pilot.press("s")
        await settle(pilot)
        assert servicedesk.find_call(number).status == "in_progress"
        await pilot.press("h")
        await settle(pilot)
        await answer(pilot, reason="")
        assert "reason is empty" in text_of(pilot, "#dialog-problem")
        await answer(pilot, reason="Waiting for a bulb")
        assert servicedesk.find_call(number).hold_reason == "Waiting for a bulb"
        await pilot.press("n")
        await settle(pilot)
        await answer(pilot, text="x" * 4001)
        assert "the most is 4000" in text_of(pilot, "#dialog-problem")
        await answer(pilot, text="Bulb arrives Tuesday", public=True)
        note = servicedesk.find_call(number).notes[-1]
        assert (note.text, note.public, note.author) == ("Bulb arrives Tuesday", True, "jsmith")
        await pilot.press("i")
        await settle(pilot)
        await answer(pilot, impact="1", urgency="1")
        assert servicedesk.find_call(number).priority == 1
        await pilot.press("l")
        await settle(pilot)
        await answer(pilot, tag="lap-0042")
        assert servicedesk.find_call(number).asset == "LAP-0042"
        await pilot.press("r")
        await settle(pilot)
        await answer(pilot, kind="workaround", text="Lent a spare projector")
        done = servicedesk.find_call(number)
        assert (done.status, done.resolution_kind) == ("resolved", "workaround")
        await pilot.press("c")
        await settle(pilot)
        await answer(pilot, comment="Caller rang to say thanks")
        assert servicedesk.find_call(number).status == "closed"
        await pilot.press("o")
        await settle(pilot)
        await answer(pilot, reason="Bulb failed again")
        assert servicedesk.find_call(number).status == "assigned"
    moves = [(e.action, e.field) for e in journal.history("incident", int(number[4:]))]
    assert ("hold", "status") in moves and ("link asset", "asset") in moves


async def test_the_footer_offers_only_what_can_be_done(desk, calls):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, calls[0])
        offered = footer(pilot)
        assert "Take" in offered and "Resolve" in offered
        assert "Reopen" not in offered and "Close" not in offered
    akhan = DeskApp(db_url=desk.db_url, user="akhan")  # a technician, not a manager
    async with akhan.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, calls[0])
        assert "Assign" not in footer(pilot)
        await pilot.press("a")  # and the key does nothing
        await settle(pilot)
        assert screen_name(pilot) == "IncidentScreen"


async def test_a_call_changed_by_someone_else_is_refused_then_done(desk, calls):
    number = calls[0]
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, number)
        incidents.add_note(number, "I'm on my way", public=False, by="akhan")  # another desk
        await pilot.press("i")
        await settle(pilot)
        await answer(pilot, impact="1", urgency="1")
        assert "just changed by akhan" in text_of(pilot, "#dialog-problem")
        assert servicedesk.find_call(number).priority != 1  # nothing half-done
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("t")  # the screen has reloaded: now it works
        await settle(pilot)
    call = servicedesk.find_call(number)
    assert call.assignee == "jsmith" and call.notes[-1].text == "I'm on my way"


async def test_two_desks_on_one_call_lose_nothing(calls, db_url):
    number = calls[0]
    one = DeskApp(db_url=db_url, user="jsmith")
    two = DeskApp(db_url=db_url, user="akhan")
    async with one.run_test(size=SIZE) as p1, two.run_test(size=SIZE) as p2:
        await settle(p1)
        await settle(p2)
        await open_call(p1, number)
        await open_call(p2, number)
        await p1.press("n")
        await p2.press("n")
        await settle(p1)
        await settle(p2)
        await answer(p1, text="Note from Jo")
        await answer(p2, text="Note from Amir")  # stale: refused, and kept in the box
        assert "just changed by jsmith" in text_of(p2, "#dialog-problem")
        assert p2.app.screen.query_one("#field-text").value == "Note from Amir"  # kept
        await p2.press("escape")
        await settle(p2)
        await p2.press("n")  # the call has reloaded with Jo's note: now it goes in
        await settle(p2)
        await answer(p2, text="Note from Amir")
    texts = [note.text for note in servicedesk.find_call(number).notes]
    assert texts == ["Note from Jo", "Note from Amir"]


async def test_a_kiosk_call_appears_on_its_own_with_a_notice_for_p1(desk, calls, db_url):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        timers = [t for t in desk._timers if getattr(t, "_interval", 99) <= 2]
        assert timers and POLL_S <= 2  # the desk looks by itself, at least every 2 s

        def kiosk() -> None:  # another connection, as a kiosk's would be
            with database.db.connection_context():
                servicedesk.log_call(
                    summary="Whole room has no network",
                    requester="Sam",
                    location="IT1",
                    category="network",
                    impact="high",
                    urgency="high",
                    channel="kiosk",
                    kiosk="library",
                    by="kiosk:library",
                )

        thread = threading.Thread(target=kiosk)
        thread.start()
        thread.join()
        desk.look_for_changes()  # what the timer does, without waiting for it
        await settle(pilot)
        assert "INC-000004" in table_numbers(pilot)
        assert any("New P1: INC-000004" in str(n.message) for n in desk._notifications)


async def test_the_queue_loads_more_as_you_go_down(school, db_url):
    for n in range(150):
        servicedesk.log_call(summary=f"Fault {n}", requester="Sam", by="jsmith")
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from tui.screens.servicedesk.queue import FIRST_PAGE

        assert len(table_numbers(pilot)) == FIRST_PAGE
        pilot.app.screen.query_one("#calls", DataTable).move_cursor(row=FIRST_PAGE - 5)
        await settle(pilot)
        assert len(table_numbers(pilot)) == 150
        assert len(set(table_numbers(pilot))) == 150  # every call once


async def test_scan_a_receipt_a_label_or_junk(desk, calls):
    call = servicedesk.find_call(calls[1])
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press(*call.scan, "enter")  # as a USB scanner types it
        await settle(pilot)
        assert screen_name(pilot) == "IncidentScreen" and pilot.app.screen.number == call.number
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press(*"lap-0042", "enter")
        await settle(pilot)
        assert screen_name(pilot) == "AssetScreen"
        assert "1 call in the last twelve months, 1 in all." in text_of(pilot, "#count")
        assert table_numbers(pilot, "#history") == [call.number]
        await pilot.press("ctrl+o")
        await settle(pilot)
        for junk in ("[@click=app.quit]", "INC-999999", "NOPE-1", ""):
            await type_into(pilot, "#scanned", junk)
            await pilot.press("enter")
            await settle(pilot)
            assert text_of(pilot, "#dialog-problem")
        assert pilot.app.return_code is None


async def test_notices_from_the_desk(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await answer(
            pilot, text="Printer in the Library is broken", location="LIB", until="tomorrow"
        )
        assert "Give the end as a day" in text_of(pilot, "#dialog-problem")
        later = (dt.date.today() + dt.timedelta(days=2)).isoformat()
        await answer(pilot, until=later)
        shown = notices.current_notices("LIB")
        assert [n.text for n in shown] == ["Printer in the Library is broken"]
        await pilot.press("e")
        await settle(pilot)
        await type_into(pilot, "#field-text", "Library printer fixed at 2pm")
        await answer(pilot)
        assert notices.current_notices("LIB")[0].text == "Library printer fixed at 2pm"
        await pilot.press("w")
        await settle(pilot)
        assert notices.current_notices("LIB") == []


async def test_log_a_call_for_a_caller_and_read_out_the_number(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await answer(pilot, requester="Mr Lee", summary="")
        assert "The summary is empty" in text_of(pilot, "#dialog-problem")
        await answer(
            pilot,
            summary="Board pen missing",
            channel="visit",
            location="S12",
            category="projector",
            happened_before="Yes, last week",
        )
        assert screen_name(pilot) == "LoggedDialog"
        call = servicedesk.list_calls(status="all")[0]
        shown = text_of(pilot, "#logged-words")
        assert f"Read out: {call.number}, code {call.check_code}" in shown
        assert pilot.app.screen.query_one("#qr").payload == call.scan
        assert (call.channel, call.requester, call.answers["happened_before"]) == (
            "visit",
            "Mr Lee",
            "Yes, last week",
        )


async def test_help_and_the_command_palette_list_the_keys(desk, calls):
    from tui.commands import desk_commands

    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        listed = text_of(pilot, "#keys")
        for words in ("Scan", "Log a call", "Resolve", "Priority"):
            assert words in listed
        assert "take_call" not in listed  # the keymap's names: fitsdesk desk --keys
        await pilot.press("escape")
        await open_call(pilot, calls[0])
        names = [c.title for c in desk_commands(pilot.app, pilot.app.screen)]
        assert "Take" in names and "Resolve" in names and "Scan" in names
        assert "Reopen" not in names  # not possible for an open call


def test_the_keymaps_names_are_listed_on_the_command_line(run):
    status, out, _err = run("desk", "--keys")
    assert status == 0
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "take_call" in lines and "Take" in lines["take_call"]
    assert "outbox" in lines and lines["outbox"].split()[1] == "m"


def test_the_keymaps_names_are_listed_screen_by_screen_each_with_words(run):
    from tui.screens.help import desk_screens

    status, out, _err = run("desk", "--keys")
    assert status == 0
    headings, place, places = [], None, {}
    for line in out.splitlines():
        if line and not line.startswith(" "):
            headings.append(place := line)
        elif line:
            name, keys, *words = line.split()
            assert words and "_" not in " ".join(words), line  # every key says what it does
            places.setdefault(place, {})[name] = (keys, " ".join(words))
    assert headings[:3] == ["Anywhere", "The queue", "A call"]
    assert len(headings) == 1 + len(desk_screens())  # a heading per screen
    assert places["The queue"]["view_mine"] == ("2", "Show the list 'Mine'")
    assert places["Changes"]["changes_vote"] == ("3", "Show the list 'Awaiting my vote'")
    assert places["A device"]["asset_loans"] == ("3", "Show the list 'Loans'")
    assert places["Devices"]["register_add"][1] == "Add"
    assert places["A change"]["change_approve"][1] == "Approve"


async def test_a_schools_keymap_changes_a_key(calls, db_url):
    config.use(config.Config(desk_keys={"desk.take_call": "T"}))
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, calls[0])
        await pilot.press("T")
        await settle(pilot)
    assert servicedesk.find_call(calls[0]).assignee == "jsmith"
    config.use(config.Config(desk_keys={"desk.fly": "F"}))
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert app.return_code == 2


async def test_everyone_at_once_nothing_breaks(desk, calls):
    """Actions, dialogs and refusals in quick succession, like a busy technician."""
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in (
            "1",
            "2",
            "3",
            "4",
            "5",
            "1",
            "down",
            "enter",
            "t",
            "s",
            "escape",
            "o",
            "escape",
            "f",
            "escape",
            "slash",
            "escape",
            "ctrl+o",
            "escape",
            "f1",
            "escape",
            "ctrl+t",
            "escape",
        ):
            await pilot.press(key)
        await settle(pilot)
        assert pilot.app.return_code is None


def test_the_queue_copes_with_a_summary_changed_under_it(desk, calls):
    Incident.update(summary="x" * 500).where(Incident.id == 1).execute()

    async def go():
        async with desk.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert "INC-000001" in table_numbers(pilot)

    asyncio.run(go())


async def test_a_full_kiosk_is_said_on_the_queue_and_a_technician_lets_it_take_more(desk):
    from store.servicedesk import callers

    config.use(config.Config(kiosk_reports_per_window=2, kiosk_report_pause_seconds=0))
    report = {"summary": "No sound", "requester": "Sam", "location": "LIB"}
    for _ in range(2):
        callers.report_from_kiosk(kiosk="library", **report)
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Kiosk library is full: k to see it" in text_of(pilot, "#narrowed")
        await pilot.press("k")  # the key the line names
        await settle(pilot)
        table = pilot.app.screen.query_one("#kiosks", DataTable)
        row = [str(cell) for cell in table.get_row("library")]
        assert row[2] == "2/2" and row[3].startswith("Full")
        await pilot.press("l")
        await settle(pilot)
        assert "Let library take more reports?" in text_of(pilot, "#dialog-title")
        await pilot.press("enter")
        await settle(pilot)
        row = [str(cell) for cell in table.get_row("library")]
        assert row[2] == "0/2" and row[3].startswith("Taking reports")
        callers.report_from_kiosk(kiosk="library", **report)  # the kiosk takes one again
        await pilot.press("escape")
        await settle(pilot)
        assert "full" not in text_of(pilot, "#narrowed")


async def test_taking_a_colleagues_call_asks_first_and_names_them(desk, calls):
    incidents.take(calls[0], by="akhan")
    incidents.take(calls[1], by="akhan")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = pilot.app.screen.query_one("#calls", DataTable)
        table.move_cursor(row=table.get_row_index(calls[2]))  # nobody's: one step
        await pilot.press("t")
        await settle(pilot)
        assert screen_name(pilot) == "QueueScreen"
        assert servicedesk.find_call(calls[2]).assignee == "jsmith"
        table.move_cursor(row=table.get_row_index(calls[1]))  # a colleague's: asked first
        await pilot.press("t")
        await settle(pilot)
        assert text_of(pilot, "#dialog-title") == f"{calls[1]} is Amir Khan's. Take it from them?"
        assert servicedesk.find_call(calls[1]).assignee == "akhan"
        await answer(pilot)
        assert servicedesk.find_call(calls[1]).assignee == "jsmith"
        await open_call(pilot, calls[0])
        await pilot.press("t")
        await settle(pilot)
        assert text_of(pilot, "#dialog-title") == f"{calls[0]} is Amir Khan's. Take it from them?"
        await pilot.press("escape")  # no: it stays theirs
        await settle(pilot)
        assert servicedesk.find_call(calls[0]).assignee == "akhan"
        await pilot.press("t")
        await settle(pilot)
        await answer(pilot)
        assert servicedesk.find_call(calls[0]).assignee == "jsmith"
        assert "jsmith: took it from akhan" in text_of(pilot, "#timeline")


async def test_a_reopened_call_keeps_its_earlier_fix_on_the_timeline(desk, calls):
    incidents.resolve(calls[0], kind="fix", text="New [b]bulb[/b] fitted", by="akhan")
    incidents.reopen(calls[0], "Flickers again", by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, calls[0])
        timeline = text_of(pilot, "#timeline")
        assert "akhan: what was done: New [b]bulb[/b] fitted" in timeline
        assert "Resolved → Assigned" in timeline
