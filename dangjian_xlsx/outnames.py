"""The names of a collect's outputs: the summary workbook (`summary_path`), its CSV/JSON exports beside it
(`export_paths`), the folders 退回修改/ and 反馈表/. Here at the top level, with nothing heavy imported, so that
the checks a collect makes before it reads anything (`outputs.refuse_collect`) load none of the writers: they
are imported while the inbox is being read (`parallel.meanwhile`). The summary and round stages re-export them."""

from __future__ import annotations

from pathlib import Path

PACK_DIR = "退回修改"  # notices and corrected copies (round/corrections.py)
MAIL_DIR = "邮件"  # the e-mail drafts' subfolder (`generate --eml`, the correction pack): the tool's own
FEEDBACK_DIR = "反馈表"  # the feedback workbooks (round/feedback.py)


def summary_path(out: Path) -> Path:
    """`out` as given; a folder gets 汇总表.xlsx inside it; a name without suffix gets .xlsx."""
    out = Path(out)
    if out.is_dir():
        return out / "汇总表.xlsx"
    return out if out.suffix else out.with_suffix(".xlsx")


def export_paths(summary: Path) -> dict[str, Path]:
    """The CSV and JSON exports beside the summary workbook `summary`, by key."""
    summary = Path(summary)
    stem = summary.stem
    return {
        "scores": summary.with_name(f"{stem}_得分.csv"),
        "tasks": summary.with_name(f"{stem}_任务.csv"),
        "problems": summary.with_name(f"{stem}_问题.csv"),
        "files": summary.with_name(f"{stem}_文件.csv"),
        "json": summary.with_name(f"{stem}.json"),
    }
