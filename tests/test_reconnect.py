"""Long-running processes outlive the database going away (docs/faults.md):
against the real PostgreSQL server, a session's backends are terminated mid-session
(`pg_terminate_backend`, as a restart or a failover does) and its role is kept out for
a while (CONNECTION LIMIT 0, as a server that is down), then let back in. The store
reconnects; the desk says "Reconnecting to the database…" while it waits, then catches
up (the urgent call logged meanwhile is announced, the queue shows it); the kiosk tells
a pupil only that it cannot save, keeps what they typed, and sends it when it can."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

import peewee
import pytest

from store.db import database
from store.db.errors import Unavailable
from store.servicedesk import servicedesk
from tests.conftest import BACKEND_URL, ON_POSTGRES
from tests.kiosk_helpers import settle, text_of

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="a PostgreSQL server's connections")


def _admin():
    import psycopg

    return psycopg.connect(BACKEND_URL.split("?")[0], autocommit=True)


class Outage:
    """A login role of this test's own on its schema, which the test can cut off."""

    def __init__(self, url: str) -> None:
        self.role = f"fitsdesk_rc_{secrets.token_hex(4)}"
        parts = urlsplit(url)
        self.schema = dict(p.split("=", 1) for p in parts.query.split("&") if p)["schema"]
        netloc = f"{self.role}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        self.url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        with _admin() as admin:
            admin.execute(f'CREATE ROLE "{self.role}" LOGIN')
            for grant in (
                f'GRANT USAGE ON SCHEMA "{self.schema}" TO "{self.role}"',
                f'GRANT ALL ON ALL TABLES IN SCHEMA "{self.schema}" TO "{self.role}"',
                f'GRANT ALL ON ALL SEQUENCES IN SCHEMA "{self.schema}" TO "{self.role}"',
            ):
                admin.execute(grant)

    def cut(self) -> int:
        """The server drops every session of the role and lets no new one in."""
        with _admin() as admin:
            admin.execute(f'ALTER ROLE "{self.role}" CONNECTION LIMIT 0')
            return self.drop(admin)

    def drop(self, admin=None) -> int:
        """The server drops every session of the role (they may come back)."""
        if admin is None:
            with _admin() as own:
                return self.drop(own)
        found = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = %s",
            (self.role,),
        ).fetchone()
        return found[0]

    def mend(self) -> None:
        with _admin() as admin:
            admin.execute(f'ALTER ROLE "{self.role}" CONNECTION LIMIT -1')

    def remove(self) -> None:
        with _admin() as admin:
            admin.execute(f'ALTER ROLE "{self.role}" CONNECTION LIMIT -1')
            self.drop(admin)
            admin.execute(f'DROP OWNED BY "{self.role}"')
            admin.execute(f'DROP ROLE IF EXISTS "{self.role}"')


@pytest.fixture
def outage(school, db_url):
    made = Outage(db_url)
    yield made
    database.db.close()
    made.remove()


def test_the_store_takes_a_new_connection_after_the_server_drops_one(outage):
    handle = database.connect(outage.url, create=False, pool=True)
    with handle.connection_context():
        assert len(list(servicedesk.find_calls(status="all"))) == 0
    assert outage.drop() >= 1  # the pooled connection, idle
    with handle.connection_context():  # checked before use, and replaced
        assert list(servicedesk.find_calls(status="all")) == []
    # A thread that holds its connection meets the drop once, in one sentence, then goes on.
    handle.connect(reuse_if_open=True)
    assert outage.drop() >= 1
    with pytest.raises(Unavailable, match=r"connection to the database .* was lost"):
        list(servicedesk.find_calls(status="all"))
    assert list(servicedesk.find_calls(status="all")) == []


def _commit_then_lose_the_answer(monkeypatch, outage, *, commit_first: bool) -> None:
    """Make the next commit meet a connection the server has just dropped: after the
    server committed (its answer lost on the way), or before (so it rolled back)."""
    kind = type(database.db.obj)
    real = kind.commit

    def commit(self):
        monkeypatch.setattr(kind, "commit", real)  # once
        if commit_first:
            real(self)
        assert outage.drop() >= 1
        if commit_first:
            self.execute_sql("SELECT 1")  # the error the lost answer would have raised
        real(self)

    monkeypatch.setattr(kind, "commit", commit)


def test_a_commit_whose_answer_was_lost_is_found_to_have_been_saved(outage, monkeypatch):
    """The server committed, then the connection dropped: the caller gets their number,
    not "nothing was saved" (they would report again, and the call would be there twice)."""
    database.connect(outage.url, create=False, pool=True)
    _commit_then_lose_the_answer(monkeypatch, outage, commit_first=True)
    call = servicedesk.log_call(summary="Printer jams", requester="Sam", by="jsmith")
    assert [c.number for c in servicedesk.find_calls(status="all")] == [call.number]


def test_a_commit_the_server_never_made_is_said_to_have_saved_nothing(outage, monkeypatch):
    database.connect(outage.url, create=False, pool=True)
    _commit_then_lose_the_answer(monkeypatch, outage, commit_first=False)
    with pytest.raises(Unavailable, match=r"was lost, so nothing was saved"):
        servicedesk.log_call(summary="Printer jams", requester="Sam", by="jsmith")
    assert list(servicedesk.find_calls(status="all")) == []


def test_a_server_that_is_down_is_said_and_then_used_again(outage):
    handle = database.connect(outage.url, create=False, pool=True)
    handle.close()  # back to the pool, as a worker's is between calls
    outage.cut()
    kept_out = pytest.raises(peewee.OperationalError, match="too many connections")
    with kept_out, handle.connection_context():  # the role is kept out: connecting fails
        list(servicedesk.find_calls(status="all"))
    outage.mend()
    with handle.connection_context():
        assert list(servicedesk.find_calls(status="all")) == []


async def test_the_desk_says_it_is_reconnecting_and_catches_up(outage):
    from tui.app import RECONNECTING, DeskApp

    servicedesk.log_call(summary="Printer jams", requester="Sam", by="jsmith")
    app = DeskApp(db_url=outage.url, user="jsmith")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert RECONNECTING not in text_of(pilot, "#bar")
        outage.cut()
        pilot.app.look_for_changes()
        await settle(pilot)
        assert RECONNECTING in text_of(pilot, "#bar")
        assert pilot.app.failures >= 1

        # Meanwhile, someone else logs a P1 through the server's own role.
        import psycopg

        with psycopg.connect(BACKEND_URL.split("?")[0], autocommit=True) as admin:
            admin.execute(f'SET search_path = "{outage.schema}"')
            columns = [
                name
                for (name,) in admin.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    "%s AND table_name = 'incident' AND column_name <> 'id' ORDER BY 1",
                    (outage.schema,),
                )
            ]
            new = {"summary": "'The server room is flooding'", "impact": "1", "urgency": "1",
                   "priority": "1", "status": "'logged'"}  # fmt: skip
            admin.execute(
                f"INSERT INTO incident ({', '.join(columns)}) SELECT "
                f"{', '.join(new.get(c, c) for c in columns)} FROM incident ORDER BY id LIMIT 1"
            )
            admin.execute(
                "INSERT INTO journal (at, who, record, record_id, action, field, after) "
                "SELECT now(), 'jsmith', 'incident', max(id), 'log', 'status', 'logged' "
                "FROM incident"
            )

        outage.mend()
        pilot.app.next_look = 0.0  # rather than wait out the back-off
        pilot.app.look_for_changes()
        await settle(pilot)
        assert RECONNECTING not in text_of(pilot, "#bar")
        said = [n.message for n in pilot.app._notifications]
        assert any("The database is back" in m for m in said), said
        assert any("New P1: INC-000002 The server room is flooding" in m for m in said), said
        await settle(pilot)
        assert "The server room is flooding" in text_of(pilot, "#calls")


async def test_the_kiosk_keeps_what_was_typed_and_sends_it_when_it_can(outage):
    from kiosk.app import CANT_SAVE, KioskApp
    from store.school import kiosks
    from tests.kiosk_helpers import press_button, walk_to_review

    kiosks.set_pin("482913", by="jsmith")
    app = KioskApp(db_url=outage.url, kiosk="library")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await walk_to_review(pilot, summary="The projector is blank", name="Sam Lee")
        outage.cut()
        await pilot.press("enter")  # send
        await settle(pilot)
        assert text_of(pilot, "#send-problem") == CANT_SAVE  # no path, URL or server words
        assert "The projector is blank" in text_of(pilot, "#review")  # kept, to send again
        outage.mend()
        await press_button(pilot, "#send")  # Enter within 0.2 s of the last is one press
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "ReceiptScreen"
    database.release_connection()  # this thread's own was dropped too
    assert [c.summary for c in servicedesk.find_calls(status="all")] == ["The projector is blank"]


def test_mail_run_carries_on_after_the_server_drops_it_and_after_it_was_down(outage, tmp_path):
    import mailbox as maildir_module
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from tests.mail_helpers import ADA, DESK, mail

    box = tmp_path / "ithelp"
    maildir_module.Maildir(box, create=True)
    settings = tmp_path / "config.toml"
    settings.write_text(f'[mail]\naddress = "{DESK}"\n[mail.maildir]\npath = "{box}"\n')
    env = {**os.environ, "FITSDESK_CONFIG": str(settings)}
    program = Path(sys.executable).parent / "fitsdesk"
    runner = subprocess.Popen(
        [str(program), "mail", "run", "--interval", "1", "--db", outage.url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def taken_in(summary: str) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with database.read():
                if any(c.summary == summary for c in servicedesk.find_calls(status="all")):
                    return True
            time.sleep(0.2)
        return False

    try:
        maildir_module.Maildir(box, create=False).add(mail(ADA, "Printer jams"))
        assert taken_in("Printer jams")
        assert outage.drop() >= 1  # a restart: its connection goes
        maildir_module.Maildir(box, create=False).add(mail(ADA, "Projector is dim"))
        assert taken_in("Projector is dim")
        outage.cut()  # down for a while: each round says so, and the mail waits in the box
        maildir_module.Maildir(box, create=False).add(mail(ADA, "No sound in IT2"))
        time.sleep(2.5)
        outage.mend()
        assert taken_in("No sound in IT2")
        assert runner.poll() is None  # still running: nobody had to restart it
    finally:
        runner.send_signal(signal.SIGTERM)
        _, err = runner.communicate(timeout=30)
    assert runner.returncode == 0, err
    assert "Traceback" not in err
    assert any("so nothing was saved" in line for line in err.splitlines()), err
