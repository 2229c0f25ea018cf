"""表格内容.xlsx, the forms' content as the clerk owns it: read into the catalog (`read_forms`), or checked
(`check_forms`: the outline and every problem at once, for `dangjian-xlsx forms check`). The sheets are
parsed by formsparse (附件1, 附件2) and formssettings (设置); the built-in forms are written by formswrite."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from ..errors import ConfigError
from ..models import Catalog, Erratum, Form1Spec, Form2Spec, Group, Item, Section, Task, round_points
from .formsgrid import Grid, read_file, read_grids
from .formsparse import Form1Draft, Form2Draft, parse_form1, parse_form2
from .formssettings import SETTINGS_SHEET, Settings, parse_settings, resolve_errata

FORMS_FILE = "表格内容.xlsx"  # written by init beside campaign.toml
FORM1_SHEET, FORM2_SHEET = "附件1", "附件2"
MAX_SECTIONS = MAX_TASKS = 99  # the ids have two digits (S01…S99, T01…T99)


@dataclass(frozen=True)
class FormsCheck:
    """What `forms check` shows: the outline of what was read, every problem, and the catalog (None when
    there are problems)."""

    catalog: Catalog | None
    outline: tuple[str, ...]
    problems: tuple[str, ...]


def read_forms(path: Path) -> Catalog:
    """The catalog of a 表格内容.xlsx, or one ConfigError listing every problem."""
    path = Path(path)
    stat = path.stat() if path.is_file() else None
    key = (stat.st_mtime_ns, stat.st_size) if stat is not None else (0, 0)
    return _read_cached(str(path.resolve()), *key)


@lru_cache(maxsize=8)
def _read_cached(path: str, _mtime: int, _size: int) -> Catalog:
    """read_forms, once per file version (a command loads its campaign more than once)."""
    check = check_forms(Path(path))
    if check.catalog is None:
        lines = "\n".join(f"{n}. {p}" for n, p in enumerate(check.problems, 1))
        raise ConfigError(
            f"表格内容文件 {path} 有 {len(check.problems)} 处问题，未生成或读取任何表格：\n{lines}\n"
            f"改正后可运行 dangjian-xlsx forms check {Path(path).name} 检查"
        )
    return check.catalog


def check_forms(path: Path) -> FormsCheck:
    """Read a 表格内容.xlsx and report what it holds and every problem. ConfigError only when the file cannot
    be read at all (missing, not an .xlsx)."""
    grids = read_grids(read_file(Path(path)), Path(path).name)
    problems: list[str] = []
    for name in (FORM1_SHEET, FORM2_SHEET):
        if name not in grids:
            have = "、".join(grids) or "无"
            problems.append(
                f"工作簿中没有名为“{name}”的工作表（现有：{have}）：请把{name}的表格放在名为“{name}”的工作表中"
            )
    f1 = parse_form1(grids[FORM1_SHEET], problems) if FORM1_SHEET in grids else None
    f2 = parse_form2(grids[FORM2_SHEET], problems) if FORM2_SHEET in grids else None
    settings = parse_settings(grids.get(SETTINGS_SHEET), problems)
    sections = _sections(f1, problems) if f1 is not None else ()
    groups = _groups(f2, problems) if f2 is not None else ()
    errata = _errata(grids.get(SETTINGS_SHEET), settings, sections, groups, problems)
    outline = tuple(_outline(f1, f2, settings))
    if problems or f1 is None or f2 is None:
        return FormsCheck(None, outline, tuple(problems))
    try:
        catalog = Catalog(
            version=settings.version,
            form1=Form1Spec(attachment=settings.attachment1, title=f1.title, sections=sections),
            form2=Form2Spec(attachment=settings.attachment2, title=f2.title, groups=groups),
            errata=errata,
            statuses=settings.statuses,
            unit=settings.unit,
        )
    except ValidationError as exc:  # every check above should have caught it first
        return FormsCheck(None, outline, (f"表格内容有误：{exc.errors()[0]['msg']}",))
    return FormsCheck(catalog, outline, ())


def _sections(draft: Form1Draft, problems: list[str]) -> tuple[Section, ...]:
    if len(draft.sections) > MAX_SECTIONS:
        problems.append(f"工作表“{FORM1_SHEET}”：最多 {MAX_SECTIONS} 个部分，现有 {len(draft.sections)} 个")
        return ()
    if any(i.points is None or not i.text for s in draft.sections for i in s.items):
        return ()  # reported already
    out = []
    for n, s in enumerate(draft.sections, 1):
        sid = f"S{n:02d}"
        items = tuple(Item(id=f"{sid}.{k}", text=i.text, points=i.points) for k, i in enumerate(s.items, 1))
        if items:
            out.append(Section(id=sid, numeral=s.numeral, name=s.name, max_points=s.points, items=items))
    return tuple(out)


def _groups(draft: Form2Draft, problems: list[str]) -> tuple[Group, ...]:
    n_tasks = sum(len(g.tasks) for g in draft.groups)
    if n_tasks > MAX_TASKS:
        problems.append(f"工作表“{FORM2_SHEET}”：最多 {MAX_TASKS} 项任务，现有 {n_tasks} 项")
        return ()
    out, n = [], 0
    for k, g in enumerate(draft.groups, 1):
        tasks = []
        for _, text in g.tasks:
            n += 1
            tasks.append(Task(id=f"T{n:02d}", text=text))
        out.append(Group(id=f"G{k}", numeral=g.numeral, title=g.title, tasks=tuple(tasks)))
    return tuple(out)


def _errata(
    grid: Grid | None,
    settings: Settings,
    sections: tuple[Section, ...],
    groups: tuple[Group, ...],
    problems: list[str],
) -> tuple[Erratum, ...]:
    if not settings.errata:
        return ()
    if not sections or not groups:
        return ()  # the forms have problems: the errata cannot be matched yet
    texts = {i.id: i.text for s in sections for i in s.items}
    texts |= {t.id: t.text for g in groups for t in g.tasks}
    numbered = {(s.numeral, k): i.id for s in sections for k, i in enumerate(s.items, 1)}
    return resolve_errata(grid, settings.errata, texts, numbered, problems)


def _outline(f1: Form1Draft | None, f2: Form2Draft | None, settings: Settings) -> list[str]:
    lines = []
    if f1 is not None:
        lines.append(f"{settings.attachment1}：{f1.title or '（缺少标题）'}")
        for s in f1.sections:
            stated = "" if s.stated is None or s.stated == s.points else f"（标明{s.stated}分）"
            lines.append(f"  {s.numeral}、{s.name}：{len(s.items)} 项，{s.points} 分{stated}")
        n_items = sum(len(s.items) for s in f1.sections)
        total = round_points(sum(s.points for s in f1.sections))
        lines.append(f"  共 {len(f1.sections)} 个部分、{n_items} 项，总分 {total} 分")
    if f2 is not None:
        lines.append(f"{settings.attachment2}：{f2.title or '（缺少标题）'}")
        lines += [f"  {g.title}：{len(g.tasks)} 项任务" for g in f2.groups]
        lines.append(f"  共 {len(f2.groups)} 类、{sum(len(g.tasks) for g in f2.groups)} 项任务")
    lines.append(f"完成状态：{'、'.join(settings.statuses)}（{len(settings.statuses)} 个）")
    lines.append(f"填报单位：{settings.unit}")
    lines.append(f"表格版本：{settings.version}")
    if settings.errata:
        lines.append(f"勘误：{len(settings.errata)} 条")
    return lines
