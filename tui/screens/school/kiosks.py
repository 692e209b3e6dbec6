"""The kiosks at the desk: how many reports each has sent against its ceiling, and a key
to let one that is full take more (a whole class reporting the same fault).

Reached from the queue (k), which says so when a kiosk is full, and from the command
palette (ctrl+p: Kiosks). docs/kiosk.md has the limits.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.school import kiosks
from store.servicedesk import callers
from tui.dialogs.ask import Ask
from tui.messages import DataChanged
from tui.screens.common import KeyFooter, bar, local


def full_words(counts: list[kiosks.ReportCount], key: str = "k") -> str:
    """The queue's line when kiosks are full, with the key that opens the kiosks: "Kiosk
    library is full: k to see it", or ""."""
    full = [count.kiosk.name for count in counts if count.full]
    if not full:
        return ""
    names = ", ".join(full[:3]) + (f" and {len(full) - 3} more" if len(full) > 3 else "")
    if len(full) == 1:
        return f"Kiosk {names} is full: {key} to see it"
    return f"Kiosks {names} are full: {key} to see them"


def when(moment: dt.datetime, now: dt.datetime) -> str:
    """A stored UTC time as the desk's local time: "at 10:20" on the day of `now` (UTC,
    as the desk's clock gives it), else the day too."""
    shown = moment.replace(tzinfo=dt.UTC).astimezone()
    if shown.date() == now.replace(tzinfo=dt.UTC).astimezone().date():
        return f"{shown:%H:%M}"
    return local(moment)


class KiosksScreen(Screen):
    """Each kiosk, its room and its reports against the ceiling."""

    BINDINGS = [
        Binding("l", "lift", "Let it take more", id="desk.kiosk_lift"),
        Binding("escape,q", "app.pop_screen", "Back", id="desk.back_kiosks"),
    ]

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Kiosks")
        yield Static(
            "Reports each kiosk has sent lately. A full kiosk asks pupils to find a member "
            "of staff; l lets it take more.",
            id="explain",
        )
        yield DataTable(id="kiosks", cursor_type="row")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#kiosks", DataTable)
        table.add_column("Kiosk", key="name", width=12)
        table.add_column("Room", key="room", width=20)
        table.add_column("Reports", key="reports", width=7)
        table.add_column("State", key="state")
        self.counts: dict[str, kiosks.ReportCount] = {}
        self.load()

    def load(self) -> None:
        self.app.run_store(callers.kiosk_reports, self.show)

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    def show(self, counts: list[kiosks.ReportCount]) -> None:
        self.counts = {count.kiosk.name: count for count in counts}
        table = self.query_one("#kiosks", DataTable)
        table.clear()
        for count in counts:
            if count.full:
                state = Text("Full: pupils go to staff", style="bold")
            else:
                state = Text("Taking reports")
            if count.lifted_at:
                state.append(f" (lifted {when(count.lifted_at, self.app.now())})", style="dim")
            table.add_row(
                Text(count.kiosk.name),
                Text(f"{count.kiosk.location_name} ({count.kiosk.location})"),
                Text(f"{count.reports}/{count.limit}"),
                state,
                key=count.kiosk.name,
            )
        if not counts:
            self.query_one("#explain", Static).update(
                "No kiosks yet. Add one with: fitsdesk kiosk add NAME ROOM"
            )
        table.focus()

    def chosen(self) -> kiosks.ReportCount | None:
        table = self.query_one("#kiosks", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.counts.get(key)

    def action_lift(self) -> None:
        """Ask, then let the chosen kiosk take more reports; the store says if it may not."""
        count, me = self.chosen(), self.app.me.login
        if count is None:
            return
        name = count.kiosk.name
        self.app.push_screen(
            Ask(
                f"Let {name} take more reports? The {count.reports} it has sent stop "
                f"counting; the short pause between two reports still holds.",
                [],
                lambda _values: kiosks.lift_report_ceiling(name, by=me),
                ok="Let it take more",
            ),
            self.lifted,
        )

    def lifted(self, _result: object) -> None:
        self.load()
