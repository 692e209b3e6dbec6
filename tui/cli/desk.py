"""`fitsdesk desk [--as USER]`: the technician desk; `fitsdesk desk --keys` lists its keys by
the names a school's keymap uses (docs/ssh.md)."""

from __future__ import annotations

import argparse
import sys

from store.db import database
from store.db.errors import BadInput
from store.school import people
from tui.cli import add_common
from tui.cli.session import open_db, who


def register(commands: argparse._SubParsersAction) -> None:
    desk = commands.add_parser(
        "desk",
        help="work the queue (for technicians)",
        description="The technician desk, full screen in this terminal (over SSH too). "
        "You must be an active technician; press F1 for the keys, ctrl+q to leave.",
    )
    desk.add_argument(
        "--as",
        dest="as_user",
        metavar="USER",
        help="work as another technician (managers only; the journal names you both)",
    )
    desk.add_argument(
        "--keys",
        action="store_true",
        help="list the desk's keys by the names the config file's [desk.keys] uses, and stop",
    )
    add_common(desk)
    desk.set_defaults(handler=run_desk)


def run_desk(args: argparse.Namespace) -> int:
    from tui.app import DeskApp, who_may_use_the_desk

    if args.keys:
        from tui.screens.help import key_names

        places = key_names(DeskApp)
        wide = max(len(name) for _place, keys in places for name, _keys, _words in keys)
        for n, (place, keys) in enumerate(places):
            print(f"{chr(10) if n else ''}{place}")
            for name, key, words in keys:
                print(f"  {name:<{wide}}  {key:<16}  {words}")
        return 0
    url = database.resolve_url(getattr(args, "db", None))
    login = who()
    open_db(args, pool=True)
    if args.as_user:
        login = people.acting_as(args.as_user, real=login)
    who_may_use_the_desk(login)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise BadInput("The desk needs a terminal to run in.")
    app = DeskApp(db_url=url, user=login)
    app.run()
    return app.return_code or 0
