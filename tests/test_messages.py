"""messages.Code: every problem code's severity, template, short reason and traits — and that the traits are
what the pipeline acts on (a code's trait changed here changes what collect, validation and the corrected
copies do with it)."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from cases import S01_2_SCORE, S1, S2, T02_DONE, Case, build_case

from dangjian_xlsx import read
from dangjian_xlsx.collect import process_file
from dangjian_xlsx.layout import Field
from dangjian_xlsx.messages import Code, Trait, render
from dangjian_xlsx.models import Campaign, FileRecord, Outcome, Problem, Severity
from dangjian_xlsx.round.corrections import submitted_values
from dangjian_xlsx.validate import Validation, validate


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _problem(code: Code, severity: Severity | None = None, **given: str) -> Problem:
    fields = {f: f"<{f}>" for f in _fields(code.template) - {"value", "sheet_name"}} | given
    return render(code, file="a.xlsx", sheet="评分表", value="<value>", severity=severity, **fields)


def _record(camp: Campaign, path: Path) -> FileRecord:
    return process_file(path, path.parent, camp)


def _codes(rec: FileRecord) -> list[str]:
    return [p.code for p in rec.problems]


# ---------------------------------------------------------------- the table


@pytest.mark.parametrize("code", list(Code), ids=str)
def test_every_code_renders_its_template(code: Code) -> None:
    p = _problem(code)
    assert type(p.code) is str and p.code == code.value  # exports show the plain string
    assert Code(p.code) is code
    assert p.severity is code.severity
    assert p.message and "{" not in p.message and "}" not in p.message
    for name in _fields(code.template):
        assert (
            "<value>" if name == "value" else "评分表" if name == "sheet_name" else f"<{name}>"
        ) in p.message


@pytest.mark.parametrize("code", list(Code), ids=str)
def test_every_code_says_the_unit_of_the_round(code: Code) -> None:
    """党总支 as a kind of unit is `{unit}` in every template and short reason: a round of 党支部 says 党支部."""
    assert "党总支" not in code.template and "{" not in code.reason
    shown = _problem(code, unit="党支部").message
    assert "党总支" not in shown and "{" not in code.reason_for("党支部")
    builtin = render(code, file="a", **_template_fields(code))  # the built-in unit by default
    assert builtin == render(code, file="a", unit="党总支", **_template_fields(code))
    if "{unit}" in code.template:
        assert "党支部" in shown and "党总支" in builtin.message
    assert "党总支" not in code.reason_for("党支部") and code.reason_for() == code.reason
    if "党总支" in code.reason:
        assert "党支部" in code.reason_for("党支部")


def _template_fields(code: Code) -> dict[str, str]:
    return {f: f"<{f}>" for f in _fields(code.template) - {"value", "sheet_name", "unit"}}


def test_the_unit_in_messages_and_reasons() -> None:
    p = render(
        Code.BRANCH_UNKNOWN, file="a.xlsx", value="化学学院党支部", suggestion="，请核对名称", unit="党支部"
    )
    assert p.message == "党支部“化学学院党支部”不在本轮名单中，请核对名称"
    assert Code.BRANCH_UNKNOWN.reason_for("党支部") == "党支部不在名单中"
    assert Code.BRANCH_UNKNOWN.reason_for() == "党总支不在名单中"  # the built-in round's, as before
    builtin = render(Code.BRANCH_BLANK, file="a.xlsx")
    assert builtin.message == "未填写党总支名称，无法确定是哪个党总支的表格"
    p = render(Code.INSPECTION_NO_FORM1, file="a.xlsx", form1="附件3评分表", unit="党支部")
    assert p.message == "该党支部没有已接收的附件3评分表，自评得分按督查表中锁定的数值计算"


def test_traits_agree_with_each_other() -> None:
    assert len({c.value for c in Code}) == len(Code)  # no two codes share a value
    for code in Code:
        if code.rejects:  # a rejected file shows a short reason
            assert code.severity is Severity.ERROR and code.reason, code
        if code.stops_values or code.recoverable:
            assert code.rejects, code
        if code.reason:  # a short reason is what a rejected file shows: only a rejecting code has one,
            # besides the two that settle a file's outcome themselves (身份存疑, a returned blank template)
            assert code.severity is Severity.ERROR, code
            assert code.rejects or code in (Code.IDENTITY_DOUBT, Code.FORM_BLANK), code
        if Trait.SCORE in code.traits:
            assert code.blank_score and code.blank, code
    assert {c for c in Code if c.stops_values} < {c for c in Code if c.rejects}


@pytest.mark.parametrize("code", [c for c in Code if c.severity is Severity.ERROR], ids=str)
def test_an_error_blocks_validation_exactly_when_its_code_rejects(code: Code) -> None:
    assert Validation(problems=[_problem(code)]).blocking is code.rejects
    assert not Validation(problems=[_problem(code, Severity.WARNING)]).blocking


# ---------------------------------------------------------------- the traits drive behaviour


def test_a_code_flagged_as_rejecting_rejects_the_file_with_its_reason(
    camp: Campaign, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = files["score_blank"]
    before = _record(camp, path)
    assert before.outcome is Outcome.NEEDS_FIX and _codes(before) == ["score-blank"]
    monkeypatch.setattr(Code.SCORE_BLANK, "traits", Code.SCORE_BLANK.traits | Trait.REJECTS)
    monkeypatch.setattr(Code.SCORE_BLANK, "reason", "自评得分未填")
    after = _record(camp, path)
    assert after.outcome is Outcome.REJECTED and after.submission is None
    assert after.reason == "自评得分未填"


def test_the_reason_of_a_rejecting_code_is_the_files_reason(camp: Campaign, files: dict[str, Path]) -> None:
    rec = _record(camp, files["digest_mismatch"])
    assert rec.outcome is Outcome.REJECTED and rec.reason == Code.DIGEST_MISMATCH.reason == "表格版本不符"
    [p] = rec.problems
    assert p.message.startswith("表格版本不符：本文件是按“") and "生成的表格，本轮使用的是" in p.message


def test_a_code_flagged_as_stopping_leaves_the_values_unread(
    camp: Campaign, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = files["year_mismatch"]
    raw = read.read_workbook(path.read_bytes(), path.name)
    assert validate(raw, camp, path.name).submission is not None
    monkeypatch.setattr(Code.YEAR_MISMATCH, "traits", Trait.STOPS_VALUES)
    v = validate(raw, camp, path.name)
    assert v.identity is not None and v.submission is None
    assert [p.code for p in v.problems] == ["year-mismatch"]  # no value checks, not even the sheet order


def test_a_value_kept_by_its_code_goes_back_into_the_corrected_copy(
    camp: Campaign, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = _record(camp, files["score_too_high"])
    key = (Field.SCORE, "S01.2")
    assert _codes(rec) == ["score-out-of-range"] and submitted_values(camp, rec)[key] == 3
    monkeypatch.setattr(Code.SCORE_OUT_OF_RANGE, "traits", Trait(0))
    assert key not in submitted_values(camp, rec)


def test_blank_codes_are_explained_by_what_the_cell_holds(
    camp: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    formula = Case("done_formula", S2, (), T02_DONE, changes={(Field.DONE, "T02"): "=A1&B1"})
    error = Case("score_error_value", S1, (), S01_2_SCORE, changes={(Field.SCORE, "S01.2"): "#VALUE!"})
    formula_path = build_case(formula, 0, camp, tmp_path)
    error_path = build_case(error, 1, camp, tmp_path)
    assert _codes(_record(camp, formula_path)) == ["formula-in-input"]
    assert _codes(_record(camp, error_path)) == ["score-not-number"]
    monkeypatch.setattr(Code.TEXT_REQUIRED, "traits", Trait(0))  # not a blank: its cell is not looked at
    assert _codes(_record(camp, formula_path)) == ["text-required"]
    monkeypatch.setattr(Code.SCORE_BLANK, "traits", Trait.BLANK)  # a blank, but not of a score cell
    rec = _record(camp, error_path)
    assert _codes(rec) == ["score-blank"] and rec.problems[0].value == "#VALUE!"


def test_every_code_has_a_chinese_name() -> None:
    """The 校验问题 sheet shows each problem's kind by name: a new code without one would show 其他问题."""
    from dangjian_xlsx.problemnames import PROBLEM_NAMES, problem_name

    assert set(PROBLEM_NAMES) == set(Code)
    for code in Code:
        name = problem_name(code.value, "党支部")
        assert name and name.isprintable() and not any("a" <= c.lower() <= "z" for c in name), name
    assert problem_name(Code.BRANCH_UNKNOWN.value, "党支部") == "党支部不在名单中"
    assert problem_name("no-such-code", "党总支") == "其他问题"


def test_a_version_mismatch_tells_people_the_forms_not_hex_ids() -> None:
    """What a branch reads in its notice and a clerk on the page: which round's form it was and what to do — the
    version ids stay in the problem's value (the summary's 校验问题 shows them), not in the sentence; the hidden
    identity sheet is named 表格标识, not _meta."""
    from dangjian_xlsx.layout import META_SHEET
    from dangjian_xlsx.messages import Code, one_line, render

    p = render(
        Code.DIGEST_MISMATCH,
        file="a.xlsx",
        sheet=META_SHEET,
        value="105bb6cc71c66a8e",
        expected="88668bd4501f7e24",
        made_from="“专项督查（2018年，版本 2018-zznu-1）”",
        current="同名但内容已修改的版本",
    )
    assert "105bb6cc71c66a8e" not in p.message and "88668bd4501f7e24" not in p.message
    assert "2018-zznu-1" in p.message and "请使用本轮下发的表格重新填写" in p.message
    assert p.value == "105bb6cc71c66a8e"
    assert "_meta" not in one_line(p) and "a.xlsx 表格标识：" in one_line(p)
