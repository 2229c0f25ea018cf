"""The corrected copy of one form, and the part of a notice that carries it: what the copy is pre-filled
with (the values a form was submitted with, as typed where they failed validation; the values of a rejected
form whose cells are still in place), the comment on every problem cell, its name and 更正版次. Shared by the
branches' corrected copies (`corrections`) and the inspectors' (`inspection`).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from .. import read
from ..catalog import plain, ref_labels
from ..collect import MEMBER_SEP, MemberEntry, form_key, inbox_members, member_bytes
from ..layout import C_TASK, C_TEXT, META_SHEET, Field, FormLayout, form_layout
from ..messages import Code
from ..models import Branch, Campaign, FileRecord, FormKind, Problem, RawWorkbook, Report
from ..validate import parse_date, read_meta, revision, squash
from .notices import FIX, REJECTED, CorrectedCopy, Key, Part, copy_name, hint

Loader = Callable[[FileRecord], RawWorkbook | None]


def input_keys(lay: FormLayout) -> dict[tuple[str, str], Key]:
    """(sheet, A1) → input key, for mapping a problem back to its cell."""
    return {(lay.sheet, c.a1): (c.field, c.ref_id) for c in lay.inputs}


def _typed(value: str, fld: Field) -> object:
    """A problem's recorded value back as typed: numbers stay numbers in score cells."""
    if fld in (Field.SCORE, Field.INSP_SCORE):
        try:
            x = float(value)
        except ValueError:
            return value
        return int(x) if x.is_integer() else x
    return value


def typed_back(campaign: Campaign, kind: FormKind, rec: FileRecord, values: dict[Key, object]) -> None:
    """Put back, into `values`, what was typed in the cells whose value failed validation (a 3 where 2 is
    the most, "优秀", an unknown status), so the person sees what they wrote."""
    keys = input_keys(form_layout(campaign.catalog, kind))
    for p in rec.problems:
        key = keys.get((p.sheet, p.cell))
        if Code(p.code).keeps_value and p.value and key is not None and key not in values:
            values[key] = _typed(p.value, key[0])


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def submitted_values(campaign: Campaign, rec: FileRecord) -> dict[Key, object]:
    """Every value the branch submitted in one counted form, keyed for `build_form(prefill=...)`.

    Valid values come from the submission (normalized: "2分" is 2); values that failed validation are put
    back as typed.
    """
    sub = rec.submission
    assert sub is not None
    values: dict[Key, object] = {}
    if sub.fill_date is not None:
        values[(Field.DATE, "")] = sub.fill_date
    for s in sub.scores:
        if s.score is not None:
            values[(Field.SCORE, s.item_id)] = _number(s.score)
        if s.note:
            values[(Field.NOTE, s.item_id)] = s.note
    for a in sub.answers:
        if a.status:
            values[(Field.STATUS, a.task_id)] = a.status
        if a.done:
            values[(Field.DONE, a.task_id)] = a.done
        if a.issues:
            values[(Field.ISSUES, a.task_id)] = a.issues
    typed_back(campaign, sub.kind, rec, values)
    return values


def problem_comments(campaign: Campaign, kind: FormKind, problems: Iterable[Problem]) -> dict[Key, str]:
    """The cell comment of every problem on an input cell: what is wrong and what to do. A problem without
    an input cell (a returned blank form, an edited locked cell) gets none: the notice says it."""
    keys = input_keys(form_layout(campaign.catalog, kind))
    labels = ref_labels(campaign.catalog)  # the item as the form shows it, as in the notice (not S01.2)
    out: dict[Key, str] = {}
    for p in problems:
        key = keys.get((p.sheet, p.cell))
        if key is None:
            continue
        h = hint(p, campaign)
        line = f"需修改：{plain(p.message, labels)}" + (f"。{h}" if h else "")
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
    """Reads a rejected file back from the inbox (within the reader's safety limits), a member of an archive
    or e-mail from its container (never extracted); None when it cannot."""
    inbox = Path(report.inbox)
    members: dict[str, MemberEntry] = {}

    def load(f: FileRecord) -> RawWorkbook | None:
        path = inbox / f.path
        try:
            if MEMBER_SEP in f.path and not os.path.lexists(path):
                if not members:
                    members.update(inbox_members(inbox))
                entry = members.get(f.path)
                if entry is None:
                    return None
                return read.read_workbook(member_bytes(entry), entry.name)
            if os.path.getsize(path) > read.DEFAULT_LIMITS.max_file_bytes:
                return None
            return read.read_workbook(path.read_bytes(), path.name)
        except Exception:  # best effort: the copy is then simply blank
            return None

    return load


def recovered(
    rec: FileRecord, campaign: Campaign, kind: FormKind, loader: Loader | None
) -> tuple[dict[Key, object], int]:
    """The values a rejected file's corrected copy starts from, and the copy's 更正版次: read back (with
    `loader`) only when every error of the file leaves its input cells in place; else nothing, version 1."""
    codes = {p.code for p in rec.errors}
    if loader is None or not codes or not all(Code(c).recoverable for c in codes):
        return {}, 1
    raw = loader(rec)
    if raw is None:
        return {}, 1
    meta = raw.sheet(META_SHEET)
    rev = (revision(read_meta(meta)) if meta is not None else 0) + 1
    return recover_values(raw, campaign, kind), rev


def fix_part(
    campaign: Campaign, kind: FormKind, branch: Branch, rec: FileRecord, values: dict[Key, object]
) -> Part:
    """A counted form with errors: its copy pre-filled with `values`, a comment on each problem cell."""
    assert rec.submission is not None
    rev = rec.submission.revision + 1
    comments = problem_comments(campaign, kind, rec.errors)
    return Part(
        kind,
        FIX,
        [rec],
        CorrectedCopy(kind, copy_name(kind, branch, rev, campaign.catalog), values, comments, rev),
    )


def rejected_part(
    campaign: Campaign,
    kind: FormKind,
    branch: Branch,
    rejected: list[FileRecord],
    loader: Loader | None,
    base: dict[Key, object] | None = None,
) -> Part:
    """Rejected files: a fresh copy, with the values of the newest where its cells are still in place (on
    top of `base`, e.g. an inspection's locked self-assessment)."""
    newest = max(rejected, key=form_key)  # the file collect would count, were it not rejected
    values, rev = recovered(newest, campaign, kind, loader)
    copy = CorrectedCopy(
        kind, copy_name(kind, branch, rev, campaign.catalog), {**(base or {}), **values}, {}, rev
    )
    files = sorted(rejected, key=lambda f: f.path)
    # carried over = something the branch filled in beyond the header (a file of another version gives
    # only its date back: that is not "the values carried over")
    carried = any(ref for _, ref in values)
    return Part(kind, REJECTED, files, copy, recovered=carried, basis=newest)
