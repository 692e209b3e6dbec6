"""Opening the database: which one, how it is set up, and what people see when it can't be."""

import peewee
import pytest

from store.db import config, database
from store.db.errors import BadInput, NotFound, Unavailable
from store.servicedesk import servicedesk
from tests.conftest import ON_POSTGRES

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="about SQLite files")


def test_precedence_is_flag_then_environment_then_config_then_default(tmp_path, monkeypatch):
    conf = tmp_path / "config.toml"
    conf.write_text('db = "sqlite:////from/config.db"\n')
    assert database.resolve_url() == database.default_url()
    assert database.default_url().endswith("/data/fitsdesk/fitsdesk.db")
    monkeypatch.setenv("FITSDESK_CONFIG", str(conf))
    assert database.resolve_url() == "sqlite:////from/config.db"
    monkeypatch.setenv("FITSDESK_DB", "sqlite:////from/env.db")
    assert database.resolve_url() == "sqlite:////from/env.db"
    assert database.resolve_url("sqlite:////from/flag.db") == "sqlite:////from/flag.db"


def test_config_file_in_the_xdg_folder_is_found(hidden_home):
    folder = hidden_home / "config" / "fitsdesk"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text('db = "sqlite:////xdg.db"\n')
    assert database.resolve_url() == "sqlite:////xdg.db"


@sqlite_only
def test_first_run_makes_the_default_file_with_no_setup(hidden_home):
    handle = database.connect()
    path = hidden_home / "data" / "fitsdesk" / "fitsdesk.db"
    assert path.is_file()
    assert handle.table_exists("incident")
    handle.close()


@sqlite_only
def test_sqlite_is_durable_and_safe_for_several_processes(db):
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_every_start_runs_the_numbered_migrations_once(db_url):
    handle = database.connect(db_url)
    applied = [row[0] for row in handle.execute_sql("SELECT name FROM schema_migration")]
    scripts = sorted(p.stem for p in database.MIGRATIONS.glob("[0-9]*.py"))
    assert sorted(applied) == scripts and scripts[0] == "0001_initial"
    assert database.pending_migrations(handle) == []
    handle.close()
    again = database.connect(db_url)  # a second start changes nothing
    count = again.execute_sql("SELECT COUNT(*) FROM schema_migration").fetchone()[0]
    assert count == len(scripts)
    again.close()


@pytest.mark.fresh_db  # its history must not outlive this test
def test_a_database_from_a_newer_release_is_refused(db):
    db.execute_sql(
        "INSERT INTO schema_migration (name, applied) VALUES ('9999_future', CURRENT_TIMESTAMP)"
    )
    with pytest.raises(Unavailable, match="newer FITS Desk"):
        database.pending_migrations(db)


def test_migrations_keep_existing_rows(db_url, monkeypatch, tmp_path):
    """A new migration runs on a database that has calls, and loses none of them."""
    from store.school import people

    database.connect(db_url)
    people.add_technician("jsmith", "Jo Smith", by="t")
    call = servicedesk.log_call(summary="Before the upgrade", requester="Sam", by="jsmith")
    database.db.close()
    folder = tmp_path / "migrations"
    folder.mkdir()
    for script in database.MIGRATIONS.glob("[0-9]*.py"):
        (folder / script.name).write_text(script.read_text())
    (folder / "0999_test_column.py").write_text(
        "from peewee import TextField\n\n"
        "def up(migrator, db):\n"
        "    migrator.migrate(migrator.add_column('incident', 'extra', TextField(default='')))\n"
    )
    monkeypatch.setattr(database, "MIGRATIONS", folder)
    handle = database.connect(db_url)
    assert servicedesk.find_call(call.number).summary == "Before the upgrade"
    assert handle.execute_sql("SELECT extra FROM incident").fetchall() == [("",)]
    handle.close()


@pytest.mark.parametrize(
    "url, message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("mysql://root@localhost/x", "cannot use a 'mysql' database"),
        ("http://example.com", "cannot use a 'http' database"),
        ("sqlite:///", "names no file"),
        ("sqlite://relative.db", "three slashes"),
        ("postgresql://", "names no database"),
        ("postgresql://127.0.0.1", "names no database"),
        ("postgresql://u@h:99999/x", "not a port number"),
        ("postgresql://u@h:notaport/x", "port"),
        ("postgresql://u@h/x?sslmode=require&bogus=1", "option FITS Desk does not know: bogus"),
        ("postgresql://u@h/x?schema=Robert'); DROP", "schema name"),
    ],
)
def test_malformed_urls_get_one_sentence(url, message):
    with pytest.raises(BadInput, match=message):
        database.connect(url)


def test_an_absent_database_is_not_made_unless_asked(db_url, tmp_path):
    with pytest.raises(NotFound, match="There is no FITS Desk database at"):
        database.connect(db_url, create=False)
    if ON_POSTGRES:
        schema = db_url.rsplit("schema=", 1)[1]
        handle = database.connect(db_url.split("?")[0], upgrade=False)
        exists = handle.execute_sql(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
        handle.close()
        assert exists is None
    else:
        assert not (tmp_path / "desk.db").exists()
    database.connect(db_url).close()  # made on purpose
    database.connect(db_url, create=False).close()  # and now found


@sqlite_only
def test_an_empty_file_is_no_database_and_a_stranger_is_not_ours(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(NotFound):
        database.connect(f"sqlite:///{empty}", create=False)
    import sqlite3

    stranger = tmp_path / "other.db"
    sqlite3.connect(stranger).execute("CREATE TABLE photos (id INTEGER)").connection.commit()
    with pytest.raises(NotFound):
        database.connect(f"sqlite:///{stranger}", create=False)


def test_a_missing_folder_is_reported_and_made_only_when_making_a_database(tmp_path):
    url = f"sqlite:///{tmp_path}/no/such/folder/desk.db"
    with pytest.raises(Unavailable, match="does not exist"):
        database.connect(url, create=False)
    assert not (tmp_path / "no").exists()
    database.connect(url)  # as fitsdesk init does
    assert (tmp_path / "no" / "such" / "folder" / "desk.db").is_file()


def test_an_unreachable_server_is_reported():
    with pytest.raises(Unavailable, match="is its server running"):
        database.connect("postgresql://postgres@127.0.0.1:1/test")


def test_a_file_that_is_not_a_database_is_reported(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(Unavailable, match="not a FITS Desk database"):
        database.connect(f"sqlite:///{path}")


def test_a_folder_is_not_a_database(tmp_path):
    with pytest.raises(BadInput, match="is a folder"):
        database.connect(f"sqlite:///{tmp_path}")


@sqlite_only
def test_a_read_only_database_refuses_writes_and_still_reads(tmp_path):
    path = tmp_path / "desk.db"
    from store.school import people

    database.connect(f"sqlite:///{path}")
    people.add_technician("jsmith", "Jo Smith", by="t")
    call = servicedesk.log_call(summary="Written before", requester="Sam", by="jsmith")
    database.db.close()
    handle = database.build(f"sqlite:///{path}")  # read-only through SQLite's own flag
    handle.database = f"file:{path}?mode=ro"
    handle.connect_params["uri"] = True
    handle.connect()
    database.db.initialize(handle)
    assert servicedesk.find_call(call.number).summary == "Written before"
    with pytest.raises(Unavailable, match="is read-only, so nothing was saved"):
        servicedesk.log_call(summary="Written after", requester="Sam", by="jsmith")
    handle.close()


def test_postgres_schema_keeps_runs_apart(db_url):
    if not ON_POSTGRES:
        pytest.skip("a PostgreSQL feature")
    handle = database.connect(db_url)
    schema = handle.execute_sql("SELECT current_schema()").fetchone()[0]
    assert schema == db_url.rsplit("schema=", 1)[1]
    handle.close()


def test_a_read_only_postgres_session_refuses_writes(db):
    if not ON_POSTGRES:
        pytest.skip("a PostgreSQL feature; the SQLite case is above")
    from store.school import locations, people

    people.add_technician("jsmith", "Jo Smith", by="jsmith")
    db.execute_sql("SET default_transaction_read_only = on")
    with pytest.raises(Unavailable, match="is read-only, so nothing was saved"):
        locations.add_location("LIB", "Library", by="jsmith")


def test_config_errors_name_the_file(tmp_path, monkeypatch):
    conf = tmp_path / "config.toml"
    conf.write_text("db = [unclosed\n")
    monkeypatch.setenv("FITSDESK_CONFIG", str(conf))
    with pytest.raises(BadInput, match="not valid TOML"):
        database.connect()
    conf.write_text("db = 42\n")
    with pytest.raises(BadInput, match="db must be a database URL"):
        config.load_config()
    conf.write_text("[priority]\nmatrix = [[1, 2], [3, 4]]\n")
    with pytest.raises(BadInput, match="three rows of three"):
        config.load_config()
    conf.write_text("[school]\nclose_after_days = -1\n")
    with pytest.raises(BadInput, match="close_after_days"):
        config.load_config()
    conf.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(BadInput, match="config file"):
        config.load_config()
    conf.write_text('dbb = "sqlite:////x.db"\n')
    with pytest.raises(BadInput, match=r"there is no setting 'dbb' \(did you mean 'db'\?\)"):
        config.load_config()
    conf.write_text("[schol]\nname = 'x'\n")
    with pytest.raises(BadInput, match="there is no setting 'schol'"):
        config.load_config()
    conf.write_text("[school]\nnmae = 'x'\n")
    with pytest.raises(BadInput, match=r"'school.nmae' \(did you mean 'school.name'"):
        config.load_config()
    conf.write_text('[school]\nname = "\\u0000\\u202e"\n')
    with pytest.raises(BadInput, match=r"school\.name is empty"):
        config.load_config()
    monkeypatch.setenv("FITSDESK_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(BadInput, match="does not exist"):
        config.load_config()


def test_config_sets_the_school_and_the_matrix(tmp_path):
    conf = tmp_path / "config.toml"
    conf.write_text(
        '[school]\nname = "Hillside Academy"\nclose_after_days = 3\n'
        "[priority]\nmatrix = [[1, 1, 2], [2, 3, 4], [3, 4, 5]]\n"
    )
    settings = config.load_config(conf)
    assert settings.school_name == "Hillside Academy"
    assert settings.close_after_days == 3
    assert settings.priority(1, 2) == 1


def test_peewee_is_new_enough():
    major, minor = (int(p) for p in peewee.__version__.split(".")[:2])
    assert (major, minor) >= (4, 5)
