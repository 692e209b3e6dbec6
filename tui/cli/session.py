"""What every command needs before it starts: the database open, and who is running it."""

from __future__ import annotations

import argparse

from store.db import database, identity


def open_db(args: argparse.Namespace, *, create: bool = False, pool: bool = False) -> None:
    """Open the database the command asked for (--db, FITSDESK_DB, config, default).
    Only `init` and `demo` make a database that is not there (the default is always made);
    the apps and `mail run`, which run for days, ask for a `pool` (store.db.database)."""
    database.connect(getattr(args, "db", None), create=create, pool=pool)


def who() -> str:
    """The login of the account running the command, for the journal and every role
    check: the operating system's word (`store.db.identity`), never LOGNAME or USER."""
    return identity.login()
