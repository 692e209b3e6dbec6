"""Change management: requests for change (RFCs) on their way through the committee.

    from store.changes import changes
    rfc = changes.raise_change("Install Audacity in ICT1", reason="Music coursework",
                               locations=["ICT1"], adds=["Audacity 3.4"], by="jsmith")
    changes.vote(rfc.number, "approve", by="akhan")           # approval to proceed
    changes.plan(rfc.number, implementation_plan="...", test_plan="...", backout_plan="...",
                 window=(start, end), implementer="jsmith", peer_reviewer="bmorris",
                 by="jsmith")
    changes.submit(rfc.number, by="jsmith")                  # to peer review
    changes.peer_review(rfc.number, ok=True, by="bmorris")
    changes.vote(rfc.number, "approve", by="akhan")           # approval to implement:
                                                              # the notice goes up
    changes.implement(rfc.number, by="jsmith")
    changes.update_register(rfc.number, by="jsmith")         # Audacity now in ICT1
    changes.review(rfc.number, outcome="succeeded", lessons="...", by="akhan")   # closed

FITS's lifecycle, one store function per step, each checking who may take it:
identify (the call it came from) -> raise RFC -> approval to proceed (the committee)
-> plan and prepare -> peer review -> approval to implement (the committee) ->
communicate (a kiosk notice with the window) -> implement -> update the asset
register -> post-implementation review, which closes it. Ends early as rejected,
backed out or cancelled.

A standard change is pre-approved: no committee, no peer review, and it must be low
risk. An emergency change is approved by a manager (`approve_emergency`) and voted on
by the committee afterwards. The committee's rule is in `store.changes.committee`.

Windows are checked against the school calendar (`store.changes.schedule`): a normal or
standard change may not hit a lesson, an exam or a freeze; an emergency's clashes are
journalled, not refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from store.changes.approval import (
    WindowCheck,
    approve_emergency,
    communicate,
    missing_for_submit,
    peer_review,
    submit,
    vote,
    window_check,
)
from store.changes.overlap import Overlap, Recent, Similar, overlap
from store.changes.rules import (
    OUTCOMES,
    PLANS,
    actor,
    clean_choice,
    clean_window,
    for_change,
    notice_words,
    refuse_unless,
    refuse_unless_status,
    write_change,
)
from store.changes.work import back_out, implement, review, update_register
from store.configuration import software
from store.configuration.assets import asset_row
from store.db import journal
from store.db.database import write
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import (
    CHANGE_KINDS,
    RISKS,
    Asset,
    Change,
    ChangeAsset,
    ChangeIncident,
    ChangeLocation,
    ChangeSoftware,
    Location,
    Problem,
    Software,
)
from store.db.numbers import log_number
from store.db.sanitise import Field, clean
from store.records.changes import (
    AFFECTED,
    ENDED,
    REASON,
    STATUS_WORDS,
    TEXT,
    TITLE,
    ChangeInfo,
    ChangeSummary,
    VoteInfo,
    awaiting_vote,
    change,
    change_number,
    changes_of_call,
    history,
    incident_row,
    info,
    list_changes,
    scheduled_between,
)
from store.records.problems import problem_number, problem_row
from store.school import notices, people
from store.school.locations import location_row

__all__ = [
    "OUTCOMES",
    "STATUS_WORDS",
    "ChangeInfo",
    "ChangeSummary",
    "Overlap",
    "Recent",
    "Similar",
    "VoteInfo",
    "WindowCheck",
    "approve_emergency",
    "awaiting_vote",
    "back_out",
    "change",
    "change_number",
    "changes_of_call",
    "communicate",
    "history",
    "implement",
    "list_changes",
    "missing_for_submit",
    "notice_words",
    "overlap",
    "peer_review",
    "review",
    "scheduled_between",
    "submit",
    "update_register",
    "vote",
    "window_check",
]


def _scope(assets, locations, adds, removes):
    """Rows for tags, room codes and software names; BadInput naming the first unknown."""
    try:
        devices = [asset_row(tag) for tag in assets]
        places = [location_row(code) for code in locations]
        titles = [software.software_row(name) for name in adds]
        going = [software.software_row(name) for name in removes]
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    both = {t.id for t in titles} & {t.id for t in going}
    if both:
        raise BadInput("A change cannot both add and remove the same software.")
    return devices, places, titles, going


def _set_scope(row: Change, who: str, devices, places, titles, going) -> None:
    """Replace what the change works on, journalling each difference."""
    lines = (
        (ChangeAsset, "asset", [(d.id, d.tag, None) for d in devices]),
        (ChangeLocation, "location", [(p.id, p.code, None) for p in places]),
        (
            ChangeSoftware,
            "software",
            [(t.id, software.name_of(t), "add") for t in titles]
            + [(t.id, software.name_of(t), "remove") for t in going],
        ),
    )
    for model, field, wanted in lines:
        have = {
            values[0]: values[1:]
            for values in model.select(
                getattr(model, field),
                *([model.action] if model is ChangeSoftware else []),
            )
            .where(model.change == row.id)
            .tuples()
        }
        keep = {item_id: action for item_id, _name, action in wanted}
        for item_id, name, action in wanted:
            before = have.get(item_id)
            if before is None or (action and before[0] != action):
                if before is not None:
                    model.delete().where(
                        (model.change == row.id) & (getattr(model, field) == item_id)
                    ).execute()
                values = {"change": row.id, field: item_id}
                if action:
                    values["action"] = action
                model.insert(**values).execute()
                label = f"{name} ({action})" if action else name
                journal.record(who, row, "works on", field=field, after=label)
        gone = [item_id for item_id in have if item_id not in keep]
        if gone:
            model.delete().where(
                (model.change == row.id) & getattr(model, field).in_(gone)
            ).execute()
            for item_id in gone:
                journal.record(
                    who, row, "no longer works on", field=field, before=_label(field, item_id)
                )


def _label(field: str, item_id: int) -> str:
    """A device's tag, a room's code or a title's name, for the journal."""
    if field == "asset":
        return Asset.get_by_id(item_id).tag
    if field == "location":
        return Location.get_by_id(item_id).code
    return software.name_of(Software.get_by_id(item_id))


def raise_change(
    title: str,
    *,
    by: str,
    kind: str = "normal",
    reason: str = "",
    description: str = "",
    risk: str = "low",
    affected: str = "",
    assets: Iterable[str] = (),
    locations: Iterable[str] = (),
    adds: Iterable[str] = (),
    removes: Iterable[str] = (),
    incident: object | None = None,
    problem: object | None = None,
    implementation_plan: str = "",
    test_plan: str = "",
    backout_plan: str = "",
    window: tuple[dt.datetime, dt.datetime] | None = None,
    implementer: str | None = None,
    peer_reviewer: str | None = None,
) -> ChangeInfo:
    """Raise an RFC. A normal change then awaits the committee's approval to proceed;
    a standard change is pre-approved and goes straight to planning; an emergency
    awaits a manager. `incident` is the call that asked for it, `problem` the problem
    it fixes."""
    title = clean(title, TITLE)
    kind = clean_choice(kind, CHANGE_KINDS, "a kind of change")
    risk = clean_choice(risk, RISKS, "a risk")
    if kind == "standard" and risk != "low":
        raise BadInput("A standard change is low risk: raise it as a normal change.")
    texts = {
        "reason": clean(reason, Field("the reason", 2000, multiline=True, required=False)),
        "description": clean(description, TEXT),
        "affected": clean(affected, AFFECTED),
        **{name: clean(value, Field(PLANS[name], 4000, multiline=True, required=False))
           for name, value in (
               ("implementation_plan", implementation_plan),
               ("test_plan", test_plan),
               ("backout_plan", backout_plan),
           )},
    }  # fmt: skip
    span = clean_window(window)
    scope = _scope(list(assets), list(locations), list(adds), list(removes))
    with write():
        tech = actor(by)
        call = incident_row(incident) if incident is not None else None
        fixes = problem_row(problem) if problem is not None else None
        people_ids = {
            name: people.named_technician(login).id
            for name, login in (("implementer", implementer), ("peer_reviewer", peer_reviewer))
            if login
        }
        stamp = journal.now()
        row = Change.create(
            title=title,
            kind=kind,
            risk=risk,
            status="planning" if kind == "standard" else "raised",
            window_start=span[0] if span else None,
            window_end=span[1] if span else None,
            originator=tech.id,
            incident=call.id if call else None,
            created_at=stamp,
            updated_at=stamp,
            **texts,
            **people_ids,
        )
        journal.record(tech.login, row, "raise", after=f"{title} ({kind})", at=stamp)
        if kind == "standard":
            journal.record(tech.login, row, "pre-approved", after="standard change", at=stamp)
        if call is not None:
            journal.record(tech.login, call, "asks for change", after=change_number(row.id))
        if fixes is not None:
            _link_problem(row, fixes, tech.login)
        _set_scope(row, tech.login, *scope)
        return info(row)


def plan(
    reference: object,
    *,
    by: str,
    seen_version: int | None = None,
    title: str | None = None,
    reason: str | None = None,
    description: str | None = None,
    risk: str | None = None,
    affected: str | None = None,
    implementation_plan: str | None = None,
    test_plan: str | None = None,
    backout_plan: str | None = None,
    window: tuple[dt.datetime, dt.datetime] | None = None,
    implementer: str | None = None,
    peer_reviewer: str | None = None,
    assets: Iterable[str] | None = None,
    locations: Iterable[str] | None = None,
    adds: Iterable[str] | None = None,
    removes: Iterable[str] | None = None,
) -> ChangeInfo:
    """Plan and prepare: change what is given (None leaves a thing alone), while the
    change is raised or being planned (an emergency: until it is approved)."""
    updates: dict = {}
    if title is not None:
        updates["title"] = clean(title, TITLE)
    if reason is not None:
        updates["reason"] = clean(reason, Field("the reason", 2000, multiline=True, required=False))
    if description is not None:
        updates["description"] = clean(description, TEXT)
    if affected is not None:
        updates["affected"] = clean(affected, AFFECTED)
    if risk is not None:
        updates["risk"] = clean_choice(risk, RISKS, "a risk")
    for name, value in (
        ("implementation_plan", implementation_plan),
        ("test_plan", test_plan),
        ("backout_plan", backout_plan),
    ):
        if value is not None:
            updates[name] = clean(value, Field(PLANS[name], 4000, multiline=True, required=False))
    span = clean_window(window)
    if span:
        updates["window_start"], updates["window_end"] = span
    scoped = any(x is not None for x in (assets, locations, adds, removes))
    with write():
        tech = actor(by)
        row = for_change(reference, seen_version)
        refuse_unless(tech, row, "originator", "implementer", doing="plan")
        refuse_unless_status(row, ("raised", "planning"), "be planned")
        if row.kind == "standard" and updates.get("risk", "low") != "low":
            raise Refused("A standard change is low risk: cancel it and raise a normal change.")
        for name, login in (("implementer", implementer), ("peer_reviewer", peer_reviewer)):
            if login is not None:
                chosen = people.named_technician(login)
                before = row.implementer_id if name == "implementer" else row.peer_reviewer_id
                if chosen.id != before:
                    journal.record(tech.login, row, name, field=name, after=chosen.login)
                    updates[name] = chosen.id
        reviewer = updates.get("peer_reviewer", row.peer_reviewer_id)
        doer = updates.get("implementer", row.implementer_id)
        if reviewer is not None and reviewer in (row.originator_id, doer):
            raise Refused(
                "The peer reviewer must be someone other than who raised it and who implements it."
            )
        if scoped:
            current = info(row)
            scope = _scope(
                current.assets if assets is None else list(assets),
                current.locations if locations is None else list(locations),
                current.adds if adds is None else list(adds),
                current.removes if removes is None else list(removes),
            )
            _set_scope(row, tech.login, *scope)
        if not updates and not scoped:
            raise Refused("Nothing to change.")
        write_change(row, tech.login, "plan", updates)
        return info(row)


def cancel(
    reference: object, reason: str, *, by: str, seen_version: int | None = None
) -> ChangeInfo:
    """Call it off before it is implemented, saying why; its notice is withdrawn."""
    why = clean(reason, REASON)
    with write():
        tech = actor(by)
        row = for_change(reference, seen_version)
        refuse_unless(tech, row, "originator", doing="cancel")
        refuse_unless_status(
            row, ("raised", "planning", "peer_review", "reviewed", "scheduled"), "be cancelled"
        )
        journal.record(tech.login, row, "cancel", field="reason", after=why)
        notices.withdraw_belonging(row, tech.login)
        write_change(row, tech.login, "cancel", {"status": "cancelled", "closed_at": journal.now()})
        return info(row)


def _link_problem(row: Change, target: Problem, who: str) -> None:
    if target.change_id == row.id:
        raise Refused(f"{change_number(row.id)} already fixes {problem_number(target.id)}.")
    if target.status == "closed":
        raise Refused(f"{problem_number(target.id)} is closed.")
    if target.change_id is not None:
        raise Refused(
            f"{problem_number(target.id)} is already being fixed by "
            f"{change_number(target.change_id)}."
        )
    Problem.update(change_id=row.id, version=target.version + 1).where(
        Problem.id == target.id
    ).execute()
    journal.record(who, row, "fixes", field="problem", after=problem_number(target.id))
    journal.record(who, target, "fixed by", field="change", after=change_number(row.id))


def link_problem(reference: object, problem: object, *, by: str) -> ChangeInfo:
    """Say this change is the fix for a problem."""
    if not str(problem or "").strip():
        raise BadInput("Say which problem it fixes, like PRB-000007.")
    with write():
        tech = actor(by)
        row = for_change(reference, None)
        if row.status in ENDED:
            raise Refused(f"{change_number(row.id)} has ended.")
        _link_problem(row, problem_row(problem), tech.login)
        write_change(row, tech.login, "link", {})
        return info(row)


def link_incident(reference: object, incident: object, *, by: str) -> ChangeInfo:
    """Record that this change caused an incident (so its review can learn from it)."""
    if not str(incident or "").strip():
        raise BadInput("Say which call it caused, like INC-000042.")
    with write():
        tech = actor(by)
        row = for_change(reference, None)
        call = incident_row(incident)
        if row.implemented_at is None:
            raise Refused(
                f"{change_number(row.id)} has not been implemented: it cannot have caused "
                f"{log_number(call.id)}."
            )
        if ChangeIncident.get_or_none(
            (ChangeIncident.change == row.id) & (ChangeIncident.incident == call.id)
        ):
            raise Refused(f"{log_number(call.id)} is already linked to {change_number(row.id)}.")
        ChangeIncident.create(change=row.id, incident=call.id, linked_at=journal.now(),
                              linked_by=tech.login)  # fmt: skip
        journal.record(tech.login, row, "caused", field="incident", after=log_number(call.id))
        journal.record(tech.login, call, "caused by", field="change", after=change_number(row.id))
        write_change(row, tech.login, "link", {})
        return info(row)
