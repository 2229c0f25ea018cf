"""click's own English in Chinese (issue 18 item 2): every help page — the tool's and every command's — says
用法 / 选项 / 命令, names arguments and option values in Chinese and shows no English word but the names of
commands and options; usage errors click words in English are said in Chinese."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from dangjian_xlsx.cli import cli

# what the commands' own texts name that is not English prose: file formats and the files init writes
NOT_PROSE = {"TOML", "CSV", "XLSX", "xlsx", "csv", "toml", "dangjian", "campaign", "roster"}


def commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, group
    for name, sub in group.commands.items():
        if isinstance(sub, click.Group):
            yield from commands(sub, (*path, name))
        else:
            yield (*path, name), sub


def allowed_words() -> set[str]:
    """Command names and the words of option names (--no-feedback → no, feedback)."""
    words = set(NOT_PROSE)
    for path, command in commands(cli):
        words.update(path)
        for param in command.params:
            for opt in [*param.opts, *param.secondary_opts]:
                words.update(w for w in re.split(r"[-_]+", opt) if w)
    return words | {"h", "help"}


ALL = [path for path, _ in commands(cli)]


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "dangjian-xlsx")
def test_every_help_page_is_chinese(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="dangjian-xlsx")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("用法：dangjian-xlsx") and "\n选项：\n" in text and "显示本帮助并退出" in text
    english = set(re.findall(r"[A-Za-z]+", text)) - allowed_words()
    assert not english, (english, text)


def test_the_tools_page_lists_commands_and_the_version() -> None:
    text = CliRunner().invoke(cli, ["--help"], prog_name="dangjian-xlsx").output
    assert "用法：dangjian-xlsx [选项] 命令 [参数]..." in text and "\n命令：\n" in text
    assert "--version" in text and "显示版本号并退出" in text
    proc = subprocess.run(
        [sys.executable, "-m", "dangjian_xlsx", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.strip() == f"dangjian-xlsx 版本 {_version()}"


def _version() -> str:
    from dangjian_xlsx import __version__

    return __version__


def test_arguments_and_option_values_have_chinese_names() -> None:
    text = CliRunner().invoke(cli, ["collect", "--help"], prog_name="dangjian-xlsx").output
    assert "用法：dangjian-xlsx collect [选项] 收件文件夹" in text
    assert re.search(r"--roster 文件\s", text) and re.search(r"--out 路径\s", text)
    assert re.search(r"--jobs 整数\s+并行进程数（0 = 自动）\s+\[0 至 64\]", text)
    assert "[默认：汇总表.xlsx]" in text
    text = CliRunner().invoke(cli, ["check", "--help"], prog_name="dangjian-xlsx").output
    assert "用法：dangjian-xlsx check [选项] 文件..." in text


def test_help_lines_fit_the_width_in_display_columns() -> None:
    """A Chinese character takes two columns: lines are wrapped by that, and descriptions line up."""
    from dangjian_xlsx.usage import display_width

    text = CliRunner().invoke(cli, ["collect", "--help"], prog_name="dangjian-xlsx", terminal_width=60).output
    options = text.split("选项：\n", 1)[1].splitlines()
    assert all(display_width(line) <= 60 for line in options), options
    starts = {display_width(line[: line.index("党总支名单")]) for line in options if "党总支名单" in line}
    starts |= {display_width(line[: line.index("汇总表路径")]) for line in options if "汇总表路径" in line}
    assert len(starts) == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["collect", ".", "--outt", "x"], "没有选项 --outt，是否为 --out？"),
        (["colect"], "没有命令“colect”，是否为 collect？"),
        (["collect"], "缺少参数 收件文件夹"),
        (["check"], "缺少参数 文件"),
        (["remind", "没有这个.xlsx"], "“没有这个.xlsx”不存在（参数 来源）"),
        (["collect", ".", "--jobs"], "选项 --jobs 需要一个值"),
        (["collect", ".", "--strict=yes"], "选项 --strict 不需要值"),
    ],
)
def test_usage_errors_are_chinese(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, args, prog_name="dangjian-xlsx")
    assert result.exit_code == 2, result.output
    assert expected in result.output
    english = set(re.findall(r"[A-Za-z]+", result.output)) - allowed_words() - {a.strip("-") for a in args}
    assert not english, result.output


def test_the_command_line_loads_no_heavy_library_before_a_command_runs() -> None:
    """`dangjian-xlsx --help` (and starting any command) imports neither pandas nor pydantic nor openpyxl:
    they are what made `--help` take 200 ms; each command imports what it needs when it runs."""
    import subprocess
    import sys

    code = "import sys, dangjian_xlsx.cli; print(sorted(m for m in ('pandas', 'pydantic', 'openpyxl') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
