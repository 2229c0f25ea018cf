"""Notices a branch understands (issue 18, items 4 and 6): headed for the clerk with the roster's 联系人 and 邮箱,
the body pasteable from the addressee line on; items and tasks named as the form prints them, never by the
catalog's ids; files by the names they were sent with, never the clerk's inbox folders; the correction deadline
once the round's due date has passed; the 落款 dated; only what the branch must act on."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import os
import re
from pathlib import Path

import openpyxl
import pytest
from fill import clean_values, fill_form, full_scores
from hostile_corpus import encrypt_ooxml
from synthetic import form1, other, problem, report

from dangjian_xlsx.catalog import campaign_toml, load_campaign, plain, ref_labels
from dangjian_xlsx.collect.pipeline import run_collect
from dangjian_xlsx.errors import ConfigError
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import C_NUMERAL, C_TASK, C_TEXT, Field, form_layout
from dangjian_xlsx.models import Campaign, FormKind, Outcome, Report, Severity
from dangjian_xlsx.round import Notice, plan
from dangjian_xlsx.round.corrections import build_pack
from dangjian_xlsx.round.plain import FileNames, file_name

S1, S2 = FormKind.SCORING, FormKind.TASKS
IDS = re.compile(r"(?<![A-Za-z0-9])(S\d{2}(\.\d+)?|T\d{2}|G\d)(?!\d)")
OUT_OF_WINDOW = dt.date(2018, 10, 9)  # after the self-check (2018-09-26 … 30): a routine warning


def numbered(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^\s+\d+\. ", line)]


@pytest.fixture(scope="module")
def camp(campaign: Campaign) -> Campaign:
    """文学院 (01) with 联系人 and 邮箱, 外国语学院 (02), 数学与统计学院 (03) without either."""
    b1, b2, b3 = campaign.roster[:3]
    return campaign.model_copy(
        update={"roster": (b1, b2, b3.model_copy(update={"contact": " ", "email": ""}))}
    )


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, camp: Campaign) -> Path:
    """As a clerk sorts the mail: 01's 附件1 in 收件/第二批/ (S01.2 over its points, no 填报日期), its 附件2 as
    第一批/附件2.xlsx (T03's status invalid, dated after the self-check); 02's 附件1 twice as 附件1.xlsx in
    folders named after it — the counted one, then an encrypted one received later."""
    root = tmp_path_factory.mktemp("wording") / "收件"
    b1, b2, _ = camp.roster
    values = full_scores(camp.catalog)
    values[(Field.SCORE, "S01.2")] = 3
    del values[(Field.DATE, "")]
    fill_form(build_form(camp, S1, b1), root / "第二批" / form_filename(S1, b1), values, catalog=camp.catalog)
    tasks = clean_values(camp.catalog, S2)
    tasks[(Field.STATUS, "T03")] = "差不多"
    tasks[(Field.DATE, "")] = OUT_OF_WINDOW
    fill_form(build_form(camp, S2, b1), root / "第一批" / "附件2.xlsx", tasks, catalog=camp.catalog)
    first = fill_form(
        build_form(camp, S1, b2), root / "第一批" / b2.name / "附件1.xlsx", full_scores(camp.catalog)
    )
    later = root / "第二批" / b2.name / "附件1.xlsx"
    later.parent.mkdir(parents=True)
    later.write_bytes(encrypt_ooxml(first.read_bytes()))
    os.utime(first, (1_538_000_000, 1_538_000_000))
    os.utime(later, (1_538_100_000, 1_538_100_000))
    fill_form(build_form(camp, S2, b2), root / form_filename(S2, b2), clean_values(camp.catalog, S2))
    return root


@pytest.fixture(scope="module")
def collected(inbox: Path, camp: Campaign) -> Report:
    return run_collect(inbox, camp, jobs=1)


@pytest.fixture(scope="module")
def notices(collected: Report) -> dict[int, Notice]:
    return {n.branch.seq: n for n in plan(collected)}


# ---------------------------------------------------------------- the header and the body


def test_header_names_the_rosters_contact_and_address_then_the_body(
    notices: dict[int, Notice], camp: Campaign
) -> None:
    b1 = camp.roster[0]
    text, body = notices[1].text, notices[1].body
    first = text.split("\n", 1)[0]
    assert b1.contact in first and b1.email in first
    assert body.startswith(f"{b1.name}：\n") and b1.email not in body and b1.contact not in body
    head = text.removesuffix(body).splitlines()
    assert text.endswith(body) and head[-1] == "" and all(ln.startswith("【发送前核对】") for ln in head[:-1])
    head = notices[3].text.split("\n", 1)[0]
    assert head.count("名单中未填") == 2  # 联系人 and 邮箱 both blank in the roster


def test_the_draft_carries_the_body_the_txt_the_header(collected: Report, camp: Campaign) -> None:
    b1 = camp.roster[0]
    pack = dict(build_pack(collected))
    txt = pack[f"01_{b1.name}_退回修改通知.txt"].decode("utf-8-sig").replace("\r\n", "\n")
    msg = email.message_from_bytes(pack[f"邮件/01_{b1.name}_退回修改通知.eml"], policy=email.policy.default)
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert txt.startswith("【发送前核对】") and b1.email in txt.split("\n", 1)[0]
    assert body.startswith(f"{b1.name}：") and txt.endswith(body) and "【发送前核对】" not in body


# ---------------------------------------------------------------- items as the form prints them


def _printed(camp: Campaign, kind: FormKind, ref: str) -> tuple[str, str]:
    """(the section's 序号 as the form shows it, the number the item's text starts with), read off a form."""
    lay = form_layout(camp.catalog, kind)
    ws = openpyxl.load_workbook(io.BytesIO(build_form(camp, kind, None)))[lay.sheet]
    row = lay.item_rows[ref]
    text = ws.cell(row=row + 1, column=(C_TASK if kind is S2 else C_TEXT) + 1).value
    number = re.match(r"\s*(\d+)", text).group(1)
    if kind is S2:
        return "", number
    first = max(r for _, r, last in lay.section_spans if r <= row)
    return ws.cell(row=first + 1, column=C_NUMERAL + 1).value, number


def test_items_and_tasks_are_named_as_the_form_prints_them(
    notices: dict[int, Notice], camp: Campaign
) -> None:
    text = notices[1].text
    assert not IDS.search(text), IDS.search(text)
    numeral, n = _printed(camp, S1, "S01.2")
    (line,) = [ln for ln in numbered(text) if "评分表 E6" in ln]
    assert f"第{numeral}部分第{n}项（坚持把党建工作与中心…）本项满分2分，填写的是3" in line
    _, n = _printed(camp, S2, "T03")
    (line,) = [ln for ln in numbered(text) if "重点任务清单" in ln]
    assert f"第{n}项任务（建立落实报告制度，结…）的完成状态“差不多”无效" in line


def test_no_notice_names_an_internal_id(collected: Report) -> None:
    for n in plan(collected):
        assert not IDS.search(n.text), (n.filename, IDS.search(n.text))


# ---------------------------------------------------------------- files by their own names


def test_files_are_named_as_sent_never_by_the_inbox_folders(
    notices: dict[int, Notice], camp: Campaign
) -> None:
    b1 = camp.roster[0]
    one = notices[1].text
    assert f"（文件：{form_filename(S1, b1)}）" in one and "（文件：附件2.xlsx）" in one
    assert "第一批" not in one and "第二批" not in one and "/" not in one
    two = notices[2].text  # the counted 附件1.xlsx and the encrypted 附件1.xlsx received later
    assert "第一批" not in two and "第二批" not in two and "/" not in two
    (later,) = [ln for ln in two.splitlines() if "收到文件“附件1.xlsx”" in ln]
    assert "文件已加密" in later and "按组织部收件时所归的文件夹判断为你单位的文件" in later
    # the two files of the same name told apart, outside the quotes that hold the name
    assert "收到文件“附件1.xlsx”（后收到的一份）" in later
    assert "目前按“附件1.xlsx”（先收到的一份）计入" in two


# ---------------------------------------------------------------- what the branch must act on


def test_only_what_the_branch_must_act_on_fills_the_notice(
    notices: dict[int, Notice], collected: Report, camp: Campaign
) -> None:
    by_path = {f.path: f for f in collected.files}
    tasks = by_path["第一批/附件2.xlsx"]
    assert "date-outside-window" in {p.code for p in tasks.warnings}  # there, in the summary's 校验问题
    text = notices[1].text
    body = notices[1].body
    assert OUT_OF_WINDOW.isoformat() not in body and "自查时间" not in body
    assert "另有 1 条警告无需党总支处理" in text.removesuffix(body)  # the header, for the clerk
    (asked,) = [ln for ln in body.splitlines() if "填报日期" in ln]
    assert asked.startswith("  另请一并补正") and "评分表 E3（填报日期）：未填写填报日期" in asked
    assert len(numbered(body)) == 2  # the two errors; the date asked for besides, not counted as one


def test_a_routine_warning_alone_is_left_out(campaign: Campaign) -> None:
    b = campaign.roster[0]
    path = "x/附件1.xlsx"
    warn = problem(
        path, "date-outside-window", Severity.WARNING, sheet="评分表", cell="E3", message="填报日期 …"
    )
    err = problem(
        path, "score-blank", sheet="评分表", cell="E5", field="S01.1 自评得分", message="S01.1（建立）未填写"
    )
    rec = form1(campaign, b, path=path, outcome=Outcome.NEEDS_FIX, problems=[err, warn])
    camp = campaign.model_copy(update={"roster": (b,)})
    (notice,) = plan(report(camp, [rec, other("r.docx", Outcome.REPORT, b)]))
    assert "填报日期" not in notice.body and "第一部分第1项（建立）未填写" in notice.body
    assert "另有 1 条警告" in notice.text


# ---------------------------------------------------------------- the deadline and the 落款


def _notice(
    campaign: Campaign, as_of: dt.datetime, outcome: Outcome = Outcome.NEEDS_FIX, **update: object
) -> str:
    b = campaign.roster[0]
    camp = campaign.model_copy(update={"roster": (b,), **update})
    path = form_filename(S1, b)
    err = problem(path, "score-blank", sheet="评分表", cell="E5", field="S01.1 自评得分", message="未填写")
    files = [form1(camp, b, outcome=outcome, problems=[err] if outcome is Outcome.NEEDS_FIX else [])]
    rep = report(camp, files).model_copy(update={"generated_at": as_of})
    (notice,) = plan(rep)
    return notice.text


AFTER_DUE = dt.datetime(2018, 10, 8, 9, 30)  # the round is due 2018-09-30
CORRECTION_DUE = dt.date(2018, 10, 15)


def test_after_the_due_date_corrections_are_asked_by_the_correction_deadline(campaign: Campaign) -> None:
    text = _notice(campaign, AFTER_DUE, correction_due=CORRECTION_DUE)
    assert "请于2018年10月15日前发送至" in text and "2018年9月30日" not in text
    without = _notice(campaign, AFTER_DUE)
    assert "报送截止时间为2018年9月30日，请尽快发送至" in without  # today's wording without the setting
    before = _notice(campaign, dt.datetime(2018, 9, 28), correction_due=CORRECTION_DUE)
    assert "请于2018年9月30日前发送至" in before and "10月15日" not in before  # not yet due: the due date
    past = _notice(campaign, dt.datetime(2018, 10, 20), correction_due=CORRECTION_DUE)
    assert "更正截止时间为2018年10月15日，请尽快发送至" in past


def test_a_reminder_keeps_the_rounds_due_date(campaign: Campaign) -> None:
    b = campaign.roster[0]
    camp = campaign.model_copy(update={"roster": (b,), "correction_due": CORRECTION_DUE})
    (notice,) = plan(report(camp, []))
    assert notice.title == "未交提醒" and "报送截止时间为2018年9月30日" in notice.text
    assert "10月15日" not in notice.text


def test_the_closing_is_dated(campaign: Campaign) -> None:
    text = _notice(campaign, dt.datetime(2026, 12, 6, 16, 5))
    assert text.endswith(f"\n{campaign.department}\n2026年12月6日\n")


# ---------------------------------------------------------------- the pieces


def test_an_id_is_replaced_in_the_message_but_never_in_what_was_typed(campaign: Campaign) -> None:
    labels = ref_labels(campaign.catalog)
    said = plain("S01.5 分值被修改：应为“4”，现为“S01.5 6”", labels)
    assert said == f"{labels['S01.5']}的分值被修改：应为“4”，现为“S01.5 6”"
    assert labels["S01.5"] == "第一部分第5项" and labels["T20"] == "第20项任务"
    assert plain("S99.1（不在表中）", labels) == "S99.1（不在表中）"


def test_files_of_one_name_are_told_apart_by_when_they_were_saved(campaign: Campaign) -> None:
    b = campaign.roster[0]
    early = form1(campaign, b, path="第一批/附件1.xlsx").model_copy(
        update={"saved_at": dt.datetime(2018, 9, 28, 10, 0), "mtime": 2.0}
    )
    late = form1(campaign, b, path="第二批/附件1.xlsx").model_copy(
        update={"saved_at": dt.datetime(2018, 9, 29, 8, 30), "mtime": 1.0}
    )
    alone = other("第三批/自查报告.docx", Outcome.REPORT, b)
    names = FileNames([early, late, alone])
    assert names.quoted(early) == "“附件1.xlsx”（保存于2018-09-28 10:00）"
    assert names(late) == "附件1.xlsx，保存于2018-09-29 08:30"
    assert names.quoted(alone) == "“自查报告.docx”"
    assert file_name("收件/第二批/材料.zip › 材料/附件1.xlsx") == "材料.zip › 材料/附件1.xlsx"


def test_correction_due_is_set_in_campaign_toml(campaign: Campaign, tmp_path: Path) -> None:
    """`init`'s template offers it commented out; set, it drives the notices; before `due` it is refused."""
    template = campaign_toml(campaign)
    (offered,) = [ln for ln in template.splitlines() if "correction_due" in ln]
    assert offered.startswith("# correction_due = ")
    (tmp_path / "roster.csv").write_text(f"序号,党总支名称\n1,{campaign.roster[0].name}\n", encoding="utf-8")
    toml = tmp_path / "campaign.toml"
    toml.write_text(template.replace(offered, "correction_due = 2018/10/15"), encoding="utf-8")
    loaded = load_campaign(toml)
    assert loaded.correction_due == CORRECTION_DUE
    assert "请于2018年10月15日前发送至" in _notice(loaded, AFTER_DUE)
    toml.write_text(template.replace(offered, "correction_due = 2018-09-29"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(toml)
    assert "correction_due" in str(err.value) and "2018-09-30 或之后的日期" in str(err.value)


def test_the_clerk_is_told_when_notices_can_only_say_as_soon_as_possible(camp: Campaign) -> None:
    from dangjian_xlsx.round import deadline_note

    due = camp.due
    assert deadline_note(camp, due) is None  # on the day: the notices give the date
    late = deadline_note(camp, due + dt.timedelta(days=30))
    assert late is not None and due.isoformat() in late and "correction_due" in late
    fixed = camp.model_copy(update={"correction_due": due + dt.timedelta(days=40)})
    assert deadline_note(fixed, due + dt.timedelta(days=30)) is None
    past = deadline_note(fixed, due + dt.timedelta(days=41))
    assert past is not None and "更正截止日期" in past
