"""No superlinear path on hostile bytes (issue 19, item 2): the safety pass's scanners take one pass over what
they scan, however the bytes are made — no regular expression backtracks over a run the sender controls, a tag
has a bounded number of attributes. Each input below took seconds to minutes before (quadratic); the bound
asserted is far above what one pass costs, far below what the old scans took."""

from __future__ import annotations

import contextlib
import itertools
import string
import time
from collections.abc import Callable

import pytest
from fill import clean_values, fill_form
from hostile_corpus import members, patch

from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.models import FormKind
from dangjian_xlsx.ooxml import sheet_count, sheet_parts
from dangjian_xlsx.read import DEFAULT_LIMITS, ReadError, read_workbook
from dangjian_xlsx.read.limits import Extent
from dangjian_xlsx.read.odsscan import OdsScan
from dangjian_xlsx.read.sheetscan import XlsxSheetScan
from dangjian_xlsx.read.sink import Sink

SECOND = 1.0


def _attrs(n: int) -> bytes:
    return b" ".join(b'a%d="1"' % i for i in range(1, n + 1))


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    with contextlib.suppress(ReadError):
        fn()
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    camp = default_campaign()
    src = build_form(camp, FormKind.SCORING, camp.roster[0])
    dest = tmp_path_factory.mktemp("linear") / "f.xlsx"
    return fill_form(src, dest, clean_values(camp.catalog, FormKind.SCORING)).read_bytes()


def _short_attrs(n: int) -> bytes:
    """n attributes with distinct three-letter names: `aaa="1" aab="1" …` (9 bytes each)."""
    names = itertools.islice(itertools.product(string.ascii_letters, repeat=3), n)
    return b" ".join(("".join(t) + '="1"').encode() for t in names)


def test_a_cell_tag_of_28000_attributes_is_rejected_at_once(form: bytes) -> None:
    """The audit's file: a form whose sheet holds a cell tag of 28,000 attributes that never closes properly
    (`<c aaa="1" … b>`, 252 KB inflated: within one piece of the streaming scan). A minute to reject
    before; now well under a second."""
    sheet = next(n for n, _ in members(form) if n.startswith("xl/worksheets/"))
    tag = b"<c " + _short_attrs(28000) + b" b>"
    row = b'<sheetData><row r="1">' + tag + b"</row>"
    bad = patch(form, sheet, lambda x: x.replace(b"<sheetData>", row, 1))
    assert len(bad) < 100_000 and dict(members(bad))[sheet].find(tag) + len(tag) < 256 * 1024
    start = time.perf_counter()
    with pytest.raises(ReadError) as err:
        read_workbook(bad, "x.xlsx")
    assert time.perf_counter() - start < SECOND
    assert err.value.code.value == "file-corrupt"


def _feed(sink: Sink, data: bytes) -> None:
    step = 256 * 1024
    for pos in range(0, len(data), step):
        sink.feed(data[pos : pos + step], pos + step >= len(data))


def _sheet_scan() -> XlsxSheetScan:
    return XlsxSheetScan(Extent(DEFAULT_LIMITS, lambda: "S"))


HOSTILE: dict[str, Callable[[], object]] = {
    # a cell (prefixed or not) or row tag whose attributes never end in '>'
    "cell-attributes": lambda: _feed(_sheet_scan(), b"<c " + _attrs(20000) + b" b>"),
    "prefixed-cell-attributes": lambda: _feed(_sheet_scan(), b"<x:c " + _attrs(20000) + b" b>"),
    # a cell reference made of spaces and one bad character (the A1 pattern backtracked over the spaces)
    "reference-of-spaces": lambda: _feed(_sheet_scan(), b'<c r="' + b" " * 60000 + b'!"/><c r="A1">'),
    # an ODS cell whose attributes never end
    "ods-cell-attributes": lambda: _feed(
        OdsScan(DEFAULT_LIMITS), b"<table:table-cell " + _attrs(20000) + b" b>"
    ),
    # workbook.xml / rels: <sheet and <Relationship tags that never close
    "sheet-tags": lambda: sheet_count(b"<sheet " * 200000),
    "relationship-tags": lambda: sheet_parts(b"<sheet " * 100000, b"<Relationship " * 100000),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_scan_is_one_pass(name: str) -> None:
    assert _timed(HOSTILE[name]) < SECOND


def test_core_properties_scan_is_one_pass() -> None:
    from dangjian_xlsx.read import workbook

    core = b'<cp:coreProperties xmlns:dcterms="http://purl.org/dc/terms/">' + b"<dcterms:modified " * 200000
    assert _timed(lambda: workbook._saved_at_ooxml(core)) < SECOND


def test_the_reader_still_sees_every_cell_of_a_real_sheet(form: bytes) -> None:
    """The bounded attribute runs change nothing for what real writers write."""
    raw = read_workbook(form, "f.xlsx")
    assert [s.name for s in raw.sheets] == ["评分表", "填表说明", "_meta"]
    assert any(v == 2 for row in raw.sheets[0].rows for v in row)


def test_a_tag_with_more_attributes_than_any_real_one_is_damage() -> None:
    """Where the scan has to look at a tag's attributes (no plain leading r="A1"), more than MAX_ATTRS of
    them is damage; a dozen, as real writers write, is not."""
    scan = _sheet_scan()
    with pytest.raises(ReadError, match="标记格式错误"):
        _feed(
            scan, b'<sheetData><row r="1"><c s="1" ' + _attrs(100) + b' r="A1"><v>1</v></c></row></sheetData>'
        )
    _feed(
        _sheet_scan(),
        b'<sheetData><row r="1"><c s="1" ' + _attrs(12) + b' r="A1"><v>1</v></c></row></sheetData>',
    )


def test_time_bounds_are_meaningful() -> None:
    """One pass over the largest input above is far below the bound (the bound is not what makes it pass)."""
    data = b"x" * 2_000_000
    assert _timed(lambda: data.count(b"<c")) < SECOND / 20


def test_an_ods_table_never_closed_is_refused_at_once() -> None:
    """`</table:table` without its '>' (a fuzzer's find): calamine reads that table's events past the end of
    the part, forever. The scan refuses the table before calamine sees it."""
    from hostile_corpus import make_ods

    good = make_ods([("评分表", [["附件1", 1], [2.5, "文学院党总支"]])])
    bad = patch(good, "content.xml", lambda x: x.replace(b"</table:table>", b"</table:table", 1))
    start = time.perf_counter()
    with pytest.raises(ReadError, match="没有结束标记"):
        read_workbook(bad, "x.ods")
    assert time.perf_counter() - start < SECOND
    assert read_workbook(good, "x.ods").sheets[0].name == "评分表"
