"""The walk-up kiosks: where each stands, the technician's exit PIN, and the limits that
stop a curious pupil guessing codes or flooding the queue.

    from store.school import kiosks
    kiosks.add_kiosk("library", "LIB", by="jsmith")
    kiosks.set_pin("482913", by="jsmith")           # stored as a salted scrypt hash
    kiosks.try_pin("0000", kiosk="library")         # (False, 0), and the failure is counted
    kiosks.wait_seconds("library", "pin")           # how long before the next try

Failures are rows in the database, so restarting a kiosk does not reset them. Counting
a try, deciding on it and recording it is one write transaction that holds the kiosk's
count of that kind of try (SQLite's write lock, a PostgreSQL advisory lock), so tries
arriving at once get no further than tries one after another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import zlib
from dataclasses import dataclass

from store.db import journal
from store.db.database import db, is_sqlite, read, write
from store.db.errors import BadInput, NotFound
from store.db.models import Attempt, Kiosk, Location, Setting
from store.db.sanitise import KIOSK_NAME, clean
from store.school import audit, people
from store.school.locations import location_row

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
PIN_KEY = "kiosk_pin"
FREE_TRIES = 3
"""Failures allowed in the window before each try must wait."""
FAILURE_WINDOW = dt.timedelta(minutes=10)
LONGEST_WAIT_S = 300


@dataclass(frozen=True)
class KioskInfo:
    """A kiosk and where it stands."""

    name: str
    location: str
    location_name: str


def clean_kiosk_name(value: object) -> str:
    """A kiosk's name: lower case letters, digits, '.', '_' or '-'."""
    name = clean(value, KIOSK_NAME).lower()
    if not _NAME.match(name):
        raise BadInput(f"'{name}' is not a kiosk name: use letters, digits, '.', '_' or '-'.")
    return name


def add_kiosk(name: str, location_code: str, *, by: str) -> KioskInfo:
    """Register a kiosk at a location, or move an existing one there."""
    name = clean_kiosk_name(name)
    try:
        place = location_row(location_code)
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    with write():
        people.active_technician(by)
        row = Kiosk.get_or_none(Kiosk.name == name)
        if row is None:
            row = Kiosk.create(name=name, location=place)
            journal.record(by, row, "add", after=f"{name} at {place.code}")
        elif row.location_id != place.id:
            before = Location.get_by_id(row.location_id).code
            journal.record(by, row, "move", field="location", before=before, after=place.code)
            Kiosk.update(location=place).where(Kiosk.id == row.id).execute()
    return KioskInfo(name, place.code, place.name)


def kiosk(name: str) -> KioskInfo:
    """A kiosk by name, or NotFound."""
    name = clean_kiosk_name(name)
    with read():
        row = Kiosk.select(Kiosk, Location).join(Location).where(Kiosk.name == name).first()
    if row is None:
        raise NotFound(
            f"There is no kiosk '{name}'. Add it: fitsdesk kiosk add {name} --location CODE"
        )
    return KioskInfo(row.name, row.location.code, row.location.name)


def list_kiosks() -> list[KioskInfo]:
    """Kiosks by name."""
    with read():
        query = Kiosk.select(Kiosk, Location).join(Location).order_by(Kiosk.name)
        return [KioskInfo(k.name, k.location.code, k.location.name) for k in query]


def kiosk_id(name: str | None) -> int | None:
    """The row id of a kiosk by name (None for a kiosk with no name); call inside a
    transaction."""
    if name is None:
        return None
    row = Kiosk.get_or_none(Kiosk.name == clean_kiosk_name(name))
    if row is None:
        raise BadInput(f"There is no kiosk '{name}'.")
    return row.id


SCRYPT = {"n": 2**14, "r": 8, "p": 1}
"""The cost a new PIN is hashed at. Each stored hash names its own ("scrypt$n=16384,r=8,
p=1$salt$digest"), so raising these later locks nobody out: old hashes are checked at
the cost they were made with."""
_MOST = {"n": 2**17, "r": 16, "p": 4}
"""The dearest cost a stored hash may ask for (n=2**17, r=16 is 256 MB): a hash edited in
the database must not make every try at the PIN screen take the machine."""


def _hash(pin: str, salt: bytes, n: int, r: int, p: int) -> str:
    memory = 128 * n * r * 2  # what scrypt needs, and a little over
    return hashlib.scrypt(
        pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=memory + 2**20
    ).hex()


def _stored(pin: str) -> str:
    """A new PIN as stored: the scheme, the cost, the salt and the digest."""
    salt = secrets.token_bytes(16)
    cost = ",".join(f"{key}={value}" for key, value in SCRYPT.items())
    return f"scrypt${cost}${salt.hex()}${_hash(pin, salt, **SCRYPT)}"


def _matches(pin: str, stored: str) -> bool:
    """Whether `pin` is the one `stored` was made from, at the cost it names (a hash from
    before costs were stored is n=16384, r=8, p=1). Anything malformed matches nothing."""
    parts = stored.split("$")
    if len(parts) == 3:
        scheme, salt, digest = parts
        cost = {"n": 2**14, "r": 8, "p": 1}
    elif len(parts) == 4:
        scheme, named, salt, digest = parts
        try:
            cost = {k: int(v) for k, v in (item.split("=", 1) for item in named.split(","))}
        except ValueError:
            return False
    else:
        return False
    if scheme != "scrypt" or set(cost) != set(SCRYPT):
        return False
    if any(not 1 <= cost[key] <= _MOST[key] for key in cost) or cost["n"] & (cost["n"] - 1):
        return False  # n must be a power of two
    try:
        return hmac.compare_digest(_hash(pin, bytes.fromhex(salt), **cost), digest)
    except ValueError:
        return False


def set_pin(pin: object, *, by: str) -> None:
    """Set the PIN that lets a technician leave any kiosk: 4 to 12 digits, stored hashed
    (a manager's step)."""
    with write():
        people.manager_or_first(by, "set the kiosk PIN")
        text = pin.strip() if isinstance(pin, str) else ""
        if not re.fullmatch(r"[0-9]{4,12}", text):
            raise BadInput("The PIN must be 4 to 12 digits.")
        if len(set(text)) == 1 or text in "0123456789012" or text in "9876543210987":
            raise BadInput("That PIN is too easy to guess: avoid repeats and runs like 1234.")
        value = _stored(text)
        row = Setting.put(PIN_KEY, value)
        journal.record(by, row, "set kiosk PIN", after="(hidden)")


def pin_is_set() -> bool:
    """Whether a technician exit PIN has been set."""
    with read():
        return Setting.select().where(Setting.key == PIN_KEY).exists()


FAILURES = {"check": "wrong check code", "pin": "wrong kiosk PIN"}
"""The tries that are failures, as the security audit trail names them."""
_LOCK_KEYS = {"report": 0x4B494F01, "check": 0x4B494F02, "pin": 0x4B494F03}
"""PostgreSQL advisory lock keys ("KIO" and the kind), paired with the kiosk's id (0 for
no name): one lock for each kind of try at each kiosk."""


def _hold(kiosk: str | None, kind: str, target: str = "") -> int | None:
    """Keep other transactions from counting or recording this kiosk's tries of `kind`
    (or, with a `target`, every try at that log number) until this one ends; return the
    kiosk's id. Call inside `write()`, whose write lock already does this on SQLite."""
    if db.transaction_depth() == 0:
        raise RuntimeError("a kiosk's tries are counted inside write()")
    who = kiosk_id(kiosk)
    if not is_sqlite():
        key = zlib.crc32(target.encode()) - 2**31 if target else who or 0
        db.obj.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_KEYS[kind], key))
    return who


def _tries(who: int | None, kind: str, since: dt.datetime, target: str = ""):
    """Tries of `kind` since `since`: at the kiosk `who`, or at every kiosk for `target`."""
    place = (
        (Attempt.target == target)
        if target
        else (Attempt.kiosk.is_null() if who is None else Attempt.kiosk == who)
    )
    return Attempt.select(Attempt.at).where((Attempt.kind == kind) & place & (Attempt.at > since))


def _record(
    who: int | None, kind: str, at: dt.datetime, kiosk: str | None, record: str, target: str = ""
) -> None:
    Attempt.insert(kiosk=who, kind=kind, at=at, target=target).execute()
    if kind in FAILURES:
        failed = _tries(who, kind, at - FAILURE_WINDOW, target).count()
        if failed > FREE_TRIES:
            minutes = int(FAILURE_WINDOW.total_seconds() // 60)
            where = f"for {target}" if target else "at this kiosk"
            audit.refused(
                f"kiosk {kiosk or '(no name)'}",
                FAILURES[kind],
                record=record,
                detail=f"{failed} {FAILURES[kind]}s {where} in {minutes} minutes; "
                "each try now waits longer.",
            )


def record_try(
    kiosk: str | None,
    kind: str,
    *,
    at: dt.datetime | None = None,
    record: str = "",
    target: str = "",
) -> None:
    """Count one try at a kiosk against its limits: a report sent, or a wrong check code
    or PIN ('report', 'check', 'pin'). A wrong check code counts against the log number
    tried (`target`), at every kiosk, not against the kiosk. A failure past the free tries
    is also kept in the security audit trail, naming the kiosk and the record tried. Call
    inside `write()`."""
    _record(_hold(kiosk, kind, target), kind, at or journal.now(), kiosk, record, target)


def count_report(
    kiosk: str | None,
    *,
    limit: int,
    window: dt.timedelta,
    pause: dt.timedelta = dt.timedelta(0),
) -> int:
    """Count one report against the kiosk's limits: at most `limit` in `window`, and at
    least `pause` after the one before. 0 when counted; else, counting nothing, the
    seconds until the pause ends, or -1 when the kiosk has sent its `limit`. Call inside
    `write()`: the count and the report it allows are then one step for every process."""
    at = journal.now()
    who = _hold(kiosk, "report")
    since = max(at - window, _lifted(who) or at - window)
    if _tries(who, "report", since).count() >= limit:
        return -1
    last = _tries(who, "report", at - window).order_by(Attempt.at.desc()).first()
    if last and at - last.at < pause:  # a lifted ceiling keeps the pause
        return max(1, int((last.at + pause - at).total_seconds() + 0.999))
    _record(who, "report", at, kiosk, "")
    return 0


def _lifted(who: int | None) -> dt.datetime | None:
    """When a technician last lifted this kiosk's report ceiling (reports before then no
    longer count against it)."""
    place = Attempt.kiosk.is_null() if who is None else Attempt.kiosk == who
    last = (
        Attempt.select(Attempt.at)
        .where(place & (Attempt.kind == "lift"))
        .order_by(Attempt.at.desc())
        .first()
    )
    return last.at if last else None


@dataclass(frozen=True)
class ReportCount:
    """How near a kiosk is to its report ceiling (docs/kiosk.md)."""

    kiosk: KioskInfo
    reports: int
    """Reports counted against the ceiling now: sent in the window, since any lift."""
    limit: int
    lifted_at: dt.datetime | None

    @property
    def full(self) -> bool:
        return self.reports >= self.limit


def report_counts(*, limit: int, window: dt.timedelta) -> list[ReportCount]:
    """Each kiosk's reports counted against its ceiling of `limit` in `window`."""
    at = journal.now()
    with read():
        counts = []
        for place in list_kiosks():
            who = kiosk_id(place.name)
            lifted = _lifted(who)
            since = max(at - window, lifted or at - window)
            counts.append(ReportCount(place, _tries(who, "report", since).count(), limit, lifted))
        return counts


def lift_report_ceiling(kiosk: str, *, by: str) -> None:
    """Let a kiosk that has sent its most reports take more now (a class reporting the same
    fault together): the reports sent so far stop counting. The short pause between two
    reports still holds. For an active technician; journalled on the kiosk."""
    name = clean_kiosk_name(kiosk)
    with write():
        people.active_technician(by)
        row = Kiosk.get_or_none(Kiosk.name == name)
        if row is None:
            raise NotFound(f"There is no kiosk '{name}'. See: fitsdesk kiosk list.")
        at = journal.now()
        _record(_hold(name, "report"), "lift", at, name, "")
        journal.record(by, row, "lift report ceiling", at=at)


def _wait(who: int | None, kind: str, now: dt.datetime, target: str = "") -> int:
    recent = _tries(who, kind, now - FAILURE_WINDOW, target).order_by(Attempt.at.desc())
    times = [row.at for row in recent]
    if len(times) < FREE_TRIES:
        return 0
    delay = min(5 * 2 ** (len(times) - FREE_TRIES), LONGEST_WAIT_S)
    left = (times[0] + dt.timedelta(seconds=delay) - now).total_seconds()
    return max(0, int(left + 0.999))


def wait_seconds(
    kiosk: str | None, kind: str, *, now: dt.datetime | None = None, target: str = ""
) -> int:
    """Seconds before another try of `kind` ('pin' at this kiosk, or 'check' of the log
    number `target`): none for the first few failures, then doubling, to at most five
    minutes."""
    with read():
        return _wait(kiosk_id(kiosk), kind, now or journal.now(), target)


def wait_to_try(kiosk: str | None, kind: str, target: str = "") -> int:
    """`wait_seconds`, holding these tries until the transaction ends: when it is 0, the
    try it allows is recorded before any other process decides. Call inside `write()`."""
    return _wait(_hold(kiosk, kind, target), kind, journal.now(), target)


def _is_pin(pin: object) -> bool:
    text = pin if isinstance(pin, str) else ""
    with read():
        row = Setting.get_or_none(Setting.key == PIN_KEY)
    if row is None:
        return False
    return _matches(text.strip(), row.value)


def check_pin(pin: object, *, kiosk: str | None) -> bool:
    """Whether `pin` is the exit PIN; a wrong one is counted, whatever the wait (the
    kiosk's PIN box uses `try_pin`). No PIN set: always False."""
    if _is_pin(pin):
        return True
    with write():
        record_try(kiosk, "pin")
    return False


def try_pin(pin: object, *, kiosk: str | None) -> tuple[bool, int]:
    """The kiosk's PIN box: (whether `pin` is the exit PIN, seconds to wait). While the
    kiosk must wait no PIN is tried, not even the right one; a wrong one is counted.
    Waiting, trying and counting are one step, so PINs typed at once at one kiosk get
    no more tries than PINs typed one by one."""
    wait = wait_seconds(kiosk, "pin")
    if wait:  # the hash is slow on purpose: not worth running when the answer is "wait"
        return False, wait
    right = _is_pin(pin)
    with write():
        wait = wait_to_try(kiosk, "pin")
        if not wait and not right:
            record_try(kiosk, "pin")
    return right and not wait, wait
