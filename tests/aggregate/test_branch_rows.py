"""aggregate.branch_rows: one branch's rows of a long table, the table grouped once (a province's thousands of
feedback workbooks each used to compare every row of 得分明细 and 任务清单明细: quadratic in the branches)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.round import feedback


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "branch_id": ["02", "01", "02", None, "03", "01", "02"],
            "item_id": ["S01.1", "S01.1", "S01.2", "S01.1", "S01.1", "S01.2", "S01.3"],
            "lost": [0.0, 1.0, None, 2.0, 0.5, 0.0, 1.5],
        },
        index=[10, 11, 12, 13, 14, 15, 16],
    )


@pytest.mark.parametrize("branch_id", ["01", "02", "03", "99"])
def test_the_same_rows_order_index_and_types_as_a_mask(branch_id: str) -> None:
    df = _table()
    expected = df[df["branch_id"] == branch_id]
    got = ag.branch_rows(df, branch_id)
    pd.testing.assert_frame_equal(got, expected)


def test_a_table_is_grouped_once_for_every_branch(monkeypatch: pytest.MonkeyPatch) -> None:
    df = _table()
    calls: list[Any] = []
    real = pd.DataFrame.groupby

    def counting(self: pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "groupby", counting)
    for b in ["01", "02", "03", "99", "01"]:
        ag.branch_rows(df, b)
    assert len(calls) == 1
    other = _table()  # another table (the next run's) is grouped afresh, never answered from the first's
    other.loc[11, "branch_id"] = "03"
    assert list(ag.branch_rows(other, "03").index) == [11, 14]


def test_feedback_takes_a_branch_s_rows_without_comparing_every_row(
    campaign: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the feedback workbooks compares no long table's branch column with each branch's id."""
    from synthetic import scenario

    report = scenario(campaign)
    tables, ov = ag.tables_and_overview(report)
    compared: list[Any] = []
    real = pd.Series.__eq__

    def watched(self: pd.Series, other: Any) -> Any:
        if self.name == "branch_id":
            compared.append(other)
        return real(self, other)

    monkeypatch.setattr(pd.Series, "__eq__", watched)
    built = feedback.build_feedback(report, tables, ov)
    assert len(built) >= 3 and not compared
