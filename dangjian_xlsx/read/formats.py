"""What a file really is, by content only (never by its name): sniff and a human description."""

from __future__ import annotations

import contextlib
import io
import re
import struct
import zipfile
from typing import Any, NamedTuple

from ..ooxml import (
    CONTENT_TYPES,
    ODF_CONTENT,
    ODF_MIMETYPE,
    SPREADSHEET_DIR,
    WORD_DIR,
    WORD_DOCUMENT,
    WORKBOOK,
    WORKBOOK_BIN,
)
from .cfbprops import APP_NAME, summary_property
from .limits import MB
from .zipdir import Directory, inflate, plain_members

SPREADSHEET_FORMATS = frozenset({"xlsx", "xlsm", "xls", "ods"})
DOCUMENT_FORMATS = frozenset({"docx", "doc", "wps", "pdf"})

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# ---------------------------------------------------------------- sniffing


def sniff(data: bytes) -> str:
    """The real format of `data`, by content only.

    One of: xlsx, xlsm, ods, xls, encrypted, docx, doc, wps, pdf, html, zip, empty, text, unknown.
    A zip that is clearly a spreadsheet package (an `xl/` part or a spreadsheetml content type) is 'xlsx'
    even when a required part is missing or the zip is truncated, so that reading it reports it as corrupt.
    """
    return sniff_parsed(data)[0]


class Sniffed(NamedTuple):
    """What `sniff_parsed` found: the format, and the zip's central directory parsed on the way (None when the
    bytes are not a plain zip, or no zip at all), for `read_workbook` to hand on to the safety pass."""

    format: str
    directory: Directory | None


def sniff_parsed(data: bytes) -> Sniffed:
    """`sniff`, with the central directory it parsed (a caller who reads the file next passes both on).
    Never raises: a container too damaged to look into is guessed from its raw bytes."""
    if data[:4] in _ZIP_MAGIC:
        plain = plain_members(data)
        try:
            return Sniffed(_sniff_zip(data, plain), plain)
        except Exception:  # zipfile or zlib on a damaged member: what the raw names tell
            return Sniffed(_sniff_damaged_zip(data), plain)
    try:
        return Sniffed(_sniff_other(data), None)
    except Exception:  # olefile on a damaged compound file
        return Sniffed(_sniff_cfb_raw(data) if data[:8] == CFB_MAGIC else "unknown", None)


def _sniff_damaged_zip(data: bytes) -> str:
    if WORD_DOCUMENT.encode() in data:
        return "docx"
    if WORKBOOK.encode() in data or b"spreadsheetml" in data:
        return "xlsx"
    if ODS_MIMETYPE in data[:256]:
        return "ods"
    return "zip"


def _sniff_other(data: bytes) -> str:
    if not data:
        return "empty"
    head = data[:8]
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


def _sniff_plain_zip(data: bytes, members: Directory | None) -> str | None:
    """The common case without zipfile: a plain zip (zipdir) that is an OOXML workbook; None otherwise."""
    if members is None or WORKBOOK not in members or ODF_MIMETYPE in members:
        return None
    if WORKBOOK_BIN in members or any(n.startswith(WORD_DIR) for n in members):
        return None
    ctypes = members.get(CONTENT_TYPES)
    content = inflate(data, ctypes) if ctypes is not None and ctypes.usize <= MB else None
    if content is None:
        return None
    return "xlsm" if b"macroEnabled" in content else "xlsx"


def _sniff_zip(data: bytes, members: Directory | None) -> str:
    plain = _sniff_plain_zip(data, members)
    if plain is not None:
        return plain
    names, zf = _zip_names(data)
    if ODF_MIMETYPE in names:
        at = 30 + len(ODF_MIMETYPE)  # the first member's name ends here, its stored content follows
        if data[30:at] == ODF_MIMETYPE.encode() and data[at : at + len(ODS_MIMETYPE)] == ODS_MIMETYPE:
            return "ods"
        if zf is not None:
            info = zf.getinfo(ODF_MIMETYPE)
            with contextlib.suppress(Exception):  # a damaged member: the raw bytes below decide
                if info.file_size <= 256 and zf.read(info).strip() == ODS_MIMETYPE:
                    return "ods"
        if ODF_CONTENT in names and ODS_MIMETYPE in data[:256]:
            return "ods"
    if any(n.startswith(WORD_DIR) for n in names):
        return "docx"
    if WORKBOOK_BIN in names:  # xlsb: not accepted
        return "zip"
    if zf is None:  # truncated: use what the local headers and raw names tell
        if WORD_DOCUMENT.encode() in data:
            return "docx"
        if any(n.startswith(SPREADSHEET_DIR) for n in names) or WORKBOOK.encode() in data:
            return "xlsx"
        if CONTENT_TYPES in names and b"spreadsheetml" in data:
            return "xlsx"
        if ODS_MIMETYPE in data[:256]:
            return "ods"
        return "zip"
    has_xl = any(n.startswith(SPREADSHEET_DIR) for n in names)
    ctypes = b""
    if CONTENT_TYPES in names:
        info = zf.getinfo(CONTENT_TYPES)
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
            if "Workbook" in top and _xls_filepass(data, ole):
                return "encrypted"
            return "xls"
        if "WordDocument" in top:
            lowered = " ".join(streams).lower()
            if "wps" in lowered or "kingsoft" in lowered:
                return "wps"
            app = str(summary_property(ole, APP_NAME) or "")  # bounded: olefile's get_metadata is not
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


def _xls_filepass(data: bytes, ole: Any) -> bool:
    """Whether msoffcrypto calls the .xls encrypted. What it reads as an .xls (a Workbook stream, no
    EncryptionInfo or WordDocument, which route it elsewhere) is walked here, on the compound file already
    open (msoffcrypto opens it twice more); anything else is asked of msoffcrypto."""
    try:
        if ole.exists("Workbook") and not ole.exists("EncryptionInfo") and not ole.exists("wordDocument"):
            with ole.openstream("Workbook") as fp:
                return _biff_filepass(fp.read())
        import msoffcrypto

        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:
        return False


_BOF, _EOF, _FILEPASS = 0x0809, 0x000A, 0x002F


def _biff_filepass(stream: bytes) -> bool:
    """msoffcrypto's `Xls97File.is_encrypted` on a Workbook stream: after its BOF, a FILEPASS record (whole)
    before the globals' EOF, whose first two bytes say XOR (0) or RC4 (1); a record cut short is no FILEPASS."""
    if len(stream) < 4 or struct.unpack_from("<H", stream)[0] != _BOF:
        return False
    pos = 4 + struct.unpack_from("<H", stream, 2)[0]
    while pos + 4 <= len(stream):
        num, size = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + size > len(stream):
            return False
        if num == _FILEPASS:
            kind = stream[pos + 4 : pos + 6]  # read whatever the record's size (msoffcrypto does)
            return len(kind) == 2 and struct.unpack("<H", kind)[0] in (0, 1)
        if num == _EOF:
            return False
        pos += 4 + size
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
    if fmt == "zip" and WORKBOOK_BIN.encode() in data:
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
