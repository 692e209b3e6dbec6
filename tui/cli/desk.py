"""`fitsdesk desk [--as USER]`: the technician desk."""

from __future__ import annotations

import argparse
import sys

from store import database, people
from store.errors import BadInput, NotFound
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
        help="open the desk as another technician (managers only)",
    )
    add_common(desk)
    desk.set_defaults(handler=run_desk)


def run_desk(args: argparse.Namespace) -> int:
    from tui.app import DeskApp, who_may_use_the_desk

    url = database.resolve_url(getattr(args, "db", None))
    open_db(args)
    login = who()
    if args.as_user:
        try:
            me = people.technician(login)
        except NotFound:
            me = None
        if login != "root" and not (me and me.active and me.can("manager")):
            raise BadInput("Only a manager may open the desk as someone else.")
        login = args.as_user
    who_may_use_the_desk(login)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise BadInput("The desk needs a terminal to run in.")
    app = DeskApp(db_url=url, user=login)
    app.run()
    return app.return_code or 0
