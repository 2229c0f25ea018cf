"""The feedback workbook's lists: the branch's deductions (its own 自评 ones; after a complete inspection, every
item 督查 or 自评 took points off, 督查得分 beside 自评, with the 督查意见) and its open tasks."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from .. import aggregate as ag
from ..catalog import ref_labels
from ..models import Branch, Catalog
from ..summary import Col, Formats, table, title


def _item_texts(catalog: Catalog) -> tuple[dict[str, str], dict[str, str]]:
    section_of = catalog.section_of
    sections = {i.id: f"{section_of[i.id].numeral}、{section_of[i.id].name}" for i in catalog.items}
    return sections, {i.id: ag.short_text(i.text) for i in catalog.items}


def self_deductions(tables: ag.Tables, branch: Branch, catalog: Catalog) -> pd.DataFrame:
    """Every item of the branch's current 附件1 (暂计 too) that lost points, with its 扣分说明."""
    items = ag.branch_rows(tables.score_items, branch.id)
    mine = items[items["lost"].fillna(0) > 0]
    sections, texts = _item_texts(catalog)
    refs = ref_labels(catalog)
    return mine.assign(
        ref=mine["item_id"].map(refs), section=mine["item_id"].map(sections), item=mine["item_id"].map(texts)
    )


def inspection_deductions(insp: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Every item of a complete inspection (`Tables.inspection_scores` rows of one branch) that 督查 or 自评 took
    points off, 督查得分 beside 自评, with 扣分说明 and 督查意见."""
    lost = (insp["insp_lost"].fillna(0) > 0) | (insp["self_score"].fillna(insp["points"]) < insp["points"])
    rows = insp[lost]
    sections, texts = _item_texts(catalog)
    refs = ref_labels(catalog)
    return rows.assign(
        ref=rows["item_id"].map(refs), section=rows["item_id"].map(sections), item=rows["item_id"].map(texts)
    )


def deductions_sheet(
    ws: Worksheet,
    F: Formats,
    deductions: pd.DataFrame,
    inspected: bool,
    provisional: bool,
    catalog: Catalog,
    has_scores: bool = True,
) -> None:
    head = [Col("ref", "项目", 9, "wrap"), Col("section", "所属部分", 18, "wrap"),
            Col("item", "督查内容", 30, "wrap"), Col("points", "分值", 6, "points")]  # fmt: skip
    if inspected:
        cols = [*head, Col("self_score", "自评得分", 7, "num"), Col("insp_score", "督查得分", 7, "num"),
                Col("insp_lost", "督查失分", 7, "num"), Col("self_note", "扣分说明（自评）", 30, "wrap"),
                Col("opinion", "督查意见", 30, "wrap")]  # fmt: skip
        n_insp = int((deductions["insp_lost"].fillna(0) > 0).sum())
        lost = float(deductions["insp_lost"].fillna(0).sum())
        note = (f"督查扣分项共 {n_insp} 项，督查失分合计 {lost:g} 分；表中另列自评扣分而督查未扣分的项目。"
                "请对照督查意见逐项整改。")  # fmt: skip
        heading = "扣分项（组织部督查）"
    else:
        cols = [*head, Col("score", "得分", 6, "num"), Col("lost", "失分", 6, "num"),
                Col("note", "扣分说明（佐证材料）", 40, "wrap")]  # fmt: skip
        lost = float(deductions["lost"].sum()) if len(deductions) else 0.0
        if not has_scores:  # nothing to list: say why, not "0 项"
            note = f"未收到可用的{catalog.form1.attachment}评分表（见退回修改通知），暂无扣分项可列。"
        elif len(deductions):
            note = f"本单位自评扣分项共 {len(deductions)} 项，失分合计 {lost:g} 分。请对照扣分说明逐项整改。"
        else:
            note = "本单位自评没有扣分项。"
        if provisional:
            note += f"{catalog.form1.attachment}待更正，以上为暂计。"
        heading = "扣分项（自评）"
    title(ws, F, heading, note, len(cols))
    table(ws, F, deductions, cols, freeze_cols=1, header_height=24)


def tasks_sheet(
    ws: Worksheet, F: Formats, open_tasks: pd.DataFrame, catalog: Catalog, has_tasks: bool = True
) -> None:
    cols = [
        Col("ref", "序号", 8, "center"),
        Col("group", "类别", 16, "wrap"),
        Col("task", "重点工作任务", 36, "wrap"),
        Col("status", "完成状态", 9, "center", status=True),
        Col("done", "完成情况（做法及佐证材料）", 36, "wrap"),
        Col("issues", "存在问题及整改措施", 36, "wrap"),
    ]
    opened = "".join(f"“{s}”" for s in catalog.open_statuses)
    which = f"完成状态为{opened}或未填、无效" if opened else "完成状态未填或无效"
    note = f"{catalog.form2.attachment}中{which}的任务共 {len(open_tasks)} 项，请加快推进并按时完成整改。"
    if not has_tasks:  # no 附件2 that counts: not "0 项"
        note = (
            f"未收到可用的{catalog.form2.attachment}重点任务清单（见退回修改通知），暂无法列出待完成的任务。"
        )
    elif not len(open_tasks):
        na = f"（或{catalog.na_status}）" if catalog.na_status else ""
        note = f"{catalog.form2.attachment}中的任务均为“{catalog.done_status}”{na}。"
    title(ws, F, "待完成的重点任务", note, len(cols))
    table(ws, F, open_tasks, cols, freeze_cols=1, header_height=24)
