"""The round's rules 3, 4, 6 and 7 (issue 15), each built from the case that broke it and read back from what
the clerk and the branches get: the summary workbook (openpyxl), its CSV/JSON exports and the feedback
workbooks. The expected numbers are computed here, from the scores the synthetic forms carry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from synthetic import campaign_with, expected_total, form1, form2, other, problem, report

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.models import (
    Branch,
    Campaign,
    FileRecord,
    FormKind,
    InspectionScore,
    Outcome,
    Report,
    Submission,
)
from dangjian_xlsx.round import build_feedback, feedback_name
from dangjian_xlsx.summary import summary_path, write_exports, write_summary

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
BOM = b"\xef\xbb\xbf"


# ---------------------------------------------------------------- writing and reading back


@dataclass
class Written:
    rep: Report
    wb: openpyxl.Workbook
    xlsx: Path
    json: dict
    scores_csv: list[dict[str, str]]
    books: dict[str, openpyxl.Workbook]

    def book(self, branch: Branch) -> openpyxl.Workbook:
        return self.books[feedback_name(branch)]


def write_all(rep: Report, folder: Path) -> Written:
    """The summary, its exports and every feedback workbook, as a collect --feedback writes them."""
    tables, ov = ag.tables_and_overview(rep)
    path = summary_path(folder / "汇总表.xlsx")
    write_summary(tables, ov, path, rep.campaign, rep.generated_at)
    exports = write_exports(tables, ov, path, rep.campaign, rep.generated_at)
    data = exports[0].read_bytes()
    assert data.startswith(BOM)
    books = {name: openpyxl.load_workbook(io.BytesIO(b)) for name, b in build_feedback(rep, tables, ov)}
    return Written(
        rep,
        openpyxl.load_workbook(path),
        path,
        json.loads(exports[-1].read_text("utf-8")),
        list(csv.DictReader(io.StringIO(data[len(BOM) :].decode("utf-8")))),
        books,
    )


def sheet_rows(ws, header_row: int = 3) -> list[dict[str, object]]:
    header = [c.value for c in ws[header_row]]
    return [
        dict(zip(header, r, strict=False))
        for r in ws.iter_rows(min_row=header_row + 1, values_only=True)
        if any(v is not None for v in r)
    ]


def lines(ws) -> dict[str, tuple[object, str]]:
    """A block sheet (总览, a feedback's 得分情况): label → (value, explanation), the three side by side in every
    column of labels (总览 has two: its counts per branch, and per file; a feedback sheet one, A)."""
    rows = list(ws.iter_rows(values_only=True))
    starts = {c for r in rows for c, v in enumerate(r) if v == "项目"} or {0}
    return {
        r[c]: (r[c + 1], r[c + 2] or "")
        for c in sorted(starts)
        for r in rows
        if len(r) > c + 2 and isinstance(r[c], str)
    }


def line(ws, prefix: str) -> tuple[object, str]:
    """The one line whose label starts with `prefix`."""
    found = [v for label, v in lines(ws).items() if label.startswith(prefix)]
    assert len(found) == 1, (prefix, found)
    return found[0]


def sheet_text(ws) -> str:
    return "\n".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if v is not None)


def by_seq(rows: list[dict[str, object]], seq: int) -> dict[str, object]:
    (row,) = [r for r in rows if r["序号"] == seq]
    return row


def competition_ranks(totals: dict[int, float]) -> dict[int, int]:
    return {k: 1 + sum(t > v for t in totals.values()) for k, v in totals.items()}


def inspection(
    camp: Campaign, b: Branch, scores: dict[str, float | None], opinions: dict[str, str] | None = None, **kw
) -> FileRecord:
    """A 督查评分表 of a branch whose self-assessment was full marks: 督查得分 full unless `scores` says."""
    opinions = opinions or {}
    insp = tuple(
        InspectionScore(item_id=i.id, self_score=i.points, score=scores.get(i.id, i.points),
                        opinion=opinions.get(i.id, ""))
        for i in camp.catalog.items
    )  # fmt: skip
    sub = Submission(kind=FormKind.INSPECTION, branch=b, fill_date=dt.date(2018, 10, 12), inspection=insp)
    path = f"督查/{b.id}_督查评分表.xlsx"
    return other(path, kw.pop("outcome", Outcome.ACCEPTED), b, kind=FormKind.INSPECTION, submission=sub, **kw)


# ---------------------------------------------------------------- rule 3: only complete, valid forms count

BLANK_ITEMS = ("S01.1", "S01.5", "S02.4", "S03.2", "S05.1")  # 2 + 4 + 4 + 4 + 4 = 18 points


def rule3_scores(camp: Campaign, seq: int) -> dict[str, float | None]:
    """Branches 1–20: complete forms, 90–99 points."""
    items = camp.catalog.items
    a, b = items[seq % 44], items[(seq * 7 + 3) % 44]
    return {a.id: 0, b.id: b.points - 1 - seq % 2 * 0.5} if a.id != b.id else {a.id: 0}


@pytest.fixture(scope="module")
def rule3(campaign: Campaign, tmp_path_factory: pytest.TempPathFactory) -> Written:
    """22 branches: 20 complete valid returns; 21 sent the blank template back (one 空白表格 error); 22 left 5
    items blank (85 under the old code, which was then the school's minimum) and, in its 附件2, left T01 blank
    and typed 完成 for T02 (which the old code counted as 100 % complete)."""
    camp = campaign_with(campaign, 22)
    b = {x.seq: x for x in camp.roster}
    files = []
    for seq in range(1, 21):
        files.append(form1(camp, b[seq], rule3_scores(camp, seq)))
        files.append(form2(camp, b[seq], {"T02": "未完成"} if seq % 4 == 0 else {"T03": "持续推进"}))
    p21 = f"{b[21].id}_附件1.xlsx"
    blank = {i.id: None for i in camp.catalog.items}
    files.append(form1(camp, b[21], blank, outcome=Outcome.NEEDS_FIX, path=p21,
                       problems=[problem(p21, "form-blank", sheet="评分表")]))  # fmt: skip
    files.append(form2(camp, b[21]))
    p22, q22 = f"{b[22].id}_附件1.xlsx", f"{b[22].id}_附件2.xlsx"
    files.append(form1(camp, b[22], dict.fromkeys(BLANK_ITEMS), outcome=Outcome.NEEDS_FIX, path=p22,
                       problems=[problem(p22, "score-blank", field="score") for _ in BLANK_ITEMS]))  # fmt: skip
    files.append(form2(camp, b[22], {"T01": None, "T02": None}, outcome=Outcome.NEEDS_FIX, path=q22,
                       problems=[problem(q22, "status-blank"), problem(q22, "status-invalid", value="完成")]))  # fmt: skip
    return write_all(report(camp, files), tmp_path_factory.mktemp("rule3"))


def rule3_totals(camp: Campaign) -> dict[int, float]:
    return {seq: expected_total(camp, rule3_scores(camp, seq)) for seq in range(1, 21)}


def test_rule3_a_form_to_correct_is_shown_as_provisional_and_never_ranked(rule3: Written) -> None:
    camp = rule3.rep.campaign
    rows = sheet_rows(rule3.wb["得分汇总"])
    totals = rule3_totals(camp)
    assert min(totals.values()) >= 90 and max(totals.values()) < 100
    ranked = {r["序号"]: r["自评排名"] for r in rows if r["自评排名"] is not None}
    assert ranked == competition_ranks(totals)  # the 20 complete forms, ranked among themselves
    blank, five = by_seq(rows, 21), by_seq(rows, 22)
    assert blank["状态"] == "暂计（待更正，1 处问题）" and five["状态"] == "暂计（待更正，5 处问题）"
    assert five["自评总分"] == 100 - 18  # shown, as 暂计
    items = rule3.wb["得分明细"]  # its meta headers are merged over rows 3–4
    status = [c.value for c in items[3]].index("状态")
    (row22,) = [r for r in items.iter_rows(min_row=5, values_only=True) if r[0] == 22]
    assert row22[status] == "暂计（待更正，5 处问题）"
    tasks = sheet_rows(rule3.wb["任务清单汇总"], 4)
    t22 = by_seq(tasks, 22)
    assert t22["完成率"] is None and t22["附件2"] == "暂计（待更正，2 处问题）"  # not 100 %


def section_rows(ws) -> list[tuple]:
    """总览's rows from the column of its section table on (headed 部分; the counts are to its left)."""
    at = next(c.column for row in ws.iter_rows() for c in row if c.value == "部分")
    return [r[at - 1 :] for r in ws.iter_rows(values_only=True)]


def test_rule3_every_statistic_rests_on_the_complete_forms(rule3: Written) -> None:
    camp = rule3.rep.campaign
    totals = list(rule3_totals(camp).values())
    ws = rule3.wb["总览"]
    assert line(ws, "全校平均分")[0] == pytest.approx(math.fsum(totals) / 20, abs=1e-4)
    assert line(ws, "最高分")[0] == max(totals) and line(ws, "最低分")[0] == min(totals)  # not 0, not 82
    assert "统计依据：20 份完整有效的附件1、21 份附件2（另有 3 份待更正未计入）" in sheet_text(ws)
    # 总览's section table and 失分分析: the same 20 forms on every row
    rows = section_rows(ws)
    start = next(i for i, r in enumerate(rows) if r[0] == "部分")
    header = rows[start]
    for sec, r in zip(camp.catalog.sections, rows[start + 1 : start + 13], strict=True):
        r = dict(zip(header, r, strict=False))
        per_branch = [
            sum(expected_total_item(it, rule3_scores(camp, seq)) for it in sec.items) for seq in range(1, 21)
        ]
        assert (r["份数"], r["最低"], r["最高"]) == (20, min(per_branch), max(per_branch))
        assert r["平均分"] == pytest.approx(sum(per_branch) / 20, abs=1e-4)
    losses = sheet_rows(rule3.wb["失分分析"])
    assert {r["有效份数"] for r in losses} == {20}
    for r in (r for r in losses if r["层级"] == ag.LEVEL_ITEM):
        item = camp.catalog.item_by_id[r["编号"]]
        lost = sum(item.points - expected_total_item(item, rule3_scores(camp, s)) for s in range(1, 21))
        assert r["失分合计"] == pytest.approx(lost), r["编号"]
    # per task rates: the 21 complete 附件2 (T02: 未完成 at 4, 8, 12, 16, 20)
    tasks_ws = rule3.wb["任务清单汇总"]
    rates = dict(zip((c.value for c in tasks_ws[4]), (c.value for c in tasks_ws[3]), strict=True))
    assert rates[next(h for h in rates if str(h).startswith("T01"))] == 1
    assert rates[next(h for h in rates if str(h).startswith("T02"))] == pytest.approx(16 / 21)


def expected_total_item(item, entered: dict[str, float | None]) -> float:
    v = entered.get(item.id, item.points)
    return v if v is not None and 0 <= v <= item.points else 0.0


def test_rule3_charts_and_exports_leave_the_forms_to_correct_out(rule3: Written) -> None:
    camp = rule3.rep.campaign
    totals = rule3_totals(camp)
    with zipfile.ZipFile(rule3.xlsx) as z:
        charts = "".join(
            z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)
        )
    cols = {c.value: c.column_letter for c in rule3.wb["得分汇总"][3]}
    assert f"得分汇总!${cols['自评总分']}$4:${cols['自评总分']}$23" in charts  # 20 bars
    doc = rule3.json
    assert doc["overview"]["school_average"] == pytest.approx(sum(totals.values()) / 20, abs=1e-4)
    assert (doc["overview"]["min_total"], doc["overview"]["scored"]) == (min(totals.values()), 20)
    assert {s["n"] for s in doc["sections"]} == {20}
    scores = {s["branch_id"]: s for s in doc["scores"]}
    assert [(scores[k]["rank"], scores[k]["counted"]) for k in ("21", "22")] == [(None, False)] * 2
    assert {r["计入统计"] for r in rule3.scores_csv if r["党总支编号"] == "22"} == {"0"}
    assert {r["计入统计"] for r in rule3.scores_csv if r["党总支编号"] == "01"} == {"1"}
    assert {r["n_blank"] for r in doc["task_rates"]} == {0}  # no blank status in any rate


def test_rule3_charts_start_near_the_data_and_colour_against_the_maximum(rule3: Written) -> None:
    """Issue 17: totals of 90–99 on a 0–100 axis all look alike. The value axes start a little below the lowest
    charted value (but above 0), every branch is labelled, and 得分汇总's colour scale goes by fixed shares of
    the maximum (80 % red, 90 % yellow, 100 % green), not by the data's own minimum and maximum."""
    camp = rule3.rep.campaign
    top = camp.catalog.total_points
    lowest = min(rule3_totals(camp).values())
    with zipfile.ZipFile(rule3.xlsx) as z:
        charts = [
            z.read(n).decode() for n in sorted(z.namelist()) if re.fullmatch(r"xl/charts/chart\d+\.xml", n)
        ]
        sheets = {
            n: z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)
        }
    totals = next(c for c in charts if "得分汇总!" in c)
    sections = next(c for c in charts if "总览!" in c)
    low = float(re.search(r'<c:min val="([\d.]+)"/>', totals).group(1))
    assert 0 < low <= lowest and lowest - low <= 5, (low, lowest)
    assert re.search(r'<c:max val="([\d.]+)"/>', totals).group(1) == f"{top:g}"
    assert '<c:tickLblSkip val="1"/>' in totals and '<c:tickLblSkip val="1"/>' in sections
    # values at the bar ends (a bar chart's default position, which xlsxwriter leaves unwritten)
    assert '<c:showVal val="1"/>' in totals and set(re.findall(r'<c:dLblPos val="(\w+)"/>', totals)) <= {
        "outEnd"
    }
    rows = section_rows(rule3.wb["总览"])
    start = next(i for i, r in enumerate(rows) if r[0] == "部分")
    rates = [dict(zip(rows[start], r, strict=False))["得分率"] for r in rows[start + 1 : start + 13]]
    rate_low = float(re.search(r'<c:min val="([\d.]+)"/>', sections).group(1))
    assert 0 < rate_low <= min(rates)
    # bars in 自评排名 order: the chart reads 得分汇总's ranked rows, best first
    ws = rule3.wb["得分汇总"]
    cols = {c.value: c.column_letter for c in ws[3]}
    charted = [ws[f"{cols['自评总分']}{r}"].value for r in range(4, 24)]
    assert charted == sorted(charted, reverse=True) and min(charted) == lowest
    scales = [x for x in sheets.values() if "<colorScale>" in x and f"{cols['自评总分']}4:" in x]
    assert len(scales) == 1
    scale = re.search(r"<colorScale>(.*?)</colorScale>", scales[0]).group(1)
    cfvo = re.findall(r'<cfvo type="(\w+)" val="([\d.]+)"/>', scale)
    assert [(kind, float(v)) for kind, v in cfvo] == [("num", top * 0.8), ("num", top * 0.9), ("num", top)]


def test_rule3_feedback_compares_with_the_complete_forms_and_says_provisional(rule3: Written) -> None:
    camp = rule3.rep.campaign
    totals = rule3_totals(camp)
    b = {x.seq: x for x in camp.roster}
    first = rule3.book(b[1])["得分情况"]
    assert line(first, "全校最低分")[0] == min(totals.values())
    assert line(first, "全校平均分")[0] == pytest.approx(sum(totals.values()) / 20, abs=1e-4)
    five = rule3.book(b[22])["得分情况"]
    text = sheet_text(five)
    assert "暂计" in text and "未计入全校统计" in text
    assert line(five, "自评排名")[0] is None
    rate, why = line(five, "重点任务完成率")
    assert rate is None and "更正后计算" in why
    assert "以上为暂计" in sheet_text(rule3.book(b[22])["扣分项"])


# ---------------------------------------------------------------- rule 4: the inspection stage alike


@pytest.fixture(scope="module")
def rule4(campaign: Campaign, tmp_path_factory: pytest.TempPathFactory) -> Written:
    """24 branches, all complete. Inspected: 1–6 (3 is 8 points below its 自评: 自评偏高) and 7, whose
    督查评分表 has three blank items and one score over the item's maximum (old code: 督查总分 86, ranked 24th,
    labelled 自评偏高 with 不一致项数 0)."""
    camp = campaign_with(campaign, 24)
    b = {x.seq: x for x in camp.roster}
    files = [form1(camp, b[seq], {} if seq == 7 else {"S01.1": seq % 3}) for seq in range(1, 25)]
    for seq in range(1, 7):
        lower = {"S01.5": 0, "S02.4": 0} if seq == 3 else {"S12.2": 1}
        if seq != 3:
            lower["S01.1"] = seq % 3
        files.append(inspection(camp, b[seq], lower, {k: f"{k} 督查意见" for k in lower}))
    bad = {"S01.5": None, "S02.4": None, "S03.2": None, "S01.1": 5}
    p7 = f"督查/{b[7].id}_督查评分表.xlsx"
    errs = [problem(p7, "inspection-blank") for _ in range(3)] + [
        problem(p7, "score-out-of-range", value="5")
    ]
    files.append(inspection(camp, b[7], bad, outcome=Outcome.NEEDS_FIX, problems=errs))
    return write_all(report(camp, files), tmp_path_factory.mktemp("rule4"))


def test_rule4_an_inspection_to_complete_is_not_scored_ranked_or_labelled(rule4: Written) -> None:
    b7 = rule4.rep.campaign.roster[6]
    row = by_seq(sheet_rows(rule4.wb["得分汇总"]), 7)
    assert (row["督查总分"], row["督查排名"], row["督查结论"]) == (None, None, None)
    assert (
        row["督查状态"] == "督查表待补全（4 处问题）" and row["自评排名"] == 1
    )  # its 自评 (100) still counts
    rows = [r for r in sheet_rows(rule4.wb["得分汇总"]) if r["督查排名"] is not None]
    insp = {r["序号"]: r["督查总分"] for r in rows}
    assert set(insp) == {1, 2, 3, 4, 5, 6}  # the six complete inspections only, ranked among themselves
    assert {r["序号"]: r["督查排名"] for r in rows} == competition_ranks(insp)
    comp = rule4.wb["自评与督查对比"]
    header = [c.value for c in comp[3]]
    side = header.index("党总支（总分对比）")
    side_rows = {r[side]: dict(zip(header[side:], r[side:], strict=True))
                 for r in comp.iter_rows(min_row=4, values_only=True) if r[side]}  # fmt: skip
    assert side_rows[b7.name]["结论"] is None and side_rows[b7.name]["督查总分"] is None
    assert side_rows[b7.name]["督查状态"] == "督查表待补全（4 处问题）"
    assert not [r for r in sheet_rows(comp) if r["党总支"] == b7.name]  # no item compared
    assert f"督查表待补全：{b7.name}" in comp["A2"].value
    assert f"督查评分表需补全：{b7.name}" in sheet_text(rule4.wb["总览"])
    assert line(rule4.wb["总览"], "已督查")[0] == 6
    record = next(r for r in rule4.json["inspection"] if r["branch_id"] == b7.id)
    assert (record["insp_total"], record["flag"], record["insp_rank"]) == (None, "", None)
    book = rule4.book(b7)
    assert "自评偏高" not in "".join(sheet_text(ws) for ws in book.worksheets)
    assert line(book["得分情况"], "督查总分")[0] is None and "督查排名" not in lines(book["得分情况"])


def test_rule4_a_branch_labelled_inflated_shows_its_differing_items(rule4: Written) -> None:
    scores = sheet_rows(rule4.wb["得分汇总"])
    flagged = {r["党总支"]: r["差值（自评−督查）"] for r in scores if r["督查结论"] == ag.FLAG_INFLATED}
    assert list(flagged) == [rule4.rep.campaign.roster[2].name]
    items = sheet_rows(rule4.wb["自评与督查对比"])
    for name, diff in flagged.items():
        mine = [r["差值（自评−督查）"] for r in items if r["党总支"] == name]
        assert sum(mine) == pytest.approx(diff) and any(d > 0 for d in mine)
    header = [c.value for c in rule4.wb["自评与督查对比"][3]]
    side = header.index("党总支（总分对比）")
    for r in rule4.wb["自评与督查对比"].iter_rows(min_row=4, values_only=True):
        row = dict(zip(header[side:], r[side:], strict=True))
        if row["结论"] == ag.FLAG_INFLATED:
            assert row["不一致项数"] > 0 and row["自评较高项数"] > 0


# ---------------------------------------------------------------- rule 6: one ranking, one basis


@pytest.fixture(scope="module")
def rule6(campaign: Campaign, tmp_path_factory: pytest.TempPathFactory) -> Written:
    """Branch 1: 自评 100, 督查 94; branch 6: 自评 98, 督查 97; branches 2–5: 自评 96, not inspected. The old code
    ranked 1 by 督查 and the others by 自评 in one column (1 below every 96) and listed it under 最高分 100."""
    camp = campaign_with(campaign, 6)
    b = {x.seq: x for x in camp.roster}
    files = [form1(camp, b[1])]
    files += [form1(camp, b[seq], {"S01.5": 0}) for seq in range(2, 6)]
    files.append(form1(camp, b[6], {"S01.1": 0}))
    files.append(inspection(camp, b[1], {"S01.5": 1, "S02.4": 1}, {"S01.5": "扣3分", "S02.4": "扣3分"}))
    own6 = {"S01.1": 0}
    files.append(inspection(camp, b[6], {"S01.1": 0, "S12.2": 1}, {"S12.2": "扣1分"}))
    assert expected_total(camp, own6) == 98
    return write_all(report(camp, files), tmp_path_factory.mktemp("rule6"))


def test_rule6_each_rank_column_has_one_basis(rule6: Written) -> None:
    rows = sheet_rows(rule6.wb["得分汇总"])
    self_totals = {r["序号"]: r["自评总分"] for r in rows}
    assert {r["序号"]: r["自评排名"] for r in rows} == competition_ranks(self_totals)
    assert by_seq(rows, 1)["自评排名"] == 1  # not below the 96s
    inspected = {r["序号"]: r["督查总分"] for r in rows if r["督查排名"] is not None}
    assert inspected == {1: 94, 6: 97}
    assert {r["序号"]: r["督查排名"] for r in rows if r["督查排名"] is not None} == {6: 1, 1: 2}
    ws = rule6.wb["总览"]
    b1, b6 = rule6.rep.campaign.roster[0].name, rule6.rep.campaign.roster[5].name
    assert lines(ws)["最高分（自评）"][0] == 100 and b1 in lines(ws)["最高分（自评）"][1]
    assert lines(ws)["最高分（督查）"][0] == 97 and b6 in lines(ws)["最高分（督查）"][1]
    assert lines(ws)["最低分（督查）"][0] == 94 and b1 in lines(ws)["最低分（督查）"][1]
    assert lines(ws)["最低分（自评）"][0] == 96
    book = rule6.book(rule6.rep.campaign.roster[0])["得分情况"]
    assert line(book, "自评排名")[0] == 1 and "共 6 个" in line(book, "自评排名")[1]
    assert line(book, "督查排名")[0] == 2 and "共 2 个已督查" in line(book, "督查排名")[1]


# ---------------------------------------------------------------- rule 7: counts that add up

DOUBT = "11_马克思主义学院党总支_附件1_评分表.xlsx"


@pytest.fixture(scope="module")
def rule7(campaign: Campaign, tmp_path_factory: pytest.TempPathFactory) -> Written:
    """The default roster: 1 sent everything; 2 only 附件1 (old: both 已交 and 未交); 3 both forms, no 自查报告;
    4 a 附件1 to correct, 附件2 and 自查报告; 5 a rejected 附件1 and 自查报告; 11 (马克思主义学院) only 文学院's form
    under its own file name (held 身份存疑); 6–10, 12–20 nothing."""
    b = {x.seq: x for x in campaign.roster}
    files = [form1(campaign, b[1]), form2(campaign, b[1]), other("01_自查报告.docx", Outcome.REPORT, b[1])]
    files += [form1(campaign, b[2]), form1(campaign, b[3]), form2(campaign, b[3])]
    p4 = "04_附件1.xlsx"
    files += [
        form1(campaign, b[4], {"S01.1": None}, outcome=Outcome.NEEDS_FIX, path=p4, problems=[problem(p4)]),
        form2(campaign, b[4]),
        other("04_自查报告.docx", Outcome.REPORT, b[4]),
        other("05_附件1.xlsx", Outcome.REJECTED, b[5], kind=FormKind.SCORING, reason="表格被修改",
              problems=[problem("05_附件1.xlsx", "tampered")]),
        other("05_自查报告.pdf", Outcome.REPORT, b[5]),
    ]  # fmt: skip
    doubt = form1(campaign, b[1], {"S01.1": 0}, outcome=Outcome.IDENTITY_DOUBT, path=DOUBT)
    doubt = doubt.model_copy(
        update={
            "claimant": b[11],
            "problems": [problem(DOUBT, "identity-doubt", message="无法确定是哪个党总支交回的")],
        }
    )
    files.append(doubt)
    return write_all(report(campaign, files), tmp_path_factory.mktemp("rule7"))


def test_rule7_both_partitions_sum_to_the_roster_everywhere(rule7: Written) -> None:
    ws = rule7.wb["总览"]
    got = {label: v for label, (v, _) in lines(ws).items()}
    submitted = [got["已交齐（含自查报告）"], got["部分未交"], got["全部未交"]]
    quality = [got["合格"], got["需修改"], got["身份存疑"], got["未收到"]]
    assert sum(submitted) == sum(quality) == got["应交党总支"] == 20
    assert submitted == [2, 4, 14] and quality == [2, 2, 2, 14]
    rows = sheet_rows(rule7.wb["提交情况"])
    assert [sum(r["交回情况"] == w for r in rows) for w in ("已交齐", "部分未交", "全部未交")] == submitted
    assert [
        sum(r["材料质量"] == w for r in rows) for w in ("合格", "需修改", "身份存疑", "未收到")
    ] == quality
    two = by_seq(rows, 2)
    assert (two["交回情况"], two["附件2 任务清单"]) == ("部分未交", "未交")  # one word for the branch
    # the CLI's closing table: the same words, the same numbers
    ov = ag.overview(rule7.rep)
    for label, value in ov.rows():
        if value == "":
            continue  # a heading
        shown = got[label]
        if isinstance(value, str):  # a score, one decimal, or "—"
            shown = "—" if shown is None else f"{shown:.1f}"
        assert shown == value, label
    assert [(x["label"], x["value"]) for x in rule7.json["overview_lines"]] == [
        (line.label, line.value) for _, ls in ov.blocks() for line in ls
    ]
    assert [sum(r["submitted"] == w for r in rule7.json["submissions"]) for w in ag.SUBMIT_WORDS] == submitted


def test_rule7_a_file_in_doubt_is_shown_first_with_both_names(rule7: Written) -> None:
    b1, b11 = rule7.rep.campaign.roster[0], rule7.rep.campaign.roster[10]
    rows = sheet_rows(rule7.wb["提交情况"])
    eleven = by_seq(rows, 11)
    assert (eleven["材料质量"], eleven["附件1 评分表"], eleven["交回情况"]) == (
        "身份存疑",
        "身份存疑",
        "部分未交",
    )
    assert by_seq(rows, 1)["材料质量"] == "身份存疑"  # its form is named by a file it did not send
    top = [r[0] for r in rule7.wb["总览"].iter_rows(min_row=4, max_row=6, max_col=1, values_only=True)]
    assert top[0].startswith("身份存疑：1 个文件") and top[2] == DOUBT
    explain = lines(rule7.wb["总览"])[DOUBT][1]
    assert b1.name in explain and b11.name in explain
    assert sheet_rows(rule7.wb["校验问题"])[0]["文件"] == DOUBT
    first = sheet_rows(rule7.wb["文件清单"])[0]
    assert (first["文件"], first["处理结果"], first["党总支"], first["身份存疑：另一方"]) == (
        DOUBT, "身份存疑", b1.name, b11.name,
    )  # fmt: skip
    words = {
        f.strip('"')
        for cf in rule7.wb["文件清单"].conditional_formatting
        for r in cf.rules
        for f in r.formula
    }
    assert "身份存疑" in words
    assert (
        by_seq(sheet_rows(rule7.wb["得分汇总"]), 1)["自评总分"] == 100
    )  # its own file, not the one in doubt


def test_rule4_inflated_includes_the_margin_itself(campaign: Campaign) -> None:
    """ "高出5分以上" includes 5: a 督查总分 exactly 5 below 自评 (the margin) is 自评偏高; 4.5 below is not."""
    camp = campaign_with(campaign, 2)
    b1, b2 = camp.roster
    files = [form1(camp, b1), form1(camp, b2)]
    files.append(inspection(camp, b1, {"S01.5": 0, "S02.1": 1}, {"S01.5": "扣4分", "S02.1": "扣1分"}))  # 5
    files.append(inspection(camp, b2, {"S01.5": 0, "S02.1": 1.5}, {"S01.5": "扣4分", "S02.1": "扣0.5分"}))
    tables, ov = ag.tables_and_overview(report(camp, files))
    flag = dict(zip(tables.scores["branch"], tables.scores["flag"], strict=True))
    assert camp.catalog.item_by_id["S02.1"].points == 2 and camp.inspection_margin == 5
    assert flag == {b1.name: ag.FLAG_INFLATED, b2.name: ""}
    assert ov.inflated == 1
