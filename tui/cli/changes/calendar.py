"""`fitsdesk calendar`: the school calendar that changes are scheduled around.

    fitsdesk calendar import term-dates-2026-27.ics   # a council's term dates
    fitsdesk calendar import calendar.toml            # or terms, timetable and freezes
    fitsdesk calendar show                            # today, in words
    fitsdesk calendar show --week                     # the next seven days
    fitsdesk calendar list --from 2027-01-01 --kind exam
    fitsdesk calendar remove --source term-dates-2026-27.ics   # or --id 42

The TOML form is described in store/school/calendar_files.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from store.db.models import CALENDAR_KINDS
from store.school import calendar, calendar_files
from tui.cli import add_common, group
from tui.cli.output import day
from tui.cli.session import open_db, who

DAY_WORDS = {
    "school": "a school day",
    "weekend": "the weekend",
    "holiday": "a holiday",
    "inset": "a training (INSET) day",
}


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "calendar", "the school calendar: terms, timetable, freezes")

    load = actions.add_parser(
        "import",
        help="import term dates (.ics) or a whole calendar (.toml)",
        description="Import an iCalendar file of term dates, as councils and schools "
        "publish them, or a TOML calendar with the timetable. The file's events replace "
        "those it brought before; a bad file changes nothing.",
    )
    load.add_argument("file", type=Path, metavar="FILE", help="a .ics or .toml file")
    add_common(load)
    load.set_defaults(handler=run_import)

    show = actions.add_parser(
        "show",
        help="what the school is doing today (or this week)",
        description="Show today's periods and events, or the next seven days with --week.",
    )
    show.add_argument("--week", action="store_true", help="the next seven days")
    add_common(show)
    show.set_defaults(handler=run_show)

    listing = actions.add_parser(
        "list",
        help="the events in the calendar, with where each came from",
        description="List the calendar's events, earliest first, each with its number and "
        "the file (or desk, or demo) it came from; then how many each source brought.",
    )
    listing.add_argument("--from", dest="start", type=day, metavar="DAY", help="from this day")
    listing.add_argument("--to", dest="end", type=day, metavar="DAY", help="up to this day")
    listing.add_argument("--kind", choices=sorted(CALENDAR_KINDS), help="only events of this kind")
    listing.add_argument("--source", metavar="FILE", help="only events this file brought")
    add_common(listing)
    listing.set_defaults(handler=run_list)

    remove = actions.add_parser(
        "remove",
        help="remove what one file brought, or one event",
        description="Remove every event an imported file (or the demo) brought, by the "
        "file's name as `calendar list` shows it, or one event by its number.",
    )
    which = remove.add_mutually_exclusive_group(required=True)
    which.add_argument("--source", metavar="FILE", help="the file's name, as listed")
    which.add_argument("--id", type=int, metavar="N", help="one event's number")
    add_common(remove)
    remove.set_defaults(handler=run_remove)


def _utc(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else calendar.to_utc(dt.datetime.combine(day, dt.time()))


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    end = _utc(args.end + dt.timedelta(days=1)) if args.end else None
    found = calendar.list_events(_utc(args.start), end, kind=args.kind, source=args.source)
    for event in found:
        first = calendar.to_local(event.starts_at)
        last = calendar.to_local(event.ends_at)
        if event.all_day:
            span = f"{first:%a %d %b %Y}"
            if last.date() - first.date() > dt.timedelta(days=1):
                span += f" to {last.date() - dt.timedelta(days=1):%a %d %b %Y}"
        else:
            span = f"{first:%a %d %b %Y %H:%M}-{last:%H:%M}"
        where = f" in {event.location}" if event.location else ""
        print(f"{event.id:>5}  {span:<32} {event.kind:<8} {event.title}{where}  [{event.source}]")
    if not found:
        print("No events" + (" match." if args.kind or args.source or args.start else " yet."))
    if len(found) == calendar.MOST_LISTED:
        print(f"The first {calendar.MOST_LISTED:,} only: narrow with --from, --to or --kind.")
    counts = calendar.sources()
    if counts:
        print("From: " + "; ".join(f"{source or '(none)'} {count}" for source, count in counts))
    return 0


def run_remove(args: argparse.Namespace) -> int:
    open_db(args)
    gone = calendar.remove_events(source=args.source, event=args.id, by=who())
    print(f"Removed {gone} event{'s' if gone != 1 else ''}.")
    return 0


def run_import(args: argparse.Namespace) -> int:
    open_db(args)
    done = calendar_files.import_file(args.file, by=who())
    text = f"Imported {done.added} event{'s' if done.added != 1 else ''} from {done.source}"
    if done.removed:
        text += f", replacing the {done.removed} it brought before"
    if done.periods is not None:
        text += f"; the school day now has {done.periods} periods"
    print(text + ".")
    return 0


def _day_lines(day: dt.date, periods: list[calendar.PeriodInfo]) -> list[str]:
    noon = calendar.to_utc(dt.datetime.combine(day, dt.time(12)))
    found = calendar.moment_at(noon)
    lines = [f"{day:%a %d %b %Y}: {DAY_WORDS[found.day]}"]
    start = calendar.to_utc(dt.datetime.combine(day, dt.time()))
    for event in calendar.events_between(start, start + dt.timedelta(days=1)):
        where = f" in {event.location}" if event.location else ""
        lines.append(f"  {event.kind}: {event.title}{where}")
    if found.day == "school":
        for p in periods:
            if str(day.isoweekday()) in p.days:
                lines.append(f"  {p.starts:%H:%M}-{p.ends:%H:%M}  {p.name} ({p.kind})")
    return lines


def run_show(args: argparse.Namespace) -> int:
    open_db(args)
    today = calendar.to_local(dt.datetime.now(dt.UTC).replace(tzinfo=None)).date()
    periods = calendar.timetable()
    for offset in range(7 if args.week else 1):
        print("\n".join(_day_lines(today + dt.timedelta(days=offset), periods)))
    if not periods:
        print("No timetable yet: fitsdesk calendar import calendar.toml")
    return 0
