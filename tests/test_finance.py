"""Financial management in the store (store/finance): money in pence, the financial year,
spending and its refusals, book values, the cost of owning a device, licence renewals,
the budget plan of a small known school, and the service report's finance section."""

import datetime as dt
from pathlib import Path

import pytest

from store.configuration import assets, software
from store.db.errors import BadInput, NotAllowed
from store.db.models import Budget, Journal, Setting, Software, Spend
from store.finance import budget, licences, lifecycle, money, report, spending
from store.servicedesk import servicedesk

TODAY = dt.date(2026, 12, 7)


def written() -> tuple[int, int, int, int]:
    """What a refusal must leave as it was."""
    return (
        Spend.select().count(),
        Journal.select().count(),
        Budget.select().count(),
        (Setting.select().count()),
    )


@pytest.fixture
def known(school):
    """A small school with money: on 2026-12-07, the year starting in April."""
    assets.update_asset("LAP-0042", purchased_on="2022-09-01", cost="600", by="jsmith")
    assets.add_asset("LAP-0043", kind="laptop", purchased_on="2025-06-01", cost="700", by="jsmith")
    assets.add_asset("PRJ-1", kind="projector", purchased_on="2021-05-10", cost="500", by="jsmith")
    assets.add_asset("SW-1", kind="switch", purchased_on="2019-01-01", cost="1500", by="jsmith")
    software.add_software("Office", licence="per_seat", seats=30, by="jsmith")
    software.add_software("MIS", licence="subscription", by="jsmith")
    licences.set_licence(
        "Office", cost="10", per="seat", renews_on="2027-01-31", by="jsmith", today=TODAY
    )
    licences.set_licence(
        "MIS", cost="2000", per="year", renews_on="2027-08-31", auto_renew=True, remind_days=30,
        by="jsmith", today=TODAY,
    )  # fmt: skip
    for day, amount in (("2023-06-01", "100"), ("2024-06-01", "200"), ("2025-06-01", "300")):
        spending.add_spend(amount, "repairs", day, asset="SW-1", by="jsmith", today=TODAY)
    call = servicedesk.log_call(
        summary="Screen cracked", requester="Sam Patel", location="LIB", category="laptop",
        asset="LAP-0042", by="jsmith",
    )  # fmt: skip
    spending.add_spend("150", "repairs", "2026-05-01", call=call.number, by="jsmith", today=TODAY)
    spending.add_spend("50.00", "repairs", "2026-06-01", asset="LAP-0042", by="jsmith", today=TODAY)
    budget.set_budget(2026, "hardware", "3000", by="jsmith", today=TODAY)
    budget.set_budget(2026, "repairs", "500", by="jsmith", today=TODAY)
    return call


def test_amounts_are_kept_in_pence(known):
    found = spending.add_spend(
        "£1,299.99", "Repairs and parts", "03/11/2026", supplier="XMA", reference="PO1",
        by="jsmith", today=TODAY,
    )  # fmt: skip
    assert (found.amount_pence, found.category, found.spent_on) == (
        129999,
        "repairs",
        dt.date(2026, 11, 3),
    )
    row = Spend.get_by_id(found.id)
    assert row.amount_pence == 129999 and isinstance(row.amount_pence, int)
    assert money.pounds(129999) == "£1,299.99"
    assert money.parse_amount("0.1", currency="GBP") == 10
    assert money.parse_amount("GBP 40", currency="GBP") == 4000


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("-5", "negative"), ("(12.00)", "negative"), ("£-5", "negative"),
        ("1.234", "more than two decimal places"), ("12.500", "more than two decimal places"),
        ("$12", "in USD"), ("EUR 12", "in EUR"), ("12 €", "in EUR"), ("US$3", "in USD"),
        ("twelve", "not an amount"), ("", "Give an amount"), ("0", "nothing"),
        ("99999999", "the most one amount"),
    ],
)  # fmt: skip
def test_bad_amounts_are_one_sentence_and_nothing_is_written(known, amount, words):
    before = written()
    with pytest.raises(BadInput, match=words) as refused:
        spending.add_spend(amount, "repairs", "2026-11-03", by="jsmith", today=TODAY)
    assert "\n" not in str(refused.value)
    assert written() == before


@pytest.mark.parametrize(
    ("day", "words"),
    [
        ("2027-04-01", "outside the school's financial years"),  # next year: not spent yet
        ("2015-01-01", "outside the school's financial years"),  # before the first year
        ("31/02/2026", "not a date"),
        ("", "Say when"),
    ],
)
def test_dates_outside_the_financial_years_are_refused(known, day, words):
    before = written()
    with pytest.raises(BadInput, match=words):
        spending.add_spend("10", "repairs", day, by="jsmith", today=TODAY)
    assert written() == before
    # the first year: the oldest device's (2018-19, SW-1) or six years back, the earlier
    assert spending.add_spend("1", "repairs", "2018-04-01", by="jsmith", today=TODAY)
    with pytest.raises(BadInput):
        spending.add_spend("1", "repairs", "2018-03-31", by="jsmith", today=TODAY)


def test_a_cost_is_against_one_thing_and_a_category_must_be_known(known):
    before = written()
    with pytest.raises(BadInput, match="not several"):
        spending.add_spend("10", "repairs", "2026-11-03", asset="LAP-0042", software="MIS",
                           by="jsmith", today=TODAY)  # fmt: skip
    with pytest.raises(BadInput, match="not a category"):
        spending.add_spend("10", "snacks", "2026-11-03", by="jsmith", today=TODAY)
    assert written() == before


def test_financial_year_and_settings(known):
    assert money.year_of(dt.date(2026, 3, 31), 4) == 2025
    assert money.year_of(dt.date(2026, 4, 1), 4) == 2026
    assert money.year_of(dt.date(2026, 8, 31), 9) == 2025
    assert money.year_label(2026) == "2026-27"
    assert money.settings() == money.Settings(4, 100_000, "GBP")
    done = money.set_settings(year_starts="September", threshold="1,500", by="jsmith")
    assert done == money.Settings(9, 150_000, "GBP") == money.settings()
    entry = Journal.select().where(Journal.action == "set finance").get()
    assert "September" in entry.after and "£1,500.00" in entry.after
    before = written()
    with pytest.raises(BadInput, match="april"):
        money.set_settings(year_starts="january", by="jsmith")
    with pytest.raises(BadInput, match="not a currency"):
        money.set_settings(currency="XYZ", by="jsmith")
    with pytest.raises(NotAllowed):
        money.set_settings(threshold="10", by="akhan")
    assert written() == before


def test_book_values_at_known_dates(known):
    # £600 bought 2022-09-01, a laptop's 4 years: £12.50 a month, nothing left at 48 months
    assert lifecycle.book_value(60000, dt.date(2022, 9, 1), 4, dt.date(2022, 9, 1)) == 60000
    assert lifecycle.book_value(60000, dt.date(2022, 9, 1), 4, dt.date(2022, 9, 30)) == 60000
    assert lifecycle.book_value(60000, dt.date(2022, 9, 1), 4, dt.date(2022, 10, 1)) == 58750
    assert lifecycle.book_value(60000, dt.date(2022, 9, 1), 4, dt.date(2024, 9, 1)) == 30000
    assert lifecycle.book_value(60000, dt.date(2022, 9, 1), 4, dt.date(2026, 9, 1)) == 0
    assert lifecycle.book_value(60000, dt.date(2022, 9, 1), 4, dt.date(2030, 1, 1)) == 0
    assert lifecycle.record("LAP-0042", dt.date(2024, 9, 1)).book_value_pence == 30000
    # LAP-0043: £700 on 2025-06-01, 18 of 48 months gone by 2026-12-07
    found = lifecycle.record("LAP-0043", TODAY)
    assert found.book_value_pence == 70000 * 30 // 48
    assert found.capital is False and found.replace_in == 2029
    assert lifecycle.record("SW-1", TODAY).capital is True  # £1,500 against £1,000


def test_the_cost_of_owning_a_device_counts_repairs_on_its_calls(known):
    found = lifecycle.record("LAP-0042", TODAY)
    assert found.spend_pence == 15000 + 5000
    assert found.total_cost_pence == 60000 + 15000 + 5000
    assert lifecycle.record("PRJ-1", TODAY).total_cost_pence == 50000
    listed = spending.list_spend(start="2026-04-01", category="repairs")
    assert [(s.call, s.asset) for s in listed] == [(known.number, "LAP-0042"), (None, "LAP-0042")]


def test_useful_life_funding_and_replacement(known):
    done = lifecycle.set_record(
        "PRJ-1", funding="Devolved capital", life="8", replace_in="2028-29", by="jsmith",
        today=TODAY,
    )  # fmt: skip
    assert (done.funding, done.life_years, done.own_life, done.replace_in) == (
        "Devolved capital", 8, True, 2028,
    )  # fmt: skip
    before = written()
    with pytest.raises(BadInput, match="0 years"):
        lifecycle.set_record("PRJ-1", life="0", by="jsmith")
    with pytest.raises(BadInput, match="whole years"):
        lifecycle.set_record("PRJ-1", life="-3", by="jsmith")
    with pytest.raises(BadInput, match="outside"):
        lifecycle.set_record("PRJ-1", replace_in="2099", by="jsmith", today=TODAY)
    assert written() == before
    assert lifecycle.record("PRJ-1").life_years == 8


def test_licence_money_and_renewals_due(known):
    office = licences.licence("Office")
    assert (office.cost_pence, office.cost_per, office.yearly_pence) == (1000, "seat", 30000)
    # Office renews 2027-01-31, reminded 60 days before; MIS 2027-08-31, 30 days before
    assert [r.name for r in licences.renewals_due(dt.date(2026, 12, 1))] == []  # 61 days
    due = licences.renewals_due(dt.date(2026, 12, 2))
    assert [(r.name, r.days_left, r.cost_pence) for r in due] == [("Office", 60, 30000)]
    assert "Office renews in 60 days" in due[0].words
    assert [r.days_left for r in licences.renewals_due(TODAY)] == [55]
    assert [r.name for r in licences.renewals_due(dt.date(2027, 8, 1))] == ["Office", "MIS"]
    before = written(), Software.get(Software.title == "MIS").renews_on
    with pytest.raises(BadInput, match="has passed"):
        licences.set_licence("MIS", renews_on="2026-01-01", by="jsmith", today=TODAY)
    with pytest.raises(BadInput, match="seat, year or once"):
        licences.set_licence("MIS", per="month", by="jsmith", today=TODAY)
    assert (written(), Software.get(Software.title == "MIS").renews_on) == before
    moved = licences.set_licence(
        "MIS", renews_on="2026-01-01", renews_to="2027-09-30", by="jsmith", today=TODAY
    )
    assert moved.renews_on == dt.date(2027, 9, 30)


def test_the_budget_plan_of_a_small_known_school(known):
    found = budget.plan(years=3, today=TODAY)
    years = found["years"]
    assert [y["label"] for y in years] == ["2026-27", "2027-28", "2028-29"]
    first = years[0]
    # LAP-0042 (its life ended 2026-09) at today's laptop price, £700; SW-1, overdue, at its own
    assert [(g["kind"], g["devices"], g["unit_pence"], g["cost_pence"], g["overdue"])
            for g in first["replacements"]] == [
        ("switch", 1, 150000, 150000, 1), ("laptop", 1, 70000, 70000, 0),
    ]  # fmt: skip
    assert [g["kind"] for g in years[1]["replacements"]] == ["projector"]
    assert years[2]["replacements"] == []
    assert [(r["title"], r["renews_on"], r["cost_pence"]) for r in first["renewals"]] == [
        ("MIS", "2026-08-31", 200000),
        ("Office", "2027-01-31", 30000),
    ]  # fmt: skip  (one renewal a year: MIS's in 2026-27 is the one before 2027-08-31)
    # repairs: £100, £200, £300 in the last three complete years, a line on to £400, £500, £600
    assert [y["repairs_pence"] for y in years] == [40000, 50000, 60000]
    assert found["repairs"]["method"].startswith("least-squares")
    assert [y["total_pence"] for y in years] == [490000, 330000, 290000]
    assert found["total_pence"] == 1110000
    assert first["budget_pence"] == 350000 and years[1]["budget_pence"] is None
    current = {c["category"]: c for c in found["current"]["categories"]}
    assert current["repairs"] == {
        "category": "repairs", "spent_pence": 20000, "budget_pence": 50000, "left_pence": 30000,
    }  # fmt: skip
    assert current["hardware"]["spent_pence"] == 0


def test_budgets_are_a_managers_step_and_refuse_bad_input(known):
    assert budget.set_budget("2027-28", "licences", "2,300", by="jsmith", today=TODAY) == 230000
    assert budget.budgets(2027) == {"licences": 230000}
    budget.set_budget(2027, "licences", "2400", by="jsmith", today=TODAY)
    assert budget.budgets(2027) == {"licences": 240000}
    before = written()
    for year, category, amount, words in (
        ("2027-29", "licences", "1", "not a financial year"),
        ("2050", "licences", "1", "outside"),
        ("2027", "snacks", "1", "not a category"),
        ("2027", "licences", "-1", "negative"),
        ("2027", "licences", "$1", "in USD"),
    ):
        with pytest.raises(BadInput, match=words):
            budget.set_budget(year, category, amount, by="jsmith", today=TODAY)
    with pytest.raises(NotAllowed):
        budget.set_budget(2027, "licences", "1", by="akhan", today=TODAY)
    assert written() == before


def test_repairs_from_one_year_or_this_year_so_far(school):
    assets.update_asset("LAP-0042", purchased_on="2024-01-01", cost="600", by="jsmith")
    assert budget.plan(years=1, today=TODAY)["repairs"]["method"] == "no repairs recorded"
    spending.add_spend("365", "repairs", "2026-04-01", by="jsmith", today=TODAY)
    found = budget.plan(years=2, today=TODAY)
    assert found["repairs"]["method"].startswith("this year so far")
    # 2026-04-01 to 2026-12-07 is 251 days of 365: £365 so far is about £530.80 a year
    assert found["years"][0]["repairs_pence"] == 36500 * 365 // 251
    spending.add_spend("120", "repairs", "2025-05-01", by="jsmith", today=TODAY)
    found = budget.plan(years=2, today=TODAY)
    assert found["repairs"]["method"].startswith("the last complete year")
    assert [y["repairs_pence"] for y in found["years"]] == [12000, 12000]


def test_the_service_reports_finance_section(known):
    found = report.section(dt.date(2026, 9, 1), dt.date(2026, 12, 18))
    assert found["spent_pence"] == 0
    assert found["year"] == "2026-27"
    repairs = next(c for c in found["by_category"] if c["category"] == "repairs")
    assert repairs == {
        "category": "repairs", "spent_pence": 0, "budget_pence": 50000,
        "year_spent_pence": 20000, "percent_of_budget": 40.0,
    }  # fmt: skip
    assert [r["title"] for r in found["renewals"]] == ["Office"]
    found = report.section(dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert found["spent_pence"] == 20000
    assert any("Repairs: £200.00" in line for line in report.lines(found))


def test_import_takes_every_row_or_none(known, tmp_path):
    good = tmp_path / "ledger.csv"
    good.write_text(
        "Transaction Date,Net Amount,Nominal,Supplier,Invoice,Asset Tag\n"
        "2026-10-01,£40.00,Consumables,Misco,INV1,\n"
        "01/11/2026,1299.99,ICT equipment,XMA,INV2,LAP-0043\n",
        encoding="utf-8",
    )
    done = spending.import_spend(good, by="jsmith", today=TODAY)
    assert (done.added, done.total_pence, done.problems) == (2, 133999, [])
    assert [s.source for s in spending.list_spend(start="2026-10-01")] == ["ledger.csv"] * 2
    assert lifecycle.record("LAP-0043", TODAY).spend_pence == 129999
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "date,amount,category\n"
        "2026-10-01,10,repairs\n"
        "2026-10-02,-4,repairs\n"
        "2026-10-03,$4,repairs\n"
        "2027-10-03,4,repairs\n"
        "2026-10-03,4.005,repairs\n",
        encoding="utf-8",
    )
    before = written()
    found = spending.import_spend(bad, by="jsmith", today=TODAY)
    assert [p.split(":")[0] for p in found.problems] == ["Line 3", "Line 4", "Line 5", "Line 6"]
    assert "negative" in found.problems[0] and "USD" in found.problems[1]
    assert written() == before
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("date,amount,colour\n2026-10-01,1,red\n", encoding="utf-8")
    with pytest.raises(BadInput, match="'colour' is not a column"):
        spending.import_spend(unknown, by="jsmith", today=TODAY)
    assert written() == before


def test_the_demo_schools_money(school):
    import random

    from store.demo import finance as demo_finance

    assets.update_asset("LAP-0042", purchased_on="2020-01-15", by="jsmith")
    software.add_software("Microsoft 365", licence="subscription", renews_on="2027-05-06",
                          by="jsmith")  # fmt: skip
    demo_finance.fill_finance(random.Random(3), by="jsmith", today=TODAY)
    assert money.settings() == money.Settings(9, 100_000, "GBP")
    assert lifecycle.record("LAP-0042", TODAY).funding in demo_finance.FUNDING["laptop"]
    assert lifecycle.record("SRV-01", TODAY).capital is True
    assert budget.budgets(2026) == demo_finance.BUDGET
    found = budget.plan(years=3, today=TODAY)
    history = [h["pence"] for h in found["repairs"]["history"]]
    assert len(history) == 3 and history == sorted(history)  # repairs rising
    assert found["years"][0]["licence_pence"] == 295000
    # LAP-0042's life ended in 2024: it is phased into this year or the next
    assert lifecycle.record("LAP-0042", TODAY).replace_in in (2026, 2027)
    rows = Spend.select().count()
    demo_finance.fill_finance(random.Random(3), by="jsmith", today=TODAY)
    assert Spend.select().count() == rows  # run again, it adds nothing


def test_import_from_a_spreadsheet(known, tmp_path):
    # tests/data/ledger*.xlsx are made by tests/make_example_workbooks.py
    data = Path(__file__).resolve().parent / "data"
    path = tmp_path / "ledger.xlsx"
    path.write_bytes((data / "ledger.xlsx").read_bytes())
    done = spending.import_spend(path, by="jsmith", today=TODAY, sheet="ledger")
    assert (done.added, done.total_pence, done.problems) == (2, 5250, [])
    assert lifecycle.record("PRJ-1", TODAY).spend_pence == 4050
    path.write_bytes((data / "ledger-odd-penny.xlsx").read_bytes())
    before = written()
    found = spending.import_spend(path, by="jsmith", today=TODAY)
    assert found.problems == ["Line 4: '1.005' has more than two decimal places: pence are the "
                              "smallest unit."]  # fmt: skip
    assert written() == before
