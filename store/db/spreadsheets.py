"""Reading and writing the CSV files schools' spreadsheets and MIS export and import,
and reading their workbooks (.xlsx, .xls, .ods) through python-calamine.

    with open_table(Path("rooms.csv"), locations.COLUMNS, most_rows=20_000) as table:
        for row in table.rows():    # one at a time, after the first row was checked
            row.line, row.values["code"], row.problem
    write_rows(Path("out.csv"), header, rows)    # formulas neutralised for Excel

A file is read only when it is a plain file no bigger than `[imports] max_mb` in the
config, and then as a stream: no line longer than MOST_LINE, no more rows than the
import allows. Its first row must name its columns, each one the import knows; a
column it does not know, one named twice or a missing required one stops the import
with one sentence listing the columns it expects. UTF-8 (with or without BOM),
UTF-16 (Excel's "Unicode text") and cp1252 are read; the separator is the one the
first row uses most of: a comma, a semicolon (Excel in much of Europe) or a tab.

A cell that a spreadsheet would run as a formula (=, +, -, @ first) is written with
a leading quote, and that quote is taken off again when our own export is read back.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import math
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from store.db import config
from store.db.errors import BadInput, NotFound
from store.db.sanitise import shown

MEGABYTE = 1024 * 1024
MOST_LINE = 65_536
"""Characters in one line, its end included: far more than any row a school writes."""
CHUNK = 64 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters no spreadsheet cell means (tab and line ends are kept)."""
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def word(name: str) -> str:
    """A column name as it is compared: letters and digits only, in one case, so
    'Room Code', 'RoomCode', 'room_code' and 'ROOM-CODE' are the same name."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())


@dataclass(frozen=True)
class Columns:
    """The columns one kind of file may have, and the names its first row may give them."""

    names: dict[str, tuple[str, ...]]
    """Each column's key, in order, and the names a spreadsheet gives it."""
    required: tuple[str, ...] = ()
    examples: int = 0
    """How many of each column's other names a message lists."""
    more: str = ""
    """Where the rest of the names are written down, for messages."""
    lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for key, names in self.names.items():
            for name in (key, *names):
                if lookup.setdefault(word(name), key) != key:
                    raise ValueError(f"'{name}' names both {lookup[word(name)]} and {key}")
        object.__setattr__(self, "lookup", lookup)

    def refusal(self, opening: str) -> str:
        """One sentence: what is wrong with a first row, then the columns it may name
        ('code (or Room, Room Code...), name...')."""
        parts = []
        for key, names in self.names.items():
            label = key.replace("_", " ")
            others = [name for name in names if word(name) != word(key)][: self.examples]
            parts.append(f"{label} (or {', '.join(others)}...)" if others else label)
        listing = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        needed = " and ".join(key.replace("_", " ") for key in self.required)
        more = f" ({self.more})" if self.more else ""
        at_least = f", with at least {needed}" if needed else ""
        return (
            f"{opening}; the first row must name the columns, from {listing}{more}{at_least}; "
            "nothing was imported."
        )


@dataclass(frozen=True)
class Row:
    """One row of a file, by the keys of the columns its first row named."""

    line: int
    """The line it starts on, counting the first row as line 1."""
    values: dict[str, str]
    problem: str | None = None
    """Why the row cannot be taken as it is, in words that follow "Line 7: "."""


class Table:
    """An open CSV file whose first row has been read and understood."""

    def __init__(self, name: str, text: io.TextIOBase, columns: Columns, most_rows: int):
        self.name = name
        self._text = text
        self._columns = columns
        self._most_rows = most_rows
        self._line = 0
        lines = self._lines()
        first = self._guarded(lambda: next(lines, ""))
        if not first.replace("\ufeff", "").strip():
            data = self._guarded(lambda: next((line for line in lines if line.strip()), None))
            if data is None:
                raise BadInput(f"{name} is empty: nothing was imported.")
            raise BadInput(columns.refusal(f"{name}'s first row names no columns"))
        separator = max((",", ";", "\t"), key=first.count)
        self._reader = csv.reader(itertools.chain([first], lines), delimiter=separator, strict=True)
        header = self._guarded(lambda: next(self._reader))
        self.positions = self._understood(header)
        """Each column the file has, by key: its position."""
        self.header = header

    def _lines(self) -> Iterator[str]:
        """The file's lines, each one checked for length and NUL before the csv module
        sees it, so a file with no line ends is refused once, not held in memory."""
        while True:
            line = self._text.readline(MOST_LINE + 1)
            if not line:
                return
            self._line += 1
            if len(line) > MOST_LINE:
                raise BadInput(
                    f"Line {self._line} of {self.name} is longer than {MOST_LINE:,} "
                    "characters, so it is not a CSV file we can read: nothing was imported."
                )
            if "\x00" in line:
                raise BadInput(f"{self.name} is not a text file: nothing was imported.")
            yield line

    def _guarded(self, step):
        """Run a step that reads the file, with what can go wrong as one sentence."""
        try:
            return step()
        except csv.Error as exc:
            raise BadInput(
                f"{self.name} is not a CSV file we can read: line {self._line}: {exc} "
                "(is a quote left open?)."
            ) from None
        except UnicodeDecodeError:
            raise BadInput(f"{self.name} is not a text file: nothing was imported.") from None
        except _TooBig:
            raise BadInput(_too_big(self.name, None)) from None
        except OSError as exc:
            raise BadInput(f"{self.name} cannot be read ({exc.strerror}).") from None

    def _understood(self, header: list[str]) -> dict[str, int]:
        columns, name = self._columns, self.name
        if not any(cell.strip() for cell in header):
            raise BadInput(columns.refusal(f"{name}'s first row names no columns"))
        positions: dict[str, int] = {}
        unknown: list[str] = []
        for position, cell in enumerate(header):
            if CONTROL.search(cell):
                raise BadInput(
                    columns.refusal(
                        f"{name}'s first row has a control character in the column "
                        f"'{shown(cell.strip())}'"
                    )
                )
            if not cell.strip():
                continue  # a column with no name may stay empty (see rows)
            key = columns.lookup.get(word(unquoted(cell)))
            if key is None:
                unknown.append(f"'{shown(cell.strip())}'")
            elif key in positions:
                raise BadInput(
                    f"{name} has two columns for the {key.replace('_', ' ')}, "
                    f"'{shown(header[positions[key]].strip())}' and '{shown(cell.strip())}': "
                    "keep one; nothing was imported."
                )
            else:
                positions[key] = position
        if unknown:
            listed = _and(unknown[:3] + ([f"{len(unknown) - 3} more"] if len(unknown) > 3 else []))
            verb = "is not a column" if len(unknown) == 1 else "are not columns"
            raise BadInput(columns.refusal(f"In {name}, {listed} {verb} we know"))
        missing = [key for key in columns.required if key not in positions]
        if missing:
            raise BadInput(columns.refusal(f"{name} has no {missing[0].replace('_', ' ')} column"))
        return positions

    def rows(self) -> Iterator[Row]:
        """The rows after the first, blank ones left out; a row with text in a column
        the first row does not name, or a control character, carries its problem."""
        named = {position: key for key, position in self.positions.items()}
        count = 0
        while True:
            start = self._line + 1
            cells = self._guarded(lambda: next(self._reader, None))
            if cells is None:
                return
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            self._within_limit(count)
            yield self._row(start, cells, named)

    def _within_limit(self, count: int) -> None:
        if count > self._most_rows:
            raise BadInput(
                f"{self.name} has more than {self._most_rows:,} rows, the most one import "
                "takes: split it, and nothing was imported."
            )

    def _row(self, line: int, cells: list[str], named: dict[int, str]) -> Row:
        values = {key: "" for key in self.positions}
        problem = None
        for position, cell in enumerate(cells):
            key = named.get(position)
            if key is None:
                if cell.strip() and problem is None:
                    problem = (
                        f"there is text in column {position + 1}, which the first row does not name"
                    )
                continue
            if CONTROL.search(cell) and problem is None:
                column = shown(self.header[position].strip())
                problem = f"the {column} column has a control character in it"
            values[key] = unquoted(cell)
        return Row(line, values, problem)


class _TooBig(Exception):
    """The file grew past the size it was allowed while it was read."""


class _Capped(io.RawIOBase):
    """A file that may give no more than `most` bytes."""

    def __init__(self, raw: io.RawIOBase, most: int) -> None:
        self._raw = raw
        self._most = most
        self._seen = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        self._seen += count or 0
        if self._seen > self._most:
            raise _TooBig
        return count


def _too_big(name: str, size: int | None) -> str:
    most = config.current().imports_max_mb
    if size is None:
        return (
            f"{name} is over {most} MB, the most an import reads ([imports] max_mb in the config)."
        )
    megabytes = math.ceil(size / MEGABYTE * 10) / 10  # never rounded down to the most
    return (
        f"{name} is {megabytes:.1f} MB; the most an import reads is {most} MB "
        "([imports] max_mb in the config)."
    )


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def open_plain(path: Path, name: str, what: str) -> io.FileIO:
    """`path` open for reading, if it is a plain file: a folder, a device (/dev/zero
    never ends), a pipe or a socket is BadInput naming `what` was wanted, a missing
    file NotFound. It is opened without waiting (a FIFO with no writer would hang) and
    then looked at, so what is checked is what is read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        raise NotFound(f"There is no file {name}.") from None
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or "not a name a file can have"
        raise BadInput(f"{name} cannot be read ({why}).") from None
    try:
        found = os.fstat(handle)
        if stat.S_ISDIR(found.st_mode):
            raise BadInput(f"{name} is a folder, not {what}.")
        if not stat.S_ISREG(found.st_mode):
            raise BadInput(
                f"{name} is not a plain file (a device, a pipe or a socket), so it cannot "
                f"be imported: save {what} and import that."
            )
        os.set_blocking(handle, True)
        return io.FileIO(handle, "rb", closefd=True)
    except BaseException:
        os.close(handle)
        raise


def _encoding(raw: io.RawIOBase, name: str) -> str:
    """Which encoding the file is in, from a first read through it in chunks: UTF-16
    if it starts with its byte-order mark, else UTF-8 if every byte is, else cp1252.
    A NUL byte outside UTF-16 is no text file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, first = True, True
    try:
        while chunk := raw.read(CHUNK):
            if first and chunk.startswith(UTF16_BOMS):  # Excel's "Unicode text"
                return "utf-16"
            first = False
            if b"\x00" in chunk:
                raise BadInput(f"{name} is not a text file: nothing was imported.")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False  # Excel and most MIS exports use one of the two
        if utf8:
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        utf8 = False
    except _TooBig:
        raise BadInput(_too_big(name, None)) from None
    except OSError as exc:
        raise BadInput(f"{name} cannot be read ({exc.strerror}).") from None
    return "utf-8-sig" if utf8 else "cp1252"


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an OLE compound file: an old .xls, or an encrypted .xlsx."""
SPREADSHEETS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
"""Workbooks read through python-calamine rather than as CSV text."""


def cell_text(value: object) -> str:
    """A spreadsheet cell's value as the CSV path would have it: a date as 2026-09-01, a
    time of day as 16:00, a whole number without ".0", never the sheet's own formatting."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


class Sheet(Table):
    """One sheet of a workbook (.xlsx, .xls, .ods), read through python-calamine and then
    understood as a CSV file's rows are: the same header rules, limits and problems.
    Formulas come as the values the spreadsheet last worked out."""

    def __init__(self, name: str, sheet, columns: Columns, most_rows: int):
        self.name = name
        self._columns = columns
        self._most_rows = most_rows
        self._line = 0
        self._cells = sheet.iter_rows()
        header = None
        for cells in self._cells:
            self._line += 1
            if any(cell_text(cell).strip() for cell in cells):
                header = [cell_text(cell) for cell in cells]
                break
        if header is None:
            raise BadInput(f"{name} is empty: nothing was imported.")
        self.header = header
        self.positions = self._understood(header)

    def rows(self) -> Iterator[Row]:
        named = {position: key for key, position in self.positions.items()}
        count = 0
        for cells in self._cells:
            self._line += 1
            texts = [cell_text(cell) for cell in cells]
            if not any(text.strip() for text in texts):
                continue
            count += 1
            self._within_limit(count)
            if any(len(text) > MOST_LINE for text in texts):
                raise BadInput(
                    f"Row {self._line} of {self.name} has a cell longer than {MOST_LINE:,} "
                    "characters: nothing was imported."
                )
            yield self._row(self._line, texts, named)


def _workbook(raw: io.FileIO, name: str, sheet: str | None):
    """The chosen sheet (the first, or the one named) of the workbook open in `raw`, or
    BadInput in one sentence: encrypted, corrupt, or no sheet of that name."""
    import python_calamine

    magic = raw.read(8)
    raw.seek(0)
    if magic == OLE and not name.lower().endswith(".xls"):
        # Excel keeps a password-protected .xlsx inside an OLE container, which calamine,
        # reading from an open file, cannot tell from any other.
        raise BadInput(
            f"{name} is protected by a password: save it without one, and nothing was imported."
        )
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(raw)
    except python_calamine.PasswordError:
        raise BadInput(
            f"{name} is protected by a password: save it without one, and nothing was imported."
        ) from None
    except Exception:  # ZipError, XmlError, CalamineError: all "not a workbook" to a school
        raise BadInput(
            f"{name} is not a spreadsheet we can read (.xlsx, .xls or .ods): it may be damaged "
            "or another kind of file; nothing was imported."
        ) from None
    names = book.sheet_names
    if not names:
        raise BadInput(f"{name} has no sheets: nothing was imported.")
    if sheet is None:
        chosen = names[0]
    else:
        matches = [n for n in names if n.casefold() == sheet.strip().casefold()]
        if not matches:
            listed = ", ".join(f"'{shown(n, 40)}'" for n in names[:6])
            raise BadInput(
                f"{name} has no sheet '{shown(sheet, 40)}'; its sheets are {listed}. "
                "Nothing was imported."
            )
        chosen = matches[0]
    try:
        return book.get_sheet_by_name(chosen)
    except Exception:
        raise BadInput(f"The sheet '{shown(chosen, 40)}' in {name} cannot be read.") from None


@contextlib.contextmanager
def open_table(
    path: Path, columns: Columns, *, most_rows: int, sheet: str | None = None
) -> Iterator[Table]:
    """A CSV file, or a sheet of a workbook (by its name's ending: SPREADSHEETS; the first
    sheet unless `sheet` names one), of `columns`, its first row read and checked;
    BadInput (or NotFound) in one sentence if it cannot be read, or names a column
    `columns` does not know."""
    name = shown(os.fspath(path), 200)
    workbook = path.suffix.lower() in SPREADSHEETS
    if sheet is not None and not workbook:
        raise BadInput(f"{name} is a CSV file, which has no sheets: leave out --sheet.")
    with open_plain(path, name, "a spreadsheet" if workbook else "a CSV file") as raw:
        most = config.current().imports_max_mb * MEGABYTE
        size = os.fstat(raw.fileno()).st_size
        if size > most:
            raise BadInput(_too_big(name, size))
        if workbook:
            yield Sheet(name, _workbook(raw, name, sheet), columns, most_rows)
            return
        encoding = _encoding(_Capped(raw, most), name)
        raw.seek(0)
        stream = io.BufferedReader(_Capped(raw, most), CHUNK)
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            yield Table(name, text, columns, most_rows)
        finally:
            text.detach()


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
