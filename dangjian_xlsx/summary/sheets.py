"""The data sheets of the summary workbook (得分汇总 … 校验问题); 总览 is in summary_charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..aggregate import tables as ag
from ..models import Catalog
from .style import (
    BODY_ROWS_MIN,
    RATE_SCALE,
    RELATIVE_SCALE,
    Col,
    Formats,
    colour_rules,
    field_label,
    finish,
    plain_table,
    print_setup,
    put,
    table,
    title,
)


def scores_sheet(
    ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog, margin: float = 5.0
) -> tuple[int, int]:
    """得分汇总: rank order. Returns the (first, last) rows of ranked branches, for the chart.

    With 组织部's inspection (督查) collected, 自评总分 is followed by 督查总分, the difference, what the rank
    is based on and the 自评偏高 flag."""
    insp = t.has_inspection
    totals = [Col("total", "自评总分" if insp else "总分", 8, "num")]
    if insp:
        totals += [
            Col("insp_total", "督查总分", 8, "num"),
            Col("diff", "差值（自评−督查）", 9, "num"),
            Col("rank_basis", "排名依据", 9, "center"),
            Col("flag", "督查结论", 9, "center", status=True),
        ]
    cols = [
        Col("rank", "排名", 6, "int"),
        Col("seq", "序号", 6, "int"),
        Col("branch", "党总支", 26),
        *totals,
        Col("status", "状态", 9, "center", status=True),
        Col("missing_items", "缺项", 6, "int"),
        *(Col(s.id, f"{s.numeral}、{s.name}（{s.max_points}分）", 11, "num") for s in catalog.sections),
        Col("file", "附件1文件", 36),
        *([Col("insp_file", "督查评分表文件", 36)] if insp else []),
    ]
    note = (
        "总分由各项自评得分重新计算，不采用表格内公式；状态“需修改”表示有空白或无效得分（不计分）或被退回，"
        "“缺项”为未计分的项数。排名按总分并列（如 1、1、3）。橙色字：该部分有扣分。"
    )
    if insp:
        note += (
            f"已有组织部督查评分的党总支按督查总分排名，其余按自评总分（见“排名依据”）；"
            f"差值 = 自评总分 − 督查总分，高出{margin:g}分以上的标为“自评偏高”。各部分得分为自评得分。"
        )
    title(ws, F, "得分汇总（有督查的按督查总分排名）" if insp else "得分汇总（按总分排名）", note, len(cols))
    first, last = table(ws, F, t.scores, cols, freeze_cols=3, header_height=58)
    total_col = 3
    first_section = total_col + len(totals) + 2
    if last >= first:
        ws.conditional_format(first, total_col, last, total_col + (1 if insp else 0), RELATIVE_SCALE)
        for i, s in enumerate(catalog.sections):
            c = first_section + i
            ws.conditional_format(
                first,
                c,
                last,
                c,
                {"type": "cell", "criteria": "<", "value": s.max_points, "format": F.lost_rule},
            )
    n_ranked = int(t.scores["rank"].notna().sum())
    return first, first + n_ranked - 1


def inspection_sheet(ws: Worksheet, F: Formats, t: ag.Tables, margin: float) -> None:
    """自评与督查对比: every item where 自评 and 督查 differ (largest first); per branch on the right."""
    cols = [
        Col("seq", "序号", 6, "int"),
        Col("branch", "党总支", 18, "wrap"),
        Col("item_id", "编号", 7, "center"),
        Col("section", "所属部分", 16, "wrap"),
        Col("item", "督查内容", 28, "wrap"),
        Col("points", "分值", 6, "int"),
        Col("self_score", "自评得分", 8, "num"),
        Col("insp_score", "督查得分", 8, "num"),
        Col("diff", "差值（自评−督查）", 9, "num"),
        Col("self_note", "扣分说明（自评）", 24, "wrap"),
        Col("opinion", "督查意见", 24, "wrap"),
        Col("flag", "自评偏高", 9, "center", status=True),
    ]
    side = [
        Col("branch", "党总支（总分对比）", 22, "wrap"),
        Col("self_total", "自评总分", 8, "num"),
        Col("insp_total", "督查总分", 8, "num"),
        Col("diff", "差值", 7, "num"),
        Col("n_diff", "不一致项数", 8, "int"),
        Col("n_higher", "自评较高项数", 8, "int"),
        Col("insp_missing", "督查缺项", 7, "int"),
        Col("flag", "结论", 9, "center", status=True),
    ]
    flagged = t.inspection.loc[t.inspection["flag"] == ag.FLAG_INFLATED, "branch"].tolist()
    note = (
        "左表：自评得分与督查得分不一致的每一项，按差值（自评 − 督查）的绝对值从大到小排列；"
        f"右表：每个已督查党总支的总分对比，自评总分比督查总分高出{margin:g}分以上的为“自评偏高”"
        f"（阈值即督查配置中的 inspection_margin）。自评偏高：{'、'.join(flagged) or '无'}。"
    )
    gap = len(cols)
    title(ws, F, "自评与督查对比", note, gap + 1 + len(side))
    ws.set_row(1, 44)
    first, last = table(ws, F, t.inspection_items, cols, freeze_cols=2, header_height=30)
    if last >= first:
        ws.conditional_format(
            first, 8, last, 8, {"type": "cell", "criteria": ">", "value": 0, "format": F.lost_rule}
        )
    ws.set_column(gap, gap, 2)
    header_row = 2
    for c, col in enumerate(side, start=gap + 1):
        ws.set_column(c, c, col.width)
    row = plain_table(ws, F, t.inspection, side, header_row, gap + 1)
    flag_col = gap + len(side)
    colour_rules(ws, F, header_row + 1, flag_col, row, flag_col)


def items_sheet(ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog) -> None:
    """得分明细: branch × 44 items under merged section headers; deductions and blanks coloured."""
    meta = [
        Col("seq", "序号", 6, "int"),
        Col("branch", "党总支", 24),
        Col("total", "总分", 8, "num"),
        Col("status", "状态", 8, "center", status=True),
        Col("missing_items", "缺项", 6, "int"),
    ]
    items = catalog.items
    cols = [*meta, *(Col(i.id, f"{i.id}\n（{i.points}分）", 7.5, "num") for i in items)]
    title(
        ws,
        F,
        "得分明细（44项自评得分）",
        "浅橙底：有扣分；红底空白：未填写或无效（不计分）。各项内容见“失分分析”或附件1。",
        len(cols),
    )
    top, header_row = 2, 3
    for c, col in enumerate(meta):
        ws.merge_range(top, c, header_row, c, "", F.header)
        ws.write_string(top, c, col.header, F.header)
    c = len(meta)
    for s in catalog.sections:
        n = len(s.items)
        label = f"{s.numeral}、{s.name}（{s.max_points}分）"
        if n > 1:
            ws.merge_range(top, c, top, c + n - 1, "", F.header)
        ws.write_string(top, c, label, F.header)
        c += n
    ws.set_row(top, 42)
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
        if c >= len(meta):
            ws.write_string(header_row, c, col.header, F.header)
    ws.set_row(header_row, 30)
    points = [i.points for i in items]
    fmts = [F.by_kind[col.kind] for col in meta]
    k = len(meta)
    rows = list(ag.rows(t.item_scores, [c.key for c in cols]))
    grid = [_item_cells(values[k:], points, F, _has_form(values)) for values in rows]
    first = header_row + 1
    last = first + len(rows) - 1 if rows else header_row
    written: Sequence[int] = range(len(rows))
    if F.body_rows is not None and len(rows) >= BODY_ROWS_MIN:  # the middle rows: spliced in at close
        middle = range(1, len(rows) - 1)
        body = [(*rows[i][:k], *(v for v, _ in grid[i])) for i in middle]
        own = {k + j: [grid[i][j][1] for i in middle] for j in range(len(items))}
        F.body_rows.add(ws.name, first + 1, body, [*fmts, *(F.by_kind["num"] for _ in items)], {}, own)
        written = (0, len(rows) - 1)  # the first and the last
    # ~25,000 cells: XlsxWriter's undecorated writers (the public ones first try to parse A1 notation)
    write_blank, write_number = ws._write_blank, ws._write_number
    for i in written:
        row = first + i
        for c in range(k):
            put(ws, row, c, rows[i][c], fmts[c])
        for j, (v, fmt) in enumerate(grid[i], start=k):
            if v is None:
                write_blank(row, j, None, fmt)
            else:
                write_number(row, j, v, fmt)
    finish(ws, F, cols, header_row, last, 2)
    print_setup(ws, top, header_row)
    ws.fit_to_pages(3, 0)
    ws.repeat_columns(0, 1)


def _has_form(values: Sequence[Any]) -> bool:
    """A 得分明细 row whose branch returned a readable 附件1 (its blanks are then errors, coloured)."""
    return values[3] != ag.SCORE_MISSING and not ag.is_missing(values[2])


def _item_cells(
    scores: Sequence[Any], points: list[float], F: Formats, has_form: bool
) -> list[tuple[float | None, Any]]:
    """Each item score of a 得分明细 row as (number or None for a blank, its format): deductions light
    orange, blanks red when the branch returned the form."""
    blank = F.num_blank_bad if has_form else F.by_kind["num"]
    num, num_lost = F.by_kind["num"], F.num_lost
    out: list[tuple[float | None, Any]] = []
    for v, p in zip(scores, points, strict=True):
        if v != v if type(v) is float else ag.is_missing(v):  # NaN, or None / NA
            out.append((None, blank))
        else:
            out.append((float(v), num_lost if v < p else num))
    return out


def losses_sheet(ws: Worksheet, F: Formats, t: ag.Tables) -> None:
    cols = [
        Col("level", "层级", 6, "center"),
        Col("rank", "排名", 6, "int"),
        Col("id", "编号", 7, "center"),
        Col("section", "所属部分", 26, "wrap"),
        Col("text", "内容", 50, "wrap"),
        Col("points", "分值", 6, "int"),
        Col("n", "有效份数", 8, "int"),
        Col("lost", "失分合计", 9, "num"),
        Col("n_losing", "失分党总支数", 9, "int"),
        Col("loss_rate", "平均失分率", 10, "pct"),
    ]
    title(
        ws,
        F,
        "失分分析（全校按失分排序）",
        "先列12个部分，再列44项。失分 = 分值 − 自评得分，按有效得分的党总支合计；"
        "平均失分率 = 失分合计 ÷（分值 × 有效份数）。",
        len(cols),
    )
    first, last = table(ws, F, t.losses, cols, freeze_cols=3, header_height=30)
    n_sections = int((t.losses["level"] == ag.LEVEL_SECTION).sum())
    for r1, r2 in ((first, first + n_sections - 1), (first + n_sections, last)):
        if r2 >= r1:
            ws.conditional_format(
                r1, 7, r2, 7, {"type": "data_bar", "bar_color": "#F4B183", "bar_solid": True}
            )
    if last >= first:
        ws.conditional_format(
            first,
            9,
            last,
            9,
            {
                "type": "data_bar",
                "bar_color": "#F8CBAD",
                "bar_solid": True,
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        )


def ledger_sheet(ws: Worksheet, F: Formats, t: ag.Tables) -> None:
    cols = [
        Col("seq", "序号", 6, "int"),
        Col("branch", "党总支", 20, "wrap"),
        Col("item_id", "编号", 7, "center"),
        Col("section", "所属部分", 18, "wrap"),
        Col("item", "督查内容", 30, "wrap"),
        Col("points", "分值", 6, "int"),
        Col("score", "得分", 6, "num"),
        Col("lost", "失分", 6, "num"),
        Col("note", "扣分说明（佐证材料）", 36, "wrap"),
        Col("fix", "整改措施", 30, "input"),
        Col("owner", "责任人", 10, "input"),
        Col("deadline", "整改时限", 12, "input"),
        Col("fix_status", "整改状态", 10, "input", status=True),
    ]
    title(
        ws,
        F,
        "问题台账（自评扣分项）",
        "每个扣分项一行。黄底四列（整改措施、责任人、整改时限、整改状态）由组织部跟踪填写；"
        "整改状态可填“未整改 / 整改中 / 已整改”。",
        len(cols),
    )
    table(ws, F, t.ledger, cols, freeze_cols=3, header_height=30)


def tasks_sheet(ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog) -> None:
    meta = [
        Col("seq", "序号", 6, "int"),
        Col("branch", "党总支", 24),
        Col("status", "附件2", 10, "center", status=True),
        Col("rate", "完成率", 8, "pct"),
        Col("n_done", "已完成", 7, "int"),
        Col("n_progress", "持续推进", 7, "int"),
        Col("n_not_done", "未完成", 7, "int"),
        Col("n_na", "不适用", 7, "int"),
        Col("n_blank", "未填", 6, "int"),
    ]
    cols = [
        *meta,
        *(Col(tk.id, f"{tk.id} {ag.short_text(tk.text, 18)}", 10, "center") for tk in catalog.tasks),
    ]
    title(
        ws,
        F,
        "重点任务清单汇总（20项任务完成状态）",
        "完成率 = 已完成 ÷（已完成 + 持续推进 + 未完成），不计“不适用”和未填。第3行为各项任务的全校完成率。"
        "任务全文见“任务清单明细”。",
        len(cols),
    )
    rate_row, header_row = 2, 3
    k = len(meta)
    ws.merge_range(rate_row, 0, rate_row, k - 1, "", F.label)
    ws.write_string(rate_row, 0, "各项任务全校完成率 →", F.label)
    pct = F.by_kind["pct"]
    for j, rate in enumerate(t.task_rates["rate"].tolist()):
        put(ws, rate_row, k + j, rate, pct)
    first, last = table(ws, F, t.tasks, cols, header_row=header_row, freeze_cols=2, header_height=72)
    colour_rules(ws, F, first, k, last, len(cols) - 1)
    for r1, c1, r2, c2 in ((rate_row, k, rate_row, len(cols) - 1), (first, 3, last, 3)):
        if r2 >= r1:
            ws.conditional_format(r1, c1, r2, c2, RATE_SCALE)
    print_setup(ws, rate_row, header_row)
    ws.fit_to_pages(2, 0)
    ws.repeat_columns(0, 1)


def task_details_sheet(ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog) -> None:
    text = {tk.id: ag.short_text(tk.text, 60) for tk in catalog.tasks}
    df = t.task_details.assign(task=t.task_details["task_id"].map(text))
    cols = [
        Col("seq", "序号", 6, "int"),
        Col("branch", "党总支", 18, "wrap"),
        Col("task_id", "编号", 6, "center"),
        Col("group", "类别", 16, "wrap"),
        Col("task", "重点工作任务", 34, "wrap"),
        Col("status", "完成状态", 9, "center", status=True),
        Col("done", "完成情况（做法及佐证材料）", 44, "wrap"),
        Col("issues", "存在问题及整改措施", 40, "wrap"),
    ]
    title(ws, F, "重点任务清单明细（各党总支填报内容）", "每个党总支每项任务一行，按名单顺序。", len(cols))
    table(ws, F, df, cols, freeze_cols=3, header_height=30)


def submissions_sheet(ws: Worksheet, F: Formats, t: ag.Tables) -> None:
    cols = [
        Col("seq", "序号", 6, "int"),
        Col("branch", "党总支", 24),
        Col("state", "总体情况", 11, "center", status=True),
        Col("report", "自查报告", 10, "center", status=True),
        Col("form1", "附件1 评分表", 11, "center", status=True),
        Col("form2", "附件2 任务清单", 11, "center", status=True),
        Col("errors", "错误数", 7, "int"),
        Col("report_file", "自查报告文件", 30, "wrap"),
        Col("form1_file", "附件1文件", 30, "wrap"),
        Col("form2_file", "附件2文件", 30, "wrap"),
    ]
    title(
        ws,
        F,
        "提交情况（按名单）",
        "已交：已接收；有警告：已接收但有提醒；需退回修改：文件被退回或有错误，须按“校验问题”修改后重交；未交：没有收到。"
        "总体情况：附件1、附件2都已接收为“全部合格”，有需修改的为“需退回修改”，否则为“未交”。",
        len(cols),
    )
    table(ws, F, t.submissions, cols, freeze_cols=2, header_height=30)


def files_sheet(ws: Worksheet, F: Formats, t: ag.Tables) -> None:
    cols = [
        Col("path", "文件", 44, "wrap"),
        Col("kind", "类型", 16),
        Col("branch", "党总支", 22),
        Col("outcome", "处理结果", 15, "center", status=True),
        Col("reason", "原因", 36, "wrap"),
        Col("errors", "错误数", 7, "int"),
        Col("warnings", "警告数", 7, "int"),
        Col("size", "大小（字节）", 12, "bytes"),
        Col("saved_at", "保存时间", 18),
        Col("sha256", "SHA-256", 66, "mono"),
    ]
    title(
        ws,
        F,
        "文件清单（收到的每一个文件）",
        "每个文件只属于一种处理结果；SHA-256 可用于核对文件是否相同。",
        len(cols),
    )
    table(ws, F, t.files, cols, freeze_cols=1, header_height=20)


def problems_sheet(ws: Worksheet, F: Formats, t: ag.Tables) -> None:
    df = t.problems.assign(field_label=[field_label(v) for v in t.problems["field"].tolist()])
    cols = [
        Col("file", "文件", 36, "wrap"),
        Col("branch", "党总支", 20),
        Col("sheet", "工作表", 12),
        Col("cell", "单元格", 8, "center"),
        Col("field_label", "内容", 12),
        Col("severity", "级别", 6, "center", status=True),
        Col("message", "问题说明", 56, "wrap"),
        Col("value", "填写的内容", 24, "wrap"),
        Col("code", "代码", 18),
    ]
    title(ws, F, "校验问题（逐个单元格）", "错误须修改后重新报送；警告不影响接收，请核对。", len(cols))
    table(ws, F, df, cols, freeze_cols=1, header_height=20)
