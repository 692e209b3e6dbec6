"""`fitsdesk mail` on real Maildir folders: fetch, the outbox, templates, bad settings."""

from __future__ import annotations

import json
import mailbox as maildir_module
import os
from pathlib import Path

import pytest

from store.db import config
from store.db.models import MailIn, MailOut
from store.mail import intake as mail_intake
from store.records import outbox
from store.servicedesk import incidents, servicedesk
from tests.mail_helpers import ADA, DESK, PARENT, mail


@pytest.fixture
def box(tmp_path) -> Path:
    """An empty Maildir, as a mail server delivers into."""
    maildir_module.Maildir(tmp_path / "ithelp", create=True)
    return tmp_path / "ithelp"


def deliver(box: Path, raw: bytes) -> str:
    """Put a message in new/, as a mail server does; return its file name."""
    return maildir_module.Maildir(box, create=False).add(raw)


def names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_fetch_takes_in_each_new_message_once_and_marks_it_read(mail_on, box, run):
    deliver(box, mail(ADA, "Printer in LIB jams"))
    deliver(box, b"\x00\x01 not an email at all")
    deliver(box, mail(PARENT, "Can't log in to the homework site"))

    status, out, err = run("mail", "fetch", "--maildir", str(box))

    assert status == 0, err
    assert "2 new calls, 1 set aside." in out
    assert "set aside (message" in out and "no headers" in out
    assert names(box / "new") == []
    assert all(name.endswith(":2,S") for name in names(box / "cur"))
    assert {c.summary for c in servicedesk.list_calls()} == {
        "Printer in LIB jams",
        "Can't log in to the homework site",
    }
    # The parent is a parent (other_senders), the staff member staff (their domain).
    roles = {c.summary: c.requester_role for c in servicedesk.list_calls()}
    assert roles["Printer in LIB jams"] == "staff"
    assert roles["Can't log in to the homework site"] == "parent"

    status, out, _ = run("mail", "fetch", "--maildir", str(box))
    assert status == 0 and "no new mail" in out
    assert len(servicedesk.list_calls()) == 2


def test_a_fetch_stopped_before_marking_read_does_not_log_twice(mail_on, box, run):
    raw = mail(ADA, "Whiteboard pen tray loose")
    deliver(box, raw)
    # What a fetch killed between taking the message in and moving the file leaves behind.
    assert mail_intake.take(raw).kind == "logged"
    assert names(box / "new")

    status, out, _ = run("mail", "fetch", "--maildir", str(box))

    assert status == 0
    assert "1 seen before" in out
    assert len(servicedesk.list_calls()) == 1
    assert names(box / "new") == []


def test_a_message_read_by_a_person_is_left_alone_and_nothing_is_deleted(mail_on, box, run):
    name = deliver(box, mail(ADA, "Opened in Thunderbird already"))
    os.replace(box / "new" / name, box / "cur" / f"{name}:2,S")
    unseen = deliver(box, mail(ADA, "Not opened"))
    os.replace(box / "new" / unseen, box / "cur" / f"{unseen}:2,F")  # flagged, not seen

    status, out, _ = run("mail", "fetch", "--maildir", str(box))

    assert status == 0 and "1 new call." in out
    assert [c.summary for c in servicedesk.list_calls()] == ["Not opened"]
    assert names(box / "cur") == sorted([f"{name}:2,S", f"{unseen}:2,FS"])


def test_fetch_json_says_what_each_message_became(mail_on, box, run):
    deliver(box, mail(ADA, "Projector dim", message_id="<one@oakfield.sch.uk>"))
    deliver(box, mail(ADA, "Projector dim", message_id="<one@oakfield.sch.uk>"))

    status, out, _ = run("mail", "fetch", "--maildir", str(box), "--json")

    assert status == 0
    kinds = sorted(item["outcome"] for item in json.loads(out))
    assert kinds == ["duplicate", "logged"]


def test_fetch_from_the_configured_maildir_and_the_limit(school, box, run, tmp_path, monkeypatch):
    settings = tmp_path / "config.toml"
    settings.write_text(
        f'[mail]\naddress = "ithelp@oakfield.sch.uk"\n[mail.maildir]\npath = "{box}"\n'
    )
    monkeypatch.setenv("FITSDESK_CONFIG", str(settings))
    config.use(None)
    for n in range(3):
        deliver(box, mail(ADA, f"Fault {n}"))

    status, out, _ = run("mail", "fetch", "--limit", "2")

    assert status == 0
    assert "2 new calls; 1 left for the next fetch." in out
    status, out, _ = run("mail", "fetch")
    assert "1 new call." in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["mail", "fetch"], "There is no mailbox to fetch from"),
        (["mail", "fetch", "--maildir", "/nonexistent/box"], "is not a Maildir folder"),
        (["mail", "fetch", "--limit", "0"], "it must be from 1 to 1000000"),
        (["mail", "fetch", "--limit", "lots"], "'lots' is not a whole number"),
        (["mail", "send"], "Mail is not set up"),
        (["mail", "retry", "99"], "There is no message 99 in the outbox."),
        (["mail", "run", "--once"], "Mail is not set up"),
    ],
)
def test_mail_commands_say_what_is_wrong_in_one_sentence(school, run, args, said):
    status, _, err = run(*args)
    assert status in (1, 2)
    assert said in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        ('[mail]\nadress = "x@y.org"\n', "there is no setting 'mail.adress' (did you mean"),
        ('[mail]\naddress = "not an address"\n', "does not look like an email address"),
        ('[mail]\naddress = "a@b.org\\r\\nBcc: evil@example.com"\n', "email address"),
        ('[mail]\nstaff_domains = "oakfield.sch.uk"\n', "must be a list of domains"),
        ('[mail]\nother_senders = "admin"\n', "mail.other_senders must be one of"),
        ("[mail]\nreplies_per_hour = 0\n", "mail.replies_per_hour must be a whole number"),
        ('[mail.smtp]\nhost = "smtp.example.org"\nsecurity = "none"\n', "unprotected"),
        ('[mail.smtp]\nhost = "smtp.example.org"\nport = 99999\n', "mail.smtp.port"),
        ('[mail.imap]\nhost = "x"\npassword = "p"\n', "mail.imap.user is needed"),
        (
            '[mail.imap]\nhost = "x"\nuser = "u"\npassword = "p"\noauth2_token = "t"\n',
            "not both",
        ),
        ('[mail.imap]\nhost = "x"\n[mail.maildir]\npath = "/x"\n', "not both"),
        ('[mail]\nname = "[bold]IT[/bold]\\u001b[31m"\n[mail.smtp]\nhst = "x"\n', "mail.smtp.hst"),
    ],
)
def test_bad_mail_settings_are_named(school, run, tmp_path, monkeypatch, toml, said):
    settings = tmp_path / "config.toml"
    settings.write_text(toml)
    monkeypatch.setenv("FITSDESK_CONFIG", str(settings))
    config.use(None)
    status, _, err = run("mail", "outbox")
    assert status == 2
    assert said in err and str(settings) in err
    assert len(err.strip().splitlines()) == 1


def test_the_outbox_lists_what_has_not_gone_and_retry_and_cancel_change_it(mail_on, run):
    call = servicedesk.log_call(
        summary="Laptop charger broken", requester="Ada Byron", role="staff",
        email="ada@oakfield.sch.uk", channel="phone", by="jsmith",
    )  # fmt: skip
    first = MailOut.get()
    MailOut.update(status="failed", last_error="550 5.1.1 No such user here").execute()

    status, out, _ = run("mail", "outbox")
    assert status == 0
    assert call.number in out and "Failed" in out and "550 5.1.1" in out

    status, out, err = run("mail", "retry", str(first.id))
    assert status == 0, err
    assert outbox.message(first.id).status == "waiting"
    status, out, err = run("mail", "cancel", str(first.id))
    assert status == 0, err
    assert outbox.message(first.id).status == "cancelled"
    assert "Cancelled by jsmith" in outbox.message(first.id).last_error

    incidents.resolve(call.number, kind="fix", text="New charger", by="jsmith")
    status, out, _ = run("mail", "outbox", "--json")
    listed = json.loads(out)
    assert [(m["kind"], m["status"]) for m in listed] == [("resolved", "waiting")]


def test_set_aside_lists_the_reason(mail_on, run):
    mail_intake.take(b"Subject: half a message\r\n\r\n")
    mail_intake.take(b"\xff\xfe\x00")
    status, out, _ = run("mail", "set-aside")
    assert status == 0
    assert out.count("\n") == 3  # the header and two messages
    assert MailIn.select().where(MailIn.outcome == "set_aside").count() == 2


def test_templates_are_written_beside_the_config_checked_and_used(
    school, run, tmp_path, monkeypatch
):
    settings = tmp_path / "etc" / "config.toml"
    settings.parent.mkdir()
    settings.write_text('[school]\nname = "Oakfield"\n[mail]\naddress = "ithelp@oakfield.sch.uk"\n')
    monkeypatch.setenv("FITSDESK_CONFIG", str(settings))
    config.use(None)

    status, out, _ = run("mail", "templates", "--write")
    assert status == 0
    folder = tmp_path / "etc" / "mail"
    assert names(folder) == ["closed.txt", "logged.txt", "note.txt", "resolved.txt"]

    (folder / "logged.txt").write_text("Subject: Got it: $summary\n\nDear $name, thanks. $school\n")
    (folder / "note.txt").write_text("Subject: News $nonsense\n\nHello\n")
    status, out, err = run("mail", "templates")
    assert status == 2
    assert "[INC-000042] Got it: The projector" in out
    assert "$nonsense" in err

    servicedesk.log_call(
        summary="Printer", requester="Ada Byron", role="staff", email="ada@oakfield.sch.uk",
        channel="phone", by="jsmith",
    )  # fmt: skip
    logged = MailOut.get()
    assert logged.subject == "[INC-000001] Got it: Printer"
    assert logged.body.startswith("Dear Ada Byron, thanks. Oakfield")
    incidents.add_note("INC-000001", "We ordered a part.", public=True, by="jsmith")
    note = MailOut.select().order_by(MailOut.id.desc()).get()
    assert "We ordered a part." in note.body
    assert "$nonsense" in note.last_error and "built-in template was used" in note.last_error


def test_a_maildir_whose_messages_cannot_be_marked_read_stops_the_fetch_and_says_why(
    mail_on, box, run
):
    for n in range(3):
        name = deliver(box, mail(ADA, f"Fault {n}"))
        # What a read-only Maildir does to a fetch, made so that even root meets it: the
        # message's read name is taken by a folder, so it cannot be moved there.
        (box / "cur" / f"{name}:2,S" / "x").mkdir(parents=True)

    status, _, err = run("mail", "fetch", "--maildir", str(box))

    assert status == 2
    assert "cannot be marked read" in err and "write to the Maildir" in err
    assert len(servicedesk.list_calls()) == 1  # one was taken in; the rest wait
    assert len(names(box / "new")) == 3  # nothing lost


def test_mail_run_says_what_it_will_do_and_what_it_will_not(
    school, box, run, tmp_path, monkeypatch
):
    settings = tmp_path / "config.toml"
    settings.write_text(f'[mail]\naddress = "{DESK}"\n[mail.maildir]\npath = "{box}"\n')
    monkeypatch.setenv("FITSDESK_CONFIG", str(settings))
    config.use(None)
    deliver(box, mail(ADA, "Printer jams"))
    status, out, _ = run("mail", "run", "--once")
    assert status == 0
    assert out.splitlines()[0] == (
        f"FITS Desk mail: fetching from Maildir {box} and not sending "
        "(no [mail] address or [mail.smtp]), every 60 s."
    )
    assert "fetched: 1 new call." in out
