"""`fitsdesk continuity` (tui/cli/continuity.py): help, the list with its reminders, show,
edit, test and interval, and bad input as one sentence with nothing written."""

import datetime as dt
import json

import pytest

from store.continuity import backups
from store.db import journal
from store.db.models import ContinuityPlan, ContinuityTest, Journal
from tests.test_cli import one_sentence
from tui.cli import main


@pytest.mark.no_db
@pytest.mark.parametrize("action", [(), ("list",), ("show",), ("edit",), ("test",), ("interval",)])
def test_every_action_has_help(action, capsys):
    with pytest.raises(SystemExit) as done:
        main(["continuity", *action, "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and out.startswith("usage: fitsdesk continuity " + " ".join(action))
    assert "--db URL" in out


def counts():
    return (
        ContinuityPlan.select().count(),
        ContinuityTest.select().count(),
        Journal.select().count(),
    )


def test_edit_show_test_and_list(run, school):
    status, out, err = run("continuity", "list")
    assert status == 0 and err == ""
    assert "MIS" in out and "no plan" in out and "No plan yet:" in out
    assert "FITS Desk: There is no backup" in out
    status, out, err = run(
        "continuity", "edit", "MIS", "--priority", "1", "--rto", "4h", "--rpo", "1d",
        "--copies", "3", "--devices", "2", "--offsite", "--method", "Supplier's nightly copy",
        "--steps", "1. Ring the supplier\\n2. Use the paper registers", "--contacts", "Capita",
    )  # fmt: skip
    assert (status, err) == (0, "")
    assert out == "Saved the plan for MIS. 3-2-1 met: 3 copies on 2 devices, one off site.\n"
    status, out, err = run("continuity", "show", "mis")
    assert status == 0
    assert "RTO:          4 h" in out and "RPO:          1 day" in out
    assert "  1. Ring the supplier\n  2. Use the paper registers" in out
    assert "! MIS's continuity plan has never been tested" in out
    status, out, err = run("continuity", "test", "MIS", "--result", "pass", "--notes", "Fine")
    assert status == 0 and out.startswith("Recorded a pass for MIS on ")
    status, out, err = run("continuity", "show", "MIS", "--json")
    shown = json.loads(out)
    assert (shown["rto_minutes"], shown["rule_321"], shown["test_result"]) == (240, True, "pass")
    assert shown["tests"][0]["notes"] == "Fine" and shown["test_overdue"] is False
    status, out, err = run("continuity", "edit", "MIS")
    assert out.startswith("Recorded a review of the plan for MIS. 3-2-1 met")
    status, out, err = run("continuity", "edit", "MIS", "--no-offsite")
    assert status == 0 and "3-2-1 not met" in out and "needs one copy off site" in out
    status, out, err = run("continuity", "list")
    mis = next(line for line in out.splitlines() if line.startswith("MIS"))
    assert mis.split()[1:5] == ["1", "4", "h", "1"] and "not met" in mis and "pass" in mis
    assert "never been tested" not in out
    status, out, err = run("continuity", "list", "--json")
    assert {p["service"] for p in json.loads(out) if p["planned"]} == {"MIS"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("test", "Printing", "--result", "pass"), "Printing has no continuity plan to test"),
        (("test", "MIS", "--result", "maybe"), "pass or fail, not 'maybe'"),
        (("test", "MIS", "--result", "pass", "--on", "2099-01-01"), "a day still to come"),
        (("test", "MIS", "--result", "pass", "--on", "tomorrow"), "not a date like"),
        (("test", "MIS"), "arguments are required: --result"),
        (("test", "Canteen", "--result", "pass"), "no service 'Canteen'"),
        (("edit", "MIS", "--rto", "soon"), "not a length of time for the RTO"),
        (("edit", "MIS", "--copies", "2", "--devices", "3"), "3 devices for 2 copies"),
        (("edit", "MIS", "--priority", "0"), "recovery priority is 1"),
        (("edit", "MIS", "--offsite", "--no-offsite"), "not allowed with argument"),
        (("interval", "weekly"), "termly or every so many days"),
    ],
)
def test_bad_input_is_one_sentence_with_nothing_written(run, school, args, message):
    assert run("continuity", "edit", "MIS", "--rto", "4h")[0] == 0
    before = counts()
    status, _out, err = run("continuity", *args)
    assert status in (1, 2) and message in err and one_sentence(err), err
    assert counts() == before


def test_a_technician_may_test_but_not_write_a_plan(run, school, monkeypatch):
    run("continuity", "edit", "MIS", "--rto", "4h")
    monkeypatch.setattr("store.db.identity.os_account", lambda: "akhan")
    before = counts()
    status, out, err = run("continuity", "edit", "MIS", "--rto", "2h")
    assert status == 2 and "Only a manager may write a continuity plan" in err
    assert counts() == before
    status, out, err = run("continuity", "test", "MIS", "--result", "fail", "--notes", "Slow")
    assert status == 0 and "Recorded a fail" in out


def test_the_interval_and_overdue_reminders_in_the_list(run, school, monkeypatch):
    monkeypatch.setattr(journal, "now", lambda: dt.datetime(2026, 1, 10, 9, 0))
    assert run("continuity", "interval")[1] == "Each continuity plan is tested once a term.\n"
    run("continuity", "edit", "Email", "--rto", "1d")
    run("continuity", "test", "Email", "--result", "pass")
    status, out, err = run("continuity", "interval", "30d")
    assert (status, out, err) == (0, "Each continuity plan is tested every 30 days.\n", "")
    monkeypatch.setattr(journal, "now", lambda: dt.datetime(2026, 2, 20, 9, 0))
    status, out, _err = run("continuity", "list")
    assert "! Email's continuity plan was last tested on 10 January 2026" in out
    assert "2026-01-10 pass (overdue)" in out


def test_fits_desk_from_its_own_backup(run, school):
    copy = backups.take(by="jsmith")
    status, out, err = run("continuity", "show", "FITS Desk")
    assert status == 0 and f"The latest backup is less than an hour old: {copy.path}." in out
    assert "No restore drill is recorded" in out and "has no continuity plan yet" in out
    run("continuity", "edit", "FITS Desk", "--rto", "1d", "--rpo", "1d")
    status, out, err = run("continuity", "test", "FITS Desk", "--result", "pass")
    assert (status, err) == (0, "") and "Recorded a pass for FITS Desk" in out
    status, out, _err = run("continuity", "show", "FITS Desk", "--json")
    shown = json.loads(out)
    assert shown["own_backup_fresh"] is True and shown["restore_drill"].endswith(": pass.")
