"""What a scan of a device's label shows: the device, the calls about it, whether one
kind of fault keeps coming back, its moves and changes, and its loans.

    from store.configuration import history as asset_history
    found = asset_history.history("LAP-0042")
    found.repeat_faults          # (('laptop', 4),): its fourth charging fault this year
    asset_history.flagged()      # every repeat fault in the school

Every query's SQL is made once per process (`database.cached_sql`), so a device's
history opens about as fast as a call does; `bench/register.py` measures both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from store.configuration.assets import AssetInfo, asset_and_id
from store.db import config, journal
from store.db.database import cached_sql, read
from store.db.models import Asset, Category, Incident
from store.records import calls
from store.records.views import Call


def repeat_faults() -> int:
    """Incidents in one category within twelve months that flag a device as a repeat
    fault: the config's trends.repeat_calls (3), the same count the trends look for."""
    return config.current().trends_repeat_calls


MOST_CALLS = 100
"""The newest calls a history lists; `all_calls` says how many there are."""
YEAR = dt.timedelta(days=365)


@dataclass(frozen=True)
class AssetHistory:
    """A device and everything that has happened to it, newest first."""

    asset: AssetInfo
    calls: tuple[Call, ...]
    """The newest MOST_CALLS calls about it."""
    last_twelve_months: int
    """How many calls about it were logged in the last twelve months."""
    repeat_faults: tuple[tuple[str, int], ...] = ()
    """(category, calls) with repeat_faults() or more in twelve months, most first."""
    changes: tuple[journal.JournalEntry, ...] = ()
    """Moves, status changes and the rest, from the journal."""
    loans: tuple = ()
    """store.configuration.loans.LoanInfo for every loan this device was lent or handed in for."""
    all_calls: int = 0
    """How many calls there have ever been about it."""


def _run(key: str, build, params: tuple) -> list[tuple]:
    return Incident._meta.database.execute_sql(cached_sql(key, build), params).fetchall()


def _calls_about() -> pw.ModelSelect:
    return (
        calls.base_query()
        .where(Incident.asset == 0)
        .order_by(Incident.logged_at.desc(), Incident.id.desc())
        .limit(MOST_CALLS)
    )


def _counts() -> pw.ModelSelect:
    recent = pw.Case(
        None, [(Incident.logged_at >= dt.datetime(2000, 1, 1), pw.SQL("1"))], pw.SQL("0")
    )
    return Incident.select(pw.fn.COUNT(Incident.id), pw.fn.SUM(recent)).where(Incident.asset == 0)


def _repeats() -> pw.ModelSelect:
    return (
        Incident.select(Category.name, pw.fn.COUNT(Incident.id))
        .join(Category, on=(Incident.category == Category.id))
        .where((Incident.asset == 0) & (Incident.logged_at >= dt.datetime(2000, 1, 1)))
        .group_by(Category.name)
        .having(pw.fn.COUNT(Incident.id) >= 3)  # a placeholder: the count is a parameter
        .order_by(pw.fn.COUNT(Incident.id).desc(), Category.name)
    )


def history(tag: str) -> AssetHistory:
    """What a scan of a device's label shows: the device, its calls, moves and loans."""
    from store.configuration import (
        loans,
    )  # loans name assets: imported here to keep the one way round

    device, row_id = asset_and_id(tag)
    since = Incident.logged_at.db_value(journal.now() - YEAR)
    with read():
        found = tuple(
            calls.to_call(values)
            for values in _run("asset calls", _calls_about, (row_id, MOST_CALLS))
        )
        [(total, recent)] = _run("asset call counts", _counts, (since, row_id))
        flags = tuple(
            (name, int(count))
            for name, count in _run("repeat faults", _repeats, (row_id, since, repeat_faults()))
        )
        changes = tuple(reversed(journal.history("asset", row_id)))
        lent = tuple(loans.loans_of(row_id))
    return AssetHistory(device, found, int(recent or 0), flags, changes, lent, int(total))


def flagged(since_days: int = 365) -> list[tuple[str, str, int]]:
    """(tag, category, calls) for every device that is a repeat fault."""
    since = journal.now() - dt.timedelta(days=since_days)
    with read():
        query = (
            Incident.select(Asset.tag, Category.name, pw.fn.COUNT(Incident.id))
            .join(Asset, on=(Incident.asset == Asset.id))
            .switch(Incident)
            .join(Category, on=(Incident.category == Category.id))
            .where(Incident.logged_at >= since)
            .group_by(Asset.tag, Category.name)
            .having(pw.fn.COUNT(Incident.id) >= repeat_faults())
            .order_by(pw.fn.COUNT(Incident.id).desc(), Asset.tag, Category.name)
            .tuples()
        )
        return list(query)
