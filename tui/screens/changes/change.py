"""One request for change: every field, its notices, its votes and its history, and
above the keys what a decision needs: the committee's votes on the open stage, the
window against the school calendar (what it hits, the next free windows) and the
overlap check ("we installed something like this").

Each step of the lifecycle is a key, offered only when this technician may take it now
(the store decides; the footer hides the rest). Every action names the version shown,
so acting on a change someone else has moved on is refused, in one sentence, and the
page reloads with their change.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from store.changes import changes, committee
from store.changes.schedule import window_words
from store.db import journal
from store.db.errors import FitsDeskError
from store.records.changes import ENDED, STAGE_WORDS, VOTE_WORDS, history_line
from tui.screens.changes import change_forms as forms
from tui.screens.common import KeyFooter, RecordScreen, ReloadOnReturn, bar, local

LABEL = 13
"""The width of the labels down the left, so the blocks of fields line up."""
BEFORE_APPROVAL = ("raised", "planning", "peer_review", "reviewed")
"""While the committee may still be asked: the overlap check is shown."""
UNDONE = (*BEFORE_APPROVAL, "scheduled")
"""Until it is implemented: the window is checked against the calendar."""
MOST_CLASHES_SHOWN = 3
LONGEST_HISTORY_VALUE = 160


def may(what: str, found: changes.ChangeInfo, me) -> bool:
    """Whether `me` may take step `what` on the change now, as the store's rules say: so
    the footer offers only what can work (the store still decides)."""
    manager = "manager" in me.roles
    tech = me.can("technician")
    status = found.status

    def holds(*who: str) -> bool:
        people = {
            "originator": found.originator == me.login,
            "implementer": found.implementer == me.login,
            "committee": me.can("committee"),
        }
        return tech and (manager or any(people[w] for w in who))

    if what == "vote":
        voted = {v.member for v in found.votes_on()} if found.stage else set()
        return me.can("committee") and found.stage is not None and me.login not in voted
    rules = {
        "plan": lambda: status in ("raised", "planning") and holds("originator", "implementer"),
        "submit": lambda: status == "planning" and holds("originator", "implementer"),
        "peer_review": lambda: status == "peer_review" and tech and found.peer_reviewer == me.login,
        "emergency": lambda: found.kind == "emergency" and status == "raised" and manager,
        "notice": lambda: status == "scheduled" and holds("originator", "implementer"),
        "implement": lambda: status == "scheduled" and holds("implementer"),
        "register": lambda: status == "implemented" and holds("implementer"),
        "back_out": lambda: status in ("scheduled", "implemented") and holds("implementer"),
        "review": lambda: (
            (status == "registered" or (status == "backed_out" and not found.lessons))
            and holds("originator", "committee")
        ),
        "cancel": lambda: status in UNDONE and holds("originator"),
        "link": lambda: status not in ENDED and tech,
        "caused": lambda: found.implemented_at is not None and tech,
        "call": lambda: found.incident is not None,
    }
    return bool(rules[what]())


def history_words(entry: journal.JournalEntry) -> Text:
    """A journal line about a change, in words; people's text stays plain."""
    return Text(history_line(entry, LONGEST_HISTORY_VALUE))


def _grid(*, pairs: bool) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True, min_width=LABEL)
    grid.add_column(ratio=1)
    if pairs:
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(ratio=1)
    return grid


def _listed(items: tuple[str, ...], none: str = "-") -> Text:
    return Text(", ".join(items) or none)


def details(found: changes.ChangeInfo) -> Group:
    """Every field of the change: the short ones in two pairs of columns so they fit
    80x24, the people's words under them, full width."""
    title = _grid(pairs=False)
    heading = Text()
    if found.kind == "emergency":
        heading.append("EMERGENCY ", style="bold red")
    heading.append(found.title, style="bold")
    title.add_row("Title", heading)
    title.add_row("Status", Text(found.status_word))
    if found.sent_back:
        title.add_row("", Text(found.sent_back, style="bold"))
    title.add_row("Window", Text(when_words(found)))
    pairs = _grid(pairs=True)
    rows = [
        ("Kind", Text(found.kind), "Risk", Text(found.risk)),
        (
            "Raised",
            Text(f"{local(found.created_at)}, {found.originator}"),
            "From call",
            Text(found.incident or "-"),
        ),
        (
            "Implementer",
            Text(found.implementer or "nobody yet"),
            "Peer review",
            Text(found.peer_reviewer or ("not needed" if found.kind != "normal" else "nobody yet")),
        ),
        ("Rooms", _listed(found.locations), "Devices", _listed(found.assets)),
        ("Installs", _listed(found.adds), "Removes", _listed(found.removes)),
        ("Fixes", _listed(found.problems), "Caused", _listed(found.caused)),
    ]
    if found.approved_at or found.implemented_at or found.closed_at:
        rows.append(
            (
                "Approved",
                Text(local(found.approved_at)),
                "Implemented",
                Text(local(found.implemented_at)),
            )
        )
    if found.outcome or found.closed_at:
        rows.append(
            (
                "Outcome",
                Text(forms.OUTCOME_WORDS.get(found.outcome or "", "-")),
                "Closed",
                Text(local(found.closed_at)),
            )
        )
    if found.afterwards:
        rows.append(("Afterwards", Text(found.afterwards.replace("_", " ")), "", Text("")))
    for row in rows:
        pairs.add_row(*row)
    words = _grid(pairs=False)
    for label, value, none in (
        ("Reason", found.reason, "none given"),
        ("Description", found.description, None),
        ("Affects", found.affected, "not said yet"),
        ("Plan", found.implementation_plan, "not planned yet"),
        ("Test plan", found.test_plan, "not planned yet"),
        ("Back-out plan", found.backout_plan, "not planned yet"),
        ("Lessons", found.lessons, None),
    ):
        if value or none:
            words.add_row(label, Text(value or none))
    if found.installed:
        words.add_row("Installed", Text(", ".join(found.installed)))
    words.add_row(
        "Notices",
        Text("\n".join(found.notices)) if found.notices else Text("none at the kiosks"),
    )
    past = [v for v in found.votes if v.stage != found.stage]
    for n, v in enumerate(past):
        line = Text(f"{STAGE_WORDS[v.stage]}: {v.member} {VOTE_WORDS[v.vote]}")
        if v.comment:
            line.append(f": {v.comment}")
        words.add_row("Votes" if n == 0 else "", line)
    return Group(title, pairs, words)


def history_table(entries: list[journal.JournalEntry]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="dim")
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for entry in entries:
        table.add_row(Text(local(entry.at)), Text(entry.who), history_words(entry))
    return table


def section(head: str, first: str, lines: list[str]) -> Group:
    """A bold head and its first words on one line, then lines indented under it (a long
    one wraps under itself). Every line is plain Text: people's words are never markup."""
    top = Text()
    top.append(head, style="bold")
    top.append(first)
    if not lines:
        return Group(top)
    under = Table.grid()
    under.add_column(width=2)
    under.add_column(ratio=1)
    for line in lines:
        under.add_row(Text(""), Text(line))
    return Group(top, under)


def committee_words(found: changes.ChangeInfo, tally: committee.Tally) -> Group:
    """The open stage: the tally in words, each member's vote and comment, who waits."""
    lines = []
    for v in found.votes_on():
        lines.append(f"{v.member_name} ({v.member}) {VOTE_WORDS[v.vote].lower()}s")
        if v.comment:
            lines[-1] += f": {v.comment}"
    if tally.waiting:
        lines.append(f"Not voted yet: {', '.join(tally.waiting)}")
    return section(f"{STAGE_WORDS[found.stage].capitalize()}: ", tally.words, lines)


def calendar_words(found: changes.ChangeInfo, check) -> Group:
    """The window against the calendar: clear, or what it hits and the next free windows."""
    if check is None or found.window_start is None:
        return section("Calendar: ", "no window planned yet.", [])
    when = window_words(found.window_start, found.window_end)
    lines = []
    if check.passed:
        first = f"{when} has passed: plan a new window."
    elif not check.clashes:
        return section("Calendar: ", f"{when} is clear of lessons, exams and freezes.", [])
    else:
        first = f"{when} hits {'1 thing' if check.total == 1 else f'{check.total} things'}:"
        lines = [clash.words for clash in check.clashes[:MOST_CLASHES_SHOWN]]
        if check.total > MOST_CLASHES_SHOWN:
            lines.append(f"and {check.total - MOST_CLASHES_SHOWN} more")
    offer = "; ".join(window_words(a, b) for a, b in check.free)
    lines.append(f"Next free windows: {offer or 'none in the next four months'}")
    return section("Calendar: ", first, lines)


def overlap_words(found: changes.Overlap) -> Group:
    """Similar software in the library and recent changes like this one."""
    if found.empty:
        return section("Overlap: ", "nothing like it in the library or in recent changes.", [])
    lines = [f"{similar.name}: {similar.why}" for similar in found.software]
    lines += [f"{r.change.number} {r.change.title}: {r.why}" for r in found.changes]
    return section("We installed something like this:", "", lines)


def open_change(app, number: str) -> None:
    """Show one change on its own screen."""
    app.push_screen(ChangeScreen(number))


class ChangeScreen(ReloadOnReturn, RecordScreen):
    """A change and what can be done with it now."""

    BINDINGS = [
        # The lifecycle's steps first: only those this technician may take now show. The
        # rest (show=False) are in F1 and the palette, and in the footer when there is room
        # (IF_ROOM, KeyFooter), so the steps fit at 80 columns.
        Binding("a", "vote('approve')", "Approve", id="desk.change_approve"),
        Binding("r", "vote('reject')", "Reject", id="desk.change_reject"),
        Binding("b", "vote('abstain')", "Abstain", id="desk.change_abstain"),
        Binding(
            "p",
            "act('plan')",
            "Plan",
            id="desk.change_plan",
            tooltip="The plans, the window, the implementer and peer reviewer, rooms, software",
        ),
        Binding("s", "act('submit')", "Submit", id="desk.change_submit"),
        Binding("v", "act('peer_review')", "Peer review", id="desk.change_peer_review"),
        Binding("e", "act('emergency')", "Approve emergency", id="desk.change_emergency"),
        Binding(
            "t",
            "act('notice')",
            "Notice",
            id="desk.change_notice",
            tooltip="Reword what the kiosks say about it",
        ),
        Binding("i", "act('implement')", "Implemented", id="desk.change_implement"),
        Binding("u", "act('register')", "Update register", id="desk.change_register"),
        Binding("o", "act('back_out')", "Back out", id="desk.change_back_out"),
        Binding(
            "w",
            "act('review')",
            "Review",
            id="desk.change_review",
            tooltip="The post-implementation review: the outcome and what we learned",
        ),
        Binding("c", "act('cancel')", "Cancel change", id="desk.change_cancel", show=False),
        Binding("l", "act('link')", "Fixes problem", id="desk.change_link", show=False),
        Binding(
            "k",
            "act('caused')",
            "Caused a call",
            id="desk.change_caused",
            show=False,
            tooltip="Record a call this change caused, so its review can learn from it",
        ),
        Binding("g", "act('call')", "Its call", id="desk.change_call", show=False),
        Binding("escape,q", "back", "Back", id="desk.back_change", show=False),
    ]
    IF_ROOM = frozenset(
        {
            "desk.change_cancel",
            "desk.change_link",
            "desk.change_caused",
            "desk.change_call",
            "desk.back_change",
        }
    )
    """Keys shown in the footer only when there is room for them (KeyFooter)."""

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        """The change shown."""
        self.change: changes.ChangeInfo | None = None
        """The change as last read, whose version every action names."""

    def compose(self) -> ComposeResult:
        yield from bar(self.app, self.number)
        yield Static(id="change-said", classes="problem", markup=False)
        with VerticalScroll(id="change-body"):
            yield Static(id="details")
            yield Static(Text("History", style="bold"), id="change-history-title")
            yield Static(id="change-history")
        with VerticalScroll(id="decide"):
            yield Static(id="committee")
            yield Static(id="calendar")
            yield Static(id="overlap")
        yield KeyFooter()

    def on_mount(self) -> None:
        for part in ("#change-said", "#decide", "#committee", "#calendar", "#overlap"):
            self.query_one(part).display = False
        self.query_one("#change-body").focus()
        self.load()

    def load(self) -> None:
        number = self.number

        def job():
            found = changes.change(number)
            entries = changes.history(number)
            tally = committee.tally(found.id, found.stage) if found.stage else None
            check = changes.window_check(number) if found.status in UNDONE else None
            asks = found.adds and found.status in BEFORE_APPROVAL
            similar = changes.overlap(number) if asks else None
            return found, entries, tally, check, similar

        self.app.run_store(job, self.show, self.gone)

    def gone(self, problem: FitsDeskError) -> None:
        self.app.say_problem(problem)
        if self.change is None:
            self.app.pop_screen()

    def show(self, result) -> None:
        found, entries, tally, check, similar = result
        changed = self.change is not None and found.version != self.change.version
        self.change = found
        self.query_one("#details", Static).update(details(found))
        self.query_one("#change-history", Static).update(history_table(entries))
        parts = {
            "#committee": committee_words(found, tally) if tally is not None else None,
            "#calendar": calendar_words(found, check) if found.status in UNDONE else None,
            "#overlap": overlap_words(similar) if similar is not None else None,
        }
        for selector, words in parts.items():
            widget = self.query_one(selector, Static)
            widget.display = words is not None
            if words is not None:
                widget.update(words)
        self.query_one("#decide").display = any(w is not None for w in parts.values())
        self.refresh_bindings()
        if changed and entries and entries[-1].who not in (self.app.me.login, "committee"):
            self.notify(f"{found.number} was just changed by {entries[-1].who}.", markup=False)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action not in ("act", "vote"):
            return True
        if self.change is None:
            return False
        return may(parameters[0] if action == "act" else "vote", self.change, self.app.me)

    # -- steps

    def action_vote(self, choice: str) -> None:
        found, me = self.change, self.app.me
        if found is None or not may("vote", found, me):
            return
        self.app.push_screen(forms.vote_dialog(found, me.login, choice), self.after_dialog)

    def action_act(self, what: str) -> None:
        """Ask what the step needs, then take it through the store with this version."""
        found, me = self.change, self.app.me
        if found is None or not may(what, found, me):
            return
        ref, seen, login = found.number, found.version, me.login
        if what == "call":
            self.app.open_call(found.incident)
            return
        simple = {
            "submit": lambda: changes.submit(ref, by=login, seen_version=seen),
            "emergency": lambda: changes.approve_emergency(ref, by=login, seen_version=seen),
            "register": lambda: changes.update_register(ref, by=login, seen_version=seen),
        }
        if what in simple:
            self.app.run_store(simple[what], self.done, self.refused)
            return
        dialogs = {
            "plan": forms.plan_dialog,
            "peer_review": forms.peer_review_dialog,
            "implement": forms.implement_dialog,
            "review": forms.review_dialog,
            "link": forms.link_dialog,
            "caused": forms.caused_dialog,
            "notice": forms.notice_dialog,
        }
        if what in dialogs:
            dialog = dialogs[what](found, login)
        else:
            dialog = forms.reason_dialog(found, login, what)
        self.app.push_screen(dialog, self.after_dialog)

    def done(self, result) -> None:
        self.query_one("#change-said").display = False
        if isinstance(result, changes.ChangeInfo):
            self.notify(f"{result.number}: {result.status_word}.", markup=False)
        elif isinstance(result, list):  # the register's lines
            self.notify("\n".join(result) or "Nothing on the register to change.", markup=False)
        self.load()

    def refused(self, problem: FitsDeskError) -> None:
        said = self.query_one("#change-said", Static)
        said.update(str(problem))
        said.display = True
        self.load()


def when_words(found) -> str:
    """A change's window in local words, or that it has none yet."""
    if found.window_start is None or found.window_end is None:
        return "not planned"
    return window_words(found.window_start, found.window_end)
