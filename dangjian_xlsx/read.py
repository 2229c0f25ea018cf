"""bytes → RawWorkbook: sniff the real format, enforce safe limits, read every sheet with python-calamine.

Nothing here trusts the file. Before python-calamine sees the bytes, a cheap pre-pass checks what calamine
would otherwise allocate blindly (calamine is Rust: an allocation failure aborts the whole process, it does
not raise):

- zip containers (xlsx/xlsm/ods): the central directory (member count, declared sizes, ratios), then every
  member is inflated once, streaming, never past its declared size, with its CRC checked; XML parts are
  scanned for DTD declarations (OOXML and ODF parts never legitimately contain one), worksheet parts for
  the extent of their value cells (calamine builds a dense rows × columns grid from them);
- .xls (CFB/BIFF8): header and directory sizes, then a walk of the BIFF records for the sheet count, the
  declared DIMENSIONS, the value cells' extent and the shared-string count.

Every failure is a `ReadError(code, **fields)` with `code` a key of `messages.MESSAGES`; `fields` are
ready for `messages.render(err.code, file=..., **err.fields)` (a sheet name travels as `sheet`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import unescape

from .messages import MESSAGES
from .models import RawSheet, RawWorkbook

KB = 1024
MB = 1024 * KB

SPREADSHEET_FORMATS = frozenset({"xlsx", "xlsm", "xls", "ods"})
DOCUMENT_FORMATS = frozenset({"docx", "doc", "wps", "pdf"})

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class Limits:
    """What a returned form may plausibly be. Generous for real forms, tight for hostile files."""

    max_file_bytes: int = 20 * MB
    max_uncompressed_total: int = 200 * MB
    max_member_uncompressed: int = 100 * MB
    max_ratio: int = 200  # uncompressed : compressed, for members larger than ratio_floor
    ratio_floor: int = 1 * MB
    max_members: int = 2_000
    max_sheets: int = 200
    max_rows: int = 10_000
    max_cols: int = 200
    max_text: int = 10_000  # characters kept of one cell's text


DEFAULT_LIMITS = Limits()


class ReadError(Exception):
    """A file that cannot be read as a form. `code` is a key of messages.MESSAGES."""

    def __init__(self, code: str, **fields: Any) -> None:
        if code not in MESSAGES:  # pragma: no cover - a programming error
            raise KeyError(code)
        self.code = code
        self.fields = fields
        super().__init__(code, fields)

    @property
    def message(self) -> str:
        """The Chinese message (without the file position)."""
        fields = dict(self.fields)
        sheet = fields.pop("sheet", "")
        value = fields.pop("value", "")
        fields.pop("cell", None)
        fields.pop("field", None)
        return MESSAGES[self.code][1].format(sheet_name=sheet, value=value, **fields)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def _corrupt(reason: str) -> ReadError:
    return ReadError("file-corrupt", reason=reason)


def human_size(n: int) -> str:
    """1536 → '1.5 KB'; sizes in binary units, one decimal below 10."""
    size = float(n)
    for unit in ("字节", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            if unit == "字节":
                return f"{int(size)} 字节"
            return f"{size:.1f} {unit}" if size < 10 else f"{size:.0f} {unit}"
        size /= 1024
    return f"{n} 字节"  # pragma: no cover


# ---------------------------------------------------------------- sniffing


def sniff(data: bytes) -> str:
    """The real format of `data`, by content only.

    One of: xlsx, xlsm, ods, xls, encrypted, docx, doc, wps, pdf, html, zip, empty, text, unknown.
    A zip that is clearly a spreadsheet package (an `xl/` part or a spreadsheetml content type) is 'xlsx'
    even when a required part is missing or the zip is truncated, so that reading it reports it as corrupt.
    """
    if not data:
        return "empty"
    head = data[:8]
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _sniff_zip(data)
    if head == CFB_MAGIC:
        return _sniff_cfb(data)
    start = data[:1024]
    if b"%PDF-" in start:
        return "pdf"
    if _looks_html(data[:4096]):
        return "html"
    if _looks_text(data[:4096]):
        return "text"
    return "unknown"


_HTML = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|table|meta\s)|mime-version:\s*1\.0|content-type:\s*multipart/related",
    re.IGNORECASE,
)


def _looks_html(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 HTML export
        head = head.decode("utf-16", "ignore").encode("utf-8", "ignore")
    return _HTML.search(head) is not None


def _looks_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if controls > len(head) // 100:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            head.decode(enc)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut by the 4 KB window
                return True
    return False


def _zip_names(data: bytes) -> tuple[list[str], zipfile.ZipFile | None]:
    """Member names from the central directory, or from the local headers when it is unreadable."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        return zf.namelist(), zf
    except Exception:
        pass
    names: list[str] = []
    pos = 0
    while len(names) < 64 and data[pos : pos + 4] == b"PK\x03\x04" and pos + 30 <= len(data):
        flags, csize, nlen, xlen = struct.unpack_from("<H10xI4xHH", data, pos + 6)
        names.append(data[pos + 30 : pos + 30 + nlen].decode("utf-8", "replace"))
        if flags & 0x08:  # sizes in a data descriptor after the data: cannot skip
            break
        pos += 30 + nlen + xlen + csize
    return names, None


def _sniff_zip(data: bytes) -> str:
    names, zf = _zip_names(data)
    if "mimetype" in names:
        if data[30:38] == b"mimetype" and data[38 : 38 + len(ODS_MIMETYPE)] == ODS_MIMETYPE:
            return "ods"
        if zf is not None:
            info = zf.getinfo("mimetype")
            if info.file_size <= 256 and zf.read(info).strip() == ODS_MIMETYPE:
                return "ods"
        if "content.xml" in names and ODS_MIMETYPE in data[:256]:
            return "ods"
    if any(n.startswith("word/") for n in names):
        return "docx"
    if "xl/workbook.bin" in names:  # xlsb: not accepted
        return "zip"
    if zf is None:  # truncated: use what the local headers and raw names tell
        if b"word/document.xml" in data:
            return "docx"
        if any(n.startswith("xl/") for n in names) or b"xl/workbook.xml" in data:
            return "xlsx"
        if "[Content_Types].xml" in names and b"spreadsheetml" in data:
            return "xlsx"
        if ODS_MIMETYPE in data[:256]:
            return "ods"
        return "zip"
    has_xl = any(n.startswith("xl/") for n in names)
    ctypes = b""
    if "[Content_Types].xml" in names:
        info = zf.getinfo("[Content_Types].xml")
        if info.file_size <= MB:
            try:
                ctypes = zf.read(info)
            except Exception:
                ctypes = b""
    if has_xl or b"spreadsheetml" in ctypes:
        return "xlsm" if b"macroEnabled" in ctypes else "xlsx"
    return "zip"


def _sniff_cfb(data: bytes) -> str:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:
        return _sniff_cfb_raw(data)
    try:
        streams = {"/".join(p) for p in ole.listdir(streams=True, storages=True)}
        top = {s.split("/")[0] for s in streams}
        if {"EncryptionInfo", "EncryptedPackage"} <= top:
            return "encrypted"
        if "Workbook" in top or "Book" in top:
            if "Workbook" in top and _xls_filepass(data):
                return "encrypted"
            return "xls"
        if "WordDocument" in top:
            lowered = " ".join(streams).lower()
            if "wps" in lowered or "kingsoft" in lowered:
                return "wps"
            try:
                app = (ole.get_metadata().creating_application or b"").decode("latin-1", "ignore")
            except Exception:
                app = ""
            return "wps" if "wps" in app.lower() or "kingsoft" in app.lower() else "doc"
        if any("wps" in s.lower() for s in top):
            return "wps"
        if "EncryptionInfo" in top:
            return "encrypted"
        return "unknown"
    finally:
        ole.close()


def _sniff_cfb_raw(data: bytes) -> str:
    """A CFB that olefile cannot open (truncated, damaged): guess from the UTF-16 directory names."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    return "unknown"


def _xls_filepass(data: bytes) -> bool:
    try:
        import msoffcrypto

        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:
        return False


_DESCRIPTIONS = {
    "docx": "Word 文档（.docx）",
    "doc": "Word 文档（.doc）",
    "wps": "WPS 文字文档",
    "pdf": "PDF 文档",
    "html": "网页（HTML）",
    "zip": "ZIP 压缩包",
    "text": "纯文本",
    "empty": "空文件",
}


def describe(data: bytes, fmt: str | None = None) -> str:
    """A short Chinese description of what the bytes really are (for 'file-not-spreadsheet')."""
    fmt = fmt or sniff(data)
    if fmt == "zip" and b"xl/workbook.bin" in data:
        return "Excel 二进制工作簿（.xlsb），请另存为 .xlsx"
    if fmt in _DESCRIPTIONS:
        return _DESCRIPTIONS[fmt]
    if fmt in SPREADSHEET_FORMATS:
        return f"表格文件（.{fmt}）"
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG 图片"
    if head.startswith(b"\x89PNG"):
        return "PNG 图片"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF 图片"
    if head.startswith(b"BM"):
        return "BMP 图片"
    if head.startswith((b"Rar!", b"7z\xbc\xaf")):
        return "压缩包"
    if head == CFB_MAGIC[: len(head)] and len(head) >= 8:
        return "其他 Office 文件"
    return "无法识别的数据"


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

    def feed(self, chunk: bytes, final: bool) -> None:
        buf = self.carry + chunk if self.carry else chunk
        cut = len(buf) if final else buf.rfind(b"<")
        if cut < 0:
            cut = len(buf)
        if not self._plain(buf, cut):
            self._tags(buf, cut)
        tail = buf[cut:]
        if final and tail:
            tail = b""
        elif len(tail) > _TAIL_MAX:
            tail = _drop_tail(tail, (b"c", b"row"))
        self.carry = tail

    def _plain(self, buf: bytes, cut: int) -> bool:
        """Quickest path (what Excel, WPS, LibreOffice, openpyxl and xlsxwriter write): every cell tag is an
        unprefixed `<c r="A1"…`, and the extent of *all* cells, blank or not, is within the limits — a
        superset of what calamine materialises, so nothing can exceed them. One C-level pass with a literal
        prefix. False when unsure: `_tags` then decides exactly (and may still accept)."""
        if _PREFIXED_C.search(buf, 0, cut):
            return False
        refs = _PLAIN_C.findall(buf, 0, cut)
        if not refs:
            return True  # no cell tag at all
        letters, digits = zip(*refs, strict=True)
        if b"" in digits:  # a `<c` without a leading plain r="A1"
            return False
        rows = max(map(int, digits))
        cols = max(map(_col_number, set(letters)))
        limits = self.extent.limits
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
                    for s in sinks:
                        s.feed(chunk, False)
                elif not inp:
                    break
        except zlib.error as exc:
            raise _corrupt(f"部件 {info.filename} 压缩数据损坏") from exc
        if not d.eof:
            raise _corrupt(f"部件 {info.filename} 数据不完整")
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


def check_zip_members(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, zipfile.ZipInfo]:
    """Central-directory checks (member count, declared sizes and ratios, encryption, duplicates);
    member name → ZipInfo. Nothing is inflated here."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
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
    infos = list(check_zip_members(data, limits).values())
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
            continue
        sinks: list[_Sink] = []
        if _XML_NAME.match(name):
            sinks.append(_HostileScan(name))
        keep: _Keep | None = None
        head: _Head | None = None
        if name in index:
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
        if keep is not None and keep.data is not None:
            kept[name] = keep.data
        if head is not None:
            m = re.search(rb"\suniqueCount\s*=\s*[\"'](\d+)[\"']", head.data)
            if m and int(m.group(1)) > head.size // 4 + 16:
                raise _corrupt("共享字符串数量与内容不符")
        if ooxml and name == "xl/workbook.xml" and name in kept:
            count = len(_SHEET_TAG.findall(kept[name]))
            if count > limits.max_sheets:
                raise ReadError("too-many-sheets", count=count, limit=limits.max_sheets)
    return kept


# ---------------------------------------------------------------- xls (CFB + BIFF8)


def _u16(b: bytes, off: int) -> int:
    return int.from_bytes(b[off : off + 2], "little")


def _u32(b: bytes, off: int) -> int:
    return int.from_bytes(b[off : off + 4], "little")


def check_xls(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dt.datetime | None:
    """Verify a CFB/BIFF .xls before calamine reads it; return its last-saved time when recorded."""
    import olefile

    if len(data) < 512:
        raise _corrupt("文件不完整")
    shift, mini = _u16(data, 30), _u16(data, 32)
    if shift not in (9, 12) or mini != 6:
        raise _corrupt("文件头信息错误")
    ssize = 1 << shift
    most = len(data) // ssize + 1
    for off in (40, 44, 64, 72):  # directory, FAT, mini FAT, DIFAT sector counts
        if _u32(data, off) > most:
            raise _corrupt("文件结构信息与文件大小不符")
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise _corrupt("文件结构损坏或不完整") from exc
    try:
        ole.directory_fp.seek(0)
        directory = ole.directory_fp.read()
        wide = ssize == 4096
        for off in range(0, len(directory) - 127, 128):
            size = int.from_bytes(directory[off + 120 : off + (128 if wide else 124)], "little")
            if directory[off + 66] != 0 and size > len(data):  # a used entry claiming more than the file
                raise _corrupt("文件结构信息与文件大小不符")
        name = "Workbook" if ole.exists("Workbook") else "Book" if ole.exists("Book") else None
        if name is None:
            raise _corrupt("缺少工作簿数据流")
        stream = ole.openstream(name).read()
        saved_at: dt.datetime | None = None
        try:
            meta = ole.get_metadata()
            saved = meta.last_saved_time
            if isinstance(saved, dt.datetime) and saved.year > 1980:
                saved_at = saved.replace(tzinfo=None)
        except Exception:
            saved_at = None
    finally:
        ole.close()
    _check_biff(stream, limits)
    return saved_at


_BIFF_CELLS = frozenset({0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006})


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
        if typ == 0x000A:  # EOF of the globals substream
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
                raise _corrupt("共享字符串数量与内容不符")
    if len(sheets) > limits.max_sheets:
        raise ReadError("too-many-sheets", count=len(sheets), limit=limits.max_sheets)
    budget = 4 * len(stream) + 64 * KB
    seen: set[int] = set()
    for pos, name in sheets:
        if pos in seen:
            continue
        seen.add(pos)
        extent = _Extent(limits, lambda n=name: n)
        for typ, off, size in _records(stream, pos):
            budget -= size + 4
            if budget < 0:
                raise _corrupt("工作表结构异常")
            if typ == 0x000A:
                break
            if typ == 0x0200:  # DIMENSIONS: calamine reserves rows × cols cells
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
                    continue
                if rl >= 1 and cl >= 1:
                    rows = (rl - 1 - rf + 1) % (1 << 32)
                    cols = (cl - 1 - cf + 1) % (1 << 32)
                    extent.check(rows, cols)
            elif typ in _BIFF_CELLS and size >= 4:
                extent.check(_u16(stream, off) + 1, _u16(stream, off + 2) + 1)
            elif typ == 0x00BD and size >= 6:  # MulRk: row, first col, …, last col
                extent.check(_u16(stream, off) + 1, _u16(stream, off + size - 2) + 1)


# ---------------------------------------------------------------- reading


def _visibility(value: Any) -> str:
    from python_calamine import SheetVisibleEnum

    if value == SheetVisibleEnum.VeryHidden:
        return "veryhidden"
    if value == SheetVisibleEnum.Hidden:
        return "hidden"
    return "visible"


def _saved_at_ooxml(core: bytes | None) -> dt.datetime | None:
    if not core:
        return None
    from defusedxml import ElementTree as SafeET

    try:
        root = SafeET.fromstring(core)
    except Exception:
        return None
    el = root.find("{http://purl.org/dc/terms/}modified")
    return _parse_when(el.text if el is not None else None)


def _saved_at_ods(meta: bytes | None) -> dt.datetime | None:
    if not meta:
        return None
    from defusedxml import ElementTree as SafeET

    try:
        root = SafeET.fromstring(meta)
    except Exception:
        return None
    el = root.find(".//{http://purl.org/dc/elements/1.1/}date")
    return _parse_when(el.text if el is not None else None)


def _parse_when(text: str | None) -> dt.datetime | None:
    """W3CDTF / ISO 8601 → naive datetime (UTC when the text had a zone, else as written)."""
    if not text:
        return None
    text = text.strip()
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        m = re.match(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})", text)
        if not m:
            return None
        value = dt.datetime.fromisoformat(m.group(1))
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def read_workbook(
    data: bytes, name: str, limits: Limits = DEFAULT_LIMITS, *, fmt: str | None = None
) -> RawWorkbook:
    """Read every sheet's values (hidden and very hidden too) of a spreadsheet given as bytes.

    `name` is only used for messages; the format is decided by content (`fmt`: what `sniff(data)` already
    said, so that a caller who sniffed does not pay for it twice). Raises ReadError only.
    Over-long cell texts are cut to `limits.max_text` characters and reported in `RawWorkbook.notes`
    as ('text-too-long', fields) with fields ready for messages.render (sheet, cell, length, limit).
    """
    try:
        return _read(data, limits, fmt)
    except ReadError:
        raise
    except MemoryError as exc:
        raise ReadError(
            "file-too-large", size=human_size(len(data)), limit=human_size(limits.max_file_bytes)
        ) from exc
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # pyo3 turns Rust panics into BaseException subclasses
        raise _corrupt(_short_reason(exc)) from exc


def _short_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if len(text) > 80:
        text = text[:77] + "..."
    return f"表格内容无法解析：{text}"


def _read(data: bytes, limits: Limits, fmt: str | None = None) -> RawWorkbook:
    if not data:
        raise ReadError("file-empty")
    if len(data) > limits.max_file_bytes:
        raise ReadError("file-too-large", size=human_size(len(data)), limit=human_size(limits.max_file_bytes))
    fmt = fmt or sniff(data)
    if fmt == "encrypted":
        raise ReadError("file-encrypted")
    if fmt == "html":
        raise ReadError("file-html-as-xls")
    if fmt not in SPREADSHEET_FORMATS:
        raise ReadError("file-not-spreadsheet", actual=describe(data, fmt))

    saved_at: dt.datetime | None
    if fmt == "xls":
        saved_at = check_xls(data, limits)
    else:
        kept = check_zip(data, fmt, limits)
        saved_at = (
            _saved_at_ods(kept.get("meta.xml"))
            if fmt == "ods"
            else _saved_at_ooxml(kept.get("docProps/core.xml"))
        )
    return _calamine(data, fmt, saved_at, limits)


def _calamine(data: bytes, fmt: str, saved_at: dt.datetime | None, limits: Limits) -> RawWorkbook:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise ReadError("file-encrypted") from exc
    except CalamineError as exc:
        raise _corrupt(_short_reason(exc)) from exc
    metas = wb.sheets_metadata
    if len(metas) > limits.max_sheets:
        raise ReadError("too-many-sheets", count=len(metas), limit=limits.max_sheets)
    sheets: list[RawSheet] = []
    notes: list[tuple[str, dict[str, Any]]] = []
    for meta in metas:
        visibility = _visibility(meta.visible)
        if meta.typ != SheetTypeEnum.WorkSheet:
            sheets.append(RawSheet.model_construct(name=meta.name, visibility=visibility, rows=[]))
            continue
        try:
            sheet = wb.get_sheet_by_name(meta.name)
        except PasswordError as exc:
            raise ReadError("file-encrypted") from exc
        except CalamineError as exc:
            if type(exc).__name__ == "WorksheetNotFound":  # listed in the workbook, its part is missing
                raise _corrupt(f"工作表“{meta.name}”的内容缺失") from exc
            raise _corrupt(_short_reason(exc)) from exc
        end = sheet.end
        if end is not None:
            rows_n, cols_n = end[0] + 1, end[1] + 1
            if rows_n > limits.max_rows or cols_n > limits.max_cols:
                raise ReadError(
                    "sheet-too-large",
                    sheet=meta.name,
                    detail=f"数据区域达到 {rows_n} 行 × {cols_n} 列，上限 {limits.max_rows} 行 × {limits.max_cols} 列",
                )
            rows = sheet.to_python(skip_empty_area=False)
        else:
            rows = []
        _truncate_texts(meta.name, rows, limits.max_text, notes)
        sheets.append(RawSheet.model_construct(name=meta.name, visibility=visibility, rows=rows))
    wb.close()
    return RawWorkbook.model_construct(fmt=fmt, sheets=sheets, saved_at=saved_at, notes=notes)


def _truncate_texts(
    sheet: str, rows: list[list[Any]], limit: int, notes: list[tuple[str, dict[str, Any]]]
) -> None:
    from .layout import a1

    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if type(v) is str and len(v) > limit:
                row[c] = v[:limit]
                notes.append(
                    ("text-too-long", {"sheet": sheet, "cell": a1(r, c), "length": len(v), "limit": limit})
                )
