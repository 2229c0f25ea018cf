"""Resolve duplicates: per 党总支 and form the newest accepted file counts, older copies are superseded.

SPEC §4: "several accepted files for the same 党总支 and form → the newest wins (by the fill date, then the
file's own saved-at time, then name), the others are listed as superseded". Names are compared naturally on
the file stem, so the mail client's copies `附件1(2).xlsx` > `附件1(1).xlsx` > `附件1.xlsx`. Before the name,
a corrected copy (退回修改: its 更正版次 is stamped in the metadata) beats the copy it corrects, whose fill date
it keeps.
自查报告 have no fill date: the newest by modification time, then name, wins.
A rejected file is never superseded: it stays rejected (aggregate decides what the branch still owes).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ..messages import Code, render
from ..models import FileRecord, FormKind, Outcome

COUNTED = frozenset({Outcome.ACCEPTED, Outcome.WARNINGS, Outcome.NEEDS_FIX})
_DIGITS = re.compile(r"(\d+)")
_SUFFIX = re.compile(r"\.[^./]*$")


def natural_key(name: str) -> tuple[Any, ...]:
    """'附件1(10)' sorts after '附件1(9)', and '附件1(1)' after '附件1'."""
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(name))


def _stem(path: str) -> str:
    return _SUFFIX.sub("", path.rsplit("/", 1)[-1])


def _saved(f: FileRecord) -> dt.datetime:
    if f.saved_at is None:
        return dt.datetime.min
    return (
        f.saved_at.replace(tzinfo=None)
        if f.saved_at.tzinfo is None
        else f.saved_at.astimezone(dt.UTC).replace(tzinfo=None)
    )


def form_key(f: FileRecord) -> tuple[Any, ...]:
    """Which form file counts, larger = newer: fill date, then saved-at, then 更正版次, then the natural file
    name, then the full path. The one order for forms: resolving here, the current file in aggregate, the
    rejected file a corrected copy is built from (round)."""
    sub = f.submission
    fill = sub.fill_date if sub is not None and sub.fill_date is not None else dt.date.min
    return (fill, _saved(f), _revision(f), natural_key(_stem(f.path)), f.path)


def _revision(f: FileRecord) -> int:
    return f.submission.revision if f.submission is not None else 0


def report_key(f: FileRecord) -> tuple[Any, ...]:
    """Which 自查报告 counts, larger = newer: modification time, then the natural file name, then the path."""
    return (f.mtime, natural_key(_stem(f.path)), f.path)


def _why(newer: FileRecord, older: FileRecord, is_form: bool) -> str:
    """Chinese reason why `newer` replaced `older`."""
    if newer.sha256 and newer.sha256 == older.sha256:
        return "两份文件内容完全相同"
    if is_form:
        nd = newer.submission.fill_date if newer.submission is not None else None
        od = older.submission.fill_date if older.submission is not None else None
        if nd != od and nd is not None:
            return f"填报日期较新：{nd.isoformat()}，本文件为{od.isoformat() if od else '未填写'}"
        if newer.saved_at != older.saved_at and newer.saved_at is not None:
            old = _fmt_dt(older.saved_at) if older.saved_at else "无"
            return f"保存时间较新：{_fmt_dt(newer.saved_at)}，本文件为{old}"
        if _revision(newer) != _revision(older):
            return f"是退回修改后的更正表（第{_revision(newer)}次更正）"
        return "填报日期和保存时间相同，按文件名取排在后面的一份"
    if newer.mtime != older.mtime:
        return "文件修改时间较新"
    return "按文件名取排在后面的一份"


def _fmt_dt(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def resolve(records: Iterable[FileRecord]) -> list[FileRecord]:
    """Mark older duplicates SUPERSEDED in place (with a 'superseded' problem); returns the records."""
    records = list(records)
    groups: dict[tuple[str, FormKind | None, bool], list[FileRecord]] = defaultdict(list)
    for f in records:
        if f.branch is None:
            continue
        if f.outcome in COUNTED and f.kind is not None:
            groups[(f.branch.name, f.kind, True)].append(f)
        elif f.outcome is Outcome.REPORT:
            groups[(f.branch.name, None, False)].append(f)
    for (_, _, is_form), group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=form_key if is_form else report_key, reverse=True)
        newest = group[0]
        for old in group[1:]:
            why = _why(newest, old, is_form)
            old.outcome = Outcome.SUPERSEDED
            old.reason = f"已被“{newest.path}”替代"
            old.problems.append(render(Code.SUPERSEDED, file=old.path, newer=newest.path, reason=why))
    return records
