"""'We installed something like this last week': what the committee should see before it
votes on a change that adds software.

    from store.changes import changes
    found = changes.overlap("RFC-000003")
    found.software    # titles in the library for the same purpose, or already in its rooms
    found.changes     # changes of the last few weeks adding software for the same purpose,
                      # or software in the same rooms

Purposes are the library's tags ("audio editing"); two titles overlap when they share
one. A change's rooms are the rooms it names and the rooms of the devices it names.
How far back changes are looked at is `[changes] overlap_weeks` in the config file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.configuration import software
from store.db import config, journal
from store.db.database import read
from store.db.models import (
    Asset,
    Change,
    ChangeAsset,
    ChangeLocation,
    ChangeSoftware,
    Location,
    Software,
    SoftwareInstall,
)
from store.records.changes import ChangeSummary, change_row, summaries

MOST = 20
"""At most this many similar titles, and this many recent changes, are listed."""


@dataclass(frozen=True)
class Similar:
    """A title already in the library that the new software may duplicate."""

    name: str
    purposes: tuple[str, ...]
    rooms: tuple[str, ...]
    """Rooms it is installed in (a room install, or on a device there)."""
    why: str
    """"also for audio editing; installed in MU1"."""


@dataclass(frozen=True)
class Recent:
    """A change of the last few weeks that did something like this one."""

    change: ChangeSummary
    why: str
    """"adds Ocenaudio 3 (audio editing), 6 days ago"."""


@dataclass(frozen=True)
class Overlap:
    """What the committee should know before it votes."""

    software: tuple[Similar, ...] = ()
    changes: tuple[Recent, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.software or self.changes)


def _purposes(row: Software) -> set[str]:
    return {p for p in row.purposes.split(",") if p}


def _rooms_of(change_id: int) -> set[int]:
    named = {
        pid
        for (pid,) in ChangeLocation.select(ChangeLocation.location)
        .where(ChangeLocation.change == change_id)
        .tuples()
    }
    devices = {
        pid
        for (pid,) in Asset.select(Asset.location)
        .join(ChangeAsset, on=ChangeAsset.asset == Asset.id)
        .where((ChangeAsset.change == change_id) & Asset.location.is_null(False))
        .tuples()
    }
    return named | devices


def _adds(change_id: int) -> list[Software]:
    return list(
        Software.select()
        .join(ChangeSoftware, on=ChangeSoftware.software == Software.id)
        .where((ChangeSoftware.change == change_id) & (ChangeSoftware.action == "add"))
    )


def _installed_rooms() -> dict[int, set[int]]:
    """Title id -> the rooms it is installed in, by room install or on a device there."""
    rooms: dict[int, set[int]] = {}
    in_rooms = SoftwareInstall.select(SoftwareInstall.software, SoftwareInstall.location).where(
        SoftwareInstall.location.is_null(False)
    )
    on_devices = (
        SoftwareInstall.select(SoftwareInstall.software, Asset.location)
        .join(Asset, on=SoftwareInstall.asset == Asset.id)
        .where(Asset.location.is_null(False) & (Asset.status != "retired"))
    )
    for title, place in [*in_rooms.tuples(), *on_devices.tuples()]:
        rooms.setdefault(title, set()).add(place)
    return rooms


def _ago(moment: dt.datetime, now: dt.datetime) -> str:
    days = (now - moment).days
    if days <= 0:
        return "today"
    return "yesterday" if days == 1 else f"{days} days ago"


def overlap(reference: object) -> Overlap:
    """Software in the library for the same purpose as what the change adds (or the same
    titles already in its rooms), and recent changes adding software for the same purpose
    or in the same rooms. Empty for a change that adds no software."""
    with read():
        row = change_row(reference)
        adds = _adds(row.id)
        if not adds:
            return Overlap()
        wanted = set().union(*(_purposes(t) for t in adds))
        added_ids = {t.id for t in adds}
        my_rooms = _rooms_of(row.id)
        codes = dict(Location.select(Location.id, Location.code).tuples())
        installed = _installed_rooms()

        similar: list[tuple[bool, Similar]] = []
        for title in Software.select().where(Software.retired == False):  # noqa: E712
            shared = sorted(_purposes(title) & wanted)
            rooms = sorted(codes[p] for p in installed.get(title.id, ()))
            here = sorted(codes[p] for p in installed.get(title.id, set()) & my_rooms)
            if title.id in added_ids:
                if here:
                    why = f"already installed in {', '.join(here)}"
                    similar.append((True, Similar(software.name_of(title), (), tuple(rooms), why)))
                continue
            if not shared:
                continue
            why = f"also for {', '.join(shared)}"
            if here:
                why += f"; already in {', '.join(here)}"
            elif rooms:
                why += f"; installed in {', '.join(rooms[:5])}" + (
                    f" and {len(rooms) - 5} more rooms" if len(rooms) > 5 else ""
                )
            purposes = tuple(sorted(_purposes(title)))
            similar.append(
                (bool(here), Similar(software.name_of(title), purposes, tuple(rooms), why))
            )
        similar.sort(key=lambda pair: (not pair[0], pair[1].name.lower()))

        now = journal.now()
        since = now - dt.timedelta(weeks=config.current().overlap_weeks)
        others = list(
            Change.select()
            .where(
                (Change.id != row.id)
                & Change.status.not_in(("rejected", "cancelled"))
                & (
                    (Change.created_at >= since)
                    | (Change.implemented_at.is_null(False) & (Change.implemented_at >= since))
                )
            )
            .order_by(Change.id.desc())
        )
        recent: list[tuple[int, str]] = []
        for other in others:
            reasons = []
            theirs = _adds(other.id)
            for title in theirs:
                shared = sorted(_purposes(title) & wanted)
                if shared:
                    reasons.append(f"adds {software.name_of(title)} ({', '.join(shared)})")
            if theirs and not reasons:
                rooms = sorted(codes[p] for p in _rooms_of(other.id) & my_rooms)
                if rooms:
                    names = ", ".join(software.name_of(t) for t in theirs)
                    reasons.append(f"adds {names} in {', '.join(rooms)}")
            if not reasons:
                continue
            when = other.implemented_at or other.created_at
            verb = "implemented" if other.implemented_at else "raised"
            recent.append((other.id, f"{'; '.join(reasons)}, {verb} {_ago(when, now)}"))
        recent = recent[:MOST]
        picked = Change.select().where(Change.id.in_([i for i, _ in recent] or [0]))
        by_id: dict[int, ChangeSummary] = {s.id: s for s in summaries(picked)}
    return Overlap(
        tuple(s for _here, s in similar[:MOST]),
        tuple(Recent(by_id[i], why) for i, why in recent),
    )
