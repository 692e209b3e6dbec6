"""Mail intake (docs/mail.md), checked through the records the desk reads: the calls and
their notes, the people, what came in (mail_in) and what the caller will be sent
(mail_out). Real databases, real messages as bytes; no part of the store is mocked."""

from __future__ import annotations

import datetime as dt
import itertools
from email.utils import make_msgid

import pytest

from store.db.models import MailOut, Person
from store.mail import intake as mail_intake
from store.mail import records as mail_records
from store.servicedesk import incidents, servicedesk
from tests.mail_helpers import (
    ADA,
    ADA_ADDRESS,
    CONTROL,
    DESK,
    PARENT,
    PAT_ADDRESS,
    caller_notes,
    every_call,
    inbox_rows,
    mail,
    outbox_rows,
    reply_to,
    sent_about,
)

pytestmark = pytest.mark.usefixtures("mail_on")


take = mail_intake.take


def the_only_call():
    found = every_call()
    assert len(found) == 1, [call.number for call in found]
    return servicedesk.find_call(found[0].number)


def logged_by(sender: str = ADA, **parts):
    """A call the sender logged by mail, as the desk sees it, and its 'logged' message."""
    before = {call.number for call in every_call()}
    take(mail(sender, **parts))
    new = [call for call in every_call() if call.number not in before]
    assert len(new) == 1
    return servicedesk.find_call(new[0].number), sent_about(new[0].number)[-1]


def resolved_by_technician(sender: str = ADA):
    """A call logged by mail and resolved at the desk, and the 'please confirm' message."""
    call, _logged = logged_by(sender)
    incidents.resolve(call.number, kind="fix", text="New lamp fitted.", by="jsmith")
    asking = sent_about(call.number)[-1]
    assert asking.kind == "resolved"
    return servicedesk.find_call(call.number), asking


def raw(text: str) -> bytes:
    """A message written out by hand, for what no mail program would produce."""
    return text.replace("\n", "\r\n").encode("utf-8", "surrogateescape")


# A new message


def test_a_new_message_is_an_email_call_and_the_new_caller_is_told_their_number():
    take(mail(ADA, "The projector in S12 flickers", "Every few seconds.", message_id="<m1@x>"))

    call = the_only_call()
    assert (call.channel, call.status) == ("email", "logged")
    assert call.summary == "The projector in S12 flickers"
    assert call.description == "Every few seconds."
    assert (call.requester, call.requester_role, call.requester_email) == (
        "Ada Byron",
        "staff",
        ADA_ADDRESS,
    )
    (told,) = outbox_rows()
    assert (told.kind, told.to_address, told.status) == ("logged", ADA_ADDRESS, "waiting")
    assert f"[{call.number}]" in told.subject
    assert told.in_reply_to == "m1@x"
    (received,) = inbox_rows()
    assert (received.key, received.outcome, received.incident_id) == ("m1@x", "logged", call.id)


def test_a_sender_from_another_domain_is_added_with_that_domains_role():
    take(mail(PARENT, "My son's laptop will not charge"))
    call = the_only_call()
    assert (call.requester, call.requester_role, call.requester_email) == (
        "Pat Parent",
        "parent",
        PAT_ADDRESS,
    )


def test_a_known_address_finds_the_person_whatever_its_case():
    servicedesk.log_call(
        summary="Whiteboard pen missing",
        requester="Dr Ada Byron-King",
        role="staff",
        group="Maths",
        email="Ada@Oakfield.SCH.uk",
        by="jsmith",
    )
    take(mail("A. Byron <ADA@OAKFIELD.SCH.UK>", "Projector again"))

    by_mail = [call for call in every_call() if call.channel == "email"]
    assert [(c.requester, c.requester_group) for c in by_mail] == [("Dr Ada Byron-King", "Maths")]
    assert Person.select().count() == 1


def test_html_only_mail_becomes_readable_text():
    page = (
        "<html><head><style>p { color: red }</style><title>x</title></head><body>"
        "<p>The <b>projector</b> in S12 flickers &amp; buzzes.</p><script>steal()</script>"
        "<ul><li>Since Monday</li><li>Every lesson</li></ul></body></html>"
    )
    take(mail(ADA, "Projector", html=page))
    text = the_only_call().description
    assert "The projector in S12 flickers & buzzes." in text
    assert "- Since Monday\n- Every lesson" in text
    assert "<" not in text and "color" not in text and "steal" not in text


def test_attachments_are_listed_and_kept_up_to_the_configured_size():
    small, big = b"%PDF-1.4 " + b"s" * 400, b"\x89PNG" + b"b" * 5000  # the limit is 1 KB
    take(mail(ADA, attachments=(("timetable.pdf", small), ("../../photo.png", big))))

    call = the_only_call()
    (message,) = mail_records.thread(call.id)[:1]
    listed = {a.name: a for a in message.attachments}
    assert {name: (a.size, a.kept) for name, a in listed.items()} == {
        "timetable.pdf": (len(small), True),
        "photo.png": (len(big), False),
    }
    assert mail_records.attachment(listed["timetable.pdf"].id)[1] == small
    assert mail_records.attachment(listed["photo.png"].id)[1] is None


# Replies


def test_a_reply_with_the_tag_is_a_public_note_by_the_caller_and_not_echoed_back():
    call, logged = logged_by()
    take(reply_to(logged, "It is worse today: it goes off completely."))

    after = servicedesk.find_call(call.number)
    (note,) = after.notes
    assert (note.author, note.public) == ("caller", True)
    assert note.text == "It is worse today: it goes off completely."  # not the quoted mail
    assert after.status == "logged" and after.version == call.version + 1
    assert [row.kind for row in sent_about(call.number)] == ["logged"]
    assert inbox_rows()[-1].outcome == "note"


def test_a_reply_found_by_in_reply_to_alone_is_a_note():
    call, logged = logged_by()
    take(reply_to(logged, "Room S12, the ceiling one.", tag=False))
    assert [n.text for n in caller_notes(call.number)] == ["Room S12, the ceiling one."]
    assert len(every_call()) == 1


def test_a_reply_found_by_references_alone_is_a_note():
    call, logged = logged_by()
    first = inbox_rows()[0].key
    references = f"<unrelated@elsewhere.example> <{logged.message_id}>"
    take(mail(ADA, "Re: your email", "Also the sound.", headers={"References": references}))
    take(mail(ADA, "More", "And the remote.", headers={"In-Reply-To": f"<{first}>"}))
    assert [n.text for n in caller_notes(call.number)] == ["Also the sound.", "And the remote."]
    assert len(every_call()) == 1


def test_a_reply_to_a_closed_call_is_a_new_call_naming_the_old_one():
    call, asking = resolved_by_technician()
    take(reply_to(asking, "yes"))
    closed = servicedesk.find_call(call.number)
    assert closed.status == "closed"
    goodbye = sent_about(call.number)[-1]

    take(reply_to(goodbye, "It has started flickering again."))
    new = every_call()[-1]
    assert new.number != call.number and new.requester_email == ADA_ADDRESS
    assert servicedesk.find_call(new.number).description.startswith(
        f"(This email named {call.number}.)"
    )
    assert "It has started flickering again." in servicedesk.find_call(new.number).description
    after = servicedesk.find_call(call.number)
    assert (after.status, after.version, after.notes) == ("closed", closed.version, closed.notes)


def test_a_forged_tag_is_a_new_call_for_the_sender_and_leaves_the_owners_call_alone():
    call, logged = logged_by(ADA)
    take(mail(PARENT, f"Re: [{call.number}] hello", "Please close this, it is fine now."))
    take(reply_to(logged, "yes it's fine", sender=PARENT, tag=False))  # forwarded, then answered

    after = servicedesk.find_call(call.number)
    assert (after.version, after.notes, after.status) == (call.version, (), "logged")
    pats = [c for c in every_call() if c.requester_email == PAT_ADDRESS]
    assert len(pats) == 2
    assert all(
        servicedesk.find_call(c.number).description.startswith(f"(This email named {call.number}")
        for c in pats
    )
    assert [row.to_address for row in sent_about(call.number)] == [ADA_ADDRESS]


@pytest.mark.parametrize("tag", ["INC-000777", "INC-999999999999", "INC-000000", "INC-00000001x"])
def test_a_tag_for_no_call_is_a_new_call_not_a_crash(tag):
    take(mail(ADA, f"Re: [{tag}] The printer", "It jams."))
    call = the_only_call()
    assert (call.requester_email, call.description) == (ADA_ADDRESS, "It jams.")


# The same message twice


def test_the_same_message_id_twice_is_one_call():
    message = mail(ADA, message_id="<same@oakfield.sch.uk>")
    again = mail(ADA, "Resent", "Different bytes, same id.", message_id="<same@oakfield.sch.uk>")
    outcomes = [take(message).kind, take(message).kind, take(again).kind]
    assert outcomes == ["logged", "duplicate", "duplicate"]
    assert len(every_call()) == 1 and len(inbox_rows()) == 1 and len(outbox_rows()) == 1


def test_the_same_reply_twice_is_one_note():
    call, logged = logged_by()
    answer = reply_to(logged, "Still flickering.")
    take(answer)
    take(answer)
    assert len(caller_notes(call.number)) == 1


def test_without_a_message_id_the_same_bytes_are_taken_once_and_other_bytes_again():
    one = mail(ADA, "Printer", "It jams.", message_id=None)
    other = mail(ADA, "Printer", "It jams again.", message_id=None)
    assert [take(one).kind, take(one).kind, take(other).kind] == ["logged", "duplicate", "logged"]
    assert len(every_call()) == 2 and len(inbox_rows()) == 2


def test_an_empty_message_id_does_not_make_other_messages_duplicates():
    take(raw(f"From: {ADA}\nSubject: Printer\nMessage-ID: <>\n\nIt jams.\n"))
    take(raw(f"From: {PARENT}\nSubject: Laptop\nMessage-ID: <>\n\nIt will not charge.\n"))
    assert [c.requester_email for c in every_call()] == [ADA_ADDRESS, PAT_ADDRESS]


# Automatic mail: never a call, never a note, never answered

AUTOMATIC = [
    {"Auto-Submitted": "auto-replied"},
    {"Auto-Submitted": "auto-generated"},
    {"X-Autoreply": "yes"},
    {"Precedence": "auto_reply"},
    {"Precedence": "bulk"},
    {"List-Id": "<staff.lists.oakfield.sch.uk>"},
    {"List-Unsubscribe": "<mailto:leave@lists.example>"},
    {"X-Auto-Response-Suppress": "All"},
    {"X-MS-Exchange-Inbox-Rules-Loop": "ada@oakfield.sch.uk"},
    {"X-Loop": DESK},
    {"Precedence": "junk"},
    {"X-Autorespond": "Out of office"},
]


def read_receipt(sender: str, subject: str, in_reply_to: str = "") -> bytes:
    """A delivery or read report (multipart/report), as mail servers and programs send."""
    reply = f"In-Reply-To: <{in_reply_to}>\n" if in_reply_to else ""
    return raw(
        f"From: {sender}\nTo: {DESK}\nSubject: {subject}\nMessage-ID: {make_msgid()}\n"
        f'{reply}MIME-Version: 1.0\nContent-Type: multipart/report; report-type="disposition-'
        f'notification"; boundary="r"\n\n--r\nContent-Type: text/plain\n\nyes, it was read\n'
        "--r\nContent-Type: message/disposition-notification\n\nDisposition: manual-action/"
        "MDN-sent-manually; displayed\n\n--r--\n"
    )


@pytest.mark.parametrize("headers", AUTOMATIC)
def test_automatic_mail_opens_no_call_and_gets_no_answer(headers):
    take(mail(PARENT, "Out of office", "I am away until Monday.", headers=headers))
    assert every_call() == [] and outbox_rows() == []
    (row,) = inbox_rows()
    assert row.outcome == "ignored" and row.incident_id is None
    assert "not answered" in row.reason


@pytest.mark.parametrize("headers", AUTOMATIC)
def test_an_automatic_reply_from_the_caller_stays_in_the_calls_thread_and_nothing_else(headers):
    call, logged = logged_by()
    take(reply_to(logged, "yes: I am out of the office until Monday.", headers=headers))

    after = servicedesk.find_call(call.number)
    assert (after.version, after.notes, after.status) == (call.version, (), "logged")
    assert len(outbox_rows()) == 1
    thread = mail_records.thread(call.id)
    assert [(item.direction, item.state) for item in thread] == [
        ("in", "logged a new call"),
        ("out", "Waiting"),
        ("in", "ignored"),
    ]


def test_an_exchange_out_of_office_reply_to_a_resolved_call_reopens_nothing():
    """Exchange sends no Auto-Submitted: its X-Auto-Response-Suppress and
    X-MS-Exchange-Inbox-Rules-Loop mark it. It starts "No, ...", which a person's reply
    would turn into a reopened call."""
    call, asking = resolved_by_technician()
    ooo = reply_to(
        asking,
        "No, I am out of the office until Monday 9 November with limited access to email.",
        headers={
            "X-Auto-Response-Suppress": "All",
            "X-MS-Exchange-Inbox-Rules-Loop": "ada@oakfield.sch.uk",
            "X-MS-Has-Attach": "",
            "Thread-Topic": asking.subject,
        },
    )
    take(ooo.replace(b"Subject: Re: ", b"Subject: Automatic reply: "))
    after = servicedesk.find_call(call.number)
    assert (after.status, after.version, after.notes, after.reopen_count) == (
        "resolved",
        call.version,
        (),
        0,
    )
    assert [row.kind for row in outbox_rows()] == ["logged", "resolved"]  # no answer
    row = inbox_rows()[-1]
    assert (row.outcome, row.incident_id) == ("ignored", call.id)  # kept on the call
    assert "automatic reply" in row.reason


def test_an_x_loop_naming_someone_else_is_a_persons_mail():
    call, asking = resolved_by_technician()
    take(reply_to(asking, "no, still broken", headers={"X-Loop": "lists@elsewhere.example"}))
    assert servicedesk.find_call(call.number).status == "assigned"


def test_a_read_receipt_from_the_caller_for_a_resolved_call_does_not_confirm_it():
    call, asking = resolved_by_technician()
    take(read_receipt(ADA, f"Read: {asking.subject}", asking.message_id))
    after = servicedesk.find_call(call.number)
    assert (after.status, after.version, after.notes) == ("resolved", call.version, ())
    assert [row.kind for row in outbox_rows()] == ["logged", "resolved"]
    assert inbox_rows()[-1].incident_id == call.id


def test_a_bounce_naming_a_call_is_not_kept_in_its_thread_nor_answered():
    call, logged = logged_by()
    daemon = "Mail Delivery System <MAILER-DAEMON@mx.oakfield.sch.uk>"
    take(mail(daemon, f"Undelivered Mail Returned to Sender: {logged.subject}", "No such user."))
    take(read_receipt(daemon, f"Delivery Status Notification [{call.number}]"))
    assert [row.outcome for row in inbox_rows()[1:]] == ["ignored", "ignored"]
    assert [row.incident_id for row in inbox_rows()[1:]] == [None, None]
    assert len(every_call()) == 1 and len(outbox_rows()) == 1
    assert servicedesk.find_call(call.number).version == call.version


def test_mail_from_the_desks_own_address_is_ignored():
    call, _logged = logged_by()
    take(mail(f"IT support <{DESK.upper()}>", f"[{call.number}] The projector", "Looping?"))
    take(mail(f"IT support <{DESK}>", "Hello", "A new message from ourselves."))
    assert [row.outcome for row in inbox_rows()[1:]] == ["ignored", "ignored"]
    assert len(every_call()) == 1 and len(outbox_rows()) == 1
    assert servicedesk.find_call(call.number).notes == ()


# A mail loop


ROBOT = "Helpful Robot <robot@elsewhere.example>"


def test_an_autoresponder_without_automatic_headers_gets_at_most_the_hourly_number():
    """It answers each message it is sent with a new message (no tag, no reply headers)."""
    counter = itertools.count()

    def robot_writes() -> bytes:
        return mail(ROBOT, "Thank you for your email", f"We got it (ticket {next(counter)}).")

    take(robot_writes())
    answered: set[int] = set()
    for _round in range(50):  # a loop would go on for ever; this one must stop itself
        delivered = [
            row
            for row in outbox_rows()
            if row.to_address == "robot@elsewhere.example"
            and row.status == "waiting"
            and row.id not in answered
        ]
        if not delivered:
            break
        for row in delivered:
            answered.add(row.id)
            take(robot_writes())
    to_robot = [row for row in outbox_rows() if row.to_address == "robot@elsewhere.example"]
    assert [row.status for row in to_robot] == ["waiting"] * 5 + ["held"]
    assert "mail loop" in to_robot[-1].last_error
    # It writes on regardless: held, every one; the rest of the school is not held.
    for _more in range(10):
        take(robot_writes())
    assert {row.status for row in outbox_rows()[6:]} == {"held"}
    take(mail(PARENT, "Laptop", "Will not charge."))
    assert outbox_rows()[-1].status == "waiting"
    assert len(every_call()) == 17
    # An hour on, the robot may be answered again.
    for row in outbox_rows():
        earlier = row.queued_at - dt.timedelta(hours=2)
        MailOut.update(queued_at=earlier).where(MailOut.id == row.id).execute()
    take(robot_writes())
    assert outbox_rows()[-1].status == "waiting"


def test_an_autoresponder_that_quotes_our_subject_only_adds_notes_and_is_not_answered():
    call, logged = logged_by(ROBOT)
    for n in range(20):
        take(reply_to(logged, f"Thank you, we got your message ({n}).", sender=ROBOT))
    assert len(caller_notes(call.number)) == 20
    assert len(outbox_rows()) == 1 and len(every_call()) == 1


# Yes or no to "Are you happy it is fixed?"


@pytest.mark.parametrize(
    "words", ["yes", "Yes, thanks", "YES!", "Hi IT,\nYes it works now", "Good morning,\n\nyes"]
)
def test_yes_to_a_resolved_call_closes_it_as_confirmed_and_says_so(words):
    call, asking = resolved_by_technician()
    take(reply_to(asking, words))

    after = servicedesk.find_call(call.number)
    assert (after.status, after.closed_how) == ("closed", "confirmed")
    assert [(n.author, n.public, n.text) for n in after.notes] == [("caller", True, words)]
    goodbye = sent_about(call.number)[-1]
    assert (goodbye.kind, goodbye.to_address) == ("closed", ADA_ADDRESS)
    assert goodbye.in_reply_to == inbox_rows()[-1].key  # it answers their yes
    assert inbox_rows()[-1].outcome == "confirmed"


@pytest.mark.parametrize(
    "words", ["no", "no it still flickers", "No. It still flickers.", "Hello,\nNo, still broken"]
)
def test_no_to_a_resolved_call_reopens_it_with_their_words(words):
    call, asking = resolved_by_technician()
    take(reply_to(asking, words))

    after = servicedesk.find_call(call.number)
    assert after.status == "assigned" and after.reopen_count == 1
    assert after.resolved_at is None
    (note,) = after.notes
    assert (note.author, note.public) == ("caller", True)
    assert words.split("\n")[-1] in note.text
    assert inbox_rows()[-1].outcome == "reopened"


def test_yes_to_a_call_still_open_is_only_a_note():
    call, logged = logged_by()
    take(reply_to(logged, "Yes, it is the ceiling projector."))
    after = servicedesk.find_call(call.number)
    assert after.status == "logged"
    assert [n.text for n in caller_notes(call.number)] == ["Yes, it is the ceiling projector."]
    assert [row.kind for row in outbox_rows()] == ["logged"]


def test_a_reply_to_a_resolved_call_without_yes_or_no_is_a_note_and_it_stays_resolved():
    call, asking = resolved_by_technician()
    take(reply_to(asking, "Thanks, I will try it tomorrow and let you know."))  # quotes "yes or no"
    after = servicedesk.find_call(call.number)
    assert after.status == "resolved"
    assert [n.text for n in caller_notes(call.number)] == [
        "Thanks, I will try it tomorrow and let you know."
    ]
    assert [row.kind for row in outbox_rows()] == ["logged", "resolved"]


def test_yes_from_someone_else_never_closes_the_call():
    call, asking = resolved_by_technician()
    take(reply_to(asking, "yes", sender=PARENT))
    assert servicedesk.find_call(call.number).status == "resolved"


# What cannot be read, and what is only odd

GARBAGE = bytes(range(256)) * 8


def test_garbage_is_set_aside_with_a_sentence_and_no_call():
    outcome = take(GARBAGE)
    assert every_call() == [] and outbox_rows() == []
    (kept,) = mail_records.set_aside()
    assert kept.state == "set aside"
    assert kept.detail == outcome.reason and kept.detail.endswith(".")
    assert "\n" not in kept.detail and "Traceback" not in kept.detail
    assert "\x00" not in kept.body


def test_a_message_over_the_configured_size_is_set_aside_saying_so():
    big = mail(ADA, "Scan of the broken screen", attachments=(("scan.tif", b"\0" * 15_000_000),))
    assert len(big) > 20_000_000
    take(big, max_bytes=10_000_000)
    assert every_call() == []
    (row,) = inbox_rows()
    assert row.outcome == "set_aside" and row.size == len(big)
    assert row.reason.startswith("The message is too big:") and "10.0 MB" in row.reason
    assert len(row.body) <= mail_intake.KEPT_RAW


def test_a_batch_goes_on_past_a_message_it_cannot_read():
    batch = [mail(ADA, "Printer"), GARBAGE, b"", mail(PARENT, "Laptop")]
    assert [take(message).kind for message in batch] == [
        "logged",
        "set_aside",
        "set_aside",
        "logged",
    ]
    assert [c.summary for c in every_call()] == ["Printer", "Laptop"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain; charset=utf-8", "café au lait".encode("cp1252")),  # says UTF-8, is not
        ("text/plain", "café au lait".encode()),  # no charset
        ("text/plain; charset=x-no-such-charset", "café au lait".encode()),
    ],
)
def test_wrong_or_missing_charsets_are_taken_in_readably(content_type, body):
    message = (
        f"From: {ADA}\r\nTo: {DESK}\r\nSubject: Coffee machine\r\nMessage-ID: <c@x>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + body
    take(message)
    assert the_only_call().description == "café au lait"


def test_five_thousand_recipients_are_one_call_answered_to_the_sender_only():
    many = ", ".join(f"pupil{n}@pupils.oakfield.sch.uk" for n in range(5000))
    take(raw(f"From: {ADA}\nTo: {many}\nCc: {many}\nSubject: Wifi\nMessage-ID: <w@x>\n\nDown.\n"))
    assert the_only_call().summary == "Wifi"
    assert [row.to_address for row in outbox_rows()] == [ADA_ADDRESS]


@pytest.mark.parametrize("content_type", ['multipart/mixed; boundary="b"', "multipart/mixed"])
def test_broken_mime_boundaries_keep_the_callers_words_or_set_it_aside(content_type):
    take(
        raw(
            f"From: {ADA}\nSubject: Printer\nMessage-ID: <b@x>\nMIME-Version: 1.0\n"
            f"Content-Type: {content_type}\n\n--c\nContent-Type: text/plain\n\n"
            "The printer in the library is jammed.\n--c--\n"
        )
    )
    (row,) = inbox_rows()
    if row.outcome == "set_aside":
        assert row.reason
    else:
        assert "The printer in the library is jammed." in the_only_call().description


def test_a_message_without_a_sender_is_set_aside_not_put_on_someone_elses_name():
    servicedesk.log_call(summary="Printer", requester="Sam Patel", role="pupil", by="jsmith")
    take(raw("To: ithelp@oakfield.sch.uk\nSubject: Help\nMessage-ID: <n@x>\n\nMy laptop.\n"))
    assert [c.channel for c in every_call()] == ["desk"]
    (row,) = inbox_rows()
    assert (row.outcome, row.reason) == ("set_aside", "The message has no sender (no From line).")


# Header injection, markup and terminal escapes: plain characters, one line


def test_header_injection_in_the_subject_stays_one_line_in_the_call_and_the_outbox():
    take(
        raw(
            "From: =?utf-8?q?Eve=0D=0ABcc=3A_evil=40example=2Ecom?= <eve@example.com>\n"
            "Subject: =?utf-8?q?x=0D=0ABcc=3A_evil=40example=2Ecom?=\nMessage-ID: <i@x>\n\nHi\n"
        )
    )
    call = the_only_call()
    assert call.summary == "x Bcc: evil@example.com"
    assert call.requester == "Eve Bcc: evil@example.com"
    assert call.requester_email == "eve@example.com"
    (told,) = outbox_rows()
    assert told.to_address == "eve@example.com"
    assert "\n" not in told.subject and "\r" not in told.subject
    assert "\n" not in told.to_name and "\r" not in told.to_name


def test_a_name_with_an_injected_line_never_changes_the_address_we_answer():
    take(
        raw(
            "From: =?utf-8?q?Eve=0D=0ABcc:_evil@example.com?= <eve@example.com>\n"
            "Subject: Laptop\nMessage-ID: <j@x>\n\nHi\n"
        )
    )
    assert [row.to_address for row in outbox_rows()] in ([], ["eve@example.com"])
    assert [c.requester_email for c in every_call()] in ([], ["eve@example.com"])


def test_markup_and_terminal_escapes_are_kept_as_plain_characters_without_controls():
    body = "[bold red]URGENT[/] [@click=app.quit]x[/] \x1b[2J\x1b]0;owned\x07 \u202eevil\x00"
    take(mail('"[blink]Eve\x1b[5m" <eve@example.com>', "[b]Help[/b] \x1b[31mnow", body))

    call = the_only_call()
    assert call.summary == "[b]Help[/b] [31mnow"
    assert "[bold red]URGENT[/] [@click=app.quit]x[/]" in call.description
    (told,) = outbox_rows()
    (received,) = inbox_rows()
    for text in (call.summary, call.description, call.requester, told.subject, told.to_name):
        assert not any(char in text for char in CONTROL), repr(text)
    assert not any(char in received.body + received.subject for char in CONTROL)


def test_a_reply_to_a_call_logged_from_a_reply_to_a_closed_one_is_a_note(mail_on, tmp_path):
    from store.db import config

    (tmp_path / "logged.txt").write_text("Subject: $summary [$number]\n\nLogged as $number.\n")
    school = config.current()
    mail = school.mail.__class__(**{**school.mail.__dict__, "templates": str(tmp_path)})
    config.use(school.__class__(**{**school.__dict__, "mail": mail}))

    call, asking = resolved_by_technician()
    take(reply_to(asking, "yes"))
    take(reply_to(sent_about(call.number)[-1], "It is back."))
    second = every_call()[-1]
    take(reply_to(sent_about(second.number)[-1], "And now the sound too."))
    assert len(every_call()) == 2
    assert [n.text for n in caller_notes(second.number)] == ["And now the sound too."]


# Found by a user review: thanks after closing, bounces, our own address, set-aside names


@pytest.mark.parametrize("words", ["Thanks!", "Yes", "Thank you so much, all good now.", "Cheers"])
def test_thanks_or_a_late_yes_to_a_closed_call_is_a_note_on_it_not_a_new_call(words):
    call, asking = resolved_by_technician()
    take(reply_to(asking, "yes"))
    goodbye = sent_about(call.number)[-1]
    sent_before = len(outbox_rows())

    take(reply_to(goodbye, words))

    assert len(every_call()) == 1
    after = servicedesk.find_call(call.number)
    assert after.status == "closed"
    assert [n.text for n in caller_notes(call.number)][-1] == words
    assert len(outbox_rows()) == sent_before  # no new log number mailed
    assert inbox_rows()[-1].outcome == "note"


def test_no_problem_is_not_a_no_and_thanks_then_yes_is_a_yes():
    first, asking = resolved_by_technician()
    take(reply_to(asking, "No problem, thank you!"))
    assert servicedesk.find_call(first.number).status == "resolved"  # a person reads it
    assert [n.text for n in caller_notes(first.number)] == ["No problem, thank you!"]
    second, asking = resolved_by_technician(PARENT)
    take(reply_to(asking, "Thank you, yes it works", sender=PARENT))
    assert servicedesk.find_call(second.number).status == "closed"


def delivery_failure(original: MailOut) -> bytes:
    """A mail server's bounce of one of our messages, quoting its headers."""
    return raw(
        f"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\nTo: {DESK}\n"
        f"Subject: Undelivered Mail Returned to Sender\nMessage-ID: {make_msgid()}\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        f"<{original.to_address}>: host mx.example.com said: 550 5.1.1 User unknown\n"
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n"
        f"Final-Recipient: rfc822; {original.to_address}\nAction: failed\nStatus: 5.1.1\n\n"
        f"--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <{original.message_id}>\n"
        f"Subject: {original.subject}\n\n--b--\n"
    )


def test_a_bounce_of_a_message_we_sent_marks_it_failed_and_is_kept_on_its_call():
    call, logged = logged_by(PARENT)
    MailOut.update(status="sent").where(MailOut.id == logged.id).execute()

    outcome = take(delivery_failure(logged))

    assert (outcome.kind, outcome.number) == ("ignored", call.number)
    row = MailOut.get_by_id(logged.id)
    assert row.status == "failed" and row.last_error.startswith("Bounced:")
    assert "550 5.1.1 User unknown" in row.last_error
    assert "did not arrive" in inbox_rows()[-1].reason
    assert len(every_call()) == 1 and len(outbox_rows()) == 1  # nothing answered


def test_a_read_receipt_quoting_our_message_does_not_mark_it_failed():
    call, logged = logged_by()
    MailOut.update(status="sent").where(MailOut.id == logged.id).execute()
    take(read_receipt(ADA, f"Read: {logged.subject}", logged.message_id))
    assert MailOut.get_by_id(logged.id).status == "sent"
    assert inbox_rows()[-1].incident_id == call.id


def test_mail_from_our_own_address_naming_a_call_is_kept_on_it_and_not_answered():
    call, logged = logged_by()
    take(mail(f"IT support <{DESK}>", f"Re: {logged.subject}", "Looping back."))
    row = inbox_rows()[-1]
    assert (row.outcome, row.incident_id) == ("ignored", call.id)
    assert "own address" in row.reason and len(outbox_rows()) == 1


def test_a_message_set_aside_keeps_its_sender_and_subject_when_they_can_be_read():
    broken = raw(
        f"From: {ADA}\nSubject: Video of the fault\nMessage-ID: <v@x>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n--c\n\nnot parts\n'
    )
    assert take(broken).kind == "set_aside"
    (row,) = inbox_rows()
    assert (row.sender_address, row.subject) == (ADA, "Video of the fault")
    assert take(b"\x00\x01\x02").kind == "set_aside"
    assert (inbox_rows()[-1].sender_address, inbox_rows()[-1].subject) == ("", "")
