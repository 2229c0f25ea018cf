"""Issue 20 item 4: the command line ends its process without the interpreter's teardown (`cli.main`): the
exit handlers run and the streams are flushed, the exit code is kept, but the objects a command built are not
freed one by one. Under a profiler or a tracer (coverage) the process ends as usual, so that they write their
data."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# a module-level object whose finalizer only the interpreter's teardown runs, and an exit handler
_RUN = """
import atexit, sys

class Torn:
    def __del__(self):
        sys.stdout.write("torn down\\n")
        sys.stdout.flush()

kept = Torn()
atexit.register(lambda: print("exit handler ran"))
from dangjian_xlsx.cli import main
sys.argv = ["dangjian-xlsx", *sys.argv[1:]]
main()
"""


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_RUN), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_the_exit_handlers_run_and_the_teardown_is_skipped() -> None:
    done = _run("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["dangjian-xlsx 版本 0.1.0", "exit handler ran"]


def test_the_exit_code_and_the_message_are_kept() -> None:
    done = _run("collect", "没有这个文件夹")
    assert done.returncode == 2
    assert "用法错误" in done.stderr and "没有这个文件夹" in done.stderr
    assert "torn down" not in done.stdout and "exit handler ran" in done.stdout


def test_a_whole_collect_prints_everything_through_a_pipe(tmp_path: Path) -> None:
    """The sample inbox collected with --feedback: every line reaches the pipe before the process ends."""
    out = tmp_path / "出"
    done = _run("collect", str(ROOT / "sample_submissions"), "--out", str(out / "汇总表.xlsx"), "--feedback")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "exit handler ran" and "torn down" not in lines
    said = "".join(done.stdout.split())  # long paths are wrapped at the console's width
    assert f"已写入{out / '汇总表.xlsx'}" in said
    feedback = sorted((out / "反馈表").glob("*.xlsx"))
    assert feedback and f"已写入{len(feedback)}份反馈表，位于{out / '反馈表'}" in said
    assert said.index("份反馈表") < said.index("退回修改")  # the last lines too


def test_a_profiler_still_writes_its_data(tmp_path: Path) -> None:
    stats = tmp_path / "collect.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "dangjian_xlsx", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert stats.stat().st_size > 0
