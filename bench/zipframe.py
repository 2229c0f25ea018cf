"""A zip rewritten with some members changed, framed as the program that wrote it framed it (xlsxvary.py)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Mapping

LEVEL = 6


def rezip(data: bytes, infos: list[zipfile.ZipInfo], changed: Mapping[str, bytes]) -> bytes:
    """`data` with the members named in `changed` holding new content: every other member's bytes (local
    header, data, data descriptor) copied as they are; a changed member keeps its local header (its sizes and
    checksum updated, or left zero when a data descriptor follows, which gets them) and its flags."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    central_start = struct.unpack_from("<L", data, data.rindex(b"PK\x05\x06") + 16)[0]
    bounds = [i.header_offset for i in ordered] + [central_start]
    out: list[bytes] = []
    offsets: dict[str, tuple[int, int, int, int]] = {}  # name -> (offset, crc, csize, size)
    pos = 0
    for k, info in enumerate(ordered):
        segment = data[bounds[k] : bounds[k + 1]]
        if info.filename in changed:
            segment, crc, csize, size = _member(data, info, changed[info.filename])
        else:
            crc, csize, size = info.CRC, info.compress_size, info.file_size
        offsets[info.filename] = (pos, crc, csize, size)
        out.append(segment)
        pos += len(segment)
    directory = _central(data, central_start, offsets)
    end_at = data.rindex(b"PK\x05\x06")
    end = bytearray(data[end_at:])
    struct.pack_into("<LL", end, 12, len(directory), pos)
    return b"".join([*out, directory, bytes(end)])


def _member(data: bytes, info: zipfile.ZipInfo, content: bytes) -> tuple[bytes, int, int, int]:
    off = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    header = bytearray(data[off : off + 30 + name_len + extra_len])
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    body = c.compress(content) + c.flush() if info.compress_type == zipfile.ZIP_DEFLATED else content
    crc, csize, size = zlib.crc32(content), len(body), len(content)
    if info.flag_bits & 0x08:
        return bytes(header) + body + struct.pack("<4sLLL", b"PK\x07\x08", crc, csize, size), crc, csize, size
    struct.pack_into("<LLL", header, 14, crc, csize, size)
    return bytes(header) + body, crc, csize, size


def _central(data: bytes, start: int, members: Mapping[str, tuple[int, int, int, int]]) -> bytes:
    """The central directory with each entry's checksum, sizes and offset updated, in its own order."""
    out, pos = [], start
    while data[pos : pos + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        length = 46 + name_len + extra_len + comment_len
        entry = bytearray(data[pos : pos + length])
        flags = struct.unpack_from("<H", entry, 8)[0]
        raw = bytes(entry[46 : 46 + name_len])
        name = raw.decode("utf-8" if flags & 0x800 else "cp437")
        offset, crc, csize, size = members[name]
        struct.pack_into("<LLL", entry, 16, crc, csize, size)
        struct.pack_into("<L", entry, 42, offset)
        out.append(bytes(entry))
        pos += length
    return b"".join(out)
