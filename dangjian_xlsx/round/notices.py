"""退回修改 notices: what one 党总支 owes (the parts of its notice) and the notice's text, ready to paste into an
e-mail — every problem with its form, file, sheet and cell, what is wrong and what is expected, and the deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..forms import form_filename
from ..layout import Field
from ..messages import Code
from ..models import Branch, Campaign, FileRecord, FormKind, Problem

Key = tuple[Field, str]

BLOCKING_HINT = "请改用附上的新表格"
_NUMERALS = "一二三四五六七八九十"

FIX, REJECTED, MISSING = "fix", "rejected", "missing"


@dataclass
class CorrectedCopy:
    """One corrected-copy workbook to build: a personalized form, pre-filled, with problem comments."""

    kind: FormKind
    name: str
    prefill: dict[Key, object]
    comments: dict[Key, str]
    revision: int


@dataclass
class Part:
    """What one 党总支 owes for one form: corrections (fix / rejected) or the form itself (missing)."""

    kind: FormKind
    state: str  # FIX | REJECTED | MISSING
    files: list[FileRecord] = field(default_factory=list)
    copy: CorrectedCopy | None = None
    recovered: bool = False  # a rejected file's values were carried over into the copy


@dataclass
class Notice:
    branch: Branch
    parts: list[Part]
    report_missing: bool
    text: str = ""

    @property
    def needs_fix(self) -> bool:
        return any(p.state in (FIX, REJECTED) for p in self.parts)

    @property
    def filename(self) -> str:
        what = "退回修改通知" if self.needs_fix else "未交提醒"
        return f"{self.branch.id}_{self.branch.name}_{what}.txt"


def hint(p: Problem, campaign: Campaign) -> str:
    """What is expected, where the problem's message does not already say it."""
    ref = p.field.split(" ", 1)[0]
    item = campaign.catalog.item_by_id.get(ref)
    if p.code in (Code.SCORE_BLANK, Code.SCORE_OUT_OF_RANGE, Code.INSPECTION_BLANK) and item is not None:
        return f"请填写 0 到 {item.points} 之间的数字"
    if p.code in (Code.STATUS_BLANK, Code.STATUS_INVALID):
        return "请从下拉列表中选择"
    if p.code == Code.TEXT_REQUIRED:
        if p.field.endswith(Field.ISSUES.label):
            return "请写明存在的问题和整改措施（不适用的写明原因）"
        return "请写明具体做法和佐证材料"
    return ""


def _field_label(p: Problem) -> str:
    return p.field.split(" ", 1)[-1] if p.field else ""


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _line(n: int, p: Problem, campaign: Campaign) -> str:
    where = f"{p.sheet} {p.cell}" if p.cell else ""  # no cell: a whole-file problem (e.g. the template)
    label = _field_label(p)
    if label and where:
        where += f"（{label}）"
    h = hint(p, campaign)
    text = p.message + (f"。{h}" if h else "")
    return f"  {n}. {where}：{text}。" if where else f"  {n}. {text}。"


def _part_lines(part: Part, branch: Branch, campaign: Campaign) -> tuple[str, list[str]]:
    label = part.kind.label
    if part.state == MISSING:
        return f"{label}：未交。", [f"  请使用下发的“{form_filename(part.kind, branch)}”填写后报送。"]
    lines: list[str] = []
    n = 0
    if part.state == FIX:
        rec = part.files[0]
        errors = rec.errors
        head = f"{label}：需修改 {len(errors)} 处（文件：{rec.path}）"
        for p in errors:
            n += 1
            lines.append(_line(n, p, campaign))
        assert part.copy is not None
        lines.append(
            f"  请在附上的更正表“{part.copy.name}”中修改以上单元格（已标红并附批注，其余内容已按原表填好），"
            "保存后交回。"
        )
        return head, lines
    head = f"{label}：未能接收"
    for rec in part.files:
        lines.append(f"  文件“{rec.path}”（{rec.reason}）：")
        for p in rec.errors:
            n += 1
            lines.append(_line(n, p, campaign))
    assert part.copy is not None
    carried = "已带入原表中的填写内容，请逐项核对后" if part.recovered else "请重新填写后"
    lines.append(f"  {BLOCKING_HINT}“{part.copy.name}”（{carried}交回），不要在原文件上修改。")
    return head, lines


def notice_text(notice: Notice, campaign: Campaign, as_of: dt.datetime) -> str:
    """The notice as plain text (LF line ends), ready to paste into an e-mail."""
    b = notice.branch
    to = campaign.return_to or campaign.department
    if notice.needs_fix:
        intro = "经组织部汇总核对，你单位报送的专项督查材料有以下问题，请按要求修改后重新报送："
    else:
        intro = f"截至{_cn_date(as_of.date())}，组织部尚未收到你单位的以下专项督查材料，请尽快报送："
    out = [f"{b.name}：", "", f"    {intro}", ""]
    sections: list[tuple[str, list[str]]] = [_part_lines(p, b, campaign) for p in notice.parts]
    if notice.report_missing:
        sections.append(("自查报告：未交。", ["  请将自查报告（Word 或 PDF）与两个附件一并报送。"]))
    for i, (head, lines) in enumerate(sections):
        out.append(f"{_NUMERALS[i]}、{head}")
        out.extend(lines)
        out.append("")
    if as_of.date() <= campaign.due:
        out.append(f"    请于{_cn_date(campaign.due)}前发送至{to}。")
    else:
        out.append(f"    报送截止时间为{_cn_date(campaign.due)}，请尽快发送至{to}。")
    out += ["", f"{campaign.department}"]
    return "\n".join(out) + "\n"
