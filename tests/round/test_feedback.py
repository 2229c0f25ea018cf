"""Per-branch feedback workbooks, read back: the summary's numbers, and no other branch's name anywhere."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from fill import clean_values, fill_form
from synthetic import INJECTIONS, campaign_with, form1, form2, report, scenario

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.catalog import ref_labels
from dangjian_xlsx.cli import cli
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.models import Campaign, FileRecord, FormKind, InspectionScore, Outcome, Report, Submission
from dangjian_xlsx.round import (
    FEEDBACK_DIR,
    FEEDBACK_SHEETS,
    NOT_FILLED,
    build_feedback,
    feedback_name,
)
from dangjian_xlsx.summary import write_summary

S_SCORES, S_DEDUCTIONS, S_TASKS = FEEDBACK_SHEETS

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")


@pytest.fixture(scope="module")
def rep(campaign: Campaign) -> Report:
    """The summary tests' scenario, plus 组织部's inspection of branch 2 (3 points below its 自评)."""
    base = scenario(campaign)
    b2 = campaign.roster[1]
    own = next(f for f in base.files if f.branch == b2 and f.kind is FormKind.SCORING).submission
    lower = {"S01.1": 1, "S05.1": 2}
    insp = tuple(
        InspectionScore(item_id=s.item_id, self_score=s.score, score=lower.get(s.item_id, s.score))
        for s in own.scores
    )
    sub = Submission(kind=FormKind.INSPECTION, branch=b2, fill_date=dt.date(2018, 10, 12), inspection=insp)
    record = FileRecord(
        path="督查/02_督查评分表.xlsx",
        outcome=Outcome.ACCEPTED,
        kind=FormKind.INSPECTION,
        branch=b2,
        submission=sub,
    )
    return base.model_copy(update={"files": [*base.files, record]})


@pytest.fixture(scope="module")
def both(rep: Report) -> tuple[ag.Tables, ag.Overview]:
    return ag.tables_and_overview(rep)


@pytest.fixture(scope="module")
def tables(both: tuple[ag.Tables, ag.Overview]) -> ag.Tables:
    return both[0]


@pytest.fixture(scope="module")
def books(rep: Report, both: tuple[ag.Tables, ag.Overview]) -> dict[str, bytes]:
    return dict(build_feedback(rep, *both))


@pytest.fixture(scope="module")
def summary_xlsx(
    rep: Report, both: tuple[ag.Tables, ag.Overview], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("out") / "汇总表.xlsx"
    return write_summary(*both, out, rep.campaign, rep.generated_at)


@pytest.fixture(scope="module")
def summary_wb(summary_xlsx: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(summary_xlsx)


def name_of(campaign: Campaign, seq: int) -> str:
    return feedback_name(campaign.roster[seq - 1])


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def labelled(ws) -> dict[str, object]:
    """The 总体情况 block: label (column A) → value (column B), above the section table."""
    out = {}
    for row in ws.iter_rows(min_row=5, max_col=2, values_only=True):
        if isinstance(row[0], str) and row[0].startswith("二、各部分得分"):
            break
        if row[0]:
            out[row[0]] = row[1]
    return out


def section_table(ws) -> list[dict[str, object]]:
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "部分")
    header = rows[start]
    return [dict(zip(header, r, strict=False)) for r in rows[start + 1 : start + 13]]


def table_rows(ws, header_row: int = 3) -> list[dict[str, object]]:
    header = [c.value for c in ws[header_row]]
    return [
        dict(zip(header, r, strict=False))
        for r in ws.iter_rows(min_row=header_row + 1, values_only=True)
        if any(v is not None for v in r)
    ]


def test_one_workbook_per_branch_that_returned_a_form(books: dict[str, bytes], campaign: Campaign) -> None:
    # 1–4 returned a 附件1 (4 with errors), 5 only an accepted 附件2; 6–20 nothing
    assert list(books) == [name_of(campaign, s) for s in (1, 2, 3, 4, 5)]
    for data in books.values():
        assert load(data).sheetnames == [S_SCORES, S_DEDUCTIONS, S_TASKS]


@pytest.mark.parametrize("seq", [1, 2, 3, 4])
def test_numbers_equal_the_summary(
    books: dict[str, bytes], summary_wb: openpyxl.Workbook, campaign: Campaign, tables: ag.Tables, seq: int
) -> None:
    branch = campaign.roster[seq - 1]
    ws = load(books[name_of(campaign, seq)])[S_SCORES]
    # the branch's row of 得分汇总, by header
    scores = table_rows(summary_wb["得分汇总"])
    mine = next(r for r in scores if r["党总支"] == branch.name)
    top = labelled(ws)
    total = "自评总分（暂计）" if seq == 4 else "自评总分"  # 4's 附件1 is to be corrected
    assert top[total] == mine["自评总分"]
    assert top["自评排名"] == mine["自评排名"]
    # the school's figures, as on 总览 (the complete valid forms only)
    ov = summary_wb["总览"]
    rows = list(ov.iter_rows(values_only=True))
    start, at = next((i, r.index("部分")) for i, r in enumerate(rows) if "部分" in r)  # the section table
    school = {r[at]: r[at:] for r in rows[start + 1 : start + 13]}
    avg = next(r for r in rows if r[0] == "全校平均分（自评）")[1]
    assert top["全校平均分（自评）"] == pytest.approx(avg)
    assert top["全校最高分（自评）"] == next(r for r in rows if r[0] == "最高分（自评）")[1]
    assert top["全校最低分（自评）"] == next(r for r in rows if r[0] == "最低分（自评）")[1]
    if seq == 2:  # inspected: its sections on the 督查 basis, its 自评 beside (see the inspection tests)
        for sec, r in zip(campaign.catalog.sections, section_table(ws), strict=True):
            header = next(
                h for h in mine if isinstance(h, str) and h.startswith(f"{sec.numeral}、{sec.name}")
            )
            assert r["本单位自评得分"] == mine[header]
        return
    for sec, r in zip(campaign.catalog.sections, section_table(ws), strict=True):
        label = f"{sec.numeral}、{sec.name}"
        header = next(h for h in mine if isinstance(h, str) and h.startswith(label))
        assert r["部分"] == label and r["满分"] == sec.max_points
        assert r["本单位得分"] == mine[header]
        assert r["本单位得分率"] == pytest.approx(mine[header] / sec.max_points)
        _label, _points, mean, rate, low, high = school[label][:6]
        assert (r["全校平均分"], r["全校最低"], r["全校最高"]) == (mean, low, high)
        assert r["全校平均得分率"] == pytest.approx(rate)
    # deductions: exactly its own rows of the 问题台账
    ledger = [r for r in table_rows(summary_wb["问题台账"]) if r["党总支"] == branch.name]
    got = table_rows(load(books[name_of(campaign, seq)])[S_DEDUCTIONS])
    refs = ref_labels(campaign.catalog)  # the items as the form shows them (第一部分第5项), not S01.5
    assert [(r["项目"], r["得分"], r["失分"], r["扣分说明（佐证材料）"]) for r in got] == [
        (refs[r["编号"]], r["得分"], r["失分"], r["扣分说明（佐证材料）"]) for r in ledger
    ]
    assert len(got) == int((tables.ledger["branch_id"] == branch.id).sum())


def test_inspected_branch_shows_the_inspection(books: dict[str, bytes], campaign: Campaign) -> None:
    top = labelled(load(books[name_of(campaign, 2)])[S_SCORES])
    assert top["督查总分"] == top["自评总分"] - 3 and top["自评与督查差值"] == 3
    ws = load(books[name_of(campaign, 2)])[S_SCORES]
    explain = {r[0]: r[2] for r in ws.iter_rows(min_row=5, max_col=3, values_only=True) if r[0]}
    assert top["督查排名"] == 1 and "已督查的党总支参与督查排名" in explain["督查排名"]
    assert "督查总分" not in labelled(load(books[name_of(campaign, 1)])[S_SCORES])


def test_open_tasks(books: dict[str, bytes], campaign: Campaign, tables: ag.Tables) -> None:
    rows = table_rows(load(books[name_of(campaign, 2)])[S_TASKS])
    details = tables.task_details[tables.task_details["branch"] == campaign.roster[1].name]
    want = details[details["status"] != "已完成"]
    refs = ref_labels(campaign.catalog)
    assert [(r["序号"], r["完成状态"]) for r in rows] == [
        (refs[t], s or NOT_FILLED) for t, s in zip(want["task_id"], want["status"], strict=True)
    ]
    assert [r["序号"] for r in rows] == ["第1项任务", "第5项任务"] and rows[1]["完成状态"] == NOT_FILLED
    assert rows[0]["重点工作任务"] == campaign.catalog.task_by_id["T01"].text
    assert rows[0]["存在问题及整改措施"] == "继续推进"
    assert table_rows(load(books[name_of(campaign, 4)])[S_TASKS]) == []  # no 附件2


def test_no_other_branch_name_anywhere(books: dict[str, bytes], campaign: Campaign) -> None:
    names = [b.name for b in campaign.roster]
    for file, data in books.items():
        own = campaign.roster[int(file.split("_", 1)[0]) - 1].name
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))}
        assert any(n.startswith("xl/charts/chart") for n in parts)
        assert own in parts["xl/sharedStrings.xml"]
        for part, text in parts.items():
            for other in names:
                if other != own and other not in own:
                    assert other not in text, (file, part, other)


def test_submitted_text_is_never_a_formula(books: dict[str, bytes], campaign: Campaign) -> None:
    data = books[name_of(campaign, 1)]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any(re.search(r"<f[ >]", s) for s in sheets)
    notes = [r["扣分说明（佐证材料）"] for r in table_rows(load(data)[S_DEDUCTIONS])]
    assert notes == list(INJECTIONS[:2])


def test_deterministic(rep: Report, both: tuple[ag.Tables, ag.Overview], books: dict[str, bytes]) -> None:
    assert dict(build_feedback(rep, *both)) == books


# ---------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def small_inbox(tmp_path_factory: pytest.TempPathFactory, campaign: Campaign) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("fb")
    inbox = root / "inbox"
    camp = campaign.model_copy(update={"roster": campaign.roster[:3]})
    for b in camp.roster[:2]:
        for kind in (FormKind.SCORING, FormKind.TASKS):
            fill_form(
                build_form(camp, kind, b), inbox / form_filename(kind, b), clean_values(camp.catalog, kind)
            )
    roster = root / "roster.csv"
    roster.write_text("序号,党总支名称\n" + "".join(f"{b.seq},{b.name}\n" for b in camp.roster), "utf-8")
    return inbox, roster


def test_cli_feedback_and_collect_feedback(small_inbox: tuple[Path, Path], tmp_path: Path) -> None:
    inbox, roster = small_inbox
    out = tmp_path / "反馈"
    result = CliRunner().invoke(cli, ["feedback", str(inbox), "--roster", str(roster), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成 2 份反馈表" in result.output
    direct = sorted(p.name for p in out.iterdir())
    summary_path = tmp_path / "汇总" / "汇总表.xlsx"
    args = ["collect", str(inbox), "--roster", str(roster), "--out", str(summary_path), "--feedback"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    beside = summary_path.parent / FEEDBACK_DIR
    assert "已写入 2 份反馈表" in result.output and sorted(p.name for p in beside.iterdir()) == direct
    for name in direct:
        assert (beside / name).read_bytes() == (out / name).read_bytes()
    result = CliRunner().invoke(cli, ["feedback", str(tmp_path / "没有")])
    assert result.exit_code == 2


# ---------------------------------------------------------------- which branches, which columns


def test_a_workbook_for_exactly_the_branches_with_a_counted_form(rep: Report, campaign: Campaign) -> None:
    """Which branches get a workbook comes from the tables (no second grouping of the files): aggregate's own
    choice of the file that counts, also for a counted file whose values could not be read."""
    b7 = campaign.roster[6]
    unreadable = FileRecord(path="07_附件1.xlsx", outcome=Outcome.NEEDS_FIX, kind=FormKind.SCORING, branch=b7)
    rejected = FileRecord(
        path="08_附件2.xlsx", outcome=Outcome.REJECTED, kind=FormKind.TASKS, branch=campaign.roster[7]
    )
    edge = rep.model_copy(update={"files": [*rep.files, unreadable, rejected]})
    tables, ov = ag.tables_and_overview(edge)
    expected = {
        bf.branch.name: {k for k, slot in bf.forms.items() if slot.current is not None}
        for bf in ag.branch_files(edge)
    }
    names = [name for name, _ in build_feedback(edge, tables, ov)]
    assert names == [
        feedback_name(campaign.branch_by_name[name]) for name, kinds in expected.items() if kinds
    ]
    assert names == [name_of(campaign, s) for s in (1, 2, 3, 4, 5, 7)]


def column_letters(ws, header_row: int) -> dict[str, str]:
    return {c.value: c.column_letter for c in ws[header_row] if c.value is not None}


def chart_text(data: bytes | Path) -> str:
    with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as z:
        return "".join(
            z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)
        )


def test_feedback_chart_and_rule_read_the_columns_their_headers_name(
    books: dict[str, bytes], campaign: Campaign
) -> None:
    data = books[name_of(campaign, 1)]
    ws = load(data)[S_SCORES]
    header = next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == "部分")
    cols = column_letters(ws, header)
    first, last = header + 1, header + len(campaign.catalog.sections)
    text = chart_text(data)
    for name in ("部分", "本单位得分率", "全校平均得分率"):
        assert f"{S_SCORES}!${cols[name]}${first}:${cols[name]}${last}" in text, name
    rules = [str(cf.sqref) for cf in ws.conditional_formatting]
    assert rules == [f"{cols['与平均分之差']}{first}:{cols['与平均分之差']}{last}"]


def test_inspected_summary_charts_and_rules_follow_the_columns(summary_xlsx: Path, summary_wb) -> None:
    """With 督查 collected, 得分汇总 has more columns: the totals chart and the colour scale follow them."""
    ws = summary_wb["得分汇总"]
    cols = column_letters(ws, 3)
    text = chart_text(summary_xlsx)
    n = sum(1 for r in ws.iter_rows(min_row=4, values_only=True) if r[0] is not None)  # ranked rows
    for name in ("党总支", "自评总分", "督查总分"):
        assert f"得分汇总!${cols[name]}$4:${cols[name]}${3 + n}" in text, name
    scales = sorted(str(cf.sqref) for cf in ws.conditional_formatting if cf.rules[0].type == "colorScale")
    self_col, insp_col, last = cols["自评总分"], cols["督查总分"], 3 + len(campaign_rows(ws))
    # 自评总分 over the ranked rows only (not the 暂计 one after them), 督查总分 over every row
    assert scales == sorted([f"{self_col}4:{self_col}{3 + n}", f"{insp_col}4:{insp_col}{last}"])
    diff = summary_wb["自评与督查对比"]
    diff_col = column_letters(diff, 3)["差值（自评−督查）"]
    assert any(str(cf.sqref).startswith(diff_col) and cf.rules[0].operator == "greaterThan"
               for cf in diff.conditional_formatting)  # fmt: skip


def campaign_rows(ws) -> list[tuple]:
    """得分汇总's body rows (every roster branch)."""
    return [r for r in ws.iter_rows(min_row=4, values_only=True) if any(v is not None for v in r)]


# ---------------------------------------------------------------- rule 5: the 反馈表 after inspection

RULE5_LOWER = {"S01.5": 1, "S02.4": 2, "S05.1": 3}  # 4-point items: −3 −2 −1 → 督查总分 94
RULE5_OPINIONS = {k: f"{k}：现场查阅记录不全，扣{4 - v}分" for k, v in RULE5_LOWER.items()}


@pytest.fixture(scope="module")
def rule5(campaign: Campaign) -> tuple[Campaign, dict[str, openpyxl.Workbook]]:
    """Branch 1: 自评 100 (no deduction), 督查 94 with three 督查意见 — the old feedback said "扣分项 共0项" and
    showed no 督查 item anywhere. Branch 2: 自评 96, not inspected; branch 3: 自评 98, 督查 97."""
    camp = campaign_with(campaign, 3)
    b1, b2, b3 = camp.roster

    def inspected(b, lower: dict[str, float], opinions: dict[str, str]) -> FileRecord:
        own = {"S01.1": 0} if b == b3 else {}
        insp = tuple(
            InspectionScore(item_id=i.id, self_score=own.get(i.id, i.points), score=lower.get(i.id, own.get(i.id, i.points)),
                            opinion=opinions.get(i.id, ""))
            for i in camp.catalog.items
        )  # fmt: skip
        sub = Submission(kind=FormKind.INSPECTION, branch=b, fill_date=dt.date(2018, 10, 12), inspection=insp)
        return FileRecord(path=f"督查/{b.id}.xlsx", outcome=Outcome.ACCEPTED, kind=FormKind.INSPECTION, branch=b,
                          submission=sub)  # fmt: skip

    files = [
        form1(camp, b1),
        form2(camp, b1),
        form1(camp, b2, {"S01.5": 0}),
        form1(camp, b3, {"S01.1": 0}),
        inspected(b1, RULE5_LOWER, RULE5_OPINIONS),
        inspected(b3, {"S12.2": 1}, {"S12.2": "扣1分"}),
    ]
    rep = report(camp, files)
    return camp, {name: load(data) for name, data in build_feedback(rep, *ag.tables_and_overview(rep))}


def test_rule5_feedback_after_inspection_shows_the_inspectors_items_and_opinions(rule5) -> None:
    camp, books = rule5
    wb = books[feedback_name(camp.roster[0])]
    rows = table_rows(wb[S_DEDUCTIONS])
    got = {r["项目"]: (r["自评得分"], r["督查得分"], r["督查失分"], r["督查意见"]) for r in rows}
    points = {i.id: i.points for i in camp.catalog.items}
    refs = ref_labels(camp.catalog)
    assert got == {refs[k]: (points[k], v, points[k] - v, RULE5_OPINIONS[k]) for k, v in RULE5_LOWER.items()}
    assert "督查扣分项共 3 项，督查失分合计 6 分" in wb[S_DEDUCTIONS]["A2"].value
    top = labelled(wb[S_SCORES])
    assert (top["自评总分"], top["督查总分"], top["督查排名"]) == (100, 94, 2)  # 94 below branch 3's 97
    assert not any(k == "排名" for k in top)  # no rank without its basis


def test_rule5_feedback_after_inspection_gives_sections_on_the_inspection_basis(rule5) -> None:
    camp, books = rule5
    ws = books[feedback_name(camp.roster[0])][S_SCORES]
    heading = next(r[0] for r in ws.iter_rows(max_col=1, values_only=True) if str(r[0]).startswith("二、"))
    assert "督查得分" in heading
    lost = {"S01": 3, "S02": 2, "S05": 1}
    other_lost = {"S12": 1}  # branch 3's 督查: 97, S01.1 0 in both
    for sec, r in zip(camp.catalog.sections, section_table(ws), strict=True):
        mine = sec.max_points - lost.get(sec.id, 0)
        theirs = sec.max_points - other_lost.get(sec.id, 0) - (2 if sec.id == "S01" else 0)
        assert (r["本单位自评得分"], r["本单位督查得分"]) == (sec.max_points, mine), sec.id
        assert r["已督查平均分"] == pytest.approx((mine + theirs) / 2), sec.id
        assert (r["已督查最低"], r["已督查最高"]) == (min(mine, theirs), max(mine, theirs)), sec.id
    # an uninspected branch keeps the 自评 basis beside the school's
    plain = books[feedback_name(camp.roster[1])]
    assert "督查总分" not in labelled(plain[S_SCORES])
    assert [r["项目"] for r in table_rows(plain[S_DEDUCTIONS])] == ["第一部分第5项"]


def test_open_tasks_leave_not_applicable_out(rep: Report, campaign: Campaign) -> None:
    """不适用 is an answer: a task that does not apply is not listed as unfinished work for the branch."""
    b2 = campaign.roster[1]
    files = []
    for f in rep.files:
        if f.branch == b2 and f.kind is FormKind.TASKS and f.submission is not None:
            answers = tuple(
                a._replace(status="不适用", done="", issues="本单位无此项工作") if a.task_id == "T03" else a
                for a in f.submission.answers
            )
            f = f.model_copy(update={"submission": f.submission.model_copy(update={"answers": answers})})
        files.append(f)
    changed = rep.model_copy(update={"files": files})
    books = dict(build_feedback(changed, *ag.tables_and_overview(changed)))
    rows = table_rows(load(books[name_of(campaign, 2)])[S_TASKS])
    assert [r["序号"] for r in rows] == ["第1项任务", "第5项任务"]  # not 第3项任务


def test_a_returned_blank_form_shows_no_zero_scores(tmp_path: Path, campaign: Campaign) -> None:
    """A blank 附件1 sent back has no scores: its feedback and its 得分汇总 row show them empty, never 0
    (which would read as a real, very low result), and it is 暂计."""
    from dangjian_xlsx.collect import run_collect

    blank, other = campaign.roster[0], campaign.roster[1]
    (tmp_path / form_filename(FormKind.SCORING, blank)).write_bytes(
        build_form(campaign, FormKind.SCORING, blank)
    )
    fill_form(
        build_form(campaign, FormKind.SCORING, other),
        tmp_path / form_filename(FormKind.SCORING, other),
        clean_values(campaign.catalog, FormKind.SCORING),
    )
    rep = run_collect(tmp_path, campaign)
    tables, ov = ag.tables_and_overview(rep)
    row = tables.scores[tables.scores["branch"] == blank.name].iloc[0]
    assert pd.isna(row["total"]) and all(pd.isna(row[s.id]) for s in campaign.catalog.sections)
    books = dict(build_feedback(rep, tables, ov))
    ws = load(books[feedback_name(blank)])[S_SCORES]
    header_at = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "部分")
    rows = table_rows(ws, header_at)
    mine = [r["本单位得分"] for r in rows if str(r.get("部分", "")).startswith(("一", "二", "三"))]
    assert mine and all(v is None for v in mine), mine


def test_feedback_says_why_a_sheet_is_empty(
    books: dict[str, bytes], campaign: Campaign, tables: ag.Tables
) -> None:
    """A branch whose form did not arrive (or could not be used) is told so, not "共 0 项" (which reads as
    "nothing to fix")."""
    with_tasks = set(tables.task_details["branch"])
    for seq in (1, 2, 3, 4, 5):
        branch = campaign.roster[seq - 1]
        wb = load(books[name_of(campaign, seq)])
        tasks_note = str(wb[S_TASKS]["A2"].value)
        if branch.name in with_tasks:
            assert "未收到" not in tasks_note
        else:
            assert "未收到可用的附件2重点任务清单" in tasks_note and "0 项" not in tasks_note
    only_tasks = load(books[name_of(campaign, 5)])  # branch 5 sent only its 附件2
    note = str(only_tasks[S_DEDUCTIONS]["A2"].value)
    assert "未收到可用的附件1评分表" in note and "0 项" not in note


def test_no_internal_id_reaches_a_branch(books: dict[str, bytes]) -> None:
    """The feedback goes to the branch: items and tasks as its forms show them, never S01.2 or T05 (what a
    branch typed into its own cells is its own and not looked at)."""
    import re

    ids = re.compile(r"(?<![A-Za-z0-9])(S\d{2}(\.\d+)?|T\d{2})(?![0-9])")
    ours = ("项目", "序号", "所属部分", "督查内容", "重点工作任务", "类别")
    for name, data in books.items():
        wb = load(data)
        for sheet in (S_DEDUCTIONS, S_TASKS):
            for r in table_rows(wb[sheet]):
                shown = [str(r[k]) for k in ours if r.get(k) is not None]
                assert not any(ids.search(v) for v in shown), (name, sheet, shown)
        for ws in wb.worksheets:  # titles, notes and the score sheet's labels
            for row in ws.iter_rows(max_row=2, values_only=True):
                assert not any(isinstance(v, str) and ids.search(v) for v in row), (name, ws.title, row)
