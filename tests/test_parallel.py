"""parallel.share: this process and forked helpers take chunks from a shared counter; nothing is lost.

Forking needs a process with a single thread; pytest-xdist's workers run a second one, so the forking
cases run in a fresh interpreter (`_in_fresh_python`) and report back as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fresh import run_json

from dangjian_xlsx import parallel
from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.collect.pipeline import run_collect

ROOT = Path(__file__).resolve().parent.parent
PARENT = os.getpid()


def _in_fresh_python(body: str) -> Any:
    prelude = "import json, os, sys\nfrom dangjian_xlsx import parallel\nPARENT = os.getpid()\n"
    return run_json(prelude + textwrap.dedent(body))


@pytest.fixture(scope="module")
def can_fork() -> bool:
    return _in_fresh_python("print(json.dumps(parallel.fork_context() is not None))")


def test_results_in_order_computed_by_both_processes(can_fork: bool) -> None:
    if not can_fork:
        pytest.skip("this machine has no fork or a single core")
    got = _in_fresh_python(
        """
        import time
        def fn(k):
            time.sleep(0.001)  # long enough that neither process can take every chunk before the other starts
            return k * k, os.getpid()
        counts = []
        out = parallel.share(fn, 400, processes=2, done=counts.append, chunk=4)
        print(json.dumps({"values": [v for v, _ in out], "pids": sorted({p for _, p in out}),
                          "parent": PARENT, "counts": counts}))
        """
    )
    assert got["values"] == [k * k for k in range(400)]
    assert got["parent"] in got["pids"] and len(got["pids"]) == 2  # this process worked, and one helper
    counts = got["counts"]
    assert counts == sorted(set(counts)) and counts[-1] == 400


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process names (PR_SET_NAME) are Linux's")
def test_helpers_go_by_the_name_they_are_given(can_fork: bool) -> None:
    """A helper names itself (ps, top, the bench's memory by process): collect's are dj-collect, the
    writers' dj-write; the process that started them keeps its own name."""
    if not can_fork:
        pytest.skip("this machine has no fork or a single core")
    got = _in_fresh_python(
        """
        import time
        def fn(k):
            time.sleep(0.002)
            with open("/proc/self/comm") as fh:
                return os.getpid(), fh.read().strip()
        out = parallel.share(fn, 60, processes=2, chunk=1, name="dj-collect")
        print(json.dumps({"names": sorted({n for p, n in out if p != PARENT}),
                          "own": sorted({n for p, n in out if p == PARENT})}))
        """
    )
    assert got["names"] == ["dj-collect"]
    assert got["own"] and got["own"] != ["dj-collect"]


def test_what_a_dead_helper_took_is_computed_here(can_fork: bool) -> None:
    if not can_fork:
        pytest.skip("this machine has no fork or a single core")
    got = _in_fresh_python(
        """
        def fn(k):
            if os.getpid() != PARENT and k >= 40:
                os._exit(3)  # the helper is killed mid-run (e.g. by the OOM killer)
            return k * k, os.getpid()
        out = parallel.share(fn, 300, processes=2, chunk=4)
        print(json.dumps({"values": [v for v, _ in out], "late": sorted({p for _, p in out[40:]}),
                          "parent": PARENT}))
        """
    )
    assert got["values"] == [k * k for k in range(300)]
    assert got["late"] == [got["parent"]]


def test_share_leaves_the_collector_alone(can_fork: bool) -> None:
    """Library code does not freeze the collector (the caller's process state); the CLI may."""
    if not can_fork:
        pytest.skip("this machine has no fork or a single core")
    got = _in_fresh_python(
        """
        import gc, time
        def fn(k):
            time.sleep(0.001)
            return gc.get_freeze_count(), os.getpid()
        out = parallel.share(fn, 200, processes=2, chunk=4)
        print(json.dumps({"frozen": max(f for f, _ in out), "pids": len({p for _, p in out}),
                          "after": gc.get_freeze_count()}))
        """
    )
    assert got == {"frozen": 0, "pids": 2, "after": 0}


def test_collect_on_two_processes_equals_one(can_fork: bool, tmp_path: Path) -> None:
    if not can_fork:
        pytest.skip("this machine has no fork or a single core")
    inbox = ROOT / "sample_submissions"
    got = _in_fresh_python(
        f"""
        from pathlib import Path
        from dangjian_xlsx.catalog import default_campaign
        from dangjian_xlsx.collect.pipeline import run_collect
        import dangjian_xlsx.collect.pipeline as c
        seen = Path({str(tmp_path)!r})
        original = c.process_file
        def spy(*a, **k):  # each process that reads a file leaves its pid
            (seen / str(os.getpid())).touch()
            return original(*a, **k)
        c.process_file = spy
        report = run_collect(Path({str(inbox)!r}), default_campaign(), jobs=2)
        processes = len(list(seen.iterdir()))
        print(json.dumps(dict(processes=processes, report=json.loads(report.model_dump_json()))))
        """
    )
    assert got["processes"] == 2
    assert got["report"] == json.loads(run_collect(inbox, default_campaign(), jobs=1).model_dump_json())


def _square_and_pid(k: int) -> tuple[int, int]:
    return k * k, os.getpid()


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        out = parallel.share(_square_and_pid, 100, processes=2, chunk=4)
    finally:
        stop.set()
        other.join()
    assert out == [(k * k, PARENT) for k in range(100)]


def test_one_process_and_small_jobs_stay_here() -> None:
    assert parallel.share(_square_and_pid, 100, processes=1) == [(k * k, PARENT) for k in range(100)]
    assert parallel.share(_square_and_pid, 5, processes=2) == [(k * k, PARENT) for k in range(5)]
    assert parallel.share(_square_and_pid, 0) == []


def test_an_error_in_a_helper_is_raised_here(can_fork: bool) -> None:
    if not can_fork:
        pytest.skip("this machine has no fork or a single core")
    got = _in_fresh_python(
        """
        import time
        def fn(k):
            time.sleep(0.001)
            if k == 150:
                raise ValueError(f"item {k} failed in {'this process' if os.getpid() == PARENT else 'a helper'}")
            return k
        try:
            parallel.share(fn, 300, processes=2, chunk=4)
            print(json.dumps("no error"))
        except ValueError as exc:
            print(json.dumps(str(exc)))
        """
    )
    assert got == "item 150 failed in this process"


def test_a_file_that_kills_the_reader_costs_that_file_only_in_every_helper(can_fork: bool) -> None:
    """The batch shared between this process and a forked helper, every 7th file one that makes calamine abort
    (the audit's MULRK, with the .xls pre-check switched off so that it reaches calamine): each process's
    reader process dies on it and is replaced, the file is rejected as damaged, every other file is read, and
    the helpers end (a reader process holds no pipe of theirs open)."""
    if not can_fork:
        pytest.skip("this platform cannot fork")
    code = textwrap.dedent(
        """
        import json, os
        from hostile_corpus import make_xls, mulrk
        from dangjian_xlsx import parallel
        from dangjian_xlsx.read import ReadError, read_workbook
        import dangjian_xlsx.read.xlssafety as xs
        xs._check_biff = lambda stream, limits: None
        good = make_xls([("a", 0, [(0, 0, "x")])])
        bad = make_xls([("a", 0, [(0, 0, "x")])], sheet_extra=mulrk(9999, 0xFFFF, 0, 2))
        def one(k):
            try:
                return [os.getpid(), read_workbook(bad if k % 7 == 0 else good, "x").sheets[0].name]
            except ReadError as err:
                return [os.getpid(), err.code.value]
        out = parallel.share(one, 60, processes=2, chunk=4)
        print(json.dumps(out))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT / "tests", timeout=300,
        preexec_fn=lambda: __import__("resource").setrlimit(__import__("resource").RLIMIT_AS, (6 << 30, 6 << 30)),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "panicked" not in done.stderr and "memory allocation" not in done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert [r[1] for r in out] == ["file-corrupt" if k % 7 == 0 else "a" for k in range(60)]
    assert len({pid for pid, _ in out}) == 2  # the helper read its share, through a reader of its own


_KILLED_PARENT = """
import os, signal, sys, time
from pathlib import Path
from dangjian_xlsx import parallel

parallel.cpus = lambda: 2
PARENT, mark = os.getpid(), Path(sys.argv[1])

def job(k):
    if os.getpid() != PARENT:  # the helper: a long job (an output being written)
        mark.write_text(str(os.getpid()))
        time.sleep(60)
        return k
    while not mark.exists():  # this process: killed once the helper is inside its job
        time.sleep(0.01)
    os.kill(PARENT, signal.SIGKILL)

parallel.share(job, 2, chunk=1)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_helper_dies_with_its_killed_parent_even_inside_a_job(tmp_path: Path) -> None:
    """kill -9 of a collect stops its helper at once, also in the middle of a job (writing an output into the
    staging folder the next run recovers), not after it."""
    mark = tmp_path / "helper.pid"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLED_PARENT), str(mark)], capture_output=True, timeout=60
    )
    assert done.returncode == -9, done.stderr
    pid = int(mark.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper is not)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_free_memory_is_given_back_before_helpers_fork(can_fork: bool) -> None:
    """Before a helper is forked (`share`'s, a reader process), the C allocator's free pages are given back: a
    page still shared with the helper is copied for it as soon as this process reuses it."""
    if not can_fork:
        pytest.skip("this machine has no fork or a single core")
    got = _in_fresh_python(
        """
        calls = []
        parallel.give_back_free_memory = lambda: calls.append(os.getpid())
        from dangjian_xlsx.read import fence
        fence.give_back_free_memory = parallel.give_back_free_memory
        parallel.share(lambda k: k, 40, processes=2, chunk=4)
        helpers = len(calls)
        fence.release()
        fence._Reader().drop()
        print(json.dumps({"helpers": helpers, "all": len(calls), "here": set(calls) == {os.getpid()}}))
        """
    )
    assert got == {"helpers": 1, "all": 2, "here": True}
