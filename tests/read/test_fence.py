"""One bad file never costs the batch (issue 19, item 1): the native reader runs in a reader process of its
own (read/fence.py) — an abort, a runaway allocation or a reading past the time budget there rejects that
file only, a panic's text never reaches the terminal — and the .xls pre-check covers every record calamine
sizes memory from (the fuzzing audit's MULRK: row 9999, first column 0xFFFF, last column 0).

The runs that could abort are made in a subprocess with a bounded address space (`RLIMIT_AS`), so that the
code before the fence aborts (exit 134) instead of growing until the machine's memory runs out.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from fill import clean_values, fill_form
from hostile_corpus import make_xls, mulrk

from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.models import FormKind

TESTS = Path(__file__).resolve().parent.parent
ADDRESS_SPACE = 6 * 1024**3  # enough for the tool and its reader process; far below a 21 GB grid
PANIC_TEXT = re.compile(r"panicked|RUST_BACKTRACE|stack backtrace|memory allocation|Traceback|Error:")

# the audit's file: a MULRK at row 9999 whose first column is 0xFFFF and last column 0 (two RK values)
AUDIT_MULRK = mulrk(9999, 0xFFFF, 0, 2)


def audit_xls() -> bytes:
    return make_xls([("评分表", 0, [(0, 0, "附件1"), (2, 1, "文学院党总支")])], sheet_extra=AUDIT_MULRK)


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_bounded(args: list[str], cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, RUST_BACKTRACE="1", PYTHONPATH=path)
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, preexec_fn=_bounded
    )


def run_script(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_bounded([sys.executable, "-c", textwrap.dedent(code)], cwd)


def test_the_audit_xls_is_rejected_and_the_batch_goes_on(tmp_path: Path) -> None:
    """collect on an inbox holding the audit's .xls and a good form: the summary is written, the .xls
    rejected with a Chinese reason, the form accepted; nothing but the tool's own lines is printed."""
    camp = default_campaign()
    branch = camp.roster[0]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / f"{branch.name}附件1.xls").write_bytes(audit_xls())
    src = build_form(camp, FormKind.TASKS, branch)
    fill_form(src, inbox / f"{branch.name}附件2.xlsx", clean_values(camp.catalog, FormKind.TASKS))
    out = tmp_path / "out" / "汇总表.xlsx"
    done = run_bounded(
        [sys.executable, "-m", "dangjian_xlsx", "collect", str(inbox), "--out", str(out)], tmp_path
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert not PANIC_TEXT.search(done.stdout + done.stderr), done.stderr[-2000:]
    rows = _file_rows(out)
    bad = rows[f"{branch.name}附件1.xls"]
    assert bad["处理结果"] == "退回" and bad["原因"] == "工作表过大"
    assert rows[f"{branch.name}附件2.xlsx"]["处理结果"] == "已接收"


def _file_rows(summary: Path) -> dict[str, dict[str, object]]:
    ws = openpyxl.load_workbook(summary, read_only=True)["文件清单"]
    rows = list(ws.iter_rows(values_only=True))
    h = next(i for i, r in enumerate(rows) if r and r[0] == "文件")
    return {str(r[0]): dict(zip(rows[h], r, strict=False)) for r in rows[h + 1 :] if r and r[0]}


READS = """
    import json, sys
    from hostile_corpus import make_xls
    from dangjian_xlsx.read import ReadError, read_workbook

    def outcome(data):
        try:
            raw = read_workbook(data, "x.xls")
            return ["ok", [s.name for s in raw.sheets]]
        except ReadError as err:
            return [err.code.value, err.message, err.debug]
"""


def test_an_abort_in_the_reader_costs_that_file_only(tmp_path: Path) -> None:
    """With the .xls pre-check switched off, calamine meets the audit's MULRK and aborts: the reader process
    dies, the file is rejected as damaged (the signal in the debug text only), the next file reads."""
    script = (
        READS
        + """
    import dangjian_xlsx.read.xlssafety as xs
    from test_fence import audit_xls
    xs._check_biff = lambda stream, limits: None  # the pre-check off: calamine sees the record
    good = make_xls([("a", 0, [(0, 0, "x")])])
    print(json.dumps([outcome(audit_xls()), outcome(good), outcome(audit_xls()), outcome(good)]))
    """
    )
    done = run_script(script, Path(__file__).parent)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert not PANIC_TEXT.search(done.stderr), done.stderr[-2000:]
    bad, good, bad2, good2 = json.loads(done.stdout)
    assert good == good2 == ["ok", ["a"]]
    for b in (bad, bad2):
        assert b[0] == "file-corrupt" and "意外终止" in b[1] and "另存为 .xlsx" in b[1]
        assert "SIGABRT" in b[2] or "SIGSEGV" in b[2] or "SIGKILL" in b[2], b


def test_a_reading_past_the_time_budget_is_stopped(tmp_path: Path) -> None:
    """A reading that runs past READ_SECONDS is stopped: 'read-timeout' (处理超时), the next file reads."""
    script = (
        READS
        + """
    import time
    import dangjian_xlsx.read.workbook as wb
    real = wb._read
    stuck = make_xls([("slow", 0, [(0, 0, "x")])])
    def slow(data, *rest):
        if data == stuck:
            time.sleep(60)
        return real(data, *rest)
    wb._read = slow
    wb.READ_SECONDS = 1.0
    t = time.monotonic()
    first = outcome(stuck)
    took = time.monotonic() - t
    print(json.dumps([first, took, outcome(make_xls([("a", 0, [(0, 0, "x")])]))]))
    """
    )
    done = run_script(script, Path(__file__).parent)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    first, took, second = json.loads(done.stdout)
    assert first[0] == "read-timeout" and "1 秒" in first[1], first
    assert took < 10
    assert second == ["ok", ["a"]]


def test_read_timeout_is_a_rejection_with_its_short_reason() -> None:
    from dangjian_xlsx.messages import Code

    assert Code.READ_TIMEOUT.reason == "处理超时" and Code.READ_TIMEOUT.rejects


@pytest.mark.parametrize(
    ("forked", "at"), [(True, 0), (False, 0), (True, 2)], ids=["reader-process", "in-process", "from-C3"]
)
def test_a_panic_prints_nothing_and_costs_one_row(tmp_path: Path, forked: bool, at: int) -> None:
    """calamine panics converting a date serial of -1.1e11 (read here without the repack that turns such a
    value into text): nothing is printed, even with RUST_BACKTRACE set; the other rows are read, the row
    is blank and noted. In the reader process and in this process alike (where no fork is possible)."""
    script = f"""
    import json
    from test_fence import far_date_xlsx
    from dangjian_xlsx.read import fence
    from dangjian_xlsx.read.calamine import read_sheets
    from dangjian_xlsx.read.limits import DEFAULT_LIMITS
    if not {forked}:
        fence.can_fork = lambda: False
    raw = fence.call(read_sheets, far_date_xlsx(at={at}), "xlsx", DEFAULT_LIMITS)
    print(json.dumps([raw.sheets[0].rows, raw.notes]))
    """
    done = run_script(script, Path(__file__).parent)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stderr == ""
    rows, notes = json.loads(done.stdout)
    pad = [""] * at
    assert rows == [[*pad, "", ""]] * at + [[*pad, "r0", ""], [*pad, "", ""], [*pad, "r2", ""]]
    assert notes == [["row-unreadable", {"sheet": "S", "row": at + 2}]]


def far_date_xlsx(value: float = -1.1e11, at: int = 0) -> bytes:
    """A workbook whose cells start at row and column `at`: text, then a date-formatted number `value` beside
    text, then text."""
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("S")
    ws.write(at, at, "r0")
    ws.write(at + 1, at, "r1")
    ws.write_number(at + 1, at + 1, value, wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write(at + 2, at, "r2")
    wb.close()
    return buf.getvalue()


def test_quiet_stderr_silences_descriptor_2(capfd: pytest.CaptureFixture[str]) -> None:
    from dangjian_xlsx.read import fence

    with fence.quiet_stderr():
        os.write(2, b"panicked at somewhere\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_a_reader_process_that_ended_between_files_costs_no_file(tmp_path: Path) -> None:
    """The reader process killed from outside between two files: the next file is read by a new one."""
    script = (
        READS
        + """
    import os, signal, time
    from dangjian_xlsx.read import fence
    good = make_xls([("a", 0, [(0, 0, "x")])])
    first = outcome(good)
    os.kill(fence._current.pid, signal.SIGKILL)
    time.sleep(0.2)
    print(json.dumps([first, outcome(good)]))
    """
    )
    done = run_script(script, Path(__file__).parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [["ok", ["a"]], ["ok", ["a"]]]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process names (PR_SET_NAME) are Linux's")
def test_the_reader_process_is_named_and_released_when_the_batch_is_read(tmp_path: Path) -> None:
    """The reader process goes by dj-reader (ps, top); `release` stops it at once (a collect calls it when its
    batch is read, so that it does not hold memory through the writing), and the next read forks a new one."""
    script = (
        READS
        + """
    import os
    from dangjian_xlsx.read import fence, release_reader
    good = make_xls([("a", 0, [(0, 0, "x")])])
    first = outcome(good)
    pid = fence._current.pid
    name = open(f"/proc/{pid}/comm").read().strip()
    release_reader()
    try:
        os.waitpid(pid, os.WNOHANG)
        gone = False
    except ChildProcessError:
        gone = True  # stopped and reaped: not a child any more
    again = outcome(good)
    print(json.dumps([first, name, gone, fence._current.pid != pid, again]))
    """
    )
    done = run_script(script, Path(__file__).parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [["ok", ["a"]], "dj-reader", True, True, ["ok", ["a"]]]


def test_a_collect_leaves_no_reader_process_behind(tmp_path: Path) -> None:
    """What a collect read in its reader process (an .xls) is done once the batch is read: no reader process
    is left for the writing that follows."""
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "x.xls").write_bytes(make_xls([("a", 0, [(0, 0, "x")])]))
    script = f"""
    import json, os
    from pathlib import Path
    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.collect import run_collect
    from dangjian_xlsx.read import fence
    report = run_collect(Path({str(tmp_path / "inbox")!r}), default_campaign())
    kids = open(f"/proc/self/task/{{os.getpid()}}/children").read().split()
    print(json.dumps([[f.path for f in report.files], fence._current is None, kids]))
    """
    done = run_script(script, Path(__file__).parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [["x.xls"], True, []]
