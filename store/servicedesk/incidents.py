"""Incident management: the technician's work on a call, one FITS rule per function.

    from store.servicedesk import incidents
    incidents.take("INC-000042", by="jsmith")
    incidents.start("INC-000042", by="jsmith")
    incidents.add_note("INC-000042", "Ordered a new power pack", public=True, by="jsmith")
    incidents.hold("INC-000042", "Waiting for the part", by="jsmith")
    incidents.resolve("INC-000042", kind="fix", text="Replaced the power pack", by="jsmith")
    incidents.take("INC-000051", by="jsmith", from_colleague=True)   # akhan had it
    incidents.resolve_problem("PRB-000007", root_cause="A worn fuser", by="jsmith")

Each function is one transaction that checks the move is allowed from the
call's status, changes it, and journals it; a move the lifecycle forbids is
`Refused` with a sentence saying why. Give `seen_version` (the Call's
version when the technician looked) to refuse acting on a call someone else
changed in the meantime.
"""

from __future__ import annotations

from store.configuration.assets import asset_row
from store.db import config, journal
from store.db.database import read, write
from store.db.errors import BadInput, NotAllowed, NotFound, Refused
from store.db.models import (
    OPEN,
    RESOLUTION_KINDS,
    Asset,
    Incident,
    ProblemIncident,
    Service,
    Technician,
    holds,
)
from store.db.numbers import log_number
from store.db.sanitise import NOTE, REASON, RESOLUTION, Field, clean, shown
from store.problems import problems
from store.records import calls
from store.records.views import STATUS_WORDS, Call
from store.school import people
from store.school.categories import level
from store.service_levels import catalogue, clocks


def _refuse_unless_open(row: Incident, doing: str) -> None:
    if row.status == "closed":
        raise Refused(f"{log_number(row.id)} is closed: reopen it before you {doing}.")
    if row.status == "resolved":
        raise Refused(f"{log_number(row.id)} is resolved: reopen it before you {doing}.")


def _responded(row: Incident, updates: dict) -> dict:
    """Stamp the first response, if this is it."""
    if row.responded_at is None:
        updates["responded_at"] = journal.now()
    return updates


def _result(row: Incident) -> Call:
    with read():
        return calls.as_call(row.id)


def assign(reference: object, to: str, *, by: str, seen_version: int | None = None) -> Call:
    """Give an open call to a technician: yourself, or (as a manager) anyone."""
    with write():
        actor = people.active_technician(by)
        tech = people.named_technician(to)
        if tech.id != actor.id and not holds(actor.roles, "manager"):
            raise NotAllowed(
                f"Only a manager can give calls to others: {actor.login} can take it.",
                who=actor.login,
            )
        row = calls.for_change(reference, seen_version)
        _refuse_unless_open(row, "assign it")
        if row.assignee_id == tech.id:
            raise Refused(f"{log_number(row.id)} is already assigned to {tech.login}.")
        _give(row, actor.login, tech, "assign")
    return _result(row)


class ColleaguesCall(Refused):
    """A call someone else has: taking it needs saying so (`take(from_colleague=True)`).
    The desk asks first; `colleague` is their name and `version` the call's, to act on."""

    def __init__(self, row: Incident, colleague: Technician) -> None:
        self.number = log_number(row.id)
        self.colleague = colleague.full_name or colleague.login
        self.version = row.version
        super().__init__(f"{self.number} is {self.colleague}'s: say you mean to take it from them.")


def take(
    reference: object,
    *,
    by: str,
    seen_version: int | None = None,
    from_colleague: bool = False,
) -> Call:
    """Assign an open call to yourself. One a colleague has is refused (`ColleaguesCall`)
    unless `from_colleague`; then the journal names who it was taken from."""
    with write():
        actor = people.active_technician(by)
        row = calls.for_change(reference, seen_version)
        _refuse_unless_open(row, "take it")
        if row.assignee_id == actor.id:
            raise Refused(f"{log_number(row.id)} is already assigned to {actor.login}.")
        action = "assign"
        if row.assignee_id is not None:
            colleague = Technician.get_by_id(row.assignee_id)
            if not from_colleague:
                raise ColleaguesCall(row, colleague)
            action = "take from colleague"
        _give(row, actor.login, actor, action)
    return _result(row)


def _give(row: Incident, who: str, tech: Technician, action: str) -> None:
    """Assign `row` to `tech`, journalling whom it was taken from; in the caller's write."""
    before = Technician.get_by_id(row.assignee_id).login if row.assignee_id else None
    journal.record(who, row, action, field="assignee", before=before, after=tech.login)
    calls.change(
        row,
        who,
        action,
        _responded(row, {"assignee": tech.id, "status": "assigned", "hold_reason": ""}),
    )
    clocks.refresh(row)


def start(reference: object, *, by: str, seen_version: int | None = None) -> Call:
    """Start work on a call: yours, or nobody's (then it becomes yours)."""
    with write():
        actor = people.active_technician(by)
        row = calls.for_change(reference, seen_version)
        _refuse_unless_open(row, "start work")
        if row.status == "in_progress":
            raise Refused(f"{log_number(row.id)} is already in progress.")
        updates = {"status": "in_progress", "hold_reason": ""}
        if row.assignee_id is None:
            journal.record(actor.login, row, "start", field="assignee", after=actor.login)
            updates["assignee"] = actor.id
        elif row.assignee_id != actor.id:
            owner = Technician.get_by_id(row.assignee_id).login
            raise Refused(f"{log_number(row.id)} is assigned to {owner}: take it first.")
        calls.change(row, actor.login, "start", _responded(row, updates))
        clocks.refresh(row)
    return _result(row)


def hold(reference: object, reason: str, *, by: str, seen_version: int | None = None) -> Call:
    """Put an assigned call on hold, saying what it waits for."""
    reason = clean(reason, REASON)
    with write():
        actor = people.active_technician(by)
        row = calls.for_change(reference, seen_version)
        _refuse_unless_open(row, "put it on hold")
        if row.status == "on_hold":
            raise Refused(f"{log_number(row.id)} is already on hold.")
        if row.assignee_id is None:
            raise Refused(f"Nobody has {log_number(row.id)} yet: take or assign it first.")
        calls.change(
            row, actor.login, "hold", _responded(row, {"status": "on_hold", "hold_reason": reason})
        )
        clocks.refresh(row)
    return _result(row)


def add_note(
    reference: object, text: str, *, public: bool, by: str, seen_version: int | None = None
) -> Call:
    """Add a note: public ones are seen by the caller, private ones by technicians only."""
    text = clean(text, NOTE)
    with write():
        actor = people.active_technician(by)
        row = calls.for_change(reference, seen_version)
        calls.add_note(row, actor.login, text, public=bool(public))
        if public:
            calls.tell_caller(row, "note", text)
        if public and row.responded_at is None:
            calls.change(row, actor.login, "respond", {"responded_at": journal.now()})
            clocks.refresh(row)
    return _result(row)


def set_priority(
    reference: object,
    *,
    impact: object,
    urgency: object,
    by: str,
    seen_version: int | None = None,
) -> Call:
    """Change impact and urgency; priority follows from the school's matrix."""
    impact, urgency = level(impact, "impact"), level(urgency, "urgency")
    priority = config.current().priority(impact, urgency)
    with write():
        actor = people.active_technician(by)
        row = calls.for_change(reference, seen_version)
        _refuse_unless_open(row, "change its priority")
        if (row.impact, row.urgency) == (impact, urgency):
            raise Refused(f"{log_number(row.id)} already has that impact and urgency.")
        calls.change(
            row,
            actor.login,
            "priority",
            {"impact": impact, "urgency": urgency, "priority": priority},
        )
        clocks.refresh(row)
    return _result(row)


def resolve(
    reference: object, *, kind: str, text: str, by: str, seen_version: int | None = None
) -> Call:
    """Resolve an open call with a fix or a workaround, and its open duplicates with it
    (`store.servicedesk.callers.link_duplicate`); each caller is then asked to confirm on
    their own call."""
    kind = str(kind).strip().lower()
    if kind not in RESOLUTION_KINDS:
        raise Refused(f"Say whether it was a fix or a workaround, not '{shown(kind)}'.")
    text = clean(text, RESOLUTION)
    with write():
        actor = people.active_technician(by)
        row = calls.for_change(reference, seen_version)
        if row.status in ("resolved", "closed"):
            raise Refused(f"{log_number(row.id)} is already {STATUS_WORDS[row.status].lower()}.")
        _resolve_row(row, actor.login, actor.id, kind, text, "resolve")
    return _result(row)


def _resolve_row(
    row: Incident, who: str, tech_id: int | None, kind: str, text: str, action: str
) -> list[int]:
    """Resolve an open call and its open duplicates, each caller told and asked to confirm
    on their own call; the ids resolved. A call nobody had becomes `tech_id`'s. Inside the
    caller's write."""
    updates = {
        "status": "resolved",
        "resolution_kind": kind,
        "resolution_text": text,
        "resolved_at": journal.now(),
        "hold_reason": "",
    }
    said = "Fixed" if kind == "fix" else "A workaround"
    duplicates = Incident.select().where((Incident.duplicate_of == row.id) & calls.IS_OPEN)
    done = []
    for each in [row, *duplicates]:  # the same fault reported again: each caller confirms
        assignee = each.assignee_id or tech_id
        if each.assignee_id is None and tech_id is not None:
            journal.record(who, each, action, field="assignee", after=who)
        calls.change(each, who, action, _responded(each, {**updates, "assignee": assignee}))
        clocks.refresh(each)
        calls.tell_caller(each, "resolved", f"{said}: {text}")
        done.append(each.id)
    return done


PROBLEM_FIXED = "We found what was causing this fault and put it right."
"""What the callers of a resolved problem's calls are told, unless the technician says
(docs/problems.md): never the root cause or the workaround, which are for technicians."""


FIX_WORDS = Field("what the callers are told", RESOLUTION.limit, multiline=True)


def _open_linked(problem_id: int) -> list[int]:
    """The open calls linked to a problem, oldest first."""
    return [
        iid
        for (iid,) in ProblemIncident.select(ProblemIncident.incident)
        .join(Incident, on=ProblemIncident.incident == Incident.id)
        .where((ProblemIncident.problem == problem_id) & calls.IS_OPEN)
        .order_by(Incident.id)
        .tuples()
    ]


def calls_resolved_with(reference: object) -> list[str]:
    """The numbers of the calls `resolve_problem` would resolve now: the problem's open
    linked calls and their open duplicates, in number order."""
    pid = problems.problem_id(reference)
    with read():
        problems.problem_row(pid)
        linked = _open_linked(pid)
        copies = [
            iid
            for (iid,) in Incident.select(Incident.id)
            .where(Incident.duplicate_of.in_(linked or [0]) & calls.IS_OPEN)
            .tuples()
        ]
    return [log_number(iid) for iid in sorted({*linked, *copies})]


def resolve_problem(
    reference: object,
    *,
    by: str,
    root_cause: str | None = None,
    fix: str | None = None,
    keep_calls_open: bool = False,
    seen_version: int | None = None,
) -> tuple[problems.ProblemInfo, list[str]]:
    """Resolve a problem (`problems.resolve`) and, unless `keep_calls_open`, its open
    linked calls in the same transaction, as `resolve` resolves a call: each with its open
    duplicates, as a fix whose words are `fix` (default `PROBLEM_FIXED`), each caller
    asked to confirm on their own call. Returns the problem and the calls resolved."""
    text = PROBLEM_FIXED
    if fix is not None and not keep_calls_open:
        text = clean(fix, FIX_WORDS)
    with write():
        found = problems.resolve(reference, by=by, root_cause=root_cause, seen_version=seen_version)
        resolved: list[int] = []
        if not keep_calls_open:
            who = problems.actor(by)
            tech = None if who == problems.SYSTEM else people.active_technician(who).id
            for iid in _open_linked(found.id):
                row = calls.for_change(log_number(iid))
                if row.status not in OPEN:
                    continue  # resolved already, as a duplicate of one before it
                journal.record(who, row, PROBLEM_ACTION, field="problem", after=found.number)
                resolved += _resolve_row(row, who, tech, "fix", text, PROBLEM_ACTION)
        found = problems.info(problems.problem_row(found.id))
    return found, [log_number(iid) for iid in sorted(resolved)]


PROBLEM_ACTION = "resolve with problem"
"""The journal's action for a call resolved with its problem: not "resolve", which FITS's
resolver warning counts (`store.records.problems`)."""


def reopen(reference: object, reason: str, *, by: str, seen_version: int | None = None) -> Call:
    """Reopen a resolved or closed call, saying why (kept as a private note)."""
    reason = clean(reason, REASON)
    with write():
        actor = people.active_technician(by)
        row = calls.for_change(reference, seen_version)
        if row.status in OPEN:
            raise Refused(f"{log_number(row.id)} is still open.")
        calls.add_note(row, actor.login, f"Reopened: {reason}", public=False)
        calls.reopen(row, actor.login, "reopen")
        clocks.refresh(row)
    return _result(row)


def link_asset(
    reference: object, tag: str | None, *, by: str, seen_version: int | None = None
) -> Call:
    """Say which device a call is about (or, with no tag, about none)."""
    try:
        device = asset_row(tag) if tag else None
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    with write():
        actor = people.active_technician(by)
        row = calls.for_change(reference, seen_version)
        if row.status == "closed":
            raise Refused(f"{log_number(row.id)} is closed: reopen it before you change it.")
        if row.asset_id == (device.id if device else None):
            raise Refused(
                f"{log_number(row.id)} is already about {device.tag if device else 'no device'}."
            )
        before = Asset.get_by_id(row.asset_id).tag if row.asset_id else None
        journal.record(
            actor.login,
            row,
            "link asset",
            field="asset",
            before=before,
            after=device.tag if device else None,
        )
        calls.change(row, actor.login, "link asset", {"asset": device.id if device else None})
    return _result(row)


def set_service(
    reference: object, service: str | None, *, by: str, seen_version: int | None = None
) -> Call:
    """Say which service a call is about (or, with none, about no service); its targets
    are its priority's, so its clocks do not move."""
    with write():
        actor = people.active_technician(by)
        found = catalogue.service_row(service) if service else None
        row = calls.for_change(reference, seen_version)
        if row.status == "closed":
            raise Refused(f"{log_number(row.id)} is closed: reopen it before you change it.")
        if row.service_id == (found.id if found else None):
            raise Refused(
                f"{log_number(row.id)} is already about {found.name if found else 'no service'}."
            )
        before = Service.get_by_id(row.service_id).name if row.service_id else None
        journal.record(
            actor.login,
            row,
            "service",
            field="service",
            before=before,
            after=found.name if found else None,
        )
        calls.change(row, actor.login, "service", {"service": found.id if found else None})
    return _result(row)
