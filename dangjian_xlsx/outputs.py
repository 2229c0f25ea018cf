"""Everything a collect writes, in one step: the report's tables and overview are computed once, then the
summary workbook, its CSV/JSON exports, with `--feedback` the per-branch feedback workbooks (`反馈表/`) and
the correction pack (`退回修改/`) are written from them — as jobs (the summary with its exports, each feedback
workbook, each notice) that this process and a forked helper share (`parallel.share`), the same bytes
whichever process wrote them. The `feedback` and `inspect` commands write their workbooks alone through the
same step. The writing stages (aggregate, summary, round: pandas, XlsxWriter) are imported only where they
are used, so that the checks before a collect reads anything import neither (`load_writers`).

The outputs are replaced as one set (`outset.py`): all of them are written aside first, then put in place
under a journal, so that after a failure, a full disk or a kill they are all of one run — the previous one,
or this one once the next run has finished the interrupted commit. One run at a time writes into a folder
(`lock.py`). A failure to write says what, where and why, in Chinese (`errors.WriteError`).

Nothing a person typed is lost (issue 15, rule 8): before the summary is replaced, what 组织部 typed into its
问题台账 is read back and carried into the new one (`aggregate.carry_over`); and the previous outputs are kept
beside the new ones (`keep.py`: `汇总表.上次.xlsx` with its exports, `退回修改.上次/`, `反馈表.上次/`,
`督查评分表.上次/`). A summary that is there but cannot be read is never replaced.

The tool never reads its own outputs (rule 11): every folder it fills for people (退回修改/, 反馈表/) holds the
marker file of `ownfiles.py`; the checks before anything is written are `outcheck.py`'s.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import parallel
from .atomic import write_text_atomic
from .errors import write_error, writing
from .keep import previous_file, previous_folder
from .lock import output_lock
from .models import Report
from .outcheck import check_round, refuse_foreign, refuse_in_the_way, refuse_overlap
from .outnames import FEEDBACK_DIR, MAIL_DIR, PACK_DIR, export_paths, summary_path
from .outset import CommitError, Entry, OutputSet, read_journal, recover, staging
from .ownfiles import MARKER_NAME, carry_foreign, is_output_folder, marker_text

if TYPE_CHECKING:
    from . import aggregate as ag

WRITERS = ("aggregate", "summary", "round")
_OWN_DIRS = frozenset(
    {MAIL_DIR}
)  # the subfolders the tool writes into its output folders (e-mail drafts)  # the stages that write (pandas, XlsxWriter): imported when used

__all__ = [
    "Outputs",
    "check_round",
    "collect_set",
    "finish_interrupted",
    "holding",
    "load_writers",
    "mark_output_folder",
    "refuse_collect",
    "refuse_folder",
    "write_feedback_outputs",
    "write_inspection_outputs",
    "write_outputs",
]


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
    notices: list[str] = field(default_factory=list)  # what was found in the folder (an interrupted run …)

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


def collect_set(summary: Path, feedback: bool) -> tuple[list[Entry], list[Entry]]:
    """The entries of a collect's set beside `summary`: (files, folders), each with its kept name."""
    summary, before = Path(summary), previous_file(summary)
    files = [Entry(summary.name, before.name)]
    files += [
        Entry(p.name, k.name)
        for p, k in zip(export_paths(summary).values(), export_paths(before).values(), strict=True)
    ]
    folders = [Entry(name, previous_folder(Path(name)).name) for name in (PACK_DIR, FEEDBACK_DIR)]
    return files, folders if feedback else folders[:1]


def load_writers() -> None:
    """Import the stages that write (`WRITERS`) now. This module imports them only where it writes, so that
    the checks before a collect reads anything load neither pandas nor XlsxWriter; the command line has them
    imported while the inbox is read (`parallel.meanwhile`)."""
    for stage in WRITERS:
        importlib.import_module(f"{__package__}.{stage}")


@contextmanager
def holding(folder: Path) -> Iterator[list[str]]:
    """The lock of the output folder `folder` for the block (LockHeld when another run has it), and what was
    found there first, in Chinese: a stale lock taken over, an interrupted commit finished, temporary files
    removed. The commands hold it from before they read anything; the writers below take it again."""
    with output_lock(folder) as lock:
        yield [*lock.notices, *recover(folder)]


def finish_interrupted(folder: Path) -> list[str]:
    """Finish a commit a killed run left in `folder` (under its lock), for a command that only reads the
    outputs there (remind); what was done, in Chinese."""
    if read_journal(folder) is None:
        return []
    with holding(folder) as found:
        return found


def refuse_collect(out: Path, inbox: Path | None, inputs: list[Path], feedback: bool) -> None:
    """Every check of a collect's outputs before anything is read: see `outcheck.py`."""
    path = summary_path(out)
    files, folders = collect_set(path, feedback)
    every = [path.parent / n for e in (*files, *folders) for n in (e.name, e.kept)]
    refuse_overlap([path, *every], inbox, inputs, "汇总表")
    _refuse_blocked(path.parent, files, folders)


def refuse_folder(out_dir: Path, inbox: Path | None, inputs: list[Path], what: str, *, marked: bool) -> None:
    """The same for a command's one output folder (`what`: its Chinese name)."""
    folder = Path(os.path.abspath(out_dir))
    refuse_overlap([Path(out_dir), previous_folder(folder)], inbox, inputs, what)
    _refuse_blocked(folder.parent, [], [Entry(folder.name, previous_folder(folder).name)], marked)


def _refuse_blocked(folder: Path, files: list[Entry], folders: list[Entry], marked: bool = True) -> None:
    refuse_in_the_way(folder, files, folders)
    for e in folders:
        refuse_foreign(folder / e.name, marked)
        refuse_foreign(folder / e.kept, marked)


_UNCHANGED = "本次没有替换任何输出，{folder} 中仍是上次的结果"


def _commit(out: OutputSet, entries: list[Entry]) -> list[Path]:
    """Commit the staged set; a failure (a file open in Excel/WPS …) becomes a WriteError saying whether the
    previous set is back in place."""
    try:
        return out.commit(entries)
    except CommitError as exc:
        what = (
            _UNCHANGED.format(folder=out.folder)
            if exc.rolled_back
            else "替换只完成了一部分：下次运行会先完成这次替换"
        )
        raise write_error(exc.error, exc.error.filename or out.folder, what) from exc


def _final(out: OutputSet, paths: list[Path], base: Path) -> list[Path]:
    """Staged paths → where they are once committed, in `base` (the output folder as the caller named it)."""
    return [base / Path(p).relative_to(out.stage) for p in paths]


def write_outputs(
    report: Report, out: Path, *, feedback: bool = False, made: Callable[[], None] | None = None
) -> Outputs:
    """Write everything a collect produces beside the summary at `out` (a file, a folder, or a name without
    suffix: see `summary_path`), keeping the previous outputs and what was typed into the previous 问题台账.
    `made` is called once the tables are made, before the processes writing them start: the command line
    freezes the garbage collector's view of them there (`gc.freeze`), so that no collection visits them
    again — in a forked helper, that would copy every page holding one of their objects."""
    from . import aggregate as ag
    from .round import finish_pack
    from .summary import read_previous

    shown = summary_path(out)
    path = Path(os.path.abspath(shown))
    files, folders = collect_set(path, feedback)
    _refuse_blocked(path.parent, files, folders)
    campaign = report.campaign
    with holding(path.parent) as notices:
        # before anything is computed: an unreadable summary stops here
        previous = read_previous(path, campaign.catalog.unit)
        tables, ov = ag.tables_and_overview(report)
        carried = ag.carry_over(
            tables.ledger, previous.entries if previous else [], tables.score_items, campaign.catalog
        )
        unchanged = _UNCHANGED.format(folder=path.parent)
        with writing(path.parent, unchanged, exact=True), staging(path.parent) as st:
            jobs, end = _jobs(
                report, dataclasses.replace(tables, ledger=carried.ledger), tables, ov, st, path, feedback
            )
            if made is not None:
                made()
            written = _write_all(jobs)
            summary_files, corrections = written[0] + written[1], [p for w in written[2:end] for p in w]
            written_feedback = [p for w in written[end:] for p in w]
            if feedback:
                with writing(path.parent / FEEDBACK_DIR, unchanged, exact=True):
                    _mark_staged(st, FEEDBACK_DIR)
            with writing(path.parent / PACK_DIR, unchanged, exact=True):
                finish_pack(st.path(PACK_DIR), corrections)
                _mark_staged(st, PACK_DIR)
            kept = _commit(st, files + folders)
            done = _final(st, [*summary_files, *written_feedback, *corrections], shown.parent)
    n = len(summary_files)
    return Outputs(
        ov,
        done[0],
        done[1:n],
        done[n : n + len(written_feedback)],
        shown.parent / FEEDBACK_DIR,
        done[n + len(written_feedback) :],
        shown.parent / PACK_DIR,
        carried if previous else None,
        kept,
        notices,
    )


Job = Callable[[], list[Path]]  # writes some files of the set, returns their paths


def _jobs(
    report: Report,
    shown: ag.Tables,
    tables: ag.Tables,
    ov: ag.Overview,
    st: OutputSet,
    path: Path,
    feedback: bool,
) -> tuple[list[Job], int]:
    """The jobs writing a collect's set into the staging folder `st` (`path`: the summary as committed;
    `shown`: the tables the summary shows, its ledger carried over), the longest first so that the two
    processes end together: the summary workbook, its exports (the CSV files and the JSON: one job), the
    correction pack's notices (one job each; its plan is made here), then the feedback workbooks (one job
    each, from the index returned beside them).
    Each job says its OSError as a WriteError about the output it was writing."""
    from .round import feedback_jobs, pack_jobs
    from .summary import write_exports, write_summary

    campaign, at = report.campaign, report.generated_at
    unchanged = _UNCHANGED.format(folder=path.parent)
    summary = st.path(path.name)

    def summary_book() -> list[Path]:
        with writing(path, unchanged, exact=True):
            return [write_summary(shown, ov, summary, campaign, at)]

    def exports() -> list[Path]:
        return write_exports(tables, ov, summary, campaign, at)

    # the workbook and its exports are two jobs: the two processes write them at once
    jobs = [_reported(summary_book, path.parent, unchanged), _reported(exports, path.parent, unchanged)]
    with writing(path.parent / PACK_DIR, unchanged, exact=True):
        some = pack_jobs(report, st.path(PACK_DIR), branches=tables.branches)
    jobs += [_reported(j, path.parent / PACK_DIR, unchanged) for j in some]
    end = len(jobs)
    if feedback:
        some = feedback_jobs(report, tables, ov, st.path(FEEDBACK_DIR))
        jobs += [_reported(j, path.parent / FEEDBACK_DIR, unchanged) for j in some]
    return jobs, end


def _write_all(jobs: list[Job]) -> list[list[Path]]:
    """Every job's paths, in order. A forked helper takes jobs too (`parallel.share`): the summary, each
    feedback workbook and each notice are files of their own, written into the staging folder by whichever
    process took them. A failure is raised here once all are done, the first job's in order first, so that
    what is said is the same whichever process met it: one met here is raised as it was; one a helper met
    is met again here."""
    failed: dict[int, Exception] = {}  # filled in this process only

    def attempt(k: int) -> list[Path] | None:
        try:
            return jobs[k]()
        except Exception as exc:
            failed[k] = exc
            return None

    out = []
    for k, paths in enumerate(parallel.share(attempt, len(jobs), chunk=1, name="dj-write")):
        if paths is None:
            if k in failed:
                raise failed[k]
            paths = jobs[k]()
        out.append(paths)
    return out


def _reported(job: Job, where: Path, what: str) -> Job:
    """`job` with its OSError said as a WriteError about `where` (see `errors.writing`)."""

    def run() -> list[Path]:
        with writing(where, what, exact=True):
            return job()

    return run


def _mark_staged(out: OutputSet, name: str) -> None:
    """The staged folder `name` marked as the tool's; created (empty) when the folder it replaces exists, so
    that what the previous run left there is replaced too — all but what a person put there (carried over)."""
    folder = out.path(name)
    if not folder.is_dir() and os.path.isdir(out.folder / name):
        folder.mkdir()
    carry_foreign(out.folder / name, folder, _OWN_DIRS)
    mark_output_folder(folder)


def mark_output_folder(folder: Path) -> None:
    """Leave the marker file (`ownfiles.py`) in a folder the tool filled, so collect never reads it."""
    folder = Path(folder)
    if folder.is_dir() and not is_output_folder(folder):
        write_text_atomic(folder / MARKER_NAME, marker_text())


def _one_folder(out_dir: Path, write: Callable[[Path], list[Path]], *, marked: bool) -> list[Path]:
    """Write a command's one output folder as a set of its own (the previous one kept as `…上次`)."""
    shown = Path(out_dir)
    out_dir = Path(os.path.abspath(out_dir))
    entry = Entry(out_dir.name, previous_folder(out_dir).name)
    _refuse_blocked(out_dir.parent, [], [entry], marked)
    unchanged = _UNCHANGED.format(folder=out_dir.parent)
    with holding(out_dir.parent), writing(out_dir, unchanged, exact=True), staging(out_dir.parent) as st:
        paths = write(st.path(entry.name))
        carry_foreign(out_dir, st.path(entry.name), _OWN_DIRS)
        if marked and paths:
            mark_output_folder(st.path(entry.name))
        _commit(st, [entry])
        return _final(st, paths, shown.parent)


def write_inspection_outputs(report: Report, out_dir: Path) -> list[Path]:
    """The 督查评分表 alone, into `out_dir` (the `inspect` command; the folder it replaced kept as
    `…上次`). Returns their paths."""
    from .round import write_inspections

    return _one_folder(out_dir, lambda folder: write_inspections(report, folder), marked=False)


def write_feedback_outputs(report: Report, out_dir: Path) -> list[Path]:
    """The feedback workbooks alone, into `out_dir` (the `feedback` command; the folder it replaced kept as
    `…上次`). Returns their paths."""
    from . import aggregate as ag
    from .round import write_feedback

    tables, ov = ag.tables_and_overview(report)
    return _one_folder(out_dir, lambda folder: write_feedback(report, tables, ov, folder), marked=True)
