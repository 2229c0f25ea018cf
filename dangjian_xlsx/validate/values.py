"""The values of a trusted form: fill date, scores, 督查 scores and task answers, each checked → Problems."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..layout import (
    C_DONE,
    C_INSP_OPINION,
    C_INSP_SCORE,
    C_ISSUES,
    C_NOTE,
    C_SCORE,
    C_STATUS,
    Field,
    FormLayout,
    a1,
)
from ..messages import Code, render
from ..models import FormKind, InspectionScore, ItemScore, Problem, RawSheet, TaskAnswer
from .cells import BAD, BLANK, NORMALIZED, OK, fmt_number, name_key, parse_date, parse_score, text, values_at
from .context import Context, ItemSpec


def check_fill_date(
    sheet: RawSheet,
    layout: FormLayout,
    ctx: Context,
    file: str,
    problems: list[Problem],
    *,
    corrected: bool = False,
) -> dt.date | None:
    """The form's 填报日期, with its problems; a date outside the self-check is a warning, except a date after
    it on a corrected copy (更正表: corrected after the self-check, naturally dated later)."""
    cell = layout.input(Field.DATE)
    v = sheet.get(cell.row, cell.col)
    where = {
        "file": file,
        "sheet": layout.sheet,
        "cell": cell.a1,
        "field": Field.DATE.label,
        "unit": ctx.unit,
    }
    if v is None or (isinstance(v, str) and not v.strip()):
        problems.append(render(Code.DATE_BLANK, **where))
        return None
    d = parse_date(v, ctx.year)
    if d is None:
        example = ctx.end.isoformat()  # the last day of the self-check, as the form's prompt shows it
        problems.append(render(Code.DATE_INVALID, value=text(v), example=example, **where))
        return None
    late_ok = corrected and d > ctx.end
    if layout.kind is not FormKind.INSPECTION and not ctx.start <= d <= ctx.end and not late_ok:
        problems.append(
            render(
                Code.DATE_OUTSIDE_WINDOW,
                value=d.isoformat(),
                start=ctx.start.isoformat(),
                end=ctx.end.isoformat(),
                **where,
            )
        )
    return d


def _at(file: str, sheet_name: str, spec: ItemSpec, col: int, label: str, unit: str) -> dict[str, str]:
    """Where a problem of one item's cell is: file, sheet, cell (A1) and field ("S01.2 自评得分"), and the
    unit the messages name."""
    return {
        "file": file,
        "sheet": sheet_name,
        "cell": a1(spec.row, col),
        "field": f"{spec.id} {label}",
        "unit": unit,
    }


def _in_range(num: float, spec: ItemSpec) -> bool:
    """A score within 0 … the item's points (rounding noise allowed)."""
    return -1e-9 <= num <= spec.points + 1e-9


def _score_value(
    v: Any,
    spec: ItemSpec,
    sheet_name: str,
    col: int,
    field_label: str,
    blank_code: Code,
    file: str,
    unit: str,
    problems: list[Problem],
) -> float | None:
    """One score cell → number or None, with its problems."""
    state, num = parse_score(v)
    if state is OK and _in_range(num, spec):  # type: ignore[arg-type]
        return num  # the usual case: nothing to report, nothing to word
    where = _at(file, sheet_name, spec, col, field_label, unit)
    points = fmt_number(spec.points)  # 2, 0.5: as the form shows it
    if state is OK or state is NORMALIZED:
        if not _in_range(num, spec):  # type: ignore[arg-type]
            problems.append(
                render(
                    Code.SCORE_OUT_OF_RANGE,
                    value=fmt_number(num),  # type: ignore[arg-type]
                    item=spec.label,
                    points=points,
                    **where,
                )
            )
            return None
        if state is NORMALIZED:
            problems.append(
                render(
                    Code.SCORE_NORMALIZED,
                    value=text(v),
                    item=spec.label,
                    normalized=fmt_number(num),  # type: ignore[arg-type]
                    **where,
                )
            )
        return num
    if state is BLANK:
        problems.append(render(blank_code, item=spec.label, points=points, **where))
    else:
        problems.append(render(Code.SCORE_NOT_NUMBER, value=text(v), item=spec.label, points=points, **where))
    return None


def item_scores(
    sheet: RawSheet, sheet_name: str, ctx: Context, file: str, problems: list[Problem]
) -> tuple[ItemScore, ...]:
    out = []
    scores, notes = values_at(sheet, ctx.item_cells[C_SCORE]), values_at(sheet, ctx.item_cells[C_NOTE])
    score_label, note_label = Field.SCORE.label, Field.NOTE.label
    for spec, v, note_value in zip(ctx.items, scores, notes, strict=True):
        if type(v) is float and _in_range(v, spec):
            score: float | None = v  # the usual case (`_score_value`'s first): nothing to report
        else:
            score = _score_value(
                v, spec, sheet_name, C_SCORE, score_label, Code.SCORE_BLANK, file, ctx.unit, problems
            )
        note = text(note_value)
        if score is not None and score < spec.points and not note:
            where = _at(file, sheet_name, spec, C_NOTE, note_label, ctx.unit)
            points = fmt_number(spec.points)
            problems.append(
                render(Code.NOTE_REQUIRED, item=spec.label, score=fmt_number(score), points=points, **where)
            )
        out.append(ItemScore(spec.id, score, note))
    return tuple(out)


def inspection_scores(
    sheet: RawSheet, sheet_name: str, ctx: Context, file: str, problems: list[Problem]
) -> tuple[InspectionScore, ...]:
    """督查评分表: the inspector's score per item (the self score beside it is read as given)."""
    out = []
    label = Field.INSP_SCORE.label
    cells = (values_at(sheet, ctx.item_cells[c]) for c in (C_INSP_SCORE, C_SCORE, C_INSP_OPINION))
    for spec, value, self_value, opinion in zip(ctx.items, *cells, strict=True):
        score = _score_value(
            value, spec, sheet_name, C_INSP_SCORE, label, Code.INSPECTION_BLANK, file, ctx.unit, problems
        )
        state, self_score = parse_score(self_value)
        if state is BAD or (self_score is not None and not 0 <= self_score <= spec.points):
            self_score = None
        out.append(InspectionScore(spec.id, self_score, score, text(opinion)))
    return tuple(out)


def task_answers(
    sheet: RawSheet, sheet_name: str, ctx: Context, file: str, problems: list[Problem]
) -> tuple[TaskAnswer, ...]:
    out = []
    choices, unit, na = ctx.choices, ctx.unit, ctx.na_status  # statuses: 已完成、持续推进、未完成、不适用
    settled = (ctx.done_status, na)
    cells = (values_at(sheet, ctx.task_cells[c]) for c in (C_STATUS, C_DONE, C_ISSUES))
    for spec, status_value, done_value, issues_value in zip(ctx.tasks, *cells, strict=True):
        status_text = text(status_value)
        status: str | None = None
        if not status_text:
            where = _at(file, sheet_name, spec, C_STATUS, Field.STATUS.label, unit)
            problems.append(render(Code.STATUS_BLANK, item=spec.label, choices=choices, **where))
        else:
            status = ctx.spelled.get(status_text)  # as the catalog spells it (the usual case), else by key
            if status is None:
                status = ctx.statuses.get(name_key(status_text))
            if status is None:
                where = _at(file, sheet_name, spec, C_STATUS, Field.STATUS.label, unit)
                problems.append(
                    render(Code.STATUS_INVALID, value=status_text, item=spec.label, choices=choices, **where)
                )
        done, issues = text(done_value), text(issues_value)
        # 完成情况 is always required except for the status meaning "does not apply" (不适用); 存在问题及整改措施
        # for a task not done (持续推进, 未完成 …: neither the done status nor that one). With no valid status
        # only the status is reported.
        if not done and (status is None or status != na):
            _text_required(spec, C_DONE, Field.DONE, sheet_name, ctx, file, problems)
        if not issues and status is not None and status not in settled:
            _text_required(spec, C_ISSUES, Field.ISSUES, sheet_name, ctx, file, problems)
        out.append(TaskAnswer(spec.id, status, done, issues))
    return tuple(out)


def _text_required(
    spec: ItemSpec, col: int, fld: Field, sheet_name: str, ctx: Context, file: str, problems: list[Problem]
) -> None:
    where = _at(file, sheet_name, spec, col, fld.label, ctx.unit)
    problems.append(render(Code.TEXT_REQUIRED, item=spec.label, field_label=fld.label, **where))


def blank_form_items(sheet: RawSheet, layout: FormLayout, ctx: Context) -> int:
    """A returned blank template: every item's input cells empty → the number of items; else 0."""
    for cell in layout.inputs:
        if cell.ref_id and text(sheet.get(cell.row, cell.col)):
            return 0
    return len(ctx.tasks) if layout.kind is FormKind.TASKS else len(ctx.items)


def is_blank_form_noise(p: Problem, item_ids: frozenset[str]) -> bool:
    """A problem that only says a cell of a blank template is empty (replaced by one 'form-blank'): an
    empty item cell (`item_ids`: the form's item or task ids) or the empty fill date."""
    if not Code(p.code).blank:
        return False
    return p.code == Code.DATE_BLANK or p.field.partition(" ")[0] in item_ids
