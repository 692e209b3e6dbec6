"""The `fitsdesk` command: one subcommand per thing a school does, each with --db and --help.

    fitsdesk init
    fitsdesk log --summary "Printer jams" --requester "Sam Patel" --location LIB
    fitsdesk list --status open --limit 20 --json

Exit status (docs/architecture.md): 0 done, 1 not found, 2 bad input or usage, with one
plain sentence on stderr and never a traceback. Subcommands live in the
modules named after what they serve: `calls`, `school`, `demo`, and the packages
named after the store's areas: `configuration`, `problems`, `changes`, `mail`.
"""

from __future__ import annotations

import argparse
import os
import sys

from store.db.errors import BadInput, FitsDeskError
from store.db.sanitise import shown


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one sentence and exit status 2."""

    def error(self, message: str) -> None:
        example = self._example_command(message)
        if example:
            raise BadInput(f"Say what to do, for example: {example}. See: {self.prog} --help")
        text = shown(message, 300)  # argparse quotes what was typed, escapes and all
        text = text[0].upper() + text[1:]
        raise BadInput(f"{text.rstrip('.')}. See: {self.prog} --help")

    def _example_command(self, message: str) -> str | None:
        """'fitsdesk list' when all that is missing is the command (or a group's action)."""
        for action in self._actions:
            if (
                isinstance(action, argparse._SubParsersAction)
                and action.choices
                and message == f"the following arguments are required: {action.metavar}"
            ):
                choice = "list" if "list" in action.choices else next(iter(action.choices))
                return f"{self.prog} {choice}"
        return None


MOST = 1_000_000_000
"""The largest count a command takes (--limit, --days): more than any school has."""


def positive(text: str) -> int:
    """A whole number from 1 to MOST, for argparse (a huge one is bad input, not a crash)."""
    cleaned = text.strip()
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= MOST:
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a whole number from 1 to {MOST:,}"
        )
    return int(cleaned)


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


COMMANDS = {
    "init": "school",
    "tech": "school",
    "location": "school",
    "category": "school",
    "kiosk": "kiosk",
    "kiosk-pin": "kiosk",
    "notice": "kiosk",
    "log": "calls",
    "show": "calls",
    "list": "calls",
    "close-unanswered": "calls",
    "demo": "demo",
    "desk": "desk",
    "asset": "configuration.assets",
    "loan": "configuration.loans",
    "labels": "configuration.labels",
    "software": "configuration.software",
    "problem": "problems.problems",
    "calendar": "changes.calendar",
    "sla": "service_levels.targets",
    "service": "service_levels.services",
    "report": "service_levels.report",
    "change": "changes.changes",
    "metric": "problems.metrics",
    "mail": "mail.mail",
    "audit": "security",
    "doctor": "security",
    "deploy": "deploy",
    "backup": "backup",
    "restore": "backup",
    "spend": "finance",
    "finance": "finance",
    "budget": "finance",
    "continuity": "continuity",
}
"""Each command and the module that declares it, so a command imports only its own."""


def command_named(argv: list[str]) -> str | None:
    """The command in `argv` (skipping the top-level --db URL), if it is one we know."""
    words = iter(argv)
    for word in words:
        if word == "--db":
            next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(command: str | None = None) -> Parser:
    """The command line; with `command`, only the module that declares it is imported
    (the kiosk starts faster without the rest)."""
    import importlib

    parser = Parser(
        prog="fitsdesk",
        description="FITS Desk: a service desk for schools. Every command takes --db URL.",
    )
    parser.add_argument("--db", metavar="URL", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    everything = ["school", "kiosk", "desk", "calls", "demo"]
    everything += [
        "configuration.assets",
        "configuration.loans",
        "configuration.labels",
        "configuration.software",
    ]  # the asset register
    everything += ["problems.problems"]  # problem management
    everything += ["changes.calendar", "changes.changes"]  # change management
    everything += ["problems.metrics"]  # capacity
    everything += ["service_levels.targets", "service_levels.services", "service_levels.report"]
    everything += ["mail.mail"]  # the email channel
    everything += ["security"]  # the audit trail and the doctor
    everything += ["deploy"]  # setting up a server
    everything += ["backup"]  # backup and restore
    everything += ["finance"]  # spending, budgets and the budget plan
    everything += ["continuity"]  # continuity plans
    wanted = [COMMANDS[command]] if command else everything
    for name in dict.fromkeys(wanted):
        importlib.import_module(f"tui.cli.{name}").register(commands)
    return parser


class _Version(argparse.Action):
    """--version, looked up only when asked (importlib.metadata is slow to import)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"fitsdesk {_version()}")
        parser.exit()


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("fitsdesk")
    except Exception:  # running from a checkout that was never installed
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    from store.db import logs

    logs.setup()
    try:
        argv = sys.argv[1:] if argv is None else argv
        args = build_parser(command_named(argv)).parse_args(argv)
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
        logs.LOGGER.error("fitsdesk %s: unexpected error", " ".join(argv or []), exc_info=exc)
        print(
            f"FITS Desk hit an unexpected error ({exc.__class__.__name__}){logs.pointer()}.",
            file=sys.stderr,
        )
        return 1


def run() -> None:
    """The `fitsdesk` console script."""
    _no_postgres_driver_unless_needed(sys.argv[1:])
    sys.exit(main())


def _no_postgres_driver_unless_needed(argv: list[str]) -> None:
    """peewee imports the PostgreSQL driver when it is first imported, in case it is
    needed: about 50 ms and 10 MiB before a kiosk's first screen. A process whose
    database is SQLite tells it there is no driver to find."""
    if "peewee" in sys.modules:
        return
    url = None
    words = iter(argv)
    for word in words:
        if word == "--db":
            url = next(words, "")
        elif word.startswith("--db="):
            url = word.removeprefix("--db=")
    if url is None:
        url = os.environ.get("FITSDESK_DB")
    if url is None:
        from store.db.config import load_config

        try:
            url = load_config().db
        except FitsDeskError:
            return  # `main` will say what is wrong with the config
    if url and url.strip().lower().startswith(("postgres:", "postgresql:")):
        return
    for driver in ("psycopg", "psycopg2"):
        sys.modules.setdefault(driver, None)
