"""Problems as plain data, and how they are read: a problem with its linked calls,
the devices, rooms and kinds of fault it affects, and the people it affected.

    from store.problems import problems            # re-exports what is read here
    problems.problem("PRB-000007").incidents
    problems.list_problems("open")        # newest first, majors on top

Changes to problems are in `store.problems.problems`; these functions only read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from store.db import journal
from store.db.database import read
from store.db.errors import BadInput, NotFound
from store.db.models import (
    PROBLEM_STATUSES,
    Asset,
    Category,
    Incident,
    Journal,
    Location,
    Metric,
    Person,
    Problem,
    ProblemAsset,
    ProblemCategory,
    ProblemIncident,
    ProblemLocation,
    Technician,
)
from store.db.numbers import log_number, parse_reference
from store.db.sanitise import Field, clean, shown
from store.records.views import STATUS_WORDS as CALL_WORDS

TITLE = Field("the title", 120)
CAUSE = Field("the root cause", 4000, multiline=True, required=False)
WORKAROUND = Field("the workaround", 4000, multiline=True)
PUBLIC_TEXT = Field("the words for the kiosk", 200)
ORIGIN = Field("the origin", 200)
REASON = Field("the reason", 500, multiline=True)

STATUS_WORDS = {
    "open": "Open",
    "investigating": "Investigating",
    "known_error": "Known error",
    "fix_in_progress": "Fix in progress",
    "resolved": "Resolved",
    "closed": "Closed",
}
UNCLOSED = PROBLEM_STATUSES[:-1]
ACTIVE = ("open", "investigating", "known_error", "fix_in_progress")
"""Problems still being worked: incidents may be linked to them."""
VIA = ("desk", "kiosk", "trend", "metric")
SYSTEM = "system"
"""Who the journal names for what FITS Desk raises on its own (trends, capacity)."""


def problem_number(problem_id: int) -> str:
    """PRB-000007."""
    return log_number(problem_id, "PRB")


@dataclass(frozen=True)
class LinkedCall:
    """An incident as a problem lists it."""

    number: str
    summary: str
    status: str
    status_word: str
    requester: str
    location: str | None
    category: str | None
    asset: str | None
    logged_at: dt.datetime
    via: str
    linked_by: str
    linked_at: dt.datetime


@dataclass(frozen=True)
class Wording:
    """One value a problem's root cause or workaround has had: who wrote it, and when."""

    text: str
    at: dt.datetime
    who: str

    def to_json(self) -> dict:
        return {"text": self.text, "at": _iso(self.at), "by": self.who}


@dataclass(frozen=True)
class ProblemInfo:
    """One problem and everything it points at."""

    id: int
    title: str
    description: str
    status: str
    owner: str | None
    resolver: str | None
    root_cause: str
    workaround: str
    major: bool
    public: bool
    public_text: str
    parent: str | None
    change_id: int | None
    origin: str | None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    version: int
    incidents: tuple[LinkedCall, ...] = ()
    assets: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    affected: int = 0
    """How many different people its incidents came from."""
    warnings: tuple[str, ...] = ()
    origin_words: str = ""
    """What raised it, in words ("the capacity forecast for Backup NAS"), or ""."""
    root_cause_history: tuple[Wording, ...] = ()
    """Every root cause it has had, oldest first: the last is `root_cause`."""
    workaround_history: tuple[Wording, ...] = ()
    """Every workaround it has had, oldest first: the last is `workaround`."""

    @property
    def earlier_root_causes(self) -> tuple[Wording, ...]:
        """The root causes written before the one it has now, newest first."""
        return tuple(reversed(self.root_cause_history[:-1]))

    @property
    def earlier_workarounds(self) -> tuple[Wording, ...]:
        """The workarounds written before the one it has now, newest first."""
        return tuple(reversed(self.workaround_history[:-1]))

    @property
    def number(self) -> str:
        return problem_number(self.id)

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def is_known_error(self) -> bool:
        return self.status == "known_error"

    def to_json(self) -> dict:
        """What `fitsdesk problem show --json` prints."""
        return {
            "number": self.number,
            "title": self.title,
            "description": self.description,
            "status": self.status,
            "owner": self.owner,
            "resolver": self.resolver,
            "root_cause": self.root_cause,
            "workaround": self.workaround,
            "root_cause_history": [w.to_json() for w in self.root_cause_history],
            "workaround_history": [w.to_json() for w in self.workaround_history],
            "major": self.major,
            "public": self.public,
            "public_text": self.public_text,
            "parent": self.parent,
            "origin": self.origin,
            "created_by": self.created_by,
            "created_at": _iso(self.created_at),
            "resolved_at": _iso(self.resolved_at),
            "closed_at": _iso(self.closed_at),
            "incidents": [call.number for call in self.incidents],
            "assets": list(self.assets),
            "locations": list(self.locations),
            "categories": list(self.categories),
            "affected": self.affected,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class ProblemSummary:
    """A problem as a list shows it."""

    id: int
    title: str
    status: str
    owner: str | None
    major: bool
    public: bool
    incidents: int
    affected: int
    created_at: dt.datetime

    @property
    def number(self) -> str:
        return problem_number(self.id)

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC).isoformat()


# Reading


def problem_id(reference: object) -> int:
    """The id in 'PRB-000007', 'prb 7' or '7'; BadInput for anything else."""
    if isinstance(reference, int) and not isinstance(reference, bool):
        if reference < 1:
            raise BadInput("A problem number looks like PRB-000007.")
        return reference
    return parse_reference(reference, "PRB").id


def incident_id(reference: object) -> int:
    if isinstance(reference, int) and not isinstance(reference, bool):
        return reference
    return parse_reference(reference).id


def _linked_calls(pid: int) -> tuple[LinkedCall, ...]:
    rows = (
        ProblemIncident.select(
            Incident.id,
            Incident.summary,
            Incident.status,
            Person.name,
            Location.code,
            Category.name,
            Asset.tag,
            Incident.logged_at,
            ProblemIncident.via,
            ProblemIncident.linked_by,
            ProblemIncident.linked_at,
        )
        .join(Incident, on=ProblemIncident.incident == Incident.id)
        .join(Person, on=Incident.requester == Person.id)
        .switch(Incident)
        .join(Location, pw.JOIN.LEFT_OUTER, on=Incident.location == Location.id)
        .switch(Incident)
        .join(Category, pw.JOIN.LEFT_OUTER, on=Incident.category == Category.id)
        .switch(Incident)
        .join(Asset, pw.JOIN.LEFT_OUTER, on=Incident.asset == Asset.id)
        .where(ProblemIncident.problem == pid)
        .order_by(Incident.logged_at, Incident.id)
        .tuples()
    )
    return tuple(
        LinkedCall(
            log_number(iid),
            summary,
            status,
            CALL_WORDS[status],
            name,
            loc,
            cat,
            tag,
            at,
            via,
            by,
            linked_at,
        )
        for iid, summary, status, name, loc, cat, tag, at, via, by, linked_at in rows
    )


SCOPES = (
    (ProblemAsset, "asset", Asset, "tag"),
    (ProblemLocation, "location", Location, "code"),
    (ProblemCategory, "category", Category, "name"),
)
"""What a problem affects: the link table, its field, the table it points at, and the
column people know a row by (devices, rooms, kinds of fault, in that order)."""


def _scope(pid: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    found = []
    for model, field, target, column in SCOPES:
        name = getattr(target, column)
        query = (
            model.select(name)
            .join(target, on=getattr(model, field) == target.id)
            .where(model.problem == pid)
            .order_by(name)
            .tuples()
        )
        found.append(tuple(value for (value,) in query))
    return found[0], found[1], found[2]


def _warnings(row: Problem, resolver: str | None) -> tuple[str, ...]:
    """FITS: the problem's resolver should not be whoever resolved its incidents."""
    if not resolver:
        return ()
    linked = ProblemIncident.select(ProblemIncident.incident).where(
        ProblemIncident.problem == row.id
    )
    resolved = (
        Journal.select(Journal.record_id)
        .where(
            (Journal.record == "incident")
            & (Journal.action == "resolve")
            & (Journal.who == resolver)
            & Journal.record_id.in_(linked)
        )
        .distinct()
        .order_by(Journal.record_id)
        .tuples()
    )
    numbers = [log_number(rid) for (rid,) in resolved]
    if not numbers:
        return ()
    shown_numbers = ", ".join(numbers[:3]) + (" and more" if len(numbers) > 3 else "")
    return (
        f"{resolver} resolves this problem and also resolved {shown_numbers}: FITS keeps "
        "the problem's resolver apart from whoever fixed its incidents.",
    )


def login_of(tech_id: int | None) -> str | None:
    return Technician.get_by_id(tech_id).login if tech_id else None


def _origin_words(origin: str | None) -> str:
    """A problem's origin as a technician reads it: "metric:3" names the metric, a
    trend's key ("repeat:LAP-0042:laptop") says which trend."""
    if not origin:
        return ""
    kind, _, rest = origin.partition(":")
    if kind == "metric" and rest.isdigit():
        found = Metric.get_or_none(Metric.id == int(rest))
        return f"the capacity forecast for {found.name}" if found else "a capacity forecast"
    parts = rest.split(":")

    def label(name: str) -> str:
        found = Category.get_or_none(Category.name == name)
        return found.label if found else name

    if kind == "repeat" and len(parts) == 2:
        return f"a trend: repeat {label(parts[1])} faults on {parts[0]}"
    if kind == "spike" and len(parts) >= 3:
        return f"a trend: a spike of {label(parts[1])} calls in {parts[0]} ({':'.join(parts[2:])})"
    if kind == "rising" and len(parts) == 1:
        return f"a trend: {label(parts[0])} calls rising week on week"
    return origin


def _wordings(pid: int) -> tuple[tuple[Wording, ...], tuple[Wording, ...]]:
    """Each value the root cause and the workaround have had, oldest first, from the
    journal (every change to them journals the old and the new)."""
    rows = (
        Journal.select(Journal.field, Journal.at, Journal.who, Journal.after)
        .where(
            (Journal.record == "problem")
            & (Journal.record_id == pid)
            & Journal.field.in_(("root_cause", "workaround"))
        )
        .order_by(Journal.id)
        .tuples()
    )
    found: dict[str, list[Wording]] = {"root_cause": [], "workaround": []}
    for name, at, who, after in rows:
        at = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
        found[name].append(Wording(after or "", at, who))
    return tuple(found["root_cause"]), tuple(found["workaround"])


def info(row: Problem) -> ProblemInfo:
    calls = _linked_calls(row.id)
    assets, locations, categories = _scope(row.id)
    children = tuple(
        problem_number(cid)
        for (cid,) in Problem.select(Problem.id)
        .where(Problem.parent == row.id)
        .order_by(Problem.id)
        .tuples()
    )
    resolver = login_of(row.resolver_id)
    return ProblemInfo(
        row.id,
        row.title,
        row.description,
        row.status,
        login_of(row.owner_id),
        resolver,
        row.root_cause,
        row.workaround,
        bool(row.major),
        bool(row.public),
        row.public_text,
        problem_number(row.parent_id) if row.parent_id else None,
        row.change_id,
        row.origin,
        row.created_by,
        row.created_at,
        row.updated_at,
        row.resolved_at,
        row.closed_at,
        row.version,
        calls,
        assets,
        locations,
        categories,
        children,
        len({call.requester for call in calls}),
        _warnings(row, resolver),
        _origin_words(row.origin),
        *_wordings(row.id),
    )


def problem_row(reference: object) -> Problem:
    pid = problem_id(reference)
    row = Problem.get_or_none(Problem.id == pid)
    if row is None:
        raise NotFound(f"There is no problem {problem_number(pid)}.")
    return row


def problem(reference: object) -> ProblemInfo:
    """One problem by number ('PRB-000007'), with its links; NotFound if there is none."""
    with read():
        return info(problem_row(reference))


def open_with_origin(origin: str) -> ProblemInfo | None:
    """The unclosed problem raised for `origin` ("metric:3"), if there is one."""
    with read():
        row = (
            Problem.select()
            .where((Problem.origin == origin) & (Problem.status.in_(UNCLOSED)))
            .order_by(Problem.id)
            .first()
        )
        return info(row) if row else None


def list_problems(
    status: str | None = "open", search: str = "", *, ids: list[int] | None = None
) -> list[ProblemSummary]:
    """Problems newest first: 'open' (not yet closed), 'all', or one status; majors first;
    only those in `ids`, when given."""
    wanted = str(status or "all").strip().lower().replace(" ", "_")
    if wanted not in ("open", "all", *PROBLEM_STATUSES):
        choices = ", ".join(("open", "all", *PROBLEM_STATUSES))
        raise BadInput(f"'{shown(wanted)}' is not a problem status: choose from {choices}.")
    linked = (
        ProblemIncident.select(
            ProblemIncident.problem.alias("pid"),
            pw.fn.COUNT(ProblemIncident.id).alias("calls"),
            pw.fn.COUNT(Incident.requester.distinct()).alias("people"),
        )
        .join(Incident, on=ProblemIncident.incident == Incident.id)
        .group_by(ProblemIncident.problem)
        .alias("linked")
    )
    query = (
        Problem.select(
            Problem.id,
            Problem.title,
            Problem.status,
            Technician.login,
            Problem.major,
            Problem.public,
            pw.fn.COALESCE(linked.c.calls, 0),
            pw.fn.COALESCE(linked.c.people, 0),
            Problem.created_at,
        )
        .join(Technician, pw.JOIN.LEFT_OUTER, on=Problem.owner == Technician.id)
        .switch(Problem)
        .join(linked, pw.JOIN.LEFT_OUTER, on=(linked.c.pid == Problem.id))
        .order_by(Problem.major.desc(), Problem.id.desc())
    )
    if wanted == "open":
        query = query.where(Problem.status.in_(UNCLOSED))
    elif wanted != "all":
        query = query.where(Problem.status == wanted)
    text = clean(search, Field("the search", 100, required=False)) if search else ""
    if text:  # contains() escapes % and _ and ignores case, on both databases
        query = query.where(Problem.title.contains(text) | Problem.description.contains(text))
    if ids is not None:
        query = query.where(Problem.id.in_(ids or [0]))
    with read():
        return [ProblemSummary(*values) for values in query.tuples()]


def problems_of_call(reference: object) -> list[ProblemSummary]:
    """The problems an incident is linked to."""
    iid = incident_id(reference)
    with read():
        ids = [
            pid
            for (pid,) in ProblemIncident.select(ProblemIncident.problem)
            .where(ProblemIncident.incident == iid)
            .tuples()
        ]
    return list_problems("all", ids=ids) if ids else []


def history(reference: object) -> list[journal.JournalEntry]:
    """Every change to a problem, oldest first."""
    pid = problem_id(reference)
    problem(pid)
    return journal.history("problem", pid)
