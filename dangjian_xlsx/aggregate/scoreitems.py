"""得分明细 (`Tables.score_items`): one row per item of each branch whose 附件1 was scored, kept as arrays and
made into rows when read.

A province's table has a quarter of a million rows (5,000 branches, 45 items each), every one repeating its
branch's number, id and name and its item's id, section and points. Held as a DataFrame, its arrays (a reference
per row for each text column) and the lists they were built from were the collecting process's largest table;
and the helper forked to write the exports, reading them, counted a reference on each row's strings — the
records' — and so copied the memory pages they lie on. Here the table keeps per branch its number, id, name and
whether its form counts, and per row only its score (an array of floats, NaN for none) and its note (slices of a
few strings: `PackedText`): what the rows repeat is the catalog's, held once. Its rows are made when they are
read — a slice (`columns_at`), rows at positions (`columns_at_positions`), one branch's (`branch`), the rows that
feed the 失分分析 (`loss_rows`), the whole (`frame`) — from arrays that reading leaves untouched.

What is read is what the DataFrame gave: the same rows in the same order, each column's values as its `tolist()`
gave them (the same dtype rules: `frames.series_of`), a frame's dtypes its.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..answers import TextStore
from ..models import Catalog
from ..spill import SpillFile
from .compact import Texts
from .frames import r4, series_of
from .packedtext import PackedColumn, PackedText, Spans

SCORE_ITEM_COLUMNS = ["seq", "branch_id", "branch", "item_id", "section_id", "points", "score", "lost", "note",
                      "valid", "counted"]  # fmt: skip
_ROWS = 4_096  # rows made at a time when every row is read (`rows`)


class _Lost(dict[tuple[float, float], float]):
    """(points, score) → the points lost, computed the first time a pair is asked for."""

    def __missing__(self, key: tuple[float, float]) -> float:
        points, score = key
        lost = self[key] = r4(points - score)
        return lost


class ScoreItems:
    """The rows of 得分明细 (SCORE_ITEM_COLUMNS), each scored branch's items in catalog order (`add`)."""

    columns = SCORE_ITEM_COLUMNS

    def __init__(self, catalog: Catalog) -> None:
        section_of = catalog.section_of
        self._ids = [i.id for i in catalog.items]
        points: list[Any] = [i.points for i in catalog.items]
        if not all(type(p) is int for p in points):  # as the column gave them: floats if any is not whole
            points = [float(p) for p in points]
        self._per_item = {  # what every branch's rows repeat, by item
            "item_id": _objects(self._ids),
            "section_id": _objects([section_of[i.id].id for i in catalog.items]),
            "points": _objects(points),
        }
        self._points = points
        self._lost = _Lost()
        self._per_branch: dict[str, list[Any]] = {"seq": [], "branch_id": [], "branch": [], "counted": []}
        # while rows are added: each row's valid score and the points it lost (NaN for none), each (points, score)
        # pair rounded once (`_Lost`)
        self._added, self._added_lost = array("d"), array("d")
        self._any_score = False  # else score and lost hold nothing but blanks: None in a column of objects
        self._note_column = PackedColumn()
        # the branches' notes in a few large strings, written to a temporary file as each is full (`spill`): the
        # table holds none of them, and a forked writer reads a few objects where it read one per branch
        self._notes = TextStore(SpillFile())
        self._of_branch: dict[str, list[int]] = {}  # branch id → its parts (a branch scored twice: both)
        self._read: _Arrays | None = None  # once read: the arrays the rows are made of (`_arrays`)

    def add(self, seq: int, branch_id: str, branch: str, items: Sequence[tuple[str, float | None, str]],
            counted: bool) -> tuple[list[float], Spans]:  # fmt: skip
        """A scored branch's rows: `items` (item id, valid score or None, note) in catalog order. Returns what
        another table shows of them without working it out again: the points lost on each (NaN without a
        score), and the notes as kept (slices of one string, not copies)."""
        if self._read is not None:
            raise RuntimeError("得分明细 read before all its rows were added")
        ids, scores, notes = zip(*items, strict=True) if items else ((), (), ())
        if list(ids) != self._ids:
            raise ValueError(f"{branch}: item scores not in the catalog's order")
        self._of_branch.setdefault(branch_id, []).append(len(self._added) // len(self._ids))
        for key, value in (("seq", seq), ("branch_id", branch_id), ("branch", branch), ("counted", counted)):
            self._per_branch[key].append(value)
        memo = self._lost
        lost = [math.nan if v is None else memo[p, v] for v, p in zip(scores, self._points, strict=True)]
        self._added.extend(math.nan if v is None else v for v in scores)
        self._added_lost.extend(lost)
        self._any_score = self._any_score or any(v is not None for v in scores)
        joined = Spans.joined(notes)
        no, base = self._notes.put(joined.text)
        kept = Spans(
            self._notes.handle(no), [base + a for a in joined.starts], [base + b for b in joined.ends]
        )
        self._note_column.extend(kept)
        return lost, kept

    def __len__(self) -> int:
        return len(self._added) if self._read is None else len(self._read.scores)

    # ------------------------------------------------------------ reading

    def columns_at(self, names: Sequence[str], start: int = 0, stop: int | None = None) -> list[list[Any]]:
        """The values of rows start..stop-1 of each of `names`, as the DataFrame's `tolist()` gave them."""
        stop = len(self) if stop is None else min(stop, len(self))
        return self._values(names, np.arange(start, max(start, stop)))

    def columns_at_positions(self, names: Sequence[str], at: np.ndarray) -> list[list[Any]]:
        """`columns_at` of the rows at positions `at`."""
        return self._values(names, np.asarray(at, dtype=np.int64))

    def runs(self) -> dict[str, list[tuple[int, int]]]:
        """Each branch id → the (start, stop) of its rows, a run per time it was added."""
        n = len(self._ids)
        return {b: [(k * n, (k + 1) * n) for k in parts] for b, parts in self._of_branch.items()}

    def rows(self, names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Every row's values of `names`, as tuples (`frames.rows`), made a slice of rows at a time."""
        for start in range(0, len(self), _ROWS):
            yield from zip(*self.columns_at(names, start, start + _ROWS), strict=True)

    def branch(self, branch_id: str) -> pd.DataFrame:
        """The rows of one branch (`frames.branch_rows`: indexed by their row numbers in the table)."""
        n = len(self._ids)
        parts = self._of_branch.get(branch_id, [])
        return self._frame(
            self.columns, np.concatenate([np.arange(k * n, (k + 1) * n) for k in parts] or [[]])
        )

    def loss_rows(self) -> LossRows:
        """The rows the 失分分析 counts (a valid score, of a branch whose form counts), in table order, as arrays."""
        read = self._arrays()
        counted = np.repeat(read.per_branch["counted"].astype(bool), len(self._ids))
        at = np.flatnonzero(counted & ~np.isnan(read.scores))
        parts, items = np.divmod(at, len(self._ids))
        codes, branch_ids = pd.factorize(read.per_branch["branch_id"])
        lost = read.lost[at]
        points = np.array(self._points, dtype=np.float64)[items]
        return LossRows(self._ids, [str(b) for b in branch_ids], items, codes[parts], lost, points)

    def frame(self) -> pd.DataFrame:
        """The whole table as a DataFrame (the one this stands for)."""
        whole = self._frame(self.columns, np.arange(len(self)))
        whole.index = pd.RangeIndex(len(whole))
        return whole

    # ------------------------------------------------------------ making the rows

    def _frame(self, names: Sequence[str], at: np.ndarray) -> pd.DataFrame:
        if not len(at):
            return pd.DataFrame({name: [] for name in names})
        at = at.astype(np.int64)
        columns = self._values(names, at)
        data = {}
        for name, values in zip(names, columns, strict=True):
            data[name] = series_of(values)
            data[name].index = at
        return pd.DataFrame(data, columns=list(names))

    def _values(self, names: Sequence[str], at: np.ndarray) -> list[list[Any]]:
        read = self._arrays()
        parts, items = np.divmod(at, len(self._ids))
        scores = read.scores[at]
        out: list[list[Any]] = []
        for name in names:
            if name in read.per_branch:
                out.append(read.per_branch[name][parts].tolist())
            elif name in self._per_item:
                out.append(self._per_item[name][items].tolist())
            elif name == "score":
                out.append(scores.tolist() if self._any_score else [None] * len(at))
            elif name == "lost":
                out.append(read.lost[at].tolist() if self._any_score else [None] * len(at))
            elif name == "valid":
                out.append((~np.isnan(scores)).tolist())
            elif name == "note":
                out.append(read.notes.values(at))
            else:
                raise KeyError(name)
        return out

    def compact(self, texts: Texts) -> None:
        """The branches' ids and names as `texts`' copies (`compact.Texts`: laid out together); the notes'
        last string closed (written out before writers are forked to read it)."""
        self._notes.close()
        read = self._arrays()
        for key in ("branch_id", "branch"):
            read.per_branch[key] = texts.values(read.per_branch[key])

    def _arrays(self) -> _Arrays:
        """The arrays the rows are made of, made from what was added the first time rows are read (no row can
        be added after)."""
        if self._read is None:
            given = self._per_branch
            per_branch = {
                "seq": np.array(given["seq"], dtype=np.int64),
                "branch_id": _objects(given["branch_id"]),
                "branch": _objects(given["branch"]),
                "counted": np.array(given["counted"], dtype=bool),
            }
            scores, lost = (np.array(a, dtype=np.float64) for a in (self._added, self._added_lost))
            self._read = _Arrays(per_branch, scores, lost, _Notes.of(self._note_column.array()))
            self._per_branch, self._added, self._added_lost = {}, array("d"), array("d")
        return self._read


@dataclass(frozen=True)
class LossRows:
    """Rows of 得分明细 as arrays: each one's item (a position in `item_ids`), branch (a position in
    `branch_ids`), points lost and points."""

    item_ids: list[str]
    branch_ids: list[str]
    items: np.ndarray
    branches: np.ndarray
    lost: np.ndarray
    points: np.ndarray


@dataclass(frozen=True)
class _Arrays:
    per_branch: dict[str, np.ndarray]  # seq, branch_id, branch, counted: one value per part
    scores: np.ndarray  # float64, one per row: NaN for none
    lost: np.ndarray  # float64, the points lost per row: NaN for none
    notes: _Notes


@dataclass(frozen=True)
class _Notes:
    """得分明细's notes: those of the rows that have one (`at`, ascending), every other row's empty. A province's
    forms say why on a few of their fifty items: the rows without a note keep nothing."""

    at: np.ndarray
    texts: PackedText

    @classmethod
    def of(cls, column: PackedText) -> _Notes:
        at = column.nonempty()
        return cls(at, column.take(at))

    def values(self, rows: np.ndarray) -> list[str]:
        """The notes of `rows` (positions), as the whole column's `take(rows).tolist()` gave them."""
        out = [""] * len(rows)
        if not len(self.at) or not len(rows):
            return out
        pos = np.searchsorted(self.at, rows)
        hit = pos < len(self.at)
        hit[hit] = self.at[pos[hit]] == rows[hit]
        for k, text in zip(np.flatnonzero(hit).tolist(), self.texts.take(pos[hit]).tolist(), strict=True):
            out[k] = text
        return out


def _objects(values: Sequence[Any]) -> np.ndarray:
    """`values` as an array of objects (indexed by row positions)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out
