"""Tasks (附件2): per branch the 20 statuses with counts and completion rate, per task rates, every answer.

Completion rates rest on the complete, valid 附件2 only: a form to correct (a blank status, a status that is
not one of the choices, such as 完成 or 基本完成) is shown as 暂计 with its answers, and has no rate and no
part in the per-task rates until corrected.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from ..layout import DONE_STATUS, NOT_APPLICABLE, STATUSES
from ..models import Catalog, FileRecord, FormKind, Outcome, TaskAnswer
from .current import BranchFiles, provisional
from .frames import frame, int_col

ANSWERED = tuple(s for s in STATUSES if s != NOT_APPLICABLE)
TASK_COUNT_COLUMNS = ["n_done", "n_progress", "n_not_done", "n_na", "n_blank"]
TASK_COLUMNS = ["seq", "branch_id", "branch", "status", "counted", "rate", *TASK_COUNT_COLUMNS]
TASK_DETAIL_COLUMNS = ["seq", "branch_id", "branch", "task_id", "group_id", "group", "status", "done", "issues",
                       "counted"]  # fmt: skip


def _completion(counts: Counter[str]) -> float | None:
    denom = sum(counts[s] for s in ANSWERED)
    return counts[DONE_STATUS] / denom if denom else None


def _task_counts(counts: Counter[str]) -> list[int]:
    """已完成, 持续推进, 未完成, 不适用, and blank or not one of the choices."""
    known = [counts["已完成"], counts["持续推进"], counts["未完成"], counts[NOT_APPLICABLE]]
    return [*known, sum(counts.values()) - sum(known)]


def task_tables(
    catalog: Catalog, resolved: list[BranchFiles]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """tasks (branch × task), task_rates (per task, complete valid forms only), task_details (every answer)."""
    task_ids = [t.id for t in catalog.tasks]
    task_rows: list[list[Any]] = []
    detail_rows: list[list[Any]] = []
    per_task: dict[str, Counter[str]] = {t: Counter() for t in task_ids}
    for bf in resolved:
        b = bf.branch
        slot = bf.forms[FormKind.TASKS]
        sub = slot.submission
        if slot.current is None or sub is None:
            status = bf.form_status(FormKind.TASKS)
            task_rows.append(
                [b.seq, b.id, b.name, status, False, None, *([None] * 5), *([None] * len(task_ids))]
            )
            continue
        statuses = _answers(catalog, sub.answers)
        counts = Counter(s if s in STATUSES else "" for s in statuses)
        counted, problems = _counted(slot.current, counts[""])
        if counted:
            for tid, st in zip(task_ids, statuses, strict=True):
                per_task[tid][st] += 1
        status = slot.status if counted else provisional(problems)
        rate = _completion(counts) if counted else None
        task_rows.append([b.seq, b.id, b.name, status, counted, rate, *_task_counts(counts), *statuses])
        _detail_rows(catalog, bf, sub.answers, statuses, counted, detail_rows)
    tasks = frame(task_rows, [*TASK_COLUMNS, *task_ids])
    for c in TASK_COUNT_COLUMNS:
        int_col(tasks, c)
    task_details = frame(detail_rows, TASK_DETAIL_COLUMNS)
    return tasks, _task_rates(catalog, per_task), task_details


def _counted(current: FileRecord, invalid: int) -> tuple[bool, int]:
    """Whether a 附件2 with values feeds the rates (not to be corrected, every status one of the choices), and
    its open problems."""
    return current.outcome is not Outcome.NEEDS_FIX and not invalid, len(current.errors) or invalid


def tasks_counted(catalog: Catalog, resolved: list[BranchFiles]) -> dict[str, bool]:
    """Per branch with a counted 附件2 whose values were read: whether it is complete and valid."""
    out = {}
    for bf in resolved:
        slot = bf.forms[FormKind.TASKS]
        if slot.current is not None and slot.submission is not None:
            statuses = _answers(catalog, slot.submission.answers)
            out[bf.branch.name] = _counted(slot.current, sum(s not in STATUSES for s in statuses))[0]
    return out


def _answers(catalog: Catalog, answers: tuple[TaskAnswer, ...]) -> list[str]:
    """The status of each task in catalog order, as typed ("" when blank; a word not among the choices kept
    as it was typed, so that it can be shown)."""
    given = {a.task_id: a for a in answers}
    out = []
    for t in catalog.tasks:
        a = given.get(t.id)
        out.append(str(a.status).strip() if a is not None and a.status is not None else "")
    return out


def _detail_rows(
    catalog: Catalog,
    bf: BranchFiles,
    answers: tuple[TaskAnswer, ...],
    statuses: list[str],
    counted: bool,
    detail_rows: list[list[Any]],
) -> None:
    """One branch's answers, one row per task."""
    b = bf.branch
    bid = b.id  # a property: formatted on every access
    group_of = catalog.group_of
    given = {a.task_id: a for a in answers}
    for t, st in zip(catalog.tasks, statuses, strict=True):
        a = given.get(t.id)
        done = (a.done if a is not None else "") or ""
        issues = (a.issues if a is not None else "") or ""
        group = group_of[t.id]
        detail_rows.append([b.seq, bid, b.name, t.id, group.id, group.title, st, done, issues, counted])


def _task_rates(catalog: Catalog, per_task: dict[str, Counter[str]]) -> pd.DataFrame:
    """Per task: its group, its text, the status counts over the complete valid forms, its completion rate."""
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
