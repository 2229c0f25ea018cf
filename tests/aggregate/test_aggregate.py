"""aggregate: Report → tables and overview counts, checked against independent computations."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from synthetic import (
    SCENARIO_SCORES,
    campaign_with,
    expected_total,
    form1,
    form2,
    other,
    problem,
    report,
    scenario,
)

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx import collect
from dangjian_xlsx.aggregate.scores import ranks
from dangjian_xlsx.models import Branch, Campaign, FileRecord, FormKind, Outcome, Report, Submission
from dangjian_xlsx.round.corrections import plan


@pytest.fixture(scope="module")
def rep(campaign: Campaign) -> Report:
    return scenario(campaign)


@pytest.fixture(scope="module")
def tables(rep: Report) -> ag.Tables:
    return ag.build_tables(rep)


def by_seq(df, seq: int) -> dict:
    rows = df[df["seq"] == seq].to_dict("records")
    assert len(rows) == 1
    return rows[0]


# ---------------------------------------------------------------- scores


def test_totals_are_recomputed_from_item_scores(campaign: Campaign, tables: ag.Tables) -> None:
    for seq, entered in SCENARIO_SCORES.items():
        row = by_seq(tables.scores, seq)
        assert row["total"] == pytest.approx(expected_total(campaign, entered))
        sections = [row[s.id] for s in campaign.catalog.sections]
        assert math.fsum(sections) == pytest.approx(row["total"])
    # 四: S05.1 blank, S05.2 = 5 on a 2-point item → both count as missing, the rest still adds up.
    row = by_seq(tables.scores, 4)
    assert row["S05"] == 12 - 4 - 2
    assert row["missing_items"] == 2
    assert row["status"] == ag.provisional(2) == "暂计（待更正，2 处问题）" and not row["counted"]


def test_item_scores_match_totals(campaign: Campaign, tables: ag.Tables) -> None:
    item_ids = [i.id for i in campaign.catalog.items]
    for r in tables.item_scores.to_dict("records"):
        if r["status"] == ag.SCORE_MISSING:
            assert all(ag.is_missing(r[i]) for i in item_ids)
            continue
        if ag.is_missing(r["total"]):
            continue
        got = math.fsum(r[i] for i in item_ids if not ag.is_missing(r[i]))
        assert got == pytest.approx(r["total"])


def test_ranks_with_ties_and_order(tables: ag.Tables) -> None:
    s = tables.scores
    ranked = s[s["rank"].notna()]
    assert list(zip(ranked["seq"], ranked["rank"], strict=True)) == [(2, 1), (3, 1), (1, 3)]
    # the 暂计 form (4, to be corrected) is not ranked; the unranked follow in roster order
    assert s["seq"].tolist() == [2, 3, 1, 4, *range(5, 21)]
    assert ranks([90, 95, 95, 80, 95]) == [4, 1, 1, 5, 1]


def test_status_column(tables: ag.Tables) -> None:
    status = dict(zip(tables.scores["seq"], tables.scores["status"], strict=True))
    assert [status[i] for i in (1, 2, 3)] == [ag.SCORE_OK] * 3
    assert status[4] == ag.provisional(2)  # accepted with value errors: 暂计, to correct
    assert status[5] == ag.SCORE_FIX  # rejected: no usable values
    assert all(status[i] == ag.SCORE_MISSING for i in range(6, 21))
    assert ag.is_missing(by_seq(tables.scores, 5)["total"])


def test_only_the_current_submission_counts(campaign: Campaign) -> None:
    camp = campaign_with(campaign, 2)
    b = camp.roster[0]
    old = form1(camp, b, {"S01.1": 0}, path="old.xlsx", fill_date=dt.date(2018, 9, 27))
    new = form1(camp, b, {"S01.1": 1}, path="new.xlsx", fill_date=dt.date(2018, 9, 29))
    superseded = form1(camp, b, {}, outcome=Outcome.SUPERSEDED, path="z_superseded.xlsx")
    t = ag.build_tables(report(camp, [new, old, superseded]))
    row = by_seq(t.scores, 1)
    assert row["total"] == 99  # newest fill date wins even when collect left two accepted copies
    assert row["file"] == "new.xlsx"
    assert by_seq(t.submissions, 1)["form1"] == ag.SUB_OK


# ---------------------------------------------------------------- which file counts: one order everywhere

SAVED = dt.datetime(2018, 9, 28, 10, 0)


def _kept_by_collect(records: list[FileRecord]) -> list[str]:
    """The path collect's resolve keeps counted among (copies of) these records, were they all accepted."""
    fresh = [r.model_copy(update={"outcome": Outcome.ACCEPTED}, deep=True) for r in records]
    return [r.path for r in collect.resolve(fresh) if r.outcome is not Outcome.SUPERSEDED]


def _inspection(b: Branch, path: str, revision: int, mtime: float) -> FileRecord:
    sub = Submission(kind=FormKind.INSPECTION, branch=b, fill_date=dt.date(2018, 10, 9), revision=revision)
    return other(
        path, Outcome.ACCEPTED, b, kind=FormKind.INSPECTION, submission=sub, saved_at=SAVED, mtime=mtime
    )


def test_the_current_file_is_the_one_collect_keeps(campaign: Campaign) -> None:
    """A corrected copy (更正版次 1) saved at the same time as the copy it corrects, with an earlier name and an
    earlier modification time: collect keeps the correction, and so must aggregate (an order by fill date,
    saved-at and modification time would take the original)."""
    camp = campaign_with(campaign, 1)
    b = camp.roster[0]
    original = form1(camp, b, {"S01.1": 0}, path="01_附件1(2).xlsx").model_copy(
        update={"saved_at": SAVED, "mtime": 200.0}
    )
    corrected = form1(camp, b, {"S01.1": 1}, path="01_附件1(1).xlsx")
    assert corrected.submission is not None
    corrected = corrected.model_copy(
        update={
            "saved_at": SAVED,
            "mtime": 100.0,
            "submission": corrected.submission.model_copy(update={"revision": 1}),
        }
    )
    rep = report(camp, [original, corrected])
    assert _kept_by_collect(rep.files) == ["01_附件1(1).xlsx"]
    (bf,) = ag.branch_files(rep)
    assert bf.forms[FormKind.SCORING].files == "01_附件1(1).xlsx"
    row = by_seq(ag.build_tables(rep).scores, 1)
    assert (row["file"], row["total"]) == ("01_附件1(1).xlsx", 99)

    inspections = [_inspection(b, "督查(2).xlsx", 0, 200.0), _inspection(b, "督查(1).xlsx", 1, 100.0)]
    assert _kept_by_collect(inspections) == ["督查(1).xlsx"]
    assert ag.current_inspections(report(camp, inspections))[b.name].path == "督查(1).xlsx"


def test_a_corrected_copy_starts_from_the_rejected_file_collect_would_count(campaign: Campaign) -> None:
    """Two rejected copies saved at the same time: the later name counts (as in collect), not the later
    modification time — that is the file whose values the corrected copy carries over."""
    camp = campaign_with(campaign, 1)
    b = camp.roster[0]
    rejected = [
        other(path, Outcome.REJECTED, b, kind=FormKind.SCORING, saved_at=SAVED, mtime=mtime,
              problems=[problem(path, "digest-mismatch")])
        for path, mtime in (("01_附件1.xlsx", 200.0), ("01_附件1(1).xlsx", 100.0))
    ]  # fmt: skip
    loaded: list[str] = []

    def loader(f: FileRecord) -> None:
        loaded.append(f.path)

    (notice,) = plan(report(camp, rejected), loader)
    assert loaded == _kept_by_collect(rejected) == ["01_附件1(1).xlsx"]
    assert [f.path for f in notice.parts[0].files] == ["01_附件1(1).xlsx", "01_附件1.xlsx"]


def test_superseded_and_rejected_copies_do_not_count(tables: ag.Tables) -> None:
    row = by_seq(tables.scores, 3)
    assert row["total"] == 97.5  # not the superseded copy's 100
    assert by_seq(tables.submissions, 3)["form1"] == ag.SUB_OK  # a rejected later copy does not undo it


def test_invalid_values_count_as_missing(campaign: Campaign) -> None:
    camp = campaign_with(campaign, 1)
    b = camp.roster[0]
    rec = form1(camp, b, {"S01.1": float("nan"), "S01.2": -1, "S01.3": 2.5}, outcome=Outcome.NEEDS_FIX)
    row = by_seq(ag.build_tables(report(camp, [rec])).scores, 1)
    assert row["missing_items"] == 3
    assert row["total"] == 100 - 6
    assert row["status"] == ag.provisional(3) and ag.is_missing(row["rank"])


# ---------------------------------------------------------------- losses and ledger


def test_ledger_has_one_row_per_deduction(campaign: Campaign, tables: ag.Tables) -> None:
    expected = []
    for seq, entered in SCENARIO_SCORES.items():
        for item in campaign.catalog.items:
            v = entered.get(item.id, item.points)
            if v is not None and 0 <= v < item.points:
                expected.append((seq, item.id, item.points - v))
    got = list(zip(tables.ledger["seq"], tables.ledger["item_id"], tables.ledger["lost"], strict=True))
    assert got == expected
    for col in ("fix", "owner", "deadline", "fix_status"):
        assert (tables.ledger[col] == "").all()
    assert by_seq(tables.ledger[tables.ledger["item_id"] == "S06.1"], 4)["note"] == "材料不全"


COUNTED = (1, 2, 3)  # the scenario's complete valid 附件1 (4 is 暂计: blank and invalid items)


def test_losses_ranked_school_wide(campaign: Campaign, tables: ag.Tables) -> None:
    lost: dict[str, float] = {}
    for entered in (SCENARIO_SCORES[seq] for seq in COUNTED):
        for item in campaign.catalog.items:
            v = entered.get(item.id, item.points)
            if v is not None and 0 <= v <= item.points:
                lost[item.id] = lost.get(item.id, 0) + item.points - v
    items = tables.losses[tables.losses["level"] == ag.LEVEL_ITEM]
    sections = tables.losses[tables.losses["level"] == ag.LEVEL_SECTION]
    assert len(items) == 44 and len(sections) == 12
    assert dict(zip(items["id"], items["lost"], strict=True)) == pytest.approx(lost)
    assert items["lost"].tolist() == sorted(items["lost"], reverse=True)
    assert sections["lost"].tolist() == sorted(sections["lost"], reverse=True)
    top = items.iloc[0]
    assert top["lost"] == 2 and top["rank"] == 1
    # S02.1 and S08.1 (0 of 2 each) tie for the most points lost; the next item is ranked 3
    assert set(items[items["rank"] == 1]["id"]) == {"S02.1", "S08.1"}
    assert items.iloc[2]["rank"] == 3
    s07 = items[items["id"] == "S07.2"].iloc[0]  # 4 points; only branch 2 lost 1.5 of it
    assert (s07["n"], s07["n_losing"], s07["lost"]) == (3, 1, 1.5)
    assert s07["loss_rate"] == pytest.approx(1.5 / (4 * 3))
    s05 = sections[sections["id"] == "S05"].iloc[0]  # branch 4 is 暂计: none of its items count
    assert (s05["lost"], s05["n_losing"]) == (0, 0)
    assert set(items["n"]) == set(sections["n"]) == {3}  # every row rests on the same forms


def test_section_statistics(campaign: Campaign, tables: ag.Tables) -> None:
    s01 = tables.sections.iloc[0]
    totals = [
        sum(
            v
            for i in campaign.catalog.sections[0].items
            if (v := e.get(i.id, i.points)) is not None and 0 <= v <= i.points
        )
        for e in (SCENARIO_SCORES[seq] for seq in COUNTED)
    ]
    assert s01["n"] == 3
    assert s01["mean"] == pytest.approx(sum(totals) / 3, abs=1e-4)  # rounded to 4 places
    assert s01["mean_rate"] == pytest.approx(sum(totals) / 3 / 12, abs=1e-4)


# ---------------------------------------------------------------- tasks


def test_task_completion_rates(tables: ag.Tables) -> None:
    t1 = by_seq(tables.tasks, 1)
    assert t1["T02"] == "持续推进" and t1["T03"] == "不适用"
    assert t1["rate"] == pytest.approx(18 / 19)
    t2 = by_seq(tables.tasks, 2)
    assert (t2["n_done"], t2["n_not_done"], t2["n_blank"]) == (18, 1, 1)
    # a blank status: the form is incomplete, 暂计 — no rate until corrected
    assert ag.is_missing(t2["rate"]) and t2["status"] == ag.provisional(1) and not t2["counted"]
    assert ag.is_missing(by_seq(tables.tasks, 5)["rate"])  # all 不适用
    assert by_seq(tables.tasks, 4)["status"] == ag.SUB_MISSING
    rates = dict(zip(tables.task_rates["task_id"], tables.task_rates["rate"], strict=True))
    assert rates["T01"] == pytest.approx(1.0)  # 已完成, (2: 暂计, not counted), 已完成, 不适用
    assert rates["T03"] == pytest.approx(1.0)  # 不适用, 已完成, 不适用
    assert rates["T04"] == pytest.approx(1.0)


def test_task_details_long_form(tables: ag.Tables) -> None:
    d = tables.task_details
    assert len(d) == 4 * 20
    assert sorted(set(d["seq"])) == [1, 2, 3, 5]
    row = d[(d["seq"] == 1) & (d["task_id"] == "T02")].iloc[0]
    assert (row["status"], row["group_id"], row["issues"]) == ("持续推进", "G1", "继续推进")


# ---------------------------------------------------------------- submissions, files, problems


def test_submissions_per_form(tables: ag.Tables) -> None:
    s = {r["seq"]: r for r in tables.submissions.to_dict("records")}
    assert (s[1]["report"], s[1]["form1"], s[1]["form2"], s[1]["submitted"], s[1]["quality"]) == (
        "已交",
        "已交",
        "已交",
        "已交齐",
        "合格",
    )
    assert s[1]["report_file"] == "第一批/01_自查报告.docx"
    assert (s[2]["form2"], s[2]["submitted"], s[2]["quality"]) == (
        "有警告",
        "部分未交",
        "合格",
    )  # no 自查报告
    assert (s[4]["form1"], s[4]["form2"], s[4]["quality"]) == ("需退回修改", "未交", "需修改")
    assert (s[5]["form1"], s[5]["form1_file"], s[5]["quality"]) == ("需退回修改", "05_附件1.xlsx", "需修改")
    assert s[4]["errors"] == 2 and s[5]["errors"] == 1
    assert (s[6]["report"], s[6]["form1"], s[6]["form2"]) == ("未交",) * 3
    assert (s[6]["submitted"], s[6]["quality"]) == ("全部未交", "未收到")


def test_files_and_problems_tables(rep: Report, tables: ag.Tables) -> None:
    assert len(tables.files) == len(rep.files)
    assert len(tables.problems) == sum(len(f.problems) for f in rep.files)
    assert tables.files["path"].tolist() == sorted(f.path for f in rep.files)
    unknown = tables.files[tables.files["path"] == "未知_附件1.xlsx"].iloc[0]
    assert (unknown["branch"], unknown["outcome"], unknown["errors"]) == ("", "退回", 1)
    report_row = tables.files[tables.files["kind"] == "自查报告"]
    assert report_row["path"].tolist() == ["第一批/01_自查报告.docx"]


# ---------------------------------------------------------------- overview


def test_overview_counts(rep: Report) -> None:
    ov = ag.overview(rep)
    assert ov.expected == 20
    assert (ov.submitted_all, ov.submitted_part, ov.submitted_none) == (1, 4, 15)
    assert (ov.quality_ok, ov.quality_fix, ov.quality_doubt, ov.quality_none) == (3, 2, 0, 15)
    parts = (
        ov.accepted_files,
        ov.warning_files,
        ov.needs_fix_files,
        ov.rejected_files,
        ov.doubt_files,
        ov.superseded_files,
        ov.ignored_files,
        ov.not_a_form_files,
        ov.reports,
    )
    assert ov.files_total == sum(parts) == len(rep.files)
    assert parts == (6, 1, 1, 3, 0, 1, 1, 1, 1)
    assert ov.report_branches == 1
    # the statistics rest on the complete valid forms: 附件1 of 1-3 (4 is 暂计), 附件2 of 1, 3, 5 (2 is 暂计)
    assert (ov.scored, ov.scored_provisional, ov.tasks_counted, ov.tasks_provisional) == (3, 1, 3, 1)
    assert ov.basis == "统计依据：3 份完整有效的附件1、3 份附件2（另有 2 份待更正未计入）"
    assert ov.school_average == pytest.approx((97 + 97.5 + 97.5) / 3)
    assert (ov.max_total, ov.min_total) == (97.5, 97)


def test_overview_rows_for_the_cli(rep: Report) -> None:
    rows = ag.overview(rep).rows()
    labels = [label for label, _ in rows]
    assert len(labels) == len(set(labels))  # one line per word
    got = dict(rows)
    for label in (
        "应交党总支",
        "已交齐（含自查报告）",
        "部分未交",
        "全部未交",
        "合格",
        "需修改",
        "身份存疑",
        "未收到",
    ):
        assert label in got, label
    assert got["应交党总支"] == 20 and got["全校平均分（自评）"] == "97.3"
    assert got["已交齐（含自查报告）"] + got["部分未交"] + got["全部未交"] == 20
    assert got["合格"] + got["需修改"] + got["身份存疑"] + got["未收到"] == 20
    file_rows = [o.value for o in Outcome if o is not Outcome.IDENTITY_DOUBT] + ["身份存疑的文件"]
    assert sum(got[k] for k in file_rows) == got["文件总数"]


def test_empty_report(campaign: Campaign) -> None:
    rep = report(campaign, [])
    t = ag.build_tables(rep)
    assert len(t.scores) == 20 and (t.scores["status"] == ag.SCORE_MISSING).all()
    assert t.ledger.empty and t.task_details.empty and t.files.empty and t.problems.empty
    assert list(t.ledger.columns) == ag.LEDGER_COLUMNS
    ov = ag.overview(rep)
    assert (ov.submitted_none, ov.quality_none, ov.school_average) == (20, 20, None)
    assert dict(ov.rows())["全校平均分（自评）"] == "—"


def test_files_of_unknown_branches_and_other_kinds_are_listed_only(campaign: Campaign) -> None:
    camp = campaign_with(campaign, 1)
    stranger = campaign_with(campaign, 2).roster[1]
    files = [
        form2(camp, stranger),
        other("insp.xlsx", Outcome.ACCEPTED, camp.roster[0], kind=FormKind.INSPECTION),
    ]
    rep = report(camp, files)
    t = ag.build_tables(rep)
    assert len(t.files) == 2
    assert by_seq(t.submissions, 1)["form2"] == ag.SUB_MISSING
    assert ag.overview(rep).submitted_none == 1  # an inspection form is not the branch's return


def test_a_counted_file_without_values_is_not_ranked(campaign: Campaign) -> None:
    camp = campaign_with(campaign, 2)
    empty = other("a.xlsx", Outcome.NEEDS_FIX, camp.roster[0], kind=FormKind.SCORING)
    t = ag.build_tables(report(camp, [empty, form1(camp, camp.roster[1])]))
    row = by_seq(t.scores, 1)
    assert ag.is_missing(row["rank"]) and ag.is_missing(row["total"]) and row["status"] == ag.SCORE_FIX
    assert by_seq(t.scores, 2)["rank"] == 1


def test_ledger_rows_of_a_form_to_correct_say_they_are_provisional(tmp_path, campaign: Campaign) -> None:
    """A 附件1 with an over-max score is 暂计: its deductions are in 问题台账 (组织部 may start tracking them)
    but marked as provisional, since the correction may change them; a complete form's rows are not."""
    from fill import fill_form, full_scores

    from dangjian_xlsx.forms import build_form, form_filename
    from dangjian_xlsx.layout import Field

    bad, good = campaign.roster[0], campaign.roster[1]
    for b, over in ((bad, True), (good, False)):
        values = full_scores(campaign.catalog)
        values[(Field.SCORE, "S01.1")] = 1
        values[(Field.NOTE, "S01.1")] = f"{b.name}：清单未更新"
        if over:
            values[(Field.SCORE, "S01.2")] = 3
        fill_form(
            build_form(campaign, FormKind.SCORING, b), tmp_path / form_filename(FormKind.SCORING, b), values
        )
    tables = ag.build_tables(collect.run_collect(tmp_path, campaign))
    state = dict(zip(tables.ledger["branch"], tables.ledger["ledger_state"], strict=True))
    assert state == {bad.name: ag.ledger_provisional(campaign.catalog), good.name: ""}
    assert ag.ledger_provisional(campaign.catalog) == "暂计（附件1待更正，扣分可能变化）"
