"""Problem management at the desk, through Textual's Pilot: raising a problem from a call
and from marked calls, linking and unlinking, known errors on linked and matching calls,
the FITS resolver warning, the lifecycle to closed, a problem changed elsewhere, markup
in titles, and keys offered only when they can work."""

import pytest
from textual.widgets import DataTable

from store.changes import changes
from store.problems import known_errors, problems
from store.school import notices
from store.servicedesk import incidents, servicedesk
from tests.kiosk_helpers import settle, text_of, type_into
from tests.test_desk_app import answer, footer, screen_name
from tui.app import DeskApp

SIZE = (100, 30)
MARKUP = "[@click=app.quit]x[/] printers [blink]"


@pytest.fixture
def calls(school):
    """Two printer jams in S12, a third printer fault in IT1, a laptop in the Library."""
    made = [
        ("Printer jams", "Ms Khan", "staff", "S12", "printer", None),
        ("Printer jams again", "Bob Jones", "pupil", "S12", "printer", None),
        ("Printer prints blank pages", "Ms Khan", "staff", "IT1", "printer", None),
        ("Laptop will not charge", "Sam Patel", "pupil", "LIB", "laptop", "LAP-0042"),
    ]
    return [
        servicedesk.log_call(
            summary=summary,
            requester=who,
            role=role,
            location=room,
            category=kind,
            asset=tag,
            by="jsmith",
        ).number
        for summary, who, role, room, kind, tag in made
    ]


@pytest.fixture
def desk(calls, db_url):
    return DeskApp(db_url=db_url, user="jsmith")


def words(pilot, selector: str) -> str:
    """What a widget shows, its runs of spaces squeezed to one."""
    return " ".join(text_of(pilot, selector).split())


def rows(pilot, selector: str) -> list[str]:
    return [key.value for key in pilot.app.screen.query_one(selector, DataTable).rows]


def cell(pilot, selector: str, row: str, column: str) -> str:
    return pilot.app.screen.query_one(selector, DataTable).get_cell(row, column).plain


async def open_problem(pilot, number: str) -> None:
    pilot.app.open_problem(number)
    await settle(pilot)
    assert screen_name(pilot) == "ProblemScreen"


async def open_call(pilot, number: str) -> None:
    pilot.app.open_call(number)
    await settle(pilot)
    assert screen_name(pilot) == "IncidentScreen"


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def test_raise_a_problem_from_a_call(desk, calls):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, calls[0])
        offered = footer(pilot)
        assert "New problem" in offered and "Link problem" in offered
        assert "Its problem" not in offered
        await press(pilot, "p")
        assert pilot.app.screen.query_one("#field-title").value == "Printer jams"  # its summary
        await answer(pilot, major=True)
        assert screen_name(pilot) == "ProblemScreen"
        found = problems.problem("PRB-000001")
        assert [c.number for c in found.incidents] == [calls[0]]
        assert (found.title, found.major, found.owner) == ("Printer jams", True, "jsmith")
        assert found.locations == ("S12",) and found.categories == ("printer",)
        assert "YES: a major incident" in text_of(pilot, "#details")
        assert rows(pilot, "#linked") == [calls[0]]
        await press(pilot, "escape")  # back on the call: it names its problem
        assert "Problem PRB-000001 (Open): Printer jams" in words(pilot, "#fields")
        offered = footer(pilot)
        assert "Its problem" in offered and "New problem" not in offered
        await press(pilot, "p")  # and the key does nothing now
        assert screen_name(pilot) == "IncidentScreen"
        await press(pilot, "g")
        assert screen_name(pilot) == "ProblemScreen"


async def test_raise_a_problem_from_marked_calls_in_the_queue(desk, calls):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Problem from marked" not in footer(pilot)
        table = pilot.app.screen.query_one("#calls", DataTable)
        for number in (calls[1], calls[0]):
            table.move_cursor(row=table.get_row_index(number))
            await press(pilot, "space")
        for number in (calls[0], calls[1]):
            assert cell(pilot, "#calls", number, "summary").startswith("✓ Printer jams")
        assert not cell(pilot, "#calls", calls[2], "summary").startswith("✓")
        assert "✓ 2 marked" in text_of(pilot, "#narrowed")
        assert "Problem from marked" in footer(pilot)
        table.move_cursor(row=table.get_row_index(calls[2]))  # mark and unmark a third
        await press(pilot, "space")
        table.move_cursor(row=table.get_row_index(calls[2]))
        await press(pilot, "space")
        assert "✓ 2 marked" in text_of(pilot, "#narrowed")
        await press(pilot, "escape")  # Esc unmarks them all
        assert "marked" not in text_of(pilot, "#narrowed")
        assert "Problem from marked" not in footer(pilot)
        for number in (calls[1], calls[0]):
            table.move_cursor(row=table.get_row_index(number))
            await press(pilot, "space")
        await press(pilot, "p")
        assert pilot.app.screen.query_one("#field-title").value == "Printer jams again"
        await answer(pilot, title="Printers in S12 jam")
        assert screen_name(pilot) == "ProblemScreen"
        found = problems.problem("PRB-000001")
        assert sorted(c.number for c in found.incidents) == [calls[0], calls[1]]
        assert found.affected == 2
        await press(pilot, "escape")
        assert screen_name(pilot) == "QueueScreen"
        assert "marked" not in text_of(pilot, "#narrowed")
        assert not cell(pilot, "#calls", calls[0], "summary").startswith("✓")
        assert "Problem from marked" not in footer(pilot)


async def test_link_and_unlink_calls(desk, calls):
    problems.raise_problem("Printers jam", incidents=[calls[0]], by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_problem(pilot, "PRB-000001")
        await press(pilot, "l")
        scanned = servicedesk.find_call(calls[2]).scan  # as a receipt's QR code reads
        await answer(pilot, calls=f"inc-{calls[1][-1]}, {scanned}")
        assert rows(pilot, "#linked") == calls[:3]
        assert "3 people" not in text_of(pilot, "#details")  # Ms Khan twice: 2 people
        assert "2 people, 3 calls" in text_of(pilot, "#details")
        await press(pilot, "l")
        await answer(pilot, calls=calls[1])
        assert f"{calls[1]} is already linked to PRB-000001" in text_of(pilot, "#dialog-problem")
        await answer(pilot, calls="INC-999999")
        assert "No call matches INC-999999" in text_of(pilot, "#dialog-problem")
        await press(pilot, "escape")
        table = pilot.app.screen.query_one("#linked", DataTable)
        table.move_cursor(row=table.get_row_index(calls[1]))
        await press(pilot, "u")
        assert rows(pilot, "#linked") == [calls[0], calls[2]]
        assert calls[1] not in [c.number for c in problems.problem(1).incidents]
        await press(pilot, "enter")  # opens the chosen call
        assert screen_name(pilot) == "IncidentScreen"
        await press(pilot, "escape")
        await open_call(pilot, calls[3])  # link a call from its own page
        await press(pilot, "k")
        await answer(pilot, problem="PRB-999")
        assert "There is no problem PRB-000999" in text_of(pilot, "#dialog-problem")
        await answer(pilot, problem="prb 1")
        assert "Problem PRB-000001" in words(pilot, "#fields")
    assert calls[3] in [c.number for c in problems.problem(1).incidents]


async def test_a_known_error_shows_on_linked_and_matching_calls(desk, calls):
    problems.raise_problem("The S12 printer jams", incidents=[calls[0]], by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_call(pilot, calls[1])
        assert not pilot.app.screen.query_one("#known").display  # nothing known yet
        await open_problem(pilot, "PRB-000001")
        assert "Off kiosks" not in footer(pilot)
        await press(pilot, "k")
        await answer(
            pilot,
            workaround="Print to the Library printer [b]for now[/b]",
            public_text="The S12 printer is broken: use the Library's",
        )
        found = problems.problem(1)
        assert (found.status, found.public) == ("known_error", True)
        assert [n.text for n in notices.current_notices("S12")] == [found.public_text]
        assert "Known error" in text_of(pilot, "#details")
        assert "shown" in text_of(pilot, "#details")
        for number, how in (
            (calls[0], "This call is linked to it"),
            (calls[1], "It matches this call"),
        ):
            await open_call(pilot, number)
            assert pilot.app.screen.query_one("#known").display
            known = text_of(pilot, "#known")
            assert "KNOWN ERROR" in known and "PRB-000001: The S12 printer jams" in known
            assert how in known
            assert "Workaround: Print to the Library printer [b]for now[/b]" in known
        await open_call(pilot, calls[3])  # a laptop in the Library: nothing applies
        assert not pilot.app.screen.query_one("#known").display
        await open_call(pilot, calls[1])  # the matching one is offered to link
        await press(pilot, "k")
        assert pilot.app.screen.query_one("#field-problem").value == "PRB-000001"
        await press(pilot, "escape")
        await open_problem(pilot, "PRB-000001")
        await press(pilot, "h")  # off the kiosks; technicians still see it
        assert not problems.problem(1).public
        assert notices.current_notices("S12") == []
        assert "Off kiosks" not in footer(pilot)
        await open_call(pilot, calls[1])
        assert "Workaround: Print" in text_of(pilot, "#known")


async def test_the_resolver_warning_is_in_words(desk, calls):
    problems.raise_problem("Printers jam", incidents=calls[:2], by="jsmith")
    incidents.resolve(calls[1], kind="fix", text="Cleared the jam", by="akhan")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_problem(pilot, "PRB-000001")
        assert not pilot.app.screen.query_one("#warnings").display
        await press(pilot, "v")
        await answer(pilot, who="akhan")
        assert problems.problem(1).resolver == "akhan"
        assert pilot.app.screen.query_one("#warnings").display
        warning = text_of(pilot, "#warnings")
        assert warning.startswith("WARNING: akhan resolves this problem and also resolved")
        assert calls[1] in warning and "FITS keeps" in warning
        await press(pilot, "v")
        await answer(pilot, who="jsmith")
        assert not pilot.app.screen.query_one("#warnings").display


async def test_the_lifecycle_and_closing_needs_a_reason_unless_resolved(desk, calls):
    problems.raise_problem("Printers jam", incidents=[calls[0]], by="akhan")
    problems.raise_problem("A duplicate", by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_problem(pilot, "PRB-000002")
        await press(pilot, "c")
        await answer(pilot, reason="")
        assert "not resolved: say why" in text_of(pilot, "#dialog-problem")
        assert problems.problem(2).status == "open"
        await answer(pilot, reason="Same as PRB-000001")
        assert problems.problem(2).status == "closed"
        offered = footer(pilot)
        assert "Reopen" in offered
        for word in ("Investigate", "Link calls", "Close", "Resolve", "Edit", "Known error"):
            assert word not in offered
        await press(pilot, "2")  # the history says why
        assert "close, because: Same as PRB-000001" in " ".join(
            cell(pilot, "#linked", key, "what") for key in rows(pilot, "#linked")
        )
        await open_problem(pilot, "PRB-000001")
        await press(pilot, "i")
        assert problems.problem(1).status == "investigating"
        await press(pilot, "a")
        await answer(pilot, who="jsmith")
        assert problems.problem(1).owner == "jsmith"
        await press(pilot, "f")
        await answer(pilot, rooms="S12 IT1", kinds="printer", devices="")
        assert problems.problem(1).locations == ("IT1", "S12")
        await press(pilot, "f")
        await answer(pilot, rooms="MARS")
        assert "MARS" in text_of(pilot, "#dialog-problem")
        await press(pilot, "escape")
        await press(pilot, "p")
        await answer(pilot, parent="PRB-000001")
        assert "cannot be part of itself" in text_of(pilot, "#dialog-problem")
        await press(pilot, "escape")
        await press(pilot, "e")
        await answer(pilot, title="Printers jam in S12 and IT1", description="Since the new toner")
        assert problems.problem(1).title == "Printers jam in S12 and IT1"
        await press(pilot, "r")
        await answer(pilot)
        assert "Write down the root cause" in text_of(pilot, "#dialog-problem")
        await press(pilot, "escape")
        await press(pilot, "d")
        await answer(pilot, cause="The new toner is the wrong size")
        await press(pilot, "s")
        await answer(pilot, change="nonsense")
        assert "RFC-000003" in text_of(pilot, "#dialog-problem")
        await answer(pilot, change="RFC-3")
        assert "There is no change RFC-000003" in text_of(pilot, "#dialog-problem")
        changes.raise_change("Replace the toner supplier's cartridges", by="jsmith")
        await answer(pilot, change="RFC-1")
        found = problems.problem(1)
        assert (found.status, found.change_id) == ("fix_in_progress", 1)
        assert "RFC-000001" in text_of(pilot, "#details")
        assert "Start fix" not in footer(pilot)
        await press(pilot, "r")
        await answer(pilot)  # the root cause is there already
        found = problems.problem(1)
        assert (found.status, found.resolver) == ("resolved", "jsmith")
        await press(pilot, "c")
        await answer(pilot)  # resolved: no reason needed
        assert problems.problem(1).status == "closed"
        await press(pilot, "o")
        await answer(pilot, reason="Jammed again on Monday")
        assert problems.problem(1).status == "investigating"
        await press(pilot, "2")
        history = " ".join(cell(pilot, "#linked", key, "what") for key in rows(pilot, "#linked"))
        for words in ("raised: Printers jam", "linked INC-000001", "root cause:", "reopen"):
            assert words in history


async def test_a_problem_changed_elsewhere_is_refused_then_reloaded(desk, calls):
    problems.raise_problem("Printers jam", incidents=[calls[0]], by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_problem(pilot, "PRB-000001")
        problems.record_cause(1, root_cause="Damp paper", by="akhan")  # another desk
        await press(pilot, "e")
        await answer(pilot, title="Printers jam in S12")
        assert "was just changed" in text_of(pilot, "#dialog-problem")
        assert problems.problem(1).title == "Printers jam"  # nothing half-done
        await press(pilot, "escape")
        assert "Damp paper" in text_of(pilot, "#details")  # reloaded with akhan's change
        await press(pilot, "e")
        await answer(pilot, title="Printers jam in S12")
    found = problems.problem(1)
    assert (found.title, found.root_cause) == ("Printers jam in S12", "Damp paper")


async def test_markup_in_a_title_is_shown_as_written(desk, calls):
    problems.raise_problem(MARKUP, description="[red]not red[/red]", major=True, by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+b")
        assert screen_name(pilot) == "ProblemsScreen"
        assert cell(pilot, "#problems", "PRB-000001", "title") == f"MAJOR {MARKUP}"
        await press(pilot, "enter")
        assert screen_name(pilot) == "ProblemScreen"
        shown = text_of(pilot, "#details")
        assert MARKUP in shown and "[red]not red[/red]" in shown
        await pilot.click("#details")
        await settle(pilot)
        assert pilot.app.return_code is None


async def test_the_problems_list_its_views_and_a_new_problem(desk, calls):
    problems.raise_problem("Printers jam", incidents=calls[:2], by="jsmith")
    known = problems.raise_problem("Wi-Fi drops in the Library", by="akhan")
    known_errors.publish(known.number, workaround="Use a cable", by="akhan")
    gone = problems.raise_problem("Not a problem", by="jsmith")
    problems.close(gone.number, reason="A one-off", by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        assert rows(pilot, "#problems") == ["PRB-000002", "PRB-000001"]
        assert cell(pilot, "#problems", "PRB-000001", "calls") == "2"
        assert cell(pilot, "#problems", "PRB-000001", "people") == "2"
        assert cell(pilot, "#problems", "PRB-000002", "status") == "Known error"
        assert cell(pilot, "#problems", "PRB-000002", "owner") == "akhan"
        await press(pilot, "2")
        assert rows(pilot, "#problems") == ["PRB-000002"]
        await press(pilot, "3")
        assert rows(pilot, "#problems") == ["PRB-000003", "PRB-000002", "PRB-000001"]
        assert cell(pilot, "#problems", "PRB-000003", "status") == "Closed"
        await press(pilot, "slash", *"wi-fi", "enter")
        assert rows(pilot, "#problems") == ["PRB-000002"]
        await press(pilot, "escape")
        assert len(rows(pilot, "#problems")) == 3
        await press(pilot, "n")
        await answer(pilot, title="Laptops do not charge", calls=f"{calls[3]} nonsense")
        assert "'nonsense' is not a log number" in text_of(pilot, "#dialog-problem")
        await answer(pilot, calls=calls[3])
        assert screen_name(pilot) == "ProblemScreen" and pilot.app.screen.number == "PRB-000004"
        assert problems.problem(4).assets == ("LAP-0042",)
        await press(pilot, "escape")
        assert rows(pilot, "#problems")[0] == "PRB-000004"


async def test_keys_are_offered_only_when_they_can_work(desk, calls):
    from tui.commands import desk_commands

    problems.raise_problem("Printers jam", by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_problem(pilot, "PRB-000001")
        offered = footer(pilot)
        for word in ("Investigate", "Link calls", "Known error", "Resolve", "Close", "Edit"):
            assert word in offered
        for word in ("Reopen", "Off kiosks", "Unlink call"):  # nothing linked, not public
            assert word not in offered
        names = [c.title for c in desk_commands(pilot.app, pilot.app.screen)]
        assert "Investigate" in names and "Reopen" not in names and "Problems" in names
        await press(pilot, "o")  # a key not offered does nothing
        assert problems.problem(1).status == "open"
        await press(pilot, "i")
        assert "Investigate" not in footer(pilot)
        await press(pilot, "f1")
        listed = text_of(pilot, "#keys")
        for words in ("Problems", "A problem", "New problem", "Known error", "Unlink call"):
            assert words in listed


async def test_trends_and_capacity_are_a_key_from_the_problems(desk, calls):
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+b")
        assert screen_name(pilot) == "ProblemsScreen"
        assert {"Trends", "Capacity"} <= set(footer(pilot).split(" | "))
        await press(pilot, "t")
        assert screen_name(pilot) == "TrendsScreen"
        await press(pilot, "escape")
        assert screen_name(pilot) == "ProblemsScreen"
        await press(pilot, "c")
        assert screen_name(pilot) == "CapacityScreen"
        await press(pilot, "escape")
        assert screen_name(pilot) == "ProblemsScreen"


async def test_the_scan_box_opens_a_problem_by_its_number(desk, calls):
    found = problems.raise_problem("Printers", incidents=[calls[0]], by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+o")
        await pilot.press(*"prb 404", "enter")
        await settle(pilot)
        assert "There is no problem PRB-000404." in text_of(pilot, "#dialog-problem")
        await type_into(pilot, "#scanned", found.number.lower())
        await press(pilot, "enter")
        assert screen_name(pilot) == "ProblemScreen"
        assert pilot.app.screen.number == found.number


def asked(pilot) -> str:
    """The open dialog's questions as drawn, runs of spaces squeezed to one."""
    drawn = []
    for label in pilot.app.screen.query("Label"):
        drawn += [label.render_line(y).text.strip() for y in range(label.size.height)]
    return " ".join(" ".join(drawn).split())


async def test_resolving_says_which_calls_it_resolves_and_can_keep_them_open(desk, calls):
    problems.raise_problem("Printers jam", incidents=calls[:2], by="jsmith")
    problems.raise_problem("Blank pages", incidents=[calls[2]], by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_problem(pilot, "PRB-000001")
        await press(pilot, "r")
        question = asked(pilot)
        assert f"Its 2 open calls ({calls[0]}, {calls[1]}) will be resolved as fixed" in question
        assert "Keep these calls open instead" in question
        assert servicedesk.find_call(calls[0]).status == "logged"  # nothing done yet
        await answer(pilot, cause="Worn fuser")
        assert problems.problem(1).status == "resolved"
        for number in calls[:2]:
            found = servicedesk.find_call(number)
            assert (found.status, found.resolution_text) == ("resolved", incidents.PROBLEM_FIXED)
        await open_problem(pilot, "PRB-000002")
        await press(pilot, "r")
        assert f"Its 1 open call ({calls[2]})" in asked(pilot)
        await answer(pilot, cause="Old toner", keep=True)
        assert problems.problem(2).status == "resolved"
        assert servicedesk.find_call(calls[2]).status == "logged"


async def test_the_earlier_root_cause_is_shown_under_the_current_one(desk, calls):
    problems.raise_problem("Printers jam", incidents=[calls[0]], by="jsmith")
    problems.record_cause("PRB-000001", root_cause="Damp [b]paper[/b]", by="akhan")
    problems.record_cause("PRB-000001", root_cause="Worn fuser", by="jsmith")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_problem(pilot, "PRB-000001")
        shown = words(pilot, "#details")
        assert "Root cause Worn fuser earlier (akhan, " in shown
        assert "): Damp [b]paper[/b] Workaround" in shown
