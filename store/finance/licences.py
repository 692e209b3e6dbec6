"""What each licence costs, when it renews, and which renewals are due.

    from store.finance import licences
    licences.set_licence("Office 2024", cost="12.50", per="seat", renews_on="2027-08-31",
                         auto_renew=True, remind_days=90, by="jsmith")
    licences.renewals_due(dt.date.today())     # titles whose renewal is within its window
    licences.yearly_cost(row)                  # pence a year, or None

A cost is per seat (a year, times the seats bought, or the seats in use where none are
counted), per year for the whole licence, or once (bought outright: no renewal). A
renewal date in the past is refused unless the date it renews to is given with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.configuration import software as library
from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput
from store.db.models import Software
from store.db.sanitise import clean_date, shown
from store.finance import money
from store.school import people

PER = ("seat", "year", "once")
LONGEST_REMINDER = 366


@dataclass(frozen=True)
class Licence:
    """A title's licence money."""

    name: str
    cost_pence: int | None
    cost_per: str
    seats: int | None
    installs: int
    renews_on: dt.date | None
    auto_renew: bool
    remind_days: int
    yearly_pence: int | None
    """What it costs a year (None: no cost recorded, or bought once)."""


@dataclass(frozen=True)
class Renewal:
    """A renewal the desk reminds about."""

    name: str
    renews_on: dt.date
    days_left: int
    """Negative once the date has passed."""
    auto_renew: bool
    cost_pence: int | None
    """What the renewal will cost (a year's cost), if known."""

    @property
    def words(self) -> str:
        when = (
            f"renews in {self.days_left} day{'' if self.days_left == 1 else 's'}"
            if self.days_left >= 0
            else f"renewal passed {-self.days_left} day{'' if self.days_left == -1 else 's'} ago"
        )
        how = "renews itself" if self.auto_renew else "needs renewing"
        cost = f", {money.pounds(self.cost_pence)}" if self.cost_pence else ""
        return f"{self.name} {when} ({self.renews_on.isoformat()}, {how}{cost})."


def yearly_cost(row: Software, installs: int | None = None) -> int | None:
    """Pence a year for `row`'s licence: per seat times the seats bought (or in use)."""
    if row.cost_pence is None or row.cost_per == "once":
        return None
    if row.cost_per == "seat":
        seats = row.seats if row.seats is not None else installs
        return row.cost_pence * (seats or 0)
    return row.cost_pence


def _day(value) -> dt.date | None:
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _licence(row: Software) -> Licence:
    installs = library._seats_in_use(row.id)
    return Licence(
        library.name_of(row),
        row.cost_pence,
        row.cost_per,
        row.seats,
        installs,
        _day(row.renews_on),
        bool(row.auto_renew),
        row.remind_days,
        yearly_cost(row, installs),
    )


def licence(name: str) -> Licence:
    row = library.software_row(name)
    with read():
        return _licence(row)


def licences() -> list[Licence]:
    """Every title in the library with its licence money, by name."""
    with read():
        rows = list(
            Software.select()
            .where(Software.retired == False)  # noqa: E712
            .order_by(Software.title, Software.version)
        )
        return [_licence(row) for row in rows]


def clean_licence(
    *,
    cost: object = None,
    per: object = None,
    renews_on: object = None,
    renews_to: object = None,
    auto_renew: bool | None = None,
    remind_days: object = None,
    today: dt.date | None = None,
) -> dict:
    """The columns to store for the licence money given; BadInput before anything is
    written. A renewal date in the past needs `renews_to`, the date it now runs to."""
    today = today or dt.date.today()
    out: dict = {}
    if cost is not None:
        out["cost_pence"] = None if not str(cost).strip() else money.parse_amount(cost, zero=True)
    if per is not None:
        word = str(per).strip().lower()
        if word not in PER:
            raise BadInput(f"'{shown(per)}' is not how a licence is paid for: seat, year or once.")
        out["cost_per"] = word
    if renews_to is not None and str(renews_to).strip():
        later = clean_date(renews_to, "date it renews to")
        if later <= today:
            raise BadInput(f"The date it renews to, {later.isoformat()}, is not in the future.")
        out["renews_on"] = later
    elif renews_on is not None:
        when = clean_date(renews_on, "renewal date")
        if when is not None and when < today:
            raise BadInput(
                f"The renewal date {when.isoformat()} has passed: give the date it renews "
                "to as well (--renews-to)."
            )
        out["renews_on"] = when
    if auto_renew is not None:
        out["auto_renew"] = bool(auto_renew)
    if remind_days is not None:
        text = str(remind_days).strip()
        if not text.isdigit() or int(text) > LONGEST_REMINDER:
            raise BadInput(
                f"'{shown(remind_days)}' is not a reminder window: whole days, 0 to "
                f"{LONGEST_REMINDER}."
            )
        out["remind_days"] = int(text)
    return out


def set_licence(name: str, *, by: str, today: dt.date | None = None, **given) -> Licence:
    """Record a title's licence cost, how it is paid, its renewal date, auto-renew and
    reminder window (clean_licence's keywords); what is not given stays."""
    changes = clean_licence(today=today, **given)
    if not changes:
        raise BadInput(
            "Say what to change: --cost, --cost-per, --renews, --auto-renew or --remind-days."
        )
    row = library.software_row(name)
    with write():
        people.active_technician(by)
        row = Software.get_by_id(row.id)
        for column, value in changes.items():
            before = getattr(row, column)
            if column == "renews_on":
                before = _day(before)
            if before != value:
                journal.record(by, row, "edit licence", field=column, before=before, after=value)
        Software.update(**changes).where(Software.id == row.id).execute()
    return licence(name)


def renewals_due(today: dt.date) -> list[Renewal]:
    """Titles whose renewal date falls within their reminder window of `today` (or has
    passed without a new date), soonest first: what the desk shows as notices."""
    due = []
    for found in licences():
        if found.renews_on is None:
            continue
        left = (found.renews_on - today).days
        if left <= found.remind_days:
            due.append(
                Renewal(found.name, found.renews_on, left, found.auto_renew, found.yearly_pence)
            )
    return sorted(due, key=lambda r: (r.renews_on, r.name))
