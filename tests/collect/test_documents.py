"""Recognising a branch's 自查报告 by file name or first-page text."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import require_office
from hostile_corpus import LAUGHS, build_zip, make_cfb, raw_zip, zero_bomb

from dangjian_xlsx.collect.documents import branches_named, docx_text, identify_report, pdf_text, short_name
from dangjian_xlsx.models import Branch
from dangjian_xlsx.read import sniff

ROSTER = (
    Branch(seq=1, name="文学院党总支"),
    Branch(seq=2, name="外国语学院党总支"),
    Branch(seq=3, name="化学院党总支"),
    Branch(seq=4, name="生物化学院党总支"),
    Branch(seq=10, name="法学院党总支"),
    Branch(seq=19, name="机关党委"),
    Branch(seq=20, name="图书馆直属党支部"),
)


def make_docx(paragraphs: list[str], *, doctype: bytes = b"") -> bytes:
    body = "".join(
        f'<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs
    )
    document = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + doctype
        + b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + body.encode()
        + b"</w:body></w:document>"
    )
    return build_zip(
        [
            (
                "[Content_Types].xml",
                b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                b'<Default Extension="xml" ContentType="application/xml"/>'
                b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                b"</Types>",
            ),
            (
                "_rels/.rels",
                b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                b"</Relationships>",
            ),
            ("word/document.xml", document),
        ]
    )


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text (Chinese included) pypdf can extract: single-byte codes mapped to
    Unicode by a ToUnicode CMap."""
    chars = sorted({ch for line in lines for ch in line})
    assert len(chars) < 250
    code = {ch: k + 1 for k, ch in enumerate(chars)}
    content = b"BT /F1 12 Tf 72 760 Td 14 TL\n"
    for line in lines:
        content += b"<" + "".join(f"{code[ch]:02X}" for ch in line).encode() + b"> Tj T*\n"
    content += b"ET"
    bfchar = "".join(f"<{code[ch]:02X}> <{ord(ch):04X}>\n" for ch in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{bfchar}endbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for k, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def ident(name: str, data: bytes = b"", fmt: str | None = None, roster=ROSTER) -> int | None:
    fmt = fmt or (sniff(data) if data else name.rsplit(".", 1)[-1].lower())
    b = identify_report(name, data, fmt, roster)
    return b.seq if b else None


def test_short_names() -> None:
    assert short_name("文学院党总支") == "文学院"
    assert short_name("机关党委") == "机关"
    assert short_name("图书馆直属党支部") == "图书馆"
    assert short_name("党委") == "党委"


@pytest.mark.parametrize(
    ("name", "seq"),
    [
        ("01_文学院党总支_自查报告.docx", 1),
        ("文学院自查报告.doc", 1),
        ("外国语学院 自查报告（定稿）.wps", 2),
        ("生物化学院党总支自查报告.pdf", 4),  # not also 化学院: inside a longer name
        ("生物化学院自查报告.pdf", 4),
        ("化学院自查报告.pdf", 3),
        ("机关党委自查报告.doc", 19),
        ("图书馆自查报告.doc", 20),
        ("ｓｕｂ/文学院党总支自查报告.doc", 1),  # folders are not part of the name; full-width is normalised
        ("文学院与法学院联合自查报告.doc", None),  # two branches
        ("自查报告.doc", None),
        ("附件1 评分表.doc", None),
    ],
)
def test_by_file_name(name: str, seq: int | None) -> None:
    assert ident(name, b"\xd0\xcf\x11\xe0" + bytes(100), fmt=name.rsplit(".", 1)[-1]) == seq


def test_full_names_win_over_short_names_and_ambiguous_short_names_are_unused() -> None:
    roster = (
        Branch(seq=1, name="文学院党总支"),
        Branch(seq=2, name="文学院党委"),
        Branch(seq=3, name="法学院党总支"),
    )
    assert ident("文学院自查报告.doc", roster=roster) is None  # 文学院 is two branches' short name
    assert ident("文学院党委自查报告.doc", roster=roster) == 2
    # a full name in the text decides even when a short name of another branch also occurs
    assert [b.seq for b in branches_named("文学院党委自查报告：参照法学院做法", roster)] == [2]


def test_only_document_formats_count() -> None:
    assert ident("文学院党总支自查报告.xlsx", fmt="xlsx") is None
    assert ident("文学院党总支自查报告.txt", fmt="text") is None
    assert identify_report("文学院党总支.doc", b"", "doc", ()) is None


def test_docx_first_page_text() -> None:
    data = make_docx(
        [
            "中共郑州师范学院外国语学院党总支",
            "关于全面从严治党主体责任落实情况的自查报告",
            "按照校党委组织部通知要求……",
        ]
    )
    assert sniff(data) == "docx"
    assert "外国语学院党总支" in docx_text(data)
    assert ident("自查报告.docx", data) == 2
    assert ident("文学院党总支自查报告.docx", data) == 1  # the name wins over the text


def test_docx_text_short_name_and_ambiguity() -> None:
    assert ident("自查报告.docx", make_docx(["机关 自查报告", "一、基本情况"])) == 19
    assert ident("自查报告.docx", make_docx(["文学院、法学院联合自查报告"])) is None
    assert ident("自查报告.docx", make_docx(["关于专项督查的自查报告"])) is None


def test_docx_text_is_only_the_first_page() -> None:
    filler = ["本单位认真组织学习。" * 20] * 20  # > 2,000 characters before the name
    assert ident("自查报告.docx", make_docx([*filler, "文学院党总支"])) is None


def test_hostile_docx_is_not_read() -> None:
    laughs = make_docx(["&lol9;文学院党总支"], doctype=LAUGHS.replace(b"sst", b"w:document"))
    assert docx_text(laughs) == ""
    assert ident("自查报告.docx", laughs) is None
    bomb = zero_bomb(2 * 1024**3)
    data = raw_zip([("word/document.xml", bomb, 8, 0, 2 * 1024**3, len(bomb))])
    assert ident("自查报告.docx", data, fmt="docx") is None
    assert ident("自查报告.docx", b"PK\x03\x04 broken", fmt="docx") is None


def test_pdf_first_page_text() -> None:
    data = make_pdf(["郑州师范学院法学院党总支", "自查报告"])
    assert sniff(data) == "pdf"
    assert "法学院党总支" in pdf_text(data).replace(" ", "")
    assert ident("scan0001.pdf", data) == 10
    assert ident("scan0001.pdf", make_pdf(["文学院", "法学院"])) is None
    assert ident("scan0001.pdf", b"%PDF-1.4 garbage") is None
    assert ident("scan0001.pdf", make_cfb({"WordDocument": bytes(64)}), fmt="pdf") is None


@pytest.mark.office
def test_pdf_and_docx_from_libreoffice(tmp_path: Path) -> None:
    require_office()
    src = tmp_path / "report.docx"
    src.write_bytes(make_docx(["中共郑州师范学院图书馆直属党支部", "全面从严治党主体责任落实情况自查报告"]))
    profile = (tmp_path / "lo_profile").as_uri()
    for target in ("pdf", "docx"):
        subprocess.run(
            ["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile}", "--convert-to", target,
             "--outdir", str(tmp_path / target), str(src)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        data = (tmp_path / target / f"report.{target}").read_bytes()
        assert sniff(data) == target
        assert ident(f"report.{target}", data) == 20
