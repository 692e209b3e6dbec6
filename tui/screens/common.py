"""What the desk's screens share: the top bar, and how a call reads in a table row."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from store.records import Call

PRIORITY_STYLES = {1: "bold red", 2: "bold yellow", 3: "", 4: "dim", 5: "dim"}


def bar(app, right: str = "") -> ComposeResult:
    """The line at the top: FITS Desk, who is at it, and what this screen is."""
    who = f"{app.me.full_name} ({app.me.login})" if app.me else ""
    line = Text("FITS Desk", style="bold")
    line.append(f"  ·  {who}")
    if right:
        line.append(f"  ·  {right}")
    yield Static(line, id="bar")


def age(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """How long ago, shortly: 5m, 3h, 2d, 6w."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    minutes = max(0, int((now - moment).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    if minutes < 14 * 24 * 60:
        return f"{minutes // (24 * 60)}d"
    return f"{minutes // (7 * 24 * 60)}w"


def local(moment: dt.datetime | None) -> str:
    """A stored UTC time in the server's local time, to the minute."""
    if moment is None:
        return "-"
    return moment.replace(tzinfo=dt.UTC).astimezone().strftime("%a %d %b %H:%M")


def row(call: Call, now: dt.datetime | None = None) -> list[Text]:
    """A call as table cells, every one plain Text: people's words are never markup."""
    return [
        Text(call.number),
        Text(age(call.logged_at, now), justify="right"),
        Text(call.priority_label, style=PRIORITY_STYLES[call.priority]),
        Text(call.status_word),
        Text(call.location or "-"),
        Text(call.category or "-"),
        Text(call.summary),
        Text(call.assignee or "-"),
    ]
