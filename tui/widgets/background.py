"""Store calls off the UI thread, for both apps: a slow or absent database never freezes
the screen, and whatever goes wrong comes back as one sentence.

    run_store(app, lambda: servicedesk.find_call(ref), show_call, show_problem)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from textual.app import App

from store import database
from store.errors import FitsDeskError, Unavailable

log = logging.getLogger("fitsdesk")


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
    `failed(problem)` runs on the UI thread. Anything the database throws that the store
    does not name becomes Unavailable(`cant`)."""

    def work() -> None:
        try:
            if database.db.obj is None:  # it was away when the app started
                database.connect(db_url, create=False)
            with database.db.connection_context():
                result = job()
        except FitsDeskError as exc:
            app.call_from_thread(failed, exc)
        except Exception:
            log.exception("store call failed")
            app.call_from_thread(failed, Unavailable(cant))
        else:
            app.call_from_thread(done, result)

    app.run_worker(work, thread=True, group="store")
