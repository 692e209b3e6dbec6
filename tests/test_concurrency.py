"""Eight processes logging at once: every call saved, every number different, no errors."""

import multiprocessing

from store.db import database
from store.db.models import Incident, Journal
from store.school import locations, people

PROCESSES = 8
CALLS_EACH = 250


def log_many(url: str, worker: int, start, results) -> None:
    """One kiosk's worth of pupils, as fast as they can type."""
    from store.db import database
    from store.servicedesk import servicedesk

    errors, numbers = [], []
    database.connect(url)
    start.wait()
    for n in range(CALLS_EACH):
        try:
            call = servicedesk.log_call(
                summary=f"Fault {n} from worker {worker}",
                requester=f"Pupil {worker}-{n % 7}",
                role="pupil",
                location="LIB",
                category="printer",
                channel="kiosk",
                by=f"kiosk:{worker}",
            )
            numbers.append(call.number)
        except Exception as exc:  # any error a caller would see is a failure
            errors.append(f"{exc.__class__.__name__}: {exc}")
    results.put((numbers, errors))


def test_eight_processes_log_2000_calls_with_distinct_numbers(db_url):
    database.connect(db_url)
    people.add_technician("jsmith", "Jo Smith", by="jsmith")
    locations.add_location("LIB", "Library", by="jsmith")
    database.db.close()

    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=log_many, args=(db_url, w, start, results)) for w in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    numbers = [n for numbers, _errors in outcomes for n in numbers]
    errors = [e for _numbers, errors in outcomes for e in errors]
    assert errors == []
    assert len(numbers) == PROCESSES * CALLS_EACH
    assert len(set(numbers)) == PROCESSES * CALLS_EACH
    database.connect(db_url)
    assert Incident.select().count() == PROCESSES * CALLS_EACH
    assert Journal.select().where(Journal.action == "log").count() == PROCESSES * CALLS_EACH
    database.db.close()
