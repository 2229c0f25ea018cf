"""What keeps a province's collect small: compact per-item values in the records, long tables built a column
at a time (same values and dtypes as before), the summary's rows read from the frames a slice at a time."""

from __future__ import annotations

import datetime as dt
import math
import pickle
import sys
from enum import Enum

import pandas as pd
import pytest
from pydantic import BaseModel

from dangjian_xlsx.aggregate.frames import Columns, frame, rows
from dangjian_xlsx.models import (
    Branch,
    FileRecord,
    FormKind,
    InspectionScore,
    ItemScore,
    Outcome,
    Submission,
    TaskAnswer,
)
from dangjian_xlsx.summary.splice import SLICE_ROWS, FrameRows
from dangjian_xlsx.values import shared


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


# ---------------------------------------------------------------- values kept once, records kept small


def _copy(value: tuple) -> tuple:
    """An equal value that is another object, its id a fresh string (as another file's value is)."""
    return type(value)(_fresh(value[0]), *value[1:])


@pytest.mark.parametrize(
    "value",
    [
        ItemScore("S01.1", 2.0, ""),
        ItemScore("S01.2", None, ""),
        TaskAnswer("T01", "已完成"),
        TaskAnswer("T02", None),
        InspectionScore("S02.1", 2.0, 1.5, ""),
    ],
)
def test_a_value_without_text_is_kept_once(value: tuple) -> None:
    first, again = shared(_copy(value)), shared(_copy(value))
    assert first == value and again is first
    assert pickle.loads(pickle.dumps(_copy(value))) is first  # a worker's value: the parent's one copy


@pytest.mark.parametrize(
    "value",
    [
        ItemScore("S01.1", 1.0, "少一次会议"),
        TaskAnswer("T01", "已完成", "做了"),
        TaskAnswer("T01", "未完成", "", "人手不足"),
        InspectionScore("S02.1", 2.0, 1.0, "材料不全"),
        ItemScore("S01.1", -0.0, ""),  # equal to 0.0, but written -0: never stands for 0.0, nor 0.0 for it
        ItemScore("S01.1", float("nan"), ""),  # never equal to itself: would be kept once per file
        ItemScore("S01.1", 2, ""),  # equal to 2.0, but an int: not what a validated value holds
    ],
)
def test_a_value_with_text_or_an_odd_score_keeps_its_own_tuple(value: tuple) -> None:
    mine = _copy(value)
    assert shared(mine) is mine


def test_zero_and_negative_zero_stay_apart() -> None:
    zero = shared(ItemScore("S01.1", 0.0, ""))
    minus = shared(ItemScore("S01.1", -0.0, ""))
    assert zero.score == 0.0 and math.copysign(1.0, zero.score) > 0
    assert math.copysign(1.0, minus.score) < 0


def test_a_validated_submission_shares_its_values() -> None:
    subs = [
        Submission(
            kind=FormKind.SCORING,
            branch=Branch(seq=k, name=f"第{k}党总支"),
            scores=(ItemScore(_fresh("S01.1"), 2.0), ItemScore("S01.2", 1.0, "扣分说明")),
        )
        for k in (1, 2)
    ]
    assert subs[0].scores[0] is subs[1].scores[0]
    assert subs[0].scores[1] is not subs[1].scores[1]  # its own text: its own tuple


def _record(k: int, n_items: int = 44) -> FileRecord:
    """A 附件1 record as validation makes it (constructed without validation), most items without 扣分说明."""
    scores = tuple(
        ItemScore(_fresh(f"S{i // 8 + 1:02d}.{i % 8 + 1}"), float(i % 3), "缺记录" * 3 if i % 5 == 0 else "")
        for i in range(n_items)
    )
    branch = Branch(seq=k, name=f"第{k}党总支")
    sub = Submission.model_construct(
        kind=FormKind.SCORING, branch=branch, fill_date=dt.date(2018, 9, 28), scores=scores
    )
    return FileRecord(
        path=f"收件/第{k}党总支/附件1.xlsx",
        size=12_345,
        sha256=f"{k:064x}",
        mtime=1_700_000_000.0 + k,
        outcome=Outcome.ACCEPTED,
        kind=FormKind.SCORING,
        branch=branch,
        submission=sub,
    )


def test_compact_shares_values_and_fields_sets_and_keeps_the_record() -> None:
    a, b = _record(1), _record(2)
    before = a.model_dump()
    assert a.compact() is a and b.compact() is b
    assert a.model_dump() == before and a.submission == _record(1).submission
    assert all(x is y for x, y in zip(a.submission.scores, b.submission.scores, strict=True) if not x.note)
    for part in (a, a.submission, a.branch):
        twin = {FileRecord: b, Submission: b.submission, Branch: b.branch}[type(part)]
        assert part.__pydantic_fields_set__ is twin.__pydantic_fields_set__
        assert part.__pydantic_fields_set__ == set(type(part).model_fields)
    a.outcome = Outcome.SUPERSEDED  # a field assigned (resolve does): its own value, the shared set unchanged
    assert a.outcome is Outcome.SUPERSEDED and b.outcome is Outcome.ACCEPTED
    assert b.__pydantic_fields_set__ == set(FileRecord.model_fields)
    back = pickle.loads(pickle.dumps(b))
    assert back == b and back.__pydantic_fields_set__ is b.__pydantic_fields_set__


def _kept_per_record(records: list[FileRecord]) -> float:
    """Bytes a worker's records keep alive in the parent, per record: every object reachable from them once
    unpickled (a shared one counted once), as sys.getsizeof measures it."""
    kept = [pickle.loads(pickle.dumps(r)) for r in records]
    seen: set[int] = set()
    todo: list[object] = [kept]
    total = 0
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type | Enum):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, BaseModel):
            todo += [obj.__dict__, obj.__pydantic_fields_set__]
        elif isinstance(obj, dict):
            todo += [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set):
            todo += obj
    return (total - sys.getsizeof(kept)) / len(records)


RECORD_BUDGET = 2_500  # bytes per 44-item 附件1 record (now about 1,750: mostly its path, digest and notes);
# with a tuple and a float per value and a fields-set per model it was about 8,600; with a string and a tuple per
# 扣分说明, 4,400; with its fields' names and its branch its own when unpickled, 3,150


def test_a_record_stays_small_in_the_parent() -> None:
    """What makes a province's collect grow with its files: if a record grows back (values not shared, a
    fields-set per model), this fails."""
    records = [_record(k).compact() for k in range(1, 201)]
    per_record = _kept_per_record(records)
    assert per_record < RECORD_BUDGET, f"a record keeps {per_record:.0f} bytes"


def test_values_of_different_forms_never_stand_for_each_other() -> None:
    kept = [
        shared(TaskAnswer("S01.1", None)),
        shared(InspectionScore("S01.1", None, None)),
        shared(ItemScore("S01.1", None)),
    ]
    assert [type(v) for v in kept] == [TaskAnswer, InspectionScore, ItemScore]


def test_a_shared_value_keeps_its_id_interned_whoever_made_it_first() -> None:
    """A blank value first made with an id that is not interned (built by hand, or by a test) is kept with the
    interned id: values unpickled later share the one id string, whatever order values were made in."""
    from dangjian_xlsx.values import shared

    first = shared(TaskAnswer(_fresh("T19"), _fresh("未完成")))
    assert first.task_id is sys.intern("T19") and first.status is sys.intern("未完成")
    back = pickle.loads(pickle.dumps(TaskAnswer("T19", "未完成")))
    assert back is first and back.task_id is sys.intern("T19")


def test_an_unpickled_record_shares_its_fields_names_and_branch() -> None:
    """A worker's record reaches the collecting process pickled: its fields' names come back as this process's
    one copy of each, its branch as the roster's own (`keep_branches`), and no fields-set travels with it."""
    from dangjian_xlsx.models import keep_branches

    roster = (Branch(seq=7, name=_fresh("物理学院党总支")), Branch(seq=8, name="化学学院党总支"))
    keep_branches(roster)
    rec = _record(1).compact()
    rec.branch = Branch(seq=7, name="物理学院党总支")  # equal to the roster's, not it
    blob = pickle.dumps(rec)
    assert b"__pydantic_fields_set__" not in blob
    back, again = pickle.loads(blob), pickle.loads(blob)
    assert back == rec and back.__pydantic_fields_set__ is rec.__pydantic_fields_set__
    assert all(k is sys.intern(_fresh(k)) for part in (back, back.submission) for k in part.__dict__)
    assert back.branch is roster[0] and again.branch is roster[0]
    stranger = Branch(
        seq=9, name="生物学院党总支", contact="张三"
    )  # not on the roster: one copy all the same
    assert pickle.loads(pickle.dumps(stranger)) is pickle.loads(pickle.dumps(stranger)) == stranger
