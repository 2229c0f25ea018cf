"""Load and check the catalog (the official forms as data) and the campaign (one round)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError
from ..models import Branch, Campaign, Catalog

FORBIDDEN_NAME_CHARS = set('/\\:*?"<>|') | {chr(c) for c in range(32)}
ROSTER_HEADERS = ("序号", "党总支名称", "联系人", "邮箱")

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


def check_catalog(cat: Catalog) -> None:
    """Raise ConfigError unless the catalog is internally consistent."""
    problems: list[str] = []
    for s in cat.form1.sections:
        got = sum(i.points for i in s.items)
        if got != s.max_points:
            problems.append(f"{s.id} 各项分值之和为 {got}，应为 {s.max_points}")
        for i in s.items:
            if not i.id.startswith(s.id + "."):
                problems.append(f"{i.id} 不属于 {s.id}")
    if cat.total_points != 100:
        problems.append(f"各部分满分之和为 {cat.total_points}，应为 100")
    ids = [s.id for s in cat.sections] + [i.id for i in cat.items]
    ids += [g.id for g in cat.form2.groups] + [t.id for t in cat.tasks]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        problems.append(f"编号重复：{'、'.join(dup)}")
    if len(cat.items) != 44:
        problems.append(f"评分表应有 44 项，实有 {len(cat.items)} 项")
    if len(cat.tasks) != 20:
        problems.append(f"重点任务应有 20 项，实有 {len(cat.tasks)} 项")
    known = set(cat.item_by_id) | set(cat.task_by_id)
    for e in cat.errata:
        if e.id not in known:
            problems.append(f"勘误指向不存在的编号 {e.id}")
        else:
            text = (cat.item_by_id.get(e.id) or cat.task_by_id[e.id]).text
            if e.corrected not in text:
                problems.append(f"勘误 {e.id}：正文中找不到更正后的“{e.corrected}”")
    if problems:
        raise ConfigError("目录数据有误：" + "；".join(problems))


def parse_catalog(data: dict[str, Any]) -> Catalog:
    try:
        cat = Catalog.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"目录数据格式有误：{exc.errors()[0]['msg']}") from exc
    check_catalog(cat)
    return cat


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The built-in catalog shipped inside the package."""
    raw = resources.files(__package__).joinpath("forms.json").read_text("utf-8")
    return parse_catalog(json.loads(raw))


def catalog_digest(cat: Catalog) -> str:
    """Hash of the catalog's canonical form: what makes two forms 'the same version'."""
    canon = json.dumps(
        cat.model_dump(mode="json", exclude={"errata"}),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------- roster


def _clean(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def parse_roster_rows(rows: list[list[Any]], source: str) -> tuple[Branch, ...]:
    """Rows (header first) → branches. Every bad row is reported, with its row number."""
    if not rows:
        raise ConfigError(f"名单 {source} 是空的")
    header = [_clean(h) for h in rows[0]]
    if "党总支名称" not in header:
        raise ConfigError(f"名单 {source} 第1行缺少表头“党总支名称”（应为：{'、'.join(ROSTER_HEADERS)}）")
    col = {h: header.index(h) for h in ROSTER_HEADERS if h in header}

    def cell(r: list[Any], key: str) -> str:
        i = col.get(key)
        return _clean(r[i]) if i is not None and i < len(r) else ""

    errors: list[str] = []
    branches: list[Branch] = []
    seen_names: dict[str, int] = {}
    seen_seq: dict[int, int] = {}
    for n, r in enumerate(rows[1:], start=2):
        if not any(_clean(v) for v in r):
            continue
        name = cell(r, "党总支名称")
        where = f"名单 {source} 第{n}行"
        if not name:
            errors.append(f"{where}：党总支名称为空")
            continue
        bad = sorted({c for c in name if c in FORBIDDEN_NAME_CHARS})
        if bad:
            shown = "".join(c if c.isprintable() else repr(c) for c in bad)
            errors.append(f"{where}：党总支名称“{name}”含有不能用于文件名的字符 {shown}")
            continue
        if name in seen_names:
            errors.append(f"{where}：党总支名称“{name}”与第{seen_names[name]}行重复")
            continue
        seq_text = cell(r, "序号")
        if seq_text:
            try:
                seq = int(float(seq_text))
                if seq < 1:
                    raise ValueError
            except ValueError:
                errors.append(f"{where}：序号“{seq_text}”不是正整数")
                continue
        else:
            seq = len(branches) + 1
        if seq in seen_seq:
            errors.append(f"{where}：序号 {seq} 与第{seen_seq[seq]}行重复")
            continue
        seen_names[name] = n
        seen_seq[seq] = n
        branches.append(Branch(seq=seq, name=name, contact=cell(r, "联系人"), email=cell(r, "邮箱")))
    if errors:
        raise ConfigError("名单有误，未生成任何文件：\n" + "\n".join(errors))
    if not branches:
        raise ConfigError(f"名单 {source} 中没有任何党总支")
    return tuple(branches)


def load_roster(path: Path) -> tuple[Branch, ...]:
    """A roster file: CSV (UTF-8, with or without BOM, or GBK) or XLSX with columns 序号/党总支名称/联系人/邮箱."""
    if not path.is_file():
        raise ConfigError(f"找不到名单文件：{path}")
    data = path.read_bytes()
    if data[:2] == b"PK":
        import python_calamine

        try:
            wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # any reader failure is a user error here
            raise ConfigError(f"名单文件 {path.name} 无法读取：{exc}") from exc
    else:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ConfigError(f"名单文件 {path.name} 编码无法识别，请另存为 UTF-8 的 CSV")
        rows = list(csv.reader(io.StringIO(text)))
    return parse_roster_rows(rows, path.name)


@lru_cache(maxsize=1)
def default_roster() -> tuple[Branch, ...]:
    raw = resources.files(__package__).joinpath("roster.csv").read_text("utf-8-sig")
    return parse_roster_rows(list(csv.reader(io.StringIO(raw))), "内置示例名单")


# ---------------------------------------------------------------- campaign

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


def roster_csv(branches: tuple[Branch, ...]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(ROSTER_HEADERS)
    for b in branches:
        w.writerow([b.seq, b.name, b.contact, b.email])
    return out.getvalue()
