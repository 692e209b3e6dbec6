"""`fitsdesk init`, `tech`, `location`, `category` and `kiosk`: the school's own lists."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from store.db import config, database
from store.db import files as db_files
from store.db.models import LEVELS, TECH_ROLES
from store.school import categories, locations, people
from tui.cli import add_common, group, list_action
from tui.cli.output import print_import, print_json, table
from tui.cli.progress import progress_bar
from tui.cli.session import open_db, who


def register(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser(
        "init",
        help="create or upgrade the database and add the starting categories",
        description="Create the database (or bring an existing one up to date) and add a "
        "starting set of categories. Safe to run again.",
    )
    add_common(init)
    init.set_defaults(handler=run_init)

    _register_tech(commands)
    _register_location(commands)
    _register_category(commands)


def _register_tech(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "tech", "the technicians who may use the desk")
    add = actions.add_parser(
        "add",
        help="add a technician",
        description="Add a technician, or bring back a deactivated one. USER is their login name.",
    )
    add.add_argument("login", metavar="USER", help="their login name on this server")
    add.add_argument("--name", required=True, help='their full name, e.g. "Jo Smith"')
    add.add_argument(
        "--role",
        action="append",
        choices=TECH_ROLES,
        dest="roles",
        help="technician (default), manager or committee; repeat for several",
    )
    add_common(add)
    add.set_defaults(handler=run_tech_add)

    roles = actions.add_parser(
        "roles",
        help="give a technician other roles (managers only)",
        description="Give an active technician these roles in place of the ones they have "
        "(managers only; the last manager keeps the manager role).",
    )
    roles.add_argument("login", metavar="USER", help="their login name")
    roles.add_argument(
        "--role",
        action="append",
        choices=TECH_ROLES,
        dest="roles",
        required=True,
        help="technician, manager or committee; repeat for several",
    )
    add_common(roles)
    roles.set_defaults(handler=run_tech_roles)

    listing = list_action(actions, "technicians", run_tech_list)
    listing.add_argument("--all", action="store_true", help="include deactivated ones")

    off = actions.add_parser(
        "deactivate",
        help="stop a technician using the desk",
        description="Stop a technician using the desk; their history stays.",
    )
    off.add_argument("login", metavar="USER", help="their login name")
    add_common(off)
    off.set_defaults(handler=run_tech_deactivate)


def _register_location(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "location", "the school's rooms and places")
    add = actions.add_parser("add", help="add a location", description="Add a room or place.")
    add.add_argument("code", metavar="CODE", help="the school's room code, e.g. S12")
    add.add_argument("--name", required=True, help='e.g. "Science lab 12"')
    add.add_argument("--site", default="", help="the site or building, for a school on several")
    add_common(add)
    add.set_defaults(handler=run_location_add)

    list_action(actions, "locations", run_location_list)

    load = actions.add_parser(
        "import",
        help="add or update locations from a CSV file or a spreadsheet",
        description="Add or update locations from a CSV of rooms, as a site plan or MIS exports "
        "it. Its first row must name the columns: code (or Room, Room Code, RoomCode...), "
        "and if wanted name (Room Name, Description...) and site (Building, Campus...); any "
        "other column stops the import. Every good row is written, or none.",
    )
    load.add_argument(
        "file", type=Path, metavar="FILE", help="a .csv file, or an .xlsx, .xls or .ods workbook"
    )
    load.add_argument(
        "--sheet", metavar="NAME", help="the workbook's sheet to read (the first unless named)"
    )
    load.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would be added, changed and left alone; write nothing",
    )
    add_common(load)
    load.set_defaults(handler=run_location_import)

    remove = actions.add_parser(
        "remove",
        help="remove a room nothing refers to",
        description="Remove a room that no call, device, kiosk, notice, software install, "
        "problem, calendar event or change refers to (it is journalled); otherwise say what "
        "still does.",
    )
    remove.add_argument("code", metavar="CODE", help="the room's code, e.g. S12")
    add_common(remove)
    remove.set_defaults(handler=run_location_remove)


def _register_category(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "category", "the kinds of fault people report")
    add = actions.add_parser("add", help="add a category", description="Add a category.")
    add.add_argument("name", metavar="NAME", help="a short name, e.g. printer")
    add.add_argument("--label", required=True, help='what pupils see, e.g. "Printer"')
    add.add_argument(
        "--impact",
        choices=list(LEVELS.values()),
        default="low",
        help="how much a fault of this kind stops work (default low)",
    )
    add.add_argument(
        "--urgency",
        choices=list(LEVELS.values()),
        default="medium",
        help="how soon it must be fixed (default medium)",
    )
    add.add_argument("--staff-only", action="store_true", help="not shown on the kiosk")
    add_common(add)
    add.set_defaults(handler=run_category_add)

    list_action(actions, "categories", run_category_list)


def run_init(args: argparse.Namespace) -> int:
    me = who()
    settings = config.load_config()  # a mistake in it is said before anything is made
    url = database.resolve_url(getattr(args, "db", None), settings)
    open_db(args, create=True)  # a new file is the owner's alone until shared below
    print(f"The database is ready: {database.describe(url)}")
    path = database.sqlite_path()
    if path is not None:
        for line in db_files.share(path, settings.db_group):
            print(line)
    print(f"It has {len(categories.list_categories())} categories (see: fitsdesk category list).")
    if not people.list_technicians():
        you = '"$(id -un)"' if os.geteuid() == 0 else me  # root sets up; a person manages
        print(f'Next, add yourself: fitsdesk tech add {you} --name "Your Name" --role manager')
    print("Check the setup at any time with: fitsdesk doctor")
    return 0


def run_tech_add(args: argparse.Namespace) -> int:
    open_db(args)
    tech = people.add_technician(args.login, args.name, roles=args.roles or (), by=who())
    print(f"{tech.login} ({tech.full_name}) is a technician: {', '.join(tech.roles)}.")
    return 0


def run_tech_roles(args: argparse.Namespace) -> int:
    me = who()
    open_db(args)
    tech = people.set_roles(args.login, args.roles, by=me)
    print(f"{tech.login} ({tech.full_name}) now has the roles: {', '.join(tech.roles)}.")
    return 0


def run_tech_list(args: argparse.Namespace) -> int:
    open_db(args)
    techs = people.list_technicians(include_inactive=args.all)
    if args.json:
        print_json(
            [
                {"login": t.login, "name": t.full_name, "roles": list(t.roles), "active": t.active}
                for t in techs
            ]
        )
    elif not table(
        ("LOGIN", "ROLES", "ACTIVE", "NAME"),
        ((t.login, ",".join(t.roles), "yes" if t.active else "no", t.full_name) for t in techs),
    ):
        print('No technicians yet. Add one: fitsdesk tech add USER --name "Full Name"')
    return 0


def run_tech_deactivate(args: argparse.Namespace) -> int:
    open_db(args)
    tech = people.deactivate_technician(args.login, by=who())
    print(f"{tech.login} can no longer use the desk; their history stays.")
    return 0


def run_location_add(args: argparse.Namespace) -> int:
    open_db(args)
    place = locations.add_location(args.code, args.name, site=args.site, by=who())
    print(f"Added location {place.code}: {place.name}.")
    return 0


def run_location_list(args: argparse.Namespace) -> int:
    open_db(args)
    places = locations.list_locations()
    if args.json:
        print_json([{"code": p.code, "name": p.name, "site": p.site} for p in places])
    elif not table(("CODE", "SITE", "NAME"), ((p.code, p.site or "-", p.name) for p in places)):
        print("No locations yet. Add one (fitsdesk location add) or import a CSV of rooms.")
    return 0


def run_location_import(args: argparse.Namespace) -> int:
    open_db(args)
    with progress_bar("Importing rooms") as advance:
        report = locations.import_locations(
            args.file, by=who(), dry_run=args.dry_run, progress=advance, sheet=args.sheet
        )
    if report.problems:
        for problem in report.problems:
            print(problem, file=sys.stderr)
        print(
            f"Nothing was imported: fix the {len(report.problems)} problem"
            f"{'s' if len(report.problems) != 1 else ''} above and run it again.",
            file=sys.stderr,
        )
        return 2
    print_import(report, dry_run=args.dry_run)
    return 0


def run_location_remove(args: argparse.Namespace) -> int:
    open_db(args)
    place = locations.remove_location(args.code, by=who())
    print(f"Removed location {place.code}: {place.name}.")
    return 0


def run_category_add(args: argparse.Namespace) -> int:
    open_db(args)
    kind = categories.add_category(
        args.name,
        args.label,
        impact=args.impact,
        urgency=args.urgency,
        on_kiosk=not args.staff_only,
        by=who(),
    )
    print(f"Added category {kind.name}: {kind.label}.")
    return 0


def run_category_list(args: argparse.Namespace) -> int:
    open_db(args)
    kinds = categories.list_categories()
    if args.json:
        print_json(
            [
                {
                    "name": k.name,
                    "label": k.label,
                    "impact": LEVELS[k.impact],
                    "urgency": LEVELS[k.urgency],
                    "on_kiosk": k.on_kiosk,
                }
                for k in kinds
            ]
        )
    elif not table(
        ("NAME", "IMPACT", "URGENCY", "KIOSK", "LABEL"),
        (
            (k.name, LEVELS[k.impact], LEVELS[k.urgency], "yes" if k.on_kiosk else "no", k.label)
            for k in kinds
        ),
    ):
        print("No categories yet. Run: fitsdesk init")
    return 0
