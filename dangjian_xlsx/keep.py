"""The previous outputs, kept when they are replaced: one generation, beside them, named `上次` (last time).

A file `汇总表.xlsx` is kept as `汇总表.上次.xlsx` (its exports as those of `汇总表.上次.xlsx`: the caller
pairs them); a folder `退回修改/` as `退回修改.上次/`. The output set's commit (`outset.py`) renames the
previous version to its kept name just before the new one is renamed into place, replacing the one kept
before; the kept versions are thus all of one run.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .atomic import stale_pid

PREVIOUS_TAG = "上次"

# what an earlier version's copy of a kept folder left when it was killed: `.退回修改.上次.<pid>.tmp`/`.old`
_LEFTOVER = re.compile(rf"^\..+\.{PREVIOUS_TAG}\.(\d+)\.(tmp|old)$")


def previous_file(path: Path) -> Path:
    """`汇总表.xlsx` → `汇总表.上次.xlsx`."""
    path = Path(path)
    return path.with_name(f"{path.stem}.{PREVIOUS_TAG}{path.suffix}")


def previous_folder(folder: Path) -> Path:
    """`退回修改` → `退回修改.上次`."""
    folder = Path(folder)
    return folder.with_name(f"{folder.name}.{PREVIOUS_TAG}")


def sweep_kept_leftovers(folder: Path) -> list[Path]:
    """Remove the half-made copies of kept folders that killed runs of earlier versions left in `folder`."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        m = _LEFTOVER.match(e.name)
        if m and e.is_dir(follow_symlinks=False) and stale_pid(int(m.group(1)), e):
            shutil.rmtree(e.path, ignore_errors=True)
            removed.append(Path(e.path))
    return removed
