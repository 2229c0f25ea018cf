"""outputs.write_outputs: everything a collect writes, from one computation of the tables and overview."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from synthetic import scenario

from dangjian_xlsx import aggregate, outputs
from dangjian_xlsx.errors import UserError
from dangjian_xlsx.models import Campaign, Report
from dangjian_xlsx.round import FEEDBACK_DIR, PACK_DIR

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
    assert written.corrections and all(p.parent == written.corrections_dir for p in written.corrections)
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
        ("write_summary", "汇总表.xlsx（文件可能正在 Excel/WPS 中打开）"),
        ("write_exports", "中的导出文件（可能正在被打开）"),
        ("write_feedback", f"{FEEDBACK_DIR}（文件可能正在 Excel/WPS 中打开）"),
        ("write_pack", f"{PACK_DIR}（文件可能正在 Excel/WPS 中打开）"),
    ],
)
def test_a_file_open_elsewhere_is_a_user_error(
    rep: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, where: str
) -> None:
    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(outputs, step, denied)
    with pytest.raises(UserError, match="无法写入") as info:
        outputs.write_outputs(rep, tmp_path / "汇总表.xlsx", feedback=True)
    assert where in str(info.value) and str(info.value).endswith("请关闭后重试")


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

    monkeypatch.setattr(outputs, step, denied)
    with pytest.raises(UserError, match="无法写入") as info:
        write(rep, tmp_path / "出")
    assert f"{tmp_path / '出'}（文件可能正在 Excel/WPS 中打开）" in str(info.value)


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
