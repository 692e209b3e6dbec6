"""The tables. Screens and the command line never import this: they call store functions.

    from store.db.models import Incident
    Incident.select().where(Incident.status.in_(OPEN)).order_by(Incident.priority)

The schema itself is made by `store/db/migrations`; a change here needs a new
numbered script there. Times are naive UTC. People's text is TextField: the
sanitiser enforces its length, so the database never truncates or refuses it.
"""

from __future__ import annotations

import peewee as pw

from store.db.database import Base

ROLES = ("pupil", "staff", "parent", "visitor")
"""Who a caller is to the school."""
TECH_ROLES = ("technician", "manager", "committee")
"""What a technician may do (docs/security.md)."""
CHANNELS = ("kiosk", "phone", "visit", "email", "desk")
"""How a call reached the service desk."""
STATUSES = ("logged", "assigned", "in_progress", "on_hold", "resolved", "closed")
"""The incident lifecycle, in order (docs/architecture.md)."""
OPEN = ("logged", "assigned", "in_progress", "on_hold")
"""Statuses in which a call still needs a technician."""
RESOLUTION_KINDS = ("fix", "workaround")
ASSET_STATUSES = ("in_use", "spare", "in_repair", "on_loan", "retired")
"""Where a device is in its life."""
LICENCES = ("site", "per_seat", "subscription", "free")
"""How a title is licensed."""
LEVELS = {1: "high", 2: "medium", 3: "low"}
"""Impact and urgency, 1 (high) to 3 (low)."""


class Location(Base):
    """A room or place in the school, by the school's own code."""

    code = pw.CharField(max_length=20, unique=True)
    name = pw.TextField()
    site = pw.TextField(default="")


class Category(Base):
    """A kind of fault, with the words a pupil sees and its usual impact and urgency."""

    name = pw.CharField(max_length=40, unique=True)
    label = pw.TextField()
    impact = pw.SmallIntegerField(default=3)
    urgency = pw.SmallIntegerField(default=3)
    on_kiosk = pw.BooleanField(default=True)
    position = pw.IntegerField(default=100)


class Person(Base):
    """Someone who calls the service desk: pupil, staff, parent or visitor."""

    name = pw.TextField()
    role = pw.CharField(max_length=10)
    group_name = pw.TextField(default="")
    email = pw.TextField(default="")
    match_key = pw.TextField(unique=True)
    created_at = pw.DateTimeField()


def holds(roles: str, role: str) -> bool:
    """Whether a technician's comma-separated `roles` include `role`; a manager can do a
    technician's work."""
    given = roles.split(",")
    return role in given or (role == "technician" and "manager" in given)


class Technician(Base):
    """Someone who works the queue; `login` is their login name on the server."""

    login = pw.CharField(max_length=32, unique=True)
    full_name = pw.TextField()
    roles = pw.TextField(default="technician")
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField()
    audit_read_at = pw.DateTimeField(null=True)
    """When this manager last read the security audit trail."""


class Asset(Base):
    """A device on the register, known by the tag on its label."""

    tag = pw.CharField(max_length=40, unique=True)
    kind = pw.CharField(max_length=30, default="other")
    description = pw.TextField(default="")
    location = pw.ForeignKeyField(Location, null=True, backref="assets")
    make = pw.TextField(default="")
    model = pw.TextField(default="")
    serial = pw.TextField(default="")
    assigned_to = pw.TextField(default="")
    status = pw.CharField(max_length=10, default="in_use")
    purchased_on = pw.DateField(null=True)
    cost_pence = pw.IntegerField(null=True)
    supplier = pw.TextField(default="")
    warranty_end = pw.DateField(null=True)
    notes = pw.TextField(default="")
    part_of = pw.ForeignKeyField("self", null=True, backref="parts")
    version = pw.IntegerField(default=1)
    funding = pw.TextField(default="")
    """Where the money came from ("Devolved capital", "PTA"), in words."""
    useful_life_years = pw.SmallIntegerField(null=True)
    """This device's own useful life; none: its kind's (store.finance)."""
    replace_in = pw.IntegerField(null=True)
    """The financial year (its first calendar year) it is planned to be replaced in."""


CRITICALITIES = ("high", "medium", "low")
"""How much the school's teaching stops when a service is down."""
COVERS = ("school", "always")
"""When a service is agreed to be up: school hours (store.service_levels.hours) or always."""


class Service(Base):
    """A service the school depends on (FITS service catalogue): Printing, Wi-Fi, MIS."""

    name = pw.CharField(max_length=60, unique=True)
    description = pw.TextField(default="")
    owner = pw.TextField(default="")
    """Who answers for it at the school ("Business manager"), in words."""
    cover = pw.CharField(max_length=10, default="school")
    criticality = pw.CharField(max_length=10, default="medium")
    availability_target = pw.FloatField(default=99.0)
    """Percent of the agreed hours it should be up."""
    supplier = pw.TextField(default="")
    contract = pw.TextField(default="")
    """The supplier's contract reference, where a third party underpins it."""
    retired = pw.BooleanField(default=False)
    created_at = pw.DateTimeField()
    updated_at = pw.DateTimeField(null=True)
    version = pw.IntegerField(default=1)


class ServiceCategory(Base):
    """A kind of fault that belongs to a service: a call of that kind is about it."""

    service = pw.ForeignKeyField(Service, backref="categories")
    category = pw.ForeignKeyField(Category, unique=True)


class ServiceAsset(Base):
    """A device a service stands on: a call about it is about the service."""

    service = pw.ForeignKeyField(Service, backref="assets")
    asset = pw.ForeignKeyField(Asset, unique=True)


class Kiosk(Base):
    """A walk-up terminal and where it stands."""

    name = pw.CharField(max_length=40, unique=True)
    location = pw.ForeignKeyField(Location, backref="kiosks")


class Incident(Base):
    """One call to the service desk and the work on it."""

    check_code = pw.CharField(max_length=4)
    channel = pw.CharField(max_length=10)
    requester = pw.ForeignKeyField(Person, backref="incidents")
    location = pw.ForeignKeyField(Location, null=True)
    category = pw.ForeignKeyField(Category, null=True)
    asset = pw.ForeignKeyField(Asset, null=True, backref="incidents")
    kiosk = pw.ForeignKeyField(Kiosk, null=True)
    summary = pw.TextField()
    description = pw.TextField(default="")
    trying_to_do = pw.TextField(default="")
    happened_instead = pw.TextField(default="")
    already_tried = pw.TextField(default="")
    last_worked = pw.TextField(default="")
    happened_before = pw.TextField(default="")
    impact = pw.SmallIntegerField()
    urgency = pw.SmallIntegerField()
    priority = pw.SmallIntegerField()
    status = pw.CharField(max_length=12)
    assignee = pw.ForeignKeyField(Technician, null=True)
    hold_reason = pw.TextField(default="")
    resolution_kind = pw.CharField(max_length=10, null=True)
    resolution_text = pw.TextField(default="")
    closed_how = pw.CharField(max_length=12, null=True)
    reopen_count = pw.IntegerField(default=0)
    version = pw.IntegerField(default=1)
    logged_at = pw.DateTimeField()
    responded_at = pw.DateTimeField(null=True)
    resolved_at = pw.DateTimeField(null=True)
    closed_at = pw.DateTimeField(null=True)
    updated_at = pw.DateTimeField()
    duplicate_of = pw.ForeignKeyField(
        "self", null=True, backref="duplicates", column_name="duplicate_of_id", index=True
    )
    """The open call this one reports again, when a kiosk found one (docs/kiosk.md)."""
    service = pw.ForeignKeyField(Service, null=True, backref="incidents")
    respond_due_at = pw.DateTimeField(null=True)
    """When the first response is due (docs/service_levels.md)."""
    due_at = pw.DateTimeField(null=True)
    """When the resolution is due while its clock runs; none on hold or once resolved."""
    respond_secs = pw.IntegerField(null=True)
    """Time to the first response, on the target's clock, once responded."""
    resolve_secs = pw.IntegerField(null=True)
    """Time to resolve less time on hold, on the target's clock, frozen at resolve."""
    respond_met = pw.BooleanField(null=True)
    resolve_met = pw.BooleanField(null=True)


class Note(Base):
    """Words added to a call; public ones are seen by the caller."""

    incident = pw.ForeignKeyField(Incident, backref="notes")
    at = pw.DateTimeField()
    author = pw.TextField()
    public = pw.BooleanField()
    text = pw.TextField()


class Notice(Base):
    """A short public message for the kiosks ("Wi-Fi is down in the Library, we're on it")."""

    text = pw.TextField()
    location = pw.ForeignKeyField(Location, null=True)
    starts_at = pw.DateTimeField()
    until = pw.DateTimeField(null=True)
    created_by = pw.TextField()
    withdrawn_at = pw.DateTimeField(null=True)


class Attempt(Base):
    """A try at a kiosk counted against its limits: a report sent ('report'), or a wrong
    check code or PIN ('check', 'pin'), which slow guessing down."""

    kiosk = pw.ForeignKeyField(Kiosk, null=True)
    kind = pw.CharField(max_length=10)
    at = pw.DateTimeField()
    target = pw.TextField(default="")
    """The log number a check code was tried for ("" for other tries): wrong codes count
    against the number, at every kiosk (docs/kiosk.md)."""


class Setting(Base):
    """A school-wide value kept in the database, such as the kiosk exit PIN's hash."""

    key = pw.CharField(max_length=40, unique=True)
    value = pw.TextField()
    version = pw.IntegerField(default=1)

    @classmethod
    def put(cls, key: str, value: str) -> Setting:
        """Set `key` to `value`, adding it or raising its version; the row, to journal.
        Call inside `write()`."""
        row = cls.get_or_none(cls.key == key)
        if row is None:
            return cls.create(key=key, value=value)
        cls.update(value=value, version=row.version + 1).where(cls.id == row.id).execute()
        return row


class Loan(Base):
    """A spare lent while a device is in for repair (or lent on its own)."""

    incident = pw.ForeignKeyField(Incident, null=True)
    handed_in = pw.ForeignKeyField(Asset, null=True)
    lent = pw.ForeignKeyField(Asset)
    borrower = pw.TextField()
    lent_at = pw.DateTimeField()
    lent_by = pw.TextField()
    returned_at = pw.DateTimeField(null=True)
    returned_by = pw.TextField(null=True)


class Software(Base):
    """A title in the software library, and its licence."""

    title = pw.TextField()
    version = pw.TextField(default="")
    publisher = pw.TextField(default="")
    purposes = pw.TextField(default="")
    licence = pw.CharField(max_length=12, default="site")
    seats = pw.IntegerField(null=True)
    renews_on = pw.DateField(null=True)
    notes = pw.TextField(default="")
    retired = pw.BooleanField(default=False)
    cost_pence = pw.IntegerField(null=True)
    """What the licence costs, per `cost_per`."""
    cost_per = pw.CharField(max_length=10, default="year")
    """"seat" (a year), "year" (the whole licence, a year) or "once" (bought outright)."""
    auto_renew = pw.BooleanField(default=False)
    remind_days = pw.IntegerField(default=60)
    """How long before `renews_on` the desk starts reminding."""


class SoftwareInstall(Base):
    """Where a title is installed: on one device, or in a whole room."""

    software = pw.ForeignKeyField(Software, backref="installs")
    asset = pw.ForeignKeyField(Asset, null=True)
    location = pw.ForeignKeyField(Location, null=True)
    installed_at = pw.DateTimeField()
    change_id = pw.IntegerField(null=True)
    """The change (RFC) it was installed under, such as a standard build's."""
    over_licence = pw.TextField(default="")
    """Why a manager allowed it beyond the seats, when they did."""


class Build(Base):
    """A standard build: a named image and the software on it."""

    name = pw.CharField(max_length=60, unique=True)
    description = pw.TextField(default="")


class BuildSoftware(Base):
    """One title on one build."""

    build = pw.ForeignKeyField(Build, backref="titles")
    software = pw.ForeignKeyField(Software)


class Journal(Base):
    """Every change to every record: who, when, what, before and after. Never deleted."""

    at = pw.DateTimeField()
    who = pw.TextField()
    record = pw.CharField(max_length=20)
    record_id = pw.IntegerField()
    action = pw.CharField(max_length=30)
    field = pw.CharField(max_length=30, null=True)
    before = pw.TextField(null=True)
    after = pw.TextField(null=True)


PROBLEM_STATUSES = (
    "open",
    "investigating",
    "known_error",
    "fix_in_progress",
    "resolved",
    "closed",
)
"""The problem lifecycle, in order: a known error has a workaround published."""


class Problem(Base):
    """The root cause behind recurring or major incidents, and what is known about it."""

    title = pw.TextField()
    description = pw.TextField(default="")
    status = pw.CharField(max_length=16, default="open")
    owner = pw.ForeignKeyField(Technician, null=True)
    resolver = pw.ForeignKeyField(Technician, null=True)
    root_cause = pw.TextField(default="")
    workaround = pw.TextField(default="")
    major = pw.BooleanField(default=False)
    public = pw.BooleanField(default=False)
    """Whether a known error is shown at the kiosks."""
    public_text = pw.TextField(default="")
    """What pupils read at the kiosk: plain words, not the technicians' workaround."""
    parent = pw.ForeignKeyField("self", null=True, backref="children")
    change_id = pw.IntegerField(null=True)
    """The RFC that fixes it (the change table arrives with change management)."""
    origin = pw.TextField(null=True)
    """What raised it on its own ("metric:3"), so it is raised once, not every day."""
    created_by = pw.TextField()
    created_at = pw.DateTimeField()
    updated_at = pw.DateTimeField()
    resolved_at = pw.DateTimeField(null=True)
    closed_at = pw.DateTimeField(null=True)
    version = pw.IntegerField(default=1)


Notice._meta.add_field(
    "problem", pw.ForeignKeyField(Problem, null=True, backref="notices")
)  # a known error's notice: Problem is declared after Notice


class ProblemIncident(Base):
    """An incident linked to a problem; `via` says how (desk, kiosk, trend)."""

    problem = pw.ForeignKeyField(Problem, backref="incident_links")
    incident = pw.ForeignKeyField(Incident)
    via = pw.CharField(max_length=10, default="desk")
    linked_at = pw.DateTimeField()
    linked_by = pw.TextField()


class ProblemAsset(Base):
    """A device a problem affects."""

    problem = pw.ForeignKeyField(Problem)
    asset = pw.ForeignKeyField(Asset)


class ProblemLocation(Base):
    """A room or place a problem affects."""

    problem = pw.ForeignKeyField(Problem)
    location = pw.ForeignKeyField(Location)


class ProblemCategory(Base):
    """A kind of fault a problem shows up as."""

    problem = pw.ForeignKeyField(Problem)
    category = pw.ForeignKeyField(Category)


class Metric(Base):
    """Something measured against a capacity, such as a file server's disk."""

    name = pw.CharField(max_length=60, unique=True)
    unit = pw.TextField(default="")
    capacity = pw.FloatField()
    warning = pw.FloatField(null=True)
    """The level that is worth a warning, below the capacity."""
    warn_days = pw.IntegerField(default=30)
    """A forecast of reaching capacity within this many days raises a problem."""
    source = pw.TextField(default="")
    """Where samples come from, such as "df:/srv" for `fitsdesk metric df`."""
    created_at = pw.DateTimeField()
    version = pw.IntegerField(default=1)


class Sample(Base):
    """One reading of a metric."""

    metric = pw.ForeignKeyField(Metric, backref="samples")
    at = pw.DateTimeField()
    value = pw.FloatField()


CALENDAR_KINDS = ("term", "holiday", "inset", "exam", "freeze", "other")
"""What a dated calendar event is: term time, a holiday, a training (INSET) day, an exam
period, a change freeze, or something else worth knowing."""
PERIOD_KINDS = ("lesson", "registration", "break", "lunch", "after_school")
"""What a period of the school day is."""


class CalendarEvent(Base):
    """A dated span of the school calendar; times naive UTC, the end exclusive."""

    kind = pw.CharField(max_length=10)
    title = pw.TextField()
    starts_at = pw.DateTimeField()
    ends_at = pw.DateTimeField()
    all_day = pw.BooleanField(default=True)
    location = pw.ForeignKeyField(Location, null=True)
    """The room an exam or freeze is in; None: the whole school."""
    uid = pw.TextField(default="")
    source = pw.TextField(default="")
    """Where it came from (an iCalendar file's name, "toml", "desk"), so an import replaces
    what the same file brought before."""
    created_at = pw.DateTimeField()


class Period(Base):
    """A period of the school day, in the school's local time ("08:45" to "09:45")."""

    name = pw.TextField()
    kind = pw.CharField(max_length=12)
    starts = pw.CharField(max_length=5)
    ends = pw.CharField(max_length=5)
    days = pw.CharField(max_length=7, default="12345")
    """ISO weekdays it runs on: 1 Monday ... 7 Sunday."""


CHANGE_KINDS = ("standard", "normal", "emergency")
"""A standard change is pre-approved and skips the committee; an emergency change is
approved by a manager and reviewed by the committee afterwards."""
CHANGE_STATUSES = (
    "raised",
    "planning",
    "peer_review",
    "reviewed",
    "scheduled",
    "implemented",
    "registered",
    "closed",
    "rejected",
    "backed_out",
    "cancelled",
)
"""The change lifecycle (FITS): raised (awaiting approval to proceed) -> planning -> peer
review -> reviewed (awaiting approval to implement) -> scheduled (approved, communicated)
-> implemented -> registered (the asset register updated) -> closed; or rejected, backed
out, cancelled."""
RISKS = ("low", "medium", "high")
VOTES = ("approve", "reject", "abstain")
STAGES = ("proceed", "implement", "afterwards")
"""What the committee votes on: approval to proceed, approval to implement, and an
emergency change reviewed afterwards."""


class Change(Base):
    """A request for change (RFC) and its way through the change committee."""

    title = pw.TextField()
    reason = pw.TextField(default="")
    description = pw.TextField(default="")
    kind = pw.CharField(max_length=10, default="normal")
    status = pw.CharField(max_length=12, default="raised")
    risk = pw.CharField(max_length=6, default="low")
    affected = pw.TextField(default="")
    """The people affected, in words ("Year 9 music groups")."""
    implementation_plan = pw.TextField(default="")
    test_plan = pw.TextField(default="")
    backout_plan = pw.TextField(default="")
    window_start = pw.DateTimeField(null=True)
    window_end = pw.DateTimeField(null=True)
    originator = pw.ForeignKeyField(Technician, backref="changes_raised")
    peer_reviewer = pw.ForeignKeyField(Technician, null=True)
    implementer = pw.ForeignKeyField(Technician, null=True)
    incident = pw.ForeignKeyField(Incident, null=True)
    """The call that asked for it (a staff member's request)."""
    outcome = pw.CharField(max_length=12, null=True)
    """The post-implementation review's verdict: succeeded, failed, backed_out."""
    lessons = pw.TextField(default="")
    """What we learned, from the post-implementation review."""
    vote_round = pw.IntegerField(default=1)
    """Votes of earlier rounds (before it went back to planning) no longer count."""
    afterwards = pw.CharField(max_length=10, null=True)
    """An emergency change's review by the committee afterwards: endorsed or rejected."""
    created_at = pw.DateTimeField()
    updated_at = pw.DateTimeField()
    approved_at = pw.DateTimeField(null=True)
    implemented_at = pw.DateTimeField(null=True)
    closed_at = pw.DateTimeField(null=True)
    version = pw.IntegerField(default=1)


class ChangeAsset(Base):
    """A device a change works on."""

    change = pw.ForeignKeyField(Change)
    asset = pw.ForeignKeyField(Asset)


class ChangeLocation(Base):
    """A room a change works in."""

    change = pw.ForeignKeyField(Change)
    location = pw.ForeignKeyField(Location)


class ChangeSoftware(Base):
    """A title a change installs ("add") or removes ("remove") on its devices and rooms."""

    change = pw.ForeignKeyField(Change)
    software = pw.ForeignKeyField(Software)
    action = pw.CharField(max_length=6, default="add")


class ChangeIncident(Base):
    """An incident a change caused."""

    change = pw.ForeignKeyField(Change, backref="incident_links")
    incident = pw.ForeignKeyField(Incident)
    linked_at = pw.DateTimeField()
    linked_by = pw.TextField()


class Vote(Base):
    """A committee member's vote on one stage of a change."""

    change = pw.ForeignKeyField(Change, backref="votes")
    stage = pw.CharField(max_length=10)
    round = pw.IntegerField(default=1)
    """The change's vote_round when it was cast."""
    member = pw.ForeignKeyField(Technician)
    vote = pw.CharField(max_length=8)
    comment = pw.TextField(default="")
    at = pw.DateTimeField()


Notice._meta.add_field(
    "change", pw.ForeignKeyField(Change, null=True, backref="notices")
)  # a change's notice of its window


class MailIn(Base):
    """A message that came to the help desk's mailbox, and what the intake made of it."""

    key = pw.CharField(max_length=200, unique=True)
    """Its Message-ID (or a hash of the whole message when it has none): never taken twice."""
    received_at = pw.DateTimeField()
    sender_name = pw.TextField(default="")
    sender_address = pw.TextField(default="")
    subject = pw.TextField(default="")
    body = pw.TextField(default="")
    incident = pw.ForeignKeyField(Incident, null=True, backref="mail_in")
    outcome = pw.CharField(max_length=12)
    """logged, note, confirmed, reopened, ignored (automatic mail) or set_aside."""
    reason = pw.TextField(default="")
    """Why it was ignored or set aside, in words."""
    size = pw.IntegerField(default=0)


class MailAttachment(Base):
    """A file that came with a message: always listed, its bytes kept up to a size."""

    mail = pw.ForeignKeyField(MailIn, backref="attachments")
    name = pw.TextField()
    size = pw.IntegerField()
    content_type = pw.TextField(default="")
    content = pw.BlobField(null=True)


class MailOut(Base):
    """The outbox: a message to a caller, written with the change it tells of."""

    incident = pw.ForeignKeyField(Incident, null=True, backref="mail_out")
    kind = pw.CharField(max_length=10)
    """logged, note, resolved or closed (store.records.templates.KINDS)."""
    to_name = pw.TextField(default="")
    to_address = pw.TextField()
    subject = pw.TextField()
    body = pw.TextField()
    message_id = pw.CharField(max_length=200, unique=True)
    in_reply_to = pw.TextField(default="")
    status = pw.CharField(max_length=10, default="waiting")
    """waiting, sending, unsure (killed while the server had it), sent, failed, held,
    cancelled (by a technician)."""
    attempts = pw.IntegerField(default=0)
    queued_at = pw.DateTimeField()
    next_try_at = pw.DateTimeField()
    claimed_until = pw.DateTimeField(null=True)
    sent_at = pw.DateTimeField(null=True)
    last_error = pw.TextField(default="")


class AuditEntry(Base):
    """A refused action, for the security audit trail: a role check that said no, a
    wrong kiosk PIN or check code once the free tries are used up. Never deleted."""

    at = pw.DateTimeField(index=True)
    who = pw.TextField()
    action = pw.TextField()
    record = pw.TextField(default="")
    detail = pw.TextField(default="")


class Outage(Base):
    """A time a service was down: recorded by hand, or from a major incident about it."""

    service = pw.ForeignKeyField(Service, backref="outages")
    starts_at = pw.DateTimeField()
    ends_at = pw.DateTimeField(null=True)
    """None while it is still down."""
    incident = pw.ForeignKeyField(Incident, null=True)
    note = pw.TextField(default="")
    recorded_by = pw.TextField()
    recorded_at = pw.DateTimeField()


SPEND_CATEGORIES = (
    "hardware",
    "software",
    "licences",
    "repairs",
    "consumables",
    "services",
    "contracts",
)
"""What money goes on (FITS financial management): repairs include parts."""


class Spend(Base):
    """A cost: bought, renewed, repaired or paid for, in pence, never a float."""

    amount_pence = pw.IntegerField()
    category = pw.CharField(max_length=12)
    spent_on = pw.DateField(index=True)
    supplier = pw.TextField(default="")
    reference = pw.TextField(default="")
    """The order or invoice number."""
    description = pw.TextField(default="")
    asset = pw.ForeignKeyField(Asset, null=True, backref="spending")
    software = pw.ForeignKeyField(Software, null=True, backref="spending")
    incident = pw.ForeignKeyField(Incident, null=True, backref="spending")
    source = pw.TextField(default="desk")
    """Where it was recorded: "desk", or the file it was imported from."""
    created_by = pw.TextField()
    created_at = pw.DateTimeField()


class Budget(Base):
    """What the school plans to spend on one category in one financial year."""

    year = pw.IntegerField()
    """The financial year, by the calendar year it starts in (2026 is 2026-27)."""
    category = pw.CharField(max_length=12)
    amount_pence = pw.IntegerField()

    class Meta:
        indexes = ((("year", "category"), True),)


class ContinuityPlan(Base):
    """How a service is recovered (FITS IT service continuity): its priority, objectives,
    copies, steps, contacts and when it was last tested."""

    service = pw.ForeignKeyField(Service, unique=True, backref="plan")
    recovery_priority = pw.SmallIntegerField(default=3)
    """1 is recovered first."""
    rto_minutes = pw.IntegerField(null=True)
    """Recovery time objective: how soon it must be back."""
    rpo_minutes = pw.IntegerField(null=True)
    """Recovery point objective: how much recent data may be lost."""
    backup_method = pw.TextField(default="")
    copies = pw.SmallIntegerField(default=0)
    copy_devices = pw.SmallIntegerField(default=0)
    """How many different devices or media the copies are on."""
    offsite = pw.BooleanField(default=False)
    """Whether one copy is away from the school (or in the cloud)."""
    steps = pw.TextField(default="")
    contacts = pw.TextField(default="")
    reviewed_at = pw.DateTimeField(null=True)
    tested_on = pw.DateField(null=True)
    test_result = pw.CharField(max_length=10, null=True)
    """The last test's result: pass or fail."""
    created_at = pw.DateTimeField()
    updated_at = pw.DateTimeField(null=True)
    version = pw.IntegerField(default=1)


class ContinuityTest(Base):
    """One test of a continuity plan, kept for its history."""

    plan = pw.ForeignKeyField(ContinuityPlan, backref="tests")
    tested_on = pw.DateField()
    result = pw.CharField(max_length=10)
    notes = pw.TextField(default="")
    recorded_by = pw.TextField()
    recorded_at = pw.DateTimeField()
