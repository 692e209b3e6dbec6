"""The desk's queues: views of calls with counts, sorting, filters, pages and search.

    from store.servicedesk import queues
    queues.counts(me="jsmith")                    # {'mine': 4, 'unassigned': 2, ...}
    queues.page("open", me="jsmith", sort="age", limit=100)
    queues.page("open", me="jsmith", filters=queues.Filters(location="LIB"))
    queues.search("printer jam", limit=50)        # best matches first, any status
    queues.change_mark()                          # changes when anyone changes anything
    queues.due_states(calls, now)                 # how each stands against its targets
    queues.breached_since(last_look, now)         # targets missed since the desk last looked

Every view is a query that an index answers in order (migrations 0001, 0004 and 0014),
so the first page is as quick at a million calls as at a hundred.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import peewee as pw

from store.db.database import db, is_sqlite, read
from store.db.errors import BadInput
from store.db.models import (
    CHANNELS,
    OPEN,
    Asset,
    Category,
    Incident,
    Location,
    Technician,
)
from store.db.sanitise import Field, clean, clean_code
from store.records import calls
from store.records.views import Call
from store.service_levels import clocks, targets

VIEWS = {
    "open": "All open",
    "mine": "Mine",
    "unassigned": "Unassigned",
    "on_hold": "On hold",
    "resolved": "Resolved, waiting",
}
"""Each view's name and the words the desk shows for it, in the desk's order."""

SORTS = {
    "number": Incident.id,
    "age": Incident.logged_at,
    "priority": Incident.priority,
    "status": Incident.status,
    "location": Location.code,
    "category": Category.name,
    "summary": Incident.summary,
    "assignee": Technician.login,
    "due": Incident.due_at,
}
"""The columns a queue can be sorted by."""
SEARCH = Field("the search", 200)
MOST_WORDS = 8


@dataclass(frozen=True)
class Filters:
    """What a queue is narrowed to; None means anything."""

    location: str | None = None
    category: str | None = None
    priority: int | None = None
    channel: str | None = None
    asset: str | None = None

    def __bool__(self) -> bool:
        return any(value is not None for value in vars(self).values())


def _technician_id(login: str) -> int:
    row = Technician.get_or_none(Technician.login == login)
    if row is None:
        raise BadInput(f"There is no technician '{login}'.")
    return row.id


def _view(query: pw.ModelSelect, view: str, me_id: int) -> pw.ModelSelect:
    if view == "open":
        return query.where(calls.IS_OPEN)
    if view == "mine":
        return query.where(calls.IS_OPEN & (Incident.assignee == me_id))
    if view == "unassigned":
        return query.where((Incident.status == "logged") & Incident.assignee.is_null())
    if view == "on_hold":
        return query.where(Incident.status == "on_hold")
    if view == "resolved":
        return query.where(Incident.status == "resolved")
    raise BadInput(f"There is no view '{view}'.")


def _check_known(filters: Filters | None) -> None:
    """A filter naming a room, category or device that does not exist is a mistake to say."""
    if not filters:
        return
    for value, model, column, what in (
        (filters.location, Location, Location.code, "location"),
        (filters.category, Category, Category.name, "category"),
        (filters.asset, Asset, Asset.tag, "device tagged"),
    ):
        if value:
            name = clean_code(value) if model is not Category else clean(value, SEARCH).lower()
            if not model.select().where(column == name).exists():
                raise BadInput(f"There is no {what} '{name}'.")


def _filtered(query: pw.ModelSelect, filters: Filters | None) -> pw.ModelSelect:
    if not filters:
        return query
    if filters.location:
        query = query.where(Location.code == clean_code(filters.location))
    if filters.category:
        query = query.where(Category.name == clean(filters.category, SEARCH).lower())
    if filters.priority is not None:
        if type(filters.priority) is not int or not 1 <= filters.priority <= 5:
            raise BadInput("A priority is a number from 1 to 5.")
        query = query.where(Incident.priority == filters.priority)
    if filters.channel:
        if filters.channel not in CHANNELS:
            raise BadInput(f"Choose a channel from {', '.join(CHANNELS)}.")
        query = query.where(Incident.channel == filters.channel)
    if filters.asset:
        query = query.where(Asset.tag == clean_code(filters.asset))
    return query


def _order(query: pw.ModelSelect, view: str, sort: str | None, descending: bool):
    if sort is None:  # each view's natural order, which its index gives
        if view == "resolved":
            return query.order_by(Incident.resolved_at, Incident.id)
        return query.order_by(Incident.priority, Incident.logged_at, Incident.id)
    if sort not in SORTS:
        raise BadInput(f"A queue can be sorted by {', '.join(SORTS)}.")
    column = SORTS[sort]
    if sort == "due":  # calls with no due time (on hold, resolved) last, either way round;
        # forwards, the open calls come in the order of the index incident_open_due
        order = column.desc(nulls="LAST") if descending else column.asc(nulls="LAST")
        return query.order_by(order, Incident.id.desc() if descending else Incident.id)
    if sort == "age":  # the oldest call has the greatest age
        descending = not descending
    return query.order_by(
        column.desc() if descending else column, Incident.id.desc() if descending else Incident.id
    )


def page(
    view: str,
    *,
    me: str,
    sort: str | None = None,
    descending: bool = False,
    filters: Filters | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Call]:
    """One page of a view, for technician `me`."""
    if type(limit) is not int or not 1 <= limit <= 1000 or type(offset) is not int or offset < 0:
        raise BadInput("A page is 1 to 1,000 calls from a place at or after the start.")
    with read():
        _check_known(filters)
        query = _view(calls.base_query(), view, _technician_id(me) if view == "mine" else 0)
        query = _order(_filtered(query, filters), view, sort, descending)
        sql, params = query.sql()
    # Written in, not bound: PostgreSQL plans a bound LIMIT as if it were large, and sorts.
    sql += f" LIMIT {limit} OFFSET {offset}"
    with read():
        return [calls.to_call(values) for values in db.obj.execute_sql(sql, params)]


def counts(me: str, filters: Filters | None = None) -> dict[str, int]:
    """How many calls each view holds."""
    with read():
        _check_known(filters)
        me_id = _technician_id(me)
        found = {}
        for view in VIEWS:
            query = Incident.select(pw.fn.COUNT(Incident.id))
            if filters:
                query = (
                    query.join(Location, pw.JOIN.LEFT_OUTER, on=(Incident.location == Location.id))
                    .switch(Incident)
                    .join(Category, pw.JOIN.LEFT_OUTER, on=(Incident.category == Category.id))
                    .switch(Incident)
                    .join(Asset, pw.JOIN.LEFT_OUTER, on=(Incident.asset == Asset.id))
                    .switch(Incident)
                )
            found[view] = _filtered(_view(query, view, me_id), filters).scalar()
        return found


def words(text: object) -> list[str]:
    """The words of a search, cleaned: letters and digits only, at most eight."""
    cleaned = clean(text, SEARCH)
    found = re.findall(r"[^\W_]+", cleaned)
    if not found:
        raise BadInput("Type a word or two to search for.")
    return found[:MOST_WORDS]


def _ranked_ids(terms: list[str], limit: int) -> list[int]:
    if is_sqlite():
        match = " AND ".join(f'"{term}"*' for term in terms)
        sql = (
            "SELECT rowid FROM incident_search WHERE incident_search MATCH ? "
            f"ORDER BY rank LIMIT {limit}"
        )
        return [row[0] for row in db.obj.execute_sql(sql, (match,))]
    match = " & ".join(f"{term}:*" for term in terms)
    sql = (
        "SELECT incident_id FROM incident_search, to_tsquery('english', %s) AS q "
        f"WHERE document @@ q ORDER BY ts_rank(document, q) DESC, incident_id DESC LIMIT {limit}"
    )
    return [row[0] for row in db.obj.execute_sql(sql, (match,))]


def search(text: str, *, filters: Filters | None = None, limit: int = 100) -> list[Call]:
    """Calls whose summary, description, notes or caller match every word (as a word or
    the start of one), best first, in any status."""
    terms = words(text)
    with read():
        _check_known(filters)
        ids = _ranked_ids(terms, limit * 5 if filters else limit)
        if not ids:
            return []
        query = _filtered(calls.base_query().where(Incident.id.in_(ids)), filters)
        found = {values[0]: calls.to_call(values) for values in query}
    return [found[i] for i in ids if i in found][:limit]


def change_mark() -> int:
    """A number that changes whenever anyone changes anything: SQLite's data_version for
    this connection, or the newest journal row on PostgreSQL (every change writes one)."""
    with read():
        if is_sqlite():
            return db.obj.execute_sql("PRAGMA data_version").fetchone()[0]
        return db.obj.execute_sql("SELECT COALESCE(MAX(id), 0) FROM journal").fetchone()[0]


def newest_id() -> int:
    """The highest incident number so far (0 for none)."""
    with read():
        return Incident.select(pw.fn.COALESCE(pw.fn.MAX(Incident.id), 0)).scalar()


def urgent_since(after_id: int) -> list[Call]:
    """P1 and P2 calls logged after incident `after_id`, to tell the desk about."""
    with read():
        query = (
            calls.base_query()
            .where((Incident.id > after_id) & (Incident.priority <= 2))
            .order_by(Incident.id)
        )
        return [calls.to_call(values) for values in query]


@dataclass(frozen=True)
class Due:
    """Where a call stands against its service level targets at a moment, as the desk
    shows it (docs/service_levels.md): the time left, on its priority's clock, to answer
    it while no one has, and to resolve it while its clock runs; negative once late."""

    respond: int | None = None
    """Seconds left to answer it; None once answered (or with no target)."""
    resolve: int | None = None
    """Seconds left to resolve it; None while on hold, once resolved (or with no target)."""
    on_hold: bool = False
    """Its resolution clock is paused."""
    state: str = ""
    """"late" once a target is missed, "near" once clocks.AMBER of one is used, else ""."""

    @property
    def first(self) -> tuple[str, int] | None:
        """What falls due first, ("respond" or "resolve", seconds left); None for nothing."""
        found = [(self.respond, "respond"), (self.resolve, "resolve")]
        left, what = min(((n, w) for n, w in found if n is not None), default=(None, None))
        return None if what is None else (what, left)


def due_states(found: list[Call], now: dt.datetime) -> dict[str, Due]:
    """How each call stands against its targets at `now`, by number: the targets and the
    school clock are read once for them all (clocks.school_clock keeps it), so a page of
    the queue costs two small queries, not two a call."""
    goals = targets.current()
    moments = [now]
    for call in found:
        moments += [m for m in (call.respond_due_at, call.due_at) if m is not None]
    school = clocks.school_clock(min(moments), max(moments))
    states = {}
    for call in found:
        if call.status not in OPEN:
            states[call.number] = Due()
            continue
        goal = goals[call.priority_label]
        clock = clocks.RealClock() if goal.clock == "real" else school
        respond = resolve = None
        used = 0.0
        if call.responded_at is None and call.respond_due_at is not None:
            respond = clocks.left(call.respond_due_at, now, clock=clock)
            used = max(used, 1 - respond / goal.respond)
        if call.status != "on_hold" and call.due_at is not None:
            resolve = clocks.left(call.due_at, now, clock=clock)
            used = max(used, 1 - resolve / goal.resolve)
        late = any(left is not None and left < 0 for left in (respond, resolve))
        state = "late" if late else "near" if used >= clocks.AMBER else ""
        states[call.number] = Due(respond, resolve, call.status == "on_hold", state)
    return states


def breached_since(moment: dt.datetime, now: dt.datetime) -> list[tuple[Call, str]]:
    """Open calls whose resolution, or whose response while still unanswered, fell due in
    (moment, now]: (call, "respond" or "resolve"), in the order they fell due. The desk
    asks every little while to tell the people concerned (docs/service_levels.md)."""
    if now <= moment:
        return []
    resolve = (Incident.due_at > moment) & (Incident.due_at <= now)
    respond = (
        Incident.responded_at.is_null()
        & (Incident.respond_due_at > moment)
        & (Incident.respond_due_at <= now)
    )
    found = []
    with read():
        for what, late, when in (
            ("resolve", resolve, Incident.due_at),
            ("respond", respond, Incident.respond_due_at),
        ):
            query = calls.base_query().where(calls.IS_OPEN & late).order_by(when, Incident.id)
            found += [(calls.to_call(values), what) for values in query]
    when = {"resolve": "due_at", "respond": "respond_due_at"}
    return sorted(found, key=lambda pair: (getattr(pair[0], when[pair[1]]), pair[0].id))
