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

from collections.abc import Iterator

import peewee as pw

from store import journal
from store.errors import NotFound, Refused
from store.models import (
    OPEN,
    Asset,
    Category,
    Incident,
    Journal,
    Kiosk,
    Location,
    Note,
    Person,
    Technician,
)
from store.numbers import log_number, parse_reference
from store.records import FITS_QUESTIONS, Call, CallNote

_OPEN_LITERALS = ", ".join(f"'{status}'" for status in OPEN)
IS_OPEN = pw.NodeList((Incident.status, pw.SQL(f"IN ({_OPEN_LITERALS})")))
"""Open calls, written as literals to match the partial indexes, so both databases use them."""

_LINKS = {f.name for f in Incident._meta.fields.values() if isinstance(f, pw.ForeignKeyField)}


def base_query() -> pw.ModelSelect:
    """Incidents with everything a Call names, in one query."""
    return (
        Incident.select(Incident, Person, Location, Category, Technician, Asset, Kiosk)
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
    )


def to_call(row: Incident, notes: tuple[CallNote, ...] = ()) -> Call:
    """A Call from a row fetched by `base_query`."""
    place, category, tech = row.location, row.category, row.assignee
    return Call(
        id=row.id,
        check_code=row.check_code,
        status=row.status,
        summary=row.summary,
        channel=row.channel,
        requester=row.requester.name,
        requester_role=row.requester.role,
        requester_group=row.requester.group_name,
        requester_email=row.requester.email,
        location=place.code if place else None,
        location_name=place.name if place else None,
        category=category.name if category else None,
        category_label=category.label if category else None,
        asset=row.asset.tag if row.asset else None,
        kiosk=row.kiosk.name if row.kiosk else None,
        impact=row.impact,
        urgency=row.urgency,
        priority=row.priority,
        assignee=tech.login if tech else None,
        assignee_name=tech.full_name if tech else None,
        hold_reason=row.hold_reason,
        resolution_kind=row.resolution_kind,
        resolution_text=row.resolution_text,
        closed_how=row.closed_how,
        reopen_count=row.reopen_count,
        version=row.version,
        logged_at=row.logged_at,
        responded_at=row.responded_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        description=row.description,
        answers={name: getattr(row, name) for name, _question in FITS_QUESTIONS},
        notes=notes,
    )


def as_call(incident_id: int, with_notes: bool = True) -> Call:
    """The Call for an incident id (which must exist), with its notes."""
    row = base_query().where(Incident.id == incident_id).get()
    notes: tuple[CallNote, ...] = ()
    if with_notes:
        notes = tuple(
            CallNote(n.at, n.author, n.public, n.text)
            for n in Note.select().where(Note.incident == incident_id).order_by(Note.at, Note.id)
        )
    return to_call(row, notes)


def iter_calls(query: pw.ModelSelect) -> Iterator[Call]:
    """Calls from a `base_query` without holding every row in memory."""
    for row in query.iterator():
        yield to_call(row)


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
