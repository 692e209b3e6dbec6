"""The demo school's problem management: a device on its fourth fault under investigation,
the Library's Wi-Fi as a known error the kiosks tell pupils about, and a projector problem
resolved and closed, so the desk's problem screens have something true-looking to show.

`demo.fill` calls `fill_problems` after the calls exist; it does nothing if the school
already has problems.
"""

from __future__ import annotations

import peewee as pw

from store import asset_history, known_errors, problems
from store.models import Asset, Category, Incident, Location, Problem, ProblemIncident


def _calls(where: pw.Expression, limit: int) -> list[int]:
    linked = ProblemIncident.select(ProblemIncident.incident)
    return [
        iid
        for (iid,) in Incident.select(Incident.id)
        .join(Category, on=Incident.category == Category.id)
        .switch(Incident)
        .join(Location, pw.JOIN.LEFT_OUTER, on=Incident.location == Location.id)
        .switch(Incident)
        .join(Asset, pw.JOIN.LEFT_OUTER, on=Incident.asset == Asset.id)
        .where(where & Incident.id.not_in(linked))
        .order_by(Incident.logged_at.desc())
        .limit(limit)
        .tuples()
    ]


def fill_problems(by: str, resolver: str) -> list[str]:
    """Raise the demo's problems as `by`, the closed one resolved by `resolver`; return
    their numbers."""
    if Problem.select().exists():
        return []
    raised = []
    flagged = asset_history.flagged()
    if flagged:
        tag, kind, count = flagged[0]
        calls = _calls((Asset.tag == tag) & (Category.name == kind), count)
        prb = problems.raise_problem(
            f"{tag}: {count} {kind} faults in a year",
            description="The same device keeps coming back with the same fault.",
            incidents=calls,
            by=by,
        )
        problems.investigate(prb.number, by=by)
        raised.append(prb.number)

    wifi = _calls((Location.code == "LIB") & (Category.name == "wifi"), 6)
    prb = problems.raise_problem(
        "Library Wi-Fi drops out at busy times",
        description="The access point by the Library windows drops clients above 40.",
        incidents=wifi,
        locations=["LIB"],
        categories=["wifi"],
        by=by,
    )
    problems.investigate(prb.number, by=by)
    known_errors.publish(
        prb.number,
        workaround="Move the pupil to the SCHOOL-2 network, or lend a wired laptop from IT1.",
        root_cause="The Library access point is overloaded; a second one is on order.",
        public_text="Wi-Fi in the Library drops out at busy times. We know, and we are "
        "fixing it. Sit near the door for a better signal.",
        by=by,
    )
    raised.append(prb.number)

    projectors = _calls(Category.name == "projector", 4)
    prb = problems.raise_problem(
        "Projector lamps failing early",
        incidents=projectors,
        categories=["projector"],
        by=by,
    )
    problems.record_cause(prb.number, root_cause="Filters never cleaned; lamps overheat.", by=by)
    problems.resolve(prb.number, by=resolver)
    problems.close(prb.number, by=by)
    raised.append(prb.number)
    return raised
