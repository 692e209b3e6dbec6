"""`fitsdesk calendar`: the school calendar that changes are scheduled around.

    fitsdesk calendar import term-dates-2026-27.ics   # a council's term dates
    fitsdesk calendar import calendar.toml            # or terms, timetable and freezes
    fitsdesk calendar show                            # today, in words
    fitsdesk calendar show --week                     # the next seven days

The TOML form is described in store/changes/calendar_files.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from store.changes import calendar, calendar_files
from tui.cli import add_common, group
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
