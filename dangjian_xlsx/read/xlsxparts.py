"""What the fast .xlsx reader (`xlsxfast`) reads of a workbook besides its cells: which sheets there are,
their parts and visibility; which cell styles make a number a date; and the checks every part it reads
passes first (whole, well made, UTF-8). Whatever it is not sure of raises `Unsure`: calamine then reads the
file. The workbook, its relationships and its styles are the same bytes in every return of one form: what
is read of them is remembered by those bytes (`remembered`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from ..ooxml import sheet_count, sheet_parts

STYLES = "xl/styles.xml"
ROOT_RELS = "_rels/.rels"

T = TypeVar("T")


class Unsure(Exception):
    """Something the fast reader does not read the way calamine does: calamine reads the file instead."""


DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml\s[^<>]*\?>)?\s*")


def well_formed(xml: bytes) -> bytes:
    """`xml` when expat parses it whole (no DTD: the safety pass refused those); Unsure otherwise. For the
    parts whose reading is remembered by their bytes (workbook, relationships, styles): once per form."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        raise Unsure from None
    return xml


def whole(xml: bytes | None, root: bytes, *, utf8: bool = True) -> bytes:
    """A part this reader reads: an XML declaration at most, then the unprefixed `root` element ending the
    part, in UTF-8; Unsure for anything else (a damaged or unusual part is calamine's to judge). `utf8=False`:
    its bytes are not checked to be UTF-8 here (the caller checks them piece by piece)."""
    if not xml:
        raise Unsure
    head = DECLARATION.match(xml)
    at = head.end() if head else 0
    if (
        not xml.startswith(b"<" + root, at)
        or xml[at + len(root) + 1 : at + len(root) + 2] not in b" \t\r\n>/"
    ):
        raise Unsure
    if not xml.rstrip().endswith(b"</" + root + b">") and not xml.rstrip().endswith(b"/>"):
        raise Unsure
    if b"\x00" in xml:
        raise Unsure
    if utf8 and not is_utf8(xml):  # calamine decodes what it parses: a byte that is not UTF-8 is its error
        raise Unsure
    return xml


def is_utf8(raw: bytes) -> bool:
    """Whether the bytes are UTF-8 (ASCII is, without decoding it)."""
    if raw.isascii():
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# (function, its parts' bytes) → its answer: the returns of one form share them
_KNOWN: dict[tuple[Any, ...], Any] = {}
KNOWN_MAX = 64


def remembered(fn: Callable[..., T], *parts: bytes | None) -> T:
    """`fn(*parts)`, remembered for the same bytes (an Unsure is not remembered: it is raised again)."""
    key = (fn, *parts)
    if key in _KNOWN:
        return _KNOWN[key]  # type: ignore[no-any-return]
    if len(_KNOWN) >= KNOWN_MAX:
        _KNOWN.clear()
    answer = _KNOWN[key] = fn(*parts)
    return answer


_SHEET_STATE = re.compile(rb"<sheet\s[^<>]*?\sstate=\"([^\"]*)\"")
_STATES = {b"visible": "visible", b"hidden": "hidden", b"veryHidden": "veryhidden"}
_REL = re.compile(rb"<Relationship\s([^<>]*)>")
_REL_ATTR = re.compile(rb"(?:^|\s)(Id|Type|Target)=\"([^\"]*)\"")
_DATE1904 = re.compile(rb"<workbookPr\s[^<>]*\bdate1904=\"(?!false\"|0\")")


def sheets_of(workbook: bytes | None, rels: bytes | None, root: bytes | None) -> list[tuple[str, str, str]]:
    """(name, visibility, part) of every sheet, in workbook order; Unsure unless every one is a plain
    worksheet found the way calamine finds it."""
    workbook = well_formed(whole(workbook, b"workbook"))
    rels = well_formed(whole(rels, b"Relationships"))
    if b'Target="xl/workbook.xml"' not in well_formed(whole(root, b"Relationships")):
        raise Unsure
    if b"<sheets>" not in workbook or _DATE1904.search(workbook) or b"&#" in workbook:
        raise Unsure
    parts = sheet_parts(workbook, rels)
    if len(parts) != sheet_count(workbook) or len({n for n, _ in parts}) != len(parts):
        raise Unsure
    kinds = {}
    for m in _REL.finditer(rels):
        attrs = dict(_REL_ATTR.findall(m.group(1)))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace").lstrip("/")
        kinds[target if target.startswith("xl/") else "xl/" + target] = attrs.get(b"Type", b"")
    tags = re.findall(rb"<sheet\s[^<>]*>", workbook)
    out = []
    for (name, part), tag in zip(parts, tags, strict=True):
        if not kinds.get(part, b"").endswith(b"/worksheet"):
            raise Unsure  # a chart, dialog or macro sheet
        state = _SHEET_STATE.match(tag)
        visibility = _STATES.get(state.group(1)) if state else "visible"
        if visibility is None:
            raise Unsure
        out.append((name, visibility, part))
    return out


_NUM_FMT = re.compile(rb"<numFmt\s+numFmtId=\"(\d+)\"\s+formatCode=\"([^\"]*)\"\s*/>")
_CELL_XFS = re.compile(rb"<cellXfs(?:\s[^<>]*)?>(.*?)</cellXfs>", re.S)
_XF = re.compile(rb"<xf\s([^<>]*?)/?>")
_XF_FMT = re.compile(rb"(?:^|\s)numFmtId=\"([^\"]*)\"")
_BUILTIN_DATES = {b"14", b"15", b"16", b"17", b"18", b"19", b"20", b"21", b"22", b"45", b"47"}
_BUILTIN_DURATIONS = {b"46"}


def date_styles(styles: bytes | None) -> list[str]:
    """Per cell style index: 'date', 'duration' or '' (a number), as calamine decides from styles.xml."""
    if styles is None:
        return []
    if b"&#" in well_formed(whole(styles, b"styleSheet")):
        raise Unsure
    custom = {i: unescape(code).decode("utf-8") for i, code in _NUM_FMT.findall(styles)}
    if styles.count(b"<numFmt ") != len(custom) or styles.count(b"<cellXfs") > 1:
        raise Unsure
    block = _CELL_XFS.search(styles)
    if block is None:
        return []
    out = []
    for m in _XF.finditer(block.group(1)):
        fmt = _XF_FMT.search(m.group(1))
        if fmt is None:
            out.append("")
        elif fmt.group(1) in custom:
            out.append(custom_format_kind(custom[fmt.group(1)]))
        else:
            out.append(
                "date"
                if fmt.group(1) in _BUILTIN_DATES
                else "duration"
                if fmt.group(1) in _BUILTIN_DURATIONS
                else ""
            )
    return out


def custom_format_kind(code: str) -> str:
    """'date', 'duration' or '' for a custom number format, decided as calamine decides it (its
    `detect_custom_number_format`): the first section only; quoted text, escaped and bracketed characters
    are not tokens; a date or time token makes a date; `[h]`, `[m]`, `[s]` make a duration."""
    escaped = quote = ap = hms = False
    brackets = 0
    prev = " "
    for ch in code:
        if escaped:
            escaped = False
        elif ch in "_\\*":
            escaped = True
        elif quote:
            quote = ch != '"'
        elif ch == '"':
            quote = True
        elif ch == ";":
            return ""
        elif ch == "[":
            brackets += 1
        elif ch == "]" and brackets == 1 and hms:
            return "duration"
        elif ch == "]":
            brackets = max(brackets - 1, 0)
        elif ch in "aA" and not ap and brackets == 0:
            ap = True
        elif (ch in "pm/PM" and ap and brackets == 0) or (ch in "dmhysDMHYS" and not ap and brackets == 0):
            return "date"
        elif not (hms and ch.lower() == prev.lower()):
            hms = prev == "[" and ch in "mhsMHS"
        prev = ch
    return ""


_ENTITY = re.compile(rb"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));")
_NAMED = {b"lt": b"<", b"gt": b">", b"amp": b"&", b"quot": b'"', b"apos": b"'"}


def unescape(raw: bytes) -> bytes:
    """The five XML entities and character references; Unsure for anything else after an `&`."""

    def one(m: re.Match[bytes]) -> bytes:
        if m.group(1):
            return _NAMED[m.group(1)]
        code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
        if (code < 0x20 and code not in (9, 10, 13)) or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise Unsure
        return chr(code).encode("utf-8")

    if b"&" in _ENTITY.sub(b"", raw):
        raise Unsure
    return _ENTITY.sub(one, raw)
