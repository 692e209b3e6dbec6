"""The receipt: the log number, big, and its QR code, shown only once the call is saved."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Static

from kiosk.screens.base import KioskScreen, plain
from store.records.views import Call
from store.service_levels import clocks
from tui.widgets.qr import QRCode

SETTLE_S = 3


class ReceiptScreen(KioskScreen):
    """Thank you, here is your number; any key or a touch goes home."""

    STEP_LINE = "Sent"

    def __init__(self, call: Call, existing: bool, *, linked: bool = False) -> None:
        super().__init__()
        self.call = call
        """The saved call."""
        self.existing = existing
        """Whether the report was linked to a call already open for the same fault."""
        self.linked = linked
        """Whether the call was added to a problem we already knew about."""

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        with Horizontal(id="receipt"):
            with Vertical(id="receipt-words"):
                if self.existing:
                    yield Static(
                        "We already know about this and are working on it. Your own log number is:",
                        id="joined",
                    )
                elif self.linked:
                    yield Static(
                        "Thank you! We have added you to the problem we already know about. "
                        "Your log number is:",
                        id="thanks",
                    )
                else:
                    yield Static("Thank you! Your log number is:", id="thanks")
                yield Digits(self.call.number.removeprefix("INC-"), id="big-number")
                yield Static(plain(self.call.number), id="number")
                yield Static(plain(f"Your code: {self.call.check_code}"), id="code")
                aim = clocks.aim_sentence(self.call.due_at)
                if aim:
                    yield Static(aim, id="aim")
                yield Static("Take a photo of the square code to check on it later.", id="photo")
                yield Static("Press any key or touch the screen to finish.", id="finish")
            yield QRCode(self.call.scan, id="qr")

    def on_mount(self) -> None:
        self.shown_at = self.app.clock()
        self.set_timer(self.app.settings.kiosk_receipt_seconds, self.app.go_home)

    def settled(self) -> bool:
        """Whether the receipt has been up long enough for a key to mean "done": a second
        press of Enter on Send must not take the number away before it is read."""
        return self.app.clock() - self.shown_at >= SETTLE_S

    def on_key(self, event: events.Key) -> None:
        event.stop()
        if self.settled():
            self.app.go_home()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        if self.settled():
            self.app.go_home()

    def action_back(self) -> None:
        self.app.go_home()
