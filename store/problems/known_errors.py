"""Known errors: a problem's workaround published to technicians, and to pupils at the kiosk.

    from store.problems import known_errors
    known_errors.publish("PRB-000007", workaround="Use the Library printer",
                         public_text="The S12 printer is broken; use the Library's.",
                         by="jsmith")
    known_errors.for_call("INC-000042")          # workarounds a technician sees on a call
    known_errors.at_kiosk("S12", "printer")      # what a pupil is shown before they report
    callers.add_me("PRB-000007", ...)   # store.servicedesk.callers: a pupil adds themselves

A problem whose scope names rooms and kinds of fault matches a call in one of
those rooms (or any room, when it names none) and of one of those kinds (or
any kind, when it names none); its devices match calls about them. A public
known error puts a notice on the kiosks of each room it affects (or on every
kiosk), and the notices are withdrawn when the problem is resolved or closed.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from store.db import journal
from store.db.database import read, write
from store.db.errors import Refused
from store.db.models import (
    Category,
    Incident,
    Location,
    Notice,
    Person,
    Problem,
    ProblemAsset,
    ProblemCategory,
    ProblemIncident,
    ProblemLocation,
)
from store.db.sanitise import clean
from store.problems import problems
from store.problems.problems import PUBLIC_TEXT, WORKAROUND, problem_number
from store.school import notices


class NoLongerShown(Refused):
    """The known error was resolved, closed or taken off the kiosks while a pupil chose it."""


@dataclass(frozen=True)
class KnownError:
    """A known error as a technician or a pupil is shown it."""

    id: int
    title: str
    workaround: str
    public_text: str
    public: bool
    affected: int
    linked: bool
    """Whether the call it was found for is linked to it (else it only matches)."""

    @property
    def number(self) -> str:
        return problem_number(self.id)


def publish(
    reference: object,
    *,
    workaround: str,
    by: str,
    root_cause: str | None = None,
    public_text: str = "",
    seen_version: int | None = None,
) -> problems.ProblemInfo:
    """Mark a problem a known error with its workaround. With `public_text`, pupils are
    told at the kiosks of the rooms it affects (the whole school, when it names none)."""
    workaround = clean(workaround, WORKAROUND)
    cause = clean(root_cause, problems.CAUSE) if root_cause is not None else None
    words = clean(public_text, PUBLIC_TEXT) if public_text else ""
    with write():
        who = problems.actor(by)
        row = problems.for_change(reference, seen_version)
        if row.status not in ("open", "investigating", "known_error"):
            word = problems.STATUS_WORDS[row.status].lower()
            raise Refused(f"{problem_number(row.id)} is {word}: it cannot become a known error.")
        updates: dict = {
            "status": "known_error",
            "workaround": workaround,
            "public": bool(words),
            "public_text": words,
        }
        if cause is not None:
            updates["root_cause"] = cause
        notices.withdraw_belonging(row, who)
        if words:
            _post_notices(row, words, who)
        problems.write_change(row, who, "known error", updates)
        return problems.info(row)


def unpublish(
    reference: object, *, by: str, seen_version: int | None = None
) -> problems.ProblemInfo:
    """Stop showing a known error at the kiosks; technicians still see its workaround."""
    with write():
        who = problems.actor(by)
        row = problems.for_change(reference, seen_version)
        if not row.public:
            raise Refused(f"{problem_number(row.id)} is not shown at the kiosks.")
        notices.withdraw_belonging(row, who)
        problems.write_change(row, who, "unpublish", {"public": False})
        return problems.info(row)


def _post_notices(row: Problem, words: str, who: str) -> None:
    places = [
        location_id
        for (location_id,) in ProblemLocation.select(ProblemLocation.location)
        .where(ProblemLocation.problem == row.id)
        .tuples()
    ] or [None]
    now = journal.now()
    for place in places:
        notice = Notice.create(
            text=words, location=place, starts_at=now, created_by=who, problem=row.id
        )
        journal.record(who, notice, "post", after=words, at=now)


def _affected() -> pw.Select:
    return (
        ProblemIncident.select(
            ProblemIncident.problem.alias("pid"),
            pw.fn.COUNT(Incident.requester.distinct()).alias("people"),
        )
        .join(Incident, on=ProblemIncident.incident == Incident.id)
        .group_by(ProblemIncident.problem)
    )


def _matching(location_id: int | None, category_id: int | None, asset_id: int | None):
    """Known-error problems whose scope takes in a call in this room, kind and device."""

    def names_none(model) -> pw.Expression:
        return ~pw.fn.EXISTS(model.select(pw.SQL("1")).where(model.problem == Problem.id))

    def names(model, field, value) -> pw.Expression:
        if value is None:
            return pw.SQL("1 = 0")
        return pw.fn.EXISTS(
            model.select(pw.SQL("1")).where(
                (model.problem == Problem.id) & (getattr(model, field) == value)
            )
        )

    by_place = (names_none(ProblemLocation) | names(ProblemLocation, "location", location_id)) & (
        names_none(ProblemCategory) | names(ProblemCategory, "category", category_id)
    )
    scoped = ~(names_none(ProblemLocation) & names_none(ProblemCategory))
    return (scoped & by_place) | names(ProblemAsset, "asset", asset_id)


def _known(where: pw.Expression, linked_ids: set[int]) -> list[KnownError]:
    affected = _affected().alias("affected")
    rows = (
        Problem.select(
            Problem.id,
            Problem.title,
            Problem.workaround,
            Problem.public_text,
            Problem.public,
            pw.fn.COALESCE(affected.c.people, 0),
        )
        .join(affected, pw.JOIN.LEFT_OUTER, on=(affected.c.pid == Problem.id))
        .where((Problem.status == "known_error") & where)
        .order_by(Problem.major.desc(), Problem.id.desc())
        .tuples()
    )
    return [KnownError(*values, values[0] in linked_ids) for values in rows]


def for_call(reference: object) -> list[KnownError]:
    """The known errors a technician should see on a call: those it is linked to, then
    those whose rooms, kinds of fault or devices match it."""
    iid = problems.incident_id(reference)
    with read():
        row = (
            Incident.select(Incident.location, Incident.category, Incident.asset)
            .where(Incident.id == iid)
            .tuples()
            .first()
        )
        if row is None:
            return []
        linked = {
            pid
            for (pid,) in ProblemIncident.select(ProblemIncident.problem)
            .where(ProblemIncident.incident == iid)
            .tuples()
        }
        found = _known(Problem.id.in_(linked or [0]) | _matching(*row), linked)
    return sorted(found, key=lambda known: not known.linked)


def at_kiosk(location: str | None, category: str | None) -> list[KnownError]:
    """Public known errors a pupil reporting this kind of fault in this room is shown."""
    with read():
        place = Location.get_or_none(Location.code == location) if location else None
        kind = (
            Category.get_or_none(
                (Category.name == str(category).lower()) | (Category.label == category)
            )
            if category
            else None
        )
        return _known(
            Problem.public
            & _matching(place.id if place else None, kind.id if kind else None, None),
            set(),
        )


def affected_people(reference: object) -> list[str]:
    """The names of the people a problem's incidents came from, for a technician."""
    pid = problems.problem_id(reference)
    with read():
        return [
            name
            for (name,) in ProblemIncident.select(Person.name)
            .join(Incident, on=ProblemIncident.incident == Incident.id)
            .join(Person, on=Incident.requester == Person.id)
            .where(ProblemIncident.problem == pid)
            .distinct()
            .order_by(Person.name)
            .tuples()
        ]
