"""`models.construct`: the same objects as pydantic's model_construct, for the models validation builds."""

from __future__ import annotations

import pickle

import pytest
from pydantic import BaseModel, Field, ValidationError

from dangjian_xlsx.models import InspectionScore, ItemScore, TaskAnswer, construct

CASES = [
    (ItemScore, {"item_id": "S01.1", "score": 1.5, "note": "记录不全"}),
    (ItemScore, {"item_id": "S12.2", "score": None, "note": ""}),
    (TaskAnswer, {"task_id": "T03", "status": "已完成", "done": "已建立", "issues": ""}),
    (InspectionScore, {"item_id": "S02.1", "self_score": 2.0, "score": 1.0, "opinion": "扣1分"}),
]


@pytest.mark.parametrize(("cls", "values"), CASES)
def test_construct_equals_model_construct(cls: type[BaseModel], values: dict[str, object]) -> None:
    fields = set(values)
    ours = construct(cls, fields, **dict(reversed(list(values.items()))))  # any keyword order
    theirs = cls.model_construct(fields, **values)
    assert ours == theirs
    assert list(ours.__dict__) == list(cls.model_fields)  # declaration order, as model_construct keeps it
    assert ours.model_dump() == theirs.model_dump()
    assert ours.model_fields_set == theirs.model_fields_set
    assert ours.__pydantic_extra__ is None and ours.__pydantic_private__ is None
    assert pickle.loads(pickle.dumps(ours)) == theirs
    with pytest.raises(ValidationError):  # still frozen
        ours.item_id = "x"  # type: ignore[misc]


def test_construct_wants_every_field() -> None:
    with pytest.raises(KeyError):
        construct(ItemScore, {"item_id"}, item_id="S01.1")


def test_construct_refuses_models_it_would_build_wrong() -> None:
    class Aliased(BaseModel):
        value: int = Field(alias="v")

    class Extra(BaseModel, extra="allow"):
        value: int

    for cls in (Aliased, Extra):
        with pytest.raises(TypeError):
            construct(cls, {"value"}, value=1)
