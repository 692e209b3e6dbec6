"""A believable secondary school's worth of records, for trying FITS Desk and for benchmarks.

    from store.demo import demo
    demo.fill(incidents=3000, by="jsmith", progress=lambda done, total: ...)

About 1,200 pupils in tutor groups 7A-13E, 150 staff in departments, real
room codes, kiosks, technicians (the person running it among them, so the
desk opens for them), some 900 assets, and a year of incidents on school
days and in lesson times, with the categories, channels and outcomes a real
school sees: most closed, some resolved and waiting, the recent ones open.
Rows go in by bulk insert (executemany on SQLite, COPY on PostgreSQL) in
transactions of 20,000, so a million incidents take minutes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence

from store.db import config, database, journal
from store.db.database import db, write
from store.db.errors import BadInput
from store.db.models import Asset, Category, Kiosk, Location, Person, Technician
from store.db.numbers import CHECK_ALPHABET
from store.demo import changes as demo_changes
from store.demo import continuity as demo_continuity
from store.demo import finance as demo_finance
from store.demo import mail as demo_mail
from store.demo import problems as demo_problems
from store.demo import register as demo_register
from store.demo import service_levels as demo_service_levels
from store.demo.school import (
    DAY,
    DEPARTMENTS,
    FAULTS,
    FIRST,
    FOLLOW_UPS,
    KIOSKS,
    LAST,
    ROOMS,
    TECHNICIANS,
)
from store.school import kiosks, notices, people
from store.servicedesk.servicedesk import school_days_before

BATCH = 20_000
DEMO_PIN = "2468"
"""The kiosk exit PIN a demo school gets, when no PIN has been set."""
DEMO_NOTICES = (
    ("The Sixth Form printers are being replaced this week. Please print in the Library.", None),
)


def _people(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(name, role, group, email) for pupils, staff, parents and visitors, all different."""
    seen: set[str] = set()
    out = []

    def add(name: str, role: str, group: str, email: str = "") -> None:
        key = "|".join((name.casefold(), role, group.casefold()))
        if key not in seen:
            seen.add(key)
            out.append((name, role, group, email))

    for year in range(7, 14):
        forms = "ABCDEF" if year < 12 else "ABCDE"
        for form in forms:
            for _ in range(30):
                add(f"{rng.choice(FIRST)} {rng.choice(LAST)}", "pupil", f"{year}{form}")
    for _ in range(150):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first[0].lower()}.{last.lower().replace(chr(39), '')}@school.example"
        add(
            f"{rng.choice(('Mr', 'Ms', 'Mrs', 'Dr'))} {first} {last}",
            "staff",
            rng.choice(DEPARTMENTS),
            email,
        )
    for _ in range(40):
        add(f"{rng.choice(FIRST)} {rng.choice(LAST)}", "parent", "")
    for _ in range(10):
        add(f"{rng.choice(FIRST)} {rng.choice(LAST)}", "visitor", "")
    return out


def _school_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Weekdays from start to end outside the usual English school holidays."""
    days = []
    day = start
    while day <= end:
        holiday = (
            (day.month == 12 and day.day >= 20)
            or (day.month == 1 and day.day <= 3)
            or (day.month == 8)
            or (day.month == 7 and day.day >= 23)
            or (day.month == 9 and day.day <= 3)
            or (day.month == 4 and day.day <= 14)
            or (day.month == 10 and 24 <= day.day <= 31)
            or (day.month == 2 and 14 <= day.day <= 20)
            or (day.month == 5 and day.day >= 26)
            or (day.month == 6 and day.day <= 1)
        )
        if day.weekday() < 5 and not holiday:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    """A time on `day` when calls arrive (mostly in the first minutes of a lesson), as UTC."""
    slot = rng.choices(range(len(DAY) - 1), weights=(1, 6, 5, 5, 2, 5, 2, 5, 5, 2))[0]
    start = dt.datetime.combine(day, dt.time(*DAY[slot]))
    end = dt.datetime.combine(day, dt.time(*DAY[slot + 1]))
    seconds = int((end - start).total_seconds() * min(rng.random(), rng.random()))
    local = start + dt.timedelta(seconds=seconds, microseconds=rng.randrange(1_000_000))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _working(moment: dt.datetime) -> dt.datetime:
    """`moment` (UTC) moved forward into the IT office's hours, 08:00-16:30 on a weekday."""
    local = moment.replace(tzinfo=dt.UTC).astimezone()
    opens, closes = dt.time(8, 0), dt.time(16, 30)
    if local.weekday() < 5 and opens <= local.time() <= closes:
        return moment
    day = local.date() + dt.timedelta(days=local.time() > closes)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, opens) + dt.timedelta(minutes=local.minute)
    return start.astimezone(dt.UTC).replace(tzinfo=None)


def _insert(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """Bulk-insert rows whose ids are already chosen (or not needed)."""
    if not rows:
        return
    if database.is_sqlite():
        marks = ", ".join("?" for _ in columns)
        db.obj.cursor().executemany(
            f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows
        )
        return
    with (
        db.obj.cursor() as cursor,
        cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _insert_calls(rows: list[tuple]) -> list[int]:
    """Insert incident rows (without ids) and return the ids the database gave them."""
    columns = INCIDENT_COLUMNS[1:]
    if database.is_sqlite():
        # Inside BEGIN IMMEDIATE nobody else inserts, so one batch gets consecutive rowids.
        cursor = db.obj.cursor()
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(f"INSERT INTO incident ({', '.join(columns)}) VALUES ({marks})", rows)
        last = cursor.execute("SELECT last_insert_rowid()").fetchone()[0]
        return list(range(last - len(rows) + 1, last + 1))
    ids = [
        row[0]
        for row in db.obj.execute_sql(
            "SELECT nextval(pg_get_serial_sequence('incident', 'id')) FROM generate_series(1, %s)",
            (len(rows),),
        ).fetchall()
    ]
    _insert(
        "incident",
        INCIDENT_COLUMNS,
        [(new_id, *row) for new_id, row in zip(ids, rows, strict=True)],
    )
    return ids


def _setup(rng: random.Random, by: str, now: dt.datetime) -> dict:
    """Rooms, kiosks, technicians, people, assets, notices and a kiosk PIN; skips what is
    already there."""
    with write():
        people.manager_or_first(by, "fill the database with a demo school")
        have = {row.code for row in Location.select(Location.code)}
        for code, name, site in ROOMS:
            if code not in have:
                row = Location.create(code=code, name=name, site=site)
                journal.record(by, row, "demo", after=f"{code} {name}", at=now)
        rooms = {row.code: row.id for row in Location.select()}
        for name, code in KIOSKS:
            if not Kiosk.select().where(Kiosk.name == name).exists():
                row = Kiosk.create(name=name, location=rooms[code])
                journal.record(by, row, "demo", after=f"{name} at {code}", at=now)
        techs = list(TECHNICIANS)
        if by not in {login for login, _n, _r in techs}:
            techs.append((by, by.capitalize(), "technician,manager,committee"))
        for login, name, roles in techs:
            if not Technician.select().where(Technician.login == login).exists():
                row = Technician.create(login=login, full_name=name, roles=roles, created_at=now)
                journal.record(by, row, "demo", after=f"{name} ({roles})", at=now)
        already = Person.select().where(Person.role == "pupil").count() >= 1000
        for name, role, group, email in [] if already else _people(rng):
            key = "|".join((name.casefold(), role, group.casefold()))
            Person.insert(
                name=name, role=role, group_name=group, email=email, match_key=key, created_at=now
            ).on_conflict_ignore().execute()
        tags = {row.tag for row in Asset.select(Asset.tag)}
        today = now.date()
        for tag, kind, description, code in demo_register.devices(rng, [c for c, _n, _s in ROOMS]):
            if tag not in tags:
                make, model = demo_register.split_name(description)
                Asset.insert(
                    tag=tag,
                    kind=kind,
                    make=make,
                    model=model,
                    location=rooms.get(code),
                    **demo_register.device_details(rng, kind, today),
                ).execute()
    if not kiosks.pin_is_set():
        kiosks.set_pin(DEMO_PIN, by=by)
    demo_register.fill_register(rng, by, rooms)
    if not notices.list_notices(include_old=True):
        for text, code in DEMO_NOTICES:
            notices.add_notice(text, location=code, by=by)
    return {
        "rooms": rooms,
        "kiosks": {row.location_id: row.id for row in Kiosk.select()},
        "techs": [row.id for row in Technician.select().where(Technician.active)],
        "tech_logins": {row.id: row.login for row in Technician.select()},
        "pupils": [p.id for p in Person.select(Person.id).where(Person.role == "pupil")],
        "staff": [p.id for p in Person.select(Person.id).where(Person.role == "staff")],
        "others": [
            p.id for p in Person.select(Person.id).where(Person.role.in_(("parent", "visitor")))
        ],
        "categories": {row.name: row for row in Category.select()},
        "assets": [(a.id, a.kind, a.location_id) for a in Asset.select()],
    }


INCIDENT_COLUMNS = (
    "id",
    "check_code",
    "channel",
    "requester_id",
    "location_id",
    "category_id",
    "asset_id",
    "kiosk_id",
    "summary",
    "description",
    "trying_to_do",
    "happened_instead",
    "already_tried",
    "last_worked",
    "happened_before",
    "impact",
    "urgency",
    "priority",
    "status",
    "assignee_id",
    "hold_reason",
    "resolution_kind",
    "resolution_text",
    "closed_how",
    "reopen_count",
    "version",
    "logged_at",
    "responded_at",
    "resolved_at",
    "closed_at",
    "updated_at",
    "service_id",
    "respond_due_at",
    "due_at",
    "respond_secs",
    "resolve_secs",
    "respond_met",
    "resolve_met",
)
JOURNAL_COLUMNS = ("at", "who", "record", "record_id", "action", "field", "before", "after")
NOTE_COLUMNS = ("incident_id", "at", "author", "public", "text")

KIND_FOR = {
    "laptop": ("laptop", "chromebook"),
    "desktop": ("desktop",),
    "projector": ("projector",),
    "printer": ("printer",),
    "wifi": ("access_point",),
}


def _calls(
    rng: random.Random, school: dict, size: int, days: list[dt.date], now: dt.datetime, matrix
) -> tuple[list, list, list]:
    """Incident, journal and note rows for one batch; journal and note rows name their
    incident by its place in the batch, until the database has given it an id."""
    names = [name for name in FAULTS if name in school["categories"]]
    weights = [FAULTS[name][0] for name in names]
    rooms = list(school["rooms"].values())
    by_kind: dict[str, list] = {}
    for asset in school["assets"]:
        by_kind.setdefault(asset[1], []).append(asset)
    incidents, journal_rows, notes = [], [], []
    unanswered_before = school_days_before(now, config.current().close_after_days)
    for new_id in range(size):
        name = rng.choices(names, weights)[0]
        kind = school["categories"][name]
        _weight, summaries, fixes, workarounds = FAULTS[name]
        logged = _moment(rng, rng.choice(days))
        if logged > now:  # later today than it is now: on the school day before instead
            logged = _moment(rng, days[-2]) if len(days) > 1 else now
        who = rng.random()
        if who < 0.6:
            requester, role = rng.choice(school["pupils"]), "pupil"
        elif who < 0.97:
            requester, role = rng.choice(school["staff"]), "staff"
        else:
            requester, role = rng.choice(school["others"]), "parent"
        room = rng.choice(rooms)
        channel = (
            rng.choices(("kiosk", "visit", "email"), (70, 25, 5))[0]
            if role == "pupil"
            else rng.choices(("phone", "email", "visit", "desk", "kiosk"), (30, 35, 15, 15, 5))[0]
        )
        kiosk = school["kiosks"].get(room) if channel == "kiosk" else None
        if channel == "kiosk" and kiosk is None:
            room, kiosk = next(iter(school["kiosks"].items()))
        asset = None
        kinds = KIND_FOR.get(name)
        if kinds and rng.random() < 0.6:
            pool = [a for k in kinds for a in by_kind.get(k, ())]
            if pool:
                asset = rng.choice(pool)
                room = asset[2] or room
        impact, urgency = kind.impact, kind.urgency
        if rng.random() < 0.1:
            impact, urgency = rng.randint(1, 3), rng.randint(1, 3)
        age_days = (now - logged).total_seconds() / 86400
        tech = rng.choice(school["techs"]) if school["techs"] else None
        # The most urgent calls are answered and fixed sooner: mostly within their targets.
        latest, mean_fix = SPEED.get(matrix[impact - 1][urgency - 1], (240, 20.0))
        responded = _working(logged + dt.timedelta(minutes=rng.randrange(5, latest)))
        resolved = _working(responded + dt.timedelta(hours=rng.expovariate(1 / mean_fix)))
        if name == "login" and channel in ("phone", "visit") and rng.random() < 0.6:
            # A password reset while the caller waits: resolved at first contact.
            responded = logged + dt.timedelta(minutes=1)
            resolved = logged + dt.timedelta(minutes=rng.randrange(2, 12))
        if rng.random() < 0.75:  # the caller answers within a few days
            closed, closed_how = (
                _working(resolved + dt.timedelta(hours=rng.randrange(1, 72))),
                "confirmed",
            )
        else:
            closed, closed_how = resolved + dt.timedelta(days=7), "unanswered"
        status = "closed"
        if closed > now or age_days < 21:
            status = rng.choices(STATUS_MIX_RECENT, (20, 20, 25, 10, 25))[0]
            if age_days > 3 and status == "logged":
                status = "assigned"
        if status in ("logged",):
            tech = None
        if status == "logged" or responded > now:
            responded = None
        if status not in ("resolved", "closed") or resolved > now:
            resolved = None
            if status in ("resolved", "closed"):
                status = "in_progress" if tech else "logged"
        if status != "closed" or closed > now:
            closed = None
            if status == "closed":
                status = "resolved"
        if status == "resolved" and resolved <= unanswered_before:
            # Nobody answered in the school days allowed: it closed itself, as FITS says.
            closed = min(resolved + dt.timedelta(days=7), now)
            status, closed_how = "closed", "unanswered"
        fixed = rng.random() < 0.8
        resolution_kind = ("fix" if fixed else "workaround") if resolved else None
        resolution = rng.choice(fixes if fixed else workarounds) if resolved else ""
        closed_how = closed_how if closed else None
        hold = (
            rng.choice(
                ("Waiting for a part", "Waiting for the supplier", "Caller away until Monday")
            )
            if status == "on_hold"
            else ""
        )
        check = "".join(rng.choices(CHECK_ALPHABET, k=4))
        summary = rng.choice(summaries)
        updated = closed or resolved or responded or logged
        incidents.append(
            (
                check,
                channel,
                requester,
                room,
                kind.id,
                asset[0] if asset else None,
                kiosk,
                summary,
                "",
                "",
                "",
                "",
                "",
                "",
                impact,
                urgency,
                matrix[impact - 1][urgency - 1],
                status,
                tech,
                hold,
                resolution_kind,
                resolution,
                closed_how,
                0,
                1 + bool(responded) + bool(resolved) + bool(closed),
                logged,
                responded,
                resolved,
                closed,
                updated,
                *school["clocks"].row(
                    kind.id,
                    asset[0] if asset else None,
                    matrix[impact - 1][urgency - 1],
                    status,
                    logged,
                    responded,
                    resolved,
                ),
            )
        )
        tech_login = school["tech_logins"].get(tech, "")
        journal_rows.append((logged, "demo", "incident", new_id, "log", "status", None, "logged"))
        if responded:
            journal_rows.append(
                (responded, tech_login, "incident", new_id, "assign", "assignee", None, tech_login)
            )
        if resolved:
            journal_rows.append(
                (
                    resolved,
                    tech_login,
                    "incident",
                    new_id,
                    "resolve",
                    "status",
                    "in_progress",
                    "resolved",
                )
            )
        if closed:
            journal_rows.append(
                (
                    closed,
                    "caller" if closed_how == "confirmed" else "system",
                    "incident",
                    new_id,
                    "close",
                    "status",
                    "resolved",
                    "closed",
                )
            )
        if responded and rng.random() < 0.3:
            notes.append(
                (new_id, responded, tech_login, rng.random() < 0.5, rng.choice(FOLLOW_UPS))
            )
    return incidents, journal_rows, notes


SPEED = {1: (45, 2.5), 2: (80, 6.0)}
"""Per priority: the latest first answer in minutes, and the mean hours to a fix."""
STATUS_MIX_RECENT = ("logged", "assigned", "in_progress", "on_hold", "resolved")


def fill(
    incidents: int = 3000,
    *,
    by: str,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Add a demo school and `incidents` calls over the last year; return how many were added."""
    if type(incidents) is not int or not 0 <= incidents <= 5_000_000:
        raise BadInput("The number of incidents must be a whole number from 0 to 5,000,000.")
    rng = random.Random(seed)
    now = journal.now()
    if (
        not database.is_sqlite()
    ):  # a million calls and their VACUUM take longer than a statement may
        db.obj.execute_sql("SET statement_timeout = 0")
    school = _setup(rng, by, now)
    demo_changes.fill_calendar(by=by)  # first: the calls' clocks count on it
    demo_service_levels.fill_catalogue(rng, by, now)
    school["clocks"] = demo_service_levels.Clocks(now, now - dt.timedelta(days=366))
    days = _school_days((now - dt.timedelta(days=365)).date(), now.date())
    matrix = config.current().matrix
    planted = demo_problems.planted_calls(incidents)
    done = 0
    while done < incidents - planted:
        size = min(BATCH, incidents - planted - done)
        rows, journal_rows, notes = _calls(rng, school, size, days, now, matrix)
        with write():
            ids = _insert_calls(rows)
            _insert(
                "journal",
                JOURNAL_COLUMNS,
                [(*row[:3], ids[row[3]], *row[4:]) for row in journal_rows],
            )
            _insert("note", NOTE_COLUMNS, [(ids[row[0]], *row[1:]) for row in notes])
        done += size
        if progress:
            progress(done, incidents)
    if planted:
        done += demo_problems.plant_trends(rng, by, now, days)
        if progress:
            progress(done, incidents)
    resolver = next(login for login, _n, _r in TECHNICIANS if login != by)
    demo_problems.fill_problems(by, resolver)
    demo_problems.fill_metrics(rng, by, now)
    demo_changes.fill_changes(by=by)
    demo_changes.fill_builds(by=by)
    demo_mail.fill_mail()
    demo_finance.fill_finance(rng, by=by, today=now.date())
    demo_continuity.fill_plans(by=by)
    # Fresh statistics for the planner; on PostgreSQL also the visibility map, without which
    # counting a view's calls reads the table instead of only its index.
    if database.is_sqlite():
        db.obj.execute_sql("ANALYZE")
    else:  # only this school's tables: the database may hold other schools' schemas
        (schema,) = db.obj.execute_sql("SELECT current_schema()").fetchone()
        tables = ", ".join(f'"{schema}"."{name}"' for name in db.obj.get_tables(schema=schema))
        db.obj.execute_sql(f"VACUUM ANALYZE {tables}")
    return done
