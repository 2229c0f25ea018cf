"""The campaign (one round of the inspection): the built-in one, overridden by a TOML file, and the
commented TOML file written by `init`."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError
from ..models import Branch, Campaign
from .load import load_catalog, parse_catalog
from .roster import default_roster, load_roster

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


def default_campaign(roster: tuple[Branch, ...] | None = None) -> Campaign:
    return Campaign(**DEFAULT_CAMPAIGN, roster=roster or default_roster(), catalog=load_catalog())


def load_campaign(path: Path | None = None, roster_path: Path | None = None) -> Campaign:
    """The built-in campaign, overridden by a TOML file and/or a roster file."""
    values: dict[str, Any] = dict(DEFAULT_CAMPAIGN)
    roster: tuple[Branch, ...] | None = None
    catalog = load_catalog()
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"找不到督查配置文件：{path}")
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"督查配置文件 {path.name} 格式有误：{exc}") from exc
        section = data.get("campaign", data)
        unknown = sorted(k for k in section if k not in _CAMPAIGN_KEYS and k not in ("roster", "catalog"))
        if unknown:
            raise ConfigError(f"督查配置文件 {path.name} 中有无法识别的设置：{'、'.join(unknown)}")
        values.update({k: v for k, v in section.items() if k in _CAMPAIGN_KEYS})
        if "roster" in section:
            roster = load_roster((path.parent / section["roster"]).resolve())
        if "catalog" in section:
            cat_path = (path.parent / section["catalog"]).resolve()
            try:
                catalog = parse_catalog(json.loads(cat_path.read_text("utf-8")))
            except (OSError, json.JSONDecodeError) as exc:
                raise ConfigError(f"目录数据文件 {cat_path.name} 无法读取：{exc}") from exc
    if roster_path is not None:
        roster = load_roster(roster_path)
    try:
        campaign = Campaign(**values, roster=roster or default_roster(), catalog=catalog)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else ""
        raise ConfigError(f"督查配置项“{_CAMPAIGN_KEYS.get(key, key)}”（{key}）有误：{err['msg']}") from exc
    if campaign.self_check_start > campaign.self_check_end:
        raise ConfigError("督查配置有误：自查开始日期晚于截止日期")
    return campaign


def campaign_toml(campaign: Campaign, roster_file: str = "roster.csv") -> str:
    """An editable campaign file, commented in Chinese, for `init`."""
    lines = ["# 专项督查配置文件：修改后用 --campaign 指定本文件", "[campaign]"]
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
    lines.append("# 党总支名单（CSV 或 XLSX，列：序号、党总支名称、联系人、邮箱），相对于本文件")
    lines.append(f'roster = "{roster_file}"')
    return "\n".join(lines) + "\n"
