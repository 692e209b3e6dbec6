"""Check my log number: scan the receipt's QR code or type the number and code."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from kiosk.screens.base import KioskScreen
from store.db.errors import BadInput, FitsDeskError, Refused
from store.db.sanitise import COMMENT
from store.records.views import CallerView
from store.servicedesk import callers, servicedesk
from tui.widgets.inputs import PlainInput

FORGET_S = 30
"""Seconds without a key or touch after which a shown log is cleared from the screen: the
pupil has walked away, and the next one must not read it."""


class CheckScreen(KioskScreen):
    """What has happened to my problem, and is it fixed?"""

    STEP_LINE = "Check my log number"

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        yield Static(
            "Scan the square code from your photo, or type your log number and code:",
            id="question",
        )
        yield PlainInput(id="ref", placeholder="like INC-000042-K7QX")
        with VerticalScroll(id="body"):
            yield Static(id="result", markup=False)  # it quotes what was typed
            with Horizontal(id="answer"):
                yield Button("Yes, it's fixed", id="fixed", variant="success")
                yield Button("No, it's still broken", id="broken", variant="error")
            yield Label("What is still wrong? (you can leave this empty)", id="comment-label")
            yield PlainInput(id="comment")
            yield Button("Send", id="send-comment", variant="primary")
            yield Button("Report a problem with this device", id="report-device")
        with Horizontal(id="nav"):
            yield Button("Back", id="back")

    def on_mount(self) -> None:
        self.view: CallerView | None = None
        self.device: callers.DeviceView | None = None
        """The device whose label was scanned, if it was a label."""
        self.said = False
        """Whether anything is shown in the result."""
        self.answered = False
        """Whether the pupil has just said fixed or not fixed (and been thanked)."""
        self.looked_up: str | None = None
        """What was last looked up, so a Tab after it moves on rather than looking again."""
        self.show_answer(question=False, comment=False)
        self.query_one("#body").can_focus = False  # no focus stop nobody can see
        self.query_one("#ref").focus()
        self.set_interval(1, self.forget_if_left)

    def forget_if_left(self) -> None:
        """Clear what is shown once nobody has touched the kiosk for FORGET_S."""
        if self.app.clock() - self.app.last_activity >= FORGET_S:
            self.forget()

    def on_screen_suspend(self) -> None:
        self.forget()  # the technician's PIN screen on top must not show it later either

    def forget(self) -> None:
        """Nothing of a log left on screen: the number, the result, the questions."""
        if not (self.said or self.query_one("#ref", Input).value):
            return
        self.view, self.device, self.looked_up, self.answered = None, None, None, False
        self.show_answer(question=False, comment=False)
        self.query_one("#ref", Input).value = ""
        self.query_one("#comment", Input).value = ""
        self.say("")
        self.query_one("#ref").focus()

    def show_answer(self, *, question: bool, comment: bool) -> None:
        self.query_one("#answer").display = question
        for name in ("comment-label", "comment", "send-comment"):
            self.query_one(f"#{name}").display = comment
        self.query_one("#report-device").display = False

    def say(self, text: str | Text) -> None:
        self.said = bool(text)
        self.query_one("#result", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "ref":
            self.look_up(event.value)
        elif event.input.id == "comment":
            self.action_not_fixed()

    def on_key(self, event: events.Key) -> None:
        """A scanner set to end with Tab instead of Enter: Tab straight after a number
        nobody has looked up yet looks it up; otherwise Tab moves on as usual."""
        ref = self.query_one("#ref", Input)
        fresh = ref.value.strip() and ref.value != self.looked_up
        if event.key == "tab" and self.focused is ref and fresh:
            event.stop()
            event.prevent_default()
            self.look_up(ref.value)

    def look_up(self, typed: str) -> None:
        """Show what the pupil may see of the number, code or device label typed."""
        kiosk = self.app.kiosk_name
        self.looked_up = typed
        self.show_answer(question=False, comment=False)
        self.device = None
        if not typed.strip():
            if not self.answered:  # after "thank you", Enter leaves the thanks alone
                self.say("Type your log number and the code after it, like INC-000042 K7QX.")
            return
        self.answered = False
        self.app.run_store(
            lambda: callers.caller_view(typed, kiosk=kiosk), self.found, self.trouble
        )

    def found(self, view: CallerView) -> None:
        self.view = view
        text = Text()
        text.append(f"{view.number}: {view.status_word}\n", style="bold")
        text.append(Text(view.summary or ""))
        text.append("\n" + (view.plain_status or ""))
        if view.aim:
            text.append(" " + view.aim)
        if view.technician:
            text.append(f"\n{view.technician} is looking after it.")
        if view.what_we_did:
            text.append("\nWhat we did: ", style="bold")
            text.append(view.what_we_did)  # the technician's words, shown as written
        elif view.latest_news:
            text.append("\nLatest news: ", style="bold")
            text.append(view.latest_news)  # a technician's public note, shown as written
        if view.can_answer:
            text.append(
                "\n\nIs it fixed? Touch a button below, or press Tab to reach them.", style="bold"
            )
        self.say(text)
        # Focus stays in the box: a second Enter must not answer for the pupil.
        self.show_answer(question=view.can_answer, comment=False)

    def trouble(self, problem: FitsDeskError) -> None:
        self.view = None
        if isinstance(problem, BadInput) and not isinstance(problem, Refused):
            typed = self.query_one("#ref", Input).value
            # Not a log number: perhaps the label on a device.
            self.app.run_store(
                lambda: callers.device_view(typed), self.device_found, self.not_a_device
            )
        else:
            self.say(str(problem))
        self.query_one("#ref", Input).focus()

    def not_a_device(self, _problem: FitsDeskError) -> None:
        # The store's sentence quotes what was typed; a pupil needs the shape instead.
        self.say(
            "That doesn't look like a log number. They look like INC-000042, with "
            "the code after it: INC-000042 K7QX."
        )
        self.query_one("#ref", Input).focus()

    def device_found(self, device: callers.DeviceView) -> None:
        """A device's label was scanned: what it is, and whether it is already reported."""
        self.device = device
        text = Text()
        text.append(f"{device.tag}: {device.name}\n", style="bold")
        if device.location_name:
            text.append(f"It belongs in {device.location_name}.\n")
        if device.open_calls:
            text.append("\nIt has already been reported:\n")
            for number, status in device.open_calls:
                text.append(f"  {number}: {status}\n")
            text.append("If you report it too, you get a number of your own, linked to that log.")
        else:
            text.append("\nNobody has reported a problem with it.")
        self.say(text)
        self.query_one("#report-device").display = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "back":
            self.action_back()
        elif event.button.id == "fixed":
            self.action_fixed()
        elif event.button.id == "broken":
            self.show_answer(question=False, comment=True)
            self.query_one("#comment").focus()
        elif event.button.id == "send-comment":
            self.action_not_fixed()
        elif event.button.id == "report-device":
            self.report_device()

    def report_device(self) -> None:
        """Start a report about the scanned device, its tag and room filled in."""
        from kiosk.draft import Draft
        from kiosk.screens.report import WhoStep

        device = self.device
        if device is None:
            return
        draft = Draft(asset=device.tag, asset_description=device.name)
        if device.location:
            draft.location, draft.location_name = device.location, device.location_name
        elif self.app.place:
            draft.location = self.app.place.location
            draft.location_name = self.app.place.location_name
        self.app.switch_screen(WhoStep(draft))

    def action_fixed(self) -> None:
        scan = self.view.scan if self.view else None
        if scan:
            self.app.run_store(lambda: servicedesk.confirm_fixed(scan), self.closed, self.trouble)

    def thanked(self, words: str) -> None:
        """The answer is saved: one message, the number cleared, nothing left to press."""
        self.show_answer(question=False, comment=False)
        self.view, self.answered, self.looked_up = None, True, ""
        self.query_one("#ref", Input).value = ""
        self.query_one("#ref", Input).focus()
        self.say(words)

    def closed(self, _call) -> None:
        self.thanked("Thank you! We're glad it's fixed. We have closed your log.")

    def action_not_fixed(self) -> None:
        scan = self.view.scan if self.view else None
        comment = self.query_one("#comment", Input).value
        if len(comment) > COMMENT.limit:
            self.say(f"That is too long. Please use {COMMENT.limit} letters or fewer.")
            return
        if scan:
            self.app.run_store(
                lambda: servicedesk.not_fixed(scan, comment=comment), self.reopened, self.trouble
            )

    def reopened(self, _call) -> None:
        self.thanked(
            "Thanks for telling us. We have opened your log again and a technician will look at it."
        )
