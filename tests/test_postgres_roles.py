"""PostgreSQL with a role for every person, set up by the SQL in docs/postgresql.md itself
(so the page cannot drift from what is tested): an owner that makes and upgrades the
tables, a staff group, a technician's own login role. The technician works through the
real `fitsdesk` command; roles without the grants, and a staff role meeting an upgrade,
each get one sentence. Also: socket URLs, and the sentences for logins turned away."""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from store.db import database
from store.db.errors import BadInput, Unavailable
from tests.conftest import BACKEND_URL, ON_POSTGRES, RUN_ID

needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs FITSDESK_TEST_DB to be a PostgreSQL server"
)

ME = pwd.getpwuid(os.geteuid()).pw_name
"""The account the tests run as, and so the one FITS Desk acts as."""
DOC = Path(__file__).resolve().parent.parent / "docs" / "postgresql.md"
FITSDESK = Path(sys.executable).parent / "fitsdesk"
APPEND_ONLY = {"journal", "note", "attempt", "sample", "vote", "mail_attachment", "audit_entry"}
"""The tables FITS Desk only ever adds rows to."""


def _server() -> tuple[str, str]:
    """The host and ":port" of the server under test."""
    parts = urlsplit(BACKEND_URL)
    return parts.hostname or "127.0.0.1", f":{parts.port}" if parts.port else ""


def _libpq(url: str) -> str:
    """A URL psycopg takes, from one of ours (no ?schema=)."""
    return url.split("?", 1)[0]


def doc_sql(names: dict[str, str]) -> list[list[str]]:
    """The statements of each ```sql block of docs/postgresql.md, with the names in it
    swapped for this run's (roles are the whole server's, so each run has its own)."""
    blocks = re.findall(r"^```sql\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)
    result = []
    for block in blocks:
        block = re.sub(r"\bDATABASE fitsdesk\b", f"DATABASE {names['database']}", block)
        for word in ("fitsdesk_owner", "fitsdesk_staff", "jsmith", "kiosk", "fitsdesk"):
            block = re.sub(rf"\b{word}\b", names[word], block)
        left = re.search(r"\b(fitsdesk\w*|jsmith|kiosk)\b", block)
        assert left is None, f"docs/postgresql.md names {left.group(0)}, which this test lacks"
        statements = [s.strip() for s in re.split(r";\s*$", block, flags=re.M)]
        result.append([s for s in statements if re.sub(r"--[^\n]*", "", s).strip()])
    return result


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A database of its own made as docs/postgresql.md says, with the owner's tables
    and a technician; the database and every role are dropped at the end, whatever
    happened."""
    import psycopg

    tag = secrets.token_hex(3)
    names = {
        "database": f"fdr_{tag}",
        "fitsdesk_owner": f"fdr_owner_{tag}",
        "fitsdesk_staff": f"fdr_staff_{tag}",
        "jsmith": f"fdr_tech_{tag}",
        "kiosk": f"fdr_kiosk_{tag}",
        "fitsdesk": f"fdr_service_{tag}",
    }
    outsider, visitor = f"fdr_outsider_{tag}", f"fdr_visitor_{tag}"
    host, port = _server()
    home = tmp_path_factory.mktemp("roles_home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FITSDESK_", "PG"))}
    env.update(XDG_CONFIG_HOME=str(home), XDG_DATA_HOME=str(home), XDG_STATE_HOME=str(home))

    def url(role: str, query: str = "") -> str:
        return f"postgresql://{role}@{host}{port}/{names['database']}{query}"

    def run(role: str, *args: str, query: str = "") -> subprocess.CompletedProcess:
        """The installed `fitsdesk` command, connected as `role`. FITS Desk acts as the OS
        account these tests run as (a school's peer authentication makes the role that
        account's own); the server knows the role."""
        return subprocess.run(
            [str(FITSDESK), *args, "--db", url(role, query)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    admin = psycopg.connect(_libpq(BACKEND_URL), autocommit=True)
    try:
        server, grants, accounts = doc_sql(names)
        for statement in server:
            admin.execute(statement)
        made = run(names["fitsdesk_owner"], "init")
        assert made.returncode == 0, made.stderr
        with psycopg.connect(_libpq(url(names["fitsdesk_owner"])), autocommit=True) as owner:
            for statement in grants:
                owner.execute(statement)
        for statement in accounts:
            admin.execute(statement)
        admin.execute(f"CREATE ROLE {outsider} LOGIN")
        admin.execute(f"CREATE ROLE {visitor} LOGIN")
        admin.execute(f"GRANT CONNECT ON DATABASE {names['database']} TO {visitor}")
        added = run(names["fitsdesk_owner"], "tech", "add", ME, "--name", "Jo Smith")
        assert added.returncode == 0, added.stderr
        yield SimpleNamespace(
            owner=names["fitsdesk_owner"],
            staff=names["fitsdesk_staff"],
            tech=names["jsmith"],
            outsider=outsider,
            visitor=visitor,
            url=url,
            run=run,
        )
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{names["database"]}" WITH (FORCE)')
        logins = [names[key] for key in ("jsmith", "kiosk", "fitsdesk", "fitsdesk_owner")]
        for role in (outsider, visitor, *logins, names["fitsdesk_staff"]):
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()


def as_role(desk, role: str):
    """A psycopg connection to the desk's database as `role` (the server trusts loopback)."""
    import psycopg

    return psycopg.connect(_libpq(desk.url(role)), autocommit=True)


def one_sentence(err: str) -> str:
    """stderr, checked to be one plain sentence."""
    text = err.strip()
    assert "\n" not in text and "Traceback" not in text and "unexpected" not in text, err
    assert text.endswith("."), err
    return text


def written(desk) -> tuple:
    """What the database holds that a refused command might have touched."""
    with as_role(desk, desk.owner) as conn:
        return conn.execute(
            "SELECT (SELECT COUNT(*) FROM journal), (SELECT COUNT(*) FROM incident), "
            "(SELECT COUNT(*) FROM person), (SELECT array_agg(name ORDER BY name) "
            "FROM schema_migration), (SELECT array_agg(tablename::text ORDER BY tablename) "
            "FROM pg_tables WHERE schemaname = 'public')"
        ).fetchone()


@needs_postgres
def test_a_technician_works_as_their_own_role(desk):
    logged = desk.run(
        desk.tech, "log", "--summary", "Printer jams in the library", "--requester", "Sam Patel",
        "--json",
    )  # fmt: skip
    assert logged.returncode == 0, logged.stderr
    number = json.loads(logged.stdout)["number"]

    listed = desk.run(desk.tech, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert number in [call["number"] for call in json.loads(listed.stdout)]
    shown = desk.run(desk.tech, "show", number, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["summary"] == "Printer jams in the library"
    place = desk.run(desk.tech, "location", "add", f"R{number[-3:]}", "--name", "By the hall")
    assert place.returncode == 0, place.stderr

    with as_role(desk, desk.owner) as conn:
        who = conn.execute(
            "SELECT DISTINCT who FROM journal WHERE record = 'incident' AND record_id = %s",
            (int(number.split("-")[1]),),
        ).fetchall()
    assert who == [(ME,)]  # the account; the server's log has the role


@needs_postgres
def test_the_grants_are_the_ones_the_page_gives(desk):
    with as_role(desk, desk.owner) as conn:
        rows = conn.execute(
            "SELECT tablename, has_table_privilege(%(r)s, quote_ident(tablename), 'SELECT'), "
            "has_table_privilege(%(r)s, quote_ident(tablename), 'INSERT'), "
            "has_table_privilege(%(r)s, quote_ident(tablename), 'UPDATE'), "
            "has_table_privilege(%(r)s, quote_ident(tablename), 'DELETE'), "
            "has_table_privilege(%(r)s, quote_ident(tablename), 'TRUNCATE'), tableowner "
            "FROM pg_tables WHERE schemaname = 'public'",
            {"r": desk.tech},
        ).fetchall()
        super_or_creator = conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname IN "
            "(%s, %s, %s)",
            (desk.owner, desk.staff, desk.tech),
        ).fetchall()
        may_create = conn.execute(
            "SELECT has_schema_privilege(%s, 'public', 'CREATE')", (desk.tech,)
        ).fetchone()[0]
    rights = {name: grants for name, *grants, _owner in rows}
    assert {owner for *_rest, owner in rows} == {desk.owner}
    assert set(rights) >= APPEND_ONLY and len(rights) > 30
    for name, (select, insert, update, delete, truncate) in rights.items():
        if name == "schema_migration":
            expected = (True, False, False, False)
        elif name in APPEND_ONLY:
            expected = (True, True, False, False)
        else:
            expected = (True, True, True, True)
        assert (select, insert, update, delete) == expected, name
        assert not truncate, name
    assert super_or_creator == [(False, False, False)] * 3
    assert not may_create


@needs_postgres
def test_staff_cannot_change_or_remove_history(desk):
    import psycopg

    made = desk.run(desk.tech, "log", "--summary", "Projector flickers", "--requester", "Ann Lee")
    assert made.returncode == 0, made.stderr
    before = written(desk)
    with as_role(desk, desk.tech) as conn:
        for table in ("journal", "note"):
            for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE incident")
    assert written(desk) == before and before[0] > 0


@needs_postgres
def test_a_role_without_the_grants_gets_one_sentence(desk):
    before = written(desk)
    for role, query, said in (
        (desk.outsider, "", f"Role {desk.outsider} may not connect to the database"),
        (desk.visitor, "", f"Role {desk.visitor} may not use FITS Desk's tables"),
        (desk.visitor, "?schema=public", f"Role {desk.visitor} may not use FITS Desk's tables"),
        ("fdr_nobody_" + RUN_ID, "", "The server has no role named fdr_nobody_"),
    ):
        for command in (["list"], ["log", "--summary", "Wi-Fi is down", "--requester", "Ben"]):
            done = desk.run(role, *command, query=query)
            assert done.returncode == 1, (role, command, done.stderr)
            sentence = one_sentence(done.stderr)
            assert sentence.startswith(said), sentence
            assert "docs/postgresql.md" in sentence and done.stdout == ""
    assert written(desk) == before


@needs_postgres
def test_a_schema_staff_may_not_use_is_not_called_missing(desk):
    made = desk.run(desk.owner, "init", query="?schema=annexe")
    assert made.returncode == 0, made.stderr
    refused = desk.run(desk.tech, "list", query="?schema=annexe")
    assert refused.returncode == 1
    assert one_sentence(refused.stderr).startswith(
        f"Role {desk.tech} may not use FITS Desk's tables in the database"
    )


@needs_postgres
def test_a_pending_upgrade_is_left_to_the_owner(desk):
    with as_role(desk, desk.owner) as conn:
        newest = conn.execute(
            "DELETE FROM schema_migration WHERE name = "
            "(SELECT MAX(name) FROM schema_migration) RETURNING name, applied"
        ).fetchone()
    try:
        before = written(desk)
        for command in (["list"], ["log", "--summary", "Scanner jams", "--requester", "Cy"]):
            done = desk.run(desk.tech, *command)
            assert done.returncode == 1, done.stderr
            assert one_sentence(done.stderr) == (
                f"The database ({desk.url(desk.tech)}) needs upgrading for this version of "
                "FITS Desk (1 new step), which only its owner may do: run fitsdesk init as "
                f"role {desk.owner}."
            )
        assert written(desk) == before
    finally:
        with as_role(desk, desk.owner) as conn:
            conn.execute("INSERT INTO schema_migration (name, applied) VALUES (%s, %s)", newest)
    assert desk.run(desk.tech, "list").returncode == 0


@needs_postgres
def test_an_upgrade_by_the_owner_reaches_staff_at_once(desk, tmp_path, monkeypatch, capsys):
    """A new migration making a table: staff are turned away until the owner runs
    init, then use the new table with the page's default privileges alone."""
    from tui.cli import main

    folder = tmp_path / "migrations"
    folder.mkdir()
    for script in database.MIGRATIONS.glob("[0-9]*.py"):
        (folder / script.name).write_text(script.read_text())
    (folder / "0999_roles_probe.py").write_text(
        "from peewee import Model, TextField\n\n\n"
        "def up(migrator, db):\n"
        "    class Probe(Model):\n"
        "        said = TextField()\n\n"
        "        class Meta:\n"
        "            database = db\n"
        "            table_name = 'roles_probe'\n\n"
        "    db.create_tables([Probe])\n"
    )
    monkeypatch.setattr(database, "MIGRATIONS", folder)
    try:
        assert main(["list", "--db", desk.url(desk.tech)]) == 1
        assert f"run fitsdesk init as role {desk.owner}." in capsys.readouterr().err
        assert main(["init", "--db", desk.url(desk.owner)]) == 0
        assert main(["list", "--db", desk.url(desk.tech)]) == 0
        with as_role(desk, desk.tech) as conn:
            conn.execute("INSERT INTO roles_probe (said) VALUES ('hello')")
            conn.execute("UPDATE roles_probe SET said = 'hello again'")
            assert conn.execute("SELECT said FROM roles_probe").fetchall() == [("hello again",)]
    finally:
        database.db.obj.close()
        with as_role(desk, desk.owner) as conn:
            conn.execute("DROP TABLE IF EXISTS roles_probe")
            conn.execute("DELETE FROM schema_migration WHERE name = '0999_roles_probe'")


@needs_postgres
def test_the_socket_logs_in_as_the_os_account(monkeypatch):
    for name in ("PGUSER", "PGHOST", "PGPORT", "PGDATABASE", "PGOPTIONS"):
        monkeypatch.delenv(name, raising=False)
    name = urlsplit(BACKEND_URL).path.lstrip("/")
    account = pwd.getpwuid(os.geteuid()).pw_name
    plain = database.connect(f"postgresql:///{name}", upgrade=False)
    try:
        role = plain.execute_sql("SELECT current_user").fetchone()[0]
        socket = plain.connection().info.host
    finally:
        plain.close()
    assert role == account and socket.startswith("/")

    schema = f"{RUN_ID}_socket"
    spelled = database.connect(f"postgresql:///{name}?host={socket}&schema={schema}", upgrade=False)
    try:
        found = spelled.execute_sql("SELECT current_user, current_schema()").fetchone()
        assert found == (account, schema)
        assert spelled.connection().info.host == socket
    finally:
        spelled.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        spelled.close()


def test_socket_urls_reach_libpq_as_written():
    bare = database.build("postgresql:///fitsdesk")
    assert bare.database == "fitsdesk"
    assert "host" not in bare.connect_params and "user" not in bare.connect_params
    spelled = database.build("postgresql:///fitsdesk?host=/var/run/postgresql&schema=desk")
    assert spelled.connect_params["host"] == "/var/run/postgresql"
    assert spelled.connect_params["options"].endswith("-c search_path=desk")
    assert spelled.fitsdesk_schema == "desk"
    with pytest.raises(BadInput, match="names the server twice"):
        database.build("postgresql://db.school.internal/fitsdesk?host=/var/run/postgresql")


def test_a_socket_folder_with_no_server_says_nothing_answers(tmp_path):
    with pytest.raises(Unavailable, match=r"Nothing answers for the database .* is its server"):
        database.connect(f"postgresql:///fitsdesk?host={tmp_path}")


# What PostgreSQL 15 said, word for word, over a socket with peer authentication and
# over TCP with a wrong password.
PEER = (
    'connection failed: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" '
    'failed: FATAL:  Peer authentication failed for user "postgres"'
)
PASSWORD = (
    'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
    'password authentication failed for user "kiosk"'
)


def test_a_login_turned_away_is_said_plainly():
    peer = str(database.unavailable(Exception(PEER), "postgresql://postgres@/fitsdesk"))
    assert peer == (
        "The server refused role postgres for the database (postgresql://postgres@/fitsdesk): "
        "over the local socket it lets each system account in only as the role with the "
        "same name (peer authentication)."
    )
    assert "password" not in peer
    wrong = str(database.unavailable(Exception(PASSWORD), "postgresql://kiosk@db/fitsdesk"))
    assert wrong == (
        "The server refused the password for role kiosk for the database "
        "(postgresql://kiosk@db/fitsdesk), so nothing was saved."
    )
