"""python-calamine, adapted: every sheet of a verified spreadsheet as a RawWorkbook, and a side channel to
what calamine does not hand out.

`read_sheets` gets bytes the safety pass has verified. For an .xlsx it also gets the members the pass
inflated: calamine then reads the package rebuilt from them stored (`repack`: nothing inflated twice, the
defined names and the rows nobody wants left out — `head_rows`). Sheets come back in workbook order,
hidden and very hidden too, each cell's text cut to `limits.max_text` characters (with a note).

A Rust panic while converting one row's values (a date serial far out of range in an .xls or .ods: an .xlsx
has such values turned into text by `repack` first) costs that row only: the other rows are read, the row is
left blank and noted ('row-unreadable'). A library's error becomes a Chinese reason (`reasons`).

calamine gives a formula cell's saved result and nothing else: `sheet_xml` hands out a worksheet's XML
itself, where a formula's text and an error cell's value can be looked up (validate.formulas).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import Any

from ..layout import a1
from ..models import RawSheet, RawWorkbook
from ..ooxml import WORKBOOK, WORKBOOK_RELS, sheet_parts
from . import repack
from .limits import Limits, ReadError, corrupt
from .reasons import unreadable
from .scan import Inflated

Notes = list[tuple[str, dict[str, Any]]]


def read_sheets(
    data: bytes,
    fmt: str,
    limits: Limits,
    saved_at: dt.datetime | None = None,
    members: Inflated | None = None,
    head_rows: Mapping[str, int] | None = None,
) -> RawWorkbook:
    """Every sheet of `data` (already through the safety pass) read with calamine. `members`: the verified
    (info, content) members of an .xlsx, in package order, which calamine then reads instead (with only the
    first n rows of the sheets `head_rows` names, where they can plainly be cut). Raises ReadError; anything
    else calamine raises is the caller's to word."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    if members is not None:
        data = repack.package(members, head_rows)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise ReadError("file-encrypted") from exc
    except CalamineError as exc:
        raise unreadable(exc) from None
    metas = wb.sheets_metadata
    if len(metas) > limits.max_sheets:
        raise ReadError("too-many-sheets", count=len(metas), limit=limits.max_sheets)
    notes: Notes = []
    sheets = [_sheet(wb, meta, limits, notes) for meta in metas]
    wb.close()
    return RawWorkbook.model_construct(fmt=fmt, sheets=sheets, saved_at=saved_at, notes=notes)


def _visibility(value: Any) -> str:
    from python_calamine import SheetVisibleEnum

    if value == SheetVisibleEnum.VeryHidden:
        return "veryhidden"
    if value == SheetVisibleEnum.Hidden:
        return "hidden"
    return "visible"


def _sheet(wb: Any, meta: Any, limits: Limits, notes: Notes) -> RawSheet:
    """One sheet's values (a chart or dialog sheet has none); raises when it is over the limits."""
    from python_calamine import CalamineError, PasswordError, SheetTypeEnum

    visibility = _visibility(meta.visible)
    if meta.typ != SheetTypeEnum.WorkSheet:
        return RawSheet.model_construct(name=meta.name, visibility=visibility, rows=[])
    try:
        sheet = wb.get_sheet_by_name(meta.name)
    except PasswordError as exc:
        raise ReadError("file-encrypted") from exc
    except CalamineError as exc:
        if type(exc).__name__ == "WorksheetNotFound":  # listed in the workbook, its part is missing
            raise corrupt(f"工作表“{meta.name}”的内容缺失") from exc
        raise unreadable(exc) from None
    end = sheet.end
    if end is not None:
        rows_n, cols_n = end[0] + 1, end[1] + 1
        if rows_n > limits.max_rows or cols_n > limits.max_cols:
            raise ReadError(
                "sheet-too-large",
                sheet=meta.name,
                detail=f"数据区域达到 {rows_n} 行 × {cols_n} 列，上限 {limits.max_rows} 行 × {limits.max_cols} 列",
            )
        rows = _rows(sheet, meta.name, notes)
    else:
        rows = []
    truncate_texts(meta.name, rows, limits.max_text, notes)
    return RawSheet.model_construct(name=meta.name, visibility=visibility, rows=rows)


def _rows(sheet: Any, name: str, notes: Notes) -> list[list[Any]]:
    """The sheet's values from A1; a row calamine panics on is left blank and noted, the others read."""
    try:
        return sheet.to_python(skip_empty_area=False)  # type: ignore[no-any-return]
    except Exception:
        raise
    except BaseException as exc:
        if not _is_panic(exc):
            raise
    start, end = sheet.start, sheet.end
    pad = [""] * start[1]
    width = end[1] - start[1] + 1
    rows: list[list[Any]] = []
    it = sheet.iter_rows()
    for r in range(end[0] + 1):  # never more rows than the sheet has, whatever the iterator does
        try:
            row = next(it)
        except StopIteration:
            break
        except Exception:
            raise
        except BaseException as exc:
            if not _is_panic(exc):
                raise
            notes.append(("row-unreadable", {"sheet": name, "row": r + 1}))
            row = [""] * width
        rows.append(pad + list(row))
    return rows


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


_is_str = str.__instancecheck__


def truncate_texts(sheet: str, rows: list[list[Any]], limit: int, notes: Notes) -> None:
    if max(map(len, filter(_is_str, chain.from_iterable(rows))), default=0) <= limit:
        return  # the common case, checked in C without enumerating
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if type(v) is str and len(v) > limit:
                row[c] = v[:limit]
                notes.append(
                    ("text-too-long", {"sheet": sheet, "cell": a1(r, c), "length": len(v), "limit": limit})
                )


def sheet_xml(data: bytes, sheets: Iterable[str], max_part: int) -> dict[str, bytes]:
    """Sheet name → its worksheet XML, for the named sheets of an .xlsx/.xlsm (bytes `read_workbook` has
    read: the safety pass verified them) whose part is found and inflates to at most `max_part` bytes.
    The part of a sheet is the one calamine read (`sheet_parts`; of two sheets of one name, the first).
    Raises whatever zipfile raises on a damaged package."""
    out: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = {i.filename: i for i in zf.infolist()}

        def part(name: str) -> bytes | None:
            info = infos.get(name)
            return zf.read(info) if info is not None and info.file_size <= max_part else None

        parts: dict[str, str] = {}
        for name, p in sheet_parts(part(WORKBOOK), part(WORKBOOK_RELS)):
            parts.setdefault(name, p)
        for sheet in sheets:
            xml = part(parts[sheet]) if sheet in parts else None
            if xml is not None:
                out[sheet] = xml
    return out
