"""The messages the desk's screens share: the app posts them, the screens take them in,
and neither imports the other for them (docs/architecture.md)."""

from __future__ import annotations

from textual.message import Message


class DataChanged(Message):
    """Someone, somewhere, changed the database: screens showing data reload it."""
