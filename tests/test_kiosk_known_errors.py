"""Known errors at the kiosk: once a pupil has chosen the room and the kind of fault, what
we already know about there comes first, and "Add me to this" logs their call linked to it."""

import numpy as np
import pytest
import zxingcpp

from kiosk.app import KioskApp
from kiosk.screens.known import GONE
from store.db import config
from store.db.models import Attempt, Incident
from store.problems import known_errors, problems
from store.school import categories
from store.servicedesk import servicedesk
from store.servicedesk.callers import BUSY_KIOSK
from tests.kiosk_helpers import press_button, screen_name, settle, text_of, type_into
from tui.widgets.qr import QRCode, qr_matrix

SIZE = (80, 24)
WORKAROUND = "Reseat tray 2 and power-cycle PRN-LIB-01 (admin pw in the safe)"


def known(
    words="The Library printer is jammed. Please use the one in IT1.",
    *,
    rooms=("LIB",),
    kinds=("printer",),
    told_by=(),
    title="Library printer tray 2 jams",
):
    """A public known error, with a call from each of `told_by` linked to it."""
    calls = [
        servicedesk.log_call(summary="Printer jams", requester=name, location="LIB", by="jsmith")
        for name in told_by
    ]
    raised = problems.raise_problem(
        title,
        incidents=[c.number for c in calls],
        locations=list(rooms),
        categories=list(kinds),
        by="jsmith",
    )
    known_errors.publish(raised.number, workaround=WORKAROUND, public_text=words, by="jsmith")
    return raised.number


def tile(kind: str) -> str:
    """The key for a kind of fault's tile at step 3."""
    names = [c.name for c in categories.list_categories(kiosk_only=True)][:9]
    return str(names.index(kind) + 1)


def screen_words(pilot) -> str:
    """Every line the screen draws, joined."""
    screen = pilot.app.screen
    return " ".join(
        "".join(segment.text for segment in line).strip()
        for line in screen._compositor.render_full_update().strips
    )


async def choose(pilot, kind: str = "printer", *, name: str = "Sam Patel", room=None) -> None:
    """From Home through who and where, then press the tile for `kind`."""
    await settle(pilot)
    await pilot.press("1")
    await settle(pilot)
    await type_into(pilot, "#name", name)
    await type_into(pilot, "#group", "9C")
    await press_button(pilot, "#next")
    if room:
        await type_into(pilot, "#search", room)
        await pilot.press("enter")  # one room found is chosen
        await settle(pilot)
        if pilot.app.screen.query_one("#rooms").has_focus:  # several: the first
            await pilot.press("enter")
            await settle(pilot)
    await press_button(pilot, "#next")
    assert screen_name(pilot) == "WhatStep"
    await pilot.press(tile(kind))
    await settle(pilot)


def modules_drawn(widget: QRCode) -> list[list[bool]]:
    halves = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}
    rows = []
    for y in range(widget.size.height):
        line = widget.render_line(y).text
        rows.append([halves[c][0] for c in line])
        rows.append([halves[c][1] for c in line])
    return rows


async def test_a_known_error_for_the_room_and_kind_comes_first(kiosk_app):
    number = known(told_by=["Ada Lovelace", "Alan Turing", "Ada Lovelace"])
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot)
        assert screen_name(pilot) == "KnownScreen"
        shown = screen_words(pilot)
        assert "We know about this:" in shown
        assert "The Library printer is jammed. Please use the one in IT1." in shown
        assert "2 people have told us." in shown  # people, not calls
        assert "Add me to this" in shown and "No, this is something else" in shown
        assert WORKAROUND not in shown and "tray 2" not in shown and number not in shown
        assert pilot.app.focused.id == "add-1"
        await pilot.press("down")
        assert pilot.app.focused.id == "else"
        await pilot.press("up")
        assert pilot.app.focused.id == "add-1"


async def test_a_known_error_for_another_room_is_found_from_that_room(kiosk_app):
    known("The S12 printer is out of toner.", rooms=("S12",))
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot, room="S12")
        assert screen_name(pilot) == "KnownScreen"
        assert "1 person" not in screen_words(pilot)  # nobody has told us: no count at all
        assert "out of toner" in screen_words(pilot)


def not_public(number: str) -> None:
    known_errors.unpublish(number, by="jsmith")


def resolved(number: str) -> None:
    problems.resolve(number, root_cause="A worn roller", by="akhan")


def closed(number: str) -> None:
    resolved(number)
    problems.close(number, by="jsmith")


@pytest.mark.parametrize(
    "scope, kind, then",
    [
        pytest.param({"rooms": ("S12",)}, "printer", None, id="another-room"),
        pytest.param({}, "laptop", None, id="another-kind"),
        pytest.param({}, "printer", not_public, id="not-public"),
        pytest.param({}, "printer", resolved, id="resolved"),
        pytest.param({}, "printer", closed, id="closed"),
    ],
)
async def test_no_known_error_means_the_ordinary_report(kiosk_app, scope, kind, then):
    number = known(**scope)
    if then:
        then(number)
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot, kind)
        assert screen_name(pilot) == "DeviceStep"
        assert not pilot.app.screen.query("#note")


async def test_a_technicians_own_known_error_is_not_shown(kiosk_app):
    number = problems.raise_problem(
        "Printer", locations=["LIB"], categories=["printer"], by="jsmith"
    ).number
    known_errors.publish(number, workaround=WORKAROUND, by="jsmith")  # no words for pupils
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot)
        assert screen_name(pilot) == "DeviceStep"


async def test_add_me_logs_a_call_linked_to_the_problem(kiosk_app):
    number = known(told_by=["Ada Lovelace"])
    before = problems.problem(number)
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot)
        await pilot.press("enter")  # on "Add me to this"
        await settle(pilot)
        assert screen_name(pilot) == "AddMeScreen"
        review = text_of(pilot, "#review")
        assert "Sam Patel (Pupil, 9C)" in review and "Library (LIB)" in review
        assert "printer is jammed" in review and WORKAROUND not in screen_words(pilot)
        assert pilot.app.focused.id == "extra"
        await type_into(pilot, "#extra", "x" * 121)
        await pilot.press("enter")
        await settle(pilot)
        assert "120 letters or fewer" in text_of(pilot, "#extra-problem")
        pilot.app.screen.query_one("#extra").value = ""
        await pilot.press(*"It ate my homework", "enter")  # keys only
        await settle(pilot)
        assert screen_name(pilot) == "ReceiptScreen"
        assert "added you to the problem we already know about" in text_of(pilot, "#thanks")
        call = servicedesk.list_calls()[0]
        assert text_of(pilot, "#number") == call.number
        assert call.check_code in text_of(pilot, "#code")
        qr = pilot.app.screen.query_one(QRCode)
        assert qr.payload == call.scan
        drawn = modules_drawn(qr)[: len(qr_matrix(call.scan))]
        picture = np.kron(np.where(np.array(drawn), 0, 255), np.ones((6, 6))).astype(np.uint8)
        assert [code.text for code in zxingcpp.read_barcodes(picture)] == [call.scan]
    after = problems.problem(number)
    assert [linked.number for linked in after.incidents] == [
        *(linked.number for linked in before.incidents),
        call.number,
    ]
    assert (before.affected, after.affected) == (1, 2)
    assert after.incidents[-1].via == "kiosk"
    assert (call.requester, call.requester_group, call.location, call.category) == (
        "Sam Patel",
        "9C",
        "LIB",
        "printer",
    )
    assert (call.channel, call.kiosk) == ("kiosk", "library")
    assert call.summary == "The Library printer is jammed. Please use the one in IT1."
    assert servicedesk.find_call(call.number).description == "It ate my homework"


async def test_several_known_errors_the_pupil_picks_one(kiosk_app):
    first = known("All printers are slow today.", rooms=())
    second = known("The Library printer is out of paper.")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot)
        shown = screen_words(pilot)
        assert "We know about these. Is yours one of them?" in shown
        assert shown.index("out of paper") < shown.index("slow today")  # newest first
        await pilot.press("down")  # to the second "Add me to this"
        assert pilot.app.focused.id == "add-2"
        await pilot.press("enter")
        await settle(pilot)
        assert "slow today" in text_of(pilot, "#review")
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReceiptScreen"
    call = servicedesk.list_calls()[0]
    assert [c.number for c in problems.problem(first).incidents] == [call.number]
    assert problems.problem(second).incidents == ()


async def test_something_else_carries_on_with_an_unlinked_report(kiosk_app):
    number = known()
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot)
        await pilot.press("down", "enter")  # "No, this is something else"
        await settle(pilot)
        assert screen_name(pilot) == "DeviceStep"
        await pilot.press("escape")  # back shows what we know again
        await settle(pilot)
        assert screen_name(pilot) == "KnownScreen"
        assert pilot.app.focused.id == "add-1"  # choosing again, not on the way went before
        await press_button(pilot, "#else")
        await press_button(pilot, "#next")
        assert screen_name(pilot) == "TellStep"
        await type_into(pilot, "#summary", "The scanner is broken")
        await press_button(pilot, "#next")
        assert "Sam Patel" in text_of(pilot, "#review")
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReceiptScreen"
        assert text_of(pilot, "#thanks") == "Thank you! Your log number is:"
    call = servicedesk.list_calls()[0]
    assert (call.summary, call.category) == ("The scanner is broken", "printer")
    assert problems.problem(number).incidents == ()


@pytest.mark.parametrize("gone", [not_public, resolved])
async def test_a_known_error_gone_meanwhile_falls_back_keeping_what_was_typed(kiosk_app, gone):
    number = known()
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot)
        await press_button(pilot, "#add-1")
        await type_into(pilot, "#extra", "Paper everywhere")
        gone(number)  # a technician, at the same moment
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "DeviceStep"
        assert text_of(pilot, "#note") == GONE
        assert Incident.select().count() == 0
        assert Attempt.select().count() == 0  # nothing sent, nothing counted
        await pilot.press("escape")  # back is the kinds of fault, not the gone problem
        await settle(pilot)
        assert screen_name(pilot) == "WhatStep"
        await pilot.press(tile("printer"))
        await settle(pilot)
        await press_button(pilot, "#next")
        assert pilot.app.screen.query_one("#summary").value == "Paper everywhere"
        await press_button(pilot, "#next")
        review = text_of(pilot, "#review")
        assert "Sam Patel (Pupil, 9C)" in review and "Paper everywhere" in review
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReceiptScreen"
    assert problems.problem(number).incidents == ()


async def test_markup_in_the_words_for_pupils_is_shown_as_typed(kiosk_app):
    words = "[@click=app.quit]Quit[/] [b]bold[/b] [red]red[/] \\[x]"
    known(words)
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot)
        assert words in screen_words(pilot)
        await pilot.click(".known-words")
        await settle(pilot)
        assert pilot.app.return_code is None
        await press_button(pilot, "#add-1")
        assert words in text_of(pilot, "#review")
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReceiptScreen"
    assert servicedesk.list_calls()[0].summary == words


async def test_add_me_counts_against_the_kiosks_limit(school, db_url, clock):
    config.use(config.Config(kiosk_reports_per_window=1))
    number = known()
    app = KioskApp(db_url=db_url, kiosk="library", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot)
        await press_button(pilot, "#add-1")
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReceiptScreen"
        clock.now += 3
        await pilot.press("x")
        await choose(pilot, name="Alan Turing")
        await press_button(pilot, "#add-1")
        await type_into(pilot, "#extra", "Me too")
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "AddMeScreen"
        assert text_of(pilot, "#send-problem") == BUSY_KIOSK
        assert pilot.app.screen.query_one("#extra").value == "Me too"
        await pilot.press("escape")
        await settle(pilot)
        await press_button(pilot, "#else")  # the ordinary report is refused the same way
        await press_button(pilot, "#next")
        await type_into(pilot, "#summary", "Printer jams")
        await press_button(pilot, "#next")
        await press_button(pilot, "#send")
        assert text_of(pilot, "#send-problem") == BUSY_KIOSK
    assert Incident.select().count() == 1
    assert len(problems.problem(number).incidents) == 1
    assert Attempt.select().where(Attempt.kind == "report").count() == 1


async def test_left_alone_on_a_known_error_it_goes_home_and_forgets(kiosk_app, clock):
    known()
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot)
        await press_button(pilot, "#add-1")
        await type_into(pilot, "#extra", "Half a sentence")
        clock.now += kiosk_app.settings.kiosk_idle_seconds
        kiosk_app.check_left_alone()
        await settle(pilot)
        assert screen_name(pilot) == "HomeScreen"
        await pilot.press("1")
        await settle(pilot)
        assert pilot.app.screen.query_one("#name").value == ""
    assert Incident.select().count() == 0


async def test_only_the_last_tile_pressed_is_answered(kiosk_app):
    known()
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await choose(pilot, "laptop")
        assert screen_name(pilot) == "DeviceStep"
        await pilot.press("escape")
        await settle(pilot)
        what = pilot.app.screen
        what.action_pick(int(tile("laptop")))  # a change of mind, before the store answers
        what.action_pick(int(tile("printer")))
        await settle(pilot)
        assert screen_name(pilot) == "KnownScreen"
        assert len(pilot.app.screen_stack) == 6  # one screen on top, not two
