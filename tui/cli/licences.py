"""A licence's money on `fitsdesk software add`, `software edit` and `software show`: its
cost per seat or per year, renewal date, auto-renew and reminder window (docs/finance.md).

    fitsdesk software add Sibelius --version 2024 --licence per_seat --seats 20 \\
        --cost 45 --cost-per seat --renews 2027-06-25 --remind-days 60
    fitsdesk software edit "Microsoft 365" --cost 2950 --cost-per year --auto-renew
    fitsdesk software edit "Microsoft 365" --renews 2026-05-06 --renews-to 2027-05-06
    fitsdesk software show "Microsoft 365" --json
"""

from __future__ import annotations

import argparse

from tui.cli import add_common
from tui.cli.output import print_json
from tui.cli.session import open_db, who


def licence_options(parser: argparse.ArgumentParser, *, renews: bool = True) -> None:
    """The licence money options, on `software add` (which has its own --renews) and edit."""
    parser.add_argument("--cost", metavar="AMOUNT", help="what the licence costs, e.g. 45.00")
    parser.add_argument(
        "--cost-per",
        choices=("seat", "year", "once"),
        type=str.lower,
        help="seat (a year), year (the whole licence) or once (bought outright)",
    )
    if renews:
        parser.add_argument("--renews", metavar="DATE", help="renewal date: 2027-08-31")
    parser.add_argument(
        "--renews-to",
        metavar="DATE",
        help="the date it now renews to, when the renewal date has passed",
    )
    parser.add_argument(
        "--auto-renew",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="whether it renews itself",
    )
    parser.add_argument(
        "--remind-days", metavar="DAYS", help="how many days before renewal to remind (60)"
    )


def given(args: argparse.Namespace) -> dict:
    """The licence money options given, as licences.set_licence's keywords."""
    found = {
        "cost": args.cost,
        "per": args.cost_per,
        "renews_on": getattr(args, "renews", None),
        "renews_to": args.renews_to,
        "auto_renew": args.auto_renew,
        "remind_days": args.remind_days,
    }
    return {key: value for key, value in found.items() if value is not None}


def checked(args: argparse.Namespace) -> dict:
    """The options, checked before anything is written (BadInput otherwise)."""
    from store.finance import licences

    options = given(args)
    licences.clean_licence(**options)
    return options


def apply(args: argparse.Namespace, name: str) -> None:
    """Record the money given on `software add` once the title is in the library."""
    from store.finance import licences

    options = given(args)
    options.pop("renews_on", None)  # `add` stores the renewal date itself
    if options:
        licences.set_licence(name, by=who(), **options)


def register(actions: argparse._SubParsersAction) -> None:
    """`software edit` and `software show`."""
    edit = actions.add_parser(
        "edit",
        help="change a title's licence cost, renewal, auto-renew or reminder",
        description="Change a title's licence money. NAME is 'Title' or 'Title Version'. A "
        "renewal date in the past is refused unless --renews-to gives the date it now "
        "renews to.",
    )
    edit.add_argument("name", metavar="NAME", help="the title's name")
    licence_options(edit)
    add_common(edit)
    edit.set_defaults(handler=run_edit)

    show = actions.add_parser(
        "show",
        help="show a title: licence, seats, cost and renewal",
        description="Show a title: its licence, seats in use, cost and renewal.",
    )
    show.add_argument("name", metavar="NAME", help="the title's name")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    add_common(show)
    show.set_defaults(handler=run_show)


def run_edit(args: argparse.Namespace) -> int:
    from store.finance import licences

    open_db(args)
    found = licences.set_licence(args.name, by=who(), **given(args))
    _describe(found)
    return 0


def licence_json(found) -> dict:
    return {
        "name": found.name,
        "cost_pence": found.cost_pence,
        "cost_per": found.cost_per,
        "seats": found.seats,
        "installs": found.installs,
        "renews_on": found.renews_on.isoformat() if found.renews_on else None,
        "auto_renew": found.auto_renew,
        "remind_days": found.remind_days,
        "yearly_pence": found.yearly_pence,
    }


def run_show(args: argparse.Namespace) -> int:
    from store.configuration import software
    from store.finance import licences

    open_db(args)
    found = licences.licence(args.name)
    detail = software.detail(args.name)
    if args.json:
        print_json(
            {
                **licence_json(found),
                "licence": detail.software.licence,
                "publisher": detail.software.publisher,
                "purposes": list(detail.software.purposes),
                "devices": list(detail.devices),
                "rooms": [{"room": code, "devices": n} for code, n in detail.rooms],
                "builds": list(detail.builds),
            }
        )
        return 0
    print(found.name)
    print(f"  {'Licence:':<14}{detail.software.licence}")
    _describe(found)
    if detail.rooms:
        rooms = ", ".join(f"{code} ({n})" for code, n in detail.rooms)
        print(f"  {'Rooms:':<14}{rooms}")
    if detail.devices:
        print(f"  {'Devices:':<14}{', '.join(detail.devices)}")
    if detail.builds:
        print(f"  {'Builds:':<14}{', '.join(detail.builds)}")
    return 0


def _describe(found) -> None:
    from store.finance import money

    settings = money.settings()
    per = {"seat": "a seat a year", "year": "a year", "once": "once"}.get(found.cost_per, "")
    cost = (
        f"{money.pounds(found.cost_pence, settings)} {per}" if found.cost_pence is not None else "-"
    )
    seats = "-" if found.seats is None else str(found.seats)
    rows = [
        ("Seats", f"{seats} ({found.installs} in use)"),
        ("Cost", cost),
        ("A year", money.pounds(found.yearly_pence, settings)),
        ("Renews", found.renews_on.isoformat() if found.renews_on else "-"),
        ("Auto-renew", "yes" if found.auto_renew else "no"),
        ("Remind", f"{found.remind_days} days before"),
    ]
    for label, value in rows:
        print(f"  {label + ':':<14}{value}")
