"""Leaving tidily when the system asks: systemd stopping the kiosk sends SIGTERM, and a
dropped SSH session sends the desk SIGHUP. Python's default for both ends the process at
once, leaving the console in the full-screen mode with the keyboard raw; the apps
instead leave as their own Quit does, so the terminal is put back (docs/deploy.md)."""

from __future__ import annotations

import asyncio
import signal

from textual.app import App

ASKED_TO_LEAVE = (signal.SIGTERM, signal.SIGHUP)


def leave_when_asked(app: App) -> None:
    """Make SIGTERM and SIGHUP end `app` as its own exit does. A headless app (a test)
    keeps the process's handlers."""
    if app.is_headless:
        return
    loop = asyncio.get_running_loop()
    for sig in ASKED_TO_LEAVE:
        loop.add_signal_handler(sig, app.exit)
