"""Identity: which form and 党总支 a workbook claims to be (metadata, header cell, roster), and sheet order."""

from __future__ import annotations

from ..layout import BRANCH_CELL, GUIDE_SHEET, META_KEYS, META_SHEET, META_VALUE_COL, Field, a1
from ..messages import render
from ..models import Branch, Campaign, FormKind, Problem, RawSheet, RawWorkbook
from .cells import name_key, text
from .context import Context, find_branch, suggest

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


def branch_of(
    meta: dict[str, str],
    sheet: RawSheet | None,
    kind: FormKind | None,
    campaign: Campaign,
    ctx: Context,
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


def check_sheet_order(raw: RawWorkbook, form_sheet: str, file: str, problems: list[Problem]) -> None:
    """A warning when the form's sheets are not in the generated order (form, 填表说明, _meta): it takes
    unprotecting the workbook structure, but reading is by sheet name, so nothing else is affected."""
    expected = (form_sheet, GUIDE_SHEET, META_SHEET)
    present = [s.name for s in raw.sheets if s.name in expected]
    want = [n for n in expected if n in present]
    moved = next((w for p, w in zip(present, want, strict=True) if p != w), None)
    if moved is not None:
        problems.append(render("sheet-order", file=file, sheet=moved))


def _suggestion(name: str, ctx: Context) -> str:
    close = suggest(name, ctx.names)
    return f"，是否为：{'、'.join(close)}？" if close else "，请核对名称"
