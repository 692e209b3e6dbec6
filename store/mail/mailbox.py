"""Fetching new mail for the intake: from a Maildir folder or an IMAP mailbox.

    from store.mail import mailbox
    batch = mailbox.fetch()                    # where [mail] says: Maildir or IMAP
    batch.outcomes                             # one store.mail.intake.Outcome a message

Each message is taken in (its own transaction) before it is marked as read: in a
Maildir it moves from new/ to cur/ with the S flag; over IMAP it gets \\Seen. A
fetch killed in between takes that message again next time, and the intake knows
it by its Message-ID, so it is never logged twice. A message that cannot be read
is set aside by the intake and marked read like the rest: one bad message never
stops the others. Nothing is ever deleted from the mailbox.

The mailbox should be the help desk's own: a message a person opened in a mail
program (\\Seen, or S in a Maildir) is taken as already read.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store.db import config
from store.db.errors import BadInput, Unavailable
from store.db.mail_settings import Server
from store.mail import intake as mail_intake
from store.mail.intake import Outcome

BATCH = 500
"""The most messages one fetch takes in; the rest wait for the next."""
TIMEOUT = 20
"""Seconds to wait for a mail server before giving up on this round."""

Progress = Callable[[int, int], None]


@dataclass
class Batch:
    """What one fetch did."""

    source: str
    outcomes: list[Outcome] = field(default_factory=list)
    unread: int = 0
    """Messages left for the next fetch (over BATCH, or unreadable files)."""
    problems: list[str] = field(default_factory=list)
    """Sentences about messages that could not even be read from the mailbox."""

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for outcome in self.outcomes:
            found[outcome.kind] = found.get(outcome.kind, 0) + 1
        return found


def fetch(*, limit: int = BATCH, progress: Progress | None = None) -> Batch:
    """Take in new mail from where the config says; BadInput if it says nowhere."""
    settings = config.current().mail
    if settings.maildir:
        return fetch_maildir(Path(settings.maildir), limit=limit, progress=progress)
    if settings.imap is not None:
        return fetch_imap(settings.imap, limit=limit, progress=progress)
    raise BadInput(
        "There is no mailbox to fetch from: add [mail.maildir] or [mail.imap] to the config "
        "file (see docs/mail.md)."
    )


# Maildir ---------------------------------------------------------------------------


def _unread(folder: Path) -> list[Path]:
    """Messages in new/, and in cur/ without the S (seen) flag, oldest first."""
    found = []
    for sub in ("new", "cur"):
        try:
            entries = list(os.scandir(folder / sub))
        except FileNotFoundError:
            raise BadInput(f"{folder} is not a Maildir folder (it has no {sub}/).") from None
        except OSError as exc:
            raise BadInput(f"The Maildir {folder} cannot be read ({exc.strerror}).") from None
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_file():
                continue
            info = entry.name.partition(":2,")[2] if ":2," in entry.name else ""
            if sub == "cur" and "S" in info:
                continue
            found.append(Path(entry.path))
    return sorted(found, key=_age)


def _age(path: Path) -> tuple[float, str]:
    try:
        return path.stat().st_mtime, path.name
    except OSError:
        return 0.0, path.name


def _mark_read(path: Path) -> None:
    """new/NAME -> cur/NAME:2,S; cur/NAME:2,FLAGS -> cur/NAME:2,FLAGSS (Maildir's way)."""
    base, _, flags = path.name.partition(":2,")
    flags = "".join(sorted(set(flags + "S")))
    os.replace(path, path.parent.parent / "cur" / f"{base}:2,{flags}")


def fetch_maildir(folder: Path, *, limit: int = BATCH, progress: Progress | None = None) -> Batch:
    """Take in the unread messages of a Maildir folder."""
    batch = Batch(source=f"Maildir {folder}")
    waiting = _unread(Path(folder))
    batch.unread = max(0, len(waiting) - limit)
    waiting = waiting[:limit]
    for done, path in enumerate(waiting, 1):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            continue  # another fetch took it a moment ago
        except OSError as exc:
            batch.problems.append(f"{path.name} cannot be read ({exc.strerror}): left for later.")
            batch.unread += 1
            continue
        batch.outcomes.append(mail_intake.take(raw))
        try:
            _mark_read(path)
        except FileNotFoundError:
            pass  # another fetch marked it a moment ago
        except OSError as exc:
            # Every message would be read again each round and fill the batch: stop and say.
            raise BadInput(
                f"Messages in {folder} cannot be marked read ({exc.strerror}): the user running "
                "FITS Desk needs to be able to write to the Maildir's new/ and cur/ folders."
            ) from None
        if progress:
            progress(done, len(waiting))
    return batch


# IMAP ------------------------------------------------------------------------------


def tls_context(server: Server) -> ssl.SSLContext:
    """Certificate and host name checked, against the system's CAs or the school's cafile."""
    try:
        return ssl.create_default_context(cafile=server.cafile or None)
    except (OSError, ssl.SSLError) as exc:
        raise BadInput(f"The CA file {server.cafile} cannot be used ({exc}).") from None


def server_down(server: Server, what: str, exc: BaseException) -> Unavailable:
    """One sentence for a mail server that cannot be reached or refuses us."""
    reason = str(exc).strip() or exc.__class__.__name__
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = f"its certificate is not trusted: {exc.verify_message}"
    reason = re.sub(r"^b['\"](.*)['\"]$", r"\1", reason)  # imaplib's errors quote bytes
    reason = re.sub(r"\s+", " ", reason)[:300].rstrip(".")
    if isinstance(exc, TimeoutError) or "WRONG_VERSION_NUMBER" in reason:
        reason += (
            f' (is security = "{server.security}" right for port {server.port}? Usually '
            'ports 993 and 465 are "tls", 143 and 587 "starttls")'
        )
    return Unavailable(f"The {what} server {server.host}:{server.port} cannot be used: {reason}.")


def _imap_connect(server: Server) -> imaplib.IMAP4:
    context = tls_context(server)
    try:
        if server.security == "tls":
            client = imaplib.IMAP4_SSL(
                server.host, server.port, ssl_context=context, timeout=TIMEOUT
            )
        else:
            client = imaplib.IMAP4(server.host, server.port, timeout=TIMEOUT)
            if server.security == "starttls":
                client.starttls(ssl_context=context)
        kind, secret = server.secret()
        if kind == "oauth2":
            token = f"user={server.user}\x01auth=Bearer {secret}\x01\x01".encode()
            client.authenticate("XOAUTH2", lambda _challenge: token)
        elif kind == "password":
            client.login(server.user, secret)
        return client
    except (TimeoutError, OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        raise server_down(server, "IMAP", exc) from None


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_imap(server: Server, *, limit: int = BATCH, progress: Progress | None = None) -> Batch:
    """Take in the unseen messages of an IMAP folder; each gets \\Seen once taken in."""
    batch = Batch(source=f"IMAP {server.user}@{server.host}:{server.port}/{server.folder}")
    client = _imap_connect(server)
    try:
        status, _ = client.select(_quoted(server.folder))
        if status != "OK":
            raise BadInput(f"There is no folder '{server.folder}' in the mailbox.")
        status, found = client.uid("SEARCH", None, "UNSEEN")
        uids = found[0].split() if status == "OK" and found and found[0] else []
        batch.unread = max(0, len(uids) - limit)
        uids = uids[:limit]
        for done, uid in enumerate(uids, 1):
            status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in data or () if isinstance(part, tuple)), None)
            if status != "OK" or raw is None:
                batch.problems.append(f"Message {uid.decode()} cannot be read: left for later.")
                batch.unread += 1
                continue
            batch.outcomes.append(mail_intake.take(raw))
            client.uid("STORE", uid, "+FLAGS.SILENT", "(\\Seen)")
            if progress:
                progress(done, len(uids))
    except (TimeoutError, OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        raise server_down(server, "IMAP", exc) from None
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error, ssl.SSLError):
            client.logout()
    return batch
