"""The summary a collect is about to replace: its bytes (kept beside it as the previous one) and what people
typed into its 问题台账, read with python-calamine through the read stage.

The workbook may have been saved again by Excel, WPS or LibreOffice: the ledger's columns are found by their
headers (not their positions), typed dates come back as dates (written back as text, 2018-11-30), and a
workbook that is not this tool's summary, or cannot be read, is never replaced (a UserError says why):
whatever was typed into it would otherwise be lost.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import aggregate as ag
from ..errors import UserError
from ..layout import col_letter
from ..models import DEFAULT_UNIT, RawSheet
from ..ownfiles import SUMMARY_SIGNATURE
from ..read import Limits, ReadError, read_workbook
from .sheets import ledger_sheet_columns
from .style import S_INSPECTION, S_LEDGER, SHEETS


def ledger_headers(unit: str = DEFAULT_UNIT) -> dict[str, str]:
    """The ledger's headers (as sheets.py writes them for a round whose unit is `unit`) → column keys."""
    return {re.sub(r"\s+", "", c.header): c.key for c in ledger_sheet_columns(unit)}


_HEADER_ROWS = 20  # the header row is looked for this far down
# Our own summary: trusted further than a returned form (a province's summary is large), never past Excel's
# own limits, and no cell text cut (what was typed comes back whole).
SUMMARY_LIMITS = Limits(
    max_file_bytes=1 << 30,
    max_uncompressed_total=16 << 30,
    max_member_uncompressed=8 << 30,
    max_ratio=100_000,
    max_members=100_000,
    max_sheets=1_000,
    max_rows=1_048_576,
    max_cols=16_384,
    max_text=32_767,
)


@dataclass(frozen=True)
class Previous:
    """The summary about to be replaced."""

    path: Path
    data: bytes
    entries: list[ag.LedgerEntry] = field(default_factory=list)  # its 问题台账 rows with typed cells


def read_previous(path: Path, unit: str = DEFAULT_UNIT) -> Previous | None:
    """The summary at `path` and its typed ledger rows (its branch column headed `unit`, the round's unit
    word); None when there is none. UserError when a file is there that cannot be read, or is not this tool's
    summary."""
    path = Path(path)
    if not path.exists():
        return None
    keep = f"为免丢失其中已填写的内容，没有覆盖它。请修复或移走该文件（例如改名为“{path.stem}.旧{path.suffix}”）后重新运行"
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise UserError(
            f"无法读取现有的汇总表 {path}（文件可能正在 Excel/WPS 中打开），请关闭后重试"
        ) from exc
    except OSError as exc:
        raise UserError(f"无法读取现有的汇总表 {path}（{exc.strerror or exc}）；{keep}") from exc
    others = {name: 1 for name in (*SHEETS, S_INSPECTION) if name != S_LEDGER}  # only the ledger is wanted
    try:
        raw = read_workbook(data, path.name, SUMMARY_LIMITS, head_rows=others)
    except ReadError as exc:
        raise UserError(f"无法读取现有的汇总表 {path}：{exc.message}；{keep}") from exc
    if not {s.name for s in raw.sheets} >= SUMMARY_SIGNATURE:
        raise UserError(f"{path} 不是本工具写出的汇总表（没有“总览”“文件清单”“校验问题”工作表）；{keep}")
    sheet = raw.sheet(S_LEDGER)
    if sheet is None:
        return Previous(path, data)
    return Previous(path, data, ledger_entries(sheet, path, keep, unit))


def ledger_entries(
    sheet: RawSheet, path: Path, keep: str = "", unit: str = DEFAULT_UNIT
) -> list[ag.LedgerEntry]:
    """The rows of a 问题台账 sheet with at least one typed cell: in the four columns 组织部 fills, or in a
    column someone added (keyed by its header, or by its letter when it has none)."""
    headers = ledger_headers(unit)
    at = _header_row(sheet, unit)
    if at is None:
        if any(_blank(v) is not None for row in sheet.rows[3:] for v in row):
            raise UserError(
                f"汇总表 {path} 的“问题台账”中找不到表头（{unit}、编号、整改措施…），无法带入已填写的内容；{keep}"
            )
        return []
    keys = _column_keys(sheet.rows[at], max((len(r) for r in sheet.rows), default=0), headers)
    typed_keys = [*ag.LEDGER_TYPED_COLUMNS, *(k for k in keys.values() if k not in headers.values())]
    entries: list[ag.LedgerEntry] = []
    for r in range(at + 1, len(sheet.rows)):
        cells = {keys[c]: v for c, v in enumerate(sheet.rows[r]) if c in keys}
        typed = {k: t for k in typed_keys if (t := typed_value(cells.get(k))) is not None}
        if typed:
            entries.append(
                ag.LedgerEntry(
                    branch=_text(cells.get("branch")),
                    item_id=_text(cells.get("item_id")),
                    note=_text(cells.get("note")),
                    typed=typed,
                    shown={k: _blank(cells.get(k)) for k in ag.LEDGER_SHOWN_COLUMNS},
                    row=r + 1,
                )
            )
    return entries


def _column_keys(header: list[Any], width: int, headers: dict[str, str]) -> dict[int, str]:
    """Column index → key: the ledger's own columns by their headers; any other column by its header text
    (its letter when it has none, made unique)."""
    keys: dict[int, str] = {}
    for c in range(width):
        text = _header_text(header[c]) if c < len(header) else ""
        key = headers.get(text)
        if key is None or key in keys.values():
            key = text or f"{col_letter(c)}列"
            if key in keys.values() or key in headers.values():
                key = f"{key}（{col_letter(c)}列）"
        keys[c] = key
    return keys


def _header_row(sheet: RawSheet, unit: str) -> int | None:
    branch = _header_text(unit)
    for r, row in enumerate(sheet.rows[:_HEADER_ROWS]):
        texts = {_header_text(v) for v in row}
        if branch in texts and "整改措施" in texts:
            return r
    return None


def _header_text(v: Any) -> str:
    return re.sub(r"\s+", "", v) if isinstance(v, str) else ""


def _blank(v: Any) -> Any:
    """None for an empty cell (or one holding only spaces), else the value."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    return v


def _text(v: Any) -> str:
    v = _blank(v)
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def typed_value(v: Any) -> Any:
    """A typed cell as it is written back: text as typed, whole numbers as integers, a date (Excel and Calc turn
    a typed 2018-11-30 into one) as its ISO text, a time of day kept when there is one; None when blank."""
    v = _blank(v)
    if v is None or isinstance(v, str | bool | int):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return str(v)
