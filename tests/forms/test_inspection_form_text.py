"""The 督查评分表 speaks to 组织部's inspectors, not to the branch (a 党支部 round, tests/other_forms.py: 附件3 /
附件4): its date is the inspection's (after the self-check, no 自查时间 window), its scores point to the 督查意见
column on their right (not to a 扣分说明), and A1 says 组织部督查, not the branch's attachment label."""

from __future__ import annotations

import io
import warnings

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from other_forms import write_xlsx

from dangjian_xlsx import layout
from dangjian_xlsx.catalog import default_campaign, read_forms
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.forms.text import self_check_window
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Branch, Campaign, FormKind

BRANCH = Branch(seq=1, name="物理学院第一党支部")


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    catalog = read_forms(write_xlsx(tmp_path_factory.mktemp("other") / "表格内容.xlsx"))
    return default_campaign().model_copy(update={"catalog": catalog, "roster": (BRANCH,)})


def _sheet(campaign: Campaign, kind: FormKind) -> Worksheet:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = build_form(campaign, kind, BRANCH)
    return openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_BY_KIND[kind]]


def _prompt(ws: Worksheet, campaign: Campaign, kind: FormKind, fld: Field, ref: str = "") -> tuple[str, str]:
    a1 = layout.form_layout(campaign.catalog, kind).input(fld, ref).a1
    [dv] = [dv for dv in ws.data_validations.dataValidation if a1 in dv.sqref]
    return dv.prompt, dv.error


def test_the_inspection_date_prompt_asks_for_the_inspection_date_not_the_self_check_window(
    other: Campaign,
) -> None:
    ws = _sheet(other, FormKind.INSPECTION)
    prompt, error = _prompt(ws, other, FormKind.INSPECTION, Field.DATE)
    day = other.self_check_end.isoformat()
    assert prompt == f"请填写督查日期，格式如 {day}。" and error == f"请填写有效日期，格式如 {day}。"
    # the branch's form keeps its self-check window
    own = _prompt(_sheet(other, FormKind.SCORING), other, FormKind.SCORING, Field.DATE)
    assert own[0].endswith(f"自查时间为{self_check_window(other)}。") and "自查时间" in own[1]


def test_the_inspection_score_prompt_points_to_the_opinion_column_on_its_right(other: Campaign) -> None:
    kind, item = FormKind.INSPECTION, other.catalog.items[0]
    assert layout.COLUMNS[kind][layout.C_INSP_SCORE + 1] == "督查意见"  # the column on the right
    ws = _sheet(other, kind)
    prompt = _prompt(ws, other, kind, Field.INSP_SCORE, item.id)[0]
    assert prompt.endswith("时须在右侧督查意见中写明扣分理由。") and "扣分说明" not in prompt
    own = _sheet(other, FormKind.SCORING)  # the branch's form: its 扣分说明 is on the right
    assert _prompt(own, other, FormKind.SCORING, Field.SCORE, item.id)[0].endswith("时须在右侧填写扣分说明。")


def test_the_inspection_forms_a1_says_组织部督查_not_the_branchs_attachment(other: Campaign) -> None:
    assert _sheet(other, FormKind.INSPECTION)["A1"].value == layout.INSPECTION_MARK == "组织部督查"
    assert _sheet(other, FormKind.SCORING)["A1"].value == "附件3"
    assert _sheet(other, FormKind.TASKS)["A1"].value == "附件4"
