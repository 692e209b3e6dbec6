"""The journal: who changed what, when, from what to what. Rows are only ever added.

    from store.db import journal
    journal.record("jsmith", incident, "assign", field="assignee", before=None, after="jsmith")
    journal.history("incident", 42)     # -> [JournalEntry(...), ...] oldest first

`record` must be called inside the same `database.write()` block as the
change it describes, so a change and its journal row commit together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.db.database import cached_sql, insert_row, read
from store.db.identity import journal_name
from store.db.models import Journal


def now() -> dt.datetime:
    """The current time as the store keeps it: naive UTC, to the microsecond."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class JournalEntry:
    """One line of a record's history."""

    at: dt.datetime
    who: str
    action: str
    field: str | None
    before: str | None
    after: str | None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def record(
    who: str,
    row,
    action: str,
    *,
    field: str | None = None,
    before: object = None,
    after: object = None,
    at: dt.datetime | None = None,
) -> None:
    """Add one journal row for a change to `row` (any model instance)."""
    insert_row(
        Journal,
        {
            "at": at or now(),
            "who": journal_name(who),
            "record": row._meta.table_name,
            "record_id": row.id,
            "action": action,
            "field": field,
            "before": _text(before),
            "after": _text(after),
        },
    )


def changes(who: str, row, action: str, updates: dict, *, at: dt.datetime | None = None) -> None:
    """Journal each plain (not foreign-key) field in `updates` that differs from `row`'s."""
    stamp = at or now()
    rows = [
        {
            "at": stamp,
            "who": journal_name(who),
            "record": row._meta.table_name,
            "record_id": row.id,
            "action": action,
            "field": name,
            "before": _text(getattr(row, name)),
            "after": _text(value),
        }
        for name, value in updates.items()
        if _text(getattr(row, name)) != _text(value)
    ]
    if rows:
        Journal.insert_many(rows).execute()


def history(record_name: str, record_id: int) -> list[JournalEntry]:
    """Every journal row for one record, in the order they were written."""
    sql = cached_sql(
        "journal of",
        lambda: (
            Journal.select(
                Journal.at,
                Journal.who,
                Journal.action,
                Journal.field,
                Journal.before,
                Journal.after,
            )
            .where((Journal.record == "") & (Journal.record_id == 0))
            .order_by(Journal.id)
        ),
    )
    with read():
        rows = Journal._meta.database.execute_sql(sql, (record_name, record_id)).fetchall()
    return [
        JournalEntry(dt.datetime.fromisoformat(at) if isinstance(at, str) else at, *rest)
        for at, *rest in rows
    ]


def update(row, who: str, action: str, updates: dict, *, links=()) -> None:
    """Change a versioned record (one with `version` and `updated_at`) and journal each
    plain field that changed, all in the caller's write transaction; `row` is updated to
    match. Fields in `links` (foreign keys) are journalled by the caller, by name."""
    stamp = now()
    changes(who, row, action, {k: v for k, v in updates.items() if k not in links}, at=stamp)
    updates = {**updates, "version": row.version + 1, "updated_at": stamp}
    type(row).update(**updates).where(type(row).id == row.id).execute()
    for name, value in updates.items():
        setattr(row, name, value)
