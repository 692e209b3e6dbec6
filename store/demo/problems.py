"""The demo school's problem management: a device on its fourth fault under investigation,
the Library's Wi-Fi as a known error the kiosks tell pupils about, and a projector problem
resolved and closed; and capacity metrics with a few months of readings, one of them
forecast to be full soon. So the desk's problem screens have something true-looking to show.

`demo.fill` calls `fill_problems` after the calls exist and `fill_metrics`; each does
nothing if the school already has what it makes.
"""

from __future__ import annotations

import datetime as dt
import random

import peewee as pw

from store.configuration import history as asset_history
from store.db import journal
from store.db.database import insert_rows, write
from store.db.models import (
    Asset,
    Category,
    Incident,
    Location,
    Metric,
    Person,
    Problem,
    ProblemIncident,
    Sample,
)
from store.problems import capacity, known_errors, problems
from store.service_levels import clocks
from store.servicedesk import incidents, servicedesk


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
    incidents.resolve_problem(prb.number, by=resolver)  # its open calls resolved with it
    problems.close(prb.number, by=by)
    raised.append(prb.number)
    return raised


METRICS = (
    # name, unit, capacity, start, rise per day, noise, days of daily readings
    ("File server disk (S:)", "GB", 2000.0, 1150.0, 3.1, 6.0, 120),
    ("Backup NAS", "GB", 8000.0, 5500.0, 24.0, 25.0, 90),
    ("Microsoft 365 storage", "TB", 5.0, 2.1, 0.0, 0.02, 60),
)
"""A disk filling steadily, a backup store nearly full (its forecast raises a problem),
and a cloud quota that is flat."""


def fill_metrics(rng: random.Random, by: str, now: dt.datetime) -> list[str]:
    """The demo's capacity metrics with daily readings; does nothing if there are metrics."""
    if Metric.select().exists():
        return []
    for name, unit, size, start, rise, noise, days in METRICS:
        capacity.add_metric(name, capacity=size, unit=unit, by=by)
        row = Metric.get(Metric.name == name)
        first = now - dt.timedelta(days=days)
        readings = [
            {
                "metric": row.id,
                "at": first + dt.timedelta(days=day, hours=2),
                "value": round(max(0.0, start + rise * day + rng.gauss(0, noise)), 2),
            }
            for day in range(days)
        ]
        with write():
            insert_rows(Sample, readings)
            journal.record(by, row, "demo", field="readings", after=str(len(readings)))
    capacity.check_forecasts(now=now)
    return [name for name, *_rest in METRICS]


OUTAGE = ("IT2", "network", "Can't get on the network", 9)
"""A morning the network switch in IT2 failed: nine calls within the hour."""
RISING = ("login", "Can't log in", (6, 18, 40))
"""Logins failing more each week for the last three (a password policy gone wrong)."""


def planted_calls(incidents: int) -> int:
    """How many of `incidents` demo calls `plant_trends` makes: none in a small demo, or
    once there are problems (a second run)."""
    if incidents < 1000 or Problem.select().exists():
        return 0
    return OUTAGE[3] + sum(RISING[2])


def plant_trends(rng: random.Random, by: str, now: dt.datetime, days: list[dt.date]) -> int:
    """A spike and a rising kind of fault among the demo's calls, so the desk's Trends
    screen shows all three kinds (the year's calls already hold repeat faults); returns
    how many calls it logged, `planted_calls`."""
    people = list(
        Person.select(Person.name, Person.role, Person.group_name)
        .where(Person.role == "pupil")
        .limit(300)
        .tuples()
    )
    room, kind, summary, count = OUTAGE
    start = dt.datetime.combine(days[-4], dt.time(9, 5))
    times = [start + dt.timedelta(minutes=6 * i + rng.randrange(5)) for i in range(count)]
    for number in _log_at(times, summary, kind, room, people, rng, by):
        incidents.resolve(number, kind="fix", text="Replaced the switch in IT2", by=by)
    kind, summary, weekly = RISING
    for weeks_ago, calls in zip((2, 1, 0), weekly, strict=True):
        end = now - dt.timedelta(days=7 * weeks_ago)
        week = [end - dt.timedelta(days=6, hours=20) + dt.timedelta(hours=h) for h in range(160)]
        open_hours = [t for t in week if 8 <= t.hour < 16 and t.weekday() < 5] or week
        times = sorted(
            rng.choice(open_hours) + dt.timedelta(minutes=rng.randrange(60)) for _ in range(calls)
        )
        _log_at(times, summary, kind, None, people, rng, by)
    return count + sum(weekly)


def _log_at(times, summary, kind, room, people, rng, by) -> list[str]:
    numbers = []
    for moment in times:
        name, role, group = rng.choice(people)
        call = servicedesk.log_call(
            summary=summary,
            requester=name,
            role=role,
            group=group,
            category=kind,
            location=room,
            by=by,
        )
        with write():
            Incident.update(logged_at=moment, updated_at=moment).where(
                Incident.id == call.id
            ).execute()
            clocks.refresh(Incident.get_by_id(call.id))  # due from when it was logged
        numbers.append(call.number)
    return numbers
