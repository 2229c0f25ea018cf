"""What the 督查 page shows, built from the inbox's report and the round folder: which branches can have a
督查评分表 (their 附件1 accepted), the forms in 督查评分表/, the 督查评分表 files collected from 收件/ with their
outcomes, the 自评与督查对比 rows as the aggregate stage computes them, and the one next step."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .. import aggregate as ag
from ..catalog import plain, ref_labels
from ..collect import MEMBER_SEP
from ..forms import form_filename
from ..models import FileRecord, FormKind, Outcome, Report
from .folder import RoundFolder
from .summary_files import written

TONES = {
    Outcome.ACCEPTED: "s-ok",
    Outcome.WARNINGS: "s-warn",
    Outcome.NEEDS_FIX: "s-fix",
    Outcome.REJECTED: "s-bad",
    Outcome.IDENTITY_DOUBT: "s-bad",
}
NOT_RETURNED = "未收回"


@dataclass(frozen=True)
class FormRow:
    """One branch's 督查评分表 in 督查评分表/ (name empty: none generated yet) and where its inspection is."""

    seq: int
    branch: str
    name: str
    status: str
    tone: str


@dataclass(frozen=True)
class FileRow:
    """A 督查评分表 read from 收件/: its outcome and why."""

    path: str
    branch: str
    outcome: str
    tone: str
    reasons: list[str]
    uploaded: bool
    counts: bool


@dataclass(frozen=True)
class Next:
    """The page's one next step: what to do, and the button (`action`: a form posting there) or link."""

    text: str
    label: str = ""
    href: str = ""
    action: str = ""


@dataclass
class InspectionView:
    unit: str
    form1: str
    margin: float
    eligible: int
    forms: list[FormRow]
    others: list[str]
    files: list[FileRow]
    branches: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    next: Next = field(default_factory=lambda: Next(""))
    stale: bool = False

    @property
    def generated(self) -> int:
        return sum(1 for f in self.forms if f.name)


def num(value: Any) -> str:
    """A score as the summary shows it: 83.5, 75 (no .0), blank for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def is_inspection(f: FileRecord) -> bool:
    kind = f.kind or (f.submission.kind if f.submission is not None else None)
    return kind is FormKind.INSPECTION


def eligible_branches(report: Report) -> list[str]:
    """The branches whose 附件1 counts (read): those `inspect` writes a 督查评分表 for, in roster order."""
    out = []
    for bf in ag.branch_files(report):
        form1 = bf.forms[FormKind.SCORING].current
        if form1 is not None and form1.submission is not None:
            out.append(bf.branch.name)
    return out


def form_rows(folder: RoundFolder, report: Report, tables: ag.Tables) -> tuple[list[FormRow], list[str]]:
    """Per roster branch with a 督查评分表 in 督查评分表/ or an accepted 附件1: the file and the inspection's
    state; and the other .xlsx files in that folder (of branches no longer on the roster)."""
    try:
        present = {p.name for p in folder.inspection_dir.iterdir() if p.is_file() and p.suffix == ".xlsx"}
    except OSError:
        present = set()
    eligible = set(eligible_branches(report))
    status = {b: (s, f) for b, s, f in ag.rows(tables.inspection, ("branch", "insp_status", "flag"))}
    catalog = report.campaign.catalog
    rows, mine = [], set()
    for b in report.campaign.roster:
        name = form_filename(FormKind.INSPECTION, b, catalog)
        if name not in present and b.name not in eligible:
            continue
        mine.add(name)
        shown, flag = status.get(b.name, (NOT_RETURNED, ""))
        tone = "s-none" if shown == NOT_RETURNED else "s-warn" if flag or shown != ag.INSP_DONE else "s-ok"
        label = shown + (f"（{flag}）" if flag else "")
        rows.append(FormRow(b.seq, b.name, name if name in present else "", label, tone))
    return rows, sorted(present - mine)


def is_uploaded(path: str, uploaded: set[str]) -> bool:
    """`path` (as the report names it) is one of the stored uploads, or a member of an uploaded zip or e-mail."""
    return path in uploaded or path.split(MEMBER_SEP, 1)[0] in uploaded


def file_rows(report: Report, uploaded: set[str]) -> list[FileRow]:
    """Every 督查评分表 read from 收件/ (the uploaded ones first), with its outcome, its reasons and whether it
    is the one that counts for its branch."""
    counted = {f.path for f in ag.current_inspections(report).values()}
    labels = ref_labels(report.campaign.catalog)
    rows = []
    for f in report.files:
        just = is_uploaded(f.path, uploaded)
        if not is_inspection(f) and not just:
            continue
        reasons = [plain(p.message, labels) for p in f.problems] or ([f.reason] if f.reason else [])
        branch = f.branch or (f.submission.branch if f.submission is not None else None)
        rows.append(
            FileRow(
                f.path,
                branch.name if branch is not None else "",
                f.outcome.value,
                TONES.get(f.outcome, "s-none"),
                reasons,
                just,
                f.path in counted,
            )
        )
    rows.sort(key=lambda r: (not r.uploaded, r.path))
    return rows


def records(df: Any, columns: list[str]) -> list[dict[str, Any]]:
    return [dict(zip(columns, values, strict=True)) for values in ag.rows(df, columns)]


def comparison(report: Report, tables: ag.Tables) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The summary's 自评与督查对比 rows, in the aggregate stage's order, each value formatted for the page."""
    labels = ref_labels(report.campaign.catalog)
    branches = []
    for r in records(tables.inspection, ag.INSPECTION_BRANCH_COLUMNS):
        shown = {
            k: num(r[k]) for k in ("self_total", "insp_total", "diff", "insp_rank", "n_diff", "n_higher")
        }
        branches.append({**r, **shown, "missing": num(r["insp_missing"]), "raw_diff": r["diff"]})
    items = []
    for r in records(tables.inspection_items, ag.INSPECTION_ITEM_COLUMNS):
        shown = {k: num(r[k]) for k in ("points", "self_score", "insp_score", "diff")}
        items.append({**r, **shown, "label": labels.get(r["item_id"], r["item_id"]), "raw_diff": r["diff"]})
    return branches, items


def next_step(view: InspectionView, eligible: list[str]) -> Next:
    """The one thing to do now, in the order of the round: an accepted 附件1, the forms, the filled forms back,
    the ones to complete, then the summary."""
    unit, form1 = view.unit, view.form1
    if not eligible:
        return Next(
            f"还没有已接收的{form1}评分表：督查评分表按各{unit}已接收的{form1}生成。"
            f"请先到“收件”上传各{unit}交回的表格。",
            "去收件",
            href="/inbox",
        )
    missing = [f.branch for f in view.forms if not f.name]
    if missing:
        return Next(
            f"{len(eligible)} 个{unit}的{form1}已接收，其中 {len(missing)} 个还没有督查评分表"
            f"（{'、'.join(missing[:5])}{'等' if len(missing) > 5 else ''}）：请生成督查评分表。",
            "生成督查评分表",
            action="/inspection/generate",
        )
    if not view.branches:
        return Next(
            "督查评分表已生成：下载后交督查组填写督查得分和督查意见，填好后在下方“上传填好的督查评分表”中上传。",
            "去上传",
            href="#upload",
        )
    if view.stale:
        return Next(
            "收件中的督查评分表还没有写进汇总表：请重新汇总（汇总表、退回修改和反馈表一并更新）。",
            "重新汇总",
            action="/inspection/collect",
        )
    if view.pending:
        return Next(
            f"{len(view.pending)} 份督查评分表需要补全（{'、'.join(view.pending)}）：补全前不计督查总分、"
            "不排名、不比较。更正通知和更正表在“退回修改”页，补全后在下方上传。",
            "去退回修改",
            href="/corrections",
        )
    return Next(
        f"已汇总 {len(view.branches)} 份督查评分表，对比见下方。汇总表已增加督查总分和“自评与督查对比”，可到“汇总”页下载。",
        "去汇总",
        href="/summary",
    )


def build_view(folder: RoundFolder, report: Report, uploaded: set[str]) -> InspectionView:
    """Everything the 督查 page shows, from the report (the tables computed once, by the aggregate stage)."""
    tables, _ = ag.tables_and_overview(report)
    terms = ag.Terms.of(report.campaign.catalog)
    eligible = eligible_branches(report)
    forms, others = form_rows(folder, report, tables)
    view = InspectionView(
        terms.unit, terms.form1, report.campaign.inspection_margin, len(eligible), forms, others,
        file_rows(report, uploaded),
    )  # fmt: skip
    view.branches, view.items = comparison(report, tables)
    view.flagged = [r["branch"] for r in view.branches if r["flag"] == ag.FLAG_INFLATED]
    view.pending = [r["branch"] for r in view.branches if str(r["insp_status"]).startswith(ag.INSP_PENDING)]
    view.stale = bool(view.files) and not written(folder, report).current
    view.next = next_step(view, eligible)
    return view
