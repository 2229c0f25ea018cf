"""The previous outputs, kept before they are replaced: one generation, beside them, named `上次` (last time).

A file `汇总表.xlsx` is kept as `汇总表.上次.xlsx` (its exports as those of `汇总表.上次.xlsx`: the caller
pairs them); a folder `退回修改/` as `退回修改.上次/`, a copy of everything in it. A kept file is written
atomically, and a kept folder is filled under a temporary name and renamed into place, so a failure never
leaves half a previous set. The originals are only read: they are replaced later, atomically, by their writers.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from .atomic import staged

PREVIOUS_TAG = "上次"


def previous_file(path: Path) -> Path:
    """`汇总表.xlsx` → `汇总表.上次.xlsx`."""
    path = Path(path)
    return path.with_name(f"{path.stem}.{PREVIOUS_TAG}{path.suffix}")


def previous_folder(folder: Path) -> Path:
    """`退回修改` → `退回修改.上次`."""
    folder = Path(folder)
    return folder.with_name(f"{folder.name}.{PREVIOUS_TAG}")


def keep_files(pairs: Iterable[tuple[Path, Path]]) -> list[Path]:
    """Copy each existing `src` to its `dest` (atomically). A `dest` whose `src` is not there is removed, so
    that the kept files are all of one run. Returns the files kept."""
    kept: list[Path] = []
    for src, dest in pairs:
        if not Path(src).is_file():
            Path(dest).unlink(missing_ok=True)
            continue
        with staged([Path(dest)]) as (tmp,):
            shutil.copyfile(src, tmp)
            _fsync(tmp)
        kept.append(Path(dest))
    return kept


def keep_folder(folder: Path) -> Path | None:
    """Copy the folder, when it holds anything, to `<folder>.上次` (replacing the one kept before). Returns the
    kept folder, or None when there was nothing to keep."""
    folder = Path(folder)
    try:
        if not folder.is_dir() or not any(folder.iterdir()):
            return None
    except OSError:
        return None
    dest = previous_folder(folder)
    _sweep(dest)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    old = dest.with_name(f".{dest.name}.{os.getpid()}.old")
    try:
        shutil.copytree(folder, tmp, ignore=shutil.ignore_patterns(".*.part"))
        if dest.exists():
            os.rename(dest, old)
        os.rename(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return dest


def _sweep(dest: Path) -> None:
    """Remove what an interrupted `keep_folder` of `dest` left (its temporary and replaced copies)."""
    prefix = f".{dest.name}."
    try:
        leftovers = [p for p in dest.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return
    for p in leftovers:
        if p.is_dir() and p.name.endswith((".tmp", ".old")):
            shutil.rmtree(p, ignore_errors=True)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())
