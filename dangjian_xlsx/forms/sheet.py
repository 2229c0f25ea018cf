"""The form sheet of one workbook: header, items, totals, input cells and their validation, all placed by
the layout and styled by `style`."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from xlsxwriter.worksheet import Worksheet

from .. import layout
from ..layout import Field, FixedCell, FormLayout, InputCell, a1
from ..models import Branch, Campaign, FormKind
from .protect import protect
from .style import (
    GrowingWorksheet,
    Styles,
    cell_ranges,
    setup_print,
    text_height,
    text_lines,
)
from .text import input_validation

Key = tuple[Field, str]  # an input cell: (field, item/task id), "" for header fields

_INPUT_STYLE = {
    Field.BRANCH: "header_input",
    Field.DATE: "date_input",
    Field.SCORE: "score_input",
    Field.INSP_SCORE: "score_input",
    Field.STATUS: "status_input",
}
_SCORE_FIELDS = (Field.SCORE, Field.INSP_SCORE)
_SIGN_SPANS = {f: span for f, _label_col, span in layout.SIGN_FIELDS}


@dataclass
class FormWriter:
    """Writes the form sheet of one workbook: everything is placed by the layout, styled by `style`."""

    ws: Worksheet
    st: Styles
    campaign: Campaign
    lay: FormLayout
    branch: Branch | None
    prefill: Mapping[Key, object]
    comments: Mapping[Key, str]
    heights: dict[int, float] = field(default_factory=dict)
    todo: list[tuple[Field, int, int]] = field(default_factory=list)  # fill-me highlight: (field, row, col)
    done: set[tuple[int, int]] = field(default_factory=set)  # cells already written
    free_text: set[int] = field(default_factory=set)  # rows holding a free-text input: they grow with it
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

    @property
    def last_row(self) -> int:
        """The form's last row: 合计 (统计) row, or the 督查评分表's signature line below it."""
        return self.lay.total_row + (1 if self.kind is FormKind.INSPECTION else 0)

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
        self._sign_labels()
        self._inputs()
        self._fill_blanks(last)
        self._validations()
        self._highlight()
        for row, h in sorted(self.heights.items()):
            self.ws.set_row(row, h)
        if isinstance(self.ws, GrowingWorksheet):  # the heights fit the text now; typed text grows them
            self.ws.grow_rows = set(self.free_text)
        self.ws.freeze_panes(layout.FIRST_ROW, 0)
        setup_print(
            self.ws,
            last_row=self.last_row,
            last_col=last,
            landscape=True,
            repeat_row=layout.ROW_COLUMNS,
        )
        self.ws.set_first_sheet()
        self.ws.activate()
        self.ws.select()
        protect(self.ws, self.campaign.password)

    def _header(self, last: int) -> None:
        kind = self.kind
        self.put(layout.ROW_ATTACHMENT, 0, 0, self.fixed(layout.ROW_ATTACHMENT, 0).value, "attachment")
        self.need(layout.ROW_ATTACHMENT, 20)
        title = self.fixed(layout.ROW_TITLE, 0).value
        self.put(layout.ROW_TITLE, 0, last, title, "title")
        self.need(layout.ROW_TITLE, text_height(str(title), self.width(0, last), 16, minimum=32))
        row = layout.ROW_HEADER_LINE
        label_row, label_col = layout.BRANCH_LABEL
        label = str(self.fixed(label_row, label_col).value)  # 党总支名称：, or a longer unit's, wrapped
        wrap = text_lines(label, self.width(label_col)) > 1
        self.put(label_row, label_col, label_col, label, "label_wrap" if wrap else "label")
        if wrap:
            self.need(row, text_height(label, self.width(label_col), minimum=24))
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
                self.put_rows(first, last, col, value, "section")
                self.need(first, text_height(str(value), self.width(col)))
            if subtotal:
                rng = f"{a1(first, layout.C_SCORE)}:{a1(last, layout.C_SCORE)}"
                ids = [i for i, r in self.lay.item_rows.items() if first <= r <= last]
                cached = _sum(self.prefill.get((Field.SCORE, i)) for i in ids)
                self.formula(first, layout.C_SUBTOTAL, f"=SUM({rng})", "subtotal", cached, r2=last)
        body = range(layout.FIRST_ROW, self.lay.total_row)
        for f in self.lay.fixed:
            if f.row in body and f.col not in span_cols:
                style = "text" if isinstance(f.value, str) else _points_style("points", f.value)
                self.put(f.row, f.col, f.col, f.value, style)
                if style == "text":
                    self.need(f.row, text_height(str(f.value), self.width(f.col), minimum=24))
        if kind is FormKind.INSPECTION:  # the branch's own self-assessment, shown locked
            for ref_id, row in self.lay.item_rows.items():
                note = self.prefill.get((Field.NOTE, ref_id))
                score = self.prefill.get((Field.SCORE, ref_id))
                if isinstance(score, str):  # an invalid self-score, as the branch typed it, marked
                    self.put(row, layout.C_SCORE, layout.C_SCORE, score, "text")
                    self.need(row, text_height(score, self.width(layout.C_SCORE)))
                else:
                    self.put(row, layout.C_SCORE, layout.C_SCORE, score, "number")
                self.put(row, layout.C_NOTE, layout.C_NOTE, note, "text")
                if note:
                    self.need(row, text_height(str(note), self.width(layout.C_NOTE)))

    def _total_row(self) -> None:
        kind, row = self.kind, self.lay.total_row
        first, last = layout.FIRST_ROW, row - 1
        self.need(row, 26)
        if kind is FormKind.TASKS:
            self._status_counts(row, first, last)
            return
        self.put(row, 0, layout.C_TEXT, self.fixed(row, 0).value, "total_label")
        pts = f"{a1(first, layout.C_POINTS)}:{a1(last, layout.C_POINTS)}"
        total = self.fixed(row, layout.C_POINTS).value
        self.formula(row, layout.C_POINTS, f"=SUM({pts})", _points_style("total_points", total), total)
        sums = [(layout.C_SCORE, Field.SCORE)]
        if kind is FormKind.INSPECTION:
            sums.append((layout.C_INSP_SCORE, Field.INSP_SCORE))
        for col, fld in sums:
            rng = f"{a1(first, col)}:{a1(last, col)}"
            cached = _sum(self.prefill.get((fld, i)) for i in self.lay.item_rows)
            self.formula(row, col, f"=SUM({rng})", "total_number", cached)

    def _sign_labels(self) -> None:
        """The 督查评分表's signature line: 督查组： and 督查人： before their input cells."""
        if self.kind is not FormKind.INSPECTION:
            return
        row = self.lay.total_row + 1
        for fld, label_col, _span in layout.SIGN_FIELDS:
            self.put(row, label_col, label_col, f"{fld.label}：", "label")
        self.need(row, 28)

    def _status_counts(self, row: int, first: int, last: int) -> None:
        """附件2's statistics row: one live count per status (已完成 5 项), a cell each from 重点工作任务 on;
        more statuses than cells share the last one."""
        catalog = self.campaign.catalog
        self.put(row, 0, 0, self.fixed(row, 0).value, "total_label")
        col = layout.C_STATUS
        rng = f"${layout.col_letter(col)}${first + 1}:${layout.col_letter(col)}${last + 1}"
        given = [self.prefill.get((Field.STATUS, t.id)) for t in catalog.tasks]
        n = len(catalog.tasks)
        cells = self.lay.last_col - layout.C_TASK + 1
        statuses = list(catalog.statuses)
        shared = statuses[cells - 1 :] if len(statuses) > cells else []
        groups = [[s] for s in statuses[: cells - 1 if shared else cells]] + ([shared] if shared else [])
        for i, group in enumerate(groups):
            c = layout.C_TASK + i
            formula = '&"，"&'.join(f'"{s} "&COUNTIF({rng},"{s}")&" 项"' for s in group)
            cached = "，".join(f"{s} {given.count(s)} 项" for s in group)
            self.formula(row, c, f"={formula}", "total_text", cached)
            widest = "，".join(f"{s} {n} 项" for s in group)
            self.need(row, text_height(widest, self.width(c), minimum=26))

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
            optional = cell.field in _SIGN_SPANS  # never highlighted as to fill
            if optional:
                c1, c2 = _SIGN_SPANS[cell.field]
            self.put(cell.row, c1, c2, value, style, problem=problem)
            if style == "text_input":
                self.free_text.add(cell.row)
                if value is not None:
                    self.need(cell.row, text_height(str(value), self.width(c1, c2)))
            if not problem and not optional:
                self.todo.extend((cell.field, cell.row, c) for c in range(c1, c2 + 1))
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
            options = input_validation(campaign, kind, key)
            runs = cell_ranges((c.row, c.col) for c in cells)
            if len(runs) > 1:
                options["multi_range"] = " ".join(_range(*r) for r in runs)
            self.ws.data_validation(*runs[0], options)

    def _highlight(self) -> None:
        """The fill-me colour, on a cell only while it must be filled: a score, status, date or name while
        blank; an explanation while blank and what is typed beside it requires one (`_required_when`).
        Problem cells of a corrected copy are not in `todo`: their own fill and comment stay in sight."""
        by_field: dict[Field, list[tuple[int, int]]] = {}
        for fld, row, col in self.todo:
            by_field.setdefault(fld, []).append((row, col))
        for fld, cells in by_field.items():
            for r1, c1, r2, c2 in cell_ranges(cells):
                cond = _required_when(self.campaign, fld, r1)
                if cond is None:  # required only when blank
                    options = {"type": "blanks", "format": self.st.todo}
                elif not cond:  # never required (no status asks for it)
                    continue
                else:
                    blank = f"LEN(TRIM({a1(r1, c1)}))=0"
                    options = {"type": "formula", "criteria": f"=AND({blank},{cond})", "format": self.st.todo}
                self.ws.conditional_format(r1, c1, r2, c2, options)


def _required_when(campaign: Campaign, fld: Field, row: int) -> str | None:
    """When the blank input of `fld` on `row` must be filled, as validate checks it: an Excel condition on
    the row's other cells; None: always; "": never."""
    catalog = campaign.catalog
    if fld is Field.NOTE:  # 扣分说明: the score is below the item's points (validate: note-required)
        score, points = a1(row, layout.C_SCORE), a1(row, layout.C_POINTS)
        return f"ISNUMBER({score}),{score}<{points}"
    if fld is Field.INSP_OPINION:  # 督查意见: below the points, or not what the branch claimed (填表说明)
        insp, points, own = a1(row, layout.C_INSP_SCORE), a1(row, layout.C_POINTS), a1(row, layout.C_SCORE)
        return f"ISNUMBER({insp}),OR({insp}<{points},AND(ISNUMBER({own}),{insp}<>{own}))"
    status = f"TRIM({a1(row, layout.C_STATUS)})"
    if fld is Field.DONE:  # 完成情况: every status but 不适用 (validate: text-required), a blank one too
        return f"{status}<>{_quoted(catalog.na_status)}" if catalog.na_status else None
    if fld is Field.ISSUES:  # 存在问题及整改措施: a task not done (持续推进, 未完成 …)
        if not catalog.open_statuses:
            return ""
        cases = [f"{status}={_quoted(s)}" for s in catalog.open_statuses]
        return cases[0] if len(cases) == 1 else f"OR({','.join(cases)})"
    return None


def _quoted(text: str) -> str:
    """`text` as an Excel string literal."""
    return '"' + text.replace('"', '""') + '"'


def _points_style(style: str, value: object) -> str:
    """A points cell's style: whole points as 2分, one decimal as 0.5分."""
    if isinstance(value, float) and not value.is_integer():
        return f"{style}_decimal"
    return style


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
