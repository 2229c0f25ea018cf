"""退回修改 notices: what one 党总支 owes (the parts of its notice) and the notice's text, ready to paste into an
e-mail — every problem to act on with its form, file, sheet and cell, the item as the form shows it, what is
wrong and what is expected, and the deadline (`correction_due` once `due` has passed); every file received for
it that could not be counted (rejected, 身份存疑, form unknown, a 自查报告 that could not be opened) with the
reason and what to send instead. Files are named by their own names, the 落款 is dated, and the roster's 联系人
and 邮箱 head the text for the clerk (`plain`). The same parts, addressed to 组织部's inspectors, make the
督查评分表 correction notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..catalog import chinese_numeral, plain, ref_labels
from ..collect import unreadable_report
from ..forms import cn_date, form_filename
from ..layout import FILE_SUFFIX, Field, file_suffix, form_label
from ..messages import Code
from ..models import Branch, Campaign, Catalog, FileRecord, FormKind, Problem
from ..visible import visible
from .plain import (
    FileNames,
    body_of,
    deadline,
    header,
    named_files,
    routine_count,
    to_act_on,
)
from .received import REPORT_AGAIN, doubt_lines, received_line, unreadable_report_line

Key = tuple[Field, str]

BLOCKING_HINT = "请改用附上的新表格"

# The state of one part of a notice.
FIX, REJECTED, MISSING = "fix", "rejected", "missing"
DOUBT = "doubt"  # a file held 身份存疑 that names the branch (as the form's identity or as the claimant)
# rejected files attributed to the branch whose form could not be told, and its 自查报告 that could not be
# opened (said under 自查报告: `Part.reports`)
UNSORTED = "unsorted"
EXTRA = "extra"  # a rejected file received after the branch's counted form of that kind

# What a notice is, by its file name.
FIX_NOTICE, REMINDER, CHECK_NOTICE = "退回修改通知", "未交提醒", "核对通知"
INSPECTOR_PREFIX = "督查_"

# A file the reader could not read at all: the branch can send the same file again, repaired.
_RESEND = frozenset(
    {Code.FILE_ENCRYPTED, Code.FILE_CORRUPT, Code.FILE_EMPTY, Code.FILE_UNREADABLE, Code.FILE_HTML_AS_XLS}
)


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
    """What one 党总支 owes for one form, or a file received for it that could not be counted."""

    kind: FormKind | None  # None: files whose form could not be told (UNSORTED)
    state: str  # FIX | REJECTED | MISSING | DOUBT | UNSORTED | EXTRA
    files: list[FileRecord] = field(default_factory=list)
    copy: CorrectedCopy | None = None
    recovered: bool = False  # a rejected file's values were carried over into the copy
    current: FileRecord | None = None  # DOUBT, EXTRA: the branch's counted file of that form, if any
    basis: FileRecord | None = None  # REJECTED: the file the copy starts from (collect's newest)

    @property
    def owed(self) -> bool:
        """The branch still has to send something for this part (UNSORTED: a form, or its 自查报告 unless one
        counts — `Notice.owes` knows)."""
        if self.state == DOUBT:
            return self.current is None
        return self.state in (FIX, REJECTED, UNSORTED, MISSING)

    @property
    def reports(self) -> list[FileRecord]:
        """UNSORTED: the files named as the branch's 自查报告 that could not be opened."""
        return [f for f in self.files if self.state == UNSORTED and unreadable_report(f) is not None]

    @property
    def forms(self) -> list[FileRecord]:
        """UNSORTED: the files whose form could not be told (not the 自查报告)."""
        return [f for f in self.files if self.state == UNSORTED and unreadable_report(f) is None]


@dataclass
class Notice:
    branch: Branch
    parts: list[Part]
    report_missing: bool
    text: str = ""
    inspector: bool = False  # to 组织部's inspectors, about their 督查评分表 of this branch

    def owes(self, part: Part) -> bool:
        """The branch still has to send something for the part: a 自查报告 that could not be opened only
        while no 自查报告 counts."""
        if part.state == UNSORTED and not part.forms:
            return self.report_missing
        return part.owed

    @property
    def unreadable_reports(self) -> list[FileRecord]:
        """The files named as its 自查报告 that could not be opened."""
        return [f for p in self.parts for f in p.reports]

    @property
    def needs_fix(self) -> bool:
        """Something received must be corrected or sent again."""
        return any(self.owes(p) and p.state != MISSING for p in self.parts)

    @property
    def title(self) -> str:
        if self.needs_fix:
            return FIX_NOTICE
        if self.report_missing or any(p.state == MISSING for p in self.parts):
            return REMINDER
        return CHECK_NOTICE

    @property
    def body(self) -> str:
        """The text from the addressee line on: what is pasted into an e-mail (the header is the clerk's)."""
        return body_of(self.text)

    @property
    def filename(self) -> str:
        b = self.branch
        if self.inspector:
            return f"{INSPECTOR_PREFIX}{b.id}_{b.name}_{FILE_SUFFIX[FormKind.INSPECTION]}_{FIX_NOTICE}.txt"
        return f"{b.id}_{b.name}_{self.title}.txt"


def copy_name(kind: FormKind, branch: Branch, rev: int, catalog: Catalog | None = None) -> str:
    """`NN_<党总支>_附件1_评分表_更正.xlsx`; the second correction `…_更正2.xlsx`, and so on; an inspectors'
    copy `督查_NN_<党总支>_督查评分表_更正.xlsx`."""
    prefix = INSPECTOR_PREFIX if kind is FormKind.INSPECTION else ""
    return f"{prefix}{branch.id}_{branch.name}_{file_suffix(catalog, kind)}_更正{rev if rev > 1 else ''}.xlsx"


def hint(p: Problem, campaign: Campaign) -> str:
    """What is expected, where the problem's message does not already say it."""
    unit = campaign.catalog.unit
    ref = p.field.split(" ", 1)[0]
    item = campaign.catalog.item_by_id.get(ref)
    if p.code in (Code.SCORE_BLANK, Code.SCORE_OUT_OF_RANGE, Code.INSPECTION_BLANK) and item is not None:
        return f"请填写 0 到 {item.points} 之间的数字"
    if p.code in (Code.STATUS_BLANK, Code.STATUS_INVALID):
        return "请从下拉列表中选择"
    if p.code == Code.TEXT_REQUIRED:
        if p.field.endswith(Field.ISSUES.label):
            na = campaign.catalog.na_status
            return "请写明存在的问题和整改措施" + (f"（{na}的写明原因）" if na else "")
        return "请写明具体做法和佐证材料"
    if p.code == Code.INSPECTION_SELF_CHANGED:
        return f"自评得分已锁定，请勿修改；更正表中已按该{unit}的评分表恢复"
    return ""


def is_blank_form(rec: FileRecord) -> bool:
    """A returned blank form (one `form-blank` error for the whole form)."""
    return any(p.code == Code.FORM_BLANK for p in rec.errors)


@dataclass(frozen=True)
class _Say:
    """How one notice says things: to whom (a branch, or the inspectors about one), its files' names, the
    labels of the items and tasks."""

    campaign: Campaign
    inspector: bool
    names: FileNames
    labels: dict[str, str]

    @property
    def who(self) -> str:
        return f"该{self.campaign.catalog.unit}" if self.inspector else "你单位"


def _told(p: Problem, say: _Say) -> str:
    """'评分表 E6（自评得分）：第一部分第2项（…）本项满分2分，填写的是3。请填写 0 到 2 之间的数字。': where (no cell:
    a whole-file problem, e.g. the template), what is wrong, what is expected."""
    label = p.field.split(" ", 1)[-1] if p.field else ""
    where = (f"{p.sheet} {p.cell}" + (f"（{label}）" if label else "")) if p.cell else ""
    h = hint(p, say.campaign)
    base = plain(p.message, say.labels).rstrip("。")
    stop = "" if base.endswith(("？", "！")) else "。"  # “…是否为：甲？” ends as asked, not “？。”
    said = f"{base}{stop}{h}。" if h else f"{base}{stop}"
    return f"{where}：{said}" if where else said


def _numbered(problems: list[Problem], say: _Say, start: int = 0) -> list[str]:
    """One numbered line per problem (a blank form's one `form-blank` error is said in the heading)."""
    shown = [p for p in problems if p.code != Code.FORM_BLANK]
    return [f"  {start + i + 1}. {_told(p, say)}" for i, p in enumerate(shown)]


def _asked(problems: list[Problem], say: _Say) -> list[str]:
    """The warnings the branch must act on, after the numbered errors (not marked in the copy: said here)."""
    return [f"  另请一并补正（未标红）：{_told(p, say)}" for p in problems]


def _back(inspector: bool) -> str:
    return "保存后放入收件文件夹，再运行 collect" if inspector else "保存后交回"


def _blank_lines(part: Part, say: _Say) -> tuple[str, list[str]]:
    """Every file of the part is a returned blank form: one heading, what to do, no line per cell."""
    assert part.kind is not None and part.copy is not None
    who = "" if say.inspector else "你单位"
    label = form_label(say.campaign.catalog, part.kind)
    paths = "；".join(say.names(f) for f in part.files)
    lines: list[str] = []
    for f in part.files:  # numbered across the files
        lines += _numbered(f.errors, say, start=len(lines))
    lines.append(
        f"  请在附上的“{part.copy.name}”中填写全部内容，{_back(say.inspector)}{_or_original(say.inspector)}。"
    )
    return f"{label}：{who}交回的是空白表格（文件：{paths}）", lines


def _or_original(inspector: bool) -> str:
    return "" if inspector else "（也可使用下发的原表格填写）"


def _fix_lines(part: Part, say: _Say) -> tuple[str, list[str]]:
    assert part.kind is not None and part.copy is not None
    rec = part.files[0]
    errors, asks = to_act_on(rec)
    lines = _numbered(errors, say) + _asked(asks, say)
    lines.append(
        f"  请在附上的更正表“{part.copy.name}”中修改以上单元格（已标红并附批注，其余内容已按原表填好），"
        f"{_back(say.inspector)}。"
    )
    label = form_label(say.campaign.catalog, part.kind)
    return f"{label}：需修改 {len(errors)} 处（文件：{say.names(rec)}）", lines


def _received(files: list[FileRecord], say: _Say) -> list[str]:
    """Per file: which file was received, why it could not be used, and its problems (numbered across files)."""
    lines: list[str] = []
    n = 0
    for rec in files:
        lines.append(received_line(rec, say.who, say.names.quoted(rec)))
        numbered = _numbered(rec.errors, say, start=n)
        n += len(numbered)
        lines += numbered
    return lines


def _rejected_lines(part: Part, say: _Say) -> tuple[str, list[str]]:
    assert part.kind is not None and part.copy is not None
    inspector = say.inspector
    label, copy = form_label(say.campaign.catalog, part.kind), part.copy.name
    lines = _received(part.files, say)
    newest = part.basis or part.files[-1]
    codes = {p.code for p in newest.errors}
    if is_blank_form(newest):
        lines.append(f"  请在附上的“{copy}”中填写全部内容，{_back(inspector)}{_or_original(inspector)}。")
    elif codes and codes <= _RESEND:
        lines.append(
            f"  请按以上说明处理后重新发送；如原文件已无法修复，也可改用附上的新表格“{copy}”重新填写。"
        )
    else:
        carried = "已带入原表中的填写内容，请逐项核对" if part.recovered else "请重新填写"
        back = "后放入收件文件夹，再运行 collect" if inspector else "后交回"
        lines.append(f"  {BLOCKING_HINT}“{copy}”（{carried}{back}），不要在原文件上修改。")
    return f"{label}：未能接收", lines


def _part_lines(part: Part, notice: Notice, say: _Say) -> tuple[str, list[str]] | None:
    cat = say.campaign.catalog
    f1, f2 = cat.form1.attachment, cat.form2.attachment
    if part.state in (FIX, REJECTED) and all(is_blank_form(f) for f in part.files):
        return _blank_lines(part, say)
    if part.state == FIX:
        return _fix_lines(part, say)
    if part.state == REJECTED:
        return _rejected_lines(part, say)
    if part.state == DOUBT:
        return doubt_lines(part.files[0], part.kind, notice.branch, part.current, cat, say.names.quoted)
    if part.state == UNSORTED:
        if not part.forms:
            return None  # only its 自查报告: said under 自查报告
        lines = _received(part.forms, say)
        lines.append(f"  请按以上说明处理后重新发送；{f1}、{f2} 请使用下发的原表格填写。")
        return f"收到的文件未能使用（无法判断是{f1}还是{f2}）", lines
    assert part.kind is not None
    label = form_label(cat, part.kind)
    if part.state == EXTRA:
        assert part.current is not None
        lines = _received(part.files, say)
        lines.append(
            f"  你单位的{label}目前按{say.names.quoted(part.current)}计入。"
            "如上述文件是更正后的版本，请按以上说明处理后重新发送；否则无需处理。"
        )
        return f"{label}：另收到的文件未能使用", lines
    own = form_filename(part.kind, notice.branch, cat)
    if any(p.forms for p in notice.parts):
        return f"{label}：未收到可用的表格。", [f"  请使用下发的“{own}”填写后报送。"]
    return f"{label}：未交。", [f"  请使用下发的“{own}”填写后报送。"]


def _report_lines(notice: Notice, say: _Say) -> tuple[str, list[str]] | None:
    """The 自查报告: not sent; sent but could not be opened (why, and to export it again); or a file that could
    not be opened besides the one that counts."""
    bad, ask = notice.unreadable_reports, notice.report_missing
    if not bad:
        return ("自查报告：未交。", ["  请将自查报告（Word 或 PDF）与两个附件一并报送。"]) if ask else None
    lines = []
    for rec in bad:
        problem = unreadable_report(rec)
        why = problem.value if problem is not None else rec.reason
        lines.append(unreadable_report_line(rec, say.who, why, say.names.quoted(rec), ask=ask))
    if ask:
        return "自查报告：收到的文件无法打开", lines
    lines.append(
        f"  你单位的自查报告已按另一份文件计入。如上述文件是更新后的版本，{REPORT_AGAIN}；否则无需处理。"
    )
    return "自查报告：另收到的文件无法打开", lines


def _intro(notice: Notice, as_of: dt.datetime, unit: str) -> str:
    if notice.inspector:
        return (
            f"经汇总核对，{notice.branch.name}的督查评分表有以下问题；更正之前，该{unit}的督查得分不计入汇总"
            "（不计分、不排名、不作结论）。请按要求修改："
        )
    if notice.title == FIX_NOTICE:
        return "经组织部汇总核对，你单位报送的专项督查材料有以下问题，请按要求修改后重新报送："
    if notice.title == REMINDER:
        intro = f"截至{cn_date(as_of.date())}，组织部尚未收到你单位的以下专项督查材料，请尽快报送"
        if any(not notice.owes(p) for p in notice.parts):
            return intro + "；另有收到的文件请你单位核对："
        return intro + "："
    return "经组织部汇总核对，收到的以下文件请你单位核对："


def _closing(notice: Notice, campaign: Campaign, as_of: dt.datetime) -> list[str]:
    if notice.inspector:
        return []
    to = campaign.return_to or campaign.department
    day, what = deadline(campaign, as_of.date(), fixing=notice.title != REMINDER)
    due = cn_date(day)
    if notice.title == CHECK_NOTICE:
        if as_of.date() <= day:
            return [f"    如需重新发送，请于{due}前发送至{to}。", ""]
        return [f"    如需重新发送，请尽快发送至{to}；{what}为{due}。", ""]
    if as_of.date() <= day:
        return [f"    请于{due}前发送至{to}。", ""]
    return [f"    {what}为{due}，请尽快发送至{to}。", ""]


def notice_text(notice: Notice, campaign: Campaign, as_of: dt.datetime) -> str:
    """The notice as plain text (LF line ends): to a branch, the header the clerk reads (the roster's 联系人
    and 邮箱), then the body from the addressee line on, ready to paste into an e-mail (`Notice.body`); the
    落款 dated `as_of`."""
    unit = campaign.catalog.unit
    say = _Say(campaign, notice.inspector, FileNames(named_files(notice.parts)), ref_labels(campaign.catalog))
    out: list[str] = []
    if not notice.inspector:
        fixing = [f for p in notice.parts if p.state == FIX for f in p.files]
        out += header(notice.branch, routine_count(fixing), unit)
    to = f"{campaign.department}督查组" if notice.inspector else notice.branch.name
    out += [f"{to}：", "", f"    {_intro(notice, as_of, unit)}", ""]
    sections = [s for s in (_part_lines(p, notice, say) for p in notice.parts) if s is not None]
    report = _report_lines(notice, say)
    if report is not None:
        sections.append(report)
    for i, (head, lines) in enumerate(sections):
        out.append(f"{chinese_numeral(i + 1)}、{head}")
        out.extend(lines)
        out.append("")
    out += _closing(notice, campaign, as_of)
    out += [campaign.department, cn_date(as_of.date())]
    return visible("\n".join(out) + "\n")  # a name or text with control characters shows them as symbols
