"""A technician lets a full kiosk take more reports from the desk: the queue says which
kiosk is full, the Kiosks screen (command palette) shows it, l asks, and the kiosk then
takes the next pupil's report (docs/kiosk.md, The limits)."""

from __future__ import annotations

import pytest

from store.db import config
from store.db.errors import Refused
from store.servicedesk import callers
from tests.kiosk_helpers import screen_name, settle, text_of
from tui.app import DeskApp

SIZE = (100, 30)


@pytest.fixture
def full_library(school):
    """The library's kiosk has sent its three reports in the window (no pause between)."""
    config.use(config.Config(kiosk_reports_per_window=3, kiosk_report_pause_seconds=0))
    for n in range(3):
        callers.report_from_kiosk(kiosk="library", summary=f"No sound {n}", requester="Sam")
    with pytest.raises(Refused, match="member of staff"):
        callers.report_from_kiosk(kiosk="library", summary="No sound", requester="Sam")
    return school


async def test_a_full_kiosk_is_named_on_the_queue_and_let_take_more(full_library, db_url):
    app = DeskApp(db_url=db_url, user="akhan")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "library" in " ".join(
            str(widget.render()) for widget in pilot.app.screen.query("Static")
        )
        pilot.app.action_kiosks()
        await settle(pilot)
        assert screen_name(pilot) == "KiosksScreen"
        assert "3/3" in text_of(pilot, "#kiosks") and "Full" in text_of(pilot, "#kiosks")

        await pilot.press("l")
        await settle(pilot)
        assert screen_name(pilot) == "Ask"
        await pilot.press("escape")  # thought better of it: nothing changes
        await settle(pilot)
        assert "3/3" in text_of(pilot, "#kiosks")

        await pilot.press("l")
        await settle(pilot)
        await pilot.click("#ok")
        await settle(pilot)
        assert screen_name(pilot) == "KiosksScreen"
        shown = text_of(pilot, "#kiosks")
        assert "0/3" in shown and "Taking reports" in shown and "lifted" in shown

    # The next pupil's report goes.
    call, _linked = callers.report_from_kiosk(kiosk="library", summary="Hiss", requester="Ada")
    assert call.number.startswith("INC-")
