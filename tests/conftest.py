"""One suite, two databases: FITSDESK_TEST_DB picks SQLite (default) or a postgresql:// URL.

Every test gets a database of its own: a new SQLite file, or a new schema on
the PostgreSQL server named after this run, dropped when the run ends. The
user's own config and data folders are hidden from the tests.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import settings

from store.db import config, database

# Examples run against real databases on a shared machine: judge them by what they
# do, never by how long one took (a slow fsync is not a failure).
settings.register_profile("fitsdesk", deadline=None, print_blob=True)
settings.load_profile("fitsdesk")

# Screens show local times: every run, on every machine, in the same zone.
os.environ["TZ"] = "Europe/London"
time.tzset()

BACKEND_URL = os.environ.get("FITSDESK_TEST_DB", "sqlite").strip()
ON_POSTGRES = BACKEND_URL.startswith(("postgres://", "postgresql://"))
RUN_ID = f"t{os.getpid()}_{secrets.token_hex(3)}"
_counter = itertools.count(1)
_schemas: list[str] = []


def pytest_configure(config):
    """Keep the tests' folders in memory (/dev/shm) where the machine has one: every SQLite
    commit waits for the disk (synchronous=FULL, see store/db/database.py), about a
    millisecond a commit on a real disk and, over the suite, minutes. What the tests check
    is the same on either; --basetemp or PYTEST_DEBUG_TEMPROOT still choose the place."""
    shm = Path("/dev/shm")
    if (
        config.option.basetemp is None
        and not hasattr(config, "workerinput")  # the workers' folders are the controller's
        and shm.is_dir()
        and os.access(shm, os.W_OK | os.X_OK)
    ):
        os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", str(shm))


def new_db_url(tmp_path: Path) -> str:
    """A URL for a brand-new, empty database on the backend under test."""
    if ON_POSTGRES:
        schema = f"{RUN_ID}_{next(_counter)}"
        _schemas.append(schema)
        joiner = "&" if "?" in BACKEND_URL else "?"
        return f"{BACKEND_URL}{joiner}schema={schema}"
    return f"sqlite:///{tmp_path / 'desk.db'}"


def hide_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the config, data and state folders into `home`; forget FITSDESK_DB and
    FITSDESK_CONFIG: for every test, and for fixtures shared by several (tests/test_demo.py)."""
    monkeypatch.setattr(config, "SYSTEM_CONFIG", home / "etc" / "config.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.delenv("FITSDESK_DB", raising=False)
    monkeypatch.delenv("FITSDESK_CONFIG", raising=False)
    config.use(None)


@pytest.fixture(autouse=True)
def hidden_home(tmp_path_factory, monkeypatch):
    """Keep the user's and the machine's config, data and FITSDESK_DB out of every test."""
    home = tmp_path_factory.mktemp("home")
    hide_home(home, monkeypatch)
    yield home
    config.use(None)


class _Reused:
    """On PostgreSQL, one migrated schema per test process, emptied for each test that
    opens its database through `db`: making a schema's 40 tables and their indexes costs
    about 0.3 s a test, emptying them about a tenth of that. Rows the migrations add
    (the starting categories) are put back, and every id sequence starts again at 1, so
    each test sees exactly what a new database holds."""

    url: str | None = None
    tables: list[str] = []
    seed: list[tuple[str, list[str], list[tuple]]] = []
    sequences: list[tuple[str, str]] = []

    @classmethod
    def get(cls) -> str:
        if cls.url is None:
            cls.url = new_db_url(Path("."))
            handle = database.connect(cls.url)
            schema = handle.fitsdesk_schema
            cls.tables = [
                name
                for (name,) in handle.execute_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s "
                    "AND tablename <> 'schema_migration' ORDER BY tablename",
                    (schema,),
                )
            ]
            for table in cls.tables:
                cursor = handle.execute_sql(f'SELECT * FROM "{table}"')
                rows = cursor.fetchall()
                if rows:
                    cls.seed.append((table, [c.name for c in cursor.description], rows))
            cls.sequences = handle.execute_sql(
                "SELECT table_name, pg_get_serial_sequence(quote_ident(table_name), 'id') "
                "FROM information_schema.columns WHERE table_schema = %s "
                "AND column_name = 'id' AND table_name <> 'schema_migration'",
                (schema,),
            ).fetchall()
            handle.close()
        return cls.url

    @classmethod
    def reset(cls, handle) -> None:
        """Empty every table, put the migrations' rows back, restart the ids."""
        with handle.atomic():
            handle.execute_sql("SET LOCAL session_replication_role = replica")  # no FK checks
            handle.execute_sql("; ".join(f'DELETE FROM "{t}"' for t in cls.tables))
            for table, columns, rows in cls.seed:
                names = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                handle.cursor().executemany(
                    f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows
                )
            seeded = {table: len(rows) for table, _columns, rows in cls.seed}
            handle.execute_sql(
                "SELECT "
                + ", ".join(
                    f"setval('{seq}', {max(seeded.get(table, 0), 1)}, {seeded.get(table, 0) > 0})"
                    for table, seq in cls.sequences
                    if seq
                )
            )


@pytest.fixture
def db_url(request, tmp_path) -> str:
    """The URL of this test's own database: a fresh one, not yet opened; on PostgreSQL,
    for a test that opens it through `db`, the test process's emptied schema."""
    if ON_POSTGRES and "db" in request.fixturenames and "fresh_db" not in request.keywords:
        return _Reused.get()
    return new_db_url(tmp_path)


class _Template:
    """On SQLite, one database per test process made by running the migrations, copied
    for each test that opens its database through `db`: running the migrations costs
    about 0.2 s a test, copying the file a few milliseconds. The copy holds exactly what a
    new database holds (the starting categories, the migrations' history); a test marked
    fresh_db runs the migrations itself."""

    path: Path | None = None

    @classmethod
    def copy_to(cls, url: str, folder: Path) -> None:
        if cls.path is None:
            made = folder / "template.db"
            handle = database.connect(f"sqlite:///{made}")
            handle.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the one file
            handle.close()
            cls.path = made
        target = Path(database.sqlite_file(url))
        shutil.copyfile(cls.path, target)
        target.chmod(0o600)  # as `connect` makes a new file: for its owner alone


@pytest.fixture
def db(request, db_url, tmp_path_factory):
    """A database of this test's own, open, with the schema made and nothing in it but
    what a new database holds."""
    if (
        not ON_POSTGRES
        and "fresh_db" not in request.keywords
        and not Path(database.sqlite_file(db_url)).exists()
    ):
        _Template.copy_to(db_url, tmp_path_factory.getbasetemp())
    handle = database.connect(db_url)
    if db_url == _Reused.url:
        _Reused.reset(handle)
    yield handle
    handle.close()


@pytest.fixture
def jsmith(db):
    """A database in which jsmith is a technician and a manager."""
    from store.school import people

    if "jsmith" not in [t.login for t in people.list_technicians(True)]:
        people.add_technician("jsmith", "Jo Smith", roles=["technician", "manager"], by="jsmith")
    return db


@pytest.fixture
def school(db):
    """A small school: starting categories, two technicians, three rooms, a kiosk, an asset."""
    from store.configuration import assets
    from store.school import kiosks, locations, people

    people.add_technician("jsmith", "Jo Smith", roles=["technician", "manager"], by="jsmith")
    people.add_technician("akhan", "Amir Khan", by="jsmith")
    locations.add_location("LIB", "Library", by="jsmith")
    locations.add_location("S12", "Science lab 12", by="jsmith")
    locations.add_location("IT1", "Computer room 1", by="jsmith")
    kiosks.add_kiosk("library", "LIB", by="jsmith")
    assets.add_asset(
        "LAP-0042", kind="laptop", description="Dell 3440", location="LIB", by="jsmith"
    )
    return db


class Clock:
    """The kiosk's sense of time, moved on by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def kiosk_app(school, db_url, clock):
    """The library's kiosk, with an exit PIN and a clock the test moves."""
    from kiosk.app import KioskApp
    from store.school import kiosks

    kiosks.set_pin("482913", by="jsmith")
    return KioskApp(db_url=db_url, kiosk="library", clock=clock)


@pytest.fixture
def run(db_url, capsys, monkeypatch):
    """Run `fitsdesk ARGS --db URL` in this process as the account jsmith (the operating
    system's answer is replaced for the test; tests/test_identity.py runs the real console
    script as the real account); return (status, stdout, stderr)."""
    from tui.cli import main

    monkeypatch.setattr("store.db.identity.os_account", lambda: "jsmith")

    def invoke(*args):
        status = main([*args, "--db", db_url])
        out, err = capsys.readouterr()
        return status, out, err

    return invoke


ONE_DB = {
    "no_db": "never opens the database under test: run once, on SQLite",
    "screen": "a screen's layout or snapshot, which does not depend on the database, and "
    "its store calls are tested on PostgreSQL elsewhere: run once, on SQLite",
    "mash": "an app under random keys: what it must survive does not depend on the "
    "database, and its store calls are tested on PostgreSQL elsewhere: run once, on SQLite",
}


def pytest_collection_modifyitems(config, items):
    """Run the tests marked no_db, screen or mash on SQLite alone: on PostgreSQL they would only
    repeat the SQLite run. A test marked no_db that asks for a database is a mistake."""
    for item in items:
        if item.get_closest_marker("no_db") and "db_url" in item.fixturenames:
            raise pytest.UsageError(f"{item.nodeid} is marked no_db but uses a database")
        if not ON_POSTGRES:
            continue
        for name, reason in ONE_DB.items():
            if item.get_closest_marker(name):
                item.add_marker(pytest.mark.skip(reason=reason))
                break


def pytest_sessionfinish(session, exitstatus):
    """Drop this run's PostgreSQL schemas."""
    if not (ON_POSTGRES and _schemas):
        return
    import psycopg

    with psycopg.connect(BACKEND_URL.split("?")[0], autocommit=True) as conn:
        for schema in _schemas:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def pytest_report_header(config):
    return f"fitsdesk backend: {'PostgreSQL' if ON_POSTGRES else 'SQLite'} ({BACKEND_URL})"


from tests.mail_helpers import mail_on  # noqa: E402,F401  (a school with mail set up)

# Real mail servers on loopback for the email channel (tests/mail_servers.py): the
# fixtures smtp_server, smtp_factory and imap_server, for any test module.
from tests.mail_servers import imap_server, smtp_factory, smtp_server  # noqa: E402, F401
