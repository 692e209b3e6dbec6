"""Which screen a store call's answer is for: the one its callbacks belong to, so an
answer for a screen that has gone is dropped and one for a screen under a dialog is not."""

import threading
import types

import pytest
from textual.screen import Screen

from tests.kiosk_helpers import settle
from tui.app import DeskApp
from tui.widgets.background import _asker


class Page(Screen):
    def show(self, found) -> None:
        self.found = found

    def later(self):
        return lambda found: self.show(found)

    def inner(self):
        def shown(found) -> None:
            self.show(found)

        return shown


class FakeApp:
    """Just what _asker reads: the screen on top, and the app's own methods."""

    def __init__(self) -> None:
        self.screen = Screen()

    def say_problem(self, problem) -> None:
        pass


def test_the_asker_is_the_screen_a_callback_belongs_to():
    app, page = FakeApp(), Page()
    assert _asker(app, page.show, app.say_problem) is page
    assert _asker(app, page.later(), app.say_problem) is page
    assert _asker(app, page.inner(), app.say_problem) is page
    assert _asker(app, lambda found: None, page.show) is page


def test_without_a_screen_in_its_callbacks_it_is_the_screen_on_top():
    app, answers = FakeApp(), []
    assert _asker(app, answers.append, lambda _problem: None) is app.screen
    assert _asker(app, lambda found: answers.append(found), print) is app.screen


def test_an_answer_for_the_app_is_the_apps():
    app, answers = FakeApp(), []
    assert _asker(app, app.say_problem, print) is app
    assert _asker(app, answers.append, app.say_problem) is app.screen  # the usual failing
    assert _asker(app, lambda found: app.say_problem(found)) is app.screen  # no `self`


@pytest.fixture
def desk(school, db_url):
    return DeskApp(db_url=db_url, user="jsmith")


async def test_an_answer_for_a_screen_under_a_dialog_still_arrives(desk):
    """The queue reads itself again while a dialog is open; the dialog closes first."""
    release, delivered = threading.Event(), []
    async with desk.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        queue = pilot.app.screen
        pilot.app.action_help()
        await settle(pilot)
        assert pilot.app.screen is not queue

        def ask() -> None:  # as the queue's own handler would, a dialog over it
            shown = types.MethodType(lambda page, _found: delivered.append(page), queue)
            pilot.app.run_store(lambda: release.wait(5), shown)

        queue.call_next(ask)
        await pilot.pause()
        pilot.app.pop_screen()
        await pilot.pause()
        release.set()
        await settle(pilot)
        assert delivered == [queue]


@pytest.mark.parametrize("running", [True, False])
def test_an_answer_arriving_while_the_app_shuts_down_is_dropped(db, running):
    """Shutting down, Textual takes each screen's widgets away before the screen itself:
    a late answer must not look for them (it failed a run, "No nodes match")."""
    from tui.widgets.background import run_store

    got = []

    class Leaving(FakeApp):
        """An app whose answers are for itself, with its worker run where it is asked."""

        is_running = running

        def run_worker(self, work, **_options) -> None:
            work()

        def call_from_thread(self, callback, *args) -> None:
            callback(*args)

    app = Leaving()
    app.screen = app  # no screen in the callbacks: the answer is the app's own
    run_store(app, lambda: 42, got.append, app.say_problem)
    assert got == ([42] if running else [])


async def test_a_look_at_the_database_still_arrives_after_the_screen_has_gone(desk, monkeypatch):
    """On PostgreSQL the desk looks for changes in a worker: closing a screen while it looks
    must not drop the answer, or the desk would wait for it, and look no more."""
    import time

    from store.servicedesk import queues

    async with desk.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        desk.action_help()
        await settle(pilot)
        real = queues.change_mark
        monkeypatch.setattr(queues, "change_mark", lambda: (time.sleep(0.3), real())[1])
        desk.mark = -1  # something has changed
        desk.look_for_changes()
        await pilot.pause(0.05)
        await desk.pop_screen()  # back from the help while the look is under way
        await pilot.pause(0.5)
        await settle(pilot)
        assert not desk.looking and desk.mark == real()


async def test_an_answer_for_a_screen_being_closed_is_dropped(desk):
    """Popped, a screen stays attached while Textual takes its widgets away: an answer
    delivered then looked for a widget already gone ("No nodes match '#warnings'" failed
    a PostgreSQL run). It is dropped from the moment the screen leaves the stack."""
    from tui.widgets.background import _still_there

    async with desk.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        page = Page()
        await pilot.app.push_screen(page)
        await settle(pilot)
        assert _still_there(pilot.app, page)
        pilot.app.pop_screen()  # not awaited: the widgets are still being taken away
        assert page.is_attached and not _still_there(pilot.app, page)
        await settle(pilot)
        assert not _still_there(pilot.app, page)
        assert _still_there(pilot.app, pilot.app.screen) and _still_there(pilot.app, pilot.app)
