"""The inbox: every entry collect must account for, the names shown for them, and names skipped unread."""

from __future__ import annotations

import os
from pathlib import Path

from .. import ownfiles

SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})


def display_name(name: str) -> str:
    """A file name as the user should see it. Names that are not UTF-8 on disk (os.fsdecode keeps their
    bytes as surrogates) are shown decoded as GBK when that works (Windows zip archives), else with U+FFFD."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("gbk")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def rel_path(path: Path, inbox: Path) -> str:
    """The path relative to the inbox, POSIX separators, printable."""
    rel = os.path.relpath(os.fsdecode(path), os.fsdecode(inbox))
    return "/".join(display_name(p) for p in rel.split(os.sep))


def discover(inbox: Path) -> list[Path]:
    """Every entry under the inbox that collect must account for, sorted by relative path.

    Files (including symlinks to anything) are listed; directories are walked without following symlinks.
    Hidden directories, symlinked directories and the tool's own output folders (recognised by the marker
    file inside, `ownfiles.is_output_folder`) are listed as one entry each and not entered (they are
    reported as ignored); directories that cannot be listed are listed too (reported as unreadable).
    """
    inbox = Path(inbox)
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
    out: list[Path] = []
    for p in sorted(found, key=lambda p: rel_path(p, inbox).split("/")):
        key = os.fsdecode(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


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
