"""zipdir: the struct-read central directory used for the common case, instead of zipfile.

Differential proof against zipfile over every zip the tests know (the hostile corpus, the generated forms,
the sample inbox): whenever `plain_members` answers, it lists exactly zipfile's members (names, order, sizes,
CRCs) and `inflate` gives exactly zipfile's bytes; and `sniff` says the same with and without it. Then each
way a zip stops being plain is shown to make it answer None, so the full path (zipfile + safety pass) keeps
deciding — and wording — every error.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from hostile_corpus import build_corpus, build_zip, raw_zip, small_xlsx

from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.forms import BRANCH_FORMS, build_form
from dangjian_xlsx.read import Limits, ReadError, check_zip_members, read_workbook, sniff_parsed, zipdir
from dangjian_xlsx.read import formats as sniff_module
from dangjian_xlsx.read.zipdir import inflate, plain_members

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    dest = tmp_path_factory.mktemp("corpus")
    build_corpus(dest)
    out = {p.name: p.read_bytes() for p in dest.iterdir() if p.is_file()}
    camp = default_campaign()
    for kind in BRANCH_FORMS:
        out[f"form-{kind.value}"] = build_form(camp, kind, camp.roster[0])
    for p in sorted((ROOT / "sample_submissions").rglob("*")):
        if p.is_file():
            out[f"sample/{p.name}"] = p.read_bytes()
    return out


def test_agrees_with_zipfile_whenever_it_answers(zips: dict[str, bytes]) -> None:
    answered = 0
    for name, data in zips.items():
        members = plain_members(data)
        if members is None:
            continue
        answered += 1
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            assert [(i.filename, i.file_size, i.compress_size, i.CRC) for i in infos] == [
                (n, m.usize, m.csize, m.crc) for n, m in members.items()
            ], name
            for info in infos:
                got = inflate(data, members[info.filename])
                try:
                    want = zf.read(info)
                except (zipfile.BadZipFile, zlib.error):  # zipfile refuses it (e.g. bad CRC): so must we
                    assert got is None, (name, info.filename)
                else:
                    assert got == want, (name, info.filename)
    assert answered >= 40  # the forms, the sample workbooks and most of the corpus are plain


def test_sniff_says_the_same_without_the_fast_directory(
    zips: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = {name: sniff_module.sniff(data) for name, data in zips.items()}
    monkeypatch.setattr(sniff_module, "plain_members", lambda data: None)
    slow = {name: sniff_module.sniff(data) for name, data in zips.items()}
    assert fast == slow


def _plain() -> bytes:
    return build_zip([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>" * 50)])


def _eocd_at(data: bytes) -> int:
    return len(data) - 22


def test_a_plain_zip_is_read() -> None:
    members = plain_members(_plain())
    assert members is not None and list(members) == ["[Content_Types].xml", "xl/workbook.xml"]
    assert inflate(_plain(), members["xl/workbook.xml"]) == b"<workbook/>" * 50


def test_not_plain_when_a_comment_or_trailing_bytes_follow() -> None:
    data = _plain()
    with_comment = data[:-2] + struct.pack("<H", 3) + b"abc"
    assert zipfile.ZipFile(io.BytesIO(with_comment)).namelist()  # a valid zip all the same
    assert plain_members(with_comment) is None
    assert plain_members(data + b"\x00" * 7) is None
    assert plain_members(b"PK\x05\x06" + bytes(18)) == {}  # empty but well formed
    assert plain_members(b"") is None
    assert plain_members(data[:-30]) is None  # truncated


def test_not_plain_when_encrypted_duplicated_or_headers_disagree() -> None:
    data = _plain()
    cd = data.index(b"PK\x01\x02")
    encrypted = data[: cd + 8] + struct.pack("<H", 0x1) + data[cd + 10 :]
    assert plain_members(encrypted) is None
    twice = raw_zip([("a.xml", b"x", 0, zlib.crc32(b"x"), 1, 1), ("a.xml", b"y", 0, zlib.crc32(b"y"), 1, 1)])
    assert plain_members(twice) is None
    renamed_local = data.replace(b"xl/workbook.xml", b"xl/workbook.xmX", 1)  # the first copy: local header
    assert plain_members(renamed_local) is None


def test_limits_are_checked_on_the_struct_read_directory_too() -> None:
    data = _plain()
    assert plain_members(data) is not None  # plain: check_zip_members takes this directory
    for limits in (
        Limits(max_members=1),
        Limits(max_member_uncompressed=100),
        Limits(max_uncompressed_total=500),
    ):
        with pytest.raises(ReadError) as err:
            check_zip_members(data, limits)
        assert err.value.code == "zip-bomb"
    with pytest.raises(ReadError) as err:  # ... and the reader says why
        read_workbook(data, "x.xlsx", Limits(max_member_uncompressed=100))
    assert err.value.code == "zip-bomb"


def test_inflate_never_goes_past_the_declared_size() -> None:
    content = b"<c/>" * 10_000
    packed = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = packed.compress(content) + packed.flush()
    lying = raw_zip([("xl/worksheets/sheet1.xml", raw, 8, zlib.crc32(content[:100]), 100, len(raw))])
    members = plain_members(lying)
    assert members is not None  # the directory alone looks fine
    assert inflate(lying, members["xl/worksheets/sheet1.xml"]) is None
    honest = raw_zip([("a.xml", raw, 8, zlib.crc32(content), len(content), len(raw))])
    m = plain_members(honest)
    assert m is not None and inflate(honest, m["a.xml"]) == content
    bad_crc = raw_zip([("a.xml", raw, 8, zlib.crc32(content) ^ 1, len(content), len(raw))])
    m = plain_members(bad_crc)
    assert m is not None and inflate(bad_crc, m["a.xml"]) is None


def test_saved_at_is_found_by_namespace_not_by_prefix() -> None:
    from dangjian_xlsx.read.workbook import _saved_at_ooxml

    ns = 'xmlns:q="http://purl.org/dc/terms/" xmlns:dcterms="urn:other"'
    core = f"<cp:coreProperties {ns}><dcterms:modified>2001-01-01T00:00:00Z</dcterms:modified>"
    core += '<q:modified xsi:type="q:W3CDTF">2018-09-28T10:20:30Z</q:modified></cp:coreProperties>'
    assert _saved_at_ooxml(core.encode()).isoformat() == "2018-09-28T10:20:30"
    assert _saved_at_ooxml(b"<cp:coreProperties/>") is None
    assert read_workbook(small_xlsx(), "x.xlsx").saved_at is not None


def test_nothing_is_kept_between_calls() -> None:
    """No module state: every call parses the bytes it is given (no answer kept for the last file)."""
    data = _plain()
    first = plain_members(data)
    assert first is not None and plain_members(data) == first and plain_members(data) is not first
    with pytest.raises(TypeError):
        first["x"] = first["xl/workbook.xml"]  # type: ignore[index]  # handed on, so read-only
    other = bytearray(data)
    other[_eocd_at(data) - 1 : _eocd_at(data) - 1] = b"\0"  # another file: not plain
    assert plain_members(bytes(other)) is None
    assert plain_members(data) == first


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every zip whose central directory is parsed, in order."""
    sizes: list[int] = []
    parse = zipdir._parse

    def counted(data: bytes) -> dict[str, zipdir.Member] | None:
        sizes.append(len(data))
        return parse(data)

    monkeypatch.setattr(zipdir, "_parse", counted)
    return sizes


def test_a_read_parses_the_central_directory_once(parsed: list[int]) -> None:
    """read_workbook hands the directory it parsed while sniffing on to the safety pass; a caller that sniffed
    already hands on what it found, and the directory is not parsed again."""
    data = small_xlsx()
    assert read_workbook(data, "x.xlsx").sheets
    assert parsed == [len(data)]
    parsed.clear()
    sniffed = sniff_parsed(data)
    assert sniffed.format == "xlsx" and parsed == [len(data)]
    assert read_workbook(data, "x.xlsx", sniffed=sniffed).sheets
    assert parsed == [len(data)]


def test_collect_parses_a_form_s_central_directory_once(parsed: list[int], tmp_path: Path) -> None:
    """The collector sniffs a file and reads it with what it sniffed: one parse of the zip directory per
    form (the formula side channel aside, which opens the package only for a blank that may hide a formula)."""
    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.collect import process_file
    from dangjian_xlsx.forms import build_form
    from dangjian_xlsx.models import FormKind

    campaign = default_campaign()
    path = tmp_path / "form.xlsx"
    path.write_bytes(build_form(campaign, FormKind.TASKS, campaign.roster[0]))
    record = process_file(path, tmp_path, campaign)
    assert record.branch is not None and record.kind is FormKind.TASKS
    assert parsed == [path.stat().st_size]
