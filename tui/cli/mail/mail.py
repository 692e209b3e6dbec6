"""`fitsdesk mail`: the email channel: fetch calls and replies, send the outbox.

    fitsdesk mail fetch                 # new mail from [mail.maildir] or [mail.imap]
    fitsdesk mail send                  # the outbox over [mail.smtp]
    fitsdesk mail run                   # both, every [mail] interval_seconds (systemd)
    fitsdesk mail outbox                # what has not gone yet, and why
    fitsdesk mail retry 12              # send a failed, held or unsure message again
    fitsdesk mail templates --write     # the messages' templates, to edit

docs/mail.md shows the setup.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
from pathlib import Path

from store.db import config, database
from store.db.errors import BadInput, FitsDeskError, Unavailable
from store.records import templates as mail_templates
from store.records.views import iso
from tui.cli import add_common, group
from tui.cli.mail.options import open_db, whole_number
from tui.cli.output import local, print_json, table
from tui.cli.progress import progress_bar
from tui.cli.session import who

OUTCOME_WORDS = {
    "logged": ("new call", "new calls"),
    "note": ("note", "notes"),
    "confirmed": ("confirmed fixed", "confirmed fixed"),
    "reopened": ("reopened", "reopened"),
    "ignored": ("ignored (automatic)", "ignored (automatic)"),
    "set_aside": ("set aside", "set aside"),
    "duplicate": ("seen before", "seen before"),
}


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "mail", "the email channel: fetch mail, send the outbox")

    fetch = actions.add_parser(
        "fetch",
        help="take in new mail: new calls, replies, yes/no answers",
        description="Take in new mail from the Maildir or IMAP mailbox in the config file: "
        "a new message is a new call, a reply a note on its call, yes or no to 'Are you "
        "happy it is fixed?' closes or reopens it. Automatic mail is never answered.",
    )
    fetch.add_argument("--maildir", metavar="PATH", help="fetch from this Maildir instead")
    fetch.add_argument(
        "--limit", type=whole_number, default=500, metavar="N", help="at most N (500)"
    )
    fetch.add_argument("--json", action="store_true", help="print what each message became")
    add_common(fetch)
    fetch.set_defaults(handler=run_fetch)

    send = actions.add_parser(
        "send",
        help="deliver the outbox over SMTP",
        description="Deliver what is due in the outbox over the SMTP server in the config "
        "file. A message the server refuses for now is tried again later (1, 5, 15 minutes, "
        "then hours); one it refuses for good fails. A message is never sent twice.",
    )
    send.add_argument(
        "--limit", type=whole_number, default=200, metavar="N", help="at most N (200)"
    )
    add_common(send)
    send.set_defaults(handler=run_send)

    loop = actions.add_parser(
        "run",
        help="fetch and send on an interval (for a systemd service)",
        description="Fetch and send every [mail] interval_seconds until stopped (SIGTERM or "
        "Ctrl+C finish the current step first). A mail server that cannot be reached is "
        "said on stderr and tried again next round.",
    )
    loop.add_argument(
        "--interval", type=whole_number, metavar="SECONDS", help="override the config"
    )
    loop.add_argument("--once", action="store_true", help="one round, then stop")
    add_common(loop)
    loop.set_defaults(handler=run_loop)

    box = actions.add_parser(
        "outbox",
        help="list messages not yet sent (waiting, failed, held, unsure)",
        description="List the messages to callers that have not surely gone: waiting, "
        "failed, held (a possible mail loop) and unsure (the sender was stopped while the "
        "server had it: check before sending it again).",
    )
    box.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(box)
    box.set_defaults(handler=run_outbox)

    aside = actions.add_parser(
        "set-aside",
        help="list messages that could not be taken in, and why",
        description="List received messages that could not be taken in, with the reason. "
        "They are still in the mailbox.",
    )
    aside.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(aside)
    aside.set_defaults(handler=run_set_aside)

    for name, verb, text in (
        (
            "retry",
            "send again",
            "Send a failed, held, unsure or cancelled message again, "
            "or a waiting one sooner: at the next `fitsdesk mail send`.",
        ),
        ("cancel", "cancel", "Stop a message that has not been sent (a wrong address, a loop)."),
    ):
        action = actions.add_parser(name, help=f"{verb} a message in the outbox", description=text)
        action.add_argument("message", type=whole_number, metavar="ID", help="the message's id")
        add_common(action)
        action.set_defaults(handler=run_retry if name == "retry" else run_cancel)

    templates = actions.add_parser(
        "templates",
        help="check the mail templates, or write the built-in ones to edit",
        description="Check the school's mail templates (logged, note, resolved, closed) "
        "by filling each with an example; with --write, first write the built-in ones that "
        "are missing, to edit.",
    )
    templates.add_argument("--write", action="store_true", help="write the missing ones first")
    add_common(templates)
    templates.set_defaults(handler=run_templates)

    from tui.cli.mail import mail_files  # the files that came with the mail

    mail_files.register(actions)


def _summary(counts: dict[str, int]) -> str:
    words = [
        f"{counts[kind]} {OUTCOME_WORDS[kind][counts[kind] != 1]}"
        for kind in OUTCOME_WORDS
        if counts.get(kind)
    ]
    return ", ".join(words) if words else "no new mail"


def _fetch(args: argparse.Namespace) -> dict[str, int]:
    from store.mail import mailbox

    with progress_bar("Taking in mail") as advance:
        if getattr(args, "maildir", None):
            batch = mailbox.fetch_maildir(Path(args.maildir), limit=args.limit, progress=advance)
        else:
            batch = mailbox.fetch(limit=args.limit, progress=advance)
    for problem in batch.problems:
        print(problem, file=sys.stderr)
    if getattr(args, "json", False):
        print_json(
            [
                {"outcome": o.kind, "number": o.number, "reason": o.reason, "mail": o.mail_id}
                for o in batch.outcomes
            ]
        )
    else:
        more = f"; {batch.unread} left for the next fetch" if batch.unread else ""
        print(f"{batch.source}: {_summary(batch.counts())}{more}.")
        for outcome in batch.outcomes:
            if outcome.kind == "set_aside":
                print(f"  set aside (message {outcome.mail_id}): {outcome.reason}")
    return batch.counts()


def run_fetch(args: argparse.Namespace) -> int:
    open_db(args)
    _fetch(args)
    return 0


def _send(limit: int) -> tuple[str, bool]:
    """Send what is due; (one line saying what happened, whether it stopped short)."""
    from store.mail import delivery as mail_delivery

    report = mail_delivery.send_due(limit=limit)
    parts = [f"{len(report.sent)} sent"]
    if report.retrying:
        parts.append(f"{len(report.retrying)} to try again later")
    if report.failed:
        parts.append(f"{len(report.failed)} failed")
    if report.unsure:
        parts.append(f"{len(report.unsure)} unsure (see: fitsdesk mail outbox)")
    for message_id, why in report.failed + report.unsure:
        print(f"  message {message_id}: {why}", file=sys.stderr)
    line = ", ".join(parts) + "."
    if report.stopped:
        line += f" Stopped: {report.stopped}"
    return line, bool(report.stopped)


def run_send(args: argparse.Namespace) -> int:
    open_db(args)
    line, stopped = _send(args.limit)
    print(line, file=sys.stderr if stopped else sys.stdout)
    return 1 if stopped else 0


def run_loop(args: argparse.Namespace) -> int:
    """Fetch and send until SIGTERM/SIGINT; each round's news on one line."""
    open_db(args, pool=True)
    settings = config.current().mail
    interval = args.interval or settings.interval_seconds
    fetches = bool(settings.maildir) or settings.imap is not None
    sends = settings.sends and settings.smtp is not None
    if not fetches and not sends:
        raise BadInput("Mail is not set up: add [mail] to the config file (see docs/mail.md).")
    source = f"Maildir {settings.maildir}" if settings.maildir else None
    if settings.imap is not None:
        source = f"IMAP {settings.imap.user}@{settings.imap.host}:{settings.imap.port}"
    words = [
        f"fetching from {source}" if fetches else "not fetching (no [mail.imap] or [mail.maildir])"
    ]
    words.append(
        f"sending through {settings.smtp.host}:{settings.smtp.port}" if sends
        else "not sending (no [mail] address or [mail.smtp])"
    )  # fmt: skip
    print(f"FITS Desk mail: {' and '.join(words)}, every {interval} s.", flush=True)
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        while not stop.is_set():
            database.release_connection()  # each round checks one out: a dropped one is replaced
            _round(args, settings)
            if args.once:
                break
            stop.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _round(args: argparse.Namespace, settings) -> None:
    """One fetch and one send; a server that cannot be reached is said, not fatal."""
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    if settings.maildir or settings.imap is not None:
        try:
            from store.mail import mailbox

            batch = mailbox.fetch()
            for problem in batch.problems:
                print(f"{stamp} {problem}", file=sys.stderr, flush=True)
            if batch.outcomes:
                print(f"{stamp} fetched: {_summary(batch.counts())}.", flush=True)
        except Unavailable as exc:
            print(f"{stamp} {exc}", file=sys.stderr, flush=True)
        except FitsDeskError as exc:
            print(f"{stamp} {exc}", file=sys.stderr, flush=True)
    if settings.sends and settings.smtp is not None:
        try:
            line, stopped = _send(200)
            if not line.startswith("0 sent.") or stopped:
                print(f"{stamp} {line}", file=sys.stderr if stopped else sys.stdout, flush=True)
        except FitsDeskError as exc:
            print(f"{stamp} {exc}", file=sys.stderr, flush=True)


def _message_json(message) -> dict:
    return {
        "id": message.id,
        "number": message.number,
        "kind": message.kind,
        "to": message.to_address,
        "subject": message.subject,
        "status": message.status,
        "attempts": message.attempts,
        "queued_at": iso(message.queued_at),
        "next_try_at": iso(message.next_try_at),
        "last_error": message.last_error,
    }


def run_outbox(args: argparse.Namespace) -> int:
    from store.records import outbox

    open_db(args)
    waiting = outbox.not_sent()
    if args.json:
        print_json([_message_json(m) for m in waiting])
        return 0
    shown = table(
        ("ID", "CALL", "TO", "STATUS", "TRIES", "NEXT TRY", "SUBJECT / LAST ERROR"),
        (
            (
                str(m.id),
                m.number or "-",
                m.to_address,
                m.status_word,
                str(m.attempts),
                local(m.next_try_at) if m.status == "waiting" else "-",
                f"{m.subject}  ({m.last_error})" if m.last_error else m.subject,
            )
            for m in waiting
        ),
    )
    if not shown:
        print("The outbox is empty: everything has been sent.")
    return 0


def run_set_aside(args: argparse.Namespace) -> int:
    from store.mail import records as mail_records

    open_db(args)
    items = mail_records.set_aside()
    if args.json:
        print_json(
            [
                {"id": i.id, "received_at": iso(i.at), "from": i.who, "subject": i.subject}
                | {"reason": i.detail}
                for i in items
            ]
        )
        return 0
    if not table(
        ("ID", "RECEIVED", "FROM", "SUBJECT", "REASON"),
        ((str(i.id), local(i.at), i.who, i.subject or "-", i.detail) for i in items),
    ):
        print("No message has been set aside.")
    return 0


def run_retry(args: argparse.Namespace) -> int:
    from store.records import outbox

    open_db(args)
    message = outbox.retry(args.message, by=who())
    print(f"Message {message.id} to {message.to_address} will be sent at the next send.")
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    from store.records import outbox

    open_db(args)
    message = outbox.cancel(args.message, by=who())
    print(f"Message {message.id} to {message.to_address} will not be sent.")
    return 0


def run_templates(args: argparse.Namespace) -> int:
    from store.records import outbox

    config.current()
    folder = outbox.templates_folder()
    if args.write:
        for path in mail_templates.write_defaults(folder):
            print(f"Wrote {path}")
    problems = 0
    for kind in mail_templates.KINDS:
        path = folder / f"{kind}.txt"
        where = str(path) if path.exists() else "built in"
        try:
            rendered = mail_templates.render(
                kind,
                number="INC-000042",
                summary="The projector in S12 flickers",
                name="Ada Byron",
                text="We fitted a new lamp.",
                folder=folder,
            )
            print(f"{kind:9} {where}: {rendered.subject}")
        except BadInput as exc:
            problems += 1
            print(f"{kind:9} {exc}", file=sys.stderr)
    return 2 if problems else 0
