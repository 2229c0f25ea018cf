"""A corpus of hostile and broken input files, each with the message code the reader must give.

`build_corpus(dest, good_form=None)` writes the files and returns {file name: expected code}. Codes of
severity 错误 are raised by `read.read_workbook` as ReadError; a code of severity 警告 (text-too-long)
means the file reads and the finding is in `RawWorkbook.notes`. When `good_form` (a generated,
filled-in form) is given, the spreadsheet cases are built by patching it, so that an end-to-end
collect run over the corpus plus good files can assert what 校验问题/文件清单 say about each one.

Also builds small valid files without any office program (xlsx, ods, xls) for reader tests.
Deterministic and fast: nothing here writes or inflates gigabytes (the bombs are built from one
compressed block repeated).

Run as a script to write the corpus: `python tests/hostile_corpus.py DEST`; with `--inbox DEST` it builds the
whole hostile inbox of tests/test_hostile_inbox.py (corpus + broken forms + good files + links …), collects it
through the CLI and prints one line per file: file → outcome → code(s).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

FIXED_DATE = (2018, 9, 26, 0, 0, 0)
GB = 1024**3
MB = 1024**2

# ---------------------------------------------------------------- small valid files


def small_xlsx() -> bytes:
    """A small valid workbook: a visible form-like sheet, a hidden sheet and a very hidden _meta sheet."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"created": dt.datetime(2018, 9, 26, 8, 30, 0)})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("评分表")
    ws.write(0, 0, "附件1")
    ws.write(1, 0, "郑州师范学院全面从严治党主体责任落实情况专项督查评分表")
    ws.write(2, 0, "党总支名称：")
    ws.write(2, 1, "文学院党总支")
    ws.write_datetime(2, 4, dt.datetime(2018, 9, 28), date_fmt)
    for r in range(4, 12):
        ws.write(r, 0, r - 3)
        ws.write(r, 2, f"督查内容第{r - 3}项")
        ws.write(r, 3, 2)
        ws.write(r, 4, 1.5 if r % 2 else 2)
        ws.write(r, 5, "会议记录不全" if r % 2 else "")
    ws.write_blank(20, 6, None, wb.add_format({"border": 1}))  # a formatted blank: not data
    guide = wb.add_worksheet("填表说明")
    guide.write(0, 0, "只填写白色单元格")
    guide.hide()
    meta = wb.add_worksheet("_meta")
    meta.write(0, 0, "form_kind")
    meta.write(0, 1, "form1")
    meta.write(1, 0, "branch_name")
    meta.write(1, 1, "文学院党总支")
    meta.very_hidden()
    wb.close()
    return buf.getvalue()


SMALL_XLSX_VALUES = {  # (sheet, row, col) → value, as read back
    ("评分表", 2, 1): "文学院党总支",
    ("评分表", 4, 3): 2,
    ("评分表", 5, 4): 1.5,
    ("评分表", 5, 5): "会议记录不全",
    ("_meta", 0, 1): "form1",
    ("填表说明", 0, 0): "只填写白色单元格",
}


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def make_ods(tables: Sequence[tuple[str, Sequence[Sequence[Any]]]], *, raw_rows: str = "") -> bytes:
    """A minimal valid ODS (what calamine needs): strings and numbers; `raw_rows` is appended verbatim
    to the first table (for hostile variants)."""
    body = []
    for k, (name, rows) in enumerate(tables):
        out = [f'<table:table table:name="{_xml_escape(name)}">']
        for row in rows:
            out.append("<table:table-row>")
            for v in row:
                if v is None or v == "":
                    out.append("<table:table-cell/>")
                elif isinstance(v, bool):
                    out.append(
                        f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(v).lower()}"/>'
                    )
                elif isinstance(v, int | float):
                    out.append(
                        f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
                    )
                else:
                    out.append(
                        f'<table:table-cell office:value-type="string"><text:p>{_xml_escape(str(v))}</text:p></table:table-cell>'
                    )
            out.append("</table:table-row>")
        if k == 0:
            out.append(raw_rows)
        out.append("</table:table>")
        body.append("".join(out))
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>" + "".join(body) + "</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2">'
        "<office:meta><dc:date>2018-09-28T10:20:30</dc:date></office:meta></office:document-meta>"
    )
    return build_zip(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", content.encode()),
            ("meta.xml", meta.encode()),
            ("META-INF/manifest.xml", manifest.encode()),
        ],
        stored={"mimetype"},
    )


# ---------------------------------------------------------------- BIFF8 .xls without an office program


def _rec(typ: int, data: bytes) -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def biff_record(typ: int, data: bytes) -> bytes:
    """One BIFF record (type, length, data), e.g. for `make_xls(sheet_extra=...)`."""
    return _rec(typ, data)


def mulrk(row: int, first: int, last: int, cells: int) -> bytes:
    """A MULRK record: `cells` RK values (1.0 each) from column `first`, its last column field `last`
    (which calamine does not size the row from: a lying one is what the fuzzing audit found)."""
    rks = b"".join(struct.pack("<HI", 0, 0x3FF00000) for _ in range(cells))
    return _rec(0x00BD, struct.pack("<HH", row, first) + rks + struct.pack("<H", last))


def _biff_string16(text: str) -> bytes:  # XLUnicodeString: cch u16, flags, UTF-16LE chars
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


def make_xls(
    sheets: Sequence[tuple[str, int, Sequence[tuple[int, int, Any]]]],
    *,
    globals_extra: bytes = b"",
    dimensions: tuple[int, int, int, int] | None = None,
    sheet_extra: bytes = b"",
) -> bytes:
    """A minimal BIFF8 workbook in a CFB container.

    sheets: (name, visibility 0/1/2, [(row, col, value)]) with str/float values. `globals_extra` is
    inserted into the globals substream (e.g. a FILEPASS or SST record); `dimensions` (rf, rl, cf, cl)
    overrides the first sheet's DIMENSIONS record; `sheet_extra` (records, `biff_record`) is added to the
    first sheet after its cells.
    """
    bof_globals = _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    codepage = _rec(0x0042, struct.pack("<H", 1200))
    substreams = []
    for k, (_, _, cells) in enumerate(sheets):
        rows = [r for r, _, _ in cells] or [0]
        cols = [c for _, c, _ in cells] or [0]
        dims = (min(rows), max(rows) + 1, min(cols), max(cols) + 1)
        if k == 0 and dimensions is not None:
            dims = dimensions
        parts = [
            _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6)),
            _rec(0x0200, struct.pack("<IIHHH", *dims, 0)),
        ]
        for r, c, v in cells:
            if isinstance(v, str):
                parts.append(_rec(0x0204, struct.pack("<HHH", r, c, 0) + _biff_string16(v)))
            else:
                parts.append(_rec(0x0203, struct.pack("<HHHd", r, c, 0, float(v))))
        if k == 0:
            parts.append(sheet_extra)
        parts.append(_rec(0x000A, b""))
        substreams.append(b"".join(parts))

    def boundsheets(offsets: Sequence[int]) -> bytes:
        out = b""
        for (name, vis, _), pos in zip(sheets, offsets, strict=True):
            out += _rec(
                0x0085,
                struct.pack("<IBB", pos, vis, 0)
                + struct.pack("<BB", len(name), 1)
                + name.encode("utf-16-le"),
            )
        return out

    head_len = len(bof_globals) + len(globals_extra) + len(codepage) + len(boundsheets([0] * len(sheets))) + 4
    offsets, pos = [], head_len
    for s in substreams:
        offsets.append(pos)
        pos += len(s)
    stream = (
        bof_globals
        + globals_extra
        + codepage
        + boundsheets(offsets)
        + _rec(0x000A, b"")
        + b"".join(substreams)
    )
    return make_cfb({"Workbook": stream})


def make_cfb(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file holding the given streams (each padded to ≥ 4096 bytes, so no mini stream)."""
    ss = 512
    end, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    names = list(streams)
    datas = [s + b"\x00" * max(0, 4096 - len(s)) for s in streams.values()]
    datas = [d + b"\x00" * (-len(d) % ss) for d in datas]
    n_dir_entries = 1 + len(names)
    dir_sectors = (n_dir_entries + 3) // 4
    data_sectors = sum(len(d) // ss for d in datas)
    total_sectors = 1 + dir_sectors + data_sectors
    if total_sectors > ss // 4:
        raise ValueError("make_cfb: streams too large for one FAT sector")
    fat = [fatsect]
    fat += [k + 2 for k in range(dir_sectors - 1)] + [end]
    starts = []
    sector = 1 + dir_sectors
    for d in datas:
        n = len(d) // ss
        starts.append(sector)
        fat += [sector + k + 1 for k in range(n - 1)] + [end]
        sector += n
    fat += [free] * (ss // 4 - len(fat))

    def entry(name: str, typ: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = (name + "\x00").encode("utf-16-le") if typ else b""
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), typ, 1)
            + struct.pack("<III", nostream, right, child)
            + b"\x00" * 16
            + b"\x00" * 4
            + b"\x00" * 16
            + struct.pack("<III", start, size, 0)
        )

    # Directory: root → first stream; streams chained through right siblings (all black: valid enough).
    entries = [entry("Root Entry", 5, 1 if names else nostream, nostream, end, 0)]
    for k, name in enumerate(names):
        right = k + 2 if k + 1 < len(names) else nostream
        entries.append(
            entry(
                name,
                2,
                nostream,
                right,
                starts[k],
                len(streams[name]) if len(streams[name]) >= 4096 else 4096,
            )
        )
    directory = b"".join(entries)
    directory += b"".join(
        entry("", 0, nostream, nostream, 0, 0) for _ in range(dir_sectors * 4 - len(entries))
    )

    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    )
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    assert len(header) == 512
    return header + struct.pack(f"<{ss // 4}I", *fat) + directory + b"".join(datas)


# ---------------------------------------------------------------- zip helpers


def members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i.filename)) for i in zf.infolist()]


def build_zip(
    items: Sequence[tuple[str, bytes]],
    *,
    stored: set[str] | frozenset[str] = frozenset(),
    all_stored: bool = False,
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED if all_stored or name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def patch(data: bytes, name: str, fn: Any) -> bytes:
    """Rebuild a zip with one member transformed (fn(bytes) → bytes), or removed (fn returns None)."""
    out = []
    for n, d in members(data):
        if n == name:
            d = fn(d)
            if d is None:
                continue
        out.append((n, d))
    return build_zip(out)


def raw_zip(entries: Sequence[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """A zip written by hand: (name, stored bytes, method, crc, declared size, compressed size) per member.
    Lets the central directory say anything (lying sizes) without ever holding the inflated data."""
    out = io.BytesIO()
    central = []
    dostime, dosdate = 0, (2018 - 1980) << 9 | 9 << 5 | 26
    for name, raw, method, crc, size, csize in entries:
        offset = out.tell()
        bname = name.encode()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0x800,
                method,
                dostime,
                dosdate,
                crc,
                csize,
                size,
                len(bname),
                0,
            )
        )
        out.write(bname)
        out.write(raw)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0x800,
                method,
                dostime,
                dosdate,
                crc,
                csize,
                size,
                len(bname),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + bname
        )
    cd_offset = out.tell()
    cd = b"".join(central)
    out.write(cd)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd), cd_offset, 0))
    return out.getvalue()


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zero_bomb(total: int, block: int = 16 * MB, prefix: bytes = b"") -> bytes:
    """A raw deflate stream inflating to `prefix` + `total` zero bytes (a multiple of `block`), built
    from one compressed block repeated: full flushes make each block's output identical and independent.
    An incompressible prefix makes the overall ratio look plausible."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH) if prefix else b""
    one = c.compress(bytes(block)) + c.flush(zlib.Z_FULL_FLUSH)
    return head + one * (total // block) + b"\x03\x00"  # an empty final block ends the stream


def _entries_of(data: bytes) -> list[tuple[str, bytes, int, int, int, int]]:
    out = []
    for name, d in members(data):
        raw = _deflate(d)
        out.append((name, raw, 8, zlib.crc32(d), len(d), len(raw)))
    return out


# ---------------------------------------------------------------- hostile patches


def _first_sheet(items: Sequence[tuple[str, bytes]]) -> str:
    sheets = sorted(n for n, _ in items if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    return min(sheets, key=lambda n: int(re.findall(r"\d+", n)[-1]))


def _append_rows(sheet_xml: bytes, rows: bytes) -> bytes:
    if b"</sheetData>" in sheet_xml:
        return sheet_xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
    return re.sub(rb"<sheetData\s*/>", b"<sheetData>" + rows + b"</sheetData>", sheet_xml, count=1)


def _max_row(sheet_xml: bytes) -> int:
    return max((int(x) for x in re.findall(rb'<row[^>]*\sr="(\d+)"', sheet_xml)), default=0)


def _add_shared_string(sst: bytes, text: bytes) -> tuple[bytes, int]:
    m = re.search(rb'uniqueCount="(\d+)"', sst)
    index = int(m.group(1)) if m else len(re.findall(rb"<si>", sst))
    sst = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="%d"' % (index + 1), sst, count=1)
    sst = re.sub(
        rb'(<sst[^>]*\s)count="(\d+)"',
        lambda mm: mm.group(1) + b'count="%d"' % (int(mm.group(2)) + 1),
        sst,
        count=1,
    )
    return sst.replace(b"</sst>", b"<si><t>" + text + b"</t></si></sst>"), index


def _with_doctype(xml: bytes, doctype: bytes) -> bytes:
    m = re.match(rb"<\?xml[^>]*\?>\s*", xml)
    at = m.end() if m else 0
    return xml[:at] + doctype + b"\n" + xml[at:]


LAUGHS = (
    b'<!DOCTYPE sst [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">'
        % (k, b"".join(b"&lol%s;" % (b"" if k == 1 else str(k - 1).encode()) for _ in range(10)))
        for k in range(1, 10)
    )
    + b"]>"
)


def _cjk_text(nbytes: int, seed: int = 5) -> bytes:
    """Pseudo-random CJK text of about `nbytes` UTF-8 bytes that deflate cannot shrink much (a 150 KB
    random block repeated: further back than deflate's 32 KB window)."""
    rnd = random.Random(seed)
    block = "".join(chr(0x4E00 + rnd.randrange(6000)) for _ in range(50_000)).encode()
    return (block * (nbytes // len(block) + 1))[: nbytes - nbytes % 3]


class _FixedNow(dt.datetime):
    @classmethod
    def now(cls, tz: Any = None) -> _FixedNow:
        return cls(2018, 9, 26, 8, 30, 0)


@contextlib.contextmanager
def _deterministic_random() -> Iterator[None]:
    """msoffcrypto draws salts and keys from `secrets` and stamps the CFB with now(): pin both."""
    from msoffcrypto.method import ecma376_agile
    from msoffcrypto.method.container import ecma376_encrypted

    rnd = random.Random(20180926)
    saved = ecma376_agile._random_buffer, ecma376_encrypted.datetime
    ecma376_agile._random_buffer = lambda n: rnd.randbytes(n)
    ecma376_encrypted.datetime = _FixedNow
    try:
        yield
    finally:
        ecma376_agile._random_buffer, ecma376_encrypted.datetime = saved


def encrypt_ooxml(data: bytes, password: str = "dangjian") -> bytes:
    """Password-protect an OOXML file the way Excel does (ECMA-376 agile encryption), reproducibly."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with _deterministic_random():
        OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def _tiny_png() -> bytes:
    def chunk(typ: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + typ + body + struct.pack(">I", zlib.crc32(typ + body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


HTML_XLS = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=ProgId content=Excel.Sheet></head>
<body><table><tr><td>党总支名称：</td><td>文学院党总支</td></tr><tr><td>自评得分</td><td>2</td></tr></table></body></html>
""".encode()


# ---------------------------------------------------------------- the corpus


def build_corpus(dest: Path, good_form: bytes | None = None) -> dict[str, str]:
    """Write the hostile corpus into `dest`; return {file name: expected message code}."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    base = good_form if good_form is not None else small_xlsx()
    items = members(base)
    names = {n for n, _ in items}
    if "xl/sharedStrings.xml" not in names:  # every string case needs a shared string table
        base, items = small_xlsx(), members(small_xlsx())
    sheet = _first_sheet(items)
    files: dict[str, tuple[bytes, str]] = {}

    def add(name: str, data: bytes, code: str) -> None:
        files[name] = (data, code)

    # not spreadsheets
    add("empty.xlsx", b"", "file-empty")
    add("picture_named.xlsx", _tiny_png(), "file-not-spreadsheet")
    add(
        "photo_named.xlsx",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00" + bytes(range(256)),
        "file-not-spreadsheet",
    )
    add(
        "plain_text.xlsx",
        "这不是表格，是一段文字。\n党总支名称：文学院党总支\n".encode(),
        "file-not-spreadsheet",
    )
    add(
        "not_ooxml.xlsx",
        build_zip([("readme.txt", b"hello"), ("data.csv", "序号,名称\n1,文学院\n".encode())]),
        "file-not-spreadsheet",
    )
    add("html_export.xls", HTML_XLS, "file-html-as-xls")
    add("encrypted.xlsx", encrypt_ooxml(base), "file-encrypted")
    add(
        "too_large.xlsx",
        build_zip([*items, ("xl/media/padding.bin", bytes(21 * MB))], stored={"xl/media/padding.bin"}),
        "file-too-large",
    )

    # broken containers
    add("truncated.xlsx", base[: len(base) // 2], "file-corrupt")
    add("missing_workbook.xlsx", patch(base, "xl/workbook.xml", lambda d: None), "file-corrupt")
    stored = build_zip(items, all_stored=True)
    with zipfile.ZipFile(io.BytesIO(stored)) as zf:
        info = zf.getinfo(sheet)
    start = info.header_offset + 30 + len(info.filename.encode())
    flip = start + info.compress_size // 2
    bad = bytearray(stored)
    bad[flip] = ord("Z") if bad[flip] != ord("Z") else ord("Y")
    add("bad_crc.xlsx", bytes(bad), "file-corrupt")

    # zip bombs
    bomb_size = 80 * 16 * MB  # 1.25 GiB of zeros, ~1.3 MB compressed
    bomb = zero_bomb(bomb_size)
    entries = [e for e in _entries_of(base) if e[0] != sheet]
    add("zip_bomb.xlsx", raw_zip([*entries, (sheet, bomb, 8, 0, bomb_size, len(bomb))]), "zip-bomb")
    # the central directory claims 50 MB at a plausible ratio (~170:1); inflating shows more
    small_bomb = zero_bomb(64 * MB, prefix=random.Random(7).randbytes(300 * 1024).replace(b"<", b"a"))
    lying = [*entries, (sheet, small_bomb, 8, 0, 50 * MB, len(small_bomb))]
    add("zip_bomb_lying.xlsx", raw_zip(lying), "zip-bomb")
    add("zip_bomb_lying_small.xlsx", raw_zip([*entries, (sheet, bomb, 8, 0, 4096, len(bomb))]), "zip-bomb")
    many = [*items, *((f"xl/media/extra{k:04d}.bin", b"x") for k in range(2_100))]
    add("zip_many_members.xlsx", build_zip(many), "zip-bomb")

    # sheets too large
    def far_cell(x: bytes) -> bytes:
        x = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', x, count=1)
        return _append_rows(x, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')

    add("huge_dimension.xlsx", patch(base, sheet, far_cell), "sheet-too-large")

    def quoted_gt(x: bytes) -> bytes:  # a '>' inside an attribute value must not hide the reference
        row = _max_row(x) + 2
        return _append_rows(x, b'<row r="%d"><c foo="&gt;>" r="XFD%d"><v>1</v></c></row>' % (row, row))

    add("cell_tag_trick.xlsx", patch(base, sheet, quoted_gt), "sheet-too-large")

    def implicit(x: bytes) -> bytes:  # cells without r follow one another: 300 of them in one row
        row = _max_row(x) + 2
        return _append_rows(x, b'<row r="%d">' % row + b"<c><v>1</v></c>" * 300 + b"</row>")

    add("implicit_columns.xlsx", patch(base, sheet, implicit), "sheet-too-large")
    add(
        "shared_string_count.xlsx",
        patch(
            base,
            "xl/sharedStrings.xml",
            lambda d: re.sub(rb'uniqueCount="\d+"', b'uniqueCount="2000000000"', d, count=1),
        ),
        "file-corrupt",
    )

    # thousands of sheets
    def sheets_xml(x: bytes) -> bytes:
        extra = b"".join(
            b'<sheet name="S%d" sheetId="%d" r:id="rIdX%d"/>' % (k, 1000 + k, k) for k in range(3_000)
        )
        return x.replace(b"</sheets>", extra + b"</sheets>", 1)

    def sheets_rels(x: bytes) -> bytes:
        target = sheet.removeprefix("xl/").encode()
        extra = b"".join(
            b'<Relationship Id="rIdX%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="%s"/>'
            % (k, target)
            for k in range(3_000)
        )
        return x.replace(b"</Relationships>", extra + b"</Relationships>", 1)

    add(
        "many_sheets.xlsx",
        patch(patch(base, "xl/workbook.xml", sheets_xml), "xl/_rels/workbook.xml.rels", sheets_rels),
        "too-many-sheets",
    )

    # hostile XML
    def laughs(x: bytes) -> bytes:
        x = _with_doctype(x, LAUGHS)
        return re.sub(rb"<t([^>]*)>", rb"<t\1>&lol9;", x, count=1)

    add("billion_laughs.xlsx", patch(base, "xl/sharedStrings.xml", laughs), "xml-hostile")

    def xxe_file(x: bytes) -> bytes:
        x = _with_doctype(x, b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
        return re.sub(rb"<t([^>]*)>", rb"<t\1>&xxe;", x, count=1)

    add("xxe_file.xlsx", patch(base, "xl/sharedStrings.xml", xxe_file), "xml-hostile")

    def xxe_http(x: bytes) -> bytes:
        x = _with_doctype(x, b'<!DOCTYPE workbook [<!ENTITY ext SYSTEM "http://127.0.0.1:9/x">]>')
        return re.sub(rb'(<sheet\s[^>]*name=")', rb"\1&ext;", x, count=1)

    add("xxe_http.xlsx", patch(base, "xl/workbook.xml", xxe_http), "xml-hostile")

    def doctype_utf16(x: bytes) -> bytes:
        text = _with_doctype(x, b'<!DOCTYPE sst SYSTEM "http://127.0.0.1:9/sst.dtd">').decode()
        return "\ufeff".encode("utf-16-le") + text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode(
            "utf-16-le"
        )

    add("doctype_utf16.xlsx", patch(base, "xl/sharedStrings.xml", doctype_utf16), "xml-hostile")

    # an extremely long text: read, cut, reported
    def long_text(parts: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        out, index = [], 0
        for n, d in parts:
            if n == "xl/sharedStrings.xml":
                d, index = _add_shared_string(d, _cjk_text(5 * MB))
            out.append((n, d))
        final = []
        for n, d in out:
            if n == sheet:
                row = _max_row(d) + 2
                d = _append_rows(d, b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (row, row, index))
            final.append((n, d))
        return final

    add("long_string.xlsx", build_zip(long_text(items)), "text-too-long")

    # ODS
    ods_rows = [["党总支名称：", "文学院党总支"], ["自评得分", 2]]
    add(
        "ods_repeated_rows.ods",
        make_ods(
            [("评分表", ods_rows)],
            raw_rows='<table:table-row table:number-rows-repeated="1048000"><table:table-cell office:value-type="float" office:value="1"/></table:table-row>',
        ),
        "sheet-too-large",
    )
    add(
        "ods_repeated_cells.ods",
        make_ods(
            [("评分表", ods_rows)],
            raw_rows='<table:table-row><table:table-cell table:number-columns-repeated="2000000000"/><table:table-cell office:value-type="float" office:value="1"/></table:table-row>',
        ),
        "sheet-too-large",
    )
    add(
        "ods_spaces.ods",
        make_ods(
            [("评分表", ods_rows)],
            raw_rows='<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/>b</text:p></table:table-cell></table:table-row>',
        ),
        "xml-hostile",
    )
    add(
        "ods_missing_content.ods",
        patch(make_ods([("评分表", ods_rows)]), "content.xml", lambda d: None),
        "file-corrupt",
    )
    add("ods_many_tables.ods", make_ods([(f"S{k}", [[k]]) for k in range(300)]), "too-many-sheets")

    # XLS
    xls_cells = [(0, 0, "党总支名称："), (0, 1, "文学院党总支"), (1, 0, 2.0)]
    add(
        "xls_huge_dimensions.xls",
        make_xls([("评分表", 0, xls_cells)], dimensions=(0, 65536, 0, 256)),
        "sheet-too-large",
    )
    add(
        "xls_backwards_dimensions.xls",
        make_xls([("评分表", 0, xls_cells)], dimensions=(5, 1, 0, 3)),
        "sheet-too-large",
    )
    add(
        "xls_far_cell.xls",
        make_xls([("评分表", 0, [*xls_cells, (65535, 255, 1.0)])], dimensions=(0, 3, 0, 3)),
        "sheet-too-large",
    )
    sst = _rec(0x00FC, struct.pack("<ii", 1, 2_000_000_000))
    add("xls_sst_count.xls", make_xls([("评分表", 0, xls_cells)], globals_extra=sst), "file-corrupt")
    filepass = _rec(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48))
    add("xls_filepass.xls", make_xls([("评分表", 0, xls_cells)], globals_extra=filepass), "file-encrypted")
    add("xls_truncated.xls", make_xls([("评分表", 0, xls_cells)])[:1500], "file-corrupt")

    # more broken containers and disguises
    add("missing_sheet_part.xlsx", patch(base, sheet, lambda d: None), "file-corrupt")
    add("missing_content_types.xlsx", patch(base, "[Content_Types].xml", lambda d: None), "file-corrupt")
    add("malformed_sheet_xml.xlsx", patch(base, sheet, lambda d: d[: len(d) // 2]), "file-corrupt")
    add("garbage_styles.xlsx", patch(base, "xl/styles.xml", lambda d: b"\x00\xff not xml"), "file-corrupt")
    add("rar_named.xlsx", b"Rar!\x1a\x07\x00" + bytes(64), "file-not-spreadsheet")
    add("csv_named.xls", "序号,党总支名称,得分\n1,文学院党总支,98\n".encode("gbk"), "file-not-spreadsheet")
    add(
        "binary_workbook.xlsb",
        build_zip([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.bin", b"\x83\x01\x00")]),
        "file-not-spreadsheet",
    )
    add(
        "html_utf16.xls",
        "\ufeff".encode("utf-16-le") + HTML_XLS.decode().encode("utf-16-le"),
        "file-html-as-xls",
    )
    add(
        "mht_export.xls",
        b'MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n'
        + HTML_XLS,
        "file-html-as-xls",
    )
    xxe = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    add(
        "xxe_content_types.xlsx",
        patch(base, "[Content_Types].xml", lambda d: _with_doctype(d, xxe)),
        "xml-hostile",
    )
    add(
        "xxe_rels.xlsx",
        patch(base, "xl/_rels/workbook.xml.rels", lambda d: _with_doctype(d, xxe)),
        "xml-hostile",
    )
    add(
        "ods_xxe.ods",
        patch(make_ods([("评分表", ods_rows)]), "content.xml", lambda d: _with_doctype(d, xxe)),
        "xml-hostile",
    )

    for name, (data, _) in files.items():
        (dest / name).write_bytes(data)
    return {name: code for name, (_, code) in files.items()}


def main(argv: Sequence[str]) -> int:
    if len(argv) == 2 and argv[0] == "--inbox":  # the whole inbox of tests/test_hostile_inbox.py, collected
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from hostile_inbox import main as inbox_main

        return inbox_main([argv[1]])
    if len(argv) != 1:
        print("usage: python tests/hostile_corpus.py DEST           (the file-level corpus)", file=sys.stderr)
        print(
            "       python tests/hostile_corpus.py --inbox DEST   (the full hostile inbox, collected)",
            file=sys.stderr,
        )
        return 2
    for name, code in sorted(build_corpus(Path(argv[0])).items()):
        print(f"{name}\t{code}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
