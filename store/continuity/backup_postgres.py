"""PostgreSQL's side of backups: pg_dump in its custom format (-Fc) from a snapshot the
rows were counted in, so the copy holds exactly what was counted while kiosks keep
writing; a dump read back whole with pg_restore; and a dump restored through psql into a
schema, in one transaction.

    from store.continuity import backup_postgres
    tools = backup_postgres.tools(15)                 # pg_dump, pg_restore and psql
    schema, counts = backup_postgres.dump(handle, Path("part"), tools)
    found = backup_postgres.read(Path("part"), tools, "the copy")   # Dump(...) or BadInput

The client tools come from PATH or /usr/lib/postgresql/*/bin, the server's own version
first; older than the server, they cannot read it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import peewee

from store.db.database import describe
from store.db.errors import BadInput, Unavailable
from store.db.sanitise import shown

MAGIC = b"PGDMP"
BIN_GLOB = "/usr/lib/postgresql/*/bin"
"""Where Debian and Ubuntu keep each version's client tools."""
_VERSION = re.compile(r"\)\s*(\d+)")
_COPY = re.compile(rb'^COPY ("?)([^".]+)\1\.("?)([^" ]+)\3 \((.*)\) FROM stdin;$')
_DOLLAR = re.compile(rb"\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Tools:
    """One version's pg_dump, pg_restore and psql."""

    pg_dump: str
    pg_restore: str
    psql: str
    major: int


@dataclass(frozen=True)
class Dump:
    """What a dump holds: the schema it was taken from, and its tables' rows."""

    schema: str
    counts: dict[str, int]
    migrations: list[str]


def _major(program: str) -> int | None:
    try:
        done = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    found = _VERSION.search(done.stdout)
    return int(found.group(1)) if done.returncode == 0 and found else None


def tools(server_major: int) -> Tools:
    """The client tools to use with a server of this major version: its own version if
    installed, else the newest; Unavailable when there are none or all are older."""
    folders = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    folders += sorted(glob.glob(BIN_GLOB))
    found: list[tuple[int, Path]] = []
    for folder in dict.fromkeys(folders):
        program = Path(folder) / "pg_dump"
        if program.is_file() and os.access(program, os.X_OK):
            major = _major(str(program))
            if major is not None:
                found.append((major, Path(folder)))
    package = f"postgresql-client-{server_major}"
    if not found:
        raise Unavailable(
            "pg_dump is not installed here, so a PostgreSQL database cannot be copied or "
            f"restored: install the server's version of the client tools ({package})."
        )
    same = [folder for major, folder in found if major == server_major]
    major, folder = (server_major, same[0]) if same else max(found)
    if major < server_major:
        raise Unavailable(
            f"pg_dump here is version {major}, older than the database server's "
            f"{server_major}, so it cannot copy it: install {package} (or newer)."
        )
    named = {}
    for name in ("pg_dump", "pg_restore", "psql"):
        program = folder / name
        if not (program.is_file() and os.access(program, os.X_OK)):
            program = shutil.which(name)
            if program is None:
                raise Unavailable(
                    f"{name} is not installed here, beside pg_dump in {folder}: install {package}."
                )
        named[name] = str(program)
    return Tools(named["pg_dump"], named["pg_restore"], named["psql"], major)


def server_major(conn) -> int:
    """The major version of the server a psycopg connection is talking to."""
    return conn.info.server_version // 10000


def conninfo(database: peewee.PostgresqlDatabase, *, name: str | None = None) -> str:
    """A libpq connection string for the tools, without the password (they get it from
    the environment, so it never shows in the process list)."""
    from psycopg.conninfo import make_conninfo

    params = database.connect_params
    keep = ("host", "port", "user", "sslmode", "sslrootcert", "connect_timeout")
    given = {key: params[key] for key in keep if params.get(key) not in (None, "")}
    return make_conninfo(
        dbname=name or database.database, application_name="fitsdesk backup", **given
    )


def environment(database: peewee.PostgresqlDatabase) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PGPASSWORD", "PGOPTIONS")}
    if database.connect_params.get("password"):
        env["PGPASSWORD"] = database.connect_params["password"]
    return env


def schema_of(database: peewee.PostgresqlDatabase) -> str:
    """The schema FITS Desk's tables are in: the URL's, else the connection's own."""
    if database.fitsdesk_schema:
        return database.fitsdesk_schema
    return database.execute_sql("SELECT current_schema()").fetchone()[0] or "public"


def table_counts(database: peewee.PostgresqlDatabase, schema: str) -> dict[str, int]:
    tables = [
        row[0]
        for row in database.execute_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (schema,)
        )
    ]
    return {
        t: database.execute_sql(f'SELECT count(*) FROM "{schema}"."{t}"').fetchone()[0]
        for t in tables
    }


def dump(
    database: peewee.PostgresqlDatabase,
    target: Path,
    found: Tools,
    progress: Progress | None = None,
) -> tuple[str, dict[str, int]]:
    """Dump FITS Desk's schema into `target` (an empty file that is there); return the
    schema and the rows of each table the dump holds. The rows are counted in a
    REPEATABLE READ transaction whose snapshot pg_dump is given, so both see the same
    moment; the transaction stays open until pg_dump is done."""
    schema = schema_of(database)
    with database.atomic():
        database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = database.execute_sql("SELECT pg_export_snapshot()").fetchone()[0]
        counts = table_counts(database, schema)
        command = [found.pg_dump, "--format=custom", "--verbose", "--no-password"]
        command += [f"--file={target}", f"--schema={schema}", f"--snapshot={snapshot}"]
        command += [f"--dbname={conninfo(database)}"]
        errors = _run_counting(command, environment(database), len(counts), progress)
    if errors is not None:
        raise _dump_failed(errors, database)
    return schema, counts


def _run_counting(
    command: list[str], env: dict[str, str], tables: int, progress: Progress | None
) -> str | None:
    """Run pg_dump, moving the bar on as it says it dumps each table; its errors, or None."""
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=env,
    )  # fmt: skip
    said, done = [], 0
    assert process.stderr is not None
    for raw in process.stderr:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        if "dumping contents of table" in line:
            done += 1
            if progress:
                progress(min(done, tables), tables)
        elif "error" in line.lower() or "fatal" in line.lower():
            said.append(line)
    if process.wait() != 0:
        return "\n".join(said) or "pg_dump stopped without saying why"
    return None


def _dump_failed(errors: str, database: peewee.PostgresqlDatabase) -> Unavailable:
    first = _first_error(errors)
    if "No space left on device" in errors:
        return Unavailable(
            "There is no room left for the copy on this disk: free some space, or set "
            "another [backup] folder (docs/backup.md)."
        )
    denied = re.search(r"permission denied for (?:table|sequence|schema) (\S+)", errors)
    if denied:
        who = database.connect_params.get("user") or "This role"
        return Unavailable(
            f"{who} may not read {denied.group(1)}, so pg_dump cannot copy the database: "
            "run fitsdesk backup as its owner or a member of its staff role "
            "(docs/postgresql.md)."
        )
    return Unavailable(f"pg_dump could not copy {describe(database.database)}: {first}.")


def _first_error(text: str) -> str:
    for line in text.splitlines():
        if "error:" in line.lower() or "ERROR:" in line:
            return shown(re.sub(r"^.*?(?:error|ERROR):\s*", "", line), 200).rstrip(".")
    return shown(text, 200).rstrip(".") or "it stopped without saying why"


def read(path: Path, found: Tools, shown_as: str, progress: Progress | None = None) -> Dump:
    """Read the whole dump at `path` as pg_restore would restore it: its list of contents,
    then every row. BadInput in one sentence when it is cut short, damaged, or not of a
    FITS Desk database."""
    listing = subprocess.run(
        [found.pg_restore, "--list", str(path)],
        capture_output=True, timeout=600, check=False,
    )  # fmt: skip
    if listing.returncode != 0:
        said = _first_error(listing.stderr.decode("utf-8", "replace"))
        if "end of file" in said:
            raise BadInput(
                f"{shown_as} is cut short: pg_restore came to its end before the end of its "
                "list of contents, so it is not a whole copy."
            )
        raise BadInput(
            f"{shown_as} is damaged: pg_restore cannot read its list of contents ({said})."
        )
    tables: dict[str, str] = {}
    for line in listing.stdout.decode("utf-8", "replace").splitlines():
        entry = re.match(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", line)
        if entry:
            tables[entry.group(2)] = entry.group(1)
    if not {"schema_migration", "incident", "technician"} <= set(tables):
        raise BadInput(
            f"{shown_as} is a PostgreSQL dump, but not a FITS Desk one: "
            "it has no calls or technicians to restore."
        )
    schema = tables["schema_migration"]
    counts = {name: 0 for name, where in tables.items() if where == schema}
    migrations: list[str] = []
    with _sql(found, path) as (lines, finished):
        table, name_at = None, None
        for line in lines:
            if table is not None:
                if line == b"\\.\n":
                    table = None
                    continue
                counts[table] += 1
                if name_at is not None:
                    migrations.append(line.rstrip(b"\n").split(b"\t")[name_at].decode())
                continue
            copying = _COPY.match(line.rstrip(b"\n"))
            if copying:
                table = copying.group(4).decode()
                counts.setdefault(table, 0)
                columns = [c.strip().strip('"') for c in copying.group(5).decode().split(",")]
                name_at = columns.index("name") if table == "schema_migration" else None
                if progress:
                    progress(list(counts).index(table) + 1, len(counts))
        problem = finished()
    if problem is not None or table is not None:
        raise BadInput(
            f"{shown_as} is cut short or damaged: pg_restore could not read it to the end "
            f"({problem or 'it stops in the middle of a table'})."
        )
    return Dump(schema, counts, migrations)


@contextlib.contextmanager
def _sql(found: Tools, path: Path, data_only: bool = True) -> Iterator:
    """The dump as SQL, line by line (bytes), and a function that says, once the lines are
    read, what went wrong if pg_restore failed (else None)."""
    command = [found.pg_restore, "--file=-", str(path)]
    if data_only:
        command.insert(1, "--data-only")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)

        def finished() -> str | None:
            if process.wait() == 0:
                return None
            errors.seek(0)
            return _first_error(errors.read().decode("utf-8", "replace"))

        try:
            yield process.stdout, finished
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout:
                process.stdout.close()


def users(conn, schema: str, *, whole_database: bool) -> list[str]:
    """Who else is connected to the schema: FITS Desk's sessions for it (they name it in
    application_name) and any session holding a lock on one of its tables; with
    `whole_database`, every other client of the database."""
    rows = conn.execute(
        "SELECT DISTINCT COALESCE(NULLIF(application_name, ''), usename::text, 'a program') "
        "FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND ("
        "%s OR application_name = %s OR pid IN (SELECT l.pid FROM pg_locks l "
        "JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s))",
        (whole_database, f"fitsdesk {schema}", schema),
    ).fetchall()
    return sorted(row[0] for row in rows)


def restore(
    path: Path,
    found: Tools,
    *,
    dumped: Dump,
    database: peewee.PostgresqlDatabase,
    schema: str,
    aside: str | None,
    progress: Progress | None = None,
) -> None:
    """Restore the dump at `path` into `schema` of the database, as one transaction: the
    schema that was there is renamed `aside` first (when given), and the dump's own
    schema name becomes `schema`. Nothing changes if anything fails."""
    total = max(sum(dumped.counts.values()), 1)
    command = [found.psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"]
    command += ["--output=/dev/null", f"--dbname={conninfo(database)}"]
    with tempfile.TemporaryFile() as errors:
        psql = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors,
            env=environment(database),
        )  # fmt: skip
        assert psql.stdin is not None
        problem = None
        try:
            # COMMIT goes last: a stream cut short ends psql's session, which rolls back.
            psql.stdin.write(b"BEGIN;\n")
            with _sql(found, path, data_only=False) as (lines, finished):
                for chunk in _statements(lines, dumped.schema, schema, aside, progress, total):
                    psql.stdin.write(chunk)
                problem = finished()
            if problem is None:
                psql.stdin.write(b"COMMIT;\n")
            psql.stdin.close()
        except BrokenPipeError:  # psql stopped at an error: what it said is read below
            pass
        except BaseException:
            psql.kill()
            psql.wait()
            raise
        if problem is not None:
            psql.kill()
        status = psql.wait()
        errors.seek(0)
        said = errors.read().decode("utf-8", "replace")
    if problem is not None:
        raise BadInput(f"The copy could not be read to the end ({problem}); nothing was changed.")
    if status != 0:
        raise _restore_failed(said, database)


def _quote(name: str) -> bytes:
    return b'"' + name.replace('"', '""').encode() + b'"'


def _statements(
    lines,
    source: str,
    target: str,
    aside: str | None,
    progress: Progress | None,
    total: int,
) -> Iterator[bytes]:
    """The dump's SQL with its schema named `target`: outside the rows and the bodies of
    functions, every `source.` becomes `"target".`. The schema is made only if missing
    (public always is), and the one it replaces is renamed first."""
    if aside is not None:
        yield b"ALTER SCHEMA " + _quote(target) + b" RENAME TO " + _quote(aside) + b";\n"
    src = re.escape(source.encode())
    qualified = re.compile(rb'(?<![\w"$.])(?:' + src + rb'|"' + src + rb'")\.')
    schema_word = re.compile(rb"(SCHEMA )(?:" + src + rb'|"' + src + rb'")(?=[;\s])')
    named = _quote(target)

    def rename(part: bytes) -> bytes:
        part = qualified.sub(lambda _: named + b".", part)
        return schema_word.sub(lambda found: found.group(1) + named, part)

    change = rename if source != target else None
    in_rows, tag, rows = False, None, 0
    for line in lines:
        if in_rows:
            if line == b"\\.\n":
                in_rows = False
            else:
                rows += 1
                if progress and rows % 1000 == 0:
                    progress(min(rows, total), total)
            yield line
            continue
        if tag is None and line.startswith(b"CREATE SCHEMA "):
            yield b"CREATE SCHEMA IF NOT EXISTS " + named + b";\n"
            continue
        if tag is None and line.startswith(b"COMMENT ON SCHEMA "):
            continue  # the comment public comes with; a new schema has none
        line, tag = _outside_bodies(line, tag, change)
        if tag is None and _COPY.match(line.rstrip(b"\n")):
            in_rows = True
        yield line
    if progress:
        progress(total, total)


def _outside_bodies(line: bytes, tag: bytes | None, change) -> tuple[bytes, bytes | None]:
    """The line with `change` made to it outside dollar-quoted function bodies, and the
    dollar tag still open at its end (None when outside one)."""
    out, at = [], 0
    while at < len(line):
        if tag is None:
            opening = _DOLLAR.search(line, at)
            end = opening.start() if opening else len(line)
            out.append(change(line[at:end]) if change else line[at:end])
            if not opening:
                break
            tag = opening.group(0)
            out.append(tag)
            at = opening.end()
        else:
            closing = line.find(tag, at)
            if closing < 0:
                out.append(line[at:])
                break
            out.append(line[at : closing + len(tag)])
            at = closing + len(tag)
            tag = None
    return b"".join(out), tag


def _restore_failed(said: str, database: peewee.PostgresqlDatabase) -> Unavailable:
    who = database.connect_params.get("user") or "This role"
    if "No space left on device" in said or "could not extend file" in said:
        return Unavailable(
            "The database server ran out of disk space during the restore, so nothing was "
            "changed: free some space on it and restore again."
        )
    role = re.search(r'role "([^"]+)" does not exist', said)
    if role:
        return Unavailable(
            f"The copy gives its tables to role {role.group(1)}, which this server does not "
            "have, so nothing was changed: make the roles first (docs/postgresql.md)."
        )
    if "permission denied" in said or "must be owner" in said or "must be member" in said:
        return Unavailable(
            f"{who} may not make or replace FITS Desk's tables here, so nothing was changed: "
            "restore as the tables' owner (docs/backup.md)."
        )
    return Unavailable(
        f"The restore stopped and nothing was changed: the server said {_first_error(said)}."
    )


def _maintenance(database: peewee.PostgresqlDatabase):
    """A connection to the server's own database, for a database not there yet."""
    import psycopg

    for name in ("postgres", "template1"):
        try:
            return psycopg.connect(
                conninfo(database, name=name),
                autocommit=True,
                password=database.connect_params.get("password"),
            )
        except psycopg.OperationalError as exc:
            failed = exc
    raise peewee.OperationalError(str(failed))


def maintenance_major(database: peewee.PostgresqlDatabase) -> int:
    """The server's major version, asked of its own database (the URL's is not there)."""
    with _maintenance(database) as conn:
        return server_major(conn)


def create_database(database: peewee.PostgresqlDatabase) -> None:
    """Make the database the URL names (it is not there yet), owned by the role in use."""
    import psycopg
    from psycopg import sql

    name = database.database
    with _maintenance(database) as conn:
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.InsufficientPrivilege:
            who = database.connect_params.get("user") or _os_account()
            raise Unavailable(
                f"There is no database {shown(name, 63)} and {who} may not make one: ask the "
                f"server's administrator (sudo -u postgres createdb -O {who} {shown(name, 63)}), "
                "then restore again."
            ) from None


def _os_account() -> str:
    """The role libpq logs in as when the URL names none: the OS account's name."""
    from store.db.identity import os_account

    try:
        return os_account()
    except Exception:  # no account to name: the sentence still says what to do
        return "ROLE"
