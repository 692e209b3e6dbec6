"""Kinds of fault: the words a pupil picks from, and how much each usually matters.

Every new database starts with the usual twelve (migration 0002).

from store.school import categories
categories.add_starting_categories(by="init")     # once, on a new database
categories.add_category("printer", "Printer", impact="medium", urgency="medium", by="jsmith")
[c.label for c in categories.list_categories(kiosk_only=True)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput, NotFound
from store.db.models import LEVELS, Category
from store.db.sanitise import CODE, LABEL, clean, shown
from store.school import people

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class CategoryInfo:
    """A category as screens see it."""

    name: str
    label: str
    impact: int
    urgency: int
    on_kiosk: bool


def _info(row: Category) -> CategoryInfo:
    return CategoryInfo(row.name, row.label, row.impact, row.urgency, row.on_kiosk)


def level(value: object, what: str) -> int:
    """An impact or urgency given as 1-3 or high/medium/low."""
    if isinstance(value, int) and not isinstance(value, bool) and value in LEVELS:
        return value
    text = str(value).strip().lower()
    for number, word in LEVELS.items():
        if text in (word, str(number), word[0]):
            return number
    raise BadInput(f"'{shown(value)}' is not an {what}: say high, medium or low.")


def clean_name(value: object) -> str:
    """A category's short name: lower case letters, digits, '_' or '-'."""
    name = clean(value, CODE).lower()
    if not _NAME.match(name):
        raise BadInput(f"'{name}' is not a category name: use letters, digits, '_' or '-'.")
    return name


def add_category(
    name: str,
    label: str,
    *,
    impact: object = "low",
    urgency: object = "medium",
    on_kiosk: bool = True,
    by: str,
) -> CategoryInfo:
    """Add a category; its name must be new."""
    name = clean_name(name)
    label = clean(label, LABEL)
    impact, urgency = level(impact, "impact"), level(urgency, "urgency")
    with write():
        people.active_technician(by)
        if Category.get_or_none(Category.name == name):
            raise BadInput(f"There is already a category '{name}'.")
        position = (Category.select().count() + 1) * 10
        row = Category.create(
            name=name,
            label=label,
            impact=impact,
            urgency=urgency,
            on_kiosk=on_kiosk,
            position=position,
        )
        journal.record(by, row, "add", after=f"{name}: {label}")
        return _info(row)


def category_row(name: object) -> Category:
    """The Category row for a name (or its label), or BadInput naming it."""
    text = clean(name, LABEL)
    with read():
        row = Category.get_or_none(Category.name == text.lower())
        if row is None:
            row = Category.get_or_none(Category.label == text)
    if row is None:
        raise BadInput(f"There is no category '{text}'. See: fitsdesk category list.")
    return row


def list_categories(kiosk_only: bool = False) -> list[CategoryInfo]:
    """Categories in the order the kiosk shows them."""
    with read():
        query = Category.select().order_by(Category.position, Category.name)
        if kiosk_only:
            query = query.where(Category.on_kiosk)
        return [_info(row) for row in query]


def category(name: str) -> CategoryInfo:
    """A category by name, or NotFound."""
    try:
        return _info(category_row(name))
    except BadInput as exc:
        raise NotFound(str(exc)) from None
