"""Reading iCalendar term-dates files: a real-looking council file, and hostile ones."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.db.errors import BadInput
from store.school import icalendar
from store.school.icalendar import Event, guess_kind, window

pytestmark = pytest.mark.no_db

D = dt.date
T = dt.datetime
WINDOW = (D(2026, 9, 1), D(2028, 9, 1))
"""The planning window these files are read in: the academic years 2026-27 and 2027-28."""


def read_events(data, **how):
    """The reader as an import on a day in the 2026-27 school year uses it."""
    return icalendar.read_events(data, between=WINDOW, **how)


# What a county council's site publishes: Outlook-style, CRLF, folded lines, a
# VTIMEZONE, escaped commas, all-day and timed events, an alarm, a repeating event.
COUNCIL = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//Anyshire County Council//Term Dates 2026-27//EN\r\n"
    "CALSCALE:GREGORIAN\r\n"
    "X-WR-CALNAME:Anyshire school term dates 2026\\, 2027\r\n"
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/London\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0000\r\n"
    "TZOFFSETTO:+0100\r\n"
    "TZNAME:BST\r\n"
    "DTSTART:19700329T010000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0000\r\n"
    "TZNAME:GMT\r\n"
    "DTSTART:19701025T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:inset-2026-09-01@anyshire.gov.uk\r\n"
    "DTSTAMP:20260115T120000Z\r\n"
    "DTSTART;VALUE=DATE:20260901\r\n"
    "DTEND;VALUE=DATE:20260902\r\n"
    "SUMMARY:INSET day (school closed to pupils)\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:autumn-2026@anyshire.gov.uk\r\n"
    "DTSTART;VALUE=DATE:20260902\r\n"
    "DTEND;VALUE=DATE:20261219\r\n"
    "SUMMARY:Autumn term 2026\r\n"
    "DESCRIPTION:Pupils return Wednesday 2 September\\, last day Friday 18 Dece\r\n"
    " mber.\\nSchools may vary their INSET days\\; check with your school.\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:half-term-oct-2026@anyshire.gov.uk\r\n"
    "DTSTART;VALUE=DATE:20261026\r\n"
    "DTEND;VALUE=DATE:20261031\r\n"
    "SUMMARY:October half term\\, all schools\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:staff-dev-2026-11@anyshire.gov.uk\r\n"
    "DTSTART;TZID=Europe/London:20261106T083000\r\n"
    "DTEND;TZID=Europe/London:20261106T153000\r\n"
    "SUMMARY:Staff development afternoon: safeguarding training for all teach\r\n"
    "\ting staff\r\n"
    "BEGIN:VALARM\r\n"
    "ACTION:DISPLAY\r\n"
    "TRIGGER:-PT15M\r\n"
    "DESCRIPTION:Reminder\r\n"
    "END:VALARM\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:christmas-2026@anyshire.gov.uk\r\n"
    "DTSTART;VALUE=DATE:20261219\r\n"
    "DTEND;VALUE=DATE:20270105\r\n"
    "SUMMARY:Christmas holiday\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:bh-christmas-2026@anyshire.gov.uk\r\n"
    "DTSTART;VALUE=DATE:20261225\r\n"
    "SUMMARY:Bank holiday: Christmas Day\r\n"
    "RRULE:FREQ=YEARLY;COUNT=3\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:bh-boxing-2026@anyshire.gov.uk\r\n"
    "DTSTART;VALUE=DATE:20261228\r\n"
    "DURATION:P1D\r\n"
    "SUMMARY:Bank holiday (Boxing Day\\, substitute day)\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:inset-2027-01-04@anyshire.gov.uk\r\n"
    "DTSTART;VALUE=DATE:20270104\r\n"
    "SUMMARY:Teacher training day\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:mocks-2027@anyshire.gov.uk\r\n"
    "DTSTART:20270111T090000Z\r\n"
    "DURATION:PT3H30M\r\n"
    "SUMMARY:Year 11 mock exams begin\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:cancelled@anyshire.gov.uk\r\n"
    "DTSTART;VALUE=DATE:20261120\r\n"
    "SUMMARY:Extra INSET day (withdrawn)\r\n"
    "STATUS:CANCELLED\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:summer-term-2027@anyshire.gov.uk\r\n"
    "DTSTART;VALUE=DATE:20270412\r\n"
    "DTEND;VALUE=DATE:20270723\r\n"
    "SUMMARY:Summer term 2027\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    'DTSTART;TZID="GMT Standard Time":20270616T160000\r\n'
    'DTEND;TZID="GMT Standard Time":20270616T170000\r\n'
    "SUMMARY;LANGUAGE=en-gb:Network change freeze (exam board upload)\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_a_council_term_dates_file_is_read_as_published():
    events = read_events(COUNCIL.encode(), source="anyshire.ics")
    got = [(e.summary, e.start, e.end, e.all_day, e.kind) for e in events]
    assert got == [
        ("INSET day (school closed to pupils)", D(2026, 9, 1), D(2026, 9, 2), True, "inset"),
        ("Autumn term 2026", D(2026, 9, 2), D(2026, 12, 19), True, "term"),
        ("October half term, all schools", D(2026, 10, 26), D(2026, 10, 31), True, "holiday"),
        (
            "Staff development afternoon: safeguarding training for all teaching staff",
            T(2026, 11, 6, 8, 30),  # GMT in November: UTC is the same
            T(2026, 11, 6, 15, 30),
            False,
            "inset",
        ),
        ("Christmas holiday", D(2026, 12, 19), D(2027, 1, 5), True, "holiday"),
        ("Bank holiday: Christmas Day", D(2026, 12, 25), D(2026, 12, 26), True, "holiday"),
        (
            "Bank holiday (Boxing Day, substitute day)",
            D(2026, 12, 28),
            D(2026, 12, 29),
            True,
            "holiday",
        ),
        ("Teacher training day", D(2027, 1, 4), D(2027, 1, 5), True, "inset"),
        ("Year 11 mock exams begin", T(2027, 1, 11, 9), T(2027, 1, 11, 12, 30), False, "exam"),
        ("Summer term 2027", D(2027, 4, 12), D(2027, 7, 23), True, "term"),
        (
            "Network change freeze (exam board upload)",
            T(2027, 6, 16, 15),  # 16:00 BST is 15:00 UTC
            T(2027, 6, 16, 16),
            False,
            "freeze",
        ),
        # RRULE:FREQ=YEARLY;COUNT=3 from 2026: the third is after the planning window
        ("Bank holiday: Christmas Day", D(2027, 12, 25), D(2027, 12, 26), True, "holiday"),
    ]
    assert events[0].uid == "inset-2026-09-01@anyshire.gov.uk/2026-09-01"
    assert events[0].recurrence == "2026-09-01"
    freeze = events[-2]
    assert "@fitsdesk/" in freeze.uid  # none given: one made from the event
    assert read_events(COUNCIL)[-2].uid == freeze.uid  # ...the same every time
    assert all(isinstance(e, Event) for e in events)


def test_lf_line_endings_a_bom_and_cp1252_are_all_read():
    lf = COUNCIL.replace("\r\n", "\n")
    assert read_events(lf) == read_events(COUNCIL)
    assert read_events(b"\xef\xbb\xbf" + COUNCIL.encode()) == read_events(COUNCIL)
    assert read_events(COUNCIL.encode("utf-16")) == read_events(COUNCIL)
    cp1252 = _calendar(_event("SUMMARY:Caf\xe9 closed \u2013 Whitsun")).encode("cp1252")
    (event,) = read_events(cp1252)
    assert event.summary == "Café closed – Whitsun"
    assert event.kind == "holiday"


def test_a_timed_event_in_a_floating_time_is_the_school_s_local_time():
    # The suite runs in Europe/London (conftest): 09:00 in July is 08:00 UTC.
    (event,) = read_events(_calendar(_event("DTSTART:20270701T090000", start=None)))
    assert event.start == event.end == T(2027, 7, 1, 8)


def test_an_unknown_zone_is_the_school_s_local_time_and_old_mozilla_zones_are_known():
    text = _calendar(
        _event("DTSTART;TZID=Mars/Olympus_Mons:20270701T090000", start=None),
        _event("DTSTART;TZID=/mozilla.org/20070129_1/Europe/Paris:20270701T090000", start=None),
    )
    paris, mars = read_events(text)  # earliest first
    assert mars.start == T(2027, 7, 1, 8)
    assert paris.start == T(2027, 7, 1, 7)


def test_markup_and_control_characters_in_a_summary_are_removed_not_refused():
    text = _calendar(
        _event("SUMMARY:<b>Half\x1b[31m term</b> &amp; <script>alert(1)</script>\u202eINSET")
    )
    (event,) = read_events(text)
    assert event.summary == "Half[31m term & alert(1)INSET"
    assert "\x1b" not in event.summary and "<" not in event.summary


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        ("Spring half-term", "holiday"),
        ("Easter holidays", "holiday"),
        ("Summer holiday", "holiday"),
        ("Summer term", "term"),
        ("Last day of term (1.30pm finish)", "term"),
        ("First day for pupils", "term"),
        ("May Day bank holiday", "holiday"),
        ("School closed: polling station", "holiday"),
        ("PD day", "inset"),
        ("GCSE exams", "exam"),
        ("Year 6 SATs", "exam"),
        ("Change freeze: Ofsted visit", "freeze"),
        ("Parents' evening", "other"),
        ("", "other"),
    ],
)
def test_the_kind_is_guessed_from_the_summary(summary, kind):
    assert guess_kind(summary) == kind


# ------------------------------------------------------------------------- hostile files


def _event(*lines: str, start: str | None = "DTSTART;VALUE=DATE:20261026") -> str:
    head = [start] if start else []
    if not any(line.startswith("SUMMARY") for line in lines):
        head.append("SUMMARY:Half term")
    return (
        "BEGIN:VEVENT\r\n" + "".join(f"{line}\r\n" for line in [*head, *lines]) + ("END:VEVENT\r\n")
    )


def _calendar(*events: str) -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(events) + "END:VCALENDAR\r\n"


def _refused(data: bytes | str) -> str:
    with pytest.raises(BadInput) as refusal:
        read_events(data, source="dates.ics")
    return str(refusal.value)


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b"", "dates.ics is empty."),
        ("  \r\n\r\n", "dates.ics is empty."),
        (
            b"Name,Start,End\nAutumn term,2026-09-02,2026-12-18\n",
            "dates.ics is not an iCalendar file: it does not start with BEGIN:VCALENDAR.",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "dates.ics is not a text file."),
        (
            _calendar(_event("DTEND;VALUE=DATE:20260231")),
            "The event 'Half term' in dates.ics has '20260231' for DTEND, which is not a date.",
        ),
        (
            _calendar(_event(start="DTSTART;VALUE=DATE:20261301")),
            "The event 'Half term' in dates.ics has '20261301' for DTSTART, which is not a date.",
        ),
        (
            _calendar(_event(start="DTSTART:20261026T250000")),
            "The event 'Half term' in dates.ics has '20261026T250000' for DTSTART, which is "
            "not a date.",
        ),
        (
            _calendar(_event(start="DTSTART;VALUE=DATE:next monday")),
            "The event 'Half term' in dates.ics has 'next monday' for DTSTART, which is not "
            "a date.",
        ),
        (
            _calendar(_event("DTEND;VALUE=DATE:20261020")),
            "The event 'Half term' in dates.ics ends before it starts.",
        ),
        (
            _calendar(_event("DURATION:-P2D")),
            "The event 'Half term' in dates.ics ends before it starts.",
        ),
        (
            _calendar(_event("DTEND;VALUE=DATE:21011231")),
            "The event 'Half term' in dates.ics lasts more than 400 days.",
        ),
        (
            _calendar(_event("DURATION:P99999W")),
            "The event 'Half term' in dates.ics lasts more than 400 days.",
        ),
        (
            _calendar(_event(start=None)),
            "The event 'Half term' in dates.ics has no start date (DTSTART).",
        ),
        (
            _calendar(_event("DTEND:20261027T090000Z")),
            "The event 'Half term' in dates.ics gives a date for one of its start and end and "
            "a time for the other.",
        ),
        (
            _calendar(_event("DURATION:PT4H")),
            "The event 'Half term' in dates.ics lasts all day but has a DURATION that is not "
            "whole days.",
        ),
        (
            _calendar(_event("DURATION:soon")),
            "The event 'Half term' in dates.ics has 'soon' for DURATION, which is not a length "
            "of time.",
        ),
        (
            _calendar(_event("SUMMARY:" + "Half term " * 30)),
            "An event in dates.ics has a summary longer than 200 characters: 'Half term Half "
            "term Half term Half term…'.",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261026\r\nEND:VCALENDAR\r\n",
            "dates.ics ends VCALENDAR where END:VEVENT was expected; it may be cut short.",
        ),
        (
            "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nEND:VCALENDAR\r\n",
            "dates.ics ends VCALENDAR, which was never begun.",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261026\r\n",
            "dates.ics stops before END:VEVENT; it may be cut short.",
        ),
        (
            "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nSUMMARY:stray\r\n",
            'dates.ics is not a valid iCalendar file (Property "SUMMARY" does not have a '
            "parent component).",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VCALENDAR\r\n",
            "dates.ics stops before END:VCALENDAR; it may be cut short.",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nBEGIN:VEVENT\r\n",
            "dates.ics stops before END:VEVENT; it may be cut short.",
        ),
        (
            "BEGIN:VCALENDAR\r\n" + "BEGIN:X-PART\r\n" * 10,
            "dates.ics stops before END:X-PART; it may be cut short.",
        ),
        (
            "BEGIN:VCALENDAR\r\nX-NOTE:start\r\n " + "a" * 9_000 + "\r\n " + "a" * 9_000,
            "dates.ics stops before END:VCALENDAR; it may be cut short.",
        ),
    ],
)
def test_a_broken_file_is_refused_with_one_plain_sentence(data, sentence):
    assert _refused(data) == sentence


@pytest.mark.parametrize(
    "data",
    [
        _calendar(_event(start="DTSTART;VALUE=DATE:19991025")),
        _calendar(_event("this line has no colon")),
        "BEGIN:VCALENDAR\r\nX-NOTE:" + "a" * 10_001 + "\r\nEND:VCALENDAR\r\n",
    ],
)
def test_what_the_parser_passes_over_is_read_or_left_out_harmlessly(data):
    """An event before the planning window, a stray line without a colon, a long X- line:
    icalendar reads past them, and nothing outside the window is kept."""
    first, last = window()
    for event in read_events(data):
        assert first <= event.start < last and event.summary == "Half term"


def test_the_default_source_starts_a_sentence_with_a_capital():
    with pytest.raises(BadInput, match=r"^The file is empty\.$"):
        read_events(b"")


def test_a_hostile_file_name_is_quoted_safely():
    with pytest.raises(BadInput, match=r"^dates\.ics \[31m is empty\.$"):
        read_events(b"", source="dates.ics\n\x1b[31m")


def test_a_recursive_file_is_refused_fast():
    data = b"BEGIN:VCALENDAR\r\n" * 250_000  # 4 MB of calendars inside calendars
    began = time.perf_counter()
    assert _refused(data) == "dates.ics has more than 100,000 lines, the most allowed."
    assert time.perf_counter() - began < 2


def test_more_than_5000_events_are_refused():
    data = _calendar(*[_event() for _ in range(5001)])
    assert _refused(data) == (
        "dates.ics has more than 5,000 events between 01 September 2026 and 01 September "
        "2028, the most allowed."
    )
    assert len(read_events(_calendar(*[_event() for _ in range(5000)]))) == 5000


def test_a_file_over_5_mb_is_refused_quickly_before_it_is_read():
    data = _calendar(_event("DESCRIPTION:" + "x" * 9000)) * 600  # ~5.4 MB of real content
    assert len(data) > 5 * 1024 * 1024
    began = time.perf_counter()
    assert _refused(data.encode()) == "dates.ics is larger than 5 MB, the most allowed."
    assert _refused(data) == "dates.ics is larger than 5 MB, the most allowed."
    assert _refused("é" * (3 * 1024 * 1024)) == "dates.ics is larger than 5 MB, the most allowed."
    assert time.perf_counter() - began < 1


def test_a_file_just_under_5_mb_of_long_folded_lines_is_read_quickly():
    description = "DESCRIPTION:" + "".join(["word, " * 12 + "\r\n "] * 130)
    data = _calendar(*[_event(description) for _ in range(500)])
    assert 4 * 1024 * 1024 < len(data) < 5 * 1024 * 1024
    began = time.perf_counter()
    assert len(read_events(data)) == 500
    assert time.perf_counter() - began < 5


@settings(
    max_examples=300,
    deadline=dt.timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000)))
def test_arbitrary_input_is_read_or_refused_never_crashes(data):
    try:
        read_events(data)
    except BadInput as refusal:
        assert str(refusal).endswith(".") and "\n" not in str(refusal)


_LINES = st.sampled_from(
    [
        "BEGIN:VCALENDAR",
        "END:VCALENDAR",
        "BEGIN:VEVENT",
        "END:VEVENT",
        "BEGIN:VALARM",
        "END:VALARM",
        "DTSTART;VALUE=DATE:20261026",
        "DTSTART:20261026T090000Z",
        "DTSTART;TZID=Europe/London:20260331T013000",
        'DTSTART;TZID="x:y";X="a;b":20261026T090000',
        "DTEND;VALUE=DATE:20261020",
        "DTEND:20261231T235960",
        "DURATION:P1W",
        "DURATION:PT90M",
        "SUMMARY:Half term\\, \\nall <b>schools</b>",
        "SUMMARY:\x00\x1b\u202e",
        "UID:" + "u" * 300,
        "STATUS:CANCELLED",
        " folded",
        "\tfolded",
        "",
        "RRULE:FREQ=DAILY",
    ]
)


@settings(max_examples=400, deadline=dt.timedelta(seconds=2))
@given(st.lists(st.one_of(_LINES, st.text(max_size=40)), max_size=40), st.booleans())
def test_calendar_shaped_input_is_read_or_refused_never_crashes(lines, crlf):
    text = ("\r\n" if crlf else "\n").join(["BEGIN:VCALENDAR", *lines])
    try:
        events = read_events(text)
    except BadInput as refusal:
        assert str(refusal).endswith(".") and "\n" not in str(refusal)
    else:
        for event in events:
            assert type(event.start) is type(event.end)
            assert event.start <= event.end
            assert event.all_day == (not isinstance(event.start, dt.datetime))
            assert event.kind in ("term", "holiday", "inset", "exam", "freeze", "other")


def test_quoted_parameters_may_hold_colons_and_semicolons_and_text_may_hold_quotes():
    text = _calendar(
        _event(
            'SUMMARY;ALTREP="https://anyshire.gov.uk/a;b:c":Staff "twilight" INSET',
            start='DTSTART;X-NOTE="a:b;c";TZID="Europe/London":20261106T153000',
        )
    )
    (event,) = read_events(text)
    assert event.summary == 'Staff "twilight" INSET'
    assert event.start == T(2026, 11, 6, 15, 30)
    assert event.kind == "inset"


def test_old_mac_line_endings_and_a_multi_calendar_stream_are_read():
    one = _calendar(_event())
    two = _calendar(_event("SUMMARY:Easter holiday", start="DTSTART;VALUE=DATE:20270329"))
    events = read_events((one + "\r\n" + two).replace("\r\n", "\r"))
    assert [(e.summary, e.start, e.end) for e in events] == [
        ("Half term", D(2026, 10, 26), D(2026, 10, 27)),
        ("Easter holiday", D(2027, 3, 29), D(2027, 3, 30)),
    ]


def test_an_all_day_event_ending_as_it_starts_lasts_the_day():
    (event,) = read_events(_calendar(_event("DTEND;VALUE=DATE:20261026")))
    assert (event.start, event.end, event.all_day) == (D(2026, 10, 26), D(2026, 10, 27), True)


@pytest.mark.slow
def test_a_file_of_five_million_blank_or_pointless_lines_is_still_quick():
    """Blank lines and folds cost nothing; a flood of properties is refused by counting
    lines before the parser (about 20 microseconds a line) sees them."""
    for filler in ("\n", "X-A:b\n", " \n", 'X;A="::;;":v\n'):
        data = "BEGIN:VCALENDAR\nX:a\n" + filler * (5_000_000 // len(filler)) + "END:VCALENDAR\n"
        began = time.perf_counter()
        if filler.strip():
            assert _refused(data) == "dates.ics has more than 100,000 lines, the most allowed."
        else:
            assert read_events(data) == []
        assert time.perf_counter() - began < 10  # about 1.3 s here: linear


def test_a_fold_inside_a_utf8_character_keeps_the_character():
    """RFC 5545 folds at 75 octets, which may fall inside a character: "é" is two bytes,
    and the fold goes between them."""
    summary = b"SUMMARY:Half term at the Caf\xc3\r\n \xa9 (closed)"
    data = _calendar(_event(start="DTSTART;VALUE=DATE:20261026")).encode()
    data = data.replace(b"SUMMARY:Half term", summary)
    (event,) = read_events(data)
    assert event.summary == "Half term at the Café (closed)"
