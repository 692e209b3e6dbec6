"""Printable sheets of asset labels: each has the tag's QR code, the tag, the school's name.

    from store.configuration import labels
    labels.write_sheet(Path("s12.pdf"), labels.choose(location="S12"), school="Hillside")
    labels.write_sheet(Path("s12.svg"), ["LAP-0042"], school="Hillside")   # or .png

The layout is the common A4 sheet of 3 x 7 labels, 63.5 x 38.1 mm (Avery
L7160 and its like). The PDF is written by store.db.pdf, with the standard
Helvetica fonts, so it needs nothing installed; PNG needs Pillow (the `png`
extra). A sheet of more than 21 labels has more pages: one PDF, or one SVG or
PNG file a page (name-2.svg, name-3.svg...).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from store.configuration.assets import clean_kind, clean_tag, list_assets
from store.db import pdf
from store.db.errors import BadInput
from store.db.sanitise import Field, clean

MM = pdf.MM


@dataclass(frozen=True)
class Layout:
    """Where the labels sit on an A4 page, in millimetres."""

    columns: int = 3
    rows: int = 7
    width: float = 63.5
    height: float = 38.1
    left: float = 7.2
    top: float = 15.15
    gap: float = 2.5
    page_width: float = 210.0
    page_height: float = 297.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def corner(self, n: int) -> tuple[float, float]:
        """The top-left corner of label n (0 first) on its page."""
        slot = n % self.per_page
        column, row = slot % self.columns, slot // self.columns
        return self.left + column * (self.width + self.gap), self.top + row * self.height


A4_3X7 = Layout()
QR_SIZE = 30.0
"""The QR code's side on a label, in mm, quiet zone included."""
MOST_LABELS = 10_000
SCHOOL = Field("the school's name", 200, required=False)


def label_matrix(tag: str) -> list[list[bool]]:
    """The QR code for a tag: upper case, so alphanumeric mode; 4-module quiet zone."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(tag, optimize=0)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def choose(
    tags: Iterable[str] = (), *, location: str | None = None, kind: str | None = None
) -> list[str]:
    """The tags to label: those given (normalised), else every device in use matching the
    location and kind (retired ones are left out)."""
    given = [clean_tag(tag) for tag in tags]
    if given:
        return list(dict.fromkeys(given))
    found = [
        a.tag
        for a in list_assets(location=location, kind=clean_kind(kind) if kind else None)
        if a.status != "retired"
    ]
    if not found:
        raise BadInput("No devices match, so there is nothing to label.")
    return found


def _runs(matrix: list[list[bool]]) -> Iterable[tuple[int, int, int]]:
    """(row, first column, length) of each run of dark modules: fewer shapes to draw."""
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                yield y, start, x - start
            else:
                x += 1


def _fit(text: str, size: float, room: float) -> float:
    """A font size at most `size` at which `text` fits `room` mm (Helvetica, roughly)."""
    width = len(text) * size * 0.6 / MM
    return size if width <= room else max(5.0, size * room / width)


SCHOOL_SIZE = 7.0
SMALLEST = 5.5
MOST_SCHOOL_LINES = 3


def school_lines(school: str, room: float) -> tuple[float, list[str]]:
    """The school's name as it fits beside the code, `room` mm wide: one line at up to
    7 pt, or wrapped onto at most three lines at 5.5 pt, the last cut with '…'."""
    size = _fit(school, SCHOOL_SIZE, room)
    if size >= SMALLEST:
        return size, [school]
    per_line = max(8, int(room / (SMALLEST * 0.6 / MM)))
    lines = textwrap.wrap(school, per_line, break_long_words=True)
    if len(lines) > MOST_SCHOOL_LINES:
        lines = lines[:MOST_SCHOOL_LINES]
        lines[-1] = lines[-1][: per_line - 1].rstrip() + "…"
    return SMALLEST, lines


def _pdf_page(tags: list[str], school: str, layout: Layout) -> bytes:
    ops = []
    for n, tag in enumerate(tags):
        x, y = layout.corner(n)
        matrix = label_matrix(tag)
        module = QR_SIZE / len(matrix)
        qx, qy = x + 2, y + (layout.height - QR_SIZE) / 2
        for row, col, length in _runs(matrix):
            left = (qx + col * module) * MM
            bottom = (layout.page_height - (qy + (row + 1) * module)) * MM
            ops.append(f"{left:.2f} {bottom:.2f} {length * module * MM:.2f} {module * MM:.2f} re")
        ops.append("f")
        text_x, room = (qx + QR_SIZE + 1) * MM, layout.width - QR_SIZE - 5
        size = _fit(tag, 16, room)
        ops.append(
            f"BT /F1 {size:.1f} Tf {text_x:.2f} "
            f"{(layout.page_height - y - layout.height / 2) * MM:.2f} Td "
            f"({pdf.text(tag)}) Tj ET"
        )
        small, lines = school_lines(school, room)
        for n_line, words in enumerate(lines):
            below = layout.height / 2 + 6 + n_line * small * 1.2 / MM
            ops.append(
                f"BT /F2 {small:.1f} Tf {text_x:.2f} "
                f"{(layout.page_height - y - below) * MM:.2f} Td "
                f"({pdf.text(words)}) Tj ET"
            )
    return "\n".join(ops).encode("cp1252")  # the fonts' WinAnsiEncoding: ’ – € as well


def write_pdf(path: Path, tags: list[str], school: str, layout: Layout = A4_3X7) -> int:
    """A PDF of every label; returns the number of pages."""
    pages = [tags[i : i + layout.per_page] for i in range(0, len(tags), layout.per_page)]
    data = pdf.document(
        [_pdf_page(page, school, layout) for page in pages],
        width=layout.page_width * MM,
        height=layout.page_height * MM,
    )
    _write(path, data)
    return len(pages)


def _svg_page(tags: list[str], school: str, layout: Layout) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.page_width}mm" '
        f'height="{layout.page_height}mm" viewBox="0 0 {layout.page_width} '
        f'{layout.page_height}"><rect width="100%" height="100%" fill="white"/>'
    ]
    for n, tag in enumerate(tags):
        x, y = layout.corner(n)
        matrix = label_matrix(tag)
        module = QR_SIZE / len(matrix)
        qx, qy = x + 2, y + (layout.height - QR_SIZE) / 2
        parts.append(f'<g fill="black" data-tag="{escape(tag)}">')
        parts.extend(
            f'<rect x="{qx + col * module:.3f}" y="{qy + row * module:.3f}" '
            f'width="{length * module:.3f}" height="{module:.3f}"/>'
            for row, col, length in _runs(matrix)
        )
        parts.append("</g>")
        text_x, room = qx + QR_SIZE + 1, layout.width - QR_SIZE - 5
        size = _fit(tag, 16, room) / MM
        parts.append(
            f'<text x="{text_x:.2f}" y="{y + layout.height / 2:.2f}" '
            f'font-family="Helvetica, Arial, sans-serif" font-weight="bold" '
            f'font-size="{size:.2f}">{escape(tag)}</text>'
        )
        small, lines = school_lines(school, room)
        for n_line, words in enumerate(lines):
            below = layout.height / 2 + 6 + n_line * small * 1.2 / MM
            parts.append(
                f'<text x="{text_x:.2f}" y="{y + below:.2f}" '
                f'font-family="Helvetica, Arial, sans-serif" '
                f'font-size="{small / MM:.2f}">{escape(words)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


PNG_DPI = 200
"""Dots per inch of PNG sheets, written into the file so it prints at actual size."""


def _png_page(tags: list[str], school: str, layout: Layout, dpi: int = PNG_DPI):
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise BadInput(
            "PNG labels need Pillow: pip install 'fitsdesk[png]' (or write a .pdf or .svg)."
        ) from None
    scale = dpi / 25.4
    image = Image.new("1", (round(layout.page_width * scale), round(layout.page_height * scale)), 1)
    draw = ImageDraw.Draw(image)
    for n, tag in enumerate(tags):
        x, y = layout.corner(n)
        matrix = label_matrix(tag)
        module = QR_SIZE / len(matrix)
        qx, qy = x + 2, y + (layout.height - QR_SIZE) / 2
        for row, col, length in _runs(matrix):
            draw.rectangle(
                [
                    round((qx + col * module) * scale),
                    round((qy + row * module) * scale),
                    round((qx + (col + length) * module) * scale) - 1,
                    round((qy + (row + 1) * module) * scale) - 1,
                ],
                fill=0,
            )
        text_x, room = qx + QR_SIZE + 1, layout.width - QR_SIZE - 5
        big = ImageFont.load_default(size=round(_fit(tag, 16, room) / MM * scale))
        size, lines = school_lines(school, room)
        small = ImageFont.load_default(size=round(size / MM * scale))
        draw.text((text_x * scale, (y + layout.height / 2 - 5) * scale), tag, font=big, fill=0)
        for n_line, words in enumerate(lines):
            top = y + layout.height / 2 + 3 + n_line * size * 1.2 / MM
            draw.text((text_x * scale, top * scale), words, font=small, fill=0)
    return image


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise BadInput(f"{path} cannot be written ({exc.strerror}).") from None


def page_paths(path: Path, pages: int) -> list[Path]:
    """The files a sheet of `pages` pages is written to, for SVG and PNG."""
    return [
        path if n == 0 else path.with_name(f"{path.stem}-{n + 1}{path.suffix}")
        for n in range(pages)
    ]


def write_sheet(path: Path, tags: list[str], *, school: str, layout: Layout = A4_3X7) -> list[Path]:
    """Write the labels as PDF, SVG or PNG, by the file's ending; return the files."""
    if not tags:
        raise BadInput("No devices match, so there is nothing to label.")
    school = clean(school, SCHOOL)  # no control characters: they are not allowed in XML
    if len(tags) > MOST_LABELS:
        raise BadInput(f"That is {len(tags):,} labels; the most in one go is {MOST_LABELS:,}.")
    kind = path.suffix.lower()
    if kind == ".pdf":
        write_pdf(path, tags, school, layout)
        return [path]
    if kind not in (".svg", ".png"):
        raise BadInput(f"Labels are written as .pdf, .svg or .png, not '{path.suffix}'.")
    pages = [tags[i : i + layout.per_page] for i in range(0, len(tags), layout.per_page)]
    written = page_paths(path, len(pages))
    for page, target in zip(pages, written, strict=True):
        if kind == ".svg":
            _write(target, _svg_page(page, school, layout).encode("utf-8"))
        else:
            try:
                _png_page(page, school, layout).save(target, dpi=(PNG_DPI, PNG_DPI))
            except OSError as exc:
                raise BadInput(f"{target} cannot be written ({exc.strerror}).") from None
    return written
