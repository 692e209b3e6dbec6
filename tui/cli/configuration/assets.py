"""`fitsdesk asset` and `fitsdesk loan`: the asset register and the spares lent from it.

fitsdesk asset add LAP-0042 --kind laptop --make Dell --location LIB
fitsdesk asset show LAP-0042
fitsdesk asset import devices.csv --dry-run
fitsdesk loan swap INC-000042 --handed-in LAP-0042 --spare LAP-0099
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from store.configuration import assets, inventory, loans, software
from store.configuration import history as asset_history
from store.db.errors import BadInput, NotFound
from store.db.sanitise import shown
from store.finance import lifecycle
from store.records.views import iso
from store.school import locations
from tui.cli import add_common, group, list_action, positive
from tui.cli import finance as finance_cli
from tui.cli.configuration.loans import loan_json
from tui.cli.output import local, print_import, print_json, table
from tui.cli.progress import progress_bar
from tui.cli.session import open_db, who

KIND_WORDS = ", ".join(assets.KINDS)
STATUS_CHOICES = ", ".join(assets.STATUS_WORDS)
FIELDS = (
    ("--make", "make", "the manufacturer, e.g. Dell"),
    ("--model", "model", "e.g. Latitude 3440"),
    ("--serial", "serial", "the serial number or service tag"),
    ("--description", "description", "what it is, in words (4,000 characters)"),
    ("--assigned-to", "assigned_to", "the person or department who has it"),
    ("--status", "status", f"one of: {STATUS_CHOICES} (on loan: use fitsdesk loan)"),
    ("--purchased-on", "purchased_on", "when it was bought: 2024-09-01 or 01/09/2024"),
    ("--cost", "cost", "what it cost, e.g. 649.00"),
    ("--supplier", "supplier", "who it was bought from"),
    ("--warranty-end", "warranty_end", "when the warranty ends: 2027-09-01 or 01/09/2027"),
    ("--notes", "notes", "anything else worth knowing (4,000 characters)"),
)
"""The register's plain fields: option, store name, help."""
PLACEHOLDERS = {
    "description": "TEXT",
    "assigned_to": "WHO",
    "purchased_on": "DATE",
    "cost": "AMOUNT",
    "warranty_end": "DATE",
    "notes": "TEXT",
}
"""What --help shows for a field's value where its name would not say it."""
NOWHERE = ("none", "-", "nowhere")


def register(commands: argparse._SubParsersAction) -> None:
    _register_asset(commands)


def _register_asset(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "asset", "the asset register: the school's devices, by their tag")

    add = actions.add_parser(
        "add",
        help="put a device on the register",
        description="Put a device on the register. TAG is the tag on its label; it is stored "
        "in upper case with dashes for spaces (lap 42 is LAP-42).",
    )
    add.add_argument("tag", metavar="TAG", help="the tag on its label, e.g. LAP-0042")
    add.add_argument("--kind", required=True, help=f"the kind of device: {KIND_WORDS}")
    _add_fields(add)
    add.add_argument("--location", metavar="CODE", help="the room it is in")
    add.add_argument("--part-of", metavar="TAG", help="the device it goes with")
    add.add_argument("--json", action="store_true", help="print the device as JSON")
    add_common(add)
    add.set_defaults(handler=run_add)

    show = actions.add_parser(
        "show",
        help="show a device and its history",
        description="Show a device: its details, its parts, the calls about it (with a "
        "repeat-fault warning), its loans, and its moves and changes.",
    )
    show.add_argument("tag", metavar="TAG", help="the device's tag")
    show.add_argument("--json", action="store_true", help="print it all as JSON")
    add_common(show)
    show.set_defaults(handler=run_show)

    listing = list_action(actions, "devices on the register", run_list)
    listing.description = "List devices by tag. Prints every match unless --limit says otherwise."
    listing.add_argument(
        "--search", metavar="TEXT", help="look in tag, make, model, serial, description, holder"
    )
    listing.add_argument("--location", metavar="CODE", help="only devices in this room")
    listing.add_argument("--kind", help=f"only this kind: {KIND_WORDS}")
    listing.add_argument("--status", help=f"only this status: {STATUS_CHOICES}")
    listing.add_argument("--limit", type=positive, metavar="N", help="at most N devices")

    edit = actions.add_parser(
        "edit",
        help="change a device's details",
        description="Change any of a device's details; what is not given stays as it is. "
        "Give an empty value ('') to clear one. To move it: fitsdesk asset move.",
    )
    edit.add_argument("tag", metavar="TAG", help="the device's tag")
    edit.add_argument("--kind", help=f"the kind of device: {KIND_WORDS}")
    _add_fields(edit)
    add_common(edit)
    edit.set_defaults(handler=run_edit)

    move = actions.add_parser(
        "move",
        help="say where a device now is",
        description="Say where a device now is: a room code, or 'none' for nowhere in particular.",
    )
    move.add_argument("tag", metavar="TAG", help="the device's tag")
    move.add_argument("location", metavar="LOCATION", help="a room code, or none")
    add_common(move)
    move.set_defaults(handler=run_move)

    retire = actions.add_parser(
        "retire",
        help="take a device out of use for good",
        description="Take a device out of use for good (sold, scrapped, stolen); its "
        "history stays on the register.",
    )
    retire.add_argument("tag", metavar="TAG", help="the device's tag")
    retire.add_argument("--reason", required=True, help="why, e.g. 'screen beyond repair'")
    add_common(retire)
    retire.set_defaults(handler=run_retire)

    part = actions.add_parser(
        "part",
        help="record that a device goes with another",
        description="Record that PART goes with a device (a laptop's charger, a panel's PC), "
        "or with --detach that it no longer goes with anything.",
    )
    part.add_argument("part", metavar="PART", help="the part's tag")
    which = part.add_mutually_exclusive_group(required=True)
    which.add_argument("--of", metavar="TAG", help="the device it goes with")
    which.add_argument("--detach", action="store_true", help="it goes with nothing now")
    add_common(part)
    part.set_defaults(handler=run_part)

    load = actions.add_parser(
        "import",
        help="add or update devices from a CSV file or a spreadsheet",
        description="Add or update devices from a CSV file whose first row names the "
        "columns. It needs tag and kind columns; the others are optional: "
        + ", ".join(inventory.COLUMNS[2:])
        + ". The usual spreadsheet words are understood (Asset tag, Serial number, Room...); "
        "any other column stops the import. Every good row is written, or none: each "
        "problem is listed.",
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
    load.set_defaults(handler=run_import)

    out = actions.add_parser(
        "export",
        help="write the register to a CSV file",
        description="Write the register (or the part the options choose) to a CSV file that "
        "asset import reads back. A FILE of - writes to the screen.",
    )
    out.add_argument("file", metavar="FILE.csv", help="the CSV file to write, or - for the screen")
    out.add_argument("--location", metavar="CODE", help="only devices in this room")
    out.add_argument("--kind", help=f"only this kind: {KIND_WORDS}")
    out.add_argument("--status", help=f"only this status: {STATUS_CHOICES}")
    add_common(out)
    out.set_defaults(handler=run_export)


def _add_fields(parser: argparse.ArgumentParser) -> None:
    for option, dest, help_text in FIELDS:
        parser.add_argument(option, dest=dest, metavar=PLACEHOLDERS.get(dest), help=help_text)


def _given(args: argparse.Namespace) -> dict:
    """The plain fields the person gave, by their store names."""
    return {dest: getattr(args, dest) for _o, dest, _h in FIELDS if getattr(args, dest) is not None}


def _location_code(code: str | None) -> str | None:
    """A room code to filter by, checked: an unknown room is a mistake, not an empty list."""
    if code is None:
        return None
    try:
        return locations.location_row(code).code
    except NotFound as exc:
        raise BadInput(str(exc)) from None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# -- JSON


def asset_json(device: assets.AssetInfo) -> dict:
    return {
        "tag": device.tag,
        "kind": device.kind,
        "name": device.name,
        "description": device.description,
        "make": device.make,
        "model": device.model,
        "serial": device.serial,
        "location": device.location,
        "location_name": device.location_name,
        "assigned_to": device.assigned_to,
        "status": device.status,
        "purchased_on": device.purchased_on.isoformat() if device.purchased_on else None,
        "cost_pence": device.cost_pence,
        "supplier": device.supplier,
        "warranty_end": device.warranty_end.isoformat() if device.warranty_end else None,
        "notes": device.notes,
        "part_of": device.part_of,
        "parts": list(device.parts),
        "version": device.version,
    }


# -- asset


def run_add(args: argparse.Namespace) -> int:
    fields = _given(args)
    if fields.get("status") is not None and assets.clean_status(fields["status"]) == "on_loan":
        raise BadInput(
            "A device goes on loan by lending it, so the loan is recorded: "
            "fitsdesk loan lend TAG --to NAME."
        )
    open_db(args)
    device = assets.add_asset(
        args.tag,
        kind=args.kind,
        location=args.location,
        part_of=args.part_of,
        by=who(),
        **fields,
    )
    if args.json:
        print_json(asset_json(device))
        return 0
    typed = " ".join(args.tag.split())
    if typed != device.tag:
        print(f"The tag '{shown(typed, 60)}' is stored as {device.tag}.")
    where = f" in {device.location} ({device.location_name})" if device.location else ""
    part = f", a part of {device.part_of}" if device.part_of else ""
    print(f"Added {device.tag}: {device.name} ({assets.KINDS[device.kind].lower()}){where}{part}.")
    return 0


def _describe(history: asset_history.AssetHistory, titles: list[tuple[str, str]]) -> None:
    device = history.asset
    today = dt.date.today()
    bought = device.purchased_on.isoformat() if device.purchased_on else ""
    if device.cost:
        bought += f" for {device.cost}" if bought else device.cost
    if device.supplier:
        bought += f" from {device.supplier}"
    warranty = "-"
    if device.warranty_end:
        ended = " (ended)" if device.warranty_end < today else ""
        warranty = f"until {device.warranty_end.isoformat()}{ended}"
    rows = [
        ("Kind", assets.KINDS.get(device.kind, device.kind)),
        ("Status", assets.STATUS_WORDS.get(device.status, device.status)),
        ("Location", f"{device.location} {device.location_name}" if device.location else "-"),
        ("Assigned to", device.assigned_to or "-"),
        ("Make", device.make or "-"),
        ("Model", device.model or "-"),
        ("Serial", device.serial or "-"),
        ("Bought", bought or "-"),
        ("Warranty", warranty),
        *finance_cli.record_rows(lifecycle.record(device.tag)),
        ("Part of", device.part_of or "-"),
        ("Parts", ", ".join(device.parts) or "-"),
    ]
    print(f"{device.tag}  {device.name}")
    for label, value in rows:
        print(f"  {label + ':':<13}{value}")
    if device.description and device.description != device.name:
        print("\nDescription:\n  " + device.description.replace("\n", "\n  "))
    if device.notes:
        print("\nNotes:\n  " + device.notes.replace("\n", "\n  "))

    if titles:
        print("\nSoftware:")
        for name, how in titles:
            print(f"  {name} ({how})")

    labels = {c.category: c.category_label for c in history.calls if c.category}
    if history.repeat_faults:
        print()
        for category, count in history.repeat_faults:
            about = labels.get(category, category)
            print(f"Repeat fault: {count} calls about {about} in 12 months")
    print(
        f"\nCalls ({history.all_calls}, {history.last_twelve_months} in the last 12 months):"
        if history.calls
        else "\nCalls: none"
    )
    for call in history.calls:
        print(
            f"  {call.number}  {local(call.logged_at)}  {call.status_word:<11}  "
            f"{call.category_label or '-'}: {call.summary}"
        )
    print("\nLoans:" if history.loans else "\nLoans: none")
    for loan in history.loans:
        print("  " + _loan_line(loan, device.tag))
    print("\nChanges:" if history.changes else "\nChanges: none")
    for entry in history.changes:
        print("  " + _change_line(entry))


def _loan_line(loan: loans.LoanInfo, tag: str) -> str:
    against = f" against {loan.incident}" if loan.incident else ""
    if loan.lent == tag:
        text = f"{local(loan.lent_at)}  lent to {loan.borrower}{against} by {loan.lent_by}"
        if loan.handed_in:
            text += f" while {loan.handed_in} was in for repair"
    else:
        text = (
            f"{local(loan.lent_at)}  handed in for repair{against}; spare {loan.lent} "
            f"lent to {loan.borrower}"
        )
    if loan.returned_at:
        return text + f"; returned {local(loan.returned_at)}"
    return text + "; still out"


def _change_line(entry) -> str:
    text = f"{local(entry.at)}  {entry.who}  {entry.action}"
    if not entry.field:
        return f"{text} {shown(entry.after, 60)}" if entry.after else text
    field, before, after = entry.field, entry.before, entry.after
    if field == "cost_pence":  # journalled in pence, read in pounds
        field = "cost"
        before, after = (_pounds(value) for value in (before, after))
    before = shown(before, 40) if before else "-"
    after = shown(after, 40) if after else "-"
    return f"{text} {field.replace('_', ' ')}: {before} -> {after}"


def _pounds(pence: str | None) -> str | None:
    return f"£{int(pence) / 100:,.2f}" if pence and pence.lstrip("-").isdigit() else pence


def run_show(args: argparse.Namespace) -> int:
    open_db(args)
    history = asset_history.history(args.tag)
    titles = software.on_device(history.asset.tag)
    if not args.json:
        _describe(history, titles)
        return 0
    labels = {c.category: c.category_label for c in history.calls if c.category}
    print_json(
        {
            **asset_json(history.asset),
            "finance": finance_cli.record_json(lifecycle.record(history.asset.tag)),
            "software": [{"title": name, "how": how} for name, how in titles],
            "calls": [call.to_json() for call in history.calls],
            "calls_in_all": history.all_calls,
            "calls_last_twelve_months": history.last_twelve_months,
            "repeat_faults": [
                {"category": name, "label": labels.get(name, name), "calls": count}
                for name, count in history.repeat_faults
            ],
            "loans": [loan_json(loan) for loan in history.loans],
            "changes": [
                {
                    "at": iso(e.at),
                    "who": e.who,
                    "action": e.action,
                    "field": e.field,
                    "before": e.before,
                    "after": e.after,
                }
                for e in history.changes
            ],
        }
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    found = assets.list_assets(
        args.search or "",
        location=_location_code(args.location),
        kind=args.kind,
        status=args.status,
        limit=args.limit,
    )
    if args.json:
        print_json([asset_json(device) for device in found])
    elif not table(
        ("TAG", "KIND", "STATUS", "LOCATION", "ASSIGNED TO", "NAME"),
        (
            (
                d.tag,
                d.kind,
                d.status,
                d.location or "-",
                d.assigned_to or "-",
                d.name,
            )
            for d in found
        ),
    ):
        print("No devices match.")
    return 0


def run_edit(args: argparse.Namespace) -> int:
    changes = _given(args)
    if args.kind is not None:
        changes["kind"] = args.kind
    if not changes:
        raise BadInput("Say what to change, e.g. --status spare. See: fitsdesk asset edit --help")
    open_db(args)
    before = asset_json(assets.asset(args.tag))
    after = asset_json(assets.update_asset(args.tag, by=who(), **changes))
    changed = [
        "cost" if name == "cost_pence" else name.replace("_", " ")
        for name in before
        if name not in ("version", "name") and before[name] != after[name]
    ]
    if changed:
        print(f"Changed {after['tag']}: {', '.join(changed)}.")
    else:
        print(f"Nothing changed: {after['tag']} already had those details.")
    return 0


def run_move(args: argparse.Namespace) -> int:
    place = None if args.location.strip().lower() in NOWHERE else args.location
    open_db(args)
    device = assets.move_asset(args.tag, place, by=who())
    if device.location:
        print(f"{device.tag} is now in {device.location} ({device.location_name}).")
    else:
        print(f"{device.tag} is now nowhere in particular.")
    return 0


def run_retire(args: argparse.Namespace) -> int:
    open_db(args)
    device = assets.retire_asset(args.tag, args.reason, by=who())
    print(f"{device.tag} is retired; its history stays on the register.")
    return 0


def run_part(args: argparse.Namespace) -> int:
    open_db(args)
    if args.detach:
        device = assets.detach_part(args.part, by=who())
        print(f"{device.tag} no longer goes with anything.")
    else:
        parent = assets.attach_part(args.part, args.of, by=who())
        print(f"{assets.clean_tag(args.part)} now goes with {parent.tag}.")
    return 0


def run_import(args: argparse.Namespace) -> int:
    open_db(args)
    with progress_bar("Importing devices") as advance:
        report = inventory.import_assets(
            args.file, by=who(), dry_run=args.dry_run, progress=advance, sheet=args.sheet
        )
        done = report.added + report.updated + report.unchanged
        if done:
            advance(done, done)
    if report.problems:
        for problem in report.problems:
            print(problem, file=sys.stderr)
        print(
            f"Nothing was imported: fix the {_plural(len(report.problems), 'problem')} above "
            "and run it again.",
            file=sys.stderr,
        )
        return 2
    for note in report.notes:
        print(note)
    print_import(report, dry_run=args.dry_run)
    return 0


def run_export(args: argparse.Namespace) -> int:
    open_db(args)
    filters = {
        "location": _location_code(args.location),
        "kind": assets.clean_kind(args.kind) if args.kind else None,
        "status": assets.clean_status(args.status) if args.status else None,
    }
    if args.file != "-":
        count = inventory.export_assets(Path(args.file), **filters)
        print(f"Wrote {_plural(count, 'device')} to {args.file}.")
        return 0
    handle, name = tempfile.mkstemp(suffix=".csv")
    os.close(handle)
    try:
        inventory.export_assets(Path(name), **filters)
        sys.stdout.write(Path(name).read_text(encoding="utf-8-sig"))
    finally:
        os.unlink(name)
    return 0
