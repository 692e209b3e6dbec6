"""Spending: each cost the school pays for IT, in pence, by category (FITS financial
management's expenditure record), typed at the desk or imported from the finance
system's CSV or spreadsheet export.

    from store.finance import spending
    spending.add_spend("129.99", "repairs", "2026-11-03", call="INC-000042", by="jsmith")
    spending.list_spend(start=dt.date(2026, 4, 1), category="repairs")
    spending.import_spend(Path("ledger.csv"), by="jsmith")     # every row, or none

A cost recorded on a call (`call=`) is put against the call's device too, so it counts
towards that device's cost over its life (store.finance.assets.total_cost).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import peewee as pw

from store.configuration.assets import asset_row
from store.configuration.software import software_row
from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput, NotFound
from store.db.models import SPEND_CATEGORIES, Asset, Incident, Software, Spend
from store.db.numbers import log_number, parse_reference
from store.db.sanitise import Field, clean, shown
from store.db.spreadsheets import Columns, open_table
from store.finance import money
from store.school import people

SUPPLIER = Field("the supplier", 120, required=False)
REFERENCE = Field("the reference", 60, required=False)
DESCRIPTION = Field("the description", 400, required=False)
CATEGORY_WORDS = {
    "hardware": ("hardware", "equipment", "ict equipment", "devices"),
    "software": ("software", "apps", "applications"),
    "licences": ("licences", "licence", "licenses", "license", "subscriptions", "subscription"),
    "repairs": ("repairs", "repair", "repairs and parts", "parts", "maintenance"),
    "consumables": ("consumables", "toner", "ink", "paper", "cables"),
    "services": ("services", "service", "support", "technical support", "broadband"),
    "contracts": ("contracts", "contract", "leases", "lease", "service contracts"),
}
"""Each category and the words finance systems use for it."""
COLUMNS = Columns(
    names={
        "date": ("date", "spent on", "transaction date", "invoice date", "posted", "paid on"),
        "amount": ("amount", "net", "net amount", "value", "cost", "total", "gross"),
        "category": ("category", "cost centre", "nominal", "type", "budget heading"),
        "supplier": ("supplier", "vendor", "payee", "supplier name"),
        "reference": ("reference", "ref", "invoice", "invoice number", "order", "po number"),
        "description": ("description", "details", "narrative", "memo", "item"),
        "asset": ("asset", "asset tag", "tag", "device"),
        "software": ("software", "title", "licence title"),
        "call": ("call", "log number", "incident", "ticket"),
    },
    required=("date", "amount", "category"),
    examples=3,
    more="docs/finance.md has the other names each may have",
)
"""What a spending file's first row may name."""
MOST_ROWS = 50_000


@dataclass(frozen=True)
class SpendInfo:
    """One cost as screens see it."""

    id: int
    amount_pence: int
    category: str
    spent_on: dt.date
    supplier: str
    reference: str
    description: str
    asset: str | None
    software: str | None
    call: str | None
    source: str


@dataclass
class ImportReport:
    """What an import did: how many rows went in, or the problems (and nothing went in)."""

    added: int = 0
    total_pence: int = 0
    problems: list[str] = field(default_factory=list)


def clean_category(value: object) -> str:
    """A category by its name or a finance system's word for it ('Repairs and parts')."""
    text = " ".join(str(value or "").strip().lower().replace("_", " ").replace("&", "and").split())
    for key, names in CATEGORY_WORDS.items():
        if text == key or text in names:
            return key
    raise BadInput(
        f"'{shown(value)}' is not a category of spending: choose from "
        f"{', '.join(SPEND_CATEGORIES)}."
    )


def _links(asset: object, software: object, call: object) -> dict:
    """The record a cost is against: at most one of a device, a title or a call (whose
    device it is then against as well). Call inside a transaction."""
    given = [x for x in (asset, software, call) if x is not None and str(x).strip()]
    if len(given) > 1:
        raise BadInput("A cost is against one device, one title or one call, not several.")
    out: dict = {"asset": None, "software": None, "incident": None}
    if asset is not None and str(asset).strip():
        out["asset"] = asset_row(asset).id
    elif software is not None and str(software).strip():
        out["software"] = software_row(software).id
    elif call is not None and str(call).strip():
        ref = parse_reference(str(call))
        row = Incident.get_or_none(Incident.id == ref.id)
        if row is None:
            raise NotFound(f"No call matches {log_number(ref.id)}.")
        out["incident"] = row.id
        out["asset"] = row.asset_id
    return out


def _cleaned(values: dict, today: dt.date | None, currency: str, bounds=None) -> dict:
    return {
        "amount_pence": money.parse_amount(values.get("amount"), currency=currency),
        "category": clean_category(values.get("category")),
        "spent_on": money.clean_spend_date(values.get("date"), today, bounds),
        "supplier": clean(values.get("supplier") or "", SUPPLIER),
        "reference": clean(values.get("reference") or "", REFERENCE),
        "description": clean(values.get("description") or "", DESCRIPTION),
    }


def add_spend(
    amount: object,
    category: object,
    spent_on: object,
    *,
    supplier: str = "",
    reference: str = "",
    description: str = "",
    asset: str | None = None,
    software: str | None = None,
    call: str | None = None,
    by: str,
    today: dt.date | None = None,
) -> SpendInfo:
    """Record one cost; BadInput (and nothing written) for a bad amount, category or date."""
    values = _cleaned(
        {
            "amount": amount,
            "category": category,
            "date": spent_on,
            "supplier": supplier,
            "reference": reference,
            "description": description,
        },
        today,
        money.settings().currency,
    )
    with write():
        people.active_technician(by)
        links = _links(asset, software, call)
        row = Spend.create(
            **values, **links, source="desk", created_by=str(by), created_at=journal.now()
        )
        journal.record(by, row, "add spend", after=_said(row))
    return spend(row.id)


def _said(row: Spend) -> str:
    return f"{money.pounds(row.amount_pence)} on {row.category}, {row.spent_on}"


def _query() -> pw.ModelSelect:
    return (
        Spend.select(
            Spend,
            Asset.tag.alias("asset_tag"),
            Software.title.alias("software_title"),
            Software.version.alias("software_version"),
        )
        .join(Asset, pw.JOIN.LEFT_OUTER, on=(Spend.asset == Asset.id))
        .switch(Spend)
        .join(Software, pw.JOIN.LEFT_OUTER, on=(Spend.software == Software.id))
        .order_by(Spend.spent_on, Spend.id)
        .objects()
    )


def _info(row: Spend) -> SpendInfo:
    day = row.spent_on
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    title = None
    if row.software_title is not None:
        title = f"{row.software_title} {row.software_version or ''}".strip()
    return SpendInfo(
        row.id,
        row.amount_pence,
        row.category,
        day,
        row.supplier,
        row.reference,
        row.description,
        row.asset_tag,
        title,
        log_number(row.incident_id) if row.incident_id is not None else None,
        row.source,
    )


def spend(spend_id: int) -> SpendInfo:
    with read():
        row = _query().where(Spend.id == spend_id).first()
        if row is None:
            raise NotFound(f"There is no cost numbered {spend_id}.")
        return _info(row)


def list_spend(
    *, start: object = None, end: object = None, category: object = None
) -> list[SpendInfo]:
    """Costs from `start` to `end` (both days counted), oldest first; of one category."""
    from store.db.sanitise import clean_date

    query = _query()
    first, last = clean_date(start, "first date"), clean_date(end, "last date")
    if first and last and last < first:
        raise BadInput(f"The last date {last} is before the first {first}.")
    if first:
        query = query.where(Spend.spent_on >= first)
    if last:
        query = query.where(Spend.spent_on <= last)
    if category is not None and str(category).strip():
        query = query.where(Spend.category == clean_category(category))
    with read():
        return [_info(row) for row in query]


def totals_by_category(start: dt.date, end: dt.date) -> dict[str, int]:
    """Pence spent from `start` to `end` (both counted), by category."""
    with read():
        rows = (
            Spend.select(Spend.category, pw.fn.SUM(Spend.amount_pence))
            .where(Spend.spent_on.between(start, end))
            .group_by(Spend.category)
            .tuples()
        )
        return {category: int(total or 0) for category, total in rows}


def import_spend(
    path: Path,
    *,
    by: str,
    sheet: str | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Add every cost in a CSV file or a workbook's sheet whose first row names its
    columns (COLUMNS): every row, or none, with each bad row's problem by its line."""
    report = ImportReport()
    name = shown(str(path), 200)
    currency = money.settings().currency
    bounds = money.spend_bounds(today)
    wanted: list[dict] = []
    with open_table(path, COLUMNS, most_rows=MOST_ROWS, sheet=sheet) as table:
        for row in table.rows():
            try:
                if row.problem:
                    raise BadInput(row.problem)
                values = _cleaned(row.values, today, currency, bounds)
                with read():
                    values.update(
                        _links(row.values.get("asset"), row.values.get("software"),
                               row.values.get("call"))
                    )  # fmt: skip
            except (BadInput, NotFound) as exc:
                reason = str(exc).rstrip(".")
                if reason[1:2].islower():
                    reason = reason[0].lower() + reason[1:]
                report.problems.append(f"Line {row.line}: {reason}.")
                continue
            wanted.append(values)
    if report.problems:
        return report
    if not wanted:
        raise BadInput(f"{name} has no costs in it: nothing was imported.")
    source = shown(Path(str(path)).name, 120)
    with write():
        people.active_technician(by)
        at = journal.now()
        for values in wanted:
            row = Spend.create(**values, source=source, created_by=str(by), created_at=at)
            journal.record(by, row, "import spend", after=_said(row), at=at)
            report.added += 1
            report.total_pence += values["amount_pence"]
    return report
