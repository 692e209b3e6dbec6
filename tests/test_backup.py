"""`fitsdesk backup` and `fitsdesk restore`: a copy taken while several processes log
calls holds every call whose number was shown before it began, and restores to a new
place; every fault is one sentence; the folder keeps the newest copies and nothing else
is removed; a database in use is replaced only with --force, by a manager, and kept aside;
`fitsdesk doctor` says how old the newest copy is. On SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.continuity import backup_postgres, backups
from store.db import database
from store.db.errors import NotAllowed, Unavailable
from store.db.identity import Acting
from store.db.models import Incident
from store.school import audit, locations, people
from store.servicedesk import servicedesk
from store.servicedesk.servicedesk import log_number
from tests.conftest import BACKEND_URL, ON_POSTGRES, _schemas, new_db_url
from tests.test_cli import one_sentence
from tui.cli import main

SUFFIX = ".dump" if ON_POSTGRES else ".db"
BACKEND_SERVER = BACKEND_URL.split("?")[0]
WRITERS = 3


@pytest.fixture
def cli(db_url, capsys, monkeypatch):
    """`fitsdesk ARGS` as the account jsmith, on the test's database unless ARGS name one;
    (status, stdout, stderr)."""
    monkeypatch.setattr("store.db.identity.os_account", lambda: "jsmith")

    def invoke(*args, who: str = "jsmith"):
        monkeypatch.setattr("store.db.identity.os_account", lambda: who)
        status = main([*args] if "--db" in args else [*args, "--db", db_url])
        out, err = capsys.readouterr()
        return status, out, err

    return invoke


@pytest.fixture
def school(db_url):
    """The test's database with jsmith its manager, akhan a technician, and three calls."""
    database.connect(db_url)
    people.add_technician("jsmith", "Jo Smith", roles=["technician", "manager"], by="jsmith")
    people.add_technician("akhan", "Amir Khan", by="jsmith")
    locations.add_location("LIB", "Library", by="jsmith")
    for n in range(3):
        log(f"Printer jam {n}")
    database.db.close()
    return db_url


def log(summary: str, by: str = "jsmith") -> str:
    call = servicedesk.log_call(
        summary=summary,
        requester="Sam Patel",
        role="staff",
        location="LIB",
        category="printer",
        channel="phone",
        by=by,
    )
    return call.number


def new_place(tmp_path: Path) -> str:
    """A database URL where nothing is yet: a file in a new folder, or a new schema."""
    if ON_POSTGRES:
        return new_db_url(tmp_path)
    return f"sqlite:///{tmp_path / 'drill' / 'restored.db'}"


def numbers(url: str) -> set[str]:
    database.connect(url, create=False, upgrade=False)
    try:
        return {log_number(row.id) for row in Incident.select(Incident.id)}
    finally:
        database.db.close()


def take(url: str, **options) -> backups.Copy:
    database.connect(url, create=False, upgrade=False)
    try:
        return backups.take(by="jsmith", **options)
    finally:
        database.db.close()


def set_aside(where: str | None) -> None:
    """A schema a restore kept aside is this run's to drop at its end."""
    if ON_POSTGRES and where:
        _schemas.append(where.removeprefix("schema "))


# -- the copy holds every call shown before it began --------------------------------------


def keep_logging(url: str, worker: int, start, stop, shown) -> None:
    """A kiosk logging calls until told to stop; each number shown goes to `shown` with
    the moment it was shown (the monotonic clock is the machine's, for every process)."""
    from store.db import database
    from store.servicedesk import servicedesk

    database.connect(url)
    start.wait()
    try:
        while not stop.is_set():
            call = servicedesk.log_call(
                summary=f"Fault from kiosk {worker}",
                requester=f"Pupil {worker}",
                role="pupil",
                location="LIB",
                category="printer",
                channel="kiosk",
                by=f"kiosk:{worker}",
            )
            shown.put((call.number, time.monotonic()))
    finally:
        shown.put(None)


def while_logging(url: str, copy_it) -> tuple[list[tuple[str, float]], float, object]:
    """Run `copy_it()` while WRITERS processes log calls; return every number shown with
    the moment it was shown, the moment `copy_it` began, and what it returned."""
    database.connect(url)
    people.add_technician("jsmith", "Jo Smith", roles=["technician", "manager"], by="jsmith")
    locations.add_location("LIB", "Library", by="jsmith")
    database.db.close()
    context = multiprocessing.get_context("spawn")
    start, stop, shown = context.Event(), context.Event(), context.Queue()
    writers = [
        context.Process(target=keep_logging, args=(url, w, start, stop, shown))
        for w in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    got: list[tuple[str, float]] = []
    try:
        start.set()
        while len(got) < 150:
            got.append(shown.get(timeout=120))
        began = time.monotonic()
        result = copy_it()
        after = len(got) + 150
        while len(got) < after:  # the writers were still at it as the copy was taken
            got.append(shown.get(timeout=120))
    finally:
        stop.set()
        finished = 0
        while finished < WRITERS:
            item = shown.get(timeout=120)
            if item is None:
                finished += 1
            else:
                got.append(item)
        for writer in writers:
            writer.join(timeout=60)
    assert all(writer.exitcode == 0 for writer in writers)
    return got, began, result


def shown_before(got: list[tuple[str, float]], began: float) -> set[str]:
    return {number for number, moment in got if moment < began}


@pytest.mark.slow
def test_every_call_shown_before_the_backup_began_is_in_its_restored_copy(db_url, tmp_path):
    def copy_it():
        database.connect(db_url, create=False, upgrade=False)
        try:
            return backups.take(by="jsmith")
        finally:
            database.db.close()

    got, began, made = while_logging(db_url, copy_it)
    shown = shown_before(got, began)
    assert len(shown) >= 150
    drill = new_place(tmp_path)
    done = backups.restore(made.path, url=drill, by="jsmith")
    restored = numbers(drill)
    assert shown <= restored, sorted(shown - restored)[:10]
    assert len(restored) == made.calls == done.calls
    assert restored < numbers(db_url)  # calls went on being logged while it was copied


@pytest.mark.slow
def test_the_same_check_catches_a_naive_copy_of_the_live_file(tmp_path):
    """What the test above guards against: `cp desk.db` while kiosks write can leave out
    calls still in the -wal file, and such a copy passes SQLite's integrity check; one
    taken while a checkpoint writes the file can even be damaged. (A checkpoint just
    before the cp can make one whole, so five are taken.)"""
    live = tmp_path / "live" / "desk.db"
    live.parent.mkdir()

    def copy_five_times() -> list[tuple[float, Path]]:
        made = []
        for n in range(5):
            began = time.monotonic()
            shutil.copyfile(live, tmp_path / f"naive-{n}.db")
            made.append((began, tmp_path / f"naive-{n}.db"))
            time.sleep(0.15)
        return made

    got, _, made = while_logging(f"sqlite:///{live}", copy_five_times)
    lost = []
    for began, naive in made:
        conn = sqlite3.connect(naive)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                lost.append("damaged")  # torn by a checkpoint mid-copy: worse still
                continue
            copied = {log_number(row[0]) for row in conn.execute("SELECT id FROM incident")}
        except sqlite3.DatabaseError:
            lost.append("damaged")
            continue
        finally:
            conn.close()
        lost.append(len(shown_before(got, began) - copied))
    assert any(lost), f"each naive copy happened to catch every call shown: {lost}"


# -- taking a copy ------------------------------------------------------------------------


def test_backup_names_the_copy_with_the_time_in_the_backup_folder_and_checks_it(
    cli, school, tmp_path
):
    status, out, err = cli("backup")
    assert status == 0, err
    where = backups.folder(school)
    made = sorted(where.iterdir())
    assert len(made) == 1 and made[0].suffix == SUFFIX
    assert backups._taken(made[0]) is not None  # fitsdesk-2026-12-06T1830.db
    assert f"to {made[0]} (" in out and "3 calls" in out and "checked" in out
    assert made[0].stat().st_mode & 0o037 == 0  # the group may read it, nobody else
    if not ON_POSTGRES:
        assert where == tmp_path / "backups"  # beside the database, in its group's folder
        assert not list(tmp_path.glob(".fitsdesk-*"))


def test_backup_into_a_file_or_folder_named_and_never_over_a_file(cli, school, tmp_path):
    target = tmp_path / "elsewhere" / "before-upgrade.bak"
    target.parent.mkdir()
    status, out, _ = cli("backup", str(target))
    assert status == 0 and target.is_file() and str(target) in out
    status, _, err = cli("backup", str(target))
    assert status == 2 and one_sentence(err) and "already there" in err
    status, _, _ = cli("backup", str(target.parent))
    assert status == 0
    assert len([p for p in target.parent.iterdir() if backups._taken(p)]) == 1
    status, _, err = cli("backup", str(tmp_path / "missing" / "x.db"))
    assert status == 1 and one_sentence(err) and "no folder" in err


def test_the_progress_is_told_as_the_copy_is_made(school):
    seen = []
    take(school, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0


def test_keep_leaves_the_newest_copies_and_never_removes_other_files(school, tmp_path, monkeypatch):
    folder = tmp_path / "kept"
    folder.mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'[backup]\nfolder = "{folder}"\nkeep = 3\n')
    monkeypatch.setenv("FITSDESK_CONFIG", str(config))
    from store.db import config as settings

    settings.use(None)
    others = {
        "notes.txt": b"not a copy",
        f"fitsdesk-2020-01-01T0000{SUFFIX}": b"named like one, but it is not",
        f"fitsdesk-mine{SUFFIX}": b"mine",
        "fitsdesk-2020-01-01T0000.db.keep": b"kept by hand",
    }
    for name, content in others.items():
        (folder / name).write_bytes(content)
    (folder / "old-copies").mkdir()
    start = dt.datetime(2026, 12, 6, 18, 30)
    removed = []
    for day in range(5):
        made = take(school, now=start + dt.timedelta(days=day))
        removed += made.removed
    ours = sorted(p.name for p in folder.iterdir() if p.name not in others)
    assert ours == sorted(
        ["old-copies"] + [f"fitsdesk-2026-12-{d:02d}T1830{SUFFIX}" for d in (8, 9, 10)]
    )
    assert sorted(p.name for p in removed) == [
        f"fitsdesk-2026-12-{d:02d}T1830{SUFFIX}" for d in (6, 7)
    ]
    for name, content in others.items():
        assert (folder / name).read_bytes() == content
    twice = take(school, now=start + dt.timedelta(days=4))  # the same minute again
    assert twice.path.name == f"fitsdesk-2026-12-10T1830-2{SUFFIX}"


def test_a_deactivated_technician_may_not_take_a_copy_and_the_try_is_kept(cli, school):
    database.connect(school)
    people.deactivate_technician("akhan", by="jsmith")
    database.db.close()
    status, out, err = cli("backup", who="akhan")
    assert status == 2 and out == "" and one_sentence(err) and "deactivated" in err
    database.connect(school)
    assert [e.action for e in audit.entries(by="jsmith")] == ["take a backup"]
    database.db.close()
    assert not backups.folder(school).exists() or not list(backups.folder(school).iterdir())


def test_no_room_for_the_copy_is_one_sentence_and_leaves_nothing(
    cli, school, tmp_path, monkeypatch
):
    if ON_POSTGRES:  # a pg_dump that finds the disk full, as the real one says it
        monkeypatch.setattr(backup_postgres, "BIN_GLOB", "/nonexistent")
        fake = fake_tool(
            tmp_path, "pg_dump", version=real_major(school),
            fails="pg_dump: error: could not write to file: No space left on device",
        )  # fmt: skip
        monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    else:
        monkeypatch.setattr(shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(1, 1, 0))
    status, out, err = cli("backup")
    assert status == 1 and out == "" and one_sentence(err) and "room" in err
    assert list(backups.folder(school).iterdir()) == []


def test_a_folder_it_cannot_write_or_a_role_that_cannot_read_is_one_sentence(
    cli, school, tmp_path, monkeypatch
):
    blocked = tmp_path / "a-file"
    blocked.write_text("where the folder should be")
    config = tmp_path / "config.toml"
    config.write_text(f'[backup]\nfolder = "{blocked / "backups"}"\n')
    monkeypatch.setenv("FITSDESK_CONFIG", str(config))
    from store.db import config as settings

    settings.use(None)
    status, out, err = cli("backup")
    assert status == 1 and out == "" and one_sentence(err) and "cannot be made" in err
    if not ON_POSTGRES:
        return
    import psycopg

    role = f"fd_reader_{os.getpid()}"
    schema = school.rsplit("schema=", 1)[1]
    with psycopg.connect(BACKEND_SERVER, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        try:
            conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}')
            conn.execute(f'GRANT SELECT ON "{schema}".technician, "{schema}".incident TO {role}')
            reader = school.replace("://postgres@", f"://{role}@")
            status, out, err = cli("backup", str(tmp_path), "--db", reader)
            assert status == 1 and out == "" and one_sentence(err), err
            assert f"Role {role} may not use FITS Desk's tables" in err
            assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
        finally:
            conn.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}')
            conn.execute(f'REVOKE ALL ON SCHEMA "{schema}" FROM {role}')
            conn.execute(f"DROP ROLE {role}")


# -- the PostgreSQL client tools ----------------------------------------------------------


def fake_tool(folder: Path, name: str, *, version: int, fails: str = "") -> Path:
    """A folder holding a stand-in for a PostgreSQL client tool of that version."""
    folder = folder / f"fake-{name}-{version}"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    fail = f"echo '{fails}' >&2; exit 1" if fails else "exit 0"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = --version ]; then echo "{name} (PostgreSQL) {version}.3"; exit 0; fi\n'
        f"{fail}\n"
    )
    script.chmod(0o755)
    return folder


def real_major(url: str) -> int:
    handle = database.connect(url, create=False, upgrade=False)
    try:
        return backup_postgres.server_major(handle.connection())
    finally:
        handle.close()


def test_without_pg_dump_or_with_an_older_one_it_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(backup_postgres, "BIN_GLOB", str(tmp_path / "none" / "*"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(Unavailable) as missing:
        backup_postgres.tools(15)
    assert "pg_dump is not installed here" in str(missing.value)
    assert "postgresql-client-15" in str(missing.value)
    monkeypatch.setenv("PATH", str(fake_tool(tmp_path, "pg_dump", version=13)))
    with pytest.raises(Unavailable) as older:
        backup_postgres.tools(15)
    assert str(older.value) == (
        "pg_dump here is version 13, older than the database server's 15, so it cannot "
        "copy it: install postgresql-client-15 (or newer)."
    )


def test_the_real_tools_are_found_on_path_or_in_the_usual_place(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    found = backup_postgres.tools(15)  # /usr/lib/postgresql/*/bin, as Debian installs them
    assert Path(found.pg_dump).name == "pg_dump" and Path(found.psql).name == "psql"


# -- restoring ----------------------------------------------------------------------------


def test_the_restore_drill_to_a_new_place_holds_the_same_calls(cli, school, tmp_path):
    made = take(school)
    drill = new_place(tmp_path)
    status, out, err = cli("restore", str(made.path), "--db", drill)
    assert status == 0, err
    assert "Restored 3 calls" in out and database.describe(drill) in out and err == ""
    assert numbers(drill) == numbers(school) == {"INC-000001", "INC-000002", "INC-000003"}
    status, out, _ = cli("list", "--db", drill)
    assert status == 0 and "Printer jam 2" in out
    if not ON_POSTGRES:
        assert Path(drill.removeprefix("sqlite:///")).stat().st_mode & 0o777 == 0o600


def test_a_copy_restores_into_a_database_not_there_yet(cli, school, tmp_path):
    made = take(school)
    if ON_POSTGRES:
        name = f"fitsdesk_drill_{os.getpid()}"
        drill = school.split("?")[0].rsplit("/", 1)[0] + f"/{name}?schema=desk"
    else:
        drill = f"sqlite:///{tmp_path / 'a' / 'b' / 'new.db'}"
    cut = tmp_path / f"cut{SUFFIX}"
    cut.write_bytes(made.path.read_bytes()[: made.size // 2])
    try:
        status, _, err = cli("restore", str(cut), "--db", drill)
        assert status == 2 and "cut short" in err
        assert not there(drill)  # the copy is checked before anything is made
        status, out, err = cli("restore", str(made.path), "--db", drill)
        assert status == 0, err
        assert numbers(drill) == numbers(school)
        if ON_POSTGRES:
            assert "(a new database)" in out
    finally:
        if ON_POSTGRES:
            import psycopg

            with psycopg.connect(school.split("?")[0], autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_replacing_keeps_the_old_database_aside_and_only_a_manager_may(cli, school, tmp_path):
    made = take(school)
    database.connect(school)
    later = log("Logged after the copy")
    database.db.close()
    status, out, err = cli("restore", str(made.path), who="akhan")
    assert status == 2 and out == "" and one_sentence(err)
    assert "Only a manager may replace the database with a backup" in err
    database.connect(school)
    assert [e.who for e in audit.entries(by="jsmith")] == ["akhan"]
    database.db.close()

    status, out, err = cli("restore", str(made.path))
    assert status == 0, err
    aside = out.split("kept as ", 1)[1].strip().rstrip(".")
    set_aside(aside)
    assert later not in numbers(school) and len(numbers(school)) == 3
    if ON_POSTGRES:
        schema = aside.removeprefix("schema ")
        kept = school.rsplit("schema=", 1)[0] + f"schema={schema}"
    else:
        kept = f"sqlite:///{aside}"
        assert Path(aside).name.startswith("desk-replaced-")
    assert later in numbers(kept)  # nothing was destroyed


def test_the_account_that_owns_the_database_may_replace_it_without_being_a_manager(school):
    made = take(school)
    handle = database.connect(school, create=False, upgrade=False)
    if ON_POSTGRES:  # the role the tests log in as owns the tables it made
        owner = handle.execute_sql("SELECT current_user").fetchone()[0]
    else:
        owner = pwd.getpwuid(Path(handle.database).stat().st_uid).pw_name
    handle.close()
    with pytest.raises(NotAllowed):
        backups.restore(made.path, url=school, by="akhan")
    with pytest.raises(NotAllowed):  # working as someone else is a manager's, at best
        backups.restore(made.path, url=school, by=Acting(owner, "akhan"))
    done = backups.restore(made.path, url=school, by=owner)
    set_aside(done.aside)
    assert done.aside and done.calls == 3


def test_a_database_in_use_is_replaced_only_with_force(cli, school, tmp_path):
    made = take(school)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from store.db import database; from store.school import people\n"
            f"database.connect({school!r}); people.list_technicians()\n"
            "print('open', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "FITSDESK_CONFIG": "/dev/null"},
    )
    try:
        assert holder.stdout.readline() == "open\n"
        status, out, err = cli("restore", str(made.path))
        assert status == 2 and out == "" and one_sentence(err)
        assert "in use" in err or "open in another program" in err
        assert "--force" in err
        status, out, err = cli("restore", str(made.path), "--force")
        assert status == 0, err
        set_aside(out.split("kept as ", 1)[1].strip().rstrip("."))
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert len(numbers(school)) == 3


def test_a_restore_that_fails_part_way_changes_nothing(cli, school, tmp_path, monkeypatch):
    made = take(school)
    database.connect(school)
    later = log("Logged after the copy")
    database.db.close()
    if ON_POSTGRES:
        real = backup_postgres._statements

        def cut(*args, **kwargs):
            for n, chunk in enumerate(real(*args, **kwargs)):
                if n == 300:
                    raise Unavailable("The line to the server went down.")
                yield chunk

        monkeypatch.setattr(backup_postgres, "_statements", cut)
    else:

        def cut(*args, **kwargs):
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr("store.continuity.backup_sqlite.check", cut)
    status, out, err = cli("restore", str(made.path))
    assert status == 1 and out == "" and one_sentence(err)
    assert later in numbers(school) and len(numbers(school)) == 4
    if ON_POSTGRES:
        schema = school.rsplit("schema=", 1)[1]
        database.connect(school)
        asides = database.db.obj.execute_sql(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE %s", (f"{schema}_before%",)
        ).fetchone()[0]
        database.db.close()
        assert asides == 0
    else:
        assert not [p for p in tmp_path.iterdir() if p.name.startswith((".desk", "desk-"))]


# -- every fault is one sentence ----------------------------------------------------------


def copy_of_something_else(tmp_path: Path, school: str) -> Path:
    """A backup of a database that is not FITS Desk's, in the backend's own format."""
    if not ON_POSTGRES:
        path = tmp_path / "recipes.db"
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE recipe (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO recipe (name) VALUES ('soup')")
        conn.commit()
        conn.close()
        return path
    import psycopg

    schema = f"{school.rsplit('schema=', 1)[1]}_recipes"
    _schemas.append(schema)
    with psycopg.connect(school.split("?")[0], autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE TABLE "{schema}".recipe (id SERIAL PRIMARY KEY, name TEXT)')
        major = conn.info.server_version // 10000
    path = tmp_path / "recipes.dump"
    tools = backup_postgres.tools(major)
    subprocess.run(
        [tools.pg_dump, "-Fc", "-n", schema, "-f", str(path), school.split("?")[0]], check=True
    )
    return path


def damaged(path: Path, tmp_path: Path) -> Path:
    broken = tmp_path / f"damaged{path.suffix}"
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 if ON_POSTGRES else 4096
    data[middle : middle + 16384] = b"\xff" * len(data[middle : middle + 16384])
    broken.write_bytes(bytes(data))
    return broken


FAULTS = {
    "missing": (1, "There is no backup file"),
    "a folder": (2, "is a folder, not a backup file"),
    "empty": (2, "is empty: it is not a backup"),
    "not a database": (2, "is not a FITS Desk backup"),
    "cut short": (2, "cut short"),
    "damaged": (2, "damaged"),
    "something else": (2, "not a FITS Desk"),
    "newer version": (2, "comes from a newer FITS Desk (it has run 9999_from_the_future)"),
    "the other kind": (2, "is a copy of a"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_fault_in_the_copy_is_one_sentence_and_nothing_is_touched(
    cli, school, tmp_path, fault
):
    if fault == "newer version":
        database.connect(school)
        database.db.obj.execute_sql(
            "INSERT INTO schema_migration (name, applied) VALUES ('9999_from_the_future', "
            "CURRENT_TIMESTAMP)"
        )
        database.db.close()
    made = take(school)
    text = tmp_path / "minutes.txt"
    text.write_text("Minutes of the IT meeting\n")
    (tmp_path / "empty.db").write_bytes(b"")
    cut = tmp_path / f"cut{SUFFIX}"
    cut.write_bytes(made.path.read_bytes()[: made.size // 2])
    given = {
        "missing": tmp_path / "nowhere.db",
        "a folder": tmp_path,
        "empty": tmp_path / "empty.db",
        "not a database": text,
        "cut short": cut,
        "damaged": damaged(made.path, tmp_path),
        "something else": copy_of_something_else(tmp_path, school),
        "newer version": made.path,
        "the other kind": made.path,
    }[fault]
    drill = new_place(tmp_path)
    if fault == "the other kind":
        drill = (
            f"sqlite:///{tmp_path / 'x.db'}"
            if ON_POSTGRES
            else "postgresql://nobody@127.0.0.1/fitsdesk"
        )
    before = numbers(school)
    status, out, err = cli("restore", str(given), "--db", drill)
    code, words = FAULTS[fault]
    assert (status, out) == (code, "") and one_sentence(err), err
    assert words in err
    if fault != "the other kind":  # over the database in use: refused just the same
        status, _, err = cli("restore", str(given))
        assert status == code and words in err
    assert numbers(school) == before
    assert fault == "the other kind" or not there(drill)


def there(url: str) -> bool:
    """Whether anything is at the place a URL names: a file or folder, a database, a schema."""
    if not url.startswith("postgresql"):
        return Path(url.removeprefix("sqlite:///")).parent.exists()
    import psycopg

    name = url.split("?")[0].rsplit("/", 1)[1]
    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(BACKEND_SERVER, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        return found.fetchone() is not None


def test_restore_will_not_replace_a_database_that_is_not_fitsdesks(cli, school, tmp_path):
    made = take(school)
    if ON_POSTGRES:
        other = copy_of_something_else(tmp_path, school)
        assert other.exists()
        target = school.rsplit("schema=", 1)[0] + f"schema={school.rsplit('schema=', 1)[1]}"
        target += "_recipes"
    else:
        recipes = copy_of_something_else(tmp_path, school)
        target = f"sqlite:///{recipes}"
        before = recipes.read_bytes()
    status, out, err = cli("restore", str(made.path), "--db", target, "--force")
    assert status == 2 and out == "" and one_sentence(err) and "will not replace" in err
    if not ON_POSTGRES:
        assert recipes.read_bytes() == before


def test_no_room_for_a_restore_is_one_sentence(cli, school, tmp_path, monkeypatch):
    made = take(school)
    drill = new_place(tmp_path)
    if ON_POSTGRES:  # the server's disk, which no test fills: what psql would say
        said = 'psql:<stdin>:80: ERROR:  could not extend file "base/1/2": No space left on device'
        error = backup_postgres._restore_failed(said, database.build(drill))
        assert "ran out of disk space" in str(error) and "nothing was changed" in str(error)
        return
    monkeypatch.setattr(shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(1, 1, 0))
    status, out, err = cli("restore", str(made.path), "--db", drill)
    assert status == 1 and out == "" and one_sentence(err) and "no room" in err


# -- fitsdesk doctor ----------------------------------------------------------------------


def backup_line(out: str) -> str:
    lines = [line for line in out.splitlines() if "backup" in line.lower()]
    assert len(lines) == 1, out
    return lines[0]


def test_doctor_says_how_old_the_latest_backup_is(cli, school):
    line = backup_line(cli("doctor")[1])
    assert line.startswith("FIX  There is no backup in") and "fitsdesk backup" in line
    made = take(school)
    line = backup_line(cli("doctor")[1])
    assert line == f"ok   The latest backup is less than an hour old: {made.path}."
    three_days = dt.datetime.now() - dt.timedelta(days=3)
    old = made.path.with_name(f"fitsdesk-{three_days:%Y-%m-%dT%H%M}{SUFFIX}")
    made.path.rename(old)
    line = backup_line(cli("doctor")[1])
    assert line.startswith(f"FIX  The latest backup, {old}, is 3 days old")
    assert "fitsdesk backup" in line


# -- bad input ----------------------------------------------------------------------------

BAD_FILES = ["", " ", "a\x1bb.db", "a\nb.db", "a\x00b.db", "x" * 5000, "d/" + "y" * 300]


@pytest.mark.parametrize("bad", BAD_FILES, ids=repr)
@pytest.mark.parametrize("command", ["backup", "restore"])
def test_bad_file_names_are_one_sentence(cli, school, bad, command):
    status, out, err = cli(command, bad)
    assert status in (1, 2) and out == "" and one_sentence(err), err
    assert "\x1b" not in err and "\x00" not in err


@pytest.mark.parametrize("bad", ["", "sqlite://host/x.db", "postgresql:///x?bogus=1", "mysql://x"])
def test_a_bad_database_url_is_one_sentence(cli, school, bad):
    made = take(school)
    for args in (("backup", "--db", bad), ("restore", str(made.path), "--db", bad)):
        status, out, err = cli(*args)
        assert status in (1, 2) and out == "" and one_sentence(err), (args, err)


def test_rich_markup_in_a_file_name_is_only_text(cli, school, tmp_path):
    name = tmp_path / "[bold red]copy.bak"  # a tag Rich would swallow, if it read it
    status, out, err = cli("backup", str(name))
    assert status == 0 and name.is_file() and str(name) in out, err
    drill = new_place(tmp_path)
    status, out, err = cli("restore", str(name), "--db", drill)
    assert status == 0, err
    status, _, err = cli("restore", str(tmp_path / "[link=x]gone[/link].db"))
    assert status == 1 and "[link=x]gone[/link].db" in err and one_sentence(err)


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ('folder = "backups"', "backup.folder must be a full path"),
        ("folder = 3", "backup.folder must be a full path"),
        ("keep = 0", "backup.keep must be a whole number from 1 to 1000"),
        ('keep = "all"', "backup.keep must be a whole number"),
        ("kept = 3", "did you mean 'backup.keep'"),
    ],
)
def test_a_bad_backup_setting_is_one_sentence(cli, school, tmp_path, monkeypatch, setting, words):
    config = tmp_path / "config.toml"
    config.write_text(f"[backup]\n{setting}\n")
    monkeypatch.setenv("FITSDESK_CONFIG", str(config))
    from store.db import config as settings

    settings.use(None)  # read again, as a new process would
    status, out, err = cli("backup")
    assert status == 2 and out == "" and one_sentence(err) and words in err


def test_who_may_is_checked_by_the_store_not_the_command_line(school, tmp_path):
    made = take(school)
    with pytest.raises(NotAllowed):
        backups.restore(made.path, url=school, by="akhan")
    drill = new_place(tmp_path)
    assert backups.restore(made.path, url=drill, by="nobody-at-all").calls == 3
    with pytest.raises(NotAllowed):
        backups.restore(made.path, url=drill, by="nobody-at-all")  # now it has managers


def test_init_still_takes_the_folder_as_the_databases_own_after_backups(tmp_path):
    from store.db import files as db_files

    path = tmp_path / "fitsdesk.db"
    path.write_bytes(b"")
    (tmp_path / "backups").mkdir()
    (tmp_path / "fitsdesk-replaced-2026-12-06T1900.db").write_bytes(b"")
    (tmp_path / "fitsdesk-replaced-2026-12-06T1900.db-wal").write_bytes(b"")
    assert db_files._dedicated(tmp_path, path)  # so init gives it to the group (2770)
    (tmp_path / "timetable.pdf").write_text("the school's, not ours")
    assert not db_files._dedicated(tmp_path, path)
