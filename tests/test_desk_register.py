"""The asset register at the desk, through Textual's Pilot: the lists, a device's history
and its repeat-fault flag, the swap and its return, the software library and licences,
and what a technician might mistype."""

import datetime as dt
import threading

import pytest
from textual.widgets import DataTable

from store.configuration import assets, loans, software
from store.configuration import history as asset_history
from store.db import database, journal
from store.db.models import Asset, Loan, SoftwareInstall
from store.servicedesk import servicedesk
from tests.kiosk_helpers import settle, text_of, type_into
from tests.test_desk_app import answer, footer, screen_name
from tui.app import DeskApp

SIZE = (100, 30)


@pytest.fixture
def devices(school):
    """A laptop with three calls about charging, its charger, a spare, a printer."""
    assets.update_asset(
        "LAP-0042", make="Dell", model="Latitude 3440", assigned_to="Sam Patel", by="jsmith"
    )
    assets.add_asset(
        "PSU-0042", kind="power supply", make="Dell", model="65W", part_of="LAP-0042", by="jsmith"
    )
    assets.add_asset(
        "LAP-0099", kind="laptop", make="Dell", status="spare", location="IT1", by="jsmith"
    )
    assets.add_asset("PRN-0001", kind="printer", make="HP", location="LIB", by="jsmith")
    for n in range(3):
        servicedesk.log_call(
            summary=f"Laptop will not charge, time {n + 1}",
            requester="Sam Patel",
            location="LIB",
            category="laptop",
            asset="LAP-0042",
            by="jsmith",
        )
    servicedesk.log_call(
        summary="Printer jams", requester="Ms Khan", role="staff", asset="PRN-0001", by="jsmith"
    )
    servicedesk.log_call(
        summary="Printer jams again",
        requester="Ms Khan",
        role="staff",
        asset="PRN-0001",
        category="printer",
        by="jsmith",
    )


@pytest.fixture
def desk(devices, db_url):
    return DeskApp(db_url=db_url, user="jsmith")


def rows(pilot, selector="#register") -> list[str]:
    table = pilot.app.screen.query_one(selector, DataTable)
    return [key.value for key in table.rows]


async def test_the_register_lists_searches_and_opens_a_device(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert screen_name(pilot) == "RegisterScreen"
        assert rows(pilot) == ["LAP-0042", "LAP-0099", "PRN-0001", "PSU-0042"]
        assert "4 devices" in text_of(pilot, "#narrowed")
        await pilot.press("slash", *"latitude", "enter")
        await settle(pilot)
        assert rows(pilot) == ["LAP-0042"]
        assert "matching latitude" in text_of(pilot, "#narrowed")
        await pilot.press("escape", "slash", *"it1", "enter")  # a room's code: all in it
        await settle(pilot)
        assert rows(pilot) == ["LAP-0099"]
        await pilot.press("escape", "slash", *"latitude", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "AssetScreen"
        assert "Dell Latitude 3440" in text_of(pilot, "#device")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # the first Esc clears the search
        await settle(pilot)
        assert len(rows(pilot)) == 4
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "QueueScreen"


async def test_a_device_shows_its_calls_parts_and_repeat_fault(desk):
    software.add_software("Audacity", version="3.4", by="jsmith")
    software.install("Audacity", room="LIB", by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.open_asset("lap 0042")  # as typed: normalised
        await settle(pilot)
        device = text_of(pilot, "#device")
        for words in ("Dell Latitude 3440 (Laptop)", "Library (LIB)", "Sam Patel", "PSU-0042"):
            assert words in device
        flag = text_of(pilot, "#flag")
        assert "REPEAT FAULT: 3 calls about Laptop or Chromebook in twelve months." in flag
        assert rows(pilot, "#history") == ["INC-000003", "INC-000002", "INC-000001"]
        assert "4 Software 1" in text_of(pilot, "#lists")
        await pilot.press("4")
        await settle(pilot)
        assert rows(pilot, "#history") == ["Audacity 3.4"]
        await pilot.press("enter")  # a title: nothing to open
        await settle(pilot)
        assert screen_name(pilot) == "AssetScreen"
        await pilot.press("2")
        await settle(pilot)
        changes = pilot.app.screen.query_one("#history", DataTable)
        assert [c.label.plain for c in changes.columns.values()] == ["When", "Who", "What"]
        assert any(
            "model: - → Latitude 3440" in str(changes.get_row_at(n))
            for n in range(changes.row_count)
        )
        await pilot.press("1")
        await settle(pilot)
        lists = text_of(pilot, "#lists")
        await pilot.click("#lists", offset=(2 + lists.index("4 Software"), 0))  # by mouse too
        await settle(pilot)
        assert rows(pilot, "#history") == ["Audacity 3.4"]
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "IncidentScreen"
        assert pilot.app.screen.number == "INC-000003"
        await pilot.press("escape")
        await settle(pilot)
        # Two printer calls, only one of them categorised: no flag.
        pilot.app.open_asset("PRN-0001")
        await settle(pilot)
        assert not pilot.app.screen.query_one("#flag").display
        assert len(rows(pilot, "#history")) == 2


async def test_moving_editing_and_retiring_a_device_are_journalled(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.open_asset("PRN-0001")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await answer(pilot, room="nowhere")
        assert "no location" in text_of(pilot, "#dialog-problem").lower()
        await answer(pilot, room="s12")
        assert screen_name(pilot) == "AssetScreen"
        assert "Science lab 12 (S12)" in text_of(pilot, "#device")
        await pilot.press("e")
        await settle(pilot)
        await answer(pilot, assigned_to="[@click=app.quit]Staff room[/]", warranty_end="31/02/2027")
        assert "not a date" in text_of(pilot, "#dialog-problem")
        await answer(pilot, warranty_end="31/08/2027")
        assert "[@click=app.quit]Staff room[/]" in text_of(pilot, "#device")
        assert "2027-08-31" in text_of(pilot, "#device")
        await pilot.press("x")
        await settle(pilot)
        await answer(pilot, reason="Drum unit failed; not worth mending")
        assert "Retired" in text_of(pilot, "#device")
        assert "Move" not in footer(pilot) and "Retire" not in footer(pilot)
    row = Asset.get(Asset.tag == "PRN-0001")
    assert row.status == "retired" and row.assigned_to == "[@click=app.quit]Staff room[/]"
    fields = [entry.field for entry in journal.history("asset", row.id)]
    for field in ("location", "assigned_to", "warranty_end", "status"):
        assert field in fields


async def test_a_part_is_attached_and_detached(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.open_asset("LAP-0042")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await answer(pilot, parent="PSU-0042")  # its own charger: a circle
        assert "already a part of" in text_of(pilot, "#dialog-problem")
        pilot.app.screen.dismiss(None)
        await settle(pilot)
        pilot.app.open_asset("PSU-0042")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await answer(pilot, parent="")
    assert assets.asset("LAP-0042").parts == ()


async def test_swap_lends_a_spare_and_return_reverses_it(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.open_call("INC-000003")
        await settle(pilot)
        assert "Swap" in footer(pilot) and "Spare back" not in footer(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert pilot.app.screen.query_one("#field-handed_in").value == "LAP-0042"
        await answer(pilot, spare="PRN-0001")  # in use, not a spare
        assert "PRN-0001 is not a spare" in text_of(pilot, "#dialog-problem")
        await answer(pilot, spare="LAP-0042")
        assert "the same device" in text_of(pilot, "#dialog-problem")
        await answer(pilot, spare="lap 0099")  # as a scanner or a person types it
        assert screen_name(pilot) == "IncidentScreen"
        fields = text_of(pilot, "#fields")
        assert "LAP-0099 to Sam Patel since" in fields
        assert "Checked in LAP-0042 for repair; lent spare LAP-0099 to Sam Patel." in text_of(
            pilot, "#timeline"
        )
        assert "Spare back" in footer(pilot)
        assert assets.asset("LAP-0042").status == "in_repair"
        assert assets.asset("LAP-0099").status == "on_loan"

        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert [key.partition(":")[2] for key in rows(pilot)] == ["LAP-0099"]
        table = pilot.app.screen.query_one("#register", DataTable)
        assert "Sam Patel" in str(table.get_row_at(0)) and "INC-000003" in str(table.get_row_at(0))
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("u")
        await settle(pilot)
        assert "Spare back" not in footer(pilot)
        assert "Spare LAP-0099 returned; LAP-0042 back with Sam Patel." in text_of(
            pilot, "#timeline"
        )
    assert assets.asset("LAP-0042").status == "in_use"
    assert assets.asset("LAP-0099").status == "spare"
    assert loans.out_on_loan() == []
    history = asset_history.history("LAP-0099")
    assert len(history.loans) == 1 and history.loans[0].returned_by == "jsmith"


async def test_the_loans_list_returns_a_spare_and_opens_it(desk):
    loans.lend("LAP-0099", "Supply teacher, room S12", by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e", "2")
        await settle(pilot)
        assert "Returned" in footer(pilot) and "Add" not in footer(pilot)
        assert not pilot.app.screen.query_one("#find").display
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "AssetScreen"
        assert "On loan" in text_of(pilot, "#device")
        assert "Returned" in footer(pilot) and "Lend" not in footer(pilot)
        await pilot.press("3")  # tabs of a device are not the register's: nothing happens
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert rows(pilot) == []
    assert assets.asset("LAP-0099").status == "spare"


async def test_lending_a_spare_from_its_page(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.open_asset("LAP-0099")
        await settle(pilot)
        assert "Lend" in footer(pilot)
        await pilot.press("l")
        await settle(pilot)
        await answer(pilot, borrower="")
        assert text_of(pilot, "#dialog-problem")
        await answer(pilot, borrower="Mr Lee (supply)")
        assert "On loan" in text_of(pilot, "#device")
        assert "3 Loans 1" in text_of(pilot, "#lists")
        await pilot.press("3")
        await settle(pilot)
        [loan] = rows(pilot, "#history")
        assert "Mr Lee (supply)" in str(
            pilot.app.screen.query_one("#history", DataTable).get_row(loan)
        )
    assert [loan.borrower for loan in loans.out_on_loan()] == ["Mr Lee (supply)"]


async def test_adding_a_device_refuses_what_cannot_be_and_keeps_what_was_typed(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        dots = {b.name: b.BUTTON_INNER for b in pilot.app.screen.query("#field-status RadioButton")}
        assert dots == {"in_use": "●", "spare": " "}  # which is chosen reads without colour
        await answer(pilot, tag="lap 0100", kind="toaster", make="Dell")
        assert "not a kind of device" in text_of(pilot, "#dialog-problem")
        assert pilot.app.screen.query_one("#field-make").value == "Dell"
        await answer(pilot, tag="LAP-0042", kind="laptop")
        assert "already an asset tagged 'LAP-0042'" in text_of(pilot, "#dialog-problem")
        await answer(pilot, tag="[b]x[/b]", kind="laptop")
        assert screen_name(pilot) == "Ask"
        await answer(pilot, tag="lap 0100", kind="Chromebook", location="it1", status="spare")
        assert screen_name(pilot) == "AssetScreen"
        assert pilot.app.screen.tag == "LAP-0100"
    device = assets.asset("LAP-0100")
    assert (device.kind, device.location, device.status) == ("chromebook", "IT1", "spare")
    assert Asset.select().count() == 5


async def test_software_library_install_and_the_licence_report(desk):
    software.add_software("Audacity", version="3.4", purposes="audio editing", by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e", "3")
        await settle(pilot)
        assert rows(pilot) == ["Audacity 3.4"]
        await pilot.press("a")
        await settle(pilot)
        await answer(
            pilot,
            title="Adobe Creative Cloud",
            version="2026",
            purposes="photo editing, video editing",
            licence="per_seat",
            seats="lots",
        )
        assert "whole number" in text_of(pilot, "#dialog-problem")
        await answer(pilot, seats="1", renews="2026-12-15")
        assert rows(pilot) == ["Adobe Creative Cloud 2026", "Audacity 3.4"]
        table = pilot.app.screen.query_one("#register", DataTable)
        assert table.cursor_row == 1  # still on the title it was on
        await pilot.press("up", "i")
        await settle(pilot)
        await answer(pilot, asset="LAP-0042", room="LIB")
        assert "one device" in text_of(pilot, "#dialog-problem")
        await answer(pilot, asset="")
        assert text_of(pilot, "#dialog-problem").startswith(
            "Adobe Creative Cloud 2026: 1 seat, 0 used; this adds 2 (only a manager"
        )
        assert SoftwareInstall.select().count() == 0
        await answer(pilot, reason="Media club trial, seats on order")
        assert screen_name(pilot) == "RegisterScreen"
        assert SoftwareInstall.get().over_licence == "Media club trial, seats on order"
        await pilot.press("slash", *"photo", "enter")
        await settle(pilot)
        assert rows(pilot) == ["Adobe Creative Cloud 2026"]
        software.add_software("Sibelius", version="2024", licence="per_seat", seats=5, by="jsmith")
        await pilot.press("4")
        await settle(pilot)
        assert rows(pilot) == ["Adobe Creative Cloud 2026", "Sibelius 2024"]
        within = pilot.app.screen.query_one("#register", DataTable).get_row_at(1)
        assert "bold red" not in {str(cell.style) for cell in within}  # within its seats
        cells = pilot.app.screen.query_one("#register", DataTable).get_row_at(0)
        line = " ".join(str(cell) for cell in cells)
        assert "2/1" in line and "1 over" in line  # two devices in the library, one seat
        assert {str(cell.style) for cell in cells[:3]} == {"bold red"}  # over: in red
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "Title"
        shown = text_of(pilot, "#title-details")
        assert "LIB (2 devices)" in shown and "photo editing, video editing" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "RegisterScreen"
    assert [line.over for line in software.licence_report()] == [1, 0]


async def test_the_scan_box_opens_a_device_by_its_label(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for typed, where in (("psu 0042", "AssetScreen"), ("NOPE-1", "ScanDialog")):
            await pilot.press("ctrl+o")
            await settle(pilot)
            await type_into(pilot, "#scanned", typed)
            await pilot.press("enter")
            await settle(pilot)
            assert screen_name(pilot) == where
        assert "No asset is tagged 'NOPE-1'" in text_of(pilot, "#dialog-problem")


async def test_a_device_changed_elsewhere_is_shown_fresh(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.open_asset("PRN-0001")
        await settle(pilot)

        def elsewhere() -> None:  # another technician's desk: another connection
            with database.db.connection_context():
                assets.move_asset("PRN-0001", "S12", by="akhan")

        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        pilot.app.look_for_changes()
        await settle(pilot)
        assert "(S12)" in text_of(pilot, "#device")
        assert Loan.select().count() == 0


async def test_an_answer_for_a_page_already_closed_is_dropped(desk):
    """A store call still running when its page is closed must not touch the page."""
    release, delivered = threading.Event(), []
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.open_asset("PRN-0001")
        await settle(pilot)
        page = pilot.app.screen

        def ask() -> None:  # runs as the page's own handler would
            pilot.app.run_store(lambda: release.wait(5), delivered.append)

        page.call_next(ask)
        await pilot.pause()
        pilot.app.pop_screen()
        await pilot.pause()
        release.set()
        await settle(pilot)
        assert delivered == [] and screen_name(pilot) == "QueueScreen"
        pilot.app.screen.call_next(
            lambda: pilot.app.run_store(lambda: "still here", delivered.append)
        )
        await settle(pilot)
        assert delivered == ["still here"]


async def test_a_change_s_screen_lists_the_build_it_put_on(desk):
    from store.changes import changes
    from tui.screens.changes.change import open_change

    software.add_software("Scratch", version="3", licence="free", by="jsmith")
    software.add_build("Computing", ["Scratch 3"], by="jsmith")
    start = journal.now() + dt.timedelta(minutes=10)
    rfc = changes.raise_change(
        "Image the library PCs",
        kind="standard",
        reason="New term",
        locations=["LIB"],
        implementation_plan="Image them.",
        test_plan="Log in.",
        backout_plan="Re-image.",
        window=(start, start + dt.timedelta(hours=1)),
        implementer="jsmith",
        by="jsmith",
    )
    changes.submit(rfc.number, by="jsmith")
    software.install_build("Computing", room="LIB", change=rfc.number, by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        open_change(pilot.app, rfc.number)
        await settle(pilot)
        assert "Installed Scratch 3 in LIB Notices" in " ".join(text_of(pilot, "#details").split())
