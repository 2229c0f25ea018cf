"""Small helpers shared by the aggregate tables: blank cells, row iteration, rounding, empty-safe frames."""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any, Protocol

import numpy as np
import pandas as pd

from .packedtext import PackedColumn


def is_missing(v: Any) -> bool:
    """True for None, NaN and pandas' NA: a cell left blank."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


class LongRows(Protocol):
    """A long table whose rows are made when read (`scoreitems.ScoreItems`): what `rows` and `branch_rows`
    read of it."""

    def rows(self, names: Sequence[str]) -> Iterator[tuple[Any, ...]]: ...

    def branch(self, branch_id: str) -> pd.DataFrame: ...


def rows(df: pd.DataFrame | LongRows, columns: Iterable[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of `columns` as tuples of plain Python values (fast: one tolist() per column)."""
    if not isinstance(df, pd.DataFrame):
        return df.rows(list(columns))
    cols = [df[c].tolist() for c in columns]
    return zip(*cols, strict=True) if cols else iter(())


def values_at(column: pd.Series, at: slice | np.ndarray) -> list[Any]:
    """`column.iloc[at].tolist()`: the values of some rows (a slice, or row positions) as plain Python values.
    A column whose array pandas hands out as it holds it (`_plain`) is indexed without pandas; the values are
    the same."""
    if _plain(column.dtype):
        return column.to_numpy()[at].tolist()  # type: ignore[no-any-return]
    if isinstance(column.dtype, pd.CategoricalDtype):  # codes (`compact.Texts.coded`): each code's text
        codes = column.array.codes[at]  # type: ignore[attr-defined]
        texts = column.dtype.categories.to_numpy(dtype=object)  # the categories' own array, not a copy
        if not len(texts):
            return [np.nan] * len(codes)
        out = texts[codes]
        out[codes < 0] = np.nan  # code -1: missing
        return out.tolist()  # type: ignore[no-any-return]
    return column.iloc[at].tolist()


def _plain(dtype: Any) -> bool:
    """Whether a column's `to_numpy()` is its own array, holding the values `Series.tolist()` gives: NumPy
    numbers, booleans and objects, and pandas' text kept as Python strings (a missing one NaN either way).
    Nullable integers, dates and the rest go through pandas."""
    if isinstance(dtype, np.dtype):
        return dtype.kind in "fiubO"
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "python" and dtype.na_value is np.nan


def short_text(text: str, limit: int = 32) -> str:
    """An item's text without its leading number, cut to `limit` characters."""
    t = re.sub(r"^\s*\d+\s*[.．、]\s*", "", text).strip()
    return t if len(t) <= limit else t[: limit - 1] + "…"


def r4(x: float) -> float:
    return round(x, 4)


def frame(rows: list[dict[str, Any]] | list[list[Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: [] for c in columns})


class Same(Sequence[Any]):
    """`n` times one value: a stretch of a long table's column that repeats a value (a branch's name on each of
    its rows), given to `Columns.extend` without a list of it."""

    __slots__ = ("n", "value")

    def __init__(self, value: Any, n: int) -> None:
        self.value, self.n = value, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: Any) -> Any:
        at = range(self.n)[i]  # IndexError past the end, as a list
        return [self.value] * len(at) if isinstance(i, slice) else self.value

    def __iter__(self) -> Iterator[Any]:
        return repeat(self.value, self.n)


class Columns:
    """A long table's rows kept column by column, then made a DataFrame with the same dtypes as `frame` gives
    the rows. A list per row would keep hundreds of thousands of small lists alive at once (a province's
    rounds: every item of every branch), and their freed memory would stay scattered between the values kept
    afterwards. A branch's rows are given a column at a time (`extend`: one call per branch, not one per row)."""

    def __init__(self, names: list[str], packed: Iterable[str] = ()) -> None:
        self.names = names
        self.packed = frozenset(packed)  # the columns of free text, kept packed (`PackedText`)
        if not self.packed <= set(names):
            raise ValueError("a packed column that is not one of the table's")
        self.values: list[Any] = [PackedColumn() if name in self.packed else [] for name in names]

    def __len__(self) -> int:
        return len(self.values[0])

    def append(self, row: Iterable[Any]) -> None:
        for column, value in zip(self.values, row, strict=True):
            if isinstance(column, PackedColumn):
                column.extend([value])
            else:
                column.append(value)

    def extend(self, columns: Sequence[Sequence[Any]]) -> None:
        """Rows given a column at a time: each column's values (a list, a tuple, a `Same`) for the same rows."""
        if len(columns) != len(self.values):
            raise ValueError("not one sequence of values per column")
        n = len(columns[0]) if columns else 0
        if any(len(values) != n for values in columns):
            raise ValueError("a long table's columns are not one value per row")
        for column, values in zip(self.values, columns, strict=True):
            column.extend(values)

    def frame(self) -> pd.DataFrame:
        """The table (once: each column's values are let go as soon as they are converted)."""
        if not len(self):
            return frame([], self.names)
        data = {}
        for name, values in zip(self.names, self.values, strict=True):
            data[name] = pd.Series(values.array()) if isinstance(values, PackedColumn) else series_of(values)
            values.clear()
        return pd.DataFrame(data, columns=self.names, copy=False)  # not copied again into 2-D blocks


def series_of(values: list[Any]) -> pd.Series:
    """`pd.Series(values)`: the same dtype and values, made without pandas looking at every value to infer
    them (it sets aside a scratch array for every type it might find: 50 bytes a row, for each long column)
    where the column's Python types say what pandas would make of it: integers, floats (a blank one NaN),
    booleans, texts (a blank one as pandas keeps a blank text)."""
    kinds = set(map(type, values)) if values else set()
    array: np.ndarray | None = None
    if kinds == {int}:
        with contextlib.suppress(OverflowError):  # past int64: pandas decides
            array = np.array(values, dtype=np.int64)
    elif kinds == {bool}:
        array = np.array(values, dtype=bool)
    elif float in kinds and kinds <= {float, type(None)}:
        array = np.array(values, dtype=np.float64)  # None → NaN, as pandas makes it
    elif str in kinds and kinds <= {str, type(None)}:
        objects = np.empty(len(values), dtype=object)
        objects[:] = values
        return pd.Series(objects, dtype=_TEXT)
    return pd.Series(values) if array is None else pd.Series(array)


_TEXT = pd.Series(["text"]).dtype  # what pandas makes of a column of texts (its text dtype, or object)


def int_col(df: pd.DataFrame, col: str) -> None:
    df[col] = df[col].astype("Int64")


_GROUPED: dict[int, tuple[pd.DataFrame, dict[Any, Any]]] = {}  # id(table) → (table, branch_id → positions)


def branch_rows(df: pd.DataFrame | LongRows, branch_id: str) -> pd.DataFrame:
    """`df[df["branch_id"] == branch_id]` — the same rows, order and index —, the table grouped by branch once
    (remembered for the few tables last asked about): a province's thousands of feedback workbooks must not
    each compare every row of the long tables."""
    if not isinstance(df, pd.DataFrame):
        return df.branch(branch_id)
    known = _GROUPED.get(id(df))
    if known is None or known[0] is not df:
        if len(_GROUPED) >= 8:
            _GROUPED.clear()
        known = _GROUPED[id(df)] = (df, df.groupby("branch_id", sort=False).indices)
    positions = known[1].get(branch_id)
    return df.iloc[positions] if positions is not None else df.iloc[0:0]
