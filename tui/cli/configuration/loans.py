"""`fitsdesk loan`: spares lent from the asset register while a device is in for repair.

    fitsdesk loan swap INC-000042 --handed-in LAP-0042 --spare LAP-0099
    fitsdesk loan list
    fitsdesk loan return LAP-0099

Changes are made as the login running the command, who must be an active technician.
"""

from __future__ import annotations

import argparse

from store.configuration import assets, loans
from store.records.views import iso
from tui.cli import add_common, group, list_action
from tui.cli.output import age, local, print_json, table
from tui.cli.session import open_db, who


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "loan", "spares lent while a device is in for repair")

    list_action(actions, "the spares out on loan, and since when", run_loan_list)

    swap = actions.add_parser(
        "swap",
        help="check a device in for repair and lend a spare against a call",
        description="Check the caller's device in for repair against their call and lend "
        "them a spare. The call gets a private note saying so.",
    )
    swap.add_argument("reference", metavar="NUMBER", help="the call, e.g. INC-000042")
    swap.add_argument("--spare", required=True, metavar="TAG", help="the spare being lent")
    swap.add_argument(
        "--handed-in", metavar="TAG", help="the device handed in (default: none, a spare only)"
    )
    swap.add_argument("--to", metavar="NAME", help="who takes the spare (default: the caller)")
    add_common(swap)
    swap.set_defaults(handler=run_loan_swap)

    lend = actions.add_parser(
        "lend",
        help="lend a spare with no call behind it",
        description="Lend a spare with no call behind it (a supply teacher's laptop for the day).",
    )
    lend.add_argument("tag", metavar="TAG", help="the spare")
    lend.add_argument("--to", required=True, metavar="NAME", help="who takes it")
    add_common(lend)
    lend.set_defaults(handler=run_loan_lend)

    back = actions.add_parser(
        "return",
        help="take a spare back",
        description="Take a spare back: it is a spare again, and the device handed in for "
        "it (if any) goes back into use.",
    )
    back.add_argument("tag", metavar="TAG", help="the spare")
    add_common(back)
    back.set_defaults(handler=run_loan_return)


def loan_json(loan: loans.LoanInfo) -> dict:
    return {
        "spare": loan.lent,
        "handed_in": loan.handed_in,
        "borrower": loan.borrower,
        "call": loan.incident,
        "lent_at": iso(loan.lent_at),
        "lent_by": loan.lent_by,
        "returned_at": iso(loan.returned_at),
        "returned_by": loan.returned_by,
    }


def run_loan_list(args: argparse.Namespace) -> int:
    open_db(args)
    out = loans.out_on_loan()
    if args.json:
        print_json([loan_json(loan) for loan in out])
    elif not table(
        ("SPARE", "SINCE", "FOR", "CALL", "HANDED IN", "BORROWER"),
        (
            (
                loan.lent,
                local(loan.lent_at),
                age(loan.lent_at),
                loan.incident or "-",
                loan.handed_in or "-",
                loan.borrower,
            )
            for loan in out
        ),
    ):
        print("No spares are out on loan.")
    return 0


def run_loan_swap(args: argparse.Namespace) -> int:
    open_db(args)
    loan = loans.swap(
        args.reference, handed_in=args.handed_in, spare=args.spare, borrower=args.to, by=who()
    )
    text = f"Lent spare {loan.lent} to {loan.borrower} against {loan.incident}"
    if loan.handed_in:
        text += f"; {loan.handed_in} is in for repair"
    print(text + f". When it comes back: fitsdesk loan return {loan.lent}")
    return 0


def run_loan_lend(args: argparse.Namespace) -> int:
    open_db(args)
    loan = loans.lend(args.tag, args.to, by=who())
    print(f"Lent spare {loan.lent} to {loan.borrower}.")
    return 0


def run_loan_return(args: argparse.Namespace) -> int:
    open_db(args)
    loan = loans.return_spare(args.tag, by=who())
    text = f"{loan.lent} is back and is a spare again"
    if loan.handed_in:
        back = assets.asset(loan.handed_in)
        if back.status == "in_use":
            text += f"; {back.tag} is back in use"
        else:
            text += f"; {back.tag} is {assets.STATUS_WORDS.get(back.status, back.status).lower()}"
    print(text + ".")
    return 0
