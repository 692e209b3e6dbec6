"""One problem: every field, the FITS resolver warning in words, its calls or its history
(keys 1-2, one table), and each step of its lifecycle a key.

Every action names the version shown, so a problem someone else has changed since is
refused (the dialog says so) and the page reloads with their change.
"""

from __future__ import annotations

import textwrap

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from store.db import journal
from store.db.errors import BadInput, FitsDeskError
from store.db.numbers import log_number, parse_reference
from store.problems import known_errors, problems
from store.records.problems import ACTIVE, STATUS_WORDS
from store.school import people
from store.servicedesk import incidents
from tui.dialogs.ask import Ask
from tui.screens.common import (
    KeyFooter,
    RecordScreen,
    bar,
    fitted,
    journal_time,
    local,
    references,
    view_keys,
)

VIEWS = {"calls": "Calls", "history": "History"}
"""The lists under a problem's details, a key apart (1-2)."""
CALL_COLUMNS = (
    ("number", "Number", 10),
    ("status", "Status", 11),
    ("location", "Where", 6),
    ("category", "What", 9),
    ("summary", "Summary", 0),
    ("requester", "Caller", 12),
    ("via", "Linked", 6),
)
WIDE_ONLY = {"category", "via"}
"""Columns left out below 100 characters."""
LABEL = 11
"""The width of the labels down the left, so the three blocks of fields line up."""
HISTORY_COLUMNS = (("at", "When", 16), ("who", "Who", 8), ("what", "What", 0))
WHEN = {
    "investigate": lambda p: p.status == "open",
    "link": lambda p: p.status in ACTIVE,
    "scope": lambda p: p.status != "closed",
    "cause": lambda p: p.status in ACTIVE,
    "publish": lambda p: p.status in ("open", "investigating", "known_error"),
    "unpublish": lambda p: p.public,
    "start_fix": lambda p: p.status in ACTIVE and p.status != "fix_in_progress",
    "owner": lambda p: p.status in ACTIVE,
    "resolver": lambda p: p.status in ACTIVE,
    "parent": lambda p: p.status != "closed",
    "edit": lambda p: p.status != "closed",
    "resolve": lambda p: p.status in ACTIVE,
    "close": lambda p: p.status != "closed",
    "reopen": lambda p: p.status in ("resolved", "closed"),
}
"""When each action makes sense; the footer offers only those (the store decides)."""
FIELD_WORDS = {
    "status": "status",
    "root_cause": "root cause",
    "workaround": "workaround",
    "public": "shown at the kiosks",
    "public_text": "words for the kiosks",
    "resolved_at": "resolved",
    "closed_at": "closed",
    "change_id": "change",
    "incident": "call",
    "location": "room",
    "category": "kind of fault",
    "asset": "device",
    "parent": "part of",
}


def call_cells(call: problems.LinkedCall) -> dict[str, Text]:
    return {
        "number": Text(call.number),
        "status": Text(call.status_word),
        "location": Text(call.location or "-"),
        "category": Text(call.category or "-"),
        "summary": Text(call.summary),
        "requester": Text(call.requester),
        "via": Text(call.via),
    }


def change_words(entry: journal.JournalEntry) -> Text:
    """A journal line about a problem, in words; people's text stays plain."""
    if entry.action == "raise":
        return Text(f"raised: {entry.after or ''}")
    if entry.action in ("close", "reopen") and entry.field == "reason":
        return Text(f"{entry.action}, because: {entry.after or ''}")
    if entry.field is None:
        return Text(entry.action)
    name = FIELD_WORDS.get(entry.field, entry.field.replace("_", " "))
    before, after = journal_time(entry.before) or "-", journal_time(entry.after) or "-"
    if entry.field == "status":
        before = STATUS_WORDS.get(before, before)
        after = STATUS_WORDS.get(after, after)
    if entry.action == "link":
        return Text(f"linked {after}")
    if entry.action == "unlink":
        return Text(f"unlinked {before}")
    if entry.action == "affects":
        return Text(f"affects {name} {after}")
    if entry.action == "no longer affects":
        return Text(f"no longer affects {name} {before}")
    line = " ".join((before if entry.before else "-", "→", after)).replace("\n", " / ")
    return Text(f"{name}: {line}")


def details(found: problems.ProblemInfo) -> Group:
    """Every field of the problem: the short ones in two pairs of columns so they fit
    80x24, the long words under them, full width."""
    pairs = Table.grid(padding=(0, 2))
    pairs.add_column(style="bold", no_wrap=True, min_width=LABEL)
    pairs.add_column(ratio=1)
    pairs.add_column(style="bold", no_wrap=True)
    pairs.add_column(ratio=1)
    major = Text("YES: a major incident", style="bold red") if found.major else Text("no")
    calls = len(found.incidents)
    affected = (
        f"{found.affected} {'person' if found.affected == 1 else 'people'}, "
        f"{calls} call{'' if calls == 1 else 's'}"
    )
    kiosks = "shown" if found.public else "not shown"
    change = log_number(found.change_id, "RFC") if found.change_id else "-"
    rows = [
        ("Status", Text(found.status_word), "Owner", Text(found.owner or "nobody")),
        ("Major", major, "Resolver", Text(found.resolver or "nobody named")),
        (
            "Affected",
            Text(affected),
            "Raised",
            Text(f"{local(found.created_at)}, {found.created_by}"),
        ),
        (
            "Where",
            Text(", ".join(found.locations) or "any room"),
            "What",
            Text(", ".join(found.categories) or "any kind"),
        ),
        ("Devices", Text(", ".join(found.assets) or "-"), "Kiosks", Text(kiosks)),
        ("Part of", Text(found.parent or "-"), "Parts", Text(", ".join(found.children) or "-")),
        ("Change", Text(change), "Origin", Text(found.origin_words or "raised by hand")),
    ]
    if found.resolved_at or found.closed_at:
        rows.append(
            ("Resolved", Text(local(found.resolved_at)), "Closed", Text(local(found.closed_at)))
        )
    for a, b, c, d in rows:
        pairs.add_row(a, b, c, d)
    words = Table.grid(padding=(0, 2))
    words.add_column(style="bold", no_wrap=True, min_width=LABEL)
    words.add_column(ratio=1)
    words.add_row("Root cause", Text(found.root_cause or "not known yet"))
    for line in earlier_words(found.earlier_root_causes):
        words.add_row("", line)
    words.add_row("Workaround", Text(found.workaround or "none yet"))
    for line in earlier_words(found.earlier_workarounds):
        words.add_row("", line)
    if found.public_text:
        words.add_row("For kiosks", Text(found.public_text))
    if found.description:
        words.add_row("Description", Text(found.description))
    title = Table.grid(padding=(0, 2))
    title.add_column(style="bold", no_wrap=True, min_width=LABEL)
    title.add_column(ratio=1)
    title.add_row("Title", Text(found.title, style="bold"))
    return Group(title, pairs, words)


SHOWN_EARLIER = 2
"""Earlier root causes or workarounds spelt out under the one it has now; the rest are
counted (all are in its history, key 2)."""


def earlier_words(earlier) -> list[Text]:
    """What a root cause or workaround said before, newest first, who wrote it and when."""
    lines = []
    for old in earlier[:SHOWN_EARLIER]:
        line = Text(f"earlier ({old.who}, {local(old.at)}): ", style="dim")
        line.append(old.text or "none")
        lines.append(line)
    if len(earlier) > SHOWN_EARLIER:
        lines.append(Text(f"and {len(earlier) - SHOWN_EARLIER} more in its history", style="dim"))
    return lines


def resolve_words(numbers: list[str]) -> str:
    """The open calls resolving a problem resolves, counted and named."""
    shown = ", ".join(numbers[:SHOWN_CALLS])
    if len(numbers) > SHOWN_CALLS:
        shown += f" and {len(numbers) - SHOWN_CALLS} more"
    count = "1 open call" if len(numbers) == 1 else f"{len(numbers)} open calls"
    words = (
        f"Its {count} ({shown}) will be resolved as fixed, and each caller asked to "
        "confirm. What the callers are told:"
    )
    return textwrap.fill(words, DIALOG_LINE)  # a dialog's label is one line unless broken


DIALOG_LINE = 64
"""Characters to a line of words in a dialog, which is 76 wide (tui/desk.tcss)."""


SHOWN_CALLS = 6
"""Calls named in the resolve dialog; any more are counted."""


def warning_words(found: problems.ProblemInfo) -> Text:
    """The FITS warnings, in words (not only a colour)."""
    text = Text()
    for line in found.warnings:
        text.append("WARNING: ", style="bold")
        text.append(line + "\n")
    text.rstrip()
    return text


class ProblemScreen(RecordScreen):
    """A problem and what can be done with it."""

    BINDINGS = [
        # The lifecycle's steps first; those with show=False are in F1 and the palette, so
        # that the rest fit at 80 columns (KeyFooter).
        Binding("i", "act('investigate')", "Investigate", id="desk.problem_investigate"),
        Binding("l", "act('link')", "Link calls", id="desk.problem_link", show=False),
        Binding("d", "act('cause')", "Root cause", id="desk.problem_cause"),
        Binding(
            "k",
            "act('publish')",
            "Known error",
            id="desk.problem_publish",
            tooltip="Publish its workaround to technicians, and words to the kiosks if you like",
        ),
        Binding("s", "act('start_fix')", "Start fix", id="desk.problem_fix", show=False),
        Binding("r", "act('resolve')", "Resolve", id="desk.problem_resolve"),
        Binding("c", "act('close')", "Close", id="desk.problem_close"),
        Binding("o", "act('reopen')", "Reopen", id="desk.problem_reopen"),
        Binding("u", "unlink", "Unlink call", id="desk.problem_unlink", show=False),
        Binding(
            "f",
            "act('scope')",
            "Affects",
            id="desk.problem_scope",
            show=False,
            tooltip="The rooms, kinds of fault and devices it affects",
        ),
        Binding("h", "act('unpublish')", "Off kiosks", id="desk.problem_unpublish", show=False),
        Binding("a", "act('owner')", "Owner", id="desk.problem_owner", show=False),
        Binding("v", "act('resolver')", "Resolver", id="desk.problem_resolver", show=False),
        Binding("p", "act('parent')", "Part of", id="desk.problem_parent", show=False),
        Binding("e", "act('edit')", "Edit", id="desk.problem_edit", show=False),
        Binding("escape,q", "back", "Back", id="desk.back_problem", show=False),
        *view_keys(VIEWS, "desk.problem_"),
    ]
    IF_ROOM = frozenset(
        {
            "desk.problem_link",
            "desk.problem_fix",
            "desk.problem_unlink",
            "desk.problem_scope",
            "desk.problem_unpublish",
            "desk.back_problem",
        }
    )
    """Keys shown in the footer only when there is room for them (KeyFooter)."""

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        """The problem shown."""
        self.problem: problems.ProblemInfo | None = None
        """The problem as last read, whose version every action names."""
        self.history: list[journal.JournalEntry] = []
        self.techs: list[tuple[str, str]] = []
        self.view = "calls"

    def compose(self) -> ComposeResult:
        yield from bar(self.app, self.number)
        yield Static(id="warnings", classes="problem")
        with VerticalScroll(id="problem-top"):
            yield Static(id="details")
        yield Static(id="lists")
        yield DataTable(id="linked", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#warnings").display = False
        self.query_one("#linked").focus()
        self.load()

    def load(self) -> None:
        number = self.number
        self.app.run_store(
            lambda: (
                problems.problem(number),
                problems.history(number),
                [(t.login, f"{t.full_name} ({t.login})") for t in people.list_technicians()],
            ),
            self.show,
            self.gone,
        )

    def gone(self, problem: FitsDeskError) -> None:
        self.app.say_problem(problem)
        if self.problem is None:
            self.app.pop_screen()

    def on_resize(self, _event) -> None:
        if self.problem is not None:
            self.fill()

    def show(self, result) -> None:
        found, self.history, self.techs = result
        changed = self.problem is not None and found.version != self.problem.version
        self.problem = found
        warnings = self.query_one("#warnings", Static)
        warnings.update(warning_words(found))
        warnings.display = bool(found.warnings)
        self.query_one("#details", Static).update(details(found))
        self.fill()
        self.refresh_bindings()
        if changed:
            who = self.history[-1].who if self.history else "someone"
            if who != self.app.me.login:
                self.notify(f"{found.number} was just changed by {who}.", markup=False)

    def show_views(self) -> None:
        """The lists' names and sizes, the one shown marked; each a key (1-2) or a click.
        The words are ours, so markup is safe here."""
        counts = {"calls": len(self.problem.incidents), "history": len(self.history)}
        parts = []
        for n, (view, words) in enumerate(VIEWS.items(), start=1):
            label = f" {n} {words} {counts[view]} "
            style = "bold reverse " if view == self.view else ""
            parts.append(f"[{style}@click=screen.view('{view}')]{label}[/]")
        self.query_one("#lists", Static).update("  ".join(parts))

    def fill(self) -> None:
        """Put the chosen list in the table, keeping the cursor on the same call."""
        self.show_views()
        table = self.query_one("#linked", DataTable)
        chosen = self.chosen_call()
        table.clear(columns=True)
        width = self.size.width or self.app.size.width
        if self.view == "calls":
            wanted = fitted(CALL_COLUMNS, WIDE_ONLY, width)
            for key, heading, size in wanted:
                table.add_column(heading, key=key, width=size)
            for call in self.problem.incidents:
                shown = call_cells(call)
                table.add_row(*(shown[k] for k, _h, _w in wanted), key=call.number)
            if chosen in table.rows:
                table.move_cursor(row=table.get_row_index(chosen))
        else:
            for key, heading, size in fitted(HISTORY_COLUMNS, WIDE_ONLY, width):
                table.add_column(heading, key=key, width=size)
            for n, entry in enumerate(self.history):
                table.add_row(
                    Text(local(entry.at)), Text(entry.who), change_words(entry), key=str(n)
                )

    def chosen_call(self) -> str | None:
        """The call under the cursor, when the table shows calls."""
        table = self.query_one("#linked", DataTable)
        if self.view != "calls" or not table.row_count or not table.columns:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key if key and key.startswith("INC-") else None

    def action_view(self, view: str) -> None:
        if view in VIEWS and view != self.view and self.problem is not None:
            self.view = view
            self.fill()
            self.refresh_bindings()

    @on(DataTable.RowSelected, "#linked")
    def open_chosen(self, event: DataTable.RowSelected) -> None:
        if self.view == "calls":
            self.app.open_call(event.row_key.value)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if self.problem is None:
            return action in ("back", "view")
        if action == "unlink":
            return self.problem.status != "closed" and bool(self.chosen_call())
        if action != "act":
            return True
        return bool(WHEN[parameters[0]](self.problem))

    # -- actions

    def action_unlink(self) -> None:
        number, found, me = self.chosen_call(), self.problem, self.app.me.login
        if not number or found is None:
            return
        ref, seen = found.number, found.version
        self.app.run_store(
            lambda: problems.unlink_incident(ref, number, by=me, seen_version=seen),
            lambda _done: self.said(f"{number} is no longer linked to {ref}."),
            self.refused,
        )

    def action_act(self, what: str) -> None:
        """Ask what the action needs, then do it through the store with this version."""
        found, me = self.problem, self.app.me.login
        if found is None or not WHEN[what](found):
            return
        ref, seen = found.number, found.version
        simple = {
            "investigate": lambda: problems.investigate(ref, by=me, seen_version=seen),
            "unpublish": lambda: known_errors.unpublish(ref, by=me, seen_version=seen),
        }
        if what in simple:
            self.app.run_store(simple[what], self.done, self.refused)
            return
        if what == "resolve":
            self.app.run_store(
                lambda: incidents.calls_resolved_with(ref),
                lambda numbers: self.app.push_screen(
                    resolve_dialog(ref, found, me, seen, numbers), self.after_dialog
                ),
                self.refused,
            )
            return
        self.app.push_screen(self.dialog(what, found, me, ref, seen), self.after_dialog)

    def dialog(self, what: str, found: problems.ProblemInfo, me: str, ref: str, seen: int) -> Ask:
        if what == "link":
            return Ask(
                f"Link calls to {ref}",
                [
                    Ask.text(
                        "calls",
                        "Calls: type or scan their numbers, with spaces between",
                        "",
                        "INC-000042 INC-000051",
                    )
                ],
                lambda v: problems.link_incidents(
                    ref, references(v["calls"]), by=me, seen_version=seen
                ),
                ok="Link",
            )
        if what == "scope":
            return Ask(
                f"What {ref} affects (empty: any)",
                [
                    Ask.text("rooms", "Rooms: their codes", " ".join(found.locations), "LIB S12"),
                    Ask.text(
                        "kinds",
                        "Kinds of fault, with commas",
                        ", ".join(found.categories),
                        "printer, network",
                    ),
                    Ask.text("devices", "Devices: their tags", " ".join(found.assets), "LAP-0042"),
                ],
                lambda v: problems.set_scope(
                    ref,
                    locations=references(v["rooms"]),
                    categories=[k.strip() for k in v["kinds"].split(",") if k.strip()],
                    assets=references(v["devices"]),
                    by=me,
                    seen_version=seen,
                ),
                ok="Save",
            )
        if what == "cause":
            return Ask(
                f"The root cause of {ref}",
                [Ask.text("cause", "Root cause, as far as it is known", found.root_cause)],
                lambda v: problems.record_cause(
                    ref, root_cause=v["cause"], by=me, seen_version=seen
                ),
                ok="Save",
            )
        if what == "publish":
            return Ask(
                f"Publish {ref} as a known error",
                [
                    Ask.text(
                        "workaround",
                        "Workaround: technicians see it on every linked and matching call",
                        found.workaround,
                        "Send to the Library printer, LIB-PRN",
                    ),
                    Ask.text(
                        "public_text",
                        "Words for the kiosks in its rooms (empty: technicians only)",
                        found.public_text,
                        "The S12 printer is broken; use the Library's",
                    ),
                ],
                lambda v: known_errors.publish(
                    ref,
                    workaround=v["workaround"],
                    public_text=v["public_text"].strip(),
                    by=me,
                    seen_version=seen,
                ),
                ok="Publish",
            )
        if what == "start_fix":

            def start(v):
                change = change_number(v["change"])
                return problems.start_fix(ref, change=change, by=me, seen_version=seen)

            return Ask(
                f"Start the fix for {ref}",
                [Ask.text("change", "The change that fixes it (optional)", "", "RFC-000003")],
                start,
                ok="Start",
            )
        if what in ("owner", "resolver"):
            now = found.owner if what == "owner" else found.resolver
            doing = problems.set_owner if what == "owner" else problems.set_resolver
            words = "owns" if what == "owner" else "will resolve"
            return Ask(
                f"Who {words} {ref}?",
                [Ask.choice("who", "Technician", self.techs, now or me)],
                lambda v: doing(ref, v["who"] or "", by=me, seen_version=seen),
                ok="Save",
            )
        if what == "parent":
            return Ask(
                f"Is {ref} part of a bigger problem?",
                [
                    Ask.text(
                        "parent",
                        "The bigger problem's number (empty: it stands alone)",
                        found.parent or "",
                        "PRB-000007",
                    )
                ],
                lambda v: problems.set_parent(
                    ref, v["parent"].strip() or None, by=me, seen_version=seen
                ),
                ok="Save",
            )
        if what == "edit":
            return Ask(
                f"Change {ref}",
                [
                    Ask.text("title", "Title", found.title),
                    Ask.text("description", "Description", found.description),
                    Ask.switch("major", "A major incident", found.major),
                ],
                lambda v: problems.edit(
                    ref,
                    title=v["title"],
                    description=v["description"],
                    major=bool(v["major"]),
                    by=me,
                    seen_version=seen,
                ),
                ok="Save",
            )
        if what == "close":
            label = (
                "Anything to add? (optional)"
                if found.status == "resolved"
                else "It is not resolved: why close it? (a duplicate, not a problem...)"
            )
            return Ask(
                f"Close {ref}",
                [Ask.text("reason", label)],
                lambda v: problems.close(ref, reason=v["reason"], by=me, seen_version=seen),
                ok="Close",
            )
        return Ask(
            f"Reopen {ref}",
            [Ask.text("reason", "Why? (the fault came back...)")],
            lambda v: problems.reopen(ref, v["reason"], by=me, seen_version=seen),
            ok="Reopen",
        )

    def done(self, result) -> None:
        if isinstance(result, tuple):  # resolved, with the calls resolved with it
            result, resolved = result
            if resolved:
                self.notify(
                    f"{result.number}: {result.status_word}, with "
                    f"{len(resolved)} call{'' if len(resolved) == 1 else 's'}.",
                    markup=False,
                )
                self.load()
                return
        if isinstance(result, problems.ProblemInfo):
            self.notify(f"{result.number}: {result.status_word}.", markup=False)
        self.load()

    def said(self, words: str) -> None:
        self.notify(words, markup=False)
        self.load()


def resolve_dialog(
    ref: str, found: problems.ProblemInfo, me: str, seen: int, numbers: list[str]
) -> Ask:
    """Resolve a problem, saying first which open calls are resolved with it (`numbers`)
    and offering to keep them open (docs/problems.md)."""
    fields = [Ask.text("cause", "Root cause", found.root_cause)]
    if numbers:
        fields += [
            Ask.text("fix", resolve_words(numbers), incidents.PROBLEM_FIXED),
            Ask.switch("keep", "Keep these calls open instead"),
        ]
    return Ask(
        f"Resolve {ref}: the cause is removed",
        fields,
        lambda v: incidents.resolve_problem(
            ref,
            root_cause=v["cause"],
            fix=v.get("fix"),
            keep_calls_open=bool(v.get("keep")),
            by=me,
            seen_version=seen,
        ),
        ok="Resolve",
    )


def change_number(typed: str) -> int | None:
    """'RFC-000003' or '3' as 3; '' as None."""
    typed = typed.strip()
    if not typed:
        return None
    try:
        return parse_reference(typed, "RFC").id
    except BadInput:
        raise BadInput("A change number looks like RFC-000003, or 3.") from None
