"""The one place that opens the database, keeps its schema current and runs transactions.

    from store.db import database
    db = database.connect("sqlite:////srv/fitsdesk/desk.db")   # or None: the default
    with database.write():          # one transaction; BEGIN IMMEDIATE on SQLite
        ...

Which database (docs/architecture.md): the URL given, else FITSDESK_DB, else `db` in the
config file, else a SQLite file in the user's data folder, made on first use.
A plain path is taken as a SQLite file. SQLite runs in WAL mode with foreign
keys on, a 10 s busy timeout and synchronous=FULL. `postgresql://` URLs use
psycopg 3; `?schema=NAME` keeps FITS Desk's tables in their own schema, and
`postgresql:///fitsdesk` (no host) goes over the local socket as the role named
like the OS account (docs/postgresql.md). Every connect brings the schema up to
date with the numbered scripts in `store/db/migrations`, serialised so that
processes starting together do not race; only the role that owns the tables can.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee
from playhouse.pool import PooledPostgresqlDatabase

from store.db.config import Config, data_dir, load_config, peek
from store.db.errors import BadInput, NotAllowed, NotFound, Refused, Unavailable
from store.db.faults import describe, lacks_privilege, lost, role_of, unavailable, unsure

db = peewee.DatabaseProxy()
"""The database every model uses; `connect` points it at a real one."""

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_S = 10
_MIGRATION_LOCK = 0x46495453  # "FITS": the advisory lock key on PostgreSQL
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Base(peewee.Model):
    """Every FITS Desk table: snake_case names, bound to `db`."""

    class Meta:
        database = db
        legacy_table_names = False


def default_url() -> str:
    """The SQLite file FITS Desk uses when nothing else is said."""
    return "sqlite:///" + str(data_dir() / "fitsdesk.db")


def resolve_url(url: str | None = None, config: Config | None = None) -> str:
    """The database URL in force (docs/architecture.md, The database); an empty --db is an
    error."""
    if url is not None:
        return url
    if os.environ.get("FITSDESK_DB"):
        return os.environ["FITSDESK_DB"]
    config = config if config is not None else load_config()
    return config.db or default_url()


def sqlite_file(url: str) -> str:
    """The file a SQLite URL (or plain path) names, as given, or ":memory:"; the disk is
    not looked at."""
    if "://" in url and ":///" not in url:
        raise BadInput(
            "A SQLite URL has three slashes: sqlite:///relative.db or sqlite:////absolute/desk.db."
        )
    path = url.split(":///", 1)[1] if "://" in url else url
    path = unquote(path.split("?", 1)[0])
    if not path:
        raise BadInput("The SQLite URL names no file: use sqlite:////path/to/desk.db.")
    if "\x00" in path:
        raise BadInput("The database path contains a NUL character.")
    return path


def _sqlite(url: str, *, create_folder: bool) -> peewee.SqliteDatabase:
    path = sqlite_file(url)
    if path != ":memory:":
        try:
            folder = Path(path).expanduser().parent
        except RuntimeError:  # "~someone" with no such account
            raise BadInput(f"{path} starts with a home folder that does not exist.") from None
        if create_folder:
            folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            raise Unavailable(
                f"The folder {folder} for the database does not exist, so nothing was saved."
            )
        if Path(path).is_dir():
            raise BadInput(f"{path} is a folder, not a database file.")
        path = str(Path(path).expanduser())
    return peewee.SqliteDatabase(
        path,
        timeout=BUSY_TIMEOUT_S,
        pragmas=[
            ("busy_timeout", BUSY_TIMEOUT_S * 1000),
            ("journal_mode", "wal"),
            ("synchronous", "full"),  # a log number shown to a pupil is already on disk
            ("foreign_keys", 1),
        ],
    )


def _waits() -> str:
    """The session settings that bound every wait: a lock held elsewhere, a long statement."""
    settings = peek()
    return (
        f"-c lock_timeout={settings.lock_timeout_seconds * 1000} "
        f"-c statement_timeout={settings.statement_timeout_seconds * 1000}"
    )


class _Pool(PooledPostgresqlDatabase):
    """PostgreSQL through a pool of a few connections for long-running processes (the
    desk, the kiosk, mail run): a connection is checked with a round trip before each
    use, so one the server dropped (a restart, a failover) is replaced, not used."""


def _postgres(url: str, *, pool: bool = False) -> peewee.PostgresqlDatabase:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable(
            "PostgreSQL needs the postgres extra: pip install 'fitsdesk[postgres]'."
        ) from None
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018  (a bracketed host that is no address raises here)
    except ValueError:
        raise BadInput(f"{describe(url)} is not a database URL FITS Desk can read.") from None
    try:
        port = parts.port
    except ValueError:
        raise BadInput(f"The port in {describe(url)} is not a port number.") from None
    if not unquote(parts.path.lstrip("/")):
        raise BadInput(f"{describe(url)} names no database: write postgresql://USER@HOST/DATABASE.")
    params = {
        "database": unquote(parts.path.lstrip("/")) or None,
        "host": parts.hostname,  # none: libpq's own socket, and the OS account as the role
        "port": port,
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "connect_timeout": 5,
    }
    schema = None
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "schema":
            schema = value
        elif key == "host":  # libpq's way to name a socket folder: ?host=/var/run/postgresql
            if parts.hostname:
                raise BadInput(f"{describe(url)} names the server twice: keep one of them.")
            params["host"] = value or None
        elif key in ("sslmode", "application_name", "connect_timeout", "options", "sslrootcert"):
            params[key] = value
        else:
            raise BadInput(f"The database URL has an option FITS Desk does not know: {key}.")
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise BadInput("The schema name must be lower-case letters, digits and _.")
    options = [params.get("options") or "", _waits(), f"-c search_path={schema}" if schema else ""]
    params["options"] = " ".join(part for part in options if part)
    # pg_stat_activity then shows which sessions use which schema (for a restore's check).
    params.setdefault("application_name", application_name(schema))
    given = {k: v for k, v in params.items() if v is not None}
    database = (
        _Pool(max_connections=8, stale_timeout=300, timeout=10, prefer_psycopg3=True, **given)
        if pool
        else peewee.PostgresqlDatabase(prefer_psycopg3=True, **given)
    )
    database.fitsdesk_schema = schema
    return database


def application_name(schema: str | None) -> str:
    """What a FITS Desk session calls itself to PostgreSQL: "fitsdesk", or "fitsdesk desk"
    for the tables in schema desk."""
    return f"fitsdesk {schema}" if schema else "fitsdesk"


def build(url: str, *, create_folder: bool = False, pool: bool = False) -> peewee.Database:
    """A database object for `url`, not yet connected; `pool` for a long-running process."""
    if not isinstance(url, str) or not url.strip():
        raise BadInput("The database URL is empty.")
    url = url.strip()
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("", "sqlite"):
        return _sqlite(url, create_folder=create_folder)
    if scheme in ("postgres", "postgresql"):
        return _postgres(url, pool=pool)
    raise BadInput(
        f"FITS Desk cannot use a '{scheme}' database: give sqlite:///PATH or postgresql://..."
    )


def _missing(url: str) -> NotFound:
    return NotFound(
        f"There is no FITS Desk database at {describe(url)}: check the URL, "
        "or make one with: fitsdesk init"
    )


def connect(
    url: str | None = None, *, upgrade: bool = True, create: bool = True, pool: bool = False
) -> peewee.Database:
    """Open the database in force, bring its schema up to date, and bind the models.
    With `create` off, a database that does not exist yet is NotFound rather than made
    (so a mistyped --db is not a new empty desk); the default database is always made.
    Making a SQLite database makes its folder too; both are for the owner alone until
    `fitsdesk init` shares them with the group (`store.db.files`). A long-running process
    asks for a `pool` of connections on PostgreSQL (see `_Pool`)."""
    url = resolve_url(url)
    default = url == default_url()
    create = create or default
    was = os.umask(0o077) if create else None  # a new file and folder are private at first
    try:
        return _connect(url, upgrade=upgrade, create=create, pool=pool)
    finally:
        if was is not None:
            os.umask(was)


def _connect(url: str, *, upgrade: bool, create: bool, pool: bool) -> peewee.Database:
    database = build(url, create_folder=create, pool=pool)
    database.fitsdesk_url = url
    sqlite = isinstance(database, peewee.SqliteDatabase)
    if not create and sqlite and database.database != ":memory:":
        path = Path(database.database)
        if not path.is_file() or path.stat().st_size == 0:
            raise _missing(url)
    try:
        database.connect(reuse_if_open=True)
        schema = None if sqlite else database.fitsdesk_schema
        if schema and create and not _schema_exists(database, schema):
            # Only when missing: making a schema needs a right on the database staff lack.
            database.execute_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        if not create and not database.table_exists(HISTORY, schema=schema):
            database.close()
            raise _missing(url)
        _retire(db.obj)
        db.initialize(database)
        if upgrade:
            upgrade_schema(database, url=url)
    except peewee.DatabaseError as exc:
        role = role_of(database)
        if not database.is_closed():
            database.close()
        raise unavailable(exc, url, role) from None
    except Unavailable:
        database.close()
        raise
    except peewee.InterfaceError as exc:
        raise unavailable(exc, url) from None
    database.fitsdesk_url = url
    return database


def _retire(old: peewee.Database | None) -> None:
    """Close every pooled connection of a database being replaced (an app reconnecting)."""
    if isinstance(old, PooledPostgresqlDatabase):
        with contextlib.suppress(peewee.PeeweeException):
            old.close_all()


HISTORY = "schema_migration"
"""The table where playhouse.migrations records the scripts it has run."""


def _schema_exists(database: peewee.Database, schema: str) -> bool:
    found = database.execute_sql("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
    return found.fetchone() is not None


def _history(database: peewee.Database) -> str:
    """The history table's name, in its schema if the URL named one: a role without
    USAGE on the schema then hears "permission denied", not "there is no database"."""
    schema = getattr(database, "fitsdesk_schema", None)
    return f'"{schema}"."{HISTORY}"' if schema else f'"{HISTORY}"'


def migration_scripts() -> list[str]:
    """The names of this version's migration scripts, in the order they run."""
    return sorted(
        (p.stem for p in MIGRATIONS.glob("[0-9]*.py")), key=lambda name: int(name.split("_", 1)[0])
    )


def pending_migrations(database: peewee.Database) -> list[str]:
    """Names of the migration scripts this database has not yet run. Read straight from
    the history table: every start asks, and the migration runner is slow to import."""
    scripts = migration_scripts()
    applied: set[str] = set()
    if database.table_exists(HISTORY, schema=getattr(database, "fitsdesk_schema", None)):
        applied = {row[0] for row in database.execute_sql(f"SELECT name FROM {_history(database)}")}
    unknown = sorted(applied - set(scripts))
    if unknown:
        where = getattr(database, "fitsdesk_url", "")
        raise Unavailable(
            f"The database{f' ({describe(where)})' if where else ''} was upgraded by a newer "
            f"FITS Desk (it has run {unknown[-1]}), so nothing was saved: install that "
            "version here too."
        )
    return [name for name in scripts if name not in applied]


def upgrade_schema(database: peewee.Database, *, url: str = "") -> list[str]:
    """Run the migrations this database lacks, one process at a time; return their names.
    On PostgreSQL only the tables' owner may: anyone else is told to ask for it."""
    pending = pending_migrations(database)
    if not pending:
        return []
    from playhouse.migrations import Runner

    runner = Runner(database, str(MIGRATIONS))
    if isinstance(database, peewee.SqliteDatabase):
        # Table rebuilds need foreign keys off, which only works outside a transaction.
        database.pragma("foreign_keys", 0)
        try:
            with database.atomic("IMMEDIATE"):
                applied = runner.up()
                broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise Unavailable("A schema upgrade would break links between records.")
        finally:
            database.pragma("foreign_keys", 1)
        return applied
    try:
        with database.atomic():
            database.execute_sql("SET LOCAL statement_timeout = 0")  # a big table takes its time
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            return runner.up()
    except peewee.ProgrammingError as exc:
        if not lacks_privilege(exc):
            raise
        owner = _owner(database)
        raise Unavailable(
            f"The database{f' ({describe(url)})' if url else ''} needs upgrading for this "
            f"version of FITS Desk ({len(pending)} new step{'s' if len(pending) > 1 else ''}), "
            f"which only its owner may do: run fitsdesk init as role {owner}."
        ) from None


def _owner(database: peewee.Database) -> str:
    """The role that owns FITS Desk's tables (the one that ran the first migration)."""
    found = database.execute_sql(
        "SELECT tableowner FROM pg_tables WHERE tablename = %s "
        "AND schemaname = COALESCE(%s, current_schema())",
        (HISTORY, getattr(database, "fitsdesk_schema", None)),
    ).fetchone()
    return found[0] if found else "that owns its tables"


# What a running database can do to us (locked, read-only, gone away), as opposed to our bugs.
_UNAVAILABLE = (peewee.OperationalError, peewee.InterfaceError, peewee.InternalError)


def sqlite_path() -> Path | None:
    """The file of the bound SQLite database (None on PostgreSQL or in memory)."""
    if not is_sqlite() or db.obj.database == ":memory:":
        return None
    return Path(db.obj.database)


def is_sqlite() -> bool:
    """Whether the bound database is SQLite (else PostgreSQL)."""
    return isinstance(db.obj, peewee.SqliteDatabase)


def release_connection() -> None:
    """Hand this thread's connection back (to the pool, on PostgreSQL), so the next statement
    takes a checked one: for a long-running loop between its rounds."""
    with contextlib.suppress(peewee.PeeweeException):
        if db.obj is not None and db.transaction_depth() == 0:
            db.obj.close()


def forget_connection() -> None:
    """Drop this thread's connection after the server dropped it, so that the next
    statement opens a new one rather than failing on the dead one for good."""
    database = db.obj
    try:
        if isinstance(database, PooledPostgresqlDatabase):
            database.manual_close()  # never back into the pool
        else:
            database.close()
    except Exception:  # closing a dead connection can fail too: start afresh regardless
        database._state.reset()


def _committed(xid: int) -> bool | None:
    """Whether the server committed transaction `xid`, asked on a new connection; None
    when it cannot be asked (the server is still away) or has not finished deciding."""
    for _ in range(20):  # a dropped backend may still be finishing its commit
        try:
            state = db.execute_sql("SELECT txid_status(%s)", (xid,)).fetchone()[0]
        except peewee.PeeweeException:
            forget_connection()
            return None
        if state != "in progress":
            return state == "committed"
        time.sleep(0.05)
    return None


REFUSED: list[Callable[[NotAllowed], None]] = []
"""Called when a role check's refusal leaves the outermost `write()` or `read()`, after
the transaction has rolled back: `store.school.audit` keeps it in the security audit trail."""


def _keep(exc: NotAllowed) -> None:
    for keep in REFUSED:
        keep(exc)


@contextlib.contextmanager
def write() -> Iterator[None]:
    """One write transaction; on SQLite it takes the write lock at BEGIN, so it never
    deadlocks upgrading a read lock. Database errors become `Unavailable`.

    On PostgreSQL the connection can drop after the server has committed but before it
    said so. The transaction's id is taken at BEGIN, so that when a connection is lost
    a new one asks the server what became of it: committed is success, anything else is
    "nothing was saved" (docs/faults.md)."""
    outermost = db.transaction_depth() == 0
    xid = None
    try:
        if not outermost:
            with db.atomic():
                yield
        elif is_sqlite():
            with db.atomic("IMMEDIATE"):
                yield
        else:
            with db.atomic():
                xid = db.execute_sql("SELECT txid_current()").fetchone()[0]
                yield
    except _UNAVAILABLE as exc:
        if outermost and lost(exc):
            forget_connection()
            if xid is not None:
                done = _committed(xid)
                if done:
                    return  # the commit got through; only its answer was lost
                if done is None:
                    raise unsure(exc, getattr(db.obj, "fitsdesk_url", "")) from None
        raise unavailable(exc, getattr(db.obj, "fitsdesk_url", "")) from None
    except peewee.ProgrammingError as exc:
        if not lacks_privilege(exc):
            raise
        raise unavailable(exc, getattr(db.obj, "fitsdesk_url", ""), role_of(db.obj)) from None
    except NotAllowed as exc:
        if outermost:
            _keep(exc)
        raise


@contextlib.contextmanager
def read() -> Iterator[None]:
    """Database errors while reading become `Unavailable`."""
    try:
        yield
    except _UNAVAILABLE as exc:
        if db.transaction_depth() == 0 and lost(exc):
            forget_connection()
        raise unavailable(exc, getattr(db.obj, "fitsdesk_url", "")) from None
    except peewee.ProgrammingError as exc:
        if not lacks_privilege(exc):
            raise
        raise unavailable(exc, getattr(db.obj, "fitsdesk_url", ""), role_of(db.obj)) from None
    except NotAllowed as exc:
        if db.transaction_depth() == 0:
            _keep(exc)
        raise


def row_to_change(
    model: type[peewee.Model], record_id: int, seen_version: int | None, number: str, what: str
):
    """The row a change is about to be made to, read inside the write transaction and
    locked until it ends (FOR UPDATE on PostgreSQL; SQLite's write lock already holds
    it). NotFound "There is no {what} {number}." if it is missing; Refused if it was
    changed since `seen_version`. Call inside `write()`."""
    query = model.select().where(model.id == record_id)
    if not is_sqlite():
        query = query.for_update()
    row = query.first()
    if row is None:
        raise NotFound(f"There is no {what} {number}.")
    if seen_version is not None and seen_version != row.version:
        raise Refused(f"{number} was just changed: look at it again before acting.")
    return row


_SQL: dict[tuple, str] = {}
"""SQL text built once per process and kind of database, for the hottest statements."""


def cached_sql(key: str, build: Callable[[], peewee.Query]) -> str:
    """The SQL of `build()`, made once: peewee builds SQL afresh on every call, which
    costs more than running it. `build` must put its parameters in a fixed order."""
    slot = (key, type(db.obj))
    if slot not in _SQL:
        _SQL[slot] = build().sql()[0]
    return _SQL[slot]


def first_row(key: str, build: Callable[[], peewee.Query], params: tuple) -> tuple | None:
    """The first row of a cached query, run with `params`."""
    return db.obj.execute_sql(cached_sql(key, build), params).fetchone()


def insert_row(
    model: type[peewee.Model], values: dict, *, unless_there: bool = False
) -> int | None:
    """Insert one row with SQL made once per table and set of columns; return its id.
    With `unless_there`, a row that would break a unique column is skipped: None."""
    fields = model._meta.fields
    values = {**values}
    for name, field in fields.items():  # the model's defaults, as peewee's own insert adds them
        if name not in values and field.default is not None:
            values[name] = field.default() if callable(field.default) else field.default
    sqlite = is_sqlite()
    slot = ("insert", model, tuple(values), unless_there, type(db.obj))
    if slot not in _SQL:
        columns = ", ".join(f'"{fields[name].column_name}"' for name in values)
        marks = ", ".join(db.obj.param for _ in values)
        verb = "INSERT OR IGNORE" if unless_there and sqlite else "INSERT"
        tail = "" if sqlite else (" ON CONFLICT DO NOTHING" if unless_there else "")
        tail += "" if sqlite else ' RETURNING "id"'
        _SQL[slot] = f'{verb} INTO "{model._meta.table_name}" ({columns}) VALUES ({marks}){tail}'
    params = [fields[name].db_value(value) for name, value in values.items()]
    cursor = db.obj.execute_sql(_SQL[slot], params)
    if sqlite:
        return cursor.lastrowid if cursor.rowcount == 1 else None
    row = cursor.fetchone()
    return row[0] if row else None


def insert_rows(model: type[peewee.Model], rows: list[dict]) -> None:
    """Insert many rows that give the same columns, as one statement the driver runs for
    each row (executemany): peewee building a 500-row INSERT costs more than running it.
    Each row must give every column that has no default in the database."""
    if not rows:
        return
    fields = model._meta.fields
    names = list(rows[0])
    columns = ", ".join(f'"{fields[name].column_name}"' for name in names)
    marks = ", ".join(db.obj.param for _ in names)
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    convert = [(name, fields[name].db_value) for name in names]
    params = [[to_db(row[name]) for name, to_db in convert] for row in rows]
    with peewee.__exception_wrapper__:
        db.obj.cursor().executemany(sql, params)


def stream_rows(sql: str, params: list, *, big: bool = False) -> Iterator[tuple]:
    """The rows of a query, fetched as they are used. `big` results on PostgreSQL come
    through a server-side cursor, so a million rows never sit in memory at once."""
    if is_sqlite() or not big:
        yield from db.obj.execute_sql(sql, params)
        return
    with db.atomic(), peewee.__exception_wrapper__:
        name = f"fitsdesk_rows_{secrets.token_hex(4)}"
        with db.obj.connection().cursor(name=name) as cursor:
            cursor.itersize = 2000
            cursor.execute(sql, params)
            yield from cursor
