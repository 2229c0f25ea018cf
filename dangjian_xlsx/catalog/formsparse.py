"""The sheets 附件1 and 附件2 of 表格内容.xlsx, laid out like the notice's own tables, parsed into drafts;
every problem found is added to a list, in Chinese, naming the sheet and row and how to fix it.

附件1: the title, the header `序号 | 项目 | 督查内容及方式 | 分值`, one row per item. A row whose 序号 holds
一、二… or a number (or whose 项目 is filled) starts a section; 项目 holds its name, optionally ending with its
points （12分）; the following rows, their 序号 and 项目 blank or covered by a merged cell, belong to it.
附件2: the title, the header `类别 | 重点工作任务`, one row per task; a filled 类别 starts a group.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..models import TITLE_FIELDS, round_points
from .formsgrid import Grid, chinese_numeral, find_header, parse_points, squash, title_above

FORM1_COLUMNS = (("seq", ("序号",)), ("name", ("项目",)), ("text", ("内容",)), ("points", ("分值", "分数")))
FORM2_COLUMNS = (("group", ("类别",)), ("task", ("任务", "内容")))
_NUMERAL = re.compile(r"^[（(]?([一二三四五六七八九十百零〇]+|\d+)[)）]?[、.．,，]?$")
_GROUP_NUMERAL = re.compile(r"^[（(]?([一二三四五六七八九十百零〇]+|\d+)[)）]?[、.．]")
_SECTION_POINTS = re.compile(r"\s*[（(]\s*([0-9０-９]+(?:[.．][0-9０-９]+)?)\s*分\s*[）)]\s*$")
_TOTAL_WORDS = {"合计", "总计", "总分", "合计分值", "总分值"}
_FIELD = re.compile(r"\{[^{}]*\}")


@dataclass
class ItemDraft:
    row: int
    text: str
    points: int | float | None


@dataclass
class SectionDraft:
    row: int
    numeral: str
    name: str
    stated: int | float | None  # the points written after the name, （12分）
    items: list[ItemDraft] = field(default_factory=list)

    @property
    def points(self) -> int | float:
        return round_points(sum(i.points or 0 for i in self.items))


@dataclass
class GroupDraft:
    row: int
    numeral: str
    title: str
    tasks: list[tuple[int, str]] = field(default_factory=list)  # (row, text)


@dataclass
class Form1Draft:
    title: str
    sections: list[SectionDraft]


@dataclass
class Form2Draft:
    title: str
    groups: list[GroupDraft]


def parse_form1(grid: Grid, problems: list[str]) -> Form1Draft | None:
    found = find_header(grid, FORM1_COLUMNS)
    if found is None:
        problems.append(
            f"工作表“{grid.name}”：找不到表头行“序号 | 项目 | 督查内容及方式 | 分值”：请在标题下面一行写这四列的列名"
        )
        return None
    header, col = found
    title = _title(grid, header, problems)
    sections: list[SectionDraft] = []
    total: tuple[int, str] | None = None
    for row in range(header + 1, len(grid.rows)):
        seq, name = grid.text(row, col["seq"]), grid.text(row, col["name"])
        text, points = grid.text(row, col["text"]), grid.value(row, col["points"])
        if squash(seq) in _TOTAL_WORDS or squash(name) in _TOTAL_WORDS or squash(text) in _TOTAL_WORDS:
            total = (row, grid.text(row, col["points"]))
            break  # what follows the 合计 row (notes, signatures) is not the table
        if (seq or name) and not _continues(sections, seq, name):
            sections.append(_section(grid, row, seq, name, len(sections) + 1, problems))
        if text or grid.text(row, col["points"]):
            _item(grid, row, text, points, sections, problems)
    _check_form1(grid, sections, total, problems)
    return Form1Draft(title, sections)


def _title(grid: Grid, header: int, problems: list[str]) -> str:
    title, row = title_above(grid, header)
    title = title.replace("｛", "{").replace("｝", "}")
    if not title:
        problems.append(f"{grid.where(row)}：缺少表格标题：请在表头上面一行写标题（可写 {{学校}}、{{年度}}）")
    for unknown in sorted({f for f in _FIELD.findall(title) if f not in TITLE_FIELDS}):
        problems.append(f"{grid.where(row)}：标题中的“{unknown}”无法识别：只能写 {{学校}} 或 {{年度}}")
    return title


def _continues(sections: list[SectionDraft], seq: str, name: str) -> bool:
    """A row repeating its section's 序号 and 项目 (a merged cell unmerged with 'fill') stays in it."""
    if not sections:
        return False
    last = sections[-1]
    return squash(name) == squash(last.name) and (not seq or _numeral(seq) == last.numeral) and bool(name)


def _section(grid: Grid, row: int, seq: str, name: str, n: int, problems: list[str]) -> SectionDraft:
    numeral = _numeral(seq) if seq else chinese_numeral(n)
    if numeral is None:
        problems.append(
            f"{grid.where(row)}：序号“{seq}”不是一、二……或数字：新的一部分在序号中写一、二……，同一部分的其他行序号留空"
        )
        numeral = seq
    stated = None
    m = _SECTION_POINTS.search(name)
    if m:
        stated, wrong = parse_points(m.group(1).replace("．", "."))
        if wrong:
            problems.append(f"{grid.where(row)}：项目“{name}”括号中的{wrong}")
        name = name[: m.start()].strip()
    if not name:
        problems.append(f"{grid.where(row)}：第{numeral}部分没有项目名称：请在“项目”列写这一部分的名称")
    return SectionDraft(row, numeral, name, stated)


def _numeral(seq: str) -> str | None:
    m = _NUMERAL.match(unicodedata.normalize("NFKC", seq).strip().replace(" ", ""))
    return m.group(1) if m else None


def _item(
    grid: Grid, row: int, text: str, value: object, sections: list[SectionDraft], problems: list[str]
) -> None:
    where = grid.where(row)
    if not sections:
        problems.append(
            f"{where}：这一项上面没有所属的部分：请在这一行或上面一行的序号中写一、二……，项目中写名称"
        )
        return
    if not text:
        problems.append(f"{where}：有分值但没有督查内容：请在“督查内容及方式”列写这一项的内容，或删去这一行")
    points, wrong = parse_points(value)
    if wrong:
        problems.append(f"{where}：{wrong}")
    sections[-1].items.append(ItemDraft(row, text, points))


def _check_form1(
    grid: Grid, sections: list[SectionDraft], total: tuple[int, str] | None, problems: list[str]
) -> None:
    if not sections:
        problems.append(
            f"工作表“{grid.name}”：表头下面没有任何部分和项目：请按“序号 | 项目 | 督查内容及方式 | 分值”填写"
        )
    names: dict[str, int] = {}
    texts: dict[str, int] = {}
    for s in sections:
        where = grid.where(s.row)
        if not s.items:
            problems.append(
                f"{where}：第{s.numeral}部分“{s.name}”下面没有任何督查内容：请补上，或删去这一部分"
            )
        elif s.stated is not None and s.stated != s.points and all(i.points for i in s.items):
            problems.append(
                f"{where}：第{s.numeral}部分“{s.name}”标明{s.stated}分，但各项分值之和为{s.points}分：请改正分值或括号中的分数"
            )
        if s.name and squash(s.name) in names:
            problems.append(f"{where}：项目“{s.name}”与第{names[squash(s.name)] + 1}行重复")
        names.setdefault(squash(s.name), s.row)
        for it in s.items:
            key = squash(it.text)
            if key and key in texts:
                problems.append(
                    f"{grid.where(it.row)}：督查内容与第{texts[key] + 1}行重复：删去重复的一行，或改正其中一项"
                )
            texts.setdefault(key, it.row)
    if total is not None and total[1]:
        stated, _ = parse_points(total[1])
        got = round_points(sum(s.stated if s.stated is not None else s.points for s in sections))
        if stated != got:
            problems.append(
                f"{grid.where(total[0])}：合计写的是{total[1]}，但各部分分值之和为{got}分：请改正合计"
            )


def parse_form2(grid: Grid, problems: list[str]) -> Form2Draft | None:
    found = find_header(grid, FORM2_COLUMNS)
    if found is None:
        problems.append(
            f"工作表“{grid.name}”：找不到表头行“类别 | 重点工作任务”：请在标题下面一行写这两列的列名"
        )
        return None
    header, col = found
    title = _title(grid, header, problems)
    groups: list[GroupDraft] = []
    texts: dict[str, int] = {}
    for row in range(header + 1, len(grid.rows)):
        group, task = grid.text(row, col["group"]), grid.text(row, col["task"])
        if group and not (groups and squash(group) == squash(groups[-1].title)):
            m = _GROUP_NUMERAL.match(unicodedata.normalize("NFKC", group))
            groups.append(GroupDraft(row, m.group(1) if m else chinese_numeral(len(groups) + 1), group))
        if not task:
            continue
        if not groups:
            problems.append(
                f"{grid.where(row)}：这项任务上面没有类别：请在这一行或上面一行的“类别”列写类别名称"
            )
            continue
        key = squash(task)
        if key in texts:
            problems.append(
                f"{grid.where(row)}：任务与第{texts[key] + 1}行重复：删去重复的一行，或改正其中一项"
            )
        texts.setdefault(key, row)
        groups[-1].tasks.append((row, task))
    if not groups:
        problems.append(f"工作表“{grid.name}”：表头下面没有任何类别和任务：请按“类别 | 重点工作任务”填写")
    for g in groups:
        if not g.tasks:
            problems.append(
                f"{grid.where(g.row)}：类别“{g.title}”下面没有任何任务：请补上任务，或删去这一类别"
            )
    return Form2Draft(title, groups)
