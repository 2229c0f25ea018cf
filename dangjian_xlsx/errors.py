"""Exceptions that carry a Chinese message meant for the user, and the command line's exit codes.

Exit codes: 0 done; 1 done, but files were rejected (`collect --strict`) or a checked file has errors
(`check`); 2 a usage or configuration error, or a refused request (nothing written); 3 an unexpected
internal error (a log file holds the details); 4 an output could not be written (disk full, read-only, a
file in the way, a file open in Excel/WPS); 130 cancelled (Ctrl+C).
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_WRITE = 4
EXIT_CANCELLED = 130


class UserError(Exception):
    """An error the user can fix; the CLI prints its message without a traceback."""

    exit_code = EXIT_USAGE


class ConfigError(UserError):
    """Bad campaign, roster or catalog: nothing is written."""


class WriteError(UserError):
    """An output could not be written: says what, where and why, in Chinese."""

    exit_code = EXIT_WRITE


# errno → (why, what to do)
_WHY: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("磁盘空间不足", "请清理磁盘空间或换一个输出位置后重试"),
    errno.EDQUOT: ("磁盘配额已用完", "请清理空间或换一个输出位置后重试"),
    errno.EROFS: ("所在的磁盘或文件系统是只读的", "请换一个可以写入的输出位置"),
    errno.EACCES: ("没有写入权限，或文件正在 Excel/WPS 中打开", "请关闭该文件、检查权限后重试"),
    errno.EPERM: ("没有写入权限，或文件正在 Excel/WPS 中打开", "请关闭该文件、检查权限后重试"),
    errno.ENOTDIR: ("路径中有一段是文件而不是文件夹", "请检查路径，或换一个输出位置"),
    errno.EISDIR: ("这里已有一个同名的文件夹", "请移走该文件夹，或换一个输出位置"),
    errno.EEXIST: ("这里已有一个同名的文件或文件夹", "请移走它，或换一个输出位置"),
    errno.ENOTEMPTY: ("这里已有一个同名的文件夹且不是空的", "请移走该文件夹，或换一个输出位置"),
    errno.ENAMETOOLONG: ("路径或文件名太长", "请换一个较短的输出路径"),
    errno.EBUSY: ("文件正被其他程序占用", "请关闭占用它的程序后重试"),
    errno.ETXTBSY: ("文件正被其他程序占用", "请关闭占用它的程序后重试"),
    errno.EIO: ("磁盘读写出错", "请检查磁盘或换一个输出位置后重试"),
    errno.ENOENT: ("路径中的文件夹不存在或已被移走", "请检查路径后重试"),
    errno.EMLINK: ("文件夹中的项目太多", "请换一个输出位置"),
    errno.EFBIG: ("文件超过了文件系统允许的大小", "请换一个输出位置"),
}


def os_reason(exc: OSError) -> tuple[str, str]:
    """(why, what to do) of an OSError, in Chinese; an unknown error keeps the system's own words."""
    known = _WHY.get(exc.errno or 0)
    if known:
        return known
    said = exc.strerror or type(exc).__name__
    return f"系统错误：{said}（错误码 {exc.errno}）", "请检查输出位置后重试"


_TEMP = re.compile(r"^\.(.+)\.\d+\.[A-Za-z0-9_]+\.part$")  # atomic.py's temporary files


def _target(path: Path) -> Path:
    """The file a temporary file of `atomic.py` was being written for (the path itself otherwise)."""
    m = _TEMP.match(path.name)
    return path.with_name(m.group(1)) if m else path


def blocking_file(path: Path) -> Path | None:
    """The first part of `path` (itself or a folder above it) that exists and is not a folder."""
    for p in (path, *path.parents):
        if os.path.lexists(p):
            return None if p.is_dir() else p
    return None


def write_error(exc: OSError, where: Path | str, what: str = "", *, exact: bool = False) -> WriteError:
    """A WriteError naming `where` (the output being written; the OSError's own path when it names one and
    not `exact`) and why, in Chinese. `what`: a sentence added at the end (e.g. that the previous outputs are
    unchanged)."""
    path = exc.filename if exc.filename is not None and not exact else where
    shown = _target(Path(os.fsdecode(path)) if isinstance(path, bytes) else Path(path))
    why, todo = os_reason(exc)
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = blocking_file(Path(os.fsdecode(exc.filename)) if exc.filename is not None else shown)
        if blocker is not None and blocker != shown:
            why = f"{blocker} 是文件而不是文件夹"
    text = f"无法写入 {shown}：{why}。{todo}"
    return WriteError(f"{text}。{what}" if what else text)


@contextmanager
def writing(where: Path | str, what: str = "", *, exact: bool = False) -> Iterator[None]:
    """Turn an OSError raised while writing `where` into a WriteError (see `write_error`)."""
    try:
        yield
    except OSError as exc:
        raise write_error(exc, where, what, exact=exact) from exc
