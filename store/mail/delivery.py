"""Delivering the outbox over SMTP, each message once.

    from store.mail import delivery as mail_delivery
    report = mail_delivery.send_due()     # everything due, over [mail.smtp]
    report.sent, report.retrying, report.failed

How "never twice" holds (see store.records.outbox): the message is claimed, the envelope
and the whole text go to the server, and only then, before the final "." that
makes the server take it, the message is marked "unsure"; the server's 250 marks
it "sent". Killed before the ".", the server drops it and the claim runs out, so
it is tried again; killed after, it stays unsure and a technician decides.

Temporary failures (4xx, a server that cannot be reached) wait and try again
(store.records.outbox.BACKOFF_MINUTES); permanent ones (5xx) fail at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.policy
import email.utils
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage

from store.db import config
from store.db.errors import BadInput, Unavailable
from store.db.mail_settings import Server
from store.mail.mailbox import TIMEOUT, server_down, tls_context
from store.records import outbox
from store.records.outbox import Outgoing

BATCH = 200
"""The most messages one run sends; the rest wait for the next."""


@dataclass
class Report:
    """What one run of the sender did."""

    sent: list[int] = field(default_factory=list)
    retrying: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    unsure: list[tuple[int, str]] = field(default_factory=list)
    """Broken off after the server may have taken them: never sent again on their own."""
    stopped: str = ""
    """Why the run stopped early (the server cannot be reached or refused the login; the
    line broke), or ""."""


def as_email(message: Outgoing, *, eight_bit: bool = True) -> bytes:
    """The message as the server gets it: CRLF lines, one-line headers, our Message-ID.
    Without `eight_bit` (a server that does not offer 8BITMIME) a body that is not plain
    ASCII is sent quoted-printable, so every byte is 7-bit."""
    settings = config.current()
    mail = settings.mail
    sender_name = mail.name or f"IT support, {settings.school_name}"
    out = EmailMessage(policy=email.policy.SMTP)
    out["From"] = Address(display_name=sender_name, addr_spec=mail.address)
    out["To"] = Address(display_name=message.to_name, addr_spec=message.to_address)
    out["Subject"] = message.subject
    out["Date"] = email.utils.format_datetime(dt.datetime.now(dt.UTC))
    out["Message-ID"] = f"<{message.message_id}>"
    if message.in_reply_to:
        out["In-Reply-To"] = f"<{message.in_reply_to}>"
        out["References"] = f"<{message.in_reply_to}>"
    if message.kind == "logged":
        out["Auto-Submitted"] = "auto-replied"  # RFC 3834: autoresponders leave it be
    out["X-Auto-Response-Suppress"] = "All"  # no out-of-office answers to us
    if eight_bit or message.body.isascii():
        out.set_content(message.body)
    else:
        out.set_content(message.body, cte="quoted-printable")
    return out.as_bytes()


def connect(server: Server) -> smtplib.SMTP:
    """A logged-in SMTP connection (implicit TLS, STARTTLS or, on loopback only, plain)."""
    context = tls_context(server)
    try:
        if server.security == "tls":
            client = smtplib.SMTP_SSL(server.host, server.port, context=context, timeout=TIMEOUT)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
            client.ehlo()
            if server.security == "starttls":
                client.starttls(context=context)
        client.ehlo()
        kind, secret = server.secret()
        if kind == "oauth2":
            token = f"user={server.user}\x01auth=Bearer {secret}\x01\x01"
            client.auth("XOAUTH2", lambda challenge=None: token)
        elif kind == "password":
            client.login(server.user, secret)
        return client
    except (TimeoutError, OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        raise server_down(server, "SMTP", exc) from None


def _deliver(client: smtplib.SMTP, sender: str, message: Outgoing, data: bytes) -> None:
    """Hand one message over; marks it unsure just before the server can take it. A body
    with 8-bit bytes is announced with BODY=8BITMIME (as_email made it 7-bit where the
    server does not offer that)."""
    options = ["BODY=8BITMIME"] if not data.isascii() else []
    code, reply = client.mail(sender, options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = client.rcpt(message.to_address)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({message.to_address: (code, reply)})
    code, reply = client.docmd("DATA")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    text = re.sub(rb"(?m)^\.", b"..", data)
    if not text.endswith(b"\r\n"):
        text += b"\r\n"
    client.send(text)
    outbox.handing_over(message.id)  # from the "." on, the server may have it
    client.send(b".\r\n")
    code, reply = client.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def _code(exc: BaseException) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return next(iter(exc.recipients.values()))[0]
    return getattr(exc, "smtp_code", None)


def _words(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
    else:
        code, reply = getattr(exc, "smtp_code", None), getattr(exc, "smtp_error", b"")
    if code is None:
        return str(exc) or exc.__class__.__name__
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"


def send_due(
    server: Server | None = None, *, limit: int = BATCH, now: dt.datetime | None = None
) -> Report:
    """Send what is due in the outbox; one connection for the run, opened when needed."""
    settings = config.current().mail
    server = server or settings.smtp
    if not settings.sends:
        raise BadInput("Mail is not set up: add [mail] address to the config file (docs/mail.md).")
    if server is None:
        raise BadInput("There is no mail server to send through: add [mail.smtp] to the config.")
    report = Report()
    if not outbox.any_due(now):
        return report
    try:
        # Connected before any message is claimed: a server that cannot be reached, or a
        # login that is wrong, is the setup's fault, not the messages', and costs them no try.
        client = connect(server)
    except (Unavailable, BadInput) as exc:
        report.stopped = str(exc)
        return report
    try:
        for _ in range(limit):
            message = outbox.claim(now)
            if message is None:
                break
            try:
                eight_bit = client.has_extn("8bitmime")
                data = as_email(message, eight_bit=eight_bit)
                _deliver(client, settings.address, message, data)
            except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
                code = _code(exc)
                if code is None and outbox.message(message.id).status == "unsure":
                    # The line broke after the "." and before the answer: it may have gone.
                    report.unsure.append((message.id, _words(exc)))
                    report.stopped = _words(exc)
                    break
                permanent = code is not None and 500 <= code < 600
                status = outbox.failed(message.id, _words(exc), permanent=permanent, now=now)
                (report.failed if status == "failed" else report.retrying).append(
                    (message.id, _words(exc))
                )
                if code is None:  # the connection broke: start again next run
                    report.stopped = _words(exc)
                    break
                _reset(client)
                continue
            outbox.sent(message.id)
            report.sent.append(message.id)
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError, ssl.SSLError):
            client.quit()
    return report


def _reset(client: smtplib.SMTP) -> None:
    """After a refused message, start the next one clean (RSET)."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        client.rset()
