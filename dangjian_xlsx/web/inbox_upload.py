"""One file the clerk gives the 收件 page: its name made one safe name (the folders it was dropped in kept
in front, since a folder's name also tells whose file it is), refused above the upload limit, not stored a
second time when the same bytes are already in 收件/, else stored there as it came (`store.store`)."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from . import store

CHUNK = 1 << 20
# one upload at a time checks for its twin and stores: two tabs sending the same file store it once
_STORING = threading.Lock()


@dataclass(frozen=True)
class Stored:
    """What became of one uploaded file: `name` in 收件/ (new, or the twin already there), or `error`."""

    sent: str
    name: str = ""
    duplicate: bool = False
    error: str = ""
    status: int = 200  # the HTTP status the page answers with

    def as_dict(self) -> dict[str, object]:
        return {"sent": self.sent, "name": self.name, "duplicate": self.duplicate, "error": self.error}


def upload_name(sent: str) -> str:
    """The name a file is stored under: the parts of the path it came with (`体育学院/自查报告.docx` from a
    dropped folder) joined by _, without '..' or empty parts, made safe by `store.safe_name`."""
    parts = [p for p in sent.replace("\\", "/").split("/") if p.strip() not in ("", ".", "..")]
    return store.safe_name("_".join(parts))


def megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB"


def too_big_text(name: str, size: int | None = None) -> str:
    """Why a file over the limit was not stored, naming the file (its size when known)."""
    limit = megabytes(store.MAX_UPLOAD_BYTES)
    has = f"有 {megabytes(size)}，" if size is not None else ""
    return (
        f"“{name}”{has}超过了收件的上限 {limit}（汇总也读不了这么大的文件），没有保存。"
        "请确认是否选错了文件；如果是对方的材料，请对方删去表格中的图片或分开压缩后重新发送。"
    )


def read_limited(stream: BinaryIO, sent: str) -> bytes | Stored:
    """The uploaded bytes, or the refusal when there are more than the limit."""
    limit = store.MAX_UPLOAD_BYTES
    chunks, total = [], 0
    while chunk := stream.read(CHUNK):
        total += len(chunk)
        if total > limit:
            return Stored(sent, error=too_big_text(sent), status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def twin(inbox: Path, data: bytes) -> str | None:
    """The inbox file (path inside it, / separators) holding exactly `data`, if any: sizes compared first,
    only files of the same size read."""
    digest: str | None = None
    for dirpath, dirnames, filenames in os.walk(inbox):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            try:
                if path.stat().st_size != len(data) or path.is_symlink():
                    continue
                digest = digest or hashlib.sha256(data).hexdigest()
                if _sha256(path) == digest:
                    return path.relative_to(inbox).as_posix()
            except OSError:
                continue
    return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def receive(inbox: Path, sent: str, stream: BinaryIO) -> Stored:
    """Store one uploaded file in `inbox` (see the module's text)."""
    data = read_limited(stream, sent)
    if isinstance(data, Stored):
        return data
    with _STORING:
        existing = twin(inbox, data)
        if existing is not None:
            return Stored(sent, name=existing, duplicate=True)
        try:
            path = store.store(inbox, upload_name(sent), data)
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            text = f"“{sent}”没有保存（{why}）：请确认磁盘有空间、收件文件夹 {inbox} 可以写入后重新上传。"
            return Stored(sent, error=text, status=500)
    return Stored(sent, name=path.name)
