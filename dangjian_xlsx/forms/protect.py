"""The locks of a generated workbook: sheet protection (users may select cells and change row heights,
nothing else) and workbook-structure protection, the xlsx post-step XlsxWriter cannot do itself."""

from __future__ import annotations

import io
import zipfile
import zlib

from xlsxwriter.worksheet import Worksheet

from ..ooxml import WORKBOOK, ZipWriter

# The protection every sheet gets: users may select cells and change row heights (so that a long 扣分说明
# can be made visible), nothing else.
PROTECT_OPTIONS: dict[str, bool] = {
    "select_locked_cells": True,
    "select_unlocked_cells": True,
    "format_rows": True,
}


def protect(ws: Worksheet, password: str) -> None:
    """Lock `ws` with `password`: only its unlocked cells can be edited."""
    ws.protect(password, dict(PROTECT_OPTIONS))


def legacy_password_hash(password: str) -> str:
    """The legacy (pre-2007) Excel password hash used by `workbookPassword` and sheet protection.

    Same algorithm as XlsxWriter's sheet protection (ECMA-376 Part 4, §18.2.29 / §14.7.1).
    """
    digest = 0
    for char in reversed(password):
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password)
    digest ^= 0xCE4B
    return f"{digest:X}"


def _inject_protection(workbook_xml: bytes, password: str) -> bytes:
    # CT_Workbook order: fileVersion, fileSharing, workbookPr, workbookProtection, bookViews, ...
    marker = b"<bookViews>"
    if workbook_xml.count(marker) != 1 or b"<workbookProtection" in workbook_xml:
        raise ValueError(f"unexpected {WORKBOOK}: cannot add workbook protection")
    attrs = b'lockStructure="1"'
    if password:
        attrs = b'workbookPassword="' + legacy_password_hash(password).encode("ascii") + b'" ' + attrs
    return workbook_xml.replace(marker, b"<workbookProtection " + attrs + b"/>" + marker)


def lock_structure(xlsx: bytes, password: str) -> bytes:
    """Add `<workbookProtection lockStructure="1" …/>` to an xlsx, re-zipping deterministically.

    Members keep their order, names, timestamps and attributes; every member but xl/workbook.xml is copied
    compressed as it is (no inflate and deflate again), so the same input gives the same bytes.
    """
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, ZipWriter() as dst:
        found = False
        for info in src.infolist():
            if info.filename != WORKBOOK:
                dst.copy(xlsx, info)
                continue
            data = _inject_protection(src.read(info), password)
            found = True
            if info.compress_type == zipfile.ZIP_STORED:
                dst.store(info, data, zlib.crc32(data))
            else:
                dst.put(info, data)
        if not found:
            raise ValueError(f"{WORKBOOK} missing from the workbook")
        return dst.getvalue()
