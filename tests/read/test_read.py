"""The reading stage: sniffing by content, safe limits before calamine, values and visibility read back."""

from __future__ import annotations

import io
import random
import struct
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import require_office
from hostile_corpus import (
    SMALL_XLSX_VALUES,
    build_corpus,
    build_zip,
    make_cfb,
    make_ods,
    make_xls,
    members,
    small_xlsx,
)

from dangjian_xlsx.messages import Code, render
from dangjian_xlsx.models import Severity
from dangjian_xlsx.read import (
    DEFAULT_LIMITS,
    MB,
    Limits,
    ReadError,
    human_size,
    read_workbook,
    sheet_xml,
    sniff,
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    dest = tmp_path_factory.mktemp("corpus")
    return dest, build_corpus(dest)


def _corpus_cases() -> list[str]:
    # The names are fixed by the builder; listing them here keeps test ids readable.
    return [
        "bad_crc.xlsx",
        "billion_laughs.xlsx",
        "binary_workbook.xlsb",
        "cell_tag_trick.xlsx",
        "csv_named.xls",
        "doctype_utf16.xlsx",
        "empty.xlsx",
        "encrypted.xlsx",
        "garbage_styles.xlsx",
        "html_export.xls",
        "html_utf16.xls",
        "huge_dimension.xlsx",
        "implicit_columns.xlsx",
        "long_string.xlsx",
        "malformed_sheet_xml.xlsx",
        "many_sheets.xlsx",
        "mht_export.xls",
        "missing_content_types.xlsx",
        "missing_sheet_part.xlsx",
        "missing_workbook.xlsx",
        "not_ooxml.xlsx",
        "ods_many_tables.ods",
        "ods_missing_content.ods",
        "ods_repeated_cells.ods",
        "ods_repeated_rows.ods",
        "ods_spaces.ods",
        "ods_xxe.ods",
        "photo_named.xlsx",
        "picture_named.xlsx",
        "plain_text.xlsx",
        "rar_named.xlsx",
        "shared_string_count.xlsx",
        "too_large.xlsx",
        "truncated.xlsx",
        "xls_backwards_dimensions.xls",
        "xls_far_cell.xls",
        "xls_filepass.xls",
        "xls_huge_dimensions.xls",
        "xls_sst_count.xls",
        "xls_truncated.xls",
        "xxe_content_types.xlsx",
        "xxe_file.xlsx",
        "xxe_http.xlsx",
        "xxe_rels.xlsx",
        "zip_bomb.xlsx",
        "zip_bomb_lying.xlsx",
        "zip_bomb_lying_small.xlsx",
        "zip_many_members.xlsx",
    ]


def test_corpus_lists_every_case(corpus: tuple[Path, dict[str, str]]) -> None:
    dest, expected = corpus
    assert sorted(expected) == _corpus_cases()
    assert sorted(p.name for p in dest.iterdir()) == sorted(expected)
    assert all(code in set(Code) for code in expected.values())
    # the brief's minimum: each kind of hostile file is present
    for code in (
        "file-empty",
        "file-not-spreadsheet",
        "file-corrupt",
        "file-html-as-xls",
        "file-encrypted",
        "zip-bomb",
        "sheet-too-large",
        "too-many-sheets",
        "xml-hostile",
        "file-too-large",
    ):
        assert code in expected.values()


def test_corpus_is_deterministic(tmp_path: Path, corpus: tuple[Path, dict[str, str]]) -> None:
    dest, expected = corpus
    again = build_corpus(tmp_path)
    assert again == expected
    for name in expected:
        assert (tmp_path / name).read_bytes() == (dest / name).read_bytes(), name


@pytest.mark.parametrize("name", _corpus_cases())
def test_corpus_case(corpus: tuple[Path, dict[str, str]], name: str) -> None:
    dest, expected = corpus
    code = expected[name]
    data = (dest / name).read_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        if Code(code).severity is Severity.WARNING:  # read succeeds, the finding is a note
            wb = read_workbook(data, name)
            assert [c for c, _ in wb.notes] == [code]
            fields = wb.notes[0][1]
            assert fields["limit"] == DEFAULT_LIMITS.max_text
            sheet = wb.sheet(fields["sheet"])
            assert sheet is not None
            assert all(len(v) <= DEFAULT_LIMITS.max_text for r in sheet.rows for v in r if isinstance(v, str))
            problem = render(Code(code), file=name, **fields)
        else:
            with pytest.raises(ReadError) as info:
                read_workbook(data, name)
            assert info.value.code == code, info.value.message
            problem = render(Code(info.value.code), file=name, **info.value.fields)
            assert info.value.message in str(info.value)
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert problem.code == code and problem.message
    # guards against unbounded work or memory (not a benchmark): bombs must not be inflated
    assert elapsed < 10, f"{name} took {elapsed:.1f} s"
    assert peak < 100 * 1024 * 1024, f"{name} allocated {peak / 1e6:.0f} MB"


def test_bombs_are_refused_without_inflating(corpus: tuple[Path, dict[str, str]]) -> None:
    dest, _ = corpus
    for name in ("zip_bomb.xlsx", "zip_bomb_lying_small.xlsx", "zip_bomb_lying.xlsx"):
        data = (dest / name).read_bytes()
        tracemalloc.start()
        with pytest.raises(ReadError) as info:
            read_workbook(data, name)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert info.value.code == "zip-bomb"
        assert peak < 8 * 1024 * 1024, f"{name}: {peak / 1e6:.1f} MB"


# ---------------------------------------------------------------- valid files


def _values(wb) -> dict[tuple[str, int, int], object]:
    return {(s, r, c): wb.sheet(s).get(r, c) for (s, r, c) in SMALL_XLSX_VALUES}


def test_small_xlsx_values_visibility_and_saved_at() -> None:
    data = small_xlsx()
    wb = read_workbook(data, "x.xlsx")
    assert wb.fmt == "xlsx"
    assert [(s.name, s.visibility) for s in wb.sheets] == [
        ("评分表", "visible"),
        ("填表说明", "hidden"),
        ("_meta", "veryhidden"),
    ]
    assert _values(wb) == SMALL_XLSX_VALUES
    assert wb.saved_at is not None and wb.saved_at.year == 2018
    assert wb.notes == []
    form = wb.sheet("评分表")
    assert form.rows[0][0] == "附件1"  # rows start at A1
    assert len(form.rows) == 12  # the formatted blank at G21 is not data


def test_read_by_content_not_name() -> None:
    data = small_xlsx()
    for name in ("x.xls", "x.ods", "附件1(1).XLSX", "noextension"):
        assert read_workbook(data, name).fmt == "xlsx"


def test_minimal_ods_and_xls_without_office() -> None:
    ods = make_ods(
        [("评分表", [["党总支名称：", "文学院党总支"], ["自评得分", 2, True]]), ("_meta", [["k", "v"]])]
    )
    wb = read_workbook(ods, "a.xlsx")
    assert (wb.fmt, wb.sheet("评分表").get(0, 1), wb.sheet("评分表").get(1, 1)) == ("ods", "文学院党总支", 2)
    assert wb.saved_at is not None and wb.saved_at.isoformat() == "2018-09-28T10:20:30"
    xls = make_xls(
        [
            ("评分表", 0, [(0, 0, "党总支名称："), (0, 1, "文学院党总支"), (1, 0, 2.0)]),
            ("说明", 1, [(0, 0, "h")]),
            ("_meta", 2, [(0, 0, "k"), (0, 1, "v")]),
        ]
    )
    wb = read_workbook(xls, "a.xlsx")
    assert wb.fmt == "xls"
    assert [(s.name, s.visibility) for s in wb.sheets] == [
        ("评分表", "visible"),
        ("说明", "hidden"),
        ("_meta", "veryhidden"),
    ]
    assert wb.sheet("_meta").get(0, 1) == "v"


def test_limits_are_configurable() -> None:
    data = small_xlsx()
    with pytest.raises(ReadError) as info:
        read_workbook(data, "x.xlsx", Limits(max_rows=5))
    assert info.value.code == "sheet-too-large" and info.value.fields["sheet"] == "评分表"
    with pytest.raises(ReadError) as info:
        read_workbook(data, "x.xlsx", Limits(max_sheets=2))
    assert info.value.code == "too-many-sheets" and info.value.fields == {"count": 3, "limit": 2}
    with pytest.raises(ReadError) as info:
        read_workbook(data, "x.xlsx", Limits(max_file_bytes=1000))
    assert info.value.code == "file-too-large"
    wb = read_workbook(data, "x.xlsx", Limits(max_text=4))
    cells = {(f["sheet"], f["cell"]) for c, f in wb.notes if c == "text-too-long"}
    assert ("评分表", "F6") in cells and wb.sheet("评分表").get(5, 5) == "会议记录"


def test_damaged_files_only_ever_raise_read_error() -> None:
    """Random byte damage to valid files: a ReadError or a result, never another exception (nor a crash)."""
    rnd = random.Random(2018)
    bases = [
        small_xlsx(),
        build_zip(members(small_xlsx()), all_stored=True),
        make_ods([("a", [["x", 1], [2, "y"]])]),
        make_xls([("a", 0, [(0, 0, "x"), (1, 1, 2.0)]), ("b", 2, [(0, 0, "k")])]),
    ]
    outcomes = {"ok": 0, "error": 0}
    for _ in range(150):
        data = bytearray(rnd.choice(bases))
        for _ in range(rnd.randint(1, 6)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        if rnd.random() < 0.2:
            data = data[: rnd.randrange(len(data))]
        try:
            read_workbook(bytes(data), "damaged.xlsx")
            outcomes["ok"] += 1
        except ReadError as exc:
            assert exc.code in set(Code)
            outcomes["error"] += 1
    assert outcomes["error"] > 0


# ---------------------------------------------------------------- sniffing


def _docx() -> bytes:
    return build_zip(
        [
            (
                "[Content_Types].xml",
                b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            ),
            ("word/document.xml", b"<w:document/>"),
        ]
    )


def _xlsm() -> bytes:
    items = []
    for name, data in members(small_xlsx()):
        if name == "[Content_Types].xml":
            data = data.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        items.append((name, data))
    return build_zip(items)


@pytest.mark.parametrize(
    ("make", "fmt"),
    [
        (small_xlsx, "xlsx"),
        (_xlsm, "xlsm"),
        (lambda: make_ods([("a", [[1]])]), "ods"),
        (lambda: make_xls([("a", 0, [(0, 0, 1.0)])]), "xls"),
        (_docx, "docx"),
        (lambda: make_cfb({"WordDocument": b"\x00" * 64}), "doc"),
        (lambda: make_cfb({"WordDocument": b"\x00" * 64, "WpsCustomData": b"\x00" * 8}), "wps"),
        (
            lambda: make_cfb({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x00" * 64}),
            "encrypted",
        ),
        (lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "pdf"),
        (lambda: b"<html><body><table><tr><td>1</td></tr></table></body></html>", "html"),
        (lambda: "\ufeff<html>".encode("utf-16-le"), "html"),
        (lambda: build_zip([("a.txt", b"x")]), "zip"),
        (lambda: b"", "empty"),
        (lambda: "序号,党总支名称\n1,文学院党总支\n".encode("gb18030"), "text"),
        (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unknown"),
    ],
)
def test_sniff(make, fmt: str) -> None:
    assert sniff(make()) == fmt


def test_sniff_truncated_packages_keep_their_kind() -> None:
    data = small_xlsx()
    assert sniff(data[: len(data) // 2]) == "xlsx"
    ods = make_ods([("a", [[1]])])
    assert sniff(ods[:200]) == "ods"


def test_sheet_xml_is_the_part_calamine_read() -> None:
    """The side channel to what calamine does not hand out: a named sheet's worksheet XML, by its name (the
    part found through workbook.xml and its rels); unknown sheets and parts over the size left out."""
    data = small_xlsx()
    xml = sheet_xml(data, ["_meta", "没有这张表", "评分表"], MB)
    assert list(xml) == ["_meta", "评分表"]
    assert b'<c r="B2"' in xml["_meta"] and b'<c r="B2"' not in xml["评分表"]
    assert b'<c r="F12"' in xml["评分表"]
    assert sheet_xml(data, ["评分表"], 100) == {}  # workbook.xml itself is over 100 bytes: nothing found


def test_messages_and_sizes() -> None:
    assert human_size(0) == "0 字节"
    assert human_size(1536) == "1.5 KB"
    assert human_size(20 * 1024 * 1024) == "20 MB"
    err = ReadError("sheet-too-large", sheet="评分表", detail="数据区域达到 20000 行 × 3 列")
    assert err.message.startswith("工作表“评分表”过大")
    p = render(Code(err.code), file="a.xlsx", **err.fields)
    assert p.sheet == "评分表" and "20000" in p.message


# ---------------------------------------------------------------- LibreOffice round trips


def _convert(src: Path, target: str, outdir: Path) -> Path:
    profile = outdir / "lo_profile"
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(outdir / target.split(":")[0]),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    out = outdir / target.split(":")[0] / f"{src.stem}.{target.split(':')[0]}"
    assert out.exists(), f"LibreOffice produced no {out.name}"
    return out


@pytest.fixture(scope="module")
def office_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    require_office()
    tmp = tmp_path_factory.mktemp("office")
    src = tmp / "form.xlsx"
    src.write_bytes(small_xlsx())
    return {fmt: _convert(src, fmt, tmp).read_bytes() for fmt in ("ods", "xls", "xlsx")}


@pytest.mark.office
@pytest.mark.parametrize("fmt", ["ods", "xls", "xlsx"])
def test_libreoffice_saved_files_read_back(office_files: dict[str, bytes], fmt: str) -> None:
    data = office_files[fmt]
    assert sniff(data) == fmt
    for name in (f"form.{fmt}", "renamed.xlsx", "renamed.xls"):
        wb = read_workbook(data, name)
        assert wb.fmt == fmt
        assert _values(wb) == SMALL_XLSX_VALUES
        # LibreOffice has no very-hidden state: the meta sheet comes back merely hidden
        assert [(s.name, s.visibility) for s in wb.sheets] == [
            ("评分表", "visible"),
            ("填表说明", "hidden"),
            ("_meta", "hidden"),
        ]
        assert wb.saved_at is not None


@pytest.mark.office
def test_libreoffice_xls_with_filepass_is_encrypted(office_files: dict[str, bytes]) -> None:
    """An .xls whose globals carry FILEPASS (打开密码): same-size in-place rewrite of one record."""
    import olefile

    data = office_files["xls"]
    ole = olefile.OleFileIO(io.BytesIO(data))
    stream = bytearray(ole.openstream("Workbook").read())
    ole.close()
    pos = 0
    while pos + 4 <= len(stream):
        typ, size = struct.unpack_from("<HH", stream, pos)
        if typ == 0x005C and size >= 6:  # WriteAccess: replace by a FilePass of the same length
            struct.pack_into("<HHHHH", stream, pos, 0x002F, size, 1, 1, 1)
            break
        pos += 4 + size
    else:
        pytest.skip("no WriteAccess record to replace")
    buf = io.BytesIO(data)
    ole = olefile.OleFileIO(buf, write_mode=True)
    ole.write_stream("Workbook", bytes(stream))
    ole.close()
    encrypted = buf.getvalue()
    assert sniff(encrypted) == "encrypted"
    with pytest.raises(ReadError) as info:
        read_workbook(encrypted, "form.xls")
    assert info.value.code == "file-encrypted"
