"""Locked, printable forms with XlsxWriter (+ the workbook-structure post-step), blank forms, `init` files.

Every position comes from `layout.form_layout`; every look from `formstyle`. `build_form` is pure:
the same campaign, form and branch always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import math
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from . import GENERATOR, __version__, layout, parallel
from .atomic import write_bytes_atomic, write_text_atomic
from .catalog import campaign_toml, catalog_digest, default_campaign, roster_csv
from .errors import ConfigError
from .formstyle import (
    Styles,
    cell_ranges,
    keep_together,
    lock_structure,
    protect,
    setup_print,
    spread_height,
    text_height,
)
from .layout import Field, FixedCell, FormLayout, InputCell, a1
from .models import Branch, Campaign, FormKind

Key = tuple[Field, str]
Progress = Callable[[int, int], None]

# The forms sent to every 党总支 (INSPECTION is filled by 组织部 and built on demand).
BRANCH_FORMS = (FormKind.SCORING, FormKind.TASKS)

_INPUT_STYLE = {
    Field.BRANCH: "header_input",
    Field.DATE: "date_input",
    Field.SCORE: "score_input",
    Field.INSP_SCORE: "score_input",
    Field.STATUS: "status_input",
}
_SCORE_FIELDS = (Field.SCORE, Field.INSP_SCORE)


def form_filename(kind: FormKind, branch: Branch | None = None) -> str:
    """`NN_<党总支>_附件1_评分表.xlsx`, or `附件1_评分表.xlsx` for a blank form."""
    suffix = layout.FILE_SUFFIX[kind]
    return f"{branch.id}_{branch.name}_{suffix}.xlsx" if branch else f"{suffix}.xlsx"


def created_at(campaign: Campaign) -> dt.datetime:
    """The fixed document creation time: what makes the output byte-reproducible."""
    return dt.datetime.combine(campaign.self_check_start, dt.time(8, 0))


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _window(campaign: Campaign) -> str:
    return f"{_cn_date(campaign.self_check_start)}至{_cn_date(campaign.self_check_end)}"


# ---------------------------------------------------------------- the form sheet


@dataclass
class _FormWriter:
    """Writes the form sheet of one workbook: everything is placed by the layout, styled by formstyle."""

    ws: Worksheet
    st: Styles
    campaign: Campaign
    lay: FormLayout
    branch: Branch | None
    prefill: Mapping[Key, object]
    comments: Mapping[Key, str]
    heights: dict[int, float] = field(default_factory=dict)
    todo: list[tuple[int, int]] = field(default_factory=list)  # empty-input highlight cells
    done: set[tuple[int, int]] = field(default_factory=set)  # cells already written
    spans: list[tuple[list[int], float]] = field(default_factory=list)  # merged rows → height they need
    _fixed: dict[tuple[int, int], FixedCell] = field(default_factory=dict)

    @property
    def kind(self) -> FormKind:
        return self.lay.kind

    @property
    def widths(self) -> tuple[int, ...]:
        return layout.WIDTHS[self.kind]

    def width(self, c1: int, c2: int | None = None) -> float:
        return float(sum(self.widths[c1 : (c2 if c2 is not None else c1) + 1]))

    def need(self, row: int, height: float) -> None:
        self.heights[row] = max(self.heights.get(row, 0.0), height)

    # -- primitive writes

    def put(self, row: int, c1: int, c2: int, value: object, style: str, *, problem: bool = False) -> None:
        """Write `value` into (row, c1), merged over c1..c2; every cell of the span gets the format."""
        fmt = self.st.get(style, problem=problem)
        if c2 > c1:
            self.ws.merge_range(row, c1, row, c2, "", fmt)
        _write_value(self.ws, row, c1, value, fmt)
        self.done.update((row, c) for c in range(c1, c2 + 1))

    def put_rows(self, r1: int, r2: int, col: int, value: object, style: str) -> None:
        """Write `value` merged vertically over rows r1..r2 of `col`."""
        fmt = self.st[style]
        if r2 > r1:
            self.ws.merge_range(r1, col, r2, col, "", fmt)
        _write_value(self.ws, r1, col, value, fmt)
        self.done.update((r, col) for r in range(r1, r2 + 1))

    def formula(
        self, row: int, col: int, text: str, style: str, value: object, r2: int | None = None
    ) -> None:
        fmt = self.st[style]
        if r2 is not None and r2 > row:
            self.ws.merge_range(row, col, r2, col, "", fmt)
        self.ws.write_formula(row, col, text, fmt, value)
        self.done.update((r, col) for r in range(row, (r2 if r2 is not None else row) + 1))

    def fixed(self, row: int, col: int) -> FixedCell:
        return self._fixed[(row, col)]

    # -- the sheet

    def write(self) -> None:
        self._fixed = {(f.row, f.col): f for f in self.lay.fixed}
        last = self.lay.last_col
        for c, w in enumerate(self.widths):
            self.ws.set_column(c, c, w)
        self._header(last)
        self._body()
        self._total_row()
        self._inputs()
        self._fill_blanks(last)
        self._validations()
        self._highlight()
        for rows, needed in self.spans:  # a merged section cell may need more than its rows' text
            grown = spread_height([self.heights.get(r, 20.0) for r in rows], needed)
            self.heights.update(zip(rows, grown, strict=True))
        for row, h in sorted(self.heights.items()):
            self.ws.set_row(row, h)
        self.ws.set_h_pagebreaks(self._page_breaks())
        self.ws.freeze_panes(layout.FIRST_ROW, 0)
        setup_print(
            self.ws,
            last_row=self.lay.total_row,
            last_col=last,
            landscape=True,
            repeat_row=layout.ROW_COLUMNS,
        )
        self.ws.set_first_sheet()
        self.ws.activate()
        self.ws.select()
        protect(self.ws, self.campaign.password)

    def _page_breaks(self) -> list[int]:
        """Keep each section (group) on one page; the 合计 row stays with the last section."""
        h = self.heights
        blocks = []
        for _sid, first, last in self.lay.section_spans:
            blocks.append((first, sum(h.get(r, 15.0) for r in range(first, last + 1))))
        first_row, height = blocks[-1]
        blocks[-1] = (first_row, height + h.get(self.lay.total_row, 15.0))
        return keep_together(
            blocks,
            first_page=sum(h.get(r, 15.0) for r in range(layout.FIRST_ROW)),
            repeat=h.get(layout.ROW_COLUMNS, 15.0),
            landscape=True,
        )

    def _header(self, last: int) -> None:
        kind = self.kind
        self.put(layout.ROW_ATTACHMENT, 0, 0, self.fixed(layout.ROW_ATTACHMENT, 0).value, "attachment")
        self.need(layout.ROW_ATTACHMENT, 20)
        title = self.fixed(layout.ROW_TITLE, 0).value
        self.put(layout.ROW_TITLE, 0, last, title, "title")
        self.need(layout.ROW_TITLE, text_height(str(title), self.width(0, last), 16, minimum=32))
        row = layout.ROW_HEADER_LINE
        label_row, label_col = layout.BRANCH_LABEL
        self.put(label_row, label_col, label_col, self.fixed(label_row, label_col).value, "label")
        date_col = layout.DATE_LABEL_COL[kind]
        self.put(row, date_col, date_col, self.fixed(row, date_col).value, "label")
        self.need(row, 24)
        if self.branch is not None:  # personalized: the branch name is locked
            b1, b2 = layout.BRANCH_SPAN[kind]
            key = (Field.BRANCH, "")
            self.put(row, b1, b2, self.branch.name, "header_value", problem=key in self.comments)
            self.need(row, text_height(self.branch.name, self.width(b1, b2), minimum=24))
        for c, text in enumerate(layout.COLUMNS[kind]):
            self.put(layout.ROW_COLUMNS, c, c, self.fixed(layout.ROW_COLUMNS, c).value, "column")
            self.need(layout.ROW_COLUMNS, text_height(text, self.width(c), minimum=30))

    def _body(self) -> None:
        kind = self.kind
        span_cols = (layout.C_GROUP,) if kind is FormKind.TASKS else (layout.C_NUMERAL, layout.C_SECTION)
        subtotal = "小计" in layout.COLUMNS[kind]
        for _sid, first, last in self.lay.section_spans:
            for col in span_cols:
                value = self.fixed(first, col).value
                self.put_rows(first, last, col, value, "center")
                self.spans.append((list(range(first, last + 1)), text_height(str(value), self.width(col))))
            if subtotal:
                rng = f"{a1(first, layout.C_SCORE)}:{a1(last, layout.C_SCORE)}"
                ids = [i for i, r in self.lay.item_rows.items() if first <= r <= last]
                cached = _sum(self.prefill.get((Field.SCORE, i)) for i in ids)
                self.formula(first, layout.C_SUBTOTAL, f"=SUM({rng})", "subtotal", cached, r2=last)
        body = range(layout.FIRST_ROW, self.lay.total_row)
        for f in self.lay.fixed:
            if f.row in body and f.col not in span_cols:
                style = "points" if isinstance(f.value, int) else "text"
                self.put(f.row, f.col, f.col, f.value, style)
                if style == "text":
                    self.need(f.row, text_height(str(f.value), self.width(f.col), minimum=24))
        if kind is FormKind.INSPECTION:  # the branch's own self-assessment, shown locked
            for ref_id, row in self.lay.item_rows.items():
                note = self.prefill.get((Field.NOTE, ref_id))
                self.put(
                    row, layout.C_SCORE, layout.C_SCORE, self.prefill.get((Field.SCORE, ref_id)), "number"
                )
                self.put(row, layout.C_NOTE, layout.C_NOTE, note, "text")
                if note:
                    self.need(row, text_height(str(note), self.width(layout.C_NOTE)))

    def _total_row(self) -> None:
        kind, row = self.kind, self.lay.total_row
        first, last = layout.FIRST_ROW, row - 1
        self.need(row, 26)
        if kind is FormKind.TASKS:
            self.put(row, 0, 0, self.fixed(row, 0).value, "total_label")
            col = layout.C_STATUS
            rng = f"${layout.col_letter(col)}${first + 1}:${layout.col_letter(col)}${last + 1}"
            given = [self.prefill.get((Field.STATUS, t.id)) for t in self.campaign.catalog.tasks]
            for i, status in enumerate(layout.STATUSES):
                c = layout.C_TASK + i
                text = f'="{status} "&COUNTIF({rng},"{status}")&" 项"'
                self.formula(row, c, text, "total_text", f"{status} {given.count(status)} 项")
                self.need(row, text_height(f"{status} 20 项", self.width(c), minimum=26))
            return
        self.put(row, 0, layout.C_TEXT, self.fixed(row, 0).value, "total_label")
        pts = f"{a1(first, layout.C_POINTS)}:{a1(last, layout.C_POINTS)}"
        self.formula(
            row, layout.C_POINTS, f"=SUM({pts})", "total_points", self.fixed(row, layout.C_POINTS).value
        )
        sums = [(layout.C_SCORE, Field.SCORE)]
        if kind is FormKind.INSPECTION:
            sums.append((layout.C_INSP_SCORE, Field.INSP_SCORE))
        for col, fld in sums:
            rng = f"{a1(first, col)}:{a1(last, col)}"
            cached = _sum(self.prefill.get((fld, i)) for i in self.lay.item_rows)
            self.formula(row, col, f"=SUM({rng})", "total_number", cached)

    def _inputs(self) -> None:
        kind, row_h = self.kind, layout.ROW_HEADER_LINE
        for cell in self.lay.inputs:
            key = (cell.field, cell.ref_id)
            if cell.field is Field.BRANCH and self.branch is not None:
                continue  # written locked in _header
            problem = key in self.comments
            value = self.prefill.get(key)
            style = _INPUT_STYLE.get(cell.field, "text_input")
            span = {Field.BRANCH: layout.BRANCH_SPAN[kind], Field.DATE: layout.DATE_SPAN[kind]}.get(
                cell.field
            )
            c1, c2 = span if span and cell.row == row_h else (cell.col, cell.col)
            self.put(cell.row, c1, c2, value, style, problem=problem)
            if value is not None and style == "text_input":
                self.need(cell.row, text_height(str(value), self.width(c1, c2)))
            if not problem:
                self.todo.extend((cell.row, c) for c in range(c1, c2 + 1))
        for cell in self.lay.inputs:
            key = (cell.field, cell.ref_id)
            if key in self.comments:
                self.ws.write_comment(
                    cell.row,
                    cell.col,
                    self.comments[key],
                    {"author": self.campaign.department, "x_scale": 2.2, "y_scale": 1.6},
                )

    def _fill_blanks(self, last: int) -> None:
        """Box every remaining body cell, so the printed grid is complete; they stay locked."""
        for row in range(layout.FIRST_ROW, self.lay.total_row + 1):
            for col in range(last + 1):
                if (row, col) not in self.done:
                    self.ws.write_blank(row, col, None, self.st["blank"])

    def _validations(self) -> None:
        catalog, campaign, kind = self.campaign.catalog, self.campaign, self.kind
        groups: dict[tuple[object, ...], list[InputCell]] = {}
        for cell in self.lay.inputs:
            if cell.field is Field.BRANCH and self.branch is not None:
                continue
            if cell.field in _SCORE_FIELDS:
                key: tuple[object, ...] = (cell.field, catalog.item_by_id[cell.ref_id].points)
            else:
                key = (cell.field,)
            groups.setdefault(key, []).append(cell)
        for key, cells in groups.items():
            options = _validation(campaign, kind, key)
            runs = cell_ranges((c.row, c.col) for c in cells)
            if len(runs) > 1:
                options["multi_range"] = " ".join(_range(*r) for r in runs)
            self.ws.data_validation(*runs[0], options)

    def _highlight(self) -> None:
        for r1, c1, r2, c2 in cell_ranges(self.todo):
            self.ws.conditional_format(r1, c1, r2, c2, {"type": "blanks", "format": self.st.todo})


def _range(r1: int, c1: int, r2: int, c2: int) -> str:
    return a1(r1, c1) if (r1, c1) == (r2, c2) else f"{a1(r1, c1)}:{a1(r2, c2)}"


def _sum(values: Iterable[object]) -> float:
    """The cached result of a SUM over prefilled values (text and blanks count as nothing, like Excel)."""
    total = 0.0
    for v in values:
        if isinstance(v, int | float) and not isinstance(v, bool):
            total += v
    return int(total) if float(total).is_integer() else total


def _write_value(ws: Worksheet, row: int, col: int, value: object, fmt: object) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float):
        if math.isfinite(value):
            ws.write_number(row, col, value, fmt)
        else:  # NaN/inf read from a hostile file: xlsxwriter refuses them as numbers; keep what was there
            ws.write_string(row, col, str(value), fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _validation(campaign: Campaign, kind: FormKind, key: tuple[object, ...]) -> dict[str, object]:
    """Data-validation options (Chinese prompt and stop alert) for one group of input cells."""
    fld = key[0]
    stop = {"error_type": "stop", "show_error": True, "show_input": True}
    if fld in _SCORE_FIELDS:
        pts = key[1]
        label = "督查得分" if fld is Field.INSP_SCORE else "自评得分"
        return {
            **stop,
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": pts,
            "input_title": f"{label}（本项满分{pts}分）",
            "input_message": f"请填写 0 到 {pts} 之间的数字，可含小数（如 1.5），不要写“分”字。得分低于{pts}分时须在右侧填写扣分说明。",
            "error_title": "得分超出范围",
            "error_message": f"本项满分{pts}分，请填写 0 到 {pts} 之间的数字（不要写“分”字或其他文字）。",
        }
    if fld is Field.STATUS:
        choices = "、".join(layout.STATUSES)
        return {
            **stop,
            "validate": "list",
            "source": list(layout.STATUSES),
            "input_title": "完成状态",
            "input_message": f"请从下拉列表中选择：{choices}。",
            "error_title": "完成状态无效",
            "error_message": f"完成状态只能是 {choices} 之一，请从下拉列表中选择。",
        }
    if fld is Field.DATE:
        start, end = campaign.self_check_start, campaign.self_check_end
        return {
            **stop,
            "validate": "date",
            "criteria": "between",
            "minimum": start - dt.timedelta(days=365),
            "maximum": end + dt.timedelta(days=365),
            "input_title": "填报日期",
            "input_message": f"请填写实际填报日期，格式如 {end.isoformat()}。自查时间为{_window(campaign)}。",
            "error_title": "日期无效",
            "error_message": f"请填写有效日期，格式如 {end.isoformat()}（自查时间为{_window(campaign)}）。",
        }
    prompts = {
        Field.BRANCH: ("党总支名称", "请填写本党总支全称，与组织部名单一致（如“文学院党总支”）。"),
        Field.NOTE: ("扣分说明（佐证材料）", "得分低于本项分值时必须填写扣分原因；可同时列出佐证材料。"),
        Field.DONE: ("完成情况", "必填：写明本项任务的具体做法和佐证材料。"),
        Field.ISSUES: (
            "存在问题及整改措施",
            "完成状态不是“已完成”时必须填写存在的问题和整改措施（不适用的请说明原因）。",
        ),
        Field.INSP_OPINION: ("督查意见", "督查得分低于分值时须写明扣分理由。"),
    }
    title, message = prompts[fld]  # type: ignore[index]
    return {"validate": "any", "input_title": title, "input_message": message, "show_input": True}


# ---------------------------------------------------------------- guide and metadata sheets


def guide_lines(
    campaign: Campaign, kind: FormKind, branch: Branch | None, revision: int = 0
) -> list[tuple[str, str, str]]:
    """The 填表说明 sheet as (style, number, text) rows."""
    if kind is FormKind.INSPECTION:
        return _inspection_guide(campaign, branch)
    due = _cn_date(campaign.due)
    to = campaign.return_to or campaign.department
    window = _window(campaign)
    example = campaign.self_check_end.isoformat()
    who = (
        f"{branch.name}（编号 {branch.id}）"
        if branch
        else "空白表，请在表头“党总支名称”处填写本党总支全称（与组织部名单一致）"
    )
    fill = ["只需填写黄色底色的单元格（填好后黄色自动消失）；其余单元格已锁定，不能也不需要修改。"]
    if revision:
        fill.insert(
            0,
            f"本表为更正表（第{revision}次更正）：已按你单位上次报送的内容填好；红色单元格需要修改，"
            "鼠标移到单元格上可查看批注。只需修改这些单元格，保存后交回。",
        )
    if kind is FormKind.TASKS:
        choices = "”“".join(layout.STATUSES)
        fill += [
            f"完成状态：每一项都从下拉列表中选择“{choices}”之一。",
            "完成情况（做法及佐证材料）：每一项都必须填写，写明具体做法，列出佐证材料。",
            "存在问题及整改措施：状态为“持续推进”“未完成”的，写明存在的问题和整改措施；"
            "状态为“不适用”的，写明不适用的原因；“已完成”的可不填。",
            "表格底部的完成情况统计由表格自动计算，仅供参考。",
        ]
    else:
        fill += [
            "自评得分：对照每一项的督查内容自评，填写 0 到该项分值之间的数字（可含小数，如 1.5），"
            "不要写“分”字或其他文字。",
            "扣分说明（佐证材料）：得分低于该项分值的，必须写明扣分原因；满分项可列出佐证材料。",
            "小计、合计由表格自动计算，仅供参考；组织部汇总时按各项得分重新计算。",
        ]
    fill.append(f"填报日期：填写实际填报日期，应在自查时间（{window}）内，格式如 {example}。")
    back = [
        "用 Microsoft Excel、WPS 表格或 LibreOffice 直接打开本文件填写，保存为 .xlsx 格式（不要另存为其他格式）。",
        "不要修改文件名；不要改动、删除、重命名工作表，不要把内容复制到新的工作簿中，否则组织部无法识别本表。",
        f"于{due}前将本表连同自查报告（电子稿）通过电子邮件发送至{to}。",
        "如需改正，请在原文件上修改后重新发送，组织部以最新的一份为准。",
    ]
    rows: list[tuple[str, str, str]] = [
        ("guide_title", "", f"{kind.label} 填表说明"),
        ("guide_text", "", f"督查名称：{campaign.school}{campaign.year}年{campaign.title}"),
        ("guide_text", "", f"本表属于：{who}"),
        ("guide_text", "", f"自查时间：{window}；报送截止：{due}（报送至{to}）"),
        ("guide_heading", "", "一、填写什么"),
    ]
    rows += [("guide_text", f"{n}.", text) for n, text in enumerate(fill, start=1)]
    rows.append(("guide_heading", "", "二、如何交回"))
    rows += [("guide_text", f"{n}.", text) for n, text in enumerate(back, start=1)]
    return rows


def _inspection_guide(campaign: Campaign, branch: Branch | None) -> list[tuple[str, str, str]]:
    """The 填表说明 of a 督查评分表: for 组织部's inspectors, not for the branch."""
    who = f"{branch.name}（编号 {branch.id}）" if branch else "（未指定党总支）"
    fill = [
        "只需填写黄色底色的单元格（督查得分、督查意见、填报日期）；党总支的自评得分和扣分说明已锁定，仅供对照。",
        "督查得分：对照督查内容和佐证材料逐项评分，填写 0 到该项分值之间的数字（可含小数，如 1.5）。",
        "督查意见：督查得分低于分值或与自评得分不一致的，写明理由。",
        "填报日期：填写督查日期。",
    ]
    back = [
        "用 Microsoft Excel、WPS 表格或 LibreOffice 直接打开本文件填写，保存为 .xlsx 格式；不要改动工作表和锁定内容。",
        "填好后放入收件文件夹，与各党总支交回的文件一起汇总（collect）：汇总表将列出督查总分和“自评与督查对比”。",
    ]
    rows: list[tuple[str, str, str]] = [
        ("guide_title", "", f"{FormKind.INSPECTION.label} 填写说明（组织部督查用）"),
        ("guide_text", "", f"督查名称：{campaign.school}{campaign.year}年{campaign.title}"),
        ("guide_text", "", f"督查对象：{who}"),
        ("guide_heading", "", "一、填写什么"),
    ]
    rows += [("guide_text", f"{n}.", text) for n, text in enumerate(fill, start=1)]
    rows.append(("guide_heading", "", "二、填好以后"))
    rows += [("guide_text", f"{n}.", text) for n, text in enumerate(back, start=1)]
    return rows


def _write_guide(
    ws: Worksheet, st: Styles, campaign: Campaign, kind: FormKind, branch: Branch | None, revision: int = 0
) -> None:
    # Two columns (number, text): LibreOffice does not scale a single too-wide column to the page.
    widths = (4, 84)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    rows = guide_lines(campaign, kind, branch, revision)
    for r, (style, number, text) in enumerate(rows):
        size = 16 if style == "guide_title" else 11
        if number:
            ws.write_string(r, 0, number, st["guide_text"])
            ws.write_string(r, 1, text, st[style])
            width: float = widths[1]
        else:
            ws.merge_range(r, 0, r, 1, "", st[style])
            ws.write_string(r, 0, text, st[style])
            width = sum(widths)
        ws.set_row(r, text_height(text, width, size, minimum=32 if size == 16 else 22))
    setup_print(ws, last_row=len(rows) - 1, last_col=1, landscape=False)
    ws.hide_gridlines(2)
    protect(ws, campaign.password)


def meta_values(
    campaign: Campaign, kind: FormKind, branch: Branch | None, revision: int = 0
) -> dict[str, str]:
    """The identity stamped into the metadata sheet, by META_KEYS key."""
    cat = campaign.catalog
    values = {
        "form_kind": kind.value,
        "catalog_version": cat.version,
        "catalog_digest": catalog_digest(cat),
        "campaign": campaign.title,
        "school": campaign.school,
        "year": str(campaign.year),
        "branch_id": branch.id if branch else "",
        "branch_name": branch.name if branch else "",
        "generator": GENERATOR,
        "generator_version": __version__,
        "revision": str(revision),
    }
    assert list(values) == [k for k, _ in layout.META_KEYS]
    return values


def _write_meta(
    wb: xlsxwriter.Workbook,
    ws: Worksheet,
    st: Styles,
    campaign: Campaign,
    kind: FormKind,
    lay: FormLayout,
    branch: Branch | None,
    revision: int = 0,
) -> None:
    meta, head = st["meta"], st["meta_head"]
    sheet_ref = f"'{layout.META_SHEET}'"
    vcol = layout.META_VALUE_COL
    for c, w in enumerate((22, 16, 40, 20)):
        ws.set_column(c, c, w)
    values = meta_values(campaign, kind, branch, revision)
    for r, (key, label) in enumerate(layout.META_KEYS):
        ws.write_string(r, 0, key, meta)
        ws.write_string(r, 1, label, meta)
        ws.write_string(r, vcol, values[key], meta)
        if key in layout.META_NAMES:
            col = layout.col_letter(vcol)
            wb.define_name(layout.META_NAMES[key], f"={sheet_ref}!${col}${r + 1}")
    for c, text in enumerate(("名称", "字段", "编号", "单元格")):
        ws.write_string(layout.META_INPUT_HEADER_ROW, c, text, head)
    form_ref = f"'{lay.sheet}'"
    for r, cell in enumerate(lay.inputs, start=layout.META_FIRST_INPUT_ROW):
        ws.write_string(r, 0, cell.name, meta)
        ws.write_string(r, 1, cell.field.value, meta)
        ws.write_string(r, 2, cell.ref_id, meta)
        ws.write_string(r, 3, f"{lay.sheet}!{cell.a1}", meta)
        col = layout.col_letter(cell.col)
        wb.define_name(cell.name, f"={form_ref}!${col}${cell.row + 1}")
    ws.very_hidden()
    protect(ws, campaign.password)


# ---------------------------------------------------------------- one workbook


def _check_keys(lay: FormLayout, what: str, keys: Mapping[Key, object]) -> None:
    known = {(c.field, c.ref_id) for c in lay.inputs}
    if lay.kind is FormKind.INSPECTION:  # the self-assessment shown beside the inspector's columns
        known |= {(f, i) for i in lay.item_rows for f in (Field.SCORE, Field.NOTE)}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValueError(f"{what}: no input cell {unknown[0]!r} in {lay.kind.value}")


def build_form(
    campaign: Campaign,
    kind: FormKind,
    branch: Branch | None = None,
    *,
    prefill: Mapping[Key, object] | None = None,
    comments: Mapping[Key, str] | None = None,
    revision: int = 0,
) -> bytes:
    """The bytes of one locked workbook; deterministic for the same arguments.

    `prefill` writes values into input cells (keys `(Field, item/task id)`, `""` for header fields;
    a prefilled branch name is ignored on a personalized form, whose branch cell is locked).
    `comments` marks cells to correct: a distinct fill plus a cell comment with the text.
    `revision` > 0 stamps a corrected copy (the n-th correction), which wins ties when collected.
    """
    lay = layout.form_layout(campaign.catalog, kind)
    prefill = dict(prefill or {})
    comments = dict(comments or {})
    _check_keys(lay, "prefill", prefill)
    _check_keys(lay, "comments", comments)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    wb.set_properties(
        {
            "title": layout.title(campaign.catalog, kind),
            "subject": campaign.title,
            "author": campaign.department,
            "company": campaign.school,
            "category": kind.label,
            "keywords": f"{GENERATOR};{kind.value};{catalog_digest(campaign.catalog)}",
            "comments": f"{GENERATOR} {__version__}",
            "created": created_at(campaign),
        }
    )
    st = Styles(wb)
    form = wb.add_worksheet(lay.sheet)
    guide = wb.add_worksheet(layout.GUIDE_SHEET)
    meta = wb.add_worksheet(layout.META_SHEET)
    _FormWriter(form, st, campaign, lay, branch, prefill, comments).write()
    _write_guide(guide, st, campaign, kind, branch, revision)
    _write_meta(wb, meta, st, campaign, kind, lay, branch, revision)
    wb.close()
    return lock_structure(buf.getvalue(), campaign.password)


# ---------------------------------------------------------------- files


def generate_blank(campaign: Campaign, out_dir: Path) -> list[Path]:
    """The blank official forms (党总支名称 left as an input cell), e.g. the committed `blank_forms/`."""
    out_dir = Path(out_dir)
    paths = []
    for kind in BRANCH_FORMS:
        paths.append(write_bytes_atomic(out_dir / form_filename(kind), build_form(campaign, kind)))
    return paths


PARALLEL_MIN_FORMS = 16  # below this many workbooks, a second process costs more than it saves

_JOB: dict[str, Any] = {}  # what forked workers inherit: the campaign and the output folder


def _generate_one(k: int) -> Path:
    """Workbook k of the roster (branch k // 2, form k % 2), written to the output folder."""
    campaign: Campaign = _JOB["campaign"]
    branch = campaign.roster[k // len(BRANCH_FORMS)]
    kind = BRANCH_FORMS[k % len(BRANCH_FORMS)]
    return write_bytes_atomic(
        _JOB["out_dir"] / form_filename(kind, branch), build_form(campaign, kind, branch)
    )


def generate_for_roster(campaign: Campaign, out_dir: Path, progress: Progress | None = None) -> list[Path]:
    """Both personalized forms for every 党总支 of the roster. The roster was checked when it was loaded.

    A large roster is split over forked worker processes (one per core); the files are the same bytes.
    """
    if not campaign.roster:
        raise ConfigError("名单中没有任何党总支，未生成任何文件")
    total = len(campaign.roster) * len(BRANCH_FORMS)
    if progress:
        progress(0, total)
    paths: list[Path] = []

    def done(path: Path) -> None:
        paths.append(path)
        if progress:
            progress(len(paths), total)

    _JOB.update(campaign=campaign, out_dir=Path(out_dir))
    try:
        done(_generate_one(0))  # also warms the caches (layouts, text measures) that workers inherit
        ctx = parallel.fork_context() if total >= PARALLEL_MIN_FORMS else None
        if ctx is not None:
            gc.freeze()  # no collector visits the objects shared with the workers: their pages stay shared
            try:
                with ProcessPoolExecutor(parallel.cpus(), mp_context=ctx) as pool:
                    for path in pool.map(_generate_one, range(1, total), chunksize=8):
                        done(path)
            except BrokenProcessPool:
                pass  # a worker died (e.g. killed for memory): finish the rest in this process
            finally:
                gc.unfreeze()
        for k in range(len(paths), total):
            done(_generate_one(k))
    finally:
        _JOB.clear()
    return paths


def write_init_files(out_dir: Path, force: bool = False) -> list[Path]:
    """An editable campaign.toml and roster.csv (UTF-8 with BOM, so Excel opens it) for the next round."""
    out_dir = Path(out_dir)
    campaign = default_campaign()
    files = {
        out_dir / "campaign.toml": (campaign_toml(campaign, "roster.csv"), "utf-8"),
        out_dir / "roster.csv": (roster_csv(campaign.roster), "utf-8-sig"),
    }
    existing = [p for p in files if p.exists()]
    if existing and not force:
        names = "、".join(str(p) for p in existing)
        raise ConfigError(
            f"文件已存在：{names}。为避免覆盖已修改的内容，未写入任何文件；确需覆盖请加 --force"
        )
    return [write_text_atomic(p, text, encoding=enc) for p, (text, enc) in files.items()]
