"""The [mail] settings: where mail comes in, how it goes out, and who the senders are.

    [mail]
    address = "ithelp@oakfield.sch.uk"      # callers write here; our mail comes from here
    staff_domains = ["oakfield.sch.uk"]     # senders here are staff ...
    pupil_domains = ["pupils.oakfield.sch.uk"]
    other_senders = "parent"                # ... and everyone else (default "visitor")

    [mail.imap]                             # or [mail.maildir] path = "/var/mail/ithelp"
    host = "mail.oakfield.sch.uk"
    user = "ithelp"
    password_file = "/etc/fitsdesk/imap-password"   # or password, or oauth2_token_file

    [mail.smtp]
    host = "smtp.oakfield.sch.uk"           # port 587 STARTTLS unless said otherwise
    user = "ithelp"
    password_file = "/etc/fitsdesk/smtp-password"

Without `address` FITS Desk writes no outbox at all: a school that has not set up
mail is never sent a backlog of stale messages when it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from store.db.errors import BadInput
from store.db.sanitise import Field, clean, clean_email

SECURITY = ("tls", "starttls", "none")
"""How a connection is protected: implicit TLS, STARTTLS, or (loopback only) not at all."""
PORTS = {
    "imap": {"tls": 993, "starttls": 143, "none": 143},
    "smtp": {"tls": 465, "starttls": 587, "none": 25},
}
LOOPBACK = ("127.0.0.1", "::1", "localhost")
KNOWN = {
    "mail": (
        "address",
        "name",
        "staff_domains",
        "pupil_domains",
        "other_senders",
        "keep_attachments_kb",
        "replies_per_hour",
        "interval_seconds",
        "templates",
        "imap",
        "maildir",
        "smtp",
    ),
    "imap": (
        "host",
        "port",
        "security",
        "user",
        "password",
        "password_file",
        "oauth2_token",
        "oauth2_token_file",
        "folder",
        "cafile",
    ),
    "maildir": ("path",),
    "smtp": ("host", "port", "security", "user", "password", "password_file", "cafile"),
}
_NAME = Field("the setting mail.name", 80, required=False)
_TEXT = Field("the setting", 1000, required=False)


@dataclass(frozen=True)
class Server:
    """An IMAP or SMTP server and how to log in to it."""

    host: str
    port: int
    security: str = "starttls"
    user: str = ""
    password: str = ""
    password_file: str = ""
    oauth2_token: str = ""
    oauth2_token_file: str = ""
    folder: str = "INBOX"
    cafile: str = ""
    """A CA bundle for a school's own certificate authority ("" trusts the system's)."""

    def secret(self) -> tuple[str, str]:
        """("password" or "oauth2", the secret), read from its file when one is named;
        ("", "") when the server needs no login."""
        for kind, value, path in (
            ("oauth2", self.oauth2_token, self.oauth2_token_file),
            ("password", self.password, self.password_file),
        ):
            if path:
                try:
                    text = Path(path).read_text(encoding="utf-8").strip()
                except (OSError, UnicodeDecodeError) as exc:
                    raise BadInput(
                        f"The {kind} file {path} cannot be read ({exc.__class__.__name__})."
                    ) from None
                if not text:
                    raise BadInput(f"The {kind} file {path} is empty.")
                return kind, text
            if value:
                return kind, value
        return "", ""


@dataclass(frozen=True)
class MailSettings:
    """What the email channel needs; the defaults send and fetch nothing."""

    address: str = ""
    """The help desk's address: callers write to it, our messages come from it."""
    name: str = ""
    """The name our messages come from ("" : "IT support, <school>")."""
    staff_domains: tuple[str, ...] = ()
    pupil_domains: tuple[str, ...] = ()
    other_senders: str = "visitor"
    """The caller role of a new sender from any other domain."""
    keep_attachments_kb: int = 5_000
    """Attachments up to this size are kept in the database; bigger ones only listed."""
    replies_per_hour: int = 10
    """More messages than this to one address in an hour are held: a mail loop."""
    interval_seconds: int = 60
    """How often `fitsdesk mail run` fetches and sends."""
    templates: str = ""
    """The folder of the school's mail templates ("": mail/ beside the config file)."""
    imap: Server | None = None
    maildir: str = ""
    smtp: Server | None = None

    @property
    def sends(self) -> bool:
        """Whether the school has set up mail to callers (and so an outbox is written)."""
        return bool(self.address)

    def role_of(self, address: str) -> str:
        """The caller role a new sender gets from their address's domain."""
        domain = address.rpartition("@")[2].lower()
        if domain in self.pupil_domains:
            return "pupil"
        if domain in self.staff_domains:
            return "staff"
        return self.other_senders


def read_mail(table: object, where: str, refuse_unknown) -> MailSettings:
    """The [mail] table of the config file, checked, as MailSettings."""
    if not isinstance(table, dict):
        raise BadInput(f"{where}: [mail] must be a table.")
    refuse_unknown(where, table, KNOWN["mail"], "mail.")
    found: dict = {}
    try:
        if "address" in table:
            found["address"] = clean_email(_string(table, "address", where)).lower()
        if "name" in table:
            found["name"] = clean(_string(table, "name", where), _NAME)
    except BadInput as exc:
        raise BadInput(f"{where}: mail: {exc}") from None
    for key in ("staff_domains", "pupil_domains"):
        if key in table:
            value = table[key]
            if not isinstance(value, list) or not all(
                isinstance(d, str) and d.strip() and "@" not in d and " " not in d.strip()
                for d in value
            ):
                raise BadInput(
                    f'{where}: mail.{key} must be a list of domains, like ["oakfield.sch.uk"].'
                )
            found[key] = tuple(d.strip().lower().lstrip(".") for d in value)
    if "other_senders" in table:
        role = table["other_senders"]
        if role not in ("pupil", "staff", "parent", "visitor"):
            raise BadInput(
                f"{where}: mail.other_senders must be one of pupil, staff, parent, visitor."
            )
        found["other_senders"] = role
    for key, (low, high) in {
        "keep_attachments_kb": (0, 25_000),
        "replies_per_hour": (1, 1000),
        "interval_seconds": (10, 86_400),
    }.items():
        if key in table:
            value = table[key]
            if type(value) is not int or not low <= value <= high:
                raise BadInput(f"{where}: mail.{key} must be a whole number from {low} to {high}.")
            found[key] = value
    if "templates" in table:
        found["templates"] = clean(_string(table, "templates", where), _TEXT)
    if "maildir" in table:
        box = table["maildir"]
        if not isinstance(box, dict):
            raise BadInput(f"{where}: [mail.maildir] must be a table.")
        refuse_unknown(where, box, KNOWN["maildir"], "mail.maildir.")
        found["maildir"] = clean(_string(box, "path", where, "mail.maildir."), _TEXT)
    for kind in ("imap", "smtp"):
        if kind in table:
            found[kind] = _server(kind, table[kind], where, refuse_unknown)
    if "imap" in found and "maildir" in found:
        raise BadInput(f"{where}: say either [mail.imap] or [mail.maildir], not both.")
    return MailSettings(**found)


def _string(table: dict, key: str, where: str, prefix: str = "mail.") -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{where}: {prefix}{key} must be text in quotes.")
    return value.strip()


def _server(kind: str, table: object, where: str, refuse_unknown) -> Server:
    prefix = f"mail.{kind}."
    if not isinstance(table, dict):
        raise BadInput(f"{where}: [mail.{kind}] must be a table.")
    refuse_unknown(where, table, KNOWN[kind], prefix)
    values: dict = {"host": _string(table, "host", where, prefix)}
    security = table.get("security", "tls" if kind == "imap" else "starttls")
    if security not in SECURITY:
        raise BadInput(f'{where}: {prefix}security must be "tls", "starttls" or "none".')
    if security == "none" and values["host"] not in LOOPBACK:
        raise BadInput(
            f'{where}: {prefix}security = "none" sends passwords and mail unprotected: '
            "only a server on this machine (127.0.0.1) may be used without TLS."
        )
    values["security"] = security
    port = table.get("port", PORTS[kind][security])
    if type(port) is not int or not 1 <= port <= 65535:
        raise BadInput(f"{where}: {prefix}port must be a whole number from 1 to 65535.")
    values["port"] = port
    for key in KNOWN[kind]:
        if key not in ("host", "port", "security") and key in table:
            values[key] = _string(table, key, where, prefix)
    logins = ("password", "password_file", "oauth2_token", "oauth2_token_file")
    secrets = [k for k in logins if k in values]
    if len(secrets) > 1:
        raise BadInput(f"{where}: give {prefix}{secrets[0]} or {prefix}{secrets[1]}, not both.")
    if secrets and not values.get("user"):
        raise BadInput(f"{where}: {prefix}user is needed with {prefix}{secrets[0]}.")
    return Server(**values)
