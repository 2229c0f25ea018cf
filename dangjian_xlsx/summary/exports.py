"""Machine-readable exports beside the summary `X.xlsx`: tidy CSV (`X_得分.csv`, `X_任务.csv`, `X_问题.csv`,
`X_文件.csv`; UTF-8 with BOM so Excel opens them) and `X.json`. Every file is written atomically, built
a column at a time and streamed a slice of rows at a time: at province scale (tens of thousands of rows)
there is no object per row or per cell, and only one file's text is in memory at once.

Stable catalog ids (S01.1, T01) and branch ids are the join keys. CSV text that a spreadsheet would take
for a formula (starting with = + - @ tab or CR) is neutralised with a leading single quote, following
OWASP's CSV-injection guidance; numbers stay numbers.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import json
import math
import numbers
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..aggregate import tables as ag
from ..atomic import write_all_atomic
from ..catalog.load import catalog_digest
from ..models import Campaign

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SCORE_COLUMNS = [
    "seq",
    "branch_id",
    "branch",
    "status",
    "item_id",
    "section_id",
    "points",
    "score",
    "lost",
    "note",
]
TASK_COLUMNS = ["seq", "branch_id", "branch", "task_id", "group_id", "status", "done", "issues"]
PROBLEM_COLUMNS = [
    "file",
    "branch_id",
    "branch",
    "sheet",
    "cell",
    "field",
    "severity",
    "code",
    "message",
    "value",
]
FILE_COLUMNS = [
    "path",
    "kind",
    "branch_id",
    "branch",
    "outcome",
    "reason",
    "errors",
    "warnings",
    "size",
    "saved_at",
    "sha256",
]


def export_paths(summary: Path) -> dict[str, Path]:
    summary = Path(summary)
    stem = summary.stem
    return {
        "scores": summary.with_name(f"{stem}_得分.csv"),
        "tasks": summary.with_name(f"{stem}_任务.csv"),
        "problems": summary.with_name(f"{stem}_问题.csv"),
        "files": summary.with_name(f"{stem}_文件.csv"),
        "json": summary.with_name(f"{stem}.json"),
    }


def py(v: Any) -> Any:
    """A plain Python value for JSON/CSV: None for blanks (None, NaN, NA), numbers as int/float."""
    t = type(v)
    if t is str or t is int or t is bool:
        return v
    if t is float:
        return v if math.isfinite(v) else None
    if isinstance(v, str):
        return str(v)
    if ag.is_missing(v):
        return None
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        x = float(v)
        return x if math.isfinite(x) else None
    return str(v)


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet would evaluate as a formula with a single quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_cell(v: Any) -> str:
    v = py(v)
    t = type(v)
    if t is str:
        return neutralise(v)
    if v is None:
        return ""
    if t is bool:
        return "1" if v else "0"
    if t is float:
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, CRLF line ends (what Excel expects), every cell neutralised."""
    lines = [csv_line(header), *(csv_line([csv_cell(v) for v in r]) for r in rows), ""]
    return "\r\n".join(lines).encode("utf-8-sig")


def csv_frame(df: pd.DataFrame, columns: list[str]) -> bytes:
    """`csv_bytes` of a table's columns (the same bytes, built a column at a time)."""
    return b"".join(csv_chunks(df, columns))


def csv_chunks(df: pd.DataFrame, columns: list[str]) -> Iterator[bytes]:
    """`csv_frame` in pieces: the BOM and header, then a slice of rows at a time."""
    cells = [csv_quoted(csv_values(df[c].tolist())) for c in columns]
    if len(cells) == 1:  # a lone empty field is written as "" (a blank line would be no row at all)
        cells = [['""' if v == "" else v for v in cells[0]]]
    yield codecs.BOM_UTF8 + (csv_line(columns) + "\r\n").encode("utf-8")
    rows = zip(*cells, strict=True)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield ("\r\n".join(map(",".join, chunk)) + "\r\n").encode("utf-8")


CHUNK_ROWS = 2_000  # CSV rows (and JSON array elements) encoded and written at a time


def csv_values(values: list[Any]) -> list[str]:
    """`csv_cell` of each value; all-text columns checked with one search, repeated values converted once."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        if _FORMULA_START.search(_SEP + _SEP.join(values)) is None:
            return values
        return list(map(neutralise, values))
    if kinds <= {int, float}:  # bool and the rarer types go by csv_cell
        return _each_distinct(values, csv_cell)  # equal numbers have the same text (2 == 2.0, 0.0 == -0.0)
    return list(map(csv_cell, values))


def csv_quoted(cells: list[str]) -> list[str]:
    """Cells as `csv.writer` (QUOTE_MINIMAL, CRLF) writes them: quoted, quotes doubled, when they hold a
    comma, a quote or a line break."""
    if _CSV_SPECIAL.search(_SEP.join(cells)) is None:
        return cells
    special = _CSV_SPECIAL.search
    return ['"' + v.replace('"', '""') + '"' if special(v) else v for v in cells]


def csv_line(cells: Sequence[str]) -> str:
    """One CSV record (without its line end), as `csv.writer` writes it."""
    if len(cells) == 1 and cells[0] == "":
        return '""'
    return ",".join(csv_quoted(list(cells)))


_SEP = "\x00"  # joins a column's texts for one search over all of them (a hit is then checked cell by cell)
_FORMULA_START = re.compile(_SEP + "[" + re.escape("".join(FORMULA_PREFIXES)) + "]")
_CSV_SPECIAL = re.compile('[,"\r\n]')


def _each_distinct(values: list[Any], convert: Callable[[Any], str]) -> list[str]:
    """`convert` of each value, called once per distinct value (for values whose equal ones convert alike);
    equal values then share one text object."""
    distinct = set(values)
    texts = dict(zip(distinct, map(convert, distinct), strict=True))
    return list(map(texts.__getitem__, values))


def score_rows(t: ag.Tables) -> pd.DataFrame:
    status = dict(zip(t.scores["branch_id"], t.scores["status"], strict=True))
    return t.score_items.assign(status=t.score_items["branch_id"].map(status))


# ---------------------------------------------------------------- JSON
#
# The document is `json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))` + newline,
# but written without building `doc`: each column is turned into JSON texts at once (by the encoder's own
# text function and int/float reprs, as its C implementation writes them), and each record is one
# %-template of its sorted keys. Tens of thousands of dicts were the largest allocation of a collect, and
# encoding them the slowest part of the exports.

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
_STRING = json.encoder.encode_basestring  # how that encoder writes text (ensure_ascii=False)


def json_values(values: list[Any]) -> list[str]:
    """The JSON text of `py` of each value, as the encoder writes it."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return _each_distinct(values, _STRING)
    if kinds <= {int}:
        return _each_distinct(values, int.__repr__)
    if kinds <= {float}:
        if _has_negative_zero(values):  # equal to 0.0 but written -0.0: no sharing by value
            return list(map(_json_float, values))
        return _each_distinct(values, _json_float)
    return list(map(_json_scalar, values))


def _has_negative_zero(values: list[float]) -> bool:
    a = np.asarray(values, dtype=np.float64)
    return bool(np.any(np.signbit(a) & (a == 0)))


def _json_float(v: float) -> str:
    return float.__repr__(v) if math.isfinite(v) else "null"  # py: a non-finite number is a blank


def _json_scalar(v: Any) -> str:
    t = type(v)
    if t is str:
        return _STRING(v)
    if t is int:
        return int.__repr__(v)
    if t is float:
        return _json_float(v)
    if t is bool:
        return "true" if v else "false"
    if v is None:
        return "null"
    return _json_scalar(py(v))  # py gives one of the plain types above


def json_objects(columns: dict[str, list[str]]) -> list[str]:
    """One JSON object per row of `columns` (key → the JSON texts of its values), keys sorted."""
    keys = sorted(columns)
    template = "{" + ",".join(_STRING(k).replace("%", "%%") + ":%s" for k in keys) + "}"
    return list(map(template.__mod__, zip(*(columns[k] for k in keys), strict=True)))


def json_array(texts: list[str]) -> Iterator[str]:
    """The JSON array of element texts, a slice of elements at a time."""
    if not texts:
        yield "[]"
        return
    for i in range(0, len(texts), CHUNK_ROWS):
        yield ("," if i else "[") + ",".join(texts[i : i + CHUNK_ROWS])
    yield "]"


def _json_columns(df: pd.DataFrame, columns: list[str]) -> dict[str, list[str]]:
    return {c: json_values(df[c].tolist()) for c in columns}


def json_records(df: pd.DataFrame, columns: list[str]) -> Iterator[str]:
    """The JSON array of a table's rows as objects of `columns`."""
    return json_array(json_objects(_json_columns(df, columns)))


def _grouped(keys: list[str], texts: list[str]) -> dict[str, str]:
    """The JSON array of `texts` for each key, in table order."""
    groups: dict[str, list[str]] = {}
    for key, text in zip(keys, texts, strict=True):
        groups.setdefault(key, []).append(text)
    return {key: "[" + ",".join(group) + "]" for key, group in groups.items()}


def _json_scores(t: ag.Tables, section_ids: list[str]) -> Iterator[str]:
    """Each branch's scores, with its sections (when it has a total) and its items."""
    items = json_objects(_json_columns(t.score_items, ["item_id", "score", "lost", "note"]))
    items_by_branch = _grouped(t.score_items["branch_id"].tolist(), items)
    del items
    cols = _json_columns(t.scores, [*ag.SCORE_META, "file", *ag.INSPECTION_SCORE_COLUMNS])
    sections = json_objects(_json_columns(t.scores, section_ids))
    cols["sections"] = [
        s if total != "null" else "{}" for s, total in zip(sections, cols["total"], strict=True)
    ]
    cols["items"] = [items_by_branch.pop(b, "[]") for b in t.scores["branch_id"].tolist()]
    return json_array(json_objects(cols))


def _json_tasks(t: ag.Tables) -> Iterator[str]:
    """Each branch's task counts, with its answers."""
    answers = json_objects(_json_columns(t.task_details, ["task_id", "group_id", "status", "done", "issues"]))
    answers_by_branch = _grouped(t.task_details["branch_id"].tolist(), answers)
    del answers
    cols = _json_columns(t.tasks, ["seq", "branch_id", "branch", "status", "rate", *ag.TASK_COUNT_COLUMNS])
    cols["answers"] = [answers_by_branch.pop(b, "[]") for b in t.tasks["branch_id"].tolist()]
    return json_array(json_objects(cols))


def json_parts(
    t: ag.Tables, ov: ag.Overview, campaign: Campaign, generated_at: dt.datetime
) -> dict[str, Callable[[], Iterable[str]]]:
    """The document's top-level keys → a function giving the JSON text of their value, in pieces."""
    cat = campaign.catalog
    section_ids = [s.id for s in cat.sections]
    small = {
        "campaign": {
            "school": campaign.school,
            "title": campaign.title,
            "year": campaign.year,
            "catalog_version": cat.version,
            "catalog_digest": catalog_digest(cat),
        },
        "generated_at": generated_at.isoformat(),
        "overview": {k: py(v) for k, v in dataclasses.asdict(ov).items()},
        "ids": {
            "sections": section_ids,
            "items": [i.id for i in cat.items],
            "tasks": [tk.id for tk in cat.tasks],
        },
    }
    parts: dict[str, Callable[[], Iterable[str]]] = {
        key: (lambda value=value: [_ENCODER.encode(value)]) for key, value in small.items()
    }
    tables = {
        "submissions": (t.submissions, list(t.submissions.columns)),
        "task_rates": (t.task_rates, ["task_id", "group_id", *ag.TASK_COUNT_COLUMNS, "rate"]),
        "problems": (t.problems, PROBLEM_COLUMNS),
        "inspection": (t.inspection, ag.INSPECTION_BRANCH_COLUMNS),
        "inspection_items": (t.inspection_items, ag.INSPECTION_ITEM_COLUMNS),
        "files": (t.files, FILE_COLUMNS),
    }
    for key, (df, columns) in tables.items():
        parts[key] = lambda df=df, columns=columns: json_records(df, columns)
    parts["scores"] = lambda: _json_scores(t, section_ids)
    parts["tasks"] = lambda: _json_tasks(t)
    return parts


def json_chunks(
    t: ag.Tables, ov: ag.Overview, campaign: Campaign, generated_at: dt.datetime
) -> Iterator[bytes]:
    """The document, UTF-8 with a final newline, in pieces: one top-level key's value is built at a time."""
    parts = json_parts(t, ov, campaign, generated_at)
    for k, key in enumerate(sorted(parts)):
        yield (("," if k else "{") + _STRING(key) + ":").encode("utf-8")
        for piece in parts[key]():
            yield piece.encode("utf-8")
    yield b"}\n"


def _score_chunks(t: ag.Tables) -> Iterator[bytes]:
    yield from csv_chunks(score_rows(t), SCORE_COLUMNS)


def write_exports(
    t: ag.Tables, ov: ag.Overview, summary: Path, campaign: Campaign, generated_at: dt.datetime
) -> list[Path]:
    """Write the four CSV files and the JSON beside `summary`, each built while it is written to its temporary
    file; none replaces its previous version unless all were written. Returns their paths."""
    paths = export_paths(summary)
    contents = {
        "scores": _score_chunks(t),
        "tasks": csv_chunks(t.task_details, TASK_COLUMNS),
        "problems": csv_chunks(t.problems, PROBLEM_COLUMNS),
        "files": csv_chunks(t.files, FILE_COLUMNS),
        "json": json_chunks(t, ov, campaign, generated_at),
    }
    return write_all_atomic((paths[k], chunks) for k, chunks in contents.items())
