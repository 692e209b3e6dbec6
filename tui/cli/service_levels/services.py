"""`fitsdesk service`: the service catalogue and its outages.

fitsdesk service list                                   # the catalogue, most critical first
fitsdesk service show Printing
fitsdesk service add Printing --description "Printers and copiers" --owner "Office manager" \\
    --criticality medium --availability 98 --category printer --asset PRN-0001
fitsdesk service edit Printing --supplier "Copyfast Ltd" --contract CF-2291
fitsdesk service outage Wi-Fi --from "2026-11-03 09:10" --to "2026-11-03 10:40"
fitsdesk service outage Wi-Fi --call INC-003001        # a major incident's time
"""

from __future__ import annotations

import argparse

from store.db.errors import BadInput
from store.service_levels import catalogue
from tui.cli import add_common, group, list_action
from tui.cli.changes.change_input import local_time
from tui.cli.output import local, print_json, table
from tui.cli.session import open_db, who

DETAILS = (
    ("description", "what it is, in plain words"),
    ("owner", "who answers for it at the school, such as 'Business manager'"),
    ("supplier", "the third party that underpins it, if any"),
    ("contract", "the supplier's contract reference"),
)


def _details(parser: argparse.ArgumentParser, adding: bool) -> None:
    for name, text in DETAILS:
        parser.add_argument(f"--{name}", metavar="TEXT", help=text)
    parser.add_argument(
        "--cover",
        choices=("school", "always"),
        help="when it is agreed to be up: school hours (default) or always",
    )
    parser.add_argument(
        "--criticality",
        choices=("high", "medium", "low"),
        help="how much teaching stops when it is down (default medium)",
    )
    parser.add_argument(
        "--availability", metavar="PERCENT", help="its availability target (default 99)"
    )
    parser.add_argument(
        "--category",
        action="append",
        default=[],
        metavar="NAME",
        help="a kind of fault it covers (repeat for more); see: fitsdesk category list",
    )
    parser.add_argument(
        "--asset",
        action="append",
        default=[],
        metavar="TAG",
        help="a device it stands on (repeat for more)",
    )
    if not adding:
        parser.add_argument("--rename", metavar="NAME", help="a new name")
        parser.add_argument(
            "--drop-category", action="append", default=[], metavar="NAME", help="stop covering"
        )
        parser.add_argument(
            "--drop-asset", action="append", default=[], metavar="TAG", help="stop covering"
        )
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--retire", action="store_true", help="take it out of the catalogue")
        state.add_argument("--restore", action="store_true", help="bring a retired one back")


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "service", "the service catalogue: what the school depends on")
    listing = list_action(actions, "the services, most critical first", run_list)
    listing.add_argument("--all", action="store_true", help="include retired services")

    show = actions.add_parser("show", help="one service", description="Show one service.")
    show.add_argument("name", metavar="SERVICE", help="the service's name")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    add_common(show)
    show.set_defaults(handler=run_show)

    add = actions.add_parser(
        "add",
        help="add a service (a manager's step)",
        description="Add a service to the catalogue. Start from a guess: it can be changed.",
    )
    add.add_argument("name", metavar="SERVICE", help="its name, e.g. 'Wi-Fi'")
    _details(add, adding=True)
    add_common(add)
    add.set_defaults(handler=run_add)

    edit = actions.add_parser(
        "edit",
        help="change a service (a manager's step)",
        description="Change a service: only what is given changes.",
    )
    edit.add_argument("name", metavar="SERVICE", help="the service's name")
    _details(edit, adding=False)
    add_common(edit)
    edit.set_defaults(handler=run_edit)

    outage = actions.add_parser(
        "outage",
        help="record a time a service was down",
        description="Record a time a service was down, in the school's local time, or a "
        "major incident's time with --call. Planned work under a change is not an outage.",
    )
    outage.add_argument("name", metavar="SERVICE", help="the service's name")
    outage.add_argument(
        "--from",
        dest="start",
        type=local_time,
        metavar="'YYYY-MM-DD HH:MM'",
        help="when it went down",
    )
    outage.add_argument(
        "--to", dest="end", type=local_time, metavar="'YYYY-MM-DD HH:MM'", help="leave out if down"
    )
    outage.add_argument("--call", metavar="INC", help="the major incident it was")
    outage.add_argument("--note", metavar="TEXT", default="", help="what happened")
    outage.add_argument("--over", action="store_true", help="say an outage still open is over")
    add_common(outage)
    outage.set_defaults(handler=run_outage)


def _print(found: catalogue.ServiceInfo) -> None:
    lines = [
        ("Service", found.name + (" (retired)" if found.retired else "")),
        ("What", found.description or "-"),
        ("Owner", found.owner or "-"),
        ("Cover", "school hours" if found.cover == "school" else "always"),
        ("Criticality", found.criticality),
        ("Availability", f"{found.availability_target:g}% target"),
        ("Supplier", found.supplier or "-"),
        ("Contract", found.contract or "-"),
        ("Categories", ", ".join(found.categories) or "-"),
        ("Devices", ", ".join(found.assets) or "-"),
        ("Open calls", str(found.open_calls)),
    ]
    for label, value in lines:
        print(f"{label + ':':<14}{value}")


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    found = catalogue.list_services(include_retired=args.all)
    if args.json:
        print_json([service.to_json() for service in found])
        return 0
    count = table(
        ("SERVICE", "CRITICAL", "TARGET", "OPEN", "OWNER", "COVERS"),
        (
            (
                s.name,
                s.criticality,
                f"{s.availability_target:g}%",
                str(s.open_calls),
                s.owner or "-",
                ", ".join(s.categories) or "-",
            )
            for s in found
        ),
    )
    if count == 0:
        print("The catalogue is empty. Add a service: fitsdesk service add NAME.")
    return 0


def run_show(args: argparse.Namespace) -> int:
    open_db(args)
    found = catalogue.show_service(args.name)
    if args.json:
        print_json(found.to_json())
    else:
        _print(found)
    return 0


def _given(args: argparse.Namespace) -> dict:
    names = [name for name, _ in DETAILS] + ["cover", "criticality", "availability"]
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def run_add(args: argparse.Namespace) -> int:
    open_db(args)
    done = catalogue.add_service(
        args.name, categories=args.category, assets=args.asset, by=who(), **_given(args)
    )
    print(f"Added {done.name}.")
    return 0


def run_edit(args: argparse.Namespace) -> int:
    open_db(args)
    given = _given(args)
    retired = True if args.retire else False if args.restore else None
    links = args.category or args.asset or args.drop_category or args.drop_asset
    if not given and not links and args.rename is None and retired is None:
        raise BadInput("Say what to change: see fitsdesk service edit --help.")
    done = catalogue.edit_service(
        args.name,
        new_name=args.rename,
        categories=args.category,
        assets=args.asset,
        drop_categories=args.drop_category,
        drop_assets=args.drop_asset,
        retired=retired,
        by=who(),
        **given,
    )
    print(f"Changed {done.name}.")
    return 0


def run_outage(args: argparse.Namespace) -> int:
    open_db(args)
    if args.call and (args.start or args.end or args.over):
        raise BadInput("With --call the times are the call's: leave out --from, --to and --over.")
    if args.call:
        done = catalogue.outage_from_call(args.call, args.name, by=who())
    elif args.over:
        if args.end is None or args.start is not None:
            raise BadInput("Say when it came back with --to, and no --from.")
        done = catalogue.end_outage(args.name, args.end, by=who())
    else:
        if args.start is None:
            raise BadInput("Say when it went down with --from (or give the major --call).")
        done = catalogue.record_outage(args.name, args.start, args.end, note=args.note, by=who())
    until = local(done.ends_at) if done.ends_at else "still down"
    print(f"{done.service} down from {local(done.starts_at)} to {until}.")
    return 0
