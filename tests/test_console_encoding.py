"""Output a Windows console shows: with the console redirected, Python writes the ANSI code page (GBK on a
Chinese Windows), which lacks some characters the tool prints (␛ for a control character in a file name);
the command must still finish and say everything else, never die on a UnicodeEncodeError."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fill import clean_values, fill_form

from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.models import FormKind


def _run(args: list[str], cwd: Path, encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"}
    return subprocess.run(
        [sys.executable, "-m", "dangjian_xlsx", *args], cwd=cwd, env=env, capture_output=True
    )


def test_collect_finishes_on_a_gbk_console(tmp_path: Path) -> None:
    camp = default_campaign()
    inbox = tmp_path / "收件 2026（第一批）"
    inbox.mkdir()
    branch = camp.roster[0]
    fill_form(
        build_form(camp, FormKind.SCORING, branch),
        inbox / form_filename(FormKind.SCORING, branch),
        clean_values(camp.catalog, FormKind.SCORING),
    )
    (inbox / "说明\x1b[2J.xlsx").write_bytes(b"not a workbook")  # shown as 说明␛[2J.xlsx
    done = _run(["collect", str(inbox), "--out", str(tmp_path / "汇总表.xlsx")], tmp_path, "gbk")
    out, err = done.stdout.decode("gbk"), done.stderr.decode("gbk")
    assert done.returncode == 0, err
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    assert "\x1b[2J" not in out + err  # never the raw escape
    assert (tmp_path / "汇总表.xlsx").is_file()
    checked = _run(["check", str(inbox / "说明\x1b[2J.xlsx")], tmp_path, "gbk")
    out, err = checked.stdout.decode("gbk"), checked.stderr.decode("gbk")
    assert checked.returncode == 1 and "Traceback" not in err, err  # 1: the file has errors
    assert "说明?[2J.xlsx" in out and "\x1b" not in out  # the name said, its ESC as ? (GBK has no ␛)
    helped = _run(["--help"], tmp_path, "gbk")
    assert helped.returncode == 0 and "汇总" in helped.stdout.decode("gbk")
