"""Per campaign, computed once: digest, layouts, the expected text of every locked cell, item labels and
roster look-ups (a typed 党总支 name → the roster branch)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..catalog import catalog_digest, roster_names, similar_names
from ..layout import (
    C_DONE,
    C_INSP_OPINION,
    C_INSP_SCORE,
    C_ISSUES,
    C_NOTE,
    C_SCORE,
    C_STATUS,
    FixedCell,
    FormLayout,
    form_layout,
)
from ..models import Branch, Campaign, FormKind
from .cells import item_label, name_key, squash


@dataclass(frozen=True)
class ItemSpec:
    id: str
    row: int
    points: int | float  # 0 for a task
    label: str


Cells = tuple[tuple[int, int], ...]  # (row, col) of the cells validation reads, for `cells.values_at`


@dataclass(frozen=True)
class Locked:
    """A form's locked cells as the tamper check reads them: each with its comparison key and where it is, and
    the values and their types as generated (a form holding exactly those is untouched: one comparison)."""

    cells: tuple[tuple[FixedCell, str | int | float], ...]  # (cell, comparison key)
    at: Cells
    values: list[str | int | float]
    types: list[type]  # str for a text, float for a number (as the readers give it)


def _locked(layout: FormLayout) -> Locked:
    cells = tuple((fc, squash(fc.value) if isinstance(fc.value, str) else fc.value) for fc in layout.fixed)
    return Locked(
        cells=cells,
        at=tuple((fc.row, fc.col) for fc, _ in cells),
        values=[fc.value for fc, _ in cells],
        types=[str if isinstance(fc.value, str) else float for fc, _ in cells],
    )


@dataclass(frozen=True)
class Context:
    digest: str
    year: int
    start: dt.date
    end: dt.date
    layouts: dict[FormKind, FormLayout]
    locked: dict[FormKind, Locked]
    items: tuple[ItemSpec, ...]
    tasks: tuple[ItemSpec, ...]
    item_cells: dict[int, Cells]  # the items' cells of a column (附件1, 督查评分表), by column
    task_cells: dict[int, Cells]  # the tasks' cells of a column (附件2), by column
    by_key: dict[str, Branch]  # name_key(name) → branch
    # another name (no suffix, no parentheticals, 简称) → branch, when unambiguous
    by_short: dict[str, Branch]
    names: tuple[str, ...]
    unit: str  # who fills the forms (党总支, 党支部 …): messages say it
    title: str  # the campaign's title, year and forms' version, as a form made from another version is told
    # the task statuses by comparison key (name_key) → as the catalog spells them
    statuses: dict[str, str]
    spelled: dict[str, str]  # a status typed as the catalog spells it → `statuses` of its key
    done_status: str
    na_status: str | None
    choices: str  # the statuses as messages list them: 已完成、持续推进、未完成、不适用


def _build_context(campaign: Campaign) -> Context:
    cat = campaign.catalog
    layouts = {k: form_layout(cat, k) for k in FormKind}
    rows1 = layouts[FormKind.SCORING].item_rows
    rows2 = layouts[FormKind.TASKS].item_rows
    items = tuple(ItemSpec(i.id, rows1[i.id], i.points, item_label(i.id, i.text)) for i in cat.items)
    tasks = tuple(ItemSpec(t.id, rows2[t.id], 0, item_label(t.id, t.text)) for t in cat.tasks)
    by_key = {name_key(b.name): b for b in campaign.roster}
    by_short = dict(roster_names(campaign.roster).variants)  # unambiguous, never another's full name
    statuses = {name_key(s): s for s in cat.statuses}
    return Context(
        digest=catalog_digest(cat),
        year=campaign.year,
        start=campaign.self_check_start,
        end=campaign.self_check_end,
        layouts=layouts,
        locked={k: _locked(lay) for k, lay in layouts.items()},
        items=items,
        tasks=tasks,
        item_cells={
            c: tuple((i.row, c) for i in items) for c in (C_SCORE, C_NOTE, C_INSP_SCORE, C_INSP_OPINION)
        },
        task_cells={c: tuple((t.row, c) for t in tasks) for c in (C_STATUS, C_DONE, C_ISSUES)},
        by_key=by_key,
        by_short=by_short,
        names=tuple(b.name for b in campaign.roster),
        unit=cat.unit,
        title=version_title(campaign.title, str(campaign.year), cat.version),
        statuses=statuses,
        spelled={s: statuses[name_key(s)] for s in cat.statuses},
        done_status=cat.done_status,
        na_status=cat.na_status,
        choices="、".join(cat.statuses),
    )


def version_title(title: str, year: str, version: str) -> str:
    """“督查名称（2018年，版本 2018-zznu-1）”: which campaign and forms a form was made for, as a 表格版本不符
    message says it; the parts not known are left out."""
    inside = "，".join(p for p in (f"{year}年" if year else "", f"版本 {version}" if version else "") if p)
    if not title and not inside:
        return "其他版本"
    return f"“{title or '督查'}{f'（{inside}）' if inside else ''}”"


_CONTEXTS: dict[int, tuple[Campaign, Context]] = {}


def campaign_context(campaign: Campaign) -> Context:
    hit = _CONTEXTS.get(id(campaign))
    if hit is not None and hit[0] is campaign:
        return hit[1]
    ctx = _build_context(campaign)
    if len(_CONTEXTS) > 8:
        _CONTEXTS.clear()
    _CONTEXTS[id(campaign)] = (campaign, ctx)  # holding the campaign keeps its id from being reused
    return ctx


def suggest(name: str, names: tuple[str, ...], n: int = 3) -> list[str]:
    """Roster names close to a typed name, by meaning first (`catalog.similar_names`)."""
    return similar_names(name, names, n)


def find_branch(name: str, campaign: Campaign, *, allow_short: bool = True) -> tuple[Branch | None, bool]:
    """Look a typed 党总支 name up in the roster → (branch, exact). Short names only when unambiguous."""
    ctx = campaign_context(campaign)
    key = name_key(name)
    b = ctx.by_key.get(key)
    if b is not None:
        return b, True
    if allow_short:
        b = ctx.by_short.get(key)
        if b is not None:
            return b, False
    return None, False
