"""The summary workbook's toolkit: sheet names, formats, colour rules (tones: colours.py), and the generic
table writer.

Every text value is written with write_string (never interpreted as a formula, URL or number);
numbers with write_number; nothing derived from a submission is a formula.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import aggregate as ag
from ..layout import Field
from ..models import DEFAULT_UNIT, Catalog
from .colours import PALETTE, STATUS_COLOURS, Tone, status_colours, tone_of
from .measure import (
    BODY_SIZE,
    DEFAULT_ROW,
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    column_values,
    content_width,
    fit_row,
    text_lines,
    wrapped_heights,
)
from .splice import MIN_ROWS as BODY_ROWS_MIN
from .splice import BodyRows, FrameRows

EXCEL_MAX_CHARS = 32_767
TRUNCATED = "…（内容过长，已截断）"
FONT = "宋体"
SUMMARY_SIZE = 9  # the summary's tables: long, printed

# Sheet names, in order (all ≤ 31 characters).
S_OVERVIEW = "总览"
S_SCORES = "得分汇总"
S_ITEMS = "得分明细"
S_LOSSES = "失分分析"
S_LEDGER = "问题台账"
S_TASKS = "任务清单汇总"
S_TASK_DETAILS = "任务清单明细"
S_SUBMISSIONS = "提交情况"
S_FILES = "文件清单"
S_PROBLEMS = "校验问题"
S_INSPECTION = "自评与督查对比"  # only when 组织部's 督查评分表 were collected; placed after 得分汇总
SHEETS = (
    S_OVERVIEW,
    S_SCORES,
    S_ITEMS,
    S_LOSSES,
    S_LEDGER,
    S_TASKS,
    S_TASK_DETAILS,
    S_SUBMISSIONS,
    S_FILES,
    S_PROBLEMS,
)

# Completion rates on a fixed 0–100 % scale (red → yellow → green).
RATE_SCALE: dict[str, Any] = {
    "type": "3_color_scale",
    "min_type": "num",
    "min_value": 0,
    "mid_type": "num",
    "mid_value": 0.5,
    "max_type": "num",
    "max_value": 1,
    "min_color": "#F8696B",
    "mid_color": "#FFEB84",
    "max_color": "#63BE7B",
}


def points_scale(total: float) -> dict[str, Any]:
    """Totals against the maximum, not against each other: red at ≤ 80 %, yellow at 90 %, green at 100 %
    (so 90 and 100 differ in colour, 95 and 97 hardly)."""
    return {
        "type": "3_color_scale",
        "min_type": "num",
        "min_value": round(total * 0.8, 2),
        "mid_type": "num",
        "mid_value": round(total * 0.9, 2),
        "max_type": "num",
        "max_value": total,
        "min_color": "#F8696B",
        "mid_color": "#FFEB84",
        "max_color": "#63BE7B",
    }


def clip(text: str) -> str:
    """Excel holds at most 32,767 characters per cell: longer text is cut, with a marker."""
    if len(text) <= EXCEL_MAX_CHARS:
        return text
    return text[: EXCEL_MAX_CHARS - len(TRUNCATED)] + TRUNCATED


class Formats:
    """All cell formats of the workbook, created once; with the round's catalog, its task statuses among the
    coloured words (`tones`)."""

    def __init__(self, wb: Workbook, catalog: Catalog | None = None, size: float = BODY_SIZE) -> None:
        self.tones: dict[str, Tone] = STATUS_COLOURS if catalog is None else status_colours(catalog)
        self.size = size  # the points of the tables' text (headings keep theirs)
        self.line = LINE_HEIGHT * size / BODY_SIZE  # points per line of wrapped text
        self.row = DEFAULT_ROW * size / BODY_SIZE  # a row of one line

        def f(**props: Any) -> Any:
            return wb.add_format({"font_name": FONT, "font_size": size, "valign": "vcenter", **props})

        cell = {"border": 1, "border_color": "#BFBFBF"}
        self.title = f(bold=True, font_size=16)
        self.note = f(font_color="#595959", text_wrap=True, valign="top")
        self.section = f(bold=True, font_size=12, font_color="#1F4E78")
        self.header = f(
            bold=True, text_wrap=True, align="center", bg_color="#DDEBF7", border=1, border_color="#8EA9C1"
        )
        self.by_kind = {
            "text": f(**cell),
            "wrap": f(text_wrap=True, **cell),
            "center": f(align="center", **cell),
            "int": f(num_format="0", align="center", **cell),
            # points and maxima: 2, 7.5, 150 as they are (a whole number without a decimal point)
            "points": f(num_format="General", align="center", **cell),
            "bytes": f(num_format="#,##0", **cell),
            "num": f(num_format="0.0", **cell),
            "pct": f(num_format="0.0%", **cell),
            "mono": f(font_name="Consolas", font_size=9, **cell),
            "input": f(text_wrap=True, bg_color="#FFFDE7", **cell),
        }
        self.num_lost = f(num_format="0.0", bg_color="#FCE4D6", **cell)
        self.num_blank_bad = f(num_format="0.0", bg_color="#FFC7CE", **cell)
        self.label = f(bold=True, **cell)
        self.by_kind["label"] = self.label  # a bold first column (总览's section table)
        self.big = f(bold=True, font_size=12, num_format="0", align="center", **cell)
        self.big_num = f(bold=True, font_size=12, num_format="0.0", align="center", **cell)
        self.colour = {k: wb.add_format(v) for k, v in PALETTE.items()}
        self.lost_rule = wb.add_format({"font_color": "#C65911", "bold": True})
        # When set, `table` keeps the middle rows of long tables back from XlsxWriter (see splice.py).
        self.body_rows: BodyRows | None = None

    def wrap_width(self, width: float) -> float:
        """What `text_lines` measures a wrapped column `width` wide against: the width less the cell's padding,
        in characters of the body size (text smaller than 10 points fits more to a line)."""
        return max(width - 1.5, 1.0) * BODY_SIZE / self.size

    def height(self, lines: int) -> float:
        """The height of a row showing `lines` lines of the body text."""
        return min(MAX_ROW_HEIGHT, self.line * lines + 3)


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    width: float
    kind: str = "text"  # a key of Formats.by_kind
    status: bool = False  # colour by the status words' tones (Formats.tones)
    printed: bool = True  # on paper too (the columns not printed come last: on screen only)


def span(cols: Sequence[Col]) -> tuple[int, float]:
    """What a title above `cols` spans: how many of them are printed (they come first), and their width."""
    printed = [col for col in cols if col.printed]
    return len(printed), sum(col.width for col in printed)


def col_index(cols: Sequence[Col], key: str) -> int:
    """The position of the column `key` in a sheet's column list (which is the one source of positions:
    charts and conditional formats look their columns up here)."""
    for c, col in enumerate(cols):
        if col.key == key:
            return c
    raise KeyError(f"no column {key!r}")


def put(ws: Worksheet, row: int, col: int, v: Any, fmt: Any) -> None:
    """Write one value as what it is: text as text, numbers as numbers, blanks as blanks."""
    t = type(v)
    if t is str:
        if v:
            ws.write_string(row, col, v if len(v) <= EXCEL_MAX_CHARS else clip(v), fmt)
        else:
            ws.write_blank(row, col, None, fmt)
    elif t is float:
        if math.isfinite(v):
            ws.write_number(row, col, v, fmt)
        else:
            ws.write_blank(row, col, None, fmt)
    elif t is int:
        ws.write_number(row, col, v, fmt)
    elif isinstance(v, str):
        ws.write_string(row, col, clip(str(v)), fmt)
    elif ag.is_missing(v):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(v, bool):
        ws.write_boolean(row, col, v, fmt)
    elif isinstance(v, numbers.Real):
        put(ws, row, col, float(v), fmt)
    else:
        ws.write_string(row, col, clip(str(v)), fmt)


WRAPPED = frozenset({"wrap", "input"})
INPUT_KINDS = frozenset({"input"})  # columns the department fills in after the summary is written


def sized(
    F: Formats, cols: Sequence[Col], df: pd.DataFrame, fit: Mapping[str, tuple[float, float]]
) -> list[Col]:
    """`cols` with the columns named in `fit` (key → (narrowest, widest)) as wide as the frame's widest value in
    them (the header wraps): the rest as they are."""
    return [
        replace(c, width=content_width(df[c.key].tolist(), *fit[c.key], F.size)) if c.key in fit else c
        for c in cols
    ]


def header_height_of(F: Formats, cols: Sequence[Col], floor: float = 0) -> float:
    """The header row's height that shows every wrapped header in full (at least `floor`)."""
    lines = max((text_lines(col.header, F.wrap_width(col.width)) for col in cols), default=1)
    return max(floor, F.height(lines))


def title(ws: Worksheet, F: Formats, text: str, note: str, width: int, note_width: float = 0) -> None:
    """Row 0: the title; row 1: an explanation, as tall as its text needs when the columns' width is given."""
    last = max(width - 1, 0)
    if last:
        ws.merge_range(0, 0, 0, last, "", F.title)
        ws.merge_range(1, 0, 1, last, "", F.note)
    ws.write_string(0, 0, text, F.title)
    ws.write_string(1, 0, note, F.note)
    ws.set_row(0, 26)
    lines = text_lines(note, F.wrap_width(note_width)) if note_width else 1
    ws.set_row(1, max(30, F.height(lines)))


FOOTER = "&C第 &P 页，共 &N 页"


def print_setup(ws: Worksheet, header_first: int, header_last: int | None = None) -> None:
    """A4 landscape, one page wide, the header rows on every page, the page number in the footer."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    ws.repeat_rows(header_first, header_last if header_last is not None else header_first)
    ws.set_footer(FOOTER)


def page_header(ws: Worksheet, heading: str) -> None:
    """The running head of every printed page: the round's title on the left, the sheet's name on the right."""

    def literal(text: str) -> str:
        return text.replace("&", "&&")

    ws.set_header(f"&L{literal(heading)}&R{literal(ws.name)}", {"margin": 0.3})


def colour_rules(
    ws: Worksheet, F: Formats, r1: int, c1: int, r2: int, c2: int, words: Iterable[Any] | None = None
) -> None:
    """Red / amber / green / grey fills for the status words in a range: every word, or only those among
    `words` (what the range holds, for a range nobody types into: a rule per word that cannot occur there
    is clutter in the spreadsheet's rule list)."""
    if r2 < r1:
        return
    if words is None:
        rules = list(F.tones.items())
    else:  # the words present, in a stable order; a word with a count coloured by its prefix
        present = sorted({w for w in words if type(w) is str and w and '"' not in w})
        rules = [(w, tone) for w in present if (tone := tone_of(w, F.tones)) is not None]
    for value, colour in rules:
        ws.conditional_format(
            r1,
            c1,
            r2,
            c2,
            {"type": "cell", "criteria": "==", "value": f'"{value}"', "format": F.colour[colour]},
        )


def table(
    ws: Worksheet,
    F: Formats,
    df: pd.DataFrame,
    cols: Sequence[Col],
    *,
    header_row: int = 2,
    freeze_cols: int = 0,
    header_height: float | None = None,
    splice: bool = True,
    order: np.ndarray | None = None,
) -> tuple[int, int]:
    """A filterable table: header, rows, widths, frozen header, autofilter, status colours, print setup.
    `splice=False` when other cells are written in the table's rows (a side table): XlsxWriter writes every row.
    `order`: the frame's row positions in the order they are shown (else the frame's order).

    Returns (first data row, last data row); last < first when there are no rows.
    """
    for c, col in enumerate(cols):
        ws.write_string(header_row, c, col.header, F.header)
        ws.set_column(c, c, col.width)
    ws.set_row(header_row, header_height_of(F, cols, header_height or 0))
    first = header_row + 1
    fmts = [F.by_kind[col.kind] for col in cols]
    wrapped = [(c, F.wrap_width(col.width)) for c, col in enumerate(cols) if col.kind in WRAPPED]
    # read from the frame when needed (in `order`, when given), never all held
    rows = FrameRows(df, [c.key for c in cols], order=order)
    last = first + len(rows) - 1 if rows else header_row
    written: Iterable[tuple[int, Sequence[Any]]] = enumerate(rows, start=first)
    if splice and F.body_rows is not None and len(rows) >= BODY_ROWS_MIN:  # the middle rows: spliced at close
        middle = rows[1:-1]
        F.body_rows.add(ws.name, first + 1, middle, fmts, wrapped_heights(middle, wrapped, first + 1, F.line))
        written = ((first, rows[0]), (last, rows[-1]))
    for row, values in written:
        for c, v in enumerate(values):
            put(ws, row, c, v, fmts[c])
        if wrapped:
            fit_row(ws, row, values, wrapped, F.line)
    finish(ws, F, cols, header_row, last, freeze_cols, rows)
    return first, last


def plain_table(
    ws: Worksheet, F: Formats, df: pd.DataFrame, cols: Sequence[Col], header_row: int, first_col: int = 0
) -> int:
    """A plain block at (header_row, first_col): the headers, then one row per frame row (no widths,
    filter or colours). Returns the last row written: header_row when there are no rows."""
    for c, col in enumerate(cols, start=first_col):
        ws.write_string(header_row, c, col.header, F.header)
    fmts = [F.by_kind[col.kind] for col in cols]
    row = header_row
    for row, values in enumerate(ag.rows(df, [c.key for c in cols]), start=header_row + 1):
        for c, v in enumerate(values):
            put(ws, row, first_col + c, v, fmts[c])
    return row


def finish(
    ws: Worksheet,
    F: Formats,
    cols: Sequence[Col],
    header_row: int,
    last: int,
    freeze_cols: int,
    rows: Sequence[Sequence[Any]] = (),
) -> None:
    """Frozen header, autofilter, status colours, print setup. A status column is coloured for the words its
    `rows` hold; an input column (filled in later by people) for every status word."""
    ws.freeze_panes(header_row + 1, freeze_cols)
    ws.autofilter(header_row, 0, max(last, header_row), len(cols) - 1)
    for c, col in enumerate(cols):
        if col.status:
            words = None if col.kind in INPUT_KINDS else column_values(rows, c)
            colour_rules(ws, F, header_row + 1, c, last, c, words)
    print_setup(ws, header_row)
    printed = [c for c, col in enumerate(cols) if col.printed]
    if len(printed) < len(cols):  # the columns on screen only (they come last)
        ws.print_area(0, 0, max(last, header_row), printed[-1])


def field_label(value: str, unit: str = DEFAULT_UNIT) -> str:
    """A problem's field as people read it (the header's name cell: the round's unit word, 党支部名称)."""
    try:
        fld = Field(value)
    except ValueError:
        return value
    return f"{unit}名称" if fld is Field.BRANCH else fld.label
