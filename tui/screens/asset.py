"""A device and everything that has happened to it: what a scan of its label shows.

Its details, a repeat-fault flag when one kind of fault keeps coming back, and
four lists: the calls about it, its moves and changes, its loans, its software.
"""

from __future__ import annotations

import datetime as dt

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from store import asset_history, assets, loans, software
from store.journal import JournalEntry
from tui.app import DataChanged
from tui.dialogs.ask import Ask
from tui.screens.common import bar, local, row, set_columns

WHEN = {
    "move": lambda d: d.status != "retired",
    "edit": lambda d: True,
    "part": lambda d: d.status != "retired",
    "lend": lambda d: d.status == "spare",
    "return_spare": lambda d: d.status == "on_loan",
    "retire": lambda d: d.status not in ("retired", "on_loan"),
}
"""When each action makes sense for the device shown."""
FIELD_WORDS = {
    "status": "status",
    "location": "moved",
    "part_of": "part of",
    "assigned_to": "assigned to",
    "cost_pence": "cost (pence)",
    "purchased_on": "bought",
    "warranty_end": "warranty end",
    "borrower": "lent to",
}


class AssetScreen(Screen):
    """A device's details and history."""

    BINDINGS = [
        Binding("m", "act('move')", "Move", id="desk.asset_move"),
        Binding("e", "act('edit')", "Edit", id="desk.asset_edit"),
        Binding("p", "act('part')", "Part of", id="desk.asset_part"),
        Binding("l", "act('lend')", "Lend", id="desk.asset_lend"),
        Binding("u", "act('return_spare')", "Returned", id="desk.asset_return"),
        Binding("x", "act('retire')", "Retire", id="desk.asset_retire"),
        Binding("escape,q", "back", "Back", id="desk.back_asset"),
    ]

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag
        self.device: assets.AssetInfo | None = None
        """The device as last read, whose version edits name."""

    def compose(self) -> ComposeResult:
        yield from bar(self.app, self.tag)
        yield Static(id="device")
        yield Static(id="count")
        yield Static(id="flag")
        with TabbedContent(id="asset-tabs"):
            with TabPane("Calls", id="calls-tab"):
                yield DataTable(id="calls", cursor_type="row", zebra_stripes=True)
            with TabPane("Changes", id="changes-tab"):
                yield DataTable(id="changes", cursor_type="row", zebra_stripes=True)
            with TabPane("Loans", id="loans-tab"):
                yield DataTable(id="loans", cursor_type="row", zebra_stripes=True)
            with TabPane("Software", id="software-tab"):
                yield DataTable(id="software", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.keys = set_columns(self.query_one("#calls", DataTable), self.app.size.width)
        changes = self.query_one("#changes", DataTable)
        changes.add_column("When", key="at", width=16)
        changes.add_column("Who", key="who", width=8)
        changes.add_column("What", key="what")
        lent = self.query_one("#loans", DataTable)
        for key, heading, width in (
            ("lent", "Lent", 16),
            ("spare", "Spare", 10),
            ("borrower", "To", 16),
            ("call", "Call", 10),
            ("back", "Back", 16),
        ):
            lent.add_column(heading, key=key, width=width)
        titles = self.query_one("#software", DataTable)
        titles.add_column("Title", key="title", width=40)
        titles.add_column("How", key="how")
        self.flag_shown = False
        self.query_one("#flag").display = False
        self.load()

    def load(self) -> None:
        tag = self.tag
        self.app.run_store(
            lambda: (asset_history.history(tag), software.on_device(tag)), self.show, self.gone
        )

    def gone(self, problem) -> None:
        self.app.say_problem(problem)
        if self.device is None:
            self.app.pop_screen()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    def show(self, result: tuple[asset_history.AssetHistory, list[tuple[str, str]]]) -> None:
        found, on_it = result
        self.device = device = found.asset
        self.query_one("#device", Static).update(details(device, self.app.now().date()))
        recent = found.last_twelve_months
        self.query_one("#count", Static).update(
            f"{recent} call{'s' if recent != 1 else ''} in the last twelve months, "
            f"{found.all_calls} in all."
        )
        flag = self.query_one("#flag", Static)
        flag.update(flag_words(found))
        flag.display = bool(found.repeat_faults)
        tabs = self.query_one("#asset-tabs", TabbedContent)
        tabs.get_tab("calls-tab").label = f"Calls {found.all_calls}"
        tabs.get_tab("changes-tab").label = f"Changes {len(found.changes)}"
        tabs.get_tab("loans-tab").label = f"Loans {len(found.loans)}"
        tabs.get_tab("software-tab").label = f"Software {len(on_it)}"
        titles = self.query_one("#software", DataTable)
        titles.clear()
        for name, how in on_it:
            titles.add_row(Text(name), Text(how), key=name)
        table = self.query_one("#calls", DataTable)
        table.clear()
        now = self.app.now()
        for call in found.calls:
            table.add_row(*row(call, self.keys, now), key=call.number)
        changes = self.query_one("#changes", DataTable)
        changes.clear()
        for n, entry in enumerate(found.changes):
            changes.add_row(Text(local(entry.at)), Text(entry.who), change_words(entry), key=str(n))
        lent = self.query_one("#loans", DataTable)
        lent.clear()
        for loan in found.loans:
            lent.add_row(*loan_cells(loan), key=str(loan.id))
        self.refresh_bindings()
        if tabs.active == "calls-tab":
            table.focus()

    @on(DataTable.RowSelected, "#calls")
    def open_chosen(self, event: DataTable.RowSelected) -> None:
        self.app.open_call(event.row_key.value)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action != "act" or self.device is None:
            return True
        return WHEN[parameters[0]](self.device)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_act(self, what: str) -> None:
        device, me = self.device, self.app.me.login
        if device is None:
            return
        if what == "return_spare":
            tag = device.tag
            self.app.run_store(lambda: loans.return_spare(tag, by=me), self.done)
            return
        self.app.push_screen(self.dialog(what, device, me), self.done)

    def dialog(self, what: str, device: assets.AssetInfo, me: str) -> Ask:
        tag, seen = device.tag, device.version
        if what == "move":
            return Ask(
                f"Where is {tag} now?",
                [Ask.text("room", "Room code (empty: nowhere in particular)", "", "like S12")],
                lambda v: assets.move_asset(tag, v["room"].strip() or None, by=me),
                ok="Move",
            )
        if what == "edit":
            statuses = [
                (k, w) for k, w in assets.STATUS_WORDS.items() if k not in ("on_loan", "retired")
            ]
            if device.status in ("on_loan", "retired"):
                statuses.append((device.status, assets.STATUS_WORDS[device.status]))
            return Ask(
                f"Change {tag}",
                [
                    Ask.choice("status", "Status", statuses, device.status),
                    Ask.text("assigned_to", "Assigned to", device.assigned_to),
                    Ask.text("serial", "Serial number", device.serial),
                    Ask.text("warranty_end", "Warranty ends", _day(device.warranty_end)),
                    Ask.text("notes", "Notes", device.notes.replace("\n", " / ")),
                ],
                lambda v: assets.update_asset(
                    tag,
                    by=me,
                    seen_version=seen,
                    status=v["status"] or device.status,
                    assigned_to=v["assigned_to"],
                    serial=v["serial"],
                    warranty_end=v["warranty_end"],
                    notes=v["notes"].replace(" / ", "\n"),
                ),
                ok="Save",
            )
        if what == "part":
            return Ask(
                f"What does {tag} go with?",
                [
                    Ask.text(
                        "parent",
                        "Tag of the device it is a part of (empty: nothing)",
                        device.part_of or "",
                        "like LAP-0042",
                    )
                ],
                lambda v: (
                    assets.attach_part(tag, v["parent"], by=me)
                    if v["parent"].strip()
                    else assets.detach_part(tag, by=me)
                ),
                ok="Save",
            )
        if what == "lend":
            return Ask(
                f"Lend {tag}",
                [Ask.text("borrower", "Lent to (a name)", "", "like Sam Patel, 9C")],
                lambda v: loans.lend(tag, v["borrower"], by=me),
                ok="Lend",
            )
        return Ask(
            f"Retire {tag} for good",
            [Ask.text("reason", "Why? (sold, broken beyond repair...)")],
            lambda v: assets.retire_asset(tag, v["reason"], by=me),
            ok="Retire",
        )

    def done(self, result=None) -> None:
        if result is not None:
            self.notify("Saved.")
        self.load()


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def details(device: assets.AssetInfo, today: dt.date) -> Table:
    """The device's fields in two pairs of columns, so they fit 80x24."""
    grid = Table.grid(padding=(0, 2), expand=False)
    for _ in range(2):
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
    kind = assets.KINDS.get(device.kind, device.kind)
    where = f"{device.location_name} ({device.location})" if device.location else "-"
    warranty = _day(device.warranty_end) or "-"
    if device.warranty_end:
        warranty += " (ended)" if device.warranty_end < today else " (covered)"
    bought = ", ".join(p for p in (_day(device.purchased_on), device.cost) if p) or "-"
    pairs = [
        ("Device", f"{device.name} ({kind})", "Status", assets.STATUS_WORDS[device.status]),
        ("Where", where, "Assigned to", device.assigned_to or "-"),
        ("Serial", device.serial or "-", "Bought", bought),
        ("Supplier", device.supplier or "-", "Warranty", warranty),
        ("Part of", device.part_of or "-", "Parts", ", ".join(device.parts) or "-"),
    ]
    for a, b, c, d in pairs:
        grid.add_row(a, Text(b), c, Text(d))
    if device.notes:
        grid.add_row("Notes", Text(device.notes.replace("\n", " / ")), "", "")
    return grid


def flag_words(found: asset_history.AssetHistory) -> Text:
    """The repeat-fault flag, in words (not only a colour)."""
    text = Text()
    labels = {c.category: c.category_label for c in found.calls if c.category}
    for category, count in found.repeat_faults:
        text.append("REPEAT FAULT: ", style="bold red")
        about = labels.get(category) or category
        text.append(f"{count} calls about {about} in twelve months. Raise a problem?\n")
    text.rstrip()
    return text


def change_words(entry: JournalEntry) -> Text:
    """A journal line about a device, in words."""
    if entry.field is None:
        return Text(f"{entry.action}: {entry.after or ''}".strip(": "))
    name = FIELD_WORDS.get(entry.field, entry.field.replace("_", " "))
    before, after = entry.before or "-", entry.after or "-"
    if entry.field == "status":
        before = assets.STATUS_WORDS.get(before, before)
        after = assets.STATUS_WORDS.get(after, after)
    if entry.field == "borrower":
        return Text(f"lent to {after}")
    return Text(f"{name}: {before} → {after}")


def loan_cells(loan: loans.LoanInfo) -> list[Text]:
    return [
        Text(local(loan.lent_at)),
        Text(loan.lent),
        Text(loan.borrower),
        Text(loan.incident or "-"),
        Text(local(loan.returned_at) if loan.returned_at else "still out"),
    ]
