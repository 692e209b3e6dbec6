"""Store calls off the UI thread, for both apps: a slow or absent database never freezes
the screen, and whatever goes wrong comes back as one sentence.

    run_store(app, lambda: servicedesk.find_call(ref), show_call, show_problem)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen

from store.db import database
from store.db.errors import FitsDeskError, Unavailable

log = logging.getLogger("fitsdesk")


def _asker(app: App, *callbacks: Callable[..., Any]) -> MessagePump:
    """The screen or widget that wants the answer: the one a callback is a method of, or
    whose `self` a callback (a lambda, an inner function) uses; the app itself when the
    answer is for the app (its first callback is the app's: its looks at the database
    outlive any screen, so their answers are never dropped); else the screen on top. The
    app's say_problem, a screen's usual way to fail, names no one."""
    # Textual names the node whose handler is running only in a private context variable.
    for n, callback in enumerate(callbacks):
        owner = getattr(callback, "__self__", None)
        code = getattr(callback, "__code__", None)
        if owner is None and code is not None and "self" in code.co_freevars:
            cell = callback.__closure__[code.co_freevars.index("self")]
            try:
                owner = cell.cell_contents
            except ValueError:  # `self` not yet bound
                owner = None
        if owner is app:
            if n == 0:
                return app
            continue
        if isinstance(owner, MessagePump):
            return owner
    return app.screen


def _still_there(app: App, asker: MessagePump) -> bool:
    """Whether the answer's asker is still shown: the app, or a screen (or a widget on
    one) still in its app's stack of screens, under a dialog or not. A popped screen
    stays attached while Textual takes its widgets away, so being attached is not
    enough: an answer arriving then would look for a widget already gone. The screen's
    own app is its parent (two desks in one process, as in the tests, each have theirs)."""
    if asker is app:
        return True
    if not asker.is_attached:
        return False
    screen = asker if isinstance(asker, Screen) else getattr(asker, "screen", None)
    owner = getattr(screen, "parent", None)
    return isinstance(owner, App) and screen in owner.screen_stack


def run_store(
    app: App,
    job: Callable[[], Any],
    done: Callable[[Any], None],
    failed: Callable[[FitsDeskError], None],
    *,
    db_url: str | None = None,
    cant: str = "The database cannot be reached just now: nothing was changed.",
) -> None:
    """Run `job` in a worker thread with its own connection; then `done(result)` or
    `failed(problem)` runs on the UI thread, unless the screen that asked has gone (closed,
    or the app is leaving) by then. Anything the database throws that the store does not
    name becomes Unavailable(`cant`)."""
    asked_from = _asker(app, done, failed)

    def deliver(callback: Callable[[Any], None], value: Any) -> None:
        if not app.is_running:  # shutting down: the screens are being taken apart
            return
        if _still_there(app, asked_from):
            callback(value)

    def work() -> None:
        try:
            if database.db.obj is None:  # it was away when the app started
                database.connect(db_url, create=False, pool=True)
            with database.db.connection_context():
                result = job()
        except FitsDeskError as exc:
            app.call_from_thread(deliver, failed, exc)
        except Exception:
            log.exception("store call failed")
            app.call_from_thread(deliver, failed, Unavailable(cant))
        else:
            app.call_from_thread(deliver, done, result)

    app.run_worker(work, thread=True, group="store")
