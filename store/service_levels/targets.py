"""Service level targets: for each priority, how soon a call is answered and resolved,
in school time (store.service_levels.hours) unless a target is on the real clock.

    from store.service_levels import targets
    targets.current()["P1"]                  # Target("P1", respond=1800, resolve=14400, ...)
    targets.set_target("P1", respond="30m", resolve="4h", by="jsmith")    # a manager's step
    targets.clean_length("1 school day")     # 30600 seconds: a school day is its cover

The defaults are those UK schools' support agreements publish (docs/service_levels.md):
usable on day one, changed when the school agrees its own. They are kept in the
database's settings as JSON, journalled when changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput
from store.db.models import Setting
from store.db.sanitise import shown
from store.school import people

KEY = "sla_targets"
HOUR = 3600
SCHOOL_DAY = int(8.5 * HOUR)
"""A school day of cover (08:00 to 16:30): "1 school day" is this much school time."""
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
LONGEST = 60 * SCHOOL_DAY


@dataclass(frozen=True)
class Target:
    """One priority's targets, in seconds of school time (or real time: `clock`)."""

    priority: str
    respond: int
    resolve: int
    clock: str = "school"
    """"school" (cover hours only) or "real" (every hour: a P1 on a server may be)."""


DEFAULTS = {
    "P1": Target("P1", 30 * 60, 4 * HOUR),
    "P2": Target("P2", HOUR, SCHOOL_DAY),
    "P3": Target("P3", 4 * HOUR, 3 * SCHOOL_DAY),
    "P4": Target("P4", SCHOOL_DAY, 5 * SCHOOL_DAY),
    "P5": Target("P5", 2 * SCHOOL_DAY, 10 * SCHOOL_DAY),
}

_LENGTH = re.compile(
    r"\s*(\d{1,4}(?:\.\d{1,2})?)\s*"
    r"(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|school\s+days?|sd)\s*",
    re.IGNORECASE,
)


def clean_length(value: object) -> int:
    """A length as people write it ("30m", "4h", "1d", "3 school days") in seconds; a
    day is a school day of cover. BadInput in one sentence otherwise."""
    text = value if isinstance(value, str) else ""
    match = _LENGTH.fullmatch(text)
    if match is None:
        raise BadInput(
            f"'{shown(str(value), 30)}' is not a length of time: write it like 30m, 4h or "
            "2 school days."
        )
    number, unit = float(match.group(1)), match.group(2).lower()
    seconds = number * (
        60 if unit.startswith("m") else HOUR if unit.startswith("h") else SCHOOL_DAY
    )
    if not 60 <= seconds <= LONGEST:
        raise BadInput("A target must be from a minute to 60 school days.")
    return int(seconds)


def current() -> dict[str, Target]:
    """Each priority's targets: the school's own where set, else the defaults."""
    with read():
        row = Setting.get_or_none(Setting.key == KEY)
    return parse(row.value if row is not None else None)


def parse(text: str | None) -> dict[str, Target]:
    """The targets kept in the setting's JSON, over the defaults."""
    found = dict(DEFAULTS)
    if text is None:
        return found
    try:
        stored = json.loads(text)
        for name, values in stored.items():
            if name in PRIORITIES:
                found[name] = Target(
                    name,
                    int(values["respond"]),
                    int(values["resolve"]),
                    str(values.get("clock", "school")),
                )
    except (ValueError, KeyError, TypeError, AttributeError):
        pass  # a setting edited by hand into nonsense: the defaults, never a crash
    return found


def set_target(
    priority: object,
    *,
    respond: object = None,
    resolve: object = None,
    clock: str | None = None,
    by: str,
) -> Target:
    """Change one priority's targets (a manager's step); what is not given stays."""
    name = str(priority).strip().upper()
    if name not in PRIORITIES:
        raise BadInput(f"'{shown(str(priority), 10)}' is not a priority: P1 to P5.")
    if clock is not None and clock not in ("school", "real"):
        raise BadInput("A target's clock is school (cover hours) or real (every hour).")
    with write():
        people.manager_or_first(by, "set service level targets")
        targets = current()
        before = targets[name]
        after = Target(
            name,
            clean_length(respond) if respond is not None else before.respond,
            clean_length(resolve) if resolve is not None else before.resolve,
            clock or before.clock,
        )
        if after.respond > after.resolve:
            raise BadInput(f"{name}'s response target is longer than its resolution target.")
        targets[name] = after
        value = json.dumps({k: asdict(t) for k, t in targets.items()}, sort_keys=True)
        row = Setting.put(KEY, value)
        journal.record(
            by, row, "set SLA target", field=name, before=words(before), after=words(after)
        )
    return after


def length_words(seconds: int) -> str:
    """A target as people say it: 30 min, 4 h, 1 school day, 2.5 school days."""
    if seconds % SCHOOL_DAY == 0 or seconds >= SCHOOL_DAY:
        days = round(seconds / SCHOOL_DAY, 2)
        shown_days = f"{days:g}"
        return f"{shown_days} school day{'' if days == 1 else 's'}"
    if seconds % HOUR == 0:
        return f"{seconds // HOUR} h"
    if seconds >= HOUR:
        return f"{seconds / HOUR:g} h"
    return f"{seconds // 60} min"


def words(target: Target) -> str:
    clock = "" if target.clock == "school" else ", real time"
    return f"respond {length_words(target.respond)}, resolve {length_words(target.resolve)}{clock}"
