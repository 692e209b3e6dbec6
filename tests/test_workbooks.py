"""Spreadsheets as schools hand them over: an asset audit's .xlsx and a site plan's .ods,
imported through python-calamine with the CSV path's header rules, limits and problems;
and workbooks that cannot be read, each refused in one sentence with nothing written."""

from pathlib import Path

import pytest

from store.configuration import assets, inventory
from store.db.errors import BadInput
from store.db.models import Asset, Location
from store.db.spreadsheets import cell_text
from store.school import locations

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def test_a_site_plans_ods_sheet_named_on_the_command_line(school, run):
    status, out, err = run("location", "import", str(EXAMPLES / "rooms.ods"), "--sheet", "rooms")
    assert status == 0, err
    assert "Traceback" not in out + err
    rooms = {place.code: place for place in locations.list_locations()}
    assert rooms["S2"].name == "Science lab 2"  # a formula: the value it worked out
    assert rooms["SF1"].site == "Sixth form centre"
    assert rooms["LIB"].name == "Library"


def test_the_first_sheet_is_read_unless_one_is_named(school, run):
    before = Location.select().count()
    status, _, err = run("location", "import", str(EXAMPLES / "rooms.ods"))
    assert status != 0 and "is not a column we know" in err and "'Rooms for FITS" in err
    status, _, err = run("location", "import", str(EXAMPLES / "rooms.ods"), "--sheet", "Plans")
    assert status != 0
    assert "has no sheet 'Plans'; its sheets are 'Read me', 'Rooms'." in err
    assert Location.select().count() == before


def test_an_asset_audits_xlsx_brings_dates_and_money_as_values(school):
    report = inventory.import_assets(EXAMPLES / "devices.xlsx", by="jsmith")
    assert not report.problems, report.problems
    laptop = assets.asset("LAP-0043")
    assert str(laptop.purchased_on) == "2024-09-01"  # a date cell shown as 01/09/2024
    assert str(laptop.warranty_end) == "2027-08-31"  # ...and as 31 Aug 2027
    assert laptop.cost_pence == 64950  # 649.5 shown as £649.50
    printer = assets.asset("PRN-0007")
    assert printer.serial == "4011"  # a number typed as a serial: no ".0"
    assert printer.cost_pence == 28999 and printer.location == "IT1"
    again = inventory.import_assets(EXAMPLES / "devices.xlsx", by="jsmith", dry_run=True)
    assert len(again.same) == 3


@pytest.mark.parametrize(
    ("content", "suffix", "sentence"),
    [
        (b"Room,Description\nS1,Lab\n", ".xlsx", "is not a spreadsheet we can read"),
        (b"PK\x03\x04" + b"\x00" * 200, ".ods", "is not a spreadsheet we can read"),
        (b"", ".xls", "is not a spreadsheet we can read"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, ".xls", "is not a spreadsheet"),
    ],
)
def test_a_workbook_that_cannot_be_read_is_one_sentence_and_writes_nothing(
    school, tmp_path, content, suffix, sentence
):
    path = tmp_path / f"rooms{suffix}"
    path.write_bytes(content)
    before = Location.select().count()
    with pytest.raises(BadInput, match=sentence) as refused:
        locations.import_locations(path, by="jsmith")
    assert "\n" not in str(refused.value)
    assert Location.select().count() == before


def test_a_csv_has_no_sheets(school, tmp_path):
    with pytest.raises(BadInput, match="is a CSV file, which has no sheets"):
        locations.import_locations(EXAMPLES / "rooms.csv", by="jsmith", sheet="Rooms")


def test_too_many_rows_in_a_sheet_stop_the_import(school, monkeypatch):
    monkeypatch.setattr(inventory, "MOST_ROWS", 2)
    with pytest.raises(BadInput, match="has more than 2 rows"):
        inventory.import_assets(EXAMPLES / "devices.xlsx", by="jsmith")
    assert Asset.select().where(Asset.tag == "PRN-0007").count() == 0


@pytest.mark.no_db
def test_cells_come_through_as_values_not_as_the_sheet_formats_them():
    import datetime as dt

    assert cell_text(dt.date(2026, 9, 1)) == "2026-09-01"
    assert cell_text(dt.datetime(2026, 9, 1)) == "2026-09-01"
    assert cell_text(dt.datetime(2026, 9, 1, 16, 30)) == "2026-09-01 16:30:00"
    assert cell_text(dt.time(16, 0)) == "16:00:00"
    assert cell_text(649.0) == "649" and cell_text(289.99) == "289.99"
    assert cell_text(float("nan")) == "nan" and cell_text(True) == "yes"
    assert cell_text(None) == cell_text("") == ""


DATA = Path(__file__).resolve().parent / "data"


def test_a_workbook_with_a_password_is_one_sentence(school):
    with pytest.raises(BadInput, match="is protected by a password: save it without one"):
        inventory.import_assets(DATA / "devices-password.xlsx", by="jsmith")
    assert Asset.select().where(Asset.tag == "PRN-0007").count() == 0


def test_a_header_merged_across_two_columns_stops_at_the_row_it_leaves_unnamed(school):
    before = Location.select().count()
    report = locations.import_locations(DATA / "rooms-merged-header.xlsx", by="jsmith")
    (problem,) = report.problems
    assert problem.startswith("Line 2: there is text in column 2, which the first row")
    assert Location.select().count() == before
