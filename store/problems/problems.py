"""Problem management: the root cause behind recurring or major incidents.

    from store.problems import problems
    prb = problems.raise_problem("Laptop power packs failing", incidents=["INC-000042"],
                                 by="jsmith")
    problems.link_incidents(prb.number, ["INC-000051"], by="jsmith")
    problems.investigate(prb.number, by="jsmith")
    problems.record_cause(prb.number, root_cause="A bad batch of chargers", by="jsmith")
    problems.resolve(prb.number, by="akhan")
    problems.close(prb.number, by="jsmith")

A problem is `PRB-000007`. Its lifecycle is open -> investigating -> known
error (a workaround published, see `store.problems.known_errors`) -> fix in progress
-> resolved -> closed; each move is one transaction, journalled, refused with
a sentence when the lifecycle forbids it. Give `seen_version` to refuse
acting on a problem someone else changed since you looked.

FITS keeps the problem's resolver apart from whoever resolved its incidents:
`ProblemInfo.warnings` says when they are the same person.
"""

from __future__ import annotations

from collections.abc import Iterable

from store.configuration.assets import asset_row
from store.db import journal
from store.db.database import row_to_change, write
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import (
    Asset,
    Category,
    Incident,
    Location,
    Problem,
    ProblemIncident,
)
from store.db.numbers import log_number
from store.db.sanitise import DESCRIPTION, Field, clean, shown
from store.records.problems import (
    ACTIVE,
    CAUSE,
    ORIGIN,
    PUBLIC_TEXT,
    REASON,
    SCOPES,
    STATUS_WORDS,
    SYSTEM,
    TITLE,
    UNCLOSED,
    VIA,
    WORKAROUND,
    LinkedCall,
    ProblemInfo,
    ProblemSummary,
    history,
    incident_id,
    info,
    list_problems,
    login_of,
    open_with_origin,
    problem,
    problem_id,
    problem_number,
    problem_row,
    problems_of_call,
)
from store.school import notices, people
from store.school.categories import category_row
from store.school.locations import location_row

__all__ = [
    "PUBLIC_TEXT",
    "STATUS_WORDS",
    "WORKAROUND",
    "LinkedCall",
    "ProblemInfo",
    "ProblemSummary",
    "history",
    "list_problems",
    "open_with_origin",
    "problem",
    "problem_id",
    "problem_number",
    "problems_of_call",
]


def actor(by: str) -> str:
    """The journal's name for who acts: an active technician, or the system itself."""
    if by == SYSTEM:
        return SYSTEM
    return people.active_technician(by).login


# Changing


def for_change(reference: object, seen_version: int | None) -> Problem:
    pid = problem_id(reference)
    return row_to_change(Problem, pid, seen_version, problem_number(pid), "problem")


def write_change(row: Problem, who: str, action: str, updates: dict) -> None:
    journal.update(row, who, action, updates, links=("owner", "resolver", "parent"))


def _refuse_unless_active(row: Problem, doing: str) -> None:
    if row.status not in ACTIVE:
        word = STATUS_WORDS[row.status].lower()
        raise Refused(f"{problem_number(row.id)} is {word}: reopen it before you {doing}.")


def _incident_rows(references: Iterable[object]) -> list[Incident]:
    ids: list[int] = []
    for reference in references:
        iid = incident_id(reference)
        if iid in ids:
            raise BadInput(f"{log_number(iid)} is listed twice.")
        ids.append(iid)
    rows = {row.id: row for row in Incident.select().where(Incident.id.in_(ids))}
    for iid in ids:
        if iid not in rows:
            raise NotFound(f"No call matches {log_number(iid)}.")
    return [rows[iid] for iid in ids]


def link(row: Problem, incidents: list[Incident], who: str, via: str) -> None:
    if not incidents:
        return
    ids = [incident.id for incident in incidents]
    taken = (
        ProblemIncident.select(ProblemIncident.incident, Problem.id, Problem.status)
        .join(Problem, on=ProblemIncident.problem == Problem.id)
        .where(ProblemIncident.incident.in_(ids))
        .tuples()
    )
    for iid, pid, status in taken:
        if pid == row.id:
            raise Refused(f"{log_number(iid)} is already linked to {problem_number(pid)}.")
        if status in UNCLOSED:
            raise Refused(
                f"{log_number(iid)} is already linked to {problem_number(pid)}: "
                "unlink it there first."
            )
    stamp = journal.now()
    ProblemIncident.insert_many(
        [
            {"problem": row.id, "incident": iid, "via": via, "linked_at": stamp, "linked_by": who}
            for iid in ids
        ]
    ).execute()
    for iid in ids:
        journal.record(who, row, "link", field="incident", after=log_number(iid), at=stamp)
        journal.record(
            who,
            Incident(id=iid),
            "link problem",
            field="problem",
            after=problem_number(row.id),
            at=stamp,
        )


def _scope_rows(assets, locations, categories):
    """Rows for tags, room codes and category names; BadInput naming the first unknown."""
    try:
        devices = [asset_row(tag) for tag in assets]
        places = [location_row(code) for code in locations]
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    kinds = [category_row(name) for name in categories]
    return devices, places, kinds


def _add_scope(row: Problem, who: str, devices, places, kinds) -> None:
    for (model, field, _target, column), rows in zip(SCOPES, (devices, places, kinds), strict=True):
        have = {
            value
            for (value,) in model.select(getattr(model, field))
            .where(model.problem == row.id)
            .tuples()
        }
        for item in rows:
            if item.id in have:
                continue
            have.add(item.id)
            model.insert(problem=row.id, **{field: item.id}).execute()
            journal.record(who, row, "affects", field=field, after=getattr(item, column))


def raise_problem(
    title: str,
    *,
    by: str,
    description: str = "",
    incidents: Iterable[object] = (),
    assets: Iterable[str] = (),
    locations: Iterable[str] = (),
    categories: Iterable[str] = (),
    major: bool = False,
    origin: str | None = None,
    via: str = "desk",
) -> ProblemInfo:
    """Raise a problem, linking incidents; the devices, rooms and kinds of fault it affects
    are those given, each defaulting to its incidents'. With `origin`, refused while one
    is still open."""
    title = clean(title, TITLE)
    description = clean(description, DESCRIPTION)
    origin = clean(origin, ORIGIN) if origin else None
    if via not in VIA:
        raise BadInput(f"'{shown(via)}' is not a way to link: choose from {', '.join(VIA)}.")
    assets, locations, categories = list(assets), list(locations), list(categories)
    devices, places, kinds = _scope_rows(assets, locations, categories)
    with write():
        who = actor(by)
        calls = _incident_rows(incidents)
        if origin:
            already = (
                Problem.select(Problem.id)
                .where((Problem.origin == origin) & Problem.status.in_(UNCLOSED))
                .first()
            )
            if already:
                raise Refused(f"{problem_number(already.id)} is already open for this.")
        stamp = journal.now()
        row = Problem.create(
            title=title,
            description=description,
            status="open",
            owner=None if who == SYSTEM else people.active_technician(who).id,
            major=bool(major),
            origin=origin,
            created_by=who,
            created_at=stamp,
            updated_at=stamp,
        )
        journal.record(who, row, "raise", after=title, at=stamp)
        link(row, calls, who, via)
        # Each of devices, rooms and kinds not given is that of the calls: a device's
        # repeat fault, raised with its tag, still affects only the rooms it was in.
        devices = devices or _distinct(Asset, [c.asset_id for c in calls])
        places = places or _distinct(Location, [c.location_id for c in calls])
        kinds = kinds or _distinct(Category, [c.category_id for c in calls])
        _add_scope(row, who, devices, places, kinds)
        return info(row)


def _distinct(model, ids: list[int | None]) -> list:
    wanted = sorted({i for i in ids if i is not None})
    return list(model.select().where(model.id.in_(wanted)).order_by(model.id)) if wanted else []


def link_incidents(
    reference: object,
    incidents: Iterable[object],
    *,
    by: str,
    via: str = "desk",
    seen_version: int | None = None,
) -> ProblemInfo:
    """Link incidents to a problem still being worked; all of them or none."""
    if via not in VIA:
        raise BadInput(f"'{shown(via)}' is not a way to link: choose from {', '.join(VIA)}.")
    references = list(incidents)
    if not references:
        raise BadInput("Say which calls to link, like INC-000042.")
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        _refuse_unless_active(row, "link calls to it")
        link(row, _incident_rows(references), who, via)
        write_change(row, who, "link", {})
        return info(row)


def unlink_incident(
    reference: object, incident: object, *, by: str, seen_version: int | None = None
) -> ProblemInfo:
    """Take an incident off a problem (it was not this cause after all)."""
    iid = incident_id(incident)
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        if row.status == "closed":
            raise Refused(f"{problem_number(row.id)} is closed: reopen it before you change it.")
        gone = (
            ProblemIncident.delete()
            .where((ProblemIncident.problem == row.id) & (ProblemIncident.incident == iid))
            .execute()
        )
        if not gone:
            raise Refused(f"{log_number(iid)} is not linked to {problem_number(row.id)}.")
        journal.record(who, row, "unlink", field="incident", before=log_number(iid))
        journal.record(
            who, Incident(id=iid), "unlink problem", field="problem", before=problem_number(row.id)
        )
        write_change(row, who, "unlink", {})
        return info(row)


def set_scope(
    reference: object,
    *,
    by: str,
    assets: Iterable[str] | None = None,
    locations: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
    seen_version: int | None = None,
) -> ProblemInfo:
    """Replace the devices, rooms or kinds of fault a problem affects (None: leave alone)."""
    devices, places, kinds = _scope_rows(assets or (), locations or (), categories or ())
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        if row.status == "closed":
            raise Refused(f"{problem_number(row.id)} is closed: reopen it before you change it.")
        for (model, field, target, column), given, keep in zip(
            SCOPES, (assets, locations, categories), (devices, places, kinds), strict=True
        ):
            if given is None:
                continue
            going = (model.problem == row.id) & ~getattr(model, field).in_(
                [item.id for item in keep] or [0]
            )
            dropped = (
                model.select(getattr(target, column))
                .join(target, on=getattr(model, field) == target.id)
                .where(going)
                .tuples()
            )
            for (value,) in dropped:
                journal.record(who, row, "no longer affects", field=field, before=value)
            model.delete().where(going).execute()
        _add_scope(row, who, devices, places, kinds)
        write_change(row, who, "scope", {})
        return info(row)


def edit(
    reference: object,
    *,
    by: str,
    seen_version: int | None = None,
    title: str | None = None,
    description: str | None = None,
    major: bool | None = None,
) -> ProblemInfo:
    """Change a problem's title, description or major-incident flag."""
    updates: dict = {}
    if title is not None:
        updates["title"] = clean(title, TITLE)
    if description is not None:
        updates["description"] = clean(description, DESCRIPTION)
    if major is not None:
        updates["major"] = bool(major)
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        if row.status == "closed":
            raise Refused(f"{problem_number(row.id)} is closed: reopen it before you change it.")
        write_change(row, who, "edit", updates)
        return info(row)


def set_owner(
    reference: object, owner: str, *, by: str, seen_version: int | None = None
) -> ProblemInfo:
    """Give a problem to a technician to own."""
    with write():
        who = actor(by)
        tech = people.named_technician(owner)
        row = for_change(reference, seen_version)
        _refuse_unless_active(row, "change its owner")
        if row.owner_id == tech.id:
            raise Refused(f"{tech.login} already owns {problem_number(row.id)}.")
        journal.record(
            who, row, "owner", field="owner", before=login_of(row.owner_id), after=tech.login
        )
        write_change(row, who, "owner", {"owner": tech.id})
        return info(row)


def set_resolver(
    reference: object, resolver: str, *, by: str, seen_version: int | None = None
) -> ProblemInfo:
    """Name who will resolve the problem; see `ProblemInfo.warnings`."""
    with write():
        who = actor(by)
        tech = people.named_technician(resolver)
        row = for_change(reference, seen_version)
        _refuse_unless_active(row, "change its resolver")
        before = login_of(row.resolver_id)
        journal.record(who, row, "resolver", field="resolver", before=before, after=tech.login)
        write_change(row, who, "resolver", {"resolver": tech.id})
        return info(row)


def set_parent(
    reference: object, parent: object | None, *, by: str, seen_version: int | None = None
) -> ProblemInfo:
    """Say a problem is part of a bigger one (None: it stands alone). No circles."""
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        if row.status == "closed":
            raise Refused(f"{problem_number(row.id)} is closed: reopen it before you change it.")
        target = None
        if parent is not None:
            target = problem_row(parent)
            if target.id == row.id:
                raise Refused(f"{problem_number(row.id)} cannot be part of itself.")
            if target.status == "closed":
                raise Refused(f"{problem_number(target.id)} is closed.")
            seen, step = {row.id}, target
            while step.parent_id is not None:
                if step.parent_id in seen:
                    raise Refused(
                        f"{problem_number(target.id)} is already part of "
                        f"{problem_number(row.id)}: that would make a circle."
                    )
                seen.add(step.parent_id)
                step = Problem.get_by_id(step.parent_id)
        if (target.id if target else None) == row.parent_id:
            raise Refused("Nothing to change.")
        journal.record(
            who,
            row,
            "part of",
            field="parent",
            before=problem_number(row.parent_id) if row.parent_id else None,
            after=problem_number(target.id) if target else None,
        )
        write_change(row, who, "part of", {"parent": target.id if target else None})
        return info(row)


def investigate(reference: object, *, by: str, seen_version: int | None = None) -> ProblemInfo:
    """Start investigating; whoever does becomes the owner if it had none."""
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        if row.status != "open":
            word = STATUS_WORDS[row.status].lower()
            raise Refused(f"{problem_number(row.id)} is {word}, not open.")
        updates: dict = {"status": "investigating"}
        if row.owner_id is None and who != SYSTEM:
            updates["owner"] = people.active_technician(who).id
            journal.record(who, row, "owner", field="owner", after=who)
        write_change(row, who, "investigate", updates)
        return info(row)


def record_cause(
    reference: object, *, root_cause: str, by: str, seen_version: int | None = None
) -> ProblemInfo:
    """Write down the root cause as far as it is known."""
    cause = clean(root_cause, CAUSE)
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        _refuse_unless_active(row, "record its cause")
        write_change(row, who, "root cause", {"root_cause": cause})
        return info(row)


def start_fix(
    reference: object, *, by: str, change: object | None = None, seen_version: int | None = None
) -> ProblemInfo:
    """The permanent fix is under way: through a change (RFC-000003), when given, which
    must exist and not have been cancelled or rejected."""
    from store.db.models import Change
    from store.records.changes import change_id, change_number

    wanted = change_id(change) if change is not None else None
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        _refuse_unless_active(row, "start a fix")
        if row.status == "fix_in_progress":
            raise Refused(f"{problem_number(row.id)} already has a fix in progress.")
        updates: dict = {"status": "fix_in_progress"}
        if wanted is not None:
            fix = Change.get_or_none(Change.id == wanted)
            if fix is None:
                raise NotFound(f"There is no change {change_number(wanted)}.")
            if fix.status in ("cancelled", "rejected"):
                raise Refused(f"{change_number(wanted)} was {fix.status}: it will fix nothing.")
            if row.change_id != wanted:
                journal.record(who, fix, "fixes", field="problem", after=problem_number(row.id))
            updates["change_id"] = wanted
        write_change(row, who, "start fix", updates)
        return info(row)


def resolve(
    reference: object,
    *,
    by: str,
    root_cause: str | None = None,
    seen_version: int | None = None,
) -> ProblemInfo:
    """The cause is removed: resolved, its kiosk notices withdrawn. Its resolver is the
    one named beforehand (`set_resolver`), else `by`. The root cause must be written
    down by now. Its calls are left as they are: the desk and the command line resolve
    them with it through `store.servicedesk.incidents.resolve_problem`."""
    cause = clean(root_cause, CAUSE) if root_cause is not None else None
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        _refuse_unless_active(row, "resolve it")
        updates: dict = {"status": "resolved", "resolved_at": journal.now(), "public": False}
        if cause:
            updates["root_cause"] = cause
        if not (cause or row.root_cause):
            raise Refused(f"Write down the root cause before you resolve {problem_number(row.id)}.")
        if who != SYSTEM and row.resolver_id is None:  # a resolver named beforehand stays
            journal.record(who, row, "resolver", field="resolver", after=who)
            updates["resolver"] = people.active_technician(who).id
        notices.withdraw_belonging(row, who)
        write_change(row, who, "resolve", updates)
        return info(row)


def close(
    reference: object, *, by: str, reason: str = "", seen_version: int | None = None
) -> ProblemInfo:
    """Close a resolved problem; one never resolved closes only with a reason
    (a duplicate, not a problem after all)."""
    why = clean(reason, Field("the reason", 500, multiline=True, required=False))
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        if row.status == "closed":
            raise Refused(f"{problem_number(row.id)} is already closed.")
        if row.status != "resolved" and not why:
            raise Refused(f"{problem_number(row.id)} is not resolved: say why you are closing it.")
        if why:
            journal.record(who, row, "close", field="reason", after=why)
        notices.withdraw_belonging(row, who)
        write_change(
            row, who, "close", {"status": "closed", "closed_at": journal.now(), "public": False}
        )
        return info(row)


def reopen(
    reference: object, reason: str, *, by: str, seen_version: int | None = None
) -> ProblemInfo:
    """Reopen a resolved or closed problem (the fault came back), saying why."""
    why = clean(reason, REASON)
    with write():
        who = actor(by)
        row = for_change(reference, seen_version)
        if row.status in ACTIVE:
            raise Refused(f"{problem_number(row.id)} is still open.")
        if row.origin:
            clash = (
                Problem.select(Problem.id)
                .where(
                    (Problem.origin == row.origin)
                    & Problem.status.in_(UNCLOSED)
                    & (Problem.id != row.id)
                )
                .first()
            )
            if clash:
                raise Refused(f"{problem_number(clash.id)} is already open for this.")
        journal.record(who, row, "reopen", field="reason", after=why)
        write_change(
            row,
            who,
            "reopen",
            {"status": "investigating", "resolved_at": None, "closed_at": None},
        )
        return info(row)
