"""Everything a collect writes, in one step: the report's tables and overview are computed once, then the
summary workbook, its CSV/JSON exports, with `--feedback` the per-branch feedback workbooks (`反馈表/`) and
the correction pack (`退回修改/`) are written from them, in that order. The `feedback` and `inspect` commands
write their workbooks alone through the same step.

Every file is written atomically (a failure part-way leaves the previous version in place); a file that
cannot be replaced because it is open in Excel or WPS (PermissionError) becomes a UserError saying which,
in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import aggregate as ag
from .errors import UserError
from .models import Report
from .round import FEEDBACK_DIR, pack_dir, write_feedback, write_inspections, write_pack
from .summary import summary_path, write_exports, write_summary


@dataclass(frozen=True)
class Outputs:
    """What `write_outputs` wrote, and the overview it was written from."""

    overview: ag.Overview
    summary: Path  # the summary workbook
    exports: list[Path]  # the CSV files, then the JSON, beside it
    feedback: list[Path]  # in feedback_dir; none without feedback
    feedback_dir: Path
    corrections: list[Path]  # notices and corrected copies, in corrections_dir
    corrections_dir: Path

    @property
    def paths(self) -> list[Path]:
        """Every file written, in the order written."""
        return [self.summary, *self.exports, *self.feedback, *self.corrections]


@contextmanager
def _writing(message: str) -> Iterator[None]:
    """Turn a PermissionError (a file open in Excel or WPS, a read-only folder) into a UserError."""
    try:
        yield
    except PermissionError as exc:
        raise UserError(message) from exc


def _open_in_excel(where: Path) -> str:
    return f"无法写入 {where}（文件可能正在 Excel/WPS 中打开），请关闭后重试"


def write_outputs(report: Report, out: Path, *, feedback: bool = False) -> Outputs:
    """Write everything a collect produces beside the summary at `out` (a file, a folder, or a name without
    suffix: see `summary_path`)."""
    path = summary_path(out)
    campaign, at = report.campaign, report.generated_at
    tables, ov = ag.tables_and_overview(report)
    with _writing(_open_in_excel(path)):
        summary = write_summary(tables, ov, path, campaign, at)
    with _writing(f"无法写入 {path.parent} 中的导出文件（可能正在被打开），请关闭后重试"):
        exports = write_exports(tables, ov, path, campaign, at)
    feedback_dir = path.parent / FEEDBACK_DIR
    written_feedback: list[Path] = []
    if feedback:
        with _writing(_open_in_excel(feedback_dir)):
            written_feedback = write_feedback(report, tables, ov, feedback_dir)
    corrections_dir = pack_dir(path)
    with _writing(_open_in_excel(corrections_dir)):
        corrections = write_pack(report, corrections_dir, branches=tables.branches)
    return Outputs(ov, summary, exports, written_feedback, feedback_dir, corrections, corrections_dir)


def write_inspection_outputs(report: Report, out_dir: Path) -> list[Path]:
    """The 督查评分表 alone, into `out_dir` (the `inspect` command). Returns their paths."""
    with _writing(_open_in_excel(Path(out_dir))):
        return write_inspections(report, Path(out_dir))


def write_feedback_outputs(report: Report, out_dir: Path) -> list[Path]:
    """The feedback workbooks alone, into `out_dir` (the `feedback` command). Returns their paths."""
    tables, ov = ag.tables_and_overview(report)
    with _writing(_open_in_excel(Path(out_dir))):
        return write_feedback(report, tables, ov, Path(out_dir))
