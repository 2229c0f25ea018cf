"""The round's rules (issue 15) as collect applies them, each test building the case that broke the rule:
1 身份存疑 and content that differs, 2 the file the branch sent last, 3 a returned blank template,
9 rejected files attributed, 10 自查报告 attributed like people name them, 11 collect never reads its output.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from fill import SAVED_AT, Edit, Key, done_tasks, fill_form, full_scores, set_cell
from hostile_corpus import encrypt_ooxml, make_cfb
from test_documents import make_docx

from dangjian_xlsx import ownfiles
from dangjian_xlsx.catalog import load_roster
from dangjian_xlsx.collect import discover, run_collect
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Branch, Campaign, FileRecord, FormKind, Outcome, Report

S1, S2 = FormKind.SCORING, FormKind.TASKS
DAY = dt.date(2018, 9, 28)


@pytest.fixture(scope="module")
def camp(campaign: Campaign) -> Campaign:
    """The built-in campaign: its roster (文学院党总支 …, 马克思主义学院党总支 with 简称 马院)."""
    return campaign


def branch(camp: Campaign, name: str) -> Branch:
    return camp.branch_by_name[name]


def form(
    camp: Campaign,
    dest: Path,
    kind: FormKind = S1,
    owner: str | None = "文学院党总支",
    *,
    date: object = DAY,
    saved_at: dt.datetime = SAVED_AT,
    changes: dict[Key, object] | None = None,
    edit: Edit | None = None,
    revision: int = 0,
) -> Path:
    """A form of `owner` (None: the blank form), filled clean plus `changes`, saved at `saved_at`."""
    src = build_form(camp, kind, branch(camp, owner) if owner else None, revision=revision)
    values = full_scores(camp.catalog, date) if kind is S1 else done_tasks(camp.catalog, date)
    values.update(changes or {})
    return fill_form(src, dest, values, catalog=camp.catalog, edit=edit, saved_at=saved_at)


def collect(inbox: Path, camp: Campaign) -> dict[str, FileRecord]:
    report: Report = run_collect(inbox, camp, jobs=1)
    return {f.path: f for f in report.files}


def codes(f: FileRecord) -> list[str]:
    return [p.code for p in f.problems]


def notes(camp: Campaign, texts: dict[str, str]) -> dict[Key, object]:
    """Items scored one point down, each with the given 扣分说明."""
    out: dict[Key, object] = {}
    for item_id, text in texts.items():
        out[(Field.SCORE, item_id)] = camp.catalog.item_by_id[item_id].points - 1
        out[(Field.NOTE, item_id)] = text
    return out


# ---------------------------------------------------------------- rule 1: 身份存疑


def test_rule1_identity_in_doubt_when_the_file_name_names_another_branch(
    tmp_path: Path, camp: Campaign
) -> None:
    """The issue's case: 马克思主义学院 fills 文学院's form (forwarded by e-mail), returns it under its own
    file name with a later fill date; on the old code it superseded 文学院's real return silently."""
    own = form(camp, tmp_path / "01_文学院党总支_附件1_评分表.xlsx")
    form(
        camp,
        tmp_path / "10_马克思主义学院党总支_附件1_评分表.xlsx",
        date=dt.date(2018, 9, 29),
        saved_at=dt.datetime(2018, 9, 29, 9),
        changes={(Field.SCORE, "S01.2"): 1, (Field.NOTE, "S01.2"): "缺少记录"},
    )
    recs = collect(tmp_path, camp)
    real, sent = recs[own.name], recs["10_马克思主义学院党总支_附件1_评分表.xlsx"]
    assert real.outcome is Outcome.ACCEPTED and real.submission is not None
    assert sent.outcome is Outcome.IDENTITY_DOUBT and sent.submission is None
    assert sent.branch.name == "文学院党总支" and sent.claimant.name == "马克思主义学院党总支"
    assert sent.kind is S1 and codes(sent)[0] == "identity-doubt"
    doubt = sent.problems[0]
    assert (
        doubt.severity.value == "错误" and doubt.value == "马克思主义学院党总支" and doubt.field == "文件名"
    )
    assert "文学院党总支" in doubt.message and "马克思主义学院党总支" in doubt.message
    assert "法学院" not in doubt.message  # "10_" is 法学院's 序号, and numbers are never read
    assert "文学院党总支" in sent.reason and "马克思主义学院党总支" in sent.reason

    # the sender re-sends on its own form: it counts for 马克思主义学院, the doubt stays
    form(camp, tmp_path / "10_马克思主义学院党总支_附件1_评分表(1).xlsx", owner="马克思主义学院党总支")
    recs = collect(tmp_path, camp)
    assert recs["10_马克思主义学院党总支_附件1_评分表(1).xlsx"].outcome is Outcome.ACCEPTED
    assert recs["10_马克思主义学院党总支_附件1_评分表.xlsx"].outcome is Outcome.IDENTITY_DOUBT
    assert recs[own.name].outcome is Outcome.ACCEPTED


def test_rule1_identity_in_doubt_by_folder_short_name_and_header(tmp_path: Path, camp: Campaign) -> None:
    form(camp, tmp_path / "马克思主义学院" / "附件1_评分表.xlsx")  # the clerk files mail by sender
    form(camp, tmp_path / "马院附件2.xlsx", S2)  # the roster's 简称
    form(camp, tmp_path / "继续教育" / "文学院党总支_附件2.xlsx", S2, owner="外国语学院党总支")
    form(
        camp, tmp_path / "表头.xlsx", edit=set_cell("评分表", "B3", "法学院党总支")
    )  # a forwarded, edited form
    form(camp, tmp_path / "文学院党总支" / "文学院附件1(1).xlsx", date=dt.date(2018, 9, 27))  # consistent
    recs = collect(tmp_path, camp)
    folder = recs["马克思主义学院/附件1_评分表.xlsx"]
    assert folder.outcome is Outcome.IDENTITY_DOUBT and folder.problems[0].field == "文件夹名"
    assert folder.claimant.name == "马克思主义学院党总支"
    short = recs["马院附件2.xlsx"]
    assert short.outcome is Outcome.IDENTITY_DOUBT and short.claimant.name == "马克思主义学院党总支"
    assert short.kind is S2
    inner = recs["继续教育/文学院党总支_附件2.xlsx"]
    assert (inner.branch.name, inner.claimant.name) == ("外国语学院党总支", "文学院党总支")
    header = recs["表头.xlsx"]
    assert header.outcome is Outcome.IDENTITY_DOUBT and header.claimant.name == "法学院党总支"
    assert codes(header) == ["identity-doubt"] and header.problems[0].cell == "B3"
    assert "表头党总支名称" in header.problems[0].message  # was 'branch-mismatch', a plain rejection
    assert recs["文学院党总支/文学院附件1(1).xlsx"].outcome is Outcome.ACCEPTED


def test_rule1_text_naming_another_branch_holds_the_form_but_joint_activities_do_not(
    tmp_path: Path, camp: Campaign
) -> None:
    other = "马克思主义学院党总支"
    form(
        camp,
        tmp_path / "a" / "附件1.xlsx",
        changes=notes(camp, {"S01.2": f"{other}全年召开会议10次", "S02.1": f"{other}未按期换届"}),
    )
    form(
        camp,
        tmp_path / "b" / "附件1.xlsx",
        owner="外国语学院党总支",
        changes=notes(camp, {"S01.2": f"与{other}联合开展主题党日", "S02.1": f"邀请{other}书记讲党课"}),
    )
    form(
        camp,
        tmp_path / "c" / "附件1.xlsx",
        owner="法学院党总支",
        changes=notes(camp, {"S01.2": f"{other}全年召开会议10次", "S02.1": f"法学院{other}共建"}),
    )
    form(
        camp,
        tmp_path / "d" / "附件1.xlsx",
        owner="音乐学院党总支",
        changes=notes(camp, {"S01.2": f"{other}全年召开会议10次"}),  # once: not enough
    )
    recs = collect(tmp_path, camp)
    held = recs["a/附件1.xlsx"]
    assert held.outcome is Outcome.IDENTITY_DOUBT and held.claimant.name == other
    assert held.problems[0].field == "扣分说明中的单位名称"
    for name in ("b/附件1.xlsx", "c/附件1.xlsx", "d/附件1.xlsx"):
        assert recs[name].outcome is Outcome.WARNINGS or recs[name].outcome is Outcome.ACCEPTED, name
        assert recs[name].claimant is None


def test_rule1_a_file_in_doubt_never_supersedes_nor_is_superseded(tmp_path: Path, camp: Campaign) -> None:
    own = form(camp, tmp_path / "文学院党总支_附件1.xlsx", saved_at=dt.datetime(2018, 9, 28, 9))
    form(camp, tmp_path / "法学院党总支_附件1.xlsx", saved_at=dt.datetime(2018, 9, 30, 9))
    form(camp, tmp_path / "法学院" / "文学院党总支_附件1(2).xlsx", saved_at=dt.datetime(2018, 9, 27, 9))
    recs = collect(tmp_path, camp)
    assert recs[own.name].outcome is Outcome.ACCEPTED and "superseded" not in codes(recs[own.name])
    for name in ("法学院党总支_附件1.xlsx", "法学院/文学院党总支_附件1(2).xlsx"):
        assert recs[name].outcome is Outcome.IDENTITY_DOUBT and "superseded" not in codes(recs[name])


def test_rule1_two_counted_files_whose_content_differs_get_a_warning(tmp_path: Path, camp: Campaign) -> None:
    first = form(
        camp,
        tmp_path / "文学院附件1.xlsx",
        changes={(Field.SCORE, "S01.2"): 3},  # out of range: the branch is asked to correct it
    )
    fixed = form(camp, tmp_path / "文学院附件1(1).xlsx", saved_at=dt.datetime(2018, 9, 29, 9))
    recs = collect(tmp_path, camp)
    assert recs[fixed.name].outcome is Outcome.ACCEPTED  # correcting the flagged cell is no difference
    assert recs[first.name].outcome is Outcome.SUPERSEDED

    other = {"S01.1": "甲", "S02.1": "乙", "S03.1": "丙", "S04.1": "丁", "S05.1": "戊"}
    form(
        camp,
        tmp_path / "文学院附件1(2).xlsx",
        saved_at=dt.datetime(2018, 9, 30, 9),
        changes=notes(camp, other),
    )
    recs = collect(tmp_path, camp)
    taken = recs["文学院附件1(2).xlsx"]
    assert taken.outcome is Outcome.WARNINGS and codes(taken) == ["content-differs"]
    # the five scores changed count; the five notes typed where the other file had none complete it
    assert fixed.name in taken.problems[0].message and "5 处不同" in taken.problems[0].message
    assert recs[fixed.name].outcome is Outcome.SUPERSEDED


# ---------------------------------------------------------------- rule 2: what the branch sent last


def test_rule2_a_correction_whose_fill_date_was_set_back_counts(tmp_path: Path, camp: Campaign) -> None:
    """The issue's case: the correction's 填报日期 set back to the real fill date; on the old code the file
    it corrected (later fill date) counted and the branch was asked again to fix a fixed cell."""
    wrong = form(
        camp,
        tmp_path / "文学院党总支_附件1_评分表.xlsx",
        date=dt.date(2018, 9, 29),
        saved_at=dt.datetime(2018, 9, 29, 10),
        changes={(Field.SCORE, "S01.2"): 3},
    )
    fixed = form(
        camp,
        tmp_path / "文学院党总支_附件1_评分表_修改.xlsx",
        date=dt.date(2018, 9, 27),
        saved_at=dt.datetime(2018, 9, 30, 8, 30),
    )
    recs = collect(tmp_path, camp)
    taken, old = recs[fixed.name], recs[wrong.name]
    assert old.outcome is Outcome.SUPERSEDED
    assert "保存时间较新：2018-09-30 08:30:00" in old.problems[-1].message
    assert taken.outcome is Outcome.WARNINGS and codes(taken) == ["order-disagrees"]
    msg = taken.problems[0].message
    assert "填报日期为2018-09-27" in msg and "2018-09-29" in msg and wrong.name in msg
    assert f"已采用“{fixed.name}”" in msg and "保存时间" in msg


def test_rule2_the_corrected_copy_wins_over_a_later_saved_original(tmp_path: Path, camp: Campaign) -> None:
    original = form(
        camp, tmp_path / "01_文学院党总支_附件1_评分表.xlsx", saved_at=dt.datetime(2018, 9, 29, 10)
    )
    corrected = form(
        camp,
        tmp_path / "退回/01_文学院党总支_附件1_评分表.xlsx",
        saved_at=dt.datetime(2018, 9, 29, 9),  # another PC, its clock behind
        revision=1,
    )
    recs = collect(tmp_path, camp)
    assert recs[original.name].outcome is Outcome.SUPERSEDED
    assert "更正表" in recs[original.name].problems[-1].message
    taken = recs["退回/01_文学院党总支_附件1_评分表.xlsx"]
    assert codes(taken) == ["order-disagrees"] and "第1次更正" in taken.problems[0].message
    assert "保存时间为2018-09-29 09:00:00" in taken.problems[0].message
    assert corrected.exists()


def test_rule2_agreeing_signals_give_no_warning(tmp_path: Path, camp: Campaign) -> None:
    form(camp, tmp_path / "a.xlsx", date=dt.date(2018, 9, 27), saved_at=dt.datetime(2018, 9, 27, 9))
    form(camp, tmp_path / "b.xlsx", date=dt.date(2018, 9, 29), saved_at=dt.datetime(2018, 9, 29, 9))
    recs = collect(tmp_path, camp)
    assert recs["b.xlsx"].outcome is Outcome.ACCEPTED and recs["b.xlsx"].problems == []
    assert recs["a.xlsx"].outcome is Outcome.SUPERSEDED


# ---------------------------------------------------------------- rule 3: a returned blank template


def test_rule3_a_returned_blank_template_is_one_problem(tmp_path: Path, camp: Campaign) -> None:
    src = build_form(camp, S1, branch(camp, "文学院党总支"))
    fill_form(src, tmp_path / "文学院党总支_附件1.xlsx", {}, catalog=camp.catalog)
    src = build_form(camp, S2, branch(camp, "文学院党总支"))
    fill_form(src, tmp_path / "文学院党总支_附件2.xlsx", {(Field.DATE, ""): DAY}, catalog=camp.catalog)
    recs = collect(tmp_path, camp)
    one, two = recs["文学院党总支_附件1.xlsx"], recs["文学院党总支_附件2.xlsx"]
    assert one.outcome is Outcome.NEEDS_FIX and codes(one) == ["form-blank"] and one.reason == "空白表格"
    assert f"{len(camp.catalog.items)} 项均未填写" in one.problems[0].message
    assert codes(two) == ["form-blank"] and f"{len(camp.catalog.tasks)} 项" in two.problems[0].message
    assert one.submission is not None and all(s.score is None for s in one.submission.scores)


# ---------------------------------------------------------------- rule 9: rejected files attributed


def _copy_pasted(camp: Campaign, dest: Path, owner: str) -> None:
    """The form's cells copy-pasted into a new workbook (no metadata, sheet 'Sheet1')."""
    filled = form(camp, dest.with_suffix(".src.xlsx"), owner=owner)
    wb_src = openpyxl.load_workbook(filled)
    ws_src = wb_src["评分表"]
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in ws_src.iter_rows(max_row=12, max_col=7):
        for c in row:
            ws.cell(row=c.row, column=c.column).value = c.value
    wb.save(dest)
    filled.unlink()


def test_rule9_rejected_files_reach_their_branch(tmp_path: Path, camp: Campaign) -> None:
    good = form(camp, tmp_path / "x.xlsx", S2, owner="外国语学院党总支").read_bytes()
    (tmp_path / "x.xlsx").unlink()
    (tmp_path / "文学院党总支_附件1_评分表.xlsx").write_bytes(encrypt_ooxml(good))
    (tmp_path / "外国语学院党总支_附件2_重点任务清单.xlsx").write_bytes(good[:3000])  # truncated
    _copy_pasted(camp, tmp_path / "收件" / "新建表格.xlsx", "法学院党总支")
    (tmp_path / "音乐学院").mkdir()
    (tmp_path / "音乐学院" / "督查表.xlsx").write_bytes(good[:2000])
    (tmp_path / "文学院与法学院_附件1.xlsx").write_bytes(good[:2500])  # two branches: nobody
    (tmp_path / "附件1.xlsx").write_bytes(good[:2600])
    recs = collect(tmp_path, camp)
    expected = {
        "文学院党总支_附件1_评分表.xlsx": ("文学院党总支", "文件名", S1, "file-encrypted"),
        "外国语学院党总支_附件2_重点任务清单.xlsx": ("外国语学院党总支", "文件名", S2, "file-corrupt"),
        "收件/新建表格.xlsx": ("法学院党总支", "表头党总支名称", S1, "meta-missing"),
        "音乐学院/督查表.xlsx": ("音乐学院党总支", "文件夹名", FormKind.INSPECTION, "file-corrupt"),
    }
    for path, (name, how, kind, code) in expected.items():
        f = recs[path]
        assert f.outcome is Outcome.REJECTED and f.reason and codes(f)[0] == code, path
        assert (f.branch.name, f.attribution, f.kind) == (name, how, kind), path
    for path in ("文学院与法学院_附件1.xlsx", "附件1.xlsx"):
        assert recs[path].outcome is Outcome.REJECTED and recs[path].branch is None, path
        assert recs[path].attribution == ""


def test_rule9_a_rejected_file_the_branch_replaced_is_superseded_not_open(
    tmp_path: Path, camp: Campaign
) -> None:
    """An encrypted file, then the same form without its password: the first is no longer 退回 (须重新报送)
    but superseded by the usable one; a broken file sent after the usable one stays rejected."""
    good = form(camp, tmp_path / "x.xlsx", S1, owner="文学院党总支").read_bytes()
    (tmp_path / "x.xlsx").unlink()
    locked = tmp_path / "文学院党总支_附件1_评分表.xlsx"
    locked.write_bytes(encrypt_ooxml(good))
    usable = tmp_path / "文学院党总支_附件1_评分表(1).xlsx"
    usable.write_bytes(good)
    t = locked.stat().st_mtime
    os.utime(locked, (t - 3600, t - 3600))  # the encrypted one came first
    recs = collect(tmp_path, camp)
    assert recs[usable.name].outcome is Outcome.ACCEPTED
    assert recs[locked.name].outcome is Outcome.SUPERSEDED, codes(recs[locked.name])
    assert codes(recs[locked.name]) == ["file-encrypted", "superseded"]
    assert usable.name in recs[locked.name].reason
    os.utime(locked, (t + 3600, t + 3600))  # sent after the usable one: stays rejected, the branch is told
    assert collect(tmp_path, camp)[locked.name].outcome is Outcome.REJECTED


# ---------------------------------------------------------------- rule 10: 自查报告


@pytest.fixture()
def college_camp(camp: Campaign, tmp_path: Path) -> Campaign:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "序号,党总支名称,简称,联系人\n"
        "1,文学院党总支,,王丽娟\n"
        "2,计算机与信息工程学院（软件学院）党总支,计算机学院,李明\n"
        "3,创新创业学院（大学科技园）党总支,,张建国\n",
        encoding="utf-8",
    )
    return camp.model_copy(update={"roster": load_roster(roster)})


def test_rule10_reports_named_like_people_name_them(tmp_path: Path, college_camp: Campaign) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    body = make_docx(["关于全面从严治党主体责任落实情况的自查报告"])
    for name in (
        "计算机学院党总支自查报告.docx",
        "创新创业学院党总支自查报告.docx",
        "自查报告.docx",
        "文学院党总支/自查报告(定稿).docx",
    ):
        (inbox / name).parent.mkdir(exist_ok=True)
        (inbox / name).write_bytes(body)
    (inbox / "会议通知.docx").write_bytes(make_docx(["关于召开会议的通知"]))
    (inbox / "党总支自查情况报告.doc").write_bytes(make_cfb({"WordDocument": bytes(64)}))
    recs = collect(inbox, college_camp)
    by = college_camp.branch_by_name
    assert recs["计算机学院党总支自查报告.docx"].branch == by["计算机与信息工程学院（软件学院）党总支"]
    assert recs["创新创业学院党总支自查报告.docx"].branch == by["创新创业学院（大学科技园）党总支"]
    assert recs["文学院党总支/自查报告(定稿).docx"].branch == by["文学院党总支"]
    for name in ("计算机学院党总支自查报告.docx", "创新创业学院党总支自查报告.docx"):
        assert recs[name].outcome is Outcome.REPORT and recs[name].problems == []
    for name, suffix in (("自查报告.docx", ".docx"), ("党总支自查情况报告.doc", ".doc")):
        f = recs[name]
        assert f.outcome is Outcome.REPORT and f.branch is None, name
        assert f.reason.startswith("自查报告（无法判断所属党总支，请改名为")
        assert (
            codes(f) == ["report-unattributed"] and f"文学院党总支自查报告{suffix}" in f.problems[0].message
        )
    assert recs["会议通知.docx"].outcome is Outcome.NOT_A_FORM


# ---------------------------------------------------------------- rule 11: never read its own output


def test_rule11_collect_never_reads_its_own_output(tmp_path: Path, camp: Campaign) -> None:
    form(camp, tmp_path / "文学院党总支_附件1.xlsx")
    out = tmp_path / "退回修改"
    out.mkdir()
    (out / ownfiles.MARKER_NAME).write_text(ownfiles.marker_text(), encoding="utf-8")
    form(camp, out / "01_文学院党总支_附件1_评分表.xlsx", saved_at=dt.datetime(2018, 9, 30, 9), revision=1)
    look_alike = tmp_path / "反馈表"  # named like an output folder, but no marker: read
    look_alike.mkdir()
    (look_alike / ownfiles.MARKER_NAME).write_text("一封别的说明\n", encoding="utf-8")
    for name in ("汇总表.xlsx", "汇总表.上次.xlsx"):
        wb = openpyxl.Workbook()
        for sheet in sorted(ownfiles.SUMMARY_SIGNATURE):
            wb.create_sheet(sheet)
        wb.save(tmp_path / name)
    wb = openpyxl.Workbook()
    for s in ownfiles.FEEDBACK_SHEETS:
        wb.create_sheet(s)
    wb.save(look_alike / "01_文学院党总支_反馈表.xlsx")
    assert tmp_path / "退回修改" in discover(tmp_path)
    assert not any(p.parent == out for p in discover(tmp_path))
    recs = collect(tmp_path, camp)
    assert recs["退回修改"].outcome is Outcome.IGNORED
    assert recs["退回修改"].reason == "本工具的输出文件夹（退回修改、反馈表等），未读取"
    for name in ("汇总表.xlsx", "汇总表.上次.xlsx", "反馈表/01_文学院党总支_反馈表.xlsx"):
        assert recs[name].outcome is Outcome.IGNORED, name
        assert recs[name].reason == "本工具生成的汇总表或反馈表，未读取"
    assert "反馈表/" + ownfiles.MARKER_NAME in recs  # the look-alike folder was entered
    assert recs["文学院党总支_附件1.xlsx"].outcome is Outcome.ACCEPTED  # not superseded by the pack's copy


# ---------------------------------------------------------------- another school's forms


def test_school_mismatch_is_reported_when_the_branch_is_not_on_the_roster(
    tmp_path: Path, camp: Campaign
) -> None:
    other = camp.model_copy(
        update={"school": "某某大学", "year": 2017, "roster": (Branch(seq=1, name="某某大学文学院党总支"),)}
    )
    src = build_form(other, S1, other.roster[0])
    fill_form(
        src, tmp_path / "某某大学文学院党总支_附件1.xlsx", full_scores(camp.catalog), catalog=camp.catalog
    )
    shutil.copy(tmp_path / "某某大学文学院党总支_附件1.xlsx", tmp_path / "copy.xlsx")
    recs = collect(tmp_path, camp)
    for f in recs.values():
        assert f.outcome is Outcome.REJECTED
        assert {"school-mismatch", "year-mismatch", "branch-unknown"} <= set(codes(f))
        # its metadata says whose it is: 某某大学文学院党总支 is not the roster's 文学院党总支
        assert f.branch is None and f.attribution == ""


def test_rule12_a_campaign_file_in_the_inbox_is_not_a_return(tmp_path: Path, camp: Campaign) -> None:
    """The clerk keeps campaign.toml in the inbox (collect finds it there): it is the round's configuration,
    listed as ignored, not counted among the files that are 'not a form'."""
    from dangjian_xlsx.catalog import campaign_toml

    (tmp_path / "campaign.toml").write_text(campaign_toml(camp), encoding="utf-8")
    (tmp_path / "备注.toml").write_text("title = '不是配置'\n", encoding="utf-8")
    recs = collect(tmp_path, camp)
    assert recs["campaign.toml"].outcome is Outcome.IGNORED and "督查配置文件" in recs["campaign.toml"].reason
    assert recs["备注.toml"].outcome is Outcome.NOT_A_FORM
