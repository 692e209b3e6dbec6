"""Real mail servers on loopback for the email channel's tests.

SMTP is aiosmtpd, run in a thread of the test process, one server per test. IMAP is
Debian's dovecot, one daemon per test process (so pytest-xdist workers each have their
own) with its own config, ports and files in a scratch folder, and a fresh user (an
empty mailbox) for each test. Both use one self-signed CA per process; `cafile` is it.

tests/conftest.py imports the fixtures smtp_server, smtp_factory and imap_server, so every
test module can use them. Each needs only pytest's own fixtures, so importing them from
here into a module works too.
"""

from __future__ import annotations

import asyncio
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
import tempfile
import threading
import time
import warnings
import weakref
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

HOST = "127.0.0.1"
# dovecot counts a connection whose two ends share an address as secure, and would take
# a password before STARTTLS; from 127.0.0.1 to 127.0.0.2 it does not.
IMAP_HOST = "127.0.0.2"
SECURITIES = ("plain", "starttls", "tls")


# -- the scratch folder and certificate, one per test process -------------------------


@dataclass(frozen=True)
class Lab:
    """This process's scratch folder (world-traversable, so dovecot's own users can
    reach their sockets and mail) and the certificate both servers present."""

    root: Path
    cafile: Path
    certfile: Path
    keyfile: Path


_lab: Lab | None = None


def lab(config: pytest.Config) -> Lab:
    """Make the folder and certificate on first use; removed when the session ends."""
    global _lab
    if _lab is None:
        if not shutil.which("openssl"):
            pytest.skip("openssl is not installed: the mail servers need it for a certificate")
        root = Path(tempfile.mkdtemp(prefix="fitsdesk-mail-"))
        root.chmod(0o755)
        config.add_cleanup(lambda: shutil.rmtree(root, ignore_errors=True))
        _make_certificate(root)
        _lab = Lab(root, root / "ca.pem", root / "cert.pem", root / "key.pem")
    return _lab


def _make_certificate(root: Path) -> None:
    """A CA and a server certificate for 127.0.0.1, 127.0.0.2 and localhost signed by it."""
    ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    (root / "server.ext").write_text(
        "subjectAltName = IP:127.0.0.1, IP:127.0.0.2, DNS:localhost\nbasicConstraints = CA:FALSE\n"
        "keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n"
        "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
    )
    ca = "-subj /CN=FITS_Desk_test_CA -addext basicConstraints=critical,CA:TRUE"
    steps = [
        f"req -x509 {ec} -keyout ca.key -out ca.pem -days 7 {ca}"
        " -addext keyUsage=critical,keyCertSign,cRLSign",
        f"req -new {ec} -keyout key.pem -out server.csr -subj /CN=localhost",
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -days 7 -extfile server.ext"
        f" -set_serial {secrets.randbits(63)} -out cert.pem",
    ]
    for step in steps:
        subprocess.run(["openssl", *step.split()], cwd=root, check=True, capture_output=True)


def free_port(host: str = HOST) -> int:
    """A TCP port on `host` that nothing was listening on a moment ago."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# -- SMTP ------------------------------------------------------------------------------


@dataclass
class Received:
    """One message the SMTP server accepted: the envelope and the bytes as sent."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str | None


@dataclass
class _Held:
    stage: str  # "RCPT" or "DATA"
    message: Received
    reply: str | None = None


@dataclass(eq=False)
class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that records what it accepts and can misbehave.

    `security` is "plain", "starttls" (STARTTLS required before anything else) or "tls"
    (implicit TLS, SMTPS). With `auth`, MAIL is refused until AUTH LOGIN/PLAIN with
    `user`/`password` (offered only after STARTTLS on a "starttls" server)."""

    security: str
    auth: bool
    cafile: str
    certfile: str
    keyfile: str
    host: str = HOST
    port: int = 0
    user: str = "desk@school.example"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    received: list[Received] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        if self.security not in SECURITIES:
            raise ValueError(f"security must be one of {SECURITIES}, not {self.security!r}")
        self._lock = threading.Lock()
        self._failures: list[str] = []
        self._refused: dict[str, str] = {}
        self._holding: set[str] = set()
        self._pending: list[_Held] = []
        self._gate = threading.Event()
        self._protocols: weakref.WeakSet = weakref.WeakSet()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]

    # What a test tells it.
    def fail_next(self, n: int = 1, reply: str = "451 4.3.0 Try again later") -> None:
        """Answer the next `n` messages' DATA with `reply` (a temporary failure), then accept."""
        with self._lock:
            self._failures.extend([reply] * n)

    def refuse(self, rcpt: str, reply: str = "550 5.1.1 No such user here") -> None:
        """Answer RCPT TO for `rcpt` (any case) with `reply` (a permanent failure)."""
        with self._lock:
            self._refused[rcpt.lower()] = reply

    def hold_data(self) -> None:
        """From now until release(), keep each message that has fully arrived waiting
        for its answer to DATA; `held` is set while one waits."""
        with self._lock:
            self._holding.add("DATA")

    def hold_rcpt(self) -> None:
        """From now until release(), keep each RCPT TO waiting for its answer."""
        with self._lock:
            self._holding.add("RCPT")

    def release(self, accept: bool = True) -> None:
        """Stop holding and answer everything held. With `accept`, held messages are
        delivered (added to `received`) even if their client has gone, as a real server
        that had the whole message would; without it they get 451 and are dropped."""
        with self._lock:
            for item in self._pending:
                if accept:
                    item.reply = "250 2.0.0 OK" if item.stage == "DATA" else None
                    if item.stage == "DATA":
                        self.received.append(item.message)
                else:
                    item.reply = "451 4.3.0 Try again later"
            self._pending.clear()
            self._holding.clear()
            self.held.clear()
            self._gate.set()
            self._gate = threading.Event()

    def wait_held(self, timeout: float = 10) -> bool:
        """True once something is being held; False after `timeout` seconds."""
        return self.held.wait(timeout)

    def wait_received(self, count: int, timeout: float = 10) -> list[Received]:
        """`received` once it holds at least `count` messages; fails the test after `timeout`."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"the SMTP server got {len(self.received)} messages, not {count}")
            time.sleep(0.01)
        return self.received

    def stop(self) -> None:
        """Drop every connection (even one whose client was killed mid-way) and stop."""
        if self._loop.is_closed():
            return
        self.release(accept=False)
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        future.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    # The server side, run in the server's thread.
    async def _listen(self) -> asyncio.Server:
        context = None
        if self.security != "plain":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.certfile, self.keyfile)
        self._context = context
        implicit = context if self.security == "tls" else None
        return await self._loop.create_server(self._protocol, HOST, 0, ssl=implicit)

    def _protocol(self):
        from aiosmtpd.smtp import SMTP

        starttls = self.security == "starttls"
        with warnings.catch_warnings():  # AUTH on a TLS connection is not "AUTH without TLS"
            warnings.simplefilter("ignore")
            protocol = SMTP(
                self,
                hostname="localhost",
                tls_context=self._context if starttls else None,
                require_starttls=starttls,
                auth_required=self.auth,
                auth_require_tls=starttls or not self.auth,
                authenticator=self._authenticate,
                loop=self._loop,
            )
        self._protocols.add(protocol)
        return protocol

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = (
            self.auth
            and auth_data.login == self.user.encode()
            and auth_data.password == self.password.encode()
        )
        return AuthResult(success=bool(ok), handled=False, auth_data=auth_data)

    async def _hold(self, stage: str, message: Received) -> str | None:
        with self._lock:
            if stage not in self._holding:
                return None
            item = _Held(stage, message)
            self._pending.append(item)
            gate = self._gate
            self.held.set()
        while not gate.is_set():  # a killed client cancels this wait; release() decides
            await asyncio.sleep(0.01)
        return item.reply or "250 2.1.5 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        login = _login(session)
        reply = await self._hold("RCPT", Received(envelope.mail_from, [address], b"", login))
        if reply and not reply.startswith("250"):
            return reply
        with self._lock:
            refused = self._refused.get(address.lower())
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure:
            return failure
        login = _login(session)
        data = envelope.original_content or envelope.content
        message = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(data), login)
        reply = await self._hold("DATA", message)
        if reply is None:
            with self._lock:
                self.received.append(message)
            reply = "250 2.0.0 OK"
        return reply

    async def _shutdown(self) -> None:
        self._server.close()
        for protocol in list(self._protocols):
            transport = getattr(protocol, "_original_transport", None) or protocol.transport
            if transport is not None and not transport.is_closing():
                transport.abort()
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.wait_for(self._server.wait_closed(), 5)


def _login(session) -> str | None:
    login = getattr(session.auth_data, "login", None)
    return login.decode() if login else None


def start_smtp(config: pytest.Config, security: str = "starttls", auth: bool | None = None):
    """A running SmtpServer; `auth` defaults to on for TLS flavours and off for plain."""
    where = lab(config)
    return SmtpServer(
        security=security,
        auth=security != "plain" if auth is None else auth,
        cafile=str(where.cafile),
        certfile=str(where.certfile),
        keyfile=str(where.keyfile),
    )


@pytest.fixture
def smtp_server(request):
    """An SMTP server with STARTTLS and AUTH, stopped after the test."""
    server = start_smtp(request.config)
    yield server
    server.stop()


@pytest.fixture
def smtp_factory(request):
    """make(security="starttls"|"tls"|"plain", auth=None) -> a new SmtpServer;
    all are stopped after the test."""
    servers: list[SmtpServer] = []

    def make(security: str = "starttls", auth: bool | None = None) -> SmtpServer:
        servers.append(start_smtp(request.config, security, auth))
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


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


def dovecot(config: pytest.Config) -> Dovecot:
    """This process's running dovecot; skips when it is not installed."""
    global _dovecot
    binary = _dovecot_binary()
    if not binary:
        pytest.skip("dovecot is not installed: .ci/run installs it")
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
