"""Scores: valid item scores per branch, section totals, ranks, the loss analysis and the deduction ledger."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..answers import without_notes
from ..models import Branch, Catalog, FormKind, Item, ItemScore
from .current import PROVISIONAL, SUB_DOUBT, SUB_FIX, SUB_MISSING, BranchFiles, provisional
from .frames import Columns, Same, frame, int_col, r4, short_text
from .scoreitems import LossRows, ScoreItems

# 状态 of a score row.
SCORE_OK = "合格"
SCORE_FIX = "需修改"
SCORE_MISSING = "未交"
SCORE_DOUBT = "身份存疑"  # only a file held 身份存疑 names the branch: counted for nobody
# Level of a row of the loss analysis.
LEVEL_SECTION = "部分"
LEVEL_ITEM = "项目"

# rank: 自评排名, among the complete valid 附件1 only; counted: the row feeds the statistics
SCORE_META = ["rank", "seq", "branch_id", "branch", "total", "status", "missing_items", "counted"]
LEDGER_COLUMNS = [
    "seq",
    "branch_id",
    "branch",
    "item_id",
    "section",
    "item",
    "points",
    "score",
    "lost",
    "note",
    "fix",
    "owner",
    "deadline",
    "fix_status",
    "ledger_state",  # 台账状态: what became of a row 组织部 typed into (aggregate/ledger.py)
]
_TO_FILL = ("", "", "", "")  # fix, owner, deadline, fix_status: for 组织部 to fill in


def ledger_provisional(catalog: Catalog) -> str:
    """台账状态 of a live row whose 附件1 is 暂计 (to be corrected): the deduction may still change."""
    return f"{PROVISIONAL}（{catalog.form1.attachment}待更正，扣分可能变化）"


def valid_score(value: Any, points: float) -> float | None:
    """The score when it is a finite number in 0..points, else None (counts as missing)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x) or x < 0 or x > points:
        return None
    return x


class SectionScores(Mapping[str, float | None]):
    """A branch's section totals by section id: a tuple in the catalog's order and an index the branches share
    (a province's 5,000 branches each held a dict of the same twelve keys)."""

    __slots__ = ("_at", "_values")

    def __init__(self, at: Mapping[str, int], values: tuple[float | None, ...]) -> None:
        self._at, self._values = at, values

    def __getitem__(self, section_id: str) -> float | None:
        return self._values[self._at[section_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def __repr__(self) -> str:
        return repr(dict(self))


@lru_cache(maxsize=8)
def _section_index(section_ids: tuple[str, ...]) -> Mapping[str, int]:
    return MappingProxyType({sid: k for k, sid in enumerate(section_ids)})


@dataclass(slots=True)
class Scored:
    branch: Branch
    scores: list[float | None]  # each item's valid score or None, in catalog order (`catalog.items`)
    sections: Mapping[str, float | None]  # None: no valid score in the section (only on a form shown as 暂计)
    total: float | None  # None: no valid score at all (a returned blank form); a counted form always has one
    missing: int
    needs_fix: bool
    problems: int = 0  # open problems: the counted file's errors (else its blank or invalid items)
    # the catalog's items and the form's scores as kept: their 扣分说明 are read when asked for (`items`), a
    # branch at a time, not held for every branch at once
    catalog_items: tuple[Item, ...] = ()
    given: Sequence[ItemScore] = ()

    @property
    def items(self) -> list[tuple[str, float | None, str]]:
        """(item id, valid score or None, note) in catalog order; a note the form's last for that item."""
        notes = {s.item_id: s.note for s in self.given}
        return [
            (it.id, v, notes.get(it.id) or "") for it, v in zip(self.catalog_items, self.scores, strict=True)
        ]

    @property
    def counted(self) -> bool:
        """A complete, valid 附件1: it feeds the statistics (averages, ranks, charts, losses); otherwise the
        form is shown as 暂计 and kept out of them until corrected."""
        return not self.needs_fix and self.missing == 0

    @property
    def status(self) -> str:
        return SCORE_OK if self.counted else provisional(self.problems)


def score_branch(catalog: Catalog, bf: BranchFiles) -> Scored | None:
    slot = bf.forms[FormKind.SCORING]
    if slot.submission is None:
        return None
    given = {s.item_id: s.score for s in without_notes(slot.submission.scores)}
    scores: list[float | None] = []  # each item's valid score, in the catalog's order
    totals: list[float | None] = []  # each section's, in the catalog's order
    missing = 0
    for sec in catalog.sections:
        parts: list[float] = []
        for it in sec.items:
            v = given.get(it.id)
            if type(v) is not float or not 0.0 <= v <= it.points:  # a float in range is valid as it is
                v = valid_score(v, it.points)
            if v is None:
                missing += 1
            else:
                parts.append(v)
            scores.append(v)
        # a section with no valid score (a blank form's) has no score: shown empty, never as 0
        totals.append(r4(math.fsum(parts)) if parts else None)
    sections = SectionScores(_section_index(tuple(sec.id for sec in catalog.sections)), tuple(totals))
    given_any = [v for v in totals if v is not None]
    total = r4(math.fsum(given_any)) if given_any else None
    assert slot.current is not None
    problems = len(slot.current.errors) or missing
    needs_fix = slot.status == SUB_FIX
    return Scored(
        bf.branch,
        scores,
        sections,
        total,
        missing,
        needs_fix,
        problems,
        catalog.items,
        slot.submission.scores,
    )


def ranks(totals: Iterable[float]) -> list[int]:
    """Competition ranks (1, 1, 3): 1 + the number of strictly greater totals."""
    values = list(totals)
    asc = sorted(values)
    n = len(asc)
    return [1 + n - bisect_right(asc, v) for v in values]


@dataclass
class _ScoreRows:
    """The rows of the score tables, built branch by branch."""

    long: ScoreItems
    scores: list[list[Any]] = field(default_factory=list)
    items: list[list[Any]] = field(default_factory=list)
    # 扣分说明 kept as slices of 得分明细's notes (`ScoreItems.add`), not as strings of its own
    ledger: Columns = field(default_factory=lambda: Columns(LEDGER_COLUMNS, packed=["note"]))


def score_tables(
    catalog: Catalog,
    resolved: list[BranchFiles],
    scored: dict[str, Scored | None],
    rank_of: dict[str, int],
    extra: dict[str, list[Any]],
    extra_columns: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, ScoreItems, pd.DataFrame]:
    """scores, sections, item_scores, score_items, ledger; `extra` holds each branch's cells after "file"."""
    section_ids = [s.id for s in catalog.sections]
    item_ids = [i.id for i in catalog.items]
    rows = _score_rows(catalog, resolved, scored, rank_of, extra)

    scores = frame(rows.scores, [*SCORE_META, *section_ids, "file", *extra_columns])
    int_col(scores, "rank")
    int_col(scores, "missing_items")
    # ranked rows first (by rank), then the 暂计 rows, then the rest, each in roster order
    unshown = scores["total"].isna().astype(int)
    scores["_order"] = scores["rank"].astype("Float64").fillna(1e9) + unshown
    scores = scores.sort_values(["_order", "seq", "branch"], kind="stable").drop(columns="_order")
    scores = scores.reset_index(drop=True)

    item_scores = frame(
        rows.items, ["seq", "branch_id", "branch", "total", "status", "missing_items", *item_ids]
    )
    int_col(item_scores, "missing_items")
    score_items = rows.long
    ledger = rows.ledger.frame()
    sections = section_table(catalog, [s.sections for s in scored.values() if s is not None and s.counted])
    return scores, sections, item_scores, score_items, ledger


def _score_rows(
    catalog: Catalog,
    resolved: list[BranchFiles],
    scored: dict[str, Scored | None],
    rank_of: dict[str, int],
    extra: dict[str, list[Any]],
) -> _ScoreRows:
    """Per branch its score row and item-score row, then its long rows and ledger rows."""
    section_ids = [s.id for s in catalog.sections]
    n_items = len(catalog.items)
    per_item = _PerItem.of(catalog)
    rows = _ScoreRows(long=ScoreItems(catalog))
    for bf in resolved:
        b = bf.branch
        bid = b.id  # a property: formatted on every access
        sc = scored[b.name]
        slot = bf.forms[FormKind.SCORING]
        if sc is None:
            status = _unscored_status(bf.form_status(FormKind.SCORING))
            rows.scores.append(
                [None, b.seq, bid, b.name, None, status, None, False, *([None] * len(section_ids)), slot.files,
                 *extra[b.name]]
            )  # fmt: skip
            rows.items.append([b.seq, bid, b.name, None, status, None, *([None] * n_items)])
            continue
        meta = [b.seq, bid, b.name, sc.total, sc.status, sc.missing]
        rows.scores.append(
            [rank_of.get(b.name), *meta, sc.counted, *(sc.sections[s] for s in section_ids), slot.files,
             *extra[b.name]]
        )  # fmt: skip
        rows.items.append([*meta, *sc.scores])
        _item_rows(catalog, sc, bid, per_item, rows)
    return rows


def _unscored_status(form_status: str) -> str:
    """得分汇总's 状态 of a branch without a 附件1 whose values could be read."""
    if form_status == SUB_MISSING:
        return SCORE_MISSING
    return SCORE_DOUBT if form_status == SUB_DOUBT else SCORE_FIX


@dataclass(frozen=True)
class _PerItem:
    """What the ledger rows repeat for every branch, per item in catalog order (the order of
    `Scored.items`): computed once, not once per branch."""

    ids: list[str]
    points: list[float]
    sections: list[str]  # the section's label, for the ledger
    texts: list[str]  # the item's short text, for the ledger

    @classmethod
    def of(cls, catalog: Catalog) -> _PerItem:
        section_of = catalog.section_of
        items = catalog.items
        return cls(
            [i.id for i in items],
            [i.points for i in items],
            [f"{section_of[i.id].numeral}、{section_of[i.id].name}" for i in items],
            [short_text(i.text) for i in items],
        )


def _item_rows(catalog: Catalog, sc: Scored, bid: str, per: _PerItem, rows: _ScoreRows) -> None:
    """One branch's rows of 得分明细 (every item: `ScoreItems` keeps them as arrays) and of the ledger (every item
    that lost points, a column at a time)."""
    b = sc.branch
    lost, notes = rows.long.add(b.seq, bid, b.name, sc.items, sc.counted)  # lost: NaN without a score
    scores = sc.scores
    at = [j for j, x in enumerate(lost) if x > 0]
    if not at:
        return
    k = len(at)
    state = "" if sc.counted else ledger_provisional(catalog)
    picked = (per.ids, per.sections, per.texts, per.points, scores, lost)
    rows.ledger.extend(
        [
            Same(b.seq, k),
            Same(bid, k),
            Same(b.name, k),
            *([column[j] for j in at] for column in picked),
            notes.picked(at),  # slices of the string 得分明细 keeps them in
            *(Same(fill, k) for fill in _TO_FILL),
            Same(state, k),
        ]
    )


def section_table(catalog: Catalog, counted: list[Mapping[str, float | None]]) -> pd.DataFrame:
    """Section statistics over the given forms' section scores (the complete valid ones only): n, mean,
    mean rate, min, max."""
    sec_rows = []
    for sec in catalog.sections:
        vals = [s[sec.id] for s in counted]
        mean = r4(math.fsum(vals) / len(vals)) if vals else None
        sec_rows.append(
            [
                sec.id,
                sec.numeral,
                sec.name,
                sec.max_points,
                len(vals),
                mean,
                None if mean is None else mean / sec.max_points,
                min(vals) if vals else None,
                max(vals) if vals else None,
            ]
        )
    sections = frame(
        sec_rows, ["section_id", "numeral", "name", "points", "n", "mean", "mean_rate", "min", "max"]
    )
    int_col(sections, "n")
    return sections


def losses_table(catalog: Catalog, long: ScoreItems) -> pd.DataFrame:
    """Sections then items, each ranked by points lost school-wide, over the complete valid 附件1 only (the
    forms every other statistic rests on: 暂计 forms are left out)."""
    columns = ["level", "rank", "id", "section", "text", "points", "n", "lost", "n_losing", "loss_rate"]
    by_item, sec_n, sec_losing = _loss_counts(catalog, long.loss_rows())
    sec_rows, item_rows = [], []
    for sec in catalog.sections:
        label = f"{sec.numeral}、{sec.name}"
        stats = [by_item.get(i.id, (0, 0.0, 0, 0.0)) for i in sec.items]
        lost = r4(math.fsum(s[1] for s in stats))
        pts = math.fsum(s[3] for s in stats)
        sec_rows.append(
            [LEVEL_SECTION, None, sec.id, label, sec.name, sec.max_points, sec_n[sec.id], lost,
             sec_losing[sec.id], lost / pts if pts else None]
        )  # fmt: skip
        for it, (n, ilost, n_losing, ipts) in zip(sec.items, stats, strict=True):
            item_rows.append(
                [LEVEL_ITEM, None, it.id, label, short_text(it.text, 60), it.points, n, ilost, n_losing,
                 ilost / ipts if ipts else None]
            )  # fmt: skip
    out: list[list[Any]] = []
    for rows in (sec_rows, item_rows):
        rows.sort(key=lambda r: -r[7])  # stable: catalog order among equal losses
        for r, rank in zip(rows, ranks(r[7] for r in rows), strict=True):
            r[1] = rank
        out.extend(rows)
    df = frame(out, columns)
    for c in ("rank", "n", "n_losing"):
        int_col(df, c)
    return df


def _loss_counts(
    catalog: Catalog, rows: LossRows
) -> tuple[dict[str, tuple[int, float, int, float]], Counter[str], Counter[str]]:
    """Per item (forms, points lost, forms losing, points) and per section (branches, branches losing) over the
    rows of the forms that count (`ScoreItems.loss_rows`: arrays, where a copy of the table grouped by pandas was
    the largest transient of a province's tables)."""
    by_item: dict[str, tuple[int, float, int, float]] = {}
    sec_n: Counter[str] = Counter()
    sec_losing: Counter[str] = Counter()
    items, lost, losing = rows.items, rows.lost, rows.lost > 0
    k, b = len(rows.item_ids), max(len(rows.branch_ids), 1)
    n, n_losing = np.bincount(items, minlength=k), np.bincount(items, weights=losing, minlength=k)
    for i in np.unique(items).tolist():
        mine = items == i
        by_item[rows.item_ids[i]] = (
            int(n[i]),
            r4(math.fsum(lost[mine].tolist())),
            int(n_losing[i]),
            math.fsum(rows.points[mine].tolist()),
        )
    # per section, the branches with a valid score in it, and those that lost points in it
    section_of = [catalog.section_of[i].id for i in rows.item_ids]
    # an item's section, as the position of the section's first item
    first = np.array([section_of.index(sid) for sid in section_of], dtype=np.int64)
    pairs = first[items] * b + rows.branches
    for counter, keys in ((sec_n, pairs), (sec_losing, pairs[losing])):
        for pair in np.unique(keys).tolist():
            counter[section_of[pair // b]] += 1
    return by_item, sec_n, sec_losing
