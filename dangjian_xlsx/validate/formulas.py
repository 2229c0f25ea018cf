"""Input cells that read as blank but are not: a formula typed into the cell, or an error value.

python-calamine returns a formula cell's *saved result* and nothing else. A formula saved without a result
(openpyxl and some converters write none) and an error value (#VALUE!, #N/A …) both read as an empty cell,
and validation reports them as "未填写". After validation — only for an .xlsx/.xlsm file that has such
blank-input problems, so a clean file costs nothing — this module looks those few cells up in the
worksheet XML (already verified by read.check_zip: sizes, CRCs, no DTD) and replaces each problem:

- a formula in an input cell → 'formula-in-input' (same severity as the problem it replaces), showing the
  formula text literally (it is never evaluated);
- an error value in a score cell → 'score-not-number' showing the error (e.g. #VALUE!); in any other input
  cell the blank problem stays, with the error as the value found.

A formula saved *with* its result (Excel, WPS and LibreOffice always save one) is read as that result —
what the person saw — and is not reported. .xls and .ods files are not looked at: their writers always
save results, and calamine reads them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .. import read
from ..messages import Code, render
from ..models import Campaign, Problem
from ..visible import visible
from .cells import fmt_number, item_label

MAX_PART = 16 * read.MB  # a worksheet part larger than this is not looked at (the blank problems stay)

_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_C_OPEN = re.compile(rb"<" + _NS + rb"c(\s[^<>]*?)?(/?)>")
_C_CLOSE = re.compile(rb"</" + _NS + rb"c\s*>")
_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Z]{1,3}[0-9]{1,7})["']""")
_T_ERROR = re.compile(rb"""(?:^|\s)t\s*=\s*["']e["']""")
_F = re.compile(rb"<" + _NS + rb"f(?:\s[^<>]*?)?(?:/>|>([^<]*)</" + _NS + rb"f\s*>)")
_V = re.compile(rb"<" + _NS + rb"v(?:\s[^<>]*)?>([^<]*)</")


@dataclass(frozen=True)
class CellXml:
    formula: str | None  # the formula without '=' ('' for a shared formula's dependent cell); None: none
    error: str | None  # the saved error value (#VALUE!), or None


def explain_blanks(data: bytes, fmt: str, problems: list[Problem], campaign: Campaign) -> None:
    """Replace, in place, blank-input problems whose cell holds a formula or an error value."""
    if fmt not in ("xlsx", "xlsm"):
        return
    wanted: dict[str, set[str]] = {}
    for p in problems:
        if Code(p.code).blank and p.sheet and p.cell:
            wanted.setdefault(p.sheet, set()).add(p.cell)
    if not wanted:
        return
    try:
        cells = input_cells(data, wanted)
    except Exception:  # best effort: the blank problems stand as they are
        return
    for k, p in enumerate(problems):
        c = cells.get((p.sheet, p.cell)) if Code(p.code).blank else None
        if c is not None:
            problems[k] = _explain(p, c, campaign)


def input_cells(data: bytes, wanted: dict[str, set[str]]) -> dict[tuple[str, str], CellXml]:
    """(sheet, A1) → what the XML says, for the wanted cells that hold a formula or an error value."""
    out: dict[tuple[str, str], CellXml] = {}
    for sheet, xml in read.sheet_xml(data, wanted, MAX_PART).items():
        out.update({(sheet, ref): c for ref, c in scan_cells(xml, wanted[sheet]).items()})
    return out


def scan_cells(xml: bytes, refs: set[str]) -> dict[str, CellXml]:
    """The formula / error value of the cells `refs` (A1) in a worksheet part, where there is one."""
    out: dict[str, CellXml] = {}
    found = 0
    for m in _C_OPEN.finditer(xml):
        attrs = m.group(1) or b""
        r = _R.search(attrs)
        if r is None or r.group(1).decode() not in refs:
            continue
        found += 1
        if not m.group(2):  # a self-closing cell holds nothing
            end = _C_CLOSE.search(xml, m.end())
            body = xml[m.end() : end.start() if end else len(xml)]
            f, v = _F.search(body), _V.search(body)
            formula = None if f is None else _text(f.group(1)) if f.group(1) is not None else ""
            error = _text(v.group(1)) if v is not None and _T_ERROR.search(attrs) else None
            if formula is not None or error:
                out[r.group(1).decode()] = CellXml(formula, error or None)
        if found == len(refs):
            break
    return out


def _text(raw: bytes) -> str:
    return visible(html.unescape(raw.decode("utf-8", "replace")).strip())


def _label(ref_id: str, campaign: Campaign) -> tuple[str, int | float | None]:
    """'S01.2（坚持把党建工作与中心…）' and its points, for an item or task id; (id, None) otherwise."""
    cat = campaign.catalog
    item = cat.item_by_id.get(ref_id)
    if item is not None:
        return item_label(item.id, item.text), item.points
    task = next((t for t in cat.tasks if t.id == ref_id), None)
    return (item_label(task.id, task.text), None) if task is not None else (ref_id, None)


def _explain(p: Problem, c: CellXml, campaign: Campaign) -> Problem:
    where = {
        "file": p.file,
        "sheet": p.sheet,
        "cell": p.cell,
        "field": p.field,
        "unit": campaign.catalog.unit,
    }
    ref_id, _, field_label = p.field.partition(" ")  # 'S01.2 自评得分'; '填报日期' for header fields
    label, points = _label(ref_id, campaign) if field_label else (p.field, None)
    if c.formula is not None:
        item = f"{label}的{field_label}" if field_label else label
        value = f"={c.formula}" if c.formula else "（共享公式）"
        return render(Code.FORMULA_IN_INPUT, value=value, item=item, severity=p.severity, **where)
    if Code(p.code).blank_score and points is not None:
        return render(Code.SCORE_NOT_NUMBER, value=c.error, item=label, points=fmt_number(points), **where)
    return p.model_copy(update={"value": c.error or ""})
