"""The queue: the views of calls with their counts, search, filters and sorting; calls
marked (space) to raise one problem with them all (p)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static, Tab, Tabs

from store.db.errors import BadInput, FitsDeskError
from store.db.numbers import parse_reference
from store.servicedesk import queues
from store.servicedesk.queues import Filters
from tui.messages import DataChanged
from tui.screens.common import (
    COLUMNS,
    DUE_STYLES,
    ListScreen,
    row,
    set_columns,
    short_due,
    view_keys,
)
from tui.widgets.inputs import PlainInput
from tui.widgets.tables import Table

PAGE = 100
FIRST_PAGE = 60
"""Enough to fill a tall terminal; the rest follow as the technician moves down."""
DUE_S = 60.0
"""How often the queue reads its first page again while shown, so the time left on each
call (the Due column) moves on as time passes, not only when the data changes."""


MARK = "✓"
"""Before a marked call's summary, and before the count of marked calls."""


def same(old: object, new: Text) -> bool:
    """Whether a cell shows the same: its words, style and spans (Text's == leaves out
    the style)."""
    return isinstance(old, Text) and (old.plain, old.style, old.spans, old.justify) == (
        new.plain,
        new.style,
        new.spans,
        new.justify,
    )


def marked_summary(summary: str, style: str = "") -> Text:
    """A marked call's summary: the mark, then the words, never markup."""
    text = Text(f"{MARK} ", style=f"bold {style}".strip())
    text.append(summary, style=style)
    return text


def outbox_words(counts: dict[str, int], key: str = "m") -> str:
    """The queue's word on the outbox, "2 emails were not sent: m to see them", when
    messages failed, are held or may have gone (a person must look), with the key that
    opens the outbox; "" otherwise (waiting is normal, and store.records.outbox.counts
    leaves cancelled ones out). Short, to fit beside the search box."""
    from store.records.outbox import NEED_A_PERSON

    stuck = sum(counts.get(status, 0) for status in NEED_A_PERSON)
    if not stuck:
        return ""
    if stuck == 1:
        return f"1 email was not sent: {key} to see it"
    return f"{stuck:,} emails were not sent: {key} to see them"


class QueueScreen(ListScreen):
    """Every view of the queue, a key apart."""

    TABLE = "calls"

    BINDINGS = [
        Binding("slash", "search", "Search", id="desk.search"),
        Binding("f", "filter", "Filter", id="desk.filter"),
        Binding("o", "sort", "Sort", id="desk.sort"),
        Binding("t", "take", "Take", id="desk.take"),
        Binding(
            "space",
            "mark",
            "Mark",
            id="desk.mark",
            show=False,  # the footer keeps room for Log a call at 80 columns; F1 names it
            tooltip="Mark or unmark the chosen call, to raise one problem with all those marked",
        ),
        Binding(
            "p",
            "raise_marked",
            "Problem from marked",
            id="desk.raise_marked",
            tooltip="Raise a problem with every marked call linked to it",
        ),
        Binding("r", "refresh", "Refresh", id="desk.refresh", show=False),
        # Named on the line beside the search box when there is something to see there:
        Binding("m", "app.outbox", "Outbox", id="desk.outbox", show=False),
        Binding("k", "app.kiosks", "Kiosks", id="desk.kiosks", show=False),
        Binding("a", "app.audit", "Security audit", id="desk.audit", show=False),
        Binding("escape", "clear", "Clear the search or marks", id="desk.clear", show=False),
        *view_keys(queues.VIEWS, "desk.view_"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "open"
        """The view shown."""
        self.sort: str | None = None
        """The column sorted by, or None for the view's own order."""
        self.descending = False
        self.filters = Filters()
        self.searching: str | None = None
        """The words searched for, while the table shows search results."""
        self.loaded = 0
        """How many rows the table holds."""
        self.more = False
        """Whether there may be more rows to load."""
        self.summaries: dict[str, str] = {}
        """Each loaded call's summary, by number, to mark it in the table."""
        self.tints: dict[str, str] = {}
        """Each loaded call's row style when it is near or past a target (DUE_STYLES)."""
        self.marked: dict[str, str] = {}
        """The calls marked for a problem, in the order marked, with their summaries."""
        self.votes = 0
        """How many changes await my vote, for a member of the change committee."""
        self.mail = ""
        """What the outbox needs a person for, in words; "" when nothing."""
        self.security = ""
        """For a manager, how many refused actions they have not read, in words."""
        self.kiosks = ""
        """Which kiosks are full (sending no more reports), in words."""
        self.reminders = ""
        """Licences to renew and continuity plans to see to, in words (F7)."""
        self.said: str | None = None
        """What the line beside the search box says now."""

    def compose(self) -> ComposeResult:
        yield from self.list_parts("Queue", queues.VIEWS, "Search calls, or type a number (/)")

    def on_mount(self) -> None:
        self.keys = set_columns(self.query_one("#calls", DataTable), self.app.size.width)
        self.query_one("#calls").focus()
        # The first page is read here, before the first paint, so the desk opens full; an
        # index answers it in a few milliseconds even at a million calls. The counts, which
        # take longer there, follow from a worker, as every later load does.
        try:
            self.show(self.fetch(more=False, limit=FIRST_PAGE, counted=False), more=False)
        except FitsDeskError as problem:
            self.app.say_problem(problem)
        # The counts and the lines beside the search box follow the first paint: their
        # workers would otherwise take turns with it for the interpreter.
        self.call_after_refresh(self.count_everything)
        self.set_interval(DUE_S, self.time_passes)

    def count_everything(self) -> None:
        """The views' counts, and what the line beside the search box says."""
        self.count()
        self.count_votes()
        self.count_mail()
        self.count_refusals()
        self.count_full_kiosks()
        self.count_reminders()

    def time_passes(self) -> None:
        """Read the first page (or the search's matches) again, for the time left on each
        call, while it is shown."""
        if self.app.screen is self:
            job = self.fetch_later(more=False, counted=False)
            self.app.run_store(job, lambda result: self.show(result, more=False))

    def count(self) -> None:
        """Put each view's count on its tab."""
        me, narrowed = self.app.me.login, self.filters or None
        self.app.run_store(lambda: queues.counts(me, narrowed), self.show_counts)

    def count_votes(self) -> None:
        """How many changes await my vote, if I am on the change committee."""
        if "committee" not in self.app.me.roles:
            return
        from store.changes import changes

        me = self.app.me.login

        def counted(n: int) -> None:
            self.votes = n
            self.say_narrowed()

        self.app.run_store(lambda: len(changes.awaiting_vote(me)), counted)

    def count_mail(self) -> None:
        """Say what waits in the outbox, when some of it needs a person."""

        key = self.key_for("app.outbox")

        def job() -> str:
            from store.records import outbox  # in the worker: not before the first screen

            return outbox_words(outbox.counts(), key)

        def counted(words: str) -> None:
            self.mail = words
            self.say_narrowed()

        self.app.run_store(job, counted)

    def count_refusals(self) -> None:
        """How many refused actions a manager has not read yet."""
        if not self.app.me.can("manager"):
            return
        from store.school import audit
        from tui.screens.school.audit import audit_words

        me, key = self.app.me.login, self.key_for("app.audit")

        def counted(words: str) -> None:
            self.security = words
            self.say_narrowed()

        self.app.run_store(lambda: audit_words(audit.unread(by=me), key), counted)

    def count_full_kiosks(self) -> None:
        """Say which kiosks are full, so a technician can let them take more."""
        key = self.key_for("app.kiosks")

        def job() -> str:
            from store.servicedesk import callers
            from tui.screens.school.kiosks import full_words

            return full_words(callers.kiosk_reports(), key)

        def counted(words: str) -> None:
            self.kiosks = words
            self.say_narrowed()

        self.app.run_store(job, counted)

    def count_reminders(self) -> None:
        """Say how many licences are due for renewal and plans need seeing to (F7)."""
        me, url = self.app.me.login, self.app.db_url

        def job() -> str:
            from store.db import journal
            from store.school import calendar
            from tui.screens.school.reminders import gather, reminder_words

            return reminder_words(gather(me, calendar.to_local(journal.now()).date(), url))

        def counted(words: str) -> None:
            self.reminders = words
            self.say_narrowed()

        self.app.run_store(job, counted)

    def key_for(self, action: str) -> str:
        """The key that does `action` on the queue, as the footer shows keys (a school's
        keymap may have changed it)."""
        for _key, binding in self._bindings:
            if binding.action == action:
                return self.app.get_key_display(binding)
        return "?"

    def on_screen_resume(self) -> None:
        self.count_votes()  # back from the changes, where a vote may have been cast
        self.count_refusals()  # back from the audit, which marks it read
        self.count_full_kiosks()  # back from the kiosks, which may have let one take more

    def show_counts(self, counts: dict[str, int]) -> None:
        tabs = self.query_one("#views", Tabs)
        for view, words in queues.VIEWS.items():
            tab, label = tabs.query_one(f"#{view}", Tab), f"{words} {counts[view]:,}"
            if str(tab.label) != label:  # a new label lays the tabs out again: only if it moved
                tab.label = label

    def on_resize(self, event) -> None:
        keys = set_columns(self.query_one("#calls", DataTable), event.size.width)
        if keys != self.keys:
            self.keys = keys
            self.load()
        self.call_after_refresh(self.say_narrowed)  # the line beside the search may not fit

    # -- loading

    def load(self, *, more: bool = False) -> None:
        """Fill the table from the start, or add the next page, in a worker."""
        job = self.fetch_later(more=more)
        self.app.run_store(job, lambda result: self.show(result, more=more))
        if not more:
            self.count_votes()
            self.count_mail()
            self.count_refusals()
            self.count_full_kiosks()

    def fetch(self, *, more: bool, limit: int = PAGE, counted: bool = True):
        """(counts or None, calls, how each stands against its targets) for the table as
        it should be now: the targets worked out for this page alone."""
        return self.fetch_later(more=more, limit=limit, counted=counted)()

    def fetch_later(self, *, more: bool, limit: int = PAGE, counted: bool = True):
        """The store calls that `fetch` makes, with what they need taken now."""
        offset = self.loaded if more else 0
        me, view, sort, descending = self.app.me.login, self.view, self.sort, self.descending
        narrowed, words = self.filters or None, self.searching
        now = self.app.now()

        def job():
            counts = queues.counts(me, narrowed) if counted and not more else None
            if words:
                found = queues.search(words, filters=narrowed, limit=limit)
                return counts, found, queues.due_states(found, now)
            found = queues.page(
                view,
                me=me,
                sort=sort,
                descending=descending,
                filters=narrowed,
                offset=offset,
                limit=limit,
            )
            return counts, found, queues.due_states(found, now)

        return job

    def show(self, result, *, more: bool) -> None:
        if not self.query("#calls"):  # a late answer while the screen is being taken down
            return
        counts, found, dues = result
        table = self.query_one("#calls", Table)
        now, short = self.app.now(), short_due(self.app.size.width)
        keep = table.cursor_row if not more else None
        chosen = self.chosen()
        numbers = [call.number for call in found]
        if not more and numbers == [r.key.value for r in table.ordered_rows]:
            self.redraw_changed(table, found, dues, now, short)  # a line, not the table
            self.after_load(counts, len(found), len(found))
            return
        if not more and table.row_count and "number" in self.keys:
            self.rearrange(table, found, dues, now, short)
            if chosen in table.rows:
                table.move_cursor(row=table.get_row_index(chosen))
            elif table.row_count:
                table.move_cursor(row=min(keep, table.row_count - 1))
            self.after_load(counts, len(found), len(found))
            return
        if not more:
            table.clear()
            self.loaded = 0
            self.summaries, self.tints = {}, {}
        for call in found:
            if call.number not in table.rows:
                table.add_row(*self.cells_of(call, dues, now, short), key=call.number)
        if not more and table.row_count:
            if chosen in table.rows:
                table.move_cursor(row=table.get_row_index(chosen))
            elif keep is not None:
                table.move_cursor(row=min(keep, table.row_count - 1))
        self.after_load(counts, self.loaded + len(found), len(found))

    def cells_of(self, call, dues, now, short: bool) -> list[Text]:
        """A call's row, its summary marked if it is; noted for marking it later."""
        due = dues.get(call.number)
        cells = row(call, self.keys, now, due, short)
        self.summaries[call.number] = call.summary
        self.tints[call.number] = tint = DUE_STYLES.get(due.state, "") if due else ""
        if call.number in self.marked:
            cells[self.keys.index("summary")] = marked_summary(call.summary, tint)
        return cells

    def redraw_changed(self, table: Table, found, dues, now, short: bool) -> None:
        """The same calls in the same order: put in only the cells that changed, so one
        row is redrawn, not every row on screen (bench/desk_bytes.py)."""
        for call in found:
            was = table.get_row(call.number)
            cells = self.cells_of(call, dues, now, short)
            pairs = zip(self.keys, was, cells, strict=True)
            changed = {key: new for key, old, new in pairs if not same(old, new)}
            if changed:
                table.set_row(call.number, changed)

    def rearrange(self, table: Table, found, dues, now, short: bool) -> None:
        """Some calls came or went: take out those gone, change what changed, add the
        new, and put the rows in the new order, all in one redraw of the table (clearing
        it and filling it again took three: bench/desk_bytes.py)."""
        numbers = {call.number: at for at, call in enumerate(found)}
        for shown in list(table.ordered_rows):
            if shown.key.value not in numbers:
                table.remove_row(shown.key)
                self.summaries.pop(shown.key.value, None)
                self.tints.pop(shown.key.value, None)
        self.redraw_changed(table, [c for c in found if c.number in table.rows], dues, now, short)
        for call in found:
            if call.number not in table.rows:
                table.add_row(*self.cells_of(call, dues, now, short), key=call.number)
        table.sort("number", key=lambda number: numbers[number.plain])

    def after_load(self, counts, loaded: int, page: int) -> None:
        """Note how many rows the table holds, of a page of `page`; show the counts."""
        self.loaded = loaded
        self.more = not self.searching and page in (PAGE, FIRST_PAGE)
        if counts:
            self.show_counts(counts)
        self.say_narrowed()

    def say_narrowed(self) -> None:
        if not self.query("#narrowed"):  # a late answer while the screen is being taken down
            return
        parts = []
        if self.searching:
            n = self.loaded
            found = f"the first {n}" if n >= PAGE else f"{n} call{'' if n == 1 else 's'}"
            parts.append(f"Best matches for: {self.searching}, {found}  (Esc: back to the queue)")
        if self.filters:
            shown = ", ".join(f"{k} {v}" for k, v in vars(self.filters).items() if v is not None)
            parts.append(f"Only {shown}")
        if self.sort:
            parts.append(f"By {self.sort}{' (reversed)' if self.descending else ''}")
        if self.marked:
            parts.append(f"{MARK} {len(self.marked)} marked (p: raise a problem with them)")
        if self.votes:
            waits = "change awaits" if self.votes == 1 else "changes await"
            keys = [k for k, b in self.app.active_bindings.items() if b.binding.action == "changes"]
            said = f"{self.votes} {waits} your vote"
            how = f" ({keys[0]}: Changes)" if keys else ""
            short = f"{said} ({keys[0]})" if keys else said
            parts.append(said + how if len(said + how) <= self.room() else short)
        if self.mail:
            parts.append(self.mail)
        if self.security:
            parts.append(self.security)
        if self.kiosks:
            parts.append(self.kiosks)
        if self.reminders:
            parts.append(self.reminders)
        self.say(parts)

    def room(self) -> int:
        """How many characters fit on the line beside the search box."""
        narrowed = self.query_one("#narrowed", Static)
        return narrowed.content_size.width or self.app.size.width - 42  # the search box: 40

    def say(self, parts: list[str]) -> None:
        """The parts on the line beside the search box, or a line each (up to 4 lines)
        when they do not fit there; the table moves down for them."""
        narrowed = self.query_one("#narrowed", Static)
        room = self.room()
        one_line = "   ".join(parts)
        fits = len(one_line) <= room
        said = one_line if fits else "\n".join(parts)
        if said == self.said:  # each count's answer comes here: redraw only what changed
            return
        self.said = said
        narrowed.update(said)
        find = self.query_one("#find")
        find.styles.height = 1 if fits else "auto"
        find.styles.max_height = 4

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()  # a search's matches too, as the plain queue (docs/architecture.md)

    # -- moving about

    def view_switched(self) -> None:
        self.searching = None

    @on(DataTable.RowHighlighted, "#calls")
    def near_the_end(self, event: DataTable.RowHighlighted) -> None:
        if self.more and event.cursor_row >= self.loaded - 10:
            self.more = False  # one page at a time
            self.load(more=True)

    @on(DataTable.RowSelected, "#calls")
    def open_chosen(self, event: DataTable.RowSelected) -> None:
        self.app.open_call(event.row_key.value)

    @on(DataTable.HeaderSelected, "#calls")
    def sort_by_header(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        self.descending = not self.descending if self.sort == key else False
        self.sort = key
        self.load()

    @on(PlainInput.Submitted, "#search")
    def search(self, event: PlainInput.Submitted) -> None:
        typed = event.value.strip()
        if not typed:
            self.action_clear()
            return
        try:
            parse_reference(typed)
        except BadInput:
            pass
        else:  # a number, or a scanned receipt: straight to the call
            from store.servicedesk import servicedesk

            self.app.run_store(
                lambda: servicedesk.find_call(typed), lambda call: self.app.open_call(call.number)
            )
            return
        try:
            queues.words(typed)
        except FitsDeskError as problem:
            self.app.say_problem(problem)
            return
        self.searching = typed
        self.load()
        self.query_one("#calls").focus()

    def action_clear(self) -> None:
        if self.searching or self.query_one("#search", PlainInput).value:
            self.searching = None
            self.query_one("#search", PlainInput).value = ""
            self.load()
        elif self.marked:
            self.unmark_all()
        self.query_one("#calls").focus()

    # -- marking calls for a problem

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "raise_marked":
            return bool(self.marked)
        return True

    def action_mark(self) -> None:
        """Mark the chosen call (or unmark it) and move down, to mark the next."""
        number = self.chosen()
        if number is None:
            return
        table = self.query_one("#calls", Table)
        summary, tint = self.summaries.get(number, ""), self.tints.get(number, "")
        if number in self.marked:
            del self.marked[number]
            table.set_row(number, {"summary": Text(summary, style=tint)})
        else:
            self.marked[number] = summary
            table.set_row(number, {"summary": marked_summary(summary, tint)})
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self.say_narrowed()
        self.refresh_bindings()

    def unmark_all(self) -> None:
        table = self.query_one("#calls", Table)
        for number in self.marked:
            if number in table.rows:
                summary, tint = self.summaries.get(number, ""), self.tints.get(number, "")
                table.set_row(number, {"summary": Text(summary, style=tint)})
        self.marked = {}
        self.say_narrowed()
        self.refresh_bindings()

    def action_raise_marked(self) -> None:
        from tui.screens.problems.problems import raise_dialog

        if not self.marked:
            return
        calls = list(self.marked)
        dialog = raise_dialog(self.app.me.login, calls=calls, title=self.marked[calls[0]])
        self.app.push_screen(dialog, self.raised)

    def raised(self, found) -> None:
        if found is None:
            return
        self.unmark_all()
        self.notify(f"{found.number} raised with {len(found.incidents)} calls.", markup=False)
        self.app.open_problem(found.number)

    def action_refresh(self) -> None:
        self.load()

    def action_take(self) -> None:
        from tui.screens.servicedesk.incident import take_call  # kept off the desk's start

        number = self.chosen()
        if number:
            take_call(
                self,
                number,
                None,
                lambda call: self.app.notify(f"{call.number} is yours.", markup=False),
                self.app.say_problem,
            )

    def action_sort(self) -> None:
        from tui.dialogs.ask import Ask

        words = {"priority": "Priority"}  # the column's heading is only P
        choices = [("", "The view's own order")] + [
            (key, words.get(key, heading)) for key, heading, _w in COLUMNS
        ]

        def act(values):
            return values["column"] or None, bool(values["reversed"])

        self.app.push_screen(
            Ask(
                "Sort the queue",
                [
                    Ask.choice("column", "By", choices, self.sort or "", listed=True),
                    Ask.switch("reversed", "Reversed", self.descending),
                ],
                act,
            ),
            self.sorted,
        )

    def sorted(self, chosen) -> None:
        if chosen:
            self.sort, self.descending = chosen
            self.load()

    def action_filter(self) -> None:
        from tui.screens.servicedesk.log_call import category_choices

        self.app.run_store(category_choices, self.ask_filter)

    def ask_filter(self, kinds: list[tuple[str, str]]) -> None:
        """The filter's form, its category picked by its words from `kinds`."""
        from tui.dialogs.ask import Ask

        current = self.filters

        def act(values):
            priority = values["priority"].strip().upper().removeprefix("P")
            if priority and not priority.isdigit():
                raise BadInput("A priority is a number from 1 to 5.")
            narrowed = Filters(
                location=values["location"].strip() or None,
                category=values["category"].strip() or None,
                priority=int(priority) if priority else None,
                channel=values["channel"].strip().lower() or None,
                asset=values["asset"].strip() or None,
            )
            queues.counts(self.app.me.login, narrowed or None)  # refuses what cannot be
            return narrowed

        fields = [
            Ask.text("location", "Room code", current.location or "", "like LIB"),
            Ask.pick("category", "Category", kinds, current.category or "", "like print"),
            Ask.text("priority", "Priority", str(current.priority or ""), "1 to 5"),
            Ask.text(
                "channel", "Channel", current.channel or "", "kiosk, phone, visit, email or desk"
            ),
            Ask.text("asset", "Device tag", current.asset or "", "like LAP-0042"),
        ]
        self.app.push_screen(Ask("Show only calls...", fields, act, ok="Filter"), self.filtered)

    def filtered(self, narrowed: Filters | None) -> None:
        if narrowed is not None:
            self.filters = narrowed
            self.load()
