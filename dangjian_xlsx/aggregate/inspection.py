"""The 督查 stage: 组织部's inspection scores per branch, compared with the self-assessment."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..models import Catalog, FileRecord, Report
from .current import BranchFiles, current_inspections
from .frames import frame, int_col, r4, short_text
from .scores import Scored, valid_score

# The 督查 stage (组织部's own inspection scores).
BASIS_INSPECTION = "督查总分"
BASIS_SELF = "自评总分"
FLAG_INFLATED = "自评偏高"

# Columns of `scores` after "file": the 督查 stage (blank when the branch has no inspection).
INSPECTION_SCORE_COLUMNS = ["insp_total", "diff", "rank_basis", "flag", "insp_file"]
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


@dataclass
class Inspection:
    """组织部's inspection of one branch: the counted 督查评分表 and its valid scores."""

    record: FileRecord
    scores: dict[str, float | None]  # valid 督查得分 by item id
    selfs: dict[str, float | None]  # the self-assessment locked in the inspection workbook
    opinions: dict[str, str]
    total: float
    missing: int


def inspected_branches(report: Report, resolved: list[BranchFiles]) -> dict[str, Inspection]:
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


def _self_scores(sc: Scored | None, insp: Inspection) -> dict[str, float | None]:
    """The self-assessment compared with the inspection: the accepted 附件1's, else the inspection's copy."""
    if sc is not None:
        return {item_id: v for item_id, v, _ in sc.items}
    return insp.selfs


def _flag(diff: float | None, margin: float) -> str:
    return FLAG_INFLATED if diff is not None and diff > margin + 1e-9 else ""


def inspection_cells(insp: Inspection | None, sc: Scored | None, margin: float) -> list[Any]:
    """The INSPECTION_SCORE_COLUMNS of one 得分汇总 row."""
    if insp is None:
        return [None, None, BASIS_SELF if sc is not None else None, "", ""]
    selfs = _self_scores(sc, insp)
    self_total = sc.total if sc is not None else r4(math.fsum(v for v in selfs.values() if v is not None))
    diff = r4(self_total - insp.total)
    basis = BASIS_INSPECTION if sc is not None else None
    return [insp.total, diff, basis, _flag(diff, margin), insp.record.path]


def inspection_tables(
    catalog: Catalog,
    resolved: list[BranchFiles],
    scored: dict[str, Scored | None],
    inspected: dict[str, Inspection],
    margin: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """自评与督查对比: per inspected branch (largest 自评 − 督查 first), and every item where they differ."""
    branch_rows: list[list[Any]] = []
    item_rows: list[list[Any]] = []
    section_of, item_by_id = catalog.section_of, catalog.item_by_id
    for bf in resolved:
        b = bf.branch
        insp = inspected.get(b.name)
        if insp is None:
            continue
        sc = scored.get(b.name)
        selfs = _self_scores(sc, insp)
        notes = {item_id: note for item_id, _, note in sc.items} if sc is not None else {}
        self_total = sc.total if sc is not None else r4(math.fsum(v for v in selfs.values() if v is not None))
        diff = r4(self_total - insp.total)
        flag = _flag(diff, margin)
        n_diff = n_higher = 0
        for it in catalog.items:
            mine, theirs = selfs.get(it.id), insp.scores.get(it.id)
            if mine is None or theirs is None or abs(mine - theirs) < 1e-9:
                continue
            d = r4(mine - theirs)
            n_diff += 1
            n_higher += d > 0
            sec = section_of[it.id]
            item_rows.append(
                [b.seq, b.id, b.name, it.id, f"{sec.numeral}、{sec.name}", short_text(item_by_id[it.id].text),
                 it.points, mine, theirs, d, notes.get(it.id, ""), insp.opinions.get(it.id, ""), flag]
            )  # fmt: skip
        branch_rows.append(
            [b.seq, b.id, b.name, self_total, insp.total, diff, n_diff, n_higher, insp.missing, flag,
             insp.record.outcome.value, insp.record.path]
        )  # fmt: skip
    order = {i.id: n for n, i in enumerate(catalog.items)}
    item_rows.sort(key=lambda r: (-abs(r[9]), -r[9], r[0], order[r[3]]))
    branch_rows.sort(key=lambda r: (-r[5], r[0]))
    branches = frame(branch_rows, INSPECTION_BRANCH_COLUMNS)
    for c in ("n_diff", "n_higher", "insp_missing"):
        int_col(branches, c)
    items = frame(item_rows, INSPECTION_ITEM_COLUMNS)
    int_col(items, "points")
    return branches, items
