"""What the desk sends down the wire: bytes written to the terminal for common actions,
at 80x24 and 120x40, for a technician on a slow link (docs/ssh.md).

    python -m bench.desk_bytes [--incidents 3000] [--sizes 80x24,120x40]

The real desk (`fitsdesk desk`, as installed: byte-compiled) runs as this account in a
real pseudo-terminal on a demo school (`fitsdesk demo`, a fixed seed), and each action
is counted from the key (or the other process's change) until the terminal has been
quiet for a while. A full screen is what the desk wrote to show its first page; each
action is also given as a share of that. Not a test: nothing fails on a number.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.kiosk import ANSI, KIOSK, as_installed  # noqa: E402

QUIET_S = 0.8
"""An action is over when the terminal has heard nothing for this long (under the desk's
one-second look for changes, which writes nothing when nothing changed)."""
FIRST_S = 4.0
"""How long to wait for the first byte of an answer (a change is seen within a second)."""
DOWN = b"\x1b[B"
ENTER = b"\r"
ESCAPE = b"\x1b"


class Desk:
    """The desk in a pseudo-terminal of `columns` x `rows`, counting what it writes."""

    def __init__(self, url: str, columns: int, rows: int) -> None:
        self.fd, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", KIOSK, "desk", "--db", url],
            stdin=child,
            stdout=child,
            stderr=child,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        os.close(child)
        self.seen = b""
        """Everything written so far."""

    def read(self, wait: float) -> bytes:
        """What the desk writes within `wait` seconds (nothing if it says nothing)."""
        got = b""
        if select.select([self.fd], [], [], wait)[0]:
            try:
                got = os.read(self.fd, 1 << 16)
            except OSError:  # the desk has gone
                return b""
        self.seen += got
        return got

    def answer(
        self, first: float = FIRST_S, until: bytes | None = None, quiet: float = QUIET_S
    ) -> int:
        """Bytes written from now until the terminal is quiet (after `until`, if given, has
        appeared in the words drawn)."""
        count, started = 0, time.monotonic()
        got = self.read(first)
        count += len(got)
        while got or (until and until not in ANSI.sub(b"", self.seen)):
            if time.monotonic() - started > 60:
                raise RuntimeError(f"the desk never settled: {ANSI.sub(b'', self.seen)[-300:]!r}")
            got = self.read(quiet)
            count += len(got)
        return count

    def keys(self, key: bytes, times: int) -> int:
        """Bytes for pressing `key` `times` times, each once the last one's answer is in
        (as a person reads the screen between keys)."""
        count = 0
        for _ in range(times):
            self.press(key)
            count += self.answer(first=1.0, quiet=0.3)
        return count

    def press(self, *keys: bytes, gap: float = 0.03) -> None:
        """Type keys as a person does (a key repeat is about 30 a second)."""
        for key in keys:
            os.write(self.fd, key)
            time.sleep(gap)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        os.close(self.fd)


def demo(folder: Path, incidents: int) -> str:
    """A demo school's SQLite database, with this account among its technicians."""
    url = f"sqlite:///{folder / 'desk.db'}"
    subprocess.run(
        [
            *(sys.executable, "-c", KIOSK, "demo", "--db", url),
            *("--incidents", str(incidents), "--seed", "7"),
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return url


def another_technician_logs_a_call(url: str, n: int) -> None:
    """A call logged by another process, as a kiosk or a colleague's desk does."""
    subprocess.run(
        [
            *(sys.executable, "-c", KIOSK, "log", "--summary", f"Printer jams in IT1 ({n})"),
            *("--requester", "Mr Lee", "--location", "IT1", "--category", "printer", "--db", url),
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure(url: str, columns: int, rows: int, minute: bool = False) -> dict[str, int]:
    """Bytes for each action, in order, on one desk of this size; with `minute`, also a
    minute with nothing done (the queue reads its first page again each minute)."""
    desk = Desk(url, columns, rows)
    found: dict[str, int] = {}
    try:
        found["start (a full screen)"] = desk.answer(first=30, until=b"Unassigned")
        found["idle for 5 s"] = sum(len(desk.read(0.5)) for _ in range(10))
        if minute:
            found["a minute passes"] = sum(len(desk.read(1.0)) for _ in range(65))
        found["20 Down keys"] = desk.keys(DOWN, 20)
        desk.press(ENTER)
        found["open a call"] = desk.answer()
        desk.press(ESCAPE)
        found["back to the queue"] = desk.answer()
        another_technician_logs_a_call(url, columns)
        found["a new call from another process"] = desk.answer()
        desk.press(b"/", *(bytes([c]) for c in b"printer"), ENTER)
        found["a search (/printer Enter)"] = desk.answer()
        another_technician_logs_a_call(url, columns + 1)
        found["a new call while searching"] = desk.answer()
        desk.press(ESCAPE)
        found["leave the search"] = desk.answer()
    finally:
        desk.close()
    return found


def sizes(text: str) -> list[tuple[int, int]]:
    return [tuple(int(n) for n in part.split("x")) for part in text.split(",") if part]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.desk_bytes", description=__doc__)
    parser.add_argument("--incidents", type=int, default=3000, help="demo calls (default 3000)")
    parser.add_argument(
        "--sizes", type=sizes, default=[(80, 24), (120, 40)], help="default 80x24,120x40"
    )
    parser.add_argument(
        "--minute",
        action="store_true",
        help="also count a minute with nothing done (the Due column's reload): 2 minutes more",
    )
    args = parser.parse_args(argv)
    as_installed()
    with tempfile.TemporaryDirectory() as folder:
        url = demo(Path(folder), args.incidents)
        results = {size: measure(url, *size, minute=args.minute) for size in args.sizes}
    actions = list(next(iter(results.values())))
    heads = [f"{c}x{r}" for c, r in args.sizes]
    print(f"{'bytes to the terminal':<36}" + "".join(f"{h:>20}" for h in heads))
    for action in actions:
        cells = []
        for size in args.sizes:
            got, screen = results[size][action], results[size]["start (a full screen)"]
            cells.append(f"{got:>9,} {got / screen:>8.0%}")
        print(f"{action:<36}" + "".join(f"{c:>20}" for c in cells))
    print("(each also as a share of that size's first full screen)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
