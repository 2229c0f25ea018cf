"""What marks the tool's own output folders, so that collect never reads its own outputs as returns.

Every folder the tool fills with its outputs (退回修改/, 反馈表/) holds a small text file saying so. It is
recognised by its content (its first line), not by its name alone: a folder a branch happens to name alike is
still read. 督查评分表/ gets no marker: the inspectors' forms are meant to go into the inbox once filled.
"""

from __future__ import annotations

from pathlib import Path

MARKER_NAME = "本文件夹由dangjian-xlsx生成.txt"
MARKER_FIRST_LINE = "本文件夹由 dangjian-xlsx 自动生成，collect 不会读取其中的文件。"
_MARKER_TEXT = (
    f"{MARKER_FIRST_LINE}\n每次运行 collect 都会整体替换本文件夹的内容；请勿把交回的表格放在这里。\n"
)
_MAX_MARKER_BYTES = 4096

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
