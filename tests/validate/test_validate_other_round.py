"""Validation in a round that is not 2018's (tests/other_forms.py: half points, three task statuses, the unit
党支部): forms filled through openpyxl and read back; every rule and message comes from that round's catalog.
And a form made from another version of the forms: its message says which (表格版本不符)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fill import chain, clean_values, fill_form, set_meta
from other_forms import write_xlsx

from dangjian_xlsx import read
from dangjian_xlsx.catalog import catalog_digest, default_campaign, read_forms
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import Field, FormKind
from dangjian_xlsx.messages import Code
from dangjian_xlsx.models import Branch, Campaign, Problem
from dangjian_xlsx.validate import Validation, validate

ROSTER = (Branch(seq=1, name="文学院第一党支部"), Branch(seq=2, name="机关党支部"))
TITLE = "党支部标准化建设考核"
DAY = dt.date(2019, 9, 10)


def other_campaign(folder: Path) -> Campaign:
    """tests/other_forms.py's forms in a 2019 round of 党支部 (its own title, dates and roster)."""
    catalog = read_forms(write_xlsx(folder / "表格内容.xlsx"))
    update = {
        "catalog": catalog,
        "roster": ROSTER,
        "title": TITLE,
        "year": 2019,
        "self_check_start": dt.date(2019, 9, 2),
        "self_check_end": dt.date(2019, 9, 20),
        "due": dt.date(2019, 9, 20),
    }
    return default_campaign().model_copy(update=update)


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    return other_campaign(tmp_path_factory.mktemp("other"))


def check(
    campaign: Campaign,
    kind: FormKind,
    values: dict[tuple[Field, str], Any],
    folder: Path,
    branch: Branch | None = ROSTER[0],
    made_by: Campaign | None = None,
) -> Validation:
    """A form of `made_by` (default: `campaign`) filled with `values`, saved by openpyxl, validated in
    `campaign`."""
    maker = made_by or campaign
    path = fill_form(build_form(maker, kind, branch), folder / "f.xlsx", values, catalog=maker.catalog)
    return validate(read.read_workbook(path.read_bytes(), path.name), campaign, path.name)


def by_code(v: Validation) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {}
    for p in v.problems:
        out.setdefault(p.code, []).append(p)
    return out


def test_clean_forms_of_the_other_round_are_accepted(other: Campaign, tmp_path: Path) -> None:
    """Half points (7.5, 0.5, 19.5) are read back from the locked 分值 cells as the catalog's: not tampered."""
    for kind in (FormKind.SCORING, FormKind.TASKS):
        v = check(other, kind, clean_values(other.catalog, kind, DAY), tmp_path)
        assert v.problems == [] and v.submission is not None, [p.message for p in v.problems]
    scores = check(other, FormKind.SCORING, clean_values(other.catalog, FormKind.SCORING, DAY), tmp_path)
    assert scores.submission is not None
    assert [s.score for s in scores.submission.scores] == [i.points for i in other.catalog.items]
    assert sum(s.score or 0 for s in scores.submission.scores) == 150


def test_half_points_are_the_range_of_a_score(other: Campaign, tmp_path: Path) -> None:
    cat = other.catalog
    half = next(i for i in cat.items if i.points == 0.5)
    seven = next(i for i in cat.items if i.points == 7.5)
    values = clean_values(cat, FormKind.SCORING, DAY)
    values[(Field.SCORE, half.id)] = 0.5  # the full 0.5: accepted
    values[(Field.SCORE, seven.id)] = 7  # below 7.5 without a note
    v = check(other, FormKind.SCORING, values, tmp_path)
    [note] = by_code(v)[Code.NOTE_REQUIRED]
    assert "得分7低于满分7.5分" in note.message and [p.code for p in v.problems] == [Code.NOTE_REQUIRED]

    values[(Field.SCORE, half.id)] = 1.5  # over the 0.5-point item
    values[(Field.SCORE, seven.id)] = "七分"
    v = check(other, FormKind.SCORING, values, tmp_path)
    [high] = by_code(v)[Code.SCORE_OUT_OF_RANGE]
    assert high.field == f"{half.id} 自评得分" and "本项满分0.5分，填写的是1.5" in high.message
    [word] = by_code(v)[Code.SCORE_NOT_NUMBER]
    assert "请填写 0 到 7.5 之间的数" in word.message

    del values[(Field.SCORE, half.id)]
    v = check(other, FormKind.SCORING, values, tmp_path)
    [blank] = by_code(v)[Code.SCORE_BLANK]
    assert "（满分0.5分）未填写自评得分" in blank.message


def test_a_status_is_one_of_the_rounds_three(other: Campaign, tmp_path: Path) -> None:
    cat = other.catalog
    t1, t2, t3, t4, t5, t6 = (t.id for t in cat.tasks)
    values = clean_values(cat, FormKind.TASKS, DAY)
    values[(Field.STATUS, t1)] = "持续推进"  # 2018's word, not this round's
    del values[(Field.STATUS, t2)]
    values[(Field.STATUS, t3)] = "推进中"  # not done: 存在问题及整改措施 required
    values[(Field.STATUS, t4)] = "未开展"  # not done, and no 不适用 here: 完成情况 still required
    del values[(Field.DONE, t4)]
    values[(Field.ISSUES, t4)] = "尚未启动，下月开展"
    values[(Field.STATUS, t5)] = " 推进中 "  # spaces around: the status as the catalog spells it
    values[(Field.ISSUES, t5)] = "进度滞后"
    values[(Field.STATUS, t6)] = "不适用"  # 2018's, not offered here
    v = check(other, FormKind.TASKS, values, tmp_path)
    problems = by_code(v)
    invalid = {p.field.split()[0]: p for p in problems.pop(Code.STATUS_INVALID)}
    assert sorted(invalid) == [t1, t6]
    for p in invalid.values():
        assert p.message.endswith("无效，应为 已完成、推进中、未开展 之一")
    [blank] = problems.pop(Code.STATUS_BLANK)
    assert blank.field == f"{t2} 完成状态" and "应为 已完成、推进中、未开展 之一" in blank.message
    required = sorted(p.field for p in problems.pop(Code.TEXT_REQUIRED))
    assert required == [f"{t3} 存在问题及整改措施", f"{t4} 完成情况"]
    assert problems == {}
    assert v.submission is not None
    status = {a.task_id: a.status for a in v.submission.answers}
    assert status == {t1: None, t2: None, t3: "推进中", t4: "未开展", t5: "推进中", t6: None}


def test_the_header_and_identity_messages_say_the_rounds_unit(other: Campaign, tmp_path: Path) -> None:
    values = clean_values(other.catalog, FormKind.SCORING, DAY)
    v = check(other, FormKind.SCORING, values, tmp_path, branch=None)
    [p] = v.problems
    assert p.code == Code.BRANCH_BLANK and p.field == "党支部名称"
    assert p.message == "未填写党支部名称，无法确定是哪个党支部的表格"
    assert Code.BRANCH_BLANK.reason_for(other.catalog.unit) == "未填写党支部名称"

    values[(Field.BRANCH, "")] = "化学学院党支部"
    [p] = check(other, FormKind.SCORING, values, tmp_path, branch=None).problems
    assert p.code == Code.BRANCH_UNKNOWN and p.message.startswith("党支部“化学学院党支部”不在本轮名单中")
    assert Code.BRANCH_UNKNOWN.reason_for(other.catalog.unit) == "党支部不在名单中"

    values[(Field.BRANCH, "")] = "机关党支部"  # the roster's name, as typed there: accepted
    assert check(other, FormKind.SCORING, values, tmp_path, branch=None).problems == []


def test_a_form_made_from_another_version_says_which(other: Campaign, tmp_path: Path) -> None:
    """表格版本不符: the 2018 forms returned to the 2019 round of other forms, and the other way round; the
    message names the campaign, year and forms' version the file was made from, and this round's."""
    builtin = default_campaign()
    assert catalog_digest(builtin.catalog) != catalog_digest(other.catalog)
    old = check(
        other,
        FormKind.SCORING,
        clean_values(builtin.catalog, FormKind.SCORING),
        tmp_path,
        branch=builtin.roster[0],
        made_by=builtin,
    )
    p = old.problems[0]
    assert p.code == Code.DIGEST_MISMATCH and old.submission is None
    assert p.message.startswith(
        "表格版本不符：本文件是按“全面从严治党主体责任和《高校党建工作重点任务》落实情况专项督查"
        "（2018年，版本 2018-zznu-1）”生成的表格，本轮使用的是“党支部标准化建设考核（2019年，版本 2024-支部-1）”，"
        "请使用本轮下发的表格重新填写"
    )
    # the file's version id is the problem's value (the 校验问题 sheet shows it); the sentence people read has no ids
    assert p.value == catalog_digest(builtin.catalog) and catalog_digest(other.catalog) not in p.message
    assert Code.DIGEST_MISMATCH.reason_for(other.catalog.unit) == "表格版本不符"

    values = clean_values(other.catalog, FormKind.SCORING, DAY)
    new = check(builtin, FormKind.SCORING, values, tmp_path, branch=ROSTER[0], made_by=other)
    p = new.problems[0]
    assert p.code == Code.DIGEST_MISMATCH
    assert "本文件是按“党支部标准化建设考核（2019年，版本 2024-支部-1）”生成的表格" in p.message
    assert (
        "本轮使用的是“全面从严治党主体责任和《高校党建工作重点任务》落实情况专项督查（2018年，版本 2018-zznu-1）”"
        in p.message
    )


def test_a_form_without_its_version_is_told_as_another_version(other: Campaign, tmp_path: Path) -> None:
    strip = chain(*(set_meta(key, "") for key in ("catalog_digest", "campaign", "year", "catalog_version")))
    values = clean_values(other.catalog, FormKind.SCORING, DAY)
    src = build_form(other, FormKind.SCORING, ROSTER[0])
    path = fill_form(src, tmp_path / "f.xlsx", values, catalog=other.catalog, edit=strip)
    v = validate(read.read_workbook(path.read_bytes(), path.name), other, path.name)
    p = v.problems[0]
    assert p.code == Code.DIGEST_MISMATCH and p.value == "（无）"
    assert p.message.startswith(
        "表格版本不符：本文件是按其他版本生成的表格，本轮使用的是“党支部标准化建设考核"
    )


def test_a_form_of_the_same_name_but_other_content_is_told_so(other: Campaign, tmp_path: Path) -> None:
    """The clerk edited 表格内容.xlsx without changing its version: the titles, years and versions agree, the
    digests do not."""
    values = clean_values(other.catalog, FormKind.SCORING, DAY)
    src = build_form(other, FormKind.SCORING, ROSTER[0])
    path = fill_form(
        src, tmp_path / "f.xlsx", values, catalog=other.catalog, edit=set_meta("catalog_digest", "0" * 16)
    )
    p = validate(read.read_workbook(path.read_bytes(), path.name), other, path.name).problems[0]
    assert p.code == Code.DIGEST_MISMATCH
    assert p.message.startswith(
        "表格版本不符：本文件是按“党支部标准化建设考核（2019年，版本 2024-支部-1）”生成的表格，"
        "本轮使用的是同名但内容已修改的版本，请使用本轮下发的表格重新填写"
    )


def test_a_bad_fill_date_is_shown_the_rounds_example(other: Campaign, tmp_path: Path) -> None:
    values = {**clean_values(other.catalog, FormKind.TASKS, DAY), (Field.DATE, ""): "下周一"}
    [p] = check(other, FormKind.TASKS, values, tmp_path).problems
    assert (
        p.code == Code.DATE_INVALID
        and p.message == "填报日期“下周一”不是有效日期，请按 2019-09-20 的格式填写"
    )
