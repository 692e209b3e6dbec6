"""What a pupil has typed so far, and each step's check in words a nine-year-old reads.

The checks use the store's one sanitiser (docs/architecture.md), so what passes here is
what the store will keep; only the wording of the messages is the kiosk's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from store.db.errors import BadInput
from store.db.sanitise import EMAIL, GROUP, PERSON_NAME, SUMMARY, Field, clean, clean_email
from store.records.views import FITS_QUESTIONS

ROLES = (("pupil", "Pupil"), ("staff", "Staff"), ("parent", "Parent"), ("visitor", "Visitor"))
QUESTIONS = {
    "trying_to_do": "What were you trying to do?",
    "happened_instead": "What happened instead?",
    "already_tried": "What have you tried already?",
    "last_worked": "When did it last work?",
    "happened_before": "Has it happened before?",
}
"""FITS's incident sheet, asked the kiosk's way."""
assert set(QUESTIONS) == {name for name, _question in FITS_QUESTIONS}
KIOSK_ANSWER = Field("the answer", 300, required=False)
"""Answers typed at a kiosk are one line each, so shorter than the store allows."""


@dataclass
class Draft:
    """One report being written at the kiosk; dropped when the kiosk goes home."""

    name: str = ""
    role: str = "pupil"
    group: str = ""
    email: str = ""
    location: str | None = None
    location_name: str | None = None
    category: str | None = None
    category_label: str | None = None
    asset: str | None = None
    asset_description: str | None = None
    tag_typed: str = ""
    """What is in step 4's tag box, found or not, so Back and Next never lose it."""
    summary: str = ""
    answers: dict[str, str] = field(default_factory=dict)

    def report(self) -> dict:
        """The keyword arguments `store.servicedesk.callers.report_from_kiosk` takes."""
        return {
            "summary": self.summary,
            "requester": self.name,
            "role": self.role,
            "group": self.group,
            "email": self.email,
            "location": self.location,
            "category": self.category,
            "asset": self.asset,
            "answers": {k: v for k, v in self.answers.items() if v},
        }


def _say(value: str, rule: Field, empty: str, what: str) -> str | None:
    """None if `value` is fine for `rule`, else what to tell the pupil."""
    try:
        clean(value, rule)
    except BadInput as exc:
        if "empty" in str(exc):
            return empty
        return f"That is too long. Please use {rule.limit} letters or fewer for {what}."
    return None


def check_who(name: str, role: str, group: str, email: str) -> dict[str, str]:
    """Problems with step 1, by field."""
    problems = {}
    if said := _say(name, PERSON_NAME, "Please type your name.", "your name"):
        problems["name"] = said
    if said := _say(group, GROUP, "", "this"):
        problems["group"] = said
    try:
        clean_email(email)
    except BadInput as exc:
        problems["email"] = (
            "That doesn't look like an email address. You can leave it empty."
            if "look like" in str(exc)
            else f"That is too long. Please use {EMAIL.limit} letters or fewer."
        )
    return problems


def check_tell(summary: str, answers: dict[str, str]) -> dict[str, str]:
    """Problems with step 5, by field."""
    problems = {}
    if said := _say(summary, SUMMARY, "Please tell us in a few words what is wrong.", "this line"):
        problems["summary"] = said
    for name, answer in answers.items():
        if said := _say(answer, KIOSK_ANSWER, "", "this answer"):
            problems[name] = said
    return problems
