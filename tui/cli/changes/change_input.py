"""What people type to `fitsdesk change`: local times to the minute, hours, counts, a
window as --start and --end, and plans as text or from a file (or stdin)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from store.db.errors import BadInput
from store.db.sanitise import shown
from store.school import calendar

_TIME = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{1,2}):([0-9]{2})$")
_HOURS = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,2})?$")
MOST_FILE_BYTES = 64 * 1024
"""A plan file bigger than this is refused before it is read (a plan is 4,000 characters)."""
PLAN_OPTIONS = (
    ("implementation", "implementation_plan", "how it will be done"),
    ("test", "test_plan", "how you will know it worked"),
    ("backout", "backout_plan", "how to undo it if it goes wrong"),
)


def local_time(text: str) -> dt.datetime:
    """'2026-10-14 16:00', the school's local time, as the store's naive UTC."""
    match = _TIME.match(text.strip())
    try:
        if match is None:
            raise ValueError
        moment = dt.datetime(*(int(part) for part in match.groups()))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a time like 2026-10-14 16:00"
        ) from None
    if not 2000 <= moment.year < 2100:
        raise argparse.ArgumentTypeError("a time must fall between 2000 and 2100")
    stored = calendar.to_utc(moment)
    if calendar.to_local(stored) != moment:  # in the hour the clocks skip in spring
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' does not exist here: the clocks go forward an hour then"
        )
    return stored


def hours(text: str) -> dt.timedelta:
    """'2' or '1.5': a window's length, from 15 minutes to two weeks."""
    cleaned = text.strip()
    if not _HOURS.match(cleaned) or not 0 < float(cleaned) <= 14 * 24:
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a number of hours from 0.25 to 336, like 2 or 1.5"
        )
    length = dt.timedelta(hours=float(cleaned))
    if length < dt.timedelta(minutes=15):
        raise argparse.ArgumentTypeError("a window lasts 15 minutes at the least")
    return length


def whole(low: int, high: int, what: str):
    """A parser of whole numbers from `low` to `high`, saying `what` they count if not."""

    def parse(text: str) -> int:
        cleaned = text.strip()
        if not (cleaned.isascii() and cleaned.isdigit()) or not low <= int(cleaned) <= high:
            raise argparse.ArgumentTypeError(
                f"'{shown(text)}' is not a number of {what} from {low} to {high:,}"
            )
        return int(cleaned)

    return parse


def window_of(args: argparse.Namespace) -> tuple[dt.datetime, dt.datetime] | None:
    """--start and --end as a window, or None when neither is given."""
    start, end = getattr(args, "start", None), getattr(args, "end", None)
    if (start is None) != (end is None):
        raise BadInput("Give the window as both --start and --end, like 2026-10-14 16:00.")
    return None if start is None else (start, end)


def _read_text(name: str) -> str:
    """A plan from a file, or from stdin for '-'."""
    if name == "-":
        data = sys.stdin.buffer.read(MOST_FILE_BYTES + 1)
        where = "What came on stdin"
    else:
        path = Path(name)
        where = shown(path.name, 60)
        try:
            with path.open("rb") as handle:
                data = handle.read(MOST_FILE_BYTES + 1)
        except FileNotFoundError:
            raise BadInput(f"There is no file {shown(name, 60)}.") from None
        except IsADirectoryError:
            raise BadInput(f"{shown(name, 60)} is a folder, not a file.") from None
        except OSError as exc:
            raise BadInput(
                f"{shown(name, 60)} cannot be read ({exc.__class__.__name__})."
            ) from None
    if len(data) > MOST_FILE_BYTES:
        raise BadInput(f"{where} is over 64 KB: a plan is 4,000 characters at the most.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{where} is not text (UTF-8).") from None


def plans_given(args: argparse.Namespace) -> dict[str, str]:
    """The plans given, as text or from files; read before anything is changed."""
    if [getattr(args, f"{option}_file") for option, _n, _h in PLAN_OPTIONS].count("-") > 1:
        raise BadInput("Only one plan can come from stdin ('-').")
    found = {}
    for option, name, _help in PLAN_OPTIONS:
        text, path = getattr(args, option), getattr(args, f"{option}_file")
        if path is not None:
            text = _read_text(path)
        if text is not None:
            found[name] = text
    return found
