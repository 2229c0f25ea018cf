"""outputs.write_outputs: everything a collect writes, from one computation of the tables and overview."""

from __future__ import annotations

import datetime as dt
import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ledger import ledger_rows, type_into_ledger
from synthetic import campaign_with, form1, scenario
from synthetic import report as synthetic_report

from dangjian_xlsx import aggregate, outputs, summary
from dangjian_xlsx import round as round_
from dangjian_xlsx.errors import UserError, WriteError
from dangjian_xlsx.models import Campaign, Report
from dangjian_xlsx.ownfiles import is_output_folder
from dangjian_xlsx.round import FEEDBACK_DIR, PACK_DIR
from dangjian_xlsx.summary import export_paths, read_previous

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")


@pytest.fixture(scope="module")
def rep(campaign: Campaign) -> Report:
    return scenario(campaign)


@pytest.fixture(scope="module")
def written(rep: Report, tmp_path_factory: pytest.TempPathFactory) -> outputs.Outputs:
    return outputs.write_outputs(rep, tmp_path_factory.mktemp("out") / "汇总表.xlsx", feedback=True)


def test_everything_beside_the_summary(written: outputs.Outputs, rep: Report) -> None:
    folder = written.summary.parent
    assert written.summary == folder / "汇总表.xlsx"
    assert [p.name for p in written.exports] == [
        "汇总表_得分.csv",
        "汇总表_任务.csv",
        "汇总表_问题.csv",
        "汇总表_文件.csv",
        "汇总表.json",
    ]
    assert written.feedback_dir == folder / FEEDBACK_DIR and written.corrections_dir == folder / PACK_DIR
    assert written.feedback and all(p.parent == written.feedback_dir for p in written.feedback)
    assert written.corrections and all(p.is_relative_to(written.corrections_dir) for p in written.corrections)
    assert written.paths == [written.summary, *written.exports, *written.feedback, *written.corrections]
    assert all(p.is_file() for p in written.paths)
    assert written.overview == aggregate.overview(rep)
    assert openpyxl.load_workbook(written.summary).sheetnames[0] == "总览"


def test_no_feedback_without_the_flag(rep: Report, tmp_path: Path) -> None:
    done = outputs.write_outputs(rep, tmp_path)
    assert done.summary == tmp_path / "汇总表.xlsx" and done.feedback == []
    assert not (tmp_path / FEEDBACK_DIR).exists() and done.corrections


def test_tables_are_computed_once(rep: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One collect --feedback computes the tables once for the summary, the exports and the feedback."""
    calls: dict[str, int] = {}

    def counting(name: str) -> Any:
        real = getattr(aggregate, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] = calls.get(name, 0) + 1
            return real(*args, **kwargs)

        return wrapper

    for name in ("tables_and_overview", "build_tables", "overview"):
        monkeypatch.setattr(aggregate, name, counting(name))
    outputs.write_outputs(rep, tmp_path / "汇总表.xlsx", feedback=True)
    assert calls == {"tables_and_overview": 1}


def test_branches_are_grouped_and_scored_once(
    rep: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which file counts per branch (`branch_files`) and each branch's scores are worked out once per collect
    --feedback, for the summary, the exports, the feedback and the correction pack alike."""
    from dangjian_xlsx.aggregate import current, scores

    calls = {"branch_files": 0, "score_branch": 0}
    for module, name in ((current, "branch_files"), (scores, "score_branch")):
        real = getattr(module, name)

        def wrapper(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _real(*args, **kwargs)

        for loaded in [m for n, m in sys.modules.items() if n.startswith("dangjian_xlsx")]:
            if getattr(loaded, name, None) is real:
                monkeypatch.setattr(loaded, name, wrapper)
    outputs.write_outputs(rep, tmp_path / "汇总表.xlsx", feedback=True)
    assert calls == {"branch_files": 1, "score_branch": len(rep.campaign.roster)}


@pytest.mark.parametrize(
    ("step", "where"),
    [
        ("write_summary", "汇总表.xlsx"),
        ("write_exports", ""),
        ("feedback_jobs", FEEDBACK_DIR),
        ("pack_jobs", PACK_DIR),
    ],
)
def test_a_file_open_elsewhere_is_a_write_error_and_replaces_nothing(
    rep: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, where: str
) -> None:
    first = outputs.write_outputs(rep, tmp_path / "汇总表.xlsx", feedback=True)
    before = {p: p.read_bytes() for p in first.paths}

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    def denied_jobs(*args: object, **kwargs: object) -> list[Any]:
        return [denied]  # a job that fails when it runs, whichever process takes it

    stage = summary if step.startswith("write_") else round_  # outputs takes them from there when it writes
    monkeypatch.setattr(stage, step, denied_jobs if step.endswith("_jobs") else denied)
    with pytest.raises(WriteError) as info:
        outputs.write_outputs(rep, tmp_path / "汇总表.xlsx", feedback=True)
    said = str(info.value)
    assert info.value.exit_code == 4
    assert said.startswith(f"无法写入 {tmp_path / where}：没有写入权限，或文件正在 Excel/WPS 中打开"), said
    assert f"本次没有替换任何输出，{tmp_path} 中仍是上次的结果" in said
    assert {p: p.read_bytes() for p in first.paths} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder, no lock


@pytest.mark.parametrize(
    ("step", "write"),
    [
        ("write_feedback", outputs.write_feedback_outputs),
        ("write_inspections", outputs.write_inspection_outputs),
    ],
)
def test_the_feedback_and_inspect_commands_say_which_folder_is_open_elsewhere(
    rep: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, write: Any
) -> None:
    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(round_, step, denied)
    with pytest.raises(WriteError, match="无法写入") as info:
        write(rep, tmp_path / "出")
    assert f"{tmp_path / '出'}：没有写入权限，或文件正在 Excel/WPS 中打开" in str(info.value)
    assert not (tmp_path / "出").exists()


def test_the_library_leaves_the_garbage_collector_alone(
    rep: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gc.freeze is the command line's choice (around collect), not the library's."""

    def refused() -> None:
        raise AssertionError("gc.freeze called by the library")

    monkeypatch.setattr(gc, "freeze", refused)
    outputs.write_outputs(rep, tmp_path / "汇总表.xlsx")


def test_the_summary_stage_never_imports_round() -> None:
    code = (
        "import sys, dangjian_xlsx.summary\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('dangjian_xlsx.round', 'dangjian_xlsx.outputs')))\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------- rule 8: nothing the clerk typed is lost


def _three(campaign: Campaign) -> Campaign:
    return campaign_with(campaign, 3)


def _round(camp: Campaign, files: list[Any]) -> Report:
    return synthetic_report(camp, files)


def _first_run(camp: Campaign) -> Report:
    b = camp.roster
    return _round(
        camp,
        [
            form1(camp, b[0], {"S01.1": 1, "S02.1": 0}, {"S01.1": "缺少清单", "S02.1": "未开展专题研究"}),
            form1(camp, b[1], {"S03.1": 1}, {"S03.1": "只研究了一次"}),
            form1(camp, b[2], {"S04.1": 1}, {"S04.1": "记录不全"}),
        ],
    )


def _after_corrections(camp: Campaign) -> Report:
    """第001 corrected S01.1 (full marks now), kept S02.1; 第002 rewrote its note; 第003's 附件1 is gone."""
    b = camp.roster
    return _round(
        camp,
        [
            form1(camp, b[0], {"S02.1": 0}, {"S02.1": "未开展专题研究"}),
            form1(camp, b[1], {"S03.1": 1}, {"S03.1": "上半年只研究了一次，已补开"}),
        ],
    )


TYPED_ROWS: dict[tuple[str, str], dict[str, Any]] = {
    ("第001党总支", "S01.1"): {
        "整改措施": "补建责任清单",
        "责任人": "张书记",
        "整改时限": dt.datetime(2018, 11, 30),
    },
    ("第001党总支", "S02.1"): {"整改措施": "十月召开专题会", "整改状态": "整改中"},
    ("第002党总支", "S03.1"): {"责任人": "李委员", "整改时限": "2018年12月"},
    ("第003党总支", "S04.1"): {"整改措施": "补齐会议记录", "整改状态": "已完成"},
    ("", ""): {"整改措施": "全校统一培训（手工添加）", "责任人": "组织部"},
}
TYPED_TEXT = {"整改时限": {dt.datetime(2018, 11, 30): "2018-11-30"}}  # a typed date comes back as its text


def _expected(value: Any, header: str) -> Any:
    return TYPED_TEXT.get(header, {}).get(value, value)


def test_rule8_typed_ledger_cells_survive_every_rerun(campaign: Campaign, tmp_path: Path) -> None:
    """The clerk types into 问题台账 (openpyxl saves it, a typed date as a date); collect runs again after a
    correction makes one deduction disappear, a branch rewrites its note and another's 附件1 is no longer there,
    then once more: every typed cell is still in the ledger, each row saying what became of it."""
    camp = _three(campaign)
    out = tmp_path / "汇总表.xlsx"
    outputs.write_outputs(_first_run(camp), out)
    type_into_ledger(out, TYPED_ROWS, added=[("第001党总支", "S02.1", "备注", "电话催办两次")])
    typed_file = out.read_bytes()

    second = outputs.write_outputs(_after_corrections(camp), out)
    assert (tmp_path / "汇总表.上次.xlsx").read_bytes() == typed_file  # the clerk's file, kept as it was
    third = outputs.write_outputs(_after_corrections(camp), out)

    for written in (second, third):
        assert written.ledger is not None and written.ledger.carried == len(TYPED_ROWS)
        assert written.ledger.gone == 1 and written.ledger.added_columns == ["备注"]
        assert "问题台账：保留已填写的整改记录 5 条（其中 1 条对应的问题已不存在" in written.kept_lines()[0]
    rows = ledger_rows(out)
    by_key = {(r["党总支"] or "", r["编号"] or ""): r for r in rows}
    for key, typed in TYPED_ROWS.items():
        row = by_key[key]
        for header, value in typed.items():
            assert row[header] == _expected(value, header), (key, header)
    assert by_key[("第001党总支", "S02.1")]["备注"] == "电话催办两次"
    states = {key: by_key[key]["台账状态"] for key in TYPED_ROWS}
    assert states == {
        ("第001党总支", "S01.1"): "已销号（问题已不存在）",
        ("第001党总支", "S02.1"): None,  # the deduction is still there
        ("第002党总支", "S03.1"): None,  # matched by 扣分说明 the second time (flagged once, below)
        ("第003党总支", "S04.1"): "保留（本次无法核对：没有该项的有效自评得分）",
        ("", ""): "保留（手工添加的行）",
    }
    # the gone row shows the deduction as it was; the live ones as they are now
    gone = by_key[("第001党总支", "S01.1")]
    assert (gone["得分"], gone["失分"], gone["扣分说明（佐证材料）"]) == (1, 1, "缺少清单")
    assert by_key[("第002党总支", "S03.1")]["扣分说明（佐证材料）"] == "上半年只研究了一次，已补开"
    # rows nobody typed into are rebuilt from the returns, no more, no less
    assert len(rows) == 2 + 3


def test_rule8_a_rewritten_note_is_carried_and_flagged(campaign: Campaign, tmp_path: Path) -> None:
    camp = _three(campaign)
    out = tmp_path / "汇总表.xlsx"
    outputs.write_outputs(_first_run(camp), out)
    type_into_ledger(out, {("第002党总支", "S03.1"): {"整改措施": "补开专题会"}})
    outputs.write_outputs(_after_corrections(camp), out)
    row = next(r for r in ledger_rows(out) if r["党总支"] == "第002党总支")
    assert row["整改措施"] == "补开专题会" and row["台账状态"] == "扣分说明已更改，请核对整改记录"


def test_rule8_the_previous_outputs_are_kept_before_they_are_replaced(
    campaign: Campaign, tmp_path: Path
) -> None:
    camp = _three(campaign)
    out = tmp_path / "汇总表.xlsx"
    first = outputs.write_outputs(_first_run(camp), out, feedback=True)
    before = {p: p.read_bytes() for p in first.paths}
    second = outputs.write_outputs(_after_corrections(camp), out, feedback=True)
    assert (tmp_path / "汇总表.上次.xlsx").read_bytes() == before[first.summary]
    for now, kept in zip(first.exports, export_paths(tmp_path / "汇总表.上次.xlsx").values(), strict=True):
        assert kept.read_bytes() == before[now], kept.name
    for p in (*first.feedback, *first.corrections):
        assert (p.parent.with_name(p.parent.name + ".上次") / p.name).read_bytes() == before[p], p.name
    assert {p.name for p in second.kept} >= {"汇总表.上次.xlsx", f"{FEEDBACK_DIR}.上次", f"{PACK_DIR}.上次"}
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith((".part", ".tmp", ".old"))]


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"not a workbook at all", "无法读取现有的汇总表"), (None, "不是本工具写出的汇总表")],
)
def test_rule8_a_file_there_that_is_not_a_readable_summary_is_never_replaced(
    campaign: Campaign, tmp_path: Path, content: bytes | None, needle: str
) -> None:
    out = tmp_path / "汇总表.xlsx"
    if content is None:  # somebody's own workbook at the summary's path
        wb = openpyxl.Workbook()
        wb.active.title = "我的台账"
        wb.save(out)
    else:
        out.write_bytes(content)
    before = out.read_bytes()
    with pytest.raises(UserError, match=needle) as info:
        outputs.write_outputs(_first_run(_three(campaign)), out)
    assert str(out) in str(info.value) and "没有覆盖" in str(info.value)
    assert out.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["汇总表.xlsx"]


def test_rule8_a_fresh_summary_has_nothing_typed(campaign: Campaign, tmp_path: Path) -> None:
    """What the tool writes in 问题台账 is all found by its headers and none of it counts as typed: a column
    added to the sheet later must be added to the reader's headers too (summary/sheets.py)."""
    written = outputs.write_outputs(scenario(campaign), tmp_path / "汇总表.xlsx")
    previous = read_previous(written.summary)
    assert previous is not None and previous.entries == []
    again = outputs.write_outputs(scenario(campaign), tmp_path / "汇总表.xlsx")
    assert again.ledger is not None and again.ledger.carried == 0 and again.kept_lines()[0].startswith("上次")


# ---------------------------------------------------------------- rule 11: the tool's folders are marked


def test_rule11_every_folder_the_tool_fills_for_people_is_marked(rep: Report, tmp_path: Path) -> None:
    written = outputs.write_outputs(rep, tmp_path / "汇总表.xlsx", feedback=True)
    assert is_output_folder(written.feedback_dir) and is_output_folder(written.corrections_dir)
    fed = tmp_path / "反馈"
    assert outputs.write_feedback_outputs(rep, fed) and is_output_folder(fed)
    inspected = tmp_path / "督查评分表"
    outputs.write_inspection_outputs(rep, inspected)
    assert not is_output_folder(inspected)  # these go into the inbox once filled
