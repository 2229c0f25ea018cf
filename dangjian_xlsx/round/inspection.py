"""组织部's own inspection (督查): 督查评分表 built from the accepted 附件1.

`build_inspections(report)` is pure: one inspection workbook per branch with a counted 附件1 — the branch's
self-assessed scores and explanations locked, an unlocked 督查得分 (0..分值) and 督查意见 per item, identity in
the metadata with its own form kind. A 督查评分表 already collected for that branch carries its 督查 values over
into the new workbook (e.g. after the branch corrected its 附件1). `write_inspections` writes them atomically.
Collected back, a 督查评分表 is cross-checked against the branch's 附件1 by collect (`collect.crosscheck`).
"""

from __future__ import annotations

from pathlib import Path

from .. import aggregate as ag
from ..atomic import write_all_atomic
from ..forms import build_form, form_filename
from ..layout import Field
from ..models import FormKind, Report, Submission

Key = tuple[Field, str]


# ---------------------------------------------------------------- building inspection workbooks


def inspection_prefill(form1: Submission, previous: Submission | None = None) -> dict[Key, object]:
    """The prefill of one 督查评分表: the 附件1's scores and notes; the 督查 values of `previous`, if any."""
    values: dict[Key, object] = {}
    for s in form1.scores:
        if s.score is not None:
            values[(Field.SCORE, s.item_id)] = s.score
        if s.note:
            values[(Field.NOTE, s.item_id)] = s.note
    if previous is not None:
        if previous.fill_date is not None:
            values[(Field.DATE, "")] = previous.fill_date
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
        sub = bf.forms[FormKind.SCORING].submission
        if sub is None:
            continue
        prev_record = previous.get(bf.branch.name)
        prev = prev_record.submission if prev_record is not None else None
        data = build_form(
            campaign,
            FormKind.INSPECTION,
            bf.branch,
            prefill=inspection_prefill(sub, prev),
            revision=prev.revision + 1 if prev is not None else 0,
        )
        out.append((form_filename(FormKind.INSPECTION, bf.branch), data))
    return out


def write_inspections(report: Report, out_dir: Path) -> list[Path]:
    """Write the 督查评分表 into `out_dir`; returns the paths written."""
    out_dir = Path(out_dir)
    return write_all_atomic((out_dir / name, data) for name, data in build_inspections(report))
