"""aggregate/frames.Columns given a branch's rows a column at a time (lists, tuples, a repeated value as `Same`):
the frame the rows give, with the same dtypes."""

from __future__ import annotations

import pandas as pd
import pytest

from dangjian_xlsx.aggregate.frames import Columns, Same, frame

NAMES = ["seq", "branch", "item", "score", "note", "counted"]
ITEMS = [f"S{k // 4 + 1:02d}.{k % 4 + 1}" for k in range(44)]


def _branch(k: int) -> tuple[list[object], list[object]]:
    """One branch's rows (as lists) and the same rows given a column at a time."""
    scores = [None if (k + j) % 9 == 0 else float((k * j) % 3) for j in range(len(ITEMS))]
    notes = tuple("" if (k + j) % 5 else f"第{k}党总支：{ITEMS[j]} 缺少佐证材料" for j in range(len(ITEMS)))
    name, counted = f"第{k:03d}党总支", k % 4 != 0
    rows = [[k, name, ITEMS[j], scores[j], notes[j], counted] for j in range(len(ITEMS))]
    n = len(ITEMS)
    return rows, [Same(k, n), Same(name, n), ITEMS, scores, notes, Same(counted, n)]


def test_columns_given_in_stretches_give_the_frame_the_rows_give() -> None:
    cols, rows = Columns(NAMES), []
    for k in range(1, 30):
        branch_rows, stretches = _branch(k)
        rows.extend(branch_rows)
        cols.extend(stretches)
    cols.append(rows[0])  # a single row as well
    rows.append(rows[0])
    assert len(cols) == len(rows)
    got, want = cols.frame(), frame(rows, NAMES)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.dtypes) == list(want.dtypes)


def test_stretches_of_different_lengths_are_refused() -> None:
    cols = Columns(NAMES)
    _, stretches = _branch(1)
    with pytest.raises(ValueError):
        cols.extend([*stretches[:-1], Same(True, 3)])
    with pytest.raises(ValueError):
        cols.extend(stretches[:-1])
    assert len(cols) == 0


def test_same_reads_as_a_list_of_the_value() -> None:
    same = Same("文学院", 3)
    assert (
        list(same) == ["文学院"] * 3
        and len(same) == 3
        and same[-1] == "文学院"
        and same[1:] == ["文学院"] * 2
    )
    with pytest.raises(IndexError):
        same[3]
