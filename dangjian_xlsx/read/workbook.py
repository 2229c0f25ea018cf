"""bytes → RawWorkbook: sniff the real format, run the safety pass, read every sheet with python-calamine.

Nothing here trusts the file. Before python-calamine sees the bytes, a cheap pre-pass checks what calamine
would otherwise allocate blindly (calamine is Rust: an allocation failure aborts the whole process, it does
not raise): zip containers in `zipsafety`, .xls in `xlssafety`; the format comes from `sniff`; limits and
errors from `readlimits`. The names callers use are re-exported here.

Every failure is a `ReadError(code, **fields)` with `code` a key of `messages.MESSAGES`; `fields` are
ready for `messages.render(err.code, file=..., **err.fields)` (a sheet name travels as `sheet`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from itertools import chain
from typing import Any

from ..models import RawSheet, RawWorkbook
from . import repack
from .limits import DEFAULT_LIMITS, KB, MB, Limits, ReadError, _corrupt, human_size
from .scan import (
    _Extent,
    _ooxml_sheet_names,
    _XlsxSheetScan,
    check_zip,
    check_zip_inflated,
    check_zip_members,
)
from .sniff import CFB_MAGIC, DOCUMENT_FORMATS, ODS_MIMETYPE, SPREADSHEET_FORMATS, describe, sniff
from .xlssafety import check_xls

__all__ = [
    "CFB_MAGIC",
    "DEFAULT_LIMITS",
    "DOCUMENT_FORMATS",
    "KB",
    "MB",
    "ODS_MIMETYPE",
    "SPREADSHEET_FORMATS",
    "Limits",
    "ReadError",
    "_Extent",
    "_XlsxSheetScan",
    "_ooxml_sheet_names",
    "check_xls",
    "check_zip",
    "check_zip_inflated",
    "check_zip_members",
    "describe",
    "human_size",
    "read_workbook",
    "sniff",
]

# ---------------------------------------------------------------- reading


def _visibility(value: Any) -> str:
    from python_calamine import SheetVisibleEnum

    if value == SheetVisibleEnum.VeryHidden:
        return "veryhidden"
    if value == SheetVisibleEnum.Hidden:
        return "hidden"
    return "visible"


_DCTERMS_PREFIX = re.compile(rb'xmlns:([A-Za-z_][-\w.]*)\s*=\s*["\']http://purl\.org/dc/terms/["\']')


def _saved_at_ooxml(core: bytes | None) -> dt.datetime | None:
    """dcterms:modified of docProps/core.xml (which the safety pass has already scanned: no DTD, no
    entities), found by its namespace's prefix rather than by parsing the whole part."""
    if not core:
        return None
    prefix = _DCTERMS_PREFIX.search(core)
    if prefix is None:
        return None
    m = re.search(rb"<" + re.escape(prefix.group(1)) + rb":modified\b[^>]*>([^<]*)<", core)
    return _parse_when(m.group(1).decode("utf-8", "replace") if m else None)


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
    data: bytes,
    name: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    fmt: str | None = None,
    head_rows: Mapping[str, int] | None = None,
) -> RawWorkbook:
    """Read every sheet's values (hidden and very hidden too) of a spreadsheet given as bytes.

    `name` is only used for messages; the format is decided by content (`fmt`: what `sniff(data)` already
    said, so that a caller who sniffed does not pay for it twice). `head_rows` (sheet name → n) names
    sheets of which only the first n rows are wanted: an .xlsx sheet whose later rows can plainly be left
    out is read only that far (`repack.first_rows`); any other sheet or format is read whole, so a caller
    gets at least the rows it asked for, maybe more. Raises ReadError only.
    Over-long cell texts are cut to `limits.max_text` characters and reported in `RawWorkbook.notes`
    as ('text-too-long', fields) with fields ready for messages.render (sheet, cell, length, limit).
    """
    try:
        return _read(data, limits, fmt, head_rows)
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


def _read(
    data: bytes, limits: Limits, fmt: str | None = None, head_rows: Mapping[str, int] | None = None
) -> RawWorkbook:
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
        if fmt == "ods":
            kept = check_zip(data, fmt, limits)
            saved_at = _saved_at_ods(kept.get("meta.xml"))
        else:  # calamine gets the members the safety pass already inflated, stored: no second inflate
            kept, members = check_zip_inflated(data, fmt, limits)
            saved_at = _saved_at_ooxml(kept.get("docProps/core.xml"))
            if members is not None:
                data = repack.package(members, head_rows)
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


_is_str = str.__instancecheck__


def _truncate_texts(
    sheet: str, rows: list[list[Any]], limit: int, notes: list[tuple[str, dict[str, Any]]]
) -> None:
    from ..layout import a1

    if max(map(len, filter(_is_str, chain.from_iterable(rows))), default=0) <= limit:
        return  # the common case, checked in C without enumerating
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if type(v) is str and len(v) > limit:
                row[c] = v[:limit]
                notes.append(
                    ("text-too-long", {"sheet": sheet, "cell": a1(r, c), "length": len(v), "limit": limit})
                )
