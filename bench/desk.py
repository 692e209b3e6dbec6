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


def start(url: str, runs: int = 7) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (ms, MiB) to a filled queue for the desk, and for the bare app alongside;
    both byte-compiled, as installed (`as_installed`)."""
    as_installed()
    python = sys.executable
    desk = [python, "-c", KIOSK, "desk", "--db", url]  # as this account (bench.staff)
    bare = [python, str(ROOT / "bench" / "bare_app.py")]
    desks, bares = [], []
    for _ in range(runs):
        bares.append(first_screen(bare, b"Hello from a bare"))
        desks.append(first_screen(desk, re.compile(rb"INC-[0-9]{6}")))

    def median(got: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(g[0] for g in got), statistics.median(g[1] for g in got)

    return median(desks), median(bares)


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
