"""A device and everything that has happened to it: what a scan of its label shows.

Its details, a repeat-fault flag when one kind of fault keeps coming back, and
four lists a key apart (1-4), one table showing the chosen one: the calls about it,
its moves and changes, its loans, its software.
"""

from __future__ import annotations

import datetime as dt

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.configuration import assets, loans, software
from store.configuration import history as asset_history
from store.db.journal import JournalEntry
from store.db.models import OPEN
from store.finance import lifecycle, money
from store.servicedesk import queues
from tui.dialogs.ask import Ask
from tui.messages import DataChanged
from tui.screens.common import KeyFooter, bar, local, row, set_columns, short_due, view_keys

VIEWS = {"calls": "Calls", "changes": "Changes", "loans": "Loans", "software": "Software"}
"""The lists under a device's details, a key apart (1-4)."""
FIRST_ROWS = 10
"""Calls put in the table before the page is first drawn, at the least: a screenful."""
LOAN_COLUMNS = (
    ("lent", "Lent", 16),
    ("spare", "Spare", 10),
    ("borrower", "To", 16),
    ("call", "Call", 10),
    ("back", "Back", 16),
)
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
        *view_keys(VIEWS, "desk.asset_"),
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
        yield Static(id="lists")
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.view = "calls"
        """Which list the table shows."""
        self.found: asset_history.AssetHistory | None = None
        self.on_it: list[tuple[str, str]] = []
        self.dues: dict = {}
        """How each open call stands against its targets (queues.due_states)."""
        self.counts: dict[str, int] = {}
        self.query_one("#flag").display = False
        self.load()

    def load(self) -> None:
        tag, now = self.tag, self.app.now()

        def job():
            found = asset_history.history(tag)
            open_calls = [call for call in found.calls if call.status in OPEN]
            worth = lifecycle.record(tag, now.date())
            return found, software.on_device(tag), queues.due_states(open_calls, now), worth

        self.app.run_store(job, self.show, self.gone)

    def gone(self, problem) -> None:
        self.app.say_problem(problem)
        if self.device is None:
            self.app.pop_screen()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    def show(self, result: tuple[asset_history.AssetHistory, list, dict, object]) -> None:
        found, self.on_it, self.dues, worth = result
        self.found = found
        self.device = device = found.asset
        self.query_one("#device", Static).update(details(device, self.app.now().date(), worth))
        recent = found.last_twelve_months
        self.query_one("#count", Static).update(
            f"{recent} call{'s' if recent != 1 else ''} in the last twelve months, "
            f"{found.all_calls} in all."
        )
        flag = self.query_one("#flag", Static)
        flag.update(flag_words(found))
        flag.display = bool(found.repeat_faults)
        self.counts = {
            "calls": found.all_calls,
            "changes": len(found.changes),
            "loans": len(found.loans),
            "software": len(self.on_it),
        }
        self.fill()
        self.refresh_bindings()

    def show_views(self) -> None:
        """The lists' names and sizes, the one shown marked; each a key (1-4) or a click.
        The words are ours (names and counts), so markup is safe here."""
        parts = []
        for n, (view, words) in enumerate(VIEWS.items(), start=1):
            label = f" {n} {words} {self.counts.get(view, 0)} "
            style = "bold reverse " if view == self.view else ""
            parts.append(f"[{style}@click=screen.view('{view}')]{label}[/]")
        self.query_one("#lists", Static).update("  ".join(parts))

    def fill(self) -> None:
        """Put the chosen list in the table."""
        if self.found is None:
            return
        self.show_views()
        table = self.query_one("#history", DataTable)
        table.clear(columns=True)
        if self.view == "calls":
            keys = set_columns(table, self.app.size.width)
            now, calls, dues = self.app.now(), self.found.calls, self.dues
            short = short_due(self.app.size.width)

            def add(chosen) -> None:
                if self.view == "calls" and self.found is not None and calls is self.found.calls:
                    for call in chosen:
                        cells = row(call, keys, now, dues.get(call.number), short)
                        table.add_row(*cells, key=call.number)

            first = max(FIRST_ROWS, self.app.size.height)
            add(calls[:first])  # a screenful now, the rest once it is drawn
            if len(calls) > first:
                self.call_after_refresh(add, calls[first:])
        elif self.view == "changes":
            for key, heading, width in (("at", "When", 16), ("who", "Who", 8), ("what", "What", 0)):
                table.add_column(heading, key=key, width=width or None)
            for n, entry in enumerate(self.found.changes):
                table.add_row(
                    Text(local(entry.at)), Text(entry.who), change_words(entry), key=str(n)
                )
        elif self.view == "loans":
            for key, heading, width in LOAN_COLUMNS:
                table.add_column(heading, key=key, width=width)
            for loan in self.found.loans:
                table.add_row(*loan_cells(loan), key=str(loan.id))
        else:
            table.add_column("Title", key="title", width=40)
            table.add_column("How", key="how")
            for name, how in self.on_it:
                table.add_row(Text(name), Text(how), key=name)
        table.focus()

    def action_view(self, view: str) -> None:
        if view in VIEWS and view != self.view:
            self.view = view
            self.fill()

    @on(DataTable.RowSelected, "#history")
    def open_chosen(self, event: DataTable.RowSelected) -> None:
        if self.view == "calls":
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


def details(
    device: assets.AssetInfo, today: dt.date, worth: lifecycle.Record | None = None
) -> Table:
    """The device's fields in two pairs of columns, so they fit 80x24; with `worth`, its
    book value and total cost of ownership (store.finance.lifecycle)."""
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
    if worth is not None:
        replace = f" (replace {money.year_label(worth.replace_in)})" if worth.replace_in else ""
        pairs.append(
            (
                "Book value",
                money.pounds(worth.book_value_pence) + replace,
                "Total cost",
                money.pounds(worth.total_cost_pence),
            )
        )
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
        text.append(f"{count} calls about {about} in twelve months.\n")
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
