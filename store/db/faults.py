"""What a database fault means, in one sentence: the cause, the database (its URL without
a password), and that nothing was saved; the technical details and the traceback go to
the log file (`store.db.logs`), which the sentence names.

    from store.db.faults import unavailable
    try:
        ...
    except peewee.OperationalError as exc:
        raise unavailable(exc, url) from None   # "The disk that holds the database (...) is full"

Drivers word the same fault differently (SQLite, psycopg, the server's own messages), so
the words are matched on the first line of the error, after looking past the rollback
that failed because the commit already had ("cannot rollback - no transaction is active").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

import peewee

from store.db import logs
from store.db.errors import Unavailable

log = logging.getLogger("fitsdesk")

NOISE = ("cannot rollback", "no transaction is active", "cannot commit")
"""What a failed rollback says after the real fault, which is in the exception's context."""
LOST = (
    "server closed the connection",
    "terminating connection",
    "connection is lost",
    "consuming input failed",
    "the connection is closed",
    "connection already closed",
    "ssl syscall",
    "connection reset",
    "broken pipe",
    "could not receive data",
    "server conn crashed",
)
"""How psycopg and the server say a connection went away mid-use."""


def describe(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def _cause(exc: BaseException) -> BaseException:
    """The fault itself: past a rollback that failed because of it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if not any(noise in str(current).lower() for noise in NOISE):
            return current
        current = current.__context__ or current.__cause__
    return exc


def _sqlstate(exc: BaseException) -> str | None:
    return getattr(getattr(exc, "orig", exc), "sqlstate", None)


def lost(exc: BaseException) -> bool:
    """Whether the connection itself went away (a restart, a failover, a dropped network)."""
    text = str(_cause(exc)).lower()
    return any(words in text for words in LOST) or _sqlstate(_cause(exc)) in ("57P01", "08006")


def unsure(exc: BaseException, url: str = "") -> Unavailable:
    """One sentence for a connection lost during a commit when the server could not then
    be asked whether the commit got through: the truth is that nobody knows yet."""
    where = f" ({describe(url)})" if url else ""
    log.error(
        "connection lost during a commit%s", where, exc_info=(type(exc), exc, exc.__traceback__)
    )
    return Unavailable(
        f"The connection to the database{where} was lost while saving, and whether it was "
        f"saved cannot be known until the database answers again: look before trying "
        f"again{logs.pointer()}."
    )


def unavailable(exc: BaseException, url: str = "", role: str | None = None) -> Unavailable:
    """One sentence for a database error, naming what most likely went wrong and that
    nothing was saved; `role` is the PostgreSQL role that was refused, when the caller
    knows it. The details and the traceback are logged."""
    cause = _cause(exc)
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    where = f" ({describe(url)})" if url else ""
    log.error("database fault%s: %s", where, text, exc_info=(type(exc), exc, exc.__traceback__))
    details = logs.pointer()
    lowered = text.lower()
    state = _sqlstate(cause)
    postgres = not url or is_postgres(url)  # an OS error on a SQLite file may say "permission"
    refused = postgres and _postgres_refusal(
        text, where, lambda: role or _role_in(text) or _role_of_url(url)
    )
    if refused:
        return Unavailable(refused)
    if "disk is full" in lowered or "no space left" in lowered or state == "53100":
        said = f"The disk that holds the database{where} is full, so nothing was saved"
    elif "readonly" in lowered or "read-only" in lowered:
        said = f"The database{where} is read-only, so nothing was saved"
    elif "lock timeout" in lowered or state == "55P03" or "locked" in lowered or "busy" in lowered:
        said = f"The database{where} is busy, so nothing was saved: try again"
    elif "statement timeout" in lowered or state == "57014":
        said = f"The database{where} took too long to answer, so nothing was saved: try again"
    elif lost(cause):
        said = (
            f"The connection to the database{where} was lost, so nothing was saved: "
            "FITS Desk connects again by itself, so try again"
        )
    elif "not a database" in lowered or "malformed" in lowered:
        said = f"The file{where} is not a FITS Desk database, or is damaged, so nothing was saved"
    elif "unable to open" in lowered:
        said = (
            f"The database{where} cannot be opened, so nothing was saved: check that it and "
            "its folder can be written (SQLite keeps its -wal and -shm files beside it)"
        )
    elif (
        "connection refused" in lowered
        or "timeout expired" in lowered
        or ("socket" in lowered and "no such file or directory" in lowered)
    ):
        return Unavailable(
            f"Nothing answers for the database{where}, so nothing was saved: is its server "
            f"running{details}?"
        )
    elif "does not exist" in lowered and "database" in lowered:
        said = f"The database{where} does not exist on that server, so nothing was saved"
    elif "authentication" in lowered or "password" in lowered:
        said = f"The server refused the login for the database{where}, so nothing was saved"
    else:
        said = f"The database{where} cannot be used ({text}), so nothing was saved"
    return Unavailable(f"{said}{details}.")


_GRANTS = "docs/postgresql.md"
"""Where a refused role is sent for the grants it lacks."""


def _postgres_refusal(text: str, where: str, role: Callable[[], str | None]) -> str | None:
    """The sentence for PostgreSQL turning a role away, or None if `text` is not that.
    `role` is asked only then: without a user in the URL, libpq is asked whom it chose."""
    lowered = text.lower()
    keys = ("authentication failed", "no password", "does not exist", "pg_hba", "permission")
    if not any(key in lowered for key in keys) and "must be owner" not in lowered:
        return None
    name = role()
    who = f"role {name}" if name else "your role"
    if "peer authentication failed" in lowered or "ident authentication failed" in lowered:
        return (
            f"The server refused {who} for the database{where}: over the local socket it lets "
            "each system account in only as the role with the same name (peer authentication)."
        )
    if "password authentication failed" in lowered:
        return (
            f"The server refused the password for {who} for the database{where}, so "
            "nothing was saved."
        )
    if "no password supplied" in lowered:
        return (
            f"The server wants a password for {who} for the database{where}, and none "
            "was given (put it in ~/.pgpass)."
        )
    missing = re.search(r'role "(.+?)" does not exist', text)
    if missing:
        return (
            f"The server has no role named {missing.group(1)} for the database{where}: "
            f"see {_GRANTS} for making one."
        )
    if "no pg_hba.conf entry" in lowered:
        return (
            f"The server does not let {who} connect to the database{where} from here: "
            f"it needs a line in its pg_hba.conf ({_GRANTS})."
        )
    if "permission denied for database" in lowered:
        return (
            f"{who.capitalize()} may not connect to the database{where}: "
            f"ask its owner for the grants in {_GRANTS}."
        )
    if "permission denied" in lowered or "must be owner" in lowered:
        return (
            f"{who.capitalize()} may not use FITS Desk's tables in the database{where}, so "
            f"nothing was written: ask its owner for the grants in {_GRANTS}."
        )
    return None


def _role_in(text: str) -> str | None:
    """The role a PostgreSQL login error names (`... failed for user "jsmith"`)."""
    found = re.search(r'for user "(.+?)"', text)
    return found.group(1) if found else None


def is_postgres(url: str) -> bool:
    return url.strip().lower().startswith(("postgres://", "postgresql://"))


def _role_of_url(url: str) -> str | None:
    """The role a postgresql:// URL names; without one, libpq's own choice, which is the
    OS account's name unless PGUSER says otherwise."""
    if not is_postgres(url):
        return None
    user = urlsplit(url).username
    if user:
        return unquote(user)
    try:
        from psycopg import pq

        chosen = {o.keyword: o.val for o in pq.Conninfo.get_defaults()}.get(b"user")
    except Exception:  # no driver, or libpq cannot tell: the sentence says "your role"
        return None
    return chosen.decode() if chosen else None


def role_of(database: peewee.Database | None) -> str | None:
    """The role an open PostgreSQL connection logged in as (no query: libpq knows it)."""
    if isinstance(database, peewee.PostgresqlDatabase) and not database.is_closed():
        return database.connection().info.user
    return None


def lacks_privilege(exc: Exception) -> bool:
    """Whether PostgreSQL refused a statement for lack of a privilege (SQLSTATE 42501)."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501"
