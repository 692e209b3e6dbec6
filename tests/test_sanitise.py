"""The one sanitiser: what people type is stored safely, or refused with a sentence."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.db.errors import BadInput
from store.db.sanitise import DESCRIPTION, SUMMARY, clean, clean_code, clean_email

pytestmark = pytest.mark.no_db

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_markup_is_kept_as_plain_characters():
    assert clean("[@click=app.quit]x[/]", SUMMARY) == "[@click=app.quit]x[/]"
    assert clean("[blink]hi[/blink]", SUMMARY) == "[blink]hi[/blink]"


def test_escape_sequences_lose_their_escape_character():
    assert clean("red \x1b[31mtext\x1b[0m", SUMMARY) == "red [31mtext[0m"
    assert clean("bell\x07 and \x9b2J", SUMMARY) == "bell and 2J"


def test_nul_and_control_characters_are_removed():
    assert clean("a\x00b\x01c\x7fd", SUMMARY) == "abcd"


def test_bidirectional_overrides_are_removed():
    assert clean(f"abc{BIDI}def", SUMMARY) == "abcdef"


def test_newlines_become_spaces_in_one_line_fields_and_stay_in_others():
    assert clean("line one\nline two\r\nthree\tfour", SUMMARY) == "line one line two three four"
    assert clean("line one\r\nline two\n\n\n\nend", DESCRIPTION) == "line one\nline two\n\nend"


def test_text_is_nfc_even_when_a_removed_character_sat_between_letter_and_accent():
    assert clean("cafe\u0301", SUMMARY) == "café"
    assert clean("cafe\x00\u0301", SUMMARY) == "café"


def test_emoji_and_right_to_left_text_survive():
    assert clean("printer 🖨️ broken 😭", SUMMARY) == "printer 🖨️ broken 😭"
    assert clean("الطابعة لا تعمل", SUMMARY) == "الطابعة لا تعمل"
    family = "👨\u200d👩\u200d👧"  # zero-width joiners hold an emoji together
    assert clean(family, SUMMARY) == family


def test_empty_and_blank_are_refused_when_required():
    for blank in ("", "   ", "\n\t", "\x00\x1b", BIDI, None):
        with pytest.raises(BadInput, match="The summary is empty"):
            clean(blank, SUMMARY)
    assert clean("", DESCRIPTION) == ""


def test_too_long_is_refused_with_the_count_and_the_limit():
    with pytest.raises(BadInput, match=r"too long: 121 characters, the most is 120"):
        clean("x" * 121, SUMMARY)
    assert clean("x" * 120, SUMMARY) == "x" * 120


def test_huge_input_is_refused_without_being_processed():
    with pytest.raises(BadInput, match="too long"):
        clean("x" * 10_000_000, SUMMARY)


def test_non_text_is_refused():
    with pytest.raises(BadInput, match="must be text"):
        clean(42, SUMMARY)
    with pytest.raises(BadInput, match="must be text"):
        clean(b"bytes", SUMMARY)


def test_lone_surrogates_are_removed():
    assert clean("a\ud800b", SUMMARY) == "ab"


def test_codes_are_upper_case_and_refuse_odd_characters():
    assert clean_code(" s12 ") == "S12"
    for bad in ("S 12", "[bold]", "S12;DROP", "ü"):
        with pytest.raises(BadInput):
            clean_code(bad)


def test_email_shape_is_checked():
    assert clean_email("a.b@school.example") == "a.b@school.example"
    assert clean_email("") == ""
    for bad in ("not an email", "a@b", "@school.example", "a@@b.c"):
        with pytest.raises(BadInput, match="does not look like an email"):
            clean_email(bad)


@given(st.text(max_size=300))
def test_any_text_comes_out_safe_or_is_refused(text):
    try:
        out = clean(text, DESCRIPTION)
    except BadInput:
        return
    assert len(out) <= DESCRIPTION.limit
    assert out == out.strip()
    assert unicodedata.is_normalized("NFC", out)
    for char in out:
        assert char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs")
        assert char not in BIDI
    assert clean(out, DESCRIPTION) == out  # cleaning twice changes nothing


@given(st.text(max_size=200))
def test_one_line_fields_never_hold_a_line_break(text):
    try:
        out = clean(text, SUMMARY)
    except BadInput:
        return
    assert "\n" not in out and "\t" not in out and "\r" not in out
