"""Mail into plain data: what the email channel reads from a message, and the bad
input it must survive (docs/mail.md). Pure: no database."""

import base64
import time
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.db.errors import BadInput
from store.mail.parse import Attachment, Incoming, answer_of, html_to_text, own_words, parse

pytestmark = pytest.mark.no_db


def mail(
    body="Hello",
    *,
    subject="Projector in S12",
    sender="Ms Khan <R.Khan@School.example>",
    headers=(),
    html=None,
    attachments=(),
):
    """A message as a mail client would send it, as bytes."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "helpdesk@school.example"
    msg["Subject"] = subject
    msg["Message-ID"] = "<abc.123@mail.school.example>"
    for name, value in headers:
        msg[name] = value
    if body is not None:
        msg.set_content(body)
    if html is not None:
        if body is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, data, maintype, subtype in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def raw(text):
    """A message written out by hand, for what no mail client would produce."""
    return text.replace("\n", "\r\n").encode("utf-8", "surrogateescape")


# What a message says


def test_a_new_call_reads_as_plain_data():
    got = parse(mail("The projector flickers.\nSince Monday."))
    assert got == Incoming(
        message_id="abc.123@mail.school.example",
        sender_name="Ms Khan",
        sender_address="r.khan@school.example",
        subject="Projector in S12",
        body="The projector flickers.\nSince Monday.",
        tag=None,
        in_reply_to=(),
        automatic=None,
        attachments=(),
        answer=None,
    )


def test_a_reply_carries_its_log_number_and_the_ids_it_answers():
    got = parse(
        raw(
            "From: r.khan@school.example\n"
            "Subject: RE: Re: [INC-000042] Projector in S12\n"
            "In-Reply-To: <n2@desk.example>\n"
            "References: <n1@desk.example> <n2@desk.example>\n <n3@desk.example>\n\n"
            "Thanks\n"
        )
    )
    assert got.tag == "INC-000042"
    assert got.in_reply_to == ("n2@desk.example", "n3@desk.example", "n1@desk.example")


@pytest.mark.parametrize(
    ("subject", "tag"),
    [
        ("[inc-42] lamp", "INC-000042"),
        ("Re: [ INC-000007 ]", "INC-000007"),
        ("INC-000042 without brackets", None),
        ("[INC-000000] zero", None),
        ("[PRB-000042] a problem", None),
        ("[INC-99999999999999999] too long", None),
    ],
)
def test_only_a_bracketed_incident_number_is_a_tag(subject, tag):
    assert parse(mail(subject=subject)).tag == tag


def test_a_message_without_id_name_or_subject_reads_as_empty_strings():
    got = parse(raw("From: a@school.example\nX-Mailer: odd\n\nhello\n"))
    assert (got.message_id, got.sender_name, got.subject) == ("", "", "")
    assert got.sender_address == "a@school.example"
    assert got.body == "hello"


def test_html_only_mail_becomes_readable_text_without_scripts_or_styles():
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<p>The <b>printer</b> &amp; scanner</p><script>alert('x')</script>"
        "<ul><li>jams</li><li>smudges</li></ul><br>Thanks<!-- hidden --></body></html>"
    )
    got = parse(mail(None, html=html))
    assert got.body == "The printer & scanner\n\n- jams\n- smudges\n\nThanks"
    assert "alert" not in got.body and "color" not in got.body


def test_plain_text_is_preferred_to_the_html_alternative():
    got = parse(mail("Plain words", html="<p>HTML words</p>"))
    assert got.body == "Plain words"
    assert got.attachments == ()


def test_attachments_are_listed_by_name_size_and_type():
    png = b"\x89PNG" + bytes(3000)
    got = parse(
        mail(
            "See attached",
            attachments=[
                ("screen.png", png, "image", "png"),
                ("../../etc/passwd", b"x" * 10, "application", "octet-stream"),
            ],
        )
    )
    assert got.body == "See attached"
    assert got.attachments == (
        Attachment("screen.png", 3004, "image/png"),
        Attachment("passwd", 10, "application/octet-stream"),
    )


def test_an_unnamed_inline_image_gets_a_made_up_name():
    msg = EmailMessage()
    msg["From"] = "a@school.example"
    msg.set_content("pic")
    msg.add_related(b"GIF89a", maintype="image", subtype="gif")
    (attachment,) = parse(bytes(msg)).attachments
    assert attachment.name == "attachment-2.gif" and attachment.size == 6


# Automatic mail: never a call, never an answer


@pytest.mark.parametrize(
    ("headers", "sender", "why"),
    [
        ([("Auto-Submitted", "auto-replied")], "a@school.example", "auto-reply"),
        ([("Auto-Submitted", "auto-generated")], "a@school.example", "auto-reply"),
        ([("X-Autoreply", "yes")], "a@school.example", "auto-reply"),
        ([("X-Autorespond", "Out of office")], "a@school.example", "auto-reply"),
        ([("Precedence", "bulk")], "a@school.example", "bulk"),
        ([("Precedence", "List")], "a@school.example", "bulk"),
        ([("Precedence", "junk")], "a@school.example", "bulk"),
        ([("List-Id", "<staff.school.example>")], "a@school.example", "bulk"),
        ([("List-Unsubscribe", "<mailto:u@x.example>")], "a@school.example", "bulk"),
        ([], "Mail Delivery System <MAILER-DAEMON@mx.example>", "bounce"),
        ([], "postmaster@school.example", "bounce"),
        ([("Return-Path", "<>")], "a@school.example", "bounce"),
        ([("X-Auto-Response-Suppress", "All")], "a@school.example", "auto-reply"),
        ([("X-MS-Exchange-Inbox-Rules-Loop", "a@school.example")], "a@x.example", "auto-reply"),
        ([("Auto-Submitted", "no")], "a@school.example", None),
        ([("X-Loop", "desk@school.example")], "a@school.example", None),  # the intake decides
        ([("Return-Path", "<a@school.example>")], "a@school.example", None),
    ],
)
def test_automatic_mail_says_why(headers, sender, why):
    assert parse(mail("yes", headers=headers, sender=sender)).automatic == why


def test_x_loop_addresses_are_read_for_the_intake():
    got = parse(mail(headers=[("X-Loop", "Desk <Desk@School.example>, other@x.example")]))
    assert got.loops == ("desk@school.example", "other@x.example")
    assert parse(mail()).loops == ()


@pytest.mark.parametrize(
    "quoted",
    [
        "On Tue, 3 Nov 2026 at 10:02, Sam Lee <sam.lee@oakfield.sch.uk>\nwrote:",
        "On Tue, 3 Nov 2026 at 10:02, Sam Lee <sam.lee@oakfield.sch.uk> wrote:",
        "On Tue, 3 Nov 2026 at 10:02,\nSam Lee <sam.lee@oakfield.sch.uk> wrote:",
        "Le mar. 3 nov. 2026 à 10:02, Sam Lee <sam.lee@oakfield.sch.uk> a écrit :",
        "Le mar. 3 nov. 2026 à 10:02, Sam Lee <sam.lee@oakfield.sch.uk>\na écrit :",
        "Am 03.11.2026 um 10:02 schrieb Sam Lee <sam.lee@oakfield.sch.uk>:",
        "Am Di., 3. Nov. 2026 um 10:02 Uhr schrieb Sam Lee\n<sam.lee@oakfield.sch.uk>:",
        "El mar, 3 nov 2026 a las 10:02, Sam Lee (<sam.lee@oakfield.sch.uk>) escribió:",
        "Op di 3 nov. 2026 om 10:02 schreef Sam Lee <sam.lee@oakfield.sch.uk>:",
        "Il giorno mar 3 nov 2026 alle ore 10:02 Sam Lee <sam@oakfield.sch.uk> ha scritto:",
    ],
)
def test_quoted_text_is_trimmed_after_any_attribution(quoted):
    body = f"Still broken after the restart.\n\n{quoted}\n> Are you happy it is fixed?\n"
    assert own_words(body) == "Still broken after the restart."


@pytest.mark.parametrize(
    "body",
    [
        "The printer jams.\nOn Monday it wrote nothing at all on the page.",
        "It jams.\nOn the second tray\nwrote over the first page.",
        "Le projecteur est cassé.\nLe technicien a dit qu'il viendra.",
    ],
)
def test_a_persons_own_lines_that_look_a_little_like_an_attribution_stay(body):
    assert own_words(body) == body


def test_a_delivery_report_is_a_bounce():
    got = parse(
        raw(
            "From: MAILER-DAEMON\n"
            "Subject: Undelivered Mail Returned to Sender\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
            "--b\nContent-Type: text/plain\n\nCould not deliver [INC-000042].\n"
            "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
            "Final-Recipient: rfc822; x@y.example\nAction: failed\n"
            "--b\nContent-Type: message/rfc822\n\nFrom: desk@school.example\n"
            "Subject: [INC-000042] logged\n\nYour log number\n--b--\n"
        )
    )
    assert got.automatic == "bounce"
    assert got.sender_address == ""  # MAILER-DAEMON is no address, and need not be
    assert got.body == "Could not deliver [INC-000042]."
    assert [a.content_type for a in got.attachments] == ["message/rfc822"]


def test_a_sender_that_is_no_address_is_refused_for_ordinary_mail():
    with pytest.raises(BadInput, match="sender's address"):
        parse(mail(sender="not an address"))


# Yes or no to "Are you happy it is fixed?"


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ("Yes", "yes"),
        ("yes, thank you!", "yes"),
        ("YES.\n\nRegards", "yes"),
        ("No - it is still flickering", "no"),
        ("\n\n  no\n", "no"),
        ("Hi Sam,\n\nYes it works now", "yes"),
        ("Dear helpdesk\nNo.", "no"),
        ("Yesterday it worked", None),
        ("Not really", None),
        ("Nobody has come", None),
        ("I think so, yes", None),
        ("", None),
        ("> Are you happy it is fixed?\n> yes\nHmm", None),
        ("On Mon, 3 Nov 2026 at 10:00, Desk <desk@school.example> wrote:\n> yes", None),
        ("-----Original Message-----\nyes", None),
    ],
)
def test_a_reply_that_starts_with_yes_or_no_answers(body, answer):
    assert answer_of(body) == answer
    assert parse(mail(body or None)).answer == answer


def test_yes_in_the_quoted_html_is_not_an_answer():
    html = (
        '<div dir="ltr">Still broken, sorry</div><div class="gmail_quote">'
        "<blockquote><p>Yes</p></blockquote></div>"
    )
    got = parse(mail(None, html=html))
    assert got.body == "Still broken, sorry\n\n> Yes"
    assert got.answer is None
    assert parse(mail(None, html='<div dir="ltr">No</div><blockquote>yes</blockquote>')).answer == (
        "no"
    )


# Bad input


def test_header_injection_in_subject_and_name_stays_on_one_line():
    got = parse(
        raw(
            "From: =?utf-8?q?Eve=0D=0ABcc=3A_all=40school=2Eexample?= <eve@x.example>\n"
            "Subject: =?utf-8?q?Help=0D=0ABcc=3A_all=40school=2Eexample=0A=0A?= [INC-000001]\n\n"
            "body\n"
        )
    )
    assert got.sender_name == "Eve Bcc: all@school.example"
    assert got.subject == "Help Bcc: all@school.example [INC-000001]"
    assert got.sender_address == "eve@x.example"
    assert got.tag == "INC-000001"


def test_markup_and_terminal_escapes_stay_plain_characters_without_the_escape():
    got = parse(
        mail(
            "[@click=app.quit]x[/] \x1b[31mred\x1b[0m\x07 \u202eevil",
            subject="[bold]loud[/bold] \x1b]0;title\x07",
            sender='"[blink]Eve[/blink] \x1b[2J" <eve@x.example>',
        )
    )
    assert got.body == "[@click=app.quit]x[/] [31mred[0m evil"
    assert got.subject == "[bold]loud[/bold] ]0;title"
    assert got.sender_name == "[blink]Eve[/blink] [2J"
    for text in (got.body, got.subject, got.sender_name):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text


@pytest.mark.parametrize(
    ("header", "body", "expected"),
    [
        ("text/plain; charset=utf-8", "café".encode(), "café"),
        ("text/plain", "café".encode(), "café"),  # no charset: UTF-8 tried
        ("text/plain; charset=us-ascii", "café".encode(), "café"),  # wrong charset
        ("text/plain; charset=x-unknown-thing", "café".encode(), "café"),
        ("text/plain; charset=iso-8859-1", "café".encode("latin-1"), "café"),
        ("text/plain; charset=utf-8", "café".encode("cp1252"), "café"),  # lies: not UTF-8
        ("text/plain; charset=base64", b"aGk=", "aGk="),  # a codec that is not text
        ("text/plain; charset=rot13", b"uryyb", "uryyb"),
    ],
)
def test_wrong_or_missing_charsets_still_read(header, body, expected):
    message = b"From: a@school.example\r\nContent-Type: " + header.encode() + b"\r\n\r\n" + body
    assert parse(message).body == expected


def test_eight_bit_and_badly_encoded_headers_still_read():
    got = parse(
        raw("From: Zoë <ZOE@X.example>\nSubject: =?x-bogus?q?caf=E9?= ünï\n\nhi\n").replace(
            "Zoë".encode(), "Zoë".encode("cp1252")
        )
    )
    assert got.sender_name == "Zoë"
    assert got.sender_address == "zoe@x.example"
    assert "ünï" in got.subject


@pytest.mark.parametrize(
    "message",
    [
        b"From: a@school.example\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all",
        b'From: a@school.example\r\nContent-Type: multipart/mixed; boundary="z"\r\n\r\n--z\r\n',
        b"From: a@school.example\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64",
        b"From: a@school.example\r\nContent-Type: text/\r\n\r\nodd type",
        b"From: a@school.example\r\nContent-Type: text/plain; charset\r\n\r\nbroken param",
        b"From: <<<@@@>>>, ,,\r\nSubject: =?utf-8?b?####?=\r\n\r\nx",
        b"Message-ID: <<<>>\r\nIn-Reply-To: <a b>\r\nReferences: <" + b"x" * 5000 + b">\r\n\r\n",
    ],
)
def test_malformed_mime_is_read_or_refused_with_a_sentence(message):
    try:
        got = parse(message)
    except BadInput as refusal:
        assert str(refusal).endswith(".") and "\n" not in str(refusal)
    else:
        assert isinstance(got, Incoming)


def test_deeply_nested_parts_are_refused_with_a_sentence():
    depth = 60
    lines = ["From: a@school.example"]
    for level in range(depth):
        lines += [f'Content-Type: multipart/mixed; boundary="b{level}"', "", f"--b{level}"]
    lines += ["Content-Type: text/plain", "", "deep"]
    lines += [f"--b{level}--" for level in reversed(range(depth))]
    with pytest.raises(BadInput, match="nested too deeply"):
        parse("\r\n".join(lines).encode())


def test_too_many_parts_are_refused():
    parts = "".join("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(1200))
    message = (
        b'From: a@school.example\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        + parts.encode()
        + b"--b--\r\n"
    )
    with pytest.raises(BadInput, match="too many parts"):
        parse(message)


def test_a_20_mb_message_is_refused_by_size_before_it_is_read():
    huge = b"From: a@school.example\r\n\r\n" + b"A" * 20_000_000
    started = time.perf_counter()
    with pytest.raises(BadInput, match=r"too big: 20.0 MB, the most is 10.0 MB\."):
        parse(huge, max_bytes=10_000_000)
    with pytest.raises(BadInput, match="too big"):
        parse(huge + b"A" * 6_000_000)  # over the default 25 MB
    assert time.perf_counter() - started < 1  # refused on size, not parsed


def test_a_large_attachment_within_the_limit_is_listed():
    data = bytes(2_000_000)
    got = parse(mail("log attached", attachments=[("big.zip", data, "application", "zip")]))
    assert got.attachments == (Attachment("big.zip", 2_000_000, "application/zip"),)


def test_thousands_of_recipients_do_not_matter():
    everyone = ", ".join(f"Pupil {n} <p{n}@school.example>" for n in range(5000))
    got = parse(mail("hi", headers=[("Cc", everyone)]))
    assert got.sender_address == "r.khan@school.example"
    assert got.body == "hi"


def test_a_body_too_long_is_refused_with_a_sentence():
    with pytest.raises(BadInput, match="The message is too long"):
        parse(mail("word " * 30_000))


@pytest.mark.parametrize("value", [b"", b"   \r\n", "From: a@b.example\n\nhi", None, 42])
def test_empty_or_not_bytes_is_refused(value):
    with pytest.raises(BadInput):
        parse(value)


def test_plain_bytes_with_no_headers_are_not_an_email():
    with pytest.raises(BadInput, match="no headers"):
        parse(b"\r\n\r\njust some text")


def test_html_to_text_never_leaves_tags_or_markup_behind():
    assert html_to_text("<p>[b]x[/b] &lt;script&gt;</p><SCRIPT>bad()</SCRIPT>") == (
        "[b]x[/b] <script>"
    )


# Whatever the bytes: an Incoming or one sentence


def outcome(message: bytes) -> None:
    try:
        got = parse(message)
    except BadInput as refusal:
        sentence = str(refusal)
        assert sentence and "\n" not in sentence
        return
    assert isinstance(got, Incoming)
    assert "\n" not in got.subject + got.sender_name + got.sender_address + got.message_id
    assert got.sender_address == got.sender_address.lower()
    assert got.answer in (None, "yes", "no")
    assert got.automatic in (None, "auto-reply", "bulk", "bounce")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_give_an_incoming_or_bad_input(data):
    outcome(data)


_HEADER_NAMES = st.sampled_from(
    [
        "From", "Subject", "Message-ID", "In-Reply-To", "References", "Content-Type",
        "Content-Transfer-Encoding", "Content-Disposition", "Auto-Submitted", "Precedence",
        "Return-Path", "List-Id", "MIME-Version", "X-Autoreply",
    ]
)  # fmt: skip
_PIECES = st.sampled_from(
    [
        "multipart/mixed; boundary=b", "multipart/alternative; boundary=\"b\"", "text/html",
        "text/plain; charset=utf-16", "base64", "quoted-printable", "<>", "<a@b>", "[INC-1]",
        "=?utf-8?q?x=0Ay?=", "=?bogus?b?AAAA?=", "attachment; filename=\"../x\"", "\x1b[31m",
        "\r\n ", "--b\r\n", "--b--", "\u202e", "yes", "no", "<script>", "@", ",", ";",
    ]
)  # fmt: skip


@st.composite
def messages(draw):
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        name = draw(_HEADER_NAMES)
        value = "".join(draw(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=5)))
        lines.append(f"{name}: {value}")
    body = "".join(draw(st.lists(st.one_of(_PIECES, st.text(max_size=30)), max_size=12)))
    text = "\r\n".join(lines) + "\r\n\r\n" + body
    encoded = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        encoded += base64.b64encode(draw(st.binary(max_size=200)))
    return encoded


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_generated_messages_give_an_incoming_or_bad_input(message):
    outcome(message)


@pytest.mark.parametrize("line", ["a@b.example, " * 300, '"' * 3000, "(" * 3000])
def test_an_absurd_sender_line_is_refused_with_a_sentence(line):
    with pytest.raises(BadInput, match=r"^The (sender line is too long|message cannot be read)"):
        parse(f"From: {line}\r\n\r\nx".encode())


def test_an_overlong_sender_name_is_refused_naming_the_field():
    with pytest.raises(BadInput, match="The sender's name is too long"):
        parse(mail(sender=f'"{"Eve " * 60}" <eve@x.example>'))


def test_a_message_with_no_sender_is_refused_unless_automatic():
    with pytest.raises(BadInput, match="no sender"):
        parse(b"Subject: half a message\r\n\r\nhello\r\n")
    bounce = parse(b"Subject: Undeliverable\r\nAuto-Submitted: auto-replied\r\n\r\nhello\r\n")
    assert bounce.automatic == "auto-reply" and bounce.sender_address == ""


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ("No problem, thank you!", None),
        ("no worries", None),
        ("Thank you, yes it works", "yes"),
        ("Thanks very much for that. Yes.", "yes"),
        ("Thanks! No, it still flickers.", "no"),
        ("Nothing changed", None),
        ("Yesterday it broke again", None),
    ],
)
def test_thanks_before_the_answer_is_skipped_and_no_problem_is_not_a_no(body, answer):
    assert answer_of(body) == answer
