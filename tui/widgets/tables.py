"""A table that sends less down the wire: the desk runs over SSH, often on a slow link,
and Textual redraws whole rows, or the whole table, more often than the screen changes
(bench/desk_bytes.py measures it; docs/ssh.md).

- A key that moves the cursor redraws the old row and the new one, not also the row
  under the (absent) mouse.
- A row's cells are drawn with as few colour codes as their styles allow (`merged`).
- `set_row` puts new values in one row and redraws that row alone, where
  `DataTable.update_cell` redraws every row on screen.

`set_row` and the hover check use DataTable's own fields (`_data`, `_update_count`,
`_show_hover_cursor`) as the Textual pinned in .ci/constraints.txt has them;
tests/test_desk_dialogs.py drives both through the real desk.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey


def merged(segments: list[Segment]) -> list[Segment]:
    """A row's segments, those side by side that look the same joined into one, so the
    terminal is sent one colour code for them, not one each. Each cell's segments carry
    its row and column for the mouse; within a row of calls the row is all a click needs
    (the cursor is a row), so they join across cells. The heading row (row -1) keeps its
    cells apart: a click there sorts by its column."""
    out: list[Segment] = []
    for segment in segments:
        text, style, control = segment
        if out and style is not None and control is None:
            before = out[-1]
            row = style.meta.get("row")
            if (
                before.style is not None
                and before.control is None
                and row is not None
                and row >= 0
                and before.style.meta.get("row") == row
                and before.style.clear_meta_and_links() == style.clear_meta_and_links()
            ):
                out[-1] = Segment(before.text + text, before.style)
                continue
        out.append(segment)
    return out


class Table(DataTable):
    """DataTable, drawing only what changed."""

    def _set_hover_cursor(self, active: bool) -> None:
        if active != self._show_hover_cursor:  # every key said False, and redrew a row
            super()._set_hover_cursor(active)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if self.app.is_headless:  # no wire: a test's picture keeps each cell's own run
            return strip
        return Strip(merged(list(strip)), strip.cell_length)

    def set_row(self, key: str, values: dict[str, object]) -> None:
        """Give some cells of the row `key` new values (by column key), and redraw it."""
        cells = self._data[RowKey(key)]
        for column, value in values.items():
            cells[ColumnKey(column)] = value
        self._update_count += 1  # the rows' drawing cache is keyed on it
        self.refresh_row(self.get_row_index(key))
