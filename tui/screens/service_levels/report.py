"""This term so far at the desk: the service report's headline figures (calls, answered
and resolved within target, the median time to resolve, the open calls now) against
the term before, and the services below their availability target. The whole report,
with its charts, is `fitsdesk report --term --html FILE` (docs/service_levels.md).

Reached from the command palette (ctrl+p: Service report) or F6.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from store.db.errors import FitsDeskError
from store.service_levels import report
from tui.screens.common import KeyFooter, bar


def _pc(value: float | None) -> str:
    return "-" if value is None else f"{value:g}%"


def _number(value: float | None, unit: str = "%") -> str:
    return "-" if value is None else f"{value:g}{unit}"


def figures(found: dict) -> Text:
    """The headline figures, this term beside the last, in aligned columns."""
    reactive, before = found["reactive"], found["reactive"].get("previous", {})
    times = reactive["time_to_resolve"]
    rows = [
        ("Calls logged", f"{reactive['calls']:,}", _number(before.get("calls"), "")),
        (
            "Answered within target",
            _pc(reactive["response"]["percent"]),
            _number(before.get("response_percent")),
        ),
        (
            "Resolved within target",
            _pc(reactive["resolution"]["percent"]),
            _number(before.get("resolution_percent")),
        ),
        (
            "Median time to resolve",
            _number(times["median_hours"], " h"),
            _number(before.get("median_hours"), " h"),
        ),
        ("Open calls now", f"{reactive['backlog']['end']:,}", ""),
        ("Resolved at first contact", _pc(reactive["first_contact_percent"]), ""),
    ]
    last = found["period"]["previous"]["name"]
    label = max(len(row[0]) for row in rows) + 2
    width = max(len("This term"), *(len(row[1]) for row in rows))
    text = Text()
    text.append("Headline".ljust(label) + "This term".rjust(width) + "  " + last + "\n", "bold")
    for name, now, then in rows:
        text.append(name.ljust(label) + now.rjust(width) + "  ")
        text.append(then.rjust(len(last)) + "\n", style="dim")
    text.rstrip()
    return text


def services(found: dict) -> Text:
    """The services below their availability target, or that none is."""
    below = [s for s in found["availability"] if s["met"] is False]
    if not below:
        return Text("Every service is at or above its availability target this term.")
    text = Text("Below their availability target: ", style="bold")
    text.append(
        ", ".join(f"{s['service']} {_pc(s['percent'])} (target {_pc(s['target'])})" for s in below)
    )
    return text


class ReportScreen(Screen):
    """This term so far, in headline figures."""

    BINDINGS = [
        Binding("r", "refresh", "Work out again", id="desk.report_refresh"),
        Binding("escape,q", "app.pop_screen", "Back", id="desk.back_report"),
    ]

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Service report")
        yield Static("Working out this term's figures...", id="report-period")
        yield Static(id="report-figures")
        yield Static(id="report-services")
        yield Static(
            "The whole report, with charts: fitsdesk report --term --html report.html",
            id="report-more",
        )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    def action_refresh(self) -> None:
        """Work the figures out again (not on every change: a big school's term takes a
        second or two to count)."""
        self.query_one("#report-period", Static).update("Working out this term's figures...")
        self.load()

    def load(self) -> None:
        self.app.run_store(lambda: report.build(report.term_period()), self.show, self.trouble)

    def trouble(self, problem: FitsDeskError) -> None:
        if self.query("#report-period"):
            self.query_one("#report-period", Static).update(Text(str(problem)))

    def show(self, found: dict) -> None:
        if not self.query("#report-period"):  # a late answer while the screen goes
            return
        period = found["period"]
        words = f"{period['name']}, {period['from']} to {period['to']}"
        words += " (so far)" if period["so_far"] else ""
        self.query_one("#report-period", Static).update(Text(words, style="bold"))
        self.query_one("#report-figures", Static).update(figures(found))
        self.query_one("#report-services", Static).update(services(found))
