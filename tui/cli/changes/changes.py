"""`fitsdesk change`: requests for change (RFCs) through the committee, from the command line.

    fitsdesk change new --title "Install Ocenaudio in IT1" --room IT1 --add "Ocenaudio 3"
    fitsdesk change vote RFC-000005 approve               # a committee member
    fitsdesk change plan RFC-000005 --implementation-file plan.txt --test "Open it on two PCs" \\
        --backout "Uninstall it" --start "2027-01-13 16:00" --end "2027-01-13 18:00" \\
        --implementer cwright --reviewer dchen
    fitsdesk change submit RFC-000005
    fitsdesk change show RFC-000005 --history
    fitsdesk change schedule --weeks 4                    # the forward schedule
    fitsdesk change windows --hours 2 --room IT1          # the next free windows

Each step is taken as the login running the command, who must be an active
technician; the store says who may take which step, in one sentence. Times are the
school's local time (this machine's), to the minute. docs/changes.md has the rest.
Here: the command's parser and the lifecycle steps; `change_views` reads and prints
(list, show, schedule, windows); `change_input` reads what people type.
"""

from __future__ import annotations

import argparse

from store.changes import changes, committee
from store.changes import schedule as change_schedule
from store.changes.rules import and_words
from store.records.changes import STAGE_WORDS
from tui.cli import add_common, group
from tui.cli.changes.change_input import (
    PLAN_OPTIONS,
    hours,
    local_time,
    plans_given,
    whole,
    window_of,
)
from tui.cli.changes.change_views import (
    overlap_lines,
    run_list,
    run_schedule,
    run_show,
    run_windows,
    window_text,
)
from tui.cli.output import print_json
from tui.cli.session import open_db, who

MOST_LIMIT = 1_000_000


# The command


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
        metavar="STATUS",
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
    listing.add_argument(
        "--limit", type=whole(1, MOST_LIMIT, "changes"), metavar="N", help="at most N changes"
    )
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
    notice.add_argument("text", metavar="TEXT", help="the words the kiosks show")
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
        "--weeks",
        type=whole(1, 52, "weeks"),
        default=4,
        metavar="N",
        help="how many weeks to show (default 4)",
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
    windows.add_argument(
        "--hours", type=hours, required=True, metavar="HOURS", help="how long, e.g. 2 or 1.5"
    )
    windows.add_argument(
        "--room",
        action="append",
        default=[],
        metavar="CODE",
        help="a room whose lessons it must miss; repeat for several",
    )
    windows.add_argument(
        "--risk", default="low", metavar="RISK", help="low (default), medium, high"
    )
    windows.add_argument(
        "--count",
        type=whole(1, change_schedule.MOST_WINDOWS, "windows"),
        default=5,
        metavar="N",
        help="how many windows to list (default 5)",
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
        "--start", type=local_time, metavar="TIME", help='the window opens, "2027-01-13 16:00"'
    )
    parser.add_argument("--end", type=local_time, metavar="TIME", help="the window closes")


# The lifecycle steps


def _warn_window(rfc: changes.ChangeInfo) -> None:
    """Say what a newly given window hits, so it can be moved before it is refused."""
    if rfc.window_start is None or rfc.status not in ("raised", "planning"):
        return
    found = changes.window_check(rfc.number)
    if found.words:
        print(f"Warning: {found.words}")


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
        window=window_of(args),
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
        print("\n".join(overlap_lines(similar)))
    return 0


def run_plan(args: argparse.Namespace) -> int:
    plans = plans_given(args)
    window = window_of(args)
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
    missing = changes.missing_for_submit(rfc)
    if rfc.status != "planning":  # not yet approved to proceed, or an emergency
        then = rfc.status_word.lower()
    elif missing:
        then = f"it still needs {and_words(missing)} before it can be submitted"
    else:
        then = f"ready to submit: fitsdesk change submit {rfc.number}"
    print(f"Planned {rfc.number}; {then}.")
    if window is not None:
        _warn_window(rfc)
    return 0


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
    when = window_text(rfc.window_start, rfc.window_end)
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
