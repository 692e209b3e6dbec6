"""`fitsdesk spend`, `fitsdesk finance` and `fitsdesk budget`: what IT costs, the school's
financial settings and the budget plan (docs/finance.md).

    fitsdesk spend add --amount 129.99 --category repairs --date 2026-11-03 --call INC-000042
    fitsdesk spend list --from 2026-04-01 --category repairs
    fitsdesk spend import ledger.csv
    fitsdesk finance set --year-starts september --threshold 1000
    fitsdesk finance asset LAP-0042 --funding "Devolved capital" --life 4
    fitsdesk budget set 2026 repairs 4000
    fitsdesk budget --years 3 --html budget.html --pdf budget.pdf
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from store.db.errors import BadInput
from store.db.models import SPEND_CATEGORIES
from store.db.sanitise import shown
from tui.cli import add_common, group
from tui.cli.output import print_json, table
from tui.cli.session import open_db, who


def register(commands: argparse._SubParsersAction) -> None:
    _register_spend(commands)
    _register_finance(commands)
    _register_budget(commands)


def _register_spend(commands) -> None:
    actions = group(commands, "spend", "what IT costs: record, list and import spending")
    add = actions.add_parser(
        "add",
        help="record a cost",
        description="Record a cost, in the school's currency, against a device, a title or "
        "a call (a call's costs count towards its device's cost over its life).",
    )
    add.add_argument("--amount", required=True, help="e.g. 129.99 (pounds and pence)")
    add.add_argument("--category", required=True, help=f"one of: {', '.join(SPEND_CATEGORIES)}")
    add.add_argument("--date", required=True, help="when it was spent: 2026-11-03")
    add.add_argument("--supplier", default="", help="who was paid")
    add.add_argument("--reference", default="", help="the order or invoice number")
    add.add_argument("--description", default="", help="what it was for")
    against = add.add_mutually_exclusive_group()
    against.add_argument("--asset", metavar="TAG", help="a device, by its tag")
    against.add_argument("--software", metavar="TITLE", help="a title in the library")
    against.add_argument("--call", metavar="INC", help="a call, such as INC-000042")
    add_common(add)
    add.set_defaults(handler=run_spend_add)

    listing = actions.add_parser("list", help="list costs", description="List costs, oldest first.")
    listing.add_argument("--from", dest="first", metavar="DATE", help="from this day")
    listing.add_argument("--to", dest="last", metavar="DATE", help="to this day")
    listing.add_argument("--category", help=f"one of: {', '.join(SPEND_CATEGORIES)}")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(listing)
    listing.set_defaults(handler=run_spend_list)

    imports = actions.add_parser(
        "import",
        help="import costs from the finance system's CSV or spreadsheet",
        description="Import costs from a CSV file or a spreadsheet (.xlsx, .xls, .ods) "
        "whose first row names the columns: date, amount and category, and any of "
        "supplier, reference, description, asset, software and call (docs/finance.md "
        "lists the other names each may have). Every row goes in, or none does.",
    )
    imports.add_argument(
        "file", type=Path, metavar="FILE", help="a .csv file, or an .xlsx, .xls or .ods workbook"
    )
    imports.add_argument("--sheet", metavar="NAME", help="a spreadsheet's sheet (default: first)")
    add_common(imports)
    imports.set_defaults(handler=run_spend_import)


def _register_finance(commands) -> None:
    actions = group(commands, "finance", "the school's financial settings and devices' money")
    setting = actions.add_parser(
        "set",
        help="set the financial year, capitalisation threshold or currency (managers)",
        description="Set when the financial year starts (april for maintained schools, "
        "september for academies), the capitalisation threshold (a device costing this or "
        "more is capital) and the currency. A manager's step.",
    )
    setting.add_argument(
        "--year-starts",
        choices=("april", "september"),
        type=str.lower,
        help="april (maintained schools) or september (academies)",
    )
    setting.add_argument("--threshold", metavar="AMOUNT", help="e.g. 1000")
    setting.add_argument("--currency", metavar="CODE", help="GBP (the default), EUR or USD")
    add_common(setting)
    setting.set_defaults(handler=run_finance_set)

    show = actions.add_parser(
        "show", help="show the financial settings", description="Show the financial settings."
    )
    show.add_argument("--json", action="store_true", help="print a JSON object")
    add_common(show)
    show.set_defaults(handler=run_finance_show)

    device = actions.add_parser(
        "asset",
        help="set a device's funding source, useful life or planned replacement",
        description="Set a device's funding source, useful life in years (its kind's "
        "default if not set) or the financial year it is planned to be replaced in. An "
        "empty value clears it. Shows the device's money afterwards.",
    )
    device.add_argument("tag", metavar="TAG", help="the device's tag")
    device.add_argument("--funding", help="e.g. 'Devolved capital', 'PTA'")
    device.add_argument("--life", metavar="YEARS", help="useful life in whole years")
    device.add_argument("--replace-in", metavar="YEAR", help="e.g. 2028 or 2028-29")
    add_common(device)
    device.set_defaults(handler=run_finance_asset)


def _register_budget(commands) -> None:
    parser = commands.add_parser(
        "budget",
        help="the IT budget plan: replacements, licences, repairs, spend against budget",
        description="The IT budget plan for the financial years ahead, per category: devices "
        "reaching the end of their life and what replacing them costs at today's prices, "
        "licence renewals, repairs from the last years' trend, and this year's spend "
        "against budget. Prints it; --html and --pdf also write it with charts, --json "
        "prints it as data. `budget set` sets a category's budget.",
    )
    parser.add_argument("--years", type=_years, default=3, metavar="N", help="years (default 3)")
    parser.add_argument("--html", type=Path, metavar="FILE", help="write a web page")
    parser.add_argument("--pdf", type=Path, metavar="FILE", help="write an A4 PDF")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    add_common(parser)
    parser.set_defaults(handler=run_budget)
    actions = parser.add_subparsers(title="actions", metavar="ACTION", parser_class=type(parser))
    actions.required = False
    setting = actions.add_parser(
        "set",
        help="set a category's budget for a financial year (managers)",
        description="Set a category's budget for a financial year. A manager's step.",
    )
    setting.add_argument("year", metavar="YEAR", help="e.g. 2026 or 2026-27")
    setting.add_argument("category", metavar="CATEGORY", help=", ".join(SPEND_CATEGORIES))
    setting.add_argument("amount", metavar="AMOUNT", help="e.g. 4000")
    add_common(setting)
    setting.set_defaults(handler=run_budget_set)


def _years(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= 10:
        raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a number of years from 1 to 10")
    return int(cleaned)


def spend_json(item) -> dict:
    return {
        "id": item.id,
        "amount_pence": item.amount_pence,
        "amount": f"{item.amount_pence // 100}.{item.amount_pence % 100:02d}",
        "category": item.category,
        "spent_on": item.spent_on.isoformat(),
        "supplier": item.supplier,
        "reference": item.reference,
        "description": item.description,
        "asset": item.asset,
        "software": item.software,
        "call": item.call,
        "source": item.source,
    }


def run_spend_add(args: argparse.Namespace) -> int:
    from store.finance import money, spending

    open_db(args)
    item = spending.add_spend(
        args.amount,
        args.category,
        args.date,
        supplier=args.supplier,
        reference=args.reference,
        description=args.description,
        asset=args.asset,
        software=args.software,
        call=args.call,
        by=who(),
    )
    against = item.call or item.asset or item.software
    on = f" against {against}" if against else ""
    if item.call and item.asset:
        on += f" ({item.asset})"
    print(
        f"Recorded {money.pounds(item.amount_pence, money.settings())} on {item.category} "
        f"on {item.spent_on.isoformat()}{on}."
    )
    return 0


def run_spend_list(args: argparse.Namespace) -> int:
    from store.finance import money, spending

    open_db(args)
    found = spending.list_spend(start=args.first, end=args.last, category=args.category)
    if args.json:
        print_json([spend_json(item) for item in found])
        return 0
    settings = money.settings()
    if not table(
        ("DATE", "AMOUNT", "CATEGORY", "SUPPLIER", "REFERENCE", "AGAINST"),
        (
            (
                s.spent_on.isoformat(),
                money.pounds(s.amount_pence, settings),
                s.category,
                s.supplier or "-",
                s.reference or "-",
                s.call or s.asset or s.software or "-",
            )
            for s in found
        ),
    ):
        print("No spending matches.")
    else:
        print(f"Total: {money.pounds(sum(s.amount_pence for s in found), settings)}")
    return 0


def run_spend_import(args: argparse.Namespace) -> int:
    from store.finance import money, spending

    open_db(args)
    report = spending.import_spend(args.file, by=who(), sheet=args.sheet)
    if report.problems:
        for problem in report.problems:
            print(problem, file=sys.stderr)
        count = len(report.problems)
        print(
            f"Nothing was imported: fix the {count} problem{'s' if count != 1 else ''} above "
            "and run it again.",
            file=sys.stderr,
        )
        return 2
    print(
        f"Imported {report.added} cost{'s' if report.added != 1 else ''}, "
        f"{money.pounds(report.total_pence, money.settings())} in all."
    )
    return 0


def run_finance_set(args: argparse.Namespace) -> int:
    from store.finance import money

    open_db(args)
    if args.year_starts is None and args.threshold is None and args.currency is None:
        raise BadInput("Say what to set: --year-starts, --threshold or --currency.")
    found = money.set_settings(
        year_starts=args.year_starts, threshold=args.threshold, currency=args.currency, by=who()
    )
    print(f"Financial settings: {money.words(found)}.")
    return 0


def run_finance_show(args: argparse.Namespace) -> int:
    from store.finance import money

    open_db(args)
    found = money.settings()
    if args.json:
        print_json(
            {
                "year_starts": found.year_starts_word.lower(),
                "threshold_pence": found.threshold_pence,
                "currency": found.currency,
            }
        )
        return 0
    print(f"Financial year starts: {found.year_starts_word}")
    print(f"Capital from:          {money.pounds(found.threshold_pence, found)}")
    print(f"Currency:              {found.currency}")
    return 0


def run_finance_asset(args: argparse.Namespace) -> int:
    from store.finance import lifecycle

    open_db(args)
    found = lifecycle.set_record(
        args.tag, funding=args.funding, life=args.life, replace_in=args.replace_in, by=who()
    )
    for label, value in record_rows(found):
        print(f"  {label + ':':<13}{value}")
    return 0


def record_rows(found) -> list[tuple[str, str]]:
    """A device's money as label and value, for `asset show` and `finance asset`."""
    from store.finance import money

    settings = money.settings()
    kind = "capital" if found.capital else "revenue" if found.capital is False else "-"
    life = f"{found.life_years} years" + ("" if found.own_life else " (its kind's default)")
    return [
        ("Funding", found.funding or "-"),
        ("Capital", kind),
        ("Useful life", life),
        ("Book value", money.pounds(found.book_value_pence, settings)),
        ("Replace in", money.year_label(found.replace_in) if found.replace_in else "-"),
        ("Spent since", money.pounds(found.spend_pence, settings)),
        ("Total cost", money.pounds(found.total_cost_pence, settings)),
    ]


def record_json(found) -> dict:
    return {
        "funding": found.funding,
        "capital": found.capital,
        "useful_life_years": found.life_years,
        "book_value_pence": found.book_value_pence,
        "replace_in": found.replace_in,
        "spend_pence": found.spend_pence,
        "total_cost_pence": found.total_cost_pence,
    }


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise BadInput(f"{shown(str(path), 200)} cannot be written ({exc.strerror}).") from None


def run_budget(args: argparse.Namespace) -> int:
    from store.finance import budget, budget_files

    open_db(args)
    found = budget.plan(years=args.years)
    if args.html:
        _write(args.html, budget_files.html(found).encode("utf-8"))
    if args.pdf:
        _write(args.pdf, budget_files.pdf(found))
    if args.json:
        print_json(found)
        return 0
    print(budget_files.text(found), end="")
    for path in (args.html, args.pdf):
        if path:
            print(f"Wrote {shown(str(path), 200)}.")
    return 0


def run_budget_set(args: argparse.Namespace) -> int:
    from store.finance import budget, money

    open_db(args)
    pence = budget.set_budget(args.year, args.category, args.amount, by=who())
    year = money.clean_year(args.year)
    print(
        f"The {budget.clean_category(args.category)} budget for {money.year_label(year)} is "
        f"{money.pounds(pence, money.settings())}."
    )
    return 0
