"""click's own English, said in Chinese for the command line: its usage messages (`chinese_usage`) and its
help pages (`localize`: 用法 / 选项 / 命令 headings, the help option's text, Chinese names for arguments and
option values, 默认 for default)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import click

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
    (
        re.compile(r"No such option:? '?([^'\s]+?)'?\.? Did you mean '?([^'\s]+?)'?\?"),
        "没有选项 {0}，是否为 {1}？",
    ),
    (
        re.compile(r"No such option:? '?([^'\s]+?)'?\.? \(Possible options: (.+)\)"),
        "没有选项 {0}，可用的选项有：{1}",
    ),
    (re.compile(r"No such option:? '?([^'\s]+)'?"), "没有选项 {0}"),
    (re.compile(r"No such command '(.+?)'\.? Did you mean '?([^'\s]+?)'?\?"), "没有命令“{0}”，是否为 {1}？"),
    (re.compile(r"No such command '(.+?)'\."), "没有命令“{0}”"),
    (re.compile(r"^Missing command\.?"), "缺少命令"),
    (re.compile(r"Option '(.+?)' does not take a value\."), "选项 {0} 不需要值"),
    (re.compile(r"Option '(.+?)' requires (\d+) arguments\."), "选项 {0} 需要 {1} 个值"),
    (re.compile(r"'(.+?)' is not one of (.+)\.$"), "“{0}”不是可选的值（可选：{1}）"),
    (re.compile(r"'(.+?)' is not (.+)\.$"), "“{0}”不是可选的值（可选：{1}）"),
    (re.compile(r"Could not open file '(.+?)': (.+)"), "无法打开文件“{0}”"),
    (re.compile(r"Option '(.+?)' requires an argument\."), "选项 {0} 需要一个值"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "多余的参数：{0}"),
)


def chinese_usage(text: str) -> str:
    """click's English usage message `text` in Chinese; one that is not known becomes a Chinese generic."""
    m = _PATH_ERROR.search(text)
    if m:
        param, kind, _, name, problem = m.groups()
        prefix = _PATH_KINDS[kind] if problem == "does not exist" else ""
        return f"{prefix}“{name}”{_PATH_PROBLEMS[problem]}（参数 {param}）"
    for pattern, template in _USAGE_MESSAGES:
        m = pattern.search(text)
        if m:
            return _RANGE.sub(r"\1 至 \2", template.format(*m.groups()))
    if _ENGLISH.search(text):
        return "命令行的写法有误"
    return text


# ---------------------------------------------------------------- help pages

_RANGE = re.compile(r"(\S+?)<=?x<=?(\S+?)(?=[）\]]|$)")
_ENGLISH = re.compile(r"^[A-Z][a-z]+ [a-z]+")  # click's own messages start with English words
_HEADINGS = {"Usage:": "用法：", "Options": "选项", "Commands": "命令", "Arguments": "参数"}
_HELP_PHRASES = {
    "Show this message and exit.": "显示本帮助并退出",
    "Show the version and exit.": "显示版本号并退出",
}
# an argument's name in the usage line and in messages, by its parameter name
ARGUMENT_NAMES = {"inbox": "收件文件夹", "source": "来源", "files": "文件", "workbook": "表格内容文件"}
_EXTRA = re.compile(r"\s*\[([^\[\]]*)\]$")


class ChineseHelpFormatter(click.HelpFormatter):
    """click's help page in Chinese: 用法：, the headings, the help option and defaults; columns aligned and
    lines wrapped by display width (a Chinese character takes two columns)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        first = min(max((display_width(term) for term, _ in rows), default=0), col_max)
        indent = " " * (self.current_indent + first + col_spacing)
        width = max(self.width - len(indent), 20)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            gap = first - display_width(term) + col_spacing
            self.write(" " * gap if gap >= col_spacing else "\n" + indent)
            self.write(("\n" + indent).join(wrap_width(chinese_help(text), width)) + "\n")


_NO_BREAK_BEFORE = set("。，、；：？！）》」』”’")


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: two for a wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_width(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns, broken between characters (never inside a Latin word)."""
    lines, line, used = [], "", 0
    for token in re.findall(r"[\x21-\x7e]+|\s+|.", text):
        w = display_width(token)
        if used + w > width and line.strip():
            carried = line[-1] if token in _NO_BREAK_BEFORE and len(line.strip()) > 1 else ""
            lines.append(line[: len(line) - len(carried)].rstrip())
            line, used = carried, display_width(carried)
            if token.isspace():
                continue
        line, used = line + token, used + w
    return [*lines, line.rstrip()] if line.strip() else lines or [""]


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


def chinese_help(text: str) -> str:
    """An option's help text with click's additions in Chinese: the help option's text, and the trailing
    [default: x; 0<=x<=64; required]."""
    text = _HELP_PHRASES.get(text, text)
    m = _EXTRA.search(text)
    if m is None:
        return text
    parts = [_extra(part.strip()) for part in m.group(1).split(";")]
    return f"{text[: m.start()]}  [{'；'.join(parts)}]"


def _extra(part: str) -> str:
    if part.startswith("default:"):
        return f"默认：{part.removeprefix('default:').strip()}"
    if part == "required":
        return "必填"
    m = re.fullmatch(r"(\S+?)(<=?)x(<=?)(\S+)", part)
    if m:
        return f"{m.group(1)} 至 {m.group(4)}"
    m = re.fullmatch(r"x(>=?|<=?)(\S+)", part)
    if m:
        return ("不小于 " if m.group(1).startswith(">") else "不大于 ") + m.group(2)
    return part


def localize(command: click.Command) -> None:
    """`command` and every command under it speak Chinese in their help: the Chinese formatter, [选项] and
    命令 [参数]... in the usage line, Chinese names for arguments and option values."""
    command.context_class = ChineseContext
    command.options_metavar = "[选项]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "命令 [参数]..."
        for sub in command.commands.values():
            localize(sub)
    for param in command.params:
        if param.metavar is None and not getattr(param, "is_flag", False):
            param.metavar = _metavar(param)


def _metavar(param: click.Parameter) -> str:
    """A Chinese name for what a parameter takes: the argument's own name, else by its type."""
    kind = param.type
    if isinstance(kind, click.Path):
        name = "文件" if not kind.dir_okay else "文件夹" if not kind.file_okay else "路径"
    elif isinstance(kind, click.IntRange | click.types.IntParamType):
        name = "整数"
    elif isinstance(kind, click.FloatRange | click.types.FloatParamType):
        name = "数字"
    elif isinstance(kind, click.Choice):
        name = "[" + "|".join(str(c) for c in kind.choices) + "]"
    else:
        name = "文字"
    if isinstance(param, click.Argument):
        name = ARGUMENT_NAMES.get(param.name or "", name)
        if not param.required:
            name = f"[{name}]"
        if param.nargs != 1:
            name += "..."
    return name
