"""A believable academy's IT money: the financial year from September, a £1,000
capitalisation threshold, funding sources and today's prices on the register, core
network kit, licence costs and renewals, three years of spending before this one
(repairs rising, many of them on calls) and this year's budget.

    from store.demo import finance
    finance.fill_finance(random.Random(1), by="jsmith", today=dt.date.today())

Run again, it adds nothing: a school that already records spending is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from store.db import journal
from store.db.database import write
from store.db.models import Asset, Incident, Location, Software, Spend
from store.finance import budget, licences, lifecycle, money

PRICES = {
    "laptop": 64900,
    "chromebook": 21900,
    "desktop": 54900,
    "tablet": 32900,
    "printer": 245000,
    "projector": 52000,
    "panel": 189000,
    "access_point": 45500,
    "switch": 160000,
    "server": 620000,
    "power_supply": 3500,
    "other": 15000,
}
"""What the school pays for each kind of device today, VAT reclaimed."""
FUNDING = {
    "laptop": ("Revenue budget", "Revenue budget", "Devolved Formula Capital"),
    "chromebook": ("Pupil premium", "Revenue budget", "PTA"),
    "desktop": ("Devolved Formula Capital",),
    "projector": ("Devolved Formula Capital",),
    "printer": ("Revenue budget",),
    "access_point": ("Devolved Formula Capital",),
    "switch": ("Devolved Formula Capital",),
    "server": ("Devolved Formula Capital",),
}
CORE = (
    # tag, kind, make and model, room, years old
    ("SRV-01", "server", "Dell PowerEdge R650", "SERVER", 4.6),
    ("SRV-02", "server", "Dell PowerEdge R650", "SERVER", 2.1),
    ("SW-CORE", "switch", "Aruba 6300M", "SERVER", 6.4),
    ("SW-01", "switch", "Aruba 2930F", "SERVER", 6.4),
    ("SW-02", "switch", "Aruba 2930F", "IT1", 3.2),
    ("SW-03", "switch", "Aruba 2930F", "LIB", 3.2),
)
LICENCES = {
    # title: cost (pounds), per, auto-renew, reminder days
    "Microsoft 365": ("2950.00", "year", True, 90),
    "Sibelius 2024": ("45.00", "seat", False, 60),
    "Adobe Express": ("0.00", "seat", True, 30),
}
YEARLY = (
    # category, supplier, description, pounds a year, times a year
    ("services", "Openreach", "Broadband, 1 Gbps leased line", 4200, 12),
    ("contracts", "Arbor", "MIS subscription", 6800, 1),
    ("contracts", "Smoothwall", "Web filtering and monitoring", 3100, 1),
    ("services", "Local authority", "Data protection officer service", 1500, 1),
    ("consumables", "Kyocera", "Toner and staples", 5200, 6),
    ("consumables", "Misco", "Cables, mice and headphones", 1400, 4),
)
REPAIRS = (
    ("Replacement screen", 9500, 16000),
    ("Keyboard", 3800, 6500),
    ("Battery", 4500, 8900),
    ("Charger", 2200, 3900),
    ("Projector lamp", 11000, 17500),
    ("Fuser unit", 14500, 22000),
)
REPAIRS_A_YEAR = (3100_00, 3700_00, 4400_00)
"""Repairs in the three complete years before this one: rising as devices age."""
BUDGET = {
    "hardware": 6500000,
    "licences": 400000,
    "repairs": 500000,
    "software": 150000,
    "consumables": 700000,
    "services": 650000,
    "contracts": 1050000,
}
"""This year's budget in pence, by category."""


def fill_finance(rng: random.Random, *, by: str, today: dt.date | None = None) -> None:
    """Fill in the school's money, unless it already records spending."""
    today = today or dt.date.today()
    with write():
        if Spend.select().exists():
            return
    money.set_settings(year_starts="september", threshold="1000", currency="GBP", by=by)
    _register(rng, today)
    for title, (cost, per, auto, remind) in LICENCES.items():
        if Software.select().where(Software.title == title.split(" 20")[0]).exists():
            licences.set_licence(
                title, cost=cost, per=per, auto_renew=auto, remind_days=remind, by=by, today=today
            )
    _spending(rng, by, today)
    current = money.year_of(today)
    for category, pence in BUDGET.items():
        budget.set_budget(current, category, f"{pence // 100}.{pence % 100:02d}", by=by)


def _register(rng: random.Random, today: dt.date) -> None:
    """Today's prices (a little less for older devices), funding, and the core network."""
    with write():
        server_room = Location.get_or_none(Location.code == "SERVER") or Location.get_or_none(
            Location.code == "IT1"
        )
        tags = {row.tag for row in Asset.select(Asset.tag)}
        for tag, kind, name, _room, years in CORE:
            if tag in tags:
                continue
            make, _, model = name.partition(" ")
            Asset.insert(
                tag=tag,
                kind=kind,
                make=make,
                model=model,
                location=server_room,
                purchased_on=today - dt.timedelta(days=round(years * 365.25)),
                supplier="XMA",
                serial=f"CN{rng.randrange(10**8):08d}",
            ).execute()
        rows = list(Asset.select(Asset.id, Asset.kind, Asset.purchased_on))
        for row in rows:
            bought = row.purchased_on
            if isinstance(bought, str):
                bought = dt.date.fromisoformat(bought[:10])
            age = (today - bought).days / 365.25 if bought else 0
            price = PRICES.get(row.kind, PRICES["other"])
            cost = round(price * (1 - 0.035 * age) / 100) * 100  # prices rise 3.5% a year
            funding = rng.choice(FUNDING.get(row.kind, ("Revenue budget",)))
            Asset.update(cost_pence=cost, funding=funding).where(Asset.id == row.id).execute()
        # Devices already past their life are phased over this year and the next, as a
        # business manager spreads a backlog; two old projectors are planned for next year.
        current = money.year_of(today)
        starts = money.settings().year_starts
        late = []
        for row in Asset.select(Asset.id, Asset.kind, Asset.purchased_on).order_by(
            Asset.purchased_on, Asset.id
        ):
            bought = row.purchased_on
            if isinstance(bought, str):
                bought = dt.date.fromisoformat(bought[:10])
            ends = lifecycle.replacement_year(
                bought, lifecycle.life_of(row.kind, None), None, starts
            )
            if ends is not None and ends < current:
                late.append(row.id)
        for n, phase in enumerate((late[::2], late[1::2])):
            Asset.update(replace_in=current + n).where(Asset.id.in_(phase)).execute()
        oldest = (
            Asset.select(Asset.id)
            .where(Asset.kind == "projector")
            .order_by(Asset.purchased_on)
            .limit(2)
        )
        Asset.update(replace_in=money.year_of(today) + 1).where(
            Asset.id.in_([r.id for r in oldest])
        ).execute()


def _spending(rng: random.Random, by: str, today: dt.date) -> None:
    """Three complete years of spending and this one so far."""
    starts = money.settings().year_starts
    current = money.year_of(today, starts)
    rows: list[dict] = []
    at = journal.now()

    def add(day, pence, category, supplier, description, **links):
        rows.append(
            {
                "amount_pence": pence,
                "category": category,
                "spent_on": day,
                "supplier": supplier,
                "reference": f"PO{rng.randrange(10**5):05d}",
                "description": description,
                "asset": links.get("asset"),
                "software": links.get("software"),
                "incident": links.get("incident"),
                "source": "demo",
                "created_by": by,
                "created_at": at,
            }
        )

    with write():
        calls = [
            (row.id, row.asset_id, row.logged_at)
            for row in Incident.select(Incident.id, Incident.asset, Incident.logged_at)
            .where(Incident.asset.is_null(False))
            .order_by(Incident.id)
        ]
        devices = [row.id for row in Asset.select(Asset.id).order_by(Asset.id)]
        titles = {
            row.title: (row.id, row.renews_on)
            for row in Software.select(Software.id, Software.title, Software.renews_on)
        }
        bought = list(
            Asset.select(Asset.kind, Asset.purchased_on, Asset.cost_pence).where(
                Asset.purchased_on.is_null(False)
            )
        )
    for year in range(current - 3, current + 1):
        first, last = money.year_span(year, starts)
        end = min(last, today)
        span = (end - first).days
        share = (span + 1) / ((last - first).days + 1)
        for category, supplier, description, pounds_a_year, times in YEARLY:
            for n in range(times):
                day = first + dt.timedelta(days=(n * 365) // times + 14)
                if day <= end:
                    add(day, pounds_a_year * 100 // times, category, supplier, description)
        for title, (software_id, renews) in titles.items():
            cost, per, _auto, _remind = LICENCES.get(
                next((k for k in LICENCES if k.startswith(title)), ""), ("0", "", 0, 0)
            )
            pence = money.parse_amount(cost, zero=True, currency="GBP")
            if isinstance(renews, str):
                renews = dt.date.fromisoformat(renews[:10])
            paid = budget.renewal_in(renews, year, starts) if renews else first
            if pence and paid <= end:
                seats = 20 if per == "seat" else 1
                add(paid, pence * seats, "licences", "Softcat", f"{title} renewal",
                    software=software_id)  # fmt: skip
        kinds: dict[str, int] = {}
        for device in bought:
            day = device.purchased_on
            if isinstance(day, str):
                day = dt.date.fromisoformat(day[:10])
            if first <= day <= end and device.cost_pence:
                kinds[device.kind] = kinds.get(device.kind, 0) + device.cost_pence
        for kind, pence in sorted(kinds.items()):
            add(first + dt.timedelta(days=30), pence, "hardware", "XMA", f"New {kind}s")
        target = REPAIRS_A_YEAR[year - current + 3] if year < current else int(4800_00 * share)
        spent = 0
        in_year = [c for c in calls if first <= _date(c[2]) <= end]
        while spent < target:
            what, low, high = rng.choice(REPAIRS)
            pence = rng.randrange(low, high)
            if in_year and rng.random() < 0.8:
                call, asset, when = rng.choice(in_year)
                add(_date(when), pence, "repairs", "Stone Group", what, incident=call, asset=asset)
            else:
                day = first + dt.timedelta(days=rng.randrange(max(span, 1)))
                add(day, pence, "repairs", "Stone Group", what, asset=rng.choice(devices))
            spent += pence
    with write():
        for start in range(0, len(rows), 500):
            Spend.insert_many(rows[start : start + 500]).execute()


def _date(value) -> dt.date:
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value[:19]).date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value
