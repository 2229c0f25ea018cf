"""summary/xlsxwriter_fence.lean_rows and the summary written in pieces: the same bytes in less memory."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from synthetic import scenario
from xlsxwriter.workbook import Workbook

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.models import Campaign
from dangjian_xlsx.ooxml import ZipWriter
from dangjian_xlsx.summary import build_summary, write_summary
from dangjian_xlsx.summary.workbook import workbook_options
from dangjian_xlsx.summary.xlsxwriter_fence import lean_rows

LAST = 2_000  # a table's last row, far below its first: the rows between are spliced in later


def _workbook(lean: bool) -> tuple[bytes, int]:
    """A sheet with cells in its first and last rows only; its bytes and how many rows XlsxWriter keeps."""
    buf = io.BytesIO()
    wb = Workbook(buf, workbook_options())
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "首行")
    ws.write_number(0, 1, 1.5)
    ws.write_string(LAST, 0, "末行")
    ws.set_row(LAST // 2, 30)
    if lean:
        lean_rows(ws)
    wb.close()
    return buf.getvalue(), len(ws.table)


def test_lean_rows_keeps_no_empty_row_and_writes_the_same_bytes() -> None:
    plain, plain_rows = _workbook(lean=False)
    lean, lean_rows_kept = _workbook(lean=True)
    assert lean == plain
    assert lean_rows_kept == 2  # the two rows with cells, none for the rows XlsxWriter only looked at
    assert plain_rows > LAST  # what XlsxWriter does without it (the memory this saves)


def test_a_cell_written_after_lean_rows_into_a_new_row_is_refused() -> None:
    wb = Workbook(io.BytesIO(), workbook_options())
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "首行")
    lean_rows(ws)
    ws.write_string(0, 1, "同一行")  # an existing row takes more cells
    with pytest.raises(TypeError):  # a missing row is read-only: never one row shared by every missing row
        ws.write_string(5, 0, "新行")
    wb.close()


def test_the_summary_written_in_pieces_is_the_built_workbook(campaign: Campaign, tmp_path: Path) -> None:
    rep = scenario(campaign)
    tables, ov = ag.tables_and_overview(rep)
    path = write_summary(tables, ov, tmp_path / "汇总表.xlsx", campaign, rep.generated_at)
    data = path.read_bytes()
    assert data == build_summary(tables, ov, campaign, rep.generated_at)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert any(b't="inlineStr"' in xml for xml in sheets)  # a spliced table: members copied and deflated


def test_zip_pieces_join_to_the_zip() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", "<a>" + "甲" * 500 + "</a>")
        z.writestr("b.xml", "<b/>")
    src = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(src)) as z, ZipWriter() as out:
        for info in z.infolist():
            out.copy(src, info)
        whole = out.getvalue()
        pieces = list(out.chunks())
    assert b"".join(pieces) == whole
    with zipfile.ZipFile(io.BytesIO(whole)) as z:
        assert z.read("a.xml").decode() == "<a>" + "甲" * 500 + "</a>" and z.read("b.xml") == b"<b/>"
