"""The sheet 设置 of 表格内容.xlsx: one setting a row (设置项 | 内容 | 说明) — the attachment labels, the task
statuses, who fills the forms, the version name — then the errata table (编号 | 原文 | 更正 | 说明). A setting
left out keeps the built-in value; a workbook without 设置 uses them all."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..models import DEFAULT_STATUSES, DEFAULT_UNIT, Erratum
from .formsgrid import Grid, squash

SETTINGS_SHEET = "设置"
DEFAULT_VERSION = "自定义"
# the setting's name in column A (and the names a clerk might write instead) → field
SETTING_NAMES = {
    "附件1标识": "attachment1",
    "附件2标识": "attachment2",
    "完成状态": "statuses",
    "填报单位": "unit",
    "表格版本": "version",
}
_ALIASES = {"附件1": "attachment1", "附件2": "attachment2", "任务完成状态": "statuses", "填表单位": "unit"}
_ALIASES |= {"版本": "version"}
_SKIP = {"设置项", "设置", "勘误", "说明"}  # the header row and labels: no setting
_SPLIT = re.compile(r"[、，,；;/／\n]+|\s{2,}")
_ITEM_REF = re.compile(r"^S(\d{1,2})\.(\d{1,3})$")
_TASK_REF = re.compile(r"^T?(\d{1,2})$")
_NUMBERED_REF = re.compile(r"^([一二三四五六七八九十]+|\d+)[.．、\-](\d{1,3})$")


@dataclass
class ErratumDraft:
    row: int
    ref: str
    original: str
    corrected: str
    note: str


@dataclass
class Settings:
    attachment1: str = "附件1"
    attachment2: str = "附件2"
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    unit: str = DEFAULT_UNIT
    version: str = DEFAULT_VERSION
    errata: list[ErratumDraft] = field(default_factory=list)


def parse_settings(grid: Grid | None, problems: list[str]) -> Settings:
    settings = Settings()
    if grid is None:
        return settings
    errata = False
    for row in range(len(grid.rows)):
        key, value = squash(grid.text(row, 0)), grid.text(row, 1)
        if errata:
            if not grid.blank(row, range(4)):
                settings.errata.append(ErratumDraft(row, *(grid.text(row, c) for c in range(4))))
        elif key == "编号" and squash(value) == "原文":
            errata = True
        elif key and key not in _SKIP:
            _setting(grid, row, key, value, settings, problems)
    return settings


def _setting(grid: Grid, row: int, key: str, value: str, settings: Settings, problems: list[str]) -> None:
    where = grid.where(row)
    name = SETTING_NAMES.get(key) or _ALIASES.get(unicodedata.normalize("NFKC", key))
    if name is None:
        known = "、".join(SETTING_NAMES)
        problems.append(
            f"{where}：无法识别的设置“{grid.text(row, 0)}”：第一列只能写 {known}，勘误写在“编号 | 原文 | 更正”下面"
        )
        return
    if name == "statuses":
        statuses = tuple(s.strip() for s in _SPLIT.split(value) if s.strip())
        if len(statuses) < 2:
            problems.append(f"{where}：完成状态至少要有两个，现在是“{value}”：用顿号分隔，如 已完成、未完成")
        elif len(set(statuses)) != len(statuses):
            problems.append(f"{where}：完成状态“{value}”中有重复的：每个状态只写一次")
        else:
            settings.statuses = statuses
        return
    if not value:
        problems.append(
            f"{where}：“{grid.text(row, 0)}”的内容为空：请在第二列填写，或删去这一行（使用默认值）"
        )
        return
    setattr(settings, name, value)


def resolve_errata(
    grid: Grid | None,
    drafts: list[ErratumDraft],
    texts: dict[str, str],
    numbered: dict[tuple[str, int], str],
    problems: list[str],
) -> tuple[Erratum, ...]:
    """The errata rows as Errata, each pointing at an item or task id. `texts`: id → text; `numbered`:
    (section numeral, n) → item id. A row naming no item, or whose correction is not in the text, is a
    problem."""
    out: list[Erratum] = []
    for d in drafts:
        where = grid.where(d.row) if grid is not None else f"第{d.row + 1}行"
        ref = _ref_id(d.ref, texts, numbered)
        if ref is None:
            problems.append(
                f"{where}：勘误的编号“{d.ref}”找不到对应的项目：附件1写 部分序号.项号（如 九.3）或 S09.3，"
                "附件2写任务序号（如 8）或 T08；本轮没有这条勘误的，请删除这一行"
            )
        elif not d.original or not d.corrected:
            problems.append(f"{where}：勘误要同时写原文和更正后的文字")
        elif d.corrected not in texts[ref]:
            problems.append(
                f"{where}：更正后的“{d.corrected}”在 {ref} 的内容中找不到：勘误只作记录，正文中请直接写更正后的文字；"
                "这条勘误不属于本轮的表格（例如沿用了上一轮的勘误）的，请删除这一行"
            )
        else:
            out.append(Erratum(id=ref, original=d.original, corrected=d.corrected, note=d.note))
    return tuple(out)


def _ref_id(ref: str, texts: dict[str, str], numbered: dict[tuple[str, int], str]) -> str | None:
    plain = squash(ref).upper()
    m = _ITEM_REF.match(plain)
    if m:
        found = f"S{int(m.group(1)):02d}.{int(m.group(2))}"
        return found if found in texts else None
    m = _TASK_REF.match(plain)
    if m:
        found = f"T{int(m.group(1)):02d}"
        return found if found in texts else None
    m = _NUMBERED_REF.match(plain)
    if m:
        return numbered.get((m.group(1), int(m.group(2))))
    return None
