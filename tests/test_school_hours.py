"""School hours for service levels (store/service_levels/hours.py): cover on term-time
school days from 08:00 to 16:30 local, holidays and weekends closed, INSET days as the
school chooses, a closed lunch hour if wanted; all from the calendar already imported."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.db.errors import BadInput
from store.school import calendar
from store.service_levels.hours import Cover, SchoolClock

L = calendar.to_utc  # the school's local time (Europe/London in the tests) as stored


def local(*parts) -> dt.datetime:
    return L(dt.datetime(*parts))


def add_autumn_term() -> None:
    """The autumn term of 2026: half term Mon 26 to Fri 30 October, an INSET day on
    Monday 2 November; British Summer Time ends on Sunday 25 October."""
    for kind, title, first, last in (
        ("term", "Autumn term", (2026, 9, 2), (2026, 12, 18)),
        ("holiday", "October half term", (2026, 10, 26), (2026, 10, 30)),
        ("inset", "Training day", (2026, 11, 2), (2026, 11, 2)),
    ):
        calendar.add_event(kind, title, dt.date(*first), dt.date(*last), by="jsmith")


@pytest.fixture
def autumn(school):
    """The small school, in the autumn term of 2026 (add_autumn_term)."""
    add_autumn_term()
    return school


def clock(cover: Cover | None = None) -> SchoolClock:
    return SchoolClock(local(2026, 10, 1), local(2026, 11, 30), cover)


def test_a_call_at_1620_on_the_friday_before_half_term_is_due_after_it(autumn):
    logged = local(2026, 10, 23, 16, 20)  # ten minutes of cover left that Friday
    hour = 3600
    assert clock().add(logged, hour) == local(2026, 11, 3, 8, 50)  # INSET Monday closed
    open_inset = clock(Cover(inset_open=True))
    assert open_inset.add(logged, hour) == local(2026, 11, 2, 8, 50)
    assert clock().seconds(logged, local(2026, 11, 3, 8, 50)) == hour


def test_a_p1_logged_before_school_starts_its_clock_at_eight(autumn):
    logged = local(2026, 10, 19, 7, 55)  # in BST: 06:55 UTC
    assert logged == dt.datetime(2026, 10, 19, 6, 55)
    assert clock().add(logged, 30 * 60) == local(2026, 10, 19, 8, 30)
    assert clock().seconds(logged, local(2026, 10, 19, 8, 0)) == 0


def test_a_weekend_counts_nothing_and_a_school_day_is_eight_and_a_half_hours(autumn):
    assert clock().seconds(local(2026, 10, 16, 16, 0), local(2026, 10, 19, 9, 0)) == 90 * 60
    assert clock().seconds(local(2026, 10, 19), local(2026, 10, 20)) == 8.5 * 3600
    day = int(8.5 * 3600)  # "one school day" from the start of one is its end
    assert clock().add(local(2026, 10, 20, 8, 0), day) == local(2026, 10, 20, 16, 30)
    assert clock().seconds(local(2026, 10, 26), local(2026, 10, 31)) == 0  # half term


def test_a_closed_lunch_hour_splits_the_day(autumn):
    lunch = Cover(closed=((dt.time(12, 30), dt.time(13, 15)),))
    assert clock(lunch).add(local(2026, 10, 20, 12, 0), 3600) == local(2026, 10, 20, 13, 45)
    assert clock(lunch).seconds(local(2026, 10, 20), local(2026, 10, 21)) == 465 * 60


def test_the_clocks_going_back_change_nothing_in_school_time(autumn):
    # BST ends in half term: 08:00 local is 07:00 UTC before it and 08:00 UTC after it.
    assert clock().spans(dt.date(2026, 10, 23))[0][0] == dt.datetime(2026, 10, 23, 7, 0)
    assert clock().spans(dt.date(2026, 11, 3))[0][0] == dt.datetime(2026, 11, 3, 8, 0)


def test_a_target_beyond_what_was_read_is_none_and_cover_must_make_sense(autumn):
    assert clock().add(local(2026, 10, 20, 9), 10_000 * 3600) is None  # terms end in December
    with pytest.raises(BadInput, match="close after it opens"):
        Cover(opens=dt.time(17), closes=dt.time(8))
    with pytest.raises(BadInput, match="between opening and closing"):
        Cover(closed=((dt.time(7), dt.time(9)),))
    with pytest.raises(BadInput, match="outside the span"):
        clock().is_open_day(dt.date(2020, 1, 1))


def test_with_no_terms_imported_every_weekday_is_a_school_day(school):
    bare = SchoolClock(local(2026, 12, 21), local(2026, 12, 31))
    assert bare.seconds(local(2026, 12, 21), local(2026, 12, 26)) == 5 * 8.5 * 3600


@pytest.fixture
def two_clocks(autumn):
    """The autumn term's clock with the whole day covered, and with a closed lunch hour."""
    return {
        lunch: SchoolClock(
            local(2026, 10, 1),
            local(2026, 12, 31),
            Cover(closed=((dt.time(12), dt.time(13)),) if lunch else ()),
        )
        for lunch in (False, True)
    }


def walked(clock: SchoolClock, start: dt.datetime, end: dt.datetime) -> int:
    """Cover in [start, end) by walking the days one by one: what the index must equal."""
    total = dt.timedelta(0)
    day = calendar.to_local(start).date()
    while day <= calendar.to_local(end).date():
        for left, right in clock.spans(day):
            overlap = min(right, end) - max(left, start)
            if overlap > dt.timedelta(0):
                total += overlap
        day += dt.timedelta(days=1)
    return int(total.total_seconds())


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    offset=st.integers(min_value=0, max_value=70 * 24 * 60),
    length=st.integers(min_value=0, max_value=20 * 24 * 60),
    lunch=st.booleans(),
)
def test_the_clock_agrees_with_walking_the_days(two_clocks, offset, length, lunch):
    here = two_clocks[lunch]
    start = local(2026, 10, 1) + dt.timedelta(minutes=offset)
    end = start + dt.timedelta(minutes=length)
    used = here.seconds(start, end)
    assert used == walked(here, start, end)
    due = here.add(start, used)
    if used:  # the due time is where that much cover has passed, and inside cover
        assert here.seconds(start, due) == used and here.is_open(due - dt.timedelta(seconds=1))
        assert due <= end
