"""The IT budget: what the school plans to spend on each category in a financial year,
and the plan for the years ahead that a business manager takes to governors.

    from store.finance import budget
    budget.set_budget(2026, "repairs", "4000", by="jsmith")      # a manager's step
    found = budget.plan(years=3, today=dt.date(2026, 12, 7))
    found["years"][0]["total_pence"], found["current"]["categories"]

For each financial year from the current one, `plan` gives:

- the devices reaching the end of their useful life (store.finance.lifecycle), with
  what replacing them costs at today's prices: the cost of the latest purchase of the
  same kind of device, or the device's own cost when the school never bought another;
  devices already past their replacement year are put in the current year;
- the licence renewals: each title with a yearly cost, once a year, on its renewal
  date's anniversary in that year;
- repairs, projected from the trend (`repairs_trend`);
- the budget set for each category, and for the current year what has been spent
  against it so far.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from store.db import journal
from store.db.database import read, write
from store.db.models import SPEND_CATEGORIES, Budget, Spend
from store.finance import licences as licence_money
from store.finance import lifecycle, money
from store.finance.spending import clean_category, totals_by_category
from store.school import people

LONGEST_PLAN = 10
TREND_YEARS = 3


def set_budget(year: object, category: object, amount: object, *, by: str, today=None) -> int:
    """Set a category's budget for a financial year (a manager's step); its pence."""
    found_year = money.clean_year(year, today)
    name = clean_category(category)
    pence = money.parse_amount(amount, zero=True)
    with write():
        people.manager_or_first(by, "set the IT budget")
        row = Budget.get_or_none((Budget.year == found_year) & (Budget.category == name))
        before = None
        if row is None:
            row = Budget.create(year=found_year, category=name, amount_pence=pence)
        else:
            before = money.pounds(row.amount_pence)
            Budget.update(amount_pence=pence).where(Budget.id == row.id).execute()
        journal.record(
            by,
            row,
            "set budget",
            field=f"{money.year_label(found_year)} {name}",
            before=before,
            after=money.pounds(pence),
        )
    return pence


def budgets(year: int) -> dict[str, int]:
    """Each category's budget for financial year `year`, in pence."""
    with read():
        return {
            category: int(pence)
            for category, pence in Budget.select(Budget.category, Budget.amount_pence)
            .where(Budget.year == year)
            .tuples()
        }


def repairs_trend(today: dt.date, starts: int) -> tuple[list[tuple[int, int]], str]:
    """Repairs by financial year for up to TREND_YEARS complete years before the current
    one, and how the projection is made from them.

    The method: with two or more complete years, a straight line fitted by least
    squares through their totals, carried on to each year ahead (never below nothing);
    with one, that year's total each year; with none, the current year so far, scaled
    up to a whole year by the share of the year gone; with no repairs at all, nothing.
    """
    current = money.year_of(today, starts)
    first = money.year_span(current - TREND_YEARS, starts)[0]
    with read():
        rows = (
            Spend.select(Spend.spent_on, Spend.amount_pence)
            .where((Spend.category == "repairs") & (Spend.spent_on >= first))
            .tuples()
        )
        by_year: dict[int, int] = {}
        for day, pence in rows:
            if isinstance(day, str):
                day = dt.date.fromisoformat(day[:10])
            by_year[money.year_of(day, starts)] = by_year.get(money.year_of(day, starts), 0) + pence
        oldest = Spend.select(pw.fn.MIN(Spend.spent_on)).where(Spend.category == "repairs").scalar()
    if isinstance(oldest, str):
        oldest = dt.date.fromisoformat(oldest[:10])
    history = [
        (year, by_year.get(year, 0))
        for year in range(current - TREND_YEARS, current)
        if oldest is not None and year >= money.year_of(oldest, starts)
    ]
    if len(history) >= 2:
        return history, "least-squares line through the last complete years"
    if history:
        return history, "the last complete year, carried forward"
    if by_year.get(current):
        return [(current, by_year[current])], "this year so far, scaled to a whole year"
    return [], "no repairs recorded"


def project_repairs(history: list[tuple[int, int]], method: str, year: int, today, starts) -> int:
    """The repairs expected in financial year `year` (see repairs_trend)."""
    if not history:
        return 0
    if method.startswith("this year"):
        first, last = money.year_span(history[0][0], starts)
        gone = max(1, (today - first).days + 1)
        return history[0][1] * ((last - first).days + 1) // gone
    if len(history) == 1:
        return history[0][1]
    n = len(history)
    xs = [y for y, _ in history]
    ys = [p for _, p in history]
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return max(0, round(mean_y + slope * (year - mean_x)))


def renewal_in(renews: dt.date, year: int, starts: int) -> dt.date:
    """The anniversary of `renews` that falls in financial year `year`."""
    first, _ = money.year_span(year, starts)
    for candidate_year in (first.year, first.year + 1):
        try:
            day = renews.replace(year=candidate_year)
        except ValueError:
            day = renews.replace(year=candidate_year, day=28)
        if money.year_of(day, starts) == year:
            return day
    return first


def plan(years: int = 3, today: dt.date | None = None) -> dict:
    """The budget plan for `years` financial years from the current one (a plain dict,
    ready for JSON and for budget_files)."""
    today = today or dt.date.today()
    found = money.settings()
    starts = found.year_starts
    current = money.year_of(today, starts)
    prices = lifecycle.latest_prices()
    devices = lifecycle.records(today)
    titles = licence_money.licences()
    history, method = repairs_trend(today, starts)
    out_years = []
    overdue = 0
    for year in range(current, current + years):
        first, last = money.year_span(year, starts)
        groups: dict[str, dict] = {}
        for device in devices:
            when = device.replace_in
            if when is None:
                continue
            late = when < current
            if (when if not late else current) != year:
                continue
            overdue += late
            price = prices.get(device.kind, device.cost_pence or 0)
            entry = groups.setdefault(
                device.kind,
                {
                    "kind": device.kind,
                    "label": lifecycle.kind_words(device.kind),
                    "devices": 0,
                    "overdue": 0,
                    "unit_pence": price,
                    "cost_pence": 0,
                    "tags": [],
                },
            )
            entry["devices"] += 1
            entry["overdue"] += late
            entry["cost_pence"] += price
            entry["tags"].append(device.tag)
        replacements = sorted(groups.values(), key=lambda g: (-g["cost_pence"], g["kind"]))
        renewals = []
        for title in titles:
            if title.yearly_pence is None or title.yearly_pence == 0:
                continue
            on = renewal_in(title.renews_on, year, starts) if title.renews_on else first
            renewals.append(
                {
                    "title": title.name,
                    "renews_on": on.isoformat(),
                    "auto_renew": title.auto_renew,
                    "cost_per": title.cost_per,
                    "cost_pence": title.yearly_pence,
                }
            )
        renewals.sort(key=lambda r: (r["renews_on"], r["title"]))
        repairs = project_repairs(history, method, year, today, starts)
        planned = {
            "hardware": sum(g["cost_pence"] for g in replacements),
            "licences": sum(r["cost_pence"] for r in renewals),
            "repairs": repairs,
        }
        set_budgets = budgets(year)
        categories = [
            {
                "category": name,
                "planned_pence": planned.get(name, 0),
                "budget_pence": set_budgets.get(name),
            }
            for name in SPEND_CATEGORIES
            if planned.get(name) or set_budgets.get(name) is not None
        ]
        out_years.append(
            {
                "year": year,
                "label": money.year_label(year),
                "from": first.isoformat(),
                "to": last.isoformat(),
                "replacements": replacements,
                "replacement_pence": planned["hardware"],
                "devices": sum(g["devices"] for g in replacements),
                "renewals": renewals,
                "licence_pence": planned["licences"],
                "repairs_pence": repairs,
                "categories": categories,
                "total_pence": sum(planned.values()),
                "budget_pence": (
                    sum(set_budgets.get(name, 0) for name in planned)
                    if any(name in set_budgets for name in planned)
                    else None
                ),
                "budget_all_pence": sum(set_budgets.values()) if set_budgets else None,
            }
        )
    first, last = money.year_span(current, starts)
    spent = totals_by_category(first, min(today, last))
    set_now = budgets(current)
    lines = [
        {
            "category": name,
            "spent_pence": spent.get(name, 0),
            "budget_pence": set_now.get(name),
            "left_pence": None if set_now.get(name) is None else set_now[name] - spent.get(name, 0),
        }
        for name in SPEND_CATEGORIES
        if spent.get(name) or set_now.get(name) is not None
    ]
    return {
        "today": today.isoformat(),
        "currency": found.currency,
        "year_starts": found.year_starts_word,
        "threshold_pence": found.threshold_pence,
        "years": out_years,
        "total_pence": sum(y["total_pence"] for y in out_years),
        "overdue_devices": overdue,
        "undated_devices": sum(1 for d in devices if d.replace_in is None),
        "repairs": {
            "method": method,
            "history": [{"year": y, "label": money.year_label(y), "pence": p} for y, p in history],
        },
        "current": {
            "year": current,
            "label": money.year_label(current),
            "from": first.isoformat(),
            "to": last.isoformat(),
            "so_far_to": min(today, last).isoformat(),
            "categories": lines,
            "spent_pence": sum(line["spent_pence"] for line in lines),
            "budget_pence": sum(v for v in set_now.values()) if set_now else None,
        },
    }
