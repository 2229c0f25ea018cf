"""The tone (red / amber / green / grey) of every status word the summary colours, derived from where each
word is defined: the file outcomes and problem severities (models), the statuses the aggregate tables
write, the task statuses of 附件2 (the catalog's, each coloured by its role: done green, in progress amber,
not done red, not applicable grey) and the 整改状态 of the 问题台账. Renaming a status renames its coloured
word with it; adding an `Outcome` or a `Severity` without a tone fails the tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from .. import aggregate as ag
from ..models import Catalog, Outcome, Severity

Tone = Literal["red", "amber", "green", "grey"]
RED: Tone = "red"
AMBER: Tone = "amber"
GREEN: Tone = "green"
GREY: Tone = "grey"

OUTCOME_TONES: dict[Outcome, Tone] = {
    Outcome.ACCEPTED: GREEN,
    Outcome.WARNINGS: AMBER,
    Outcome.NEEDS_FIX: RED,
    Outcome.REJECTED: RED,
    Outcome.IDENTITY_DOUBT: RED,
    Outcome.SUPERSEDED: GREY,
    Outcome.IGNORED: GREY,
    Outcome.NOT_A_FORM: GREY,
    Outcome.REPORT: GREEN,
}
SEVERITY_TONES: dict[Severity, Tone] = {Severity.ERROR: RED, Severity.WARNING: AMBER}
# 提交情况, 得分汇总's 状态 and 督查结论: the aggregate tables' status words
AGGREGATE_TONES: dict[str, Tone] = {
    ag.SUB_MISSING: RED,
    ag.SUB_FIX: RED,
    ag.SUB_DOUBT: RED,
    ag.SCORE_FIX: RED,
    ag.SCORE_DOUBT: RED,
    ag.FLAG_INFLATED: RED,
    ag.SUBMIT_NONE: RED,
    ag.SUBMIT_PART: AMBER,
    ag.SUBMIT_ALL: GREEN,
    ag.QUALITY_FIX: RED,
    ag.QUALITY_DOUBT: RED,
    ag.QUALITY_NONE: RED,
    ag.QUALITY_OK: GREEN,
    ag.SUB_WARN: AMBER,
    ag.INSP_NOT_COMPARED: AMBER,
    ag.SUB_OK: GREEN,
    ag.SCORE_OK: GREEN,
    ag.INSP_DONE: GREEN,
}
# Status words that carry a count (暂计（待更正，3 处问题）): coloured by what they begin with.
PREFIX_TONES: dict[str, Tone] = {ag.PROVISIONAL: AMBER, ag.INSP_PENDING: RED}
# A task status's tone by its role (aggregate.status_roles).
ROLE_TONES: dict[str, Tone] = {
    ag.ROLE_NOT_DONE: RED,
    ag.ROLE_PROGRESS: AMBER,
    ag.ROLE_DONE: GREEN,
    ag.ROLE_NA: GREY,
}
# 问题台账's 整改状态, typed by 组织部 (the sheet's note lists them)
FIX_NOT_STARTED, FIX_IN_PROGRESS, FIX_DONE = "未整改", "整改中", "已整改"
FIX_STATES = (FIX_NOT_STARTED, FIX_IN_PROGRESS, FIX_DONE)
FIX_TONES: dict[str, Tone] = {FIX_NOT_STARTED: RED, FIX_IN_PROGRESS: AMBER, FIX_DONE: GREEN}


def task_tones(catalog: Catalog) -> dict[str, Tone]:
    """The catalog's task statuses → their tones (by role), red first, then amber, green, grey."""
    roles = ag.status_roles(catalog)
    order = list(ROLE_TONES)
    return {s: ROLE_TONES[role] for s, role in sorted(roles.items(), key=lambda sr: order.index(sr[1]))}


# Conditional colours: status word → tone (one rule per word; words shared by two sources agree); a round's
# task statuses are added by `status_colours`.
_OWN_TONES: dict[str, Tone] = {
    **AGGREGATE_TONES,
    **{str(o.value): tone for o, tone in OUTCOME_TONES.items()},
    **{str(s.value): tone for s, tone in SEVERITY_TONES.items()},
}
STATUS_COLOURS: dict[str, Tone] = {**_OWN_TONES, **FIX_TONES}


def status_colours(catalog: Catalog) -> dict[str, Tone]:
    """Every status word of a round's summary and feedback → its tone: `STATUS_COLOURS` and the catalog's task
    statuses (a task status that is also one of the tool's own words keeps the tool's tone)."""
    tasks = {s: t for s, t in task_tones(catalog).items() if s not in STATUS_COLOURS}
    return {**_OWN_TONES, **tasks, **FIX_TONES}


PALETTE: dict[Tone, dict[str, str]] = {
    RED: {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    AMBER: {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    GREEN: {"bg_color": "#C6EFCE", "font_color": "#006100"},
    GREY: {"bg_color": "#EDEDED", "font_color": "#595959"},
}


def tone_of(word: str, tones: Mapping[str, Tone] = STATUS_COLOURS) -> Tone | None:
    """The tone of a status word (`tones`: a round's, `status_colours`): its own, else that of the prefix it
    begins with; None: not coloured."""
    tone = tones.get(word)
    if tone is None:
        tone = next((t for prefix, t in PREFIX_TONES.items() if word.startswith(prefix)), None)
    return tone
