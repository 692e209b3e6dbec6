"""`fitsdesk deploy`: the unit files and sshd settings a technician installs on a school
server, checked by systemd-analyze where it is installed, and every option's bad input
refused before anything is written."""

import configparser
import fnmatch
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tui.cli import deploy, main

pytestmark = pytest.mark.no_db

FITSDESK = str(Path(sys.executable).parent / "fitsdesk")
SYSTEMD_ANALYZE = shutil.which("systemd-analyze") or shutil.which(
    "systemd-analyze", path="/usr/bin:/bin"
)
UNIT_PATHS = [destination for _, destination in deploy.UNITS]
SSHD_PATH = "/etc/ssh/sshd_config.d/fitsdesk.conf"
SERVER_DB = "sqlite:////var/lib/fitsdesk/fitsdesk.db"
EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"


@pytest.fixture
def server_config(tmp_path, monkeypatch):
    """The server's /etc/fitsdesk/config.toml, as the units read it, in the test's folder."""
    path = tmp_path / "etc-fitsdesk-config.toml"
    monkeypatch.setattr("store.db.config.SYSTEM_CONFIG", path)
    return path


@pytest.fixture
def run(capsys, server_config):
    """Run `fitsdesk ARGS` in this process; return (status, stdout, stderr)."""

    def invoke(*args):
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return invoke


def script(*args, cwd=None, program=FITSDESK):
    """The installed console script, in a process of its own."""
    return subprocess.run(
        [program, *args], capture_output=True, text=True, timeout=60, cwd=cwd, check=False
    )


def one_sentence(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err and bool(err.strip())


def printed_files(out: str) -> dict[str, str]:
    """`deploy` output split into {destination: text} at each '# /etc/...' line."""
    files: dict[str, str] = {}
    current = None
    for line in out.splitlines(keepends=True):
        if line.startswith("# /etc/"):
            current = line[2:].strip()
            files[current] = ""
        else:
            assert current is not None, f"text before the first path: {line!r}"
            files[current] += line
    return files


def unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """A unit's sections and their settings in order, repeated keys kept; also read by
    configparser, so a file systemd-analyze is not here to check still has to parse."""
    reader = configparser.ConfigParser(strict=False, interpolation=None)
    reader.optionxform = str
    reader.read_string(text)
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            assert line.endswith("]"), line
            current = sections.setdefault(line[1:-1], [])
            continue
        key, equals, value = line.partition("=")
        assert current is not None and equals and key.isalnum(), line
        current.append((key, value))
    assert set(sections) == set(reader.sections())
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [value for name, value in section if name == key]


def written(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


# -- what is printed ---------------------------------------------------------------------


def test_print_names_each_files_destination_through_the_console_script():
    done = script("deploy", "systemd", "--kiosk", "library", "--db", SERVER_DB)
    assert done.returncode == 0, done.stderr
    files = printed_files(done.stdout)
    assert list(files) == UNIT_PATHS
    for destination, text in files.items():
        sections = unit(text)
        kind = destination.rsplit(".", 1)[1]
        assert "Unit" in sections and ("Timer" if kind == "timer" else "Service") in sections
    kiosk = unit(files["/etc/systemd/system/fitsdesk-kiosk.service"])["Service"]
    assert values(kiosk, "ExecStart") == [f"{FITSDESK} kiosk --kiosk library"]

    done = script("deploy", "sshd")
    assert done.returncode == 0, done.stderr
    assert list(printed_files(done.stdout)) == [SSHD_PATH]


def test_the_program_named_is_the_running_one_as_an_absolute_path():
    bin_dir = Path(FITSDESK).parent
    done = script("deploy", "sshd", cwd=bin_dir, program="./fitsdesk")
    assert done.returncode == 0, done.stderr
    assert f"ForceCommand umask 007 && exec {FITSDESK} desk\n" in done.stdout


def test_the_kiosk_takes_the_console_in_place_of_its_login_prompt(run):
    status, out, _ = run(
        "deploy", "systemd", "--kiosk", "Library", "--user", "kiosk2", "--tty", "/dev/tty3"
    )
    assert status == 0
    kiosk = unit(printed_files(out)["/etc/systemd/system/fitsdesk-kiosk.service"])
    service = kiosk["Service"]
    assert values(service, "ExecStart")[0].endswith(" kiosk --kiosk library")
    for key, expected in {
        "User": "kiosk2",
        "TTYPath": "/dev/tty3",
        "StandardInput": "tty",
        "StandardOutput": "tty",
        "StandardError": "tty",  # Textual draws on stderr
        "Restart": "always",
        "UMask": "0007",
    }.items():
        assert values(service, key) == [expected], key
    assert "TERM=linux" in values(service, "Environment")
    assert values(kiosk["Unit"], "Conflicts") == ["getty@tty3.service"]
    assert values(kiosk["Unit"], "StartLimitIntervalSec") == ["0"]
    assert not {"PrivateDevices", "DevicePolicy", "DeviceAllow", "ProtectClock"} & {
        key for key, _ in service
    }

    status, out, _ = run("deploy", "systemd")
    kiosk = unit(printed_files(out)["/etc/systemd/system/fitsdesk-kiosk.service"])
    assert values(kiosk["Service"], "ExecStart")[0].endswith(" kiosk")  # no fixed place


def test_the_server_config_decides_what_the_units_may_write(run, server_config):
    server_config.write_text(
        'db = "sqlite:////srv/fitsdesk/desk.db"\n[mail]\naddress = "it@school.example"\n'
        '[mail.maildir]\npath = "/var/mail/ithelp"\n'
    )
    status, out, err = run("deploy", "systemd", "--program", "/opt/fitsdesk/bin/fitsdesk")
    assert status == 0 and err == ""
    for destination, text in printed_files(out).items():
        if destination.endswith(".timer"):
            continue
        service = unit(text)["Service"]
        assert values(service, "UMask") == ["0007"], destination
        assert values(service, "SupplementaryGroups") == ["fitsdesk"], destination
        writes = ["-/srv/fitsdesk"]
        writes += ["-/var/mail/ithelp"] if "mail" in destination else []
        assert values(service, "ReadWritePaths") == writes, destination
        assert values(service, "ExecStart")[0].startswith("/opt/fitsdesk/bin/fitsdesk ")
        # The config is where the database is said: the units read the same file.
        assert "FITSDESK_CONFIG=/etc/fitsdesk/config.toml" in values(service, "Environment")
        assert not [e for e in values(service, "Environment") if e.startswith("FITSDESK_DB")]

    server_config.write_text('db = "postgresql:///fitsdesk"\n')
    status, out, err = run("deploy", "systemd")
    assert status == 0 and one_sentence(err) and "names no [backup] folder" in err
    for text in printed_files(out).values():
        settings = [key for section in unit(text).values() for key, _ in section]
        assert "SupplementaryGroups" not in settings and "ReadWritePaths" not in settings


def test_the_backup_unit_may_write_the_backup_folder_and_only_it_may(run, server_config):
    server_config.write_text(
        'db = "postgresql:///fitsdesk"\n[backup]\nfolder = "/var/backups/fitsdesk"\n'
    )
    status, out, err = run("deploy", "systemd")
    assert status == 0 and err == ""
    for destination, text in printed_files(out).items():
        if destination.endswith(".service"):
            writes = values(unit(text)["Service"], "ReadWritePaths")
            backup = destination.endswith("fitsdesk-backup.service")
            assert writes == (["-/var/backups/fitsdesk"] if backup else []), destination
    backup = unit(printed_files(out)["/etc/systemd/system/fitsdesk-backup.service"])
    assert values(backup["Service"], "ExecStart")[0].endswith(" backup")
    assert values(backup["Service"], "User") == ["fitsdesk"]
    timer = unit(printed_files(out)["/etc/systemd/system/fitsdesk-backup.timer"])
    assert values(timer["Timer"], "Persistent") == ["true"]

    # Under the SQLite database's folder, the folder it may write already holds it.
    server_config.write_text(
        'db = "sqlite:////srv/fitsdesk/desk.db"\n[backup]\nfolder = "/srv/fitsdesk/copies"\n'
    )
    status, out, err = run("deploy", "systemd")
    backup = unit(printed_files(out)["/etc/systemd/system/fitsdesk-backup.service"])
    assert status == 0 and err == ""
    assert values(backup["Service"], "ReadWritePaths") == ["-/srv/fitsdesk"]

    server_config.write_text('[backup]\nfolder = "/var/backups/fits desk"\n')
    status, out, err = run("deploy", "systemd")
    assert status == 2 and out == "" and one_sentence(err) and "[backup] folder" in err


def test_with_no_database_configured_they_are_made_for_the_usual_one_and_say_so(run, server_config):
    status, out, err = run("deploy", "systemd")
    assert status == 0 and one_sentence(err)
    assert str(server_config) in err and SERVER_DB in err
    mail = unit(printed_files(out)["/etc/systemd/system/fitsdesk-mail.service"])["Service"]
    assert values(mail, "ReadWritePaths") == ["-/var/lib/fitsdesk"]


def test_a_db_given_goes_into_every_file_with_systemd_specifiers_escaped(run):
    url = "sqlite:////var/lib/fitsdesk/desk%2Done.db"
    status, out, _ = run("deploy", "systemd", "--db", url)
    assert status == 0
    for destination, text in printed_files(out).items():
        if not destination.endswith(".timer"):
            service = unit(text)["Service"]
            assert "FITSDESK_DB=sqlite:////var/lib/fitsdesk/desk%%2Done.db" in values(
                service, "Environment"
            )
    status, out, _ = run("deploy", "sshd", "--db", "postgresql:///fitsdesk?schema=a&b=c")
    assert status == 0
    assert "desk --db 'postgresql:///fitsdesk?schema=a&b=c'\n" in out


def test_the_docs_example_mail_unit_is_what_the_command_writes(run, server_config):
    server_config.write_text(f'db = "{SERVER_DB}"\n')
    status, out, _ = run("deploy", "systemd", "--program", "/opt/fitsdesk/bin/fitsdesk")
    assert status == 0
    example = (EXAMPLES / "fitsdesk-mail.service").read_text()
    assert printed_files(out)["/etc/systemd/system/fitsdesk-mail.service"].rstrip("\n") == (
        example.rstrip("\n")
    )


# -- systemd-analyze ---------------------------------------------------------------------


def verify(files: list[Path]) -> None:
    """Every file parses; and, where systemd-analyze is installed, it finds nothing to say."""
    for path in files:
        sections = unit(path.read_text())
        assert "Unit" in sections, path
    if SYSTEMD_ANALYZE:
        done = subprocess.run(
            [SYSTEMD_ANALYZE, "verify", "--man=no", *map(str, files)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_units_pass_systemd_analyze_verify_as_the_console_script_writes_them(tmp_path):
    # ExecStart names this venv's fitsdesk, so verify finds a real program to run.
    done = script(
        "deploy",
        "systemd",
        "--kiosk",
        "library",
        "--db",
        "sqlite:////var/lib/fitsdesk/desk%2Done.db",
        "--program",
        FITSDESK,
        "--write",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    files = [tmp_path / destination.lstrip("/") for destination in UNIT_PATHS]
    assert written(tmp_path) == sorted(destination.lstrip("/") for destination in UNIT_PATHS)
    assert all(path.stat().st_mode & 0o777 == 0o644 for path in files)
    verify(files)


def test_the_units_pass_systemd_analyze_verify_on_postgresql_with_a_maildir(
    run, server_config, tmp_path
):
    server_config.write_text(
        'db = "postgresql:///fitsdesk"\n[mail]\naddress = "it@school.example"\n'
        '[mail.maildir]\npath = "/home/ithelp/Maildir"\n'
    )
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    status, _, err = run(
        "deploy", "systemd", "--tty", "tty2", "--program", FITSDESK, "--write", str(out_dir)
    )
    assert status == 0, err
    verify([out_dir / destination.lstrip("/") for destination in UNIT_PATHS])


# -- bad input ---------------------------------------------------------------------------

BAD_NAMES = ["lib rary", "lib\nrary", "lib%n", "lib'x", 'lib"x', "lib;reboot", "lib$HOME"]
BAD_NAMES += ["lib`id`", "lib\\x", "", "-x", "x" * 41]
BAD_ACCOUNTS = ["kiosk user", "kiosk\nUser=root", "k%u", "Kiosk", "k'", 'k"', "root;", "k$x"]
BAD_ACCOUNTS += ["", "-kiosk", "1kiosk", "k" * 33]
BAD_PROGRAMS = ["fitsdesk", "bin/fitsdesk", "/opt/fits desk/bin/fitsdesk", "/opt/%h/fitsdesk"]
BAD_PROGRAMS += ["/opt/fitsdesk/bin/fitsdesk\nExecStartPre=/bin/sh", "/opt/'x'/fitsdesk"]
BAD_PROGRAMS += ['/opt/"x"/fitsdesk', "/opt/$HOME/fitsdesk", "/opt/x;rm/fitsdesk", "/opt/../x"]
BAD_PROGRAMS += ["/opt/`id`/fitsdesk", ""]
BAD_TTYS = ["tty0", "tty64", "tty1 ", "tty1\n", "pts/1", "/dev/sda", "tty%I", "tty1;", "", "tty"]
BAD_URLS = ["postgresql://fitsdesk:secret@db.school/fitsdesk", "sqlite:////var/lib/fits desk/x.db"]
BAD_URLS += ["sqlite:///relative.db", "relative.db", "mysql://db/fitsdesk", "postgresql:///x'y"]
BAD_URLS += ["sqlite:////var/lib/%h/x.db", "sqlite:////var/lib/$x/x.db", "postgresql:///a\nb", ""]
BAD_URLS += ['postgresql:///a"b', "postgresql:///a\\b", "sqlite://host/x.db", "sqlite:///:memory:"]

CASES = [("systemd", "--kiosk", bad) for bad in BAD_NAMES]
CASES += [("systemd", "--user", bad) for bad in BAD_ACCOUNTS]
CASES += [("systemd", "--tty", bad) for bad in BAD_TTYS]
CASES += [("systemd", "--program", bad) for bad in BAD_PROGRAMS]
CASES += [("systemd", "--db", bad) for bad in BAD_URLS]
CASES += [("sshd", "--group", bad) for bad in BAD_ACCOUNTS]
CASES += [("sshd", "--user", bad) for bad in BAD_ACCOUNTS]
CASES += [("sshd", "--kiosk", bad) for bad in BAD_NAMES]
CASES += [("sshd", "--program", bad) for bad in BAD_PROGRAMS]
CASES += [("sshd", "--db", bad) for bad in BAD_URLS]


@pytest.mark.parametrize(("what", "option", "bad"), CASES, ids=repr)
def test_bad_input_to_every_option_is_one_sentence_and_nothing_is_written(
    run, tmp_path, what, option, bad
):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    status, out, err = run("deploy", what, f"{option}={bad}", "--write", str(out_dir))
    assert status == 2 and out == "" and one_sentence(err), err
    assert written(out_dir) == []


@pytest.mark.parametrize("what", ["systemd", "sshd"])
def test_write_needs_a_folder_that_is_there(run, tmp_path, what):
    status, out, err = run("deploy", what, "--write", str(tmp_path / "missing"))
    assert status == 2 and out == "" and one_sentence(err) and "no folder" in err
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    status, _, err = run("deploy", what, "--write", str(a_file))
    assert status == 2 and one_sentence(err)
    assert not (tmp_path / "missing").exists()


def test_a_program_path_systemd_cannot_name_is_refused_by_default_too(run, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/home/Jo Smith/venv/bin/fitsdesk"])
    status, out, err = run("deploy", "systemd")
    assert status == 2 and out == "" and one_sentence(err) and "--program" in err


# -- writing -----------------------------------------------------------------------------


def test_write_refuses_to_overwrite_unless_forced(run, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = ("deploy", "systemd", "--program", FITSDESK, "--write", str(out_dir))
    status, out, _ = run(*args)
    assert status == 0
    assert [line for line in out.splitlines() if line.startswith("Wrote ")] == [
        f"Wrote {out_dir}{destination}" for destination in UNIT_PATHS
    ]
    mail = out_dir / "etc/systemd/system/fitsdesk-mail.service"
    timer = out_dir / "etc/systemd/system/fitsdesk-close-unanswered.timer"
    mail.write_text("# mine\n")
    timer.unlink()

    status, out, err = run(*args)
    assert status == 2 and out == "" and one_sentence(err)
    assert "fitsdesk-kiosk.service and 4 more are already there" in err and "--force" in err
    assert mail.read_text() == "# mine\n" and not timer.exists()  # nothing at all written

    status, _, _ = run(*args, "--force")
    assert status == 0
    assert mail.read_text().startswith("# FITS Desk's email channel") and timer.exists()
    assert written(out_dir) == sorted(destination.lstrip("/") for destination in UNIT_PATHS)


def test_sshd_write_refuses_to_overwrite_unless_forced(run, tmp_path):
    status, out, _ = run("deploy", "sshd", "--write", str(tmp_path))
    assert status == 0 and f"Wrote {tmp_path}{SSHD_PATH}" in out
    status, _, err = run("deploy", "sshd", "--group", "techs", "--write", str(tmp_path))
    assert status == 2 and one_sentence(err) and f"{SSHD_PATH} is already there" in err
    assert "Match Group fitsdesk-techs" in (tmp_path / SSHD_PATH.lstrip("/")).read_text()
    assert run("deploy", "sshd", "--group", "techs", "--write", str(tmp_path), "--force")[0] == 0
    assert "Match Group techs" in (tmp_path / SSHD_PATH.lstrip("/")).read_text()


def test_a_folder_that_cannot_be_written_is_one_sentence(run, tmp_path):
    locked = tmp_path / "locked"
    (locked / "etc").mkdir(parents=True)
    (locked / "etc" / "systemd").write_text("a file where a folder should be")
    status, out, err = run("deploy", "systemd", "--write", str(locked))
    assert status == 1 and out == "" and one_sentence(err) and "cannot be written" in err


# -- sshd --------------------------------------------------------------------------------

SSHD_KEYWORDS = {
    "ForceCommand",
    "PermitUserRC",
    "PermitTTY",
    "AllowTcpForwarding",
    "AllowStreamLocalForwarding",
    "X11Forwarding",
    "AllowAgentForwarding",
    "PermitTunnel",
}


def test_sshd_gives_the_group_the_desk_and_a_thin_kiosk_only_its_kiosk(run):
    status, out, _ = run(
        "deploy",
        "sshd",
        "--program",
        "/opt/fitsdesk/bin/fitsdesk",
        "--kiosk",
        "library",
        "--user",
        "kiosk-library",
    )
    assert status == 0
    text = printed_files(out)[SSHD_PATH]
    blocks = [line for line in text.splitlines() if line.startswith("Match ")]
    assert blocks == ["Match User kiosk-library", "Match Group fitsdesk-techs", "Match all"]
    commands = [line.strip() for line in text.splitlines() if "ForceCommand" in line]
    assert commands == [
        "ForceCommand umask 007 && exec /opt/fitsdesk/bin/fitsdesk kiosk --kiosk library",
        "ForceCommand umask 007 && exec /opt/fitsdesk/bin/fitsdesk desk",
    ]
    for line in text.splitlines():
        if line.strip() and not line.startswith(("#", "Match ")):
            keyword, _, value = line.strip().partition(" ")
            assert line.startswith("    ") and keyword in SSHD_KEYWORDS and value, line
    assert text.rstrip().endswith("Match all")  # pasted mid-file, the rest stays global


@pytest.mark.parametrize(
    "path", [("deploy",), ("deploy", "systemd"), ("deploy", "sshd")], ids=" ".join
)
def test_help_on_each(path, capsys):
    with pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("usage: fitsdesk " + " ".join(path))


def test_the_templates_are_in_the_package_data_so_a_wheel_has_them():
    root = Path(__file__).parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["tui.cli"]
    folder = root / "tui" / "cli" / "deploy_files"
    names = sorted(path.name for path in folder.iterdir())
    used = {f"{name}.in" for name, _ in deploy.UNITS} | {"sshd-fitsdesk.conf.in"}
    assert used | {"sshd-kiosk.conf.in"} == set(names)
    for name in names:
        assert any(fnmatch.fnmatch(f"deploy_files/{name}", p) for p in patterns), name
