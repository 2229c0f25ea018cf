""".xls pre-check (read/xlssafety.py): every record calamine sizes memory from is within the limits before
calamine sees the file — each value-cell record by its row and column, a MULRK by its first column and the
cells it holds (not by its last-column field), DIMENSIONS with its first column taken as calamine takes it —
and the blank-cell and ROW records are consistent. Pure Python: nothing here reaches calamine."""

from __future__ import annotations

import datetime as dt
import struct

import pytest
from hostile_corpus import biff_record, make_cfb, make_xls, mulrk

from dangjian_xlsx.read import DEFAULT_LIMITS, ReadError
from dangjian_xlsx.read.xlssafety import check_xls

LIMITS = DEFAULT_LIMITS


def _xls(extra: bytes) -> bytes:
    return make_xls([("表", 0, [(0, 0, "x")])], sheet_extra=extra)


def _code(extra: bytes) -> str:
    try:
        check_xls(_xls(extra), LIMITS)
    except ReadError as err:
        return err.code.value
    return "ok"


def _label(row: int, col: int, typ: int = 0x0204) -> bytes:
    return biff_record(typ, struct.pack("<HHH", row, col, 0) + struct.pack("<HB", 1, 0) + b"a")


FAR_ROW, FAR_COL = LIMITS.max_rows, LIMITS.max_cols  # 0-based: one past the last row / column allowed
CELLS = {
    "NUMBER": lambda r, c: biff_record(0x0203, struct.pack("<HHHd", r, c, 0, 1.0)),
    "LABEL": lambda r, c: _label(r, c),
    "RSTRING": lambda r, c: _label(r, c, 0x00D6) + b"\x00\x00",
    "BOOLERR": lambda r, c: biff_record(0x0205, struct.pack("<HHHBB", r, c, 0, 1, 0)),
    "RK": lambda r, c: biff_record(0x027E, struct.pack("<HHHI", r, c, 0, 0x3FF00000)),
    "LABELSST": lambda r, c: biff_record(0x00FD, struct.pack("<HHHI", r, c, 0, 0)),
    "FORMULA": lambda r, c: biff_record(
        0x0006, struct.pack("<HHH8sHI", r, c, 0, b"\x00" * 8, 0, 0) + b"\x00\x00"
    ),
    "MULRK": lambda r, c: mulrk(r, c, (c + 1) & 0xFFFF, 2),
}


@pytest.mark.parametrize("kind", list(CELLS))
def test_every_value_cell_record_is_held_to_the_limits(kind: str) -> None:
    make = CELLS[kind]
    assert _code(make(FAR_ROW - 1, 3)) == "ok"
    assert _code(make(3, FAR_COL - 2)) == "ok"
    assert _code(make(FAR_ROW, 3)) == "sheet-too-large"
    assert _code(make(3, FAR_COL)) == "sheet-too-large"
    assert _code(make(0xFFFF, 0xFFFF)) == "sheet-too-large"


def test_the_audit_mulrk_is_sized_by_its_first_column() -> None:
    """Row 9999, first column 0xFFFF, last column 0: calamine would fill a 10,000 × 65,537 grid (21 GB)."""
    assert _code(mulrk(9999, 0xFFFF, 0, 2)) == "sheet-too-large"
    assert _code(mulrk(0, 0xFFF0, 0, 40)) == "sheet-too-large"  # cells counted, whatever the last column says
    assert _code(mulrk(0, FAR_COL - 3, 0, 3)) == "ok"
    assert _code(mulrk(0, FAR_COL - 3, 0, 4)) == "sheet-too-large"


def _dimensions(rf: int, rl: int, cf: int, cl: int) -> bytes:
    return biff_record(0x0200, struct.pack("<IIHHH", rf, rl, cf, cl, 0))


def test_dimensions_first_column_as_calamine_takes_it() -> None:
    """calamine takes a first column over 255, or past the last, as 0: the reserve is then the last column."""
    assert _code(_dimensions(0, 10, 150, 300)) == "ok"  # 150 columns
    assert _code(_dimensions(0, 10, 0x100, 300)) == "sheet-too-large"  # first over 255: 300 columns
    assert _code(_dimensions(0, 10, 250, 240)) == "sheet-too-large"  # first past the last: 240 columns
    assert _code(_dimensions(5, 2, 0, 3)) == "sheet-too-large"  # rows running backwards wrap


@pytest.mark.parametrize(
    ("record", "code"),
    [
        (biff_record(0x00BE, struct.pack("<HHHHHH", 1, 2, 0, 0, 0, 4)), "ok"),  # MULBLANK C–E
        (biff_record(0x00BE, struct.pack("<HHHH", 1, 0xFFFF, 0, 0)), "file-corrupt"),  # runs backwards
        (
            biff_record(0x00BE, struct.pack("<HH", 1, 300) + b"\x00\x00" * 2 + struct.pack("<H", 301)),
            "file-corrupt",
        ),
        (biff_record(0x00BE, struct.pack("<HHHHH", 1, 2, 0, 0, 9)), "file-corrupt"),  # length disagrees
        (biff_record(0x0201, struct.pack("<HHH", 9, 255, 0)), "ok"),  # BLANK in the last column
        (biff_record(0x0201, struct.pack("<HHH", 9, 0xFFFF, 0)), "file-corrupt"),  # past 256 columns
        (biff_record(0x0208, struct.pack("<HHHHHHI", 9, 0, 256, 0xFF, 0, 0, 0x100)), "ok"),  # ROW A–IV
        (biff_record(0x0208, struct.pack("<HHHHHHI", 9, 0xFFFF, 0, 0xFF, 0, 0, 0x100)), "file-corrupt"),
        (biff_record(0x0208, struct.pack("<HHHHHHI", 9, 0, 0xFFFF, 0xFF, 0, 0, 0x100)), "file-corrupt"),
    ],
    ids=[
        "mulblank",
        "mulblank-backwards",
        "mulblank-past",
        "mulblank-length",
        "blank",
        "blank-past",
        "row",
        "row-backwards",
        "row-past",
    ],
)
def test_blank_and_row_records_are_consistent(record: bytes, code: str) -> None:
    """Blank cells and ROW records are not materialised by calamine (no limit applies: formatted blanks far
    out are harmless), but a range that runs backwards or past the format's 256 columns is damage."""
    assert _code(record) == code


# ---------------------------------------------------------------- SummaryInformation, read with bounds


def _summary(props: list[tuple[int, int, bytes]]) -> bytes:
    """A SummaryInformation property set stream: (property id, type, value bytes) in one section."""
    header = struct.pack("<HHI16sI", 0xFFFE, 0, 0x00020006, b"\x00" * 16, 1)
    fmtid = bytes.fromhex("e0859ff2f94f6810ab9108002b27b3d9")
    entries, values, at = b"", b"", 8 + 8 * len(props)
    for pid, vt, value in props:
        entries += struct.pack("<II", pid, at)
        values += struct.pack("<I", vt) + value
        at += 4 + len(value)
    section = struct.pack("<II", at, len(props)) + entries + values
    return header + fmtid + struct.pack("<I", 48) + section


def _with_summary(summary: bytes) -> bytes:
    stream = _workbook_stream(make_xls([("表", 0, [(0, 0, "x")])]))
    return make_cfb({"Workbook": stream, "\x05SummaryInformation": summary})


def _workbook_stream(data: bytes) -> bytes:
    import io

    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        return ole.openstream("Workbook").read()


def test_the_last_saved_time_is_read_with_bounds() -> None:
    """A property that declares a vector of 4 billion values (olefile's get_metadata loops over them: the
    fuzzer's hang) costs nothing; the last-saved time is still found."""
    import time

    saved = dt.datetime(2018, 9, 28, 10, 0)
    ticks = int((saved - dt.datetime(1601, 1, 1)).total_seconds() * 10_000_000)
    hostile = (2, 0x1000, struct.pack("<I", 0xFFFFFFFF))  # a vector of 4 billion values of no size
    data = _with_summary(_summary([hostile, (13, 64, struct.pack("<Q", ticks))]))
    start = time.perf_counter()
    assert check_xls(data, LIMITS) == saved
    assert time.perf_counter() - start < 1.0


def test_the_program_name_of_a_wps_document_is_read() -> None:
    from dangjian_xlsx.read import sniff

    name = b"WPS Office\x00"
    summary = _summary([(18, 30, struct.pack("<I", len(name)) + name)])
    assert sniff(make_cfb({"WordDocument": b"\x00" * 64, "\x05SummaryInformation": summary})) == "wps"
    assert sniff(make_cfb({"WordDocument": b"\x00" * 64})) == "doc"


@pytest.mark.parametrize(
    ("records", "rows", "cols"),
    [
        # value cells: the farthest row and column so far, each from its own record
        ([("LABELSST", 5, 150), ("NUMBER", 20, 3), ("LABELSST", FAR_ROW, 2)], FAR_ROW + 1, 151),
        # a MULRK between them sizes the extent too, and the cells after it carry on from it
        ([("LABELSST", 5, 10), ("MULRK", 9, 160), ("RK", FAR_ROW + 4, 1)], FAR_ROW + 5, 162),
        ([("MULRK", 9, 160), ("LABELSST", 5, FAR_COL + 7)], 10, FAR_COL + 8),
    ],
)
def test_a_sheet_past_the_limits_is_said_with_its_farthest_cell(
    records: list[tuple[str, int, int]], rows: int, cols: int
) -> None:
    """The value cells (most of a sheet's records) are checked in one loop, their farthest row and column
    kept there: the message still names the extent as every record before the one past the limits made it."""
    extra = b"".join(CELLS[kind](r, c) for kind, r, c in records)
    with pytest.raises(ReadError) as err:
        check_xls(_xls(extra), LIMITS)
    assert err.value.code.value == "sheet-too-large"
    assert f"数据区域达到 {rows} 行 × {cols} 列" in err.value.fields["detail"]


def test_row_records_among_cells_are_still_checked() -> None:
    cells = CELLS["LABELSST"](2, 3) + CELLS["NUMBER"](4, 5)
    row = biff_record(0x0208, struct.pack("<HHHHHHI", 3, 4, 2, 0, 0, 0, 0))  # first column 4 > past 2
    assert _code(cells + biff_record(0x0208, struct.pack("<HHHHHHI", 3, 0, 6, 0, 0, 0, 0)) + cells) == "ok"
    assert _code(cells + row + cells) == "file-corrupt"
