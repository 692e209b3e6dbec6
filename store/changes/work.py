"""Doing the change: implementing it in its window, making the asset register true,
backing it out, and the post-implementation review that closes it.

Re-exported by `store.changes.changes`; see its docstring for the whole lifecycle.
"""

from __future__ import annotations

from store.changes import schedule as change_schedule
from store.changes.rules import (
    EARLY,
    OUTCOMES,
    actor,
    clean_choice,
    for_change,
    refuse_unless,
    refuse_unless_status,
    write_change,
)
from store.configuration import software
from store.db import journal
from store.db.database import write
from store.db.errors import Refused
from store.db.sanitise import Field, clean
from store.records.changes import COMMENT, REASON, ChangeInfo, change_number, info
from store.school import notices


def implement(
    reference: object, *, by: str, note: str = "", seen_version: int | None = None
) -> ChangeInfo:
    """The implementer has made the change. Not before its window opens (15 minutes'
    grace), except in an emergency."""
    words = clean(note, COMMENT)
    with write():
        tech = actor(by)
        row = for_change(reference, seen_version)
        refuse_unless(tech, row, "implementer", doing="implement")
        refuse_unless_status(row, ("scheduled",), "be implemented")
        now = journal.now()
        if row.kind != "emergency" and now < row.window_start - EARLY:
            when = change_schedule.window_words(row.window_start, row.window_end)
            raise Refused(f"{change_number(row.id)} is scheduled for {when}: not before then.")
        if words:
            journal.record(tech.login, row, "implement", field="note", after=words)
        write_change(row, tech.login, "implement", {"status": "implemented", "implemented_at": now})
        return info(row)


def update_register(reference: object, *, by: str, seen_version: int | None = None) -> list[str]:
    """Make the asset register true: install the software it adds on its devices and in
    its rooms, remove what it removes. Returns what was done, one line each."""
    with write():
        tech = actor(by)
        row = for_change(reference, seen_version)
        refuse_unless(tech, row, "implementer", doing="update the register for")
        refuse_unless_status(row, ("implemented",), "update the register")
        done = software.apply_change(row.id, by=tech.login)
        for line in done:
            journal.record(tech.login, row, "register", field="software", after=line)
        if not done:
            journal.record(tech.login, row, "register", after="nothing on the register to change")
        write_change(row, tech.login, "update register", {"status": "registered"})
        return done


def back_out(
    reference: object, reason: str, *, by: str, seen_version: int | None = None
) -> ChangeInfo:
    """It went wrong and was undone: backed out, the register left as it was, the
    notice withdrawn. The post-implementation review still follows."""
    why = clean(reason, REASON)
    with write():
        tech = actor(by)
        row = for_change(reference, seen_version)
        refuse_unless(tech, row, "implementer", doing="back out")
        refuse_unless_status(row, ("scheduled", "implemented"), "be backed out")
        journal.record(tech.login, row, "back out", field="reason", after=why)
        notices.withdraw_belonging(row, tech.login)
        write_change(row, tech.login, "back out", {"status": "backed_out", "outcome": "backed_out"})
        return info(row)


def review(
    reference: object,
    *,
    outcome: str,
    lessons: str,
    by: str,
    seen_version: int | None = None,
) -> ChangeInfo:
    """The post-implementation review: did it succeed, fail or get backed out, and what
    we learned. Closes a change whose register is updated; completes a backed-out one."""
    outcome = clean_choice(outcome, OUTCOMES, "an outcome")
    learned = clean(lessons, Field("what we learned", 4000, multiline=True))
    with write():
        tech = actor(by)
        row = for_change(reference, seen_version)
        refuse_unless(tech, row, "originator", "committee", doing="review")
        refuse_unless_status(row, ("registered", "backed_out"), "be reviewed")
        if row.status == "backed_out" and row.lessons:
            raise Refused(f"{change_number(row.id)} has been reviewed already.")
        if row.status == "backed_out" and outcome != "backed_out":
            raise Refused(f"{change_number(row.id)} was backed out: its outcome is backed out.")
        if row.status == "registered" and outcome == "backed_out":
            raise Refused(f"{change_number(row.id)} was not backed out: say succeeded or failed.")
        updates: dict = {"outcome": outcome, "lessons": learned}
        if row.status == "registered":
            updates.update(status="closed", closed_at=journal.now())
        notices.withdraw_belonging(row, tech.login)
        write_change(row, tech.login, "review", updates)
        return info(row)
