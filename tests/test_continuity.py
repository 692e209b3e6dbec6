"""Continuity plans in the store (store/continuity/plans.py): writing and reading a plan,
the 3-2-1 check, tests and their refusals, the reminders at fixed times, FITS Desk's own
entry from a real backup, and the service report's continuity section."""

import datetime as dt

import pytest

from store.changes import changes
from store.continuity import backups, plan_rules, plans
from store.db import journal
from store.db.errors import BadInput, NotAllowed, NotFound, Refused
from store.db.models import Change, ContinuityPlan, ContinuityTest, Journal, Service, Setting
from store.school import calendar
from store.service_levels import catalogue

PLANNED = {
    "implementation_plan": "Swap the switch in the rack.",
    "test_plan": "Ping every room.",
    "backout_plan": "Put the old one back.",
}


@pytest.fixture
def at(monkeypatch):
    """Set the store's clock: at(2026, 3, 1, 9) is 09:00 UTC that day."""
    moment = [dt.datetime(2026, 1, 5, 9, 0)]
    monkeypatch.setattr(journal, "now", lambda: moment[0])

    def move(*parts):
        moment[0] = dt.datetime(*parts)
        return moment[0]

    return move


def written():
    """What a refused step must leave as it was."""
    return (
        [row.__data__ for row in ContinuityPlan.select().order_by(ContinuityPlan.id)],
        ContinuityTest.select().count(),
        Journal.select().count(),
        Service.select().count(),
    )


def mis(**given):
    given = {"rto": "4h", "rpo": "1d", "copies": 3, "devices": 2, "offsite": True, **given}
    return plans.edit_plan("MIS", by="jsmith", **given)


# Writing and reading


def test_a_plan_is_made_on_first_edit_and_changed_in_place(school, at):
    assert not plans.show_plan("mis").planned
    made = mis(recovery_priority=1, backup_method="Supplier's copy", steps="1. Ring\n2. Wait")
    assert made.planned and made.service == "MIS" and made.owner == "Data manager"
    assert (made.recovery_priority, made.rto_minutes, made.rpo_minutes) == (1, 240, 1440)
    assert made.steps == "1. Ring\n2. Wait" and made.rule.met
    assert made.reviewed_at == dt.datetime(2026, 1, 5, 9, 0)
    at(2026, 2, 1, 10, 0)
    changed = plans.edit_plan("MIS", contacts="Supplier: 0300 000 0000", rto="2h", by="jsmith")
    assert (changed.rto_minutes, changed.rpo_minutes) == (120, 1440)  # what was not given stays
    assert changed.reviewed_at == dt.datetime(2026, 2, 1, 10, 0) and changed.version == 3
    assert ContinuityPlan.select().count() == 1
    fields = {
        row.field
        for row in Journal.select().where(Journal.record == ContinuityPlan._meta.table_name)
    }
    assert {"rto_minutes", "contacts", "reviewed_at"} <= fields
    listed = {p.service: p for p in plans.list_plans()}
    assert listed["MIS"].planned and not listed["Printing"].planned
    assert next(iter(listed.values())).service == "MIS"  # planned first, by priority
    assert "FITS Desk" in listed  # its own entry, before it is in the catalogue


def test_only_a_manager_writes_a_plan_and_a_stale_look_is_refused(school, at):
    before = written()
    with pytest.raises(NotAllowed, match="Only a manager may write a continuity plan"):
        plans.edit_plan("MIS", rto="4h", by="akhan")
    assert written() == before
    seen = mis().version
    mis(rto="1h")
    with pytest.raises(Refused, match="just changed by someone else"):
        plans.edit_plan("MIS", rto="3h", by="jsmith", seen_version=seen)
    with pytest.raises(NotFound, match="no service 'Canteen'"):
        plans.edit_plan("Canteen", rto="3h", by="jsmith")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"rto": "4 hours ago"}, "not a length of time for the RTO"),
        ({"rpo": "0m"}, "The RPO is from a minute to 90 days"),
        ({"rto": "91d"}, "from a minute to 90 days"),
        ({"rto": 4}, "not a length of time"),
        ({"recovery_priority": "7"}, "recovery priority is 1"),
        ({"copies": "-1"}, "number of copies is a whole number"),
        ({"copies": "2", "devices": "3"}, "3 devices for 2 copies"),
        ({"copies": "0", "devices": "0", "offsite": True}, "off site is one of the copies"),
        ({"colour": "red"}, "no 'colour'"),
        ({"steps": "x" * 8001}, "recovery steps"),
        ({"offsite": "no"}, "off site is yes or no"),
    ],
)
def test_bad_plans_are_one_sentence_and_nothing_is_written(school, at, given, message):
    before = written()
    with pytest.raises(BadInput, match=message):
        plans.edit_plan("MIS", by="jsmith", **given)
    assert written() == before


@pytest.mark.parametrize(
    ("copies", "devices", "offsite", "met", "words"),
    [
        (3, 2, True, True, "3-2-1 met: 3 copies on 2 devices, one off site."),
        (4, 3, True, True, "3-2-1 met: 4 copies on 3 devices, one off site."),
        (2, 2, True, False, "2 copies on 2 devices, one off site; needs 1 more copy."),
        (3, 1, True, False, "3 copies on 1 device, one off site; needs a second device."),
        (3, 2, False, False, "3 copies on 2 devices, none off site; needs one copy off site."),
        (
            1, 1, False, False,
            "1 copy on 1 device, none off site; needs 2 more copies, a second device and "
            "one copy off site.",
        ),
        (0, 0, False, False, "3-2-1 not met: no copies are recorded."),
    ],
)  # fmt: skip
def test_the_3_2_1_rule_in_plain_words(copies, devices, offsite, met, words):
    rule = plan_rules.three_two_one(copies, devices, offsite)
    assert rule.met is met
    assert rule.words.endswith(words)
    assert rule.words.startswith("3-2-1 met" if met else "3-2-1 not met")


def test_a_plan_s_rule_is_checked_from_what_it_records(school, at):
    assert mis().rule.met
    assert not mis(offsite=False).rule.met
    assert "none off site" in plans.show_plan("MIS").rule.words


@pytest.mark.parametrize(
    ("typed", "minutes", "words"),
    [("15m", 15, "15 min"), ("4h", 240, "4 h"), ("1d", 1440, "1 day"), ("2 weeks", 20160,
     "2 weeks"), ("90 mins", 90, "1 h 30 min"), ("3 days", 4320, "3 days")],
)  # fmt: skip
def test_lengths_are_read_as_people_write_them(typed, minutes, words):
    assert plan_rules.clean_duration(typed) == minutes
    assert plan_rules.duration_words(minutes) == words


# Tests of a plan


def test_tests_are_kept_and_the_plan_shows_the_newest(school, at):
    mis()
    at(2026, 3, 2, 15, 0)
    done = plans.record_test("MIS", result="PASS", notes="Restored to a test site", by="akhan")
    assert (done.tested_on, done.result, done.recorded_by) == (dt.date(2026, 3, 2), "pass", "akhan")
    plans.record_test("MIS", result="fail", tested_on=dt.date(2026, 2, 1), by="akhan")
    shown = plans.show_plan("MIS")
    assert (shown.tested_on, shown.test_result) == (dt.date(2026, 3, 2), "pass")  # not the older
    assert [t.result for t in shown.tests] == ["pass", "fail"]
    plans.record_test("MIS", result="fail", notes="The supplier took 9 hours", by="jsmith")
    assert plans.show_plan("MIS").test_result == "fail"
    assert Journal.select().where(Journal.action == "test").count() >= 3


@pytest.mark.parametrize(
    ("service", "given", "error", "message"),
    [
        ("Printing", {}, Refused, "Printing has no continuity plan to test"),
        ("MIS", {"tested_on": dt.date(2026, 3, 3)}, BadInput, "2026-03-03, a day still to come"),
        ("MIS", {"result": "maybe"}, BadInput, "pass or fail, not 'maybe'"),
        ("MIS", {"result": ""}, BadInput, "pass or fail"),
        ("MIS", {"tested_on": "yesterday"}, BadInput, "a date like"),
        ("Canteen", {}, NotFound, "no service 'Canteen'"),
    ],
)
def test_refused_tests_are_one_sentence_and_nothing_is_written(
    school, at, service, given, error, message
):
    mis()
    at(2026, 3, 2, 23, 30)  # late on the 2nd, UTC: the 3rd is still to come in London
    before = written()
    with pytest.raises(error, match=message):
        plans.record_test(service, **{"result": "pass", **given}, by="akhan")
    assert written() == before


def test_a_test_by_someone_not_a_technician_is_refused(school, at):
    mis()
    before = written()
    with pytest.raises(NotAllowed):
        plans.record_test("MIS", result="pass", by="visitor")
    assert written()[:2] == before[:2]


# Reminders


def kinds(found, service=None):
    return [(r.service, r.kind) for r in found if service is None or r.service == service]


def test_a_plan_never_tested_is_overdue_at_once(school, at):
    mis()
    found = plans.reminders(None)
    assert kinds(found) == [("MIS", "overdue")]
    assert "never been tested" in found[0].text and "once a term" in found[0].text


def test_termly_without_terms_is_122_days(school, at):
    mis()
    at(2026, 1, 10, 9, 0)
    plans.record_test("MIS", result="pass", by="akhan")
    at(2026, 5, 12, 9, 0)  # 122 days on
    assert kinds(plans.reminders(None)) == []
    at(2026, 5, 13, 9, 0)
    found = plans.reminders(None)
    assert kinds(found) == [("MIS", "overdue")]
    assert found[0].text == (
        "MIS's continuity plan was last tested on 10 January 2026: it is tested once a term, "
        "so a test is overdue."
    )


def test_termly_counts_the_calendar_s_terms(school, at):
    for title, first, last in (
        ("Autumn term", dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
        ("Spring term", dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
        ("Summer term", dt.date(2026, 4, 13), dt.date(2026, 7, 17)),
    ):
        calendar.add_event("term", title, first, last, by="jsmith")
    at(2025, 11, 1, 9, 0)
    mis()
    plans.record_test("MIS", result="pass", by="akhan")
    at(2026, 3, 27, 12, 0)  # the last day of spring: a test in autumn still counts
    assert kinds(plans.reminders(None)) == []
    assert not plans.show_plan("MIS").overdue
    at(2026, 3, 28, 12, 0)  # spring is over with no test in it
    assert kinds(plans.reminders(None)) == [("MIS", "overdue")]
    assert plans.show_plan("MIS").overdue
    plans.record_test("MIS", result="pass", tested_on=dt.date(2026, 1, 20), by="akhan")
    assert kinds(plans.reminders(None)) == []


def test_the_interval_is_a_setting_a_manager_changes(school, at):
    assert plans.test_interval() == "termly"
    with pytest.raises(NotAllowed):
        plans.set_test_interval("30d", by="akhan")
    for bad in ("3", "fortnightly", "0d", "1000d"):
        with pytest.raises(BadInput, match="termly or every so many days"):
            plans.set_test_interval(bad, by="jsmith")
    assert Setting.get_or_none(Setting.key == plans.INTERVAL_KEY) is None
    assert plans.set_test_interval("30", by="jsmith") == "30d"
    mis()
    plans.record_test("MIS", result="pass", by="akhan")
    at(2026, 2, 4, 9, 0)
    assert kinds(plans.reminders(None)) == []
    at(2026, 2, 5, 9, 0)
    assert "every 30 days" in plans.reminders(None)[0].text


def implemented_change_on(tag: str) -> str:
    start = journal.now() + dt.timedelta(minutes=5)
    rfc = changes.raise_change(
        "Replace the library switch", kind="standard", assets=[tag], by="jsmith"
    )
    changes.plan(rfc.number, by="jsmith", **PLANNED, window=(start, start + dt.timedelta(hours=1)),
                 implementer="jsmith")  # fmt: skip
    changes.submit(rfc.number, by="jsmith")
    return changes.implement(rfc.number, by="jsmith").number


def test_a_change_to_the_service_s_devices_since_the_review_is_a_reminder(school, at):
    catalogue.edit_service("Network and internet", assets=["LAP-0042"], by="jsmith")
    plans.edit_plan("Network and internet", rto="1h", by="jsmith")
    plans.record_test("Network and internet", result="pass", by="akhan")
    at(2026, 1, 6, 9, 0)
    rfc = changes.raise_change("Not done yet", kind="standard", assets=["LAP-0042"], by="jsmith")
    assert kinds(plans.reminders(None)) == []  # raised is not implemented
    at(2026, 1, 7, 9, 0)
    number = implemented_change_on("LAP-0042")
    found = plans.reminders(None)
    assert kinds(found) == [("Network and internet", "changed")]
    assert found[0].text == (
        "Network and internet's devices were changed since its continuity plan was reviewed on "
        f"5 January 2026 ({number} on LAP-0042): review the plan."
    )
    assert rfc.number != number
    at(2026, 1, 8, 9, 0)
    plans.edit_plan("Network and internet", steps="Spare switch in the cupboard", by="jsmith")
    assert kinds(plans.reminders(None)) == []  # reviewed after the change


def test_reminders_go_to_the_owner_and_the_managers_see_the_unowned(school, at):
    catalogue.edit_service("MIS", owner="Amir Khan", by="jsmith")
    mis()
    plans.edit_plan("Printing", rto="1d", by="jsmith")  # owner: Office manager, no technician
    assert kinds(plans.reminders("akhan")) == [("MIS", "overdue")]
    assert kinds(plans.reminders("jsmith")) == [("Printing", "overdue")]
    catalogue.edit_service("Printing", owner="akhan", by="jsmith")
    assert sorted(kinds(plans.reminders("akhan"))) == [("MIS", "overdue"), ("Printing", "overdue")]
    assert kinds(plans.reminders("jsmith")) == []
    assert len(plans.reminders(None)) == 2


# FITS Desk's own entry


def test_fits_desk_s_own_entry_reads_its_backups_and_records_its_drill(school, at):
    own = plans.show_plan("FITS Desk")
    assert not own.planned and "There is no backup" in own.own_backup
    assert own.own_backup_fresh is False
    assert "No restore drill is recorded" in plans.drill_words(own)
    copy = backups.take(by="jsmith")
    own = plans.show_plan("fits desk")
    assert own.own_backup_fresh is True
    assert own.own_backup == f"The latest backup is less than an hour old: {copy.path}."
    before = Service.select().count()
    with pytest.raises(Refused, match="FITS Desk has no continuity plan to test"):
        plans.record_test("FITS Desk", result="pass", by="akhan")
    assert Service.select().count() == before  # a test does not add the service either
    plans.edit_plan("FITS Desk", rto="1d", rpo="1d", copies=3, devices=2, by="jsmith")
    assert Service.select().count() == before + 1
    plans.record_test("FITS Desk", result="pass", notes=f"Restored {copy.path.name}", by="akhan")
    own = plans.show_plan("FITS Desk")
    assert plans.drill_words(own) == "The last restore drill was on 5 January 2026: pass."
    assert kinds(plans.reminders(None), "FITS Desk") == []
    later = dt.datetime.now() + dt.timedelta(days=3)
    found = [r for r in plans.reminders(None, now=later) if r.kind == "backup"]
    assert len(found) == 1 and "3 days old" in found[0].text and str(copy.path) in found[0].text
    listed = {p.service: p for p in plans.list_plans(now=later)}
    assert listed["FITS Desk"].own_backup_fresh is False


# The service report's section


def test_the_report_section_counts_plans_tests_overdue_and_failing_3_2_1(school, at):
    empty = plans.report_section(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert (empty["plans"], empty["tests"], empty["overdue"]) == (0, 0, [])
    assert "MIS" in empty["without_plan"]
    mis(recovery_priority=1)
    plans.edit_plan("Email", recovery_priority=2, copies=2, devices=1, offsite=True, by="jsmith")
    plans.edit_plan("Printing", recovery_priority=4, copies=1, devices=1, by="jsmith")
    at(2026, 2, 10, 9, 0)
    plans.record_test("MIS", result="pass", by="akhan")
    plans.record_test("Email", result="fail", by="akhan")
    plans.record_test("Email", result="pass", tested_on=dt.date(2025, 12, 1), by="akhan")
    plans.record_test("Email", result="pass", tested_on=dt.date(2026, 2, 1), by="akhan")
    found = plans.report_section(dt.date(2026, 1, 1), dt.datetime(2026, 3, 31, 16, 0))
    assert (found["from"], found["to"]) == ("2026-01-01", "2026-03-31")
    assert (found["plans"], found["tests"], found["passed"], found["failed"]) == (3, 3, 2, 1)
    assert found["services"] == found["plans"] + len(found["without_plan"])
    assert found["failing_321"] == ["Email", "Printing"]
    assert found["overdue"] == ["Printing"]
    assert found["last_results"] == [
        {"service": "MIS", "tested_on": "2026-02-10", "result": "pass"},
        {"service": "Email", "tested_on": "2026-02-10", "result": "fail"},
        {"service": "Printing", "tested_on": None, "result": None},
    ]
    before = plans.report_section(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert (before["tests"], before["overdue"]) == (0, ["MIS", "Printing"])
    assert before["last_results"][1]["tested_on"] == "2025-12-01"
    at(2026, 4, 2, 9, 0)
    plans.edit_plan("Telephones", rto="1d", by="jsmith")  # made after the period
    assert plans.report_section(dt.date(2026, 1, 1), dt.date(2026, 3, 31))["plans"] == 3
    assert plans.report_section(dt.date(2026, 1, 1), dt.date(2026, 4, 2))["plans"] == 4
    with pytest.raises(BadInput, match="ends before it starts"):
        plans.report_section(dt.date(2026, 3, 1), dt.date(2026, 2, 1))


# The demo


def test_the_demo_fills_tested_overdue_and_failing_plans(db):
    from store.demo import demo

    demo.fill(0, by="jsmith", seed=7)
    listed = {p.service: p for p in plans.list_plans()}
    planned = {name for name, p in listed.items() if p.planned}
    assert planned == {"MIS", "Network and internet", "Email", "Printing", "FITS Desk"}
    assert {name for name in planned if not listed[name].rule.met} == {"Email", "Printing"}
    assert {name for name in planned if listed[name].overdue} == {"Email", "Printing"}
    assert "cyber attack" in listed["Network and internet"].steps
    assert listed["Network and internet"].recovery_priority == 1
    assert sorted(kinds(plans.reminders(None))) == [
        ("Email", "overdue"), ("FITS Desk", "backup"), ("Network and internet", "changed"),
        ("Printing", "overdue"),
    ]  # fmt: skip
    assert plans.show_plan("MIS").tests[-1].result == "fail"
    firmware = Change.get(Change.title == "Update the firmware on AP-01")
    assert firmware.status == "registered"  # the demo's changes leave none half done
    assert not Change.select().where(Change.status == "implemented").exists()
    assert demo.fill(0, by="jsmith", seed=7) == 0 and ContinuityPlan.select().count() == 5
