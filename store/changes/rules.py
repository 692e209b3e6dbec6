"""The rules every step of a change keeps: who may take it, in which status, how it is
written and journalled, and the kiosk notice that communicates its window.

The steps themselves are in `store.changes.changes` (raising, planning, cancelling, links),
`store.changes.approval` (peer review, the committee, emergencies) and
`store.changes.work` (implementing, the register, the review); `store.changes.changes`
re-exports them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from store.changes import schedule as change_schedule
from store.db import config, journal
from store.db.database import row_to_change
from store.db.errors import BadInput, NotAllowed, Refused
from store.db.models import Change, ChangeLocation, Location, Notice, Technician, holds
from store.db.sanitise import shown
from store.records.changes import STATUS_WORDS, change_id, change_number
from store.school import people
from store.school.notices import NOTICE

OUTCOMES = ("succeeded", "failed", "backed_out")
EARLY = dt.timedelta(minutes=15)
"""How long before its window opens a change may be implemented."""
PLANS = {
    "implementation_plan": "the implementation plan",
    "test_plan": "the test plan",
    "backout_plan": "the back-out plan",
}


def actor(by: str, role: str = "technician") -> Technician:
    return people.active_technician(by, role)


def is_manager(tech: Technician) -> bool:
    return holds(tech.roles, "manager")


def refuse_unless(tech: Technician, row: Change, *who: str, doing: str) -> None:
    """NotAllowed unless `tech` is one of `who` ("originator", "implementer", "reviewer",
    "committee") for this change, or a manager."""
    if is_manager(tech):
        return
    parts = {
        "originator": row.originator_id == tech.id,
        "implementer": row.implementer_id == tech.id,
        "reviewer": row.peer_reviewer_id == tech.id,
        "committee": holds(tech.roles, "committee"),
    }
    if any(parts[name] for name in who):
        return
    names = {
        "originator": "who raised it",
        "implementer": "its implementer",
        "reviewer": "its peer reviewer",
        "committee": "a committee member",
    }
    allowed = " or ".join([names[name] for name in who] + ["a manager"])
    raise NotAllowed(f"Only {allowed} may {doing} {change_number(row.id)}.", who=tech.login)


def refuse_unless_status(row: Change, statuses: Iterable[str], doing: str) -> None:
    if row.status not in statuses:
        word = STATUS_WORDS[row.status].lower()
        raise Refused(f"{change_number(row.id)} is {word}: it cannot {doing} now.")


def for_change(reference: object, seen_version: int | None) -> Change:
    cid = change_id(reference)
    return row_to_change(Change, cid, seen_version, change_number(cid), "change")


def write_change(row: Change, who: str, action: str, updates: dict) -> None:
    journal.update(
        row, who, action, updates, links=("originator", "implementer", "peer_reviewer", "incident")
    )


def clean_choice(value: object, choices: tuple[str, ...], what: str) -> str:
    text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    if text not in choices:
        raise BadInput(f"'{shown(value)}' is not {what}: choose from {', '.join(choices)}.")
    return text


def clean_window(window: object) -> tuple[dt.datetime, dt.datetime] | None:
    if window is None:
        return None
    if not isinstance(window, tuple | list) or len(window) != 2:
        raise BadInput("A window is a start and an end.")
    start, end = window
    return change_schedule.check_window(start, end)


def and_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def room_codes(row: Change) -> list[str]:
    return [
        code
        for (code,) in Location.select(Location.code)
        .join(ChangeLocation, on=ChangeLocation.location == Location.id)
        .where(ChangeLocation.change == row.id)
        .order_by(Location.code)
        .tuples()
    ]


def notice_words(row: Change) -> str:
    """The plain words a kiosk shows for a change: what, where, when."""
    places = [
        name
        for (name,) in Location.select(Location.name)
        .join(ChangeLocation, on=ChangeLocation.location == Location.id)
        .where(ChangeLocation.change == row.id)
        .order_by(Location.name)
        .tuples()
    ]
    where = f" in {and_words(places)}" if 0 < len(places) <= 3 else ""
    when = change_schedule.window_words(row.window_start, row.window_end)
    text = f"Planned IT work{where}, {when}: {row.title}."
    if row.affected:
        text += f" Affects {row.affected}."
    return text if len(text) <= NOTICE.limit else text[: NOTICE.limit - 1] + "…"


def post_notices(row: Change, who: str, text: str) -> None:
    """One notice per room it works in (or one for the whole school), from
    `notice_days` before the window until it closes."""
    now = journal.now()
    starts = max(now, row.window_start - dt.timedelta(days=config.current().notice_days))
    place_ids = [
        pid
        for (pid,) in ChangeLocation.select(ChangeLocation.location)
        .where(ChangeLocation.change == row.id)
        .tuples()
    ] or [None]
    for place in place_ids:
        notice = Notice.create(text=text, location=place, starts_at=starts,
                               until=row.window_end, created_by=who, change=row.id)  # fmt: skip
        journal.record(who, notice, "post", after=text, at=now)
    journal.record(who, row, "communicate", field="notice", after=text, at=now)


def schedule(row: Change, who: str, why: str) -> None:
    """Approval to implement, then communicate: scheduled, and the notice posted."""
    journal.record(who, row, "approve to implement", field="approval", after=why)
    write_change(
        row, who, "approve to implement", {"status": "scheduled", "approved_at": journal.now()}
    )
    post_notices(row, who, notice_words(row))
