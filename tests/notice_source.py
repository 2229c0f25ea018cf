"""Independent parser of the official notice (docs/source/notice.txt).

Tests use it to prove the catalog's form text equals the notice's text after the
listed errata. It deliberately shares no code with the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dangjian_xlsx.models import Catalog

NOTICE = Path(__file__).resolve().parent.parent / "docs" / "source" / "notice.txt"


@dataclass
class NoticeItem:
    section_numeral: str
    section_name: str
    section_max: int
    text: str
    points: int


@dataclass
class NoticeTask:
    group: str
    text: str


def _rows(block: str) -> list[list[str]]:
    rows = []
    for raw in block.split("\n\n"):
        if not raw.strip("\n"):
            continue
        cells = [c for c in raw.lstrip("\n").split("\t")[1:]]
        rows.append([c.rstrip("\n") for c in cells])
    return rows


def notice_text() -> str:
    return NOTICE.read_text(encoding="utf-8")


def parse_form1(text: str | None = None) -> list[NoticeItem]:
    text = text or notice_text()
    start = text.index("\t得分\n") + len("\t得分\n")
    end = text.index("附件2\n", start)
    items: list[NoticeItem] = []
    numeral = name = ""
    smax = 0
    for cells in _rows(text[start:end]):
        if len(cells) < 4:
            continue
        if cells[0].strip():
            numeral = cells[0].strip()
            head = cells[1]
            m = re.search(r"（(\d+)分）\s*$", head)
            assert m, head
            smax = int(m.group(1))
            name = re.sub(r"\s+", "", head[: m.start()])
        pts = re.fullmatch(r"(\d+)分", cells[3].strip())
        assert pts, cells
        items.append(NoticeItem(numeral, name, smax, cells[2].strip(), int(pts.group(1))))
    return items


def parse_form2(text: str | None = None) -> list[NoticeTask]:
    text = text or notice_text()
    start = text.index("附件2\n")
    tasks: list[NoticeTask] = []
    group = ""
    for cells in _rows(text[start:]):
        if len(cells) < 2:
            continue
        if cells[0].strip() == "重点工作任务":
            continue
        if cells[0].strip():
            group = cells[0].strip()
        if len(cells) >= 3 and cells[1].strip():
            tasks.append(NoticeTask(group, cells[1].strip()))
    return tasks


def corrected(text: str, errata: list[tuple[str, str]]) -> str:
    """The notice's text with the errata applied; each original must occur exactly once."""
    for original, fixed in errata:
        assert text.count(original) == 1, (original, text)
        text = text.replace(original, fixed)
    return text


def errata_by_id(cat: Catalog) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for e in cat.errata:
        out.setdefault(e.id, []).append((e.original, e.corrected))
    return out
