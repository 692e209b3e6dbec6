"""Approval: planning submitted, the peer review, the change committee's votes, a
manager's approval of an emergency, and the notice that communicates the window.

Re-exported by `store.changes.changes`; see its docstring for the whole lifecycle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.changes import committee
from store.changes import schedule as change_schedule
from store.changes.rules import (
    PLANS,
    actor,
    and_words,
    clean_choice,
    for_change,
    post_notices,
    refuse_unless,
    refuse_unless_status,
    room_codes,
    schedule,
    write_change,
)
from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput, NotAllowed, Refused
from store.db.identity import refuse_if_acting
from store.db.models import VOTES, Change, Journal, Vote
from store.db.sanitise import clean
from store.records.changes import (
    COMMENT,
    STAGE_WORDS,
    STATUS_WORDS,
    ChangeInfo,
    change_number,
    change_row,
    info,
    open_stage,
)
from store.school import notices
from store.school.notices import NOTICE


def missing_for_submit(row) -> list[str]:
    """What a change still needs before it can be submitted, in words ("the test plan",
    "a window", "a peer reviewer"); a ChangeInfo or a row."""
    missing = [words for name, words in PLANS.items() if not getattr(row, name).strip()]
    if row.window_start is None:
        missing.append("a window")
    if getattr(row, "implementer_id", getattr(row, "implementer", None)) is None:
        missing.append("an implementer")
    reviewer = getattr(row, "peer_reviewer_id", getattr(row, "peer_reviewer", None))
    if row.kind == "normal" and reviewer is None:
        missing.append("a peer reviewer")
    return missing


@dataclass(frozen=True)
class WindowCheck:
    """A change's window against the calendar: what it hits, and the next free windows
    of the same length (in its rooms, at its risk) when it hits something."""

    clashes: tuple[change_schedule.Clash, ...]
    free: tuple[tuple[dt.datetime, dt.datetime], ...]
    passed: bool
    """The window has already started (more than five minutes ago)."""
    total: int = 0
    """How many clashes in all (`clashes` holds the first fifty)."""

    @property
    def words(self) -> str:
        """One sentence for a refusal, or "" when the window is clear."""
        if self.passed:
            return "The window has passed: plan a new one."
        if not self.clashes:
            return ""
        more = f" and {self.total - 1} more" if self.total > 1 else ""
        offer = "; ".join(change_schedule.window_words(a, b) for a, b in self.free)
        return f"The window hits {self.clashes[0].words}{more}. Next free windows: " + (
            offer or "none in the next four months."
        )


def check_row(row: Change) -> WindowCheck:
    """A change's window against the calendar; call inside a transaction."""
    if row.window_start is None:
        return WindowCheck((), (), False)
    places = room_codes(row)
    start, end = row.window_start, row.window_end
    passed = start < journal.now() - dt.timedelta(minutes=5)
    found = change_schedule.clashes(start, end, locations=places, risk=row.risk)
    hits = tuple(found)
    free = ()
    if hits or passed:
        free = tuple(
            change_schedule.next_windows(
                end - start, after=journal.now(), locations=places, risk=row.risk, count=3
            )
        )
    return WindowCheck(hits, free, passed, len(hits) + found.more)


def window_check(reference: object) -> WindowCheck:
    """What a change's window hits on the school calendar, and the next free windows."""
    with read():
        return check_row(change_row(reference))


def _refuse_clashes(row: Change) -> None:
    found = check_row(row)
    if found.words:
        raise Refused(found.words)


def submit(reference: object, *, by: str, seen_version: int | None = None) -> ChangeInfo:
    """Planning is done. A normal change goes to its peer reviewer; a standard change,
    pre-approved, is scheduled and its notice goes up. Refused while a plan, the
    window, the implementer or (for a normal change) the peer reviewer is missing, or
    while the window hits a lesson, exam or freeze."""
    with write():
        tech = actor(by)
        row = for_change(reference, seen_version)
        refuse_unless(tech, row, "originator", "implementer", doing="submit")
        refuse_unless_status(row, ("planning",), "be submitted")
        missing = missing_for_submit(row)
        if missing:
            raise Refused(f"{change_number(row.id)} needs {and_words(missing)} first.")
        if row.kind == "normal" and row.peer_reviewer_id in (
            row.originator_id,
            row.implementer_id,
        ):
            raise Refused(
                "The peer reviewer must be someone other than who raised it and who implements it."
            )
        _refuse_clashes(row)
        if row.kind == "standard":
            schedule(row, tech.login, "standard change, pre-approved")
        else:
            write_change(row, tech.login, "submit", {"status": "peer_review"})
        return info(row)


def _worked_on_as_someone_else(row: Change, login: str) -> bool:
    """Whether `login` changed this change at another's desk (the journal's "X as Y")."""
    return (
        Journal.select()
        .where(
            (Journal.record == "change")
            & (Journal.record_id == row.id)
            & Journal.who.startswith(f"{login} as ")
        )
        .exists()
    )


def peer_review(
    reference: object,
    *,
    ok: bool,
    by: str,
    comment: str = "",
    seen_version: int | None = None,
) -> ChangeInfo:
    """The named peer reviewer passes the plans (then the committee votes on
    approval to implement) or sends them back to planning, saying why."""
    words = clean(comment, COMMENT)
    if not ok and not words:
        raise BadInput("Say what needs to change before you send it back.")
    with write():
        refuse_if_acting(by, "a peer review")
        tech = actor(by)
        row = for_change(reference, seen_version)
        if row.peer_reviewer_id != tech.id:
            raise NotAllowed(
                f"Only the peer reviewer of {change_number(row.id)} may review it.", who=by
            )
        refuse_unless_status(row, ("peer_review",), "be peer reviewed")
        if _worked_on_as_someone_else(row, tech.login):
            raise NotAllowed(
                f"{tech.login} worked on {change_number(row.id)} as someone else, so "
                "cannot be its peer reviewer too.",
                who=by,
            )
        journal.record(
            tech.login, row, "peer review", field="verdict", after="passed" if ok else "sent back"
        )
        if words:
            journal.record(tech.login, row, "peer review", field="comment", after=words)
        write_change(row, tech.login, "peer review", {"status": "reviewed" if ok else "planning"})
        return info(row)


def vote(
    reference: object,
    choice: str,
    *,
    by: str,
    comment: str = "",
    seen_version: int | None = None,
) -> ChangeInfo:
    """A committee member's vote on what the committee decides now: approval to
    proceed, approval to implement, or an emergency change afterwards. Once the rule
    is met the decision is made and journalled: approved to proceed moves it to
    planning; approved to implement schedules it and posts its notice; either
    rejection ends it. One vote per member per stage."""
    choice = clean_choice(choice, VOTES, "a vote")
    words = clean(comment, COMMENT)
    if choice == "reject" and not words:
        raise BadInput("Say why you reject it, so whoever raised it can answer.")
    with write():
        refuse_if_acting(by, "a committee vote")
        member = actor(by, "committee")
        row = for_change(reference, seen_version)
        stage = open_stage(row)
        if stage is None:
            word = STATUS_WORDS[row.status].lower()
            raise Refused(f"{change_number(row.id)} is {word}: there is nothing to vote on.")
        already = Vote.get_or_none(
            (Vote.change == row.id)
            & (Vote.stage == stage)
            & (Vote.round == row.vote_round)
            & (Vote.member == member.id)
        )
        if already is not None:
            raise Refused(
                f"You have already voted on {STAGE_WORDS[stage]} for {change_number(row.id)}."
            )
        stamp = journal.now()
        Vote.create(change=row.id, stage=stage, round=row.vote_round, member=member.id,
                    vote=choice, comment=words, at=stamp)  # fmt: skip
        journal.record(member.login, row, "vote", field=stage,
                       after=f"{choice}: {words}" if words else choice, at=stamp)  # fmt: skip
        result = committee.tally(row.id, stage)
        if result.decision is not None:
            _decided(row, stage, result)
        else:
            write_change(row, member.login, "vote", {})
        return info(row)


def _decided(row: Change, stage: str, result: committee.Tally) -> None:
    who = "committee"
    journal.record(who, row, "decision", field=stage,
                   after=f"{result.decision}: {result.words}")  # fmt: skip
    if stage == "afterwards":
        verdict = "endorsed" if result.decision == "approved" else "rejected"
        write_change(row, who, "reviewed afterwards", {"afterwards": verdict})
    elif result.decision == "rejected":
        notices.withdraw_belonging(row, who)
        write_change(row, who, "reject", {"status": "rejected", "closed_at": journal.now()})
    elif stage == "proceed":
        write_change(row, who, "approve to proceed", {"status": "planning"})
    else:
        found = check_row(row)
        if found.words:  # the calendar moved since it was planned: plan it again
            journal.record(who, row, "not scheduled", field="window", after=found.words)
            again = {"status": "planning", "vote_round": row.vote_round + 1}
            write_change(row, who, "back to planning", again)
        else:
            schedule(row, who, "approved to implement")


def approve_emergency(reference: object, *, by: str, seen_version: int | None = None) -> ChangeInfo:
    """A manager approves an emergency change: scheduled at once, its notice posted,
    and the committee reviews it afterwards. It needs a window, an implementer and a
    back-out plan; clashes with lessons are journalled, not refused."""
    with write():
        refuse_if_acting(by, "approving an emergency change")
        tech = actor(by, "manager")
        row = for_change(reference, seen_version)
        if row.kind != "emergency":
            raise Refused(f"{change_number(row.id)} is not an emergency change.")
        refuse_unless_status(row, ("raised",), "be approved")
        missing = []
        if row.window_start is None:
            missing.append("a window")
        if row.implementer_id is None:
            missing.append("an implementer")
        if not row.backout_plan.strip():
            missing.append("a back-out plan")
        if missing:
            raise Refused(f"{change_number(row.id)} needs {and_words(missing)} first.")
        places = room_codes(row)
        found = change_schedule.clashes(
            row.window_start, row.window_end, locations=places, risk=row.risk
        )
        for hit in found:
            journal.record(tech.login, row, "clash accepted", field="window", after=hit.words)
        schedule(row, tech.login, "emergency, approved by a manager")
        return info(row)


def communicate(
    reference: object, text: str, *, by: str, seen_version: int | None = None
) -> ChangeInfo:
    """Say it differently: replace a scheduled change's notice with these words."""
    words = clean(text, NOTICE)
    with write():
        tech = actor(by)
        row = for_change(reference, seen_version)
        refuse_unless(tech, row, "originator", "implementer", doing="change the notice of")
        refuse_unless_status(row, ("scheduled",), "change its notice")
        notices.withdraw_belonging(row, tech.login)
        post_notices(row, tech.login, words)
        write_change(row, tech.login, "communicate", {})
        return info(row)
