"""A fault campaign: writers log calls on SQLite and PostgreSQL while the campaign kills
them, terminates their backends, restarts the server (where it may), fills the disk and
takes backups; then it counts what was lost.

    python -m bench.faults                                   # SQLite only
    python -m bench.faults --postgres postgresql://postgres@127.0.0.1/test --restart

Each writer is a process logging calls as a kiosk would, each with a summary of its own
("w3-000042"); it appends the summary of every call it was shown a number for
(acknowledged) to a file, flushed before the next call. Some writers are killed with
SIGKILL and started again, as systemd would; the others are never restarted, so a
fault they cannot get over shows as a writer that stopped. At the end the campaign
prints calls acknowledged, calls found, lost (acknowledged, not found), duplicated
(found more than once), the sentences writers were shown (each must be one line and no
traceback), writers that stopped, and whether the last backup, restored to a new
place, holds every call acknowledged before it began. Target: 0 lost, 0 duplicated,
0 stopped. Not a timed test: it prints counts, not times.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WRITER = r"""
import os, sys, time
from store.db import database; from store.servicedesk import servicedesk
from store.db.errors import FitsDeskError
url, tag, acks, said = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]  # tag: writer.start
n = 0
with open(acks, "a") as ack, open(said, "a") as words:
    while database.db.obj is None:  # the kiosk, too, starts without its database and retries
        try:
            database.connect(url, create=False, pool=True)
        except FitsDeskError as exc:
            words.write(str(exc).replace("\n", "\\n") + "\n"); words.flush()
            time.sleep(0.2)
    while True:
        n += 1
        summary = f"{tag}-{n:06d}"
        try:
            servicedesk.log_call(summary=summary, requester="Pupil", channel="kiosk",
                                 kiosk="library", by="kiosk:library")
        except FitsDeskError as exc:
            words.write(str(exc).replace("\n", "\\n") + "\n"); words.flush()
            time.sleep(0.2)
            continue
        ack.write(summary + "\n"); ack.flush(); os.fsync(ack.fileno())
"""


class Writer:
    """One writing process, its acknowledgements and what it was told."""

    def __init__(self, url: str, tag: str, folder: Path, *, killable: bool) -> None:
        self.url, self.tag, self.killable = url, tag, killable
        self.acks, self.said = folder / f"{tag}.acks", folder / f"{tag}.said"
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        tag = f"{self.tag}.{self.kills}"  # each start a summary space of its own
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, self.url, tag, str(self.acks), str(self.said)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.kills += 1
        self.start()

    def acknowledged(self) -> list[str]:
        return self.acks.read_text().split() if self.acks.exists() else []

    def stop(self) -> str:
        """Stop it; what it printed to stderr if it had died on its own."""
        if self.process is None:
            return ""
        died = self.process.poll() is not None
        if not died:
            self.process.send_signal(signal.SIGKILL)
        _, err = self.process.communicate(timeout=30)
        return err if died else ""


def prepare(url: str) -> None:
    from store.db import database
    from store.school import kiosks, locations, people

    database.connect(url)
    with contextlib.suppress(Exception):
        people.add_technician("bench", "Bench Mark", roles=["manager"], by="bench")
    with contextlib.suppress(Exception):
        locations.add_location("LIB", "Library", by="bench")
    with contextlib.suppress(Exception):
        kiosks.add_kiosk("library", "LIB", by="bench")
    database.db.close()


def found_summaries(url: str) -> Counter:
    from store.db import database
    from store.db.models import Incident

    database.connect(url, create=False)
    with database.read():
        return Counter(s for (s,) in Incident.select(Incident.summary).tuples())


def backup(url: str, folder: Path) -> tuple[float, Path | None]:
    """Take a backup with `fitsdesk backup`; (when it began, the file), or None if the
    command is not there or failed."""
    began = time.time()
    done = subprocess.run(
        [sys.executable, "-c", "from tui.cli import run; run()", "backup", str(folder),
         "--db", url],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    if done.returncode != 0:
        print(f"    backup: {done.stderr.strip() or done.stdout.strip()}")
        return began, None
    made = sorted(folder.glob("*"), key=lambda p: p.stat().st_mtime)
    return began, made[-1] if made else None


def restored_summaries(copy: Path, url: str, folder: Path) -> set[str] | None:
    """Restore `copy` to a new place and read its summaries."""
    if url.startswith("sqlite"):
        target = f"sqlite:///{folder / 'restored.db'}"
    else:
        target = url.split("?")[0] + f"?schema=restored_{os.getpid()}"
    done = subprocess.run(
        [sys.executable, "-c", "from tui.cli import run; run()", "restore", str(copy),
         "--db", target],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    if done.returncode != 0:
        print(f"    restore: {done.stderr.strip()}")
        return None
    return set(found_summaries(target))


def fill_disk(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as out, contextlib.suppress(OSError):
        while True:
            out.write(b"x" * 65536)
    return filler


APP = f"fitsdesk-faults-{os.getpid()}"
"""The application_name of this campaign's writers, so only their backends are ended."""


def terminate_backends(url: str) -> int:
    import psycopg

    with psycopg.connect(url.split("?")[0], autocommit=True) as admin:
        found = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            (APP,),
        ).fetchone()
    return found[0]


def restart_server() -> bool:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions or os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"],
        capture_output=True,
    )
    return done.returncode == 0


def campaign(url: str, name: str, seconds: float, *, small: Path | None, postgres: bool,
             restart: bool, writers: int) -> None:  # fmt: skip
    print(f"\n{name}")
    prepare(url)
    work = Path(tempfile.mkdtemp(prefix="fitsdesk-faults-"))
    backups = work / "backups"
    backups.mkdir()
    writing = f"{url}&application_name={APP}" if postgres else url
    crew = [Writer(writing, f"w{n}", work, killable=n % 2 == 0) for n in range(writers)]
    for writer in crew:
        writer.start()
    rng = random.Random(7)
    events: Counter = Counter()
    last_backup: tuple[float, Path | None] = (0.0, None)
    acked_before_backup: set[str] = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(rng.uniform(0.5, 1.5))
        fault = rng.choice(["kill", "kill", "backup"] + (["terminate", "terminate"] if postgres
                           else []) + (["fill"] if small else []))  # fmt: skip
        if fault == "kill":
            rng.choice([w for w in crew if w.killable]).kill()
        elif fault == "terminate":
            events["backends terminated"] += terminate_backends(url)
        elif fault == "fill" and small is not None:
            filler = fill_disk(small)
            time.sleep(1.0)  # writers meet the full disk
            filler.unlink()
        elif fault == "backup":
            acked = {s for w in crew for s in w.acknowledged()}
            began, copy = backup(url, backups)
            if copy is not None:
                last_backup, acked_before_backup = (began, copy), acked
        events[fault] += 1
    if postgres and restart:
        events["server restarts"] += int(restart_server())
        time.sleep(3)
    time.sleep(2)  # every writer gets to write again after the last fault
    progress = {w.tag: len(w.acknowledged()) for w in crew}
    time.sleep(2)
    stopped = [w.tag for w in crew if len(w.acknowledged()) == progress[w.tag]]
    crashes = [w.stop() for w in crew]
    acked = [s for w in crew for s in w.acknowledged()]
    found = found_summaries(url)
    lost = [s for s in acked if s not in found]
    duplicated = [s for s, count in found.items() if count > 1]
    sentences = [line for w in crew if w.said.exists() for line in w.said.read_text().splitlines()]
    bad_words = [s for s in sentences if "Traceback" in s or "\\n" in s]
    print(f"  faults: {dict(events)}; writers killed {sum(w.kills for w in crew)} times")
    print(f"  calls acknowledged {len(acked):,}, found {sum(found.values()):,}")
    print(f"  lost {len(lost)}, duplicated {len(duplicated)}")
    # A call found but never acknowledged was committed by a writer that was then killed
    # (it never got to write the number down), or whose connection dropped between the
    # commit and its answer; in the second case the writer went on to its next call.
    starts: dict[str, int] = {}
    for s in acked:
        start, n = s.rsplit("-", 1)
        starts[start] = max(starts.get(start, 0), int(n))
    acked_set = set(acked)
    extra = [s for s in found if s not in acked_set and "-" in s]
    told_lost = [s for s in extra if starts.get(s.rsplit("-", 1)[0], 0) > int(s.rsplit("-", 1)[1])]
    print(f"  found but not acknowledged {len(extra)}: the writer was killed after the commit "
          f"{len(extra) - len(told_lost)}, the writer was told it failed and went on "
          f"{len(told_lost)}")  # fmt: skip
    print(f"  sentences writers were shown: {len(sentences)} ({len(set(sentences))} different),"
          f" {len(bad_words)} not one plain line")  # fmt: skip
    for sentence in sorted(set(sentences))[:6]:
        print(f"    {sentence[:150]}")
    print(f"  writers that stopped making progress: {stopped or 'none'}; "
          f"died on their own: {sum(1 for c in crashes if c)}")  # fmt: skip
    for crash in filter(None, crashes):
        print("    its last words: " + " | ".join(crash.strip().splitlines()[-3:])[:300])
    if last_backup[1] is not None:
        inside = restored_summaries(last_backup[1], url, work)
        if inside is not None:
            missing = acked_before_backup - inside
            print(f"  the last backup, restored: {len(inside):,} calls, "
                  f"{len(missing)} acknowledged before it began missing")  # fmt: skip
    elif events["backup"]:
        print("  no backup was taken (fitsdesk backup missing or failing)")
    else:
        print("  no backup in this campaign")
    shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--seconds", type=float, default=30, help="per campaign (30)")
    parser.add_argument("--writers", type=int, default=4, help="writing processes (4)")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument(
        "--restart", action="store_true", help="restart the PostgreSQL server once (root only)"
    )
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="fitsdesk-faults-db-"))
    campaign(f"sqlite:///{folder / 'desk.db'}", "SQLite", args.seconds, small=None,
             postgres=False, restart=False, writers=args.writers)  # fmt: skip
    if os.geteuid() == 0:
        small = Path(tempfile.mkdtemp(prefix="fitsdesk-faults-small-"))
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(small)], capture_output=True
        ).returncode == 0  # fmt: skip
        if mounted:
            try:
                campaign(f"sqlite:///{small / 'desk.db'}", "SQLite on a 64 MB disk that fills",
                         args.seconds, small=small, postgres=False, restart=False,
                         writers=args.writers)  # fmt: skip
            finally:
                subprocess.run(["umount", "-l", str(small)], check=False)
    if args.postgres:
        schema = f"faults_{os.getpid()}"
        url = args.postgres + ("&" if "?" in args.postgres else "?") + f"schema={schema}"
        try:
            campaign(url, "PostgreSQL", args.seconds, small=None, postgres=True,
                     restart=args.restart, writers=args.writers)  # fmt: skip
        finally:
            import psycopg

            with psycopg.connect(args.postgres.split("?")[0], autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                admin.execute(f'DROP SCHEMA IF EXISTS "restored_{os.getpid()}" CASCADE')
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
