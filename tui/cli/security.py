"""`fitsdesk audit` (the refused actions, for a manager) and `fitsdesk doctor` (is this
install set up safely and working?): FITS security management at the command line.

    fitsdesk audit --since 2026-12-01 --json
    fitsdesk doctor
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re

from store.continuity import backups
from store.db import config, database, identity, logs
from store.db import files as db_files
from store.db.errors import FitsDeskError
from store.db.sanitise import shown
from store.school import audit, calendar, kiosks, people
from tui.cli import add_common
from tui.cli.output import day, local, print_json, table
from tui.cli.session import open_db, who

_DAY = re.compile(r"^([0-9][0-9./-]+[0-9])(?:[ T]([0-9]{1,2}):([0-9]{2}))?$")


def register(commands: argparse._SubParsersAction) -> None:
    trail = commands.add_parser(
        "audit",
        help="the refused actions (for managers)",
        description="The security audit trail: every action FITS Desk refused (a role "
        "check, wrong kiosk PINs and check codes past the free tries, someone who is not "
        "a technician opening the desk), oldest first, with who, what and when. Reading "
        "it marks it read for you. Managers only.",
    )
    trail.add_argument(
        "--since", type=_since, metavar="DATE", help='from this day or time: "2026-12-01 09:00"'
    )
    trail.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(trail)
    trail.set_defaults(handler=run_audit)

    doctor = commands.add_parser(
        "doctor",
        help="check this install: who you are, the database, its permissions, PIN, mail, logs",
        description="Check what FITS Desk needs, as the account that runs it: that the "
        "account is a named one (and a technician), that the database opens and its "
        "schema is current, that a SQLite file is shared with its group and closed to "
        "others, that the kiosk PIN is set, that the mail settings read, and that the "
        "log folder can be written. One line per finding, with what to do; exit status "
        "1 if anything needs fixing.",
    )
    add_common(doctor)
    doctor.set_defaults(handler=run_doctor)


def _since(text: str) -> dt.datetime:
    """A day (2026-12-01, or 01/12/2026 as schools write it), with a time after it or not."""
    match = _DAY.match(text.strip())
    try:
        if match is None:
            raise ValueError
        when, hour, minute = match.groups()
        on = day(when)
        moment = dt.datetime(on.year, on.month, on.day, int(hour or 0), int(minute or 0))
        return calendar.to_utc(moment)
    except (ValueError, OverflowError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a day like 2026-12-01 (or 01/12/2026), "
            "or a time like 2026-12-01 09:00"
        ) from None


def run_audit(args: argparse.Namespace) -> int:
    me = who()
    open_db(args)
    found = audit.entries(by=me, since=args.since)
    if args.json:
        print_json(
            [
                {
                    "at": e.at.isoformat(),
                    "who": e.who,
                    "action": e.action,
                    "record": e.record or None,
                    "detail": e.detail,
                }
                for e in found
            ]
        )
    elif not table(
        ("WHEN", "WHO", "WHAT", "RECORD", "WHY"),
        ((local(e.at), e.who, e.action, e.record or "-", e.detail) for e in found),
    ):
        print("Nothing has been refused" + (" since then." if args.since else "."))
    return 0


def run_doctor(args: argparse.Namespace) -> int:
    findings: list[tuple[bool, str]] = []

    def ok(text: str) -> None:
        findings.append((True, text))

    def fix(text: str) -> None:
        findings.append((False, text))

    try:
        me = identity.login()
        ok(f"You are {me} (the account of this process; LOGNAME and USER are not asked).")
    except FitsDeskError as exc:
        me = None
        fix(str(exc))
    try:
        settings = config.load_config()
        ok(f"Settings: {settings.source}.")
    except FitsDeskError as exc:
        fix(str(exc))
        return _report(findings)  # the database and everything else depend on the settings
    url = database.resolve_url(getattr(args, "db", None), settings)
    try:  # looked at, never upgraded: the doctor changes nothing
        handle = database.connect(url, create=False, upgrade=False)
        with database.read():
            pending = database.pending_migrations(handle)
    except FitsDeskError as exc:
        fix(str(exc))
        return _report(findings)
    if pending:
        steps = f"{len(pending)} step{'s' if len(pending) != 1 else ''}"
        fix(f"The database needs upgrading ({steps}): run fitsdesk init, as its owner.")
        return _report(findings)  # what follows reads tables the upgrade makes
    ok(f"The database opens and its schema is current: {database.describe(url)}.")
    path = database.sqlite_path()
    if path is not None:
        problems = db_files.findings(path, settings.db_group)
        for text in problems:
            fix(text)
        if not problems:
            ok(db_files.sharing(path, settings.db_group))
    fresh, said = backups.freshness(url, settings)
    (ok if fresh else fix)(said)
    if me is not None:
        try:
            tech = people.technician(me)
            roles = ", ".join(tech.roles)
            if tech.active:
                ok(f"{me} is an active technician ({roles}).")
            else:
                fix(f"{me} has been deactivated: a manager can bring them back with tech add.")
        except FitsDeskError:
            ok(
                f"{me} is not a technician: it may run a kiosk, mail and the daily tidy-up, "
                f'not the desk (a manager adds technicians: fitsdesk tech add {me} --name "...").'
            )
    managers = [t.login for t in people.list_technicians() if t.can("manager")]
    if managers:
        ok(f"Managers: {', '.join(managers)}.")
    else:
        fix(
            "There is no manager, so anyone who can write the database may add technicians: "
            'fitsdesk tech add LOGIN --name "Full Name" --role manager.'
        )
    if kiosks.pin_is_set():
        ok("The kiosk PIN is set.")
    else:
        fix("No kiosk PIN is set, so nobody can leave a kiosk: set one with fitsdesk kiosk-pin.")
    _mail(settings.mail, ok, fix)
    _log_folder(ok, fix)
    return _report(findings)


def _mail(mail, ok, fix) -> None:
    """Whether the [mail] settings can be used by this account: its secrets read, its
    Maildir there. The servers themselves are tried by fitsdesk mail fetch and send."""
    if not mail.address:
        ok("Mail is off (no [mail] address in the settings): calls come by kiosk and phone.")
        return
    usable = True
    for what, server in (("IMAP", mail.imap), ("SMTP", mail.smtp)):
        if server is None:
            continue
        try:
            server.secret()
        except FitsDeskError as exc:
            usable = False
            fix(f"{what}: {exc} Run fitsdesk doctor as the account that runs fitsdesk mail.")
    if mail.maildir and not os.access(mail.maildir, os.R_OK | os.W_OK | os.X_OK):
        usable = False
        fix(f"The Maildir {mail.maildir} cannot be read and written by this account.")
    if mail.smtp is None:
        usable = False
        fix("[mail] has an address but no [mail.smtp] server, so nothing is sent to callers.")
    if mail.imap is None and not mail.maildir:
        fix("[mail] has no [mail.imap] or [mail.maildir], so no mail is taken in.")
    elif usable:
        ok(f"Mail is set up for {mail.address}.")


def _log_folder(ok, fix) -> None:
    folder = config.state_dir()
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if folder.exists() and not folder.is_dir():
        fix(f"{folder} should be the log folder but is a file: move it away.")
    elif os.access(probe, os.W_OK | os.X_OK):
        path = logs.file()
        size = f", {path.stat().st_size // 1024:,} KB so far" if path.is_file() else ""
        ok(f"The log (what went wrong, in detail) is {path}{size}.")
    else:
        fix(
            f"The log cannot be written to {folder}: make it writable for this account, "
            "or set XDG_STATE_HOME to a folder that is."
        )


def _report(findings: list[tuple[bool, str]]) -> int:
    for good, text in findings:
        print(f"{'ok ' if good else 'FIX'}  {text}")
    needs = sum(1 for good, _ in findings if not good)
    print(f"{needs} thing{'s' if needs != 1 else ''} to fix." if needs else "All is well.")
    return 1 if needs else 0
