"""A small PDF writer: pages of PDF drawing operators, the standard Helvetica fonts.

    from store.db import pdf
    page = pdf.text_op("F2", 10, 72, 700, "Hello") + b"\n0.2 0.4 0.8 rg 72 600 100 20 re f"
    data = pdf.document([page], width=595.28, height=841.89)

Written by hand, not with a PDF library: label sheets and the service report need
only text in the standard fonts (which every reader has, so nothing is embedded)
and filled rectangles, which is a page of code, and a library for it would be a
dependency for every school to install. Text is WinAnsi (cp1252), what the standard
fonts hold; a letter outside it loses its accent before it becomes '?'. F1 is
Helvetica-Bold and F2 Helvetica.
"""

from __future__ import annotations

import unicodedata

A4 = (595.28, 841.89)
"""An A4 page in points (1/72 inch)."""
MM = 72 / 25.4
"""Points in a millimetre."""


def _fits_winansi(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _plain_letter(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and _fits_winansi(base) else "?"


def text(words: str) -> str:
    """Words as a PDF string's inside, in the standard fonts' WinAnsi encoding: what it
    cannot hold loses its accent (ŵ is w) before it becomes '?'."""
    if not _fits_winansi(words):
        words = "".join(char if _fits_winansi(char) else _plain_letter(char) for char in words)
    safe = words.encode("cp1252", "replace").decode("cp1252")
    safe = "".join(char if char >= " " else " " for char in safe)
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_op(font: str, size: float, x: float, y: float, words: str) -> str:
    """The operators that write `words` with their baseline starting at (x, y) points."""
    return f"BT /{font} {size:.1f} Tf {x:.2f} {y:.2f} Td ({text(words)}) Tj ET"


def width(words: str, size: float) -> float:
    """About how wide `words` are in Helvetica at `size` points."""
    return len(words) * size * 0.5


def document(pages: list[bytes], *, width: float, height: float) -> bytes:
    """A whole PDF file: each page's operators (cp1252 bytes) on a page of that size."""
    objects: list[bytes] = []
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for font in (b"Helvetica-Bold", b"Helvetica"):
        objects.append(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /" + font + b" /Encoding /WinAnsiEncoding >>"
        )
    box = f"[0 0 {width:.2f} {height:.2f}]"
    for i, stream in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox {box} /Resources << /Font "
            f"<< /F1 3 0 R /F2 4 0 R >> >> /Contents {6 + 2 * i} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
