"""A typo'd fill date far in the future (2052 for 2025) must not make a file "newest" (issue 19): a fill date
after the day of the run and the day after counts as no fill date in the order, and the messages say so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fill import SAVED_AT, done_tasks, fill_form, full_scores

from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.models import Campaign, FileRecord, FormKind, Outcome

TODAY = dt.date.today()


def form(camp: Campaign, dest: Path, date: dt.date, kind: FormKind = FormKind.SCORING) -> Path:
    """文学院党总支's form filled clean, its fill date `date`, saved at the same moment as every other."""
    src = build_form(camp, kind, camp.branch_by_name["文学院党总支"])
    values = full_scores(camp.catalog, date) if kind is FormKind.SCORING else done_tasks(camp.catalog, date)
    return fill_form(src, dest, values, catalog=camp.catalog, saved_at=SAVED_AT)


def collect(inbox: Path, camp: Campaign) -> dict[str, FileRecord]:
    return {f.path: f for f in run_collect(inbox, camp, jobs=1).files}


def test_a_fill_date_in_the_future_does_not_win(tmp_path: Path, campaign: Campaign) -> None:
    real = form(campaign, tmp_path / "文学院党总支_附件1.xlsx", dt.date(2018, 9, 28))
    typo = form(campaign, tmp_path / "文学院党总支_附件1(1).xlsx", dt.date(TODAY.year + 27, 1, 1))
    recs = collect(tmp_path, campaign)
    assert recs[real.name].outcome in (Outcome.ACCEPTED, Outcome.WARNINGS)
    assert recs[typo.name].outcome is Outcome.SUPERSEDED
    said = recs[typo.name].problems[-1].message
    assert "填报日期较新：2018-09-28" in said
    assert f"晚于运行当天 {TODAY.isoformat()}，应是填错了，排序时不计" in said


def test_a_fill_date_of_tomorrow_still_counts(tmp_path: Path, campaign: Campaign) -> None:
    """Within a day of the run (a clock or a time zone ahead) the fill date orders as usual."""
    older = form(campaign, tmp_path / "文学院党总支_附件2.xlsx", TODAY, FormKind.TASKS)
    newer = form(campaign, tmp_path / "a.xlsx", TODAY + dt.timedelta(days=1), FormKind.TASKS)
    recs = collect(tmp_path, campaign)
    assert recs[older.name].outcome is Outcome.SUPERSEDED
    assert recs[newer.name].outcome is not Outcome.SUPERSEDED
