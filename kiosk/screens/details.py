"""The report's last steps before the review: which device, and what is wrong in words."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from kiosk.draft import KIOSK_ANSWER, QUESTIONS, Draft, check_tell
from kiosk.screens.base import StepScreen, plain, problem
from store.configuration import assets
from store.db.errors import FitsDeskError, NotFound
from store.db.sanitise import SUMMARY, clean
from store.servicedesk import callers
from tui.widgets.inputs import PlainInput


class DeviceStep(StepScreen):
    """Step 4: which device: one of the room's devices by its number, or its label scanned
    or its tag typed; may be skipped."""

    STEP = 4
    QUESTION = "Which device is it? (You can skip this.)"
    BINDINGS = [Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)]

    def __init__(self, draft: Draft, note: str = "") -> None:
        super().__init__(draft)
        self.note = note
        """A line to say first, when they come here from something that did not work."""

    def compose_body(self) -> ComposeResult:
        if self.note:
            yield Static(self.note, id="note", markup=False)
        yield Grid(id="devices")
        yield Label("Scan the QR label on the device, or type its tag:", id="tag-label")
        typed = self.draft.tag_typed or self.draft.asset or ""
        # Not selected on focus: letters a scanner sent to a tile are already in it.
        yield PlainInput(typed, id="tag", placeholder="like LAP-0042", select_on_focus=False)
        yield Static(id="found", markup=False)
        yield problem("tag")
        yield Button("Skip this step", id="skip")

    def on_mount(self) -> None:
        typed = self.draft.tag_typed.strip()
        self.looked_up: str | None = self.draft.asset if typed in ("", self.draft.asset) else None
        self.here: list[tuple[str, str]] = []
        """The room's devices offered as tiles: (tag, what it is)."""
        self.into_tag = False
        """Whether keys typed on a tile are already going into the tag box."""
        self.query_one("#devices").display = False
        self.show_found()
        self.query_one("#tag").focus()
        place, kind = self.draft.location, self.draft.category
        self.app.run_store(
            lambda: callers.devices_here(place, kind), self.have_devices, lambda _trouble: None
        )

    def have_devices(self, here: list[tuple[str, str]]) -> None:
        """Offer the room's devices, numbered; the first takes the focus unless a tag
        has been typed."""
        self.here = here
        if not here:
            return
        grid = self.query_one("#devices", Grid)
        for n, (tag, name) in enumerate(here, start=1):
            label = Text(f"{n}  ")
            label.append(f"{name} ({tag})")
            tile = Button(label, id=f"device-{n}", classes="tile device")
            if tag == self.draft.asset:
                tile.variant = "primary"
            grid.mount(tile)
        grid.display = True
        self.query_one("#tag-label", Label).update("Or scan its QR label, or type its tag:")
        if not self.query_one("#tag", Input).value.strip():
            self.call_after_refresh(self.query_one("#device-1").focus)

    def on_key(self, event: events.Key) -> None:
        """A scanner (or a pupil typing a tag) while a device tile has the focus: the
        letters go into the tag box rather than being lost."""
        char = event.character
        tag = self.query_one("#tag", Input)
        if self.focused is tag or not char or not char.isprintable() or char.isdigit():
            return
        if char == " ":  # the space bar presses the tile
            return
        event.stop()
        event.prevent_default()
        if not self.into_tag:  # the first letter: what the box held is replaced
            tag.value = ""
            self.into_tag = True
        tag.focus()
        tag.insert_text_at_cursor(char)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.has_class("device"):
            self.into_tag = False

    def action_pick(self, number: int) -> None:
        """The pupil's device is the room's device `number`: kept, and on to step 5."""
        if not 1 <= number <= len(self.here):
            return
        tag, name = self.here[number - 1]
        self.draft.asset, self.draft.asset_description = tag, name
        self.draft.tag_typed = self.looked_up = tag
        self.query_one("#tag", Input).value = tag
        self.show_found()
        for n, tile in enumerate(self.query(".device").results(Button), start=1):
            tile.variant = "primary" if n == number else "default"
        self.app.push_screen(TellStep(self.draft))

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
        # StepScreen's handler takes Back and Next
        if event.button.id == "skip":
            self.draft.asset = self.draft.asset_description = None
            self.draft.tag_typed = ""
            self.app.push_screen(TellStep(self.draft))
        elif event.button.id and event.button.id.startswith("device-"):
            self.action_pick(int(event.button.id.removeprefix("device-")))

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
        for (tag, _name), tile in zip(
            self.here, self.query(".device").results(Button), strict=False
        ):
            tile.variant = "primary" if tag == device.tag else "default"
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
    """Step 5: what is wrong, in a line; Enter goes to the review. FITS's other questions
    are one button away (`DetailStep`), never in the way."""

    STEP = 5
    QUESTION = "What is wrong? Tell us in a few words."

    def compose_body(self) -> ComposeResult:
        yield PlainInput(
            self.draft.summary, id="summary", placeholder="like: The laptop won't charge"
        )
        yield problem("summary")
        yield Button(self.more(), id="more")

    def more(self) -> str:
        answered = sum(1 for text in self.draft.answers.values() if text.strip())
        return f"Add more detail ({answered} answered)" if answered else "Add more detail"

    def on_mount(self) -> None:
        self.query_one("#summary").focus()

    def on_screen_resume(self) -> None:
        self.query_one("#more", Button).label = self.more()  # back from DetailStep

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "more":  # StepScreen's handler takes Back and Next
            self.action_next(then=DetailStep(self.draft))

    def action_next(self, then: Screen | None = None) -> None:
        """Check the line; keep it and go to the review, or to `then`."""
        problems = self.check()
        shown = self.query_one("#summary-problem", Static)
        shown.update(problems.get("summary", ""))
        shown.display = bool(problems)
        if problems:
            self.query_one("#summary").focus()
            return
        self.keep()
        self.app.push_screen(then or self.next_screen())

    def remember(self) -> None:
        self.draft.summary = self.query_one("#summary", Input).value

    def check(self) -> dict[str, str]:
        return check_tell(self.query_one("#summary", Input).value, {})

    def keep(self) -> None:
        self.draft.summary = clean(self.query_one("#summary", Input).value, SUMMARY)

    def next_screen(self) -> Screen:
        from kiosk.screens.review import ReviewScreen

        return ReviewScreen(self.draft)


class DetailStep(StepScreen):
    """Step 5, more detail: FITS's incident questions, every one optional."""

    STEP = 5
    QUESTION = "More detail, if you like. You can leave any empty."

    def compose_body(self) -> ComposeResult:
        for name, question in QUESTIONS.items():
            with Horizontal(classes="qa"):  # a question and its box on one line: all five fit
                yield Label(question)
                yield PlainInput(self.draft.answers.get(name, ""), id=name)
            yield problem(name)

    def on_mount(self) -> None:
        self.query_one(f"#{next(iter(QUESTIONS))}").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == list(QUESTIONS)[-1]:
            self.action_next()
        else:
            self.focus_next()

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#{name}", Input).value for name in QUESTIONS}

    def remember(self) -> None:
        self.draft.answers = self.values()

    def check(self) -> dict[str, str]:
        problems = check_tell(self.draft.summary, self.values())
        problems.pop("summary", None)  # said, and kept, on the step before
        return problems

    def keep(self) -> None:
        self.draft.answers = {
            name: clean(text, KIOSK_ANSWER) for name, text in self.values().items()
        }

    def next_screen(self) -> Screen:
        from kiosk.screens.review import ReviewScreen

        return ReviewScreen(self.draft)
