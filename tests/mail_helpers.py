"""Messages as a mail server delivers them, and a school with mail set up, for the mail tests."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from store.db import config
from store.db.mail_settings import MailSettings
from store.db.models import MailIn, MailOut

DESK = "ithelp@oakfield.sch.uk"
ADA_ADDRESS = "ada@oakfield.sch.uk"
PAT_ADDRESS = "pat@example.com"
CONTROL = ("\x1b", "\x07", "\x00", "\r", "\u202e")
"""Characters that must never reach a call or a message: escape, bell, NUL, CR, bidi."""
ADA = "Ada Byron <ada@oakfield.sch.uk>"
PARENT = "Pat Parent <pat@example.com>"


def mail(
    sender: str = ADA,
    subject: str = "The projector in S12 flickers",
    body: str = "It flickers every few seconds during lessons.\n",
    *,
    message_id: str | None = "",
    html: str | None = None,
    attachments: tuple[tuple[str, bytes], ...] = (),
    headers: dict | None = None,
) -> bytes:
    """One message as bytes. message_id "" makes a fresh one; None leaves it out."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK
    message["Subject"] = subject
    if message_id is not None:
        message["Message-ID"] = message_id or make_msgid(domain="oakfield.sch.uk")
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def reply_to(out: MailOut, body: str, *, sender: str = ADA, tag: bool = True, **extra) -> bytes:
    """The caller's reply to one of our messages, quoting it as mail programs do."""
    quoted = "\n".join(f"> {line}" for line in out.body.split("\n"))
    subject = f"Re: {out.subject}" if tag else "Re: your email"
    headers = {"In-Reply-To": f"<{out.message_id}>", "References": f"<{out.message_id}>"}
    headers.update(extra.pop("headers", {}))
    return mail(
        sender,
        subject,
        f"{body}\n\nOn Monday, IT support wrote:\n{quoted}\n",
        headers=headers,
        **extra,
    )


@pytest.fixture
def mail_on(school):
    """The school with mail set up: staff on oakfield.sch.uk, anyone else a parent."""
    config.use(
        config.Config(
            school_name="Oakfield School",
            mail=MailSettings(
                address=DESK,
                staff_domains=("oakfield.sch.uk",),
                other_senders="parent",
                keep_attachments_kb=1,
                replies_per_hour=5,
            ),
        )
    )
    yield school
    config.use(None)


def outbox_rows() -> list[MailOut]:
    return list(MailOut.select().order_by(MailOut.id))


def inbox_rows() -> list[MailIn]:
    return list(MailIn.select().order_by(MailIn.id))


def every_call() -> list:
    from store.servicedesk import servicedesk

    return sorted(servicedesk.list_calls(status="all"), key=lambda call: call.id)


def sent_about(number: str) -> list[MailOut]:
    return [row for row in outbox_rows() if row.incident_id == int(number[4:])]


def caller_notes(number: str) -> list:
    from store.servicedesk import servicedesk

    return [note for note in servicedesk.find_call(number).notes if note.author == "caller"]
