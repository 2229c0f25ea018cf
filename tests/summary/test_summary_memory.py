"""summary/xlsxwriter_fence.lean_rows, the summary written in pieces, its row heights and its CSV exports: the
same bytes in less memory."""

from __future__ import annotations

import gc
import hashlib
import io
import itertools
import random
import tracemalloc
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from synthetic import scenario
from xlsxwriter.workbook import Workbook

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.models import Campaign
from dangjian_xlsx.ooxml import ZipWriter
from dangjian_xlsx.summary import build_summary, splice, write_summary
from dangjian_xlsx.summary.exports import CHUNK_ROWS, csv_bytes, csv_chunks, csv_frame
from dangjian_xlsx.summary.measure import LINE_HEIGHT, wrapped_height, wrapped_heights
from dangjian_xlsx.summary.sheets import open_first
from dangjian_xlsx.summary.workbook import summary_chunks, workbook_options
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

    def copied() -> ZipWriter:
        out = ZipWriter()
        with zipfile.ZipFile(io.BytesIO(src)) as z:
            for info in z.infolist():
                out.copy(src, info)
        return out

    whole = copied().getvalue()
    assert b"".join(copied().chunks()) == whole
    drained = copied()
    assert b"".join([*drained.drain(), *drained.chunks()]) == whole  # members handed on early: the same zip
    with zipfile.ZipFile(io.BytesIO(whole)) as z:
        assert z.read("a.xml").decode() == "<a>" + "甲" * 500 + "</a>" and z.read("b.xml") == b"<b/>"


def _member(k: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(f"xl/worksheets/sheet{k}.xml", (2024, 5, 6, 7, 8, 10))
    info.external_attr = 0o600 << 16
    return info


def test_a_drained_member_is_not_kept() -> None:
    """A long summary's compressed sheets: each handed on as soon as it is deflated, none held until the last
    one is. Fails if the writer keeps every member's data until the end again."""
    payload = random.Random(5).randbytes(1 << 20)  # deflates to about its own size
    whole = ZipWriter()
    for k in range(6):
        whole.deflate(_member(k), [payload])
    want = whole.getvalue()
    out, got = ZipWriter(), []
    gc.collect()
    tracemalloc.start()
    try:
        for k in range(6):
            out.deflate(_member(k), [payload[: 1 << 19], payload[1 << 19 :]])
            got.append(hashlib.sha256(b"".join(out.drain())).digest())  # written, then let go
        kept = tracemalloc.get_traced_memory()[0]
        tail = b"".join(out.chunks())
    finally:
        tracemalloc.stop()
    assert kept < len(payload) // 2, f"{kept} bytes kept after the members were handed on"
    with zipfile.ZipFile(io.BytesIO(want)) as z:
        offsets = [i.header_offset for i in z.infolist()] + [len(want) - len(tail)]
    parts = [want[a:b] for a, b in itertools.pairwise(offsets)]
    assert got == [hashlib.sha256(p).digest() for p in parts] and want.endswith(tail)


def test_the_summary_hands_on_each_member_before_the_next(
    campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spliced summary: at most one member is waiting in the zip writer at any time."""
    waiting: list[int] = []

    class Watched(ZipWriter):
        def copy(self, src: bytes, info: zipfile.ZipInfo) -> None:
            super().copy(src, info)
            waiting.append(waiting[-1] + 1 if waiting else 1)

        def deflate(self, info: zipfile.ZipInfo, pieces: Iterable[bytes]) -> None:
            super().deflate(info, pieces)
            waiting.append(waiting[-1] + 1 if waiting else 1)

        def drain(self) -> Iterator[bytes | memoryview]:
            waiting.append(0)
            yield from super().drain()

    rep = scenario(campaign)
    tables, ov = ag.tables_and_overview(rep)
    want = build_summary(tables, ov, campaign, rep.generated_at)
    monkeypatch.setattr(splice, "ZipWriter", Watched)
    assert b"".join(summary_chunks(tables, ov, campaign, rep.generated_at)) == want
    assert max(waiting) == 1 and waiting.count(0) > 10


def test_task_details_are_shown_open_first_without_a_reordered_copy() -> None:
    details = pd.DataFrame(
        {
            "seq": [1, 2, 3, 4],
            "branch_id": ["b1", "b2", "b3", "b4"],
            "status": ["已完成", "未完成", "已完成", None],
            "done": ["甲", "乙", "丙", "丁"],
        }
    )
    order = open_first(details, "已完成")
    assert order.tolist() == [1, 3, 0, 2]  # not done (blank too), then done, each in the table's order
    rows = splice.FrameRows(details, ["seq", "done"], order=order)
    assert list(rows) == [(2, "乙"), (4, "丁"), (1, "甲"), (3, "丙")]
    assert list(rows[1:3]) == [(4, "丁"), (1, "甲")] and rows[-1] == (3, "丙")
    assert rows[1:3].column(1) == ["丁", "甲"]


# ---------------------------------------------------------------- what a province's summary keeps per row

WIDTH = 12.0  # a wrapped column's width in characters


def _wrapping_rows(n: int) -> list[tuple[str, str]]:
    """Rows whose second column wraps to 1–4 lines (most of them more than one)."""
    return [(f"第{k}行", "落实" * (3 + 7 * (k % 4)) if k % 5 else "") for k in range(n)]


def test_row_heights_are_each_rows_height() -> None:
    rows = _wrapping_rows(500)
    wrapped = [(1, WIDTH)]
    heights = wrapped_heights(rows, wrapped, 7, LINE_HEIGHT)
    want = {
        7 + k: h for k, r in enumerate(rows) if (h := wrapped_height(r, wrapped, LINE_HEIGHT)) is not None
    }
    assert dict(heights) == want and len(heights) == len(want) and list(heights) == list(want)
    assert all(row in heights for row in want) and 6 not in heights and 7 + 500 not in heights
    assert heights.get(7 + 500) is None and heights == want


def test_row_heights_keep_a_few_bytes_per_row() -> None:
    """任务清单明细 of a province: a hundred thousand rows that wrap. A dict of row → height keeps about a
    hundred bytes for each; this fails if they are kept that way again."""
    rows = _wrapping_rows(100_000)
    gc.collect()
    tracemalloc.start()
    try:
        heights = wrapped_heights(rows, [(1, WIDTH)], 3, LINE_HEIGHT)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(heights) > 50_000
    assert kept / len(rows) < 8, f"{kept / len(rows):.1f} bytes per row"


def test_csv_written_a_slice_at_a_time_is_what_csv_writer_writes() -> None:
    n = CHUNK_ROWS * 2 + 5
    values = {
        "text": [f"=SUM(A{k})" if k == CHUNK_ROWS + 3 else f"文本{k % 7}" for k in range(n)],
        "number": [k % 4 if k % 2 else k / 4 for k in range(n)],
        "blank": [None if k % 3 else 1.5 for k in range(n)],
    }
    df = pd.DataFrame(values)
    rows = zip(*values.values(), strict=True)
    assert csv_frame(df, list(values)) == csv_bytes(list(values), rows)
    pieces = list(csv_chunks(df, list(values)))
    assert len(pieces) == 1 + 3  # the header, then each slice on its own


def test_csv_of_a_long_table_is_converted_a_slice_at_a_time() -> None:
    """A province's score CSV has every item of every branch: its columns are not converted whole (a list of
    values and one of texts per column) before the first row is written; this fails if they are again."""
    n = 60_000
    df = pd.DataFrame(
        {
            "branch_id": [f"{k // 44:04d}" for k in range(n)],
            "score": [float(k % 5) for k in range(n)],
            "lost": [float(k % 3) / 2 for k in range(n)],
            "note": ["" if k % 4 else "扣分说明" for k in range(n)],
        }
    )
    columns = list(df.columns)
    gc.collect()
    tracemalloc.start()
    try:
        size = sum(len(piece) for piece in csv_chunks(df, columns))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size == len(csv_frame(df, columns))
    # a slice's values and texts, whatever the table's length (the whole columns' lists were 3.4 MB here)
    assert peak < 1_500_000, f"{peak / n:.1f} bytes per row at the peak"
