"""Recognise a branch's 自查报告 (.docx/.doc/.wps/.pdf) by its file name or its first page of text.

A document counts as a branch's report when its file name — or, for .docx and .pdf, the start of its
text — names exactly one roster branch: by full name, or by the names people use for it (without its
parentheticals, without a trailing 党总支/党委/直属党支部, the roster's 简称: see catalog/names.py) when such
a name is unambiguous in the roster. Full names are tried before other names, the file name before the
text; an occurrence of a name inside a longer occurrence of another branch's name does not count.

A document whose name or title plainly says 自查报告 (自查情况报告 …) but names no single branch is still a
自查报告 (`ReportMatch.plainly_report`): collect lists it as one whose branch must be told by renaming it.
An OpenDocument text, plain text or RTF file is a document people open too (`report_format`: when its name
says so and its content agrees); it is recognised by its name only.

A file whose name plainly says 自查报告 but which cannot be opened as a document — empty, damaged, with a
password, or other content under a document's name (random bytes, a renamed .txt) — is such a report that
could not be used (`unreadable_reason` says why): collect rejects it for the branch its name shows.
"""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..catalog import normalize, roster_names, strip_suffix
from ..messages import Code
from ..models import Branch
from ..ooxml import WORD_DOCUMENT
from ..read import DEFAULT_LIMITS, DOCUMENT_FORMATS, Limits, ReadError, check_zip_members, describe

TEXT_CHARS = 2_000  # "the first page": the first ~2,000 characters of text
_DOCX_XML_BYTES = 512 * 1024  # inflate at most this much of word/document.xml
_PDF_MAX_BYTES = 20 * 1024 * 1024

_PDF_TAIL = 4096  # a complete PDF ends with %%EOF (within its last 1,024 bytes, by the standard)

# Documents people open that are recognised by their name only, when the name's suffix says so and the content
# agrees (a renamed file is not one): suffix → format
OTHER_DOCUMENTS = {".odt": "odt", ".txt": "txt", ".rtf": "rtf"}
REPORT_FORMATS = DOCUMENT_FORMATS | frozenset(OTHER_DOCUMENTS.values())
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

_REPORT_WORDS = re.compile(r"自查(?:情况)?报告")
TITLE_CHARS = 300  # a document's title: its first lines
_W_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(?:p|br|tab)[\s/>]")


def short_name(name: str) -> str:
    """The name without its trailing 党总支/党委/直属党支部/党支部."""
    return strip_suffix(name)


def branches_named(text: str, roster: Sequence[Branch]) -> list[Branch]:
    """The roster branches a text names: full names first; other names (no parentheticals, no suffix, 简称)
    only when no full name is found."""
    return roster_names(tuple(roster)).named_preferring_full(text)


def _one(text: str, roster: Sequence[Branch]) -> Branch | None:
    found = branches_named(text, roster)
    return found[0] if len(found) == 1 else None


def is_report_title(text: str) -> bool:
    """True when a file name or a document's first lines say it is a 自查报告 (自查情况报告 …)."""
    return _REPORT_WORDS.search(normalize(text)[:TITLE_CHARS]) is not None


@dataclass(frozen=True)
class ReportMatch:
    """What a document is: the branch whose 自查报告 it is (None: not known), and whether its name or title
    plainly says it is a 自查报告."""

    branch: Branch | None
    plainly_report: bool


def match_report(
    name: str, data: bytes, fmt: str, roster: Sequence[Branch], limits: Limits = DEFAULT_LIMITS
) -> ReportMatch:
    """The document's branch (its file name first, then its first page of text) and whether it is plainly
    a 自查报告."""
    if fmt not in REPORT_FORMATS:
        return ReportMatch(None, False)
    stem = _stem(name)
    titled = is_report_title(stem)
    hit = _one(stem, roster) if roster else None
    if hit is not None:
        return ReportMatch(hit, titled)
    if fmt == "docx":
        text = docx_text(data, limits)
    elif fmt == "pdf":
        text = pdf_text(data)
    else:
        text = ""
    hit = _one(text, roster) if text and roster else None
    return ReportMatch(hit, titled or (bool(text) and is_report_title(text)))


def _stem(name: str) -> str:
    """A file's name without its folders and its suffix."""
    stem = PurePosixPath(name.replace("\\", "/")).name
    return stem.rsplit(".", 1)[0] if "." in stem else stem


def named_report(name: str, roster: Sequence[Branch]) -> tuple[bool, Branch | None]:
    """Whether a file's name plainly says 自查报告, and the one roster branch it names (None: none or several)."""
    stem = _stem(name)
    return is_report_title(stem), (_one(stem, roster) if roster else None)


def report_format(name: str, data: bytes, fmt: str) -> str | None:
    """The format a 自查报告 is read as: Word, WPS or PDF as sniffed; odt, txt or rtf when the name's suffix
    says so and the content agrees; None for anything else."""
    if fmt in DOCUMENT_FORMATS:
        return fmt
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    other = OTHER_DOCUMENTS.get(suffix)
    if other == "odt" and fmt == "zip" and _ODT_MIMETYPE in data[:256]:  # its stored mimetype comes first
        return other
    if other == "txt" and fmt == "text":
        return other
    if other == "rtf" and data.lstrip()[:5] == b"{\\rtf":
        return other
    return None


def unreadable_reason(data: bytes, fmt: str, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why a file sent as a document cannot be opened as one (`fmt`: its sniffed format, or its
    `report_format`); None when it opens. Only what surely fails is said: a document the tool merely cannot
    read the text of (a .doc, a scanned PDF, a very large .docx) opens."""
    if fmt == "empty" or not data:
        return "文件是空的，0 字节"
    if fmt == "encrypted":
        return "文件设置了打开密码"
    damaged = "文件已损坏或不完整，可能只保存或传输了一部分"
    if fmt == "docx":
        try:
            infos = check_zip_members(data, limits)
        except ReadError as exc:
            if exc.code is Code.FILE_ENCRYPTED:
                return "文件设置了打开密码"
            return damaged if exc.code is Code.FILE_CORRUPT else None
        return None if WORD_DOCUMENT in infos else damaged
    if fmt == "pdf":
        return None if b"%%EOF" in data[-_PDF_TAIL:] else damaged
    if fmt in ("doc", "wps"):
        return None if _cfb_opens(data) else damaged
    if fmt in REPORT_FORMATS:
        return None
    return f"实际内容是{describe(data, fmt)}，不是 Word 或 PDF 文档"


def _cfb_opens(data: bytes) -> bool:
    import olefile

    try:
        olefile.OleFileIO(io.BytesIO(data)).close()
    except Exception:
        return False
    return True


def identify_report(
    name: str, data: bytes, fmt: str, roster: Sequence[Branch], limits: Limits = DEFAULT_LIMITS
) -> Branch | None:
    """The branch whose 自查报告 this document is, or None (0 or several branches named)."""
    return match_report(name, data, fmt, roster, limits).branch


# ---------------------------------------------------------------- text extraction


def docx_text(data: bytes, limits: Limits = DEFAULT_LIMITS, chars: int = TEXT_CHARS) -> str:
    """The first `chars` characters of a .docx body text; '' when it cannot be read safely."""
    try:
        infos = check_zip_members(data, limits)
    except ReadError:
        return ""
    info = infos.get(WORD_DOCUMENT)
    if info is None:
        return ""
    raw = _inflate_head(data, info, _DOCX_XML_BYTES)
    if raw is None or re.search(rb"<!(?![-\[])", raw):
        return ""
    parts: list[str] = []
    size = 0
    for m in _W_TEXT.finditer(raw):
        piece = html.unescape(m.group(1).decode("utf-8", "replace")) if m.group(1) is not None else "\n"
        parts.append(piece)
        size += len(piece)
        if size >= chars:
            break
    return "".join(parts)[:chars]


def _inflate_head(data: bytes, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """At most `cap` bytes of one member, inflated without ever holding more."""
    off = info.header_offset
    if data[off : off + 4] != b"PK\x03\x04":
        return None
    start = off + 30 + int.from_bytes(data[off + 26 : off + 28], "little")
    start += int.from_bytes(data[off + 28 : off + 30], "little")
    body = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        return bytes(body[:cap])
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return None
    try:
        return zlib.decompressobj(-15).decompress(body, cap)
    except zlib.error:
        return None


def pdf_text(data: bytes, chars: int = TEXT_CHARS) -> str:
    """The text of a PDF's first page (pypdf), '' on any failure."""
    if not data or len(data) > _PDF_MAX_BYTES:
        return ""
    try:
        from pypdf import PdfReader

        logging.getLogger("pypdf").setLevel(logging.ERROR)
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted or not reader.pages:
            return ""
        return (reader.pages[0].extract_text() or "")[:chars]
    except Exception:
        return ""
