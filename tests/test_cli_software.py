"""`fitsdesk software`: the library, installs, builds and the licence report, run through
`main()` against a real database."""

import datetime as dt
import json

import pytest


@pytest.fixture
def library(run, db):
    """Two rooms with devices in them, and three titles."""
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    assert run("location", "add", "MU1", "--name", "Music room")[0] == 0
    assert run("location", "add", "IT1", "--name", "Computer room 1")[0] == 0
    for n in range(3):
        assert run("asset", "add", f"PC-{n}", "--kind", "desktop", "--location", "MU1")[0] == 0
    assert run("asset", "add", "LAP-1", "--kind", "laptop", "--location", "IT1")[0] == 0
    soon = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    later = (dt.date.today() + dt.timedelta(days=300)).isoformat()
    titles = [
        ("Audacity", "--version", "3.4", "--purpose", "audio editing", "--licence", "free"),
        ("Sibelius", "--licence", "per-seat", "--seats", "2", "--renews", soon),
        ("Office", "--version", "2024", "--licence", "subscription", "--renews", later),
    ]
    for title in titles:
        status, _, err = run("software", "add", *title)
        assert status == 0, err
    return run


def one_sentence(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err and bool(err.strip())


def test_add_list_and_filter_by_purpose(library):
    status, out, _ = library(
        "software", "add", "MuseScore", "--version", "4", "--purpose", "Notation", "--purpose",
        "audio editing", "--publisher", "Muse Group",
    )  # fmt: skip
    assert status == 0 and out == "Added MuseScore 4 to the library (site licence).\n"
    _, out, _ = library("software", "list", "--json")
    found = {s["name"]: s for s in json.loads(out)}
    assert list(found) == ["Audacity 3.4", "MuseScore 4", "Office 2024", "Sibelius"]
    assert found["MuseScore 4"]["purposes"] == ["notation", "audio editing"]
    assert found["Sibelius"]["licence"] == "per_seat" and found["Sibelius"]["seats"] == 2
    _, out, _ = library("software", "list", "--purpose", "audio")
    lines = out.splitlines()
    assert lines[0].startswith("TITLE") and [line.split()[0] for line in lines[1:]] == [
        "Audacity",
        "MuseScore",
    ]
    assert library("software", "list", "--purpose", "juggling")[1] == "No titles match.\n"


def test_installs_count_seats_and_the_report_flags_overuse_and_renewals(library):
    status, out, err = library("software", "install", "sibelius", "--room", "mu1")
    assert status == 2 and out == "" and one_sentence(err)
    assert err == (
        "Sibelius: 2 seats, 0 used; this adds 3 (only a manager may go over the seats, "
        "with a reason).\n"
    )
    status, out, _ = library(
        "software", "install", "sibelius", "--room", "mu1", "--over-licence",
        "--reason", "Two more seats on order",
    )  # fmt: skip
    assert status == 0 and out == "Sibelius is installed on MU1 (3 of 2 seats in use).\n"
    status, _, err = library("software", "install", "Sibelius", "--asset", "lap-1")
    assert status == 2 and "Sibelius: 2 seats, 3 used; this adds 1" in err
    over = ("--over-licence", "--reason", "Exam access arrangement")
    assert library("software", "install", "Sibelius", "--asset", "lap-1", *over)[0] == 0
    assert library("software", "install", "Office 2024", "--asset", "LAP-1")[0] == 0
    status, out, _ = library("software", "report")
    lines = out.splitlines()
    assert status == 0 and lines[0].split() == [
        "TITLE", "LICENCE", "INSTALLS/SEATS", "OVER", "BY", "RENEWS", "DUE",
    ]  # fmt: skip
    assert lines[1].split()[:5] == ["Sibelius", "per_seat", "4/2", "2", "over"]
    assert "\x1b" not in out  # a pipe gets no colour
    assert lines[1].rstrip().endswith("DUE")
    assert lines[2].startswith("Office 2024") and "DUE" not in lines[2]
    assert len(lines) == 3  # Audacity has neither seats nor a renewal

    _, out, _ = library("software", "report", "--json")
    report = json.loads(out)
    assert [(r["name"], r["installs"], r["over"], r["renewal_due"]) for r in report] == [
        ("Sibelius", 4, 2, True),
        ("Office 2024", 1, 0, False),
    ]
    status, out, _ = library("software", "uninstall", "Sibelius", "--room", "MU1")
    assert status == 0 and "(1 of 2 seats in use)" in out
    status, _, err = library("software", "uninstall", "Sibelius", "--room", "MU1")
    assert status == 2 and one_sentence(err) and "not installed on MU1" in err


def test_builds(library):
    status, out, err = library(
        "software", "build", "add", "Music suite", "--title", "Audacity", "--title", "Sibelius"
    )
    assert status == 0 and out == "Added build Music suite: Audacity 3.4, Sibelius.\n", err
    status, out, _ = library("software", "build", "show", "Music suite")
    assert status == 0 and [line.split()[0] for line in out.splitlines()] == [
        "TITLE",
        "Audacity",
        "Sibelius",
    ]
    _, out, _ = library("software", "build", "show", "Music suite", "--json")
    assert [s["name"] for s in json.loads(out)] == ["Audacity 3.4", "Sibelius"]
    status, _, err = library("software", "build", "show", "Drama")
    assert status == 1 and one_sentence(err) and "no build called Drama" in err


def test_an_empty_report_says_so(run):
    assert run("init")[0] == 0
    status, out, _ = run("software", "report")
    assert status == 0 and out == "No titles have seats or a renewal date to report on.\n"
    assert run("software", "list")[1] == "The library is empty.\n"


def test_bad_input_gets_one_sentence_and_changes_nothing(library):
    from store.db.models import Journal, SoftwareInstall

    cases = [
        (("software", "add", ""), 2, "The title is empty"),
        (("software", "add", "\x1b\x07\x00 \u202e"), 2, "The title is empty"),
        (("software", "add", "x" * 81), 2, "too long"),
        (("software", "add", "x" * 100_000), 2, "too long"),
        (("software", "add", "Scratch", "--licence", "pirated"), 2, "not a licence"),
        (("software", "add", "Scratch", "--licence", "per_seat"), 2, "needs the number of seats"),
        (("software", "add", "Scratch", "--seats", "-1"), 2, "not a whole number of seats"),
        (("software", "add", "Scratch", "--seats", "\x1b[6n"), 2, "not a whole number"),
        (("software", "add", "Scratch", "--renews", "soon"), 2, "not a date"),
        (("software", "add", "Audacity", "--version", "3.4"), 2, "already in the library"),
        (("software", "add", "S", "--purpose", "p" * 41), 2, "too long"),
        (("software", "install", "Audacity"), 2, "arguments --asset --room is required"),
        (("software", "install", "Audacity", "--asset", "PC-1", "--room", "MU1"), 2, "not allowed"),
        (("software", "install", "Nope", "--room", "MU1"), 1, "no software 'Nope'"),
        (("software", "install", "Audacity", "--room", "MARS"), 2, "no location 'MARS'"),
        (("software", "install", "Audacity", "--asset", "[b]x[/b]"), 2, "may only use letters"),
        (("software", "build", "add", "Empty"), 2, "required: --title"),
        (("software", "build", "add", "B", "--title", "Nope"), 1, "no software 'Nope'"),
        (("software", "list", "--purpose", "\u202e"), 2, "A purpose is empty"),
        (("software", "install", "Audacity", "--room", "MU1", "--over-licence"), 2, "Say why"),
        (("software", "install", "Audacity", "--room", "MU1", "--reason", "x"), 2, "goes with"),
        (
            (
                "software",
                "install",
                "Audacity",
                "--room",
                "MU1",
                "--over-licence",
                "--reason",
                "\x1b\u202e ",
            ),
            2,
            "The reason for going over the seats is empty",
        ),
        (("software", "install", "Sibelius", "--room", "MU1"), 2, "2 seats, 0 used; this adds 3"),
        (("software", "build", "install", "B", "--room", "MU1"), 2, "required: --change"),
    ]
    before = (Journal.select().count(), SoftwareInstall.select().count())
    for args, expected, message in cases:
        status, _, err = library(*args)
        assert status == expected and message in err and one_sentence(err), (args, err)
        assert not any(c in err for c in "\x1b\x07\u202e"), repr(err)
    assert (Journal.select().count(), SoftwareInstall.select().count()) == before


def test_builds_are_listed_installed_and_shown_on_a_device(library, run):
    assert run("software", "build", "list")[1].startswith("There are no standard builds")
    assert run("software", "build", "add", "Music suite", "--title", "Audacity")[0] == 0
    status, out, _ = run("software", "build", "list", "--json")
    assert status == 0 and json.loads(out) == [
        {"name": "Music suite", "description": "", "titles": 1}
    ]
    rfc = scheduled_standard_change()
    status, _, err = run("software", "build", "install", "Music suite", "--asset", "PC-1")
    assert status == 2 and one_sentence(err) and "required: --change" in err
    for change, code, words in (
        ("RFC-000099", 1, "There is no change RFC-000099"),
        ("soon", 2, "'soon' is not a change number"),
        (planning_normal_change().number, 2, "is a normal change: a standard build goes on"),
    ):
        status, out, err = run(
            "software", "build", "install", "Music suite", "--asset", "PC-1", "--change", change
        )
        assert status == code and out == "" and one_sentence(err) and words in err, err
    status, out, _ = run(
        "software", "build", "install", "music suite", "--asset", "PC-1", "--change", "rfc 1"
    )
    assert status == 0 and out == f"Recorded on PC-1 under {rfc.number}: Audacity 3.4.\n"
    status, out, _ = run(
        "software", "build", "install", "Music suite", "--asset", "PC-1", "--change", rfc.number
    )
    assert "already recorded on PC-1" in out
    status, _, err = run("software", "build", "install", "Art", "--room", "MU1", "--change", "1")
    assert status == 1 and "There is no build called Art" in err
    status, out, _ = run("change", "show", rfc.number)
    assert status == 0 and "Audacity 3.4 on PC-1" in out
    status, out, _ = run("change", "show", rfc.number, "--json")
    assert json.loads(out)["installed"] == ["Audacity 3.4 on PC-1"]
    status, out, _ = run("asset", "show", "PC-1")
    assert "Software:\n  Audacity 3.4 (on this device)" in out
    status, out, _ = run("asset", "show", "PC-1", "--json")
    assert json.loads(out)["software"] == [{"title": "Audacity 3.4", "how": "on this device"}]


def scheduled_standard_change():
    """A standard change, planned and submitted: scheduled, as a build needs."""
    from store.changes import changes
    from store.db import journal

    start = journal.now() + dt.timedelta(minutes=10)
    rfc = changes.raise_change(
        "Image PC-1 with the Music suite",
        kind="standard",
        reason="A new PC",
        assets=["PC-1"],
        implementation_plan="Image it.",
        test_plan="Log in.",
        backout_plan="Re-image.",
        window=(start, start + dt.timedelta(hours=1)),
        implementer="jsmith",
        by="jsmith",
    )
    return changes.submit(rfc.number, by="jsmith")


def planning_normal_change():
    from store.changes import changes

    return changes.raise_change("Image MU1 the long way", reason="Why not", by="jsmith")


def test_the_help_says_the_licence_rule_and_the_change(run, capsys):
    for args, words in (
        (("software", "install"), ("--over-licence", "--reason", "refused with the numbers")),
        (("software", "build", "install"), ("--change RFC", "standard change", "--over-licence")),
    ):
        with pytest.raises(SystemExit) as done:
            run(*args, "--help")
        out = " ".join(capsys.readouterr().out.split())
        assert done.value.code == 0 and all(w in out for w in words), out


def test_the_report_prints_over_use_in_red_on_a_terminal(library, monkeypatch):
    over = ("--over-licence", "--reason", "Trial")
    assert library("software", "install", "Sibelius", "--room", "MU1", *over)[0] == 0
    assert library("software", "install", "Office", "--room", "MU1")[0] == 0
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, out, _ = library("software", "report")
    sibelius, office = out.splitlines()[1:]
    assert sibelius.startswith("\x1b[1;31mSibelius ") and sibelius.endswith("\x1b[0m")
    assert "1 over" in sibelius
    assert "\x1b" not in office
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b" not in library("software", "report")[1]
