"""`fitsdesk continuity`: a recovery plan for each service, and its tests.

fitsdesk continuity list                       # every service: priority, RTO, 3-2-1, last test
fitsdesk continuity show MIS
fitsdesk continuity edit MIS --priority 1 --rto 4h --rpo 1d --copies 3 --devices 2 --offsite \\
    --method "Supplier's nightly backup" --steps "1. Call the supplier ..." --contacts "..."
fitsdesk continuity test MIS --result pass --notes "Restored yesterday's copy to a test site"
fitsdesk continuity test "FITS Desk" --result pass --notes "Restore drill, 4 minutes"
fitsdesk continuity interval termly            # or 90d: how often each plan is tested

docs/continuity.md says what each part means.
"""

from __future__ import annotations

import argparse

from store.continuity import plan_rules, plans
from store.db.errors import BadInput
from tui.cli import add_common, group, list_action
from tui.cli.output import day, local, print_json, table
from tui.cli.session import open_db, who


def _text(text: str) -> str:
    """Text typed with \\n for a new line, as a shell makes a long one easier to give."""
    return text.replace("\\n", "\n")


def register(commands: argparse._SubParsersAction) -> None:
    actions = group(
        commands, "continuity", "continuity plans: how each service is recovered, and tests"
    )
    list_action(actions, "every service with its plan, or none", run_list)

    show = actions.add_parser("show", help="one service's plan", description="Show one plan.")
    show.add_argument("name", metavar="SERVICE", help="the service's name")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    add_common(show)
    show.set_defaults(handler=run_show)

    edit = actions.add_parser(
        "edit",
        help="write a service's plan (a manager's step)",
        description="Write a service's continuity plan, making it if there is none: only "
        "what is given changes, and writing it counts as reviewing it (with nothing given, "
        "it records a review). Lengths are like "
        "15m, 4h, 1d, 2w (a day is 24 hours). In --steps and --contacts, \\n starts a new line.",
    )
    edit.add_argument("name", metavar="SERVICE", help="the service's name")
    edit.add_argument("--priority", metavar="1-5", help="recovery priority: 1 is recovered first")
    edit.add_argument("--rto", metavar="LENGTH", help="recovery time objective: back within")
    edit.add_argument("--rpo", metavar="LENGTH", help="recovery point objective: data lost at most")
    edit.add_argument("--method", metavar="TEXT", help="how it is backed up")
    edit.add_argument(
        "--copies", metavar="N", help="copies of the data, the data itself counted (3-2-1: 3)"
    )
    edit.add_argument("--devices", metavar="N", help="devices or media they are on (3-2-1: 2)")
    site = edit.add_mutually_exclusive_group()
    site.add_argument(
        "--offsite", action="store_true", default=None, help="one copy is off site or in the cloud"
    )
    site.add_argument(
        "--no-offsite", dest="offsite", action="store_false", help="no copy is off site"
    )
    edit.add_argument("--steps", metavar="TEXT", type=_text, help="the recovery steps")
    edit.add_argument("--contacts", metavar="TEXT", type=_text, help="who to call")
    add_common(edit)
    edit.set_defaults(handler=run_edit)

    test = actions.add_parser(
        "test",
        help="record a test of a service's plan",
        description="Record a test of a plan (for FITS Desk itself: a restore drill).",
    )
    test.add_argument("name", metavar="SERVICE", help="the service's name")
    test.add_argument("--result", required=True, metavar="pass|fail", help="pass or fail")
    test.add_argument("--notes", metavar="TEXT", default="", type=_text, help="what happened")
    test.add_argument("--on", type=day, metavar="YYYY-MM-DD", help="when (default today)")
    add_common(test)
    test.set_defaults(handler=run_test)

    every = actions.add_parser(
        "interval",
        help="how often each plan is tested (a manager's step)",
        description="Show, or set, how often each plan is tested: termly (the default) or "
        "a number of days such as 90d.",
    )
    every.add_argument(
        "every",
        nargs="?",
        metavar="termly|DAYS",
        help="termly, or days such as 90d (none: show it)",
    )
    add_common(every)
    every.set_defaults(handler=run_interval)


def _rule(found: plans.PlanInfo) -> str:
    if not found.planned:
        return "-"
    return "met" if found.rule.met else "not met"


def _last(found: plans.PlanInfo) -> str:
    if found.tested_on is None:
        return "never" if found.planned else "-"
    text = f"{found.tested_on:%Y-%m-%d} {found.test_result}"
    return text + (" (overdue)" if found.overdue else "")


def _reminders(url: str | None, service: str | None = None) -> None:
    notes = plans.reminders(None, url=url)
    notes = [n for n in notes if service is None or n.service.lower() == service.lower()]
    if notes:
        print()
        for note in notes:
            print(f"! {note.text}")


def run_list(args: argparse.Namespace) -> int:
    open_db(args)
    url = getattr(args, "db", None)
    found = plans.list_plans(url=url)
    if args.json:
        print_json([p.to_json() for p in found])
        return 0
    table(
        ("SERVICE", "PRIORITY", "RTO", "RPO", "3-2-1", "LAST TEST"),
        (
            (
                p.service,
                str(p.recovery_priority) if p.planned else "no plan",
                plan_rules.duration_words(p.rto_minutes),
                plan_rules.duration_words(p.rpo_minutes),
                _rule(p),
                _last(p),
            )
            for p in found
        ),
    )
    missing = [p.service for p in found if not p.planned]
    if missing:
        print(f"\nNo plan yet: {', '.join(missing)}. Write one: fitsdesk continuity edit SERVICE.")
    own = next((p for p in found if p.service == plans.OWN_SERVICE), None)
    if own is not None and own.own_backup:
        print(f"FITS Desk: {own.own_backup}")
    _reminders(url)
    return 0


def run_show(args: argparse.Namespace) -> int:
    open_db(args)
    url = getattr(args, "db", None)
    found = plans.show_plan(args.name, url=url)
    own = found.service == plans.OWN_SERVICE
    if args.json:
        shown_json = found.to_json()
        if own:
            shown_json["restore_drill"] = plans.drill_words(found)
        print_json(shown_json)
        return 0
    print(f"{'Service:':<14}{found.service}")
    if own:
        print(f"{'Backups:':<14}{found.own_backup}")
        print(f"{'Drill:':<14}{plans.drill_words(found)}")
    if not found.planned:
        print(
            f"{found.service} has no continuity plan yet. Write one: fitsdesk continuity edit "
            f"'{found.service}' --rto 4h --rpo 1d ..."
        )
        return 0
    lines = [
        ("Owner", found.owner or "-"),
        ("Priority", f"{found.recovery_priority} (1 is recovered first)"),
        ("RTO", plan_rules.duration_words(found.rto_minutes)),
        ("RPO", plan_rules.duration_words(found.rpo_minutes)),
        ("Backed up", found.backup_method or "-"),
        ("Copies", found.rule.words),
        ("Reviewed", local(found.reviewed_at)),
        ("Last test", _last(found)),
    ]
    for label, value in lines:
        print(f"{label + ':':<14}{value}")
    for label, text in (("Steps", found.steps), ("Contacts", found.contacts)):
        print(f"\n{label}:")
        print("  " + (text or "-").replace("\n", "\n  "))
    if found.tests:
        print("\nTests:")
        for test in found.tests:
            notes = f"  {test.notes}" if test.notes else ""
            print(f"  {test.tested_on:%Y-%m-%d}  {test.result:<4}  {test.recorded_by}{notes}")
    _reminders(url, found.service)
    return 0


def run_edit(args: argparse.Namespace) -> int:
    open_db(args)
    given = {
        "recovery_priority": args.priority,
        "rto": args.rto,
        "rpo": args.rpo,
        "backup_method": args.method,
        "copies": args.copies,
        "devices": args.devices,
        "offsite": args.offsite,
        "steps": args.steps,
        "contacts": args.contacts,
    }
    given = {key: value for key, value in given.items() if value is not None}
    done = plans.edit_plan(args.name, by=who(), **given)
    said = "Saved the plan" if given else "Recorded a review of the plan"
    print(f"{said} for {done.service}. {done.rule.words}")
    return 0


def run_test(args: argparse.Namespace) -> int:
    open_db(args)
    done = plans.record_test(
        args.name, result=args.result, notes=args.notes, tested_on=args.on, by=who()
    )
    print(f"Recorded a {done.result} for {done.service} on {done.tested_on:%Y-%m-%d}.")
    return 0


def run_interval(args: argparse.Namespace) -> int:
    open_db(args)
    if args.every is None:
        every = plans.test_interval()
    else:
        if not args.every.strip():
            raise BadInput("Say termly or a number of days, such as 90d.")
        every = plans.set_test_interval(args.every, by=who())
    print(f"Each continuity plan is tested {plan_rules.interval_words(every)}.")
    return 0
