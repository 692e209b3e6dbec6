"""How the apps meet their terminal: its colours (`use_console_colours`), and leaving
tidily (`leave_when_asked`). systemd stopping the kiosk sends SIGTERM, and a dropped SSH
session sends the desk SIGHUP; Python's default for both ends the process at once,
leaving the console full-screen with the keyboard raw. The apps instead leave as their
own Quit does, so the terminal is put back (docs/deploy.md). A terminal that goes
without a signal (its other end closed, no controlling terminal) left Textual reading
nothing as fast as it could, at a whole core: the apps look every few seconds and leave
once it has gone, as their Quit does if Textual can, else at once (every change is a
transaction, so nothing is left half written)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import termios
import threading

from textual.app import App

ASKED_TO_LEAVE = (signal.SIGTERM, signal.SIGHUP)

log = logging.getLogger("fitsdesk")


def leave_when_asked(app: App) -> None:
    """Make SIGTERM and SIGHUP end `app` as its own exit does, and a terminal that has
    gone too. A headless app (a test) keeps the process's handlers."""
    if app.is_headless:
        return

    def leave() -> None:
        # On a terminal that has gone Textual may never finish leaving, and its timers
        # stop as it tries: a thread of its own ends the process if it is still here.
        grace = threading.Timer(GRACE_S, _leave_at_once)
        grace.daemon = True
        grace.start()
        app.exit()

    def look() -> None:
        if terminal_gone():
            leave()

    loop = asyncio.get_running_loop()
    for sig in ASKED_TO_LEAVE:
        loop.add_signal_handler(sig, leave)
    app.set_interval(LOOK_S, look)


LOOK_S = 3
"""How often an app looks whether its terminal is still there."""
GRACE_S = 5
"""How long an app whose terminal has gone has to leave as its Quit does."""


def _leave_at_once() -> None:
    log.warning("the terminal has gone and the app did not leave: leaving at once")
    os._exit(1)


def terminal_gone() -> bool:
    """Whether the terminal the app reads its keys from has gone (hung up: EIO)."""
    try:
        termios.tcgetattr(sys.__stdin__.fileno())
    except (termios.error, OSError, ValueError, AttributeError):
        return True
    return False


def use_console_colours(app: App, wanted: bool | None) -> None:
    """Draw in the terminal's own 16 colours when `wanted`, or, when None, when the
    terminal has only those (a bare console, TERM=linux): outlines and focus then show in
    colours it draws well. A headless app (a test) keeps the full-colour theme unless told."""
    few = not app.is_headless and app.console.color_system in ("standard", "windows")
    if wanted or (wanted is None and few):
        app.theme = "ansi-dark"
