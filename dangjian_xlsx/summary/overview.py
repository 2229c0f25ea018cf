"""总览: the counts a department head reads first, the section table, and the charts (xlsxwriter charts
that reference the cells of 得分汇总 and of the section table on this sheet)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import aggregate as ag
from ..models import Campaign
from . import style as st
from .score_sheets import score_columns
from .style import Col, Formats, col_index

MAX_CHART_HEIGHT = 2000  # pixels (about 21 inches): stay within what every spreadsheet program draws
LABELLED_BARS = 60  # beyond this many branches, value labels would overlap

SHEET_HELP = (
    (st.S_OVERVIEW, "本页：提交与得分的总体情况、图表"),
    (st.S_SCORES, "每个党总支一行：12个部分得分、总分、排名"),
    (st.S_INSPECTION, "自评得分与组织部督查得分不一致的项目，自评偏高的党总支"),
    (st.S_ITEMS, "每个党总支44项自评得分，扣分和空白已标色"),
    (st.S_LOSSES, "全校失分最多的部分和项目"),
    (st.S_LEDGER, "每个扣分项一行，可在黄底列登记整改情况"),
    (st.S_TASKS, "每个党总支20项重点任务的完成状态与完成率"),
    (st.S_TASK_DETAILS, "各党总支填写的完成情况、存在问题及整改措施"),
    (st.S_SUBMISSIONS, "按名单列出自查报告、附件1、附件2的交回情况"),
    (st.S_FILES, "收到的每个文件及其处理结果"),
    (st.S_PROBLEMS, "每个需要修改或核对的单元格"),
)


def _names(scores: pd.DataFrame, value: float | None) -> str:
    if value is None:
        return ""
    names = scores.loc[scores["total"] == value, "branch"].tolist()
    shown = "、".join(names[:3])
    return shown + (f" 等{len(names)}个" if len(names) > 3 else "")


def _who(t: ag.Tables, column: str, value: str, shown: int = 5) -> str:
    """'甲、乙、丙 等12个' — the branches of 提交情况 whose `column` equals `value`."""
    names = t.submissions.loc[t.submissions[column] == value, "branch"].tolist()
    if not names:
        return ""
    more = f" 等{len(names)}个" if len(names) > shown else ""
    return "、".join(names[:shown]) + more + "（详见“提交情况”）"


def _inspection_lines(t: ag.Tables, ov: ag.Overview, campaign: Campaign) -> list[tuple[str, Any, str]]:
    """The 督查 lines of 得分情况, when 组织部's inspection scores were collected."""
    if not ov.inspected:
        return []
    flagged = t.inspection.loc[t.inspection["flag"] == ag.FLAG_INFLATED, "branch"].tolist()
    margin = f"{campaign.inspection_margin:g}"
    return [
        ("已督查党总支", ov.inspected, "收到组织部督查评分表的党总支数；这些党总支按督查总分排名"),
        ("督查平均分", ov.inspection_average, "已督查党总支的督查总分平均"),
        ("自评偏高", ov.inflated, "、".join(flagged) or f"自评总分比督查总分高出{margin}分以上的党总支"),
    ]


def overview_sheet(
    wb: Workbook,
    ws: Worksheet,
    F: Formats,
    t: ag.Tables,
    ov: ag.Overview,
    campaign: Campaign,
    generated_at: dt.datetime,
    ranked_rows: tuple[int, int],
) -> None:
    """总览: the heading, the counts, the section table and what each sheet holds; the charts on the right."""
    ws.set_column(0, 0, 34)
    ws.set_column(1, 6, 10)
    ws.set_column(7, 7, 2)
    heading = f"{campaign.school}{campaign.title}汇总表"
    note = (
        f"{campaign.department}　自查时间 {campaign.self_check_start:%Y-%m-%d} 至 {campaign.self_check_end:%Y-%m-%d}"
        f"　报送截止 {campaign.due:%Y-%m-%d}　生成时间 {generated_at:%Y-%m-%d %H:%M}"
    )
    st.title(ws, F, heading, note, 17)
    row = 3
    for name, lines in _count_blocks(t, ov, campaign):
        row = _block(ws, F, row, name, lines)
    sections = _section_table(ws, F, t, row)
    _sheet_help(wb, ws, F, sections[1] + 2)
    st.print_setup(ws, 0, 1)
    ws.fit_to_pages(1, 0)
    if ov.scored > 0:
        ws.insert_chart(3, 8, _section_chart(wb, *sections))
        ws.insert_chart(25, 8, _totals_chart(wb, t, campaign, ranked_rows))
    else:
        ws.write_string(3, 8, "尚未收到附件1评分表，暂无图表。", F.note)


def _count_blocks(
    t: ag.Tables, ov: ag.Overview, campaign: Campaign
) -> list[tuple[str, list[tuple[str, Any, str]]]]:
    """The three blocks of counts: (heading, [(label, value, explanation)])."""
    return [
        (
            "一、提交情况（按党总支）",
            [
                ("应交党总支", ov.expected, "名单中的党总支数"),
                ("已交", ov.received, "至少交回一个文件"),
                ("全部合格", ov.accepted, "附件1、附件2均已接收"),
                ("需退回修改", ov.to_correct, _who(t, "state", ag.STATE_FIX) or "有表格被退回或有错误"),
                ("未交", ov.missing, _who(t, "state", ag.STATE_MISSING) or "有表格尚未交回"),
                ("自查报告已交", ov.report_branches, "收到自查报告的党总支数"),
                ("自查报告未交", ov.expected - ov.report_branches, _who(t, "report", ag.SUB_MISSING)),
            ],
        ),
        (
            "二、得分情况（附件1，按各项得分重新计算）",
            [
                ("已评分党总支", ov.scored, "交回附件1（含需修改的）的党总支数"),
                ("全校平均分", ov.school_average, f"满分 {campaign.catalog.total_points} 分"),
                ("最高分", ov.max_total, _names(t.scores, ov.max_total)),
                ("最低分", ov.min_total, _names(t.scores, ov.min_total)),
                *_inspection_lines(t, ov, campaign),
            ],
        ),
        (
            "三、文件处理结果",
            [
                ("文件总数", ov.files_total, "收到的全部文件"),
                ("已接收", ov.accepted_files, ""),
                ("已接收（有警告）", ov.warning_files, "接收，但有需核对的提醒"),
                ("已接收（需修改）", ov.needs_fix_files, "有效内容已计入，错误须修改后重交"),
                ("自查报告", ov.reports, "Word / PDF 自查报告"),
                ("退回", ov.rejected_files, "无法使用，须重新报送"),
                ("已被新版本替代", ov.superseded_files, "同一党总支交了更新的文件"),
                ("已忽略", ov.ignored_files, "临时文件、隐藏文件"),
                ("非表格文件", ov.not_a_form_files, "不是本次督查的表格或自查报告"),
            ],
        ),
    ]


def _block(ws: Worksheet, F: Formats, row: int, name: str, lines: list[tuple[str, Any, str]]) -> int:
    """One block of counts at `row`: its heading, a header, one line per count. Returns the next free row
    after a blank one."""
    wrap = F.by_kind["wrap"]
    ws.write_string(row, 0, name, F.section)
    row += 1
    for c, h in enumerate(("项目", "数量")):
        ws.write_string(row, c, h, F.header)
    ws.merge_range(row, 2, row, 6, "", F.header)
    ws.write_string(row, 2, "说明", F.header)
    row += 1
    for label, value, explain in lines:
        ws.write_string(row, 0, label, F.label)
        st.put(ws, row, 1, value, F.big if type(value) is int else F.big_num)
        ws.merge_range(row, 2, row, 6, "", wrap)
        ws.write_string(row, 2, explain, wrap)
        n = st.text_lines(explain, 48)
        if n > 1:
            ws.set_row(row, st.LINE_HEIGHT * n + 3)
        row += 1
    return row + 1


# 四、各部分平均得分: a small table the section chart reads from.
SECTION_COLUMNS = (
    Col("section", "部分", 34, "label"),
    Col("points", "满分", 10, "int"),
    Col("mean", "平均分", 10, "num"),
    Col("mean_rate", "得分率", 10, "pct"),
    Col("min", "最低", 10, "num"),
    Col("max", "最高", 10, "num"),
    Col("n", "份数", 10, "int"),
)


def _section_table(ws: Worksheet, F: Formats, t: ag.Tables, row: int) -> tuple[int, int]:
    """The section averages under a heading at `row`. Returns the (first, last) rows of the sections."""
    cols = SECTION_COLUMNS
    ws.write_string(row, 0, "四、各部分平均得分", F.section)
    row += 1
    header = row
    labels = [f"{n}、{name}" for n, name in zip(t.sections["numeral"], t.sections["name"], strict=True)]
    last = st.plain_table(ws, F, t.sections.assign(section=labels), cols, header)
    rate = col_index(cols, "mean_rate")
    ws.conditional_format(header + 1, rate, last, rate, st.RELATIVE_SCALE)
    ws.autofilter(header, 0, last, len(cols) - 1)
    return header + 1, last


def _sheet_help(wb: Workbook, ws: Worksheet, F: Formats, row: int) -> None:
    """五、各工作表说明: one line per sheet the workbook has."""
    text = F.by_kind["text"]
    ws.write_string(row, 0, "五、各工作表说明", F.section)
    row += 1
    for name, explain in SHEET_HELP:
        if wb.get_worksheet_by_name(name) is None:
            continue
        ws.write_string(row, 0, name, F.label)
        ws.merge_range(row, 1, row, 6, "", text)
        ws.write_string(row, 1, explain, text)
        row += 1


def _section_chart(wb: Workbook, first: int, last: int) -> Chart:
    """Each section's average rate (bars), from the section table on 总览."""
    category, rate = col_index(SECTION_COLUMNS, "section"), col_index(SECTION_COLUMNS, "mean_rate")
    chart = wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "得分率",
            "categories": [st.S_OVERVIEW, first, category, last, category],
            "values": [st.S_OVERVIEW, first, rate, last, rate],
            "fill": {"color": "#5B9BD5"},
            "data_labels": {"value": True, "num_format": "0%"},
        }
    )
    chart.set_title({"name": "各部分平均得分率（平均分 ÷ 满分）", "name_font": {"name": st.FONT, "size": 12}})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": {"name": st.FONT}})
    chart.set_y_axis({"reverse": True, "num_font": {"name": st.FONT, "size": 9}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 640, "height": 420})
    return chart


def _totals_chart(wb: Workbook, t: ag.Tables, campaign: Campaign, ranked_rows: tuple[int, int]) -> Chart:
    """Each ranked branch's total (and 督查总分 beside it, when inspected), from 得分汇总's columns."""
    cols = score_columns(campaign.catalog, t.has_inspection)
    branch = col_index(cols, "branch")
    first, last = ranked_rows
    n = last - first + 1
    bars = wb.add_chart({"type": "bar"})

    def totals(name: str, key: str, colour: str) -> dict[str, Any]:
        col = col_index(cols, key)
        return {
            "name": name,
            "categories": [st.S_SCORES, first, branch, last, branch],
            "values": [st.S_SCORES, first, col, last, col],
            "fill": {"color": colour},
            "data_labels": {"value": n <= LABELLED_BARS, "num_format": "0.0"},
            "gap": 40,
        }

    bars.add_series(totals("自评总分" if t.has_inspection else "总分", "total", "#70AD47"))
    bars_title = "各党总支总分（按排名）"
    if t.has_inspection:  # 督查总分 beside 自评总分
        bars.add_series(totals("督查总分", "insp_total", "#ED7D31"))
        bars_title = "各党总支自评总分与督查总分（按排名）"
    bars.set_title({"name": bars_title, "name_font": {"name": st.FONT, "size": 12}})
    bars.set_x_axis({"min": 0, "max": campaign.catalog.total_points, "num_font": {"name": st.FONT}})
    bars.set_y_axis({"reverse": True, "num_font": {"name": st.FONT, "size": 9}})
    bars.set_legend({"position": "bottom"} if t.has_inspection else {"none": True})
    bars.set_size({"width": 640, "height": min(max(320, 18 * n + 90), MAX_CHART_HEIGHT)})
    return bars
