"""A real SMTP server on loopback for the tests: aiosmtpd in a thread of the test
process, one per test, plain, STARTTLS or implicit TLS, with AUTH, and told to
misbehave when a test needs it (451, 550, holding a message at RCPT or DATA)."""

from __future__ import annotations

import asyncio
import secrets
import ssl
import threading
import time
import warnings
import weakref
from dataclasses import dataclass, field

import pytest

from tests.mail_lab import HOST, SECURITIES, lab

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
    eight_bit: bool = True
    """Whether EHLO offers 8BITMIME (a test may set it False: an old relay)."""
    mail_options: list[list[str]] = field(default_factory=list)
    """The options each MAIL FROM came with, in order (BODY=8BITMIME...)."""

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

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if not self.eight_bit:
            responses = [line for line in responses if "8BITMIME" not in line]
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self._lock:
            self.mail_options.append(list(mail_options))
        if not self.eight_bit and any(o.upper() == "BODY=8BITMIME" for o in mail_options):
            return "555 5.5.4 BODY=8BITMIME is not offered here"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

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
