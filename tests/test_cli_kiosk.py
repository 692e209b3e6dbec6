"""`fitsdesk kiosk`, `kiosk-pin` and `notice`, down to the kiosk in a real terminal."""

import datetime as dt
import fcntl
import io
import json
import os
import pty
import pwd
import re
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

from store.db import database, journal
from store.school import kiosks, locations, people
from tests.test_cli import FITSDESK, one_sentence
from tui.cli import main


@pytest.fixture
def run(db_url, capsys, monkeypatch):
    """`fitsdesk ARGS --db URL` as the account jsmith, the school's manager, with a
    kiosk in the library; (status, stdout, stderr)."""
    monkeypatch.setattr("store.db.identity.os_account", lambda: "jsmith")

    def invoke(*args, stdin: str | None = None):
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        status = main([*args, "--db", db_url])
        out, err = capsys.readouterr()
        return status, out, err

    assert invoke("init")[0] == 0
    assert invoke("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    assert invoke("location", "add", "LIB", "--name", "Library")[0] == 0
    assert invoke("kiosk", "add", "library", "--location", "LIB")[0] == 0
    return invoke


def test_kiosk_pin_is_read_and_checked(run):
    status, out, _ = run("kiosk-pin", stdin="482913\n")
    assert status == 0 and "PIN is set" in out
    assert kiosks.check_pin("482913", kiosk="library")
    for weak in ("1234\n", "12\n", "abcdef\n", "\n", "[@click=app.quit]\n", "\x1b[2J\n"):
        status, _, err = run("kiosk-pin", stdin=weak)
        assert status == 2 and one_sentence(err) and "\x1b" not in err
    assert kiosks.check_pin("482913", kiosk="library")  # the old PIN still stands


def test_the_kiosk_will_not_start_without_a_pin_a_kiosk_or_a_terminal(run):
    status, _, err = run("kiosk", "--kiosk", "library")
    assert status == 2 and "Set the technician PIN first" in err
    run("kiosk-pin", stdin="482913\n")
    status, _, err = run("kiosk", "--kiosk", "nowhere")
    assert status == 1 and "There is no kiosk 'nowhere'" in err
    status, _, err = run("kiosk", "--kiosk", "library")  # pytest's stdin is no terminal
    assert status == 2 and "needs a terminal" in err


def test_notices_from_the_command_line(run):
    last_day = dt.date.today() + dt.timedelta(days=30)
    status, out, _ = run(
        "notice",
        "add",
        "Wi-Fi is down in the Library",
        "--location",
        "lib",
        "--until",
        last_day.isoformat(),
    )
    after = (last_day + dt.timedelta(days=1)).isoformat()
    assert status == 0 and f"Notice 1 is showing on kiosks in LIB until {after} 00:00" in out
    run("notice", "add", "Printers are slow today")
    _, out, _ = run("notice", "list", "--json")
    listed = json.loads(out)
    assert [(n["id"], n["location"]) for n in listed] == [(2, None), (1, "LIB")]
    assert run("notice", "withdraw", "2")[0] == 0
    _, out, _ = run("notice", "list", "--json")
    assert [n["id"] for n in json.loads(out)] == [1]
    _, out, _ = run("notice", "list", "--all", "--json")
    assert [n["withdrawn"] for n in json.loads(out)] == [True, False]


@pytest.mark.parametrize("day, ahead", [("today", 1), ("Tomorrow", 2)])
def test_a_notice_may_end_today_or_tomorrow(run, day, ahead):
    """Named days keep an example or a script right whatever the date (docs/kiosk.md)."""
    status, out, _ = run("notice", "add", "Wi-Fi is down", "--until", day)
    after = (dt.date.today() + dt.timedelta(days=ahead)).isoformat()
    assert status == 0 and f"until {after} 00:00" in out


@pytest.mark.parametrize(
    "args, status, message",
    [
        (("notice", "add", ""), 2, "The notice is empty"),
        (("notice", "add", "x" * 300), 2, "the most is 200"),
        (("notice", "add", "ok", "--until", "next week"), 2, "is not a date"),
        (("notice", "add", "ok", "--until", "2001-01-01"), 2, "already passed"),
        (("notice", "add", "ok", "--location", "MARS"), 2, "no location 'MARS'"),
        (("notice", "withdraw", "99"), 1, "There is no notice 99"),
        (("notice", "withdraw", "one"), 2, "not a notice number"),
    ],
)
def test_bad_notices(run, args, status, message):
    got, _, err = run(*args)
    assert got == status and message in err and one_sentence(err), err


ANSI = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][A-Z0-9]|[=>MNOPc])"
)


class Terminal:
    """A real pseudo-terminal, 80x24, with a process running in it."""

    def __init__(self, args: list[str]) -> None:
        self.fd, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color"}
        self.proc = subprocess.Popen(
            args, stdin=child, stdout=child, stderr=child, env=env, start_new_session=True
        )
        os.close(child)
        self.seen = b""

    def wait_for(self, text: str, timeout: float = 30) -> None:
        """Read what the program draws until `text` appears on the screen."""
        deadline = time.monotonic() + timeout
        while text.encode() not in ANSI.sub(b"", self.seen):
            left = deadline - time.monotonic()
            assert left > 0, f"never saw {text!r}: {ANSI.sub(b'', self.seen)[-600:]!r}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:  # the program has gone
                    raise AssertionError(f"the program ended before showing {text!r}") from None
        self.seen = b""

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        os.close(self.fd)


def test_the_kiosk_in_a_real_terminal_cannot_be_quit_but_the_pin_leaves(db_url):
    database.connect(db_url)
    people.add_technician("jsmith", "Jo Smith", roles=["manager"], by="jsmith")
    locations.add_location("LIB", "Library", by="jsmith")
    kiosks.add_kiosk("library", "LIB", by="jsmith")
    kiosks.set_pin("482913", by="jsmith")
    database.db.close()
    term = Terminal([FITSDESK, "kiosk", "--kiosk", "library", "--db", db_url])
    try:
        term.wait_for("Report a problem")
        # ctrl+c, ctrl+q, ctrl+\, ctrl+z, ctrl+p: keys a pupil tries (escape is a Pilot test:
        # here an escape straight before the next key would read as alt+that key)
        term.type(b"\x03\x11\x1c\x1a\x10")
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):
            term.proc.send_signal(sig)  # and the signals those keys would send elsewhere
        term.type(b"2")
        term.wait_for("Scan the square code")  # still here, still answering
        assert term.proc.poll() is None
        term.type(b"\x14")  # ctrl+t
        term.wait_for("Technician PIN")
        term.type(b"0000\r")
        term.wait_for("That PIN is not right")
        term.type(b"482913\r")
        assert term.proc.wait(timeout=30) == 0
    finally:
        term.close()


def test_the_desk_is_only_for_active_technicians(run, monkeypatch):
    monkeypatch.setattr("store.db.identity.os_account", lambda: "visitor")
    status, _, err = run("desk")
    assert status == 1 and one_sentence(err) and "visitor is not an active technician" in err
    status, _, err = run("desk", "--as", "jsmith")
    assert status == 2 and "Only a manager may work as someone else" in err
    people.add_technician("visitor", "Vic Itor", roles=["manager"], by="jsmith")
    status, _, err = run("desk", "--as", "ghost")
    assert status == 2 and "ghost is not an active technician" in err
    status, _, err = run("desk")  # a technician now, but pytest's stdin is no terminal
    assert status == 2 and "needs a terminal" in err


def test_the_desk_in_a_real_terminal(db_url):
    from store.servicedesk import servicedesk

    database.connect(db_url)
    me = pwd.getpwuid(os.geteuid()).pw_name  # the account the desk will run as
    people.add_technician(me, "Head of IT", roles=["manager"], by=me)
    people.add_technician("jsmith", "Jo Smith", by=me)
    servicedesk.log_call(summary="Printer jams", requester="Sam", by="jsmith")
    database.db.close()
    term = Terminal([FITSDESK, "desk", "--as", "jsmith", "--db", db_url])
    try:
        term.wait_for("Printer jams")
        term.type(b"\r")  # open it
        term.wait_for("Timeline")
        term.type(b"t")  # take it
        term.wait_for("INC-000001: Assigned.")
        term.type(b"\x11")  # ctrl+q
        assert term.proc.wait(timeout=30) == 0
    finally:
        term.close()
    database.connect(db_url)
    assert servicedesk.find_call("INC-000001").assignee == "jsmith"
    taken = [e.who for e in journal.history("incident", 1) if e.action == "assign"]
    assert taken and set(taken) == {f"{me} as jsmith"}  # the manager at the keyboard too


def read_to_the_end(term: Terminal, timeout: float = 30) -> bytes:
    """Everything the program writes until it has gone."""
    seen, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([term.fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(term.fd, 65536)
            except OSError:  # the program has gone and the terminal with it
                break
            if not chunk:
                break
            seen += chunk
        elif term.proc.poll() is not None:
            break
    return seen


@pytest.mark.parametrize(
    ("app", "sig"),
    [("kiosk", signal.SIGTERM), ("desk", signal.SIGTERM), ("desk", signal.SIGHUP)],
    ids=["kiosk stopped by systemd", "desk stopped", "desk's SSH session dropped"],
)
def test_asked_to_leave_by_the_system_an_app_puts_the_terminal_back(db_url, app, sig):
    """systemd stops the kiosk with SIGTERM, and a dropped SSH session sends the desk SIGHUP:
    each leaves as its own Quit does, out of the full-screen mode, with status 0."""
    database.connect(db_url)
    me = pwd.getpwuid(os.geteuid()).pw_name
    people.add_technician(me, "Head of IT", roles=["manager"], by=me)
    locations.add_location("LIB", "Library", by=me)
    kiosks.add_kiosk("library", "LIB", by=me)
    kiosks.set_pin("482913", by=me)
    database.db.close()
    args = ["kiosk", "--kiosk", "library"] if app == "kiosk" else ["desk"]
    term = Terminal([FITSDESK, *args, "--db", db_url])
    try:
        term.wait_for("Report a problem" if app == "kiosk" else "Queue")
        term.proc.send_signal(sig)
        written = read_to_the_end(term)
        assert term.proc.wait(timeout=30) == 0
        assert b"\x1b[?1049l" in written  # the full-screen mode left: the terminal is back
    finally:
        term.close()


def test_a_desk_whose_terminal_goes_without_a_signal_leaves_rather_than_spin(db_url):
    """A terminal closed at its other end sends no SIGHUP to a program it is not the
    controlling terminal of: the desk went on reading nothing at a whole core, for ever.
    It looks every few seconds and leaves."""
    database.connect(db_url)
    me = pwd.getpwuid(os.geteuid()).pw_name
    people.add_technician(me, "Head of IT", roles=["manager"], by=me)
    database.db.close()
    term = Terminal([FITSDESK, "desk", "--db", db_url])
    try:
        term.wait_for("Queue")
        os.close(term.fd)  # the other end goes
        term.fd = os.open(os.devnull, os.O_RDONLY)  # for close() below
        term.proc.wait(timeout=20)  # gone, whatever it could say on its way out
    finally:
        term.close()
