"""A call's page at the desk names the changes it asked for and the changes that caused it."""

import datetime as dt

from store.changes import changes
from store.db import journal
from store.school import people
from store.servicedesk import servicedesk
from tests.kiosk_helpers import settle, text_of, type_into
from tests.test_desk_app import answer, footer
from tests.test_desk_changes import open_change
from tests.test_desk_problems import open_call, words
from tui.app import DeskApp


async def test_a_call_shows_the_change_it_asked_for_and_the_change_that_caused_it(school, db_url):
    people.add_technician("bmorris", "Bea Morris", roles=["committee"], by="jsmith")
    asked = servicedesk.log_call(
        summary="Please put Audacity in IT1", requester="Ms Green", role="staff", by="jsmith"
    )
    rfc = changes.raise_change(
        "Install Audacity in [b]IT1[/b]", incident=asked.number, kind="emergency",
        backout_plan="Take it off again", implementer="jsmith",
        window=(journal.now(), journal.now() + dt.timedelta(hours=1)), by="jsmith",
    )  # fmt: skip
    changes.approve_emergency(rfc.number, by="jsmith")
    changes.implement(rfc.number, by="jsmith")
    broke = servicedesk.log_call(summary="No sound in IT1", requester="Sam Patel", by="jsmith")
    async with DeskApp(db_url=db_url, user="jsmith").run_test(size=(110, 30)) as pilot:
        await open_change(pilot, rfc.number)
        assert "Caused a call" in footer(pilot)
        await pilot.press("k")
        await settle(pilot)
        await type_into(pilot, "#field-incident", "INC-999")
        pilot.app.screen.query_one("#ok").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "No call matches INC-000999" in text_of(pilot, "#dialog-problem")
        assert pilot.app.focused.id == "field-incident"  # not Cancel: Enter keeps the answer
        await answer(pilot, incident=broke.number.lower())
        assert changes.change(rfc.number).caused == (broke.number,)
        await pilot.press("escape")
        await settle(pilot)
        await open_call(pilot, asked.number)
        assert "Change RFC-000001 (Implemented): Install Audacity in [b]IT1[/b]" in words(
            pilot, "#fields"
        )
        await pilot.press("escape")
        await open_call(pilot, broke.number)
        assert "Change RFC-000001 (Implemented)" in words(pilot, "#fields")
