"""click's own usage messages are English: the common ones, said again in Chinese for the command line."""

from __future__ import annotations

import re

# A path's problem (click.Path: File / Directory / Path, quoted '…' or "…" as Python's repr does) first:
_PATH_ERROR = re.compile(
    r"Invalid value for '(.+?)': (File|Directory|Path) (['\"])(.+)\3 "
    r"(does not exist|is a file|is a directory|is not readable|is not writable|is not executable)\."
)
_PATH_KINDS = {"File": "文件", "Directory": "文件夹", "Path": ""}
_PATH_PROBLEMS = {
    "does not exist": "不存在",
    "is a file": "是文件，应为文件夹",
    "is a directory": "是文件夹，应为文件",
    "is not readable": "无法读取（没有权限）",
    "is not writable": "无法写入（没有权限）",
    "is not executable": "不能执行",
}
_USAGE_MESSAGES = (
    (
        re.compile(r"Invalid value for '(.+?)': (.+?) is not in the range (.+?)\."),
        "参数 {0} 的值 {1} 超出范围（{2}）",
    ),
    (
        re.compile(r"Invalid value for '(.+?)': '?(.+?)'? is not a valid integer(?: range)?\."),
        "参数 {0} 的值“{1}”不是整数",
    ),
    (re.compile(r"Invalid value for '(.+?)': (.+)"), "参数 {0} 的值有误：{1}"),
    (re.compile(r"Missing argument '(.+?)'\."), "缺少参数 {0}"),
    (re.compile(r"Missing option '(.+?)'\."), "缺少选项 {0}"),
    (re.compile(r"No such option '(.+?)'\. Did you mean '(.+?)'\?"), "没有选项 {0}，是否为 {1}？"),
    (re.compile(r"No such option:? '?([^'\s]+)'?"), "没有选项 {0}"),
    (re.compile(r"No such command '(.+?)'\."), "没有命令“{0}”"),
    (re.compile(r"Option '(.+?)' requires an argument\."), "选项 {0} 需要一个值"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "多余的参数：{0}"),
)


def chinese_usage(text: str) -> str:
    """click's English usage message `text` in Chinese (unchanged when it is not one of the known ones)."""
    m = _PATH_ERROR.search(text)
    if m:
        param, kind, _, name, problem = m.groups()
        prefix = _PATH_KINDS[kind] if problem == "does not exist" else ""
        return f"{prefix}“{name}”{_PATH_PROBLEMS[problem]}（参数 {param}）"
    for pattern, template in _USAGE_MESSAGES:
        m = pattern.search(text)
        if m:
            return template.format(*m.groups())
    return text
