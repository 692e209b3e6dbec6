"""The walk-up kiosk: a pupil logs a fault in under a minute and leaves with a QR code.

    KioskApp(db_url="sqlite:////srv/fitsdesk/desk.db", kiosk="library").run()

It cannot be left (no quit key, no command palette, no selection, and the
signals a key could send are ignored): a technician presses ctrl+t and types
the PIN. Left alone it goes home and forgets what was typed. It talks to
the database only through `store`, in worker threads, so a slow or absent
database never freezes the screen.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.binding import Binding

from store.db import config, database
from store.db.errors import FitsDeskError, Unavailable
from store.school import kiosks
from tui.widgets.background import run_store
from tui.widgets.terminal import leave_when_asked, use_console_colours

CANT_SAVE = "We can't save this right now. Please tell a member of staff."
"""What a pupil sees whenever the database cannot be reached or written."""
STILL_THERE = "Are you still there? Press a key or touch the screen to carry on."
WARN_S = 15
"""How long before going home the kiosk asks whether anyone is still there."""
log = logging.getLogger("fitsdesk.kiosk")


def _ignored(key: str) -> Binding:
    return Binding(key, "ignore", show=False, priority=True, system=True)


class KioskApp(App[None]):
    """The walk-up kiosk for one place in the school."""

    CSS_PATH = Path(__file__).parent / "kiosk.tcss"
    TITLE = "IT help"
    ENABLE_COMMAND_PALETTE = False
    ALLOW_SELECT = False
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        *(_ignored(key) for key in ("ctrl+q", "ctrl+c", "ctrl+p", "ctrl+z", "ctrl+backslash")),
        Binding("ctrl+t", "technician", show=False, priority=True, id="kiosk.technician"),
    ]

    def __init__(
        self,
        db_url: str | None = None,
        kiosk: str | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sixteen_colours: bool | None = None,
    ) -> None:
        super().__init__()
        self.sixteen_colours = sixteen_colours
        """Use the terminal's own 16 colours (a bare console, TERM=linux); None: ask the
        terminal (a headless app, as in tests, keeps the full-colour theme)."""
        self.db_url = db_url
        """The database, as `store.db.database.connect` takes it."""
        self.kiosk_name = kiosk
        """This kiosk's registered name, or None for a kiosk with no fixed place."""
        self.place: kiosks.KioskInfo | None = None
        """Where this kiosk stands, once the database has said."""
        self.settings = config.current()
        """Idle time, receipt time and the report limit."""
        self.clock = clock
        """Seconds, for the idle timer (tests give their own)."""
        self.last_activity = clock()
        """When someone last pressed a key or touched the screen."""

    def on_mount(self) -> None:
        from kiosk.screens.home import HomeScreen

        if not self.is_headless:
            # Textual's driver suspends on SIGTSTP; a kiosk ignores the signals a key could send.
            for caught in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):
                signal.signal(caught, signal.SIG_IGN)
            leave_when_asked(self)  # systemd's stop: the console is put back
        use_console_colours(self, self.sixteen_colours)

        try:
            if getattr(database.db.obj, "fitsdesk_url", None) != database.resolve_url(self.db_url):
                database.connect(
                    self.db_url, create=False, pool=True
                )  # unless `fitsdesk kiosk` has
            if self.kiosk_name:
                self.place = kiosks.kiosk(self.kiosk_name)
        except FitsDeskError as exc:  # carry on: each action says so when it needs the database
            log.warning("kiosk starting without its database: %s", exc)
        self.push_screen(HomeScreen())
        self.set_interval(1, self.check_left_alone)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.Paste):
            self.last_activity = self.clock()
        await super().on_event(event)

    def check_left_alone(self) -> None:
        """Go home, forgetting everything typed, after the idle time; warn a little before."""
        idle = self.clock() - self.last_activity
        limit = self.settings.kiosk_idle_seconds
        if idle >= limit:
            self.go_home()
        elif len(self.screen_stack) > 2 and limit - WARN_S <= idle < limit - WARN_S + 1:
            self.notify(STILL_THERE, timeout=WARN_S, markup=False)

    def go_home(self) -> None:
        """Back to Home; every screen above it, and what was typed there, is dropped."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.last_activity = self.clock()

    def run_store(
        self,
        job: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[FitsDeskError], None],
    ) -> None:
        """Run a store call off the screen's thread. Whatever the database says (a path, a
        URL, a server's words) is for the log: a pupil is told CANT_SAVE, nothing more."""

        def pupil_safe(problem: FitsDeskError) -> None:
            if isinstance(problem, Unavailable):
                log.warning("the kiosk could not use the database: %s", problem)
                problem = Unavailable(CANT_SAVE)
            failed(problem)

        run_store(self, job, done, pupil_safe, db_url=self.db_url, cant=CANT_SAVE)

    def action_ignore(self) -> None:
        """Keys that would leave the app, or open what pupils should not see, do nothing."""

    def action_technician(self) -> None:
        """The hidden key: ask for the technician's PIN."""
        from kiosk.screens.pin import PinScreen

        if not isinstance(self.screen, PinScreen):
            self.push_screen(PinScreen())

    async def action_quit(self) -> None:
        """Not here: only the PIN screen leaves (markup such as @click=app.quit finds nothing)."""

    def action_command_palette(self) -> None:
        """No command palette on a kiosk."""

    def action_suspend_process(self) -> None:
        """No suspending a kiosk."""
