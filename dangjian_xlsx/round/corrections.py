"""退回修改: per 党总支 a notice ready to paste into an e-mail, and a corrected copy of every form to fix.

For each roster 党总支 whose 附件1 or 附件2 must be corrected (rejected, or accepted with errors) the notice lists
every problem — form, file, sheet and cell, the item's id and first words, what is wrong, what is expected —
and the deadline. The corrected copy is a fresh personalized form from the generator (same identity, same
catalog digest, locked), pre-filled with every value the branch submitted; each problem cell is highlighted
and carries a comment saying what to fix. Its 更正版次 (metadata `revision`) makes it win over the copy it
corrects when both are collected. A branch that still owes a form or its 自查报告 and has nothing to correct
gets a reminder (未交提醒) instead.

`plan(report)` and `build_pack(report)` are pure (no files read or written unless a `loader` is given to
recover the values of rejected files); `write_pack` writes the pack atomically and removes stale notices.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from .. import aggregate as ag
from .. import read
from ..atomic import write_all_atomic
from ..collect import form_key
from ..forms import build_form
from ..layout import (
    C_TASK,
    C_TEXT,
    FILE_SUFFIX,
    META_SHEET,
    Field,
    FormLayout,
    form_layout,
)
from ..messages import Code
from ..models import Branch, Campaign, FileRecord, FormKind, Outcome, Problem, RawWorkbook, Report
from ..validate import parse_date, read_meta, revision, squash
from .notices import FIX, MISSING, REJECTED, CorrectedCopy, Key, Notice, Part, hint, notice_text

PACK_DIR = "退回修改"
FORMS = (FormKind.SCORING, FormKind.TASKS)
Loader = Callable[[FileRecord], RawWorkbook | None]

_STALE = re.compile(r"^\d+_.+_((退回修改通知|未交提醒)\.txt|更正\d*\.xlsx)$")


# ---------------------------------------------------------------- the plan


def copy_name(kind: FormKind, branch: Branch, rev: int) -> str:
    """`NN_<党总支>_附件1_评分表_更正.xlsx`; the second correction `…_更正2.xlsx`, and so on."""
    return f"{branch.id}_{branch.name}_{FILE_SUFFIX[kind]}_更正{rev if rev > 1 else ''}.xlsx"


def plan(
    report: Report, loader: Loader | None = None, branches: list[ag.BranchFiles] | None = None
) -> list[Notice]:
    """Per roster 党总支 (roster order) that must correct or still send something: its notice, with text."""
    campaign = report.campaign
    out = []
    for bf in ag.branch_files(report) if branches is None else branches:
        parts = []
        for kind in FORMS:
            slot = bf.forms[kind]
            if slot.current is not None:
                if slot.current.outcome is not Outcome.NEEDS_FIX:
                    continue
                if slot.current.submission is not None:
                    parts.append(_fix_part(campaign, kind, bf.branch, slot.current))
                else:  # counted, but no values could be read: like a rejected file
                    parts.append(_rejected_part(campaign, kind, bf.branch, [slot.current], loader))
            elif slot.rejected:
                parts.append(_rejected_part(campaign, kind, bf.branch, slot.rejected, loader))
            else:
                parts.append(Part(kind, MISSING))
        if parts or not bf.reports:
            notice = Notice(bf.branch, parts, report_missing=not bf.reports)
            notice.text = notice_text(notice, campaign, report.generated_at)
            out.append(notice)
    return out


def _fix_part(campaign: Campaign, kind: FormKind, branch: Branch, rec: FileRecord) -> Part:
    sub = rec.submission
    assert sub is not None
    rev = sub.revision + 1
    copy = CorrectedCopy(
        kind,
        copy_name(kind, branch, rev),
        submitted_values(campaign, rec),
        problem_comments(campaign, kind, rec.errors),
        rev,
    )
    return Part(kind, FIX, [rec], copy)


def _rejected_part(
    campaign: Campaign, kind: FormKind, branch: Branch, rejected: list[FileRecord], loader: Loader | None
) -> Part:
    newest = max(rejected, key=form_key)  # the file collect would count, were it not rejected
    values: dict[Key, object] = {}
    rev = 1
    codes = {p.code for p in newest.errors}
    if loader is not None and codes and all(Code(c).recoverable for c in codes):
        raw = loader(newest)
        if raw is not None:
            values = recover_values(raw, campaign, kind)
            meta = raw.sheet(META_SHEET)
            rev = (revision(read_meta(meta)) if meta is not None else 0) + 1
    copy = CorrectedCopy(kind, copy_name(kind, branch, rev), values, {}, rev)
    files = sorted(rejected, key=lambda f: f.path)
    return Part(kind, REJECTED, files, copy, recovered=bool(values))


# ---------------------------------------------------------------- values and comments


def _input_keys(lay: FormLayout) -> dict[tuple[str, str], Key]:
    """(sheet, A1) → input key, for mapping a problem back to its cell."""
    return {(lay.sheet, c.a1): (c.field, c.ref_id) for c in lay.inputs}


def _typed(value: str, fld: Field) -> object:
    """A problem's recorded value back as the branch typed it: numbers stay numbers in score cells."""
    if fld in (Field.SCORE, Field.INSP_SCORE):
        try:
            x = float(value)
        except ValueError:
            return value
        return int(x) if x.is_integer() else x
    return value


def submitted_values(campaign: Campaign, rec: FileRecord) -> dict[Key, object]:
    """Every value the branch submitted in one counted form, keyed for `build_form(prefill=...)`.

    Valid values come from the submission (normalized: "2分" is 2); values that failed validation (a 3 where
    2 is the most, "优秀", an unknown status) are put back as typed, so the branch sees what it wrote.
    """
    sub = rec.submission
    assert sub is not None
    values: dict[Key, object] = {}
    if sub.fill_date is not None:
        values[(Field.DATE, "")] = sub.fill_date
    for s in sub.scores:
        if s.score is not None:
            values[(Field.SCORE, s.item_id)] = int(s.score) if float(s.score).is_integer() else s.score
        if s.note:
            values[(Field.NOTE, s.item_id)] = s.note
    for a in sub.answers:
        if a.status:
            values[(Field.STATUS, a.task_id)] = a.status
        if a.done:
            values[(Field.DONE, a.task_id)] = a.done
        if a.issues:
            values[(Field.ISSUES, a.task_id)] = a.issues
    keys = _input_keys(form_layout(campaign.catalog, sub.kind))
    for p in rec.problems:
        key = keys.get((p.sheet, p.cell))
        if Code(p.code).keeps_value and p.value and key is not None and key not in values:
            values[key] = _typed(p.value, key[0])
    return values


def problem_comments(campaign: Campaign, kind: FormKind, problems: Iterable[Problem]) -> dict[Key, str]:
    """The cell comment of every problem cell: what is wrong and what to do."""
    keys = _input_keys(form_layout(campaign.catalog, kind))
    out: dict[Key, str] = {}
    for p in problems:
        key = keys.get((p.sheet, p.cell))
        if key is None:
            continue
        h = hint(p, campaign)
        line = f"需修改：{p.message}" + (f"。{h}" if h else "")
        out[key] = f"{out[key]}\n{line}" if key in out else line
    return out


def recover_values(raw: RawWorkbook, campaign: Campaign, kind: FormKind) -> dict[Key, object]:
    """The input values of a rejected form whose cells are still in place (an old template, an edited locked
    cell): taken from every row whose locked item text is (nearly) the catalog's, as typed."""
    lay = form_layout(campaign.catalog, kind)
    sheet = raw.sheet(lay.sheet)
    if sheet is None:
        return {}
    cat = campaign.catalog
    text_col = C_TASK if kind is FormKind.TASKS else C_TEXT
    texts = {t.id: t.text for t in cat.tasks} if kind is FormKind.TASKS else {i.id: i.text for i in cat.items}
    rows_ok = set()
    for ref, row in lay.item_rows.items():
        found = sheet.get(row, text_col)
        if isinstance(found, str):
            a, b = squash(found), squash(texts[ref])
            if a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.9:
                rows_ok.add(ref)
    values: dict[Key, object] = {}
    for c in lay.inputs:
        if c.field is Field.BRANCH or (c.ref_id and c.ref_id not in rows_ok):
            continue
        v = sheet.get(c.row, c.col)
        if c.field is Field.DATE:
            d = parse_date(v, campaign.year) if v is not None else None
            if d is not None:
                values[(c.field, "")] = d
            continue
        if isinstance(v, str):
            v = v.strip()
        if isinstance(v, bool) or not isinstance(v, str | int | float) or v == "":
            continue
        values[(c.field, c.ref_id)] = v
    return values


def inbox_loader(report: Report) -> Loader:
    """Reads a rejected file back from the inbox (within the reader's safety limits); None when it cannot."""
    inbox = Path(report.inbox)

    def load(f: FileRecord) -> RawWorkbook | None:
        path = inbox / f.path
        try:
            if os.path.getsize(path) > read.DEFAULT_LIMITS.max_file_bytes:
                return None
            return read.read_workbook(path.read_bytes(), path.name)
        except Exception:  # best effort: the copy is then simply blank
            return None

    return load


# ---------------------------------------------------------------- the notice text


# ---------------------------------------------------------------- the pack


def build_pack(
    report: Report, loader: Loader | None = None, branches: list[ag.BranchFiles] | None = None
) -> list[tuple[str, bytes]]:
    """Every file of the 退回修改 pack as (name, bytes): notices (UTF-8 with BOM, CRLF) and corrected copies."""
    campaign = report.campaign
    files: list[tuple[str, bytes]] = []
    for notice in plan(report, loader, branches):
        files.append((notice.filename, notice.text.replace("\n", "\r\n").encode("utf-8-sig")))
        for part in notice.parts:
            c = part.copy
            if c is None:
                continue
            data = build_form(
                campaign, c.kind, notice.branch, prefill=c.prefill, comments=c.comments, revision=c.revision
            )
            files.append((c.name, data))
    return files


def pack_dir(summary: Path) -> Path:
    """`退回修改/` beside the summary workbook."""
    return Path(summary).parent / PACK_DIR


def write_pack(
    report: Report,
    out_dir: Path,
    loader: Loader | None = None,
    branches: list[ag.BranchFiles] | None = None,
) -> list[Path]:
    """Write the pack into `out_dir` (atomically, file by file); notices and copies of an earlier run that no
    longer apply are removed (only files named like this module's own). Returns the paths written."""
    out_dir = Path(out_dir)
    files = build_pack(report, inbox_loader(report) if loader is None else loader, branches)
    written = write_all_atomic((out_dir / name, data) for name, data in files)
    keep = {name for name, _ in files}
    if out_dir.is_dir():
        for p in out_dir.iterdir():
            if p.is_file() and p.name not in keep and _STALE.match(p.name):
                p.unlink(missing_ok=True)
    return written


def read_notices(folder: Path) -> list[tuple[str, str]]:
    """The notices of a written pack, as (file name, text), in file-name order."""
    out = []
    for p in sorted(Path(folder).glob("*.txt")):
        if _STALE.match(p.name):
            out.append((p.name, p.read_text("utf-8-sig").replace("\r\n", "\n")))
    return out
