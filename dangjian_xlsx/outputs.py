"""Everything a collect writes, in one step: the report's tables and overview are computed once, then the
summary workbook, its CSV/JSON exports, with `--feedback` the per-branch feedback workbooks (`反馈表/`) and
the correction pack (`退回修改/`) are written from them, in that order. The `feedback` and `inspect` commands
write their workbooks alone through the same step.

Nothing a person typed is lost (issue 15, rule 8): before the summary is replaced, what 组织部 typed into its
问题台账 is read back and carried into the new one (`aggregate.carry_over`); and before any output is
replaced, the previous one is kept beside it (`keep.py`: `汇总表.上次.xlsx` with its exports, `退回修改.上次/`,
`反馈表.上次/`, `督查评分表.上次/`). A summary that is there but cannot be read is never replaced.

The tool never reads its own outputs (rule 11): the summary may not be written inside the inbox, and every
folder it fills for people (退回修改/, 反馈表/) holds the marker file of `ownfiles.py`. Checks that come
before any writing live here too: the forms belong to the campaign's round (rule 12).

Every file is written atomically (a failure part-way leaves the previous version in place); a file that
cannot be replaced because it is open in Excel or WPS (PermissionError) becomes a UserError saying which,
in Chinese.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import aggregate as ag
from .atomic import write_text_atomic
from .errors import UserError
from .keep import keep_files, keep_folder, previous_file
from .messages import Code
from .models import Campaign, FileRecord, Report
from .ownfiles import MARKER_NAME, is_output_folder, marker_text
from .round import FEEDBACK_DIR, pack_dir, write_feedback, write_inspections, write_pack
from .summary import export_paths, read_previous, summary_path, write_exports, write_summary


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
    # 问题台账: the typed entries of the previous summary carried over (None: no previous summary)
    ledger: ag.Carried | None = None
    kept: list[Path] = field(default_factory=list)  # the previous outputs kept (…上次…), files and folders

    @property
    def paths(self) -> list[Path]:
        """Every file written, in the order written."""
        return [self.summary, *self.exports, *self.feedback, *self.corrections]

    def kept_lines(self) -> list[str]:
        """For the console: what was kept of what people typed into 问题台账, and of the previous outputs."""
        lines = []
        carried = self.ledger
        if carried is not None and carried.carried:
            parts = [f"其中 {carried.gone} 条对应的问题已不存在"]
            if carried.unchecked:
                parts.append(f"{carried.unchecked} 条本次无法核对")
            line = f"问题台账：保留已填写的整改记录 {carried.carried} 条（{'，'.join(parts)}）"
            if carried.added_columns:
                line += f"；另加的列 {'、'.join(carried.added_columns)} 也已带入"
            lines.append(line)
        if self.kept:
            names = "、".join(p.name for p in self.kept[:2]) + (" 等" if len(self.kept) > 2 else "")
            lines.append(f"上次的结果已保留为 {names}（共 {len(self.kept)} 项），位于 {self.summary.parent}")
        return lines


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
    suffix: see `summary_path`), keeping the previous outputs and what was typed into the previous 问题台账."""
    path = summary_path(out)
    campaign, at = report.campaign, report.generated_at
    # before anything is computed: an unreadable summary stops here
    previous = read_previous(path, campaign.catalog.unit)
    tables, ov = ag.tables_and_overview(report)
    carried = ag.carry_over(
        tables.ledger, previous.entries if previous else [], tables.score_items, campaign.catalog
    )
    feedback_dir, corrections_dir = path.parent / FEEDBACK_DIR, pack_dir(path)
    kept = _keep_previous(path, [corrections_dir, *([feedback_dir] if feedback else [])])
    with _writing(_open_in_excel(path)):
        summary = write_summary(dataclasses.replace(tables, ledger=carried.ledger), ov, path, campaign, at)
    with _writing(f"无法写入 {path.parent} 中的导出文件（可能正在被打开），请关闭后重试"):
        exports = write_exports(tables, ov, path, campaign, at)
    written_feedback: list[Path] = []
    if feedback:
        with _writing(_open_in_excel(feedback_dir)):
            written_feedback = write_feedback(report, tables, ov, feedback_dir)
            mark_output_folder(feedback_dir)
    with _writing(_open_in_excel(corrections_dir)):
        corrections = write_pack(report, corrections_dir, branches=tables.branches)
        mark_output_folder(corrections_dir)
    return Outputs(
        ov,
        summary,
        exports,
        written_feedback,
        feedback_dir,
        corrections,
        corrections_dir,
        carried if previous else None,
        kept,
    )


def _keep_previous(summary: Path, folders: list[Path]) -> list[Path]:
    """The summary, its exports and the output folders about to be replaced, kept as `…上次…` beside them."""
    before = previous_file(summary)
    pairs = [
        (summary, before),
        *zip(export_paths(summary).values(), export_paths(before).values(), strict=True),
    ]
    try:
        kept = keep_files(pairs)
        kept += [k for k in map(keep_folder, folders) if k is not None]
    except OSError as exc:
        raise UserError(
            f"无法在 {summary.parent} 中保留上次的汇总结果（{exc.strerror or exc}）：为免丢失，本次没有写出任何文件"
        ) from exc
    return kept


def mark_output_folder(folder: Path) -> None:
    """Leave the marker file (`ownfiles.py`) in a folder the tool filled, so collect never reads it."""
    folder = Path(folder)
    if folder.is_dir() and not is_output_folder(folder):
        write_text_atomic(folder / MARKER_NAME, marker_text())


def write_inspection_outputs(report: Report, out_dir: Path) -> list[Path]:
    """The 督查评分表 alone, into `out_dir` (the `inspect` command; the folder it replaced kept as
    `…上次`). Returns their paths."""
    with _writing(_open_in_excel(Path(out_dir))):
        keep_folder(Path(out_dir))
        return write_inspections(report, Path(out_dir))


def write_feedback_outputs(report: Report, out_dir: Path) -> list[Path]:
    """The feedback workbooks alone, into `out_dir` (the `feedback` command; the folder it replaced kept as
    `…上次`). Returns their paths."""
    tables, ov = ag.tables_and_overview(report)
    with _writing(_open_in_excel(Path(out_dir))):
        keep_folder(Path(out_dir))
        paths = write_feedback(report, tables, ov, Path(out_dir))
        mark_output_folder(Path(out_dir))
        return paths


# ---------------------------------------------------------------- before anything is written


def _inside(path: Path, folder: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, RuntimeError):
        return False


def refuse_summary_in_inbox(inbox: Path, out: Path) -> None:
    """UserError when the summary at `out` (and so its exports and folders) would be written inside the inbox:
    the next collect would read them as returns."""
    path = summary_path(out)
    if _inside(path.parent, inbox):
        suggest = Path(inbox).resolve().parent / path.name
        raise UserError(
            f"汇总表不能写在收件文件夹里：{path} 位于收件文件夹 {inbox} 之内，下次汇总时汇总表、导出文件、"
            f"退回修改通知和反馈表会被当作交回的文件读取。请把 --out 指向收件文件夹之外，例如 --out {suggest}"
        )


def refuse_folder_in_inbox(inbox: Path, folder: Path, what: str) -> None:
    """UserError when an output folder (`what`: its Chinese name) lies inside the inbox."""
    if _inside(folder, inbox):
        suggest = Path(inbox).resolve().parent / Path(folder).name
        raise UserError(
            f"{what}不能写在收件文件夹里：{folder} 位于收件文件夹 {inbox} 之内，下次汇总时会被当作交回的文件读取。"
            f"请把 --out 指向收件文件夹之外，例如 --out {suggest}"
        )


def _mismatches(record: FileRecord) -> list[tuple[str, str]]:
    """(code, value) of the record's school and year mismatches."""
    codes = (Code.SCHOOL_MISMATCH.value, Code.YEAR_MISMATCH.value)
    return [(p.code, p.value) for p in record.problems if p.code in codes]


def check_round(campaign: Campaign, files: list[FileRecord], source: str, *, checked: bool = False) -> None:
    """UserError when every form among `files` (a file whose identity names a form) carries another school or
    year than `campaign` (`source`: where the campaign comes from): the wrong round, or the wrong campaign.
    `checked`: the files of the `check` command, not an inbox."""
    # a form = a file whose own identity was read: not one whose kind was only guessed from its name (rule 9:
    # an encrypted or damaged file says nothing about the round)
    forms = [f for f in files if (f.kind is not None and not f.attribution) or _mismatches(f)]
    odd = [f for f in forms if _mismatches(f)]
    if not forms or len(odd) < len(forms):
        return
    found = [m for f in odd for m in _mismatches(f)]
    schools = sorted({v for c, v in found if c == Code.SCHOOL_MISMATCH.value and v})
    years = sorted({v for c, v in found if c == Code.YEAR_MISMATCH.value and v})
    said = []
    if schools:
        said.append("学校为" + "、".join(f"“{s}”" for s in schools))
    if years:
        said.append("年度为" + "、".join(f"{y}年" for y in years))
    where = "所检查的" if checked else "收件文件夹中的"
    raise UserError(
        f"{where} {len(forms)} 份表格都不是本轮督查的表格：表格上{'，'.join(said)}；"
        f"而督查配置（{source}）是“{campaign.school}”{campaign.year}年。"
        "请确认文件是否放错，或用 --campaign 指定本轮的督查配置文件（campaign.toml）。"
        + ("" if checked else "未写出任何文件。")
    )
