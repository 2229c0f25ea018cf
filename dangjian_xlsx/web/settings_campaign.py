"""本轮设置's campaign form: the [campaign] settings of the round's campaign.toml as form fields, a submitted
form written as the file `init` writes (`catalog.campaign_toml`), checked by loading it with the loader the
command line uses (`catalog.load_campaign_noted`, its Chinese messages shown as they are), and only then put
in place of campaign.toml, atomically. The file names it points to (roster, forms) stay as they were."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..atomic import write_text_atomic
from ..catalog import DEFAULT_CAMPAIGN, campaign_toml, default_roster, load_campaign_noted
from ..errors import ConfigError
from .folder import RoundFolder

# one change of the round's settings at a time (two tabs, or a form and an upload at once)
SETTINGS_LOCK = threading.RLock()


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # text, date, number, password
    hint: str = ""
    required: bool = True


FIELDS = (
    Field("school", "学校", "text", "印在每张表格的标题中"),
    Field("department", "组织部门", "text", "通知落款，如 中共某某大学委员会组织部"),
    Field("title", "督查名称", "text"),
    Field("year", "年度", "number", "四位数的年份，如 2025"),
    Field("self_check_start", "自查开始日期", "date"),
    Field("self_check_end", "自查截止日期", "date"),
    Field("due", "报送截止日期", "date", "各党总支交回表格的截止日期"),
    Field(
        "correction_due",
        "更正截止日期（可选）",
        "date",
        "报送截止日期过后，退回修改通知要求在这一天前交回更正；不填则按报送截止日期要求",
        required=False,
    ),
    Field("password", "工作表保护密码", "text", "锁定表格用；各党总支不需要知道"),
    Field("return_to", "报送方式", "text", "如 组织部（电子稿）"),
    Field(
        "inspection_margin",
        "自评偏高阈值（分）",
        "number",
        "自评总分比督查总分高出这么多分及以上时标为“自评偏高”",
    ),
)
KEYS = tuple(f.key for f in FIELDS)
DATE_KEYS = frozenset(f.key for f in FIELDS if f.kind == "date")
FILE_KEYS = ("roster", "forms", "catalog")
CHECK_PREFIX = ".campaign.检查中."  # the temporary campaign file a check loads
STAGING_PREFIX = ".上传检查中."  # the hidden folder an upload is checked in (settings_files)
LEFTOVER_SECONDS = 3600  # a check's temporary file this old was left by a server that was stopped
_FILE_LINE = re.compile(r"""^\s*(roster|forms|catalog)\s*[=＝]\s*["“”'‘’]?(.*?)["“”'‘’]?\s*(#.*)?$""")


class Typed(str):
    """A date as the clerk typed it when it is not one: written quoted where the file expects a date, so the
    loader's message names the setting and shows what was typed."""

    def isoformat(self) -> str:
        return json.dumps(str(self), ensure_ascii=False)

    def __add__(self, other: object) -> Typed:  # campaign_toml's suggested correction_due (commented out)
        return self


def file_keys(folder: RoundFolder) -> dict[str, str]:
    """The file names campaign.toml gives (roster, forms, catalog), as written; {} when it has none."""
    try:
        text = folder.campaign_file.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    try:
        data = tomllib.loads(text)
        section = {**data, **data.get("campaign", {})}
        return {k: section[k] for k in FILE_KEYS if isinstance(section.get(k), str)}
    except (tomllib.TOMLDecodeError, AttributeError, TypeError):
        found = (_FILE_LINE.match(line) for line in text.splitlines())
        return {m.group(1): m.group(2) for m in found if m and m.group(2)}


def shown(value: Any) -> str:
    """A setting's value as a form field shows it."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def campaign_values(campaign: Any) -> dict[str, str]:
    return {key: shown(getattr(campaign, key)) for key in KEYS}


def default_values() -> dict[str, str]:
    return {key: shown(DEFAULT_CAMPAIGN.get(key)) for key in KEYS}


def current_values(folder: RoundFolder) -> tuple[dict[str, str], Any, tuple[str, ...], str | None]:
    """The form's values, the campaign and its notes, or (when campaign.toml cannot be loaded) what the file
    says over the defaults, no campaign, and the loader's message."""
    try:
        campaign, notes = folder.load()
    except ConfigError as exc:
        values = default_values()
        try:
            data = tomllib.loads(folder.campaign_file.read_bytes().decode("utf-8-sig"))
            section = {**data, **data.get("campaign", {})}
            values.update({k: shown(section[k]) for k in KEYS if k in section})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError, TypeError):
            pass
        return values, None, (), str(exc)
    return campaign_values(campaign), campaign, notes, None


def _typed(key: str, text: str) -> Any:
    """A submitted value as the file writes it: a date, a number, text; what is not a valid date or number
    stays text, for the loader to name."""
    text = text.strip()
    if key in DATE_KEYS:
        if not text and key == "correction_due":
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return Typed(text)
    if key == "year" and re.fullmatch(r"[0-9]{1,6}", text):
        return int(text)
    if key == "inspection_margin":
        try:
            return float(text)
        except ValueError:
            return text
    return text


def candidate_text(values: dict[str, str], files: dict[str, str]) -> str:
    """campaign.toml for the submitted `values`, pointing to the same files as before (`files`)."""
    typed = SimpleNamespace(**{key: _typed(key, values.get(key, "")) for key in KEYS})
    text = campaign_toml(typed, files.get("roster", "roster.csv"), files.get("forms"))  # type: ignore[arg-type]
    if "roster" not in files:  # the built-in sample roster, as before
        text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("roster = "))
    if "catalog" in files and "forms" not in files:
        text += f"catalog = {json.dumps(files['catalog'], ensure_ascii=False)}\n"
    return text


def sweep_leftovers(folder: RoundFolder) -> None:
    """Remove the temporary files of checks a stopped server left in the round folder (an hour old)."""
    now = time.time()
    for entry in folder.root.iterdir():
        if not entry.name.startswith((STAGING_PREFIX, CHECK_PREFIX)):
            continue
        try:
            if now - entry.lstat().st_mtime < LEFTOVER_SECONDS:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
        except OSError:
            continue


def check_text(folder: RoundFolder, text: str) -> tuple[Any, tuple[str, ...]]:
    """Load `text` as the round's campaign.toml would be loaded (a temporary file beside it, so its file
    names resolve the same); a ConfigError names campaign.toml, never the temporary file."""
    sweep_leftovers(folder)
    fd, name = tempfile.mkstemp(prefix=CHECK_PREFIX, suffix=".toml", dir=folder.root)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        try:
            return load_campaign_noted(tmp)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(str(tmp), str(folder.campaign_file))) from exc
    finally:
        tmp.unlink(missing_ok=True)


def save_text(folder: RoundFolder, text: str) -> tuple[Any, tuple[str, ...]]:
    """Check `text` and, when the loader takes it, make it the round's campaign.toml (atomically)."""
    with SETTINGS_LOCK:
        loaded = check_text(folder, text)
        write_text_atomic(folder.campaign_file, text)
        return loaded


def save_values(folder: RoundFolder, values: dict[str, str]) -> tuple[Any, tuple[str, ...]]:
    """The campaign form submitted: checked, then saved (ConfigError: campaign.toml unchanged; FieldError
    when the loader's message is about one of the form's fields)."""
    with SETTINGS_LOCK:
        text = candidate_text(values, file_keys(folder))
        try:
            return save_text(folder, text)
        except ConfigError as exc:
            refused = field_error(str(exc), text, folder.campaign_file)
            if refused is None:
                raise
            raise refused from exc


class FieldError(ConfigError):
    """The loader refused a value of the form: `key` is the field, `text` what is wrong with it in the form's
    words (the field named by its label, no file line, no advice about editing the file)."""

    def __init__(self, key: str, text: str) -> None:
        self.key, self.text = key, text
        self.label = next(f.label for f in FIELDS if f.key == key)
        super().__init__(f"没有保存：{text}")


# the loader's advice about the file, said of a form field instead
_FORM_WORDS = (
    (re.compile(r"，?不需要时删去这一行"), "，不需要时留空"),
    (re.compile(r"应为整数（如 \d+）"), "应为四位数的年份，如 2025"),
    (re.compile(r"，?(不加引号|用英文双引号括起来)"), ""),
    (re.compile(r"现在写的是"), "现在填的是"),
    (re.compile(r"请写 "), "请填 "),
)
_KEY_IN_PARENS = re.compile("（(" + "|".join(KEYS) + ")）")
_LINE_KEY = re.compile(r"^([A-Za-z_]+) = ")
_BAD_CHARACTER = "有不能保存的字符（看不见的控制字符）：请删去后重新填写"


def field_error(message: str, text: str, campaign_file: Path) -> FieldError | None:
    """The loader's `message` about the candidate campaign.toml `text` as a FieldError, when it names the
    line of one of the form's settings (“督查配置文件 … 第N行（key = …）：…”) or, without a line, one of them
    (“（key）”); None when it is about something else (a file campaign.toml names)."""
    head = f"督查配置文件 {campaign_file}"
    if not message.startswith(head):
        return None
    rest = message[len(head) :]
    key = None
    for n, line in enumerate(text.split("\n"), 1):
        found = _LINE_KEY.match(line)
        where = f" 第{n}行（{line.strip()}）"
        if found and found.group(1) in KEYS and rest.startswith(where):
            key, rest = found.group(1), rest[len(where) :]
            break
    if key is None:
        found = _KEY_IN_PARENS.search(rest)
        if found is None:
            return None
        key = found.group(1)
    if rest.startswith("格式有误"):  # TOML refused what was written: a character no setting may hold
        label = next(f.label for f in FIELDS if f.key == key)
        return FieldError(key, f"“{label}”{_BAD_CHARACTER}")
    said = _KEY_IN_PARENS.sub(lambda m: " " if rest[m.end() : m.end() + 1].isdigit() else "", rest)
    said = said.removeprefix("：")
    for pattern, words in _FORM_WORDS:
        said = pattern.sub(words, said)
    return FieldError(key, said)


def save_files(folder: RoundFolder, campaign: Any, files: dict[str, str]) -> tuple[Any, tuple[str, ...]]:
    """campaign.toml with the same settings, pointing to `files` (after a roster or forms upload)."""
    return save_text(folder, candidate_text(campaign_values(campaign), files))


# the settings a round must not keep from the built-in sample: whose school it is, when it runs, the password
# (published with the tool). The title names the kind of inspection (the notice's own title, no school or
# year in it), 报送方式 and the margin are general rules: a round may well keep them.
SAMPLE_KEYS = ("school", "department", "year", "self_check_start", "self_check_end", "due", "password")
_SAMPLE_WHY = {
    "department": "（每份通知和邮件草稿的落款）",
    "year": "（印在表格和通知的标题中）",
    "password": "（随本工具公开，谁都知道：请换一个）",
}


@dataclass(frozen=True)
class Sample:
    """What of the built-in sample the round still uses: the settings still equal to the sample's
    (`fields`, keys of SAMPLE_KEYS), the sample roster; `parts`: one line each, for the warnings."""

    fields: tuple[str, ...]
    roster: bool
    parts: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.fields) or self.roster

    @property
    def labels(self) -> str:
        """The settings still the sample's, by their labels (学校、年度 …)."""
        return "、".join(f.label for f in FIELDS if f.key in self.fields)


def sample_fields(values: dict[str, str]) -> frozenset[str]:
    """The keys of SAMPLE_KEYS whose value (as the form shows it) is the built-in sample's."""
    sample = default_values()
    return frozenset(k for k in SAMPLE_KEYS if values.get(k, "") == sample[k])


def sample_of(campaign: Any) -> Sample:
    """Compared with the built-in campaign (`catalog.default_campaign`'s values), setting by setting."""
    fields = tuple(k for k in SAMPLE_KEYS if getattr(campaign, k) == DEFAULT_CAMPAIGN[k])
    labels = {f.key: f.label for f in FIELDS}
    parts = [f"{labels[k]}仍是示例“{shown(getattr(campaign, k))}”{_SAMPLE_WHY.get(k, '')}" for k in fields]
    roster = tuple(campaign.roster) == default_roster()
    if roster:
        parts.append(f"党总支名单仍是内置示例名单（{len(campaign.roster)} 个示例党总支）")
    return Sample(fields, roster, tuple(parts))
