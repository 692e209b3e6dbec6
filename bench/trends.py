"""Trend finding over a year of a large school's calls: `store.problems.trends.find_trends` on the
demo school of 100,000 incidents (lookups.build, so `--cache` shares its database with the
queue figures), against two baselines timed in the same rounds on a raw driver
connection to the same database:

- counting the year's calls by kind of fault (one GROUP BY over the index trend finding
  reads; the least any look at a year's calls can do), and
- reading the year's calls (id, room, kind, device, time) into Python, which is what
  finding the trends there would start from.

The demo school spreads 100,000 calls over some 80 rooms and 900 devices, with a kiosk
in three rooms taking most pupils' calls: at the default thresholds, set for a school
logging a few thousand calls a year, that is thousands of spikes and repeat faults,
each with its evidence. So it is timed twice: at the defaults (the worst case, most of
the year's calls coming back as evidence) and at thresholds scaled to the volume.

    python -m bench.trends [--size 100000] [--runs 15] [--cache DIR] [--postgres URL]
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import lookups
from bench.timing import Timing, settled
from store.db import config, database, journal
from store.problems import trends

SCALED = {
    "trends_repeat_calls": 10,
    "trends_spike_calls": 25,
    "trends_rising_min_calls": 100,
}
"""Thresholds for a desk logging 100,000 calls a year (some 25 times a large school's)."""
BY_KIND = (
    "SELECT category_id, COUNT(*) FROM incident WHERE logged_at >= {mark} AND logged_at <= {mark}"
    " GROUP BY category_id"
)
READ_YEAR = (
    "SELECT id, location_id, category_id, asset_id, logged_at FROM incident"
    " WHERE logged_at >= {mark} AND logged_at <= {mark}"
)


@dataclasses.dataclass(frozen=True)
class Figures:
    """find_trends at one set of thresholds, and the two baselines timed beside it."""

    trends: Timing
    by_kind: Timing
    read_year: Timing
    found: dict[str, int]
    evidence: int


def figures(url: str, size: int, runs: int = 15) -> dict[str, Figures]:
    """{'defaults': Figures, 'scaled': Figures} for the database at `url`, built if needed."""
    lookups.build(url, size)
    raw, mark = lookups.raw_connection(url)
    now = journal.now()
    since = now - trends.YEAR
    window = (since, now)
    if url.startswith("sqlite"):  # what the store's SQLite adapter sends for a datetime
        window = tuple(moment.isoformat(" ") for moment in window)
    results = {}
    for name, settings in (
        ("defaults", config.Config()),
        ("scaled", dataclasses.replace(config.Config(), **SCALED)),
    ):

        def store(_i: int, settings=settings) -> None:
            trends.find_trends(now=now, settings=settings)

        def by_kind(_i: int) -> None:
            raw.execute(BY_KIND.format(mark=mark), window).fetchall()

        def read_year(_i: int) -> None:
            raw.execute(READ_YEAR.format(mark=mark), window).fetchall()

        found = trends.find_trends(now=now, settings=settings)  # and warms the pages
        by_kind(0), read_year(0)
        timed, counted, read = _interleaved((store, by_kind, read_year), runs)
        results[name] = Figures(
            timed,
            counted,
            read,
            dict(collections.Counter(trend.kind for trend in found)),
            sum(len(trend.incidents) for trend in found),
        )
    raw.close()
    database.db.close()
    return results


def _interleaved(operations, repeats: int, rounds: int = 5) -> list[Timing]:
    """Time each operation in turn, a few at a time, so drift on the machine hits all alike."""
    samples: list[list[float]] = [[] for _ in operations]
    per_round = max(1, repeats // rounds)
    with settled():
        for r in range(rounds):
            for operation, taken in zip(operations, samples, strict=True):
                for i in range(per_round):
                    started = time.perf_counter()
                    operation(r * per_round + i)
                    taken.append((time.perf_counter() - started) * 1000)
    timings = []
    for taken in samples:
        taken.sort()
        timings.append(
            Timing(statistics.median(taken), taken[min(len(taken) - 1, int(len(taken) * 0.95))])
        )
    return timings


def report(backend: str, size: int, results: dict[str, Figures]) -> None:
    """Print the figures for one database."""
    print(f"Trends ({backend}, {size:,} incidents over a year)")
    for name, got in results.items():
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in sorted(got.found.items()))
        print(f"  {name}: {kinds or 'nothing found'} ({got.evidence:,} calls as evidence)")
        print(f"    {'find_trends':<26} {got.trends}")
        print(f"    {'count by kind (GROUP BY)':<26} {got.by_kind}")
        print(f"    {'read the year into Python':<26} {got.read_year}")
        print(
            f"    ratio (p50) {got.trends.p50 / got.by_kind.p50:.1f}x the count, "
            f"{got.trends.p50 / got.read_year.p50:.2f}x reading the year   aim: well under 1 s"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.trends", description=__doc__)
    parser.add_argument("--size", type=int, default=100_000, help="incidents (default 100000)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each (default 15)")
    parser.add_argument("--cache", type=Path, metavar="DIR", help="keep the SQLite database here")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL server")
    args = parser.parse_args(argv)
    folder = args.cache or Path(tempfile.mkdtemp(prefix="fitsdesk-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    targets = [("SQLite", lookups.sqlite_url(folder, args.size))]
    if args.postgres:
        targets.append(("PostgreSQL", lookups.postgres_url(args.postgres, args.size)))
    try:
        for backend, url in targets:
            report(backend, args.size, figures(url, args.size, args.runs))
    finally:
        if args.cache is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
