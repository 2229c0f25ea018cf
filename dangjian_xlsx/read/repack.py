"""What calamine reads of an .xlsx: the members the safety pass inflated and verified, rebuilt as a package
of stored (uncompressed) members, so that calamine does not inflate them a second time — less what calamine
would parse for nothing. The original file is never changed; only this copy is.

Left out of the copy:
- the `<definedNames>` of xl/workbook.xml: calamine parses them and python-calamine cannot hand them out
  (every generated form carries one per input cell);
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

from ..ooxml import WORKBOOK, WORKBOOK_RELS, ZipWriter, sheet_parts, zlib

Member = tuple[zipfile.ZipInfo, bytes]

_ROW = re.compile(rb'<row r="(\d+)"')


def package(members: list[Member], head_rows: Mapping[str, int] | None = None) -> bytes:
    """The stored package calamine reads, from the verified (info, content) members in package order."""
    contents = {info.filename: content for info, content in members}
    cuts = _cuts(contents, head_rows or {})
    with ZipWriter() as out:
        for info, content in members:
            name = info.filename
            kept = content
            if name == WORKBOOK:
                kept = without_defined_names(content)
            elif name in cuts:
                kept = first_rows(content, cuts[name])
            out.store(info, kept, info.CRC if kept is content else zlib.crc32(kept))
        return out.getvalue()


def without_defined_names(workbook: bytes) -> bytes:
    """xl/workbook.xml without its (one, unprefixed) <definedNames> element; unchanged otherwise."""
    start = workbook.find(b"<definedNames>")
    end = workbook.find(b"</definedNames>", start)
    if start < 0 or end < 0 or workbook.find(b"<definedNames", start + 1) >= 0:
        return workbook
    return workbook[:start] + workbook[end + len(b"</definedNames>") :]


def _cuts(contents: Mapping[str, bytes], head_rows: Mapping[str, int]) -> dict[str, int]:
    """Part → how many of its leading rows are wanted, for the sheets of `head_rows` whose part is found
    (`sheet_parts`; of two sheets of one name, the first, which calamine reads)."""
    if not head_rows:
        return {}
    parts: dict[str, str] = {}
    for name, part in sheet_parts(contents.get(WORKBOOK), contents.get(WORKBOOK_RELS)):
        parts.setdefault(name, part)
    return {parts[sheet]: n for sheet, n in head_rows.items() if sheet in parts}


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


@functools.lru_cache(maxsize=8)
def _rows_up_to(n: int) -> re.Pattern[bytes]:
    """A <row> tag numbered 1…n (leading zeros too): one search instead of reading every row number."""
    return re.compile(rb'<row r="0*(?:' + b"|".join(b"%d" % k for k in range(n, 0, -1)) + rb')"')
