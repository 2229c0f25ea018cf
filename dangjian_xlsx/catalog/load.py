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
from ..models import Catalog


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
    """Hash of the catalog's canonical form and of where the layout puts its cells: what makes two forms
    'the same version' (the errata only document the text: not part of it)."""
    canon = json.dumps(
        {"catalog": cat.model_dump(mode="json", exclude={"errata"}), "layout": fingerprint(cat)},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]
