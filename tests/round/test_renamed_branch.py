"""The roster renamed a branch after its forms went out (same 序号, a new name): the form it sends back
carries the old name, which is not on the roster. It is not counted (the names disagree), but it reaches
its branch: the notice says what arrived and why it cannot be used, with a new form prefilled from it —
never “未交”, as if nothing had come."""

from __future__ import annotations

from pathlib import Path

from fill import clean_values, fill_form

from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.models import Campaign, FormKind, Outcome
from dangjian_xlsx.round.corrections import build_pack, plan

S1 = FormKind.SCORING


def test_a_renamed_branchs_old_form_reaches_it(campaign: Campaign, tmp_path: Path) -> None:
    sent = campaign.model_copy(update={"roster": campaign.roster[:3]})
    old = sent.roster[1]  # 02 外国语学院党总支
    new = old.model_copy(update={"name": "外国语言文化学院党总支"})
    now = campaign.model_copy(update={"roster": (sent.roster[0], new, sent.roster[2])})
    inbox = tmp_path / "收件"
    inbox.mkdir()
    path = inbox / form_filename(S1, old)
    fill_form(build_form(sent, S1, old), path, clean_values(sent.catalog, S1))
    report = run_collect(inbox, now, jobs=1)
    (rec,) = report.files
    assert rec.outcome is Outcome.REJECTED and rec.branch == new
    assert "序号" in rec.attribution
    notice = next(n for n in plan(report) if n.branch == new)
    assert notice.needs_fix and "一、附件1 评分表：未交" not in notice.text
    assert f"收到文件“{path.name}”（按表格上的序号" in notice.text
    copy = f"02_{new.name}_附件1_评分表_更正.xlsx"
    assert copy in dict(build_pack(report))  # a new form for the new name, prefilled from the old one


def test_another_schools_or_an_unlike_name_is_not_taken_for_the_number(
    campaign: Campaign, tmp_path: Path
) -> None:
    """Only a name the new one may mean: 02 renamed to a wholly different branch does not take the file."""
    sent = campaign.model_copy(update={"roster": campaign.roster[:3]})
    old = sent.roster[1]
    other = old.model_copy(update={"name": "体育学院党总支"})
    now = campaign.model_copy(update={"roster": (sent.roster[0], other, sent.roster[2])})
    inbox = tmp_path / "收件"
    inbox.mkdir()
    fill_form(build_form(sent, S1, old), inbox / "附件1.xlsx", clean_values(sent.catalog, S1))
    (rec,) = run_collect(inbox, now, jobs=1).files
    assert rec.outcome is Outcome.REJECTED and rec.branch is None
