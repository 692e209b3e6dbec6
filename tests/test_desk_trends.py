"""The desk's Trends screen, through Textual's Pilot: planted patterns are listed with
their calls, raising a problem from one links those calls and the trend then says it
is covered, and a quiet year says so calmly."""

import datetime as dt
import threading

import pytest
from textual.widgets import DataTable

from store.db.models import Incident
from store.problems import problems
from store.servicedesk import servicedesk
from tests.kiosk_helpers import settle, text_of
from tests.test_desk_app import footer, screen_name
from tui.app import DeskApp

SIZE = (100, 30)
NOW = dt.datetime(2026, 3, 11, 12, 0)
"""A Wednesday in term; London is on GMT, so the times shown are these."""


def plant(times, *, category, location=None, asset=None, summary="It broke") -> list[str]:
    """Log a call for each time through the service desk, then move it to that time."""
    numbers = []
    for n, moment in enumerate(times, start=1):
        call = servicedesk.log_call(
            summary=f"{summary} ({n})",
            requester="Sam Patel",
            location=location,
            category=category,
            asset=asset,
            by="jsmith",
        )
        Incident.update(logged_at=moment, updated_at=moment).where(Incident.id == call.id).execute()
        numbers.append(call.number)
    return numbers


@pytest.fixture
def patterns(school):
    """A Wi-Fi outage in the library yesterday morning, and a laptop on its fourth
    charging fault in a month; and some ordinary calls that are neither."""
    spike = plant(
        [dt.datetime(2026, 3, 10, 9, 10 * i) for i in range(6)],
        category="wifi",
        location="LIB",
        summary="No Wi-Fi in the library",
    )
    repeat = plant(
        [NOW - dt.timedelta(days=d) for d in (30, 20, 9, 2)],
        category="laptop",
        location="S12",
        asset="LAP-0042",
        summary="Laptop will not charge",
    )
    plant([NOW - dt.timedelta(days=d) for d in (40, 15)], category="printer", location="IT1")
    return {"spike": spike, "repeat": repeat}


def desk_at(db_url) -> DeskApp:
    return DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW)


async def open_trends(pilot) -> None:
    from tui.screens.problems.trends import TrendsScreen

    await settle(pilot)
    pilot.app.push_screen(TrendsScreen())
    await settle(pilot)
    assert screen_name(pilot) == "TrendsScreen"


def rows(pilot, selector: str) -> list[list[str]]:
    table = pilot.app.screen.query_one(selector, DataTable)
    return [[cell.plain for cell in table.get_row(key)] for key in table.rows]


async def test_planted_patterns_are_listed_with_their_calls(patterns, db_url):
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_trends(pilot)
        said = text_of(pilot, "#trends-said")
        assert "2 trends in the year to 11 Mar 2026" in said
        spike, repeat = rows(pilot, "#trends")
        assert spike[0] == "Spike" and repeat[0] == "Repeat fault"
        assert spike[1].startswith("6 Wi-Fi or internet calls in Library within 2 hours")
        assert repeat[1] == "LAP-0042 has had 4 Laptop or Chromebook calls since 9 Feb"
        assert [spike[2], repeat[2]] == ["6", "4"]
        assert [spike[3], repeat[3]] == ["-", "-"]
        assert "Its 6 calls are below; p raises a problem" in text_of(pilot, "#trend-detail")
        calls = rows(pilot, "#evidence")
        assert [c[0] for c in calls] == patterns["spike"]
        assert calls[0][1:] == ["Tue 10 Mar 09:00", "Logged", "LIB", "No Wi-Fi in the library (1)"]
        assert "Raise problem" in footer(pilot) and "Its problem" not in footer(pilot)

        await pilot.press("down")  # the next trend's calls
        await settle(pilot)
        assert [c[0] for c in rows(pilot, "#evidence")] == patterns["repeat"]
        assert "Repeat fault: LAP-0042 has had 4" in text_of(pilot, "#trend-detail")

        await pilot.press("enter")  # into the calls, and Enter opens one
        await settle(pilot)
        assert pilot.app.screen.query_one("#evidence", DataTable).has_focus
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen_name(pilot) == "IncidentScreen"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # out of the calls, back to the trends
        await settle(pilot)
        assert pilot.app.screen.query_one("#trends", DataTable).has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "QueueScreen"


async def test_raising_a_problem_links_the_calls_and_the_trend_is_then_covered(patterns, db_url):
    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_trends(pilot)
        await pilot.press("down", "p")
        await settle(pilot)
        assert screen_name(pilot) == "ProblemScreen"
        [raised] = problems.list_problems()
        found = problems.problem(raised.number)
        assert [call.number for call in found.incidents] == patterns["repeat"]
        assert {call.via for call in found.incidents} == {"trend"}
        assert found.origin == "repeat:LAP-0042:laptop"
        assert found.title == "LAP-0042 has had 4 Laptop or Chromebook calls since 9 Feb"
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "TrendsScreen"
        table = rows(pilot, "#trends")
        assert table[1][3] == f"{raised.number} covers this"
        assert table[0][3] == "-"
        assert f"{raised.number} covers this (o opens it)" in text_of(pilot, "#trend-detail")
        assert "Raise problem" not in footer(pilot) and "Its problem" in footer(pilot)
        await pilot.press("p")  # covered: nothing raised twice
        await settle(pilot)
        assert len(problems.list_problems()) == 1
        await pilot.press("o")
        await settle(pilot)
        assert screen_name(pilot) == "ProblemScreen"
        assert pilot.app.screen.number == raised.number


async def test_a_trend_raised_elsewhere_meanwhile_is_refused_in_one_sentence(patterns, db_url):
    from store.problems import trends

    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await open_trends(pilot)
        [spike] = [t for t in trends.find_trends(now=NOW) if t.kind == "spike"]
        other = trends.raise_from_trend(spike, by="akhan")  # another technician, just now
        await pilot.press("p")
        await settle(pilot)
        assert screen_name(pilot) == "TrendsScreen"
        assert len(problems.list_problems()) == 1
        notices = [str(n.message) for n in pilot.app._notifications]
        assert f"{other.number} is already open for this." in notices
        assert rows(pilot, "#trends")[0][3] == f"{other.number} covers this"  # looked again


async def test_a_quiet_year_says_no_trends_found(school, db_url):
    plant([NOW - dt.timedelta(days=d) for d in (40, 15, 3)], category="printer", location="IT1")
    async with desk_at(db_url).run_test(size=(80, 24)) as pilot:
        await open_trends(pilot)
        said = text_of(pilot, "#trends-said")
        assert said.startswith("No trends found in the year to 11 Mar 2026")
        assert not pilot.app.screen.query_one("#evidence").display
        assert "Raise problem" not in footer(pilot) and "Look again" in footer(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert text_of(pilot, "#trends-said").startswith("No trends found")


async def test_looking_for_trends_is_said_while_it_runs(patterns, db_url):
    from tui.screens.problems.trends import TrendsScreen

    release = threading.Event()

    class Slow(TrendsScreen):
        """The same screen on a big database: the answer waits until released."""

        def find(self, now):
            release.wait(10)
            return super().find(now)

    async with desk_at(db_url).run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.push_screen(Slow())
        await pilot.pause()
        await pilot.pause()
        assert text_of(pilot, "#trends-said") == "Looking for trends…"
        assert "Raise problem" not in footer(pilot) and "Look again" not in footer(pilot)
        await pilot.press("down", "p")  # nothing to raise yet
        release.set()
        await settle(pilot)
        assert "2 trends" in text_of(pilot, "#trends-said")
        assert problems.list_problems() == []
