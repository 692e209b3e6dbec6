"""Every key the desk knows, on every screen, in one list."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.screens.common import KeyFooter, bar


def desk_screens() -> tuple:
    """(where, screen class) for each place with keys of its own."""
    from tui.screens.changes.change import ChangeScreen
    from tui.screens.changes.changes import ChangesScreen
    from tui.screens.configuration.asset import AssetScreen
    from tui.screens.configuration.register import RegisterScreen
    from tui.screens.mail.outbox import OutboxScreen
    from tui.screens.problems.capacity import CapacityScreen
    from tui.screens.problems.problem import ProblemScreen
    from tui.screens.problems.problems import ProblemsScreen
    from tui.screens.problems.trends import TrendsScreen
    from tui.screens.school.kiosks import KiosksScreen
    from tui.screens.school.reminders import RemindersScreen
    from tui.screens.service_levels.report import ReportScreen
    from tui.screens.service_levels.services import ServicesScreen
    from tui.screens.servicedesk.incident import IncidentScreen
    from tui.screens.servicedesk.notices import NoticesScreen
    from tui.screens.servicedesk.queue import QueueScreen

    return (
        ("Queue", QueueScreen),
        ("A call", IncidentScreen),
        ("Register", RegisterScreen),
        ("A device", AssetScreen),
        ("Notices", NoticesScreen),
        ("Kiosks", KiosksScreen),
        ("Problems", ProblemsScreen),
        ("A problem", ProblemScreen),
        ("Trends", TrendsScreen),
        ("Capacity", CapacityScreen),
        ("Services", ServicesScreen),
        ("Service report", ReportScreen),
        ("Reminders", RemindersScreen),
        ("Changes", ChangesScreen),
        ("A change", ChangeScreen),
        ("Outbox", OutboxScreen),
    )


def binding_ids(app_class) -> set[str]:
    """Every key binding's name the desk knows, for checking a school's keymap."""
    owners = [app_class, *(owner for _where, owner in desk_screens())]
    return {b.id for owner in owners for b in owner.BINDINGS if isinstance(b, Binding) and b.id}


def key_table(app) -> Table:
    """The keys of the app and of each screen, as the keymap has them now, each with what
    it does in words (the names a school's keymap uses are in `fitsdesk desk --keys`)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    keymap = getattr(app, "_keymap", {}) or {}
    places = (("Anywhere", type(app)), *desk_screens())
    for place, owner in places:
        first = True
        for binding in owner.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            shown = ", ".join(app.get_key_display(Binding(key, "")) for key in keys.split(","))
            tip = f": {binding.tooltip}" if binding.tooltip else ""
            table.add_row(place if first else "", shown, Text(binding.description + tip))
            first = False
    table.add_row("", "", "")
    for place, keys, words in MORE_KEYS:
        table.add_row(place, keys, words)
    return table


MORE_KEYS = (
    ("Queue", "1-5", "The views: All open, Mine, Unassigned, On hold, Resolved"),
    ("", "enter", "Open the chosen call"),
    ("Register", "1-4", "The lists: Devices, On loan, Software, Licences"),
    ("", "enter", "Open the chosen device"),
    ("A device", "1-4", "Its lists: Calls, Changes, Loans, Software"),
    ("Problems", "1-3", "The views: Not closed, Known errors, All"),
    ("", "enter", "Open the chosen problem"),
    ("A problem", "1-2", "Its lists: Calls, History"),
    ("", "enter", "Open the chosen call"),
    ("Changes", "1-3", "The views: Not ended, All, Awaiting my vote"),
    ("", "enter", "Open the chosen change"),
    ("Outbox", "1-2", "The lists: Not sent, Set aside"),
)
"""Keys the table of bindings cannot say in one line each: the views a number apart."""


HEADINGS = {"Queue": "The queue", "Register": "Devices"}
"""How `fitsdesk desk --keys` heads a screen, where F1's short name would not say it."""


def key_names(app_class) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Each screen's heading ("Anywhere" first) with (name, keys, what it does) for each
    key a school's keymap can change there, by the name the config file's [desk.keys]
    uses (docs/ssh.md)."""
    found, seen = [], set()
    for place, owner in (("Anywhere", app_class), *desk_screens()):
        keys = []
        for binding in owner.BINDINGS:
            if not isinstance(binding, Binding) or not binding.id or binding.id in seen:
                continue
            seen.add(binding.id)
            words = binding.description or binding.tooltip  # a number key's view (view_keys)
            keys.append((binding.id.removeprefix("desk."), binding.key, words))
        if keys:
            found.append((HEADINGS.get(place, place), keys))
    return found


class HelpScreen(Screen):
    """The keys, for reading."""

    BINDINGS = [Binding("escape,q,f1", "back", "Back", id="desk.back_help")]
    IS_HELP = True
    """The desk's Help key is not offered here (DeskApp.check_action)."""

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Keys")
        with VerticalScroll(id="help"):
            yield Static(key_table(self.app), id="keys")
            yield Static(
                "\nA school can change these keys in the config file; `fitsdesk desk --keys` "
                "lists their names (docs/ssh.md).",
                id="keymap",
                markup=False,
            )
        yield KeyFooter()

    def action_back(self) -> None:
        self.app.pop_screen()
