"""退回修改: notices naming exactly the problem cells, corrected copies that round-trip and supersede."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fill import SAVED_AT, clean_values, fill_form, full_scores, set_cell

from dangjian_xlsx.catalog import catalog_digest
from dangjian_xlsx.cli import cli
from dangjian_xlsx.collect.pipeline import run_collect
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import Field, form_layout
from dangjian_xlsx.models import Campaign, FormKind, Outcome, Report
from dangjian_xlsx.ownfiles import MARKER_NAME, is_output_folder
from dangjian_xlsx.read import workbook as read
from dangjian_xlsx.round import corrections
from dangjian_xlsx.round.corrections import build_pack, plan, write_pack
from dangjian_xlsx.validate import validate

S1, S2 = FormKind.SCORING, FormKind.TASKS
# The three problems of branch 01's 附件1, by cell: S01.2 over its maximum, S05.3 blank, S07.2 without a note.
PROBLEM_CELLS = {"E6": "score-out-of-range", "E22": "score-blank", "F30": "note-required"}


@pytest.fixture(scope="module")
def camp(campaign: Campaign) -> Campaign:
    """Three branches: 01 with three problems, 02 complete (no 自查报告), 03 nothing at all and no 邮箱."""
    b1, b2, b3 = campaign.roster[:3]
    return campaign.model_copy(update={"roster": (b1, b2, b3.model_copy(update={"email": ""}))})


def form1_values(camp: Campaign) -> dict:
    values = full_scores(camp.catalog)
    values[(Field.SCORE, "S01.1")] = 1.5
    values[(Field.NOTE, "S01.1")] = "清单未及时更新"
    values[(Field.SCORE, "S01.2")] = 3  # out of range (2 points)
    del values[(Field.SCORE, "S05.3")]  # blank
    values[(Field.SCORE, "S07.2")] = 3  # below 4 points, no note
    values[(Field.NOTE, "S02.2")] = "台账齐全"
    return values


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, camp: Campaign) -> Path:
    root = tmp_path_factory.mktemp("inbox")
    b1, b2, _ = camp.roster
    fill_form(
        build_form(camp, S1, b1), root / form_filename(S1, b1), form1_values(camp), catalog=camp.catalog
    )
    fill_form(build_form(camp, S2, b1), root / form_filename(S2, b1), clean_values(camp.catalog, S2))
    for kind in (S1, S2):
        fill_form(
            build_form(camp, kind, b2), root / form_filename(kind, b2), clean_values(camp.catalog, kind)
        )
    return root


@pytest.fixture(scope="module")
def report(inbox: Path, camp: Campaign) -> Report:
    return run_collect(inbox, camp, jobs=1)


@pytest.fixture(scope="module")
def pack(report: Report) -> dict[str, bytes]:
    return dict(build_pack(report))


def numbered(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^\s+\d+\. ", line)]


# ---------------------------------------------------------------- notices


def test_notice_names_exactly_the_three_cells(report: Report, camp: Campaign) -> None:
    notices = {n.branch.seq: n for n in plan(report)}
    n1 = notices[1]
    assert n1.needs_fix and n1.filename == f"01_{camp.roster[0].name}_退回修改通知.txt"
    lines = numbered(n1.text)
    assert [re.search(r"评分表 ([A-Z]+\d+)", line).group(1) for line in lines] == list(PROBLEM_CELLS)
    assert [p.code for p in n1.parts[0].files[0].errors] == list(PROBLEM_CELLS.values())
    # each line: sheet and cell, the item as the form shows it and its first words, what is wrong, what is
    # expected (S01.2 is item 2 of section 一, S05.3 item 3 of section 五)
    assert (
        "评分表 E6（自评得分）：第一部分第2项（坚持把党建工作与中心…）本项满分2分，填写的是3。请填写 0 到 2 之间的数字"
        in lines[0]
    )
    assert "第五部分第3项（大力推进精神文明建设…）" in lines[1] and "未填写自评得分" in lines[1]
    assert "E22" in lines[1] and "请填写 0 到 2 之间的数字" in lines[1]
    assert "F30（扣分说明）" in lines[2] and "须填写扣分说明" in lines[2]
    text = n1.text
    assert f"文件：{form_filename(S1, camp.roster[0])}" in text
    assert f"01_{camp.roster[0].name}_附件1_评分表_更正.xlsx" in text
    assert "附件2" not in text  # the 附件2 is fine: not mentioned
    assert "自查报告：未交" in text  # nor was a 自查报告 received
    assert "2018年9月30日" in text and camp.department in text


def test_reminders_for_what_is_missing(report: Report, camp: Campaign) -> None:
    notices = {n.branch.seq: n for n in plan(report)}
    assert set(notices) == {1, 2, 3}
    n2, n3 = notices[2], notices[3]
    assert not n2.needs_fix and n2.filename == f"02_{camp.roster[1].name}_未交提醒.txt"
    assert "自查报告：未交" in n2.text and "附件1" not in n2.text
    assert not n3.needs_fix and [p.state for p in n3.parts] == [corrections.MISSING] * 2
    for label, kind in (("附件1 评分表：未交", S1), ("附件2 重点任务清单：未交", S2)):
        assert label in n3.text and form_filename(kind, camp.roster[2]) in n3.text
    assert "尚未收到" in n3.text and numbered(n3.text) == []


def test_pack_files(pack: dict[str, bytes], camp: Campaign) -> None:
    b1, b2, b3 = camp.roster
    assert sorted(pack) == sorted(
        [
            f"01_{b1.name}_退回修改通知.txt",
            f"01_{b1.name}_附件1_评分表_更正.xlsx",
            f"02_{b2.name}_未交提醒.txt",
            f"03_{b3.name}_未交提醒.txt",
            f"邮件/01_{b1.name}_退回修改通知.eml",
            f"邮件/02_{b2.name}_未交提醒.eml",  # 03 has no 邮箱 in the roster: no draft
        ]
    )
    notice = pack[f"01_{b1.name}_退回修改通知.txt"]
    assert notice.startswith(b"\xef\xbb\xbf") and b"\r\n" in notice
    text = notice.decode("utf-8-sig")
    assert "第一部分第2项" in text and "S01.2" not in text


# ---------------------------------------------------------------- e-mail drafts


def parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def test_draft_is_an_unsent_mail_to_the_branch_with_its_corrected_copy(
    pack: dict[str, bytes], camp: Campaign
) -> None:
    b1 = camp.roster[0]
    msg = parsed(pack[f"邮件/01_{b1.name}_退回修改通知.eml"])
    assert msg["X-Unsent"] == "1" and msg["From"] is None
    (to,) = msg["To"].addresses
    assert (to.display_name, to.addr_spec) == (b1.contact, b1.email)
    assert msg["Subject"] == f"退回修改通知：{camp.title}（{b1.name}）"
    assert all(ord(c) < 128 for c in pack[f"邮件/01_{b1.name}_退回修改通知.eml"].decode("ascii"))  # RFC 5322
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")  # text/plain's canonical CRLF
    notice = pack[f"01_{b1.name}_退回修改通知.txt"].decode("utf-8-sig").replace("\r\n", "\n")
    # the notice from the addressee line on; its header (联系人, 邮箱) is for the clerk, not the mail
    assert body.startswith(f"{b1.name}：\n") and notice.endswith(body) and b1.email not in body
    attached = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    assert attached == {f"01_{b1.name}_附件1_评分表_更正.xlsx": copy_bytes(pack, camp)}


def test_reminder_draft_has_no_attachment(pack: dict[str, bytes], camp: Campaign) -> None:
    b2 = camp.roster[1]
    msg = parsed(pack[f"邮件/02_{b2.name}_未交提醒.eml"])
    assert msg["Subject"] == f"未交提醒：{camp.title}（{b2.name}）"
    assert list(msg.iter_attachments()) == []
    assert "自查报告：未交" in msg.get_body(("plain",)).get_content()


def test_branches_without_an_address_are_listed(report: Report, camp: Campaign) -> None:
    assert [b.name for b in corrections.unaddressed(plan(report))] == [camp.roster[2].name]


def test_stale_drafts_go_with_their_notices(report: Report, camp: Campaign, tmp_path: Path) -> None:
    out = tmp_path / "退回修改"
    stale = out / "邮件" / f"09_{camp.roster[0].name}x_未交提醒.eml"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    mine = out / "邮件" / "我的草稿.eml"  # not a name of ours: left alone
    mine.write_bytes(b"keep")
    written = write_pack(report, out)
    assert not stale.exists() and mine.read_bytes() == b"keep"
    assert corrections.count_pack(written).drafts == 2


# ---------------------------------------------------------------- the corrected copy


def copy_bytes(pack: dict[str, bytes], camp: Campaign) -> bytes:
    return pack[f"01_{camp.roster[0].name}_附件1_评分表_更正.xlsx"]


def test_corrected_copy_is_a_locked_personalized_form(pack: dict[str, bytes], camp: Campaign) -> None:
    data = copy_bytes(pack, camp)
    v = validate(read.read_workbook(data, "copy.xlsx"), camp, "copy.xlsx")
    assert v.identity.kind is S1 and v.identity.branch_name == camp.roster[0].name
    assert v.identity.digest == catalog_digest(camp.catalog)
    assert v.submission.revision == 1
    # the same three problems, and nothing else
    assert {p.cell: p.code for p in v.problems} == PROBLEM_CELLS
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.security.lockStructure
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert "更正表" in "".join(str(c.value) for c in wb["填表说明"]["B"] if c.value)


def test_corrected_copy_holds_what_was_submitted(pack: dict[str, bytes], camp: Campaign, inbox: Path) -> None:
    lay = form_layout(camp.catalog, S1)
    original = openpyxl.load_workbook(inbox / form_filename(S1, camp.roster[0]))[lay.sheet]
    copy = openpyxl.load_workbook(io.BytesIO(copy_bytes(pack, camp)))[lay.sheet]
    checked = 0
    for cell in lay.inputs:
        assert copy[cell.a1].value == original[cell.a1].value, cell
        checked += original[cell.a1].value is not None
    assert checked == 43 + 2 + 1 + 1  # 43 scores + 2 notes + branch + date (S05.3 was left blank)
    assert copy["E6"].value == 3 and copy["E22"].value is None
    comments = {c.coordinate: c.comment.text for row in copy.iter_rows() for c in row if c.comment}
    assert set(comments) == set(PROBLEM_CELLS)
    assert "本项满分2分，填写的是3" in comments["E6"] and "请填写 0 到 2 之间的数字" in comments["E6"]
    # the item as the form shows it, as the notice says it: no internal id in what the branch reads
    assert "第一部分第2项（坚持把党建工作与中心…）" in comments["E6"]
    assert not re.search(r"S\d{2}\.\d", "".join(comments.values()))
    assert "须填写扣分说明" in comments["F30"]
    for ref in PROBLEM_CELLS:  # highlighted: a fill distinct from the other input cells
        assert copy[ref].fill.fgColor.rgb != copy["E5"].fill.fgColor.rgb
        assert copy[ref].protection.locked is False


@pytest.mark.parametrize(
    "name",
    ["01_{name}_附件1_评分表_更正.xlsx", "附件1.xlsx"],
    ids=["as-sent", "renamed-by-mail-client"],
)
def test_fixed_copy_supersedes_the_original(
    pack: dict[str, bytes], camp: Campaign, inbox: Path, tmp_path: Path, name: str
) -> None:
    root = tmp_path / "inbox"
    shutil.copytree(inbox, root)
    fixed = {(Field.SCORE, "S01.2"): 2, (Field.SCORE, "S05.3"): 2, (Field.NOTE, "S07.2"): "会议记录不全"}
    # same fill date and the same saved-at time as the original: the 更正版次 decides
    dest = root / "第二次" / name.format(name=camp.roster[0].name)
    fill_form(copy_bytes(pack, camp), dest, fixed, catalog=camp.catalog, saved_at=SAVED_AT)
    rep = run_collect(root, camp, jobs=1)
    by_path = {f.path: f for f in rep.files}
    new = by_path[f"第二次/{dest.name}"]
    old = by_path[form_filename(S1, camp.roster[0])]
    assert (new.outcome, new.problems) == (Outcome.ACCEPTED, [])
    assert old.outcome is Outcome.SUPERSEDED
    assert "更正表" in old.problems[-1].message and old.problems[-1].code == "superseded"
    assert new.submission.fill_date == old.submission.fill_date
    notices = {n.branch.seq: n for n in plan(rep)}
    assert not notices[1].needs_fix  # only the 自查报告 is still owed
    assert f"01_{camp.roster[0].name}_未交提醒.txt" in dict(build_pack(rep))


# ---------------------------------------------------------------- rejected files


def test_rejected_file_gets_a_fresh_copy_with_its_values(camp: Campaign, tmp_path: Path) -> None:
    b1 = camp.roster[0]
    lay = form_layout(camp.catalog, S1)
    points = next(c for c in lay.fixed if c.what == "S01.5 分值")
    values = full_scores(camp.catalog)
    values[(Field.SCORE, "S02.1")] = 1
    values[(Field.NOTE, "S02.1")] = "部分材料缺失"
    src = fill_form(
        build_form(camp, S1, b1),
        tmp_path / "inbox" / "附件1.xlsx",
        values,
        catalog=camp.catalog,
        edit=set_cell(lay.sheet, points.a1, 6),
    )
    rep = run_collect(src.parent, camp, jobs=1)
    assert rep.files[0].outcome is Outcome.REJECTED
    part = plan(rep)[0].parts[0]
    assert part.state == corrections.REJECTED and part.copy.prefill == {}  # no loader: nothing read back
    n1 = plan(rep, corrections.inbox_loader(rep))[0]
    part = n1.parts[0]
    assert part.recovered and part.copy.revision == 1
    assert part.copy.prefill[(Field.SCORE, "S02.1")] == 1
    assert part.copy.prefill[(Field.NOTE, "S02.1")] == "部分材料缺失"
    assert part.copy.prefill[(Field.DATE, "")] == dt.date(2018, 9, 28)
    assert "未能接收" in n1.text and "评分表 D9（分值）" in n1.text and "已带入原表中的填写内容" in n1.text
    data = dict(build_pack(rep, corrections.inbox_loader(rep)))[part.copy.name]
    v = validate(read.read_workbook(data, "x.xlsx"), camp, "x.xlsx")
    assert v.problems == [] and v.submission.revision == 1


# ---------------------------------------------------------------- writing


def test_write_pack_is_deterministic_and_removes_stale_notices(report: Report, tmp_path: Path) -> None:
    out = tmp_path / "退回修改"
    out.mkdir()
    (out / "09_某党总支_退回修改通知.txt").write_text("old")
    (out / "09_某党总支_附件1_评分表_更正.xlsx").write_bytes(b"old")
    (out / "备注.docx").write_bytes(b"kept")
    first = {p.relative_to(out).as_posix(): p.read_bytes() for p in write_pack(report, out)}
    # the folder is marked as the tool's own (collect never reads it)
    files = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]
    assert sorted(files) == sorted([*first, "备注.docx", MARKER_NAME])
    assert is_output_folder(out)
    second = {p.relative_to(out).as_posix(): p.read_bytes() for p in write_pack(report, out)}
    assert first == second


def test_cli_collect_writes_the_pack_and_remind_prints_it(
    inbox: Path, camp: Campaign, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "序号,党总支名称\n" + "".join(f"{b.seq},{b.name}\n" for b in camp.roster), encoding="utf-8"
    )
    summary = tmp_path / "out" / "汇总表.xlsx"
    result = CliRunner().invoke(cli, ["collect", str(inbox), "--roster", str(roster), "--out", str(summary)])
    assert result.exit_code == 0, result.output
    pack_dir = tmp_path / "out" / "退回修改"
    # documents counted as documents: no count of branches that could disagree with the table above
    assert "退回修改通知 1 份（1 份更正表）、未交提醒 2 份" in result.output
    assert "个党总支" not in result.output.split("退回修改：", 1)[1].split("\n", 1)[0]
    # this roster has no 邮箱 column: no drafts, and every branch with a notice is named for sending by hand
    unaddressed = result.output.split("未写邮件草稿的：", 1)[1].split("（", 1)[0]
    assert unaddressed == "、".join(b.name for b in camp.roster) and "邮件草稿 " not in result.output
    # the round's due date (2018-09-30) is long past: the clerk is told the notices can only say 尽快
    assert "报送截止日期 2018-09-30 已过" in result.output and "correction_due" in result.output
    assert str(pack_dir) in result.output
    notices = [p for p in pack_dir.glob("*.txt") if p.name != MARKER_NAME]
    assert len(notices) == 3 and len(list(pack_dir.glob("*.xlsx"))) == 1

    printed = CliRunner().invoke(cli, ["remind", str(summary)])
    assert printed.exit_code == 0, printed.output
    direct = CliRunner().invoke(cli, ["remind", str(inbox), "--roster", str(roster)])
    assert direct.exit_code == 0, direct.output
    # the same notices either way (what precedes them, e.g. which campaign is used, is the command's)
    assert printed.output[printed.output.index("─") :] == direct.output[direct.output.index("─") :]
    for n in plan(run_collect(inbox, camp, jobs=1)):
        assert n.filename in printed.output
    assert "评分表 E6（自评得分）" in printed.output and "共 3 份通知" in printed.output

    missing = CliRunner().invoke(cli, ["remind", str(roster)])
    assert missing.exit_code == 2 and "请先运行collect" in "".join(missing.output.split())


def test_tasks_form_correction_round_trip(camp: Campaign, tmp_path: Path) -> None:
    b2 = camp.roster[1]
    lay = form_layout(camp.catalog, S2)
    values = clean_values(camp.catalog, S2)
    values[(Field.STATUS, "T02")] = "差不多"  # not one of the statuses
    values[(Field.STATUS, "T03")] = "未完成"  # 存在问题及整改措施 then required
    del values[(Field.DONE, "T04")]
    src = fill_form(build_form(camp, S2, b2), tmp_path / "in" / "附件2.xlsx", values, catalog=camp.catalog)
    rep = run_collect(src.parent, camp, jobs=1)
    notice = next(n for n in plan(rep) if n.branch == b2)
    cells = [
        lay.input(f, t).a1 for f, t in ((Field.STATUS, "T02"), (Field.ISSUES, "T03"), (Field.DONE, "T04"))
    ]
    lines = numbered(notice.text)
    assert [re.search(r"重点任务清单 ([A-Z]+\d+)", line).group(1) for line in lines] == cells
    assert "请从下拉列表中选择" in lines[0] and "请写明存在的问题和整改措施" in lines[1]
    data = dict(build_pack(rep))[f"02_{b2.name}_附件2_重点任务清单_更正.xlsx"]
    ws = openpyxl.load_workbook(io.BytesIO(data))[lay.sheet]
    original = openpyxl.load_workbook(src)[lay.sheet]
    assert all(ws[c.a1].value == original[c.a1].value for c in lay.inputs)
    assert ws[cells[0]].value == "差不多"
    assert {c.coordinate for row in ws.iter_rows() for c in row if c.comment} == set(cells)


def test_a_reminder_draft_carries_the_forms_still_owed(report: Report, camp: Campaign) -> None:
    """未交提醒 to a branch that sent nothing: its e-mail carries both of its own forms (the bytes generate
    sent), so it can fill them at once; forms it has sent, or has a 更正表 for, are not attached again."""
    b3 = camp.roster[2].model_copy(update={"email": "c@x.edu.cn"})
    camp3 = camp.model_copy(update={"roster": (*camp.roster[:2], b3)})
    files = dict(build_pack(report.model_copy(update={"campaign": camp3})))
    msg = parsed(files[f"邮件/03_{b3.name}_未交提醒.eml"])
    attached = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    assert attached == {form_filename(kind, b3): build_form(camp3, kind, b3) for kind in (S1, S2)}
    msg1 = parsed(files[f"邮件/01_{camp.roster[0].name}_退回修改通知.eml"])
    assert [a.get_filename() for a in msg1.iter_attachments()] == [
        f"01_{camp.roster[0].name}_附件1_评分表_更正.xlsx"
    ]


def test_pack_and_feedback_scan_their_folder_once_not_per_file(
    report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of notices or feedback workbooks must not each scan the folder they are written into (the
    scans would grow with the square of the branches): one sweep per folder when the jobs are planned."""
    import os

    from dangjian_xlsx import aggregate, atomic
    from dangjian_xlsx.round import feedback_jobs, pack_jobs

    scans: list[object] = []
    real_scandir = os.scandir
    monkeypatch.setattr(atomic.os, "scandir", lambda p: scans.append(p) or real_scandir(p))
    jobs = pack_jobs(report, tmp_path / "pack")
    tables, ov = aggregate.tables_and_overview(report)
    jobs += feedback_jobs(report, tables, ov, tmp_path / "fb")
    planned = len(scans)
    written = [p for job in jobs for p in job()]
    assert len(jobs) >= 5 and len(written) >= len(jobs)
    assert planned == 3 and len(scans) == planned  # 退回修改/, its 邮件/ and 反馈表/: none per file
