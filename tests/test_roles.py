"""Every role rule is the store's (docs/security.md): each step that writes, called by
someone who is not an active technician (or not a manager, for a manager's step), is
refused with NotAllowed, writes nothing but its line in the security audit trail, and
the same step by the right person works."""

from __future__ import annotations

import datetime as dt

import pytest

from store.changes import changes
from store.configuration import assets, software
from store.db import journal
from store.db.errors import BadInput, NotAllowed, NotFound, Refused
from store.db.models import AuditEntry, Journal
from store.demo import demo
from store.problems import capacity
from store.school import audit, calendar, categories, kiosks, locations, notices, people
from store.service_levels import targets
from store.servicedesk import servicedesk

DAY = dt.date.today() + dt.timedelta(days=30)

TECHNICIAN_STEPS = {
    "add a device": lambda by: assets.add_asset("PC-9", kind="desktop", location="LIB", by=by),
    "edit a device": lambda by: assets.update_asset("LAP-0042", description="New", by=by),
    "move a device": lambda by: assets.move_asset("LAP-0042", "S12", by=by),
    "retire a device": lambda by: assets.retire_asset("LAP-0042", "Broken", by=by),
    "attach a part": lambda by: assets.attach_part("PSU-1", "LAP-0042", by=by),
    "detach a part": lambda by: assets.detach_part("PSU-2", by=by),
    "add an event": lambda by: calendar.add_event("exam", "Mocks", DAY, DAY, by=by),
    "replace events": lambda by: calendar.replace_events(
        [("holiday", "Day off", DAY, DAY, "uid-1")], source="x.ics", by=by
    ),
    "set the timetable": lambda by: calendar.set_timetable(
        [{"name": "P1", "kind": "lesson", "start": "09:00", "end": "10:00"}], by=by
    ),
    "add a metric": lambda by: capacity.add_metric("Disk", capacity=10, by=by),
    "edit a metric": lambda by: capacity.update_metric("Toner", capacity=20, by=by),
    "add a category": lambda by: categories.add_category("kettle", "Kettle", by=by),
    "add a kiosk": lambda by: kiosks.add_kiosk("hall", "S12", by=by),
    "let a kiosk take more reports": lambda by: kiosks.lift_report_ceiling("library", by=by),
    "add a room": lambda by: locations.add_location("HALL", "Main hall", by=by),
    "remove a room": lambda by: locations.remove_location("IT1", by=by),
    "post a notice": lambda by: notices.add_notice("Wi-Fi is down", by=by),
    "edit a notice": lambda by: notices.edit_notice(1, text="Wi-Fi is back", by=by),
    "withdraw a notice": lambda by: notices.withdraw_notice(1, by=by),
    "add software": lambda by: software.add_software("Audacity", by=by),
    "install software": lambda by: software.install("Scratch", room="IT1", by=by),
    "uninstall software": lambda by: software.uninstall("Scratch", room="S12", by=by),
    "add a build": lambda by: software.add_build("Music", ["Scratch"], by=by),
    "install a build": lambda by: software.install_build(
        "Base", room="IT1", change="RFC-000001", by=by
    ),  # under the standard change the fixture makes
    "log a phone call": lambda by: servicedesk.log_call(
        summary="No sound", requester="Ms Lee", channel="phone", by=by
    ),
}
MANAGER_STEPS = {
    "add a technician": lambda by: people.add_technician("mallory", "Mal Lory", by=by),
    "deactivate a technician": lambda by: people.deactivate_technician("akhan", by=by),
    "change roles": lambda by: people.set_roles("akhan", ["manager"], by=by),
    "set the kiosk PIN": lambda by: kiosks.set_pin("482913", by=by),
    "set a service level target": lambda by: targets.set_target("P2", respond="2h", by=by),
}


@pytest.fixture
def stocked(school):
    """The school, with what each step needs to find: parts, a metric, a notice, titles
    and a build."""
    assets.add_asset("PSU-1", kind="charger", by="jsmith")
    assets.add_asset("PSU-2", kind="charger", by="jsmith")
    assets.attach_part("PSU-2", "LAP-0042", by="jsmith")
    capacity.add_metric("Toner", capacity=8, by="jsmith")
    notices.add_notice("Printer 2 is out of toner", by="jsmith")
    software.add_software("Scratch", by="jsmith")
    software.install("Scratch", room="S12", by="jsmith")
    software.add_build("Base", ["Scratch"], by="jsmith")
    standard = changes.raise_change(
        "Image the library", reason="New term", kind="standard", locations=["LIB"], by="jsmith"
    )
    start = journal.now() + dt.timedelta(minutes=5)
    changes.plan(
        standard.number, window=(start, start + dt.timedelta(hours=1)), implementer="jsmith",
        implementation_plan="Image it", test_plan="Log in", backout_plan="Reimage", by="jsmith",
    )  # fmt: skip
    changes.submit(standard.number, by="jsmith")
    assert standard.number == "RFC-000001"
    return school


def written() -> tuple[int, int]:
    return Journal.select().count(), AuditEntry.select().count()


@pytest.mark.parametrize("step", sorted(TECHNICIAN_STEPS))
def test_a_technicians_step_is_refused_to_anyone_else_and_kept(stocked, step):
    journal_rows, refusals = written()
    with pytest.raises(NotAllowed, match="visitor is not an active technician"):
        TECHNICIAN_STEPS[step]("visitor")
    assert written() == (journal_rows, refusals + 1)
    kept = audit.entries(by="jsmith")[-1]
    assert kept.who == "visitor" and "not an active technician" in kept.detail
    TECHNICIAN_STEPS[step]("akhan")  # a technician may
    assert written()[0] > journal_rows


@pytest.mark.parametrize("step", sorted(MANAGER_STEPS))
def test_a_managers_step_is_refused_to_a_technician_and_kept(stocked, step):
    journal_rows, refusals = written()
    with pytest.raises(NotAllowed, match=r"Only a manager may .*, and akhan is not one"):
        MANAGER_STEPS[step]("akhan")
    assert written() == (journal_rows, refusals + 1)
    assert audit.entries(by="jsmith")[-1].who == "akhan"
    MANAGER_STEPS[step]("jsmith")
    assert written()[0] > journal_rows


def test_only_a_manager_fills_a_demo_school_into_a_database_that_has_one(school):
    with pytest.raises(NotAllowed, match="Only a manager may fill the database"):
        demo.fill(0, by="akhan")
    assert demo.fill(0, by="jsmith") == 0


def test_until_the_first_manager_anyone_may_set_the_school_up(db):
    people.add_technician("akhan", "Amir Khan", by="whoever")
    assert people.list_technicians()[0].roles == ("technician",)
    people.add_technician("jsmith", "Jo Smith", roles=["manager"], by="akhan")
    with pytest.raises(NotAllowed):
        people.add_technician("mallory", "Mal Lory", roles=["manager"], by="akhan")


def test_the_last_manager_stays_one(school):
    with pytest.raises(Refused, match="jsmith is the last manager"):
        people.set_roles("jsmith", ["technician"], by="jsmith")
    with pytest.raises(Refused, match="jsmith is the last manager"):
        people.deactivate_technician("jsmith", by="jsmith")
    people.set_roles("akhan", ["technician", "manager"], by="jsmith")
    assert people.set_roles("jsmith", ["committee"], by="jsmith").roles == ("committee",)
    with pytest.raises(NotAllowed):  # no longer a manager
        people.set_roles("jsmith", ["manager"], by="jsmith")


def test_a_manager_working_as_someone_else_cannot_manage_through_them(school):
    acting = people.acting_as("akhan", real="jsmith")
    with pytest.raises(NotAllowed, match="Only a manager may add technicians, and akhan"):
        people.add_technician("mallory", "Mal Lory", by=acting)
    people.set_roles("akhan", ["technician", "manager"], by="jsmith")
    acting = people.acting_as("akhan", real="jsmith")
    with pytest.raises(NotAllowed, match="jsmith's own desk"):
        people.add_technician("mallory", "Mal Lory", by=acting)


def test_naming_someone_who_is_not_a_technician_is_bad_input_not_a_refusal(school):
    from store.servicedesk import incidents

    call = servicedesk.log_call(summary="Dead", requester="Sam", by="jsmith")
    refusals = AuditEntry.select().count()
    with pytest.raises(Refused, match="ghost is not an active technician") as raised:
        incidents.assign(call.number, "ghost", by="jsmith")
    assert not isinstance(raised.value, NotAllowed)
    assert AuditEntry.select().count() == refusals
    with pytest.raises(NotAllowed, match="Only a manager can give calls to others"):
        incidents.assign(call.number, "jsmith", by="akhan")
    assert AuditEntry.select().count() == refusals + 1


def test_a_kiosk_and_a_caller_log_their_own_calls_and_nobody_else_passes_for_them(school):
    servicedesk.log_call(summary="Jam", requester="Sam", kiosk="library", channel="kiosk",
                         by="kiosk:library")  # fmt: skip
    servicedesk.log_call(summary="Jam", requester="Sam", channel="email", by=servicedesk.CALLER)
    for by, channel in (("kiosk:library", "phone"), ("caller", "kiosk"), ("caller", "desk")):
        with pytest.raises(NotAllowed):
            servicedesk.log_call(summary="Jam", requester="Sam", channel=channel, by=by)


def test_wrong_pins_and_check_codes_past_the_free_tries_are_kept(kiosk_app, monkeypatch):
    from store.db import journal
    from store.servicedesk import callers

    call = servicedesk.log_call(summary="Jam", requester="Sam", by="jsmith")
    clock = [journal.now()]
    monkeypatch.setattr(journal, "now", lambda: clock[0])
    for _ in range(kiosks.FREE_TRIES):
        assert not kiosks.check_pin("0000", kiosk="library")
    assert AuditEntry.select().count() == 0  # a slip of the finger is nobody's business
    assert not kiosks.check_pin("1111", kiosk="library")
    assert AuditEntry.select().count() == 1
    for _ in range(kiosks.FREE_TRIES + 1):
        clock[0] += dt.timedelta(seconds=30)  # past each wait the kiosk asks for
        with pytest.raises(NotFound, match="find that number and code"):
            callers.caller_view(f"{call.number}-ZZZZ", kiosk="library")
    kept = [(k.who, k.action, k.record) for k in audit.entries(by="jsmith")]
    assert kept == [
        ("kiosk library", "wrong kiosk PIN", ""),
        ("kiosk library", "wrong check code", call.number),
    ]
    assert audit.unread(by="jsmith") == 0 and audit.unread(by="akhan") == 0


def test_the_record_a_refused_step_was_about_is_kept(school):
    with pytest.raises(NotAllowed):
        people.add_technician("mallory", "Mal Lory", by="akhan")
    with pytest.raises(NotAllowed):
        assets.move_asset("LAP-0042", "S12", by="visitor")
    kept = audit.entries(by="jsmith")
    assert [(k.who, k.action, k.record) for k in kept] == [
        ("akhan", "add technicians", "mallory"),
        ("visitor", "assets: move asset", "LAP-0042"),
    ]


def test_the_reserved_names_cannot_be_technicians(school):
    for name in ("system", "caller", "committee"):
        with pytest.raises(BadInput, match="a name FITS Desk keeps for itself"):
            people.add_technician(name, "Not A Person", by="jsmith")


def test_a_manager_naming_nobody_to_work_as_is_bad_input_not_kept(school):
    refusals = AuditEntry.select().count()
    with pytest.raises(Refused, match="ghost is not an active technician") as raised:
        people.acting_as("ghost", real="jsmith")
    assert not isinstance(raised.value, NotAllowed)
    assert AuditEntry.select().count() == refusals


def test_the_kiosk_pin_is_a_managers_whatever_pin_is_given(school):
    for pin in ("1234", "", "482913"):
        with pytest.raises(NotAllowed, match="Only a manager may set the kiosk PIN"):
            kiosks.set_pin(pin, by="akhan")
