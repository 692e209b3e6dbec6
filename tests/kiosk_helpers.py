"""Driving the kiosk in tests: walk a pupil through it with Textual's Pilot."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Button, Input


async def settle(pilot: Pilot) -> None:
    """Let store calls in worker threads finish and the screen catch up, animations
    (a tab's underline sliding across) included. Each step waits for something that
    finishes (every widget's queue empty, every worker done), never for the process to
    look idle: `pilot.pause()` with no delay sleeps at least 20 ms to judge that, and
    over the suite's thousands of settles that was minutes."""
    for _ in range(3):
        await pilot.pause(0)
        await pilot.app.workers.wait_for_complete()
    await pilot.app.animator.wait_until_complete()
    await pilot.pause(0)


async def steady(pilot: Pilot) -> None:
    """Settle, stop cursors blinking, let a pressed button's flash end (Textual's 0.2 s)
    and any animation a late answer started: a snapshot then never catches one half-way."""
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    while any(button.has_class("-active") for button in pilot.app.screen.query(Button)):
        await pilot.pause(0.05)
    await pilot.pause()
    # A count that arrived last can move a tab's underline after the first wait: a frame
    # later it is sliding, so wait for it again.
    await pilot.app.animator.wait_until_complete()
    await pilot.pause()


def screen_name(pilot: Pilot) -> str:
    return type(pilot.app.screen).__name__


def text_of(pilot: Pilot, selector: str) -> str:
    """What a widget on the current screen shows, as the lines drawn, joined by spaces."""
    widget = pilot.app.screen.query_one(selector)
    lines = (widget.render_line(y).text.strip() for y in range(widget.size.height))
    return " ".join(line for line in lines if line)


async def type_into(pilot: Pilot, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.pause(0)
    field.insert_text_at_cursor(text)
    await pilot.pause(0)


async def press_button(pilot: Pilot, selector: str) -> None:
    pilot.app.screen.query_one(selector, Button).press()
    await settle(pilot)


async def walk_to_review(
    pilot: Pilot,
    *,
    name: str = "Sam Patel",
    role: str | None = None,
    group: str = "9C",
    room: str | None = None,
    tile: int = 1,
    tag: str | None = None,
    summary: str = "The laptop won't charge",
    answers: dict[str, str] | None = None,
) -> None:
    """From Home to the review screen, the way a pupil would go."""
    await settle(pilot)
    await pilot.press("1")
    await settle(pilot)
    await type_into(pilot, "#name", name)
    if role:
        pilot.app.screen.query_one(f"#role-{role}").value = True
        await pilot.pause()
    if group and role != "visitor":
        await type_into(pilot, "#group", group)
    await press_button(pilot, "#next")
    assert screen_name(pilot) == "WhereStep", screen_name(pilot)
    if room:
        await type_into(pilot, "#search", room)
        await pilot.press("enter")  # one room found is chosen
        await settle(pilot)
        if pilot.app.screen.query_one("#rooms").has_focus:  # several: the first
            await pilot.press("enter")
            await settle(pilot)
    await press_button(pilot, "#next")
    assert screen_name(pilot) == "WhatStep", screen_name(pilot)
    await pilot.press(str(tile))
    await settle(pilot)
    assert screen_name(pilot) == "DeviceStep", screen_name(pilot)
    if tag:
        await type_into(pilot, "#tag", tag)
        await pilot.press("enter")
        await settle(pilot)
    await press_button(pilot, "#next")
    assert screen_name(pilot) == "TellStep", screen_name(pilot)
    await type_into(pilot, "#summary", summary)
    if answers:  # FITS's questions are one button away
        await press_button(pilot, "#more")
        assert screen_name(pilot) == "DetailStep", screen_name(pilot)
        for field, answer in answers.items():
            await type_into(pilot, f"#{field}", answer)
    await press_button(pilot, "#next")
    assert screen_name(pilot) == "ReviewScreen", screen_name(pilot)
