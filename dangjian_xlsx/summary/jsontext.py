"""JSON as text, written exactly as `json.dumps(…, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`
writes it, without building the objects: each value of a column encoded once (`json_texts`: what the encoder
writes for it), an object's fields put into a template of its sorted keys, an array's elements joined a slice
at a time. A long table's rows are read a slice at a time (`json_records`), and the rows nested in each branch's
object (its items, its answers) in the order the branches are written (`Nested`), so that only a slice's values
and texts are held at once."""

from __future__ import annotations

import itertools
import json
import math
import numbers
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice, repeat
from typing import Any

import numpy as np
import pandas as pd

from .. import aggregate as ag

ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
NESTED_ROWS = 2_000  # a long table's rows (items, answers) encoded at a time
JSON_ROWS = 500  # a wide table's rows encoded as JSON objects at a time (each holds every column's text)


def py(v: Any) -> Any:
    """A plain Python value for JSON/CSV: None for blanks (None, NaN, NA), numbers as int/float."""
    t = type(v)
    if t is str or t is int or t is bool:
        return v
    if t is float:
        return v if math.isfinite(v) else None
    if isinstance(v, str):
        return str(v)
    if ag.is_missing(v):
        return None
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        x = float(v)
        return x if math.isfinite(x) else None
    return str(v)


def each_distinct(values: list[Any], convert: Callable[[Any], str]) -> list[str]:
    """`convert` of each value, called once per distinct value (for values whose equal ones convert alike)."""
    distinct = set(values)
    texts = dict(zip(distinct, map(convert, distinct), strict=True))
    return list(map(texts.__getitem__, values))


def py_values(values: list[Any]) -> list[Any]:
    """`py` of each value of a column (text and integer columns are already plain)."""
    kinds = set(map(type, values))
    if kinds <= {str, int, bool}:
        return values
    if kinds <= {float}:
        return [v if math.isfinite(v) else None for v in values]
    return list(map(py, values))


def json_texts(values: list[Any]) -> list[str]:
    """Each value of a column (as `py_values` gives it) as the encoder writes it; a text or a number repeated in
    the column is encoded once (but 0.0 and -0.0, equal, are written apart)."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return each_distinct(values, _encode_text)
    if kinds <= {int} or (kinds <= {float, type(None)} and not _negative_zero(values)):
        return each_distinct(values, _json_text)
    return list(map(_json_text, values))


_encode_text = json.encoder.encode_basestring  # a text as the encoder writes it (ensure_ascii=False)


def _json_text(v: Any) -> str:
    """One plain value as `ENCODER` writes it."""
    t = type(v)
    if t is str:
        return _encode_text(v)
    if v is None:
        return "null"
    if t is float and math.isfinite(v):
        return float.__repr__(v)
    if t is int:
        return int.__repr__(v)
    return ENCODER.encode(v)


def _negative_zero(values: list[Any]) -> bool:
    """Whether a -0.0 is among the values (their floats' bit patterns counted in one pass)."""
    floats = array("d", [v for v in values if type(v) is float])
    return array("Q", floats.tobytes()).count(1 << 63) > 0


class Objects:
    """JSON objects of fixed keys (sorted, as the encoder sorts them) from their fields' encoded values: each
    object is its pieces joined (the key texts between the values), as the encoder writes it."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = sorted(keys)
        names = [ENCODER.encode(k) + ":" for k in self.keys]
        self.before = ["{" + names[0], *("," + n for n in names[1:])] if names else []

    def of(self, fields: Sequence[Sequence[str]]) -> Iterator[str]:
        """The objects of a slice of rows: `fields[k]` the encoded values of key k, one per row."""
        if not self.before:
            raise ValueError("an object without keys has no fields to count its rows by")
        n = len(fields[0])
        pieces: list[Iterable[str]] = []
        for before, values in zip(self.before, fields, strict=True):
            pieces += [repeat(before, n), values]
        pieces.append(repeat("}", n))
        return map("".join, zip(*pieces, strict=True))


def json_text_array(texts: Iterable[str], per: int = NESTED_ROWS) -> Iterator[str]:
    """The JSON array of elements already encoded (`texts`), `per` at a time."""
    it = iter(texts)
    opened = False
    while chunk := list(islice(it, per)):
        yield ("," if opened else "[") + ",".join(chunk)
        opened = True
    yield "]" if opened else "[]"


def json_records(df: pd.DataFrame, columns: list[str]) -> Iterator[str]:
    """The JSON array of a table's rows as objects of `columns`, its columns encoded a slice of rows at a time."""
    shape = Objects(dict.fromkeys(columns))
    series = [df[k] for k in shape.keys]

    def objects() -> Iterator[str]:
        for start in range(0, len(df), JSON_ROWS):
            at = slice(start, start + JSON_ROWS)
            yield from shape.of([json_texts(py_values(ag.values_at(s, at))) for s in series])

    return json_text_array(objects() if shape.keys else (), JSON_ROWS)


class Nested:
    """The rows of a long table (items, answers) of each branch in turn, as JSON arrays: the table is read in the
    order the branches are listed (`branch_ids`), a slice of rows at a time, so that only the row positions
    are held, never a column of the whole table. A branch listed twice gets no rows the second time."""

    def __init__(self, df: pd.DataFrame | ag.ScoreItems, columns: list[str], branch_ids: list[str]) -> None:
        self.df, self.shape = df, Objects(dict.fromkeys(columns))
        runs = _runs(df["branch_id"].to_numpy(dtype=object)) if isinstance(df, pd.DataFrame) else df.runs()
        parts, self.counts = [], array("l")  # the listed branches' row positions; how many each has
        for branch_id in branch_ids:
            mine = runs.pop(branch_id, ())
            self.counts.append(sum(b - a for a, b in mine))
            # 4 bytes a row: a table has far fewer than 2**31
            parts.extend(np.arange(a, b, dtype=np.int32) for a, b in mine)
        self.order = np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)
        self.objects = self._objects()

    def _objects(self) -> Iterator[str]:
        df, keys = self.df, self.shape.keys
        series = [df[k] for k in keys] if isinstance(df, pd.DataFrame) else []
        for start in range(0, len(self.order), NESTED_ROWS):
            at = self.order[start : start + NESTED_ROWS]
            if isinstance(df, pd.DataFrame):
                columns = [ag.values_at(s, at) for s in series]
            else:  # a table whose rows are made when read
                columns = df.columns_at_positions(keys, at)
            yield from self.shape.of([json_texts(py_values(values)) for values in columns])

    def array(self, i: int) -> str:
        """The JSON array of the rows of the `i`-th listed branch (asked for in turn: 0, 1, 2 …)."""
        return "[" + ",".join(islice(self.objects, self.counts[i])) + "]"


def _runs(keys: np.ndarray) -> dict[Any, list[tuple[int, int]]]:
    """Each key → the (start, stop) of its runs of consecutive rows, in table order (a long table holds each
    branch's rows together: a few runs, not a position per row)."""
    if not len(keys):
        return {}
    edges = [0, *(np.flatnonzero(keys[1:] != keys[:-1]) + 1).tolist(), len(keys)]
    runs: dict[Any, list[tuple[int, int]]] = {}
    for a, b in itertools.pairwise(edges):
        runs.setdefault(keys[a], []).append((a, b))
    return runs


def per_slice(nested_per_row: int) -> int:
    """Array elements per slice when each holds about `nested_per_row` nested objects."""
    return max(1, NESTED_ROWS // max(1, nested_per_row))


NestedTexts = Callable[[pd.DataFrame, int], list[str]]  # a slice of rows, its first row's number → JSON


def object_texts(
    df: pd.DataFrame, columns: list[str], nested: dict[str, NestedTexts], per: int
) -> Iterator[str]:
    """One JSON object per row of the table's `columns`, with the `nested` keys' values (JSON text made for a
    slice of rows), converted `per` rows at a time."""
    shape = Objects({*columns, *nested})
    for start in range(0, len(df), per):
        part = df.iloc[start : start + per]
        at = slice(start, start + per)
        fields = [
            nested[k](part, start) if k in nested else json_texts(py_values(ag.values_at(df[k], at)))
            for k in shape.keys
        ]
        yield from shape.of(fields)
