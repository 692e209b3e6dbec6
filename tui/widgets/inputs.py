"""An input box that never holds a control character, for people's text in both apps.

A pasted or scanned escape sequence or bidi override is dropped as it arrives,
so what is on screen, what is checked and what is saved are the same text.
"""

from __future__ import annotations

from textual.widgets import Input

from store.sanitise import typeable


class PlainInput(Input):
    """Input that keeps only characters a person can type."""

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(typeable(text), start, end)

    def restricted(self) -> None:
        """No bell on a kiosk in a library."""
