"""Money as a school's finance office writes it, and the school's financial settings.

    from store.finance import money
    money.parse_amount("£1,299.99")          # 129999 (pence, never a float)
    money.pounds(129999)                     # "£1,299.99"
    money.settings()                         # Settings(year_starts=4, threshold_pence=100000, ...)
    money.set_settings(year_starts="september", threshold="1000", by="jsmith")  # a manager's
    money.year_of(dt.date(2026, 11, 3))      # 2026: the year 2026-27 starts in
    money.clean_spend_date("2026-11-03")     # a date inside a financial year the school has

Amounts are parsed with `decimal`: a negative amount, one with more than two decimal
places, or one marked with another currency ("$12", "EUR 12") is refused in one
sentence. The settings are JSON in the settings table, journalled when a manager
changes them.

The financial years a school "has" run from its first one to the current one: the
first is the earliest of the year its oldest device was bought in and SIX_YEARS before
the current one (the six years schools keep financial records for). Spending is
recorded when it happens, so a date after the end of the current financial year is
refused; budgets may be set up to PLAN_AHEAD years ahead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

import peewee as pw

from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput
from store.db.models import Asset, Setting, Spend
from store.db.sanitise import clean_date, shown
from store.school import people

KEY = "finance"
MOST_PENCE = 1_000_000_000
"""£10,000,000.00: more than any one school cost, and within a 32-bit column."""
SIX_YEARS = 6
PLAN_AHEAD = 10
CURRENCIES = {"GBP": "£", "EUR": "€", "USD": "$"}
"""The currencies a school may keep its books in, and their signs."""
MARKS = {
    "£": "GBP", "GBP": "GBP", "€": "EUR", "EUR": "EUR", "$": "USD", "USD": "USD",
    "US$": "USD", "¥": "JPY", "JPY": "JPY", "CHF": "CHF", "AUD": "AUD", "CAD": "CAD",
    "A$": "AUD", "C$": "CAD", "₹": "INR", "INR": "INR", "SEK": "SEK", "NOK": "NOK",
    "PLN": "PLN", "ZŁ": "PLN", "DKK": "DKK", "NZD": "NZD",
}  # fmt: skip
"""Currency marks written before or after an amount, and what they mean."""
_AMOUNT = re.compile(
    r"(?P<before>[^\d\s.,+-]*)\s*(?P<sign>[+-]?)\s*(?P<mark2>[^\d\s.,+-]*)\s*"
    r"(?P<number>[\d.,]+)\s*(?P<after>[^\d\s.,]*)",
    re.ASCII,
)
STARTS = {"april": 4, "september": 9}
"""Maintained schools' financial year starts in April, academies' in September."""


@dataclass(frozen=True)
class Settings:
    """The school's financial settings."""

    year_starts: int = 4
    """The month its financial year starts in: 4 (April) or 9 (September)."""
    threshold_pence: int = 100_000
    """A device bought for this much or more is capital; below it, revenue."""
    currency: str = "GBP"

    @property
    def sign(self) -> str:
        return CURRENCIES.get(self.currency, "")

    @property
    def year_starts_word(self) -> str:
        return "September" if self.year_starts == 9 else "April"


def settings() -> Settings:
    """The school's own settings, or the defaults (April, £1,000, GBP)."""
    with read():
        row = Setting.get_or_none(Setting.key == KEY)
    return _parse(row.value if row is not None else None)


def _parse(text: str | None) -> Settings:
    if text is None:
        return Settings()
    try:
        stored = json.loads(text)
        return Settings(
            int(stored.get("year_starts", 4)) if int(stored.get("year_starts", 4)) in (4, 9) else 4,
            int(stored.get("threshold_pence", 100_000)),
            str(stored.get("currency", "GBP")) if stored.get("currency") in CURRENCIES else "GBP",
        )
    except (ValueError, TypeError, AttributeError):
        return Settings()  # a setting edited by hand into nonsense: the defaults


def set_settings(
    *,
    year_starts: object = None,
    threshold: object = None,
    currency: object = None,
    by: str,
) -> Settings:
    """Change the financial year's start, the capitalisation threshold or the currency
    (a manager's step); what is not given stays."""
    before = settings()
    starts = before.year_starts
    if year_starts is not None:
        word = str(year_starts).strip().lower()
        if word not in STARTS:
            raise BadInput(
                f"'{shown(year_starts)}' is not a start of the financial year: april "
                "(maintained schools) or september (academies)."
            )
        starts = STARTS[word]
    chosen = before.currency
    if currency is not None:
        chosen = str(currency).strip().upper()
        if chosen not in CURRENCIES:
            raise BadInput(
                f"'{shown(currency)}' is not a currency we keep books in: {', '.join(CURRENCIES)}."
            )
    after = Settings(starts, before.threshold_pence, chosen)
    if threshold is not None:
        after = Settings(starts, parse_amount(threshold, currency=chosen, zero=True), chosen)
    with write():
        people.manager_or_first(by, "set the school's financial settings")
        row = Setting.put(KEY, json.dumps(asdict(after), sort_keys=True))
        journal.record(by, row, "set finance", before=words(before), after=words(after))
    return after


def words(found: Settings) -> str:
    return (
        f"year starts in {found.year_starts_word}, capital from "
        f"{pounds(found.threshold_pence, found)}, {found.currency}"
    )


def parse_amount(value: object, *, currency: str | None = None, zero: bool = False) -> int:
    """An amount of money as people and finance systems write it (129.99, £1,299.99,
    "GBP 40", 40.5) in whole pence; BadInput in one sentence for a negative amount, more
    than two decimal places, another currency, or no amount at all."""
    if isinstance(value, bool) or value is None:
        raise BadInput("Give an amount, like 129.99.")
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, float | Decimal):
        raise BadInput("Give an amount as text, like 129.99, never as a float.")
    currency = currency or settings().currency
    text = str(value).strip()
    said = shown(text, 30)
    if not text:
        raise BadInput("Give an amount, like 129.99.")
    if text.startswith("(") and text.endswith(")"):
        raise BadInput(f"'{said}' is negative (in brackets): a cost is never below nothing.")
    match = _AMOUNT.fullmatch(text.replace("\u00a0", " "))
    if match is None:
        raise BadInput(f"'{said}' is not an amount of money: write it like 129.99.")
    marks = [m.upper() for m in (match["before"], match["mark2"], match["after"]) if m]
    for mark in marks:
        meant = MARKS.get(mark)
        if meant is None:
            raise BadInput(f"'{said}' is not an amount of money: write it like 129.99.")
        if meant != currency:
            raise BadInput(
                f"'{said}' is in {meant}, and the school's accounts are in {currency}: "
                "convert it first."
            )
    if match["sign"] == "-":
        raise BadInput(f"'{said}' is negative: a cost is never below nothing.")
    number = match["number"]
    if not re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d*)?|\d+(\.\d*)?|\.\d+", number, re.ASCII):
        raise BadInput(f"'{said}' is not an amount of money: write it like 129.99.")
    try:
        amount = Decimal(number.replace(",", ""))
    except InvalidOperation:
        raise BadInput(f"'{said}' is not an amount of money: write it like 129.99.") from None
    if len(number.partition(".")[2]) > 2:
        raise BadInput(f"'{said}' has more than two decimal places: pence are the smallest unit.")
    pence = int(amount * 100)
    if pence > MOST_PENCE:
        raise BadInput(f"'{said}' is more than {pounds(MOST_PENCE)}, the most one amount may be.")
    if pence == 0 and not zero:
        raise BadInput("An amount of nothing is not a cost: give what was paid.")
    return pence


def pounds(pence: int | None, found: Settings | None = None) -> str:
    """Pence as people read money: £1,299.99 (or "-" for none)."""
    if pence is None:
        return "-"
    sign = (found or Settings()).sign
    return f"{'-' if pence < 0 else ''}{sign}{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def year_of(day: dt.date, starts: int | None = None) -> int:
    """The financial year `day` falls in, by the calendar year it starts in."""
    starts = starts or settings().year_starts
    return day.year if day.month >= starts else day.year - 1


def year_label(year: int) -> str:
    """2026 as people write the year: 2026-27."""
    return f"{year}-{(year + 1) % 100:02d}"


def year_span(year: int, starts: int | None = None) -> tuple[dt.date, dt.date]:
    """The first and last days of financial year `year`."""
    starts = starts or settings().year_starts
    first = dt.date(year, starts, 1)
    return first, dt.date(year + 1, starts, 1) - dt.timedelta(days=1)


def first_year(today: dt.date, starts: int) -> int:
    """The school's first financial year (see the module's docstring)."""
    with read():
        oldest = Asset.select(pw.fn.MIN(Asset.purchased_on)).scalar()
        spent = Spend.select(pw.fn.MIN(Spend.spent_on)).scalar()
    earliest = year_of(today, starts) - SIX_YEARS
    for day in (oldest, spent):
        if isinstance(day, str):
            day = dt.date.fromisoformat(day[:10])
        if day is not None:
            earliest = min(earliest, year_of(day, starts))
    return earliest


def spend_bounds(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last days a cost may be dated: the school's financial years."""
    today = today or dt.date.today()
    found = settings()
    start, _ = year_span(first_year(today, found.year_starts), found.year_starts)
    _, end = year_span(year_of(today, found.year_starts), found.year_starts)
    return start, end


def clean_spend_date(
    value: object, today: dt.date | None = None, bounds: tuple[dt.date, dt.date] | None = None
) -> dt.date:
    """The day money was spent: a date in a financial year the school has (`bounds`, from
    spend_bounds, when an import checks many), BadInput else."""
    day = clean_date(value, "date")
    if day is None:
        raise BadInput("Say when it was spent, like --date 2026-11-03.")
    start, end = bounds or spend_bounds(today)
    if not start <= day <= end:
        raise BadInput(
            f"{day.isoformat()} is outside the school's financial years "
            f"({start.isoformat()} to {end.isoformat()}): check the date."
        )
    return day


def clean_year(value: object, today: dt.date | None = None) -> int:
    """A financial year as 2026 or 2026-27, within the school's years or up to
    PLAN_AHEAD ahead."""
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})(?:[-/](\d{2}|\d{4}))?", text)
    if match is None or (match[2] and int(match[2][-2:]) != (int(match[1]) + 1) % 100):
        raise BadInput(f"'{shown(value)}' is not a financial year: write 2026 or 2026-27.")
    year = int(match[1])
    today = today or dt.date.today()
    starts = settings().year_starts
    first, current = first_year(today, starts), year_of(today, starts)
    if not first <= year <= current + PLAN_AHEAD:
        raise BadInput(
            f"{year_label(year)} is outside the school's financial years "
            f"({year_label(first)} to {year_label(current + PLAN_AHEAD)})."
        )
    return year
