"""The termly service report (store/service_levels/report.py, report_files.py and
`fitsdesk report`): a small term whose every figure is known, its web page and PDF,
and the mistakes a person makes asking for one."""

import datetime as dt
import json
import re

import pypdfium2
import pytest

from store.changes import changes
from store.configuration import software
from store.db import journal
from store.db.errors import BadInput, NotFound
from store.problems import problems
from store.school import calendar
from store.service_levels import catalogue, clocks, report, report_files
from store.servicedesk import incidents, servicedesk
from tests.test_school_hours import add_autumn_term, local

NOW = local(2026, 11, 19, 12, 0)  # a Thursday in the autumn term


@pytest.fixture
def term(school, monkeypatch):
    """The autumn term so far: four calls with known clocks, one from the summer term,
    an outage of the MIS, a change carried out and one backed out, a problem."""
    add_autumn_term()
    calendar.add_event("term", "Summer term", dt.date(2026, 4, 13), dt.date(2026, 7, 17),
                       by="jsmith")  # fmt: skip
    software.add_software("Audacity", version="3.4", licence="free", by="jsmith")
    now = [local(2026, 6, 10, 9, 0)]
    monkeypatch.setattr(journal, "now", lambda: now[0])

    def at(*parts):
        now[0] = local(*parts)

    def log(summary, impact, urgency, category, channel="phone"):
        return servicedesk.log_call(
            summary=summary, requester="Ms Brown", role="staff", category=category,
            impact=impact, urgency=urgency, channel=channel, by="jsmith",
        ).number  # fmt: skip

    summer = log("Printer jams", "medium", "medium", "printer")
    at(2026, 6, 10, 10, 0)
    incidents.resolve(summer, kind="fix", text="Cleared", by="jsmith")

    at(2026, 11, 16, 9, 0)  # Monday: a P3 answered in 10 minutes, fixed in 2 hours
    first = log("Printer jams again", "medium", "medium", "printer")
    at(2026, 11, 16, 9, 10)
    incidents.take(first, by="jsmith")
    at(2026, 11, 16, 11, 0)
    incidents.resolve(first, kind="fix", text="Cleared", by="jsmith")
    servicedesk.confirm_fixed(first, by="jsmith")

    at(2026, 11, 17, 9, 0)  # Tuesday: a P1 answered late and fixed late
    second = log("No network in the science block", "high", "high", "network")
    problems.raise_problem("The science block switch drops out", incidents=[second], by="jsmith")
    at(2026, 11, 17, 10, 0)
    incidents.take(second, by="jsmith")
    at(2026, 11, 17, 15, 0)
    incidents.resolve(second, kind="fix", text="Replaced the switch", by="jsmith")

    at(2026, 11, 18, 10, 0)  # Wednesday: a P5 waiting for parts, still open
    third = log("Keyboard missing keys", "low", "low", "desktop", channel="desk")
    at(2026, 11, 18, 10, 5)
    incidents.take(third, by="jsmith")
    at(2026, 11, 18, 10, 30)
    incidents.hold(third, "Waiting for a new keyboard", by="jsmith")

    at(2026, 11, 18, 11, 0)  # a password reset while the caller waits: first contact
    fourth = log("Cannot log in", "low", "low", "login", channel="visit")
    at(2026, 11, 18, 11, 5)
    incidents.resolve(fourth, kind="fix", text="Reset the password", by="jsmith")

    at(2026, 11, 18, 12, 0)
    catalogue.record_outage("MIS", local(2026, 11, 17, 10, 0), local(2026, 11, 17, 12, 0),
                            note="The supplier's update overran", by="jsmith")  # fmt: skip
    catalogue.record_outage("Printing", local(2026, 10, 27, 10, 0), local(2026, 10, 27, 11, 0),
                            note="In half term", by="jsmith")  # fmt: skip

    at(2026, 11, 18, 15, 0)
    done = changes.raise_change("Install Audacity in IT1", reason="Music coursework",
                                kind="standard", locations=["IT1"], adds=["Audacity 3.4"],
                                by="jsmith")  # fmt: skip
    window = (local(2026, 11, 18, 16, 45), local(2026, 11, 18, 17, 45))
    plans = {"implementation_plan": "Push it", "test_plan": "Open it", "backout_plan": "Undo"}
    changes.plan(done.number, by="jsmith", window=window, implementer="jsmith", **plans)
    changes.submit(done.number, by="jsmith")
    undone = changes.raise_change("Install Audacity in S12", reason="Music coursework",
                                  kind="standard", locations=["S12"], adds=["Audacity 3.4"],
                                  by="jsmith")  # fmt: skip
    changes.plan(undone.number, by="jsmith", window=window, implementer="jsmith", **plans)
    changes.submit(undone.number, by="jsmith")
    at(2026, 11, 18, 16, 50)
    changes.implement(done.number, by="jsmith")
    changes.back_out(undone.number, "The installer hung", by="jsmith")

    now[0] = NOW
    return report.term_period("autumn TERM")


def test_every_figure_of_a_known_term(term):
    assert (term.name, term.start, term.end, term.so_far) == (
        "Autumn term", local(2026, 9, 2), NOW, True
    )  # fmt: skip
    found = report.build(term)
    assert set(found) == {"period", "reactive", "proactive", "changes", "availability"}
    assert found["period"] == {
        "name": "Autumn term", "from": "2026-09-02", "to": "2026-12-18", "so_far": True,
        "previous": {"name": "Summer term", "from": "2026-04-13", "to": "2026-07-17",
                     "so_far": False},
    }  # fmt: skip
    calls = found["reactive"]
    assert calls["calls"] == 4
    assert [(p["priority"], p["count"]) for p in calls["by_priority"]] == [
        ("P1", 1), ("P3", 1), ("P5", 2)
    ]  # fmt: skip
    assert {c["channel"]: c["count"] for c in calls["by_channel"]} == {
        "phone": 2, "desk": 1, "visit": 1
    }  # fmt: skip
    assert (calls["response"]["in_target"], calls["response"]["timed"]) == (3, 4)
    assert calls["response"]["percent"] == 75.0
    assert (calls["resolution"]["in_target"], calls["resolution"]["timed"]) == (2, 3)
    assert calls["resolution"]["percent"] == 66.7
    assert calls["time_to_resolve"] == {"resolved": 3, "median_hours": 2.0, "mean_hours": 2.7}
    assert calls["backlog"] == {"start": 0, "end": 1}
    assert (calls["first_contact"], calls["reopened"]) == (1, 0)
    assert calls["confirmations"] == {"confirmed": 1, "closed_unanswered": 0, "waiting": 2}
    assert calls["previous"] == {
        "calls": 1, "response_percent": 100.0, "resolution_percent": 100.0, "median_hours": 1.0
    }  # fmt: skip
    ahead = found["proactive"]
    assert (ahead["problems_opened"], ahead["repeat_incidents"]) == (1, 1)
    assert (ahead["found_by_technicians"], ahead["reported_by_users"]) == (1, 3)
    assert ahead["capacity_needing_action"] == []
    moved = found["changes"]
    assert moved["total"] == 2 and moved["by_kind"]["standard"] == 2
    assert moved["outcomes"] == {
        "succeeded": 0, "failed": 0, "backed_out": 1, "not_reviewed": 1
    }  # fmt: skip
    services = {s["service"]: s for s in found["availability"]}
    agreed = clocks.school_clock(term.start, term.end).seconds(term.start, term.end)
    mis = services["MIS"]
    assert (mis["outages"], mis["unplanned_minutes"], mis["mtrs_minutes"]) == (1, 120, 120)
    assert mis["agreed_hours"] == round(agreed / 3600, 1)
    assert mis["percent"] == round(100 * (agreed - 7200) / agreed, 2)
    assert mis["met"] is (mis["percent"] >= 99.5)
    printing = services["Printing"]  # down in half term: no school hours lost
    assert (printing["outages"], printing["unplanned_minutes"], printing["percent"]) == (
        1, 0, 100.0
    )  # fmt: skip


def test_the_report_as_text_web_page_and_pdf(term, tmp_path):
    catalogue.add_service("<script>alert(1)</script>", by="jsmith")
    found = report.build(term)
    words = report_files.text(found)
    assert words.startswith("IT service report: Autumn term so far\n")
    assert "Answered within target: 75% of 4 (down 25 points on 100)." in words
    assert "Resolved at first contact: 1 (33.3%)." in words
    page = report_files.html(found)
    assert page.count("<svg") == 4 and "<script>" not in page and "&lt;script&gt;" in page
    assert "javascript" not in page.lower() and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    data = report_files.pdf(found)
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    document = pypdfium2.PdfDocument(str(path))
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "IT service report: Autumn term so far" in text
    assert "Availability of each service" in text and "MIS" in text
    assert re.search(r"Answered within target: 75%", text)


def test_the_report_command(run, term, tmp_path):
    status, out, err = run("report", "--term", "--json")
    assert status == 0, err
    found = json.loads(out)
    assert set(found) == {
        "period", "reactive", "proactive", "changes", "availability", "finance", "continuity"
    }  # fmt: skip
    assert found["finance"]["from"] == "2026-09-02" and found["finance"]["to"] == "2026-11-19"
    assert found["continuity"]["plans"] == 0 and "MIS" in found["continuity"]["without_plan"]
    status, out, err = run("report", "--term", "Autumn term", "--html", str(tmp_path / "r.html"),
                           "--pdf", str(tmp_path / "r.pdf"))  # fmt: skip
    assert status == 0 and "Wrote the web page" in out and "Wrote the PDF" in out
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-1.4")
    status, out, err = run("report", "--from", "2026-11-16", "--to", "2026-11-18", "--json")
    found = json.loads(out)
    assert found["reactive"]["calls"] == 4 and found["period"]["name"].startswith("16 Nov 2026")
    # Day first, as schools write dates and as the imports read them: the same report.
    assert run("report", "--from", "16/11/2026", "--to", "18.11.2026", "--json")[1] == out
    for args, words in (
        (("--term", "Winter term"), "no term called 'Winter term'. Terms: Summer term, Autumn"),
        (("--from", "2026-11-18", "--to", "2026-11-01"), "last day is before its first"),
        (("--from", "2026-11-18"), "Give the last day with --to"),
        (("--term", "--to", "2026-11-18"), "--to goes with --from"),
        (("--from", "2030-01-01", "--to", "2030-02-01"), "has not come yet"),
        (("--from", "yesterday", "--to", "2026-11-18"), "not a date like"),
        (("--from", "2020-01-01", "--to", "2026-11-18"), "at most two years"),
        (("--term", "--html", str(tmp_path / "no" / "r.html")), "cannot be written"),
        ((), "One of the arguments --term --from is required"),
    ):
        status, out, err = run("report", *args)
        assert status != 0 and words in err, (args, err)
        assert err.count("\n") == 1 and "Traceback" not in err


def test_no_terms_says_what_to_do(school):
    with pytest.raises(NotFound, match="calendar import"):
        report.term_period()
    with pytest.raises(BadInput, match="before its first"):
        report.dates_period(dt.date(2026, 2, 1), dt.date(2026, 1, 1))


def test_a_term_so_far_and_its_headline(term):
    figures = report.headline(term)
    assert (figures["calls"], figures["backlog"], figures["response_percent"]) == (4, 1, 75.0)
    assert figures["below_target"] == []  # two hours of the MIS in a term: 99.5% kept
    catalogue.record_outage("MIS", local(2026, 11, 19, 9, 0), local(2026, 11, 19, 11, 0),
                            by="jsmith")  # fmt: skip
    assert report.headline(term)["below_target"] == ["MIS"]
