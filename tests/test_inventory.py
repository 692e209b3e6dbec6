"""The register to and from a school's spreadsheet: headers as schools write them, every
row or none, encodings from Excel and the MIS, and formulas made harmless on export."""

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.configuration import assets, inventory, loans
from store.db import config, journal, spreadsheets
from store.db.errors import BadInput, NotFound
from store.db.models import Asset, Journal
from store.servicedesk import servicedesk

from .conftest import new_db_url


def write_csv(path: Path, rows, encoding="utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def register():
    """The register as a person would compare it: every field of every device."""
    return [
        (
            *(a.tag, a.kind, a.make, a.model, a.serial, a.description, a.location),
            *(a.assigned_to, a.status, a.purchased_on, a.cost_pence, a.supplier),
            *(a.warranty_end, a.notes, a.part_of, a.parts),
        )
        for a in assets.list_assets()
    ]


def counts():
    return Asset.select().count(), Journal.select().count()


def moves(tag):
    row = Asset.get(Asset.tag == tag)
    return [(e.who, e.action, e.field, e.before, e.after) for e in journal.history("asset", row.id)]


HEADER = [
    "Asset Tag",
    "Device type",
    "Manufacturer",
    "Model",
    "Serial No",
    "Room",
    "Issued to",
    "Purchase date",
    "Price",
    "Warranty expiry",
    "Comments",
    "Parent",
]


def test_import_reads_the_words_schools_use_and_adds_every_device(school, tmp_path):
    path = write_csv(
        tmp_path / "devices.csv",
        [
            HEADER,
            [
                *("CB-0001", "Chromebook", "Acer", "Spin 511", "NXA1", "s12", ""),
                *("01/09/2024", "£299.00", "2027-08-31", "Trolley A", ""),
            ],
            ["PSU-0001", "charger", "Acer", "", "", "S12", "", "", "", "", "", "CB-0001"],
            [
                *("PAN-0001", "Interactive panel", "Promethean", "", "", "IT1", "Mr Shah"),
                *("", "1,850", "", "", ""),
            ],
            ["", "", "", "", "", "", "", "", "", "", "", ""],  # blank rows are skipped
        ],
    )
    seen = []
    report = inventory.import_assets(path, by="jsmith", progress=lambda d, t: seen.append((d, t)))
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert (report.problems, report.notes, report.written) == ([], [], True)
    assert seen[-1] == (3, 3)
    chromebook = assets.asset("CB-0001")
    assert (chromebook.kind, chromebook.make, chromebook.model) == (
        "chromebook",
        "Acer",
        "Spin 511",
    )
    assert (chromebook.serial, chromebook.location, chromebook.cost_pence) == ("NXA1", "S12", 29900)
    assert str(chromebook.purchased_on) == "2024-09-01"
    assert str(chromebook.warranty_end) == "2027-08-31"
    assert chromebook.notes == "Trolley A"
    assert chromebook.parts == ("PSU-0001",)
    panel = assets.asset("PAN-0001")
    assert (panel.kind, panel.assigned_to, panel.cost_pence) == ("panel", "Mr Shah", 185000)
    assert ("jsmith", "import", None, None, "PAN-0001 panel") in moves("PAN-0001")
    assert ("jsmith", "import", "part_of", None, "CB-0001") in moves("PSU-0001")


EXAMPLES = {
    "tag": "SYN-{n}",
    "kind": "Chromebook",
    "make": "Dell",
    "model": "Latitude 3440",
    "serial": "7HX2Q",
    "description": "Staff laptop",
    "location": "S12",
    "assigned_to": "Ms Jones",
    "status": "Spare",
    "purchased_on": "01/09/2024",
    "cost": "£649.00",
    "supplier": "Dell UK",
    "warranty_end": "2027-08-31",
    "notes": "Has a sticker",
    "part_of": "LAP-0042",
}


def stored(device, key):
    """A device's field as the spreadsheet's example wrote it."""
    return {
        "kind": "Chromebook" if device.kind == "chromebook" else device.kind,
        "location": device.location,
        "status": "Spare" if device.status == "spare" else device.status,
        "purchased_on": device.purchased_on and device.purchased_on.strftime("%d/%m/%Y"),
        "cost": device.cost,
        "warranty_end": str(device.warranty_end),
    }.get(key, getattr(device, key))


def test_every_synonym_names_its_column_in_any_case_and_spacing(school, tmp_path):
    n = 0
    for key, words in inventory.SYNONYMS.items():
        for word in words:
            n += 1
            header = {"tag": "Asset tag", "kind": "Type", key: word.upper().replace(" ", "_  ")}
            row = {"tag": f"SYN-{n}", "kind": "laptop", key: EXAMPLES[key].format(n=n)}
            path = write_csv(tmp_path / f"{n}.csv", [list(header.values()), list(row.values())])
            report = inventory.import_assets(path, by="jsmith")
            assert (report.added, report.problems) == (1, []), (key, word)
            device = assets.asset(f"SYN-{n}")
            assert stored(device, key) == EXAMPLES[key].format(n=n), (key, word)


@pytest.mark.parametrize(
    ("header", "missing"),
    [(["Serial", "Type"], "tag"), (["Asset tag", "Make", "Model"], "kind"), (["", " "], "")],
)
def test_a_header_without_tag_or_kind_is_refused(school, tmp_path, header, missing):
    path = write_csv(tmp_path / "bad.csv", [header, ["LAP-1", "laptop", "x"]])
    words = f"has no {missing} column" if missing else "first row names no columns"
    with pytest.raises(BadInput, match=words):
        inventory.import_assets(path, by="jsmith")


def test_empty_files_and_missing_files_are_refused_plainly(school, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(BadInput, match=r"empty\.csv is empty: nothing was imported"):
        inventory.import_assets(tmp_path / "empty.csv", by="jsmith")
    write_csv(tmp_path / "header.csv", [["tag", "kind"], ["", ""]])
    with pytest.raises(BadInput, match="has no devices in it"):
        inventory.import_assets(tmp_path / "header.csv", by="jsmith")
    with pytest.raises(NotFound, match="There is no file"):
        inventory.import_assets(tmp_path / "nope.csv", by="jsmith")
    with pytest.raises(BadInput, match="is a folder"):
        inventory.import_assets(tmp_path, by="jsmith")


def test_one_bad_row_and_nothing_is_written_with_every_problem_by_line(school, tmp_path):
    path = write_csv(
        tmp_path / "devices.csv",
        [
            ["tag", "kind", "room", "purchased", "cost", "status", "part of"],
            ["CB-0001", "chromebook", "S12", "2024-09-01", "299", "", ""],  # line 2: good
            ["CB-0002", "chromebook", "ZZ9", "", "", "", ""],  # 3: no such room
            ["cb-0001", "chromebook", "", "", "", "", ""],  # 4: CB-0001 again
            ["CB-0003", "chromebook", "", "31/02/2024", "", "", ""],  # 5: no such day
            ["CB-0004", "toaster", "", "", "", "", ""],  # 6: not a kind
            ["CB-0005", "chromebook", "", "", "cheap", "", ""],  # 7: not a cost
            ["CB-0006", "chromebook", "", "", "", "on loan", ""],  # 8: loans are at the desk
            ["CB-0007", "chromebook", "", "", "", "", "NOPE-1"],  # 9: unknown parent
            ["CB-0008", "chromebook", "", "", "", "", "cb-0008"],  # 10: part of itself
            ["LAP#9", "laptop", "", "", "", "", ""],  # 11: not a tag
            ["CB-0009", "chromebook", "S12", "", "", "", ""],  # 12: good
        ],
    )
    before, register_before = counts(), register()
    report = inventory.import_assets(path, by="jsmith")
    assert (report.written, report.added, report.updated) == (False, 0, 0)
    assert counts() == before and register() == register_before
    problems = report.problems
    assert [p.split(":")[0] for p in problems] == [f"Line {n}" for n in range(3, 12)]
    assert "there is no location 'ZZ9'" in problems[0]
    assert problems[1] == "Line 4: CB-0001 is already on line 2."
    assert "'31/02/2024' is not a date" in problems[2]
    assert "'toaster' is not a kind of device" in problems[3]
    assert "'cheap' is not a cost" in problems[4]
    assert "on loan by lending it" in problems[5]
    assert "part of NOPE-1, which is on neither the register nor this file" in problems[6]
    assert problems[7] == "Line 10: CB-0008 cannot be a part of itself."
    assert "LAP#9" in problems[8]


def test_a_circle_of_parts_is_refused(school, tmp_path):
    assets.add_asset("PSU-0042", kind="psu", part_of="LAP-0042", by="jsmith")
    circle = [["tag", "kind", "part of"], ["A-1", "other", "B-1"], ["B-1", "other", "A-1"]]
    report = inventory.import_assets(write_csv(tmp_path / "c.csv", circle), by="jsmith")
    assert report.written is False
    assert any("circle" in p or "already a part of" in p for p in report.problems)
    # through the register: LAP-0042 made a part of its own charger
    back = [["tag", "kind", "part of"], ["LAP-0042", "laptop", "PSU-0042"]]
    report = inventory.import_assets(write_csv(tmp_path / "b.csv", back), by="jsmith")
    assert report.written is False and len(report.problems) == 1
    assert report.problems[0].startswith("Line 2:")
    assert assets.asset("LAP-0042").part_of is None


def test_a_dry_run_reports_and_writes_nothing(school, tmp_path):
    path = write_csv(
        tmp_path / "d.csv",
        [
            ["tag", "kind", "make", "room"],
            ["LAP-0042", "laptop", "Dell", "S12"],  # an update
            ["lap 0043", "laptop", "Dell", "S12"],  # new, and its tag normalised
        ],
    )
    before, register_before = counts(), register()
    report = inventory.import_assets(path, by="jsmith", dry_run=True)
    assert (report.added, report.updated, report.unchanged) == (1, 1, 0)
    assert report.problems == [] and report.written is False
    assert report.notes == ["Line 3: the tag 'lap 0043' is stored as LAP-0043."]
    assert counts() == before and register() == register_before
    real = inventory.import_assets(path, by="jsmith")
    assert (real.added, real.updated, real.written) == (1, 1, True)
    assert assets.asset("LAP-0043").location == "S12"


def test_tags_typed_in_lower_case_or_with_spaces_are_stored_normalised_and_said(school, tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        [["tag", "kind"], [" lap 0100 ", "laptop"], ["LAP-0101", "laptop"], ["lap-0102", "laptop"]],
    )
    report = inventory.import_assets(path, by="jsmith")
    assert report.notes == [
        "Line 2: the tag 'lap 0100' is stored as LAP-0100.",
        "Line 4: the tag 'lap-0102' is stored as LAP-0102.",
    ]
    assert [a.tag for a in assets.list_assets("LAP-01")] == ["LAP-0100", "LAP-0101", "LAP-0102"]


def test_updating_existing_devices_is_journalled_and_what_is_the_same_is_left(school, tmp_path):
    assets.add_asset("LAP-0043", kind="laptop", make="HP", location="LIB", by="jsmith")
    assets.add_asset("PSU-0001", kind="psu", by="jsmith")
    path = write_csv(
        tmp_path / "u.csv",
        [
            ["tag", "kind", "make", "description", "room", "cost", "part of"],
            ["LAP-0042", "laptop", "Dell", "Dell 3440", "S12", "649", ""],
            ["LAP-0043", "laptop", "HP", "", "LIB", "", ""],  # as it is
            ["PSU-0001", "psu", "", "", "", "", "LAP-0043"],  # only joined to LAP-0043
        ],
    )
    version = assets.asset("LAP-0042").version
    report = inventory.import_assets(path, by="akhan")
    assert (report.added, report.updated, report.unchanged) == (0, 2, 1)
    laptop = assets.asset("LAP-0042")
    assert (laptop.make, laptop.location, laptop.cost_pence) == ("Dell", "S12", 64900)
    assert laptop.version == version + 1
    changes = [m for m in moves("LAP-0042") if m[1] == "import"]
    assert sorted(changes, key=str) == sorted(
        [
            ("akhan", "import", "make", "", "Dell"),
            ("akhan", "import", "cost_pence", None, "64900"),
            ("akhan", "import", "location", "LIB", "S12"),
        ],
        key=str,
    )
    assert [m for m in moves("LAP-0043") if m[1] == "import"] == []
    assert assets.asset("PSU-0001").part_of == "LAP-0043"
    assert ("akhan", "import", "part_of", None, "LAP-0043") in moves("PSU-0001")
    # the same file again changes nothing and journals nothing
    before = counts()
    again = inventory.import_assets(path, by="akhan")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert counts() == before


def test_moving_a_part_by_import_is_an_update_with_its_before(school, tmp_path):
    assets.add_asset("LAP-0043", kind="laptop", by="jsmith")
    assets.add_asset("PSU-0001", kind="psu", part_of="LAP-0042", by="jsmith")
    path = write_csv(
        tmp_path / "p.csv", [["tag", "kind", "part of"], ["PSU-0001", "psu", "LAP-0043"]]
    )
    dry = inventory.import_assets(path, by="akhan", dry_run=True)
    assert (dry.updated, dry.unchanged) == (1, 0)
    assert assets.asset("PSU-0001").part_of == "LAP-0042"
    report = inventory.import_assets(path, by="akhan")
    assert (report.updated, report.unchanged) == (1, 0)
    assert assets.asset("PSU-0001").part_of == "LAP-0043"
    assert ("akhan", "import", "part_of", "LAP-0042", "LAP-0043") in moves("PSU-0001")


def test_too_many_rows_are_refused(school, tmp_path, monkeypatch):
    monkeypatch.setattr(inventory, "MOST_ROWS", 3)
    rows = [["tag", "kind"]] + [[f"LAP-{n}", "laptop"] for n in range(4)]
    with pytest.raises(BadInput, match="has more than 3 rows"):
        inventory.import_assets(write_csv(tmp_path / "many.csv", rows), by="jsmith")
    assert assets.list_assets("LAP-0") == [assets.asset("LAP-0042")]


# -- what Excel and the MIS write


ROWS = [
    ["Asset tag", "Type", "Make", "Notes"],
    ["LAP-0200", "laptop", "Café Računala", "Bought for £649 – “urgent”"],
]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8-sig", b""),  # Excel's "CSV UTF-8": a BOM before the header
        ("utf-16", b""),  # Excel's "Unicode text": BOM then UTF-16 LE
        ("utf-16-be", "\ufeff".encode("utf-16-be")),
    ],
)
def test_unicode_files_are_read_in_whichever_encoding_excel_wrote(
    school, tmp_path, encoding, prefix
):
    path = tmp_path / "u.csv"
    write_csv(path, ROWS, encoding)
    path.write_bytes(prefix + path.read_bytes())
    report = inventory.import_assets(path, by="jsmith")
    assert (report.added, report.problems) == (1, [])
    device = assets.asset("LAP-0200")
    assert (device.make, device.notes) == ("Café Računala", "Bought for £649 – “urgent”")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_windows_and_latin_1_files_are_read(school, tmp_path, encoding):
    rows = [
        ["Asset tag", "Type", "Make", "Notes"],
        ["LAP-0201", "laptop", "Citroën", "£5, déjà vu"],
    ]
    if encoding == "cp1252":
        rows[1][3] += " – “ok”"  # the characters cp1252 has and latin-1 has not
    path = write_csv(tmp_path / "w.csv", rows, encoding)
    assert b"\xa3" in path.read_bytes()  # one byte pound sign: not UTF-8
    inventory.import_assets(path, by="jsmith")
    device = assets.asset("LAP-0201")
    assert (device.make, device.notes) == ("Citroën", rows[1][3])


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "tag,kind".encode("utf-16-le"), b"\xff\xfe\x00"],
)
def test_files_that_are_not_text_are_refused(school, tmp_path, data):
    (tmp_path / "x.csv").write_bytes(data)
    with pytest.raises(BadInput, match=r"x\.csv is not a text file"):
        inventory.import_assets(tmp_path / "x.csv", by="jsmith")


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(school, tmp_path):
    most = config.current().imports_max_mb * spreadsheets.MEGABYTE
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.write(b"tag,kind\n")
        f.truncate(most + 1)  # sparse: no 20 MB written
    with pytest.raises(BadInput, match=r"huge.csv is 20.1 MB; the most an import reads is 20 MB"):
        inventory.import_assets(path, by="jsmith")
    with open(path, "r+b") as f:
        f.truncate(most)  # exactly the cap is still read
    with pytest.raises(BadInput, match="not a text file"):  # its NUL bytes, not its size
        inventory.import_assets(path, by="jsmith")


# -- export


def test_export_then_import_gives_the_same_register(school, tmp_path):
    assets.add_asset(
        "LAP-0300",
        kind="laptop",
        make="Dell",
        model="Latitude 3440",
        serial="7HX2Q",
        description='Staff laptop,\n"the good one"',
        location="S12",
        assigned_to="Ms O'Neill",
        purchased_on="2024-09-01",
        cost="1,299.99",
        supplier="Dell UK",
        warranty_end="2027-08-31",
        notes="'quoted' on purpose\n=1+1 on a second line",
        by="jsmith",
    )
    assets.add_asset("PSU-0300", kind="power supply", part_of="LAP-0300", by="jsmith")
    assets.add_asset("LAP-0301", kind="laptop", status="spare", cost="0.05", by="jsmith")
    assets.add_asset("AP-0001", kind="access point", make="-Ubiquiti", model="'=odd", by="jsmith")
    assets.add_asset("PAN-0001", kind="panel", serial="@risky", by="jsmith")
    assets.retire_asset("PAN-0001", "Broken glass", by="jsmith")
    first = register()
    out = tmp_path / "register.csv"
    assert inventory.export_assets(out) == len(first) == 6
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel knows it is UTF-8
    with open(out, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    assert tuple(header) == inventory.COLUMNS

    # with a swap out: one device in repair, one on loan, and the file back in changes nothing
    call = servicedesk.log_call(summary="Dead", requester="Sam Patel", by="jsmith")
    loans.swap(call.number, handed_in="LAP-0300", spare="LAP-0301", by="jsmith")
    lent = register()
    inventory.export_assets(tmp_path / "lent.csv")
    before = counts()
    same = inventory.import_assets(tmp_path / "lent.csv", by="jsmith")
    assert (same.problems, same.added, same.updated, same.unchanged) == ([], 0, 0, 6)
    assert counts() == before and register() == lent

    # and the first file into a new school's database with the same rooms
    from store.db import database
    from store.school import locations, people

    (tmp_path / "other").mkdir()
    other = database.connect(new_db_url(tmp_path / "other"))
    try:
        people.add_technician("jsmith", "Jo Smith", roles=["manager"], by="jsmith")
        for code, name in (("LIB", "Library"), ("S12", "Science lab 12"), ("IT1", "Room 1")):
            locations.add_location(code, name, by="jsmith")
        fresh = inventory.import_assets(out, by="jsmith")
        assert (fresh.problems, fresh.added) == ([], 6)
        assert register() == first
    finally:
        other.close()


def test_an_import_cannot_take_a_device_off_loan(school, tmp_path):
    assets.add_asset("LAP-0099", kind="laptop", status="spare", by="jsmith")
    loans.lend("LAP-0099", "Supply teacher", by="jsmith")
    path = write_csv(
        tmp_path / "s.csv", [["tag", "kind", "status"], ["LAP-0099", "laptop", "spare"]]
    )
    report = inventory.import_assets(path, by="jsmith")
    assert report.problems == ["Line 2: LAP-0099 is out on loan: return it at the desk first."]
    assert assets.asset("LAP-0099").status == "on_loan"
    # a blank status leaves it as it is, and gives a new device the usual 'in use'
    path = write_csv(
        tmp_path / "b.csv",
        [["tag", "kind", "status"], ["LAP-0099", "laptop", ""], ["LAP-0400", "laptop", " "]],
    )
    report = inventory.import_assets(path, by="jsmith")
    assert (report.problems, report.added, report.unchanged) == ([], 1, 1)
    assert (assets.asset("LAP-0099").status, assets.asset("LAP-0400").status) == (
        "on_loan",
        "in_use",
    )


def test_export_can_be_filtered_like_the_list(school, tmp_path):
    assets.add_asset("CB-0001", kind="chromebook", location="S12", by="jsmith")
    assert inventory.export_assets(tmp_path / "s12.csv", location="S12") == 1
    rows = list(csv.reader(io.StringIO((tmp_path / "s12.csv").read_text("utf-8-sig"))))
    assert [row[0] for row in rows] == ["tag", "CB-0001"]


FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-1+1", "@x", '=HYPERLINK("http://e.vil")']


def test_export_neutralises_formulas_and_import_takes_them_back(school, tmp_path):
    for n, text in enumerate(FORMULAS):
        assets.add_asset(f"X-{n}", make=text, serial="-12", cost="649", by="jsmith")
    out = tmp_path / "register.csv"
    inventory.export_assets(out)
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    makes = [row[2] for row in rows[1:] if row[0].startswith("X-")]
    assert makes == ["'" + text for text in FORMULAS]
    # '-12' is a plain number to a spreadsheet, but the register has no negative numbers:
    # every cell starting with '-' is quoted alike, and the import takes the quote off again
    assert {row[4] for row in rows[1:] if row[0].startswith("X-")} == {"'-12"}
    assert {row[10] for row in rows[1:] if row[0].startswith("X-")} == {"649.00"}
    before = register()
    report = inventory.import_assets(out, by="jsmith")
    assert (report.updated, report.unchanged) == (0, len(before))
    assert [assets.asset(f"X-{n}").make for n in range(len(FORMULAS))] == FORMULAS


@given(
    st.one_of(
        st.text(max_size=20),
        st.tuples(
            st.sampled_from(["'", "''", "'=", "=", "-", "'-", "@", "'a"]), st.text(max_size=5)
        ).map("".join),
    )
)
def test_safe_cell_then_unquoted_is_the_cell_and_never_a_formula(text):
    safe = spreadsheets.safe_cell(text)
    assert not safe.startswith(spreadsheets.FORMULA_START)
    assert spreadsheets.unquoted(safe) == text


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["LAP-1", "lap 1", "laptop", "S12", "LIB", "2024-09-01", "31/02/2024"]),
    st.sampled_from(["649", "-1", "=1+1", "on loan", "spare", "ß" * 30, "x" * 200, "LAP-0042"]),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(CELL, min_size=0, max_size=9), min_size=1, max_size=6))
def test_any_cells_give_a_report_or_a_sentence_never_a_crash(school, tmp_path, rows):
    header = ["tag", "kind", "room", "purchased", "cost", "status", "part of", "notes", "make"]
    path = write_csv(tmp_path / "fuzz.csv", [header, *rows])
    before = counts()
    try:
        report = inventory.import_assets(path, by="jsmith", dry_run=True)
    except BadInput as refusal:
        assert str(refusal).endswith(".")
    else:
        assert report.written is False
        assert all(p.startswith("Line ") for p in report.problems)
        if not report.problems:
            assert report.added + report.updated + report.unchanged >= 1
    assert counts() == before


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_any_bytes_give_a_report_or_a_sentence_never_a_crash(school, tmp_path, data):
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"tag,kind,room\n" + data)
    try:
        report = inventory.import_assets(path, by="jsmith", dry_run=True)
    except BadInput as refusal:
        assert str(refusal).endswith(".")
    else:
        assert report.written is False


# -- what a school's second import must not undo


def test_a_file_without_a_room_column_leaves_every_room_alone(school, tmp_path):
    path = write_csv(tmp_path / "kinds.csv", [["tag", "kind"], ["LAP-0042", "laptop"]])
    report = inventory.import_assets(path, by="jsmith")
    assert (report.updated, report.unchanged) == (0, 1)
    assert assets.asset("LAP-0042").location == "LIB"


def test_blank_cells_leave_what_the_desk_recorded_and_the_dry_run_says_each_change(
    school, tmp_path
):
    assets.update_asset("LAP-0042", assigned_to="Ms Smith", notes="keep me", by="akhan")
    path = write_csv(
        tmp_path / "again.csv",
        [
            ["Tag", "Type", "Room", "Issued to", "Comments", "Model"],
            ["LAP-0042", "laptop", "", "", "", "Latitude 3440"],
        ],
    )
    before = counts()
    report = inventory.import_assets(path, by="jsmith", dry_run=True)
    assert report.changes == ["LAP-0042: model '' → 'Latitude 3440'."]
    assert counts() == before
    report = inventory.import_assets(path, by="jsmith")
    device = assets.asset("LAP-0042")
    assert (device.assigned_to, device.notes, device.location) == ("Ms Smith", "keep me", "LIB")
    assert device.model == "Latitude 3440"
    moved = write_csv(tmp_path / "moved.csv", [["Tag", "Type", "Room"], ["LAP-0042", "", "S12"]])
    assert inventory.import_assets(moved, by="jsmith").changes == ["LAP-0042: room LIB → S12."]


def test_an_unknown_column_or_a_column_named_twice_is_refused(school, tmp_path):
    path = write_csv(
        tmp_path / "typo.csv", [["Tag", "Type", "Serail Number"], ["LAP-0100", "laptop", "X1"]]
    )
    before = counts()
    with pytest.raises(BadInput, match="'Serail Number' is not a column we know; the first"):
        inventory.import_assets(path, by="jsmith", dry_run=True)
    twice = write_csv(
        tmp_path / "twice.csv", [["Tag", "Type", "Asset tag"], ["A-1", "laptop", "B-1"]]
    )
    with pytest.raises(BadInput, match="two columns for the tag, 'Tag' and 'Asset tag'"):
        inventory.import_assets(twice, by="jsmith")
    assert counts() == before


def test_excel_unicode_text_and_semicolon_files_are_read(school, tmp_path):
    tabbed = tmp_path / "unicode.txt"
    tabbed.write_bytes("Tag\tType\tRoom\r\nCB-0001\tChromebook\tLIB\r\n".encode("utf-16"))
    semicolons = tmp_path / "europe.csv"
    semicolons.write_bytes("Tag;Type;Cost\r\nCB-0002;Chromebook;£219.00\r\n".encode("cp1252"))
    for path in (tabbed, semicolons):
        assert inventory.import_assets(path, by="jsmith").added == 1
    assert assets.asset("CB-0001").location == "LIB"
    assert assets.asset("CB-0002").cost_pence == 21900


def test_a_quote_left_open_is_refused_not_swallowed(school, tmp_path):
    path = tmp_path / "open.csv"
    path.write_text('tag,kind,notes\nM-1,laptop,"unterminated\nM-2,laptop,x\n')
    with pytest.raises(BadInput, match="quote left open"):
        inventory.import_assets(path, by="jsmith")
    assert Asset.select().where(Asset.tag.startswith("M-")).count() == 0


def test_an_import_cannot_take_a_device_out_of_repair_while_its_spare_is_out(school, tmp_path):
    call = servicedesk.log_call(summary="Broken", requester="Sam", asset="LAP-0042", by="jsmith")
    assets.add_asset("LAP-0099", kind="laptop", status="spare", by="jsmith")
    loans.swap(call.number, handed_in="LAP-0042", spare="LAP-0099", by="jsmith")
    path = write_csv(tmp_path / "back.csv", [["tag", "kind", "status"], ["LAP-0042", "", "in use"]])
    report = inventory.import_assets(path, by="jsmith")
    assert report.problems == [
        "Line 2: LAP-0042 is in for repair with a spare lent for it: "
        "return the spare at the desk first."
    ]
    assert assets.asset("LAP-0042").status == "in_repair"
