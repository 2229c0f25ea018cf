"""The campaign (one round of the inspection): the built-in one, overridden by a TOML file, the commented TOML
file written by `init`, and where a campaign file is found when none is named (`find_campaign`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from ..errors import ConfigError
from ..models import Branch, Campaign, Catalog
from .campaignfile import CampaignFile, read_campaign_file, read_reason
from .configerrors import value_error
from .formsbook import FORMS_FILE, read_forms
from .load import load_catalog, parse_catalog
from .roster import default_roster, read_roster

CAMPAIGN_FILE = "campaign.toml"  # found in the working folder or beside the inbox (find_campaign)
DEFAULT_CAMPAIGN: dict[str, Any] = {
    "school": "郑州师范学院",
    "department": "中共郑州师范学院委员会组织部",
    "title": "全面从严治党主体责任和《高校党建工作重点任务》落实情况专项督查",
    "year": 2018,
    "self_check_start": dt.date(2018, 9, 26),
    "self_check_end": dt.date(2018, 9, 30),
    "due": dt.date(2018, 9, 30),
    "password": "zzsy-zzb",
    "return_to": "组织部（电子稿）",
    "inspection_margin": 5.0,
}

_CAMPAIGN_KEYS = {
    "school": "学校",
    "department": "组织部门",
    "title": "督查名称",
    "year": "年度",
    "self_check_start": "自查开始日期",
    "self_check_end": "自查截止日期",
    "due": "报送截止日期",
    "correction_due": "更正截止日期",
    "password": "工作表保护密码",
    "return_to": "报送方式",
    "inspection_margin": "自评偏高阈值",
}

# the settings naming a file (relative to the campaign file): key → (what it is, an example)
_FILE_KEYS = {
    "roster": ("党总支名单", "roster.csv"),
    "forms": ("表格内容", FORMS_FILE),
    "catalog": ("目录数据", "forms.json"),
}

_LABELS = {**_CAMPAIGN_KEYS, **{k: label for k, (label, _) in _FILE_KEYS.items()}}
# the dates a campaign may name: what Excel holds, with the one-year margin the forms' date check adds
EARLIEST_DATE = dt.date(1901, 1, 1)
LATEST_DATE = dt.date(9998, 12, 31)


def default_campaign(roster: tuple[Branch, ...] | None = None) -> Campaign:
    return Campaign(**DEFAULT_CAMPAIGN, roster=roster or default_roster(), catalog=load_catalog())


def load_campaign(path: Path | None = None, roster_path: Path | None = None) -> Campaign:
    """The built-in campaign, overridden by a TOML file and/or a roster file. Every error is a ConfigError
    in Chinese naming the file, the line or setting, and what to write instead."""
    return load_campaign_noted(path, roster_path)[0]


def load_campaign_noted(
    path: Path | None = None, roster_path: Path | None = None
) -> tuple[Campaign, tuple[str, ...]]:
    """`load_campaign`, and what was understood of how the files were written (one line each, for the
    command line to print): a date written 2025/10/20, Chinese quotes, a roster's duplicate spellings …"""
    values: dict[str, Any] = dict(DEFAULT_CAMPAIGN)
    roster: tuple[Branch, ...] | None = None
    catalog = load_catalog()
    notes: list[str] = []
    file: CampaignFile | None = None
    if path is not None:
        path = Path(path)
        file = read_campaign_file(path, _LABELS, _typed_keys(dt.date), _typed_keys(str) | set(_FILE_KEYS))
        notes += file.tidied.notes
        section = file.section
        values.update({k: v for k, v in section.items() if k in _CAMPAIGN_KEYS})
        if "roster" in section:
            read = read_roster(_file_setting(file, "roster"))
            roster, notes = read.branches, notes + list(read.notes)
        if "catalog" in section and "forms" in section:
            raise ConfigError(
                f"{file.where('forms')}：同时写了 forms（表格内容）和 catalog（目录数据），只保留 forms 一项"
            )
        if "catalog" in section:
            catalog = _load_catalog_file(_file_setting(file, "catalog"))
        if "forms" in section:
            catalog = read_forms(_file_setting(file, "forms"))
    if roster_path is not None:
        read = read_roster(Path(roster_path))
        roster, notes = read.branches, notes + list(read.notes)
    try:
        campaign = Campaign(**values, roster=roster or default_roster(), catalog=catalog)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str((err.get("loc") or ("",))[0])
        where = file.where(key) if file is not None else "督查配置"
        raise ConfigError(value_error(where, err, _CAMPAIGN_KEYS)) from exc
    _check_dates(campaign, file)
    return campaign, tuple(notes)


def _typed_keys(kind: type) -> set[str]:
    """The campaign settings whose values are of `kind` (optional ones too)."""
    out = set()
    for key, info in Campaign.model_fields.items():
        if key in _CAMPAIGN_KEYS and (info.annotation is kind or kind in get_args(info.annotation)):
            out.add(key)
    return out


def _check_dates(campaign: Campaign, file: CampaignFile | None) -> None:
    """Dates a workbook can hold (Excel's years, with the forms' one-year margin around the self-check) and
    a self-check that starts before it ends; the year a four-digit year."""

    def where(key: str) -> str:
        return file.where(key) if file is not None else "督查配置"

    if not 1900 <= campaign.year <= 9999:
        raise ConfigError(
            f"{where('year')}：“年度”（year）有误：应为四位数的年份，如 2025，现在写的是“{campaign.year}”"
        )
    for key in sorted(_typed_keys(dt.date)):
        day = getattr(campaign, key)
        if isinstance(day, dt.date) and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ConfigError(
                f"{where(key)}：“{_CAMPAIGN_KEYS[key]}”（{key}）有误：日期 {day.isoformat()} 超出范围，"
                f"应在 {EARLIEST_DATE.isoformat()} 至 {LATEST_DATE.isoformat()} 之间，如 2025-10-20"
            )
    if campaign.self_check_start > campaign.self_check_end:
        raise ConfigError(
            f"{where('self_check_start')}：自查开始日期（self_check_start）晚于自查截止日期（self_check_end）"
        )
    if campaign.due < campaign.self_check_start:
        raise ConfigError(
            f"{where('due')}：报送截止日期（due）{campaign.due.isoformat()} 早于自查开始日期（self_check_start）"
            f"{campaign.self_check_start.isoformat()}：请写 {campaign.self_check_start.isoformat()} 或之后的日期"
        )
    if campaign.correction_due is not None and campaign.correction_due < campaign.due:
        raise ConfigError(
            f"{where('correction_due')}：更正截止日期（correction_due）早于报送截止日期（due）："
            f"请写 {campaign.due.isoformat()} 或之后的日期，不需要时删去这一行"
        )


def _file_setting(file: CampaignFile, key: str) -> Path:
    """The file a setting names (relative to the campaign file), checked to be a readable file."""
    value = file.section[key]
    label, example = _FILE_KEYS[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f'{file.where(key)}：“{label}”（{key}）有误：应为文件名，用英文双引号括起来，如 {key} = "{example}"'
        )
    target = file.path.parent / value
    try:
        if not target.is_file():
            raise ConfigError(
                f"{file.where(key)}：找不到{label}文件 {target}（文件名相对于本配置文件所在的文件夹）"
            )
        return target.resolve()
    except OSError as exc:
        raise ConfigError(f"{file.where(key)}：“{label}”（{key}）有误：{read_reason(exc)}") from exc


def _load_catalog_file(cat_path: Path) -> Catalog:
    try:
        return parse_catalog(json.loads(cat_path.read_text("utf-8")))
    except OSError as exc:
        raise ConfigError(f"目录数据文件 {cat_path} 无法读取：{read_reason(exc)}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"目录数据文件 {cat_path} 不是 UTF-8 编码的 JSON 文件，无法读取") from exc


def find_campaign(folders: Iterable[Path]) -> Path | None:
    """The `campaign.toml` of the first of `folders` that holds one. ConfigError when another of them holds a
    campaign file for another round: which one is meant cannot be told."""
    found: list[Path] = []
    seen: set[Path] = set()
    for folder in folders:
        candidate = Path(folder) / CAMPAIGN_FILE
        try:
            if not candidate.is_file() or candidate.resolve() in seen:
                continue
            seen.add(candidate.resolve())
        except OSError:
            continue
        found.append(candidate)
    if not found:
        return None
    first = load_campaign(found[0]).model_dump()
    for other in found[1:]:
        if load_campaign(other).model_dump() != first:
            raise ConfigError(
                f"找到两个内容不同的督查配置文件：{found[0]} 和 {other}，无法判断本次督查用哪一个。"
                "请用 --campaign 指定，或删除不用的那个"
            )
    return found[0]


def campaign_line(campaign: Campaign, path: Path | None, roster_path: Path | None = None) -> str:
    """The first line of a command's output: which campaign file the round uses, or that it is the built-in
    sample (then how to make a campaign file)."""
    n, unit = len(campaign.roster), campaign.catalog.unit
    roster = f"名单 {roster_path}（{n} 个{unit}）" if roster_path is not None else f"名单 {n} 个{unit}"
    if path is not None:
        return f"督查配置：{path}（{campaign.school} {campaign.title} {campaign.year}年），{roster}"
    sample = roster if roster_path is not None else f"示例名单 {n} 个{unit}"
    return (
        f"注意：没有找到督查配置文件 {CAMPAIGN_FILE}，正在使用内置示例（{campaign.school} {campaign.year}年，{sample}）。"
        f"本轮督查请先运行 dangjian-xlsx init 生成 {CAMPAIGN_FILE} 和 roster.csv，按本轮修改后放在当前文件夹"
        "或收件文件夹旁，或用 --campaign 指定"
    )


def campaign_toml(campaign: Campaign, roster_file: str = "roster.csv", forms_file: str | None = None) -> str:
    """An editable campaign file, commented in Chinese, for `init` (with `forms_file`: the forms' content
    is read from that workbook)."""
    lines = [
        "# 专项督查配置文件：放在运行命令的文件夹或收件文件夹旁时自动使用，也可用 --campaign 指定本文件",
        "[campaign]",
    ]
    for key, label in _CAMPAIGN_KEYS.items():
        value = getattr(campaign, key)
        if key == "correction_due":  # optional: what it does, and commented out while not set
            lines.append(
                "# 更正截止日期（可选）：报送截止日期过后，退回修改通知和核对通知要求在这一天前交回更正"
            )
            if value is None:
                lines.append("# 需要时删去下一行开头的 # 并改为实际日期；不设时通知按报送截止日期要求")
                lines.append(f"# {key} = {(campaign.due + dt.timedelta(days=14)).isoformat()}")
                continue
            lines.append(f"{key} = {value.isoformat()}")
            continue
        if isinstance(value, str):
            rendered = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, dt.date):
            rendered = value.isoformat()
        else:
            rendered = str(value)
        lines.append(f"# {label}")
        lines.append(f"{key} = {rendered}")
    lines.append("# 党总支名单（CSV 或 XLSX，列：序号、党总支名称、简称、联系人、邮箱），相对于本文件")
    lines.append(f'roster = "{roster_file}"')
    if forms_file is not None:
        lines.append(
            "# 表格内容（附件1、附件2 的标题、项目、分值、任务，完成状态，填报单位），相对于本文件；"
        )
        lines.append("# 删去这一行则使用内置的 2018 年通知表格")
        lines.append(f"forms = {json.dumps(forms_file, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"
