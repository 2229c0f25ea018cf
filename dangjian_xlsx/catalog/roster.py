"""The roster of 党总支: parsed from a CSV or XLSX file (every bad row reported), the built-in example, the
CSV template written by `init`.

Columns are found by their header: 党总支名称 is required; 序号, 简称, 联系人 and 邮箱 are optional. 简称 is the
name people use for the branch in file names (计算机学院 for 计算机与信息工程学院（软件学院）党总支); it may not
repeat another row's 简称 or name, since it must name one branch only.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..models import Branch
from .names import normalize, strip_parentheticals, strip_suffix, without_invisible
from .rosterfile import roster_grids

FORBIDDEN_NAME_CHARS = set('/\\:*?"<>|') | {chr(c) for c in range(32)}
ROSTER_HEADERS = ("序号", "党总支名称", "简称", "联系人", "邮箱")
# The name column's header: the built-in 党总支名称, or what a round of another unit calls it
NAME_HEADERS = ("党总支名称", "党支部名称", "直属党支部名称", "党委名称", "党组织名称", "单位名称", "名称")


MAX_NAME_BYTES = 150  # 50 汉字: a name goes into file names (at most 255 bytes with the forms' labels)
MAX_FIELD_CHARS = 500  # 联系人, 邮箱: more is not a contact
MAX_SEQ_DIGITS = 15  # what Excel shows of a number without rounding
HEADER_ROWS = 10  # the header may sit below a title row or a few: looked for in the first rows


@dataclass(frozen=True)
class Roster:
    """The branches of a roster file, and what was understood of it (one line each, for the command line)."""

    branches: tuple[Branch, ...]
    notes: tuple[str, ...] = ()


def _clean(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def parse_roster_rows(rows: list[list[Any]], source: str) -> tuple[Branch, ...]:
    """Rows (a header row among the first ones) → branches. Every bad row is reported, with its row number."""
    return parse_roster(rows, source).branches


def parse_roster(rows: list[list[Any]], source: str) -> Roster:
    """Rows → the roster and its notes; a ConfigError listing every bad row."""
    if not any(any(_clean(v) for v in r) for r in rows):
        raise ConfigError(f"名单 {source} 是空的")
    start, col = _header(rows, source)
    parsed = _Rows(source)
    for n, r in enumerate(rows[start + 1 :], start=start + 2):
        if any(_clean(v) for v in r):
            parsed.add(n, {key: _clean(r[i]) if i < len(r) else "" for key, i in col.items()})
    errors = parsed.errors + _short_name_errors(parsed.branches, parsed.rows_of, source)
    if errors:
        raise ConfigError("名单有误，未生成任何文件：\n" + "\n".join(errors))
    if not parsed.branches:
        raise ConfigError(f"名单 {source} 中没有任何党总支")
    return Roster(tuple(parsed.branches), tuple(parsed.notes))


def _header(rows: list[list[Any]], source: str) -> tuple[int, dict[str, int]]:
    """(index of the header row, column of each known header) — the first of the first rows naming the
    name column (a title row above it is skipped)."""
    for i, r in enumerate(rows[:HEADER_ROWS]):
        header = [normalize(_clean(h)) for h in r]
        name_header = next((h for h in header if h in NAME_HEADERS), "")
        if name_header:
            col = {h: header.index(h) for h in ROSTER_HEADERS if h in header}
            col["党总支名称"] = header.index(
                name_header
            )  # the unit's name, whatever the round calls the unit
            return i, col
    raise ConfigError(
        f"名单 {source} 的前{HEADER_ROWS}行中没有名称列的表头“党总支名称”（党支部的名单可写“党支部名称”或“单位名称”；"
        f"表头应为：{'、'.join(ROSTER_HEADERS)}）"
    )


_NO_BREAK_SPACES = re.compile("[\u00a0\u2007\u202f]")


def _how_differs(a: str, b: str) -> str:
    """How two names that compare equal differ: 空格, 全角/半角, or both."""
    spaces = sorted(c for c in a if c.isspace()) != sorted(c for c in b if c.isspace())
    a_bare, b_bare = ("".join(c for c in x if not c.isspace()) for x in (a, b))
    width = a_bare != b_bare
    return "、".join(w for w, on in (("全角/半角", width), ("空格", spaces)) if on) or "写法"


class _Rows:
    """The roster's rows as they are read: branches, errors and notes, each naming its row."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.branches: list[Branch] = []
        self.rows_of: list[int] = []
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.names: dict[str, tuple[int, str]] = {}  # comparison key → (row, name as written)
        self.seqs: dict[int, int] = {}

    def add(self, n: int, cells: dict[str, str]) -> None:
        where = f"名单 {self.source} 第{n}行"
        picked = self._name(cells.get("党总支名称", ""), where)
        if picked is None:
            return
        name, written = picked
        seq = self._seq(cells.get("序号", ""), where)
        problem = next((p for p in (self._fields(cells), self._seq_taken(seq)) if p), "")
        if seq is None or problem:
            if problem:
                self.errors.append(f"{where}：{problem}")
            return
        self.names[normalize(name)] = (n, written)
        self.seqs[seq] = n
        self.rows_of.append(n)
        self.branches.append(
            Branch(
                seq=seq,
                name=name,
                short=without_invisible(cells.get("简称", "")),
                contact=cells.get("联系人", ""),
                email=cells.get("邮箱", ""),
            )
        )

    def _name(self, typed: str, where: str) -> tuple[str, str] | None:
        """(the row's name, as written less invisible characters), or None: an error added, or a note that
        it repeats an earlier row's name."""
        name = written = without_invisible(typed).strip()
        if not normalize(name):
            self.errors.append(f"{where}：党总支名称为空" + ("（只有看不见的字符）" if typed else ""))
            return None
        if name != typed:
            self.notes.append(f"{where}：党总支名称“{name}”中看不见的字符已去掉")
        if _NO_BREAK_SPACES.search(name):
            name = _NO_BREAK_SPACES.sub(" ", name)
            self.notes.append(f"{where}：党总支名称“{name}”中的不换行空格已改为普通空格")
        bad = sorted({c for c in name if c in FORBIDDEN_NAME_CHARS})
        if bad:
            shown = "".join(c if c.isprintable() else repr(c) for c in bad)
            self.errors.append(f"{where}：党总支名称“{name}”含有不能用于文件名的字符 {shown}")
            return None
        size = len(name.encode("utf-8"))
        if size > MAX_NAME_BYTES:
            self.errors.append(
                f"{where}：党总支名称太长（{len(name)} 个字），最多 {MAX_NAME_BYTES // 3} 个汉字"
                f"（文件名中放不下）：请改用简短的全称，开头是“{name[:20]}…”"
            )
            return None
        return None if self._repeats(name, written, where) else (name, written)

    def _repeats(self, name: str, written: str, where: str) -> bool:
        """Whether the name is an earlier row's: written the same (an error), or only differing in full/half
        width or spaces (a note: one branch, the earlier row's)."""
        seen = self.names.get(normalize(name))
        if seen is None:
            return False
        if seen[1] == written:
            self.errors.append(f"{where}：党总支名称“{name}”与第{seen[0]}行重复")
        else:
            self.notes.append(
                f"{where}：党总支名称“{written}”与第{seen[0]}行的“{seen[1]}”只是{_how_differs(written, seen[1])}"
                f"不同，按同一个党总支计（以第{seen[0]}行为准，本行不再单列）"
            )
        return True

    def _seq(self, text: str, where: str) -> int | None:
        """The row's 序号 (the next number when blank), or None with an error added."""
        if not text:
            return max(self.seqs, default=0) + 1
        plain = unicodedata.normalize("NFKC", text).strip()
        shown = text if len(text) <= 30 else text[:30] + "…"
        if plain.isdigit() and len(plain.lstrip("0")) > MAX_SEQ_DIGITS:
            self.errors.append(f"{where}：序号“{shown}”太大：最多 {MAX_SEQ_DIGITS} 位数字")
            return None
        try:
            number = float(plain)
            seq = int(number) if math.isfinite(number) and number.is_integer() else 0
            if plain.isdigit():
                seq = int(plain)  # exact, however long
        except ValueError:
            seq = 0
        if seq < 1:
            self.errors.append(f"{where}：序号“{shown}”不是正整数（应写 1、2、3 …，也可以空着）")
            return None
        if len(str(seq)) > MAX_SEQ_DIGITS:
            self.errors.append(f"{where}：序号“{shown}”太大：最多 {MAX_SEQ_DIGITS} 位数字")
            return None
        return seq

    def _seq_taken(self, seq: int | None) -> str:
        return f"序号 {seq} 与第{self.seqs[seq]}行重复" if seq is not None and seq in self.seqs else ""

    @staticmethod
    def _fields(cells: dict[str, str]) -> str:
        for key in ("简称", "联系人", "邮箱"):
            value = cells.get(key, "")
            limit = MAX_NAME_BYTES if key == "简称" else MAX_FIELD_CHARS
            if len(value.encode("utf-8") if key == "简称" else value) > limit:
                return f"{key}内容过长（{len(value)} 个字符），请核对这一格"
        return ""


def _short_name_errors(branches: list[Branch], rows_of: list[int], source: str) -> list[str]:
    """A 简称 must name one branch: not another row's 简称, nor another row's name (with or without its
    党总支/党委 suffix)."""
    errors: list[str] = []
    taken: dict[str, int] = {}
    for b, n in zip(branches, rows_of, strict=True):
        for v in {normalize(b.name), strip_suffix(strip_parentheticals(b.name))}:
            taken.setdefault(v, n)
    seen: dict[str, int] = {}
    for b, n in zip(branches, rows_of, strict=True):
        short = normalize(b.short)
        if not short:
            continue
        where = f"名单 {source} 第{n}行"
        if short in seen:
            errors.append(f"{where}：简称“{b.short}”与第{seen[short]}行重复")
        elif taken.get(short, n) != n:
            errors.append(f"{where}：简称“{b.short}”与第{taken[short]}行的党总支名称相同")
        seen.setdefault(short, n)
    return errors


def load_roster(path: Path) -> tuple[Branch, ...]:
    """A roster file's branches (see `read_roster`)."""
    return read_roster(path).branches


def read_roster(path: Path) -> Roster:
    """A roster file — CSV (UTF-8, GBK, or Excel's UTF-16 "Unicode 文本"), XLSX, XLS or ODS — with the columns
    序号/党总支名称/简称/联系人/邮箱 (only 党总支名称 required) under a header row among the first rows, in the
    first sheet that has one."""
    grids = roster_grids(path)
    for grid in grids:
        if any(normalize(_clean(h)) in NAME_HEADERS for r in grid[:HEADER_ROWS] for h in r):
            return parse_roster(grid, path.name)
    return parse_roster(grids[0] if grids else [], path.name)


@lru_cache(maxsize=1)
def default_roster() -> tuple[Branch, ...]:
    raw = resources.files(__package__).joinpath("roster.csv").read_text("utf-8-sig")
    return parse_roster_rows(list(csv.reader(io.StringIO(raw))), "内置示例名单")


def roster_csv(branches: tuple[Branch, ...]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(ROSTER_HEADERS)
    for b in branches:
        w.writerow([b.seq, b.name, b.short, b.contact, b.email])
    return out.getvalue()
