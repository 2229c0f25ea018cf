"""A form's task answers as one object (`Answers`), their texts kept in a collect's few large strings
(`TextStore`), which go to a temporary file as soon as each is full (`spill`).

A province's collect holds ten thousand forms, half of them 附件2 with twenty answers each: as tuples, a
TaskAnswer and two strings per answer (完成情况, 存在问题), two hundred thousand objects spread over the collecting
process's heap. Its helper forked to write the exports shares that heap page by page, and a page is copied as
soon as either process reads anything on it (a reference counted): reading the answers' texts, as the summary
and the exports do, copied nearly every page that held a record. Here a form's answers are one object — its task
ids and statuses tuples shared with every form that has the same, its texts one run of characters and where each
ends — and in the process that collects (`keeping_texts`), those runs go into the collect's `TextStore`: strings
of 64K characters each, written to the collect's temporary file (`spill.SpillFile`) when full, so that how much
the branches wrote does not grow the process. 任务明细's text columns are slices of the same strings
(`aggregate.packedtext`): the texts are held once, and read back when written out.

Reading an `Answers` makes the TaskAnswer tuples it was made of (equal, and equal to the tuple of them); it
pickles as its own texts (a worker's answers reach the collecting process as one string, not forty).
"""

from __future__ import annotations

import itertools
import os
import sys
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .spill import SpillFile, StoredText
from .values import SHARED_MAX, ItemScore, TaskAnswer, shared

CHUNK_CHARS = 1 << 16  # characters of a store's string, about: a form's texts are never split

_shared_tuples: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _shared(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """The equal tuple kept before (task ids, statuses: the same for many forms), else this one, kept."""
    return _shared_tuples.setdefault(values, values) if len(_shared_tuples) < SHARED_MAX else values


class TextStore:
    """Texts in a few large strings: `put` gives where a run of characters went (string, offset). A string is
    written to `spill` when it is full (unless that file cannot be written: then it stays a string)."""

    def __init__(self, spill: SpillFile | None = None) -> None:
        self.spill = spill
        self.chunks: list[str | StoredText] = []
        self._pending: list[str] = []
        self._size = 0
        self._handles: dict[int, StoreChunk] = {}

    def put(self, text: str) -> tuple[int, int]:
        at = (len(self.chunks), self._size)
        self._pending.append(text)
        self._size += len(text)
        if self._size >= CHUNK_CHARS:
            self._close()
        return at

    def chunk(self, no: int) -> str | StoredText:
        """String `no` (the one being filled is closed first: what was put in it is read from now on)."""
        if no == len(self.chunks):
            self._close()
        return self.chunks[no]

    def handle(self, no: int) -> StoreChunk:
        """String `no` before it is closed, sliced like it (`StoreChunk`: one per string)."""
        got = self._handles.get(no)
        if got is None:
            got = self._handles[no] = StoreChunk(self, no)
        return got

    def close(self) -> None:
        """The string being filled closed (written to `spill`): done before helpers are forked to read them, so
        that none of them writes it again."""
        if self._pending:
            self._close()

    def _close(self) -> None:
        text = "".join(self._pending)
        self.chunks.append(text if self.spill is None else self.spill.put(text))
        self._pending, self._size = [], 0


class StoreChunk:
    """A `TextStore`'s string `no`, given before it is closed (a table's texts are added a branch at a time):
    sliced like the string, which it reads (`resolved`) only then."""

    __slots__ = ("_no", "_store")

    def __init__(self, store: TextStore, no: int) -> None:
        self._store, self._no = store, no

    def resolved(self) -> str | StoredText:
        return self._store.chunk(self._no)

    def __getitem__(self, k: Any) -> str:
        return self.resolved()[k]

    def __len__(self) -> int:
        return len(self.resolved())


_keeping: tuple[int, TextStore] | None = None  # (this process's id, the store its answers' texts go to)


@contextmanager
def keeping_texts(spill: bool = True) -> Iterator[TextStore]:
    """While the block runs, the answers made in this process keep their texts in one new store (not in forked
    helpers: a helper's answers are sent on and dropped; they keep their own texts); its full strings go to a
    temporary file of its own (`spill=False`: they stay in memory)."""
    global _keeping
    before, store = _keeping, TextStore(SpillFile() if spill else None)
    _keeping = (os.getpid(), store)
    try:
        yield store
    finally:
        _keeping = before
        store.close()


class _Kept(Sequence[Any]):
    """A form's values with texts, their texts one run of characters in `text` from `base`, `ends` saying where
    each text ends; in the process that collects (`keeping_texts`), that run goes into the collect's store.
    Reading one makes the tuple it was made of (`_one`, a subclass's)."""

    __slots__ = ("_base", "_chunk", "_ends", "_store", "_text")

    def _keep(self, text: str, ends: array[int]) -> None:
        self._ends = ends
        self._store: TextStore | None = None
        self._chunk, self._base, self._text = -1, 0, text
        if _keeping is not None and _keeping[0] == os.getpid():
            self._store = _keeping[1]
            self._chunk, self._base = self._store.put(text)
            self._text = ""

    @property
    def text(self) -> str | StoredText:
        """The string holding the texts (from `spans`' offsets on): the form's own, or its store's (sliced like
        a string, read back from the store's file when it went there)."""
        return self._text if self._store is None else self._store.chunk(self._chunk)

    def _own(self) -> str:
        """The form's texts, one after the other (one read of its store's file, when they went there)."""
        return self.text[self._base : self._base + (self._ends[-1] if len(self._ends) else 0)]

    def _one(self, k: int, text: str | StoredText, base: int) -> Any:
        raise NotImplementedError

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return tuple(self._one(i, self.text, self._base) for i in range(len(self))[k])
        return self._one(range(len(self))[k], self.text, self._base)

    def __iter__(self) -> Iterator[Any]:
        own = self._own()
        return (self._one(k, own, 0) for k in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Kept | tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


class Answers(_Kept):
    """A form's task answers: task ids and statuses, and their texts (完成情况 then 存在问题 of each task in
    turn), two texts per task."""

    __slots__ = ("_ids", "_statuses")

    def __init__(
        self, ids: tuple[str, ...], statuses: tuple[str | None, ...], text: str, ends: array[int]
    ) -> None:
        if len(ends) != 2 * len(ids) or len(statuses) != len(ids) or (len(ends) and ends[-1] != len(text)):
            raise ValueError("answers: not two texts and a status per task")
        self._ids = _shared(tuple(map(sys.intern, ids)))
        self._statuses = _shared(tuple(None if s is None else sys.intern(s) for s in statuses))
        self._keep(text, ends)

    @classmethod
    def of(cls, answers: Sequence[TaskAnswer]) -> Answers:
        texts = [t or "" for a in answers for t in (a.done, a.issues)]
        ends = array("i", itertools.accumulate(map(len, texts)))
        return cls(tuple(a.task_id for a in answers), tuple(a.status for a in answers), "".join(texts), ends)

    @property
    def task_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def statuses(self) -> tuple[str | None, ...]:
        return self._statuses

    def spans(self, task_ids: Sequence[str]) -> tuple[list[int], list[int], list[int], list[int]]:
        """Where in `text` each of `task_ids`' 完成情况 and 存在问题 are: (done starts, done ends, issues starts,
        issues ends); a task not answered here an empty slice. A task answered twice: its last answer (as a dict of
        the answers by task id keeps it)."""
        at = {task_id: k for k, task_id in enumerate(self._ids)}
        bounds = [self._base, *(self._base + e for e in self._ends)]  # text j runs bounds[j]..bounds[j + 1]
        out: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
        for task_id in task_ids:
            k = at.get(task_id)
            a, b, c = (bounds[2 * k], bounds[2 * k + 1], bounds[2 * k + 2]) if k is not None else (0, 0, 0)
            for column, v in zip(out, (a, b, b, c), strict=True):
                column.append(v)
        return out

    def _one(self, k: int, text: str | StoredText, base: int) -> TaskAnswer:
        ends = self._ends
        a = base + (ends[2 * k - 1] if k else 0)
        b, c = base + ends[2 * k], base + ends[2 * k + 1]
        return TaskAnswer(self._ids[k], self._statuses[k], text[a:b], text[b:c])

    def __len__(self) -> int:
        return len(self._ids)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Answers, (self._ids, self._statuses, self._own(), self._ends)


class Scores(_Kept):
    """A 附件1's item scores: each item's score without its 扣分说明 (`values.shared`: one tuple per process for
    each item and score), and the 扣分说明 one text per item. A province's 附件1 say why points were lost on
    about ten items each: a string and a tuple of their own per item, spread over the heap, until kept here."""

    __slots__ = ("_plain",)

    def __init__(self, plain: tuple[ItemScore, ...], text: str, ends: array[int]) -> None:
        if len(ends) != len(plain) or (len(ends) and ends[-1] != len(text)) or any(s.note for s in plain):
            raise ValueError("scores: not one text per item, or an item with its text")
        self._plain = tuple(map(shared, plain))
        self._keep(text, ends)

    @classmethod
    def of(cls, scores: Sequence[ItemScore]) -> Scores:
        notes = [s.note or "" for s in scores]
        plain = tuple(s._replace(note="") if s.note else s for s in scores)
        return cls(plain, "".join(notes), array("i", itertools.accumulate(map(len, notes))))

    def _one(self, k: int, text: str | StoredText, base: int) -> ItemScore:
        plain, ends = self._plain[k], self._ends
        a, b = base + (ends[k - 1] if k else 0), base + ends[k]
        return plain._replace(note=text[a:b]) if b > a else plain

    def __len__(self) -> int:
        return len(self._plain)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Scores, (self._plain, self._own(), self._ends)


def as_answers(values: Sequence[TaskAnswer]) -> Answers:
    """`values` as one `Answers` object (itself when it is one)."""
    return values if isinstance(values, Answers) else Answers.of(values)


def answers_of(values: Sequence[TaskAnswer]) -> Sequence[TaskAnswer]:
    """`values` as one `Answers` object, as a record keeps them (an empty one as it is)."""
    return as_answers(values) if values else values


def scores_of(values: Sequence[ItemScore]) -> Sequence[ItemScore]:
    """`values` as one `Scores` object, as a record keeps them: when any has a 扣分说明 (else the tuple of the
    shared values, `values.shared`: it holds no text)."""
    if isinstance(values, Scores):
        return values
    if any(s.note for s in values):
        return Scores.of(values)
    return tuple(map(shared, values))


def without_notes(values: Sequence[ItemScore]) -> Sequence[ItemScore]:
    """`values` with their 扣分说明 left out when they are kept as a `Scores` (its texts not read): for what
    needs only the item ids and scores."""
    return values._plain if isinstance(values, Scores) else values
