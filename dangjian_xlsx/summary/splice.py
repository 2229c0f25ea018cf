"""The bodies of the summary's long tables, written straight as worksheet XML.

At province scale the summary holds ~200,000 cells, and XlsxWriter stores each one, then writes its XML
at close: a large share of a collect's time. Here the rows between a table's first and last body row are
rendered as `<row>` XML in one tight loop and spliced into the sheet's XML after XlsxWriter closed the
workbook.

XlsxWriter still writes everything else — header, first and last body row, widths, frozen panes,
filters, conditional formats, print setup — so the sheet's dimension, every format's style index (each
column's format is used by the first body row) and the workbook's structure remain its own. The cells
written here follow `style.put` exactly (text as text — never a formula —, numbers, blanks,
booleans); text is written as inline strings (`t="inlineStr"`), which Excel, WPS, LibreOffice and every
reader accept. The same inputs give the same bytes. A format's style index comes from the XlsxWriter fence
(summary/xlsxwriter_fence.py), the one module that touches XlsxWriter's internals.
"""

from __future__ import annotations

import functools
import io
import math
import numbers
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any, overload

import numpy as np
import pandas as pd
from xlsxwriter.format import Format

from ..aggregate import is_missing, values_at
from ..layout import col_letter
from ..ooxml import WORKBOOK, WORKBOOK_RELS, ZipWriter, sheet_parts
from .measure import RowHeights
from .xlsxwriter_fence import register, style_index

MIN_ROWS = 32  # shorter tables are left to XlsxWriter entirely
EXCEL_MAX_CHARS = 32_767  # longer text goes through `clip` (as style.put does)
# The spliced sheets (the long tables: every answer, every deduction) are deflated at zlib level 4, not 6: the
# summary is written again on every collect, and at 4 its largest sheets deflate in about 60 % of the time for
# about 15 % more bytes (standard zlib either way: the same inputs give the same bytes on every platform).
SPLICED_LEVEL = 4

_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_UNDERSCORE_X = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # a literal that Excel would read as an escape


def _text(v: str) -> str:
    """Text as an inline string's XML content: Excel's _xHHHH_ escapes (as XlsxWriter writes them), then
    XML escapes."""
    if "_x" in v:
        v = _UNDERSCORE_X.sub(r"_x005F\1", v)
    if _SPECIAL.search(v) is None:
        return v
    v = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", v)
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def row_height_xml(points: float) -> str:
    """The `ht` XlsxWriter writes for set_row(points): whole pixels, back in points."""
    return f"{int(points * 4.0 / 3.0 + 0.5) * 0.75:.16g}"


@dataclass
class _Block:
    first_row: int  # 0-based row of the first spliced row
    rows: Sequence[Sequence[Any]]
    formats: Sequence[Format]
    heights: Mapping[int, float]  # 0-based row → height in points (rows whose text wraps)
    cell_formats: Mapping[int, Sequence[Format]]  # column → each row's own format (instead of formats[c])


class BodyRows:
    """Table rows kept back from XlsxWriter, by sheet name; `splice` puts them into the closed workbook."""

    def __init__(self) -> None:
        self.blocks: dict[str, _Block] = {}

    def add(
        self,
        sheet: str,
        first_row: int,
        rows: Sequence[Sequence[Any]],
        formats: Sequence[Format],
        heights: Mapping[int, float],
        cell_formats: Mapping[int, Sequence[Format]] | None = None,
    ) -> None:
        """`formats[c]` is column c's format (used by the table's first body row, which XlsxWriter
        writes), unless `cell_formats[c]` gives one per row (a grid coloured by value): those are
        registered with the workbook here, in a stable order, since no cell XlsxWriter writes may use them."""
        if sheet in self.blocks:
            raise ValueError(f"two spliced tables on sheet {sheet!r}")
        cell_formats = cell_formats or {}
        if any(len(f) != len(rows) for f in cell_formats.values()):
            raise ValueError("a column's cell formats are not one per row")
        for fmt in dict.fromkeys(f for column in cell_formats.values() for f in column):
            register(fmt)  # in styles.xml even if no cell XlsxWriter writes uses it
        self.blocks[sheet] = _Block(first_row, rows, formats, heights, cell_formats)

    def splice(self, xlsx: bytes, clip: Callable[[str], str]) -> bytes:
        """The workbook with every kept-back block inserted into its sheet, as bytes (see `chunks`)."""
        return b"".join(self.chunks(xlsx, clip))

    def chunks(self, xlsx: bytes, clip: Callable[[str], str]) -> Iterable[bytes | memoryview]:
        """The workbook with every kept-back block inserted into its sheet, in pieces to write one after the
        other (same member order; the other members are views of `xlsx`, copied as they are; the rows rendered
        a slice at a time, each compressed as it comes; each member handed on as soon as it is compressed)."""
        if not self.blocks:
            return (xlsx,)
        with zipfile.ZipFile(io.BytesIO(xlsx)) as src:
            parts = {part: name for name, part in sheet_parts(src.read(WORKBOOK), src.read(WORKBOOK_RELS))}
        by_part = {part: self.blocks[name] for part, name in parts.items() if name in self.blocks}
        if len(by_part) != len(self.blocks):
            raise RuntimeError("a spliced table's sheet is missing from the workbook")
        return _spliced(xlsx, by_part, clip)


def _spliced(
    xlsx: bytes, by_part: dict[str, _Block], clip: Callable[[str], str]
) -> Iterator[bytes | memoryview]:
    """`BodyRows.chunks` once checked: the zip's members in order, each block rendered into its sheet."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, ZipWriter(SPLICED_LEVEL) as dst:
        for info in src.infolist():
            block = by_part.get(info.filename)
            if block is None:
                dst.copy(xlsx, info)
            else:
                data = src.read(info)
                at = _insertion_point(data, block)
                dst.deflate(info, chain((data[:at],), render(block, clip), (data[at:],)))
                del data
            yield from dst.drain()
        yield from dst.chunks()


class FrameRows(Sequence[tuple[Any, ...]]):
    """The rows of a frame's `columns` (as `aggregate.rows` gives them), read from the frame a slice at a time
    whenever they are iterated: a province's long tables (every answer, every deduction) are not held as
    hundreds of thousands of tuples while the workbook is built. A slice is a view of the same frame. With
    `order` (row positions), the rows are the frame's in that order, taken a slice at a time (a reordered table
    without a reordered copy of it)."""

    def __init__(
        self,
        df: pd.DataFrame,
        columns: Sequence[str],
        start: int = 0,
        stop: int | None = None,
        order: np.ndarray | None = None,
    ) -> None:
        self.df, self.columns, self.order = df, list(columns), order
        n = len(df) if order is None else len(order)
        self.start, self.stop = start, n if stop is None else stop

    def __len__(self) -> int:
        return max(0, self.stop - self.start)

    @overload
    def __getitem__(self, key: int) -> tuple[Any, ...]: ...
    @overload
    def __getitem__(self, key: slice) -> FrameRows: ...
    def __getitem__(self, key: int | slice) -> tuple[Any, ...] | FrameRows:
        n = len(self)
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            if step != 1:
                raise ValueError("only contiguous rows")
            return FrameRows(
                self.df, self.columns, self.start + start, self.start + max(start, stop), self.order
            )
        at = key + n if key < 0 else key
        if not 0 <= at < n:
            raise IndexError(key)
        return next(iter(self[at : at + 1]))

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for a in range(self.start, self.stop, SLICE_ROWS):
            b = min(a + SLICE_ROWS, self.stop)
            yield from zip(*[self._values(c, a, b) for c in range(len(self.columns))], strict=True)

    def column(self, c: int) -> list[Any]:
        """The values of column `c` (an index into `columns`) in these rows, as iterating would give them."""
        return self._values(c, self.start, self.stop)

    def _values(self, c: int, a: int, b: int) -> list[Any]:
        return values_at(self.df[self.columns[c]], slice(a, b) if self.order is None else self.order[a:b])


def _slice_columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """The columns of a slice of rows, each a list (a frame's read a column at a time)."""
    if isinstance(rows, FrameRows):
        if len(rows.columns) != width:
            raise ValueError("a spliced row does not have one value per column")
        return [rows.column(c) for c in range(width)]
    chunk = list(rows)
    if any(len(values) != width for values in chunk):
        raise ValueError("a spliced row does not have one value per column")
    return [list(values) for values in zip(*chunk, strict=True)]


def _insertion_point(xml: bytes, block: _Block) -> int:
    """Where the block's rows go: just before the row XlsxWriter wrote after them (the table's last row),
    which must directly follow the table's first row."""
    after = block.first_row + len(block.rows)  # 0-based: the last body row, written by XlsxWriter
    at = xml.find(b'<row r="%d"' % (after + 1))
    before = xml.rfind(b'<row r="', 0, at)
    previous = re.match(rb'<row r="(\d+)"', xml[before:]) if at > 0 and before >= 0 else None
    if previous is None or int(previous.group(1)) != block.first_row:  # 1-based: the first body row
        raise RuntimeError("rows were written by XlsxWriter inside a spliced table")
    return at


SLICE_ROWS = 1_000  # rows rendered (and compressed) at a time
SLICE_CELLS = 16_000  # … or fewer, in a wide table: a slice's cells are held as values, XML and text at once
TAIL_CACHE_CHARS = 40  # texts up to this long are rendered once per block (longer ones are rarely repeated)


def render(block: _Block, clip: Callable[[str], str]) -> Iterator[bytes]:
    """The `<row>` XML of a block, UTF-8, a slice of rows at a time; cells as `style.put` writes
    them.

    A slice is converted a column at a time (each distinct value once: tables repeat statuses, names and
    scores), then its rows are one join of their pieces in order: each row's open tag, then per cell its
    fixed start, the row number, its style and its value's XML, then the row's end tag."""
    width = len(block.formats)
    cells = _cells(block)
    style_of = functools.cache(_style)
    heights = block.heights
    texts: dict[str, str] = {}  # short text → the rest of its cell's XML, for the whole block
    rows = block.rows
    step = min(SLICE_ROWS, max(1, SLICE_CELLS // max(1, width)))
    for i in range(0, len(rows), step):
        part = rows[i : i + step]
        n = len(part)
        values_of = _slice_columns(part, width)
        first = block.first_row + i
        numbers_ = [str(r + 1) for r in range(first, first + n)]
        pieces: list[Iterable[str]] = [_opens(heights, first, numbers_)]
        for c, (start, style) in enumerate(cells):
            tails = _tails(values_of[c], clip, texts)
            fmts = block.cell_formats.get(c)
            if fmts is not None:  # the style attribute goes before each cell's tail
                tails = list(map(str.__add__, [style_of(f) for f in fmts[i : i + step]], tails))
            pieces += [repeat(start, n), numbers_, repeat(style, n), tails]
        pieces.append(repeat("</row>", n))
        yield "".join(chain.from_iterable(zip(*pieces, strict=True))).encode("utf-8")


def _opens(heights: Mapping[int, float], first: int, numbers_: list[str]) -> list[str]:
    """The `<row>` tags of the rows from `first` on (numbered `numbers_`), with their heights."""
    if not isinstance(heights, RowHeights):
        return [
            f'<row r="{n}" ht="{row_height_xml(heights[r])}" customHeight="1">'
            if r in heights
            else f'<row r="{n}">'
            for r, n in enumerate(numbers_, start=first)
        ]
    lines = heights.lines_from(first, len(numbers_))
    tall = {k: f'" ht="{row_height_xml(heights.height(k))}" customHeight="1">' for k in set(lines) if k > 1}
    return [
        f'<row r="{n}{tall[k]}' if k > 1 else f'<row r="{n}">' for n, k in zip(numbers_, lines, strict=True)
    ]


def _cells(block: _Block) -> list[tuple[str, str]]:
    """Each column's cell XML up to the row number (`<c r="B`), and from there to the cell's value (the
    style attribute; empty for a column whose cells have their own formats)."""
    return [
        (f'<c r="{col_letter(c)}', "" if c in block.cell_formats else _style(fmt))
        for c, fmt in enumerate(block.formats)
    ]


def _style(fmt: Format) -> str:
    """The end of a cell's `r` attribute and its style attribute."""
    index = style_index(fmt)
    if index is None:  # not used by any cell XlsxWriter wrote: not in styles.xml
        raise RuntimeError("a spliced cell's format is unknown to the workbook")
    return f'" s="{index}"' if index else '"'


def _tails(values: Sequence[Any], clip: Callable[[str], str], texts: dict[str, str]) -> list[str]:
    """The XML after the style attribute of each cell of a column: `_tail` of each value, computed once per
    distinct value (short texts are remembered in `texts` for the next slices)."""
    kinds = set(map(type, values))  # only plain texts and numbers are hashed (pandas' NA refuses ==)
    if kinds <= {str}:
        special = _SPECIAL.search
        tails = {}
        for v in set(values):
            tail = texts.get(v)
            if tail is None:
                tail = _string_tail(v, clip, special) if v else "/>"
                if len(v) <= TAIL_CACHE_CHARS:
                    texts[v] = tail
            tails[v] = tail
    elif kinds <= {int} or (kinds <= {float} and not _negative_zero(values)):
        tails = {v: _tail(v, clip) for v in set(values)}  # equal numbers are written alike, but 0.0 and -0.0
    else:
        return [_tail(v, clip) for v in values]
    return list(map(tails.__getitem__, values))


def _negative_zero(values: Sequence[float]) -> bool:
    return 0.0 in values and any(v == 0 and math.copysign(1.0, v) < 0 for v in values)


def _tail(v: Any, clip: Callable[[str], str]) -> str:
    """A cell's XML after its style attribute, as `style.put` writes the value."""
    t = type(v)
    if t is str:
        return _string_tail(v, clip, _SPECIAL.search) if v else "/>"
    if t is float:
        return f"><v>{v:.16G}</v></c>" if math.isfinite(v) else "/>"
    if t is int:
        return f"><v>{v:.16G}</v></c>"
    return _other("", v, clip)


def _string_tail(v: str, clip: Callable[[str], str], special: Callable[[str], Any]) -> str:
    """A non-empty text cell's XML after its `r` and `s` attributes."""
    if len(v) > EXCEL_MAX_CHARS:
        v = clip(v)
    if "_x" in v or special(v):
        v = _text(v)
    space = ' xml:space="preserve"' if v[0].isspace() or v[-1].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{v}</t></is></c>'


def _string(cell: str, v: str, clip: Callable[[str], str]) -> str:
    v = _text(clip(v))
    space = ' xml:space="preserve"' if v[:1].isspace() or v[-1:].isspace() else ""
    return f'{cell} t="inlineStr"><is><t{space}>{v}</t></is></c>'


def _other(cell: str, v: Any, clip: Callable[[str], str]) -> str:
    """The rarer value types, in `style.put`'s order; `cell` is the open tag up to its attributes."""
    if isinstance(v, str):
        return _string(cell, str(v), clip)
    if is_missing(v):
        return f"{cell}/>"
    if isinstance(v, bool):
        return f'{cell} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, numbers.Real):
        x = float(v)
        return f"{cell}><v>{x:.16G}</v></c>" if math.isfinite(x) else f"{cell}/>"
    return _string(cell, str(v), clip)
