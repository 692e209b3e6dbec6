"""The budget plan as a business manager takes it to governors: plain text, a web page
with its charts in inline SVG (no JavaScript, nothing fetched), or an A4 PDF, drawn
with the service report's renderer (store.service_levels.report_files).

    from store.finance import budget, budget_files
    found = budget.plan(years=3)
    print(budget_files.text(found))
    Path("budget.html").write_text(budget_files.html(found))
    Path("budget.pdf").write_bytes(budget_files.pdf(found))
"""

from __future__ import annotations

import datetime as dt

from store.finance.money import pounds
from store.service_levels.report_files import Bar, Chart, Section, as_html, as_pdf, as_text

CATEGORY_WORDS = {
    "hardware": "Hardware (replacements)",
    "licences": "Licences",
    "repairs": "Repairs and parts",
    "software": "Software",
    "consumables": "Consumables",
    "services": "Services",
    "contracts": "Contracts",
}


def _day(text: str) -> str:
    return dt.date.fromisoformat(text).strftime("%-d %B %Y")


def short(pence: int | None) -> str:
    """Money short enough for a chart's label: £4,984, £176.8k."""
    if pence is None:
        return "-"
    pounds_only = round(pence / 100)
    if pounds_only >= 100_000:
        return f"£{pounds_only / 1000:,.0f}k"
    if pounds_only >= 10_000:
        return f"£{pounds_only / 1000:,.1f}k"
    return f"£{pounds_only:,}"


def title(found: dict) -> str:
    years = found["years"]
    span = years[0]["label"] if len(years) == 1 else f"{years[0]['label']} to {years[-1]['label']}"
    return f"IT budget plan: {span}"


def sections(found: dict) -> list[Section]:
    """The plan's content, the same in text, HTML and PDF."""
    years = found["years"]
    out = []
    summary = Section("Summary")
    summary.lines += [
        f"Prepared on {_day(found['today'])}. The financial year starts in "
        f"{found['year_starts']}; a device bought for {pounds(found['threshold_pence'])} or more "
        "is capital, below that revenue.",
        f"Over {len(years)} year{'s' if len(years) != 1 else ''}: "
        f"{pounds(found['total_pence'])} in all, of which replacing devices "
        f"{pounds(sum(y['replacement_pence'] for y in years))}, licence renewals "
        f"{pounds(sum(y['licence_pence'] for y in years))} and repairs "
        f"{pounds(sum(y['repairs_pence'] for y in years))}.",
        "Replacements are costed at today's prices: what the school last paid for the same "
        "kind of device. Budgeted is what is set for hardware, licences and repairs that year.",
    ]
    if found["overdue_devices"]:
        summary.lines.append(
            f"{found['overdue_devices']} devices are already past their replacement year; "
            f"they are counted in {years[0]['label']}."
        )
    if found["undated_devices"]:
        summary.lines.append(
            f"{found['undated_devices']} devices have no purchase date or planned replacement, "
            "so they are not in the plan: record when they were bought."
        )
    summary.tables.append(
        (
            ("Year", "Devices", "Replacements", "Licences", "Repairs", "Total", "Budgeted"),
            [
                (
                    y["label"],
                    str(y["devices"]),
                    pounds(y["replacement_pence"]),
                    pounds(y["licence_pence"]),
                    pounds(y["repairs_pence"]),
                    pounds(y["total_pence"]),
                    pounds(y["budget_pence"]),
                )
                for y in years
            ],
        )
    )
    summary.charts.append(
        Chart(
            "Planned each year (the line: its budget; red: over it)",
            tuple(
                Bar(
                    y["label"],
                    y["total_pence"] / 100,
                    short(y["total_pence"]),
                    marker=None if y["budget_pence"] is None else y["budget_pence"] / 100,
                    low=y["budget_pence"] is not None and y["total_pence"] > y["budget_pence"],
                )
                for y in years
            ),
        )
    )
    out.append(summary)

    now = found["current"]
    spend = Section(f"Spend against budget, {now['label']} (to {_day(now['so_far_to'])})")
    if now["categories"]:
        spend.tables.append(
            (
                ("Category", "Budget", "Spent", "Left"),
                [
                    (
                        CATEGORY_WORDS.get(c["category"], c["category"]),
                        pounds(c["budget_pence"]),
                        pounds(c["spent_pence"]),
                        pounds(c["left_pence"]),
                    )
                    for c in now["categories"]
                ]
                + [("Total", pounds(now["budget_pence"]), pounds(now["spent_pence"]), "")],
            )
        )
        budgeted = [c for c in now["categories"] if c["budget_pence"]]
        spend.charts += [
            Chart(
                "Spent so far, as a share of each budget (red: over it)",
                tuple(
                    Bar(
                        CATEGORY_WORDS.get(c["category"], c["category"]),
                        100 * c["spent_pence"] / c["budget_pence"],
                        f"{100 * c['spent_pence'] / c['budget_pence']:.0f}%",
                        marker=100,
                        low=c["spent_pence"] > c["budget_pence"],
                    )
                    for c in budgeted
                ),
                high_end=max(
                    [100.0] + [100 * c["spent_pence"] / c["budget_pence"] for c in budgeted]
                ),
            )
        ][: 1 if budgeted else 0]
    else:
        spend.lines.append("Nothing has been spent or budgeted yet this year.")
    out.append(spend)

    for year in years:
        part = Section(f"{year['label']} ({_day(year['from'])} to {_day(year['to'])})")
        part.lines.append(
            f"{pounds(year['total_pence'])} planned: {year['devices']} devices to replace "
            f"({pounds(year['replacement_pence'])}), {len(year['renewals'])} licence "
            f"renewals ({pounds(year['licence_pence'])}), repairs "
            f"{pounds(year['repairs_pence'])}."
        )
        if year["replacements"]:
            part.tables.append(
                (
                    ("Devices reaching the end of their life", "Number", "Each", "Cost"),
                    [
                        (
                            g["label"] + (f" ({g['overdue']} overdue)" if g["overdue"] else ""),
                            str(g["devices"]),
                            pounds(g["unit_pence"]),
                            pounds(g["cost_pence"]),
                        )
                        for g in year["replacements"]
                    ],
                )
            )
        if year["renewals"]:
            part.tables.append(
                (
                    ("Licence", "Renews", "How", "Cost"),
                    [
                        (
                            r["title"],
                            r["renews_on"],
                            "auto-renews" if r["auto_renew"] else "to renew",
                            pounds(r["cost_pence"]),
                        )
                        for r in year["renewals"]
                    ],
                )
            )
        if year["categories"]:
            part.charts.append(
                Chart(
                    f"{year['label']} by category (the line: its budget)",
                    tuple(
                        Bar(
                            CATEGORY_WORDS.get(c["category"], c["category"]),
                            c["planned_pence"] / 100,
                            short(c["planned_pence"]),
                            marker=None if c["budget_pence"] is None else c["budget_pence"] / 100,
                            low=c["budget_pence"] is not None
                            and c["planned_pence"] > c["budget_pence"],
                        )
                        for c in year["categories"]
                    ),
                    high_end=max(
                        [c["planned_pence"] / 100 for c in year["categories"]]
                        + [(c["budget_pence"] or 0) / 100 for c in year["categories"]]
                        + [1]
                    ),
                )
            )
        out.append(part)

    repairs = found["repairs"]
    trend = Section("How repairs are projected")
    trend.lines.append(f"Method: {repairs['method']}.")
    if repairs["history"]:
        trend.tables.append(
            (
                ("Year", "Repairs"),
                [(h["label"], pounds(h["pence"])) for h in repairs["history"]],
            )
        )
    out.append(trend)
    return out


def text(found: dict) -> str:
    """The plan as plain lines for a terminal."""
    return as_text(title(found), sections(found))


def html(found: dict) -> str:
    """The plan as one web page, charts inline: open it in any browser, or print it."""
    return as_html(title(found), sections(found))


def pdf(found: dict) -> bytes:
    """The plan as an A4 PDF, charts drawn on the page."""
    return as_pdf(title(found), sections(found))
