"""The 督查评分表 as the inspectors' form: its title and 督查日期, the 督查组 / 督查人 line, a 填表说明 for
inspectors, and the branch's invalid self-scores shown as typed (marked)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from fill import clean_values, fill_form, full_scores, set_cell

from dangjian_xlsx import layout
from dangjian_xlsx.collect.pipeline import run_collect
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import C_INSP_SCORE, C_SCORE, Field, a1, form_layout
from dangjian_xlsx.messages import Code
from dangjian_xlsx.models import Campaign, FormKind, Outcome, Report
from dangjian_xlsx.round.inspection import build_inspections

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

S1, S2, INSP = FormKind.SCORING, FormKind.TASKS, FormKind.INSPECTION
TYPED = {"S01.1": "优秀", "S01.2": None, "S02.1": 9}  # not a number, blank, over the item's 2 points


@pytest.fixture(scope="module")
def camp(campaign: Campaign) -> Campaign:
    return campaign.model_copy(update={"roster": campaign.roster[:2]})


def _collect(root: Path, camp: Campaign) -> Report:
    return run_collect(root, camp, jobs=1)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory, camp: Campaign) -> tuple[Path, Report]:
    """Branch 01's 附件1 with the invalid self-scores of TYPED; branch 02's clean."""
    root = tmp_path_factory.mktemp("inbox")
    for b in camp.roster:
        values = full_scores(camp.catalog)
        if b.seq == 1:
            values.update({(Field.SCORE, i): v for i, v in TYPED.items()})
        fill_form(build_form(camp, S1, b), root / form_filename(S1, b), values)
        fill_form(build_form(camp, S2, b), root / form_filename(S2, b), clean_values(camp.catalog, S2))
    return root, _collect(root, camp)


@pytest.fixture(scope="module")
def books(first: tuple[Path, Report]) -> dict[str, bytes]:
    return dict(build_inspections(first[1]))


def _sheet(data: bytes, name: str = "督查评分表"):
    return openpyxl.load_workbook(io.BytesIO(data))[name]


def test_the_form_is_titled_and_dated_as_the_inspectors(camp: Campaign) -> None:
    ws = _sheet(build_form(camp, INSP, camp.roster[0]))
    assert ws["A1"].value == "组织部督查"
    assert ws["A2"].value == "郑州师范学院全面从严治党主体责任落实情况专项督查·组织部督查评分表"
    assert ws["F3"].value == "督查日期："
    assert "填报日期" not in [c.value for row in ws.iter_rows() for c in row]


def test_the_signature_line_holds_督查组_and_督查人(camp: Campaign) -> None:
    lay = form_layout(camp.catalog, INSP)
    ws = _sheet(build_form(camp, INSP, camp.roster[0]))
    row = lay.total_row + 2  # 1-based: the row below 合计
    assert ws[f"A{row}"].value == "督查组：" and ws[f"F{row}"].value == "督查人："
    for fld, ref in ((Field.INSP_GROUP, f"B{row}"), (Field.INSPECTOR, f"G{row}")):
        assert lay.input(fld).a1 == ref
        assert ws[ref].protection.locked is False
    assert f"B{row}:E{row}" in ws.merged_cells and f"G{row}:H{row}" in ws.merged_cells
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    assert area.endswith(f"$H${row}")
    # only the inspection form has them
    assert Field.INSPECTOR not in {c.field for c in form_layout(camp.catalog, S1).inputs}


def test_the_guide_speaks_to_inspectors_without_command_names(camp: Campaign) -> None:
    ws = _sheet(build_form(camp, INSP, camp.roster[0]), layout.GUIDE_SHEET)
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert text.startswith("组织部督查评分表 填表说明")
    assert "填好后交组织部汇总人员" in text and "督查组、督查人" in text and "督查日期" in text
    for word in ("collect", "inspect", "generate", "汇总（", "收件文件夹"):
        assert word not in text


def test_forms_made_before_are_still_accepted(tmp_path: Path, camp: Campaign, books: dict) -> None:
    """A 督查评分表 made before (附件1's title + （组织部督查）, 填报日期：) passes the tamper check: the
    digest did not change, the former texts are accepted."""
    b = camp.roster[1]
    name = form_filename(INSP, b)
    old_title = f"{camp.catalog.form1.title}（组织部督查）"

    def old(wb: openpyxl.Workbook) -> None:
        set_cell("督查评分表", "A2", old_title)(wb)
        set_cell("督查评分表", "F3", "填报日期：")(wb)

    values = {(Field.DATE, ""): dt.date(2018, 10, 12)}
    values.update({(Field.INSP_SCORE, i.id): i.points for i in camp.catalog.items})
    root = tmp_path / "inbox"
    fill_form(books[name], root / name, values, catalog=camp.catalog, edit=old)
    rec = next(f for f in _collect(root, camp).files if f.path == name)
    assert rec.outcome is not Outcome.REJECTED
    assert [p.code for p in rec.problems] == [Code.INSPECTION_NO_FORM1]  # nothing edited, nothing else


def test_invalid_self_scores_are_shown_as_typed(books: dict, camp: Campaign) -> None:
    lay = form_layout(camp.catalog, INSP)
    ws = _sheet(books[form_filename(INSP, camp.roster[0])])
    cell = {i: ws[a1(lay.item_rows[i], C_SCORE)].value for i in (*TYPED, "S01.3")}
    assert cell["S01.1"] == "优秀（无效：不是数字）"
    assert cell["S01.2"] == "（无效：未填写）"
    assert cell["S02.1"] == "9（无效：超出分值）"
    assert cell["S01.3"] == camp.catalog.item_by_id["S01.3"].points  # a valid one: the number
    clean = _sheet(books[form_filename(INSP, camp.roster[1])])
    assert all(not isinstance(clean[a1(r, C_SCORE)].value, str) for r in lay.item_rows.values())


def test_a_filled_inspection_round_trips(
    tmp_path: Path, first: tuple[Path, Report], camp: Campaign, books: dict
) -> None:
    """Filled back (督查组, 督查人 typed): accepted, the cross-check quiet on the marked invalid self-scores,
    the two fields kept, and carried into the next 督查评分表."""
    import shutil

    root = tmp_path / "inbox"
    shutil.copytree(first[0], root)
    b = camp.roster[0]
    name = form_filename(INSP, b)
    values: dict = {(Field.DATE, ""): dt.date(2018, 10, 12)}
    values.update({(Field.INSP_SCORE, i.id): i.points for i in camp.catalog.items})
    values[(Field.INSP_GROUP, "")] = "第一督查组"
    values[(Field.INSPECTOR, "")] = "张三、李四"
    fill_form(books[name], root / "组织部督查" / name, values, catalog=camp.catalog)
    report = _collect(root, camp)
    rec = next(f for f in report.files if f.kind is INSP)
    assert rec.outcome is Outcome.ACCEPTED, rec.problems
    assert not [p for p in rec.problems if p.code == Code.INSPECTION_SELF_CHANGED]
    sub = rec.submission
    assert sub.inspection_group == "第一督查组" and sub.inspector == "张三、李四"
    by_id = {s.item_id: s for s in sub.inspection}
    assert all(by_id[i].self_score is None for i in TYPED)
    again = _sheet(dict(build_inspections(report))[name])
    row = form_layout(camp.catalog, INSP).total_row + 2
    assert again[f"B{row}"].value == "第一督查组" and again[f"G{row}"].value == "张三、李四"
    assert again[a1(form_layout(camp.catalog, INSP).item_rows["S01.1"], C_INSP_SCORE)].value == 2
