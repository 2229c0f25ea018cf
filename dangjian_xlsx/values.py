"""A form's values, one per item or task, as the validated Submission holds them (`models` re-exports them):
plain named tuples, not models. A province's round keeps about a hundred of them for each of ten thousand files,
and a pydantic model costs five times a tuple's memory; `models.Submission` still validates their fields.
Pickled (worker → parent), their ids and statuses come back as the parent's one shared copy of each string
instead of one copy per file."""

from __future__ import annotations

import sys
from typing import Any, NamedTuple


def _shared(value: str | None) -> str | None:
    return None if value is None else sys.intern(value)


def _item_score(item_id: str, score: float | None, note: str) -> ItemScore:
    return ItemScore(sys.intern(item_id), score, note)


def _task_answer(task_id: str, status: str | None, done: str, issues: str) -> TaskAnswer:
    return TaskAnswer(sys.intern(task_id), _shared(status), done, issues)


def _inspection_score(
    item_id: str, self_score: float | None, score: float | None, opinion: str
) -> InspectionScore:
    return InspectionScore(sys.intern(item_id), self_score, score, opinion)


class ItemScore(NamedTuple):
    item_id: str
    score: float | None
    note: str = ""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _item_score, tuple(self)


class TaskAnswer(NamedTuple):
    task_id: str
    status: str | None
    done: str = ""
    issues: str = ""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _task_answer, tuple(self)


class InspectionScore(NamedTuple):
    item_id: str
    self_score: float | None
    score: float | None
    opinion: str = ""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _inspection_score, tuple(self)
