"""zipwrite: members copied as they are or deflated from pieces on threads — a zip every reader accepts."""

from __future__ import annotations

import io
import random
import subprocess
import threading
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from dangjian_xlsx.ooxml import zipwrite
from dangjian_xlsx.ooxml.zipwrite import ZipWriter


def _source() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>" * 50)
        info = zipfile.ZipInfo("xl/工作表.xml", (2018, 9, 30, 12, 34, 56))
        info.external_attr = 0o600 << 16
        z.writestr(info, "<x>中文</x>".encode() * 100, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("stored.bin"), bytes(range(256)), compress_type=zipfile.ZIP_STORED)
    return buf.getvalue()


def _pieces(seed: int, n: int, size: int) -> list[bytes]:
    rng = random.Random(seed)
    words = [f'<c r="A{k}" t="inlineStr"><is><t>第{k}党总支 得分 {k * 1.5}</t></is></c>' for k in range(200)]
    return ["".join(rng.choice(words) for _ in range(size // 40)).encode() for _ in range(n)]


def _write(src: bytes, pieces: list[bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(src)) as z, ZipWriter() as out:
        infos = z.infolist()
        out.copy(src, infos[0])
        out.deflate(infos[1], pieces)
        out.copy(src, infos[2])
        return out.getvalue()


def test_copied_and_deflated_members_read_back() -> None:
    src = _source()
    pieces = [b"", *_pieces(1, 9, 50_000), b""]
    data = _write(src, pieces)
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(io.BytesIO(src)) as s:
        assert z.testzip() is None  # every CRC right
        assert [i.filename for i in z.infolist()] == [i.filename for i in s.infolist()]
        a, b = z.infolist(), s.infolist()
        assert z.read(a[0]) == s.read(b[0]) and z.read(a[2]) == s.read(b[2])
        assert z.read(a[1]) == b"".join(pieces)
        assert a[0].compress_type == zipfile.ZIP_DEFLATED and a[2].compress_type == zipfile.ZIP_STORED
        assert a[1].compress_type == zipfile.ZIP_DEFLATED
        assert (a[1].date_time, a[1].external_attr) == (b[1].date_time, b[1].external_attr)
        assert a[1].flag_bits & 0x800  # a UTF-8 name is marked as such
    assert subprocess.run(["unzip", "-tq", "/dev/stdin"], input=data, capture_output=True).returncode in (
        0,
        9,
    )


def test_unzip_tool_accepts_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "w.zip"
    path.write_bytes(_write(_source(), _pieces(2, 5, 30_000)))
    try:
        done = subprocess.run(["unzip", "-tq", str(path)], capture_output=True, text=True)
    except FileNotFoundError:
        pytest.skip("no unzip program")
    assert done.returncode == 0, done.stdout + done.stderr


def test_pieces_compress_like_one_stream() -> None:
    """Each piece is primed with the one before: pieces of repetitive XML (~36 KB each) compress about as
    well as one stream (unprimed, each piece would start from nothing: ~50 % larger)."""
    pieces = _pieces(3, 50, 20_000)
    whole = b"".join(pieces)
    one = zlib.compressobj(6, zlib.DEFLATED, -15)
    single = len(one.compress(whole) + one.flush())
    data = _write(_source(), pieces)
    size = zipfile.ZipFile(io.BytesIO(data)).infolist()[1].compress_size
    unprimed = sum(len(zipwrite._compress(p, b"")) for p in pieces)
    assert size < 1.05 * single
    assert unprimed > 1.3 * size


def test_same_pieces_same_bytes_and_no_thread_left() -> None:
    before = threading.active_count()
    a = _write(_source(), _pieces(4, 12, 20_000))
    b = _write(_source(), _pieces(4, 12, 20_000))
    assert a == b
    assert threading.active_count() == before  # forking helpers later needs a single thread


def test_a_failing_piece_source_stops_cleanly() -> None:
    before = threading.active_count()

    def pieces():  # type: ignore[no-untyped-def]
        yield from _pieces(5, 6, 20_000)
        raise RuntimeError("render failed")

    src = _source()
    with (
        pytest.raises(RuntimeError, match="render failed"),
        zipfile.ZipFile(io.BytesIO(src)) as z,
        ZipWriter() as out,
    ):
        out.deflate(z.infolist()[1], pieces())
    assert threading.active_count() == before


def test_a_member_still_compressing_does_not_hold_up_the_next(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`deflate` returns while its last pieces are still compressing (the caller renders the next member
    meanwhile); `getvalue` waits for them."""
    gate = threading.Event()
    real = zipwrite._compress

    def held(piece: bytes, primer: bytes) -> bytes:
        gate.wait(10)
        return real(piece, primer)

    monkeypatch.setattr(zipwrite, "_compress", held)
    src = _source()
    pieces = _pieces(6, zipwrite._IN_FLIGHT - 1, 20_000)
    with zipfile.ZipFile(io.BytesIO(src)) as z, ZipWriter() as out:
        infos = z.infolist()
        returned = threading.Event()
        t = threading.Thread(target=lambda: (out.deflate(infos[1], pieces), returned.set()))
        t.start()
        assert returned.wait(5), "deflate waited for its pieces to be compressed"
        t.join()
        out.copy(src, infos[2])
        gate.set()
        data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert z.read(infos[1].filename) == b"".join(pieces)


def test_pieces_held_at_a_time_are_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Over several members, never more than _IN_FLIGHT pieces are waiting or compressing at a time: with the
    first compressions held back a moment, the writer stops at exactly that many."""
    lock = threading.Lock()
    pending = [0, 0]  # now, most
    gate = threading.Event()
    real = zipwrite._compress

    def counted(piece: bytes, primer: bytes) -> bytes:
        gate.wait(10)
        try:
            return real(piece, primer)
        finally:
            with lock:
                pending[0] -= 1

    class Pool(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            with lock:
                pending[0] += 1
                pending[1] = max(pending)
            return super().submit(counted, *args, **kwargs)

    monkeypatch.setattr(zipwrite, "ThreadPoolExecutor", Pool)
    opener = threading.Timer(0.3, gate.set)
    opener.start()
    src = _source()
    with zipfile.ZipFile(io.BytesIO(src)) as z, ZipWriter() as out:
        for _ in range(3):
            out.deflate(z.infolist()[1], _pieces(7, 10, 20_000))
        data = out.getvalue()
    opener.join()
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    assert pending == [0, zipwrite._IN_FLIGHT]


def test_put_deflates_a_small_member_in_this_thread() -> None:
    before = threading.active_count()
    src = _source()
    with zipfile.ZipFile(io.BytesIO(src)) as z, ZipWriter() as out:
        infos = z.infolist()
        out.put(infos[1], "<x>更正</x>".encode() * 300)
        out.copy(src, infos[2])
        assert threading.active_count() == before  # no pool started for it
        data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        a = z.infolist()[0]
        assert a.compress_type == zipfile.ZIP_DEFLATED and a.compress_size < a.file_size // 10
        assert z.read(a) == "<x>更正</x>".encode() * 300 and z.read(infos[2].filename) == bytes(range(256))
