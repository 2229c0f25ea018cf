"""Report → pandas tables (scores, ranks, losses, ledger, tasks, submissions, files, problems) and overview counts.

Totals are recomputed from the item scores of each branch's current submission, never read from
the workbook's formulas. A blank or invalid score counts as missing: the total is still computed
from what is valid, and the row is flagged (状态 需修改).

Column names are stable English keys (plus catalog ids S01, S01.1, T01 …); the summary and the
exports map them to Chinese headers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .layout import DONE_STATUS, STATUSES
from .models import Branch, Catalog, FileRecord, FormKind, Outcome, Report, Severity, Submission

# Status of one form of one branch (提交情况).
SUB_OK = "已交"
SUB_WARN = "有警告"
SUB_FIX = "需退回修改"
SUB_MISSING = "未交"
# State of a branch as a whole; each branch is in exactly one.
STATE_OK = "全部合格"
STATE_FIX = "需退回修改"
STATE_MISSING = "未交"
# 状态 of a score row.
SCORE_OK = "合格"
SCORE_FIX = "需修改"
SCORE_MISSING = "未交"
# Level of a row of the loss analysis.
LEVEL_SECTION = "部分"
LEVEL_ITEM = "项目"

# The 督查 stage (组织部's own inspection scores).
BASIS_INSPECTION = "督查总分"
BASIS_SELF = "自评总分"
FLAG_INFLATED = "自评偏高"

NOT_APPLICABLE = "不适用"
ANSWERED = tuple(s for s in STATUSES if s != NOT_APPLICABLE)
ACCEPTED_OUTCOMES = frozenset({Outcome.ACCEPTED, Outcome.WARNINGS})
COUNTED_OUTCOMES = ACCEPTED_OUTCOMES | {Outcome.NEEDS_FIX}
FORMS = (FormKind.SCORING, FormKind.TASKS)


def is_missing(v: Any) -> bool:
    """True for None, NaN and pandas' NA: a cell left blank."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def rows(df: pd.DataFrame, columns: Iterable[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of `columns` as tuples of plain Python values (fast: one tolist() per column)."""
    cols = [df[c].tolist() for c in columns]
    return zip(*cols, strict=True) if cols else iter(())


def short_text(text: str, limit: int = 32) -> str:
    """An item's text without its leading number, cut to `limit` characters."""
    t = re.sub(r"^\s*\d+\s*[.．、]\s*", "", text).strip()
    return t if len(t) <= limit else t[: limit - 1] + "…"


def _r(x: float) -> float:
    return round(x, 4)


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


# ---------------------------------------------------------------- resolving files to branches


@dataclass
class Slot:
    """One form of one branch: the submission that counts, and rejected attempts."""

    current: FileRecord | None = None
    rejected: list[FileRecord] = field(default_factory=list)

    @property
    def submission(self) -> Submission | None:
        return self.current.submission if self.current is not None else None

    @property
    def status(self) -> str:
        if self.current is not None:
            if self.current.outcome is Outcome.NEEDS_FIX:
                return SUB_FIX
            return SUB_WARN if self.current.outcome is Outcome.WARNINGS else SUB_OK
        return SUB_FIX if self.rejected else SUB_MISSING

    @property
    def files(self) -> str:
        """The file that counts, else the rejected ones."""
        if self.current is not None:
            return self.current.path
        return "；".join(f.path for f in self.rejected)


@dataclass
class BranchFiles:
    branch: Branch
    forms: dict[FormKind, Slot]
    reports: list[FileRecord] = field(default_factory=list)
    any_file: bool = False
    errors: int = 0

    @property
    def state(self) -> str:
        statuses = [self.forms[k].status for k in FORMS]
        if all(s in (SUB_OK, SUB_WARN) for s in statuses):
            return STATE_OK
        return STATE_FIX if SUB_FIX in statuses else STATE_MISSING

    @property
    def report_status(self) -> str:
        return SUB_OK if self.reports else SUB_MISSING


def _newest_key(f: FileRecord) -> tuple[Any, ...]:
    sub = f.submission
    fill = sub.fill_date if sub is not None and sub.fill_date is not None else dt.date.min
    saved = f.saved_at.replace(tzinfo=None).isoformat() if f.saved_at is not None else ""
    return (fill, saved, f.mtime, f.path)


def _kind(f: FileRecord) -> FormKind | None:
    if f.kind is not None:
        return f.kind
    return f.submission.kind if f.submission is not None else None


def resolve(report: Report) -> list[BranchFiles]:
    """Per roster branch (in roster order) and form: the current counted file and the rejected attempts.

    Superseded files never count. Should collect leave several counted files for one form, the newest
    wins (fill date, then saved-at time, then modification time, then path).
    """
    by_name = {
        b.name: BranchFiles(b, {k: Slot() for k in FORMS}) for b in sorted(report.campaign.roster, key=_seq)
    }
    for f in sorted(report.files, key=lambda f: f.path):
        b = f.branch or (f.submission.branch if f.submission is not None else None)
        bf = by_name.get(b.name) if b is not None else None
        if bf is None:
            continue
        bf.any_file = True
        if f.outcome is Outcome.REPORT:
            bf.reports.append(f)
            continue
        kind = _kind(f)
        if kind not in bf.forms:
            continue
        slot = bf.forms[kind]
        if f.outcome in COUNTED_OUTCOMES:
            if slot.current is None or _newest_key(f) > _newest_key(slot.current):
                slot.current = f
        elif f.outcome is Outcome.REJECTED:
            slot.rejected.append(f)
    for bf in by_name.values():
        for slot in bf.forms.values():
            counted = [slot.current] if slot.current is not None else slot.rejected
            bf.errors += sum(len(f.errors) for f in counted)
    return list(by_name.values())


def _seq(b: Branch) -> tuple[int, str]:
    return (b.seq, b.name)


# ---------------------------------------------------------------- scores


@dataclass
class _Scored:
    branch: Branch
    items: list[tuple[str, float | None, str]]  # (item id, valid score or None, note) in catalog order
    sections: dict[str, float]
    total: float
    missing: int
    needs_fix: bool


def _score_branch(catalog: Catalog, bf: BranchFiles) -> _Scored | None:
    slot = bf.forms[FormKind.SCORING]
    if slot.submission is None:
        return None
    given = {s.item_id: s for s in slot.submission.scores}
    items: list[tuple[str, float | None, str]] = []
    sections: dict[str, float] = {}
    missing = 0
    for sec in catalog.sections:
        parts: list[float] = []
        for it in sec.items:
            s = given.get(it.id)
            v = valid_score(s.score if s is not None else None, it.points)
            if v is None:
                missing += 1
            else:
                parts.append(v)
            items.append((it.id, v, (s.note if s is not None else "") or ""))
        sections[sec.id] = _r(math.fsum(parts))
    total = _r(math.fsum(sections.values()))
    return _Scored(bf.branch, items, sections, total, missing, slot.status == SUB_FIX)


def _ranks(totals: Iterable[float]) -> list[int]:
    """Competition ranks (1, 1, 3): 1 + the number of strictly greater totals."""
    values = list(totals)
    asc = sorted(values)
    n = len(asc)
    return [1 + n - bisect_right(asc, v) for v in values]


# ---------------------------------------------------------------- tables


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
    inspection: pd.DataFrame = field(default_factory=lambda: _frame([], INSPECTION_BRANCH_COLUMNS))
    inspection_items: pd.DataFrame = field(default_factory=lambda: _frame([], INSPECTION_ITEM_COLUMNS))

    @property
    def has_inspection(self) -> bool:
        return len(self.inspection) > 0


SCORE_META = ["rank", "seq", "branch_id", "branch", "total", "status", "missing_items"]
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
]
TASK_COUNT_COLUMNS = ["n_done", "n_progress", "n_not_done", "n_na", "n_blank"]
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


def _frame(rows: list[dict[str, Any]] | list[list[Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: [] for c in columns})


def _int_col(df: pd.DataFrame, col: str) -> None:
    df[col] = df[col].astype("Int64")


def _completion(counts: Counter[str]) -> float | None:
    denom = sum(counts[s] for s in ANSWERED)
    return counts[DONE_STATUS] / denom if denom else None


def _task_counts(counts: Counter[str]) -> list[int]:
    return [counts["已完成"], counts["持续推进"], counts["未完成"], counts[NOT_APPLICABLE], counts[""]]


def build_tables(report: Report) -> Tables:
    catalog = report.campaign.catalog
    resolved = resolve(report)
    section_ids = [s.id for s in catalog.sections]
    item_ids = [i.id for i in catalog.items]
    task_ids = [t.id for t in catalog.tasks]
    section_of = catalog.section_of
    item_by_id = catalog.item_by_id

    # --- scores
    scored = {bf.branch.name: _score_branch(catalog, bf) for bf in resolved}
    ranked = [s for s in scored.values() if s is not None]
    inspected = _inspected(report, resolved)
    # ranks: by the 督查 total where 组织部 has inspected the branch, else by the self-assessed total
    final = [inspected[s.branch.name].total if s.branch.name in inspected else s.total for s in ranked]
    rank_of = dict(zip((s.branch.name for s in ranked), _ranks(final), strict=True))
    margin = report.campaign.inspection_margin
    score_rows: list[list[Any]] = []
    item_rows: list[list[Any]] = []
    long_rows: list[list[Any]] = []
    ledger_rows: list[list[Any]] = []
    for bf in resolved:
        b = bf.branch
        sc = scored[b.name]
        slot = bf.forms[FormKind.SCORING]
        if sc is None:
            status = SCORE_MISSING if slot.status == SUB_MISSING else SCORE_FIX
            score_rows.append(
                [None, b.seq, b.id, b.name, None, status, None, *([None] * len(section_ids)), slot.files,
                 *_inspection_cells(inspected.get(b.name), None, margin)]
            )  # fmt: skip
            item_rows.append([b.seq, b.id, b.name, None, status, None, *([None] * len(item_ids))])
            continue
        status = SCORE_FIX if (sc.needs_fix or sc.missing) else SCORE_OK
        meta = [b.seq, b.id, b.name, sc.total, status, sc.missing]
        score_rows.append(
            [rank_of[b.name], *meta, *(sc.sections[s] for s in section_ids), slot.files,
             *_inspection_cells(inspected.get(b.name), sc, margin)]
        )  # fmt: skip
        item_rows.append([*meta, *(v for _, v, _ in sc.items)])
        for item_id, v, note in sc.items:
            item = item_by_id[item_id]
            sec = section_of[item_id]
            lost = None if v is None else _r(item.points - v)
            long_rows.append(
                [b.seq, b.id, b.name, item_id, sec.id, item.points, v, lost, note, v is not None]
            )
            if lost is not None and lost > 0:
                ledger_rows.append(
                    [
                        b.seq,
                        b.id,
                        b.name,
                        item_id,
                        f"{sec.numeral}、{sec.name}",
                        short_text(item.text),
                        item.points,
                        v,
                        lost,
                        note,
                        "",
                        "",
                        "",
                        "",
                    ]
                )

    scores = _frame(score_rows, [*SCORE_META, *section_ids, "file", *INSPECTION_SCORE_COLUMNS])
    _int_col(scores, "rank")
    _int_col(scores, "missing_items")
    scores["_order"] = scores["rank"].fillna(10**9)
    scores = scores.sort_values(["_order", "seq", "branch"], kind="stable").drop(columns="_order")
    scores = scores.reset_index(drop=True)

    item_scores = _frame(
        item_rows, ["seq", "branch_id", "branch", "total", "status", "missing_items", *item_ids]
    )
    _int_col(item_scores, "missing_items")
    score_items = _frame(
        long_rows,
        ["seq", "branch_id", "branch", "item_id", "section_id", "points", "score", "lost", "note", "valid"],
    )
    ledger = _frame(ledger_rows, LEDGER_COLUMNS)

    # --- section statistics (school-wide, over branches with a 附件1)
    sec_rows = []
    for sec in catalog.sections:
        vals = [s.sections[sec.id] for s in ranked]
        mean = _r(math.fsum(vals) / len(vals)) if vals else None
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
    sections = _frame(
        sec_rows, ["section_id", "numeral", "name", "points", "n", "mean", "mean_rate", "min", "max"]
    )
    _int_col(sections, "n")

    losses = _losses(catalog, score_items)

    # --- tasks
    task_rows: list[list[Any]] = []
    detail_rows: list[list[Any]] = []
    per_task: dict[str, Counter[str]] = {t: Counter() for t in task_ids}
    group_of = catalog.group_of
    for bf in resolved:
        b = bf.branch
        slot = bf.forms[FormKind.TASKS]
        sub = slot.submission
        if slot.current is None or sub is None:
            task_rows.append(
                [b.seq, b.id, b.name, slot.status, None, *([None] * 5), *([None] * len(task_ids))]
            )
            continue
        given = {a.task_id: a for a in sub.answers}
        counts: Counter[str] = Counter()
        statuses = []
        for tid in task_ids:
            a = given.get(tid)
            st = a.status if a is not None and a.status in STATUSES else ""
            counts[st] += 1
            per_task[tid][st] += 1
            statuses.append(st)
            detail_rows.append(
                [
                    b.seq,
                    b.id,
                    b.name,
                    tid,
                    group_of[tid].id,
                    group_of[tid].title,
                    st,
                    (a.done if a is not None else "") or "",
                    (a.issues if a is not None else "") or "",
                ]
            )
        task_rows.append(
            [b.seq, b.id, b.name, slot.status, _completion(counts), *_task_counts(counts), *statuses]
        )
    tasks = _frame(
        task_rows, ["seq", "branch_id", "branch", "status", "rate", *TASK_COUNT_COLUMNS, *task_ids]
    )
    for c in TASK_COUNT_COLUMNS:
        _int_col(tasks, c)
    task_rates = _frame(
        [
            [
                t.id,
                group_of[t.id].id,
                group_of[t.id].title,
                t.text,
                *_task_counts(per_task[t.id]),
                _completion(per_task[t.id]),
            ]
            for t in catalog.tasks
        ],
        ["task_id", "group_id", "group", "task", *TASK_COUNT_COLUMNS, "rate"],
    )
    task_details = _frame(
        detail_rows,
        ["seq", "branch_id", "branch", "task_id", "group_id", "group", "status", "done", "issues"],
    )

    # --- submissions
    submissions = _frame(
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

    files, problems = _files_and_problems(report.files)
    inspection, inspection_items = _inspection_tables(catalog, resolved, scored, inspected, margin)
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
    )


# ---------------------------------------------------------------- the 督查 stage


@dataclass
class _Inspection:
    """组织部's inspection of one branch: the counted 督查评分表 and its valid scores."""

    record: FileRecord
    scores: dict[str, float | None]  # valid 督查得分 by item id
    selfs: dict[str, float | None]  # the self-assessment locked in the inspection workbook
    opinions: dict[str, str]
    total: float
    missing: int


def current_inspections(report: Report) -> dict[str, FileRecord]:
    """Per branch name: the counted 督查评分表 (the newest, should collect leave several)."""
    out: dict[str, FileRecord] = {}
    for f in report.files:
        if _kind(f) is not FormKind.INSPECTION or f.outcome not in COUNTED_OUTCOMES or f.submission is None:
            continue
        name = (f.branch or f.submission.branch).name
        cur = out.get(name)
        if cur is None or _newest_key(f) > _newest_key(cur):
            out[name] = f
    return out


def _inspected(report: Report, resolved: list[BranchFiles]) -> dict[str, _Inspection]:
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
        out[name] = _Inspection(f, scores, selfs, opinions, _r(math.fsum(valid)), len(scores) - len(valid))
    return out


def _self_scores(sc: _Scored | None, insp: _Inspection) -> dict[str, float | None]:
    """The self-assessment compared with the inspection: the accepted 附件1's, else the inspection's copy."""
    if sc is not None:
        return {item_id: v for item_id, v, _ in sc.items}
    return insp.selfs


def _flag(diff: float | None, margin: float) -> str:
    return FLAG_INFLATED if diff is not None and diff > margin + 1e-9 else ""


def _inspection_cells(insp: _Inspection | None, sc: _Scored | None, margin: float) -> list[Any]:
    """The INSPECTION_SCORE_COLUMNS of one 得分汇总 row."""
    if insp is None:
        return [None, None, BASIS_SELF if sc is not None else None, "", ""]
    selfs = _self_scores(sc, insp)
    self_total = sc.total if sc is not None else _r(math.fsum(v for v in selfs.values() if v is not None))
    diff = _r(self_total - insp.total)
    basis = BASIS_INSPECTION if sc is not None else None
    return [insp.total, diff, basis, _flag(diff, margin), insp.record.path]


def _inspection_tables(
    catalog: Catalog,
    resolved: list[BranchFiles],
    scored: dict[str, _Scored | None],
    inspected: dict[str, _Inspection],
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
        self_total = sc.total if sc is not None else _r(math.fsum(v for v in selfs.values() if v is not None))
        diff = _r(self_total - insp.total)
        flag = _flag(diff, margin)
        n_diff = n_higher = 0
        for it in catalog.items:
            mine, theirs = selfs.get(it.id), insp.scores.get(it.id)
            if mine is None or theirs is None or abs(mine - theirs) < 1e-9:
                continue
            d = _r(mine - theirs)
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
    branches = _frame(branch_rows, INSPECTION_BRANCH_COLUMNS)
    for c in ("n_diff", "n_higher", "insp_missing"):
        _int_col(branches, c)
    items = _frame(item_rows, INSPECTION_ITEM_COLUMNS)
    _int_col(items, "points")
    return branches, items


def _losses(catalog: Catalog, long: pd.DataFrame) -> pd.DataFrame:
    """Sections then items, each ranked by points lost school-wide (over branches with a valid score)."""
    columns = ["level", "rank", "id", "section", "text", "points", "n", "lost", "n_losing", "loss_rate"]
    by_item: dict[str, tuple[int, float, int, float]] = {}
    sec_n: Counter[str] = Counter()
    sec_losing: Counter[str] = Counter()
    valid = long[long["valid"].astype(bool)]
    if len(valid):
        valid = valid.assign(losing=valid["lost"] > 0)
        agg = valid.groupby("item_id", sort=False).agg(
            n=("lost", "size"), lost=("lost", "sum"), n_losing=("losing", "sum"), pts=("points", "sum")
        )
        for item_id, n, lost, n_losing, pts in agg.itertuples(name=None):
            by_item[str(item_id)] = (int(n), _r(float(lost)), int(n_losing), float(pts))
        per_branch = valid.groupby(["section_id", "branch_id"], sort=False)["lost"].sum()
        for (sid, _), v in per_branch.items():
            sec_n[sid] += 1
            sec_losing[sid] += v > 0

    sec_rows, item_rows = [], []
    for sec in catalog.sections:
        label = f"{sec.numeral}、{sec.name}"
        stats = [by_item.get(i.id, (0, 0.0, 0, 0.0)) for i in sec.items]
        lost = _r(math.fsum(s[1] for s in stats))
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
        for r, rank in zip(rows, _ranks(r[7] for r in rows), strict=True):
            r[1] = rank
        out.extend(rows)
    df = _frame(out, columns)
    for c in ("rank", "n", "n_losing"):
        _int_col(df, c)
    return df


def _fmt_dt(v: dt.datetime | None) -> str:
    return v.strftime("%Y-%m-%d %H:%M:%S") if v is not None else ""


def kind_label(f: FileRecord) -> str:
    if f.outcome is Outcome.REPORT:
        return "自查报告"
    k = _kind(f)
    return k.label if k is not None else ""


def _files_and_problems(records: list[FileRecord]) -> tuple[pd.DataFrame, pd.DataFrame]:
    file_rows, problem_rows = [], []
    for f in sorted(records, key=lambda f: f.path):
        b = f.branch or (f.submission.branch if f.submission is not None else None)
        name = b.name if b is not None else ""
        bid = b.id if b is not None else ""
        errors = sum(1 for p in f.problems if p.severity is Severity.ERROR)
        file_rows.append(
            [
                f.path,
                f.size,
                kind_label(f),
                bid,
                name,
                f.outcome.value,
                f.reason,
                errors,
                len(f.problems) - errors,
                _fmt_dt(f.saved_at),
                f.sha256,
            ]
        )
        for p in f.problems:
            problem_rows.append(
                [
                    p.file or f.path,
                    bid,
                    name,
                    p.sheet,
                    p.cell,
                    p.field,
                    p.severity.value,
                    p.code,
                    p.message,
                    p.value,
                ]
            )
    files = _frame(
        file_rows,
        [
            "path",
            "size",
            "kind",
            "branch_id",
            "branch",
            "outcome",
            "reason",
            "errors",
            "warnings",
            "saved_at",
            "sha256",
        ],
    )
    for c in ("size", "errors", "warnings"):
        _int_col(files, c)
    problems = _frame(
        problem_rows,
        ["file", "branch_id", "branch", "sheet", "cell", "field", "severity", "code", "message", "value"],
    )
    return files, problems


# ---------------------------------------------------------------- overview


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
    resolved = resolve(report) if resolved is None else resolved
    catalog = report.campaign.catalog
    states = Counter(bf.state for bf in resolved)
    scored = {bf.branch.name: _score_branch(catalog, bf) for bf in resolved}
    totals = [s.total for s in scored.values() if s is not None]
    inspected = _inspected(report, resolved)
    margin = report.campaign.inspection_margin
    flags = [_inspection_cells(i, scored.get(name), margin)[3] for name, i in inspected.items()]
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
        school_average=_r(math.fsum(totals) / len(totals)) if totals else None,
        max_total=max(totals) if totals else None,
        min_total=min(totals) if totals else None,
        inspected=len(inspected),
        inspection_average=_r(math.fsum(insp_totals) / len(insp_totals)) if insp_totals else None,
        inflated=sum(f == FLAG_INFLATED for f in flags),
    )
