"""The kiosk on old hardware: its start and memory against a bare Textual app, and Send.

Each app is started the way people start it (installed, so byte-compiled), in a
fresh process on a real 80x24 pseudo-terminal: the kiosk as `fitsdesk kiosk --kiosk
library`, the
baseline as a Textual app showing one line. Start is the time until the first
screen's words reach the terminal; memory is the process's peak resident size
by then (VmHWM, read before the process is stopped). Runs alternate, so drift
on the machine hits both alike. Send to receipt is timed in-process through
Textual's Pilot, from pressing Send to the receipt being drawn.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][A-Z0-9]|[=>MNOPc])"
)
KIOSK = "from tui.cli import run; run()"
"""Just what the `fitsdesk` console script does."""


def as_installed() -> None:
    """Byte-compile the project in place, as pip does when it installs the wheel: a school
    never starts the apps from uncompiled source, while Textual, installed by pip, is
    compiled already. (With PYTHONDONTWRITEBYTECODE set, a checkout would otherwise
    compile every module again on every start, which the bare app does not pay.)"""
    import compileall

    for package in ("store", "kiosk", "tui"):
        compileall.compile_dir(ROOT / package, quiet=1)


def first_screen(args: list[str], marker, timeout: float = 60) -> tuple[float, float]:
    """(ms, peak MiB) from starting `args` in a real 80x24 terminal until `marker` (bytes, or
    a compiled pattern) is on it."""
    if isinstance(marker, bytes):
        marker = re.compile(re.escape(marker))
    fd, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT, start_new_session=True
    )
    os.close(child)
    seen = b""
    try:
        while not marker.search(ANSI.sub(b"", seen)):
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"never saw {marker.pattern!r}: {ANSI.sub(b'', seen)[-300:]!r}")
            if select.select([fd], [], [], 1)[0]:
                seen += os.read(fd, 65536)
        elapsed = (time.perf_counter() - started) * 1000
        peak = _peak_mib(proc.pid)
    finally:
        proc.kill()  # the kiosk ignores the polite signals, by design
        proc.wait()
        os.close(fd)
    return elapsed, peak


def _peak_mib(pid: int) -> float:
    """The process's peak resident memory since it started its program (VmHWM). Not
    getrusage: a child's ru_maxrss counts the copy of this process it was forked from."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc: memory cannot be measured here")


def start_and_memory(url: str, runs: int = 10) -> dict[str, tuple[float, float]]:
    """Median (ms, MiB) to the first screen for the bare app and the kiosk, both started the
    way people start them (installed: byte-compiled), alternating."""
    as_installed()
    python = sys.executable
    commands = {
        "bare": ([python, str(ROOT / "bench" / "bare_app.py")], b"Hello from a bare"),
        "kiosk": (
            [python, "-c", KIOSK, "kiosk", "--kiosk", "library", "--db", url],
            b"Report a problem",
        ),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (args, marker) in commands.items():
            results[name].append(first_screen(args, marker))
    return {
        name: (statistics.median(ms for ms, _ in got), statistics.median(mib for _, mib in got))
        for name, got in results.items()
    }


def send_to_receipt(url: str, sends: int = 30) -> list[float]:
    """Milliseconds from pressing Send to the receipt drawn on screen, for each send."""
    import asyncio

    sys.path.insert(0, str(ROOT))
    from kiosk.app import KioskApp
    from kiosk.screens import receipt
    from store.db import config
    from tests.kiosk_helpers import settle, walk_to_review

    drawn: list[float] = []

    class TimedReceipt(receipt.ReceiptScreen):
        def on_mount(self) -> None:  # Textual runs ReceiptScreen's own on_mount too
            self.call_after_refresh(lambda: drawn.append(time.perf_counter()))

    config.use(config.Config(kiosk_reports_per_window=1000))
    real, receipt.ReceiptScreen = receipt.ReceiptScreen, TimedReceipt
    times: list[float] = []

    now = [0.0]  # the kiosk's clock, moved on so the receipt takes "any key" at once

    async def drive() -> None:
        app = KioskApp(db_url=url, kiosk="library", clock=lambda: now[0])
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(sends):
                await walk_to_review(pilot)
                drawn.clear()
                started = time.perf_counter()
                pilot.app.screen.query_one("#send").press()
                while not drawn:
                    await pilot.pause()
                times.append((drawn[0] - started) * 1000)
                now[0] += 10
                await pilot.press("x")
                await settle(pilot)

    try:
        asyncio.run(drive())
    finally:
        receipt.ReceiptScreen = real
        config.use(None)
    return times


def prepare(url: str) -> None:
    """A kiosk called library, and its PIN, on the benchmark database."""
    from bench.staff import staffed
    from store.db import database
    from store.school import kiosks

    database.connect(url)
    staffed()
    if not any(k.name == "library" for k in kiosks.list_kiosks()):
        kiosks.add_kiosk("library", "LIB", by="bench")
    if not kiosks.pin_is_set():
        kiosks.set_pin("482913", by="bench")
    database.db.close()


def main() -> None:
    """`python -m bench.kiosk [FOLDER]`: the start figures on a 100,000-call SQLite database,
    kept in FOLDER between runs (a temporary folder when none is given)."""
    import argparse

    from bench import lookups

    parser = argparse.ArgumentParser(prog="python -m bench.kiosk", description=main.__doc__)
    parser.add_argument(
        "folder", nargs="?", help="keep the 100,000-call database here between runs"
    )
    args = parser.parse_args()
    with lookups.hundred_thousand(args.folder) as url:
        prepare(url)
        figures = start_and_memory(url, runs=7)
    bare_ms, bare_mib = figures.pop("bare")
    print(f"bare Textual app {bare_ms:6.0f} ms {bare_mib:6.1f} MiB")
    for name, (ms, mib) in figures.items():
        print(
            f"{name:<28} {ms:6.0f} ms {mib:6.1f} MiB  start {ms / bare_ms:.2f}x, "
            f"memory {mib / bare_mib:.2f}x (aim: 1.5x)"
        )


if __name__ == "__main__":
    main()
