"""The email channel's intake: one received message into the records.

    from store.mail import intake as mail_intake
    outcome = mail_intake.take(raw_bytes)   # Outcome("logged", "INC-000042", ...)

What a message becomes, each in one transaction with its record in `mail_in`:

- seen before (same Message-ID, or the same bytes when it has none): nothing, "duplicate";
- automatic (auto-reply, bounce, bulk) or from the help desk's own address: kept in
  the thread of the call it answers, if any, but never a call and never answered,
  "ignored", so no mail loop can start;
- a reply (``[INC-000042]`` in the subject, or In-Reply-To/References naming a
  message of that call's thread) from the caller's own address: "yes" to a resolved
  call confirms it ("confirmed"), "no" reopens it ("reopened"), anything else is a
  public note ("note");
- anything else, including a reply naming a call that belongs to someone else (a
  forged or mistaken tag) or one that is closed: a new call, channel email ("logged");
- a message that cannot be read: "set_aside", with the reason; the rest go on.

The caller is found by address (else added, their role from their domain); the
caller is told their log number through the outbox, in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import peewee as pw

from store.db import config, journal
from store.db.database import write
from store.db.errors import BadInput, NotFound, Refused, Unavailable
from store.db.models import Incident, MailAttachment, MailIn, MailOut, Person
from store.db.numbers import log_number, parse_reference
from store.db.sanitise import COMMENT, DESCRIPTION, NOTE, PERSON_NAME, SUMMARY, Field, clean
from store.mail import parse as mail_parse
from store.mail.parse import Incoming
from store.records import calls
from store.servicedesk import servicedesk

OUTCOMES = ("logged", "note", "confirmed", "reopened", "ignored", "set_aside", "duplicate")
KEPT_RAW = 2_000
"""How much of an unreadable message is kept, as text, for a technician to look at."""
_REASON = Field("the reason", 1000, required=False)
_TAGS = re.compile(r"\[\s*INC\s*-\s*\d+\s*\]", re.IGNORECASE)


@dataclass(frozen=True)
class Outcome:
    """What one message became."""

    kind: str
    """One of OUTCOMES."""
    number: str | None = None
    """The call it made or went to."""
    reason: str = ""
    mail_id: int | None = None


def key_of(message: Incoming | None, raw: bytes) -> str:
    """What makes a message the same message: its Message-ID, else its bytes' hash."""
    if message is not None and message.message_id:
        if len(message.message_id) <= 200:
            return message.message_id
        return "sha256:" + hashlib.sha256(message.message_id.encode()).hexdigest()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def take(raw: bytes, *, max_bytes: int = 25_000_000) -> Outcome:
    """Take one message in; never raises for what is in the message (only `Unavailable`
    when the database is)."""
    raw = bytes(raw) if isinstance(raw, bytes | bytearray | memoryview) else b""
    try:
        message = mail_parse.parse(raw, max_bytes=max_bytes)
    except BadInput as exc:
        return _set_aside(raw, str(exc))
    try:
        with write():
            return _take(message, raw)
    except pw.IntegrityError:
        # Another intake took the same message a moment ago (PostgreSQL's unique key).
        return Outcome("duplicate", reason="taken in by another intake at the same moment")
    except (BadInput, Refused, NotFound) as exc:
        return _set_aside(raw, str(exc), message)
    except Unavailable:
        raise  # the database, not the message: stop the batch
    except Exception as exc:  # a fault of ours must not lose the message nor stop the rest
        return _set_aside(raw, f"FITS Desk could not take it in ({exc.__class__.__name__}).")


def _take(message: Incoming, raw: bytes) -> Outcome:
    key = key_of(message, raw)
    seen = MailIn.select(MailIn.id, MailIn.incident).where(MailIn.key == key).first()
    if seen is not None:
        number = log_number(seen.incident_id) if seen.incident_id else None
        return Outcome("duplicate", number, "seen before", seen.id)
    settings = config.current().mail
    call = _replied_to(message)
    own_address = bool(settings.address) and message.sender_address == settings.address
    if own_address:  # our own mail come back: kept on the call it names, never answered
        return _record(message, raw, "ignored", call, IGNORED["own"])
    if message.automatic == "bounce":
        return _bounce(message, raw, call)
    automatic = message.automatic or (
        "auto-reply" if settings.address and settings.address.lower() in message.loops else None
    )
    if automatic:  # kept against its call, never reopening, confirming or answering it
        kept = call if call is not None and _owns(call, message) else None
        return _record(message, raw, "ignored", kept, IGNORED[automatic])
    if call is not None and _owns(call, message):
        if call.status != "closed":
            return _answer(message, raw, call)
        if message.answer == "yes" or _thanks(message):
            # "Thanks!" after the call closed is not a new fault: keep it on the call.
            outcome = _record(message, raw, "note", call)
            note = _cut(mail_parse.own_words(message.body) or message.subject, NOTE)
            calls.add_note(call, servicedesk.CALLER, note, public=True)
            return outcome
    return _log(message, raw, call)


IGNORED = {
    "auto-reply": "an automatic reply (out of office): not answered",
    "bulk": "bulk or mailing-list mail: not answered",
    "own": "from the help desk's own address: not answered",
}
_OUR_IDS = re.compile(rb"[0-9a-f]{24}\.INC-[0-9]{6,12}@[A-Za-z0-9.-]{1,253}")
_THANKS_ONLY = re.compile(
    r"(thanks|thank you|many thanks|cheers|ta|great|brilliant|perfect|lovely|ok|okay)\b",
    re.IGNORECASE,
)


def _thanks(message: Incoming) -> bool:
    """Whether a reply is only thanks (short, and starts so)."""
    words = mail_parse.own_words(message.body).strip()
    return len(words) <= 200 and bool(_THANKS_ONLY.match(words))


def _bounce(message: Incoming, raw: bytes, call: Incident | None) -> Outcome:
    """A bounce, or a delivery or read report: never answered. A bounce that carries the
    Message-ID of a message we sent marks that message failed and is kept on its call;
    a read receipt from the caller is kept on their call."""
    head = raw[:2_000_000]
    undelivered = b"delivery-status" in head.lower() or message.sender_address.startswith(
        ("mailer-daemon@", "postmaster@")
    )
    ours = {match.decode() for match in _OUR_IDS.findall(head)} if undelivered else set()
    bounced = (
        MailOut.select()
        .where(MailOut.message_id.in_(list(ours)) & (MailOut.status == "sent"))
        .order_by(MailOut.id.desc())
        .first()
        if ours
        else None
    )
    if bounced is None:
        kept = call if call is not None and _owns(call, message) else None
        return _record(message, raw, "ignored", kept, "a delivery or read report: not answered")
    why = next((ln.strip() for ln in message.body.split("\n") if ln.strip()), "no reason given")
    reason = _cut(f"a bounce: our message to {bounced.to_address} did not arrive ({why})", _REASON)
    MailOut.update(status="failed", last_error=_cut(f"Bounced: {why}", _REASON)).where(
        MailOut.id == bounced.id
    ).execute()
    call = Incident(id=bounced.incident_id) if bounced.incident_id else None
    return _record(message, raw, "ignored", call, reason)


def _replied_to(message: Incoming) -> Incident | None:
    """The call a message names: by the tag in its subject, else by the ids it replies to."""
    incident_id = None
    if message.tag:
        try:
            incident_id = parse_reference(message.tag).id
        except BadInput:
            return None
    elif message.in_reply_to:
        ids = list(message.in_reply_to)
        found = MailOut.select(MailOut.incident).where(MailOut.message_id.in_(ids)).first()
        if found is None:
            found = (
                MailIn.select(MailIn.incident)
                .where(MailIn.key.in_(ids) & MailIn.incident.is_null(False))
                .first()
            )
        incident_id = found.incident_id if found else None
    if incident_id is None or not 0 < incident_id < 2**31:
        return None
    return calls.for_change(log_number(incident_id)) if _exists(incident_id) else None


def _exists(incident_id: int) -> bool:
    return Incident.select(Incident.id).where(Incident.id == incident_id).exists()


def _owns(call: Incident, message: Incoming) -> bool:
    """Whether the sender is the caller of `call` (same address, any case)."""
    found = Person.select(Person.email).where(Person.id == call.requester_id).first()
    return bool(found and message.sender_address) and (
        found.email.strip().lower() == message.sender_address
    )


def _answer(message: Incoming, raw: bytes, call: Incident) -> Outcome:
    """A reply from the caller: a yes or no to a resolved call, else a public note."""
    words = mail_parse.own_words(message.body) or message.subject
    reference = f"{log_number(call.id)}-{call.check_code}"
    # The message is kept first, so what the outbox writes next answers it (In-Reply-To).
    if call.status == "resolved" and message.answer == "yes":
        outcome = _record(message, raw, "confirmed", call)
        servicedesk.confirm_fixed(reference, comment=_cut(words, COMMENT))
    elif call.status == "resolved" and message.answer == "no":
        outcome = _record(message, raw, "reopened", call)
        servicedesk.not_fixed(reference, comment=_cut(words, COMMENT))
    else:
        outcome = _record(message, raw, "note", call)
        note = _cut(words or "(an empty reply)", NOTE)
        calls.add_note(call, servicedesk.CALLER, note, public=True)
    return outcome


def _log(message: Incoming, raw: bytes, named: Incident | None) -> Outcome:
    """A new call from the message's sender."""
    settings = config.current().mail
    address = message.sender_address
    person = (
        Person.select(Person.name, Person.role, Person.group_name)
        .where(pw.fn.LOWER(Person.email) == address)
        .order_by(Person.id)
        .first()
    )
    if person is not None:
        name, role, group = person.name, person.role, person.group_name
    else:
        name = _cut(message.sender_name or address.partition("@")[0] or "Unknown", PERSON_NAME)
        role, group = settings.role_of(address), ""
    body = message.body
    if named is not None:
        # Never a note on someone else's call, nor on a closed one; say which it named.
        body = f"(This email named {log_number(named.id)}.)\n\n{body}"
    summary = _summary(message)
    description = _cut(body, DESCRIPTION, " ... (the whole email is in its thread)")
    outcome = _record(message, raw, "logged", None)
    call = servicedesk.log_call(
        summary=summary,
        requester=name,
        role=role,
        group=group,
        email=address,
        channel="email",
        description=description,
        by=servicedesk.CALLER,
    )
    MailIn.update(incident=call.id).where(MailIn.id == outcome.mail_id).execute()
    if message.message_id and not key_of(message, raw).startswith("sha256:"):
        # The caller's log number answers their email, so their mail shows it as a reply.
        MailOut.update(in_reply_to=message.message_id).where(MailOut.incident == call.id).execute()
    return Outcome("logged", call.number, "", outcome.mail_id)


def _summary(message: Incoming) -> str:
    """The call's summary: the subject without Re:/Fwd: and tags, else the first line."""
    subject = message.subject
    while True:
        stripped = subject.lstrip()
        lowered = stripped.lower()
        for prefix in ("re:", "fw:", "fwd:", "aw:", "sv:"):
            if lowered.startswith(prefix):
                subject = stripped[len(prefix) :]
                break
        else:
            break
    subject = _TAGS.sub(" ", subject)  # the tag is the call's, not the fault's
    first_line = next((line for line in message.body.split("\n") if line.strip()), "")
    text = " ".join(subject.split()) or first_line
    return _cut(text.strip() or "(an email with no subject)", SUMMARY, "...")


def _cut(text: str, field: Field, tail: str = " ...") -> str:
    """`text` cleaned for `field`, shortened to fit it with `tail` when too long."""
    text = text.strip()
    if len(text) > field.limit:
        text = text[: field.limit - len(tail)].rstrip() + tail
    return clean(text, field)


def _record(message: Incoming, raw: bytes, outcome: str, call, reason: str = "") -> Outcome:
    """Keep the message and its attachments, with what it became."""
    settings = config.current().mail
    mail_id = MailIn.insert(
        key=key_of(message, raw),
        received_at=journal.now(),
        sender_name=message.sender_name,
        sender_address=message.sender_address,
        subject=message.subject,
        body=message.body,
        incident=call.id if call is not None else None,
        outcome=outcome,
        reason=clean(reason, _REASON),
        size=len(raw),
    ).execute()
    limit = settings.keep_attachments_kb * 1000
    for attachment in message.attachments:
        MailAttachment.insert(
            mail=mail_id,
            name=attachment.name,
            size=attachment.size,
            content_type=attachment.content_type,
            content=attachment.data if attachment.size <= limit else None,
        ).execute()
    number = log_number(call.id) if call is not None else None
    return Outcome(outcome, number, reason, mail_id)


def _set_aside(raw: bytes, reason: str, message: Incoming | None = None) -> Outcome:
    """Keep what can be kept of a message that cannot be taken in, and why."""
    key = key_of(message, raw)
    text = raw[:KEPT_RAW].decode("utf-8", "replace")
    try:
        with write():
            seen = MailIn.select(MailIn.id).where(MailIn.key == key).first()
            if seen is not None:
                return Outcome("duplicate", None, "seen before", seen.id)
            sniffed = _sniff(raw) if message is None else {}
            mail_id = MailIn.insert(
                key=key,
                received_at=journal.now(),
                sender_name=message.sender_name if message else "",
                sender_address=message.sender_address if message else sniffed.get("from", ""),
                subject=message.subject if message else sniffed.get("subject", ""),
                body=clean(text, mail_parse.BODY) if message is None else message.body,
                outcome="set_aside",
                reason=clean(reason[: _REASON.limit], _REASON),
                size=len(raw),
            ).execute()
    except pw.IntegrityError:
        return Outcome("duplicate", reason="taken in by another intake at the same moment")
    return Outcome("set_aside", None, reason, mail_id)


_HEADER_LINE = re.compile(rb"^(from|subject|message-id):[ \t]*(.{0,300})", re.IGNORECASE | re.M)


def _sniff(raw: bytes) -> dict[str, str]:
    """From and Subject (else the Message-ID) read plainly off the top of a message that
    cannot be parsed, so a technician can tell which it was."""
    head = raw[:20_000].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = {
        name.decode().lower(): value.decode("utf-8", "replace").strip()
        for name, value in reversed(_HEADER_LINE.findall(head))
    }
    if not found.get("subject") and found.get("message-id"):
        found["subject"] = f"(Message-ID {found['message-id']})"
    return {key: _cut(found[key], _REASON, "...") for key in ("from", "subject") if found.get(key)}
