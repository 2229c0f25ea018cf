"""A1 of the 督查评分表 says 组织部督查 (layout.INSPECTION_MARK); 督查评分表 made before said 附件1's label there,
under the same digest: the tamper check accepts both, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from fill import fill_form, set_cell

from dangjian_xlsx import layout, read
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Campaign, FormKind
from dangjian_xlsx.validate import validate


def _codes(campaign: Campaign, tmp_path: Path, a1: str | None) -> list[str]:
    branch = campaign.roster[0]
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): "2018-10-08"}
    values |= {(Field.INSP_SCORE, i.id): i.points for i in campaign.catalog.items}
    sheet = layout.SHEET_BY_KIND[FormKind.INSPECTION]
    edit = set_cell(sheet, "A1", a1) if a1 is not None else None
    path = fill_form(
        build_form(campaign, FormKind.INSPECTION, branch), tmp_path / "督查.xlsx", values, edit=edit
    )
    raw = read.read_workbook(path.read_bytes(), path.name)
    return [p.code for p in validate(raw, campaign, path.name).problems]


@pytest.mark.parametrize("a1", [None, "附件1"], ids=["as-made", "made-before"])
def test_an_inspection_form_with_its_a1_as_made_now_or_before_is_not_tampered(
    campaign: Campaign, tmp_path: Path, a1: str | None
) -> None:
    assert "tampered" not in _codes(campaign, tmp_path, a1)


def test_an_inspection_form_with_another_a1_is_tampered(campaign: Campaign, tmp_path: Path) -> None:
    assert "tampered" in _codes(campaign, tmp_path, "附件2")
