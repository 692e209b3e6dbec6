"""`fitsdesk spend`, `finance`, `budget`, and the money on `asset show` and `software`,
run through `main()` against a real database; bad input is one line, no traceback."""

import datetime as dt
import json

import pytest

TODAY = dt.date.today()
THIS_MONTH = TODAY.replace(day=1).isoformat()


@pytest.fixture
def desk(run, db):
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    assert run("location", "add", "LIB", "--name", "Library")[0] == 0
    bought = (TODAY - dt.timedelta(days=400)).isoformat()
    status, _, err = run(
        "asset", "add", "LAP-1", "--kind", "laptop", "--location", "LIB",
        "--purchased", bought, "--cost", "800",
    )  # fmt: skip
    assert status == 0, err
    status, _, err = run("software", "add", "Office", "--licence", "per-seat", "--seats", "10")
    assert status == 0, err
    return run


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "words",
    [
        ("spend",), ("spend", "add"), ("spend", "list"), ("spend", "import"),
        ("finance",), ("finance", "set"), ("finance", "show"), ("finance", "asset"),
        ("budget",), ("budget", "set"), ("software", "edit"), ("software", "show"),
    ],
)  # fmt: skip
@pytest.mark.no_db
def test_every_command_has_help(words, capsys):
    from tui.cli import main

    with pytest.raises(SystemExit) as done:
        main([*words, "--help"])
    assert done.value.code == 0
    assert "usage: fitsdesk " + " ".join(words) in capsys.readouterr().out


def test_spend_add_and_list(desk):
    status, out, err = desk(
        "spend", "add", "--amount", "129.99", "--category", "repairs", "--date", THIS_MONTH,
        "--asset", "LAP-1", "--supplier", "Stone", "--reference", "INV-7",
    )  # fmt: skip
    assert status == 0, err
    assert out == f"Recorded £129.99 on repairs on {THIS_MONTH} against LAP-1.\n"
    status, out, _ = desk("spend", "list", "--json")
    found = json.loads(out)
    assert [(s["amount_pence"], s["amount"], s["asset"], s["reference"]) for s in found] == [
        (12999, "129.99", "LAP-1", "INV-7")
    ]
    status, out, _ = desk("spend", "list", "--category", "licences")
    assert out == "No spending matches.\n"
    status, out, _ = desk("asset", "show", "LAP-1", "--json")
    money = json.loads(out)["finance"]
    assert money["total_cost_pence"] == 80000 + 12999
    assert money["useful_life_years"] == 4 and money["capital"] is False
    status, out, _ = desk("asset", "show", "LAP-1")
    assert "Book value:" in out and "Total cost:  £929.99" in out


def test_a_repair_on_a_call_counts_towards_its_device(desk):
    status, out, err = desk(
        "log", "--summary", "Hinge broken", "--requester", "Sam", "--location", "LIB",
        "--asset", "LAP-1",
    )  # fmt: skip
    assert status == 0, err
    status, out, err = desk(
        "spend", "add", "--amount", "60", "--category", "repairs", "--date", THIS_MONTH,
        "--call", "INC-000001",
    )  # fmt: skip
    assert status == 0, err
    assert "against INC-000001 (LAP-1)" in out
    _, out, _ = desk("asset", "show", "LAP-1", "--json")
    assert json.loads(out)["finance"]["spend_pence"] == 6000


@pytest.mark.parametrize(
    ("amount", "date", "words"),
    [
        ("-5", THIS_MONTH, "negative"),
        ("$5", THIS_MONTH, "USD"),
        ("EUR 5", THIS_MONTH, "EUR"),
        ("1.234", THIS_MONTH, "two decimal places"),
        ("5", (TODAY + dt.timedelta(days=400)).isoformat(), "outside the school's financial"),
        ("5", "1990-01-01", "outside the school's financial"),
        ("[b]5[/b]", THIS_MONTH, "not an amount"),
    ],
)
def test_bad_spending_is_one_line_and_nothing_is_written(desk, amount, date, words):
    status, out, err = desk(
        "spend", "add", "--amount", amount, "--category", "repairs", "--date", date
    )
    assert status == 2 and out == "" and one_line(err) and words in err, err
    assert desk("spend", "list", "--json")[1] == "[]\n"


def test_finance_settings_and_a_devices_money(desk):
    status, out, err = desk("finance", "set", "--year-starts", "september", "--threshold", "500")
    assert status == 0, err
    assert out == "Financial settings: year starts in September, capital from £500.00, GBP.\n"
    _, out, _ = desk("finance", "show", "--json")
    assert json.loads(out) == {
        "year_starts": "september",
        "threshold_pence": 50000,
        "currency": "GBP",
    }
    status, out, err = desk("finance", "asset", "LAP-1", "--funding", "PTA", "--life", "5")
    assert status == 0, err
    assert "Funding:     PTA" in out and "Capital:     capital" in out and "5 years\n" in out
    for args, words in (
        (("finance", "asset", "LAP-1", "--life", "0"), "useful life of 0"),
        (("finance", "set", "--threshold", "-1"), "negative"),
        (("finance", "set", "--currency", "XYZ"), "not a currency"),
        (("finance", "set",), "Say what to set"),
        (("finance", "set", "--year-starts", "may"), "invalid choice"),
    ):  # fmt: skip
        status, out, err = desk(*args)
        assert status == 2 and one_line(err) and words in err, err


def test_licence_money_through_software(desk):
    soon = (TODAY + dt.timedelta(days=20)).isoformat()
    status, out, err = desk(
        "software", "edit", "Office", "--cost", "12.50", "--cost-per", "seat", "--renews", soon,
        "--auto-renew", "--remind-days", "30",
    )  # fmt: skip
    assert status == 0, err
    assert "£12.50 a seat a year" in out and "£125.00" in out
    _, out, _ = desk("software", "show", "Office", "--json")
    found = json.loads(out)
    assert (found["cost_pence"], found["auto_renew"], found["renews_on"]) == (1250, True, soon)
    past = (TODAY - dt.timedelta(days=3)).isoformat()
    status, out, err = desk("software", "edit", "Office", "--renews", past)
    assert status == 2 and one_line(err) and "--renews-to" in err
    status, out, err = desk(
        "software", "add", "Sibelius", "--licence", "per-seat", "--seats", "2", "--renews", past
    )
    assert status == 2 and one_line(err)
    assert "Sibelius" not in desk("software", "list")[1]
    status, out, err = desk(
        "software", "add", "Sibelius", "--licence", "per-seat", "--seats", "2", "--cost", "45",
        "--cost-per", "seat",
    )  # fmt: skip
    assert status == 0, err
    assert json.loads(desk("software", "show", "Sibelius", "--json")[1])["yearly_pence"] == 9000


def test_budget_set_and_the_plan(desk, tmp_path):
    year = str(TODAY.year if TODAY.month >= 4 else TODAY.year - 1)
    status, out, err = desk("budget", "set", year, "hardware", "2500")
    assert status == 0, err
    assert out.startswith("The hardware budget for ") and out.endswith("is £2,500.00.\n")
    html, pdf = tmp_path / "b.html", tmp_path / "b.pdf"
    status, out, err = desk("budget", "--years", "2", "--html", str(html), "--pdf", str(pdf))
    assert status == 0, err
    assert out.startswith("IT budget plan: ") and "Hardware (replacements)  £2,500.00" in out
    assert html.read_text().startswith("<!DOCTYPE html>") and pdf.read_bytes()[:5] == b"%PDF-"
    _, out, _ = desk("budget", "--json", "--years", "1")
    found = json.loads(out)
    assert len(found["years"]) == 1 and found["current"]["budget_pence"] == 250000
    for args, words in (
        (("budget", "--years", "0"), "from 1 to 10"),
        (("budget", "set", year, "snacks", "1"), "not a category"),
        (("budget", "set", "20x6", "hardware", "1"), "not a financial year"),
        (("budget", "set", year, "hardware", "1.001"), "two decimal places"),
        (("budget", "--html", str(tmp_path / "no" / "b.html")), "cannot be written"),
    ):
        status, out, err = desk(*args)
        assert status == 2 and one_line(err) and words in err, err


def test_spend_import(desk, tmp_path):
    good = tmp_path / "ledger.csv"
    good.write_text(f"Date;Amount;Category\n{THIS_MONTH};£40.00;toner\n", encoding="utf-8")
    status, out, err = desk("spend", "import", str(good))
    assert status == 0, err
    assert out == "Imported 1 cost, £40.00 in all.\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"date,amount,category\n{THIS_MONTH},1,repairs\n{THIS_MONTH},-1,repairs\n")
    status, out, err = desk("spend", "import", str(bad))
    assert status == 2 and "Traceback" not in err
    assert err.splitlines() == [
        "Line 3: '-1' is negative: a cost is never below nothing.",
        "Nothing was imported: fix the 1 problem above and run it again.",
    ]
    assert len(json.loads(desk("spend", "list", "--json")[1])) == 1
    status, out, err = desk("spend", "import", str(tmp_path / "missing.csv"))
    assert status == 1 and one_line(err)
