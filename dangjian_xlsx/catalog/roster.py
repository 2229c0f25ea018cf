"""The roster of 党总支: parsed from a CSV or XLSX file (every bad row reported), the built-in example, the
CSV template written by `init`.

Columns are found by their header: 党总支名称 is required; 序号, 简称, 联系人 and 邮箱 are optional. 简称 is the
name people use for the branch in file names (计算机学院 for 计算机与信息工程学院（软件学院）党总支); it may not
repeat another row's 简称 or name, since it must name one branch only.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..models import Branch
from .names import normalize, strip_parentheticals, strip_suffix

FORBIDDEN_NAME_CHARS = set('/\\:*?"<>|') | {chr(c) for c in range(32)}
ROSTER_HEADERS = ("序号", "党总支名称", "简称", "联系人", "邮箱")
# The name column's header: the built-in 党总支名称, or what a round of another unit calls it
NAME_HEADERS = ("党总支名称", "党支部名称", "直属党支部名称", "党委名称", "党组织名称", "单位名称", "名称")


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
    name_header = next((h for h in header if h in NAME_HEADERS), "")
    if not name_header:
        raise ConfigError(
            f"名单 {source} 第1行缺少名称列的表头“党总支名称”（党支部的名单可写“党支部名称”或“单位名称”；"
            f"应为：{'、'.join(ROSTER_HEADERS)}）"
        )
    col = {h: header.index(h) for h in ROSTER_HEADERS if h in header}
    col["党总支名称"] = header.index(name_header)  # the unit's name, whatever the round calls the unit

    def cell(r: list[Any], key: str) -> str:
        i = col.get(key)
        return _clean(r[i]) if i is not None and i < len(r) else ""

    errors: list[str] = []
    branches: list[Branch] = []
    rows_of: list[int] = []
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
        rows_of.append(n)
        branches.append(
            Branch(
                seq=seq, name=name, short=cell(r, "简称"), contact=cell(r, "联系人"), email=cell(r, "邮箱")
            )
        )
    errors += _short_name_errors(branches, rows_of, source)
    if errors:
        raise ConfigError("名单有误，未生成任何文件：\n" + "\n".join(errors))
    if not branches:
        raise ConfigError(f"名单 {source} 中没有任何党总支")
    return tuple(branches)


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
    """A roster file: CSV (UTF-8, with or without BOM, or GBK) or XLSX with columns 序号/党总支名称/简称/联系人/
    邮箱 (only 党总支名称 required)."""
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


def roster_csv(branches: tuple[Branch, ...]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(ROSTER_HEADERS)
    for b in branches:
        w.writerow([b.seq, b.name, b.short, b.contact, b.email])
    return out.getvalue()
