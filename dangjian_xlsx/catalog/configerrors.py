"""What is wrong in a campaign.toml, said in Chinese: the file, the line (with its text) or the setting, and
what to write instead. tomllib and pydantic word their errors in English for programmers; a clerk edits this
file in Notepad (Chinese quotes, a full-width equals sign, 2018-9-30 for a date) and needs to be told where.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

_QUOTE_HINT = '文字要用英文双引号括起来（如 school = "某某大学"），日期写成 2025-10-20，数字直接写'
# tomllib's messages (Python 3.11–3.13) → what to tell the clerk
_TOML_REASONS = (
    (r"^Invalid value", f"值的写法不对：{_QUOTE_HINT}"),
    (
        r"^Invalid date or datetime",
        "不是有效的日期（请核对月份和日子，如 2 月没有 30 日），应写成 2025-10-20 这样的 年-月-日",
    ),
    (r"^Expected newline or end of document", f"值的后面多了内容（一行只写一项：名称 = 值）；{_QUOTE_HINT}"),
    (r"^Expected '=' after a key", "缺少等号，或用了中文等号“＝”：应写成 名称 = 值"),
    (
        r"^(Cannot overwrite a value|Cannot declare .* twice|Cannot mutate|Cannot redefine)",
        "同一项设置写了两次",
    ),
    (r"^Expected '\]' at the end of a table", "节名缺少右方括号，应写成 [campaign]"),
    (r"^Expected '\]\]'", "节名缺少右方括号"),
    (r"^Unterminated string", "引号没有配对：文字要用一对英文双引号括起来"),
    (r"^Unclosed (array|inline table)", "方括号或花括号没有配对"),
    (
        r"^(Illegal character|Found invalid character|Invalid initial character for a key part)",
        '有不允许的字符：设置的名称只能用英文字母、数字和下划线，中文引号“”要改为英文引号""',
    ),
    (
        r"^(Unescaped '\\\\' in a string|Invalid hex value|Escaped character)",
        "文字中的反斜杠 \\ 要写成 \\\\，或把文字改用单引号括起来",
    ),
    (r"^Invalid statement", "这一行无法识别：应写成 名称 = 值，或以 # 开头的说明"),
)
_UNKNOWN = (
    "无法识别：每行写一项 名称 = 值（文字用英文双引号括起来，日期写成 2025-10-20，数字直接写），说明以 # 开头"
)
_CN_QUOTES = "“”‘’「」『』"
DATE_EXAMPLE = "2025-10-20"
_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def toml_error(path: Path, text: str, exc: tomllib.TOMLDecodeError, date_keys: Collection[str] = ()) -> str:
    """The Chinese message for a TOML syntax error in `path` (whose text is `text`): tomllib's English
    mapped, a generic Chinese reason for what is not known, the line and what to write there."""
    message = str(exc)
    reason = next((r for pattern, r in _TOML_REASONS if re.search(pattern, message)), _UNKNOWN)
    lines = text.splitlines()
    line_no = _line_of(message, lines, reason)
    if line_no is not None and 0 < line_no <= len(lines):
        shown = lines[line_no - 1].strip()
        reason = _reason_for_line(shown, reason, date_keys)
        return f"督查配置文件 {path} 第{line_no}行（{shown}）格式有误：{reason}"
    return f"督查配置文件 {path} 格式有误：{reason}"


def _reason_for_line(shown: str, reason: str, date_keys: Collection[str]) -> str:
    """A more precise reason when the line says what went wrong: Chinese quotes, a date setting."""
    if any(q in shown for q in _CN_QUOTES):
        return '请把中文引号“ ”改为英文引号 " "，文字写成 名称 = "文字"'
    key = _KEY_LINE.match(shown)
    if key and key.group(1) in date_keys and not reason.startswith("不是有效的日期"):
        return f"日期请写成 {DATE_EXAMPLE}（年-月-日），不加引号"
    return reason


def _line_of(message: str, lines: list[str], reason: str) -> int | None:
    """The 1-based line an error is at: from the message, else (errors found at the end of the document) the
    second line of a setting written twice, or the line whose quotes do not pair."""
    m = _AT.search(message)
    if m:
        return int(m.group(1))
    if "两次" in reason:
        seen: set[tuple[str, str]] = set()
        table = ""
        for n, line in enumerate(lines, 1):
            if line.strip().startswith("["):
                table = line.strip()
            key = _KEY_LINE.match(line)
            if key:
                if (table, key.group(1)) in seen:
                    return n
                seen.add((table, key.group(1)))
    if "引号" in reason:
        for n, line in enumerate(lines, 1):
            if line.count('"') % 2:
                return n
    return None


# pydantic's error types → what the value should be
_EXPECTED = (
    (("int_parsing", "int_from_float", "int_type"), "应为整数（如 2018）"),
    (("float_parsing", "float_type", "finite_number"), "应为数字（如 5 或 5.5）"),
    (
        ("date_parsing", "date_from_datetime_parsing", "date_type", "date_from_datetime_inexact"),
        f"日期请写成 {DATE_EXAMPLE}（年-月-日），不加引号",
    ),
    (("string_type",), "应为文字，用英文双引号括起来"),
    (("string_too_short",), "不能为空"),
    (("bool_parsing", "bool_type"), "应为 true 或 false"),
)


def value_error(where: str, err: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The Chinese message for one pydantic error of a campaign setting (`where`: the file and line it is
    on; `labels`: key → Chinese name). pydantic's own English never reaches the user."""
    loc = err.get("loc") or ()
    key = str(loc[0]) if loc else ""
    kind = str(err.get("type", ""))
    expected = next((text for types, text in _EXPECTED if kind in types), "")
    if kind in ("greater_than_equal", "greater_than"):
        expected = f"不能小于 {_plain((err.get('ctx') or {}).get('ge', (err.get('ctx') or {}).get('gt', 0)))}"
    if not expected:
        expected = "取值不合要求"
    shown = err.get("input")
    value = (
        ""
        if shown in (None, "") or isinstance(shown, dict | list | tuple)
        else f"，现在写的是“{_plain(shown)}”"
    )
    return f"{where}：“{labels.get(key, key)}”（{key}）有误：{expected}{value}"


def _plain(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
