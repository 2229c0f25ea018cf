"""Tasks (附件2): per branch the 20 statuses with counts and completion rate, per task rates, every answer."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from ..layout import DONE_STATUS, NOT_APPLICABLE, STATUSES
from ..models import Catalog, FormKind, TaskAnswer
from .current import BranchFiles
from .frames import frame, int_col

ANSWERED = tuple(s for s in STATUSES if s != NOT_APPLICABLE)
TASK_COUNT_COLUMNS = ["n_done", "n_progress", "n_not_done", "n_na", "n_blank"]


def _completion(counts: Counter[str]) -> float | None:
    denom = sum(counts[s] for s in ANSWERED)
    return counts[DONE_STATUS] / denom if denom else None


def _task_counts(counts: Counter[str]) -> list[int]:
    return [counts["已完成"], counts["持续推进"], counts["未完成"], counts[NOT_APPLICABLE], counts[""]]


def task_tables(
    catalog: Catalog, resolved: list[BranchFiles]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """tasks (branch × task), task_rates (per task), task_details (long: every answer)."""
    task_ids = [t.id for t in catalog.tasks]
    task_rows: list[list[Any]] = []
    detail_rows: list[list[Any]] = []
    per_task: dict[str, Counter[str]] = {t: Counter() for t in task_ids}
    for bf in resolved:
        b = bf.branch
        slot = bf.forms[FormKind.TASKS]
        sub = slot.submission
        if slot.current is None or sub is None:
            task_rows.append(
                [b.seq, b.id, b.name, slot.status, None, *([None] * 5), *([None] * len(task_ids))]
            )
            continue
        counts, statuses = _branch_answers(catalog, bf, sub.answers, per_task, detail_rows)
        task_rows.append(
            [b.seq, b.id, b.name, slot.status, _completion(counts), *_task_counts(counts), *statuses]
        )
    tasks = frame(task_rows, ["seq", "branch_id", "branch", "status", "rate", *TASK_COUNT_COLUMNS, *task_ids])
    for c in TASK_COUNT_COLUMNS:
        int_col(tasks, c)
    task_details = frame(
        detail_rows,
        ["seq", "branch_id", "branch", "task_id", "group_id", "group", "status", "done", "issues"],
    )
    return tasks, _task_rates(catalog, per_task), task_details


def _branch_answers(
    catalog: Catalog,
    bf: BranchFiles,
    answers: tuple[TaskAnswer, ...],
    per_task: dict[str, Counter[str]],
    detail_rows: list[list[Any]],
) -> tuple[Counter[str], list[str]]:
    """One branch's status counts and statuses in catalog order; counts per task and detail rows added."""
    b = bf.branch
    bid = b.id  # a property: formatted on every access
    group_of = catalog.group_of
    given = {a.task_id: a for a in answers}
    counts: Counter[str] = Counter()
    statuses = []
    for t in catalog.tasks:
        tid = t.id
        a = given.get(tid)
        st = a.status if a is not None and a.status in STATUSES else ""
        counts[st] += 1
        per_task[tid][st] += 1
        statuses.append(st)
        done = (a.done if a is not None else "") or ""
        issues = (a.issues if a is not None else "") or ""
        group = group_of[tid]
        detail_rows.append([b.seq, bid, b.name, tid, group.id, group.title, st, done, issues])
    return counts, statuses


def _task_rates(catalog: Catalog, per_task: dict[str, Counter[str]]) -> pd.DataFrame:
    """Per task: its group, its text, the status counts over the branches and its completion rate."""
    group_of = catalog.group_of
    return frame(
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
