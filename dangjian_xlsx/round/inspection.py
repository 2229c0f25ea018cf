"""组织部's own inspection (督查): 督查评分表 built from the accepted 附件1, and the inspectors' corrections.

`build_inspections(report)` is pure: one inspection workbook per branch with a counted 附件1 — the branch's
self-assessed scores and explanations locked, an unlocked 督查得分 (0..分值) and 督查意见 per item, identity in
the metadata with its own form kind. A 督查评分表 already collected for that branch carries its 督查 values over
into the new workbook (e.g. after the branch corrected its 附件1). `write_inspections` writes them atomically.
Collected back, a 督查评分表 is cross-checked against the branch's 附件1 by collect (`collect.crosscheck`).

A collected 督查评分表 with errors (blank items, a score over the item's points, the locked self-assessment
edited) or rejected gets a correction notice of its own, addressed to 组织部's inspectors, never to the branch
(`inspector_notices`): the cells to fix, and a corrected copy pre-filled with the inspectors' values, the
branch's self-assessment restored from its counted 附件1 and a comment on each problem cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .. import aggregate as ag
from ..atomic import write_all_atomic
from ..forms import build_form, form_filename
from ..layout import FILE_SUFFIX, Field
from ..messages import Code
from ..models import Branch, Campaign, FileRecord, FormKind, Outcome, Problem, Report, Severity, Submission
from .copies import Loader, fix_part, rejected_part, typed_back
from .notices import Notice, Part, notice_text

Key = tuple[Field, str]


# ---------------------------------------------------------------- building inspection workbooks


_INVALID_WHY = {
    Code.SCORE_NOT_NUMBER: "不是数字",
    Code.SCORE_OUT_OF_RANGE: "超出分值",
    Code.FORMULA_IN_INPUT: "公式",
}
_SHOWN_MAX = 40  # characters of an invalid self-score shown before "…"


def invalid_self_scores(form1_problems: Iterable[Problem]) -> dict[str, str]:
    """Per item whose self-score in 附件1 was invalid, the text the 督查评分表's locked self-score cell shows:
    what the branch typed, marked ("优秀（无效：不是数字）", "（无效：未填写）"). Never a number (a marked text
    reads back as no self-score, as the invalid one counted in 附件1: collect's cross-check still holds)."""
    shown: dict[str, str] = {}
    valued: set[str] = set()
    label = f" {Field.SCORE.label}"
    for p in form1_problems:
        if p.severity is not Severity.ERROR or not p.field.endswith(label):
            continue
        item_id = p.field.removesuffix(label)
        if item_id in valued or (item_id in shown and not p.value):
            continue  # the first problem that shows what was typed wins
        typed = p.value if len(p.value) <= _SHOWN_MAX else p.value[:_SHOWN_MAX] + "…"
        why = _INVALID_WHY.get(Code(p.code), "无效") if typed else "未填写"
        shown[item_id] = f"{typed}（无效：{why}）"
        if typed:
            valued.add(item_id)
    return shown


def inspection_prefill(
    form1: Submission | None, previous: Submission | None = None, form1_problems: Iterable[Problem] = ()
) -> dict[Key, object]:
    """The prefill of one 督查评分表: the 附件1's scores and notes — an invalid score as typed, marked, from
    `form1_problems` (without a 附件1, the self scores locked in `previous`); the 督查 values of `previous`,
    if any."""
    values: dict[Key, object] = {}
    if form1 is not None:
        invalid = invalid_self_scores(form1_problems)
        for s in form1.scores:
            if s.score is not None:
                values[(Field.SCORE, s.item_id)] = s.score
            elif s.item_id in invalid:
                values[(Field.SCORE, s.item_id)] = invalid[s.item_id]
            if s.note:
                values[(Field.NOTE, s.item_id)] = s.note
    elif previous is not None:
        for i in previous.inspection:
            if i.self_score is not None:
                values[(Field.SCORE, i.item_id)] = i.self_score
    if previous is not None:
        if previous.fill_date is not None:
            values[(Field.DATE, "")] = previous.fill_date
        if previous.inspection_group:
            values[(Field.INSP_GROUP, "")] = previous.inspection_group
        if previous.inspector:
            values[(Field.INSPECTOR, "")] = previous.inspector
        for i in previous.inspection:
            if i.score is not None:
                values[(Field.INSP_SCORE, i.item_id)] = i.score
            if i.opinion:
                values[(Field.INSP_OPINION, i.item_id)] = i.opinion
    return values


def build_inspections(report: Report) -> list[tuple[str, bytes]]:
    """(file name, workbook bytes) per roster branch with a counted 附件1, in roster order."""
    campaign = report.campaign
    previous = ag.current_inspections(report)
    out = []
    for bf in ag.branch_files(report):
        form1 = bf.forms[FormKind.SCORING].current
        sub = form1.submission if form1 is not None else None
        if form1 is None or sub is None:
            continue
        prev_record = previous.get(bf.branch.name)
        prev = prev_record.submission if prev_record is not None else None
        data = build_form(
            campaign,
            FormKind.INSPECTION,
            bf.branch,
            prefill=inspection_prefill(sub, prev, form1.problems),
            revision=prev.revision + 1 if prev is not None else 0,
        )
        out.append((form_filename(FormKind.INSPECTION, bf.branch, campaign.catalog), data))
    return out


def write_inspections(report: Report, out_dir: Path) -> list[Path]:
    """Write the 督查评分表 into `out_dir`; returns the paths written."""
    out_dir = Path(out_dir)
    return write_all_atomic((out_dir / name, data) for name, data in build_inspections(report))


# ---------------------------------------------------------------- the inspectors' corrections


def is_inspection_file(f: FileRecord) -> bool:
    """A 督查评分表, by what was read of it or, for a file whose form could not be told, by its name."""
    kind = f.kind or (f.submission.kind if f.submission is not None else None)
    if kind is not None:
        return kind is FormKind.INSPECTION
    return FILE_SUFFIX[FormKind.INSPECTION] in f.path.rsplit("/", 1)[-1]


def _self_prefill(form1: FileRecord | None, previous: Submission | None = None) -> dict[Key, object]:
    """`inspection_prefill` from the branch's counted 附件1 record (its problems give the invalid scores)."""
    if form1 is None:
        return inspection_prefill(None, previous)
    return inspection_prefill(form1.submission, previous, form1.problems)


def _inspection_part(
    campaign: Campaign, branch: Branch, form1: FileRecord | None, rec: FileRecord, loader: Loader | None
) -> Part:
    kind = FormKind.INSPECTION
    insp = rec.submission
    if insp is None:  # counted, but nothing could be read: like a rejected file
        return rejected_part(campaign, kind, branch, [rec], loader, _self_prefill(form1))
    values = _self_prefill(form1, insp)
    typed_back(campaign, kind, rec, values)
    return fix_part(campaign, kind, branch, rec, values)


def inspector_notices(
    report: Report, loader: Loader | None = None, branches: list[ag.BranchFiles] | None = None
) -> list[Notice]:
    """Per roster branch (roster order) whose 督查评分表 must be corrected — the counted one has errors, or
    none counts and one was rejected — a notice to the inspectors with its corrected copy."""
    campaign = report.campaign
    current = ag.current_inspections(report)
    rejected: dict[str, list[FileRecord]] = {}
    for f in report.files:
        if f.outcome is Outcome.REJECTED and f.branch is not None and is_inspection_file(f):
            rejected.setdefault(f.branch.name, []).append(f)
    out = []
    for bf in ag.branch_files(report) if branches is None else branches:
        b, rec = bf.branch, current.get(bf.branch.name)
        form1 = bf.forms[FormKind.SCORING].current
        if rec is not None and rec.outcome is Outcome.NEEDS_FIX:
            part = _inspection_part(campaign, b, form1, rec, loader)
        elif rec is None and rejected.get(b.name):
            part = rejected_part(
                campaign, FormKind.INSPECTION, b, rejected[b.name], loader, _self_prefill(form1)
            )
        else:
            continue
        notice = Notice(b, [part], report_missing=False, inspector=True)
        notice.text = notice_text(notice, campaign, report.generated_at)
        out.append(notice)
    return out
