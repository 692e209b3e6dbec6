"""`fitsdesk asset`, `loan` and `labels`: the asset register from the command line, run
through `main()` against a real database, held to the contract (exit 0 done, 1 not found,
2 bad input with one sentence on stderr, never a traceback)."""

import csv
import json
import sys

import pytest

from tests.conftest import new_db_url
from tui.cli import build_parser, main

NEW_COMMANDS = ("asset", "loan", "labels", "software")


@pytest.fixture
def desk(run, db):
    """A database with a technician (the login running the commands) and two rooms."""
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith")[0] == 0
    assert run("location", "add", "LIB", "--name", "Library")[0] == 0
    assert run("location", "add", "S12", "--name", "Science lab 12")[0] == 0
    return run


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory) -> str:
    """One database for the many bad-input cases, none of which may change it: a fresh
    PostgreSQL schema each would cost a second a case."""
    from store.configuration import assets
    from store.db import database
    from store.school import locations, people

    url = new_db_url(tmp_path_factory.mktemp("shared"))
    database.connect(url)
    people.add_technician("jsmith", "Jo Smith", by="jsmith")
    locations.add_location("LIB", "Library", by="jsmith")
    assets.add_asset("LAP-0042", kind="laptop", location="LIB", by="jsmith")
    return url


@pytest.fixture
def refused(shared_url, capsys, monkeypatch):
    """`run`, against the shared database."""
    monkeypatch.setattr("store.db.identity.os_account", lambda: "jsmith")

    def invoke(*args):
        status = main([*args, "--db", shared_url])
        out, err = capsys.readouterr()
        return status, out, err

    return invoke


def one_sentence(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err and bool(err.strip())


def counts() -> tuple[int, int]:
    from store.db.models import Asset, Journal

    return Asset.select().count(), Journal.select().count()


def new_paths():
    parser = build_parser()
    paths = []

    def walk(p, prefix):
        for action in p._actions:
            if hasattr(action, "choices") and isinstance(action.choices, dict):
                for name, sub in action.choices.items():
                    paths.append((*prefix, name))
                    walk(sub, (*prefix, name))

    walk(parser, ())
    return [p for p in paths if p[0] in NEW_COMMANDS]


def test_fitsdesk_help_lists_the_new_commands(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    for name in NEW_COMMANDS:
        assert f"\n    {name} " in out


@pytest.mark.parametrize("path", new_paths(), ids=" ".join)
def test_every_new_command_has_help(path, capsys):
    with pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert out.startswith("usage: fitsdesk " + " ".join(path)) and "--db URL" in out


def test_add_says_when_the_tag_was_normalised_and_show_lists_it(desk):
    status, out, err = desk(
        "asset",
        "add",
        "lap 42",
        "--kind",
        "Laptop",
        "--make",
        "Dell",
        "--model",
        "Latitude 3440",
        "--serial",
        "7HX2Q",
        "--location",
        "lib",
        "--cost",
        "£649.00",
        "--purchased-on",
        "01/09/2024",
        "--warranty-end",
        "2027-09-01",
        "--supplier",
        "XMA",
        "--assigned-to",
        "Maths",
    )
    assert status == 0, err
    assert "The tag 'lap 42' is stored as LAP-42." in out
    assert "Added LAP-42: Dell Latitude 3440 (laptop) in LIB (Library)." in out
    status, out, _ = desk("asset", "add", "psu-42", "--kind", "charger", "--part-of", "lap-42")
    assert status == 0 and "a part of LAP-42" in out

    status, out, _ = desk("asset", "show", "Lap-42")
    assert status == 0
    assert out.startswith("LAP-42  Dell Latitude 3440\n")
    for text in ("LIB Library", "7HX2Q", "2024-09-01 for £649.00 from XMA", "PSU-42"):
        assert text in out
    assert "Calls: none" in out and "Loans: none" in out and "add LAP-42 laptop" in out

    status, out, _ = desk("asset", "show", "LAP-42", "--json")
    shown = json.loads(out)
    assert status == 0 and shown["tag"] == "LAP-42" and shown["location"] == "LIB"
    assert shown["cost_pence"] == 64900 and shown["purchased_on"] == "2024-09-01"
    assert shown["parts"] == ["PSU-42"] and shown["calls"] == [] and shown["loans"] == []
    assert shown["changes"][0]["action"] == "add"

    status, out, _ = desk("asset", "add", "LAP-43", "--kind", "laptop", "--json")
    assert status == 0 and json.loads(out)["tag"] == "LAP-43"


def test_list_filters_and_json(desk):
    desk("asset", "add", "LAP-1", "--kind", "laptop", "--location", "LIB", "--make", "Dell")
    desk("asset", "add", "LAP-2", "--kind", "laptop", "--location", "S12", "--status", "spare")
    desk("asset", "add", "PRN-1", "--kind", "printer", "--location", "LIB", "--make", "HP")

    def tags(*args):
        status, out, err = desk("asset", "list", *args, "--json")
        assert status == 0, err
        return [device["tag"] for device in json.loads(out)]

    assert tags() == ["LAP-1", "LAP-2", "PRN-1"]
    assert tags("--location", "lib") == ["LAP-1", "PRN-1"]
    assert tags("--kind", "printer") == ["PRN-1"]
    assert tags("--status", "spare") == ["LAP-2"]
    assert tags("--search", "hp") == ["PRN-1"]
    assert tags("--limit", "2") == ["LAP-1", "LAP-2"]
    status, out, _ = desk("asset", "list")
    assert status == 0 and len(out.splitlines()) == 4 and out.startswith("TAG")
    status, out, _ = desk("asset", "list", "--search", "nothing like it")
    assert status == 0 and out == "No devices match.\n"


def test_edit_move_retire_and_parts(desk):
    desk("asset", "add", "LAP-1", "--kind", "laptop", "--location", "LIB")
    desk("asset", "add", "PSU-1", "--kind", "psu")
    status, out, _ = desk("asset", "edit", "lap-1", "--assigned-to", "Ms Byron", "--cost", "700")
    assert status == 0 and out == "Changed LAP-1: assigned to, cost.\n"
    status, out, _ = desk("asset", "edit", "LAP-1", "--assigned-to", "Ms Byron")
    assert status == 0 and out.startswith("Nothing changed")
    status, _, err = desk("asset", "edit", "LAP-1")
    assert status == 2 and one_sentence(err) and "Say what to change" in err

    assert desk("asset", "move", "LAP-1", "s12")[1] == "LAP-1 is now in S12 (Science lab 12).\n"
    assert desk("asset", "move", "LAP-1", "none")[1] == "LAP-1 is now nowhere in particular.\n"
    status, _, err = desk("asset", "move", "LAP-1", "-")
    assert status == 2 and one_sentence(err) and "already nowhere" in err

    assert desk("asset", "part", "PSU-1", "--of", "LAP-1")[1] == "PSU-1 now goes with LAP-1.\n"
    status, _, err = desk("asset", "part", "LAP-1", "--of", "PSU-1")
    assert status == 2 and one_sentence(err) and "already a part of" in err
    assert desk("asset", "part", "PSU-1", "--detach")[0] == 0
    status, _, err = desk("asset", "part", "PSU-1", "--of", "LAP-1", "--detach")
    assert status == 2 and one_sentence(err)

    status, out, _ = desk("asset", "retire", "LAP-1", "--reason", "Screen beyond repair")
    assert status == 0 and "retired" in out
    status, _, err = desk("asset", "retire", "LAP-1", "--reason", "Again")
    assert status == 2 and one_sentence(err) and "already retired" in err

    _, out, _ = desk("asset", "show", "LAP-1")
    assert "Status:      Retired" in out and "Retired: Screen beyond repair" in out
    assert "move location: LIB -> S12" in out and "update cost: - -> £700.00" in out
    assert "attach part of" not in out  # parts are journalled on the part
    _, out, _ = desk("asset", "show", "PSU-1")
    assert "attach part of: - -> LAP-1" in out and "detach part of: LAP-1 -> -" in out


def test_show_flags_a_repeat_fault_and_lists_calls_loans_and_moves(desk):
    desk("asset", "add", "LAP-42", "--kind", "laptop", "--location", "LIB")
    desk("asset", "add", "LAP-99", "--kind", "laptop", "--status", "spare")
    numbers = []
    for n in range(4):
        status, out, err = desk(
            "log",
            "--summary",
            f"Won't charge ({n})",
            "--requester",
            "Sam Patel",
            "--category",
            "laptop",
            "--asset",
            "LAP-42",
            "--json",
        )
        assert status == 0, err
        numbers.append(json.loads(out)["number"])

    status, out, err = desk(
        "loan", "swap", numbers[-1], "--handed-in", "lap-42", "--spare", "LAP-99"
    )
    assert status == 0, err
    assert out.startswith(f"Lent spare LAP-99 to Sam Patel against {numbers[-1]}; LAP-42 is in")

    status, out, _ = desk("asset", "show", "LAP-42")
    assert status == 0
    assert "Repeat fault: 4 calls about Laptop or Chromebook in 12 months" in out
    assert "Calls (4, 4 in the last 12 months):" in out
    assert f"{numbers[0]}  " in out and "Logged" in out and "Won't charge (0)" in out
    assert f"handed in for repair against {numbers[-1]}; spare LAP-99 lent to Sam Patel" in out
    assert "hand in status: in_use -> in_repair" in out
    assert "Status:      In repair" in out

    _, out, _ = desk("asset", "show", "LAP-42", "--json")
    shown = json.loads(out)
    assert shown["repeat_faults"] == [
        {"category": "laptop", "label": "Laptop or Chromebook", "calls": 4}
    ]
    assert [c["number"] for c in shown["calls"]] == numbers[::-1]
    assert shown["loans"][0]["spare"] == "LAP-99" and shown["loans"][0]["returned_at"] is None


def test_loan_swap_list_lend_and_return(desk):
    desk("asset", "add", "LAP-42", "--kind", "laptop")
    desk("asset", "add", "LAP-98", "--kind", "laptop", "--status", "spare")
    desk("asset", "add", "LAP-99", "--kind", "laptop", "--status", "spare")
    _, out, _ = desk("log", "--summary", "Cracked screen", "--requester", "Ann Lee", "--json")
    number = json.loads(out)["number"]
    assert desk("loan", "list")[1] == "No spares are out on loan.\n"

    assert desk("loan", "swap", number, "--handed-in", "LAP-42", "--spare", "LAP-99")[0] == 0
    status, out, err = desk("loan", "lend", "LAP-98", "--to", "Supply teacher")
    assert status == 0 and out == "Lent spare LAP-98 to Supply teacher.\n", err
    status, out, _ = desk("loan", "list")
    lines = out.splitlines()
    assert status == 0 and lines[0].startswith("SPARE") and len(lines) == 3
    assert lines[1].startswith("LAP-99") and number in lines[1] and "Ann Lee" in lines[1]
    _, out, _ = desk("loan", "list", "--json")
    out_now = json.loads(out)
    assert [(x["spare"], x["handed_in"], x["call"]) for x in out_now] == [
        ("LAP-99", "LAP-42", number),
        ("LAP-98", None, None),
    ]
    assert out_now[0]["lent_by"] == "jsmith" and out_now[0]["lent_at"].endswith("+00:00")

    status, _, err = desk("loan", "swap", number, "--handed-in", "LAP-42", "--spare", "LAP-99")
    assert status == 2 and one_sentence(err) and "cannot be handed in" in err
    status, out, _ = desk("loan", "return", "lap-99")
    assert status == 0 and out == "LAP-99 is back and is a spare again; LAP-42 is back in use.\n"
    status, _, err = desk("loan", "return", "LAP-99")
    assert status == 2 and one_sentence(err) and "not out on loan" in err
    assert desk("loan", "return", "LAP-98")[0] == 0
    assert desk("loan", "list", "--json")[1].strip() == "[]"
    _, out, _ = desk("asset", "list", "--json")
    assert {d["tag"]: d["status"] for d in json.loads(out)} == {
        "LAP-42": "in_use",
        "LAP-98": "spare",
        "LAP-99": "spare",
    }
    status, _, err = desk("loan", "swap", "INC-000999", "--spare", "LAP-99")
    assert status == 1 and one_sentence(err)


def test_loans_need_an_active_technician(desk, monkeypatch):
    desk("asset", "add", "LAP-99", "--kind", "laptop", "--status", "spare")
    monkeypatch.setattr("store.db.identity.os_account", lambda: "visitor")
    before = counts()
    status, _, err = desk("loan", "lend", "LAP-99", "--to", "Sam")
    assert status == 2 and one_sentence(err) and "visitor is not an active technician" in err
    assert counts() == before


BAD_ROWS = (
    "Asset tag,Type,Room,Serial number,Cost,Purchase date,Parent\n"
    "LAP-1,laptop,LIB,S1,649,01/09/2024,\n"
    "LAP-2,toaster,LIB,,,,\n"
    "LAP-3,laptop,MARS,,,,\n"
    "LAP-4,laptop,LIB,,lots,,\n"
    "LAP-5,laptop,,,,31/02/2024,\n"
    "[b]x[/b],laptop,,,,,\n"
    "LAP-1,laptop,,,,,\n"
    "PSU-1,psu,,,,,NOPE-9\n"
)


def test_import_lists_every_problem_and_writes_nothing(desk, tmp_path):
    path = tmp_path / "devices.csv"
    path.write_text(BAD_ROWS)
    before = counts()
    status, out, err = desk("asset", "import", str(path))
    assert status == 2 and out == ""
    lines = err.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [f"Line {n}" for n in range(3, 10)]
    assert "'toaster' is not a kind of device" in lines[0]
    assert "no location 'MARS'" in lines[1] and "not a cost" in lines[2]
    assert "not a date" in lines[3] and "may only use letters" in lines[4]
    assert "LAP-1 is already on line 2" in lines[5] and "NOPE-9" in lines[6]
    assert lines[-1] == "Nothing was imported: fix the 7 problems above and run it again."
    assert counts() == before
    assert desk("asset", "import", str(path), "--dry-run")[0] == 2


def test_import_dry_run_then_for_real_then_export_round_trip(desk, tmp_path):
    path = tmp_path / "devices.csv"
    path.write_text(
        "Asset tag,Type,Room,Serial number,Cost,Purchase date,Parent,Notes\n"
        "lap 1,laptop,lib,S1,649,01/09/2024,,\n"
        'PSU-1,charger,,,,,LAP-1,"=HYPERLINK(""x"")"\n'
        "PRN-1,printer,S12,,,,,Toner in cupboard\n"
    )
    status, out, err = desk("asset", "import", str(path), "--dry-run")
    assert status == 0, err
    assert "Line 2: the tag 'lap 1' is stored as LAP-1." in out
    assert "Would add 3, would update 0, 0 unchanged." in out
    assert desk("asset", "list")[1] == "No devices match.\n"

    status, out, _ = desk("asset", "import", str(path))
    assert status == 0 and out.splitlines()[-1] == "Added 3, updated 0, 0 unchanged."
    _, out, _ = desk("asset", "show", "PSU-1", "--json")
    assert json.loads(out)["part_of"] == "LAP-1" and json.loads(out)["notes"].startswith("=")

    exported = tmp_path / "register.csv"
    status, out, _ = desk("asset", "export", str(exported))
    assert status == 0 and out == f"Wrote 3 devices to {exported}.\n"
    rows = list(csv.reader(exported.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:2] == ["tag", "kind"] and [r[0] for r in rows[1:]] == [
        "LAP-1",
        "PRN-1",
        "PSU-1",
    ]
    assert "'=HYPERLINK" in exported.read_text(encoding="utf-8-sig")  # not a live formula

    status, out, _ = desk("asset", "import", str(exported))
    assert status == 0 and out == "Added 0, updated 0, 3 unchanged.\n"

    status, out, _ = desk("asset", "export", "-", "--location", "LIB")
    assert status == 0 and [r[0] for r in csv.reader(out.splitlines())] == ["tag", "LAP-1"]
    status, out, _ = desk("asset", "export", "-", "--kind", "printer")
    assert [r[0] for r in csv.reader(out.splitlines())] == ["tag", "PRN-1"]
    status, _, err = desk("asset", "export", "-", "--location", "MARS")
    assert status == 2 and one_sentence(err) and "no location 'MARS'" in err


def test_import_of_a_missing_or_empty_file(desk, tmp_path):
    status, _, err = desk("asset", "import", str(tmp_path / "nope.csv"))
    assert status == 1 and one_sentence(err) and "There is no file" in err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    status, _, err = desk("asset", "import", str(empty))
    assert status == 2 and one_sentence(err) and "is empty" in err
    headless = tmp_path / "headless.csv"
    headless.write_text("serial,room\nS1,LIB\n")
    status, _, err = desk("asset", "import", str(headless))
    assert status == 2 and one_sentence(err) and "no tag column" in err


def test_labels_write_a_pdf_sheet_with_the_schools_name(desk, tmp_path, monkeypatch):
    import pypdfium2

    settings = tmp_path / "config.toml"
    settings.write_text('[school]\nname = "Hillside Academy"\n')
    monkeypatch.setenv("FITSDESK_CONFIG", str(settings))
    rows = "tag,kind,location\n" + "".join(f"LAP-{n:02d},laptop,S12\n" for n in range(23))
    (tmp_path / "lab.csv").write_text(rows + "PRN-1,printer,LIB\n")
    assert desk("asset", "import", str(tmp_path / "lab.csv"))[0] == 0

    sheet = tmp_path / "s12.pdf"
    status, out, err = desk("labels", "--location", "s12", "-o", str(sheet))
    assert status == 0, err
    assert out == f"Wrote 23 labels on 2 pages to {sheet}.\n"
    data = sheet.read_bytes()
    assert data.startswith(b"%PDF") and b"(Hillside Academy)" in data and b"(LAP-22)" in data
    assert len(pypdfium2.PdfDocument(str(sheet))) == 2

    svg = tmp_path / "two.svg"
    status, out, _ = desk("labels", "--tag", "lap-01", "--tag", "PRN-1", "-o", str(svg))
    assert status == 0 and out == f"Wrote 2 labels on 1 page to {svg}.\n"
    text = svg.read_text()
    assert 'data-tag="LAP-01"' in text and 'data-tag="PRN-1"' in text and "Hillside" in text

    status, out, _ = desk("labels", "--kind", "printer", "-o", str(tmp_path / "p.pdf"))
    assert status == 0 and "Wrote 1 label on 1 page" in out


def test_labels_refuse_with_one_sentence(desk, tmp_path, monkeypatch):
    desk("asset", "add", "LAP-1", "--kind", "laptop", "--location", "LIB")
    cases = [
        (("-o", str(tmp_path / "x.docx")), 2, "written as .pdf, .svg or .png, not '.docx'"),
        (("-o", str(tmp_path / "x")), 2, "not a file with no ending"),
        (("--kind", "printer", "-o", str(tmp_path / "x.pdf")), 2, "No devices match"),
        (("--location", "MARS", "-o", str(tmp_path / "x.pdf")), 2, "no location 'MARS'"),
        (("--kind", "toaster", "-o", str(tmp_path / "x.pdf")), 2, "not a kind of device"),
        (("--tag", "LAP-9", "-o", str(tmp_path / "x.pdf")), 1, "No asset is tagged 'LAP-9'"),
        (("--tag", "LAP-1", "--location", "LIB", "-o", str(tmp_path / "x.pdf")), 2, "or choose"),
        (("--tag", "LAP-1"), 2, "required: -o/--output"),
        (("-o", str(tmp_path / "no" / "dir.pdf")), 2, "cannot be written"),
    ]
    for args, expected, message in cases:
        status, _out, err = desk("labels", *args)
        assert status == expected and message in err and one_sentence(err), (args, err)
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    status, _, err = desk("labels", "-o", str(tmp_path / "x.png"))
    assert status == 2 and one_sentence(err) and "fitsdesk[png]" in err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("x")) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (("asset", "add", "", "--kind", "laptop"), "The asset tag is empty"),
        (("asset", "add", "   ", "--kind", "laptop"), "The asset tag is empty"),
        (("asset", "add", "\x1b\x07\x00", "--kind", "laptop"), "The asset tag is empty"),
        (("asset", "add", "[bold]x[/]", "--kind", "laptop"), "may only use letters"),
        (("asset", "add", "\x1b[2JLAP-1", "--kind", "laptop"), "may only use letters"),
        (("asset", "add", "L" * 41, "--kind", "laptop"), "too long"),
        (("asset", "add", "L" * 100_000, "--kind", "laptop"), "too long"),
        (("asset", "add", "LAP-1", "--kind", "toaster"), "not a kind of device"),
        (("asset", "add", "LAP-1", "--kind", "\x1b[31mlaptop\u202e"), "not a kind of device"),
        (("asset", "add", "LAP-1", "--kind", "laptop", "--location", "MARS"), "no location"),
        (("asset", "add", "LAP-1", "--kind", "laptop", "--part-of", "NOPE"), "No asset is tagged"),
        (("asset", "add", "LAP-1", "--kind", "laptop", "--description", "x" * 5000), "too long"),
        (("asset", "add", "LAP-1", "--kind", "laptop", "--make", "x" * 121), "too long"),
        (("asset", "add", "LAP-1", "--kind", "laptop", "--cost", "lots"), "not a cost"),
        (("asset", "add", "LAP-1", "--kind", "laptop", "--purchased-on", "yesterday"), "date"),
        (("asset", "add", "LAP-1", "--kind", "laptop", "--status", "lost"), "not a status"),
        (("asset", "add", "LAP-1", "--kind", "laptop", "--status", "on loan"), "loan lend"),
        (("asset", "add", "LAP-0042", "--kind", "laptop"), "already an asset tagged 'LAP-0042'"),
        (("asset", "add", "LAP-1"), "required: --kind"),
        (("asset", "edit", "LAP-0042", "--status", "on_loan"), "goes on loan by lending"),
        (("asset", "edit", "LAP-0042", "--kind", ""), "not a kind of device"),
        (("asset", "move", "LAP-0042", "[red]S12[/]"), "may only use letters"),
        (("asset", "retire", "LAP-0042", "--reason", "\x00\x1b"), "The reason is empty"),
        (("asset", "list", "--location", "MARS"), "no location 'MARS'"),
        (("asset", "list", "--kind", "[b]laptop"), "not a kind of device"),
        (("asset", "list", "--limit", "0"), "whole number"),
        (("asset", "list", "--status", "\x1b]0;x\x07"), "not a status"),
        (("asset", "part", "LAP-0042"), "arguments --of --detach is required"),
        (("loan", "lend", "LAP-0042", "--to", "Sam"), "not a spare"),
        (("loan", "lend", "LAP-0042", "--to", "\u202e\x1b"), "The name is empty"),
        (("loan", "swap", "INC-1", "--spare", ""), "Scan the spare"),
        (("loan", "swap", "robert'); drop table asset;--", "--spare", "X"), "No asset is tagged"),
        (("asset", "frobnicate"), "invalid choice"),
    ],
)
def test_bad_input_gets_one_sentence_and_changes_nothing(refused, args, message):
    refused("asset", "list")  # open the shared database in this test
    before = counts()
    status, _out, err = refused(*args)
    assert status == 2, (status, err)
    assert message in err and one_sentence(err), err
    assert not any(c in err for c in "\x1b\x07\x00\u202e"), repr(err)
    assert counts() == before


def test_unknown_tags_are_not_found(desk):
    for args in (
        ("asset", "show", "LAP-9"),
        ("asset", "edit", "LAP-9", "--make", "HP"),
        ("loan", "lend", "LAP-9", "--to", "Sam"),
        ("loan", "return", "LAP-9"),
    ):
        status, _, err = desk(*args)
        assert status == 1 and one_sentence(err) and "No asset is tagged 'LAP-9'" in err


def test_markup_and_control_characters_in_text_are_shown_as_typed_and_do_nothing(desk):
    status, out, err = desk(
        "asset",
        "add",
        "LAP-1",
        "--kind",
        "laptop",
        "--description",
        "[@click=app.quit]x[/] [bold]y[/]",
        "--make",
        "\x1b[31mDell\x07",
        "--notes",
        "line one\nline\x00 two",
    )
    assert status == 0, err
    assert "\x1b" not in out and "\x07" not in out
    _, out, _ = desk("asset", "show", "LAP-1", "--json")
    device = json.loads(out)
    assert device["description"] == "[@click=app.quit]x[/] [bold]y[/]"
    assert device["make"] == "[31mDell" and device["notes"] == "line one\nline two"
    _, out, _ = desk("asset", "show", "LAP-1")
    assert "[@click=app.quit]x[/] [bold]y[/]" in out and "\x1b" not in out
