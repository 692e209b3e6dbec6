"""Report a problem, one short step a screen: who, where, what, which device, tell us."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import Button, Input, Label, OptionList, RadioSet, Static
from textual.widgets.option_list import Option

from kiosk.draft import KIOSK_ANSWER, QUESTIONS, ROLES, Draft, check_tell, check_who
from kiosk.screens.base import StepScreen, plain, problem
from store.configuration import assets
from store.db.errors import FitsDeskError, NotFound
from store.db.sanitise import EMAIL, GROUP, PERSON_NAME, SUMMARY, clean
from store.school import categories, locations
from tui.widgets.inputs import ChoiceButton, PlainInput

GROUP_LABELS = {
    "pupil": "Your tutor group, like 9C",
    "staff": "Your department",
    "parent": "Your child's tutor group (you can leave this empty)",
    "visitor": "",
}


class WhoStep(StepScreen):
    """Step 1: who is reporting."""

    STEP = 1
    QUESTION = "Who are you?"

    def compose_body(self) -> ComposeResult:
        yield Label("Your name")
        yield PlainInput(self.draft.name, id="name", placeholder="First name and last name")
        yield problem("name")
        yield Label("You are")
        with RadioSet(id="role"):
            for value, label in ROLES:
                yield ChoiceButton(
                    label, value=value == self.draft.role, name=value, id=f"role-{value}"
                )
        yield Label(GROUP_LABELS[self.draft.role], id="group-label")
        yield PlainInput(self.draft.group, id="group")
        yield problem("group")
        yield Label("Your email, if you want updates (you can leave this empty)", id="email-label")
        yield PlainInput(self.draft.email, id="email", placeholder="name@school.example")
        yield problem("email")

    def on_mount(self) -> None:
        self.show_role_fields(self.draft.role)
        self.query_one("#name").focus()

    def role(self) -> str:
        pressed = self.query_one("#role", RadioSet).pressed_button
        return pressed.name if pressed and pressed.name else "pupil"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.show_role_fields(self.role())

    def show_role_fields(self, role: str) -> None:
        self.query_one("#group-label", Label).update(GROUP_LABELS[role])
        for name in ("group-label", "group"):
            self.query_one(f"#{name}").display = role != "visitor"
        for name in ("email-label", "email"):
            self.query_one(f"#{name}").display = role in ("staff", "parent")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    def values(self) -> tuple[str, str, str, str]:
        role = self.role()
        group = self.query_one("#group", Input).value if role != "visitor" else ""
        email = self.query_one("#email", Input).value if role in ("staff", "parent") else ""
        return self.query_one("#name", Input).value, role, group, email

    def check(self) -> dict[str, str]:
        return check_who(*self.values())

    def remember(self) -> None:
        self.draft.name, self.draft.role, self.draft.group, self.draft.email = self.values()

    def keep(self) -> None:
        name, role, group, email = self.values()
        self.draft.name, self.draft.role = clean(name, PERSON_NAME), role
        self.draft.group, self.draft.email = clean(group, GROUP), clean(email, EMAIL)

    def next_screen(self) -> Screen:
        return WhereStep(self.draft)


class WhereStep(StepScreen):
    """Step 2: where the problem is; this kiosk's room unless they choose another."""

    STEP = 2
    QUESTION = "Where is the problem?"
    SHOWN = 8
    BINDINGS = [Binding("down", "to_rooms", show=False)]

    def action_to_rooms(self) -> None:
        rooms = self.query_one("#rooms", OptionList)
        if rooms.display and rooms.option_count and not rooms.has_focus:
            rooms.focus()
            rooms.highlighted = 0
        elif rooms.has_focus:
            rooms.action_cursor_down()

    def compose_body(self) -> ComposeResult:
        yield Static(id="chosen", markup=False)
        yield Label("Is it somewhere else? Type part of the room's name or code:")
        yield PlainInput(id="search", placeholder="like Science or S12")
        yield OptionList(id="rooms")
        yield problem("search")

    def on_mount(self) -> None:
        self.rooms: list[locations.LocationInfo] = []
        self.query_one("#rooms").display = False
        self.show_chosen()
        self.query_one("#search").focus()  # Enter in it, empty, goes on with the room shown
        self.app.run_store(locations.list_locations, self.have_rooms, lambda _problem: None)

    def have_rooms(self, rooms: list[locations.LocationInfo]) -> None:
        self.rooms = rooms
        self.filter(self.query_one("#search", Input).value)

    def show_chosen(self) -> None:
        chosen = self.query_one("#chosen", Static)
        if self.draft.location:
            chosen.update(
                plain(f"The problem is in: {self.draft.location_name} ({self.draft.location})")
            )
        else:
            chosen.update("Choose the room below.")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter(event.value)

    def filter(self, typed: str) -> None:
        rooms = self.query_one("#rooms", OptionList)
        rooms.clear_options()
        words = typed.strip().casefold()
        if not words:
            rooms.display = False
            return
        found = [r for r in self.rooms if words in r.code.casefold() or words in r.name.casefold()]
        for room in found[: self.SHOWN]:
            rooms.add_option(Option(plain(f"{room.name} ({room.code})"), id=room.code))
        if not found:
            rooms.add_option(Option("No room matches that. Try fewer letters.", disabled=True))
        rooms.display = True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        rooms = self.query_one("#rooms", OptionList)
        if rooms.display and rooms.option_count:
            rooms.focus()
            rooms.highlighted = 0
        else:
            self.action_next()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        room = next(r for r in self.rooms if r.code == event.option.id)
        self.draft.location, self.draft.location_name = room.code, room.name
        self.query_one("#search", Input).value = ""
        self.show_chosen()
        self.query_one("#next").focus()

    def check(self) -> dict[str, str]:
        if not self.draft.location:
            return {"search": "Please choose the room where the problem is."}
        return {}

    def next_screen(self) -> Screen:
        return WhatStep(self.draft)


class WhatStep(StepScreen):
    """Step 3: what kind of problem, as tiles in plain words."""

    STEP = 3
    QUESTION = "What is the problem with?"
    BINDINGS = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("escape", "back", show=False, priority=True),
    ]

    def compose_body(self) -> ComposeResult:
        yield Grid(id="tiles")
        yield problem("tiles")

    def on_mount(self) -> None:
        self.kinds: list[categories.CategoryInfo] = []
        self.asked = 0
        """How many tiles have been pressed: only the last one's answer counts."""
        self.query_one("#next").display = False  # a tile is the answer
        self.app.run_store(
            lambda: categories.list_categories(kiosk_only=True), self.have_kinds, self.no_kinds
        )

    def have_kinds(self, kinds: list[categories.CategoryInfo]) -> None:
        self.kinds = kinds[:9]
        tiles = self.query_one("#tiles", Grid)
        for n, kind in enumerate(self.kinds, start=1):
            label = Text(f"{n}  ")
            label.append(kind.label)
            tile = Button(label, id=f"tile-{n}", classes="tile")
            if kind.name == self.draft.category:
                tile.variant = "primary"
            tiles.mount(tile)
        if self.kinds:
            self.call_after_refresh(self.query_one("#tile-1").focus)

    def no_kinds(self, trouble: FitsDeskError) -> None:
        self.query_one("#tiles-problem", Static).update(str(trouble))
        self.query_one("#tiles-problem").display = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        # StepScreen's handler runs too (Textual calls each class's): it takes Back and Next.
        if event.button.id and event.button.id.startswith("tile-"):
            self.action_pick(int(event.button.id.removeprefix("tile-")))

    def action_pick(self, number: int) -> None:
        """Keep the kind of fault, then, once the store has said, show what we already
        know about in this room and kind of fault, or go on to the device step."""
        if 1 <= number <= len(self.kinds):
            kind = self.kinds[number - 1]
            self.draft.category, self.draft.category_label = kind.name, kind.label
            for n, tile in enumerate(self.query(".tile").results(Button), start=1):
                tile.variant = "primary" if n == number else "default"
            self.asked += 1
            asked, place = self.asked, self.draft.location

            def look() -> list:
                from store.problems import known_errors

                return known_errors.at_kiosk(place, kind.name)

            self.app.run_store(
                look,
                lambda known: self.have_known(asked, known),
                lambda _trouble: self.have_known(asked, []),  # the report goes on without
            )

    def have_known(self, asked: int, known: list) -> None:
        if asked != self.asked or self.app.screen is not self:
            return  # another tile was pressed since, or the pupil has gone on
        if known:
            from kiosk.screens.known import KnownScreen

            self.app.push_screen(KnownScreen(self.draft, known))
        else:
            self.app.push_screen(DeviceStep(self.draft))

    def next_screen(self) -> Screen:
        return DeviceStep(self.draft)


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
        yield PlainInput(self.draft.asset or "", id="tag", placeholder="like LAP-0042")
        yield Static(id="found", markup=False)
        yield problem("tag")
        yield Button("Skip this step", id="skip")

    def on_mount(self) -> None:
        self.looked_up: str | None = self.draft.asset
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

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "skip":  # StepScreen's handler takes Back and Next
            self.draft.asset = self.draft.asset_description = None
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
