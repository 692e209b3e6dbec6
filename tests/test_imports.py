"""The CSV imports check a file before they write: its first row names columns they
know, it is a plain file of a size they read, and it is read as a stream; a dry run
says what would change; a room nothing refers to can be removed."""

import csv
import datetime as dt
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.changes import changes
from store.configuration import assets, inventory, software
from store.db import config, journal, spreadsheets
from store.db.errors import BadInput, NotAllowed, NotFound, Refused
from store.db.models import Asset, Journal, Location
from store.problems import problems
from store.school import audit, calendar, kiosks, locations, notices
from store.servicedesk import servicedesk

PUPILS = "Surname,Forename,Year\nSmith,Jo,7\nKhan,Amir,8\n"
MARKUP = "[bold]x[/]"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_rows(path: Path, rows) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return write(path, buffer.getvalue())


def counts():
    return Location.select().count(), Asset.select().count(), Journal.select().count()


def rooms():
    return {(p.code, p.name, p.site) for p in locations.list_locations()}


@pytest.fixture
def alarm():
    """Fail a test that blocks (reading a FIFO, a device) instead of hanging the run."""

    def stop(_signum, _frame):
        raise TimeoutError("the import did not finish in 20 s")

    before = signal.signal(signal.SIGALRM, stop)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, before)


BOTH = pytest.mark.parametrize(
    "load", [locations.import_locations, inventory.import_assets], ids=["rooms", "devices"]
)


def head(load) -> str:
    """A first row `load` understands."""
    return "code,name" if load is locations.import_locations else "tag,kind"


# -- the first row


def test_a_pupils_file_is_refused_naming_the_columns_expected(school, tmp_path):
    before, known = counts(), rooms()
    with pytest.raises(BadInput) as refused:
        locations.import_locations(write(tmp_path / "pupils.csv", PUPILS), by="jsmith")
    sentence = str(refused.value)
    assert "'Surname', 'Forename' and 'Year' are not columns we know" in sentence
    assert "from code (or Room, Room Code, RoomCode...), name (or Room Name" in sentence
    assert "site (or Building" in sentence and sentence.endswith("nothing was imported.")
    assert "\n" not in sentence and sentence.count(". ") == 0
    assert (counts(), rooms()) == (before, known)


def test_a_pupils_file_is_refused_as_devices_too(school, tmp_path):
    before = counts()
    with pytest.raises(BadInput, match=r"'Surname', 'Forename' and 'Year' are not columns we"):
        inventory.import_assets(write(tmp_path / "pupils.csv", PUPILS), by="jsmith")
    assert counts() == before


@pytest.mark.parametrize(
    "header",
    [
        "RoomCode,RoomName,Site",
        "Room Code,Room Name,Building",
        "ROOM_CODE,room-name,campus",
        "Room,Description,Building",
        "Code;Name;Site",
    ],
)
def test_the_spellings_mis_exports_use_keep_every_name(school, tmp_path, header):
    separator = ";" if ";" in header else ","
    body = f"{header}\nS1{separator}Science 1{separator}Main\n"
    report = locations.import_locations(write(tmp_path / "mis.csv", body), by="jsmith")
    assert (report.added, report.problems) == (1, [])
    assert ("S1", "Science 1", "Main") in rooms()


def test_a_file_without_a_header_row_is_refused(school, tmp_path):
    path = write(tmp_path / "rooms.csv", "M1,Maths 1,Main\nM2,Maths 2,Main\n")
    before = counts()
    with pytest.raises(BadInput, match=r"'M1', 'Maths 1' and 'Main' are not columns we know; "):
        locations.import_locations(path, by="jsmith")
    assert counts() == before


def test_more_than_three_unknown_columns_are_counted(school, tmp_path):
    path = write(tmp_path / "wide.csv", "code,a,b,c,d,e\nS1,1,2,3,4,5\n")
    with pytest.raises(BadInput, match=r"'a', 'b', 'c' and 2 more are not columns we know"):
        locations.import_locations(path, by="jsmith")


@BOTH
@pytest.mark.parametrize(
    ("header", "words"),
    [
        (",,,", "first row names no columns; the first row must name the columns"),
        (" , \t", "first row names no columns"),
        ("", "first row names no columns"),
        ("HEAD,Room Code,Asset tag,Code,Tag", "has two columns for the"),
        (f"{MARKUP},HEAD", f"'{MARKUP}' is not a column we know"),
        ("HEAD,na\x07me", "first row has a control character in the column 'name'"),
        ("HEAD,\x1b[31mRed", "first row has a control character in the column '[31mRed'"),
    ],
)
def test_a_bad_first_row_is_one_sentence_and_nothing_is_written(
    school, tmp_path, load, header, words
):
    header = header.replace("HEAD", head(load))
    path = write(tmp_path / "bad.csv", f"{header}\nS1,laptop,x,y,z\n")
    before = counts()
    with pytest.raises(BadInput) as refused:
        load(path, by="jsmith")
    assert words in str(refused.value) and "\n" not in str(refused.value)
    assert "\x1b" not in str(refused.value) and "\x07" not in str(refused.value)
    assert counts() == before


def test_a_column_named_twice_is_refused_for_rooms(school, tmp_path):
    path = write(tmp_path / "twice.csv", "Room,Room Code,Name\nS1,S2,Science\n")
    with pytest.raises(BadInput, match=r"two columns for the code, 'Room' and 'Room Code'"):
        locations.import_locations(path, by="jsmith")
    assert ("S1", "Science", "") not in rooms() and ("S2", "Science", "") not in rooms()


# -- the rows


def test_every_bad_row_is_listed_with_the_line_it_starts_on(school, tmp_path):
    path = write(
        tmp_path / "rooms.csv",
        'code,name,site\nS1,"Science\n(two lines)",Main\nS 2,Bad code,Main\n'
        "S3,Bell\x07,Main\nS4,Text past,Main,the end\n,,,\nS5,Fine,Main\nS1,Again,Main\n",
    )
    before = counts()
    report = locations.import_locations(path, by="jsmith")
    assert report.problems == [
        "Line 4: the code 'S 2' may only use letters, digits and . _ / -.",
        "Line 5: the name column has a control character in it.",
        "Line 6: there is text in column 4, which the first row does not name.",
        "Line 9: S1 is already on line 2.",
    ]
    assert counts() == before


def test_markup_in_a_cell_is_kept_as_text_and_never_read_as_markup(run, tmp_path):
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    path = write(tmp_path / "rooms.csv", f"code,name\nS1,{MARKUP}\n[b]S2[/b],x\n")
    status, out, err = run("location", "import", str(path))
    assert status == 2 and out == ""
    assert (
        err.splitlines()[0]
        == "Line 3: the code '[B]S2[/B]' may only use letters, digits and . _ / -."
    )
    write(path, f"code,name\nS1,{MARKUP}\n")
    status, out, _ = run("location", "import", str(path), "--dry-run")
    assert status == 0 and f"Would add S1: {MARKUP}." in out
    assert run("location", "import", str(path))[0] == 0
    _, out, _ = run("location", "list", "--json")
    assert {"code": "S1", "name": MARKUP, "site": ""} in json.loads(out)


def test_a_blank_name_or_site_leaves_the_room_as_it_is(school, tmp_path):
    locations.import_locations(write(tmp_path / "a.csv", "code,site\nLIB,Main\n"), by="jsmith")
    report = locations.import_locations(
        write(tmp_path / "b.csv", "code,name,site\nLIB,,\nS12\n"), by="jsmith"
    )
    assert (report.updated, report.unchanged) == (0, 2)
    assert {("LIB", "Library", "Main"), ("S12", "Science lab 12", "")} <= rooms()


# -- dry runs


def test_a_dry_run_of_rooms_lists_additions_changes_and_the_rest(school, tmp_path):
    path = write(
        tmp_path / "rooms.csv",
        "RoomCode,RoomName,Site\nS1,Science 1,Main\nLIB,Library (new wing),Main\n"
        "S12,Science lab 12,\n",
    )
    before = counts()
    report = locations.import_locations(path, by="jsmith", dry_run=True)
    assert report.adds == ["S1: Science 1, site Main."]
    assert report.changes == ["LIB: name 'Library' → 'Library (new wing)'; site '' → 'Main'."]
    assert report.same == ["S12"] and not report.written
    assert counts() == before
    real = locations.import_locations(path, by="jsmith")
    assert (real.adds, real.changes, real.same) == (report.adds, report.changes, report.same)
    assert ("LIB", "Library (new wing)", "Main") in rooms()
    row = Location.get(Location.code == "LIB")
    entries = [(e.action, e.field, e.before, e.after) for e in journal.history("location", row.id)]
    assert ("import", "name", "Library", "Library (new wing)") in entries


def test_a_dry_run_from_the_command_line_says_every_room(run, tmp_path):
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    assert run("location", "add", "LIB", "--name", "Library")[0] == 0
    assert run("location", "add", "S12", "--name", "Science lab 12")[0] == 0
    path = write(tmp_path / "rooms.csv", "Room Code,Room Name\nS1,Science 1\nLIB,Books\nS12,\n")
    status, out, err = run("location", "import", str(path), "--dry-run")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "Would add S1: Science 1.",
        "Would change LIB: name 'Library' → 'Books'.",
        "Would leave S12 as it is.",
        "Would add 1, would update 1, 1 unchanged. Nothing was written (a dry run).",
    ]
    _, listed, _ = run("location", "list", "--json")
    assert [p["name"] for p in json.loads(listed)] == ["Library", "Science lab 12"]


def test_a_dry_run_of_devices_lists_additions_changes_and_the_rest(run, tmp_path):
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    assert run("location", "add", "LIB", "--name", "Library")[0] == 0
    first = write(tmp_path / "a.csv", "Asset tag,Type,Room\nLAP-1,laptop,LIB\nLAP-2,laptop,\n")
    assert run("asset", "import", str(first))[0] == 0
    path = write(
        tmp_path / "b.csv",
        "Asset tag,Type,Room,Make\nLAP-1,laptop,LIB,Dell\nLAP-2,laptop,,\nPRN-1,printer,LIB,\n",
    )
    status, out, _ = run("asset", "import", str(path), "--dry-run")
    assert status == 0
    assert out.splitlines() == [
        "Would add PRN-1: printer in LIB.",
        "Would change LAP-1: make '' → 'Dell'.",
        "Would leave LAP-2 as it is.",
        "Would add 1, would update 1, 1 unchanged. Nothing was written (a dry run).",
    ]
    _, listed, _ = run("asset", "list", "--json")
    assert [d["tag"] for d in json.loads(listed)] == ["LAP-1", "LAP-2"]


# -- all or nothing


def failing_on_second_call(real):
    """`real`, failing the second time it is called, as a full disk would."""
    calls = []

    def step(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real(*args, **kwargs)

    return step


def test_a_failure_while_writing_rooms_leaves_none_written(school, tmp_path, monkeypatch):
    path = write(tmp_path / "rooms.csv", "code,name\nS1,One\nS2,Two\nLIB,Books\n")
    monkeypatch.setattr(journal, "record", failing_on_second_call(journal.record))
    before, known = counts(), rooms()
    with pytest.raises(OSError):
        locations.import_locations(path, by="jsmith")
    assert (counts(), rooms()) == (before, known)


def test_a_failure_while_writing_devices_leaves_none_written(school, tmp_path, monkeypatch):
    path = write(tmp_path / "d.csv", "Asset tag,Type\nLAP-1,laptop\nLAP-0042,tablet\n")
    monkeypatch.setattr(inventory, "insert_rows", failing_on_second_call(inventory.insert_rows))
    before = counts()
    with pytest.raises(OSError):
        inventory.import_assets(path, by="jsmith")
    assert counts() == before and assets.asset("LAP-0042").kind == "laptop"


# -- the file itself


@BOTH
def test_a_device_is_refused_before_it_is_read(school, alarm, load):
    # /dev/zero, which never ends, is read in a process of its own (below)
    with pytest.raises(BadInput, match=r"/dev/null is not a plain file \(a device, a pipe"):
        load(Path("/dev/null"), by="jsmith")


@BOTH
def test_a_fifo_is_refused_without_waiting_for_a_writer(school, tmp_path, alarm, load):
    fifo = tmp_path / "rooms.csv"
    os.mkfifo(fifo)
    with pytest.raises(BadInput, match="is not a plain file"):
        load(fifo, by="jsmith")


@BOTH
@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "is empty: nothing was imported"),
        (b"\r\n\r\n", "is empty: nothing was imported"),
        (b"HEAD\nS1\x00,laptop\n", "is not a text file"),
        (bytes(range(256)) * 8, "is not a text file"),
        (b"\x89PNG\r\n\x1a\n" + os.urandom(4000), "is not a text file"),
        (b"\xff\xfeH\x00E\x00A\x00D\x00\n\x00\x00", "is not a text file"),
        ("HEAD\nS1\x00,laptop\n".encode("utf-16-le"), "is not a text file"),
        (b'HEAD\nS1,"open,laptop\n', "is a quote left open"),
    ],
    ids=["empty", "blank", "nul", "bytes", "png", "odd-utf16", "utf16-nul", "quote"],
)
def test_files_that_are_not_csv_text_are_one_sentence(school, tmp_path, load, data, words):
    path = tmp_path / "file.csv"
    first = head(load)
    if data.startswith(b"\xff\xfe") or b"H\x00" in data[:2]:  # UTF-16: the header in it too
        data = b"\xff\xfe" * (not data.startswith(b"\xff\xfe")) + data
        data = data.replace("HEAD".encode("utf-16-le"), first.encode("utf-16-le"))
    path.write_bytes(data.replace(b"HEAD", first.encode()))
    before = counts()
    with pytest.raises(BadInput) as refused:
        load(path, by="jsmith")
    assert words in str(refused.value) and "\n" not in str(refused.value)
    assert counts() == before


@BOTH
def test_a_folder_and_a_missing_file_are_one_sentence(school, tmp_path, load):
    with pytest.raises(BadInput, match="is a folder, not a CSV file"):
        load(tmp_path, by="jsmith")
    with pytest.raises(NotFound, match="There is no file"):
        load(tmp_path / "nope.csv", by="jsmith")
    with pytest.raises(BadInput, match="cannot be read"):
        load(Path("rooms\x00.csv"), by="jsmith")


@BOTH
@pytest.mark.parametrize("line", [b"a," * 5_000_000, b"x" * 10_000_000], ids=["commas", "one"])
def test_a_10_mb_line_is_refused_in_bounded_memory(school, tmp_path, load, line):
    path = tmp_path / "long.csv"
    path.write_bytes(head(load).encode() + b"\n" + line if line[:1] == b"x" else line)
    before = counts()
    tracemalloc.start()
    try:
        with pytest.raises(BadInput, match=r"is longer than 65,536 characters"):
            load(path, by="jsmith")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, peak
    assert counts() == before


@BOTH
def test_the_size_cap_comes_from_the_config_and_is_checked_before_reading(
    school, tmp_path, load, monkeypatch
):
    settings_file = write(tmp_path / "config.toml", "[imports]\nmax_mb = 1\n")
    monkeypatch.setenv("FITSDESK_CONFIG", str(settings_file))
    config.use(None)
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.write(head(load).encode() + b"\n")
        handle.truncate(spreadsheets.MEGABYTE + 1)  # sparse, and all NUL: never read
    with pytest.raises(
        BadInput, match=r"big\.csv is 1\.1 MB; the most an import reads is 1 MB \(\[imports\]"
    ):
        load(path, by="jsmith")


def test_a_file_that_grows_while_it_is_read_is_stopped_at_the_cap(school, tmp_path, monkeypatch):
    config.use(config.Config(imports_max_mb=1))
    path = write(tmp_path / "rooms.csv", "code,name\n" + "S1,x\n" * 10)
    real = spreadsheets._encoding

    def grown(*args):
        with open(path, "a") as more:  # after its size was looked at
            more.write("S2,y\n" * 300_000)
        return real(*args)

    monkeypatch.setattr(spreadsheets, "_encoding", grown)
    before = counts()
    with pytest.raises(BadInput, match=r"is over 1 MB, the most an import reads"):
        locations.import_locations(path, by="jsmith")
    assert counts() == before


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[imports]\nmax_mb = 0\n", "imports.max_mb must be a whole number from 1 to 1000"),
        ('[imports]\nmax_mb = "50"\n', "imports.max_mb must be a whole number from 1 to 1000"),
        ("[imports]\nmax_mb = 1001\n", "imports.max_mb must be a whole number from 1 to 1000"),
        ("[imports]\nmax_mbs = 5\n", "there is no setting 'imports.max_mbs'"),
        ("imports = 5\n", "[imports] must be a table"),
    ],
)
def test_the_size_setting_is_checked(tmp_path, text, words):
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(BadInput) as refused:
        config.load_config(path)
    assert str(refused.value).startswith(f"{path}: ") and words in str(refused.value)


def test_the_size_setting_is_read(tmp_path):
    path = write(tmp_path / "config.toml", "[imports]\nmax_mb = 50\n")
    assert config.load_config(path).imports_max_mb == 50
    assert config.Config().imports_max_mb == 20


def bounded(*args, seconds=60, memory=1024**3):
    """Run `fitsdesk ARGS` in a process of its own that may use `seconds` and `memory`."""

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    code = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=seconds,
        preexec_fn=limits,
    )


@pytest.mark.parametrize("command", ["location", "asset"])
def test_dev_zero_is_refused_in_bounded_time_and_memory(run, db_url, command):
    assert run("init")[0] == 0
    done = bounded(command, "import", "/dev/zero", "--db", db_url)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "/dev/zero is not a plain file (a device, a pipe or a socket), so it cannot be "
        "imported: save a CSV file and import that.\n"
    )


@pytest.mark.parametrize("command", ["location", "asset"])
def test_a_fifo_is_refused_in_bounded_time_from_the_command_line(run, db_url, tmp_path, command):
    assert run("init")[0] == 0
    fifo = tmp_path / "rooms.csv"
    os.mkfifo(fifo)
    done = bounded(command, "import", str(fifo), "--db", db_url, seconds=30)
    assert done.returncode == 2 and "is not a plain file" in done.stderr


def test_a_calendar_import_refuses_dev_zero_and_a_fifo(run, db_url, tmp_path):
    assert run("init")[0] == 0
    done = bounded("calendar", "import", "/dev/zero", "--db", db_url)
    assert (done.returncode, done.stderr) == (
        2,
        "/dev/zero is not a plain file (a device, a pipe or a socket), so it cannot be "
        "imported: save a calendar file and import that.\n",
    )
    fifo = tmp_path / "terms.ics"
    os.mkfifo(fifo)
    done = bounded("calendar", "import", str(fifo), "--db", db_url, seconds=30)
    assert done.returncode == 2 and "is not a plain file" in done.stderr


def test_too_many_rooms_are_refused_while_reading(school, tmp_path, monkeypatch):
    monkeypatch.setattr(locations, "MAX_IMPORT_ROWS", 3)
    path = write(tmp_path / "rooms.csv", "code\n" + "".join(f"R{n}\n" for n in range(5)))
    with pytest.raises(BadInput, match="has more than 3 rows, the most one import takes"):
        locations.import_locations(path, by="jsmith")


def test_unicode_and_windows_text_still_read(school, tmp_path):
    for n, encoding in enumerate(("utf-8-sig", "utf-16", "cp1252")):
        path = write(tmp_path / f"{n}.csv", f"Room\tDescription\nM{n}\tMaths – £{n}\n", encoding)
        assert locations.import_locations(path, by="jsmith").added == 1
        assert (f"M{n}", f"Maths – £{n}", "") in rooms()


# -- the property: any first row is understood or refused, never more


KNOWN = ["code", "Room", "Room Code", "RoomCode", "name", "Site", "tag", "Asset tag", "Type"]
CELL = st.one_of(
    st.sampled_from(KNOWN),
    st.text(max_size=12),
    st.sampled_from(["", " ", MARKUP, "\x1b[2J", "a\x00b", '"', "code,name", "\r", "\ufeff"]),
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.lists(CELL, max_size=6).map(lambda cells: _csv_line(cells)),
        st.text(max_size=40),
    )
)
def test_any_first_row_is_understood_or_refused_and_never_writes_when_refused(
    school, tmp_path, header
):
    path = tmp_path / "any.csv"
    path.write_bytes((header + "\nS1,laptop,x\n").encode("utf-8", "surrogatepass"))
    for load, columns in (
        (locations.import_locations, locations.COLUMNS),
        (inventory.import_assets, inventory.HEADER),
    ):
        try:
            with spreadsheets.open_table(path, columns, most_rows=10) as table:
                named = [cell for cell in table.header if cell.strip()]
                assert named and all(spreadsheets.word(c) in columns.lookup for c in named)
                understood = True
        except BadInput as refusal:
            assert str(refusal) and "\n" not in str(refusal)
            understood = False
        before = counts()
        try:
            load(path, by="jsmith")
        except BadInput as refusal:
            assert str(refusal) and "\n" not in str(refusal)
            assert counts() == before
            continue
        assert understood


def _csv_line(cells) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


# -- removing a room


def test_a_room_nothing_refers_to_is_removed_and_journalled(school):
    locations.add_location("S99", "Store room", by="jsmith")
    row_id = Location.get(Location.code == "S99").id
    removed = locations.remove_location("s99", by="akhan")
    assert (removed.code, removed.name) == ("S99", "Store room")
    assert "S99" not in {p.code for p in locations.list_locations()}
    assert [(e.who, e.action, e.before) for e in journal.history("location", row_id)][-1] == (
        "akhan",
        "remove",
        "S99 Store room",
    )


def test_every_reference_to_a_room_is_counted(school):
    assert {f.model._meta.table_name for f in Location._meta.backrefs} == set(locations.USED_BY)
    locations.add_location("S99", "Store room", by="jsmith")
    servicedesk.log_call(summary="Projector dead", requester="Ms Khan", location="S99", by="jsmith")
    servicedesk.log_call(summary="Blind stuck", requester="Ms Khan", location="S99", by="jsmith")
    assets.add_asset("PRJ-1", kind="projector", location="S99", by="jsmith")
    kiosks.add_kiosk("store", "S99", by="jsmith")
    notices.add_notice("Closed for painting", location="S99", by="jsmith")
    software.add_software("Scratch", by="jsmith")
    software.install("Scratch", room="S99", by="jsmith")
    problems.raise_problem("Damp", locations=["S99"], by="jsmith")
    calendar.add_event(
        "exam", "Mocks", dt.date(2026, 12, 1), dt.date(2026, 12, 2), location="S99", by="jsmith"
    )
    changes.raise_change("Repaint", locations=["S99"], by="jsmith")
    before = counts()
    with pytest.raises(Refused) as refused:
        locations.remove_location("S99", by="jsmith")
    assert str(refused.value) == (
        "S99 is still where 2 calls, 1 device, 1 kiosk, 1 notice, 1 software install, "
        "1 calendar event, 1 problem and 1 change are: a room calls were logged in is kept."
    )
    assert counts() == before


def test_a_room_with_devices_says_to_move_them(school):
    with pytest.raises(
        Refused, match=r"^LIB is still where 1 device and 1 kiosk are: move them first\.$"
    ):
        locations.remove_location("LIB", by="jsmith")
    assets.add_asset("PRJ-1", kind="projector", location="S12", by="jsmith")
    with pytest.raises(Refused, match=r"^S12 is still where 1 device is: move it first\.$"):
        locations.remove_location("S12", by="jsmith")


def test_removing_a_room_needs_an_active_technician_and_the_refusal_is_kept(school):
    with pytest.raises(NotAllowed, match="visitor is not an active technician"):
        locations.remove_location("IT1", by="visitor")
    assert "IT1" in {p.code for p in locations.list_locations()}
    kept = audit.entries(by="jsmith")
    assert kept[-1].who == "visitor"


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [
        ("MARS", NotFound, "There is no location 'MARS'"),
        ("", BadInput, "The code is empty"),
        pytest.param("x" * 100_000, BadInput, "The code is too long", id="huge"),
        (MARKUP, BadInput, "The code '[BOLD]X[/]' may only use"),
        ("S\x1b[2J12", BadInput, "may only use"),
    ],
)
def test_removing_names_a_room_plainly(school, code, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[").replace("(", r"\(")):
        locations.remove_location(code, by="jsmith")


def test_location_remove_from_the_command_line(run):
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    assert run("location", "add", "S12", "--name", "Science lab 12")[0] == 0
    assert run("location", "add", "LIB", "--name", "Library")[0] == 0
    assert run("kiosk", "add", "library", "--location", "LIB")[0] == 0
    status, out, err = run("location", "remove", "LIB")
    assert (status, out) == (2, "") and err == "LIB is still where 1 kiosk is: move it first.\n"
    assert run("location", "remove", "s12") == (0, "Removed location S12: Science lab 12.\n", "")
    status, _, err = run("location", "remove", "S12")
    assert status == 1 and err == "There is no location 'S12'. See: fitsdesk location list.\n"
    status, _, err = run("location", "remove", MARKUP)
    assert status == 2 and err.count("\n") == 1 and "[BOLD]X[/]" in err


def test_location_import_from_the_command_line_refuses_a_pupils_file(run, tmp_path):
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    status, out, err = run("location", "import", str(write(tmp_path / "pupils.csv", PUPILS)))
    assert (status, out) == (2, "") and err.count("\n") == 1
    assert "'Surname', 'Forename' and 'Year' are not columns we know" in err
    _, out, _ = run("location", "list", "--json")
    assert json.loads(out) == []
