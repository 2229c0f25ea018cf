"""A campaign.toml as a clerk types it, made into TOML before tomllib reads it, line by line (the line numbers
stay those of the file): Chinese quotes around a value (what a Chinese IME types), a full-width equals sign,
full-width digits, and dates written 2025/10/20, 2025.10.20, 2025年10月20日 or 2025-9-30, quoted or not.
Only what is unambiguous is changed, and every change is said (`Tidied.notes`, one line each, printed by
the command line). What cannot be read is left as it is, for configerrors to explain.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

_DATE = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?")
_KEY = re.compile(r"[A-Za-z0-9_\-]+")
_OPEN_QUOTES = "“”\"‘’'「」『』"
_CN_QUOTES = "“”‘’「」『』"
_TRIPLE = re.compile(r'"""|\'\'\'')


@dataclass
class Tidied:
    """The text tomllib reads, what was understood (one note per change) and the line of every setting."""

    text: str
    notes: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # setting (its key, or "table.key") → line


def tidy_toml(text: str, name: str, date_keys: Collection[str], text_keys: Collection[str]) -> Tidied:
    """`text` (a campaign file called `name`) with the tolerated spellings turned into TOML: `date_keys` are
    the settings holding a date, `text_keys` those holding text (an unquoted value there is text)."""
    out: list[str] = []
    notes: list[str] = []
    lines: dict[str, int] = {}
    table = ""
    in_multiline = False
    for n, line in enumerate(text.split("\n"), 1):
        if in_multiline or _TRIPLE.search(line):  # a multi-line string is left exactly as written
            in_multiline ^= len(_TRIPLE.findall(line)) % 2 == 1
            out.append(line)
            continue
        header = _table_header(line)
        if header is not None:
            table = header
            lines.setdefault(header, n)
            lines.setdefault(header.rsplit(".", 1)[-1], n)  # a sub-table is named by its last part
            if line.strip() != f"[{header}]":
                notes.append(f"{name} 第{n}行：“{line.strip()}”按“[{header}]”理解")
                line = f"[{header}]"
            out.append(line)
            continue
        new, key, said = _tidy_setting(line, date_keys, text_keys)
        if key:
            lines.setdefault(f"{table}.{key}" if table else key, n)
            lines.setdefault(key, n)
        notes += [f"{name} 第{n}行：{s}" for s in said]
        out.append(new)
    return Tidied("\n".join(out), notes, lines)


def _table_header(line: str) -> str | None:
    """The table a `[campaign]` line opens (full-width brackets and letters allowed), else None."""
    s = unicodedata.normalize("NFKC", line).strip()
    if s.startswith("[[") or not (s.startswith("[") and s.endswith("]")):
        return None
    inner = s[1:-1].strip()
    return inner if all(_KEY.fullmatch(part) for part in inner.split(".")) else None


def _tidy_setting(
    line: str, date_keys: Collection[str], text_keys: Collection[str]
) -> tuple[str, str, list[str]]:
    """One `key = value` line → (the line tomllib reads, the key, what was understood)."""
    stripped = line.lstrip()
    if not stripped or stripped.startswith("#"):
        return line, "", []
    sep = _separator(line)
    if sep < 0:
        return line, "", []
    raw_key, raw_value = line[:sep], line[sep + 1 :]
    key = unicodedata.normalize("NFKC", raw_key).strip()
    if not _KEY.fullmatch(key):
        return line, "", []
    said: list[str] = []
    if raw_key.strip() != key:
        said.append(f"设置名“{raw_key.strip()}”按“{key}”理解")
    if line[sep] != "=":
        said.append(f"中文等号“{line[sep]}”按英文等号“=”理解")
    value, comment = _split_comment(raw_value.strip())
    new_value, understood = _tidy_value(value, key in date_keys, key in text_keys)
    said += understood
    if not said:
        return line, key, []
    return f"{key} = {new_value}{comment}", key, said


def _separator(line: str) -> int:
    """Where the key ends: the first = (or full-width ＝) outside quotes, -1 when there is none."""
    for i, c in enumerate(line):
        if c in "=＝":
            return i
        if c in _OPEN_QUOTES or c == "#":
            return -1
    return -1


def _split_comment(value: str) -> tuple[str, str]:
    """A value and its trailing `# comment` (the comment kept with the spaces before it)."""
    if value[:1] in _OPEN_QUOTES:
        close = max(value.rfind(q) for q in _OPEN_QUOTES)
        if close > 0:
            hash_at = value.find("#", close)
            if hash_at >= 0:
                return value[:hash_at].rstrip(), "  " + value[hash_at:]
        return value, ""
    hash_at = value.find("#")
    if hash_at >= 0:
        return value[:hash_at].rstrip(), "  " + value[hash_at:]
    return value, ""


def _tidy_value(value: str, is_date: bool, is_text: bool) -> tuple[str, list[str]]:
    """A value as typed → (its TOML spelling, what was understood)."""
    inner, quoted_cn = _unquote(value)
    if is_date:
        day = _date(inner if inner is not None else value)
        if day is not None:
            iso = day.isoformat()
            shown = value if inner is None else inner
            if shown.strip() == iso:
                return iso, []
            return iso, [f"日期“{shown}”按 {iso} 理解（以后请写成 {iso}，不加引号）"]
    if inner is not None and quoted_cn:
        return json.dumps(inner, ensure_ascii=False), [
            f"中文引号按英文引号理解：{json.dumps(inner, ensure_ascii=False)}"
            '（以后请把中文引号“ ”改为英文引号 " "）'
        ]
    if inner is None and is_text and _bare_text(value):
        quoted = json.dumps(value, ensure_ascii=False)
        return quoted, [f"“{value}”没有加引号，按文字 {quoted} 理解（以后请用英文双引号括起来）"]
    if inner is None:
        plain = unicodedata.normalize("NFKC", value)
        if plain != value and re.fullmatch(r"[0-9.+\-eE_]+|true|false", plain.strip()):
            return plain.strip(), [f"全角字符“{value}”按“{plain.strip()}”理解"]
    return value, []


def _bare_text(value: str) -> bool:
    """Text written without quotes: words (not a number, true/false, a list or a table) and no quote at all."""
    if not value or value[0] in "[{" or any(q in value for q in _OPEN_QUOTES):
        return False
    plain = unicodedata.normalize("NFKC", value).strip()
    return not re.fullmatch(r"[0-9.+\-eE_:TZ ]+|true|false|inf|nan", plain)


def _unquote(value: str) -> tuple[str | None, bool]:
    """(the text between a value's quotes, whether a quote was a Chinese one); (None, False) when the value is
    not one quoted text."""
    if len(value) < 2 or value[0] not in _OPEN_QUOTES or value[-1] not in _OPEN_QUOTES:
        return None, False
    inner = value[1:-1]
    cn = value[0] in _CN_QUOTES or value[-1] in _CN_QUOTES
    if not cn:
        if value[0] != value[-1] or value[0] in inner:
            return None, False
        return (inner if value[0] == "'" or "\\" not in inner else None), False
    return inner, True


def _date(text: str) -> dt.date | None:
    m = _DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if m is None:
        return None
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None
