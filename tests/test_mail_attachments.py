"""Saving what came with a call's mail: `fitsdesk mail attachments NUMBER` lists the
files (kept, or too big and only listed) and `fitsdesk mail save ID` writes one into a
real folder under a safe name, never over a file already there."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from store.mail import intake as mail_intake
from store.mail import records as mail_records
from store.records import outbox
from tests.mail_helpers import ADA, PARENT, mail, reply_to
from tui.cli.mail.mail_files import safe_name

NOTES = b"Room S12, projector EB-X41, serial 4471\n" * 10
"""400 bytes: kept (the school keeps up to 1 KB here)."""
VIDEO = b"\x00video" * 400_000
"""2.4 MB: too big to keep, only listed."""


@pytest.fixture
def folder(tmp_path) -> Path:
    """An empty folder to save into (the test's database is beside it)."""
    made = tmp_path / "saved"
    made.mkdir()
    return made


@pytest.fixture
def filed(mail_on):
    """Ada's call with notes (kept) and a video (listed only); her reply with a photo;
    Pat's call with nothing attached."""
    taken = mail_intake.take(
        mail(
            ADA,
            "The projector in S12 flickers",
            attachments=(("notes.txt", NOTES), ("video.mp4", VIDEO)),
        )
    )
    assert taken.number == "INC-000001"
    (logged,) = outbox.of_call(1)
    reply = reply_to(logged, "Here is a photo.", attachments=(("IMG_4032.JPG", b"\xff\xd8jpeg"),))
    assert mail_intake.take(reply).kind == "note"
    assert mail_intake.take(mail(PARENT, "Homework site login")).number == "INC-000002"
    return {a.file.name: a for a in mail_records.attachments_of(1)}


def one_sentence(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err


def test_a_calls_attachments_are_listed_with_the_email_each_came_with(filed, run):
    assert list(filed) == ["notes.txt", "video.mp4", "IMG_4032.JPG"]
    assert [a.file.kept for a in filed.values()] == [True, False, True]

    status, out, err = run("mail", "attachments", "INC-000001")

    assert status == 0, err
    header, *lines = out.splitlines()
    assert header.split() == ["ID", "NAME", "SIZE", "KEPT", "EMAIL"]
    notes, video, photo = lines
    assert notes.split()[:5] == [str(filed["notes.txt"].file.id), "notes.txt", "400", "B", "kept"]
    assert "video.mp4" in video and "2.4 MB" in video and "too big: listed only" in video
    assert "The projector in S12 flickers" in notes
    assert "Re: [INC-000001]" in photo  # her reply, a different email

    status, out, _ = run("mail", "attachments", "1", "--json")
    listed = json.loads(out)
    assert status == 0 and [a["name"] for a in listed] == list(filed)
    assert listed[1] | {"id": 0, "mail": 0, "received_at": ""} == {
        "id": 0,
        "name": "video.mp4",
        "size": len(VIDEO),
        "content_type": "application/octet-stream",
        "kept": False,
        "mail": 0,
        "received_at": "",
        "from": ADA,
        "subject": "The projector in S12 flickers",
    }
    assert listed[2]["mail"] != listed[0]["mail"]


def test_a_call_without_attachments_and_a_wrong_number(filed, run):
    assert run("mail", "attachments", "INC-000002")[:2] == (
        0,
        "No file came with the mail about INC-000002.\n",
    )
    status, out, err = run("mail", "attachments", "INC-000099")
    assert status == 1 and out == "" and one_sentence(err) and "INC-000099" in err
    status, _, err = run("mail", "attachments", "projector")
    assert status == 2 and one_sentence(err) and "not a log number" in err


def test_save_writes_the_file_and_never_over_one_already_there(filed, run, folder):
    notes = filed["notes.txt"].file.id
    (folder / "notes (2).txt").write_bytes(b"a person's own file")

    paths = []
    for _ in range(3):
        status, out, err = run("mail", "save", str(notes), "--to", str(folder))
        assert status == 0 and err == ""
        paths.append(Path(out.strip()))

    assert [p.name for p in paths] == ["notes.txt", "notes (3).txt", "notes (4).txt"]
    assert all(p.parent == folder and p.read_bytes() == NOTES for p in paths)
    assert (folder / "notes (2).txt").read_bytes() == b"a person's own file"


def test_save_writes_into_the_current_folder_by_default(filed, run, folder, monkeypatch):
    monkeypatch.chdir(folder)
    photo = filed["IMG_4032.JPG"].file.id
    status, out, _ = run("mail", "save", str(photo))
    assert status == 0 and Path(out.strip()) == folder / "IMG_4032.JPG"
    assert (folder / "IMG_4032.JPG").read_bytes() == b"\xff\xd8jpeg"


def test_a_link_in_the_way_is_not_followed(filed, run, folder, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep me")
    (folder / "notes.txt").symlink_to(outside)
    (folder / "notes (2).txt").symlink_to(tmp_path / "nowhere.txt")  # dangling

    status, out, _ = run("mail", "save", str(filed["notes.txt"].file.id), "--to", str(folder))

    assert status == 0 and Path(out.strip()) == folder / "notes (3).txt"
    assert outside.read_bytes() == b"keep me" and not (tmp_path / "nowhere.txt").exists()


def test_what_cannot_be_saved_is_said_in_one_sentence(filed, run, folder):
    video = filed["video.mp4"].file.id
    status, out, err = run("mail", "save", str(video), "--to", str(folder))
    assert status == 2 and out == "" and one_sentence(err)
    assert f"Attachment {video} (video.mp4, 2.4 MB) was too big to keep" in err
    assert list(folder.iterdir()) == []

    notes = str(filed["notes.txt"].file.id)
    status, _, err = run("mail", "save", "999", "--to", str(folder))
    assert status == 1 and one_sentence(err) and "no attachment 999" in err
    status, _, err = run("mail", "save", notes, "--to", str(folder / "missing"))
    assert status == 2 and one_sentence(err) and "There is no folder" in err
    (folder / "a-file").write_text("x")
    status, _, err = run("mail", "save", notes, "--to", str(folder / "a-file"))
    assert status == 2 and one_sentence(err) and "is not a folder" in err
    status, _, err = run("mail", "save", "seven")
    assert status == 2 and one_sentence(err)
    assert list(folder.iterdir()) == [folder / "a-file"]


@pytest.mark.skipif(not os.path.isdir("/sys"), reason="needs a folder nobody may write in")
def test_a_folder_that_cannot_be_written_is_said(filed, run):
    status, out, err = run("mail", "save", str(filed["notes.txt"].file.id), "--to", "/sys")
    assert status == 2 and out == "" and one_sentence(err)
    assert "/sys/notes.txt cannot be written" in err


def test_names_from_mail_are_made_safe_to_write(filed, run, folder):
    nasty = ".hidden\x1b[31m\u202e report\t.pdf"
    taken = mail_intake.take(mail(ADA, "Odd file names", attachments=((nasty, b"%PDF"),)))
    (found,) = mail_records.attachments_of(int(taken.number[4:]))
    status, out, _ = run("mail", "save", str(found.file.id), "--to", str(folder))
    saved = Path(out.strip())
    assert status == 0 and saved.parent == folder and saved.read_bytes() == b"%PDF"
    assert not saved.name.startswith(".") and saved.name.isprintable()
    assert saved.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("photo.jpg", "photo.jpg"),
        ("../../etc/cron.d/evil", "evil"),
        ("C:\\Users\\ada\\report.docx", "report.docx"),
        (".bashrc", "bashrc"),
        ("...", "attachment-7"),
        ("", "attachment-7"),
        ("..\\..", "attachment-7"),
        ("bell\x07 and\x00 nul.txt", "bell and nul.txt"),
        ("right\u202eto left.txt", "rightto left.txt"),
        ("tab\tand  spaces .txt", "tab and spaces.txt"),
        ("x" * 300 + ".jpg", "x" * 196 + ".jpg"),
        ("é" * 150 + ".txt", "é" * 98 + ".txt"),
    ],
)
def test_safe_name(given, written):
    assert safe_name(given, 7) == written
    assert len(safe_name(given, 7).encode()) <= 200


def test_both_commands_have_help(capsys):
    from tui.cli import main

    for action, words in (("attachments", "too big to keep"), ("save", "ever overwritten")):
        with pytest.raises(SystemExit) as done:
            main(["mail", action, "--help"])
        out = capsys.readouterr().out
        assert done.value.code == 0 and words in " ".join(out.split())
