"""The finance section of the service report: what was spent in the period, by
category and against the year's budget, and the licence renewals coming.

    from store.finance import report
    report.section(dt.date(2026, 9, 1), dt.date(2026, 12, 18))
"""

from __future__ import annotations

import datetime as dt

from store.db.models import SPEND_CATEGORIES
from store.finance import licences, money
from store.finance.budget import budgets
from store.finance.spending import totals_by_category

AHEAD = dt.timedelta(days=90)
"""Renewals this far after the period's end are listed as coming."""


def section(start: dt.date, end: dt.date) -> dict:
    """The finance section for the period from `start` to `end` (both days counted):

    {"from", "to", "currency", "spent_pence", "by_category": [{"category", "spent_pence",
    "budget_pence" (the financial year's, or None), "year_spent_pence" (the financial
    year's so far, to `end`), "percent_of_budget"}], "renewals": [{"title", "renews_on",
    "auto_renew", "cost_pence"}], "year": "2026-27"}
    """
    found = money.settings()
    year = money.year_of(end, found.year_starts)
    year_first, _ = money.year_span(year, found.year_starts)
    spent = totals_by_category(start, end)
    year_spent = totals_by_category(year_first, end)
    set_budgets = budgets(year)
    lines = []
    for name in SPEND_CATEGORIES:
        if not (spent.get(name) or year_spent.get(name) or name in set_budgets):
            continue
        budget = set_budgets.get(name)
        so_far = year_spent.get(name, 0)
        lines.append(
            {
                "category": name,
                "spent_pence": spent.get(name, 0),
                "budget_pence": budget,
                "year_spent_pence": so_far,
                "percent_of_budget": round(100 * so_far / budget, 1) if budget else None,
            }
        )
    coming = [
        {
            "title": r.name,
            "renews_on": r.renews_on.isoformat(),
            "auto_renew": r.auto_renew,
            "cost_pence": r.cost_pence,
        }
        for r in licences.renewals_due(end)
        if r.renews_on <= end + AHEAD
    ]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "currency": found.currency,
        "year": money.year_label(year),
        "spent_pence": sum(spent.values()),
        "by_category": lines,
        "renewals": coming,
    }


def lines(found: dict) -> list[str]:
    """The section in sentences, for a report's text."""
    out = [
        f"{money.pounds(found['spent_pence'])} spent on IT from {found['from']} to {found['to']}."
    ]
    for line in found["by_category"]:
        budget = (
            f"; {money.pounds(line['year_spent_pence'])} of {money.pounds(line['budget_pence'])} "
            f"budgeted for {found['year']} ({line['percent_of_budget']:g}%)"
            if line["budget_pence"]
            else ""
        )
        out.append(f"{line['category'].capitalize()}: {money.pounds(line['spent_pence'])}{budget}.")
    for renewal in found["renewals"]:
        how = "renews itself" if renewal["auto_renew"] else "needs renewing"
        out.append(
            f"Licence renewal: {renewal['title']} on {renewal['renews_on']} ({how}, "
            f"{money.pounds(renewal['cost_pence'])})."
        )
    return out
