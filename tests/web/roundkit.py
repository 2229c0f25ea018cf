"""The round the browser test drives (test_round_in_browser.py): the school, roster and dates the clerk sets,
what each branch types and sends back (openpyxl and LibreOffice), and readers of what goes out. Ground truth
is what is typed here (`Branch.scores`), never what the code under test computed."""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import openpyxl
from fill import fill_form
from hostile_inbox import docx, paragraph
from office import Document, Edit, run_driver
from openpyxl.utils.protection import hash_password

from dangjian_xlsx.layout import SHEET_BY_KIND, Field, form_layout
from dangjian_xlsx.models import Catalog, FormKind

SCORING, TASKS = FormKind.SCORING, FormKind.TASKS
SCHOOL = "某某师范学院"
TITLE = "2026年度基层党建工作专项督查"
PASSWORD = "mm-zzb-2026"
DEPARTMENT = "中共某某师范学院委员会组织部"
SAMPLE_SCHOOL = "郑州"  # the built-in sample's school, on nothing that goes out
DATES = {
    "self_check_start": "2026-11-02",
    "self_check_end": "2026-11-20",
    "due": "2026-11-25",
    "correction_due": "2026-12-10",
}
FILLED_ON = dt.date(2026, 11, 18)
SAVED = dt.datetime(2026, 11, 18, 9, 30)
CORRECTED_ON = dt.date(2026, 11, 19)
ROSTER = [  # (序号, 党总支名称, 联系人, 邮箱): none of them the sample's
    (1, "数理学院党总支", "张红", "shuli@mm.edu.cn"),
    (2, "物电工程学院党总支", "李军", "wudian@mm.edu.cn"),
    (3, "化学与材料学院党总支", "王芳", "huacai@mm.edu.cn"),
    (4, "生物科学学院党总支", "赵磊", "shengwu@mm.edu.cn"),
    (5, "历史与社会学院党总支", "钱静", "lishe@mm.edu.cn"),
    (6, "外语学院党总支", "孙伟", ""),  # no e-mail, and sends nothing
]


@dataclass
class Branch:
    seq: int
    name: str
    contact: str
    email: str
    scores: dict[str, tuple[float, str]] = field(default_factory=dict)  # item → (score, note) typed

    @property
    def id(self) -> str:
        return f"{self.seq:02d}"

    @property
    def total(self) -> float:
        return math.fsum(s for s, _ in self.scores.values())


@dataclass
class Clerk:
    """The round as this test drives it: the tab, the server's folder, where files are made, the branches."""

    tab: Any
    live: Any
    work: Path
    catalog: Catalog
    branches: dict[int, Branch]
    forms: dict[str, Path] = field(default_factory=dict)  # generated form name → where it was unzipped
    sent: dict[str, Path] = field(default_factory=dict)  # file sent → path
    batch: dict[str, tuple[str, str]] = field(default_factory=dict)  # 本次上传: file → (status, note)
    over: tuple[str, float] = ("", 0.0)  # the item scored over its points, the score typed

    def go(self, path: str) -> None:
        self.tab.goto(self.live.base + path)

    def download(self, selector: str, folder: str) -> Path:
        """Click a download link; the file saved under the name the page gives it, in `folder` of work/."""
        with self.tab.expect_download() as info:
            self.tab.click(selector)
        dest = self.work / folder / info.value.suggested_filename
        dest.parent.mkdir(parents=True, exist_ok=True)
        info.value.save_as(dest)
        return dest

    def form(self, kind: FormKind, seq: int) -> Path:
        suffix = {SCORING: "附件1_评分表", TASKS: "附件2_重点任务清单"}[kind]
        b = self.branches[seq]
        return self.forms[f"{b.id}_{b.name}_{suffix}.xlsx"]

    def fill(self, kind: FormKind, seq: int, folder: Path, values: dict[tuple[Field, str], object]) -> Path:
        """Branch `seq`'s own form filled with openpyxl, saved into `folder` under its name."""
        src = self.form(kind, seq)
        return fill_form(src, folder / src.name, values, catalog=self.catalog, saved_at=SAVED)


# ---------------------------------------------------------------- what branches type


def scores_for(catalog: Catalog, seq: int, short: str) -> dict[str, tuple[float, str]]:
    """Different per branch, a few deductions each, every note naming the branch."""
    out = {}
    for i, item in enumerate(catalog.items):
        if (i + seq) % (5 + seq) == 0 and item.points >= 1:
            out[item.id] = (item.points - 0.5, f"{short}：{item.id}会议记录不全")
        else:
            out[item.id] = (float(item.points), "")
    return out


def score_values(scores: dict[str, tuple[float, str]], date: dt.date) -> dict[tuple[Field, str], object]:
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): date}
    for item_id, (score, note) in scores.items():
        values[(Field.SCORE, item_id)] = score
        if note:
            values[(Field.NOTE, item_id)] = note
    return values


def task_values(catalog: Catalog, short: str, date: dt.date) -> dict[tuple[Field, str], object]:
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): date}
    for task in catalog.tasks:
        values[(Field.STATUS, task.id)] = catalog.done_status
        values[(Field.DONE, task.id)] = f"{short}：{task.id}已完成，见会议纪要"
    return values


def office_edits(catalog: Catalog, kind: FormKind, values: dict[tuple[Field, str], object]) -> list[Edit]:
    """The values typed cell by cell in Calc, as a person types them."""
    lay = form_layout(catalog, kind)
    edits = []
    for (fld, ref), v in values.items():
        if isinstance(v, dt.date):
            v = v.isoformat()
        elif isinstance(v, float):
            v = str(int(v)) if v.is_integer() else str(v)
        edits.append(Edit(lay.sheet, lay.input(fld, ref).a1, v))
    return edits


def item_label(catalog: Catalog, item_id: str) -> str:
    """第n部分第m项: the section's numeral as the form prints it (一 … 十二), the item counted within it."""
    for section in catalog.form1.sections:
        for m, item in enumerate(section.items, 1):
            if item.id == item_id:
                return f"第{section.numeral}部分第{m}项"
    raise KeyError(item_id)


def roster_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "党总支名称", "联系人", "邮箱"])
    for row in ROSTER:
        ws.append(list(row))
    wb.save(path)
    return path


def mail(sender: str, subject: str, attachments: list[tuple[str, bytes]]) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"联系人 <{sender}>"
    msg["To"] = "zzb@mm.edu.cn"
    msg["Subject"] = subject
    msg["Date"] = "Wed, 18 Nov 2026 10:00:00 +0800"
    msg.set_content("材料见附件。")
    for name, body in attachments:
        msg.add_attachment(body, maintype="application", subtype="octet-stream", filename=name)
    return bytes(msg)


def cells_text(ws: Any) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def overview_value(path: Path, label: str, note: bool = False) -> Any:
    """The number beside `label` in 总览's blocks (项目 | 数量 | 说明), or with `note` its 说明."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [list(r) for r in wb["总览"].iter_rows(values_only=True)]
    wb.close()
    found = [row[i + 1 : i + 3] for row in rows for i, v in enumerate(row[:-2]) if v == label]
    assert len(found) == 1, (label, found)
    return found[0][1] if note else found[0][0]


def clipboard(tab: Any) -> str:
    return tab.evaluate("navigator.clipboard.readText()")


def fits(tab: Any) -> bool:
    """No sideways scrolling at 1366×768."""
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


# ---------------------------------------------------------------- reading what goes out


def check_drafts(c: Clerk, drafts: dict[str, bytes]) -> None:
    """One draft per branch with an e-mail, to it, signed by the 组织部门 set, nothing of the sample."""
    with_mail = [b for b in c.branches.values() if b.email]
    assert len(drafts) == len(with_mail)
    for b in with_mail:
        found = [data for n, data in drafts.items() if Path(n).name.startswith(f"{b.id}_")]
        assert len(found) == 1, (b.name, list(drafts))
        msg = BytesParser(policy=policy.default).parsebytes(found[0])
        assert b.email in str(msg["To"])
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert (
            DEPARTMENT in body and SAMPLE_SCHOOL not in body and SAMPLE_SCHOOL not in str(msg["Subject"])
        ), body
        attached = sorted(p.get_filename() for p in msg.iter_attachments())
        assert attached == sorted(f"{b.id}_{b.name}_{s}.xlsx" for s in ("附件1_评分表", "附件2_重点任务清单"))


def check_form(path: Path, kind: FormKind, b: Branch) -> None:
    """The school set is in the title, the branch's name in its form, the sheet locked with the password."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_BY_KIND[kind]]
    texts = cells_text(ws)
    everything = [t for sheet in wb.worksheets for t in cells_text(sheet)] + [str(wb.properties.creator)]
    assert not any(SAMPLE_SCHOOL in t for t in everything), f"{path.name}: the sample's school is in the file"
    if kind is SCORING:  # 附件2's title, as the notice prints it, names no school
        title = next((t for t in texts[:3] if t.startswith(SCHOOL)), None)
        assert title is not None, f"{path.name}: no title with {SCHOOL}: {texts[:3]}"
    assert b.name in texts, f"{path.name}: the branch's name is not on its form"
    assert ws.protection.sheet, f"{path.name}: the sheet is not protected"
    assert ws.protection.password == hash_password(PASSWORD), f"{path.name}: not the password set"


def member(shown: dict[str, tuple[str, str]], container: str, name: str) -> tuple[str, str]:
    found = [v for k, v in shown.items() if k.startswith(container) and k.endswith(name) and k != container]
    assert len(found) == 1, (container, name, list(shown))
    return found[0]


def type_ledger(c: Clerk, summary: Path) -> tuple[str, str, str]:
    """The clerk types a 整改措施 into 问题台账 of the downloaded summary and saves it into the round folder."""
    wb = openpyxl.load_workbook(summary)
    ws = wb["问题台账"]
    head_row = next(r for r in ws.iter_rows() if any(x.value == "整改措施" for x in r))
    col = {x.value: x.column for x in head_row if x.value}
    b1 = c.branches[1].name
    row = next(r for r in range(head_row[0].row + 1, ws.max_row + 1) if ws.cell(r, col["党总支"]).value == b1)
    typed = "12月底前补齐会议记录"
    ws.cell(row, col["整改措施"]).value = typed
    item = str(ws.cell(row, col["编号"]).value)
    wb.save(c.live.folder.summary)
    return b1, item, typed


# ---------------------------------------------------------------- what branches send back


def make_returns(c: Clerk) -> list[Path]:
    """4 What the branches send back, mistakes mixed in: the files the clerk uploads."""
    out = c.work / "交回"
    out.mkdir()
    for seq in (1, 3, 4):
        c.branches[seq].scores = scores_for(c.catalog, seq, c.branches[seq].name.removesuffix("党总支"))
    files = [*clean_returns(c, out), *mailed_returns(c, out), zipped_returns(c, out)]
    files += [*blank_and_renamed(c, out), *office_returns(c, out)]
    note = out / "报送说明.txt"  # a file that is no form
    note.write_text("各位老师：材料已按要求报送。", "utf-8")
    files.append(note)
    c.sent = {p.name: p for p in files}
    return files


def clean_returns(c: Clerk, out: Path) -> list[Path]:
    """1: both forms clean (openpyxl), and a 自查报告 (.docx)."""
    b1 = c.branches[1]
    files = [
        c.fill(SCORING, 1, out, score_values(b1.scores, FILLED_ON)),
        c.fill(TASKS, 1, out, task_values(c.catalog, "数理", FILLED_ON)),
    ]
    report = out / "数理学院党总支自查报告.docx"
    report.write_bytes(docx(paragraph("数理学院党总支2026年度党建工作自查报告")))
    return [*files, report]


def mailed_returns(c: Clerk, out: Path) -> list[Path]:
    """3: 附件1 with a score over the item's points, sent as a saved e-mail's attachment; 附件2 clean."""
    b3 = c.branches[3]
    item = next(i for i in c.catalog.items if i.points >= 1)
    c.over = (item.id, float(item.points) + 1)
    typed = dict(b3.scores) | {item.id: (c.over[1], "")}
    form1 = c.fill(SCORING, 3, c.work / "邮件附件", score_values(typed, FILLED_ON))
    eml = out / "化学与材料学院党总支督查材料.eml"
    eml.write_bytes(mail(b3.email, "化学与材料学院党总支督查材料", [(form1.name, form1.read_bytes())]))
    return [eml, c.fill(TASKS, 3, out, task_values(c.catalog, "化材", FILLED_ON))]


def zipped_returns(c: Clerk, out: Path) -> Path:
    """4: one zip holding both forms."""
    z = out / "生物科学学院党总支材料.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for kind, values in (
            (SCORING, score_values(c.branches[4].scores, FILLED_ON)),
            (TASKS, task_values(c.catalog, "生物", FILLED_ON)),
        ):
            f = c.fill(kind, 4, c.work / "压缩前", values)
            zf.write(f, f.name)
    return z


def blank_and_renamed(c: Clerk, out: Path) -> list[Path]:
    """5: its 附件1 sent back blank, untouched; its 附件2 filled on 生物科学学院's form, renamed as its own."""
    blank = out / c.form(SCORING, 5).name
    blank.write_bytes(c.form(SCORING, 5).read_bytes())
    renamed = fill_form(
        c.form(TASKS, 4), out / c.form(TASKS, 5).name, task_values(c.catalog, "历社", FILLED_ON),
        catalog=c.catalog, saved_at=SAVED,
    )  # fmt: skip
    return [blank, renamed]


def office_returns(c: Clerk, out: Path) -> list[Path]:
    """2 types both forms in LibreOffice Calc: one deduction without its 扣分说明."""
    cat, b2 = c.catalog, c.branches[2]
    b2.scores = scores_for(cat, 2, "物电")
    missing = next(i for i in cat.items if i.points >= 1 and not b2.scores[i.id][1])
    b2.scores[missing.id] = (missing.points - 1.0, "")
    docs = [
        Document(c.form(SCORING, 2), c.work / "calc", c.form(SCORING, 2).stem,
                 office_edits(cat, SCORING, score_values(b2.scores, FILLED_ON)), ("xlsx",)),
        Document(c.form(TASKS, 2), c.work / "calc", c.form(TASKS, 2).stem,
                 office_edits(cat, TASKS, task_values(cat, "物电", FILLED_ON)), ("xlsx",)),
    ]  # fmt: skip
    run_driver(docs, c.work / "driver")
    sent = []
    for d in docs:
        dest = out / d.input.name
        dest.write_bytes(d.output("xlsx").read_bytes())
        sent.append(dest)
    return sent
