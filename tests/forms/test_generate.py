"""The generator: locked, validated, self-identifying workbooks, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import gc
import io
import math
import re
import sys
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from notice_source import corrected, errata_by_id, parse_form1, parse_form2
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from xlsxwriter.worksheet import Worksheet as XlsxWorksheet

import dangjian_xlsx.forms
from dangjian_xlsx import GENERATOR, __version__, layout
from dangjian_xlsx.catalog import catalog_digest, default_roster, load_campaign
from dangjian_xlsx.cli import cli
from dangjian_xlsx.errors import ConfigError
from dangjian_xlsx.forms import (
    build_form,
    form_filename,
    generate_blank,
    generate_for_roster,
    write_init_files,
)
from dangjian_xlsx.forms.protect import legacy_password_hash, lock_structure
from dangjian_xlsx.forms.style import PROBLEM_FILL, TODO_FILL
from dangjian_xlsx.layout import Field, FormLayout, a1
from dangjian_xlsx.models import Branch, Campaign, FormKind

REPO = Path(__file__).resolve().parents[2]
KINDS = (FormKind.SCORING, FormKind.TASKS)


def build(campaign: Campaign, kind: FormKind, branch: Branch | None = None, **kw: object) -> bytes:
    """build_form with every XlsxWriter warning (a silently dropped validation, merge …) turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return build_form(campaign, kind, branch, **kw)  # type: ignore[arg-type]


def load(data: bytes, data_only: bool = False) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


@pytest.fixture(scope="module")
def branch(campaign: Campaign) -> Branch:
    return campaign.roster[2]


@pytest.fixture(scope="module")
def forms(campaign: Campaign, branch: Branch) -> dict[tuple[FormKind, bool], bytes]:
    """(kind, personalized) → bytes."""
    return {(k, p): build(campaign, k, branch if p else None) for k in KINDS for p in (True, False)}


# ---------------------------------------------------------------- helpers


def cells_of(ref: str) -> Iterator[str]:
    """Every A1 cell of a range list like 'E5:E8 E10'."""
    for part in str(ref).split():
        if ":" not in part:
            yield part.replace("$", "")
            continue
        first, last = part.replace("$", "").split(":")
        c1, r1 = openpyxl.utils.cell.coordinate_from_string(first)
        c2, r2 = openpyxl.utils.cell.coordinate_from_string(last)
        i1, i2 = openpyxl.utils.column_index_from_string(c1), openpyxl.utils.column_index_from_string(c2)
        for r in range(r1, r2 + 1):
            for c in range(i1, i2 + 1):
                yield f"{openpyxl.utils.get_column_letter(c)}{r}"


def validation_of(ws: Worksheet, coord: str) -> object:
    found = [dv for dv in ws.data_validations.dataValidation if coord in set(cells_of(str(dv.sqref)))]
    assert len(found) == 1, (coord, found)
    return found[0]


def merged_span(ws: Worksheet) -> dict[str, str]:
    """Every cell of a merged range → the range's top-left cell."""
    out = {}
    for rng in ws.merged_cells.ranges:
        top = a1(rng.min_row - 1, rng.min_col - 1)
        for coord in cells_of(str(rng)):
            out[coord] = top
    return out


def expected_unlocked(lay: FormLayout, ws: Worksheet, personalized: bool) -> set[str]:
    """The input cells, with every cell of their merged ranges."""
    tops = {c.a1 for c in lay.inputs if not (personalized and c.field is Field.BRANCH)}
    return {coord for coord, top in merged_span(ws).items() if top in tops} | tops


def sum_range(formula: str) -> set[str]:
    m = re.fullmatch(r"=SUM\(([A-Z]+\d+:[A-Z]+\d+)\)", formula)
    assert m, formula
    return set(cells_of(m.group(1)))


def meta_values(wb: Workbook) -> dict[str, str]:
    ws = wb[layout.META_SHEET]
    return {
        ws.cell(r + 1, 1).value: ws.cell(r + 1, layout.META_VALUE_COL + 1).value or ""
        for r in range(len(layout.META_KEYS))
    }


# ---------------------------------------------------------------- both forms


@pytest.mark.parametrize("personalized", [True, False], ids=["personalized", "blank"])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_locked_except_inputs(
    forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign, kind: FormKind, personalized: bool
) -> None:
    wb = load(forms[(kind, personalized)])
    lay = layout.form_layout(campaign.catalog, kind)
    ws = wb[lay.sheet]
    unlocked = expected_unlocked(lay, ws, personalized)
    assert ws.max_row == lay.total_row + 1 and ws.max_column == lay.last_col + 1
    seen_unlocked = set()
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column):
        for cell in row:
            if not cell.protection.locked:
                seen_unlocked.add(cell.coordinate)
    assert seen_unlocked == unlocked
    for coord, top in merged_span(ws).items():  # a merged range is one cell: all locked or all unlocked
        assert ws[coord].protection.locked == ws[top].protection.locked, coord
    n_inputs = {FormKind.SCORING: 2 * 44, FormKind.TASKS: 3 * 20}[kind] + 1 + (0 if personalized else 1)
    assert len({c.a1 for c in lay.inputs} & unlocked) == n_inputs
    # every sheet protected with the campaign's password; structure protected too
    pw = legacy_password_hash(campaign.password)
    assert wb.sheetnames == [lay.sheet, layout.GUIDE_SHEET, layout.META_SHEET]
    for sheet in wb.worksheets:
        assert sheet.protection.sheet is True, sheet.title
        assert sheet.protection.password == pw, sheet.title
        # openpyxl's flags say what is forbidden: selecting and row heights are allowed, the rest is not
        prot = sheet.protection
        assert not prot.selectLockedCells and not prot.selectUnlockedCells and not prot.formatRows
        assert prot.formatCells and prot.formatColumns and prot.insertRows and prot.deleteRows
    assert wb.security.lockStructure is True
    assert wb.security.workbookPassword == pw
    assert wb.active.title == lay.sheet
    assert wb[layout.GUIDE_SHEET].sheet_state == "visible"


@pytest.mark.parametrize("personalized", [True, False], ids=["personalized", "blank"])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_identity(
    forms: dict[tuple[FormKind, bool], bytes],
    campaign: Campaign,
    branch: Branch,
    kind: FormKind,
    personalized: bool,
) -> None:
    wb = load(forms[(kind, personalized)])
    lay = layout.form_layout(campaign.catalog, kind)
    meta_ws = wb[layout.META_SHEET]
    assert meta_ws.sheet_state == "veryHidden"
    meta = meta_values(wb)
    assert meta == {
        "form_kind": kind.value,
        "catalog_version": campaign.catalog.version,
        "catalog_digest": catalog_digest(campaign.catalog),
        "campaign": campaign.title,
        "school": campaign.school,
        "year": str(campaign.year),
        "branch_id": branch.id if personalized else "",
        "branch_name": branch.name if personalized else "",
        "generator": GENERATOR,
        "generator_version": __version__,
        "revision": "0",
    }
    # the meta names point at the value cells
    for key, name in layout.META_NAMES.items():
        ((sheet, ref),) = list(wb.defined_names[name].destinations)
        assert sheet == layout.META_SHEET
        assert (meta_ws[ref.replace("$", "")].value or "") == meta[key]
    # one defined name per input cell, at the layout's position; the meta table lists them too
    assert meta_ws.cell(layout.META_INPUT_HEADER_ROW + 1, 1).value == "名称"
    for n, cell in enumerate(lay.inputs):
        ((sheet, ref),) = list(wb.defined_names[cell.name].destinations)
        assert (sheet, ref) == (lay.sheet, f"${layout.col_letter(cell.col)}${cell.row + 1}")
        r = layout.META_FIRST_INPUT_ROW + n + 1
        row = [meta_ws.cell(r, c).value or "" for c in range(1, 5)]
        assert row == [cell.name, cell.field.value, cell.ref_id, f"{lay.sheet}!{cell.a1}"]
    assert len(wb.defined_names) == len(lay.inputs) + len(layout.META_NAMES)
    # the header line
    ws = wb[lay.sheet]
    branch_cell = ws[lay.input(Field.BRANCH).a1]
    assert branch_cell.value == (branch.name if personalized else None)
    assert branch_cell.protection.locked is personalized
    assert ws.cell(layout.ROW_TITLE + 1, 1).value == layout.title(campaign.catalog, kind)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_fixed_cells_match_layout(
    forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign, kind: FormKind
) -> None:
    """What the collector's tamper check compares: every locked catalog cell says what the layout says."""
    wb = load(forms[(kind, True)])
    lay = layout.form_layout(campaign.catalog, kind)
    ws = wb[lay.sheet]
    for f in lay.fixed:
        value = ws.cell(f.row + 1, f.col + 1).value
        if isinstance(value, str) and value.startswith("=SUM("):  # the 100-point total is a live formula
            cached = load(forms[(kind, True)], data_only=True)[lay.sheet].cell(f.row + 1, f.col + 1).value
            assert cached == f.value, f
        else:
            assert value == f.value, f


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_date_cell(forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign, kind: FormKind) -> None:
    ws = load(forms[(kind, True)])[layout.SHEET_BY_KIND[kind]]
    lay = layout.form_layout(campaign.catalog, kind)
    cell = ws[lay.input(Field.DATE).a1]
    assert cell.protection.locked is False
    assert cell.number_format == "yyyy-mm-dd"
    dv = validation_of(ws, cell.coordinate)
    assert dv.type == "date" and dv.operator in (None, "between")
    lo, hi = (dt.date(1899, 12, 30) + dt.timedelta(days=int(v)) for v in (dv.formula1, dv.formula2))
    assert lo <= campaign.self_check_start and hi >= campaign.self_check_end
    assert "2018年9月26日至2018年9月30日" in dv.prompt
    assert dv.errorStyle in (None, "stop") and dv.showErrorMessage and dv.error


def highlight_rules(ws: Worksheet) -> dict[str, str]:
    """Every highlighted cell → its condition, written for that cell (the rule's formula moved from the
    range's top-left cell to it); every rule paints the fill-me colour."""
    out: dict[str, str] = {}
    for cf in ws.conditional_formatting:
        top = next(iter(cells_of(str(cf.sqref))))
        for rule in cf.rules:
            assert rule.dxf.fill.bgColor.rgb.endswith(TODO_FILL.lstrip("#"))
            assert rule.type in ("containsBlanks", "expression") and len(rule.formula) == 1
            row = int(re.sub(r"[A-Z]+", "", top))
            for cell in cells_of(str(cf.sqref)):
                shift = int(re.sub(r"[A-Z]+", "", cell)) - row  # the rules are on one column: rows move
                moved = re.sub(r"([A-Z]+)(\d+)", lambda m, d=shift: f"{m[1]}{int(m[2]) + d}", rule.formula[0])
                assert cell not in out
                out[cell] = moved
    return out


def required_rules(lay: FormLayout, campaign: Campaign, personalized: bool) -> dict[str, str]:
    """What must be filled, by validate's rules: each input cell → the condition that paints it yellow."""
    catalog = campaign.catalog
    out: dict[str, str] = {}
    for c in lay.inputs:
        if c.field in layout.UNFINGERPRINTED or (personalized and c.field is Field.BRANCH):
            continue  # 督查组、督查人 are optional; a personalized form's name is locked
        blank = f"LEN(TRIM({c.a1}))=0"
        r = c.row
        score, points, status = (
            a1(r, layout.C_SCORE),
            a1(r, layout.C_POINTS),
            f"TRIM({a1(r, layout.C_STATUS)})",
        )
        if c.field is Field.NOTE:
            out[c.a1] = f"AND({blank},ISNUMBER({score}),{score}<{points})"
        elif c.field is Field.INSP_OPINION:
            insp = a1(r, layout.C_INSP_SCORE)
            out[c.a1] = (
                f"AND({blank},ISNUMBER({insp}),OR({insp}<{points},AND(ISNUMBER({score}),{insp}<>{score})))"
            )
        elif c.field is Field.DONE:
            out[c.a1] = f'AND({blank},{status}<>"{catalog.na_status}")'
        elif c.field is Field.ISSUES:
            cases = ",".join(f'{status}="{s}"' for s in catalog.open_statuses)
            out[c.a1] = f"AND({blank},OR({cases}))"
        else:  # score, status, date, the blank form's name (over its merged cells)
            col = layout.BRANCH_SPAN if c.field is Field.BRANCH else layout.DATE_SPAN
            span = col[lay.kind] if c.field in (Field.BRANCH, Field.DATE) else (c.col, c.col)
            for cc in range(span[0], span[1] + 1):
                out[a1(r, cc)] = f"LEN(TRIM({a1(r, cc)}))=0"
    return out


@pytest.mark.parametrize("personalized", [True, False], ids=["personalized", "blank"])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_yellow_only_where_required(
    forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign, kind: FormKind, personalized: bool
) -> None:
    """Yellow means "must be filled": scores, statuses, the date (and a blank form's name) while blank; an
    explanation only while blank and required by what is typed beside it — the conditions validate checks."""
    wb = load(forms[(kind, personalized)])
    lay = layout.form_layout(campaign.catalog, kind)
    ws = wb[lay.sheet]
    rules = highlight_rules(ws)
    assert rules == required_rules(lay, campaign, personalized)
    assert set(rules) <= expected_unlocked(lay, ws, personalized)


def test_inspection_highlight(campaign: Campaign, branch: Branch) -> None:
    """督查评分表: 督查得分 and 督查日期 while blank; 督查意见 while blank and the score is below the points or
    not the self-score; 督查组、督查人 never."""
    data = build(campaign, FormKind.INSPECTION, branch, prefill={(Field.SCORE, "S01.1"): 2})
    lay = layout.form_layout(campaign.catalog, FormKind.INSPECTION)
    ws = load(data)[lay.sheet]
    assert highlight_rules(ws) == required_rules(lay, campaign, True)
    opinion = highlight_rules(ws)[lay.input(Field.INSP_OPINION, "S01.1").a1]
    assert opinion.startswith(f"AND(LEN(TRIM({lay.input(Field.INSP_OPINION, 'S01.1').a1}))=0,")


def test_the_guide_says_what_yellow_means(campaign: Campaign, branch: Branch) -> None:
    for kind, words in [
        (FormKind.SCORING, ["自评得分、填报日期", "得分低于该项分值的扣分说明", "满分项的扣分说明可选填"]),
        (
            FormKind.TASKS,
            ["完成状态、填报日期", "完成状态不是“不适用”的完成情况", "“持续推进”“未完成”的存在问题"],
        ),
        (FormKind.INSPECTION, ["督查得分、督查日期", "与自评得分不一致的督查意见", "督查组、督查人选填"]),
    ]:
        guide = load(build(campaign, kind, branch))[layout.GUIDE_SHEET]
        text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
        line = next(t for t in text.splitlines() if t.startswith("黄色表示必须填写的单元格："))
        assert "填好后黄色消失" in line and all(w in line for w in words), line
        assert "自动消失" not in text and "只需填写黄色" not in text


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_print_setup(forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign, kind: FormKind) -> None:
    wb = load(forms[(kind, False)])
    lay = layout.form_layout(campaign.catalog, kind)
    for ws in (wb[lay.sheet], wb[layout.GUIDE_SHEET]):
        assert ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert ws.print_options.horizontalCentered
    ws = wb[lay.sheet]
    assert ws.print_title_rows == f"${layout.ROW_COLUMNS + 1}:${layout.ROW_COLUMNS + 1}"
    last = f"${layout.col_letter(lay.last_col)}${lay.total_row + 1}"
    assert ws.print_area == f"'{lay.sheet}'!$A$1:{last}"
    assert ws.freeze_panes == f"A{layout.FIRST_ROW + 1}"
    title = ws.cell(layout.ROW_TITLE + 1, 1)
    assert title.font.b and title.font.sz > 11
    assert f"A{layout.ROW_TITLE + 1}:{layout.col_letter(lay.last_col)}{layout.ROW_TITLE + 1}" in {
        str(r) for r in ws.merged_cells.ranges
    }


def _lines_needed(text: str, width: float) -> int:
    """An independent estimate: 11 pt characters (ASCII half width) in a column of Excel width."""
    per_line = max(1, int((width * 7 + 5 - 6) // (11 * 96 / 72)))
    units = sum(0.5 if ch.isascii() else 1.0 for ch in text)
    return math.ceil(units / per_line)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_row_heights_show_the_text(
    forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign, kind: FormKind
) -> None:
    ws = load(forms[(kind, True)])[layout.SHEET_BY_KIND[kind]]
    lay = layout.form_layout(campaign.catalog, kind)
    widths = layout.WIDTHS[kind]
    text_col = layout.C_TEXT if kind is FormKind.SCORING else layout.C_TASK
    for ref_id, row in lay.item_rows.items():
        text = ws.cell(row + 1, text_col + 1).value
        height = ws.row_dimensions[row + 1].height or 15
        assert height >= _lines_needed(text, widths[text_col]) * 14.25, ref_id
    # merged section / group cells: the section's first row alone shows the whole label (at its top), so a
    # page break inside the section leaves it whole (tests/forms/test_forms_pages.py prints them)
    label_col = layout.C_SECTION if kind is FormKind.SCORING else layout.C_GROUP
    for _sid, first, _last in lay.section_spans:
        label = ws.cell(first + 1, label_col + 1).value
        height = ws.row_dimensions[first + 1].height or 15
        assert height >= _lines_needed(label, widths[label_col]) * 14.25, label


# ---------------------------------------------------------------- 附件1


def test_scoring_scores_and_totals(forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign) -> None:
    wb = load(forms[(FormKind.SCORING, True)])
    lay = layout.form_layout(campaign.catalog, FormKind.SCORING)
    ws = wb[lay.sheet]
    score_cells = []
    for item in campaign.catalog.items:
        cell = ws[lay.input(Field.SCORE, item.id).a1]
        score_cells.append(cell.coordinate)
        assert cell.protection.locked is False
        dv = validation_of(ws, cell.coordinate)
        assert dv.type == "decimal" and dv.operator in (None, "between")
        assert (float(dv.formula1), float(dv.formula2)) == (0, item.points), item.id
        assert dv.errorStyle in (None, "stop") and dv.showErrorMessage and dv.showInputMessage
        assert f"{item.points}分" in dv.prompt and f"{item.points}分" in dv.error
        note = ws[lay.input(Field.NOTE, item.id).a1]
        assert note.protection.locked is False and note.alignment.wrap_text
        points = ws.cell(lay.item_rows[item.id] + 1, layout.C_POINTS + 1)
        assert points.value == item.points and points.number_format == '0"分"'
    assert len(score_cells) == 44
    # 分值 column sums to 100; the 合计 row sums all 44 score cells
    total = lay.total_row + 1
    points_col = layout.col_letter(layout.C_POINTS)
    assert sum(ws[f"{points_col}{lay.item_rows[i.id] + 1}"].value for i in campaign.catalog.items) == 100
    assert sum_range(ws.cell(total, layout.C_POINTS + 1).value) == {
        f"{points_col}{r + 1}" for r in lay.item_rows.values()
    }
    assert sum_range(ws.cell(total, layout.C_SCORE + 1).value) == set(score_cells)
    assert ws.cell(total, 1).value == "合计"
    assert f"A{total}:C{total}" in {str(r) for r in ws.merged_cells.ranges}
    # live sub-totals, one merged cell per section
    merged = {str(r) for r in ws.merged_cells.ranges}
    sub = layout.col_letter(layout.C_SUBTOTAL)
    for sid, first, last in lay.section_spans:
        formula = ws.cell(first + 1, layout.C_SUBTOTAL + 1).value
        ids = [i.id for i in campaign.catalog.sections[int(sid[1:]) - 1].items]
        assert sum_range(formula) == {lay.input(Field.SCORE, i).a1 for i in ids}
        assert f"{sub}{first + 1}:{sub}{last + 1}" in merged
        for col in (layout.C_NUMERAL, layout.C_SECTION):
            c = layout.col_letter(col)
            assert f"{c}{first + 1}:{c}{last + 1}" in merged


def test_scoring_texts_equal_the_notice(
    forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign
) -> None:
    ws = load(forms[(FormKind.SCORING, False)])[layout.SHEET_BY_KIND[FormKind.SCORING]]
    lay = layout.form_layout(campaign.catalog, FormKind.SCORING)
    fixes = errata_by_id(campaign.catalog)
    notice = parse_form1()
    assert len(notice) == len(lay.item_rows) == 44
    for (item_id, row), src in zip(lay.item_rows.items(), notice, strict=True):
        assert ws.cell(row + 1, layout.C_TEXT + 1).value == corrected(src.text, fixes.get(item_id, []))
        assert ws.cell(row + 1, layout.C_POINTS + 1).value == src.points
    firsts = {first: sid for sid, first, _ in lay.section_spans}
    sections = [ws.cell(r + 1, layout.C_SECTION + 1).value for r in sorted(firsts)]
    numerals = [ws.cell(r + 1, layout.C_NUMERAL + 1).value for r in sorted(firsts)]
    expected = list(
        dict.fromkeys((n.section_numeral, f"{n.section_name}（{n.section_max}分）") for n in notice)
    )
    assert list(zip(numerals, sections, strict=True)) == expected


# ---------------------------------------------------------------- 附件2


def test_tasks_statuses_and_statistics(forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign) -> None:
    wb = load(forms[(FormKind.TASKS, True)])
    lay = layout.form_layout(campaign.catalog, FormKind.TASKS)
    ws = wb[lay.sheet]
    status_cells = []
    for task in campaign.catalog.tasks:
        cell = ws[lay.input(Field.STATUS, task.id).a1]
        status_cells.append(cell.coordinate)
        assert cell.protection.locked is False
        dv = validation_of(ws, cell.coordinate)
        assert dv.type == "list"
        assert dv.formula1 == '"' + ",".join(campaign.catalog.statuses) + '"'
        assert dv.errorStyle in (None, "stop") and dv.showErrorMessage and dv.showDropDown in (None, False)
        for fld in (Field.DONE, Field.ISSUES):
            c = ws[lay.input(fld, task.id).a1]
            assert c.protection.locked is False and c.alignment.wrap_text
    assert len(status_cells) == 20
    row = lay.total_row + 1
    assert ws.cell(row, 1).value == "完成情况统计"
    statuses = campaign.catalog.statuses  # the built-in four
    assert statuses == ("已完成", "持续推进", "未完成", "不适用")
    formulas = [ws.cell(row, c).value for c in range(2, 2 + len(statuses))]
    col = layout.col_letter(layout.C_STATUS)
    rng = f"${col}${layout.FIRST_ROW + 1}:${col}${lay.total_row}"
    assert set(cells_of(rng)) == set(status_cells)
    for status, formula in zip(statuses, formulas, strict=True):
        assert formula == f'="{status} "&COUNTIF({rng},"{status}")&" 项"'


def test_tasks_texts_equal_the_notice(forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign) -> None:
    ws = load(forms[(FormKind.TASKS, False)])[layout.SHEET_BY_KIND[FormKind.TASKS]]
    lay = layout.form_layout(campaign.catalog, FormKind.TASKS)
    fixes = errata_by_id(campaign.catalog)
    notice = parse_form2()
    assert len(notice) == len(lay.item_rows) == 20
    merged = {str(r) for r in ws.merged_cells.ranges}
    for (task_id, row), src in zip(lay.item_rows.items(), notice, strict=True):
        assert ws.cell(row + 1, layout.C_TASK + 1).value == corrected(src.text, fixes.get(task_id, []))
    groups = [
        (ws.cell(first + 1, 1).value, f"A{first + 1}:A{last + 1}") for _, first, last in lay.section_spans
    ]
    assert [g for g, _ in groups] == list(dict.fromkeys(n.group for n in notice))
    assert all(rng in merged for _, rng in groups)


# ---------------------------------------------------------------- prefill and comments


def test_prefill_and_comments(campaign: Campaign, branch: Branch) -> None:
    items = campaign.catalog.items
    prefill: dict[tuple[Field, str], object] = {(Field.SCORE, i.id): i.points for i in items}
    prefill[(Field.SCORE, "S01.2")] = 1.5
    prefill[(Field.NOTE, "S01.2")] = "=支委会会议只研究了 8 次党建工作"  # text, never a formula
    prefill[(Field.DATE, "")] = dt.date(2018, 9, 28)
    del prefill[(Field.SCORE, "S02.1")]
    comments = {(Field.SCORE, "S02.1"): "未填写自评得分", (Field.NOTE, "S01.3"): "请补充佐证材料"}
    data = build(campaign, FormKind.SCORING, branch, prefill=prefill, comments=comments)
    lay = layout.form_layout(campaign.catalog, FormKind.SCORING)
    ws = load(data)[lay.sheet]
    assert ws[lay.input(Field.SCORE, "S01.1").a1].value == 2
    assert ws[lay.input(Field.SCORE, "S01.2").a1].value == 1.5
    note = ws[lay.input(Field.NOTE, "S01.2").a1]
    assert note.value == "=支委会会议只研究了 8 次党建工作" and note.data_type == "s"
    assert ws[lay.input(Field.DATE).a1].value == dt.datetime(2018, 9, 28)
    assert ws[lay.input(Field.SCORE, "S02.1").a1].value is None
    for (fld, ref_id), text in comments.items():
        cell = ws[lay.input(fld, ref_id).a1]
        assert cell.comment is not None and text in cell.comment.text
        assert cell.fill.fgColor.rgb.endswith(PROBLEM_FILL.lstrip("#"))
        assert cell.protection.locked is False
    plain = ws[lay.input(Field.NOTE, "S01.4").a1]
    assert plain.comment is None and not plain.fill.fgColor.rgb.endswith(PROBLEM_FILL.lstrip("#"))
    # the problem cells keep their own fill: the "still empty" highlight leaves them out
    covered = {c for cf in ws.conditional_formatting for c in cells_of(str(cf.sqref))}
    assert lay.input(Field.SCORE, "S02.1").a1 not in covered
    assert lay.input(Field.SCORE, "S02.2").a1 in covered
    # cached formula results agree with the prefilled values (what a reader sees before recalculation)
    cached = load(data, data_only=True)[lay.sheet]
    expected = sum(v for (f, _), v in prefill.items() if f is Field.SCORE)
    assert cached.cell(lay.total_row + 1, layout.C_SCORE + 1).value == expected
    first = lay.section_spans[0][1]
    assert cached.cell(first + 1, layout.C_SUBTOTAL + 1).value == 11.5


def test_prefill_tasks(campaign: Campaign) -> None:
    prefill = {(Field.STATUS, t.id): "已完成" for t in campaign.catalog.tasks}
    prefill[(Field.STATUS, "T03")] = "未完成"
    prefill[(Field.BRANCH, "")] = "文学院党总支"
    data = build(
        campaign, FormKind.TASKS, None, prefill=prefill, comments={(Field.ISSUES, "T03"): "请填写整改措施"}
    )
    lay = layout.form_layout(campaign.catalog, FormKind.TASKS)
    ws = load(data)[lay.sheet]
    assert ws[lay.input(Field.BRANCH).a1].value == "文学院党总支"
    assert ws[lay.input(Field.STATUS, "T03").a1].value == "未完成"
    assert "请填写整改措施" in ws[lay.input(Field.ISSUES, "T03").a1].comment.text
    cached = load(data, data_only=True)[lay.sheet]
    stats = [cached.cell(lay.total_row + 1, c).value for c in range(2, 6)]
    assert stats == ["已完成 19 项", "持续推进 0 项", "未完成 1 项", "不适用 0 项"]


def test_prefill_rejects_unknown_cells(campaign: Campaign) -> None:
    with pytest.raises(ValueError, match="no input cell"):
        build_form(campaign, FormKind.SCORING, prefill={(Field.STATUS, "T01"): "已完成"})
    with pytest.raises(ValueError, match="no input cell"):
        build_form(campaign, FormKind.TASKS, comments={(Field.SCORE, "S01.1"): "x"})


def test_inspection_form_builds(campaign: Campaign, branch: Branch) -> None:
    """Not sent to the branches yet, but the writer is generic: the layout's inputs are the open cells."""
    pre = {(Field.SCORE, "S01.1"): 2, (Field.INSP_SCORE, "S01.1"): 1}
    data = build(campaign, FormKind.INSPECTION, branch, prefill=pre)
    lay = layout.form_layout(campaign.catalog, FormKind.INSPECTION)
    wb = load(data)
    ws = wb[lay.sheet]
    assert ws[lay.input(Field.INSP_SCORE, "S01.1").a1].protection.locked is False
    assert ws.cell(lay.item_rows["S01.1"] + 1, layout.C_SCORE + 1).protection.locked is True
    assert meta_values(wb)["form_kind"] == "inspection"
    assert wb.security.lockStructure


# ---------------------------------------------------------------- bytes and files


def test_one_workbook_computes_the_catalog_digest_once(
    campaign: Campaign, branch: Branch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest stamped in the document properties and in _meta is computed once and passed along."""
    calls: list[object] = []

    def counting(cat: object) -> str:
        calls.append(cat)
        return catalog_digest(cat)  # type: ignore[arg-type]

    for name, module in list(sys.modules.items()):
        if name.startswith(("dangjian_xlsx.forms", "dangjian_xlsx.catalog")) and hasattr(
            module, "catalog_digest"
        ):
            monkeypatch.setattr(module, "catalog_digest", counting)
    data = build(campaign, FormKind.SCORING, branch)
    assert calls == [campaign.catalog]
    wb = load(data)
    digest = catalog_digest(campaign.catalog)
    assert meta_values(wb)["catalog_digest"] == digest
    assert wb.properties.keywords == f"{GENERATOR};{FormKind.SCORING.value};{digest}"


def test_deterministic(campaign: Campaign, branch: Branch, forms: dict[tuple[FormKind, bool], bytes]) -> None:
    for kind in KINDS:
        assert build(campaign, kind, branch) == forms[(kind, True)]
        assert build(campaign, kind) == forms[(kind, False)]
    assert forms[(FormKind.SCORING, True)] != build(campaign, FormKind.SCORING, campaign.roster[3])


def test_workbook_xml_and_zip(forms: dict[tuple[FormKind, bool], bytes], campaign: Campaign) -> None:
    with zipfile.ZipFile(io.BytesIO(forms[(FormKind.SCORING, True)])) as z:
        assert z.testzip() is None
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"
        xml = z.read("xl/workbook.xml").decode()
        core = z.read("docProps/core.xml").decode()
    tags = re.findall(r"<(fileVersion|workbookPr|workbookProtection|bookViews|sheets)\b", xml)
    assert tags == ["fileVersion", "workbookPr", "workbookProtection", "bookViews", "sheets"]
    pw = legacy_password_hash(campaign.password)
    assert f'<workbookProtection workbookPassword="{pw}" lockStructure="1"/>' in xml
    assert "2018-09-26T08:00:00Z" in core


def test_lock_structure_changes_only_the_workbook_part(
    forms: dict[tuple[FormKind, bool], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every other member is copied compressed as it is (never inflated), with its CRC; only
    xl/workbook.xml is read, changed and deflated again."""
    data = forms[(FormKind.TASKS, False)]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        unlocked = {i.filename: z.read(i) for i in z.infolist()}
    unlocked["xl/workbook.xml"] = re.sub(rb"<workbookProtection[^>]*/>", b"", unlocked["xl/workbook.xml"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in unlocked.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    read: list[str] = []
    real = zipfile.ZipFile.read

    def spy(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, pwd: bytes | None = None) -> bytes:
        read.append(name if isinstance(name, str) else name.filename)
        return real(self, name, pwd)

    monkeypatch.setattr(zipfile.ZipFile, "read", spy)
    locked = lock_structure(buf.getvalue(), "")
    monkeypatch.undo()
    assert read == ["xl/workbook.xml"]
    with zipfile.ZipFile(io.BytesIO(locked)) as z, zipfile.ZipFile(buf) as before:
        assert z.testzip() is None
        assert [i.filename for i in z.infolist()] == list(unlocked)
        for a, b in zip(z.infolist(), before.infolist(), strict=True):
            if a.filename != "xl/workbook.xml":
                assert (a.CRC, a.compress_size, a.date_time) == (b.CRC, b.compress_size, b.date_time)
        assert b'<workbookProtection lockStructure="1"/><bookViews>' in z.read("xl/workbook.xml")


def test_lock_structure_refuses_twice(forms: dict[tuple[FormKind, bool], bytes]) -> None:
    with pytest.raises(ValueError):
        lock_structure(forms[(FormKind.TASKS, False)], "x")


@pytest.mark.parametrize("password", ["password", "zzsy-zzb", "组织部2018", "a"])
def test_password_hash_matches_xlsxwriter(password: str) -> None:
    assert legacy_password_hash(password) == XlsxWorksheet()._encode_password(password)


def test_password_hash_known_value() -> None:
    assert legacy_password_hash("password") == "83AF"  # the well-known legacy hash of "password"


def test_committed_blank_forms_are_current(campaign: Campaign) -> None:
    for kind in KINDS:
        committed = REPO / "blank_forms" / form_filename(kind)
        assert committed.is_file(), f"missing {committed}: run `make forms`"
        assert committed.read_bytes() == build_form(campaign, kind), (
            f"{committed.name} is stale: run `make forms`"
        )


def test_generate_blank_and_roster(tmp_path: Path, campaign: Campaign) -> None:
    blank = generate_blank(campaign, tmp_path / "blank")
    assert [p.name for p in blank] == ["附件1_评分表.xlsx", "附件2_重点任务清单.xlsx"]
    assert blank[0].read_bytes() == build_form(campaign, FormKind.SCORING)
    small = campaign.model_copy(update={"roster": campaign.roster[:2]})
    calls: list[tuple[int, int]] = []
    paths = generate_for_roster(small, tmp_path / "out", progress=lambda d, t: calls.append((d, t)))
    b0, b1 = small.roster
    assert [p.name for p in paths] == [
        f"01_{b0.name}_附件1_评分表.xlsx",
        f"01_{b0.name}_附件2_重点任务清单.xlsx",
        f"02_{b1.name}_附件1_评分表.xlsx",
        f"02_{b1.name}_附件2_重点任务清单.xlsx",
    ]
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
    assert meta_values(load(paths[3].read_bytes()))["branch_name"] == b1.name


# ---------------------------------------------------------------- command line


def test_cli_generate_blank_in_cwd(
    tmp_path: Path, campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["generate"])
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "表格").iterdir())  # the round folder's name, as the page uses it
    assert [p.name for p in written] == ["附件1_评分表.xlsx", "附件2_重点任务清单.xlsx"]
    assert written[1].read_bytes() == build_form(campaign, FormKind.TASKS)


def test_cli_generate_roster(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("序号,党总支名称\n3,文学院党总支\n12,音乐学院党总支\n", "utf-8-sig")
    result = CliRunner().invoke(
        cli, ["generate", "--roster", str(tmp_path / "r.csv"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "03_文学院党总支_附件1_评分表.xlsx",
        "03_文学院党总支_附件2_重点任务清单.xlsx",
        "12_音乐学院党总支_附件1_评分表.xlsx",
        "12_音乐学院党总支_附件2_重点任务清单.xlsx",
    ]


def test_cli_generate_roster_freezes_the_collector_only_while_generating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command freezes the collector around the forked generation (the library never does: see
    test_parallel), and leaves nothing frozen behind."""
    calls: list[str] = []

    def spy(name: str) -> Callable[[], None]:
        real = getattr(gc, name)

        def call() -> None:
            calls.append(name)
            real()

        return call

    for name in ("freeze", "unfreeze"):
        monkeypatch.setattr(gc, name, spy(name))
    (tmp_path / "r.csv").write_text("序号,党总支名称\n1,文学院党总支\n", "utf-8-sig")
    result = CliRunner().invoke(
        cli, ["generate", "--roster", str(tmp_path / "r.csv"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert calls == ["freeze", "unfreeze"] and gc.get_freeze_count() == 0


def test_forms_face() -> None:
    """Other stages import the forms stage through its face only: public names, all present."""
    names = dangjian_xlsx.forms.__all__
    assert not [n for n in names if n.startswith("_") or not hasattr(dangjian_xlsx.forms, n)]
    assert {"build_form", "form_filename", "BRANCH_FORMS", "generate_for_roster"} <= set(names)


def test_cli_bad_roster_writes_nothing(tmp_path: Path) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "序号,党总支名称,联系人\n"
        "1,文学院党总支,王\n"
        "2,,李\n"  # row 3: blank name
        "3,文学院党总支,张\n"  # row 4: duplicate
        "4,化学/化工党总支,赵\n",  # row 5: '/' cannot be in a file name
        "utf-8-sig",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", "--roster", str(roster), "--out", str(out)])
    assert result.exit_code == 2
    text = re.sub(r"\s+", "", result.output)  # rich wraps long lines at the terminal width
    assert "名单有误，未生成任何文件" in text
    assert "名单.csv第3行：党总支名称为空" in text
    assert "第4行：党总支名称“文学院党总支”与第2行重复" in text
    assert "第5行：党总支名称“化学/化工党总支”含有不能用于文件名的字符/" in text
    assert "Traceback" not in text and isinstance(result.exception, SystemExit)  # a clean exit, no crash
    assert not out.exists() or not any(out.iterdir())


def test_cli_init(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    toml, csv = tmp_path / "campaign.toml", tmp_path / "roster.csv"
    assert csv.read_bytes().startswith("\ufeff序号,党总支名称".encode())
    loaded = load_campaign(toml)
    assert loaded.roster == default_roster()
    assert (loaded.year, loaded.due, loaded.password) == (2018, dt.date(2018, 9, 30), "zzsy-zzb")
    # a second run refuses to overwrite, naming the file; --force overwrites
    toml.write_text(toml.read_text("utf-8").replace("year = 2018", "year = 2019"), "utf-8")
    again = runner.invoke(cli, ["init", "--out", str(tmp_path)])
    assert again.exit_code == 2
    flat = again.output.replace("\n", "")  # rich wraps long lines at the terminal width
    assert "campaign.toml" in flat and "--force" in flat and "Traceback" not in flat
    assert load_campaign(toml).year == 2019
    forced = runner.invoke(cli, ["init", "--out", str(tmp_path), "--force"])
    assert forced.exit_code == 0 and load_campaign(toml).year == 2018


def test_write_init_files_refuses_without_force(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text("mine", "utf-8")
    with pytest.raises(ConfigError, match=r"roster\.csv.*--force"):
        write_init_files(tmp_path)
    assert (tmp_path / "roster.csv").read_text("utf-8") == "mine"
    assert not (tmp_path / "campaign.toml").exists()


def test_free_text_rows_grow_with_what_is_typed(campaign: Campaign) -> None:
    """Rows holding free-text inputs (扣分说明, 完成情况, 存在问题及整改措施) carry a height but not a fixed one
    (no customHeight): the suite grows them with the text; every other row keeps its fixed height."""
    import re
    import zipfile

    from dangjian_xlsx.layout import C_DONE, C_ISSUES, C_NOTE, form_layout

    for kind, cols in ((FormKind.SCORING, {C_NOTE}), (FormKind.TASKS, {C_DONE, C_ISSUES})):
        lay = form_layout(campaign.catalog, kind)
        free = {c.row + 1 for c in lay.inputs if c.col in cols and c.ref_id}  # item rows, not the header
        data = build_form(campaign, kind, campaign.roster[0])
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = z.read("xl/worksheets/sheet1.xml").decode()
        rows = {int(m.group(1)): m.group(0) for m in re.finditer(r'<row r="(\d+)"[^>]*>', xml)}
        assert free and free <= set(rows)
        for r in free:
            assert 'ht="' in rows[r] and "customHeight" not in rows[r], (kind, r, rows[r])
        fixed = [r for r in rows if r not in free and 'ht="' in rows[r]]
        assert fixed and all("customHeight" in rows[r] for r in fixed)
