"""The `fitsdesk` command, held to its contract (docs/architecture.md): names, JSON fields,
exit statuses."""

import gc
import json
import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import build_parser, main

FITSDESK = str(Path(sys.executable).parent / "fitsdesk")
LIST_KEYS = {
    "number",
    "status",
    "summary",
    "requester",
    "requester_role",
    "location",
    "category",
    "channel",
    "priority",
    "assignee",
    "asset",
    "created_at",
}
SHOW_KEYS = LIST_KEYS | {"description", "answers", "notes"}


@pytest.fixture
def run(db_url, capsys, monkeypatch):
    """Run `fitsdesk ARGS --db URL` in this process as the account jsmith; return (status,
    stdout, stderr). tests/test_identity.py runs the real console script as the real one."""
    monkeypatch.setattr("store.db.identity.os_account", lambda: "jsmith")

    def invoke(*args, db=True):
        argv = [*args, "--db", db_url] if db else list(args)
        status = main(argv)
        out, err = capsys.readouterr()
        return status, out, err

    return invoke


@pytest.fixture
def ready(run, db):
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    assert run("location", "add", "LIB", "--name", "Library")[0] == 0
    return run


def one_sentence(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err and err.strip()


def all_commands():
    """Every command and subcommand path, for --help."""
    parser = build_parser()
    paths = []

    def walk(p, prefix):
        for action in p._actions:
            if hasattr(action, "choices") and isinstance(action.choices, dict):
                for name, sub in action.choices.items():
                    paths.append((*prefix, name))
                    walk(sub, (*prefix, name))

    walk(parser, ())
    return paths


def test_the_contract_commands_exist():
    commands = {" ".join(p) for p in all_commands()}
    for name in (
        "init",
        "tech add",
        "tech list",
        "tech deactivate",
        "log",
        "show",
        "list",
        "demo",
        "location add",
        "location list",
        "location import",
        "location remove",
        "category add",
        "category list",
        "kiosk add",
        "kiosk list",
    ):
        assert name in commands


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_and_takes_db(path, capsys):
    with pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: fitsdesk " + " ".join(path))
    assert "--db URL" in out or path in (("tech",), ("location",), ("category",), ("kiosk",))


def test_init_twice_is_safe(run):
    status, out, _ = run("init")
    assert status == 0 and "It has 12 categories" in out
    status, out, _ = run("init")
    assert status == 0 and "It has 12 categories" in out


def test_log_show_list_round_trip_as_json(ready):
    status, out, err = ready(
        "log",
        "--summary",
        "Printer jams on every page",
        "--requester",
        "Ms Ada Byron",
        "--role",
        "staff",
        "--group",
        "Maths",
        "--email",
        "ada@school.example",
        "--location",
        "lib",
        "--category",
        "printer",
        "--channel",
        "phone",
        "--description",
        "Paper creases at the fuser",
        "--already-tried",
        "Reloaded paper",
        "--json",
    )
    assert status == 0, err
    logged = json.loads(out)
    assert set(logged) >= SHOW_KEYS
    assert logged["number"].startswith("INC-") and logged["scan"].startswith(logged["number"])
    assert logged["answers"]["already_tried"] == "Reloaded paper"

    status, out, _ = ready("show", logged["scan"], "--json")
    shown = json.loads(out)
    assert status == 0 and shown == logged
    assert shown["created_at"].endswith("+00:00")

    status, out, _ = ready("list", "--json")
    listed = json.loads(out)
    assert status == 0 and len(listed) == 1
    assert set(listed[0]) >= LIST_KEYS
    assert listed[0]["requester_role"] == "staff" and listed[0]["location"] == "LIB"


def test_show_lists_notes_with_author_time_and_visibility(ready):
    from store.servicedesk import incidents

    _, out, _ = ready("log", "--summary", "No Wi-Fi", "--requester", "Sam", "--json")
    number = json.loads(out)["number"]
    incidents.add_note(number, "Access point restarted", public=True, by="jsmith")
    _, out, _ = ready("show", number, "--json")
    note = json.loads(out)["notes"][0]
    assert note["author"] == "jsmith" and note["public"] is True
    assert note["text"] == "Access point restarted" and note["at"].endswith("+00:00")
    status, out, _ = ready("show", number)
    assert status == 0 and "Access point restarted" in out and "jsmith (public)" in out


def test_show_keeps_the_resolution_a_reopen_cleared(ready):
    from store.servicedesk import incidents

    _, out, _ = ready("log", "--summary", "No Wi-Fi", "--requester", "Sam", "--json")
    number = json.loads(out)["number"]
    incidents.resolve(number, kind="fix", text="Restarted the [b]access point[/b]", by="jsmith")
    incidents.reopen(number, "It dropped again", by="jsmith")
    status, out, _ = ready("show", number, "--json")
    shown = json.loads(out)
    assert status == 0 and (shown["status"], shown["resolution"]) == ("assigned", "")
    [past] = shown["previous_resolutions"]
    assert (past["kind"], past["text"], past["resolved_by"], past["reopened_by"]) == (
        "fix",
        "Restarted the [b]access point[/b]",
        "jsmith",
        "jsmith",
    )
    assert past["resolved_at"].endswith("+00:00") and past["reopened_at"].endswith("+00:00")
    status, out, _ = ready("show", number)
    assert "Earlier resolutions (each reopened since):" in out
    assert "    Restarted the [b]access point[/b]" in out


def test_list_prints_every_match_unless_limited(ready):
    for n in range(60):
        ready("log", "--summary", f"Fault {n}", "--requester", "Sam")
    _, out, _ = ready("list", "--json")
    assert len(json.loads(out)) == 60
    _, out, _ = ready("list", "--limit", "5", "--json")
    assert len(json.loads(out)) == 5
    _, out, _ = ready("list")
    assert len(out.splitlines()) == 61  # a header and every call
    _, out, _ = ready("list", "--status", "closed")
    assert out.strip() == "No calls match."
    _, out, _ = ready("list", "--assignee", "none", "--limit", "2", "--json")
    assert len(json.loads(out)) == 2


def test_not_found_is_status_1(ready):
    status, _, err = ready("show", "INC-000999")
    assert status == 1 and one_sentence(err) and "No call matches INC-000999" in err
    ready("log", "--summary", "x", "--requester", "Sam")
    status, _, err = ready("show", "INC-000001-ZZZZ")
    assert status == 1 and "No call matches INC-000001-ZZZZ" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (("log", "--summary", "", "--requester", "Sam"), "The summary is empty"),
        (("log", "--summary", "x" * 5000, "--requester", "Sam"), "too long"),
        (("log", "--summary", "\x01\x02\x1b", "--requester", "Sam"), "The summary is empty"),
        (("log", "--summary", "ok", "--requester", "\u202e\u202d"), "The caller's name is empty"),
        (
            ("log", "--summary", "ok", "--requester", "Sam", "--location", "MARS"),
            "There is no location 'MARS'",
        ),
        (
            ("log", "--summary", "ok", "--requester", "Sam", "--category", "lasers"),
            "There is no category",
        ),
        (
            ("log", "--summary", "ok", "--requester", "Sam", "--asset", "[b]x"),
            "may only use letters",
        ),
        (("log", "--summary", "ok", "--requester", "Sam", "--role", "wizard"), "invalid choice"),
        (("log", "--summary", "ok"), "required: --requester"),
        (("show", "robert'); drop table incident;--"), "is not a log number"),
        (("list", "--status", "lost"), "not a status"),
        (("list", "--limit", "-3"), "whole number"),
        (("list", "--limit", "lots"), "whole number"),
        (("tech", "add", "[@click=app.quit]", "--name", "x"), "not a login name"),
        (("tech", "add", "jsmith", "--name", "Again"), "already a technician"),
        (("tech", "deactivate", "ghost"), "no technician 'ghost'"),
        (("location", "add", "LIB", "--name", "Library again"), "already a location"),
        (("category", "add", "Bad Name", "--label", "x"), "not a category name"),
        (("kiosk", "add", "hall", "--location", "NOWHERE"), "no location 'NOWHERE'"),
        (("kiosk", "add", "", "--location", "LIB"), "The kiosk name is empty"),
        (("list", "--assignee", ""), "The login name is empty"),
        (("demo", "--incidents", "lots"), "not a number"),
        (("frobnicate",), "invalid choice"),
        (("list", "--status", "\x1b[31mopen\x1b]0;x\x07"), "not a status"),
        (("list", "--limit", "\x1b[2J"), "not a whole number"),
        (
            ("log", "--summary", "x", "--requester", "Sam", "--role", "\x1b[2J\u202epupil"),
            "invalid choice",
        ),
        (("demo", "--incidents", "\x9b6n"), "not a number"),
        ((), "Say what to do"),
    ],
)
def test_bad_input_gets_one_sentence_and_a_nonzero_status(ready, args, message):
    from store.db.models import Incident, Journal

    before = (Incident.select().count(), Journal.select().count())
    status, _out, err = ready(*args, db=bool(args))
    expected = 1 if args[:2] == ("tech", "deactivate") else 2
    assert status == expected, (status, err)
    assert message in err and one_sentence(err), err
    assert not any(c in err for c in "\x1b\x07\x9b\u202e"), repr(err)
    assert (Incident.select().count(), Journal.select().count()) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("problem", "resolve", "hello"), "'hello' is not a problem number: they look like PRB-"),
        (("change", "show", "hello"), "'hello' is not a change number: they look like RFC-"),
        (("show", "hello"), "'hello' is not a log number: they look like INC-"),
        (("show", "[b]x" * 30), "'[b]x[b]x[b]x[b]x[b]x[b]x[b]x[b]x[b]x[b]…' is not a log number"),
        (("show", "9" * 19), f"'{'9' * 19}' is not a log number"),
        (("log", "--summary", "Printer broken", "--requester", ""), "The caller's name is empty"),
        (
            ("log", "--summary", "ok", "--requester", "Sam", "--location", "[b]"),
            "The room code '[B]' may only use",
        ),
        (
            ("log", "--summary", "ok", "--requester", "Sam", "--category", "x" * 61),
            "The category is too long",
        ),
        (
            ("log", "--summary", "ok", "--requester", "Sam", "--already-tried", "x" * 4001),
            "The answer to 'What have you already tried?' is too long",
        ),
        (("log", "--summary", "ok", "--requester", "Sam", "--channel", "kiosk"), "invalid choice"),
        ((), "Say what to do, for example: fitsdesk list. See: fitsdesk --help"),
        (
            ("problem",),
            "Say what to do, for example: fitsdesk problem list. See: fitsdesk problem --help",
        ),
    ],
)
def test_a_mistake_is_named_in_the_words_a_technician_uses(ready, args, message):
    status, out, err = ready(*args, db=bool(args))
    assert (status, out) == (2, "") and one_sentence(err), err
    assert message in err and "required:" not in err, err


def test_a_technician_logs_calls_by_every_channel_but_the_kiosks(capsys):
    with pytest.raises(SystemExit):
        main(["log", "--help"])
    assert "--channel {phone,visit,email,desk}" in capsys.readouterr().out


def test_markup_is_printed_as_typed_and_does_nothing(ready):
    status, out, _ = ready(
        "log",
        "--summary",
        "[@click=app.quit]x[/] [blink]",
        "--requester",
        "[red]Tim[/red]",
        "--json",
    )
    assert status == 0 and json.loads(out)["summary"] == "[@click=app.quit]x[/] [blink]"
    status, out, _ = ready("list")
    assert status == 0 and "[@click=app.quit]x[/] [blink]" in out


def test_bad_database_urls_get_one_sentence(run, tmp_path):
    cases = [
        (("list", "--db", "mysql://root@h/x"), 2, "cannot use a 'mysql' database"),
        (("list", "--db", ""), 2, "The database URL is empty"),
        (("list", "--db", f"sqlite:///{tmp_path}/missing/dir/x.db"), 1, "does not exist"),
        (("list", "--db", "postgresql://postgres@127.0.0.1:1/test"), 1, "is its server running"),
    ]
    for args, expected, message in cases:
        status, _, err = run(*args, db=False)
        assert status == expected and message in err and one_sentence(err), err


def test_tech_add_list_deactivate(ready):
    status, out, _ = ready(
        "tech", "add", "akhan", "--name", "Amir Khan", "--role", "technician", "--role", "committee"
    )
    assert status == 0 and "technician, committee" in out
    _, out, _ = ready("tech", "list", "--json")
    assert [t["login"] for t in json.loads(out)] == ["akhan", "jsmith"]
    assert ready("tech", "deactivate", "akhan")[0] == 0
    _, out, _ = ready("tech", "list", "--json")
    assert [t["login"] for t in json.loads(out)] == ["jsmith"]
    _, out, _ = ready("tech", "list", "--all")
    assert "akhan" in out and " no " in out


def test_location_import_adds_and_updates_from_an_mis_export(ready, tmp_path):
    rooms = tmp_path / "rooms.csv"
    rooms.write_bytes(
        "\ufeffRoom,Description,Building\r\nS1,Science 1,Main\r\nLIB,Library (new wing),Main\r\n"
        "\r\nCafé,Canteen,Main\r\n".replace("Café", "CAFE").encode("utf-8")
    )
    status, out, _ = ready("location", "import", str(rooms), "--dry-run")
    assert status == 0 and "Would add 2, would update 1" in out
    _, out, _ = ready("location", "list", "--json")
    assert [p["code"] for p in json.loads(out)] == ["LIB"]
    status, out, _ = ready("location", "import", str(rooms))
    assert status == 0 and "Added 2, updated 1" in out
    _, out, _ = ready("location", "list", "--json")
    places = {p["code"]: p for p in json.loads(out)}
    assert set(places) == {"CAFE", "LIB", "S1"}
    assert places["LIB"]["name"] == "Library (new wing)"


def test_location_import_windows_text(ready, tmp_path):
    rooms = tmp_path / "rooms.csv"
    rooms.write_bytes("Room,Description,Site\nM1,Maths – room 1,Main\n".encode("cp1252"))
    status, out, _ = ready("location", "import", str(rooms))
    assert status == 0
    _, out, _ = ready("location", "list", "--json")
    assert {"code": "M1", "name": "Maths – room 1", "site": "Main"} in json.loads(out)


def test_location_import_lists_every_bad_row_and_writes_nothing(ready, tmp_path):
    rooms = tmp_path / "rooms.csv"
    rooms.write_text(
        "code,name,site\nS1,Science 1,Main\n,No code,Main\nS 2,Space in code,Main\n"
        f"S3,{'x' * 200},Main\nS1,Duplicate,Main\n"
    )
    status, out, err = ready("location", "import", str(rooms))
    assert status == 2 and out == ""
    assert "Line 3:" in err and "Line 4:" in err and "Line 5:" in err
    assert "Line 6: S1 is already on line 2" in err
    assert err.splitlines()[-1].startswith("Nothing was imported")
    _, out, _ = ready("location", "list", "--json")
    assert [p["code"] for p in json.loads(out)] == ["LIB"]


def test_location_import_of_a_missing_or_binary_file(ready, tmp_path):
    status, _, err = ready("location", "import", str(tmp_path / "nope.csv"))
    assert status == 1 and "There is no file" in err
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    status, out, err = ready("location", "import", str(binary))
    assert status == 2 and "Traceback" not in out + err


def test_location_import_reads_excel_unicode_text(ready, tmp_path):
    rooms = tmp_path / "rooms.csv"
    rooms.write_bytes("Room,Description\r\nMU1,Music – practice room\r\n".encode("utf-16"))
    assert ready("location", "import", str(rooms))[0] == 0
    _, out, _ = ready("location", "list", "--json")
    assert {"code": "MU1", "name": "Music – practice room", "site": ""} in json.loads(out)


def test_location_import_of_an_empty_file(ready, tmp_path):
    rooms = tmp_path / "rooms.csv"
    rooms.write_text("")
    status, _, err = ready("location", "import", str(rooms))
    assert status == 2 and one_sentence(err) and "is empty: nothing was imported" in err
    rooms.write_text("code,name\n\n\n")
    status, _, err = ready("location", "import", str(rooms))
    assert status == 2 and "has no rooms in it" in err


def test_a_mistyped_database_is_not_made_by_everyday_commands(run, tmp_path):
    typo = tmp_path / "deks.db"
    for args in (
        ("list",),
        ("show", "1"),
        ("log", "--summary", "x", "--requester", "Sam"),
        ("tech", "list"),
    ):
        status, _, err = run(*args, "--db", str(typo), db=False)
        assert status == 1 and one_sentence(err), err
        assert "There is no FITS Desk database at" in err and "fitsdesk init" in err
        assert not typo.exists()
    assert run("init", "--db", str(typo), db=False)[0] == 0
    assert run("list", "--db", str(typo), db=False)[0] == 0


def test_the_default_database_is_made_on_first_use(run, hidden_home):
    status, out, _ = run("list", db=False)
    assert status == 0 and out.strip() == "No calls match."
    assert (hidden_home / "data" / "fitsdesk" / "fitsdesk.db").is_file()


def test_close_unanswered_says_how_many_it_did_not_name(ready):
    import datetime as dt

    from store.db.models import Incident
    from store.servicedesk import incidents, servicedesk

    for n in range(23):
        call = servicedesk.log_call(summary=f"Fault {n}", requester="Sam", by="jsmith")
        incidents.resolve(call.number, kind="fix", text="Done", by="jsmith")
    Incident.update(resolved_at=dt.datetime(2020, 1, 6)).execute()
    status, out, _ = ready("close-unanswered")
    assert status == 0 and out.startswith("Closed 23 calls with no answer: INC-000001, ")
    assert out.rstrip().endswith("and 3 more.")


def test_category_and_kiosk(ready):
    status, out, _ = ready(
        "category",
        "add",
        "scanner",
        "--label",
        "Scanner",
        "--impact",
        "low",
        "--urgency",
        "high",
        "--staff-only",
    )
    assert status == 0
    _, out, _ = ready("category", "list", "--json")
    scanner = next(c for c in json.loads(out) if c["name"] == "scanner")
    assert scanner == {
        "name": "scanner",
        "label": "Scanner",
        "impact": "low",
        "urgency": "high",
        "on_kiosk": False,
    }
    assert ready("kiosk", "add", "Library", "--location", "LIB")[0] == 0
    _, out, _ = ready("kiosk", "list", "--json")
    assert json.loads(out) == [{"name": "library", "location": "LIB"}]


def test_close_unanswered_command(ready):
    status, out, _ = ready("close-unanswered", "--days", "3")
    assert status == 0 and out.startswith("Closed 0 calls")


def test_the_installed_command_runs_end_to_end(db_url):
    """The console script itself, in a real process: JSON out, one sentence on error."""

    def env_run(*a):
        return subprocess.run(
            [FITSDESK, *a, "--db", db_url],
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert env_run("init").returncode == 0
    me = pwd.getpwuid(os.geteuid()).pw_name  # the account this process runs as
    assert env_run("tech", "add", me, "--name", "Test Runner", "--role", "manager").returncode == 0
    done = env_run(
        "log",
        "--summary",
        "Board not responding",
        "--requester",
        "Mr Lee",
        "--role",
        "staff",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    number = json.loads(done.stdout)["number"]
    shown = env_run("show", number, "--json")
    assert json.loads(shown.stdout)["summary"] == "Board not responding"
    missing = env_run("show", "INC-424242")
    assert missing.returncode == 1 and missing.stderr == "No call matches INC-424242.\n"
    usage = subprocess.run([FITSDESK, "log"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert usage.stderr.count("\n") == 1


@pytest.fixture
def read_only(tmp_path):
    """Make a file read-only for real: chattr +i for root (who ignores modes), else chmod."""
    made = []

    def make(path):
        if os.geteuid() == 0:
            if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
                pytest.skip("this filesystem cannot make a file read-only for root")
        else:
            path.chmod(0o444)
        made.append(path)

    yield make
    for path in made:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o644)


def test_a_read_only_database_file_reads_but_refuses_writes(run, tmp_path, read_only):
    path = tmp_path / "school.db"
    url = f"sqlite:///{path}"
    assert run("init", "--db", url, db=False)[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--db", url, db=False)[0] == 0
    assert run("log", "--summary", "Before", "--requester", "Sam", "--db", url, db=False)[0] == 0
    # Every connection to the file must be gone first: SQLite may hand a new connection
    # the writable file descriptor of an old one in the same process.
    from store.db import database

    database.db.close()
    gc.collect()
    read_only(path)
    status, out, _ = run("list", "--db", url, db=False)
    assert status == 0 and "Before" in out
    status, _, err = run("log", "--summary", "After", "--requester", "Sam", "--db", url, db=False)
    assert status == 1 and one_sentence(err) and "is read-only, so nothing was saved" in err


@pytest.mark.parametrize(
    "argv, env, driver_loaded",
    [
        (["kiosk", "--db", "sqlite:////tmp/x.db"], {}, False),
        (["list"], {}, False),  # the default database is SQLite
        (["--db=postgresql://u@h/x", "list"], {}, True),
        (["list"], {"FITSDESK_DB": "postgresql://u@h/x"}, True),
    ],
)
def test_the_command_loads_the_postgres_driver_only_for_postgres(argv, env, driver_loaded):
    probe = (
        "import sys; from tui.cli import _no_postgres_driver_unless_needed as skip; "
        f"skip({argv!r}); import peewee; print(peewee.psycopg is not None)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )
    assert done.stdout.strip() == str(driver_loaded), done.stderr
