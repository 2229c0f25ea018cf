"""The notices of a round that is not 2018's (tests/other_report.py: a 党支部 round, 附件3 / 附件4, three statuses),
collected from real filled files: they name the round's forms and unit, never 党总支 nor 2018's statuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from fill import fill_form
from other_report import BRANCHES, DOUBT_PATH, Round, other_round

from dangjian_xlsx import collect
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import FormKind
from dangjian_xlsx.round import build_pack, notice_text, plan
from dangjian_xlsx.round.notices import hint

OLD_STATUSES = ("持续推进", "未完成", "不适用")


@pytest.fixture(scope="module")
def round_(tmp_path_factory: pytest.TempPathFactory) -> Round:
    return other_round(tmp_path_factory.mktemp("other"))


def _notices(r: Round) -> dict[str, str]:
    return {n.branch.name: n.text for n in plan(r.report)}


def test_notices_name_the_rounds_forms(round_: Round) -> None:
    text = _notices(round_)[BRANCHES[2]]
    assert "一、附件3 评分表：需修改 1 处" in text and "二、附件4 重点任务清单：需修改 1 处" in text
    assert "请填写 0 到 5 之间的数字" in text and "已完成、推进中、未开展" in text


def test_a_file_in_doubt_is_told_in_the_rounds_unit(round_: Round) -> None:
    notices = _notices(round_)
    claimant, own = notices[BRANCHES[3]], notices[BRANCHES[0]]
    assert "附件4 重点任务清单：收到一份身份存疑的文件（表格属于其他党支部）" in claimant
    assert "表头“党支部名称”一栏应为" in claimant and "不要在其他党支部的表格上填写" in claimant
    assert "附件4 重点任务清单：收到一份身份存疑的文件（表格属于你单位）" in own
    name = DOUBT_PATH.rsplit("/", 1)[-1]  # the file by its own name, not the folder the clerk put it in
    assert f"收到文件“{name}”" in own and DOUBT_PATH not in own


def test_no_notice_says_党总支_or_a_2018_status(round_: Round) -> None:
    texts = [n.text for n in plan(round_.report)]
    assert len(texts) == 4
    for text in texts:
        assert "党总支" not in text and not [s for s in OLD_STATUSES if s in text], text
        assert "附件1" not in text.replace("_附件1_评分表", "") and "附件2" not in text.replace(
            "_附件2_重点任务清单", ""
        )
    names = [name for name, _ in build_pack(round_.report)]
    assert (
        "03_外国语学院教工党支部_附件3_评分表_更正.xlsx" in names
    )  # named with the round's attachment labels


def test_an_inspectors_notice_says_the_rounds_unit(round_: Round, tmp_path: Path) -> None:
    """The inspectors are told 该党支部 (the unit of the round), not 该党总支."""
    notice = plan(round_.report)[2]
    notice.inspector = True
    text = notice_text(notice, round_.campaign, round_.report.generated_at)
    assert "该党支部的督查得分不计入汇总" in text and "党总支" not in text


def test_a_text_hint_names_not_applicable_only_when_offered(round_: Round, campaign) -> None:  # type: ignore[no-untyped-def]
    from dangjian_xlsx.layout import Field
    from dangjian_xlsx.models import Problem, Severity

    p = Problem(
        file="x", code="text-required", severity=Severity.ERROR, message="", field=f"T01 {Field.ISSUES.label}"
    )
    assert hint(p, round_.campaign) == "请写明存在的问题和整改措施"
    assert hint(p, campaign) == "请写明存在的问题和整改措施（不适用的写明原因）"  # 2018's, as before


def test_an_inspection_with_half_points(round_: Round, tmp_path: Path) -> None:
    """组织部 inspects 文学院教工党支部 taking half points off: 自评与督查对比 and the feedback show the items with
    their half points (a points column cast to whole numbers failed here), the sheet says 党支部."""
    import shutil

    import openpyxl
    from fill import fill_form

    from dangjian_xlsx import aggregate as ag
    from dangjian_xlsx.collect import run_collect
    from dangjian_xlsx.forms import form_filename
    from dangjian_xlsx.layout import Field
    from dangjian_xlsx.models import FormKind
    from dangjian_xlsx.outputs import write_outputs
    from dangjian_xlsx.round import build_inspections

    camp, b1 = round_.campaign, round_.campaign.roster[0]
    books = dict(build_inspections(round_.report))
    inbox = tmp_path / "inbox"
    shutil.copytree(round_.inbox, inbox)
    cuts = {"S02.1": 6.5, "S03.4": 0.0, "S04.1": 14.5}  # S03.4 is 0 in the self-assessment too
    values: dict = {}
    for item in camp.catalog.items:
        values[(Field.INSP_SCORE, item.id)] = cuts.get(item.id, item.points)
    name = form_filename(FormKind.INSPECTION, b1)
    fill_form(books[name], inbox / "组织部督查" / name, values, catalog=camp.catalog)
    report = run_collect(inbox, camp)
    tables = ag.build_tables(report)
    items = {r["item_id"]: r for r in tables.inspection_items.to_dict("records")}
    assert set(items) == {"S01.1", "S02.1", "S04.1", "S05.1"}  # where 自评 and 督查 differ
    assert (items["S02.1"]["points"], items["S02.1"]["insp_score"]) == (7.5, 6.5)
    out = write_outputs(report, tmp_path / "out" / "汇总表.xlsx", feedback=True)
    ws = openpyxl.load_workbook(out.summary)["自评与督查对比"]
    head = [c.value for c in ws[3]]
    assert head[:2] == ["序号", "党支部"] and "党支部（总分对比）" in head
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[2] == "S02.1")
    assert row[head.index("分值")] == 7.5
    assert "已督查党支部" in ws["A2"].value and "附件3" in ws["A2"].value


def test_a_form_of_another_version_is_not_said_to_be_carried_over(tmp_path) -> None:
    """A 党支部 sends the built-in 2018 form back to a round with other forms (表格版本不符): its fresh copy
    cannot hold the old values, so neither the notice nor the copy's 填表说明 claim they were carried over."""
    import io

    from other_report import other_campaign

    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.round import inbox_loader, plan

    camp = other_campaign(tmp_path)
    b = camp.roster[0]
    old = default_campaign().model_copy(update={"roster": camp.roster})  # the 2018 forms, this roster
    values = {(Field.DATE, ""): dt.date(2018, 9, 28)} | {
        (Field.SCORE, i.id): i.points for i in old.catalog.items
    }
    inbox = tmp_path / "收件"
    fill_form(build_form(old, FormKind.SCORING, b), inbox / "01_旧表.xlsx", values, catalog=old.catalog)
    report = collect.run_collect(inbox, camp)
    (notice,) = [n for n in plan(report, inbox_loader(report)) if n.branch == b]
    assert "表格版本不符" in notice.text and "已带入" not in notice.text and "请重新填写" in notice.text
    (part,) = [p for p in notice.parts if p.copy is not None]
    data = build_form(camp, part.kind, b, prefill=part.copy.prefill, revision=part.copy.revision)
    guide = openpyxl.load_workbook(io.BytesIO(data))["填表说明"]
    text = "".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "原来的表格内容无法带入" in text and "已按你单位上次报送的内容填好" not in text
