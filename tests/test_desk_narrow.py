"""The desk at 80 columns, in plain words: the queue's columns give way, least needed
first, so the summary keeps its room; every screen's footer shows the screen's own keys
whole (F1 first, the keys that work anywhere as room allows); every key shown in the
footer or F1 says what it does in words; the palette names each action once."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from store.changes import changes
from store.problems import problems
from store.records import outbox
from store.school import notices
from store.service_levels.targets import SCHOOL_DAY
from store.servicedesk import incidents, servicedesk
from store.servicedesk.queues import Due
from tests.kiosk_helpers import settle
from tui.app import DeskApp
from tui.screens.common import SHORT_DUE, due_words

pytestmark = pytest.mark.screen


@pytest.fixture
def world(mail_on, db_url):
    """A call being worked on with a device, a problem, a change, a notice and an email
    that could not be sent: enough for every screen to offer most of its keys."""
    first = servicedesk.log_call(
        summary="Projector flickers",
        requester="Ms Khan",
        role="staff",
        location="S12",
        category="projector",
        by="jsmith",
    )
    second = servicedesk.log_call(
        summary="Laptop will not charge",
        requester="Sam Patel",
        location="LIB",
        category="laptop",
        asset="LAP-0042",
        email="sam@example.org",
        by="jsmith",
    )
    incidents.take(second.number, by="jsmith")
    incidents.start(second.number, by="jsmith")
    claimed = outbox.claim()
    outbox.handing_over(claimed.id)
    outbox.failed(claimed.id, "550 5.2.2 Mailbox full", permanent=True)
    problem = problems.raise_problem("Projectors flicker", incidents=[first.number], by="jsmith")
    change = changes.raise_change("Replace the S12 projector", by="jsmith")
    notices.add_notice("Wi-Fi is slow in the Library", by="jsmith")
    return {"call": second.number, "problem": problem.number, "change": change.number}


def screens(world):
    """(name, how to open it) for every desk screen, each opened over the queue."""
    from tui.screens.changes.change import ChangeScreen
    from tui.screens.changes.schedule import ScheduleScreen
    from tui.screens.mail.mail_thread import MailThreadScreen
    from tui.screens.problems.capacity import CapacityScreen
    from tui.screens.problems.trends import TrendsScreen

    return {
        "queue": lambda app: None,
        "call": lambda app: app.open_call(world["call"]),
        "mail": lambda app: app.push_screen(MailThreadScreen(world["call"])),
        "problems": lambda app: app.action_problems(),
        "problem": lambda app: app.open_problem(world["problem"]),
        "trends": lambda app: app.push_screen(TrendsScreen()),
        "capacity": lambda app: app.push_screen(CapacityScreen()),
        "changes": lambda app: app.action_changes(),
        "change": lambda app: app.push_screen(ChangeScreen(world["change"])),
        "schedule": lambda app: app.push_screen(ScheduleScreen()),
        "register": lambda app: app.action_register(),
        "asset": lambda app: app.open_asset("LAP-0042"),
        "outbox": lambda app: app.action_outbox(),
        "notices": lambda app: app.action_notices(),
        "kiosks": lambda app: app.action_kiosks(),
        "audit": lambda app: app.action_audit(),
        "reminders": lambda app: app.action_reminders(),
        "services": lambda app: app.action_services(),
        "report": lambda app: app.action_service_report(),
        "help": lambda app: app.action_help(),
    }


def drawn_keys(app) -> list[FooterKey]:
    return sorted(app.screen.query(FooterKey), key=lambda key: key.region.x)


async def footer_drawn(pilot) -> list[FooterKey]:
    """The footer's keys once drawn: a screen whose keys change when its store answer
    comes (the outbox) lays its footer out again after the next refresh, which settling
    does not wait for."""
    for _ in range(100):
        keys = drawn_keys(pilot.app)
        if keys:
            return keys
        await pilot.pause(0.02)
    return []


async def test_at_80_columns_every_footer_shows_its_own_keys_whole(world, db_url):
    """Each screen's own keys in the footer (show=True) are drawn whole at 80x24, after
    F1; the desk's own keys only as room allows; the palette key ends at the last
    column, so nothing underneath shows through beside it."""
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for name, opener in screens(world).items():
            opener(app)
            await settle(pilot)
            keys = await footer_drawn(pilot)
            *rest, palette = keys
            assert palette.has_class("-command-palette") and palette.region.right == 80, name
            assert (rest[0].description == "Help") == (name != "help"), name
            for key in rest:
                assert key.region.right < palette.region.x, (name, key.description)
            own = {
                binding.description
                for node, binding, _on, _tip in app.screen.active_bindings.values()
                if node is not app and binding.show
            }
            assert own <= {key.description for key in rest}, name
            if name != "queue":
                app.pop_screen()
                await settle(pilot)


async def test_every_key_shown_says_what_it_does_in_words(world, db_url):
    """No key in a footer or F1 without words, or named by the code's name for it."""
    from tui.screens.help import desk_screens

    app = DeskApp(db_url=db_url, user="jsmith")
    for where, owner in (("Anywhere", DeskApp), *desk_screens()):
        for binding in owner.BINDINGS:
            if not (binding.show or binding.description):
                continue  # a hidden key without words: F1 says it in MORE_KEYS
            words = binding.description
            action = binding.action.split("(")[0].removeprefix("app.")
            assert words and "_" not in words and words != action, (where, words)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        keys = app.screen.query_one("#keys")
        listed = "\n".join(keys.render_line(y).text for y in range(keys.size.height))
        assert "Log a call" in listed and "Every action" not in listed
        assert "_" not in listed  # no binding's name (take_call) or action (view_open)


async def test_the_palette_names_each_action_once(world, db_url):
    """Each action once, by its words; the line under a name says more, or nothing."""
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        for opener in (lambda app: None, lambda app: app.open_call(world["call"])):
            opener(app)
            await settle(pilot)
            commands = list(app.get_system_commands(app.screen))
            titles = [command.title for command in commands]
            assert len(titles) == len(set(titles)), titles
            assert "Outbox" in titles and "Actions" not in titles  # not the palette itself
            for command in commands:
                assert command.help != command.title, command.title


@pytest.mark.parametrize(
    ("size", "columns", "summary"),
    [
        ((80, 24), ["number", "priority", "due", "status", "summary", "assignee"], 26),
        (
            (100, 30),
            ["number", "priority", "due", "status", "location", "category", "summary", "assignee"],
            27,
        ),
        (
            (120, 40),
            [
                "number",
                "age",
                "priority",
                "due",
                "status",
                "location",
                "category",
                "summary",
                "assignee",
            ],
            34,
        ),
    ],
    ids=["80x24", "100x30", "120x40"],
)
async def test_the_queue_gives_the_summary_its_room(world, db_url, size, columns, summary):
    """Age goes first (Due says it below 120 columns), then What, then Where: the summary
    keeps at least SUMMARY_ROOM characters, and the Summary shows that many of a call's."""
    app = DeskApp(db_url=db_url, user="jsmith")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#calls", DataTable)
        assert [column.key.value for column in table.columns.values()] == columns
        assert table.columns["summary"].width == summary
        assert table.virtual_size.width <= table.size.width  # no column beyond the edge
        cell = table.get_cell(world["call"], "summary")
        assert cell.plain == "Laptop will not charge"


async def test_a_wide_footer_shows_more_of_a_calls_keys(world, db_url):
    app = DeskApp(db_url=db_url, user="jsmith")
    for size, more in (((80, 24), False), ((120, 40), True)):
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            app.open_call(world["call"])
            await settle(pilot)
            shown = [key.description for key in drawn_keys(app)]
            assert ("Set the device" in shown) == more, shown  # IF_ROOM: when there is room
            assert shown[:7] == ["Help", "Take", "Assign", "Hold", "Note", "Priority", "Resolve"]
        app = DeskApp(db_url=db_url, user="jsmith")


@given(
    left=st.integers(-3 * 365 * 86400, 3 * 365 * 86400),
    what=st.sampled_from(["respond", "resolve"]),
)
def test_the_short_due_words_fit_their_column(left, what):
    """Below 120 columns the Due column is 9 wide: "11.4d late" was cut to "11.4d lat"."""
    due = Due(**{what: left}, state="late" if left < 0 else "")
    words = due_words(due, short=True)
    assert 0 < len(words) <= SHORT_DUE, words
    assert words == "no answer" or any(c.isdigit() for c in words) or words.endswith("late")


def test_a_call_a_fortnight_late_says_so_in_the_short_column():
    assert due_words(Due(resolve=-int(11.4 * SCHOOL_DAY), state="late"), short=True) == "11d late"
    assert due_words(Due(resolve=-(7 * 3600 + 1800), state="late"), short=True) == "7h30 late"
    assert due_words(Due(resolve=-(1 * 3600 + 1800), state="late"), short=True) == "1h30 late"
