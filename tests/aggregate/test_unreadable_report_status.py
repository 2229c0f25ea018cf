"""A 自查报告 that arrived but cannot be opened (tests/report_inbox.py) in the aggregate tables: its branch's
自查报告 is 需退回修改 (it arrived, it cannot be used), never 未交 nor a form of unknown kind; a readable
自查报告 that counts wins."""

from __future__ import annotations

import pytest
from report_inbox import CASE_A, CASE_B, COUNTED, IN_FOLDER, REPLACING, ROSTER, collect_reports

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.models import Report


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return collect_reports(tmp_path_factory.mktemp("reports"))


def test_an_unreadable_report_is_the_branchs_report_to_send_again(report: Report) -> None:
    rows = {r["branch"]: r for r in ag.build_tables(report).submissions.to_dict("records")}
    for path, branch in ((CASE_A, ROSTER[0]), (CASE_B, ROSTER[1]), (IN_FOLDER, ROSTER[2])):
        row = rows[branch.name]
        assert (row["report"], row["report_file"]) == (ag.SUB_FIX, path), branch.name
        assert (row["submitted"], row["quality"]) == (ag.SUBMIT_PART, ag.QUALITY_FIX), branch.name
    for path, branch in ((REPLACING, ROSTER[3]), (COUNTED, ROSTER[4])):
        assert (rows[branch.name]["report"], rows[branch.name]["report_file"]) == (ag.SUB_OK, path)


def test_an_unreadable_report_is_not_a_form_of_unknown_kind(report: Report) -> None:
    bfs = {bf.branch.name: bf for bf in ag.branch_files(report)}
    first = bfs[ROSTER[0].name]
    assert first.unsorted_forms == [] and [f.path for f in first.unreadable_reports] == [CASE_A]
    files = ag.build_tables(report).files
    assert files[files["path"] == CASE_A]["kind"].tolist() == ["自查报告"]
