"""RawWorkbook → Identity + Submission + Problems (SPEC §4): identity, tamper and value checks.

Every problem of a file is collected, not only the first. Identity problems mean nothing in the file can be
trusted, so value checks stop after them; a tampered form is rejected too. Value problems leave the file
usable: an invalid value becomes None in the Submission and the branch is asked to correct it.

This runs once per collected file, so everything that depends only on the campaign (digest, layouts, the
expected text of every locked cell, item labels, roster look-ups) is computed once per campaign
(`context.campaign_context`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..layout import META_SHEET, SHEET_BY_KIND, Field
from ..messages import Code, render
from ..models import (
    Branch,
    Campaign,
    FormKind,
    Identity,
    Problem,
    RawSheet,
    RawWorkbook,
    Severity,
    Submission,
)
from .cells import text
from .context import Context, campaign_context, version_title
from .identity import branch_of, check_sheet_order, read_meta, revision
from .tamper import check_locked_cells
from .values import (
    blank_form_items,
    check_fill_date,
    inspection_scores,
    is_blank_form_noise,
    item_scores,
    task_answers,
)


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
    # a personalized form whose header cell names another roster branch: that branch ('identity-doubt')
    claimant: Branch | None = None

    @property
    def blocking(self) -> bool:
        """True when an identity or tamper error makes the file's values untrustworthy (→ rejected)."""
        return any(Code(p.code).rejects and p.severity is Severity.ERROR for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


@dataclass
class _Claim:
    """What a workbook says it is: its metadata, form kind, form sheet and 党总支 (None: not determined)."""

    meta: dict[str, str]
    kind: FormKind | None = None
    sheet: RawSheet | None = None
    branch: Branch | None = None
    claimant: Branch | None = None


SIGN = (Field.INSP_GROUP, Field.INSPECTOR)  # the 督查评分表's optional signature line


def validate(raw: RawWorkbook, campaign: Campaign, file: str) -> Validation:
    """Check one workbook against the campaign; collect every problem."""
    ctx = campaign_context(campaign)
    result = Validation()
    problems = result.problems
    meta_sheet = raw.sheet(META_SHEET)
    if meta_sheet is None:
        problems.append(render(Code.META_MISSING, file=file, unit=ctx.unit))
        return result
    claim = _identify(raw, read_meta(meta_sheet), campaign, ctx, file, problems)
    kind, sheet, branch = claim.kind, claim.sheet, claim.branch
    result.claimant = claim.claimant
    if kind is not None and branch is not None:
        result.identity = Identity.model_construct(
            kind=kind,
            digest=claim.meta.get("catalog_digest", ""),
            branch_id=branch.id,
            branch_name=branch.name,
            campaign=claim.meta.get("campaign", ""),
            generator_version=claim.meta.get("generator_version", ""),
        )
    if any(Code(p.code).stops_values for p in problems) or kind is None or sheet is None or branch is None:
        return result
    if claim.claimant is not None:  # the header names another branch: whose values they are is not known
        return result

    check_sheet_order(raw, sheet.name, file, problems, ctx.unit)
    tampered, check_values = check_locked_cells(sheet, ctx.layouts[kind], ctx.locked[kind], file, problems)
    if check_values:
        sub = _submission(kind, sheet, branch, claim.meta, ctx, file, problems)
        if not tampered:
            result.submission = sub
    return result


def _identify(
    raw: RawWorkbook,
    meta: dict[str, str],
    campaign: Campaign,
    ctx: Context,
    file: str,
    problems: list[Problem],
) -> _Claim:
    """The metadata's form kind, template digest and year, the form sheet and the 党总支, with their problems."""
    claim = _Claim(meta)
    kind_text = meta.get("form_kind", "")
    try:
        claim.kind = FormKind(kind_text)
    except ValueError:
        problems.append(
            render(
                Code.KIND_UNKNOWN,
                file=file,
                sheet=META_SHEET,
                field="表格类型",
                value=kind_text,
                unit=ctx.unit,
            )
        )
    at_meta = {"file": file, "sheet": META_SHEET, "unit": ctx.unit}
    digest = meta.get("catalog_digest", "")
    if digest != ctx.digest:
        made_from = version_title(
            meta.get("campaign", ""), meta.get("year", ""), meta.get("catalog_version", "")
        )
        # the same title, year and version, yet other forms: the forms' content was edited, not renamed
        current = ctx.title if made_from != ctx.title else "同名但内容已修改的版本"
        problems.append(
            render(
                Code.DIGEST_MISMATCH,
                field="目录摘要",
                value=digest or "（无）",
                expected=ctx.digest,
                made_from=made_from,
                current=current,
                **at_meta,
            )
        )
    year = meta.get("year", "")
    if year and year != str(ctx.year):
        problems.append(render(Code.YEAR_MISMATCH, field="年度", value=year, expected=ctx.year, **at_meta))
    school = meta.get("school", "")
    if school and school != campaign.school:
        problems.append(
            render(Code.SCHOOL_MISMATCH, field="学校", value=school, expected=campaign.school, **at_meta)
        )
    if claim.kind is not None:
        sheet_name = SHEET_BY_KIND[claim.kind]
        claim.sheet = raw.sheet(sheet_name)
        if claim.sheet is None:
            problems.append(render(Code.SHEET_MISSING, file=file, sheet=sheet_name, unit=ctx.unit))
    claim.branch, claim.claimant = branch_of(meta, claim.sheet, claim.kind, campaign, ctx, file, problems)
    return claim


def _submission(
    kind: FormKind,
    sheet: RawSheet,
    branch: Branch,
    meta: dict[str, str],
    ctx: Context,
    file: str,
    problems: list[Problem],
) -> Submission:
    """The values of a trusted form (fill date, then scores, 督查 scores or task answers), with their problems."""
    layout = ctx.layouts[kind]
    blank = blank_form_items(sheet, layout, ctx)
    before = len(problems)
    rev = revision(meta)
    fill_date = check_fill_date(sheet, layout, ctx, file, problems, corrected=rev > 0)
    sub = _values(kind, sheet, branch, fill_date, rev, ctx, file, problems)
    if blank:  # a returned blank template: one problem, not one per empty cell
        ids = frozenset(layout.item_rows)
        problems[before:] = [
            render(Code.FORM_BLANK, file=file, sheet=layout.sheet, count=blank, unit=ctx.unit),
            *(p for p in problems[before:] if not is_blank_form_noise(p, ids)),
        ]
    return sub


def _values(
    kind: FormKind,
    sheet: RawSheet,
    branch: Branch,
    fill_date: dt.date | None,
    rev: int,
    ctx: Context,
    file: str,
    problems: list[Problem],
) -> Submission:
    layout = ctx.layouts[kind]
    if kind is FormKind.TASKS:
        answers = task_answers(sheet, layout.sheet, ctx, file, problems)
        return Submission.model_construct(
            kind=kind, branch=branch, fill_date=fill_date, answers=answers, revision=rev
        )
    if kind is FormKind.INSPECTION:
        insp = inspection_scores(sheet, layout.sheet, ctx, file, problems)
        group, inspector = (text(sheet.get(c.row, c.col)) for c in map(layout.input, SIGN))
        return Submission.model_construct(
            kind=kind,
            branch=branch,
            fill_date=fill_date,
            inspection=insp,
            inspection_group=group,
            inspector=inspector,
            revision=rev,
        )
    scores = item_scores(sheet, layout.sheet, ctx, file, problems)
    return Submission.model_construct(
        kind=kind, branch=branch, fill_date=fill_date, scores=scores, revision=rev
    )
