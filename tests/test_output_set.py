"""Issue 19 item 4: a collect's outputs are replaced as one set, one run at a time.

The summary, its exports and 退回修改/ are written aside, then committed under a journal: a run killed at any
step leaves the previous set, or (once the next run has finished the commit) its own — never a mix. A lock
keeps a second run off the folder; a killed run's lock, staging folder and temporary files are cleared by
the next. The outputs are deterministic for the same inbox, so "one run's" is checked byte for byte against
the same inbox written afresh.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from fill import fill_form, full_scores

from dangjian_xlsx import outputs, summary
from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.cli import cli
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.errors import WriteError
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import Field
from dangjian_xlsx.lock import LOCK_NAME
from dangjian_xlsx.models import FormKind
from dangjian_xlsx.outset import JOURNAL_NAME, PAUSE_ENV, PAUSED
from dangjian_xlsx.round import PACK_DIR

CAMPAIGN = default_campaign()
T0 = dt.datetime(2018, 9, 28, 9, 0).timestamp()


def make_state(inbox: Path, k: int) -> None:
    """The inbox as it is at run k: 文学院's deduction explained, and 外国语学院's score cell wrong, each with k
    in its text (so every output of run k differs from run k-1's); modified k minutes after T0."""
    inbox.mkdir(parents=True, exist_ok=True)
    for index, cell in ((0, Field.NOTE), (1, Field.SCORE)):
        branch = CAMPAIGN.roster[index]
        values = full_scores(CAMPAIGN.catalog)
        values[(Field.SCORE, "S01.1")] = 1
        values[(cell, "S01.1")] = f"第{k}次"
        dest = inbox / form_filename(FormKind.SCORING, branch)
        fill_form(build_form(CAMPAIGN, FormKind.SCORING, branch), dest, values)
        os.utime(dest, (T0 + 60 * k, T0 + 60 * k))


def the_set(folder: Path) -> dict[str, bytes]:
    """The outputs of a collect in `folder`, by name: the summary, its exports and 退回修改/ (not the kept ones)."""
    found = {p.name: p.read_bytes() for p in folder.glob("汇总表*") if p.is_file() and "上次" not in p.name}
    pack = folder / PACK_DIR
    found |= {str(p.relative_to(folder)): p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    return found


def reference(inbox: Path, folder: Path) -> dict[str, bytes]:
    """What a run over the inbox as it is now writes, in a fresh folder."""
    outputs.write_outputs(run_collect(inbox, CAMPAIGN), folder / "汇总表.xlsx")
    return the_set(folder)


def leftovers(folder: Path) -> list[str]:
    """What the tool left that is not an output: its lock, journal, staging folders, temporary files."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.name.startswith(".") or p.name.endswith((".part", ".tmp", ".old"))
    )


def collect_process(inbox: Path, out: Path, pause: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, PAUSE_ENV: pause} if pause else dict(os.environ)
    args = [sys.executable, "-m", "dangjian_xlsx", "collect", str(inbox), "--out", str(out / "汇总表.xlsx")]
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_paused(proc: subprocess.Popen[str], timeout: float = 120) -> bool:
    """True once the process says it paused (it then waits to be killed); False when it ended without."""
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        assert proc.stderr is not None
        return any(line.startswith(PAUSED) for line in proc.stderr)
    finally:
        timer.cancel()


def kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.stderr is not None
    proc.stderr.close()


def full_run(inbox: Path, out: Path) -> None:
    proc = collect_process(inbox, out)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err


def kill_points(out: Path) -> list[str]:
    """Every point a commit can be killed at: the set staged, the journal written, after each rename (three
    per entry: the old kept copy away, the previous version to its kept name, the new one in place)."""
    files, folders = outputs.collect_set(out / "汇总表.xlsx", feedback=False)
    return ["stage", "journal", *(f"commit:{n}" for n in range(1, 3 * (len(files) + len(folders)) + 1))]


def test_a_collect_killed_at_any_step_of_writing_leaves_one_runs_outputs(tmp_path: Path) -> None:
    inbox, out = tmp_path / "收件", tmp_path / "出"
    refs: dict[int, dict[str, bytes]] = {}
    for k in (0, 1):  # two whole runs first: the outputs and their kept copies are there
        make_state(inbox, k)
        refs[k] = reference(inbox, tmp_path / f"ref{k}")
        full_run(inbox, out)
    assert the_set(out) == refs[1]
    current, points = 1, kill_points(out)
    assert len(points) == 23
    for i, point in enumerate(points):  # every kill point: 23 killed runs
        k = i + 2
        make_state(inbox, k)
        refs[k] = reference(inbox, tmp_path / f"ref{k}")
        assert refs[k] != refs[current]
        proc = collect_process(inbox, out, point)
        assert wait_paused(proc), f"never reached {point}"
        kill(proc)
        assert (out / LOCK_NAME).exists() and (out / JOURNAL_NAME).exists() == (point != "stage")
        with outputs.holding(out) as said:  # what the next run does first
            pass
        assert any("该进程已不存在" in line for line in said), said
        if point != "stage":
            assert any("上次运行在替换输出文件时中断：已完成替换" in line for line in said), said
            current = k
        assert the_set(out) == refs[current], f"killed at {point}: outputs of more than one run"
        assert leftovers(out) == [], point
    make_state(inbox, len(points) + 2)
    full_run(inbox, out)
    assert the_set(out) == reference(inbox, tmp_path / "last")
    assert leftovers(out) == []


def _two_runs(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    inbox, out = tmp_path / "收件", tmp_path / "出"
    for k in (0, 1):
        make_state(inbox, k)
        outputs.write_outputs(run_collect(inbox, CAMPAIGN), out / "汇总表.xlsx")
    make_state(inbox, 2)
    everything = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    return inbox, out, everything


def _now(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_an_export_failing_replaces_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the new summary was in place when the exports failed, beside the previous run's exports."""
    inbox, out, before = _two_runs(tmp_path)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(
        summary, "write_exports", full
    )  # outputs takes its writers from the stage when it writes
    with pytest.raises(WriteError, match="磁盘空间不足"):
        outputs.write_outputs(run_collect(inbox, CAMPAIGN), out / "汇总表.xlsx")
    assert _now(out) == before


def test_a_rename_failing_in_the_commit_puts_the_previous_set_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file open in Excel cannot be renamed (Windows): half the set is in place by then; it is undone."""
    inbox, out, before = _two_runs(tmp_path)
    rename = os.rename

    def busy(src: object, dst: object) -> None:
        if Path(str(src)) == out / "汇总表_文件.csv":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(src))
        rename(src, dst)

    monkeypatch.setattr(os, "rename", busy)
    with pytest.raises(WriteError) as info:
        outputs.write_outputs(run_collect(inbox, CAMPAIGN), out / "汇总表.xlsx")
    said = str(info.value)
    assert said.startswith(f"无法写入 {out / '汇总表_文件.csv'}：没有写入权限，或文件正在 Excel/WPS 中打开")
    assert f"本次没有替换任何输出，{out} 中仍是上次的结果" in said
    assert _now(out) == before  # the outputs and the kept copies, as they were


def test_a_second_run_is_refused_and_told_who_holds_the_folder(tmp_path: Path) -> None:
    inbox, out = tmp_path / "收件", tmp_path / "出"
    make_state(inbox, 0)
    first = collect_process(inbox, out, "stage")
    assert wait_paused(first)
    try:
        second = CliRunner().invoke(cli, ["collect", str(inbox), "--out", str(out / "汇总表.xlsx")])
        assert second.exit_code == 2, second.output
        said = "".join(second.output.split())
        assert (
            f"正被另一次运行使用（进程{first.pid}，计算机" in said and "命令：" in said and "collect" in said
        )
        assert not (out / "汇总表.xlsx").exists()
    finally:
        kill(first)
    third = CliRunner().invoke(cli, ["collect", str(inbox), "--out", str(out / "汇总表.xlsx")])
    assert third.exit_code == 0, third.output
    assert f"（进程 {first.pid}" in third.output and "该进程已不存在" in third.output
    assert (out / "汇总表.xlsx").is_file() and leftovers(out) == []


def test_what_killed_runs_left_is_removed_whatever_they_were_writing(tmp_path: Path) -> None:
    inbox, out = tmp_path / "收件", tmp_path / "出"
    make_state(inbox, 0)
    assert CliRunner().invoke(cli, ["collect", str(inbox), "--out", str(out / "汇总表.xlsx")]).exit_code == 0
    dead = 999_999_999  # above any pid_max: no such process
    left = [
        out / f".汇总表_旧名字.csv.{dead}.k2j4h5g6.part",  # a name no later run writes again
        out / PACK_DIR / f".01_文学院党总支_未交提醒.txt.{dead}.a1b2c3d4.part",
        out / f".dangjian-xlsx.{dead}.staging" / "汇总表.xlsx",
        out / f".{PACK_DIR}.上次.{dead}.tmp" / "x.txt",
    ]
    live = out / f".别人的.csv.{os.getpid()}.zz99yy88.part"  # a live writer's (this process)
    for p in (*left, live):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    again = CliRunner().invoke(cli, ["collect", str(inbox), "--out", str(out / "汇总表.xlsx")])
    assert again.exit_code == 0, again.output
    assert "已删除上次中断的运行留下的" in again.output
    assert leftovers(out) == [live.name]


def test_an_interrupted_commit_is_finished_and_said_by_remind(tmp_path: Path) -> None:
    inbox, out = tmp_path / "收件", tmp_path / "出"
    make_state(inbox, 0)
    full_run(inbox, out)
    make_state(inbox, 1)
    proc = collect_process(inbox, out, "commit:5")
    assert wait_paused(proc)
    kill(proc)
    result = CliRunner().invoke(cli, ["remind", str(out / "汇总表.xlsx")])
    assert result.exit_code == 0, result.output
    said = "".join(result.output.split())
    assert "上次运行在替换输出文件时中断：已完成替换" in said and "第1次" in said
    assert the_set(out) == reference(inbox, tmp_path / "ref") and leftovers(out) == []


def test_a_journal_that_cannot_be_finished_is_said_and_cleared(tmp_path: Path) -> None:
    (tmp_path / JOURNAL_NAME).write_text(json.dumps({"stage": ".dangjian-xlsx.1.staging", "entries": []}))
    with outputs.holding(tmp_path) as said:
        pass
    assert any("无法完成替换" in line and "可能来自不同的运行" in line for line in said), said
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_in_the_commit_leaves_it_for_the_next_run_to_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, out, _ = _two_runs(tmp_path)
    rename, calls = os.rename, []

    def interrupted(src: object, dst: object) -> None:
        calls.append(src)
        if len(calls) == 5:
            raise KeyboardInterrupt
        rename(src, dst)

    monkeypatch.setattr(os, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        outputs.write_outputs(run_collect(inbox, CAMPAIGN), out / "汇总表.xlsx")
    monkeypatch.setattr(os, "rename", rename)
    assert (out / JOURNAL_NAME).exists()
    with outputs.holding(out) as said:
        pass
    assert any("已完成替换" in line for line in said), said
    assert the_set(out) == reference(inbox, tmp_path / "ref") and leftovers(out) == []


def test_what_a_person_put_in_an_output_folder_survives_every_run(tmp_path: Path) -> None:
    """退回修改/ is replaced as a whole on each run, its previous version kept for one run only: a clerk's own
    file there (a note, a sending log in 邮件/) is carried into each new folder, never lost after two runs;
    the tool's own files of an earlier run are not carried."""
    inbox, out = tmp_path / "收件", tmp_path / "out"
    make_state(inbox, 1)
    outputs.write_outputs(run_collect(inbox, CAMPAIGN), out / "汇总表.xlsx")
    pack = out / PACK_DIR
    (pack / "备注.docx").write_bytes(b"note")
    (pack / "邮件").mkdir(exist_ok=True)
    (pack / "邮件" / "发送记录.txt").write_text("已发 01", "utf-8")
    # a person's own subfolder, holding copies of notices under the tool's names (found in a clerk's round)
    sent = pack / "已发送" / "01_文学院党总支_退回修改通知.txt"
    sent.parent.mkdir()
    sent.write_text("已于12月1日发出", "utf-8")
    stale = pack / "99_已撤销党总支_未交提醒.txt"  # a notice of ours that no longer applies
    stale.write_text("old", "utf-8")
    for k in (2, 3, 4):
        make_state(inbox, k)
        outputs.write_outputs(run_collect(inbox, CAMPAIGN), out / "汇总表.xlsx")
        assert (pack / "备注.docx").read_bytes() == b"note", k
        assert (pack / "邮件" / "发送记录.txt").read_text("utf-8") == "已发 01", k
        assert sent.read_text("utf-8") == "已于12月1日发出", k
        assert not stale.exists()
