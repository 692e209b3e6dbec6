"""Every `fitsdesk ...` command shown in a code block of README.md and docs/*.md runs, in
the order the page shows it, against a fresh demo school of its own (SQLite, in a temp
folder with its own config and data folders), and exits 0, or the status the page says.

A command that needs what a test cannot have (a terminal app, a mail server, root, another
account) is in NOT_RUN, with the reason. A line that shows a command's syntax rather than
an example ([--json], a|b, TEXT) is checked against its --help instead: the command exists
and takes every option the line names."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shlex
import shutil
import time
from pathlib import Path

import pytest

from store.db import config, database
from tests.conftest import hide_home
from tui.cli import build_parser, main

pytestmark = pytest.mark.no_db  # its own SQLite school, the same on both passes

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ME = "jsmith"
"""The account the commands run as (the operating system's answer is replaced)."""

NOT_RUN = {
    # Terminal apps: they hold the screen until someone leaves them.
    ("desk",): "the technician desk is a full-screen terminal app",
    ("kiosk", "--kiosk"): "the kiosk is a full-screen terminal app",
    ("kiosk-pin",): "it asks for the PIN at the terminal, twice",
    # The school the pages start from is made by running this very line.
    ("demo",): "the fixture has run it",
    # Mail: the school's mailbox and SMTP server (tests/test_mail_cli.py runs them against
    # test servers).
    ("mail", "fetch"): "it needs the school's mailbox",
    ("mail", "send"): "it needs the school's SMTP server",
    ("mail", "run"): "it fetches and sends every minute until stopped",
    # Root, or another account: the test is one account (tests/test_deploy.py writes the
    # deploy files into a folder; tests/test_postgres_roles.py runs as the roles).
    ("sudo",): "it runs as root or as another account",
    # A build goes on under a scheduled standard change: the demo school's are closed
    # or not yet scheduled (tests/test_software.py installs builds under one).
    ("software", "build", "install"): "it needs a scheduled standard change",
}
"""Commands no test process can run here, by their first words after `fitsdesk` (a
crontab line, whose first words are cron's, is not a command)."""

STATUS = {
    # README.md: doctor exits 1 while anything needs fixing, and a school in a test
    # folder always has something (no backup yet, or a folder others may read).
    ("doctor",): 1,
    # docs/security.md shows LOGNAME changing nothing: the change is still refused.
    ("change", "approve-emergency", "RFC-000001"): 2,
}
"""Commands a page shows failing, by their first words, and the status it says."""

SETUP = {"deploy.md": "new.db", "ssh.md": "new.db", "kiosk.md": "managed.db"}
"""Pages that set a school up start from a new database made by `fitsdesk init`: empty
(the page adds the first manager), or with you as its manager (as after the README's
set-up). So does a code block whose first command is `init`; the other pages and
blocks start from the demo school."""

FILES = {
    "devices.xlsx": ROOT / "docs" / "examples" / "devices.xlsx",
    "rooms.csv": ROOT / "docs" / "examples" / "rooms.csv",
    "term-dates-2026-27.ics": ROOT / "docs" / "examples" / "term-dates-2026-27.ics",
    "plan.txt": "Install it from the software share on each PC.\n",
    "ledger.csv": "date,amount,category,supplier\n2026-11-03,129.99,repairs,Lapfix\n",
}
"""The files the pages' commands read, as a school would have them: the examples in
docs/examples, or small ones written here. calendar.toml is the one docs/changes.md
shows."""

FUTURE_OPTIONS = ("--until", "--renews", "--renews-to", "--start", "--end")
"""Options whose date must still be ahead for the command to work (--renews may be
past when --renews-to says what it renews to)."""
AHEAD = 60
"""An example's future date must be at least this many days ahead, so a page is
mended before its command starts to fail."""


def commands(page: Path) -> list[tuple[int, int, str]]:
    """(line number, block number, command) for each command in a page's code blocks:
    a line that starts with `fitsdesk` (or sudo, or an environment setting, before it)
    at its first column, joined with the lines it continues onto, each part of an
    `a && b`."""
    text = page.read_text()
    found = []
    for number, block in enumerate(re.finditer(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)):
        first = text[: block.start()].count("\n") + 2
        joined = ""
        for offset, line in enumerate(block.group(1).split("\n")):
            joined = f"{joined} {line.strip()}" if joined else line
            if joined.rstrip().endswith("\\"):
                joined = joined.rstrip()[:-1].rstrip()
                continue
            line, joined = joined, ""
            if line[:1].isspace():  # the rest of a listing, not a command
                continue
            for part in line.split(" && "):
                part = part.strip()
                if re.match(r"^(sudo (-u \S+ )?|[A-Z]+=\S+ )?fitsdesk( |$)", part):
                    found.append((first + offset, number, part))
    return found


def words(line: str, home: Path, folder: Path) -> tuple[dict[str, str], list[str]]:
    """The environment a line sets and its words after `fitsdesk`, as the shell passes
    them: comments gone, quotes taken off, $(id -un), $(date +%F), $new and `~` expanded,
    and /var/lib/fitsdesk and /tmp moved into the test's folder."""
    line = line.replace("$(id -un)", ME).replace("$(date +%F)", time.strftime("%Y-%m-%d"))
    line = line.replace("$new", str(folder / "new"))
    env = {}
    parts = shlex.split(line, comments=True)
    while parts and re.match(r"^[A-Z]+=", parts[0]):
        name, value = parts.pop(0).split("=", 1)
        env[name] = value
    expanded = []
    for word in parts[1:] if parts[:1] == ["fitsdesk"] else parts:
        if word.startswith("~/"):
            word = str(home / word[2:])
        for outside in ("/var/lib/fitsdesk/", "/tmp/"):
            word = word.replace(outside, f"{folder}{outside}")
        expanded.append(word)
    return env, expanded


def synopsis(line: str) -> bool:
    """A line that shows a command's syntax: optional parts in [ ], choices a|b."""
    bare = re.sub(r"\"[^\"]*\"|'[^']*'", "", line.split("  #")[0])
    return "[" in bare or re.search(r"\w\|\w", bare) is not None


@pytest.fixture(scope="module")
def schools(tmp_path_factory):
    """The schools the pages start from, made once: the demo school (`fitsdesk demo
    --seed 7`, the README's first step), a new one (`fitsdesk init`) and a new one with
    you as its manager; with the seconds the demo took."""
    folder = tmp_path_factory.mktemp("docs-schools")
    with pytest.MonkeyPatch.context() as monkeypatch:
        hide_home(folder / "home", monkeypatch)
        monkeypatch.setattr("store.db.identity.os_account", lambda: ME)
        started = time.perf_counter()
        demo = f"sqlite:///{folder / 'demo.db'}"
        assert main(["demo", "--seed", "7", "--db", demo]) == 0
        seconds = time.perf_counter() - started
        for name in ("new.db", "managed.db"):
            assert main(["init", "--db", f"sqlite:///{folder / name}"]) == 0
        managed = ["tech", "add", ME, "--name", "Jo Smith", "--role", "manager"]
        assert main([*managed, "--db", f"sqlite:///{folder / 'managed.db'}"]) == 0
        for name in ("demo.db", "new.db", "managed.db"):
            handle = database.connect(f"sqlite:///{folder / name}")
            handle.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the one file
            handle.close()
        config.use(None)
    return folder, seconds


def _first_words(argv: list[str], table: dict) -> tuple | None:
    return next((key for key in table if tuple(argv[: len(key)]) == key), None)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_command_a_page_shows_runs(page, schools, tmp_path, monkeypatch, capsys):
    made, _seconds = schools
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))  # its own config
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setattr("store.db.identity.os_account", lambda: ME)
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    for name, source in FILES.items():
        if isinstance(source, Path):
            shutil.copyfile(source, tmp_path / name)
        else:
            (tmp_path / name).write_text(source)
    shown = re.search(
        r"```toml\n(\[\[period\]\].*?)```", (ROOT / "docs" / "changes.md").read_text(), re.S
    )
    (tmp_path / "calendar.toml").write_text(shown.group(1))
    for folder in ("new", "var/lib/fitsdesk/backups", "tmp/drill"):
        (tmp_path / folder).mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    found = commands(page)
    reference = {block for _n, block, line in found if synopsis(line)}
    starts = {}  # block: the school it starts from
    for _n, block, line in found:
        if block not in starts:
            init = words(line, home, tmp_path)[1][:1] == ["init"]
            starts[block] = SETUP.get(page.name, "new.db" if init else "demo.db")
    failed = []
    school, copies = None, 0
    for number, block, line in found:
        where = f"{page.name}:{number}: {line}"
        env, argv = words(line, home, tmp_path)
        if line.startswith("sudo") or _first_words(argv, NOT_RUN):
            continue
        failed += _too_soon(argv, where)
        if block in reference:
            failed += _check_synopsis(argv, where)
            continue
        if school != starts[block]:  # a fresh copy where the page changes school
            school, copies = starts[block], copies + 1
            shutil.copyfile(made / school, tmp_path / f"school-{copies}.db")
        url = f"sqlite:///{tmp_path / f'school-{copies}.db'}"
        if argv[:1] == ["restore"] and not Path(argv[1]).exists():
            # The page restores a copy it names: take that copy first.
            Path(argv[1]).parent.mkdir(parents=True, exist_ok=True)
            assert main(["backup", argv[1], "--db", url]) == 0, capsys.readouterr()
            _close()
        with monkeypatch.context() as scoped:
            for name, value in env.items():
                scoped.setenv(name, value)
            try:
                status = main(argv if "--db" in argv else [*argv, "--db", url])
            except SystemExit as done:  # --help, --version
                status = done.code
            _out, err = capsys.readouterr()
            _close()  # as the command's own process would on leaving
        wanted = STATUS.get(_first_words(argv, STATUS), 0)
        if status != wanted:
            failed.append(f"{where}\n    exit {status}, not {wanted}: {err.strip()[:300]}")
    assert not failed, "\n".join(failed)


def _close() -> None:
    if database.db.obj is not None and not database.db.obj.is_closed():
        database.db.obj.close()


def _too_soon(argv: list[str], where: str) -> list[str]:
    """A date the command needs ahead that is less than AHEAD days ahead."""
    late = []
    for option, value in itertools.pairwise(w.strip("[]") for w in argv):
        found = re.match(r"\d{4}-\d{2}-\d{2}", value)
        past_ok = option == "--renews" and "--renews-to" in argv
        if option in FUTURE_OPTIONS and found and not past_ok:
            ahead = (dt.date.fromisoformat(found.group()) - dt.date.today()).days
            if ahead < AHEAD:
                late.append(
                    f"{where}\n    {option} {value} is {ahead} days ahead: give a later date"
                )
    return late


def _check_synopsis(argv: list[str], where: str) -> list[str]:
    """The command exists and takes every --option the line names."""
    parser = build_parser()
    for word in argv:
        subs = [a for a in parser._actions if isinstance(getattr(a, "choices", None), dict)]
        if not subs or word not in subs[0].choices:
            break
        parser = subs[0].choices[word]
    known = {o for a in parser._actions for o in a.option_strings}
    options = {w.strip("[]").split("=")[0] for w in argv if w.strip("[]").startswith("--")}
    return [f"{where}\n    {parser.prog} has no option {o}" for o in sorted(options - known)]


def test_every_exception_is_still_shown_somewhere():
    """NOT_RUN and STATUS name only commands a page still shows, and most commands run."""
    shown = [
        words(line, Path("~"), Path("."))[1] for page in PAGES for _n, _b, line in commands(page)
    ]
    assert len(shown) > 150
    for table in (NOT_RUN, STATUS):
        for key in table:
            assert any(tuple(argv[: len(key)]) == key for argv in shown), key
