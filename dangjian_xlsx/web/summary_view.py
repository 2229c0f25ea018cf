"""What the 汇总 page shows, from the same tables and overview the summary workbook is written from
(`aggregate.tables_and_overview`): the overview's lines under 总览's labels, the ranking, the sections, 失分分析 and
the charts. Numbers are shown as 总览 and the CLI show them (one decimal; — for none)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from .. import aggregate as ag
from .charts import PERCENT, BarChart, bar_chart


@dataclass(frozen=True)
class Stat:
    label: str
    value: str
    explain: str = ""


@dataclass(frozen=True)
class Block:
    heading: str
    lines: tuple[Stat, ...]


@dataclass(frozen=True)
class RankRow:
    rank: str
    seq: str
    branch: str
    total: str
    status: str
    tone: str
    insp_total: str = ""
    insp_rank: str = ""
    diff: str = ""
    flag: str = ""


@dataclass(frozen=True)
class LossRow:
    rank: str
    id: str
    section: str
    text: str
    points: str
    lost: str
    n_losing: str
    rate: str


@dataclass(frozen=True)
class SectionRow:
    label: str
    points: str
    n: str
    mean: str
    rate: str
    low: str
    high: str


@dataclass(frozen=True)
class SummaryView:
    unit: str
    form1: str
    basis: str
    tiles: tuple[Stat, ...]
    blocks: tuple[Block, ...]
    doubts: tuple[ag.Doubt, ...]
    has_inspection: bool
    ranking: tuple[RankRow, ...]
    ranked: int
    sections: tuple[SectionRow, ...]
    section_losses: tuple[LossRow, ...]
    item_losses: tuple[LossRow, ...]
    items_without_loss: int
    charts: tuple[BarChart, ...]


def shown(v: Any) -> str:
    """A value as 总览 shows it: blank as —, a float with one decimal (Excel's 0.0), else as it is."""
    if v is None or ag.is_missing(v):
        return "—"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


def whole(v: Any) -> str:
    """A rank or a count (pandas may hold it as a float beside blanks): 3, not 3.0."""
    return "—" if v is None or ag.is_missing(v) else str(int(v))


def percent(v: Any) -> str:
    return "—" if v is None or ag.is_missing(v) else f"{float(v) * 100:.1f}%"


def tile_labels(ov: ag.Overview) -> list[str]:
    """The overview's lines shown large at the top: submissions, the basis, the scores, what is held back."""
    labels = [
        ov.words(ag.L_EXPECTED),
        ag.L_SUBMIT_ALL,
        ov.words(ag.L_SCORED),
        ag.L_AVERAGE,
        ag.L_MAX,
        ag.L_MIN,
    ]
    labels += [ag.L_PROVISIONAL, ag.L_DOUBT_FILES]
    if ov.has_inspection:
        labels += [ag.L_INSPECTED, ag.L_INSP_AVERAGE, ag.L_INFLATED]
    return labels


def overview_blocks(ov: ag.Overview) -> tuple[Block, ...]:
    return tuple(
        Block(heading, tuple(Stat(line.label, shown(line.value), line.explain) for line in lines))
        for heading, lines in ov.blocks()
    )


_last: list[tuple[Any, SummaryView]] = []  # the latest report and its view (the report kept alive by it)
_last_lock = threading.Lock()


def view_of(report: Any) -> SummaryView:
    """`build_view`, once per report: the state hands out the same report until the inbox or settings change."""
    with _last_lock:
        if _last and _last[0][0] is report:
            return _last[0][1]
    view = build_view(report)
    with _last_lock:
        _last[:] = [(report, view)]
    return view


def build_view(report: Any) -> SummaryView:
    """The page's content for a report of the inbox."""
    tables, ov = ag.tables_and_overview(report)
    catalog = report.campaign.catalog
    blocks = overview_blocks(ov)
    by_label = {s.label: s for b in blocks for s in b.lines}
    ranking = ranking_rows(tables)
    losses = loss_rows(tables)
    items = [r for r in losses if r[0] == ag.LEVEL_ITEM]
    return SummaryView(
        unit=catalog.unit,
        form1=catalog.form1.attachment,
        basis=ov.basis,
        tiles=tuple(by_label[label] for label in tile_labels(ov) if label in by_label),
        blocks=blocks,
        doubts=ov.doubts,
        has_inspection=tables.has_inspection,
        ranking=ranking,
        ranked=sum(1 for r in ranking if r.rank != "—"),
        sections=section_rows(tables),
        section_losses=tuple(row for level, row, _ in losses if level == ag.LEVEL_SECTION),
        item_losses=tuple(row for _, row, lost in items if lost > 0),
        items_without_loss=sum(1 for _, _, lost in items if not lost > 0),
        charts=charts(tables, catalog),
    )


FORMAT = {"insp_rank": whole, "flag": lambda v: "" if ag.is_missing(v) else str(v)}
TONES = {ag.SCORE_OK: "s-ok", ag.SCORE_FIX: "s-bad", ag.SCORE_DOUBT: "s-bad", ag.SCORE_MISSING: "s-none"}


def ranking_rows(t: ag.Tables) -> tuple[RankRow, ...]:
    """得分汇总's rows: ranked, then 暂计, then the rest; 督查 columns when inspections were collected."""
    keys = ["rank", "seq", "branch", "total", "status"]
    insp = ["insp_total", "insp_rank", "diff", "flag"] if t.has_inspection else []
    out = []
    for row in ag.rows(t.scores, keys + insp):
        status = str(row[4])
        extra = [FORMAT.get(k, shown)(v) for k, v in zip(insp, row[5:], strict=True)]
        out.append(
            RankRow(
                whole(row[0]),
                whole(row[1]),
                str(row[2]),
                shown(row[3]),
                status,
                TONES.get(status, "s-fix"),
                *extra,
            )
        )
    return tuple(out)


def section_rows(t: ag.Tables) -> tuple[SectionRow, ...]:
    keys = ["numeral", "name", "points", "n", "mean", "mean_rate", "min", "max"]
    return tuple(
        SectionRow(
            f"{num}、{name}", shown(points), whole(n), shown(mean), percent(rate), shown(low), shown(high)
        )
        for num, name, points, n, mean, rate, low, high in ag.rows(t.sections, keys)
    )


def loss_rows(t: ag.Tables) -> list[tuple[str, LossRow, float]]:
    """失分分析's rows as (level, row, points lost)."""
    keys = ["level", "rank", "id", "section", "text", "points", "lost", "n_losing", "loss_rate"]
    out = []
    for level, rank, id_, section, text, points, lost, n_losing, rate in ag.rows(t.losses, keys):
        lost_value = 0.0 if ag.is_missing(lost) else float(lost)
        row = LossRow(
            whole(rank),
            str(id_),
            str(section),
            str(text),
            shown(points),
            shown(lost),
            whole(n_losing),
            percent(rate),
        )
        out.append((str(level), row, lost_value))
    return out


def charts(t: ag.Tables, catalog: Any) -> tuple[BarChart, ...]:
    """The branches' 自评总分 (ranked ones, in rank order) and the sections' average as a share of their points."""
    ranked = t.scores[t.scores["rank"].notna()]
    totals = [(str(b), float(v), shown(v)) for b, v in ag.rows(ranked, ["branch", "total"])]
    rates = [
        (f"{num}、{name}", float(rate) * PERCENT, percent(rate))
        for num, name, rate in ag.rows(t.sections, ["numeral", "name", "mean_rate"])
        if not ag.is_missing(rate)
    ]
    out = []
    if totals:
        out.append(
            bar_chart(
                "totals",
                f"各{catalog.unit}自评总分",
                f"{len(totals)} 个{catalog.unit}的自评总分（满分 {catalog.total_points:g}），按自评排名排列",
                totals,
                float(catalog.total_points),
            )
        )
    if rates:
        out.append(
            bar_chart(
                "sections",
                "各部分平均得分率",
                "各部分的平均得分占该部分分值的百分比（只计完整有效的表格）",
                rates,
                PERCENT,
                "{:g}%",
            )
        )
    return tuple(out)
