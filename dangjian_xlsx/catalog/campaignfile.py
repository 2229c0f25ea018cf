"""Reading a campaign.toml: the text (a UTF-8 byte-order mark from old Notepad allowed), the tolerated
spellings made TOML (configtext), tomllib, and the settings of the [campaign] table (or the top level)
with the line each is on, so every later message can name it."""

from __future__ import annotations

import errno
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .configerrors import toml_error
from .configtext import Tidied, tidy_toml


@dataclass(frozen=True)
class CampaignFile:
    """The settings of a campaign file, its text and what was understood of it."""

    path: Path
    section: dict[str, Any]
    tidied: Tidied
    raw_lines: tuple[str, ...]

    def where(self, key: str) -> str:
        """“督查配置文件 … 第 N 行（key = …）” for a setting, or just the file when its line is not known."""
        n = self.tidied.lines.get(key)
        if n is None or not 0 < n <= len(self.raw_lines):
            return f"督查配置文件 {self.path}"
        return f"督查配置文件 {self.path} 第{n}行（{self.raw_lines[n - 1].strip()}）"


def read_reason(exc: OSError) -> str:
    """Why a file could not be read, in Chinese (the system's own words are English)."""
    reasons = {
        errno.ENAMETOOLONG: "文件名或路径太长，请把文件移到路径短一些的文件夹并改短文件名",
        errno.ENOENT: "文件不存在",
        errno.EACCES: "没有读取权限",
        errno.EPERM: "没有读取权限",
        errno.EISDIR: "这是一个文件夹，不是文件",
        errno.ENOTDIR: "路径中有一段不是文件夹",
        errno.ELOOP: "路径中的快捷方式（符号链接）循环",
    }
    return reasons.get(exc.errno or 0, "系统无法读取这个文件")


def read_campaign_file(
    path: Path, labels: dict[str, str], date_keys: set[str], text_keys: set[str]
) -> CampaignFile:
    """The [campaign] settings of `path`; a ConfigError in Chinese for anything that is not a campaign file.
    `labels`: every known setting → its Chinese name."""
    try:
        if not path.is_file():
            raise ConfigError(f"找不到督查配置文件：{path}")
        text = path.read_bytes().decode("utf-8-sig")  # old Notepad writes a byte-order mark
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"督查配置文件 {path} 不是 UTF-8 编码的文本：请用记事本“另存为”，编码选 UTF-8 后重试"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"无法读取督查配置文件 {path}：{read_reason(exc)}") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    tidied = tidy_toml(text, path.name, date_keys, text_keys)
    try:
        data = tomllib.loads(tidied.text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(toml_error(path, text, exc, date_keys)) from exc
    file = CampaignFile(path, {}, tidied, tuple(text.split("\n")))
    return CampaignFile(path, _section(file, data, labels), tidied, file.raw_lines)


def _section(file: CampaignFile, data: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """The settings: the [campaign] table's, and any written above it at the top level."""
    section = data.get("campaign", data)
    if not isinstance(section, dict):
        raise ConfigError(
            f"{file.where('campaign')}：campaign 应为一节设置，写成单独一行 [campaign]，"
            "下面每行一项 名称 = 值"
        )
    if section is not data:
        top = {k: v for k, v in data.items() if k != "campaign"}
        twice = sorted(k for k in top if k in section)
        if twice:
            raise ConfigError(f"{file.where(twice[0])}：{twice[0]} 在 [campaign] 上下各写了一次，只保留一处")
        section = {**top, **section}
    unknown = sorted(k for k in section if k not in labels)
    if unknown:
        known = "、".join(f"{k}（{label}）" for k, label in labels.items())
        raise ConfigError(
            f"{file.where(unknown[0])}：有无法识别的设置：{'、'.join(f'“{k}”' for k in unknown)}。可用的设置：{known}"
        )
    return section
