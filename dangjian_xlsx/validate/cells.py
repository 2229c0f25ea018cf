"""A cell's value as typed: plain text, comparison keys, scores and dates parsed leniently."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from ..catalog import normalize
from ..models import RawSheet
from ..visible import visible

_WS = re.compile(r"\s+")
_NUMBER = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*分?")
_CN_POINT = re.compile(r"(?<=\d)。(?=\d)")
_NUMBERING = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[.．、)）]\s*")
_TIME_PART = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME_PART)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DATE_MD = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_RANGE = (20000, 80000)  # 1954 … 2119: anything else is not a plausible fill date


def text(v: Any) -> str:
    """A cell value as the plain text a person typed (never evaluated): stripped, line breaks normalised,
    control characters shown visibly (`visible`: ESC as ␛), so that no submitted text carries them on into
    the summary, the notices or the terminal."""
    if v is None:
        return ""
    if isinstance(v, str):
        if v.isprintable():  # no line break, no control character (the usual cell): only spaces to strip
            return v.strip()
        return visible(v.replace("\r\n", "\n").replace("\r", "\n").strip())
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return fmt_number(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return visible(str(v).strip())


def values_at(sheet: RawSheet, cells: Sequence[tuple[int, int]]) -> list[Any]:
    """`sheet.get` of each (row, col), in one call: validation reads a form's cells by the hundred."""
    rows = sheet.rows
    n = len(rows)
    out = []
    for row, col in cells:
        v = None
        if row < n:
            r = rows[row]
            if col < len(r):
                v = r[col]
        out.append(None if v == "" else v)
    return out


def fmt_number(x: float) -> str:
    """2.0 → '2', 1.5 → '1.5' (no float noise); 1e308 → '1e+308', not 309 digits."""
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return format(x, ".10g")


def squash(s: str) -> str:
    """Comparison key for form text: whitespace (incl. line breaks) is layout, not text."""
    return _WS.sub("", s)


def name_key(s: str) -> str:
    """Comparison key for 党总支 names: NFKC (full-width forms), no whitespace (catalog.names' form)."""
    return normalize(s)


BLANK, OK, NORMALIZED, BAD = "blank", "ok", "normalized", "bad"


def parse_score(v: Any) -> tuple[str, float | None]:
    """A score cell → (state, number). States: blank, ok, normalized (was text, warn), bad."""
    if v is None:
        return BLANK, None
    if isinstance(v, bool):
        return BAD, None
    if isinstance(v, int | float):
        f = float(v)
        return (OK, f) if math.isfinite(f) else (BAD, None)
    if isinstance(v, str):
        s = unicodedata.normalize("NFKC", v).strip()
        if not s:
            return BLANK, None
        m = _NUMBER.fullmatch(_CN_POINT.sub(".", s))
        if m is None:
            return BAD, None
        return NORMALIZED, float(m.group(1))
    return BAD, None  # date, datetime, time, timedelta, anything else


def parse_date(v: Any, year: int) -> dt.date | None:
    """A fill-date cell → date, or None when it is not a date. `year` completes '9月28日'."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        if math.isfinite(v) and _SERIAL_RANGE[0] <= v < _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + dt.timedelta(days=int(v))
        return None
    if not isinstance(v, str):
        return None
    s = unicodedata.normalize("NFKC", v).strip()
    for pattern, has_year in ((_DATE_YMD, True), (_DATE_COMPACT, True), (_DATE_MD, False)):
        m = pattern.fullmatch(s)
        if m:
            parts = [int(g) for g in m.groups()]
            y, mo, d = parts if has_year else [year, *parts]
            try:
                return dt.date(y, mo, d)
            except ValueError:
                return None
    return None


def same_fixed(actual: Any, expected: str | int | float) -> bool:
    """A locked cell's value against the catalog's: a number (分值, 2 or 0.5) as a number or as text ("2分"),
    text without its whitespace."""
    if isinstance(expected, int | float):
        if isinstance(actual, bool):
            return False
        if isinstance(actual, int | float):
            return abs(float(actual) - expected) < 1e-9
        if isinstance(actual, str):
            state, num = parse_score(actual)
            return state is not BLANK and num is not None and abs(num - expected) < 1e-9
        return False
    return squash(text(actual)) == expected  # expected is pre-squashed


def item_label(ref_id: str, txt: str, width: int = 10) -> str:
    """'S01.2（坚持把党建工作与中心…）': the id plus the first words of the item, for messages."""
    body = _NUMBERING.sub("", squash(txt))
    snippet = body[:width] + ("…" if len(body) > width else "")
    return f"{ref_id}（{snippet}）"
