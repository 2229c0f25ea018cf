"""The worksheet extent pre-check: its one-pass quick path agrees with the exact tag walk."""

from __future__ import annotations

import pytest

from dangjian_xlsx.read import DEFAULT_LIMITS, Limits, ReadError
from dangjian_xlsx.read.limits import Extent
from dangjian_xlsx.read.sheetscan import XlsxSheetScan

HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b"</sheetData></worksheet>"


def _scan(body: bytes, limits: Limits = DEFAULT_LIMITS, chunk: int = 0) -> tuple[XlsxSheetScan, list[bool]]:
    """Feed a worksheet (in chunks of `chunk` bytes, or at once); also record which path decided."""
    scan = XlsxSheetScan(Extent(limits, lambda: "评分表"))
    quick: list[bool] = []
    plain = scan._plain

    def spy(buf: bytes, cut: int, whole: bool = False) -> bool:
        quick.append(plain(buf, cut, whole))
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
    scan, quick = _scan(body, chunk=len(body) // 2)  # in pieces: the extent is tracked for the next one
    assert quick == [True, True, True] and (scan.row, scan.col) == (59, 7)
    scan, quick = _scan(body)  # the whole part at once: one search vouches for it, no extent needed
    assert quick == [True] and (scan.row, scan.col) == (0, 0)


def _exact(xml: bytes, limits: Limits) -> bool:
    """The tag walk alone: does the sheet pass?"""
    scan = XlsxSheetScan(Extent(limits, lambda: "评分表"))
    try:
        scan._walk(xml, len(xml))
    except ReadError:
        return False
    return True


def _passes(body: bytes, limits: Limits, chunk: int = 0) -> bool:
    try:
        _scan(body, limits, chunk)
    except ReadError:
        return False
    return True


_REFS = [b"A1", b"Z9999", b"AA10000", b"GR10000", b"GS1", b"A10001", b"ZZ5", b"AAA5", b"B99999", b"XFD3"]
_LIMITS = [DEFAULT_LIMITS, Limits(max_rows=5, max_cols=3), Limits(max_rows=99_999, max_cols=702)]


@pytest.mark.parametrize("limits", _LIMITS, ids=["default", "tiny", "wide"])
@pytest.mark.parametrize("ref", _REFS)
@pytest.mark.parametrize("blank", [False, True], ids=["value", "formatted-blank"])
def test_every_path_agrees_at_the_limits(ref: bytes, limits: Limits, blank: bool) -> None:
    cell = b'<c r="%s" s="1"/>' % ref if blank else b'<c r="%s"><v>1</v></c>' % ref
    body = _row(1, b'<c r="A1"><v>1</v></c>') + _row(int(ref.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")), cell)
    expected = _exact(HEAD + body + TAIL, limits)
    assert _passes(body, limits) is expected  # whole part: the one-search path or, unsure, the exact one
    assert _passes(body, limits, chunk=23) is expected  # in pieces: the extent path


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


def test_a_small_deflated_sheet_reaches_the_scan_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety pass hands a part that inflates in one piece to the scan as final: the one-search path
    is the one real files take."""
    import io
    import zipfile

    from dangjian_xlsx.read.scan import check_zip

    seen: list[bool] = []
    plain = XlsxSheetScan._plain

    def spy(self: XlsxSheetScan, buf: bytes, cut: int, whole: bool = False) -> bool:
        seen.append(whole)
        return plain(self, buf, cut, whole)

    monkeypatch.setattr(XlsxSheetScan, "_plain", spy)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", HEAD + _row(1, b'<c r="A1"><v>1</v></c>') * 500 + TAIL)
    check_zip(buf.getvalue(), "xlsx")
    assert seen == [True]


_TAGS = [
    b'<c r="A1"><v>1</v></c>',
    b'<c r="Z9999" t="s"><v>1</v></c>',
    b'<c r="AA3"><v>1</v></c>',
    b'<c r="A10001"><v>1</v></c>',
    b'<c r="A01"><v>1</v></c>',
    b'<c r="a1"><v>1</v></c>',
    b"<c r='B2'><v>1</v></c>",
    b'<c  r="B2"><v>1</v></c>',
    b'<c\tr="B2"><v>1</v></c>',
    b'<c s="1" r="C3"><v>1</v></c>',
    b"<c><v>1</v></c>",
    b'<c r="D4" s="2"/>',
    b"<c/>",
    b'<cfRule type="x"/>',
]


@pytest.mark.parametrize("seed", range(40))
def test_one_search_vouches_only_for_what_is_within_the_limits(seed: int) -> None:
    """Whatever mix of cell tags a part has: when the one search finds no unvouched tag, the exact walk
    accepts the part under the same limits (and it declines every odd spelling of a cell tag)."""
    import random

    from dangjian_xlsx.read.sheetscan import _unvouched

    rng = random.Random(seed)
    limits = rng.choice(_LIMITS)
    body = b"".join(
        _row(r, b"".join(rng.sample(_TAGS, rng.randint(1, 3)))) for r in range(1, rng.randint(2, 6))
    )
    xml = HEAD + body + TAIL
    if _unvouched(limits.max_rows, limits.max_cols).search(xml) is None:
        assert _exact(xml, limits)
    odd = _TAGS[5:11]  # a1, quotes, spacing, r not first, no r: the exact walk decides those
    for tag in odd:
        assert _unvouched(DEFAULT_LIMITS.max_rows, DEFAULT_LIMITS.max_cols).search(HEAD + _row(1, tag) + TAIL)
