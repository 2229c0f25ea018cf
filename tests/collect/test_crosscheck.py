"""The collect cross-check of returned 督查评分表 settles a file's outcome as collect settles any form's."""

from __future__ import annotations

from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.collect.classify import counted_outcome
from dangjian_xlsx.collect.crosscheck import cross_check
from dangjian_xlsx.messages import Code, render
from dangjian_xlsx.models import FileRecord, FormKind, Outcome, Submission


def _inspection(outcome: Outcome, warnings: int) -> FileRecord:
    campaign = default_campaign()
    branch = campaign.roster[0]
    problems = [render(Code.DATE_BLANK, file="督查.xlsx") for _ in range(warnings)]
    _, reason = counted_outcome(problems)
    return FileRecord(
        path="督查.xlsx",
        outcome=outcome,
        reason=reason,
        kind=FormKind.INSPECTION,
        branch=branch,
        submission=Submission(kind=FormKind.INSPECTION, branch=branch),
        problems=problems,
    )


def test_an_accepted_inspection_without_a_form1_has_a_warning() -> None:
    [f] = cross_check([_inspection(Outcome.ACCEPTED, 0)], default_campaign())
    assert [p.code for p in f.problems] == [Code.INSPECTION_NO_FORM1]
    assert (f.outcome, f.reason) == (Outcome.WARNINGS, "1 条警告")


def test_the_warning_count_includes_the_cross_check() -> None:
    """A file that had one warning and gains the cross-check's says 2 warnings, not the count before it."""
    [f] = cross_check([_inspection(Outcome.WARNINGS, 1)], default_campaign())
    assert (f.outcome, f.reason) == (Outcome.WARNINGS, "2 条警告")
