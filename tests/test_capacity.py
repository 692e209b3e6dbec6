"""Capacity: forecasts on synthetic series with known answers (pure maths, no database),
then metrics and readings in the store, disk use, and the raise-once rule."""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.db import journal
from store.db.errors import BadInput, NotFound, Refused
from store.problems import capacity, disk_usage, problems
from store.problems.forecast import Forecast, forecast, theil_sen

T0 = dt.datetime(2026, 1, 5, 9, 0)
DAY = dt.timedelta(days=1)


def line(days: int, start: float, per_day: float, *, every=DAY, noise=0.0, seed=1):
    """Readings from T0, one per `every`, for `days` days: start + per_day * t + noise."""
    rng = random.Random(seed)
    count = int(days * DAY / every)
    return [
        (T0 + i * every, start + per_day * (i * every / DAY) + rng.gauss(0, noise) * bool(noise))
        for i in range(count + 1)
    ]


def near(a: dt.datetime, b: dt.datetime, within: dt.timedelta = DAY) -> bool:
    return abs(a - b) <= within


# The forecast alone


def test_a_straight_line_from_half_full_gives_the_day_it_fills():
    readings = line(60, 50.0, 0.5)  # 50% on 5 January, 80% on 6 March: full 100 days in
    found = forecast(readings, 100.0, warning=90.0)
    assert found.reason is None and found.r_squared == pytest.approx(1.0)
    assert near(found.full_at, T0 + 100 * DAY, dt.timedelta(minutes=1))
    assert found.full_earliest <= found.full_at <= found.full_latest
    assert found.full_latest - found.full_earliest < dt.timedelta(hours=1)  # no noise: sure
    assert near(found.warning_at, T0 + 80 * DAY, dt.timedelta(minutes=1))
    assert found.slope_per_day == pytest.approx(0.5)
    assert found.value_at(T0 + 100 * DAY) == pytest.approx(100.0)
    (start, v0), (end, v1) = found.line()
    assert (start, end) == (T0, found.full_at)
    assert v0 == pytest.approx(50.0) and v1 == pytest.approx(100.0)
    words = found.words("GB")
    assert words.startswith("Full around 15 April 2026")
    assert "rising 0.5 GB a day" in words and "explains 100% of the change" in words
    assert "warning level (90 GB) around 26 March 2026" in words


def test_a_noisy_line_is_right_within_its_stated_range():
    numpy = pytest.importorskip("numpy")
    truth = T0 + 100 * DAY
    inside = 0
    for seed in range(20):
        readings = line(60, 50.0, 0.5, noise=1.5, seed=seed)
        found = forecast(readings, 100.0)
        assert found.full_earliest < found.full_at < found.full_latest
        assert near(found.full_at, truth, 8 * DAY)
        inside += found.full_earliest <= truth <= found.full_latest
        xs = [(at - T0) / DAY for at, _ in readings]
        slope, _ = numpy.polyfit(xs, [v for _, v in readings], 1)
        assert found.slope_per_day == pytest.approx(slope, rel=1e-9)
        assert 0.9 < found.r_squared < 1
    assert inside >= 17  # a 95% range: about 19 of 20
    words = forecast(line(60, 50.0, 0.5, noise=1.5), 100.0).words("GB")
    assert words.startswith("Full around ") and "(between " in words and "% of the change" in words


def test_hourly_readings_over_ten_thousand_hours_fit_the_last_ninety_days():
    readings = line(420, 10.0, 0.1, every=dt.timedelta(hours=1), noise=0.2)
    found = forecast(readings, 100.0)
    assert found.readings == 90 * 24 + 1  # the window, not all 10,080
    assert found.start == readings[-1][0] - 90 * DAY
    assert found.slope_per_day == pytest.approx(0.1, rel=0.02)
    assert near(found.full_at, T0 + 900 * DAY, 10 * DAY)


@pytest.mark.parametrize(
    ("readings", "says"),
    [
        (line(30, 60.0, 0.0), "the readings are flat over the last 30 days"),
        (line(30, 60.0, -0.4), "the readings are falling over the last 30 days"),
        (line(30, 60.0, 0.01, noise=3.0), "too scattered to forecast: a straight line explains"),
        (line(3, 60.0, 1.0), "there are only 4 readings in the last 90 days; "
                             "a forecast needs at least 5"),
        (line(0.5, 60.0, 1.0, every=dt.timedelta(hours=1)),
         "the readings in the last 90 days span only 12 hours; a forecast needs at least a day"),
        (line(30, 10.0, 0.001), "at this rate it would not be full within ten years"),
        ([], "there are no readings in the last 90 days"),
    ],
    ids=["flat", "falling", "scattered", "too few", "too short", "too slow", "none"],
)  # fmt: skip
def test_no_date_but_a_plain_reason(readings, says):
    found = forecast(readings, 100.0, warning=90.0)
    assert found.full_at is None and found.full_earliest is None and found.full_latest is None
    assert says in found.reason
    assert found.words().startswith("No forecast: " + found.reason[:20])


def test_readings_older_than_the_window_are_not_used():
    found = forecast(line(30, 50.0, 0.5), 100.0, now=T0 + 200 * DAY)
    assert found.reason == "there are no readings in the last 90 days"


def test_a_clean_up_starts_the_fit_afresh():
    before = line(40, 50.0, 0.5)  # 50 -> 70, then someone clears 40 GB
    after = [(at + 41 * DAY, 30.0 + 0.5 * i) for i, (at, _) in enumerate(line(20, 0, 0))]
    found = forecast(before + after, 100.0)
    assert found.restarted_at == T0 + 41 * DAY
    assert found.readings == len(after)
    assert near(found.full_at, T0 + 41 * DAY + 140 * DAY, dt.timedelta(minutes=1))
    # Just after the clean-up there is too little to go on: it says so.
    found = forecast(before + after[:3], 100.0)
    assert found.full_at is None and "since they fell sharply on 15 February 2026" in found.reason


WEEK = 7 * DAY


def weekly(weeks: int, start: float, per_week: float, *, since=T0):
    """A file share read once a week: start, then per_week more each week."""
    return [(since + i * WEEK, start + per_week * i) for i in range(weeks + 1)]


def test_a_routine_clean_up_keeps_the_forecast():
    # A share rose 10 GB a week for a month, then read 10 GB lower (1.3%): routine.
    rising = weekly(4, 730.0, 10.0)
    dip = (T0 + 5 * WEEK, 760.0)
    found = forecast([*rising, dip], 900.0, warning=810.0)
    assert found.restarted_at is None and found.reason is None
    assert found.glitches == 1 and found.slope_per_day == pytest.approx(10 / 7)
    assert found.words("GB").startswith("Full around 4 May 2026 (on 4 May 2026 or very near it)")
    assert "1 reading far out of line left out" in found.words("GB")
    # The share goes on rising from the lower level: the dip stays in, the forecast too.
    after = [(T0 + (5 + i) * WEEK, 760.0 + 10 * i) for i in range(1, 4)]
    found = forecast([*rising, dip, *after], 900.0)
    assert found.restarted_at is None and found.glitches == 0 and found.readings == 9
    assert found.full_at is not None and 0.9 < found.slope_per_day < 10 / 7


def test_noisy_weekly_growth_with_clean_ups_keeps_its_trend():
    rng = random.Random(7)
    readings, level = [], 700.0
    for week in range(12):
        level += 10 + rng.gauss(0, 2)
        if week in (5, 10):
            level -= 20  # a clean-up of two weeks' growth
        readings.append((T0 + week * WEEK, level))
    found = forecast(readings, 900.0)
    assert found.restarted_at is None and found.readings == 12
    assert found.reason is None and 6 < found.slope_per_day * 7 < 10


def test_a_genuine_reset_drops_the_old_trend():
    rising = weekly(6, 600.0, 10.0)
    # The disk wiped: even as the newest reading the old rate must not be used.
    found = forecast([*rising, (T0 + 7 * WEEK, 40.0)], 800.0)
    assert found.restarted_at == T0 + 7 * WEEK and found.full_at is None
    assert found.reason == (
        "there is only 1 reading since they fell sharply on 23 February 2026; "
        "a forecast needs at least 5"
    )
    # Half the share moved elsewhere, then it rises again: the line starts at the move.
    moved = [(T0 + (7 + i) * WEEK, 330.0 + 5 * i) for i in range(6)]
    found = forecast([*rising, *moved], 800.0)
    assert found.restarted_at == T0 + 7 * WEEK and found.readings == 6
    assert found.slope_per_day == pytest.approx(5 / 7) and found.start == T0 + 7 * WEEK


def sawtooth(days: int) -> list[tuple[dt.datetime, float]]:
    """A backup disk read daily: each night's backup adds 20 GB, and each week's full
    backup prunes them, back to a level that itself rises 3 GB a day."""
    return [(T0 + d * DAY, 500.0 + 3 * d + 20 * (d % 7)) for d in range(days + 1)]


def test_a_weekly_backup_rotation_is_a_rhythm_not_a_restart():
    for readings in (sawtooth(62), sawtooth(63)):  # ending at a peak, then just pruned
        found = forecast(readings, 1000.0)
        assert found.restarted_at is None and found.readings == len(readings)
        assert found.reason is None and found.slope_per_day == pytest.approx(3, rel=0.1)
    # The same disk wiped is a restart.
    found = forecast([*sawtooth(62), (T0 + 63 * DAY, 30.0)], 1000.0)
    assert found.restarted_at == T0 + 63 * DAY and "fell sharply" in found.reason


def test_very_few_readings_with_a_dip():
    found = forecast([*weekly(2, 730.0, 10.0), (T0 + 3 * WEEK, 740.0)], 900.0)
    assert found.restarted_at is None
    assert found.reason == (
        "there are only 4 readings in the last 90 days; a forecast needs at least 5"
    )
    found = forecast([*weekly(3, 730.0, 10.0), (T0 + 4 * WEEK, 750.0)], 900.0)
    assert found.restarted_at is None and found.glitches == 1
    assert found.reason == (
        "there are only 4 readings that are in line with each other; a forecast needs at least 5"
    )


@settings(max_examples=80)
@given(
    weeks=st.integers(5, 40),
    per_step=st.floats(1, 50),
    wobble=st.floats(0, 0.3),
    where=st.floats(0.2, 1),
    dip=st.floats(0, 2),
    hours=st.sampled_from([6, 24, 168]),
    seed=st.integers(0, 1000),
)
def test_property_a_small_dip_never_empties_the_forecast(
    weeks, per_step, wobble, where, dip, hours, seed
):
    """A lasting fall of at most two steps' growth, anywhere, never restarts the fit."""
    rng = random.Random(seed)
    every = dt.timedelta(hours=hours)
    count = min(weeks * 168 // hours, 300)
    at = max(1, round(where * count))
    readings = [
        (
            T0 + i * every,
            100 + per_step * i + rng.gauss(0, wobble * per_step) - dip * per_step * (i >= at),
        )
        for i in range(count + 1)
    ]
    found = forecast(readings, 100 + per_step * (count + 10) * 2)
    assert found.restarted_at is None
    assert "fell sharply" not in (found.reason or "")


def test_one_wild_reading_is_left_out_and_a_lasting_rise_is_kept():
    readings = line(60, 50.0, 0.5)
    readings[30] = (readings[30][0], 5.0)  # a glitch: the share was not mounted
    readings[31] = (readings[31][0], 99.0)  # and another, the other way
    found = forecast(readings, 100.0)
    assert found.glitches == 2 and found.readings == 59
    assert near(found.full_at, T0 + 100 * DAY, dt.timedelta(minutes=1))
    assert "2 readings far out of line left out" in found.words()
    # Ten readings in a row 15 higher: real use, kept, and it brings the date forward.
    risen = line(50, 50.0, 0.5) + [(at, v + 15) for at, v in line(60, 50.0, 0.5)[51:]]
    found = forecast(risen, 100.0)
    assert found.glitches == 0 and found.full_at < T0 + 95 * DAY


def test_already_full_and_already_over_the_warning():
    readings = [*line(30, 80.0, 0.6), (T0 + 31 * DAY, 100.5), (T0 + 32 * DAY, 101.0)]
    found = forecast(readings, 100.0, warning=90.0)
    assert found.already_full and found.reason is None
    assert found.full_at == T0 + 31 * DAY and found.days_to_full(T0 + 32 * DAY) == -1
    assert found.words("GB") == "Already full: 101 GB since 5 February 2026."
    over = forecast(line(30, 85.0, 0.2), 100.0, warning=90.0)
    assert over.already_warning and over.warning_at == T0 + 25 * DAY
    assert "Already over the warning level (90 GB)." in over.words("GB")


def test_theil_sen_is_the_median_slope():
    xs = [0.0, 1.0, 2.0, 3.0, 4.0]
    ys = [0.0, 1.0, 2.0, 30.0, 4.0]
    slope, intercept = theil_sen(xs, ys)
    assert slope == pytest.approx(1.0) and intercept == pytest.approx(0.0)


@settings(max_examples=60)
@given(
    start=st.floats(0, 80),
    per_day=st.floats(0.05, 5),
    days=st.integers(2, 80),
    wobble=st.floats(0, 0.02),
    seed=st.integers(0, 1000),
)
def test_property_a_rising_line_is_dated_within_its_own_range(start, per_day, days, wobble, seed):
    noise = wobble * per_day * days  # small beside the rise it is measured over
    readings = line(days, start, per_day, every=dt.timedelta(hours=6), noise=noise, seed=seed)
    found = forecast(readings, 100.0, warning=90.0)
    if found.already_full:
        assert readings[-1][1] >= 100
        return
    assert found.reason is None, found.reason
    assert found.full_earliest <= found.full_at
    assert found.full_latest is None or found.full_at <= found.full_latest
    truth = T0 + dt.timedelta(days=(100 - start) / per_day)
    if noise == 0 and truth > readings[-1][0]:
        assert near(found.full_at, truth, dt.timedelta(minutes=5))


finite_or_not = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**30), 10**30)
)


@settings(max_examples=150)
@given(
    readings=st.lists(
        st.tuples(st.datetimes(), finite_or_not | st.none() | st.text(max_size=3)), max_size=25
    ),
    size=finite_or_not,
    warning=st.none() | finite_or_not,
    now=st.none() | st.datetimes(),
)
def test_property_any_input_gives_a_date_or_a_reason_and_never_raises(readings, size, warning, now):
    found = forecast(readings, size, warning, now=now)
    assert isinstance(found, Forecast)
    assert (found.full_at is None) != (found.reason is None)
    assert isinstance(found.words("GB"), str)
    if found.full_at is not None and found.full_latest is not None:
        assert found.full_earliest <= found.full_at <= found.full_latest


@settings(max_examples=100)
@given(
    readings=st.lists(
        st.tuples(
            st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 3, 1)),
            st.floats(0, 150) | st.sampled_from([0.0, 50.0, 100.0]),
        ),
        max_size=40,
    ),
    warning=st.none() | st.floats(0, 100),
)
def test_property_plausible_readings_give_a_date_or_a_reason(readings, warning):
    found = forecast(readings, 100.0, warning)
    assert (found.full_at is None) != (found.reason is None)
    if found.full_at is not None and not found.already_full:
        newest = max(at for at, _ in readings)
        assert found.r_squared >= 0.5 and found.slope_per_day > 0
        assert newest <= found.full_earliest <= found.full_at
        assert found.full_latest is None or found.full_at <= found.full_latest
    found.words("GB")


# The store


@pytest.fixture
def m365(jsmith):
    return capacity.add_metric("M365 storage", capacity=1000, unit="GB", by="jsmith")


def plant(name: str, readings, now: dt.datetime | None = None):
    """Add readings through the store (every check applies), as of `now`."""
    done = []
    for at, value in readings:
        done.append(capacity.add_sample(name, value, at=at, by="jsmith", now=now or at))
    return done


def test_a_metric_and_its_defaults(m365):
    assert (m365.name, m365.unit, m365.capacity, m365.warning) == ("M365 storage", "GB", 1000, 900)
    assert (m365.warn_days, m365.readings, m365.latest, m365.version) == (30, 0, None, 1)
    assert m365.forecast.reason == "there are no readings in the last 90 days"
    assert m365.origin == f"metric:{m365.id}" and m365.problem is None
    entry = journal.history("metric", m365.id)[0]
    assert (entry.who, entry.action, entry.after) == (
        "jsmith",
        "add",
        "M365 storage: capacity 1,000 GB",
    )
    bare = capacity.add_metric("Printer toner", capacity=8, warning=None, by="jsmith")
    assert bare.warning is None and bare.unit == ""
    assert [m.name for m in capacity.list_metrics()] == ["M365 storage", "Printer toner"]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("", "The metric's name is empty."),
        ("\x1b\x07\u202e", "The metric's name is empty."),
        ("x" * 61, "The metric's name is too long"),
        ("x" * 10_000, "The metric's name is too long"),
        (None, "The metric's name is empty."),
        (42, "The metric's name must be text."),
    ],
)
def test_bad_metric_names(jsmith, name, says):
    with pytest.raises(BadInput) as refused:
        capacity.add_metric(name, capacity=10, by="jsmith")
    assert str(refused.value).startswith(says)


def test_names_keep_markup_as_text_drop_controls_and_match_in_any_case(jsmith):
    odd = capacity.add_metric("[@click=app.quit]disk[/] \x1b[31mÖl", capacity=10, by="jsmith")
    assert odd.name == "[@click=app.quit]disk[/] [31mÖl"
    assert capacity.metric("[@CLICK=APP.QUIT]DISK[/] [31möl").id == odd.id
    with pytest.raises(Refused, match="There is already a metric called"):
        capacity.add_metric("[@click=app.quit]DISK[/] [31möl", capacity=5, by="jsmith")
    with pytest.raises(NotFound, match=r"There is no metric called 'nothing'\."):
        capacity.metric("nothing")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"capacity": 0}, "The capacity must be more than 0."),
        ({"capacity": -5}, "The capacity cannot be negative."),
        ({"capacity": "lots"}, "'lots' is not a number"),
        ({"capacity": float("nan")}, "The capacity is not a number"),
        ({"capacity": 1e300}, "The capacity is too big"),
        ({"capacity": True}, "The capacity must be a number"),
        ({"warning": 10}, "The warning level must be above 0 and below the capacity (10)."),
        ({"warning": -1}, "The warning level cannot be negative."),
        ({"warn_days": 0}, "The warning window is from 1 to 3650 days."),
        ({"warn_days": 5000}, "The warning window is from 1 to 3650 days."),
        ({"warn_days": 2.5}, "The warning window is a whole number of days"),
        ({"unit": "u" * 21}, "The unit is too long"),
    ],
)
def test_bad_metric_settings(jsmith, changes, says):
    with pytest.raises(BadInput) as refused:
        capacity.add_metric("Disk", **{"capacity": 10, **changes}, by="jsmith")
    assert str(refused.value).startswith(says)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (-1, "A reading cannot be negative."),
        ("-0.5", "A reading cannot be negative."),
        ("abc", "'abc' is not a number: write it like 42.5."),
        ("12,5", "'12,5' is not a number"),
        ("", "A reading is empty"),
        ("nan", "'nan' is not a number"),
        ("-Infinity", "'-Infinity' is not a number"),
        (float("nan"), "A reading is not a number"),
        (float("inf"), "A reading is too big"),
        ("1e400", "A reading is too big"),
        (10**400, "A reading is too big"),
        (2e15, "A reading is too big"),
        (True, "A reading must be a number"),
        (None, "A reading must be a number"),
        ("[b]5[/b]", "'[b]5[/b]' is not a number"),
    ],
)
def test_bad_readings(m365, value, says):
    with pytest.raises(BadInput) as refused:
        capacity.add_sample("M365 storage", value, by="jsmith")
    assert str(refused.value).startswith(says)
    assert "\n" not in str(refused.value)
    assert capacity.metric("M365 storage").readings == 0


def test_reading_times(m365):
    now = dt.datetime(2026, 3, 1, 12, 0)
    with pytest.raises(BadInput, match="in the future: a reading can be at most a minute ahead"):
        capacity.add_sample("M365 storage", 5, at=now + dt.timedelta(minutes=2), by="j", now=now)
    with pytest.raises(BadInput, match="too long ago for a reading"):
        capacity.add_sample("M365 storage", 5, at=dt.datetime(1999, 12, 31), by="j", now=now)
    with pytest.raises(BadInput, match="must be a date and time"):
        capacity.add_sample("M365 storage", 5, at="yesterday", by="j", now=now)
    skewed = now + dt.timedelta(seconds=30)  # another machine's clock a little ahead: fine
    assert capacity.add_sample("M365 storage", 500, at=skewed, by="j", now=now).reading.at == skewed
    earlier = capacity.add_sample("M365 storage", 400, at=now - 30 * DAY, by="j", now=now)
    assert earlier.metric.latest == 500  # a reading before the others is fine, and not newest
    aware = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    capacity.add_sample("M365 storage", 450, at=aware, by="j", now=now)
    assert [(r.at, r.value) for r in capacity.samples("m365 storage")] == [
        (now - 30 * DAY, 400),
        (dt.datetime(2026, 2, 1, 10, 0), 450),
        (skewed, 500),
    ]
    with pytest.raises(Refused, match=r"already has a reading at 2026-02-01 10:00:00 UTC: nothing"):
        capacity.add_sample("M365 storage", 455, at=aware, by="j", now=now)
    assert capacity.metric("M365 storage", now=now).readings == 3
    with pytest.raises(NotFound, match=r"There is no metric called 'M364 storage'\."):
        capacity.add_sample("M364 storage", 5, by="j")


def test_readings_far_out_of_line_are_refused_unless_forced(m365):
    now = dt.datetime(2026, 3, 1, 12, 0)
    plant("M365 storage", [(now - DAY, 400)])
    with pytest.raises(Refused) as refused:
        capacity.add_sample("M365 storage", 400_000, by="jsmith", now=now)
    assert str(refused.value) == (
        "400,000 GB is more than 10 times the capacity of M365 storage (1,000 GB): "
        "if it is right, add it again forced (--force)."
    )
    with pytest.raises(Refused) as refused:
        capacity.add_sample("M365 storage", 950, by="jsmith", now=now)
    assert str(refused.value) == (
        "950 GB is a jump of more than half the capacity from 400 GB at 2026-02-28 12:00 UTC: "
        "if it is right, add it again forced (--force)."
    )
    # An early reading is judged against the one after it.
    with pytest.raises(Refused, match="jump of more than half the capacity from 400 GB"):
        capacity.add_sample("M365 storage", 999, at=now - 9 * DAY, by="jsmith", now=now)
    done = capacity.add_sample("M365 storage", 950, by="akhan", now=now, force=True)
    assert done.metric.latest == 950 and done.metric.readings == 2
    entry = journal.history("metric", m365.id)[-1]
    assert (entry.who, entry.action, entry.after) == (
        "akhan",
        "forced reading",
        "950 at 2026-03-01T12:00:00",
    )
    assert capacity.metric("M365 storage").readings == 2


def test_samples_between_times_and_the_newest_few(m365):
    readings = line(9, 100.0, 10.0)
    plant("M365 storage", readings)
    assert [r.value for r in capacity.samples("M365 storage")] == [v for _, v in readings]
    middle = capacity.samples("M365 storage", since=T0 + 2 * DAY, until=T0 + 4 * DAY)
    assert [r.value for r in middle] == [120, 130, 140]
    assert [r.value for r in capacity.samples("M365 storage", last=2)] == [180, 190]
    with pytest.raises(BadInput):
        capacity.samples("M365 storage", last=0)
    with pytest.raises(BadInput):
        capacity.samples("M365 storage", since="monday")


def test_edit_a_metric(m365):
    moved = capacity.update_metric("m365 storage", capacity=2000, new_name="M365", by="jsmith")
    assert (moved.name, moved.capacity, moved.warning, moved.version) == ("M365", 2000, 1800, 2)
    other = capacity.add_metric("Disk", capacity=10, by="jsmith")
    with pytest.raises(Refused, match="There is already a metric called 'disk'"):
        capacity.update_metric("M365", new_name="disk", by="jsmith")
    with pytest.raises(Refused, match="was just changed by someone else"):
        capacity.update_metric("M365", unit="TB", seen_version=1, by="jsmith")
    assert capacity.update_metric("Disk", warning=None, by="jsmith").warning is None
    with pytest.raises(BadInput, match="below the capacity"):
        capacity.update_metric("Disk", warning=11, by="jsmith")
    fields = {e.field for e in journal.history("metric", m365.id) if e.action == "edit"}
    assert fields == {"name", "capacity", "warning"}
    assert capacity.metric("disk").id == other.id


def test_a_metric_shows_its_newest_reading_and_forecast(m365):
    plant("M365 storage", line(20, 300.0, 5.0))
    now = T0 + 20 * DAY
    found = capacity.metric("M365 storage", now=now)
    assert (found.readings, found.latest, found.latest_at) == (21, 400, now)
    assert found.percent_used == pytest.approx(40.0) and not found.over_warning
    assert near(found.forecast.full_at, T0 + 140 * DAY, dt.timedelta(minutes=1))
    assert found.words().startswith("Full around 25 May 2026") and "5 GB a day" in found.words()
    assert capacity.metric("M365 storage", now=now + 100 * DAY).forecast.full_at is None


def test_a_clean_up_dip_read_into_the_store_keeps_the_forecast(jsmith):
    capacity.add_metric("Staff share", capacity=900, unit="GB", by="jsmith")
    plant("Staff share", [*weekly(4, 730.0, 10.0), (T0 + 5 * WEEK, 760.0)])
    found = capacity.metric("Staff share", now=T0 + 5 * WEEK)
    assert (found.readings, found.latest) == (6, 760)
    assert found.forecast.restarted_at is None
    assert found.words().startswith("Full around 4 May 2026") and "1.43 GB a day" in found.words()
    # A week later the share is wiped: the old rate is dropped, and it says why.
    with pytest.raises(Refused, match="a jump of more than half the capacity"):
        plant("Staff share", [(T0 + 6 * WEEK, 12.0)])
    wiped = T0 + 6 * WEEK
    capacity.add_sample("Staff share", 12, at=wiped, force=True, by="jsmith", now=wiped)
    found = capacity.metric("Staff share", now=wiped)
    assert found.words() == (
        "No forecast: there is only 1 reading since they fell sharply on 16 February 2026; "
        "a forecast needs at least 5."
    )


def test_a_forecast_inside_the_window_raises_a_problem_once(school, m365):
    # 600 GB rising 10 GB a day: full in 40 days, outside the 30-day window at first.
    readings = line(10, 500.0, 10.0)
    done = plant("M365 storage", readings)
    assert [d.raised for d in done] == [None] * len(done)
    assert capacity.check_forecasts(now=readings[-1][0]) == []
    # Twelve days on it is full within 30 days: one problem, with the evidence.
    later = [(T0 + (10 + i) * DAY, 600.0 + 10 * i) for i in range(1, 13)]
    done = plant("M365 storage", later)
    raised = [d.raised for d in done if d.raised]
    assert len(raised) == 1
    prb = raised[0]
    assert prb.title == "M365 storage will be full around 24 February 2026"
    assert prb.origin == f"metric:{m365.id}" and prb.created_by == "system"
    assert done.index(next(d for d in done if d.raised)) == 9  # 30 days before: day 20
    assert prb.description.startswith("M365 storage: 700 GB of 1,000 GB (70%) at 2026-01-25 09:00")
    assert "Full around 24 February 2026" in prb.description
    assert "the warning window is 30 days" in prb.description
    # Every later reading and check leaves it at one.
    assert capacity.check_forecasts(now=later[-1][0]) == []
    assert done[-1].metric.problem == prb.number
    assert capacity.list_metrics(now=later[-1][0])[0].problem == prb.number
    assert [p.number for p in problems.list_problems("all")] == [prb.number]
    # Once it is closed, the next forecast inside the window raises another.
    problems.close(prb.number, by="jsmith", reason="Bought more storage")
    again = capacity.check_forecasts(now=later[-1][0])
    assert [p.origin for p in again] == [prb.origin] and again[0].number != prb.number


def test_a_full_metric_raises_a_problem_saying_so(school):
    capacity.add_metric("Licences", capacity=30, unit="licences", by="jsmith")
    done = plant("Licences", [(T0 + i * DAY, 30.0) for i in range(3)])
    assert done[0].raised.title == "Licences is full"
    assert [d.raised for d in done[1:]] == [None, None]


def test_disk_use_on_the_real_filesystem(jsmith, tmp_path):
    folder = tmp_path / "share"
    folder.mkdir()
    now = journal.now()
    done = disk_usage.record_disk_usage([folder, str(folder) + "/", "/no/such/folder"], by="root")
    assert done.failed == (("/no/such/folder", "does not exist"),) and done.raised == ()
    [disk] = done.recorded
    usage = shutil.disk_usage(folder)
    assert disk.name == disk_usage.disk_name(str(folder)) and disk.source == f"df:{folder}"
    assert disk.name == f"disk {folder}" or disk.name.endswith("/share")
    assert disk.unit == "GB" and disk.capacity == pytest.approx((usage.used + usage.free) / 1e9)
    assert disk.warning == pytest.approx(disk.capacity * 0.9)
    # Other tests write to the same filesystem meanwhile (a shared tmpfs holds only megabytes),
    # so allow a little either way: used, not free or the capacity, is what is recorded.
    assert disk.latest == pytest.approx(usage.used / 1e9, rel=0.01, abs=0.05)
    assert disk.readings == 1 and now <= disk.latest_at <= journal.now()
    # The next run adds to the same metric, found by where it measures even if renamed.
    capacity.update_metric(disk.name, new_name="The share", capacity=1, by="jsmith")
    again = disk_usage.record_disk_usage([str(folder)], by="root")
    assert [(m.name, m.readings) for m in again.recorded] == [("The share", 2)]
    assert again.recorded[0].capacity == pytest.approx(disk.capacity)  # the disk says
    assert again.recorded[0].warning == pytest.approx(disk.capacity * 0.9)


def test_disk_use_bad_paths(jsmith, tmp_path):
    with pytest.raises(BadInput, match="Name at least one folder"):
        disk_usage.record_disk_usage([], by="root")
    taken = disk_usage.disk_name(str(tmp_path))
    capacity.add_metric(taken, capacity=5, by="jsmith")
    long = tmp_path / ("x" * 80)
    long.mkdir()
    done = disk_usage.record_disk_usage(
        [tmp_path, "/tmp/a\x1bb", "", "/no/such", 42, long], by="root"
    )
    assert [why for _, why in done.failed] == [
        "has characters a path should not have",
        "is not a path",
        "does not exist",
        "is not a path",
        f"has a metric '{taken}' not made by metric df",
    ]
    assert [m.name for m in done.recorded] == ["disk …" + str(long)[-54:]]
    assert len(done.recorded[0].name) == 60 and done.recorded[0].source == f"df:{long}"
    assert capacity.metric(taken).readings == 0


@settings(max_examples=80)
@given(st.text(max_size=40))
def test_property_any_text_is_a_number_or_one_sentence(text):
    try:
        value = capacity.clean_value(text)
    except BadInput as refused:
        assert "\n" not in str(refused) and str(refused).endswith(".")
    else:
        assert math.isfinite(value) and 0 <= value <= capacity.MOST


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs a filesystem of size 0")
def test_disk_use_of_a_filesystem_with_no_size_is_refused(jsmith):
    """/proc has no space: a metric with capacity 0 would divide by it ever after."""
    done = disk_usage.record_disk_usage(["/proc"], by="root")
    assert done.recorded == ()
    assert done.failed == (("/proc", "has no space to measure (a size of 0)"),)
    assert capacity.list_metrics() == []
