"""The desk's search while calls change, and its dialogs: outlined boxes, whole names in
the assign list, and a category chosen from a list searched by its words (Pilot)."""

import threading

import pytest
from textual.widgets import DataTable

from store.db import database
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import settle, text_of
from tui.app import DeskApp

SIZE = (100, 30)


@pytest.fixture
def desk(school, db_url):
    for summary, room, kind in (
        ("Projector flickers", "S12", "projector"),
        ("Laptop will not charge", "LIB", "laptop"),
        ("Printer jams on every page", "IT1", "printer"),
    ):
        servicedesk.log_call(
            summary=summary, requester="Ms Khan", location=room, category=kind, by="jsmith"
        )
    return DeskApp(db_url=db_url, user="jsmith")


def numbers(pilot) -> list[str]:
    return [key.value for key in pilot.app.screen.query_one("#calls", DataTable).rows]


def tabs(pilot) -> str:
    return " | ".join(str(tab.label) for tab in pilot.app.screen.query("#views Tab"))


def as_another_technician(change) -> None:
    """Run `change` on a connection of its own, as another desk or a kiosk would."""

    def work() -> None:
        with database.db.connection_context():
            change()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


async def test_a_search_follows_the_calls_as_they_change(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"printer", "enter")
        await settle(pilot)
        assert numbers(pilot) == ["INC-000003"]
        assert "Best matches for: printer, 1 call " in text_of(pilot, "#narrowed")
        assert "All open 3" in tabs(pilot)

        as_another_technician(
            lambda: servicedesk.log_call(
                summary="Printer in the Library is out of toner",
                requester="Mr Lee",
                location="LIB",
                by="akhan",
            )
        )
        desk.look_for_changes()  # what the desk's timer does, with no key pressed
        await settle(pilot)
        assert sorted(numbers(pilot)) == ["INC-000003", "INC-000004"]
        assert "Best matches for: printer, 2 calls" in text_of(pilot, "#narrowed")
        assert "All open 4" in tabs(pilot)

        as_another_technician(lambda: incidents.take("INC-000004", by="akhan"))
        desk.look_for_changes()
        await settle(pilot)
        table = pilot.app.screen.query_one("#calls", DataTable)
        assert table.get_cell("INC-000004", "assignee").plain == "akhan"
        assert "Unassigned 3" in tabs(pilot)
        assert pilot.app.screen.searching == "printer"  # still the search, not the queue
