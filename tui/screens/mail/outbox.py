"""The outbox at the desk: the mail to callers not (surely) sent yet, and the mail that
came in but could not be taken in ("set aside"), two views a key apart (1-2). The chosen
message is spelt out under the table. A message not sent yet can be sent at the next
send (s: a failed, held or unsure one again, a waiting one without waiting for its next
try), or stopped (c: cancelled), each after asking; the store refuses what cannot be
done, in a sentence, in the dialog.

Reached from the queue (m), which says when an email was not sent and a person must
look, and from the command palette (ctrl+p: Outbox).
"""

from __future__ import annotations

import datetime as dt

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button, DataTable, Static, Tab, Tabs

from store.mail import records as mail_records
from store.mail.records import ThreadItem
from store.records import outbox
from store.records.outbox import Outgoing
from tui.dialogs.ask import Ask
from tui.messages import DataChanged
from tui.screens.common import KeyFooter, bar, fitted, local, view_keys
from tui.screens.mail.mail_thread import STATE_STYLES, attachments_line, first_lines

VIEWS = {"waiting": "Not sent", "set_aside": "Set aside"}
"""The lists, a key apart (1-2)."""
COLUMNS = {
    "waiting": (
        ("id", "No.", 4),
        ("to", "To", 20),
        ("status", "Status", 13),
        ("tries", "Tries", 5),
        ("next", "Next try", 9),
        ("subject", "Subject", 0),
        ("error", "Last error", 22),
    ),
    "set_aside": (
        ("id", "No.", 4),
        ("at", "Came in", 16),
        ("from", "From", 20),
        ("subject", "Subject", 24),
        ("reason", "Why it was set aside", 0),
    ),
}
"""Each view's columns: key, heading and width (0: whatever the others leave)."""
WIDE_ONLY = {"tries", "next", "error", "subject"}
"""Columns left out below 100 characters (the chosen message shows them underneath), but
a message waiting keeps its subject."""
EXPLAIN = {
    "waiting": "Mail to callers not sent yet. Failed, held or unsure ones need you.",
    "set_aside": "Mail that came in but could not be read or taken in, newest first.",
}


def columns_at(view: str, width: int) -> list[tuple[str, str, int]]:
    wide_only = WIDE_ONLY - ({"subject"} if view == "waiting" else set())
    return fitted(COLUMNS[view], wide_only, width)


def waiting_cells(message: Outgoing) -> dict[str, Text]:
    """A message in the outbox as table cells, every one plain Text."""
    return {
        "id": Text(str(message.id), justify="right"),
        "to": Text(message.to_address),
        "status": Text(message.status_word, style=STATE_STYLES.get(message.status_word, "")),
        "tries": Text(str(message.attempts), justify="right"),
        "next": Text(short_time(message.next_try_at) if message.status == "waiting" else "-"),
        "subject": Text(message.subject),
        "error": Text(message.last_error or "-"),
    }


def set_aside_cells(item: ThreadItem) -> dict[str, Text]:
    return {
        "id": Text(str(item.id), justify="right"),
        "at": Text(local(item.at)),
        "from": Text(item.who),
        "subject": Text(item.subject or "-"),
        "reason": Text(item.detail or "-"),
    }


def says(body: str) -> Text:
    """A message's first lines, each one screen line."""
    text = Text("\n".join(first_lines(body)), style="dim")
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


def short_time(moment: dt.datetime) -> str:
    """A next try, never more than a day away, as its day and time: "Fri 10:30"."""
    return moment.replace(tzinfo=dt.UTC).astimezone().strftime("%a %H:%M")


def waiting_details(message: Outgoing) -> Table:
    """Everything about one message in the outbox, as text."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    status = Text(message.status_word, style=STATE_STYLES.get(message.status_word, ""))
    tries = f"{message.attempts} tr{'y' if message.attempts == 1 else 'ies'}"
    if message.status == "waiting":
        tries += f", the next {local(message.next_try_at)}"
    status.append(f" ({tries})", style="")
    rows = [
        ("To", Text(f"{message.to_name} <{message.to_address}>")),
        ("Subject", Text(message.subject)),
        ("Status", status),
    ]
    if message.last_error:
        rows.append(("Last error", Text(message.last_error)))
    rows.append(("Written", Text(f"{local(message.queued_at)}, about {message.number or '-'}")))
    rows.append(("Says", says(message.body)))
    for label, value in rows:
        table.add_row(label, value)
    return table


def set_aside_details(item: ThreadItem) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    rows = [
        ("From", Text(item.who)),
        ("Subject", Text(item.subject or "-")),
        ("Why", Text(item.detail or "-", style="bold yellow")),
    ]
    attached = attachments_line(item)
    if attached is not None:
        rows.append(("With", attached))
    rows.append(("Says", says(item.body)))
    for label, value in rows:
        table.add_row(label, value)
    return table


def retry_question(message: Outgoing, now: dt.datetime) -> str:
    """What "Send again" asks: a waiting message goes sooner, any other goes again."""
    if message.status == "waiting" and message.next_try_at <= now:
        return (
            f"Send message {message.id} to {message.to_address} at the next send?\n"
            "It is due already: the next `fitsdesk mail send` (or round of `mail run`) "
            "sends it either way."
        )
    if message.status == "waiting":
        return (
            f"Send message {message.id} to {message.to_address} at the next send?\n"
            f"It waits for its next try, {local(message.next_try_at)}; this sends it at the "
            "next `fitsdesk mail send` (or round of `mail run`) instead."
        )
    question = (
        f"Send message {message.id} to {message.to_address} again?\n"
        "It goes at the next `fitsdesk mail send` (or round of `mail run`)."
    )
    if message.status == "unsure":
        question += "\nIt may have reached them already: they may get it twice."
    return question


class Confirm(Ask):
    """A yes-or-no Ask whose other button says "Back", not an ambiguous "Cancel" (next
    to "Don't send")."""

    def __init__(self, title: str, act, *, ok: str) -> None:
        super().__init__(title, [], act, ok=ok)

    def on_mount(self) -> None:  # Ask's own on_mount runs after this one
        self.query_one("#cancel", Button).label = "Back"


class OutboxScreen(Screen):
    """The mail not sent yet, and the mail set aside."""

    BINDINGS = [
        Binding("s", "retry", "Send again", id="desk.outbox_retry"),
        Binding("c", "cancel", "Don't send", id="desk.outbox_cancel"),
        Binding("escape,q", "back", "Back", id="desk.back_outbox"),
        *view_keys(VIEWS, "desk.outbox_"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "waiting"
        """The view shown."""
        self.found: dict[str, Outgoing | ThreadItem] = {}
        """What the table lists, by row key."""
        self.keys: list[str] = []
        """The table's columns."""

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Outbox")
        yield Tabs(*(Tab(words, id=view) for view, words in VIEWS.items()), id="views")
        yield Static(EXPLAIN[self.view], id="explain", markup=False)
        yield DataTable(id="outbox", cursor_type="row", zebra_stripes=True)
        yield Static(id="outbox-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    def on_resize(self, event) -> None:
        if [key for key, _h, _w in columns_at(self.view, event.size.width)] != self.keys:
            self.load()

    def load(self) -> None:
        self.app.run_store(lambda: (outbox.not_sent(), mail_records.set_aside()), self.show)

    def show(self, result) -> None:
        waiting, aside = result
        tabs = self.query_one("#views", Tabs)
        tabs.query_one("#waiting", Tab).label = f"{VIEWS['waiting']} {len(waiting)}"
        tabs.query_one("#set_aside", Tab).label = f"{VIEWS['set_aside']} {len(aside)}"
        table = self.query_one("#outbox", DataTable)
        chosen = self.chosen_key()
        table.clear(columns=True)
        wanted = columns_at(self.view, self.size.width or self.app.size.width)
        for key, heading, size in wanted:
            table.add_column(heading, key=key, width=size)
        self.keys = [key for key, _h, _w in wanted]
        rows = waiting if self.view == "waiting" else aside
        cells = waiting_cells if self.view == "waiting" else set_aside_cells
        self.found = {str(found.id): found for found in rows}
        for found in rows:
            shown = cells(found)
            table.add_row(*(shown[key] for key, _h, _w in wanted), key=str(found.id))
        if chosen in self.found:
            table.move_cursor(row=table.get_row_index(chosen))
        self.query_one("#explain", Static).update(EXPLAIN[self.view])
        self.show_chosen()
        self.refresh_bindings()
        table.focus()

    def chosen_key(self) -> str | None:
        table = self.query_one("#outbox", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def chosen(self) -> Outgoing | ThreadItem | None:
        return self.found.get(self.chosen_key() or "")

    def show_chosen(self) -> None:
        detail = self.query_one("#outbox-detail", Static)
        found = self.chosen()
        if found is None:
            empty = "Nothing waits to be sent." if self.view == "waiting" else "Nothing set aside."
            detail.update(Text(empty))
        elif isinstance(found, Outgoing):
            detail.update(waiting_details(found))
        else:
            detail.update(set_aside_details(found))

    @on(DataTable.RowHighlighted, "#outbox")
    def highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_chosen()
        self.refresh_bindings()

    @on(Tabs.TabActivated, "#views")
    def switch_view(self, event: Tabs.TabActivated) -> None:
        if event.tab.id and event.tab.id != self.view:
            self.view = event.tab.id
            self.load()

    def action_view(self, view: str) -> None:
        self.query_one("#views", Tabs).active = view

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("retry", "cancel"):
            found = self.chosen()
            # One being handed to the server now is the sender's until it is done.
            return isinstance(found, Outgoing) and found.status != "sending"
        return True

    def action_retry(self) -> None:
        found, me = self.chosen(), self.app.me.login
        if not isinstance(found, Outgoing):
            return
        self.app.push_screen(
            Confirm(
                retry_question(found, self.app.now()),
                lambda _v: outbox.retry(found.id, by=me),
                ok="Send sooner" if found.status == "waiting" else "Send again",
            ),
            self.done,
        )

    def action_cancel(self) -> None:
        found, me = self.chosen(), self.app.me.login
        if not isinstance(found, Outgoing):
            return
        self.app.push_screen(
            Confirm(
                f"Don't send message {found.id} to {found.to_address}?\n"
                "It will be cancelled: never sent, and off this list.",
                lambda _v: outbox.cancel(found.id, by=me),
                ok="Don't send",
            ),
            self.done,
        )

    def done(self, result) -> None:
        if isinstance(result, Outgoing):
            said = (
                "goes at the next send"
                if result.status == "waiting"
                else f"is {result.status_word.lower()}"
            )
            self.notify(f"Message {result.id} {said}.", markup=False)
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
