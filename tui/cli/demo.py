"""`fitsdesk demo`: fill a database with a believable school, to try FITS Desk or benchmark it."""

from __future__ import annotations

import argparse
import time

from store.db import database
from store.db.sanitise import shown
from store.demo import demo
from store.school import kiosks
from tui.cli import add_common
from tui.cli.progress import progress_bar
from tui.cli.session import open_db, who


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo",
        help="fill the database with a realistic school's records",
        description="Add a believable secondary school (about 1,200 pupils, 150 staff, real "
        "room codes, kiosks, technicians including you, assets) and a year of incidents on "
        "school days and in lesson times; this year's school calendar and a few changes at "
        "each stage. Adds to what is there.",
    )
    parser.add_argument(
        "--incidents",
        type=_count,
        default=3000,
        metavar="N",
        help="how many incidents (default 3000; up to 5,000,000)",
    )
    parser.add_argument("--seed", type=int, help="repeat the same school")
    add_common(parser)
    parser.set_defaults(handler=run_demo)


def _count(text: str) -> int:
    cleaned = text.strip().replace("_", "").replace(",", "")
    if not cleaned.isdigit() or int(cleaned) > 5_000_000:
        raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a number from 0 to 5,000,000")
    return int(cleaned)


def run_demo(args: argparse.Namespace) -> int:
    open_db(args, create=True)
    had_pin = kiosks.pin_is_set()
    started = time.perf_counter()
    with progress_bar("Logging demo calls") as advance:
        added = demo.fill(args.incidents, by=who(), seed=args.seed, progress=advance)
    seconds = time.perf_counter() - started
    url = database.describe(database.resolve_url(getattr(args, "db", None)))
    print(f"Added a demo school and {added:,} incidents in {seconds:.1f} s to {url}.")
    print("Try: fitsdesk kiosk --kiosk library, fitsdesk list --limit 20, or fitsdesk change list")
    if not had_pin:
        print(
            f"To leave the kiosk press ctrl+t, type the PIN {demo.DEMO_PIN} and press Enter "
            "(set your own with: fitsdesk kiosk-pin)."
        )
    return 0
