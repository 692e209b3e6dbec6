"""Report a problem, one short step a screen: who, where, what; then the device and the
words (kiosk.screens.details)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import Button, Input, Label, OptionList, RadioSet, Static
from textual.widgets.option_list import Option

from kiosk.draft import ROLES, check_who
from kiosk.screens.base import StepScreen, plain, problem
from kiosk.screens.details import DeviceStep
from store.db.errors import FitsDeskError
from store.db.sanitise import EMAIL, GROUP, PERSON_NAME, clean
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
        yield Label("Type the room's name or code:", id="search-label")
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
            words = "Somewhere else? Type its name or code:"
        else:  # nothing listed until they type: a school has hundreds of rooms
            words = "Type the room's name or code:"
        chosen.display = bool(self.draft.location)
        self.query_one("#search-label", Label).update(words)

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
        for room in found[: self.SHOWN]:  # a blank line above and below: a target to touch
            rooms.add_option(Option(plain(f"\n {room.name} ({room.code})\n"), id=room.code))
        if not found:
            rooms.add_option(Option("No room matches that. Try fewer letters.", disabled=True))
        rooms.display = True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: one room found (or one whose code was typed in full) is chosen; several
        are offered in the list; nothing typed goes on with the room shown."""
        event.stop()
        rooms = self.query_one("#rooms", OptionList)
        words = event.value.strip().casefold()
        found = [r for r in self.rooms if words in r.code.casefold() or words in r.name.casefold()]
        exact = [r for r in found if r.code.casefold() == words]
        if words and (len(found) == 1 or len(exact) == 1):
            self.choose((exact or found)[0].code)
        elif rooms.display and rooms.option_count:
            rooms.focus()
            rooms.highlighted = 0
        else:
            self.action_next()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option.id)

    def choose(self, code: str) -> None:
        """The problem is in the room `code`; Next is then one Enter away."""
        room = next(r for r in self.rooms if r.code == code)
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
    QUESTION = "What is not working?"
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
                from store.problems import known_errors  # kept off the start path

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
