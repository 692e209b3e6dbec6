"""FITS Desk's log: technical details and tracebacks, in a rotating file in the XDG state
folder (`fitsdesk.log`, 1 MB, and three older ones), readable by its owner alone. People
are told one sentence; the sentence names this file for whoever has to look further.

    from store.db import logs
    logs.setup()                 # once a process knows whose folders it has
    logs.pointer()               # " (details: /home/jsmith/.local/state/fitsdesk/fitsdesk.log)"

A process whose state folder cannot be written logs nowhere, and `pointer()` is empty:
the person still gets their sentence.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from store.db.config import state_dir

LOGGER = logging.getLogger("fitsdesk")
LOGGER.addHandler(logging.NullHandler())  # no file yet: say nothing, never a traceback on stderr
MOST_BYTES = 1_000_000
OLD_FILES = 3


def file() -> Path:
    """Where this account's log is written."""
    return state_dir() / "fitsdesk.log"


def _handler() -> logging.handlers.RotatingFileHandler | None:
    for handler in LOGGER.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return handler
    return None


def setup() -> Path | None:
    """Send the `fitsdesk` logger to this account's log file (again, if the state folder
    has moved); the file, or None if it cannot be written."""
    path = file()
    current = _handler()
    if current is not None and Path(current.baseFilename) == path:
        return path
    if current is not None:
        LOGGER.removeHandler(current)
        current.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(descriptor)  # made private before the handler opens it
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MOST_BYTES, backupCount=OLD_FILES, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    return path


def pointer() -> str:
    """ " (details: PATH)" for a sentence, when this process logs to a file; else ""."""
    current = _handler()
    return f" (details: {current.baseFilename})" if current is not None else ""
