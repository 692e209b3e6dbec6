"""The dialogs of a change's page: planning it (the window in local time), a committee
member's vote, the peer review, implementing, backing out, the review, cancelling,
linking a problem and rewording its notice.

Each dialog runs its store call with the version the page showed, so a change someone
else has moved on since is refused in the dialog, and nothing is half-done.
"""

from __future__ import annotations

import datetime as dt
import re

from store.changes import changes
from store.db.errors import BadInput
from store.db.sanitise import shown
from store.records.changes import STAGE_WORDS, VOTE_WORDS
from store.school.calendar import to_local, to_utc
from tui.dialogs.ask import Ask

LOCAL = "%Y-%m-%d %H:%M"
"""How the desk writes a window's ends: local wall-clock time, to the minute."""
TYPED_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+|\s*)(\d{1,2})[:.](\d{2})")
OUTCOME_WORDS = {
    "succeeded": "Succeeded",
    "failed": "Failed",
    "backed_out": "Backed out",
}


def local_text(moment: dt.datetime | None) -> str:
    """A stored (naive UTC) time as the plan form shows it: "2026-10-14 16:00"."""
    return "" if moment is None else to_local(moment).strftime(LOCAL)


def typed_time(text: str, what: str) -> dt.datetime:
    """A local time typed as "2026-10-14 16:00", as naive UTC; BadInput otherwise."""
    match = TYPED_TIME.fullmatch(text.strip())
    if match is None:
        raise BadInput(f"The window's {what} must be a time like 2026-10-14 16:00.")
    try:
        local = dt.datetime(*(int(part) for part in match.groups()))
    except ValueError:
        raise BadInput(f"'{shown(text.strip())}' is not a date and time that exists.") from None
    return to_utc(local)


def typed_window(
    start: str, end: str, found: changes.ChangeInfo
) -> tuple[dt.datetime, dt.datetime] | None:
    """The window typed in the plan form as naive UTC, or None when it is as it was
    (or still empty), so an old window is not checked again."""
    start, end = start.strip(), end.strip()
    if (start, end) == (local_text(found.window_start), local_text(found.window_end)):
        return None
    if not start or not end:
        missing = "start" if not start else "end"
        raise BadInput(f"Give the window's {missing} too, like 2026-10-14 16:00.")
    return typed_time(start, "start"), typed_time(end, "end")


def _changed(value: str, now: str) -> str | None:
    return None if value.strip() == now.strip() else value


def _changed_list(value: list[str], now: tuple[str, ...]) -> list[str] | None:
    return None if [v.casefold() for v in value] == [v.casefold() for v in now] else value


def plan_dialog(found: changes.ChangeInfo, me: str) -> Ask:
    """Plan and prepare: the plans, the window in local time, the people, where and what."""
    ref, seen = found.number, found.version
    normal = found.kind == "normal"

    def act(v):
        reviewer = v["peer_reviewer"].strip() if normal else ""
        return changes.plan(
            ref,
            implementation_plan=_changed(v["implementation_plan"], found.implementation_plan),
            test_plan=_changed(v["test_plan"], found.test_plan),
            backout_plan=_changed(v["backout_plan"], found.backout_plan),
            affected=_changed(v["affected"], found.affected),
            window=typed_window(v["start"], v["end"], found),
            implementer=v["implementer"].strip() or None,
            peer_reviewer=reviewer or None,
            locations=_changed_list(codes(v["rooms"]), found.locations),
            assets=_changed_list(codes(v["devices"]), found.assets),
            adds=_changed_list(names(v["adds"]), found.adds),
            removes=_changed_list(names(v["removes"]), found.removes),
            by=me,
            seen_version=seen,
        )

    fields = [
        Ask.text(
            "implementation_plan",
            "How it is done: the implementation plan",
            found.implementation_plan,
            "Push the installer from the deployment server",
        ),
        Ask.text(
            "test_plan",
            "How we know it worked: the test plan",
            found.test_plan,
            "Open it on two machines and record a clip",
        ),
        Ask.text(
            "backout_plan",
            "How to undo it: the back-out plan",
            found.backout_plan,
            "Uninstall it from the deployment server",
        ),
        Ask.text(
            "start",
            "Window start, local time (YYYY-MM-DD HH:MM)",
            local_text(found.window_start),
            "2026-10-14 16:00",
        ),
        Ask.text(
            "end",
            "Window end, local time (YYYY-MM-DD HH:MM)",
            local_text(found.window_end),
            "2026-10-14 18:00",
        ),
        Ask.text("implementer", "Implementer: a login", found.implementer or me, "like jsmith"),
    ]
    if normal:
        fields.append(
            Ask.text(
                "peer_reviewer",
                "Peer reviewer: a login, not who raised it or implements it",
                found.peer_reviewer or "",
                "like akhan",
            )
        )
    fields += [
        Ask.text("rooms", "Rooms: their codes", " ".join(found.locations), "IT1 LIB"),
        Ask.text("devices", "Devices: their tags", " ".join(found.assets), "LAP-0042"),
        Ask.text("adds", "Software it installs, with commas", ", ".join(found.adds)),
        Ask.text("removes", "Software it removes, with commas", ", ".join(found.removes)),
        Ask.text("affected", "Who is affected", found.affected, "Year 9 music groups"),
    ]
    return Ask(f"Plan {ref}", fields, act, ok="Save")


def vote_dialog(found: changes.ChangeInfo, me: str, choice: str) -> Ask:
    """A committee member's vote on the open stage, with a comment (a rejection says why)."""
    ref, seen = found.number, found.version
    label = (
        "Why do you reject it? Whoever raised it reads this"
        if choice == "reject"
        else "Comment (optional)"
    )
    stage = STAGE_WORDS.get(found.stage or "", "this")
    return Ask(
        f"{VOTE_WORDS[choice]}: {stage} for {ref}",
        [Ask.text("comment", label)],
        lambda v: changes.vote(ref, choice, comment=v["comment"], by=me, seen_version=seen),
        ok=VOTE_WORDS[choice],
    )


def peer_review_dialog(found: changes.ChangeInfo, me: str) -> Ask:
    ref, seen = found.number, found.version
    return Ask(
        f"Peer review of {ref}",
        [
            Ask.choice(
                "verdict",
                "The plans",
                (("pass", "Pass them"), ("back", "Send back to planning")),
                "pass",
            ),
            Ask.text("comment", "Comment (say what needs to change if you send it back)"),
        ],
        lambda v: changes.peer_review(
            ref, ok=v["verdict"] != "back", comment=v["comment"], by=me, seen_version=seen
        ),
        ok="Done",
    )


def implement_dialog(found: changes.ChangeInfo, me: str) -> Ask:
    ref, seen = found.number, found.version
    return Ask(
        f"{ref} is implemented",
        [Ask.text("note", "Anything to note? (optional)", "", "Went in cleanly")],
        lambda v: changes.implement(ref, note=v["note"], by=me, seen_version=seen),
        ok="Implemented",
    )


def review_dialog(found: changes.ChangeInfo, me: str) -> Ask:
    """The post-implementation review: the outcome and what we learned."""
    ref, seen = found.number, found.version
    outcomes = ("backed_out",) if found.status == "backed_out" else ("succeeded", "failed")
    return Ask(
        f"Review {ref}" + (": it closes" if found.status == "registered" else ""),
        [
            Ask.choice(
                "outcome", "Outcome", [(o, OUTCOME_WORDS[o]) for o in outcomes], outcomes[0]
            ),
            Ask.text("lessons", "What we learned", found.lessons, "Test on one machine first"),
        ],
        lambda v: changes.review(
            ref, outcome=v["outcome"] or "", lessons=v["lessons"], by=me, seen_version=seen
        ),
        ok="Review",
    )


def reason_dialog(found: changes.ChangeInfo, me: str, what: str) -> Ask:
    """Backing out or cancelling, each saying why."""
    ref, seen = found.number, found.version
    if what == "back_out":
        return Ask(
            f"Back out {ref}: it went wrong and was undone",
            [Ask.text("reason", "What went wrong?", "", "It broke the sound drivers")],
            lambda v: changes.back_out(ref, v["reason"], by=me, seen_version=seen),
            ok="Back out",
        )
    return Ask(
        f"Cancel {ref}",
        [Ask.text("reason", "Why call it off?", "", "The department changed its mind")],
        lambda v: changes.cancel(ref, v["reason"], by=me, seen_version=seen),
        ok="Cancel it",
    )


def link_dialog(found: changes.ChangeInfo, me: str) -> Ask:
    ref = found.number
    return Ask(
        f"{ref} fixes a problem",
        [Ask.text("problem", "The problem's number", "", "PRB-000007")],
        lambda v: changes.link_problem(ref, v["problem"].strip(), by=me),
        ok="Link",
    )


def caused_dialog(found: changes.ChangeInfo, me: str) -> Ask:
    ref = found.number
    return Ask(
        f"A call {ref} caused",
        [Ask.text("incident", "The call's log number", "", "INC-000042")],
        lambda v: changes.link_incident(ref, v["incident"].strip(), by=me),
        ok="Link",
    )


def notice_dialog(found: changes.ChangeInfo, me: str) -> Ask:
    ref, seen = found.number, found.version
    return Ask(
        f"What the kiosks say about {ref}",
        [Ask.text("text", "The notice", found.notices[0] if found.notices else "")],
        lambda v: changes.communicate(ref, v["text"], by=me, seen_version=seen),
        ok="Post",
    )


def names(text: str) -> list[str]:
    """Software names typed into one box, split at commas ("Audacity 3.4, GIMP 2.10")."""
    return [part.strip() for part in text.split(",") if part.strip()]


def codes(text: str) -> list[str]:
    """Room codes or device tags typed into one box, split at commas and spaces."""
    return [part for part in re.split(r"[\s,;]+", text) if part]
