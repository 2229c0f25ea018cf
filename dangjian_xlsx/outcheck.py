"""Before anything is written: where the outputs would go, checked against what the run reads.

The tool never reads its own outputs (rule 11) and never overwrites what it reads: no output (the summary,
its exports, their kept `上次` copies, the output folders) may lie inside the inbox, be an input file (the
campaign, the roster, the forms workbook), or be a folder that holds one; `check_round` stops a round whose
forms all belong to another (rule 12). Whatever is in the way of an output is said before any work: a
folder where a file goes, a file where a folder goes, a folder of somebody else's files that the run would
replace as a whole.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from pathlib import Path

from .errors import UserError, WriteError, blocking_file
from .messages import Code
from .models import Campaign, FileRecord
from .outset import Entry
from .ownfiles import MARKER_NAME, is_output_folder


def _real(path: Path | str) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _inside(path: Path, folder: Path) -> bool:
    return _real(path).is_relative_to(_real(folder))


def input_files(campaign_file: Path | None, roster: Path | None) -> list[Path]:
    """The files a run reads besides the inbox: the campaign file, the roster and the files the campaign file
    names (roster, forms, catalog)."""
    found = [p for p in (campaign_file, roster) if p is not None]
    if campaign_file is not None:
        try:
            section = tomllib.loads(Path(campaign_file).read_text("utf-8-sig")).get("campaign", {})
        except (OSError, ValueError):
            section = {}
        for key in ("roster", "forms", "catalog"):
            value = section.get(key) if isinstance(section, dict) else None
            if isinstance(value, str) and value:
                found.append(Path(campaign_file).parent / value)
    return found


def refuse_overlap(outputs: Iterable[Path], inbox: Path | None, inputs: Iterable[Path], what: str) -> None:
    """UserError when an output (`what`: the summary's or a folder's Chinese name) is an input file, holds one,
    or lies inside the inbox."""
    outs = [Path(p) for p in outputs]
    for out in outs:
        for given in inputs:
            if _inside(given, out) or _inside(out, given):  # the input, a folder holding it, a path under it
                raise UserError(
                    f"{what}的输出 {out} 会覆盖本次读取的文件 {given}：请把 --out 指向别处（换一个文件名或文件夹）"
                )
    if inbox is None:
        return
    for out in outs:
        if _inside(out, inbox):
            suggest = _real(inbox).parent / outs[0].name
            raise UserError(
                f"{what}不能写在收件文件夹里：{outs[0]} 位于收件文件夹 {inbox} 之内，下次汇总时会被当作交回的文件读取。"
                f"请把 --out 指向收件文件夹之外，例如 --out {suggest}"
            )
        if _inside(inbox, out) or _inside(Path.cwd(), out):
            held = inbox if _inside(inbox, out) else Path.cwd()
            raise UserError(
                f"{what}的输出文件夹 {out} 包含了 {held}，会被整体替换：请把 --out 指向一个单独的文件夹"
            )


def refuse_in_the_way(folder: Path, files: list[Entry], folders: list[Entry]) -> None:
    """WriteError when something is in the way of the set in `folder`: a part of its path that is a file, a
    folder where a file goes, a file where a folder goes."""
    blocker = blocking_file(folder)
    if blocker is not None:
        raise WriteError(f"无法写入 {folder}：{blocker} 是文件而不是文件夹。请检查 --out，或换一个输出位置")
    for e in files:
        for name in (e.name, e.kept):
            if (folder / name).is_dir():
                raise WriteError(
                    f"无法写入 {folder / name}：这里已有一个同名的文件夹。请移走或改名该文件夹，或换一个输出位置"
                )
    for e in folders:
        for name in (e.name, e.kept):
            p = folder / name
            if os.path.lexists(p) and not p.is_dir():
                raise WriteError(
                    f"无法写入 {p}：这里已有一个同名的文件，而本工具要在这里写一个文件夹。请移走或改名该文件，或换一个输出位置"
                )


def refuse_foreign(folder: Path, marked: bool) -> None:
    """UserError when the output folder `folder`, which a run replaces as a whole, holds somebody else's
    things: anything but workbooks and notices (.xlsx, .txt), unless it carries the tool's marker (`marked`
    folders only: their marker says they are replaced)."""
    if not folder.is_dir() or (marked and is_output_folder(folder)):
        return
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    foreign = [
        n
        for n in names
        if not n.startswith(".")
        and n != MARKER_NAME
        and not ((folder / n).is_file() and n.lower().endswith((".xlsx", ".txt")))
    ]
    if foreign:
        example = "、".join(foreign[:3]) + (" 等" if len(foreign) > 3 else "")
        raise UserError(
            f"输出文件夹 {folder} 中有不是本工具写出的内容（{example}）：每次运行都会整体替换这个文件夹"
            f"（旧的保留为“{folder.name}.上次”，再下一次运行时删除）。为免误删，请移走这些内容，或用 --out 换一个新的文件夹"
        )


# ---------------------------------------------------------------- rule 12: the right round


def _mismatches(record: FileRecord) -> list[tuple[str, str]]:
    """(code, value) of the record's school and year mismatches."""
    codes = (Code.SCHOOL_MISMATCH.value, Code.YEAR_MISMATCH.value)
    return [(p.code, p.value) for p in record.problems if p.code in codes]


def check_round(campaign: Campaign, files: list[FileRecord], source: str, *, checked: bool = False) -> None:
    """UserError when every form among `files` (a file whose identity names a form) carries another school or
    year than `campaign` (`source`: where the campaign comes from): the wrong round, or the wrong campaign.
    `checked`: the files of the `check` command, not an inbox."""
    # a form = a file whose own identity was read: not one whose kind was only guessed from its name (rule 9:
    # an encrypted or damaged file says nothing about the round)
    forms = [f for f in files if (f.kind is not None and not f.attribution) or _mismatches(f)]
    odd = [f for f in forms if _mismatches(f)]
    if not forms or len(odd) < len(forms):
        return
    found = [m for f in odd for m in _mismatches(f)]
    schools = sorted({v for c, v in found if c == Code.SCHOOL_MISMATCH.value and v})
    years = sorted({v for c, v in found if c == Code.YEAR_MISMATCH.value and v})
    said = []
    if schools:
        said.append("学校为" + "、".join(f"“{s}”" for s in schools))
    if years:
        said.append("年度为" + "、".join(f"{y}年" for y in years))
    where = "所检查的" if checked else "收件文件夹中的"
    raise UserError(
        f"{where} {len(forms)} 份表格都不是本轮督查的表格：表格上{'，'.join(said)}；"
        f"而督查配置（{source}）是“{campaign.school}”{campaign.year}年。"
        "请确认文件是否放错，或用 --campaign 指定本轮的督查配置文件（campaign.toml）。"
        + ("" if checked else "未写出任何文件。")
    )
