"""The page's steps run in a worker process of their own, so the reader's fence works under the server: a file
that makes the native reader abort costs that file only — never the server, never the batch."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from dangjian_xlsx.models import FormKind
from dangjian_xlsx.web import steps
from dangjian_xlsx.web.jobs import DONE
from dangjian_xlsx.web.state import RoundState
from dangjian_xlsx.web.worker import StepFailed, run

# Loaded by every Python started with this folder on PYTHONPATH (the worker): the .xls pre-check off, so that
# calamine meets the audit's record and aborts — as an unknown file that slipped past the safety pass would.
SITECUSTOMIZE = """
import dangjian_xlsx.read.xlssafety as xs
xs._check_biff = lambda stream, limits: None
"""


def test_the_worker_reads_what_the_library_reads(round_dir, tmp_path: Path) -> None:
    from fill import clean_values, fill_form

    from dangjian_xlsx.forms import build_form

    camp, _ = round_dir.load()
    branch = camp.roster[0]
    src = tmp_path / "src.xlsx"
    src.write_bytes(build_form(camp, FormKind.TASKS, branch))
    fill_form(src, round_dir.inbox / f"{branch.name}附件2.xlsx", clean_values(camp.catalog, FormKind.TASKS))
    keep_busy = threading.Thread(target=threading.Event().wait, args=(5,), daemon=True)
    keep_busy.start()  # a multi-threaded caller, as the server is
    report = run("read_inbox", round_dir.root)
    here = steps.read_inbox(round_dir)
    assert [(f.path, f.outcome) for f in report.files] == [(f.path, f.outcome) for f in here.files]
    assert report.files[0].outcome.value == "已接收"


def test_an_unknown_step_or_a_broken_config_is_said(round_dir) -> None:
    with pytest.raises(ValueError):
        run("rm -rf", round_dir.root)
    round_dir.campaign_file.write_text("[campaign]\nyear = 二〇一八\n", "utf-8")
    with pytest.raises(StepFailed, match=r"campaign\.toml"):
        run("read_inbox", round_dir.root)


def test_a_reader_abort_costs_one_file_under_the_server(
    round_dir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hostile_corpus import make_xls
    from read.test_fence import audit_xls

    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, "utf-8")
    tests = Path(__file__).resolve().parents[1]
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(site), str(tests), os.environ.get("PYTHONPATH", "")])
    )
    camp, _ = round_dir.load()
    (round_dir.inbox / f"{camp.roster[0].name}附件1.xls").write_bytes(audit_xls())
    (round_dir.inbox / "其他.xls").write_bytes(make_xls([("a", 0, [(0, 0, "x")])]))
    st = RoundState(round_dir)  # its job thread makes this process multi-threaded, as under the server
    job = st.jobs.wait(st.collect(), 300)
    assert job.state == DONE, job.error
    by_name = {Path(f.path).name: f for f in st.report().files}
    bad = by_name[f"{camp.roster[0].name}附件1.xls"]
    assert bad.outcome.value == "退回" and "意外终止" in " ".join(p.message for p in bad.problems)
    assert by_name["其他.xls"].outcome.value != "退回"
    assert round_dir.summary.is_file()
