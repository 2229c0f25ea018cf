"""The worksheet extent pre-check: its one-pass quick path agrees with the exact tag walk."""

from __future__ import annotations

import pytest

from dangjian_xlsx.read import DEFAULT_LIMITS, Limits, ReadError, _Extent, _XlsxSheetScan

HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b"</sheetData></worksheet>"


def _scan(body: bytes, limits: Limits = DEFAULT_LIMITS, chunk: int = 0) -> tuple[_XlsxSheetScan, list[bool]]:
    """Feed a worksheet (in chunks of `chunk` bytes, or at once); also record which path decided."""
    scan = _XlsxSheetScan(_Extent(limits, lambda: "评分表"))
    quick: list[bool] = []
    plain = scan._plain

    def spy(buf: bytes, cut: int) -> bool:
        quick.append(plain(buf, cut))
        return quick[-1]

    scan._plain = spy  # type: ignore[method-assign]
    xml = HEAD + body + TAIL
    step = chunk or len(xml)
    for pos in range(0, len(xml), step):
        scan.feed(xml[pos : pos + step], pos + step >= len(xml))
    return scan, quick


def _row(r: int, cells: bytes) -> bytes:
    return b'<row r="%d">' % r + cells + b"</row>"


def test_plain_cells_take_the_quick_path() -> None:
    body = b"".join(
        _row(r, b'<c r="A%d" t="s"><v>1</v></c><c r="G%d" s="2"/>' % (r, r)) for r in range(1, 60)
    )
    scan, quick = _scan(body)
    assert quick == [True] and (scan.row, scan.col) == (59, 7)


def test_quick_path_in_chunks() -> None:
    body = b"".join(_row(r, b'<c r="B%d"><v>%d</v></c>' % (r, r)) for r in range(1, 400))
    _, quick = _scan(body, chunk=97)
    assert quick and all(quick)


def test_far_formatted_blank_is_harmless() -> None:
    # a self-closing cell far away carries no value: the quick path declines, the exact walk accepts
    body = _row(1, b'<c r="A1"><v>1</v></c>') + _row(1048576, b'<c r="XFD1048576" s="3"/>')
    _, quick = _scan(body)
    assert quick == [False]


@pytest.mark.parametrize(
    "body",
    [
        _row(1, b'<c r="A1"><v>1</v></c>') + _row(20000, b'<c r="A20000"><v>1</v></c>'),
        _row(1, b'<x:c r="A1"><v>1</v></x:c>') + _row(20000, b'<x:c r="A20000"><v>1</v></x:c>'),
        _row(20000, b'<c t="n"><v>1</v></c>'),  # no r: follows the row
        _row(3, b"<c><v>1</v></c>" * 300),  # no r: 300 columns
        _row(5, b'<c s="1" r="HZ5"><v>1</v></c>'),  # r not first
    ],
    ids=["far-value", "prefixed", "row-only", "implicit-columns", "r-not-first"],
)
def test_too_large_is_refused_whichever_path(body: bytes) -> None:
    with pytest.raises(ReadError) as info:
        _scan(body)
    assert info.value.code == "sheet-too-large"


def test_limits_are_the_readers() -> None:
    body = _row(1, b'<c r="A1"><v>1</v></c>') + _row(9, b'<c r="C9"><v>1</v></c>')
    with pytest.raises(ReadError):
        _scan(body, Limits(max_rows=5))
    _scan(body, Limits(max_rows=9, max_cols=3))
