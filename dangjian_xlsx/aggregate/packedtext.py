"""A long table's column of free text (完成情况, 存在问题) kept as slices of a few strings and arrays of offsets,
not as a Python string per row.

A province's round has hundreds of thousands of such texts. As Python strings each carries 70-odd bytes of
header and a reference; and reading one — as the writers do, in this process and in the helper forked to
write the exports — writes its reference count, so that every memory page holding a text stops being shared
with the helper. Packed, a column is a few objects; the strings it slices are those the records keep their task
answers' texts in (`answers.TextStore`: the texts are held once), or its own, joined when it is built
(`PackedColumn`). A writer's slice of it is made into strings of its own, which go when the slice is written; a
store's string that went to the collect's temporary file (`spill.StoredText`) is read back for it, the texts of
a slice that lie close together in one read.

`PackedText` is a pandas extension array (immutable): a DataFrame holds it like any column, `iloc`, `take`
and `tolist` give the same values a column of strings gives. A missing value (none of the builders makes one;
pandas' reindexing may) is NaN, as pandas' own text columns show it.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype, register_extension_dtype, take
from pandas.api.indexers import check_array_indexer

from ..answers import StoreChunk
from ..spill import StoredText

_MISSING = -1  # a start offset marking a missing value


class Spans(Sequence[str]):
    """Texts as slices of one string (`text[starts[k]:ends[k]]`), given to a packed column without being cut out."""

    __slots__ = ("ends", "starts", "text")

    def __init__(
        self, text: str | StoredText | StoreChunk, starts: Sequence[int], ends: Sequence[int]
    ) -> None:
        self.text, self.starts, self.ends = text, starts, ends

    @classmethod
    def joined(cls, values: Iterable[Any]) -> Spans:
        """Texts (strings only) joined into one string, each a slice of it."""
        texts = list(values)
        if any(type(t) is not str for t in texts):
            raise TypeError("a packed text column holds texts only")
        ends = list(itertools.accumulate(map(len, texts)))
        return cls("".join(texts), [0, *ends[:-1]] if ends else [], ends)

    def picked(self, at: Sequence[int]) -> Spans:
        """The texts at positions `at`, slices of the same string."""
        return Spans(self.text, [self.starts[k] for k in at], [self.ends[k] for k in at])

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[i] for i in range(len(self))[k]]
        return self.text[self.starts[k] : self.ends[k]]


@register_extension_dtype
class PackedTextDtype(ExtensionDtype):
    """The dtype of a `PackedText` column: values are texts."""

    name = "packed_text"
    type = str
    kind = "O"
    na_value = np.nan

    @classmethod
    def construct_array_type(cls) -> type[PackedText]:
        return PackedText


class PackedText(ExtensionArray):
    """Texts as slices of a few strings: value k is `texts[src[k]][starts[k]:ends[k]]` (missing where
    starts[k] < 0). The strings may be the records' own (a collect's store of its forms' answers: `answers.TextStore`),
    so that a column of them copies no text."""

    def __init__(
        self,
        texts: Sequence[str | StoredText | StoreChunk],
        src: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
    ) -> None:
        self._texts, self._src, self._starts, self._ends = texts, src, starts, ends

    @classmethod
    def pack(cls, values: Iterable[Any]) -> PackedText:
        """The texts of `values` (None or NaN: missing), joined into one string."""
        values = list(values)
        column = PackedColumn()
        column.extend(["" if _missing(v) else v for v in values])
        out = column.array()
        missing = [k for k, v in enumerate(values) if _missing(v)]
        if missing:
            out._starts[missing] = _MISSING
        return out

    # -- what pandas asks of an extension array

    @classmethod
    def _from_sequence(cls, scalars: Any, *, dtype: Any = None, copy: bool = False) -> PackedText:
        return cls.pack(scalars)

    @classmethod
    def _from_factorized(cls, values: np.ndarray, original: PackedText) -> PackedText:
        return cls.pack(values)

    @property
    def sources(self) -> tuple[str | StoredText | StoreChunk, ...]:
        """The strings the texts are slices of."""
        return tuple(self._texts)

    @property
    def dtype(self) -> PackedTextDtype:
        return PackedTextDtype()

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, (int, np.integer)):
            start, end = int(self._starts[item]), int(self._ends[item])
            return np.nan if start < 0 else self._texts[int(self._src[item])][start:end]
        if not isinstance(item, slice):
            item = check_array_indexer(self, item)
        return PackedText(self._texts, self._src[item], self._starts[item], self._ends[item])

    def __iter__(self) -> Iterator[Any]:
        return iter(self.tolist())

    def tolist(self) -> list[Any]:
        texts = self._resolved()
        src, starts, ends = self._src.tolist(), self._starts.tolist(), self._ends.tolist()
        if all(type(t) is str for t in texts):
            out = [texts[i][a:b] for i, a, b in zip(src, starts, ends, strict=True)]
        else:  # a source at a time: those read back from a file, each run of texts close together at once
            out = [""] * len(src)
            for i in np.unique(self._src).tolist():
                at = np.flatnonzero(self._src == i)
                text = texts[i]
                if isinstance(text, StoredText):
                    values = text.slices(self._starts[at], self._ends[at])
                else:
                    values = [text[starts[k] : ends[k]] for k in at.tolist()]
                for k, value in zip(at.tolist(), values, strict=True):
                    out[k] = value
        if self._hasna:
            for k in np.flatnonzero(self._starts < 0).tolist():
                out[k] = np.nan
        return out

    def _resolved(self) -> list[str | StoredText]:
        """The strings the texts are slices of, a store's string given before it was closed as it is now."""
        return [t.resolved() if isinstance(t, StoreChunk) else t for t in self._texts]

    def to_numpy(
        self, dtype: Any = None, copy: bool = False, na_value: Any = pd.api.extensions.no_default
    ) -> Any:
        values = np.empty(len(self), dtype=object)
        values[:] = self.tolist()
        if na_value is not pd.api.extensions.no_default and self._hasna:
            values[self.isna()] = na_value
        return values if dtype is None or np.dtype(dtype) == object else values.astype(dtype)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.to_numpy(dtype=dtype)  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        if isinstance(other, (pd.Series, pd.Index, pd.DataFrame)):
            return NotImplemented
        mine = self.to_numpy()
        theirs = other.to_numpy() if isinstance(other, PackedText) else other
        return mine == theirs

    @property
    def nbytes(self) -> int:
        text = sum(
            len(t) * _char_width(t) for t in self._resolved() if type(t) is str
        )  # not what is in a file
        return int(self._src.nbytes + self._starts.nbytes + self._ends.nbytes + text)

    def isna(self) -> np.ndarray:
        return self._starts < 0  # type: ignore[no-any-return]

    @property
    def _hasna(self) -> bool:
        return bool(len(self) and self._starts.min() < 0)

    def take(self, indices: Sequence[int], allow_fill: bool = False, fill_value: Any = None) -> PackedText:
        if allow_fill and not _missing(fill_value):  # a text to fill with: not kept in this string
            return PackedText.pack(take(self.to_numpy(), indices, allow_fill=True, fill_value=fill_value))
        src = take(self._src, indices, allow_fill=allow_fill, fill_value=0)
        starts = take(self._starts, indices, allow_fill=allow_fill, fill_value=_MISSING)
        ends = take(self._ends, indices, allow_fill=allow_fill, fill_value=_MISSING)
        return PackedText(self._texts, src, starts, ends)

    def nonempty(self) -> np.ndarray:
        """The positions of the values that are texts of one character or more, ascending."""
        return np.flatnonzero((self._starts >= 0) & (self._ends > self._starts))

    def copy(self) -> PackedText:
        return PackedText(self._texts, self._src.copy(), self._starts.copy(), self._ends.copy())

    @classmethod
    def _concat_same_type(cls, to_concat: Sequence[PackedText]) -> PackedText:
        return cls.pack([v for array in to_concat for v in array.tolist()])

    def _values_for_factorize(self) -> tuple[np.ndarray, Any]:
        return self.to_numpy(), np.nan

    def _values_for_argsort(self) -> np.ndarray:
        return self.to_numpy()  # type: ignore[no-any-return]


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _narrow(offsets: np.ndarray) -> np.ndarray:
    """Offsets as 4-byte integers where the string is short enough (it is, but for a pathological round); a
    copy either way."""
    if len(offsets) and int(offsets.max()) >= 2**31:
        return offsets.copy()
    return offsets.astype(np.int32)


def _char_width(text: str) -> int:
    """Bytes per character of a Python string: 1, 2 or 4 (its widest character decides)."""
    if text.isascii():
        return 1
    return 4 if max(text) > "\uffff" else 2


class PackedColumn:
    """A `PackedText` column being built a branch's texts at a time: texts given as `Spans` stay where they are
    (a record's strings); others are joined at once, and go as soon as they are."""

    def __init__(self) -> None:
        self.sources: list[str | StoredText | StoreChunk] = []
        self.src, self.starts, self.ends = array("i"), array("q"), array("q")

    def __len__(self) -> int:
        return len(self.starts)

    def extend(self, values: Iterable[Any]) -> None:
        if not isinstance(values, Spans):
            values = Spans.joined(values)
        if not self.sources or self.sources[-1] is not values.text:  # a store's string: kept once
            self.sources.append(values.text)
        self.src.extend(array("i", [len(self.sources) - 1]) * len(values))
        self.starts.extend(values.starts)
        self.ends.extend(values.ends)

    def array(self) -> PackedText:
        """The column (once: what was given is let go)."""
        starts, ends = (np.frombuffer(a, dtype=np.int64) for a in (self.starts, self.ends))
        # offsets copied (narrowed, or as they are): writable, and not views of buffers let go below
        out = PackedText(
            self.sources, np.frombuffer(self.src, dtype=np.int32).copy(), _narrow(starts), _narrow(ends)
        )
        self.clear()
        return out

    def clear(self) -> None:
        self.sources, self.src, self.starts, self.ends = [], array("i"), array("q"), array("q")
