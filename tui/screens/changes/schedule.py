"""The forward schedule of change: four weeks of changes beside the school calendar, so
technicians and the committee see what goes in when, and what it is near.

Week by week, a line for each day: what kind of day it is (school, weekend, holiday,
INSET) and what is on (a half term, mock exams, a change freeze); under it, each change
whose window touches that day, with its times that day and its status. A change over
several days shows on each. Approved changes (scheduled and later) read plainly; those
still awaiting approval say "Proposed". Freezes and exams say so in words as well as
colour; quiet days are dim.

n and p move four weeks on and back, t comes back to today; Enter (or o) on a change
opens it. The calendar and the changes are read once each per four weeks shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from store.changes import changes, schedule
from store.records.changes import ChangeSummary
from store.school import calendar
from tui.messages import DataChanged
from tui.screens.common import KeyFooter, bar

DAYS = 28
"""How far the schedule looks: four weeks."""
DAY_WORDS = {"school": "School", "weekend": "Weekend", "holiday": "Holiday", "inset": "INSET"}
MARKED = {"freeze": ("Freeze: ", "bold red"), "exam": ("Exams: ", "bold yellow")}
"""Calendar events that stand out, with the word that says why (colour is not enough)."""
RANK = {"freeze": 0, "exam": 1}
"""When two events share a title, the one that matters more to a change wins."""
APPROVED = ("scheduled", "implemented", "registered", "closed", "backed_out")
"""Statuses a change reaches once approved to implement (or approved as an emergency)."""
GONE = ("cancelled", "rejected")
WIDE = 100
"""From this width a change's line also says who implements it and a risk above low."""
GUTTER = 4
"""The list's padding and scroll bar."""


@dataclass(frozen=True)
class Plan:
    """Four weeks as read from the store: the days, what kind each event is, the changes."""

    first: dt.date
    days: list[schedule.Day]
    kinds: dict[str, str]
    """An event's words as Day.events has them ("Mocks in HALL") -> its kind ("exam")."""
    changes: list[ChangeSummary]


def read_plan(first: dt.date, hidden: frozenset[str] = frozenset()) -> Plan:
    """The four weeks from `first`: one read of the days and what is on them (but the
    events of the `hidden` sources), one of the changes (in a worker thread)."""
    days = schedule.calendar_days(first, DAYS, hidden=hidden)
    start, end = calendar.day_span(days[0].date)[0], calendar.day_span(days[-1].date)[1]
    kinds: dict[str, str] = {}
    for day in days:
        for words, kind in zip(day.events, day.kinds, strict=True):
            if words not in kinds or RANK.get(kind, 9) < RANK.get(kinds[words], 9):
                kinds[words] = kind
    found = [c for c in changes.scheduled_between(start, end) if c.status not in GONE]
    return Plan(first, days, kinds, found)


def day_words(day: dt.date) -> str:
    """Mon 19 Oct."""
    return f"{day:%a} {day.day} {day:%b}"


def proposed(change: ChangeSummary) -> bool:
    """Still awaiting approval to implement."""
    return change.status not in APPROVED


def times_on(change: ChangeSummary, day: dt.date) -> str:
    """The part of a change's window on one local day: "16:00-18:00", "from 16:00",
    "until 07:00" or "all day"."""
    first, last = calendar.to_local(change.window_start), calendar.to_local(change.window_end)
    starts_today, ends_today = first.date() == day, last.date() == day
    if starts_today and ends_today:
        return f"{first:%H:%M}-{last:%H:%M}"
    if starts_today:
        return "all day" if first.time() == dt.time() else f"from {first:%H:%M}"
    if ends_today:
        return f"until {last:%H:%M}"
    return "all day"


def by_day(plan: Plan) -> dict[dt.date, list[ChangeSummary]]:
    """Each day's changes, earliest first: a change on every day its window touches."""
    shown = {d.date for d in plan.days}
    found: dict[dt.date, list[ChangeSummary]] = defaultdict(list)
    for change in plan.changes:
        for day in calendar.local_days(change.window_start, change.window_end):
            if day in shown:
                found[day].append(change)
    return found


def count_words(found: list[ChangeSummary]) -> str:
    """ "no changes", "1 change", "3 changes, 1 proposed"."""
    if not found:
        return "no changes"
    words = f"{len(found)} change{'s' if len(found) != 1 else ''}"
    waiting = sum(proposed(c) for c in found)
    return f"{words}, {waiting} proposed" if waiting else words


def week_line(monday: dt.date, found: list[ChangeSummary]) -> Text:
    line = Text(f"Week of {day_words(monday)}", style="bold")
    line.append(f"  ·  {count_words(found)}", style="" if found else "dim")
    return line


def day_line(day: schedule.Day, kinds: dict[str, str], busy: bool, today: dt.date) -> Text:
    """A day: its date, what kind of day, and what is on; dim when nothing is."""
    notable = [e for e in day.events if kinds.get(e) != "term"]
    quiet = not notable and not busy and day.date != today
    line = Text(style="dim" if quiet else "")
    line.append(f"{day_words(day.date):<11}", style="" if quiet else "bold")
    line.append(f"{DAY_WORDS.get(day.day, day.day.title()):<9}")
    for n, event in enumerate(notable):
        if n:
            line.append("  ·  ")
        label, style = MARKED.get(kinds.get(event, ""), ("", ""))
        line.append(label + event, style=style)
    if day.date == today:
        line.append("  ◀ today", style="bold")
    return line


def change_line(change: ChangeSummary, day: dt.date, width: int) -> Text:
    """A change under a day: number, its times that day, status, title (plain text, cut
    to fit), and on a screen `width` wide or more who implements it and a risk above low."""
    waiting = proposed(change)
    status = "Proposed" if waiting else change.status_word
    line = Text("  ")
    line.append(f"{change.number:<12}", style="bold")
    line.append(f"{times_on(change, day):<13}")
    line.append(f"{status:<13}", style="italic yellow" if waiting else "")
    title = Text(change.title, style="italic" if waiting else "")
    if waiting:
        title.append(f" ({change.status_word})", style="dim")
    if change.kind == "emergency":
        title.append(" (emergency)", style="dim")
    extra = Text()
    if width >= WIDE:
        extra.append(f"  {change.implementer or 'nobody named':<14}", style="dim")
        risk = f"{change.risk} risk" if change.risk != "low" else ""
        extra.append(f"{risk:<11}", style="bold" if change.risk == "high" else "")
    room = max(10, width - GUTTER - len(line) - len(extra))
    title.truncate(room, overflow="ellipsis")
    line.append_text(title)
    if extra:
        line.pad_right(max(0, room - len(title)))
        line.append_text(extra)
    return line


def schedule_lines(plan: Plan, today: dt.date, width: int) -> list[Option]:
    """The list's lines: a heading for each week (and the first, part, week), a line
    for each day, a line for each change on it."""
    daily = by_day(plan)
    lines: list[Option] = []
    for day in plan.days:
        if day.date == plan.first or day.date.weekday() == 0:
            monday = day.date - dt.timedelta(days=day.date.weekday())
            week = {
                c.id: c
                for d in plan.days
                if monday <= d.date < monday + dt.timedelta(days=7)
                for c in daily.get(d.date, ())
            }
            lines.append(Option(week_line(monday, list(week.values())), disabled=True))
        on_day = daily.get(day.date, [])
        lines.append(Option(day_line(day, plan.kinds, bool(on_day), today), id=f"day {day.date}"))
        for change in on_day:
            lines.append(
                Option(change_line(change, day.date, width), id=f"{change.number} {day.date}")
            )
    return lines


class ScheduleScreen(Screen):
    """The coming four weeks of changes beside the school calendar."""

    BINDINGS = [
        Binding("o", "open_change", "Open change", id="desk.schedule_open"),
        Binding("n,right", "move(1)", "Later", id="desk.schedule_next", tooltip="The next 4 weeks"),
        Binding(
            "p,left",
            "move(-1)",
            "Earlier",
            id="desk.schedule_previous",
            tooltip="The 4 weeks before",
        ),
        Binding("t", "today", "Today", id="desk.schedule_today"),
        Binding(
            "h",
            "hide",
            "Calendars",
            id="desk.schedule_hide",
            tooltip="Hide a calendar from the schedule, or show it again",
        ),
        Binding("escape,q", "back", "Back", id="desk.back_schedule"),
    ]

    def __init__(self, start: dt.date | None = None) -> None:
        super().__init__()
        self.first = start
        """The first day shown (today, once the screen knows the desk's clock)."""
        self.plan: Plan | None = None
        self.width = 0
        self.hidden: frozenset[str] = frozenset()
        """The imported sources whose events are not shown (this screen only)."""

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Schedule of change")
        yield Static(id="schedule-said", markup=False)
        yield OptionList(id="schedule", markup=False, compact=True)
        yield KeyFooter()

    def today(self) -> dt.date:
        return calendar.to_local(self.app.now()).date()

    def on_mount(self) -> None:
        if self.first is None:
            self.first = self.today()
        self.query_one("#schedule").focus()
        self.load()

    def on_resize(self, _event) -> None:
        if self.plan is not None and self.app.size.width != self.width:
            self.fill()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        """Back from a change (approved, moved or cancelled there): read it all again."""
        if self.plan is not None:
            self.load()

    def load(self) -> None:
        first = self.first
        if self.plan is None or self.plan.first != first:
            self.query_one("#schedule-said", Static).update("Reading the calendar…")
        hidden = self.hidden
        self.app.run_store(lambda: read_plan(first, hidden), self.show, self.failed)

    def failed(self, problem) -> None:
        """Say why in one sentence, and show no days rather than the wrong ones."""
        self.plan = None
        self.query_one("#schedule", OptionList).clear_options()
        self.query_one("#schedule-said", Static).update(f"Could not read the schedule: {problem}")
        self.refresh_bindings()

    def show(self, plan: Plan) -> None:
        if plan.first != self.first:
            return  # the technician has moved on
        moved = self.plan is None or self.plan.first != plan.first
        self.plan = plan
        last = plan.days[-1].date
        self.query_one("#schedule-said", Static).update(
            f"{day_words(plan.first)} to {day_words(last)} {last.year}: "
            f"{count_words(plan.changes)}."
            + (" Enter opens one." if plan.changes else "")
            + (f" Hidden: {', '.join(sorted(self.hidden))} (h)." if self.hidden else "")
        )
        self.fill(moved)

    def fill(self, moved: bool = False) -> None:
        """Draw the plan, keeping the chosen line (or, four weeks on, today's or the first)."""
        listing = self.query_one("#schedule", OptionList)
        chosen = None if moved else self.chosen_id()
        self.width = self.app.size.width
        today = self.today()
        listing.set_options(schedule_lines(self.plan, today, self.width))
        for wanted in (chosen, f"day {today}", f"day {self.plan.first}"):
            try:
                listing.highlighted = listing.get_option_index(wanted or "")
                break
            except OptionDoesNotExist:
                continue
        if moved:
            listing.scroll_to(y=0, animate=False)
            listing.scroll_to_highlight()
        self.refresh_bindings()

    def chosen_id(self) -> str | None:
        option = self.query_one("#schedule", OptionList).highlighted_option
        return option.id if option is not None else None

    def chosen_change(self) -> str | None:
        """The number of the change on the highlighted line, if it is one."""
        chosen = self.chosen_id()
        if chosen is None or chosen.startswith("day "):
            return None
        return chosen.split(" ")[0]

    @on(OptionList.OptionHighlighted, "#schedule")
    def moved_to(self, _event) -> None:
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#schedule")
    def selected(self, _event) -> None:
        self.action_open_change()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "open_change":
            return self.chosen_change() is not None
        return True

    def action_open_change(self) -> None:
        number = self.chosen_change()
        if number is None:
            return
        from tui.screens.changes.change import ChangeScreen

        self.app.push_screen(ChangeScreen(number))

    def action_move(self, weeks: int) -> None:
        self.first += dt.timedelta(days=DAYS * weeks)
        self.load()

    def action_today(self) -> None:
        self.first = self.today()
        self.load()

    def action_hide(self) -> None:
        """Choose an imported calendar to hide, or to show again."""
        from store.school import calendar as school_calendar
        from tui.dialogs.ask import Ask

        def chosen(values: dict | None) -> None:
            if values and values.get("source") is not None:
                source = values["source"]
                self.hidden = self.hidden ^ {source}
                self.load()

        def ask(found: list[tuple[str, int]]) -> None:
            found = [(name, count) for name, count in found if name not in ("desk", "")]
            if not found:
                self.notify("Nothing has been imported into the calendar.", markup=False)
                return
            choices = [
                (name, f"{'Show' if name in self.hidden else 'Hide'} {name} ({count} events)")
                for name, count in found
            ]
            self.app.push_screen(
                Ask("Hide or show a calendar", [Ask.choice("source", "Which", choices)],
                    lambda values: values, ok="Hide or show"),
                chosen,
            )  # fmt: skip

        self.app.run_store(school_calendar.sources, ask)

    def action_back(self) -> None:
        self.app.pop_screen()
