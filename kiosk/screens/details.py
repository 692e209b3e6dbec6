"""The report's last steps before the review: which device, and what is wrong in words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from kiosk.draft import KIOSK_ANSWER, QUESTIONS, Draft, check_tell
from kiosk.screens.base import StepScreen, plain, problem
from store.configuration import assets
from store.db.errors import FitsDeskError, NotFound
from store.db.sanitise import SUMMARY, clean
from tui.widgets.inputs import PlainInput


class DeviceStep(StepScreen):
    """Step 4: which device, by scanning its label or typing its tag; may be skipped."""

    STEP = 4
    QUESTION = "Which device is it? (You can skip this.)"

    def __init__(self, draft: Draft, note: str = "") -> None:
        super().__init__(draft)
        self.note = note
        """A line to say first, when they come here from something that did not work."""

    def compose_body(self) -> ComposeResult:
        if self.note:
            yield Static(self.note, id="note", markup=False)
        yield Label("Scan the QR label on the device, or type the tag written on it:")
        typed = self.draft.tag_typed or self.draft.asset or ""
        yield PlainInput(typed, id="tag", placeholder="like LAP-0042")
        yield Static(id="found", markup=False)
        yield problem("tag")
        yield Button("Skip this step", id="skip")

    def on_mount(self) -> None:
        typed = self.draft.tag_typed.strip()
        self.looked_up: str | None = self.draft.asset if typed in ("", self.draft.asset) else None
        self.show_found()
        self.query_one("#tag").focus()

    def show_found(self) -> None:
        found = self.query_one("#found", Static)
        if self.draft.asset:
            found.update(
                plain(f"Found: {self.draft.asset_description or 'a device'} ({self.draft.asset})")
            )
        else:
            found.update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.draft.tag_typed = event.value

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "skip":  # StepScreen's handler takes Back and Next
            self.draft.asset = self.draft.asset_description = None
            self.draft.tag_typed = ""
            self.app.push_screen(TellStep(self.draft))

    def action_next(self) -> None:
        typed = self.query_one("#tag", Input).value.strip()
        if not typed:
            self.draft.asset = self.draft.asset_description = None
            self.app.push_screen(TellStep(self.draft))
            return
        if typed == self.looked_up:  # they have seen what we found: go on
            self.app.push_screen(TellStep(self.draft))
            return
        try:
            tag = assets.clean_tag(typed)  # "lap 0042" is LAP-0042
        except FitsDeskError:
            self.say("That doesn't look like a tag. Tags look like LAP-0042. Or skip this step.")
            return
        self.app.run_store(lambda: assets.asset(tag), self.found, self.not_found)

    def found(self, device: assets.AssetInfo) -> None:
        self.draft.asset, self.draft.asset_description = device.tag, device.name
        self.looked_up = self.query_one("#tag", Input).value.strip()
        self.say("")
        self.show_found()
        self.query_one("#next").focus()

    def not_found(self, trouble: FitsDeskError) -> None:
        self.draft.asset = self.draft.asset_description = None
        self.show_found()
        if isinstance(trouble, NotFound):
            self.looked_up = self.query_one("#tag", Input).value.strip()
            self.say("We don't know that tag, so we'll carry on without it. Press Next.")
            self.query_one("#next").focus()
        else:
            self.say(str(trouble))

    def say(self, words: str) -> None:
        shown = self.query_one("#tag-problem", Static)
        shown.update(words)
        shown.display = bool(words)

    def next_screen(self) -> Screen:
        return TellStep(self.draft)


class TellStep(StepScreen):
    """Step 5: what is wrong in a line, then FITS's questions, all optional."""

    STEP = 5
    QUESTION = "Tell us what is wrong"

    def compose_body(self) -> ComposeResult:
        yield Label("In a few words, what is wrong?")
        yield PlainInput(
            self.draft.summary, id="summary", placeholder="like: The laptop won't charge"
        )
        yield problem("summary")
        yield Static("You can answer these too, if you like:", id="optional")
        for name, question in QUESTIONS.items():
            yield Label(question)
            yield PlainInput(self.draft.answers.get(name, ""), id=name)
            yield problem(name)

    def on_mount(self) -> None:
        self.query_one("#summary").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == list(QUESTIONS)[-1]:
            self.action_next()
        else:
            self.focus_next()

    def remember(self) -> None:
        self.draft.summary, self.draft.answers = self.values()

    def values(self) -> tuple[str, dict[str, str]]:
        answers = {name: self.query_one(f"#{name}", Input).value for name in QUESTIONS}
        return self.query_one("#summary", Input).value, answers

    def check(self) -> dict[str, str]:
        return check_tell(*self.values())

    def keep(self) -> None:
        summary, answers = self.values()
        self.draft.summary = clean(summary, SUMMARY)
        self.draft.answers = {name: clean(text, KIOSK_ANSWER) for name, text in answers.items()}

    def next_screen(self) -> Screen:
        from kiosk.screens.review import ReviewScreen

        return ReviewScreen(self.draft)
