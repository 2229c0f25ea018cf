"""What writing a province's summary and JSON keeps per row: the long sheets' rows read from the tables when they
are spliced (得分明细 without a grid of its cells, 任务清单明细 without a reordered copy of its table), the JSON's
nested items and answers read a slice at a time, each value written as the JSON encoder writes it."""

from __future__ import annotations

import gc
import json
import math
import tracemalloc
from typing import Any

import numpy as np
import pandas as pd
import pytest
from synthetic import large_report

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.models import Campaign
from dangjian_xlsx.summary import build_summary, exports, jsontext, splice
from dangjian_xlsx.summary import style as st
from dangjian_xlsx.summary.workbook import _closed_workbook

N = 600  # branches: 26,400 item scores and 12,000 answers with the built-in forms


@pytest.fixture(scope="module")
def province(campaign: Campaign) -> tuple[Any, ag.Tables, ag.Overview]:
    rep = large_report(campaign, N)
    tables, ov = ag.tables_and_overview(rep)
    return rep, tables, ov


def test_the_long_sheets_rows_are_read_from_the_tables(province: tuple[Any, ag.Tables, ag.Overview]) -> None:
    rep, tables, ov = province
    _, body = _closed_workbook(tables, ov, rep.campaign, rep.generated_at)
    items, details = body.blocks[st.S_ITEMS].rows, body.blocks[st.S_TASK_DETAILS].rows
    assert (
        isinstance(items, splice.FrameRows) and items.df is tables.item_scores
    )  # no grid of (value, format)
    assert isinstance(details, splice.FrameRows) and details.order is not None
    # 任务清单明细's frame is the table's own columns (plus the task's text), not a reordered copy of them
    assert np.shares_memory(details.df["seq"].to_numpy(), tables.task_details["seq"].to_numpy())
    done = rep.campaign.catalog.done_status
    statuses = details.column(details.columns.index("status"))
    n_open = sum(s != done for s in tables.task_details["status"])
    assert all(s != done for s in statuses[: n_open - 1]) and all(s == done for s in statuses[n_open - 1 :])


def test_the_summary_keeps_little_per_row_until_it_is_spliced(
    province: tuple[Any, ag.Tables, ag.Overview],
) -> None:
    """The closed workbook and the rows kept back for the splice: a few bytes per long-table row (each score's
    format, the order of the answers). Holding 得分明细 as a grid of Python floats and tuples, or a reordered
    copy of 任务清单明细, kept several times as much; this fails if either comes back."""
    rep, tables, ov = province
    gc.collect()
    tracemalloc.start()
    try:
        _, body = _closed_workbook(tables, ov, rep.campaign, rep.generated_at)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    rows = len(tables.score_items) + len(tables.task_details)
    assert len(body.blocks) >= 5
    # each score's format and each answer's position (the grid and the copy kept about 68 bytes here)
    assert kept / rows < 40, f"{kept / rows:.1f} bytes per long-table row"


def test_the_json_nested_rows_are_read_a_slice_at_a_time(
    province: tuple[Any, ag.Tables, ag.Overview],
) -> None:
    """The JSON's scores (every item of every branch): the table's columns are not converted whole (a list of
    values or of their JSON per column) before the first branch is written; this fails if they are again."""
    rep, tables, ov = province
    parts = exports.json_parts(tables, ov, rep.campaign, rep.generated_at)
    gc.collect()
    tracemalloc.start()
    try:
        size = sum(len(piece) for piece in parts["scores"]())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    doc = json.loads("".join(parts["scores"]()))
    assert len(doc) == N and sum(len(b["items"]) for b in doc) == len(tables.score_items) and size > 0
    # a slice's values and texts and a position per row (the whole columns as lists kept about 190 bytes here)
    assert peak / len(tables.score_items) < 110, f"{peak / len(tables.score_items):.1f} bytes per item row"


VALUES: list[Any] = [
    0.0,
    -0.0,
    1.5,
    1,
    True,
    False,
    None,
    math.nan,
    '引号"和\\反斜杠',
    "控制\x01字符",
    "",
    2**70,
]


@pytest.mark.parametrize(
    "column", [VALUES, [0.0, -0.0, 0.0], [-0.0, None, 0.0], [1, 2, 1], ["甲", "甲", "乙"]]
)
def test_json_texts_are_what_the_encoder_writes(column: list[Any]) -> None:
    values = jsontext.py_values(column)
    assert jsontext.json_texts(values) == [jsontext.ENCODER.encode(v) for v in values]


def test_the_summary_of_a_province_is_the_same_with_wide_slices(
    province: tuple[Any, ag.Tables, ag.Overview], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wide table is rendered a few hundred rows at a time: the bytes are those of the widest slices."""
    rep, tables, ov = province
    narrow = build_summary(tables, ov, rep.campaign, rep.generated_at)
    monkeypatch.setattr(splice, "SLICE_CELLS", 10**9)
    assert build_summary(tables, ov, rep.campaign, rep.generated_at) == narrow
    monkeypatch.setattr(splice, "SLICE_CELLS", 1)
    assert build_summary(tables, ov, rep.campaign, rep.generated_at) == narrow


def test_frame_rows_in_an_order_read_as_the_reordered_frame_would() -> None:
    n = splice.SLICE_ROWS + 37
    df = pd.DataFrame({"a": range(n), "b": [f"第{k}行" if k % 3 else None for k in range(n)]})
    order = np.random.default_rng(3).permutation(n)
    want = list(zip(*[df.iloc[order][c].tolist() for c in ("b", "a")], strict=True))
    rows = splice.FrameRows(df, ["b", "a"], order=order)
    assert list(rows) == want and rows[5] == want[5] and list(rows[3:-3]) == want[3:-3]
    assert rows[2:9].column(1) == [a for _, a in want[2:9]]
