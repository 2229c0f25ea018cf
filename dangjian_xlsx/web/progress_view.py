"""What the 提交进度 page shows: per roster branch the status of 附件1, 附件2 and the 自查报告 (the words and
colours of the summary's 提交情况 sheet), the branches still owing something and those that must correct, each
with the notice the round writes for it (`round.plan`: 未交提醒 / 退回修改通知 / 核对通知), whose text is
what 复制提醒 copies."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from .. import aggregate as ag
from ..models import FormKind
from ..round import Notice, inbox_loader, plan
from .inbox_view import tone_class

FORMS = (FormKind.SCORING, FormKind.TASKS)


@dataclass(frozen=True)
class Cell:
    word: str
    tone: str


@dataclass(frozen=True)
class BranchRow:
    """One roster branch: its cells (附件1, 附件2, 自查报告), 交回情况 and 材料质量, contact and its notice."""

    seq: int
    name: str
    contact: str
    email: str
    cells: list[Cell]
    submitted: Cell
    quality: Cell
    missing: list[str]
    notice_title: str
    notice: str


@dataclass(frozen=True)
class Progress:
    headers: list[str]
    rows: list[BranchRow]
    counts: list[tuple[str, int, str]]
    owing: list[BranchRow]  # 未交: something still missing
    fixing: list[BranchRow]  # 需退回修改: something received must be corrected or sent again
    doubt: list[BranchRow]  # 身份存疑: a file naming it must be checked

    @property
    def nothing_yet(self) -> bool:
        """No branch has sent anything yet."""
        return all(r.submitted.word == ag.SUBMIT_NONE for r in self.rows)


def cell(word: str) -> Cell:
    return Cell(word, tone_class(word))


def branch_row(bf: ag.BranchFiles, terms: ag.Terms, notice: Notice | None) -> BranchRow:
    words = [bf.form_status(k) for k in FORMS] + [bf.report_status]
    labels = [terms.label(k) for k in FORMS] + ["自查报告"]
    b = bf.branch
    return BranchRow(
        seq=b.seq,
        name=b.name,
        contact=b.contact,
        email=b.email,
        cells=[cell(w) for w in words],
        submitted=cell(bf.submitted),
        quality=cell(bf.quality),
        missing=[label for label, w in zip(labels, words, strict=True) if w == ag.SUB_MISSING],
        notice_title=notice.title if notice is not None else "",
        notice=notice.body if notice is not None else "",
    )


def needs_fixing(row: BranchRow) -> bool:
    """In the 需退回修改 list: its 材料质量 is 需修改, or any of its files is 需退回修改 in the grid — also when its
    材料质量 says 身份存疑 first (a file naming it must be checked, and something of its own must be corrected too)."""
    return bool(row.notice) and (
        row.quality.word == ag.QUALITY_FIX or any(c.word == ag.SUB_FIX for c in row.cells)
    )


def progress(report: Any) -> Progress:
    """The grid and the lists of `report` (the notices as the last collect wrote them, from the same report)."""
    terms = ag.Terms.of(report.campaign.catalog)
    branches = ag.branch_files(report)
    notices = {n.branch.name: n for n in plan(report, inbox_loader(report), branches) if not n.inspector}
    rows = [branch_row(bf, terms, notices.get(bf.branch.name)) for bf in branches]
    words = [*ag.SUBMIT_WORDS, ag.QUALITY_OK, ag.QUALITY_FIX, ag.QUALITY_DOUBT]
    counts = [(w, sum(w in (r.submitted.word, r.quality.word) for r in rows), tone_class(w)) for w in words]
    return Progress(
        headers=[terms.attachment(k) for k in FORMS] + ["自查报告"],
        rows=rows,
        counts=counts,
        owing=[r for r in rows if r.submitted.word != ag.SUBMIT_ALL and r.notice],
        fixing=[r for r in rows if needs_fixing(r)],
        doubt=[r for r in rows if r.quality.word == ag.QUALITY_DOUBT and r.notice],
    )


def digest(signature: object) -> str:
    """A short mark of the inbox's state: the page reloads its grid when it changes."""
    return hashlib.sha256(repr(signature).encode()).hexdigest()[:16]
