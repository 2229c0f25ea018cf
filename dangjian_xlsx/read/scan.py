"""Safety pass over zip containers (xlsx/xlsm/ods/docx) before anything parses them.

The central directory (member count, declared sizes, ratios), then every member is inflated once,
streaming, never past its declared size, with its CRC checked, and fed to the scans that apply: XML parts
for DTD declarations (OOXML and ODF parts never legitimately contain one), worksheet parts for the extent
of their value cells (`sheetscan`: calamine builds a dense rows × columns grid from them), an ODS
content.xml for its tables' extent (`odsscan`).

`zip_members` and `safety_pass` take the central directory already parsed (`zipdir.plain_members`: the
reader parses it once and hands it on); `check_zip_members`, `check_zip` and `check_zip_inflated` parse it
themselves.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable, Mapping

from ..ooxml import (
    CONTENT_TYPES,
    CORE_PROPERTIES,
    ODF_CONTENT,
    ODF_META,
    ODF_MIMETYPE,
    SHARED_STRINGS,
    SHEET_DIRS,
    WORKBOOK,
    WORKBOOK_RELS,
    sheet_count,
    sheet_parts,
    zlib,
)
from .limits import DEFAULT_LIMITS, KB, MB, Extent, Limits, ReadError, corrupt, human_size
from .odsscan import OdsScan
from .sheetscan import XlsxSheetScan
from .sink import Sink
from .zipdir import Directory, Member, plain_members

Inflated = list[tuple[zipfile.ZipInfo, bytes]]  # every member as verified: (info, content), package order

_IN_CHUNK = 64 * KB
_OUT_CHUNK = 256 * KB
_KEEP_MAX = 4 * MB  # small index parts kept in memory after verification
_REPACK_MAX = 16 * MB  # inflated total up to which every member is kept for the reader

# `<!` that is not a comment or CDATA starts a DTD construct; also in UTF-16 (LE / BE).
_HOSTILE_XML = re.compile(rb"<!(?![-\[])|<\x00!\x00(?![-\[]\x00)|\x00<\x00!(?!\x00[-\[])")
_HOSTILE_NARROW = re.compile(rb"<!(?![-\[])")
_XML_NAME = re.compile(r".*\.(?:xml|rels|vml)$", re.IGNORECASE)
_OOXML = frozenset({"xlsx", "xlsm"})
_OOXML_INDEX = (CONTENT_TYPES, WORKBOOK, WORKBOOK_RELS, CORE_PROPERTIES)
_ODS_INDEX = (ODF_MIMETYPE, ODF_META)
_UNIQUE_COUNT = re.compile(rb"\suniqueCount\s*=\s*[\"'](\d+)[\"']")

# ---------------------------------------------------------------- what a member is fed to


class _HostileScan(Sink):
    """Refuses any `<!` that is not a comment or CDATA (DOCTYPE, ENTITY, …), in UTF-8 or UTF-16."""

    def __init__(self, member: str) -> None:
        self.member = member
        self.tail = b""
        self.wide: bool | None = None

    def feed(self, chunk: bytes, final: bool) -> None:
        if self.wide is None and chunk:
            self.wide = b"\x00" in chunk[:64]
        buf = self.tail + chunk if self.tail else chunk
        if self.wide:
            if _HOSTILE_XML.search(buf, 0, len(buf) if final else max(len(buf) - 8, 0)):
                self._refuse()
            self.tail = buf[-16:]
            return
        if b"!" not in buf:  # one memchr: the common case (searching for "<!" costs a step per byte)
            self.tail = buf[-3:]
            return
        # the first "<!" not starting a comment or CDATA (one search: bytes.find is slow on a needle
        # starting with "<", every tag's first byte); at the very end of a chunk, the next one decides
        m = _HOSTILE_NARROW.search(buf)
        if m is not None and (final or m.end() < len(buf)):
            self._refuse()
        self.tail = buf[-3:]

    def _refuse(self) -> None:
        raise ReadError("xml-hostile", detail=f"部件 {self.member} 含有 DTD/实体声明")


class _Keep(Sink):
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def feed(self, chunk: bytes, final: bool) -> None:
        self.size += len(chunk)
        if self.size <= _KEEP_MAX:
            self.parts.append(chunk)
        else:
            self.parts = []

    @property
    def data(self) -> bytes | None:
        return b"".join(self.parts) if self.size <= _KEEP_MAX else None


class _Head(Sink):
    """Keeps the first few KB (enough for a root element's attributes)."""

    def __init__(self, n: int = 4 * KB) -> None:
        self.n = n
        self.data = b""
        self.size = 0

    def feed(self, chunk: bytes, final: bool) -> None:
        self.size += len(chunk)
        if len(self.data) < self.n:
            self.data += chunk[: self.n - len(self.data)]


# ---------------------------------------------------------------- inflating one member


def _member_start(data: bytes, info: zipfile.ZipInfo) -> int:
    off = info.header_offset
    if off < 0 or off + 30 > len(data) or data[off : off + 4] != b"PK\x03\x04":
        raise corrupt(f"部件 {info.filename} 的位置信息错误")
    nlen, xlen = struct.unpack_from("<HH", data, off + 26)
    return off + 30 + nlen + xlen


def _feed(sinks: list[Sink], chunk: bytes, final: bool) -> None:
    for s in sinks:
        s.feed(chunk, final)


def _inflate(data: bytes, info: zipfile.ZipInfo, sinks: list[Sink]) -> None:
    """Inflate one member once, streaming: never past its declared size; CRC checked."""
    start = _member_start(data, info)
    end = start + info.compress_size
    if end > len(data):
        raise corrupt("文件不完整（部件数据被截断）")
    mv = memoryview(data)[start:end]
    if info.compress_type == zipfile.ZIP_STORED:
        crc = _inflate_stored(info, mv, sinks)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        crc = _inflate_deflated(info, mv, sinks)
    else:
        raise corrupt(f"部件 {info.filename} 使用了不支持的压缩方式")
    if crc != info.CRC:
        raise corrupt(f"部件 {info.filename} 校验失败（CRC 不符）")


def _inflate_stored(info: zipfile.ZipInfo, mv: memoryview, sinks: list[Sink]) -> int:
    """A stored member, in chunks; its CRC."""
    if info.compress_size != info.file_size:
        raise corrupt(f"部件 {info.filename} 大小不一致")
    crc = 0
    for pos in range(0, len(mv), _OUT_CHUNK):
        chunk = bytes(mv[pos : pos + _OUT_CHUNK])
        crc = zlib.crc32(chunk, crc)
        _feed(sinks, chunk, pos + _OUT_CHUNK >= len(mv))
    if not len(mv):
        _feed(sinks, b"", True)
    return crc


def _inflate_deflated(info: zipfile.ZipInfo, mv: memoryview, sinks: list[Sink]) -> int:
    """A deflated member, inflated a chunk at a time, never more than one byte past its declared size;
    its CRC."""
    declared = info.file_size
    d = zlib.decompressobj(-15)
    pos = crc = total = 0
    n = len(mv)
    ended = False
    try:
        while not d.eof:
            if d.unconsumed_tail:
                inp: bytes | memoryview = d.unconsumed_tail
            elif pos < n:
                inp = mv[pos : pos + _IN_CHUNK]
                pos += len(inp)
            else:
                inp = b""
            # never ask for more than one byte past the declared size
            chunk = d.decompress(inp, min(_OUT_CHUNK, declared - total + 1))
            if chunk:
                total += len(chunk)
                if total > declared:
                    raise ReadError(
                        "zip-bomb", detail=f"部件 {info.filename} 实际解压后超过声明的 {human_size(declared)}"
                    )
                crc = zlib.crc32(chunk, crc)
                ended = d.eof  # the last piece: sinks see it as final (a small part comes in one)
                _feed(sinks, chunk, ended)
            elif not inp:
                break
    except zlib.error as exc:
        raise corrupt(f"部件 {info.filename} 压缩数据损坏") from exc
    if not d.eof:
        raise corrupt(f"部件 {info.filename} 数据不完整")
    if not ended:
        _feed(sinks, b"", True)
    if total != declared:
        raise corrupt(f"部件 {info.filename} 大小与声明不符")
    return crc


# ---------------------------------------------------------------- the central directory


def _zipinfo(name: str, m: Member) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.header_offset, info.compress_size, info.file_size = m.offset, m.csize, m.usize
    info.CRC, info.compress_type, info.flag_bits = m.crc, m.method, 0
    return info


def check_zip_members(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, zipfile.ZipInfo]:
    """Central-directory checks (member count, declared sizes and ratios, encryption, duplicates);
    member name → ZipInfo. Nothing is inflated here."""
    return zip_members(data, plain_members(data), limits)


def zip_members(data: bytes, plain: Directory | None, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    """`check_zip_members`, given what `plain_members(data)` said (None: zipfile reads the directory)."""
    if plain is not None:  # the common case, read with struct
        infos = [_zipinfo(name, m) for name, m in plain.items()]
    else:
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except Exception as exc:
            raise corrupt("压缩包结构不完整，文件可能只保存或传输了一部分") from exc
    if len(infos) > limits.max_members:
        raise ReadError("zip-bomb", detail=f"含有 {len(infos)} 个压缩部件，上限 {limits.max_members}")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise corrupt("压缩包内有重名的部件")
    total = 0
    for i in infos:
        if i.flag_bits & 0x1:
            raise ReadError("file-encrypted")
        if i.file_size > limits.max_member_uncompressed:
            raise ReadError("zip-bomb", detail=f"部件 {i.filename} 解压后 {human_size(i.file_size)}")
        if i.file_size > limits.ratio_floor and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            ratio = i.file_size // max(i.compress_size, 1)
            raise ReadError("zip-bomb", detail=f"部件 {i.filename} 压缩比 {ratio}:1")
        total += i.file_size
    if total > limits.max_uncompressed_total:
        raise ReadError(
            "zip-bomb",
            detail=f"解压后共 {human_size(total)}，上限 {human_size(limits.max_uncompressed_total)}",
        )

    return {i.filename: i for i in infos}


# ---------------------------------------------------------------- the whole pass


def check_zip(data: bytes, fmt: str, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Verify a zip container before anything parses it; return the small index parts it kept.

    `fmt` is 'xlsx'/'xlsm' (OOXML spreadsheet), 'ods', or anything else for a plain package (docx).
    """
    return safety_pass(data, fmt, limits, plain_members(data), keep_all=False)[0]


def check_zip_inflated(
    data: bytes, fmt: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[dict[str, bytes], Inflated | None]:
    """`check_zip`, and every member as it was just inflated and verified: (verified info, content), in the
    package's order — or None when the package is large (over _REPACK_MAX inflated), so that a big package
    is never held in memory twice. The reader rebuilds from them what calamine reads (`repack`)."""
    return safety_pass(data, fmt, limits, plain_members(data), keep_all=True)


def safety_pass(
    data: bytes, fmt: str, limits: Limits, plain: Directory | None, keep_all: bool, *, extents: bool = True
) -> tuple[dict[str, bytes], Inflated | None]:
    """`check_zip` (`keep_all`: `check_zip_inflated`), given what `plain_members(data)` said. Without
    `extents`, worksheets are not scanned for their extent: for a reader that bounds its grid itself
    (`xlsxfast`), never before calamine."""
    infos = list(zip_members(data, plain, limits).values())
    keep_all = keep_all and sum(i.file_size for i in infos) <= _REPACK_MAX
    index = _index(fmt, {i.filename for i in infos})
    kept: dict[str, bytes] = {}
    inflated: dict[str, bytes] = {}
    for info in sorted(infos, key=lambda i: i.filename not in index):  # the index parts first
        name = info.filename
        if name.endswith("/") and info.file_size == 0:
            inflated[name] = b""
            continue
        keep = _Keep() if name in index or keep_all else None
        sinks, head = _sinks(name, fmt, limits, kept, keep, extents)
        _inflate(data, info, sinks)
        content = keep.data if keep is not None else None
        if content is not None and name in index:
            kept[name] = content
        if keep_all:
            if content is None:
                keep_all = False
            else:
                inflated[name] = content
        _check_index(name, fmt, limits, kept, head)
    if not keep_all:
        return kept, None
    return kept, [(i, inflated[i.filename]) for i in infos]


def _index(fmt: str, present: set[str]) -> tuple[str, ...]:
    """The small parts kept for the reader (checked first); raises when a required part is missing."""
    required = (CONTENT_TYPES, WORKBOOK) if fmt in _OOXML else (ODF_CONTENT,) if fmt == "ods" else ()
    for r in required:
        if r not in present:
            raise corrupt(f"缺少必需的部件 {r}")
    return _OOXML_INDEX if fmt in _OOXML else _ODS_INDEX if fmt == "ods" else ()


def _sinks(
    name: str, fmt: str, limits: Limits, kept: Mapping[str, bytes], keep: _Keep | None, extents: bool = True
) -> tuple[list[Sink], _Head | None]:
    """What member `name` is fed to, in this order (the first to refuse it words the error); and the head
    of the shared strings, when it is that part."""
    sinks: list[Sink] = [_HostileScan(name)] if _XML_NAME.match(name) else []
    if keep is not None:
        sinks.append(keep)
    head: _Head | None = None
    if extents and fmt in _OOXML and name.startswith(SHEET_DIRS) and name.endswith(".xml"):
        sinks.append(XlsxSheetScan(Extent(limits, _sheet_name(name, kept))))
    if fmt in _OOXML and name == SHARED_STRINGS:
        head = _Head()
        sinks.append(head)
    if fmt == "ods" and name == ODF_CONTENT:
        sinks.append(OdsScan(limits))
    return sinks, head


def _sheet_name(part: str, kept: Mapping[str, bytes]) -> Callable[[], str]:
    """The name of the sheet in `part`, looked up only when a message needs it (the index parts are kept
    by then: they are inflated first)."""

    def name() -> str:
        parts = {p: sheet for sheet, p in sheet_parts(kept.get(WORKBOOK), kept.get(WORKBOOK_RELS))}
        return parts.get(part, part)

    return name


def _check_index(name: str, fmt: str, limits: Limits, kept: Mapping[str, bytes], head: _Head | None) -> None:
    """What an inflated member's content says about the rest: shared strings and sheet counts."""
    if head is not None:
        m = _UNIQUE_COUNT.search(head.data)
        if m and int(m.group(1)) > head.size // 4 + 16:
            raise corrupt("共享字符串数量与内容不符")
    if fmt in _OOXML and name == WORKBOOK and name in kept:
        count = sheet_count(kept[name])
        if count > limits.max_sheets:
            raise ReadError("too-many-sheets", count=count, limit=limits.max_sheets)
