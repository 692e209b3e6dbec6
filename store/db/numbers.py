"""Log numbers, check codes and the QR payload (docs/architecture.md, The QR payload).

    >>> log_number(42)
    'INC-000042'
    >>> parse_reference("inc-000042-k7qx")
    Reference(prefix='INC', id=42, check='K7QX')
    >>> parse_reference("42 K7QX")          # as a pupil copies it off the receipt
    Reference(prefix='INC', id=42, check='K7QX')
    >>> parse_reference("inc-0030017vat")   # the code run on, in any case
    Reference(prefix='INC', id=3001, check='7VAT')

A number is the row's id from the database. The payload a pupil takes away
is the number and a 4-character check code drawn with `secrets` from an
alphabet without look-alikes (no 0/O, 1/I), upper case so the QR stays in
alphanumeric mode.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from store.db.errors import BadInput
from store.db.sanitise import shown

CHECK_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CHECK_LENGTH = 4
PREFIXES = {"INC": "an incident", "PRB": "a problem", "RFC": "a change"}
KINDS = {"INC": "a log number", "PRB": "a problem number", "RFC": "a change number"}
"""What each kind of number is called in messages: a call's number is its log number."""

_REFERENCE = re.compile(
    r"^(?:(?P<prefix>[A-Z]{3})\s*-?\s*)?(?P<digits>[0-9]{1,12})(?:(?:\s*-\s*|\s+)(?P<check>[0-9A-Z]{4}))?$"
)


_RUN_TOGETHER = re.compile(
    r"^(?:(?P<prefix>[A-Z]{3})\s*-?\s*)?(?P<digits>[0-9]{6,12})(?P<check>[2-9A-HJ-NP-Z]{4})$"
)
"""A number typed with its code run on, as in INC-0000427VAT: the number as printed (at
least 6 digits), then 4 characters of the check alphabet. Tried only when the usual
form does not match, so digits alone are always a number."""


@dataclass(frozen=True)
class Reference:
    """A record reference as typed or scanned: prefix, id, and check code if given."""

    prefix: str
    id: int
    check: str | None = None


def log_number(record_id: int, prefix: str = "INC") -> str:
    """The number people see for a record id: INC-000042."""
    return f"{prefix}-{record_id:06d}"


def new_check_code() -> str:
    """A fresh, unguessable check code."""
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH))


def scan_payload(record_id: int, check_code: str) -> str:
    """What the QR code on a receipt says: INC-000042-K7QX."""
    return f"{log_number(record_id)}-{check_code}"


def parse_reference(text: object, prefix: str = "INC") -> Reference:
    """Read a typed or scanned number: '42', 'INC-42', 'inc-000042-k7qx', 'INC-000042 K7QX',
    'INC-000042K7QX'."""
    kind = KINDS.get(prefix, "a number")
    if not isinstance(text, str):
        raise BadInput(f"{kind.capitalize()} must be text, like {prefix}-000042.")
    cleaned = text.strip().upper()
    match = _REFERENCE.match(cleaned) or _RUN_TOGETHER.match(cleaned)
    if match is None or int(match["digits"]) == 0:
        raise BadInput(f"'{shown(text, 40)}' is not {kind}: they look like {prefix}-000042.")
    given = match["prefix"] or prefix
    if given != prefix:
        raise BadInput(f"{given}-{match['digits']} is not {PREFIXES[prefix]} number.")
    if int(match["digits"]) > 2**62:
        raise BadInput(f"'{shown(text, 20)}' is not {kind}: it is far too large.")
    return Reference(prefix, int(match["digits"]), match["check"])
