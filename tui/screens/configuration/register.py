"""The register: every device, what is out on loan, the software library and its
licences, a key apart (1-4), with search and the actions each list needs."""

from __future__ import annotations

import datetime as dt

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static, Tabs

from store.configuration import assets, loans, software
from store.db.errors import BadInput
from store.db.models import LICENCES
from tui.dialogs.ask import Ask
from tui.screens.common import SearchedList, age, fitted, local, view_keys
from tui.widgets.inputs import PlainInput

VIEWS = {
    "devices": "Devices",
    "loans": "On loan",
    "software": "Software",
    "licences": "Licences",
}
PAGE = 100
PLACEHOLDERS = {
    "devices": "Find a tag, model, serial or room (/)",  # 38 fit the box
    "software": "Search by use, like graphing (/)",
}
STATUS_STYLES = {"in_repair": "yellow", "on_loan": "cyan", "retired": "dim", "spare": "green"}

DEVICE_COLUMNS = (
    ("tag", "Tag", 12),
    ("name", "Device", 0),
    ("kind", "Kind", 12),
    ("location", "Where", 6),
    ("status", "Status", 9),
    ("holder", "Assigned to", 14),
)
LOAN_COLUMNS = (
    ("spare", "Spare", 12),
    ("borrower", "Lent to", 0),
    ("since", "Since", 16),
    ("age", "For", 4),
    ("call", "Call", 10),
    ("handed_in", "Handed in", 12),
)
SOFTWARE_COLUMNS = (
    ("name", "Title", 0),
    ("purposes", "For", 24),
    ("licence", "Licence", 12),
    ("seats", "Seats", 9),
    ("renews", "Renews", 10),
)
LICENCE_COLUMNS = (
    ("name", "Title", 0),
    ("seats", "Used/bought", 11),
    ("over", "Over", 8),
    ("renews", "Renews", 10),
    ("due", "", 11),
)
COLUMNS = {
    "devices": DEVICE_COLUMNS,
    "loans": LOAN_COLUMNS,
    "software": SOFTWARE_COLUMNS,
    "licences": LICENCE_COLUMNS,
}
WIDE_ONLY = {"kind", "holder", "purposes", "handed_in"}
"""Columns left out below 100 characters."""
WHERE = {
    "add": ("devices", "software"),
    "install": ("software",),
    "return_spare": ("loans",),
    "search": ("devices", "software"),
}
"""Which lists each action works on; the footer offers only those."""


def device_cells(device: assets.AssetInfo) -> dict[str, Text]:
    return {
        "tag": Text(device.tag),
        "name": Text(device.name),
        "kind": Text(assets.KINDS.get(device.kind, device.kind)),
        "location": Text(device.location or "-"),
        "status": Text(
            assets.STATUS_WORDS.get(device.status, device.status),
            style=STATUS_STYLES.get(device.status, ""),
        ),
        "holder": Text(device.assigned_to or "-"),
    }


def loan_cells(loan: loans.LoanInfo, now: dt.datetime) -> dict[str, Text]:
    return {
        "spare": Text(loan.lent),
        "borrower": Text(loan.borrower),
        "since": Text(local(loan.lent_at)),
        "age": Text(age(loan.lent_at, now), justify="right"),
        "call": Text(loan.incident or "-"),
        "handed_in": Text(loan.handed_in or "-"),
    }


def seats(info: software.SoftwareInfo) -> str:
    return f"{info.installs}/{info.seats}" if info.seats is not None else f"{info.installs}"


def software_cells(info: software.SoftwareInfo) -> dict[str, Text]:
    return {
        "name": Text(info.name),
        "purposes": Text(", ".join(info.purposes) or "-"),
        "licence": Text(info.licence.replace("_", " ")),
        "seats": Text(seats(info), justify="right"),
        "renews": Text(info.renews_on.isoformat() if info.renews_on else "-"),
    }


OVER_STYLE = "bold red"
"""Over-use: red and bold, one of the 16 colours, and the words say it too."""


def licence_cells(line: software.LicenceLine) -> dict[str, Text]:
    info = line.software
    due = "RENEW SOON" if line.renewal_due else ""
    red = OVER_STYLE if line.over else ""
    return {
        "name": Text(info.name, style=red),
        "seats": Text(seats(info), justify="right", style=red),
        "over": Text(f"{line.over} over" if line.over else "-", style=red),
        "renews": Text(info.renews_on.isoformat() if info.renews_on else "-"),
        "due": Text(due, style="bold yellow"),
    }


class RegisterScreen(SearchedList):
    """Devices, loans, software and licences."""

    TABLE = "register"

    BINDINGS = [
        Binding("slash", "search", "Search", id="desk.register_search"),
        Binding("a", "add", "Add", id="desk.register_add"),
        Binding("i", "install", "Install", id="desk.software_install"),
        Binding("u", "return_spare", "Returned", id="desk.loan_return"),
        Binding("escape,q", "back", "Back", id="desk.back_register"),
        *view_keys(VIEWS, "desk.register_"),
    ]

    def __init__(self, view: str = "devices") -> None:
        super().__init__()
        self.view = view
        self.searching = ""
        """The words the devices or software are narrowed to."""
        self.loaded = 0
        self.more = False
        self.keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield from self.list_parts("Register", VIEWS, PLACEHOLDERS["devices"])

    def on_mount(self) -> None:
        self.query_one("#views", Tabs).active = self.view
        self.query_one("#find").display = self.view in WHERE["search"]
        self.load()

    # -- loading

    def load(self, *, more: bool = False) -> None:
        view, words, offset = self.view, self.searching, self.loaded if more else 0

        def job():
            if view == "devices":
                return assets.list_assets(words, limit=PAGE, offset=offset)
            if view == "loans":
                return loans.out_on_loan()
            if view == "software":
                return software.list_software(words or None)
            return software.licence_report()

        self.app.run_store(job, lambda found: self.show(view, found, more=more))

    def show(self, view: str, found: list, *, more: bool) -> None:
        if view != self.view:
            return  # the technician has moved on
        chosen = self.chosen()
        table, keys = self.fit_table()
        if not more:
            table.clear()
            self.loaded = 0
        now = self.app.now()
        for item in found:
            key, cells = self.row_of(view, item, now)
            if key not in table.rows:
                table.add_row(*(cells[k] for k in keys), key=key)
        self.loaded += len(found)
        self.more = view == "devices" and len(found) == PAGE
        if not more and chosen in table.rows:
            table.move_cursor(row=table.get_row_index(chosen))
        self.say_narrowed(table.row_count)
        self.refresh_bindings()

    def row_of(self, view: str, item, now: dt.datetime) -> tuple[str, dict[str, Text]]:
        if view == "devices":
            return item.tag, device_cells(item)
        if view == "loans":
            return f"{item.id}:{item.lent}", loan_cells(item, now)
        if view == "software":
            return item.name, software_cells(item)
        return item.software.name, licence_cells(item)

    def say_narrowed(self, rows: int) -> None:
        words = {
            "devices": "devices",
            "loans": "spares out on loan, the longest out first",
            "software": "titles",
            "licences": "titles with seats or a renewal; over their seats first",
        }[self.view]
        count = f"{rows:,}{'+' if self.more else ''} {words}"
        if self.searching and self.view in WHERE["search"]:
            count += f" matching {self.searching}  (Esc: all)"
        self.query_one("#narrowed", Static).update(count)

    # -- moving about

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in WHERE:
            return self.view in WHERE[action]
        return True

    def columns_at(self, width: int) -> list[tuple[str, str, int]]:
        return fitted(COLUMNS[self.view], WIDE_ONLY, width)

    def view_switched(self) -> None:
        """Each list starts unsearched; only devices and software have a search box."""
        self.searching = ""
        self.query_one("#search", PlainInput).value = ""
        self.query_one("#find").display = self.view in WHERE["search"]
        self.query_one("#search", PlainInput).placeholder = PLACEHOLDERS.get(self.view, "")

    @on(DataTable.RowHighlighted, "#register")
    def near_the_end(self, event: DataTable.RowHighlighted) -> None:
        if self.more and event.cursor_row >= self.loaded - 10:
            self.more = False
            self.load(more=True)

    @on(DataTable.RowSelected, "#register")
    def open_chosen(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if self.view == "devices":
            self.app.open_asset(key)
        elif self.view == "loans":
            self.app.open_asset(key.partition(":")[2])
        else:
            self.app.run_store(
                lambda: software.detail(key), lambda found: self.app.push_screen(Title(found))
            )

    # -- actions

    def action_add(self) -> None:
        me = self.app.me.login
        if self.view == "devices":
            self.app.push_screen(add_device_dialog(me), self.added_device)
        elif self.view == "software":
            self.app.push_screen(add_software_dialog(me), self.done)

    def added_device(self, device: assets.AssetInfo | None) -> None:
        if device is not None:
            self.notify(f"{device.tag} is on the register.", markup=False)
            self.app.open_asset(device.tag)

    def action_install(self) -> None:
        name, me = self.chosen(), self.app.me.login
        if name is None:
            return

        def act(v):
            tag, room = v["asset"].strip(), v["room"].strip()
            return software.install(
                name, asset=tag or None, room=room or None, over_licence=v["reason"], by=me
            )

        self.app.push_screen(
            Ask(
                f"Where is {name} installed?",
                [
                    Ask.text("asset", "On one device: its tag", "", "like LAP-0042"),
                    Ask.text("room", "Or on every device in a room: its code", "", "like S12"),
                    Ask.text(
                        "reason",
                        "Beyond the seats bought? A manager's reason (empty: none)",
                        "",
                        "like more seats on order",
                    ),
                ],
                act,
                ok="Record",
            ),
            self.done,
        )

    def action_return_spare(self) -> None:
        key, me = self.chosen(), self.app.me.login
        if key is None:
            return
        tag = key.partition(":")[2]
        self.app.run_store(lambda: loans.return_spare(tag, by=me), self.returned)

    def returned(self, loan: loans.LoanInfo) -> None:
        back = f"; {loan.handed_in} goes back to {loan.borrower}" if loan.handed_in else ""
        self.notify(f"{loan.lent} is back as a spare{back}.", markup=False)
        self.load()

    def done(self, result=None) -> None:
        if result is not None:
            self.notify("Saved.")
        self.load()


class Title(ModalScreen[None]):
    """One title of the software library: what it is for, its licence, where it is."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", priority=True)]

    def __init__(self, found: software.SoftwareDetail) -> None:
        super().__init__()
        self.found = found

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.found.software.name, id="dialog-title", markup=False)
            yield Static(title_details(self.found), id="title-details")
            with Horizontal(id="dialog-buttons"):
                yield Button("Close", id="close", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)


def seat_words(info: software.SoftwareInfo) -> str:
    if info.seats is None:
        return f"{info.installs} in use (no seat count)"
    over = info.installs - info.seats
    return f"{info.installs} in use of {info.seats} bought" + (f": {over} over" if over > 0 else "")


def title_details(found: software.SoftwareDetail) -> Table:
    info = found.software
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    in_rooms = ", ".join(f"{code} ({n} devices)" for code, n in found.rooms)
    rows = [
        ("Publisher", info.publisher or "-"),
        ("For", ", ".join(info.purposes) or "-"),
        ("Licence", info.licence.replace("_", " ")),
        ("Seats", seat_words(info)),
        ("Renews", info.renews_on.isoformat() if info.renews_on else "-"),
        ("In rooms", in_rooms or "-"),
        ("On devices", ", ".join(found.devices) or "-"),
        ("On builds", ", ".join(found.builds) or "-"),
    ]
    for label, value in rows:
        grid.add_row(label, Text(value))
    return grid


def add_device_dialog(me: str) -> Ask:
    """Put a device on the register; the tag is what its label will say."""

    def act(v):
        return assets.add_asset(
            v["tag"],
            kind=v["kind"],
            make=v["make"],
            model=v["model"],
            serial=v["serial"],
            location=v["location"].strip() or None,
            assigned_to=v["assigned_to"],
            status=v["status"] or "in_use",
            by=me,
        )

    return Ask(
        "Add a device to the register",
        [
            Ask.text("tag", "Tag (as on its label)", "", "like LAP-0042"),
            Ask.text(
                "kind",
                "Kind: laptop, chromebook, desktop, printer, projector...",
                "",
                "like laptop",
            ),
            Ask.text("make", "Make", "", "like Dell"),
            Ask.text("model", "Model", "", "like Latitude 3440"),
            Ask.text("serial", "Serial number"),
            Ask.text("location", "Room code (empty: none)", "", "like S12"),
            Ask.text("assigned_to", "Assigned to (empty: the room's)"),
            Ask.choice(
                "status",
                "Status",
                [(k, w) for k, w in assets.STATUS_WORDS.items() if k in ("in_use", "spare")],
                "in_use",
            ),
        ],
        act,
        ok="Add",
    )


def add_software_dialog(me: str) -> Ask:
    """Put a title in the software library."""

    def act(v):
        typed = v["seats"].strip()
        if typed and not typed.isdigit():
            raise BadInput("Seats are a whole number, like 30, or empty.")
        return software.add_software(
            v["title"],
            version=v["version"],
            publisher=v["publisher"],
            purposes=v["purposes"],
            licence=v["licence"] or "site",
            seats=int(typed) if typed else None,
            renews_on=v["renews"],
            by=me,
        )

    return Ask(
        "Add software to the library",
        [
            Ask.text("title", "Title", "", "like Audacity"),
            Ask.text("version", "Version", "", "like 3.4"),
            Ask.text("publisher", "Publisher"),
            Ask.text("purposes", "What it is for, with commas", "", "audio editing, music"),
            Ask.choice("licence", "Licence", [(k, k.replace("_", " ")) for k in LICENCES], "site"),
            Ask.text("seats", "Seats bought (empty: not counted)"),
            Ask.text("renews", "Renews on (empty: never)", "", "2027-08-31"),
        ],
        act,
        ok="Add",
    )
