"""A device's financial record: where its money came from, capital or revenue, its
useful life, straight-line depreciation to a book value, its planned replacement and
its total cost of ownership.

    from store.finance import lifecycle
    lifecycle.record("LAP-0042", today=dt.date(2026, 12, 7))   # Record(book_value_pence=...)
    lifecycle.set_record("LAP-0042", funding="Devolved capital", life=4, by="jsmith")

Useful lives (USEFUL_LIFE) are the years a school can expect a device to serve before
it is replaced. Academy trusts depreciate on a straight-line basis over each asset's
useful economic life (the ESFA's Academy Trust Handbook and Accounts Direction, and
FRS 102 section 17); their published accounting policies most often give "ICT
equipment: 3 to 5 years". Within that range our figures are a judgement, not a
published table: a laptop is carried about and its battery and hinges wear (4);
Chromebooks get about eight years of Google's updates but live in trolleys (5);
desktops sit still (5); a server's warranty and support usually stop at 5; projectors
and interactive panels last longer (6 and 7, lamps and panels aside); switches run a
long time (7); access points follow the Wi-Fi generations the DfE's wireless network
standard asks schools to keep up with (5). A school sets its own on each device.

Depreciation is by whole months: a £1,000 laptop with a life of 4 years loses £1,000/48
each month from the month it was bought, and its book value never falls below nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.configuration.assets import KINDS, asset_row
from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput
from store.db.models import Asset, Incident, Spend
from store.db.sanitise import Field, clean
from store.finance import money
from store.school import people

USEFUL_LIFE = {
    "laptop": 4,
    "chromebook": 5,
    "desktop": 5,
    "tablet": 4,
    "printer": 5,
    "projector": 6,
    "panel": 7,
    "access_point": 5,
    "switch": 7,
    "server": 5,
    "power_supply": 4,
    "other": 5,
}
"""Default useful life in years for each kind of device (see the module's docstring)."""
FUNDING = Field("the funding source", 80, required=False)
LONGEST_LIFE = 30


@dataclass(frozen=True)
class Record:
    """A device's money, as screens show it."""

    tag: str
    kind: str
    funding: str
    cost_pence: int | None
    purchased_on: dt.date | None
    capital: bool | None
    """Whether its cost is at or above the capitalisation threshold (None: no cost)."""
    life_years: int
    own_life: bool
    """Whether the life is this device's own, not its kind's default."""
    book_value_pence: int | None
    replace_in: int | None
    """The financial year it is planned to be replaced in (its first calendar year)."""
    spend_pence: int
    """Spent on it since: repairs (on it or on its calls), parts, licences."""
    total_cost_pence: int | None
    """Purchase and everything spent on it since (None: neither is known)."""


def life_of(kind: str, own: int | None) -> int:
    return own if own else USEFUL_LIFE.get(kind, USEFUL_LIFE["other"])


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (0 when `end` is before)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(0, months)


def book_value(
    cost_pence: int | None, bought: dt.date | None, life: int, on: dt.date
) -> int | None:
    """Straight-line book value on `on`: the cost less a 1/(life*12) share a whole month."""
    if cost_pence is None or bought is None:
        return None
    total = life * 12
    left = max(0, total - months_between(bought, on))
    return cost_pence * left // total


def replacement_year(
    bought: dt.date | None, life: int, planned: int | None, starts: int
) -> int | None:
    """The financial year a device is planned to be replaced in: the school's own plan,
    else the year its useful life ends in."""
    if planned:
        return planned
    if bought is None:
        return None
    try:
        end = bought.replace(year=bought.year + life)
    except ValueError:  # 29 February
        end = bought.replace(year=bought.year + life, day=28)
    return money.year_of(end, starts)


def spend_on(asset_ids: list[int] | None = None) -> dict[int, int]:
    """Pence spent on each device since it was bought: costs against it, and costs
    against its calls that name no device of their own. Call inside `read()`."""
    direct = Spend.select(Spend.asset.alias("aid"), Spend.amount_pence).where(
        Spend.asset.is_null(False)
    )
    via = (
        Spend.select(Incident.asset.alias("aid"), Spend.amount_pence)
        .join(Incident, on=(Spend.incident == Incident.id))
        .where(Spend.asset.is_null() & Incident.asset.is_null(False))
    )
    if asset_ids is not None:
        direct = direct.where(Spend.asset.in_(asset_ids))
        via = via.where(Incident.asset.in_(asset_ids))
    found: dict[int, int] = {}
    for query in (direct, via):
        for aid, pence in query.tuples():
            found[aid] = found.get(aid, 0) + int(pence)
    return found


def _day(value) -> dt.date | None:
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def record(tag: str, today: dt.date | None = None) -> Record:
    """One device's financial record on `today`."""
    today = today or dt.date.today()
    found = money.settings()
    row = asset_row(tag)
    with read():
        spent = spend_on([row.id]).get(row.id, 0)
    return _record(row, spent, found, today)


def _record(row: Asset, spent: int, found: money.Settings, today: dt.date) -> Record:
    bought = _day(row.purchased_on)
    life = life_of(row.kind, row.useful_life_years)
    cost = row.cost_pence
    total = None if cost is None and not spent else (cost or 0) + spent
    return Record(
        row.tag,
        row.kind,
        row.funding,
        cost,
        bought,
        None if cost is None else cost >= found.threshold_pence,
        life,
        bool(row.useful_life_years),
        book_value(cost, bought, life, today),
        replacement_year(bought, life, row.replace_in, found.year_starts),
        spent,
        total,
    )


def records(today: dt.date | None = None, *, include_retired: bool = False) -> list[Record]:
    """Every device's financial record, by tag."""
    today = today or dt.date.today()
    found = money.settings()
    with read():
        query = Asset.select().order_by(Asset.tag)
        if not include_retired:
            query = query.where(Asset.status != "retired")
        rows = list(query)
        spent = spend_on()
    return [_record(row, spent.get(row.id, 0), found, today) for row in rows]


def clean_life(value: object) -> int | None:
    """A useful life in whole years, 1 to LONGEST_LIFE; '' or None: the kind's default."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if not text.isdigit():
        raise BadInput(f"'{text[:20]}' is not a useful life: give whole years, like 5.")
    years = int(text)
    if years == 0:
        raise BadInput(
            "A useful life of 0 years would be spent the day it was bought: give 1 or more."
        )
    if years > LONGEST_LIFE:
        raise BadInput(f"A useful life is at most {LONGEST_LIFE} years.")
    return years


def set_record(
    tag: str,
    *,
    funding: object = None,
    life: object = None,
    replace_in: object = None,
    by: str,
    today: dt.date | None = None,
) -> Record:
    """Set a device's funding source, useful life or planned replacement year; what is
    not given stays, '' clears it."""
    changes: dict = {}
    if funding is not None:
        changes["funding"] = clean(funding, FUNDING)
    if life is not None:
        changes["useful_life_years"] = clean_life(life)
    if replace_in is not None:
        changes["replace_in"] = (
            None if not str(replace_in).strip() else money.clean_year(replace_in, today)
        )
    if not changes:
        raise BadInput("Say what to change: --funding, --life or --replace-in.")
    with write():
        people.active_technician(by)
        row = asset_row(tag)
        for name, value in changes.items():
            before = getattr(row, name)
            if before != value:
                journal.record(by, row, "edit finance", field=name, before=before, after=value)
        Asset.update(**changes, version=Asset.version + 1).where(Asset.id == row.id).execute()
    return record(tag, today)


def kind_words(kind: str) -> str:
    return KINDS.get(kind, kind)


def latest_prices() -> dict[str, int]:
    """What each kind of device cost when the school last bought one: today's price."""
    with read():
        rows = (
            Asset.select(Asset.kind, Asset.cost_pence, Asset.purchased_on)
            .where(Asset.cost_pence.is_null(False) & Asset.purchased_on.is_null(False))
            .order_by(Asset.purchased_on, Asset.id)
            .tuples()
        )
        prices = {}
        for kind, cost, _day_bought in rows:
            prices[kind] = int(cost)
        return prices
