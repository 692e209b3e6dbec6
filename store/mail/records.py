"""The email channel as the desk and the command line read it: a call's mail thread,
the messages set aside, and what came with a message.

    from store.mail import records as mail_records
    mail_records.thread(42)           # [ThreadItem(...), ...] oldest first, in and out
    mail_records.set_aside()          # messages that could not be taken in, newest first
    mail_records.attachments_of(42)   # [Attached(...), ...] the files that came with them
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.db.database import read
from store.db.errors import NotFound
from store.db.models import MailAttachment, MailIn, MailOut
from store.records.outbox import STATUS_WORDS

OUTCOME_WORDS = {
    "logged": "logged a new call",
    "note": "added as a note",
    "confirmed": "said yes: closed",
    "reopened": "said no: reopened",
    "ignored": "ignored",
    "set_aside": "set aside",
}


@dataclass(frozen=True)
class AttachmentInfo:
    """A file that came with a message; `kept` when its bytes are in the database."""

    id: int
    name: str
    size: int
    content_type: str
    kept: bool


@dataclass(frozen=True)
class ThreadItem:
    """One message of a call's thread: from the caller ("in") or to them ("out")."""

    direction: str
    id: int
    at: dt.datetime
    who: str
    """The sender (in) or the addressee (out), as "Name <address>"."""
    subject: str
    body: str
    state: str
    """In: what it became ("added as a note"); out: "Sent", "Waiting", "Failed"..."""
    detail: str = ""
    """Why it was ignored, or the outbox's last error."""
    attachments: tuple[AttachmentInfo, ...] = ()


@dataclass(frozen=True)
class Attached:
    """A file that came with one of a call's messages, and that message."""

    file: AttachmentInfo
    mail_id: int
    received_at: dt.datetime
    sender: str
    subject: str


def size_words(size: int) -> str:
    """A file's size as people say it: 300 B, 45 KB, 2.1 MB."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB" if size >= 10_000 else f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"


def _who(name: str, address: str) -> str:
    return f"{name} <{address}>" if name and address else name or address or "(unknown)"


def _attachments(mail_ids: list[int]) -> dict[int, list[AttachmentInfo]]:
    found: dict[int, list[AttachmentInfo]] = {}
    if not mail_ids:
        return found
    query = (
        MailAttachment.select(
            MailAttachment.id,
            MailAttachment.mail,
            MailAttachment.name,
            MailAttachment.size,
            MailAttachment.content_type,
            MailAttachment.content.is_null(False).alias("kept"),
        )
        .where(MailAttachment.mail.in_(mail_ids))
        .order_by(MailAttachment.id)
    )
    for row in query:
        found.setdefault(row.mail_id, []).append(
            AttachmentInfo(row.id, row.name, row.size, row.content_type, bool(row.kept))
        )
    return found


def _incoming(row: MailIn, attachments: dict[int, list[AttachmentInfo]]) -> ThreadItem:
    return ThreadItem(
        direction="in",
        id=row.id,
        at=row.received_at,
        who=_who(row.sender_name, row.sender_address),
        subject=row.subject,
        body=row.body,
        state=OUTCOME_WORDS.get(row.outcome, row.outcome),
        detail=row.reason,
        attachments=tuple(attachments.get(row.id, ())),
    )


def thread(incident_id: int) -> list[ThreadItem]:
    """Every message from and to the caller of one call, oldest first."""
    with read():
        incoming = list(MailIn.select().where(MailIn.incident == incident_id).order_by(MailIn.id))
        attachments = _attachments([row.id for row in incoming])
        outgoing = list(
            MailOut.select().where(MailOut.incident == incident_id).order_by(MailOut.id)
        )
    items = [_incoming(row, attachments) for row in incoming]
    items += [
        ThreadItem(
            direction="out",
            id=row.id,
            at=row.sent_at or row.queued_at,
            who=_who(row.to_name, row.to_address),
            subject=row.subject,
            body=row.body,
            state=STATUS_WORDS.get(row.status, row.status),
            detail=row.last_error,
        )
        for row in outgoing
    ]
    return sorted(items, key=lambda item: (item.at, item.direction == "out", item.id))


def set_aside(limit: int = 200) -> list[ThreadItem]:
    """Messages that could not be taken in, newest first, with the reason."""
    with read():
        rows = list(
            MailIn.select()
            .where(MailIn.outcome == "set_aside")
            .order_by(MailIn.id.desc())
            .limit(limit)
        )
        attachments = _attachments([row.id for row in rows])
    return [_incoming(row, attachments) for row in rows]


def attachment(attachment_id: int) -> tuple[AttachmentInfo, bytes | None]:
    """One attachment and its bytes (None when it was too big to keep)."""
    with read():
        row = MailAttachment.get_or_none(MailAttachment.id == attachment_id)
    if row is None:
        raise NotFound(f"There is no attachment {attachment_id}.")
    content = bytes(row.content) if row.content is not None else None
    info = AttachmentInfo(row.id, row.name, row.size, row.content_type, content is not None)
    return info, content


def attachments_of(incident_id: int) -> list[Attached]:
    """Every file that came with the mail about one call, oldest first (not their bytes)."""
    with read():
        query = (
            MailAttachment.select(
                MailAttachment.id,
                MailAttachment.name,
                MailAttachment.size,
                MailAttachment.content_type,
                MailAttachment.content.is_null(False).alias("kept"),
                MailIn.id.alias("mail_id"),
                MailIn.received_at,
                MailIn.sender_name,
                MailIn.sender_address,
                MailIn.subject,
            )
            .join(MailIn)
            .where(MailIn.incident == incident_id)
            .order_by(MailIn.id, MailAttachment.id)
            .dicts()
        )
        rows = list(query)
    return [
        Attached(
            file=AttachmentInfo(
                row["id"], row["name"], row["size"], row["content_type"], bool(row["kept"])
            ),
            mail_id=row["mail_id"],
            received_at=row["received_at"],
            sender=_who(row["sender_name"], row["sender_address"]),
            subject=row["subject"],
        )
        for row in rows
    ]
