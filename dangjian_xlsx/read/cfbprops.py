"""Two properties of a compound file's SummaryInformation stream (MS-OLEPS), read with bounds: when it was last
saved (.xls) and which program made it (.doc/.wps sniffing).

olefile's own `get_metadata` follows counts the file declares (a vector of 4 billion values is a loop of 4
billion steps, pure Python): on a hostile file it does not return. Here only the first section is read, at
most `_MAX_PROPERTIES` entries of it, each value checked against the stream's length.
"""

from __future__ import annotations

import datetime as dt
import struct
from typing import Any

SUMMARY = "\x05SummaryInformation"
APP_NAME, LAST_SAVED = 18, 13  # PIDSI_APPNAME, PIDSI_LASTSAVE_DTM
_VT_LPSTR, _VT_FILETIME = 30, 64
_MAX_STREAM = 256 * 1024
_MAX_PROPERTIES = 1024
_FILETIME_EPOCH = dt.datetime(1601, 1, 1)


def summary_property(ole: Any, pid: int) -> str | dt.datetime | None:
    """Property `pid` (LAST_SAVED: a naive datetime; APP_NAME: text) of an open olefile's SummaryInformation;
    None when it is absent, of another type or out of bounds. Never raises for what the file holds."""
    try:
        if not ole.exists(SUMMARY):
            return None
        with ole.openstream(SUMMARY) as fp:
            s = fp.read(_MAX_STREAM)
        return _property(s, pid)
    except Exception:
        return None


def _u32(s: bytes, off: int) -> int:
    return int(struct.unpack_from("<I", s, off)[0])


def _property(s: bytes, pid: int) -> str | dt.datetime | None:
    if len(s) < 48 or _u32(s, 24) < 1:  # header, then at least one (FMTID, offset) pair
        return None
    section = _u32(s, 44)
    if section + 8 > len(s):
        return None
    count = min(_u32(s, section + 4), _MAX_PROPERTIES, (len(s) - section - 8) // 8)
    for k in range(count):
        at = section + 8 + 8 * k
        if _u32(s, at) == pid:
            return _value(s, section + _u32(s, at + 4))
    return None


def _value(s: bytes, at: int) -> str | dt.datetime | None:
    if at + 8 > len(s):
        return None
    vt = _u32(s, at)
    if vt == _VT_FILETIME and at + 12 <= len(s):
        ticks = struct.unpack_from("<Q", s, at + 4)[0]
        try:
            return _FILETIME_EPOCH + dt.timedelta(microseconds=ticks // 10)
        except OverflowError:
            return None
    if vt == _VT_LPSTR:
        n = _u32(s, at + 4)
        if at + 8 + n > len(s):
            return None
        return s[at + 8 : at + 8 + n].split(b"\x00", 1)[0].decode("latin-1")
    return None
