"""The QR code both apps draw: black on white, with its quiet zone, two modules a cell.

    from tui.widgets.qr import QRCode
    yield QRCode("INC-000042-K7QX")

The payload is upper case (docs/architecture.md, The QR payload), so it stays in QR
alphanumeric mode and fits version 1 (21 modules). With the 4-module quiet zone a phone needs, that
is 29 modules: 29 columns by 15 rows of half-block characters.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

QUIET = 4
"""Light modules around the code; scanners need them."""
INK = Style(color="#000000", bgcolor="#ffffff")
"""Black on white whatever the theme: a dark-on-light code is the one every reader knows."""
# (top module dark, bottom module dark) -> the character that draws both in one cell
_CELLS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def qr_matrix(payload: str) -> list[list[bool]]:
    """The modules of the code for `payload`, quiet zone included; True is dark."""
    import qrcode  # only the receipt needs it: kept off the kiosk's start path
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(version=1, error_correction=ERROR_CORRECT_M, border=QUIET)
    code.add_data(payload, optimize=0)
    code.make(fit=False)
    return [list(row) for row in code.get_matrix()]


def draw(matrix: list[list[bool]]) -> list[str]:
    """The lines of characters that draw `matrix`, two rows of modules to a line."""
    rows = [*matrix, [False] * len(matrix[0])] if len(matrix) % 2 else matrix
    return [
        "".join(_CELLS[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]


class QRCode(Widget):
    """A QR code for a log number's payload (or an asset tag)."""

    DEFAULT_CSS = """
    QRCode { width: auto; height: auto; }
    """

    def __init__(self, payload: str, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.payload = payload
        """What the code says."""
        self.lines = draw(qr_matrix(payload))
        """The characters drawn, top to bottom."""

    def render(self) -> Text:
        return Text("\n".join(self.lines), style=INK, no_wrap=True, end="")

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return len(self.lines[0])

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines)
