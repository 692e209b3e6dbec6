"""The scratch folder and the certificate the test mail servers share, one per test
process, and free loopback ports."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
NO_OPENSSL = (
    "openssl is not installed, so the mail servers for this test have no certificate: "
    "install the openssl package (sudo apt-get install openssl)"
)
"""Why a mail server test skips, and how to run it."""


def lab(config: pytest.Config) -> Lab:
    """Make the folder and certificate on first use; removed when the session ends."""
    global _lab
    if _lab is None:
        if not shutil.which("openssl"):
            pytest.skip(NO_OPENSSL)
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
