"""`fitsdesk demo`: a school that looks like a school, fast, on either database."""

import datetime as dt
import secrets
import shutil
from collections import Counter
from urllib.parse import quote

import pytest

from store.changes import changes
from store.configuration import assets, software
from store.configuration import history as asset_history
from store.db import config, database, journal
from store.db.errors import BadInput
from store.db.models import (
    Asset,
    Incident,
    Journal,
    Kiosk,
    Location,
    Person,
    Software,
    SoftwareInstall,
    Technician,
)
from store.demo import changes as demo_changes
from store.demo import demo
from store.demo import problems as demo_problems
from store.demo import register as demo_register
from store.problems import capacity, known_errors, problems, trends
from store.school import calendar, kiosks, notices
from store.servicedesk import servicedesk
from tests.conftest import ON_POSTGRES, hide_home, new_db_url


def fill(seen: list[int]) -> int:
    return demo.fill(2000, by="tester", seed=7, progress=lambda done, total: seen.append(done))


@pytest.fixture(scope="module")
def one_school(tmp_path_factory):
    """The demo school filled once per test process (about 7 s on PostgreSQL, 3 s on
    SQLite): its URL, what fill returned, and the progress it reported."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as monkeypatch:
        hide_home(folder / "home", monkeypatch)
        url = new_db_url(folder)
        handle = database.connect(url)
        seen: list[int] = []
        added = fill(seen)
        if database.is_sqlite():
            handle.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the one file
        handle.close()
        config.use(None)
    return url, added, seen


@pytest.fixture
def filled(one_school, tmp_path):
    """The demo school, read only: on SQLite a copy of the shared one; on PostgreSQL the
    shared schema itself, in a session that refuses every write, so a test that writes
    here fails rather than changing what the others see (it wants `filled_own`)."""
    url, added, seen = one_school
    if ON_POSTGRES:
        own = url + "&options=" + quote("-c default_transaction_read_only=on")
    else:
        shutil.copyfile(database.sqlite_file(url), tmp_path / "demo.db")
        own = f"sqlite:///{tmp_path / 'demo.db'}"
    handle = database.connect(own)
    yield added, list(seen)
    handle.close()


@pytest.fixture
def filled_own(one_school, db, tmp_path):
    """The demo school in a database of this test's own, for a test that changes it: on
    SQLite a copy of the shared one, on PostgreSQL filled again."""
    url, added, seen = one_school
    if ON_POSTGRES:
        seen = []
        added = fill(seen)
        yield added, seen
        return
    shutil.copyfile(database.sqlite_file(url), tmp_path / "demo.db")
    handle = database.connect(f"sqlite:///{tmp_path / 'demo.db'}")
    yield added, list(seen)
    handle.close()


def test_a_believable_secondary_school(filled):
    added, progress = filled
    assert added == 2000 and progress[-1] == 2000
    roles = Counter(p.role for p in Person.select())
    assert 1100 <= roles["pupil"] <= 1200
    assert 140 <= roles["staff"] <= 150
    assert Location.select().where(Location.code.in_(("S1", "LIB", "IT1", "HALL"))).count() == 4
    assert Kiosk.select().count() == 3
    assert Asset.select().count() > 500
    assert Technician.get(Technician.login == "tester").roles.startswith("technician,manager")
    assert kiosks.check_pin(demo.DEMO_PIN, kiosk="library")  # so the demo kiosk can be left
    assert next(n.text for n in notices.current_notices("LIB")).startswith("Wi-Fi in the Library")
    email_calls_have_their_mail_thread_and_the_outbox_something_to_show()


def email_calls_have_their_mail_thread_and_the_outbox_something_to_show():
    from store.db.models import MailIn
    from store.mail import records as mail_records
    from store.records import outbox

    threads = {row.incident_id for row in MailIn.select().where(MailIn.incident.is_null(False))}
    assert 5 <= len(threads) <= 12
    for incident_id in threads:
        thread = mail_records.thread(incident_id)
        assert thread[0].direction == "in" and thread[0].state == "logged a new call"
        assert any(item.direction == "out" for item in thread)
        assert servicedesk.find_call(f"INC-{incident_id:06d}").channel == "email"
    confirmed = MailIn.select().where(MailIn.outcome == "confirmed").first()
    assert confirmed is not None
    words = [(t.direction, t.state) for t in mail_records.thread(confirmed.incident_id)]
    assert words[-2:] == [("in", "said yes: closed"), ("out", "Sent")]
    assert sorted(m.status for m in outbox.not_sent()) == ["failed", "waiting"]
    assert len(mail_records.set_aside()) == 1


def test_problems_to_look_at(filled):
    found = {p.title: p for p in problems.list_problems("all")}
    assert len(found) == 4  # and one raised by the backup store's forecast
    wifi = problems.problem(found["Library Wi-Fi drops out at busy times"].number)
    assert wifi.is_known_error and wifi.public and wifi.locations == ("LIB",)
    assert wifi.incidents and all(c.location == "LIB" for c in wifi.incidents)
    assert known_errors.at_kiosk("LIB", "wifi")[0].number == wifi.number
    device = next(p for p in found.values() if p.title.endswith("faults in a year"))
    assert device.status == "investigating" and device.incidents >= 3
    closed = problems.problem(found["Projector lamps failing early"].number)
    assert closed.status == "closed" and closed.resolver != "tester"


def test_every_kind_of_trend_to_find(filled):
    found = trends.find_trends()
    assert {t.kind for t in found} == {"spike", "repeat", "rising"}
    spike = next(t for t in found if t.kind == "spike" and t.location == "IT2")
    assert spike.count == demo_problems.OUTAGE[3]
    assert next(t for t in found if t.kind == "rising").category == "login"


def test_capacity_to_chart(filled):
    metrics = {m.name: m for m in capacity.list_metrics()}
    assert set(metrics) == {name for name, *_rest in demo_problems.METRICS}
    disk = metrics["File server disk (S:)"]
    assert disk.readings == 120 and disk.forecast.full_at is not None
    nas = metrics["Backup NAS"]
    assert nas.problem is not None  # full within its warning window: raised once
    raised = problems.problem(nas.problem)
    assert raised.created_by == "system" and raised.title.startswith("Backup NAS will be full")
    assert metrics["Microsoft 365 storage"].forecast.full_at is None


def test_calls_arrive_on_school_days_in_school_hours(filled):
    for row in Incident.select(Incident.logged_at):
        local = row.logged_at.replace(tzinfo=dt.UTC).astimezone()
        assert local.weekday() < 5
        assert dt.time(7, 45) <= local.time() <= dt.time(17, 0)
        assert local.month != 8  # the summer holiday


def test_a_demo_filled_just_after_midnight_keeps_to_school_hours(db, monkeypatch):
    """Early on a Monday, most of the day's lesson times are still to come: those calls
    go to the school day before, never to the weekend's small hours."""
    monday = dt.datetime(2026, 12, 7, 0, 10)  # UTC, and in London
    monkeypatch.setattr(journal, "now", lambda: monday)
    demo.fill(300, by="tester", seed=7)
    for row in Incident.select(Incident.logged_at):
        local = row.logged_at.replace(tzinfo=dt.UTC).astimezone()
        assert local.weekday() < 5 and dt.time(7, 45) <= local.time() <= dt.time(17, 0)
        assert row.logged_at <= monday


def test_a_year_of_outcomes_mostly_closed_recent_ones_open(filled):
    statuses = Counter(row.status for row in Incident.select(Incident.status))
    assert statuses["closed"] > 0.8 * 2000
    assert sum(statuses[s] for s in ("logged", "assigned", "in_progress", "on_hold")) > 0
    ages = [row.logged_at for row in Incident.select(Incident.logged_at)]
    assert (max(ages) - min(ages)).days > 250


def test_every_demo_call_is_consistent_and_journalled(filled):
    for row in Incident.select():
        if row.status == "closed":
            assert row.closed_at and row.resolved_at and row.closed_how
            assert row.logged_at <= row.resolved_at <= row.closed_at
        if row.status == "logged":
            assert row.assignee_id is None
        if row.status in ("assigned", "in_progress", "on_hold"):
            assert row.assignee_id is not None
    logged = Journal.select().where((Journal.record == "incident") & (Journal.action == "log"))
    assert logged.count() == 2000


def test_no_demo_call_is_left_waiting_past_the_close_after_days(filled_own):
    assert servicedesk.close_unanswered(5) == []


def test_demo_calls_work_like_any_other(filled_own):
    queue = servicedesk.list_calls(limit=50)
    assert queue and [c.priority for c in queue] == sorted(c.priority for c in queue)
    call = servicedesk.find_call(queue[0].scan)
    assert call.id == queue[0].id
    new = servicedesk.log_call(summary="After the demo", requester="Sam", by="tester")
    assert new.id == Incident.select().count()  # numbering carries on from the demo's


def test_running_it_again_adds_calls_not_a_second_school(filled_own):
    people = Person.select().count()
    demo.fill(100, by="tester", seed=8)
    assert Incident.select().count() == 2100
    assert Location.select().count() == len(demo.ROOMS)
    assert Person.select().count() == people
    from store.db.models import MailIn
    from store.mail import records as mail_records

    threaded = {row.incident_id for row in MailIn.select().where(MailIn.incident.is_null(False))}
    assert all(len(mail_records.thread(i)) < 8 for i in threaded)  # no call threaded twice


def test_a_bad_count_is_refused(db):
    for bad in (-1, 10_000_000, "many", 2.5):
        with pytest.raises(BadInput):
            demo.fill(bad, by="t")


def test_the_register_has_what_a_technician_would_look_for(filled):
    laptop = assets.asset("LAP-0001")
    assert laptop.make and laptop.model and laptop.serial and laptop.purchased_on
    assert laptop.warranty_end > laptop.purchased_on
    assert Asset.select().where(Asset.status == "spare").count() == 8
    report = {line.software.name: line for line in software.licence_report()}
    assert report["Adobe Express"].over > 0  # the library's PCs outnumber its seats
    assert report["Adobe Express"].renewal_due
    assert [name for name, line in report.items() if line.over] == ["Adobe Express"]
    # ... because a manager allowed it, with a reason the install and the journal keep
    [row] = SoftwareInstall.select().join(Software).where(Software.title == "Adobe Express")
    assert row.over_licence == demo_register.OVER_LIBRARY
    allowed = Journal.get((Journal.record == "software") & (Journal.action == "over licence"))
    assert (allowed.who, allowed.field, allowed.after) == ("tester", "LIB", row.over_licence)
    assert [name for name, _d, _n in software.list_builds()] == ["Computing", "Music suite"]
    assert software.detail("Sibelius").rooms[0][0] == "MU2"  # within its 20 seats
    assert asset_history.flagged()  # a year of calls leaves some devices flagged


def test_a_school_calendar_to_schedule_changes_around(filled):
    periods = calendar.timetable()
    assert [p.kind for p in periods].count("lesson") == 6
    assert {"registration", "break", "lunch", "after_school"} <= {p.kind for p in periods}
    events = calendar.events_between(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1))
    kinds = Counter(e.kind for e in events)
    # Last year's and this year's terms: the year of calls counts its clocks on them.
    assert (kinds["term"], kinds["inset"]) == (6, 4) and kinds["freeze"] in (1, 2)
    assert kinds["holiday"] >= 6 and kinds["exam"] >= 1
    mocks = next(e for e in events if e.title == "Year 11 mock exams")
    assert mocks.location == "HALL" and mocks.all_day
    today = calendar.to_local(journal.now()).date()
    year = today.year if today.month >= 8 else today.year - 1
    autumns = [e for e in events if e.title == "Autumn term"]
    assert [calendar.to_local(e.starts_at).date().year for e in autumns] == [year - 1, year]


def test_changes_at_every_stage_and_the_overlap_to_see(filled):
    found = {c.title: c for c in changes.list_changes("all")}
    assert {c.status for c in found.values()} == {
        "closed", "scheduled", "planning", "registered", "raised",
    }  # fmt: skip
    imaging = changes.change(found[demo_changes.IMAGING].number)
    assert (imaging.kind, imaging.status) == ("standard", "closed")
    assert "Sibelius 2024 in MU2" in imaging.installed and "Scratch 3 in IT1" in imaging.installed
    assert len(imaging.installed) == 6  # every title on both builds, each in its room
    audacity = changes.change(found["Install Audacity in MU1"].number)
    assert (audacity.outcome, audacity.lessons != "") == ("succeeded", True)
    assert "MU1" in dict(software.detail("Audacity 3.4").rooms)
    feature = changes.change(found["Windows feature update on the IT3 PCs"].number)
    assert feature.window_start > journal.now() and feature.notices
    wifi = changes.change(found["Add a second Wi-Fi access point in the Library"].number)
    assert wifi.problems and wifi.implementation_plan and not wifi.test_plan
    firewall = changes.change(found["Patch the firewall against a critical vulnerability"].number)
    assert (firewall.kind, firewall.stage) == ("emergency", "afterwards")
    ocenaudio = found["Install Ocenaudio in IT1"]
    waiting = {c.number for c in changes.awaiting_vote("tester")}
    assert {ocenaudio.number, firewall.number} <= waiting
    overlap = changes.overlap(ocenaudio.number)
    assert "Audacity 3.4" in [s.name for s in overlap.software]
    assert [r.change.number for r in overlap.changes] == [audacity.number]


@pytest.fixture
def crew(db):
    """Only what the demo's changes need: its technicians, rooms, Audacity and nothing else."""
    from store.school import locations, people

    for login, name, roles in demo.TECHNICIANS:  # the first, amorgan, is the manager
        people.add_technician(login, name, roles=roles.split(","), by="amorgan")
    people.add_technician("tester", "Tess Ter", roles=["technician", "committee"], by="amorgan")
    for code in ("MU1", "IT1", "IT3", "LIB", "SERVER", "HALL"):
        locations.add_location(code, code, by="tester")
    software.add_software("Audacity", version="3.4", purposes=["audio editing"], by="tester")
    return db


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 11, 29, 1, 51),  # a Sunday night
        dt.datetime(2026, 12, 14, 10, 0),  # in the Christmas change freeze
        dt.datetime(2027, 1, 4, 6, 30),  # a Monday before 08:00: Ocenaudio came yesterday
        dt.datetime(2027, 3, 28, 0, 30),  # the night the clocks go forward
        dt.datetime(2027, 8, 10, 12, 0),  # the summer holiday, before the year's dates
        dt.datetime(2026, 9, 2, 8, 0),  # the first day of term, a training day
    ],
    ids=str,
)
def test_the_demo_s_changes_happen_in_the_past_whatever_the_day(crew, monkeypatch, now):
    monkeypatch.setattr(journal, "now", lambda: now)
    assert demo_changes.fill_calendar(by="tester") > 10
    made = demo_changes.fill_changes(by="tester")
    assert len(made) == 5 and journal.now() == now  # the real clock is back
    assert demo_changes.fill_changes(by="tester") == []  # only once
    stamps = Journal.select(Journal.at).where(Journal.record.in_(("change", "notice", "vote")))
    assert max(row.at for row in stamps) <= now
    found = {c.status: c for c in changes.list_changes("all")}
    assert found["scheduled"].window_start > now
    closed = changes.change(found["closed"].number)
    assert now - dt.timedelta(days=75) < closed.implemented_at < now - dt.timedelta(days=3)
    assert closed.closed_at < now
    assert not changes.window_check(found["scheduled"].number).clashes


@pytest.mark.skipif(
    not ON_POSTGRES, reason="schemas are PostgreSQL's: SQLite has one school a file"
)
def test_the_demo_vacuums_its_own_schema_and_leaves_other_schools_alone(db):
    other = f"other_{secrets.token_hex(4)}"
    db.execute_sql(f'CREATE SCHEMA "{other}"')
    try:
        db.execute_sql(f'CREATE TABLE "{other}".incident (id int)')
        demo.fill(50, by="tester", seed=7)
        rows = db.execute_sql(
            "SELECT schemaname, last_vacuum IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname = 'incident' AND schemaname IN (current_schema(), %s)",
            (other,),
        ).fetchall()
        assert dict(rows) == {
            db.execute_sql("SELECT current_schema()").fetchone()[0]: True,
            other: False,
        }
    finally:
        db.execute_sql(f'DROP SCHEMA "{other}" CASCADE')
