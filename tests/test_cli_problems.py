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
    assert (status, out) == (
        0,
        "PRB-000001 is resolved.\nResolved 2 calls: INC-000001, INC-000002. "
        "Each caller is asked to confirm it is fixed.\n",
    )
    status, out, _ = desk("problem", "close", "PRB-000001")
    assert (status, out) == (0, "PRB-000001 is closed.\n")
    _, out, _ = desk("problem", "show", "PRB-000001", "--json")
    shown = json.loads(out)
    assert shown["status"] == "closed" and shown["incidents"] == ["INC-000001", "INC-000002"]
    assert (shown["root_cause"], shown["public"], shown["affected"]) == ("Worn fuser", False, 2)
    assert desk("problem", "list")[1] == "No problems match.\n"
    assert "PRB-000001" in desk("problem", "list", "--status", "closed")[1]


def test_resolving_resolves_the_open_calls_unless_kept_open(desk):
    desk("problem", "raise", "Jams", "--call", "1")
    desk("problem", "raise", "Wi-Fi", "--call", "2")
    for fix, words in (("", "What the callers are told is empty."), ("x" * 5000, "the most")):
        status, _, err = desk("problem", "resolve", "PRB-1", "--cause", "Fuser", "--fix", fix)
        assert status == 2 and one_sentence(err) and words in err
    assert json.loads(desk("problem", "show", "PRB-1", "--json")[1])["status"] == "open"
    status, out, err = desk(
        "problem", "resolve", "PRB-1", "--cause", "Worn fuser", "--fix", "New [b]fuser[/b] fitted"
    )
    assert status == 0, err
    assert out.splitlines()[1] == (
        "Resolved 1 call: INC-000001. Each caller is asked to confirm it is fixed."
    )
    _, out, _ = desk("show", "INC-000001", "--json")
    shown = json.loads(out)
    assert (shown["status"], shown["resolution_kind"], shown["resolution"]) == (
        "resolved",
        "fix",
        "New [b]fuser[/b] fitted",
    )
    status, out, _ = desk("problem", "resolve", "PRB-2", "--cause", "AP", "--keep-calls-open")
    assert (status, out) == (
        0,
        "PRB-000002 is resolved.\nIts calls are left as they were (1 still open).\n",
    )
    assert json.loads(desk("show", "INC-000002", "--json")[1])["status"] == "logged"
    status, _, err = desk("problem", "reopen", "PRB-1", "--reason", "Back", "--keep-calls-open")
    assert status == 2 and one_sentence(err) and "--keep-calls-open" in err


def test_show_keeps_the_earlier_causes_and_workarounds(desk):
    desk("problem", "raise", "Jams", "--call", "1")
    desk("problem", "known-error", "PRB-1", "--workaround", "Use LIB", "--cause", "Damp paper")
    desk("problem", "known-error", "PRB-1", "--workaround", "Use IT1", "--cause", "Worn fuser")
    desk("problem", "resolve", "PRB-1", "--cause", "A bad batch of fusers")
    status, out, _ = desk("problem", "show", "PRB-1")
    assert status == 0
    cause = out[out.index("Root cause:") : out.index("Workaround:")].splitlines()
    assert cause[1] == "  A bad batch of fusers"
    assert cause[2].startswith("  Earlier, by jsmith on ")
    assert cause[3:] == ["    Worn fuser", cause[4], "    Damp paper", ""]
    assert "Use IT1" in out and "    Use LIB" in out
    shown = json.loads(desk("problem", "show", "PRB-1", "--json")[1])
    assert shown["root_cause"] == "A bad batch of fusers"
    assert [w["text"] for w in shown["root_cause_history"]] == [
        "Damp paper",
        "Worn fuser",
        "A bad batch of fusers",
    ]
    assert [(w["text"], w["by"]) for w in shown["workaround_history"]] == [
        ("Use LIB", "jsmith"),
        ("Use IT1", "jsmith"),
    ]


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
        (("problem", "show", "\x1b[31m"), 2, "not a problem number"),
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
