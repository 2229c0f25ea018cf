"""The page's long work: one job at a time, the command line's lock respected, failures said in Chinese."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

from dangjian_xlsx.web.jobs import DONE, FAILED, Jobs
from dangjian_xlsx.web.state import RoundState

REPO = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from pathlib import Path
from dangjian_xlsx.lock import output_lock
with output_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_jobs_run_one_at_a_time_in_order() -> None:
    jobs, running, seen, gate = Jobs(), [], [], threading.Lock()

    def work(n: int):
        def run(progress):
            with gate:
                running.append(n)
                assert len(running) == 1, "two jobs at once"
            progress(1, 2)
            seen.append(n)
            with gate:
                running.remove(n)
            return [f"第{n}项"]

        return run

    submitted = [jobs.submit(f"任务{n}", work(n)) for n in range(5)]
    for job in submitted:
        jobs.wait(job, 30)
    assert seen == list(range(5))
    assert [j.state for j in submitted] == [DONE] * 5
    assert submitted[2].lines == ["第2项"] and submitted[2].as_dict()["finished"] is True


def test_a_collect_while_the_command_line_holds_the_folder_is_refused(round_dir) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(round_dir.root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        st = RoundState(round_dir)
        job = st.jobs.wait(st.collect(), 120)
        assert job.state == FAILED
        assert "正被另一次运行使用" in job.error and str(holder.pid) in job.error
        assert not round_dir.summary.exists()
    finally:
        holder.communicate("\n", timeout=30)
    job = st.jobs.wait(st.collect(), 120)  # released: the same request now goes through
    assert job.state == DONE, job.error
    assert round_dir.summary.is_file()


def test_a_broken_campaign_file_fails_with_the_command_lines_message(round_dir) -> None:
    text = round_dir.campaign_file.read_text("utf-8").replace("due = 2018-09-30", "due = 2018-13-45")
    round_dir.campaign_file.write_text(text, "utf-8")
    shutil.copytree(REPO / "sample_submissions", round_dir.inbox, dirs_exist_ok=True)
    st = RoundState(round_dir)
    job = st.jobs.wait(st.collect(), 120)
    assert job.state == FAILED
    assert "campaign.toml" in job.error and "第" in job.error and "Traceback" not in job.error
    assert not round_dir.summary.exists()
