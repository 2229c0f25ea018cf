"""A zip writer for the summary's row splice: members copied from another zip as they are (no inflate, no
deflate), and members deflated from a stream of pieces on two threads while the caller renders the next.
The reader's repack (what calamine reads) uses it too, for members stored uncompressed, and the generator's
structure-protection step, to change one member of a workbook without re-compressing the others.

A deflated member is the pieces compressed one by one, each primed with the 32 KB before it (so the ratio
is that of one stream) and ended on a byte boundary with a sync flush, then one empty final block: what
pigz does, a valid deflate stream that any unzip reads as one. zlib releases the GIL while it compresses,
so the pieces use the second core. A member's last pieces are still compressing while the caller renders the
next member: the members are laid out in `getvalue`. Same pieces, same bytes.
"""

from __future__ import annotations

import struct
import zipfile
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from .fastzlib import zlib

LEVEL = 6  # zlib's default, as zipfile and XlsxWriter use
_WINDOW = 32 * 1024  # deflate's window: how much of the previous piece primes the next one
_IN_FLIGHT = 4  # pieces compressed or waiting at a time (bounds the memory held)
_MAX = 0xFFFFFFFF  # no zip64: the summary is far below 4 GB


class ZipWriter:
    """Members in the order they are added; `getvalue()` adds the central directory."""

    def __init__(self, threads: int = 2) -> None:
        # (info, method, crc, size, data pieces): a deflated member's pieces are futures until `getvalue`,
        # so that its last pieces compress while the caller renders the next member
        self._members: list[tuple[zipfile.ZipInfo, int, int, int, list[bytes | Future[bytes]]]] = []
        self._in_flight: deque[Future[bytes]] = deque()  # over all members: bounds the memory held
        self._threads = threads
        self._pool: ThreadPoolExecutor | None = None  # started by the first `deflate` only

    def __enter__(self) -> ZipWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def store(self, info: zipfile.ZipInfo, content: bytes, crc: int) -> None:
        """Member `info` (its name, date and attributes) holding `content` uncompressed."""
        self._members.append((info, zipfile.ZIP_STORED, crc, len(content), [content]))

    def put(self, info: zipfile.ZipInfo, content: bytes) -> None:
        """Member `info` holding `content` deflated in this thread (a small part: no thread needed)."""
        c = _compressor(b"")
        data = c.compress(content) + c.flush(zlib.Z_FINISH)
        self._members.append((info, zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content), [data]))

    def copy(self, src: bytes, info: zipfile.ZipInfo) -> None:
        """Member `info` of the zip `src`, its compressed data copied as it is."""
        off = info.header_offset
        if src[off : off + 4] != b"PK\x03\x04":
            raise ValueError(f"no local header for {info.filename}")
        name_len, extra_len = struct.unpack_from("<HH", src, off + 26)
        start = off + 30 + name_len + extra_len
        data = src[start : start + info.compress_size]
        self._members.append((info, info.compress_type, info.CRC, info.file_size, [data]))

    def deflate(self, info: zipfile.ZipInfo, pieces: Iterable[bytes]) -> None:
        """Member `info` (its name, date and attributes) holding the pieces, in order, deflated."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="zip-deflate")
        crc = size = 0
        previous = b""
        data: list[bytes | Future[bytes]] = []
        for piece in pieces:
            if not piece:
                continue
            future = self._pool.submit(_compress, piece, previous[-_WINDOW:])
            data.append(future)
            self._in_flight.append(future)
            crc, size = zlib.crc32(piece, crc), size + len(piece)
            previous = piece
            while len(self._in_flight) >= _IN_FLIGHT:
                self._in_flight.popleft().result()
        data.append(_final(previous[-_WINDOW:]))
        self._members.append((info, zipfile.ZIP_DEFLATED, crc, size, data))

    def getvalue(self) -> bytes:
        """The zip: every member (waiting for the pieces still compressing), then the central directory."""
        out: list[bytes] = []
        central: list[bytes] = []
        offset = 0
        for info, method, crc, size, data in self._members:
            chunks = [c if isinstance(c, bytes) else c.result() for c in data]
            csize = sum(map(len, chunks))
            local, entry = _headers(info, method, crc, size, csize, offset)
            out += (local, *chunks)
            central.append(entry)
            offset += len(local) + csize
        directory = b"".join(central)
        n = len(central)
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(directory), offset, 0)
        return b"".join((*out, directory, end))


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


def _compressor(primer: bytes) -> zlib._Compress:
    if primer:
        return zlib.compressobj(
            LEVEL, zlib.DEFLATED, -15, zlib.DEF_MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY, primer
        )
    return zlib.compressobj(LEVEL, zlib.DEFLATED, -15)


def _compress(piece: bytes, primer: bytes) -> bytes:
    """One piece as non-final deflate blocks ending on a byte boundary (sync flush)."""
    c = _compressor(primer)
    return c.compress(piece) + c.flush(zlib.Z_SYNC_FLUSH)


def _final(primer: bytes) -> bytes:
    """The empty final block that ends the member's deflate stream."""
    return _compressor(primer).flush(zlib.Z_FINISH)
