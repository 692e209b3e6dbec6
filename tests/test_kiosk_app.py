"""The kiosk, driven the way a pupil drives it: every path, every quit key, bad input."""

import asyncio
import datetime as dt

import numpy as np
import pytest
import zxingcpp
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual import events

from kiosk.app import CANT_SAVE, KioskApp
from store.db import config, journal
from store.db.models import Incident, Note
from store.db.numbers import log_number
from store.school import notices
from store.servicedesk import incidents, servicedesk
from store.servicedesk.callers import BUSY_KIOSK
from tests.conftest import ON_POSTGRES
from tests.kiosk_helpers import (
    press_button,
    screen_name,
    settle,
    text_of,
    type_into,
    walk_to_review,
)
from tui.widgets.qr import QRCode, qr_matrix

SIZE = (80, 24)


def modules_drawn(widget: QRCode) -> list[list[bool]]:
    """Read the modules back from the characters the widget actually put on screen."""
    halves = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}
    rows = []
    for y in range(widget.size.height):
        line = widget.render_line(y).text
        rows.append([halves[c][0] for c in line])
        rows.append([halves[c][1] for c in line])
    return rows


async def test_home_shows_notices_and_two_choices(kiosk_app):
    notices.add_notice("Wi-Fi is down in the Library, we're on it", location="LIB", by="jsmith")
    notices.add_notice("Science lab 12 is closed", location="S12", by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen_name(pilot) == "HomeScreen"
        shown = text_of(pilot, "#notices")
        assert "Wi-Fi is down in the Library" in shown and "Science lab 12" not in shown
        assert pilot.app.focused.id == "report"
        await pilot.press("down")
        assert pilot.app.focused.id == "check"


async def test_report_a_problem_and_leave_with_a_qr_code(kiosk_app, clock):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await walk_to_review(pilot, answers={"already_tried": "Another socket"})
        await pilot.press("enter")  # Send has the focus
        await settle(pilot)
        assert screen_name(pilot) == "ReceiptScreen"
        call = servicedesk.list_calls()[0]
        assert (call.requester, call.requester_group, call.location, call.category) == (
            "Sam Patel",
            "9C",
            "LIB",
            "laptop",
        )
        assert (call.channel, call.kiosk) == ("kiosk", "library")
        assert call.answers["already_tried"] == "Another socket"
        assert text_of(pilot, "#number") == call.number
        assert call.check_code in text_of(pilot, "#code")
        qr = pilot.app.screen.query_one(QRCode)
        drawn = modules_drawn(qr)[: len(qr_matrix(call.scan))]
        assert drawn == qr_matrix(call.scan)  # the modules on screen are the payload's
        picture = np.kron(np.where(np.array(drawn), 0, 255), np.ones((6, 6))).astype(np.uint8)
        decoded = zxingcpp.read_barcodes(picture)
        assert [code.text for code in decoded] == [call.scan]  # and a real reader agrees
        await pilot.press("enter")  # a second Enter on Send does not take the number away
        await settle(pilot)
        assert screen_name(pilot) == "ReceiptScreen"
        clock.now += 3
        await pilot.press("x")  # then any key goes home
        await settle(pilot)
        assert screen_name(pilot) == "HomeScreen"


async def test_report_from_another_room_with_a_known_device(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await walk_to_review(pilot, room="scien", tag="lap-0042")
        assert "Dell 3440" in text_of(pilot, "#review")
        await press_button(pilot, "#send")
        call = servicedesk.list_calls()[0]
        assert (call.location, call.asset) == ("S12", "LAP-0042")


async def test_an_unknown_device_is_said_and_left_out(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await walk_to_review(pilot, tag="NOPE-999")
        await press_button(pilot, "#send")
        assert servicedesk.list_calls()[0].asset is None


async def test_the_device_step_explains_an_unknown_tag(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await type_into(pilot, "#name", "Sam")
        await press_button(pilot, "#next")
        await press_button(pilot, "#next")
        await pilot.press("2")
        await settle(pilot)
        await type_into(pilot, "#tag", "NOPE-999")
        await pilot.press("enter")
        await settle(pilot)
        assert "We don't know that tag" in text_of(pilot, "#tag-problem")
        assert screen_name(pilot) == "DeviceStep"
        await type_into(pilot, "#tag", "[@click=app.quit]")
        await pilot.press("enter")
        await settle(pilot)
        assert "doesn't look like a tag" in text_of(pilot, "#tag-problem")
        await type_into(pilot, "#tag", "LAP-0042")
        await pilot.press("enter")
        await settle(pilot)
        assert "Found: Dell 3440 (LAP-0042)" in text_of(pilot, "#found")


async def test_a_device_with_an_open_log_gets_a_number_of_its_own(kiosk_app):
    first = servicedesk.log_call(
        summary="Laptop won't charge", requester="Ada", asset="LAP-0042", by="jsmith"
    )
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await walk_to_review(pilot, tag="LAP-0042", summary="Charger light off")
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReceiptScreen"
        assert "We already know about this and are working on it" in text_of(pilot, "#joined")
        mine = Incident.select().order_by(Incident.id.desc()).get()
        assert mine.id != first.id and mine.duplicate_of_id == first.id
        assert text_of(pilot, "#number") == log_number(mine.id)
        assert pilot.app.screen.query_one(QRCode).payload != first.scan
    assert not Note.select().exists()


async def test_back_keeps_what_was_typed(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await walk_to_review(pilot, name="Sam Patel", summary="Printer jams")
        await press_button(pilot, "#back")
        assert screen_name(pilot) == "TellStep"
        assert pilot.app.screen.query_one("#summary").value == "Printer jams"
        for _ in range(4):
            await pilot.press("escape")
            await settle(pilot)
        assert screen_name(pilot) == "WhoStep"
        assert pilot.app.screen.query_one("#name").value == "Sam Patel"


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "Please type your name."),
        ("   \x00\x1b ", "Please type your name."),
        ("x" * 81, "That is too long. Please use 80 letters or fewer"),
    ],
)
async def test_the_name_is_checked_in_plain_words(kiosk_app, name, message):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await type_into(pilot, "#name", name)
        await press_button(pilot, "#next")
        assert screen_name(pilot) == "WhoStep"
        assert message in text_of(pilot, "#name-problem")
        kept = name.replace("\x00", "").replace("\x1b", "")  # all but control characters
        assert pilot.app.screen.query_one("#name").value == kept  # nothing lost


async def test_the_summary_is_needed_and_checked(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        with pytest.raises(AssertionError):
            await walk_to_review(pilot, summary="")
        assert "Please tell us in a few words" in text_of(pilot, "#summary-problem")
        await type_into(pilot, "#summary", "y" * 500)
        await press_button(pilot, "#next")
        assert "120 letters or fewer" in text_of(pilot, "#summary-problem")


async def test_markup_escapes_emoji_and_rtl_are_shown_as_typed_and_do_nothing(kiosk_app):
    nasty = "[@click=app.quit]x[/] [blink]hi[/blink] 🖨️😭 الطابعة"
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await walk_to_review(pilot, name="[red]Bobby[/red] \x1b[2J", summary=nasty)
        review = text_of(pilot, "#review")
        assert "[@click=app.quit]x[/]" in review and "[red]Bobby[/red]" in review
        await pilot.click("#review")  # clicking the text runs nothing
        await settle(pilot)
        assert pilot.app.return_code is None
        await press_button(pilot, "#send")
        call = servicedesk.list_calls()[0]
        assert call.summary == nasty
        assert call.requester == "[red]Bobby[/red] [2J"


async def test_keyboard_mashing_leaves_the_kiosk_running(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mash = [
            "1",
            *"asdf;'#][",
            "tab",
            "enter",
            "escape",
            "2",
            "f1",
            "ctrl+a",
            "ctrl+l",
            "tab",
            "enter",
            "up",
            "down",
            "enter",
            "escape",
            "escape",
            "ctrl+x",
            "ctrl+v",
        ]
        await pilot.press(*mash)
        await settle(pilot)
        assert pilot.app.return_code is None


@pytest.mark.parametrize(
    "key", ["ctrl+q", "ctrl+c", "ctrl+p", "ctrl+z", "ctrl+backslash", "escape"]
)
async def test_no_key_leaves_the_kiosk(kiosk_app, key):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key, key)
        await settle(pilot)
        assert pilot.app.return_code is None
        assert screen_name(pilot) == "HomeScreen"
        assert not pilot.app.ALLOW_SELECT and not pilot.app.ENABLE_COMMAND_PALETTE


async def test_the_technician_leaves_with_the_pin(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert screen_name(pilot) == "PinScreen"
        await pilot.press(*"1111", "enter")
        await settle(pilot)
        assert "That PIN is not right" in text_of(pilot, "#pin-problem")
        assert pilot.app.return_code is None
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "HomeScreen"
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"482913", "enter")
        await settle(pilot)
        assert pilot.app.return_code == 0


async def test_wrong_pins_are_slowed_down(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        for _ in range(4):
            await pilot.press(*"0000", "enter")
            await settle(pilot)
        assert "Please wait" in text_of(pilot, "#pin-problem")
        await pilot.press(*"482913", "enter")  # even the right PIN waits its turn
        await settle(pilot)
        assert pilot.app.return_code is None


async def test_left_alone_it_goes_home_and_forgets(school, db_url):
    now = [1000.0]
    app = KioskApp(db_url=db_url, kiosk="library", clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await type_into(pilot, "#name", "Sam Patel")
        now[0] += 89
        app.check_left_alone()
        await settle(pilot)
        assert screen_name(pilot) == "WhoStep"
        now[0] += 91
        app.check_left_alone()
        await settle(pilot)
        assert screen_name(pilot) == "HomeScreen"
        await pilot.press("1")
        await settle(pilot)
        assert pilot.app.screen.query_one("#name").value == ""


async def test_too_many_reports_get_a_kind_message_and_keep_the_report(school, db_url, clock):
    config.use(config.Config(kiosk_reports_per_window=1))
    app = KioskApp(db_url=db_url, kiosk="library", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_review(pilot)
        await press_button(pilot, "#send")
        clock.now += 3
        await pilot.press("x")
        await walk_to_review(pilot, summary="Second fault")
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReviewScreen"
        assert text_of(pilot, "#send-problem") == BUSY_KIOSK
        assert "Second fault" in text_of(pilot, "#review")
    assert Incident.select().count() == 1


async def test_a_report_straight_after_another_waits_a_moment_and_keeps_what_was_typed(
    school, db_url, clock
):
    import datetime as dt

    from store.db import journal
    from store.db.models import Attempt

    app = KioskApp(db_url=db_url, kiosk="library", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_review(pilot)
        await press_button(pilot, "#send")
        clock.now += 3
        await pilot.press("x")
        await walk_to_review(pilot, summary="Second fault")
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReviewScreen"
        said = text_of(pilot, "#send-problem")
        assert said.startswith("Someone has just sent a report from here. Please wait")
        Attempt.update(at=journal.now() - dt.timedelta(seconds=30)).execute()  # time passes
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReceiptScreen"
    assert Incident.select().order_by(Incident.id.desc()).get().summary == "Second fault"


def refuse_writes(db) -> None:
    """Make the real database refuse to store a call, as a full disk or lost server would."""
    if ON_POSTGRES:
        db.execute_sql(
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device'; "
            "END $$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON incident FOR EACH ROW EXECUTE FUNCTION refuse()"
        )
    else:
        db.execute_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON incident "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )


@pytest.mark.fresh_db  # the trigger must not outlive this test
async def test_when_the_database_cannot_be_written_nothing_is_lost(kiosk_app):
    from store.db import database

    async with kiosk_app.run_test(size=SIZE) as pilot:
        await walk_to_review(pilot, summary="Board is dead")
        refuse_writes(database.db)
        await press_button(pilot, "#send")
        assert screen_name(pilot) == "ReviewScreen"
        assert text_of(pilot, "#send-problem") == CANT_SAVE
        assert "Board is dead" in text_of(pilot, "#review")
        assert Incident.select().count() == 0
        database.db.execute_sql("DROP TRIGGER refuse" + (" ON incident" if ON_POSTGRES else ""))
        await press_button(pilot, "#send")  # the app carried on; now it saves
        assert screen_name(pilot) == "ReceiptScreen"
        assert Incident.select().count() == 1


async def test_a_scanner_that_ends_with_tab_is_read_and_tab_then_reaches_the_buttons(kiosk_app):
    call = servicedesk.log_call(summary="Printer jams", requester="Sam", by="jsmith")
    incidents.resolve(call.number, kind="fix", text="New rollers", by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*call.scan, "tab")  # as a scanner set to end with Tab types it
        await settle(pilot)
        assert f"{call.number}: Resolved" in text_of(pilot, "#result")
        await pilot.press("tab")
        await settle(pilot)
        assert pilot.app.focused.id == "fixed"  # Tab now moves on, to the answer


async def test_check_with_the_code_and_say_it_is_fixed(kiosk_app):
    call = servicedesk.log_call(summary="Printer jams", requester="Sam", by="jsmith")
    incidents.take(call.number, by="jsmith")
    incidents.add_note(call.number, "New rollers ordered", public=True, by="jsmith")
    incidents.resolve(call.number, kind="fix", text="New rollers", by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*call.scan, "enter")  # as a USB scanner types it
        await settle(pilot)
        result = text_of(pilot, "#result")
        assert f"{call.number}: Resolved" in result
        assert "Jo is looking after it" in result and "What we did: New rollers" in result
        assert "Is it fixed?" in result
        await press_button(pilot, "#fixed")
        assert "We have closed your log" in text_of(pilot, "#result")
        await pilot.press("enter")  # a second press says nothing new
        await settle(pilot)
        assert text_of(pilot, "#result") == (
            "Thank you! We're glad it's fixed. We have closed your log."
        )
        assert pilot.app.screen.query_one("#ref").value == ""
    assert servicedesk.find_call(call.number).status == "closed"


async def test_check_tells_the_pupil_when_we_aim_to_fix_it(kiosk_app, monkeypatch):
    monday = dt.datetime(2026, 11, 16, 10, 0)  # 10:00 in London, a school day
    now = [monday]
    monkeypatch.setattr(journal, "now", lambda: now[0])
    call = servicedesk.log_call(
        summary="Projector flickers", requester="Sam", impact="medium", urgency="medium",
        by="jsmith",
    )  # fmt: skip  # P3: three school days
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*call.scan, "enter")
        await settle(pilot)
        assert "We aim to fix it by Thursday morning." in text_of(pilot, "#result")
        now[0] = monday + dt.timedelta(days=7)  # late: said kindly, no date in the past
        pilot.app.screen.query_one("#ref").value = ""
        await pilot.press(*call.scan, "enter")
        await settle(pilot)
        assert "It is taking longer than we aimed for. Sorry!" in text_of(pilot, "#result")


async def test_a_log_shown_at_check_is_cleared_when_the_pupil_walks_away(kiosk_app, clock):
    """Idle for FORGET_S, or covered by the PIN screen: nothing of the log stays."""
    from kiosk.screens.check import FORGET_S

    call = servicedesk.log_call(summary="Printer jams", requester="Sam Secret", by="jsmith")
    incidents.resolve(call.number, kind="fix", text="New rollers", by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*call.scan, "enter")
        await settle(pilot)
        assert "Printer jams" in text_of(pilot, "#result")
        clock.now += FORGET_S - 1
        pilot.app.screen.forget_if_left()
        await settle(pilot)
        assert "Printer jams" in text_of(pilot, "#result")  # still reading it
        clock.now += 1
        pilot.app.screen.forget_if_left()
        await settle(pilot)
        assert screen_name(pilot) == "CheckScreen"
        assert text_of(pilot, "#result") == ""
        assert pilot.app.screen.query_one("#ref").value == ""
        assert not pilot.app.screen.query_one("#answer").display
        await pilot.press(*call.scan, "enter")
        await settle(pilot)
        assert "Printer jams" in text_of(pilot, "#result")
        await pilot.press("ctrl+t")  # the PIN screen over it
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "CheckScreen"
        assert text_of(pilot, "#result") == "" and pilot.app.screen.query_one("#ref").value == ""


async def test_check_and_say_it_is_not_fixed(kiosk_app):
    call = servicedesk.log_call(summary="Printer jams", requester="Sam", by="jsmith")
    incidents.resolve(call.number, kind="fix", text="New rollers", by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await type_into(pilot, "#ref", call.scan.lower())
        await pilot.press("enter")
        await settle(pilot)
        await press_button(pilot, "#broken")
        await type_into(pilot, "#comment", "Still jams on page 2")
        await press_button(pilot, "#send-comment")
        assert "opened your log again" in text_of(pilot, "#result")
    again = servicedesk.find_call(call.number)
    assert again.status == "assigned" and again.notes[-1].text == "Not fixed: Still jams on page 2"


async def test_check_without_the_code_asks_for_it_and_shows_nothing(kiosk_app):
    call = servicedesk.log_call(summary="Secret summary", requester="Sam", by="jsmith")
    incidents.add_note(call.number, "Secret news", public=True, by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*call.number, "enter")
        await settle(pilot)
        result = text_of(pilot, "#result")
        assert "Type the 4-letter code from your receipt" in result
        assert "Secret" not in result and "Logged" not in result
        assert not pilot.app.screen.query_one("#answer").display


async def test_guessing_a_code_slows_that_number_and_leaves_the_others_usable(kiosk_app):
    call = servicedesk.log_call(summary="Printer jams", requester="Sam", by="jsmith")
    other = servicedesk.log_call(summary="Board pen gone", requester="Ada", by="jsmith")
    wrong = "AAAA" if call.check_code != "AAAA" else "BBBB"
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        said = []
        tries = (f"{call.number}-{wrong}", f"INC-000999-{wrong}", call.number, call.number)
        for ref in (*tries, call.scan, other.scan):
            await type_into(pilot, "#ref", ref)
            await pilot.press("enter")
            await settle(pilot)
            said.append(text_of(pilot, "#result"))
        assert said[0] == said[1] and "can't find that number and code" in said[0]
        assert "Please wait" in said[4] and call.number in said[4]  # the right code too
        assert f"{other.number}: Logged" in said[5] and "Board pen gone" in said[5]


async def test_check_refuses_junk_in_plain_words(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Type your log number and the code after it" in text_of(pilot, "#result")
        for junk in (
            "[/X]",
            "[@click=app.quit]x[/]",
            "[blink]hi[/]",
            "\x1b[31m",
            "🙂" * 500,
            "REQ-000001",
            "asdf;lkj!!",
        ):
            await type_into(pilot, "#ref", junk)
            await pilot.press("enter")
            await settle(pilot)
            said = text_of(pilot, "#result")
            assert said.startswith("That doesn't look like a log number"), said
            assert "X" not in said.split(".")[0]  # what was typed is not echoed back
        assert pilot.app.return_code is None


async def test_input_boxes_never_hold_control_characters(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        name = pilot.app.screen.query_one("#name")
        await type_into(pilot, "#name", "Sam\x1b[2J\x07 \u202eLee\x00")
        assert name.value == "Sam[2J Lee"
        name.value = ""
        name.post_message(events.Paste("Ada\x1b]0;owned\x07\u2066 Byron\nsecond line"))
        await settle(pilot)
        assert name.value == "Ada]0;owned Byron"


async def test_the_number_and_code_may_be_typed_with_a_space(kiosk_app):
    call = servicedesk.log_call(summary="Printer jams", requester="Sam", by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await type_into(pilot, "#ref", f"{call.id} {call.check_code.lower()}")
        await pilot.press("enter")
        await settle(pilot)
        assert "Printer jams" in text_of(pilot, "#result")


async def test_a_second_enter_after_a_lookup_answers_nothing(kiosk_app):
    call = servicedesk.log_call(summary="Printer jams", requester="Sam", by="jsmith")
    incidents.resolve(call.number, kind="fix", text="New rollers", by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*call.scan, "enter")
        await settle(pilot)
        assert "Is it fixed?" in text_of(pilot, "#result")
        await pilot.press("enter")
        await settle(pilot)
    assert servicedesk.find_call(call.number).status == "resolved"


async def test_enter_on_the_summary_goes_to_review_and_detail_is_kept_through_back(kiosk_app):
    """FITS's questions are off the Enter path: Enter on the line goes to the review;
    "Add more detail" opens them; Back and Next lose nothing typed on either screen."""
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await walk_to_review(pilot, summary="Printer jams")
        assert "Printer jams" in text_of(pilot, "#review")
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "TellStep"
        await press_button(pilot, "#more")
        assert screen_name(pilot) == "DetailStep"
        assert pilot.app.screen.query_one("#trying_to_do").has_focus
        await type_into(pilot, "#happened_before", "Yes, last week")
        await pilot.press("escape")  # back to the line without pressing Next
        await settle(pilot)
        assert screen_name(pilot) == "TellStep"
        assert "1 answered" in str(pilot.app.screen.query_one("#more").label)
        await pilot.press("escape")  # and back to the device step
        await settle(pilot)
        await press_button(pilot, "#next")
        assert screen_name(pilot) == "TellStep"
        assert pilot.app.screen.query_one("#summary").value == "Printer jams"
        await press_button(pilot, "#more")
        assert pilot.app.screen.query_one("#happened_before").value == "Yes, last week"
        pilot.app.screen.query_one("#happened_before").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "ReviewScreen"
        assert "Yes, last week" in text_of(pilot, "#review")


async def test_add_more_detail_needs_the_line_first(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await walk_to_review(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await type_into(pilot, "#summary", "   ")
        await press_button(pilot, "#more")
        assert screen_name(pilot) == "TellStep"
        assert "few words" in text_of(pilot, "#summary-problem")
        assert pilot.app.screen.query_one("#summary").has_focus


async def test_where_takes_typing_at_once_and_down_reaches_the_rooms(kiosk_app):
    from store.school import locations

    for code in ("S2", "S10", "S1"):
        locations.add_location(code, f"Science {code[1:]}", by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await type_into(pilot, "#name", "Sam")
        await press_button(pilot, "#next")
        await pilot.press(*"scien")  # straight into the search box
        await settle(pilot)
        rooms = pilot.app.screen.query_one("#rooms")
        shown = [
            str(rooms.get_option_at_index(i).prompt).strip() for i in range(rooms.option_count)
        ]
        assert shown[:4] == [
            "Science 1 (S1)",
            "Science 2 (S2)",
            "Science 10 (S10)",
            "Science lab 12 (S12)",
        ]
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert "Science 2 (S2)" in text_of(pilot, "#chosen")


async def test_enter_chooses_the_one_room_found_or_the_code_typed_in_full(kiosk_app):
    from store.school import locations

    for code in ("S1", "S10"):
        locations.add_location(code, f"Science {code[1:]}", by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await type_into(pilot, "#name", "Sam")
        await press_button(pilot, "#next")
        await pilot.press(*"lab 1", "enter")  # one match: Science lab 12
        await settle(pilot)
        assert "Science lab 12 (S12)" in text_of(pilot, "#chosen")
        assert pilot.app.focused.id == "next"  # Next is one Enter away
        await type_into(pilot, "#search", "s1")  # S1, S10 and S12 match; S1 in full
        await pilot.press("enter")
        await settle(pilot)
        assert "Science 1 (S1)" in text_of(pilot, "#chosen")
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "WhatStep"


async def test_a_warning_comes_before_the_kiosk_forgets(kiosk_app, clock):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        clock.now += kiosk_app.settings.kiosk_idle_seconds - 15
        kiosk_app.check_left_alone()
        await settle(pilot)
        assert any("Are you still there?" in str(n.message) for n in kiosk_app._notifications)
        await pilot.press("a")  # a key and it carries on
        clock.now += 20
        kiosk_app.check_left_alone()
        await settle(pilot)
        assert screen_name(pilot) == "WhoStep"


@settings(
    max_examples=12,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(typed=st.lists(st.text(max_size=80), min_size=1, max_size=5))
@example(typed=["[/X]", "[@click=app.quit]x[/]", "[blink]hi[/blink]", "\x1b[2J"])
def test_whatever_a_pupil_types_the_kiosk_answers_and_keeps_running(kiosk_app, typed):
    async def go() -> None:
        app = KioskApp(db_url=kiosk_app.db_url, kiosk="library")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            for text in typed:
                await type_into(pilot, "#ref", text)
                await pilot.press("enter")
                await settle(pilot)
                assert text_of(pilot, "#result")  # always an answer
            await pilot.press("escape", "1")
            await settle(pilot)
            for text in typed:
                await type_into(pilot, "#name", text)
                await press_button(pilot, "#next")
                if screen_name(pilot) != "WhoStep":
                    await pilot.press("escape")
                    await settle(pilot)
            assert app.return_code is None

    asyncio.run(go())


async def test_choosing_staff_asks_for_a_department_and_an_email(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert not pilot.app.screen.query_one("#email").display
        await pilot.click("#role-staff")
        await settle(pilot)
        assert "department" in text_of(pilot, "#group-label")
        assert pilot.app.screen.query_one("#email").display
        marks = [text_of(pilot, f"#role-{r}")[:2] for r in ("pupil", "staff")]
        assert "●" not in marks[0] and "●" in marks[1]  # readable without colour


async def test_a_member_of_staff_reports_with_an_email(kiosk_app):
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await type_into(pilot, "#name", "Ms Ada Byron")
        await pilot.click("#role-staff")
        await type_into(pilot, "#group", "Maths")
        await type_into(pilot, "#email", "not an email")
        await press_button(pilot, "#next")
        assert "doesn't look like an email" in text_of(pilot, "#email-problem")
        await type_into(pilot, "#email", "ada@school.example")
        await press_button(pilot, "#next")
        assert screen_name(pilot) == "WhereStep"
        await press_button(pilot, "#next")
        await pilot.press("5")
        await settle(pilot)
        await press_button(pilot, "#next")
        await type_into(pilot, "#summary", "Board pen missing")
        await press_button(pilot, "#next")
        await press_button(pilot, "#send")
    call = servicedesk.list_calls()[0]
    assert (call.requester_role, call.requester_group, call.requester_email, call.category) == (
        "staff",
        "Maths",
        "ada@school.example",
        "projector",
    )
