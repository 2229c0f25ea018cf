"""Report → pandas tables (scores, ranks, losses, ledger, tasks, submissions, files, problems) and overview counts.

Totals are recomputed from the item scores of each branch's current submission, never read from
the workbook's formulas. A blank or invalid score counts as missing: the total is still computed
from what is valid, and the row is flagged (状态 需修改).

Column names are stable English keys (plus catalog ids S01, S01.1, T01 …); the summary and the
exports map them to Chinese headers.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from ..models import FormKind, Outcome, Report
from .current import STATE_FIX, STATE_MISSING, STATE_OK, BranchFiles, branch_files
from .files import files_and_problems
from .frames import frame, r4
from .inspection import (
    FLAG_INFLATED,
    INSPECTION_BRANCH_COLUMNS,
    INSPECTION_ITEM_COLUMNS,
    INSPECTION_SCORE_COLUMNS,
    Inspection,
    inspected_branches,
    inspection_cells,
    inspection_tables,
)
from .scores import Scored, losses_table, ranks, score_branch, score_tables
from .tasks import task_tables


@dataclass
class Tables:
    """Every table of the summary, as DataFrames with stable English column keys."""

    scores: pd.DataFrame  # one row per roster branch, rank order
    sections: pd.DataFrame  # per section: school-wide average / min / max
    item_scores: pd.DataFrame  # branch × 44 items, roster order
    score_items: pd.DataFrame  # long: branch × item, for branches with a 附件1
    losses: pd.DataFrame  # sections then items, ranked by points lost
    ledger: pd.DataFrame  # one row per deduction
    tasks: pd.DataFrame  # branch × 20 task statuses, with per-branch counts and completion rate
    task_rates: pd.DataFrame  # per task: counts and completion rate
    task_details: pd.DataFrame  # long: every answer
    submissions: pd.DataFrame  # roster × 自查报告/附件1/附件2
    files: pd.DataFrame  # every file record
    problems: pd.DataFrame  # every problem
    # the 督查 stage: one row per inspected branch, and every item where 自评 and 督查 differ
    inspection: pd.DataFrame = field(default_factory=lambda: frame([], INSPECTION_BRANCH_COLUMNS))
    inspection_items: pd.DataFrame = field(default_factory=lambda: frame([], INSPECTION_ITEM_COLUMNS))
    # which file counts per roster branch and form, as the tables above were built from it
    branches: list[BranchFiles] = field(default_factory=list)

    @property
    def has_inspection(self) -> bool:
        return len(self.inspection) > 0


def build_tables(report: Report) -> Tables:
    return _tables(report, *_basis(report, branch_files(report)))


def tables_and_overview(report: Report) -> tuple[Tables, Overview]:
    """`build_tables` and `overview` of a report, resolving and scoring its branches once for both."""
    basis = _basis(report, branch_files(report))
    return _tables(report, *basis), _overview(report, *basis)


def _basis(
    report: Report, resolved: list[BranchFiles]
) -> tuple[list[BranchFiles], dict[str, Scored | None], dict[str, Inspection]]:
    """The resolved branches, each one's scoring (None: no scoring form) and the inspected ones."""
    catalog = report.campaign.catalog
    scored = {bf.branch.name: score_branch(catalog, bf) for bf in resolved}
    return resolved, scored, inspected_branches(report, resolved)


def _tables(
    report: Report,
    resolved: list[BranchFiles],
    scored: dict[str, Scored | None],
    inspected: dict[str, Inspection],
) -> Tables:
    catalog = report.campaign.catalog
    ranked = [s for s in scored.values() if s is not None]
    # ranks: by the 督查 total where 组织部 has inspected the branch, else by the self-assessed total
    final = [inspected[s.branch.name].total if s.branch.name in inspected else s.total for s in ranked]
    rank_of = dict(zip((s.branch.name for s in ranked), ranks(final), strict=True))
    margin = report.campaign.inspection_margin
    extra = {
        bf.branch.name: inspection_cells(inspected.get(bf.branch.name), scored[bf.branch.name], margin)
        for bf in resolved
    }
    scores, sections, item_scores, score_items, ledger = score_tables(
        catalog, resolved, scored, rank_of, extra, INSPECTION_SCORE_COLUMNS
    )
    losses = losses_table(catalog, score_items)
    tasks, task_rates, task_details = task_tables(catalog, resolved)
    submissions = _submissions(resolved)
    files, problems = files_and_problems(report.files)
    inspection, inspection_items = inspection_tables(catalog, resolved, scored, inspected, margin)
    return Tables(
        scores=scores,
        sections=sections,
        item_scores=item_scores,
        score_items=score_items,
        losses=losses,
        ledger=ledger,
        tasks=tasks,
        task_rates=task_rates,
        task_details=task_details,
        submissions=submissions,
        files=files,
        problems=problems,
        inspection=inspection,
        inspection_items=inspection_items,
        branches=resolved,
    )


def _submissions(resolved: list[BranchFiles]) -> pd.DataFrame:
    """roster × 自查报告/附件1/附件2: the state of each branch and the files that count."""
    return frame(
        [
            [
                bf.branch.seq,
                bf.branch.id,
                bf.branch.name,
                bf.state,
                bf.report_status,
                bf.forms[FormKind.SCORING].status,
                bf.forms[FormKind.TASKS].status,
                bf.errors,
                "；".join(f.path for f in bf.reports),
                bf.forms[FormKind.SCORING].files,
                bf.forms[FormKind.TASKS].files,
            ]
            for bf in resolved
        ],
        [
            "seq",
            "branch_id",
            "branch",
            "state",
            "report",
            "form1",
            "form2",
            "errors",
            "report_file",
            "form1_file",
            "form2_file",
        ],
    )


@dataclass(frozen=True)
class Overview:
    """The counts shown on 总览 and in the CLI's closing table."""

    expected: int  # roster size
    received: int  # branches with any file
    accepted: int  # 附件1 and 附件2 both accepted (warnings allowed)
    to_correct: int  # some form rejected / needs fixing, with no accepted replacement
    missing: int  # otherwise: some form not submitted at all
    report_branches: int  # branches with a 自查报告
    scored: int  # branches with a 附件1 (ranked)
    files_total: int
    accepted_files: int
    warning_files: int
    needs_fix_files: int
    rejected_files: int
    superseded_files: int
    ignored_files: int
    not_a_form_files: int
    reports: int  # 自查报告 files
    school_average: float | None
    max_total: float | None
    min_total: float | None
    inspected: int = 0  # branches with a counted 督查评分表
    inspection_average: float | None = None
    inflated: int = 0  # branches flagged 自评偏高

    def rows(self) -> list[tuple[str, object]]:
        avg = "—" if self.school_average is None else f"{self.school_average:.1f}"
        return [
            ("应交党总支", self.expected),
            ("已交", self.received),
            ("全部合格", self.accepted),
            ("需退回修改", self.to_correct),
            ("未交", self.missing),
            ("自查报告已交", self.report_branches),
            ("文件总数", self.files_total),
            ("接收", self.accepted_files + self.warning_files),
            ("其中有警告", self.warning_files),
            ("接收（需修改）", self.needs_fix_files),
            ("自查报告", self.reports),
            ("退回", self.rejected_files),
            ("被替代", self.superseded_files),
            ("忽略", self.ignored_files),
            ("非表格", self.not_a_form_files),
            ("全校平均分", avg),
            *self._inspection_rows(),
        ]

    def _inspection_rows(self) -> list[tuple[str, object]]:
        if not self.inspected:
            return []
        avg = "—" if self.inspection_average is None else f"{self.inspection_average:.1f}"
        return [("已督查党总支", self.inspected), ("督查平均分", avg), ("自评偏高", self.inflated)]


def overview(report: Report, resolved: list[BranchFiles] | None = None) -> Overview:
    return _overview(report, *_basis(report, branch_files(report) if resolved is None else resolved))


def _overview(
    report: Report,
    resolved: list[BranchFiles],
    scored: dict[str, Scored | None],
    inspected: dict[str, Inspection],
) -> Overview:
    states = Counter(bf.state for bf in resolved)
    totals = [s.total for s in scored.values() if s is not None]
    margin = report.campaign.inspection_margin
    flags = [inspection_cells(i, scored.get(name), margin)[3] for name, i in inspected.items()]
    insp_totals = [i.total for i in inspected.values()]
    n = Counter(f.outcome for f in report.files)
    return Overview(
        expected=len(resolved),
        received=sum(bf.any_file for bf in resolved),
        accepted=states[STATE_OK],
        to_correct=states[STATE_FIX],
        missing=states[STATE_MISSING],
        report_branches=sum(bool(bf.reports) for bf in resolved),
        scored=len(totals),
        files_total=len(report.files),
        accepted_files=n[Outcome.ACCEPTED],
        warning_files=n[Outcome.WARNINGS],
        needs_fix_files=n[Outcome.NEEDS_FIX],
        rejected_files=n[Outcome.REJECTED],
        superseded_files=n[Outcome.SUPERSEDED],
        ignored_files=n[Outcome.IGNORED],
        not_a_form_files=n[Outcome.NOT_A_FORM],
        reports=n[Outcome.REPORT],
        school_average=r4(math.fsum(totals) / len(totals)) if totals else None,
        max_total=max(totals) if totals else None,
        min_total=min(totals) if totals else None,
        inspected=len(inspected),
        inspection_average=r4(math.fsum(insp_totals) / len(insp_totals)) if insp_totals else None,
        inflated=sum(f == FLAG_INFLATED for f in flags),
    )
