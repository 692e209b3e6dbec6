"""Capacity: a metric's forecast over 10,000 readings, as the desk and `metric show` ask
for it (`store.problems.capacity.metric`: reading the window's readings from the database, the
count, the newest, the open problem, and the fit in pure Python).

Baselines, timed in the same run on the same data:
- reading the same 10,000 readings alone (one SELECT, fetchall), which any forecast
  from the database must do;
- numpy.polyfit over the same readings already in memory (when numpy is installed):
  a plain least-squares line, what the fit would cost with numpy at runtime.

    python -m bench.capacity [--readings 10000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.staff import staffed
from bench.timing import Timing, interleaved, measure
from store.db import database, journal
from store.db.database import insert_rows
from store.db.models import Metric, Sample
from store.problems import capacity
from store.problems.forecast import forecast

NAME = "disk /srv"


def build(url: str, readings: int, seed: int = 6) -> dt.datetime:
    """A fresh metric with `readings` readings over the last 80 days: a disk filling with
    noise, two glitches and a clean-up. Returns the newest reading's time."""
    database.connect(url)
    with database.write():
        old = Metric.get_or_none(Metric.name == NAME)
        if old is not None:
            Sample.delete().where(Sample.metric == old.id).execute()
            old.delete_instance()
    staffed()
    capacity.add_metric(NAME, capacity=2000, unit="GB", by="bench")
    row = Metric.get(Metric.name == NAME)
    rng = random.Random(seed)
    now = journal.now().replace(microsecond=0)
    step = dt.timedelta(days=80) / readings
    rows = []
    for i in range(readings):
        value = 900 + 6 * i * step.total_seconds() / 86400 + rng.gauss(0, 3)
        if i > readings * 0.3:
            value -= 150  # a clean-up: the fit starts afresh from it
        if i in (readings // 2, readings // 2 + 1):
            value = 10.0  # the share was not mounted
        rows.append({"metric": row.id, "at": now - (readings - i) * step, "value": value})
    with database.write():
        for start in range(0, len(rows), 2000):
            insert_rows(Sample, rows[start : start + 2000])
    return now


def _raw_read(metric_id: int, since: dt.datetime):
    sql = 'SELECT "at", "value" FROM "sample" WHERE "metric_id" = {0} AND "at" >= {0} ORDER BY "at"'
    sql = sql.format(database.db.obj.param)
    return database.db.obj.execute_sql(sql, (metric_id, Sample.at.db_value(since))).fetchall()


def figures(url: str, readings: int = 10_000, repeats: int = 40) -> dict[str, Timing | str]:
    """{figure: Timing}: the store's forecast, reading alone, the fit alone, numpy."""
    now = build(url, readings)
    info = capacity.metric(NAME, now=now)
    metric_id = info.id
    since = now - dt.timedelta(days=90)
    assert len(_raw_read(metric_id, since)) == readings
    store, raw = interleaved(
        lambda _: capacity.metric(NAME, now=now), lambda _: _raw_read(metric_id, since), repeats
    )
    pairs = [(r.at, r.value) for r in capacity.samples(NAME)]
    results: dict[str, Timing | str] = {
        "store": store,
        "read": raw,
        "fit": measure(lambda _: forecast(pairs, 2000.0, 1800.0, now=now), repeats),
        "words": info.words(),
    }
    try:
        import numpy
    except ImportError:
        return results
    xs = numpy.array([(at - pairs[0][0]).total_seconds() / 86400 for at, _ in pairs])
    ys = numpy.array([value for _, value in pairs])
    results["numpy"] = measure(lambda _: numpy.polyfit(xs, ys, 1), repeats)
    results["numpy with conversion"] = measure(
        lambda _: numpy.polyfit(
            numpy.array([(at - pairs[0][0]).total_seconds() / 86400 for at, _ in pairs]),
            numpy.array([value for _, value in pairs]),
            1,
        ),
        repeats,
    )
    return results


def report(url: str, label: str, readings: int = 10_000) -> None:
    """Print the figures for one database."""
    found = figures(url, readings)
    store, read, fit = found["store"], found["read"], found["fit"]
    print(f"  {label}: a metric's forecast over {readings:,} readings")
    print(f"    store (read + fit)       {store}")
    print(f"    reading them alone       {read}   ratio (p50) {store.p50 / read.p50:.2f}x")
    print(f"    the fit alone (Python)   {fit}")
    if "numpy" in found:
        numpy, converted = found["numpy"], found["numpy with conversion"]
        print(
            f"    numpy.polyfit            {numpy}   the fit is {fit.p50 / numpy.p50:.1f}x it; "
            f"{fit.p50 / converted.p50:.1f}x with numpy's array building"
        )
    print(f"    aim: well under a second  ({found['words']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__)
    parser.add_argument("--readings", type=int, default=10_000)
    parser.add_argument("--postgres", metavar="URL", help="also measure on this server")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="fitsdesk-bench-capacity-"))
    try:
        print("Capacity")
        report(f"sqlite:///{folder / 'capacity.db'}", "SQLite", args.readings)
        database.db.close()
        if args.postgres:
            joiner = "&" if "?" in args.postgres else "?"
            report(f"{args.postgres}{joiner}schema=bench_capacity", "PostgreSQL", args.readings)
            database.db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
