"""The look of the generated workbooks: formats, text measuring, print setup.

`sheet.py` and `meta.py` decide *what* goes where (driven by `layout.py`); this module decides how it looks.
The locks (sheet and workbook-structure protection) are in `protect.py`.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

BODY_FONT = "宋体"
TITLE_FONT = "宋体"
LABEL_FONT = "黑体"
FONT_SIZE = 11
TITLE_SIZE = 16
GB2312_CHARSET = (
    134  # tells Excel the font is a Chinese one, so it substitutes a CJK face when 宋体 is missing
)

TODO_FILL = "#FFF2CC"  # empty input cells (conditional format)
PROBLEM_FILL = "#F8CBAD"  # cells to correct (static fill, with a comment)
HEADER_FILL = "#D9D9D9"

LINE_FACTOR = 1.45  # line height / font size: CJK fonts (宋体, Noto CJK) need ~1.3–1.45 em
PAPER_A4 = 9
MARGIN_TOP, MARGIN_BOTTOM = 0.6, 0.7  # inches
FOOTER = "&C第 &P 页 共 &N 页"
ZERO_BLANK = "General;-General;;@"  # live sub-totals: blank while nothing is filled in

_BASE: dict[str, Any] = {
    "font_name": BODY_FONT,
    "font_size": FONT_SIZE,
    "font_charset": GB2312_CHARSET,
    "valign": "vcenter",
}
_BOX: dict[str, Any] = {**_BASE, "border": 1, "text_wrap": True}

# Named formats. Every format is created at most once per workbook (see Styles).
STYLES: dict[str, dict[str, Any]] = {
    "attachment": {**_BASE, "font_name": LABEL_FONT, "font_size": 12},
    "title": {
        **_BASE,
        "font_name": TITLE_FONT,
        "font_size": TITLE_SIZE,
        "bold": True,
        "align": "center",
        "text_wrap": True,
    },
    "label": {**_BASE, "align": "left"},
    "label_wrap": {**_BASE, "align": "left", "text_wrap": True},  # a unit's name label longer than column A
    "header_value": {**_BASE, "align": "left", "bottom": 1, "bold": True},
    "header_input": {**_BASE, "align": "left", "bottom": 1, "locked": False},
    "date_input": {**_BASE, "align": "center", "bottom": 1, "locked": False, "num_format": "yyyy-mm-dd"},
    "date_value": {**_BASE, "align": "center", "bottom": 1, "num_format": "yyyy-mm-dd"},
    "column": {**_BOX, "bold": True, "align": "center", "bg_color": HEADER_FILL},
    "center": {**_BOX, "align": "center"},
    "text": {**_BOX, "align": "left"},
    "points": {**_BOX, "align": "center", "num_format": '0"分"'},
    "points_decimal": {**_BOX, "align": "center", "num_format": '0.0"分"'},  # 0.5分
    "number": {**_BOX, "align": "center"},
    # a section's merged 序号 / 项目 / 小计 cells: at the top, in the section's first row, so that a page break
    # inside the section never cuts them or prints them twice
    "section": {**_BOX, "align": "center", "valign": "top"},
    "subtotal": {**_BOX, "align": "center", "valign": "top", "num_format": ZERO_BLANK},
    "total_label": {**_BOX, "align": "center", "bold": True},
    "total_points": {**_BOX, "align": "center", "bold": True, "num_format": '0"分"'},
    "total_points_decimal": {**_BOX, "align": "center", "bold": True, "num_format": '0.0"分"'},
    "total_number": {**_BOX, "align": "center", "bold": True, "num_format": ZERO_BLANK},
    "total_text": {**_BOX, "align": "center", "bold": True},
    "blank": {**_BOX},
    "score_input": {**_BOX, "align": "center", "locked": False},
    "status_input": {**_BOX, "align": "center", "locked": False},
    # Text format: Excel/WPS/Calc keep "100%" or "1/2" typed into a free-text cell as typed, not as a number/date.
    "text_input": {**_BOX, "align": "left", "locked": False, "num_format": "@"},
    "guide_title": {**_BASE, "font_size": TITLE_SIZE, "bold": True, "align": "center"},
    "guide_heading": {**_BASE, "bold": True, "text_wrap": True, "valign": "top"},
    "guide_text": {**_BASE, "text_wrap": True, "valign": "top"},
    "meta": {"font_size": 10},
    "meta_head": {"font_size": 10, "bold": True},
}


class Styles:
    """Format cache of one workbook: `styles["text"]`, `styles.get("score_input", problem=True)`."""

    def __init__(self, wb: Workbook) -> None:
        self._wb = wb
        self._cache: dict[tuple[str, bool], Format] = {}
        self.todo = wb.add_format({"bg_color": TODO_FILL})

    def get(self, name: str, *, problem: bool = False) -> Format:
        key = (name, problem)
        fmt = self._cache.get(key)
        if fmt is None:
            props = dict(STYLES[name])
            if problem:
                props["bg_color"] = PROBLEM_FILL
            fmt = self._cache[key] = self._wb.add_format(props)
        return fmt

    def __getitem__(self, name: str) -> Format:
        return self.get(name)


# ---------------------------------------------------------------- text measuring


def column_pixels(width: float) -> int:
    """Excel's pixel width of a column `width` characters wide (default font: 7 px per digit)."""
    return int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)


def _units(text: str) -> float:
    """Width of `text` in full-width (CJK) character units; ambiguous ones (“”、…) are full width in 宋体."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in text)


@lru_cache(maxsize=4096)  # the same form texts are measured for every workbook generated
def text_lines(text: str, width: float, size: float = FONT_SIZE) -> int:
    """Lines that `text` wraps to in a cell `width` characters wide at `size` pt (an upper estimate)."""
    usable = column_pixels(width) - 8  # cell padding and grid line
    per_line = max(1, math.floor(usable / (size * 96 / 72)))
    lines = 0
    for para in str(text).split("\n"):
        units = _units(para)
        if units <= per_line:
            lines += 1
        else:  # line-breaking rules may push one character (closing punctuation) to the next line
            lines += math.ceil(units / max(1, per_line - 1))
    return lines


def text_height(text: str, width: float, size: float = FONT_SIZE, *, minimum: float = 20.0) -> float:
    """Row height (pt) that shows all of `text`, wrapped in a cell `width` characters wide."""
    h = text_lines(text, width, size) * size * LINE_FACTOR + 5
    return max(minimum, math.ceil(h * 4) / 4)


# ---------------------------------------------------------------- sheets


class GrowingWorksheet(Worksheet):
    """A worksheet whose `grow_rows` keep the height they are given but not as a fixed one: their <row>
    has `ht` without `customHeight`, so Excel and LibreOffice grow the row with what is typed into its
    wrapped input cells (a fixed height hides text past it, on screen and on paper).

    XlsxWriter has no public way to write a height without `customHeight`: this filters the attributes its
    XML writer (`_xml_start_tag_unencoded`, `_xml_empty_tag_unencoded`, as in XlsxWriter 3.3, pinned in
    pyproject.toml) is given. tests/forms/test_generate.py checks the written rows, so an upgrade that
    renames them fails there first."""

    def __init__(self) -> None:
        super().__init__()
        self.grow_rows: set[int] = set()  # 0-based

    def _free(self, tag: str, attributes: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        if tag == "row" and attributes and attributes[0][1] - 1 in self.grow_rows:
            return [a for a in attributes if a[0] != "customHeight"]
        return attributes

    def _xml_start_tag_unencoded(self, tag: str, attributes: Any = None) -> None:
        super()._xml_start_tag_unencoded(tag, self._free(tag, attributes or []))

    def _xml_empty_tag_unencoded(self, tag: str, attributes: Any = None) -> None:
        super()._xml_empty_tag_unencoded(tag, self._free(tag, attributes or []))


def setup_print(
    ws: Worksheet,
    *,
    last_row: int,
    last_col: int,
    landscape: bool,
    repeat_row: int | None = None,
) -> None:
    """A4, fitted to the page width, centred, page numbers in the footer, optional repeated header row.

    No manual page breaks: the rows flow onto the pages, so every page is full up to the row that does not
    fit, a section is split over two pages only when its rest does not fit, and a break never falls inside a
    row (an item is one row). Breaks fixed when the form is made would be wrong once typed text grows its
    rows, leaving pages nearly empty; a section's merged cells keep their text at the top, in the section's
    first row, so a break inside the section never cuts it."""
    ws.set_paper(PAPER_A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=MARGIN_TOP, bottom=MARGIN_BOTTOM)
    ws.set_footer(FOOTER, {"margin": 0.3})
    ws.print_area(0, 0, last_row, last_col)
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)


def cell_ranges(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Compress cells into vertical runs (first_row, col, last_row, col), sorted by column then row."""
    runs: list[tuple[int, int, int, int]] = []
    for row, col in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        if runs and runs[-1][1] == col and runs[-1][2] == row - 1:
            first, _, _, _ = runs[-1]
            runs[-1] = (first, col, row, col)
        else:
            runs.append((row, col, row, col))
    return runs
