"""Scheduling a change: what its window would hit (lessons, exams, freezes, term time),
the next clear windows, the window in words, and the desk's four weeks ahead."""

import dataclasses
import datetime as dt
import re
import time

import pytest

from store.changes import schedule
from store.db import config
from store.db.errors import BadInput
from store.school import calendar, locations
from tests.test_calendar import DAY, local

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def london(monkeypatch):
    """The school's clock is London's, with its summer time."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def autumn(school, london):
    """The autumn term of 2026: half term 26-30 Oct, a training day on Mon 2 Nov, GCSE
    resits in the hall all week from Mon 9 Nov, and the rooms HALL and ICT1."""
    calendar.set_timetable(DAY, by="jsmith")
    locations.add_location("HALL", "Main hall", by="jsmith")
    locations.add_location("ICT1", "ICT suite 1", by="jsmith")
    calendar.add_event(
        "term", "Autumn term", dt.date(2026, 9, 2), dt.date(2026, 12, 18), by="jsmith"
    )
    calendar.add_event(
        "holiday", "Half term", dt.date(2026, 10, 26), dt.date(2026, 10, 30), by="jsmith"
    )
    calendar.add_event(
        "inset", "Training day", dt.date(2026, 11, 2), dt.date(2026, 11, 2), by="jsmith"
    )
    calendar.add_event(
        "exam",
        "GCSE Maths Paper 1",
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 13),
        location="HALL",
        by="jsmith",
    )
    return school


def words(found) -> list[str]:
    return [c.words for c in found]


def test_a_window_over_lessons_names_each_period_in_local_time(autumn):
    found = schedule.clashes(local(2026, 10, 14, 9, 30), local(2026, 10, 14, 10, 0))
    assert words(found) == [
        "Period 1 (lesson), Wed 14 Oct 08:50-09:50",
        "Period 2 (lesson), Wed 14 Oct 09:50-10:50",
    ]
    assert (found[1].starts_at, found[1].ends_at) == (
        dt.datetime(2026, 10, 14, 8, 50),
        dt.datetime(2026, 10, 14, 9, 50),
    )
    assert found[1].location is None
    december = schedule.clashes(dt.datetime(2026, 12, 9, 9, 0), dt.datetime(2026, 12, 9, 9, 30))
    assert words(december) == ["Period 1 (lesson), Wed 9 Dec 08:50-09:50"]  # GMT again


def test_after_school_and_the_break_are_clear(autumn):
    assert schedule.clashes(local(2026, 10, 14, 15, 0), local(2026, 10, 14, 18, 0)) == []
    break_time = schedule.clashes(local(2026, 10, 14, 10, 50), local(2026, 10, 14, 11, 10))
    assert break_time == []
    assert break_time.more == 0


@pytest.mark.parametrize(
    "day",
    [(2026, 10, 28), (2026, 11, 2), (2026, 10, 17), (2026, 12, 21)],
    ids=["half term", "training day", "saturday", "after term"],
)
def test_holidays_training_days_and_weekends_have_no_lessons(autumn, day):
    assert schedule.clashes(local(*day, 8, 0), local(*day, 16, 0)) == []


def test_an_exam_in_the_hall_clashes_only_with_changes_in_the_hall(autumn):
    start, end = local(2026, 11, 10, 16, 0), local(2026, 11, 10, 18, 0)
    in_hall = schedule.clashes(start, end, locations=["hall"])
    assert words(in_hall) == ["GCSE Maths Paper 1 (exam) in HALL, Mon 9 Nov-Fri 13 Nov"]
    assert in_hall[0].location == "HALL"
    assert schedule.clashes(start, end, locations=["ICT1"]) == []
    assert schedule.clashes(start, end) == []  # not a school-wide exam
    assert len(schedule.clashes(start, end, locations=["ICT1", "HALL"])) == 1
    assert len(schedule.clashes(start, end, locations="HALL")) == 1  # one code, not letters


def test_a_school_wide_freeze_clashes_everywhere_even_at_a_weekend(autumn):
    calendar.add_event(
        "freeze", "Census freeze", dt.date(2026, 11, 13), dt.date(2026, 11, 16), by="jsmith"
    )
    saturday = (local(2026, 11, 14, 10, 0), local(2026, 11, 14, 12, 0))
    for rooms in ((), ("ICT1",), ("HALL", "ICT1")):
        found = [c for c in schedule.clashes(*saturday, locations=rooms) if c.kind == "freeze"]
        assert words(found) == ["Census freeze (freeze), Fri 13 Nov-Mon 16 Nov"]
    calendar.add_event(
        "freeze", "Christmas change freeze", dt.date(2026, 12, 19), dt.date(2027, 1, 3), by="jsmith"
    )
    holiday = schedule.clashes(local(2026, 12, 22, 9, 0), local(2026, 12, 22, 12, 0))
    assert words(holiday) == ["Christmas change freeze (freeze), Sat 19 Dec-Sun 3 Jan"]


def test_a_timed_freeze_is_said_with_its_times(autumn):
    calendar.add_event(
        "freeze", "Server move", local(2026, 10, 23, 16, 0), local(2026, 10, 26, 7, 0), by="jsmith"
    )
    found = schedule.clashes(local(2026, 10, 24, 9, 0), local(2026, 10, 24, 10, 0))
    assert words(found) == ["Server move (freeze), Fri 23 Oct 16:00 to Mon 26 Oct 07:00"]


def test_a_high_risk_change_waits_for_a_holiday_or_a_weekend(autumn):
    evening = (local(2026, 10, 14, 16, 0), local(2026, 10, 14, 18, 0))
    assert schedule.clashes(*evening, risk="low") == []
    assert schedule.clashes(*evening, risk="medium") == []
    assert words(schedule.clashes(*evening, risk="high")) == ["Autumn term (term), Wed 14 Oct"]
    assert (
        schedule.clashes(local(2026, 10, 28, 9, 0), local(2026, 10, 28, 17, 0), risk="high") == []
    )
    assert (
        schedule.clashes(local(2026, 10, 17, 9, 0), local(2026, 10, 17, 17, 0), risk="HIGH") == []
    )
    # Friday evening into half term: Friday is still a school day
    long_weekend = schedule.clashes(
        local(2026, 10, 23, 16, 0), local(2026, 10, 26, 7, 0), risk="high"
    )
    assert words(long_weekend) == ["Autumn term (term), Fri 23 Oct"]
    with pytest.raises(BadInput, match="low, medium or high"):
        schedule.clashes(*evening, risk="extreme")


def test_a_long_window_lists_fifty_clashes_and_counts_the_rest(autumn):
    fortnight = (local(2026, 11, 16, 0, 0), local(2026, 11, 30, 0, 0))  # 10 school days
    low = schedule.clashes(*fortnight)
    assert (len(low), low.more) == (50, 0)
    high = schedule.clashes(*fortnight, risk="high")
    assert (len(high), high.more) == (50, 10)
    assert high[0].words == "Autumn term (term), Mon 16 Nov"
    assert [c.starts_at for c in high] == sorted(c.starts_at for c in high)


NOW = dt.datetime(2026, 10, 14, 12, 0)


@pytest.mark.parametrize(
    ("start", "end", "sentence"),
    [
        (NOW + 2 * HOUR, NOW + HOUR, "That window ends before it starts."),
        (NOW + HOUR, NOW + HOUR, "That window ends as it starts"),
        (NOW - dt.timedelta(minutes=10), NOW + HOUR, "That window starts in the past."),
        (NOW, NOW + dt.timedelta(days=14, minutes=1), "two weeks at the most"),
        (NOW + dt.timedelta(days=733), NOW + dt.timedelta(days=733, hours=2), "two years ahead"),
        (dt.date(2026, 10, 15), dt.date(2026, 10, 16), "dates with times"),
        ("2026-10-15 16:00", "2026-10-15 18:00", "dates with times"),
        (None, NOW + HOUR, "dates with times"),
        (dt.datetime(1, 1, 1), dt.datetime(1, 1, 2), "between 2000 and 2100"),
    ],
)
def test_check_window_refuses_with_one_sentence(start, end, sentence):
    with pytest.raises(BadInput, match=sentence) as refusal:
        schedule.check_window(start, end, now=NOW)
    assert str(refusal.value).count(".") == 1 and "\n" not in str(refusal.value)


def test_check_window_passes_a_good_window_unchanged():
    good = (NOW - dt.timedelta(minutes=4), NOW + 2 * HOUR)  # the form took a few minutes
    assert schedule.check_window(*good, now=NOW) == good
    ahead = (NOW + dt.timedelta(days=700), NOW + dt.timedelta(days=714))
    assert schedule.check_window(*ahead, now=NOW) == ahead
    aware = dt.datetime(2026, 10, 14, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert schedule.check_window(aware, aware + HOUR, now=NOW)[0] == dt.datetime(
        2026, 10, 14, 16, 0
    )


@pytest.mark.parametrize(
    ("rooms", "sentence"),
    [
        (["ICT9"], "There is no room 'ICT9'"),
        (["HALL", "[b]ICT1[/b]"], "may only use letters"),
        ([""], "The room code is empty."),
        ([42], "The room code must be text."),
        (["X" * 500], "too long"),
        ([f"R{n}" for n in range(1001)], "1000 rooms at the most"),
    ],
)
def test_unknown_or_silly_rooms_are_refused(autumn, rooms, sentence):
    start, end = local(2026, 10, 14, 16, 0), local(2026, 10, 14, 18, 0)
    with pytest.raises(BadInput, match=re.escape(sentence)):
        schedule.clashes(start, end, locations=rooms)
    with pytest.raises(BadInput, match=re.escape(sentence)):
        schedule.next_windows(HOUR, after=start, locations=rooms)


def test_room_codes_are_cleaned_before_they_are_looked_up(autumn):
    start, end = local(2026, 11, 10, 16, 0), local(2026, 11, 10, 18, 0)
    for typed in (" hall ", "HALL\x00", "\u202ehall"):  # a scanner's stray NUL, a bidi override
        assert [c.location for c in schedule.clashes(start, end, locations=[typed])] == ["HALL"]


def test_next_windows_skip_lessons_one_per_gap(autumn):
    found = schedule.next_windows(HOUR, after=local(2026, 10, 14, 8, 0))
    assert found == [  # 08:00-08:50 is too short before Period 1; nights are not offered
        (local(2026, 10, 14, 15, 0), local(2026, 10, 14, 16, 0)),
        (local(2026, 10, 15, 7, 0), local(2026, 10, 15, 8, 0)),  # the working day starts
        (local(2026, 10, 15, 15, 0), local(2026, 10, 15, 16, 0)),
    ]


def test_next_windows_skip_freezes_and_every_named_room(autumn):
    calendar.add_event(
        "freeze", "Census freeze", dt.date(2026, 11, 14), dt.date(2026, 11, 15), by="jsmith"
    )
    after = local(2026, 11, 9, 15, 0)  # Monday, the hall's exam week begins
    in_ict = schedule.next_windows(2 * HOUR, after=after, locations=["ICT1"])
    assert in_ict[0] == (after, after + 2 * HOUR)
    both = schedule.next_windows(2 * HOUR, after=after, locations=["ICT1", "HALL"], count=5)
    # After the freeze: 07:00-08:50 is too short before Period 1, so after school
    assert both[0] == (local(2026, 11, 16, 15, 0), local(2026, 11, 16, 17, 0))
    for start, end in both:
        assert schedule.clashes(start, end, locations=["ICT1", "HALL"]) == []


def test_high_risk_windows_fall_at_weekends_and_in_holidays(autumn):
    found = schedule.next_windows(4 * HOUR, after=local(2026, 10, 14, 8, 0), risk="high")
    assert [schedule.window_words(*w) for w in found] == [
        "Sat 17 Oct 07:00-11:00",  # within the working day
        "Sun 18 Oct 07:00-11:00",
        "Sat 24 Oct 07:00-11:00",
    ]
    for start, end in found:
        assert schedule.clashes(start, end, risk="high") == []


def test_next_windows_refuse_bad_requests(autumn):
    after = local(2026, 10, 14, 8, 0)
    for length in (dt.timedelta(0), dt.timedelta(days=15), 60):
        with pytest.raises(BadInput, match=r"some time|two weeks"):
            schedule.next_windows(length, after=after)
    for count in (0, 51, "3", True):
        with pytest.raises(BadInput, match="1 to 50 windows"):
            schedule.next_windows(HOUR, after=after, count=count)
    with pytest.raises(BadInput, match="dates with times"):
        schedule.next_windows(HOUR, after=dt.date(2026, 10, 14))


def test_windows_start_at_a_quarter_hour_within_the_working_day(autumn):
    after = local(2026, 10, 17, 9, 7)  # a Saturday
    assert schedule.next_windows(HOUR, after=after, count=1) == [
        (local(2026, 10, 17, 9, 15), local(2026, 10, 17, 10, 15))
    ]
    late = schedule.next_windows(HOUR, after=local(2026, 10, 17, 18, 30), count=1)
    assert late == [(local(2026, 10, 18, 7, 0), local(2026, 10, 18, 8, 0))]
    config.use(dataclasses.replace(config.current(), working_hours=("16:00", "20:00")))
    found = schedule.next_windows(HOUR, after=local(2026, 10, 14, 8, 0), count=2)
    assert found == [
        (local(2026, 10, 14, 16, 0), local(2026, 10, 14, 17, 0)),
        (local(2026, 10, 15, 16, 0), local(2026, 10, 15, 17, 0)),
    ]


def test_window_words_across_days_and_the_clock_changes(london):
    utc = dt.datetime
    said = schedule.window_words
    assert said(utc(2026, 10, 14, 15, 0), utc(2026, 10, 14, 17, 0)) == "Wed 14 Oct 16:00-18:00"
    assert said(utc(2026, 12, 9, 16, 0), utc(2026, 12, 9, 18, 0)) == "Wed 9 Dec 16:00-18:00"
    # the clocks go back on Sun 25 Oct: 15:00 UTC is 16:00 on Friday, 07:00 on Monday
    over_half_term = said(utc(2026, 10, 23, 15, 0), utc(2026, 10, 26, 7, 0))
    assert over_half_term == "Fri 23 Oct 16:00 to Mon 26 Oct 07:00"
    # and forward on Sun 28 Mar 2027: 22:00 GMT to 03:00 BST is four hours
    spring = said(utc(2027, 3, 27, 22, 0), utc(2027, 3, 28, 2, 0))
    assert spring == "Sat 27 Mar 22:00 to Sun 28 Mar 03:00"


def test_four_weeks_ahead_with_half_term(autumn):
    days = schedule.calendar_days(dt.date(2026, 10, 19), 28)
    assert len(days) == 28
    assert (days[0].date, days[-1].date) == (dt.date(2026, 10, 19), dt.date(2026, 11, 15))
    kinds = "".join(d.day[0] for d in days)  # s school, w weekend, h holiday, i inset
    weeks = [kinds[n : n + 7] for n in range(0, 28, 7)]
    assert weeks == ["sssssww", "hhhhhww", "issssww", "sssssww"]
    by_date = {d.date: d for d in days}
    assert by_date[dt.date(2026, 10, 28)].events == ("Autumn term", "Half term")
    assert by_date[dt.date(2026, 11, 2)].events == ("Autumn term", "Training day")
    assert by_date[dt.date(2026, 11, 11)].events == ("Autumn term", "GCSE Maths Paper 1 in HALL")
    assert sum(d.day == "school" for d in days) == 14


def test_each_call_reads_the_calendar_once(autumn, monkeypatch):
    reads = []
    real = calendar.events_between
    monkeypatch.setattr(calendar, "events_between", lambda *a: reads.append(a) or real(*a))
    year = schedule.calendar_days(dt.date(2026, 9, 1), 366)
    assert len(year) == 366 and len(reads) == 1
    schedule.clashes(local(2026, 11, 16, 0, 0), local(2026, 11, 30, 0, 0), risk="high")
    schedule.next_windows(HOUR, after=local(2026, 10, 14, 8, 0), count=50, risk="high")
    assert len(reads) == 3


@pytest.mark.parametrize(
    ("first", "days", "sentence"),
    [
        (dt.datetime(2026, 10, 19, 9, 0), 28, "as a date"),
        ("2026-10-19", 28, "as a date"),
        (dt.date(2026, 10, 19), 0, "1 to 366 days"),
        (dt.date(2026, 10, 19), 10_000, "1 to 366 days"),
        (dt.date(2026, 10, 19), "28", "1 to 366 days"),
        (dt.date(2099, 12, 1), 60, "between 2000 and 2100"),
        (dt.date.min, 28, "between 2000 and 2100"),
    ],
)
def test_calendar_days_refuses_bad_requests(first, days, sentence):
    with pytest.raises(BadInput, match=sentence):
        schedule.calendar_days(first, days)


@pytest.mark.parametrize(
    "hours", ['"19:00-07:00"', '"7-19"', '"07:00"', "7", '"07:00-24:00"', '"[b]x[/b]"']
)
def test_working_hours_in_the_config_are_checked(tmp_path, hours):
    path = tmp_path / "config.toml"
    path.write_text(f"[changes]\nworking_hours = {hours}\n")
    with pytest.raises(BadInput, match="working_hours must be a start and an end"):
        config.load_config(path)
    path.write_text('[changes]\nworking_hours = "07:30-18:00"\n')
    assert config.load_config(path).working_hours == ("07:30", "18:00")
