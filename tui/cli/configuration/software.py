"""`fitsdesk software`: the software library, where it is installed, standard builds and
the licence report.

    fitsdesk software add Audacity --version 3.4 --purpose "audio editing" --licence free
    fitsdesk software install "Audacity 3.4" --room MU1
    fitsdesk software report
"""

from __future__ import annotations

import argparse
import datetime as dt

from store.configuration import software
from store.configuration.assets import clean_tag
from store.db.errors import BadInput
from store.db.models import LICENCES
from store.db.sanitise import clean_code, shown
from store.records.changes import change_id, change_number
from tui.cli import add_common, group, list_action
from tui.cli import licences as licence_cli
from tui.cli.output import print_json, table
from tui.cli.session import open_db, who


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "software", "the software library, builds and licences")

    add = actions.add_parser(
        "add",
        help="put a title in the library",
        description="Put a title in the library, with what it is for and its licence.",
    )
    add.add_argument("title", metavar="TITLE", help="e.g. Audacity")
    add.add_argument("--version", default="", help="e.g. 3.4")
    add.add_argument("--publisher", default="", help="who makes it")
    add.add_argument(
        "--purpose",
        action="append",
        dest="purposes",
        metavar="PURPOSE",
        help="what it is for, e.g. 'audio editing'; repeat for several",
    )
    add.add_argument(
        "--licence",
        default="site",
        metavar="TYPE",
        help=f"one of: {', '.join(LICENCES)} (default site)",
    )
    add.add_argument("--seats", type=_seats, metavar="N", help="seats bought (per_seat needs it)")
    add.add_argument("--renews", metavar="DATE", help="renewal date: 2025-09-01 or 01/09/2025")
    add_common(add)
    add.set_defaults(handler=run_add)
    licence_cli.licence_options(add, renews=False)

    listing = list_action(actions, "the titles in the library", run_list)
    listing.add_argument("--purpose", metavar="PURPOSE", help="only titles for this purpose")

    for name, verb, text in (
        ("install", run_install, "Record a title as installed on one device or in a room"),
        ("uninstall", run_uninstall, "Record a title as removed from one device or a room"),
    ):
        action = actions.add_parser(
            name,
            help=text[0].lower() + text[1:],
            description=f"{text}. NAME is 'Title' or 'Title Version'. A room counts as one "
            "seat for each device in it.",
        )
        action.add_argument("name", metavar="NAME", help="the title: 'Title' or 'Title Version'")
        where = action.add_mutually_exclusive_group(required=True)
        where.add_argument("--asset", metavar="TAG", help="one device, by its tag")
        where.add_argument("--room", metavar="CODE", help="every device in a room")
        if name == "install":
            action.description += OVER_WORDS
            _over_licence(action)
        add_common(action)
        action.set_defaults(handler=verb)

    builds = group(actions, "build", "standard builds: named images and the titles on them")
    build_add = builds.add_parser(
        "add",
        help="add a standard build",
        description="Add a standard build: a named image and the titles on it.",
    )
    build_add.add_argument("build", metavar="NAME", help="e.g. 'Music suite'")
    build_add.add_argument(
        "--title",
        action="append",
        dest="titles",
        required=True,
        metavar="TITLE",
        help="a title on it ('Title' or 'Title Version'); repeat for each",
    )
    build_add.add_argument("--description", default="", help="what the build is for")
    add_common(build_add)
    build_add.set_defaults(handler=run_build_add)

    build_show = builds.add_parser(
        "show", help="show the titles on a build", description="Show the titles on a build."
    )
    build_show.add_argument("build", metavar="NAME", help="the build's name")
    build_show.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(build_show)
    build_show.set_defaults(handler=run_build_show)

    build_list = builds.add_parser(
        "list", help="list the standard builds", description="List the standard builds."
    )
    build_list.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(build_list)
    build_list.set_defaults(handler=run_build_list)

    build_install = builds.add_parser(
        "install",
        help="record every title on a build as installed on a device or in a room",
        description="Record every title on a build as installed on one device or in one room, "
        "after imaging it, under a standard change that is scheduled or implemented (FITS "
        "release management); the change lists what it installed. Titles already recorded "
        "there are left as they are." + OVER_WORDS,
    )
    build_install.add_argument("build", metavar="NAME", help="the build's name")
    where = build_install.add_mutually_exclusive_group(required=True)
    where.add_argument("--asset", metavar="TAG", help="one device, by its tag")
    where.add_argument("--room", metavar="CODE", help="every device in a room")
    build_install.add_argument(
        "--change",
        required=True,
        metavar="RFC",
        help="the standard change it goes on under, e.g. RFC-000123",
    )
    _over_licence(build_install)
    add_common(build_install)
    build_install.set_defaults(handler=run_build_install)

    report = actions.add_parser(
        "report",
        help="licences: installs against seats, renewals due",
        description="The licence report: every title with seats or a renewal date, with its "
        "installs against the seats bought. Titles over their seats come first, then "
        f"renewals due soonest; DUE marks a renewal within {software.RENEWAL_WINDOW.days} days.",
    )
    report.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(report)
    report.set_defaults(handler=run_report)
    licence_cli.register(actions)


OVER_WORDS = (
    " Going beyond the seats bought is refused with the numbers, unless a manager allows "
    "it with --over-licence and --reason; the journal keeps who and why."
)


def _over_licence(action: argparse.ArgumentParser) -> None:
    action.add_argument(
        "--over-licence",
        action="store_true",
        help="a manager allows going beyond the seats bought (needs --reason)",
    )
    action.add_argument("--reason", metavar="WHY", help="why it may go beyond the seats")


def _allowed(args: argparse.Namespace) -> str:
    """The manager's reason for going over the seats, or "" when not asked to."""
    if args.over_licence and not (args.reason or "").strip():
        raise BadInput("Say why it may go beyond the seats: --over-licence --reason WHY.")
    if args.reason and not args.over_licence:
        raise BadInput("--reason goes with --over-licence: say both, or neither.")
    return args.reason if args.over_licence else ""


def _seats(text: str) -> int:
    if not text.strip().isdigit() or int(text) > 1_000_000:
        raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a whole number of seats")
    return int(text)


def software_json(info: software.SoftwareInfo) -> dict:
    return {
        "title": info.title,
        "version": info.version,
        "name": info.name,
        "publisher": info.publisher,
        "purposes": list(info.purposes),
        "licence": info.licence,
        "seats": info.seats,
        "installs": info.installs,
        "renews_on": info.renews_on.isoformat() if info.renews_on else None,
    }


def _in_use(info: software.SoftwareInfo) -> str:
    if info.seats is None:
        return f"{info.installs} in use"
    return f"{info.installs} of {info.seats} seats in use"


def run_add(args: argparse.Namespace) -> int:
    open_db(args)
    licence_cli.checked(args)
    info = software.add_software(
        args.title,
        version=args.version,
        publisher=args.publisher,
        purposes=args.purposes or (),
        licence=args.licence,
        seats=args.seats,
        renews_on=args.renews,
        by=who(),
    )
    licence_cli.apply(args, info.name)
    renews = f", renews {info.renews_on.isoformat()}" if info.renews_on else ""
    seats = "" if info.seats is None else f", {info.seats} seat{'' if info.seats == 1 else 's'}"
    print(f"Added {info.name} to the library ({info.licence} licence{seats}{renews}).")
    return 0


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    found = software.list_software(args.purpose)
    if args.json:
        print_json([software_json(info) for info in found])
    elif not table(
        ("TITLE", "VERSION", "LICENCE", "INSTALLS", "SEATS", "PURPOSES"),
        (
            (
                s.title,
                s.version or "-",
                s.licence,
                str(s.installs),
                "-" if s.seats is None else str(s.seats),
                ", ".join(s.purposes) or "-",
            )
            for s in found
        ),
    ):
        print("No titles match." if args.purpose else "The library is empty.")
    return 0


def _where(args: argparse.Namespace) -> str:
    return clean_tag(args.asset) if args.asset else clean_code(args.room)


def run_install(args: argparse.Namespace) -> int:
    open_db(args)
    info = software.install(
        args.name, asset=args.asset, room=args.room, over_licence=_allowed(args), by=who()
    )
    print(f"{info.name} is installed on {_where(args)} ({_in_use(info)}).")
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    open_db(args)
    info = software.uninstall(args.name, asset=args.asset, room=args.room, by=who())
    print(f"{info.name} is no longer on {_where(args)} ({_in_use(info)}).")
    return 0


def run_build_add(args: argparse.Namespace) -> int:
    open_db(args)
    titles = software.add_build(args.build, args.titles, description=args.description, by=who())
    print(f"Added build {shown(args.build, 60)}: {', '.join(t.name for t in titles)}.")
    return 0


def run_build_show(args: argparse.Namespace) -> int:
    open_db(args)
    titles = software.build_titles(args.build)
    if args.json:
        print_json([software_json(info) for info in titles])
    elif not table(
        ("TITLE", "VERSION", "LICENCE", "PURPOSES"),
        ((t.title, t.version or "-", t.licence, ", ".join(t.purposes) or "-") for t in titles),
    ):
        print("No titles are on this build.")
    return 0


def run_build_list(args: argparse.Namespace) -> int:
    open_db(args)
    found = software.list_builds()
    if args.json:
        print_json([{"name": n, "description": d, "titles": count} for n, d, count in found])
    elif not table(
        ("BUILD", "TITLES", "DESCRIPTION"), ((n, str(c), d or "-") for n, d, c in found)
    ):
        print("There are no standard builds yet. Add one: fitsdesk software build add --help")
    return 0


def run_build_install(args: argparse.Namespace) -> int:
    open_db(args)
    added = software.install_build(
        args.build,
        asset=args.asset,
        room=args.room,
        change=args.change,
        over_licence=_allowed(args),
        by=who(),
    )
    if added:
        print(
            f"Recorded on {_where(args)} under {change_number(change_id(args.change))}: "
            f"{', '.join(t.name for t in added)}."
        )
    else:
        print(f"Every title on that build was already recorded on {_where(args)}.")
    return 0


def run_report(args: argparse.Namespace) -> int:
    open_db(args)
    lines = software.licence_report()
    if args.json:
        print_json(
            [
                {
                    **software_json(line.software),
                    "over": line.over,
                    "renewal_due": line.renewal_due,
                }
                for line in lines
            ]
        )
        return 0
    today = dt.date.today()

    def renews(line: software.LicenceLine) -> str:
        when = line.software.renews_on
        if when is None:
            return "-"
        late = " (passed)" if when < today else ""
        return f"{when.isoformat()}{late}"

    if not table(
        ("TITLE", "LICENCE", "INSTALLS/SEATS", "OVER BY", "RENEWS", "DUE"),
        (
            (
                line.software.name,
                line.software.licence,
                f"{line.software.installs}/"
                + ("-" if line.software.seats is None else str(line.software.seats)),
                f"{line.over} over" if line.over else "-",
                renews(line),
                "DUE" if line.renewal_due else "",
            )
            for line in lines
        ),
        red=lambda row: row[3] != "-",
    ):
        print("No titles have seats or a renewal date to report on.")
    return 0
