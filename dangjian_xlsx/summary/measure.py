"""How much room text takes in a worksheet: its width in column units, the lines it wraps to in a column, the
row heights that show it (spreadsheet programs do not re-measure rows when they open a file), at the size the
tables' text is set in."""

from __future__ import annotations

import math
import numbers
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from xlsxwriter.worksheet import Worksheet

from .. import aggregate as ag

BODY_SIZE = 10  # points: the text of every workbook's tables, unless it asks for a smaller size
LINE_HEIGHT = 14.5  # points per line of 10-point (BODY_SIZE) CJK text
DEFAULT_ROW = 15.0  # points: a row of one line of 10-point text (XlsxWriter's default height)
MAX_ROW_HEIGHT = 409.0  # Excel's limit


def text_lines(text: str, width: float) -> int:
    """Lines `text` takes in a wrapped column `width` characters wide (CJK characters count double)."""
    if "\n" not in text:
        if len(text) * 2 <= width:
            return 1
        units = len(text) if text.isascii() else len(text) + (len(text.encode("utf-8")) - len(text)) / 2
        return max(1, math.ceil(units / width))
    n = 0
    for part in text.split("\n"):
        units = len(part) + (len(part.encode("utf-8")) - len(part)) / 2  # a 3-byte CJK char is 2 units
        n += max(1, math.ceil(units / width))
    return n


def text_units(text: str) -> float:
    """The width of one line of `text` in column-width units (a CJK character counts two)."""
    return max(
        (len(part) + (len(part.encode("utf-8")) - len(part)) / 2 for part in text.split("\n")), default=0
    )


def content_width(values: Iterable[Any], low: float, high: float, size: float = BODY_SIZE) -> float:
    """A column's width for what it holds: its widest text (numbers as shown, to one decimal) at `size` points
    plus room for the cell's padding, within [low, high] (a wider text wraps)."""
    values = values if isinstance(values, list) else list(values)
    if set(map(type, values)) <= {str}:  # each distinct text measured once
        widest = max((text_units(v) for v in set(values) if v), default=0)
    else:
        widest = max(
            (text_units(v if type(v) is str else f"{v:.1f}") for v in values if _shown(v)), default=0
        )
    return min(high, max(low, widest * size / BODY_SIZE + 1.5))


def _shown(v: Any) -> bool:
    return (type(v) is str and v != "") or (isinstance(v, numbers.Real) and not ag.is_missing(v))


def fit_row(
    ws: Worksheet,
    row: int,
    values: Sequence[Any],
    wrapped: Sequence[tuple[int, float]],
    line: float = LINE_HEIGHT,
) -> None:
    """Set a row's height so that its wrapped text shows (spreadsheet programs do not re-measure on open)."""
    height = wrapped_height(values, wrapped, line)
    if height is not None:
        ws.set_row(row, height)


def wrapped_height(
    values: Sequence[Any], wrapped: Sequence[tuple[int, float]], line: float = LINE_HEIGHT
) -> float | None:
    """The row height that shows the row's wrapped text (`line` points a line); None when one line is enough."""
    lines = max((text_lines(values[c], width) for c, width in wrapped if _measured(values[c])), default=1)
    return _height(lines, line) if lines > 1 else None


class RowHeights(Mapping[int, float]):
    """Row → height of the rows whose wrapped text needs more than one line, kept as one small number per row
    (its lines) and made a height when asked for: a province's 任务清单明细 has a hundred thousand rows that
    wrap, and a dict would keep a key, a float and an entry for each."""

    def __init__(self, first_row: int, lines: Iterable[int], line: float) -> None:
        self.first_row, self.line = first_row, line
        self.lines = array("I", lines)

    def __getitem__(self, row: int) -> float:
        at = row - self.first_row
        if 0 <= at < len(self.lines) and self.lines[at] > 1:
            return _height(self.lines[at], self.line)
        raise KeyError(row)

    def __contains__(self, row: object) -> bool:
        at = row - self.first_row if type(row) is int else -1
        return 0 <= at < len(self.lines) and self.lines[at] > 1

    def __iter__(self) -> Iterator[int]:
        return (row for row, n in enumerate(self.lines, start=self.first_row) if n > 1)

    def __len__(self) -> int:
        return sum(n > 1 for n in self.lines)

    def lines_from(self, row: int, n: int) -> list[int]:
        """The lines of `n` rows from `row` on (1 for a row it does not hold)."""
        out = [1] * n
        start = row - self.first_row
        lo, hi = max(start, 0), min(start + n, len(self.lines))
        if lo < hi:
            out[lo - start : hi - start] = self.lines[lo:hi].tolist()
        return out

    def height(self, lines: int) -> float:
        """The height of a row of `lines` lines."""
        return _height(lines, self.line)


def wrapped_heights(
    rows: Sequence[Sequence[Any]],
    wrapped: Sequence[tuple[int, float]],
    first_row: int,
    line: float = LINE_HEIGHT,
) -> Mapping[int, float]:
    """Row (counted from `first_row`) → height, for the rows whose wrapped text needs more than one line:
    `wrapped_height` of each row, measured a column at a time (each distinct text once: tables repeat
    statuses, names and item texts)."""
    if not rows or not wrapped:
        return {}
    columns = []
    for c, width in wrapped:  # a slice of rows at a time: a column's texts are never all made at once
        lines = array("I")
        for start in range(0, len(rows), _MEASURED_ROWS):
            lines.extend(_column_lines(column_values(rows[start : start + _MEASURED_ROWS], c), width))
        columns.append(lines)
    return RowHeights(first_row, columns[0] if len(columns) == 1 else map(max, *columns), line)


_MEASURED_ROWS = 4_096  # rows whose wrapped texts are measured at a time


def column_values(rows: Sequence[Sequence[Any]], c: int) -> list[Any]:
    """Column `c` of `rows`, read at once from rows that can give a column (a frame's rows,
    `splice.FrameRows`: never made into tuples) or else row by row."""
    column = getattr(rows, "column", None)
    return column(c) if column is not None else [values[c] for values in rows]


def _column_lines(values: list[Any], width: float) -> list[int]:
    """`text_lines` of each text of a column (1 for a blank or a non-text cell)."""
    if set(map(type, values)) <= {str}:
        distinct = set(values)
        lines = dict(zip(distinct, (text_lines(v, width) if v else 1 for v in distinct), strict=True))
        return list(map(lines.__getitem__, values))
    return [text_lines(v, width) if _measured(v) else 1 for v in values]


def _measured(v: Any) -> bool:
    return type(v) is str and v != ""


def _height(lines: int, line: float = LINE_HEIGHT) -> float:
    return min(MAX_ROW_HEIGHT, line * lines + 3)
