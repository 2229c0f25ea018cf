"""Reading back what goes out to people: a table of an output workbook (汇总表, 反馈表) as dicts, found by a
header it holds, for the whole-round tests (test_whole_round.py, test_other_forms_round.py, web/roundkit.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def table(path: Path, sheet: str, key: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The header and rows of the table on `sheet` under the first row that contains `key`, up to the first
    blank row."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [list(row) for row in wb[sheet].iter_rows(values_only=True)]
    wb.close()
    at = next(i for i, row in enumerate(rows) if key in row)
    head = [str(h) if h is not None else "" for h in rows[at]]
    out = []
    for row in rows[at + 1 :]:
        if not any(v not in (None, "") for v in row):
            break
        out.append(dict(zip(head, row, strict=False)))
    return head, out


def sheet_rows(path: Path, sheet: str, key: str) -> list[dict[str, Any]]:
    """The rows of `table`."""
    return table(path, sheet, key)[1]
