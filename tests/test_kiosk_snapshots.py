"""What a pupil sees on each kiosk screen, at 80x24 and 120x40 (SVG snapshots).

Update after a deliberate change with `pytest tests/test_kiosk_snapshots.py
--snapshot-update`, then look at every changed SVG before committing it.
"""

import datetime as dt

import pytest

from kiosk.app import KioskApp
from kiosk.screens.receipt import ReceiptScreen
from store.db import journal
from store.db.models import Incident
from store.problems import known_errors, problems
from store.school import kiosks, notices
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import press_button, settle, steady, type_into, walk_to_review

pytestmark = pytest.mark.screen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


MONDAY = dt.datetime(2026, 11, 16, 10, 0)  # 10:00 UTC and in London: a school day


@pytest.fixture
def app(school, db_url, monkeypatch):
    """The library's kiosk on a Monday morning: the time is fixed, so the receipt's
    "We aim to fix it by..." is the same every run."""
    monkeypatch.setattr(journal, "now", lambda: MONDAY)
    kiosks.set_pin("482913", by="jsmith")
    notices.add_notice("Wi-Fi is down in the Library, we're on it", location="LIB", by="jsmith")
    notices.add_notice(
        "Printers in the Sixth Form centre are being replaced this week", by="jsmith"
    )
    return KioskApp(db_url=db_url, kiosk="library")


def fixed_call(summary="The laptop won't charge", **extra):
    """A call with a known check code, so its QR code is the same every run."""
    call = servicedesk.log_call(
        summary=summary,
        requester="Sam Patel",
        role="pupil",
        group="9C",
        location="LIB",
        category="laptop",
        by="jsmith",
        **extra,
    )
    Incident.update(check_code="K7QX").where(Incident.id == call.id).execute()
    return servicedesk.find_call(call.number)


async def to_step(pilot, step: int) -> None:
    await settle(pilot)
    await pilot.press("1")
    await settle(pilot)
    await type_into(pilot, "#name", "Sam Patel")
    await type_into(pilot, "#group", "9C")
    if step > 1:
        await press_button(pilot, "#next")
    if step > 2:
        await press_button(pilot, "#next")
    if step > 3:
        await pilot.press("1")
        await settle(pilot)
    if step > 4:
        await press_button(pilot, "#next")


@pytest.mark.parametrize("size", SIZES)
def test_home(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=steady)


@pytest.mark.parametrize("size", SIZES)
def test_who(app, snap_compare, size):
    async def run_before(pilot):
        await to_step(pilot, 1)
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_who_says_what_is_wrong(app, snap_compare):
    async def run_before(pilot):
        await to_step(pilot, 1)
        await type_into(pilot, "#name", "")
        await press_button(pilot, "#next")
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_where_with_rooms_found(app, snap_compare, size):
    async def run_before(pilot):
        await to_step(pilot, 2)
        await type_into(pilot, "#search", "s")
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_what(app, snap_compare, size):
    async def run_before(pilot):
        await to_step(pilot, 3)
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_device_found(app, snap_compare, size):
    async def run_before(pilot):
        await to_step(pilot, 4)
        await type_into(pilot, "#tag", "lap-0042")
        await pilot.press("enter")
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_tell(app, snap_compare, size):
    async def run_before(pilot):
        await to_step(pilot, 5)
        await type_into(pilot, "#summary", "The laptop won't charge")
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def to_detail(pilot) -> None:
    await to_step(pilot, 5)
    await type_into(pilot, "#summary", "The laptop won't charge")
    await press_button(pilot, "#more")
    await type_into(pilot, "#already_tried", "Another socket")


@pytest.mark.parametrize("size", SIZES)
def test_detail(app, snap_compare, size):
    async def run_before(pilot):
        await to_detail(pilot)
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_device_tiles(app, snap_compare, size):
    """The room's devices as numbered tiles, the first focused."""
    from store.configuration import assets

    assets.add_asset("LIB-PRN-01", kind="printer", make="HP", model="LaserJet",
                     location="LIB", by="jsmith")  # fmt: skip

    async def run_before(pilot):
        await to_step(pilot, 3)
        await pilot.press("7")  # Something else: every device in the room
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_review(app, snap_compare, size):
    async def run_before(pilot):
        await walk_to_review(
            pilot, tag="LAP-0042", answers={"already_tried": "[@click=app.quit]x[/] \x1b[2J"}
        )
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_receipt(app, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.push_screen(ReceiptScreen(fixed_call(), existing=False))
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_receipt_for_a_device_already_logged(app, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.push_screen(ReceiptScreen(fixed_call(asset="LAP-0042"), existing=True))
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def known_error(words: str, told_by=(), rooms=("LIB",)) -> str:
    """A public known error for printers, that `told_by` have reported."""
    calls = [
        servicedesk.log_call(summary="Printer jams", requester=name, by="jsmith").number
        for name in told_by
    ]
    number = problems.raise_problem(
        "Printer tray 2 jams",
        incidents=calls,
        locations=list(rooms),
        categories=["printer"],
        by="jsmith",
    ).number
    known_errors.publish(number, workaround="Reseat tray 2", public_text=words, by="jsmith")
    return number


async def to_known(pilot) -> None:
    await to_step(pilot, 3)
    await pilot.press("2")  # Printer
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_known_error(app, snap_compare, size):
    known_error(
        "The Library printer is jammed. Please print in IT1 until we fix it.",
        told_by=[f"Pupil {n}" for n in range(12)],
    )

    async def run_before(pilot):
        await to_known(pilot)
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_known_errors_several(app, snap_compare):
    known_error("Printing is slow across the school today.", told_by=["Ada"], rooms=())
    known_error(
        "The Library printer is out of paper. More is on its way, and it should be back "
        "by lunchtime. Please print in IT1 until then.",
        told_by=["Ada", "Alan", "Grace"],
    )

    async def run_before(pilot):
        await to_known(pilot)
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_add_me(app, snap_compare):
    known_error("The Library printer is jammed. Please print in IT1 until we fix it.")

    async def run_before(pilot):
        await to_known(pilot)
        await press_button(pilot, "#add-1")
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_receipt_added_to_a_known_error(app, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.push_screen(ReceiptScreen(fixed_call(), existing=False, linked=True))
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_check_resolved_asks_if_fixed(app, snap_compare, size):
    async def run_before(pilot):
        call = fixed_call()
        incidents.take(call.number, by="jsmith")
        incidents.add_note(call.number, "We have ordered a new charger", public=True, by="jsmith")
        incidents.resolve(call.number, kind="fix", text="New charger", by="jsmith")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*call.scan, "enter")
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_check_without_the_code(app, snap_compare):
    async def run_before(pilot):
        call = fixed_call()
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*call.number, "enter")
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_check_a_device_label(app, snap_compare):
    async def run_before(pilot):
        call = fixed_call()
        servicedesk.log_call(summary="Keys missing", requester="Ada", asset="LAP-0042", by="jsmith")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*"LAP-0042", "enter")
        await steady(pilot)
        assert call.number

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_pin(app, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"1111", "enter")
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def resolved_check(pilot) -> None:
    call = fixed_call()
    incidents.take(call.number, by="jsmith")
    incidents.resolve(call.number, kind="fix", text="New charger", by="jsmith")
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    await pilot.press(*call.scan, "enter")


async def wrong_pin(pilot) -> None:
    await settle(pilot)
    await pilot.press("ctrl+t")
    await settle(pilot)
    await pilot.press(*"1111", "enter")


async def receipt(pilot) -> None:
    await settle(pilot)
    pilot.app.push_screen(ReceiptScreen(fixed_call(), existing=False))


async def known(pilot) -> None:
    known_error("The Library printer is jammed. Please print in IT1 until we fix it.")
    await to_known(pilot)


async def rooms_found(pilot) -> None:
    await to_step(pilot, 2)
    await type_into(pilot, "#search", "s")


async def to_tell(pilot) -> None:
    await to_step(pilot, 5)
    await type_into(pilot, "#summary", "The laptop won't charge")


SCREENS = {
    "home": settle,
    "who": lambda pilot: to_step(pilot, 1),
    "where": rooms_found,
    "what": lambda pilot: to_step(pilot, 3),
    "device": lambda pilot: to_step(pilot, 4),
    "tell": to_tell,
    "detail": to_detail,
    "review": lambda pilot: walk_to_review(pilot, tag="LAP-0042"),
    "receipt": receipt,
    "known": known,
    "check": resolved_check,
    "pin": wrong_pin,
}
"""Each kiosk screen, reached as a pupil (or a technician at the PIN) reaches it."""


@pytest.mark.parametrize("screen", SCREENS)
def test_sixteen_colours(school, db_url, snap_compare, screen, monkeypatch):
    """A bare console (TERM=linux) has 16 colours: the kiosk uses the console's own, and
    every box and button keeps an outline drawn in the console font's line characters."""
    monkeypatch.setattr(journal, "now", lambda: MONDAY)  # the receipt's aim sentence
    kiosks.set_pin("482913", by="jsmith")
    notices.add_notice("Wi-Fi is down in the Library, we're on it", location="LIB", by="jsmith")
    app = KioskApp(db_url=db_url, kiosk="library", sixteen_colours=True)

    async def run_before(pilot):
        await SCREENS[screen](pilot)
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("screen", SCREENS)
async def test_every_target_is_at_least_three_rows_high(school, db_url, screen):
    """A finger on a touch screen, or a child's eye, needs a target three rows high: every
    button, tile and text box a pupil can reach on each screen, at 80x24."""
    kiosks.set_pin("482913", by="jsmith")
    notices.add_notice("Wi-Fi is down in the Library, we're on it", location="LIB", by="jsmith")
    app = KioskApp(db_url=db_url, kiosk="library")
    async with app.run_test(size=(80, 24)) as pilot:
        await SCREENS[screen](pilot)
        await settle(pilot)
        targets = [
            widget
            for widget in pilot.app.screen.query("Button, Input, ListItem, RadioButton")
            if widget.display and widget.region.area
        ]
        assert targets or screen == "receipt", f"nothing to touch on {screen}"  # any key
        low = {f"{type(w).__name__}#{w.id}": w.region.height for w in targets}
        low = {name: height for name, height in low.items() if height < 3}
        assert not low, low
