"""Who acts is the operating system's account, never the environment (docs/security.md).

The real console script runs in a subprocess with LOGNAME, USER, SUDO_USER, HOME and the
XDG folders naming a manager ("head"), as the account the tests run as, which is only a
technician here: every guarded step is refused in one sentence, nothing is written, the
refusals are in the audit trail under the real account, and what that account may do is
journalled under its own name. Other accounts (one with no passwd entry, `nobody`) are
taken on by a forked child that switches its uid, as only root can.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from store.changes import changes
from store.db import database, journal
from store.db.models import Change, Journal, Technician
from store.school import audit, locations, people
from store.servicedesk import servicedesk
from tests.conftest import ON_POSTGRES
from tests.test_cli import FITSDESK, one_sentence

ME = pwd.getpwuid(os.geteuid()).pw_name
"""The account these tests run as: a technician here, never a manager."""
ROOT = os.geteuid() == 0


def _window() -> tuple[dt.datetime, dt.datetime]:
    start = (journal.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(hours=1)


@pytest.fixture
def school(db, db_url):
    """head manages and sits on the committee; akhan and bmorris are on it too; the test's
    own account is a plain technician. RFC-1 is an emergency awaiting a manager, RFC-2
    awaits the committee's vote, RFC-3 awaits bmorris's peer review; INC-1 is open."""
    people.add_technician("head", "Hana Head", roles=["manager", "committee"], by="head")
    people.add_technician(ME, "Rob Runner", by="head")
    people.add_technician("akhan", "Amir Khan", roles=["technician", "committee"], by="head")
    people.add_technician("bmorris", "Bo Morris", roles=["technician", "committee"], by="head")
    locations.add_location("IT1", "Computer room 1", by="head")
    window = _window()
    changes.raise_change("Patch the firewall", kind="emergency", window=window,
                         implementer="akhan", backout_plan="Roll it back", by="akhan")  # fmt: skip
    changes.raise_change("Install Audacity", by="akhan")
    third = changes.raise_change("Install Ocenaudio", by="akhan")
    for member in ("head", "bmorris"):
        changes.vote(third.number, "approve", by=member)
    changes.plan(third.number, implementation_plan="Push it", test_plan="Open it",
                 backout_plan="Remove it", window=window, implementer="akhan",
                 peer_reviewer="bmorris", by="akhan")  # fmt: skip
    changes.submit(third.number, by="akhan")
    servicedesk.log_call(summary="Projector flickers", requester="Ms Lee", role="staff", by="akhan")
    database.db.close()
    return db_url


def as_head(tmp_path: Path) -> dict[str, str]:
    """The environment of someone claiming to be head, every way the environment can."""
    home = tmp_path / "head-home"
    home.mkdir(exist_ok=True)
    return {
        **os.environ,
        "LOGNAME": "head",
        "USER": "head",
        "SUDO_USER": "head",
        "USERNAME": "head",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
    }


def fitsdesk(url: str, env: dict, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [FITSDESK, *args, "--db", url],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        start_new_session=True,  # no controlling terminal: getpass reads the pipe
    )


def counts() -> dict[str, int]:
    return {
        "journal": Journal.select().count(),
        "technicians": Technician.select().count(),
        "changes_moved": Change.select().where(Change.version > 1).count(),
    }


GUARDED = [
    # (command, what the refusal must say)
    (("change", "approve-emergency", "RFC-1"), f"{ME} does not have the manager role."),
    (("change", "vote", "RFC-2", "approve"), f"{ME} does not have the committee role."),
    (("change", "peer-review", "RFC-3", "--pass"), "Only the peer reviewer of RFC-000003"),
    (("change", "implement", "RFC-1"), "Only its implementer or a manager may"),
    (("change", "plan", "RFC-2", "--test", "x"), "Only who raised it or its implementer"),
    (("change", "cancel", "RFC-2", "--reason", "x"), "Only who raised it or a manager"),
    (("tech", "add", "mallory", "--name", "Mal", "--role", "manager"), "Only a manager may add"),
    (("tech", "deactivate", "head"), "Only a manager may deactivate technicians"),
    (("kiosk-pin",), "Only a manager may set the kiosk PIN"),
    (("audit",), "Only a manager may read the security audit trail."),
    (("desk", "--as", "akhan"), "Only a manager may work as someone else"),
    (("demo", "--incidents", "0"), "Only a manager may fill the database with a demo school"),
]


@pytest.mark.slow
def test_every_guarded_step_ignores_the_environment_and_is_kept_in_the_audit(school, tmp_path):
    env = as_head(tmp_path)
    database.connect(school)
    before = counts()
    database.db.close()
    for args, says in GUARDED:
        stdin = "482913\n" if args == ("kiosk-pin",) else ""
        done = fitsdesk(school, env, *args, stdin=stdin)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert one_sentence(done.stderr) and says in done.stderr, (args, done.stderr)
        assert "head" not in done.stdout
    database.connect(school)
    assert counts() == before  # nothing written by any of them
    kept = audit.entries(by="head")
    assert len(kept) == len(GUARDED)
    assert {entry.who for entry in kept} == {ME}  # the real account, never head
    assert all(entry.detail for entry in kept)
    by_record = {entry.record for entry in kept if entry.record}
    assert {"RFC-1", "RFC-2", "RFC-3"} <= by_record
    assert any(entry.action == "work as akhan" for entry in kept)


def test_what_the_account_may_do_is_journalled_under_its_own_name(school, tmp_path):
    env = as_head(tmp_path)
    done = fitsdesk(school, env, "location", "add", "LIB", "--name", "Library")
    assert done.returncode == 0, done.stderr
    done = fitsdesk(school, env, "log", "--summary", "Printer jams", "--requester", "Sam",
                    "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    number = json.loads(done.stdout)["number"]
    database.connect(school)
    room = Journal.get((Journal.record == "location") & Journal.after.startswith("LIB"))
    logged = [e.who for e in journal.history("incident", int(number.split("-")[1]))]
    assert room.who == ME and logged == [ME]
    assert (
        not Journal.select().where((Journal.id >= room.id) & Journal.who.contains("head")).exists()
    )


def test_nonsense_in_the_environment_changes_nothing(school, tmp_path):
    env = {
        **os.environ,
        "LOGNAME": "[bold]head[/bold]",
        "USER": "$(rm -rf ~)",
        "SUDO_USER": "\x1b[2Jroot",
        "HOME": "not/absolute",
        "XDG_CONFIG_HOME": "relative",
        "XDG_DATA_HOME": "\x01\x02",
        "XDG_STATE_HOME": "",
    }
    env.pop("FITSDESK_CONFIG", None)
    done = fitsdesk(school, env, "log", "--summary", "Jammed", "--requester", "Sam", "--json")
    assert done.returncode == 0, done.stderr
    number = int(json.loads(done.stdout)["number"].split("-")[1])
    done = fitsdesk(school, env, "doctor")
    assert "Traceback" not in done.stdout + done.stderr
    assert f"ok   You are {ME} (the account of this process" in done.stdout
    database.connect(school)
    assert [e.who for e in journal.history("incident", number)] == [ME]
    assert not (tmp_path / "relative").exists() and not Path("relative").exists()


def test_a_manager_working_as_someone_else_is_named_with_them(school):
    database.connect(school)
    acting = people.acting_as("akhan", real="head")
    assert acting == "akhan" and acting.real == "head"
    servicedesk_call = "INC-000001"
    from store.servicedesk import incidents

    incidents.add_note(servicedesk_call, "Ordered a lamp", public=False, by=acting)
    incidents.take(servicedesk_call, by=acting)
    whos = [e.who for e in journal.history("incident", 1)][-3:]
    assert set(whos[1:]) == {"head as akhan"}
    assert servicedesk.find_call(servicedesk_call).assignee == "akhan"
    # judgement steps are a person's own, even for a manager
    from store.db.errors import NotAllowed

    with pytest.raises(NotAllowed, match="head is working as akhan: a committee vote"):
        changes.vote("RFC-2", "approve", by=acting)
    with pytest.raises(NotAllowed, match="Only a manager may work as someone else"):
        people.acting_as("head", real="akhan")
    assert [e.who for e in audit.entries(by="head")][-2:] == ["head as akhan", "akhan"]


def test_a_peer_reviewer_who_planned_it_at_someone_elses_desk_cannot_review_it(school):
    database.connect(school)
    acting = people.acting_as("akhan", real="head")
    rfc = changes.raise_change("Move the file server", implementer="akhan",
                               peer_reviewer="head", by=acting)  # fmt: skip
    for member in ("akhan", "bmorris"):
        changes.vote(rfc.number, "approve", by=member)
    changes.plan(rfc.number, implementation_plan="Copy it", test_plan="Open a share",
                 backout_plan="Point back", window=_window(), by=acting)  # fmt: skip
    changes.submit(rfc.number, by=acting)
    from store.db.errors import NotAllowed

    with pytest.raises(NotAllowed, match="head worked on RFC-000004 as someone else"):
        changes.peer_review(rfc.number, ok=True, by="head")


# --- other accounts, by a child process that switches its uid (root only)

needs_root = pytest.mark.skipif(not ROOT, reason="switching accounts needs root")


def as_account(uid: int, gid: int, argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run `fitsdesk ARGV` as uid/gid in a forked child of this process (it can import
    nothing new once it is someone else); its exit status and stderr."""
    from tui.cli import build_parser, main

    build_parser()  # every command's module, imported while the files can still be read
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        status = 99
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (pytest captures the real ones)
            sys.stderr = open(write_end, "w", closefd=False)  # noqa: SIM115
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            os.environ.clear()
            os.environ.update(env)
            status = main(argv)
        except BaseException as exc:
            print(f"child failed: {exc!r}", file=sys.stderr)
        finally:
            sys.stderr.flush()
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        err = pipe.read()
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status), err


@pytest.fixture
def shared_folder():
    """A folder anyone may write in, outside pytest's own (which only root may enter)."""
    folder = Path(tempfile.mkdtemp(prefix="fitsdesk-shared-"))
    folder.chmod(0o777)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


NO_ACCOUNT = 54321
"""A uid with no passwd entry (checked in the test)."""


@needs_root
def test_a_uid_with_no_account_is_refused_and_writes_nothing(school, shared_folder, tmp_path):
    with pytest.raises(KeyError):
        pwd.getpwuid(NO_ACCOUNT)
    env = {"LOGNAME": "head", "USER": "head", "HOME": "/nonexistent", "PATH": "/usr/bin"}
    url = school
    if not ON_POSTGRES:  # a copy that uid may write, so only who it is can stop it
        target = shared_folder / "school.db"
        target.write_bytes(Path(database.build(school).database).read_bytes())
        target.chmod(0o666)
        url = f"sqlite:///{target}"
    status, err = as_account(NO_ACCOUNT, NO_ACCOUNT, ["log", "--summary", "Hi", "--requester",
                                                      "Sam", "--db", url], env)  # fmt: skip
    assert status == 1 and one_sentence(err), err
    assert f"runs as uid {NO_ACCOUNT}, which has no account" in err
    fresh = shared_folder / "new.db"
    status, err = as_account(NO_ACCOUNT, NO_ACCOUNT, ["init", "--db", f"sqlite:///{fresh}"], env)
    assert status == 1 and "no account" in err and not fresh.exists()
    database.connect(url)
    assert [c.summary for c in servicedesk.find_calls(status="all")] == ["Projector flickers"]


@needs_root
def test_another_account_is_itself_whatever_its_environment_says(school, shared_folder):
    nobody = pwd.getpwnam("nobody")
    env = {"LOGNAME": "head", "USER": "head", "SUDO_USER": "head", "HOME": "/root",
           "PATH": "/usr/bin"}  # fmt: skip
    url = school
    if not ON_POSTGRES:
        target = shared_folder / "school.db"
        target.write_bytes(Path(database.build(school).database).read_bytes())
        target.chmod(0o666)
        url = f"sqlite:///{target}"
    argv = ["change", "approve-emergency", "RFC-1", "--db", url]
    status, err = as_account(nobody.pw_uid, nobody.pw_gid, argv, env)
    assert status == 2 and one_sentence(err) and "nobody is not an active technician" in err
    database.connect(url)
    assert [e.who for e in audit.entries(by="head")] == ["nobody"]


@needs_root
def test_a_database_file_someone_else_owns_is_read_only_to_them(shared_folder, tmp_path):
    nobody = pwd.getpwnam("nobody")  # the PostgreSQL grants: tests/test_postgres_roles.py
    folder = shared_folder / "root-owned"
    folder.mkdir()
    folder.chmod(0o755)
    url = f"sqlite:///{folder / 'desk.db'}"
    database.connect(url)
    people.add_technician("nobody", "No Body", roles=["manager"], by="nobody")
    database.db.close()
    for name in os.listdir(folder):
        (folder / name).chmod(0o644)
    env = {"PATH": "/usr/bin", "HOME": "/nonexistent"}
    for argv in (["location", "add", "LIB", "--name", "Library"], ["list"]):
        status, err = as_account(nobody.pw_uid, nobody.pw_gid, [*argv, "--db", url], env)
        assert status == 1 and one_sentence(err), (argv, err)
        assert "Traceback" not in err and str(folder) in err
    database.connect(url)
    assert locations.list_locations() == []


def test_the_reserved_names_cannot_act(monkeypatch):
    from store.db import identity

    for name in identity.RESERVED:
        monkeypatch.setattr("store.db.identity.os_account", lambda name=name: name)
        with pytest.raises(identity.NoAccount, match="keeps for itself"):
            identity.login()


def test_xdg_folders_that_are_not_absolute_are_ignored(monkeypatch, tmp_path):
    from store.db import config

    monkeypatch.setenv("HOME", str(tmp_path))
    for nonsense in ("relative/dir", "", "\x01", "~other"):
        monkeypatch.setenv("XDG_DATA_HOME", nonsense)
        monkeypatch.setenv("XDG_CONFIG_HOME", nonsense)
        assert config.data_dir() == tmp_path / ".local" / "share" / "fitsdesk"
        assert config.config_dir() == tmp_path / ".config" / "fitsdesk"
    monkeypatch.setenv("HOME", "not/absolute")
    assert config.data_dir().is_absolute()  # the passwd entry's home instead
