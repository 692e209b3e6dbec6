"""`fitsdesk report`: the termly service report (FITS), for the head and the governors.

fitsdesk report --term                      # this term so far (or the last one)
fitsdesk report --term "Summer term" --html summer.html --pdf summer.pdf
fitsdesk report --from 2026-09-01 --to 2026-12-18 --json
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from store.db.errors import BadInput
from store.db.sanitise import shown
from store.service_levels import report, report_files
from tui.cli import add_common
from tui.cli.output import day, print_json
from tui.cli.session import open_db


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "report",
        help="the service report for a term: calls, targets, problems, changes, availability",
        description="The termly service report (FITS): how IT support did, in plain words. "
        "Prints it; --html and --pdf also write it with charts, --json prints it as data "
        "(the keys period, reactive, proactive, changes, availability, finance, continuity).",
    )
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument(
        "--term",
        nargs="?",
        const="",
        metavar="NAME",
        help="a term from the imported calendar, such as 'Autumn term'; alone, this term",
    )
    when.add_argument(
        "--from", dest="first", type=day, metavar="YYYY-MM-DD", help="the first day it covers"
    )
    parser.add_argument(
        "--to",
        dest="last",
        type=day,
        metavar="YYYY-MM-DD",
        help="the last day it covers (with --from)",
    )
    parser.add_argument("--html", type=Path, metavar="FILE", help="write a web page")
    parser.add_argument("--pdf", type=Path, metavar="FILE", help="write an A4 PDF")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_common(parser)
    parser.set_defaults(handler=run)


def with_sections(found: dict, period: report.Period) -> dict:
    """The report with the sections of the areas above service levels (docs/finance.md,
    docs/continuity.md), which the report's own store module cannot reach."""
    from store.continuity import plans
    from store.finance import report as finance_report
    from store.school import calendar

    first = calendar.to_local(period.start).date()
    last = calendar.to_local(period.end - dt.timedelta(microseconds=1)).date()
    return {
        **found,
        "finance": finance_report.section(first, last),
        "continuity": plans.report_section(first, last),
    }


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise BadInput(f"{shown(str(path), 200)} cannot be written ({exc.strerror}).") from None


def run(args: argparse.Namespace) -> int:
    if args.first is not None and args.last is None:
        raise BadInput("Give the last day with --to as well as --from.")
    if args.last is not None and args.first is None:
        raise BadInput("--to goes with --from; for a term, use --term.")
    open_db(args)
    if args.first is not None:
        period = report.dates_period(args.first, args.last)
    else:
        period = report.term_period(args.term or None)
    found = with_sections(report.build(period), period)
    if args.html:
        _write(args.html, report_files.html(found).encode("utf-8"))
    if args.pdf:
        _write(args.pdf, report_files.pdf(found))
    if args.json:
        print_json(found)
        return 0
    print(report_files.text(found), end="")
    for kind, path in (("web page", args.html), ("PDF", args.pdf)):
        if path:
            print(f"Wrote the {kind} to {path}.")
    return 0
