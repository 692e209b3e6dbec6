"""The outbox: what the caller should hear, written with the change it tells of, sent once.

    from store.records import outbox
    outbox.queue(row, "resolved", text)      # inside the write() that resolved the call
    message = outbox.claim()                 # the sender: the next message due, or None
    outbox.handing_over(message.id)          # just before the server is given the message
    outbox.sent(message.id)                  # the server said it has it
    outbox.failed(message.id, "451 Try later", permanent=False)   # tried again later

Never twice: a message is marked "unsure" before its last byte goes to the mail
server and "sent" when the server says it has it. A sender killed in between leaves
it unsure, and an unsure message is never sent again on its own: a technician looks
at it (`fitsdesk mail retry`). A sender killed any earlier leaves it "sending" with a
claim that runs out, after which it is tried again: the server never had it.

A message is only written when the school has set up mail (`[mail] address`) and the
caller has an address. More than `replies_per_hour` messages to one address within an
hour are held, not sent: that is a mail loop (or a very unhappy caller), and a person
should look.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from store.db import config, journal
from store.db.database import is_sqlite, read, write
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import Incident, MailIn, MailOut, Person
from store.db.numbers import log_number
from store.db.sanitise import Field, clean
from store.records import templates as mail_templates

STATUS_WORDS = {
    "waiting": "Waiting",
    "sending": "Sending",
    "unsure": "May have gone",
    "sent": "Sent",
    "failed": "Failed",
    "held": "Held",
    "cancelled": "Cancelled",
}
NOT_SENT = ("waiting", "sending", "unsure", "failed", "held")
NEED_A_PERSON = ("failed", "held", "unsure")
"""Statuses a technician must look at: the sender will not move them on its own."""
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720, 1440)
"""Minutes to wait after each failed try; a try that fails after the last wait fails for good."""
CLAIM = dt.timedelta(minutes=5)
"""How long a sender may hold a message before another may take it (the first died)."""
ERROR = Field("the error", 1000, required=False)


@dataclass(frozen=True)
class Outgoing:
    """One message in the outbox."""

    id: int
    number: str | None
    kind: str
    to_name: str
    to_address: str
    subject: str
    body: str
    message_id: str
    in_reply_to: str
    status: str
    attempts: int
    queued_at: dt.datetime
    next_try_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str

    @property
    def status_word(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


def templates_folder() -> Path:
    """The school's mail templates: [mail] templates, else mail/ beside the config file."""
    settings = config.current()
    if settings.mail.templates:
        return Path(settings.mail.templates)
    if settings.source != "defaults":
        return Path(settings.source).parent / "mail"
    return config.config_dir() / "mail"


def queue(row: Incident, kind: str, text: str = "") -> int | None:
    """Put the caller's `kind` message about `row` in the outbox; call inside the
    write() that made the change. None when mail is not set up or the caller has no
    address. A broken school template falls back to the built-in one, said in the row."""
    settings = config.current()
    if not settings.mail.sends:
        return None
    person = Person.select(Person.name, Person.email).where(Person.id == row.requester_id).first()
    address = (person.email if person else "").strip().lower()
    if not address:
        return None
    values = {
        "number": log_number(row.id),
        "summary": row.summary,
        "name": person.name,
        "text": text,
        "school": settings.school_name,
    }
    note = ""
    try:
        rendered = mail_templates.render(kind, folder=templates_folder(), **values)
    except BadInput as exc:
        rendered = mail_templates.render(kind, builtin=True, **values)
        note = f"{exc} The built-in template was used."
    now = journal.now()
    recent = (
        MailOut.select()
        .where((MailOut.to_address == address) & (MailOut.queued_at > now - dt.timedelta(hours=1)))
        .count()
    )
    status = "waiting"
    if recent >= settings.mail.replies_per_hour:
        status = "held"
        held = (
            f"Held: more than {settings.mail.replies_per_hour} messages to {address} in an hour "
            "(a mail loop?). Send it with: fitsdesk mail retry."
        )
        note = f"{note} {held}" if note else held
    domain = settings.mail.address.rpartition("@")[2]
    return MailOut.insert(
        incident=row.id,
        kind=kind,
        to_name=person.name,
        to_address=address,
        subject=rendered.subject,
        body=rendered.body,
        message_id=f"{secrets.token_hex(12)}.{log_number(row.id)}@{domain}",
        in_reply_to=_last_from_caller(row.id, address),
        status=status,
        queued_at=now,
        next_try_at=now,
        last_error=note,
    ).execute()


def _last_from_caller(incident_id: int, address: str) -> str:
    """The Message-ID of the caller's latest message about this call, to answer it."""
    found = (
        MailIn.select(MailIn.key)
        .where(
            (MailIn.incident == incident_id)
            & (MailIn.sender_address == address)
            & ~MailIn.key.startswith("sha256:")
        )
        .order_by(MailIn.id.desc())
        .first()
    )
    return found.key if found else ""


def _due(now: dt.datetime):
    return ((MailOut.status == "waiting") & (MailOut.next_try_at <= now)) | (
        (MailOut.status == "sending") & (MailOut.claimed_until < now)
    )


def any_due(now: dt.datetime | None = None) -> bool:
    """Whether a message is due, so a sender knows whether to connect at all."""
    with read():
        return MailOut.select(MailOut.id).where(_due(now or journal.now())).exists()


def claim(now: dt.datetime | None = None) -> Outgoing | None:
    """The next message due, marked "sending" so no other sender takes it; None if none."""
    now = now or journal.now()
    with write():
        query = MailOut.select(MailOut.id).where(_due(now)).order_by(MailOut.id).limit(1)
        if not is_sqlite():
            query = query.for_update(skip_locked=True)
        found = query.first()
        if found is None:
            return None
        MailOut.update(
            status="sending", claimed_until=now + CLAIM, attempts=MailOut.attempts + 1
        ).where(MailOut.id == found.id).execute()
    return message(found.id)


def handing_over(message_id: int) -> None:
    """The server is about to have the whole message: from now it may have gone."""
    _move(message_id, ("sending",), status="unsure")


def sent(message_id: int) -> None:
    """The server said it has the message."""
    _move(message_id, ("sending", "unsure"), status="sent", sent_at=journal.now(), last_error="")


def failed(message_id: int, error: str, *, permanent: bool, now: dt.datetime | None = None) -> str:
    """The server did not take it: try again after a wait, or (permanent, or the
    last try) mark it failed. Returns the new status."""
    now = now or journal.now()
    error = clean(str(error)[: ERROR.limit], ERROR) or "unknown error"
    with write():
        row = MailOut.get_or_none(MailOut.id == message_id)
        if row is None or row.status not in ("sending", "unsure"):
            return row.status if row else "gone"
        if permanent or row.attempts > len(BACKOFF_MINUTES):
            updates = {"status": "failed"}
        else:
            wait = dt.timedelta(minutes=BACKOFF_MINUTES[row.attempts - 1])
            updates = {"status": "waiting", "next_try_at": now + wait}
        MailOut.update(last_error=error, claimed_until=None, **updates).where(
            MailOut.id == message_id
        ).execute()
    return updates["status"]


def _move(message_id: int, from_statuses: tuple[str, ...], **updates) -> None:
    with write():
        MailOut.update(claimed_until=None, **updates).where(
            (MailOut.id == message_id) & MailOut.status.in_(from_statuses)
        ).execute()


def retry(message_id: int, *, by: str) -> Outgoing:
    """A technician sends a failed, held, unsure or waiting message at the next send."""
    from store.school import people

    with write():
        actor = people.active_technician(by)
        row = MailOut.get_or_none(MailOut.id == message_id)
        if row is None:
            raise NotFound(f"There is no message {message_id} in the outbox.")
        if row.status not in ("failed", "held", "unsure", "waiting", "cancelled"):
            raise Refused(
                f"Message {message_id} is {STATUS_WORDS[row.status].lower()}: "
                "only one that has not gone can be sent again."
            )
        journal.record(
            actor.login, row, "retry", field="status", before=row.status, after="waiting"
        )
        MailOut.update(
            status="waiting", next_try_at=journal.now(), claimed_until=None, last_error=""
        ).where(MailOut.id == message_id).execute()
    return message(message_id)


def cancel(message_id: int, *, by: str) -> Outgoing:
    """A technician stops a message that has not been sent (a wrong address, a loop)."""
    from store.school import people

    with write():
        actor = people.active_technician(by)
        row = MailOut.get_or_none(MailOut.id == message_id)
        if row is None:
            raise NotFound(f"There is no message {message_id} in the outbox.")
        if row.status in ("sent", "sending", "cancelled"):
            raise Refused(f"Message {message_id} is {STATUS_WORDS[row.status].lower()}.")
        journal.record(
            actor.login, row, "cancel", field="status", before=row.status, after="cancelled"
        )
        MailOut.update(status="cancelled", last_error=f"Cancelled by {actor.login}.").where(
            MailOut.id == message_id
        ).execute()
    return message(message_id)


_FIELDS = (
    MailOut.id,
    MailOut.incident,
    MailOut.kind,
    MailOut.to_name,
    MailOut.to_address,
    MailOut.subject,
    MailOut.body,
    MailOut.message_id,
    MailOut.in_reply_to,
    MailOut.status,
    MailOut.attempts,
    MailOut.queued_at,
    MailOut.next_try_at,
    MailOut.sent_at,
    MailOut.last_error,
)


def _outgoing(row: MailOut) -> Outgoing:
    return Outgoing(
        id=row.id,
        number=log_number(row.incident_id) if row.incident_id else None,
        kind=row.kind,
        to_name=row.to_name,
        to_address=row.to_address,
        subject=row.subject,
        body=row.body,
        message_id=row.message_id,
        in_reply_to=row.in_reply_to,
        status=row.status,
        attempts=row.attempts,
        queued_at=row.queued_at,
        next_try_at=row.next_try_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )


def message(message_id: int) -> Outgoing:
    """One message in the outbox."""
    with read():
        row = MailOut.select(*_FIELDS).where(MailOut.id == message_id).first()
    if row is None:
        raise NotFound(f"There is no message {message_id} in the outbox.")
    return _outgoing(row)


def not_sent(limit: int = 500) -> list[Outgoing]:
    """Messages not (surely) sent yet, oldest first: what the desk shows as the outbox."""
    with read():
        query = (
            MailOut.select(*_FIELDS)
            .where(MailOut.status.in_(NOT_SENT))
            .order_by(MailOut.id)
            .limit(limit)
        )
        return [_outgoing(row) for row in query]


def counts() -> dict[str, int]:
    """How many messages are in each status not yet sent."""
    with read():
        query = (
            MailOut.select(MailOut.status, pw.fn.COUNT(MailOut.id))
            .where(MailOut.status.in_(NOT_SENT))
            .group_by(MailOut.status)
            .tuples()
        )
        return dict(query)


def of_call(incident_id: int) -> list[Outgoing]:
    """Every message to the caller about one call, oldest first."""
    with read():
        query = MailOut.select(*_FIELDS).where(MailOut.incident == incident_id).order_by(MailOut.id)
        return [_outgoing(row) for row in query]
