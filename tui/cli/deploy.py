"""`fitsdesk deploy systemd` and `deploy sshd`: the server's unit files and sshd settings.

    fitsdesk deploy systemd --kiosk library              # print them, each after its path
    sudo fitsdesk deploy systemd --kiosk library --write /   # install them
    fitsdesk deploy sshd                                  # the sshd_config Match block

The files are templates in tui/cli/deploy_files, filled in here with checked values:
nothing a person types reaches a unit file or sshd_config unless it is plain letters,
digits and a few safe marks, so it cannot add a line, a systemd specifier or shell code.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from store.db.config import SYSTEM_CONFIG
from store.db.errors import BadInput, FitsDeskError
from store.db.sanitise import shown
from tui.cli import add_common, group

SERVER_DB = "sqlite:////var/lib/fitsdesk/fitsdesk.db"
"""The database docs/deploy.md sets up, assumed while the config names none."""
DEFAULT_PROGRAM = "/opt/fitsdesk/bin/fitsdesk"
UNITS = (
    ("fitsdesk-kiosk.service", "/etc/systemd/system/fitsdesk-kiosk.service"),
    ("fitsdesk-mail.service", "/etc/systemd/system/fitsdesk-mail.service"),
    ("fitsdesk-close-unanswered.service", "/etc/systemd/system/fitsdesk-close-unanswered.service"),
    ("fitsdesk-close-unanswered.timer", "/etc/systemd/system/fitsdesk-close-unanswered.timer"),
    ("fitsdesk-backup.service", "/etc/systemd/system/fitsdesk-backup.service"),
    ("fitsdesk-backup.timer", "/etc/systemd/system/fitsdesk-backup.timer"),
)
"""Each template (without .in) and where its file belongs."""
SSHD_FILE = "/etc/ssh/sshd_config.d/fitsdesk.conf"

_PATH = re.compile(r"/[A-Za-z0-9/._+-]*")
_KIOSK = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")  # the name rule of store.school.kiosks
_ACCOUNT = re.compile(r"[a-z_][a-z0-9_-]{0,31}")  # Debian's adduser default rule
_TTY = re.compile(r"(?:/dev/)?(tty([1-9]|[1-5][0-9]|6[0-3]))")
_URL_UNSAFE = re.compile(r"""[\s'"\\`]""")  # breaks a unit line, or the shell's quoting


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "deploy", "the server's systemd units and sshd settings")
    actions.parent.description = (
        "Print, or write, the files a school server needs: systemd units for the kiosk, "
        "the mail and the daily tidy-up, and the sshd settings that give technicians the "
        "desk. Setting up the whole server, step by step: docs/deploy.md."
    )

    units = actions.add_parser(
        "systemd",
        help="the systemd units: kiosk on a console, mail, the daily close-unanswered and backup",
        description="Print the systemd units, each after the path it belongs at, or write "
        "them with --write (as root, --write / puts them in /etc/systemd/system). They read "
        f"{SYSTEM_CONFIG}; while it names a SQLite database (or none yet, meaning "
        f"{SERVER_DB}) they may write that file's folder, as the group that shares it.",
    )
    _options(
        units,
        kiosk="the kiosk the console shows, as registered with 'fitsdesk kiosk add' "
        "(default: a kiosk with no fixed place)",
        user="the account the kiosk runs as (default: kiosk)",
    )
    units.add_argument(
        "--tty",
        metavar="TTY",
        type=_tty,
        default="tty1",
        help="the console the kiosk takes over, in place of its login prompt (default: tty1)",
    )
    units.set_defaults(handler=run_systemd)

    sshd = actions.add_parser(
        "sshd",
        help="the sshd settings: technicians get the desk and nothing else",
        description="Print the sshd_config Match block that makes SSH start the desk, and "
        "nothing else, for technicians in --group; with --kiosk, also one that lets the "
        f"account --user run only that kiosk. --write / puts it in {SSHD_FILE}.",
    )
    _options(
        sshd,
        kiosk="also a block for a thin kiosk: the account --user runs only this kiosk",
        user="the thin kiosk's account, with --kiosk (default: kiosk)",
    )
    sshd.add_argument(
        "--group",
        metavar="GROUP",
        type=_account,
        default="fitsdesk-techs",
        help="the group whose members get only the desk (default: fitsdesk-techs)",
    )
    sshd.set_defaults(handler=run_sshd)


def _options(parser: argparse.ArgumentParser, *, kiosk: str, user: str) -> None:
    """The options both actions take."""
    parser.add_argument(
        "--program",
        metavar="PATH",
        type=_program,
        help=f"the fitsdesk program the files run (default: this one, e.g. {DEFAULT_PROGRAM})",
    )
    parser.add_argument("--kiosk", metavar="NAME", type=_kiosk_name, help=kiosk)
    parser.add_argument("--user", metavar="ACCOUNT", type=_account, default="kiosk", help=user)
    parser.add_argument(
        "--write",
        metavar="DIR",
        type=Path,
        help="write the files under DIR (DIR/etc/...) rather than print them",
    )
    parser.add_argument(
        "--force", action="store_true", help="with --write: replace files that are there"
    )
    add_common(parser)
    parser._option_string_actions["--db"].help = (
        "the database the files name (default: none, so they use the one "
        f"{SYSTEM_CONFIG} names, as every program on the server does)"
    )


def _kiosk_name(text: str) -> str:
    if not _KIOSK.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a kiosk name: use letters, digits, '.', '_' or '-'"
        )
    return text.lower()


def _account(text: str) -> str:
    if not _ACCOUNT.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not an account or group name: use lower-case letters, "
            "digits, '_' or '-', starting with a letter"
        )
    return text


def _tty(text: str) -> str:
    found = _TTY.fullmatch(text)
    if not found:
        raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a console: use tty1 to tty63")
    return found.group(1)


def _program(text: str) -> str:
    if not _safe_path(text):
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a path the files can name: give the full path, in "
            "letters, digits, '/', '.', '_', '+' or '-'"
        )
    return text


def _safe_path(text: str) -> bool:
    return bool(_PATH.fullmatch(text)) and "/../" not in text + "/"


def this_program() -> str:
    """The running fitsdesk's absolute path, or the usual one if it cannot be told."""
    me: str | None = sys.argv[0]
    if Path(me).name != "fitsdesk":  # run some other way (python -m, a test)
        me = shutil.which("fitsdesk")
    elif "/" not in me:  # found on PATH
        me = shutil.which(me)
    return os.path.abspath(me) if me else DEFAULT_PROGRAM


@dataclass(frozen=True)
class Setup:
    """What the files say about the database and the folders they may write."""

    db_override: str | None
    """The --db URL, put in every file; None leaves it to the config."""
    folder: str | None
    """The SQLite database's folder, or None for PostgreSQL."""
    db_group: str
    maildir: str | None
    backups: str | None
    """The [backup] folder, when the database's folder does not hold it."""
    note: str | None
    """A sentence for stderr when the config does not say enough yet."""


def _setup(args: argparse.Namespace) -> Setup:
    from store.db import config

    server_config = config.SYSTEM_CONFIG  # the one every unit reads, so these are made from it
    settings = config.load_config(server_config) if server_config.is_file() else config.Config()
    db_group = getattr(settings, "db_group", None) or "fitsdesk"
    if not _ACCOUNT.fullmatch(db_group):
        raise BadInput(f"The db_group in {server_config} is not a group name units can hold.")
    given = getattr(args, "db", None)
    note = None
    if given is not None:
        url = _checked_url(given)
    elif settings.db:
        url = settings.db
    else:
        url = SERVER_DB
        note = (
            f"Note: {server_config} names no database yet; these files are made for "
            f'db = "{SERVER_DB}": put that line (or your PostgreSQL URL) in it.'
        )
    folder = _sqlite_folder(url, "--db" if given is not None else str(server_config))
    maildir = settings.mail.maildir or None
    if maildir and not _safe_path(maildir):
        raise BadInput(
            f"The Maildir path in {server_config} has characters a unit file cannot hold: "
            "use letters, digits, '/', '.', '_', '+' or '-'."
        )
    backups = settings.backup_folder
    if backups and not _safe_path(backups):
        raise BadInput(
            f"The [backup] folder in {server_config} has characters a unit file cannot hold: "
            "use letters, digits, '/', '.', '_', '+' or '-'."
        )
    if backups and folder and PurePosixPath(backups).is_relative_to(folder):
        backups = None  # the database's folder is writable already
    if not backups and not folder:
        note = (
            f"Note: {server_config} names no [backup] folder, and on PostgreSQL every "
            'account must agree on one: add [backup] folder = "/var/backups/fitsdesk" '
            "(docs/backup.md) and run this again, or fitsdesk-backup.service cannot write."
        )
    return Setup(given, folder, db_group, maildir, backups, note)


def _checked_url(url: str) -> str:
    if not url:
        raise BadInput("The --db URL is empty.")
    if _URL_UNSAFE.search(url) or not url.isprintable():
        raise BadInput(
            f"The --db URL '{shown(url)}' has spaces, quotes or other characters these "
            "files cannot hold."
        )
    if urlsplit(url).password is not None:
        raise BadInput(
            "The --db URL holds a password, which every account could read in these files: "
            "use peer authentication or a .pgpass file (docs/postgresql.md)."
        )
    return url


def _sqlite_folder(url: str, where: str) -> str | None:
    """The folder of the SQLite file `url` names, or None for PostgreSQL."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else "sqlite"
    if scheme in ("postgres", "postgresql"):
        return None
    if scheme != "sqlite":
        raise BadInput(
            f"FITS Desk cannot use a '{shown(scheme)}' database ({where}): "
            "use sqlite:////path/to/desk.db or postgresql:///NAME."
        )
    path = unquote((url.split(":///", 1)[-1] if "://" in url else url).split("?", 1)[0])
    folder = str(PurePosixPath(path).parent)
    two_slashes = "://" in url and ":///" not in url  # sqlite://x names a host, not a file
    if two_slashes or not path.startswith("/") or not _safe_path(folder):
        raise BadInput(
            f"The SQLite database ({where}) must be a full path in letters, digits, '/', '.', "
            "'_', '+' or '-', such as sqlite:////var/lib/fitsdesk/fitsdesk.db."
        )
    return folder


def _database_lines(setup: Setup, *, mail: bool = False, backup: bool = False) -> str:
    lines = []
    if setup.folder:
        lines += [
            f"# The SQLite database's folder, shared with the group {setup.db_group}.",
            f"SupplementaryGroups={setup.db_group}",
            f"ReadWritePaths=-{setup.folder}",
        ]
    else:
        lines.append("# The database is PostgreSQL: there is no database folder to write.")
    if setup.db_override:
        lines += [
            "# The database named when these were made (fitsdesk deploy systemd --db).",
            "Environment=FITSDESK_DB=" + setup.db_override.replace("%", "%%"),
        ]
    if mail and setup.maildir:
        lines += [
            "# The Maildir it marks messages read in ([mail.maildir] in the config).",
            f"ReadWritePaths=-{setup.maildir}",
        ]
    if backup and setup.backups:
        lines += [
            "# The folder it keeps the copies in ([backup] folder in the config).",
            f"ReadWritePaths=-{setup.backups}",
        ]
    return "\n".join(lines)


def _template(name: str) -> str:
    return (resources.files("tui.cli") / "deploy_files" / f"{name}.in").read_text("utf-8")


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    if re.search(r"@[A-Z_]+@", text):  # a template and this code out of step
        raise FitsDeskError("A deploy template has a blank this version does not fill in.")
    return text


def unit_files(args: argparse.Namespace) -> tuple[list[tuple[str, str]], Setup]:
    """(destination, text) for each systemd unit, and what they were made from."""
    setup = _setup(args)
    values = {
        "PROGRAM": _program_in_use(args),
        "USER": args.user,
        "TTY": args.tty,
        "KIOSK": f" --kiosk {args.kiosk}" if args.kiosk else "",
    }
    files = []
    for name, destination in UNITS:
        values["DATABASE"] = _database_lines(
            setup, mail=name == "fitsdesk-mail.service", backup=name == "fitsdesk-backup.service"
        )
        files.append((destination, _fill(_template(name), values)))
    return files, setup


def sshd_files(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(destination, text) of the sshd_config.d file."""
    given = getattr(args, "db", None)
    values = {
        "PROGRAM": _program_in_use(args),
        "GROUP": args.group,
        "USER": args.user,
        "KIOSK_NAME": args.kiosk or "",
        "DB": "",
    }
    if given is not None:
        _sqlite_folder(_checked_url(given), "--db")
        values["DB"] = f" --db '{given}'"  # single quotes: the shell takes it as it is
    values["KIOSK_BLOCK"] = _fill(_template("sshd-kiosk.conf"), values) if args.kiosk else ""
    return [(SSHD_FILE, _fill(_template("sshd-fitsdesk.conf"), values))]


def _program_in_use(args: argparse.Namespace) -> str:
    if args.program:
        return args.program
    found = this_program()
    if not _safe_path(found):
        raise BadInput(
            f"This fitsdesk is at '{shown(found, 80)}', a path the files cannot name: "
            "give --program PATH."
        )
    return found


def run_systemd(args: argparse.Namespace) -> int:
    files, setup = unit_files(args)
    _deliver(files, args)
    if args.write:
        print(
            "Next: sudo systemctl daemon-reload, then enable the ones this machine runs "
            "(docs/deploy.md)."
        )
    if setup.note:  # after the files, so a refusal is the only thing said
        print(setup.note, file=sys.stderr)
    return 0


def run_sshd(args: argparse.Namespace) -> int:
    _deliver(sshd_files(args), args)
    if args.write:
        print("Next: sudo sshd -t && sudo systemctl reload ssh")
    return 0


def _deliver(files: list[tuple[str, str]], args: argparse.Namespace) -> None:
    """Print the files, each after its path; or write them all under --write, or none."""
    if not args.write:
        print("\n".join(f"# {destination}\n{text}" for destination, text in files), end="")
        return
    root = args.write
    if not root.is_dir():
        raise BadInput(f"There is no folder '{shown(root, 80)}' to write into.")
    targets = [(root / destination.lstrip("/"), text) for destination, text in files]
    there = [path for path, _ in targets if os.path.lexists(path)]
    if there and not args.force:
        more = f" and {len(there) - 1} more are" if len(there) > 1 else " is"
        raise BadInput(
            f"{there[0]}{more} already there, so nothing was written: add --force to replace."
        )
    for path, text in targets:
        _write(path, text)
        print(f"Wrote {path}")


def _write(path: Path, text: str) -> None:
    """Write one file whole (0644), so a unit is never seen half written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise FitsDeskError(f"{path} cannot be written: {reason} (is it run with sudo?).") from None
