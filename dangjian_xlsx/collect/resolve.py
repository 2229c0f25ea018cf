"""Resolve duplicates: per 党总支 and form the file the branch sent last counts, older copies are superseded.

SPEC §4: "several accepted files for the same 党总支 and form → the one the branch sent last counts (a
corrected copy's 更正版次, the file's own saved-at time, the fill date — when they disagree, a warning says
which file was taken and why), the others are listed as superseded". The order (`form_key`, larger =
newer): the 更正版次 stamped in a corrected copy (退回修改), then the workbook's saved-at time (docProps; a
file without one sorts by the other signals), then the fill date, then the natural file name (the mail
client's copies `附件1(2).xlsx` > `附件1(1).xlsx` > `附件1.xlsx`), then the path. The fill date comes last
of the three because a branch that corrects a file sets it back to the real fill date as often as forward.
A fill date after the day of the run (and the day after) is a typo (2052 for 2025): it counts as no fill date
in the order, and the messages that compare fill dates say so.
When a later signal points the other way between the file taken and a file it supersedes (the taken one
has the earlier fill date, or the earlier saved-at but the higher 更正版次), the file taken gets an
'order-disagrees' warning saying which file was taken and why.

Two counted files for one branch and form whose contents differ substantially — CONTENT_DIFFERS_CELLS
cells or more, or (for a sparsely filled form) CONTENT_DIFFERS_SHARE of the filled cells, at least two,
counting scores, 扣分说明, statuses and texts, but not the items the older file had problems on (changing
those is the correction that was asked for) — give the file taken a 'content-differs' warning naming the
other: they may not both be the branch's own. The file taken is compared with the one it replaced (the
newest of the others with other bytes), so a branch's third version brings one warning, not two.

自查报告 have no fill date: the newest by modification time, then name, wins; a 自查报告 that could not be
opened ('report-unreadable') is superseded by its branch's 自查报告 that arrived no earlier, like a rejected form.
Only counted files are grouped. A rejected file is superseded by the counted file of its branch and form
when that one arrived no earlier (the branch sent a usable file after it); otherwise it stays rejected. A
file held 身份存疑 is never superseded and never supersedes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

from ..messages import Code, render
from ..models import DEFAULT_UNIT, FileRecord, FormKind, Outcome, Submission
from .classify import counted_outcome, unreadable_report

COUNTED = frozenset({Outcome.ACCEPTED, Outcome.WARNINGS, Outcome.NEEDS_FIX})
CONTENT_DIFFERS_CELLS = 5
CONTENT_DIFFERS_SHARE = 0.2
FUTURE_SLACK = dt.timedelta(days=1)  # a fill date up to a day ahead (time zones, a clock) still counts
_DIGITS = re.compile(r"(\d+)")
_SUFFIX = re.compile(r"\.[^./]*$")


def natural_key(name: str) -> tuple[Any, ...]:
    """'附件1(10)' sorts after '附件1(9)', and '附件1(1)' after '附件1'."""
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(name))


def _stem(path: str) -> str:
    return _SUFFIX.sub("", path.rsplit("/", 1)[-1])


def _saved(f: FileRecord) -> dt.datetime | None:
    if f.saved_at is None:
        return None
    t = f.saved_at
    return t.replace(tzinfo=None) if t.tzinfo is None else t.astimezone(dt.UTC).replace(tzinfo=None)


@cache
def run_date() -> dt.date:
    """The day of this run (one day per process, so every stage orders the same)."""
    return dt.date.today()


def _typed_fill(f: FileRecord) -> dt.date | None:
    return f.submission.fill_date if f.submission is not None else None


def _future(day: dt.date | None) -> bool:
    """A fill date after tomorrow: mistyped (2052 for 2025), never a reason to count a file as newer."""
    return day is not None and day > run_date() + FUTURE_SLACK


def _fill(f: FileRecord) -> dt.date | None:
    """The fill date as the order uses it: unknown when it lies in the future."""
    day = _typed_fill(f)
    return None if _future(day) else day


def _revision(f: FileRecord) -> int:
    return f.submission.revision if f.submission is not None else 0


def _saved_or_filled(f: FileRecord) -> dt.datetime:
    """The saved-at time; for a file without one, the start of its fill date (the order stays total)."""
    saved, fill = _saved(f), _fill(f)
    if saved is not None:
        return saved
    return dt.datetime.combine(fill, dt.time()) if fill is not None else dt.datetime.min


def form_key(f: FileRecord) -> tuple[Any, ...]:
    """Which form file counts, larger = newer: 更正版次, then saved-at (a file without one: the start of
    its fill date), then fill date, then the natural file name, then the full path. The one order for
    forms: resolving here, the current file in aggregate, the rejected file a corrected copy is built
    from (round)."""
    return (_revision(f), _saved_or_filled(f), _fill(f) or dt.date.min, natural_key(_stem(f.path)), f.path)


def report_key(f: FileRecord) -> tuple[Any, ...]:
    """Which 自查报告 counts, larger = newer: modification time, then the natural file name, then the path."""
    return (f.mtime, natural_key(_stem(f.path)), f.path)


# ---------------------------------------------------------------- why one file is newer


def _fmt_dt(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _signals(f: FileRecord) -> list[tuple[str, Any, str]]:
    """The three order signals of a form: (name, value or None when the file has none, shown value)."""
    saved, fill, typed = _saved(f), _fill(f), _typed_fill(f)
    if typed is not None and _future(typed):
        shown_fill = f"{typed.isoformat()}（晚于运行当天 {run_date().isoformat()}，应是填错了，排序时不计）"
    else:
        shown_fill = fill.isoformat() if fill else "未填写"
    return [
        ("更正版次", _revision(f), f"第{_revision(f)}次更正" if _revision(f) else "原表"),
        ("保存时间", saved, _fmt_dt(saved) if saved else "无（按填报日期计）"),
        ("填报日期", fill, shown_fill),
    ]


def _decider(newer: FileRecord, older: FileRecord) -> int | None:
    """Index of the signal that decided between the two files in `form_key` (None: only the name did)."""
    for k, (a, b) in enumerate(zip(form_key(newer)[:3], form_key(older)[:3], strict=True)):
        if a != b:
            return k
    return None


def _why(newer: FileRecord, older: FileRecord, is_form: bool) -> str:
    """Chinese reason why `newer` replaced `older`."""
    if newer.sha256 and newer.sha256 == older.sha256:
        return "两份文件内容完全相同"
    if not is_form:
        return "文件修改时间较新" if newer.mtime != older.mtime else "按文件名取排在后面的一份"
    k = _decider(newer, older)
    if k is None:
        return "更正版次、保存时间和填报日期都相同，按文件名取排在后面的一份"
    (name, _, shown), (_, _, old) = _signals(newer)[k], _signals(older)[k]
    if k == 0:
        return f"是退回修改后的更正表（{shown}），本文件为{old}"
    return f"{name}较新：{shown}，本文件为{old}"


def _disagreement(taken: FileRecord, old: FileRecord) -> str:
    """What says `old` is newer although `taken` counts ('' when every signal agrees)."""
    k = _decider(taken, old)
    if k is None:
        return ""
    later = []
    for (name, a, shown), (_, b, old_shown) in list(zip(_signals(taken), _signals(old), strict=True))[
        k + 1 :
    ]:
        if a is not None and b is not None and b > a:
            later.append(f"本文件{name}为{shown}，早于“{old.path}”的{old_shown}")
    return "；".join(later)


def _order_problem(taken: FileRecord, old: FileRecord, unit: str) -> None:
    detail = _disagreement(taken, old)
    if not detail:
        return
    k = _decider(taken, old)
    name, _, shown = _signals(taken)[k]  # type: ignore[index]
    reason = (
        f"本文件是退回修改后的更正表（{shown}），以更正表为准"
        if k == 0
        else f"本文件{name}较晚（{shown}），以{name}为准"
    )
    taken.problems.append(
        render(
            Code.ORDER_DISAGREES, file=taken.path, detail=detail, taken=taken.path, reason=reason, unit=unit
        )
    )


# ---------------------------------------------------------------- content


def _cells(sub: Submission) -> dict[tuple[str, str], object]:
    """Every input value of a submission by (item or task id, field)."""
    out: dict[tuple[str, str], object] = {}
    for s in sub.scores:
        out[(s.item_id, "score")], out[(s.item_id, "note")] = s.score, s.note
    for a in sub.answers:
        out[(a.task_id, "status")], out[(a.task_id, "done")] = a.status, a.done
        out[(a.task_id, "issues")] = a.issues
    for i in sub.inspection:
        out[(i.item_id, "inspection")], out[(i.item_id, "opinion")] = i.score, i.opinion
    return out


def content_differences(taken: FileRecord, old: FileRecord) -> tuple[int, int]:
    """(cells that differ, cells filled in either file), leaving out the items `old` had problems on and the
    cells `old` left empty (a branch filling in a blank form, or the blanks it was asked to fill, completes it)."""
    if taken.submission is None or old.submission is None:
        return 0, 0
    flagged = {p.field.partition(" ")[0] for p in old.problems if p.field}
    a, b = _cells(taken.submission), _cells(old.submission)
    differ = filled = 0
    for key in a.keys() | b.keys():
        if key[0] in flagged:
            continue
        x, y = a.get(key), b.get(key)
        filled += x not in (None, "") or y not in (None, "")
        differ += y not in (None, "") and x != y  # filling a cell left empty is completing, not differing
    return differ, filled


def _content_problem(taken: FileRecord, old: FileRecord, unit: str) -> None:
    differ, filled = content_differences(taken, old)
    threshold = max(2, min(CONTENT_DIFFERS_CELLS, math.ceil(CONTENT_DIFFERS_SHARE * filled)))
    if differ >= threshold:
        taken.problems.append(
            render(Code.CONTENT_DIFFERS, file=taken.path, other=old.path, count=differ, unit=unit)
        )


# ---------------------------------------------------------------- resolving


def resolve(records: Iterable[FileRecord], unit: str = DEFAULT_UNIT) -> list[FileRecord]:
    """Mark older duplicates SUPERSEDED in place (with a 'superseded' problem), warn on the file taken when
    the order's signals disagree or the contents differ much; returns the records. `unit` is who fills the
    forms (the catalog's: 党总支, 党支部 …), as the messages say it."""
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
        if is_form:
            previous = next((f for f in group[1:] if not newest.sha256 or f.sha256 != newest.sha256), None)
            if previous is not None:
                _content_problem(newest, previous, unit)
        for old in group[1:]:
            if is_form:
                _order_problem(newest, old, unit)
            why = _why(newest, old, is_form)
            old.outcome = Outcome.SUPERSEDED
            old.reason = f"已被“{newest.path}”替代"
            old.problems.append(
                render(Code.SUPERSEDED, file=old.path, newer=newest.path, reason=why, unit=unit)
            )
        if is_form:
            newest.outcome, newest.reason = counted_outcome(newest.problems)
    _replace_rejected(records, unit)
    _replace_unreadable_reports(records, unit)
    return records


def _replace_rejected(records: list[FileRecord], unit: str) -> None:
    """A rejected file of a branch and form is superseded by the counted file of that branch and form when the
    counted one arrived no earlier (its time in the inbox): the branch sent a usable file after it (an encrypted
    file, then the same without its password). A rejected file that arrived later stays rejected: the branch
    may have meant it as its correction, and its notice says so."""
    taken: dict[tuple[str, FormKind], FileRecord] = {}
    for f in records:
        if f.outcome in COUNTED and f.kind is not None and f.branch is not None:
            key = (f.branch.name, f.kind)
            if key not in taken or form_key(f) > form_key(taken[key]):
                taken[key] = f
    for f in records:
        if f.outcome is not Outcome.REJECTED or f.branch is None or f.kind is None:
            continue
        newer = taken.get((f.branch.name, f.kind))
        if newer is not None and newer.mtime >= f.mtime:
            _supersede_rejected(f, newer, unit)


def _replace_unreadable_reports(records: list[FileRecord], unit: str) -> None:
    """A 自查报告 that could not be opened ('report-unreadable') is superseded by its branch's 自查报告 when that
    one arrived no earlier: the branch sent a readable one after it. One that arrived later stays rejected."""
    taken: dict[str, FileRecord] = {}
    for f in records:
        if f.outcome is Outcome.REPORT and f.branch is not None:
            cur = taken.get(f.branch.name)
            if cur is None or report_key(f) > report_key(cur):
                taken[f.branch.name] = f
    for f in records:
        if f.outcome is not Outcome.REJECTED or f.branch is None or unreadable_report(f) is None:
            continue
        newer = taken.get(f.branch.name)
        if newer is not None and newer.mtime >= f.mtime:
            _supersede_rejected(f, newer, unit)


def _supersede_rejected(f: FileRecord, newer: FileRecord, unit: str) -> None:
    why = f"本文件无法使用（{f.reason}），之后收到的文件可以使用"
    f.outcome = Outcome.SUPERSEDED
    f.reason = f"已被“{newer.path}”替代"
    f.problems.append(render(Code.SUPERSEDED, file=f.path, newer=newer.path, reason=why, unit=unit))
