"""Log a call for someone who phoned, visited or emailed, with FITS's questions; then
the number and code to read out (and the QR code, for someone standing there)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from store.db.models import LEVELS, ROLES
from store.records.views import FITS_QUESTIONS, Call
from store.servicedesk import servicedesk
from tui.dialogs.ask import Ask
from tui.widgets.qr import QRCode

CHANNELS = (("phone", "Phone"), ("visit", "A visit"), ("email", "Email"), ("desk", "Other"))
LEVEL_CHOICES = (("", "The category's usual"), *((str(n), w) for n, w in LEVELS.items()))


def log_call_dialog(me: str, kinds: list[tuple[str, str]]) -> Ask:
    """The form; its OK logs the call through the store. `kinds` are the categories,
    (name, words) as `category_choices` reads them, to pick from by their words."""
    fields = [
        Ask.text("requester", "Caller's name"),
        Ask.choice("role", "They are", tuple((r, r.capitalize()) for r in ROLES), "staff"),
        Ask.text("group", "Tutor group or department"),
        Ask.text("email", "Email for updates", "", "name@school.example"),
        Ask.choice("channel", "They called by", CHANNELS, "phone"),
        Ask.text("location", "Room code", "", "like S12"),
        Ask.pick("category", "Category", kinds, "", "type to narrow the list, like print"),
        Ask.text("asset", "Device tag", "", "like LAP-0042"),
        Ask.text("summary", "Summary: what is wrong, in a line"),
        Ask.text("description", "More detail"),
        *(Ask.text(name, question) for name, question in FITS_QUESTIONS),
        Ask.choice("impact", "Impact", LEVEL_CHOICES, ""),
        Ask.choice("urgency", "Urgency", LEVEL_CHOICES, ""),
    ]

    def act(v: dict) -> Call:
        return servicedesk.log_call(
            summary=v["summary"],
            requester=v["requester"],
            role=v["role"] or "staff",
            group=v["group"],
            email=v["email"],
            channel=v["channel"] or "phone",
            location=v["location"].strip() or None,
            category=v["category"].strip() or None,
            asset=v["asset"].strip() or None,
            description=v["description"],
            answers={name: v[name] for name, _q in FITS_QUESTIONS},
            impact=int(v["impact"]) if v["impact"] else None,
            urgency=int(v["urgency"]) if v["urgency"] else None,
            by=me,
        )

    return Ask("Log a call", fields, act, ok="Log it")


def category_choices() -> list[tuple[str, str]]:
    """Every category as (name, the words people read), for the form's list."""
    from store.school import categories

    return [(kind.name, kind.label) for kind in categories.list_categories()]


class LoggedDialog(ModalScreen[None]):
    """The new call's number and code, to read out or to photograph."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Done", priority=True)]

    def __init__(self, call: Call) -> None:
        super().__init__()
        self.call = call

    def compose(self) -> ComposeResult:
        words = Text("Logged ", style="bold")
        words.append(self.call.number, style="bold reverse")
        words.append(f"\n\nRead out: {self.call.number}, code {self.call.check_code}.\n")
        words.append(
            f"{self.call.priority_label}, {self.call.category_label or 'no category'}"
            f", {self.call.location or 'no room'}.\n"
        )
        words.append("Someone standing here can photograph the code.")
        with Vertical(id="dialog"):
            with Horizontal(id="logged"):
                yield Static(words, id="logged-words")
                yield QRCode(self.call.scan, id="qr")
            yield Button("Done", id="done", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss()
