"""How the command line prints: JSON for scripts, aligned plain text for people.

People's text reaches the terminal only after the store's sanitiser, which
removes control characters, so nothing printed here can drive the terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence


def print_json(value: object) -> None:
    """One JSON value on stdout."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def stream_json_list(items: Iterable[dict]) -> int:
    """A JSON list written item by item, so a million rows need no memory; returns the count."""
    count = 0
    sys.stdout.write("[")
    for item in items:
        sys.stdout.write(",\n  " if count else "\n  ")
        sys.stdout.write(json.dumps(item, ensure_ascii=False))
        count += 1
    sys.stdout.write("\n]\n" if count else "]\n")
    return count


def local(moment: dt.datetime | None) -> str:
    """A stored UTC time in the machine's local time, to the minute."""
    if moment is None:
        return "-"
    return moment.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def age(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """How long ago, shortly: 5m, 3h, 2d, 6w."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    minutes = max(0, int((now - moment).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    if minutes < 14 * 24 * 60:
        return f"{minutes // (24 * 60)}d"
    return f"{minutes // (7 * 24 * 60)}w"


RED, PLAIN = "\x1b[1;31m", "\x1b[0m"
"""Bold red, one of the 16 colours every terminal has, and back to plain."""


def in_colour() -> bool:
    """Whether to colour what is printed: on a terminal, unless NO_COLOR is set
    (no-color.org); FORCE_COLOR colours a pipe too."""
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    red: Callable[[Sequence[str]], bool] | None = None,
) -> int:
    """Rows in aligned columns (the last one cut to the terminal's width); returns the count.
    Widths come from the first 200 rows so a long listing starts at once; a later cell that
    is wider pushes its line along rather than being cut, except in the columns after
    the first, which are held to 30 characters. No rows, no header. Rows for which `red`
    says so are printed in red when printing in colour (`in_colour`); the words must say
    the same without it."""
    rows = iter(rows)
    head: list[Sequence[str]] = []
    for row in rows:
        head.append(row)
        if len(head) == 200:
            break
    widths = [len(h) for h in headers]
    for row in head:
        for i, cell in enumerate(row[:-1]):
            widths[i] = min(max(widths[i], len(cell)), 30)
    width = shutil.get_terminal_size((200, 24)).columns if sys.stdout.isatty() else 0

    def line(cells: Sequence[str]) -> str:
        text = "  ".join(
            (c[:30] if i and widths[i] == 30 else c).ljust(widths[i])
            for i, c in enumerate(cells[:-1])
        )
        text = f"{text}  {cells[-1]}".replace("\n", " ")
        return text[: width - 1] if width and len(text) >= width else text

    colour = red is not None and in_colour()
    count = 0
    for row in _chain(head, rows):
        if count == 0:
            print(line(headers))
        print(f"{RED}{line(row)}{PLAIN}" if colour and red(row) else line(row))
        count += 1
    return count


def _chain(first: list, rest: Iterable) -> Iterable:
    yield from first
    yield from rest


MOST_CHANGES_SHOWN = 50
"""Records changed that an import lists after it has run (a dry run lists everything)."""


def print_import(report, *, dry_run: bool) -> None:
    """What an import did, or on a dry run would do: every record added, changed (with
    the change) and left alone, then the counts."""
    if dry_run:
        for added in report.adds:
            print(f"Would add {added}")
        for change in report.changes:
            print(f"Would change {change}")
        for same in report.same:
            print(f"Would leave {same} as it is.")
        print(
            f"Would add {report.added}, would update {report.updated}, {report.unchanged} "
            "unchanged. Nothing was written (a dry run)."
        )
        return
    for change in report.changes[:MOST_CHANGES_SHOWN]:
        print(change)
    if len(report.changes) > MOST_CHANGES_SHOWN:
        more = len(report.changes) - MOST_CHANGES_SHOWN
        print(f"...and {more:,} more (--dry-run lists them all).")
    print(f"Added {report.added}, updated {report.updated}, {report.unchanged} unchanged.")


def day(text: str) -> dt.date:
    """A date on the command line, as the imports read one (store.db.sanitise.clean_date):
    2026-09-01, or day first as schools write it, 01/09/2026; from 2000 to 2099."""
    import argparse

    from store.db.errors import BadInput
    from store.db.sanitise import clean_date, shown

    try:
        found = clean_date(text, "date")
    except BadInput:
        found = None
    if found is None or not 2000 <= found.year < 2100:
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a date like 2026-09-01 or 01/09/2026"
        ) from None
    return found
