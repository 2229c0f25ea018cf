"""A roster file as grids of cells, however the clerk saved it: an Excel workbook (.xlsx, .xls, .ods: every
sheet, for the roster to pick the one with the header), a CSV in UTF-8 (with or without byte-order mark) or
GBK, or Excel's "Unicode 文本" (UTF-16 with a byte-order mark, tab-separated). A cell over the csv module's
limit, an unreadable file, a path the system refuses: a ConfigError in Chinese."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .campaignfile import read_reason

Grid = list[list[Any]]
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls (and other OLE files)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def roster_grids(path: Path) -> list[Grid]:
    """The grids of the roster file at `path` (one per sheet; a text file is one)."""
    try:
        if not path.is_file():
            raise ConfigError(f"找不到名单文件：{path}")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"无法读取名单文件 {path}：{read_reason(exc)}") from exc
    if data[:2] == b"PK" or data[:8] == _CFB:
        return _workbook_grids(data, path)
    return [_text_grid(_decode(data, path), path)]


def _workbook_grids(data: bytes, path: Path) -> list[Grid]:
    import python_calamine

    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [wb.get_sheet_by_index(i).to_python(skip_empty_area=False) for i in range(len(wb.sheet_names))]
    except Exception as exc:  # the reader's failures are English and of many kinds: the clerk's fix is one
        raise ConfigError(
            f"名单文件 {path.name} 无法读取：文件已损坏、加了密码或不是 Excel 表格。"
            "请用 Excel 打开后“另存为” .xlsx 或 CSV（逗号分隔）再试"
        ) from exc


def _decode(data: bytes, path: Path) -> str:
    if data[:2] in _UTF16_BOMS:  # Excel's "Unicode 文本"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"名单文件 {path.name} 的 Unicode 文本已损坏，请另存为 UTF-8 的 CSV") from exc
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ConfigError(f"名单文件 {path.name} 编码无法识别，请在 Excel 中“另存为” CSV UTF-8（逗号分隔）")


def _text_grid(text: str, path: Path) -> Grid:
    """CSV rows; tab-separated when the first line holding anything has tabs and no commas."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Grid = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        line = reader.line_num
        raise ConfigError(
            f"名单文件 {path.name} 第{line}行无法读取：有一格内容过长（超过 {csv.field_size_limit()} 个字符）"
            "或引号没有配对。请检查这一行"
        ) from exc
    return rows
