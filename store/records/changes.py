"""Changes as plain data, and how they are read: a request for change (RFC) with its
devices, rooms and software, its votes, the problems it fixes and the incidents it caused.

    from store.changes import changes            # re-exports what is read here
    changes.change("RFC-000003").votes
    changes.list_changes("open")         # newest first
    changes.awaiting_vote("akhan")       # what waits for this member's vote

Changes to changes are in `store.changes.changes`; these functions only read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from store.db import journal
from store.db.database import read
from store.db.errors import BadInput, NotFound
from store.db.models import (
    CHANGE_STATUSES,
    Asset,
    Change,
    ChangeAsset,
    ChangeIncident,
    ChangeLocation,
    ChangeSoftware,
    Incident,
    Journal,
    Location,
    Notice,
    Problem,
    Software,
    SoftwareInstall,
    Technician,
    Vote,
)
from store.db.numbers import log_number, parse_reference
from store.db.sanitise import Field, clean, shown

TITLE = Field("the title", 120)
TEXT = Field("this", 4000, multiline=True, required=False)
AFFECTED = Field("who is affected", 500, multiline=True, required=False)
COMMENT = Field("the comment", 500, multiline=True, required=False)
REASON = Field("the reason", 500, multiline=True)

STATUS_WORDS = {
    "raised": "Raised: awaiting approval to proceed",
    "planning": "Approved to proceed: planning",
    "peer_review": "Awaiting peer review",
    "reviewed": "Peer reviewed: awaiting approval to implement",
    "scheduled": "Approved and scheduled",
    "implemented": "Implemented: register to update",
    "registered": "Register updated: awaiting review",
    "closed": "Closed",
    "rejected": "Rejected",
    "backed_out": "Backed out",
    "cancelled": "Cancelled",
}
SHORT_WORDS = {
    "raised": "Raised",
    "planning": "Planning",
    "peer_review": "Peer review",
    "reviewed": "Reviewed",
    "scheduled": "Scheduled",
    "implemented": "Implemented",
    "registered": "Registered",
    "closed": "Closed",
    "rejected": "Rejected",
    "backed_out": "Backed out",
    "cancelled": "Cancelled",
}
ENDED = ("closed", "rejected", "backed_out", "cancelled")
UNENDED = tuple(s for s in CHANGE_STATUSES if s not in ENDED)
STAGE_WORDS = {
    "proceed": "approval to proceed",
    "implement": "approval to implement",
    "afterwards": "review of an emergency change",
}
VOTE_WORDS = {"approve": "Approve", "reject": "Reject", "abstain": "Abstain"}


def change_number(change_id: int) -> str:
    """RFC-000003."""
    return log_number(change_id, "RFC")


def change_id(reference: object) -> int:
    """The id in 'RFC-000003', 'rfc 3' or '3'; BadInput for anything else."""
    if isinstance(reference, int) and not isinstance(reference, bool):
        if reference < 1:
            raise BadInput("A change number looks like RFC-000003.")
        return reference
    return parse_reference(reference, "RFC").id


def open_stage(row: Change) -> str | None:
    """What the committee is voting on now, if anything."""
    if row.kind == "normal" and row.status == "raised":
        return "proceed"
    if row.kind == "normal" and row.status == "reviewed":
        return "implement"
    if row.kind == "emergency" and row.approved_at is not None and row.afterwards is None:
        return "afterwards"
    return None


@dataclass(frozen=True)
class VoteInfo:
    """One member's vote."""

    stage: str
    member: str
    member_name: str
    vote: str
    comment: str
    at: dt.datetime
    round: int = 1


@dataclass(frozen=True)
class ChangeInfo:
    """One change and everything it points at."""

    id: int
    title: str
    reason: str
    description: str
    kind: str
    status: str
    risk: str
    affected: str
    implementation_plan: str
    test_plan: str
    backout_plan: str
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    originator: str
    peer_reviewer: str | None
    implementer: str | None
    incident: str | None
    outcome: str | None
    lessons: str
    afterwards: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    approved_at: dt.datetime | None
    implemented_at: dt.datetime | None
    closed_at: dt.datetime | None
    version: int
    vote_round: int = 1
    """Votes cast in earlier rounds (before it went back to planning) no longer count."""
    stage: str | None = None
    """What the committee is voting on now ("proceed", "implement", "afterwards")."""
    assets: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    adds: tuple[str, ...] = ()
    """Software it installs, by name ("Audacity 3.4")."""
    removes: tuple[str, ...] = ()
    installed: tuple[str, ...] = ()
    """What the register records as installed under it, a title and where ("Sibelius
    2024 in IT2", "Scratch 3 on LAP-0042"): a standard build's titles, or its adds."""
    problems: tuple[str, ...] = ()
    """Problems it fixes, PRB numbers."""
    caused: tuple[str, ...] = ()
    """Incidents it caused, INC numbers."""
    votes: tuple[VoteInfo, ...] = ()
    notices: tuple[str, ...] = ()
    """The words of its notices showing (or still to show) at the kiosks."""
    sent_back: str = ""
    """Why a change being planned is back in planning ("Sent back by akhan: which
    version?"), or ""."""

    @property
    def number(self) -> str:
        return change_number(self.id)

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    def votes_on(self, stage: str | None = None) -> tuple[VoteInfo, ...]:
        """The votes that count on one stage (the open one, by default): this round's
        while it is open, else those of the round that decided it."""
        stage = stage or self.stage
        cast = [v for v in self.votes if v.stage == stage]
        wanted = self.vote_round if stage == self.stage else max((v.round for v in cast), default=0)
        return tuple(v for v in cast if v.round == wanted)

    def to_json(self) -> dict:
        """What `fitsdesk change show --json` prints."""
        return {
            "number": self.number,
            "title": self.title,
            "reason": self.reason,
            "description": self.description,
            "kind": self.kind,
            "status": self.status,
            "risk": self.risk,
            "affected": self.affected,
            "implementation_plan": self.implementation_plan,
            "test_plan": self.test_plan,
            "backout_plan": self.backout_plan,
            "window_start": iso(self.window_start),
            "window_end": iso(self.window_end),
            "originator": self.originator,
            "peer_reviewer": self.peer_reviewer,
            "implementer": self.implementer,
            "incident": self.incident,
            "outcome": self.outcome,
            "lessons": self.lessons,
            "afterwards": self.afterwards,
            "stage": self.stage,
            "created_at": iso(self.created_at),
            "approved_at": iso(self.approved_at),
            "implemented_at": iso(self.implemented_at),
            "closed_at": iso(self.closed_at),
            "assets": list(self.assets),
            "locations": list(self.locations),
            "adds": list(self.adds),
            "removes": list(self.removes),
            "installed": list(self.installed),
            "problems": list(self.problems),
            "caused": list(self.caused),
            "votes": [
                {
                    "stage": v.stage,
                    "member": v.member,
                    "vote": v.vote,
                    "comment": v.comment,
                    "at": iso(v.at),
                }
                for v in self.votes
            ],
        }


@dataclass(frozen=True)
class ChangeSummary:
    """A change as a list shows it."""

    id: int
    title: str
    kind: str
    status: str
    risk: str
    originator: str
    implementer: str | None
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    created_at: dt.datetime

    @property
    def number(self) -> str:
        return change_number(self.id)

    @property
    def status_word(self) -> str:
        return SHORT_WORDS[self.status]


def iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC).isoformat()


def _login(tech_id: int | None) -> str | None:
    if tech_id is None:
        return None
    return Technician.select(Technician.login).where(Technician.id == tech_id).scalar()


def _names(query) -> tuple[str, ...]:
    return tuple(value for (value,) in query.tuples())


def info(row: Change) -> ChangeInfo:
    """A change row as ChangeInfo; call inside a transaction."""
    assets = _names(
        Asset.select(Asset.tag)
        .join(ChangeAsset, on=ChangeAsset.asset == Asset.id)
        .where(ChangeAsset.change == row.id)
        .order_by(Asset.tag)
    )
    places = _names(
        Location.select(Location.code)
        .join(ChangeLocation, on=ChangeLocation.location == Location.id)
        .where(ChangeLocation.change == row.id)
        .order_by(Location.code)
    )
    titles = list(
        Software.select(Software.title, Software.version, ChangeSoftware.action)
        .join(ChangeSoftware, on=ChangeSoftware.software == Software.id)
        .where(ChangeSoftware.change == row.id)
        .order_by(Software.title, Software.version)
        .tuples()
    )
    adds = tuple(f"{t} {v}".strip() for t, v, action in titles if action == "add")
    removes = tuple(f"{t} {v}".strip() for t, v, action in titles if action == "remove")
    installed = installed_under(row.id)
    problems = tuple(
        log_number(pid, "PRB")
        for (pid,) in Problem.select(Problem.id)
        .where(Problem.change_id == row.id)
        .order_by(Problem.id)
        .tuples()
    )
    caused = tuple(
        log_number(iid)
        for (iid,) in ChangeIncident.select(ChangeIncident.incident)
        .where(ChangeIncident.change == row.id)
        .order_by(ChangeIncident.incident)
        .tuples()
    )
    votes = tuple(
        VoteInfo(stage, login, name, vote, comment, at, round_)
        for stage, login, name, vote, comment, at, round_ in Vote.select(
            Vote.stage,
            Technician.login,
            Technician.full_name,
            Vote.vote,
            Vote.comment,
            Vote.at,
            Vote.round,
        )
        .join(Technician, on=Vote.member == Technician.id)
        .where(Vote.change == row.id)
        .order_by(Vote.at, Vote.id)
        .tuples()
    )
    now = journal.now()
    notices = _names(
        Notice.select(Notice.text)
        .where(
            (Notice.change == row.id)
            & Notice.withdrawn_at.is_null()
            & (Notice.until.is_null() | (Notice.until > now))
        )
        .order_by(Notice.id)
    )
    return ChangeInfo(
        sent_back=_sent_back(row) if row.status == "planning" else "",
        id=row.id,
        title=row.title,
        reason=row.reason,
        description=row.description,
        kind=row.kind,
        status=row.status,
        risk=row.risk,
        affected=row.affected,
        implementation_plan=row.implementation_plan,
        test_plan=row.test_plan,
        backout_plan=row.backout_plan,
        window_start=row.window_start,
        window_end=row.window_end,
        originator=_login(row.originator_id) or "",
        peer_reviewer=_login(row.peer_reviewer_id),
        implementer=_login(row.implementer_id),
        incident=log_number(row.incident_id) if row.incident_id else None,
        outcome=row.outcome,
        lessons=row.lessons,
        afterwards=row.afterwards,
        created_at=row.created_at,
        updated_at=row.updated_at,
        approved_at=row.approved_at,
        implemented_at=row.implemented_at,
        closed_at=row.closed_at,
        version=row.version,
        vote_round=row.vote_round,
        stage=open_stage(row),
        assets=assets,
        locations=places,
        adds=adds,
        removes=removes,
        installed=installed,
        problems=problems,
        caused=caused,
        votes=votes,
        notices=tuple(dict.fromkeys(notices)),
    )


def installed_under(change: int) -> tuple[str, ...]:
    """Each install the register keeps under a change, as "Title Version in ROOM" or
    "Title Version on TAG", by title; call inside a transaction."""
    on_device = SoftwareInstall.asset == Asset.id
    in_room = SoftwareInstall.location == Location.id
    rows = (
        SoftwareInstall.select(Software.title, Software.version, Asset.tag, Location.code)
        .join(Software, on=SoftwareInstall.software == Software.id)
        .join_from(SoftwareInstall, Asset, pw.JOIN.LEFT_OUTER, on=on_device)
        .join_from(SoftwareInstall, Location, pw.JOIN.LEFT_OUTER, on=in_room)
        .where(SoftwareInstall.change_id == change)
        .tuples()
    )
    return tuple(
        sorted(
            f"{title} {version}".strip() + (f" in {code}" if code else f" on {tag}")
            for title, version, tag, code in rows
        )
    )


def _sent_back(row: Change) -> str:
    """Why a change is back in planning, from its journal: the peer reviewer's comment, or
    the calendar clash that stopped it being scheduled; "" if it was never sent back."""
    entries = (
        Journal.select(Journal.who, Journal.action, Journal.field, Journal.after)
        .where(
            (Journal.record == "change")
            & (Journal.record_id == row.id)
            & Journal.action.in_(("submit", "peer review", "not scheduled"))
        )
        .order_by(Journal.id.desc())
        .limit(3)
        .tuples()
    )
    for who, action, field, after in entries:
        if action == "submit" or (action == "peer review" and after == "passed"):
            return ""
        if action == "not scheduled":
            return f"Back to planning: {after}"
        if action == "peer review" and field == "comment":
            return f"Sent back by {who}: {after}"
        if action == "peer review" and after == "sent back":
            return f"Sent back by {who}."
    return ""


def change_row(reference: object) -> Change:
    cid = change_id(reference)
    row = Change.get_or_none(Change.id == cid)
    if row is None:
        raise NotFound(f"There is no change {change_number(cid)}.")
    return row


def change(reference: object) -> ChangeInfo:
    """One change by number ('RFC-000003'), with its links; NotFound if there is none."""
    with read():
        return info(change_row(reference))


def summaries(query) -> list[ChangeSummary]:
    """The changes a query of Change picks, as ChangeSummary, in its order."""
    implementer = Technician.alias()
    query = (
        query.select(
            Change.id,
            Change.title,
            Change.kind,
            Change.status,
            Change.risk,
            Technician.login,
            implementer.login,
            Change.window_start,
            Change.window_end,
            Change.created_at,
        )
        .join(Technician, on=Change.originator == Technician.id)
        .switch(Change)
        .join(implementer, pw.JOIN.LEFT_OUTER, on=Change.implementer == implementer.id)
    )
    with read():
        return [ChangeSummary(*values) for values in query.tuples()]


def list_changes(
    status: str | None = "open", search: str = "", *, limit: int | None = None
) -> list[ChangeSummary]:
    """Changes newest first: 'open' (not yet ended), 'all', or one status."""
    wanted = str(status or "all").strip().lower().replace(" ", "_").replace("-", "_")
    if wanted not in ("open", "all", *CHANGE_STATUSES):
        choices = ", ".join(("open", "all", *CHANGE_STATUSES))
        raise BadInput(f"'{shown(wanted)}' is not a change status: choose from {choices}.")
    query = Change.select().order_by(Change.id.desc())
    if wanted == "open":
        query = query.where(Change.status.in_(UNENDED))
    elif wanted != "all":
        query = query.where(Change.status == wanted)
    text = clean(search, Field("the search", 100, required=False)) if search else ""
    if text:
        query = query.where(
            Change.title.contains(text)
            | Change.description.contains(text)
            | Change.reason.contains(text)
        )
    if limit is not None:
        query = query.limit(limit)
    return summaries(query)


def awaiting_vote(login: str) -> list[ChangeSummary]:
    """Changes whose open stage this committee member has not voted on, oldest first;
    nothing for someone not on the committee."""
    with read():
        member = Technician.get_or_none(Technician.login == login)
        if member is None or not member.active or "committee" not in member.roles.split(","):
            return []
        rows = list(
            Change.select()
            .where(
                ((Change.kind == "normal") & Change.status.in_(("raised", "reviewed")))
                | (
                    (Change.kind == "emergency")
                    & Change.approved_at.is_null(False)
                    & Change.afterwards.is_null()
                )
            )
            .order_by(Change.id)
        )
        voted = set(
            Vote.select(Vote.change, Vote.stage, Vote.round)
            .where((Vote.member == member.id) & Vote.change.in_([r.id for r in rows] or [0]))
            .tuples()
        )
        ids = [r.id for r in rows if (r.id, open_stage(r), r.vote_round) not in voted]
    if not ids:
        return []
    return summaries(Change.select().where(Change.id.in_(ids)).order_by(Change.id))


def scheduled_between(start: dt.datetime, end: dt.datetime) -> list[ChangeSummary]:
    """Changes not cancelled or rejected whose window touches [start, end), earliest first."""
    query = (
        Change.select()
        .where(
            Change.window_start.is_null(False)
            & (Change.window_start < end)
            & (Change.window_end > start)
            & Change.status.not_in(("rejected", "cancelled"))
        )
        .order_by(Change.window_start, Change.id)
    )
    return summaries(query)


def changes_of_call(reference: object) -> list[ChangeSummary]:
    """Changes a call asked for, or that caused it."""
    iid = reference if isinstance(reference, int) else parse_reference(reference).id
    caused = ChangeIncident.select(ChangeIncident.change).where(ChangeIncident.incident == iid)
    query = (
        Change.select()
        .where((Change.incident == iid) | Change.id.in_(caused))
        .order_by(Change.id.desc())
    )
    return summaries(query)


def incident_row(reference: object) -> Incident:
    iid = reference if isinstance(reference, int) else parse_reference(reference).id
    row = Incident.get_or_none(Incident.id == iid)
    if row is None:
        raise NotFound(f"No call matches {log_number(iid)}.")
    return row


def history(reference: object) -> list[journal.JournalEntry]:
    """Every change to a change, oldest first."""
    cid = change_id(reference)
    change(cid)
    return journal.history("change", cid)


FIELD_WORDS = {
    "window_start": "window from",
    "window_end": "window until",
    "implementation_plan": "implementation plan",
    "test_plan": "test plan",
    "backout_plan": "back-out plan",
    "peer_reviewer": "peer reviewer",
    "affected": "who is affected",
    "approved_at": "approved",
    "implemented_at": "implemented",
    "closed_at": "closed",
    "vote_round": "round of votes",
    "asset": "device",
    "location": "room",
}
"""The journal's field names in the words a technician uses."""


def _shortened(value: str | None, longest: int) -> str:
    text = (value or "-").replace("\n", " / ")
    return text if len(text) <= longest else text[: longest - 1] + "…"


def _when(value: str | None) -> str | None:
    """A journalled time ("2026-11-28T22:46:46.225102") in the school's local time."""
    if value and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.replace(tzinfo=dt.UTC).astimezone().strftime("%a %d %b %H:%M")
    return value


def history_line(entry: journal.JournalEntry, longest: int = 160) -> str:
    """One journal line about a change, in words ("status: Raised: ... → Approved to
    proceed: planning"); people's words cut at `longest` characters. Plain text: show
    it with Text or markup off."""
    cut = lambda value: _shortened(value, longest)  # noqa: E731
    if entry.action == "raise":
        return f"raised: {cut(entry.after)}"
    if entry.field is None:
        return f"{entry.action}: {cut(entry.after)}" if entry.after else entry.action
    if entry.field in STAGE_WORDS:  # a vote, or the committee's decision
        return f"{entry.action} on {STAGE_WORDS[entry.field]}: {cut(entry.after)}"
    name = FIELD_WORDS.get(entry.field, entry.field.replace("_", " "))
    before, after = _when(entry.before), _when(entry.after)
    if entry.field == "status":
        before = STATUS_WORDS.get(before or "", before)
        after = STATUS_WORDS.get(after or "", after)
    if entry.action == "works on":
        return f"works on {name} {cut(after)}"
    if entry.action == "no longer works on":
        return f"no longer works on {name} {cut(before)}"
    if not entry.before:
        plain = entry.action in ("plan", entry.field) or name == entry.action
        return f"{name if plain else f'{entry.action}, {name}'}: {cut(after)}"
    return f"{name}: {cut(before)} → {cut(after)}"
