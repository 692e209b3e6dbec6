"""Reading and writing the CSV files schools' spreadsheets and MIS export and import.

    rows = read_rows(Path("rooms.csv"))          # UTF-8 (with or without BOM), UTF-16, cp1252
    write_rows(Path("out.csv"), header, rows)    # formulas neutralised for Excel

A file over MOST_BYTES is refused before it is read. A cell that a spreadsheet
would run as a formula (=, +, -, @ first) is written with a leading quote, and
that quote is taken off again when our own export is read back.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from pathlib import Path

from store.errors import BadInput, NotFound

MOST_BYTES = 20 * 1024 * 1024
"""20 MB: a hundred thousand devices with room to spare."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read_text(path: Path) -> str:
    """The file's text, in whichever encoding Excel or the MIS wrote it."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise BadInput(f"{path} is a folder, not a CSV file.")
        if size > MOST_BYTES:
            megabytes = math.ceil(size / 1024 / 1024 * 10) / 10  # never rounded down to the most
            raise BadInput(
                f"{path} is {megabytes:.1f} MB; the most is {MOST_BYTES // 1024 // 1024} MB."
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"There is no file {path}.") from None
    except OSError as exc:
        raise BadInput(f"{path} cannot be read ({exc.strerror}).") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise BadInput(f"{path} is not a text file.") from None
    if b"\x00" in raw:
        raise BadInput(f"{path} is not a text file.")
    for encoding in ("utf-8-sig", "cp1252"):  # Excel and most MIS exports use one of these
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadInput(f"{path} is not a text file.")


def read_rows(path: Path) -> list[list[str]]:
    """Every row of a CSV file, as lists of cells. The separator is the one the first line
    uses most of: a comma, a semicolon (Excel in much of Europe) or a tab (Excel's
    "Unicode text"). A quote left open is an error naming its line, not the rest of the
    file swallowed into one cell."""
    text = read_text(path)
    first = text.split("\n", 1)[0]
    separator = max((",", ";", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise BadInput(
            f"{path} is not a CSV file we can read: line {reader.line_num}: {exc} "
            "(is a quote left open?)."
        ) from None
    return [[unquoted(cell) for cell in row] for row in rows]


def unquoted(cell: str) -> str:
    """A cell as typed, without the quote our export puts before a would-be formula (or
    before a quote that would otherwise be taken for one)."""
    if cell.startswith("'") and cell[1:].startswith((*FORMULA_START, "'")):
        return cell[1:]
    return cell


def safe_cell(value: object) -> str:
    """A value as a spreadsheet should show it, never run it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) or unquoted(text) != text:  # so it reads back the same
        return "'" + text
    return text


def write_rows(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> int:
    """Write a CSV with every cell made safe; return how many rows."""
    count = 0
    try:
        with open(path, "w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow(list(header))
            for row in rows:
                writer.writerow([safe_cell(cell) for cell in row])
                count += 1
    except OSError as exc:
        raise BadInput(f"{path} cannot be written ({exc.strerror}).") from None
    return count
