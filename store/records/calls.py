"""How a call record is read and changed; shared by the service desk and incident rules.

    row = calls.for_change("INC-000042", seen_version=7)   # inside database.write()
    calls.change(row, "jsmith", "start", {"status": "in_progress"})
    calls.as_call(row.id)                                  # -> records.Call

`for_change` locks the row (FOR UPDATE on PostgreSQL; SQLite's write lock is
already held), and refuses when someone changed the call since the caller
looked at it. `change` writes the fields, bumps the version and journals
every field that moved, in the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import peewee as pw

from store.db import journal
from store.db.database import cached_sql, first_row
from store.db.errors import NotFound, Refused
from store.db.models import (
    OPEN,
    Asset,
    Category,
    Incident,
    Journal,
    Kiosk,
    Location,
    Note,
    Person,
    Service,
    Technician,
)
from store.db.numbers import log_number, parse_reference
from store.records.views import FITS_QUESTIONS, Call, CallNote, PastResolution

_OPEN_LITERALS = ", ".join(f"'{status}'" for status in OPEN)
IS_OPEN = pw.NodeList((Incident.status, pw.SQL(f"IN ({_OPEN_LITERALS})")))
"""Open calls, written as literals to match the partial indexes, so both databases use them."""

_LINKS = {f.name for f in Incident._meta.fields.values() if isinstance(f, pw.ForeignKeyField)}


# The columns a Call is made from, in the order of Call's fields up to `description`,
# then the FITS answers. Reading tuples, not models, keeps a page of the queue cheap.
_COLUMNS = (
    Incident.id,
    Incident.check_code,
    Incident.status,
    Incident.summary,
    Incident.channel,
    Person.name,
    Person.role,
    Person.group_name,
    Person.email,
    Location.code,
    Location.name,
    Category.name,
    Category.label,
    Asset.tag,
    Kiosk.name,
    Incident.impact,
    Incident.urgency,
    Incident.priority,
    Technician.login,
    Technician.full_name,
    Incident.hold_reason,
    Incident.resolution_kind,
    Incident.resolution_text,
    Incident.closed_how,
    Incident.reopen_count,
    Incident.version,
    Incident.logged_at,
    Incident.responded_at,
    Incident.resolved_at,
    Incident.closed_at,
    Service.name,
    Incident.respond_due_at,
    Incident.due_at,
    Incident.respond_met,
    Incident.resolve_met,
    Incident.resolve_secs,
    Incident.description,
    *(getattr(Incident, name) for name, _question in FITS_QUESTIONS),
)
_ANSWERS = len(_COLUMNS) - len(FITS_QUESTIONS)
_TIMES = [i for i, column in enumerate(_COLUMNS) if isinstance(column, pw.DateTimeField)]
_FLAGS = [i for i, column in enumerate(_COLUMNS) if isinstance(column, pw.BooleanField)]


def base_query() -> pw.ModelSelect:
    """Incidents with everything a Call names, in one query of tuples for `to_call`."""
    return (
        Incident.select(*_COLUMNS)
        .join(Person, on=(Incident.requester == Person.id))
        .switch(Incident)
        .join(Location, pw.JOIN.LEFT_OUTER, on=(Incident.location == Location.id))
        .switch(Incident)
        .join(Category, pw.JOIN.LEFT_OUTER, on=(Incident.category == Category.id))
        .switch(Incident)
        .join(Technician, pw.JOIN.LEFT_OUTER, on=(Incident.assignee == Technician.id))
        .switch(Incident)
        .join(Asset, pw.JOIN.LEFT_OUTER, on=(Incident.asset == Asset.id))
        .switch(Incident)
        .join(Kiosk, pw.JOIN.LEFT_OUTER, on=(Incident.kiosk == Kiosk.id))
        .switch(Incident)
        .join(Service, pw.JOIN.LEFT_OUTER, on=(Incident.service == Service.id))
        .switch(Incident)
        .tuples()
    )


def _time(value: str | dt.datetime | None) -> dt.datetime | None:
    """A stored time: SQLite hands back text, PostgreSQL a datetime."""
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def to_call(values: tuple, notes: tuple[CallNote, ...] = ()) -> Call:
    """A Call from one tuple of `base_query`."""
    values = list(values)
    for i in _TIMES:
        values[i] = _time(values[i])
    for i in _FLAGS:
        values[i] = None if values[i] is None else bool(values[i])  # SQLite says 0 or 1
    answers = {name: values[_ANSWERS + n] for n, (name, _q) in enumerate(FITS_QUESTIONS)}
    return Call(*values[:_ANSWERS], answers=answers, notes=notes)


def find_row(incident_id: int) -> tuple | None:
    """The `base_query` tuple for an incident id, or None."""
    return first_row("call by id", lambda: base_query().where(Incident.id == 0), (incident_id,))


def notes_of(incident_id: int) -> tuple[CallNote, ...]:
    """An incident's notes, oldest first."""
    sql = cached_sql(
        "notes",
        lambda: (
            Note.select(Note.at, Note.author, Note.public, Note.text)
            .where(Note.incident == 0)
            .order_by(Note.at, Note.id)
        ),
    )
    rows = Note._meta.database.execute_sql(sql, (incident_id,)).fetchall()
    return tuple(
        CallNote(_time(at), author, bool(public), text) for at, author, public, text in rows
    )


def as_call(incident_id: int, with_notes: bool = True) -> Call:
    """The Call for an incident id (which must exist), with its notes and earlier
    resolutions."""
    call = to_call(find_row(incident_id), notes_of(incident_id) if with_notes else ())
    return with_past(call) if with_notes else call


_RESOLVED_FIELDS = ("status", "resolution_kind", "resolution_text", "resolved_at")


def past_resolutions(incident_id: int) -> tuple[PastResolution, ...]:
    """The resolutions an incident had before each reopen, oldest first, from its journal:
    a reopen journals the resolution it clears as the `before` of its fields."""
    rows = (
        Journal.select(Journal.at, Journal.who, Journal.field, Journal.before, Journal.after)
        .where(
            (Journal.record == "incident")
            & (Journal.record_id == incident_id)
            & Journal.field.in_(_RESOLVED_FIELDS)
        )
        .order_by(Journal.id)
        .tuples()
    )
    found: list[PastResolution] = []
    resolver = None
    cleared: dict = {}  # the fields one reopen cleared: its rows share a moment

    def keep() -> None:
        if cleared.get("resolution_text"):
            resolved_at = cleared.get("resolved_at")
            found.append(
                PastResolution(
                    cleared.get("resolution_kind"),
                    cleared["resolution_text"],
                    _time(resolved_at) if resolved_at else None,
                    resolver,
                    cleared["at"],
                    cleared["who"],
                )
            )

    for at, who, name, before, after in rows:
        at = _time(at)
        if cleared and (at, who) != (cleared["at"], cleared["who"]):
            keep()
            cleared = {}
        if name == "status":
            resolver = who if after == "resolved" else resolver
        elif before and not after:
            cleared.update({"at": at, "who": who, name: before})
    keep()
    return tuple(found)


def with_past(call: Call) -> Call:
    """`call` with its earlier resolutions (`past_resolutions`), when it was ever reopened."""
    if not call.reopen_count:
        return call
    return dataclasses.replace(call, past_resolutions=past_resolutions(call.id))


def iter_calls(query: pw.ModelSelect) -> Iterator[Call]:
    """Calls from a `base_query` without holding every row in memory."""
    for values in query.iterator():
        yield to_call(values)


def not_found(text: str) -> NotFound:
    """The one sentence for an unknown number and a wrong check code alike."""
    return NotFound(f"No call matches {text}.")


def for_change(reference: object, seen_version: int | None = None) -> Incident:
    """The incident row to change, locked; call inside `database.write()`."""
    ref = parse_reference(reference)
    query = Incident.select().where(Incident.id == ref.id)
    if not isinstance(Incident._meta.database.obj, pw.SqliteDatabase):
        query = query.for_update()
    row = query.first()
    if row is None or (ref.check is not None and ref.check != row.check_code):
        raise not_found(log_number(ref.id) + (f"-{ref.check}" if ref.check else ""))
    if seen_version is not None and seen_version != row.version:
        last = (
            Journal.select(Journal.who)
            .where((Journal.record == "incident") & (Journal.record_id == row.id))
            .order_by(Journal.id.desc())
            .first()
        )
        who = last.who if last else "someone"
        raise Refused(
            f"{log_number(row.id)} was just changed by {who}: look at it again before acting."
        )
    return row


def change(row: Incident, who: str, action: str, updates: dict, *, at=None) -> None:
    """Write `updates` to the incident, bump its version and journal what moved.
    A change to a link (assignee, location...) must be journalled by the caller, by name."""
    stamp = at or journal.now()
    plain = {k: v for k, v in updates.items() if k not in _LINKS}  # links are journalled by name
    journal.changes(who, row, action, plain, at=stamp)
    updates = {**updates, "version": row.version + 1, "updated_at": stamp}
    Incident.update(**updates).where(Incident.id == row.id).execute()
    for name, value in updates.items():
        setattr(row, name, value)


def add_note(row: Incident, who: str, text: str, public: bool, *, at=None) -> None:
    """Attach a note to the incident and journal it."""
    stamp = at or journal.now()
    Note.insert(incident=row.id, at=stamp, author=who, public=public, text=text).execute()
    journal.record(
        who, row, "note", field="public note" if public else "private note", after=text, at=stamp
    )
    Incident.update(version=row.version + 1, updated_at=stamp).where(
        Incident.id == row.id
    ).execute()
    row.version += 1


def reopen(row: Incident, who: str, action: str) -> None:
    """Send a resolved or closed call back to the queue; call inside a transaction."""
    change(
        row,
        who,
        action,
        {
            "status": "assigned" if row.assignee_id else "logged",
            "resolution_kind": None,
            "resolution_text": "",
            "resolved_at": None,
            "closed_at": None,
            "closed_how": None,
            "reopen_count": row.reopen_count + 1,
        },
    )


def tell_caller(row: Incident, kind: str, text: str = "") -> None:
    """Write the caller's `kind` message to the outbox (store.records.outbox.queue), in the
    transaction of the change it tells of. The mail modules load on first use, so a
    kiosk that never mails does not load them at start."""
    from store.records import outbox

    outbox.queue(row, kind, text)
