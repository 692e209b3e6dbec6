"""Real mail servers on loopback for the email channel's tests.

SMTP is aiosmtpd, run in a thread of the test process, one server per test. IMAP is
Debian's dovecot, one daemon per test process (so pytest-xdist workers each have their
own) with its own config, ports and files in a scratch folder, and a fresh user (an
empty mailbox) for each test. Both use one self-signed CA per process; `cafile` is it.

tests/conftest.py imports the fixtures smtp_server, smtp_factory and imap_server, so every
test module can use them. Each needs only pytest's own fixtures, so importing them from
here into a module works too.
"""

from tests.imap_server import imap_server  # noqa: F401
from tests.smtp_server import smtp_factory, smtp_server  # noqa: F401
