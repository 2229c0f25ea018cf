"""The fast mode of reading an .xlsx: the members the safety pass inflated and verified, read here, in this
process, with regular expressions — no reader process, no second package, no Rust.

It reads what Excel, WPS, LibreOffice, openpyxl and XlsxWriter write, and hands back exactly what calamine
would (`calamine.read_sheets`: every sheet in workbook order, hidden ones too, a dense grid from A1 to the
farthest value cell, "" for a blank, numbers as float, a date-formatted whole serial as a date, booleans,
shared and inline strings). Whatever it is not sure of — a construct it does not read (a prefixed tag, a
cell without its reference, a phonetic run, an error or ISO-date cell, a time or a date-time, the 1904 date
system, an `_x000D_` escape, a carriage return, an unknown entity, a chart sheet), a grid larger than
`DENSE_MAX` cells — it does not guess: `read_members` returns None and the caller reads the file with
calamine, fenced, as before. tests/read/test_xlsxfast.py holds the two readers to the same answer on real
office files, on crafted ones and on damaged ones.

Here: the cells of each worksheet, checked whole against the grammar of what it reads (every tag between
the cells a well-made row; what surrounds them well made, remembered by its bytes) and laid out as calamine
lays them out. What it reads of the workbook is `xlsxparts`'s; the texts are `xlsxtext`'s.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from typing import Any

from ..models import RawSheet, RawWorkbook
from ..ooxml import SHARED_STRINGS, WORKBOOK, WORKBOOK_RELS
from . import repack
from .calamine import truncate_texts
from .limits import Limits, ReadError
from .scan import Inflated
from .xlsxparts import (
    DECLARATION,
    KNOWN_MAX,
    ROOT_RELS,
    STYLES,
    Unsure,
    date_styles,
    remembered,
    sheets_of,
    whole,
)
from .xlsxtext import SI_CONTENT, TEXTS, TEXTS_MAX, shared_strings, si_text, text

_log = logging.getLogger("dangjian_xlsx.read")
DENSE_MAX = 1_000_000  # cells of all sheets' grids together read here; a larger workbook goes to calamine


def read_members(
    members: Inflated,
    fmt: str,
    limits: Limits,
    saved_at: dt.datetime | None,
    head_rows: Mapping[str, int] | None = None,
) -> RawWorkbook | None:
    """The workbook's values as `calamine.read_sheets` gives them, or None when this reader is unsure — or
    fails in a way of its own (a bug here costs speed, never a file: calamine reads it). A ReadError is the
    file's (over the limits), as calamine's reading would have said."""
    contents = {info.filename: content for info, content in members}
    try:
        return _read(contents, fmt, limits, saved_at, head_rows or {})
    except ReadError:
        raise
    except Unsure:
        return None
    except Exception:
        _log.debug("the fast reader failed; calamine reads the file", exc_info=True)
        return None


def _read(
    contents: Mapping[str, bytes],
    fmt: str,
    limits: Limits,
    saved_at: dt.datetime | None,
    head_rows: Mapping[str, int],
) -> RawWorkbook:
    sheets = remembered(
        sheets_of, contents.get(WORKBOOK), contents.get(WORKBOOK_RELS), contents.get(ROOT_RELS)
    )
    if len(sheets) > limits.max_sheets:
        raise ReadError("too-many-sheets", count=len(sheets), limit=limits.max_sheets)
    dates = remembered(date_styles, contents.get(STYLES))
    strings = shared_strings(contents.get(SHARED_STRINGS))
    budget = [DENSE_MAX]
    notes: list[tuple[str, dict[str, Any]]] = []
    out = []
    for name, visibility, part in sheets:
        xml = contents.get(part)
        if xml is None:
            raise Unsure  # calamine words the error (the sheet's part is missing)
        if name in head_rows:
            xml = repack.first_rows(xml, head_rows[name])
        rows = _grid(_cells(xml, strings, dates), name, limits, budget)
        truncate_texts(name, rows, limits.max_text, notes)
        out.append(RawSheet.model_construct(name=name, visibility=visibility, rows=rows))
    return RawWorkbook.model_construct(fmt=fmt, sheets=out, saved_at=saved_at, notes=notes)


# ---------------------------------------------------------------- cells

Cell = tuple[int, int, Any]
# the grammar of what this reader reads of a worksheet: attributes, texts, a cell's content
_G_ATTRS = rb"(?:\s+[A-Za-z_][\w.:-]*\s*=\s*\"[^\"<]*\")*+\s*+"
_G_TEXT = rb"(?:[^<&]++|&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)"
_G_CONTENT = (  # a value alone first, caught by itself (the cells of a return are mostly that)
    rb"(?:<v>([^<]*+)</v>|(?:<f" + _G_ATTRS + rb"(?:/>|>[^<]*+</f>))?(?:<v>[^<]*+</v>|<v\s*/>)?"
    rb"|<is>" + SI_CONTENT + rb"</is>)"  # an inline text: the grammar of a shared one
)
# a cell tag with its reference first, its other attributes, and its content, every part well made
_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"((?:\s+[A-Za-z]+="[^"<>]*")*)\s*(?:(/)>|>('
    + _G_CONTENT
    + rb")</c>)"
)
_G_OTHER = rb"(?:\s+(?!r\s*=)[A-Za-z_][\w.:-]*\s*=\s*\"[^\"<]*\")*+"
# a row tag as it stands between the cells (attribute values hold no "<"; one holding a ">" is cut there,
# and the piece then fails `_ROW_TAG`); a well-made one, its number (calamine reads it) a number
_ROW_ANY = re.compile(rb"<row[^<>]*>")
_ROW_TAG = re.compile(rb"<row" + _G_OTHER + rb"(?:\s+r=\"[0-9]{1,7}\"" + _G_OTHER + rb")?\s*+(/?)>")
_ROW_KNOWN: dict[bytes, bool | None] = {}  # a row tag → empty (<row …/>) or not; None: not well made
_ROW_KNOWN_MAX = 4096
_REFS = re.compile(rb'<(?:mergeCell|dimension)\s+ref="([^"]*)"')  # calamine reads these ranges too
_RANGE = re.compile(rb"[A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?")
# what a worksheet holds around its cells (sheetPr, dimension, views, cols; merged cells, validations,
# protection, page setup …): tags and text, each well made, each element closed in order
_AROUND = re.compile(
    rb"(?:<[A-Za-z_][\w.:-]*" + _G_ATTRS + rb"/?>|</[A-Za-z_][\w.:-]*\s*>|" + _G_TEXT + rb")*+"
)
_TAG = re.compile(rb"<(/?)([A-Za-z_][\w.:-]*)" + _G_ATTRS + rb"(/?)>")
_ATTR = re.compile(rb'\s+([A-Za-z]+)="([^"<>]*)"')
_V = re.compile(rb"(?:<f(?:\s[^<>]*)?/>|<f(?:\s[^<>]*)?>[^<]*</f>)?(?:<v>([^<]*)</v>|(<v\s*/>))?")
_IS = re.compile(rb"<is>(.*)</is>", re.S)
_NUMBER = re.compile(rb"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_EPOCH = dt.date(1899, 12, 30)
_LAST_SERIAL = 2958465  # 9999-12-31
_FIRST_SERIAL = 61  # 1900-03-01: before it the 1900 system's phantom 29 February shifts the dates
_COLS: dict[bytes, int] = {}
_ATTRS: dict[bytes, tuple[int, bytes]] = {}
_NUMBERS: dict[bytes, float] = {}  # a number's text, checked and converted once (scores repeat)
_NUMBERS_MAX = 4096


def _cells(xml: bytes, strings: list[str], dates: list[str]) -> list[Cell]:
    """(row, col, value) of every value cell of one worksheet's XML, 0-based; Unsure on anything unusual."""
    start = whole(xml, b"worksheet").find(b"<sheetData")
    if start < 0 or xml.count(b"<sheetData") != 1:
        raise Unsure
    if xml.startswith(b"<sheetData/>", start):
        begin = end = tail = start + len(b"<sheetData/>")  # no cells
    elif xml.startswith(b"<sheetData>", start):
        begin, end = start + len(b"<sheetData>"), xml.find(b"</sheetData>", start)
        tail = end + len(b"</sheetData>")
    else:
        raise Unsure
    if end < 0 or not _around_whole(xml, start, tail):
        raise Unsure
    found = _CELL.findall(xml, begin, end)
    if not _rows_whole(xml, begin, end, found):
        raise Unsure  # a cell tag not read above (no reference, another attribute order, …), a damaged row
    out: list[Cell] = []
    kinds = _ATTRS
    column = _COLS
    numbers = _NUMBERS
    for letters, digits, attrs, _, content, v in found:
        if not content:
            continue
        style, kind = kinds.get(attrs) or _style_and_type(attrs)
        if v and kind == b"s" and v.isdigit():  # v: the text of a lone <v>, b"" otherwise
            k = int(v)
            if k >= len(strings):
                raise Unsure
            value: Any = strings[k]
        elif v and kind == b"n" and v in numbers and not (0 <= style < len(dates) and dates[style]):
            value = numbers[v]
        else:
            value = _value(style, kind, content, strings, dates)
            if value is None:
                continue
        col = column.get(letters)
        out.append((int(digits) - 1, (col if col is not None else _column(letters)) - 1, value))
    return out


def _rows_whole(xml: bytes, begin: int, end: int, found: list[tuple[bytes, ...]]) -> bool:
    """Whether the cells `_CELL` found are every tag between `begin` and `end` but the rows' own: each cell
    is well made by its pattern; every other `<` there must open or close a well-made row. Every `<` is
    accounted for at the end: a cell tag the pattern did not take leaves its own unaccounted."""
    row_tags = _ROW_ANY.findall(xml, begin, end)
    rows = xml.count(b"<row", begin, end)
    empty = list(map(_ROW_KNOWN.get, row_tags))
    if None in empty:
        empty = [_row_kind(tag) for tag in row_tags]
    if len(row_tags) != rows or None in empty:
        return False  # a row tag not well made (no tag but a row's begins with <row)
    ends = xml.count(b"</row>", begin, end)
    if rows != ends + sum(empty):
        return False
    closed = [cell[4] for cell in found if not cell[3]]  # <c …>…</c>, not <c …/>
    if xml.count(b"</c>", begin, end) != len(closed):
        return False
    tags = len(found) + len(closed) + b"".join(closed).count(b"<") + rows + ends
    return xml.count(b"<", begin, end) == tags


def _row_kind(tag: bytes) -> bool | None:
    """Whether a row tag is an empty row's (`<row …/>`); None when it is not a well-made row tag. Remembered:
    the returns of one form share their row tags."""
    if tag in _ROW_KNOWN:
        return _ROW_KNOWN[tag]
    m = _ROW_TAG.fullmatch(tag)
    known = None if m is None else m.group(1) == b"/"
    if len(_ROW_KNOWN) >= _ROW_KNOWN_MAX:
        _ROW_KNOWN.clear()
    _ROW_KNOWN[tag] = known
    return known


_AROUND_KNOWN: dict[tuple[bytes, bytes], bool] = {}  # a form's worksheets share what surrounds their cells


def _around_whole(xml: bytes, start: int, tail: int) -> bool:
    """Whether what comes before the cells (up to `start`) and after them (from `tail`) is made of
    well-made tags and texts, each element closed in order, the cells a child of the worksheet (calamine
    parses all of it: a damaged tag there is its error). Remembered by those bytes."""
    head = DECLARATION.match(xml)
    key = (xml[head.end() if head else 0 : start], xml[tail:])
    known = _AROUND_KNOWN.get(key)
    if known is None:
        known = all(_AROUND.fullmatch(part) for part in key) and _balanced(key)
        known = known and all(_RANGE.fullmatch(ref) for part in key for ref in _REFS.findall(part))
        if len(_AROUND_KNOWN) >= KNOWN_MAX:
            _AROUND_KNOWN.clear()
        _AROUND_KNOWN[key] = known
    return known


def _balanced(parts: tuple[bytes, bytes]) -> bool:
    open_tags: list[bytes] = []
    for k, part in enumerate(parts):
        for closing, name, empty in _TAG.findall(part):
            if closing:
                if not open_tags or open_tags.pop() != name:
                    return False
            elif not empty:
                open_tags.append(name)
        if k == 0 and open_tags != [b"worksheet"]:
            return False
    return not open_tags


def _column(letters: bytes) -> int:
    n = _COLS.get(letters)
    if n is None:
        n = 0
        for ch in letters:
            n = n * 26 + ch - 64
        _COLS[letters] = n
    return n


def _style_and_type(attrs: bytes) -> tuple[int, bytes]:
    """(style index or -1, type) of a cell's attributes after its reference."""
    known = _ATTRS.get(attrs)
    if known is None:
        pairs = _ATTR.findall(attrs)
        found = dict(pairs)  # calamine reads these two only
        if len(found) != len(pairs):
            raise Unsure  # an attribute written twice
        style = found.get(b"s")
        if style is not None and not style.isdigit():
            raise Unsure
        known = (int(style) if style is not None else -1, found.get(b"t", b"n"))
        if len(_ATTRS) < 4096:
            _ATTRS[attrs] = known
    return known


def _value(style: int, kind: bytes, content: bytes, strings: list[str], dates: list[str]) -> Any:
    """A cell's value as calamine gives it; None for a blank (no value)."""
    if kind == b"inlineStr":
        inline = TEXTS.get(content)
        if inline is None:
            whole_is = _IS.fullmatch(content)
            if whole_is is None:
                raise Unsure
            if len(TEXTS) > TEXTS_MAX:
                TEXTS.clear()
            inline = TEXTS[content] = si_text(whole_is.group(1) + b"</si>")
        return inline
    m = _V.fullmatch(content)
    if m is None:
        raise Unsure
    v = m.group(1)
    if not v:  # <v/>, <v></v>, or a formula without its result
        if kind == b"str" and (v is not None or m.group(2)):
            raise Unsure  # calamine's empty text, or its blank
        return None
    if kind == b"s":
        if not v.isdigit() or int(v) >= len(strings):
            raise Unsure
        return strings[int(v)]
    if kind == b"n":
        return _number(v, dates[style] if 0 <= style < len(dates) else "")
    if kind == b"str":
        return text(v)
    if kind == b"b" and v in (b"0", b"1"):
        return v == b"1"
    raise Unsure  # an error value, an ISO date, an unknown type


def _number(v: bytes, kind: str) -> Any:
    x = _NUMBERS.get(v)
    if x is None:
        if _NUMBER.fullmatch(v) is None:
            raise Unsure
        x = float(v)
        if x <= repack.PANICKING_SERIAL:
            raise Unsure  # calamine reads the repacked cell as text
        if len(_NUMBERS) < _NUMBERS_MAX:
            _NUMBERS[v] = x
    if not kind:
        return x
    if kind == "date" and x.is_integer() and _FIRST_SERIAL <= x <= _LAST_SERIAL:
        return _EPOCH + dt.timedelta(days=int(x))
    raise Unsure  # a time, a date-time, a duration: calamine's conversions are not repeated here


def _grid(cells: list[Cell], sheet: str, limits: Limits, budget: list[int]) -> list[list[Any]]:
    """The dense rows from A1 to the farthest value cell, "" where there is none."""
    if not cells:
        return []
    rows_n = max(c[0] for c in cells) + 1
    cols_n = max(c[1] for c in cells) + 1
    if rows_n > limits.max_rows or cols_n > limits.max_cols:
        raise ReadError(
            "sheet-too-large",
            sheet=sheet,
            detail=f"数据区域达到 {rows_n} 行 × {cols_n} 列，上限 {limits.max_rows} 行 × {limits.max_cols} 列",
        )
    budget[0] -= rows_n * cols_n
    if budget[0] < 0:
        raise Unsure
    if len({r * cols_n + c for r, c, _ in cells}) != len(cells):
        raise Unsure  # a cell written twice
    rows = [[""] * cols_n for _ in range(rows_n)]
    for r, c, value in cells:
        rows[r][c] = value
    return rows
