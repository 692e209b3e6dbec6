"""`fitsdesk mail attachments|save`: the files that came with a call's mail.

fitsdesk mail attachments INC-000042     # each file's id, name, size, kept or listed only
fitsdesk mail save 12 --to ~/Downloads   # one kept file, under a safe name, never overwriting
"""

from __future__ import annotations

import argparse
from pathlib import Path

from store.db.errors import BadInput
from store.mail import records as mail_records
from store.mail.records import size_words
from store.records.views import iso
from tui.cli import add_common
from tui.cli.mail.options import open_db, whole_number
from tui.cli.output import local, print_json, table


def register(actions: argparse._SubParsersAction) -> None:
    files = actions.add_parser(
        "attachments",
        help="list the files that came with a call's mail",
        description="List the files that came with the mail about one call: each one's id "
        "(for `fitsdesk mail save ID`), name, size, whether it was kept or was too big to "
        "keep ([mail] keep_attachments_kb) and so only listed, and which email it came with.",
    )
    files.add_argument("number", metavar="NUMBER", help="the call: INC-000042 or 42")
    files.add_argument("--json", action="store_true", help="print a JSON list")
    add_common(files)
    files.set_defaults(handler=run_attachments)

    save = actions.add_parser(
        "save",
        help="save a file that came with a call's mail",
        description="Write one kept attachment into a folder (the current one unless --to "
        "says), under its own name made safe; a name already there gets (2), (3)... and no "
        "file is ever overwritten. Prints the path written.",
    )
    save.add_argument("attachment", type=whole_number, metavar="ID", help="the attachment's id")
    save.add_argument("--to", metavar="DIR", help="the folder to write it in (default: here)")
    add_common(save)
    save.set_defaults(handler=run_save)


def _kept_words(kept: bool) -> str:
    return "kept" if kept else "too big: listed only"


def run_attachments(args: argparse.Namespace) -> int:
    """A call's attachments: id, name, size, kept or not, and the email each came with."""
    from store.servicedesk import servicedesk

    open_db(args)
    call = servicedesk.find_call(args.number)
    found = mail_records.attachments_of(call.id)
    if args.json:
        print_json(
            [
                {
                    "id": a.file.id,
                    "name": a.file.name,
                    "size": a.file.size,
                    "content_type": a.file.content_type,
                    "kept": a.file.kept,
                    "mail": a.mail_id,
                    "received_at": iso(a.received_at),
                    "from": a.sender,
                    "subject": a.subject,
                }
                for a in found
            ]
        )
        return 0
    if not table(
        ("ID", "NAME", "SIZE", "KEPT", "EMAIL"),
        (
            (
                str(a.file.id),
                a.file.name,
                size_words(a.file.size),
                _kept_words(a.file.kept),
                f"{local(a.received_at)} {a.subject or '(no subject)'}",
            )
            for a in found
        ),
    ):
        print(f"No file came with the mail about {call.number}.")
    return 0


SAFE_NAME_BYTES = 200
"""The longest name written, in bytes (most file systems allow 255)."""


def safe_name(name: str, attachment_id: int) -> str:
    """A file name from an attachment's own: no folders, no control characters, no
    leading dots, at most SAFE_NAME_BYTES; "attachment-ID" when nothing is left."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c if c.isprintable() else " " if c.isspace() else "" for c in base)
    text = " ".join(base.split()).lstrip(". ")
    stem, suffix = _split(text)
    budget = SAFE_NAME_BYTES - len(suffix.encode())
    stem = stem.encode()[:budget].decode(errors="ignore").rstrip()
    return stem + suffix if stem else f"attachment-{attachment_id}{suffix}"


def _split(name: str) -> tuple[str, str]:
    """A name's stem and extension: ("photo", ".jpg"); a name without a dot has none."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or " " in suffix or len(suffix) > 10:
        return name, ""
    return stem, f".{suffix}"


def write_new(folder: Path, name: str, content: bytes) -> Path:
    """Write `content` to folder/name, or "name (2)", "name (3)"... if it is taken; never
    over a file (or link) that is there. Returns the path written."""
    stem, suffix = _split(name)
    for n in range(1, 10_000):
        path = folder / (name if n == 1 else f"{stem} ({n}){suffix}")
        try:
            handle = path.open("xb")
        except FileExistsError:
            continue
        except OSError as exc:
            raise _unwritable(path, exc) from None
        try:
            with handle:
                handle.write(content)
        except OSError as exc:
            path.unlink(missing_ok=True)  # not half a file left behind (a full disk)
            raise _unwritable(path, exc) from None
        return path
    raise BadInput(f"{folder} already holds 9,999 files named like {name}.")


def _unwritable(path: Path, exc: OSError) -> BadInput:
    from store.db.sanitise import shown

    why = exc.strerror or exc.__class__.__name__
    return BadInput(f"{shown(str(path), 80)} cannot be written ({why}).")


def run_save(args: argparse.Namespace) -> int:
    """Write one kept attachment into a folder; print where."""
    from store.db.errors import Refused
    from store.db.sanitise import shown
    from store.mail import records as mail_records

    open_db(args)
    folder = Path(args.to).expanduser() if args.to else Path.cwd()
    info, content = mail_records.attachment(args.attachment)
    if content is None:
        raise Refused(
            f"Attachment {info.id} ({shown(info.name, 40)}, {size_words(info.size)}) was too "
            "big to keep, so it was only listed: ask the sender for it again."
        )
    if not folder.exists():
        raise BadInput(f"There is no folder {shown(str(folder), 80)}.")
    if not folder.is_dir():
        raise BadInput(f"{shown(str(folder), 80)} is not a folder.")
    print(write_new(folder, safe_name(info.name, info.id), content))
    return 0
