"""Calendar files: a council's term dates as iCalendar, a whole calendar as TOML, each
imported whole or not at all, and `fitsdesk calendar import` and `show`."""

import datetime as dt

import pytest

from store.changes import calendar, calendar_files
from store.db.errors import BadInput
from store.db.models import CalendarEvent, Period

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
