"""Tasks (附件2): per branch its status of every task with a count per status and the completion rate, per task
rates, every answer.

The statuses are the catalog's (表格内容.xlsx 设置): the first means done, 不适用 (when offered) means the task
does not apply, the others are open — the last of them the worst (未完成), any before it in progress (持续推进).
There is a count column per status, in the catalog's order, keyed by its role (n_done, n_progress, n_not_done,
n_na; a second status in progress n_progress2 …), then n_blank: blank or not one of the choices. The
completion rate is done ÷ (every answer that is one of the choices − those that do not apply).

Completion rates rest on the complete, valid 附件2 only: a form to correct (a blank status, a status that is
not one of the choices, such as 完成 or 基本完成) is shown as 暂计 with its answers, and has no rate and no
part in the per-task rates until corrected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..answers import as_answers
from ..models import Catalog, FileRecord, FormKind, Outcome, TaskAnswer
from .current import BranchFiles, provisional
from .frames import Columns, Same, frame, int_col
from .packedtext import Spans

# What a status means (colours and count columns go by it, never by the words of one round).
ROLE_DONE = "done"
ROLE_PROGRESS = "progress"  # open, not the last of the open statuses
ROLE_NOT_DONE = "not_done"  # the last open status
ROLE_NA = "na"
ROLE_BLANK = "blank"  # blank, or not one of the choices
BLANK_HEADER = "未填或无效"


@dataclass(frozen=True)
class StatusColumn:
    """One count column of the task tables: the status it counts ("" for blank or invalid), its role and key."""

    key: str
    status: str
    role: str

    @property
    def header(self) -> str:
        return self.status or BLANK_HEADER


def status_roles(catalog: Catalog) -> dict[str, str]:
    """Each status of the catalog → its role, in the catalog's order."""
    opened = catalog.open_statuses
    roles = {}
    for s in catalog.statuses:
        if s == catalog.done_status:
            roles[s] = ROLE_DONE
        elif s == catalog.na_status:
            roles[s] = ROLE_NA
        else:
            roles[s] = ROLE_NOT_DONE if s == opened[-1] else ROLE_PROGRESS
    return roles


def status_columns(catalog: Catalog) -> tuple[StatusColumn, ...]:
    """A count column per status of the catalog (its order), then the blank-or-invalid one."""
    out = []
    seen: Counter[str] = Counter()
    for status, role in status_roles(catalog).items():
        seen[role] += 1
        out.append(StatusColumn(f"n_{role}{seen[role] if seen[role] > 1 else ''}", status, role))
    return (*out, StatusColumn(f"n_{ROLE_BLANK}", "", ROLE_BLANK))


def task_count_columns(catalog: Catalog) -> list[str]:
    """The count columns' keys, in order: n_done, n_progress, n_not_done, n_na, n_blank for the 2018 statuses."""
    return [c.key for c in status_columns(catalog)]


def answered_statuses(catalog: Catalog) -> tuple[str, ...]:
    """The statuses the completion rate divides by: every choice but the one meaning the task does not apply."""
    return tuple(s for s in catalog.statuses if s != catalog.na_status)


def rate_formula(catalog: Catalog) -> str:
    """完成率 as the texts explain it: 已完成 ÷（已完成 + 持续推进 + 未完成）."""
    return f"{catalog.done_status} ÷（{' + '.join(answered_statuses(catalog))}）"


TASK_META_COLUMNS = ["seq", "branch_id", "branch", "status", "counted", "rate"]
TASK_DETAIL_COLUMNS = ["seq", "branch_id", "branch", "task_id", "group_id", "group", "status", "done", "issues",
                       "counted"]  # fmt: skip


def _completion(catalog: Catalog, counts: Counter[str]) -> float | None:
    denom = sum(counts[s] for s in answered_statuses(catalog))
    return counts[catalog.done_status] / denom if denom else None


def _task_counts(catalog: Catalog, counts: Counter[str]) -> list[int]:
    """A count per status of the catalog, and blank or not one of the choices."""
    known = [counts[s] for s in catalog.statuses]
    return [*known, sum(counts.values()) - sum(known)]


def task_tables(
    catalog: Catalog, resolved: list[BranchFiles], statuses_of: dict[str, list[str]] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """tasks (branch × task), task_rates (per task, complete valid forms only), task_details (every answer);
    `statuses_of`: `task_statuses`, when they were read already."""
    statuses_of = task_statuses(catalog, resolved) if statuses_of is None else statuses_of
    task_ids = [t.id for t in catalog.tasks]
    task_rows: list[list[Any]] = []
    detail_rows = Columns(TASK_DETAIL_COLUMNS, packed=["done", "issues"])
    group_of = catalog.group_of
    fixed = [task_ids, [group_of[t].id for t in task_ids], [group_of[t].title for t in task_ids]]
    per_task: dict[str, Counter[str]] = {t: Counter() for t in task_ids}
    choices = frozenset(catalog.statuses)
    n_counts = len(catalog.statuses) + 1
    for bf in resolved:
        b = bf.branch
        slot = bf.forms[FormKind.TASKS]
        sub = slot.submission
        if slot.current is None or sub is None:
            status = bf.form_status(FormKind.TASKS)
            task_rows.append(
                [b.seq, b.id, b.name, status, False, None, *([None] * n_counts), *([None] * len(task_ids))]
            )
            continue
        statuses = statuses_of[b.name]
        counts = Counter(s if s in choices else "" for s in statuses)
        counted, problems = _counted(slot.current, counts[""])
        if counted:
            for tid, st in zip(task_ids, statuses, strict=True):
                per_task[tid][st] += 1
        status = slot.status if counted else provisional(problems)
        rate = _completion(catalog, counts) if counted else None
        task_rows.append(
            [b.seq, b.id, b.name, status, counted, rate, *_task_counts(catalog, counts), *statuses]
        )
        _detail_rows(catalog, bf, sub.answers, statuses, counted, detail_rows, fixed)
    count_columns = task_count_columns(catalog)
    tasks = frame(task_rows, [*TASK_META_COLUMNS, *count_columns, *task_ids])
    for c in count_columns:
        int_col(tasks, c)
    task_details = detail_rows.frame()
    return tasks, _task_rates(catalog, per_task), task_details


def _counted(current: FileRecord, invalid: int) -> tuple[bool, int]:
    """Whether a 附件2 with values feeds the rates (not to be corrected, every status one of the choices), and
    its open problems."""
    return current.outcome is not Outcome.NEEDS_FIX and not invalid, len(current.errors) or invalid


def task_statuses(catalog: Catalog, resolved: list[BranchFiles]) -> dict[str, list[str]]:
    """Per branch with a counted 附件2 whose values were read: the status of each task, as `_answers` gives
    them (read once for the tables and the overview)."""
    out = {}
    for bf in resolved:
        slot = bf.forms[FormKind.TASKS]
        if slot.current is not None and slot.submission is not None:
            out[bf.branch.name] = _answers(catalog, slot.submission.answers)
    return out


def tasks_counted(
    catalog: Catalog, resolved: list[BranchFiles], statuses: dict[str, list[str]] | None = None
) -> dict[str, bool]:
    """Per branch with a counted 附件2 whose values were read: whether it is complete and valid (`statuses`:
    `task_statuses`, when they were read already)."""
    statuses = task_statuses(catalog, resolved) if statuses is None else statuses
    out = {}
    for bf in resolved:
        slot = bf.forms[FormKind.TASKS]
        if slot.current is not None and slot.submission is not None:
            invalid = sum(s not in catalog.statuses for s in statuses[bf.branch.name])
            out[bf.branch.name] = _counted(slot.current, invalid)[0]
    return out


def _answers(catalog: Catalog, answers: Sequence[TaskAnswer]) -> list[str]:
    """The status of each task in catalog order, as typed ("" when blank; a word not among the choices kept
    as it was typed, so that it can be shown)."""
    packed = as_answers(answers)  # (a record's own already: compact) its statuses, without making its texts
    given = dict(zip(packed.task_ids, packed.statuses, strict=True))
    out = []
    for t in catalog.tasks:
        status = given.get(t.id)
        out.append(str(status).strip() if status is not None else "")
    return out


def _detail_rows(
    catalog: Catalog,
    bf: BranchFiles,
    answers: Sequence[TaskAnswer],
    statuses: list[str],
    counted: bool,
    detail_rows: Columns,
    fixed: list[list[str]],
) -> None:
    """One branch's answers, one row per task; `fixed`: the columns every branch repeats (task id, group id,
    group), one list each, shared by every branch's rows."""
    b = bf.branch
    bid = b.id  # a property: formatted on every access
    n = len(catalog.tasks)
    packed = as_answers(answers)  # its texts stay where they are: the columns refer to them
    ds, de, is_, ie = packed.spans([t.id for t in catalog.tasks])
    done, issues = Spans(packed.text, ds, de), Spans(packed.text, is_, ie)
    detail_rows.extend(
        [Same(b.seq, n), Same(bid, n), Same(b.name, n), *fixed, statuses, done, issues, Same(counted, n)]
    )


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
                *_task_counts(catalog, per_task[t.id]),
                _completion(catalog, per_task[t.id]),
            ]
            for t in catalog.tasks
        ],
        ["task_id", "group_id", "group", "task", *task_count_columns(catalog), "rate"],
    )
