"""ooxml.parts: the one reader of which part holds which sheet (used by the reader's safety pass and repack,
validate.formulas and the summary's splice), on the ways real writers spell workbook.xml and its rels."""

from __future__ import annotations

import io
import zipfile

import pytest
from hostile_corpus import small_xlsx

from dangjian_xlsx.ooxml import WORKBOOK, WORKBOOK_RELS, sheet_count, sheet_parts

RELS = (
    b'<Relationships><Relationship Id="rId1" Type="t" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="t" Target="/xl/worksheets/other.xml"/></Relationships>'
)


def _workbook(escaped: bytes, rid: bytes) -> bytes:
    return (
        b'<workbook><sheets><sheet name="'
        + escaped
        + b'" sheetId="1" r:id="'
        + rid
        + b'"/></sheets></workbook>'
    )


@pytest.mark.parametrize(
    ("name", "escaped", "part"),
    [
        ("_meta", b"_meta", "xl/worksheets/sheet1.xml"),  # a Target relative to xl/
        ('A&B "<x>"', b"A&amp;B &quot;&lt;x&gt;&quot;", "xl/worksheets/other.xml"),  # absolute; escaped name
        ("it's", b"it&apos;s", "xl/worksheets/sheet1.xml"),
    ],
)
def test_sheet_parts(name: str, escaped: bytes, part: str) -> None:
    rid = b"rId1" if part.endswith("sheet1.xml") else b"rId2"
    wb = _workbook(escaped, rid)
    assert sheet_parts(wb, RELS) == [(name, part)]
    assert sheet_parts(wb, RELS.replace(rid, b"rId9")) == []  # no such relationship
    assert sheet_parts(wb.replace(b"r:id", b"x:id"), RELS) == [(name, part)]  # no r:id: another prefix's id
    defined = (
        b'<workbook><definedNames><definedName name="'
        + escaped
        + b'">1</definedName></definedNames></workbook>'
    )
    assert sheet_parts(defined, RELS) == []  # a defined name is not a sheet
    assert sheet_parts(None, RELS) == sheet_parts(wb, None) == sheet_parts(b"", RELS) == []


def test_a_sheets_r_id_wins_over_another_prefixs_id() -> None:
    """calamine takes a sheet's relationship from r:id (or relationships:id) only, the last one written."""
    tag = b'<workbook><sheets><sheet name="s" x:id="rId2" r:id="rId1"/></sheets></workbook>'
    assert sheet_parts(tag, RELS) == [("s", "xl/worksheets/sheet1.xml")]
    long = tag.replace(b"r:id", b"relationships:id")
    assert sheet_parts(long, RELS) == [("s", "xl/worksheets/sheet1.xml")]


def test_libreoffice_style() -> None:
    """LibreOffice: the rels' Id first and Targets relative, sheets with state, definedNames after the
    sheets (print titles, which name a sheet in their text)."""
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"'
        b' Target="styles.xml"/>'
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'worksheet" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'worksheet" Target="worksheets/sheet2.xml"/></Relationships>'
    )
    wb = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="评分表" sheetId="1" state="visible" r:id="rId2"/>'
        '<sheet name="_meta" sheetId="2" state="hidden" r:id="rId3"/></sheets>'
        '<definedNames><definedName function="false" hidden="false" localSheetId="0" '
        'name="_xlnm.Print_Titles" vbProcedure="false">评分表!$1:$4</definedName></definedNames>'
        '<calcPr iterateCount="100" refMode="A1"/></workbook>'
    ).encode()
    assert sheet_parts(wb, rels) == [
        ("评分表", "xl/worksheets/sheet1.xml"),
        ("_meta", "xl/worksheets/sheet2.xml"),
    ]
    assert sheet_count(wb) == 2


def test_other_writers_spellings() -> None:
    """openpyxl (Type, Target, Id; absolute Targets; ` />`), a prefixed SpreadsheetML (.NET's x:) and
    single-quoted attributes all give the same map."""
    openpyxl_rels = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Type="t" Target="/xl/worksheets/sheet1.xml" Id="rId1" /></Relationships>'
    )
    assert sheet_parts(_workbook(b"a", b"rId1"), openpyxl_rels) == [("a", "xl/worksheets/sheet1.xml")]
    prefixed = b'<x:workbook><x:sheets><x:sheet name="a" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>'
    assert sheet_parts(prefixed, RELS) == [("a", "xl/worksheets/sheet1.xml")]
    quoted = RELS.replace(b'"', b"'")
    assert sheet_parts(_workbook(b"a", b"rId1"), quoted) == [("a", "xl/worksheets/sheet1.xml")]


def test_every_sheet_of_a_real_workbook() -> None:
    """XlsxWriter's workbook: every sheet found, in order, at a part the package holds."""
    with zipfile.ZipFile(io.BytesIO(small_xlsx())) as z:
        parts = sheet_parts(z.read(WORKBOOK), z.read(WORKBOOK_RELS))
        assert [name for name, _ in parts] == ["评分表", "填表说明", "_meta"]
        assert all(part in z.namelist() for _, part in parts)


@pytest.mark.parametrize(
    "text",
    [
        "a&amp;b",
        "&lt;&gt;&amp;&quot;&apos;",
        "&amp;lt;",
        "&amp;quot;",
        "plain",
        "",
        "x&amp;amp;y",
        "&quot&apos;",
    ],
)
def test_unescape_is_saxutils_unescape(text: str) -> None:
    """A sheet's name as xml.sax.saxutils would give it (that module is no longer imported to read a file)."""
    from xml.sax.saxutils import unescape as sax_unescape

    from dangjian_xlsx.ooxml import unescape

    assert unescape(text) == sax_unescape(text, {"&quot;": '"', "&apos;": "'"})
