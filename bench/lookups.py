"""Finding a call by number and the first 50 open calls in priority order, at scale.

Each is timed through the store (which returns `Call` objects with every name
filled in) and as the same query written by hand in SQL on a raw driver
connection, on the same database, in alternating rounds.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.staff import staffed
from bench.timing import Timing, interleaved
from store.db import database
from store.db.models import Incident
from store.demo import demo
from store.servicedesk import servicedesk

JOINS = (
    "FROM incident i JOIN person p ON p.id = i.requester_id"
    " LEFT JOIN location l ON l.id = i.location_id"
    " LEFT JOIN category c ON c.id = i.category_id"
    " LEFT JOIN technician t ON t.id = i.assignee_id"
    " LEFT JOIN asset a ON a.id = i.asset_id"
    " LEFT JOIN kiosk k ON k.id = i.kiosk_id"
)
COLUMNS = "SELECT i.*, p.name, p.role, l.code, c.name, c.label, t.login, a.tag, k.name "
BY_NUMBER = f"{COLUMNS}{JOINS} WHERE i.id = {{mark}}"
NOTES = "SELECT at, author, public, text FROM note WHERE incident_id = {mark} ORDER BY at, id"
OPEN_QUEUE = (
    f"{COLUMNS}{JOINS} WHERE i.status IN ('logged', 'assigned', 'in_progress', 'on_hold')"
    " ORDER BY i.priority, i.logged_at, i.id LIMIT 50"
)


def build(url: str, size: int) -> None:
    """Open `url`, filling it with a demo school of `size` incidents unless it has them."""
    database.connect(url)
    staffed()
    have = Incident.select().count()
    if have < size:
        print(f"  building {size:,} incidents at {database.describe(url)} ...", flush=True)
        demo.fill(size - have, by="bench", seed=size)


def raw_connection(url: str):
    """A plain driver connection to the same database, and its parameter mark."""
    if url.startswith("sqlite"):
        return sqlite3.connect(url.split(":///", 1)[1]), "?"
    import psycopg

    base, _, query = url.partition("?")
    schema = dict(p.split("=", 1) for p in query.split("&") if p).get("schema")
    conn = psycopg.connect(base, autocommit=True)
    if schema:
        conn.execute(f'SET search_path TO "{schema}"')
    return conn, "%s"


def run(url: str, size: int, repeats: int = 300) -> dict[str, tuple[Timing, Timing]]:
    """{'by number': (store, raw), 'open queue': (store, raw)} in milliseconds."""
    build(url, size)
    total = Incident.select().count()
    raw, mark = raw_connection(url)
    picks = random.Random(1).sample(range(1, total + 1), k=min(repeats, total))

    def store_lookup(i: int) -> None:
        servicedesk.find_call(f"INC-{picks[i % len(picks)]:06d}")

    def raw_lookup(i: int) -> None:
        key = picks[i % len(picks)]
        raw.execute(BY_NUMBER.format(mark=mark), (key,)).fetchone()
        raw.execute(NOTES.format(mark=mark), (key,)).fetchall()

    def store_queue(_i: int) -> None:
        servicedesk.list_calls(limit=50)

    def raw_queue(_i: int) -> None:
        raw.execute(OPEN_QUEUE).fetchall()

    # Read every picked call once before timing: otherwise whichever side goes first in a
    # round pays for bringing its pages off the disk and the other finds them in memory.
    for i in range(len(picks)):
        raw_lookup(i)
    store_queue(0), raw_queue(0), store_lookup(0)
    results = {
        "by number": interleaved(store_lookup, raw_lookup, repeats),
        "open queue": interleaved(store_queue, raw_queue, max(50, repeats // 3)),
    }
    raw.close()
    database.db.close()
    return results


@contextlib.contextmanager
def hundred_thousand(folder: str | None) -> Iterator[str]:
    """The URL of a 100,000-call SQLite database, built unless `folder` keeps one from an
    earlier run (a temporary folder, removed after, when None): for `python -m bench.desk`
    and `python -m bench.kiosk`."""
    with tempfile.TemporaryDirectory() as spare:
        url = sqlite_url(Path(folder or spare), 100_000)
        build(url, 100_000)
        database.db.close()
        yield url


def sqlite_url(folder: Path, size: int) -> str:
    """Where the SQLite database of `size` incidents lives."""
    return f"sqlite:///{folder / f'queue-{size}.db'}"


def postgres_url(base: str, size: int) -> str:
    """A schema of its own on the PostgreSQL server for `size` incidents."""
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}schema=bench_queue_{size}"
