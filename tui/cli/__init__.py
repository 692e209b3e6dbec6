"""The `fitsdesk` command: one subcommand per thing a school does, each with --db and --help.

    fitsdesk init
    fitsdesk log --summary "Printer jams" --requester "Sam Patel" --location LIB
    fitsdesk list --status open --limit 20 --json

Exit status (DESIGN.md): 0 done, 1 not found, 2 bad input or usage, with one
plain sentence on stderr and never a traceback. Subcommands live in the
modules named after what they serve: `calls`, `school`, `demo`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from pathlib import Path

from store.errors import BadInput, FitsDeskError
from store.sanitise import shown


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one sentence and exit status 2."""

    def error(self, message: str) -> None:
        text = shown(message, 300)  # argparse quotes what was typed, escapes and all
        text = text[0].upper() + text[1:]
        raise BadInput(f"{text.rstrip('.')}. See: {self.prog} --help")


def add_common(parser: argparse.ArgumentParser) -> None:
    """The --db option every command takes."""
    parser.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="database: sqlite:///PATH or postgresql://USER@HOST/NAME "
        "(default: FITSDESK_DB, the config file, or a file in your data folder)",
    )


def group(
    commands: argparse._SubParsersAction, name: str, help_text: str, *, required: bool = True
) -> argparse._SubParsersAction:
    """A command made of actions (`fitsdesk tech add`, `fitsdesk tech list`)."""
    parser = commands.add_parser(name, help=help_text, description=help_text)
    add_common(parser)
    actions = parser.add_subparsers(title="actions", metavar="ACTION", parser_class=type(parser))
    actions.required = required
    actions.parent = parser
    return actions


def list_action(actions: argparse._SubParsersAction, what: str, handler) -> argparse.ArgumentParser:
    """The `list` action of a group: a table, or --json."""
    listing = actions.add_parser("list", help=f"list {what}", description=f"List {what}.")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(listing)
    listing.set_defaults(handler=handler)
    return listing


def build_parser() -> Parser:
    """The whole command line."""
    from tui.cli import calls, demo, kiosk, school

    parser = Parser(
        prog="fitsdesk",
        description="FITS Desk: a service desk for schools. Every command takes --db URL.",
    )
    parser.add_argument("--db", metavar="URL", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"fitsdesk {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    school.register(commands)
    kiosk.register(commands)
    calls.register(commands)
    demo.register(commands)
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("fitsdesk")
    except Exception:  # running from a checkout that was never installed
        return "unknown"


def _crash_log(exc: BaseException) -> Path | None:
    """Write the traceback of an unexpected error where a technician can find it."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    path = Path(base) / "fitsdesk" / "crash.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"--- {dt.datetime.now().isoformat()} fitsdesk {' '.join(sys.argv[1:])}\n")
            log.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args) or 0
    except FitsDeskError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `fitsdesk list | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        where = _crash_log(exc)
        note = f"; the details are in {where}" if where else ""
        print(
            f"FITS Desk hit an unexpected error ({exc.__class__.__name__}){note}.", file=sys.stderr
        )
        return 1
