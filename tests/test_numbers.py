"""Log numbers and the QR payload, as docs/architecture.md's contract gives them."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.db.errors import BadInput
from store.db.numbers import (
    CHECK_ALPHABET,
    log_number,
    new_check_code,
    parse_reference,
    scan_payload,
)

pytestmark = pytest.mark.no_db


def test_numbers_look_like_the_contract():
    assert log_number(42) == "INC-000042"
    assert log_number(7, "PRB") == "PRB-000007"
    assert log_number(1_234_567) == "INC-1234567"
    assert scan_payload(42, "K7QX") == "INC-000042-K7QX"


def test_check_codes_use_the_unambiguous_upper_case_alphabet():
    codes = {new_check_code() for _ in range(500)}
    assert len(codes) > 490  # drawn at random, not a counter
    for code in codes:
        assert re.fullmatch(f"[{CHECK_ALPHABET}]{{4}}", code)
    assert not set("01IO") & set(CHECK_ALPHABET)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("INC-000042", (42, None)),
        ("inc-42", (42, None)),
        ("42", (42, None)),
        (" INC000042 ", (42, None)),
        ("INC-000042-K7QX", (42, "K7QX")),
        ("inc-000042-k7qx", (42, "K7QX")),
        ("INC-003001 7VAT", (3001, "7VAT")),
        ("INC-0030017VAT", (3001, "7VAT")),
        ("inc-003001-7vat", (3001, "7VAT")),
        ("inc0030017vat", (3001, "7VAT")),
        ("0030017VAT", (3001, "7VAT")),
        ("00300172345", (300172345, None)),  # digits alone are always a number
    ],
)
def test_references_are_read_the_ways_people_type_them(typed, expected):
    ref = parse_reference(typed)
    assert (ref.id, ref.check) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "INC-",
        "INC-0",
        "hello",
        "INC-42-K7",
        "PRB-000042",
        "ABC-1",
        "42; DROP TABLE incident",
        "[@click=app.quit]",
        "INC-" + "9" * 40,
        "\x00",
        None,
        42,
    ],
)
def test_bad_references_get_one_sentence(typed):
    with pytest.raises(BadInput) as refusal:
        parse_reference(typed)
    assert "\n" not in str(refusal.value)
    assert "\x00" not in str(refusal.value)


@given(st.integers(min_value=1, max_value=10**9), st.text(CHECK_ALPHABET, min_size=4, max_size=4))
def test_a_payload_reads_back_as_itself(record_id, check):
    ref = parse_reference(scan_payload(record_id, check))
    assert (ref.prefix, ref.id, ref.check) == ("INC", record_id, check)
    typings = [f"{record_id:06d} {check}"]
    if not check.isdigit():  # all digits run on would be one long number, as documented
        typings.append(scan_payload(record_id, check).replace("-", "", 2))
    for typed in typings:
        ref = parse_reference(typed.lower())  # spaced, or run together, in any case
        assert (ref.id, ref.check) == (record_id, check), typed
