"""The one zip writer of the project's own packages: the summary's row splice (members copied from another zip
as they are — no inflate, no deflate — and spliced sheets deflated from a stream of pieces), the reader's
repack (members stored uncompressed, what calamine reads) and the generator's structure-protection step (one
member changed, the others copied).

Everything it deflates goes through the standard zlib, never zlib-ng: those bytes are compared (the summary
is byte-reproducible) and committed (`blank_forms/`), and zlib-ng deflates to other bytes than zlib does. Same
pieces, same bytes, on every platform.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator

LEVEL = 6  # zlib's default, as zipfile and XlsxWriter use
_MAX = 0xFFFFFFFF  # no zip64: the summary is far below 4 GB


class ZipWriter:
    """Members in the order they are added; `getvalue()` (or `chunks()`) adds the central directory. `drain()`
    hands on the members added so far and forgets their data (a long summary's compressed sheets are not all
    held until the last one is deflated)."""

    def __init__(self, level: int = LEVEL) -> None:
        self.level = level  # what `put` and `deflate` compress at (standard zlib: the bytes reproduce)
        # (info, method, crc, size, the member's data in pieces): added, not yet handed on
        self._members: list[tuple[zipfile.ZipInfo, int, int, int, list[bytes | memoryview]]] = []
        self._central: list[bytes] = []  # the central directory entries of the members handed on
        self._offset = 0  # where the next member's local header starts

    def __enter__(self) -> ZipWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def store(self, info: zipfile.ZipInfo, content: bytes, crc: int) -> None:
        """Member `info` (its name, date and attributes) holding `content` uncompressed."""
        self._members.append((info, zipfile.ZIP_STORED, crc, len(content), [content]))

    def put(self, info: zipfile.ZipInfo, content: bytes) -> None:
        """Member `info` holding `content` deflated."""
        c = _compressor(self.level)
        data = c.compress(content) + c.flush(zlib.Z_FINISH)
        self._members.append((info, zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content), [data]))

    def copy(self, src: bytes, info: zipfile.ZipInfo) -> None:
        """Member `info` of the zip `src`, its compressed data copied as it is (a view of `src`, which is
        kept until the zip is written)."""
        off = info.header_offset
        if src[off : off + 4] != b"PK\x03\x04":
            raise ValueError(f"no local header for {info.filename}")
        name_len, extra_len = struct.unpack_from("<HH", src, off + 26)
        start = off + 30 + name_len + extra_len
        data = memoryview(src)[start : start + info.compress_size]
        self._members.append((info, info.compress_type, info.CRC, info.file_size, [data]))

    def deflate(self, info: zipfile.ZipInfo, pieces: Iterable[bytes]) -> None:
        """Member `info` (its name, date and attributes) holding the pieces, in order, deflated as one stream
        (each piece compressed as it comes: the caller renders the next piece meanwhile, nothing waits)."""
        c = _compressor(self.level)
        crc = size = 0
        data: list[bytes | memoryview] = []
        for piece in pieces:
            if not piece:
                continue
            data.append(c.compress(piece))
            crc, size = zlib.crc32(piece, crc), size + len(piece)
        data.append(c.flush(zlib.Z_FINISH))
        self._members.append((info, zipfile.ZIP_DEFLATED, crc, size, data))

    def getvalue(self) -> bytes:
        """The zip: every member, then the central directory (once: see `chunks`)."""
        return b"".join(self.chunks())

    def chunks(self) -> Iterator[bytes | memoryview]:
        """The zip's bytes in pieces, as `getvalue()` joins them (to write to a file without a copy of it all
        in memory): the members not handed on yet (`drain`), then the central directory. Once: the members'
        data is let go as it is handed on."""
        yield from self.drain()
        directory = b"".join(self._central)
        n = len(self._central)
        yield directory
        yield struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(directory), self._offset, 0)

    def drain(self) -> Iterator[bytes | memoryview]:
        """The members added since the last `drain`, in pieces (each local header, then its data), their data
        forgotten as they are handed on (the central directory entries kept for `chunks`)."""
        while self._members:
            info, method, crc, size, data = self._members.pop(0)
            chunks = [c for c in data if c]
            del data
            csize = sum(map(len, chunks))
            local, entry = _headers(info, method, crc, size, csize, self._offset)
            self._central.append(entry)
            self._offset += len(local) + csize
            yield local
            chunks.reverse()
            while chunks:
                yield chunks.pop()


def _headers(
    info: zipfile.ZipInfo, method: int, crc: int, size: int, csize: int, offset: int
) -> tuple[bytes, bytes]:
    """A member's local header (with its name) and its central directory entry."""
    if max(size, csize, offset) > _MAX:
        raise ValueError("zip member too large for a zip without zip64")
    name = info.filename.encode("utf-8")
    flags = 0x800 if not info.filename.isascii() else 0
    y, mo, d, h, mi, s = info.date_time
    dos_date, dos_time = (y - 1980) << 9 | mo << 5 | d, h << 11 | mi << 5 | s // 2
    fixed = (20, flags, method, dos_time, dos_date, crc, csize, size, len(name))
    local = struct.pack("<4s5H3LHH", b"PK\x03\x04", *fixed, 0) + name
    made_by = info.create_system << 8 | 20
    entry = struct.pack(
        "<4sH5H3L5HLL", b"PK\x01\x02", made_by, *fixed, 0, 0, 0, 0, info.external_attr, offset
    )
    return local, entry + name


def _compressor(level: int) -> zlib._Compress:
    return zlib.compressobj(level, zlib.DEFLATED, -15)
