"""The service catalogue at the desk: each service the school depends on, how much it
matters, its availability target, its open calls and who owns it, with the chosen one
spelt out under the list (what it is, its cover, what it covers, its supplier and
contract). A manager can change a service's details here (e); adding services, and
what they cover, is done at the command line (fitsdesk service, docs/service_levels.md).

Reached from the command palette (ctrl+p: Services) or F5.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.db.models import COVERS, CRITICALITIES
from store.service_levels import catalogue
from tui.dialogs.ask import Ask
from tui.messages import DataChanged
from tui.screens.common import KeyFooter, bar, fitted

COLUMNS = (
    ("name", "Service", 0),
    ("criticality", "Critical", 8),
    ("target", "Target", 6),
    ("open", "Open", 4),
    ("owner", "Owner", 16),
    ("supplier", "Supplier", 18),
)
WIDE_ONLY = {"supplier"}
"""Left out below 100 characters: the chosen service's supplier is spelt out under the list."""
CRITICALITY_STYLES = {"high": "bold", "medium": "", "low": "dim"}
COVER_WORDS = {"school": "school hours", "always": "every hour (always)"}


def target_words(percent: float) -> str:
    """An availability target as people write it: 99.5%, 98%."""
    return f"{percent:g}%"


def cells(service: catalogue.ServiceInfo) -> dict[str, Text]:
    """A service as table cells by column, plain Text: its words are never markup."""
    name = Text(service.name)
    if service.retired:
        name.append(" (retired)", style="dim")
    return {
        "name": name,
        "criticality": Text(service.criticality, style=CRITICALITY_STYLES[service.criticality]),
        "target": Text(target_words(service.availability_target)),
        "open": Text(str(service.open_calls)),
        "owner": Text(service.owner or "-"),
        "supplier": Text(service.supplier or "-"),
    }


def detail(service: catalogue.ServiceInfo) -> Table:
    """Everything about one service, for under the list."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in (
        ("Service", service.name + (" (retired)" if service.retired else "")),
        ("What", service.description or "-"),
        ("Owner", service.owner or "-"),
        ("Cover", COVER_WORDS.get(service.cover, service.cover)),
        ("Supplier", service.supplier or "-"),
        ("Contract", service.contract or "-"),
        ("Categories", ", ".join(service.categories) or "-"),
        ("Devices", ", ".join(service.assets) or "-"),
    ):
        grid.add_row(label, Text(value))
    return grid


def edit_dialog(service: catalogue.ServiceInfo, me: str) -> Ask:
    """Ask for a service's details; change only those changed (a manager's step)."""
    name = service.name
    before = {
        "description": service.description,
        "owner": service.owner,
        "supplier": service.supplier,
        "contract": service.contract,
        "criticality": service.criticality,
        "cover": service.cover,
        "availability": target_words(service.availability_target),
    }

    def act(values: dict) -> catalogue.ServiceInfo:
        changed = {key: value for key, value in values.items() if value != before[key]}
        if not changed:
            return service
        return catalogue.edit_service(name, by=me, seen_version=service.version, **changed)

    return Ask(
        f"Change {name}",
        [
            Ask.text("description", "What it is", service.description),
            Ask.text("owner", "Owner", service.owner, "who answers for it"),
            Ask.choice(
                "criticality",
                "How much it matters",
                [(c, c) for c in CRITICALITIES],
                service.criticality,
            ),
            Ask.text("availability", "Availability target", before["availability"], "like 99.5"),
            Ask.choice("cover", "Cover", [(c, COVER_WORDS[c]) for c in COVERS], service.cover),
            Ask.text("supplier", "Supplier", service.supplier),
            Ask.text("contract", "Contract reference", service.contract),
        ],
        act,
        ok="Save",
    )


class ServicesScreen(Screen):
    """The service catalogue, most critical first."""

    BINDINGS = [
        Binding(
            "e",
            "edit",
            "Edit",
            id="desk.service_edit",
            tooltip="Change the chosen service's details (a manager's step)",
        ),
        Binding(
            "r",
            "retired",
            "Retired too",
            id="desk.services_retired",
            tooltip="Show the retired services as well, or hide them again",
        ),
        Binding("escape,q", "app.pop_screen", "Back", id="desk.back_services"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.services: dict[str, catalogue.ServiceInfo] = {}
        """The services listed, by name."""
        self.retired = False
        """Whether retired services are listed too."""

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Services")
        yield Static(id="explain")
        yield DataTable(id="services", cursor_type="row", zebra_stripes=True)
        yield Static(id="service-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#services", DataTable)
        self.columns = fitted(COLUMNS, WIDE_ONLY, self.app.size.width)
        for key, heading, width in self.columns:
            table.add_column(heading, key=key, width=width)
        table.focus()
        self.load()

    def load(self) -> None:
        retired = self.retired
        self.app.run_store(lambda: catalogue.list_services(include_retired=retired), self.show)

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    def show(self, found: list[catalogue.ServiceInfo]) -> None:
        if not self.query("#services"):  # a late answer while the screen is being taken down
            return
        table = self.query_one("#services", DataTable)
        chosen = self.chosen()
        self.services = {service.name: service for service in found}
        table.clear()
        keys = [key for key, _heading, _width in self.columns]
        for service in found:
            shown = cells(service)
            table.add_row(*(shown[key] for key in keys), key=service.name)
        if chosen in self.services:
            table.move_cursor(row=table.get_row_index(chosen))
        explain = self.query_one("#explain", Static)
        if found:
            open_calls = sum(service.open_calls for service in found)
            explain.update(
                f"{len(found)} service{'s' if len(found) != 1 else ''}, most critical first; "
                f"{open_calls} open call{'s' if open_calls != 1 else ''} about them."
            )
        else:
            explain.update("The catalogue is empty. A manager adds services: fitsdesk service add")
        self.spell_out()

    def chosen(self) -> str | None:
        """The name of the service under the cursor; None when the list is empty."""
        table = self.query_one("#services", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowHighlighted, "#services")
    def spell_out(self, _event: DataTable.RowHighlighted | None = None) -> None:
        """Everything about the chosen service, under the list."""
        service = self.services.get(self.chosen() or "")
        shown = self.query_one("#service-detail", Static)
        shown.display = service is not None
        if service is not None:
            shown.update(detail(service))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "edit":
            return self.app.me is not None and self.app.me.can("manager")
        return True

    def action_edit(self) -> None:
        service = self.services.get(self.chosen() or "")
        if service is not None:
            self.app.push_screen(edit_dialog(service, self.app.me.login), self.edited)

    def edited(self, found: catalogue.ServiceInfo | None) -> None:
        if found is not None:
            self.notify(f"{found.name} is saved.", markup=False)
        self.load()

    def action_retired(self) -> None:
        self.retired = not self.retired
        self.load()
