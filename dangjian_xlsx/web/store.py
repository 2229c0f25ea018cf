"""Files the clerk gives the page, stored as they came: a safe name (no folders, no Windows-reserved names, no
characters Windows refuses), never over an existing file (`名称（2）.xlsx`), the bytes unchanged."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..read import DEFAULT_LIMITS

# The largest file the page takes: what the reader would read of one file, and a zip or saved e-mail holding
# several such files (their members are read under the same limits).
MAX_UPLOAD_BYTES = DEFAULT_LIMITS.max_file_bytes * 5
MAX_NAME_CHARS = 120
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def safe_name(name: str, fallback: str = "文件") -> str:
    """`name` as one plain file name: the last part of any path, without characters Windows refuses or
    control characters, not a reserved device name, not hidden, at most MAX_NAME_CHARS characters (the
    extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name.replace("\\", "/")).name).name
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    name = _FORBIDDEN.sub("_", name).strip().strip(". ").lstrip("-")
    if not name:
        name = fallback
    if _RESERVED.match(name):
        name = f"_{name}"
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = name, ""
    room = MAX_NAME_CHARS - (len(ext) + 1 if ext else 0)
    return stem[:room] + (f".{ext}" if ext else "")


def store(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` under a safe form of `name` in `folder`, never replacing a file: a name already taken gets
    （2）, （3）… before its extension. The file is created exclusively, so two uploads at once cannot meet."""
    folder.mkdir(parents=True, exist_ok=True)
    base = safe_name(name)
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    for n in range(1, 10_000):
        candidate = folder / (base if n == 1 else f"{stem}（{n}）" + (f".{ext}" if ext else ""))
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except BaseException:
            candidate.unlink(missing_ok=True)
            raise
        return candidate
    raise FileExistsError(folder / base)
