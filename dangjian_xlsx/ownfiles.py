"""What marks the tool's own output folders, so that collect never reads its own outputs as returns.

Every folder the tool fills with its outputs (退回修改/, 反馈表/) holds a small text file saying so. It is
recognised by its content (its first line), not by its name alone: a folder a branch happens to name alike is
still read. 督查评分表/ gets no marker: the inspectors' forms are meant to go into the inbox once filled.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

MARKER_NAME = "本文件夹由dangjian-xlsx生成.txt"
MARKER_FIRST_LINE = "本文件夹由 dangjian-xlsx 自动生成，collect 不会读取其中的文件。"
_MARKER_TEXT = (
    f"{MARKER_FIRST_LINE}\n每次运行 collect 都会整体替换本文件夹的内容；请勿把交回的表格放在这里。\n"
)
_MAX_MARKER_BYTES = 4096

# The names the tool gives the files of its output folders: notices (and their e-mail drafts) and the
# per-branch workbooks, all `NN_<name>_…`, the inspectors' notices `督查_NN_…`. Anything else found there
# was put there by a person and is carried into the folder that replaces it (`carry_foreign`).
_OWN_NAME = re.compile(r"^(督查_)?\d+_.+(_(退回修改通知|未交提醒|核对通知)\.(txt|eml)|\.xlsx)$")

# The tool's own workbooks are recognised by their sheets (a superset of these names): the summary
# workbook (and its kept previous copy) and the per-branch feedback workbooks. The writers take the names
# from here, so the two cannot drift.
SUMMARY_SIGNATURE = frozenset({"总览", "文件清单", "校验问题"})
FEEDBACK_SHEETS = ("得分情况", "扣分项", "待完成任务")  # in the feedback workbook's order


def is_output_workbook(sheet_names: set[str] | frozenset[str]) -> bool:
    """True for a workbook this tool wrote (summary or feedback), by its sheet names."""
    return sheet_names >= SUMMARY_SIGNATURE or sheet_names >= set(FEEDBACK_SHEETS)


def marker_text() -> str:
    return _MARKER_TEXT


def is_output_folder(folder: Path) -> bool:
    """True when `folder` holds the marker file with the marker's first line."""
    marker = Path(folder) / MARKER_NAME
    try:
        with open(marker, "rb") as fh:
            head = fh.read(_MAX_MARKER_BYTES)
    except OSError:
        return False
    return head.decode("utf-8", "replace").lstrip("\ufeff").startswith(MARKER_FIRST_LINE)


def is_own_name(name: str) -> bool:
    """True for a file name the tool writes into its output folders (or its marker, or a temporary file)."""
    return name == MARKER_NAME or name.startswith(".") or bool(_OWN_NAME.match(name))


def carry_foreign(live: Path, staged: Path, own_dirs: frozenset[str] = frozenset()) -> list[Path]:
    """Copy into `staged` (the folder about to replace `live`) every file of `live` the tool did not write —
    a clerk's 备注.docx, a sending log — so that replacing the folder never loses what a person put there
    (the previous folder is also kept as `…上次`, but only for one run). Subfolders likewise: in the tool's
    own (`own_dirs`, e.g. the e-mail drafts' 邮件/) what the tool writes is left to it; any other subfolder
    is a person's and is carried whole, whatever its files are named (a 已发送/ holding copies of notices).
    Returns the copies made."""
    return _carry(Path(live), Path(staged), own_dirs, own=True)


def _carry(live: Path, staged: Path, own_dirs: frozenset[str], own: bool) -> list[Path]:
    if not live.is_dir() or live.is_symlink():
        return []
    carried: list[Path] = []
    for entry in sorted(live.iterdir()):
        dest = staged / entry.name
        if entry.is_symlink() or entry.name.startswith("."):
            continue
        if entry.is_dir():
            carried += _carry(entry, dest, own_dirs, own=own and entry.name in own_dirs)
        elif entry.is_file() and not (own and is_own_name(entry.name)) and not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(entry, dest)
            carried.append(dest)
    return carried
