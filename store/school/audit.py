"""The security audit trail (FITS security management): every refused action, with who
tried it, what and when, for a manager to read.

    from store.school import audit
    audit.refused("kiosk library", "wrong PIN", detail="4 wrong PINs in 10 minutes")
    audit.entries(by="head", since=datetime(2026, 12, 1))   # managers only; marks them read
    audit.unread(by="head")                                 # how many since head last looked

A role check that says no (a `NotAllowed` leaving `database.write()` or `read()`) is
kept here on its own, after the refused transaction has rolled back, so the refusal is
kept although nothing else was written. `store.school.people` imports this module, so every
process that checks a role keeps its refusals. The kiosk keeps a wrong PIN or check
code here once the free tries are used up; the desk keeps someone who is not a
technician trying to open it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from types import TracebackType

from store.db import database, journal
from store.db.database import read, write
from store.db.errors import FitsDeskError, NotAllowed
from store.db.identity import journal_name
from store.db.models import AuditEntry, Technician, holds
from store.db.sanitise import shown

log = logging.getLogger("fitsdesk")


@dataclass(frozen=True)
class Refusal:
    """One refused action."""

    at: dt.datetime
    who: str
    action: str
    record: str
    detail: str


def refused(who: str, action: str, *, record: object = "", detail: str = "") -> None:
    """Keep one refused action, in a transaction of its own. A database that cannot take
    it (read-only, gone) costs the refusal nothing: the person is still told no."""
    row = {
        "at": journal.now(),
        "who": shown(journal_name(who), 80),
        "action": shown(action, 60),
        "record": shown(record, 40) if record not in (None, "") else "",
        "detail": shown(detail, 300),
    }
    try:
        with write():
            database.insert_row(AuditEntry, row)
    except FitsDeskError:
        log.warning("could not keep a refusal in the audit trail: %s", row)


RECORD_NAMES = ("reference", "login", "tag", "code", "name", "notice_id", "message_id")
"""What store functions call the record a step is about, most telling first."""


_AREA_WORDS = {"changes": "change", "mail": "mail"}
"""Areas whose modules' own names do not say the area (approval, rules, intake): a step
in one of them names the area too ("change approval: approve emergency")."""


def _module_words(name: str) -> str:
    """How a refusal names the store module it came from: store.changes.approval is
    "change approval", store.school.people is "people"."""
    parts = name.split(".")[1:] or [name]
    module = parts[-1]
    if len(parts) > 1 and parts[0] in _AREA_WORDS and module != parts[0]:
        return f"{_AREA_WORDS[parts[0]]} {module}"
    return module


def _step(trace: TracebackType | None) -> tuple[str, str]:
    """The store function that refused (the first frame below `database.write`) in words,
    and the record it was given, if any: read off the traceback, so that no store
    function has to name itself for its refusals to be kept."""
    while trace is not None:
        code = trace.tb_frame.f_code
        here = code.co_filename
        if not here.endswith(("database.py", "contextlib.py")):
            module = _module_words(trace.tb_frame.f_globals.get("__name__", ""))
            named = trace.tb_frame.f_locals
            reference = next(
                (named[key] for key in RECORD_NAMES if isinstance(named.get(key), str | int)),
                "",
            )
            words = code.co_name.strip("_").replace("_", " ")
            return f"{module.replace('_', ' ')}: {words}", str(reference)
        trace = trace.tb_next
    return "", ""


def keep_refusal(exc: NotAllowed) -> None:
    """Keep a role check's refusal once (`database.write` and `read` call this when it
    leaves the outermost transaction)."""
    if exc.audited:
        return
    exc.audited = True
    action, record = _step(exc.__traceback__)
    refused(exc.who, exc.action or action or "act", record=record, detail=str(exc))


database.REFUSED.append(keep_refusal)


def _manager(by: str) -> Technician | None:
    me = Technician.get_or_none(Technician.login == str(by))
    return me if me is not None and me.active and holds(me.roles, "manager") else None


def entries(*, by: str, since: dt.datetime | None = None, limit: int = 10_000) -> list[Refusal]:
    """Refused actions since `since` (all when None), oldest first, for a manager; reading
    them marks them read for that manager, unless `since` leaves some unread ones out."""
    with write():
        me = _manager(by)
        if me is None:
            raise NotAllowed("Only a manager may read the security audit trail.", who=by)
        query = AuditEntry.select().order_by(AuditEntry.id.desc()).limit(limit)
        if since is not None:
            query = query.where(AuditEntry.at >= since)
        rows = [Refusal(r.at, r.who, r.action, r.record, r.detail) for r in query][::-1]
        if since is None or (me.audit_read_at is not None and since <= me.audit_read_at):
            Technician.update(audit_read_at=journal.now()).where(Technician.id == me.id).execute()
    return rows


def unread(*, by: str) -> int:
    """How many refused actions a manager has not looked at yet; 0 for anyone else (the
    count is a manager's to see)."""
    with read():
        me = _manager(by)
        if me is None:
            return 0
        query = AuditEntry.select()
        if me.audit_read_at is not None:
            query = query.where(AuditEntry.at > me.audit_read_at)
        return query.count()
