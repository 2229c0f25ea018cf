"""The 汇总 page's charts, laid out on the server as horizontal bar charts: each ranked branch's 自评总分, and each
section's average as a share of its points. This module computes the geometry; the template `summary_charts.html`
draws it as inline SVG (autoescaped: a name is always text, never markup)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640  # the SVG's user units across; the page scales it to the width of its box
FONT = 13
BAR = 16  # a bar's height
STEP = 24  # from one bar to the next
TOP = 8
BOTTOM = 26  # room for the axis' numbers
VALUE_ROOM = 44  # width right of the longest bar, for its number
PERCENT = 100.0  # a share drawn as a percentage
LABEL_MAX = 230  # the widest label column; longer names are shortened (the whole name is in the bar's title)
MAX_BARS = 80  # beyond this many, the chart shows the first ones and says so; the table below has all


@dataclass(frozen=True)
class Bar:
    label: str  # as drawn (shortened to fit)
    name: str  # in full, for the bar's <title>
    value_text: str
    y: float
    width: float

    @property
    def text_y(self) -> float:
        return self.y + BAR / 2


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class BarChart:
    """One chart: `x0` is where the bars start (right of the labels), `plot` how wide 100 % of `top` is."""

    key: str
    title: str
    description: str
    x0: float
    plot: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    note: str = ""

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def height(self) -> float:
        return TOP + STEP * len(self.bars) + BOTTOM

    @property
    def axis_y(self) -> float:
        return TOP + STEP * len(self.bars)

    @property
    def bar_height(self) -> int:
        return BAR


def text_width(text: str, size: float = FONT) -> float:
    """About how wide `text` is drawn: wide (CJK) characters one em, others a little more than half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def fit(text: str, room: float, size: float = FONT) -> str:
    """`text`, shortened with … to fit `room`."""
    if text_width(text, size) <= room:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > room:
            break
        out += ch
    return out + "…"


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round numbers from 0 to `top` (the last one `top` itself when it is round)."""
    if top <= 0:
        return [0.0]
    raw = top / count
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= step * factor:
            step *= factor
            break
    n = math.floor(top / step + 1e-9)
    return [round(k * step, 6) for k in range(n + 1)]


def bar_chart(
    key: str,
    title: str,
    description: str,
    values: Sequence[tuple[str, float, str]],
    top: float,
    tick_text: str = "{:g}",
) -> BarChart:
    """A horizontal bar chart of (name, value, value as shown), bars scaled from 0 to `top`."""
    shown = list(values[:MAX_BARS])
    note = f"图中只画出前 {MAX_BARS} 个，全部数字见下表。" if len(values) > MAX_BARS else ""
    widest = max((text_width(name) for name, _, _ in shown), default=0.0)
    label_room = min(widest, LABEL_MAX)
    x0 = label_room + 10
    plot = WIDTH - x0 - VALUE_ROOM
    scale = plot / top if top > 0 else 0.0
    bars = tuple(
        Bar(
            label=fit(name, label_room),
            name=name,
            value_text=text,
            y=TOP + k * STEP + (STEP - BAR) / 2,
            width=round(max(0.0, min(value, top)) * scale, 2),
        )
        for k, (name, value, text) in enumerate(shown)
    )
    ticks = tuple(Tick(round(x0 + t * scale, 2), tick_text.format(t)) for t in nice_ticks(top))
    return BarChart(key, title, description, x0, plot, bars, ticks, note)
