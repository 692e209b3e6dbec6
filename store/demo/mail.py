"""The demo's email channel: the newest calls that came by email get their mail thread
(the caller's message, our answers, a yes), and the outbox one failed and one waiting
message, so the desk's timeline and outbox have something to show."""

from __future__ import annotations

import datetime as dt
import secrets

from store.db import config
from store.db.database import write
from store.db.models import Incident, MailIn, MailOut, Person
from store.db.numbers import log_number
from store.records import templates as mail_templates

THREADS = 12
"""How many email calls get a thread."""
DOMAIN = "school.example"


def _out(row, person, kind: str, at: dt.datetime, text: str, reply_to: str, **state) -> None:
    number = log_number(row.id)
    rendered = mail_templates.render(
        kind,
        number=number,
        summary=row.summary,
        name=person.name,
        text=text,
        school=config.current().school_name,
        builtin=True,
    )
    values = {
        "status": "sent",
        "attempts": 1,
        "sent_at": at + dt.timedelta(minutes=1),
        "last_error": "",
    }
    values.update(state)
    MailOut.insert(
        incident=row.id,
        kind=kind,
        to_name=person.name,
        to_address=person.email,
        subject=rendered.subject,
        body=rendered.body,
        message_id=f"{secrets.token_hex(12)}.{number}@{DOMAIN}",
        in_reply_to=reply_to,
        queued_at=at,
        next_try_at=at,
        **values,
    ).execute()


def _in(row, person, at: dt.datetime, subject: str, body: str, outcome: str) -> str:
    key = f"{secrets.token_hex(10)}@mail.{DOMAIN}"
    MailIn.insert(
        key=key,
        received_at=at,
        sender_name=person.name,
        sender_address=person.email,
        subject=subject,
        body=body,
        incident=row.id,
        outcome=outcome,
        size=len(body) + 900,
    ).execute()
    return key


def fill_mail() -> int:
    """Threads for the newest email calls whose caller has an address; returns how many."""
    with write():
        email_calls = (
            Incident.select()
            .join(Person, on=Incident.requester == Person.id)
            .where(
                (Incident.channel == "email")
                & (Person.email != "")
                & ~Incident.id.in_(
                    MailIn.select(MailIn.incident).where(MailIn.incident.is_null(False))
                )
            )
            .order_by(Incident.logged_at.desc())
        )
        rows = list(email_calls.limit(THREADS - 4))  # the newest, mostly still open
        rows += [
            row
            for row in email_calls.where(Incident.closed_how == "confirmed").limit(THREADS)
            if row not in rows
        ][:4]  # and some the caller said yes to
        for place, row in enumerate(rows):
            person = Person.get_by_id(row.requester_id)
            body = row.description or f"{row.summary}.\n\nThanks,\n{person.name}"
            key = _in(row, person, row.logged_at, row.summary, body, "logged")
            if place == 0:  # the newest: its answer has not gone yet
                _out(
                    row, person, "logged", row.logged_at, "", key,
                    status="waiting", sent_at=None, attempts=0,
                )  # fmt: skip
                continue
            if place == 1:  # a caller whose address no longer works
                _out(
                    row, person, "logged", row.logged_at, "", key, status="failed", sent_at=None,
                    attempts=1, last_error="550 5.1.1 <" + person.email + ">: no such user here",
                )  # fmt: skip
                continue
            _out(row, person, "logged", row.logged_at, "", key)
            if row.resolved_at:
                text = f"{'Fixed' if row.resolution_kind == 'fix' else 'A workaround'}: "
                _out(row, person, "resolved", row.resolved_at, text + row.resolution_text, key)
            if row.closed_how == "confirmed" and row.closed_at:
                answer = _in(
                    row, person, row.closed_at, f"Re: [{log_number(row.id)}] Is it fixed?",
                    "Yes, all working now. Thank you!\n\n> Are you happy it is fixed?", "confirmed",
                )  # fmt: skip
                _out(row, person, "closed", row.closed_at, "Thank you for telling us.", answer)
        MailIn.insert(
            key=f"{secrets.token_hex(10)}@broken.{DOMAIN}",
            received_at=rows[0].logged_at if rows else dt.datetime(2026, 1, 5, 9),
            subject="",
            body="--boundary\nContent-Type: multipart/mixed; boundary=",
            outcome="set_aside",
            reason="The message cannot be read (HeaderParseError).",
            size=48,
        ).execute()
    return len(rows)
