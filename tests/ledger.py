"""问题台账 as a clerk sees it: its rows read back by header, and typing into it with openpyxl (issue 15, rule 8).

Rows are dicts keyed by the sheet's own headers (党总支, 编号, 整改措施 …), found by the header row that holds
"整改措施", never by position; openpyxl reads what the workbook holds, independently of the code under test.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl

LEDGER = "问题台账"
TYPED = ("整改措施", "责任人", "整改时限", "整改状态")


def _load(path: Path, **kw: Any) -> openpyxl.Workbook:
    with warnings.catch_warnings():  # the summary's conditional formats use extensions openpyxl drops
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, **kw)


def header_row(ws: Any) -> tuple[int, dict[str, int]]:
    """(1-based header row, header → 1-based column)."""
    for r, row in enumerate(ws.iter_rows(max_row=20, values_only=True), start=1):
        if "整改措施" in row:
            return r, {str(v): c for c, v in enumerate(row, start=1) if v is not None}
    raise AssertionError("问题台账 has no header row")


def ledger_rows(path: Path) -> list[dict[str, Any]]:
    """Every row of the summary's 问题台账 below its header, as {header: value} (blank rows skipped)."""
    wb = _load(path, read_only=True)
    ws = wb[LEDGER]
    at, cols = header_row(ws)
    rows = []
    for values in ws.iter_rows(min_row=at + 1, values_only=True):
        if any(v not in (None, "") for v in values):
            rows.append({h: values[c - 1] if c - 1 < len(values) else None for h, c in cols.items()})
    wb.close()
    return rows


def type_into_ledger(path: Path, typed: Mapping[tuple[str, str], Mapping[str, Any]], added: Any = ()) -> None:
    """Type into the ledger rows keyed (党总支, 编号) the values {header: value}, and save the workbook in
    place as openpyxl does. `added`: (党总支, 编号, header, value) in a column the clerk adds at the right end
    (the header is typed too); a row of `typed` whose key is ("", "") is added below the table by hand."""
    wb = _load(path)
    ws = wb[LEDGER]
    at, cols = header_row(ws)
    where = {
        (ws.cell(r, cols["党总支"]).value or "", ws.cell(r, cols["编号"]).value or ""): r
        for r in range(at + 1, ws.max_row + 1)
        if ws.cell(r, cols["党总支"]).value
    }
    last = ws.max_row
    for key, values in typed.items():
        if key == ("", ""):
            last += 1
            row = last
        else:
            row = where[key]
        for header, value in values.items():
            ws.cell(row, cols[header]).value = value
    for branch, item_id, header, value in added:
        col = cols.get(header) or max(cols.values()) + 1
        cols[header] = col
        ws.cell(at, col).value = header
        ws.cell(where[(branch, item_id)], col).value = value
    wb.save(path)
