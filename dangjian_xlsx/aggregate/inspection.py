"""The 督查 stage: 组织部's inspection scores per branch, compared with the self-assessment.

Rule 3 holds here too: only a complete, valid 督查评分表 (every 督查得分 a number within its points, the file
not to be corrected) is scored, ranked (督查排名) and compared (自评偏高). One to be completed is listed as
督查表待补全 with its open problems, and nothing else. 自评偏高 is said only when both forms are complete, so
that the totals' difference is the sum of the items' differences the comparison lists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..models import Catalog, FileRecord, Outcome, Report
from .current import BranchFiles, current_inspections
from .frames import frame, int_col, r4, short_text
from .scores import Scored, ranks, section_table, valid_score

# The 督查 stage (组织部's own inspection scores).
BASIS_INSPECTION = "督查总分"
BASIS_SELF = "自评总分"
FLAG_INFLATED = "自评偏高"
INSP_DONE = "已督查"
INSP_PENDING = "督查表待补全"
INSP_NOT_COMPARED = "已督查（自评待更正，暂不比较）"


def insp_pending(problems: int) -> str:
    return f"{INSP_PENDING}（{problems} 处问题）"


# Columns of `scores` after "file": the 督查 stage (blank when the branch has no inspection).
INSPECTION_SCORE_COLUMNS = ["insp_total", "diff", "insp_rank", "insp_status", "flag", "insp_file"]
INSPECTION_BRANCH_COLUMNS = [
    "seq",
    "branch_id",
    "branch",
    "self_total",
    "insp_total",
    "diff",
    "n_diff",
    "n_higher",
    "insp_missing",
    "insp_rank",
    "insp_status",
    "flag",
    "outcome",
    "file",
]
INSPECTION_ITEM_COLUMNS = [
    "seq",
    "branch_id",
    "branch",
    "item_id",
    "section",
    "item",
    "points",
    "self_score",
    "insp_score",
    "diff",
    "self_note",
    "opinion",
    "flag",
]
# Every item of every complete inspection: 督查得分 beside 自评 (the feedback workbooks read it).
INSPECTION_SCORE_ITEM_COLUMNS = [
    "seq",
    "branch_id",
    "branch",
    "item_id",
    "section_id",
    "points",
    "self_score",
    "self_note",
    "insp_score",
    "insp_lost",
    "opinion",
]


@dataclass
class Inspection:
    """组织部's inspection of one branch: the counted 督查评分表 and its valid scores."""

    record: FileRecord
    scores: dict[str, float | None]  # valid 督查得分 by item id
    selfs: dict[str, float | None]  # the self-assessment locked in the inspection workbook
    opinions: dict[str, str]
    total: float
    missing: int

    @property
    def complete(self) -> bool:
        """Every 督查得分 valid and the file not to be corrected: it is scored, ranked and compared."""
        return self.missing == 0 and self.record.outcome is not Outcome.NEEDS_FIX

    @property
    def problems(self) -> int:
        return len(self.record.errors) or self.missing

    def sections(self, catalog: Catalog) -> dict[str, float]:
        return {
            sec.id: r4(math.fsum(v for it in sec.items if (v := self.scores[it.id]) is not None))
            for sec in catalog.sections
        }


def inspected_branches(report: Report, resolved: list[BranchFiles]) -> dict[str, Inspection]:
    """Per roster branch with a counted 督查评分表: its inspection (complete or not: see `complete`)."""
    catalog = report.campaign.catalog
    roster = {bf.branch.name for bf in resolved}
    out = {}
    for name, f in current_inspections(report).items():
        if name not in roster or f.submission is None:
            continue
        given = {s.item_id: s for s in f.submission.inspection}
        scores: dict[str, float | None] = {}
        selfs: dict[str, float | None] = {}
        opinions: dict[str, str] = {}
        for it in catalog.items:
            s = given.get(it.id)
            scores[it.id] = valid_score(s.score if s is not None else None, it.points)
            selfs[it.id] = valid_score(s.self_score if s is not None else None, it.points)
            opinions[it.id] = (s.opinion if s is not None else "") or ""
        valid = [v for v in scores.values() if v is not None]
        out[name] = Inspection(f, scores, selfs, opinions, r4(math.fsum(valid)), len(scores) - len(valid))
    return out


def inspection_ranks(inspected: dict[str, Inspection]) -> dict[str, int]:
    """督查排名: among the branches with a complete 督查评分表 only."""
    done = {name: i.total for name, i in inspected.items() if i.complete}
    return dict(zip(done, ranks(done.values()), strict=True))


def self_side(sc: Scored | None, insp: Inspection) -> dict[str, float | None] | None:
    """The self-assessment the inspection is compared with: the counted 附件1's when it is complete and valid,
    the copy locked in the 督查评分表 when no 附件1 counts and that copy is complete; None: no comparison."""
    if sc is not None:
        return {item_id: v for item_id, v, _ in sc.items} if sc.counted else None
    return insp.selfs if all(v is not None for v in insp.selfs.values()) else None


@dataclass
class Comparison:
    self_total: float | None
    diff: float | None
    flag: str
    items: list[tuple[str, float, float, float]]  # (item id, 自评, 督查, 自评 − 督查) where they differ


def compare(insp: Inspection, sc: Scored | None, margin: float) -> Comparison:
    """自评 against 督查 for a complete inspection; 自评偏高 when 自评 − 督查 exceeds the margin (and, as it then
    must, some item was self-assessed higher)."""
    selfs = self_side(sc, insp)
    if selfs is None:
        return Comparison(sc.total if sc is not None else None, None, "", [])
    items = []
    for item_id, theirs in insp.scores.items():
        mine = selfs.get(item_id)
        if mine is None or theirs is None or abs(mine - theirs) < 1e-9:
            continue
        items.append((item_id, mine, theirs, r4(mine - theirs)))
    self_total = r4(math.fsum(v for v in selfs.values() if v is not None))
    diff = r4(self_total - insp.total)
    # "高出5分以上" includes 5 itself, as 以上 does in official Chinese
    inflated = diff >= margin - 1e-9 and diff > 1e-9 and any(d > 0 for *_, d in items)
    return Comparison(self_total, diff, FLAG_INFLATED if inflated else "", items)


def inspection_cells(
    insp: Inspection | None, sc: Scored | None, margin: float, insp_rank: int | None
) -> list[Any]:
    """The INSPECTION_SCORE_COLUMNS of one 得分汇总 row."""
    if insp is None:
        return [None, None, None, "", "", ""]
    if not insp.complete:
        return [None, None, None, insp_pending(insp.problems), "", insp.record.path]
    c = compare(insp, sc, margin)
    status = INSP_DONE if c.diff is not None else INSP_NOT_COMPARED
    return [insp.total, c.diff, insp_rank, status, c.flag, insp.record.path]


def inspection_tables(
    catalog: Catalog,
    resolved: list[BranchFiles],
    scored: dict[str, Scored | None],
    inspected: dict[str, Inspection],
    margin: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """自评与督查对比: per inspected branch (largest 自评 − 督查 first, those to complete last), and every item
    where 自评 and 督查 differ."""
    branch_rows: list[list[Any]] = []
    item_rows: list[list[Any]] = []
    section_of, item_by_id = catalog.section_of, catalog.item_by_id
    insp_rank = inspection_ranks(inspected)
    for bf in resolved:
        b = bf.branch
        insp = inspected.get(b.name)
        if insp is None:
            continue
        sc = scored.get(b.name)
        outcome, path = insp.record.outcome.value, insp.record.path
        if not insp.complete:
            branch_rows.append(
                [b.seq, b.id, b.name, sc.total if sc is not None else None, None, None, None, None, insp.missing,
                 None, insp_pending(insp.problems), "", outcome, path]
            )  # fmt: skip
            continue
        c = compare(insp, sc, margin)
        notes = {item_id: note for item_id, _, note in sc.items} if sc is not None else {}
        for item_id, mine, theirs, d in c.items:
            sec, it = section_of[item_id], item_by_id[item_id]
            item_rows.append(
                [b.seq, b.id, b.name, item_id, f"{sec.numeral}、{sec.name}", short_text(it.text), it.points,
                 mine, theirs, d, notes.get(item_id, ""), insp.opinions.get(item_id, ""), c.flag]
            )  # fmt: skip
        status = INSP_DONE if c.diff is not None else INSP_NOT_COMPARED
        n_higher = sum(d > 0 for *_, d in c.items)
        branch_rows.append(
            [b.seq, b.id, b.name, c.self_total, insp.total, c.diff, len(c.items), n_higher, insp.missing,
             insp_rank[b.name], status, c.flag, outcome, path]
        )  # fmt: skip
    order = {i.id: n for n, i in enumerate(catalog.items)}
    item_rows.sort(key=lambda r: (-abs(r[9]), -r[9], r[0], order[r[3]]))
    branch_rows.sort(key=lambda r: (r[4] is None, r[5] is None, -(r[5] or 0), r[0]))
    branches = frame(branch_rows, INSPECTION_BRANCH_COLUMNS)
    for c in ("n_diff", "n_higher", "insp_missing", "insp_rank"):
        int_col(branches, c)
    return branches, frame(item_rows, INSPECTION_ITEM_COLUMNS)  # points as they are: 2, or 7.5


def inspection_scores(
    catalog: Catalog,
    resolved: list[BranchFiles],
    scored: dict[str, Scored | None],
    inspected: dict[str, Inspection],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every item of every complete inspection (督查得分 beside 自评, 督查意见), and the section statistics over
    the complete inspections (the school's figures on the 督查 basis)."""
    rows: list[list[Any]] = []
    done: list[dict[str, float]] = []
    section_of = catalog.section_of
    for bf in resolved:
        b = bf.branch
        insp = inspected.get(b.name)
        if insp is None or not insp.complete:
            continue
        done.append(insp.sections(catalog))
        sc = scored.get(b.name)
        own = {item_id: (v, note) for item_id, v, note in sc.items} if sc is not None else {}
        for it in catalog.items:
            mine, note = own.get(it.id, (insp.selfs.get(it.id), ""))
            theirs = insp.scores[it.id]
            lost = None if theirs is None else r4(it.points - theirs)
            rows.append(
                [b.seq, b.id, b.name, it.id, section_of[it.id].id, it.points, mine, note, theirs, lost,
                 insp.opinions.get(it.id, "")]
            )  # fmt: skip
    return frame(rows, INSPECTION_SCORE_ITEM_COLUMNS), section_table(catalog, done)
