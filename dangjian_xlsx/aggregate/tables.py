"""Report → pandas tables (scores, ranks, losses, ledger, tasks, submissions, files, problems) and overview counts.

Totals are recomputed from the item scores of each branch's current submission, never read from
the workbook's formulas. Only complete, valid forms feed the statistics (averages, minima, maxima, ranks,
section statistics, losses, completion rates, charts): a counted form to correct is shown as 暂计 with its
open problems and left out of every one of them alike.

Column names are stable English keys (plus catalog ids S01, S01.1, T01 …); the summary and the
exports map them to Chinese headers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..models import FormKind, Report
from .compact import Texts
from .current import BranchFiles, Terms, branch_files
from .files import files_and_problems
from .frames import frame
from .inspection import (
    INSPECTION_BRANCH_COLUMNS,
    INSPECTION_ITEM_COLUMNS,
    INSPECTION_SCORE_COLUMNS,
    INSPECTION_SCORE_ITEM_COLUMNS,
    Inspection,
    inspected_branches,
    inspection_cells,
    inspection_ranks,
    inspection_scores,
    inspection_tables,
)
from .overview import Overview, build_overview
from .scoreitems import ScoreItems
from .scores import Scored, losses_table, ranks, score_branch, score_tables
from .tasks import task_statuses, task_tables, tasks_counted

# the long tables' columns that repeat a few texts down their rows (a branch's twenty tasks, its deductions):
# kept as codes (`Texts.coded`); not 问题台账's columns people type into, nor a status a writer replaces
CODED = {
    "task_details": ("branch_id", "branch", "task_id", "group_id", "group"),
    "ledger": ("branch_id", "branch", "item_id", "section", "item"),
}

SUBMISSION_COLUMNS = [
    "seq",
    "branch_id",
    "branch",
    "submitted",
    "quality",
    "report",
    "form1",
    "form2",
    "errors",
    "contact",
    "email",
    "report_file",
    "form1_file",
    "form2_file",
    "doubt_files",
]


@dataclass
class Tables:
    """Every table of the summary, as DataFrames with stable English column keys."""

    scores: pd.DataFrame  # one row per roster branch: ranked (自评排名), then 暂计, then the rest
    sections: pd.DataFrame  # per section: average / min / max over the complete valid 附件1
    item_scores: pd.DataFrame  # branch × item, roster order
    # long: branch × item, for branches with a 附件1 (column counted); its rows made when read (`ScoreItems`)
    score_items: ScoreItems
    losses: pd.DataFrame  # sections then items, ranked by points lost (complete valid 附件1 only)
    ledger: pd.DataFrame  # one row per deduction
    tasks: pd.DataFrame  # branch × task statuses, with a count per status (tasks.status_columns) and the rate
    task_rates: pd.DataFrame  # per task: counts and completion rate (complete valid 附件2 only)
    task_details: pd.DataFrame  # long: every answer
    submissions: pd.DataFrame  # roster × 交回情况/材料质量/自查报告/附件1/附件2
    files: pd.DataFrame  # every file record (身份存疑 first)
    problems: pd.DataFrame  # every problem (those of files held 身份存疑 first)
    # the 督查 stage: one row per inspected branch, and every item where 自评 and 督查 differ
    inspection: pd.DataFrame = field(default_factory=lambda: frame([], INSPECTION_BRANCH_COLUMNS))
    inspection_items: pd.DataFrame = field(default_factory=lambda: frame([], INSPECTION_ITEM_COLUMNS))
    # every item of every complete inspection, and the section statistics on the 督查 basis
    inspection_scores: pd.DataFrame = field(default_factory=lambda: frame([], INSPECTION_SCORE_ITEM_COLUMNS))
    inspection_sections: pd.DataFrame | None = None
    # which file counts per roster branch and form, as the tables above were built from it
    branches: list[BranchFiles] = field(default_factory=list)

    @property
    def has_inspection(self) -> bool:
        return len(self.inspection) > 0


@dataclass
class _Basis:
    """The resolved branches, each one's scoring (None: no 附件1 with values) and the inspected ones."""

    resolved: list[BranchFiles]
    scored: dict[str, Scored | None]
    inspected: dict[str, Inspection]
    statuses: dict[str, list[str]]  # each task's status per branch with a 附件2 with values (`task_statuses`)


def build_tables(report: Report) -> Tables:
    return _tables(report, _basis(report, branch_files(report)))


def tables_and_overview(report: Report) -> tuple[Tables, Overview]:
    """`build_tables` and `overview` of a report, resolving and scoring its branches once for both."""
    basis = _basis(report, branch_files(report))
    return _tables(report, basis), _overview(report, basis)


def overview(report: Report, resolved: list[BranchFiles] | None = None) -> Overview:
    return _overview(report, _basis(report, branch_files(report) if resolved is None else resolved))


def _basis(report: Report, resolved: list[BranchFiles]) -> _Basis:
    catalog = report.campaign.catalog
    scored = {bf.branch.name: score_branch(catalog, bf) for bf in resolved}
    statuses = task_statuses(catalog, resolved)
    return _Basis(resolved, scored, inspected_branches(report, resolved), statuses)


def _overview(report: Report, basis: _Basis) -> Overview:
    counted = tasks_counted(report.campaign.catalog, basis.resolved, basis.statuses)
    return build_overview(report, basis.resolved, basis.scored, basis.inspected, counted)


def _tables(report: Report, basis: _Basis) -> Tables:
    catalog = report.campaign.catalog
    resolved, scored, inspected = basis.resolved, basis.scored, basis.inspected
    # 自评排名: among the complete valid 附件1 only (one basis per rank column)
    counted = [s for s in scored.values() if s is not None and s.counted]
    rank_of = dict(zip((s.branch.name for s in counted), ranks(s.total for s in counted), strict=True))
    insp_rank = inspection_ranks(inspected)
    margin = report.campaign.inspection_margin
    extra = {
        bf.branch.name: inspection_cells(
            inspected.get(bf.branch.name), scored[bf.branch.name], margin, insp_rank.get(bf.branch.name)
        )
        for bf in resolved
    }
    scores, sections, item_scores, score_items, ledger = score_tables(
        catalog, resolved, scored, rank_of, extra, INSPECTION_SCORE_COLUMNS
    )
    # 失分分析 before the other long tables are made: its grouping's scratch space comes on top of fewer
    losses = losses_table(catalog, score_items)
    tasks, task_rates, task_details = task_tables(catalog, resolved, basis.statuses)
    files, problems = files_and_problems(report.files, Terms.of(catalog))
    inspection, inspection_items = inspection_tables(catalog, resolved, scored, inspected, margin)
    insp_scores, insp_sections = inspection_scores(catalog, resolved, scored, inspected)
    tables = Tables(
        scores=scores,
        sections=sections,
        item_scores=item_scores,
        score_items=score_items,
        losses=losses,
        ledger=ledger,
        tasks=tasks,
        task_rates=task_rates,
        task_details=task_details,
        submissions=_submissions(resolved),
        files=files,
        problems=problems,
        inspection=inspection,
        inspection_items=inspection_items,
        inspection_scores=insp_scores,
        inspection_sections=insp_sections,
        branches=resolved,
    )
    _compact(tables)
    return tables


def _compact(tables: Tables) -> None:
    """Every table's texts as one copy each, laid out together (`compact`: the helper forked to write them
    would otherwise copy every page of the records they were made from)."""
    texts = Texts()
    for table, names in CODED.items():
        df = getattr(tables, table)
        for name in names:
            if name in df:
                df[name] = texts.coded(df[name])
    for value in vars(tables).values():
        if isinstance(value, pd.DataFrame):
            texts.frame(value)
    tables.score_items.compact(texts)


def _submissions(resolved: list[BranchFiles]) -> pd.DataFrame:
    """roster × 交回情况/材料质量/自查报告/附件1/附件2: the branch on both partitions and the files that count."""
    return frame(
        [
            [
                bf.branch.seq,
                bf.branch.id,
                bf.branch.name,
                bf.submitted,
                bf.quality,
                bf.report_status,
                bf.form_status(FormKind.SCORING),
                bf.form_status(FormKind.TASKS),
                bf.errors,
                bf.branch.contact,
                bf.branch.email,
                bf.report_files,
                bf.forms[FormKind.SCORING].files,
                bf.forms[FormKind.TASKS].files,
                "；".join(f.path for f in bf.branch_doubts),
            ]
            for bf in resolved
        ],
        SUBMISSION_COLUMNS,
    )
