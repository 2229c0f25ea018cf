"""`make bench`'s own code paths, at a toy size (no timing is asserted: that is the benchmark's job)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def result(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    return bench.run_benchmark(n=3, repeat=1, scales=(2,), every=2, out=out, log=lambda msg: None)


def test_every_stage_measured_at_every_size(bench: ModuleType, result: dict) -> None:
    assert result["sizes"] == [2, 3]
    for n in (2, 3):
        rows = result["results"][n]
        assert list(rows) == list(bench.STAGES)
        for stage, row in rows.items():
            assert row.files == 2 * n, stage
            assert row.seconds > 0 and row.ms_per_file > 0 and row.files_per_s > 0, stage
            assert row.cpu_seconds > 0 and row.peak_mb > 0, stage
        assert rows["naive"].measured == n  # every 2nd of 2n files
        assert rows["floor2"].workers == 2 and rows["floor1"].workers == rows["floor1ng"].workers == 0
        assert sum(rows["collect"].extra["outcomes"].values()) == 2 * n


def test_report_has_the_tables_and_ratios(bench: ModuleType, result: dict) -> None:
    text = bench.format_report(result)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| 阶段 stage") and "files/s" in line)
    assert len(header.strip("|").split("|")) == len(bench.TABLE_HEADER)
    for label in bench.LABELS.values():
        row = next(line for line in lines if line.startswith(f"| {label}"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == len(bench.TABLE_HEADER)
        assert float(cells[2]) > 0 and float(cells[3]) > 0  # seconds, ms per file
    for needle in (
        "naive / ours",
        "ours / floor (2 procs)",
        "ours / floor (1 proc)",
        "ours / floor (zlib-ng)",
        "per workbook",
        "N=2 → N=3",
    ):
        assert needle in text
    ratios = bench.ratios(result["results"][3])
    assert all(v > 0 for v in ratios.values())
    assert re.search(r"collect peak memory N=3 / N=2: \d+\.\d\d×", text)
    rows, cpus = result["results"][3], result["cpus"] or 2
    cpu = rows["collect"].cpu_ms_per_file / rows["floor1"].cpu_ms_per_file
    assert f"collect spends {cpu:.1f}× the 1-process floor's CPU" in text
    assert f"over {cpus} cores that is {cpu / cpus:.1f}× the floor" in text


def test_inbox_is_cached(bench: ModuleType, result: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.getbasetemp() / "bench0"
    inbox = bench.prepare_inbox(3, out, log=lambda msg: pytest.fail("rebuilt a cached inbox"))
    files = bench.inbox_files(inbox)
    assert len(files) == 6 and all(p.suffix == ".xlsx" for p in files)
