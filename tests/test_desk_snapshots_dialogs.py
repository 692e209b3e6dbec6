"""The desk's dialogs at 80x24 (SVG snapshots): every text box outlined, filled or not,
focused or not, in full colour and in a bare console's 16; the assign list with a long
name; a call's category chosen from the list, narrowed by the words typed.

Update after a deliberate change with `pytest tests/test_desk_snapshots_dialogs.py
--snapshot-update`, then look at every changed SVG before committing it.
"""

import pytest

from store.school import people
from tests.kiosk_helpers import settle, steady, type_into
from tests.test_desk_snapshots import NOW, app  # noqa: F401 (the morning's calls)
from tui.app import DeskApp

pytestmark = pytest.mark.screen

LONG = "Dr Margaret Featherstonehaugh-Worthington"


async def new_call(pilot) -> None:
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    await type_into(pilot, "#field-requester", "Mr Lee")
    pilot.app.screen.query_one("#field-group").focus()
    await steady(pilot)


def test_new_call(app, snap_compare):  # noqa: F811
    assert snap_compare(app, terminal_size=(80, 24), run_before=new_call)


def test_new_call_sixteen_colours(app, snap_compare, db_url):  # noqa: F811
    desk = DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW, sixteen_colours=True)
    assert snap_compare(desk, terminal_size=(80, 24), run_before=new_call)


def test_category_narrowed_by_words(app, snap_compare):  # noqa: F811
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        pilot.app.screen.query_one("#field-category").focus()
        await settle(pilot)
        await pilot.press(*"print")
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_assign_with_a_long_name(app, snap_compare):  # noqa: F811
    people.add_technician("mfw", LONG, by="jsmith")

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_call("INC-000001")
        await settle(pilot)
        await pilot.press("a")
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_category_sixteen_colours(app, snap_compare, db_url):  # noqa: F811
    desk = DeskApp(db_url=db_url, user="jsmith", now=lambda: NOW, sixteen_colours=True)

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        pilot.app.screen.query_one("#field-category").focus()
        await settle(pilot)
        await pilot.press("p")
        await steady(pilot)

    assert snap_compare(desk, terminal_size=(80, 24), run_before=run_before)
