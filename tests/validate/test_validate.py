"""Validation of generated, filled forms: one case per problem code (tests/cases.py), plus the parsers."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from cases import CASES, Case, case_branch
from fill import fill_form

from dangjian_xlsx import read
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import C_NOTE, FormKind
from dangjian_xlsx.layout import Field as F
from dangjian_xlsx.models import Campaign, Outcome, RawWorkbook, Severity
from dangjian_xlsx.validate import (
    BAD,
    BLANK,
    NORMALIZED,
    OK,
    Validation,
    item_label,
    parse_date,
    parse_score,
    suggest,
    validate,
)

BY_NAME = {c.name: c for c in CASES}


def raw_of(path: Path) -> RawWorkbook:
    return read.read_workbook(path.read_bytes(), path.name)


def run(name: str, camp: Campaign, files: dict[str, Path]) -> Validation:
    path = files[name]
    return validate(raw_of(path), camp, path.name)


# ---------------------------------------------------------------- one case per problem code


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case_yields_exactly_its_problem(case: Case, camp: Campaign, files: dict[str, Path]) -> None:
    v = run(case.name, camp, files)
    assert [p.code for p in v.problems] == list(case.codes), [p.message for p in v.problems]
    for p in v.problems:
        assert p.file == files[case.name].name
        assert p.message and p.severity in (Severity.ERROR, Severity.WARNING)
    if case.cell:
        assert v.problems[0].cell == case.cell
    assert v.blocking == (case.outcome is Outcome.REJECTED)
    assert (v.submission is None) == (case.outcome is Outcome.REJECTED)
    if case.outcome is Outcome.NEEDS_FIX:
        assert v.errors
    if case.outcome in (Outcome.ACCEPTED, Outcome.WARNINGS):
        assert not v.errors


def test_every_problem_code_of_validation_has_a_case() -> None:
    covered = {code for c in CASES for code in c.codes}
    validation_codes = {
        "meta-missing",
        "kind-unknown",
        "digest-mismatch",
        "year-mismatch",
        "branch-unknown",
        "branch-blank",
        "branch-normalized",
        "branch-mismatch",
        "sheet-missing",
        "tampered",
        "tampered-many",
        "rows-shifted",
        "score-blank",
        "score-not-number",
        "score-out-of-range",
        "score-normalized",
        "note-required",
        "status-blank",
        "status-invalid",
        "text-required",
        "date-blank",
        "date-invalid",
        "date-outside-window",
    }
    assert validation_codes <= covered  # inspection-blank: test_inspection_form


# ---------------------------------------------------------------- exact values


def test_clean_scoring_form_values(camp: Campaign, files: dict[str, Path]) -> None:
    v = run("clean_form1", camp, files)
    branch = case_branch(camp, 0)
    assert v.problems == []
    assert v.identity is not None and v.identity.kind is FormKind.SCORING
    assert (v.identity.branch_id, v.identity.branch_name) == (branch.id, branch.name)
    sub = v.submission
    assert sub is not None and sub.branch == branch and sub.kind is FormKind.SCORING
    assert sub.fill_date == dt.date(2018, 9, 28)
    assert [(s.item_id, s.score, s.note) for s in sub.scores] == [
        (i.id, i.points, "") for i in camp.catalog.items
    ]
    assert sum(s.score for s in sub.scores) == 100


def test_clean_tasks_form_values(camp: Campaign, files: dict[str, Path]) -> None:
    v = run("clean_form2", camp, files)
    sub = v.submission
    assert sub is not None and sub.branch == case_branch(camp, 1)
    assert [(a.task_id, a.status, a.done, a.issues) for a in sub.answers] == [
        (t.id, "已完成", f"{t.id} 已按要求完成，见佐证材料", "") for t in camp.catalog.tasks
    ]


def test_blank_form_takes_the_branch_from_the_header(camp: Campaign, files: dict[str, Path]) -> None:
    v = run("clean_blank_form1", camp, files)
    assert v.submission is not None
    assert v.submission.branch.name == "信息科学与技术学院党总支"


def test_short_branch_name_is_recognised_with_a_warning(camp: Campaign, files: dict[str, Path]) -> None:
    v = run("branch_short_name", camp, files)
    assert v.submission is not None and v.submission.branch.name == "音乐学院党总支"
    assert "音乐学院党总支" in v.problems[0].message


def test_unknown_branch_suggests_roster_names(camp: Campaign, files: dict[str, Path]) -> None:
    (p,) = run("branch_unknown_typed", camp, files).problems
    assert p.value == "文学" and p.sheet == "重点任务清单"
    assert "是否为：文学院党总支" in p.message


def test_unknown_branch_keeps_identity_none_but_mismatch_keeps_owner(
    camp: Campaign, files: dict[str, Path]
) -> None:
    assert run("branch_unknown_typed", camp, files).identity is None
    v = run("branch_mismatch", camp, files)
    assert (
        v.identity is not None
        and v.identity.branch_name == case_branch(camp, BY_NAME_INDEX["branch_mismatch"]).name
    )
    assert "名单外的党总支" in v.problems[0].message


BY_NAME_INDEX = {c.name: i for i, c in enumerate(CASES)}


def test_out_of_range_message_names_the_item(camp: Campaign, files: dict[str, Path]) -> None:
    (p,) = run("score_too_high", camp, files).problems
    assert p.message == "S01.2（坚持把党建工作与中心…）本项满分2分，填写的是3"
    assert (p.sheet, p.cell, p.field, p.value) == ("评分表", "E6", "S01.2 自评得分", "3")


def test_invalid_score_becomes_none_and_the_rest_is_kept(camp: Campaign, files: dict[str, Path]) -> None:
    sub = run("score_text", camp, files).submission
    assert sub is not None
    scores = {s.item_id: s.score for s in sub.scores}
    assert scores.pop("S01.2") is None
    assert all(v == camp.catalog.item_by_id[k].points for k, v in scores.items())


def test_normalized_score_is_used(camp: Campaign, files: dict[str, Path]) -> None:
    v = run("score_fullwidth", camp, files)
    s = next(s for s in v.submission.scores if s.item_id == "S01.2")
    assert (s.score, s.note) == (1.5, "缺少会议记录")
    assert v.problems[0].value == "１.５" and "1.5" in v.problems[0].message
    s = next(s for s in run("score_with_unit", camp, files).submission.scores if s.item_id == "S01.2")
    assert s.score == 2


def test_note_required_points_at_the_note_cell(camp: Campaign, files: dict[str, Path]) -> None:
    (p,) = run("note_required", camp, files).problems
    assert "得分1.5低于满分2分" in p.message and p.field == "S01.2 扣分说明"


def test_task_texts_and_statuses(camp: Campaign, files: dict[str, Path]) -> None:
    (p,) = run("status_invalid", camp, files).problems
    assert p.value == "完成" and "已完成、持续推进、未完成、不适用" in p.message
    (p,) = run("issues_required", camp, files).problems
    assert "存在问题及整改措施" in p.message
    sub = run("not_applicable_needs_nothing", camp, files).submission
    t2 = next(a for a in sub.answers if a.task_id == "T02")
    assert (t2.status, t2.done) == ("不适用", "")


def test_fill_dates(camp: Campaign, files: dict[str, Path]) -> None:
    assert run("date_text_accepted", camp, files).submission.fill_date == dt.date(2018, 9, 29)
    assert run("date_serial_accepted", camp, files).submission.fill_date == dt.date(2018, 9, 28)
    v = run("date_outside_window", camp, files)
    assert v.submission.fill_date == dt.date(2018, 10, 8)
    assert "2018-09-26 至 2018-09-30" in v.problems[0].message
    assert run("date_blank", camp, files).submission.fill_date is None


def test_rows_shifted_is_one_readable_problem(camp: Campaign, files: dict[str, Path]) -> None:
    (p,) = run("rows_shifted", camp, files).problems
    assert "插入或删除了行" in p.message and "B6" in p.message


def test_tampered_cell_says_what_and_expected(camp: Campaign, files: dict[str, Path]) -> None:
    (p,) = run("tampered_points", camp, files).problems
    assert p.message.startswith("S01.2 分值被修改：应为“2”，现为“5”")
    v = run("tampered_many", camp, files)
    assert "另有 2 处" in v.problems[-1].message


def test_submission_text_is_never_evaluated(camp: Campaign, files: dict[str, Path]) -> None:
    raw = raw_of(files["clean_form1"])
    sheet = raw.sheet("评分表")
    row = sheet.rows[5]
    row[C_NOTE] = '=HYPERLINK("http://x","y")'
    row[C_NOTE - 1] = 1
    v = validate(raw, camp, "x.xlsx")
    s = next(s for s in v.submission.scores if s.item_id == "S01.2")
    assert s.note == '=HYPERLINK("http://x","y")' and type(s.note) is str


def test_inspection_form(camp: Campaign, tmp_path: Path) -> None:
    branch = camp.roster[0]
    prefill = {(F.SCORE, i.id): i.points for i in camp.catalog.items}
    src = build_form(camp, FormKind.INSPECTION, branch, prefill=prefill)
    values: dict = {(F.INSP_SCORE, i.id): i.points - 1 for i in camp.catalog.items}
    values[(F.DATE, "")] = dt.date(2018, 10, 10)
    values[(F.INSP_SCORE, "S01.1")] = "九"
    del values[(F.INSP_SCORE, "S01.3")]
    path = fill_form(src, tmp_path / "insp.xlsx", values, catalog=camp.catalog)
    v = validate(raw_of(path), camp, path.name)
    # no self-check window for inspectors: the inspection date is later by design
    assert [(p.code, p.cell) for p in v.problems] == [("score-not-number", "G5"), ("inspection-blank", "G7")]
    assert "未填写督查得分" in v.problems[1].message
    first, second, third = v.submission.inspection[:3]
    assert (first.item_id, first.self_score, first.score) == ("S01.1", 2, None)
    assert (second.self_score, second.score) == (2, 1)
    assert third.score is None


# ---------------------------------------------------------------- parsers


@pytest.mark.parametrize(
    ("value", "state", "number"),
    [
        (None, BLANK, None),
        ("", BLANK, None),
        ("  \u3000", BLANK, None),
        (2, OK, 2),
        (1.5, OK, 1.5),
        (0, OK, 0),
        (True, BAD, None),
        (False, BAD, None),
        (math.nan, BAD, None),
        (math.inf, BAD, None),
        ("１.５", NORMALIZED, 1.5),
        ("２分", NORMALIZED, 2),
        (" 2.0 分 ", NORMALIZED, 2),
        ("1。5", NORMALIZED, 1.5),
        ("１．５", NORMALIZED, 1.5),
        ("3", NORMALIZED, 3),
        ("-1", NORMALIZED, -1),
        ("两分", BAD, None),
        ("1/2", BAD, None),
        ("1e3", BAD, None),
        ("nan", BAD, None),
        ("#VALUE!", BAD, None),
        ("#DIV/0!", BAD, None),
        (dt.datetime(2018, 9, 2), BAD, None),
        (dt.date(2018, 9, 2), BAD, None),
        (dt.time(2, 0), BAD, None),
        (dt.timedelta(days=2), BAD, None),
    ],
)
def test_parse_score(value: object, state: str, number: float | None) -> None:
    assert parse_score(value) == (state, number)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2018, 9, 28, 10, 30), dt.date(2018, 9, 28)),
        (dt.date(2018, 9, 28), dt.date(2018, 9, 28)),
        (43371, dt.date(2018, 9, 28)),
        (43371.5, dt.date(2018, 9, 28)),
        ("2018-09-28", dt.date(2018, 9, 28)),
        ("2018/9/28", dt.date(2018, 9, 28)),
        ("2018.9.28", dt.date(2018, 9, 28)),
        ("2018年9月28日", dt.date(2018, 9, 28)),
        ("２０１８年９月２８日", dt.date(2018, 9, 28)),
        (" 2018 年 9 月 28 日 ", dt.date(2018, 9, 28)),
        ("20180928", dt.date(2018, 9, 28)),
        ("9月28日", dt.date(2018, 9, 28)),
        ("2018-09-28 10:00:00", dt.date(2018, 9, 28)),
        ("2018-02-30", None),
        ("下周", None),
        ("28", None),
        (28, None),
        (True, None),
        (math.nan, None),
        (dt.time(10, 0), None),
    ],
)
def test_parse_date(value: object, expected: dt.date | None) -> None:
    assert parse_date(value, 2018) == expected


def test_item_label_and_suggestions(camp: Campaign) -> None:
    item = camp.catalog.item_by_id["S01.2"]
    assert item_label(item.id, item.text) == "S01.2（坚持把党建工作与中心…）"
    names = tuple(b.name for b in camp.roster)
    assert suggest("外语学院党总支", names)[0] == "外国语学院党总支"
    assert suggest("法学院", names) == ["法学院党总支"]
    assert suggest("ZZZ", names) == []


# ---------------------------------------------------------------- files re-saved by LibreOffice


@pytest.mark.office
def test_forms_resaved_by_libreoffice_validate_clean(
    camp: Campaign, files: dict[str, Path], tmp_path: Path
) -> None:
    """.ods and .xls saved by LibreOffice (its metadata sheet merely hidden) give the same values."""
    import subprocess

    from conftest import require_office

    require_office()
    sources = [files["clean_form1"], files["clean_form2"], files["score_fullwidth"]]
    profile = (tmp_path / "lo-profile").as_uri()
    for fmt in ("ods", "xls"):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(tmp_path),
            ]
            + [str(p) for p in sources],
            check=True,
            capture_output=True,
            timeout=180,
        )
        for src in sources:
            path = tmp_path / f"{src.stem}.{fmt}"
            raw = raw_of(path)
            assert raw.fmt == fmt and raw.sheet("_meta").visibility == "hidden"
            original = validate(raw_of(src), camp, src.name)
            again = validate(raw, camp, src.name)
            assert [p.code for p in again.problems] == [p.code for p in original.problems]
            assert again.submission == original.submission


def test_a_corrected_copy_dated_after_the_self_check_is_no_warning(camp: Campaign, tmp_path: Path) -> None:
    """A 更正表 is filled after the self-check: its later 填报日期 is expected (no 有警告 for it); the same date
    on an original form, or a date before the self-check on either, is still a warning."""
    from fill import clean_values

    branch = camp.roster[0]
    late = camp.self_check_end + dt.timedelta(days=20)
    early = camp.self_check_start - dt.timedelta(days=3)

    def codes(revision: int, date: dt.date) -> set[str]:
        path = tmp_path / f"r{revision}_{date}.xlsx"
        data = build_form(camp, FormKind.SCORING, branch, revision=revision)
        fill_form(data, path, clean_values(camp.catalog, FormKind.SCORING, date=date))
        return {p.code for p in validate(raw_of(path), camp, path.name).problems}

    assert "date-outside-window" not in codes(1, late)
    assert "date-outside-window" in codes(0, late)
    assert "date-outside-window" in codes(1, early)
