"""The part names of the zip packages the project reads and writes, and which part holds which sheet.

Names are zip member names (no leading slash). `sheet_parts` is the one reader of a workbook's sheet → part
map: the <sheet> tags of xl/workbook.xml joined with the Relationships of xl/_rels/workbook.xml.rels, the
part resolved as calamine resolves it (a Target relative to xl/, or absolute). It works on bytes that the
reader's safety pass verified (no DTD, no entities) or that the project wrote, with regular expressions:
best effort, it never raises — a sheet whose tag or relationship it cannot read is left out.
"""

from __future__ import annotations

import functools
import re

# OOXML (Open Packaging Conventions)
CONTENT_TYPES = "[Content_Types].xml"
CORE_PROPERTIES = "docProps/core.xml"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHARED_STRINGS = "xl/sharedStrings.xml"
WORKBOOK_BIN = "xl/workbook.bin"  # an .xlsb's workbook
SPREADSHEET_DIR = "xl/"
SHEET_DIRS = ("xl/worksheets/", "xl/dialogsheets/", "xl/macrosheets/", "xl/chartsheets/")
WORD_DIR = "word/"
WORD_DOCUMENT = "word/document.xml"

# OpenDocument
ODF_MIMETYPE = "mimetype"
ODF_CONTENT = "content.xml"
ODF_META = "meta.xml"

_PREFIX = rb"(?:[^\s<>/!?:\"'=]+:)?"
_SHEET_TAG = re.compile(rb"<" + _PREFIX + rb"sheet\s([^<>]*+)>")  # one pass: a tag never holds "<"
_RELATIONSHIP_TAG = re.compile(rb"<" + _PREFIX + rb"Relationship\s([^<>]*+)>")
_PREFIXED_ID = re.compile(rb"(?:^|\s)([^\s=]*):id\s*=\s*\"([^\"]*)\"")
_RELATIONSHIP_PREFIXES = (b"r", b"relationships")  # the prefixes calamine takes a sheet's r:id from
_ENTITIES = {"&quot;": '"', "&apos;": "'"}  # with &amp; &lt; &gt;, which unescape always replaces


def unescape(text: str, entities: dict[str, str] = _ENTITIES) -> str:
    """An attribute's text with XML's five entities replaced, as `xml.sax.saxutils.unescape(text, entities)`
    replaces them (&amp; last), without that module: it imports urllib's opener, and with it ssl and http,
    before a collect reads its first file."""
    text = text.replace("&lt;", "<").replace("&gt;", ">")
    for entity, char in entities.items():
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def attribute(attrs: bytes, name: bytes) -> bytes | None:
    """The raw (still escaped) value of attribute `name` in a tag's attribute text; None when absent."""
    if name not in attrs:  # one memchr-speed search: the common case of a tag without it
        return None
    m = _attribute_pattern(name).search(attrs)
    if not m:
        return None
    value: bytes = m.group(1) if m.group(1) is not None else m.group(2)
    return value


@functools.lru_cache(maxsize=64)
def _attribute_pattern(name: bytes) -> re.Pattern[bytes]:
    """The pattern of attribute `name`, compiled once (the scans look up a few names, per tag)."""
    return re.compile(rb"(?:^|\s)" + re.escape(name) + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def sheet_parts(workbook: bytes | None, rels: bytes | None) -> list[tuple[str, str]]:
    """(sheet name, part) for every <sheet> of xl/workbook.xml whose relationship is found in
    xl/_rels/workbook.xml.rels, in workbook order; [] when either part is missing.

    A name is unescaped; a sheet's relationship id is its r:id (or relationships:id; any other prefix's :id
    when it has neither); a Target with a leading slash is absolute, any other is relative to xl/.
    A <definedName> is not a sheet, nor is anything else but a <sheet> tag (any namespace prefix)."""
    if not workbook or not rels:
        return []
    targets = _targets(rels)
    out: list[tuple[str, str]] = []
    for m in _SHEET_TAG.finditer(workbook):
        name = attribute(m.group(1), b"name")
        rid = _relationship_id(m.group(1))
        if name is not None and rid is not None and rid in targets:
            out.append((unescape(name.decode("utf-8", "replace")), targets[rid]))
    return out


def sheet_count(workbook: bytes) -> int:
    """How many <sheet> tags xl/workbook.xml holds (what calamine will list)."""
    return len(_SHEET_TAG.findall(workbook))


def _targets(rels: bytes) -> dict[bytes, str]:
    """Relationship Id → the part it targets (the last one of an Id written twice)."""
    targets: dict[bytes, str] = {}
    for m in _RELATIONSHIP_TAG.finditer(rels):
        rid, target = attribute(m.group(1), b"Id"), attribute(m.group(1), b"Target")
        if rid is None or target is None:
            continue
        t = target.decode("utf-8", "replace").lstrip("/")
        targets[rid] = t if t.startswith(SPREADSHEET_DIR) else SPREADSHEET_DIR + t
    return targets


def _relationship_id(attrs: bytes) -> bytes | None:
    """The sheet's r:id (the last r:/relationships: one, as calamine reads them), else the first *:id."""
    ids = _PREFIXED_ID.findall(attrs)
    if not ids:
        return None
    ours = [value for prefix, value in ids if prefix in _RELATIONSHIP_PREFIXES]
    return ours[-1] if ours else ids[0][1]
