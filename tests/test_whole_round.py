"""A whole round, run the way a 组织部 clerk runs it (issue 15): 25 党总支, forms filled in LibreOffice and by
openpyxl with the mistakes people make, collect, corrections, collect again, an inspection, collect again.

The assertions read back what goes out to people — the summary workbook, the feedback workbooks, the
notices and the exports — and check the round's rules (SPEC §4a): no branch's numbers come from another
branch's file; every statistic rests on the forms that are complete and valid; what the clerk typed into
问题台账 survives; every count partition sums to 应交.

Ground truth is what this module typed (`Truth`), never what the code under test computed.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import json
import math
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import require_office
from fill import fill_form
from hostile_corpus import encrypt_ooxml
from hostile_inbox import docx as _docx
from hostile_inbox import paragraph
from office import Document, Edit, run_driver
from readback import sheet_rows

from dangjian_xlsx.catalog import load_campaign
from dangjian_xlsx.cli import cli
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import Field, a1, form_layout
from dangjian_xlsx.models import Campaign, FormKind

pytestmark = pytest.mark.office

SCORING, TASKS, INSPECTION = FormKind.SCORING, FormKind.TASKS, FormKind.INSPECTION
EXTRA_BRANCHES = [  # (name, 简称) beyond the built-in 20: parentheticals and short names as people use them
    ("计算机与信息工程学院（软件学院）党总支", "计算机学院"),
    ("创新创业学院（大学科技园）党总支", ""),
    ("国际教育学院党总支", ""),
    ("继续教育学院党总支", ""),
    ("后勤管理处直属党支部", ""),
]
OFFICE_SEQS = (1, 2, 3, 4, 5, 6)  # filled in LibreOffice Calc; the others through openpyxl
ROUND1 = dt.datetime(2018, 9, 29, 16, 0)
ROUND2 = dt.datetime(2018, 10, 8, 9, 0)
INSPECTED = {1: 8.0, 2: 2.0}  # seq → points the inspectors take off (margin 5: seq 1 is 自评偏高)
INSPECTION_INCOMPLETE = 3  # the inspector left items blank and typed an over-max score


# ---------------------------------------------------------------- what each branch typed


@dataclass
class Truth:
    """What one branch typed into its 附件1 that counts at the end (item → (score, note))."""

    scores: dict[str, tuple[float, str]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return math.fsum(s for s, _ in self.scores.values())


def branch_scores(campaign: Campaign, seq: int, short: str) -> Truth:
    """Deterministic, different per branch; every note names the branch (so a note in the wrong place shows)."""
    t = Truth()
    for i, item in enumerate(campaign.catalog.items):
        pattern = (i * 7 + seq * 3) % 11
        if pattern < seq % 4:
            t.scores[item.id] = (max(item.points - 1.0, 0.0), f"{short}：{item.id}佐证材料不完整")
        elif pattern == 5 and item.points >= 2:
            t.scores[item.id] = (item.points - 0.5, f"{short}：{item.id}记录不规范")
        else:
            t.scores[item.id] = (float(item.points), "")
    return t


def score_values(truth: Truth, date: dt.date) -> dict[tuple[Field, str], object]:
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): date}
    for item_id, (score, note) in truth.scores.items():
        values[(Field.SCORE, item_id)] = score
        if note:
            values[(Field.NOTE, item_id)] = note
    return values


def task_values(campaign: Campaign, seq: int, short: str, date: dt.date) -> dict[tuple[Field, str], object]:
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): date}
    for i, task in enumerate(campaign.catalog.tasks):
        status = "持续推进" if (i + seq) % 5 == 0 else "已完成"
        values[(Field.STATUS, task.id)] = status
        values[(Field.DONE, task.id)] = f"{short}：{task.id}已召开专题会议，形成纪要"
        if status != "已完成":
            values[(Field.ISSUES, task.id)] = f"{short}：{task.id}推进较慢，11月底前完成"
    return values


def office_edits(campaign: Campaign, kind: FormKind, values: dict[tuple[Field, str], object]) -> list[Edit]:
    lay = form_layout(campaign.catalog, kind)
    edits = []
    for (fld, ref), v in values.items():
        if isinstance(v, dt.date):
            v = v.isoformat()
        elif isinstance(v, float):
            v = str(int(v)) if v.is_integer() else str(v)
        edits.append(Edit(lay.sheet, lay.input(fld, ref).a1, v))
    return edits


# ---------------------------------------------------------------- the round


@dataclass
class Round:
    root: Path
    inbox: Path
    out: Path
    campaign: Campaign
    truth: dict[int, Truth]  # seq → the 附件1 that must count at the end
    console: list[str] = field(default_factory=list)  # each collect's console output
    typed: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (branch, item) → typed


def _cli(r: Round, *args: str) -> str:
    result = CliRunner().invoke(
        cli, [*args, "--campaign", str(r.root / "campaign.toml")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def _collect(r: Round) -> None:
    r.console.append(_cli(r, "collect", str(r.inbox), "--out", str(r.out / "汇总表.xlsx"), "--feedback"))
    shutil.copytree(r.out, r.root / f"out{len(r.console)}")  # what went out after this collect


def snapshot(r: Round, n: int) -> Path:
    """The outputs as they were right after the n-th collect (1, 2, 3)."""
    return r.root / f"out{n}"


def _write_campaign(root: Path) -> Campaign:
    CliRunner().invoke(cli, ["init", "--out", str(root)], catch_exceptions=False)
    lines = (root / "roster.csv").read_text("utf-8-sig").splitlines()
    header = lines[0].split(",")
    rows = [ln for ln in lines[1:] if ln.strip()]
    for k, (name, short) in enumerate(EXTRA_BRANCHES, 1):
        cells = dict.fromkeys(header, "")
        cells.update({"序号": str(20 + k), "党总支名称": name, "简称": short})
        rows.append(",".join(cells[h] for h in header))
    (root / "roster.csv").write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8-sig")
    return load_campaign(root / "campaign.toml", None)


def docx(paragraphs: list[str]) -> bytes:
    return _docx("".join(paragraph(p) for p in paragraphs))


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _pasted_into_new_workbook(data: bytes, dest: Path) -> None:
    """What a person does who copies the form's cells into a fresh workbook: values only, no metadata."""
    src = openpyxl.load_workbook(io.BytesIO(data))
    ws = src.worksheets[0]
    wb = openpyxl.Workbook()
    out = wb.active
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                out.cell(row=c.row, column=c.column, value=c.value)
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)


def _round1(r: Round, work: Path) -> list[Document]:
    """Every branch's first return; the LibreOffice documents to run."""
    c, inbox = r.campaign, r.inbox
    docs: list[Document] = []
    for b in c.roster:
        seq, short = b.seq, b.name.removesuffix("党总支")
        truth = branch_scores(c, seq, short)
        r.truth[seq] = truth
        day = dt.date(2018, 9, 26 + seq % 4)
        s, t = score_values(truth, day), task_values(c, seq, short, day)
        f1, f2 = form_filename(SCORING, b), form_filename(TASKS, b)
        src1, src2 = work / "forms" / f1, work / "forms" / f2
        for kind, src in ((SCORING, src1), (TASKS, src2)):
            src.parent.mkdir(parents=True, exist_ok=True)
            src.write_bytes(build_form(c, kind, b))
        if seq == 5:  # an over-max score: corrected in round 2 on the corrected copy, its date set back
            item = next(i for i in c.catalog.items if i.points == 2)
            s[(Field.SCORE, item.id)] = 3.0
        if seq == 7:  # five items left blank
            for item in c.catalog.items[10:15]:
                s.pop((Field.SCORE, item.id))
                s.pop((Field.NOTE, item.id), None)
        if seq == 9:  # statuses people type that are not on the list, two left blank
            t[(Field.STATUS, "T01")] = "完成"
            t[(Field.STATUS, "T02")] = "基本完成"
            t.pop((Field.STATUS, "T03"))
            t.pop((Field.STATUS, "T04"))
        if seq not in (13, 14, 21, 22, 23):
            (inbox / f"{b.name}自查报告.docx").write_bytes(docx([f"{b.name}自查报告"]))
        if seq in OFFICE_SEQS:
            for kind, src, values in ((SCORING, src1, s), (TASKS, src2, t)):
                fmt = ("xlsx", "xls", "ods")[seq % 3] if kind is TASKS else "xlsx"
                docs.append(Document(src, work / "saved1", src.stem, office_edits(c, kind, values), (fmt,)))
            continue
        if seq == 16:  # sends the blank template back
            shutil.copy(src1, inbox / f1)
        elif seq == 12:  # copied the form into a new workbook
            tmp = work / "paste" / f1
            fill_form(src1, tmp, s, saved_at=ROUND1)
            _pasted_into_new_workbook(tmp.read_bytes(), inbox / f1)
        elif seq == 20:  # encrypted 附件1, truncated 附件2
            tmp = work / "enc" / f1
            fill_form(src1, tmp, s, saved_at=ROUND1)
            (inbox / f1).write_bytes(encrypt_ooxml(tmp.read_bytes()))
        elif seq == 11:  # its own 附件1 is not sent in round 1 (see the forwarded form below)
            pass
        elif seq == 23:  # sends nothing at all
            continue
        else:
            fill_form(src1, inbox / f1, s, saved_at=ROUND1)
        if seq == 20:
            tmp = work / "trunc" / f2
            fill_form(src2, tmp, t, saved_at=ROUND1)
            (inbox / f2).write_bytes(_truncated(tmp.read_bytes()))
        elif seq != 19:  # 机关党委 sends only 附件1
            fill_form(src2, inbox / f2, t, saved_at=ROUND1)
    by_seq = {b.seq: b for b in c.roster}
    # 马克思主义学院 fills 文学院's form (forwarded by e-mail), later date, under its own file name
    marx, wenxue = by_seq[11], by_seq[1]
    marx_truth = branch_scores(c, 11, "马克思主义学院")
    fill_form(
        work / "forms" / form_filename(SCORING, wenxue),
        inbox / form_filename(SCORING, marx),
        score_values(marx_truth, dt.date(2018, 9, 30)),
        saved_at=ROUND1 + dt.timedelta(hours=3),
    )
    # 经济与管理学院 sends 附件1 twice, the second a colleague's draft with other numbers
    econ = by_seq[9]
    draft = Truth({k: (float(c.catalog.item_by_id[k].points), "") for k in r.truth[9].scores})
    fill_form(
        work / "forms" / form_filename(SCORING, econ),
        inbox / "邮件附件" / (form_filename(SCORING, econ).replace(".xlsx", "(1).xlsx")),
        score_values(draft, dt.date(2018, 9, 27)),
        saved_at=ROUND1 - dt.timedelta(days=1),
    )
    # 自查报告 named the way people name them
    (inbox / "计算机学院党总支自查报告.docx").write_bytes(docx(["自查报告"]))
    (inbox / "创新创业学院党总支自查报告.docx").write_bytes(docx(["自查报告"]))
    return docs


def _place(docs: list[Document], inbox: Path) -> None:
    for d in docs:
        for fmt in d.formats:
            name = d.input.name.replace(".xlsx", f".{fmt}")
            shutil.copy(d.output(fmt), inbox / name)


def _ledger_edits(r: Round) -> list[Edit]:
    """The clerk types 整改措施/责任人/整改时限/整改状态 into the first ledger row of four branches."""
    wb = openpyxl.load_workbook(r.out / "汇总表.xlsx", read_only=True)
    ws = wb["问题台账"]
    rows = list(ws.iter_rows(values_only=True))
    head_at = next(i for i, row in enumerate(rows) if row and "整改措施" in row)
    head = list(rows[head_at])
    col = {name: head.index(name) for name in ("党总支", "整改措施", "责任人", "整改时限", "整改状态")}
    item_col = next(i for i, h in enumerate(head) if h and "编号" in str(h))
    edits, seen = [], set()
    for n, row in enumerate(rows[head_at + 1 :], start=head_at + 2):
        branch = row[col["党总支"]]
        if not branch or branch in seen or len(seen) >= 4:
            continue
        seen.add(branch)
        typed = {
            "整改措施": f"{branch}：{n}月内补齐材料",
            "责任人": f"书记{n}",
            "整改时限": "2018-11-30",
            "整改状态": "整改中",
        }
        r.typed[(str(branch), str(row[item_col]))] = typed
        for name, value in typed.items():
            edits.append(Edit("问题台账", a1(n - 1, col[name]), value))
    return edits


@pytest.fixture(scope="module")
def whole_round(tmp_path_factory: pytest.TempPathFactory) -> Round:
    require_office(uno=True)
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    base = root / "whole_round"
    with open(root / "whole_round.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = base / "round.json"
        if done.is_file():
            return _load_round(base, json.loads(done.read_text("utf-8")))
        r = _run_round(base)
        done.write_text(json.dumps(_dump_round(r), ensure_ascii=False), "utf-8")
        return r


def _dump_round(r: Round) -> dict[str, Any]:
    return {
        "truth": {str(k): v.scores for k, v in r.truth.items()},
        "console": r.console,
        "typed": [[list(k), v] for k, v in r.typed.items()],
    }


def _load_round(base: Path, d: dict[str, Any]) -> Round:
    r = Round(base, base / "inbox", base / "out", load_campaign(base / "campaign.toml", None), {})
    r.truth = {int(k): Truth({i: tuple(s) for i, s in v.items()}) for k, v in d["truth"].items()}
    r.console = d["console"]
    r.typed = {tuple(k): v for k, v in d["typed"]}
    return r


def _run_round(base: Path) -> Round:
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    campaign = _write_campaign(base)
    r = Round(base, base / "inbox", base / "out", campaign, {})
    r.inbox.mkdir()
    work = base / "work"
    docs = _round1(r, work)
    run_driver(docs, work / "driver1")
    _place(docs, r.inbox)
    _collect(r)  # collect 1
    # the clerk types into 问题台账 with LibreOffice and saves the summary in place
    ledger = Document(r.out / "汇总表.xlsx", work / "ledger", "汇总表", _ledger_edits(r), ("xlsx",))
    run_driver([ledger], work / "driver2")
    shutil.copy(ledger.output("xlsx"), r.out / "汇总表.xlsx")
    _round2(r, work)
    _collect(r)  # collect 2
    _inspection(r, work)
    _collect(r)  # collect 3
    return r


def _round2(r: Round, work: Path) -> None:
    """Corrections: on the corrected copies from 退回修改/, and a branch re-sending on its own form."""
    c, inbox, by_seq = r.campaign, r.inbox, {b.seq: b for b in r.campaign.roster}
    pack = r.out / "退回修改"
    # 化学化工学院 corrects the over-max score in LibreOffice, typing the real fill date (earlier)
    chem = by_seq[5]
    copy = next(pack.glob(f"{chem.id}_*附件1*更正*.xlsx"))
    values = score_values(r.truth[5], dt.date(2018, 9, 26))
    doc = Document(copy, work / "saved2", copy.stem, office_edits(c, SCORING, values), ("xlsx",))
    run_driver([doc], work / "driver3")
    shutil.copy(doc.output("xlsx"), inbox / copy.name)
    # 地理与旅游学院 fills its blanks on the corrected copy
    geo = by_seq[7]
    copy = next(pack.glob(f"{geo.id}_*附件1*更正*.xlsx"))
    fill_form(copy, inbox / copy.name, score_values(r.truth[7], dt.date(2018, 10, 8)), saved_at=ROUND2)
    # 美术学院 fills the form it had sent back blank
    art = by_seq[16]
    fill_form(
        work / "forms" / form_filename(SCORING, art),
        inbox / form_filename(SCORING, art).replace(".xlsx", "(1).xlsx"),
        score_values(r.truth[16], dt.date(2018, 10, 8)),
        saved_at=ROUND2,
    )
    # 马克思主义学院 re-sends on its own form
    marx = by_seq[11]
    fill_form(
        work / "forms" / form_filename(SCORING, marx),
        inbox / form_filename(SCORING, marx).replace(".xlsx", "(1).xlsx"),
        score_values(r.truth[11], dt.date(2018, 10, 8)),
        saved_at=ROUND2,
    )


def _inspection(r: Round, work: Path) -> None:
    """组织部 inspects three branches: two complete forms (one 自评偏高), one left incomplete."""
    out = work / "督查评分表"
    _cli(r, "inspect", str(r.inbox), "--out", str(out))
    c, by_seq = r.campaign, {b.seq: b for b in r.campaign.roster}
    lay = form_layout(c.catalog, INSPECTION)
    for seq in (*INSPECTED, INSPECTION_INCOMPLETE):
        b = by_seq[seq]
        name = form_filename(INSPECTION, b)
        values: dict[tuple[Field, str], object] = {(Field.DATE, ""): dt.date(2018, 10, 12)}
        cut = INSPECTED.get(seq, 0.0)
        for item_id, (score, _) in r.truth[seq].scores.items():
            take = min(cut, score, 2.0)
            cut -= take
            values[(Field.INSP_SCORE, item_id)] = score - take
            if take:
                values[(Field.INSP_OPINION, item_id)] = f"督查：{item_id}现场查阅未见台账，扣{take:g}分"
        if seq == INSPECTION_INCOMPLETE:
            for item in c.catalog.items[:3]:
                values.pop((Field.INSP_SCORE, item.id))
            over = next(i for i in c.catalog.items[3:] if i.points == 2)
            values[(Field.INSP_SCORE, over.id)] = 4
        (r.inbox / "组织部督查").mkdir(exist_ok=True)
        fill_form(out / name, r.inbox / "组织部督查" / name, values, saved_at=ROUND2 + dt.timedelta(days=4))
    assert lay.sheet  # the layout the forms were filled by


# ---------------------------------------------------------------- reading what goes out


def all_text(path: Path, sheet: str) -> str:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    text = "\n".join(
        " ".join(str(v) for v in row if v is not None) for row in wb[sheet].iter_rows(values_only=True)
    )
    wb.close()
    return text


def by_branch(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(r["党总支"]): r for r in rows if r.get("党总支")}


def summary_json(r: Round, n: int = 3) -> dict[str, Any]:
    return json.loads((snapshot(r, n) / "汇总表.json").read_text("utf-8"))


def notice(r: Round, n: int, seq: int, kind: str = "") -> str:
    """The text of the n-th collect's notice(s) for branch `seq` (all of them joined)."""
    b = next(b for b in r.campaign.roster if b.seq == seq)
    found = sorted((snapshot(r, n) / "退回修改").glob(f"{b.id}_*{kind}*.txt" if kind else f"{b.id}_*.txt"))
    return "\n".join(p.read_text("utf-8-sig") for p in found)


# What counts at the end: 附件1 of every branch but 教育科学学院 (pasted into a new workbook), 图书馆 (encrypted)
# and 国际教育学院 (nothing); 附件2 of every branch but those, 经济与管理学院 (invalid statuses) and 机关党委 (none).
NOT_SCORED = {12, 20, 23}
TASKS_NOT_COUNTED = {9, 19, 20, 23}


def test_whole_round_no_branch_numbers_come_from_another_branchs_file(whole_round: Round) -> None:
    r = whole_round
    path = snapshot(r, 3) / "汇总表.xlsx"
    scores = by_branch(sheet_rows(path, "得分汇总", "自评排名"))
    names = {b.seq: b.name for b in r.campaign.roster}
    for seq, name in names.items():
        row = scores[name]
        if seq in NOT_SCORED:
            assert row["自评排名"] is None and row["自评总分"] is None, (name, row)
            continue
        assert row["自评总分"] == pytest.approx(r.truth[seq].total), name
    for row in sheet_rows(path, "问题台账", "扣分说明（佐证材料）"):
        note, branch = str(row["扣分说明（佐证材料）"] or ""), str(row["党总支"])
        assert note.startswith(branch.removesuffix("党总支") + "："), (branch, note)
    wenxue = next((snapshot(r, 3) / "反馈表").glob("01_*.xlsx"))
    wb = openpyxl.load_workbook(wenxue, read_only=True)
    text = " ".join(all_text(wenxue, ws) for ws in wb.sheetnames)
    assert "马克思" not in text and "文学院：" in text


def test_whole_round_every_statistic_rests_on_complete_valid_forms(whole_round: Round) -> None:
    r = whole_round
    counted = [t.total for seq, t in r.truth.items() if seq not in NOT_SCORED]
    ov = summary_json(r)["overview"]
    assert ov["scored"] == len(counted) == 22
    assert ov["school_average"] == pytest.approx(math.fsum(counted) / len(counted), abs=1e-4)
    assert ov["max_total"] == max(counted) and ov["min_total"] == min(counted)
    losses = sheet_rows(snapshot(r, 3) / "汇总表.xlsx", "失分分析", "有效份数")
    assert {row["有效份数"] for row in losses} == {len(counted)}
    # task completion: over the complete, valid 附件2 only
    rates = {row["task_id"]: row for row in summary_json(r)["task_rates"]}
    tasks_counted = [b for b in r.campaign.roster if b.seq not in TASKS_NOT_COUNTED]
    for task in r.campaign.catalog.tasks:
        done = sum(
            task_values(r.campaign, b.seq, "", dt.date(2018, 9, 28))[(Field.STATUS, task.id)] == "已完成"
            for b in tasks_counted
        )
        assert rates[task.id]["rate"] == pytest.approx(done / len(tasks_counted)), task.id


def test_whole_round_typed_ledger_cells_survive_every_rerun(whole_round: Round) -> None:
    r = whole_round
    assert r.typed
    for n in (2, 3):
        rows = sheet_rows(snapshot(r, n) / "汇总表.xlsx", "问题台账", "整改措施")
        got = {(str(row["党总支"]), str(row["编号"])): row for row in rows}
        for key, typed in r.typed.items():
            row = got[key]
            for col, value in typed.items():
                assert str(row[col]).startswith(value), (n, key, col, row[col])
        assert (snapshot(r, n) / "汇总表.上次.xlsx").is_file()


def test_whole_round_every_count_partition_sums_to_expected(whole_round: Round) -> None:
    r = whole_round
    for n in (1, 2, 3):
        ov = summary_json(r, n)["overview"]
        expected = len(r.campaign.roster)
        assert ov["expected"] == expected
        assert ov["submitted_all"] + ov["submitted_part"] + ov["submitted_none"] == expected
        assert ov["quality_ok"] + ov["quality_fix"] + ov["quality_doubt"] + ov["quality_none"] == expected
        sub = sheet_rows(snapshot(r, n) / "汇总表.xlsx", "提交情况", "交回情况")
        assert len(sub) == expected
        assert sum(row["交回情况"] == "已交齐" for row in sub) == ov["submitted_all"]
        assert sum(row["材料质量"] == "合格" for row in sub) == ov["quality_ok"]
        console = r.console[n - 1]
        for label, key in (
            ("部分未交", "submitted_part"),
            ("全部未交", "submitted_none"),
            ("需修改", "quality_fix"),
        ):
            line = next(ln for ln in console.splitlines() if f" {label} " in ln)
            assert line.split("│")[-2].strip() == str(ov[key]), (n, label, line)


def test_whole_round_identity_in_doubt_counts_for_nobody_and_reaches_both(whole_round: Round) -> None:
    r = whole_round
    doubt = "11_马克思主义学院党总支_附件1_评分表.xlsx"
    for n in (1, 2, 3):
        files = {f["path"]: f for f in summary_json(r, n)["files"]}
        assert files[doubt]["outcome"] == "身份存疑"
        assert doubt in notice(r, n, 11) and "文学院党总支" in notice(r, n, 11)
        assert doubt in notice(r, n, 1)
    assert "未交" not in notice(r, 1, 11).split("附件1")[1].split("\n")[0]


def test_whole_round_rejected_files_reach_their_branch_with_the_reason(whole_round: Round) -> None:
    r = whole_round
    library = notice(r, 1, 20)
    assert "20_图书馆直属党支部_附件1_评分表.xlsx" in library and "打开密码" in library
    assert "20_图书馆直属党支部_附件2_重点任务清单.xlsx" in library and "损坏" in library
    pasted = notice(r, 1, 12)
    assert "12_教育科学学院党总支_附件1_评分表.xlsx" in pasted and "原表格" in pasted
    assert "空白表格" in notice(r, 1, 16) and notice(r, 1, 16).count("未填写自评得分") == 0


def test_whole_round_correction_with_its_date_set_back_counts(whole_round: Round) -> None:
    r = whole_round
    sub = by_branch(sheet_rows(snapshot(r, 2) / "汇总表.xlsx", "提交情况", "交回情况"))
    chem = next(b for b in r.campaign.roster if b.seq == 5)
    assert "更正" in str(sub[chem.name]["附件1文件"])
    assert not notice(r, 2, 5, "退回修改")


def test_whole_round_reports_named_by_short_name_are_attributed(whole_round: Round) -> None:
    r = whole_round
    sub = by_branch(sheet_rows(snapshot(r, 1) / "汇总表.xlsx", "提交情况", "交回情况"))
    for name, _ in EXTRA_BRANCHES[:2]:
        assert sub[name]["自查报告"] == "已交", name


def test_whole_round_inspection_follows_the_same_rules(whole_round: Round) -> None:
    r = whole_round
    scores = by_branch(sheet_rows(snapshot(r, 3) / "汇总表.xlsx", "得分汇总", "自评排名"))
    names = {b.seq: b.name for b in r.campaign.roster}
    incomplete = scores[names[INSPECTION_INCOMPLETE]]
    assert incomplete["督查排名"] is None and incomplete["督查总分"] is None
    assert incomplete["督查结论"] != "自评偏高"
    assert scores[names[1]]["督查结论"] == "自评偏高"
    assert scores[names[1]]["督查总分"] == pytest.approx(r.truth[1].total - INSPECTED[1])
    assert scores[names[2]]["督查总分"] == pytest.approx(r.truth[2].total - INSPECTED[2])
    inspector = sorted((snapshot(r, 3) / "退回修改").glob("督查_*通知.txt"))
    assert [p.name.split("_")[1] for p in inspector] == [f"{INSPECTION_INCOMPLETE:02d}"]
    assert "督查" not in notice(r, 3, INSPECTION_INCOMPLETE).replace("督查_", "")
    feedback = next((snapshot(r, 3) / "反馈表").glob("01_*.xlsx"))
    wb = openpyxl.load_workbook(feedback, read_only=True)
    text = " ".join(all_text(feedback, ws) for ws in wb.sheetnames)
    assert "督查得分" in text and "现场查阅未见台账" in text
