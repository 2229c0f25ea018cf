"""Tables → the school-wide summary workbook (xlsxwriter), written atomically.

The workbook is built in memory, written to a temporary file in pieces (the spliced zip is never joined
into one copy) and renamed into place in one step: a failure part-way leaves the previous summary
untouched. The creation date is pinned to the report's generated_at, so the same inputs give
byte-identical output.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook

from .. import aggregate as ag
from ..atomic import write_all_atomic
from ..models import Campaign
from . import score_sheets as ssh
from . import sheets as sh
from . import style as st
from .overview import overview_sheet
from .splice import BodyRows
from .style import Formats
from .xlsxwriter_fence import lean_rows


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
    return b"".join(summary_chunks(tables, ov, campaign, generated_at))


def summary_chunks(
    tables: ag.Tables, ov: ag.Overview, campaign: Campaign, generated_at: dt.datetime
) -> Iterable[bytes | memoryview]:
    """The summary workbook in pieces to write one after the other (`build_summary` joins them)."""
    xlsx, body_rows = _closed_workbook(tables, ov, campaign, generated_at)
    gc.collect()  # XlsxWriter's worksheets (a row entry for every row, spliced ones too) go before the splice
    return body_rows.chunks(xlsx, st.clip)


def _closed_workbook(
    tables: ag.Tables, ov: ag.Overview, campaign: Campaign, generated_at: dt.datetime
) -> tuple[bytes, BodyRows]:
    """The workbook XlsxWriter wrote, and the table rows kept back from it."""
    buf = io.BytesIO()
    heading = f"{campaign.school}{campaign.title}汇总表"
    wb = new_workbook(buf, heading, campaign, generated_at)
    cat = campaign.catalog
    terms = ag.Terms.of(cat)
    F = Formats(wb, cat, st.SUMMARY_SIZE)
    body_rows = F.body_rows = BodyRows()
    names = list(st.SHEETS)
    if tables.has_inspection:
        names.insert(names.index(st.S_SCORES) + 1, st.S_INSPECTION)
    ws = {name: wb.add_worksheet(name) for name in names}
    ranked = ssh.scores_sheet(ws[st.S_SCORES], F, tables, cat, margin=campaign.inspection_margin)
    if tables.has_inspection:
        ssh.inspection_sheet(ws[st.S_INSPECTION], F, tables, campaign.inspection_margin, terms)
    ssh.items_sheet(ws[st.S_ITEMS], F, tables, cat)
    ssh.losses_sheet(ws[st.S_LOSSES], F, tables, cat)
    sh.ledger_sheet(ws[st.S_LEDGER], F, tables, terms)
    sh.tasks_sheet(ws[st.S_TASKS], F, tables, cat)
    sh.task_details_sheet(ws[st.S_TASK_DETAILS], F, tables, cat)
    sh.submissions_sheet(ws[st.S_SUBMISSIONS], F, tables, terms)
    sh.files_sheet(ws[st.S_FILES], F, tables, terms.unit)
    sh.problems_sheet(ws[st.S_PROBLEMS], F, tables, cat)
    overview_sheet(wb, ws[st.S_OVERVIEW], F, tables, ov, campaign, generated_at, ranked)
    for name, sheet in ws.items():
        st.page_header(sheet, heading)
        if name != st.S_OVERVIEW:  # 总览's counts are larger than the tables' text
            sheet.set_default_row(F.row)
    ws[st.S_OVERVIEW].activate()
    for sheet in ws.values():
        lean_rows(sheet)
    wb.close()
    return buf.getvalue(), body_rows


def write_summary(
    tables: ag.Tables, overview: ag.Overview, path: Path, campaign: Campaign, generated_at: dt.datetime
) -> Path:
    """Build the summary workbook and write it to `path` atomically. Returns the path."""
    return write_all_atomic([(Path(path), summary_chunks(tables, overview, campaign, generated_at))])[0]
