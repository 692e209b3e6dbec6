"""A pupil mashing the keyboard: sixty seconds of random keys, started on each kiosk
screen, must leave the kiosk running and usable by the next pupil within five seconds:
home in a few presses of Esc, a report sent, a log checked.

Time is the test's: the kiosk's clock and the store's clock (`journal.now`) move together,
a key every tenth of a second, so the limits a masher can reach (the pause between
reports, the ceiling, the PIN screen's slowing down) are met as they would be in a minute
of real mashing, without the minute.
"""

import datetime as dt
import random

import pytest
from textual import events

from store.db import journal
from store.servicedesk import servicedesk
from tests.kiosk_helpers import screen_name, settle, type_into, walk_to_review

pytestmark = pytest.mark.mash

SIZE = (80, 24)
SECONDS = 60
KEYS_A_SECOND = 10
"""A child mashing with both hands; 600 keys a run."""
PUNCTUATION = {
    "[": "left_square_bracket",
    "]": "right_square_bracket",
    "@": "at",
    "=": "equals_sign",
    "/": "slash",
    "-": "minus",
    ".": "full_stop",
    "'": "apostrophe",
    '"': "quotation_mark",
    "<": "less_than_sign",
    ";": "semicolon",
}
"""Textual's key names for the characters (their Unicode names)."""
CONTROL = {"space": " ", "enter": "\r", "tab": "\t", "escape": "\x1b"}
KEYS = (
    [(c, c) for c in "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789"]
    + [(name, c) for c, name in PUNCTUATION.items()]
    + [(name, c) for name, c in CONTROL.items()]
    + [("enter", "\r")] * 3
    + [
        (name, None)
        for name in (
            "shift+tab backspace up down left right home end pageup pagedown delete "
            "ctrl+t ctrl+c ctrl+q ctrl+z ctrl+p ctrl+v f1 f10 insert"
        ).split()
    ]
)
"""(key, character) as a terminal sends them."""
STARTS = ["home", "who", "where", "what", "device", "tell", "review", "check", "pin"]
BASE = dt.datetime(2026, 12, 7, 10, 0)


@pytest.fixture
def together(kiosk_app, clock, monkeypatch):
    """The kiosk's clock and the store's, one clock."""
    monkeypatch.setattr(journal, "now", lambda: BASE + dt.timedelta(seconds=clock.now))
    return kiosk_app


async def start_on(pilot, where: str) -> None:
    await settle(pilot)
    if where == "check":
        await pilot.press("2")
    elif where == "pin":
        await pilot.press("ctrl+t")
    elif where != "home":
        steps = {"who": 1, "where": 2, "what": 3, "device": 4, "tell": 5}
        await pilot.press("1")
        await settle(pilot)
        if where == "review":
            await walk_to_review(pilot, tag="LAP-0042")
            return
        await type_into(pilot, "#name", "Sam Patel")
        for _ in range(1, steps[where]):
            if steps[where] >= 4 and screen_name(pilot) == "WhatStep":
                await pilot.press("1")
            else:
                await pilot.press("enter")
            await settle(pilot)
    await settle(pilot)


@pytest.mark.parametrize("where", STARTS)
async def test_a_minute_of_mashing_leaves_the_kiosk_usable_within_five_seconds(
    together, clock, where
):
    app = together
    mine = servicedesk.log_call(summary="Projector dead", requester="Ada", by="jsmith")
    rng = random.Random(f"mash-{where}")
    async with app.run_test(size=SIZE) as pilot:
        await start_on(pilot, where)
        for n in range(SECONDS * KEYS_A_SECOND):
            key, character = rng.choice(KEYS)
            # As a terminal sends them: the next key does not wait for the screen.
            app.post_message(events.Key(key, character))
            clock.now += 1 / KEYS_A_SECOND
            if n % 5 == 4:
                await settle(pilot)
        await settle(pilot)
        assert app.is_running and app.return_code is None

        # The next pupil: home within five seconds, a key every half second.
        for _ in range(10):
            if screen_name(pilot) == "HomeScreen":
                break
            await pilot.press("escape")
            await settle(pilot)
            clock.now += 0.5
        assert screen_name(pilot) == "HomeScreen", screen_name(pilot)

        # Their report goes, after the half minute it takes them to write it.
        await walk_to_review(pilot, name="Ada Lovelace", summary="The projector is dead")
        clock.now += 30
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(pilot) == "ReceiptScreen", pilot.app.screen.query_one(
            "#send-problem"
        ).render()
        clock.now += 5
        await pilot.press("x")
        await settle(pilot)

        # And their own log can be checked: mashing guessed at no one's number.
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*mine.scan, "enter")
        await settle(pilot)
        shown = str(pilot.app.screen.query_one("#result").render())
        assert mine.number in shown and "Projector dead" in shown
