"""What the 收件 page lists: every file of the inbox report with its outcome (coloured as the summary's 文件清单
colours it), the reason and its problems in plain words (items named as the forms show them, as `check`
prints them), the newest files first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import aggregate as ag
from ..catalog import plain, ref_labels
from ..collect import MEMBER_SEP
from ..messages import sheet_shown
from ..models import FileRecord, Outcome, Problem
from ..summary import STATUS_COLOURS

TONE_CLASS = {"red": "s-bad", "amber": "s-warn", "green": "s-ok", "grey": "s-none"}
# red in the summary too, but told apart on the page: received, to be corrected (not missing, not refused)
FIX_WORDS = frozenset({Outcome.NEEDS_FIX.value, ag.SUB_FIX, ag.QUALITY_FIX})


def tone_class(word: str) -> str:
    """The page's status class of a status word, by the summary's colour of it (uncoloured: grey); the words
    of what must be corrected in their own shade of red."""
    if word in FIX_WORDS:
        return "s-fix"
    return TONE_CLASS.get(STATUS_COLOURS.get(word, "grey"), "s-none")


@dataclass(frozen=True)
class ProblemLine:
    severity: str
    where: str
    text: str


@dataclass(frozen=True)
class FileRow:
    """One file of the inbox as the page shows it; `top` is the file in 收件/ it is (or is inside of)."""

    path: str
    top: str
    member: bool
    outcome: str
    tone: str
    reason: str
    problems: list[ProblemLine]
    mtime: float


def problem_line(p: Problem, labels: dict[str, str]) -> ProblemLine:
    where = " ".join(x for x in (sheet_shown(p.sheet), p.cell) if x)
    return ProblemLine(p.severity.value, where, plain(p.message, labels))


def file_row(rec: FileRecord, top: str, inbox: Path, labels: dict[str, str]) -> FileRow:
    try:
        mtime = (inbox / top).stat().st_mtime
    except OSError:
        mtime = 0.0
    outcome = rec.outcome.value
    return FileRow(
        path=rec.path,
        top=top,
        member=MEMBER_SEP in rec.path,
        outcome=outcome,
        tone=tone_class(outcome),
        reason=rec.reason,
        problems=[problem_line(p, labels) for p in rec.problems],
        mtime=mtime,
    )


def tops(files: list[FileRecord], inbox: Path) -> list[str]:
    """Per file, the file of the inbox it is or is inside of: a zip's member is named after the zip
    (`材料.zip › 成员`), an e-mail's after its subject (`主题 › 附件`), so a member whose first part is no file
    belongs to the container collect listed last before it."""
    out: list[str] = []
    container = ""
    for rec in files:
        first = rec.path.split(MEMBER_SEP, 1)[0]
        if MEMBER_SEP not in rec.path:
            container = first
        out.append(first if MEMBER_SEP not in rec.path or (inbox / first).is_file() else container)
    return out


def file_rows(report: Any, inbox: Path) -> list[FileRow]:
    """The report's files, the most recently stored first (a container's members right after it)."""
    labels = ref_labels(report.campaign.catalog)
    rows = [
        file_row(rec, top, inbox, labels)
        for rec, top in zip(report.files, tops(report.files, inbox), strict=True)
    ]
    return sorted(rows, key=lambda r: (-r.mtime, r.top, r.member, r.path))


def outcome_counts(rows: list[FileRow]) -> list[tuple[str, int, str]]:
    """(outcome, how many files, class) for the outcomes present, in the order of the enum's values."""
    counts = Counter(r.outcome for r in rows)
    return [(o.value, counts[o.value], tone_class(o.value)) for o in Outcome if counts[o.value]]
