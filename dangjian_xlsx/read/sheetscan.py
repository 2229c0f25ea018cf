"""The extent pre-check of an .xlsx worksheet part, fed by the zip safety pass as the part inflates.

calamine builds a dense rows × columns grid from a sheet's value cells, so the farthest value cell must be
within the reader's limits before calamine sees the part. The ways to decide, quickest first: one search
that vouches for a whole part (`_unvouched`), the maximum of plain `r="A1"` references (`_plain`), the
references of every cell tag (`_tags`), an exact walk of every cell and row tag (`_walk`) — each hands
what it is unsure of to the next.
"""

from __future__ import annotations

import functools
import re

from .limits import Extent, corrupt
from .sink import ATTR, ATTRS, MAX_ATTRS, TAIL_MAX, Sink, drop_tail

_XCELL = re.compile(rb"<(?:[^\s<>/!?:\"'=]+:)?(c|row)(?:" + ATTRS + rb"|(?=[\s/>]))")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_A1 = re.compile(rb"([A-Za-z]*)([0-9]*)")  # of a reference stripped of its spaces, matched whole


def _col_number(letters: bytes) -> int:
    if len(letters) > 6:
        return 1 << 40
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


# Every cell tag: (column letters, row digits, "/" when self-closing, non-empty when malformed). The
# attributes before and after a plain r="A1" are taken possessively, at most MAX_ATTRS each (see sink.ATTRS).
_C_TAG = re.compile(
    rb"<(?:[^\s<>/!?:\"'=]+:)?c(?:(?:(?!\s+r\s*=)"
    + ATTR
    + rb"){0,%d}+(?:\s+r\s*=\s*\"([A-Z]{1,3})([0-9]{1,7})\")?(?:" % MAX_ATTRS
    + ATTR
    + rb"){0,%d}+\s*(/?)>|(?=([\s/>])))" % MAX_ATTRS
)

# `<c r="A1"` (groups: letters, digits) or any other unprefixed cell tag start (empty groups).
_PLAIN_C = re.compile(rb'<c(?: r="([A-Z]{1,3})([0-9]{1,7})"|[^A-Za-z])')
_PREFIXED_C = re.compile(rb":c[\s/>]")


@functools.lru_cache(maxsize=8)
def _unvouched(max_rows: int, max_cols: int) -> re.Pattern[bytes]:
    """An unprefixed cell tag that is not a leading plain `r="A1"`, or whose column has more letters (row
    more digits) than the limits surely allow: with none of them, every cell is within the limits and
    nobody needs the extent itself. One search, nothing allocated per cell."""
    letters = 0  # columns of this many letters are all within max_cols
    while letters < 3 and _col_number(b"Z" * (letters + 1)) <= max_cols:
        letters += 1
    digits = len(str(max_rows + 1)) - 1  # rows of this many digits are all within max_rows
    if not letters or not digits:
        return re.compile(rb"<c(?![A-Za-z])")  # every cell tag
    # a `<c` not followed by a letter (another element) nor by a plain r="A1" within those bounds
    return re.compile(rb'<c(?![A-Za-z]| r="[A-Z]{1,%d}[0-9]{1,%d}")' % (letters, digits))


class XlsxSheetScan(Sink):
    """Tracks the extent of value cells in a worksheet part, as calamine will see it.

    Cells without an `r` attribute follow the previous cell; self-closing cells carry no value (calamine
    keeps only cells with a value, so formatted blanks far away are harmless). Quickest path: `_plain`.
    Fast path: when every cell tag of a chunk is either self-closing or a value cell with a plain
    `r="A1"`, the extent is the maximum of those references; otherwise each tag is walked.
    """

    def __init__(self, extent: Extent) -> None:
        self.extent = extent
        self.carry = b""
        self.row = 0
        self.col = 0
        self.fed = False

    def feed(self, chunk: bytes, final: bool) -> None:
        whole = final and not self.fed  # the whole part in one piece: no later chunk needs the extent
        self.fed = True
        buf = self.carry + chunk if self.carry else chunk
        cut = len(buf) if final else buf.rfind(b"<")
        if cut < 0:
            cut = len(buf)
        if not self._plain(buf, cut, whole):
            self._tags(buf, cut)
        tail = buf[cut:]
        if final and tail:
            tail = b""
        elif len(tail) > TAIL_MAX:
            tail = drop_tail(tail, (b"c", b"row"))
        self.carry = tail

    def _plain(self, buf: bytes, cut: int, whole: bool = False) -> bool:
        """Quickest path (what Excel, WPS, LibreOffice, openpyxl and xlsxwriter write): every cell tag is an
        unprefixed `<c r="A1"…`, and the extent of *all* cells, blank or not, is within the limits — a
        superset of what calamine materialises, so nothing can exceed them. One C-level pass with a literal
        prefix; for a `whole` part whose cells are all surely within the limits, one search and no extent.
        False when unsure: `_tags` then decides exactly (and may still accept)."""
        if _PREFIXED_C.search(buf, 0, cut):
            return False
        limits = self.extent.limits
        if whole and _unvouched(limits.max_rows, limits.max_cols).search(buf, 0, cut) is None:
            return True
        refs = _PLAIN_C.findall(buf, 0, cut)
        if not refs:
            return True  # no cell tag at all
        letters, digits = zip(*refs, strict=True)
        if b"" in digits:  # a `<c` without a leading plain r="A1"
            return False
        rows = max(map(int, digits))
        cols = max(map(_col_number, set(letters)))
        if rows > limits.max_rows or cols > limits.max_cols:
            return False
        self.row = max(self.row, rows)
        self.col = max(self.col, cols)
        return True

    def _tags(self, buf: bytes, cut: int) -> None:
        tags = _C_TAG.findall(buf, 0, cut)
        refs = [(c, d) for c, d, slash, bad in tags if not slash or bad]
        if all(d for _, d in refs):
            if refs:
                rows = max([int(d) for _, d in refs])
                cols = max(_col_number(letters) for letters in {c for c, _ in refs})
                self.extent.check(rows, cols)
                self.row = max(self.row, rows)
                self.col = max(self.col, cols)
        else:
            self._walk(buf, cut)

    def _walk(self, buf: bytes, cut: int) -> None:
        rows = cols = 0
        for m in _XCELL.finditer(buf, 0, cut):
            attrs = m.group(2)
            if attrs is None:
                raise corrupt("工作表 XML 标记格式错误")
            r = _R_ATTR.search(attrs) if b"r" in attrs else None
            ref = (r.group(1) if r.group(1) is not None else r.group(2)) if r else None
            if m.group(1) == b"row":
                if ref is None:
                    self.row += 1
                elif ref.strip().isdigit():
                    self.row = int(ref)
                else:
                    raise corrupt("工作表行号格式错误")
                self.col = 0
                continue
            if ref is None:
                self.col += 1
                row = self.row
            else:
                a1 = _A1.fullmatch(ref.strip())
                if a1 is None:
                    raise corrupt("单元格地址格式错误")
                self.col = _col_number(a1.group(1)) if a1.group(1) else self.col + 1
                row = int(a1.group(2)) if a1.group(2) else self.row
                self.row = row
            if m.group(3):  # self-closing: no value
                continue
            if row > rows:
                rows = row
            if self.col > cols:
                cols = self.col
        if rows or cols:
            self.extent.check(rows, cols)
