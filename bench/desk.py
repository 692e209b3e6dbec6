"""The desk at scale: its start against a bare Textual app, and the store calls behind
each view's first page, a search and opening a call, at p50 and p95.

Start is measured like the kiosk's (bench/kiosk.py): `fitsdesk desk` in a fresh process
on an 80x24 pseudo-terminal, until the first page of calls is on screen (the counts on
the tabs follow a moment later). The rest are the store calls the desk makes, timed in this process.
"""

from __future__ import annotations

import random
import re
import statistics
import sys

from bench.kiosk import KIOSK, ROOT, as_installed, first_screen
from bench.timing import Timing
from bench.timing import measure as measured

SEARCHES = (
    "printer",
    "laptop charge",
    "projector blue",
    "password",
    "smith",
    "toner",
    "wifi",
    "board calibrating",
)


def start(url: str, runs: int = 7) -> dict[str, tuple[float, float]]:
    """Median (ms, MiB) to a filled queue for the desk, and for the bare app alongside
    ("bare"); both byte-compiled, as installed (`as_installed`), alternating."""
    as_installed()
    python = sys.executable
    commands = {
        "bare": ([python, str(ROOT / "bench" / "bare_app.py")], b"Hello from a bare"),
        "desk": ([python, "-c", KIOSK, "desk", "--db", url], re.compile(rb"INC-[0-9]{6}")),
    }  # the desk runs as this account (bench.staff)
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (args, marker) in commands.items():
            got[name].append(first_screen(args, marker))
    return {
        name: (statistics.median(g[0] for g in found), statistics.median(g[1] for g in found))
        for name, found in got.items()
    }


def store_calls(url: str, repeats: int = 40) -> dict[str, Timing]:
    """ms for each view's first page, a search, and opening a call (its row and timeline)."""
    from store.db import database, journal
    from store.servicedesk import queues, servicedesk

    database.connect(url)
    newest = queues.newest_id()
    picks = random.Random(2).sample(range(1, newest + 1), k=repeats)
    found: dict[str, Timing] = {}

    def measure(job) -> Timing:
        job(0)  # warm the caches alike
        return measured(job, repeats)

    for view in queues.VIEWS:
        found[f"first page: {view}"] = measure(
            lambda _i, view=view: queues.page(view, me="bench", limit=100)
        )
    found["counts of all five views"] = measure(lambda _i: queues.counts("bench"))
    found["search (8 kinds)"] = measure(
        lambda i: queues.search(SEARCHES[i % len(SEARCHES)], limit=100)
    )
    found["open a call"] = measure(
        lambda i: (
            servicedesk.find_call(f"INC-{picks[i]:06d}"),
            journal.history("incident", picks[i]),
        )
    )
    database.db.close()
    return found


def main() -> None:
    """`python -m bench.desk [FOLDER]`: the start figures on a 100,000-call SQLite database,
    kept in FOLDER between runs (a temporary folder when none is given)."""
    import argparse

    from bench import lookups

    parser = argparse.ArgumentParser(prog="python -m bench.desk", description=main.__doc__)
    parser.add_argument(
        "folder", nargs="?", help="keep the 100,000-call database here between runs"
    )
    args = parser.parse_args()
    with lookups.hundred_thousand(args.folder) as url:
        starts = start(url)
    bare_ms, bare_mib = starts.pop("bare")
    print(f"bare Textual app {bare_ms:6.0f} ms {bare_mib:6.1f} MiB")
    for name, (ms, mib) in starts.items():
        print(f"{name:<28} {ms:6.0f} ms {mib:6.1f} MiB  start {ms / bare_ms:.2f}x (aim: 2x)")


if __name__ == "__main__":
    main()
