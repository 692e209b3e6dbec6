"""`fitsdesk change list`, `show`, `schedule` and `windows`: changes read and printed,
as text for people or JSON for scripts; the formatting the lifecycle steps share."""

from __future__ import annotations

import argparse
import datetime as dt

from store.changes import changes, committee
from store.changes import schedule as change_schedule
from store.db import database, journal
from store.db.errors import BadInput
from store.records.changes import STAGE_WORDS, history_line, iso
from store.school import calendar, people
from tui.cli.output import local, print_json, table
from tui.cli.session import open_db, who

DAY_WORDS = {
    "school": "school day",
    "weekend": "weekend",
    "holiday": "holiday",
    "inset": "training day",
}
BEFORE_APPROVAL = ("raised", "planning", "peer_review", "reviewed")
"""While the committee still has to decide: the overlap check is for then."""


def _committee_member() -> str:
    """The login running the command, if it is on the change committee; else Refused."""
    login = who()
    with database.read():
        people.active_technician(login, "committee")
    return login


# How it is shown


def window_text(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """A window in local words, or "-" for none yet."""
    return "-" if start is None or end is None else change_schedule.window_words(start, end)


def _overlap_json(found: changes.Overlap | None) -> dict | None:
    if found is None:
        return None
    return {
        "software": [
            {"name": s.name, "purposes": list(s.purposes), "rooms": list(s.rooms), "why": s.why}
            for s in found.software
        ],
        "changes": [
            {
                "number": r.change.number,
                "title": r.change.title,
                "status": r.change.status,
                "why": r.why,
            }
            for r in found.changes
        ],
    }


def overlap_lines(found: changes.Overlap | None) -> list[str]:
    if found is None or found.empty:
        return []
    lines = [f"  {s.name}: {s.why}" for s in found.software]
    lines += [f"  {r.change.number} {r.change.title}: {r.why}" for r in found.changes]
    return lines


def _window_matters(rfc: changes.ChangeInfo) -> bool:
    """Whether the calendar check still means something: a window not yet used."""
    return rfc.window_start is not None and rfc.status in (*BEFORE_APPROVAL, "scheduled")


def _check_json(rfc: changes.ChangeInfo, found: changes.WindowCheck | None) -> dict | None:
    if found is None:
        return None
    return {
        "clear": not found.clashes and not (found.passed and rfc.status != "scheduled"),
        "passed": found.passed,
        "clashes": [
            {
                "kind": c.kind,
                "title": c.title,
                "location": c.location,
                "starts_at": iso(c.starts_at),
                "ends_at": iso(c.ends_at),
                "words": c.words,
            }
            for c in found.clashes
        ],
        "more": max(0, found.total - len(found.clashes)),
        "free": [_span_json(a, b) for a, b in found.free],
    }


def _span_json(start: dt.datetime, end: dt.datetime) -> dict:
    return {"start": iso(start), "end": iso(end), "words": change_schedule.window_words(start, end)}


def _check_lines(rfc: changes.ChangeInfo, found: changes.WindowCheck | None) -> list[str]:
    if found is None:
        return []
    lines = []
    if found.passed and rfc.status != "scheduled":
        lines.append("  The window has passed: plan a new one.")
    for clash in found.clashes[:10]:
        lines.append(f"  Hits {clash.words}")
    if found.total > 10:
        lines.append(f"  ... and {found.total - 10} more")
    if not lines:
        return ["  The window is clear of lessons, exams and freezes."]
    if found.free:
        lines.append("  Next free windows of the same length:")
        lines += [f"    {change_schedule.window_words(a, b)}" for a, b in found.free]
    elif found.clashes:
        lines.append("  No free window of the same length in the next four months.")
    return lines


def _tally(rfc: changes.ChangeInfo) -> committee.Tally | None:
    return committee.tally(rfc.id, rfc.stage) if rfc.stage else None


def _vote_lines(rfc: changes.ChangeInfo, tally: committee.Tally | None) -> list[str]:
    lines = []
    stages = list(dict.fromkeys([v.stage for v in rfc.votes] + ([rfc.stage] if tally else [])))
    for stage in stages:
        head = f"Votes on {STAGE_WORDS[stage]}"
        if stage == rfc.stage and tally is not None:
            head += f": {tally.words}"
        lines.append(f"\n{head}")
        for v in rfc.votes_on(stage):
            said = f"  {v.comment}" if v.comment else ""
            lines.append(f"  {local(v.at)}  {v.member:<10} {v.vote}{said}")
        if stage == rfc.stage and tally is not None and tally.waiting:
            lines.append(f"  Waiting for: {', '.join(tally.waiting)}")
    return lines


def _print_change(rfc: changes.ChangeInfo, tally, found, similar) -> None:
    print(f"{rfc.number}  {rfc.title}")
    call = f" (from {rfc.incident})" if rfc.incident else ""
    lines = [
        ("Status", rfc.status_word + (f". {rfc.sent_back}" if rfc.sent_back else "")),
        ("Kind", f"{rfc.kind}, {rfc.risk} risk"),
        ("Raised", f"{local(rfc.created_at)} by {rfc.originator}{call}"),
        ("Implementer", rfc.implementer or "nobody yet"),
        ("Reviewer", rfc.peer_reviewer or "nobody yet"),
        ("Window", window_text(rfc.window_start, rfc.window_end)),
        ("Rooms", ", ".join(rfc.locations) or "-"),
        ("Devices", ", ".join(rfc.assets) or "-"),
        ("Adds", ", ".join(rfc.adds) or "-"),
        ("Removes", ", ".join(rfc.removes) or "-"),
    ]
    if rfc.installed:
        lines.append(("Installed", ", ".join(rfc.installed)))
    if rfc.problems:
        lines.append(("Fixes", ", ".join(rfc.problems)))
    if rfc.caused:
        lines.append(("Caused", ", ".join(rfc.caused)))
    if rfc.approved_at:
        lines.append(("Approved", local(rfc.approved_at)))
    if rfc.implemented_at:
        lines.append(("Implemented", local(rfc.implemented_at)))
    if rfc.outcome:
        lines.append(("Outcome", rfc.outcome.replace("_", " ")))
    if rfc.afterwards:
        lines.append(("Afterwards", rfc.afterwards.replace("_", " ")))
    if rfc.closed_at:
        lines.append(("Ended", local(rfc.closed_at)))
    for label, value in lines:
        print(f"  {label + ':':13}{value}")
    for label, text in (
        ("Reason", rfc.reason),
        ("Description", rfc.description),
        ("Who is affected", rfc.affected),
        ("Implementation plan", rfc.implementation_plan),
        ("Test plan", rfc.test_plan),
        ("Back-out plan", rfc.backout_plan),
        ("What we learned", rfc.lessons),
    ):
        if text:
            print(f"\n{label}:\n  " + text.replace("\n", "\n  "))
    for line in _vote_lines(rfc, tally):
        print(line)
    if found is not None:
        print("\nCalendar:")
        print("\n".join(_check_lines(rfc, found)))
    overlap = overlap_lines(similar)
    if overlap:
        print("\nAlready in the school (look before you vote):")
        print("\n".join(overlap))
    if rfc.notices:
        print("\nKiosk notice:")
        for text in rfc.notices:
            print(f"  {text}")


def _history_line(entry) -> str:
    what = " ".join(history_line(entry, longest=200).split())
    return f"  {local(entry.at)}  {entry.who:<10} {what}"


def _summary_json(found: changes.ChangeSummary) -> dict:
    return {
        "number": found.number,
        "title": found.title,
        "kind": found.kind,
        "status": found.status,
        "risk": found.risk,
        "originator": found.originator,
        "implementer": found.implementer,
        "window_start": iso(found.window_start),
        "window_end": iso(found.window_end),
        "created_at": iso(found.created_at),
    }


# The commands


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    if args.awaiting_my_vote:
        if args.status is not None:
            raise BadInput("--awaiting-my-vote lists what waits for your vote: leave out --status.")
        found = changes.awaiting_vote(_committee_member())
        words = args.search.strip().casefold()
        if words:
            found = [c for c in found if words in c.title.casefold()]
        found = found[: args.limit] if args.limit else found
    else:
        found = changes.list_changes(args.status or "open", args.search, limit=args.limit)
    if args.json:
        print_json([_summary_json(c) for c in found])
        return 0
    rows = (
        (
            c.number,
            c.status_word,
            c.kind,
            c.risk,
            window_text(c.window_start, c.window_end),
            c.originator,
            c.title,
        )
        for c in found
    )
    if not table(("RFC", "STATUS", "KIND", "RISK", "WINDOW", "BY", "TITLE"), rows):
        print("Nothing waits for your vote." if args.awaiting_my_vote else "No changes match.")
    return 0


def run_show(args: argparse.Namespace) -> int:
    open_db(args)
    rfc = changes.change(args.reference)
    tally = _tally(rfc)
    found = changes.window_check(rfc.number) if _window_matters(rfc) else None
    similar = changes.overlap(rfc.number) if rfc.status in BEFORE_APPROVAL else None
    entries = changes.history(rfc.number) if args.history else []
    if args.json:
        shown_json = rfc.to_json()
        shown_json["status_words"] = rfc.status_word
        shown_json["tally"] = (
            None
            if tally is None
            else {
                "stage": rfc.stage,
                "words": tally.words,
                "approve": list(tally.approve),
                "reject": list(tally.reject),
                "abstain": list(tally.abstain),
                "waiting": list(tally.waiting),
                "needed": tally.needed,
            }
        )
        shown_json["window_check"] = _check_json(rfc, found)
        shown_json["overlap"] = _overlap_json(similar)
        shown_json["notices"] = list(rfc.notices)
        if args.history:
            shown_json["history"] = [
                {
                    "at": iso(e.at),
                    "who": e.who,
                    "action": e.action,
                    "field": e.field,
                    "before": e.before,
                    "after": e.after,
                }
                for e in entries
            ]
        print_json(shown_json)
        return 0
    _print_change(rfc, tally, found, similar)
    if args.history:
        print("\nHistory:")
        print("\n".join(_history_line(e) for e in entries))
    return 0


def run_schedule(args: argparse.Namespace) -> int:
    open_db(args)
    today = calendar.to_local(journal.now()).date()
    days = change_schedule.calendar_days(today, args.weeks * 7)
    start = calendar.day_span(days[0].date)[0]
    end = calendar.day_span(days[-1].date)[1]
    on_day: dict[dt.date, list[changes.ChangeSummary]] = {}
    for found in changes.scheduled_between(start, end):
        for day in calendar.local_days(found.window_start, found.window_end):
            on_day.setdefault(day, []).append(found)
    if args.json:
        print_json(
            [
                {
                    "date": day.date.isoformat(),
                    "day": day.day,
                    "events": list(day.events),
                    "changes": [_summary_json(c) for c in on_day.get(day.date, [])],
                }
                for day in days
            ]
        )
        return 0
    for day in days:
        events = "; ".join(day.events)
        print(f"{day.date:%a} {day.date.day:>2} {day.date:%b}  {DAY_WORDS[day.day]:<12}  {events}")
        for c in on_day.get(day.date, []):
            print(f"    {_on_day(c, day.date)}  {c.number}  {c.status_word}  {c.title}")
    count = len({c.id for listed in on_day.values() for c in listed})
    weeks = f"{args.weeks} week{'s' if args.weeks != 1 else ''}"
    if count:
        print(f"{count} change{'s' if count != 1 else ''} in the next {weeks}.")
    else:
        print(f"No changes in the next {weeks}.")
    return 0


def _on_day(found: changes.ChangeSummary, day: dt.date) -> str:
    """The window as that day sees it: its hours, or the whole window when it runs on."""
    first, last = calendar.to_local(found.window_start), calendar.to_local(found.window_end)
    if first.date() == last.date() == day:
        return f"{first:%H:%M}-{last:%H:%M}"
    return change_schedule.window_words(found.window_start, found.window_end)


def run_windows(args: argparse.Namespace) -> int:
    open_db(args)
    now = journal.now()
    quarter = dt.timedelta(minutes=15)
    after = dt.datetime.min + -(-(now - dt.datetime.min) // quarter) * quarter
    found = change_schedule.next_windows(
        args.hours, after=after, locations=args.room, count=args.count, risk=args.risk
    )
    if args.json:
        print_json([_span_json(a, b) for a, b in found])
        return 0
    if not found:
        print("No free window that long in the next four months.")
    for start, end in found:
        print(change_schedule.window_words(start, end))
    return 0
