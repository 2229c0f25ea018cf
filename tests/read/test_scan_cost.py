"""What the safety pass's scans cost per tag (issue 20, item 2: per-file CPU of reading real returns), and that
the cheaper paths decide exactly as before: the ODS scan compiles no pattern per cell and skips cell end tags,
a DTD declaration is found by one search wherever a chunk boundary cuts it."""

from __future__ import annotations

import re

import pytest
from hostile_corpus import build_zip, make_ods, members, patch

from dangjian_xlsx.read import DEFAULT_LIMITS, ReadError, read_workbook
from dangjian_xlsx.read.odsscan import OdsScan
from dangjian_xlsx.read.scan import check_zip

CHUNK = 256 * 1024  # what the safety pass hands a scan at a time (a stored member: exactly this)


def _cells(n: int) -> bytes:
    """A LibreOffice-like table row after row: string cells, number cells, empty styled cells."""
    row = (
        b'<table:table-row table:style-name="ro1">'
        b'<table:table-cell table:style-name="ce1" office:value-type="string" calcext:value-type="string">'
        b"<text:p>\xe6\x96\x87</text:p></table:table-cell>"
        b'<table:table-cell table:style-name="ce2" office:value-type="float" office:value="2" '
        b'calcext:value-type="float"><text:p>2</text:p></table:table-cell>'
        b'<table:table-cell table:style-name="ce3" table:number-columns-repeated="3"/>'
        b'<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        b"</table:table-row>"
    )
    return b'<table:table table:name="S">' + row * (n // 4) + b"</table:table>"


def _scan(content: bytes) -> OdsScan:
    scan = OdsScan(DEFAULT_LIMITS)
    for pos in range(0, len(content), CHUNK):
        scan.feed(content[pos : pos + CHUNK], pos + CHUNK >= len(content))
    return scan


def test_the_ods_scan_compiles_no_pattern_per_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each cell's repeat count and value were looked up with a pattern built for the call (re.search with a
    fresh pattern: a cache lookup and an escape per attribute); now every pattern is compiled once."""
    _scan(_cells(40))  # the patterns the scan needs, compiled
    calls = []
    for fn in ("search", "match", "compile", "escape", "fullmatch", "findall", "finditer"):
        real = getattr(re, fn)
        monkeypatch.setattr(re, fn, lambda *a, _real=real, _fn=fn, **k: calls.append(_fn) or _real(*a, **k))
    scan = _scan(_cells(4000))
    assert calls == []
    assert (scan.tables, scan.row_pos, scan.extent.rows, scan.extent.cols) == (1, 1000, 1000, 6)


@pytest.mark.parametrize(
    ("attrs", "counts"),
    [
        (b' office:value-type="string"', True),
        (b' table:style-name="ce2" office:value="0"', True),
        (b" office:value-type = 'string'", True),  # spaces and single quotes: the pattern decides
        (b' office:date-value="2018-09-26"', True),
        (b' table:formula="of:=1"', True),
        (b' office:boolean-value="false"', True),
        (b' table:style-name="ce3"', False),
        (b' office:value-type="float"', False),  # a type without a value: empty to calamine
        (b' xoffice:value="1"', False),
        (b' table:style-name="office:value=1"', False),
    ],
)
def test_which_cells_hold_a_value(attrs: bytes, counts: bool) -> None:
    """A cell with a value is materialised even when the row ends after it; an empty one only when a cell
    with a value follows: the extent says which the scan took it for."""
    cell = b"<table:table-cell" + attrs + b' table:number-columns-repeated="7"/>'
    scan = _scan(
        b'<table:table table:name="S"><table:table-row>' + cell + b"</table:table-row></table:table>"
    )
    assert scan.extent.cols == (7 if counts else 0)


def test_a_repeat_count_too_far_is_still_refused() -> None:
    far = b'<table:table-cell office:value-type="string" table:number-columns-repeated="16000"/>'
    content = b'<table:table table:name="S"><table:table-row>' + far + b"</table:table-row></table:table>"
    with pytest.raises(ReadError) as err:
        _scan(content)
    assert err.value.code.value == "sheet-too-large"


def test_a_malformed_cell_end_tag_is_still_damage() -> None:
    """Well-formed cell end tags are skipped by the scan's pattern; one with anything else is refused."""
    ok = _cells(8)
    _scan(ok)
    bad = ok.replace(b"</table:table-cell>", b"</table:table-cell junk>", 1)
    with pytest.raises(ReadError, match="标记格式错误"):
        _scan(bad)
    good = make_ods([("评分表", [["附件1", 1], [2.5, "文学院党总支"]])])
    assert read_workbook(good, "x.ods").sheets[0].rows[1] == [2.5, "文学院党总支"]


def _package(hostile: bytes) -> bytes:
    """A minimal xlsx package whose docProps/app.xml (stored: chunks of exactly CHUNK bytes) is `hostile`."""
    return build_zip(
        [
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook><sheets/></workbook>"),
            ("docProps/app.xml", hostile),
        ],
        stored={"docProps/app.xml"},
    )


@pytest.mark.parametrize(
    ("tail", "refused"),
    [
        (b"<!DOCTYPE x>", True),
        (b"<!ENTITY e 'x'>", True),
        (b"<!-- a comment -->", False),
        (b"<![CDATA[ ! ]]>", False),
        (b"<!", True),  # the part's last bytes
    ],
)
@pytest.mark.parametrize("cut", [0, 1, 2, 3])
def test_a_dtd_declaration_is_found_across_a_chunk_boundary(tail: bytes, refused: bool, cut: int) -> None:
    """`<!` and the byte that decides it, with the chunk boundary before, inside or after them; text full of
    '!' (a defined name's 评分表!$A$1) and of tags before it."""
    head = ("<a>评分表!$A$1</a>".encode() * 20000)[: CHUNK - cut]
    data = _package(head + tail)
    assert dict(members(data))["docProps/app.xml"][CHUNK - cut :] == tail
    if refused:
        with pytest.raises(ReadError) as err:
            check_zip(data, "xlsx")
        assert err.value.code.value == "xml-hostile"
    else:
        check_zip(data, "xlsx")


def test_a_dtd_declaration_in_a_real_form_is_refused() -> None:
    good = make_ods([("评分表", [["附件1", 1]])])
    dtd = b'?><!DOCTYPE office:document-content [<!ENTITY e "x">]>'
    bad = patch(good, "content.xml", lambda x: x.replace(b"?>", dtd, 1))
    with pytest.raises(ReadError) as err:
        read_workbook(bad, "x.ods")
    assert err.value.code.value == "xml-hostile"
