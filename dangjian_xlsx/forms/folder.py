"""The folder `generate` writes into: forms of an earlier run (another round, another roster) left there would
be sent out with the new ones. They are found before anything is written; `generate` refuses, or with
`--force` moves them into a subfolder of their own, and says which."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from ..errors import UserError
from ..models import Branch
from ..outnames import MAIL_DIR

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
SET_ASIDE = "以前生成的表格_{stamp}"


def earlier_files(out_dir: Path, names: set[str]) -> list[Path]:
    """The workbooks in `out_dir` (and drafts in its 邮件/) that this run will not write: `names` are the
    paths it writes, relative to `out_dir` (`邮件/01_…_填报通知.eml`). Files it writes again are replaced, not
    mixed in, and are not listed."""
    out_dir = Path(out_dir)
    found: list[Path] = []
    for folder, suffixes in ((out_dir, WORKBOOK_SUFFIXES), (out_dir / MAIL_DIR, (".eml",))):
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            name = entry.relative_to(out_dir).as_posix()
            if entry.suffix.lower() in suffixes and entry.is_file() and name not in names:
                found.append(entry)
    return found


def set_aside(out_dir: Path, files: list[Path], now: dt.datetime | None = None) -> Path:
    """Move `files` into a new subfolder `以前生成的表格_<时间>/` of `out_dir` (drafts into its 邮件/), keeping
    them rather than deleting; returns the subfolder."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    aside = Path(out_dir) / SET_ASIDE.format(stamp=stamp)
    for f in files:
        dest = aside / f.relative_to(out_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(f, dest)
    return aside


def describe(files: list[Path], out_dir: Path, shown: int = 3) -> str:
    """'01_甲_附件1_评分表.xlsx、… 等 12 个文件' for a message."""
    names = "、".join(f.relative_to(out_dir).as_posix() for f in files[:shown])
    return f"{names} 等 {len(files)} 个文件" if len(files) > shown else names


def prepare_folder(out_dir: Path, names: set[str], *, force: bool) -> tuple[list[Path], Path | None]:
    """Before `generate` writes `names` into `out_dir`: the earlier files there it would leave mixed in are
    refused (UserError, nothing written), or with `force` set aside. Returns (those set aside, their folder)."""
    earlier = earlier_files(out_dir, names)
    if not earlier:
        return [], None
    if not force:
        raise UserError(
            f"文件夹“{out_dir}”中已有以前生成的 {describe(earlier, Path(out_dir))}，不是这次要生成的，"
            "新旧表格混在一起容易发错。请换一个空文件夹（例如 --out 表格_本轮），"
            f"或加 --force：先把它们移到其中的子文件夹“{SET_ASIDE.format(stamp='时间')}”，再生成"
        )
    return earlier, set_aside(out_dir, earlier)


_NUMBERED = re.compile(r"^(\d+)_(.+?)_附件")


def renamed(set_aside: list[Path], roster: tuple[Branch, ...] | list[Branch]) -> list[tuple[str, str, str]]:
    """(序号, old name, new name) for every form set aside whose 序号 now belongs to a branch of another name:
    that branch holds the old form, which collect will not take (its name is not on the roster any more)."""
    by_id = {b.id: b.name for b in roster}
    found: dict[str, tuple[str, str, str]] = {}
    for f in set_aside:
        m = _NUMBERED.match(f.name)
        if m and m.group(1) in by_id and by_id[m.group(1)] != m.group(2):
            found.setdefault(m.group(1), (m.group(1), m.group(2), by_id[m.group(1)]))
    return list(found.values())
