"""Texts kept in a temporary file instead of memory (`SpillFile`), read back a slice at a time (`StoredText`).

What a branch writes in its forms' text cells (完成情况, 存在问题: up to `read.limits`' 10,000 characters each, forty
per 附件2) is the one part of a record whose size is the branch's to decide. A province's collect held all of it
in the collecting process: a round of long answers grew that process by their whole length. Here the collect's
store of answer texts (`answers.TextStore`) writes each of its large strings to one temporary file as soon as it
is full, and keeps where it went: reading a text is reading its bytes back (`os.preadv`, or a seek and a read under
a lock where there is none), which forked helpers can do on the file they inherit. The file has no name (POSIX:
removed as soon as it is made) or goes when it is closed (Windows), also when the process is killed.

Each string is written in the narrowest fixed-width encoding its characters fit (Latin-1, UTF-16, UTF-32, as
Python keeps strings), so that character k of it is at byte k × width. A file that cannot be made or written
(a full disk, no temporary folder) is not an error: that string, and every one after it, stays in memory.
"""

from __future__ import annotations

import os
import tempfile
import threading
from typing import IO, Any

# a text read as one slice of its string covers the gaps between the texts asked for when they are this close
_GAP_CHARS = 4096


class SpillFile:
    """One temporary file strings are appended to (`put`). Made when the first string comes."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = directory
        self._file: IO[bytes] | None = None
        self._size = 0
        self._lock = threading.Lock()
        self._buffer = bytearray()  # what a read put in it is decoded before the next read (`text`)
        # why strings stay in memory: the file could not be made or written
        self.failed: OSError | None = None

    def put(self, text: str) -> str | StoredText:
        """`text` written to the file: where it went; `text` itself when it could not be written."""
        if self.failed is not None or not text:
            return text
        width, data = _encoded(text)
        try:
            with self._lock:
                file = self._file if self._file is not None else self._open()
                offset = self._size
                file.seek(offset)
                rest = memoryview(data)
                while rest:
                    rest = rest[file.write(rest) or 0 :]
                self._size += len(data)
        except OSError as exc:  # a full disk, no temporary folder: the rest stays in memory
            self.failed = exc
            return text
        return StoredText(self, offset, len(text), width)

    def _open(self) -> IO[bytes]:
        """The file, made: open for as long as the texts are read back (closed with this object); unbuffered, so
        that what is written is in the file at once, for any process to read."""
        self._file = tempfile.TemporaryFile(prefix="dangjian-texts-", dir=self.directory, buffering=0)  # noqa: SIM115
        return self._file

    def text(self, offset: int, size: int, width: int) -> str:
        """The text of the `size` bytes from `offset` (all of them: a short read is an error), read into this
        file's one buffer and decoded from there: no bytes object is made, and the buffer is used again by the
        next read (under the lock, as the file's position is where there is no `os.preadv`)."""
        assert self._file is not None
        with self._lock:
            if len(self._buffer) < size:
                self._buffer = bytearray(size)
            view = memoryview(self._buffer)[:size]
            if hasattr(os, "preadv"):
                got = os.preadv(self._file.fileno(), [view], offset)
            else:  # pragma: no cover - Windows: no preadv
                self._file.seek(offset)
                got = self._file.readinto(view) or 0  # type: ignore[attr-defined]
            if got != size:
                raise OSError(f"临时文件读取不完整：应为 {size} 字节，读到 {got} 字节")
            return str(view, _ENCODINGS[width], "surrogatepass")

    def close(self) -> None:
        """The file closed (and gone); the texts in it can no longer be read."""
        if self._file is not None:
            self._file.close()


class StoredText:
    """A string written to a `SpillFile`: sliced like the string (`text[a:b]` reads characters a..b back),
    `slices` reads many at once. It pickles as the string itself."""

    __slots__ = ("_file", "_length", "_offset", "_width")

    def __init__(self, file: SpillFile, offset: int, length: int, width: int) -> None:
        self._file, self._offset, self._length, self._width = file, offset, length, width

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, k: Any) -> str:
        if not isinstance(k, slice):
            k = range(self._length)[k]  # an IndexError out of range, as a string gives
            return self._chars(k, k + 1)
        start, stop, step = k.indices(self._length)
        if step != 1:
            return self._chars(0, self._length)[k]
        return self._chars(start, stop)

    def __str__(self) -> str:
        return self._chars(0, self._length)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return str, (str(self),)

    def __repr__(self) -> str:
        return f"StoredText({self._length} characters)"

    def slices(self, starts: Any, ends: Any) -> list[str]:
        """[self[a:b] for a, b in zip(starts, ends)] (sequences or arrays of offsets), reading the file once for
        texts close together."""
        import numpy as np  # loaded already wherever a table's column of texts is read

        starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
        out: list[str] = [""] * len(starts)
        if not len(starts):
            return out
        order = np.argsort(starts, kind="stable")
        lo, hi = starts[order], np.maximum.accumulate(ends[order])
        # where a run of texts close together ends
        cut = np.flatnonzero(lo[1:] - hi[:-1] > _GAP_CHARS).tolist()
        a, b = starts.tolist(), ends.tolist()
        for first, last in zip([0, *(c + 1 for c in cut)], [*(c + 1 for c in cut), len(a)], strict=True):
            base = int(lo[first])
            text = self._chars(base, int(hi[last - 1]))
            for k in order[first:last].tolist():
                out[k] = text[a[k] - base : b[k] - base]
        return out

    def _chars(self, start: int, stop: int) -> str:
        if stop <= start:
            return ""
        w = self._width
        return self._file.text(self._offset + start * w, (stop - start) * w, w)


_ENCODINGS = {1: "latin-1", 2: "utf-16-le", 4: "utf-32-le"}


def _encoded(text: str) -> tuple[int, bytes]:
    """(width, bytes): `text` in the narrowest fixed-width encoding its characters fit, 1, 2 or 4 bytes each.
    UTF-16 only for a text without surrogates (which a file's text never holds): it would read a pair of them
    back as one character."""
    try:
        return 1, text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    try:
        data = text.encode("utf-16-le")
        if len(data) == 2 * len(text):  # no character beyond U+FFFF (each would take two units)
            return 2, data
    except UnicodeEncodeError:  # a lone surrogate
        pass
    return 4, text.encode("utf-32-le", "surrogatepass")
