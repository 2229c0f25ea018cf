"""Two-stage scoring: 督查评分表 built from the inbox, filled by inspectors, collected back into the summary."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import REPO
from fill import clean_values, fill_form, full_scores, set_cell, set_meta

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.catalog import catalog_digest
from dangjian_xlsx.cli import cli
from dangjian_xlsx.collect.pipeline import run_collect
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import C_INSP_SCORE, C_SCORE, Field, a1, form_layout
from dangjian_xlsx.models import Campaign, FormKind, Outcome, Report
from dangjian_xlsx.round.inspection import build_inspections
from dangjian_xlsx.summary import write_summary

# openpyxl does not read Excel 2010 data-bar extensions of the summary workbook.
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

S1, S2, INSP = FormKind.SCORING, FormKind.TASKS, FormKind.INSPECTION
# Self-assessment deductions per branch seq (item → score); full marks elsewhere.
SELF = {
    1: {"S01.1": 1.5},
    2: {"S02.1": 1},
    3: {"S03.1": 1},
    4: {"S04.1": 1},
}
# The inspectors' scores per branch seq, where they differ from the self-assessment.
INSPECTED = {
    1: {},  # agrees
    2: {"S02.1": 2, "S05.1": 0, "S07.1": 1},  # +1 −4 −1: 4 below the self-assessment
    3: {"S06.1": 0, "S08.1": 0, "S09.1": 1},  # exactly 5 below: "高出5分以上" includes 5: 自评偏高
    4: {"S04.1": 0, "S09.1": 0, "S10.1": 0, "S12.1": 1},  # 6 below: 自评偏高
}
INFLATED = {3, 4}


def self_values(camp: Campaign, seq: int) -> dict:
    values = full_scores(camp.catalog)
    for item_id, score in SELF[seq].items():
        values[(Field.SCORE, item_id)] = score
        values[(Field.NOTE, item_id)] = f"{item_id} 材料不全"
    return values


def insp_values(camp: Campaign, seq: int) -> dict:
    """The 督查得分 the inspectors enter: the self-assessment, changed where INSPECTED says."""
    points = {i.id: i.points for i in camp.catalog.items}
    own = {i.id: SELF[seq].get(i.id, points[i.id]) for i in camp.catalog.items}
    values: dict = {(Field.DATE, ""): dt.date(2018, 10, 12)}
    for item_id, score in own.items():
        values[(Field.INSP_SCORE, item_id)] = INSPECTED[seq].get(item_id, score)
    for item_id in INSPECTED[seq]:
        values[(Field.INSP_OPINION, item_id)] = f"{item_id} 督查意见"
    return values


def expected_diffs(camp: Campaign, seq: int) -> dict[str, float]:
    points = {i.id: i.points for i in camp.catalog.items}
    own = {i: SELF[seq].get(i, points[i]) for i in points}
    return {i: own[i] - s for i, s in INSPECTED[seq].items() if own[i] != s}


@pytest.fixture(scope="module")
def camp(campaign: Campaign) -> Campaign:
    return campaign.model_copy(update={"roster": campaign.roster[:5]})  # branch 05 sends nothing


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, camp: Campaign) -> Path:
    root = tmp_path_factory.mktemp("inbox")
    for b in camp.roster[:4]:
        fill_form(build_form(camp, S1, b), root / form_filename(S1, b), self_values(camp, b.seq))
        fill_form(build_form(camp, S2, b), root / form_filename(S2, b), clean_values(camp.catalog, S2))
    return root


@pytest.fixture(scope="module")
def first(inbox: Path, camp: Campaign) -> Report:
    return run_collect(inbox, camp, jobs=1)


@pytest.fixture(scope="module")
def books(first: Report) -> dict[str, bytes]:
    return dict(build_inspections(first))


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory, inbox: Path, camp: Campaign, books: dict) -> Path:
    """The inbox plus the four filled 督查评分表 (in a subfolder)."""
    root = tmp_path_factory.mktemp("round") / "inbox"
    shutil.copytree(inbox, root)
    for b in camp.roster[:4]:
        name = form_filename(INSP, b)
        fill_form(books[name], root / "组织部督查" / name, insp_values(camp, b.seq), catalog=camp.catalog)
    return root


@pytest.fixture(scope="module")
def final(round_trip: Path, camp: Campaign) -> Report:
    return run_collect(round_trip, camp, jobs=1)


@pytest.fixture(scope="module")
def summary_wb(final: Report, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    tables, ov = ag.tables_and_overview(final)
    out = write_summary(
        tables, ov, tmp_path_factory.mktemp("out") / "汇总表.xlsx", final.campaign, final.generated_at
    )
    return openpyxl.load_workbook(out)


def sheet_rows(ws, header_row: int = 3) -> list[dict]:
    header = [c.value for c in ws[header_row]]
    out = []
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if any(v is not None for v in row):
            out.append({h: v for h, v in zip(header, row, strict=False) if h is not None})
    return out


# ---------------------------------------------------------------- the inspection workbook


def test_one_inspection_workbook_per_accepted_form1(books: dict[str, bytes], camp: Campaign) -> None:
    assert sorted(books) == sorted(form_filename(INSP, b) for b in camp.roster[:4])


def test_inspection_workbook_locks_the_self_assessment(books: dict[str, bytes], camp: Campaign) -> None:
    b = camp.roster[0]
    lay = form_layout(camp.catalog, INSP)
    wb = openpyxl.load_workbook(io.BytesIO(books[form_filename(INSP, b)]))
    ws = wb[lay.sheet]
    meta = {r[0].value: r[2].value for r in wb["_meta"].iter_rows(max_row=11)}
    assert (meta["form_kind"], meta["branch_name"]) == ("inspection", b.name)
    assert meta["catalog_digest"] == catalog_digest(camp.catalog)
    assert ws.protection.sheet and wb.security.lockStructure
    for item in camp.catalog.items:
        row = lay.item_rows[item.id]
        mine, score = ws[a1(row, C_SCORE)], ws[a1(row, C_INSP_SCORE)]
        assert mine.value == SELF[1].get(item.id, item.points) and mine.protection.locked
        assert score.value is None and not score.protection.locked
    assert ws["F5"].value == "S01.1 材料不全"  # the branch's explanation, beside its score
    rules = {str(dv.sqref): (dv.type, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation}
    g5 = next(v for k, v in rules.items() if any(r.startswith("G5") for r in k.split()))
    assert g5 == ("decimal", "0", "2")


# ---------------------------------------------------------------- the round trip


def test_inspections_are_accepted(final: Report) -> None:
    insp = [f for f in final.files if f.kind is INSP]
    assert len(insp) == 4
    assert all(f.outcome is Outcome.ACCEPTED and f.problems == [] for f in insp), [
        (f.path, f.problems) for f in insp
    ]


def test_tables_equal_the_filled_values(final: Report, camp: Campaign) -> None:
    t = ag.build_tables(final)
    assert t.has_inspection
    rows = {r["seq"]: r for r in t.inspection.to_dict("records")}
    assert set(rows) == {1, 2, 3, 4}
    for seq in rows:
        self_total = 100 - sum(it.points - s for it in camp.catalog.items if (s := SELF[seq].get(it.id)))
        diff = sum(expected_diffs(camp, seq).values())
        assert rows[seq]["self_total"] == self_total
        assert rows[seq]["insp_total"] == pytest.approx(self_total - diff)
        assert rows[seq]["n_diff"] == len(expected_diffs(camp, seq))
        assert (rows[seq]["flag"] == ag.FLAG_INFLATED) is (seq in INFLATED)
    items = t.inspection_items
    got = {(r["seq"], r["item_id"]): r["diff"] for r in items.to_dict("records")}
    want = {(seq, i): d for seq in SELF for i, d in expected_diffs(camp, seq).items()}
    assert got == pytest.approx(want)
    assert items["diff"].abs().tolist() == sorted(items["diff"].abs().tolist(), reverse=True)
    opinions = items.set_index(["seq", "item_id"])["opinion"]
    assert opinions[(4, "S09.1")] == "S09.1 督查意见"


def test_ranks_one_basis_per_column(final: Report) -> None:
    """自评排名 over every complete 附件1; 督查排名 beside it, among the inspected branches only (rule 6)."""
    t = ag.build_tables(final)
    s = t.scores.set_index("seq")
    # self totals: 1 → 99.5, 2, 3, 4 → 99 (tied); inspected: 1 → 99.5, 2 → 95, 3 → 94, 4 → 93
    assert [int(s.loc[q, "rank"]) for q in (1, 2, 3, 4)] == [1, 2, 2, 2]
    assert [int(s.loc[q, "insp_rank"]) for q in (1, 2, 3, 4)] == [1, 2, 3, 4]
    assert ag.is_missing(s.loc[5, "rank"]) and ag.is_missing(s.loc[5, "insp_rank"])  # branch 5 sent nothing
    ov = ag.overview(final)
    assert (ov.inspected, ov.inflated) == (4, 2)
    assert dict(ov.rows())["自评偏高"] in (2, "2")


def test_summary_sheets_show_the_inspection(summary_wb: openpyxl.Workbook, camp: Campaign) -> None:
    names = summary_wb.sheetnames
    assert names[names.index("得分汇总") + 1] == "自评与督查对比"
    ws = summary_wb["得分汇总"]
    assert "督查排名" in ws["A1"].value and "自评偏高" in ws["A2"].value
    rows = {r["序号"]: r for r in sheet_rows(ws)}
    for seq in (1, 2, 3, 4):
        diff = sum(expected_diffs(camp, seq).values())
        assert rows[seq]["差值（自评−督查）"] == pytest.approx(diff)
        assert rows[seq]["督查总分"] == pytest.approx(rows[seq]["自评总分"] - diff)
        assert rows[seq]["督查状态"] == "已督查"
        assert (rows[seq]["督查结论"] == "自评偏高") is (seq in INFLATED)
    comp = summary_wb["自评与督查对比"]
    items = sheet_rows(comp)
    got = {(r["序号"], r["编号"]): (r["自评得分"], r["督查得分"], r["差值（自评−督查）"]) for r in items}
    want = {}
    for seq in SELF:
        for item_id, d in expected_diffs(camp, seq).items():
            mine = SELF[seq].get(item_id, camp.catalog.item_by_id[item_id].points)
            want[(seq, item_id)] = (mine, INSPECTED[seq][item_id], d)
    assert got == want  # halves and whole points: exact in binary
    flagged = {r["党总支"] for r in items if r["自评偏高"] == "自评偏高"}
    assert flagged == {camp.roster[2].name, camp.roster[3].name}
    # the per-branch comparison beside it, and the flagged names in the explanation
    header = [c.value for c in comp[3]]
    side = header.index("党总支（总分对比）")
    side_rows = [r[side:] for r in comp.iter_rows(min_row=4, values_only=True) if r[side]]
    assert [r[0] for r in side_rows] == [camp.roster[i].name for i in (3, 2, 1, 0)]  # largest first
    assert [r[-1] for r in side_rows].count("自评偏高") == 2
    assert "自评偏高：" in comp["A2"].value
    assert camp.roster[3].name in comp["A2"].value and camp.roster[2].name in comp["A2"].value


def test_margin_is_configurable(final: Report) -> None:
    strict = final.model_copy(update={"campaign": final.campaign.model_copy(update={"inspection_margin": 2})})
    t = ag.build_tables(strict)
    assert set(t.inspection.loc[t.inspection["flag"] == ag.FLAG_INFLATED, "seq"]) == {2, 3, 4}


def test_without_inspections_the_summary_is_unchanged(first: Report) -> None:
    t = ag.build_tables(first)
    assert not t.has_inspection and t.inspection_items.empty
    assert t.scores["insp_rank"].isna().all() and not ag.overview(first).has_inspection
    assert "已督查（督查评分表完整有效）" not in dict(ag.overview(first).rows())


def test_a_new_inspection_carries_the_inspectors_values_over(final: Report, camp: Campaign) -> None:
    again = dict(build_inspections(final))
    name = form_filename(INSP, camp.roster[3])
    wb = openpyxl.load_workbook(io.BytesIO(again[name]))
    lay = form_layout(camp.catalog, INSP)
    ws = wb[lay.sheet]
    assert ws[lay.input(Field.INSP_SCORE, "S09.1").a1].value == 0
    assert ws[lay.input(Field.INSP_OPINION, "S09.1").a1].value == "S09.1 督查意见"
    meta = {r[0].value: r[2].value for r in wb["_meta"].iter_rows(max_row=11)}
    assert meta["revision"] == "1"


# ---------------------------------------------------------------- the collect rules apply


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory, inbox: Path, camp: Campaign, books: dict) -> Report:
    """Four broken inspections, one per branch: unknown branch, old catalog, out of range, self changed."""
    root = tmp_path_factory.mktemp("bad") / "inbox"
    shutil.copytree(inbox, root)
    lay = form_layout(camp.catalog, INSP)
    b = camp.roster
    edits = {
        1: set_meta("branch_name", "不存在党总支"),
        2: set_meta("catalog_digest", "0123456789abcdef"),
        4: set_cell(lay.sheet, a1(lay.item_rows["S04.1"], C_SCORE), 2),  # the locked self score edited
    }
    for seq in (1, 2, 3, 4):
        values = insp_values(camp, seq)
        if seq == 3:
            values[(Field.INSP_SCORE, "S01.2")] = 3  # 2 points at most
        name = form_filename(INSP, b[seq - 1])
        fill_form(books[name], root / name, values, catalog=camp.catalog, edit=edits.get(seq))
    return run_collect(root, camp, jobs=1)


def test_broken_inspections_are_reported(bad: Report, camp: Campaign) -> None:
    got = {f.path: f for f in bad.files if f.path.endswith("督查评分表.xlsx")}
    name = {seq: form_filename(INSP, camp.roster[seq - 1]) for seq in (1, 2, 3, 4)}
    assert got[name[1]].outcome is Outcome.REJECTED
    assert "branch-unknown" in [p.code for p in got[name[1]].errors]
    assert got[name[2]].outcome is Outcome.REJECTED
    assert [p.code for p in got[name[2]].errors] == ["digest-mismatch"]
    assert "表格版本不符" in got[name[2]].errors[0].message
    three = got[name[3]]
    assert three.outcome is Outcome.NEEDS_FIX
    lay = form_layout(camp.catalog, INSP)
    assert [(p.code, p.cell) for p in three.errors] == [
        ("score-out-of-range", lay.input(Field.INSP_SCORE, "S01.2").a1)
    ]
    four = got[name[4]]
    assert four.outcome is Outcome.NEEDS_FIX
    cell = a1(lay.item_rows["S04.1"], C_SCORE)
    assert [(p.code, p.cell, p.value) for p in four.errors] == [("inspection-self-changed", cell, "2")]
    assert "评分表 1" in four.errors[0].message
    # only the counted ones enter the 督查 stage; rejected inspections leave those branches on 自评
    t = ag.build_tables(bad)
    assert set(t.inspection["seq"]) == {3, 4}


# ---------------------------------------------------------------- command line


def test_cli_inspect(inbox: Path, camp: Campaign, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("序号,党总支名称\n" + "".join(f"{b.seq},{b.name}\n" for b in camp.roster), "utf-8")
    out = tmp_path / "督查"
    result = CliRunner().invoke(cli, ["inspect", str(inbox), "--roster", str(roster), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成 4 份督查评分表" in result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(form_filename(INSP, b) for b in camp.roster[:4])
    empty = tmp_path / "空"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["inspect", str(empty), "--roster", str(roster), "--out", str(out)])
    assert result.exit_code == 0 and "未生成督查评分表" in result.output
    result = CliRunner().invoke(cli, ["inspect", str(tmp_path / "没有"), "--out", str(out)])
    assert result.exit_code == 2


def test_sample_inbox_round_trip(campaign: Campaign) -> None:
    """`make demo`'s inbox: four filled 督查评分表, made by `round.build_inspections`; one inflated."""
    rep = run_collect(REPO / "sample_submissions", campaign, jobs=1)
    insp = [f for f in rep.files if f.kind is INSP]
    assert len(insp) == 4 and all(f.outcome is Outcome.ACCEPTED for f in insp)
    t = ag.build_tables(rep)
    assert t.inspection.loc[t.inspection["flag"] == ag.FLAG_INFLATED, "branch"].tolist() == ["美术学院党总支"]
    assert (t.inspection["diff"] > 0).all() and len(t.inspection_items) > 0


def test_campaign_copy_rebuilds_its_lookups(campaign: Campaign) -> None:
    """model_copy (used above for the margin, and for rosters) must not carry a stale branch_by_name."""
    assert campaign.branch_by_name  # cached on the shared fixture
    fewer = campaign.model_copy(update={"roster": campaign.roster[:2]})
    assert list(fewer.branch_by_name) == [b.name for b in campaign.roster[:2]]
    assert len(campaign.branch_by_name) == len(campaign.roster)
