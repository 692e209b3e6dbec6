"""SQLite's side of backups: a copy made with SQLite's online backup API inside one read
transaction, so it is the database as it stood at one moment while kiosks keep writing;
the checks a copy must pass; whether another program has a database open; and putting a
checked copy in a database's place.

    from store.continuity import backup_sqlite
    counts = backup_sqlite.copy(live, Path("part"))   # rows per table, as copied
    backup_sqlite.check(Path("part"), counts)         # integrity and the same rows
    backup_sqlite.in_use(live)                        # another connection has it open
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from store.db.database import BUSY_TIMEOUT_S
from store.db.errors import BadInput, Unavailable

MAGIC = b"SQLite format 3\x00"
PAGES_PER_STEP = 1024
"""Pages copied between two looks at the progress bar (4 MiB at the usual page size)."""
_DMS_BYTE = 128
"""The byte of the -shm file on which every open connection holds a shared lock while it
is open (SQLite's "dead man switch")."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Contents:
    """What a SQLite copy holds, as far as a restore needs to know."""

    counts: dict[str, int]
    migrations: list[str]


def _uri(path: Path, **flags: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in flags.items())
    return f"file:{quote(str(path))}?{query}"


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that can only read `path`."""
    conn = sqlite3.connect(
        _uri(path, mode="ro"), uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    return conn


def _name(table: str) -> str:
    return '"' + table.replace('"', '""') + '"'


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in each ordinary table (a full-text index's own tables included)."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
    ]
    return {t: conn.execute(f"SELECT count(*) FROM {_name(t)}").fetchone()[0] for t in tables}


def copy(source: Path, target: Path, progress: Progress | None = None) -> dict[str, int]:
    """Copy the database at `source` into the new, empty file `target`; return the rows of
    each table in the copy. The read transaction opened before counting is held until
    the last page is copied, so the counts and the copy are the same moment, and writers
    carry on meanwhile (WAL lets one reader and writers work at once)."""
    src = _read_only(source)
    try:
        src.execute("BEGIN")
        snapshot = counts(src)  # the first read fixes the moment the copy is of
        dst = sqlite3.connect(str(target), isolation_level=None)
        try:
            src.backup(dst, pages=PAGES_PER_STEP, progress=_pages(progress))
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
        src.execute("COMMIT")
    finally:
        src.close()
    return snapshot


def _pages(progress: Progress | None):
    if progress is None:
        return None
    return lambda _status, remaining, total: progress(total - remaining, total)


def check(path: Path, expected: dict[str, int]) -> None:
    """Unavailable unless the copy at `path` passes SQLite's integrity check and holds
    exactly the rows `expected` says were copied."""
    conn = _read_only(path)
    try:
        verdict = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
        if verdict != ["ok"]:
            raise Unavailable(f"The copy failed SQLite's integrity check ({verdict[0]}).")
        found = counts(conn)
    finally:
        conn.close()
    if found != expected:
        wrong = sorted(t for t in set(found) | set(expected) if found.get(t) != expected.get(t))
        raise Unavailable(
            f"The copy does not hold the rows that were copied (table {wrong[0]}: "
            f"{found.get(wrong[0], 0)} rows, not {expected.get(wrong[0], 0)})."
        )


def inspect(path: Path, shown_as: str) -> Contents:
    """What the SQLite file at `path` holds, or BadInput in one sentence when it is cut
    short, damaged, or not a FITS Desk database (`shown_as` names it in the sentence)."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        header = handle.read(100)
    page_size = int.from_bytes(header[16:18], "big") if len(header) == 100 else 0
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big") if len(header) == 100 else 0
    if not page_size or size < page_size * max(pages, 1) or size % page_size:
        raise BadInput(
            f"{shown_as} is cut short ({size:,} bytes of a database that should be "
            f"{page_size * max(pages, 1):,}): it is not a whole copy."
        )
    try:
        conn = _read_only(path)
        try:
            verdict = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if verdict != ["ok"]:
                raise BadInput(
                    f"{shown_as} is damaged: SQLite's integrity check says "
                    f"{verdict[0][:120]!r}, so it cannot be restored."
                )
            if not {"schema_migration", "incident", "technician"} <= tables:
                raise BadInput(
                    f"{shown_as} is a SQLite database, but not a FITS Desk one: "
                    "it has no calls or technicians to restore."
                )
            migrations = [row[0] for row in conn.execute("SELECT name FROM schema_migration")]
            found = counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BadInput(f"{shown_as} is damaged ({exc}), so it cannot be restored.") from None
    return Contents(found, migrations)


def in_use(path: Path) -> bool:
    """Whether any connection, in this process or another, has the database open. Each
    open connection to a WAL database holds a shared lock on one byte of its -shm file;
    asking whether a write lock could be had there tells, without taking it."""
    shm = Path(f"{path}-shm")
    try:
        fd = os.open(shm, os.O_RDONLY)
    except FileNotFoundError:
        return False  # nobody has opened it since the last one closed it
    try:
        # Open-file-description locks see this process's own connections too.
        ask = getattr(fcntl, "F_OFD_GETLK", fcntl.F_GETLK)
        query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, _DMS_BYTE, 1, 0)
        answer = fcntl.fcntl(fd, ask, query)
        return struct.unpack("hhqqi4x", answer)[0] != fcntl.F_UNLCK
    finally:
        os.close(fd)


def put(
    source: Path,
    target: Path,
    expected: dict[str, int],
    *,
    aside: Path | None,
    like: os.stat_result | None,
    progress: Progress | None = None,
) -> None:
    """Put a copy of the database at `source` in `target`'s place: copied beside it,
    checked against `expected`, then renamed over it in one step. The database that was
    there (with its -wal and -shm) is kept as `aside`; the new file takes its mode and
    owners (`like`), or is its owner's alone."""
    part = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        part.unlink()
    try:
        os.close(os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        src = _read_only(source)
        try:
            dst = sqlite3.connect(str(part), isolation_level=None)
            try:
                src.backup(dst, pages=PAGES_PER_STEP, progress=_pages(progress))
            finally:
                dst.close()
        finally:
            src.close()
        check(part, expected)
        conn = sqlite3.connect(str(part), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")  # as FITS Desk keeps every database
        finally:
            conn.close()  # the last connection: SQLite removes the -wal and -shm it made
        _take_on(part, like)
        _fsync(part)
        if aside is not None:
            _set_aside(target, aside)
        os.replace(part, target)
        _fsync(target.parent)
    except BaseException:
        for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise


def _take_on(path: Path, like: os.stat_result | None) -> None:
    if like is None:
        os.chmod(path, 0o600)  # a new database is its owner's until fitsdesk init shares it
        return
    with contextlib.suppress(PermissionError):
        os.chown(path, like.st_uid, like.st_gid)
    with contextlib.suppress(PermissionError):
        os.chown(path, -1, like.st_gid)
    os.chmod(path, like.st_mode & 0o7777)


def _set_aside(target: Path, aside: Path) -> None:
    """Keep the database at `target` under the name `aside`, with its -wal and -shm (a
    program that still has it open keeps writing to them). `target` stays in place until
    the new file replaces it, except for the -wal, which must go first: SQLite would
    otherwise read the old one's last changes into the new database."""
    for suffix in ("", "-wal", "-shm"):
        here = Path(f"{target}{suffix}")
        if not here.exists():
            continue
        try:
            os.link(here, f"{aside}{suffix}")
        except OSError:  # a filesystem without hard links: move it instead
            os.rename(here, f"{aside}{suffix}")
            continue
        if suffix:
            here.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
