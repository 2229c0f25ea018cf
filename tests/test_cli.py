"""The command line's own contract: Chinese usage errors with exit code 2 and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dangjian_xlsx.cli import cli


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["collect", "不存在的文件夹"], "文件夹“不存在的文件夹”不存在"),
        (["collect"], "缺少参数 INBOX"),
        (["frob"], "没有命令“frob”"),
        (["collect", ".", "--jobs", "999"], "参数 --jobs 的值 999 超出范围（0<=x<=64）"),
        (["collect", ".", "--jobs", "many"], "参数 --jobs 的值“many”不是整数"),
        (["check", "nope.xlsx"], "文件“nope.xlsx”不存在"),
        (["generate", "--bogus"], "没有选项 --bogus"),
    ],
)
def test_usage_errors_are_chinese_with_exit_code_2(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "用法错误" in result.output and "--help" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_config_error_is_chinese_with_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "campaign.toml"
    bad.write_text("[campaign]\nyear = 'next'\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["generate", "--campaign", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "年度" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_help_and_module_entry_point() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "collect" in result.output and "generate" in result.output
    proc = subprocess.run(
        [sys.executable, "-m", "dangjian_xlsx", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "dangjian-xlsx" in proc.stdout
