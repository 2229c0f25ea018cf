"""The inbox: every entry collect must account for, the names shown for them, and names skipped unread."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .. import ownfiles
from ..errors import UserError
from ..visible import visible
from . import containers

SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})


GBK_MARK = "（GBK）"  # after a name shown decoded as GBK: never the same as a UTF-8 name's


def display_name(name: str) -> str:
    """A file name as read for its meaning (suffix, the names in it). Names that are not UTF-8 on disk
    (os.fsdecode keeps their bytes as surrogates) are decoded as GBK when that works (Windows zip archives),
    else their undecodable bytes are written as visible escapes (\\xff)."""
    return _decoded(name)[0]


def shown_name(name: str) -> str:
    """A file name as the user sees it: `display_name`, marked (GBK_MARK) when it was decoded as GBK, so
    that a GBK name and a UTF-8 name of the same text never show as the same path."""
    text, gbk = _decoded(name)
    return text + GBK_MARK if gbk else text


def _decoded(name: str) -> tuple[str, bool]:
    """(the name's text, whether it was decoded as GBK)."""
    try:
        name.encode("utf-8")
        return name, False
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("gbk"), True
        except UnicodeDecodeError:
            return raw.decode("utf-8", "backslashreplace"), False


def rel_path(path: Path, inbox: Path) -> str:
    """The path relative to the inbox, POSIX separators, printable (`shown_name` of each part)."""
    full, root = os.fsdecode(path), os.fsdecode(inbox)
    head = root if root.endswith(os.sep) else root + os.sep
    under = root and full.startswith(head) and os.path.isabs(root) == os.path.isabs(full)
    rest = full[len(head) :] if under else ""
    parts = rest.split(os.sep)
    # a path under the inbox as listed (plain names under it): what relpath would say, without its work
    if not rest or (os.altsep and os.altsep in rest) or any(p in _NOT_NAMES for p in parts):
        parts = os.path.relpath(full, root).split(os.sep)
    return "/".join(shown_name(p) for p in parts)


_NOT_NAMES = frozenset({"", ".", ".."})


_NOT_FOLDERS = (
    (stat.S_ISFIFO, "命名管道（FIFO）"),
    (stat.S_ISSOCK, "套接字"),
    (stat.S_ISCHR, "设备文件"),
    (stat.S_ISBLK, "设备文件"),
    (stat.S_ISREG, "文件"),
)


def check_inbox(inbox: Path) -> None:
    """UserError when the inbox exists but is not a folder (a FIFO, a device, a file): nothing is read
    from it (opening a FIFO would wait for a writer forever)."""
    try:
        st = os.stat(inbox)
    except OSError:
        return  # gone or unreachable: discover lists it as an entry that cannot be read
    if stat.S_ISDIR(st.st_mode):
        return
    kind = next((what for test, what in _NOT_FOLDERS if test(st.st_mode)), "不是文件夹的对象")
    raise UserError(f"收件文件夹 {os.fsdecode(inbox)} 不是文件夹，而是{kind}；请指定存放交回文件的文件夹")


def discover(inbox: Path) -> list[Path | containers.Entry]:
    """Every entry under the inbox that collect must account for, sorted by relative path.

    Files (including symlinks to anything) are listed; directories are walked without following symlinks.
    Hidden directories, symlinked directories and the tool's own output folders (recognised by the marker
    file inside, `ownfiles.is_output_folder`) are listed as one entry each and not entered (they are
    reported as ignored); directories that cannot be listed are listed too (reported as unreadable).
    Anything that is not a directory or a regular file (a FIFO, a socket, a device) is listed, never opened
    (classify ignores it). An inbox that is not a folder is refused (`check_inbox`). A regular file that
    is an archive or a saved e-mail is followed by an entry for each of its members (`containers.expand`).
    """
    inbox = Path(inbox)
    check_inbox(inbox)
    found: list[Path] = []

    def onerror(exc: OSError) -> None:
        if exc.filename is not None:
            found.append(Path(os.fsdecode(exc.filename)))

    for root, dirs, files in os.walk(inbox, onerror=onerror, followlinks=False):
        keep = []
        for d in dirs:
            full = os.path.join(root, d)
            if d.startswith(".") or os.path.islink(full) or ownfiles.is_output_folder(Path(full)):
                found.append(Path(full))
            else:
                keep.append(d)
        dirs[:] = sorted(keep)
        found.extend(Path(root, f) for f in files)
    seen: set[str] = set()
    out: list[Path | containers.Entry] = []
    shown: set[str] = set()
    for p in sorted(found, key=lambda p: rel_path(p, inbox).split("/")):
        key = os.fsdecode(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
            if containers.kind(display_name(p.name)) and not ignore_reason(display_name(p.name)):
                rel = visible(rel_path(p, inbox), newlines=False)
                out.extend(containers.expand(p, rel, rel_path(p, inbox), shown))
    return out


def inbox_members(inbox: Path) -> dict[str, containers.Entry]:
    """Every member of the inbox's archives and e-mails by the path collect shows for it (the corrected
    copy of a form that came in an archive is prefilled from it, re-opened there)."""
    return {visible(e.shown, newlines=False): e for e in discover(inbox) if isinstance(e, containers.Entry)}


def ignore_reason(name: str) -> str:
    """Why a file name is skipped without reading it, or ''."""
    if name.startswith("~$"):
        return "Office 临时锁定文件（~$ 开头）"
    if name.startswith(".~lock."):
        return "LibreOffice 临时锁定文件"
    if name.startswith("."):
        return "隐藏文件"
    if name.lower() in SYSTEM_FILES:
        return "系统文件"
    return ""
