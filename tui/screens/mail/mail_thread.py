"""A call's mail thread at the desk: each message in the call's timeline, in time order
among the journal's lines, cut to a few lines; and a page with every message in full
(m on a call), each kept attachment with the command that saves it (`fitsdesk mail save
ID`). An attachment too big to keep says so.

Every word here came from a person or a mail program, so all of it is Text, never markup.
"""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from store.mail import parse as mail_parse
from store.mail import records as mail_records
from store.mail.records import AttachmentInfo, ThreadItem, size_words
from tui.screens.common import KeyFooter, bar, local

BODY_LINES = 3
"""How many lines of a message's words the timeline shows; the mail page shows them all."""
INDENT = len("Fri 27 Nov 13:00  ")
"""A message's lines start under the words of its first line, past the time."""
STATE_STYLES = {
    "Cancelled": "dim",
    "Failed": "bold red",
    "Held": "bold yellow",
    "May have gone": "bold yellow",
    "ignored": "dim",
    "set aside": "bold yellow",
}


def direction(item: ThreadItem) -> str:
    return "Email from the caller" if item.direction == "in" else "Email to the caller"


def state_words(item: ThreadItem) -> Text:
    """What a message became (in) or where it is in the outbox (out), with why."""
    words = item.state
    detail = item.detail.strip()
    shown = item.direction == "in" or item.state not in ("Sent", "Sending")
    if detail and shown:
        # The outbox's own notes start with the status already ("Held: more than ...",
        # "Cancelled by jsmith.").
        words = detail if detail.startswith(item.state) else f"{words}: {detail}"
    return Text(words, style=STATE_STYLES.get(item.state, ""))


LISTED_ONLY = "too big: listed only"
"""Said of an attachment over [mail] keep_attachments_kb: its name and size were kept, not
its bytes."""


def attachment_words(attached: AttachmentInfo) -> str:
    """An attachment as "photo.jpg, 2.1 MB", and whether it was too big to keep."""
    words = f"{attached.name}, {size_words(attached.size)}"
    return words if attached.kept else f"{words} ({LISTED_ONLY})"


def attachments_line(item: ThreadItem) -> Text | None:
    if not item.attachments:
        return None
    text = Text("Attached: ", style="dim")
    text.append("; ".join(attachment_words(a) for a in item.attachments))
    return text


def attachment_lines(item: ThreadItem) -> list[Text]:
    """Each attachment on a line of its own, with its id and how to save it (mail page)."""
    lines = []
    for attached in item.attachments:
        text = Text()
        text.append("Attached: ", style="dim")
        text.append(attachment_words(attached))
        if attached.kept:
            text.append(f" (save: fitsdesk mail save {attached.id})", style="bold")
        lines.append(text)
    return lines


def words_of(item: ThreadItem) -> str:
    """A message's own words: a caller's reply without the message it quotes."""
    if item.direction == "in":
        return mail_parse.own_words(item.body) or item.body.strip()
    return item.body.strip()


def greeting(line: str) -> bool:
    """Whether a message's first line only greets ("Hello Ada Byron,", "Hi,")."""
    return line.endswith(",") and len(line.split()) <= 5


def first_lines(words: str, lines: int = BODY_LINES) -> list[str]:
    """The first lines of some words that say something (not a greeting); "…" after the
    last when there is more."""
    said = [line.strip() for line in words.split("\n") if line.strip()]
    if len(said) > 1 and greeting(said[0]):
        said = said[1:]
    shown = said[:lines]
    if len(said) > lines:
        shown[-1] += " …"
    return shown


def excerpt(item: ThreadItem, lines: int = BODY_LINES) -> list[Text]:
    """A message's first lines, each one screen line."""
    return [
        Text(f"│ {line}", style="dim", no_wrap=True, overflow="ellipsis")
        for line in first_lines(words_of(item), lines)
    ]


def heading(item: ThreadItem) -> Text:
    """A message's first line: when, which way, and what became of it."""
    text = Text(f"{local(item.at)}  {direction(item)}: ", style="bold")
    text.append_text(state_words(item))
    return text


def who_and_subject(item: ThreadItem) -> list[Text]:
    """Who it is from or to, and its subject, a screen line each."""
    who = Text("From: " if item.direction == "in" else "To: ", style="dim")
    who.append(item.who)
    subject = Text(item.subject or "(no subject)", style="bold")
    for line in (who, subject):
        line.no_wrap, line.overflow = True, "ellipsis"
    return [who, subject]


def message(item: ThreadItem) -> RenderableType:
    """One message as the timeline shows it: a heading, then its lines indented."""
    lines = who_and_subject(item)
    attached = attachments_line(item)
    if attached is not None:
        lines.append(attached)
    lines += excerpt(item)
    return Group(heading(item), Padding(Group(*lines), (0, 0, 0, INDENT)))


def hanging(line: Text) -> RenderableType:
    """A journal line ("Fri 27 Nov 13:00  caller (public...): words") whose later lines,
    wrapped or the words' own, start under the words (INDENT), not at the left edge."""
    if len(line.plain) <= INDENT or line.plain[INDENT - 2 : INDENT] != "  ":
        return line
    grid = Table.grid()
    grid.add_column(width=INDENT, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(line[:INDENT], line[INDENT:])
    return grid


def merged(
    lines: list[tuple[dt.datetime, Text]], thread: list[ThreadItem], hint: str = ""
) -> Group:
    """The journal's lines (time, line) and the mail thread, oldest first. A message
    from the caller comes before what the journal wrote at the same moment (it caused
    it); a message to them after (the change wrote it)."""
    items: list[tuple[tuple, RenderableType]] = [
        ((at, 1, n), hanging(line)) for n, (at, line) in enumerate(lines)
    ]
    items += [
        ((item.at, 0 if item.direction == "in" else 2, n), message(item))
        for n, item in enumerate(thread)
    ]
    items.sort(key=lambda pair: pair[0])
    parts: list[RenderableType] = [Text("Timeline", style="bold underline")]
    parts += [shown for _key, shown in items]
    if hint:
        parts.append(Text(hint, style="dim"))
    return Group(*parts)


def full(item: ThreadItem) -> RenderableType:
    """One message with every word, for the mail page."""
    lines: list[RenderableType] = [*who_and_subject(item), *attachment_lines(item)]
    lines.append(Text(item.body.rstrip() or "(no words)"))
    return Group(heading(item), Padding(Group(*lines), (0, 0, 1, 2)))


class MailThreadScreen(Screen):
    """Every message from and to the caller of one call, each in full."""

    BINDINGS = [Binding("escape,q", "back", "Back", id="desk.back_mail")]

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number

    def compose(self) -> ComposeResult:
        yield from bar(self.app, f"{self.number}: mail")
        with VerticalScroll(id="mail"):
            yield Static(id="mail-thread")
        yield KeyFooter()

    def on_mount(self) -> None:
        incident_id = int(self.number.split("-")[1])
        self.app.run_store(lambda: mail_records.thread(incident_id), self.show)

    def show(self, thread: list[ThreadItem]) -> None:
        shown = [full(item) for item in thread] or [Text("No mail about this call.")]
        self.query_one("#mail-thread", Static).update(Group(*shown))
        self.query_one("#mail").focus()

    def action_back(self) -> None:
        self.app.pop_screen()
