"""Calendar files: a council's term dates as iCalendar, a whole calendar as TOML, each
imported whole or not at all, and `fitsdesk calendar import` and `show`."""

import datetime as dt
from pathlib import Path

import pytest

from store.changes import schedule
from store.db import journal
from store.db.errors import BadInput
from store.db.models import CalendarEvent, Period
from store.school import calendar, calendar_files

TOML = """
[[period]]
name = "Period 1"
kind = "lesson"
start = "08:50"
end = "09:50"

[[period]]
name = "Break"
kind = "break"
start = "09:50"
end = "10:10"

[[event]]
kind = "holiday"
title = "October half term"
start = 2026-10-26
end = 2026-10-30

[[event]]
kind = "freeze"
title = "Census day"
start = 2027-01-14T06:00:00
end = 2027-01-14T18:00:00
"""

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Shire Council//Term Dates//EN\r\n"
    "BEGIN:VEVENT\r\nUID:t1@shire\r\nDTSTART;VALUE=DATE:20260902\r\n"
    "DTEND;VALUE=DATE:20261024\r\nSUMMARY:Autumn term (first half)\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:h1@shire\r\nDTSTART;VALUE=DATE:20261026\r\n"
    "DTEND;VALUE=DATE:20261031\r\nSUMMARY:October half term\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:i1@shire\r\nDTSTART;VALUE=DATE:20261102\r\n"
    "SUMMARY:INSET day - school closed to pupils\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_toml_calendar_brings_its_timetable_and_events(school, tmp_path):
    done = calendar_files.import_file(write(tmp_path, "calendar.toml", TOML), by="jsmith")
    assert (done.added, done.removed, done.periods) == (2, 0, 2)
    assert [p.name for p in calendar.timetable()] == ["Period 1", "Break"]
    events = calendar.events_between(dt.datetime(2026, 1, 1), dt.datetime(2028, 1, 1))
    assert [(e.kind, e.title, e.all_day) for e in events] == [
        ("holiday", "October half term", True),
        ("freeze", "Census day", False),
    ]
    assert calendar.to_local(events[1].starts_at) == dt.datetime(2027, 1, 14, 6, 0)
    again = calendar_files.import_file(write(tmp_path, "calendar.toml", TOML), by="jsmith")
    assert (again.added, again.removed) == (2, 2)


def test_a_councils_ics_file_of_term_dates(school, tmp_path):
    done = calendar_files.import_file(write(tmp_path, "terms.ics", ICS), by="jsmith")
    assert (done.added, done.periods) == (3, None)
    events = calendar.events_between(dt.datetime(2026, 1, 1), dt.datetime(2028, 1, 1))
    assert [e.kind for e in events] == ["term", "holiday", "inset"]
    assert calendar.moment_at(calendar.to_utc(dt.datetime(2026, 10, 30, 12))).day == "holiday"
    assert calendar.moment_at(calendar.to_utc(dt.datetime(2026, 10, 31, 12))).day == "weekend"
    assert calendar.moment_at(calendar.to_utc(dt.datetime(2026, 11, 2, 12))).day == "inset"
    # the file's name says nothing, its content does
    assert calendar_files.import_file(write(tmp_path, "terms.txt", ICS), by="jsmith").added == 3


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[[period]\n", "not valid TOML"),
        ("[term]\nstart = 2026-09-01\n", "'term' is not part of a calendar"),
        ("event = 3\n", r"\[\[event\]\]"),
        ('[[event]]\nkind = "party"\nstart = 2026-01-01\n', "party"),
        ('[[event]]\nkind = "holiday"\ntitle = "x"\nstart = 09:00:00\n', "not only times"),
        (
            '[[event]]\nkind = "holiday"\ntitle = "x"\nstart = 2026-05-02\nend = 2026-05-01\n',
            "ends before it starts",
        ),
        (TOML + '[[period]]\nname = "Late"\nstart = "25:00"\nend = "26:00"\n', "08:50"),
        ("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "no events"),
    ],
)
def test_a_bad_file_changes_nothing(school, tmp_path, text, words):
    calendar_files.import_file(write(tmp_path, "calendar.toml", TOML), by="jsmith")
    before = (CalendarEvent.select().count(), Period.select().count())
    with pytest.raises(BadInput, match=words):
        calendar_files.import_file(write(tmp_path, "calendar.toml", text), by="jsmith")
    assert (CalendarEvent.select().count(), Period.select().count()) == before


def test_files_that_cannot_be_read(school, tmp_path):
    with pytest.raises(BadInput, match="There is no file"):
        calendar_files.import_file(tmp_path / "nope.ics", by="jsmith")
    with pytest.raises(BadInput, match="a folder"):
        calendar_files.import_file(tmp_path, by="jsmith")
    huge = tmp_path / "huge.ics"
    huge.write_bytes(b"x" * (5 * 1024 * 1024 + 1))
    with pytest.raises(BadInput, match="over 5 MB"):
        calendar_files.import_file(huge, by="jsmith")
    binary = tmp_path / "photo.toml"
    binary.write_bytes(b"\xff\xd8\xff\xe0 not a calendar")
    with pytest.raises(BadInput, match="neither iCalendar nor UTF-8 TOML"):
        calendar_files.import_file(binary, by="jsmith")


def test_the_command_line(run, tmp_path):
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith")[0] == 0
    status, out, err = run("calendar", "import", str(write(tmp_path, "calendar.toml", TOML)))
    assert (status, out) == (
        0,
        "Imported 2 events from calendar.toml; the school day now has 2 periods.\n",
    ), err
    status, out, _ = run("calendar", "show", "--week")
    assert status == 0 and len([line for line in out.splitlines() if line[:1] != " "]) == 7
    status, _, err = run("calendar", "import", str(tmp_path / "nope.ics"))
    assert status == 2 and err.count("\n") == 1 and "There is no file" in err


# Real-shaped files: docs/examples/, as the docs use them

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
IN_TERM = dt.datetime(2026, 12, 7, 10, 0)
"""A Monday in the 2026-27 school year: the planning window is 2026-09-01 to 2028-09-01."""


@pytest.fixture
def autumn(school, monkeypatch):
    monkeypatch.setattr(journal, "now", lambda: IN_TERM)
    return school


def test_the_councils_recurring_mock_exams_block_all_five_days(autumn):
    """RRULE:FREQ=DAILY;COUNT=5: a change on the third day reports the clash (it used to
    say the window was clear: only the first day was read)."""
    done = calendar_files.import_file(EXAMPLES / "term-dates-2026-27.ics", by="jsmith")
    assert (done.added, done.removed) == (21, 0)
    mocks = calendar.list_events(kind="exam", source="term-dates-2026-27.ics")
    assert [calendar.to_local(e.starts_at).date() for e in mocks if "mock" in e.title] == [
        dt.date(2027, 1, day) for day in range(11, 16)
    ]
    day_three = calendar.to_utc(dt.datetime(2027, 1, 13, 12, 0))
    found = schedule.clashes(day_three, day_three + dt.timedelta(hours=1))
    assert [(c.kind, c.title) for c in found] == [("exam", "Year 11 mock exams")]
    day_six = calendar.to_utc(dt.datetime(2027, 1, 18, 12, 0))
    assert not [c for c in schedule.clashes(day_six, day_six + dt.timedelta(hours=1))
                if c.kind == "exam"]  # fmt: skip
    gcse = [calendar.to_local(e.starts_at) for e in mocks if e.title == "GCSE exams"]
    assert gcse == [dt.datetime(2027, 5, d, 9, 0) for d in (10, 12, 14, 17)]  # RDATE, BST


def test_a_calendar_services_export_with_x_wr_timezone_exdate_and_a_moved_week(autumn):
    calendar_files.import_file(EXAMPLES / "it-calendar-export.ics", by="jsmith")
    windows = [
        calendar.to_local(e.starts_at)
        for e in calendar.list_events(source="it-calendar-export.ics")
        if e.title.startswith("Weekly maintenance")
    ]
    assert dt.datetime(2026, 10, 20, 16, 0) in windows  # 16:00 in BST, kept local
    assert dt.datetime(2026, 10, 27, 16, 0) not in windows  # EXDATE: half term
    assert dt.datetime(2026, 12, 22, 16, 0) not in windows
    assert dt.datetime(2026, 11, 17, 17, 0) in windows  # RECURRENCE-ID: moved an hour
    assert dt.datetime(2026, 11, 17, 16, 0) not in windows
    assert windows[-1] == dt.datetime(2027, 7, 20, 16, 0)  # UNTIL
    titles = {e.title for e in calendar.list_events(source="it-calendar-export.ics")}
    assert "Printer firmware update" not in titles  # STATUS:CANCELLED
    assert {"Exam season change freeze", "School census day: change freeze"} <= titles


def test_importing_again_even_renamed_replaces_rather_than_adds(autumn, tmp_path):
    first = calendar_files.import_file(EXAMPLES / "term-dates-2026-27.ics", by="jsmith")
    again = calendar_files.import_file(EXAMPLES / "term-dates-2026-27.ics", by="jsmith")
    assert (again.added, again.removed) == (first.added, first.added)
    renamed = tmp_path / "council-latest.ics"
    renamed.write_bytes((EXAMPLES / "term-dates-2026-27.ics").read_bytes())
    moved = calendar_files.import_file(renamed, by="jsmith")
    assert (moved.added, moved.removed) == (first.added, first.added)
    assert CalendarEvent.select().count() == first.added
    assert calendar.sources() == [("council-latest.ics", first.added)]


def test_an_endless_or_flooding_calendar_changes_nothing(autumn, tmp_path):
    calendar_files.import_file(EXAMPLES / "term-dates-2026-27.ics", by="jsmith")
    before = CalendarEvent.select().count()
    endless = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x@y\r\n"
        "DTSTART;VALUE=DATE:20260901\r\nRRULE:FREQ=DAILY\r\nSUMMARY:Every day\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (tmp_path / "daily.ics").write_text(endless)
    done = calendar_files.import_file(tmp_path / "daily.ics", by="jsmith")
    assert done.added == 731  # bounded by the two-year window (2028 has a 29 February)
    calendar.remove_events(source="daily.ics", by="jsmith")
    flood = endless.replace("FREQ=DAILY", "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11")
    (tmp_path / "flood.ics").write_text(flood)
    with pytest.raises(BadInput, match="more than 5,000 events between 01 September 2026"):
        calendar_files.import_file(tmp_path / "flood.ics", by="jsmith")
    secondly = endless.replace("FREQ=DAILY", "FREQ=SECONDLY")
    (tmp_path / "secondly.ics").write_text(secondly)
    with pytest.raises(BadInput, match="repeats more often than daily"):
        calendar_files.import_file(tmp_path / "secondly.ics", by="jsmith")
    zone = endless.replace(
        "DTSTART;VALUE=DATE:20260901\r\nRRULE:FREQ=DAILY",
        "DTSTART;TZID=Mars/Olympus:20261201T090000\r\nDTEND;TZID=Mars/Olympus:20261201T100000",
    )
    (tmp_path / "mars.ics").write_text(zone)
    calendar_files.import_file(tmp_path / "mars.ics", by="jsmith")  # local time, as floating
    assert CalendarEvent.select().count() == before + 1


def test_calendar_list_and_remove_from_the_command_line(autumn, run):
    assert run("calendar", "import", str(EXAMPLES / "term-dates-2026-27.ics"))[0] == 0
    status, out, _ = run("calendar", "list", "--from", "2027-01-11", "--to", "2027-01-15",
                         "--kind", "exam")  # fmt: skip
    assert status == 0
    lines = [line for line in out.splitlines() if "Year 11 mock exams" in line]
    assert len(lines) == 5 and "[term-dates-2026-27.ics]" in lines[0]
    assert "From: term-dates-2026-27.ics 21" in out
    number = lines[2].split()[0]
    assert run("calendar", "remove", "--id", number)[1] == "Removed 1 event.\n"
    status, _, err = run("calendar", "remove", "--id", number)
    assert status != 0 and "There is no calendar event" in err and "Traceback" not in err
    status, _, err = run("calendar", "list", "--from", "next week")
    assert status != 0 and "is not a date like 2026-09-01 or 01/09/2026" in err
    assert run("calendar", "remove", "--source", "term-dates-2026-27.ics")[1] == (
        "Removed 20 events.\n"
    )
    status, _, err = run("calendar", "remove", "--source", "[b]nope[/b]")
    assert status != 0 and "No events came from '[b]nope[/b]'" in err
