"""Safety pass over zip containers (xlsx/xlsm/ods/docx) before anything parses them.

The central directory (member count, declared sizes, ratios), then every member is inflated once,
streaming, never past its declared size, with its CRC checked; XML parts are scanned for DTD declarations
(OOXML and ODF parts never legitimately contain one), worksheet parts for the extent of their value cells
(calamine builds a dense rows × columns grid from them), an ODS content.xml for its tables' extent.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import unescape

from ..ooxml.fastzlib import zlib
from .limits import DEFAULT_LIMITS, KB, MB, Limits, ReadError, _corrupt, human_size
from .zipdir import Member, plain_members

# ---------------------------------------------------------------- zip containers

_IN_CHUNK = 64 * KB
_OUT_CHUNK = 256 * KB
_KEEP_MAX = 4 * MB  # small index parts kept in memory after verification
_TAIL_MAX = 64 * KB  # a cell tag longer than this is not a real one

# `<!` that is not a comment or CDATA starts a DTD construct; also in UTF-16 (LE / BE).
_HOSTILE_XML = re.compile(rb"<!(?![-\[])|<\x00!\x00(?![-\[]\x00)|\x00<\x00!(?!\x00[-\[])")
_XML_NAME = re.compile(r".*\.(?:xml|rels|vml)$", re.IGNORECASE)
_OOXML_SHEET_DIRS = ("xl/worksheets/", "xl/dialogsheets/", "xl/macrosheets/", "xl/chartsheets/")
_OOXML_INDEX = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/core.xml")
_ODS_INDEX = ("mimetype", "meta.xml")


class _Sink:
    """Receives one member's inflated bytes chunk by chunk."""

    def feed(self, chunk: bytes, final: bool) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class _HostileScan(_Sink):
    """Refuses any `<!` that is not a comment or CDATA (DOCTYPE, ENTITY, …), in UTF-8 or UTF-16."""

    def __init__(self, member: str) -> None:
        self.member = member
        self.tail = b""
        self.wide: bool | None = None

    def feed(self, chunk: bytes, final: bool) -> None:
        if self.wide is None and chunk:
            self.wide = b"\x00" in chunk[:64]
        buf = self.tail + chunk if self.tail else chunk
        if self.wide:
            if _HOSTILE_XML.search(buf, 0, len(buf) if final else max(len(buf) - 8, 0)):
                self._refuse()
            self.tail = buf[-16:]
            return
        if b"!" not in buf:  # one memchr: the common case (searching for "<!" costs a step per byte)
            self.tail = buf[-3:]
            return
        i = buf.find(b"<!")
        while i >= 0:
            nxt = buf[i + 2 : i + 3]
            if not nxt and not final:
                break
            if nxt not in (b"-", b"["):
                self._refuse()
            i = buf.find(b"<!", i + 2)
        self.tail = buf[-3:]

    def _refuse(self) -> None:
        raise ReadError("xml-hostile", detail=f"部件 {self.member} 含有 DTD/实体声明")


class _Keep(_Sink):
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def feed(self, chunk: bytes, final: bool) -> None:
        self.size += len(chunk)
        if self.size <= _KEEP_MAX:
            self.parts.append(chunk)
        else:
            self.parts = []

    @property
    def data(self) -> bytes | None:
        return b"".join(self.parts) if self.size <= _KEEP_MAX else None


class _Head(_Sink):
    """Keeps the first few KB (enough for a root element's attributes)."""

    def __init__(self, n: int = 4 * KB) -> None:
        self.n = n
        self.data = b""
        self.size = 0

    def feed(self, chunk: bytes, final: bool) -> None:
        self.size += len(chunk)
        if len(self.data) < self.n:
            self.data += chunk[: self.n - len(self.data)]


_ATTRS = rb"((?:\s+[^\s=<>/\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
_XCELL = re.compile(rb"<(?:[^\s<>/!?:\"'=]+:)?(c|row)(?:" + _ATTRS + rb"|(?=[\s/>]))")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_A1 = re.compile(rb"\s*([A-Za-z]*)([0-9]*)\s*$")
_ELEMENT_NAME = re.compile(rb"<([^\s<>/]*)")


def _col_number(letters: bytes) -> int:
    if len(letters) > 6:
        return 1 << 40
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


class _Extent:
    """Where a sheet's data ends (1-based row/column of the farthest value cell); raises over the limits."""

    def __init__(self, limits: Limits, sheet: Callable[[], str]) -> None:
        self.limits = limits
        self.sheet = sheet
        self.rows = 0
        self.cols = 0

    def check(self, rows: int, cols: int) -> None:
        if rows > self.rows:
            self.rows = rows
        if cols > self.cols:
            self.cols = cols
        if self.rows > self.limits.max_rows or self.cols > self.limits.max_cols:
            raise ReadError(
                "sheet-too-large",
                sheet=self.sheet(),
                detail=f"数据区域达到 {self.rows} 行 × {self.cols} 列，上限 {self.limits.max_rows} 行 × "
                f"{self.limits.max_cols} 列",
            )


def _drop_tail(tail: bytes, names: tuple[bytes, ...]) -> bytes:
    """A tail (from the last '<') grown past _TAIL_MAX: fail if it is a tag we track, else forget it."""
    m = _ELEMENT_NAME.match(tail)
    name = m.group(1) if m else b""
    if len(name) > 256 or name.rsplit(b":", 1)[-1] in names or name in names:
        raise _corrupt("工作表中有异常的超长单元格标记")
    return b""


_ATTR1 = rb"\s+[^\s=<>/\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*')"
# Every cell tag: (column letters, row digits, "/" when self-closing, non-empty when malformed).
_C_TAG = re.compile(
    rb"<(?:[^\s<>/!?:\"'=]+:)?c(?:(?:(?!\s+r\s*=)"
    + _ATTR1
    + rb")*(?:\s+r\s*=\s*\"([A-Z]{1,3})([0-9]{1,7})\")?(?:"
    + _ATTR1
    + rb")*\s*(/?)>|(?=([\s/>])))"
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


class _XlsxSheetScan(_Sink):
    """Tracks the extent of value cells in a worksheet part, as calamine will see it.

    Cells without an `r` attribute follow the previous cell; self-closing cells carry no value (calamine
    keeps only cells with a value, so formatted blanks far away are harmless). Quickest path: `_plain`.
    Fast path: when every cell tag of a chunk is either self-closing or a value cell with a plain
    `r="A1"`, the extent is the maximum of those references; otherwise each tag is walked.
    """

    def __init__(self, extent: _Extent) -> None:
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
        elif len(tail) > _TAIL_MAX:
            tail = _drop_tail(tail, (b"c", b"row"))
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
                raise _corrupt("工作表 XML 标记格式错误")
            r = _R_ATTR.search(attrs) if b"r" in attrs else None
            ref = (r.group(1) if r.group(1) is not None else r.group(2)) if r else None
            if m.group(1) == b"row":
                if ref is None:
                    self.row += 1
                elif ref.strip().isdigit():
                    self.row = int(ref)
                else:
                    raise _corrupt("工作表行号格式错误")
                self.col = 0
                continue
            if ref is None:
                self.col += 1
                row = self.row
            else:
                a1 = _A1.match(ref)
                if a1 is None:
                    raise _corrupt("单元格地址格式错误")
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


_OTAG = re.compile(
    rb"<(/?)(table:table-row|table:table-cell|table:covered-table-cell|table:table|text:s)(?:"
    + _ATTRS
    + rb"|(?=[\s/>]))"
)
_O_NONEMPTY = re.compile(
    rb"(?:^|\s)(?:office:(?:value|string-value|date-value|time-value|boolean-value)|table:formula)\s*="
    rb"|(?:^|\s)office:value-type\s*=\s*[\"']string[\"']"
)


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"(?:^|\s)" + re.escape(name) + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", attrs)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def _count(attrs: bytes, name: bytes) -> int:
    v = _attr(attrs, name)
    if v is None:
        return 1
    v = v.strip()
    if not v.isdigit():
        raise _corrupt("表格重复次数格式错误")
    return int(v)


class _OdsScan(_Sink):
    """content.xml of an ODS: sheet count and, per table, what calamine will materialise.

    calamine expands repeated rows/cells that hold a value, and pushes runs of empty cells that are
    followed by another cell in the row; trailing empty runs and rows are dropped.
    """

    ROW_CELLS_MAX = 16_384  # LibreOffice's column limit

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.carry = b""
        self.tables = 0
        self.name = ""
        self.row_pos = 0
        self.in_row = False
        self.row_repeat = 1
        self.col_pos = 0
        self.pushed = 0
        self.pending = 0
        self.row_extent = 0
        self.pushed_total = 0
        self.extent = _Extent(limits, lambda: self.name)

    def _end_row(self) -> None:
        if self.row_extent:
            self.extent.check(self.row_pos + self.row_repeat, self.row_extent)
        self.row_pos += self.row_repeat
        self.in_row = False

    def feed(self, chunk: bytes, final: bool) -> None:
        buf = self.carry + chunk if self.carry else chunk
        cut = len(buf) if final else buf.rfind(b"<")
        if cut < 0:
            cut = len(buf)
        lim = self.limits
        for m in _OTAG.finditer(buf, 0, cut):
            closing, name, attrs, selfclose = m.group(1), m.group(2), m.group(3), m.group(4)
            if attrs is None:
                raise _corrupt("表格 XML 标记格式错误")
            if name == b"table:table":
                if closing:
                    continue
                self.tables += 1
                if self.tables > lim.max_sheets:
                    continue  # keep counting only
                raw = _attr(attrs, b"table:name") or b""
                self.name = unescape(raw.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})
                self.row_pos = 0
                self.pushed_total = 0
                self.extent = _Extent(lim, lambda n=self.name: n)
                continue
            if self.tables > lim.max_sheets:
                continue
            if name == b"table:table-row":
                if closing:
                    if self.in_row:
                        self._end_row()
                    continue
                self.in_row = True
                self.row_repeat = _count(attrs, b"table:number-rows-repeated")
                self.col_pos = self.pushed = self.pending = self.row_extent = 0
                if selfclose:
                    self._end_row()
                continue
            if name == b"text:s":
                if not closing:
                    spaces = _count(attrs, b"text:c")
                    if spaces > lim.max_text:
                        raise ReadError("xml-hostile", detail=f"单元格声明了 {spaces} 个连续空格")
                continue
            if closing:  # end of a cell
                continue
            repeat = _count(attrs, b"table:number-columns-repeated")
            before = self.pushed
            self.pushed += self.pending
            self.pending = 0
            if _O_NONEMPTY.search(attrs):
                self.pushed += repeat
                self.row_extent = self.col_pos + repeat
            else:
                self.pending = repeat
            self.col_pos += repeat
            self.pushed_total += self.pushed - before
            if self.pushed > self.ROW_CELLS_MAX or self.pushed_total > lim.max_rows * lim.max_cols:
                raise ReadError(
                    "sheet-too-large", sheet=self.name, detail=f"一行展开后有 {self.pushed} 个单元格"
                )
        tail = buf[cut:]
        if final:
            tail = b""
            if self.tables > lim.max_sheets:
                raise ReadError("too-many-sheets", count=self.tables, limit=lim.max_sheets)
        elif len(tail) > _TAIL_MAX:
            tail = _drop_tail(tail, (b"table:table-row", b"table:table-cell", b"table:covered-table-cell"))
        self.carry = tail


def _member_start(data: bytes, info: zipfile.ZipInfo) -> int:
    off = info.header_offset
    if off < 0 or off + 30 > len(data) or data[off : off + 4] != b"PK\x03\x04":
        raise _corrupt(f"部件 {info.filename} 的位置信息错误")
    nlen, xlen = struct.unpack_from("<HH", data, off + 26)
    return off + 30 + nlen + xlen


def _inflate(data: bytes, info: zipfile.ZipInfo, sinks: list[_Sink]) -> None:
    """Inflate one member once, streaming: never past its declared size; CRC checked."""
    start = _member_start(data, info)
    end = start + info.compress_size
    if end > len(data):
        raise _corrupt("文件不完整（部件数据被截断）")
    declared = info.file_size
    mv = memoryview(data)[start:end]
    crc = 0
    total = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != declared:
            raise _corrupt(f"部件 {info.filename} 大小不一致")
        for pos in range(0, len(mv), _OUT_CHUNK):
            chunk = bytes(mv[pos : pos + _OUT_CHUNK])
            crc = zlib.crc32(chunk, crc)
            last = pos + _OUT_CHUNK >= len(mv)
            for s in sinks:
                s.feed(chunk, last)
        if not len(mv):
            for s in sinks:
                s.feed(b"", True)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        d = zlib.decompressobj(-15)
        pos = 0
        n = len(mv)
        ended = False
        try:
            while not d.eof:
                if d.unconsumed_tail:
                    inp: bytes | memoryview = d.unconsumed_tail
                elif pos < n:
                    inp = mv[pos : pos + _IN_CHUNK]
                    pos += len(inp)
                else:
                    inp = b""
                # never ask for more than one byte past the declared size
                chunk = d.decompress(inp, min(_OUT_CHUNK, declared - total + 1))
                if chunk:
                    total += len(chunk)
                    if total > declared:
                        raise ReadError(
                            "zip-bomb",
                            detail=f"部件 {info.filename} 实际解压后超过声明的 {human_size(declared)}",
                        )
                    crc = zlib.crc32(chunk, crc)
                    ended = d.eof  # the last piece: sinks see it as final (a small part comes in one)
                    for s in sinks:
                        s.feed(chunk, ended)
                elif not inp:
                    break
        except zlib.error as exc:
            raise _corrupt(f"部件 {info.filename} 压缩数据损坏") from exc
        if not d.eof:
            raise _corrupt(f"部件 {info.filename} 数据不完整")
        if not ended:
            for s in sinks:
                s.feed(b"", True)
    else:
        raise _corrupt(f"部件 {info.filename} 使用了不支持的压缩方式")
    if info.compress_type == zipfile.ZIP_DEFLATED and total != declared:
        raise _corrupt(f"部件 {info.filename} 大小与声明不符")
    if crc != info.CRC:
        raise _corrupt(f"部件 {info.filename} 校验失败（CRC 不符）")


_SHEET_TAG = re.compile(rb"<(?:[^\s<>/!?:\"'=]+:)?sheet\s([^>]*)>")


def _ooxml_sheet_names(workbook: bytes | None, rels: bytes | None) -> dict[str, str]:
    """Worksheet part path → sheet name (best effort, for messages)."""
    if not workbook or not rels:
        return {}
    targets: dict[bytes, str] = {}
    for m in re.finditer(rb"<(?:[^\s<>/!?:\"'=]+:)?Relationship\s([^>]*)>", rels):
        rid, target = _attr(m.group(1), b"Id"), _attr(m.group(1), b"Target")
        if rid is None or target is None:
            continue
        t = target.decode("utf-8", "replace").lstrip("/")
        targets[rid] = t if t.startswith("xl/") else f"xl/{t}"
    out: dict[str, str] = {}
    for m in _SHEET_TAG.finditer(workbook):
        name = _attr(m.group(1), b"name")
        rid = re.search(rb"(?:^|\s)[^\s=]*:id\s*=\s*\"([^\"]*)\"", m.group(1))
        if name is not None and rid and rid.group(1) in targets:
            out[targets[rid.group(1)]] = unescape(
                name.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"}
            )
    return out


def _zipinfo(name: str, m: Member) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.header_offset, info.compress_size, info.file_size = m.offset, m.csize, m.usize
    info.CRC, info.compress_type, info.flag_bits = m.crc, m.method, 0
    return info


def check_zip_members(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, zipfile.ZipInfo]:
    """Central-directory checks (member count, declared sizes and ratios, encryption, duplicates);
    member name → ZipInfo. Nothing is inflated here."""
    plain = plain_members(data)
    if plain is not None:  # the common case, read with struct
        infos = [_zipinfo(name, m) for name, m in plain.items()]
    else:
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except Exception as exc:
            raise _corrupt("压缩包结构不完整，文件可能只保存或传输了一部分") from exc
    if len(infos) > limits.max_members:
        raise ReadError("zip-bomb", detail=f"含有 {len(infos)} 个压缩部件，上限 {limits.max_members}")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _corrupt("压缩包内有重名的部件")
    total = 0
    for i in infos:
        if i.flag_bits & 0x1:
            raise ReadError("file-encrypted")
        if i.file_size > limits.max_member_uncompressed:
            raise ReadError("zip-bomb", detail=f"部件 {i.filename} 解压后 {human_size(i.file_size)}")
        if i.file_size > limits.ratio_floor and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            ratio = i.file_size // max(i.compress_size, 1)
            raise ReadError("zip-bomb", detail=f"部件 {i.filename} 压缩比 {ratio}:1")
        total += i.file_size
    if total > limits.max_uncompressed_total:
        raise ReadError(
            "zip-bomb",
            detail=f"解压后共 {human_size(total)}，上限 {human_size(limits.max_uncompressed_total)}",
        )

    return {i.filename: i for i in infos}


def check_zip(data: bytes, fmt: str, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Verify a zip container before anything parses it; return the small index parts it kept.

    `fmt` is 'xlsx'/'xlsm' (OOXML spreadsheet), 'ods', or anything else for a plain package (docx).
    """
    return _check_zip(data, fmt, limits, repack=False)[0]


def check_zip_inflated(
    data: bytes, fmt: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[dict[str, bytes], list[tuple[zipfile.ZipInfo, bytes]] | None]:
    """`check_zip`, and every member as it was just inflated and verified: (verified info, content), in the
    package's order — or None when the package is large (over _REPACK_MAX inflated), so that a big package
    is never held in memory twice. The reader rebuilds from them what calamine reads (`repack`)."""
    return _check_zip(data, fmt, limits, repack=True)


_REPACK_MAX = 16 * MB  # inflated total up to which every member is kept for the reader


def _check_zip(
    data: bytes, fmt: str, limits: Limits, repack: bool
) -> tuple[dict[str, bytes], list[tuple[zipfile.ZipInfo, bytes]] | None]:
    infos = list(check_zip_members(data, limits).values())
    repack = repack and sum(i.file_size for i in infos) <= _REPACK_MAX
    inflated: dict[str, bytes] = {}
    names = [i.filename for i in infos]
    ooxml = fmt in ("xlsx", "xlsm")
    ods = fmt == "ods"
    required = ("[Content_Types].xml", "xl/workbook.xml") if ooxml else ("content.xml",) if ods else ()
    present = set(names)
    for r in required:
        if r not in present:
            raise _corrupt(f"缺少必需的部件 {r}")

    index = _OOXML_INDEX if ooxml else _ODS_INDEX if ods else ()
    position = {n: k for k, n in enumerate(names)}
    order = sorted(infos, key=lambda i: (i.filename not in index, position[i.filename]))
    kept: dict[str, bytes] = {}
    for info in order:
        name = info.filename
        if name.endswith("/") and info.file_size == 0:
            inflated[name] = b""
            continue
        sinks: list[_Sink] = []
        if _XML_NAME.match(name):
            sinks.append(_HostileScan(name))
        keep: _Keep | None = None
        head: _Head | None = None
        if name in index or repack:
            keep = _Keep()
            sinks.append(keep)
        if ooxml and name.startswith(_OOXML_SHEET_DIRS) and name.endswith(".xml"):

            def sheet_name(part: str = name) -> str:  # only needed for a message
                wb, rels = kept.get("xl/workbook.xml"), kept.get("xl/_rels/workbook.xml.rels")
                return _ooxml_sheet_names(wb, rels).get(part, part)

            sinks.append(_XlsxSheetScan(_Extent(limits, sheet_name)))
        if ooxml and name == "xl/sharedStrings.xml":
            head = _Head()
            sinks.append(head)
        if ods and name == "content.xml":
            sinks.append(_OdsScan(limits))
        _inflate(data, info, sinks)
        if keep is not None:
            content = keep.data
            if content is not None and name in index:
                kept[name] = content
            if repack:
                if content is None:
                    repack = False
                else:
                    inflated[name] = content
        if head is not None:
            m = re.search(rb"\suniqueCount\s*=\s*[\"'](\d+)[\"']", head.data)
            if m and int(m.group(1)) > head.size // 4 + 16:
                raise _corrupt("共享字符串数量与内容不符")
        if ooxml and name == "xl/workbook.xml" and name in kept:
            count = len(_SHEET_TAG.findall(kept[name]))
            if count > limits.max_sheets:
                raise ReadError("too-many-sheets", count=count, limit=limits.max_sheets)
    if not repack:
        return kept, None
    return kept, [(i, inflated[i.filename]) for i in infos]
