"""What calamine reads of an .xlsx: the members the safety pass inflated and verified, rebuilt as a package
of stored (uncompressed) members, so that calamine does not inflate them a second time — less what calamine
would parse for nothing. The original file is never changed; only this copy is.

Left out of the copy:
- the `<definedNames>` of xl/workbook.xml: calamine parses them and python-calamine cannot hand them out
  (every generated form carries one per input cell);
- a numeric value calamine cannot take as a date (a serial of -1e11 or less: converting it, calamine panics
  and the row is lost): its cell is made a text cell, so the value is read as typed and reported as invalid
  by validation, the rest of the form read as usual (`no_panicking_dates`);
- rows a caller does not want (`head_rows`: sheet name → how many leading rows are wanted): the rows after
  them are cut out of the sheet's XML when that is plainly safe — the rows carry their numbers and none of
  the wanted ones comes after the first unwanted one. Otherwise the sheet stays whole: a caller may always
  get more rows than it asked for, never fewer.
Member names and order stay; a shortened part gets its own CRC.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Mapping

from ..ooxml import SHEET_DIRS, WORKBOOK, WORKBOOK_RELS, ZipWriter, sheet_parts, zlib

Member = tuple[zipfile.ZipInfo, bytes]

_ROW = re.compile(rb'<row r="(\d+)"')
_NEGATIVE_VALUE = re.compile(rb"<v>\s*-([^<]{0,64})</v>")
_CELL_START = re.compile(rb"<c[\s>/]")
PANICKING_SERIAL = -1e11  # at or below it calamine's date conversion overflows (it panics from -1.07e11)


def package(members: list[Member], head_rows: Mapping[str, int] | None = None) -> bytes:
    """The stored package calamine reads, from the verified (info, content) members in package order."""
    contents = {info.filename: content for info, content in members}
    parts = _sheet_parts(contents)
    cuts = {parts[sheet]: n for sheet, n in (head_rows or {}).items() if sheet in parts}
    sheets = set(parts.values())
    with ZipWriter() as out:
        for info, content in members:
            name = info.filename
            kept = content
            if name == WORKBOOK:
                kept = without_defined_names(content)
            elif name in sheets or name.startswith(SHEET_DIRS):
                kept = no_panicking_dates(first_rows(content, cuts[name]) if name in cuts else content)
            out.store(info, kept, info.CRC if kept is content else zlib.crc32(kept))
        return out.getvalue()


def without_defined_names(workbook: bytes) -> bytes:
    """xl/workbook.xml without its (one, unprefixed) <definedNames> element; unchanged otherwise."""
    start = workbook.find(b"<definedNames>")
    end = workbook.find(b"</definedNames>", start)
    if start < 0 or end < 0 or workbook.find(b"<definedNames", start + 1) >= 0:
        return workbook
    return workbook[:start] + workbook[end + len(b"</definedNames>") :]


def _sheet_parts(contents: Mapping[str, bytes]) -> dict[str, str]:
    """Sheet name → its part (`sheet_parts`; of two sheets of one name, the first, which calamine reads)."""
    parts: dict[str, str] = {}
    for name, part in sheet_parts(contents.get(WORKBOOK), contents.get(WORKBOOK_RELS)):
        parts.setdefault(name, part)
    return parts


def first_rows(sheet: bytes, n: int) -> bytes:
    """The worksheet XML with every row numbered over `n` cut out, when they plainly follow the first n rows
    (no row numbered n or less after the first one over n, one sheetData); unchanged otherwise."""
    cut_from = -1
    for m in _ROW.finditer(sheet):
        if int(m.group(1)) > n:
            cut_from = m.start()
            break
    if cut_from < 0:
        return sheet
    cut_to = sheet.find(b"</sheetData>", cut_from)
    if cut_to < 0 or sheet.count(b"<sheetData") != 1:
        return sheet
    if _rows_up_to(n).search(sheet, cut_from, cut_to):
        return sheet
    return sheet[:cut_from] + sheet[cut_to:]


def no_panicking_dates(sheet: bytes) -> bytes:
    """The worksheet XML with every numeric cell whose value is at or below PANICKING_SERIAL (or -inf) made a
    text cell (t="str"); unchanged (the same object) when there is none."""
    edits: list[tuple[int, int, bytes]] = []  # (start, end, replacement) of cell tags, in order
    done = 0  # the cell tag of a value is searched for after the previous value: each byte looked at once
    for m in _NEGATIVE_VALUE.finditer(sheet):
        try:
            value = -float(m.group(1))
        except ValueError:
            value = 0.0
        if value <= PANICKING_SERIAL:
            edit = _as_text_cell(sheet, m.start(), done)
            if edit is not None:
                edits.append(edit)
        done = m.end()
    if not edits:
        return sheet
    out, pos = [], 0
    for start, end, tag in edits:
        out += [sheet[pos:start], tag]
        pos = end
    out.append(sheet[pos:])
    return b"".join(out)


def _as_text_cell(sheet: bytes, value_at: int, after: int) -> tuple[int, int, bytes] | None:
    """The edit making the cell tag before `value_at` a text cell; None when it is not a numeric cell's
    (typed otherwise, or no cell tag found after `after`)."""
    start = sheet.rfind(b"<c", after, value_at)
    while start >= 0 and not _CELL_START.match(sheet, start):
        start = sheet.rfind(b"<c", after, start)
    if start < 0:
        return None
    end = sheet.find(b">", start, value_at)
    if end < 0:
        return None
    tag = sheet[start:end]
    typed = re.search(rb"""\st\s*=\s*["']([^"']*)["']""", tag)
    if typed is None:
        return start, start + 2, b'<c t="str"'
    if typed.group(1) != b"n":
        return None
    return start + typed.start(), start + typed.end(), b' t="str"'


@functools.lru_cache(maxsize=8)
def _rows_up_to(n: int) -> re.Pattern[bytes]:
    """A <row> tag numbered 1…n (leading zeros too): one search instead of reading every row number."""
    return re.compile(rb'<row r="0*(?:' + b"|".join(b"%d" % k for k in range(n, 0, -1)) + rb')"')
