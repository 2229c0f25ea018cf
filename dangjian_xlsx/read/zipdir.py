"""The central directory of a plain zip, read with struct: no zipfile objects for the common case.

`plain_members(data)` lists every member of a zip that has one central directory at the very end (no
comment, no zip64, no spanning), unencrypted, stored or deflated, ASCII names, no duplicates, each local
header where the directory says; None for anything else (the callers then use zipfile, which also words the
errors). Nothing is kept between calls: whoever parses a file's directory hands it on (the reader parses it
once and gives it to both sniffing and the safety pass). The reader's limits on declared sizes are not
checked here: `scan.zip_members` checks them once, on whichever directory it got. `inflate` gives a
member's bytes, never more than its declared size, CRC checked; None when they do not match what the
directory declares.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from ..ooxml import zlib

_EOCD = struct.Struct("<4s4H2LH")
_CDH = struct.Struct("<4s6H3L5H2L")
_LOCAL_NAME = struct.Struct("<HH")


class Member(NamedTuple):
    offset: int  # of the member's local header
    start: int  # of the member's data
    csize: int
    usize: int
    crc: int
    method: int  # 0 stored, 8 deflated


Directory = Mapping[str, Member]  # a plain zip's members by name, in the directory's order (read-only)


def plain_members(data: bytes) -> Directory | None:
    """Member name → Member for a plain zip (see the module doc), else None; parsed afresh on every call."""
    members = _parse(data)
    return MappingProxyType(members) if members is not None else None


def _parse(data: bytes) -> dict[str, Member] | None:
    end = len(data) - 22
    if end < 0 or data[end : end + 4] != b"PK\x05\x06":
        return None  # a trailing comment, zip64 or not a zip at all
    _sig, disk, cd_disk, n_here, n, cd_size, cd_off, comment = _EOCD.unpack_from(data, end)
    if disk or cd_disk or n_here != n or comment or cd_off + cd_size != end:
        return None
    members: dict[str, Member] = {}
    pos = cd_off
    try:
        for _ in range(n):
            (
                sig,
                _vm,
                _vn,
                flags,
                method,
                _t,
                _d,
                crc,
                csize,
                usize,
                nlen,
                elen,
                clen,
                _dk,
                _ia,
                _ea,
                off,
            ) = _CDH.unpack_from(data, pos)
            raw_name = data[pos + 46 : pos + 46 + nlen]
            pos += 46 + nlen + elen + clen
            if sig != b"PK\x01\x02" or flags & 0x1 or method not in (0, 8) or not raw_name.isascii():
                return None
            name = raw_name.decode("ascii")
            if name in members or data[off : off + 4] != b"PK\x03\x04":
                return None
            lnlen, lelen = _LOCAL_NAME.unpack_from(data, off + 26)
            start = off + 30 + lnlen + lelen
            if data[off + 30 : off + 30 + lnlen] != raw_name or start + csize > cd_off:
                return None
            members[name] = Member(off, start, csize, usize, crc, method)
    except struct.error:
        return None
    if pos != end:
        return None
    return members


def inflate(data: bytes, m: Member) -> bytes | None:
    """The member's bytes: at most its declared size is ever produced (a lying member cannot inflate)."""
    src = memoryview(data)[m.start : m.start + m.csize]
    if m.method == 8:
        d = zlib.decompressobj(-15)
        try:
            out = d.decompress(src, m.usize)
        except zlib.error:
            return None
        if not d.eof or d.unconsumed_tail:
            return None
    else:
        out = bytes(src)
    if len(out) != m.usize or zlib.crc32(out) != m.crc:
        return None
    return out
