"""`fitsdesk problem`: the root causes behind recurring faults, from the command line.

    fitsdesk problem raise "S12 printer keeps jamming" --call INC-000042 --call INC-000051
    fitsdesk problem list
    fitsdesk problem show PRB-000007
    fitsdesk problem known-error PRB-000007 --workaround "Print in the Library" \\
        --kiosk "The S12 printer is broken: please use the Library's."
    fitsdesk problem resolve PRB-000007 --cause "A worn fuser"
    fitsdesk problem close PRB-000007

Changes are made as the login running the command, who must be an active technician.
The desk does all of this and more; these suit scripts and a quick look.
"""

from __future__ import annotations

import argparse

from store.problems import known_errors, problems
from tui.cli import add_common, group
from tui.cli.output import local, print_json, table
from tui.cli.session import open_db, who

STATUS_CHOICES = tuple(dict.fromkeys(("open", "all", *problems.STATUS_WORDS)))


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(commands, "problem", "problems: the root causes behind recurring faults")

    listing = actions.add_parser(
        "list",
        help="list problems, majors first then newest",
        description="List problems: open ones (not yet closed) unless --status says otherwise.",
    )
    listing.add_argument(
        "--status", default="open", choices=STATUS_CHOICES, help="which (default: open)"
    )
    listing.add_argument("--search", default="", metavar="TEXT", help="words in the title")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(listing)
    listing.set_defaults(handler=run_list)

    show = actions.add_parser("show", help="one problem in full", description="Show a problem.")
    show.add_argument("reference", metavar="NUMBER", help="the problem, e.g. PRB-000007")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    add_common(show)
    show.set_defaults(handler=run_show)

    raised = actions.add_parser(
        "raise",
        help="raise a problem, with the calls it explains",
        description="Raise a problem. Its rooms, kinds of fault and devices are those of its "
        "calls unless --location, --category or --asset say otherwise.",
    )
    raised.add_argument("title", metavar="TITLE", help="what the problem is, in a line")
    raised.add_argument("--description", default="", help="more detail")
    raised.add_argument(
        "--call", action="append", default=[], metavar="NUMBER", help="a call it explains"
    )
    raised.add_argument(
        "--location", action="append", default=[], metavar="CODE", help="a room it is in"
    )
    raised.add_argument(
        "--category", action="append", default=[], metavar="NAME", help="a kind of fault it is"
    )
    raised.add_argument(
        "--asset", action="append", default=[], metavar="TAG", help="a device it is on"
    )
    raised.add_argument("--major", action="store_true", help="it is behind a major incident")
    add_common(raised)
    raised.set_defaults(handler=run_raise)

    link = actions.add_parser(
        "link", help="link calls to a problem", description="Link calls to a problem."
    )
    link.add_argument("reference", metavar="NUMBER", help="the problem")
    link.add_argument("calls", nargs="+", metavar="CALL", help="calls, e.g. INC-000042")
    add_common(link)
    link.set_defaults(handler=run_link)

    unlink = actions.add_parser(
        "unlink",
        help="take a call off a problem",
        description="Take a call off a problem: it was not this cause after all.",
    )
    unlink.add_argument("reference", metavar="NUMBER", help="the problem")
    unlink.add_argument("call", metavar="CALL", help="the call")
    add_common(unlink)
    unlink.set_defaults(handler=run_unlink)

    known = actions.add_parser(
        "known-error",
        help="publish the workaround: a known error",
        description="Mark a problem a known error. Technicians see the workaround on every "
        "linked and matching call; with --kiosk, pupils reporting that kind of fault in "
        "its rooms are told first and can add themselves to it.",
    )
    known.add_argument("reference", metavar="NUMBER", help="the problem")
    known.add_argument("--workaround", required=True, help="what technicians should do for now")
    known.add_argument("--cause", help="the root cause, as far as it is known")
    known.add_argument("--kiosk", default="", metavar="WORDS", help="plain words for pupils")
    add_common(known)
    known.set_defaults(handler=run_known)

    for name, help_text in (
        ("investigate", "start investigating (you own it if nobody does)"),
        ("resolve", "the cause is removed"),
        ("close", "close it (a reason is needed if it was never resolved)"),
        ("reopen", "the fault came back"),
    ):
        step = actions.add_parser(
            name, help=help_text, description=help_text[0].upper() + help_text[1:] + "."
        )
        step.add_argument("reference", metavar="NUMBER", help="the problem")
        if name == "resolve":
            step.description = (
                "The cause is removed. Its open calls are resolved too, as fixed, and each "
                "caller is asked to confirm on their own call, unless --keep-calls-open."
            )
            step.add_argument("--cause", help="the root cause (needed if not yet written)")
            step.add_argument(
                "--fix",
                metavar="WORDS",
                help="what the callers are told was done (default: that the cause of "
                "their fault was found and put right)",
            )
            step.add_argument(
                "--keep-calls-open",
                action="store_true",
                help="leave its calls as they are",
            )
        if name in ("close", "reopen"):
            step.add_argument("--reason", default="", help="why")
        add_common(step)
        step.set_defaults(handler=run_step, step=name)


def _calls(count: int) -> str:
    return "1 call" if count == 1 else f"{count} calls"


def _summary_row(found: problems.ProblemSummary) -> tuple[str, ...]:
    return (
        found.number,
        found.status_word + (", major" if found.major else ""),
        str(found.incidents),
        str(found.affected),
        found.owner or "-",
        found.title,
    )


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    found = problems.list_problems(args.status, args.search)
    if args.json:
        print_json(
            [
                {
                    "number": p.number,
                    "title": p.title,
                    "status": p.status,
                    "owner": p.owner,
                    "major": p.major,
                    "public": p.public,
                    "calls": p.incidents,
                    "affected": p.affected,
                }
                for p in found
            ]
        )
    elif not table(
        ("PROBLEM", "STATUS", "CALLS", "PEOPLE", "OWNER", "TITLE"), map(_summary_row, found)
    ):
        print("No problems match.")
    return 0


def _print(prb: problems.ProblemInfo) -> None:
    print(f"{prb.number}  {prb.title}")
    lines = [
        ("Status", prb.status_word + ("  (major incident)" if prb.major else "")),
        ("Owner", prb.owner or "nobody yet"),
        ("Resolver", prb.resolver or "nobody yet"),
        ("Raised", f"{local(prb.created_at)} by {prb.created_by}"),
        ("Part of", prb.parent or "-"),
        ("Rooms", ", ".join(prb.locations) or "-"),
        ("Kinds", ", ".join(prb.categories) or "-"),
        ("Devices", ", ".join(prb.assets) or "-"),
        ("People", str(prb.affected)),
    ]
    for label, value in lines:
        print(f"  {label + ':':10} {value}")
    for label, text, earlier in (
        ("Description", prb.description, ()),
        ("Root cause", prb.root_cause, prb.earlier_root_causes),
        ("Workaround", prb.workaround, prb.earlier_workarounds),
        ("At the kiosks" if prb.public else "Kiosk words", prb.public_text, ()),
    ):
        if text or earlier:
            print(f"\n{label}:\n  " + (text or "(none now)").replace("\n", "\n  "))
        for old in earlier:
            print(f"  Earlier, by {old.who} on {local(old.at)}:")
            print("    " + (old.text or "(none)").replace("\n", "\n    "))
    for warning in prb.warnings:
        print(f"\nWarning: {warning}")
    if prb.incidents:
        print()
        table(
            ("CALL", "STATUS", "LOGGED", "CALLER", "SUMMARY"),
            (
                (c.number, c.status_word, local(c.logged_at), c.requester, c.summary)
                for c in prb.incidents
            ),
        )


def run_show(args: argparse.Namespace) -> int:
    open_db(args)
    prb = problems.problem(args.reference)
    if args.json:
        print_json(prb.to_json())
    else:
        _print(prb)
    return 0


def run_raise(args: argparse.Namespace) -> int:
    open_db(args)
    prb = problems.raise_problem(
        args.title,
        description=args.description,
        incidents=args.call,
        locations=args.location,
        categories=args.category,
        assets=args.asset,
        major=args.major,
        by=who(),
    )
    linked = f" with {_calls(len(prb.incidents))} linked" if prb.incidents else ""
    print(f"Raised {prb.number}{linked}.")
    return 0


def run_link(args: argparse.Namespace) -> int:
    open_db(args)
    prb = problems.link_incidents(args.reference, args.calls, by=who())
    print(f"Linked {_calls(len(args.calls))} to {prb.number}; it now has {len(prb.incidents)}.")
    return 0


def run_unlink(args: argparse.Namespace) -> int:
    open_db(args)
    prb = problems.unlink_incident(args.reference, args.call, by=who())
    print(f"Took {args.call.upper()} off {prb.number}.")
    return 0


def run_known(args: argparse.Namespace) -> int:
    open_db(args)
    prb = known_errors.publish(
        args.reference,
        workaround=args.workaround,
        root_cause=args.cause,
        public_text=args.kiosk,
        by=who(),
    )
    where = ", ".join(prb.locations) or "every kiosk"
    shown = f"; the kiosks in {where} show it" if prb.public else ""
    print(f"{prb.number} is a known error{shown}.")
    return 0


def _resolved_words(prb: problems.ProblemInfo, resolved: list[str], kept: bool) -> str:
    """What resolving did to the problem's calls, numbers and all."""
    still = [c.number for c in prb.incidents if c.status not in ("resolved", "closed")]
    if kept:
        return f"Its calls are left as they were ({len(still)} still open)."
    if not resolved:
        return "It had no open calls to resolve."
    return (
        f"Resolved {_calls(len(resolved))}: {', '.join(resolved)}. "
        "Each caller is asked to confirm it is fixed."
    )


def run_step(args: argparse.Namespace) -> int:
    open_db(args)
    by = who()
    if args.step == "investigate":
        prb = problems.investigate(args.reference, by=by)
    elif args.step == "resolve":
        from store.servicedesk import incidents

        prb, resolved = incidents.resolve_problem(
            args.reference,
            root_cause=args.cause,
            fix=args.fix,
            keep_calls_open=args.keep_calls_open,
            by=by,
        )
        print(f"{prb.number} is {prb.status_word.lower()}.")
        print(_resolved_words(prb, resolved, args.keep_calls_open))
        for warning in prb.warnings:
            print(f"Warning: {warning}")
        return 0
    elif args.step == "close":
        prb = problems.close(args.reference, reason=args.reason, by=by)
    else:
        prb = problems.reopen(args.reference, args.reason, by=by)
    print(f"{prb.number} is {prb.status_word.lower()}.")
    for warning in prb.warnings:
        print(f"Warning: {warning}")
    return 0
