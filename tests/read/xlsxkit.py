"""Minimal .xlsx packages written by hand, part by part, for the fast reader's tests (test_xlsxfast.py):
every part is the test's own bytes, so a case can hold exactly the construct it is about."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET = RELS + "/worksheet"
CHARTSHEET = RELS + "/chartsheet"


@dataclass
class Sheet:
    name: str
    cells: str  # the <sheetData> content (rows and cells), as XML text
    state: str = ""  # "" (no attribute), visible, hidden, veryHidden
    kind: str = WORKSHEET
    xml: str | None = None  # the whole part, instead of the one made from `cells`


@dataclass
class Book:
    sheets: Sequence[Sheet]
    strings: Sequence[str] = ()  # each <si>'s content, as XML text
    num_fmts: dict[int, str] = field(default_factory=dict)  # custom numFmtId → formatCode (XML-escaped)
    xf_formats: Sequence[int] = (0,)  # cellXfs: each xf's numFmtId
    workbook_pr: str = ""  # attributes of <workbookPr>
    styles: str | None = None  # the whole styles part instead
    shared: str | None = None  # the whole sharedStrings part instead


def sheet_xml(cells: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}"><sheetData>{cells}</sheetData></worksheet>'


def package(book: Book) -> bytes:
    parts: list[tuple[str, str]] = [
        ("[Content_Types].xml", _content_types(book)),
        (
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        ),
        ("xl/workbook.xml", _workbook(book)),
        ("xl/_rels/workbook.xml.rels", _workbook_rels(book)),
        ("xl/styles.xml", book.styles if book.styles is not None else _styles(book)),
    ]
    if book.strings or book.shared is not None:
        shared = book.shared
        if shared is None:
            items = "".join(f"<si>{s}</si>" for s in book.strings)
            shared = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}" count="{len(book.strings)}" uniqueCount="{len(book.strings)}">{items}</sst>'
        parts.append(("xl/sharedStrings.xml", shared))
    for k, sheet in enumerate(book.sheets, 1):
        folder = "chartsheets" if sheet.kind == CHARTSHEET else "worksheets"
        parts.append(
            (f"xl/{folder}/sheet{k}.xml", sheet.xml if sheet.xml is not None else sheet_xml(sheet.cells))
        )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts:
            zf.writestr(name, text.encode("utf-8"))
    return buf.getvalue()


def _content_types(book: Book) -> str:
    over = "".join(
        f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for k in range(1, len(book.sheets) + 1)
    )
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{over}</Types>"
    )


def _workbook(book: Book) -> str:
    tags = "".join(
        f'<sheet name="{s.name}" sheetId="{k}"{f" state={chr(34)}{s.state}{chr(34)}" if s.state else ""} r:id="rId{k}"/>'
        for k, s in enumerate(book.sheets, 1)
    )
    pr = f"<workbookPr {book.workbook_pr}/>" if book.workbook_pr else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN}" xmlns:r="{RELS}">{pr}<sheets>{tags}</sheets></workbook>'


def _workbook_rels(book: Book) -> str:
    rels = "".join(
        f'<Relationship Id="rId{k}" Type="{s.kind}" Target="{"chartsheets" if s.kind == CHARTSHEET else "worksheets"}/sheet{k}.xml"/>'
        for k, s in enumerate(book.sheets, 1)
    )
    n = len(book.sheets) + 1
    styles = f'<Relationship Id="rId{n}" Type="{RELS}/styles" Target="styles.xml"/>'
    shared = f'<Relationship Id="rId{n + 1}" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    return f'<Relationships xmlns="{PKG}">{rels}{styles}{shared}</Relationships>'


def _styles(book: Book) -> str:
    fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{code}"/>' for i, code in book.num_fmts.items())
    num_fmts = f'<numFmts count="{len(book.num_fmts)}">{fmts}</numFmts>' if book.num_fmts else ""
    xfs = "".join(
        f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for n in book.xf_formats
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="{MAIN}">{num_fmts}'
        '<fonts count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill/></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(book.xf_formats)}">{xfs}</cellXfs></styleSheet>'
    )
