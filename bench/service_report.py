"""The termly service report at scale, and what a call's due time costs its logging.

1. `store.service_levels.report.build` for this term so far and for the last whole
   term, on the demo school of `--size` incidents (a million by default: 1,600 years
   of a large school's calls, or a trust of many schools), against a baseline timed
   in the same rounds on a raw driver connection to the same database: counting the
   term's calls by kind of fault (one GROUP BY over the logged_at index, the least
   any look at a term's calls can do).
2. Logging a call through the store with its due time worked out (the service from
   the kind of fault and the school clock's two due times) against the same logging
   with that step left out, alternating, on the same database: the difference is what
   service levels add to logging.

    python -m bench.service_report [--size 1000000] [--runs 5] [--cache DIR]
                                   [--postgres URL] [--calls 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import lookups
from bench.timing import interleaved, settled
from store.db import database
from store.db.models import Incident
from store.service_levels import clocks, report
from store.servicedesk import servicedesk

BY_KIND = (
    "SELECT category_id, COUNT(*) FROM incident WHERE logged_at >= {mark} AND logged_at < {mark}"
    " GROUP BY category_id"
)


def _window(url: str, period: report.Period) -> tuple:
    if url.startswith("sqlite"):  # what the store's SQLite adapter sends for a datetime
        return (period.start.isoformat(" "), period.end.isoformat(" "))
    return (period.start, period.end)


def report_times(url: str, size: int, runs: int) -> list[tuple[str, int, float, float]]:
    """(period, calls in it, report seconds median, baseline seconds median) for this
    term so far and the last whole term."""
    lookups.build(url, size)
    raw, mark = lookups.raw_connection(url)
    now_term = report.term_period()
    periods = [now_term, report.previous(now_term)]
    found = []
    for period in periods:
        built, counted, calls = [], [], 0
        with settled():
            for _ in range(runs):
                started = time.perf_counter()
                figures = report.build(period)
                built.append(time.perf_counter() - started)
                started = time.perf_counter()
                raw.execute(BY_KIND.format(mark=mark), _window(url, period)).fetchall()
                counted.append(time.perf_counter() - started)
                calls = figures["reactive"]["calls"]
        found.append(
            (
                f"{period.name}{' so far' if period.so_far else ''}",
                calls,
                statistics.median(built),
                statistics.median(counted),
            )
        )
    return found


def logging_cost(url: str, calls: int) -> tuple[float, float]:
    """(with due times, without) p50 milliseconds to log a call, alternating."""
    database.connect(url)
    real = clocks.due_times

    def log(i: int) -> None:
        servicedesk.log_call(
            summary=f"Printer jams on page {i}", requester=f"Pupil {i % 50}", role="pupil",
            location="LIB", category="printer", channel="kiosk", by="bench",
        )  # fmt: skip

    def with_clock(i: int) -> None:
        clocks.due_times = real
        log(i)

    def without_clock(i: int) -> None:
        clocks.due_times = lambda logged_at, priority: (None, None)
        log(i)

    try:
        a, b = interleaved(with_clock, without_clock, calls)
    finally:
        clocks.due_times = real
    return a.p50, b.p50


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.service_report", description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000, help="incidents (default 1e6)")
    parser.add_argument("--runs", type=int, default=5, help="reports per period (default 5)")
    parser.add_argument("--calls", type=int, default=300, help="calls to log (default 300)")
    parser.add_argument("--cache", type=Path, metavar="DIR", help="keep the SQLite database here")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL server")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as spare:
        urls = [("SQLite", lookups.sqlite_url(args.cache or Path(spare), args.size))]
        if args.postgres:
            urls.append(("PostgreSQL", lookups.postgres_url(args.postgres, args.size)))
        for name, url in urls:
            print(f"{name}, {args.size:,} incidents:")
            for period, calls, built, counted in report_times(url, args.size, args.runs):
                print(
                    f"  report {period} ({calls:,} calls): {built:6.2f} s; counting its calls "
                    f"by kind {counted:6.3f} s; ratio {built / max(counted, 1e-9):6.1f}x"
                )
            with_ms, without_ms = logging_cost(url, args.calls)
            total = Incident.select().count()
            print(
                f"  logging a call ({total:,} in the database): {with_ms:6.3f} ms with its "
                f"due time, {without_ms:6.3f} ms without: the due time adds "
                f"{with_ms - without_ms:6.3f} ms (ratio {with_ms / without_ms:4.2f}x)"
            )
            database.db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
