"""One email, as received, turned into plain data for the email channel (docs/mail.md).

    from store.mail.parse import parse
    message = parse(raw_bytes)              # Incoming, or BadInput with one sentence
    message.tag                             # "INC-000042" from "[INC-000042]" in the subject
    message.automatic                       # "auto-reply", "bulk", "bounce" or None
    message.answer                          # "yes" / "no" to "Are you happy it is fixed?"

Pure: no database, no network, only the standard library's `email` package
(policy.default). Everything a person wrote (names, subject, body, file names)
passes the one sanitiser, `store.db.sanitise.clean`, so markup stays plain
characters and control characters (the escape of a terminal sequence among
them) are gone. Whatever the bytes, `parse` returns an `Incoming` or raises
`BadInput`; the intake sets such a message aside with the sentence as reason.

What counts as automatic (never opens a call, never gets an answer, so no mail
loop can start), in this order:

- "bounce": multipart/report (delivery and read reports), a sender whose
  mailbox is MAILER-DAEMON or postmaster;
- "auto-reply": Auto-Submitted other than "no", X-Autoreply, X-Autorespond,
  X-Auto-Response-Suppress or X-MS-Exchange-Inbox-Rules-Loop (an Exchange
  out-of-office reply carries no Auto-Submitted), Precedence auto_reply; and,
  decided by the intake, which knows our address, X-Loop naming it (`loops`);
- "bulk": Precedence bulk, list or junk, List-Id, List-Unsubscribe;
- "bounce": an empty Return-Path (<>) with none of the above.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import mimetypes
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser

from store.db import numbers
from store.db.errors import BadInput
from store.db.sanitise import Field, clean, clean_email

SUBJECT = Field("the subject", 1000, required=False)
BODY = Field("the message", 100_000, multiline=True, required=False)
FILE_NAME = Field("the file name", 255, required=False)
SENDER_NAME = Field("the sender's name", 200, required=False)

MAX_DEPTH = 20
"""How deeply parts may nest inside each other before the message is refused."""
MAX_PARTS = 1000
"""How many MIME parts a message may have before it is refused."""
MAX_REFERENCES = 100
"""How many of the newest In-Reply-To/References ids are kept."""
MAX_HEADER = 10_000
"""The longest Message-ID, In-Reply-To or References line read."""
MAX_SENDER = 2_000
"""The longest From line read (the address parser slows on long odd ones)."""

_MSGID = re.compile(r"<([^<>\s]{1,998})>")
_TAG = re.compile(r"\[\s*(INC\s*-\s*\d{1,12})\s*\]", re.IGNORECASE)
_ANSWER = re.compile(r"(yes|no)\b", re.IGNORECASE)
_GREETING = re.compile(
    r"(hi|hello|hey|dear|good (morning|afternoon|evening)|morning|afternoon)\b[^.!?,]{0,40}[,!]?",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"^((thanks|thank you|many thanks|cheers|ta)( (so|very) much)?( for (that|this|your help))?"
    r"[\s,.!:;-]*)+",
    re.IGNORECASE,
)
_NOT_A_NO = re.compile(r"no (problem|problems|worries|bother|probs)\b", re.IGNORECASE)
_ATTRIBUTION = (
    r"(?:on|le|am|el|op|il|den)\b.{0,300}?"
    r"(?:\b(?:wrote|a\s+écrit|escribió|ha\s+scritto|schrieb|schreef|skrev)\s*:?"
    r"|\b(?:schrieb|schreef|skrev)\b.{1,300}:)\s*$"
)
"""The line a mail program puts before the message it quotes, in the languages a school
hears: "On Tue ... Sam Lee <...> wrote:", "Le mar. ... a écrit :", "Am ... schrieb ...:"."""
_QUOTE_START = re.compile(
    rf"(>|{_ATTRIBUTION}|-{{2,}}\s*original message|_{{10,}}|from:\s|-- ?$)",
    re.IGNORECASE,
)
_ATTRIBUTION_BEGINS = re.compile(r"(on|le|am|el|op|il|den)\b", re.IGNORECASE)
_PARAGRAPHS = {
    "p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "hr", "section", "article", "header", "footer", "dl",
}  # fmt: skip
_LINES = {"br", "li", "tr", "dd", "dt"}
_DROPPED = {"script", "style", "head", "title", "template", "noscript", "object", "iframe"}


@dataclass(frozen=True)
class Attachment:
    """A file that came with the message, listed by name and size."""

    name: str
    size: int
    """Bytes, after transfer decoding (base64, quoted-printable)."""
    content_type: str
    data: bytes = field(default=b"", repr=False, compare=False)
    """The file itself, decoded."""


@dataclass(frozen=True)
class Incoming:
    """One received message, cleaned, with what the intake needs to decide."""

    message_id: str
    """Without the angle brackets; "" if none."""
    sender_name: str
    sender_address: str
    """Lower case; "" if none (or, for automatic mail only, not an address)."""
    subject: str
    body: str
    """Readable plain text: the text/plain part, else the HTML part as text."""
    tag: str | None
    """'INC-000042' from '[INC-000042]' in the subject."""
    in_reply_to: tuple[str, ...]
    """In-Reply-To ids, then References ids newest first; no angle brackets."""
    automatic: str | None
    attachments: tuple[Attachment, ...]
    answer: str | None
    """'yes' or 'no' when the reply starts with it (before any quoted text)."""
    loops: tuple[str, ...] = ()
    """The addresses X-Loop headers name, lower case: a loop through one of them."""


def parse(raw: bytes, *, max_bytes: int = 25_000_000) -> Incoming:
    """Read one message; BadInput with one sentence if it cannot be read or is too big."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise BadInput("A message must be bytes as received.")
    raw = bytes(raw)
    if len(raw) > max_bytes:
        raise BadInput(
            f"The message is too big: {_megabytes(len(raw))}, the most is {_megabytes(max_bytes)}."
        )
    if not raw.strip():
        raise BadInput("The message is empty.")
    try:
        return _parse(raw)
    except BadInput:
        raise
    except RecursionError:
        raise BadInput("The message cannot be read: it is nested too deeply.") from None
    except Exception as error:  # the email package's many ways of failing on odd bytes
        raise BadInput(f"The message cannot be read ({type(error).__name__}).") from None


def _parse(raw: bytes) -> Incoming:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(msg, EmailMessage) or not msg.keys():
        raise BadInput("This is not an email: it has no headers.")
    if msg.get_content_maintype() == "multipart" and not (
        isinstance(msg.get_payload(), list) and msg.get_payload()
    ):
        raise BadInput("The message's parts cannot be read: its MIME boundary is missing or wrong.")
    parts = _leaves(msg)
    sender_name, sender_address, sender_ok = _sender(msg)
    automatic = _automatic(msg, sender_address)
    if not sender_ok:
        if automatic is None and not _raw_header(msg, "From").strip():
            raise BadInput("The message has no sender (no From line).")
        if automatic is None:
            raise BadInput("The sender's address does not look like an email address.")
        sender_address = ""
    subject = clean(_text(_header(msg, "Subject")), SUBJECT)
    body_part = _body_part(msg)
    body = clean(_body_text(body_part), BODY) if body_part is not None else ""
    return Incoming(
        message_id=_first_id(_raw_header(msg, "Message-ID")),
        sender_name=sender_name,
        sender_address=sender_address,
        subject=subject,
        body=body,
        tag=_tag(subject),
        in_reply_to=_references(msg),
        automatic=automatic,
        loops=tuple(
            address.lower()
            for _name, address in email.utils.getaddresses([_raw_header_all(msg, "X-Loop")])
            if address
        )[:10],
        attachments=tuple(
            _attachment(part, index)
            for index, part in enumerate(parts, 1)
            if part is not body_part and _is_attachment(part)
        ),
        answer=answer_of(body),
    )


def answer_of(body: str) -> str | None:
    """'yes' or 'no' when the first words written (after a greeting or a thank-you,
    before any quoted text or signature) are yes or no; else None. "No problem" and
    "no worries" are not a no: they are left for a person to read."""
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    if lines and _GREETING.fullmatch(lines[0]) and not _ANSWER.match(lines[0]):
        lines = lines[1:]
    if not lines or _QUOTE_START.match(lines[0]):
        return None
    first = _THANKS.sub("", lines[0])
    if _NOT_A_NO.match(first):
        return None
    match = _ANSWER.match(first)
    return match[1].lower() if match else None


def own_words(body: str) -> str:
    """What the writer of a reply wrote themselves: the body up to the quoted message
    (a '>' line, "On ... wrote:" on one line or wrapped over two, its French, German,
    Spanish, Dutch, Italian and Scandinavian forms, "-----Original Message-----") or
    their signature."""
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if not index:
            continue
        text = line.strip()
        if _QUOTE_START.match(text):
            lines = lines[:index]
            break
        wrapped = f"{text} {lines[index + 1].strip()}" if index + 1 < len(lines) else ""
        # an attribution the sender's program wrapped: "On Tue, ... <sam@...>" / "wrote:"
        if _ATTRIBUTION_BEGINS.match(text) and wrapped and _QUOTE_START.match(wrapped):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _text(value: object) -> str:
    """A header or payload string with bytes smuggled as surrogates read as UTF-8
    (or Windows-1252 when they are not UTF-8)."""
    text = "" if value is None else str(value)
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    data = text.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _header(msg: EmailMessage, name: str) -> str:
    value = msg.get(name)
    return "" if value is None else str(value)


def _raw_header(msg: EmailMessage, name: str) -> str:
    """A header as received, unfolded, without the header parser's work."""
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return re.sub(r"\r?\n", "", str(value))[:MAX_HEADER]
    return ""


def _sender(msg: EmailMessage) -> tuple[str, str, bool]:
    """The sender's cleaned name, lower-case address, and whether the address looks right."""
    raw = _raw_header(msg, "From")
    if not raw.strip():
        return "", "", False
    if len(raw) > MAX_SENDER:
        raise BadInput(f"The sender line is too long: the most is {MAX_SENDER} characters.")
    try:
        addresses = getattr(msg.get("From"), "addresses", ())
        if not addresses:
            return "", "", False
        display_name, addr_spec = addresses[0].display_name, addresses[0].addr_spec
    except ValueError:  # a name whose encoded words carry CR or LF: read it by hand
        # The address is what is in the last <...>; parseaddr would take an encoded
        # word's ':' for a group and answer whatever follows it.
        bracketed = re.fullmatch(r"(.*)<([^<>\s]+)>\s*", raw, re.DOTALL)
        if bracketed is None:
            return "", "", False
        display_name = _decoded_words(bracketed[1].strip().strip('"'))
        addr_spec = bracketed[2]
    name = clean(_text(display_name), SENDER_NAME)
    try:
        address = clean_email(_text(addr_spec).lower())
    except BadInput:
        return name, "", False
    return name, address, True


def _decoded_words(value: str) -> str:
    """Encoded words (=?utf-8?q?...?=) read, whatever they carry; unknown charsets
    as UTF-8 or Windows-1252."""
    pieces = []
    for data, charset in email.header.decode_header(value):
        if isinstance(data, str):
            pieces.append(data)
            continue
        for name in (charset or "", "utf-8"):
            try:
                pieces.append(data.decode(name))
                break
            except (LookupError, UnicodeError, ValueError):
                continue
        else:
            pieces.append(data.decode("cp1252", "replace"))
    return "".join(pieces)


AUTOMATIC_HEADERS = (
    "X-Autoreply",
    "X-Autorespond",
    "X-Auto-Response-Suppress",  # Exchange puts it on its out-of-office replies
    "X-MS-Exchange-Inbox-Rules-Loop",  # a rule in an Exchange mailbox sent it
)
"""Headers whose presence marks a message as sent by a machine, whatever their value."""


def _automatic(msg: EmailMessage, sender: str) -> str | None:
    """Why this message must never open a call or get an answer, or None."""
    mailbox = sender.partition("@")[0]
    if not mailbox:
        mailbox = _raw_header(msg, "From").lower()
    if msg.get_content_type() == "multipart/report" or re.search(
        r"\b(mailer-daemon|postmaster)\b", mailbox, re.IGNORECASE
    ):
        return "bounce"
    submitted = _raw_header(msg, "Auto-Submitted").strip().lower()
    precedence = _raw_header(msg, "Precedence").strip().lower()
    if (
        (submitted and not submitted.startswith("no"))
        or any(name in msg for name in AUTOMATIC_HEADERS)
        or precedence == "auto_reply"
    ):
        return "auto-reply"
    if precedence in ("bulk", "list", "junk") or "List-Id" in msg or "List-Unsubscribe" in msg:
        return "bulk"
    if "Return-Path" in msg and re.fullmatch(r"\s*<\s*>\s*", _raw_header(msg, "Return-Path")):
        return "bounce"
    return None


def _raw_header_all(msg: EmailMessage, name: str) -> str:
    """Every header of that name, as raw text, joined by commas."""
    return ", ".join(str(value) for value in (msg.get_all(name) or []))[:2000]


def _ids(value: str) -> list[str]:
    found = _MSGID.findall(value)
    if not found and value.strip() and not re.search(r"\s", value.strip()):
        found = [value.strip()]  # a bare id, without the angle brackets
    cleaned = []
    for token in found:
        text = "".join(char for char in _text(token) if char.isprintable() and not char.isspace())
        if text and len(text) <= 998 and text != "<>":
            cleaned.append(text)
    return cleaned


def _first_id(value: str) -> str:
    ids = _ids(value)
    return ids[0] if ids else ""


def _references(msg: EmailMessage) -> tuple[str, ...]:
    found = _ids(_raw_header(msg, "In-Reply-To"))
    found += reversed(_ids(_raw_header(msg, "References")))
    return tuple(dict.fromkeys(found))[:MAX_REFERENCES]


def _tag(subject: str) -> str | None:
    match = _TAG.search(subject)
    if match is None:
        return None
    try:
        reference = numbers.parse_reference(match[1])
    except BadInput:
        return None
    return numbers.log_number(reference.id)


def _leaves(msg: EmailMessage) -> list[EmailMessage]:
    """Every part that is not a container, in order; refuses absurd nesting or counts."""
    found: list[EmailMessage] = []
    stack: list[tuple[EmailMessage, int]] = [(msg, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH:
            raise BadInput("The message cannot be read: its parts are nested too deeply.")
        if seen > MAX_PARTS:
            raise BadInput(f"The message has too many parts: the most is {MAX_PARTS}.")
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, depth + 1) for child in reversed(children))
                continue
        if part.get_content_maintype() == "message" and part is not msg:
            if part.get_content_type() == "message/rfc822":
                found.append(part)  # a forwarded message, listed as one attachment
            continue  # delivery-status and the like: machine text, not a file
        found.append(part)
    return found


def _body_part(msg: EmailMessage) -> EmailMessage | None:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None and msg.get_content_maintype() == "text" and not msg.is_attachment():
        part = msg
    return part


def _decoded(part: EmailMessage) -> str:
    """The part's text in its declared charset, else UTF-8, else Windows-1252."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    declared = part.get_content_charset() or ""
    for charset in (declared, "utf-8"):
        if not charset:
            continue
        try:
            return data.decode(charset)
        except (LookupError, UnicodeError, ValueError):
            continue
    return data.decode("cp1252", "replace")


def _body_text(part: EmailMessage) -> str:
    text = _decoded(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text


def _is_attachment(part: EmailMessage) -> bool:
    if part.is_attachment() or part.get_filename() is not None:
        return True
    return part.get_content_maintype() not in ("text", "multipart")


def _attachment(part: EmailMessage, index: int) -> Attachment:
    content_type = part.get_content_type()
    if not re.fullmatch(r"[a-z0-9!#$&^_.+-]{1,100}/[a-z0-9!#$&^_.+-]{1,100}", content_type):
        content_type = "application/octet-stream"
    if part.get_content_maintype() == "message":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        data = inner.as_bytes() if isinstance(inner, EmailMessage) else b""
    else:
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
    size = len(data)
    name = _text(part.get_filename() or "")
    name = re.split(r"[\\/]", name)[-1].strip()  # no folders: "../../x" is "x"
    try:
        name = clean(name, FILE_NAME)
    except BadInput:
        name = ""
    if name in ("", ".", ".."):
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{index}{extension}"
    return Attachment(name=name, size=size, content_type=content_type, data=data)


class _TextFromHtml(HTMLParser):
    """HTML as readable text: paragraphs apart, lines and list items on their own
    lines, quotes marked '> ', scripts, styles and the head dropped, entities read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.dropped = 0
        self.quoted = 0

    def _flush(self) -> bool:
        """End the line being read; whether it had any text."""
        line = re.sub(r"\s+", " ", "".join(self.current)).strip()
        self.current = []
        if line and line != "-":
            self.lines.append("> " * self.quoted + line)
            return True
        return False

    def _blank(self) -> None:
        self._flush()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _DROPPED:
            self.dropped += 1
        elif tag == "br":
            if not self._flush():
                self._blank()
        elif tag in _LINES:
            self._flush()
            if tag == "li":
                self.current.append("- ")
        elif tag in _PARAGRAPHS:
            self._blank()
            if tag == "blockquote":
                self.quoted += 1

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropped = max(0, self.dropped - 1)
        elif tag in _LINES:
            self._flush()
        elif tag in _PARAGRAPHS:
            self._blank()
            if tag == "blockquote":
                self.quoted = max(0, self.quoted - 1)

    def handle_data(self, data: str) -> None:
        if not self.dropped:
            self.current.append(data)


def html_to_text(html: str) -> str:
    """Readable text from an HTML body (never markup: tags are gone, entities read)."""
    reader = _TextFromHtml()
    reader.feed(html)
    reader.close()
    reader._flush()
    return "\n".join(reader.lines).strip()
