"""The change committee: who is on it, and when its votes decide.

    from store.changes import committee
    committee.members()                  # ["akhan", "bmorris", ...]: the committee role
    committee.tally(change_row, "proceed")   # Tally: the votes, and the decision if made

Members are the active technicians with the committee role. The school's rule is in
the config file's [changes] table:

    [changes]
    committee_rule = "majority"   # more than half the members approve; or "all"
    min_approvals = 2             # ... and at least this many, however small the committee

A stage is approved when the approvals reach what the rule needs, and rejected as
soon as they no longer can (too many rejections, or abstentions under "all").
A committee too small for the rule decides nothing: `Tally.words` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.db import config
from store.db.database import read
from store.db.models import Change, Technician, Vote


@dataclass(frozen=True)
class Tally:
    """The votes on one stage of one change, against the rule."""

    members: tuple[str, ...]
    approve: tuple[str, ...]
    reject: tuple[str, ...]
    abstain: tuple[str, ...]
    needed: int
    """Approvals the rule needs from this committee."""
    decision: str | None
    """"approved", "rejected", or None while undecided."""

    @property
    def waiting(self) -> tuple[str, ...]:
        """Members who have not voted yet."""
        voted = {*self.approve, *self.reject, *self.abstain}
        return tuple(m for m in self.members if m not in voted)

    @property
    def words(self) -> str:
        """The count in one line: "2 of 4 approve; 3 needed (majority, at least 2)"."""
        head = f"{len(self.approve)} of {len(self.members)} approve"
        if self.reject:
            head += f", {len(self.reject)} reject"
        if self.abstain:
            head += f", {len(self.abstain)} abstain"
        if self.needed > len(self.members):
            return (
                f"{head}: the rule needs {self.needed} approvals but the committee has "
                f"{len(self.members)} member{'s' if len(self.members) != 1 else ''}. "
                "Give more technicians the committee role."
            )
        return f"{head}; {self.needed} needed ({rule_words()})"


def rule_words() -> str:
    settings = config.current()
    share = "every member" if settings.committee_rule == "all" else "a majority"
    return f"{share}, at least {settings.min_approvals}"


def members() -> tuple[str, ...]:
    """Logins of the active technicians with the committee role, in order."""
    with read():
        rows = (
            Technician.select(Technician.login, Technician.roles)
            .where(Technician.active)
            .order_by(Technician.login)
            .tuples()
        )
        return tuple(login for login, roles in rows if "committee" in roles.split(","))


def needed(count: int) -> int:
    """Approvals the rule needs from a committee of `count` members."""
    settings = config.current()
    share = count if settings.committee_rule == "all" else count // 2 + 1
    return max(settings.min_approvals, share)


def decide(members: tuple[str, ...], votes: dict[str, str]) -> Tally:
    """The decision on `votes` (member -> approve/reject/abstain) under the rule.
    Votes from people no longer on the committee do not count."""
    counted = {m: v for m, v in votes.items() if m in members}
    approve = tuple(m for m in members if counted.get(m) == "approve")
    reject = tuple(m for m in members if counted.get(m) == "reject")
    abstain = tuple(m for m in members if counted.get(m) == "abstain")
    need = needed(len(members))
    still_possible = len(members) - len(reject) - len(abstain)
    decision = None
    if need <= len(members):
        if len(approve) >= need:
            decision = "approved"
        elif still_possible < need:
            decision = "rejected"
    return Tally(members, approve, reject, abstain, need, decision)


def tally(change_id: int, stage: str) -> Tally:
    """The votes cast on one stage of a change in its current round, and what they
    decide now."""
    with read():
        now = Change.select(Change.vote_round).where(Change.id == change_id).scalar() or 1
        votes = {
            login: vote
            for login, vote in Vote.select(Technician.login, Vote.vote)
            .join(Technician, on=Vote.member == Technician.id)
            .where((Vote.change == change_id) & (Vote.stage == stage) & (Vote.round == now))
            .tuples()
        }
    return decide(members(), votes)
