"""zipwrite: members copied as they are or deflated from pieces on threads — a zip every reader accepts."""

from __future__ import annotations

import io
import random
import subprocess
import threading
import zipfile

import pytest

from dangjian_xlsx.ooxml import ZipWriter


def _source() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        # every member dated: a name alone is dated now, and two sources made across a second would differ
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", (2018, 9, 30, 12, 34, 50)), b"<Types/>" * 50,
                   compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
        info = zipfile.ZipInfo("xl/工作表.xml", (2018, 9, 30, 12, 34, 56))
        info.external_attr = 0o600 << 16
        z.writestr(info, "<x>中文</x>".encode() * 100, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("stored.bin"), bytes(range(256)), compress_type=zipfile.ZIP_STORED)
    return buf.getvalue()


def _pieces(seed: int, n: int, size: int) -> list[bytes]:
    rng = random.Random(seed)
    words = [f'<c r="A{k}" t="inlineStr"><is><t>第{k}党总支 得分 {k * 1.5}</t></is></c>' for k in range(200)]
    return ["".join(rng.choice(words) for _ in range(size // 40)).encode() for _ in range(n)]


def _write(src: bytes, pieces: list[bytes], level: int | None = None) -> bytes:
    with zipfile.ZipFile(io.BytesIO(src)) as z, ZipWriter() if level is None else ZipWriter(level) as out:
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


def test_pieces_deflate_as_one_standard_zlib_stream() -> None:
    """A member deflated from pieces holds exactly the standard zlib's one-stream deflate of the pieces joined
    (what makes the summary's bytes the same with and without zlib-ng)."""
    import zlib as std

    pieces = _pieces(3, 50, 20_000)
    one = std.compressobj(6, std.DEFLATED, -15)
    expected = one.compress(b"".join(pieces)) + one.flush()
    data = _write(_source(), pieces)
    info = zipfile.ZipFile(io.BytesIO(data)).infolist()[1]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    assert data[start : start + info.compress_size] == expected


def member_data(data: bytes, k: int) -> bytes:
    """The compressed data of member k of a zip, as it stands in the file."""
    info = zipfile.ZipFile(io.BytesIO(data)).infolist()[k]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    return data[start : start + info.compress_size]


@pytest.mark.parametrize("level", [1, 4])
def test_a_writer_deflates_at_its_own_level(level: int) -> None:
    """`ZipWriter(level)` deflates at that standard zlib level (the summary's spliced sheets at 4), the same
    pieces to the same bytes; the default stays zlib's 6."""
    import zlib as std

    pieces = _pieces(3, 50, 20_000)
    one = std.compressobj(level, std.DEFLATED, -15)
    assert member_data(_write(_source(), pieces, level), 1) == one.compress(b"".join(pieces)) + one.flush()
    assert _write(_source(), pieces, level) == _write(_source(), pieces, level)
    assert _write(_source(), pieces, 6) == _write(_source(), pieces)


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
