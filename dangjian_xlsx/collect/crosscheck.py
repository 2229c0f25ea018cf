"""The cross-check of returned 督查评分表, after resolving: the self-assessment locked in a counted 督查评分表
must still equal the branch's counted 附件1 ('inspection-self-changed' otherwise; 'inspection-no-form1' when
the branch has none). A file that gains an error needs fixing; an accepted one that gains a warning has warnings.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..answers import without_notes
from ..layout import C_SCORE, Field, a1, form_label, form_layout
from ..messages import Code, render
from ..models import Campaign, FileRecord, FormKind
from ..validate import fmt_number, item_label
from .classify import counted_outcome
from .resolve import COUNTED

TOLERANCE = 1e-6


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOLERANCE


def _shown(v: float | None) -> str:
    return "（空）" if v is None else fmt_number(v)


def _settle(f: FileRecord) -> None:
    """Re-derive a counted file's outcome after problems were added, as collect settles one file's."""
    f.outcome, f.reason = counted_outcome(f.problems)


def cross_check(records: Iterable[FileRecord], campaign: Campaign) -> list[FileRecord]:
    """Compare each counted 督查评分表's locked self-assessment with the branch's counted 附件1 (in place)."""
    records = list(records)
    form1 = {
        f.branch.name: f.submission
        for f in records
        if f.kind is FormKind.SCORING and f.outcome in COUNTED and f.branch is not None and f.submission
    }
    cat = campaign.catalog
    unit = cat.unit
    lay = form_layout(cat, FormKind.INSPECTION)
    form1_label = form_label(cat, FormKind.SCORING).replace(" ", "")  # 附件1评分表
    for f in records:
        if f.kind is not FormKind.INSPECTION or f.outcome not in COUNTED or f.submission is None:
            continue
        if f.branch is None:
            continue
        own = form1.get(f.branch.name)
        if own is None:
            f.problems.append(
                render(Code.INSPECTION_NO_FORM1, file=f.path, sheet=lay.sheet, form1=form1_label, unit=unit)
            )
            _settle(f)
            continue
        mine = {s.item_id: s.score for s in without_notes(own.scores)}  # its notes not read
        for s in f.submission.inspection:
            expected = mine.get(s.item_id)
            if _same(s.self_score, expected):
                continue
            item = cat.item_by_id[s.item_id]
            f.problems.append(
                render(
                    Code.INSPECTION_SELF_CHANGED,
                    file=f.path,
                    sheet=lay.sheet,
                    cell=a1(lay.item_rows[s.item_id], C_SCORE),
                    field=f"{s.item_id} {Field.SCORE.label}",
                    value=_shown(s.self_score),
                    item=item_label(item.id, item.text),
                    expected=_shown(expected),
                    unit=unit,
                )
            )
        _settle(f)
    return records
