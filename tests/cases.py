"""One filled form per problem code: shared by the validation tests (file by file) and the collect tests
(all of them in one inbox, to prove that one bad file does not affect the others).

Each case is a clean, generated and filled form with exactly one thing wrong. Every case uses its own
党总支 (the test roster is the built-in one plus extra branches), so cases never supersede each other.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fill import (
    Edit,
    Key,
    chain,
    clean_values,
    fill_form,
    insert_rows,
    rename_sheet,
    set_cell,
    set_meta,
    show_sheet,
)

from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import META_SHEET, Field
from dangjian_xlsx.models import Branch, Campaign, FormKind, Outcome

S1, S2 = FormKind.SCORING, FormKind.TASKS
F1, F2 = "评分表", "重点任务清单"
DELETE = object()  # a value that removes the key from the clean values (leaves the cell empty)

# Cell positions (A1) on the generated forms: S01.1 is on row 5, S01.2 on row 6 …; T01 on row 5 ….
S01_2_SCORE, S01_2_NOTE = "E6", "F6"
T02_STATUS, T02_DONE, T02_ISSUES = "C6", "D6", "E6"


@dataclass(frozen=True)
class Case:
    name: str  # file stem, unique
    kind: FormKind
    codes: tuple[str, ...]  # exactly the problem codes the file must produce, in order
    cell: str = ""  # where the first problem points
    outcome: Outcome = Outcome.ACCEPTED
    changes: dict[Key, object] = field(default_factory=dict)  # on top of the clean values
    edit: Edit | None = None
    blank: bool = False  # made from the blank form (党总支名称 typed by the branch)
    header: str = ""  # the branch name typed into a blank form


def _note(item: str = "S01.2") -> Key:
    return (Field.NOTE, item)


CASES: tuple[Case, ...] = (
    Case("clean_form1", S1, ()),
    Case("clean_form2", S2, ()),
    Case("clean_blank_form1", S1, (), blank=True, header="  信息科学与技术学院党总支 "),
    Case("meta_hidden_by_libreoffice", S1, (), edit=show_sheet(META_SHEET, "hidden")),
    Case("meta_visible", S2, (), edit=show_sheet(META_SHEET, "visible")),
    # --- identity
    Case(
        "meta_missing", S1, ("meta-missing",), outcome=Outcome.REJECTED, edit=rename_sheet(META_SHEET, "meta")
    ),
    Case(
        "kind_unknown", S1, ("kind-unknown",), outcome=Outcome.REJECTED, edit=set_meta("form_kind", "form9")
    ),
    Case(
        "digest_mismatch",
        S2,
        ("digest-mismatch",),
        outcome=Outcome.REJECTED,
        edit=set_meta("catalog_digest", "0123456789abcdef"),
    ),
    Case("year_mismatch", S1, ("year-mismatch",), outcome=Outcome.WARNINGS, edit=set_meta("year", "2017")),
    Case(
        "branch_unknown_meta",
        S1,
        ("branch-unknown",),
        cell="B3",
        outcome=Outcome.REJECTED,
        edit=chain(set_meta("branch_name", "已撤销学院党总支"), set_cell(F1, "B3", "已撤销学院党总支")),
    ),
    Case("branch_unknown_typed", S2, ("branch-unknown",), "B3", Outcome.REJECTED, blank=True, header="文学"),
    Case("branch_blank", S1, ("branch-blank",), "B3", Outcome.REJECTED, blank=True),
    Case(
        "branch_short_name", S2, ("branch-normalized",), "B3", Outcome.WARNINGS, blank=True, header="音乐学院"
    ),
    Case(
        "branch_mismatch",
        S1,
        ("branch-mismatch",),
        "B3",
        Outcome.REJECTED,
        edit=set_cell(F1, "B3", "名单外的党总支"),
    ),
    Case("sheet_missing", S2, ("sheet-missing",), outcome=Outcome.REJECTED, edit=rename_sheet(F2, "Sheet1")),
    # --- tamper
    Case(
        "tampered_text", S1, ("tampered",), "C7", Outcome.REJECTED, edit=set_cell(F1, "C7", "3.随便改的内容")
    ),
    Case("tampered_points", S1, ("tampered",), "D6", Outcome.REJECTED, edit=set_cell(F1, "D6", 5)),
    Case("tampered_task", S2, ("tampered",), "B6", Outcome.REJECTED, edit=set_cell(F2, "B6", "")),
    Case(
        "tampered_many",
        S1,
        ("tampered",) * 10 + ("tampered-many",),
        "C5",
        Outcome.REJECTED,
        edit=chain(*(set_cell(F1, f"C{r}", f"改{r}") for r in range(5, 17))),
    ),
    Case("rows_shifted", S1, ("rows-shifted",), "B5", Outcome.REJECTED, edit=insert_rows(F1, 5)),
    # --- values, 附件1
    Case(
        "score_blank", S1, ("score-blank",), S01_2_SCORE, Outcome.NEEDS_FIX, {(Field.SCORE, "S01.2"): DELETE}
    ),
    Case(
        "score_text",
        S1,
        ("score-not-number",),
        S01_2_SCORE,
        Outcome.NEEDS_FIX,
        {(Field.SCORE, "S01.2"): "满分"},
    ),
    Case(
        "score_bool",
        S1,
        ("score-not-number",),
        S01_2_SCORE,
        Outcome.NEEDS_FIX,
        {(Field.SCORE, "S01.2"): True},
    ),
    Case(
        "score_date",
        S1,
        ("score-not-number",),
        S01_2_SCORE,
        Outcome.NEEDS_FIX,
        {(Field.SCORE, "S01.2"): dt.datetime(2018, 9, 2)},
    ),
    Case(
        "score_too_high",
        S1,
        ("score-out-of-range",),
        S01_2_SCORE,
        Outcome.NEEDS_FIX,
        {(Field.SCORE, "S01.2"): 3},
    ),
    Case(
        "score_negative",
        S1,
        ("score-out-of-range",),
        S01_2_SCORE,
        Outcome.NEEDS_FIX,
        {(Field.SCORE, "S01.2"): -1, _note(): "扣分原因"},
    ),
    Case(
        "score_fullwidth",
        S1,
        ("score-normalized",),
        S01_2_SCORE,
        Outcome.WARNINGS,
        {(Field.SCORE, "S01.2"): "１.５", _note(): "缺少会议记录"},
    ),
    Case(
        "score_with_unit",
        S1,
        ("score-normalized",),
        S01_2_SCORE,
        Outcome.WARNINGS,
        {(Field.SCORE, "S01.2"): " 2.0 分 "},
    ),
    Case(
        "note_required", S1, ("note-required",), S01_2_NOTE, Outcome.NEEDS_FIX, {(Field.SCORE, "S01.2"): 1.5}
    ),
    # --- values, 附件2
    Case(
        "status_blank", S2, ("status-blank",), T02_STATUS, Outcome.NEEDS_FIX, {(Field.STATUS, "T02"): DELETE}
    ),
    Case(
        "status_invalid",
        S2,
        ("status-invalid",),
        T02_STATUS,
        Outcome.NEEDS_FIX,
        {(Field.STATUS, "T02"): "完成"},
    ),
    Case("done_required", S2, ("text-required",), T02_DONE, Outcome.NEEDS_FIX, {(Field.DONE, "T02"): DELETE}),
    Case(
        "issues_required",
        S2,
        ("text-required",),
        T02_ISSUES,
        Outcome.NEEDS_FIX,
        {(Field.STATUS, "T02"): "持续推进"},
    ),
    Case(
        "not_applicable_needs_nothing",
        S2,
        (),
        changes={(Field.STATUS, "T02"): " 不适用 ", (Field.DONE, "T02"): DELETE},
    ),
    # --- fill date
    Case("date_blank", S1, ("date-blank",), "E3", Outcome.WARNINGS, {(Field.DATE, ""): DELETE}),
    Case("date_invalid", S2, ("date-invalid",), "D3", Outcome.WARNINGS, {(Field.DATE, ""): "国庆前"}),
    Case(
        "date_outside_window",
        S1,
        ("date-outside-window",),
        "E3",
        Outcome.WARNINGS,
        {(Field.DATE, ""): "2018年10月8日"},
    ),
    Case("date_text_accepted", S2, (), changes={(Field.DATE, ""): "2018/9/29"}),
    Case("date_serial_accepted", S1, (), changes={(Field.DATE, ""): 43371}),
)


def make_campaign(campaign: Campaign) -> Campaign:
    """The default campaign with enough extra branches for one branch per case."""
    extra = tuple(
        Branch(seq=100 + i, name=f"测试{i:02d}学院党总支")
        for i in range(len(CASES) - len(campaign.roster) + 5)
    )
    return campaign.model_copy(update={"roster": campaign.roster + extra})


def case_branch(campaign: Campaign, index: int) -> Branch:
    return campaign.roster[index]


def build_case(case: Case, index: int, campaign: Campaign, dest_dir: Path) -> Path:
    """Generate, fill and save the case's file as `<NN>_<name>.xlsx`."""
    branch = case_branch(campaign, index)
    src = build_form(campaign, case.kind, None if case.blank else branch)
    values = clean_values(campaign.catalog, case.kind)
    if case.blank and case.header:
        values[(Field.BRANCH, "")] = case.header
    for key, value in case.changes.items():
        if value is DELETE:
            values.pop(key, None)
        else:
            values[key] = value
    return fill_form(
        src, dest_dir / f"{index:02d}_{case.name}.xlsx", values, catalog=campaign.catalog, edit=case.edit
    )


_BUILT: dict[str, Path] = {}


def built_cases(campaign: Campaign) -> dict[str, Path]:
    """Every case file, built once per test process (in a temporary folder removed at exit)."""
    if not _BUILT:
        root = Path(tempfile.mkdtemp(prefix="dj-cases-"))
        atexit.register(shutil.rmtree, root, True)
        for i, case in enumerate(CASES):
            _BUILT[case.name] = build_case(case, i, campaign, root)
    return _BUILT
