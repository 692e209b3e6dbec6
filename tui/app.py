"""The technician desk: work the queue over SSH, a few keys per action.

    DeskApp(db_url="sqlite:////srv/fitsdesk/desk.db", user="jsmith").run()

The user must be an active technician (docs/architecture.md, Safety rules); anyone
else is told so in one sentence and the desk does not open. The queue watches the database
cheaply (`store.servicedesk.queues.change_mark`) and refreshes itself when a kiosk or
another technician changes something; a new P1 or P2 call gets a notice, and so does a
call that misses a service level target, for its assignee and the managers, in school
hours (docs/service_levels.md). Every action goes through a store function in a worker
thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from store.db import config, database, journal
from store.db.errors import BadInput, FitsDeskError
from store.db.identity import Acting
from store.school import people
from store.service_levels import clocks
from store.servicedesk import queues
from tui.messages import DataChanged
from tui.widgets.background import run_store
from tui.widgets.terminal import leave_when_asked, use_console_colours

log = logging.getLogger("fitsdesk")

POLL_S = 1.0
"""How often the desk looks for changes: well inside the two seconds a new call may take."""
LONGEST_WAIT_S = 15.0
"""While the database is away, the desk tries again after 1, 2, 4, 8, then every 15 s."""
BREACH_S = 30.0
"""How often the desk looks for calls that have just missed a target."""
RECONNECTING = "Reconnecting to the database…"


class DeskApp(App[None]):
    """The technician desk."""

    CSS_PATH = Path(__file__).parent / "desk.tcss"
    TITLE = "FITS Desk"
    BINDINGS = [
        Binding(
            "ctrl+o,f2",
            "scan",
            "Scan",
            id="desk.scan",
            priority=True,
            tooltip="Scan a log's QR code or a device's label, or type a number or tag",
        ),
        Binding("f1,question_mark", "help", "Help", id="desk.help"),
        Binding(
            "ctrl+n",
            "log_call",
            "Log a call",
            id="desk.log_call",
            tooltip="Log a call for someone who phoned, visited or emailed",
        ),
        Binding(
            "ctrl+t",
            "notices",
            "Notices",
            id="desk.notices",
            tooltip="Post, change and end the notices the kiosks show",
        ),
        Binding(
            "ctrl+e",
            "register",
            "Devices",
            id="desk.register",
            tooltip="The asset register: devices, spares on loan, software and licences",
        ),
        Binding(
            "ctrl+b,f3",
            "problems",
            "Problems",
            id="desk.problems",
            tooltip="The causes behind recurring calls, and the known errors",
        ),
        Binding(
            "ctrl+r,f4",
            "changes",
            "Changes",
            id="desk.changes",
            tooltip="Requests for change: raise, plan, vote on and schedule them",
        ),
        Binding(
            "f5",
            "services",
            "Services",
            id="desk.services",
            show=False,  # the footer is full: F5, or the palette
            tooltip="The service catalogue: what the school depends on, who owns it",
        ),
        Binding(
            "f6",
            "service_report",
            "Service report",
            id="desk.service_report",
            show=False,  # the footer is full: F6, or the palette
            tooltip="This term so far: calls, targets met, time to resolve, availability",
        ),
        Binding(
            "f7",
            "reminders",
            "Reminders",
            id="desk.reminders",
            show=False,  # the footer is full: F7, or the palette
            tooltip="Licences to renew, and continuity plans to test or review",
        ),
        Binding("ctrl+q", "quit", "Quit", id="desk.quit", priority=True, show=False),
        Binding(
            "ctrl+p",
            "command_palette",
            "Actions",
            id="desk.actions",
            priority=True,
            show=False,  # the footer shows it on the right (KeyFooter)
            tooltip="Find any action by its name",
        ),
    ]

    def __init__(
        self,
        db_url: str | None = None,
        user: str | None = None,
        *,
        now: Callable[[], dt.datetime] | None = None,
        sixteen_colours: bool | None = None,
    ) -> None:
        super().__init__()
        self.sixteen_colours = sixteen_colours
        """Use the terminal's own 16 colours (a bare console, TERM=linux); None: ask the
        terminal (a headless app, as in tests, keeps the full-colour theme)."""
        self.now = now or (lambda: journal.now())
        """The time, naive UTC, for ages and time left in the queue: the store's (tests
        give a fixed one)."""
        self.db_url = db_url
        """The database, as `store.db.database.connect` takes it."""
        self.user = user
        """The login of the technician at the desk (checked when the desk opens)."""
        self.me: people.TechnicianInfo | None = None
        """Who they are, once checked."""
        self.mark: int | None = None
        """The database's change mark when the desk last looked."""
        self.newest: int = 0
        """The highest call number the desk has seen, to spot new urgent ones."""
        self.status = ""
        """What the top line says about the database while it is away ("" when all is well)."""
        self.failures = 0
        """Looks at the database that failed in a row: how long to wait before the next."""
        self.next_look = 0.0
        """When (time.monotonic) the desk may look again, while the database is away."""
        self.looking = False
        """Whether a look is under way in a worker (PostgreSQL), so looks never pile up."""
        self.breaches_seen: dt.datetime | None = None
        """Up to when the desk has told of missed targets (from when it opened)."""
        self.told: set[tuple[str, str]] = set()
        """The targets missed that the desk has told of: (number, respond or resolve), each
        once while the desk is open."""

    def on_mount(self) -> None:
        leave_when_asked(self)  # a dropped SSH session, or the system stopping: tidily
        use_console_colours(self, self.sixteen_colours)
        try:
            if getattr(database.db.obj, "fitsdesk_url", None) != database.resolve_url(self.db_url):
                database.connect(self.db_url, create=False, pool=True)
            self.me = who_may_use_the_desk(self.user)
            keys = config.current().desk_keys
            if keys:
                from tui.screens.help import binding_ids

                unknown = sorted(set(keys) - binding_ids(type(self)))
                if unknown:
                    raise BadInput(
                        f"The config's desk.keys names '{unknown[0]}', which is "
                        "not a desk key: fitsdesk desk --keys lists their names."
                    )
                self.set_keymap(keys)
            self.mark, self.newest = queues.change_mark(), queues.newest_id()
        except FitsDeskError as exc:
            self.exit(return_code=exc.exit_code, message=str(exc))
            return
        from tui.screens.servicedesk.queue import QueueScreen

        self.sub_title = f"{self.me.full_name} ({self.me.login})"
        if self.me.working_for:
            self.sub_title += f", worked by {self.me.working_for}"
        self.push_screen(QueueScreen())
        self.set_interval(POLL_S, self.look_for_changes)
        self.breaches_seen = self.now()
        self.set_interval(BREACH_S, self.look_for_breaches)

    def look_for_changes(self) -> None:
        """Reload what is on screen if anyone has changed anything; tell of urgent calls.
        On PostgreSQL the look runs in a worker, so a server that is slow or away never
        freezes the screen; while it is away the top line says so, the looks back off,
        and the first look that works catches up (new calls, urgent notices, changes)."""
        if self.looking or time.monotonic() < self.next_look:
            return
        if database.is_sqlite():  # its own file: a look is a page read, never a wait
            try:
                self.changes_seen(self.what_changed(self.mark, self.newest))
            except FitsDeskError as problem:
                self.database_away(problem)
            return
        self.looking = True
        mark, newest = self.mark, self.newest
        run_store(
            self,
            lambda: self.what_changed(mark, newest),
            self.changes_seen,
            self.database_away,
            db_url=self.db_url,
        )

    @staticmethod
    def what_changed(mark: int | None, newest: int) -> tuple[int, list, int] | None:
        """(the change mark, urgent calls since `newest`, the newest call), or None when
        nothing has changed since `mark`."""
        now = queues.change_mark()
        if now == mark:
            return None
        return now, queues.urgent_since(newest), queues.newest_id()

    def changes_seen(self, found: tuple[int, list, int] | None) -> None:
        self.looking = False
        if self.failures:
            self.failures, self.next_look = 0, 0.0
            self.set_status("")
            self.notify("The database is back; the desk has caught up.", timeout=6)
        if found is None:
            return
        self.mark, urgent, self.newest = found
        for call in urgent:
            self.notify(
                f"New {call.priority_label}: {call.number} {call.summary}",
                title="New urgent call",
                severity="warning",
                timeout=10,
                markup=False,
            )
        for screen in self.screen_stack:
            screen.post_message(DataChanged())

    def look_for_breaches(self) -> None:
        """Tell of calls that have missed a target since the last look: each once, to its
        assignee and to managers, and only in school hours (the look after the school
        opens tells of those missed overnight). Looks may overlap on a slow database: the
        second finds nothing new to tell."""
        if self.failures or self.me is None or self.breaches_seen is None:
            return
        since, now = self.breaches_seen, self.now()

        def job():
            if not clocks.school_clock(now).is_open(now):
                return None
            return queues.breached_since(since, now)

        def found(breaches) -> None:
            if breaches is None:
                return
            self.breaches_seen = max(self.breaches_seen or now, now)
            self.tell_breaches(breaches)

        run_store(self, job, found, self.breach_look_failed, db_url=self.db_url)

    def breach_look_failed(self, problem: FitsDeskError) -> None:
        """The database is away: the change look says so on the top line; try next time."""
        log.warning("the desk cannot look for missed targets: %s", problem)

    def tell_breaches(self, breaches: list) -> None:
        """A notice for each missed target on a call that is mine, or any call for a manager."""
        me = self.me
        for call, what in breaches:
            if (call.number, what) in self.told:
                continue
            if call.assignee != me.login and not me.can("manager"):
                continue
            self.told.add((call.number, what))
            missed = "was not answered in time" if what == "respond" else "was not resolved in time"
            self.notify(
                f"{call.number} ({call.priority_label}) {missed}: {call.summary}",
                title="Service level missed",
                severity="error",
                timeout=15,
                markup=False,
            )

    def database_away(self, problem: FitsDeskError) -> None:
        """The look failed: say so on the top line, and wait longer before the next."""
        self.looking = False
        self.failures += 1
        wait = min(LONGEST_WAIT_S, 2.0 ** (self.failures - 1))
        self.next_look = time.monotonic() + wait
        log.warning("the desk cannot reach the database: %s", problem)
        self.set_status(RECONNECTING)

    def set_status(self, text: str) -> None:
        """Put `text` on every screen's top line ("" to clear it)."""
        if text == self.status:
            return
        self.status = text
        for screen in self.screen_stack:
            for line in screen.query("#bar"):
                if hasattr(line, "show"):
                    line.show()

    def run_store(
        self,
        job: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[FitsDeskError], None] | None = None,
    ) -> None:
        """Run a store call off the screen's thread; trouble is shown as a notice."""
        run_store(self, job, done, failed or self.say_problem, db_url=self.db_url)

    def say_problem(self, problem: FitsDeskError) -> None:
        self.notify(str(problem), severity="error", timeout=8, markup=False)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "audit":  # only a manager reads the security audit trail
            return self.me is not None and self.me.can("manager")
        if action == "help":  # not offered on the help itself
            return not getattr(self.screen, "IS_HELP", False)
        return True

    def action_scan(self) -> None:
        from tui.dialogs.scan import ScanDialog

        if not isinstance(self.screen, ScanDialog):
            self.push_screen(ScanDialog())

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_log_call(self) -> None:
        from tui.screens.servicedesk.log_call import LoggedDialog, category_choices, log_call_dialog

        def logged(call) -> None:
            if call is not None:
                self.push_screen(LoggedDialog(call))

        def ask(kinds) -> None:
            self.push_screen(log_call_dialog(self.me.login, kinds), logged)

        self.run_store(category_choices, ask)

    def action_notices(self) -> None:
        from tui.screens.servicedesk.notices import NoticesScreen

        if not isinstance(self.screen, NoticesScreen):
            self.push_screen(NoticesScreen())

    def action_kiosks(self) -> None:
        from tui.screens.school.kiosks import KiosksScreen

        if not isinstance(self.screen, KiosksScreen):
            self.push_screen(KiosksScreen())

    def action_register(self) -> None:
        from tui.screens.configuration.register import RegisterScreen

        if not isinstance(self.screen, RegisterScreen):
            self.push_screen(RegisterScreen())

    def action_problems(self) -> None:
        from tui.screens.problems.problems import ProblemsScreen

        if not isinstance(self.screen, ProblemsScreen):
            self.push_screen(ProblemsScreen())

    def action_changes(self) -> None:
        from tui.screens.changes.changes import ChangesScreen

        if not isinstance(self.screen, ChangesScreen):
            self.push_screen(ChangesScreen())

    def action_services(self) -> None:
        from tui.screens.service_levels.services import ServicesScreen

        if not isinstance(self.screen, ServicesScreen):
            self.push_screen(ServicesScreen())

    def action_reminders(self) -> None:
        from tui.screens.school.reminders import RemindersScreen

        if not isinstance(self.screen, RemindersScreen):
            self.push_screen(RemindersScreen())

    def action_service_report(self) -> None:
        from tui.screens.service_levels.report import ReportScreen

        if not isinstance(self.screen, ReportScreen):
            self.push_screen(ReportScreen())

    def action_outbox(self) -> None:
        from tui.screens.mail.outbox import OutboxScreen

        if not isinstance(self.screen, OutboxScreen):
            self.push_screen(OutboxScreen())

    def action_audit(self) -> None:
        from tui.screens.school.audit import AuditScreen

        if not isinstance(self.screen, AuditScreen):
            self.push_screen(AuditScreen())

    def open_problem(self, number: str) -> None:
        """Show one problem on its own screen."""
        from tui.screens.problems.problem import ProblemScreen

        self.push_screen(ProblemScreen(number))

    def open_call(self, number: str) -> None:
        """Show one call on its own screen."""
        from tui.screens.servicedesk.incident import IncidentScreen

        self.push_screen(IncidentScreen(number))

    def open_asset(self, tag: str) -> None:
        """Show a device and its history."""
        from tui.screens.configuration.asset import AssetScreen

        self.push_screen(AssetScreen(tag))

    def get_system_commands(self, screen):
        """The palette offers the desk's own actions and three screens without a key of
        their own outside the queue (the outbox, the kiosks, the security audit), each
        named once; not Textual's theme and screenshot."""
        from textual.app import SystemCommand

        from tui.commands import desk_commands

        named: set[str] = set()
        yield from desk_commands(self, screen, named)
        more = [
            (
                "Outbox",
                "Mail to callers not sent yet, and mail that could not be taken in",
                self.action_outbox,
            ),
            ("Kiosks", "Reports each kiosk has sent; let a full one take more", self.action_kiosks),
        ]
        if self.me is not None and self.me.can("manager"):
            more.append(
                (
                    "Security audit",
                    "Refused actions: role checks, wrong kiosk PINs and check codes",
                    self.action_audit,
                )
            )
        for title, said, run in more:
            if title not in named:
                named.add(title)
                yield SystemCommand(title, said, run)


def who_may_use_the_desk(login: str | None) -> people.TechnicianInfo:
    """The active technician at the desk, or one sentence saying why not (kept in the
    security audit trail). `login` is the account's own, or `people.acting_as`'s."""
    from store.school import audit  # imported, it keeps refusals (store.db.database.REFUSED)
    from tui.cli.session import who

    login = login or who()
    try:
        tech = people.technician(login)
    except FitsDeskError:
        tech = None
    if tech is None or not tech.active:
        audit.refused(login, "open the desk", detail=f"{login} is not an active technician.")
        raise FitsDeskError(
            f"{login} is not an active technician, so the desk will not open. "
            "A manager can add you: fitsdesk tech add " + login + ' --name "Your Name"'
        )
    return dataclasses.replace(tech, login=login) if isinstance(login, Acting) else tech
