"""The summary of a round that is not 2018's (tests/other_report.py: a 党支部 round on tests/other_forms.py's forms —
three statuses, half points, a one-item section, a total of 150, the labels 附件3 / 附件4), collected from real
filled files and read back: the status columns are the round's, the points show their half, the maximum is 150,
the sheets say 党支部 and the round's attachment labels, never 党总支 nor 2018's statuses."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from other_report import (
    BRANCHES,
    DONE,
    NOT_STARTED,
    PROGRESS,
    TASKS,
    Round,
    header_rows,
    other_round,
    total,
    xml_text,
)

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.outputs import Outputs, write_outputs
from dangjian_xlsx.summary import status_colours, task_tones

OLD_STATUSES = ("持续推进", "未完成", "不适用")


@dataclass
class Written:
    round: Round
    out: Outputs
    wb: openpyxl.Workbook


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    folder = tmp_path_factory.mktemp("other")
    r = other_round(folder)
    out = write_outputs(r.report, folder / "out" / "汇总表.xlsx", feedback=True)
    return Written(r, out, openpyxl.load_workbook(out.summary))


def _by_branch(rows: list[dict]) -> dict[str, dict]:
    return {r["党支部"]: r for r in rows if r.get("党支部")}


def test_task_summary_has_the_rounds_status_columns_and_rates(written: Written) -> None:
    ws = written.wb["任务清单汇总"]
    head, rows = header_rows(ws, "完成率")
    first_task = next(i for i, h in enumerate(head) if str(h).startswith("T01"))
    assert head[:first_task] == [
        "序号",
        "党支部",
        "附件4",
        "完成率",
        DONE,
        PROGRESS,
        NOT_STARTED,
        "未填或无效",
    ]
    got = _by_branch(rows)
    for seq in (1, 2):
        row, typed = got[BRANCHES[seq - 1]], TASKS[seq]
        assert [row[s] for s in (DONE, PROGRESS, NOT_STARTED, "未填或无效")] == [
            typed.count(DONE), typed.count(PROGRESS), typed.count(NOT_STARTED), 0,
        ]  # fmt: skip
        assert row["完成率"] == pytest.approx(typed.count(DONE) / len(typed))  # no 不适用 to leave out
    three = got[BRANCHES[2]]  # 基本完成 is not a choice: 暂计, no rate
    assert three["完成率"] is None and str(three["附件4"]).startswith("暂计")
    assert (three[DONE], three[PROGRESS], three["未填或无效"]) == (4, 1, 1)
    note = ws["A2"].value
    assert f"完成率 = {DONE} ÷（{DONE} + {PROGRESS} + {NOT_STARTED}）" in note and "不适用" not in note
    assert "6项任务" in ws["A1"].value
    # the school's rate of each task: over 01 and 02 (03 is 暂计)
    rate_row = [c.value for c in ws[3]]
    for k, task_id in enumerate(("T01", "T02", "T03", "T04", "T05", "T06")):
        done = sum(TASKS[s][k] == DONE for s in (1, 2))
        assert rate_row[first_task + k] == pytest.approx(done / 2), task_id


def test_task_statuses_are_coloured_by_their_role(written: Written) -> None:
    cat = written.round.campaign.catalog
    assert task_tones(cat) == {NOT_STARTED: "red", PROGRESS: "amber", DONE: "green"}
    assert not set(OLD_STATUSES) & set(status_colours(cat))
    ws = written.wb["任务清单汇总"]
    words = {
        f.strip('"') for cf in ws.conditional_formatting for rule in cf.rules for f in rule.formula or []
    }
    assert {DONE, PROGRESS, NOT_STARTED} <= words and not set(OLD_STATUSES) & words


def test_scores_show_half_points_and_the_150_maximum(written: Written) -> None:
    c = written.round.campaign
    ws = written.wb["得分汇总"]
    head, rows = header_rows(ws, "自评排名")
    assert "二、组织生活（40分）" in head and "四、阵地建设（15分）" in head and "附件3文件" in head
    got = _by_branch(rows)
    assert total(c, 1) == 147.5
    assert (got[BRANCHES[1]]["自评总分"], got[BRANCHES[1]]["自评排名"]) == (150, 1)
    assert (got[BRANCHES[0]]["自评总分"], got[BRANCHES[0]]["自评排名"]) == (147.5, 2)
    assert got[BRANCHES[0]]["一、组织设置（10分）"] == 9.5
    assert got[BRANCHES[2]]["自评排名"] is None and str(got[BRANCHES[2]]["状态"]).startswith("暂计")
    assert "附件3" in ws["A2"].value and "附件1" not in ws["A2"].value
    # 总览: the section maxima and the totals chart's axis go by the catalog
    ov = written.wb["总览"]
    _, sections = header_rows(ov, "满分")
    assert [r["满分"] for r in sections if r.get("满分") is not None][:5] == [10, 40, 60, 15, 25]
    maxima = re.findall(r'<c:max val="([\d.]+)"/>', xml_text(written.out.summary))
    assert "150" in maxima and "100" not in maxima


def test_points_columns_show_half_points(written: Written) -> None:
    ledger = written.wb["问题台账"]
    head, rows = header_rows(ledger, "整改措施")
    points = head.index("分值") + 1
    mine = {r["编号"]: r for r in rows if r["党支部"] == BRANCHES[0]}
    assert (mine["S02.1"]["分值"], mine["S02.1"]["得分"]) == (7.5, 7)
    assert (mine["S03.4"]["分值"], mine["S03.4"]["得分"]) == (0.5, 0)
    assert ledger.cell(4, points).number_format == "General"  # 7.5 shows as 7.5, 2 as 2 (not "0": 8, 1)
    losses = written.wb["失分分析"]
    head, rows = header_rows(losses, "分值")
    assert {r["编号"]: r["分值"] for r in rows}["S03.4"] == 0.5
    assert losses.cell(4, head.index("分值") + 1).number_format == "General"
    assert "失分党支部数" in head
    assert "先列5个部分，再列16项" in losses["A2"].value


def test_items_sheet_heads_each_section_over_its_items(written: Written) -> None:
    ws = written.wb["得分明细"]
    assert ws["A1"].value == "得分明细（16项自评得分）" and ws["B3"].value == "党支部"
    c = written.round.campaign.catalog
    merged = {str(r) for r in ws.merged_cells.ranges}
    col = 6  # after 序号、党支部、自评总分、状态、缺项或无效
    for s in c.sections:
        n = len(s.items)
        first = openpyxl.utils.get_column_letter(col)
        last = openpyxl.utils.get_column_letter(col + n - 1)
        assert ws.cell(3, col).value == f"{s.numeral}、{s.name}（{s.max_points}分）"
        assert (f"{first}3:{last}3" in merged) == (n > 1), s.id  # 四、阵地建设: one item, not merged
        for k, item in enumerate(s.items):
            assert ws.cell(4, col + k).value == f"{item.id}\n（{item.points}分）"
        col += n
    assert ws.cell(4, 6 + 3).value == "S02.1\n（7.5分）"


def test_overview_and_every_sheet_say_the_rounds_words(written: Written) -> None:
    ws = written.wb["总览"]
    labels = {r[0]: r[1] for r in ws.iter_rows(max_col=2, values_only=True) if isinstance(r[0], str)}
    assert labels["应交党支部"] == 4 and "应交党总支" not in labels
    assert (
        "一、交回情况（按党支部）" in labels
        and labels["计入统计的附件3"] == 2
        and labels["计入统计的附件4"] == 2
    )
    sub_head, _ = header_rows(written.wb["提交情况"], "交回情况")
    assert sub_head[:7] == [
        "序号",
        "党支部",
        "交回情况",
        "材料质量",
        "自查报告",
        "附件3 评分表",
        "附件4 任务清单",
    ]
    files_head, files = header_rows(written.wb["文件清单"], "处理结果")
    assert "党支部" in files_head and {f["类型"] for f in files} == {"附件3 评分表", "附件4 重点任务清单"}
    text = xml_text(written.out.summary)
    assert "党支部" in text and "党总支" not in text
    assert not [s for s in OLD_STATUSES if s in text]
    assert not re.search(r"44项|20项|12个部分|满分\s*100", text)


def test_feedback_says_the_rounds_words(written: Written) -> None:
    (book,) = [p for p in written.out.feedback if p.name.startswith("01_")]
    wb = openpyxl.load_workbook(book)
    lines = {r[0]: (r[1], r[2]) for r in wb.worksheets[0].iter_rows(max_col=3, values_only=True) if r[0]}
    assert lines["自评总分"][0] == 147.5 and "满分 150 分" in lines["自评总分"][1]
    assert "共 2 个党支部参与自评排名" in lines["自评排名"][1]
    assert lines["重点任务完成率"] == (0.5, f"{DONE} ÷（{DONE} + {PROGRESS} + {NOT_STARTED}）")
    tasks = wb.worksheets[2]
    assert tasks.title == "待完成任务"
    _, open_rows = header_rows(tasks, "完成状态")
    assert [(r["序号"], r["完成状态"]) for r in open_rows] == [
        ("第2项任务", PROGRESS),
        ("第3项任务", NOT_STARTED),
        ("第6项任务", PROGRESS),
    ]
    assert f"“{PROGRESS}”“{NOT_STARTED}”" in tasks["A2"].value and "附件4" in tasks["A2"].value
    for path in written.out.feedback:
        text = xml_text(path)
        assert "党支部" in text and "党总支" not in text and not [s for s in OLD_STATUSES if s in text], path


def test_exports_have_a_count_per_status_of_the_round(written: Written) -> None:
    doc = json.loads(written.out.exports[-1].read_text("utf-8"))
    assert doc["ids"]["statuses"] == {
        "n_done": DONE,
        "n_progress": PROGRESS,
        "n_not_done": NOT_STARTED,
        "n_blank": "",
    }
    one = next(r for r in doc["tasks"] if r["seq"] == 1)
    assert (one["n_done"], one["n_progress"], one["n_not_done"], one["n_blank"], one["rate"]) == (
        3,
        2,
        1,
        0,
        0.5,
    )
    assert "n_na" not in one and "n_na" not in doc["task_rates"][0]
    assert "terms" not in doc["overview"]
    lines = {x["label"]: x["value"] for x in doc["overview_lines"]}
    assert lines["应交党支部"] == 4 and "统计依据：2 份完整有效的附件3、2 份附件4" in doc["overview"]["basis"]


def test_the_2018_status_columns_are_as_before(campaign) -> None:  # type: ignore[no-untyped-def]
    cat = campaign.catalog
    assert ag.task_count_columns(cat) == ["n_done", "n_progress", "n_not_done", "n_na", "n_blank"]
    assert [c.header for c in ag.status_columns(cat)] == [
        "已完成",
        "持续推进",
        "未完成",
        "不适用",
        "未填或无效",
    ]
    assert ag.rate_formula(cat) == "已完成 ÷（已完成 + 持续推进 + 未完成）"
    assert task_tones(cat) == {"未完成": "red", "持续推进": "amber", "已完成": "green", "不适用": "grey"}


def test_a_clerks_ledger_is_carried_over_in_a_党支部_round(written: Written, tmp_path: Path) -> None:
    """问题台账's branch column is headed 党支部: what the clerk typed is found and carried into the next summary."""
    path = tmp_path / "汇总表.xlsx"
    path.write_bytes(written.out.summary.read_bytes())
    wb = openpyxl.load_workbook(path)
    ws = wb["问题台账"]
    head = [c.value for c in ws[3]]
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 3).value == "S02.1")
    ws.cell(row, head.index("整改措施") + 1).value = "补开组织生活会"
    wb.save(path)
    again = write_outputs(written.round.report, path)
    assert again.ledger is not None and again.ledger.carried == 1
    _, rows = header_rows(openpyxl.load_workbook(path)["问题台账"], "整改措施")
    assert {(r["党支部"], r["编号"]): r["整改措施"] for r in rows}[(BRANCHES[0], "S02.1")] == "补开组织生活会"
