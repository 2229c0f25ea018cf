"""What keeps a province's collect small: compact per-item values in the records, long tables built a column
at a time (same values and dtypes as before), the summary's rows read from the frames a slice at a time."""

from __future__ import annotations

import datetime as dt
import pickle
import sys

import pandas as pd
import pytest

from dangjian_xlsx.aggregate.frames import Columns, frame, rows
from dangjian_xlsx.models import Branch, FormKind, InspectionScore, ItemScore, Submission, TaskAnswer
from dangjian_xlsx.summary.splice import SLICE_ROWS, FrameRows


def _fresh(text: str) -> str:
    """An equal string that is not the interned copy (as a worker's unpickled text is)."""
    return "".join(list(text))


def test_values_are_plain_tuples_far_smaller_than_models() -> None:
    score = ItemScore(item_id="S01.1", score=2.0, note="")
    assert isinstance(score, tuple) and tuple(score) == ("S01.1", 2.0, "")
    assert not hasattr(score, "__dict__")  # no per-instance dict (nor pydantic's fields-set)
    assert sys.getsizeof(score) <= 80


def test_submission_still_validates_the_values() -> None:
    sub = Submission(
        kind=FormKind.SCORING,
        branch=Branch(seq=1, name="文学院党总支"),
        scores=(ItemScore("S01.1", 2), ItemScore(item_id="S01.2", score=None)),
        answers=(TaskAnswer(task_id="T01", status="已完成", done="已办"),),
    )
    assert [type(s.score) for s in sub.scores] == [float, type(None)]
    assert sub.scores[1].note == "" and sub.answers[0].issues == ""
    with pytest.raises(ValueError):
        Submission(kind=FormKind.SCORING, branch=Branch(seq=1, name="x"), scores=(ItemScore("S01.1", "高"),))


@pytest.mark.parametrize(
    "value",
    [
        ItemScore(_fresh("S03.2"), 1.5, "扣分说明"),
        TaskAnswer(_fresh("T07"), _fresh("持续推进"), "做了", "还有问题"),
        TaskAnswer(_fresh("T08"), None),
        InspectionScore(_fresh("S02.1"), 2.0, None, "意见"),
    ],
)
def test_pickled_values_come_back_equal_with_shared_ids(value: tuple) -> None:
    back = pickle.loads(pickle.dumps(value))
    assert back == value and type(back) is type(value)
    assert back[0] is sys.intern(_fresh(value[0]))  # one copy of each id in the parent, not one per file
    if isinstance(value, TaskAnswer) and value.status is not None:
        assert back.status is sys.intern(_fresh(value.status))


def test_submission_pickles_whole() -> None:
    sub = Submission(
        kind=FormKind.TASKS,
        branch=Branch(seq=3, name="化学学院党总支"),
        fill_date=dt.date(2018, 9, 28),
        answers=(TaskAnswer("T01", "已完成", "完成了", ""), TaskAnswer("T02", "未完成", "", "人手不足")),
    )
    assert pickle.loads(pickle.dumps(sub)) == sub


ROWS = [
    [1, "01", "文学院", "S01.1", 2, 2.0, None, "", True, None, 1.5],
    [2, "02", "化学学院", "S01.2", 1.5, None, 0.5, "说明", False, None, 2],
    [10, "10", "音乐学院", "S10.3", 3, 3.0, 0.0, "", True, None, None],
]
NAMES = ["seq", "id", "branch", "item", "points", "score", "lost", "note", "valid", "blank", "mixed"]


def test_columns_give_the_frame_the_rows_give() -> None:
    cols = Columns(NAMES)
    for row in ROWS:
        cols.append(row)
    assert len(cols) == len(ROWS)
    got, want = cols.frame(), frame(ROWS, NAMES)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.dtypes) == list(want.dtypes)


def test_columns_empty_and_ragged() -> None:
    pd.testing.assert_frame_equal(Columns(NAMES).frame(), frame([], NAMES))
    with pytest.raises(ValueError):
        Columns(NAMES).append(ROWS[0][:-1])


def test_frame_rows_read_as_the_whole_list_would() -> None:
    n = SLICE_ROWS * 2 + 7  # across the slices the frame is read by
    df = pd.DataFrame(
        {"a": range(n), "b": [f"第{i}行" if i % 3 else "" for i in range(n)], "c": [i / 4 for i in range(n)]}
    )
    whole = list(rows(df, ["c", "a", "b"]))
    got = FrameRows(df, ["c", "a", "b"])
    assert len(got) == n and list(got) == whole
    assert got[0] == whole[0] and got[-1] == whole[-1] and got[SLICE_ROWS] == whole[SLICE_ROWS]
    middle = got[1:-1]
    assert len(middle) == n - 2 and list(middle) == whole[1:-1]
    assert list(middle[SLICE_ROWS - 5 : SLICE_ROWS + 5]) == whole[SLICE_ROWS - 4 : SLICE_ROWS + 6]
    assert list(got[n:]) == [] and not got[5:2]
    with pytest.raises(IndexError):
        got[n]
