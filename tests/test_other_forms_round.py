"""A whole round on forms that are not 2018's (issue 16): tests/other_forms.py's five sections with half points,
a one-item section and a total of 150, six tasks with three statuses, the unit 党支部 — pasted into 表格内容.xlsx
as a merged-cell table saved by LibreOffice — run by a clerk through the CLI: forms check, generate, eight
党支部 fill their forms in LibreOffice and openpyxl (half points, each of the three statuses, one invalid status,
one over-max half point), collect --feedback, corrections on the corrected copies, an inspection, collect again.

What goes out to people is read back: 得分汇总's totals and ranks, the maximum 150, 任务清单汇总's three status
columns and completion rates, the feedback workbooks, the notices naming the right cells, the inspection, the
CSV/JSON exports; and a 党支部 round says 党支部 everywhere, never 党总支 (no branch name here contains 党总支).

Ground truth is what this module typed (`SCORES`, `STATUS_ROWS`, `INSPECTION_CUTS`), never what the code computed.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import json
import math
import os
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import require_office
from fill import fill_form, form_kind
from hostile_inbox import docx, paragraph
from office import Document, Edit, run_driver
from other_forms import FORM1_TITLE, SECTIONS, STATUSES, UNIT, write_fods
from readback import table

from dangjian_xlsx.catalog import load_campaign
from dangjian_xlsx.cli import cli
from dangjian_xlsx.layout import Field, form_layout
from dangjian_xlsx.models import Campaign, FormKind

pytestmark = pytest.mark.office

SCORING, TASKS, INSPECTION = FormKind.SCORING, FormKind.TASKS, FormKind.INSPECTION
SCHOOL, YEAR = "黄河师范大学", 2024
BRANCHES = [  # 党支部 of a 党支部 round; none of them says 党总支
    "文学院教工党支部",
    "文学院学生党支部",
    "外国语学院教工党支部",
    "数学学院学生党支部",
    "物理学院党支部",
    "化学学院研究生党支部",
    "机关第一党支部",
    "离退休干部党支部",
]
OFFICE_SEQS = (1, 2, 3)  # filled in LibreOffice Calc (typed); the others through openpyxl
FILL_DATE = dt.date(2024, 6, 12)
SAVED = dt.datetime(2024, 6, 12, 16, 0)
DONE, PROGRESS, NOT_STARTED = STATUSES  # 已完成、推进中、未开展

# What each 党支部 typed into 附件1: the points it took off each item (all half points), by item index;
# 文学院学生 and 机关第一 tie (147.5): ranks go 1、2、2、4.
DEDUCTIONS: dict[int, dict[int, float]] = {
    1: {2: 1.5, 5: 1.5, 8: 1.5, 11: 1.5, 14: 1.5},
    2: {1: 0.5, 4: 0.5, 7: 0.5, 10: 0.5, 13: 0.5},
    3: {0: 2.0, 3: 2.0, 6: 2.0, 9: 2.0, 12: 0.5, 15: 2.0},
    4: {2: 1.0, 5: 1.0, 8: 1.0, 11: 1.0, 14: 1.0},
    5: {},
    6: {0: 1.5, 3: 1.5, 6: 1.5, 9: 1.5, 12: 0.5, 15: 1.5},
    7: {2: 0.5, 5: 0.5, 8: 0.5, 11: 0.5, 14: 0.5},
    8: {1: 2.0, 4: 2.0, 7: 2.0, 10: 2.0, 13: 2.0},
}
# What each typed into 附件2, task by task (0 已完成, 1 推进中, 2 未开展): every task gets each of the three.
STATUS_ROWS = {
    1: "000000",
    2: "010200",
    3: "102001",
    4: "021010",
    5: "200102",
    6: "001020",
    7: "120000",
    8: "000102",
}
OVER_MAX = (3, "S02.4", 5.5)  # 外国语学院教工 pastes 5.5 into a 5-point item in Calc (typing it is refused)
BAD_STATUS = (5, "T02", "基本完成")  # 物理学院 types a status that is not on the list (openpyxl)
INSPECTED = 1  # 组织部 inspects 文学院教工 in Calc: points taken off, by item index (6.5 in all: 自评偏高)
INSPECTION_CUTS = {3: 1.0, 9: 2.5, 12: 0.5, 15: 2.5}
OLD_STATUSES = ("持续推进", "未完成", "不适用")  # 2018's, offered nowhere in this round


# ---------------------------------------------------------------- the truth


def scores(campaign: Campaign, seq: int) -> dict[str, tuple[float, str]]:
    """item id → (score, note) as the 党支部 finally means it."""
    out = {}
    for i, item in enumerate(campaign.catalog.items):
        cut = DEDUCTIONS[seq].get(i, 0.0)
        out[item.id] = (item.points - cut, f"{BRANCHES[seq - 1]}：{item.id}佐证材料不全" if cut else "")
    return out


def total(campaign: Campaign, seq: int) -> float:
    return math.fsum(s for s, _ in scores(campaign, seq).values())


def statuses(campaign: Campaign, seq: int) -> dict[str, str]:
    return {t.id: STATUSES[int(k)] for t, k in zip(campaign.catalog.tasks, STATUS_ROWS[seq], strict=True)}


def competition_ranks(totals: dict[int, float]) -> dict[int, int]:
    """1、1、3 for ties."""
    return {s: 1 + sum(t > totals[s] + 1e-9 for t in totals.values()) for s in totals}


def inspection_total(campaign: Campaign) -> float:
    return total(campaign, INSPECTED) - math.fsum(INSPECTION_CUTS.values())


# ---------------------------------------------------------------- what people type


def score_values(campaign: Campaign, seq: int) -> dict[tuple[Field, str], object]:
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): FILL_DATE}
    for item_id, (score, note) in scores(campaign, seq).items():
        values[(Field.SCORE, item_id)] = score
        if note:
            values[(Field.NOTE, item_id)] = note
    return values


def task_values(campaign: Campaign, seq: int) -> dict[tuple[Field, str], object]:
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): FILL_DATE}
    name = BRANCHES[seq - 1]
    for task_id, status in statuses(campaign, seq).items():
        values[(Field.STATUS, task_id)] = status
        values[(Field.DONE, task_id)] = f"{name}：{task_id}已制定方案并组织实施"
        if status != DONE:
            values[(Field.ISSUES, task_id)] = f"{name}：{task_id}进度偏慢，年底前完成"
    return values


def inspection_values(campaign: Campaign) -> dict[tuple[Field, str], object]:
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): dt.date(2024, 6, 20)}
    for i, (item_id, (score, _)) in enumerate(scores(campaign, INSPECTED).items()):
        cut = INSPECTION_CUTS.get(i, 0.0)
        values[(Field.INSP_SCORE, item_id)] = score - cut
        if cut:
            values[(Field.INSP_OPINION, item_id)] = f"督查：{item_id}现场查阅台账不全，扣{cut:g}分"
    return values


def typed(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def office_edits(campaign: Campaign, kind: FormKind, values: dict[tuple[Field, str], object]) -> list[Edit]:
    lay = form_layout(campaign.catalog, kind)
    return [Edit(lay.sheet, lay.input(fld, ref).a1, typed(v)) for (fld, ref), v in values.items()]


# ---------------------------------------------------------------- the round


@dataclass
class Round:
    root: Path
    console: dict[str, str] = field(default_factory=dict)  # step → console output
    refused: list[dict[str, Any]] = field(default_factory=list)  # typed edits Calc refused
    over_max_typed: list[dict[str, Any]] = field(default_factory=list)  # typing 5.5 into the 5-point item

    @property
    def campaign(self) -> Campaign:
        return load_campaign(self.root / "campaign.toml", None)

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    def out(self, n: int) -> Path:
        """What went out after the n-th collect (1, 2)."""
        return self.root / f"out{n}"


def _cli(r: Round, step: str, *args: str, campaign: bool = True) -> str:
    extra = ["--campaign", str(r.root / "campaign.toml")] if campaign else []
    result = CliRunner().invoke(cli, [*args, *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    r.console[step] = result.output
    return result.output


def _set(text: str, key: str, value: str) -> str:
    new, n = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
    assert n == 1, key
    return new


def _write_campaign(r: Round, work: Path) -> None:
    """init, then the clerk's edits: the school, the year and dates, the forms pasted from the notice, a roster."""
    _cli(r, "init", "init", "--out", str(r.root), campaign=False)
    # the notice's Word table pasted into LibreOffice Calc (merged 序号/项目/类别 cells) and saved as .xlsx
    fods = write_fods(work / "表格内容.fods")
    doc = Document(fods, work / "pasted", "表格内容", [], ("xlsx",))
    run_driver([doc], work / "driver0")
    shutil.copy(doc.output("xlsx"), r.root / "表格内容.xlsx")
    toml = (r.root / "campaign.toml").read_text("utf-8")
    for key, value in (
        ("school", f'"{SCHOOL}"'),
        ("department", f'"中共{SCHOOL}委员会组织部"'),
        ("title", '"党支部标准化建设考核"'),
        ("year", str(YEAR)),
        ("self_check_start", "2024-06-10"),
        ("self_check_end", "2024-06-20"),
        ("due", "2024-06-21"),
        ("forms", '"表格内容.xlsx"'),
    ):
        toml = _set(toml, key, value)
    (r.root / "campaign.toml").write_text(toml, "utf-8")
    lines = (r.root / "roster.csv").read_text("utf-8-sig").splitlines()
    header = lines[0].split(",")
    name_col = next(h for h in header if h.endswith("名称"))
    rows = []
    for seq, name in enumerate(BRANCHES, 1):
        cells = dict.fromkeys(header, "")
        cells.update({"序号": str(seq), name_col: name})
        rows.append(",".join(cells[h] for h in header))
    (r.root / "roster.csv").write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8-sig")


def generated(folder: Path, seq: int, kind: FormKind) -> Path:
    """The form of `kind` for branch `seq` in a folder of generated forms (found by its sheet, not its name)."""
    found = [
        p
        for p in sorted(folder.glob(f"{seq:02d}_*.xlsx"))
        if form_kind(openpyxl.load_workbook(p, read_only=True)) is kind
    ]
    assert len(found) == 1, (folder, seq, kind, found)
    return found[0]


def _round1(r: Round, work: Path) -> None:
    c = r.campaign
    docs: list[Document] = []
    for seq, name in enumerate(BRANCHES, 1):
        (r.inbox / f"{name}自查报告.docx").write_bytes(docx(paragraph(f"{name}自查报告")))
        s, t = score_values(c, seq), task_values(c, seq)
        if seq == BAD_STATUS[0]:
            t[(Field.STATUS, BAD_STATUS[1])] = BAD_STATUS[2]
        for kind, values in ((SCORING, s), (TASKS, t)):
            src = generated(r.root / "forms", seq, kind)
            if seq not in OFFICE_SEQS:
                fill_form(src, r.inbox / src.name, values, catalog=c.catalog, saved_at=SAVED)
                continue
            edits = office_edits(c, kind, values)
            if kind is SCORING and seq == OVER_MAX[0]:
                cell = form_layout(c.catalog, SCORING).input(Field.SCORE, OVER_MAX[1]).a1
                sheet = form_layout(c.catalog, SCORING).sheet
                edits += [Edit(sheet, cell, typed(OVER_MAX[2])), Edit(sheet, cell, OVER_MAX[2], mode="paste")]
            fmt = ("xlsx", "xls", "ods")[seq % 3] if kind is TASKS else "xlsx"
            docs.append(Document(src, work / "saved1", src.stem, edits, (fmt,)))
    result = run_driver(docs, work / "driver1")
    over = form_layout(c.catalog, SCORING).input(Field.SCORE, OVER_MAX[1]).a1
    for d in docs:
        for e in result.edits(d):
            if e["status"] == "applied" or e["mode"] != "type":
                continue
            is_over = d.input.name.startswith(f"{OVER_MAX[0]:02d}_") and e["cell"] == over
            (r.over_max_typed if is_over and e["value"] == typed(OVER_MAX[2]) else r.refused).append(e)
        for fmt in d.formats:
            shutil.copy(d.output(fmt), r.inbox / d.input.name.replace(".xlsx", f".{fmt}"))


def _corrections_and_inspection(r: Round, work: Path) -> None:
    """外国语学院教工 corrects its score in Calc and 物理学院 its status with openpyxl, both on the corrected copies
    from 退回修改/; 组织部 inspects 文学院教工 in Calc."""
    c = r.campaign
    pack = r.out(1) / "退回修改"
    seq, item_id, _ = OVER_MAX
    copy1 = generated(pack, seq, SCORING)
    fixed = {(Field.SCORE, item_id): scores(c, seq)[item_id][0], (Field.DATE, ""): dt.date(2024, 6, 18)}
    docs = [Document(copy1, work / "saved2", copy1.stem, office_edits(c, SCORING, fixed), ("xlsx",))]
    _cli(r, "inspect", "inspect", str(r.inbox), "--out", str(work / "督查评分表"))
    shutil.copytree(work / "督查评分表", r.root / "督查评分表")
    form = generated(work / "督查评分表", INSPECTED, INSPECTION)
    docs.append(
        Document(
            form, work / "saved2", form.stem, office_edits(c, INSPECTION, inspection_values(c)), ("xlsx",)
        )
    )
    result = run_driver(docs, work / "driver2")
    r.refused += [e for d in docs for e in result.edits(d) if e["status"] != "applied"]
    shutil.copy(docs[0].output("xlsx"), r.inbox / copy1.name)
    (r.inbox / "组织部督查").mkdir()
    shutil.copy(docs[1].output("xlsx"), r.inbox / "组织部督查" / form.name)
    seq, task_id, _ = BAD_STATUS
    copy2 = generated(pack, seq, TASKS)
    status = statuses(c, seq)[task_id]
    values: dict[tuple[Field, str], object] = {(Field.STATUS, task_id): status}
    if status != DONE:
        values[(Field.ISSUES, task_id)] = f"{BRANCHES[seq - 1]}：{task_id}进度偏慢，年底前完成"
    fill_form(copy2, r.inbox / copy2.name, values, catalog=c.catalog, saved_at=SAVED + dt.timedelta(days=6))


def _collect(r: Round, n: int) -> None:
    out = r.root / "out"
    _cli(r, f"collect{n}", "collect", str(r.inbox), "--out", str(out / "汇总表.xlsx"), "--feedback")
    shutil.copytree(out, r.out(n))


def _run_round(base: Path) -> Round:
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    r = Round(base)
    work = base / "work"
    work.mkdir()
    _write_campaign(r, work)
    _cli(r, "forms check", "forms", "check", str(base / "表格内容.xlsx"), campaign=False)
    _cli(r, "generate", "generate", "--out", str(base / "forms"))
    r.inbox.mkdir()
    _round1(r, work)
    _collect(r, 1)
    _corrections_and_inspection(r, work)
    _collect(r, 2)
    return r


@pytest.fixture(scope="module")
def other_round(tmp_path_factory: pytest.TempPathFactory) -> Round:
    require_office(uno=True)
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    base = root / "other_forms_round"
    with open(root / "other_forms_round.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = base / "round.json"
        if done.is_file():
            d = json.loads(done.read_text("utf-8"))
            return Round(base, d["console"], d["refused"], d["over_max_typed"])
        r = _run_round(base)
        state = {"console": r.console, "refused": r.refused, "over_max_typed": r.over_max_typed}
        done.write_text(json.dumps(state, ensure_ascii=False), "utf-8")
        return r


# ---------------------------------------------------------------- reading what goes out


def by_branch(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(row[UNIT]): row for row in rows if row.get(UNIT)}


def sheet_text(path: Path, visible_only: bool = False) -> str:
    """Every cell's text and every data-validation prompt/alert of a workbook's (visible) sheets."""
    wb = openpyxl.load_workbook(path, data_only=True)
    parts = []
    for ws in wb.worksheets:
        if visible_only and ws.sheet_state != "visible":
            continue
        parts.append(ws.title)
        parts += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        for dv in ws.data_validations.dataValidation:
            parts += [str(x) for x in (dv.formula1, dv.prompt, dv.promptTitle, dv.error, dv.errorTitle) if x]
    wb.close()
    return "\n".join(parts)


def xml_text(path: Path) -> str:
    """Every XML part of an .xlsx, decoded: cells, sheet names, charts, comments, everything a person can see."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels", ".vml"))
        )


def notice(r: Round, n: int, seq: int) -> str:
    found = sorted((r.out(n) / "退回修改").glob(f"{seq:02d}_*.txt"))
    return "\n".join(p.read_text("utf-8-sig") for p in found)


def input_cell(form: Path, header: str, text: str) -> tuple[str, str]:
    """(sheet, A1) of the cell under column `header` on the row that shows `text`, read off a generated form."""
    wb = openpyxl.load_workbook(form)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        col = row_at = None
        for row in ws.iter_rows():
            for c in row:
                if c.value == header and col is None:
                    col = c.column_letter
                if c.value == text:
                    row_at = c.row
        if col and row_at:
            return ws.title, f"{col}{row_at}"
    raise AssertionError((form, header, text))


def scored(n: int) -> list[int]:
    """The branches whose 附件1 counts after the n-th collect (外国语学院教工's over-max one is corrected in round 2)."""
    return [s for s in range(1, 9) if n == 2 or s != OVER_MAX[0]]


def tasks_counted(n: int) -> list[int]:
    return [s for s in range(1, 9) if n == 2 or s != BAD_STATUS[0]]


# ---------------------------------------------------------------- the clerk's steps


def test_other_round_forms_check_and_generate(other_round: Round) -> None:
    r = other_round
    check = r.console["forms check"]
    assert "没有发现问题" in check
    assert "共 5 个部分、16 项，总分 150 分" in check and "四、阵地建设：1 项，15 分" in check
    assert "完成状态：已完成、推进中、未开展" in check and f"填报单位：{UNIT}" in check
    assert "已生成 16 个文件" in r.console["generate"]
    camp = r.campaign
    assert (
        camp.catalog.statuses == STATUSES and camp.catalog.unit == UNIT and camp.catalog.total_points == 150
    )
    assert len(camp.roster) == len(BRANCHES)


def test_other_round_generated_forms_say_this_rounds_words(other_round: Round) -> None:
    """Every generated form, corrected copy and 督查评分表: the school's title, 附件3/附件4, 党支部, the three
    statuses offered and no other; no 2018 status, no 党总支, no 100-point total."""
    r = other_round
    title = FORM1_TITLE.replace("{学校}", SCHOOL).replace("{年度}", str(YEAR))
    forms = sorted((r.root / "forms").glob("*.xlsx"))
    assert len(forms) == 16
    paths = [
        *forms,
        *sorted((r.out(1) / "退回修改").glob("*.xlsx")),
        *sorted((r.root / "督查评分表").glob("*.xlsx")),
    ]
    for path in paths:
        text = sheet_text(path, visible_only=True)
        kind = form_kind(openpyxl.load_workbook(path, read_only=True))
        assert "党总支" not in text, path.name
        assert UNIT in text, path.name
        assert not [s for s in OLD_STATUSES if s in text], path.name
        assert "郑州师范学院" not in text, path.name
        if kind is TASKS:
            assert "附件4" in text and "推进中" in text and "未开展" in text, path.name
        elif kind is INSPECTION:  # 组织部's form: no attachment of the branch's notice
            own = title.removesuffix("评分表") + "·组织部督查评分表"
            assert own in text and "附件3" not in text, path.name
            assert "150" in text, path.name
        else:
            assert title in text and "附件3" in text, path.name
            assert "150" in text, path.name


def test_other_round_calc_accepts_half_points_and_the_three_statuses(other_round: Round) -> None:
    """Typed in Calc: every half point and every status of the round passes the forms' validation; typing 5.5
    into the 5-point item is refused (then it is pasted)."""
    r = other_round
    assert not r.refused, r.refused
    assert [e["reason"] for e in r.over_max_typed] == ["validation"]


def test_other_round_totals_and_ranks(other_round: Round) -> None:
    r = other_round
    c = r.campaign
    for n in (1, 2):
        path = r.out(n) / "汇总表.xlsx"
        head, rows = table(path, "得分汇总", "自评排名")
        assert UNIT in head and "党总支" not in head
        got = by_branch(rows)
        totals = {s: total(c, s) for s in scored(n)}
        ranks = competition_ranks(totals)
        for seq, name in enumerate(BRANCHES, 1):
            row = got[name]
            if seq not in totals:  # provisional (暂计): listed, never ranked
                assert row["自评排名"] is None and "暂计" in str(row["状态"]), (n, name, row)
                continue
            assert row["自评总分"] == pytest.approx(totals[seq]), (n, name)
            assert row["自评排名"] == ranks[seq], (n, name)
        # each section's column header carries its points
        for numeral, name, _ in SECTIONS:
            assert any(h.startswith(f"{numeral}、") and re.sub(r"\s|（\d+分）", "", name) in h for h in head)


def test_other_round_shows_the_maximum_150(other_round: Round) -> None:
    r = other_round
    path = r.out(2) / "汇总表.xlsx"
    _, sections = table(path, "总览", "满分")
    assert [row["满分"] for row in sections if row.get("满分") is not None] == [10, 40, 60, 15, 25]
    charts = re.findall(r'<c:max val="([\d.]+)"/>', xml_text(path))
    assert "150" in charts and "100" not in charts, charts
    text = sheet_text(path)
    assert not re.search(r"44项|20项|12个部分|满分\s*100|100\s*分", text)
    feedback = sheet_text(_feedback(r, 2, 1))
    assert re.search(r"满分\s*150\s*分", feedback)


def _feedback(r: Round, n: int, seq: int) -> Path:
    found = sorted((r.out(n) / "反馈表").glob(f"{seq:02d}_*.xlsx"))
    assert len(found) == 1, found
    return found[0]


def test_other_round_task_summary_has_the_three_status_columns(other_round: Round) -> None:
    r = other_round
    c = r.campaign
    for n in (1, 2):
        path = r.out(n) / "汇总表.xlsx"
        head, rows = table(path, "任务清单汇总", "完成率")
        assert UNIT in head and "党总支" not in head
        assert all(s in head for s in STATUSES), head
        assert not [s for s in OLD_STATUSES if s in head], head
        got = by_branch(rows)
        for seq in tasks_counted(n):
            row, typed_ = got[BRANCHES[seq - 1]], list(statuses(c, seq).values())
            for s in STATUSES:
                assert row[s] == typed_.count(s), (n, seq, s)
            assert row["完成率"] == pytest.approx(typed_.count(DONE) / len(typed_)), (n, seq)
        # the school's rate of each task, over the counted 附件2 only
        task_ids = {t.id for t in c.catalog.tasks}
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        all_rows = [list(x) for x in wb["任务清单汇总"].iter_rows(values_only=True)]
        wb.close()
        rate_row = next(x for x in all_rows if any(str(v or "").startswith("各项任务全校完成率") for v in x))
        for col, h in enumerate(head):
            task_id = h.split(" ")[0]
            if task_id not in task_ids:
                continue
            done = sum(statuses(c, s)[task_id] == DONE for s in tasks_counted(n))
            assert rate_row[col] == pytest.approx(done / len(tasks_counted(n))), (n, task_id)


def test_other_round_notices_name_the_cells(other_round: Round) -> None:
    r = other_round
    c = r.campaign
    seq, item_id, value = OVER_MAX
    blank = generated(r.root / "forms", seq, SCORING)
    sheet, cell = input_cell(blank, "自评得分", c.catalog.item_by_id[item_id].text)
    text = notice(r, 1, seq)
    line = next((ln for ln in text.splitlines() if f"{sheet} {cell}" in ln), "")
    assert typed(value) in line and re.search(r"满分\s*5\s*分", line), text
    assert "附件3" in text and BRANCHES[seq - 1] in text
    seq, task_id, bad = BAD_STATUS
    blank = generated(r.root / "forms", seq, TASKS)
    task = next(t for t in c.catalog.tasks if t.id == task_id)
    sheet, cell = input_cell(blank, "完成状态", task.text)
    text = notice(r, 1, seq)
    line = next((ln for ln in text.splitlines() if f"{sheet} {cell}" in ln), "")
    assert bad in line and "已完成、推进中、未开展" in line, text
    assert "附件4" in text
    with_notice = {p.name[:2] for p in (r.out(1) / "退回修改").glob("*退回修改通知.txt")}
    assert with_notice == {f"{OVER_MAX[0]:02d}", f"{BAD_STATUS[0]:02d}"}
    assert not list((r.out(2) / "退回修改").glob("*退回修改通知.txt"))  # both corrected in round 2


def test_other_round_feedback(other_round: Round) -> None:
    r = other_round
    c = r.campaign
    totals = {s: total(c, s) for s in scored(2)}
    ranks = competition_ranks(totals)
    for seq, name in enumerate(BRANCHES, 1):
        path = _feedback(r, 2, seq)
        text = sheet_text(path)
        assert name in text
        assert not [b for b in BRANCHES if b != name and b in text], path.name
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = {str(x[0]): x for x in wb.worksheets[0].iter_rows(values_only=True) if x and x[0]}
        wb.close()
        assert rows["自评总分"][1] == pytest.approx(totals[seq]), name
        assert rows["自评排名"][1] == ranks[seq], name
        open_tasks = [t for t, s in statuses(c, seq).items() if s != DONE]
        for task_id in open_tasks:
            assert task_id in text, (name, task_id)


def test_other_round_inspection(other_round: Round) -> None:
    r = other_round
    c = r.campaign
    _, rows = table(r.out(2) / "汇总表.xlsx", "得分汇总", "自评排名")
    row = by_branch(rows)[BRANCHES[INSPECTED - 1]]
    assert row["督查总分"] == pytest.approx(inspection_total(c))
    assert row["督查排名"] == 1 and row["督查结论"] == "自评偏高"
    others = [by_branch(rows)[b] for i, b in enumerate(BRANCHES, 1) if i != INSPECTED]
    assert all(o["督查总分"] is None for o in others)
    compare_head, compare = table(r.out(2) / "汇总表.xlsx", "自评与督查对比", "督查得分")
    assert UNIT in compare_head and "党总支" not in compare_head
    items = {str(x["编号"]) for x in compare if x.get("编号")}
    assert items == {c.catalog.items[i].id for i in INSPECTION_CUTS}
    text = sheet_text(_feedback(r, 2, INSPECTED))
    assert "督查得分" in text and "现场查阅台账不全" in text


def test_other_round_exports(other_round: Round) -> None:
    r = other_round
    c = r.campaign
    out = r.out(2)
    with open(out / "汇总表_得分.csv", encoding="utf-8-sig", newline="") as f:
        score_rows = list(csv.DictReader(f))
    sums: dict[str, float] = {}
    for row in score_rows:
        if row["计入统计"] in ("1", "True", "true"):
            sums[row["党支部"]] = sums.get(row["党支部"], 0.0) + float(row["自评得分"])
    assert sums == pytest.approx({BRANCHES[s - 1]: total(c, s) for s in scored(2)})
    with open(out / "汇总表_任务.csv", encoding="utf-8-sig", newline="") as f:
        task_rows = list(csv.DictReader(f))
    got = {(row["党支部"], row["编号"]): row["完成状态"] for row in task_rows}
    for name in ("汇总表_得分.csv", "汇总表_任务.csv", "汇总表_问题.csv", "汇总表_文件.csv"):
        with open(out / name, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f))
        assert {"党支部", "党支部编号"} <= set(header) and "党总支" not in "".join(header), (name, header)
    for seq, name in enumerate(BRANCHES, 1):
        for task_id, status in statuses(c, seq).items():
            assert got[(name, task_id)] == status, (name, task_id)
    data = json.loads((out / "汇总表.json").read_text("utf-8"))
    assert (data["campaign"]["school"], data["campaign"]["year"]) == (SCHOOL, YEAR)
    totals = {s: total(c, s) for s in scored(2)}
    ranks = competition_ranks(totals)
    for row in data["scores"]:
        assert row["total"] == pytest.approx(totals[row["seq"]]) and row["rank"] == ranks[row["seq"]], row
    rates = {row["task_id"]: row["rate"] for row in data["task_rates"]}
    for task in c.catalog.tasks:
        done = sum(statuses(c, s)[task.id] == DONE for s in range(1, 9))
        assert rates[task.id] == pytest.approx(done / 8), task.id
    assert data["overview"]["scored"] == 8 and data["overview"]["quality_ok"] == 8


def test_other_round_says_党支部_never_党总支(other_round: Round) -> None:
    """The summary (every part: cells, headers, notes, charts), every notice, every feedback workbook and every
    console line of the round say 党支部; none says 党总支 nor offers 2018's statuses."""
    r = other_round
    for n in (1, 2):
        summary = xml_text(r.out(n) / "汇总表.xlsx")
        assert UNIT in summary and "党总支" not in summary, n
        assert not [s for s in OLD_STATUSES if s in summary], n
        for p in sorted((r.out(n) / "退回修改").glob("*.txt")):
            text = p.read_text("utf-8-sig")
            assert "党总支" not in text and not [s for s in OLD_STATUSES if s in text], p.name
        for p in sorted((r.out(n) / "反馈表").glob("*.xlsx")):
            text = xml_text(p)
            assert UNIT in text and "党总支" not in text, p.name
            assert not [s for s in OLD_STATUSES if s in text], p.name
    assert list((r.out(1) / "退回修改").glob("*.txt"))
    for step, output in r.console.items():
        if step != "init":  # init writes the built-in (党总支) forms before the clerk pastes this round's
            assert "党总支" not in output, (step, output)
    assert UNIT in r.console["collect1"]
