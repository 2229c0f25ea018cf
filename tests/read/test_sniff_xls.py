""".xls sniffing: whether a workbook is encrypted (FILEPASS) is read from the compound file already open, with
msoffcrypto's answer on every shape of Workbook stream, and msoffcrypto itself asked only for what it would
not read as an .xls (issue 20: it opened each .xls twice more and walked its records in Python)."""

from __future__ import annotations

import io
import struct

import msoffcrypto
import pytest
from hostile_corpus import biff_record, make_cfb, make_xls

from dangjian_xlsx.read import sniff

CELLS = [(0, 0, "附件1"), (1, 4, 2.0)]
BOF = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
EOF = biff_record(0x000A, b"")


def _filepass(kind: int, rest: bytes = bytes(52)) -> bytes:
    return biff_record(0x002F, struct.pack("<H", kind) + rest)


def _msoffcrypto_says(data: bytes) -> bool:
    try:
        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:
        return False


STREAMS = {
    "plain": make_xls([("评分表", 0, CELLS)]),
    "xor": make_xls([("评分表", 0, CELLS)], globals_extra=_filepass(0)),
    "rc4": make_xls([("评分表", 0, CELLS)], globals_extra=_filepass(1)),
    "unknown-kind": make_xls([("评分表", 0, CELLS)], globals_extra=_filepass(2)),
    "after-eof": make_cfb({"Workbook": BOF + EOF + _filepass(1)}),
    "empty-filepass": make_cfb({"Workbook": BOF + biff_record(0x002F, b"") + b"\x01\x00\x00\x00"}),
    "filepass-cut-short": make_cfb({"Workbook": BOF + b"\x2f\x00\xff\xff\x01\x00"}),
    "no-bof": make_cfb({"Workbook": _filepass(1) + EOF}),
    "bof-overrunning": make_cfb({"Workbook": b"\x09\x08\xff\xff" + _filepass(1)}),
    "tiny": make_cfb({"Workbook": b"\x09\x08"}),
    "word-and-workbook": make_cfb({"WordDocument": bytes(64), "Workbook": BOF + _filepass(1) + EOF}),
    "encryption-info": make_cfb({"EncryptionInfo": bytes(64), "Workbook": BOF + _filepass(1) + EOF}),
}


@pytest.mark.parametrize("name", list(STREAMS))
def test_encrypted_as_msoffcrypto_says(name: str) -> None:
    data = STREAMS[name]
    encrypted = sniff(data) == "encrypted"
    assert encrypted == _msoffcrypto_says(data)
    if name in ("xor", "rc4"):
        assert encrypted
    if name in ("plain", "unknown-kind", "after-eof", "no-bof"):
        assert not encrypted


def test_an_xls_is_sniffed_without_msoffcrypto(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("msoffcrypto asked")

    monkeypatch.setattr(msoffcrypto, "OfficeFile", refuse)
    assert sniff(STREAMS["plain"]) == "xls"
    assert sniff(STREAMS["rc4"]) == "encrypted"
    assert sniff(STREAMS["xor"]) == "encrypted"
