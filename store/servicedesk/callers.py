"""The caller's side of the service desk at a kiosk: report a fault, check on it later.

    from store.servicedesk import callers
    call, existing = callers.report_from_kiosk(kiosk="library", summary="Laptop won't charge",
                                               requester="Sam Patel", asset="LAP-0042")
    view = callers.caller_view("INC-000042-K7QX", kiosk="library")
    view.plain_status, view.technician, view.can_answer

Saying whether it is fixed is `servicedesk.confirm_fixed` / `not_fixed` with the
scanned payload. Both functions here count against the kiosk's limits
(`store.school.kiosks`), in the database, so restarting a kiosk resets nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.db import config, journal
from store.db.database import read, write
from store.db.errors import NotFound, Refused
from store.db.models import Asset, Incident
from store.db.numbers import log_number, parse_reference
from store.db.sanitise import (
    ANSWER,
    NOTE,
    PERSON_NAME,
    SUMMARY,
    TAG,
    clean,
    clean_code,
    seconds,
)
from store.problems import known_errors, problems
from store.records import calls
from store.records.views import FITS_QUESTIONS, PLAIN_STATUS, STATUS_WORDS, Call, CallerView
from store.school import kiosks
from store.school.kiosks import clean_kiosk_name
from store.service_levels import clocks
from store.servicedesk.servicedesk import CALLER, log_call

BUSY_KIOSK = (
    "Lots of problems have been reported here in the last few minutes. "
    "Please ask a member of staff to help you."
)
"""The kind message a kiosk shows when it has sent as many reports as it may."""
REPORT_PAUSE = (
    "Someone has just sent a report from here. Please wait {wait}, then press Send again."
)
"""The kiosk's answer to a report sent straight after another (nothing is lost)."""
NOT_FOUND_AT_KIOSK = "We can't find that number and code. Check them and try again."
NEEDS_CODE = "Type the 4-letter code from your receipt after the number, or scan the square code."
"""The answer to a number alone, whether or not it exists."""


def report_from_kiosk(*, kiosk: str | None, **report) -> tuple[Call, bool]:
    """Log what a pupil reported at a kiosk, in one transaction: refused when the kiosk
    has sent its limit of reports in the window. Every report is a call of its own, with
    a number and code only its caller holds. When the device, or the same room and
    category, already has an open call, the new one is linked to it as a duplicate and
    counts towards its impact (`link_duplicate`). Returns the new call and whether it
    was linked to one already open."""
    settings = config.current()
    name = clean_kiosk_name(kiosk) if kiosk else None
    tag = clean_code(report["asset"], TAG) if report.get("asset") else None
    with write():
        _count_report(name, settings)
        call = log_call(kiosk=name, channel="kiosk", by=f"kiosk:{name or 'unnamed'}", **report)
        new = Incident.get_by_id(call.id)
        main = _open_call_for(new, tag)
        if main is None:
            return call, False
        link_duplicate(new, main, by=CALLER)
        return calls.as_call(new.id), True  # before the commit, as log_call does


def _open_call_for(new: Incident, tag: str | None) -> Incident | None:
    """The open call already reporting `new`'s fault: the device's newest, else the newest
    in the same room with the same category; the main call when that is a duplicate."""
    others = Incident.select().where(calls.IS_OPEN & (Incident.id != new.id))
    found = None
    if tag:
        found = (
            others.join(Asset).where(Asset.tag == tag).order_by(Incident.logged_at.desc()).first()
        )
    if found is None and new.location_id and new.category_id:
        found = (
            others.where(
                (Incident.location == new.location_id) & (Incident.category == new.category_id)
            )
            .order_by(Incident.logged_at.desc())
            .first()
        )
    if found is not None and found.duplicate_of_id:
        main = Incident.get_or_none(Incident.id == found.duplicate_of_id)
        found = main or found
    return found


REPORTERS_FOR_IMPACT = ((10, 1), (3, 2))
"""How many people reporting one fault (the call and its duplicates) raise its impact to
what: many pupils with the same fault is a wider one (docs/kiosk.md)."""


def link_duplicate(new: Incident, main: Incident, *, by: str) -> None:
    """Mark `new` as reporting `main`'s fault again, journalled on both; raise `main`'s
    impact when enough people have now reported it (`REPORTERS_FOR_IMPACT`). Inside the
    caller's transaction."""
    calls.change(new, by, "duplicate", {"duplicate_of": main.id})
    journal.record(by, new, "duplicate", field="duplicate of", after=log_number(main.id))
    journal.record(by, main, "duplicate", field="reported again", after=log_number(new.id))
    reporters = 1 + Incident.select().where(Incident.duplicate_of == main.id).count()
    for at_least, impact in REPORTERS_FOR_IMPACT:
        if reporters >= at_least and main.impact > impact:
            settings = config.current()
            calls.change(
                main,
                by,
                "duplicate",
                {"impact": impact, "priority": settings.priority(impact, main.urgency)},
            )
            clocks.refresh(main)
            break


def _count_report(name: str | None, settings: config.Config) -> None:
    """Count a report against the kiosk's limits (docs/kiosk.md), or refuse it; inside
    the report's transaction, so a refused or failed report is not counted."""
    wait = kiosks.count_report(
        name,
        limit=settings.kiosk_reports_per_window,
        window=dt.timedelta(minutes=settings.kiosk_window_minutes),
        pause=dt.timedelta(seconds=settings.kiosk_report_pause_seconds),
    )
    if wait < 0:
        raise Refused(BUSY_KIOSK)
    if wait:
        raise Refused(REPORT_PAUSE.format(wait=seconds(wait)))


def kiosk_reports() -> list[kiosks.ReportCount]:
    """Each kiosk's reports counted against its ceiling now, under this school's settings."""
    settings = config.current()
    return kiosks.report_counts(
        limit=settings.kiosk_reports_per_window,
        window=dt.timedelta(minutes=settings.kiosk_window_minutes),
    )


def add_me(reference: object, **call) -> Call:
    """Log a call (as `servicedesk.log_call` takes it) already linked to a public known
    error: the caller still gets a number and a QR code, and the problem counts them.
    Refused, logging nothing, if the problem is no longer shown at the kiosks."""
    who = call.get("by", CALLER)
    with write():
        try:
            row = problems.for_change(reference, None)
        except NotFound as gone:
            raise known_errors.NoLongerShown(str(gone)) from None
        if not (row.status == "known_error" and row.public):
            raise known_errors.NoLongerShown(
                f"{problems.problem_number(row.id)} is no longer shown at the kiosks."
            )
        logged = log_call(**call)
        incident = Incident(id=logged.id)
        problems.link(row, [incident], who, "kiosk")
        problems.write_change(row, who, "add me", {})
    return logged


def add_me_from_kiosk(reference: object, *, kiosk: str | None, **report) -> Call:
    """A pupil adds themselves to a public known error at a kiosk: a call linked to the
    problem (`add_me`), counted against the kiosk's limit like any report.
    `known_errors.NoLongerShown` when the problem stopped being shown meanwhile; nothing
    is logged or counted when refused."""
    settings = config.current()
    name = clean_kiosk_name(kiosk) if kiosk else None
    with write():
        _count_report(name, settings)
        return add_me(
            reference, kiosk=name, channel="kiosk", by=f"kiosk:{name or 'unnamed'}", **report
        )


def _as_note(report: dict) -> str:
    """A second report of a device's fault, as a note on the call already open for it."""
    who = clean(report.get("requester"), PERSON_NAME)
    lines = [f"Also reported at a kiosk by {who}: {clean(report.get('summary'), SUMMARY)}"]
    for name, question in FITS_QUESTIONS:
        answer = clean((report.get("answers") or {}).get(name, ""), ANSWER)
        if answer:
            lines.append(f"{question} {answer}")
    return clean("\n".join(lines), NOTE)


def caller_view(reference: object, *, kiosk: str | None) -> CallerView:
    """What a caller at a kiosk may see of their call, given its number and check code.
    A number alone, an unknown number and a wrong code are answered alike (nothing says
    whether the number exists) and counted against that log number at every kiosk; after
    a few that number must wait (`kiosks.wait_seconds`) and no other does. The wait, the
    look and the count are one transaction."""
    ref = parse_reference(reference)
    number = log_number(ref.id)
    with write():
        wait = kiosks.wait_to_try(kiosk, "check", number)
        if wait:
            raise Refused(f"Please wait {seconds(wait)}, then try {number} again.")
        values = calls.find_row(ref.id)
        wrong = ref.check is None or values is None or ref.check != values[1]
        if wrong:
            kiosks.record_try(kiosk, "check", record=number, target=number)
    if wrong:
        raise NotFound(NOT_FOUND_AT_KIOSK if ref.check else NEEDS_CODE)
    call = calls.to_call(values)
    with read():
        news = next((n.text for n in reversed(calls.notes_of(call.id)) if n.public), None)
    first = call.assignee_name.split()[0] if call.assignee_name else None
    return CallerView(
        call.number,
        call.status,
        call.status_word,
        verified=True,
        scan=call.scan,
        plain_status=PLAIN_STATUS[call.status],
        summary=call.summary,
        technician=first,
        latest_news=news,
        what_we_did=call.resolution_text if call.resolved_at else None,
        aim=clocks.aim_sentence(call.due_at),
    )


@dataclass(frozen=True)
class DeviceView:
    """What anyone at a kiosk may see of a device whose label they scanned: what it is,
    where it lives, and the status word of each open call about it (nothing of who
    reported them or what they said)."""

    tag: str
    name: str
    location: str | None
    location_name: str | None
    open_calls: tuple[tuple[str, str], ...]
    """(number, status word) of each open call about it, newest first."""


def device_view(tag: object) -> DeviceView:
    """A device by its label, for the kiosk; NotFound if no device has that tag."""
    from store.configuration import assets  # the kiosk needs it only when a label is scanned

    device = assets.asset(assets.clean_tag(tag))
    with read():
        rows = (
            Incident.select(Incident.id, Incident.status)
            .join(Asset)
            .where((Asset.tag == device.tag) & calls.IS_OPEN)
            .order_by(Incident.logged_at.desc())
            .limit(5)
            .tuples()
        )
        open_calls = tuple((log_number(n), STATUS_WORDS[status]) for n, status in rows)
    return DeviceView(device.tag, device.name, device.location, device.location_name, open_calls)


KINDS_FOR = {
    "laptop": ("laptop", "chromebook"),
    "desktop": ("desktop",),
    "printer": ("printer",),
    "projector": ("projector", "panel"),
    "wifi": ("access_point",),
}
"""The kinds of device a pupil means by each starting category; a category a school
made itself is matched to the kind of the same name."""
DEVICES_SHOWN = 6


def devices_here(location: str | None, category: str | None = None) -> list[tuple[str, str]]:
    """A short list of (tag, what it is) for the kiosk's device step: the devices in use in
    the room, those of the kind the pupil chose first and, when there are any, only those.
    Nothing about who holds them or what they cost leaves the store."""
    from store.configuration import assets  # the kiosk needs it only at the device step

    if not location:
        return []
    here = [
        d
        for d in assets.list_assets(location=location, limit=200)
        if d.status in ("in_use", "spare") and d.part_of is None
    ]
    kinds = KINDS_FOR.get(category or "", (category or "",))
    chosen = [d for d in here if d.kind in kinds] or here
    return [(d.tag, d.name) for d in chosen[:DEVICES_SHOWN]]
