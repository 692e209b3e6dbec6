"""The software library: what the school has, what it is for, where it is installed,
the standard builds, and the licences against the seats bought.

    from store.configuration import software
    software.add_software("Audacity", version="3.4", purposes=["audio editing"],
                          licence="free", by="jsmith")
    software.install("Audacity 3.4", room="MU1", by="jsmith")      # or asset="LAP-0042"
    software.add_build("Music suite", ["Audacity 3.4", "MuseScore 4"], by="jsmith")
    software.licence_report()        # installs against seats, renewals due soonest first

A title is named by "Title" or "Title Version". A room install counts as one
seat per device in the room.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import peewee as pw

from store.configuration.assets import asset_row
from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput, NotAllowed, NotFound, Refused
from store.db.models import (
    LICENCES,
    Asset,
    Build,
    BuildSoftware,
    Change,
    Location,
    Software,
    SoftwareInstall,
    holds,
)
from store.db.sanitise import Field, clean, clean_date, shown
from store.records.changes import change_id, change_number
from store.school import people
from store.school.locations import location_row

TITLE = Field("the title", 80)
SHORT = Field("this", 80, required=False)
PURPOSE = Field("a purpose", 40)
BUILD_NAME = Field("the build's name", 60)
RENEWAL_WINDOW = dt.timedelta(days=60)
"""Renewals this close are called due."""


@dataclass(frozen=True)
class SoftwareInfo:
    """A title as screens see it."""

    title: str
    version: str
    publisher: str
    purposes: tuple[str, ...]
    licence: str
    seats: int | None
    renews_on: dt.date | None
    installs: int = 0
    """Seats in use: each device it is on, each device in each room it is on."""

    @property
    def name(self) -> str:
        return f"{self.title} {self.version}".strip()


@dataclass(frozen=True)
class LicenceLine:
    """One line of the licence report."""

    software: SoftwareInfo
    over: int
    """Installs beyond the seats bought (0 when within them)."""
    renewal_due: bool


def clean_purposes(purposes: Iterable[str] | str) -> tuple[str, ...]:
    """Purpose tags, lower case, each a few words: 'screen recording', 'graphing'."""
    items = purposes.split(",") if isinstance(purposes, str) else list(purposes)
    found = []
    for item in items:
        text = clean(item, PURPOSE).lower() if str(item).strip() else ""
        if text and text not in found:
            found.append(text)
    return tuple(found)


def software_row(name: object) -> Software:
    """A title by 'Title' (its only or newest version) or 'Title Version'."""
    text = clean(name, TITLE)
    with read():
        rows = list(Software.select().where(Software.retired == False))  # noqa: E712
    exact = [r for r in rows if f"{r.title} {r.version}".strip().lower() == text.lower()]
    if exact:
        return exact[0]
    named = [r for r in rows if r.title.lower() == text.lower()]
    if len(named) == 1:
        return named[0]
    if named:
        versions = ", ".join(sorted(r.version or "(none)" for r in named))
        raise BadInput(
            f"{named[0].title} is in the library as versions {versions}: say which, like "
            f"'{named[0].title} {named[0].version}'."
        )
    raise NotFound(f"There is no software '{text}'. See: fitsdesk software list.")


def _seats_in_use(software_id: int, adding: _Where | None = None) -> int:
    """Devices it is on, each once: installed on it, or in a room it is installed in
    (a device installed on and in such a room is one seat); retired devices use none.
    With `adding`, as if it were installed there too: the one way seats are counted, for
    the licence report and for the check at install."""
    mine = SoftwareInstall.software == software_id
    on_devices = SoftwareInstall.select(SoftwareInstall.asset).where(
        mine & SoftwareInstall.asset.is_null(False)
    )
    in_rooms = SoftwareInstall.select(SoftwareInstall.location).where(
        mine & SoftwareInstall.location.is_null(False)
    )
    using = Asset.id.in_(on_devices) | Asset.location.in_(in_rooms)
    if adding is not None:
        using = using | (adding.devices())
    return Asset.select().where(using & (Asset.status != "retired")).count()


def _info(row: Software) -> SoftwareInfo:
    purposes = tuple(p for p in row.purposes.split(",") if p)
    return SoftwareInfo(
        row.title,
        row.version,
        row.publisher,
        purposes,
        row.licence,
        row.seats,
        row.renews_on,
        _seats_in_use(row.id),
    )


def add_software(
    title: str,
    *,
    version: str = "",
    publisher: str = "",
    purposes: Iterable[str] | str = (),
    licence: str = "site",
    seats: int | None = None,
    renews_on: object = None,
    by: str,
) -> SoftwareInfo:
    """Put a title in the library."""
    title, version = clean(title, TITLE), clean(version, SHORT)
    publisher = clean(publisher, SHORT)
    tags = clean_purposes(purposes)
    licence = str(licence).strip().lower().replace("-", "_").replace(" ", "_")
    if licence not in LICENCES:
        raise BadInput(f"'{shown(licence)}' is not a licence: choose from {', '.join(LICENCES)}.")
    if seats is not None and (type(seats) is not int or not 0 <= seats <= 1_000_000):
        raise BadInput("Seats are a whole number, 0 or more.")
    if licence == "per_seat" and seats is None:
        raise BadInput("A per-seat licence needs the number of seats bought.")
    renews = clean_date(renews_on, "renewal date")
    with write():
        people.active_technician(by)
        same = pw.fn.LOWER(Software.title) == title.lower()
        if (
            Software.select()
            .where(same & (pw.fn.LOWER(Software.version) == version.lower()))
            .exists()
        ):
            raise BadInput(f"{title} {version} is already in the library.".replace("  ", " "))
        row = Software.create(
            title=title,
            version=version,
            publisher=publisher,
            purposes=",".join(tags),
            licence=licence,
            seats=seats,
            renews_on=renews,
        )
        journal.record(by, row, "add", after=f"{title} {version}".strip())
        return _info(row)


def list_software(purpose: str | None = None) -> list[SoftwareInfo]:
    """The library by title; with `purpose`, only titles tagged with it."""
    with read():
        rows = list(
            Software.select()
            .where(Software.retired == False)  # noqa: E712
            .order_by(Software.title, Software.version)
        )
        found = [_info(row) for row in rows]
    if purpose:
        wanted = clean(purpose, PURPOSE).lower()
        found = [s for s in found if any(wanted in p for p in s.purposes)]
    return found


@dataclass(frozen=True)
class _Where:
    """One device, or one room, that software is installed on."""

    device: Asset | None
    place: Location | None

    @property
    def name(self) -> str:
        return self.device.tag if self.device else self.place.code

    def installs(self):
        """The condition that picks the install rows here (a row has a device or a room)."""
        if self.device:
            return SoftwareInstall.asset == self.device.id
        return SoftwareInstall.location == self.place.id

    def devices(self):
        """The condition that picks the devices an install here puts it on."""
        if self.device:
            return Asset.id == self.device.id
        return Asset.location == self.place.id


def _where(asset: str | None, room: str | None) -> _Where:
    """The one device or the one room named; BadInput for neither, both or an unknown one."""
    if bool(asset) == bool(room):
        raise BadInput("Say where it is installed: on one device (asset) or in one room.")
    try:
        return _Where(asset_row(asset) if asset else None, location_row(room) if room else None)
    except NotFound as exc:
        raise BadInput(str(exc)) from None


OVER_REASON = Field("the reason for going over the seats", 500)


def _over_seats(row: Software, where: _Where) -> str | None:
    """The sentence refusing `row` at `where` when that would use more seats than were
    bought ("Office 2024: 30 seats, 30 used; this adds 4"), else None. Only a title
    with a seat count is limited: site, free and subscription licences without one are
    not. A device already counted (on it, or in a room it is on) adds nothing."""
    if row.seats is None:
        return None
    used = _seats_in_use(row.id)
    adds = _seats_in_use(row.id, where) - used
    if adds == 0 or used + adds <= row.seats:
        return None
    seats = f"{row.seats} seat{'' if row.seats == 1 else 's'}"
    return f"{name_of(row)}: {seats}, {used} used; this adds {adds}"


def _allow_over(refusals: list[str], reason: str, by: str) -> str:
    """Refused with the numbers while titles would go over their seats, unless a manager
    allows it with a reason: then the reason, to keep on each install row. Call inside
    the install's transaction, after the technician check."""
    if not refusals:
        return ""
    numbers = "; ".join(refusals)
    if not reason:
        raise Refused(f"{numbers} (only a manager may go over the seats, with a reason).")
    tech = people.technician_row(by)
    if tech is None or not holds(tech.roles, "manager"):
        raise NotAllowed(
            f"Only a manager may install beyond the seats bought, and {shown(by)} is not one "
            f"({numbers}).",
            who=by,
            action="install beyond the seats bought",
        )
    return reason


def install(
    name: str,
    *,
    asset: str | None = None,
    room: str | None = None,
    over_licence: str = "",
    by: str,
) -> SoftwareInfo:
    """Record a title as installed on one device, or on every device in a room. Refused
    with the numbers when it would use more seats than were bought, unless a manager
    allows it: `over_licence` is their reason, kept on the install and in the journal."""
    where = _where(asset, room)
    row = software_row(name)
    reason = clean(over_licence, OVER_REASON) if str(over_licence or "").strip() else ""
    with write():
        people.active_technician(by)
        if (
            SoftwareInstall.select()
            .where(where.installs() & (SoftwareInstall.software == row.id))
            .exists()
        ):
            raise Refused(f"{row.title} is already installed on {where.name}.")
        over = [text for text in [_over_seats(row, where)] if text]
        allowed = _allow_over(over, reason, by)
        SoftwareInstall.create(
            software=row,
            asset=where.device,
            location=where.place,
            installed_at=journal.now(),
            over_licence=allowed,
        )
        journal.record(by, row, "install", field="where", after=where.name)
        if allowed:
            journal.record(by, row, "over licence", field=where.name, after=allowed)
        return _info(row)


def uninstall(
    name: str, *, asset: str | None = None, room: str | None = None, by: str
) -> SoftwareInfo:
    """Record a title as no longer on a device or in a room."""
    where = _where(asset, room)
    row = software_row(name)
    with write():
        people.active_technician(by)
        gone = (
            SoftwareInstall.delete()
            .where(where.installs() & (SoftwareInstall.software == row.id))
            .execute()
        )
        if not gone:
            raise Refused(f"{row.title} is not installed on {where.name}.")
        journal.record(by, row, "uninstall", field="where", before=where.name)
        return _info(row)


def add_build(
    name: str, titles: Iterable[str], *, description: str = "", by: str
) -> list[SoftwareInfo]:
    """A standard build: a named image and the titles on it."""
    name = clean(name, BUILD_NAME)
    rows = [software_row(title) for title in titles]
    if not rows:
        raise BadInput("A build needs at least one title on it.")
    with write():
        people.active_technician(by)
        if Build.select().where(pw.fn.LOWER(Build.name) == name.lower()).exists():
            raise BadInput(f"There is already a build called {name}.")
        build = Build.create(name=name, description=clean(description, SHORT))
        for row in rows:
            BuildSoftware.insert(build=build, software=row).on_conflict_ignore().execute()
        journal.record(
            by, build, "add", after=", ".join(f"{r.title} {r.version}".strip() for r in rows)
        )
    return build_titles(name)


def _build(name: object) -> Build:
    """A build by its name, in any case; or NotFound."""
    text = clean(name, BUILD_NAME)
    with read():
        build = Build.get_or_none(pw.fn.LOWER(Build.name) == text.lower())
    if build is None:
        raise NotFound(
            f"There is no build called {shown(text)}. See: fitsdesk software build list."
        )
    return build


def list_builds() -> list[tuple[str, str, int]]:
    """(name, description, titles on it) for every standard build, by name."""
    with read():
        query = (
            Build.select(Build.name, Build.description, pw.fn.COUNT(BuildSoftware.id))
            .join(BuildSoftware, pw.JOIN.LEFT_OUTER)
            .group_by(Build.id, Build.name, Build.description)
            .order_by(Build.name)
            .tuples()
        )
        return [(name, description, int(count)) for name, description, count in query]


BUILD_CHANGE_STATUSES = ("scheduled", "implemented")
"""Where a change may be for a build to go on under it: scheduled (approved and
communicated, its window open or coming) or implemented (the work done, the register
still to update). Not before it is approved, and not once the register is updated or
it has ended."""


def _standard_change(reference: object) -> Change:
    """The standard change a build goes on under: one that exists, is a standard change
    (pre-approved: FITS release management puts a standard build on devices by one) and
    is scheduled or implemented; NotFound or Refused saying which it is not."""
    if reference is None or not str(reference).strip():
        raise BadInput(
            "Say which standard change this build goes on under, like --change RFC-000123."
        )
    number = change_number(change_id(reference))
    row = Change.get_or_none(Change.id == change_id(reference))
    if row is None:
        raise NotFound(f"There is no change {number}. See: fitsdesk change list.")
    if row.kind != "standard":
        raise Refused(
            f"{number} is a {row.kind} change: a standard build goes on under a standard change."
        )
    if row.status not in BUILD_CHANGE_STATUSES:
        raise Refused(
            f"{number} is {row.status.replace('_', ' ')}: a build goes on under a standard "
            "change that is scheduled or implemented."
        )
    return row


def install_build(
    name: str,
    *,
    asset: str | None = None,
    room: str | None = None,
    change: object = None,
    over_licence: str = "",
    by: str,
) -> list[SoftwareInfo]:
    """Record every title on a build as installed on one device or in one room (after
    imaging it), under a standard change, in one transaction; titles already there are
    left as they are. Each install keeps the change's id, so the change lists them.
    Refused, with nothing written, when a title would go beyond its seats, unless a
    manager allows it (`over_licence`, their reason). Returns the titles newly recorded."""
    where = _where(asset, room)
    build = _build(name)
    reason = clean(over_licence, OVER_REASON) if str(over_licence or "").strip() else ""
    with write():
        people.active_technician(by)
        under = _standard_change(change)
        rows = list(
            Software.select()
            .join(BuildSoftware)
            .where(BuildSoftware.build == build.id)
            .order_by(Software.title, Software.version)
        )
        there = {
            i.software_id
            for i in SoftwareInstall.select(SoftwareInstall.software).where(where.installs())
        }
        added = [row for row in rows if row.id not in there]
        over = {row.id: text for row in added if (text := _over_seats(row, where))}
        allowed = _allow_over(list(over.values()), reason, by)
        at = journal.now()
        for row in added:
            SoftwareInstall.create(
                software=row,
                asset=where.device,
                location=where.place,
                installed_at=at,
                change_id=under.id,
                over_licence=allowed if row.id in over else "",
            )
            journal.record(
                by,
                row,
                "install",
                field="where",
                after=f"{where.name} ({build.name}, {change_number(under.id)})",
            )
        if allowed:
            journal.record(by, build, "over licence", field=where.name, after=allowed)
        return [_info(row) for row in added]


def on_device(tag: str) -> list[tuple[str, str]]:
    """(title, how) for each title on a device: installed on it, or in its room."""
    device = asset_row(tag)
    with read():
        direct = (
            Software.select(Software.title, Software.version)
            .join(SoftwareInstall)
            .where(SoftwareInstall.asset == device.id)
            .tuples()
        )
        found = {f"{t} {v}".strip(): "on this device" for t, v in direct}
        if device.location_id:
            code = Location.get_by_id(device.location_id).code
            in_room = (
                Software.select(Software.title, Software.version)
                .join(SoftwareInstall)
                .where(SoftwareInstall.location == device.location_id)
                .tuples()
            )
            for t, v in in_room:
                found.setdefault(f"{t} {v}".strip(), f"in room {code}")
    return sorted(found.items(), key=lambda item: item[0].lower())


def build_titles(name: str) -> list[SoftwareInfo]:
    """The titles on a standard build."""
    build = _build(name)
    with read():
        rows = (
            Software.select()
            .join(BuildSoftware)
            .where(BuildSoftware.build == build.id)
            .order_by(Software.title)
        )
        return [_info(row) for row in rows]


@dataclass(frozen=True)
class SoftwareDetail:
    """A title, where it is installed, and the builds it is on."""

    software: SoftwareInfo
    devices: tuple[str, ...]
    """Tags of the devices it is installed on one by one."""
    rooms: tuple[tuple[str, int], ...]
    """(room code, devices in it) for each room it is installed in."""
    builds: tuple[str, ...]


def detail(name: str) -> SoftwareDetail:
    """Everything about one title: where it is, and on which standard builds."""
    row = software_row(name)
    with read():
        devices = tuple(
            tag
            for (tag,) in Asset.select(Asset.tag)
            .join(SoftwareInstall, on=(SoftwareInstall.asset == Asset.id))
            .where(SoftwareInstall.software == row.id)
            .order_by(Asset.tag)
            .tuples()
        )
        rooms = tuple(
            (
                code,
                Asset.select()
                .where((Asset.location == place) & (Asset.status != "retired"))
                .count(),
            )
            for code, place in Location.select(Location.code, Location.id)
            .join(SoftwareInstall, on=(SoftwareInstall.location == Location.id))
            .where(SoftwareInstall.software == row.id)
            .order_by(Location.code)
            .tuples()
        )
        builds = tuple(
            build
            for (build,) in Build.select(Build.name)
            .join(BuildSoftware)
            .where(BuildSoftware.software == row.id)
            .order_by(Build.name)
            .tuples()
        )
        info = _info(row)
    return SoftwareDetail(info, devices, rooms, builds)


def licence_report(today: dt.date | None = None) -> list[LicenceLine]:
    """Every title with a seat count or a renewal: the ones over their seats first, then
    renewals due soonest."""
    today = today or dt.date.today()
    lines = []
    for info in list_software():
        if info.seats is None and info.renews_on is None:
            continue
        over = max(0, info.installs - info.seats) if info.seats is not None else 0
        due = info.renews_on is not None and info.renews_on - today <= RENEWAL_WINDOW
        lines.append(LicenceLine(info, over, due))
    return sorted(
        lines,
        key=lambda line: (
            -line.over,
            not line.renewal_due,
            line.software.renews_on or dt.date.max,
            line.software.name,
        ),
    )


def name_of(row: Software) -> str:
    """ "Title Version", as people name a title."""
    return f"{row.title} {row.version}".strip()


def apply_change(change_id: int, *, by: str) -> list[str]:
    """Make the register say what a change did: each title it adds installed on each of
    its devices and in each of its rooms, each it removes taken off them. Lines saying
    what was done ("Audacity 3.4 installed in ICT1"). Call inside the change's
    transaction (store.changes.changes.update_register)."""
    from store.db.models import ChangeAsset, ChangeLocation, ChangeSoftware

    places: list[_Where] = [
        _Where(device, None)
        for device in Asset.select()
        .join(ChangeAsset, on=ChangeAsset.asset == Asset.id)
        .where(ChangeAsset.change == change_id)
        .order_by(Asset.tag)
    ] + [
        _Where(None, place)
        for place in Location.select()
        .join(ChangeLocation, on=ChangeLocation.location == Location.id)
        .where(ChangeLocation.change == change_id)
        .order_by(Location.code)
    ]
    titles = (
        Software.select(Software, ChangeSoftware.action)
        .join(ChangeSoftware, on=ChangeSoftware.software == Software.id)
        .where(ChangeSoftware.change == change_id)
        .order_by(Software.title)
    )
    done: list[str] = []
    for title in titles:
        action = title.changesoftware.action
        for where in places:
            here = where.installs() & (SoftwareInstall.software == title.id)
            on_it = "on" if where.device else "in"
            if action == "add" and not SoftwareInstall.select().where(here).exists():
                SoftwareInstall.create(software=title, asset=where.device, location=where.place,
                                       installed_at=journal.now(), change_id=change_id)  # fmt: skip
                journal.record(by, title, "install", field="where", after=where.name)
                done.append(f"{name_of(title)} installed {on_it} {where.name}")
            elif action == "remove" and SoftwareInstall.delete().where(here).execute():
                journal.record(by, title, "uninstall", field="where", before=where.name)
                done.append(f"{name_of(title)} removed from {where.name}")
    return done
