"""得分明细 (`Tables.score_items`): one row per item of each branch whose 附件1 was scored, its rows made when read.

A province's table has a hundred thousand rows and more (5,000 branches, 22 items each), every one repeating its
branch's number, id and name and its item's id, section and points. Held as a DataFrame, its arrays and the
lists they were built from were the collecting process's largest part after the records (and the summary
workbook does not even show it: the CSV and JSON exports, the feedback workbooks, the 失分分析 and the ledger's
carry-over read it). Here the table keeps what it is made of — each branch's number, id, name, whether its form
counts, and its item values as its `Scored` holds them (tuples the records hold already) — and makes its rows
when they are read: a slice of rows (`columns`), one branch's rows (`branch`), the whole (`frame`).

What is read is what the DataFrame gave: the same rows in the same order, each column's values as that
DataFrame's `tolist()` gave them (the same dtype rules: `frames.series_of`), a frame's dtypes its.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..models import Catalog
from .frames import r4, series_of

SCORE_ITEM_COLUMNS = ["seq", "branch_id", "branch", "item_id", "section_id", "points", "score", "lost", "note",
                      "valid", "counted"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Part:
    """One branch's rows: its fields, and its items as (item id, valid score or None, note) in catalog order."""

    seq: int
    branch_id: str
    branch: str
    items: Sequence[tuple[str, float | None, str]]
    counted: bool


class Lost(dict[tuple[float, float], float]):
    """(points, score) → the points lost, computed the first time a pair is asked for."""

    def __missing__(self, key: tuple[float, float]) -> float:
        points, score = key
        lost = self[key] = r4(points - score)
        return lost


class ScoreItems:
    """The rows of 得分明细 (SCORE_ITEM_COLUMNS), a branch's at a time as they were added (`add`)."""

    columns = SCORE_ITEM_COLUMNS

    def __init__(self, catalog: Catalog) -> None:
        section_of = catalog.section_of
        self._ids = [i.id for i in catalog.items]
        self._section_ids = [section_of[i.id].id for i in catalog.items]
        self._points: list[Any] = [i.points for i in catalog.items]
        self._lost = Lost()
        self._parts: list[_Part] = []
        self._starts = array("q")  # each part's first row
        self._rows = 0
        # whether any row has a score (and so a loss): else both columns hold nothing but blanks, which pandas
        # keeps as None in a column of objects, not as NaN in one of numbers
        self._scores = False
        self._of_branch: tuple[dict[str, list[int]], int] | None = None  # branch id → its parts (of so many)

    def add(self, seq: int, branch_id: str, branch: str, items: Sequence[tuple[str, float | None, str]],
            counted: bool) -> None:  # fmt: skip
        """A scored branch's rows: `items` (item id, valid score or None, note) in catalog order."""
        if [i for i, _, _ in items] != self._ids:
            raise ValueError(f"{branch}: item scores not in the catalog's order")
        self._parts.append(_Part(seq, branch_id, branch, items, counted))
        self._starts.append(self._rows)
        self._rows += len(items)
        self._scores = self._scores or any(v is not None for _, v, _ in items)

    def __len__(self) -> int:
        return self._rows

    # ------------------------------------------------------------ reading

    def columns_at(self, names: Sequence[str], start: int = 0, stop: int | None = None) -> list[list[Any]]:
        """The values of rows start..stop-1 of each of `names`, as the DataFrame's `tolist()` gave them."""
        stop = self._rows if stop is None else min(stop, self._rows)
        out: list[list[Any]] = [[] for _ in names]
        if start >= stop:
            return out
        k = bisect_right(self._starts, start) - 1
        while k < len(self._parts) and self._starts[k] < stop:
            first = self._starts[k]
            lo, hi = max(start, first) - first, min(stop, first + len(self._parts[k].items)) - first
            for column, name in zip(out, names, strict=True):
                column.extend(self._values(self._parts[k], name)[lo:hi])
            k += 1
        return out

    def columns_at_positions(self, names: Sequence[str], at: np.ndarray) -> list[list[Any]]:
        """`columns_at` of the rows at positions `at` (runs of consecutive rows, each read at once)."""
        out: list[list[Any]] = [[] for _ in names]
        if not len(at):
            return out
        for run in np.split(at, np.flatnonzero(np.diff(at) != 1) + 1):
            for column, values in zip(out, self.columns_at(names, int(run[0]), int(run[-1]) + 1), strict=True):
                column.extend(values)
        return out

    def runs(self) -> dict[str, list[tuple[int, int]]]:
        """Each branch id → the (start, stop) of its rows (one run: a branch's rows are together)."""
        out: dict[str, list[tuple[int, int]]] = {}
        for part, start in zip(self._parts, self._starts, strict=True):
            out.setdefault(part.branch_id, []).append((start, start + len(part.items)))
        return out

    def rows(self, names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Every row's values of `names`, as tuples (`frames.rows`)."""
        for part in self._parts:
            yield from zip(*(self._values(part, name) for name in names), strict=True)

    def branch(self, branch_id: str) -> pd.DataFrame:
        """The rows of one branch (`frames.branch_rows`: indexed by their row numbers in the table)."""
        if self._of_branch is None or self._of_branch[1] != len(self._parts):  # parts added since
            index: dict[str, list[int]] = {}
            for k, part in enumerate(self._parts):
                index.setdefault(part.branch_id, []).append(k)
            self._of_branch = (index, len(self._parts))
        return self._frame(self._of_branch[0].get(branch_id, []))

    def counted_frame(self, names: Sequence[str]) -> pd.DataFrame:
        """`names` of the rows with a valid score of the branches whose form counts (the 失分分析's)."""
        parts = [k for k, part in enumerate(self._parts) if part.counted]
        frame = self._frame(parts, names)
        return frame[self._flags(parts)] if len(frame) else frame

    def frame(self) -> pd.DataFrame:
        """The whole table as a DataFrame (the one this stands for)."""
        whole = self._frame(range(len(self._parts)))
        whole.index = pd.RangeIndex(len(whole))
        return whole

    # ------------------------------------------------------------ making the rows

    def _values(self, part: _Part, name: str) -> list[Any]:
        n = len(part.items)
        if name in ("seq", "branch_id", "branch", "counted"):
            return [getattr(part, name)] * n
        if name == "item_id":
            return self._ids
        if name == "section_id":
            return self._section_ids
        if name == "points":
            return self._point_values
        if name == "score":
            return [_NAN if v is None else v for _, v, _ in part.items] if self._scores else [None] * n
        if name == "lost":
            memo = self._lost
            lost = [
                _NAN if v is None else memo[p, v]
                for (_, v, _), p in zip(part.items, self._points, strict=True)
            ]
            return lost if self._scores else [None] * n
        if name == "note":
            return [note for _, _, note in part.items]
        if name == "valid":
            return [v is not None for _, v, _ in part.items]
        raise KeyError(name)

    @property
    def _point_values(self) -> list[Any]:
        """The points as the column gives them: floats when any is not whole (pandas makes it float64)."""
        if all(type(p) is int for p in self._points):
            return self._points
        return [float(p) for p in self._points]

    def _frame(self, parts: Iterable[int], names: Sequence[str] | None = None) -> pd.DataFrame:
        names = list(self.columns if names is None else names)
        parts = list(parts)
        if not parts:
            return pd.DataFrame({name: [] for name in names})
        data = {name: [v for k in parts for v in self._values(self._parts[k], name)] for name in names}
        index = np.concatenate(
            [np.arange(self._starts[k], self._starts[k] + len(self._parts[k].items)) for k in parts]
        )
        return pd.DataFrame({name: _series(values, index) for name, values in data.items()}, columns=names)

    def _flags(self, parts: list[int]) -> np.ndarray:
        return np.array([v is not None for k in parts for _, v, _ in self._parts[k].items], dtype=bool)


_NAN = float("nan")


def _series(values: list[Any], index: np.ndarray) -> pd.Series:
    series = series_of(values)
    series.index = index
    return series
