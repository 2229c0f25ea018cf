"""The campaign (one round of the inspection): the built-in one, overridden by a TOML file, the commented TOML
file written by `init`, and where a campaign file is found when none is named (`find_campaign`)."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError
from ..models import Branch, Campaign, Catalog
from .configerrors import toml_error, value_error
from .formsbook import FORMS_FILE, read_forms
from .load import load_catalog, parse_catalog
from .roster import default_roster, load_roster

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


def default_campaign(roster: tuple[Branch, ...] | None = None) -> Campaign:
    return Campaign(**DEFAULT_CAMPAIGN, roster=roster or default_roster(), catalog=load_catalog())


def load_campaign(path: Path | None = None, roster_path: Path | None = None) -> Campaign:
    """The built-in campaign, overridden by a TOML file and/or a roster file. Every error is a ConfigError
    in Chinese naming the file, the line or setting, and what to write instead."""
    values: dict[str, Any] = dict(DEFAULT_CAMPAIGN)
    roster: tuple[Branch, ...] | None = None
    catalog = load_catalog()
    if path is not None:
        section = _read_section(Path(path))
        values.update({k: v for k, v in section.items() if k in _CAMPAIGN_KEYS})
        if "roster" in section:
            roster = load_roster((path.parent / _file_setting(path, section, "roster")).resolve())
        if "catalog" in section and "forms" in section:
            raise ConfigError(
                f"督查配置文件 {path} 中同时写了 forms（表格内容）和 catalog（目录数据）：只保留 forms 一项"
            )
        if "catalog" in section:
            catalog = _load_catalog_file((path.parent / _file_setting(path, section, "catalog")).resolve())
        if "forms" in section:
            catalog = read_forms((path.parent / _file_setting(path, section, "forms")).resolve())
    if roster_path is not None:
        roster = load_roster(roster_path)
    try:
        campaign = Campaign(**values, roster=roster or default_roster(), catalog=catalog)
    except ValidationError as exc:
        raise ConfigError(value_error(path, exc.errors()[0], _CAMPAIGN_KEYS)) from exc
    if campaign.self_check_start > campaign.self_check_end:
        where = f"督查配置文件 {path} 有误" if path is not None else "督查配置有误"
        raise ConfigError(f"{where}：自查开始日期（self_check_start）晚于自查截止日期（self_check_end）")
    return campaign


def _read_section(path: Path) -> dict[str, Any]:
    """The [campaign] table of a campaign file (or its top level), its keys checked."""
    if not path.is_file():
        raise ConfigError(f"找不到督查配置文件：{path}")
    try:
        text = path.read_text("utf-8-sig")  # Notepad may write a byte-order mark
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"督查配置文件 {path} 不是 UTF-8 编码的文本：请用记事本“另存为”UTF-8 编码后重试"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"无法读取督查配置文件 {path}（{exc.strerror or exc}）") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(toml_error(path, text, exc)) from exc
    section = data.get("campaign", data)
    if not isinstance(section, dict):
        raise ConfigError(
            f"督查配置文件 {path} 有误：[campaign] 应为一节设置（以 [campaign] 开头，下面每行 名称 = 值）"
        )
    unknown = sorted(k for k in section if k not in _CAMPAIGN_KEYS and k not in _FILE_KEYS)
    if unknown:
        known = "、".join(f"{k}（{label}）" for k, label in _CAMPAIGN_KEYS.items())
        raise ConfigError(
            f"督查配置文件 {path} 中有无法识别的设置：{'、'.join(unknown)}。"
            f"可用的设置：{known}、roster（名单文件）、forms（表格内容文件）"
        )
    return section


def _file_setting(path: Path, section: dict[str, Any], key: str) -> str:
    value = section[key]
    if not isinstance(value, str) or not value.strip():
        label, example = _FILE_KEYS[key]
        raise ConfigError(
            f'督查配置文件 {path} 中“{label}”（{key}）有误：应为文件名，用英文双引号括起来，如 {key} = "{example}"'
        )
    return value


def _load_catalog_file(cat_path: Path) -> Catalog:
    try:
        return parse_catalog(json.loads(cat_path.read_text("utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"目录数据文件 {cat_path} 无法读取：{exc}") from exc


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
