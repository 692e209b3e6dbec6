"""Make docs/examples/devices.xlsx and docs/examples/rooms.ods, the workbooks the import
tests read, as an asset-audit tool and a site plan hand them over: typed dates and
currency cells, a second sheet, a formula with its worked-out value; and in tests/data
the awkward ones: devices.xlsx with a password (secret), a sheet whose header cell is
merged across two columns, and a finance system's spending ledger (one with a
fraction of a penny).

    pip install openpyxl odfpy msoffcrypto-tool && python tests/make_example_workbooks.py

Run by hand when the examples should change; the files are kept in the repository, so
the tests need neither package.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def devices_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Devices"
    sheet.append(["Asset Tag", "Type", "Manufacturer", "Model", "Serial Number", "Room",
                  "Purchase Date", "Cost", "Warranty Expiry", "Notes"])  # fmt: skip
    rows = [
        ("LAP-0042", "Laptop", "Dell", "Latitude 3440", "7HX2Q93", "S12",
         dt.date(2024, 9, 1), 649, dt.date(2027, 8, 31), None),
        ("LAP-0043", "Laptop", "Dell", "Latitude 3440", "7HX2Q94", "S12",
         dt.date(2024, 9, 1), 649.5, dt.date(2027, 8, 31), "Keyboard replaced"),
        ("PRN-0007", "Printer", "HP", "LaserJet M404", 4011, "IT1",
         dt.date(2023, 1, 16), 289.99, None, None),
    ]  # fmt: skip
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        cells[6].number_format = "dd/mm/yyyy"
        cells[7].number_format = '"£"#,##0.00'
        cells[8].number_format = "dd mmm yyyy"
    notes = book.create_sheet("Notes")
    notes.append(["Audit", "Autumn 2026, by the network manager"])
    book.save(path)


def rooms_ods(path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    def cell(value: str, formula: str | None = None) -> TableCell:
        made = TableCell(valuetype="string", stringvalue=value)
        if formula:
            made.setAttribute("formula", formula)
        made.addElement(P(text=value))
        return made

    book = OpenDocumentSpreadsheet()
    cover = Table(name="Read me")
    row = TableRow()
    row.addElement(cell("Rooms for FITS Desk: see the Rooms sheet"))
    cover.addElement(row)
    book.spreadsheet.addElement(cover)
    rooms = Table(name="Rooms")
    for values in (
        ("Room", "Description", "Building"),
        ("S1", "Science lab 1", "Main"),
        ("S2", "Science lab 2", "Main"),
        ("LIB", "Library", "Main"),
        ("SF1", "Sixth form study", "Sixth form centre"),
    ):
        row = TableRow()
        for n, value in enumerate(values):
            # the second science lab's name is worked out by a formula, as site plans do
            formula = 'of:=CONCATENATE("Science lab ";"2")' if value == "Science lab 2" else None
            row.addElement(cell(value, formula if n == 1 else None))
        rooms.addElement(row)
    book.spreadsheet.addElement(rooms)
    book.save(str(path))


def encrypted_xlsx(source: Path, path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(source, "rb") as plain, open(path, "wb") as out:
        OOXMLFile(plain).encrypt("secret", out)


def merged_header_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Room", None, "Building"])  # "Room" merged over the code and name columns
    sheet.merge_cells("A1:B1")
    sheet.append(["S1", "Science lab 1", "Main"])
    book.save(path)


def ledger_xlsx(path: Path, *, odd_penny: bool = False) -> None:
    """A finance system's export of spending (tests/test_finance.py), with a sheet named
    Ledger; with `odd_penny`, a third line of 1.005 that must be refused."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Ledger"
    sheet.append(["Posted", "Gross", "Budget heading", "Payee", "Device"])
    sheet.append([dt.datetime(2026, 10, 1), 40.5, "Repairs and parts", "Stone", "PRJ-1"])
    sheet.append([dt.date(2026, 10, 2), 12, "Toner", "Kyocera", None])
    if odd_penny:
        sheet.append([dt.date(2026, 10, 3), 1.005, "Toner", "Kyocera", None])
    book.save(path)


if __name__ == "__main__":
    data = Path(__file__).resolve().parent / "data"
    devices_xlsx(EXAMPLES / "devices.xlsx")
    rooms_ods(EXAMPLES / "rooms.ods")
    encrypted_xlsx(EXAMPLES / "devices.xlsx", data / "devices-password.xlsx")
    merged_header_xlsx(data / "rooms-merged-header.xlsx")
    ledger_xlsx(data / "ledger.xlsx")
    ledger_xlsx(data / "ledger-odd-penny.xlsx", odd_penny=True)
    print("wrote the example workbooks and", data)
