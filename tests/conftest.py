"""One suite, two databases: FITSDESK_TEST_DB picks SQLite (default) or a postgresql:// URL.

Every test gets a database of its own: a new SQLite file, or a new schema on
the PostgreSQL server named after this run, dropped when the run ends. The
user's own config and data folders are hidden from the tests.
"""

from __future__ import annotations

import itertools
import os
import secrets
import time
from pathlib import Path

import pytest
from hypothesis import settings

from store import config, database

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


def new_db_url(tmp_path: Path) -> str:
    """A URL for a brand-new, empty database on the backend under test."""
    if ON_POSTGRES:
        schema = f"{RUN_ID}_{next(_counter)}"
        _schemas.append(schema)
        joiner = "&" if "?" in BACKEND_URL else "?"
        return f"{BACKEND_URL}{joiner}schema={schema}"
    return f"sqlite:///{tmp_path / 'desk.db'}"


@pytest.fixture(autouse=True)
def hidden_home(tmp_path_factory, monkeypatch):
    """Keep the user's config, data and FITSDESK_DB out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.delenv("FITSDESK_DB", raising=False)
    monkeypatch.delenv("FITSDESK_CONFIG", raising=False)
    config.use(None)
    yield home
    config.use(None)


@pytest.fixture
def db_url(tmp_path) -> str:
    """The URL of a fresh database for this test (not yet opened)."""
    return new_db_url(tmp_path)


@pytest.fixture
def db(db_url):
    """A fresh database, open, with the schema made."""
    handle = database.connect(db_url)
    yield handle
    handle.close()


@pytest.fixture
def school(db):
    """A small school: starting categories, two technicians, three rooms, a kiosk, an asset."""
    from store import assets, kiosks, locations, people

    people.add_technician("jsmith", "Jo Smith", roles=["technician", "manager"], by="setup")
    people.add_technician("akhan", "Amir Khan", by="setup")
    locations.add_location("LIB", "Library", by="setup")
    locations.add_location("S12", "Science lab 12", by="setup")
    locations.add_location("IT1", "Computer room 1", by="setup")
    kiosks.add_kiosk("library", "LIB", by="setup")
    assets.add_asset("LAP-0042", kind="laptop", description="Dell 3440", location="LIB", by="setup")
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
    from store import kiosks

    kiosks.set_pin("482913", by="setup")
    return KioskApp(db_url=db_url, kiosk="library", clock=clock)


@pytest.fixture
def run(db_url, capsys, monkeypatch):
    """Run `fitsdesk ARGS --db URL` in this process as the login jsmith; return
    (status, stdout, stderr)."""
    from tui.cli import main

    monkeypatch.setattr("getpass.getuser", lambda: "jsmith")

    def invoke(*args):
        status = main([*args, "--db", db_url])
        out, err = capsys.readouterr()
        return status, out, err

    return invoke


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
