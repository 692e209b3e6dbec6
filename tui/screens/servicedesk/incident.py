"""One call: every field, the timeline from the journal with the mail to and from the caller
in it, and an action a key."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from store.changes import changes
from store.configuration import loans
from store.db import journal
from store.db.models import LEVELS, OPEN
from store.mail import records as mail_records
from store.problems import known_errors, problems
from store.records.problems import UNCLOSED
from store.records.views import FITS_QUESTIONS, STATUS_WORDS, Call
from store.school import people
from store.service_levels import catalogue, clocks
from store.servicedesk import incidents, queues, servicedesk
from tui.dialogs.ask import Ask
from tui.screens.common import DUE_STYLES, KeyFooter, RecordScreen, ReloadOnReturn, bar, local

LEVEL_CHOICES = tuple((str(n), word) for n, word in LEVELS.items())
WHEN = {
    "take": lambda c: c.status in OPEN,
    "assign": lambda c: c.status in OPEN,
    "start": lambda c: c.status in ("logged", "assigned", "on_hold"),
    "hold": lambda c: c.status in ("assigned", "in_progress"),
    "note": lambda c: True,
    "priority": lambda c: c.status in OPEN,
    "resolve": lambda c: c.status in OPEN,
    "reopen": lambda c: c.status in ("resolved", "closed"),
    "close": lambda c: c.status == "resolved",
    "link": lambda c: c.status != "closed",
    "swap": lambda c: c.status in OPEN,
    "service": lambda c: c.status != "closed",
}
"""When each action makes sense; the footer offers only those (the store decides)."""


class IncidentScreen(ReloadOnReturn, RecordScreen):
    """A call and what can be done with it."""

    BINDINGS = [
        # Shown in the footer: what is done most, and fits at 80 columns (KeyFooter);
        # the rest, show=False, are in F1 and the palette.
        Binding("t", "act('take')", "Take", id="desk.take_call"),
        Binding("a", "act('assign')", "Assign", id="desk.assign"),
        Binding("s", "act('start')", "Start", id="desk.start"),
        Binding("h", "act('hold')", "Hold", id="desk.hold"),
        Binding("n", "act('note')", "Note", id="desk.note"),
        Binding(
            "i",
            "act('priority')",
            "Priority",
            id="desk.priority",
            tooltip="Set the impact and urgency, which give the priority",
        ),
        Binding("r", "act('resolve')", "Resolve", id="desk.resolve"),
        Binding("o", "act('reopen')", "Reopen", id="desk.reopen"),
        Binding("c", "act('close')", "Close", id="desk.close"),
        Binding("l", "act('link')", "Set the device", id="desk.link", show=False),
        Binding(
            "w",
            "act('swap')",
            "Swap",
            id="desk.swap",
            show=False,
            tooltip="Check the caller's device in for repair and lend them a spare",
        ),
        Binding("u", "spare_back", "Spare back", id="desk.spare_back", show=False),
        Binding(
            "p",
            "raise_problem",
            "New problem",
            id="desk.raise_problem",
            show=False,
            tooltip="Raise a problem from this call: the cause behind it and others like it",
        ),
        Binding(
            "k",
            "link_problem",
            "Link problem",
            id="desk.link_problem",
            show=False,
            tooltip="Link this call to a problem already raised",
        ),
        Binding("g", "open_problem", "Its problem", id="desk.open_problem", show=False),
        Binding(
            "v",
            "act('service')",
            "Service",
            id="desk.service",
            show=False,
            tooltip="Say which service in the catalogue the call is about, or none",
        ),
        Binding("escape,q", "back", "Back", id="desk.back", show=False),
        Binding("m", "mail", "Every email in full", id="desk.mail", show=False),  # named under
        # the timeline when there is mail
    ]
    IF_ROOM = frozenset(
        {
            "desk.link",
            "desk.swap",
            "desk.spare_back",
            "desk.raise_problem",
            "desk.link_problem",
            "desk.open_problem",
            "desk.service",
            "desk.back",
        }
    )
    """Keys hidden from the footer at 80 columns that it shows when there is room
    (KeyFooter)."""

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        """The call shown."""
        self.call: Call | None = None
        """The call as last read, whose version every action names."""
        self.lent: list = []
        """store.configuration.loans.LoanInfo for each spare lent on this call, not yet back."""
        self.problems: list[problems.ProblemSummary] = []
        """The problems this call is linked to."""
        self.known: list[known_errors.KnownError] = []
        """The known errors that apply to it: linked ones first, then matching ones."""
        self.thread: list[mail_records.ThreadItem] = []
        """The mail from and to the caller about this call."""
        self.due: queues.Due | None = None
        """How the call stands against its targets, as last read."""

    def compose(self) -> ComposeResult:
        yield from bar(self.app, self.number)
        with VerticalScroll(id="call"):
            yield Static(id="known")
            yield Static(id="fields")
            yield Static(id="timeline")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#known").display = False
        self.load()

    def load(self) -> None:
        number, now = self.number, self.app.now()

        def job():
            call = servicedesk.find_call(number)
            return (
                call,
                journal.history("incident", int(number.split("-")[1])),
                [loan for loan in loans.out_on_loan() if loan.incident == number],
                problems.problems_of_call(number),
                known_errors.for_call(number),
                changes.changes_of_call(number),
                mail_records.thread(int(number.split("-")[1])),
                servicedesk.same_fault(number),
                queues.due_states([call], now)[call.number],
            )

        self.app.run_store(job, self.show)

    def show(self, result) -> None:
        call, history, self.lent, self.problems, self.known, asked, self.thread, same, due = result
        self.due = due
        changed = self.call is not None and call.version != self.call.version
        self.call = call
        known = self.query_one("#known", Static)
        known.update(known_words(self.known))
        known.display = bool(self.known)  # nothing at all when none apply
        self.query_one("#fields", Static).update(
            fields_of(call, self.lent, self.problems, asked, same, due)
        )
        hint = "m: every email in full" if self.thread else ""
        self.query_one("#timeline", Static).update(timeline(call, history, self.thread, hint))
        self.refresh_bindings()
        if changed:
            who = history[-1].who if history else "someone"
            if who != self.app.me.login:
                self.notify(f"{call.number} was just changed by {who}.", markup=False)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "spare_back":
            return bool(self.lent)
        if action in ("raise_problem", "link_problem"):
            return self.call is not None and self.unclosed_problem() is None
        if action == "open_problem":
            return bool(self.problems)
        if action == "mail":
            return bool(self.thread)
        if action != "act" or self.call is None:
            return True
        what = parameters[0]
        if what == "assign" and not self.app.me.can("manager"):
            return False  # only managers give calls to others
        return bool(WHEN[what](self.call))  # the footer offers only what can be done now

    def action_act(self, what: str) -> None:
        """Ask what the action needs, then do it through the store with this version."""
        call, me = self.call, self.app.me.login
        if call is None:
            return
        ref, seen = call.number, call.version
        if what == "take":
            take_call(self, ref, seen, self.done, self.refused)
            return
        simple = {
            "start": lambda: incidents.start(ref, by=me, seen_version=seen),
        }
        if what in simple:
            self.app.run_store(simple[what], self.done, self.refused)
            return
        if what == "service":
            self.choose_service(call, me, seen)
            return
        dialog = self.dialog(what, call, me, ref, seen)
        self.app.push_screen(dialog, self.after_dialog)

    def choose_service(self, call: Call, me: str, seen: int) -> None:
        """Read the catalogue, then ask which service the call is about (or none)."""
        ref = call.number

        def ask(services: list[str]) -> None:
            choices = [("", "No service")] + [(name, name) for name in services]
            if call.service and call.service not in services:
                choices.append((call.service, f"{call.service} (retired)"))
            self.app.push_screen(
                Ask(
                    f"Which service is {ref} about?",
                    [Ask.choice("service", "Service", choices, call.service or "", listed=True)],
                    lambda v: incidents.set_service(
                        ref, v["service"] or None, by=me, seen_version=seen
                    ),
                    ok="Save",
                ),
                self.service_set,
            )

        self.app.run_store(catalogue.service_names, ask)

    def service_set(self, call: Call | None) -> None:
        if call is not None:
            self.notify(f"{call.number} is about {call.service or 'no service'}.", markup=False)
        self.load()

    def unclosed_problem(self) -> problems.ProblemSummary | None:
        """The problem still open that this call is linked to (a call has one at most)."""
        return next((p for p in self.problems if p.status in UNCLOSED), None)

    def action_raise_problem(self) -> None:
        from tui.screens.problems.problems import raise_dialog

        if self.call is None or self.unclosed_problem() is not None:
            return
        dialog = raise_dialog(self.app.me.login, calls=[self.call.number], title=self.call.summary)
        self.app.push_screen(dialog, self.problem_raised)

    def problem_raised(self, found) -> None:
        if found is None:
            self.load()
            return
        self.notify(f"{found.number} raised with {self.number} linked.", markup=False)
        self.app.open_problem(found.number)

    def action_link_problem(self) -> None:
        if self.call is None or self.unclosed_problem() is not None:
            return
        ref, me = self.call.number, self.app.me.login
        likely = next((k.number for k in self.known if not k.linked), "")
        self.app.push_screen(
            Ask(
                f"Link {ref} to a problem",
                [Ask.text("problem", "The problem's number", likely, "PRB-000007")],
                lambda v: problems.link_incidents(v["problem"].strip(), [ref], by=me),
                ok="Link",
            ),
            self.linked,
        )

    def linked(self, found) -> None:
        if found is not None:
            self.notify(f"{self.number} is linked to {found.number}.", markup=False)
        self.load()

    def action_open_problem(self) -> None:
        if self.problems:
            chosen = self.unclosed_problem() or self.problems[0]
            self.app.open_problem(chosen.number)

    def action_spare_back(self) -> None:
        """The spare lent against this call has come back (the newest, if several)."""
        if not self.lent:
            return
        tag, me = self.lent[-1].lent, self.app.me.login
        self.app.run_store(lambda: loans.return_spare(tag, by=me), self.spare_returned)

    def action_mail(self) -> None:
        from tui.screens.mail.mail_thread import MailThreadScreen

        self.app.push_screen(MailThreadScreen(self.number))

    def spare_returned(self, loan) -> None:
        back = f"; {loan.handed_in} is back in use" if loan.handed_in else ""
        self.notify(f"{loan.lent} is a spare again{back}.", markup=False)
        self.load()

    def dialog(self, what: str, call: Call, me: str, ref: str, seen: int) -> Ask:
        if what == "assign":
            techs = [(t.login, f"{t.full_name} ({t.login})") for t in people.list_technicians()]
            return Ask(
                f"Give {ref} to",
                [Ask.choice("to", "Technician", techs, call.assignee or me, listed=True)],
                lambda v: incidents.assign(ref, v["to"] or "", by=me, seen_version=seen),
                ok="Assign",
            )
        if what == "hold":
            return Ask(
                f"Put {ref} on hold",
                [Ask.text("reason", "What is it waiting for?")],
                lambda v: incidents.hold(ref, v["reason"], by=me, seen_version=seen),
                ok="Hold",
            )
        if what == "note":
            return Ask(
                f"A note on {ref}",
                [
                    Ask.text("text", "Note"),
                    Ask.switch("public", "The caller can see it (on the kiosk and by email)"),
                ],
                lambda v: incidents.add_note(
                    ref, v["text"], public=v["public"], by=me, seen_version=seen
                ),
                ok="Add",
            )
        if what == "priority":
            return Ask(
                f"Impact and urgency of {ref}",
                [
                    Ask.choice(
                        "impact", "Impact: how many it stops", LEVEL_CHOICES, str(call.impact)
                    ),
                    Ask.choice(
                        "urgency", "Urgency: how soon it matters", LEVEL_CHOICES, str(call.urgency)
                    ),
                ],
                lambda v: incidents.set_priority(
                    ref,
                    impact=int(v["impact"]),
                    urgency=int(v["urgency"]),
                    by=me,
                    seen_version=seen,
                ),
                ok="Change",
            )
        if what == "resolve":
            return Ask(
                f"Resolve {ref}",
                [
                    Ask.choice(
                        "kind", "It was", (("fix", "A fix"), ("workaround", "A workaround")), "fix"
                    ),
                    Ask.text("text", "What was done (the caller is told)"),
                ],
                lambda v: incidents.resolve(
                    ref, kind=v["kind"] or "", text=v["text"], by=me, seen_version=seen
                ),
                ok="Resolve",
            )
        if what == "reopen":
            return Ask(
                f"Reopen {ref}",
                [Ask.text("reason", "Why?")],
                lambda v: incidents.reopen(ref, v["reason"], by=me, seen_version=seen),
                ok="Reopen",
            )
        if what == "close":
            return Ask(
                f"Close {ref}",
                [
                    Ask.text("comment", "The caller said it is fixed. Anything they added?"),
                ],
                lambda v: servicedesk.confirm_fixed(
                    ref, comment=v["comment"], by=me, seen_version=seen
                ),
                ok="Close",
            )
        if what == "swap":
            return Ask(
                f"Swap: check in {call.requester}'s device, lend a spare",
                [
                    Ask.text(
                        "handed_in",
                        "Device handed in (scan its label; empty: none)",
                        call.asset or "",
                        "like LAP-0042",
                    ),
                    Ask.text("spare", "Spare lent (scan its label)", "", "like LAP-0099"),
                    Ask.text("borrower", "Lent to", call.requester),
                ],
                lambda v: loans.swap(
                    ref,
                    handed_in=v["handed_in"].strip() or None,
                    spare=v["spare"].strip(),
                    borrower=v["borrower"].strip() or None,
                    by=me,
                ),
                ok="Swap",
            )
        return Ask(
            f"Which device is {ref} about?",
            [
                Ask.text("tag", "Device tag (empty: none)", call.asset or "", "like LAP-0042"),
            ],
            lambda v: incidents.link_asset(ref, v["tag"].strip() or None, by=me, seen_version=seen),
            ok="Save",
        )

    def done(self, result) -> None:
        if isinstance(result, Call):
            self.notify(f"{result.number}: {result.status_word}.", markup=False)
        elif isinstance(result, loans.LoanInfo):
            handed = f"{result.handed_in} in for repair; " if result.handed_in else ""
            self.notify(f"{handed}{result.lent} lent to {result.borrower}.", markup=False)
        self.load()


def take_call(screen, number: str, seen: int | None, done, refused) -> None:
    """Take a call: at once when it is nobody's; when a colleague has it, only after
    asking "INC-000042 is Jo Smith's. Take it from them?" (the store refuses it unasked,
    `incidents.ColleaguesCall`). Shared by the queue and the call."""
    app, me = screen.app, screen.app.me.login

    def ask(problem) -> None:
        if not isinstance(problem, incidents.ColleaguesCall):
            refused(problem)
            return
        app.push_screen(
            Ask(
                f"{problem.number} is {problem.colleague}'s. Take it from them?",
                [],
                lambda _v: incidents.take(
                    number, by=me, from_colleague=True, seen_version=problem.version
                ),
                ok="Take it",
            ),
            lambda call: done(call) if call is not None else None,
        )

    app.run_store(lambda: incidents.take(number, by=me, seen_version=seen), done, ask)


def fields_of(
    call: Call,
    lent: list | None = None,
    linked: list | None = None,
    asked: list | None = None,
    same: tuple[str | None, list[tuple[str, str]]] | None = None,
    due: queues.Due | None = None,
) -> Table:
    """Every field of the call, as text, with its service and targets, the problems it is
    linked to, the changes it asked for or that caused it, and the calls reporting the
    same fault."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    status = call.status_word + (f": {call.hold_reason}" if call.hold_reason else "")
    caller = f"{call.requester} ({call.requester_role}"
    caller += f", {call.requester_group}" if call.requester_group else ""
    caller += ")" + (f" {call.requester_email}" if call.requester_email else "")
    rows = [
        ("Summary", call.summary),
        ("Status", status),
        (
            "Priority",
            f"{call.priority_label}: impact {LEVELS[call.impact]}, urgency {LEVELS[call.urgency]}",
        ),
        ("Service", call.service or "none"),
        *target_rows(call, due),
        ("Caller", caller),
        ("Where", f"{call.location_name} ({call.location})" if call.location else "-"),
        ("What", call.category_label or "-"),
        ("Device", call.asset or "-"),
        *same_fault_rows(same),
        *(
            ("Problem" if n == 0 else "", f"{found.number} ({found.status_word}): {found.title}")
            for n, found in enumerate(linked or ())
        ),
        *(
            ("Change" if n == 0 else "", f"{found.number} ({found.status_word}): {found.title}")
            for n, found in enumerate(asked or ())
        ),
        *(
            ("Spare lent", f"{loan.lent} to {loan.borrower} since {local(loan.lent_at)}")
            for loan in lent or ()
        ),
        ("Came by", call.channel + (f" at kiosk {call.kiosk}" if call.kiosk else "")),
        ("Assigned to", f"{call.assignee_name} ({call.assignee})" if call.assignee else "nobody"),
        ("Logged", local(call.logged_at)),
        ("First reply", local(call.responded_at) + MET.get(call.respond_met, "")),
    ]
    if call.resolved_at:
        rows.append(
            (
                "Resolved",
                f"{local(call.resolved_at)}, {call.resolution_kind}: {call.resolution_text}",
            )
        )
    if call.closed_at:
        rows.append(("Closed", f"{local(call.closed_at)} ({call.closed_how})"))
    if call.reopen_count:
        rows.append(("Reopened", f"{call.reopen_count} time(s)"))
    for name, question in FITS_QUESTIONS:
        if call.answers.get(name):
            rows.append((question, call.answers[name]))
    if call.description:
        rows.append(("Description", call.description))
    for label, value in rows:
        table.add_row(label, value if isinstance(value, Text) else Text(value))
    return table


MET = {True: ", in target", False: ", late"}
"""After a time a target was measured on: whether it was met (docs/service_levels.md)."""


def left_phrase(seconds: int) -> str:
    """Time left on a target in words: "3h10 left", "1h30 late", "late"."""
    if -60 < seconds < 0:
        return "late"
    return clocks.left_words(seconds) + ("" if seconds < 0 else " left")


def target_rows(call: Call, due: queues.Due | None) -> list[tuple[str, Text]]:
    """When the answer and the fix are due and the time left, in school time, coloured as
    the queue colours the call; once resolved, how long the fix took against its target."""
    tint = DUE_STYLES.get(due.state, "") if due else ""
    rows = []
    if due and due.respond is not None and call.respond_due_at:
        when = f"{local(call.respond_due_at)}, {left_phrase(due.respond)}"
        rows.append(("Answer by", Text(when, style=tint)))
    if due and due.on_hold:
        rows.append(("Resolve by", Text("paused while on hold", style="dim")))
    elif due and due.resolve is not None and call.due_at:
        when = f"{local(call.due_at)}, {left_phrase(due.resolve)}"
        rows.append(("Resolve by", Text(when, style=tint)))
    elif call.resolve_secs is not None and call.status in ("resolved", "closed"):
        took = clocks.left_words(call.resolve_secs) + MET.get(call.resolve_met, "")
        rows.append(("Resolved in", Text(took)))
    return rows


def same_fault_rows(same) -> list[tuple[str, str]]:
    """The call this one duplicates, and how many (and which) duplicate it."""
    main, copies = same or (None, [])
    rows = [("Same fault as", main)] if main else []
    if copies:
        listed = ", ".join(f"{number} ({word})" for number, word in copies[:SHOWN_COPIES])
        more = len(copies) - SHOWN_COPIES
        listed += f" and {more} more" if more > 0 else ""
        rows.append(("Reported by", f"{len(copies) + 1} people, also as {listed}"))
    return rows


SHOWN_COPIES = 4
"""Duplicates spelt out on a call; any more are counted."""

SHOWN_KNOWN = 3
"""Known errors spelt out on a call; any more are counted."""


def known_words(known: list[known_errors.KnownError]) -> Text:
    """The known errors that apply to a call, each with its workaround, in words."""
    text = Text()
    for found in known[:SHOWN_KNOWN]:
        people = f"{found.affected} {'person' if found.affected == 1 else 'people'} affected"
        how = (
            "This call is linked to it"
            if found.linked
            else "It matches this call's room, kind of fault or device"
        )
        text.append("KNOWN ERROR", style="bold reverse")
        text.append(f" {found.number}: ", style="bold")
        text.append(found.title, style="bold")
        text.append("\nWorkaround: ", style="bold")
        text.append(found.workaround)
        text.append(f"\n{how}; {people}.\n", style="dim")
    if len(known) > SHOWN_KNOWN:
        more = len(known) - SHOWN_KNOWN
        text.append(f"And {more} more known error{'s' if more > 1 else ''} match this call.\n")
    text.rstrip()
    return text


def timeline(
    call: Call, history: list[journal.JournalEntry], thread: list | None = None, hint: str = ""
):
    """What happened to the call, oldest first: notes, status changes, assignments, and
    the mail to and from the caller (store.mail.records.ThreadItem) among them."""
    lines = [(entry.at, line) for entry in history if (line := journal_line(entry)) is not None]
    if thread:
        from tui.screens.mail.mail_thread import merged

        return merged(lines, thread, hint)
    text = Text()
    text.append("Timeline\n", style="bold underline")
    for _at, line in lines:
        text.append_text(line)
        text.append("\n")
    return text


def journal_line(entry: journal.JournalEntry) -> Text | None:
    """One line of the timeline from the journal, or None for what it does not show."""
    when = local(entry.at)
    text = Text()
    if entry.action == "note":
        seen = "public, seen by the caller" if entry.field == "public note" else "private"
        text.append(f"{when}  {entry.who} ({seen}): ", style="bold")
        text.append(entry.after or "")
    elif entry.field == "status":
        before = STATUS_WORDS.get(entry.before or "", entry.before or "")
        after = STATUS_WORDS.get(entry.after or "", entry.after or "")
        text.append(f"{when}  {entry.who}: ", style="bold")
        text.append(f"{before + ' → ' if before else ''}{after}")
    elif entry.action == "take from colleague" and entry.field == "assignee":
        text.append(f"{when}  {entry.who}: ", style="bold")
        text.append(f"took it from {entry.before or '-'}")
    elif entry.field == "resolution_text" and entry.after:
        text.append(f"{when}  {entry.who}: ", style="bold")
        text.append(f"what was done: {entry.after}")
    elif entry.field == "problem" and entry.action == incidents.PROBLEM_ACTION:
        text.append(f"{when}  {entry.who}: ", style="bold")
        text.append(f"resolved with its problem {entry.after or ''}")
    elif entry.field in ("assignee", "asset", "priority", "hold_reason"):
        text.append(f"{when}  {entry.who}: ", style="bold")
        text.append(f"{entry.field.replace('_', ' ')} {entry.before or '-'} → {entry.after or '-'}")
    else:
        return None
    return text
