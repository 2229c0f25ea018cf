"""RawWorkbook → Identity + Submission + Problems (SPEC §4): identity, tamper and value checks.

Every problem of a file is collected, not only the first. Identity problems mean nothing in the file can be
trusted, so value checks stop after them; a tampered form is rejected too. Value problems leave the file
usable: an invalid value becomes None in the Submission and the branch is asked to correct it.

This runs once per collected file, so everything that depends only on the campaign (digest, layouts, the
expected text of every locked cell, item labels, roster look-ups) is computed once per campaign (`validate_context`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..layout import META_SHEET, SHEET_BY_KIND
from ..messages import render
from ..models import Campaign, FormKind, Identity, Problem, RawSheet, RawWorkbook, Severity, Submission
from .cells import (
    BAD,
    BLANK,
    NORMALIZED,
    OK,
    fmt_number,
    item_label,
    parse_date,
    parse_score,
    squash,
)
from .context import campaign_context, suggest
from .identity import IDENTITY_CODES, branch_of, check_sheet_order, read_meta, revision
from .tamper import TAMPER_CODES, check_locked_cells
from .values import check_fill_date, inspection_scores, item_scores, task_answers

# Names other modules and the tests import from here.
__all__ = [
    "BAD",
    "BLANK",
    "BLOCKING_CODES",
    "NORMALIZED",
    "OK",
    "Validation",
    "fmt_number",
    "item_label",
    "parse_date",
    "parse_score",
    "read_meta",
    "revision",
    "squash",
    "suggest",
    "validate",
]

BLOCKING_CODES = IDENTITY_CODES | TAMPER_CODES  # these errors reject the whole file


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


def validate(raw: RawWorkbook, campaign: Campaign, file: str) -> Validation:
    """Check one workbook against the campaign; collect every problem."""
    ctx = campaign_context(campaign)
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

    branch = branch_of(meta, sheet, kind, campaign, ctx, file, problems)
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

    check_sheet_order(raw, sheet.name, file, problems)
    layout = ctx.layouts[kind]
    tampered, check_values = check_locked_cells(sheet, layout, ctx.fixed[kind], file, problems)
    if not check_values:
        return result

    fill_date = check_fill_date(sheet, layout, ctx, file, problems)
    rev = revision(meta)
    if kind is FormKind.TASKS:
        answers = task_answers(sheet, layout.sheet, ctx, file, problems)
        sub = Submission.model_construct(
            kind=kind, branch=branch, fill_date=fill_date, answers=answers, revision=rev
        )
    elif kind is FormKind.INSPECTION:
        insp = inspection_scores(sheet, layout.sheet, ctx, file, problems)
        sub = Submission.model_construct(
            kind=kind, branch=branch, fill_date=fill_date, inspection=insp, revision=rev
        )
    else:
        scores = item_scores(sheet, layout.sheet, ctx, file, problems)
        sub = Submission.model_construct(
            kind=kind, branch=branch, fill_date=fill_date, scores=scores, revision=rev
        )
    if not tampered:
        result.submission = sub
    return result
