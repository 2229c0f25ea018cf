"""summary/jsontext: JSON written as text without building the objects, exactly as `json.dumps` writes them."""

from __future__ import annotations

import json

import pytest

from dangjian_xlsx.summary.jsontext import Objects, json_texts


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@pytest.mark.parametrize(
    "rows",
    [
        [
            {"branch": "文学院党总支", "score": 3.5, "note": None, "seq": 1},
            {"branch": 'a"b\\', "score": -0.0, "note": "缺少\n材料", "seq": 2},
        ],
        [{"z": 1, "a": 2, "中文": "值", "a b": True}],
        [{"only": "x"}, {"only": ""}, {"only": "换行\r\n"}],
    ],
)
def test_objects_are_what_json_dumps_writes(rows: list[dict[str, object]]) -> None:
    shape = Objects(rows[0].keys())
    fields = [json_texts([row[k] for row in rows]) for k in shape.keys]
    assert list(shape.of(fields)) == [_dumps(row) for row in rows]
    assert json.loads("[" + ",".join(shape.of(fields)) + "]") == rows


def test_nested_rows_hold_four_bytes_a_row_of_positions() -> None:
    """The exports' JSON lists each branch's rows of the long tables (a province's 245,000 items): the helper
    writing it holds their positions, 4 bytes a row, in the order the branches are listed."""
    import numpy as np
    import pandas as pd

    from dangjian_xlsx.summary.jsontext import Nested

    df = pd.DataFrame({"branch_id": ["02", "02", "01", "03", "01"], "v": [1, 2, 3, 4, 5]})
    nested = Nested(df, ["v"], ["01", "02", "03", "04"])
    assert nested.order.dtype == np.int32 and nested.order.tolist() == [2, 4, 0, 1, 3]
    assert [nested.array(i) for i in range(4)] == [
        '[{"v":3},{"v":5}]',
        '[{"v":1},{"v":2}]',
        '[{"v":4}]',
        "[]",
    ]
