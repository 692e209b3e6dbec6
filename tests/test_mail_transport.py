"""The email channel against real servers: IMAP (dovecot) in, SMTP (aiosmtpd) out.

Kill tests run `fitsdesk mail send` as a process and SIGKILL it at the worst moments."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.db import config, journal
from store.db.errors import FitsDeskError
from store.db.mail_settings import MailSettings, Server
from store.db.models import MailOut
from store.mail import delivery as mail_delivery
from store.mail import mailbox
from store.records import outbox
from store.servicedesk import incidents, servicedesk
from tests.mail_helpers import ADA, DESK, PARENT, mail

SECURITY = {"plain": "none", "starttls": "starttls", "tls": "tls"}


def smtp_settings(server) -> Server:
    return Server(
        host=server.host,
        port=server.port,
        security=SECURITY[server.security],
        user=server.user if server.auth else "",
        password=server.password if server.auth else "",
        cafile=server.cafile,
    )


def imap_settings(box, security: str = "tls", **extra) -> Server:
    values = {
        "host": box.host,
        "port": box.port if security == "tls" else box.starttls_port,
        "security": security,
        "user": box.user,
        "password": box.password,
        "cafile": box.cafile,
    }
    values.update(extra)
    return Server(**values)


def use_mail(**changes) -> MailSettings:
    settings = dataclasses.replace(config.current().mail, **changes)
    config.use(dataclasses.replace(config.current(), mail=settings))
    return settings


def phone_call(summary: str = "Laptop will not charge", email_address: str = "ada@oakfield.sch.uk"):
    return servicedesk.log_call(
        summary=summary, requester="Ada Byron", role="staff", email=email_address,
        channel="phone", by="jsmith",
    )  # fmt: skip


def parsed(received) -> email.message.EmailMessage:
    return email.message_from_bytes(received.data, policy=email.policy.default)


# -- IMAP in ---------------------------------------------------------------------------


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_imap_fetch_takes_in_unseen_mail_once_and_marks_it_seen(mail_on, imap_server, security):
    imap_server.append(mail(ADA, "Printer in LIB jams"))
    imap_server.append(b"\x00\x01garbage, not a message")
    imap_server.append(mail(PARENT, "Already read by a person"), flags=("\\Seen",))
    imap_server.append(mail(PARENT, "Homework site login"))

    batch = mailbox.fetch_imap(imap_settings(imap_server, security))

    assert batch.counts() == {"logged": 2, "set_aside": 1}
    assert sorted(c.summary for c in servicedesk.list_calls()) == [
        "Homework site login",
        "Printer in LIB jams",
    ]
    stored = imap_server.messages()
    assert len(stored) == 4  # nothing deleted
    assert all("\\Seen" in m.flags for m in stored)
    assert mailbox.fetch_imap(imap_settings(imap_server, security)).outcomes == []


def test_imap_with_an_oauth2_token(mail_on, imap_server, tmp_path):
    token = tmp_path / "token"
    token.write_text(imap_server.token + "\n")
    settings = imap_settings(imap_server, password="", oauth2_token_file=str(token))
    imap_server.append(mail(ADA, "Sent with a token"))
    assert mailbox.fetch_imap(settings).counts() == {"logged": 1}


def test_a_message_seen_before_is_not_logged_again_when_it_reappears_unseen(mail_on, imap_server):
    raw = mail(ADA, "Keyboard missing keys")
    imap_server.append(raw)
    mailbox.fetch_imap(imap_settings(imap_server))
    imap_server.append(raw)  # a fetch killed before \Seen, or the server redelivering
    assert mailbox.fetch_imap(imap_settings(imap_server)).counts() == {"duplicate": 1}
    assert len(servicedesk.list_calls()) == 1


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"password": "wrong"}, "cannot be used"),
        ({"cafile": ""}, "certificate is not trusted"),
        ({"port": 1}, "cannot be used"),
        ({"folder": "Nope"}, "There is no folder 'Nope'"),
    ],
)
def test_imap_problems_are_one_sentence(mail_on, imap_server, change, said):
    with pytest.raises(FitsDeskError) as caught:
        mailbox.fetch_imap(imap_settings(imap_server, **change))
    assert said in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_cli_fetches_from_the_configured_imap_mailbox(
    school, imap_server, run, tmp_path, monkeypatch
):
    secret = tmp_path / "imap-password"
    secret.write_text(imap_server.password)
    settings = tmp_path / "config.toml"
    settings.write_text(
        f'[mail]\naddress = "{DESK}"\n[mail.imap]\nhost = "{imap_server.host}"\n'
        f'port = {imap_server.port}\nuser = "{imap_server.user}"\n'
        f'password_file = "{secret}"\ncafile = "{imap_server.cafile}"\n'
    )
    monkeypatch.setenv("FITSDESK_CONFIG", str(settings))
    config.use(None)
    imap_server.append(mail(ADA, "Sound not working in the hall"))
    status, out, err = run("mail", "fetch")
    assert status == 0, err
    assert f"IMAP {imap_server.user}@{imap_server.host}" in out and "1 new call." in out

    secret.write_text("wrong password")
    status, out, err = run("mail", "fetch")
    assert status == 1
    assert err.startswith(f"The IMAP server {imap_server.host}:{imap_server.port} cannot be used")


# -- SMTP out --------------------------------------------------------------------------


@pytest.mark.parametrize("security", ["starttls", "tls", "plain"])
def test_the_outbox_goes_out_once_over_each_kind_of_connection(mail_on, smtp_factory, security):
    server = smtp_factory(security)
    call = phone_call()
    incidents.add_note(call.number, "A new charger is on order.", public=True, by="jsmith")

    report = mail_delivery.send_due(smtp_settings(server))

    assert len(report.sent) == 2 and not report.retrying
    got = server.wait_received(2)
    assert [r.rcpt_tos for r in got] == [["ada@oakfield.sch.uk"]] * 2
    assert all(r.mail_from == DESK for r in got)
    first, second = parsed(got[0]), parsed(got[1])
    assert first["Subject"] == f"[{call.number}] Laptop will not charge"
    assert first["Auto-Submitted"] == "auto-replied" and second["Auto-Submitted"] is None
    assert "A new charger is on order." in second.get_content()
    assert first["Message-ID"] != second["Message-ID"]
    if server.auth:
        assert all(r.login == server.user for r in got)
    assert [m.status for m in outbox.of_call(call.id)] == ["sent", "sent"]
    assert mail_delivery.send_due(smtp_settings(server)).sent == []
    assert len(server.received) == 2


@pytest.mark.parametrize("eight_bit", [True, False])
def test_a_utf8_body_asks_for_8bitmime_where_offered_and_is_7_bit_where_not(
    mail_on, smtp_server, eight_bit
):
    smtp_server.eight_bit = eight_bit
    call = phone_call()
    words = "Le chargeur coûte £29 ; nous l’avons commandé. Ça arrive lundi."
    incidents.add_note(call.number, words, public=True, by="jsmith")

    report = mail_delivery.send_due(smtp_settings(smtp_server))

    assert len(report.sent) == 2, report
    got = smtp_server.wait_received(2)
    note = got[1]
    assert words in parsed(note).get_content()  # the same words, however they travelled
    if eight_bit:
        assert smtp_server.mail_options[-1] == ["BODY=8BITMIME"]
        assert not note.data.isascii()  # sent as 8-bit UTF-8, announced
    else:
        assert smtp_server.mail_options[-1] == []
        assert note.data.isascii()  # quoted-printable: every byte 7-bit
        assert b"quoted-printable" in note.data.lower()
    assert smtp_server.mail_options[0] == []  # the ASCII first message asks for nothing


def test_a_temporary_failure_waits_and_is_tried_again(mail_on, smtp_server):
    call = phone_call()
    smtp_server.fail_next(1)

    report = mail_delivery.send_due(smtp_settings(smtp_server))

    assert report.sent == [] and report.retrying[0][1].startswith("451")
    (message,) = outbox.of_call(call.id)
    assert message.status == "waiting" and message.attempts == 1
    assert message.next_try_at - message.queued_at >= dt.timedelta(seconds=59)
    assert mail_delivery.send_due(smtp_settings(smtp_server)).sent == []  # not yet due

    later = journal.now() + dt.timedelta(minutes=2)
    assert len(mail_delivery.send_due(smtp_settings(smtp_server), now=later).sent) == 1
    assert len(smtp_server.wait_received(1)) == 1
    assert outbox.of_call(call.id)[0].status == "sent"


def test_a_permanent_failure_fails_at_once_and_the_rest_still_go(mail_on, smtp_server):
    smtp_server.refuse("gone@oakfield.sch.uk")
    bad = phone_call("Projector", "gone@oakfield.sch.uk")
    good = servicedesk.log_call(
        summary="Printer", requester="Pat Parent", role="parent", email="pat@example.com",
        channel="phone", by="jsmith",
    )  # fmt: skip

    report = mail_delivery.send_due(smtp_settings(smtp_server))

    assert [m.status for m in outbox.of_call(bad.id)] == ["failed"]
    assert "550 5.1.1" in outbox.of_call(bad.id)[0].last_error
    assert [m.status for m in outbox.of_call(good.id)] == ["sent"]
    assert len(report.failed) == 1 and len(report.sent) == 1


def test_tries_run_out_after_the_last_backoff(mail_on, smtp_server):
    call = phone_call()
    moment = journal.now()
    for _ in range(len(outbox.BACKOFF_MINUTES) + 1):  # each wait waited, then one last try
        smtp_server.fail_next(1)
        mail_delivery.send_due(smtp_settings(smtp_server), now=moment)
        moment += dt.timedelta(days=2)
    (message,) = outbox.of_call(call.id)
    assert message.status == "failed" and message.attempts == len(outbox.BACKOFF_MINUTES) + 1
    assert smtp_server.received == []


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"port": 1}, "cannot be used"),
        ({"password": "wrong"}, "cannot be used"),
        ({"password": "", "password_file": "/nonexistent/smtp-password"}, "cannot be read"),
        ({"security": "tls"}, 'is security = "tls" right for port'),
    ],
)
def test_a_setup_mistake_is_said_and_costs_the_messages_nothing(mail_on, smtp_server, change, said):
    call = phone_call()
    settings = dataclasses.replace(smtp_settings(smtp_server), **change)
    report = mail_delivery.send_due(settings)
    assert said in report.stopped
    (message,) = outbox.of_call(call.id)
    assert (message.status, message.attempts) == ("waiting", 0)  # due as soon as it is fixed
    assert len(mail_delivery.send_due(smtp_settings(smtp_server)).sent) == 1


def test_nothing_due_means_no_connection_at_all(mail_on, smtp_server):
    settings = dataclasses.replace(smtp_settings(smtp_server), port=1)  # would fail
    assert mail_delivery.send_due(settings).stopped == ""


def test_mail_send_exits_1_when_the_server_cannot_be_used(
    school, smtp_server, run, tmp_path, monkeypatch
):
    config_file = write_config(tmp_path / "config.toml", smtp_server)
    config_file.write_text(
        config_file.read_text().replace(f"port = {smtp_server.port}", "port = 1")
    )
    monkeypatch.setenv("FITSDESK_CONFIG", str(config_file))
    config.use(None)
    phone_call()
    status, out, err = run("mail", "send")
    assert status == 1 and out == ""
    assert err.startswith("0 sent. Stopped: The SMTP server 127.0.0.1:1 cannot be used")


# -- killed mid-send -------------------------------------------------------------------


def write_config(path: Path, server) -> Path:
    path.write_text(
        f'[school]\nname = "Oakfield School"\n[mail]\naddress = "{DESK}"\n'
        f'[mail.smtp]\nhost = "{server.host}"\nport = {server.port}\nsecurity = "starttls"\n'
        f'user = "{server.user}"\npassword = "{server.password}"\ncafile = "{server.cafile}"\n'
    )
    return path


def start_sender(db_url: str, settings: Path) -> subprocess.Popen:
    env = {**os.environ, "FITSDESK_CONFIG": str(settings)}
    return subprocess.Popen(
        [sys.executable, "-c", "from tui.cli import run; run()", "mail", "send", "--db", db_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_killed_after_the_server_has_the_message_it_is_never_sent_again(
    mail_on, smtp_server, db_url, tmp_path
):
    call = phone_call()
    settings = write_config(tmp_path / "config.toml", smtp_server)
    smtp_server.hold_data()  # the whole message has arrived; the 250 is held back
    sender = start_sender(db_url, settings)
    assert smtp_server.wait_held(20)
    sender.send_signal(signal.SIGKILL)
    sender.wait(10)
    smtp_server.release(accept=True)  # the server had it, so it delivers it
    assert len(smtp_server.wait_received(1)) == 1

    (message,) = outbox.of_call(call.id)
    assert message.status == "unsure"
    again = start_sender(db_url, settings)
    out, err = again.communicate(timeout=30)
    assert again.returncode == 0, err
    assert b"0 sent." in out
    time.sleep(0.2)
    assert len(smtp_server.received) == 1  # never twice
    assert outbox.of_call(call.id)[0].status == "unsure"

    later = journal.now() + dt.timedelta(hours=1)
    assert mail_delivery.send_due(smtp_settings(smtp_server), now=later).sent == []
    assert len(smtp_server.received) == 1


def test_killed_before_the_message_was_handed_over_it_goes_once_later(
    mail_on, smtp_server, db_url, tmp_path
):
    call = phone_call()
    settings = write_config(tmp_path / "config.toml", smtp_server)
    smtp_server.hold_rcpt()
    sender = start_sender(db_url, settings)
    assert smtp_server.wait_held(20)
    sender.send_signal(signal.SIGKILL)
    sender.wait(10)
    smtp_server.release(accept=False)
    assert outbox.of_call(call.id)[0].status == "sending"

    # Another sender at once leaves it alone (the claim may still be alive) ...
    assert mail_delivery.send_due(smtp_settings(smtp_server)).sent == []
    # ... and takes it once the claim has run out.
    later = journal.now() + outbox.CLAIM + dt.timedelta(seconds=1)
    assert len(mail_delivery.send_due(smtp_settings(smtp_server), now=later).sent) == 1
    assert len(smtp_server.wait_received(1)) == 1
    time.sleep(0.2)
    assert len(smtp_server.received) == 1
    assert outbox.of_call(call.id)[0].status == "sent"


# -- the whole conversation ------------------------------------------------------------


def test_a_call_by_email_from_first_message_to_yes_over_real_servers(
    mail_on, imap_server, smtp_server
):
    """A parent emails, is told the number, replies with more, is asked whether it is
    fixed, says yes: every message through dovecot and aiosmtpd."""
    use_mail(imap=imap_settings(imap_server), smtp=smtp_settings(smtp_server))

    def round_trip(expected_out: int) -> list:
        mailbox.fetch()
        mail_delivery.send_due()
        return smtp_server.wait_received(expected_out)

    imap_server.append(mail(PARENT, "Sam can't log in to the homework site"))
    (logged,) = round_trip(1)
    ack = parsed(logged)
    (call,) = servicedesk.list_calls()
    assert call.channel == "email" and call.requester == "Pat Parent"
    assert ack["Subject"].startswith(f"[{call.number}]")

    reply = mail(
        PARENT,
        f"Re: {ack['Subject']}",
        "It says 'account locked'.\n\nOn Monday IT support wrote:\n> Thank you",
        headers={"In-Reply-To": ack["Message-ID"], "References": ack["Message-ID"]},
    )
    imap_server.append(reply)
    round_trip(1)  # a reply from the caller is not answered
    shown = servicedesk.find_call(call.number)
    assert [n.text for n in shown.notes if n.public] == ["It says 'account locked'."]

    incidents.resolve(call.number, kind="fix", text="Account unlocked", by="jsmith")
    _, asked = round_trip(2)
    question = parsed(asked)
    assert "Are you happy it is fixed?" in question.get_content()

    imap_server.append(
        mail(PARENT, f"Re: {question['Subject']}", "Yes, thank you!",
             headers={"In-Reply-To": question["Message-ID"]})
    )  # fmt: skip
    *_, closed = round_trip(3)
    assert servicedesk.find_call(call.number).status == "closed"
    assert parsed(closed)["Subject"].startswith(f"[{call.number}] Closed")
    assert parsed(closed)["In-Reply-To"] is not None
    assert MailOut.select().where(MailOut.status != "sent").count() == 0


def test_mail_run_once_fetches_and_sends_and_stops_on_sigterm(
    school, imap_server, smtp_server, db_url, tmp_path
):
    settings = tmp_path / "config.toml"
    settings.write_text(
        f'[mail]\naddress = "{DESK}"\ninterval_seconds = 10\n'
        f'[mail.imap]\nhost = "{imap_server.host}"\nport = {imap_server.port}\n'
        f'user = "{imap_server.user}"\npassword = "{imap_server.password}"\n'
        f'cafile = "{imap_server.cafile}"\n'
        f'[mail.smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\n'
        f'user = "{smtp_server.user}"\npassword = "{smtp_server.password}"\n'
        f'cafile = "{smtp_server.cafile}"\n'
    )
    imap_server.append(mail(ADA, "Interactive board pen lost"))
    env = {**os.environ, "FITSDESK_CONFIG": str(settings)}
    command = [sys.executable, "-c", "from tui.cli import run; run()", "mail", "run"]
    runner = subprocess.Popen(
        [*command, "--db", db_url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert len(smtp_server.wait_received(1, timeout=30)) == 1
        runner.send_signal(signal.SIGTERM)
        out, err = runner.communicate(timeout=20)
    finally:
        runner.kill()
    assert runner.returncode == 0, err
    assert out.startswith(
        f"FITS Desk mail: fetching from IMAP {imap_server.user}@{imap_server.host}:"
        f"{imap_server.port} and sending through {smtp_server.host}:{smtp_server.port}, "
        "every 10 s.\n".encode()
    )
    assert b"fetched: 1 new call." in out and b"1 sent." in out
