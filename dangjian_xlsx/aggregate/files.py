"""The files and problems tables: every file record and every problem, those held 身份存疑 first, then by path."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..collect import unreadable_report
from ..messages import Code, render
from ..models import FileRecord, Outcome, Problem, Severity
from .current import Terms, form_kind
from .frames import frame, int_col
from .packedtext import PackedText

# the files table's columns of a text per file (its path, when it was saved, its digest): kept packed, so that the
# processes writing the tables at once do not both touch a string of each file (the other columns repeat few texts)
_PACKED = ("path", "saved_at", "sha256")


def _fmt_dt(v: dt.datetime | None) -> str:
    return v.strftime("%Y-%m-%d %H:%M:%S") if v is not None else ""


def kind_label(f: FileRecord, terms: Terms) -> str:
    if f.outcome is Outcome.REPORT or unreadable_report(f) is not None:
        return "自查报告"
    k = form_kind(f)
    return terms.label(k) if k is not None else ""


def _doubt_first(f: FileRecord) -> tuple[bool, str]:
    return (f.outcome is not Outcome.IDENTITY_DOUBT, f.path)


def problems_of(f: FileRecord, unit: str) -> list[Problem]:
    """The file's problems; a file held 身份存疑 that carries no problem saying so gets one, naming both
    branches (it must never be listed without the reason)."""
    if f.outcome is not Outcome.IDENTITY_DOUBT or any(
        p.code == Code.IDENTITY_DOUBT.value for p in f.problems
    ):
        return f.problems
    inside = f.branch or (f.submission.branch if f.submission is not None else None)
    doubt = render(
        Code.IDENTITY_DOUBT,
        file=f.path,
        expected=inside.name if inside is not None else "",
        evidence="文件名或文件夹名",
        value=f.claimant.name if f.claimant is not None else "",
        unit=unit,
    )
    return [doubt, *f.problems]


def files_and_problems(records: list[FileRecord], terms: Terms) -> tuple[pd.DataFrame, pd.DataFrame]:
    file_rows, problem_rows = [], []
    for f in sorted(records, key=_doubt_first):
        b = f.branch or (f.submission.branch if f.submission is not None else None)
        name = b.name if b is not None else ""
        bid = b.id if b is not None else ""
        problems = problems_of(f, terms.unit)
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        file_rows.append(
            [
                f.path,
                f.size,
                kind_label(f, terms),
                bid,
                name,
                f.outcome.value,
                f.reason,
                errors,
                len(problems) - errors,
                _fmt_dt(f.saved_at),
                f.sha256,
                f.claimant.name if f.claimant is not None else "",
            ]
        )
        for p in problems:
            problem_rows.append(
                [
                    p.file or f.path,
                    f.outcome.value,
                    bid,
                    name,
                    p.sheet,
                    p.cell,
                    p.field,
                    p.severity.value,
                    p.code,
                    p.message,
                    p.value,
                ]
            )
    files = frame(
        file_rows,
        [
            "path",
            "size",
            "kind",
            "branch_id",
            "branch",
            "outcome",
            "reason",
            "errors",
            "warnings",
            "saved_at",
            "sha256",
            "claimant",
        ],
    )
    for c in ("size", "errors", "warnings"):
        int_col(files, c)
    for c in _PACKED:  # a text per file: packed (one string for the column), not a string per row
        files[c] = pd.Series(PackedText.pack(files[c].tolist()), index=files.index)
    problems = frame(
        problem_rows,
        [
            "file",
            "outcome",
            "branch_id",
            "branch",
            "sheet",
            "cell",
            "field",
            "severity",
            "code",
            "message",
            "value",
        ],
    )
    return files, problems
