"""Issue 20 item 4: a collect's outputs are written by this process and a forked helper together (the summary,
each feedback workbook and each notice a job of its own, `outputs.write_outputs`), and the files are the same
bytes as when one process writes them all; a job a helper could not finish is done again here.

Forking needs a process with a single thread (pytest-xdist's workers run a second one), so each run is made in
a fresh interpreter, with `parallel.cpus` saying 2 so that a helper is forked on any machine, and reports back
as JSON.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fresh import run_json

ROOT = Path(__file__).resolve().parent.parent
INBOX = ROOT / "sample_submissions"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the helpers are forked (POSIX)")

# Runs in a fresh interpreter: collect the sample inbox, then write its outputs with `cores` cores; each job
# leaves the pid of the process that ran it in `seen`. `fail_in_helper`: a job run by a helper fails.
_WRITE = """
import json, os, sys
from pathlib import Path
from dangjian_xlsx import outputs, parallel, round
from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.collect import run_collect

out, seen, cores, fail_in_helper = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
parallel.cpus = lambda: cores
PARENT = os.getpid()

def watched(make):
    def jobs(*args, **kwargs):
        def spy(job):
            def run():
                (seen / str(os.getpid())).touch()
                if fail_in_helper and os.getpid() != PARENT:
                    raise OSError(28, "No space left on device")
                return job()
            return run
        return [spy(job) for job in make(*args, **kwargs)]
    return jobs

round.feedback_jobs = watched(round.feedback_jobs)  # outputs takes them from the stage when it writes
round.pack_jobs = watched(round.pack_jobs)
writers = {}

def noted(name, write):
    def run(*args, **kwargs):
        writers.setdefault(name, os.getpid())
        (seen / f"{name}-{os.getpid()}").touch()
        return write(*args, **kwargs)
    return run

from dangjian_xlsx import summary
summary.write_summary = noted("summary", summary.write_summary)
summary.write_exports = noted("exports", summary.write_exports)
report = run_collect(Path(sys.argv[5]), default_campaign(), jobs=1)
done = outputs.write_outputs(report, out / "汇总表.xlsx", feedback=sys.argv[6] == "1")
pids = sorted(int(p.name) for p in seen.iterdir() if p.name.isdigit())
by = {p.name.split("-")[0]: int(p.name.split("-")[1]) for p in seen.iterdir() if not p.name.isdigit()}
print(json.dumps({"paths": [str(p.relative_to(out)) for p in done.paths], "pids": pids, "parent": PARENT, "by": by}))
"""


def _write(
    tmp: Path, name: str, cores: int, fail_in_helper: bool = False, feedback: bool = True
) -> tuple[dict[str, Any], Path]:
    out, seen = tmp / name, tmp / f"{name}.pids"
    seen.mkdir()
    args = [
        str(out),
        str(seen),
        str(cores),
        "1" if fail_in_helper else "0",
        str(INBOX),
        "1" if feedback else "0",
    ]
    return run_json(_WRITE, *args), out


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The sample inbox's outputs written by one process (one core: no helper)."""
    got, out = _write(tmp_path_factory.mktemp("alone"), "出", cores=1)
    assert got["pids"] == [got["parent"]]
    return got, _files(out)


def test_two_processes_write_the_same_files_as_one(
    alone: tuple[dict[str, Any], dict[str, bytes]], tmp_path: Path
) -> None:
    got, out = _write(tmp_path, "出", cores=2)
    assert got["parent"] in got["pids"] and len(got["pids"]) == 2  # this process wrote, and one helper
    one, files = alone
    assert got["paths"] == one["paths"]  # the same files, listed in the same order
    assert any(p.startswith("反馈表/") for p in got["paths"]) and any(
        p.startswith("退回修改/") for p in got["paths"]
    )
    assert _files(out) == files  # byte for byte


def test_a_job_a_helper_could_not_finish_is_done_again_here(
    alone: tuple[dict[str, Any], dict[str, bytes]], tmp_path: Path
) -> None:
    got, out = _write(tmp_path, "出", cores=2, fail_in_helper=True)
    assert len(got["pids"]) == 2  # a helper took jobs, and failed them
    one, files = alone
    assert got["paths"] == one["paths"]
    assert _files(out) == files


def test_the_summary_workbook_and_its_exports_are_written_at_once(tmp_path: Path) -> None:
    """Without feedback, a collect's longest jobs are the summary workbook and its CSV/JSON exports: with two
    cores each is written by a process of its own (issue 20: the clerk waits for the longer one only), and
    the files are the same bytes as one process writes."""
    got, out = _write(tmp_path, "二", cores=2, feedback=False)
    assert set(got["by"]) == {"summary", "exports"}
    assert got["by"]["summary"] != got["by"]["exports"]
    one, alone_out = _write(tmp_path, "一", cores=1, feedback=False)
    assert one["by"]["summary"] == one["by"]["exports"] == one["parent"]
    assert got["paths"] == one["paths"]
    assert _files(out) == _files(alone_out)
