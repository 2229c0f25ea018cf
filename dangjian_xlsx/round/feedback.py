"""Per-党总支 feedback workbooks: its own results beside the school's, and nothing about any other branch.

One workbook per roster 党总支 that returned a 附件1 or 附件2: its section scores beside the school average,
minimum and maximum, its ranks, a bar chart of its section scores as % of max against the school average,
its deductions and its open tasks (every task not 已完成, with what it wrote). The school's figures are
aggregates of the complete, valid forms only; no other branch's name appears in any cell or chart.

After 组织部's inspection (a complete 督查评分表), the workbook shows it: 督查总分 and 督查排名, the section scores
on the 督查 basis beside the inspected branches' (the basis 督查排名 uses), and every item 督查 or 自评 took
points off with its 督查得分 beside 自评 and the 督查意见. A branch whose own form is to be corrected is told its
figures are provisional (暂计) and were left out of the school's statistics and ranks.

Everything comes from the aggregate tables and overview that the summary is made of (computed once, by
the caller): `build_feedback` is pure, (name, bytes) per branch; `write_feedback` writes them into a
folder (`反馈表/` beside the summary, for `collect --feedback`), every file atomically; `feedback_jobs` the
same, a job per workbook, for `outputs.py` to share with a forked helper.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import aggregate as ag
from ..atomic import sweep_folder, write_all_atomic
from ..catalog import ref_labels
from ..models import Branch, Campaign, Catalog, FormKind, Report
from ..ownfiles import FEEDBACK_SHEETS
from ..summary import FONT, Col, Formats, col_index, new_workbook, plain_table, print_setup, put, title
from .feedback_items import deductions_sheet, inspection_deductions, self_deductions, tasks_sheet

S_SCORES, S_DEDUCTIONS, S_TASKS = FEEDBACK_SHEETS  # in the workbook's order
NOT_FILLED = "未填或无效"  # a status left blank or not one of the list (validation read it as none)
Line = tuple[str, Any, str]


def feedback_name(branch: Branch) -> str:
    return f"{branch.id}_{branch.name}_督查反馈.xlsx"


def _row(df: pd.DataFrame, branch_id: str) -> dict[str, Any] | None:
    rows = ag.branch_rows(df, branch_id)
    if rows.empty:
        return None
    return {k: (None if ag.is_missing(v) else v) for k, v in rows.iloc[0].to_dict().items()}


def _num(v: Any) -> float | None:
    return None if v is None or ag.is_missing(v) else float(v)


@dataclass
class Own:
    """One branch's own figures, as the summary has them."""

    scores: dict[str, Any] | None  # its row of 得分汇总
    tasks: dict[str, Any] | None  # its row of 任务清单汇总
    inspection: pd.DataFrame  # every item of its complete 督查评分表 (empty: not inspected, or to complete)

    @property
    def inspected(self) -> bool:
        return len(self.inspection) > 0

    @property
    def provisional(self) -> bool:
        """Its 附件1 was read but must be corrected: its figures are 暂计, outside the statistics."""
        return self.scores is not None and self.scores.get("total") is not None and not self.scores["counted"]


def _own(tables: ag.Tables, branch: Branch, has_tasks: bool) -> Own:
    insp = tables.inspection_scores
    return Own(
        _row(tables.scores, branch.id),
        _row(tables.tasks, branch.id) if has_tasks else None,
        ag.branch_rows(insp, branch.id),
    )


# ---------------------------------------------------------------- 一、总体情况


def _self_lines(tables: ag.Tables, ov: ag.Overview, own: Own, total: float) -> list[Line]:
    """自评总分 and 自评排名, beside the school's figures (complete valid 附件1 only)."""
    row = own.scores
    n_ranked = int(tables.scores["rank"].notna().sum())
    f1, unit = ov.terms.form1, ov.terms.unit
    lines: list[Line] = []
    if row is None or row.get("total") is None:
        lines.append(("自评总分", None, f"未收到可计分的{f1}评分表"))
    elif own.provisional:
        lines.append((f"{f1}状态", None, f"{row['status']}：以下自评得分为暂计，未计入全校统计和排名；"
                                         "请按退回修改通知更正后重新发送"))  # fmt: skip
        lines.append(("自评总分（暂计）", float(row["total"]), f"满分 {total} 分；待更正，仅供参考"))
    else:
        lines.append(("自评总分", float(row["total"]), f"满分 {total} 分；{f1}状态：{row['status']}"))
    lines += [
        (ag.L_AVERAGE, ov.school_average, f"{ov.scored} 份完整有效的{f1}的自评总分平均"),
        (f"全校{ag.L_MAX}", ov.max_total, ""),
        (f"全校{ag.L_MIN}", ov.min_total, ""),
    ]
    rank = row.get("rank") if row is not None else None
    if rank is not None:
        lines.append(
            ("自评排名", int(rank), f"共 {n_ranked} 个{unit}参与自评排名（只计完整有效的{f1}，并列同名次）")
        )
    elif own.provisional:
        lines.append(("自评排名", None, f"未参与排名（{f1}待更正，更正后参与）"))
    else:
        lines.append(("自评排名", None, f"未参与排名（{f1}未交或无法计分）"))
    return lines


def _inspection_lines(ov: ag.Overview, own: Own) -> list[Line]:
    """督查总分 and 督查排名 beside the inspected branches' figures; nothing before the inspection is done."""
    row = own.scores or {}
    if not own.inspected:
        if str(row.get("insp_status") or "").startswith(ag.INSP_PENDING):
            return [("督查总分", None, "组织部督查评分尚未结束，结束后另行反馈")]
        return []
    flag = f"，{row['flag']}" if row.get("flag") else ""
    unit = ov.terms.unit
    lines: list[Line] = [
        ("督查总分", _num(row.get("insp_total")), "组织部督查评分"),
        ("督查排名", int(row["insp_rank"]), f"共 {ov.inspected} 个已督查的{unit}参与督查排名（并列同名次）"),
    ]
    if row.get("diff") is not None:
        lines.append(("自评与督查差值", float(row["diff"]), f"自评总分 − 督查总分{flag}"))
    lines += [
        (
            f"已督查{unit}{ag.L_INSP_AVERAGE}",
            ov.inspection_average,
            f"{ov.inspected} 个已督查{unit}的督查总分平均",
        ),
        (f"已督查{unit}{ag.L_INSP_MAX}", ov.insp_max_total, ""),
        (f"已督查{unit}{ag.L_INSP_MIN}", ov.insp_min_total, ""),
    ]
    return lines


def _task_lines(own: Own, catalog: Catalog) -> list[Line]:
    tasks = own.tasks
    if tasks is None:
        return []
    if tasks.get("rate") is not None:
        return [("重点任务完成率", float(tasks["rate"]), ag.rate_formula(catalog))]
    if not tasks.get("counted") and str(tasks.get("status") or "").startswith(ag.PROVISIONAL):
        f2 = catalog.form2.attachment
        return [("重点任务完成率", None, f"{f2}{tasks['status']}：有未填或无效的完成状态，更正后计算")]
    return []


def summary_lines(tables: ag.Tables, ov: ag.Overview, own: Own, catalog: Catalog) -> list[Line]:
    """一、总体情况: (label, value, explanation) per line."""
    total = catalog.total_points
    return [*_self_lines(tables, ov, own, total), *_inspection_lines(ov, own), *_task_lines(own, catalog)]


# ---------------------------------------------------------------- 二、各部分得分


def _columns(inspected: bool) -> tuple[Col, ...]:
    """The section table's columns (the chart reads its columns by key): the 自评 basis, or the 督查 basis."""
    if not inspected:
        return (
            Col("section", "部分", 26, "wrap"),
            Col("points", "满分", 11, "points"),
            Col("score", "本单位得分", 11, "num"),
            Col("rate", "本单位得分率", 11, "pct"),
            Col("mean", "全校平均分", 11, "num"),
            Col("mean_rate", "全校平均得分率", 11, "pct"),
            Col("min", "全校最低", 11, "num"),
            Col("max", "全校最高", 11, "num"),
            Col("vs_mean", "与平均分之差", 11, "num"),
        )
    return (
        Col("section", "部分", 26, "wrap"),
        Col("points", "满分", 11, "points"),
        Col("self", "本单位自评得分", 11, "num"),
        Col("score", "本单位督查得分", 11, "num"),
        Col("rate", "本单位督查得分率", 11, "pct"),
        Col("mean", "已督查平均分", 11, "num"),
        Col("mean_rate", "已督查平均得分率", 11, "pct"),
        Col("min", "已督查最低", 11, "num"),
        Col("max", "已督查最高", 11, "num"),
        Col("vs_mean", "与督查平均分之差", 11, "num"),
    )


def section_rows(tables: ag.Tables, own: Own, campaign: Campaign) -> pd.DataFrame:
    """The branch's section scores beside the school's average / min / max (rates are of the maximum): on the
    督查 basis when the branch's inspection is complete (beside the inspected branches'), else 自评."""
    out = []
    row = own.scores
    if own.inspected:
        assert tables.inspection_sections is not None
        stats = {r["section_id"]: r for r in tables.inspection_sections.to_dict("records")}
        insp = own.inspection.groupby("section_id")["insp_score"].sum().to_dict()
    else:
        stats = {r["section_id"]: r for r in tables.sections.to_dict("records")}
    for sec in campaign.catalog.sections:
        s = stats[sec.id]
        mine_self = _num(row.get(sec.id)) if row is not None else None
        mine = _num(insp.get(sec.id)) if own.inspected else mine_self
        mean = _num(s["mean"])
        out.append(
            {
                "section": f"{sec.numeral}、{sec.name}",
                "points": sec.max_points,
                "self": mine_self,
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


def _section_heading(ov: ag.Overview, own: Own) -> str:
    if own.inspected:
        return f"二、各部分得分（督查得分，与已督查的 {ov.inspected} 个{ov.terms.unit}比较）"
    mine = "本单位为暂计，" if own.provisional else ""
    return f"二、各部分得分（自评得分，{mine}与全校 {ov.scored} 份完整有效的{ov.terms.form1}比较）"


def _scores_sheet(
    wb: Workbook, ws: Worksheet, F: Formats, branch: Branch, lines: list[Line], own: Own, sections: pd.DataFrame,
    heading: str, campaign: Campaign, generated_at: dt.datetime,
) -> None:  # fmt: skip
    cols = _columns(own.inspected)
    width = len(cols)
    title(
        ws,
        F,
        f"{branch.name} 专项督查反馈",
        f"{campaign.school}{campaign.year}年{campaign.title}　{campaign.department}　"
        f"汇总时间 {generated_at:%Y-%m-%d}",
        width,
    )
    ws.set_column(0, 0, 26)
    ws.set_column(1, width - 1, 11)
    row = _summary_block(ws, F, lines, 3, width)
    ws.write_string(row, 0, heading, F.section)
    header = row + 1
    ws.set_row(header, 30)
    first, last = header + 1, plain_table(ws, F, sections, cols, header)
    vs_mean = col_index(cols, "vs_mean")
    ws.conditional_format(
        first, vs_mean, last, vs_mean, {"type": "cell", "criteria": "<", "value": 0, "format": F.lost_rule}
    )
    print_setup(ws, header)
    ws.set_portrait()
    ws.insert_chart(last + 2, 0, _sections_chart(wb, cols, first, last, own.inspected))


def _summary_block(ws: Worksheet, F: Formats, lines: list[Line], row: int, width: int) -> int:
    """一、总体情况 at `row`: label, value, explanation per line. Returns the next free row after a blank one."""
    ws.write_string(row, 0, "一、总体情况", F.section)
    row += 1
    pct, wrap = F.by_kind["pct"], F.by_kind["wrap"]
    for label, value, explain in lines:
        ws.write_string(row, 0, label, F.label)
        fmt = pct if label.endswith("率") else F.big if type(value) is int else F.big_num
        put(ws, row, 1, value, fmt)
        ws.merge_range(row, 2, row, width - 1, "", wrap)
        put(ws, row, 2, explain, wrap)
        if len(explain) > 40:
            ws.set_row(row, 30)
        row += 1
    return row + 1


def _sections_chart(wb: Workbook, cols: tuple[Col, ...], first: int, last: int, inspected: bool) -> Chart:
    """The branch's section rates beside the school's average rates, from the section table's columns."""
    category = col_index(cols, "section")
    chart = wb.add_chart({"type": "bar"})
    mine, school = (
        ("本单位督查得分率", "已督查平均得分率") if inspected else ("本单位得分率", "全校平均得分率")
    )
    for name, key, colour in ((mine, "rate", "#5B9BD5"), (school, "mean_rate", "#BFBFBF")):
        col = col_index(cols, key)
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


def build_one(
    report: Report,
    tables: ag.Tables,
    ov: ag.Overview,
    branch: Branch,
    has_tasks: bool,
    has_scores: bool = True,
) -> bytes:
    """The feedback workbook of one branch (deterministic: created date pinned to the report's)."""
    campaign = report.campaign
    catalog = campaign.catalog
    own = _own(tables, branch, has_tasks)
    texts = {t.id: t.text for t in catalog.tasks}
    details = ag.branch_rows(tables.task_details, branch.id)
    # 不适用 is an answer, not unfinished work: the open tasks are those neither done nor not applicable (blank
    # and invalid included)
    closed = [s for s in (catalog.done_status, catalog.na_status) if s is not None]
    refs = ref_labels(catalog)
    open_tasks = details[~details["status"].isin(closed)].assign(
        ref=lambda d: d["task_id"].map(refs),
        task=lambda d: d["task_id"].map(texts),
        status=lambda d: d["status"].replace("", NOT_FILLED),
    )
    deductions = (
        inspection_deductions(own.inspection, catalog)
        if own.inspected
        else self_deductions(tables, branch, catalog)
    )
    buf = io.BytesIO()
    wb = new_workbook(buf, f"{branch.name}专项督查反馈", campaign, report.generated_at)
    F = Formats(wb, catalog)
    ws1, ws2, ws3 = (wb.add_worksheet(name) for name in FEEDBACK_SHEETS)
    lines = summary_lines(tables, ov, own, catalog)
    sections = section_rows(tables, own, campaign)
    heading = _section_heading(ov, own)
    _scores_sheet(wb, ws1, F, branch, lines, own, sections, heading, campaign, report.generated_at)
    deductions_sheet(ws2, F, deductions, own.inspected, own.provisional, catalog, has_scores)
    tasks_sheet(ws3, F, open_tasks, catalog, has_tasks)
    ws1.activate()
    wb.close()
    return buf.getvalue()


def _recipients(tables: ag.Tables) -> list[tuple[Branch, bool, bool]]:
    """(branch, has_tasks, has_scores) per roster branch with a counted 附件1 or 附件2, in roster order: the
    files the tables were built from (`tables.branches`)."""
    out = []
    for bf in tables.branches:
        has_scores = bf.forms[FormKind.SCORING].current is not None
        has_tasks = bf.forms[FormKind.TASKS].current is not None
        if has_scores or has_tasks:
            out.append((bf.branch, has_tasks, has_scores))
    return out


def build_feedback(report: Report, tables: ag.Tables, ov: ag.Overview) -> list[tuple[str, bytes]]:
    """(file name, bytes) per roster branch with a counted 附件1 or 附件2, in roster order."""
    return [(feedback_name(r[0]), build_one(report, tables, ov, *r)) for r in _recipients(tables)]


def write_feedback(report: Report, tables: ag.Tables, ov: ag.Overview, out_dir: Path) -> list[Path]:
    """Write the feedback workbooks into `out_dir` (atomically). Returns their paths."""
    out_dir = Path(out_dir)
    return write_all_atomic((out_dir / name, data) for name, data in build_feedback(report, tables, ov))


def feedback_jobs(
    report: Report, tables: ag.Tables, ov: ag.Overview, out_dir: Path
) -> list[Callable[[], list[Path]]]:
    """`write_feedback` in pieces, for a caller that shares them between processes (`parallel.share`): each
    job writes one branch's workbook into `out_dir` (atomically) and returns its path, in a list."""
    sweep_folder(Path(out_dir))  # once for every workbook (see sweep_folder)
    return [partial(_write_one, report, tables, ov, Path(out_dir), *r) for r in _recipients(tables)]


def _write_one(
    report: Report, tables: ag.Tables, ov: ag.Overview, out_dir: Path, branch: Branch, *has: bool
) -> list[Path]:
    data = build_one(report, tables, ov, branch, *has)
    return write_all_atomic([(out_dir / feedback_name(branch), data)], sweep=False)
