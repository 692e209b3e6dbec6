"""`fitsdesk backup` and `fitsdesk restore`: a checked copy of the database taken while
everyone keeps working, and a copy restored, to a new place or over the database.

    fitsdesk backup                          # into the backup folder, keeping the last 14
    fitsdesk restore fitsdesk-2026-12-06T1830.db --db sqlite:////tmp/drill.db

Scheduling, copies off the premises and the restore drill: docs/backup.md.
"""

from __future__ import annotations

import argparse

from store.continuity import backups
from store.db import database
from tui.cli import add_common
from tui.cli.progress import progress_bar
from tui.cli.session import who


def register(commands: argparse._SubParsersAction) -> None:
    backup = commands.add_parser(
        "backup",
        help="take a checked copy of the database, while it is in use",
        description="Copy the database as it is at one moment while kiosks and technicians "
        "keep working (SQLite's online backup; pg_dump on PostgreSQL), check the copy "
        "(integrity, and the rows of every table), and name it with the time in the "
        "backup folder ([backup] folder: by default 'backups' beside a SQLite database), "
        "keeping the newest [backup] keep copies (14) and never removing any other file. "
        "See docs/backup.md.",
    )
    backup.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="write the copy to this new file, or into this folder, instead (nothing is "
        "removed there)",
    )
    add_common(backup)
    backup.set_defaults(handler=run_backup)

    restore = commands.add_parser(
        "restore",
        help="restore a backup: to a new place (the drill), or over the database",
        description="Check the copy (whole, undamaged, FITS Desk's, from this version or "
        "older), then restore it to the database --db names (default: the one in use). A "
        "database that is not there yet is made: that is the restore drill. One that is "
        "there is replaced only by one of its managers or the account that owns it, never "
        "while another program has it open unless --force is given, and is kept aside "
        "under a name with the time. "
        "See docs/backup.md.",
    )
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace the database even while kiosks, desks or services have it open",
    )
    add_common(restore)
    restore.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    me = who()
    handle = database.connect(getattr(args, "db", None), create=False, upgrade=False)
    with progress_bar("Copying") as advance:
        made = backups.take(args.file, by=me, progress=advance)
    print(
        f"Copied {database.describe(handle.fitsdesk_url)} to {made.path} "
        f"({made.size / 1_000_000:,.1f} MB): {_calls(made.calls)} and {made.rows:,} rows in "
        "all, checked against the database as it was copied."
    )
    if made.removed:
        many = len(made.removed)
        print(f"Removed {many} older cop{'ies' if many > 1 else 'y'}, keeping the newest.")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    me = who()
    with progress_bar("Restoring") as advance:
        done = backups.restore(
            args.file, url=getattr(args, "db", None), by=me, force=args.force, progress=advance
        )
    print(
        f"Restored {_calls(done.calls)} ({sum(done.counts.values()):,} rows) to "
        f"{done.target}, checked."
    )
    if done.aside:
        print(f"The database it replaced is kept as {done.aside}.")
    if done.pending:
        steps = len(done.pending)
        print(
            f"The copy is from an older FITS Desk: fitsdesk init brings it up to date "
            f"({steps} step{'s' if steps > 1 else ''})."
        )
    return 0


def _calls(count: int) -> str:
    return f"{count:,} call{'s' if count != 1 else ''}"
