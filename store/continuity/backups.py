"""Backups: a checked copy of the database, taken while kiosks and technicians keep
working, kept in a folder of its own; and a copy restored, to a new place (the restore
drill) or over a database, which is then kept aside rather than destroyed.

    from store.continuity import backups
    made = backups.take(by="fitsdesk")             # the bound database, into the folder
    made.path, made.counts["incident"], made.removed
    done = backups.restore("fitsdesk-2026-12-06T1830.db", url="sqlite:////tmp/drill.db",
                           by="jsmith")            # a new place: always allowed
    backups.latest(backups.folder(url))            # the newest copy there, or None

SQLite copies use SQLite's online backup API (store.continuity.backup_sqlite); PostgreSQL ones
pg_dump's custom format (store.continuity.backup_postgres). Each copy is checked against the rows
counted at the moment it was taken, then named with that time in local time:
`fitsdesk-2026-12-06T1830.db` (or `.dump`). Only files named so, and holding what such a
file holds, are ever removed to keep the last `[backup] keep`. Who may do what is in
docs/security.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import peewee

from store.continuity import backup_postgres, backup_sqlite
from store.db import config, database
from store.db.database import describe, read
from store.db.errors import BadInput, FitsDeskError, NotAllowed, NotFound, Refused, Unavailable
from store.db.identity import Acting, journal_name
from store.db.models import Technician
from store.db.sanitise import shown
from store.school import people

STALE_AFTER = dt.timedelta(days=2)
"""A newest copy older than this is something to fix (fitsdesk doctor)."""
_NAME = re.compile(r"^fitsdesk-(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(?:-(\d{1,4}))?\.(db|dump)$")
_PART = re.compile(r"^\.fitsdesk-.+\.part$")
_CALLS = "incident"
PATH_SHOWN = 240
"""The most of a path a sentence quotes back (a file's name is at its end)."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Copy:
    """A backup that was taken and checked."""

    path: Path
    size: int
    counts: dict[str, int]
    removed: list[Path] = field(default_factory=list)
    """Older copies removed to keep the last `keep`."""

    @property
    def calls(self) -> int:
        return self.counts.get(_CALLS, 0)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Restored:
    """A copy restored and checked."""

    target: str
    """Where it went, for messages (a password hidden)."""
    counts: dict[str, int]
    aside: str | None
    """Where the database it replaced was kept, or None for a new place."""
    pending: list[str]
    """Schema upgrades the copy lacks (it is from an older FITS Desk)."""

    @property
    def calls(self) -> int:
        return self.counts.get(_CALLS, 0)


@dataclass(frozen=True)
class Found:
    """One of the copies in the backup folder."""

    path: Path
    taken: dt.datetime
    """When it was taken, local time (from its name)."""


# -- where and what -----------------------------------------------------------------------


def folder(url: str | None = None, settings: config.Config | None = None) -> Path:
    """The backup folder: `[backup] folder`, else `backups` beside a SQLite database (the
    same disk and the same group as it), else `backups` in the data folder."""
    settings = settings if settings is not None else config.current()
    if settings.backup_folder:
        return Path(settings.backup_folder)
    place = _sqlite_place(database.resolve_url(url, settings))
    if place is not None and str(place) != ":memory:":
        return place.parent / "backups"
    return config.data_dir() / "backups"


def _sqlite_place(url: str) -> Path | None:
    """The file a SQLite URL names (None for PostgreSQL), whether or not it is there."""
    if not isinstance(url, str) or not url.strip():
        raise BadInput("The database URL is empty.")
    text = url.strip()
    if text.split("://", 1)[0].lower() not in ("sqlite", text) and "://" in text:
        database.build(text)  # PostgreSQL, or a sentence saying what is wrong with it
        return None
    return Path(database.sqlite_file(text)).expanduser()


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H%M")


def _taken(path: Path) -> tuple[dt.datetime, int] | None:
    found = _NAME.match(path.name)
    if not found:
        return None
    year, month, day, hour, minute, seq, _ = found.groups()
    try:
        moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute))
    except ValueError:
        return None
    return moment, int(seq or 1)


def _is_ours(path: Path) -> bool:
    """Named like a copy this module makes, and holding what one holds."""
    if _taken(path) is None or path.is_symlink() or not path.is_file():
        return False
    magic = backup_sqlite.MAGIC if path.suffix == ".db" else backup_postgres.MAGIC
    try:
        with open(path, "rb") as handle:
            return handle.read(len(magic)) == magic
    except OSError:
        return False


def copies(where: Path) -> list[Found]:
    """The copies in the folder, newest first."""
    try:
        entries = list(where.iterdir())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise Unavailable(
            f"The backup folder {where} cannot be read by this account ({exc.strerror})."
        ) from None
    ours = [(_taken(p), p) for p in entries if _is_ours(p)]
    ours.sort(key=lambda item: (item[0], item[1].name), reverse=True)
    return [Found(path, taken[0]) for taken, path in ours]


def latest(where: Path) -> Found | None:
    """The newest copy in the folder, or None."""
    found = copies(where)
    return found[0] if found else None


def prune(where: Path, keep: int, *, now: dt.datetime | None = None) -> list[Path]:
    """Remove all but the newest `keep` copies, and copies left half made over a day ago;
    never a file of any other name or kind. Returns what was removed."""
    removed = []
    for old in copies(where)[keep:]:
        with contextlib.suppress(FileNotFoundError):
            old.path.unlink()
            removed.append(old.path)
    cutoff = (now or dt.datetime.now()).timestamp() - 86400
    for entry in where.iterdir():
        if _PART.match(entry.name) and entry.is_file() and entry.stat().st_mtime < cutoff:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
    return removed


def freshness(
    url: str | None = None,
    settings: config.Config | None = None,
    *,
    now: dt.datetime | None = None,
) -> tuple[bool, str]:
    """Whether the newest copy is recent enough, and a sentence saying so, or what to do."""
    where = folder(url, settings)
    now = now or dt.datetime.now()
    try:
        newest = latest(where)
    except Unavailable as exc:
        return False, f"{exc} Backups go there: give this account read access to it."
    if newest is None:
        return False, (
            f"There is no backup in {where}: take one with fitsdesk backup, and let the "
            "backup timer take one every day (docs/backup.md)."
        )
    age = now - newest.taken
    if age > STALE_AFTER:
        return False, (
            f"The latest backup, {newest.path}, is {_age(age)} old: is the backup timer "
            "running (systemctl list-timers fitsdesk-backup.timer)? Take one now with "
            "fitsdesk backup."
        )
    return True, f"The latest backup is {_age(age)} old: {newest.path}."


def _age(age: dt.timedelta) -> str:
    hours = max(0, int(age.total_seconds() // 3600))
    if hours < 1:
        return "less than an hour"
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"


def _given(path: str | os.PathLike, what: str) -> Path:
    """A file name a person typed, refused in one sentence if no file could have it."""
    text = os.fspath(path)
    if not isinstance(text, str) or not text.strip():
        raise BadInput(f"The {what} file name is empty.")
    if not text.isprintable():
        raise BadInput(f"The {what} file name '{shown(text)}' has control characters in it.")
    if len(text) > 4096 or any(len(part.encode()) > 255 for part in text.split("/")):
        raise BadInput(f"The {what} file name '{shown(text)}' is too long for a file name.")
    return Path(text).expanduser()


# -- who may ------------------------------------------------------------------------------


def _may_copy(by: str) -> None:
    """Whoever can read the whole database may copy it (the copy holds nothing more), but
    a technician who has been deactivated has left: their copy is refused and kept."""
    row = Technician.get_or_none(Technician.login == str(by))
    if row is not None and not row.active:
        raise NotAllowed(
            f"{shown(journal_name(by))} has been deactivated, so may not take a copy of "
            "the database.",
            who=by,
            action="take a backup",
        )


def _may_replace(url: str, by: str) -> None:
    """A manager of the database being replaced may replace it (anyone who can write it,
    while it has no manager), and so may the account that owns it: the SQLite file's
    owner, or the PostgreSQL role that owns its tables, when that role is the account's
    own; either could replace it without FITS Desk. A refusal is kept in the database's
    own audit trail. A database too damaged to say who its managers are is left to
    whoever can write it."""
    try:
        handle = database.connect(url, create=False, upgrade=False)
    except NotFound:
        raise Refused(
            f"{describe(url)} is a database, but not FITS Desk's, so restore will not "
            "replace it: move it away, or restore to a new place."
        ) from None
    except Unavailable:
        return
    try:
        with read():
            if not _owns(handle, by):
                people.manager_or_first(by, "replace the database with a backup")
    except NotAllowed:
        raise
    except (FitsDeskError, peewee.PeeweeException):
        return
    finally:
        handle.close()


def _owns(handle: peewee.Database, by: str) -> bool:
    """Whether `by` is the account that owns the database (never someone working as
    another: that is a manager's step, and kept as one)."""
    if isinstance(by, Acting):
        return False
    if isinstance(handle, peewee.SqliteDatabase):
        import pwd

        try:
            return pwd.getpwuid(Path(handle.database).stat().st_uid).pw_name == str(by)
        except KeyError:
            return False
    role, superuser = handle.execute_sql(
        "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    return role == str(by) and (superuser or database._owner(handle) == role)


# -- taking a copy ------------------------------------------------------------------------


def take(
    file: str | os.PathLike | None = None,
    *,
    by: str,
    keep: int | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> Copy:
    """Copy the bound database, check the copy, and give it its name: `file`, or a name
    with the time in `file` if it is a folder, or in the backup folder, which then keeps
    the newest `keep` (default `[backup] keep`)."""
    url = getattr(database.db.obj, "fitsdesk_url", None)
    settings = config.current()
    with read():
        _may_copy(by)
    sqlite = database.is_sqlite()
    suffix = ".db" if sqlite else ".dump"
    pruning = file is None
    where = folder(url, settings) if file is None else _given(file, "backup")
    explicit = None
    if not pruning and not where.is_dir():
        explicit, where = where, where.parent
        if os.path.lexists(explicit):
            raise BadInput(f"{shown(explicit, PATH_SHOWN)} is already there: give a new file name.")
        if not where.is_dir():
            raise NotFound(f"There is no folder {shown(where, PATH_SHOWN)} to write the copy in.")
    _make_folder(where)
    stamp = _stamp(now or dt.datetime.now())
    part = where / f".fitsdesk-{stamp}.{os.getpid()}.part"
    try:
        fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640)
    except OSError as exc:
        raise Unavailable(
            f"The copy cannot be written in {where}: {(exc.strerror or 'refused').lower()}."
        ) from None
    os.close(fd)
    try:
        if sqlite:
            source = database.sqlite_path()
            if source is None:
                raise BadInput("An in-memory database cannot be backed up.")
            _room_for(where, _size(source))
            counts = _sqlite(where, backup_sqlite.copy, source, part, progress)
            _sqlite(where, backup_sqlite.check, part, counts)
            _like(part, source)
        else:
            with read():  # a refused or lost connection is a sentence, not a crash
                found = backup_postgres.tools(
                    backup_postgres.server_major(database.db.obj.connection())
                )
                _schema, counts = backup_postgres.dump(database.db.obj, part, found, progress)
            try:
                dumped = backup_postgres.read(part, found, "The copy pg_dump wrote")
            except BadInput as exc:  # our own copy, not the person's input: it failed
                raise Unavailable(str(exc)) from None
            if dumped.counts != counts:
                raise Unavailable(
                    "The copy pg_dump wrote does not hold the rows that were counted, so it "
                    "was not kept: take it again."
                )
        backup_sqlite._fsync(part)
        final = _name_it(part, explicit or where, stamp, suffix)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        raise
    removed = []
    if pruning:
        removed = prune(where, keep or settings.backup_keep, now=now)
    return Copy(final, final.stat().st_size, counts, removed)


def _sqlite(where: Path, step, *args):
    """A step on SQLite files in `where`, with a full disk or a database error said plainly."""
    import errno
    import sqlite3

    try:
        return step(*args)
    except sqlite3.OperationalError as exc:
        if "full" in str(exc):
            raise _no_room(where) from None
        raise Unavailable(f"The copy could not be written: {exc}.") from None
    except sqlite3.DatabaseError as exc:
        raise Unavailable(f"The copy could not be written: {exc}.") from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise _no_room(where) from None
        raise Unavailable(
            f"The copy could not be written in {where}: {(exc.strerror or '').lower()}."
        ) from None


def _no_room(where: Path) -> Unavailable:
    return Unavailable(
        f"There is no room left in {where} for the copy: free some space there, or "
        "restore or back up somewhere else."
    )


def _size(path: Path) -> int:
    """The most a copy of the SQLite database can take: its file and its -wal."""
    wal = Path(f"{path}-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _room_for(where: Path, needed: int) -> None:
    free = shutil.disk_usage(where).free
    if free < needed:
        raise Unavailable(
            f"There is no room in {where} for the copy: it needs up to {_mb(needed)} and "
            f"{_mb(free)} is free. Free some space, or choose another place."
        )


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def _make_folder(where: Path) -> None:
    try:
        where.mkdir(mode=0o770, parents=True, exist_ok=True)
    except FileExistsError:
        raise BadInput(f"{where} should be the backup folder, but it is a file.") from None
    except OSError as exc:
        raise Unavailable(
            f"The backup folder {where} cannot be made: {(exc.strerror or '').lower()} "
            "(set [backup] folder to one this account can write, see docs/backup.md)."
        ) from None


def _like(part: Path, source: Path) -> None:
    """The copy is readable as widely as the database, never more, and writable by nobody
    but its owner; it goes to the database's group where this account may give it."""
    info = source.stat()
    os.chmod(part, part.stat().st_mode & (info.st_mode | 0o600) & 0o640)
    with contextlib.suppress(OSError):
        os.chown(part, -1, info.st_gid)


def _name_it(part: Path, where: Path, stamp: str, suffix: str) -> Path:
    """Give the checked copy its name without ever replacing a file: a link that fails if
    the name is taken, then the next number."""
    if not where.is_dir():  # a file name was given
        try:
            os.link(part, where)
        except FileExistsError:
            raise BadInput(
                f"{shown(where, PATH_SHOWN)} is already there: give a new file name."
            ) from None
        part.unlink()
        return where
    for seq in range(1, 1000):
        name = where / f"fitsdesk-{stamp}{f'-{seq}' if seq > 1 else ''}{suffix}"
        try:
            os.link(part, name)
        except FileExistsError:
            continue
        part.unlink()
        return name
    raise Unavailable(f"There are already 999 copies from this minute in {where}.")


# -- restoring ----------------------------------------------------------------------------


def restore(
    file: str | os.PathLike,
    *,
    url: str | None = None,
    by: str,
    force: bool = False,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> Restored:
    """Check the copy in `file`, then restore it to the database `url` names (the one in
    force if None). A new place is always allowed. A database that is there is kept aside
    under a name with the time, and only a manager of it may replace it, never while
    another program has it open unless `force`."""
    path = _given(file, "backup")
    url = database.resolve_url(url)
    shown_as = shown(path, PATH_SHOWN)
    try:
        if path.is_dir():
            raise BadInput(f"{shown_as} is a folder, not a backup file.")
        with open(path, "rb") as handle:
            magic = handle.read(16)
    except FileNotFoundError:
        raise NotFound(f"There is no backup file {shown_as}.") from None
    except PermissionError:
        raise Unavailable(f"This account may not read {shown_as}.") from None
    except OSError as exc:
        raise BadInput(f"{shown_as} cannot be read: {(exc.strerror or '').lower()}.") from None
    if not magic:
        raise BadInput(f"{shown_as} is empty: it is not a backup.")
    place = _sqlite_place(url)
    stamp = _stamp(now or dt.datetime.now())
    if magic.startswith(backup_sqlite.MAGIC):
        if place is None:
            raise BadInput(
                f"{shown_as} is a copy of a SQLite database: restore it to a SQLite one "
                "(--db sqlite:////path/to/new.db)."
            )
        return _restore_sqlite(path, shown_as, url, place, by, force, stamp, progress)
    if magic.startswith(backup_postgres.MAGIC):
        if place is not None:
            raise BadInput(
                f"{shown_as} is a copy of a PostgreSQL database: restore it to a PostgreSQL "
                "one (--db postgresql://...)."
            )
        return _restore_postgres(
            path, shown_as, url, database.build(url), by, force, stamp, progress
        )
    raise BadInput(
        f"{shown_as} is not a FITS Desk backup: it is neither a SQLite database nor a "
        "PostgreSQL dump."
    )


def _versions(migrations: list[str], shown_as: str) -> list[str]:
    """The upgrades the copy lacks; Refused if it comes from a newer FITS Desk."""
    known = database.migration_scripts()
    newer = sorted(set(migrations) - set(known))
    if newer:
        raise Refused(
            f"{shown_as} comes from a newer FITS Desk (it has run {newer[-1]}): install that "
            "version to restore it."
        )
    return [name for name in known if name not in migrations]


def _restore_sqlite(path, shown_as, url, place, by, force, stamp, progress) -> Restored:
    if str(place) == ":memory:":
        raise BadInput("A backup cannot be restored into an in-memory database.")
    contents = backup_sqlite.inspect(path, shown_as)
    pending = _versions(contents.migrations, shown_as)
    new = not place.exists() or (place.is_file() and place.stat().st_size == 0)
    if place.exists() and not place.is_file():
        raise BadInput(f"{place} is not a file, so a database cannot be restored there.")
    if place.exists() and path.resolve() == place.resolve():
        raise BadInput(f"{shown_as} is the database itself: restore a copy of it.")
    aside, like = None, None
    if not new:
        if not _fits_desk_file(place):
            raise Refused(
                f"{place} is not a FITS Desk database, so restore will not replace it: "
                "move it away, or restore to a new place."
            )
        _may_replace(url, by)
        if backup_sqlite.in_use(place) and not force:
            raise Refused(
                f"{place} is open in another program (a kiosk, a desk or a service): stop "
                "them first (docs/backup.md), or add --force to replace it anyway."
            )
        aside = _aside_path(place, stamp)
        like = place.stat()
    else:
        try:
            place.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise Unavailable(
                f"The folder {place.parent} cannot be made: {(exc.strerror or '').lower()}."
            ) from None
    _room_for(place.parent, path.stat().st_size)
    _sqlite(
        place.parent,
        lambda: backup_sqlite.put(
            path, place, contents.counts, aside=aside, like=like, progress=progress
        ),
    )
    return Restored(describe(url), contents.counts, str(aside) if aside else None, pending)


def _fits_desk_file(place: Path) -> bool:
    """Whether the file is a SQLite database with FITS Desk's tables, or one too damaged to
    tell (so it may be replaced: it is kept aside). Read without changing it."""
    import sqlite3

    with open(place, "rb") as handle:
        if handle.read(16) != backup_sqlite.MAGIC:
            return False
    try:
        conn = backup_sqlite._read_only(place)
        try:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True
    return database.HISTORY in names


def _aside_path(place: Path, stamp: str) -> Path:
    for seq in range(1, 1000):
        tail = f"-{seq}" if seq > 1 else ""
        aside = place.with_name(f"{place.stem}-replaced-{stamp}{tail}{place.suffix}")
        if not any(os.path.lexists(f"{aside}{s}") for s in ("", "-wal", "-shm")):
            return aside
    raise Unavailable(f"There are already 999 databases set aside this minute in {place.parent}.")


def _restore_postgres(path, shown_as, url, target, by, force, stamp, progress) -> Restored:
    made = False
    try:
        try:
            _open(target)
            major = backup_postgres.server_major(target.connection())
        except _Missing:
            made = True
            major = backup_postgres.maintenance_major(target)
        found = backup_postgres.tools(major)
        dumped = backup_postgres.read(path, found, shown_as)
        pending = _versions(dumped.migrations, shown_as)
        if made:  # only once the copy has passed its checks
            backup_postgres.create_database(target)
            _open(target)
        schema = backup_postgres.schema_of(target)
        tables = {
            row[0]
            for row in target.execute_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
            )
        }
        target.close()
        aside = None
        if tables:
            if database.HISTORY not in tables:
                raise Refused(
                    f"Schema {schema} of {describe(url)} holds tables that are not FITS "
                    "Desk's, so restore will not replace them: restore to a new schema or "
                    "database."
                )
            _may_replace(url, by)
            _open(target)
            users = backup_postgres.users(
                target.connection(), schema, whole_database=not target.fitsdesk_schema
            )
            if users and not force:
                more = " and more" if len(users) > 3 else ""
                raise Refused(
                    f"{describe(url)} is in use ({', '.join(shown(u, 40) for u in users[:3])}"
                    f"{more}): stop the kiosks, desks and services first (docs/backup.md), "
                    "or add --force to replace it anyway."
                )
            aside = _aside_schema(target, schema, stamp)
            target.close()
        backup_postgres.restore(
            path, found, dumped=dumped, database=target, schema=schema, aside=aside,
            progress=progress,
        )  # fmt: skip
        _open(target)
        restored = backup_postgres.table_counts(target, schema)
        if restored != dumped.counts:
            raise Unavailable(
                f"The restored schema {schema} does not hold the copy's rows: look at it "
                "before using it."
            )
    except (peewee.DatabaseError, peewee.InterfaceError) as exc:
        raise database.unavailable(exc, url) from None
    finally:
        target.close()
    where = describe(url) + (" (a new database)" if made else "")
    return Restored(where, dumped.counts, f"schema {aside}" if aside else None, pending)


class _Missing(Exception):
    """The database the URL names is not there."""


def _open(target: peewee.PostgresqlDatabase) -> None:
    try:
        target.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        if f'database "{target.database}" does not exist' in str(exc):
            raise _Missing() from None
        raise


def _aside_schema(target: peewee.PostgresqlDatabase, schema: str, stamp: str) -> str:
    base = f"{schema[:40]}_before_{stamp.replace('-', '').replace('T', 't')}"
    for seq in range(1, 1000):
        name = base + (f"_{seq}" if seq > 1 else "")
        taken = target.execute_sql("SELECT 1 FROM pg_namespace WHERE nspname = %s", (name,))
        if taken.fetchone() is None:
            return name
    raise Unavailable(f"There are already 999 schemas set aside as {base}.")
