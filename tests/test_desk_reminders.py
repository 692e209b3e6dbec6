"""The desk's reminders (tui/screens/school/reminders.py): licences due for renewal and
continuity plans to see to, counted on the queue's line and listed in full on F7."""

import datetime as dt

import pytest

from store.configuration import software
from store.continuity import plans
from store.db import journal
from store.finance import licences
from store.service_levels import catalogue
from tests.kiosk_helpers import settle, text_of
from tests.test_desk_app import screen_name
from tui.app import DeskApp

NOW = dt.datetime(2026, 11, 23, 9, 0)  # a Monday (GMT: local time is UTC)


@pytest.fixture
def due(school, monkeypatch):
    """Office renews in 20 days and is not renewed by itself; the MIS plan, owned by
    jsmith, has never been tested; the printing plan has no owner on the desk."""
    monkeypatch.setattr(journal, "now", lambda: NOW)
    software.add_software("Office", version="2024", licence="per_seat", seats=30, by="jsmith")
    licences.set_licence(
        "Office 2024", cost="1200", per="year", renews_on="2026-12-13", remind_days="60",
        by="jsmith", today=NOW.date(),
    )  # fmt: skip
    catalogue.edit_service("MIS", owner="jsmith", by="jsmith")
    plans.edit_plan("MIS", steps="Call the supplier", by="jsmith")
    return school


async def test_the_queue_counts_them_and_f7_lists_them(due, db_url):
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        line = text_of(pilot, "#narrowed")
        assert "1 licence to renew" in line and "continuity plan" in line and "(F7)" in line
        await pilot.press("f7")
        await settle(pilot)
        assert screen_name(pilot) == "RemindersScreen"
        shown = " ".join(text_of(pilot, "#reminders").split())
        assert "Office 2024 renews on 13 December 2026, in 20 days (needs ordering)" in shown
        assert "about £1,200.00 a year" in shown
        assert "MIS's continuity plan has never been tested" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "QueueScreen"


async def test_nothing_due_says_nothing_on_the_queue(school, db_url, monkeypatch):
    monkeypatch.setattr(journal, "now", lambda: NOW)
    app = DeskApp(db_url=db_url, user="akhan")  # a technician who owns no plan
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "F7" not in text_of(pilot, "#narrowed")
        await pilot.press("f7")
        await settle(pilot)
        assert "Nothing to see to" in text_of(pilot, "#reminders")
