"""The service catalogue (store/service_levels/catalogue.py, `fitsdesk service`): usable
on day one, a call's service from its device or kind of fault, outages, and the due
filters of `fitsdesk list`."""

import datetime as dt
import json

import pytest

from store.db import journal
from store.db.errors import BadInput, NotAllowed, NotFound, Refused
from store.db.models import Journal
from store.service_levels import catalogue, hours
from store.servicedesk import incidents, servicedesk
from tests.test_school_hours import local


def test_a_new_school_has_a_starting_catalogue_over_its_categories(school):
    found = {s.name: s for s in catalogue.list_services()}
    assert {"Printing", "Network and internet", "MIS", "Email", "Classroom projectors"} <= set(
        found
    )
    assert found["Network and internet"].categories == ("network", "wifi")
    assert found["Network and internet"].criticality == "high"
    assert next(iter(found.values())).criticality == "high"  # most critical first
    call = servicedesk.log_call(summary="It jams", requester="Sam", category="printer", by="jsmith")
    assert call.service == "Printing"
    assert servicedesk.log_call(summary="?", requester="Sam", by="jsmith").service is None


def test_a_device_s_service_comes_before_its_kind_of_fault(school):
    catalogue.add_service(
        "Library laptops", description="The library's loan laptops", criticality="low",
        availability="95%", assets=["lap-0042"], by="jsmith",
    )  # fmt: skip
    call = servicedesk.log_call(
        summary="Will not charge", requester="Sam", category="laptop", asset="LAP-0042",
        by="jsmith",
    )  # fmt: skip
    assert call.service == "Library laptops"
    shown = catalogue.show_service("library LAPTOPS")
    assert (shown.assets, shown.open_calls, shown.availability_target) == (("LAP-0042",), 1, 95.0)
    moved = incidents.set_service(call.number, "Computers and laptops", by="akhan")
    assert moved.service == "Computers and laptops"
    entry = Journal.select().where(Journal.field == "service").get()
    assert (entry.before, entry.after, entry.who) == (
        "Library laptops", "Computers and laptops", "akhan"
    )  # fmt: skip
    with pytest.raises(Refused, match="already about"):
        incidents.set_service(call.number, "computers and laptops", by="akhan")
    with pytest.raises(NotFound, match="no service"):
        incidents.set_service(call.number, "Teleporters", by="akhan")
    assert incidents.set_service(call.number, None, by="akhan").service is None


def test_a_kind_of_fault_belongs_to_one_service_and_only_managers_change_the_catalogue(school):
    catalogue.edit_service("Printing", categories=["wifi"], by="jsmith")
    assert "wifi" in catalogue.show_service("Printing").categories
    assert "wifi" not in catalogue.show_service("Network and internet").categories
    with pytest.raises(NotAllowed):
        catalogue.add_service("Robots", by="akhan")
    with pytest.raises(BadInput, match="already a service"):
        catalogue.add_service("printing", by="jsmith")
    with pytest.raises(BadInput, match="already a service"):
        catalogue.edit_service("MIS", new_name="Printing", by="jsmith")
    seen = catalogue.show_service("MIS").version
    catalogue.edit_service("MIS", owner="Data manager", by="jsmith", seen_version=seen)
    with pytest.raises(Refused, match="just changed"):  # a second manager's older look
        catalogue.edit_service("MIS", owner="Head", by="jsmith", seen_version=seen)
    assert catalogue.service_names()[:2] == ["Classroom projectors", "Computers and laptops"]
    done = catalogue.edit_service("MIS", retired=True, supplier="Northgate MIS", by="jsmith")
    assert done.retired and "MIS" not in {s.name for s in catalogue.list_services()}
    assert "MIS" in {s.name for s in catalogue.list_services(include_retired=True)}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("availability", "101"), ("availability", "ninety"), ("availability", ""),
        ("criticality", "extreme"), ("cover", "weekends"), ("description", "x" * 501),
        ("owner", "x" * 81), ("contract", "y" * 81),
    ],
)  # fmt: skip
def test_bad_details_are_one_sentence_and_nothing_is_written(school, field, value):
    before = Journal.select().count()
    with pytest.raises(BadInput) as refused:
        catalogue.add_service("Robots", by="jsmith", **{field: value})
    assert "\n" not in str(refused.value)
    assert Journal.select().count() == before


def test_markup_and_control_characters_are_kept_inert(school):
    done = catalogue.add_service(
        "[bold]Robots[/bold]", owner="Me\x1b[31m", supplier="a\nb", by="jsmith"
    )
    assert done.name == "[bold]Robots[/bold]"  # words, never markup
    assert "\x1b" not in done.owner and "\n" not in done.supplier


def test_outages_by_hand_and_from_a_major_incident(school, monkeypatch):
    now = [local(2026, 11, 3, 11, 0)]
    monkeypatch.setattr(journal, "now", lambda: now[0])
    start, end = local(2026, 11, 3, 9, 10), local(2026, 11, 3, 10, 40)
    done = catalogue.record_outage("network and internet", start, end, note="Fibre cut", by="akhan")
    assert (done.service, done.starts_at, done.ends_at) == ("Network and internet", start, end)
    with pytest.raises(BadInput, match="end after"):
        catalogue.record_outage("MIS", end, start, by="akhan")
    with pytest.raises(BadInput, match="future"):
        catalogue.record_outage("MIS", now[0] + dt.timedelta(hours=1), None, by="akhan")
    call = servicedesk.log_call(
        summary="No internet anywhere", requester="Ms Brown", role="staff", category="network",
        impact="high", urgency="high", by="jsmith",
    )  # fmt: skip
    now[0] = local(2026, 11, 3, 13, 0)
    incidents.resolve(call.number, kind="fix", text="Router restarted", by="jsmith")
    major = catalogue.outage_from_call(call.number, "Network and internet", by="jsmith")
    assert (major.starts_at, major.ends_at, major.incident) == (
        local(2026, 11, 3, 11, 0), now[0], call.number
    )  # fmt: skip
    with pytest.raises(BadInput, match="already recorded"):
        catalogue.outage_from_call(call.number, "Network and internet", by="jsmith")
    with pytest.raises(BadInput, match="not Printing"):
        catalogue.outage_from_call(call.number, "Printing", by="jsmith")
    found = catalogue.outages(local(2026, 11, 3), local(2026, 11, 4))
    assert [o.note for o in found] == ["Fibre cut", f"{call.number}: No internet anywhere"]


def test_the_service_commands(run, school):
    status, out, _ = run("service", "list")
    assert status == 0 and "Printing" in out and "Office manager" in out
    status, out, err = run(
        "service", "add", "Library laptops", "--asset", "LAP-0042", "--criticality", "low",
        "--availability", "95", "--owner", "Librarian",
    )  # fmt: skip
    assert (status, out) == (0, "Added Library laptops.\n")
    status, out, _ = run("service", "show", "library laptops", "--json")
    shown = json.loads(out)
    assert (shown["assets"], shown["owner"], shown["availability_target"]) == (
        ["LAP-0042"], "Librarian", 95.0
    )  # fmt: skip
    status, out, err = run("service", "edit", "Library laptops", "--supplier", "Laptops Ltd")
    assert status == 0 and "Changed" in out
    status, out, err = run("service", "edit", "Library laptops")
    assert status != 0 and "Say what to change" in err and "Traceback" not in err
    status, out, err = run("service", "edit", "Nothing", "--owner", "x")
    assert status != 0 and "no service 'Nothing'" in err
    status, out, err = run("service", "outage", "MIS", "--from", "2026-11-03 09:00")
    assert status == 0 and "still down" in out
    status, out, err = run("service", "outage", "MIS", "--over", "--to", "2026-11-03 09:30")
    assert status == 0 and "to 2026-11-03 09:30" in out
    status, out, err = run("service", "outage", "MIS", "--from", "yesterday")
    assert status != 0 and "not a time like" in err


def test_due_and_breached_calls_from_the_command_line(run, school, monkeypatch):
    now = [local(2026, 11, 3, 9, 0)]  # a Tuesday, no terms imported: every weekday counts
    monkeypatch.setattr(journal, "now", lambda: now[0])
    p1 = servicedesk.log_call(
        summary="Projector dead", requester="Ms Brown", role="staff", impact="high",
        urgency="high", by="jsmith",
    )  # fmt: skip
    p5 = servicedesk.log_call(summary="Mouse sticky", requester="Sam", by="jsmith")
    status, out, _ = run("list", "--due-within", "1h")
    assert status == 0 and p1.number in out and p5.number not in out and "answer 30m" in out
    now[0] = local(2026, 11, 3, 10, 0)
    status, out, _ = run("list", "--breached")
    assert p1.number in out and "answer 30m late" in out and p5.number not in out
    incidents.take(p1.number, by="jsmith")  # answered: only the fix is now due
    status, out, _ = run("list", "--breached", "--json")
    assert json.loads(out) == []
    now[0] = local(2026, 11, 3, 14, 0)  # 4 h: the P1's fix is late
    status, out, _ = run("list", "--breached")
    assert p1.number in out and "fix 1h00 late" in out
    incidents.hold(p1.number, "Waiting for a new lamp", by="jsmith")
    status, out, _ = run("list", "--breached")
    assert "No calls are late." in out  # paused: on hold is never late
    status, out, _ = run("show", p1.number)
    assert "Targets:     answered (late); fix: paused while on hold" in out
    status, out, _ = run("show", p5.number)
    assert "Targets:     answer by 2026-11-05 09:00 (1.4d)" in out  # 2.5 h, 8.5 h, 1 h
    status, out, err = run("list", "--due-within", "soon")
    assert status != 0 and "not a length of time" in err
    status, out, err = run("list", "--breached", "--status", "closed")
    assert status != 0 and "leave out --status" in err


def test_the_cover_command(run, school):
    status, out, _ = run("sla", "cover")
    assert out == "Cover: 08:00 to 16:30 on school days, not on INSET days.\n"
    status, out, _ = run("sla", "cover", "--closes", "16:00", "--closed", "12:00-12:45",
                         "--inset", "open")  # fmt: skip
    assert out == (
        "Cover: 08:00 to 16:00 on school days, closed 12:00-12:45, INSET days included.\n"
    )
    assert hours.current_cover().closes == dt.time(16, 0)
    for bad in (["--opens", "25:00"], ["--closed", "noon"], ["--closed", "17:00-18:00"],
                ["--opens", "17:00"]):  # fmt: skip
        status, out, err = run("sla", "cover", *bad)
        assert status != 0 and err.count("\n") == 1 and "Traceback" not in err
    status, out, err = run("sla", "cover", "--open-all-day")
    assert "closed" not in out.replace("INSET", "")
