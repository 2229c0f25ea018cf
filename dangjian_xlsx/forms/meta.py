"""The 填表说明 and the hidden metadata (_meta) sheets of one workbook."""

from __future__ import annotations

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .. import GENERATOR, __version__, layout
from ..layout import FormLayout
from ..models import Branch, Campaign, FormKind
from .protect import protect
from .style import Styles, setup_print, text_height
from .text import CopyState, guide_lines


def write_guide(
    ws: Worksheet,
    st: Styles,
    campaign: Campaign,
    kind: FormKind,
    branch: Branch | None,
    revision: int = 0,
    copy: CopyState = CopyState.MARKED,
) -> None:
    # Two columns (number, text): LibreOffice does not scale a single too-wide column to the page.
    widths = (4, 84)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    rows = guide_lines(campaign, kind, branch, revision, copy)
    for r, (style, number, text) in enumerate(rows):
        size = 16 if style == "guide_title" else 11
        if number:
            ws.write_string(r, 0, number, st["guide_text"])
            ws.write_string(r, 1, text, st[style])
            width: float = widths[1]
        else:
            ws.merge_range(r, 0, r, 1, "", st[style])
            ws.write_string(r, 0, text, st[style])
            width = sum(widths)
        ws.set_row(r, text_height(text, width, size, minimum=32 if size == 16 else 22))
    setup_print(ws, last_row=len(rows) - 1, last_col=1, landscape=False)
    ws.hide_gridlines(2)
    protect(ws, campaign.password)


def meta_values(
    campaign: Campaign, kind: FormKind, branch: Branch | None, digest: str, revision: int = 0
) -> dict[str, str]:
    """The identity stamped into the metadata sheet, by META_KEYS key; `digest` is the catalog's
    (`catalog_digest`, computed once per workbook by the caller)."""
    cat = campaign.catalog
    values = {
        "form_kind": kind.value,
        "catalog_version": cat.version,
        "catalog_digest": digest,
        "campaign": campaign.title,
        "school": campaign.school,
        "year": str(campaign.year),
        "branch_id": branch.id if branch else "",
        "branch_name": branch.name if branch else "",
        "generator": GENERATOR,
        "generator_version": __version__,
        "revision": str(revision),
    }
    assert list(values) == [k for k, _ in layout.META_KEYS]
    return values


def write_meta(
    wb: xlsxwriter.Workbook,
    ws: Worksheet,
    st: Styles,
    campaign: Campaign,
    kind: FormKind,
    lay: FormLayout,
    branch: Branch | None,
    digest: str,
    revision: int = 0,
) -> None:
    meta, head = st["meta"], st["meta_head"]
    sheet_ref = f"'{layout.META_SHEET}'"
    vcol = layout.META_VALUE_COL
    for c, w in enumerate((22, 16, 40, 20)):
        ws.set_column(c, c, w)
    values = meta_values(campaign, kind, branch, digest, revision)
    for r, (key, label) in enumerate(layout.META_KEYS):
        ws.write_string(r, 0, key, meta)
        ws.write_string(r, 1, label, meta)
        ws.write_string(r, vcol, values[key], meta)
        if key in layout.META_NAMES:
            col = layout.col_letter(vcol)
            wb.define_name(layout.META_NAMES[key], f"={sheet_ref}!${col}${r + 1}")
    for c, text in enumerate(("名称", "字段", "编号", "单元格")):
        ws.write_string(layout.META_INPUT_HEADER_ROW, c, text, head)
    form_ref = f"'{lay.sheet}'"
    for r, cell in enumerate(lay.inputs, start=layout.META_FIRST_INPUT_ROW):
        ws.write_string(r, 0, cell.name, meta)
        ws.write_string(r, 1, cell.field.value, meta)
        ws.write_string(r, 2, cell.ref_id, meta)
        ws.write_string(r, 3, f"{lay.sheet}!{cell.a1}", meta)
        col = layout.col_letter(cell.col)
        wb.define_name(cell.name, f"={form_ref}!${col}${cell.row + 1}")
    ws.very_hidden()
    protect(ws, campaign.password)
