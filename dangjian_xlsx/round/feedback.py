"""Per-党总支 feedback workbooks: its own results beside the school's, and nothing about any other branch.

One workbook per roster 党总支 that returned a 附件1 or 附件2: its 12 section scores beside the school average,
minimum and maximum, its rank, a bar chart of its section scores as % of max against the school average,
its deductions (its own rows of the 问题台账) and its open tasks (every task not 已完成, with what it wrote).
The school's figures are aggregates only; no other branch's name appears in any cell or chart.

Everything comes from the aggregate tables and overview that the summary is made of (computed once, by
the caller): `build_feedback` is pure, (name, bytes) per branch; `write_feedback` writes them into a
folder (`反馈表/` beside the summary, for `collect --feedback`), every file atomically.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import aggregate as ag
from ..atomic import write_all_atomic
from ..models import Branch, Campaign, FormKind, Report
from ..ownfiles import FEEDBACK_SHEETS
from ..summary import FONT, Col, Formats, col_index, new_workbook, plain_table, print_setup, put, table, title

FEEDBACK_DIR = "反馈表"
S_SCORES, S_DEDUCTIONS, S_TASKS = FEEDBACK_SHEETS  # in the workbook's order
NOT_FILLED = "未填"


def feedback_name(branch: Branch) -> str:
    return f"{branch.id}_{branch.name}_督查反馈.xlsx"


def _row(df: pd.DataFrame, branch_id: str) -> dict[str, Any] | None:
    rows = df[df["branch_id"] == branch_id]
    if rows.empty:
        return None
    return {k: (None if ag.is_missing(v) else v) for k, v in rows.iloc[0].to_dict().items()}


def _num(v: Any) -> float | None:
    return None if v is None or ag.is_missing(v) else float(v)


def section_rows(tables: ag.Tables, row: dict[str, Any] | None, campaign: Campaign) -> pd.DataFrame:
    """The branch's 12 section scores beside the school's average / min / max (rates are of the maximum)."""
    out = []
    stats = {r["section_id"]: r for r in tables.sections.to_dict("records")}
    for sec in campaign.catalog.sections:
        s = stats[sec.id]
        mine = _num(row.get(sec.id)) if row is not None else None
        mean = _num(s["mean"])
        out.append(
            {
                "section": f"{sec.numeral}、{sec.name}",
                "points": sec.max_points,
                "score": mine,
                "rate": None if mine is None else mine / sec.max_points,
                "mean": mean,
                "mean_rate": None if mean is None else mean / sec.max_points,
                "min": _num(s["min"]),
                "max": _num(s["max"]),
                "vs_mean": None if mine is None or mean is None else round(mine - mean, 4),
            }
        )
    return pd.DataFrame(out)


def _summary_lines(
    tables: ag.Tables, ov: ag.Overview, row: dict[str, Any] | None, tasks: dict[str, Any] | None, total: int
) -> list[tuple[str, Any, str]]:
    n_ranked = int(tables.scores["rank"].notna().sum())
    lines: list[tuple[str, Any, str]] = []
    if row is None or row.get("total") is None:
        lines.append(("自评总分", None, "未收到可计分的附件1评分表"))
    else:
        lines.append(("自评总分", float(row["total"]), f"满分 {total} 分；附件1状态：{row['status']}"))
        if row.get("insp_total") is not None:
            lines.append(("督查总分", float(row["insp_total"]), "组织部督查评分"))
            diff = float(row["diff"])
            flag = f"，{row['flag']}" if row.get("flag") else ""
            lines.append(("自评与督查差值", diff, f"自评总分 − 督查总分{flag}"))
    lines += [
        ("全校平均分", ov.school_average, f"{ov.scored} 个党总支的自评总分平均"),
        ("全校最高分", ov.max_total, ""),
        ("全校最低分", ov.min_total, ""),
    ]
    rank = row.get("rank") if row is not None else None
    if rank is not None:
        basis = row.get("rank_basis") or ag.BASIS_SELF
        lines.append(("排名", int(rank), f"共 {n_ranked} 个党总支参与排名，按{basis}排名（并列同名次）"))
    else:
        lines.append(("排名", None, "未参与排名（附件1未交或无法计分）"))
    if tasks is not None and tasks.get("rate") is not None:
        lines.append(("重点任务完成率", float(tasks["rate"]), "已完成 ÷（已完成 + 持续推进 + 未完成）"))
    return lines


# 二、各部分得分: the branch's section scores beside the school's (the chart reads its columns)
SECTION_COLUMNS = (
    Col("section", "部分", 26, "wrap"),
    Col("points", "满分", 11, "int"),
    Col("score", "本单位得分", 11, "num"),
    Col("rate", "本单位得分率", 11, "pct"),
    Col("mean", "全校平均分", 11, "num"),
    Col("mean_rate", "全校平均得分率", 11, "pct"),
    Col("min", "全校最低", 11, "num"),
    Col("max", "全校最高", 11, "num"),
    Col("vs_mean", "与平均分之差", 11, "num"),
)


def _scores_sheet(
    wb: Workbook,
    ws: Worksheet,
    F: Formats,
    branch: Branch,
    lines: list[tuple[str, Any, str]],
    sections: pd.DataFrame,
    campaign: Campaign,
    generated_at: dt.datetime,
) -> None:
    title(
        ws,
        F,
        f"{branch.name} 专项督查反馈",
        f"{campaign.school}{campaign.year}年{campaign.title}　{campaign.department}　"
        f"汇总时间 {generated_at:%Y-%m-%d}",
        9,
    )
    ws.set_column(0, 0, 26)
    ws.set_column(1, 8, 11)
    row = _summary_block(ws, F, lines, 3)
    ws.write_string(row, 0, "二、各部分得分（与全校比较）", F.section)
    header = row + 1
    ws.set_row(header, 30)
    first, last = header + 1, plain_table(ws, F, sections, SECTION_COLUMNS, header)
    vs_mean = col_index(SECTION_COLUMNS, "vs_mean")
    ws.conditional_format(
        first, vs_mean, last, vs_mean, {"type": "cell", "criteria": "<", "value": 0, "format": F.lost_rule}
    )
    print_setup(ws, header)
    ws.set_portrait()
    ws.insert_chart(last + 2, 0, _sections_chart(wb, first, last))


def _summary_block(ws: Worksheet, F: Formats, lines: list[tuple[str, Any, str]], row: int) -> int:
    """一、总体情况 at `row`: label, value, explanation per line. Returns the next free row after a blank one."""
    ws.write_string(row, 0, "一、总体情况", F.section)
    row += 1
    pct, wrap = F.by_kind["pct"], F.by_kind["wrap"]
    for label, value, explain in lines:
        ws.write_string(row, 0, label, F.label)
        fmt = pct if label.endswith("率") else F.big if type(value) is int else F.big_num
        put(ws, row, 1, value, fmt)
        ws.merge_range(row, 2, row, 8, "", wrap)
        put(ws, row, 2, explain, wrap)
        row += 1
    return row + 1


def _sections_chart(wb: Workbook, first: int, last: int) -> Chart:
    """The branch's section rates beside the school's average rates, from the section table's columns."""
    category = col_index(SECTION_COLUMNS, "section")
    chart = wb.add_chart({"type": "bar"})
    for name, key, colour in (
        ("本单位得分率", "rate", "#5B9BD5"),
        ("全校平均得分率", "mean_rate", "#BFBFBF"),
    ):
        col = col_index(SECTION_COLUMNS, key)
        chart.add_series(
            {
                "name": name,
                "categories": [S_SCORES, first, category, last, category],
                "values": [S_SCORES, first, col, last, col],
                "fill": {"color": colour},
                "data_labels": {"value": key == "rate", "num_format": "0%"},
                "gap": 60,
            }
        )
    chart.set_title({"name": "各部分得分率（得分 ÷ 满分）", "name_font": {"name": FONT, "size": 12}})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": {"name": FONT}})
    chart.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 9}})
    chart.set_legend({"position": "bottom", "font": {"name": FONT}})
    chart.set_size({"width": 720, "height": 520})
    return chart


def _deductions_sheet(ws: Worksheet, F: Formats, ledger: pd.DataFrame) -> None:
    cols = [
        Col("item_id", "编号", 7, "center"),
        Col("section", "所属部分", 18, "wrap"),
        Col("item", "督查内容", 34, "wrap"),
        Col("points", "分值", 6, "int"),
        Col("score", "得分", 6, "num"),
        Col("lost", "失分", 6, "num"),
        Col("note", "扣分说明（佐证材料）", 40, "wrap"),
    ]
    lost = float(ledger["lost"].sum()) if len(ledger) else 0.0
    note = f"本单位自评扣分项共 {len(ledger)} 项，失分合计 {lost:g} 分。请对照扣分说明逐项整改。"
    title(ws, F, "扣分项（问题台账）", note, len(cols))
    table(ws, F, ledger, cols, freeze_cols=1, header_height=24)


def _tasks_sheet(ws: Worksheet, F: Formats, open_tasks: pd.DataFrame) -> None:
    cols = [
        Col("task_id", "编号", 6, "center"),
        Col("group", "类别", 16, "wrap"),
        Col("task", "重点工作任务", 36, "wrap"),
        Col("status", "完成状态", 9, "center", status=True),
        Col("done", "完成情况（做法及佐证材料）", 36, "wrap"),
        Col("issues", "存在问题及整改措施", 36, "wrap"),
    ]
    note = f"附件2中完成状态不是“已完成”的任务共 {len(open_tasks)} 项，请持续推进并按时完成整改。"
    title(ws, F, "未完成的重点任务", note, len(cols))
    table(ws, F, open_tasks, cols, freeze_cols=1, header_height=24)


def build_one(
    report: Report, tables: ag.Tables, ov: ag.Overview, branch: Branch, has_scores: bool, has_tasks: bool
) -> bytes:
    """The feedback workbook of one branch (deterministic: created date pinned to the report's)."""
    campaign = report.campaign
    row = _row(tables.scores, branch.id) if has_scores else None
    task_row = _row(tables.tasks, branch.id) if has_tasks else None
    ledger = tables.ledger[tables.ledger["branch_id"] == branch.id]
    texts = {t.id: t.text for t in campaign.catalog.tasks}
    details = tables.task_details[tables.task_details["branch_id"] == branch.id]
    open_tasks = details[details["status"] != ag.DONE_STATUS].assign(
        task=lambda d: d["task_id"].map(texts),
        status=lambda d: d["status"].replace("", NOT_FILLED),
    )
    buf = io.BytesIO()
    wb = new_workbook(buf, f"{branch.name}专项督查反馈", campaign, report.generated_at)
    F = Formats(wb)
    ws1, ws2, ws3 = (wb.add_worksheet(name) for name in FEEDBACK_SHEETS)
    lines = _summary_lines(tables, ov, row, task_row, campaign.catalog.total_points)
    sections = section_rows(tables, row, campaign)
    _scores_sheet(wb, ws1, F, branch, lines, sections, campaign, report.generated_at)
    _deductions_sheet(ws2, F, ledger)
    _tasks_sheet(ws3, F, open_tasks)
    ws1.activate()
    wb.close()
    return buf.getvalue()


def build_feedback(report: Report, tables: ag.Tables, ov: ag.Overview) -> list[tuple[str, bytes]]:
    """(file name, bytes) per roster branch with a counted 附件1 or 附件2, in roster order: the files the tables
    were built from (`tables.branches`)."""
    out = []
    for bf in tables.branches:
        has_scores = bf.forms[FormKind.SCORING].current is not None
        has_tasks = bf.forms[FormKind.TASKS].current is not None
        if has_scores or has_tasks:
            data = build_one(report, tables, ov, bf.branch, has_scores, has_tasks)
            out.append((feedback_name(bf.branch), data))
    return out


def write_feedback(report: Report, tables: ag.Tables, ov: ag.Overview, out_dir: Path) -> list[Path]:
    """Write the feedback workbooks into `out_dir` (atomically). Returns their paths."""
    out_dir = Path(out_dir)
    return write_all_atomic((out_dir / name, data) for name, data in build_feedback(report, tables, ov))
