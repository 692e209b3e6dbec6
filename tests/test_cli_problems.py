"""`fitsdesk problem`: raise, link, publish, resolve and close, run through `main()`
against a real database."""

import json

import pytest

from tui.cli import main


@pytest.fixture
def desk(run, db):
    """Two printer calls in S12, made through the command line."""
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith")[0] == 0
    assert run("location", "add", "S12", "--name", "Science 12")[0] == 0
    for name in ("Sam Patel", "Ann Lee"):
        status, _, err = run(
            "log", "--summary", "Printer jams", "--requester", name, "--location", "S12",
            "--category", "printer",
        )  # fmt: skip
        assert status == 0, err
    return run


def one_sentence(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err and bool(err.strip())


def test_the_lifecycle_from_the_command_line(desk):
    status, out, err = desk(
        "problem", "raise", "S12 printer jams", "--call", "INC-000001", "--call", "2"
    )
    assert (status, out) == (0, "Raised PRB-000001 with 2 calls linked.\n"), err
    status, out, _ = desk("problem", "list")
    assert status == 0
    assert out.splitlines()[1].split()[:5] == ["PRB-000001", "Open", "2", "2", "jsmith"]
    status, out, _ = desk(
        "problem", "known-error", "PRB-1", "--workaround", "Print in LIB", "--kiosk",
        "The S12 printer is broken: use the Library's.",
    )  # fmt: skip
    assert (status, out) == (0, "PRB-000001 is a known error; the kiosks in S12 show it.\n")
    _, out, _ = desk("notice", "list", "--json")
    assert [n["text"] for n in json.loads(out)] == ["The S12 printer is broken: use the Library's."]
    status, out, err = desk("problem", "resolve", "PRB-000001")
    assert status == 2 and one_sentence(err) and "root cause" in err
    status, out, _ = desk("problem", "resolve", "PRB-000001", "--cause", "Worn fuser")
    assert (status, out) == (0, "PRB-000001 is resolved.\n")
    status, out, _ = desk("problem", "close", "PRB-000001")
    assert (status, out) == (0, "PRB-000001 is closed.\n")
    _, out, _ = desk("problem", "show", "PRB-000001", "--json")
    shown = json.loads(out)
    assert shown["status"] == "closed" and shown["incidents"] == ["INC-000001", "INC-000002"]
    assert (shown["root_cause"], shown["public"], shown["affected"]) == ("Worn fuser", False, 2)
    assert desk("problem", "list")[1] == "No problems match.\n"
    assert "PRB-000001" in desk("problem", "list", "--status", "closed")[1]


def test_show_in_words(desk):
    desk("problem", "raise", "[bold]Jams[/]", "--call", "1", "--major")
    status, out, _ = desk("problem", "show", "PRB-000001")
    assert status == 0
    assert out.splitlines()[0] == "PRB-000001  [bold]Jams[/]"
    assert "Status:    Open  (major incident)" in out and "Rooms:     S12" in out
    assert "INC-000001" in out and "Sam Patel" in out


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("problem", "show", "PRB-000404"), 1, "no problem PRB-000404"),
        (("problem", "show", "INC-000001"), 2, "not a problem number"),
        (("problem", "show", "\x1b[31m"), 2, "not a log number"),
        (("problem", "raise", ""), 2, "title"),
        (("problem", "raise", "x", "--call", "INC-000404"), 1, "INC-000404"),
        (("problem", "raise", "x", "--location", "MARS"), 2, "MARS"),
        (("problem", "link", "PRB-000001", "INC-000001"), 1, "no problem"),
        (("problem", "list", "--status", "sleeping"), 2, "invalid choice"),
        (("problem", "close", "PRB-000001"), 1, "no problem"),
    ],
)
def test_bad_input_is_one_sentence(desk, args, code, words):
    status, _, err = desk(*args)
    assert status == code and one_sentence(err) and words in err


def test_linking_twice_is_refused(desk):
    desk("problem", "raise", "Jams", "--call", "1")
    status, _, err = desk("problem", "link", "PRB-1", "INC-000001")
    assert status == 2 and one_sentence(err) and "already linked" in err
    status, out, _ = desk("problem", "link", "PRB-1", "INC-000002")
    assert (status, out) == (0, "Linked 1 call to PRB-000001; it now has 2.\n")
    status, out, _ = desk("problem", "unlink", "PRB-1", "inc-000002")
    assert (status, out) == (0, "Took INC-000002 off PRB-000001.\n")


def test_every_action_has_help(desk, capsys):
    for action in ("list", "show", "raise", "link", "unlink", "known-error", "investigate",
                   "resolve", "close", "reopen"):  # fmt: skip
        with pytest.raises(SystemExit) as done:
            main(["problem", action, "--help"])
        assert done.value.code == 0
        assert "usage: fitsdesk problem " + action in capsys.readouterr().out
