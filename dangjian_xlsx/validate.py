"""RawWorkbook → Identity + Submission + Problems (SPEC §4): identity, tamper and value checks.

Every problem of a file is collected, not only the first. Identity problems mean nothing in the file can be
trusted, so value checks stop after them; a tampered form is rejected too. Value problems leave the file
usable: an invalid value becomes None in the Submission and the branch is asked to correct it.

This runs once per collected file, so everything that depends only on the campaign (digest, layouts, the
expected text of every locked cell, item labels, roster look-ups) is computed once per campaign in `_Context`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .catalog import catalog_digest
from .layout import (
    BRANCH_CELL,
    C_DONE,
    C_INSP_OPINION,
    C_INSP_SCORE,
    C_ISSUES,
    C_NOTE,
    C_SCORE,
    C_STATUS,
    DONE_STATUS,
    GUIDE_SHEET,
    META_KEYS,
    META_SHEET,
    META_VALUE_COL,
    SHEET_BY_KIND,
    STATUSES,
    Field,
    FixedCell,
    FormLayout,
    a1,
    form_layout,
)
from .messages import render
from .models import (
    Branch,
    Campaign,
    FormKind,
    Identity,
    InspectionScore,
    ItemScore,
    Problem,
    RawSheet,
    RawWorkbook,
    Severity,
    Submission,
    TaskAnswer,
)

NOT_APPLICABLE = "不适用"
TAMPER_DETAIL_LIMIT = 10  # tampered cells listed one by one; the rest are summarised in one problem
ISOLATED_TAMPER_LIMIT = 3  # up to this many edited locked cells (no shift): values are still checked

IDENTITY_CODES = frozenset(
    {
        "meta-missing",
        "kind-unknown",
        "digest-mismatch",
        "branch-unknown",
        "branch-blank",
        "branch-mismatch",
        "sheet-missing",
    }
)
TAMPER_CODES = frozenset({"tampered", "tampered-many", "rows-shifted"})
BLOCKING_CODES = IDENTITY_CODES | TAMPER_CODES  # these errors reject the whole file

_SCORING_KINDS = (FormKind.SCORING, FormKind.INSPECTION)

# The "fields set" of the per-item models: one set object shared by every instance (they are frozen, so
# pydantic never adds to it; a copy gets its own). A collect keeps ~64 of them per file: one set each
# would be ~14 MB for 1,000 files, and pickling (worker → parent) shares it within a batch.
_ITEM_FIELDS = {"item_id", "score", "note"}
_INSPECTION_FIELDS = {"item_id", "self_score", "score", "opinion"}
_TASK_FIELDS = {"task_id", "status", "done", "issues"}


@dataclass
class Validation:
    """What validation concluded about one workbook.

    `identity` is set whenever the form kind and the 党总支 could be determined, even when other identity
    or tamper problems make the file untrustworthy (so a rejected file can still be attributed to its
    党总支). `submission` is set only when the values could be read (no blocking problem).
    """

    identity: Identity | None = None
    submission: Submission | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        """True when an identity or tamper error makes the file's values untrustworthy (→ rejected)."""
        return any(p.code in BLOCKING_CODES and p.severity is Severity.ERROR for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


# ---------------------------------------------------------------- small value helpers

_WS = re.compile(r"\s+")
_NUMBER = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*分?")
_CN_POINT = re.compile(r"(?<=\d)。(?=\d)")
_NUMBERING = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[.．、)）]\s*")
_TIME_PART = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME_PART)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DATE_MD = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_RANGE = (20000, 80000)  # 1954 … 2119: anything else is not a plausible fill date


def text(v: Any) -> str:
    """A cell value as the plain text a person typed (never evaluated): stripped, line breaks normalised."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return fmt_number(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return str(v).strip()


def fmt_number(x: float) -> str:
    """2.0 → '2', 1.5 → '1.5' (no float noise); 1e308 → '1e+308', not 309 digits."""
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return format(x, ".10g")


def squash(s: str) -> str:
    """Comparison key for form text: whitespace (incl. line breaks) is layout, not text."""
    return _WS.sub("", s)


def name_key(s: str) -> str:
    """Comparison key for 党总支 names: NFKC (full-width forms), no whitespace."""
    return _WS.sub("", unicodedata.normalize("NFKC", s))


BLANK, OK, NORMALIZED, BAD = "blank", "ok", "normalized", "bad"


def parse_score(v: Any) -> tuple[str, float | None]:
    """A score cell → (state, number). States: blank, ok, normalized (was text, warn), bad."""
    if v is None:
        return BLANK, None
    if isinstance(v, bool):
        return BAD, None
    if isinstance(v, int | float):
        f = float(v)
        return (OK, f) if math.isfinite(f) else (BAD, None)
    if isinstance(v, str):
        s = unicodedata.normalize("NFKC", v).strip()
        if not s:
            return BLANK, None
        m = _NUMBER.fullmatch(_CN_POINT.sub(".", s))
        if m is None:
            return BAD, None
        return NORMALIZED, float(m.group(1))
    return BAD, None  # date, datetime, time, timedelta, anything else


def parse_date(v: Any, year: int) -> dt.date | None:
    """A fill-date cell → date, or None when it is not a date. `year` completes '9月28日'."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        if math.isfinite(v) and _SERIAL_RANGE[0] <= v < _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + dt.timedelta(days=int(v))
        return None
    if not isinstance(v, str):
        return None
    s = unicodedata.normalize("NFKC", v).strip()
    for pattern, has_year in ((_DATE_YMD, True), (_DATE_COMPACT, True), (_DATE_MD, False)):
        m = pattern.fullmatch(s)
        if m:
            parts = [int(g) for g in m.groups()]
            y, mo, d = parts if has_year else [year, *parts]
            try:
                return dt.date(y, mo, d)
            except ValueError:
                return None
    return None


def _same_fixed(actual: Any, expected: str | int) -> bool:
    if isinstance(expected, int):
        if isinstance(actual, bool):
            return False
        if isinstance(actual, int | float):
            return float(actual) == expected
        if isinstance(actual, str):
            state, num = parse_score(actual)
            return state is not BLANK and num == expected
        return False
    return squash(text(actual)) == expected  # expected is pre-squashed


# ---------------------------------------------------------------- per-campaign context


@dataclass(frozen=True)
class _ItemSpec:
    id: str
    row: int
    points: int
    label: str


@dataclass(frozen=True)
class _Context:
    digest: str
    year: int
    start: dt.date
    end: dt.date
    layouts: dict[FormKind, FormLayout]
    fixed: dict[FormKind, tuple[tuple[FixedCell, str | int], ...]]  # (cell, comparison key)
    items: tuple[_ItemSpec, ...]
    tasks: tuple[_ItemSpec, ...]
    by_key: dict[str, Branch]  # name_key(name) → branch
    by_short: dict[str, Branch]  # name without 党总支/党委/直属党支部 → branch, when unambiguous
    names: tuple[str, ...]


_SUFFIXES = ("直属党支部", "党总支", "党委", "党支部")


def _short(name: str) -> str:
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf):
            return name[: -len(suf)]
    return name


def item_label(ref_id: str, txt: str, width: int = 10) -> str:
    """'S01.2（坚持把党建工作与中心…）': the id plus the first words of the item, for messages."""
    body = _NUMBERING.sub("", squash(txt))
    snippet = body[:width] + ("…" if len(body) > width else "")
    return f"{ref_id}（{snippet}）"


def _build_context(campaign: Campaign) -> _Context:
    cat = campaign.catalog
    layouts = {k: form_layout(cat, k) for k in FormKind}
    fixed = {
        k: tuple((fc, squash(fc.value) if isinstance(fc.value, str) else fc.value) for fc in lay.fixed)
        for k, lay in layouts.items()
    }
    rows1 = layouts[FormKind.SCORING].item_rows
    rows2 = layouts[FormKind.TASKS].item_rows
    items = tuple(_ItemSpec(i.id, rows1[i.id], i.points, item_label(i.id, i.text)) for i in cat.items)
    tasks = tuple(_ItemSpec(t.id, rows2[t.id], 0, item_label(t.id, t.text)) for t in cat.tasks)
    by_key = {name_key(b.name): b for b in campaign.roster}
    shorts: dict[str, list[Branch]] = {}
    for b in campaign.roster:
        shorts.setdefault(name_key(_short(b.name)), []).append(b)
    by_short = {k: v[0] for k, v in shorts.items() if len(v) == 1 and k not in by_key}
    return _Context(
        digest=catalog_digest(cat),
        year=campaign.year,
        start=campaign.self_check_start,
        end=campaign.self_check_end,
        layouts=layouts,
        fixed=fixed,
        items=items,
        tasks=tasks,
        by_key=by_key,
        by_short=by_short,
        names=tuple(b.name for b in campaign.roster),
    )


_CONTEXTS: dict[int, tuple[Campaign, _Context]] = {}


def _context(campaign: Campaign) -> _Context:
    hit = _CONTEXTS.get(id(campaign))
    if hit is not None and hit[0] is campaign:
        return hit[1]
    ctx = _build_context(campaign)
    if len(_CONTEXTS) > 8:
        _CONTEXTS.clear()
    _CONTEXTS[id(campaign)] = (campaign, ctx)  # holding the campaign keeps its id from being reused
    return ctx


def suggest(name: str, names: tuple[str, ...], n: int = 3) -> list[str]:
    """Roster names close to a typed name: containment first (either way), then difflib similarity."""
    key = name_key(name)
    if not key:
        return []
    out = [x for x in names if key in name_key(x) or name_key(_short(x)) in key]
    for x in difflib.get_close_matches(name, names, n=n, cutoff=0.5):
        if x not in out:
            out.append(x)
    return out[:n]


def find_branch(name: str, campaign: Campaign, *, allow_short: bool = True) -> tuple[Branch | None, bool]:
    """Look a typed 党总支 name up in the roster → (branch, exact). Short names only when unambiguous."""
    ctx = _context(campaign)
    key = name_key(name)
    b = ctx.by_key.get(key)
    if b is not None:
        return b, True
    if allow_short:
        b = ctx.by_short.get(key)
        if b is not None:
            return b, False
    return None, False


# ---------------------------------------------------------------- validation


def read_meta(sheet: RawSheet) -> dict[str, str]:
    """META_KEYS values by key name (column A = key, META_VALUE_COL = value), wherever their rows are."""
    keys = {k for k, _ in META_KEYS}
    out: dict[str, str] = {}
    for row in sheet.rows:
        if not row or not isinstance(row[0], str):
            continue
        k = row[0].strip()
        if k in keys and k not in out:
            out[k] = text(row[META_VALUE_COL]) if len(row) > META_VALUE_COL else ""
            if len(out) == len(keys):  # the rest of the sheet lists input cells
                break
    return out


def revision(meta: dict[str, str]) -> int:
    """The 更正版次 stamped in a corrected copy; 0 when absent (forms generated before it existed) or garbled."""
    value = meta.get("revision", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 4 else 0


def validate(raw: RawWorkbook, campaign: Campaign, file: str) -> Validation:
    """Check one workbook against the campaign; collect every problem."""
    ctx = _context(campaign)
    result = Validation()
    problems = result.problems

    meta_sheet = raw.sheet(META_SHEET)
    if meta_sheet is None:
        problems.append(render("meta-missing", file=file))
        return result
    meta = read_meta(meta_sheet)

    kind_text = meta.get("form_kind", "")
    try:
        kind: FormKind | None = FormKind(kind_text)
    except ValueError:
        kind = None
        problems.append(
            render("kind-unknown", file=file, sheet=META_SHEET, field="表格类型", value=kind_text)
        )

    digest = meta.get("catalog_digest", "")
    if digest != ctx.digest:
        problems.append(
            render(
                "digest-mismatch",
                file=file,
                sheet=META_SHEET,
                field="目录摘要",
                value=digest or "（无）",
                expected=ctx.digest,
            )
        )
    year = meta.get("year", "")
    if year and year != str(ctx.year):
        problems.append(
            render("year-mismatch", file=file, sheet=META_SHEET, field="年度", value=year, expected=ctx.year)
        )

    sheet: RawSheet | None = None
    if kind is not None:
        sheet_name = SHEET_BY_KIND[kind]
        sheet = raw.sheet(sheet_name)
        if sheet is None:
            problems.append(render("sheet-missing", file=file, sheet=sheet_name))

    branch = _branch(meta, sheet, kind, campaign, ctx, file, problems)
    if kind is not None and branch is not None:
        result.identity = Identity.model_construct(
            kind=kind,
            digest=digest,
            branch_id=branch.id,
            branch_name=branch.name,
            campaign=meta.get("campaign", ""),
            generator_version=meta.get("generator_version", ""),
        )
    if any(p.code in IDENTITY_CODES for p in problems) or kind is None or sheet is None or branch is None:
        return result

    _sheet_order(raw, sheet.name, file, problems)
    layout = ctx.layouts[kind]
    tampered, check_values = _tamper(sheet, layout, ctx.fixed[kind], file, problems)
    if not check_values:
        return result

    fill_date = _fill_date(sheet, layout, ctx, file, problems)
    rev = revision(meta)
    if kind is FormKind.TASKS:
        answers = _tasks(sheet, layout.sheet, ctx, file, problems)
        sub = Submission.model_construct(
            kind=kind, branch=branch, fill_date=fill_date, answers=answers, revision=rev
        )
    elif kind is FormKind.INSPECTION:
        insp = _inspection(sheet, layout.sheet, ctx, file, problems)
        sub = Submission.model_construct(
            kind=kind, branch=branch, fill_date=fill_date, inspection=insp, revision=rev
        )
    else:
        scores = _scores(sheet, layout.sheet, ctx, file, problems)
        sub = Submission.model_construct(
            kind=kind, branch=branch, fill_date=fill_date, scores=scores, revision=rev
        )
    if not tampered:
        result.submission = sub
    return result


def _branch(
    meta: dict[str, str],
    sheet: RawSheet | None,
    kind: FormKind | None,
    campaign: Campaign,
    ctx: _Context,
    file: str,
    problems: list[Problem],
) -> Branch | None:
    """The roster branch this form belongs to: the metadata's (personalized) or the header cell's (blank)."""
    sheet_name = sheet.name if sheet is not None else ""
    cell = a1(*BRANCH_CELL) if sheet is not None else ""
    header = text(sheet.get(*BRANCH_CELL)) if sheet is not None else ""
    label = Field.BRANCH.label
    meta_name = meta.get("branch_name", "")

    if meta_name:  # personalized form: the metadata is authoritative, the header must agree
        branch, _ = find_branch(meta_name, campaign, allow_short=False)
        if branch is None:
            problems.append(
                render(
                    "branch-unknown",
                    file=file,
                    sheet=sheet_name or META_SHEET,
                    cell=cell,
                    field=label,
                    value=meta_name,
                    suggestion=_suggestion(meta_name, ctx),
                )
            )
        if sheet is not None and header and name_key(header) != name_key(meta_name):
            problems.append(
                render(
                    "branch-mismatch",
                    file=file,
                    sheet=sheet_name,
                    cell=cell,
                    field=label,
                    value=header,
                    expected=meta_name,
                )
            )
        return branch

    if sheet is None or kind is None:
        return None
    if not header:
        problems.append(render("branch-blank", file=file, sheet=sheet_name, cell=cell, field=label))
        return None
    branch, exact = find_branch(header, campaign)
    if branch is None:
        problems.append(
            render(
                "branch-unknown",
                file=file,
                sheet=sheet_name,
                cell=cell,
                field=label,
                value=header,
                suggestion=_suggestion(header, ctx),
            )
        )
    elif not exact:
        problems.append(
            render(
                "branch-normalized",
                file=file,
                sheet=sheet_name,
                cell=cell,
                field=label,
                value=header,
                expected=branch.name,
            )
        )
    return branch


def _sheet_order(raw: RawWorkbook, form_sheet: str, file: str, problems: list[Problem]) -> None:
    """A warning when the form's sheets are not in the generated order (form, 填表说明, _meta): it takes
    unprotecting the workbook structure, but reading is by sheet name, so nothing else is affected."""
    expected = (form_sheet, GUIDE_SHEET, META_SHEET)
    present = [s.name for s in raw.sheets if s.name in expected]
    want = [n for n in expected if n in present]
    moved = next((w for p, w in zip(present, want, strict=True) if p != w), None)
    if moved is not None:
        problems.append(render("sheet-order", file=file, sheet=moved))


def _suggestion(name: str, ctx: _Context) -> str:
    close = suggest(name, ctx.names)
    return f"，是否为：{'、'.join(close)}？" if close else "，请核对名称"


def _tamper(
    sheet: RawSheet,
    layout: FormLayout,
    fixed: tuple[tuple[FixedCell, str | int], ...],
    file: str,
    problems: list[Problem],
) -> tuple[bool, bool]:
    """Locked cells vs the catalog → (tampered, values still worth checking)."""
    get = sheet.get
    bad = []
    for fc, key in fixed:
        actual = get(fc.row, fc.col)
        if actual is None and fc.row == layout.total_row and isinstance(key, int):
            continue  # a formula (=SUM of 分值) saved without its cached result, e.g. by openpyxl
        if type(actual) is str and actual == fc.value:
            continue  # exactly as generated (the usual case: no need to normalise)
        if not _same_fixed(actual, key):
            bad.append((fc, actual))
    if not bad:
        return False, True
    shift = _find_shift(sheet, bad)
    if shift is not None:
        fc, found = shift
        problems.append(
            render(
                "rows-shifted",
                file=file,
                sheet=layout.sheet,
                cell=fc.a1,
                field=fc.what,
                value=text(get(fc.row, fc.col)),
                what=fc.what,
                expected_cell=fc.a1,
                found_cell=found,
                count=len(bad),
            )
        )
        return True, False
    for fc, actual in bad[:TAMPER_DETAIL_LIMIT]:
        expected = fc.value if isinstance(fc.value, int) else text(fc.value)
        problems.append(
            render(
                "tampered",
                file=file,
                sheet=layout.sheet,
                cell=fc.a1,
                field=fc.what,
                value=text(actual) or "（空）",
                what=fc.what,
                expected=_clip(str(expected)),
            )
        )
    if len(bad) > TAMPER_DETAIL_LIMIT:
        problems.append(
            render("tampered-many", file=file, sheet=layout.sheet, count=len(bad) - TAMPER_DETAIL_LIMIT)
        )
    return True, len(bad) <= ISOLATED_TAMPER_LIMIT


def _clip(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[:n] + "…"


def _find_shift(sheet: RawSheet, bad: list[tuple[FixedCell, Any]]) -> tuple[FixedCell, str] | None:
    """If a mismatched long text sits elsewhere in the sheet, rows/columns were inserted or deleted."""
    if len(bad) < 2:
        return None
    for fc, _ in bad:
        if not isinstance(fc.value, str) or len(fc.value) < 8:
            continue
        want = squash(fc.value)
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                if isinstance(v, str) and (r, c) != (fc.row, fc.col) and squash(v) == want:
                    return fc, a1(r, c)
        return None  # the first distinctive text is not anywhere: edited, not moved
    return None


def _fill_date(
    sheet: RawSheet, layout: FormLayout, ctx: _Context, file: str, problems: list[Problem]
) -> dt.date | None:
    cell = layout.input(Field.DATE)
    v = sheet.get(cell.row, cell.col)
    where = {"file": file, "sheet": layout.sheet, "cell": cell.a1, "field": Field.DATE.label}
    if v is None or (isinstance(v, str) and not v.strip()):
        problems.append(render("date-blank", **where))
        return None
    d = parse_date(v, ctx.year)
    if d is None:
        problems.append(render("date-invalid", value=text(v), **where))
        return None
    if layout.kind is not FormKind.INSPECTION and not ctx.start <= d <= ctx.end:
        problems.append(
            render(
                "date-outside-window",
                value=d.isoformat(),
                start=ctx.start.isoformat(),
                end=ctx.end.isoformat(),
                **where,
            )
        )
    return d


def _score_value(
    v: Any,
    spec: _ItemSpec,
    sheet_name: str,
    col: int,
    field_label: str,
    blank_code: str,
    file: str,
    problems: list[Problem],
) -> float | None:
    """One score cell → number or None, with its problems."""
    state, num = parse_score(v)
    if state is OK or state is NORMALIZED:
        if not -1e-9 <= num <= spec.points + 1e-9:  # type: ignore[operator]
            problems.append(
                render(
                    "score-out-of-range",
                    file=file,
                    sheet=sheet_name,
                    cell=a1(spec.row, col),
                    field=f"{spec.id} {field_label}",
                    value=fmt_number(num),  # type: ignore[arg-type]
                    item=spec.label,
                    points=spec.points,
                )
            )
            return None
        if state is NORMALIZED:
            problems.append(
                render(
                    "score-normalized",
                    file=file,
                    sheet=sheet_name,
                    cell=a1(spec.row, col),
                    field=f"{spec.id} {field_label}",
                    value=v,
                    item=spec.label,
                    normalized=fmt_number(num),  # type: ignore[arg-type]
                )
            )
        return num
    where = {
        "file": file,
        "sheet": sheet_name,
        "cell": a1(spec.row, col),
        "field": f"{spec.id} {field_label}",
    }
    if state is BLANK:
        problems.append(render(blank_code, item=spec.label, points=spec.points, **where))
    else:
        problems.append(
            render("score-not-number", value=text(v), item=spec.label, points=spec.points, **where)
        )
    return None


def _scores(
    sheet: RawSheet, sheet_name: str, ctx: _Context, file: str, problems: list[Problem]
) -> tuple[ItemScore, ...]:
    out = []
    get = sheet.get
    score_label, note_label = Field.SCORE.label, Field.NOTE.label
    for spec in ctx.items:
        score = _score_value(
            get(spec.row, C_SCORE), spec, sheet_name, C_SCORE, score_label, "score-blank", file, problems
        )
        note = text(get(spec.row, C_NOTE))
        if score is not None and score < spec.points and not note:
            problems.append(
                render(
                    "note-required",
                    file=file,
                    sheet=sheet_name,
                    cell=a1(spec.row, C_NOTE),
                    field=f"{spec.id} {note_label}",
                    item=spec.label,
                    score=fmt_number(score),
                    points=spec.points,
                )
            )
        out.append(ItemScore.model_construct(_ITEM_FIELDS, item_id=spec.id, score=score, note=note))
    return tuple(out)


def _inspection(
    sheet: RawSheet, sheet_name: str, ctx: _Context, file: str, problems: list[Problem]
) -> tuple[InspectionScore, ...]:
    """督查评分表: the inspector's score per item (the self score beside it is read as given)."""
    out = []
    get = sheet.get
    label = Field.INSP_SCORE.label
    for spec in ctx.items:
        score = _score_value(
            get(spec.row, C_INSP_SCORE),
            spec,
            sheet_name,
            C_INSP_SCORE,
            label,
            "inspection-blank",
            file,
            problems,
        )
        state, self_score = parse_score(get(spec.row, C_SCORE))
        if state is BAD or (self_score is not None and not 0 <= self_score <= spec.points):
            self_score = None
        out.append(
            InspectionScore.model_construct(
                _INSPECTION_FIELDS,
                item_id=spec.id,
                self_score=self_score,
                score=score,
                opinion=text(get(spec.row, C_INSP_OPINION)),
            )
        )
    return tuple(out)


def _tasks(
    sheet: RawSheet, sheet_name: str, ctx: _Context, file: str, problems: list[Problem]
) -> tuple[TaskAnswer, ...]:
    out = []
    get = sheet.get
    choices = "、".join(STATUSES)
    status_label, done_label, issues_label = Field.STATUS.label, Field.DONE.label, Field.ISSUES.label
    for spec in ctx.tasks:
        raw_status = get(spec.row, C_STATUS)
        status_text = text(raw_status)
        status: str | None = None
        where = {
            "file": file,
            "sheet": sheet_name,
            "cell": a1(spec.row, C_STATUS),
            "field": f"{spec.id} {status_label}",
        }
        if not status_text:
            problems.append(render("status-blank", item=spec.label, choices=choices, **where))
        else:
            key = name_key(status_text)
            if key in STATUSES:
                status = key
            else:
                problems.append(
                    render("status-invalid", value=status_text, item=spec.label, choices=choices, **where)
                )
        done = text(get(spec.row, C_DONE))
        issues = text(get(spec.row, C_ISSUES))
        if not done and status != NOT_APPLICABLE:
            problems.append(
                render(
                    "text-required",
                    file=file,
                    sheet=sheet_name,
                    cell=a1(spec.row, C_DONE),
                    field=f"{spec.id} {done_label}",
                    item=spec.label,
                    field_label=done_label,
                )
            )
        # 存在问题及整改措施 is required for 持续推进/未完成; with no valid status only the status is reported.
        if not issues and status is not None and status not in (DONE_STATUS, NOT_APPLICABLE):
            problems.append(
                render(
                    "text-required",
                    file=file,
                    sheet=sheet_name,
                    cell=a1(spec.row, C_ISSUES),
                    field=f"{spec.id} {issues_label}",
                    item=spec.label,
                    field_label=issues_label,
                )
            )
        out.append(
            TaskAnswer.model_construct(_TASK_FIELDS, task_id=spec.id, status=status, done=done, issues=issues)
        )
    return tuple(out)
