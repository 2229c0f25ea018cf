"""The score sheets of the summary workbook: 得分汇总, 自评与督查对比, 得分明细 and 失分分析 (the other data
sheets are in sheets.py, 总览 in overview.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.worksheet import Worksheet

from .. import aggregate as ag
from ..models import Catalog
from .measure import text_lines, wrapped_heights
from .splice import FrameRows
from .style import (
    BODY_ROWS_MIN,
    WRAPPED,
    Col,
    Formats,
    col_index,
    colour_rules,
    finish,
    header_height_of,
    plain_table,
    points_scale,
    print_setup,
    put,
    sized,
    span,
    table,
    title,
)


def score_columns(catalog: Catalog, inspected: bool) -> list[Col]:
    """得分汇总's columns (总览's bar chart reads the branches and the totals from them). 自评排名 always; with 组织部's
    inspection (督查) collected, 督查总分 and 督查排名 (among the inspected branches only), the difference, the
    inspection's state and the 自评偏高 flag. The file names are on screen only (提交情况 prints them)."""
    insp = []
    if inspected:
        insp = [
            Col("insp_total", "督查总分", 7, "num"),
            Col("insp_rank", "督查排名", 5.5, "int"),
            Col("diff", "差值（自评−督查）", 8, "num"),
            Col("insp_status", "督查状态", 12, "wrap", status=True),
            Col("flag", "督查结论", 9, "center", status=True),
        ]
    return [
        Col("rank", "自评排名", 5.5, "int"),
        Col("seq", "序号", 5, "int"),
        Col("branch", catalog.unit, 20, "wrap"),
        Col("total", "自评总分", 7, "num"),
        *insp,
        Col("status", "状态", 12, "wrap", status=True),
        Col("missing_items", "缺项或无效", 5.5, "int"),
        *(Col(s.id, f"{s.numeral}、{s.name}（{s.max_points}分）", 8, "num") for s in catalog.sections),
        Col("file", f"{catalog.form1.attachment}文件", 36, printed=False),
        *([Col("insp_file", "督查评分表文件", 36, printed=False)] if inspected else []),
    ]


def sized_score_columns(F: Formats, catalog: Catalog, t: ag.Tables) -> list[Col]:
    """得分汇总's columns, the branch and status columns as wide as their longest text up to a limit (longer
    names wrap)."""
    widths = {"branch": (8.0, 22.0), "status": (6.0, 12.0), "insp_status": (6.0, 12.0)}
    return sized(F, score_columns(catalog, t.has_inspection), t.scores, widths)


def scores_note(catalog: Catalog) -> str:
    f1 = catalog.form1.attachment
    return (
        "自评总分由各项自评得分重新计算，不采用表格内公式。"
        f"自评排名只在完整有效的{f1}中进行（并列如 1、1、3）；"
        f"状态为“暂计（待更正，N 处问题）”的{f1}有空白或无效得分、须修改后重交，单列在排名之后，"
        "不计入平均分、最高最低分、排名、失分分析和图表；“需修改”为文件被退回，“身份存疑”为无法确定是谁交的。"
        "橙色字：该部分有扣分。文件名列只在屏幕上显示（打印见“提交情况”）。"
    )


def scores_sheet(
    ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog, margin: float = 5.0
) -> tuple[int, int]:
    """得分汇总: 自评排名 order. Returns the (first, last) rows of ranked branches, for the chart."""
    insp = t.has_inspection
    cols = sized_score_columns(F, catalog, t)
    note = scores_note(catalog)
    if insp:
        note += (
            f"督查排名只在督查评分表完整有效的{catalog.unit}中进行；差值 = 自评总分 − 督查总分，"
            f"高出{margin:g}分及以上的标为“自评偏高”；督查评分表待补全的不计分、不排名、不比较。各部分得分为自评得分。"
        )
    heading = "得分汇总（自评排名；督查排名另列）" if insp else "得分汇总（按自评总分排名）"
    title(ws, F, heading, note, *span(cols))
    first, last = table(ws, F, t.scores, cols, freeze_cols=3)
    n_ranked = int(t.scores["rank"].notna().sum())
    if n_ranked:
        c = col_index(cols, "total")
        ws.conditional_format(first, c, first + n_ranked - 1, c, points_scale(catalog.total_points))
    if insp and last >= first:
        c = col_index(cols, "insp_total")
        ws.conditional_format(first, c, last, c, points_scale(catalog.total_points))
    if last >= first:
        for s in catalog.sections:
            c = col_index(cols, s.id)
            ws.conditional_format(
                first,
                c,
                last,
                c,
                {"type": "cell", "criteria": "<", "value": s.max_points, "format": F.lost_rule},
            )
    return first, first + n_ranked - 1


def inspection_columns(unit: str) -> tuple[Col, ...]:
    return (Col("seq", "序号", 5, "int"), Col("branch", unit, 16, "wrap"), *_INSPECTION_REST)


_INSPECTION_REST = (
    Col("item_id", "编号", 6, "center"),
    Col("section", "所属部分", 14, "wrap"),
    Col("item", "督查内容", 26, "wrap"),
    Col("points", "分值", 5, "points"),
    Col("self_score", "自评得分", 6.5, "num"),
    Col("insp_score", "督查得分", 6.5, "num"),
    Col("diff", "差值（自评−督查）", 8, "num"),
    Col("self_note", "扣分说明（自评）", 24, "wrap"),
    Col("opinion", "督查意见", 24, "wrap"),
    Col("flag", "自评偏高", 8, "center", status=True),
)


def inspection_side_columns(unit: str) -> tuple[Col, ...]:
    return (Col("branch", f"{unit}（总分对比）", 18, "wrap"), *_INSPECTION_SIDE_REST)


_INSPECTION_SIDE_REST = (
    Col("self_total", "自评总分", 6.5, "num"),
    Col("insp_total", "督查总分", 6.5, "num"),
    Col("insp_rank", "督查排名", 5.5, "int"),
    Col("diff", "差值", 6, "num"),
    Col("n_diff", "不一致项数", 6, "int"),
    Col("n_higher", "自评较高项数", 6, "int"),
    Col("insp_missing", "督查缺项", 6, "int"),
    Col("insp_status", "督查状态", 12, "wrap", status=True),
    Col("flag", "结论", 8, "center", status=True),
)


def inspection_sheet(ws: Worksheet, F: Formats, t: ag.Tables, margin: float, terms: ag.Terms) -> None:
    """自评与督查对比: every item where 自评 and 督查 differ (largest first); per branch on the right."""
    cols, side = inspection_columns(terms.unit), inspection_side_columns(terms.unit)
    flagged = t.inspection.loc[t.inspection["flag"] == ag.FLAG_INFLATED, "branch"].tolist()
    pending = t.inspection.loc[t.inspection["insp_total"].isna(), "branch"].tolist()
    note = (
        "左表：自评得分与督查得分不一致的每一项，按差值（自评 − 督查）的绝对值从大到小排列；"
        f"右表：每个已督查{terms.unit}的总分对比，自评总分比督查总分高出{margin:g}分及以上的为“自评偏高”"
        f"（阈值即督查配置中的 inspection_margin）。自评偏高：{'、'.join(flagged) or '无'}。"
        f"只比较完整有效的督查评分表和{terms.form1}。"
    )
    if pending:
        note += f"{ag.INSP_PENDING}：{'、'.join(pending)}（补全前不计分、不排名、不比较）。"
    gap = len(cols)
    title(ws, F, "自评与督查对比", note, *span([*cols, Col("gap", "", 2), *side]))
    # the per-branch table sits in the same rows, to the right: no spliced rows here
    first, last = table(ws, F, t.inspection_items, cols, freeze_cols=2, splice=False)
    if last >= first:
        diff = col_index(cols, "diff")
        ws.conditional_format(
            first, diff, last, diff, {"type": "cell", "criteria": ">", "value": 0, "format": F.lost_rule}
        )
    ws.set_column(gap, gap, 2)
    header_row = 2
    for c, col in enumerate(side, start=gap + 1):
        ws.set_column(c, c, col.width)
    row = plain_table(ws, F, t.inspection, side, header_row, gap + 1)
    ws.set_row(header_row, header_height_of(F, [*cols, *side]))  # both tables' headers in full
    for key in ("insp_status", "flag"):
        c = gap + 1 + col_index(side, key)
        colour_rules(ws, F, header_row + 1, c, row, c, t.inspection[key].tolist())


def items_meta(unit: str) -> tuple[Col, ...]:
    """得分明细's columns before the items."""
    return (
        Col("seq", "序号", 5, "int"),
        Col("branch", unit, 16, "wrap"),
        Col("total", "自评总分", 7, "num"),
        Col("status", "状态", 12, "wrap", status=True),
        Col("missing_items", "缺项或无效", 5.5, "int"),
    )


ITEMS_TOP, ITEMS_HEADER = 2, 3  # 得分明细's two header rows: sections (merged), then items
ITEM_WIDTH = 5.5  # a score (2, 1.5) and its item's id (S01.1) over its points, wrapped


def items_sheet(ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog) -> None:
    """得分明细: branch × item under merged section headers; deductions and blanks coloured; one page wide."""
    widths = {"branch": (8.0, 16.0), "status": (6.0, 12.0)}
    meta = tuple(sized(F, items_meta(catalog.unit), t.item_scores, widths))
    cols = [*meta, *(Col(i.id, f"{i.id}\n（{i.points}分）", ITEM_WIDTH, "num") for i in catalog.items)]
    title(
        ws,
        F,
        f"得分明细（{len(catalog.items)}项自评得分）",
        "浅橙底：有扣分；红底空白：未填写或无效（不计分）。状态为“暂计”的须更正，不计入统计。"
        f"各项内容见“失分分析”或{catalog.form1.attachment}。",
        *span(cols),
    )
    _items_header(ws, F, cols, catalog, meta)
    last = _items_body(ws, F, t, cols, catalog, meta)
    finish(ws, F, cols, ITEMS_HEADER, last, 2, FrameRows(t.item_scores, [c.key for c in meta]))
    print_setup(ws, ITEMS_TOP, ITEMS_HEADER)
    ws.repeat_columns(0, 1)


def _items_header(
    ws: Worksheet, F: Formats, cols: Sequence[Col], catalog: Catalog, meta: Sequence[Col]
) -> None:
    """The meta headers merged over both header rows; the section headers merged over their items (a section of
    one item: its header above the item's, unmerged); both rows as tall as their longest header."""
    top, header_row = ITEMS_TOP, ITEMS_HEADER
    k = len(meta)
    for c, col in enumerate(meta):
        ws.merge_range(top, c, header_row, c, "", F.header)
        ws.write_string(top, c, col.header, F.header)
    c = k
    lines = 1
    for s in catalog.sections:
        n = len(s.items)
        label = f"{s.numeral}、{s.name}（{s.max_points}分）"
        if n > 1:
            ws.merge_range(top, c, top, c + n - 1, "", F.header)
        ws.write_string(top, c, label, F.header)
        lines = max(lines, text_lines(label, F.wrap_width(n * ITEM_WIDTH)))
        c += n
    ws.set_row(top, F.height(lines))
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
        if c >= k:
            ws.write_string(header_row, c, col.header, F.header)
    ws.set_row(header_row, header_height_of(F, cols[k:]))


def _items_body(
    ws: Worksheet, F: Formats, t: ag.Tables, cols: Sequence[Col], catalog: Catalog, meta: Sequence[Col]
) -> int:
    """The rows of 得分明细, each score coloured by its value; returns the last row (the header row when
    there are none). The rows are read from the table when they are written (never held as a grid of cells)."""
    items = catalog.items
    fmts = [F.by_kind[col.kind] for col in meta]
    k = len(meta)
    rows = FrameRows(t.item_scores, [c.key for c in cols])
    has_form = list(
        map(_has_form, rows.column(col_index(meta, "status")), rows.column(col_index(meta, "total")))
    )
    own = {k + j: _item_formats(rows.column(k + j), item.points, F, has_form) for j, item in enumerate(items)}
    first = ITEMS_HEADER + 1
    wrapped = [(c, F.wrap_width(col.width)) for c, col in enumerate(meta) if col.kind in WRAPPED]
    heights = wrapped_heights(rows, wrapped, first, F.line)  # long names and statuses wrap
    written: Sequence[int] = range(len(rows))
    if F.body_rows is not None and len(rows) >= BODY_ROWS_MIN:  # the middle rows: spliced in at close
        body_formats = {c: column[1:-1] for c, column in own.items()}
        F.body_rows.add(ws.name, first + 1, rows[1:-1], [*fmts, *(F.by_kind["num"] for _ in items)], heights,
                        body_formats)  # fmt: skip
        written = (0, len(rows) - 1)  # the first and the last
    for i in written:
        row = first + i
        if row in heights:
            ws.set_row(row, heights[row])
        values = rows[i]
        for c in range(k):
            put(ws, row, c, values[c], fmts[c])
        for c in range(k, len(values)):
            v = values[c]
            if _blank(v):
                ws.write_blank(row, c, None, own[c][i])
            else:
                ws.write_number(row, c, float(v), own[c][i])
    return first + len(rows) - 1 if rows else ITEMS_HEADER


def _has_form(status: Any, total: Any) -> bool:
    """A 得分明细 row whose branch returned a readable 附件1 (its blanks are then errors, coloured)."""
    return status != ag.SCORE_MISSING and not ag.is_missing(total)


def _blank(v: Any) -> bool:
    """An item score left blank: NaN, None or NA."""
    return v != v if type(v) is float else ag.is_missing(v)


def _item_formats(scores: list[Any], points: float, F: Formats, has_form: list[bool]) -> list[Any]:
    """The format of each score of an item's column (a row per branch): deductions light orange, blanks red
    when the branch returned the form."""
    blank, num, num_lost = F.num_blank_bad, F.by_kind["num"], F.num_lost
    return [
        (blank if form else num) if _blank(v) else num_lost if v < points else num
        for v, form in zip(scores, has_form, strict=True)
    ]


def losses_columns(unit: str) -> tuple[Col, ...]:
    return (
        Col("level", "层级", 5, "center"),
        Col("rank", "排名", 5, "int"),
        Col("id", "编号", 6, "center"),
        Col("section", "所属部分", 30, "wrap"),
        Col("text", "内容", 74, "wrap"),
        Col("points", "分值", 5, "points"),
        Col("n", "有效份数", 5.5, "int"),
        Col("lost", "失分合计", 6, "num"),
        Col("n_losing", f"失分{unit}数", 6.5, "int"),
        Col("loss_rate", "平均失分率", 6.5, "pct"),
    )


def losses_sheet(ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog) -> None:
    cols = losses_columns(catalog.unit)
    title(
        ws,
        F,
        "失分分析（全校按失分排序）",
        f"先列{len(catalog.sections)}个部分，再列{len(catalog.items)}项。失分 = 分值 − 自评得分，"
        f"只按完整有效的{catalog.form1.attachment}合计（暂计的不计入，"
        "有效份数处处相同）；平均失分率 = 失分合计 ÷（分值 × 有效份数）。",
        *span(cols),
    )
    first, last = table(ws, F, t.losses, cols, freeze_cols=3)
    n_sections = int((t.losses["level"] == ag.LEVEL_SECTION).sum())
    lost, rate = col_index(cols, "lost"), col_index(cols, "loss_rate")
    for r1, r2 in ((first, first + n_sections - 1), (first + n_sections, last)):
        if r2 >= r1:
            ws.conditional_format(
                r1, lost, r2, lost, {"type": "data_bar", "bar_color": "#F4B183", "bar_solid": True}
            )
    if last >= first:
        ws.conditional_format(
            first,
            rate,
            last,
            rate,
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
