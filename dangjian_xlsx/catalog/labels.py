"""Items and tasks named as the form shows them, for people: 第一部分第2项 (the section's numeral as printed in
序号, the item's place in its section), 第5项任务 (the task's place in 附件2) — not the catalog's ids (S01.2,
T05), which stay the keys of data (exports, 问题台账's 编号, the metadata)."""

from __future__ import annotations

import re

from ..models import Catalog

# A catalog id where a message names an item or a task ("S01.2（…）", "S01.5 分值被修改", "T05（…）").
_REF = re.compile(r"(?<![A-Za-z0-9.])(S\d{2}\.\d+|T\d{2,})(?!\d)( ?)")
_QUOTED = re.compile(r"(“[^”]*”)")  # what was typed or expected, quoted in a message: never rewritten


def ref_labels(catalog: Catalog) -> dict[str, str]:
    """Every item and task id → how the form shows it: 第一部分第2项, 第5项任务."""
    labels: dict[str, str] = {}
    for section in catalog.form1.sections:
        for n, item in enumerate(section.items, 1):
            labels[item.id] = f"第{section.numeral}部分第{n}项"
    for n, task in enumerate(catalog.tasks, 1):
        labels[task.id] = f"第{n}项任务"
    return labels


def plain(text: str, labels: dict[str, str]) -> str:
    """`text` with every item and task id replaced by its label ("S01.5 分值" → "第一部分第5项的分值")."""

    def label(m: re.Match[str]) -> str:
        found = labels.get(m.group(1))
        if found is None:
            return m.group(0)
        return found + ("的" if m.group(2) else "")

    parts = _QUOTED.split(text)
    return "".join(part if i % 2 else _REF.sub(label, part) for i, part in enumerate(parts))
