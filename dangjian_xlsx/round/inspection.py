"""组织部's own inspection (督查): 督查评分表 built from the accepted 附件1, and the cross-check on collect.

`build_inspections(report)` is pure: one inspection workbook per branch with a counted 附件1 — the branch's
self-assessed scores and explanations locked, an unlocked 督查得分 (0..分值) and 督查意见 per item, identity in
the metadata with its own form kind. A 督查评分表 already collected for that branch carries its 督查 values over
into the new workbook (e.g. after the branch corrected its 附件1). `write_inspections` writes them atomically.

`cross_check(records, campaign)` runs in collect after resolving: the self-assessment locked in a returned
督查评分表 must still equal the branch's accepted 附件1 ('inspection-self-changed' otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..atomic import write_all_atomic
from ..collect.resolve import COUNTED
from ..layout import C_SCORE, Field, a1, form_layout
from ..messages import render
from ..models import Campaign, FileRecord, FormKind, Outcome, Report, Severity, Submission
from ..validate.workbook import fmt_number, item_label

TOLERANCE = 1e-6
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
    # imported here: collect needs only cross_check, not pandas or xlsxwriter
    from ..aggregate.tables import current_inspections, resolve
    from ..forms.generate import build_form, form_filename

    campaign = report.campaign
    previous = current_inspections(report)
    out = []
    for bf in resolve(report):
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


# ---------------------------------------------------------------- cross-check on collect


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOLERANCE


def _shown(v: float | None) -> str:
    return "（空）" if v is None else fmt_number(v)


def _settle(f: FileRecord) -> None:
    """Re-derive a counted file's outcome after problems were added (as collect does for one file)."""
    errors = [p for p in f.problems if p.severity is Severity.ERROR]
    if errors:
        f.outcome, f.reason = Outcome.NEEDS_FIX, f"{len(errors)} 处需修改"
    elif f.problems and f.outcome is Outcome.ACCEPTED:
        f.outcome, f.reason = Outcome.WARNINGS, f"{len(f.problems)} 条警告"


def cross_check(records: Iterable[FileRecord], campaign: Campaign) -> list[FileRecord]:
    """Compare each counted 督查评分表's locked self-assessment with the branch's counted 附件1 (in place)."""
    records = list(records)
    form1 = {
        f.branch.name: f.submission
        for f in records
        if f.kind is FormKind.SCORING and f.outcome in COUNTED and f.branch is not None and f.submission
    }
    cat = campaign.catalog
    lay = form_layout(cat, FormKind.INSPECTION)
    for f in records:
        if f.kind is not FormKind.INSPECTION or f.outcome not in COUNTED or f.submission is None:
            continue
        if f.branch is None:
            continue
        own = form1.get(f.branch.name)
        if own is None:
            f.problems.append(render("inspection-no-form1", file=f.path, sheet=lay.sheet))
            _settle(f)
            continue
        mine = {s.item_id: s.score for s in own.scores}
        for s in f.submission.inspection:
            expected = mine.get(s.item_id)
            if _same(s.self_score, expected):
                continue
            item = cat.item_by_id[s.item_id]
            f.problems.append(
                render(
                    "inspection-self-changed",
                    file=f.path,
                    sheet=lay.sheet,
                    cell=a1(lay.item_rows[s.item_id], C_SCORE),
                    field=f"{s.item_id} {Field.SCORE.label}",
                    value=_shown(s.self_score),
                    item=item_label(item.id, item.text),
                    expected=_shown(expected),
                )
            )
        _settle(f)
    return records
