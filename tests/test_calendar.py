"""The school calendar: lessons, breaks, holidays, training days, exams and freezes, and
the next windows a change can run in without breaking a lesson."""

import datetime as dt
import time

import pytest

from store.db.errors import BadInput
from store.db.models import CalendarEvent, Period
from store.school import calendar

DAY = [
    {"name": "Registration", "kind": "registration", "start": "08:40", "end": "08:50"},
    {"name": "Period 1", "kind": "lesson", "start": "08:50", "end": "09:50"},
    {"name": "Period 2", "kind": "lesson", "start": "09:50", "end": "10:50"},
    {"name": "Break", "kind": "break", "start": "10:50", "end": "11:10"},
    {"name": "Period 3", "kind": "lesson", "start": "11:10", "end": "12:10"},
    {"name": "Lunch", "kind": "lunch", "start": "12:10", "end": "13:00"},
    {"name": "Period 4", "kind": "lesson", "start": "13:00", "end": "14:00"},
    {"name": "Period 5", "kind": "lesson", "start": "14:00", "end": "15:00"},
]


@pytest.fixture
def london(monkeypatch):
    """The school's clock is London's, with its summer time."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def school_year(school, london):
    calendar.set_timetable(DAY, by="jsmith")
    calendar.add_event("term", "Autumn term", dt.date(2026, 9, 2), dt.date(2026, 12, 18),
                       by="jsmith")  # fmt: skip
    calendar.add_event("holiday", "Half term", dt.date(2026, 10, 26), dt.date(2026, 10, 30),
                       by="jsmith")  # fmt: skip
    calendar.add_event("inset", "Training day", dt.date(2026, 11, 2), dt.date(2026, 11, 2),
                       by="jsmith")  # fmt: skip
    return school


def local(*args) -> dt.datetime:
    return calendar.to_utc(dt.datetime(*args))


def test_lessons_breaks_and_the_ends_of_the_day(school_year):
    wednesday = (2026, 10, 14)
    assert calendar.moment_at(local(*wednesday, 9, 0)).lesson
    assert calendar.moment_at(local(*wednesday, 9, 0)).period == "Period 1"
    found = calendar.moment_at(local(*wednesday, 10, 55))
    assert (found.part, found.period, found.lesson) == ("break", "Break", False)
    assert calendar.moment_at(local(*wednesday, 7, 0)).part == "before_school"
    assert calendar.moment_at(local(*wednesday, 15, 0)).part == "after_school"
    assert calendar.moment_at(local(*wednesday, 8, 45)).part == "registration"


def test_weekends_holidays_training_days_and_outside_term(school_year):
    assert calendar.moment_at(local(2026, 10, 17, 10, 0)).day == "weekend"
    assert calendar.moment_at(local(2026, 10, 28, 10, 0)).day == "holiday"
    assert calendar.moment_at(local(2026, 10, 30, 23, 30)).day == "holiday"  # its last day
    assert calendar.moment_at(local(2026, 11, 2, 10, 0)).day == "inset"
    assert calendar.moment_at(local(2026, 12, 21, 10, 0)).day == "holiday"  # after term
    assert not calendar.moment_at(local(2026, 11, 2, 10, 0)).lesson


def test_summer_time_keeps_lessons_at_their_local_time(school_year):
    """09:00 in London is 08:00 UTC in October's summer time, 09:00 UTC in December."""
    assert calendar.moment_at(dt.datetime(2026, 10, 14, 8, 0)).period == "Period 1"
    assert calendar.moment_at(dt.datetime(2026, 12, 9, 9, 0)).period == "Period 1"
    assert calendar.moment_at(dt.datetime(2026, 12, 9, 8, 0)).part == "before_school"


def test_exams_and_freezes_are_named_where_they_apply(school_year):
    calendar.add_event("exam", "Mocks", local(2026, 11, 9, 9, 0), local(2026, 11, 9, 12, 0),
                       location="LIB", by="jsmith")  # fmt: skip
    calendar.add_event("freeze", "Census week", dt.date(2026, 11, 16), dt.date(2026, 11, 20),
                       by="jsmith")  # fmt: skip
    assert calendar.moment_at(local(2026, 11, 9, 10, 0), location="LIB").exams == ("Mocks",)
    assert calendar.moment_at(local(2026, 11, 9, 10, 0), location="S12").exams == ()
    assert calendar.moment_at(local(2026, 11, 18, 17, 0)).freezes == ("Census week",)


def test_free_windows_miss_lessons_exams_and_freezes(school_year):
    monday = local(2026, 11, 16, 8, 0)  # census week: frozen all week
    calendar.add_event("freeze", "Census week", dt.date(2026, 11, 16), dt.date(2026, 11, 20),
                       by="jsmith")  # fmt: skip
    found = calendar.free_windows(dt.timedelta(hours=2), after=monday)
    assert found[0][0] == local(2026, 11, 21, 0, 0)  # the freeze's end, a Saturday
    wednesday = local(2026, 10, 14, 8, 0)
    short = calendar.free_windows(dt.timedelta(minutes=20), after=wednesday, count=3)
    assert short == [
        (wednesday, wednesday + dt.timedelta(minutes=20)),  # before school
        (local(2026, 10, 14, 10, 50), local(2026, 10, 14, 11, 10)),  # break
        (local(2026, 10, 14, 12, 10), local(2026, 10, 14, 12, 30)),  # lunch
    ]
    for start, _end in calendar.free_windows(dt.timedelta(hours=1), after=wednesday, count=10):
        for minute in range(0, 60, 5):
            assert not calendar.moment_at(start + dt.timedelta(minutes=minute)).lesson


def test_without_terms_every_weekday_is_a_school_day(school, london):
    calendar.set_timetable(DAY, by="jsmith")
    assert calendar.moment_at(local(2027, 7, 28, 9, 0)).lesson


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (dt.date(2026, 10, 30), dt.date(2026, 10, 26), "ends before it starts"),
        (dt.date(1999, 1, 1), dt.date(1999, 1, 2), "between 2000 and 2100"),
        (dt.date(2026, 1, 1), dt.datetime(2026, 1, 2), "both as dates or both as times"),
        (dt.date(2026, 1, 1), dt.date(2027, 6, 1), "400 days"),
        ("2026-01-01", "2026-01-02", "both as dates or both as times"),
    ],
)
def test_bad_events_are_refused_and_nothing_written(school, start, end, words):
    with pytest.raises(BadInput, match=words):
        calendar.add_event("holiday", "x", start, end, by="jsmith")
    with pytest.raises(BadInput, match=words):
        good = ("holiday", "ok", dt.date(2026, 1, 5), dt.date(2026, 1, 6), "")
        bad = ("holiday", "x", start, end, "")
        calendar.replace_events([good, bad], source="f.ics", by="jsmith")
    assert CalendarEvent.select().count() == 0


def test_an_import_replaces_what_the_same_file_brought(school):
    one = [("holiday", "Half term", dt.date(2026, 10, 26), dt.date(2026, 10, 30), "a")]
    assert calendar.replace_events(one, source="terms.ics", by="jsmith") == (1, 0)
    calendar.add_event("freeze", "By hand", dt.date(2026, 11, 1), dt.date(2026, 11, 2), by="jsmith")
    two = [*one, ("inset", "Training", dt.date(2026, 11, 2), dt.date(2026, 11, 2), "b")]
    assert calendar.replace_events(two, source="terms.ics", by="jsmith") == (2, 1)
    found = calendar.events_between(dt.datetime(2026, 1, 1), dt.datetime(2027, 1, 1))
    assert sorted(e.title for e in found) == ["By hand", "Half term", "Training"]


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ({"name": "P1", "start": "9", "end": "10:00"}, "a time like 08:50"),
        ({"name": "P1", "start": "10:00", "end": "09:00"}, "ends before it starts"),
        ({"name": "P1", "kind": "nap", "start": "09:00", "end": "10:00"}, "nap"),
        ({"name": "P1", "start": "09:00", "end": "10:00", "days": "89"}, "ISO weekdays"),
        ({"name": "", "start": "09:00", "end": "10:00"}, "name"),
        ("P1 09:00", "must be a table"),
    ],
)
def test_bad_periods_are_refused_and_the_old_timetable_kept(school, period, words):
    calendar.set_timetable(DAY, by="jsmith")
    with pytest.raises(BadInput, match=words):
        calendar.set_timetable([period], by="jsmith")
    assert Period.select().count() == len(DAY)


def test_overlapping_lessons_are_refused(school):
    clash = [*DAY, {"name": "Extra", "kind": "lesson", "start": "09:30", "end": "10:00"}]
    with pytest.raises(BadInput, match="overlap"):
        calendar.set_timetable(clash, by="jsmith")


def test_a_window_must_have_a_length(school):
    for length in (dt.timedelta(0), dt.timedelta(minutes=-5), dt.timedelta(days=15), 60):
        with pytest.raises(BadInput):
            calendar.free_windows(length, after=dt.datetime(2026, 10, 14))
