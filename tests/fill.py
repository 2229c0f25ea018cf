"""Fill generated forms the way a person would, through openpyxl (which keeps protection, the very-hidden
metadata sheet and the defined names), for validation and collect tests.

Values are keyed like `forms.build_form(prefill=...)`: `(Field, item/task id)`, `""` for header fields.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook

from dangjian_xlsx import layout
from dangjian_xlsx.catalog import load_catalog
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Catalog, FormKind

Key = tuple[Field, str]
Edit = Callable[[Workbook], None]

SAVED_AT = dt.datetime(2018, 9, 28, 10, 0, 0)  # the document's modified time stamped by fill_form (UTC)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _load(src: Path | bytes) -> Workbook:
    data = src if isinstance(src, bytes) else Path(src).read_bytes()
    return openpyxl.load_workbook(io.BytesIO(data))


def form_kind(wb: Workbook) -> FormKind:
    """The form kind, by which form sheet the workbook has."""
    for kind, name in layout.SHEET_BY_KIND.items():
        if name in wb.sheetnames:
            return kind
    raise ValueError(f"not a generated form: sheets {wb.sheetnames}")


def fill_form(
    src: Path | bytes,
    dest: Path,
    values: Mapping[Key, object],
    *,
    catalog: Catalog | None = None,
    edit: Edit | None = None,
    saved_at: dt.datetime = SAVED_AT,
) -> Path:
    """Write `values` into the form's input cells (per layout) and save to `dest`.

    `edit(wb)` may then change anything else (a locked cell, the metadata, a sheet) to build broken files.
    `saved_at` is stamped as the document's modified time (openpyxl would stamp the clock's time).
    """
    wb = _load(src)
    kind = form_kind(wb)
    lay = layout.form_layout(catalog or load_catalog(), kind)
    ws = wb[lay.sheet]
    for (fld, ref_id), value in values.items():
        cell = lay.input(fld, ref_id)
        ws.cell(row=cell.row + 1, column=cell.col + 1).value = value
    if edit is not None:
        edit(wb)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    wb.save(buf)
    dest.write_bytes(_stamp_modified(buf.getvalue(), saved_at))
    return dest


def _stamp_modified(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite docProps/core.xml's modified time (UTC) in an xlsx, keeping every other part as is."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                part = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", part)
            dst.writestr(info, part)
    return out.getvalue()


# ---------------------------------------------------------------- values


def full_scores(catalog: Catalog, date: object = dt.date(2018, 9, 28)) -> dict[Key, object]:
    """附件1 filled with full marks everywhere (a clean file)."""
    values: dict[Key, object] = {(Field.DATE, ""): date}
    for item in catalog.items:
        values[(Field.SCORE, item.id)] = item.points
    return values


def done_tasks(catalog: Catalog, date: object = dt.date(2018, 9, 28)) -> dict[Key, object]:
    """附件2 with every task 已完成 and its 完成情况 described (a clean file)."""
    values: dict[Key, object] = {(Field.DATE, ""): date}
    for task in catalog.tasks:
        values[(Field.STATUS, task.id)] = "已完成"
        values[(Field.DONE, task.id)] = f"{task.id} 已按要求完成，见佐证材料"
    return values


def clean_values(catalog: Catalog, kind: FormKind, date: object = dt.date(2018, 9, 28)) -> dict[Key, object]:
    return full_scores(catalog, date) if kind is FormKind.SCORING else done_tasks(catalog, date)


# ---------------------------------------------------------------- edits for broken files


def set_cell(sheet: str, ref: str, value: Any) -> Edit:
    """Overwrite one cell (e.g. a locked one) by A1 reference."""

    def edit(wb: Workbook) -> None:
        wb[sheet][ref].value = value

    return edit


def set_meta(key: str, value: str) -> Edit:
    """Change one identity value in the metadata sheet."""

    def edit(wb: Workbook) -> None:
        ws = wb[layout.META_SHEET]
        for r, (k, _) in enumerate(layout.META_KEYS):
            if k == key:
                ws.cell(row=r + 1, column=layout.META_VALUE_COL + 1).value = value
                return
        raise KeyError(key)

    return edit


def remove_sheet(name: str) -> Edit:
    def edit(wb: Workbook) -> None:
        del wb[name]

    return edit


def rename_sheet(name: str, new: str) -> Edit:
    def edit(wb: Workbook) -> None:
        wb[name].title = new

    return edit


def insert_rows(sheet: str, row: int, amount: int = 1) -> Edit:
    """Insert rows before 1-based `row` (values below move down, as when a user inserts a row)."""

    def edit(wb: Workbook) -> None:
        wb[sheet].insert_rows(row, amount)

    return edit


def show_sheet(name: str, state: str = "hidden") -> Edit:
    """Change a sheet's visibility (LibreOffice saves very-hidden sheets as merely hidden)."""

    def edit(wb: Workbook) -> None:
        wb[name].sheet_state = state

    return edit


def chain(*edits: Edit) -> Edit:
    def edit(wb: Workbook) -> None:
        for e in edits:
            e(wb)

    return edit
