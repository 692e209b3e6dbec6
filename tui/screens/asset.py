"""A device and every call about it: what a scan of its label shows."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from store import assets
from tui.app import DataChanged
from tui.screens.common import bar, row, set_columns


class AssetScreen(Screen):
    """A device's history."""

    BINDINGS = [Binding("escape,q", "back", "Back", id="desk.back_asset")]

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag

    def compose(self) -> ComposeResult:
        yield from bar(self.app, self.tag)
        yield Static(id="device", markup=False)
        yield DataTable(id="calls", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.keys = set_columns(self.query_one("#calls", DataTable), self.app.size.width)
        self.load()

    def load(self) -> None:
        tag = self.tag
        self.app.run_store(lambda: assets.history(tag), self.show)

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    def show(self, found: assets.AssetHistory) -> None:
        device = found.asset
        words = Text(f"{device.tag}  ", style="bold")
        words.append(f"{device.kind.replace('_', ' ')}: {device.description or '-'}")
        words.append(f"  at {device.location or '-'}\n")
        count = found.last_twelve_months
        words.append(
            f"{count} call{'s' if count != 1 else ''} in the last twelve months",
            style="bold yellow" if count >= 3 else "",
        )
        words.append(f", {len(found.calls)} in all.")
        self.query_one("#device", Static).update(words)
        table = self.query_one("#calls", DataTable)
        table.clear()
        now = self.app.now()
        for call in found.calls:
            table.add_row(*row(call, self.keys, now), key=call.number)
        table.focus()

    @on(DataTable.RowSelected, "#calls")
    def open_chosen(self, event: DataTable.RowSelected) -> None:
        self.app.open_call(event.row_key.value)

    def action_back(self) -> None:
        self.app.pop_screen()
