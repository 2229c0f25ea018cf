"""The forms of a round that is not 2018's (tests/other_forms.py: 附件3/附件4, half points, a total of 150,
three task statuses, the unit 党支部), generated and read back with openpyxl: every text, drop-down, count
and 分值 cell comes from that round's catalog."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from other_forms import STATUSES, UNIT, write_xlsx

from dangjian_xlsx import layout
from dangjian_xlsx.catalog import default_campaign, read_forms
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Branch, Campaign, FormKind

ROSTER = (Branch(seq=1, name="文学院第一党支部"), Branch(seq=2, name="机关党支部"))


def other_campaign(folder: Path) -> Campaign:
    """The default campaign with tests/other_forms.py's forms and a roster of 党支部."""
    catalog = read_forms(write_xlsx(folder / "表格内容.xlsx"))
    return default_campaign().model_copy(update={"catalog": catalog, "roster": ROSTER})


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    return other_campaign(tmp_path_factory.mktemp("other"))


def build(campaign: Campaign, kind: FormKind, branch: Branch | None = None) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a validation or merge XlsxWriter drops silently fails the test
        return build_form(campaign, kind, branch)


def sheets(data: bytes) -> dict[str, Worksheet]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: ws for ws in wb.worksheets}


def texts(ws: Worksheet) -> list[str]:
    """Every text a person sees on a sheet: its cells, and its input prompts and stop alerts."""
    out = [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for dv in ws.data_validations.dataValidation:
        out += [t for t in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error) if t]
    return out


def validation_of(ws: Worksheet, ref: str) -> object:
    found = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) == 1, ref
    return found[0]


@pytest.mark.parametrize("kind", list(FormKind), ids=str)
@pytest.mark.parametrize("personal", [False, True], ids=["blank", "personal"])
def test_every_form_says_the_rounds_unit_and_attachment(
    other: Campaign, kind: FormKind, personal: bool
) -> None:
    branch = ROSTER[0] if personal else None
    got = sheets(build(other, kind, branch))
    lay = layout.form_layout(other.catalog, kind)
    ws = got[lay.sheet]
    assert ws["A3"].value == "党支部名称："
    if kind is not FormKind.INSPECTION:
        assert ws["A1"].value == {FormKind.SCORING: "附件3", FormKind.TASKS: "附件4"}[kind]
    guide = texts(got[layout.GUIDE_SHEET])
    title = {FormKind.SCORING: "附件3 评分表", FormKind.TASKS: "附件4 重点任务清单"}.get(
        kind, "组织部督查评分表"
    )
    assert guide[0].startswith(f"{title} 填")
    seen = texts(ws) + guide
    assert not [t for t in seen if "党总支" in t]  # the roster names are 党支部 too: nothing says 党总支
    assert [t for t in seen if UNIT in t]
    if not personal and kind is not FormKind.INSPECTION:
        assert any("请在表头“党支部名称”处填写本党支部全称" in t for t in guide)
        branch_dv = validation_of(ws, lay.input(Field.BRANCH).a1)
        assert branch_dv.promptTitle == "党支部名称" and "请填写本党支部全称" in branch_dv.prompt


def test_the_status_drop_down_and_guide_offer_the_rounds_statuses(other: Campaign) -> None:
    got = sheets(build(other, FormKind.TASKS, ROSTER[1]))
    lay = layout.form_layout(other.catalog, FormKind.TASKS)
    ws = got[lay.sheet]
    for task in other.catalog.tasks:
        dv = validation_of(ws, lay.input(Field.STATUS, task.id).a1)
        assert dv.type == "list" and dv.formula1 == '"已完成,推进中,未开展"'
        assert "已完成、推进中、未开展" in dv.prompt and "已完成、推进中、未开展" in dv.error
    issues = validation_of(ws, lay.input(Field.ISSUES, other.catalog.tasks[0].id).a1)
    assert issues.prompt == "完成状态不是“已完成”时必须填写存在的问题和整改措施。"  # no 不适用 offered
    guide = texts(got[layout.GUIDE_SHEET])
    assert "完成状态：每一项都从下拉列表中选择“已完成”“推进中”“未开展”之一。" in guide
    assert (
        "存在问题及整改措施：状态为“推进中”“未开展”的，写明存在的问题和整改措施；“已完成”的可不填。" in guide
    )
    assert not [t for t in texts(ws) + guide if "持续推进" in t or "不适用" in t]
    # the statistics row counts each of the three, one cell each from 重点工作任务 on
    row = lay.total_row + 1
    col = layout.col_letter(layout.C_STATUS)
    rng = f"${col}${layout.FIRST_ROW + 1}:${col}${lay.total_row}"
    formulas = [ws.cell(row, c).value for c in range(2, 2 + len(STATUSES))]
    assert formulas == [f'="{s} "&COUNTIF({rng},"{s}")&" 项"' for s in STATUSES]
    assert ws.cell(row, 2 + len(STATUSES)).value is None


def test_more_statuses_than_cells_share_the_last_count(other: Campaign) -> None:
    many = ("已完成", "推进中", "未开展", "部分完成", "不适用", "暂缓")
    camp = other.model_copy(update={"catalog": other.catalog.model_copy(update={"statuses": many})})
    lay = layout.form_layout(camp.catalog, FormKind.TASKS)
    ws = sheets(build(camp, FormKind.TASKS))[lay.sheet]
    row = lay.total_row + 1
    cells = [ws.cell(row, c).value for c in range(2, lay.last_col + 2)]
    assert len(cells) == 4 and all(isinstance(v, str) and v.startswith("=") for v in cells)
    for status in many:  # every status counted once, the last three in the last cell
        assert sum(f'COUNTIF($C$5:$C${lay.total_row},"{status}")' in v for v in cells) == 1
    assert all(s in cells[-1] for s in many[3:])


def test_half_points_are_shown_with_their_decimal(other: Campaign) -> None:
    cat = other.catalog
    for kind in (FormKind.SCORING, FormKind.INSPECTION):
        lay = layout.form_layout(cat, kind)
        ws = sheets(build(other, kind))[lay.sheet]
        for item in cat.items:
            cell = ws.cell(lay.item_rows[item.id] + 1, layout.C_POINTS + 1)
            assert cell.value == item.points
            whole = float(item.points).is_integer()
            assert cell.number_format == ('0"分"' if whole else '0.0"分"'), item.id
        total = ws.cell(lay.total_row + 1, layout.C_POINTS + 1)
        assert total.value == "=SUM(D5:D20)" and total.number_format == '0"分"'
        half = next(i for i in cat.items if i.points == 0.5)
        fld = Field.INSP_SCORE if kind is FormKind.INSPECTION else Field.SCORE
        dv = validation_of(ws, lay.input(fld, half.id).a1)
        assert dv.operator in (None, "between")  # between is the default
        assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "0.5")
        assert "本项满分0.5分" in dv.promptTitle and "本项满分0.5分" in dv.error


def test_a_total_with_a_decimal_is_shown_with_it(other: Campaign) -> None:
    """A round whose points add up to 149.5: the 合计 row shows 149.5分, not 150分."""
    cat = other.catalog
    last = cat.sections[-1]
    item = last.items[-1].model_copy(update={"points": 12})
    section = last.model_copy(update={"items": (last.items[0], item), "max_points": 24.5})
    form1 = cat.form1.model_copy(update={"sections": (*cat.sections[:-1], section)})
    camp = other.model_copy(update={"catalog": cat.model_copy(update={"form1": form1})})
    assert camp.catalog.total_points == 149.5
    lay = layout.form_layout(camp.catalog, FormKind.SCORING)
    ws = sheets(build(camp, FormKind.SCORING))[lay.sheet]
    total = ws.cell(lay.total_row + 1, layout.C_POINTS + 1)
    assert total.number_format == '0.0"分"'


def test_a_long_unit_name_label_wraps_in_its_cell(other: Campaign) -> None:
    camp = other.model_copy(
        update={"catalog": other.catalog.model_copy(update={"unit": "直属党支部联合支部"})}
    )
    ws = sheets(build(camp, FormKind.SCORING))[layout.SHEET_BY_KIND[FormKind.SCORING]]
    label = ws["A3"]
    assert label.value == "直属党支部联合支部名称：" and label.alignment.wrap_text
    assert ws.row_dimensions[3].height > 24
    builtin = sheets(build(default_campaign(), FormKind.SCORING))[layout.SHEET_BY_KIND[FormKind.SCORING]]
    assert builtin["A3"].value == "党总支名称：" and not builtin["A3"].alignment.wrap_text


def test_generate_without_a_roster_names_the_unit(other: Campaign, tmp_path: Path) -> None:
    from dangjian_xlsx.errors import ConfigError
    from dangjian_xlsx.forms import generate_for_roster

    with pytest.raises(ConfigError, match="名单中没有任何党支部"):
        generate_for_roster(other.model_copy(update={"roster": ()}), tmp_path)


def test_file_names_carry_the_rounds_attachment_labels(tmp_path: Path, other: Campaign) -> None:
    """A round whose 表格内容.xlsx calls its forms 附件3/附件4 names the files so; the built-in stays 附件1/附件2."""
    from dangjian_xlsx.forms import form_filename, generate_for_roster

    camp = other
    names = sorted(p.name for p in generate_for_roster(camp, tmp_path))
    b = camp.roster[0]
    assert f"{b.id}_{b.name}_{camp.catalog.form1.attachment}_评分表.xlsx" in names
    assert camp.catalog.form1.attachment != "附件1" and not [n for n in names if "附件1" in n]
    builtin = default_campaign()
    assert form_filename(FormKind.SCORING, builtin.roster[0], builtin.catalog) == form_filename(
        FormKind.SCORING, builtin.roster[0]
    )
