"""Issue 19 item 5: every failure says what and where in Chinese, with its own exit code.

0 done · 1 files rejected (--strict) or a checked file with errors · 2 usage, configuration or a refused
request · 3 an unexpected internal error (one line naming a log file with the traceback) · 4 an output
that cannot be written · 130 cancelled. Before, a write error was a traceback with exit code 1, the code
`--strict` uses for rejected files; an output could overwrite an input; `inspect --out` could lie in the inbox.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fill import fill_form, full_scores

from dangjian_xlsx import atomic
from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.cli import cli
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.models import FormKind
from dangjian_xlsx.ownfiles import MARKER_NAME

CAMPAIGN = default_campaign()


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def invoke(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args)


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder (the current one) with an inbox of one complete 附件1."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "收件"
    folder.mkdir()
    branch = CAMPAIGN.roster[0]
    form = build_form(CAMPAIGN, FormKind.SCORING, branch)
    fill_form(form, folder / form_filename(FormKind.SCORING, branch), full_scores(CAMPAIGN.catalog))
    return folder


def assert_said(result: Result, code: int, *needles: str) -> None:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for needle in needles:
        assert flat(needle) in flat(result.output), (needle, result.output)


# ---------------------------------------------------------------- 4: an output cannot be written


@pytest.mark.parametrize(
    "args",
    [
        ["collect", "收件", "--out", "文件/汇总表.xlsx"],
        ["generate", "--out", "文件/表格"],
        ["init", "--out", "文件/配置"],
        ["feedback", "收件", "--out", "文件/反馈表"],
        ["inspect", "收件", "--out", "文件/督查评分表"],
    ],
)
def test_an_output_under_a_regular_file_is_said_with_exit_code_4(inbox: Path, args: list[str]) -> None:
    (inbox.parent / "文件").write_text("一个普通文件", "utf-8")
    result = invoke(args)
    assert_said(result, 4, "无法写入", "文件 是文件而不是文件夹")
    assert (inbox.parent / "文件").read_text("utf-8") == "一个普通文件"


@pytest.mark.parametrize(
    ("folder", "file", "said"),
    [
        ("汇总表_得分.csv", None, "汇总表_得分.csv：这里已有一个同名的文件夹"),
        (None, "退回修改", "退回修改：这里已有一个同名的文件，而本工具要在这里写一个文件夹"),
        ("汇总表.上次.xlsx", None, "汇总表.上次.xlsx：这里已有一个同名的文件夹"),
    ],
)
def test_something_in_the_way_of_an_output_is_said_and_left_alone(
    inbox: Path, folder: str | None, file: str | None, said: str
) -> None:
    if folder:
        (inbox.parent / folder).mkdir()
        (inbox.parent / folder / "我的.txt").write_text("留着", "utf-8")
    if file:
        (inbox.parent / file).write_text("留着", "utf-8")
    result = invoke(["collect", "收件", "--out", "汇总表.xlsx"])
    assert_said(result, 4, said)
    assert not (inbox.parent / "汇总表.xlsx").exists()
    kept = inbox.parent / folder / "我的.txt" if folder else inbox.parent / str(file)
    assert kept.read_text("utf-8") == "留着"


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (errno.ENOSPC, "磁盘空间不足。请清理磁盘空间或换一个输出位置后重试"),
        (errno.EROFS, "所在的磁盘或文件系统是只读的"),
        (errno.EACCES, "没有写入权限，或文件正在 Excel/WPS 中打开"),
    ],
)
@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["collect", "收件", "--out", "出/汇总表.xlsx"], "出/汇总表.xlsx"),
        (["generate", "--out", "表格"], "表格/附件1_评分表.xlsx"),
        (["init", "--out", "配置"], "配置/campaign.toml"),
        (["feedback", "收件", "--out", "反馈表"], "反馈表"),
        (["inspect", "收件", "--out", "督查评分表"], "督查评分表"),
    ],
)
def test_a_failing_disk_is_said_with_what_and_where(
    inbox: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], where: str, code: int, said: str
) -> None:
    def failing(tmp: Path, data: object) -> None:
        raise OSError(code, os.strerror(code), str(tmp))

    monkeypatch.setattr(atomic, "fill", failing)
    result = invoke(args)
    assert_said(result, 4, f"无法写入 {inbox.parent / where}：{said}")
    assert ".part" not in result.output  # the output named, not its temporary file


def test_a_full_disk_in_collect_leaves_the_previous_outputs(
    inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke(["collect", "收件", "--out", "出/汇总表.xlsx"]).exit_code == 0
    out = inbox.parent / "出"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = []

    def filling(tmp: Path, data: object) -> None:
        calls.append(tmp)
        if len(calls) == 4:  # the summary and two exports are written: the disk is full at the third
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
        fill(tmp, data)

    fill = atomic.fill
    monkeypatch.setattr(atomic, "fill", filling)
    result = invoke(["collect", "收件", "--out", "出/汇总表.xlsx"])
    assert_said(result, 4, "磁盘空间不足", f"本次没有替换任何输出，{out} 中仍是上次的结果")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# ---------------------------------------------------------------- 2: refused before anything is written


@pytest.mark.parametrize("out", ["名单.xlsx", "名单_文件.csv", "名单_文件.csv/汇总表.xlsx"])
def test_outputs_that_would_overwrite_the_roster_are_refused(inbox: Path, out: str) -> None:
    """The exports of 名单.xlsx would replace 名单_文件.csv; the summary itself; a summary under it."""
    roster = inbox.parent / "名单_文件.csv"
    roster.write_text("序号,党总支名称\n1,文学院党总支\n", "utf-8-sig")
    before = roster.read_bytes()
    result = invoke(["collect", "收件", "--roster", str(roster), "--out", out])
    assert_said(result, 2, "会覆盖本次读取的文件", str(roster))
    assert roster.read_bytes() == before and sorted(p.name for p in inbox.parent.iterdir()) == [
        "名单_文件.csv",
        "收件",
    ]


def test_inspect_refuses_to_write_inside_the_inbox(inbox: Path) -> None:
    before = sorted(inbox.rglob("*"))
    result = invoke(["inspect", "收件", "--out", "收件/督查"])
    assert_said(result, 2, "督查评分表不能写在收件文件夹里", "收件/督查 位于收件文件夹 收件 之内")
    assert sorted(inbox.rglob("*")) == before


def test_an_output_folder_holding_the_working_folder_is_refused(inbox: Path) -> None:
    result = invoke(["feedback", "收件", "--out", "."])
    assert_said(result, 2, "会被整体替换")
    assert (inbox.parent / "收件").is_dir() and not list(inbox.parent.parent.glob("*.上次"))


def test_somebody_elses_folder_is_never_replaced(inbox: Path) -> None:
    mine = inbox.parent / "退回修改"
    mine.mkdir()
    (mine / "我的笔记.docx").write_bytes(b"x")
    result = invoke(["collect", "收件", "--out", "汇总表.xlsx"])
    assert_said(result, 2, "中有不是本工具写出的内容（我的笔记.docx）")
    assert sorted(p.name for p in mine.iterdir()) == ["我的笔记.docx"]
    (mine / MARKER_NAME).write_text("别的内容", "utf-8")  # a marker must say what the tool's says
    assert invoke(["collect", "收件", "--out", "汇总表.xlsx"]).exit_code == 2


# ---------------------------------------------------------------- 3: unexpected; 130: cancelled


def test_an_unexpected_error_is_one_line_naming_its_log(inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dangjian_xlsx import aggregate

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("意外的内部状态")

    monkeypatch.setattr(aggregate, "tables_and_overview", broken)
    result = invoke(["collect", "收件", "--out", "出/汇总表.xlsx"])
    assert_said(result, 3, "程序内部错误（RuntimeError），未能完成。详细信息已写入")
    line = next(x for x in result.output.splitlines() if "程序内部错误" in x)
    log = Path(re.search(r"详细信息已写入 (\S+\.log)", line).group(1))  # type: ignore[union-attr]
    text = log.read_text("utf-8")
    assert "Traceback" in text and "意外的内部状态" in text and "collect" in text
    assert "意外的内部状态" not in result.output
    log.unlink()


def test_ctrl_c_is_cancelled_with_exit_code_130(inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dangjian_xlsx import collect

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(collect, "run_collect", interrupted)
    result = invoke(["collect", "收件", "--out", "出/汇总表.xlsx"])
    assert_said(result, 130, "已取消")
    assert not (inbox.parent / "出").exists()  # the folder made for its lock is gone again


# ---------------------------------------------------------------- real processes


def run_tool(args: list[str], cwd: Path, code: str = "") -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own; `code` runs first (to break something on purpose)."""
    start = f"{code}\nfrom dangjian_xlsx.cli import main\nmain()"
    return subprocess.run(
        [sys.executable, "-c", start, *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_exit_codes_in_real_processes(inbox: Path) -> None:
    (inbox.parent / "文件").write_text("x", "utf-8")
    blocked = run_tool(["collect", "收件", "--out", "文件/汇总表.xlsx"], inbox.parent)
    assert (
        blocked.returncode == 4
        and "是文件而不是文件夹" in blocked.stderr
        and "Traceback" not in blocked.stderr
    )
    broken = run_tool(
        ["collect", "收件", "--out", "出/汇总表.xlsx"],
        inbox.parent,
        "import dangjian_xlsx.outputs as o\no.write_outputs = lambda *a, **k: 1 / 0",
    )
    assert broken.returncode == 3 and "Traceback" not in broken.stderr
    said = [x for x in broken.stderr.splitlines() if x.strip()]
    assert len(said) == 1 and "程序内部错误（ZeroDivisionError）" in said[0], broken.stderr
    Path(re.search(r"已写入 (\S+\.log)", said[0]).group(1)).unlink()  # type: ignore[union-attr]
    fine = run_tool(["collect", "收件", "--out", "出/汇总表.xlsx", "--strict"], inbox.parent)
    assert fine.returncode == 0, fine.stderr
