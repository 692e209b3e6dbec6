"""The mail a caller gets, from plain-text templates a school may edit (docs/mail.md).

    from store.records.templates import render, write_defaults
    mail = render("resolved", number="INC-000042", summary="Projector in S12",
                  name="Ms Khan", text="New lamp fitted.")
    mail.subject        # "[INC-000042] Is it fixed? Projector in S12"
    mail.body           # "Hello Ms Khan, ... Are you happy it is fixed? Reply yes or no. ..."
    write_defaults(folder)      # the built-in templates as files, for a school to edit

A template is `<config_dir()>/mail/<kind>.txt` (or `<folder>/<kind>.txt`), one
for each of KINDS; a kind without a file uses the built-in text (`defaults()`).
The file is UTF-8 text: the first line `Subject: ...`, a blank line, then the
body. `$number`, `$summary`, `$name`, `$text` and `$school` are filled in
(string.Template: `${name}` works too, `$$` is a dollar sign). The subject
always carries `[$number]`, so a reply threads back to its call; a school's
subject without it gets it in front. A file that is not UTF-8, has no Subject
line or no body, is over 20 KB, or uses another placeholder raises `BadInput`
naming the file.

Pure: no database, no network. The values are people's text: in the subject
each becomes one line without control characters (no header injection) and
the summary is cut to fit SUBJECT_LIMIT; in the body they keep their line
breaks but lose control and bidirectional characters (store.db.sanitise). It is
plain-text mail: markup stays as the characters typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from string import Template

from store.db.errors import BadInput
from store.db.sanitise import Field, clean, shown

KINDS = ("logged", "note", "resolved", "closed")
"""The messages a caller gets: their log number, a public note, please confirm, closed."""
PLACEHOLDERS = ("number", "summary", "name", "text", "school")
MAX_BYTES = 20_000
"""The largest template file read."""
MAX_SUBJECT_LINE = 200
"""The longest Subject line a template may have (before values are filled in)."""
SUBJECT_LIMIT = 80
"""The length a subject is kept to by cutting the summary (never below MIN_SUMMARY)."""
MIN_SUMMARY = 20
SUBJECT_CUTS = {"name": 40, "text": 60, "school": 80}
"""The most characters of the other values a subject shows."""
BODY_LINE = 500
"""The most characters of a one-line value (summary, name, school) a body shows."""
BODY_TEXT = 10_000
"""The most characters of $text a body shows."""

_TEXT = Field("the text", BODY_TEXT * 3, multiline=True, required=False)  # NFC may lengthen
_NUMBER = re.compile(r"[A-Z]{3}-[0-9]{1,12}")
_TAGGED = re.compile(r"\[\$(?:number|\{number\})\]")
_SUBJECT = re.compile(r"subject:[ \t]*(.*)", re.IGNORECASE)

_SIGN = "Best wishes,\nIT support, $school\n"
_DEFAULTS = {
    "logged": (
        "Subject: [$number] $summary\n\n"
        "Hello $name,\n\n"
        "Thank you for telling us. Your call is logged as $number:\n\n"
        "    $summary\n\n"
        "Please keep this number: it is the quickest way to ask about your call.\n"
        "We will email you when there is news. To tell us more, reply to this\n"
        "email and keep [$number] in the subject.\n\n" + _SIGN
    ),
    "note": (
        "Subject: [$number] $summary\n\n"
        "Hello $name,\n\n"
        "There is news about your call $number ($summary):\n\n"
        "$text\n\n"
        "To answer, reply to this email and keep [$number] in the subject.\n\n" + _SIGN
    ),
    "resolved": (
        "Subject: [$number] Is it fixed? $summary\n\n"
        "Hello $name,\n\n"
        "We think your call $number ($summary) is fixed:\n\n"
        "$text\n\n"
        "Are you happy it is fixed? Reply yes or no.\n\n"
        "If you say no, we will look at it again. If we do not hear from you,\n"
        "we will close the call in a few school days.\n\n" + _SIGN
    ),
    "closed": (
        "Subject: [$number] Closed: $summary\n\n"
        "Hello $name,\n\n"
        "Your call $number ($summary) is now closed.\n\n"
        "$text\n\n"
        "If the problem comes back, please tell us again and mention $number.\n"
        "Thank you for letting us know.\n\n" + _SIGN
    ),
}


@dataclass(frozen=True)
class Rendered:
    """One message ready for the outbox: a one-line subject and a plain-text body."""

    subject: str
    body: str


def defaults() -> dict[str, str]:
    """Each kind's built-in template, as a school's file would hold it."""
    return dict(_DEFAULTS)


def write_defaults(folder: Path) -> list[Path]:
    """Write the built-in templates that `folder` lacks (never overwriting a school's
    own); return the files written."""
    folder = Path(folder)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for kind in KINDS:
            path = folder / f"{kind}.txt"
            try:
                with open(path, "x", encoding="utf-8", newline="\n") as handle:
                    handle.write(_DEFAULTS[kind])
            except FileExistsError:
                continue
            written.append(path)
    except OSError as exc:
        raise BadInput(
            f"The mail templates cannot be written to {folder} ({exc.__class__.__name__})."
        ) from None
    return written


def render(
    kind: str,
    *,
    number: str,
    summary: str,
    name: str,
    text: str = "",
    school: str | None = None,
    folder: Path | None = None,
    builtin: bool = False,
) -> Rendered:
    """The `kind` message for call `number`, from the school's template in `folder` (else
    the built-in one; always the built-in one with `builtin`)."""
    if kind not in KINDS:
        raise BadInput(
            f"There is no mail template '{shown(kind)}': the kinds are {', '.join(KINDS)}."
        )
    number = str(number or "").strip().upper()
    if not _NUMBER.fullmatch(number):
        raise BadInput(f"'{shown(number)}' is not a log number like INC-000042.")
    if school is None:
        from store.db import config

        school = config.current().school_name
    if builtin:
        subject, body = _split(_DEFAULTS[kind], f"the built-in {kind} template")
    else:
        subject, body = _template(kind, folder)
    values = {"number": number, "summary": summary, "name": name, "text": text, "school": school}
    return Rendered(_subject(subject, values), _body(body, values))


def _template(kind: str, folder: Path | None) -> tuple[Template, Template]:
    """The subject and body templates of `kind`: the school's file, else the built-in."""
    if folder is None:
        from store.db.config import config_dir

        folder = config_dir() / "mail"
    path = Path(folder) / f"{kind}.txt"
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return _split(_DEFAULTS[kind], f"the built-in {kind} template")
    except OSError as exc:
        raise BadInput(
            f"The mail template {path} cannot be read ({exc.__class__.__name__})."
        ) from None
    if len(data) > MAX_BYTES:
        raise BadInput(f"The mail template {path} is over {MAX_BYTES // 1000} KB.")
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"The mail template {path} is not UTF-8 text.") from None
    return _split(source, f"The mail template {path}")


def _split(source: str, where: str) -> tuple[Template, Template]:
    """A template file's text as subject and body templates, checked."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    match = _SUBJECT.fullmatch(lines[0].strip()) if lines else None
    if match is None:
        raise BadInput(f"{where} does not start with a line 'Subject: ...'.")
    subject = shown(match[1], MAX_SUBJECT_LINE + 1)
    if len(subject) > MAX_SUBJECT_LINE:
        raise BadInput(f"{where} has a Subject line over {MAX_SUBJECT_LINE} characters.")
    if not _TAGGED.search(subject):
        subject = f"[$number] {subject}"
    body = clean("\n".join(lines[1:]), _TEXT)
    if not body:
        raise BadInput(f"{where} has no message under its Subject line.")
    templates = Template(subject), Template(body)
    for template in templates:
        if not template.is_valid():
            raise BadInput(
                f"{where} has a $ that is not a placeholder (write $$ for a dollar sign)."
            )
        for identifier in template.get_identifiers():
            if identifier not in PLACEHOLDERS:
                known = ", ".join(f"${p}" for p in PLACEHOLDERS)
                raise BadInput(f"{where} uses ${identifier}, which is not one of {known}.")
    return templates


def _line(value: object, limit: int) -> str:
    """A value as one line: no control or bidi characters, at most `limit` characters."""
    return unicodedata.normalize("NFC", shown("" if value is None else value, limit))


def _subject(template: Template, values: dict) -> str:
    """The subject: one line, the summary cut so the whole stays near SUBJECT_LIMIT."""
    filled = {key: _line(values[key], SUBJECT_CUTS.get(key, BODY_LINE)) for key in values}
    times = sum(
        1
        for match in template.pattern.finditer(template.template)
        if "summary" in (match["named"], match["braced"])
    )
    if times:
        base = len(_spaced(template.substitute(filled, summary="x"))) - times
        room = max(MIN_SUMMARY, (SUBJECT_LIMIT - base) // times)
        filled["summary"] = _line(values["summary"], room)
    return _spaced(template.substitute(filled))


def _spaced(subject: str) -> str:
    return re.sub(r"[ \t]+", " ", subject).strip()


def _body(template: Template, values: dict) -> str:
    """The body: one-line values as one line, $text with its line breaks."""
    filled = {key: _line(values[key], BODY_LINE) for key in values if key != "text"}
    filled["text"] = clean(str(values["text"] or "")[:BODY_TEXT], _TEXT)
    body = template.substitute(filled)
    body = "\n".join(line.rstrip() for line in body.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
