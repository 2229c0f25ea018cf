"""A form's values, one per item or task, as the validated Submission holds them (`models` re-exports them):
plain named tuples, not models. A province's round keeps about a hundred of them for each of ten thousand files,
and a pydantic model costs five times a tuple's memory; `models.Submission` still validates their fields.
Pickled (worker → parent), their ids and statuses come back as the parent's one shared copy of each string
instead of one copy per file. A value without text (a score without 扣分说明, an answer with its text cells
blank) is kept once however many files hold it (`shared`): most items of most files are such a value, one of a
few hundred per round. `Kept` is the base of the models a round keeps by the ten thousand (records, their
submissions and problems): one fields-set per class instead of one per instance."""

from __future__ import annotations

import math
import sys
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, model_validator

# values kept once (`shared`): far more than a round's distinct ones; a bound all the same
SHARED_MAX = 50_000

_kept: dict[Any, Any] = {}


def _shared(value: str | None) -> str | None:
    return None if value is None else sys.intern(value)


def _number(x: Any) -> bool:
    """A score an equal one may stand for: None or a finite float (-0.0 equals 0.0, but is written -0)."""
    return x is None or (type(x) is float and math.isfinite(x) and (x != 0 or math.copysign(1.0, x) > 0))


V = TypeVar("V", bound=tuple[Any, ...])


def shared(value: V) -> V:
    """`value`, or the equal one kept before: an ItemScore, TaskAnswer or InspectionScore whose text is blank
    and whose scores are plain numbers is kept once per process; any other value is returned as it is."""
    if type(value) is ItemScore:
        plain = not value.note and _number(value.score)
    elif type(value) is TaskAnswer:
        plain = not value.done and not value.issues
    elif type(value) is InspectionScore:
        plain = not value.opinion and _number(value.self_score) and _number(value.score)
    else:
        return value
    if not plain or len(_kept) >= SHARED_MAX:
        return value
    # its own key: values of two classes are never equal (3 fields against 4, a text against a number)
    kept = _kept.get(value)
    if kept is None:  # kept with its id (and status) interned, however the first one came to be made
        kept = _kept.setdefault(value, _interned(value))
    return kept  # type: ignore[no-any-return]


def _interned(value: V) -> V:
    if type(value) is TaskAnswer:
        return TaskAnswer(sys.intern(value.task_id), _shared(value.status), value.done, value.issues)  # type: ignore[return-value]
    return type(value)(sys.intern(value[0]), *value[1:])


def _item_score(item_id: str, score: float | None, note: str) -> ItemScore:
    return shared(ItemScore(sys.intern(item_id), score, note))


def _task_answer(task_id: str, status: str | None, done: str, issues: str) -> TaskAnswer:
    return shared(TaskAnswer(sys.intern(task_id), _shared(status), done, issues))


def _inspection_score(
    item_id: str, self_score: float | None, score: float | None, opinion: str
) -> InspectionScore:
    return shared(InspectionScore(sys.intern(item_id), self_score, score, opinion))


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


# ---------------------------------------------------------------- models kept by the ten thousand


class Kept(BaseModel):
    """A model a round keeps by the ten thousand (records, their problems and submissions): every instance
    of a class shares one set of the fields it "set" (pydantic keeps a set per instance, bigger than most of
    what it describes). The set names every field, so that assigning a field adds nothing to it; nothing
    here asks which fields were set."""

    @model_validator(mode="after")
    def _share_fields_set(self) -> Any:
        object.__setattr__(self, "__pydantic_fields_set__", all_fields(type(self)))
        return self

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        state.pop("__pydantic_fields_set__", None)  # the class's one, set again when unpickled
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:  # unpickled (a worker's record)
        # its fields' names as this process's one copy of each (unpickled, they are the message's own)
        fields = state.get("__dict__") or {}
        super().__setstate__({**state, "__dict__": {sys.intern(k): v for k, v in fields.items()}})
        object.__setattr__(self, "__pydantic_fields_set__", all_fields(type(self)))


_fields_sets: dict[type, set[str]] = {}


def all_fields(cls: type[BaseModel]) -> set[str]:
    """The one set of every field of `cls` its instances share (`Kept`)."""
    fields = _fields_sets.get(cls)
    if fields is None:
        fields = _fields_sets[cls] = set(cls.model_fields)
    return fields
