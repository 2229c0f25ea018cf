"""summary/splice.py: table bodies spliced into the closed workbook read back exactly as XlsxWriter writes them;
summary/xlsxwriter_fence.py: the style indexes it reads from XlsxWriter are the ones XlsxWriter writes."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections import Counter

import numpy as np
import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from synthetic import large_report, report
from xlsxwriter.workbook import Workbook

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.layout import col_letter
from dangjian_xlsx.models import Campaign, FormKind
from dangjian_xlsx.summary import (
    EXCEL_MAX_CHARS,
    FONT,
    MIN_ROWS,
    TRUNCATED,
    BodyRows,
    Col,
    Formats,
    clip,
    row_height_xml,
    table,
    workbook_options,
)
from dangjian_xlsx.summary.score_sheets import items_sheet
from dangjian_xlsx.summary.xlsxwriter_fence import register, style_index

COLS = [
    Col("n", "序号", 6, "int"),
    Col("name", "党总支", 20, "wrap"),
    Col("score", "得分", 8, "num"),
    Col("rate", "比例", 8, "pct"),
    Col("flag", "标记", 8, "center"),
    Col("note", "说明", 30, "wrap"),
]
TRICKY = [
    "=SUM(A1:A2)",  # text, never a formula
    "a & b < c > d",
    "控制\x01字符\x0b与\r回车",
    "_x0041_ 字面量",
    "  前后空格  ",
    "\t制表",
    "",
    "第一行\n第二行\n第三行\n第四行",
    "长" * (EXCEL_MAX_CHARS + 10),
    "\ufffe\uffff",
]


def _frame(n: int) -> pd.DataFrame:
    rows = []
    for i in range(n):
        score: object = [1.5, float("nan"), float("inf"), None, 2, np.int64(7), np.float64(0.25)][i % 7]
        rows.append(
            {
                "n": i + 1,
                "name": f"第{i:03d}党总支",
                "score": score,
                "rate": [0.5, None, pd.NA][i % 3],
                "flag": [True, False, "是", None][i % 4],
                "note": TRICKY[i % len(TRICKY)],
            }
        )
    return pd.DataFrame(rows, columns=[c.key for c in COLS])


CREATED = dt.datetime(2018, 9, 30, 12, 0, 0)


def _build(df: pd.DataFrame, spliced: bool) -> tuple[bytes, Formats]:
    buf = io.BytesIO()
    wb = Workbook(buf, workbook_options())
    wb.set_properties({"created": CREATED})  # else the clock's second is in the bytes
    F = Formats(wb)
    if spliced:
        F.body_rows = BodyRows()
    ws = wb.add_worksheet("表")
    wb.add_worksheet("空")
    table(ws, F, df, COLS, freeze_cols=1, header_height=30)
    wb.close()
    data = buf.getvalue()
    return (F.body_rows.splice(data, clip) if F.body_rows else data), F


def _cells(data: bytes, sheet: str = "表") -> list[tuple[object, ...]]:
    """Every cell's type and look (openpyxl) and value (python-calamine: openpyxl does not decode Excel's
    _xHHHH_ escapes in inline strings, which Excel, LibreOffice and calamine do)."""
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    values = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()
    out = []
    for row in ws.iter_rows():
        for c in row:
            value = values[c.row - 1][c.column - 1] if c.row <= len(values) else None
            out.append(
                (c.coordinate, value, c.data_type, c.number_format, repr(c.font), repr(c.fill),
                 repr(c.border), repr(c.alignment))
            )  # fmt: skip
    return out


def _heights(data: bytes) -> dict[int, float]:
    ws = openpyxl.load_workbook(io.BytesIO(data))["表"]
    return {k: v.height for k, v in ws.row_dimensions.items() if v.height}


def test_spliced_rows_read_back_like_xlsxwriter() -> None:
    df = _frame(120)
    plain, _ = _build(df, spliced=False)
    spliced, F = _build(df, spliced=True)
    assert F.body_rows is not None and "表" in F.body_rows.blocks  # the path under test was taken
    assert _cells(spliced) == _cells(plain)
    assert _heights(spliced) == _heights(plain)
    a = openpyxl.load_workbook(io.BytesIO(plain))["表"]
    b = openpyxl.load_workbook(io.BytesIO(spliced))["表"]
    assert (a.dimensions, a.freeze_panes, a.auto_filter.ref) == (
        b.dimensions,
        b.freeze_panes,
        b.auto_filter.ref,
    )


def test_text_stays_text_and_is_escaped() -> None:
    spliced, _ = _build(_frame(40), spliced=True)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(spliced)).get_sheet_by_name("表").to_python()
    notes = {r[5] for r in rows[3:]}
    assert {
        "=SUM(A1:A2)",
        "a & b < c > d",
        "_x0041_ 字面量",
        "  前后空格  ",
        "控制\x01字符\x0b与\r回车",
    } <= notes
    ws = openpyxl.load_workbook(io.BytesIO(spliced))["表"]
    assert ws.cell(row=4 + TRICKY.index("=SUM(A1:A2)"), column=6).data_type == "s"
    long = next(v for v in notes if isinstance(v, str) and v.startswith("长"))
    assert len(long) == EXCEL_MAX_CHARS and long.endswith(TRUNCATED)


def test_same_inputs_same_bytes() -> None:
    df = _frame(64)
    assert _build(df, spliced=True)[0] == _build(df, spliced=True)[0]


def test_spliced_sheets_are_deflated_at_the_spliced_level() -> None:
    """The long tables' sheets are deflated at SPLICED_LEVEL (quicker than XlsxWriter's 6 for a summary written
    on every collect), the other members copied as XlsxWriter deflated them."""
    import zlib

    from dangjian_xlsx.summary.splice import SPLICED_LEVEL

    data = _build(_frame(400), spliced=True)[0]
    plain = _build(_frame(400), spliced=False)[0]
    zf = zipfile.ZipFile(io.BytesIO(data))
    sheet = zf.getinfo("xl/worksheets/sheet1.xml")
    start = sheet.header_offset + 30 + len(sheet.filename.encode()) + len(sheet.extra)
    one = zlib.compressobj(SPLICED_LEVEL, zlib.DEFLATED, -15)
    assert data[start : start + sheet.compress_size] == one.compress(zf.read(sheet)) + one.flush()
    assert SPLICED_LEVEL != 6 and _cells(data) == _cells(plain)  # the same cells, whatever the level
    styles = zf.getinfo("xl/styles.xml")
    assert styles.compress_size == zipfile.ZipFile(io.BytesIO(plain)).getinfo("xl/styles.xml").compress_size


def test_short_tables_are_left_to_xlsxwriter() -> None:
    _, F = _build(_frame(MIN_ROWS - 1), spliced=True)
    assert F.body_rows is not None and not F.body_rows.blocks


def test_a_row_written_inside_a_spliced_table_is_refused() -> None:
    buf = io.BytesIO()
    wb = Workbook(buf, workbook_options())
    F = Formats(wb)
    F.body_rows = BodyRows()
    ws = wb.add_worksheet("表")
    table(ws, F, _frame(50), COLS)
    ws.write_string(10, 0, "late", F.by_kind["text"])  # inside the spliced rows
    wb.close()
    with pytest.raises(RuntimeError):
        F.body_rows.splice(buf.getvalue(), clip)


def test_helpers() -> None:
    assert [col_letter(c) for c in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert row_height_xml(32.0) == "32.25" and row_height_xml(15) == "15"
    assert not math.isnan(float(row_height_xml(409.0)))


def test_a_grid_with_a_format_per_cell_reads_back_like_xlsxwriter(campaign: Campaign) -> None:
    """得分明细 colours each score by its value (deduction, blank): spliced with one format per cell, it
    must look exactly as XlsxWriter writes it cell by cell."""
    rep = large_report(campaign, 60, seed=3)
    no_form = {b.name for b in rep.campaign.roster[5:8]}  # their blanks are not errors: not red
    files = [
        f for f in rep.files if not (f.kind is FormKind.SCORING and f.branch and f.branch.name in no_form)
    ]
    tables, _ = ag.tables_and_overview(report(rep.campaign, files))

    def build(spliced: bool) -> bytes:
        buf = io.BytesIO()
        wb = Workbook(buf, workbook_options())
        F = Formats(wb)
        F.body_rows = BodyRows() if spliced else None
        items_sheet(wb.add_worksheet("得分明细"), F, tables, campaign.catalog)
        wb.close()
        if F.body_rows is None:
            return buf.getvalue()
        assert "得分明细" in F.body_rows.blocks and F.body_rows.blocks["得分明细"].cell_formats
        return F.body_rows.splice(buf.getvalue(), clip)

    plain, spliced = build(False), build(True)
    cells = _cells(plain, "得分明细")
    assert _cells(spliced, "得分明细") == cells
    fills = Counter(c[5] for c in cells if isinstance(c[1], float) or c[1] in ("", None))
    assert len(fills) >= 3  # full marks, deductions and red blanks are all in the grid


# ---------------------------------------------------------------- the XlsxWriter fence


def _cell_styles(data: bytes, sheet: str = "xl/worksheets/sheet1.xml") -> dict[str, int]:
    """Cell reference → the `s` XlsxWriter wrote for it (0 when it wrote none), from the sheet's XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read(sheet).decode("utf-8")
    return {ref: int(s or 0) for ref, s in re.findall(r'<c r="([A-Z]+\d+)"(?: s="(\d+)")?', xml)}


def test_fenced_style_index_is_what_xlsxwriter_writes() -> None:
    """For every format a cell was written with, `style_index` is exactly the `s="N"` in XlsxWriter's own sheet
    XML (a format equal to an earlier one shares its index); an unused format has none; a registered one
    keeps its index and is in styles.xml."""
    buf = io.BytesIO()
    wb = Workbook(buf, workbook_options())
    bold = wb.add_format({"bold": True})
    red = wb.add_format({"bg_color": "#FFC7CE", "num_format": "0.0"})
    red_again = wb.add_format({"bg_color": "#FFC7CE", "num_format": "0.0"})  # equal to `red`
    unused = wb.add_format({"italic": True})
    registered = wb.add_format({"underline": True})
    ws = wb.add_worksheet("表")
    written = {"A1": None, "B1": bold, "C1": red, "D1": red_again, "E1": bold}
    for c, fmt in enumerate(written.values()):
        ws.write_number(0, c, c, fmt)
    ws.write_string(1, 0, "文字", red_again)
    index = register(
        registered
    )  # now: XlsxWriter gives the cells' formats theirs when it writes them, at close
    wb.close()
    data = buf.getvalue()
    styles = _cell_styles(data)
    for ref, fmt in [*written.items(), ("A2", red_again)]:
        if fmt is not None:
            assert style_index(fmt) == styles[ref], ref
    assert styles["C1"] == styles["D1"] > 0 and red_again.xf_index is None  # shared, never set on it
    assert style_index(unused) is None
    assert style_index(registered) == index and index not in styles.values()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert '<cellXfs count="4">' in z.read("xl/styles.xml").decode()  # default, bold, red, registered


def test_a_format_equal_to_another_is_spliced_with_the_shared_index() -> None:
    """A column whose format equals an earlier column's (XlsxWriter then leaves the later object's own index
    unset) is spliced with the index XlsxWriter writes for it, and reads back like XlsxWriter's own rows."""

    def build(spliced: bool) -> tuple[bytes, Formats]:
        buf = io.BytesIO()
        wb = Workbook(buf, workbook_options())
        F = Formats(wb)
        # the 标记 column ("center") gets a format equal to the 序号 column's ("int"), used first
        props = {
            "font_name": FONT,
            "font_size": 10,
            "valign": "vcenter",
            "num_format": "0",
            "align": "center",
        }
        F.by_kind["center"] = wb.add_format({**props, "border": 1, "border_color": "#BFBFBF"})
        F.body_rows = BodyRows() if spliced else None
        table(wb.add_worksheet("表"), F, _frame(60), COLS)
        wb.close()
        return (F.body_rows.splice(buf.getvalue(), clip) if F.body_rows else buf.getvalue()), F

    spliced, F = build(True)
    assert F.by_kind["center"].xf_index is None and style_index(F.by_kind["center"]) == style_index(
        F.by_kind["int"]
    )
    assert _cells(spliced) == _cells(build(False)[0])
