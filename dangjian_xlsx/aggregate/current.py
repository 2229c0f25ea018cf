"""Which file counts: per roster branch and form, the current submission and the rejected attempts."""

from __future__ import annotations

from dataclasses import dataclass

from ..collect import COUNTED, form_key, unreadable_report
from ..layout import labelled
from ..models import DEFAULT_UNIT, Branch, Catalog, FileRecord, FormKind, Outcome, Report, Submission


@dataclass(frozen=True)
class Terms:
    """What this round's texts call the unit that fills the forms (党总支, 党支部 …) and the two forms
    (their attachment labels, 附件1 / 附件2 in the built-in forms): the catalog's words, which every summary
    sheet, notice, feedback workbook and console line uses. A branch's own name is never rewritten."""

    unit: str = DEFAULT_UNIT
    form1: str = "附件1"
    form2: str = "附件2"

    @classmethod
    def of(cls, catalog: Catalog) -> Terms:
        return cls(catalog.unit, catalog.form1.attachment, catalog.form2.attachment)

    def attachment(self, kind: FormKind) -> str:
        return self.form2 if kind is FormKind.TASKS else self.form1

    def label(self, kind: FormKind) -> str:
        """附件1 评分表, 附件2 重点任务清单, 督查评分表: the form's attachment label and its sheet's name."""
        return labelled(kind, self.attachment(kind))


# Status of one form of one branch (提交情况).
SUB_OK = "已交"
SUB_WARN = "有警告"
SUB_FIX = "需退回修改"
SUB_MISSING = "未交"
SUB_DOUBT = "身份存疑"  # nothing counts for the form, but a file held 身份存疑 names the branch
# The two partitions of the roster (each branch is in exactly one word of each; each sums to 应交).
# 交回情况: whether 附件1, 附件2 and the 自查报告 have arrived (a file held 身份存疑 or rejected has arrived).
SUBMIT_ALL = "已交齐"
SUBMIT_PART = "部分未交"
SUBMIT_NONE = "全部未交"
SUBMIT_WORDS = (SUBMIT_ALL, SUBMIT_PART, SUBMIT_NONE)
# 材料质量: whether what arrived can be used (身份存疑 first: the clerk must decide whose file it is).
QUALITY_OK = "合格"
QUALITY_FIX = "需修改"
QUALITY_DOUBT = "身份存疑"
QUALITY_NONE = "未收到"
QUALITY_WORDS = (QUALITY_OK, QUALITY_FIX, QUALITY_DOUBT, QUALITY_NONE)
# A counted form that must be corrected: shown, but kept out of every statistic.
PROVISIONAL = "暂计"


def provisional(problems: int) -> str:
    """The status of a counted form kept out of the statistics until corrected: 暂计（待更正，N 处问题）."""
    return f"{PROVISIONAL}（待更正，{problems} 处问题）"


FORMS = (FormKind.SCORING, FormKind.TASKS)


@dataclass(slots=True)
class Slot:
    """One form of one branch: the submission that counts, and rejected attempts."""

    current: FileRecord | None = None
    rejected: tuple[FileRecord, ...] = ()

    @property
    def submission(self) -> Submission | None:
        return self.current.submission if self.current is not None else None

    @property
    def status(self) -> str:
        if self.current is not None:
            if self.current.outcome is Outcome.NEEDS_FIX:
                return SUB_FIX
            return SUB_WARN if self.current.outcome is Outcome.WARNINGS else SUB_OK
        return SUB_FIX if self.rejected else SUB_MISSING

    @property
    def files(self) -> str:
        """The file that counts, else the rejected ones."""
        if self.current is not None:
            return self.current.path
        return "；".join(f.path for f in self.rejected)


@dataclass(slots=True)
class BranchFiles:
    """A roster branch's files (`branch_files`). A province's round keeps one per branch while its outputs are
    written: slots, and a file list an empty tuple (one for all) until the branch has such a file."""

    branch: Branch
    forms: dict[FormKind, Slot]
    reports: tuple[FileRecord, ...] = ()
    any_file: bool = False
    errors: int = 0
    # files held 身份存疑 that name this branch, as the form's identity or as the claimant (file/folder name)
    doubts: tuple[FileRecord, ...] = ()
    # rejected files attributed to this branch (by name or visible cell) whose form could not be told, and
    # its 自查报告 that could not be opened (`unreadable_reports`: the 自查报告's part of its notice)
    unsorted: tuple[FileRecord, ...] = ()

    @property
    def unreadable_reports(self) -> list[FileRecord]:
        """The files named as its 自查报告 that could not be opened ('report-unreadable')."""
        return [f for f in self.unsorted if unreadable_report(f) is not None]

    @property
    def unsorted_forms(self) -> list[FileRecord]:
        """The rejected files whose form could not be told (not its 自查报告)."""
        return [f for f in self.unsorted if unreadable_report(f) is None]

    def doubts_of(self, kind: FormKind) -> list[FileRecord]:
        """The files held 身份存疑 that name this branch and are of this form."""
        return [f for f in self.doubts if form_kind(f) is kind]

    def form_status(self, kind: FormKind) -> str:
        """The slot's status; 身份存疑 instead of 未交 when only a file in doubt names the branch."""
        status = self.forms[kind].status
        return SUB_DOUBT if status == SUB_MISSING and self.doubts_of(kind) else status

    @property
    def branch_doubts(self) -> list[FileRecord]:
        """The files in doubt that the branch may have sent (not 组织部's 督查评分表)."""
        return [f for f in self.doubts if form_kind(f) is not FormKind.INSPECTION]

    @property
    def submitted(self) -> str:
        """交回情况: 已交齐 (附件1, 附件2 and 自查报告 arrived), 部分未交 or 全部未交."""
        arrived = [self.form_status(k) != SUB_MISSING for k in FORMS] + [self.report_status != SUB_MISSING]
        if all(arrived):
            return SUBMIT_ALL
        if any(arrived) or self.unsorted or self.branch_doubts:
            return SUBMIT_PART
        return SUBMIT_NONE

    @property
    def quality(self) -> str:
        """材料质量: 身份存疑 (a file naming it is in doubt), 需修改, 合格 (all that arrived is usable), 未收到."""
        if self.branch_doubts:
            return QUALITY_DOUBT
        statuses = [self.forms[k].status for k in FORMS] + [self.report_status]
        if SUB_FIX in statuses or (self.unsorted_forms and SUB_MISSING in statuses[: len(FORMS)]):
            return QUALITY_FIX
        if self.submitted != SUBMIT_NONE:
            return QUALITY_OK
        return QUALITY_NONE

    @property
    def report_status(self) -> str:
        """已交; 需退回修改 when only a 自查报告 that could not be opened came; 未交."""
        if self.reports:
            return SUB_OK
        return SUB_FIX if self.unreadable_reports else SUB_MISSING

    @property
    def report_files(self) -> str:
        """The 自查报告 that count, else those that could not be opened."""
        return "；".join(f.path for f in (self.reports or self.unreadable_reports))


def form_kind(f: FileRecord) -> FormKind | None:
    if f.kind is not None:
        return f.kind
    return f.submission.kind if f.submission is not None else None


def branch_files(report: Report) -> list[BranchFiles]:
    """Per roster branch (in roster order) and form: the current counted file and the rejected attempts.

    Superseded files never count. Should collect leave several counted files for one form, the newest by
    collect's order (`collect.form_key`) wins, as collect itself would have chosen.
    """
    by_name = {
        b.name: BranchFiles(b, {k: Slot() for k in FORMS}) for b in sorted(report.campaign.roster, key=_seq)
    }
    for f in sorted(report.files, key=lambda f: f.path):
        if f.outcome is Outcome.IDENTITY_DOUBT:
            for named in {x.name for x in (f.branch, f.claimant) if x is not None}:
                if named in by_name:
                    by_name[named].doubts += (f,)
            continue
        b = f.branch or (f.submission.branch if f.submission is not None else None)
        bf = by_name.get(b.name) if b is not None else None
        if bf is None:
            continue
        bf.any_file = True
        if f.outcome is Outcome.REPORT:
            bf.reports += (f,)
            continue
        kind = form_kind(f)
        if kind not in bf.forms:
            if kind is None and f.outcome is Outcome.REJECTED:
                bf.unsorted += (f,)
            continue
        slot = bf.forms[kind]
        if f.outcome in COUNTED:
            if slot.current is None or form_key(f) > form_key(slot.current):
                slot.current = f
        elif f.outcome is Outcome.REJECTED:
            slot.rejected += (f,)
    for bf in by_name.values():
        for slot in bf.forms.values():
            counted = [slot.current] if slot.current is not None else slot.rejected
            bf.errors += sum(len(f.errors) for f in counted)
    return list(by_name.values())


def _seq(b: Branch) -> tuple[int, str]:
    return (b.seq, b.name)


def current_inspections(report: Report) -> dict[str, FileRecord]:
    """Per branch name: the counted 督查评分表 (the newest, should collect leave several)."""
    out: dict[str, FileRecord] = {}
    for f in report.files:
        if form_kind(f) is not FormKind.INSPECTION or f.outcome not in COUNTED or f.submission is None:
            continue
        name = (f.branch or f.submission.branch).name
        cur = out.get(name)
        if cur is None or form_key(f) > form_key(cur):
            out[name] = f
    return out
