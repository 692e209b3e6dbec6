"""The notices the kiosks show: post, change and end them, a few keys each."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.db.errors import BadInput
from store.school import notices
from tui.dialogs.ask import Ask
from tui.messages import DataChanged
from tui.screens.common import KeyFooter, bar, local


def until_from(text: str) -> dt.datetime | None:
    """'' for no end, a day (through its end) or a day and time, local, as naive UTC."""
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        if len(cleaned) == 10:
            moment = dt.datetime.combine(
                dt.date.fromisoformat(cleaned) + dt.timedelta(days=1), dt.time()
            )
        else:
            moment = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        raise BadInput(
            "Give the end as a day, like 2026-12-01, or a day and time, like "
            "2026-12-01 15:30, or leave it empty."
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


class NoticesScreen(Screen):
    """Notices showing on the kiosks now."""

    BINDINGS = [
        Binding("a", "add", "Post", id="desk.notice_add"),
        Binding("e", "edit", "Change", id="desk.notice_edit"),
        Binding("w", "withdraw", "End", id="desk.notice_withdraw"),
        Binding("escape,q", "back", "Back", id="desk.back_notices"),
    ]

    def compose(self) -> ComposeResult:
        yield from bar(self.app, "Notices on the kiosks")
        yield Static(
            "What the kiosks are showing now. Post one when several people report the same thing.",
            id="explain",
        )
        yield DataTable(id="notices", cursor_type="row")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#notices", DataTable)
        table.add_column("No.", key="id", width=4)
        table.add_column("Where", key="where", width=8)
        table.add_column("Until", key="until", width=16)
        table.add_column("Notice", key="text")
        self.load()

    def load(self) -> None:
        self.app.run_store(notices.list_notices, self.show)

    def on_data_changed(self, _message: DataChanged) -> None:
        self.load()

    def show(self, found: list[notices.NoticeInfo]) -> None:
        self.found = {str(n.id): n for n in found}
        table = self.query_one("#notices", DataTable)
        table.clear()
        for notice in found:
            table.add_row(
                Text(str(notice.id)),
                Text(notice.location or "all"),
                Text(local(notice.until) if notice.until else "-"),
                Text(notice.text),
                key=str(notice.id),
            )
        table.focus()

    def chosen(self) -> notices.NoticeInfo | None:
        table = self.query_one("#notices", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.found.get(key)

    def action_add(self) -> None:
        me = self.app.me.login

        def act(v):
            return notices.add_notice(
                v["text"],
                location=v["location"].strip() or None,
                until=until_from(v["until"]),
                by=me,
            )

        self.app.push_screen(
            Ask(
                "Post a notice on the kiosks",
                [
                    Ask.text(
                        "text",
                        "Notice (pupils read this)",
                        "",
                        "Wi-Fi is down in the Library, we're on it",
                    ),
                    Ask.text("location", "Room code (empty: every kiosk)", "", "like LIB"),
                    Ask.text("until", "Until (empty: until you end it)", "", "2026-12-01 15:30"),
                ],
                act,
                ok="Post",
            ),
            self.reload,
        )

    def action_edit(self) -> None:
        notice, me = self.chosen(), self.app.me.login
        if notice is None:
            return

        def act(v):
            return notices.edit_notice(
                notice.id, text=v["text"], until=until_from(v["until"]), by=me
            )

        until = (
            notice.until.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")
            if notice.until
            else ""
        )
        self.app.push_screen(
            Ask(
                f"Change notice {notice.id}",
                [
                    Ask.text("text", "Notice", notice.text),
                    Ask.text("until", "Until (empty: until you end it)", until),
                ],
                act,
                ok="Save",
            ),
            self.reload,
        )

    def action_withdraw(self) -> None:
        notice, me = self.chosen(), self.app.me.login
        if notice is not None:
            self.app.run_store(lambda: notices.withdraw_notice(notice.id, by=me), self.reload)

    def reload(self, _result=None) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
