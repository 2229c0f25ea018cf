"""The round's rules as the 退回修改 pack shows them (issue 15): what each branch — and 组织部's inspectors —
receives, read back from the written notice files and corrected copies.

Rule 1: a file held 身份存疑 is named in the notices of both branches it names, and tells each what to send.
Rule 3: a returned blank form is one line, "你单位交回的是空白表格", and its copy a fresh form.
Rule 4: a 督查评分表 with errors gets its own notice and corrected copy, for the inspectors, not the branch.
Rule 9: a rejected file attributed to a branch (encrypted, truncated, copy-pasted; form unknown) reaches it
with the reason and what to send instead, not a generic 未交 reminder.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from fill import clean_values, fill_form, full_scores, set_meta
from hostile_corpus import encrypt_ooxml
from synthetic import form1, form2, other, report

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.collect.pipeline import run_collect
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import C_SCORE, META_SHEET, Field, a1, form_layout
from dangjian_xlsx.messages import Code, render
from dangjian_xlsx.models import (
    Branch,
    Campaign,
    FileRecord,
    FormKind,
    ItemScore,
    Outcome,
    Report,
    Submission,
)
from dangjian_xlsx.read import workbook as read
from dangjian_xlsx.round import count_pack, pack_lines
from dangjian_xlsx.round.corrections import write_pack
from dangjian_xlsx.round.inspection import build_inspections
from dangjian_xlsx.round.mail import MAIL_DIR
from dangjian_xlsx.validate import validate

S1, S2, INSP = FormKind.SCORING, FormKind.TASKS, FormKind.INSPECTION


def write(rep: Report, out: Path) -> dict[str, Path]:
    """Write the pack; its notices and copies by name (not the e-mail drafts in 邮件/: tests/round/test_mail.py)."""
    return {p.name: p for p in write_pack(rep, out) if p.parent.name != MAIL_DIR}


def text(path: Path) -> str:
    return path.read_text("utf-8-sig").replace("\r\n", "\n")


def numbered(notice: str) -> list[str]:
    return [line for line in notice.splitlines() if re.match(r"^\s+\d+\. ", line)]


def reported(b: Branch) -> FileRecord:
    return other(f"{b.name}自查报告.docx", Outcome.REPORT, b)


def comments(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, str]:
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}


def meta(wb: openpyxl.Workbook) -> dict[str, str]:
    return {r[0].value: r[2].value for r in wb[META_SHEET].iter_rows(max_row=12)}


# ---------------------------------------------------------------- rule 1: identity in doubt


def doubt(path: str, identity: Branch, claimant: Branch, evidence: str = "文件名") -> FileRecord:
    """A file held 身份存疑 as collect records it: the form's identity, the other branch its name names."""
    sub = Submission(kind=S1, branch=identity, fill_date=dt.date(2018, 9, 29))
    problem = render(
        Code.IDENTITY_DOUBT, file=path, expected=identity.name, evidence=evidence, value=claimant.name
    )
    return FileRecord(
        path=path,
        outcome=Outcome.IDENTITY_DOUBT,
        reason=Code.IDENTITY_DOUBT.reason,
        kind=S1,
        branch=identity,
        claimant=claimant,
        submission=sub,
        problems=[problem],
    )


@pytest.fixture(scope="module")
def two(campaign: Campaign) -> Campaign:
    """文学院党总支 (01) and 马克思主义学院党总支 (11): the issue's case."""
    return campaign.model_copy(update={"roster": (campaign.roster[0], campaign.roster[10])})


def test_rule1_notice_names_the_doubtful_file_to_both_branches(two: Campaign, tmp_path: Path) -> None:
    """马克思主义学院 filled 文学院's forwarded form and sent it under its own file name: 文学院's clean return
    still counts and it is asked to look, 马克思主义学院 is told to resend on its own form — not "未交"."""
    wen, ma = two.roster
    sent = f"{ma.id}_{ma.name}_附件1_评分表.xlsx"
    files = [form1(two, wen), form2(two, wen), reported(wen), form2(two, ma), reported(ma)]
    pack = write(report(two, [*files, doubt(sent, wen, ma)]), tmp_path)
    # nothing to pre-fill: whose values the file holds is the open question
    assert sorted(pack) == [f"01_{wen.name}_核对通知.txt", f"11_{ma.name}_退回修改通知.txt"]

    to_wen = text(pack[f"01_{wen.name}_核对通知.txt"])
    assert f"收到文件“{sent}”，表格属于你单位，但文件名写的是“{ma.name}”：本文件暂未计入" in to_wen
    assert f"仍按“{form_filename(S1, wen)}”计入" in to_wen  # its own return is not superseded
    assert "如该文件也是你单位的材料" in to_wen and f"与“{ma.name}”核实" in to_wen
    for word in ("未交", "需修改", "尚未收到", "未能接收"):
        assert word not in to_wen, word

    to_ma = text(pack[f"11_{ma.name}_退回修改通知.txt"])
    assert f"收到文件“{sent}”，文件名写的是你单位，但表格是“{wen.name}”的表格：本文件暂未计入" in to_ma
    assert f"请用组织部下发给你单位的表格“{form_filename(S1, ma)}”填写后重新发送" in to_ma
    assert f"表头“党总支名称”一栏应为“{ma.name}”" in to_ma  # how to tell its own form from the forwarded one
    assert "附件1 评分表：未交" not in to_ma and "尚未收到" not in to_ma
    assert "附件2" not in to_ma and "自查报告" not in to_ma  # those arrived


def test_rule1_folder_evidence_and_a_claimant_with_its_own_form(two: Campaign, tmp_path: Path) -> None:
    """The evidence is the folder the clerk sorted the mail into (said as such, never shown: the file is named
    by its own name); the claimant has a counted 附件1 of its own (so it is asked to look, not to send), while
    文学院 has none (so the doubt says what it must send)."""
    wen, ma = two.roster
    sent, name = f"{ma.name}/附件1_评分表.xlsx", "附件1_评分表.xlsx"
    files = [form2(two, wen), reported(wen), form1(two, ma), form2(two, ma), reported(ma)]
    pack = write(report(two, [*files, doubt(sent, wen, ma, "文件夹名")]), tmp_path)
    assert sorted(pack) == [f"01_{wen.name}_退回修改通知.txt", f"11_{ma.name}_核对通知.txt"]

    to_ma = text(pack[f"11_{ma.name}_核对通知.txt"])
    assert f"收到文件“{name}”，组织部收件时将它归在你单位的文件夹中，但表格是“{wen.name}”的表格" in to_ma
    assert f"你单位的附件1 评分表按“{form_filename(S1, ma)}”计入" in to_ma
    assert "未交" not in to_ma and "需修改" not in to_ma

    to_wen = text(pack[f"01_{wen.name}_退回修改通知.txt"])
    assert f"表格属于你单位，但组织部收件时将它归在“{ma.name}”的文件夹中" in to_wen
    assert f"如不是，请使用下发的“{form_filename(S1, wen)}”填写后报送" in to_wen
    assert "附件1 评分表：未交" not in to_wen  # the doubt stands in for the generic reminder, saying more
    assert to_wen.count(f"“{name}”") == 1 and sent not in to_wen


def test_rule1_through_collect(two: Campaign, tmp_path: Path) -> None:
    """The issue's case end to end: the forwarded form, filled later and sent under the other name."""
    wen, ma = two.roster
    root = tmp_path / "inbox"
    fill_form(build_form(two, S1, wen), root / form_filename(S1, wen), full_scores(two.catalog))
    later = full_scores(two.catalog, dt.date(2018, 9, 29))
    sent = f"{ma.id}_{ma.name}_附件1_评分表.xlsx"
    fill_form(build_form(two, S1, wen), root / sent, later)
    rep = run_collect(root, two, jobs=1)
    assert {f.path: f.outcome for f in rep.files}[sent] is Outcome.IDENTITY_DOUBT
    pack = write(rep, tmp_path / "out")
    to_wen, to_ma = (text(pack[n]) for n in sorted(pack) if n.endswith(".txt"))
    assert f"收到文件“{sent}”，表格属于你单位，但文件名写的是“{ma.name}”" in to_wen
    assert f"仍按“{form_filename(S1, wen)}”计入" in to_wen
    assert f"收到文件“{sent}”，文件名写的是你单位，但表格是“{wen.name}”的表格" in to_ma
    assert "附件1 评分表：未交" not in to_ma and "附件2 重点任务清单：未交" in to_ma


# ---------------------------------------------------------------- rule 3: a returned blank form


@pytest.mark.parametrize("outcome", [Outcome.NEEDS_FIX, Outcome.REJECTED], ids=["counted", "rejected"])
def test_rule3_blank_template_notice_is_one_line_and_a_fresh_copy(
    two: Campaign, tmp_path: Path, outcome: Outcome
) -> None:
    wen = two.roster[0]
    path = form_filename(S1, wen)
    blank = render(Code.FORM_BLANK, file=path, count=len(two.catalog.items))
    sub = Submission(
        kind=S1, branch=wen, scores=tuple(ItemScore(item_id=i.id, score=None) for i in two.catalog.items)
    )
    rec = FileRecord(
        path=path,
        outcome=outcome,
        reason=Code.FORM_BLANK.reason if outcome is Outcome.REJECTED else "",
        kind=S1,
        branch=wen,
        submission=sub if outcome is Outcome.NEEDS_FIX else None,
        problems=[blank],
    )
    pack = write(report(two, [rec, form2(two, wen), reported(wen)]), tmp_path)
    notice = text(pack[f"01_{wen.name}_退回修改通知.txt"])
    assert "你单位交回的是空白表格" in notice
    assert len(numbered(notice)) == 0  # not one line per blank cell
    assert "修改以上单元格" not in notice and "已标红" not in notice
    copy_name = f"01_{wen.name}_附件1_评分表_更正.xlsx"
    assert f"请在附上的“{copy_name}”中填写全部内容" in notice

    data = pack[copy_name].read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    lay = form_layout(two.catalog, S1)
    ws = wb[lay.sheet]
    assert comments(ws) == {}  # nothing to comment per cell
    assert all(ws[c.a1].value is None for c in lay.inputs if c.field is not Field.BRANCH)
    assert meta(wb)["branch_name"] == wen.name and meta(wb)["revision"] == "1"
    v = validate(read.read_workbook(data, copy_name), two, copy_name)
    assert v.identity.branch_name == wen.name and v.submission is not None


def test_rule3_blank_template_through_collect(two: Campaign, tmp_path: Path) -> None:
    """A personalised form returned as it was sent out: one line, not one per empty cell."""
    wen = two.roster[0]
    root = tmp_path / "inbox"
    root.mkdir()
    (root / form_filename(S1, wen)).write_bytes(build_form(two, S1, wen))
    rep = run_collect(root, two, jobs=1)
    pack = write(rep, tmp_path / "out")
    notice = text(pack[f"01_{wen.name}_退回修改通知.txt"])
    assert "附件1 评分表：你单位交回的是空白表格" in notice
    assert numbered(notice) == []
    ws = openpyxl.load_workbook(pack[f"01_{wen.name}_附件1_评分表_更正.xlsx"])[
        form_layout(two.catalog, S1).sheet
    ]
    assert comments(ws) == {}


# ---------------------------------------------------------------- rule 4: the inspectors' corrections


def insp_values(camp: Campaign) -> dict:
    values: dict = {(Field.DATE, ""): dt.date(2018, 10, 12)}
    for item in camp.catalog.items:
        values[(Field.INSP_SCORE, item.id)] = item.points
    values[(Field.INSP_SCORE, "S02.1")] = 1
    values[(Field.INSP_OPINION, "S02.1")] = "会议记录不全"
    return values


BLANK_ITEMS = ("S03.1", "S05.2", "S09.1")
OVER = ("S01.2", 3)  # 2 points at most


@pytest.fixture(scope="module")
def inspected(tmp_path_factory: pytest.TempPathFactory, two: Campaign) -> tuple[Path, Report]:
    """Both branches returned clean forms (文学院 no 自查报告); 文学院's 督查评分表 came back with three blank
    items and a score over the item's points, 马克思主义学院's with an old template (rejected)."""
    root = tmp_path_factory.mktemp("inspected") / "inbox"
    wen, ma = two.roster
    for b in two.roster:
        values = full_scores(two.catalog)
        values[(Field.SCORE, "S04.1")] = 1
        values[(Field.NOTE, "S04.1")] = f"{b.name} 材料不全"
        fill_form(build_form(two, S1, b), root / form_filename(S1, b), values, catalog=two.catalog)
        fill_form(build_form(two, S2, b), root / form_filename(S2, b), clean_values(two.catalog, S2))
    books = dict(build_inspections(run_collect(root, two, jobs=1)))
    values = insp_values(two)
    for item_id in BLANK_ITEMS:
        del values[(Field.INSP_SCORE, item_id)]
    values[(Field.INSP_SCORE, OVER[0])] = OVER[1]
    name = form_filename(INSP, wen)
    fill_form(books[name], root / "组织部督查" / name, values, catalog=two.catalog)
    name = form_filename(INSP, ma)
    old = set_meta("catalog_digest", "0123456789abcdef")
    fill_form(books[name], root / "组织部督查" / name, insp_values(two), catalog=two.catalog, edit=old)
    rep = run_collect(root, two, jobs=1)
    return root, rep.model_copy(update={"files": [*rep.files, reported(ma)]})  # 文学院 owes its 自查报告


def test_rule4_inspector_notice_lists_the_cells_and_comes_with_a_corrected_copy(
    inspected: tuple[Path, Report], two: Campaign, tmp_path: Path
) -> None:
    root, rep = inspected
    wen = two.roster[0]
    lay = form_layout(two.catalog, INSP)
    cells = {lay.input(Field.INSP_SCORE, i).a1 for i in (*BLANK_ITEMS, OVER[0])}
    pack = write(rep, tmp_path / "退回修改")
    notice_name = f"督查_01_{wen.name}_督查评分表_退回修改通知.txt"
    notice = text(pack[notice_name])
    assert notice.startswith(f"{two.department}督查组：")
    assert {re.search(r"督查评分表 ([A-Z]+\d+)", line).group(1) for line in numbered(notice)} == cells
    assert len(numbered(notice)) == 4 and "未填写督查得分" in notice and "填写的是3" in notice
    assert "不计分、不排名" in notice
    # items as the form shows them, no header (to 组织部's own inspectors), the 落款 dated
    assert "第一部分第2项" in notice and not re.search(r"S\d{2}\.\d", notice)
    assert notice.endswith(
        f"{two.department}\n{rep.generated_at.year}年{rep.generated_at.month}月{rep.generated_at.day}日\n"
    )
    # the branch's own notice (its 自查报告 is owed) says nothing of the inspectors' errors
    assert [n for n in pack if n.startswith(("01_", "11_"))] == [f"01_{wen.name}_未交提醒.txt"]
    own = text(pack[f"01_{wen.name}_未交提醒.txt"])
    assert "督查评分表" not in own and "督查得分" not in own and numbered(own) == []

    copy_name = f"督查_01_{wen.name}_督查评分表_更正.xlsx"
    assert f"“{copy_name}”" in notice
    data = pack[copy_name].read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[lay.sheet]
    original = openpyxl.load_workbook(root / "组织部督查" / form_filename(INSP, wen))[lay.sheet]
    for c in lay.inputs:
        if c.field is not Field.BRANCH:
            assert ws[c.a1].value == original[c.a1].value, c  # the inspectors' values, as they typed them
    assert ws[lay.input(Field.INSP_SCORE, OVER[0]).a1].value == OVER[1]
    assert ws[lay.input(Field.INSP_OPINION, "S02.1").a1].value == "会议记录不全"
    for item in two.catalog.items:  # the branch's self-assessment, locked, from its 附件1
        row = lay.item_rows[item.id]
        assert ws[a1(row, C_SCORE)].value == original[a1(row, C_SCORE)].value
    assert set(comments(ws)) == cells
    assert "请填写 0 到 2 之间的数字" in comments(ws)[lay.input(Field.INSP_SCORE, OVER[0]).a1]
    assert meta(wb)["form_kind"] == "inspection" and meta(wb)["revision"] == "1"

    # filled in and put back, the corrected copy counts and the notice goes away
    fixed = {(Field.INSP_SCORE, i): 2 for i in BLANK_ITEMS} | {(Field.INSP_SCORE, OVER[0]): 2}
    again = tmp_path / "inbox"
    shutil.copytree(root, again)
    fill_form(data, again / "组织部督查" / copy_name.removeprefix("督查_"), fixed, catalog=two.catalog)
    rep2 = run_collect(again, two, jobs=1)
    counted = ag.current_inspections(rep2)[wen.name]
    assert counted.outcome is Outcome.ACCEPTED and counted.submission.revision == 1
    assert notice_name not in write(rep2, tmp_path / "退回修改2")


def test_rule4_rejected_inspection_gets_a_notice_and_a_recovered_copy(
    inspected: tuple[Path, Report], two: Campaign, tmp_path: Path
) -> None:
    _, rep = inspected
    ma = two.roster[1]
    pack = write(rep, tmp_path)
    notice = text(pack[f"督查_11_{ma.name}_督查评分表_退回修改通知.txt"])
    assert "督查评分表：未能接收" in notice and "表格版本不符" in notice
    copy = openpyxl.load_workbook(io.BytesIO(pack[f"督查_11_{ma.name}_督查评分表_更正.xlsx"].read_bytes()))
    lay = form_layout(two.catalog, INSP)
    ws = copy[lay.sheet]
    assert ws[lay.input(Field.INSP_SCORE, "S02.1").a1].value == 1  # recovered from the rejected file
    assert ws[lay.input(Field.INSP_OPINION, "S02.1").a1].value == "会议记录不全"
    assert ws[a1(lay.item_rows["S04.1"], C_SCORE)].value == 1  # the self-assessment, from its 附件1
    assert "已带入原表中的填写内容" in notice


# ---------------------------------------------------------------- rule 9: rejected files reach their branch


def copy_pasted(src: bytes, dest: Path) -> None:
    """The form's sheet copied, values only, into a new workbook (no metadata, no locks)."""
    ws = openpyxl.load_workbook(io.BytesIO(src))["评分表"]
    wb = openpyxl.Workbook()
    new = wb.active
    new.title = "评分表"
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                new[c.coordinate].value = c.value
    wb.save(dest)


@pytest.fixture(scope="module")
def rejected(tmp_path_factory: pytest.TempPathFactory, campaign: Campaign) -> Report:
    """Four branches, each with a rejected file bearing its name, and a clean 附件2 and 自查报告 otherwise:
    01 附件1 encrypted, 02 附件2 truncated, 03 附件1 copy-pasted into a new workbook, 04 a truncated file whose
    form cannot be told; 05 sent a clean 附件1, then an encrypted one (its correction?). Collect attributes
    each by its file name or its visible 党总支名称 cell (rule 9, collect's side)."""
    camp = campaign.model_copy(update={"roster": campaign.roster[:5]})
    root = tmp_path_factory.mktemp("rejected") / "inbox"
    root.mkdir()
    b1, b2, b3, b4, b5 = camp.roster
    filled, scratch = {}, tmp_path_factory.mktemp("filled")
    for b in camp.roster:
        for kind in (S1, S2):
            filled[(b.seq, kind)] = fill_form(
                build_form(camp, kind, b),
                scratch / form_filename(kind, b),
                clean_values(camp.catalog, kind),
            ).read_bytes()
    (root / form_filename(S1, b1)).write_bytes(encrypt_ooxml(filled[(1, S1)]))
    (root / form_filename(S2, b2)).write_bytes(filled[(2, S2)][: len(filled[(2, S2)]) // 2])
    copy_pasted(filled[(3, S1)], root / form_filename(S1, b3))
    (root / f"{b4.id}_{b4.name}.xlsx").write_bytes(filled[(4, S1)][:4000])
    for b in (b2, b5):
        (root / form_filename(S1, b)).write_bytes(filled[(b.seq, S1)])
    (root / f"{b5.id}_{b5.name}_附件1_评分表（修改后）.xlsx").write_bytes(encrypt_ooxml(filled[(5, S1)]))
    for b in (b1, b3, b4, b5):
        (root / form_filename(S2, b)).write_bytes(filled[(b.seq, S2)])
    rep = run_collect(root, camp, jobs=1)
    return rep.model_copy(update={"files": [*rep.files, *(reported(b) for b in camp.roster)]})


@pytest.mark.parametrize(
    ("seq", "file", "what_to_send"),
    [
        (1, "{id}_{name}_附件1_评分表.xlsx", "请取消打开密码后重新发送"),
        (2, "{id}_{name}_附件2_重点任务清单.xlsx", "请重新保存后发送"),
        (3, "{id}_{name}_附件1_评分表.xlsx", "请使用下发的原表格填写"),
        (4, "{id}_{name}.xlsx", "请重新保存后发送"),
    ],
    ids=["encrypted", "truncated", "copy-pasted", "form-unknown"],
)
def test_rule9_rejected_file_reaches_branch_with_reason_and_what_to_send(
    rejected: Report, tmp_path: Path, seq: int, file: str, what_to_send: str
) -> None:
    b = rejected.campaign.roster[seq - 1]
    path = file.format(id=b.id, name=b.name)
    rec = next(f for f in rejected.files if f.path == path)
    assert rec.outcome is Outcome.REJECTED and rec.reason
    pack = write(rejected, tmp_path)
    notice = text(pack[f"{b.id}_{b.name}_退回修改通知.txt"])
    line = next(line for line in notice.splitlines() if f"收到文件“{path}”" in line)
    assert "判断为你单位的文件" in line and rec.reason in line  # which file, why it could not be used
    assert what_to_send in notice  # what to send instead
    assert "：未交" not in notice  # not a generic reminder: the branch did send something
    if seq == 4:
        assert "无法判断是附件1还是附件2" in notice
        assert "附件1 评分表：未收到可用的表格" in notice


def test_rule9_a_rejected_file_sent_after_the_counted_one_reaches_the_branch(
    rejected: Report, tmp_path: Path
) -> None:
    b5 = rejected.campaign.roster[4]
    later = f"{b5.id}_{b5.name}_附件1_评分表（修改后）.xlsx"
    pack = write(rejected, tmp_path)
    notice = text(pack[f"{b5.id}_{b5.name}_核对通知.txt"])
    assert f"收到文件“{later}”" in notice and "文件已加密" in notice
    assert f"目前按“{form_filename(S1, b5)}”计入" in notice
    assert "请取消打开密码后重新发送" in notice


def test_pack_line_counts_documents_not_branches(
    rejected: Report, inspected: tuple[Path, Report], tmp_path: Path
) -> None:
    """The console line names what it counts: notices and copies, as files, matching the pack."""
    paths = write_pack(rejected, tmp_path / "a")
    n = count_pack(paths)
    names = [p.name for p in paths]
    assert n.fix_notices == sum(x.endswith("_退回修改通知.txt") for x in names) == 4
    assert n.checks == 1 and n.reminders == 0 and n.copies == sum(x.endswith(".xlsx") for x in names)
    line = pack_lines(paths, tmp_path / "a")[0]
    assert f"退回修改通知 4 份（{n.copies} 份更正表）" in line and "核对通知 1 份" in line
    assert "个党总支" not in line
    _, rep = inspected
    paths = write_pack(rep, tmp_path / "b")
    line = pack_lines(paths, tmp_path / "b")[0]
    assert "督查评分表更正通知 2 份（2 份更正表）" in line and "未交提醒 1 份" in line
    assert count_pack(paths).fix_notices == 0
