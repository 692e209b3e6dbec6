"""One dialog shape for every desk action that needs words or a choice: it shows its
fields, runs the store call itself, and closes only when the call succeeded, so a
refusal is shown where the technician typed and nothing typed is lost.

    self.app.push_screen(Ask("Put on hold", [Ask.text("reason", "What is it waiting for?")],
                             lambda v: incidents.hold(number, v["reason"], by=me)), self.done)

A choice from many (a call's category) is a box that narrows a list by the words typed
(`Ask.pick`): Up and Down move in the list, Enter chooses, and the value is the chosen
one's code, which the technician never needs to know.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, RadioSet, Static, Switch
from textual.widgets.option_list import Option

from store.db.errors import BadInput, FitsDeskError
from store.db.sanitise import shown
from tui.widgets.inputs import ChoiceButton, PlainInput, steady


@dataclass(frozen=True)
class Question:
    """One thing a dialog asks for."""

    name: str
    label: str
    kind: str = "text"
    """text, choice, pick (a choice from a list narrowed by words) or switch."""
    choices: tuple[tuple[str, str], ...] = ()
    """(value, words) for a choice or a pick."""
    value: Any = ""
    placeholder: str = ""
    listed: bool = False
    """A choice shown one to a line, for more than fit across the dialog."""


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def matching(choices, typed: str) -> list[tuple[str, str]]:
    """The (value, words) whose words or value hold a word starting with each word typed:
    "print" finds Printer, "wi fi" and "wifi" find Wi-Fi or internet (value wifi)."""
    terms = _words(typed)
    found = []
    for value, words in choices:
        said = _words(f"{words} {value}")
        if all(any(word.startswith(term) for word in said) for term in terms):
            found.append((value, words))
    return found


def picked(question: Question, typed: str, chosen: str | None) -> str:
    """The value of a pick: the one chosen from its list, else the only one the words
    typed match (or name exactly); "" for nothing typed. BadInput, in one sentence,
    when they match none or several."""
    typed = typed.strip()
    if not typed:
        return ""
    for value, words in question.choices:
        if value == chosen and words == typed:
            return value
    for value, words in question.choices:
        if typed.casefold() in (value.casefold(), words.casefold()):
            return value
    found = matching(question.choices, typed)
    what = question.label.lower()
    if len(found) == 1:
        return found[0][0]
    if not found:
        raise BadInput(f"No {what} matches '{shown(typed)}': choose one from the list.")
    raise BadInput(f"More than one {what} matches '{shown(typed)}': choose one from the list.")


class Ask(ModalScreen[Any]):
    """Ask for some fields, then run `act(values)` through the store; dismiss with its
    result when it worked, or show why not and stay open."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(
        self, title: str, fields: list[Question], act: Callable[[dict], Any], *, ok: str = "OK"
    ) -> None:
        super().__init__()
        self.title_words = title
        self.fields = fields
        self.act = act
        self.ok = ok

    @staticmethod
    def text(name: str, label: str, value: str = "", placeholder: str = "") -> Question:
        return Question(name, label, "text", value=value, placeholder=placeholder)

    @staticmethod
    def choice(name: str, label: str, choices, value: str = "", listed: bool = False) -> Question:
        return Question(name, label, "choice", tuple(choices), value=value, listed=listed)

    @staticmethod
    def pick(name: str, label: str, choices, value: str = "", placeholder: str = "") -> Question:
        return Question(name, label, "pick", tuple(choices), value=value, placeholder=placeholder)

    @staticmethod
    def switch(name: str, label: str, value: bool = False) -> Question:
        return Question(name, label, "switch", value=value)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_words, id="dialog-title", markup=False)
            with VerticalScroll(id="dialog-fields"):
                for field in self.fields:
                    yield Label(field.label, markup=False)
                    if field.kind == "text":
                        yield steady(
                            PlainInput(
                                str(field.value),
                                id=f"field-{field.name}",
                                placeholder=field.placeholder,
                            )
                        )
                    elif field.kind == "pick":
                        words = dict(field.choices).get(field.value, "")
                        yield steady(
                            PlainInput(
                                words, id=f"field-{field.name}", placeholder=field.placeholder
                            )
                        )
                        choices = OptionList(id=f"pick-{field.name}", classes="pick", markup=False)
                        choices.can_focus = False  # the box keeps the keys: Up, Down, Enter
                        yield choices
                    elif field.kind == "switch":
                        yield Switch(bool(field.value), id=f"field-{field.name}")
                    else:
                        listed = "listed" if field.listed else None
                        with RadioSet(id=f"field-{field.name}", classes=listed):
                            for value, words in field.choices:
                                yield ChoiceButton(words, value=value == field.value, name=value)
            yield Static(id="dialog-problem", classes="problem", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(self.ok, id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#dialog-problem").display = False
        self.chosen: dict[str, str] = {}
        """Each pick's value, once chosen from its list."""
        for field in self.fields:
            if field.kind == "pick":
                self.query_one(f"#pick-{field.name}").display = False
                if field.value:
                    self.chosen[field.name] = field.value
        focusable = list(self.query("PlainInput, RadioSet, Switch"))
        (focusable[0] if focusable else self.query_one("#ok")).focus()

    # -- a pick: the box narrows its list as words are typed

    def pick_of(self, widget) -> Question | None:
        """The pick whose box or list `widget` is, if it is one."""
        for field in self.fields:
            if field.kind == "pick" and widget.id in (f"field-{field.name}", f"pick-{field.name}"):
                return field
        return None

    def narrow(self, field: Question) -> None:
        """Show the pick's list, holding only what the words in its box match."""
        typed = self.query_one(f"#field-{field.name}", PlainInput).value
        choices = self.query_one(f"#pick-{field.name}", OptionList)
        found = matching(field.choices, typed)
        choices.clear_options()
        choices.add_options(Option(words, id=value) for value, words in found)
        values, chosen = [value for value, _w in found], self.chosen.get(field.name)
        choices.highlighted = values.index(chosen) if chosen in values else 0 if found else None
        choices.display = bool(found)
        if found:
            self.call_after_refresh(choices.scroll_visible)

    def choose(self, field: Question) -> bool:
        """Take the pick's highlighted choice into its box; False if there is none."""
        choices = self.query_one(f"#pick-{field.name}", OptionList)
        if not choices.display or choices.highlighted is None:
            return False
        option = choices.get_option_at_index(choices.highlighted)
        self.chosen[field.name] = option.id
        box = self.query_one(f"#field-{field.name}", PlainInput)
        with box.prevent(PlainInput.Changed):
            box.value = str(option.prompt)
        choices.display = False
        return True

    def on_input_changed(self, event: PlainInput.Changed) -> None:
        field = self.pick_of(event.input)
        if field is not None and event.input.has_focus:
            self.chosen.pop(field.name, None)
            self.narrow(field)

    def on_descendant_focus(self, event) -> None:
        """A pick's list shows while its box has the cursor; the others' are put away."""
        for field in self.fields:
            if field.kind == "pick":
                if event.widget.id == f"field-{field.name}":
                    self.narrow(field)
                elif event.widget.id != f"pick-{field.name}" and (
                    isinstance(event.widget, PlainInput | RadioSet | Switch | Button)
                ):
                    self.query_one(f"#pick-{field.name}").display = False

    def on_key(self, event) -> None:
        field = self.pick_of(self.focused) if self.focused else None
        if field is None or event.key not in ("up", "down"):
            return
        choices = self.query_one(f"#pick-{field.name}", OptionList)
        if choices.display:
            event.stop()
            event.prevent_default()
            choices.action_cursor_down() if event.key == "down" else choices.action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        field = self.pick_of(event.option_list)
        if field is not None:
            self.choose(field)
            self.query_one(f"#field-{field.name}").focus()

    # -- the answers

    def values(self) -> dict:
        """Each field's value; BadInput when a pick's words match no one thing."""
        found = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            if field.kind == "pick":
                found[field.name] = picked(field, widget.value, self.chosen.get(field.name))
            elif field.kind == "text" or field.kind == "switch":
                found[field.name] = widget.value
            else:
                pressed = widget.pressed_button
                found[field.name] = pressed.name if pressed else None
        return found

    def on_input_submitted(self, event) -> None:
        event.stop()
        field = self.pick_of(event.input)
        if field is not None:
            if not self.choose(field):
                try:
                    self.chosen[field.name] = picked(field, event.value, None)
                except FitsDeskError as problem:
                    self.say(problem)
                    return
            self.query_one("#dialog-problem").display = False
        last = [f for f in self.fields if f.kind in ("text", "pick")][-1:]
        if last and event.input.id == f"field-{last[0].name}":
            self.action_ok()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.action_ok()
        else:
            self.action_cancel()

    def action_ok(self) -> None:
        ok = self.query_one("#ok", Button)
        if ok.disabled:
            return
        try:
            values = self.values()
        except FitsDeskError as problem:
            self.say(problem)
            return
        ok.disabled = True
        self.app.run_store(lambda: self.act(values), self.dismiss, self.refused)

    def say(self, problem: FitsDeskError) -> None:
        """Say why not, in one plain line under the fields."""
        line = self.query_one("#dialog-problem", Static)
        line.update(str(problem))
        line.display = True

    def refused(self, problem: FitsDeskError) -> None:
        """Say why, and put the cursor back in the answers (not on Cancel, where the
        disabled OK button sent it), so the next Enter does not throw them away."""
        self.say(problem)
        self.query_one("#ok", Button).disabled = False
        focusable = list(self.query("PlainInput, RadioSet, Switch"))
        if focusable and not isinstance(self.focused, PlainInput | RadioSet | Switch):
            focusable[0].focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
