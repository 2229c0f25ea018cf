"""自评与督查对比 with many differing items: the item table (long enough to be spliced elsewhere) shares its rows
with the per-branch table on its right, so XlsxWriter writes every row of it — the summary is written, and
both tables read back whole."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
from fill import fill_form

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.catalog import load_campaign_noted
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.forms import form_filename
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import FormKind
from dangjian_xlsx.outputs import write_inspection_outputs, write_outputs
from dangjian_xlsx.summary import MIN_ROWS

SAMPLE = Path(__file__).resolve().parents[2] / "sample_submissions"


def test_long_comparison_beside_the_branch_table(tmp_path: Path) -> None:
    inbox = tmp_path / "收件"
    shutil.copytree(SAMPLE, inbox)
    camp, _ = load_campaign_noted(None)
    report = run_collect(inbox, camp)
    write_inspection_outputs(report, tmp_path / "督查评分表")
    inspected = set(ag.current_inspections(report))
    catalog = camp.catalog
    values: dict = {(Field.INSP_SCORE, it.id): it.points for it in catalog.items}
    values[(Field.DATE, "")] = dt.date(2018, 10, 12)
    for b in [bf.branch for bf in ag.branch_files(report) if bf.forms[FormKind.SCORING].current][:6]:
        if b.name in inspected:
            continue
        name = form_filename(FormKind.INSPECTION, b, catalog)
        fill_form(tmp_path / "督查评分表" / name, inbox / name, values)  # full marks: differs where 自评 lost
    report = run_collect(inbox, camp)
    tables, _ = ag.tables_and_overview(report)
    assert len(tables.inspection_items) >= MIN_ROWS  # long enough to be spliced, were it alone in its rows
    write_outputs(report, tmp_path / "汇总表.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "汇总表.xlsx", read_only=True)
    rows = list(wb["自评与督查对比"].iter_rows(min_row=4, values_only=True))
    wb.close()
    items = [r for r in rows if r[1] is not None]
    assert [(r[1], r[2]) for r in items] == list(
        zip(tables.inspection_items["branch"], tables.inspection_items["item_id"], strict=True)
    )
    side = [r for r in rows if len(r) > 13 and r[13] is not None]
    assert [r[13] for r in side] == tables.inspection["branch"].tolist()
