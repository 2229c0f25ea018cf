"""Tables → the school-wide summary workbook (xlsxwriter), written atomically; then the CSV/JSON exports.

The workbook is built in memory and renamed into place in one step: a failure part-way leaves the
previous summary untouched. The creation date is pinned to the report's generated_at, so the same
inputs give byte-identical output.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import CellBlankTuple, CellNumberTuple, CellStringTuple, Worksheet

from ..aggregate import tables as ag
from ..atomic import write_bytes_atomic
from ..errors import UserError
from ..models import Campaign, Report
from . import exports as export
from . import overview as summary_charts
from . import sheets as sh
from . import style as st
from .splice import BodyRows
from .style import Formats


class _Worksheet(Worksheet):
    """XlsxWriter's worksheet, without ~170 regex passes over formulas that call no function, and with a
    shorter path for the cells it writes most.

    `_prepare_formula` expands future functions with patterns that all end in "(": a formula without one
    (the conditional formats' quoted status words) comes out as it went in, braces and "=" stripped.

    `_write_cell` builds each cell's attribute list and escapes every attribute; a number, shared string or
    blank with a format (the 得分明细 grid: ~25,000 cells) needs neither: its XML is written in one piece,
    the same text."""

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        fmt = cell.format
        kind = type(cell)
        if fmt is None or self.constant_memory or kind not in _PLAIN_CELLS:
            super()._write_cell(row, col, cell)
            return
        start = f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}"'
        if kind is CellNumberTuple:
            self.fh.write(f"{start}><v>{cell.number:.16G}</v></c>")
        elif kind is CellStringTuple:
            self.fh.write(f'{start} t="s"><v>{cell.string}</v></c>')
        else:
            self.fh.write(f"{start}/>")

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if "(" in formula:
            return super()._prepare_formula(formula, expand_future_functions)
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula


_PLAIN_CELLS = (CellNumberTuple, CellStringTuple, CellBlankTuple)


def workbook_options() -> dict[str, Any]:
    """Fresh options for every workbook (xlsxwriter mutates default_format_properties)."""
    return {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "default_format_properties": {"font_name": st.FONT, "font_size": 10},
    }


def new_workbook(buf: io.BytesIO, title: str, campaign: Campaign, created: dt.datetime) -> Workbook:
    """An in-memory workbook with the document properties every output shares (created: naive time)."""
    wb = Workbook(buf, workbook_options())
    wb.set_properties(
        {
            "title": title,
            "subject": campaign.title,
            "author": campaign.department,
            "company": campaign.school,
            "comments": "由 dangjian-xlsx 生成",
            "created": created.replace(tzinfo=None),
        }
    )
    return wb


def build_summary(tables: ag.Tables, ov: ag.Overview, campaign: Campaign, generated_at: dt.datetime) -> bytes:
    """The summary workbook as bytes (deterministic for the same inputs)."""
    buf = io.BytesIO()
    wb = new_workbook(buf, f"{campaign.school}{campaign.title}汇总表", campaign, generated_at)
    F = Formats(wb)
    F.body_rows = BodyRows()
    names = list(st.SHEETS)
    if tables.has_inspection:
        names.insert(names.index(st.S_SCORES) + 1, st.S_INSPECTION)
    ws = {name: wb.add_worksheet(name, worksheet_class=_Worksheet) for name in names}
    cat = campaign.catalog
    ranked = sh.scores_sheet(ws[st.S_SCORES], F, tables, cat, margin=campaign.inspection_margin)
    if tables.has_inspection:
        sh.inspection_sheet(ws[st.S_INSPECTION], F, tables, campaign.inspection_margin)
    sh.items_sheet(ws[st.S_ITEMS], F, tables, cat)
    sh.losses_sheet(ws[st.S_LOSSES], F, tables)
    sh.ledger_sheet(ws[st.S_LEDGER], F, tables)
    sh.tasks_sheet(ws[st.S_TASKS], F, tables, cat)
    sh.task_details_sheet(ws[st.S_TASK_DETAILS], F, tables, cat)
    sh.submissions_sheet(ws[st.S_SUBMISSIONS], F, tables)
    sh.files_sheet(ws[st.S_FILES], F, tables)
    sh.problems_sheet(ws[st.S_PROBLEMS], F, tables)
    summary_charts.overview_sheet(wb, ws[st.S_OVERVIEW], F, tables, ov, campaign, generated_at, ranked)
    ws[st.S_OVERVIEW].activate()
    wb.close()
    return F.body_rows.splice(buf.getvalue(), st.clip)


def write_summary(
    tables: ag.Tables, overview: ag.Overview, path: Path, campaign: Campaign, generated_at: dt.datetime
) -> Path:
    data = build_summary(tables, overview, campaign, generated_at)
    return _write(Path(path), data)


def _write(path: Path, data: bytes) -> Path:
    try:
        return write_bytes_atomic(path, data)
    except PermissionError as exc:
        raise UserError(f"无法写入 {path}（文件可能正在 Excel/WPS 中打开），请关闭后重试") from exc


def summary_path(out: Path) -> Path:
    """`out` as given; a folder gets 汇总表.xlsx inside it; a name without suffix gets .xlsx."""
    out = Path(out)
    if out.is_dir():
        return out / "汇总表.xlsx"
    return out if out.suffix else out.with_suffix(".xlsx")


def write_outputs(report: Report, out: Path, feedback: bool = False) -> list[Path]:
    """The summary workbook, then the CSV/JSON exports beside it. Returns the paths written."""
    # The report's objects (~170 per file) outlive this call: the garbage collector's full passes, which the
    # summary's many allocations trigger, need not visit them (at 1,000 files they cost ~15 % of the time).
    gc.freeze()
    try:
        return _write_outputs(report, out, feedback)
    finally:
        gc.unfreeze()


def _write_outputs(report: Report, out: Path, feedback: bool) -> list[Path]:
    out = summary_path(out)
    tables, ov = ag.tables_and_overview(report)
    written = [write_summary(tables, ov, out, report.campaign, report.generated_at)]
    try:
        written += export.write_exports(tables, ov, out, report.campaign, report.generated_at)
    except PermissionError as exc:
        raise UserError(f"无法写入 {out.parent} 中的导出文件（可能正在被打开），请关闭后重试") from exc
    if feedback:
        written += _feedback(report, tables, out)
    return written


def _feedback(report: Report, tables: ag.Tables, out: Path) -> list[Path]:
    """Per-branch feedback workbooks (a later issue): used when a `feedback` module provides them."""
    try:
        from ..round import feedback as fb  # type: ignore[attr-defined]
    except ImportError:
        return []
    writer = getattr(fb, "write_feedback", None)
    if writer is None:
        return []
    return list(writer(report, tables, out) or [])


__all__ = ["build_summary", "summary_path", "write_outputs", "write_summary"]
