"""The demo school's calendar and its changes: this academic year's terms, half terms and
holidays, two training days, a six-period day with a break and lunch, mock exams in the
hall, a Christmas change freeze; and requests for change at each stage, so the desk's
change screens and `fitsdesk change` have something true-looking to show.

    demo_changes.fill_calendar(by="jsmith")       # nothing, if there is a calendar
    demo_changes.fill_changes(by="jsmith")        # nothing, if there are changes
    demo_changes.fill_builds(by="jsmith")         # nothing, if the builds are on

The changes, oldest first:

- the standard builds imaged onto IT1 and MU2 a month ago under a standard change,
  closed (`fill_builds`, after the others, which wait for an empty change list);
- Audacity installed in the music room MU1 two weeks ago: closed, with its review;
- a Windows feature update in IT3, approved and scheduled after school next week;
- a second Wi-Fi access point in the Library (the fix for the demo's known error),
  approved to proceed and being planned;
- an emergency firewall patch yesterday, approved by a manager, implemented, awaiting
  the committee's review afterwards;
- Ocenaudio for IT1, raised today and awaiting votes: another audio editor, two weeks
  after Audacity went into MU1, which is what the committee's overlap check is for.

Each is taken through the store's own steps, as the people who would take them, at the
times they would have been taken: every store function reads the time through
`journal.now`, so `_at` sets that clock while a step is taken and puts it back after.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from store.changes import changes, committee
from store.changes import schedule as change_schedule
from store.configuration import software
from store.db import journal
from store.db.models import CalendarEvent, Change, Location, Period
from store.demo import register as demo_register
from store.problems import problems
from store.school import calendar

SOURCE = "demo"
"""The events the demo brings are kept as coming from this source."""
TIMETABLE = (
    ("Registration", "registration", "08:40", "08:50"),
    ("Period 1", "lesson", "08:50", "09:40"),
    ("Period 2", "lesson", "09:40", "10:40"),
    ("Break", "break", "10:40", "11:00"),
    ("Period 3", "lesson", "11:00", "12:00"),
    ("Period 4", "lesson", "12:00", "13:00"),
    ("Lunch", "lunch", "13:00", "13:45"),
    ("Period 5", "lesson", "13:45", "14:45"),
    ("Period 6", "lesson", "14:45", "15:30"),
    ("Clubs and catch-up", "after_school", "15:30", "17:00"),
)
OCENAUDIO = ("Ocenaudio", "3", "Ocenaudio Team", "audio editing, podcasts")


def _weekday_from(day: dt.date) -> dt.date:
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def _friday_by(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)


def _monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def school_year(today: dt.date) -> list[tuple[str, str, dt.date, dt.date, str | None]]:
    """(kind, title, first day, last day, room) for the academic year `today` is in (from
    August, the year starting that September), English-style."""
    year = today.year if today.month >= 8 else today.year - 1
    autumn = (_weekday_from(dt.date(year, 9, 2)), _friday_by(dt.date(year, 12, 19)))
    spring = (_weekday_from(dt.date(year + 1, 1, 5)), _friday_by(dt.date(year + 1, 3, 31)))
    summer = (spring[1] + dt.timedelta(days=17), _friday_by(dt.date(year + 1, 7, 22)))
    week = dt.timedelta(days=4)
    october = _monday_of(dt.date(year, 10, 27))
    february = _monday_of(dt.date(year + 1, 2, 16))
    may = _monday_of(dt.date(year + 1, 5, 31))
    mocks = _monday_of(dt.date(year, 12, 1)) - dt.timedelta(days=7)
    exams = _monday_of(dt.date(year + 1, 5, 12))
    day = dt.timedelta(days=1)
    return [
        ("term", "Autumn term", *autumn, None),
        ("inset", "Training day (INSET)", autumn[0], autumn[0], None),
        ("holiday", "October half term", october, october + week, None),
        ("exam", "Year 11 mock exams", mocks, mocks + week + dt.timedelta(days=7), "HALL"),
        ("freeze", "Christmas change freeze", autumn[1] - dt.timedelta(days=11), autumn[1], None),
        ("holiday", "Christmas holidays", autumn[1] + day, spring[0] - day, None),
        ("term", "Spring term", *spring, None),
        ("inset", "Training day (INSET)", spring[0], spring[0], None),
        ("holiday", "February half term", february, february + week, None),
        ("holiday", "Easter holidays", spring[1] + day, summer[0] - day, None),
        ("term", "Summer term", *summer, None),
        ("exam", "GCSE and A level exams", exams, exams + dt.timedelta(days=39), "HALL"),
        ("holiday", "May half term", may, may + week, None),
    ]


def fill_calendar(*, by: str) -> int:
    """The timetable, unless the school has one; last year's and this year's terms and
    holidays (exams and freezes only from the last few months), unless it has any
    calendar events. Returns how many events were added."""
    if not Period.select().exists():
        calendar.set_timetable(
            [
                {"name": name, "kind": kind, "start": start, "end": end}
                for name, kind, start, end in TIMETABLE
            ],
            by=by,
        )
    if CalendarEvent.select().exists():
        return 0
    today = calendar.to_local(journal.now()).date()
    last_year = today - dt.timedelta(days=365)  # the demo's calls go back a year
    added = [
        calendar.add_event(kind, title, first, last, location=room, by=by, source=SOURCE)
        for kind, title, first, last, room in school_year(last_year) + school_year(today)
        if kind not in ("exam", "freeze") or first >= today - dt.timedelta(days=120)
    ]
    return len(added)


@contextlib.contextmanager
def _at(moment: dt.datetime) -> Iterator[None]:
    """Take store steps as if it were `moment` (naive UTC). The demo fills a database
    alone, in one thread: nothing else reads the clock meanwhile."""
    real = journal.now
    journal.now = lambda: moment
    try:
        yield
    finally:
        journal.now = real


def _window(
    days: Iterable[dt.date], hours: float, *, opens: int = 16, rooms=(), risk: str = "low"
) -> tuple[dt.datetime, dt.datetime] | None:
    """The first window on one of `days` at `opens` o'clock local, `hours` long, that hits
    nothing on the calendar: a weekday after school (a weekend, for a high-risk change)."""
    for day in days:
        if risk != "high" and day.weekday() > 4:
            continue
        start = calendar.to_utc(dt.datetime.combine(day, dt.time(opens)))
        end = start + dt.timedelta(hours=hours)
        if not change_schedule.clashes(start, end, locations=rooms, risk=risk):
            return start, end
    return None


def _from(first: dt.date, count: int = 90) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(count)]


def _approve(number: str, members: tuple[str, ...]) -> None:
    """Committee members approve the stage open now, one by one, until it is decided
    (then nothing waits for the committee: a decided stage leaves none open)."""
    for member in members:
        if changes.vote(number, "approve", by=member).stage is None:
            break


def _plans(**extra: str) -> dict:
    return {
        "implementation_plan": extra.get(
            "implementation", "Push it from the deployment server to the room's PCs after school."
        ),
        "test_plan": extra.get("test", "Log in on two PCs as a pupil and as a teacher; try it."),
        "backout_plan": extra.get("backout", "Roll back from the deployment server."),
    }


@dataclass(frozen=True)
class _Cast:
    """Who takes the demo's steps, and when "today" is."""

    by: str
    """Raises the changes: the person running the demo."""
    doer: str
    checker: str
    manager: str
    members: tuple[str, ...]
    today: dt.date
    now: dt.datetime

    def at(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        """A local time of day, `days_ago` days before today, as naive UTC."""
        day = self.today - dt.timedelta(days=days_ago)
        return calendar.to_utc(dt.datetime.combine(day, dt.time(hour, minute)))


def fill_changes(*, by: str) -> list[str]:
    """The demo's changes, raised by `by` and taken on by the demo's technicians; returns
    their numbers. Nothing when the school has changes already, or when its committee is
    too small for its rule to decide anything."""
    members = committee.members()
    if Change.select().exists() or committee.needed(len(members)) > len(members):
        return []
    crew = [login for login in ("cwright", "dchen", "bokafor", "amorgan") if login != by]
    now = journal.now()
    cast = _Cast(by, crew[0], crew[1], "amorgan" if by != "amorgan" else by, members,
                 calendar.to_local(now).date(), now)  # fmt: skip
    stories = (_audacity, _feature_update, _access_point, _firewall, _ocenaudio)
    return [number for story in stories if (number := story(cast))]


IMAGING = "Image IT1 and MU2 with this year's standard builds"


def fill_builds(*, by: str) -> str | None:
    """The standard builds (store.demo.register.BUILDS) imaged onto their rooms a month
    ago under a standard change, as FITS release management asks: raised, scheduled,
    implemented, the builds recorded under it, the register updated and reviewed. Its
    number; nothing when it is there already, or a build's room is not."""
    builds = [(name, room) for name, _titles, room in demo_register.BUILDS]
    rooms = [room for _name, room in builds]
    have = {code for (code,) in Location.select(Location.code).tuples()}
    if Change.select().where(Change.title == IMAGING).exists() or not set(rooms) <= have:
        return None
    now = journal.now()
    today = calendar.to_local(now).date()
    month = today - dt.timedelta(days=30)
    window = _window(_from(month, 20) + [month - dt.timedelta(days=n) for n in range(1, 60)], 2,
                     rooms=rooms)  # fmt: skip
    if window is None:
        return None
    start, end = window
    ago = (today - calendar.to_local(start).date()).days
    cast = _Cast(by, by, by, by, (), today, now)
    with _at(cast.at(ago + 2, 9)):
        rfc = changes.raise_change(
            IMAGING,
            kind="standard",
            reason="The new school year's image: updated titles and the exam board's software.",
            locations=rooms,
            affected="Lessons in IT1 and MU2",
            by=by,
            window=window,
            implementer=by,
            **_plans(implementation="Image each PC from the deployment server after school."),
        )
        changes.submit(rfc.number, by=by)  # pre-approved: scheduled at once
    with _at(start + dt.timedelta(minutes=10)):
        changes.implement(rfc.number, note="Both rooms imaged.", by=by)
    with _at(start + dt.timedelta(minutes=40)):
        for name, room in builds:
            software.install_build(name, room=room, change=rfc.number, by=by)
    with _at(end - dt.timedelta(minutes=20)):
        changes.update_register(rfc.number, by=by)
    with _at(cast.at(ago - 1, 11)):
        changes.review(rfc.number, outcome="succeeded", lessons="None: routine.", by=by)
    return rfc.number


def _audacity(cast: _Cast) -> str | None:
    """Audacity for the music room, two weeks ago: done, reviewed and closed."""
    fortnight = cast.today - dt.timedelta(days=14)
    days = _from(fortnight, 10) + [fortnight - dt.timedelta(days=n) for n in range(1, 60)]
    window = _window(days, 2, rooms=["MU1"])
    if window is None:
        return None
    start, end = window
    ago = (cast.today - calendar.to_local(start).date()).days
    with _at(cast.at(ago + 4, 10)):
        rfc = changes.raise_change(
            "Install Audacity in MU1",
            reason="GCSE music coursework: pupils record and edit their compositions.",
            locations=["MU1"],
            adds=["Audacity 3.4"],
            affected="Music lessons in MU1",
            by=cast.by,
        )
    with _at(cast.at(ago + 3, 12)):
        _approve(rfc.number, cast.members)
    with _at(cast.at(ago + 3, 14)):
        changes.plan(rfc.number, window=window, implementer=cast.doer,
                     peer_reviewer=cast.checker, by=cast.by, **_plans())  # fmt: skip
        changes.submit(rfc.number, by=cast.by)
    with _at(cast.at(ago + 2, 10)):
        changes.peer_review(rfc.number, ok=True, comment="Plans are sound.", by=cast.checker)
    with _at(cast.at(ago + 2, 12)):
        _approve(rfc.number, cast.members)
    with _at(start + dt.timedelta(minutes=20)):
        changes.implement(rfc.number, note="All 15 PCs took it.", by=cast.doer)
    with _at(end - dt.timedelta(minutes=30)):
        changes.update_register(rfc.number, by=cast.doer)
    with _at(cast.at(ago - 2, 11)):
        changes.review(
            rfc.number,
            outcome="succeeded",
            lessons="Two PCs needed the audio driver reinstalled: add it to the package.",
            by=cast.by,
        )
    return rfc.number


def _feature_update(cast: _Cast) -> str | None:
    """A feature update for IT3, approved and scheduled after school next week."""
    monday = cast.today + dt.timedelta(days=7 - cast.today.weekday())
    window = _window(_from(monday + dt.timedelta(days=1)), 2.5, rooms=["IT3"], risk="medium")
    if window is None:
        return None
    with _at(cast.at(8, 9, 15)):
        rfc = changes.raise_change(
            "Windows feature update on the IT3 PCs",
            reason="The version on them leaves support next month.",
            risk="medium",
            locations=["IT3"],
            affected="lessons in IT3 the next morning, if it goes wrong",
            by=cast.by,
        )
    with _at(cast.at(8, 13)):
        _approve(rfc.number, cast.members)
    with _at(cast.at(6, 11)):
        changes.plan(rfc.number, window=window, implementer=cast.doer,
                     peer_reviewer=cast.checker, by=cast.by, **_plans(
                         implementation="Approve the update in Intune for the IT3 group at "
                         "16:00; watch the first three PCs restart.",
                         test="Every PC reports the new version; sign in and print once.",
                         backout="Roll back from Intune within ten days; reimage any PC "
                         "that will not.",
                     ))  # fmt: skip
        changes.submit(rfc.number, by=cast.by)
    with _at(cast.at(3, 10)):
        changes.peer_review(rfc.number, ok=True, by=cast.checker)
    with _at(cast.at(3, 12)):
        _approve(rfc.number, cast.members)
    return rfc.number


def _access_point(cast: _Cast) -> str:
    """A second access point for the Library, the fix for the demo's known error:
    approved to proceed, being planned."""
    wifi = [p for p in problems.list_problems("all", "Library Wi-Fi") if p.status != "closed"]
    with _at(cast.at(5, 9, 30)):
        rfc = changes.raise_change(
            "Add a second Wi-Fi access point in the Library",
            reason="The Library's access point drops pupils at busy times.",
            risk="medium",
            locations=["LIB"],
            affected="the Library and its kiosk while the new point is fitted",
            problem=wifi[0].number if wifi else None,
            by=cast.by,
        )
    with _at(cast.at(5, 11)):
        _approve(rfc.number, cast.members)
    with _at(cast.at(2, 14)):
        later = _from(cast.today + dt.timedelta(days=14))
        changes.plan(rfc.number, window=_window(later, 3, rooms=["LIB"], risk="medium"),
                     implementer=cast.doer,
                     implementation_plan="Cable and mount the new point by the study tables; "
                     "adopt it in the controller; split the SSIDs between the two.",
                     by=cast.by)  # fmt: skip
    return rfc.number


def _firewall(cast: _Cast) -> str:
    """The firewall, patched yesterday lunchtime in an emergency: approved by a manager,
    done, and waiting for the committee's review afterwards."""
    start = cast.at(1, 12, 15)
    with _at(cast.at(1, 10, 15)):
        rfc = changes.raise_change(
            "Patch the firewall against a critical vulnerability",
            kind="emergency",
            risk="high",
            reason="The supplier's advisory says the flaw is being exploited now.",
            locations=["SERVER"],
            affected="the whole school's internet, for up to 15 minutes",
            by=cast.by,
        )
        changes.plan(rfc.number, window=(start, start + dt.timedelta(hours=1)),
                     implementer=cast.doer, backout_plan="Boot the saved firmware image.",
                     by=cast.by)  # fmt: skip
    with _at(cast.at(1, 10, 40)):
        changes.approve_emergency(rfc.number, by=cast.manager)
    with _at(start + dt.timedelta(minutes=5)):
        changes.implement(rfc.number, note="Internet back in 9 minutes.", by=cast.doer)
    with _at(start + dt.timedelta(minutes=20)):
        changes.update_register(rfc.number, by=cast.doer)
    voter = next((m for m in cast.members if m != cast.by), None)
    if voter:
        with _at(cast.at(1, 15, 15)):
            changes.vote(rfc.number, "approve", comment="Right call; it went well.", by=voter)
    return rfc.number


def _ocenaudio(cast: _Cast) -> str:
    """Another audio editor, for IT1, two weeks after Audacity went into MU1: raised
    today (or yesterday after school, early in the morning), awaiting votes."""
    if "Ocenaudio 3" not in {title.name for title in software.list_software()}:
        title, version, publisher, purposes = OCENAUDIO
        software.add_software(title, version=version, publisher=publisher, purposes=purposes,
                              licence="free", by=cast.by)  # fmt: skip
    raised = cast.now - dt.timedelta(hours=1)
    if calendar.to_local(raised).hour < 8:
        raised = cast.at(1, 16, 30)
    with _at(raised):
        rfc = changes.raise_change(
            "Install Ocenaudio in IT1",
            reason="Media studies want a simpler audio editor for their podcast unit.",
            locations=["IT1"],
            adds=["Ocenaudio 3"],
            affected="Media studies lessons in IT1",
            by=cast.by,
        )
    voter = next((m for m in cast.members if m != cast.by), None)
    if voter and committee.needed(len(cast.members)) > 1:  # one vote must not decide it
        with _at(raised + dt.timedelta(minutes=40)):
            changes.vote(rfc.number, "approve", comment="Fine by me if Media agree.", by=voter)
    return rfc.number
