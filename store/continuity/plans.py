"""Continuity plans (FITS IT service continuity): for each service in the catalogue, how
soon it must be back (RTO), how much data it may lose (RPO), how it is backed up and
where the copies are (checked against the 3-2-1 rule), the recovery steps, the contacts
and its tests.

    from store.continuity import plans
    plans.edit_plan("MIS", rto="4h", rpo="1d", copies=3, devices=2, offsite=True, by="jsmith")
    plans.record_test("MIS", result="pass", notes="Restored last night's copy", by="akhan")
    plans.list_plans(today)                 # every service, with or without a plan
    plans.reminders("jsmith", today)        # tests overdue, changes since the last review
    plans.report_section(start, end)        # the service report's continuity figures

Writing a plan is a manager's step; recording a test is any technician's. Both are
journalled. A test is due once a term by default (`test_interval`): see
docs/continuity.md for how a term is counted. The rules a plan is checked by (3-2-1,
lengths of time, when a test is overdue) are in store.continuity.plan_rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.continuity import backups
from store.continuity.plan_rules import (
    TERMLY,
    Rule,
    clean_count,
    clean_duration,
    clean_interval,
    clean_priority,
    clean_result,
    day_words,
    due_since,
    interval_words,
    is_overdue,
    three_two_one,
)
from store.db import database, journal
from store.db.database import read, write
from store.db.errors import BadInput, NotFound, Refused
from store.db.identity import journal_name
from store.db.models import (
    Asset,
    CalendarEvent,
    Change,
    ChangeAsset,
    ContinuityPlan,
    ContinuityTest,
    Service,
    ServiceAsset,
    Setting,
    Technician,
    holds,
)
from store.db.numbers import log_number
from store.db.sanitise import Field, clean, shown
from store.school import calendar, people
from store.school.calendar import to_local
from store.service_levels import catalogue

OWN_SERVICE = "FITS Desk"
"""FITS Desk's own entry: its backups are read from `fitsdesk backup`'s folder."""
INTERVAL_KEY = "continuity_test_every"
METHOD = Field("how it is backed up", 500, multiline=True, required=False)
STEPS = Field("the recovery steps", 8000, multiline=True, required=False)
CONTACTS = Field("the contacts", 2000, multiline=True, required=False)
NOTES = Field("the test's notes", 2000, multiline=True, required=False)

# -- what a plan is --------------------------------------------------------------------


@dataclass(frozen=True)
class TestInfo:
    service: str
    tested_on: dt.date
    result: str
    notes: str
    recorded_by: str
    recorded_at: dt.datetime

    def to_json(self) -> dict:
        return {
            "service": self.service,
            "tested_on": self.tested_on.isoformat(),
            "result": self.result,
            "notes": self.notes,
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at.isoformat(),
        }


@dataclass(frozen=True)
class PlanInfo:
    """A service and its continuity plan (`planned` False: it has none yet)."""

    service: str
    owner: str
    criticality: str
    planned: bool
    recovery_priority: int | None = None
    rto_minutes: int | None = None
    rpo_minutes: int | None = None
    backup_method: str = ""
    copies: int = 0
    copy_devices: int = 0
    offsite: bool = False
    steps: str = ""
    contacts: str = ""
    reviewed_at: dt.datetime | None = None
    tested_on: dt.date | None = None
    test_result: str | None = None
    overdue: bool = False
    version: int = 0
    tests: tuple[TestInfo, ...] = ()
    own_backup: str | None = None
    """FITS Desk's own entry: the age of its latest backup, in a sentence."""
    own_backup_fresh: bool | None = None

    @property
    def rule(self) -> Rule:
        return three_two_one(self.copies, self.copy_devices, self.offsite)

    def to_json(self) -> dict:
        return {
            "service": self.service,
            "owner": self.owner,
            "criticality": self.criticality,
            "planned": self.planned,
            "recovery_priority": self.recovery_priority,
            "rto_minutes": self.rto_minutes,
            "rpo_minutes": self.rpo_minutes,
            "backup_method": self.backup_method,
            "copies": self.copies,
            "copy_devices": self.copy_devices,
            "offsite": self.offsite,
            "rule_321": self.rule.met if self.planned else None,
            "rule_321_words": self.rule.words if self.planned else None,
            "steps": self.steps,
            "contacts": self.contacts,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "tested_on": self.tested_on.isoformat() if self.tested_on else None,
            "test_result": self.test_result,
            "test_overdue": self.overdue,
            "tests": [test.to_json() for test in self.tests],
            "own_backup": self.own_backup,
            "own_backup_fresh": self.own_backup_fresh,
        }


@dataclass(frozen=True)
class Reminder:
    """Something to do about a plan, in one plain sentence."""

    service: str
    kind: str
    """"overdue" (its test), "changed" (its devices since the review), "backup" (FITS
    Desk's own copy is old or missing)."""
    text: str


def test_interval() -> str:
    """How often each plan is tested: 'termly' (the default) or like '90d'."""
    with read():
        row = Setting.get_or_none(Setting.key == INTERVAL_KEY)
    if row is None:
        return TERMLY
    try:
        return clean_interval(row.value)
    except BadInput:
        return TERMLY


def set_test_interval(value: object, *, by: str) -> str:
    """Change how often plans are tested (a manager's step, journalled)."""
    after = clean_interval(value)
    with write():
        people.manager_or_first(by, "set how often continuity plans are tested")
        before = test_interval()
        row = Setting.put(INTERVAL_KEY, after)
        journal.record(by, row, "set", field=INTERVAL_KEY, before=before, after=after)
    return after


def _terms() -> list[tuple[dt.date, dt.date]]:
    query = (
        CalendarEvent.select(CalendarEvent.starts_at, CalendarEvent.ends_at)
        .where(CalendarEvent.kind == "term")
        .order_by(CalendarEvent.starts_at)
    )
    tiny = dt.timedelta(microseconds=1)
    return [(to_local(start).date(), to_local(end - tiny).date()) for start, end in query.tuples()]


# -- reading plans ----------------------------------------------------------------------


def _today() -> dt.date:
    """Today, in the school's local time."""
    return to_local(journal.now()).date()


def _tests(plan: ContinuityPlan, service: str) -> tuple[TestInfo, ...]:
    query = (
        ContinuityTest.select()
        .where(ContinuityTest.plan == plan.id)
        .order_by(ContinuityTest.tested_on.desc(), ContinuityTest.id.desc())
    )
    return tuple(
        TestInfo(service, t.tested_on, t.result, t.notes, t.recorded_by, t.recorded_at)
        for t in query
    )


def _info(
    service: Service, plan: ContinuityPlan | None, since: dt.date, with_tests: bool
) -> PlanInfo:
    if plan is None:
        return PlanInfo(service.name, service.owner, service.criticality, False, overdue=False)
    return PlanInfo(
        service.name,
        service.owner,
        service.criticality,
        True,
        plan.recovery_priority,
        plan.rto_minutes,
        plan.rpo_minutes,
        plan.backup_method,
        plan.copies,
        plan.copy_devices,
        plan.offsite,
        plan.steps,
        plan.contacts,
        plan.reviewed_at,
        plan.tested_on,
        plan.test_result,
        is_overdue(plan.tested_on, since),
        plan.version,
        _tests(plan, service.name) if with_tests else (),
    )


def _bound_url(url: str | None) -> str | None:
    """The URL given, else the bound database's (its backups are beside it)."""
    return url or getattr(database.db.obj, "fitsdesk_url", None)


def drill_words(info: PlanInfo) -> str:
    """Whether a restore drill of FITS Desk's own copies was recorded: `fitsdesk restore`
    to a new place records nothing, so a drill is recorded as a test of its plan."""
    if not info.planned or info.tested_on is None:
        return (
            "No restore drill is recorded: after one (docs/backup.md), record it with "
            f"fitsdesk continuity test '{OWN_SERVICE}' --result pass --notes TEXT."
        )
    return f"The last restore drill was on {day_words(info.tested_on)}: {info.test_result}."


def _own(info: PlanInfo, url: str | None, now: dt.datetime | None) -> PlanInfo:
    """FITS Desk's own entry, with the age of its latest backup."""
    fresh, words = backups.freshness(_bound_url(url), now=now)
    return PlanInfo(**{**info.__dict__, "own_backup": words, "own_backup_fresh": fresh})


def _is_own(name: str) -> bool:
    return name.lower() == OWN_SERVICE.lower()


def list_plans(
    today: dt.date | None = None, *, url: str | None = None, now: dt.datetime | None = None
) -> list[PlanInfo]:
    """Every service in use with its plan (or none), by recovery priority, then the most
    critical without a plan. FITS Desk's own entry carries its backup's age, and is
    listed (without a plan) even before it is in the catalogue."""
    today = today or _today()
    with read():
        since = due_since(today, test_interval(), _terms())
        plans = {p.service_id: p for p in ContinuityPlan.select()}
        found = [
            _info(row, plans.get(row.id), since, False)
            for row in Service.select().where(~Service.retired)
        ]
    if not any(_is_own(info.service) for info in found):
        found.append(PlanInfo(OWN_SERVICE, "", "high", False))
    found = [_own(info, url, now) if _is_own(info.service) else info for info in found]
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(
        found,
        key=lambda p: (
            not p.planned,
            p.recovery_priority or 9,
            order.get(p.criticality, 9),
            p.service.lower(),
        ),
    )


def show_plan(
    service: object,
    today: dt.date | None = None,
    *,
    url: str | None = None,
    now: dt.datetime | None = None,
) -> PlanInfo:
    """One service's plan with its tests, newest first (planned False if it has none)."""
    today = today or _today()
    with read():
        since = due_since(today, test_interval(), _terms())
        try:
            row = catalogue.service_row(service)
        except NotFound:
            if not _is_own(str(service).strip()):
                raise
            info = PlanInfo(OWN_SERVICE, "", "high", False)
        else:
            plan = ContinuityPlan.get_or_none(ContinuityPlan.service == row.id)
            info = _info(row, plan, since, True)
    return _own(info, url, now) if _is_own(info.service) else info


# -- writing plans ----------------------------------------------------------------------

FIELDS = (
    "recovery_priority",
    "rto",
    "rpo",
    "backup_method",
    "copies",
    "devices",
    "offsite",
    "steps",
    "contacts",
)


def _yes_or_no(value: object) -> bool:
    if not isinstance(value, bool):
        raise BadInput("Whether a copy is off site is yes or no.")
    return value


def _cleaned(given: dict) -> dict:
    unknown = set(given) - set(FIELDS)
    if unknown:
        raise BadInput(f"A continuity plan has no '{shown(sorted(unknown)[0], 30)}' to change.")
    cleaners = {
        "recovery_priority": ("recovery_priority", clean_priority),
        "rto": ("rto_minutes", lambda v: clean_duration(v, "the RTO")),
        "rpo": ("rpo_minutes", lambda v: clean_duration(v, "the RPO")),
        "backup_method": ("backup_method", lambda v: clean(v, METHOD)),
        "copies": ("copies", lambda v: clean_count(v, "copies")),
        "devices": ("copy_devices", lambda v: clean_count(v, "devices")),
        "offsite": ("offsite", _yes_or_no),
        "steps": ("steps", lambda v: clean(v, STEPS)),
        "contacts": ("contacts", lambda v: clean(v, CONTACTS)),
    }
    return {
        cleaners[key][0]: cleaners[key][1](value)
        for key, value in given.items()
        if value is not None
    }


def edit_plan(
    service: object, *, by: str, seen_version: int | None = None, **given: object
) -> PlanInfo:
    """Write a service's plan, making it if it has none (a manager's step): only what is
    given changes, and writing it counts as reviewing it. FITS Desk's own service is
    added to the catalogue when its plan is first written. With `seen_version`
    (PlanInfo.version when the manager looked), refuse if someone changed it since."""
    updates = _cleaned(given)
    with write():
        people.manager_or_first(by, "write a continuity plan")
        try:
            row = catalogue.service_row(service)
        except NotFound:
            if not _is_own(str(service).strip()):
                raise
            row = Service.create(
                name=OWN_SERVICE,
                description="This service desk: calls, the register, changes and plans",
                owner="",
                cover="school",
                criticality="high",
                availability_target=99.0,
                created_at=journal.now(),
            )
            journal.record(by, row, "add", after=row.name)
        plan = ContinuityPlan.get_or_none(ContinuityPlan.service == row.id)
        if seen_version is not None and (plan.version if plan else 0) != seen_version:
            raise Refused(f"{row.name}'s plan was just changed by someone else: look again.")
        copies = updates.get("copies", plan.copies if plan else 0)
        devices = updates.get("copy_devices", plan.copy_devices if plan else 0)
        if devices > copies:
            raise BadInput(
                f"{devices} devices for {copies} cop{'y' if copies == 1 else 'ies'}: each "
                "device holds at least one copy."
            )
        if updates.get("offsite") and not copies:
            raise BadInput("A copy off site is one of the copies: say how many with --copies.")
        stamp = journal.now()
        if plan is None:
            plan = ContinuityPlan.create(service=row.id, created_at=stamp, reviewed_at=stamp)
            journal.record(by, plan, "add", after=row.name, at=stamp)
        journal.update(plan, by, "edit", {**updates, "reviewed_at": stamp})
    return show_plan(row.name)


def record_test(
    service: object,
    *,
    result: object,
    notes: object = "",
    tested_on: dt.date | None = None,
    by: str,
) -> TestInfo:
    """Record a test of a service's plan (any technician). Refused in one sentence, and
    nothing written, for a service with no plan, a date in the future or a result other
    than pass or fail. The plan shows the newest test's date and result."""
    outcome = clean_result(result)
    text = clean(notes, NOTES)
    if tested_on is not None and not isinstance(tested_on, dt.date):
        raise BadInput("A test's date is a date like 2026-11-20.")
    if isinstance(tested_on, dt.datetime):
        tested_on = tested_on.date()
    with write():
        tech = people.active_technician(by)
        try:
            row = catalogue.service_row(service)
        except NotFound:
            if not _is_own(str(service).strip()):
                raise
            row = None
        plan = ContinuityPlan.get_or_none(ContinuityPlan.service == row.id) if row else None
        if plan is None:
            name = row.name if row else OWN_SERVICE
            raise Refused(
                f"{name} has no continuity plan to test: write one first with "
                f"fitsdesk continuity edit '{name}'."
            )
        stamp = journal.now()
        day = tested_on or to_local(stamp).date()
        if day > to_local(stamp).date():
            raise BadInput(f"A test cannot be recorded for {day:%Y-%m-%d}, a day still to come.")
        test = ContinuityTest.create(
            plan=plan.id,
            tested_on=day,
            result=outcome,
            notes=text,
            recorded_by=journal_name(tech.login),
            recorded_at=stamp,
        )
        journal.record(by, test, "test", field="result", after=f"{day:%Y-%m-%d} {outcome}")
        if plan.tested_on is None or day >= plan.tested_on:
            journal.update(plan, by, "test", {"tested_on": day, "test_result": outcome})
    return TestInfo(row.name, day, outcome, text, test.recorded_by, stamp)


# -- reminders --------------------------------------------------------------------------


def _names(login: str) -> set[str]:
    tech = Technician.get_or_none(Technician.login == str(login))
    names = {str(login).lower()}
    if tech is not None:
        names.add(tech.full_name.strip().lower())
    return names


def _touched(plans: dict[int, ContinuityPlan]) -> dict[int, list[str]]:
    """For each plan, the changes implemented on its service's devices since it was
    last reviewed: 'RFC-000012 on SRV-0001'."""
    found: dict[int, list[str]] = {}
    if not plans:
        return found
    by_service = {plan.service_id: plan for plan in plans.values()}
    query = (
        ChangeAsset.select(ServiceAsset.service, Change.id, Change.implemented_at, Asset.tag)
        .join(Change, on=ChangeAsset.change == Change.id)
        .switch(ChangeAsset)
        .join(ServiceAsset, on=ServiceAsset.asset == ChangeAsset.asset)
        .switch(ChangeAsset)
        .join(Asset, on=Asset.id == ChangeAsset.asset)
        .where(Change.implemented_at.is_null(False) & ServiceAsset.service.in_(list(by_service)))
        .order_by(Change.implemented_at, Change.id, Asset.tag)
    )
    for service_id, change_id, implemented_at, tag in query.tuples():
        plan = by_service[service_id]
        reviewed = plan.reviewed_at or plan.created_at
        if implemented_at > reviewed:
            words = f"{log_number(change_id, 'RFC')} on {tag}"
            found.setdefault(plan.id, [])
            if words not in found[plan.id]:
                found[plan.id].append(words)
    return found


def reminders(
    owner_login: str | None = None,
    today: dt.date | None = None,
    *,
    url: str | None = None,
    now: dt.datetime | None = None,
) -> list[Reminder]:
    """What to do about the plans, one sentence each: tests overdue, plans whose
    service's devices an implemented change touched since the plan was last reviewed,
    and FITS Desk's own backup when it is old or missing. With `owner_login`, only the
    services whose owner is that technician (by login or name), and, for a manager, those
    whose owner names no technician too; None gives them all."""
    today = today or _today()
    with read():
        interval = test_interval()
        since = due_since(today, interval, _terms())
        services = {row.id: row for row in Service.select().where(~Service.retired)}
        plans = {p.id: p for p in ContinuityPlan.select() if p.service_id in services}
        touched = _touched(plans)
        wanted = set(services)
        if owner_login is not None:
            techs = {
                name
                for t in Technician.select().where(Technician.active)
                for name in (t.login.lower(), t.full_name.strip().lower())
            }
            mine = _names(owner_login)
            tech = Technician.get_or_none(Technician.login == str(owner_login))
            manager = tech is not None and tech.active and holds(tech.roles, "manager")
            wanted = {
                sid
                for sid, row in services.items()
                if row.owner.strip().lower() in mine
                or (manager and row.owner.strip().lower() not in techs)
            }
    found: list[Reminder] = []
    for plan in sorted(plans.values(), key=lambda p: (p.recovery_priority, p.id)):
        if plan.service_id not in wanted:
            continue
        name = services[plan.service_id].name
        if is_overdue(plan.tested_on, since):
            if plan.tested_on is None:
                text = f"{name}'s continuity plan has never been tested: it is tested "
                text += f"{interval_words(interval)}."
            else:
                text = (
                    f"{name}'s continuity plan was last tested on {day_words(plan.tested_on)}: "
                    f"it is tested {interval_words(interval)}, so a test is overdue."
                )
            found.append(Reminder(name, "overdue", text))
        if plan.id in touched:
            changes = touched[plan.id]
            shown_changes = ", ".join(changes[:3]) + (
                f" and {len(changes) - 3} more" if len(changes) > 3 else ""
            )
            reviewed = plan.reviewed_at or plan.created_at
            found.append(
                Reminder(
                    name,
                    "changed",
                    f"{name}'s devices were changed since its continuity plan was reviewed "
                    f"on {day_words(to_local(reviewed))} ({shown_changes}): review the plan.",
                )
            )
    own = [row for row in services.values() if _is_own(row.name)]
    if own and own[0].id in wanted:
        fresh, words = backups.freshness(_bound_url(url), now=now)
        if not fresh:
            found.append(Reminder(OWN_SERVICE, "backup", f"{OWN_SERVICE}: {words}"))
    return found


# -- the service report -----------------------------------------------------------------


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def report_section(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> dict:
    """The service report's continuity section for the days from `start` to `end`
    (both counted): how many services have a plan, the tests in the period and their
    results, the plans whose test is overdue on `end`, those failing the 3-2-1 rule,
    and each plan's last result. Plain data, ready for JSON."""
    first, last = _day(start), _day(end)
    if last < first:
        raise BadInput("The period ends before it starts.")
    with read():
        since = due_since(last, test_interval(), _terms())
        services = {row.id: row for row in Service.select().where(~Service.retired)}
        made_by = calendar.to_utc(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
        plans = [
            p
            for p in ContinuityPlan.select().where(ContinuityPlan.created_at < made_by)
            if p.service_id in services
        ]
        tests = (
            ContinuityTest.select(ContinuityTest, ContinuityPlan.service)
            .join(ContinuityPlan)
            .where(ContinuityTest.tested_on.between(first, last))
            .order_by(ContinuityTest.tested_on, ContinuityTest.id)
        )
        tested = [
            {
                "service": services[t.plan.service_id].name,
                "tested_on": t.tested_on.isoformat(),
                "result": t.result,
            }
            for t in tests
            if t.plan.service_id in services
        ]
        last_tests: dict[int, tuple[dt.date, str]] = {}
        for plan_id, day, result in (
            ContinuityTest.select(
                ContinuityTest.plan, ContinuityTest.tested_on, ContinuityTest.result
            )
            .where(ContinuityTest.tested_on <= last)
            .order_by(ContinuityTest.tested_on, ContinuityTest.id)
            .tuples()
        ):
            last_tests[plan_id] = (day, result)
    names = {p.id: services[p.service_id].name for p in plans}
    overdue = sorted(
        names[p.id] for p in plans if is_overdue(last_tests.get(p.id, (None, ""))[0], since)
    )
    failing = sorted(
        names[p.id] for p in plans if not three_two_one(p.copies, p.copy_devices, p.offsite).met
    )
    results = [
        {
            "service": names[p.id],
            "tested_on": last_tests[p.id][0].isoformat() if p.id in last_tests else None,
            "result": last_tests[p.id][1] if p.id in last_tests else None,
        }
        for p in sorted(plans, key=lambda p: (p.recovery_priority, names[p.id].lower()))
    ]
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "services": len(services),
        "plans": len(plans),
        "without_plan": sorted(
            row.name for sid, row in services.items() if sid not in {p.service_id for p in plans}
        ),
        "tested": tested,
        "tests": len(tested),
        "passed": sum(1 for t in tested if t["result"] == "pass"),
        "failed": sum(1 for t in tested if t["result"] == "fail"),
        "overdue": overdue,
        "failing_321": failing,
        "last_results": results,
    }
