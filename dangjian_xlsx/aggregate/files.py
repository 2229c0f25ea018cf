"""The files and problems tables: every file record and every problem, sorted by path."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..models import FileRecord, Outcome, Severity
from .current import form_kind
from .frames import frame, int_col


def _fmt_dt(v: dt.datetime | None) -> str:
    return v.strftime("%Y-%m-%d %H:%M:%S") if v is not None else ""


def kind_label(f: FileRecord) -> str:
    if f.outcome is Outcome.REPORT:
        return "自查报告"
    k = form_kind(f)
    return k.label if k is not None else ""


def files_and_problems(records: list[FileRecord]) -> tuple[pd.DataFrame, pd.DataFrame]:
    file_rows, problem_rows = [], []
    for f in sorted(records, key=lambda f: f.path):
        b = f.branch or (f.submission.branch if f.submission is not None else None)
        name = b.name if b is not None else ""
        bid = b.id if b is not None else ""
        errors = sum(1 for p in f.problems if p.severity is Severity.ERROR)
        file_rows.append(
            [
                f.path,
                f.size,
                kind_label(f),
                bid,
                name,
                f.outcome.value,
                f.reason,
                errors,
                len(f.problems) - errors,
                _fmt_dt(f.saved_at),
                f.sha256,
            ]
        )
        for p in f.problems:
            problem_rows.append(
                [
                    p.file or f.path,
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
        ],
    )
    for c in ("size", "errors", "warnings"):
        int_col(files, c)
    problems = frame(
        problem_rows,
        ["file", "branch_id", "branch", "sheet", "cell", "field", "severity", "code", "message", "value"],
    )
    return files, problems
