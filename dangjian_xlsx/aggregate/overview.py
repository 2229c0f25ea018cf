"""The overview: the counts shown on 总览, printed by the CLI as its closing table and written to the JSON —
one list of lines (`Overview.blocks`), so that the three say the same words and the same numbers.

Branches are counted on two partitions of the roster, each summing to 应交: 交回情况 (已交齐 / 部分未交 /
全部未交) and 材料质量 (合格 / 需修改 / 身份存疑 / 未收到). The statistics rest on the complete, valid forms only
(`Overview.basis` says how many); 最高分 / 最低分 say their basis (自评 or 督查).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from ..models import FileRecord, Outcome, Report
from .current import (
    QUALITY_DOUBT,
    QUALITY_FIX,
    QUALITY_NONE,
    QUALITY_OK,
    SUBMIT_ALL,
    SUBMIT_NONE,
    SUBMIT_PART,
    BranchFiles,
    Terms,
)
from .frames import r4
from .inspection import FLAG_INFLATED, Inspection, compare
from .scores import Scored

# Labels shared by 总览, the CLI's table and the JSON (those naming the unit or a form: `Overview.terms`'s
# words in these templates, e.g. 应交党总支, 计入统计的附件1).
L_EXPECTED = "应交{unit}"
L_SUBMIT_ALL = f"{SUBMIT_ALL}（含自查报告）"
L_SCORED = "计入统计的{form1}"
L_TASKS = "计入统计的{form2}"
L_PROVISIONAL = "待更正未计入统计"
L_AVERAGE = "全校平均分（自评）"
L_MAX = "最高分（自评）"
L_MIN = "最低分（自评）"
L_INSPECTED = "已督查（督查评分表完整有效）"
L_INSP_AVERAGE = "督查平均分"
L_INSP_MAX = "最高分（督查）"
L_INSP_MIN = "最低分（督查）"
L_INFLATED = FLAG_INFLATED
L_INSP_PENDING = "督查评分表需补全"
L_FILES = "文件总数"
L_DOUBT_FILES = "身份存疑的文件"

H_SUBMIT = "一、交回情况（按{unit}）"
H_QUALITY = "二、材料质量（按{unit}）"
H_SCORES = "三、统计依据与得分（只计完整有效的表格）"
H_FILES = "四、文件处理结果（按文件）"


@dataclass(frozen=True)
class Doubt:
    """A file held 身份存疑: the branch its identity names and the other roster branch the evidence names."""

    path: str
    inside: str
    other: str


@dataclass(frozen=True)
class Line:
    label: str
    value: object
    explain: str = ""


@dataclass(frozen=True)
class Overview:
    """The counts shown on 总览 and in the CLI's closing table."""

    expected: int  # roster size
    # 交回情况: sums to expected
    submitted_all: int
    submitted_part: int
    submitted_none: int
    # 材料质量: sums to expected
    quality_ok: int
    quality_fix: int
    quality_doubt: int
    quality_none: int
    report_branches: int  # branches with a 自查报告
    # the statistics' basis: complete valid forms counted; 暂计 forms (to correct) left out
    scored: int
    scored_provisional: int
    tasks_counted: int
    tasks_provisional: int
    files_total: int
    accepted_files: int
    warning_files: int
    needs_fix_files: int
    rejected_files: int
    doubt_files: int
    superseded_files: int
    ignored_files: int
    not_a_form_files: int
    reports: int  # 自查报告 files
    school_average: float | None  # the 自评 basis, complete valid 附件1 only
    max_total: float | None
    min_total: float | None
    inspected: int = 0  # branches with a complete, valid 督查评分表
    inspection_average: float | None = None
    insp_max_total: float | None = None
    insp_min_total: float | None = None
    inflated: int = 0  # branches flagged 自评偏高
    inspection_pending: tuple[str, ...] = ()  # branches whose 督查评分表 must be completed first
    doubts: tuple[Doubt, ...] = ()
    terms: Terms = field(default_factory=Terms)  # the round's words for the unit and the forms

    def words(self, template: str) -> str:
        """A template with the round's words: {unit}, {form1}, {form2}."""
        t = self.terms
        return template.format(unit=t.unit, form1=t.form1, form2=t.form2)

    @property
    def provisional(self) -> int:
        return self.scored_provisional + self.tasks_provisional

    @property
    def basis(self) -> str:
        """统计依据：20 份完整有效的附件1、19 份附件2（另有 2 份待更正未计入）."""
        t = self.terms
        text = f"统计依据：{self.scored} 份完整有效的{t.form1}、{self.tasks_counted} 份{t.form2}"
        return text + (f"（另有 {self.provisional} 份待更正未计入）" if self.provisional else "")

    @property
    def has_inspection(self) -> bool:
        return bool(self.inspected or self.inspection_pending)

    def blocks(self) -> list[tuple[str, list[Line]]]:
        """The lines of 总览 and of the CLI's table, under their headings."""
        return [
            (self.words(H_SUBMIT), self._submit_lines()),
            (self.words(H_QUALITY), self._quality_lines()),
            (H_SCORES, [*self._score_lines(), *self._inspection_lines()]),
            (H_FILES, self._file_lines()),
        ]

    def rows(self) -> list[tuple[str, object]]:
        """The CLI's closing table: each heading, then its lines (label, value)."""
        out: list[tuple[str, object]] = []
        for heading, lines in self.blocks():
            out.append((heading, ""))
            out.extend((line.label, _shown(line.value)) for line in lines)
        return out

    def _submit_lines(self) -> list[Line]:
        w = self.words
        return [
            Line(w(L_EXPECTED), self.expected, w("名单中的{unit}数；下面三项之和")),
            Line(
                L_SUBMIT_ALL,
                self.submitted_all,
                w("{form1}、{form2}、自查报告均已收到（含被退回、待更正或身份存疑的）"),
            ),
            Line(SUBMIT_PART, self.submitted_part, w("收到了一部分，{form1}、{form2}、自查报告中至少缺一项")),
            Line(SUBMIT_NONE, self.submitted_none, "没有收到任何文件"),
        ]

    def _quality_lines(self) -> list[Line]:
        return [
            Line(QUALITY_OK, self.quality_ok, "已收到的表格均完整有效（未交的项见上）"),
            Line(QUALITY_FIX, self.quality_fix, "有表格被退回或待更正，须按退回修改通知修改后重交"),
            Line(
                QUALITY_DOUBT,
                self.quality_doubt,
                self.words(
                    "有文件无法确定是哪个{unit}交回的：该文件不计入任何一方（各自交回的表格照常计入），请核实"
                ),
            ),
            Line(QUALITY_NONE, self.quality_none, "没有收到任何文件"),
        ]

    def _score_lines(self) -> list[Line]:
        w = self.words
        return [
            Line(w(L_SCORED), self.scored, self.basis),
            Line(w(L_TASKS), self.tasks_counted, w("完成率只按完整有效的{form2}计算")),
            Line(
                L_PROVISIONAL,
                self.provisional,
                "待更正的表格单列为“暂计”，不计入平均分、最高最低分、排名、完成率和图表",
            ),
            Line(
                L_AVERAGE, self.school_average, f"{self.scored} 份完整有效的{self.terms.form1}的自评总分平均"
            ),
            Line(L_MAX, self.max_total, "按自评总分"),
            Line(L_MIN, self.min_total, "按自评总分"),
        ]

    def _inspection_lines(self) -> list[Line]:
        if not self.has_inspection:
            return []
        pending = "、".join(self.inspection_pending)
        w = self.words
        return [
            Line(L_INSPECTED, self.inspected, w("督查排名只在这些{unit}中进行")),
            Line(L_INSP_AVERAGE, self.inspection_average, w("已督查{unit}的督查总分平均")),
            Line(L_INSP_MAX, self.insp_max_total, "按督查总分"),
            Line(L_INSP_MIN, self.insp_min_total, "按督查总分"),
            Line(L_INFLATED, self.inflated, w("自评总分比督查总分高出阈值及以上的{unit}")),
            Line(
                L_INSP_PENDING,
                len(self.inspection_pending),
                f"{L_INSP_PENDING}：{pending}（补全前不计分、不排名、不比较）"
                if pending
                else "督查评分表有空白或无效得分的，补全前不计分、不排名、不比较",
            ),
        ]

    def _file_lines(self) -> list[Line]:
        w = self.words
        return [
            Line(L_FILES, self.files_total, "收到的全部文件；下面各项之和"),
            Line(Outcome.ACCEPTED.value, self.accepted_files, ""),
            Line(Outcome.WARNINGS.value, self.warning_files, "接收，但有需核对的提醒"),
            Line(Outcome.NEEDS_FIX.value, self.needs_fix_files, "内容单列为“暂计”，不计入统计；须修改后重交"),
            Line(Outcome.REPORT.value, self.reports, "Word / PDF 自查报告"),
            Line(Outcome.REJECTED.value, self.rejected_files, "无法使用，须重新报送"),
            Line(L_DOUBT_FILES, self.doubt_files, w("无法确定是哪个{unit}交回的，不计入任何{unit}")),
            Line(Outcome.SUPERSEDED.value, self.superseded_files, w("同一{unit}交了更新的文件")),
            Line(
                Outcome.IGNORED.value,
                self.ignored_files,
                "临时文件、隐藏文件；已展开的压缩包和邮件（其中的文件各自列出）",
            ),
            Line(Outcome.NOT_A_FORM.value, self.not_a_form_files, "不是本次督查的表格或自查报告"),
        ]


def _shown(v: object) -> object:
    if v is None:
        return "—"
    return f"{v:.1f}" if isinstance(v, float) else v


def doubt_of(f: FileRecord) -> Doubt:
    inside = f.branch or (f.submission.branch if f.submission is not None else None)
    return Doubt(f.path, inside.name if inside else "", f.claimant.name if f.claimant else "")


def build_overview(
    report: Report,
    resolved: list[BranchFiles],
    scored: dict[str, Scored | None],
    inspected: dict[str, Inspection],
    tasks_counted: dict[str, bool],
) -> Overview:
    """The overview from the branches as the tables were built from them (`tasks_counted`: per branch with a
    counted 附件2 whose values were read, whether it is complete and valid)."""
    submitted = Counter(bf.submitted for bf in resolved)
    quality = Counter(bf.quality for bf in resolved)
    forms = [s for s in scored.values() if s is not None]
    totals = [s.total for s in forms if s.counted]
    margin = report.campaign.inspection_margin
    done = {name: i for name, i in inspected.items() if i.complete}
    flags = [compare(i, scored.get(name), margin).flag for name, i in done.items()]
    insp_totals = [i.total for i in done.values()]
    n = Counter(f.outcome for f in report.files)
    order = {bf.branch.name: k for k, bf in enumerate(resolved)}
    pending = sorted((name for name, i in inspected.items() if not i.complete), key=order.__getitem__)
    doubts = sorted(
        (doubt_of(f) for f in report.files if f.outcome is Outcome.IDENTITY_DOUBT), key=lambda d: d.path
    )
    return Overview(
        expected=len(resolved),
        submitted_all=submitted[SUBMIT_ALL],
        submitted_part=submitted[SUBMIT_PART],
        submitted_none=submitted[SUBMIT_NONE],
        quality_ok=quality[QUALITY_OK],
        quality_fix=quality[QUALITY_FIX],
        quality_doubt=quality[QUALITY_DOUBT],
        quality_none=quality[QUALITY_NONE],
        report_branches=sum(bool(bf.reports) for bf in resolved),
        scored=len(totals),
        scored_provisional=len(forms) - len(totals),
        tasks_counted=sum(tasks_counted.values()),
        tasks_provisional=sum(not c for c in tasks_counted.values()),
        files_total=len(report.files),
        accepted_files=n[Outcome.ACCEPTED],
        warning_files=n[Outcome.WARNINGS],
        needs_fix_files=n[Outcome.NEEDS_FIX],
        rejected_files=n[Outcome.REJECTED],
        doubt_files=n[Outcome.IDENTITY_DOUBT],
        superseded_files=n[Outcome.SUPERSEDED],
        ignored_files=n[Outcome.IGNORED],
        not_a_form_files=n[Outcome.NOT_A_FORM],
        reports=n[Outcome.REPORT],
        school_average=_mean(totals),
        max_total=max(totals) if totals else None,
        min_total=min(totals) if totals else None,
        inspected=len(done),
        inspection_average=_mean(insp_totals),
        insp_max_total=max(insp_totals) if insp_totals else None,
        insp_min_total=min(insp_totals) if insp_totals else None,
        inflated=sum(f == FLAG_INFLATED for f in flags),
        inspection_pending=tuple(pending),
        doubts=tuple(doubts),
        terms=Terms.of(report.campaign.catalog),
    )


def _mean(values: list[float]) -> float | None:
    return r4(math.fsum(values) / len(values)) if values else None
