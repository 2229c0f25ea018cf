"""总览: the counts a department head reads first, the section table, and the charts (xlsxwriter charts
that reference the cells of 得分汇总 and of the section table on this sheet)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import aggregate as ag
from ..models import Campaign, Catalog
from . import style as st
from .measure import text_lines
from .score_sheets import score_columns
from .style import Col, Formats, col_index

MAX_CHART_HEIGHT = 2000  # pixels (about 21 inches): stay within what every spreadsheet program draws
LABELLED_BARS = 60  # beyond this many branches, value labels would overlap
BAR_PIXELS = 16  # height per branch (per pair of bars when 督查 is charted beside 自评)
LABEL_FONT = {"name": st.FONT, "size": 10}


def axis_floor(lowest: float, top: float) -> float:
    """Where a value axis ending at `top` starts so that close values look different: a little below `lowest`
    (a tenth of the spread, at least 1 % of `top`), rounded down to a nice step (1, 2, 5 × 10ⁿ); never below 0."""
    lowest = max(0.0, min(float(lowest), float(top)))
    if top <= 0:
        return 0.0
    margin = max((top - lowest) * 0.1, top * 0.01)
    span = top - lowest + margin
    step = 10 ** math.floor(math.log10(span / 5))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= 8:
            step *= factor
            break
    start = math.floor((lowest - margin) / step) * step
    return max(0.0, round(start, 6))


def sheet_help(catalog: Catalog) -> tuple[tuple[str, str], ...]:
    """六、各工作表说明: (sheet, what it holds), in the catalog's words and sizes."""
    unit, f1, f2 = catalog.unit, catalog.form1.attachment, catalog.form2.attachment
    n_sections, n_items, n_tasks = len(catalog.sections), len(catalog.items), len(catalog.tasks)
    return (
        (st.S_OVERVIEW, "本页：提交与得分的总体情况、图表"),
        (st.S_SCORES, f"每个{unit}一行：{n_sections}个部分得分、自评总分、自评排名（待更正的单列为“暂计”）"),
        (st.S_INSPECTION, f"自评得分与组织部督查得分不一致的项目，督查排名，自评偏高的{unit}"),
        (st.S_ITEMS, f"每个{unit}{n_items}项自评得分，扣分和空白已标色"),
        (st.S_LOSSES, "全校失分最多的部分和项目"),
        (st.S_LEDGER, "每个扣分项一行，可在黄底列登记整改情况"),
        (st.S_TASKS, f"每个{unit}{n_tasks}项重点任务的完成状态与完成率"),
        (st.S_TASK_DETAILS, f"各{unit}填写的完成情况、存在问题及整改措施"),
        (st.S_SUBMISSIONS, f"按名单列出交回情况、材料质量，以及自查报告、{f1}、{f2}各自的情况"),
        (st.S_FILES, "收到的每个文件及其处理结果"),
        (st.S_PROBLEMS, "每个需要修改或核对的单元格"),
    )


def _names(rows: pd.DataFrame, column: str, value: float | None) -> str:
    """The branches of `rows` whose `column` equals `value` (at most three named)."""
    if value is None:
        return ""
    names = rows.loc[rows[column] == value, "branch"].tolist()
    shown = "、".join(names[:3])
    return shown + (f" 等{len(names)}个" if len(names) > 3 else "")


def _who(t: ag.Tables, column: str, value: str, shown: int = 5) -> str:
    """'甲、乙、丙 等12个' — the branches of 提交情况 whose `column` equals `value`."""
    names = t.submissions.loc[t.submissions[column] == value, "branch"].tolist()
    if not names:
        return ""
    more = f" 等{len(names)}个" if len(names) > shown else ""
    return "、".join(names[:shown]) + more + "（详见“提交情况”）"


def _named(t: ag.Tables, ov: ag.Overview) -> dict[str, str]:
    """Per line label of the overview: the branches it counts, named (the overview itself holds counts)."""
    counted = t.scores[t.scores["counted"].astype(bool)]
    inspected = t.scores[t.scores["insp_rank"].notna()]
    flagged = t.inspection.loc[t.inspection["flag"] == ag.FLAG_INFLATED, "branch"].tolist()
    named = {word: _who(t, "submitted", word) for word in (ag.SUBMIT_PART, ag.SUBMIT_NONE)}
    named |= {word: _who(t, "quality", word) for word in (ag.QUALITY_FIX, ag.QUALITY_DOUBT)}
    named |= {
        ag.L_MAX: _names(counted, "total", ov.max_total),
        ag.L_MIN: _names(counted, "total", ov.min_total),
        ag.L_INSP_MAX: _names(inspected, "insp_total", ov.insp_max_total),
        ag.L_INSP_MIN: _names(inspected, "insp_total", ov.insp_min_total),
        ag.L_INFLATED: "、".join(flagged),
    }
    return named


def _doubt_lines(ov: ag.Overview) -> list[tuple[str, Any, str]]:
    """One line per file held 身份存疑, with both branches it names."""
    return [
        (
            d.path,
            None,
            f"表格内为“{d.inside or '（无法读取）'}”，文件名、文件夹名或填写内容指向“{d.other or '（不明）'}”："
            f"该文件不计入任何一方（两个{ov.terms.unit}各自交回的表格照常计入）；请核实，并请交件方用本单位的表格重新发送",
        )
        for d in ov.doubts
    ]


# 总览 on one landscape page: the counts per branch on the left (A–E), the counts per file, the section table and
# the sheets' guide in the middle (G–M), the charts on the right (from O).
WIDTHS = (22, 8, 18, 18, 18, 2, 30, 7.5, 7.5, 7.5, 7.5, 7.5, 7.5, 2)
CHARTS = len(WIDTHS)


@dataclass(frozen=True)
class Panel:
    """A column of blocks on 总览: labels in `first`, values in the next column, explanations merged over the
    columns after it up to `last`."""

    first: int
    last: int

    @property
    def label_width(self) -> float:
        return WIDTHS[self.first]

    @property
    def explain_width(self) -> float:
        return sum(WIDTHS[self.first + 2 : self.last + 1])

    @property
    def width(self) -> float:
        return sum(WIDTHS[self.first : self.last + 1])


LEFT = Panel(0, 4)
MIDDLE = Panel(6, 12)
CHART_WIDTH = 440
SECTION_CHART_HEIGHT = 380


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
    """总览: the heading, the counts, the section table and what each sheet holds; the charts on the right; on
    one landscape page (up to LABELLED_BARS branches: beyond, one page wide)."""
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    heading = f"{campaign.school}{campaign.title}汇总表"
    note = (
        f"{campaign.department}　自查时间 {campaign.self_check_start:%Y-%m-%d} 至 {campaign.self_check_end:%Y-%m-%d}"
        f"　报送截止 {campaign.due:%Y-%m-%d}　生成时间 {generated_at:%Y-%m-%d %H:%M}"
    )
    st.title(ws, F, heading, note, CHARTS)
    heights: dict[int, float] = {}
    *per_branch, per_file = _count_blocks(t, ov)
    row = 3
    for name, lines in per_branch:
        row = _block(ws, F, row, name, lines, LEFT, heights)
    row = _block(ws, F, 3, *per_file, MIDDLE, heights)
    sections = _section_table(ws, F, t, row, campaign.catalog)
    _sheet_help(wb, ws, F, sections[1] + 2, campaign.catalog, heights)
    for r, height in heights.items():
        ws.set_row(r, height)
    st.print_setup(ws, 0, 1)
    ws.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.5)
    ws.fit_to_pages(1, 1 if len(campaign.roster) <= LABELLED_BARS else 0)
    if ov.scored > 0:
        lowest = float(t.sections["mean_rate"].min())
        ws.insert_chart(3, CHARTS, _section_chart(wb, *sections, lowest=lowest))
        totals = _totals_chart(wb, t, campaign, ranked_rows)
        ws.insert_chart(3, CHARTS, totals, {"y_offset": SECTION_CHART_HEIGHT + 12})
    else:
        ws.write_string(
            3, CHARTS, f"尚未收到完整有效的{campaign.catalog.form1.attachment}评分表，暂无图表。", F.note
        )


def _count_blocks(t: ag.Tables, ov: ag.Overview) -> list[tuple[str, list[tuple[str, Any, str]]]]:
    """The blocks of counts: (heading, [(label, value, explanation)]) — the overview's own lines (the CLI
    prints the same), each explanation followed by the branches it counts; the files held 身份存疑 first, the
    counts per file last."""
    named = _named(t, ov)
    blocks = []
    if ov.doubts:
        heading = f"身份存疑：{len(ov.doubts)} 个文件无法确定是哪个{ov.terms.unit}交回的，均未计入（请先核实，详见“校验问题”）"
        blocks.append((heading, _doubt_lines(ov)))
    for heading, lines in ov.blocks():
        rows = []
        for line in lines:
            who = named.get(line.label, "")
            explain = f"{line.explain}：{who}" if line.explain and who else line.explain or who
            rows.append((line.label, line.value, explain))
        blocks.append((heading, rows))
    return blocks


def _block(
    ws: Worksheet,
    F: Formats,
    row: int,
    name: str,
    lines: list[tuple[str, Any, str]],
    at: Panel,
    heights: dict[int, float],
) -> int:
    """One block of counts at `row` of the panel `at`: its heading, a header, one line per count; the rows'
    heights (for the wrapped text) into `heights`. Returns the next free row after a blank one."""
    wrap = F.by_kind["wrap"]
    label, value, explain = at.first, at.first + 1, at.first + 2
    ws.write_string(row, label, name, F.section)
    row += 1
    for c, h in ((label, "项目"), (value, "数量")):
        ws.write_string(row, c, h, F.header)
    ws.merge_range(row, explain, row, at.last, "", F.header)
    ws.write_string(row, explain, "说明", F.header)
    row += 1
    for text, number, why in lines:
        long_label = text_lines(text, F.wrap_width(at.label_width)) > 1  # a file name (身份存疑)
        ws.write_string(row, label, text, wrap if long_label else F.label)
        st.put(ws, row, value, number, F.big if type(number) is int else F.big_num)
        ws.merge_range(row, explain, row, at.last, "", wrap)
        ws.write_string(row, explain, why, wrap)
        n = max(
            text_lines(why, F.wrap_width(at.explain_width)),
            text_lines(text, F.wrap_width(at.label_width)),
        )
        if n > 1:
            heights[row] = max(heights.get(row, 0), F.height(n))
        row += 1
    return row + 1


# 五、各部分平均得分 (in the middle panel): a small table the section chart reads from.
SECTION_COLUMNS = (
    Col("section", "部分", 30, "label"),
    Col("points", "满分", 7.5, "points"),
    Col("mean", "平均分", 7.5, "num"),
    Col("mean_rate", "得分率", 7.5, "pct"),
    Col("min", "最低", 7.5, "num"),
    Col("max", "最高", 7.5, "num"),
    Col("n", "份数", 7.5, "int"),
)


def _section_table(ws: Worksheet, F: Formats, t: ag.Tables, row: int, catalog: Catalog) -> tuple[int, int]:
    """The section averages under a heading at `row` of the middle panel, their rates coloured against the
    maximum (like 得分汇总's totals). Returns the (first, last) rows of the sections."""
    cols, at = SECTION_COLUMNS, MIDDLE.first
    ws.write_string(
        row, at, f"五、各部分平均得分（自评，只计完整有效的{catalog.form1.attachment}）", F.section
    )
    row += 1
    header = row
    labels = [f"{n}、{name}" for n, name in zip(t.sections["numeral"], t.sections["name"], strict=True)]
    last = st.plain_table(ws, F, t.sections.assign(section=labels), cols, header, at)
    rate = at + col_index(cols, "mean_rate")
    ws.conditional_format(header + 1, rate, last, rate, st.points_scale(1.0))
    ws.autofilter(header, at, last, at + len(cols) - 1)
    return header + 1, last


def _sheet_help(
    wb: Workbook, ws: Worksheet, F: Formats, row: int, catalog: Catalog, heights: dict[int, float]
) -> None:
    """六、各工作表说明 (in the middle panel, under the section table): one line per sheet the workbook has, its
    name in bold, across the panel (the section table's columns stay empty below it)."""
    text = F.by_kind["wrap"]
    at = MIDDLE
    ws.write_string(row, at.first, "六、各工作表说明", F.section)
    row += 1
    for name, explain in sheet_help(catalog):
        if wb.get_worksheet_by_name(name) is None:
            continue
        ws.merge_range(row, at.first, row, at.last, "", text)
        ws.write_rich_string(row, at.first, F.label, name, text, f"：{explain}", text)
        n = text_lines(f"{name}：{explain}", F.wrap_width(at.width))
        if n > 1:
            heights[row] = max(heights.get(row, 0), F.height(n))
        row += 1


def _section_chart(wb: Workbook, first: int, last: int, lowest: float) -> Chart:
    """Each section's average rate (bars), from the section table on 总览; the axis starts a little below the
    lowest rate so that close rates look different."""
    at = MIDDLE.first  # the section table's first column
    category, rate = at + col_index(SECTION_COLUMNS, "section"), at + col_index(SECTION_COLUMNS, "mean_rate")
    chart = wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "得分率",
            "categories": [st.S_OVERVIEW, first, category, last, category],
            "values": [st.S_OVERVIEW, first, rate, last, rate],
            "fill": {"color": "#5B9BD5"},
            "data_labels": {"value": True, "num_format": "0%", "position": "outside_end", "font": LABEL_FONT},
        }
    )
    chart.set_title({"name": "各部分平均得分率（平均分 ÷ 满分）", "name_font": {"name": st.FONT, "size": 12}})
    low = axis_floor(lowest, 1) if lowest == lowest else 0.0  # NaN (no sections scored): from 0
    chart.set_x_axis({"min": low, "max": 1, "num_format": "0%", "num_font": {"name": st.FONT}})
    chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": LABEL_FONT})
    chart.set_legend({"none": True})
    chart.set_size({"width": CHART_WIDTH, "height": SECTION_CHART_HEIGHT})
    return chart


def _totals_chart(wb: Workbook, t: ag.Tables, campaign: Campaign, ranked_rows: tuple[int, int]) -> Chart:
    """Each ranked branch's 自评总分 (and 督查总分 beside it, when inspected), from 得分汇总's columns: the complete
    valid 附件1 only, in 自评排名 order (the 暂计 rows come after the ranked ones and are not charted)."""
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
            "data_labels": {
                "value": n <= LABELLED_BARS,
                "num_format": "0.0",
                "position": "outside_end",
                "font": {"name": st.FONT, "size": 8},
            },
            "gap": 40,
        }

    bars.add_series(totals("自评总分", "total", "#70AD47"))
    catalog = campaign.catalog
    bars_title = f"各{catalog.unit}自评总分（按自评排名，只含完整有效的{catalog.form1.attachment}）"
    if t.has_inspection:  # 督查总分 beside 自评总分
        bars.add_series(totals("督查总分", "insp_total", "#ED7D31"))
        bars_title = f"各{catalog.unit}自评总分与督查总分（按自评排名）"
    bars.set_title({"name": bars_title, "name_font": {"name": st.FONT, "size": 12}})
    top = catalog.total_points
    bars.set_x_axis({"min": axis_floor(_lowest_charted(t), top), "max": top, "num_font": {"name": st.FONT}})
    bars.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": LABEL_FONT})
    bars.set_legend({"position": "bottom"} if t.has_inspection else {"none": True})
    per_bar = BAR_PIXELS * (1.6 if t.has_inspection else 1)
    bars.set_size({"width": CHART_WIDTH, "height": min(max(320, int(per_bar * n) + 110), MAX_CHART_HEIGHT)})
    return bars


def _lowest_charted(t: ag.Tables) -> float:
    """The lowest total the totals chart draws: 自评总分 of the ranked branches (and their 督查总分)."""
    ranked = t.scores[t.scores["rank"].notna()]
    values = [ranked["total"]]
    if t.has_inspection and "insp_total" in ranked:
        values.append(ranked["insp_total"])
    low = pd.concat(values).dropna()
    return float(low.min()) if len(low) else 0.0
