"""Small timing helpers shared by the benchmarks.

Before each measurement the garbage collector is run and what survives is frozen
(`gc.freeze`), for the figure and its baseline alike: otherwise collecting what earlier
sections of the run left behind lands in the samples, and moved a p50 threefold.
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Milliseconds per operation over many repeats."""

    p50: float
    p95: float

    def __str__(self) -> str:
        return f"p50 {self.p50:7.3f} ms  p95 {self.p95:7.3f} ms"


@contextlib.contextmanager
def settled():
    """Collect and freeze what exists now, for the length of a measurement."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def measure(operation: Callable[[int], object], repeats: int) -> Timing:
    """Time `operation(i)` for i in range(repeats)."""
    with settled():
        return _measure(operation, repeats)


def _measure(operation: Callable[[int], object], repeats: int) -> Timing:
    samples = []
    for i in range(repeats):
        started = time.perf_counter()
        operation(i)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return Timing(
        statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    )


def interleaved(
    a: Callable[[int], object], b: Callable[[int], object], repeats: int, rounds: int = 5
) -> tuple[Timing, Timing]:
    """Time `a` and `b` in alternating rounds, so drift on the machine hits both alike."""
    with settled():
        return _interleaved(a, b, repeats, rounds)


def _interleaved(a, b, repeats: int, rounds: int) -> tuple[Timing, Timing]:
    a_samples: list[float] = []
    b_samples: list[float] = []
    per_round = max(1, repeats // rounds)
    for r in range(rounds):
        for operation, samples in ((a, a_samples), (b, b_samples)):
            for i in range(per_round):
                started = time.perf_counter()
                operation(r * per_round + i)
                samples.append((time.perf_counter() - started) * 1000)

    def timing(samples: list[float]) -> Timing:
        samples.sort()
        return Timing(
            statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]
        )

    return timing(a_samples), timing(b_samples)
