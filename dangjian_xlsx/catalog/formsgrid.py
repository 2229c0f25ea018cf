"""The sheets of a clerk-edited 表格内容.xlsx as plain grids of values, read with openpyxl: a cell that a
merged range covers is blank (its value sits in the range's top-left cell only), whatever the program that
saved the file left in it. Also the small text helpers the sheet parsers share."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..models import points_value

MAX_ROWS = 5000  # far more than any form has; the rest of a sheet (formatting run down a column) is not read
MAX_COLS = 30
HEADER_SEARCH = 10  # the header row is among the first rows of a sheet

_SPACE = re.compile(r"\s+")
_POINTS = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*分?$")
CN_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Grid:
    """One sheet: its name and its values by 0-based (row, col); a covered cell of a merged range is None."""

    name: str
    rows: tuple[tuple[Any, ...], ...]

    def value(self, row: int, col: int) -> Any:
        if row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def text(self, row: int, col: int) -> str:
        return cell_text(self.value(row, col))

    def blank(self, row: int, cols: Iterable[int]) -> bool:
        return not any(self.text(row, c) for c in cols)

    def where(self, row: int) -> str:
        """How a message names a row: the sheet and the 1-based row number Excel shows."""
        return f"工作表“{self.name}”第{row + 1}行"


def read_grids(data: bytes, name: str) -> dict[str, Grid]:
    """Every sheet of an .xlsx by its name (trimmed, full-width digits made plain), or a ConfigError saying
    what the file is instead."""
    if data[:4] != b"PK\x03\x04":
        raise ConfigError(
            f"表格内容文件 {name} 不是 .xlsx 工作簿：请用 Excel、WPS 或 LibreOffice 打开后“另存为”Excel 工作簿（.xlsx），"
            "如设置了打开密码请先取消"
        )
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)  # not read-only: merged ranges
    except Exception as exc:  # any reader failure is the user's file
        raise ConfigError(
            f"表格内容文件 {name} 无法读取（{exc}）：请用 Excel、WPS 或 LibreOffice 打开后重新另存为 .xlsx"
        ) from exc
    grids: dict[str, Grid] = {}
    for ws in wb.worksheets:
        label = sheet_key(ws.title)
        grids.setdefault(label, Grid(label, _values(ws)))
    return grids


def read_file(path: Path) -> bytes:
    if not path.is_file():
        raise ConfigError(f"找不到表格内容文件：{path}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"无法读取表格内容文件 {path}（{exc.strerror or exc}）") from exc


def _values(ws: Any) -> tuple[tuple[Any, ...], ...]:
    n_rows, n_cols = min(ws.max_row or 0, MAX_ROWS), min(ws.max_column or 0, MAX_COLS)
    rows = [list(r) for r in ws.iter_rows(min_row=1, max_row=n_rows, max_col=n_cols, values_only=True)]
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, min(rng.max_row, n_rows) + 1):
            for c in range(rng.min_col, min(rng.max_col, n_cols) + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    rows[r - 1][c - 1] = None
    return tuple(tuple(r) for r in rows)


def sheet_key(title: str) -> str:
    return unicodedata.normalize("NFKC", title).strip()


def cell_text(value: Any) -> str:
    """A cell as text: trimmed, line breaks kept (as \\n), a whole number without its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def squash(text: str) -> str:
    """Text with every space (full-width too) and line break removed, for comparing headers and duplicates."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def parse_points(value: Any) -> tuple[int | float | None, str]:
    """A 分值 cell (2, 2分, 1.5, 0.5分, full-width digits) → (points, "") or (None, what is wrong)."""
    text = cell_text(value)
    if not text:
        return None, "分值为空"
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        m = _POINTS.match(_SPACE.sub("", unicodedata.normalize("NFKC", text)).replace("。", "."))
        number = float(m.group(1)) if m else None
    if number is None:
        return None, f"分值“{text}”不是数字：应写成 2、2分、1.5 或 0.5分 这样的数"
    if number <= 0:
        return None, f"分值“{text}”不是正数：每项分值应大于 0，如 2、1.5 或 0.5分"
    try:
        return points_value(number), ""
    except ValueError:
        return None, f"分值“{text}”最多保留一位小数（如 1.5）"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")
    return head + (CN_DIGITS[ones] if ones else "") if n else "零"


def find_header(grid: Grid, wanted: Sequence[tuple[str, Sequence[str]]]) -> tuple[int, dict[str, int]] | None:
    """The first row (among the first few) naming every wanted column: (row, key → col). A column matches
    when its header, spaces removed, holds one of the key's words ("项  目" is 项目)."""
    for row in range(min(HEADER_SEARCH, len(grid.rows))):
        cols: dict[str, int] = {}
        for col in range(len(grid.rows[row])):
            head = squash(grid.text(row, col))
            key = next((k for k, words in wanted if k not in cols and any(w in head for w in words)), None)
            if head and key is not None:
                cols[key] = col
        if len(cols) == len(wanted):
            return row, cols
    return None


def title_above(grid: Grid, header_row: int) -> tuple[str, int]:
    """The title written above the header row (a line such as “附件1” left out): (text, row), or ("", row
    where it belongs)."""
    found = ("", max(header_row - 1, 0))
    for row in range(header_row):
        text = next((grid.text(row, c) for c in range(len(grid.rows[row])) if grid.text(row, c)), "")
        if text and not re.fullmatch(r"附件\s*\d+[:：]?", unicodedata.normalize("NFKC", text)):
            found = (text, row)
    return found
