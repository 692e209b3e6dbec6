"""Every storage fault is one plain sentence that names the cause and the database and
says nothing was saved, with the details in the log file (store/db/faults.py): a real
full disk (a small tmpfs, a PostgreSQL tablespace on one), a lock held elsewhere, a
statement that runs too long, a read-only file, URLs that cannot be read; and the kiosk
tells a pupil none of it."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import peewee
import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.db import config, database, logs
from store.db import faults as db_faults
from store.db.errors import FitsDeskError, Unavailable
from store.school import people
from store.servicedesk import servicedesk
from tests.conftest import BACKEND_URL, ON_POSTGRES
from tests.test_cli import one_sentence

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="mounting a small filesystem needs root")


@pytest.fixture
def small_disk():
    """A real filesystem of 3 MB, unmounted at the end; in a folder the PostgreSQL server's
    own account can reach too (pytest's folders are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="fitsdesk-small-"))
    folder.chmod(0o755)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)], check=True)
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)
    folder.rmdir()


def fill_until_full(log_one) -> tuple[int, Unavailable]:
    """Log calls until the disk refuses one; how many went in, and what was said."""
    for made in range(100_000):
        try:
            log_one(made)
        except Unavailable as refused:
            return made, refused
    raise AssertionError("the disk never filled")


@needs_root
def test_a_full_disk_is_said_plainly_and_loses_nothing_already_saved(small_disk):
    url = f"sqlite:///{small_disk / 'desk.db'}"
    database.connect(url)
    people.add_technician("jsmith", "Jo Smith", roles=["manager"], by="jsmith")
    long = "The printer jams on every page. " * 60
    made, refused = fill_until_full(
        lambda n: servicedesk.log_call(
            summary=f"Jam {n}", description=long, requester="Sam", by="jsmith"
        )
    )
    said = str(refused)
    assert said.startswith(f"The disk that holds the database ({url}) is full, so nothing was")
    assert "rollback" not in said and "no transaction" not in said
    assert made > 10
    found = {c.summary for c in servicedesk.find_calls(status="all")}
    assert found == {f"Jam {n}" for n in range(made)}  # every call shown before is there
    assert database.db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)


@needs_root
def test_the_command_line_says_a_full_disk_in_one_sentence_and_where_the_details_are(
    small_disk, tmp_path, monkeypatch, capsys
):
    from tui.cli import main

    monkeypatch.setattr("store.db.identity.os_account", lambda: "jsmith")
    url = f"sqlite:///{small_disk / 'desk.db'}"
    assert main(["init", "--db", url]) == 0
    assert main(["tech", "add", "jsmith", "--name", "Jo Smith", "--db", url]) == 0
    filler = small_disk / "filler"
    with open(filler, "wb", buffering=0) as out:  # the rest of the disk, taken by something else
        try:
            while True:
                out.write(b"x" * 4096)
                out.flush()
        except OSError:
            pass
    capsys.readouterr()
    status = main(["log", "--summary", "No sound", "--requester", "Sam", "--db", url])
    err = capsys.readouterr().err
    assert status == 1 and one_sentence(err), err
    log = logs.file()
    assert f"is full, so nothing was saved (details: {log})." in err
    assert log.is_file() and "Traceback" in log.read_text()  # the details went to the log


@needs_root
async def test_the_kiosk_tells_a_pupil_nothing_technical_and_keeps_the_report(small_disk):
    from kiosk.app import CANT_SAVE, KioskApp
    from store.school import kiosks, locations
    from tests.kiosk_helpers import press_button, settle, text_of, walk_to_review

    url = f"sqlite:///{small_disk / 'desk.db'}"
    database.connect(url)
    people.add_technician("jsmith", "Jo Smith", roles=["manager"], by="jsmith")
    locations.add_location("LIB", "Library", by="jsmith")
    kiosks.add_kiosk("library", "LIB", by="jsmith")
    kiosks.set_pin("482913", by="jsmith")
    app = KioskApp(db_url=url, kiosk="library")
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_review(pilot, summary="The board is blank", name="Sam Lee")
        filler = small_disk / "filler"
        with open(filler, "wb", buffering=0) as out:  # the disk fills as the pupil sends
            try:
                while True:
                    out.write(b"x" * 4096)
                    out.flush()
            except OSError:
                pass
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(pilot, "#send-problem") == CANT_SAVE  # no path, URL or error text
        assert "The board is blank" in text_of(pilot, "#review")  # kept, to send again
        filler.unlink()
        await press_button(pilot, "#send")  # Enter within 0.2 s of the last is one press
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "ReceiptScreen", text_of(pilot, "#send-problem")


def statements_around_the_commit(monkeypatch, work) -> list[str]:
    """The SQL `work` sends, in order, with "COMMIT" where peewee commits: instrumenting
    peewee's own Database, the store runs as it is."""
    seen: list[str] = []
    kind = type(database.db.obj)
    sent, committed = kind.execute_sql, kind.commit

    def execute_sql(self, sql, params=None, *args, **kwargs):
        seen.append(sql.split()[0].upper())
        return sent(self, sql, params, *args, **kwargs)

    def commit(self):
        seen.append("COMMIT")
        return committed(self)

    monkeypatch.setattr(kind, "execute_sql", execute_sql)
    monkeypatch.setattr(kind, "commit", commit)
    work()
    monkeypatch.undo()
    return seen


def test_a_caller_is_answered_from_inside_the_transaction_that_saved_the_call(school, monkeypatch):
    """Nothing is read after the commit: a connection lost then could only make a saved
    call look unsaved ("nothing was saved"), and the pupil would report it twice."""
    from store.servicedesk import callers

    logged = []
    said = statements_around_the_commit(
        monkeypatch,
        lambda: logged.append(
            servicedesk.log_call(
                summary="Printer",
                requester="Sam",
                channel="kiosk",
                kiosk="library",
                by="kiosk:library",
            )
        ),
    )
    assert "COMMIT" in said and "INSERT" in said
    assert said[-1] == "COMMIT", said
    from store.servicedesk import incidents

    for answer in (servicedesk.not_fixed, servicedesk.confirm_fixed):
        incidents.resolve(logged[0].number, kind="fix", text="New drum", by="jsmith")
        said = statements_around_the_commit(monkeypatch, lambda a=answer: a(logged[0].scan))
        assert said[-1] == "COMMIT", (answer.__name__, said)
    said = statements_around_the_commit(
        monkeypatch,
        lambda: callers.report_from_kiosk(
            kiosk="library", summary="Laptop", requester="Ann", asset="LAP-0042"
        ),
    )
    assert said[-1] == "COMMIT", said


def test_a_read_only_database_is_said_with_its_name(db):
    said = str(
        db_faults.unavailable(
            peewee.OperationalError("attempt to write a readonly database"), "sqlite:////srv/d.db"
        )
    )
    assert said.startswith("The database (sqlite:////srv/d.db) is read-only, so nothing was saved")


def test_a_failed_rollback_is_looked_past_for_the_fault_that_caused_it():
    try:
        try:
            raise peewee.OperationalError("database or disk is full")
        except peewee.OperationalError:
            raise peewee.OperationalError("cannot rollback - no transaction is active") from None
    except peewee.OperationalError as exc:
        exc.__context__ = peewee.OperationalError("database or disk is full")
        said = str(db_faults.unavailable(exc, "sqlite:////srv/desk.db"))
    assert "is full, so nothing was saved" in said


def test_a_password_in_the_url_is_never_shown():
    said = str(db_faults.unavailable(Exception("connection refused"), "postgresql://u:s3cret@h/x"))
    assert "s3cret" not in said and "postgresql://u:***@h/x" in said


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's lock_timeout")
def test_a_write_blocked_by_a_lock_gives_up_within_the_lock_timeout(school, db_url):
    import psycopg

    config.use(config.Config(lock_timeout_seconds=1))
    call = servicedesk.log_call(summary="Jam", requester="Sam", by="jsmith")
    database.connect(db_url, create=False)  # the settings take effect on connecting
    schema = db_url.split("schema=")[1]
    with psycopg.connect(BACKEND_URL.split("?")[0]) as holder:  # a stuck transaction
        holder.execute(f'SET search_path = "{schema}"')
        holder.execute("SELECT 1 FROM incident WHERE id = %s FOR UPDATE", (call.id,))
        started = time.monotonic()
        with pytest.raises(Unavailable, match="is busy, so nothing was saved: try again"):
            from store.servicedesk import incidents

            incidents.add_note(call.number, "Ordered a part", public=False, by="jsmith")
        waited = time.monotonic() - started
        holder.rollback()
    assert waited < 5, waited  # not the 29 s and more it used to hang
    config.use(None)


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's statement_timeout")
def test_a_statement_that_runs_too_long_is_stopped(db, db_url):
    config.use(config.Config(statement_timeout_seconds=1))
    database.connect(db_url, create=False)
    started = time.monotonic()
    too_long = pytest.raises(Unavailable, match="took too long to answer, so nothing was saved")
    with too_long, database.read():
        database.db.execute_sql("SELECT pg_sleep(5)")
    assert time.monotonic() - started < 4
    config.use(None)


def test_a_sqlite_write_blocked_by_another_gives_up_within_the_busy_timeout(
    school, db_url, monkeypatch
):
    if ON_POSTGRES:
        pytest.skip("SQLite's busy timeout; PostgreSQL's lock timeout is above")
    import sqlite3

    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 1)
    database.connect(db_url, create=False)
    holder = sqlite3.connect(database.sqlite_path(), timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    try:
        with pytest.raises(Unavailable, match="is busy, so nothing was saved: try again"):
            servicedesk.log_call(summary="Jam", requester="Sam", by="jsmith")
    finally:
        holder.rollback()
        holder.close()
    assert time.monotonic() - started < 5


@needs_root
@pytest.mark.skipif(not ON_POSTGRES, reason="a PostgreSQL tablespace on a small filesystem")
def test_a_full_disk_on_postgresql_is_said_plainly(school, db_url, small_disk):
    import psycopg

    subprocess.run(["chown", "postgres:postgres", str(small_disk)], check=True)
    space = f"fitsdesk_full_{os.getpid()}"
    schema = db_url.split("schema=")[1]
    admin = psycopg.connect(BACKEND_URL.split("?")[0], autocommit=True)
    try:
        admin.execute(f"CREATE TABLESPACE {space} LOCATION '{small_disk}'")
        admin.execute(f'ALTER TABLE "{schema}".incident SET TABLESPACE {space}')
        admin.execute(f'CREATE TABLE "{schema}".filler (x text) TABLESPACE {space}')
        with pytest.raises(psycopg.errors.DiskFull):
            admin.execute(
                f"INSERT INTO \"{schema}\".filler SELECT repeat('x', 1000) "
                "FROM generate_series(1, 100000)"
            )
        made, refused = fill_until_full(
            lambda n: servicedesk.log_call(summary=f"Jam {n}", requester="Sam", by="jsmith")
        )
        said = str(refused)
        assert "is full, so nothing was saved" in said and "postgresql://" in said
        assert len(list(servicedesk.find_calls(status="all"))) == made
    finally:
        database.db.close()
        admin.execute(f'DROP TABLE IF EXISTS "{schema}".filler')
        admin.execute(f'ALTER TABLE "{schema}".incident SET TABLESPACE pg_default')
        admin.execute(f"DROP TABLESPACE IF EXISTS {space}")
        admin.close()


@given(st.text(max_size=80))
def test_any_database_url_is_read_or_refused_in_a_sentence(text):
    url = "postgresql://" + text if text[:1] in "#@[:%" else text
    try:
        built = database.build(url)
    except FitsDeskError:
        return
    assert isinstance(built, peewee.Database)


@pytest.mark.parametrize("limit", ["99999999999999999999", "0", "-1", "1e9", "", "[b]1[/b]"])
def test_a_limit_out_of_range_is_one_sentence(run, limit):
    assert run("init")[0] == 0
    status, _, err = run("list", "--limit", limit)
    assert status == 2 and one_sentence(err) and "is not a whole number from 1" in err


@pytest.mark.parametrize(
    "url",
    ["postgresql://[::1", "postgresql://u@[zz]/x", "postgresql://u@h:99999/x", "mysql://x"],
)
def test_a_malformed_database_url_is_one_sentence(capsys, url):
    from tui.cli import main

    status = main(["list", "--db", url])
    err = capsys.readouterr().err
    assert status == 2 and one_sentence(err) and "unexpected" not in err


def test_the_log_is_the_owners_alone(tmp_path):
    path = logs.setup()
    assert path is not None and path.parent.is_dir()
    logs.LOGGER.error("a fault")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert Path(logs.pointer().strip(" ()").removeprefix("details: ")) == path
