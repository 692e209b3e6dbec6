"""`fitsdesk log`, `show`, `list` and `close-unanswered`: calls from the command line."""

from __future__ import annotations

import argparse

from store.db import journal
from store.db.errors import BadInput
from store.db.models import CHANNELS, LEVELS, ROLES
from store.records.views import FITS_QUESTIONS, Call
from store.service_levels import clocks
from store.servicedesk import servicedesk
from tui.cli import add_common, positive
from tui.cli.output import age, local, print_json, stream_json_list, table
from tui.cli.session import open_db, who

_QUESTION_FLAGS = {name: "--" + name.replace("_", "-") for name, _question in FITS_QUESTIONS}


def register(commands: argparse._SubParsersAction) -> None:
    log = commands.add_parser(
        "log",
        help="log a call and print its number",
        description="Log a call on someone's behalf (phone, visit, email) and print its "
        "log number and the check code to read out.",
    )
    log.add_argument("--summary", required=True, help="one line: what is wrong (120 characters)")
    log.add_argument("--requester", required=True, metavar="NAME", help="who is calling")
    log.add_argument("--role", choices=ROLES, default="pupil", help="who they are (default pupil)")
    log.add_argument("--group", default="", help="their tutor group or department")
    log.add_argument("--email", default="", help="where to send updates (staff, parents)")
    log.add_argument("--location", metavar="CODE", help="room code, see: fitsdesk location list")
    log.add_argument(
        "--category", metavar="NAME", help="the kind of fault, see: fitsdesk category list"
    )
    log.add_argument("--asset", metavar="TAG", help="the tag on the device's label")
    log.add_argument(
        "--channel",
        choices=[name for name in CHANNELS if name != "kiosk"],  # only a kiosk logs kiosk calls
        default="desk",
        help="how they reached you (default desk)",
    )
    log.add_argument(
        "--description", default="", metavar="TEXT", help="more detail (4,000 characters)"
    )
    for name, question in FITS_QUESTIONS:
        log.add_argument(
            _QUESTION_FLAGS[name], dest=name, default="", metavar="TEXT", help=question
        )
    log.add_argument("--impact", choices=list(LEVELS.values()), help="default: the category's")
    log.add_argument("--urgency", choices=list(LEVELS.values()), help="default: the category's")
    log.add_argument("--json", action="store_true", help="print the call as JSON")
    add_common(log)
    log.set_defaults(handler=run_log)

    show = commands.add_parser(
        "show",
        help="show one call",
        description="Show a call by its number (INC-000042 or 42) or the payload scanned "
        "from a receipt (INC-000042-K7QX).",
    )
    show.add_argument(
        "reference", metavar="CALL", help="its log number, or the code scanned from its receipt"
    )
    show.add_argument("--json", action="store_true", help="print the call as JSON")
    add_common(show)
    show.set_defaults(handler=run_show)

    listing = commands.add_parser(
        "list",
        help="list calls",
        description="List calls: open ones by priority then age, others newest first. "
        "Prints every match unless --limit says otherwise.",
    )
    listing.add_argument(
        "--status",
        default="open",
        help="open (default), all, or one of: logged, assigned, in_progress, on_hold, "
        "resolved, closed",
    )
    listing.add_argument("--assignee", metavar="USER", help="a technician's login, or 'none'")
    listing.add_argument("--limit", type=positive, metavar="N", help="at most N calls")
    due = listing.add_mutually_exclusive_group()
    due.add_argument(
        "--due-within",
        metavar="LENGTH",
        help="open calls due within this much school time (30m, 2h, 2 school days), soonest first",
    )
    due.add_argument(
        "--breached", action="store_true", help="open calls already late, soonest due first"
    )
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(listing)
    listing.set_defaults(handler=run_list)

    tidy = commands.add_parser(
        "close-unanswered",
        help="close resolved calls the caller never answered",
        description="Close resolved calls whose caller has not answered for N school days "
        "(default: close_after_days in the config, 5). Meant for a daily cron job.",
    )
    tidy.add_argument(
        "--days", type=positive, metavar="N", help="school days to wait (default: the config's)"
    )
    add_common(tidy)
    tidy.set_defaults(handler=run_close_unanswered)


def run_log(args: argparse.Namespace) -> int:
    open_db(args)
    call = servicedesk.log_call(
        summary=args.summary,
        requester=args.requester,
        role=args.role,
        group=args.group,
        email=args.email,
        location=args.location,
        category=args.category,
        asset=args.asset,
        channel=args.channel,
        description=args.description,
        answers={name: getattr(args, name) for name in _QUESTION_FLAGS},
        impact=args.impact,
        urgency=args.urgency,
        by=who(),
    )
    if args.json:
        print_json(call.to_json(detail=True))
    else:
        print(f"Logged {call.number}, check code {call.check_code} (scan: {call.scan}).")
        print(
            f"{call.priority_label}, {call.category or 'no category'}, "
            f"{call.location or 'no location'}. Read the number and code to the caller."
        )
    return 0


def _verdict(met: bool | None) -> str:
    return "" if met is None else " (in target)" if met else " (late)"


def _targets(call: Call) -> str:
    """How the call stands against its targets, in school time."""
    now = journal.now()
    if call.responded_at is None and call.respond_due_at and call.status != "closed":
        left = clocks.left_words(clocks.left(call.respond_due_at, now))
        answer = f"answer by {local(call.respond_due_at)} ({left})"
    else:
        answer = "answered" + _verdict(call.respond_met)
    if call.status == "on_hold":
        fix = "fix: paused while on hold"
    elif call.due_at is not None:
        fix = f"fix by {local(call.due_at)} ({clocks.left_words(clocks.left(call.due_at, now))})"
    elif call.resolve_secs is not None:
        fix = f"fixed in {call.resolve_secs / 3600:.1f} school hours" + _verdict(call.resolve_met)
    else:
        fix = "fix: -"
    return f"{answer}; {fix}"


def _describe(call: Call) -> None:
    rows = [
        ("Status", call.status_word + (f" ({call.hold_reason})" if call.hold_reason else "")),
        (
            "Priority",
            f"{call.priority_label} (impact {LEVELS[call.impact]}, urgency {LEVELS[call.urgency]})",
        ),
        (
            "Caller",
            f"{call.requester} ({call.requester_role}"
            + (f", {call.requester_group}" if call.requester_group else "")
            + ")"
            + (f" <{call.requester_email}>" if call.requester_email else ""),
        ),
        ("Location", f"{call.location} {call.location_name}" if call.location else "-"),
        ("Category", call.category_label or "-"),
        ("Asset", call.asset or "-"),
        ("Channel", call.channel + (f" ({call.kiosk})" if call.kiosk else "")),
        ("Assigned to", f"{call.assignee_name} ({call.assignee})" if call.assignee else "nobody"),
        ("Logged", local(call.logged_at)),
        ("Responded", local(call.responded_at)),
        (
            "Resolved",
            local(call.resolved_at)
            + (f", {call.resolution_kind}: {call.resolution_text}" if call.resolution_kind else ""),
        ),
        ("Closed", local(call.closed_at) + (f" ({call.closed_how})" if call.closed_how else "")),
        ("Service", call.service or "-"),
        ("Targets", _targets(call)),
        ("Scan code", call.scan),
    ]
    print(f"{call.number}  {call.summary}")
    for label, value in rows:
        print(f"  {label + ':':<12} {value}")
    if call.past_resolutions:
        print("\nEarlier resolutions (each reopened since):")
        for past in call.past_resolutions:
            print(
                f"  {local(past.resolved_at)}  {past.resolved_by or '-'}, {past.kind or '-'}; "
                f"reopened {local(past.reopened_at)} by {past.reopened_by}:"
            )
            print("    " + past.text.replace("\n", "\n    "))
    if call.description:
        print("\nDescription:\n  " + call.description.replace("\n", "\n  "))
    answered = [(q, call.answers[name]) for name, q in FITS_QUESTIONS if call.answers.get(name)]
    if answered:
        print()
        for question, answer in answered:
            print(f"{question}\n  " + answer.replace("\n", "\n  "))
    if call.notes:
        print("\nNotes:")
        for note in call.notes:
            seen = "public" if note.public else "private"
            print(f"  {local(note.at)}  {note.author} ({seen}):")
            print("    " + note.text.replace("\n", "\n    "))


def run_show(args: argparse.Namespace) -> int:
    open_db(args)
    call = servicedesk.find_call(args.reference)
    if args.json:
        print_json(call.to_json(detail=True))
    else:
        _describe(call)
    return 0


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    if args.due_within is not None or args.breached:
        return _list_due(args)
    found = servicedesk.find_calls(status=args.status, assignee=args.assignee, limit=args.limit)
    if args.json:
        stream_json_list(call.to_json() for call in found)
        return 0
    headers = ("NUMBER", "AGE", "P", "STATUS", "LOCATION", "CATEGORY", "ASSIGNEE", "SUMMARY")
    count = table(
        headers,
        (
            (
                c.number,
                age(c.logged_at),
                c.priority_label,
                c.status_word.lower(),
                c.location or "-",
                c.category or "-",
                c.assignee or "-",
                c.summary,
            )
            for c in found
        ),
    )
    if count == 0:
        print("No calls match.")
    return 0


def _list_due(args: argparse.Namespace) -> int:
    """`list --due-within` and `--breached`: open calls by when they are due."""
    if args.status not in (None, "open"):
        raise BadInput("--due-within and --breached list open calls: leave out --status.")
    found = servicedesk.due_calls(
        within=args.due_within,
        breached=args.breached,
        assignee=args.assignee,
        limit=args.limit or 1000,
    )
    if args.json:
        print_json([call.to_json() for call in found])
        return 0
    now = journal.now()
    rows = []
    for c in found:
        late = c.respond_due_at if c.responded_at is None and c.respond_due_at else None
        due = c.due_at if late is None or (c.due_at and c.due_at < late) else late
        what = "answer" if due is late else "fix"
        rows.append(
            (
                c.number,
                c.priority_label,
                f"{what} {clocks.left_words(clocks.left(due, now))}" if due else "-",
                local(due) if due else "-",
                c.assignee or "-",
                c.summary,
            )
        )
    count = table(("NUMBER", "P", "DUE", "DUE AT", "ASSIGNEE", "SUMMARY"), rows)
    if count == 0:
        print("No calls are late." if args.breached else "No calls are due in that time.")
    return 0


def run_close_unanswered(args: argparse.Namespace) -> int:
    open_db(args)
    closed = servicedesk.close_unanswered(args.days)
    text = f"Closed {len(closed)} call{'s' if len(closed) != 1 else ''} with no answer"
    if closed:
        text += ": " + ", ".join(closed[:20])
        text += f" and {len(closed) - 20} more" if len(closed) > 20 else ""
    print(text + ".")
    return 0
