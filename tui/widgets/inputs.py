"""Inputs both apps share: a box that never holds a control character, for people's
text, and a radio button that reads without colour.

A pasted or scanned escape sequence or bidi override is dropped as it arrives,
so what is on screen, what is checked and what is saved are the same text.
"""

from __future__ import annotations

from textual.widgets import Input, RadioButton

from store.db.sanitise import typeable


class PlainInput(Input):
    """Input that keeps only characters a person can type."""

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(typeable(text), start, end)

    def restricted(self) -> None:
        """No bell on a kiosk in a library."""


def steady(box: PlainInput) -> PlainInput:
    """`box` with a cursor that does not blink: the desk runs over SSH, and a blinking
    cursor is a line sent twice a second while nothing changes (bench/desk_bytes.py)."""
    box.cursor_blink = False
    return box


class ChoiceButton(RadioButton):
    """A radio button whose dot shows only when chosen, so it reads without colour."""

    def on_mount(self) -> None:
        self.BUTTON_INNER = "●" if self.value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "●" if self.value else " "
        super().watch_value()
