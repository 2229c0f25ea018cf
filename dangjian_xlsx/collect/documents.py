"""Recognise a branch's 自查报告 (.docx/.doc/.wps/.pdf) by its file name or its first page of text.

A document counts as a branch's report when its file name — or, for .docx and .pdf, the start of its
text — names exactly one roster branch: by full name, or by the name without a trailing
党总支/党委/直属党支部 when that short name is unambiguous in the roster. Full names are tried before
short names, the file name before the text; an occurrence of a name inside a longer occurrence of
another branch's name does not count.
"""

from __future__ import annotations

import html
import io
import logging
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import PurePosixPath

from ..models import Branch
from ..ooxml import WORD_DOCUMENT
from ..read import DEFAULT_LIMITS, DOCUMENT_FORMATS, Limits, ReadError, check_zip_members

SUFFIXES = ("直属党支部", "党总支", "党委")
TEXT_CHARS = 2_000  # "the first page": the first ~2,000 characters of text
_DOCX_XML_BYTES = 512 * 1024  # inflate at most this much of word/document.xml
_PDF_MAX_BYTES = 20 * 1024 * 1024

_SPACE = re.compile(r"\s+")
_W_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(?:p|br|tab)[\s/>]")


def normalize(text: str) -> str:
    """NFKC, no whitespace (PDF text often comes with spaces or line breaks between characters)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def short_name(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _short_names(roster: Sequence[Branch]) -> dict[str, Branch]:
    """Short name → branch, for short names that are unambiguous in the roster."""
    seen: dict[str, list[Branch]] = {}
    for b in roster:
        s = normalize(short_name(b.name))
        if s and s != normalize(b.name) and len(s) >= 2:
            seen.setdefault(s, []).append(b)
    fulls = {normalize(b.name) for b in roster}
    return {s: bs[0] for s, bs in seen.items() if len(bs) == 1 and s not in fulls}


def _named(text: str, names: dict[str, Branch]) -> set[str]:
    """Ids of branches whose name occurs in text, ignoring an occurrence that lies inside a longer
    occurrence of another branch's name (化学院 inside 生物化学院)."""
    spans: list[tuple[int, int, str]] = []
    for n, b in names.items():
        start = text.find(n)
        while start >= 0:
            spans.append((start, start + len(n), b.id))
            start = text.find(n, start + 1)
    return {
        bid
        for s, e, bid in spans
        if not any(o != bid and s2 <= s and e <= e2 and e2 - s2 > e - s for s2, e2, o in spans)
    }


def branches_named(text: str, roster: Sequence[Branch]) -> list[Branch]:
    """The roster branches a text names: full names first; short names only when no full name is found."""
    text = normalize(text)
    if not text:
        return []
    by_id = {b.id: b for b in roster}
    full = {normalize(b.name): b for b in roster if normalize(b.name)}
    shorts = _short_names(roster)
    ids = _named(text, full)
    if not ids:
        ids = _named(text, shorts)
    return [by_id[i] for i in sorted(ids)]


def _one(text: str, roster: Sequence[Branch]) -> Branch | None:
    found = branches_named(text, roster)
    return found[0] if len(found) == 1 else None


def identify_report(
    name: str, data: bytes, fmt: str, roster: Sequence[Branch], limits: Limits = DEFAULT_LIMITS
) -> Branch | None:
    """The branch whose 自查报告 this document is, or None (0 or several branches named)."""
    if fmt not in DOCUMENT_FORMATS or not roster:
        return None
    stem = PurePosixPath(name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    hit = _one(stem, roster)
    if hit is not None:
        return hit
    if fmt == "docx":
        text = docx_text(data, limits)
    elif fmt == "pdf":
        text = pdf_text(data)
    else:
        return None
    return _one(text, roster) if text else None


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
