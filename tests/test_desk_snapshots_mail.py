"""What a technician sees of the email channel, at 80x24 and 120x40 (SVG snapshots): a
call that came by email with its mail thread among the timeline (a photo attached, our
messages sent, one failed, the caller's reply), every email of it in full with how to
save what was kept, the outbox, and the queue's line saying the outbox needs a person.

Every time is fixed (the store's clock is moved through the morning, then stops at NOW),
so each snapshot is the same on every run. Update after a deliberate change with
`pytest tests/test_desk_snapshots_mail.py --snapshot-update`, then look at every changed
SVG before committing it.
"""

import datetime as dt

import pytest

from store.db import journal
from store.mail import intake as mail_intake
from store.records import outbox
from store.servicedesk import incidents
from tests.kiosk_helpers import settle, steady
from tests.mail_helpers import ADA, PARENT, mail, reply_to
from tui.app import DeskApp

pytestmark = pytest.mark.screen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
NOW = dt.datetime(2026, 11, 27, 11, 0)
"""A Friday morning (GMT: local time is UTC)."""


def at(hour: int, minute: int) -> dt.datetime:
    return NOW.replace(hour=hour, minute=minute)


@pytest.fixture
def morning(mail_on, db_url, monkeypatch):
    """Ada emails about the S12 projector with a photo (too big to keep) and is told her
    number; a technician takes it and writes to her; she answers in two lines, with the
    lamp's label (kept); it is resolved, but that message fails. Meanwhile a parent's
    number waits to go, and one message could not be read at all."""
    clock = [at(8, 40)]
    monkeypatch.setattr(journal, "now", lambda: clock[0])

    def send(status: str = "sent", error: str = "") -> None:
        claimed = outbox.claim()
        outbox.handing_over(claimed.id)
        if status == "sent":
            outbox.sent(claimed.id)
        else:
            outbox.failed(claimed.id, error, permanent=True)

    mail_intake.take(
        mail(
            ADA,
            "The projector in S12 flickers",
            "It flickers every few seconds during lessons, worst in period 3.\n"
            "I have tried another cable.\nThe photo shows the picture.\n"
            "Thank you,\nAda\n",
            attachments=(("photo.jpg", b"x" * 2_100_000),),
        )
    )
    clock[0] = at(8, 41)
    send()
    clock[0] = at(9, 0)
    incidents.take("INC-000001", by="jsmith")
    incidents.start("INC-000001", by="jsmith")
    clock[0] = at(9, 10)
    incidents.add_note("INC-000001", "A new lamp is on order.", public=True, by="jsmith")
    clock[0] = at(9, 11)
    send()
    (note,) = [m for m in outbox.of_call(1) if m.kind == "note"]
    clock[0] = at(9, 30)
    mail_intake.take(
        reply_to(
            note,
            "Thanks. It is worse when the room is warm, after lunch.\nThe label is attached.",
            attachments=(("lamp-label.txt", b"EB-X41"),),
        )
    )
    clock[0] = at(10, 15)
    incidents.resolve("INC-000001", kind="fix", text="New lamp fitted.", by="jsmith")
    clock[0] = at(10, 16)
    send("failed", "550 5.2.2 Mailbox full")

    clock[0] = at(10, 30)
    mail_intake.take(mail(PARENT, "Can't log in to the homework site"))
    clock[0] = at(10, 40)
    mail_intake.take(b"\x00\x01 not an email at all")
    clock[0] = NOW
    return DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)


@pytest.mark.parametrize("size", SIZES)
def test_a_call_with_its_mail(morning, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_call("INC-000001")
        await settle(pilot)
        pilot.app.screen.query_one("#call").scroll_end(animate=False)
        await steady(pilot)

    assert snap_compare(morning, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_the_outbox(morning, snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.action_outbox()
        await steady(pilot)

    assert snap_compare(morning, terminal_size=size, run_before=run_before)


def test_the_mail_set_aside(morning, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.action_outbox()
        await settle(pilot)
        await pilot.press("2")
        await steady(pilot)

    assert snap_compare(morning, terminal_size=(80, 24), run_before=run_before)


def test_the_queue_names_the_outbox(morning, snap_compare):
    async def run_before(pilot):
        await steady(pilot)

    assert snap_compare(morning, terminal_size=(80, 24), run_before=run_before)


def test_every_email_in_full(morning, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_call("INC-000001")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        pilot.app.screen.query_one("#mail").scroll_to(y=36, animate=False)  # her reply
        await steady(pilot)

    assert snap_compare(morning, terminal_size=(80, 24), run_before=run_before)
