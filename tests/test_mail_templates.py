"""The caller's mail from templates a school may edit (docs/mail.md). Pure: no database."""

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.db import config
from store.db.errors import BadInput
from store.records.templates import KINDS, SUBJECT_LIMIT, defaults, render, write_defaults

pytestmark = pytest.mark.no_db

CALL = {"number": "INC-000042", "summary": "Projector in S12 is dim", "name": "Ms Khan"}


def controls(text, allowed=""):
    """The control and bidi-override characters in `text`, other than `allowed`."""
    return [
        c
        for c in text
        if c not in allowed
        and (unicodedata.category(c) in ("Cc", "Cs") or "\u202a" <= c <= "\u202e")
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_each_default_names_the_call_the_caller_and_the_school(kind):
    mail = render(kind, **CALL, text="New lamp fitted.", school="Hill Top Academy")
    assert mail.subject.startswith("[INC-000042] ")
    assert "Projector in S12 is dim" in mail.subject
    assert "Hello Ms Khan," in mail.body
    assert "INC-000042" in mail.body
    assert mail.body.rstrip().endswith("IT support, Hill Top Academy")
    assert "$" not in mail.subject + mail.body
    if kind != "logged":
        assert "New lamp fitted." in mail.body


def test_what_each_default_asks_of_the_caller():
    logged = render("logged", **CALL, school="Hill Top")
    assert "logged as INC-000042" in logged.body
    resolved = render("resolved", **CALL, text="New lamp fitted.", school="Hill Top")
    assert "Are you happy it is fixed? Reply yes or no." in resolved.body
    assert "Is it fixed?" in resolved.subject
    assert render("closed", **CALL, school="Hill Top").subject.startswith("[INC-000042] Closed:")


def test_no_text_leaves_no_gap():
    body = render("closed", **CALL, school="Hill Top").body
    assert "\n\n\n" not in body


def test_the_school_name_comes_from_the_config_when_not_given():
    config.use(config.Config(school_name="St Aidan's"))
    assert render("logged", **CALL).body.rstrip().endswith("IT support, St Aidan's")


def test_the_templates_are_read_from_the_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    folder = tmp_path / "fitsdesk" / "mail"
    folder.mkdir(parents=True)
    (folder / "logged.txt").write_text("Subject: [$number] Got it\n\nDear $name, noted.\n")
    mail = render("logged", **CALL, school="X")
    assert mail == type(mail)("[INC-000042] Got it", "Dear Ms Khan, noted.\n")
    assert render("note", **CALL, school="X").body.startswith("Hello Ms Khan,")  # no file


def test_a_schools_own_template_is_used(tmp_path):
    (tmp_path / "note.txt").write_text(
        "Subject: Update on [${number}] for $name\n\n"
        "Dear $name,\n\n$text\n\nCosts $$5.\n-- \n$school\n"
    )
    mail = render("note", **CALL, text="Line one\nLine two", school="Hill Top", folder=tmp_path)
    assert mail.subject == "Update on [INC-000042] for Ms Khan"
    assert mail.body == "Dear Ms Khan,\n\nLine one\nLine two\n\nCosts $5.\n--\nHill Top\n"


def test_a_subject_without_the_number_gets_it_in_front(tmp_path):
    (tmp_path / "closed.txt").write_text("Subject: All done: $summary\n\nBye $name.\n")
    mail = render("closed", **CALL, school="X", folder=tmp_path)
    assert mail.subject == "[INC-000042] All done: Projector in S12 is dim"
    (tmp_path / "closed.txt").write_text("Subject: About $number\n\nBye.\n")
    assert render("closed", **CALL, school="X", folder=tmp_path).subject == (
        "[INC-000042] About INC-000042"
    )


def test_windows_line_ends_and_a_byte_order_mark_are_fine(tmp_path):
    (tmp_path / "logged.txt").write_bytes(
        "\ufeffSubject: [$number] Merci\r\n\r\nBonjour $name\r\nà bientôt\r\n".encode()
    )
    mail = render("logged", **CALL, school="X", folder=tmp_path)
    assert mail.subject == "[INC-000042] Merci"
    assert mail.body == "Bonjour Ms Khan\nà bientôt\n"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"Dear $name\n", "does not start with a line 'Subject: ...'"),
        (b"", "does not start with a line 'Subject: ...'"),
        (b"Subject: [$number]\n\n   \n", "has no message under its Subject line"),
        (b"Subject: [$number]\n\nHi $nmae\n", "uses $nmae, which is not one of $number"),
        (b"Subject: [$number] $colour\n\nHi\n", "uses $colour"),
        (b"Subject: [$number]\n\nThat costs $5\n", "write $$ for a dollar sign"),
        ("Subject: [$number]\n\nCaf\xe9\n".encode("latin-1"), "is not UTF-8 text"),
        (b"Subject: [$number]\n\n" + b"x" * 20_000, "is over 20 KB"),
        (b"Subject: " + b"x" * 201 + b"\n\nHi\n", "Subject line over 200 characters"),
    ],
)
def test_a_broken_template_is_refused_naming_the_file(tmp_path, content, words):
    (tmp_path / "resolved.txt").write_bytes(content)
    with pytest.raises(BadInput) as refusal:
        render("resolved", **CALL, school="X", folder=tmp_path)
    sentence = str(refusal.value)
    assert words in sentence
    assert str(tmp_path / "resolved.txt") in sentence
    assert "\n" not in sentence and sentence.endswith(".")


def test_a_folder_in_place_of_a_template_is_refused(tmp_path):
    (tmp_path / "note.txt").mkdir()
    with pytest.raises(BadInput, match="cannot be read"):
        render("note", **CALL, school="X", folder=tmp_path)


def test_an_unknown_kind_or_number_is_refused():
    with pytest.raises(BadInput, match="There is no mail template 'opened'"):
        render("opened", **CALL, school="X")
    with pytest.raises(BadInput, match="is not a log number"):
        render("logged", **{**CALL, "number": "INC-42\r\nBcc: x@evil.example"}, school="X")


def test_header_injection_in_summary_and_name_stays_on_one_line(tmp_path):
    (tmp_path / "note.txt").write_text("Subject: [$number] $summary from $name\n\n$name\n$text\n")
    mail = render(
        "note",
        number="INC-000042",
        summary="Broken\r\nBcc: everyone@school.example\r\n\r\nspam",
        name="Eve\nX-Evil: 1\x00\x1b[31m\u202e",
        text="first\r\nsecond\x07\x1b[2J",
        school="X",
        folder=tmp_path,
    )
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert not controls(mail.subject)
    assert mail.subject.startswith("[INC-000042] Broken Bcc: everyone@school.example spam")
    assert "from Eve X-Evil: 1[31m" in mail.subject
    assert mail.body == "Eve X-Evil: 1[31m\nfirst\nsecond[2J\n"


def test_markup_stays_literal():
    summary = "[@click=app.quit]x[/] <b>bold</b> &amp;"
    mail = render("note", **{**CALL, "summary": summary}, text="<script>1</script>", school="X")
    assert summary in mail.subject and summary in mail.body
    assert "<script>1</script>" in mail.body


def test_a_long_summary_is_cut_to_fit_the_subject():
    summary = "The interactive whiteboard in the science lab keeps losing its calibration " * 3
    mail = render("resolved", **{**CALL, "summary": summary}, school="X")
    assert len(mail.subject) <= SUBJECT_LIMIT
    assert mail.subject.startswith("[INC-000042] Is it fixed? The interactive")
    assert mail.subject.endswith("…")
    assert summary.strip() in mail.body  # the body keeps it whole


def test_write_defaults_writes_the_missing_and_keeps_a_schools_own(tmp_path):
    folder = tmp_path / "config" / "mail"
    written = write_defaults(folder)
    assert sorted(p.name for p in written) == sorted(f"{k}.txt" for k in KINDS)
    assert (folder / "resolved.txt").read_text() == defaults()["resolved"]
    (folder / "logged.txt").write_text("Subject: Ours [$number]\n\nOurs.\n")
    (folder / "note.txt").unlink()
    assert write_defaults(folder) == [folder / "note.txt"]
    assert (folder / "logged.txt").read_text() == "Subject: Ours [$number]\n\nOurs.\n"
    assert render("logged", **CALL, school="X", folder=folder).body == "Ours.\n"
    for kind in KINDS[1:]:  # the written files render as the built-in ones do
        assert render(kind, **CALL, school="X", folder=folder) == render(kind, **CALL, school="X")


def test_write_defaults_into_a_file_is_refused(tmp_path):
    (tmp_path / "mail").write_text("not a folder")
    with pytest.raises(BadInput, match="cannot be written"):
        write_defaults(tmp_path / "mail")


def test_defaults_is_a_copy():
    defaults()["logged"] = "Subject: x\n\ny"
    assert defaults()["logged"].startswith("Subject: [$number] $summary")


anything = st.text(st.characters(codec=None), max_size=300)
pieces = st.lists(
    st.sampled_from(["$number", "${summary}", "$name", "$text", "$school", "$$", "[$number]"])
    | st.text(max_size=8),
    max_size=12,
).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), summary=anything, name=anything, text=anything)
def test_any_values_render_a_one_line_subject_with_the_number(kind, summary, name, text):
    mail = render(kind, number="INC-000042", summary=summary, name=name, text=text, school="X")
    assert "[INC-000042]" in mail.subject
    assert not controls(mail.subject)
    assert len(mail.subject) <= SUBJECT_LIMIT + 60  # the name may add to a cut summary
    assert not controls(mail.body, allowed="\n\t")
    mail.body.encode("utf-8")  # no lone surrogates left


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.binary(max_size=400)
    | st.tuples(pieces, pieces).map(lambda parts: f"{parts[0]}\n\n{parts[1]}".encode()),
    values=st.tuples(anything, anything, anything),
)
def test_any_template_renders_or_is_refused(tmp_path, content, values):
    (tmp_path / "note.txt").write_bytes(b"Subject: " + content)
    summary, name, text = values
    try:
        mail = render(
            "note", number="INC-7", summary=summary, name=name, text=text, folder=tmp_path
        )
    except BadInput as refusal:
        assert str(tmp_path / "note.txt") in str(refusal)
        return
    assert "[INC-7]" in mail.subject and not controls(mail.subject)
    assert not controls(mail.body, allowed="\n\t")
