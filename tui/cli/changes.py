"""`fitsdesk change`: requests for change (RFCs) through the committee, from the command line.

    fitsdesk change new --title "Install Ocenaudio in IT1" --room IT1 --add "Ocenaudio 3"
    fitsdesk change vote RFC-000005 approve               # a committee member
    fitsdesk change plan RFC-000005 --implementation-file plan.txt --test "Open it on two PCs" \\
        --backout "Uninstall it" --start "2026-10-14 16:00" --end "2026-10-14 18:00" \\
        --implementer cwright --reviewer dchen
    fitsdesk change submit RFC-000005
    fitsdesk change show RFC-000005 --history
    fitsdesk change schedule --weeks 4                    # the forward schedule
    fitsdesk change windows --hours 2 --room IT1          # the next free windows

Each step is taken as the login running the command, who must be an active
technician; the store says who may take which step, in one sentence. Times are the
school's local time (this machine's), to the minute. docs/changes.md has the rest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from store import calendar, change_schedule, changes, committee, journal, people
from store.change_records import STAGE_WORDS, iso
from store.errors import BadInput, NotFound, Refused
from store.sanitise import shown
from tui.cli import add_common, group
from tui.cli.output import local, print_json, table
from tui.cli.session import open_db, who

_TIME = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{1,2}):([0-9]{2})$")
_HOURS = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,2})?$")
MOST_FILE_BYTES = 64 * 1024
"""A plan file bigger than this is refused before it is read (a plan is 4,000 characters)."""
MOST_LIMIT = 1_000_000
DAY_WORDS = {
    "school": "school day",
    "weekend": "weekend",
    "holiday": "holiday",
    "inset": "training day",
}
BEFORE_APPROVAL = ("raised", "planning", "peer_review", "reviewed")
"""While the committee still has to decide: the overlap check is for then."""
PLAN_OPTIONS = (
    ("implementation", "implementation_plan", "how it will be done"),
    ("test", "test_plan", "how you will know it worked"),
    ("backout", "backout_plan", "how to undo it if it goes wrong"),
)


# What people type


def _local_time(text: str) -> dt.datetime:
    """'2026-10-14 16:00', the school's local time, as the store's naive UTC."""
    match = _TIME.match(text.strip())
    try:
        if match is None:
            raise ValueError
        moment = dt.datetime(*(int(part) for part in match.groups()))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a time like 2026-10-14 16:00"
        ) from None
    if not 2000 <= moment.year < 2100:
        raise argparse.ArgumentTypeError("a change window must fall between 2000 and 2100")
    return calendar.to_utc(moment)


def _hours(text: str) -> dt.timedelta:
    cleaned = text.strip()
    if not _HOURS.match(cleaned) or not 0 < float(cleaned) <= 14 * 24:
        raise argparse.ArgumentTypeError(
            f"'{shown(text)}' is not a number of hours from 0.25 to 336, like 2 or 1.5"
        )
    length = dt.timedelta(hours=float(cleaned))
    if length < dt.timedelta(minutes=15):
        raise argparse.ArgumentTypeError("a window lasts 15 minutes at the least")
    return length


def _whole(low: int, high: int, what: str):
    def parse(text: str) -> int:
        cleaned = text.strip()
        if not (cleaned.isascii() and cleaned.isdigit()) or not low <= int(cleaned) <= high:
            raise argparse.ArgumentTypeError(
                f"'{shown(text)}' is not a number of {what} from {low} to {high:,}"
            )
        return int(cleaned)

    return parse


def _window(args: argparse.Namespace) -> tuple[dt.datetime, dt.datetime] | None:
    start, end = getattr(args, "start", None), getattr(args, "end", None)
    if (start is None) != (end is None):
        raise BadInput("Give the window as both --start and --end, like 2026-10-14 16:00.")
    return None if start is None else (start, end)


def _read_text(name: str) -> str:
    """A plan from a file, or from stdin for '-'."""
    if name == "-":
        data = sys.stdin.buffer.read(MOST_FILE_BYTES + 1)
        where = "What came on stdin"
    else:
        path = Path(name)
        where = shown(path.name, 60)
        try:
            with path.open("rb") as handle:
                data = handle.read(MOST_FILE_BYTES + 1)
        except FileNotFoundError:
            raise BadInput(f"There is no file {shown(name, 60)}.") from None
        except IsADirectoryError:
            raise BadInput(f"{shown(name, 60)} is a folder, not a file.") from None
        except OSError as exc:
            raise BadInput(
                f"{shown(name, 60)} cannot be read ({exc.__class__.__name__})."
            ) from None
    if len(data) > MOST_FILE_BYTES:
        raise BadInput(f"{where} is over 64 KB: a plan is 4,000 characters at the most.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{where} is not text (UTF-8).") from None


def _plans(args: argparse.Namespace) -> dict[str, str]:
    """The plans given, as text or from files; read before anything is changed."""
    if [getattr(args, f"{option}_file") for option, _n, _h in PLAN_OPTIONS].count("-") > 1:
        raise BadInput("Only one plan can come from stdin ('-').")
    found = {}
    for option, name, _help in PLAN_OPTIONS:
        text, path = getattr(args, option), getattr(args, f"{option}_file")
        if path is not None:
            text = _read_text(path)
        if text is not None:
            found[name] = text
    return found


def _me_on_committee() -> str:
    """The login running the command, if it is on the change committee; else Refused."""
    login = who()
    try:
        me = people.technician(login)
    except NotFound:
        raise Refused(f"{login} is not an active technician.") from None
    if not me.active:
        raise Refused(f"{login} is not an active technician.")
    if not me.can("committee"):
        raise Refused(f"{login} does not have the committee role.")
    return login


# How it is shown


def _when(start: dt.datetime | None, end: dt.datetime | None) -> str:
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


def _overlap_lines(found: changes.Overlap | None) -> list[str]:
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
        ("Status", rfc.status_word),
        ("Kind", f"{rfc.kind}, {rfc.risk} risk"),
        ("Raised", f"{local(rfc.created_at)} by {rfc.originator}{call}"),
        ("Implementer", rfc.implementer or "nobody yet"),
        ("Reviewer", rfc.peer_reviewer or "nobody yet"),
        ("Window", _when(rfc.window_start, rfc.window_end)),
        ("Rooms", ", ".join(rfc.locations) or "-"),
        ("Devices", ", ".join(rfc.assets) or "-"),
        ("Adds", ", ".join(rfc.adds) or "-"),
        ("Removes", ", ".join(rfc.removes) or "-"),
    ]
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
    overlap = _overlap_lines(similar)
    if overlap:
        print("\nAlready in the school (look before you vote):")
        print("\n".join(overlap))
    if rfc.notices:
        print("\nKiosk notice:")
        for text in rfc.notices:
            print(f"  {text}")


def _history_line(entry) -> str:
    what = entry.action + (f" {entry.field}" if entry.field and entry.field != entry.action else "")
    if entry.before and entry.after:
        what += f": {entry.before} -> {entry.after}"
    elif entry.after:
        what += f": {entry.after}"
    elif entry.before:
        what += f": was {entry.before}"
    what = " ".join(what.split())
    what = what if len(what) <= 200 else what[:199] + "…"
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


def _missing(rfc: changes.ChangeInfo) -> list[str]:
    """What submitting still needs, in words."""
    missing = [
        words
        for words, text in (
            ("the implementation plan", rfc.implementation_plan),
            ("the test plan", rfc.test_plan),
            ("the back-out plan", rfc.backout_plan),
        )
        if not text
    ]
    if rfc.window_start is None:
        missing.append("a window")
    if rfc.implementer is None:
        missing.append("an implementer")
    if rfc.kind == "normal" and rfc.peer_reviewer is None:
        missing.append("a peer reviewer")
    return missing


def _warn_window(rfc: changes.ChangeInfo) -> None:
    """Say what a newly given window hits, so it can be moved before it is refused."""
    if rfc.window_start is None or rfc.status not in ("raised", "planning"):
        return
    found = changes.window_check(rfc.number)
    if found.words:
        print(f"Warning: {found.words}")


# The commands


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "change", "changes: requests for change (RFCs) and the committee")

    new = actions.add_parser(
        "new",
        help="raise a request for change (RFC)",
        description="Raise an RFC. A normal change then waits for the committee's approval "
        "to proceed; a standard change (low risk, pre-approved) goes straight to planning; "
        "an emergency waits for a manager.",
    )
    new.add_argument("--title", required=True, help="what will change, in a line")
    new.add_argument("--reason", default="", help="why it is needed")
    new.add_argument("--description", default="", help="more detail")
    new.add_argument(
        "--kind", default="normal", metavar="KIND", help="standard, normal (default) or emergency"
    )
    new.add_argument("--risk", default="low", metavar="RISK", help="low (default), medium or high")
    new.add_argument("--affected", default="", metavar="TEXT", help="who it affects, in words")
    _scope_options(new)
    new.add_argument("--call", metavar="INC", help="the call that asked for it")
    new.add_argument("--problem", metavar="PRB", help="the problem it fixes")
    _window_options(new)
    new.add_argument("--implementer", metavar="LOGIN", help="who will make the change")
    new.add_argument("--reviewer", metavar="LOGIN", help="who will peer review the plans")
    new.add_argument("--json", action="store_true", help="print the change as a JSON object")
    add_common(new)
    new.set_defaults(handler=run_new)

    listing = actions.add_parser(
        "list",
        help="list changes, newest first",
        description="List changes, newest first: open ones (not yet ended) unless --status "
        "says otherwise.",
    )
    listing.add_argument(
        "--status",
        metavar="S",
        help="open (default), all, raised, planning, peer_review, reviewed, scheduled, "
        "implemented, registered, closed, rejected, backed_out or cancelled",
    )
    listing.add_argument(
        "--search", default="", metavar="TEXT", help="words in the title or reason"
    )
    listing.add_argument(
        "--awaiting-my-vote",
        action="store_true",
        help="only what waits for your vote (committee members), oldest first",
    )
    listing.add_argument("--limit", type=_whole(1, MOST_LIMIT, "changes"), metavar="N")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(listing)
    listing.set_defaults(handler=run_list)

    show = actions.add_parser(
        "show",
        help="one change in full, with its votes and calendar check",
        description="Show a change: its plans, the votes and what the rule needs, what its "
        "window hits on the school calendar (and the next free windows), and software "
        "already in the school for the same purpose.",
    )
    show.add_argument("reference", metavar="RFC", help="the change, e.g. RFC-000003")
    show.add_argument("--history", action="store_true", help="every step, from the journal")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    add_common(show)
    show.set_defaults(handler=run_show)

    plan = actions.add_parser(
        "plan",
        help="plan and prepare: change what is given",
        description="Plan a change while it is raised or being planned: only what is given "
        "changes. --room, --asset, --add and --remove each replace that whole list. A plan "
        "can come from a file (--implementation-file plan.txt), or '-' for stdin.",
    )
    plan.add_argument("reference", metavar="RFC", help="the change")
    plan.add_argument("--title", help="a new title")
    plan.add_argument("--reason", help="why it is needed")
    plan.add_argument("--risk", metavar="RISK", help="low, medium or high")
    plan.add_argument("--affected", metavar="TEXT", help="who it affects, in words")
    for option, _name, help_text in PLAN_OPTIONS:
        either = plan.add_mutually_exclusive_group()
        either.add_argument(f"--{option}", metavar="TEXT", help=help_text)
        either.add_argument(f"--{option}-file", metavar="PATH", help="... read from a file")
    _window_options(plan)
    plan.add_argument("--implementer", metavar="LOGIN", help="who will make the change")
    plan.add_argument("--reviewer", metavar="LOGIN", help="who will peer review the plans")
    _scope_options(plan, keep=True)
    add_common(plan)
    plan.set_defaults(handler=run_plan)

    for name, help_text, description in (
        (
            "submit",
            "planning is done: to peer review",
            "Planning is done: a normal change goes to its peer reviewer; a standard change is "
            "scheduled and its notice goes up. Refused while something is missing or the "
            "window hits a lesson, an exam or a freeze.",
        ),
        (
            "approve-emergency",
            "a manager approves an emergency change",
            "A manager approves an emergency change: it is scheduled at once, its notice goes "
            "up, and the committee reviews it afterwards.",
        ),
        (
            "register",
            "update the asset register from what it adds and removes",
            "Make the asset register true: install what the change adds on its devices and in "
            "its rooms, and remove what it removes.",
        ),
    ):
        step = actions.add_parser(name, help=help_text, description=description)
        step.add_argument("reference", metavar="RFC", help="the change")
        add_common(step)
        step.set_defaults(handler=run_step, step=name)

    review = actions.add_parser(
        "peer-review",
        help="pass the plans, or send them back",
        description="The named peer reviewer passes the plans (then the committee votes on "
        "approval to implement) or sends them back to planning, saying why.",
    )
    review.add_argument("reference", metavar="RFC", help="the change")
    verdict = review.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--pass", dest="ok", action="store_true", help="the plans are sound")
    verdict.add_argument(
        "--send-back", dest="back", action="store_true", help="back to planning (say why)"
    )
    review.add_argument("--comment", default="", metavar="TEXT", help="what you found")
    add_common(review)
    review.set_defaults(handler=run_peer_review)

    vote = actions.add_parser(
        "vote",
        help="a committee member's vote",
        description="Vote on what the committee decides now: approval to proceed, approval "
        "to implement, or an emergency change afterwards. Once the rule is met the decision "
        "is made. A rejection needs a comment.",
    )
    vote.add_argument("reference", metavar="RFC", help="the change")
    vote.add_argument("choice", metavar="VOTE", help="approve, reject or abstain")
    vote.add_argument("--comment", default="", metavar="TEXT", help="why")
    add_common(vote)
    vote.set_defaults(handler=run_vote)

    notice = actions.add_parser(
        "notice",
        help="say the kiosk notice differently",
        description="Replace a scheduled change's kiosk notice with these words.",
    )
    notice.add_argument("reference", metavar="RFC", help="the change")
    notice.add_argument("text", help="the words the kiosks show")
    add_common(notice)
    notice.set_defaults(handler=run_notice)

    implement = actions.add_parser(
        "implement",
        help="the change is made",
        description="The implementer has made the change (not before its window opens, but "
        "for an emergency).",
    )
    implement.add_argument("reference", metavar="RFC", help="the change")
    implement.add_argument("--note", default="", metavar="TEXT", help="how it went")
    add_common(implement)
    implement.set_defaults(handler=run_implement)

    for name, help_text in (
        ("back-out", "it went wrong and was undone"),
        ("cancel", "call it off before it is implemented"),
    ):
        step = actions.add_parser(name, help=help_text, description=help_text.capitalize() + ".")
        step.add_argument("reference", metavar="RFC", help="the change")
        step.add_argument("--reason", required=True, metavar="TEXT", help="why")
        add_common(step)
        step.set_defaults(handler=run_ending, step=name)

    closing = actions.add_parser(
        "review",
        help="the post-implementation review, which closes it",
        description="The post-implementation review: how it went and what we learned. It "
        "closes a change whose register is updated.",
    )
    closing.add_argument("reference", metavar="RFC", help="the change")
    closing.add_argument(
        "--outcome", required=True, metavar="OUTCOME", help="succeeded, failed or backed_out"
    )
    closing.add_argument("--lessons", required=True, metavar="TEXT", help="what we learned")
    add_common(closing)
    closing.set_defaults(handler=run_review)

    link = actions.add_parser(
        "link",
        help="the problem it fixes, or a call it caused",
        description="Say the change fixes a problem, or record a call it caused.",
    )
    link.add_argument("reference", metavar="RFC", help="the change")
    target = link.add_mutually_exclusive_group(required=True)
    target.add_argument("--problem", metavar="PRB", help="the problem it fixes")
    target.add_argument("--caused", metavar="INC", help="a call it caused")
    add_common(link)
    link.set_defaults(handler=run_link)

    schedule = actions.add_parser(
        "schedule",
        help="the forward schedule: the school calendar and the changes on it",
        description="Each day from today: what kind of day it is, what is on (terms, "
        "holidays, exams, freezes) and the changes whose window falls on it.",
    )
    schedule.add_argument(
        "--weeks", type=_whole(1, 52, "weeks"), default=4, metavar="N", help="(default 4)"
    )
    schedule.add_argument("--json", action="store_true", help="print a JSON list of days")
    add_common(schedule)
    schedule.set_defaults(handler=run_schedule)

    windows = actions.add_parser(
        "windows",
        help="the next free windows",
        description="The next windows of the length given that miss every lesson, exam and "
        "freeze (in the rooms given, and school-wide); a high-risk change also misses every "
        "school day.",
    )
    windows.add_argument("--hours", type=_hours, required=True, metavar="H", help="e.g. 2 or 1.5")
    windows.add_argument("--room", action="append", default=[], metavar="CODE")
    windows.add_argument(
        "--risk", default="low", metavar="RISK", help="low (default), medium, high"
    )
    windows.add_argument(
        "--count", type=_whole(1, change_schedule.MOST_WINDOWS, "windows"), default=5, metavar="N"
    )
    windows.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(windows)
    windows.set_defaults(handler=run_windows)


def _scope_options(parser: argparse.ArgumentParser, *, keep: bool = False) -> None:
    """--asset, --room, --add, --remove; with `keep`, an option not given is None (leave
    that list alone) rather than an empty list."""
    for flag, dest, metavar, help_text in (
        ("--asset", "assets", "TAG", "a device it works on"),
        ("--room", "rooms", "CODE", "a room it works in"),
        ("--add", "adds", "TITLE", 'software it installs, e.g. "Audacity 3.4"'),
        ("--remove", "removes", "TITLE", "software it removes"),
    ):
        parser.add_argument(
            flag,
            dest=dest,
            action="append",
            default=None if keep else [],
            metavar=metavar,
            help=help_text + " (again for more)",
        )


def _window_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--start", type=_local_time, metavar="TIME", help='the window opens, "2026-10-14 16:00"'
    )
    parser.add_argument("--end", type=_local_time, metavar="TIME", help="the window closes")


def run_new(args: argparse.Namespace) -> int:
    open_db(args)
    rfc = changes.raise_change(
        args.title,
        by=who(),
        kind=args.kind,
        reason=args.reason,
        description=args.description,
        risk=args.risk,
        affected=args.affected,
        assets=args.assets,
        locations=args.rooms,
        adds=args.adds,
        removes=args.removes,
        incident=args.call,
        problem=args.problem,
        window=_window(args),
        implementer=args.implementer,
        peer_reviewer=args.reviewer,
    )
    if args.json:
        print_json(rfc.to_json())
        return 0
    print(f"Raised {rfc.number} ({rfc.kind} change): {rfc.status_word.lower()}.")
    _warn_window(rfc)
    similar = changes.overlap(rfc.number)
    if similar is not None and not similar.empty:
        print("Already in the school:")
        print("\n".join(_overlap_lines(similar)))
    return 0


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    if args.awaiting_my_vote:
        if args.status is not None:
            raise BadInput("--awaiting-my-vote lists what waits for your vote: leave out --status.")
        found = changes.awaiting_vote(_me_on_committee())
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
            _when(c.window_start, c.window_end),
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


def run_plan(args: argparse.Namespace) -> int:
    plans = _plans(args)
    window = _window(args)
    open_db(args)
    rfc = changes.plan(
        args.reference,
        by=who(),
        title=args.title,
        reason=args.reason,
        risk=args.risk,
        affected=args.affected,
        window=window,
        implementer=args.implementer,
        peer_reviewer=args.reviewer,
        assets=args.assets,
        locations=args.rooms,
        adds=args.adds,
        removes=args.removes,
        **plans,
    )
    missing = _missing(rfc)
    then = (
        f"it still needs {_and(missing)} before it can be submitted"
        if missing
        else f"ready to submit: fitsdesk change submit {rfc.number}"
    )
    print(f"Planned {rfc.number}; {then}.")
    if window is not None:
        _warn_window(rfc)
    return 0


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def run_step(args: argparse.Namespace) -> int:
    open_db(args)
    by = who()
    if args.step == "register":
        done = changes.update_register(args.reference, by=by)
        for line in done:
            print(line)
        rfc = changes.change(args.reference)
        print(f"{rfc.number}'s register is updated: it awaits its review.")
        return 0
    if args.step == "submit":
        rfc = changes.submit(args.reference, by=by)
    else:
        rfc = changes.approve_emergency(args.reference, by=by)
    if rfc.status == "peer_review":
        print(f"{rfc.number} is awaiting peer review by {rfc.peer_reviewer}.")
        return 0
    when = _when(rfc.window_start, rfc.window_end)
    print(f"{rfc.number} is approved and scheduled for {when}; its notice is up at the kiosks.")
    if rfc.kind == "emergency":
        for clash in changes.window_check(rfc.number).clashes:
            print(f"It hits {clash.words}.")
        print("The committee reviews it afterwards.")
    return 0


def run_peer_review(args: argparse.Namespace) -> int:
    open_db(args)
    rfc = changes.peer_review(args.reference, ok=args.ok, by=who(), comment=args.comment)
    if rfc.status == "reviewed":
        print(f"{rfc.number} passed peer review: it awaits the committee's approval to implement.")
    else:
        print(f"{rfc.number} is back in planning.")
    return 0


def run_vote(args: argparse.Namespace) -> int:
    open_db(args)
    login = who()
    before = changes.change(args.reference)
    rfc = changes.vote(before.number, args.choice, by=login, comment=args.comment)
    stage = before.stage or "proceed"
    mine = next((v.vote for v in rfc.votes_on(stage) if v.member == login), args.choice)
    head = f"You vote {mine} on {STAGE_WORDS[stage]} for {rfc.number}"
    if rfc.stage == stage:
        print(f"{head}. {committee.tally(rfc.id, stage).words}.")
    elif stage == "afterwards":
        verdict = "endorsed" if rfc.afterwards == "endorsed" else "did not endorse"
        print(f"{head}, which decides it: the committee {verdict} the emergency change.")
    else:
        print(f"{head}, which decides it: {rfc.number} is {rfc.status_word.lower()}.")
    return 0


def run_notice(args: argparse.Namespace) -> int:
    open_db(args)
    rfc = changes.communicate(args.reference, args.text, by=who())
    print(f"{rfc.number}'s notice now reads: {rfc.notices[0] if rfc.notices else args.text}")
    return 0


def run_implement(args: argparse.Namespace) -> int:
    open_db(args)
    rfc = changes.implement(args.reference, by=who(), note=args.note)
    print(f"{rfc.number} is implemented. Next, the register: fitsdesk change register {rfc.number}")
    return 0


def run_ending(args: argparse.Namespace) -> int:
    open_db(args)
    if args.step == "cancel":
        rfc = changes.cancel(args.reference, args.reason, by=who())
        print(f"{rfc.number} is cancelled.")
    else:
        rfc = changes.back_out(args.reference, args.reason, by=who())
        print(f"{rfc.number} is backed out and its notice withdrawn; its review follows.")
    return 0


def run_review(args: argparse.Namespace) -> int:
    open_db(args)
    rfc = changes.review(args.reference, outcome=args.outcome, lessons=args.lessons, by=who())
    outcome = (rfc.outcome or "").replace("_", " ")
    if rfc.status == "closed":
        print(f"{rfc.number} is reviewed ({outcome}) and closed.")
    else:
        print(f"{rfc.number} is reviewed ({outcome}).")
    return 0


def run_link(args: argparse.Namespace) -> int:
    open_db(args)
    if args.problem is not None:
        rfc = changes.link_problem(args.reference, args.problem, by=who())
        print(f"{rfc.number} now fixes {rfc.problems[-1] if rfc.problems else args.problem}.")
    else:
        rfc = changes.link_incident(args.reference, args.caused, by=who())
        print(f"Recorded that {rfc.number} caused {rfc.caused[-1]}.")
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
