"""The kiosk's limits hold when many tries arrive at once: twelve processes, released
together, each send one report (or type one wrong check code, or one wrong PIN) at the
same kiosk. Exactly the limit's worth get through; every other one is told to wait or
to ask staff, and is not counted."""

import datetime as dt
import multiprocessing
from collections import Counter

import pytest

from store.db import config, journal
from store.db.models import Attempt, AuditEntry, Incident
from store.school import kiosks
from store.servicedesk import callers

PROCESSES = 12
REPORTS = 5
REPORT = {
    "summary": "Laptop won't charge",
    "requester": "Sam Patel",
    "role": "pupil",
    "location": "LIB",
    "category": "laptop",
}


def one_try(url: str, what: str, typed: str, at, ready, start, results) -> None:
    """One pupil at the library kiosk, ready before the others are let go."""
    from store.db import config, database, journal
    from store.db.errors import NotFound, Refused
    from store.school import kiosks
    from store.servicedesk import callers

    database.connect(url)
    config.use(config.Config(kiosk_reports_per_window=REPORTS, kiosk_report_pause_seconds=0))
    journal.now = lambda: at  # one instant for all: a wait cannot run out mid-test
    ready.put(True)
    start.wait()
    try:
        if what == "report":
            callers.report_from_kiosk(kiosk="library", **REPORT)
            outcome = "through"
        elif what == "check":
            try:
                callers.caller_view(typed, kiosk="library")
                outcome = "seen"
            except NotFound:
                outcome = "through"
        else:
            right, wait = kiosks.try_pin(typed, kiosk="library")
            outcome = "waits" if wait else ("right" if right else "through")
    except Refused as exc:
        outcome = "waits" if "wait" in str(exc) else "refused"
    except Exception as exc:  # any other error a pupil would see is a failure
        outcome = f"{exc.__class__.__name__}: {exc}"
    results.put(outcome)


def all_at_once(url: str, what: str, typed: str = "") -> dict[str, int]:
    """How many of the processes were told what."""
    context = multiprocessing.get_context("spawn")
    ready, start, results = context.Queue(), context.Event(), context.Queue()
    at = journal.now()
    workers = [
        context.Process(target=one_try, args=(url, what, typed, at, ready, start, results))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=300)
    start.set()
    outcomes = Counter(results.get(timeout=300) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    return dict(outcomes)


def test_twelve_reports_at_once_send_exactly_the_limit(school, db_url):
    outcomes = all_at_once(db_url, "report")
    assert outcomes == {"through": REPORTS, "refused": PROCESSES - REPORTS}
    assert Incident.select().count() == REPORTS
    assert Attempt.select().where(Attempt.kind == "report").count() == REPORTS


def test_twelve_wrong_check_codes_at_once_try_exactly_the_free_tries(school, db_url):
    config.use(config.Config(kiosk_reports_per_window=REPORTS, kiosk_report_pause_seconds=0))
    call, _ = callers.report_from_kiosk(kiosk="library", **REPORT)
    wrong = "AAAA" if call.check_code != "AAAA" else "BBBB"
    outcomes = all_at_once(db_url, "check", f"{call.number}-{wrong}")
    tried = kiosks.FREE_TRIES
    assert outcomes == {"through": tried, "waits": PROCESSES - tried}
    assert Attempt.select().where(Attempt.kind == "check").count() == tried
    assert AuditEntry.select().count() == 0  # none past the free tries was tried


def test_twelve_wrong_pins_at_once_try_exactly_the_free_tries(school, db_url):
    kiosks.set_pin("482913", by="jsmith")
    outcomes = all_at_once(db_url, "pin", "000000")
    tried = kiosks.FREE_TRIES
    assert outcomes == {"through": tried, "waits": PROCESSES - tried}
    assert Attempt.select().where(Attempt.kind == "pin").count() == tried
    assert AuditEntry.select().count() == 0


def test_while_the_pin_box_waits_no_pin_is_tried_or_counted(school, monkeypatch):
    kiosks.set_pin("482913", by="jsmith")
    clock = [journal.now()]
    monkeypatch.setattr(journal, "now", lambda: clock[0])
    for _ in range(kiosks.FREE_TRIES):
        assert kiosks.try_pin("000000", kiosk="library") == (False, 0)
    assert kiosks.try_pin("000000", kiosk="library") == (False, 5)
    assert kiosks.try_pin("482913", kiosk="library") == (False, 5)  # not even the right one
    assert Attempt.select().where(Attempt.kind == "pin").count() == kiosks.FREE_TRIES
    clock[0] += dt.timedelta(seconds=5)
    assert kiosks.try_pin("482913", kiosk="library") == (True, 0)
    assert kiosks.try_pin("000000", kiosk="library") == (False, 0)  # counted: now 10 s
    assert kiosks.try_pin("000000", kiosk="library") == (False, 10)
    assert AuditEntry.select().count() == 1  # the one failure past the free tries


def test_tries_are_counted_only_inside_a_write(school):
    with pytest.raises(RuntimeError):
        kiosks.record_try("library", "pin")
    with pytest.raises(RuntimeError):
        kiosks.wait_to_try("library", "check")
