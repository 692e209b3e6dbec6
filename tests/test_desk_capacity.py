"""The desk's Capacity screen, through Textual's Pilot: the metrics with their forecasts
in words, the chart of the one chosen with its forecast line out to the day it is full,
adding a reading and a metric, the problem a forecast raised, and what a technician
might mistype."""

import datetime as dt
import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from textual.widgets import DataTable

from store.db.models import Sample
from store.problems import capacity
from tests.kiosk_helpers import settle, text_of
from tests.test_desk_app import answer, footer, screen_name
from tui.app import DeskApp
from tui.widgets.chart import day

SIZE = (100, 30)
NOW = dt.datetime(2026, 11, 27, 15, 0)


def plant(name: str, values: list[tuple[dt.datetime, float]]) -> None:
    """Readings at past times, straight into the table: history, not new readings."""
    found = capacity.metric(name, now=NOW)
    Sample.insert_many([{"metric": found.id, "at": at, "value": v} for at, v in values]).execute()


def rising(days: int = 60, per_day: float = 4.0, start: float = 500.0):
    """A reading a day for `days` days up to six hours before NOW, rising `per_day` with a
    little wobble."""
    first = NOW - dt.timedelta(days=days, hours=6)
    return [
        (first + dt.timedelta(days=d), round(start + per_day * d + 6 * math.sin(d), 1))
        for d in range(days + 1)
    ]


@pytest.fixture
def metrics(school):
    """Cloud storage filling at 4 GB a day; print credits with only three readings."""
    capacity.add_metric("M365 storage", capacity=1024, unit="GB", by="jsmith")
    plant("M365 storage", rising())
    capacity.add_metric("Print credits", capacity=5000, unit="credits", warning=None, by="jsmith")
    plant("Print credits", [(NOW - dt.timedelta(days=d), 1000 + 10 * d) for d in (3, 2, 1)])


@pytest.fixture
def desk(metrics, db_url):
    return DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)


async def open_capacity(pilot) -> None:
    from tui.screens.problems.capacity import CapacityScreen

    await settle(pilot)
    pilot.app.push_screen(CapacityScreen())
    await settle(pilot)
    assert screen_name(pilot) == "CapacityScreen"


def chart(pilot) -> str:
    """The chart as drawn, line by line."""
    widget = pilot.app.screen.query_one("#chart")
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def row(pilot, name: str) -> list[str]:
    table = pilot.app.screen.query_one("#metrics", DataTable)
    return [cell.plain for cell in table.get_row(name)]


def names(pilot) -> list[str]:
    return [key.value for key in pilot.app.screen.query_one("#metrics", DataTable).rows]


async def test_metrics_their_forecasts_and_the_chart_of_the_chosen_one(desk):
    found = capacity.metric("M365 storage", now=NOW).forecast
    full, earliest, latest = found.full_at, found.full_earliest, found.full_latest
    # 740 GB rising 4 GB a day: the last 284 GB take about 71 days.
    assert NOW + dt.timedelta(days=66) < full < NOW + dt.timedelta(days=76)
    async with desk.run_test(size=SIZE) as pilot:
        await open_capacity(pilot)
        assert names(pilot) == ["M365 storage", "Print credits"]
        _name, latest_cell, forecast_cell, problem = row(pilot, "M365 storage")
        assert latest_cell.endswith("GB (72%)")
        assert (earliest.month, latest.month) == (full.month, full.month)
        span = f"{earliest.day}–{latest.day} {latest:%b}"
        assert forecast_cell == f"full around {day(full)} ({span})"
        assert problem == "-"
        assert row(pilot, "Print credits")[2] == "no forecast: only 3 readings"
        words = text_of(pilot, "#metric-words")
        assert f"Full around {full.day} {full:%B %Y}" in words
        assert "of 1,024 GB (72%) at Fri 27 Nov 09:00" in words
        drawn = chart(pilot)
        assert f"full around {day(full)} ↓" in drawn  # the date, where the line meets capacity
        assert "●" in drawn
        assert f"forecast: full around {day(full)} ({span})" in drawn  # the legend, in words
        assert "capacity 1,024 GB" in drawn and "warning level 921.6 GB" in drawn
        assert "readings (61)" in drawn
        assert "═" in drawn  # the likely range, on the time axis
        assert "Add reading" in footer(pilot) and "Its problem" not in footer(pilot)


async def test_too_few_readings_give_the_reason_and_no_forecast_line(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await open_capacity(pilot)
        await pilot.press("down")  # moving through the list changes the chart
        await settle(pilot)
        drawn = chart(pilot)
        assert "No forecast: there are only 3 readings in the last 90 days" in drawn
        assert "readings (3)" in drawn and "capacity 5,000 credits" in drawn
        for forecast_only in ("●", "░░░ forecast", "░", "═", "↓", "warning"):
            assert forecast_only not in drawn
        assert "a forecast needs at least 5" in text_of(pilot, "#metric-words")
        await pilot.press("up")
        await settle(pilot)
        assert "●" in chart(pilot)


async def test_adding_a_reading_through_the_dialog(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await open_capacity(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert screen_name(pilot) == "Ask"
        await answer(pilot, value="750.5", at="")
        assert screen_name(pilot) == "CapacityScreen"
        newest = capacity.samples("M365 storage")[-1]
        assert (newest.at, newest.value) == (NOW, 750.5)
        assert row(pilot, "M365 storage")[1] == "750.5 GB (73%)"
        assert "readings (62)" in chart(pilot)
        await pilot.press("a")
        await settle(pilot)
        await answer(pilot, value="745", at="2026-11-27 12:00")  # London in winter is UTC
        assert screen_name(pilot) == "CapacityScreen"
        assert [r.value for r in capacity.samples("M365 storage")][-2:] == [745.0, 750.5]


BAD_READINGS = [
    ({"value": ""}, "A reading is empty: give a number, like 42.5."),
    ({"value": "lots"}, "'lots' is not a number: write it like 42.5."),
    ({"value": "[@click=app.quit]x[/]"}, "'[@click=app.quit]x[/]' is not a number"),
    ({"value": "-5"}, "A reading cannot be negative."),
    ({"value": "1e400"}, "A reading is too big: the most is 1e+15."),
    ({"value": "700", "at": "tomorrow"}, "'tomorrow' is not a time: write it like"),
    ({"value": "700", "at": "2026-12-25 09:00"}, "is in the future"),
    ({"value": "700", "at": "1999-12-31 09:00"}, "is too long ago for a reading"),
    ({"value": "1024000"}, "more than 10 times the capacity"),
]


async def test_bad_readings_are_refused_with_one_sentence(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await open_capacity(pilot)
        await pilot.press("a")
        await settle(pilot)
        for fields, says in BAD_READINGS:
            await answer(pilot, **{"at": "", **fields})
            assert screen_name(pilot) == "Ask"  # still open: nothing typed is lost
            assert says in text_of(pilot, "#dialog-problem"), fields
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "CapacityScreen"
    assert len(capacity.samples("M365 storage")) == 61


async def test_a_reading_far_out_of_line_is_added_when_forced(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await open_capacity(pilot)
        await pilot.press("a")
        await settle(pilot)
        await answer(pilot, value="50")
        assert "a jump of more than half the capacity" in text_of(pilot, "#dialog-problem")
        await answer(pilot, force=True)
        assert screen_name(pilot) == "CapacityScreen"
    assert capacity.samples("M365 storage")[-1].value == 50


async def test_a_new_metric_and_its_mistakes(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await open_capacity(pilot)
        await pilot.press("n")
        await settle(pilot)
        await answer(pilot, name="M365 storage", capacity="10")
        assert "There is already a metric called 'M365 storage'." in text_of(
            pilot, "#dialog-problem"
        )
        await answer(pilot, name="disk /srv", capacity="0")
        assert "The capacity must be more than 0." in text_of(pilot, "#dialog-problem")
        await answer(pilot, capacity="2000", warning="120%")
        assert "warning level must be above 0 and below the capacity" in text_of(
            pilot, "#dialog-problem"
        )
        await answer(pilot, warning="80%", days="two weeks")
        assert "whole number of days" in text_of(pilot, "#dialog-problem")
        await answer(pilot, unit="GB", days="14")
        assert screen_name(pilot) == "CapacityScreen"
        assert names(pilot) == ["disk /srv", "M365 storage", "Print credits"]
        assert pilot.app.screen.query_one("#metrics", DataTable).cursor_row == 0  # chosen
        assert row(pilot, "disk /srv")[1:3] == ["no readings", "no forecast: none in 90 days"]
        assert "No readings of disk /srv yet" in chart(pilot)
    made = capacity.metric("disk /srv")
    assert (made.capacity, made.warning, made.unit, made.warn_days) == (2000, 1600, "GB", 14)


async def test_a_problem_raised_from_a_forecast_is_named_and_opens(metrics, db_url):
    capacity.add_metric("Backup disk", capacity=1000, unit="GB", by="jsmith")
    plant("Backup disk", rising(30, per_day=10, start=500))  # full in about three weeks
    [raised] = capacity.check_forecasts(now=NOW)
    desk = DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)
    async with desk.run_test(size=SIZE) as pilot:
        await open_capacity(pilot)
        assert names(pilot)[0] == "Backup disk"
        assert row(pilot, "Backup disk")[3] == raised.number
        assert f"{raised.number} was raised from its forecast" in text_of(pilot, "#metric-words")
        assert "Its problem" in footer(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert screen_name(pilot) == "ProblemScreen"


async def test_names_are_shown_as_typed_never_as_markup(school, db_url):
    capacity.add_metric("[@click=app.quit]x[/] [b]disk", capacity=10, by="jsmith")
    desk = DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)
    async with desk.run_test(size=SIZE) as pilot:
        await open_capacity(pilot)
        assert row(pilot, "[@click=app.quit]x[/] [b]disk")[0] == "[@click=app.quit]x[/] [b]disk"
        assert "[@click=app.quit]x[/] [b]disk: no readings yet." in text_of(pilot, "#metric-words")
        await pilot.click("#metric-words")
        await settle(pilot)
        assert pilot.app.is_running


async def test_nothing_measured_yet_says_how_to_start(school, db_url):
    desk = DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)
    async with desk.run_test(size=SIZE) as pilot:
        await open_capacity(pilot)
        assert names(pilot) == []
        assert "Nothing is measured yet. n starts a metric" in text_of(pilot, "#metric-words")
        assert "Add reading" not in footer(pilot) and "New metric" in footer(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "QueueScreen"


moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1))
amounts = st.floats(min_value=0, max_value=1e15, allow_nan=False)


RISING = [(NOW - dt.timedelta(days=d), 900.0 - 5 * d) for d in range(30, -1, -1)]


@settings(max_examples=150)
@example(readings=RISING, size=1000.0, warning=0.9, width=80, height=14)
@example(readings=RISING, size=3000.0, warning=None, width=40, height=6)  # far off: cut
@example(readings=RISING[:1] * 3, size=1000.0, warning=0.5, width=100, height=30)
@given(
    readings=st.lists(st.tuples(moments, amounts), min_size=1, max_size=40),
    size=amounts.filter(lambda v: v > 0),
    warning=st.one_of(st.none(), st.floats(0.01, 0.99)),
    width=st.integers(1, 200),
    height=st.integers(1, 60),
)
def test_property_the_chart_draws_any_readings_within_its_size(
    readings, size, warning, width, height
):
    """Whatever the readings (one, many at one moment, years apart, 0 or huge), the chart
    is drawn, never wider or taller than it was given, and says when it is full."""
    from store.problems.forecast import forecast
    from tui.widgets.chart import Level, Plot, Projection, draw

    readings = sorted(readings)
    levels = [Level(size, "capacity")]
    if warning is not None:
        levels.append(Level(size * warning, "warning", "╌"))
    found = forecast(readings, size, size * warning if warning else None)
    projection = None
    if found.full_at is not None and not found.already_full:
        start = (found.newest_at, found.value_at(found.newest_at))
        projection = Projection(start, found.line()[1], "full then", "forecast")
    lines = draw(Plot(tuple(readings), tuple(levels), projection, note="why"), width, height)
    assert 1 <= len(lines) <= max(1, height)
    assert all(len(line.plain) <= max(width, 28) for line in lines)  # or one short sentence
    if projection is not None and width >= 24 and height >= 6:
        assert "full then" in "".join(line.plain for line in lines)
