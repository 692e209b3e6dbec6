"""A real IMAP server on loopback for the tests: Debian's dovecot, one daemon per
test process (each pytest-xdist worker its own) with its own config, ports and files,
and a fresh user (an empty mailbox, a password and an OAuth2 token) for each test."""

from __future__ import annotations

import grp
import imaplib
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from tests.mail_lab import HOST, IMAP_HOST, Lab, free_port, lab

# -- IMAP ------------------------------------------------------------------------------


@dataclass
class StoredMessage:
    """A message in an IMAP folder: its UID, its flags and its bytes."""

    uid: int
    flags: frozenset[str]
    raw: bytes


def quote(name: str) -> str:
    """An IMAP quoted string (imaplib sends mailbox names as given)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class ImapMailbox:
    """One empty mailbox on this process's dovecot: IMAPS on `port`, STARTTLS on
    `starttls_port`; LOGIN/PLAIN with `user`/`password`; XOAUTH2 and OAUTHBEARER
    with the bearer `token`."""

    host: str
    port: int
    starttls_port: int
    user: str
    password: str
    token: str
    cafile: str
    log: Path

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)

    def connect(self, security: str = "tls") -> imaplib.IMAP4:
        """A client logged in as the user over implicit TLS ("tls") or STARTTLS."""
        if security == "tls":
            client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=self.ssl_context())
        else:
            client = imaplib.IMAP4(self.host, self.starttls_port)
            client.starttls(self.ssl_context())
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX", flags=()) -> int:
        """Put `raw` into `folder` (made if missing) with `flags`; return its UID."""
        client = self.connect()
        try:
            if folder.upper() != "INBOX":
                client.create(quote(folder))  # NO [ALREADYEXISTS] is fine
            wanted = "(" + " ".join(flags) + ")" if flags else None
            status, data = client.append(quote(folder), wanted, None, raw)
            if status != "OK":
                raise AssertionError(f"APPEND to {folder} was refused: {data!r}")
            found = re.search(rb"APPENDUID \d+ (\d+)", data[0])
            return int(found.group(1))
        finally:
            client.logout()

    def messages(self, folder: str = "INBOX") -> list[StoredMessage]:
        """What `folder` holds, oldest first, read without changing any flag."""
        client = self.connect()
        try:
            status, data = client.select(quote(folder), readonly=True)
            if status != "OK":
                raise AssertionError(f"there is no folder {folder}: {data!r}")
            if int(data[0]) == 0:
                return []
            _, data = client.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            found = []
            for part in data:
                if isinstance(part, tuple):
                    uid = re.search(rb"UID (\d+)", part[0]).group(1)
                    flags = re.search(rb"FLAGS \(([^)]*)\)", part[0]).group(1).decode().split()
                    flags = frozenset(flags) - {"\\Recent"}  # \Recent belongs to a session
                    found.append(StoredMessage(int(uid), flags, part[1]))
            return sorted(found, key=lambda message: message.uid)
        finally:
            client.logout()

    def folders(self) -> list[str]:
        """The names of the user's folders."""
        client = self.connect()
        try:
            _, data = client.list()
            names = []
            for line in data:
                found = isinstance(line, bytes) and re.match(
                    rb'\(.*?\) (?:"[^"]*"|NIL) (.*)$', line
                )
                if found:
                    name = found.group(1).decode()
                    if name.startswith('"'):
                        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
                    names.append(name)
            return sorted(names)
        finally:
            client.logout()


_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = fitsdesk-{pid}
protocols = imap
listen = {host}
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
{dh}
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {uid}
auth_verbose = yes
auth_failure_delay = 0
auth_mechanisms = plain login xoauth2 oauthbearer
mail_location = maildir:~/Maildir
protocol imap {{
  mail_max_userip_connections = 50
}}
service imap-login {{
  {chroot}
  inet_listener imap {{
    address = {host}
    port = {starttls_port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  {chroot}
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = {root}/users/%u
}}
userdb {{
  driver = passwd-file
  args = {root}/users/%u
  default_fields = uid={uid} gid={gid} home={root}/home/%u
}}
"""

_OAUTH2 = """\
introspection_mode = post
introspection_url = http://127.0.0.1:{port}/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""


class _Introspection(BaseHTTPRequestHandler):
    """Answers dovecot's OAuth2 token introspection from the daemon's token table."""

    tokens: dict[str, str] = {}

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        token = parse_qs(self.rfile.read(length).decode()).get("token", [""])[0]
        user = self.tokens.get(token)
        body = json.dumps({"active": True, "username": user} if user else {"active": False})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format, *args) -> None:
        pass


def _dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot",) if os.access(path, os.X_OK)), None
    )


class Dovecot:
    """This process's dovecot: started on first use, stopped when the session ends."""

    def __init__(self, binary: str, where: Lab) -> None:
        self.root = where.root
        self.users = self.root / "users"  # a passwd-file per user: new ones are seen at once
        self.users.mkdir()
        self.count = 0
        handler = type("Handler", (_Introspection,), {"tokens": {}})
        self.tokens = handler.tokens
        self.http = ThreadingHTTPServer((HOST, 0), handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        (self.root / "oauth2.conf").write_text(_OAUTH2.format(port=self.http.server_port))
        if os.geteuid() == 0:  # dovecot's own users; mail belongs to `mail`, never root
            mail = pwd.getpwnam(
                "mail" if "mail" in {user.pw_name for user in pwd.getpwall()} else "nobody"
            )
            internal, group, login, chroot = "dovecot", "dovecot", "dovenull", ""
        else:  # run as whoever runs the tests
            mail = pwd.getpwuid(os.geteuid())
            internal = login = mail.pw_name
            group = grp.getgrgid(os.getegid()).gr_name
            chroot = "chroot ="
        (self.root / "home").mkdir(mode=0o700)
        os.chown(self.root / "home", mail.pw_uid, mail.pw_gid)
        dh = Path("/usr/share/dovecot/dh.pem")
        self.settings = dict(
            host=IMAP_HOST, root=self.root, pid=os.getpid(), cert=where.certfile, key=where.keyfile,
            dh=f"ssl_dh = <{dh}" if dh.exists() else "", internal=internal, group=group,
            login=login, uid=mail.pw_uid, gid=mail.pw_gid, chroot=chroot,
        )  # fmt: skip
        self.cafile = str(where.cafile)
        self.process: subprocess.Popen | None = None
        for _ in range(3):  # another process may take a port between choosing and binding
            if self._start(binary):
                return
        self.stop()
        raise RuntimeError(f"dovecot would not start:\n{self._log_tail()}")

    def _start(self, binary: str) -> bool:
        self.port, self.starttls_port = free_port(IMAP_HOST), free_port(IMAP_HOST)
        conf = self.root / "dovecot.conf"
        conf.write_text(
            _CONFIG.format(port=self.port, starttls_port=self.starttls_port, **self.settings)
        )
        penalty = self.root / "run" / "anvil-auth-penalty"  # see below
        penalty.unlink(missing_ok=True)  # one left by an attempt that failed
        # setpriv: dovecot gets SIGTERM if this test process dies without cleaning up.
        guard = ["setpriv", "--pdeathsig", "TERM"] if shutil.which("setpriv") else []
        with open(self.root / "startup.log", "ab") as out:
            self.process = subprocess.Popen(
                [*guard, binary, "-F", "-c", str(conf)], stdout=out, stderr=out
            )
        deadline = time.monotonic() + 15
        # Dovecot delays every login from an address for up to 15 s after a failed one,
        # which would slow each test after one that tries a wrong password. Its auth
        # process runs without that penalty when it finds no socket to ask: remove it
        # once the listeners exist, before the first login starts the auth process.
        unlinked = False
        while time.monotonic() < deadline and self.process.poll() is None:
            if penalty.exists():
                penalty.unlink()
                unlinked = True
            if unlinked and all(self._listening(port) for port in (self.port, self.starttls_port)):
                return True
            time.sleep(0.01)
        self._stop_process()
        return False

    @staticmethod
    def _listening(port: int) -> bool:
        try:
            socket.create_connection((IMAP_HOST, port), timeout=1).close()
            return True
        except OSError:
            return False

    def _log_tail(self) -> str:
        text = ""
        for name in ("startup.log", "dovecot.log"):
            path = self.root / name
            text += path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-20:])

    def new_mailbox(self) -> ImapMailbox:
        """A user no test has used, with a password and a bearer token of its own."""
        self.count += 1
        user, password, token = (
            f"user{self.count}",
            secrets.token_urlsafe(12),
            secrets.token_hex(16),
        )
        (self.users / user).write_text(f"{user}:{{PLAIN}}{password}::::::\n")
        self.tokens[token] = user
        return ImapMailbox(
            IMAP_HOST, self.port, self.starttls_port, user, password, token, self.cafile,
            self.root / "dovecot.log",
        )  # fmt: skip

    def stop(self) -> None:
        self._stop_process()
        self.http.shutdown()
        self.http.server_close()

    def _stop_process(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


_dovecot: Dovecot | str | None = None
NO_DOVECOT = (
    "dovecot is not installed, so there is no IMAP server for this test: install the "
    "dovecot-imapd package (sudo apt-get install dovecot-imapd), or run .ci/run as root, "
    "which installs it"
)
"""Why an IMAP test skips, and how to run it (README.md, Working on it)."""


def dovecot(config: pytest.Config) -> Dovecot:
    """This process's running dovecot; skips when it is not installed."""
    global _dovecot
    binary = _dovecot_binary()
    if not binary:
        pytest.skip(NO_DOVECOT)
    if _dovecot is None:
        try:
            _dovecot = Dovecot(binary, lab(config))
        except RuntimeError as error:
            _dovecot = str(error)
        else:
            config.add_cleanup(_dovecot.stop)
    if isinstance(_dovecot, str):
        pytest.fail(_dovecot)
    return _dovecot


@pytest.fixture
def imap_server(request) -> ImapMailbox:
    """An empty IMAP mailbox of this test's own on a real dovecot."""
    return dovecot(request.config).new_mailbox()
