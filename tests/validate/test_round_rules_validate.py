"""The round's rules (issue 15) as validation applies them: a header naming another branch (rule 1), a
returned blank template (rule 3), another school's form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fill import fill_form, full_scores, set_cell

from dangjian_xlsx import read
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Branch, Campaign, FormKind
from dangjian_xlsx.validate import Validation, validate


def check(path: Path, camp: Campaign) -> Validation:
    return validate(read.read_workbook(path.read_bytes(), path.name), camp, path.name)


def test_rule1_header_naming_another_roster_branch_is_identity_doubt(
    campaign: Campaign, tmp_path: Path
) -> None:
    own, other = campaign.branch_by_name["文学院党总支"], campaign.branch_by_name["马克思主义学院党总支"]
    src = build_form(campaign, FormKind.SCORING, own)
    for header in ("马克思主义学院党总支", "马院", " 马克思主义学院党总支（代填） "):
        path = fill_form(
            src, tmp_path / "a.xlsx", full_scores(campaign.catalog), edit=set_cell("评分表", "B3", header)
        )
        v = check(path, campaign)
        assert [p.code for p in v.problems] == ["identity-doubt"], header
        p = v.problems[0]
        assert (p.cell, p.value) == ("B3", other.name) and "表头党总支名称" in p.message
        assert v.claimant == other and v.identity.branch_name == own.name
        assert v.submission is None and not v.blocking  # held, not rejected: collect decides


def test_rule1_header_naming_the_own_branch_otherwise_is_a_warning(
    campaign: Campaign, tmp_path: Path
) -> None:
    src = build_form(campaign, FormKind.SCORING, campaign.branch_by_name["马克思主义学院党总支"])
    path = fill_form(
        src, tmp_path / "a.xlsx", full_scores(campaign.catalog), edit=set_cell("评分表", "B3", "马院")
    )
    v = check(path, campaign)
    assert [p.code for p in v.problems] == ["branch-normalized"] and v.claimant is None
    assert v.submission is not None


def test_rule3_a_returned_blank_template_is_one_problem(campaign: Campaign, tmp_path: Path) -> None:
    cat = campaign.catalog
    own = campaign.roster[0]
    cases = {
        FormKind.SCORING: ({}, len(cat.items)),
        FormKind.TASKS: ({(Field.DATE, ""): dt.date(2018, 9, 28)}, len(cat.tasks)),
        FormKind.INSPECTION: ({}, len(cat.items)),
    }
    for kind, (values, count) in cases.items():
        prefill = {(Field.SCORE, i.id): i.points for i in cat.items} if kind is FormKind.INSPECTION else None
        src = build_form(campaign, kind, own, prefill=prefill)
        v = check(fill_form(src, tmp_path / f"{kind}.xlsx", values, catalog=cat), campaign)
        assert [p.code for p in v.problems] == ["form-blank"], kind
        assert f"{count} 项均未填写" in v.problems[0].message
        assert v.submission is not None and v.errors


def test_rule3_a_partly_filled_form_keeps_one_problem_per_cell(campaign: Campaign, tmp_path: Path) -> None:
    values = {(Field.SCORE, "S01.1"): 2, (Field.DATE, ""): dt.date(2018, 9, 28)}
    src = build_form(campaign, FormKind.SCORING, campaign.roster[0])
    v = check(fill_form(src, tmp_path / "a.xlsx", values, catalog=campaign.catalog), campaign)
    assert [p.code for p in v.problems] == ["score-blank"] * (len(campaign.catalog.items) - 1)
    src = build_form(campaign, FormKind.TASKS, campaign.roster[0])
    only_text = {(Field.DONE, "T01"): "已开展"}  # a text but no status: not a blank template
    v = check(fill_form(src, tmp_path / "b.xlsx", only_text, catalog=campaign.catalog), campaign)
    assert "form-blank" not in [p.code for p in v.problems] and "status-blank" in [p.code for p in v.problems]


def test_another_schools_form_says_so_even_off_the_roster(campaign: Campaign, tmp_path: Path) -> None:
    other = campaign.model_copy(
        update={"school": "某某大学", "year": 2017, "roster": (Branch(seq=1, name="某某大学文学院党总支"),)}
    )
    src = build_form(other, FormKind.TASKS, other.roster[0])
    v = check(fill_form(src, tmp_path / "a.xlsx", {}, catalog=campaign.catalog), campaign)
    got = [p.code for p in v.problems]
    assert {"year-mismatch", "school-mismatch", "branch-unknown"} <= set(got)
    p = next(p for p in v.problems if p.code == "school-mismatch")
    assert p.value == "某某大学" and "郑州师范学院" in p.message
