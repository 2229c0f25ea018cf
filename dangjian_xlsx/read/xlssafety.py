"""Safety pass over a .xls (CFB/BIFF8) before calamine reads it.

Header and directory sizes, then a walk of the BIFF records for the sheet count, the shared-string count and,
per sheet, every record calamine sizes memory from: the DIMENSIONS it reserves rows × columns for (its first
column taken as calamine takes it), and every cell it materialises — NUMBER, LABEL, RSTRING, BOOLERR, RK,
LABELSST, FORMULA (one cell each) and MULRK (a run of cells from its first column, as many as the record
holds, whatever its last column says). calamine builds a dense grid up to the farthest of them, so all must
be within the reader's limits. Blank cells (BLANK, MULBLANK) and ROW records are not materialised: they are
checked for consistency only (a range running backwards, or past the format's 256 columns, is damage).
"""

from __future__ import annotations

import datetime as dt
import io
import struct

from .cfbprops import LAST_SAVED, summary_property
from .limits import DEFAULT_LIMITS, KB, Extent, Limits, ReadError, corrupt

# ---------------------------------------------------------------- xls (CFB + BIFF8)


def _u16(b: bytes, off: int) -> int:
    return int.from_bytes(b[off : off + 2], "little")


def _u32(b: bytes, off: int) -> int:
    return int.from_bytes(b[off : off + 4], "little")


def check_xls(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dt.datetime | None:
    """Verify a CFB/BIFF .xls before calamine reads it; return its last-saved time when recorded."""
    import olefile

    if len(data) < 512:
        raise corrupt("文件不完整")
    shift, mini = _u16(data, 30), _u16(data, 32)
    if shift not in (9, 12) or mini != 6:
        raise corrupt("文件头信息错误")
    ssize = 1 << shift
    most = len(data) // ssize + 1
    for off in (40, 44, 64, 72):  # directory, FAT, mini FAT, DIFAT sector counts
        if _u32(data, off) > most:
            raise corrupt("文件结构信息与文件大小不符")
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise corrupt("文件结构损坏或不完整") from exc
    try:
        ole.directory_fp.seek(0)
        directory = ole.directory_fp.read()
        wide = ssize == 4096
        for off in range(0, len(directory) - 127, 128):
            size = int.from_bytes(directory[off + 120 : off + (128 if wide else 124)], "little")
            if directory[off + 66] != 0 and size > len(data):  # a used entry claiming more than the file
                raise corrupt("文件结构信息与文件大小不符")
        name = "Workbook" if ole.exists("Workbook") else "Book" if ole.exists("Book") else None
        if name is None:
            raise corrupt("缺少工作簿数据流")
        stream = ole.openstream(name).read()
        saved = summary_property(ole, LAST_SAVED)  # bounded: olefile's get_metadata is not
        saved_at = saved if isinstance(saved, dt.datetime) and saved.year > 1980 else None
    finally:
        ole.close()
    _check_biff(stream, limits)
    return saved_at


# NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA: one value cell each, at (row, column)
_BIFF_CELLS = frozenset({0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006})
_MULRK, _MULBLANK, _BLANK, _ROW, _DIMENSIONS, _EOF = 0x00BD, 0x00BE, 0x0201, 0x0208, 0x0200, 0x000A
_BIFF8_COLUMNS = 256
_HEAD = struct.Struct("<HH")  # a record's type and size; a cell record's row and column


def _records(stream: bytes, pos: int):
    n = len(stream)
    while pos + 4 <= n:
        typ, size = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + size > n:
            return
        yield typ, pos + 4, size
        pos += 4 + size


def _check_biff(stream: bytes, limits: Limits) -> None:
    sheets: list[tuple[int, str]] = []
    for typ, off, size in _records(stream, 0):
        if typ == _EOF:  # EOF of the globals substream
            break
        if typ == 0x002F and size >= 2 and _u16(stream, off) != 0:
            raise ReadError("file-encrypted")
        if typ == 0x0085 and size >= 8:  # BoundSheet8
            cch, flags = stream[off + 6], stream[off + 7]
            raw = stream[off + 8 : off + 8 + (cch * 2 if flags & 1 else cch)]
            name = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            sheets.append((_u32(stream, off), name))
        if typ == 0x00FC and size >= 8:  # SST: calamine reserves this many strings up front
            unique = int.from_bytes(stream[off + 4 : off + 8], "little", signed=True)
            if unique < 0 or unique > len(stream) // 3 + 1:
                raise corrupt("共享字符串数量与内容不符")
    if len(sheets) > limits.max_sheets:
        raise ReadError("too-many-sheets", count=len(sheets), limit=limits.max_sheets)
    budget = 4 * len(stream) + 64 * KB
    seen: set[int] = set()
    for pos, name in sheets:
        if pos in seen:
            continue
        seen.add(pos)
        budget = _check_sheet(stream, pos, Extent(limits, lambda n=name: n), budget)


def _check_sheet(stream: bytes, pos: int, extent: Extent, budget: int) -> int:
    """One sheet's records up to its EOF (`_records` and `_check_record`, the value cells — most records —
    checked here: the farthest cell so far kept locally, handed to `extent` as `extent.check` would have it
    before any other record is checked or when a cell is past the limits); the budget left."""
    n = len(stream)
    head = _HEAD.unpack_from
    max_rows, max_cols = extent.limits.max_rows, extent.limits.max_cols
    rows, cols = extent.rows, extent.cols
    while pos + 4 <= n:
        typ, size = head(stream, pos)
        off = pos + 4
        if off + size > n:
            break
        pos = off + size
        budget -= size + 4
        if budget < 0:
            raise corrupt("工作表结构异常")
        if typ == _EOF:
            break
        if typ in _BIFF_CELLS and size >= 4:
            r, c = head(stream, off)
            if r >= rows:
                rows = r + 1
            if c >= cols:
                cols = c + 1
            if rows > max_rows or cols > max_cols:
                extent.check(rows, cols)
            continue
        if typ == _ROW:  # as `_check_record` (the next most frequent record; the extent not involved)
            if size >= 6:
                first, past = head(stream, off + 2)
                if first > past or past > _BIFF8_COLUMNS:
                    raise corrupt("工作表行记录损坏")
            continue
        if rows > extent.rows:
            extent.rows = rows
        if cols > extent.cols:
            extent.cols = cols
        _check_record(stream, typ, off, size, extent)
        rows, cols = extent.rows, extent.cols
    return budget


def _check_record(stream: bytes, typ: int, off: int, size: int, extent: Extent) -> None:
    """One record of a sheet: the cells calamine makes of it within the limits, a blank range consistent."""
    if typ in _BIFF_CELLS:
        if size >= 4:
            extent.check(_u16(stream, off) + 1, _u16(stream, off + 2) + 1)
    elif typ == _MULRK:  # row, first column, 6 bytes per cell, last column
        if size >= 6:
            cells = (size - 6) // 6
            extent.check(_u16(stream, off) + 1, _u16(stream, off + 2) + max(cells, 1))
    elif typ == _DIMENSIONS:
        _check_dimensions(stream, off, size, extent)
    elif typ == _MULBLANK:  # row, first column, 2 bytes per cell, last column
        if size >= 6:
            first, last = _u16(stream, off + 2), _u16(stream, off + size - 2)
            if first > last or last >= _BIFF8_COLUMNS or size != 6 + 2 * (last - first + 1):
                raise corrupt("工作表中空白单元格区域的记录损坏")
    elif typ == _BLANK:
        if size >= 4 and _u16(stream, off + 2) >= _BIFF8_COLUMNS:
            raise corrupt("工作表中空白单元格的记录损坏")
    elif typ == _ROW and size >= 6:  # row, first column, one past the last column
        first, past = _u16(stream, off + 2), _u16(stream, off + 4)
        if first > past or past > _BIFF8_COLUMNS:
            raise corrupt("工作表行记录损坏")


def _check_dimensions(stream: bytes, off: int, size: int, extent: Extent) -> None:
    """DIMENSIONS: calamine reserves rows × columns cells for it (a first column over 255, or past the last
    one, taken as 0, as calamine does)."""
    if size == 14:
        rf, rl, cf, cl = (
            _u32(stream, off),
            _u32(stream, off + 4),
            _u16(stream, off + 8),
            _u16(stream, off + 10),
        )
    elif size == 10:
        rf, rl, cf, cl = (_u16(stream, off + k) for k in (0, 2, 4, 6))
    else:
        return
    if cf > 0xFF or cl < cf:
        cf = 0
    if rl >= 1 and cl >= 1:
        extent.check((rl - rf) % (1 << 32), (cl - cf) % (1 << 32))
