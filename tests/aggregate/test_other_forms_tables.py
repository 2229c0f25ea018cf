"""The aggregate tables of a round that is not 2018's (tests/other_report.py: three statuses 已完成、推进中、未开展,
half points, a total of 150, a 党支部 round with 附件3 / 附件4): a count column per status of the round, the
completion rate over the round's statuses, the overview's lines in the round's words."""

from __future__ import annotations

import pytest
from other_forms import STATUSES
from other_report import BRANCHES, DONE, NOT_STARTED, PROGRESS, TASKS, Round, other_round, total

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.catalog import load_catalog
from dangjian_xlsx.layout import form_label
from dangjian_xlsx.models import Catalog, FormKind


@pytest.fixture(scope="module")
def round_(tmp_path_factory: pytest.TempPathFactory) -> Round:
    return other_round(tmp_path_factory.mktemp("other"))


def test_status_roles_and_columns(round_: Round, catalog: Catalog) -> None:
    cat = round_.campaign.catalog
    assert ag.status_roles(cat) == {
        DONE: ag.ROLE_DONE,
        PROGRESS: ag.ROLE_PROGRESS,
        NOT_STARTED: ag.ROLE_NOT_DONE,
    }
    assert [(c.key, c.header) for c in ag.status_columns(cat)] == [
        ("n_done", DONE), ("n_progress", PROGRESS), ("n_not_done", NOT_STARTED), ("n_blank", "未填或无效"),
    ]  # fmt: skip
    assert (
        ag.answered_statuses(cat) == STATUSES
        and ag.rate_formula(cat) == "已完成 ÷（已完成 + 推进中 + 未开展）"
    )
    # two statuses in progress, none not applicable; and a list of two
    more = catalog.model_copy(update={"statuses": ("完成", "进行中", "刚启动", "未启动")})
    assert ag.task_count_columns(more) == ["n_done", "n_progress", "n_progress2", "n_not_done", "n_blank"]
    two = catalog.model_copy(update={"statuses": ("已完成", "不适用")})
    assert ag.task_count_columns(two) == ["n_done", "n_na", "n_blank"]


def test_task_tables_count_the_rounds_statuses(round_: Round) -> None:
    t = ag.build_tables(round_.report)
    rows = {r["branch"]: r for r in t.tasks.to_dict("records")}
    one = rows[BRANCHES[0]]
    assert [one[k] for k in ("n_done", "n_progress", "n_not_done", "n_blank")] == [3, 2, 1, 0]
    assert one["rate"] == pytest.approx(0.5) and "n_na" not in t.tasks.columns
    assert rows[BRANCHES[2]]["counted"] is False and rows[BRANCHES[2]]["n_blank"] == 1  # 基本完成
    rates = {r["task_id"]: r["rate"] for r in t.task_rates.to_dict("records")}
    assert rates == pytest.approx(
        {f"T0{k + 1}": (TASKS[1][k] == DONE) / 2 + (TASKS[2][k] == DONE) / 2 for k in range(6)}
    )


def test_scores_keep_their_half_points(round_: Round) -> None:
    t = ag.build_tables(round_.report)
    totals = {r["branch"]: (r["total"], r["rank"]) for r in t.scores.to_dict("records")}
    assert totals[BRANCHES[0]] == (total(round_.campaign, 1), 2) == (147.5, 2)
    assert t.sections["points"].tolist() == [10, 40, 60, 15, 25]
    ledger = t.ledger[t.ledger["branch"] == BRANCHES[2]]
    assert set(ledger["ledger_state"]) <= {ag.ledger_provisional(round_.campaign.catalog)}
    assert ag.ledger_provisional(round_.campaign.catalog) == "暂计（附件3待更正，扣分可能变化）"


def test_overview_lines_say_the_rounds_words(round_: Round) -> None:
    ov = ag.overview(round_.report)
    labels = [label for label, _ in ov.rows()]
    assert "应交党支部" in labels and "计入统计的附件3" in labels and "计入统计的附件4" in labels
    assert "一、交回情况（按党支部）" in labels and "二、材料质量（按党支部）" in labels
    explained = " ".join(line.explain for _, lines in ov.blocks() for line in lines)
    assert "党总支" not in " ".join(labels) + explained and "附件3、附件4、自查报告" in explained
    assert ov.basis.startswith("统计依据：2 份完整有效的附件3、2 份附件4")
    terms = ag.Terms.of(round_.campaign.catalog)
    assert [terms.label(k) for k in FormKind] == ["附件3 评分表", "附件4 重点任务清单", "督查评分表"]
    builtin = load_catalog()
    assert [ag.Terms().label(k) for k in FormKind] == [
        form_label(builtin, k) for k in FormKind
    ]  # built-in words
    assert [form_label(builtin, k) for k in FormKind] == ["附件1 评分表", "附件2 重点任务清单", "督查评分表"]
    files = ag.build_tables(round_.report).files
    assert set(files["kind"]) == {"附件3 评分表", "附件4 重点任务清单"}
