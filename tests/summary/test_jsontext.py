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
