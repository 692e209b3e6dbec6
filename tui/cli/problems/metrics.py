"""`fitsdesk metric`: things measured against a capacity, their readings and forecasts.

    fitsdesk metric new "M365 storage" --capacity 1024 --unit GB --warning 85%
    fitsdesk metric add "M365 storage" 612.5 --at 2026-03-01T09:00
    fitsdesk metric df /srv /home            # from cron: quiet unless something is new
    fitsdesk metric list
    fitsdesk metric show "disk /srv"

A reading whose forecast says full within the metric's warning window raises a
problem, once (see store.problems.capacity); the command prints the problem's number.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys

from store.db.errors import NotFound
from store.db.sanitise import shown
from store.problems import capacity, disk_usage
from tui.cli import add_common, group, list_action
from tui.cli.output import local, print_json, table
from tui.cli.session import open_db, who

RECENT = 10
"""Readings `metric show` lists unless --readings says otherwise."""


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "metric", "capacity: metrics, their readings and forecasts")

    new = actions.add_parser(
        "new",
        help="start measuring something against a capacity",
        description="Start measuring something against a capacity, such as a file server's "
        "disk or the school's cloud storage. Add readings with: fitsdesk metric add.",
    )
    new.add_argument("name", metavar="NAME", help="e.g. 'M365 storage'")
    new.add_argument("--capacity", required=True, metavar="AMOUNT", help="the most it can hold")
    new.add_argument("--unit", default="", metavar="UNIT", help="e.g. GB, licences, %%")
    new.add_argument(
        "--warning",
        metavar="LEVEL",
        help="the level worth a warning: an amount, or a share such as 85%% (default 90%%)",
    )
    new.add_argument(
        "--warn-days",
        type=_days,
        default=30,
        metavar="N",
        help="raise a problem when the forecast says full within N days (default 30)",
    )
    add_common(new)
    new.set_defaults(handler=run_new)

    add = actions.add_parser(
        "add",
        help="record a reading",
        description="Record a reading of a metric, now or at --at. A reading far out of "
        "line (more than ten times the capacity, or a jump of more than half of it) is "
        "refused unless --force.",
    )
    add.add_argument("name", metavar="NAME", help="the metric's name")
    add.add_argument("value", metavar="VALUE", help="the reading, e.g. 612.5")
    add.add_argument(
        "--at",
        type=_moment,
        metavar="TIME",
        help="when it was read, ISO 8601: 2026-03-01T09:00 (this machine's local time) "
        "or with an offset, 2026-03-01T09:00+00:00 (default: now)",
    )
    add.add_argument("--force", action="store_true", help="record it however odd it looks")
    add_common(add)
    add.set_defaults(handler=run_add)

    df = actions.add_parser(
        "df",
        help="record this machine's disk use (for cron)",
        description="Record the disk use of each folder's filesystem, as the metric "
        "'disk PATH' (made on first use, capacity in GB, warning at 90%). Quiet unless "
        "--verbose or a problem is raised; exit status 1 if a folder could not be measured "
        "(the others are still recorded).",
    )
    df.add_argument("paths", nargs="+", metavar="PATH", help="a folder, e.g. /srv")
    df.add_argument("--verbose", action="store_true", help="print what was recorded")
    add_common(df)
    df.set_defaults(handler=run_df)

    list_action(actions, "metrics with their newest reading and forecast", run_list)

    show = actions.add_parser(
        "show",
        help="one metric: its newest reading, forecast and recent readings",
        description="Show a metric: its newest reading, its forecast in words, and its "
        "recent readings.",
    )
    show.add_argument("name", metavar="NAME", help="the metric's name")
    show.add_argument(
        "--readings",
        type=_days,
        default=RECENT,
        metavar="N",
        help=f"how many recent readings to list (default {RECENT})",
    )
    show.add_argument("--json", action="store_true", help="print a JSON object")
    add_common(show)
    show.set_defaults(handler=run_show)

    edit = actions.add_parser(
        "edit",
        help="change a metric's name, unit, capacity or warning",
        description="Change a metric's name, unit, capacity, warning level or window. A new "
        "capacity without --warning keeps the warning at the same share of it.",
    )
    edit.add_argument("name", metavar="NAME", help="the metric's name")
    edit.add_argument("--name", dest="new_name", metavar="NEW", help="a new name")
    edit.add_argument("--capacity", metavar="AMOUNT", help="the most it can hold")
    edit.add_argument("--unit", metavar="UNIT", help="e.g. GB, licences, %%")
    edit.add_argument("--warning", metavar="LEVEL", help="an amount, a share such as 85%%, or none")
    edit.add_argument(
        "--warn-days",
        type=_days,
        metavar="N",
        help="raise a problem when the forecast says full within N days",
    )
    add_common(edit)
    edit.set_defaults(handler=run_edit)


def _days(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= 3650:
        raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a number of days from 1 to 3650")
    return int(cleaned)


def _moment(text: str) -> dt.datetime:
    """An ISO 8601 time (local without an offset) as naive UTC."""
    cleaned = text.strip()
    try:
        moment = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a time like 2026-03-01T09:00 or 2026-03-01T09:00+00:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the machine's local time
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC).isoformat()


def _metric(name: str):
    """The metric, or NotFound with how to make it."""
    try:
        return capacity.metric(name)
    except NotFound as exc:
        raise _hint(exc, name) from None


def _hint(exc: NotFound, name: str) -> NotFound:
    quoted = shlex.quote(shown(name, 60))
    return NotFound(
        f"{str(exc).rstrip('.')}: make it first with: fitsdesk metric new {quoted} --capacity X"
    )


def forecast_json(found) -> dict:
    return {
        "full_at": _iso(found.full_at),
        "full_earliest": _iso(found.full_earliest),
        "full_latest": _iso(found.full_latest),
        "warning_at": _iso(found.warning_at),
        "warning_earliest": _iso(found.warning_earliest),
        "warning_latest": _iso(found.warning_latest),
        "already_full": found.already_full,
        "reason": found.reason,
        "r_squared": found.r_squared,
        "slope_per_day": found.slope_per_day,
        "start": _iso(found.start),
        "start_value": found.start_value,
        "readings": found.readings,
        "glitches": found.glitches,
        "restarted_at": _iso(found.restarted_at),
    }


def metric_json(info: capacity.MetricInfo) -> dict:
    return {
        "name": info.name,
        "unit": info.unit,
        "capacity": info.capacity,
        "warning": info.warning,
        "warn_days": info.warn_days,
        "source": info.source,
        "readings": info.readings,
        "latest": info.latest,
        "latest_at": _iso(info.latest_at),
        "percent_used": info.percent_used,
        "over_warning": info.over_warning,
        "problem": info.problem,
        "forecast": forecast_json(info.forecast),
        "words": info.words(),
    }


def _used(info: capacity.MetricInfo) -> str:
    if info.latest is None:
        return "no readings yet"
    return (
        f"{info.amount(info.latest)} of {info.amount(info.capacity)} "
        f"({info.percent_used:.0f}%) at {local(info.latest_at)}"
    )


def _short(info: capacity.MetricInfo) -> str:
    """The forecast in a table cell."""
    found = info.forecast
    if found.already_full:
        return "FULL"
    if found.full_at is None:
        return f"no date: {found.reason}"
    if found.full_latest is None:
        return f"full ~{found.full_at:%Y-%m-%d} (not before {found.full_earliest:%Y-%m-%d})"
    return (
        f"full ~{found.full_at:%Y-%m-%d} ({found.full_earliest:%Y-%m-%d} to "
        f"{found.full_latest:%Y-%m-%d})"
    )


def _warning_words(info: capacity.MetricInfo) -> str:
    if info.warning is None:
        level = "no warning level"
    else:
        level = f"warning at {info.amount(info.warning)} ({info.warning / info.capacity:.0%})"
    return f"{level}; a problem is raised when it will be full within {info.warn_days} days"


def _raised(raised) -> None:
    for problem in raised:
        print(f"Raised {problem.number}: {problem.title}.")


def run_new(args: argparse.Namespace) -> int:
    open_db(args)
    size = capacity.clean_value(args.capacity, "The capacity")
    warning = ... if args.warning is None else capacity.parse_level(args.warning, size)
    info = capacity.add_metric(
        args.name,
        capacity=size,
        unit=args.unit,
        warning=warning,
        warn_days=args.warn_days,
        by=who(),
    )
    size = info.amount(info.capacity)
    print(f"Made metric {info.name}: capacity {size}, {_warning_words(info)}.")
    return 0


def run_add(args: argparse.Namespace) -> int:
    open_db(args)
    try:
        done = capacity.add_sample(args.name, args.value, at=args.at, force=args.force, by=who())
    except NotFound as exc:
        raise _hint(exc, args.name) from None
    info = done.metric
    print(f"Recorded {info.amount(done.reading.value)} for {info.name}. {info.words()}")
    if done.raised:
        _raised([done.raised])
    return 0


def run_df(args: argparse.Namespace) -> int:
    open_db(args)
    done = disk_usage.record_disk_usage(args.paths, by=who())
    if args.verbose:
        for info in done.recorded:
            print(f"{info.name}: {_used(info)}. {info.words()}")
    _raised(done.raised)
    if done.failed:
        what = " or ".join(f"{path} ({why})" for path, why in done.failed)
        rest = "; the others were recorded" if done.recorded else ""
        print(f"Could not record {what}{rest}.", file=sys.stderr)
        return 1
    return 0


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    found = capacity.list_metrics()
    if args.json:
        print_json([metric_json(info) for info in found])
    elif not table(
        ("NAME", "LATEST", "USED", "CAPACITY", "PROBLEM", "FORECAST"),
        (
            (
                info.name,
                info.amount(info.latest),
                "-" if info.percent_used is None else f"{info.percent_used:.0f}%",
                info.amount(info.capacity),
                info.problem or "-",
                _short(info),
            )
            for info in found
        ),
    ):
        print("There are no metrics yet. Make one: fitsdesk metric new --help")
    return 0


def run_show(args: argparse.Namespace) -> int:
    open_db(args)
    info = _metric(args.name)
    recent = capacity.samples(info.name, last=args.readings)
    if args.json:
        print_json(
            {
                **metric_json(info),
                "recent": [{"at": _iso(r.at), "value": r.value} for r in recent],
            }
        )
        return 0
    print(f"{info.name}{f' ({info.unit})' if info.unit else ''}")
    print(f"  Latest:    {_used(info)}")
    print(f"  Capacity:  {info.amount(info.capacity)}; {_warning_words(info)}")
    print(f"  Forecast:  {info.words()}")
    if info.problem:
        print(f"  Problem:   {info.problem}")
    if info.source:
        print(f"  Source:    {info.source}")
    if recent:
        print(f"  Readings:  {info.readings} in all; the newest {len(recent)}:")
        for reading in reversed(recent):
            print(f"    {local(reading.at)}  {info.amount(reading.value)}")
    return 0


def run_edit(args: argparse.Namespace) -> int:
    open_db(args)
    current = _metric(args.name)
    size = None if args.capacity is None else capacity.clean_value(args.capacity, "The capacity")
    warning: object = ...
    if args.warning is not None:
        none = args.warning.strip().lower() in ("none", "off", "")
        level = size if size is not None else current.capacity
        warning = None if none else capacity.parse_level(args.warning, level)
    info = capacity.update_metric(
        current.name,
        new_name=args.new_name,
        unit=args.unit,
        capacity=size,
        warning=warning,
        warn_days=args.warn_days,
        seen_version=current.version,
        by=who(),
    )
    print(f"{info.name}: capacity {info.amount(info.capacity)}, {_warning_words(info)}.")
    return 0
