"""The service desk: log every call, find it again, and close it when the caller is happy.

    from store.servicedesk import servicedesk
    call = servicedesk.log_call(summary="Printer jams", requester="Sam Patel", role="pupil",
                                location="LIB", category="printer", by="jsmith")
    call.number, call.scan                           # 'INC-000042', 'INC-000042-K7QX'
    servicedesk.find_call("INC-000042-K7QX")         # NotFound if the code is wrong
    servicedesk.list_calls(status="open", limit=50)  # priority order
    servicedesk.confirm_fixed(call.scan)             # the caller says yes: closed

FITS: whatever the channel, the call is logged and the caller gets a number;
a call closes only when the caller confirms the fix, or after
`close_after_days` school days without an answer (`close_unanswered`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from store.configuration.assets import clean_tag
from store.db import config, journal
from store.db.database import (
    cached_sql,
    first_row,
    insert_row,
    is_sqlite,
    read,
    stream_rows,
    write,
)
from store.db.errors import BadInput, Refused
from store.db.models import (
    CHANNELS,
    OPEN,
    STATUSES,
    Asset,
    Category,
    Incident,
    Kiosk,
    Location,
    Technician,
)
from store.db.numbers import log_number, new_check_code, parse_reference
from store.db.sanitise import (
    ANSWER,
    CATEGORY,
    COMMENT,
    DESCRIPTION,
    ROOM_CODE,
    SUMMARY,
    Field,
    clean,
    clean_code,
    shown,
)
from store.records import calls
from store.records.views import FITS_QUESTIONS, STATUS_WORDS, Call
from store.school import people
from store.school.categories import level
from store.school.kiosks import clean_kiosk_name
from store.service_levels import catalogue, clocks, targets

CALLER = "caller"
"""Who the journal names when the caller acts for themselves (kiosk, mail)."""
SYSTEM = "system"
"""Who the journal names for what FITS Desk does on its own."""


def clean_answers(answers: dict | None) -> dict[str, str]:
    """The FITS incident-sheet answers, each cleaned; unknown questions refused."""
    answers = dict(answers or {})
    known = {name for name, _question in FITS_QUESTIONS}
    unknown = set(answers) - known
    if unknown:
        raise BadInput(f"'{shown(sorted(unknown)[0])}' is not one of the FITS questions.")
    return {
        name: clean(
            answers.get(name, ""),
            Field(f"the answer to '{question}'", ANSWER.limit, multiline=True, required=False),
        )
        for name, question in FITS_QUESTIONS
    }


def clean_channel(channel: object) -> str:
    """One of kiosk, phone, visit, email, desk."""
    text = str(channel).strip().lower()
    if text not in CHANNELS:
        raise BadInput(f"'{shown(text)}' is not a channel: choose from {', '.join(CHANNELS)}.")
    return text


def _refuse_unless_taker(by: str, channel: str) -> None:
    """A call is taken by a technician, unless a kiosk or the caller's own email logs it."""
    if (channel == "kiosk" and str(by).startswith("kiosk:")) or (
        channel == "email" and by == CALLER
    ):
        return
    people.active_technician(by)


def log_call(
    *,
    summary: str,
    requester: str,
    role: str = "pupil",
    group: str = "",
    email: str = "",
    location: str | None = None,
    category: str | None = None,
    asset: str | None = None,
    kiosk: str | None = None,
    channel: str = "desk",
    description: str = "",
    answers: dict | None = None,
    impact: object = None,
    urgency: object = None,
    by: str,
) -> Call:
    """Log a call and return it with its number and check code; one transaction. `by` is
    the technician taking it, a kiosk ("kiosk:library", kiosk channel only) or the
    caller themselves (CALLER, email only)."""
    summary = clean(summary, SUMMARY)
    description = clean(description, DESCRIPTION)
    sheet = clean_answers(answers)
    channel = clean_channel(channel)
    impact = level(impact, "impact") if impact is not None else None
    urgency = level(urgency, "urgency") if urgency is not None else None
    code = clean_code(location, ROOM_CODE) if location else None
    tag = clean_tag(asset) if asset else None
    kiosk_name = clean_kiosk_name(kiosk) if kiosk else None
    kind_name = clean(category, CATEGORY) if category else "other"
    settings = config.current()
    with write():
        _refuse_unless_taker(by, channel)
        place = device = terminal = None
        if kiosk_name:
            found = first_row(
                "kiosk by name",
                lambda: Kiosk.select(Kiosk.id, Kiosk.location).where(Kiosk.name == ""),
                (kiosk_name,),
            )
            if found is None:
                raise BadInput(f"There is no kiosk '{kiosk_name}'.")
            terminal, place = found
        if code:
            found = first_row(
                "location by code",
                lambda: Location.select(Location.id).where(Location.code == ""),
                (code,),
            )
            if found is None:
                raise BadInput(f"There is no location '{code}'. See: fitsdesk location list.")
            place = found[0]
        if tag:
            found = first_row(
                "asset and its room by tag",
                lambda: Asset.select(Asset.id, Asset.location).where(Asset.tag == ""),
                (tag,),
            )
            if found is None:
                raise BadInput(f"No asset is tagged '{tag}'.")
            device, home = found
            place = place or home  # a call about a device, where else unsaid, is where it is
        kind = _category(kind_name)
        if kind is None and category:
            raise BadInput(f"There is no category '{kind_name}'. See: fitsdesk category list.")
        kind_id, kind_impact, kind_urgency = kind or (None, 3, 3)
        at = journal.now()
        person = people.caller(requester, role, group, email, at=at, by=by)
        impact = impact or kind_impact
        urgency = urgency or kind_urgency
        respond_due, due = clocks.due_times(at, settings.priority(impact, urgency))
        new_id = insert_row(
            Incident,
            {
                "check_code": new_check_code(),
                "channel": channel,
                "requester": person,
                "location": place,
                "category": kind_id,
                "asset": device,
                "kiosk": terminal,
                "summary": summary,
                "description": description,
                **sheet,
                "impact": impact,
                "urgency": urgency,
                "priority": settings.priority(impact, urgency),
                "status": "logged",
                "logged_at": at,
                "updated_at": at,
                "service": catalogue.service_for(kind_id, device),
                "respond_due_at": respond_due,
                "due_at": due,
            },
        )
        journal.record(by, Incident(id=new_id), "log", field="status", after="logged", at=at)
        calls.tell_caller(Incident(id=new_id, requester=person, summary=summary), "logged")
        # Read back before the commit: a connection lost after it cannot turn a saved call
        # into "nothing was saved" (docs/faults.md).
        return calls.as_call(new_id, with_notes=False)


def _category(name: str) -> tuple[int, int, int] | None:
    """(id, impact, urgency) of a category named by its name or its pupil's label."""

    def by(column):
        return lambda: Category.select(Category.id, Category.impact, Category.urgency).where(
            column == ""
        )

    return first_row("category by name", by(Category.name), (name.lower(),)) or first_row(
        "category by label", by(Category.label), (name,)
    )


def find_call(reference: object) -> Call:
    """A call by number ('INC-000042', '42') or scan payload; a wrong check code is
    NotFound, exactly as an unknown number is."""
    ref = parse_reference(reference)
    with read():
        values = calls.find_row(ref.id)
        if values is None or (ref.check is not None and ref.check != values[1]):
            raise calls.not_found(log_number(ref.id) + (f"-{ref.check}" if ref.check else ""))
        return calls.with_past(calls.to_call(values, calls.notes_of(ref.id)))


def same_fault(reference: object) -> tuple[str | None, list[tuple[str, str]]]:
    """For the desk: the call this one duplicates (its number, or None), and the calls
    that duplicate this one as (number, status word), oldest first (docs/kiosk.md)."""
    ref = parse_reference(reference)
    with read():
        row = Incident.get_or_none(Incident.id == ref.id)
        if row is None:
            raise calls.not_found(log_number(ref.id))
        copies = (
            Incident.select(Incident.id, Incident.status)
            .where(Incident.duplicate_of == row.id)
            .order_by(Incident.id)
        )
        main = log_number(row.duplicate_of_id) if row.duplicate_of_id else None
        return main, [(log_number(c.id), STATUS_WORDS[c.status]) for c in copies]


def clean_status(status: object) -> tuple[str, ...]:
    """A status filter: one status, 'open' or 'all'."""
    text = str(status or "open").strip().lower().replace(" ", "_").replace("-", "_")
    if text == "open":
        return OPEN
    if text == "all":
        return STATUSES
    if text in STATUSES:
        return (text,)
    raise BadInput(
        f"'{shown(status)}' is not a status: choose open, all, or one of {', '.join(STATUSES)}."
    )


def find_calls(
    *,
    status: object = "open",
    assignee: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Iterator[Call]:
    """Calls matching the filters: open ones by priority then age, others newest first.
    `assignee` is a login, or 'none' for unassigned calls."""
    statuses = clean_status(status)
    if limit is not None and (type(limit) is not int or not 1 <= limit <= 2**62):
        raise BadInput("The limit must be a whole number of at least 1.")
    if type(offset) is not int or offset < 0:
        raise BadInput("The offset must be a whole number, 0 or more.")
    with read():
        nobody, tech_id = False, None
        if assignee is not None:
            if str(assignee).strip().lower() in ("none", "nobody"):
                nobody = True
            else:
                login = people.clean_login(assignee)
                tech = Technician.get_or_none(Technician.login == login)
                if tech is None:
                    raise BadInput(f"There is no technician '{login}'.")
                tech_id = tech.id
    some = statuses not in (OPEN, STATUSES)

    def build():
        query = calls.base_query()
        if statuses == OPEN:
            query = query.where(calls.IS_OPEN)
        elif some:
            query = query.where(Incident.status.in_(statuses))
        if nobody:
            query = query.where(Incident.assignee.is_null())
        elif tech_id is not None:
            query = query.where(Incident.assignee == 0)
        if set(statuses) <= set(OPEN):
            return query.order_by(Incident.priority, Incident.logged_at, Incident.id)
        return query.order_by(Incident.logged_at.desc(), Incident.id.desc())

    shape = (statuses if some else statuses == OPEN, nobody, tech_id is not None)
    params = [*(statuses if some else ()), *([tech_id] if tech_id is not None else ())]
    sql = cached_sql(f"calls {shape}", build)
    # Written in, not bound: PostgreSQL plans a bound LIMIT as if it were large, and sorts.
    if limit is not None or offset:
        sql += f" LIMIT {limit if limit is not None else -1 if is_sqlite() else 'ALL'}"
        sql += f" OFFSET {offset}" if offset else ""
    with read():
        for values in stream_rows(sql, params, big=limit is None or limit > 1000):
            yield calls.to_call(values)


def due_calls(
    *, within: object = None, breached: bool = False, assignee: str | None = None, limit: int = 1000
) -> list[Call]:
    """Open calls whose resolution falls due within `within` of school time ("2h"), or
    (`breached`) whose response or resolution is already late; soonest due first. Calls
    on hold are paused, so never due."""
    if (within is None) == (not breached):
        raise BadInput("Ask for calls due within a time, or for breached ones.")
    now = journal.now()
    if within is not None:
        seconds = targets.clean_length(within)
        until = clocks.school_clock(now).add(now, seconds)
    else:
        until = now
    late = (Incident.due_at <= until) | (
        Incident.responded_at.is_null() & (Incident.respond_due_at <= until)
    )
    with read():
        query = calls.base_query().where(calls.IS_OPEN & late)
        if assignee is not None:
            if str(assignee).strip().lower() in ("none", "nobody"):
                query = query.where(Incident.assignee.is_null())
            else:
                query = query.where(Incident.assignee == people.named_technician(assignee).id)
        query = query.order_by(Incident.due_at, Incident.id).limit(limit)
        return list(calls.iter_calls(query))


def list_calls(**filters) -> list[Call]:
    """`find_calls` as a list; give a limit for large queues."""
    return list(find_calls(**filters))


def calls_numbered(references: list[object]) -> list[Call]:
    """The calls with these numbers, in one query, in the order given; numbers with no
    call are left out (a list of evidence, not a lookup a person typed)."""
    ids = [parse_reference(reference).id for reference in references]
    if not ids:
        return []
    with read():
        query = calls.base_query().where(Incident.id.in_(ids))
        found = {call.id: call for call in calls.iter_calls(query)}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def _caller_or_technician(by: str | None, reference: object) -> str:
    """Who is acting: the caller (who must show the check code) or a technician."""
    if by is None:
        if parse_reference(reference).check is None:
            raise Refused("The caller needs the check code on their receipt, like INC-000042-K7QX.")
        return CALLER
    return people.active_technician(by).login


def confirm_fixed(
    reference: object, *, comment: str = "", by: str | None = None, seen_version: int | None = None
) -> Call:
    """The caller is happy it is fixed: the resolved call closes. `by` is the technician
    recording the caller's answer (phone, visit); None when the caller answers themselves."""
    comment = clean(comment, COMMENT)
    with write():
        who = _caller_or_technician(by, reference)
        row = calls.for_change(reference, seen_version)
        if row.status == "closed":
            raise Refused(f"{log_number(row.id)} is already closed.")
        if row.status != "resolved":
            raise Refused(
                f"{log_number(row.id)} has not been resolved yet, so it cannot be closed."
            )
        if comment:
            calls.add_note(row, who, comment, public=True)
        calls.change(
            row,
            who,
            "confirm fixed",
            {"status": "closed", "closed_at": journal.now(), "closed_how": "confirmed"},
        )
        calls.tell_caller(row, "closed", "Thank you for telling us it is fixed.")
        return calls.as_call(row.id)  # before the commit, as log_call does


def not_fixed(
    reference: object, *, comment: str = "", by: str | None = None, seen_version: int | None = None
) -> Call:
    """The caller says it is not fixed: the resolved call reopens with what they said."""
    comment = clean(comment, COMMENT)
    with write():
        who = _caller_or_technician(by, reference)
        row = calls.for_change(reference, seen_version)
        if row.status == "closed":
            raise Refused(
                f"{log_number(row.id)} is closed: please log a new call and mention "
                f"{log_number(row.id)}."
            )
        if row.status != "resolved":
            raise Refused(f"{log_number(row.id)} is still being worked on.")
        if comment:
            calls.add_note(row, who, f"Not fixed: {comment}", public=True)
        calls.reopen(row, who, "not fixed")
        clocks.refresh(row)
        return calls.as_call(row.id)  # before the commit, as log_call does


def school_days_before(moment: dt.datetime, days: int) -> dt.datetime:
    """The moment `days` school days (Monday to Friday, for now) before `moment`."""
    cutoff, counted = moment, 0
    while counted < days:
        cutoff -= dt.timedelta(days=1)
        if cutoff.weekday() < 5:
            counted += 1
    return cutoff


def close_unanswered(days: int | None = None, *, now: dt.datetime | None = None) -> list[str]:
    """Close resolved calls whose caller has not answered for `days` school days
    (default: the config's close_after_days); return their numbers."""
    days = config.current().close_after_days if days is None else days
    if type(days) is not int or days < 1:
        raise BadInput("The number of days must be a whole number of at least 1.")
    moment = now or journal.now()
    cutoff = school_days_before(moment, days)
    closed = []
    with write():
        query = (
            Incident.select()
            .where((Incident.status == "resolved") & (Incident.resolved_at <= cutoff))
            .order_by(Incident.id)
        )
        for row in query:
            calls.change(
                row,
                SYSTEM,
                "close unanswered",
                {"status": "closed", "closed_at": moment, "closed_how": "unanswered"},
                at=moment,
            )
            calls.tell_caller(row, "closed", "We did not hear back from you, so we have closed it.")
            closed.append(log_number(row.id))
    return closed
