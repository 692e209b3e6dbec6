"""`fitsdesk sla`: the service level targets, per priority, in school time.

fitsdesk sla list                                   # each priority's targets
fitsdesk sla set P1 --respond 30m --resolve 4h      # a manager's step
fitsdesk sla set P1 --clock real                    # a P1 counted every hour
fitsdesk sla cover --opens 08:00 --closes 16:30 --closed 12:00-13:00 --inset closed
"""

from __future__ import annotations

import argparse

from store.db.errors import BadInput
from store.service_levels import hours, targets
from tui.cli import add_common, group
from tui.cli.output import print_json
from tui.cli.session import open_db, who


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "sla", "service level targets: how soon calls are answered")

    listing = actions.add_parser(
        "list",
        help="each priority's response and resolution targets",
        description="Each priority's targets, in school time (cover hours on school days) "
        "unless marked real time.",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(listing)
    listing.set_defaults(handler=run_list)

    change = actions.add_parser(
        "set",
        help="change one priority's targets (a manager's step)",
        description="Change one priority's targets. Lengths are like 30m, 4h, 1d or "
        "3 school days; a day is a school day of cover. What is not given stays.",
    )
    change.add_argument("priority", metavar="PRIORITY", help="P1 to P5")
    change.add_argument("--respond", metavar="LENGTH", help="first answer within this")
    change.add_argument("--resolve", metavar="LENGTH", help="resolved within this")
    change.add_argument(
        "--clock", choices=("school", "real"), help="count school hours (default) or every hour"
    )
    add_common(change)
    change.set_defaults(handler=run_set)

    cover = actions.add_parser(
        "cover",
        help="show or change the hours of cover targets count (a manager's step)",
        description="The hours of cover: school days (from the imported calendar) between "
        "opening and closing, less any closed part of the day. With no option, shows them.",
    )
    cover.add_argument("--opens", metavar="HH:MM", help="cover starts (default 08:00)")
    cover.add_argument("--closes", metavar="HH:MM", help="cover ends (default 16:30)")
    cover.add_argument(
        "--closed",
        metavar="HH:MM-HH:MM",
        action="append",
        help="a part of the day with no cover, such as 12:00-13:00 (repeat for more)",
    )
    cover.add_argument(
        "--open-all-day", action="store_true", help="drop every closed part of the day"
    )
    cover.add_argument(
        "--inset", choices=("open", "closed"), help="whether INSET (training) days count"
    )
    add_common(cover)
    cover.set_defaults(handler=run_cover)


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    found = targets.current()
    if args.json:
        rows = [
            {"priority": t.priority, "respond_seconds": t.respond}
            | {"resolve_seconds": t.resolve, "clock": t.clock}
            for t in found.values()
        ]
        print_json(rows)
        return 0
    for target in found.values():
        print(f"{target.priority}  {targets.words(target)}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    open_db(args)
    if args.respond is None and args.resolve is None and args.clock is None:
        raise BadInput("Say what to change: --respond, --resolve or --clock.")
    done = targets.set_target(
        args.priority, respond=args.respond, resolve=args.resolve, clock=args.clock, by=who()
    )
    print(f"{done.priority}: {targets.words(done)}.")
    return 0


def run_cover(args: argparse.Namespace) -> int:
    open_db(args)
    if args.closed and args.open_all_day:
        raise BadInput("Give --closed or --open-all-day, not both.")
    closed = [] if args.open_all_day else args.closed
    if args.opens is None and args.closes is None and closed is None and args.inset is None:
        print(f"Cover: {hours.cover_words(hours.current_cover())}.")
        return 0
    done = hours.set_cover(
        opens=args.opens,
        closes=args.closes,
        closed=closed,
        inset_open=None if args.inset is None else args.inset == "open",
        by=who(),
    )
    print(f"Cover: {hours.cover_words(done)}.")
    return 0
