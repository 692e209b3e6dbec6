"""The desk's search while calls change, and its dialogs: outlined boxes, whole names in
the assign list, and a category chosen from a list searched by its words (Pilot)."""

import threading

import pytest
from textual.widgets import DataTable

from store.db import database
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import settle, text_of, type_into
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
    """The calls in the queue, in the order shown."""
    table = pilot.app.screen.query_one("#calls", DataTable)
    return [row.key.value for row in table.ordered_rows]


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


# -- every text box has an outline


def outlined(box) -> bool:
    """Whether a box has a line at each end, at least, that a terminal draws."""
    drawn = [edge[0] for edge in (box.styles.border_left, box.styles.border_right)]
    return all(kind not in ("", "none", "hidden", "blank") for kind in drawn)


@pytest.mark.screen
@pytest.mark.parametrize("sixteen", [False, True], ids=["full colour", "16 colours"])
async def test_every_text_box_has_an_outline_focused_or_not(school, db_url, sixteen):
    desk = DeskApp(db_url=db_url, user="jsmith", sixteen_colours=sixteen)
    async with desk.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert pilot.app.current_theme.ansi is sixteen
        search = pilot.app.screen.query_one("#search")
        assert not search.has_focus and outlined(search)
        await pilot.press("slash")
        assert search.has_focus and outlined(search)
        await pilot.press("escape", "ctrl+n")
        await settle(pilot)
        boxes = list(pilot.app.screen.query("Input"))
        assert len(boxes) > 5 and boxes[0].has_focus and not boxes[1].has_focus
        empty = [box for box in boxes if not box.value]
        assert empty and all(box.styles.height.value == 3 for box in boxes)
        for box in boxes:
            assert box.styles.border_top[0] not in ("", "none", "hidden", "blank"), box.id
            assert outlined(box), box.id
        await pilot.press("escape", "ctrl+o")
        await settle(pilot)
        assert outlined(pilot.app.screen.query_one("#scanned"))


# -- the assign list


LONG = "Dr Margaret Featherstonehaugh-Worthington"


async def test_the_assign_list_shows_whole_names_or_an_ellipsis(desk):
    from store.school import people

    people.add_technician("mfw", LONG, by="jsmith")
    people.add_technician("longest", "Professor " + "Abcdefghij " * 5 + "Smith", by="jsmith")
    async with desk.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pilot.app.open_call("INC-000001")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        buttons = pilot.app.screen.query("#field-to ChoiceButton")
        shown = [button.render_line(0).text.partition("▌")[2].strip() for button in buttons]
        assert {"Amir Khan (akhan)", "Jo Smith (jsmith)", f"{LONG} (mfw)"} < set(shown)
        cut = [words for words in shown if words.startswith("Professor Abcdefghij")]
        assert len(shown) == 4 and cut[0].endswith("…")


# -- a new call's category, chosen by its words


def options(pilot) -> list[str]:
    choices = pilot.app.screen.query_one("#pick-category")
    if not choices.display:
        return []
    return [str(choices.get_option_at_index(n).prompt) for n in range(choices.option_count)]


async def test_a_new_calls_category_is_chosen_by_its_words(desk):
    async with desk.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_into(pilot, "#field-requester", "Mr Lee")
        await type_into(pilot, "#field-summary", "Prints blank pages")
        pilot.app.screen.query_one("#field-category").focus()
        await settle(pilot)
        assert len(options(pilot)) == 12  # every category, before a word is typed
        await pilot.press(*"print")
        await settle(pilot)
        assert options(pilot) == ["Printer"]
        await pilot.press("enter")  # chooses, and moves on
        await settle(pilot)
        assert pilot.app.screen.query_one("#field-category").value == "Printer"
        assert options(pilot) == []
        assert pilot.app.screen.query_one("#field-asset").has_focus

        pilot.app.screen.query_one("#field-category").focus()
        await type_into(pilot, "#field-category", "")
        await pilot.press(*"wi fi")
        await settle(pilot)
        assert options(pilot) == ["Wi-Fi or internet"]
        await type_into(pilot, "#field-category", "")
        await pilot.press(*"p")  # Telephone's code is phone
        await settle(pilot)
        assert options(pilot) == ["Printer", "Projector or board", "Telephone"]
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert pilot.app.screen.query_one("#field-category").value == "Telephone"

        before = len(servicedesk.list_calls(status="all"))
        for typed, said in (
            ("[b]print[/b]", "No category matches '[b]print[/b]': choose one from the list."),
            ("\x1b[31mzzz\x07", "No category matches '[31mzzz': choose one from the list."),
            ("quantum", "No category matches 'quantum': choose one from the list."),
        ):
            await type_into(pilot, "#field-category", typed)
            await pilot.press("enter")
            await settle(pilot)
            assert text_of(pilot, "#dialog-problem") == said
            pilot.app.screen.query_one("#ok").press()
            await settle(pilot)
            assert text_of(pilot, "#dialog-problem") == said  # OK says the same, and stays
        assert len(servicedesk.list_calls(status="all")) == before

        await type_into(pilot, "#field-category", "")
        await pilot.press(*"proj", "enter")
        await settle(pilot)
        pilot.app.screen.query_one("#ok").press()
        await settle(pilot)
        call = servicedesk.list_calls(status="all")[0]
        assert (call.summary, call.category) == ("Prints blank pages", "projector")


# -- what the queue sends down the wire (bench/desk_bytes.py measures it)


async def test_the_queue_redraws_only_the_rows_that_changed(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = pilot.app.screen.query_one("#calls", DataTable)
        await pilot.press("down")
        chosen = pilot.app.screen.chosen()
        rows = {number: table.rows[number] for number in numbers(pilot)}
        cells = {number: table.get_row(number) for number in numbers(pilot)}

        desk.changes_seen((-1, [], 3))  # told of a change that changed nothing shown
        await settle(pilot)
        assert all(table.get_row(n)[k] is cells[n][k] for n in cells for k in range(3))

        as_another_technician(lambda: incidents.take("INC-000001", by="akhan"))
        desk.look_for_changes()
        await settle(pilot)
        assert table.get_cell("INC-000001", "assignee").plain == "akhan"
        assert table.get_cell("INC-000002", "summary") is cells["INC-000002"][-2]  # untouched
        assert all(table.rows[number] is row for number, row in rows.items())  # not cleared

        as_another_technician(
            lambda: servicedesk.log_call(
                summary="Whole room has no network",
                requester="Mr Lee",
                impact=1,
                urgency=1,
                location="IT1",
                by="akhan",
            )
        )
        desk.look_for_changes()
        await settle(pilot)
        assert numbers(pilot)[0] == "INC-000004"  # a P1 goes first, in its place
        assert all(table.rows[number] is row for number, row in rows.items())
        assert pilot.app.screen.chosen() == chosen  # the cursor stays on the same call


def test_a_row_is_sent_with_as_few_colour_codes_as_it_needs():
    from rich.segment import Segment
    from rich.style import Style

    from tui.widgets.tables import merged

    def cell(text, colour, row, column):
        return Segment(text, Style(color=colour) + Style.from_meta({"row": row, "column": column}))

    row = [
        cell(" ", "white", 0, 0),
        cell("INC-000001", "red", 0, 0),
        cell(" ", "white", 0, 0),
        cell(" ", "white", 0, 1),
        cell("Printer", "white", 0, 1),
        cell(" ", "white", 0, 1),
    ]
    joined = merged(row)
    assert [s.text for s in joined] == [" ", "INC-000001", "  Printer "]
    assert "".join(s.text for s in joined) == "".join(s.text for s in row)
    heading = [cell(" Number ", "white", -1, 0), cell(" Summary ", "white", -1, 1)]
    assert merged(heading) == heading  # a click on a heading sorts by its own column


async def test_the_queue_is_filtered_by_a_category_picked_by_its_words(desk):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        pilot.app.screen.query_one("#field-category").focus()
        await pilot.press(*"board", "enter")  # Projector or board
        await settle(pilot)
        pilot.app.screen.query_one("#ok").press()
        await settle(pilot)
        assert numbers(pilot) == ["INC-000001"]
        assert "Only category projector" in text_of(pilot, "#narrowed")
