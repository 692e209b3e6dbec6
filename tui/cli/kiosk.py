"""`fitsdesk kiosk`, `kiosk add/list`, `kiosk-pin` and `notice`: the walk-up kiosks.

What only the other actions use (the printing, the PIN prompt) is imported by them, so
`fitsdesk kiosk` reaches its first screen sooner."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys

from store.db import database
from store.db.errors import BadInput
from store.db.sanitise import shown
from store.school import kiosks, notices, people
from tui.cli import add_common, group, list_action
from tui.cli.session import open_db, who


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "kiosk", "run a walk-up kiosk, or register one", required=False)
    app = actions.parent
    app.description = (
        "With no action: run the walk-up kiosk full screen in this terminal. NAME (registered "
        "with 'fitsdesk kiosk add') sets where it stands. Only the technician PIN leaves it: "
        "press ctrl+t. Set the PIN first with 'fitsdesk kiosk-pin'."
    )
    app.add_argument("--kiosk", metavar="NAME", help="this kiosk's name, e.g. library")
    app.set_defaults(handler=run_kiosk)

    add = actions.add_parser(
        "add",
        help="register a kiosk",
        description="Register a kiosk at a location, or move an existing one there.",
    )
    add.add_argument("name", metavar="NAME", help="e.g. library")
    add.add_argument("--location", required=True, metavar="CODE", help="the room it stands in")
    add_common(add)
    add.set_defaults(handler=run_kiosk_add)
    list_action(actions, "kiosks", run_kiosk_list)

    pin = commands.add_parser(
        "kiosk-pin",
        help="set the PIN a technician types to leave a kiosk",
        description="Set the PIN (4 to 12 digits) a technician types after ctrl+t to leave "
        "any kiosk. It is stored hashed. Asks twice on a terminal; reads one line otherwise.",
    )
    add_common(pin)
    pin.set_defaults(handler=run_kiosk_pin)

    notice = group(commands, "notice", "short messages the kiosks show")
    post = notice.add_parser(
        "add",
        help="post a notice",
        description='Post a notice for the kiosks, e.g. "Wi-Fi is down in the Library, '
        "we're on it\", so nobody queues to report what you already know.",
    )
    post.add_argument("text", metavar="TEXT", help="what the kiosks show (one short line)")
    post.add_argument("--location", metavar="CODE", help="only kiosks in this room (default: all)")
    post.add_argument(
        "--until",
        metavar="DATE",
        type=_until,
        help="the last day it shows (YYYY-MM-DD, today or tomorrow) or its end (YYYY-MM-DD HH:MM)",
    )
    add_common(post)
    post.set_defaults(handler=run_notice_add)
    listing = list_action(notice, "notices", run_notice_list)
    listing.add_argument("--all", action="store_true", help="include ended ones")
    withdraw = notice.add_parser(
        "withdraw", help="stop showing a notice", description="Stop showing a notice now."
    )
    withdraw.add_argument(
        "id", type=_number, metavar="NUMBER", help="the notice's number: fitsdesk notice list"
    )
    add_common(withdraw)
    withdraw.set_defaults(handler=run_notice_withdraw)


RELATIVE_DAYS = {"today": 0, "tomorrow": 1}
"""Days a notice may end on by name, so an example or a script never goes stale."""


def _until(text: str) -> dt.datetime:
    """A local date (through the end of that day), today or tomorrow (the same), or a
    date and time, as naive UTC."""
    cleaned = text.strip()
    try:
        if cleaned.lower() in RELATIVE_DAYS:
            day = dt.date.today() + dt.timedelta(days=RELATIVE_DAYS[cleaned.lower()])
            moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        elif len(cleaned) == 10:
            moment = dt.datetime.combine(
                dt.date.fromisoformat(cleaned) + dt.timedelta(days=1), dt.time()
            )
        else:
            moment = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a date like 2026-12-01, 2026-12-01 15:30, today or tomorrow"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the machine's local time
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _number(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a notice number")
    return int(text)


def run_kiosk(args: argparse.Namespace) -> int:
    url = database.resolve_url(getattr(args, "db", None))
    open_db(args)
    if not kiosks.pin_is_set():
        raise BadInput("Set the technician PIN first, so the kiosk can be left: fitsdesk kiosk-pin")
    name = kiosks.kiosk(args.kiosk).name if args.kiosk else None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise BadInput("The kiosk needs a terminal to run in.")
    for caught in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):
        signal.signal(caught, signal.SIG_IGN)  # no key combination stops a kiosk
    from kiosk.app import KioskApp

    app = KioskApp(db_url=url, kiosk=name)
    app.run()
    return app.return_code or 0  # non-zero if it crashed, so a service manager restarts it


def run_kiosk_add(args: argparse.Namespace) -> int:
    open_db(args)
    kiosk = kiosks.add_kiosk(args.name, args.location, by=who())
    print(f"Kiosk {kiosk.name} stands at {kiosk.location} ({kiosk.location_name}).")
    return 0


def run_kiosk_list(args: argparse.Namespace) -> int:
    from tui.cli.output import print_json, table

    open_db(args)
    found = kiosks.list_kiosks()
    if args.json:
        print_json([{"name": k.name, "location": k.location} for k in found])
    elif not table(
        ("NAME", "LOCATION", "WHERE"), ((k.name, k.location, k.location_name) for k in found)
    ):
        print("No kiosks yet. Add one: fitsdesk kiosk add NAME --location CODE")
    return 0


def run_kiosk_pin(args: argparse.Namespace) -> int:
    import getpass

    me = who()
    open_db(args)
    people.refuse_unless_manager(me, "set the kiosk PIN")  # before asking for it
    if sys.stdin.isatty():
        pin = getpass.getpass("New kiosk PIN (4 to 12 digits): ")
        if getpass.getpass("The same again: ") != pin:
            raise BadInput("The two PINs are different: nothing was changed.")
    else:
        pin = sys.stdin.readline().strip()
    kiosks.set_pin(pin, by=me)
    print("The kiosk PIN is set. Press ctrl+t on a kiosk and type it to leave.")
    return 0


def run_notice_add(args: argparse.Namespace) -> int:
    from tui.cli.output import local

    open_db(args)
    notice = notices.add_notice(args.text, location=args.location, until=args.until, by=who())
    where = f"kiosks in {notice.location}" if notice.location else "every kiosk"
    until = f" until {local(notice.until)}" if notice.until else ""
    print(f"Notice {notice.id} is showing on {where}{until}.")
    return 0


def run_notice_list(args: argparse.Namespace) -> int:
    from tui.cli.output import local, print_json, table

    open_db(args)
    found = notices.list_notices(include_old=args.all)
    if args.json:
        print_json(
            [
                {
                    "id": n.id,
                    "text": n.text,
                    "location": n.location,
                    "until": n.until.replace(tzinfo=dt.UTC).isoformat() if n.until else None,
                    "withdrawn": n.withdrawn_at is not None,
                    "by": n.created_by,
                }
                for n in found
            ]
        )
    elif not table(
        ("NUMBER", "WHERE", "UNTIL", "TEXT"),
        (
            (str(n.id), n.location or "all", local(n.until) if n.until else "-", n.text)
            for n in found
        ),
    ):
        print("No notices are showing.")
    return 0


def run_notice_withdraw(args: argparse.Namespace) -> int:
    open_db(args)
    notice = notices.withdraw_notice(args.id, by=who())
    print(f"Notice {notice.id} is no longer showing.")
    return 0
