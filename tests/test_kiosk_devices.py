"""Devices at the kiosk: the device step names what was scanned, and a device's label
scanned at Check says what it is, whether it is already reported, and starts a report."""

import pytest

from kiosk.app import KioskApp
from store.configuration import assets
from store.db.errors import NotFound
from store.db.models import Incident, Note
from store.school import kiosks
from store.servicedesk import callers, servicedesk
from tests.kiosk_helpers import press_button, screen_name, settle, text_of, type_into

SIZE = (80, 24)


@pytest.fixture
def kiosk_app(school, db_url):
    kiosks.set_pin("482913", by="jsmith")
    assets.add_asset("CB-0007", kind="chromebook", make="Acer", model="Chromebook 314",
                     location="S12", by="jsmith")  # fmt: skip
    return KioskApp(db_url=db_url, kiosk="library")


async def open_check(pilot, typed: str) -> None:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    await type_into(pilot, "#ref", typed)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_device_step_shows_the_name_of_a_tag_typed_loosely(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await type_into(pilot, "#name", "Sam")
        await press_button(pilot, "#next")
        await press_button(pilot, "#next")
        await pilot.press("2")
        await settle(pilot)
        await type_into(pilot, "#tag", "cb 0007")
        await pilot.press("enter")
        await settle(pilot)
        assert "Found: Acer Chromebook 314 (CB-0007)" in text_of(pilot, "#found")


async def test_a_tag_typed_or_corrected_is_kept_through_back_and_next(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await type_into(pilot, "#name", "Sam")
        await press_button(pilot, "#next")
        await press_button(pilot, "#next")
        await pilot.press("2")
        await settle(pilot)
        await type_into(pilot, "#tag", "cb 0007")
        await pilot.press("enter")
        await settle(pilot)
        await type_into(pilot, "#tag", "LAP-0042")  # corrected, then Back before Next
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "WhatStep"
        await pilot.press("2")
        await settle(pilot)
        assert pilot.app.screen.query_one("#tag").value == "LAP-0042"
        await press_button(pilot, "#next")  # the correction is looked up, not the old tag
        assert "Found: Dell 3440 (LAP-0042)" in text_of(pilot, "#found")
        await press_button(pilot, "#next")
        assert screen_name(pilot) == "TellStep"
        assert pilot.app.screen.draft.asset == "LAP-0042"


async def test_a_label_scanned_at_check_says_what_the_device_is(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await open_check(pilot, "CB-0007")
        shown = text_of(pilot, "#result")
        assert "CB-0007: Acer Chromebook 314" in shown
        assert "It belongs in Science lab 12." in shown
        assert "Nobody has reported a problem with it." in shown
        assert pilot.app.screen.query_one("#report-device").display


async def test_a_reported_device_shows_its_open_logs_and_nothing_private(kiosk_app):
    call = servicedesk.log_call(
        summary="Ada's secret password is on a sticky note",
        requester="Ada Lovelace",
        asset="CB-0007",
        by="jsmith",
    )
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await open_check(pilot, "CB-0007")
        shown = text_of(pilot, "#result")
        assert f"{call.number}: Logged" in shown
        assert "Ada" not in shown and "password" not in shown and call.check_code not in shown


async def test_reporting_from_a_scanned_label_fills_in_the_device_and_room(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await open_check(pilot, "CB-0007")
        await press_button(pilot, "#report-device")
        assert screen_name(pilot) == "WhoStep"
        await type_into(pilot, "#name", "Sam Patel")
        await press_button(pilot, "#next")
        assert screen_name(pilot) == "WhereStep"
        await press_button(pilot, "#next")  # the device's room is already chosen
        assert screen_name(pilot) == "WhatStep"
        await pilot.press("1")
        await settle(pilot)
        assert "Found: Acer Chromebook 314 (CB-0007)" in text_of(pilot, "#found")
        await press_button(pilot, "#next")
        await type_into(pilot, "#summary", "Screen is cracked")
        await press_button(pilot, "#next")
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReceiptScreen"
    call = Incident.get()
    assert (call.asset.tag, call.location.code) == ("CB-0007", "S12")


async def test_what_is_neither_a_number_nor_a_label_gets_the_shape_of_a_number(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        for typed in ("NOPE-1", "[@click=app.quit]", "x" * 500, "lol\x1b[2J"):
            await open_check(pilot, typed)
            assert "doesn't look like a log number" in text_of(pilot, "#result")
            assert not pilot.app.screen.query_one("#report-device").display
            await pilot.press("escape")
            await settle(pilot)
        assert pilot.app.is_running
    assert Note.select().count() == 0


def test_device_view_refuses_an_unknown_tag(school):
    with pytest.raises(NotFound):
        callers.device_view("ZZZ-1")
    view = callers.device_view("lap 0042")
    assert (view.tag, view.name, view.location) == ("LAP-0042", "Dell 3440", "LIB")


async def to_device_step(pilot, tile: int = 1) -> None:
    await settle(pilot)
    await pilot.press("1")
    await settle(pilot)
    await type_into(pilot, "#name", "Sam")
    await press_button(pilot, "#next")
    await press_button(pilot, "#next")  # the library, this kiosk's room
    await pilot.press(str(tile))
    await settle(pilot)
    assert screen_name(pilot) == "DeviceStep"


def test_devices_here_are_the_rooms_in_use_of_the_kind_chosen_first(school):
    assets.add_asset("LIB-PRN-01", kind="printer", make="HP", model="LaserJet",
                     location="LIB", assigned_to="Mrs Price", by="jsmith")  # fmt: skip
    assets.add_asset("LIB-PC-01", kind="desktop", location="LIB", by="jsmith")
    assets.add_asset("LIB-PC-02", kind="desktop", location="LIB", by="jsmith")
    assets.retire_asset("LIB-PC-02", "Broken beyond repair", by="jsmith")
    everything = callers.devices_here("LIB")
    assert [tag for tag, _name in everything] == ["LAP-0042", "LIB-PC-01", "LIB-PRN-01"]
    assert callers.devices_here("LIB", "printer") == [("LIB-PRN-01", "HP LaserJet")]
    assert callers.devices_here("LIB", "wifi") == everything  # none of that kind: all
    assert callers.devices_here("S12", "laptop") == []
    assert callers.devices_here(None, "laptop") == []
    assert "Mrs Price" not in repr(everything)  # who holds it never reaches a kiosk
    for n in range(10):
        assets.add_asset(f"LIB-CB-{n:02d}", kind="chromebook", location="LIB", by="jsmith")
    assert len(callers.devices_here("LIB", "laptop")) == callers.DEVICES_SHOWN


async def test_the_rooms_devices_are_tiles_a_digit_chooses(kiosk_app):
    """One key: the digit on the device's tile keeps it and goes on; Back shows it kept."""
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await to_device_step(pilot)
        tile = pilot.app.screen.query_one("#device-1")
        assert "LAP-0042" in str(tile.label) and tile.has_focus
        await pilot.press("1")
        await settle(pilot)
        assert screen_name(pilot) == "TellStep"
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen.query_one("#tag").value == "LAP-0042"
        assert "Found: Dell 3440 (LAP-0042)" in text_of(pilot, "#found")
        await press_button(pilot, "#next")  # seen already: straight on
        assert screen_name(pilot) == "TellStep"
        await type_into(pilot, "#summary", "No power")
        await press_button(pilot, "#next")
        assert "Dell 3440 (LAP-0042)" in text_of(pilot, "#review")


async def test_a_scanner_typing_on_a_device_tile_fills_the_tag_box(kiosk_app):
    """The tiles have the focus, but a label scanned (letters first) is not lost."""
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await to_device_step(pilot)
        assert pilot.app.screen.query_one("#device-1").has_focus
        await pilot.press(*"CB-0007", "enter")
        await settle(pilot)
        assert pilot.app.screen.query_one("#tag").value == "CB-0007"
        assert "Acer Chromebook 314 (CB-0007)" in text_of(pilot, "#found")
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "TellStep"


async def test_no_devices_in_the_room_leaves_only_the_tag_box(kiosk_app):
    assets.retire_asset("LAP-0042", "Lost", by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await to_device_step(pilot)
        assert not pilot.app.screen.query_one("#devices").display
        assert pilot.app.screen.query_one("#tag").has_focus
        await pilot.press("7")  # a digit with no tile is typed, as in a tag
        await settle(pilot)
        assert pilot.app.screen.query_one("#tag").value == "7"
