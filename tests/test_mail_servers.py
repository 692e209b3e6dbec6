"""The mail servers the email channel's tests use really serve mail: smtplib sends
through aiosmtpd in each flavour, imaplib reads dovecot, and the misbehaviours happen."""

from __future__ import annotations

import imaplib
import signal
import smtplib
import ssl
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_db

# The fixtures smtp_server, smtp_factory and imap_server come from tests/mail_servers.py
# through conftest.py.


def note(subject: str = "Projector in B12", to: str = "pupil@school.example") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "desk@school.example"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("It flickers.\n")
    return message


def connect(server, timeout: float = 10) -> smtplib.SMTP:
    """An smtplib client logged in to `server`, verifying its certificate."""
    context = ssl.create_default_context(cafile=server.cafile)
    if server.security == "tls":
        client = smtplib.SMTP_SSL(server.host, server.port, context=context, timeout=timeout)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        if server.security == "starttls":
            client.starttls(context=context)
    if server.auth:
        client.login(server.user, server.password)
    return client


# A client in another process, to be killed mid-conversation.
SENDER = """
import smtplib, ssl, sys
host, port, user, password, cafile = sys.argv[1:]
client = smtplib.SMTP(host, int(port), timeout=30)
client.starttls(context=ssl.create_default_context(cafile=cafile))
client.login(user, password)
client.sendmail("desk@school.example", ["pupil@school.example"], b"Subject: once\\r\\n\\r\\nhi")
"""


def sender(server) -> subprocess.Popen:
    facts = [server.host, str(server.port), server.user, server.password, server.cafile]
    return subprocess.Popen([sys.executable, "-c", SENDER, *facts])


@pytest.mark.parametrize("security", ["starttls", "tls", "plain"])
def test_each_flavour_logs_in_and_records_the_message(smtp_factory, security):
    server = smtp_factory(security, auth=True)
    with connect(server) as client:
        client.send_message(note(), to_addrs=["pupil@school.example", "Parent@Home.example"])
    (got,) = server.received
    assert got.mail_from == "desk@school.example"
    assert got.rcpt_tos == ["pupil@school.example", "Parent@Home.example"]
    assert got.login == server.user
    assert b"Subject: Projector in B12" in got.data and b"It flickers." in got.data


def test_plain_without_auth_takes_mail_from_anyone(smtp_factory):
    server = smtp_factory("plain")
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        client.ehlo()
        assert not client.has_extn("auth") and not client.has_extn("starttls")
        client.send_message(note())
    assert server.received[0].login is None


def test_the_certificate_is_checked_and_the_password_too(smtp_server):
    client = smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10)
    with pytest.raises(ssl.SSLCertVerificationError):  # the system's CAs do not know it
        client.starttls(context=ssl.create_default_context())
    client.close()
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        client.ehlo()
        assert not client.has_extn("auth")  # not before STARTTLS
        code, _ = client.mail("desk@school.example")
        assert code == 530
        client.starttls(context=ssl.create_default_context(cafile=smtp_server.cafile))
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login(smtp_server.user, "wrong")
        with pytest.raises(smtplib.SMTPSenderRefused):  # still not logged in
            client.send_message(note())
    assert smtp_server.received == []


def test_fail_next_answers_451_then_accepts(smtp_server):
    smtp_server.fail_next(2)
    with connect(smtp_server) as client:
        for _ in range(2):
            with pytest.raises(smtplib.SMTPDataError) as failed:
                client.send_message(note())
            assert failed.value.smtp_code == 451
        client.send_message(note("Third time"))
    assert [b"Third time" in got.data for got in smtp_server.received] == [True]


def test_refuse_answers_550_for_that_recipient_only(smtp_server):
    smtp_server.refuse("gone@school.example")
    with connect(smtp_server) as client:
        refused = client.send_message(note(), to_addrs=["GONE@school.example", "a@school.example"])
        assert refused["GONE@school.example"][0] == 550
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.send_message(note(), to_addrs=["gone@school.example"])
    assert [got.rcpt_tos for got in smtp_server.received] == [["a@school.example"]]


def test_hold_data_keeps_the_client_waiting_until_release(smtp_server):
    smtp_server.hold_data()
    done = []
    client = connect(smtp_server)
    thread = threading.Thread(target=lambda: done.append(client.send_message(note())))
    thread.start()
    assert smtp_server.wait_held(10)
    time.sleep(0.2)
    assert thread.is_alive() and done == [] and smtp_server.received == []
    smtp_server.release()
    thread.join(10)
    assert done == [{}] and len(smtp_server.received) == 1
    client.send_message(note("Not held after release"))  # release ends the holding
    assert len(smtp_server.received) == 2
    client.quit()


def test_a_sender_killed_while_held_at_data_still_delivered_once(smtp_server):
    smtp_server.hold_data()
    process = sender(smtp_server)
    assert smtp_server.wait_held(20)
    assert process.poll() is None  # still waiting for the answer
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    smtp_server.release()  # the server had the whole message: it delivers it
    assert [got.data for got in smtp_server.received] == [b"Subject: once\r\n\r\nhi\r\n"]


def test_release_without_accept_answers_451_and_drops_it(smtp_server):
    smtp_server.hold_data()
    client = connect(smtp_server)
    errors = []

    def send():
        try:
            client.send_message(note())
        except smtplib.SMTPDataError as error:
            errors.append(error.smtp_code)

    thread = threading.Thread(target=send)
    thread.start()
    assert smtp_server.wait_held(10)
    smtp_server.release(accept=False)
    thread.join(10)
    assert errors == [451] and smtp_server.received == []
    client.quit()


def test_a_sender_killed_while_held_at_rcpt_delivers_nothing(smtp_server):
    smtp_server.hold_rcpt()
    process = sender(smtp_server)
    assert smtp_server.wait_held(20)
    assert process.poll() is None  # still waiting for the answer
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    smtp_server.release()
    with connect(smtp_server) as client:  # and the server still serves
        client.send_message(note("After the kill"))
    assert len(smtp_server.received) == 1 and b"After the kill" in smtp_server.received[0].data


def test_stop_ends_a_conversation_held_mid_way(smtp_factory):
    server = smtp_factory("tls")
    server.hold_data()
    client = connect(server)
    errors = []

    def send():
        try:
            client.send_message(note())
        except smtplib.SMTPServerDisconnected as error:
            errors.append(error)

    thread = threading.Thread(target=send)
    thread.start()
    assert server.wait_held(10)
    started = time.monotonic()
    server.stop()
    thread.join(10)
    assert time.monotonic() - started < 5
    assert len(errors) == 1 and server.received == []


# -- IMAP ------------------------------------------------------------------------------


RAW = b"From: pupil@school.example\r\nSubject: Printer jam\r\n\r\nRoom 4 again.\r\n"


def test_imaps_login_sees_an_appended_message_and_marks_it_seen(imap_server):
    assert imap_server.messages() == []  # every test starts with an empty mailbox
    uid = imap_server.append(RAW)
    client = imaplib.IMAP4_SSL(
        imap_server.host, imap_server.port, ssl_context=imap_server.ssl_context()
    )
    client.login(imap_server.user, imap_server.password)
    assert client.select("INBOX") == ("OK", [b"1"])
    _, found = client.uid("SEARCH", "UNSEEN")
    assert found == [str(uid).encode()]
    client.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
    client.logout()
    (message,) = imap_server.messages()
    assert message.uid == uid and message.raw == RAW and "\\Seen" in message.flags


def test_starttls_is_required_before_login_and_verified(imap_server):
    client = imaplib.IMAP4(imap_server.host, imap_server.starttls_port)
    assert "LOGINDISABLED" in client.capabilities
    with pytest.raises(imaplib.IMAP4.error):
        client.login(imap_server.user, imap_server.password)
    client.shutdown()
    client = imaplib.IMAP4(imap_server.host, imap_server.starttls_port)
    with pytest.raises(ssl.SSLCertVerificationError):
        client.starttls(ssl.create_default_context())
    client = imap_server.connect("starttls")
    assert client.select("INBOX")[0] == "OK"
    client.logout()


def test_a_wrong_password_or_token_is_refused(imap_server):
    client = imaplib.IMAP4_SSL(
        imap_server.host, imap_server.port, ssl_context=imap_server.ssl_context()
    )
    with pytest.raises(imaplib.IMAP4.error):
        client.login(imap_server.user, imap_server.password + "x")
    bad = f"user={imap_server.user}\x01auth=Bearer nope\x01\x01".encode()
    with pytest.raises(imaplib.IMAP4.error):
        client.authenticate("XOAUTH2", lambda _: bad)
    client.shutdown()
    started = time.monotonic()  # and the right password is not made to wait after that
    imap_server.connect().logout()
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("mechanism", ["XOAUTH2", "OAUTHBEARER"])
def test_a_bearer_token_logs_in(imap_server, mechanism):
    user, token = imap_server.user, imap_server.token
    if mechanism == "XOAUTH2":
        response = f"user={user}\x01auth=Bearer {token}\x01\x01"
    else:
        response = f"n,a={user},\x01auth=Bearer {token}\x01\x01"
    client = imaplib.IMAP4_SSL(
        imap_server.host, imap_server.port, ssl_context=imap_server.ssl_context()
    )
    status, _ = client.authenticate(mechanism, lambda _: response.encode())
    assert status == "OK"
    assert client.select("INBOX")[0] == "OK"
    client.logout()


def test_folders_flags_and_a_move_are_visible(imap_server):
    imap_server.append(RAW, folder="Set aside", flags=("\\Flagged",))
    imap_server.append(RAW + b"Second.\r\n")
    assert imap_server.folders() == ["INBOX", "Set aside"]
    (kept,) = imap_server.messages("Set aside")
    assert kept.flags == {"\\Flagged"}
    client = imap_server.connect()
    client.select("INBOX")
    client.uid("MOVE", "1", '"Set aside"')
    client.logout()
    assert imap_server.messages() == []
    assert [m.raw for m in imap_server.messages("Set aside")] == [RAW, RAW + b"Second.\r\n"]


def test_a_missing_mail_server_says_what_to_install(request, monkeypatch):
    """A mail test that cannot have its server skips with one sentence saying what is
    missing and how to get it (`pytest -rs` prints it)."""
    from tests import imap_server, mail_lab

    monkeypatch.setattr(imap_server, "_dovecot_binary", lambda: None)
    with pytest.raises(pytest.skip.Exception) as skipped:
        imap_server.dovecot(request.config)
    assert str(skipped.value) == imap_server.NO_DOVECOT
    assert "dovecot is not installed" in str(skipped.value)
    assert "apt-get install dovecot-imapd" in str(skipped.value) and ".ci/run" in str(skipped.value)
    monkeypatch.setattr(mail_lab, "_lab", None)
    monkeypatch.setattr(mail_lab.shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception) as skipped:
        mail_lab.lab(request.config)
    assert str(skipped.value) == mail_lab.NO_OPENSSL
    assert "apt-get install openssl" in str(skipped.value)
    for reason in (imap_server.NO_DOVECOT, mail_lab.NO_OPENSSL):
        assert "\n" not in reason  # one line: -rs prints it whole
    # The README says what the whole suite needs, and how .ci/run provides it.
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    needs = readme[readme.index("The whole suite needs") :].split("\n\n")[0]
    assert "dovecot-imapd" in needs and "PostgreSQL" in needs and ".ci/run" in needs
