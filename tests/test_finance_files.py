"""The budget plan as a web page and a PDF (store/finance/budget_files.py), and amounts
of money as people type them, under hypothesis (store/finance/money.py)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.configuration import assets, software
from store.db.errors import BadInput
from store.finance import budget, budget_files, licences, money

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def plan(school):
    assets.update_asset("LAP-0042", purchased_on="2022-09-01", cost="600", by="jsmith")
    software.add_software("<script>alert(1)</script> & [b]Suite[/b]", by="jsmith")
    licences.set_licence(
        "<script>alert(1)</script> & [b]Suite[/b]", cost="99.50", per="year",
        renews_on="2027-02-01", by="jsmith", today=TODAY,
    )  # fmt: skip
    budget.set_budget(2026, "hardware", "500", by="jsmith", today=TODAY)
    return budget.plan(years=3, today=TODAY)


def test_the_web_page_draws_its_charts_inline_and_escapes_names(plan):
    page = budget_files.html(plan)
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") >= 3 and "<script" not in page.lower()
    assert "javascript" not in page.lower() and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; [b]Suite[/b]" in page
    assert "£99.50" in page and "IT budget plan: 2026-27 to 2028-29" in page
    # the plan is over the budget in 2026-27: that bar is red
    first_chart = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert "#c0392b" in first_chart


def test_the_pdf_reads_back(plan):
    pdfium = pytest.importorskip("pypdfium2")
    data = budget_files.pdf(plan)
    document = pdfium.PdfDocument(data)
    text = "".join(document[n].get_textpage().get_text_range() for n in range(len(document)))
    assert "IT budget plan: 2026-27 to 2028-29" in text
    assert "Spend against budget, 2026-27" in text
    assert "£99.50" in text and "How repairs are projected" in text


def test_the_text_says_the_totals(plan):
    words = budget_files.text(plan)
    # 2026-27: the laptop at £600 and the suite's £99.50
    assert "Over 3 years: £898.50 in all" in words
    assert "2026-27  1        £600.00       £99.50" in words


@pytest.mark.no_db
@given(st.integers(min_value=1, max_value=money.MOST_PENCE))
def test_every_amount_in_pence_reads_back(pence):
    pounds, rest = divmod(pence, 100)
    for typed in (f"{pounds}.{rest:02d}", f"£{pounds:,}.{rest:02d}", f"GBP {pounds}.{rest:02d}"):
        assert money.parse_amount(typed, currency="GBP") == pence
    assert money.parse_amount(money.pounds(pence), currency="GBP") == pence


@pytest.mark.no_db
@given(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3).filter(
        lambda d: d != d.quantize(Decimal("0.01"))
    )
)
def test_more_than_two_places_is_refused(amount):
    with pytest.raises(BadInput, match="two decimal places"):
        money.parse_amount(str(amount), currency="GBP")


@pytest.mark.no_db
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["-{}", "-£{}", "£-{}", "({})"]))
def test_negative_amounts_are_refused(number, shape):
    with pytest.raises(BadInput, match="negative"):
        money.parse_amount(shape.format(number), currency="GBP")


@pytest.mark.no_db
@given(st.text(max_size=40))
def test_any_text_is_an_amount_or_one_sentence(text):
    try:
        pence = money.parse_amount(text, currency="GBP")
    except BadInput as refused:
        assert "\n" not in str(refused)
    else:
        assert type(pence) is int and 0 < pence <= money.MOST_PENCE
        assert text.isascii() or "£" in text or "\u00a0" in text


@pytest.mark.no_db
def test_digits_of_other_scripts_are_not_amounts():
    with pytest.raises(BadInput, match="not an amount"):
        money.parse_amount("\u0663", currency="GBP")
