"""Identity: which form and branch (党总支, 党支部 …) a workbook claims to be (metadata, header cell, roster),
and sheet order."""

from __future__ import annotations

from ..catalog import roster_names
from ..layout import BRANCH_CELL, GUIDE_SHEET, META_KEYS, META_SHEET, META_VALUE_COL, Field, a1
from ..messages import Code, render
from ..models import DEFAULT_UNIT, Branch, Campaign, FormKind, Problem, RawSheet, RawWorkbook
from .cells import name_key, text
from .context import Context, find_branch, suggest


def header_evidence(unit: str = DEFAULT_UNIT) -> str:
    """The evidence an 'identity-doubt' from the header cell names: 表头党总支名称, 表头党支部名称 …"""
    return f"表头{Field.BRANCH.label_for(unit)}"


_META_NAMES = frozenset(k for k, _ in META_KEYS)


def read_meta(sheet: RawSheet) -> dict[str, str]:
    """META_KEYS values by key name (column A = key, META_VALUE_COL = value), wherever their rows are."""
    keys = _META_NAMES
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


def branch_of(
    meta: dict[str, str],
    sheet: RawSheet | None,
    kind: FormKind | None,
    campaign: Campaign,
    ctx: Context,
    file: str,
    problems: list[Problem],
) -> tuple[Branch | None, Branch | None]:
    """The roster branch this form belongs to — the metadata's (personalized) or the header cell's (blank)
    — and, for a personalized form whose header names another roster branch, that branch (the claimant)."""
    header = text(sheet.get(*BRANCH_CELL)) if sheet is not None else ""
    at = {
        "file": file,
        "sheet": sheet.name if sheet is not None else "",
        "cell": a1(*BRANCH_CELL) if sheet is not None else "",
        "field": Field.BRANCH.label_for(ctx.unit),
        "unit": ctx.unit,
    }
    meta_name = meta.get("branch_name", "")
    if meta_name:  # personalized form: the metadata is authoritative, the header must agree
        return _personalized_branch(meta_name, header, campaign, ctx, at, problems)
    if sheet is None or kind is None:
        return None, None
    return _typed_branch(header, campaign, ctx, at, problems), None


def _personalized_branch(
    meta_name: str, header: str, campaign: Campaign, ctx: Context, at: dict[str, str], problems: list[Problem]
) -> tuple[Branch | None, Branch | None]:
    """A personalized form's branch: the metadata's name, which the header cell (when filled) must match.
    A header naming another roster branch puts the form's identity in doubt (that branch is returned as
    the claimant); one naming the same branch by another of its names is a warning; any other text in the
    header is a mismatch (the locked cell was changed)."""
    branch, _ = find_branch(meta_name, campaign, allow_short=False)
    if branch is None:
        unknown_at = {**at, "sheet": at["sheet"] or META_SHEET}
        suggestion = _suggestion(meta_name, ctx)
        problems.append(render(Code.BRANCH_UNKNOWN, value=meta_name, suggestion=suggestion, **unknown_at))
    if not header or name_key(header) == name_key(meta_name):  # no header without the form sheet
        return branch, None
    typed, _ = find_branch(header, campaign)
    if branch is not None and typed == branch:
        problems.append(render(Code.BRANCH_NORMALIZED, value=header, expected=branch.name, **at))
        return branch, None
    named = typed or header_branch(header, campaign)
    if branch is not None and named is not None and named != branch:
        problems.append(
            render(
                Code.IDENTITY_DOUBT,
                value=named.name,
                expected=branch.name,
                evidence=header_evidence(ctx.unit),
                **at,
            )
        )
        return branch, named
    problems.append(render(Code.BRANCH_MISMATCH, value=header, expected=meta_name, **at))
    return branch, None


def header_branch(header: str, campaign: Campaign) -> Branch | None:
    """The one roster branch whose name a header cell holds among other text (马克思主义学院党总支（代填）)."""
    named = roster_names(campaign.roster).named(header)
    return named[0] if len(named) == 1 else None


def _typed_branch(
    header: str, campaign: Campaign, ctx: Context, at: dict[str, str], problems: list[Problem]
) -> Branch | None:
    """A blank form's branch: the name typed into its header cell, looked up in the roster."""
    if not header:
        problems.append(render(Code.BRANCH_BLANK, **at))
        return None
    branch, exact = find_branch(header, campaign)
    if branch is None:
        problems.append(render(Code.BRANCH_UNKNOWN, value=header, suggestion=_suggestion(header, ctx), **at))
    elif not exact:
        problems.append(render(Code.BRANCH_NORMALIZED, value=header, expected=branch.name, **at))
    return branch


def check_sheet_order(
    raw: RawWorkbook, form_sheet: str, file: str, problems: list[Problem], unit: str = DEFAULT_UNIT
) -> None:
    """A warning when the form's sheets are not in the generated order (form, 填表说明, _meta): it takes
    unprotecting the workbook structure, but reading is by sheet name, so nothing else is affected."""
    expected = (form_sheet, GUIDE_SHEET, META_SHEET)
    present = [s.name for s in raw.sheets if s.name in expected]
    want = [n for n in expected if n in present]
    moved = next((w for p, w in zip(present, want, strict=True) if p != w), None)
    if moved is not None:
        problems.append(render(Code.SHEET_ORDER, file=file, sheet=moved, unit=unit))


def _suggestion(name: str, ctx: Context) -> str:
    close = suggest(name, ctx.names)
    return f"，是否为：{'、'.join(close)}？" if close else "，请核对名称"
