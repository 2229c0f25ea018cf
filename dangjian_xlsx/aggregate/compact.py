"""The tables' texts laid out together, before the processes that write them are forked.

A table's column of texts holds references to strings made all over the collecting process's memory: a file's
path and digest where its record was read, a branch's id where a table was built, an 扣分说明 in its form's
record. The summary and its exports are written by this process and a forked helper at once (`outputs`), and
reading a string — even only to write it out — counts a reference on it, which writes the memory page it lies
on: the helper then holds a private copy of that page. A province's tables reference a few strings on nearly
every page of the records; the helper copied most of them. Here each distinct text of the tables is made again
once, the copies one after the other (a few hundred pages in all), and every column refers to those: the
helper's reading then touches the tables' own pages only. The values, dtypes and missing markers are the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


class Texts:
    """One copy of each distinct text given, made when it is first given (`column`, `values`)."""

    def __init__(self) -> None:
        self._copies: dict[str, str] = {}

    def values(self, values: np.ndarray) -> np.ndarray:
        """`values` (an array of objects: texts, or missing) with each text replaced by its copy."""
        codes, distinct = self._factorized(values)
        copies = np.empty(len(distinct) + 1, dtype=object)
        copies[:-1] = distinct
        out = copies[codes]  # a missing value (code -1) is left as it was, below
        missing = codes < 0
        if missing.any():
            out[missing] = values[missing]
        return out  # type: ignore[no-any-return]

    def column(self, series: pd.Series) -> pd.Series:
        """A column of pandas' text dtype as one of the copies; any other column as it is (a column of objects
        may mix texts with numbers, which factorizing would take for equal: 1 and True)."""
        if not _texts(series.dtype) or not len(series):
            return series
        values = self.values(series.to_numpy(dtype=object))
        return pd.Series(values, index=series.index, dtype=series.dtype, name=series.name)

    def coded(self, series: pd.Series) -> pd.Series:
        """A column of texts as pandas' categorical: a small code per row (two bytes for a province's five
        thousand branch names) and each distinct text once — where a long table repeats a few texts down its
        rows. It reads (`tolist`, `iloc`, `==`, `isin`, `groupby`) as the texts; a missing value stays missing."""
        if not _texts(series.dtype) or not len(series):
            return series
        codes, copies = self._factorized(series.to_numpy(dtype=object))
        values = pd.Categorical.from_codes(codes, categories=pd.Index(copies, dtype=object))
        return pd.Series(values, index=series.index, name=series.name)

    def frame(self, df: pd.DataFrame) -> None:
        """Every column of texts of `df` replaced, in place."""
        for name in df.columns[[_texts(t) for t in df.dtypes]]:
            df[name] = self.column(df[name])

    def _factorized(self, values: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Each value's code (-1: missing) and the distinct texts as copies, in order of first appearance."""
        codes, distinct = pd.factorize(values, use_na_sentinel=True)
        return codes, [self._copy(v) for v in distinct.tolist()]

    def _copy(self, value: str) -> str:
        copy = self._copies.get(value)
        if copy is None:
            # a new string with the same characters (str(), a slice or a one-part join would give the same object)
            copy = self._copies[value] = "".join(("", value))
        return copy


def _texts(dtype: Any) -> bool:
    return isinstance(dtype, pd.StringDtype)
