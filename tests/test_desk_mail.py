"""The email channel at the desk, driven through Textual's Pilot: a call's mail thread in
its timeline (in and out, with what each became), a public note typed at the desk going
out by mail, resolving and the caller's yes, the outbox screen's send-again and cancel,
the queue's outbox line, and people's markup shown as typed."""

from __future__ import annotations

import re
from itertools import takewhile
from pathlib import Path

import pytest
from textual.widgets import DataTable

from store.db.models import MailIn, MailOut
from store.mail import intake as mail_intake
from store.mail.records import size_words
from store.records import outbox
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import press_button, settle, text_of
from tests.mail_helpers import ADA, PARENT, mail, reply_to
from tests.test_desk_app import answer, open_call, screen_name
from tui.app import DeskApp
from tui.screens.mail.mail_thread import INDENT

SIZE = (120, 40)


def deliver(message: outbox.Outgoing) -> None:
    """What `fitsdesk mail send` does when the server takes the message."""
    claimed = outbox.claim()
    assert claimed is not None and claimed.id == message.id
    outbox.handing_over(claimed.id)
    outbox.sent(claimed.id)


def refuse(message: outbox.Outgoing, error: str = "550 No such user here") -> None:
    """What the sender does when the server will never take it."""
    claimed = outbox.claim()
    assert claimed is not None and claimed.id == message.id
    outbox.failed(claimed.id, error, permanent=True)


def timeline(pilot) -> str:
    return text_of(pilot, "#timeline")


async def reload(pilot) -> None:
    pilot.app.screen.load()
    await settle(pilot)


@pytest.fixture
def by_mail(mail_on, db_url):
    """Ada's call by email with a photo, told its number (sent), then her reply."""
    taken = mail_intake.take(
        mail(
            ADA,
            "The projector in S12 flickers",
            "It flickers every few seconds during lessons.\nWorst in period 3.\n",
            attachments=(("photo.jpg", b"x" * 2_100_000),),
        )
    )
    assert taken.kind == "logged" and taken.number == "INC-000001"
    (logged,) = outbox.of_call(1)
    deliver(logged)
    assert mail_intake.take(reply_to(logged, "It still flickers with the new cable.")).kind == (
        "note"
    )
    return DeskApp(db_url=db_url, user="jsmith")


async def test_a_calls_page_shows_its_mail_in_and_out_in_time_order(by_mail):
    async with by_mail.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, "INC-000001")
        shown = timeline(pilot)
    first = shown.index("Email from the caller: logged a new call")
    assert "Ada Byron <ada@oakfield.sch.uk>" in shown
    assert "The projector in S12 flickers" in shown
    assert "Attached: photo.jpg, 2.1 MB" in shown
    assert "│ It flickers every few seconds during lessons." in shown
    told = shown.index("Email to the caller: Sent")
    reply = shown.index("Email from the caller: added as a note")
    assert first < shown.index("Logged") < told < reply
    # Her reply shows once as her words (the note) and cut in the thread, never the
    # message it quotes.
    assert shown.count("It still flickers with the new cable.") == 2
    assert "IT support wrote" not in shown
    assert "m: every email in full" in shown


async def test_the_thread_says_where_each_message_to_the_caller_is(by_mail):
    incidents.add_note("INC-000001", "A new lamp is on order.", public=True, by="akhan")
    incidents.add_note("INC-000001", "Epson ref 4471.", public=False, by="akhan")
    note = outbox.of_call(1)[-1]
    assert note.kind == "note" and len(outbox.of_call(1)) == 2  # the private one stays in
    async with by_mail.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, "INC-000001")
        assert "Email to the caller: Waiting" in timeline(pilot)
        refuse(note)
        await reload(pilot)
        assert "Email to the caller: Failed: 550 No such user here" in timeline(pilot)
        outbox.retry(note.id, by="jsmith")
        claimed = outbox.claim()
        outbox.handing_over(claimed.id)  # the sender was killed here
        await reload(pilot)
        assert "Email to the caller: May have gone" in timeline(pilot)
        outbox.sent(claimed.id)
        await reload(pilot)
        assert "Email to the caller: May have gone" not in timeline(pilot)
        assert timeline(pilot).count("Email to the caller: Sent") == 2
        incidents.add_note("INC-000001", "Wrong caller, sorry.", public=True, by="akhan")
        outbox.cancel(outbox.of_call(1)[-1].id, by="jsmith")
        await reload(pilot)
        assert "Email to the caller: Cancelled by jsmith." in timeline(pilot)


async def test_a_public_note_typed_at_the_desk_goes_to_the_caller_by_mail(by_mail):
    async with by_mail.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, "INC-000001")
        await pilot.press("n")
        await settle(pilot)
        await answer(pilot, text="A new lamp is on order.", public=True)
        await pilot.press("n")
        await settle(pilot)
        await answer(pilot, text="Epson part 4471, private.", public=False)
        shown = timeline(pilot)
    sent = outbox.of_call(1)
    assert [m.kind for m in sent] == ["logged", "note"]
    assert "A new lamp is on order." in sent[1].body
    assert sent[1].to_address == "ada@oakfield.sch.uk" and sent[1].status == "waiting"
    assert "Email to the caller: Waiting" in shown
    assert shown.index("jsmith (public, seen by the caller)") < shown.index(
        "Email to the caller: Waiting"
    )
    assert "Epson part 4471" in shown  # the private note, in the journal only
    assert not any("4471" in m.body for m in sent)


async def test_resolved_at_the_desk_and_the_callers_yes_closes_it(by_mail):
    async with by_mail.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, "INC-000001")
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await answer(pilot, kind="fix", text="New lamp fitted.")
        asked = outbox.of_call(1)[-1]
        assert asked.kind == "resolved" and "New lamp fitted." in asked.body
        deliver(asked)
        assert "Email to the caller: Sent" in timeline(pilot)

        assert mail_intake.take(reply_to(asked, "Yes, thank you!")).kind == "confirmed"
        await reload(pilot)
        shown = timeline(pilot)
        assert "Email from the caller: said yes: closed" in shown
        assert "Yes, thank you!" in shown
        assert servicedesk.find_call("INC-000001").status == "closed"
        closed = outbox.of_call(1)[-1]
        assert closed.kind == "closed"
        assert shown.rindex("Email to the caller: Waiting") > shown.index("said yes: closed")


async def test_an_auto_reply_shows_as_ignored_and_the_whole_mail_on_its_page(by_mail):
    (logged,) = [m for m in outbox.of_call(1) if m.kind == "logged"]
    long_body = "\n".join(f"Line {n} of what Ada said." for n in range(1, 11))
    assert mail_intake.take(reply_to(logged, long_body)).kind == "note"
    auto = reply_to(logged, "I am out of the office.", headers={"Auto-Submitted": "auto-replied"})
    assert mail_intake.take(auto).kind == "ignored"
    async with by_mail.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, "INC-000001")
        shown = timeline(pilot)
        (ignored,) = MailIn.select().where(MailIn.outcome == "ignored")
        assert f"Email from the caller: ignored: {ignored.reason}" in shown
        assert "│ Line 3 of what Ada said." in shown and "│ Line 4" not in shown
        await pilot.press("m")
        await settle(pilot)
        assert screen_name(pilot) == "MailThreadScreen"
        whole = text_of(pilot, "#mail-thread")
        assert "Line 10 of what Ada said." in whole
        assert "IT support wrote" in whole  # every word, the quoted message too
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "IncidentScreen"


async def test_each_attachment_says_whether_it_was_kept_and_how_to_save_it(by_mail, run, tmp_path):
    (logged,) = [m for m in outbox.of_call(1) if m.kind == "logged"]
    with_notes = reply_to(logged, "And the model.", attachments=(("model.txt", b"EB-X41"),))
    assert mail_intake.take(with_notes).kind == "note"
    async with by_mail.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, "INC-000001")
        shown = timeline(pilot)
        assert "Attached: photo.jpg, 2.1 MB (too big: listed only)" in shown
        assert "Attached: model.txt, 6 B │" in shown  # kept: nothing more said
        await pilot.press("m")
        await settle(pilot)
        whole = text_of(pilot, "#mail-thread")
    assert "Attached: photo.jpg, 2.1 MB (too big: listed only)" in whole
    (model,) = re.findall(r"Attached: model\.txt, 6 B \(save: fitsdesk mail save (\d+)\)", whole)
    # What the page says to type does save it.
    status, out, _ = run("mail", "save", model, "--to", str(tmp_path))
    assert status == 0 and Path(out.strip()).read_bytes() == b"EB-X41"


async def test_a_callers_note_of_several_lines_stays_under_its_words(by_mail):
    (logged,) = [m for m in outbox.of_call(1) if m.kind == "logged"]
    words = (
        "It is now also making a buzzing noise that the whole class can hear from the back.\n"
        "And there is a smell of burning dust."
    )
    assert mail_intake.take(reply_to(logged, words)).kind == "note"
    async with by_mail.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_call(pilot, "INC-000001")
        shown = pilot.app.screen.query_one("#timeline")
        drawn = [shown.render_line(y).text.rstrip() for y in range(shown.size.height)]
    (first,) = [
        n for n, line in enumerate(drawn) if "caller (public" in line and "It is now" in line
    ]
    following = list(takewhile(lambda line: line.startswith(" "), drawn[first + 1 :]))
    assert " ".join(line.strip() for line in following).endswith(
        "the back. And there is a smell of burning dust."
    )
    assert len(following) >= 2  # wrapped, and its own second line
    assert all(line.startswith(" " * INDENT) and line[INDENT] != " " for line in following)


async def test_a_call_without_mail_has_no_mail_key(mail_on, db_url):
    servicedesk.log_call(summary="Mouse broken", requester="Sam Patel", by="jsmith")
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, "INC-000001")
        assert "Email" not in timeline(pilot) and "every email" not in timeline(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert screen_name(pilot) == "IncidentScreen"


@pytest.fixture
def stuck(mail_on, db_url):
    """Two calls by mail: Ada's number failed to go, Pat's waits; a message set aside."""
    for sender, subject in ((ADA, "Printer in LIB jams"), (PARENT, "Homework site login")):
        assert mail_intake.take(mail(sender, subject)).kind == "logged"
    refuse(outbox.of_call(1)[0], "550 Mailbox full")
    assert mail_intake.take(b"\x00\x01 not an email at all").kind == "set_aside"
    return DeskApp(db_url=db_url, user="jsmith")


def rows(pilot) -> list[list[str]]:
    table = pilot.app.screen.query_one("#outbox", DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def open_outbox(pilot) -> None:
    """Through the command palette, as a technician would."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*"outbox")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert screen_name(pilot) == "OutboxScreen"


async def test_the_queue_says_when_the_outbox_needs_a_person(stuck, mail_on):
    async with stuck.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(pilot, "#narrowed") == "1 email was not sent: m to see it"
        await pilot.press("m")  # the key the line names opens the outbox
        await settle(pilot)
        assert screen_name(pilot) == "OutboxScreen"
        await pilot.press("escape")
        await settle(pilot)
        outbox.retry(1, by="jsmith")
        pilot.app.screen.load()
        await settle(pilot)
        assert "email" not in text_of(pilot, "#narrowed")  # waiting is normal
        refuse(outbox.message(1))
        pilot.app.screen.load()
        await settle(pilot)
        assert "1 email was not sent" in text_of(pilot, "#narrowed")
        outbox.cancel(1, by="jsmith")
        pilot.app.screen.load()
        await settle(pilot)
        assert "email" not in text_of(pilot, "#narrowed")  # cancelled: nobody must look


async def test_the_queue_line_fits_at_80_columns_beside_a_vote(stuck):
    from store.configuration import software
    from store.school import people
    from tests.test_changes import new_rfc

    people.add_technician("bmorris", "Bea Morris", roles=["technician", "committee"], by="jsmith")
    software.add_software(
        "Audacity", version="3.4", purposes=["audio editing"], licence="free", by="jsmith"
    )
    new_rfc()
    new_rfc(title="Install Audacity in LIB", locations=["LIB"])
    MailOut.update(status="held").where(MailOut.id == 2).execute()
    desk = DeskApp(db_url=stuck.db_url, user="bmorris")
    async with desk.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        narrowed = pilot.app.screen.query_one("#narrowed")
        width = narrowed.size.width
        drawn = [narrowed.render_line(y).text.strip() for y in range(narrowed.size.height)]
    assert width < len("2 changes await your vote (ctrl+r: Changes)")
    assert drawn == ["2 changes await your vote (ctrl+r)", "2 emails were not sent: m to see them"]


async def test_the_outbox_sends_again_and_cancels(stuck):
    async with stuck.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_outbox(pilot)
        listed = rows(pilot)
        assert [r[:3] for r in listed] == [
            ["1", "ada@oakfield.sch.uk", "Failed"],
            ["2", "pat@example.com", "Waiting"],
        ]
        assert "550 Mailbox full" in listed[0][-1] and listed[0][3] == "1"
        assert "550 Mailbox full" in text_of(pilot, "#outbox-detail")

        await pilot.press("s")
        await settle(pilot)
        assert "Send message 1 to ada@oakfield.sch.uk again?" in text_of(pilot, "#dialog-title")
        assert "It goes at the next `fitsdesk mail send`" in text_of(pilot, "#dialog-title")
        await press_button(pilot, "#ok")
        assert outbox.message(1).status == "waiting"
        assert rows(pilot)[0][2] == "Waiting"

        # Back, on any of these dialogs, leaves it as it was.
        await pilot.press("down", "c")
        await settle(pilot)
        assert "Don't send message 2 to pat@example.com?" in text_of(pilot, "#dialog-title")
        assert [str(b.label) for b in pilot.app.screen.query("Button")] == ["Don't send", "Back"]
        await press_button(pilot, "#cancel")
        assert screen_name(pilot) == "OutboxScreen"
        assert outbox.message(2).status == "waiting"

        await pilot.press("c")
        await settle(pilot)
        await press_button(pilot, "#ok")
        assert outbox.message(2).status == "cancelled"
        assert outbox.message(2).last_error == "Cancelled by jsmith."
        assert [r[0] for r in rows(pilot)] == ["1"]  # cancelled: off the list

        # Sent already: off the list, and nothing to do.
        MailOut.update(status="sent").where(MailOut.id == 1).execute()
        pilot.app.screen.load()
        await settle(pilot)
        assert rows(pilot) == [] and "Nothing waits" in text_of(pilot, "#outbox-detail")

        await pilot.press("2")
        await settle(pilot)
        (aside,) = rows(pilot)
        assert "no headers" in aside[-1]
        assert "no headers" in text_of(pilot, "#outbox-detail")
        await pilot.press("s")
        await settle(pilot)
        assert screen_name(pilot) == "OutboxScreen"  # nothing to send again here


async def test_a_waiting_message_can_be_sent_without_waiting_for_its_next_try(stuck):
    from store.db import journal

    claimed = outbox.claim()
    assert claimed.id == 2
    outbox.failed(claimed.id, "421 Try again later", permanent=False)
    later = outbox.message(2).next_try_at
    assert outbox.message(2).status == "waiting" and later > journal.now()
    async with stuck.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_outbox(pilot)
        await pilot.press("down", "s")
        await settle(pilot)
        asked = text_of(pilot, "#dialog-title")
        assert "Send message 2 to pat@example.com at the next send?" in asked
        assert "It waits for its next try" in asked and "again" not in asked
        assert str(pilot.app.screen.query_one("#ok").label) == "Send sooner"
        await press_button(pilot, "#ok")
        assert screen_name(pilot) == "OutboxScreen"
    sooner = outbox.message(2)
    assert sooner.status == "waiting" and sooner.next_try_at < later
    assert outbox.claim().id == 2  # due now: the next send takes it


def test_send_again_on_a_message_due_already_says_so(stuck):
    from store.db import journal
    from tui.screens.mail.outbox import retry_question

    due = outbox.message(2)
    assert due.status == "waiting" and due.next_try_at <= journal.now()
    asked = retry_question(due, journal.now())
    assert asked.startswith("Send message 2 to pat@example.com at the next send?")
    assert "It is due already" in asked


async def test_a_message_being_sent_offers_no_keys(stuck):
    MailOut.update(status="waiting").where(MailOut.id == 1).execute()
    assert outbox.claim().id == 1  # a sender has it now
    async with stuck.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_outbox(pilot)
        assert rows(pilot)[0][2] == "Sending"
        for key in ("s", "c"):
            await pilot.press(key)
            await settle(pilot)
            assert screen_name(pilot) == "OutboxScreen"
    assert outbox.message(1).status == "sending"


async def test_cancelling_a_message_that_went_meanwhile_is_refused(stuck):
    async with stuck.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_outbox(pilot)
        await pilot.press("down", "c")
        await settle(pilot)
        deliver(outbox.message(2))  # the sender got there first
        await press_button(pilot, "#ok")
        assert "Message 2 is sent." in text_of(pilot, "#dialog-problem")
        await pilot.press("escape")
        await settle(pilot)
        assert [r[0] for r in rows(pilot)] == ["1"]


async def test_markup_in_mail_is_shown_as_typed(mail_on, db_url):
    subject = "[@click=app.quit]x[/] printer [blink]"
    body = "[bold]not bold[/bold] and [red]not red[/]\n"
    assert mail_intake.take(mail(ADA, subject, body)).kind == "logged"
    refuse(outbox.of_call(1)[0], "[@click=app.quit]550[/]")
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, "INC-000001")
        shown = timeline(pilot)
        # Her subject, ours (tagged), and ours quoting the summary in its body.
        assert shown.count(subject) == 3 and f"[INC-000001] {subject}" in shown
        assert "[bold]not bold[/bold] and [red]not red[/]" in shown
        assert "Failed: [@click=app.quit]550[/]" in shown
        await pilot.press("m")
        await settle(pilot)
        assert "[bold]not bold[/bold]" in text_of(pilot, "#mail-thread")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await open_outbox(pilot)
        assert f"[INC-000001] {subject}" in text_of(pilot, "#outbox-detail")
        assert "[@click=app.quit]550[/]" in text_of(pilot, "#outbox-detail")
        await pilot.click("#outbox-detail")
        await settle(pilot)
        assert pilot.app.return_code is None and screen_name(pilot) == "OutboxScreen"


def test_sizes_read_as_people_say_them():
    assert [size_words(n) for n in (0, 999, 1000, 1500, 45_000, 2_100_000)] == [
        "0 B",
        "999 B",
        "1.0 KB",
        "1.5 KB",
        "45 KB",
        "2.1 MB",
    ]


def test_the_queue_line_names_what_needs_a_person_only():
    from tui.screens.servicedesk.queue import outbox_words

    assert outbox_words({}) == ""
    assert outbox_words({"waiting": 4, "sending": 1}) == ""
    assert outbox_words({"failed": 1, "waiting": 3}) == "1 email was not sent: m to see it"
    assert outbox_words({"waiting": 2, "held": 1, "unsure": 2, "failed": 9}, "M") == (
        "12 emails were not sent: M to see them"
    )
