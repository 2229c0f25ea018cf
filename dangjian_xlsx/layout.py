"""Where every cell of each form is. The generator writes, and the reader reads, through this module only.

Rows and columns are 0-based here (as xlsxwriter and the reader use them); `a1()` renders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from .models import DEFAULT_STATUSES, DEFAULT_UNIT, Catalog, FormKind

META_SHEET = "_meta"
GUIDE_SHEET = "填表说明"
SHEET_BY_KIND = {
    FormKind.SCORING: "评分表",
    FormKind.TASKS: "重点任务清单",
    FormKind.INSPECTION: "督查评分表",
}
FILE_SUFFIX = {
    FormKind.SCORING: "附件1_评分表",
    FormKind.TASKS: "附件2_重点任务清单",
    FormKind.INSPECTION: "督查评分表",
}


def file_suffix(catalog: Catalog | None, kind: FormKind) -> str:
    """The part of a form's file name after the branch: the round's attachment label and the form's name
    (`附件3_评分表` when 表格内容.xlsx calls 附件1 附件3); FILE_SUFFIX without a catalog."""
    if catalog is None or kind is FormKind.INSPECTION:
        return FILE_SUFFIX[kind]
    label = catalog.form2.attachment if kind is FormKind.TASKS else catalog.form1.attachment
    return FILE_SUFFIX[kind].replace("附件1" if kind is FormKind.SCORING else "附件2", label, 1)


# The built-in forms' task statuses (models.DEFAULT_STATUSES). Nothing here reads them: a round's statuses
# are its catalog's (`Catalog.statuses`, `done_status`, `na_status`, `open_statuses`); kept only as the
# built-in default for modules not yet driven by the catalog.
DONE_STATUS, IN_PROGRESS_STATUS, NOT_DONE_STATUS, NOT_APPLICABLE = DEFAULT_STATUSES
STATUSES = DEFAULT_STATUSES

# Row indices shared by all forms.
ROW_ATTACHMENT = 0
ROW_TITLE = 1
ROW_HEADER_LINE = 2
ROW_COLUMNS = 3
FIRST_ROW = 4

# Header line cells: label, value (merged value ranges are (first_col, last_col)).
BRANCH_LABEL = (ROW_HEADER_LINE, 0)
BRANCH_CELL = (ROW_HEADER_LINE, 1)
DATE_LABEL_COL = {FormKind.SCORING: 3, FormKind.TASKS: 2, FormKind.INSPECTION: 5}
BRANCH_SPAN = {FormKind.SCORING: (1, 2), FormKind.TASKS: (1, 1), FormKind.INSPECTION: (1, 4)}
DATE_SPAN = {FormKind.SCORING: (4, 5), FormKind.TASKS: (3, 3), FormKind.INSPECTION: (6, 7)}

# 附件1's item columns; the 督查评分表 repeats them (the self-assessment, locked) before its own two.
_ITEM_COLUMNS = ("序号", "项  目", "督查内容及方式", "分值", "自评得分", "扣分说明（佐证材料）")
COLUMNS = {
    FormKind.SCORING: (*_ITEM_COLUMNS, "小计"),
    FormKind.TASKS: ("类别", "重点工作任务", "完成状态", "完成情况（做法及佐证材料）", "存在问题及整改措施"),
    FormKind.INSPECTION: (*_ITEM_COLUMNS, "督查得分", "督查意见"),
}
# Column widths (characters). Column A also holds "党总支名称：" (the unit's name label) and the date label column holds "填报日期："
# in the header line, so both are wide enough for those labels. The text columns are wider than landscape A4
# at 100%: the forms print fitted to the page width (83–88 %), so the long item texts wrap to fewer lines
# and the pages hold more of them (the notice's 附件2 prints on 3 pages instead of 6).
WIDTHS = {
    FormKind.SCORING: (14, 16, 66, 11, 9, 40, 7),
    FormKind.TASKS: (14, 78, 11, 38, 32),
    FormKind.INSPECTION: (14, 16, 52, 6, 8, 28, 8, 28),
}

# Column indices.
C_NUMERAL, C_SECTION, C_TEXT, C_POINTS, C_SCORE, C_NOTE, C_SUBTOTAL = range(7)
C_INSP_SCORE, C_INSP_OPINION = 6, 7
C_GROUP, C_TASK, C_STATUS, C_DONE, C_ISSUES = range(5)


class Field(StrEnum):
    BRANCH = "branch"
    DATE = "date"
    SCORE = "score"
    NOTE = "note"
    STATUS = "status"
    DONE = "done"
    ISSUES = "issues"
    INSP_SCORE = "inspection_score"
    INSP_OPINION = "inspection_opinion"
    INSP_GROUP = "inspection_group"
    INSPECTOR = "inspector"

    @property
    def label(self) -> str:
        """The field's Chinese name as the built-in forms say it (the branch field: 党总支名称)."""
        return self.label_for(DEFAULT_UNIT)

    def label_for(self, unit: str) -> str:
        """The field's Chinese name in a round whose forms are filled by `unit` (党总支, 党支部 …)."""
        return {
            "branch": f"{unit}名称",
            "date": "填报日期",
            "score": "自评得分",
            "note": "扣分说明",
            "status": "完成状态",
            "done": "完成情况",
            "issues": "存在问题及整改措施",
            "inspection_score": "督查得分",
            "inspection_opinion": "督查意见",
            "inspection_group": "督查组",
            "inspector": "督查人",
        }[self.value]


# The 督查评分表's signature line, the row below 合计: (field, label column, merged value columns). Optional
# inputs added after forms were sent out, on a row those forms leave empty (read there as blank): they are
# left out of `fingerprint`, so the forms' digest, and every form made before, stays valid.
SIGN_FIELDS = ((Field.INSP_GROUP, 0, (1, 4)), (Field.INSPECTOR, 5, (6, 7)))
UNFINGERPRINTED = frozenset(f for f, _c, _s in SIGN_FIELDS)


@dataclass(frozen=True)
class InputCell:
    """A cell the branch (or inspector) fills in."""

    field: Field
    row: int
    col: int
    ref_id: str = ""  # item or task id; "" for header fields

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    @property
    def name(self) -> str:
        """The workbook defined name pointing at this cell."""
        base = self.ref_id.replace(".", "_") + "_" if self.ref_id else ""
        return f"DJ_{base}{self.field.value.upper()}"


@dataclass(frozen=True)
class FixedCell:
    """A locked cell whose value must still equal the catalog (tamper check)."""

    row: int
    col: int
    value: str | int | float
    what: str  # Chinese description for messages
    # what earlier versions wrote here, the cell's position unchanged (so the forms' digest too): forms made
    # with them are still accepted by the tamper check
    former: tuple[str, ...] = ()

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)


@dataclass(frozen=True)
class FormLayout:
    kind: FormKind
    sheet: str
    inputs: tuple[InputCell, ...]
    fixed: tuple[FixedCell, ...]
    item_rows: dict[str, int]  # item/task id -> row
    section_spans: tuple[tuple[str, int, int], ...]  # (section/group id, first row, last row)
    total_row: int

    def input(self, field: Field, ref_id: str = "") -> InputCell:
        for c in self.inputs:
            if c.field is field and c.ref_id == ref_id:
                return c
        raise KeyError((field, ref_id))

    @property
    def last_col(self) -> int:
        return len(COLUMNS[self.kind]) - 1


def col_letter(col: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    s = ""
    col += 1
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


@lru_cache(maxsize=8192)
def a1(row: int, col: int) -> str:
    """0-based (row, col) → 'A1' (cached: validation names the same few hundred cells in every file)."""
    return f"{col_letter(col)}{row + 1}"


def title(catalog: Catalog, kind: FormKind) -> str:
    if kind is FormKind.TASKS:
        return catalog.form2.title
    if kind is FormKind.INSPECTION:
        return inspection_title(catalog.form1.title)
    return catalog.form1.title


INSPECTION_FORM_NAME = "组织部督查评分表"


def inspection_title(form1_title: str) -> str:
    """The 督查评分表's title: 附件1's, its closing 评分表 (if any) dropped, then ·组织部督查评分表
    ("…专项督查·组织部督查评分表", never "…专项督查评分表组织部督查评分表")."""
    head = form1_title.removesuffix("评分表")
    return f"{head}·{INSPECTION_FORM_NAME}"


def _former_inspection_titles(catalog: Catalog) -> tuple[str, ...]:
    """What forms made before wrote as the 督查评分表's title."""
    return (f"{catalog.form1.title}（组织部督查）",)


def attachment(catalog: Catalog, kind: FormKind) -> str:
    return catalog.form2.attachment if kind is FormKind.TASKS else catalog.form1.attachment


def form_label(catalog: Catalog, kind: FormKind) -> str:
    """The form as users are told about it: "附件1 评分表", "附件2 重点任务清单" (the catalog's attachment
    labels), "督查评分表"."""
    return labelled(kind, attachment(catalog, kind))


def labelled(kind: FormKind, attachment_label: str) -> str:
    """A form's name after its attachment label ("附件3 评分表"); the 督查评分表 has none (组织部's own form)."""
    if kind is FormKind.INSPECTION:
        return SHEET_BY_KIND[kind]
    return f"{attachment_label} {SHEET_BY_KIND[kind]}"


# A1 of the 督查评分表: it is 组织部's form, not an attachment of the notice the branches received
INSPECTION_MARK = "组织部督查"


def attachment_cell(catalog: Catalog, kind: FormKind) -> FixedCell:
    """A1: the form's attachment label (附件1, 附件2: the catalog's); on the 督查评分表, INSPECTION_MARK (forms
    made before said 附件1's label there: still accepted)."""
    if kind is FormKind.INSPECTION:
        former = (attachment(catalog, FormKind.SCORING),)
        return FixedCell(ROW_ATTACHMENT, 0, INSPECTION_MARK, "附件标识", former)
    return FixedCell(ROW_ATTACHMENT, 0, attachment(catalog, kind), "附件标识")


def branch_label(catalog: Catalog) -> str:
    """The header line's label of the branch cell: "党总支名称：", "党支部名称：" (the catalog's unit)."""
    return f"{Field.BRANCH.label_for(catalog.unit)}："


DATE_LABEL = "填报日期："
INSPECTION_DATE_LABEL = "督查日期："


def _header_fixed(catalog: Catalog, kind: FormKind) -> list[FixedCell]:
    if kind is FormKind.INSPECTION:  # forms made before said 附件1's title and 填报日期 there: still accepted
        title_cell = FixedCell(
            ROW_TITLE, 0, title(catalog, kind), "表格标题", _former_inspection_titles(catalog)
        )
        date_label = FixedCell(
            ROW_HEADER_LINE, DATE_LABEL_COL[kind], INSPECTION_DATE_LABEL, "表头", (DATE_LABEL,)
        )
    else:
        title_cell = FixedCell(ROW_TITLE, 0, title(catalog, kind), "表格标题")
        date_label = FixedCell(ROW_HEADER_LINE, DATE_LABEL_COL[kind], DATE_LABEL, "表头")
    cells = [
        attachment_cell(catalog, kind),
        title_cell,
        FixedCell(*BRANCH_LABEL, branch_label(catalog), "表头"),
        date_label,
    ]
    cells += [FixedCell(ROW_COLUMNS, c, h, "列标题") for c, h in enumerate(COLUMNS[kind])]
    return cells


def _header_inputs(kind: FormKind) -> list[InputCell]:
    return [
        InputCell(Field.BRANCH, *BRANCH_CELL),
        InputCell(Field.DATE, ROW_HEADER_LINE, DATE_SPAN[kind][0]),
    ]


def _scoring(catalog: Catalog, kind: FormKind) -> FormLayout:
    fixed = _header_fixed(catalog, kind)
    inputs = _header_inputs(kind)
    rows: dict[str, int] = {}
    spans = []
    row = FIRST_ROW
    for s in catalog.sections:
        first = row
        fixed.append(FixedCell(row, C_NUMERAL, s.numeral, f"第{s.numeral}部分序号"))
        fixed.append(FixedCell(row, C_SECTION, s.label, f"第{s.numeral}部分名称"))
        for it in s.items:
            rows[it.id] = row
            fixed.append(FixedCell(row, C_TEXT, it.text, f"{it.id} 督查内容"))
            fixed.append(FixedCell(row, C_POINTS, it.points, f"{it.id} 分值"))
            if kind is FormKind.INSPECTION:
                inputs.append(InputCell(Field.INSP_SCORE, row, C_INSP_SCORE, it.id))
                inputs.append(InputCell(Field.INSP_OPINION, row, C_INSP_OPINION, it.id))
            else:
                inputs.append(InputCell(Field.SCORE, row, C_SCORE, it.id))
                inputs.append(InputCell(Field.NOTE, row, C_NOTE, it.id))
            row += 1
        spans.append((s.id, first, row - 1))
    fixed.append(FixedCell(row, 0, "合计", "合计行"))
    fixed.append(FixedCell(row, C_POINTS, catalog.total_points, "总分值"))
    if kind is FormKind.INSPECTION:
        inputs += [InputCell(f, row + 1, span[0]) for f, _label_col, span in SIGN_FIELDS]
    return FormLayout(kind, SHEET_BY_KIND[kind], tuple(inputs), tuple(fixed), rows, tuple(spans), row)


def _tasks(catalog: Catalog) -> FormLayout:
    kind = FormKind.TASKS
    fixed = _header_fixed(catalog, kind)
    inputs = _header_inputs(kind)
    rows: dict[str, int] = {}
    spans = []
    row = FIRST_ROW
    for g in catalog.form2.groups:
        first = row
        fixed.append(FixedCell(row, C_GROUP, g.title, f"第{g.numeral}类标题"))
        for t in g.tasks:
            rows[t.id] = row
            fixed.append(FixedCell(row, C_TASK, t.text, f"{t.id} 任务内容"))
            inputs.append(InputCell(Field.STATUS, row, C_STATUS, t.id))
            inputs.append(InputCell(Field.DONE, row, C_DONE, t.id))
            inputs.append(InputCell(Field.ISSUES, row, C_ISSUES, t.id))
            row += 1
        spans.append((g.id, first, row - 1))
    fixed.append(FixedCell(row, 0, "完成情况统计", "统计行"))
    return FormLayout(kind, SHEET_BY_KIND[kind], tuple(inputs), tuple(fixed), rows, tuple(spans), row)


@lru_cache(maxsize=16)
def form_layout(catalog: Catalog, kind: FormKind) -> FormLayout:
    if kind is FormKind.TASKS:
        return _tasks(catalog)
    return _scoring(catalog, kind)


# ---------------------------------------------------------------- metadata sheet

META_KEYS = (
    ("form_kind", "表格类型"),
    ("catalog_version", "目录版本"),
    ("catalog_digest", "目录摘要"),
    ("campaign", "督查名称"),
    ("school", "学校"),
    ("year", "年度"),
    ("branch_id", "党总支编号"),
    ("branch_name", "党总支名称"),
    ("generator", "生成程序"),
    ("generator_version", "程序版本"),
    ("revision", "更正版次"),  # 0 when sent out; n on the n-th corrected copy (wins ties when resolving)
)
META_FIRST_INPUT_ROW = len(META_KEYS) + 2  # a blank row, then a header row, then field → cell rows
META_INPUT_HEADER_ROW = META_FIRST_INPUT_ROW - 1  # header of the input-cell table: 名称、字段、编号、单元格
# The rows of the metadata sheet that collecting reads: the keys (the input-cell table after them is for
# people and other tools; the collector locates input cells by the layout).
META_HEAD_ROWS = META_INPUT_HEADER_ROW
META_VALUE_COL = 2  # META_KEYS rows are (key, Chinese label, value) in columns A, B, C
# Workbook defined names pointing at META_KEYS value cells (besides one name per input cell, InputCell.name).
META_NAMES = {"form_kind": "DJ_FORM_KIND", "catalog_digest": "DJ_DIGEST", "branch_name": "DJ_BRANCH_NAME"}


# ---------------------------------------------------------------- the layout's part of the forms' version

# Bump when a cell changes meaning without moving (what a position means is not visible in `fingerprint`).
LAYOUT_VERSION = 1


def fingerprint(catalog: Catalog) -> dict[str, object]:
    """Where every cell of every form is, for the forms' digest: a form made with another layout (an input
    cell moved, a locked cell moved, the metadata keys reordered) carries another digest, so the collector
    rejects it as 表格版本不符 instead of reading its cells from the wrong places."""
    forms = {}
    for kind in FormKind:
        lay = form_layout(catalog, kind)
        forms[kind.value] = {
            "sheet": lay.sheet,
            "inputs": [
                [c.field.value, c.ref_id, c.row, c.col] for c in lay.inputs if c.field not in UNFINGERPRINTED
            ],
            "fixed": [[c.row, c.col] for c in lay.fixed],
            "total_row": lay.total_row,
        }
    meta = {"sheet": META_SHEET, "keys": [k for k, _ in META_KEYS], "value_col": META_VALUE_COL}
    return {"version": LAYOUT_VERSION, "forms": forms, "meta": meta, "guide": GUIDE_SHEET}
