"""Issue 20 item 4: a collect loads pandas and XlsxWriter's writers while its helpers read the inbox, not before.

The checks a collect makes before it reads anything (`outputs.refuse_collect`, the output folder's lock) and
the reading itself (`collect`) load no pandas: the writing stages are imported by `outputs.load_writers`,
which the command line has `parallel.share` call once the reading helpers are forked (`parallel.meanwhile`).
Each case runs in a fresh interpreter (forking needs a single thread; `sys.modules` must start empty) with
`parallel.cpus` saying 2, and reports back as JSON.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fresh import run_json

ROOT = Path(__file__).resolve().parent.parent
# what only the writing needs (pandas, NumPy, XlsxWriter: imported while the helpers read), and what nothing in a
# collect needs (urllib's opener with http and ssl: `xml.sax.saxutils` imported them)
HEAVY = ("pandas", "numpy", "xlsxwriter", "urllib.request", "http.client", "ssl")


def test_the_checks_before_reading_and_the_reading_load_no_pandas(tmp_path: Path) -> None:
    got = run_json(
        """
        import json, sys
        from pathlib import Path
        import dangjian_xlsx.cli
        from dangjian_xlsx.catalog import default_campaign
        from dangjian_xlsx.collect import run_collect
        from dangjian_xlsx.outnames import summary_path
        from dangjian_xlsx.outputs import holding, refuse_collect
        out, inbox = Path(sys.argv[1]) / "汇总表.xlsx", Path(sys.argv[2])
        refuse_collect(out, inbox, [], True)
        with holding(summary_path(out).parent):
            report = run_collect(inbox, default_campaign(), jobs=1)
        print(json.dumps({"files": len(report.files), "loaded": sorted(set(sys.modules) & set(sys.argv[3:]))}))
        """,
        str(tmp_path),
        str(ROOT / "sample_submissions"),
        *HEAVY,
    )
    assert got["files"] > 40
    assert got["loaded"] == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the helpers are forked (POSIX)")
def test_collect_imports_the_writers_while_its_helpers_read(tmp_path: Path) -> None:
    got = run_json(
        """
        import json, os, sys
        from dangjian_xlsx import collect, outputs, parallel
        from dangjian_xlsx.cli import cli
        parallel.cpus = lambda: 2
        seen = {"share": [], "load": [], "read": None}
        real_share, real_load, real_collect = parallel._share_with_helpers, outputs.load_writers, collect.run_collect

        def share(*args, **kwargs):  # a share that forks helpers: is pandas loaded when they start?
            seen["share"].append("pandas" in sys.modules)
            return real_share(*args, **kwargs)

        def load():
            seen["load"].append(len(seen["share"]))  # how many forking shares had started
            real_load()

        def run_collect(*args, **kwargs):
            report = real_collect(*args, **kwargs)
            seen["read"] = "pandas" in sys.modules
            return report

        parallel._share_with_helpers, outputs.load_writers, collect.run_collect = share, load, run_collect
        try:
            cli.main(["collect", sys.argv[2], "--out", sys.argv[1] + "/汇总表.xlsx", "--feedback"], prog_name="x")
        except SystemExit as done:
            assert not done.code, done.code
        print(json.dumps(seen))
        """,
        str(tmp_path),
        str(ROOT / "sample_submissions"),
    )
    # the readers forked first, without pandas; the writers imported once, while they read; then the writing
    # shared with a helper too
    assert got == {"share": [False, True], "load": [1], "read": True}
    assert (tmp_path / "汇总表.xlsx").is_file() and (tmp_path / "反馈表").is_dir()


def test_meanwhile_runs_once_and_only_for_a_share_that_forks() -> None:
    got = run_json(
        """
        import json, os
        from dangjian_xlsx import parallel
        parallel.cpus = lambda: 2
        calls = []
        with parallel.meanwhile(lambda: calls.append(os.getpid())):
            parallel.share(lambda k: k, 40, processes=1)  # no helper: not called
            alone = list(calls)
            first = parallel.share(lambda k: k, 40, chunk=2)
            parallel.share(lambda k: k, 40, chunk=2)  # called once only
        parallel.share(lambda k: k, 40, chunk=2)  # after the block: not called
        print(json.dumps({"alone": alone, "calls": calls, "pid": os.getpid(), "first": first}))
        """
    )
    assert got["alone"] == [] and got["calls"] == [got["pid"]]
    assert got["first"] == list(range(40))
