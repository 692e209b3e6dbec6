"""Plain data the store hands to screens, the command line and mail: no queries inside.

    call = servicedesk.find_call("INC-000042")
    call.number, call.status_word, call.priority_label   # 'INC-000042', 'In progress', 'P3'
    call.to_json(detail=True)                           # the --json contract

A `Call` is a snapshot: reading its attributes never touches the database,
so it is safe to pass to any thread or screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from store.db.models import LEVELS
from store.db.numbers import log_number, scan_payload

FITS_QUESTIONS = (
    ("trying_to_do", "What were you trying to do?"),
    ("happened_instead", "What happened instead?"),
    ("already_tried", "What have you already tried?"),
    ("last_worked", "When did it last work?"),
    ("happened_before", "Has it happened before?"),
)
"""FITS's incident sheet: the field and the question a caller is asked."""

STATUS_WORDS = {
    "logged": "Logged",
    "assigned": "Assigned",
    "in_progress": "In progress",
    "on_hold": "On hold",
    "resolved": "Resolved",
    "closed": "Closed",
}


def iso(moment: dt.datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 with its offset."""
    return None if moment is None else moment.replace(tzinfo=dt.UTC).isoformat()


@dataclass(frozen=True)
class CallNote:
    """A note on a call, as the desk and the caller see it."""

    at: dt.datetime
    author: str
    public: bool
    text: str

    def to_json(self) -> dict:
        return {"author": self.author, "at": iso(self.at), "public": self.public, "text": self.text}


@dataclass(frozen=True)
class PastResolution:
    """A resolution a call had before it was reopened (by a technician, or by the caller
    saying it is not fixed), read back from the call's journal."""

    kind: str | None
    text: str
    resolved_at: dt.datetime | None
    resolved_by: str | None
    reopened_at: dt.datetime
    reopened_by: str

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "text": self.text,
            "resolved_at": iso(self.resolved_at),
            "resolved_by": self.resolved_by,
            "reopened_at": iso(self.reopened_at),
            "reopened_by": self.reopened_by,
        }


@dataclass(frozen=True)
class Call:
    """One incident, with the names of everything it points at."""

    id: int
    check_code: str
    status: str
    summary: str
    channel: str
    requester: str
    requester_role: str
    requester_group: str
    requester_email: str
    location: str | None
    location_name: str | None
    category: str | None
    category_label: str | None
    asset: str | None
    kiosk: str | None
    impact: int
    urgency: int
    priority: int
    assignee: str | None
    assignee_name: str | None
    hold_reason: str
    resolution_kind: str | None
    resolution_text: str
    closed_how: str | None
    reopen_count: int
    version: int
    logged_at: dt.datetime
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    service: str | None = None
    respond_due_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    """When the resolution is due while its clock runs (docs/service_levels.md)."""
    respond_met: bool | None = None
    resolve_met: bool | None = None
    resolve_secs: int | None = None
    """Time taken to resolve, less time on hold, on the target's clock."""
    description: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    notes: tuple[CallNote, ...] = ()
    past_resolutions: tuple[PastResolution, ...] = ()
    """Its resolutions before each reopen, oldest first (read with its notes)."""

    @property
    def number(self) -> str:
        """INC-000042."""
        return log_number(self.id)

    @property
    def scan(self) -> str:
        """The QR payload: INC-000042-K7QX."""
        return scan_payload(self.id, self.check_code)

    @property
    def status_word(self) -> str:
        """The status in plain words."""
        return STATUS_WORDS[self.status]

    @property
    def priority_label(self) -> str:
        """P1 (most urgent) to P5."""
        return f"P{self.priority}"

    def to_json(self, detail: bool = False) -> dict:
        """The object `--json` prints (docs/architecture.md); `detail` adds what `show` adds."""
        data = {
            "number": self.number,
            "scan": self.scan,
            "status": self.status,
            "summary": self.summary,
            "requester": self.requester,
            "requester_role": self.requester_role,
            "location": self.location,
            "category": self.category,
            "channel": self.channel,
            "priority": self.priority_label,
            "impact": LEVELS[self.impact],
            "urgency": LEVELS[self.urgency],
            "assignee": self.assignee,
            "asset": self.asset,
            "created_at": iso(self.logged_at),
            "responded_at": iso(self.responded_at),
            "resolved_at": iso(self.resolved_at),
            "closed_at": iso(self.closed_at),
            "service": self.service,
            "respond_due_at": iso(self.respond_due_at),
            "due_at": iso(self.due_at),
        }
        if detail:
            data.update(
                requester_group=self.requester_group,
                requester_email=self.requester_email,
                kiosk=self.kiosk,
                description=self.description,
                answers=dict(self.answers),
                hold_reason=self.hold_reason,
                resolution_kind=self.resolution_kind,
                resolution=self.resolution_text,
                closed_how=self.closed_how,
                reopen_count=self.reopen_count,
                respond_met=self.respond_met,
                resolve_met=self.resolve_met,
                resolve_seconds=self.resolve_secs,
                notes=[note.to_json() for note in self.notes],
                previous_resolutions=[past.to_json() for past in self.past_resolutions],
            )
        return data


PLAIN_STATUS = {
    "logged": "We have it, and it is waiting for a technician.",
    "assigned": "A technician has it and will look at it soon.",
    "in_progress": "A technician is working on it.",
    "on_hold": "It is waiting for something, like a new part.",
    "resolved": "We think it is fixed.",
    "closed": "It is finished and closed.",
}
"""Each status in words a nine-year-old reads easily."""


@dataclass(frozen=True)
class CallerView:
    """What a caller may see of their call at a kiosk. Without the check code,
    only `status_word` is filled in (docs/architecture.md)."""

    number: str
    status: str
    status_word: str
    verified: bool
    scan: str | None = None
    plain_status: str | None = None
    summary: str | None = None
    technician: str | None = None
    """The first name of the technician who has it."""
    latest_news: str | None = None
    """The latest public note."""
    what_we_did: str | None = None
    """Once resolved, the fix or workaround as the technician wrote it for the caller."""
    aim: str = ""
    """When we aim to fix it, in words ("We aim to fix it by Tuesday afternoon.")."""

    @property
    def can_answer(self) -> bool:
        """Whether the caller may now say if it is fixed."""
        return self.verified and self.status == "resolved"
