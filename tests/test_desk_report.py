"""The desk's service report screen (tui/screens/service_levels/report.py): this term so
far in headline figures beside the term before, and the services below their target;
driven through Pilot, and as an SVG snapshot at 80x24."""

import datetime as dt

import pytest

from store.db import journal
from store.school import calendar
from store.service_levels import catalogue
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import settle, steady, text_of
from tests.test_desk_app import screen_name
from tui.app import DeskApp

NOW = dt.datetime(2026, 11, 19, 12, 0)  # a Thursday of the autumn term (GMT: local time)


@pytest.fixture
def term(school, monkeypatch):
    """Two terms: the summer one with a call fixed in time, this one with a call fixed
    late, one still open, and two hours without the MIS in its second week of November."""
    for title, first, last in (
        ("Summer term", dt.date(2026, 4, 13), dt.date(2026, 7, 17)),
        ("Autumn term", dt.date(2026, 9, 2), dt.date(2026, 12, 18)),
    ):
        calendar.add_event("term", title, first, last, by="jsmith")
    now = [dt.datetime(2026, 6, 10, 9, 0)]
    monkeypatch.setattr(journal, "now", lambda: now[0])

    def log(summary, impact, urgency):
        return servicedesk.log_call(
            summary=summary, requester="Ms Brown", role="staff", category="printer",
            impact=impact, urgency=urgency, channel="phone", by="jsmith",
        ).number  # fmt: skip

    summer = log("Printer jams", "medium", "medium")
    now[0] = dt.datetime(2026, 6, 10, 9, 30)
    incidents.resolve(summer, kind="fix", text="Cleared", by="jsmith")
    now[0] = dt.datetime(2026, 11, 17, 9, 0)
    late = log("No printing anywhere", "high", "high")  # P1: answer in 30 min, fix in 4 h
    now[0] = dt.datetime(2026, 11, 17, 10, 0)
    incidents.take(late, by="jsmith")
    now[0] = dt.datetime(2026, 11, 17, 15, 0)
    incidents.resolve(late, kind="fix", text="Restarted the print server", by="jsmith")
    log("Toner low in S12", "low", "low")
    catalogue.record_outage(
        "MIS", dt.datetime(2026, 11, 10, 9, 0), dt.datetime(2026, 11, 12, 11, 0), by="jsmith"
    )
    now[0] = NOW
    return school


async def test_this_term_so_far_beside_the_last(term, db_url):
    from tui.commands import desk_commands

    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Service report" in [c.title for c in desk_commands(pilot.app, pilot.app.screen)]
        await pilot.press("f6")
        await settle(pilot)
        assert screen_name(pilot) == "ReportScreen"
        assert text_of(pilot, "#report-period") == "Autumn term, 2026-09-02 to 2026-12-18 (so far)"
        figures = " ".join(text_of(pilot, "#report-figures").split())
        assert figures == (
            "Headline This term Summer term Calls logged 2 1"
            " Answered within target 0% 100%"  # the P1 was answered after an hour
            " Resolved within target 0% 100%"
            " Median time to resolve 6 h 0.5 h"
            " Open calls now 1 Resolved at first contact 0%"
        )
        services = " ".join(text_of(pilot, "#report-services").split())
        assert services.startswith("Below their availability target: MIS ")
        assert "(target 99.5%)" in services
        catalogue.edit_service("MIS", availability="90", by="jsmith")
        await pilot.press("r")
        await settle(pilot)
        assert "Every service is at or above" in text_of(pilot, "#report-services")
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "QueueScreen"


async def test_no_terms_says_what_to_do(school, db_url):
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert "import the term dates" in text_of(pilot, "#report-period")


@pytest.mark.screen
def test_snapshot(term, db_url, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f6")
        await steady(pilot)

    app = DeskApp(db_url=db_url, user="jsmith")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
