"""`fitsdesk labels`: a printable sheet of QR asset labels.

fitsdesk labels --location S12 -o s12.pdf
fitsdesk labels --tag LAP-0042 --tag LAP-0043 -o two.svg
"""

from __future__ import annotations

import argparse
from pathlib import Path

from store.configuration import assets, labels
from store.db import config
from store.db.errors import BadInput, NotFound
from store.school import locations
from tui.cli import add_common
from tui.cli.session import open_db

SUFFIXES = (".pdf", ".svg", ".png")


def register(commands: argparse._SubParsersAction) -> None:
    sheet = commands.add_parser(
        "labels",
        help="print a sheet of QR labels for devices",
        description="Write a sheet of asset labels (3 x 7 on A4, 63.5 x 38.1 mm, as Avery "
        "L7160): each has the tag's QR code, the tag and the school's name. Name the devices "
        "with --tag, or choose every device in use by --location and --kind. The file's "
        "ending picks the format: .pdf (one file), .svg or .png (one file a page; PNG "
        "needs the png extra).",
    )
    sheet.add_argument(
        "--tag",
        action="append",
        dest="tags",
        metavar="TAG",
        help="a device to label; repeat for several",
    )
    sheet.add_argument("--location", metavar="CODE", help="every device in this room")
    sheet.add_argument("--kind", help=f"every device of this kind: {', '.join(assets.KINDS)}")
    sheet.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FILE", help="the .pdf, .svg or .png"
    )
    add_common(sheet)
    sheet.set_defaults(handler=run_labels)


def run_labels(args: argparse.Namespace) -> int:
    path: Path = args.output
    if path.suffix.lower() not in SUFFIXES:
        suffix = f"'{path.suffix}'" if path.suffix else "a file with no ending"
        raise BadInput(f"Labels are written as .pdf, .svg or .png, not {suffix}.")
    if args.tags and (args.location or args.kind):
        raise BadInput("Name the devices with --tag, or choose them by --location and --kind.")
    school = config.current().school_name
    open_db(args)
    if args.tags:
        tags = [assets.asset_row(tag).tag for tag in args.tags]  # a typo is not a label
        tags = list(dict.fromkeys(tags))
    else:
        if args.location:
            try:
                locations.location_row(args.location)
            except NotFound as exc:
                raise BadInput(str(exc)) from None
        tags = labels.choose(location=args.location, kind=args.kind)
    written = labels.write_sheet(path, tags, school=school)
    count = len(tags)
    pages = -(-count // labels.A4_3X7.per_page)
    page_word = "page" if pages == 1 else "pages"
    label_word = "label" if count == 1 else "labels"
    print(f"Wrote {count} {label_word} on {pages} {page_word} to {', '.join(map(str, written))}.")
    return 0
