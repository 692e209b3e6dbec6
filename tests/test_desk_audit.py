"""The security audit trail at the desk: a manager's queue says how many refused actions
they have not read, the command palette opens them, and reading them clears the line; a
technician sees neither. A manager working as someone else is named on every screen."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from store.db.errors import NotAllowed
from store.school import audit, people
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import screen_name, settle, text_of
from tui.app import DeskApp

SIZE = (100, 30)


@pytest.fixture
def refused(school):
    """akhan tried, twice, to give a call to jsmith (a manager's step)."""
    call = servicedesk.log_call(summary="Projector flickers", requester="Ms Lee", by="jsmith")
    for _ in range(2):
        with pytest.raises(NotAllowed):
            incidents.assign(call.number, "jsmith", by="akhan")
    return school


async def open_audit(pilot) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*"security")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_a_manager_is_told_and_reads_the_refusals(refused, db_url):
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "2 refused actions: a to see them" in text_of(pilot, "#narrowed")
        await pilot.press("a")  # the key the line names
        await settle(pilot)
        assert screen_name(pilot) == "AuditScreen"
        table = pilot.app.screen.query_one("#audit", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]
        assert len(rows) == 2 and rows[0][1] == "akhan"
        assert rows[0][2] == "incidents: assign" and rows[0][3] == "INC-000001"
        assert "Only a manager can give calls to others" in rows[0][4]
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "QueueScreen"
        assert "Security" not in text_of(pilot, "#narrowed")
    assert audit.unread(by="jsmith") == 0


async def test_a_technician_neither_sees_the_count_nor_can_open_the_trail(refused, db_url):
    app = DeskApp(db_url=db_url, user="akhan")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "refused" not in text_of(pilot, "#narrowed")
        await pilot.press("a")  # not a manager: the queue's key does nothing
        await settle(pilot)
        assert screen_name(pilot) != "AuditScreen"
        await open_audit(pilot)
        assert screen_name(pilot) != "AuditScreen"
        from tui.screens.school.audit import AuditScreen

        pilot.app.push_screen(AuditScreen())  # even reached some other way, the store says no
        await settle(pilot)
        assert "Only a manager may read the security audit trail." in text_of(pilot, "#explain")
    assert audit.unread(by="jsmith") == 3  # and that try is itself kept


async def test_a_manager_working_as_someone_else_is_named_with_them(refused, db_url):
    app = DeskApp(db_url=db_url, user=people.acting_as("akhan", real="jsmith"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Amir Khan (akhan), worked by jsmith" in text_of(pilot, "#bar")
        assert "Security" not in text_of(pilot, "#narrowed")  # akhan's desk, akhan's rights
