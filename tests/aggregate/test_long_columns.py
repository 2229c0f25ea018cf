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


@pytest.mark.parametrize(
    "values",
    [
        [3, 1, 2],  # a branch's number on each of its rows: NumPy makes the column
        [1, None, 3],  # a blank among them: pandas decides (float, NaN)
        [True, False],  # booleans are not plain integers here
        [1, 2**70],  # past int64: pandas decides
        [1, 2.5],
        [1, "第1党总支"],
        [0, -(2**63)],
        [1.5, None, float("nan"), -0.0, float("inf")],  # floats, a blank one NaN
        [True, None],  # a blank among booleans: pandas decides (object)
        ["第1党总支", None, ""],  # texts, a blank one as pandas keeps it
        [None, "S01.1"],
        [None, None],  # nothing but blanks: pandas decides
        ["S01.1", 2.5],
    ],
)
def test_a_column_made_fast_is_the_one_pandas_makes(values: list[object]) -> None:
    from dangjian_xlsx.aggregate.frames import series_of as _series

    made, expected = _series(list(values)), pd.Series(values)
    pd.testing.assert_series_equal(made, expected)
    assert [repr(v) for v in made.tolist()] == [repr(v) for v in expected.tolist()]  # -0.0, None or NaN alike


def _same(a: list[object], b: list[object]) -> bool:
    """Equal lists, a NaN equal to a NaN, each value of the same type."""
    return len(a) == len(b) and all(
        type(x) is type(y)
        and ((x is pd.NA and y is pd.NA) or (x is not pd.NA and (x == y or (x != x and y != y))))
        for x, y in zip(a, b, strict=True)
    )


def test_values_at_gives_what_pandas_gives_for_every_kind_of_column() -> None:
    from dangjian_xlsx.aggregate import values_at

    n = 40
    df = pd.DataFrame(
        {
            "text": pd.Series([None if k % 7 == 0 else f"第{k}项" for k in range(n)]),
            "objects": pd.Series([None if k % 5 == 0 else f"x{k}" for k in range(n)], dtype=object),
            "float": pd.Series([None if k % 3 == 0 else k / 2 for k in range(n)]),
            "int": pd.Series(range(n)),
            "bool": pd.Series([k % 2 == 0 for k in range(n)]),
            "nullable": pd.Series([None if k % 4 == 0 else k for k in range(n)], dtype="Int64"),
            "when": pd.Series(pd.date_range("2026-12-01", periods=n, freq="h")),
            "category": pd.Series([f"c{k % 3}" for k in range(n)], dtype="category"),
        }
    )
    positions = pd.Index([5, 0, 39, 7, 7, 12]).to_numpy()
    for name in df.columns:
        column = df[name]
        for at in (slice(0, n), slice(3, 17), slice(38, 50), positions):
            assert _same(values_at(column, at), column.iloc[at].tolist()), (name, at)


def test_long_tables_repeated_texts_are_codes() -> None:
    """任务明细 repeats each branch's id and name and each task's id and group down its rows, 问题台账 each branch's
    and item's: held as codes (two bytes a row for a province's five thousand branches), they read as the texts
    they stand for."""
    from pathlib import Path

    from dangjian_xlsx import aggregate as ag
    from dangjian_xlsx.aggregate.tables import CODED
    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.collect import run_collect

    report = run_collect(
        Path(__file__).resolve().parents[2] / "sample_submissions", default_campaign(), jobs=1
    )
    tables = ag.build_tables(report)
    details = tables.task_details
    assert len(details) >= 40 and len(tables.ledger) >= 10
    for table, names in CODED.items():
        for name in names:
            column = getattr(tables, table)[name]
            assert isinstance(column.dtype, pd.CategoricalDtype), name
            assert (
                column.memory_usage(index=False) <= 2 * len(column) + 64 * len(column.cat.categories) + 1024
            )
            assert all(type(v) is str for v in column.tolist()), name
    by_branch = {bf.branch.id: bf.branch.name for bf in ag.branch_files(report)}
    assert all(by_branch[i] == n for i, n in zip(details["branch_id"], details["branch"], strict=True))
    some = ag.branch_rows(details, details["branch_id"].iloc[-1])
    assert len(some) == len(report.campaign.catalog.tasks)


def test_a_branchs_files_hold_no_dict_nor_empty_lists() -> None:
    """A province's round keeps one `BranchFiles` per branch while its outputs are written: slots, and the file
    lists a branch has none of one shared empty tuple."""
    from dangjian_xlsx.aggregate.current import BranchFiles, Slot
    from dangjian_xlsx.models import Branch, FormKind

    bf = BranchFiles(
        Branch(seq=1, name="文学院党总支"), {k: Slot() for k in (FormKind.SCORING, FormKind.TASKS)}
    )
    assert not hasattr(bf, "__dict__") and not hasattr(bf.forms[FormKind.SCORING], "__dict__")
    empty = bf.reports
    assert empty == () and all(
        x is empty for x in (bf.doubts, bf.unsorted, bf.forms[FormKind.TASKS].rejected)
    )


def test_a_coded_column_is_read_as_its_texts_without_pandas_indexing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The writers read a slice or some rows of a column at a time (`values_at`): a coded column gives what
    `iloc[...].tolist()` gives — its texts, NaN where missing — from its codes, as fast as a column of texts."""
    import numpy as np

    from dangjian_xlsx.aggregate.compact import Texts
    from dangjian_xlsx.aggregate.frames import values_at

    texts = pd.Series(["甲", None, "乙丙", "甲", "=1+1"], dtype=pd.Series(["x"]).dtype)
    coded = Texts().coded(texts)
    assert isinstance(coded.dtype, pd.CategoricalDtype)
    places = (slice(0, 5), slice(1, 3), slice(4, 9), np.array([4, 1, 0, 0]), np.array([], dtype=np.int64))
    wanted = [repr(coded.iloc[at].tolist()) for at in places]
    assert wanted == [repr(texts.iloc[at].tolist()) for at in places]
    blank = pd.Series(pd.Categorical([None, None], categories=pd.Index([], dtype=object)))

    def refused(*args: object) -> None:
        raise AssertionError("pandas' indexing used")

    monkeypatch.setattr(pd.core.indexing._iLocIndexer, "__getitem__", refused)
    assert [repr(values_at(coded, at)) for at in places] == wanted
    assert repr(values_at(blank, slice(0, 2))) == repr([np.nan, np.nan])
