"""The one sanitiser that every piece of people's text passes (docs/architecture.md, Safety rules).

    from store.db.sanitise import clean, SUMMARY
    summary = clean(raw, SUMMARY)   # NFC, no control or bidi characters, <= 120

`clean` normalises to NFC, removes control characters (keeping newline and
tab where the field allows several lines), removes bidirectional overrides
and marks, lone surrogates and non-characters, trims the ends, and enforces
the field's length with a sentence that names the field. It raises
`BadInput`; it never truncates silently, so nothing a person typed is lost
without them being told.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from store.db.errors import BadInput


@dataclass(frozen=True)
class Field:
    """What a piece of text is called, how long it may be, and its shape."""

    label: str
    """How the field is named in messages ("the summary")."""
    limit: int
    """The most characters allowed, after cleaning."""
    multiline: bool = False
    """Whether newlines and tabs are kept (else they become spaces)."""
    required: bool = True
    """Whether empty text is refused."""


SUMMARY = Field("the summary", 120)
DESCRIPTION = Field("the description", 4000, multiline=True, required=False)
ANSWER = Field("the answer", 4000, multiline=True, required=False)
NOTE = Field("the note", 4000, multiline=True)
REASON = Field("the reason", 500, multiline=True)
RESOLUTION = Field("the resolution", 4000, multiline=True)
COMMENT = Field("the comment", 4000, multiline=True, required=False)
PERSON_NAME = Field("the name", 80)
CALLER_NAME = Field("the caller's name", PERSON_NAME.limit)
GROUP = Field("the tutor group or department", 40, required=False)
EMAIL = Field("the email address", 254, required=False)
LOGIN = Field("the login name", 32)
CODE = Field("the code", 20)
ROOM_CODE = Field("the room code", CODE.limit)
PLACE_NAME = Field("the name", 80)
SITE = Field("the site", 80, required=False)
LABEL = Field("the label", 60)
CATEGORY = Field("the category", LABEL.limit)
TAG = Field("the asset tag", 40)
KIOSK_NAME = Field("the kiosk name", 40)

# Bidirectional embeddings, overrides, isolates and marks (Trojan Source).
_BIDI = dict.fromkeys([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_SPACES = re.compile(r"[ \t]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _keep(char: str, multiline: bool) -> str:
    """One character as it may be stored: itself, a space, or nothing."""
    if char in "\n\t":
        return char if multiline else " "
    if char in "\r\v\f\x85\u2028\u2029":
        return "\n" if multiline else " "
    if ord(char) in _BIDI:
        return ""
    category = unicodedata.category(char)
    if category in ("Cc", "Cs"):  # control characters (NUL, ESC...) and lone surrogates
        return ""
    if category == "Cn" and (ord(char) & 0xFFFE == 0xFFFE or 0xFDD0 <= ord(char) <= 0xFDEF):
        return ""  # non-characters
    return char


def _first_up(label: str) -> str:
    """A label to start a sentence: 'the answer to 'What...'' keeps its other capitals."""
    return label[:1].upper() + label[1:]


def clean(value: object, field: Field) -> str:
    """Return `value` as safe text for `field`, or raise BadInput saying why."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInput(f"{_first_up(field.label)} must be text.")
    if len(value) > field.limit * 8:  # refuse absurd input before doing work on it
        raise BadInput(
            f"{_first_up(field.label)} is too long: the most is {field.limit} characters."
        )
    text = value.replace("\r\n", "\n")
    if not (text.isascii() and text.isprintable()):  # plain ASCII has nothing to remove
        text = "".join(_keep(char, field.multiline) for char in text)
        text = unicodedata.normalize("NFC", text)  # after removal, which can expose pairs
    if field.multiline:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text)
    else:
        text = _SPACES.sub(" ", text)
    text = text.strip()
    if not text and field.required:
        raise BadInput(f"{_first_up(field.label)} is empty.")
    if len(text) > field.limit:
        raise BadInput(
            f"{_first_up(field.label)} is too long: {len(text)} characters, "
            f"the most is {field.limit}."
        )
    return text


def clean_email(value: object) -> str:
    """An email address cleaned and checked for the obvious shape, or ''."""
    text = clean(value, EMAIL)
    if text and not _EMAIL.match(text):
        raise BadInput(f"'{text}' does not look like an email address.")
    return text


def clean_code(value: object, field: Field = CODE) -> str:
    """A room code, asset tag or similar: upper case, no spaces inside."""
    text = clean(value, field).upper()
    if len(text) > field.limit:  # upper case can lengthen it: 'ß' is 'SS'
        raise BadInput(
            f"{_first_up(field.label)} is too long: {len(text)} characters, "
            f"the most is {field.limit}."
        )
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9._/-]*", text):
        raise BadInput(
            f"{_first_up(field.label)} '{text}' may only use letters, digits and . _ / -."
        )
    return text


def typeable(text: str) -> str:
    """Text with the characters nobody should type removed (controls, bidi overrides,
    lone surrogates); line breaks become spaces. For input boxes, before any check."""
    return "".join(_keep(char, False) for char in text)


def shown(value: object, limit: int = 30) -> str:
    """Anything a person typed, made safe to quote back in a message: one line, no
    control or bidi characters, cut to `limit` characters."""
    text = "".join(_keep(char, False) for char in str(value))
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def seconds(count: int) -> str:
    """'1 second', '20 seconds': a wait as a pupil reads it."""
    return f"{count} second{'' if count == 1 else 's'}"


def clean_date(value: object, what: str) -> dt.date | None:
    """A date as 2024-09-01 (a time after it is ignored) or 01/09/2024, 01.09.2024 or
    01-09-2024 (day first, as schools write it), or None."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?", text):
            return dt.date.fromisoformat(text[:10])  # an MIS often adds midnight
        if re.fullmatch(r"\d{1,2}([/.-])\d{1,2}\1\d{4}", text):
            day, month, year = (int(part) for part in re.split(r"[/.-]", text))
            return dt.date(year, month, day)
    except ValueError:
        pass
    raise BadInput(f"The {what} '{shown(value)}' is not a date: write 2024-09-01 or 01/09/2024.")
