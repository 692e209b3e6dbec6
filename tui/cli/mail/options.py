"""What the mail commands share: the database opened with the settings read first, and
the whole numbers they take (docs/mail.md)."""

from __future__ import annotations

import argparse

from store.db import config
from tui.cli.session import open_db as _open_db


def open_db(args: argparse.Namespace, *, pool: bool = False) -> None:
    """The database, and the settings read first: a mistake in [mail] is said at once."""
    config.current()
    _open_db(args, pool=pool)


def whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError("it must be from 1 to 1000000")
    return value
