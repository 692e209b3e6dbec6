"""One dialog shape for every desk action that needs words or a choice: it shows its
fields, runs the store call itself, and closes only when the call succeeded, so a
refusal is shown where the technician typed and nothing typed is lost.

    self.app.push_screen(Ask("Put on hold", [Ask.text("reason", "What is it waiting for?")],
                             lambda v: incidents.hold(number, v["reason"], by=me)), self.done)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, RadioSet, Static, Switch

from store.db.errors import FitsDeskError
from tui.widgets.inputs import ChoiceButton, PlainInput


@dataclass(frozen=True)
class Question:
    """One thing a dialog asks for."""

    name: str
    label: str
    kind: str = "text"
    """text, choice or switch."""
    choices: tuple[tuple[str, str], ...] = ()
    """(value, words) for a choice."""
    value: Any = ""
    placeholder: str = ""
    listed: bool = False
    """A choice shown one to a line, for more than fit across the dialog."""


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
    def switch(name: str, label: str, value: bool = False) -> Question:
        return Question(name, label, "switch", value=value)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_words, id="dialog-title", markup=False)
            with VerticalScroll(id="dialog-fields"):
                for field in self.fields:
                    yield Label(field.label, markup=False)
                    if field.kind == "text":
                        yield PlainInput(
                            str(field.value),
                            id=f"field-{field.name}",
                            placeholder=field.placeholder,
                        )
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
        focusable = list(self.query("PlainInput, RadioSet, Switch"))
        (focusable[0] if focusable else self.query_one("#ok")).focus()

    def values(self) -> dict:
        found = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            if field.kind == "text" or field.kind == "switch":
                found[field.name] = widget.value
            else:
                pressed = widget.pressed_button
                found[field.name] = pressed.name if pressed else None
        return found

    def on_input_submitted(self, event) -> None:
        event.stop()
        last = [f for f in self.fields if f.kind == "text"][-1:]
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
        values = self.values()
        ok = self.query_one("#ok", Button)
        if ok.disabled:
            return
        ok.disabled = True
        self.app.run_store(lambda: self.act(values), self.dismiss, self.refused)

    def refused(self, problem: FitsDeskError) -> None:
        """Say why, and put the cursor back in the answers (not on Cancel, where the
        disabled OK button sent it), so the next Enter does not throw them away."""
        shown = self.query_one("#dialog-problem", Static)
        shown.update(str(problem))
        shown.display = True
        self.query_one("#ok", Button).disabled = False
        focusable = list(self.query("PlainInput, RadioSet, Switch"))
        if focusable and not isinstance(self.focused, PlainInput | RadioSet | Switch):
            focusable[0].focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
