"""Load and check the catalog: the official forms as data, and the digest that identifies its version."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError
from ..layout import fingerprint
from ..models import DEFAULT_STATUSES, DEFAULT_UNIT, Catalog, round_points


def check_catalog(cat: Catalog) -> None:
    """Raise ConfigError unless the catalog is internally consistent. Any number of sections, items, groups
    and tasks, and any total, is allowed."""
    problems: list[str] = []
    for s in cat.form1.sections:
        got = round_points(sum(i.points for i in s.items))
        if not s.items:
            problems.append(f"{s.id} 没有任何项目")
        elif got != s.max_points:
            problems.append(f"{s.id} 各项分值之和为 {got}，应为 {s.max_points}")
        for i in s.items:
            if not i.id.startswith(s.id + "."):
                problems.append(f"{i.id} 不属于 {s.id}")
    if not cat.items:
        problems.append("评分表没有任何项目")
    problems += [f"{g.id} 没有任何任务" for g in cat.form2.groups if not g.tasks]
    if not cat.tasks:
        problems.append("重点任务清单没有任何任务")
    ids = [s.id for s in cat.sections] + [i.id for i in cat.items]
    ids += [g.id for g in cat.form2.groups] + [t.id for t in cat.tasks]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        problems.append(f"编号重复：{'、'.join(dup)}")
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
    """Hash of the catalog's canonical form and of where the layout puts its cells: what makes two forms
    'the same version' (the errata only document the text: not part of it)."""
    data = cat.model_dump(mode="json", exclude={"errata"})
    for key, default in (("statuses", list(DEFAULT_STATUSES)), ("unit", DEFAULT_UNIT)):
        if data[key] == default:  # the settings the 2018 forms had implicitly: the digest as it was
            del data[key]
    canon = json.dumps(
        {"catalog": data, "layout": fingerprint(cat)},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]
