"""Tamper checks: the locked cells of a form against the catalog, and rows or columns moved."""

from __future__ import annotations

from typing import Any

from ..layout import FixedCell, FormLayout, a1
from ..messages import Code, render
from ..models import Problem, RawSheet
from .cells import same_fixed, squash, text, values_at
from .context import Locked

TAMPER_DETAIL_LIMIT = 10  # tampered cells listed one by one; the rest are summarised in one problem
ISOLATED_TAMPER_LIMIT = 3  # up to this many edited locked cells (no shift): values are still checked


def check_locked_cells(
    sheet: RawSheet, layout: FormLayout, locked: Locked, file: str, problems: list[Problem]
) -> tuple[bool, bool]:
    """Locked cells vs the catalog → (tampered, values still worth checking)."""
    values = values_at(sheet, locked.at)
    if values == locked.values and list(map(type, values)) == locked.types:
        return False, True  # every cell as generated (the usual case): one comparison, nothing to normalise
    get = sheet.get
    bad = []
    for (fc, key), actual in zip(locked.cells, values, strict=True):
        if type(actual) is str:
            if actual == fc.value:
                continue  # exactly as generated
        elif actual is None and fc.row == layout.total_row and not isinstance(key, str):
            continue  # a formula (=SUM of 分值) saved without its cached result, e.g. by openpyxl
        if not same_fixed(actual, key) and not any(same_fixed(actual, squash(v)) for v in fc.former):
            bad.append((fc, actual))
    if not bad:
        return False, True
    shift = _find_shift(sheet, bad)
    if shift is not None:
        fc, found = shift
        problems.append(
            render(
                Code.ROWS_SHIFTED,
                file=file,
                sheet=layout.sheet,
                cell=fc.a1,
                field=fc.what,
                value=text(get(fc.row, fc.col)),
                what=fc.what,
                expected_cell=fc.a1,
                found_cell=found,
                count=len(bad),
            )
        )
        return True, False
    for fc, actual in bad[:TAMPER_DETAIL_LIMIT]:
        expected = text(fc.value)  # 2, 0.5 (fmt_number) or the text
        problems.append(
            render(
                Code.TAMPERED,
                file=file,
                sheet=layout.sheet,
                cell=fc.a1,
                field=fc.what,
                value=text(actual) or "（空）",
                what=fc.what,
                expected=_clip(str(expected)),
            )
        )
    if len(bad) > TAMPER_DETAIL_LIMIT:
        problems.append(
            render(Code.TAMPERED_MANY, file=file, sheet=layout.sheet, count=len(bad) - TAMPER_DETAIL_LIMIT)
        )
    return True, len(bad) <= ISOLATED_TAMPER_LIMIT


def _clip(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[:n] + "…"


def _find_shift(sheet: RawSheet, bad: list[tuple[FixedCell, Any]]) -> tuple[FixedCell, str] | None:
    """If a mismatched long text sits elsewhere in the sheet, rows/columns were inserted or deleted."""
    if len(bad) < 2:
        return None
    for fc, _ in bad:
        if not isinstance(fc.value, str) or len(fc.value) < 8:
            continue
        want = squash(fc.value)
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                if isinstance(v, str) and (r, c) != (fc.row, fc.col) and squash(v) == want:
                    return fc, a1(r, c)
        return None  # the first distinctive text is not anywhere: edited, not moved
    return None
