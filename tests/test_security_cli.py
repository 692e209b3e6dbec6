"""`fitsdesk init` shares a SQLite file with its group and closes it to others,
`fitsdesk doctor` says what is wrong and how to fix it, `fitsdesk audit` shows a manager
the refused actions, and `fitsdesk tech roles` is a manager's: through `main()`, as the
account jsmith, against real files."""

from __future__ import annotations

import grp
import json
import os
import pwd
import stat

import pytest

from store.changes import changes
from store.db import database
from store.school import audit, people
from tests.test_cli import one_sentence

ROOT = os.geteuid() == 0
GROUP = "users"
"""A group every Debian machine has, standing in for the school's fitsdesk group."""


@pytest.fixture
def run(db_url, capsys, monkeypatch):
    """`fitsdesk ARGS` as the account jsmith, on the test's database unless ARGS name one;
    (status, stdout, stderr)."""
    from tui.cli import main

    monkeypatch.setattr("store.db.identity.os_account", lambda: "jsmith")

    def invoke(*args):
        status = main([*args] if "--db" in args else [*args, "--db", db_url])
        out, err = capsys.readouterr()
        return status, out, err

    return invoke


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """A config file naming the group that shares the database."""

    def write(group: str) -> None:
        path = tmp_path / "config.toml"
        path.write_text(f'db_group = "{group}"\n')
        monkeypatch.setenv("FITSDESK_CONFIG", str(path))

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return write


@pytest.mark.skipif(not ROOT, reason="giving a file to a group one is not in needs root")
def test_init_gives_a_folder_of_its_own_to_the_group_and_closes_it_to_others(
    run, tmp_path, settings
):
    settings(GROUP)
    folder = tmp_path / "fitsdesk"
    folder.mkdir(mode=0o755)
    path = folder / "desk.db"
    status, out, err = run("init", "--db", f"sqlite:///{path}")
    assert status == 0, err
    assert f"belong to the group {GROUP} (folder 2770, file 0660)" in out
    gid = grp.getgrnam(GROUP).gr_gid
    assert mode(folder) == 0o2770 and folder.stat().st_gid == gid
    for item in folder.iterdir():  # the database and the -wal and -shm SQLite keeps
        assert mode(item) == 0o660 and item.stat().st_gid == gid, item


@pytest.mark.skipif(not ROOT, reason="giving a file to a group one is not in needs root")
def test_init_leaves_a_shared_folder_but_closes_it_to_others(run, tmp_path, settings):
    settings(GROUP)
    folder = tmp_path / "school"
    folder.mkdir(mode=0o755)
    (folder / "timetable.pdf").write_text("not ours")
    path = folder / "desk.db"
    status, out, _ = run("init", "--db", f"sqlite:///{path}")
    assert status == 0 and "holds other files too" in out
    assert mode(folder) == 0o750 and mode(path) == 0o660


def test_init_never_closes_a_folder_everyone_uses(run, tmp_path, settings):
    settings(GROUP)
    folder = tmp_path / "tmp"
    folder.mkdir()
    folder.chmod(0o1777)  # like /tmp
    path = folder / "desk.db"
    status, out, _ = run("init", "--db", f"sqlite:///{path}")
    assert status == 0 and "a folder everyone uses, so it was left as it is" in out
    assert mode(folder) == 0o1777 and mode(path) & 0o007 == 0


def test_init_with_no_such_group_shares_with_nobody_and_says_how(run, tmp_path, settings):
    settings("nosuchgroup")
    folder = tmp_path / "fitsdesk"
    folder.mkdir(mode=0o755)
    path = folder / "desk.db"
    status, out, _ = run("init", "--db", f"sqlite:///{path}")
    assert status == 0 and "There is no group nosuchgroup" in out
    assert "sudo groupadd nosuchgroup" in out
    assert mode(folder) & 0o007 == 0 and mode(path) & 0o007 == 0
    path.chmod(0o644)  # someone loosened it: init again closes it
    assert run("init", "--db", f"sqlite:///{path}")[0] == 0
    assert mode(path) & 0o007 == 0


def test_a_bad_db_group_setting_is_one_sentence(run, settings, tmp_path):
    settings("bad group\\nname")
    status, _, err = run("init", "--db", f"sqlite:///{tmp_path / 'new.db'}")
    assert status == 2 and one_sentence(err) and "db_group must be a group name" in err
    assert not (tmp_path / "new.db").exists()  # nothing made


def test_doctor_finds_each_thing_to_fix_and_then_nothing(run, tmp_path, settings):
    settings("nosuchgroup")
    folder = tmp_path / "fitsdesk"
    folder.mkdir()
    url = f"sqlite:///{folder / 'desk.db'}"
    assert run("init", "--db", url)[0] == 0
    (folder / "desk.db").chmod(0o644)
    status, out, _ = run("doctor", "--db", url)
    fixes = [line for line in out.splitlines() if line.startswith("FIX")]
    assert status == 1 and len(fixes) == 4, out
    assert "can be used by anyone on this machine (mode 0644)" in fixes[0]
    assert f"There is no backup in {folder / 'backups'}" in fixes[1]
    assert "There is no manager" in fixes[2]
    assert "No kiosk PIN is set" in fixes[3] and "fitsdesk kiosk-pin" in fixes[3]
    assert "ok   jsmith is not a technician: it may run a kiosk" in out
    assert "ok   You are jsmith" in out and "LOGNAME and USER are not asked" in out
    assert run("init", "--db", url)[0] == 0
    assert (
        run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager", "--db", url)[0] == 0
    )
    database.connect(url)
    from store.school import kiosks

    kiosks.set_pin("482913", by="jsmith")
    assert run("backup", "--db", url)[0] == 0
    status, out, _ = run("doctor", "--db", url)
    assert status == 0 and out.endswith("All is well.\n"), out
    assert "ok   The latest backup is less than an hour old" in out
    assert "jsmith is an active technician (manager)" in out
    log = tmp_path / "state" / "fitsdesk" / "fitsdesk.log"
    assert f"The log (what went wrong, in detail) is {log}" in out


def test_init_makes_the_folder_it_is_given(run, tmp_path, settings):
    settings("nosuchgroup")
    path = tmp_path / "var" / "lib" / "fitsdesk" / "fitsdesk.db"
    status, _, err = run("init", "--db", f"sqlite:///{path}")
    assert status == 0 and path.is_file(), err
    assert mode(path.parent) & 0o007 == 0


def test_doctor_says_why_the_database_will_not_open(run, tmp_path, settings):
    settings(GROUP)
    status, out, _ = run("doctor", "--db", f"sqlite:///{tmp_path / 'missing.db'}")
    assert status == 1
    assert "FIX  There is no FITS Desk database at" in out and "fitsdesk init" in out


def test_doctor_checks_the_mail_settings_this_account_can_use(run, db_url, tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(
        '[mail]\naddress = "help@school.example"\n'
        '[mail.smtp]\nhost = "smtp.school.example"\nuser = "help"\n'
        'password_file = "/no/such/file"\n'
    )
    monkeypatch.setenv("FITSDESK_CONFIG", str(path))
    assert run("init")[0] == 0
    status, out, _ = run("doctor")
    assert status == 1
    assert "FIX  SMTP: The password file /no/such/file cannot be read" in out
    assert "no [mail.imap] or [mail.maildir], so no mail is taken in" in out


@pytest.fixture
def refused(run, db):
    """A school (jsmith manages, akhan works) where akhan was refused twice."""
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    assert run("tech", "add", "akhan", "--name", "Amir Khan")[0] == 0
    rfc = changes.raise_change("Patch the firewall", kind="emergency", by="jsmith")
    for _ in range(2):
        with pytest.raises(Exception, match="does not have the manager role"):
            changes.approve_emergency(rfc.number, by="akhan")
    return run


def test_audit_lists_refusals_for_a_manager_and_marks_them_read(refused):
    assert audit.unread(by="jsmith") == 2
    for since in ("2099-01-01", "01/01/2099", "01/01/2099 09:00"):  # as schools write it too
        status, out, _ = refused("audit", "--since", since)
        assert (status, out) == (0, "Nothing has been refused since then.\n")
    assert audit.unread(by="jsmith") == 2  # what it left out is still unread
    status, out, err = refused("audit", "--json")
    assert status == 0, err
    rows = json.loads(out)
    assert [(r["who"], r["record"]) for r in rows] == [("akhan", "RFC-000001")] * 2
    assert rows[0]["action"] == "change approval: approve emergency"
    assert rows[0]["detail"] == "akhan does not have the manager role."
    assert audit.unread(by="jsmith") == 0
    status, out, _ = refused("audit")
    assert status == 0 and out.splitlines()[0].split() == ["WHEN", "WHO", "WHAT", "RECORD", "WHY"]


@pytest.mark.parametrize(
    "since",
    [
        "yesterday",
        "2026-13-01",
        "",
        "2026-12-01 25:00",
        "0001-01-01",
        "31/02/2027",
        "[bold]x[/]",
        "\x1b[2J",
    ],
)
def test_audit_refuses_a_bad_date_in_one_sentence(refused, since):
    status, _, err = refused("audit", "--since", since)
    assert status == 2 and one_sentence(err) and "\x1b" not in err
    assert "is not a day like 2026-12-01" in err


def test_audit_is_for_managers_and_asking_is_itself_kept(refused, monkeypatch):
    monkeypatch.setattr("store.db.identity.os_account", lambda: "akhan")
    status, _, err = refused("audit")
    assert status == 2 and err == "Only a manager may read the security audit trail.\n"
    assert audit.unread(by="jsmith") == 3


def test_tech_roles_is_a_managers_and_keeps_a_manager(refused, monkeypatch):
    status, out, _ = refused(
        "tech", "roles", "akhan", "--role", "technician", "--role", "committee"
    )
    assert status == 0 and "technician, committee" in out
    status, _, err = refused("tech", "roles", "jsmith", "--role", "technician")
    assert status == 2 and "jsmith is the last manager" in err
    monkeypatch.setattr("store.db.identity.os_account", lambda: "akhan")
    status, _, err = refused("tech", "roles", "akhan", "--role", "manager")
    assert status == 2 and "Only a manager may change technicians' roles" in err
    assert people.technician("akhan").roles == ("technician", "committee")


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda path: path.mkdir(), "is a folder, not a file"),
        (lambda path: path.write_bytes(b"\xff\xfe\x00bad"), "is not text (UTF-8)"),
        (lambda path: path.write_text("db_group = 5\n"), "db_group must be a group name"),
    ],
)
def test_a_config_file_that_cannot_be_used_is_one_sentence_once(
    run, tmp_path, monkeypatch, make, says
):
    path = tmp_path / "config.toml"
    make(path)
    monkeypatch.setenv("FITSDESK_CONFIG", str(path))
    status, _, err = run("init", "--db", f"sqlite:///{tmp_path / 'new.db'}")
    assert status == 2 and one_sentence(err) and says in err
    status, out, _ = run("doctor")
    assert status == 1 and out.count(says) == 1 and "Error" not in out


@pytest.mark.skipif(not ROOT, reason="only root can read past a folder it closes to others")
def test_a_config_folder_another_account_cannot_enter_is_one_sentence(tmp_path, monkeypatch):
    from tests.test_identity import as_account

    folder = tmp_path / "etc"
    folder.mkdir(mode=0o700)
    (folder / "config.toml").write_text('db = "sqlite:////nowhere/desk.db"\n')
    monkeypatch.setattr("store.db.config.SYSTEM_CONFIG", folder / "config.toml")
    nobody = pwd.getpwnam("nobody")
    status, err = as_account(nobody.pw_uid, nobody.pw_gid, ["list"], {"HOME": "/nonexistent"})
    assert status == 2 and one_sentence(err), err
    assert "cannot be read: this account may not open its folder" in err


def test_a_new_database_is_its_owners_alone_until_init_shares_it(tmp_path):
    path = tmp_path / "fresh" / "desk.db"
    database.connect(f"sqlite:///{path}")
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_doctor_says_an_upgrade_is_due_and_does_not_do_it(run, tmp_path, settings):
    settings("nosuchgroup")
    url = f"sqlite:///{tmp_path / 'old.db'}"
    assert run("init", "--db", url)[0] == 0
    handle = database.connect(url)
    handle.execute_sql("DELETE FROM schema_migration WHERE name = '0011_audit'")
    handle.execute_sql("DROP TABLE audit_entry")
    handle.execute_sql("ALTER TABLE technician DROP COLUMN audit_read_at")
    handle.close()
    status, out, _ = run("doctor", "--db", url)
    assert status == 1 and "FIX  The database needs upgrading (1 step): run fitsdesk init" in out
    handle = database.connect(url, upgrade=False)
    assert not handle.table_exists("audit_entry")  # the doctor changed nothing
    handle.close()
    assert run("init", "--db", url)[0] == 0
    assert "schema is current" in run("doctor", "--db", url)[1]
