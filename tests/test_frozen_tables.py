"""The tables a collect writes are frozen for the garbage collector before the processes writing them start
(issue 20): a collection in the helper forked to write the exports would otherwise visit every object of the
tables it inherited and copy the memory page of each; and the summary's own collection (before its long sheets
are spliced) would walk them all again in this process."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dangjian_xlsx import outputs
from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.cli import cli
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.lock import LOCK_NAME

SAMPLES = Path(__file__).resolve().parents[1] / "sample_submissions"


def test_made_is_called_once_the_tables_are_made_and_before_anything_is_written(tmp_path: Path) -> None:
    report = run_collect(SAMPLES, default_campaign(), jobs=1)
    out = tmp_path / "out" / "汇总表.xlsx"
    seen: list[list[str]] = []

    def made() -> None:  # what is in the output folder then: only the run's lock, no output yet
        seen.append(sorted(p.name for p in out.parent.rglob("*") if p.is_file()))

    written = outputs.write_outputs(report, out, feedback=True, made=made)
    assert seen == [[LOCK_NAME]]
    assert written.summary.exists() and written.exports and written.feedback


def test_collect_freezes_the_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given: dict[str, Any] = {}
    real = outputs.write_outputs

    def spy(*args: Any, **kwargs: Any) -> Any:
        given.update(kwargs)
        frozen = gc.get_freeze_count()
        made = kwargs["made"]

        def counted() -> None:
            made()
            given["frozen more"] = gc.get_freeze_count() > frozen

        return real(*args, **{**kwargs, "made": counted})

    monkeypatch.setattr(outputs, "write_outputs", spy)
    result = CliRunner().invoke(cli, ["collect", str(SAMPLES), "--out", str(tmp_path / "汇总表.xlsx")])
    assert result.exit_code == 0, result.output
    assert given["made"] is gc.freeze and given["frozen more"]
    assert gc.get_freeze_count() == 0  # and let go when the command is done
