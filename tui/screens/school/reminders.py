"""What the school must see to soon, beside the queue: licences due for renewal within
their reminder window (docs/finance.md), and continuity plans whose test is overdue,
whose service's devices a change touched since their review, or FITS Desk's own backup
when it is old (docs/continuity.md). The queue's line says how many (`reminder_words`);
F7 (or ctrl+p, Reminders) lists them in full.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tui.screens.common import KeyFooter, bar


@dataclass(frozen=True)
class Reminders:
    """The renewals and the continuity reminders for one technician."""

    renewals: tuple = ()
    plans: tuple = ()

    def __bool__(self) -> bool:
        return bool(self.renewals or self.plans)


def gather(me: str, today: dt.date, url: str | None) -> Reminders:
    """Read both kinds (in a worker: the modules load here, not before the first screen).
    Renewals are everyone's; a plan's reminders are its owner's, and for a manager those
    of plans no technician owns."""
    from store.continuity import plans
    from store.finance import licences

    return Reminders(
        tuple(licences.renewals_due(today)), tuple(plans.reminders(me, today, url=url))
    )


def reminder_words(found: Reminders) -> str:
    """The queue's line: "2 licences to renew, 1 continuity plan to see to (F7)", or ""."""
    parts = []
    if found.renewals:
        n = len(found.renewals)
        parts.append(f"{n} licence{'s' if n != 1 else ''} to renew")
    if found.plans:
        n = len({r.service for r in found.plans})
        parts.append(f"{n} continuity plan{'s' if n != 1 else ''} to see to")
    return f"{', '.join(parts)} (F7)" if parts else ""


def renewal_line(renewal) -> Text:
    """One renewal in words: when, whether it renews itself, and what it costs."""
    if renewal.days_left < 0:
        when = f"was due on {renewal.renews_on:%d %B %Y}, {-renewal.days_left} days ago"
    elif renewal.days_left == 0:
        when = "renews today"
    else:
        when = f"renews on {renewal.renews_on:%d %B %Y}, in {renewal.days_left} days"
    text = Text(renewal.name, style="bold")
    text.append(f" {when}")
    text.append(" (renews itself)" if renewal.auto_renew else " (needs ordering)")
    if renewal.cost_pence is not None:
        text.append(f", about £{renewal.cost_pence / 100:,.2f} a year")
    return text


class RemindersScreen(Screen):
    """Renewals and continuity reminders, in full."""

    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="desk.back_reminders")]

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Reminders")
        yield Static("Reading the reminders...", id="reminders")
        yield KeyFooter()

    def on_mount(self) -> None:
        from store.db import journal
        from store.school import calendar

        me, url = self.app.me.login, self.app.db_url
        today = calendar.to_local(journal.now()).date()
        self.app.run_store(lambda: gather(me, today, url), self.show)

    def show(self, found: Reminders) -> None:
        if not self.query("#reminders"):
            return
        text = Text()
        if found.renewals:
            text.append("Licences to renew\n", style="bold underline")
            for renewal in found.renewals:
                text.append_text(renewal_line(renewal))
                text.append("\n")
            text.append("\n")
        if found.plans:
            text.append("Continuity plans\n", style="bold underline")
            for reminder in found.plans:
                text.append(reminder.text + "\n")  # the store's own sentence, never markup
        if not found:
            text.append("Nothing to see to: no licence is due and every plan is up to date.")
        text.rstrip()
        self.query_one("#reminders", Static).update(text)
