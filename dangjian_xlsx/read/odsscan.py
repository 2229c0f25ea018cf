"""The extent pre-check of an .ods content.xml, fed by the zip safety pass as the part inflates.

calamine expands the repeated rows and cells of an OpenDocument table (`number-rows-repeated`,
`number-columns-repeated`): a few bytes can declare millions of cells. This scan counts, per table, what
calamine will materialise, and refuses a table over the reader's limits before calamine sees the part.
It also refuses a table that is opened and never closed: calamine reads such a table's events until its end
tag, past the end of the part, forever.
"""

from __future__ import annotations

import re

from ..ooxml import attribute, unescape
from .limits import Extent, Limits, ReadError, corrupt
from .sink import ATTRS, TAIL_MAX, Sink, drop_tail

# A cell's end tag needs nothing and is skipped in the pattern itself (half the tags of a real table); one
# with anything but spaces before its '>' is still matched, and malformed ones refused, as before.
_OTAG = re.compile(
    rb"<(?!/table:(?:covered-)?table-cell\s*>)"
    rb"(/?)(table:table-row|table:table-cell|table:covered-table-cell|table:table|text:s)(?:"
    + ATTRS
    + rb"|(?=([\s/>])))"  # group 5: a tag that starts right but is not well made (its next character)
)
_O_NONEMPTY = re.compile(
    rb"(?:^|\s)(?:office:(?:value|string-value|date-value|time-value|boolean-value)|table:formula)\s*="
    rb"|(?:^|\s)office:value-type\s*=\s*[\"']string[\"']"
)
_CELLS = (b"table:table-row", b"table:table-cell", b"table:covered-table-cell")
_CELL_TAGS = frozenset(_CELLS[1:])
_COLUMNS_REPEATED = b"table:number-columns-repeated"


def _holds_value(attrs: bytes) -> bool:
    """Whether a cell's attributes (each after a space, as ATTRS takes them) give it a value: `_O_NONEMPTY`,
    with what LibreOffice writes (a string cell, a number's office:value) decided by a substring first, and
    a cell naming neither office: nor table:formula (an empty styled one) without a search."""
    if b' office:value-type="string"' in attrs or b' office:value="' in attrs:
        return True
    return (b"office:" in attrs or b"table:formula" in attrs) and _O_NONEMPTY.search(attrs) is not None


def _count(attrs: bytes, name: bytes) -> int:
    v = attribute(attrs, name)
    if v is None:
        return 1
    v = v.strip()
    if not v.isdigit():
        raise corrupt("表格重复次数格式错误")
    return int(v)


class OdsScan(Sink):
    """content.xml of an ODS: sheet count and, per table, what calamine will materialise.

    calamine expands repeated rows/cells that hold a value, and pushes runs of empty cells that are
    followed by another cell in the row; trailing empty runs and rows are dropped.
    """

    ROW_CELLS_MAX = 16_384  # LibreOffice's column limit

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.carry = b""
        self.tables = 0
        self.open_tables = 0  # <table:table> started and not yet ended
        self.name = ""
        self.row_pos = 0
        self.in_row = False
        self.row_repeat = 1
        self.col_pos = 0
        self.pushed = 0
        self.pending = 0
        self.row_extent = 0
        self.pushed_total = 0
        self.extent = Extent(limits, lambda: self.name)
        self.cells_max = limits.max_rows * limits.max_cols

    def feed(self, chunk: bytes, final: bool) -> None:
        buf = self.carry + chunk if self.carry else chunk
        cut = len(buf) if final else buf.rfind(b"<")
        if cut < 0:
            cut = len(buf)
        max_sheets = self.limits.max_sheets
        for closing, name, attrs, selfclose, bad in _OTAG.findall(buf, 0, cut):
            if bad:
                raise corrupt("表格 XML 标记格式错误")
            if name in _CELL_TAGS:  # the most frequent tag first: a cell starts (its end needs nothing)
                if not closing and self.tables <= max_sheets:
                    self._cell(attrs)
            elif name == b"table:table":
                if closing:
                    self.open_tables = max(self.open_tables - 1, 0)
                elif not selfclose:
                    self.open_tables += 1
                if not closing:
                    self._table(attrs)
            elif self.tables > max_sheets:
                continue  # past the limit: tables are only counted
            elif name == b"table:table-row":
                self._row(attrs, closing, selfclose)
            elif not closing:  # text:s
                self._spaces(attrs)
        self._carry(buf[cut:], final)

    def _table(self, attrs: bytes) -> None:
        self.tables += 1
        if self.tables > self.limits.max_sheets:
            return  # keep counting only
        raw = attribute(attrs, b"table:name") or b""
        self.name = unescape(raw.decode("utf-8", "replace"))
        self.row_pos = 0
        self.pushed_total = 0
        self.extent = Extent(self.limits, lambda n=self.name: n)

    def _row(self, attrs: bytes, closing: bytes, selfclose: bytes) -> None:
        if closing:
            if self.in_row:
                self._end_row()
            return
        self.in_row = True
        self.row_repeat = _count(attrs, b"table:number-rows-repeated")
        self.col_pos = self.pushed = self.pending = self.row_extent = 0
        if selfclose:
            self._end_row()

    def _end_row(self) -> None:
        if self.row_extent:
            self.extent.check(self.row_pos + self.row_repeat, self.row_extent)
        self.row_pos += self.row_repeat
        self.in_row = False

    def _spaces(self, attrs: bytes) -> None:
        spaces = _count(attrs, b"text:c")
        if spaces > self.limits.max_text:
            raise ReadError("xml-hostile", detail=f"单元格声明了 {spaces} 个连续空格")

    def _cell(self, attrs: bytes) -> None:
        repeat = _count(attrs, _COLUMNS_REPEATED) if _COLUMNS_REPEATED in attrs else 1
        before = self.pushed
        self.pushed += self.pending
        self.pending = 0
        if _holds_value(attrs):
            self.pushed += repeat
            self.row_extent = self.col_pos + repeat
        else:
            self.pending = repeat
        self.col_pos += repeat
        self.pushed_total += self.pushed - before
        if self.pushed > self.ROW_CELLS_MAX or self.pushed_total > self.cells_max:
            raise ReadError("sheet-too-large", sheet=self.name, detail=f"一行展开后有 {self.pushed} 个单元格")

    def _carry(self, tail: bytes, final: bool) -> None:
        """Keep the unfinished tag for the next chunk; at the end, the table count decides."""
        if final:
            tail = b""
            if self.tables > self.limits.max_sheets:
                raise ReadError("too-many-sheets", count=self.tables, limit=self.limits.max_sheets)
            if self.open_tables:
                raise corrupt(f"工作表“{self.name}”的内容没有结束标记，文件不完整")
        elif len(tail) > TAIL_MAX:
            tail = drop_tail(tail, _CELLS)
        self.carry = tail
