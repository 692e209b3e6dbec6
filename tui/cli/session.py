"""What every command needs before it starts: the database open, and who is running it."""

from __future__ import annotations

import argparse
import getpass
import os

from store import database


def open_db(args: argparse.Namespace, *, create: bool = False) -> None:
    """Open the database the command asked for (--db, FITSDESK_DB, config, default).
    Only `init` and `demo` make a database that is not there (the default is always made)."""
    database.connect(getattr(args, "db", None), create=create)


def who() -> str:
    """The login name of the person running the command, for the journal."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return os.environ.get("USER") or "unknown"
