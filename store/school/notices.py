"""Notices: short public messages the kiosks show, so nobody queues to report what we know.

    from store.school import notices
    notices.add_notice("Wi-Fi is down in the Library, we're on it", location="LIB",
                       until=datetime(2026, 12, 1, 16, 0), by="jsmith")
    notices.current_notices(location="LIB")     # this room's and the whole school's
    notices.edit_notice(3, text="Wi-Fi is back", until=None, by="jsmith")
    notices.withdraw_notice(3, by="jsmith")

A notice without a location is for every kiosk; one without `until` lasts
until it is withdrawn. Times are naive UTC, like every time in the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import Location, Notice
from store.db.sanitise import Field, clean
from store.school import people
from store.school.locations import location_row

NOTICE = Field("the notice", 200)
LONGEST = dt.timedelta(days=366)


@dataclass(frozen=True)
class NoticeInfo:
    """A notice as screens see it."""

    id: int
    text: str
    location: str | None
    location_name: str | None
    starts_at: dt.datetime
    until: dt.datetime | None
    created_by: str
    withdrawn_at: dt.datetime | None


def _info(row: Notice, place: Location | None) -> NoticeInfo:
    return NoticeInfo(
        row.id,
        row.text,
        place.code if place else None,
        place.name if place else None,
        row.starts_at,
        row.until,
        row.created_by,
        row.withdrawn_at,
    )


def add_notice(
    text: str, *, location: str | None = None, until: dt.datetime | None = None, by: str
) -> NoticeInfo:
    """Post a notice for one location's kiosks, or all of them, until a time or for good."""
    text = clean(text, NOTICE)
    now = journal.now()
    if until is not None:
        if until <= now:
            raise BadInput("That end time has already passed.")
        if until - now > LONGEST:
            raise BadInput("A notice can last a year at the most.")
    try:
        place = location_row(location) if location else None
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    with write():
        people.active_technician(by)
        row = Notice.create(text=text, location=place, starts_at=now, until=until, created_by=by)
        journal.record(by, row, "post", after=text, at=now)
    return _info(row, place)


def _query():
    return Notice.select(Notice, Location).join(
        Location, pw.JOIN.LEFT_OUTER, on=(Notice.location == Location.id)
    )


def current_notices(
    location: str | None = None, *, now: dt.datetime | None = None
) -> list[NoticeInfo]:
    """Notices showing now at a kiosk in `location`: its own first, then the school's."""
    now = now or journal.now()
    with read():
        query = _query().where(
            Notice.withdrawn_at.is_null()
            & (Notice.starts_at <= now)
            & (Notice.until.is_null() | (Notice.until > now))
        )
        if location:
            query = query.where(Notice.location.is_null() | (Location.code == location))
        else:
            query = query.where(Notice.location.is_null())
        rows = list(query.order_by(Notice.starts_at.desc(), Notice.id.desc()))
    rows.sort(key=lambda row: row.location is None)  # the room's own news first
    return [_info(row, row.location) for row in rows]


def list_notices(include_old: bool = False) -> list[NoticeInfo]:
    """Notices newest first; without `include_old`, only those still showing."""
    now = journal.now()
    with read():
        query = _query().order_by(Notice.starts_at.desc(), Notice.id.desc())
        if not include_old:
            query = query.where(
                Notice.withdrawn_at.is_null() & (Notice.until.is_null() | (Notice.until > now))
            )
        return [_info(row, row.location) for row in query]


def withdraw_notice(notice_id: int, *, by: str) -> NoticeInfo:
    """Stop showing a notice now; it stays in the record."""
    if type(notice_id) is not int or notice_id < 1:
        raise BadInput("A notice number is a whole number, like 3.")
    now = journal.now()
    with write():
        people.active_technician(by)
        row = _query().where(Notice.id == notice_id).first()
        if row is None:
            raise NotFound(f"There is no notice {notice_id}.")
        if row.withdrawn_at is not None or (row.until is not None and row.until <= now):
            raise Refused(f"Notice {notice_id} is no longer showing.")
        journal.changes(by, row, "withdraw", {"withdrawn_at": now}, at=now)
        Notice.update(withdrawn_at=now).where(Notice.id == notice_id).execute()
        row.withdrawn_at = now
    return _info(row, row.location)


def withdraw_belonging(owner, who: str) -> None:
    """Withdraw every notice still up that belongs to `owner` (a problem's known error,
    a change's window), journalling each. Call inside the owner's write transaction."""
    now = journal.now()
    mine = (getattr(Notice, owner._meta.table_name) == owner.id) & Notice.withdrawn_at.is_null()
    for notice in Notice.select().where(mine):
        journal.changes(who, notice, "withdraw", {"withdrawn_at": now}, at=now)
    Notice.update(withdrawn_at=now).where(mine).execute()


def edit_notice(
    notice_id: int,
    *,
    text: str | None = None,
    until: dt.datetime | object | None = ...,
    by: str,
) -> NoticeInfo:
    """Change a showing notice's words or end time (None: until withdrawn)."""
    if type(notice_id) is not int or notice_id < 1:
        raise BadInput("A notice number is a whole number, like 3.")
    now = journal.now()
    updates: dict = {}
    if text is not None:
        updates["text"] = clean(text, NOTICE)
    if until is not ...:
        if until is not None and until <= now:
            raise BadInput("That end time has already passed.")
        if until is not None and until - now > LONGEST:
            raise BadInput("A notice can last a year at the most.")
        updates["until"] = until
    with write():
        people.active_technician(by)
        row = _query().where(Notice.id == notice_id).first()
        if row is None:
            raise NotFound(f"There is no notice {notice_id}.")
        if row.withdrawn_at is not None or (row.until is not None and row.until <= now):
            raise Refused(f"Notice {notice_id} is no longer showing.")
        if updates:
            journal.changes(by, row, "edit", updates, at=now)
            Notice.update(**updates).where(Notice.id == notice_id).execute()
            for name, value in updates.items():
                setattr(row, name, value)
    return _info(row, row.location)
