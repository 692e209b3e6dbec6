"""Logging a call through the store against a raw sqlite3 insert of the same row.

Both write to the same SQLite file with the same durability (WAL,
synchronous=FULL, one transaction per call), alternating in rounds. The store
also cleans the text, finds or adds the caller, looks up the room and
category, writes the journal row and reads the call back; the raw insert
does none of that, which is the point of the comparison.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from pathlib import Path

from bench.staff import staffed
from bench.timing import Timing, interleaved
from store.db import database
from store.db.numbers import new_check_code
from store.school import locations
from store.servicedesk import servicedesk


def run(calls: int = 400) -> tuple[Timing, Timing]:
    """(store, raw) milliseconds per logged call."""
    folder = Path(tempfile.mkdtemp(prefix="fitsdesk-bench-"))
    path = folder / "log.db"
    database.connect(f"sqlite:///{path}")
    staffed()
    locations.add_location("LIB", "Library", by="bench")
    person_id = servicedesk.log_call(summary="warm up", requester="Pupil 0", by="bench").id

    raw = sqlite3.connect(path, isolation_level=None, timeout=10)
    for pragma in ("journal_mode=wal", "synchronous=full", "foreign_keys=1", "busy_timeout=10000"):
        raw.execute(f"PRAGMA {pragma}")
    location_id = raw.execute("SELECT id FROM location WHERE code='LIB'").fetchone()[0]
    category_id = raw.execute("SELECT id FROM category WHERE name='printer'").fetchone()[0]

    def store_call(i: int) -> None:
        servicedesk.log_call(
            summary=f"Printer jams on page {i}",
            requester=f"Pupil {i % 50}",
            role="pupil",
            group="9C",
            location="LIB",
            category="printer",
            channel="kiosk",
            by="bench",
        )

    def raw_call(i: int) -> None:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
        raw.execute("BEGIN IMMEDIATE")
        raw.execute(
            "INSERT INTO incident (check_code, channel, requester_id, location_id, category_id,"
            " summary, description, trying_to_do, happened_instead, already_tried, last_worked,"
            " happened_before, impact, urgency, priority, status, hold_reason, resolution_text,"
            " reopen_count, version, logged_at, updated_at)"
            " VALUES (?, 'kiosk', ?, ?, ?, ?, '', '', '', '', '', '', 2, 2, 3, 'logged', '', '',"
            " 0, 1, ?, ?)",
            (
                new_check_code(),
                person_id,
                location_id,
                category_id,
                f"Printer jams on page {i}",
                now,
                now,
            ),
        )
        raw.execute("COMMIT")

    result = interleaved(store_call, raw_call, calls)
    raw.close()
    database.db.close()
    return result
