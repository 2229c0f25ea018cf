"""Machine-readable exports beside the summary `X.xlsx`: tidy CSV (`X_得分.csv`, `X_任务.csv`, `X_问题.csv`,
`X_文件.csv`; UTF-8 with BOM so Excel opens them) and `X.json`. Every file is written atomically and
streamed a slice of rows at a time: each column's values are converted at once, then each slice of rows is
encoded by `csv.writer` or written as JSON text (`jsontext.py`), so that at province scale (tens of thousands of
rows) only one slice's rows and texts are in memory at once.

The CSV files are for people opening them in Excel: Chinese headers, the summary sheets' words (and 问题类别
beside each problem code); the JSON, for programs, keeps English keys. Stable catalog ids (S01.1, T01), branch
ids and problem codes are the join keys, written as they are. CSV text that a spreadsheet would take
for a formula (starting with = + - @ tab or CR) is neutralised with a leading single quote, following
OWASP's CSV-injection guidance; numbers stay numbers.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import aggregate as ag
from ..atomic import write_all_atomic
from ..catalog import catalog_digest
from ..models import Campaign
from ..outnames import export_paths
from ..problemnames import problem_name
from .columns import (
    FILE_COLUMNS,
    FILE_CSV,
    PROBLEM_COLUMNS,
    PROBLEM_CSV,
    SCORE_CSV,
    TASK_CSV,
)
from .jsontext import (
    ENCODER,
    Nested,
    Objects,
    each_distinct,
    json_records,
    json_text_array,
    json_texts,
    object_texts,
    per_slice,
    py,
    py_values,
)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SECTION_COLUMNS = ["section_id", "points", "n", "mean", "mean_rate", "min", "max"]


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


CHUNK_ROWS = 2_000  # CSV rows encoded and written at a time


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """Records as `csv.writer` writes them: QUOTE_MINIMAL, CRLF line ends (what Excel expects)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, every cell neutralised."""
    return (csv_text([header]) + csv_text([csv_cell(v) for v in r] for r in rows)).encode("utf-8-sig")


def csv_frame(df: pd.DataFrame, columns: list[str]) -> bytes:
    """`csv_bytes` of a table's columns (the same bytes, built a column at a time)."""
    return b"".join(csv_chunks(df, columns))


def csv_chunks(df: pd.DataFrame, columns: list[str], header: Sequence[str] | None = None) -> Iterator[bytes]:
    """`csv_frame` in pieces: the BOM and header (`header`, or the keys), then a slice of rows at a time, each
    converted when it is written (a province's long tables are never held again as text)."""
    series = [df[c] for c in columns]
    return _csv_slices(
        lambda start, stop: [ag.values_at(s, slice(start, stop)) for s in series], len(df), columns, header
    )


Slice = Callable[[int, int], list[list[Any]]]  # rows start..stop-1 → each column's values


def _csv_slices(read: Slice, n: int, columns: list[str], header: Sequence[str] | None) -> Iterator[bytes]:
    """The CSV of `n` rows read a slice at a time (`read`): the BOM and header, then each slice's rows."""
    yield codecs.BOM_UTF8 + csv_text([columns if header is None else header]).encode("utf-8")
    for start in range(0, n, CHUNK_ROWS):
        cells = [csv_values(values) for values in read(start, start + CHUNK_ROWS)]
        yield csv_text(zip(*cells, strict=True)).encode("utf-8")


def csv_values(values: list[Any]) -> list[str]:
    """`csv_cell` of each value; all-text columns checked with one search, repeated values converted once."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        if _FORMULA_START.search(_SEP + _SEP.join(values)) is None:
            return values
        return list(map(neutralise, values))
    if kinds <= {bool}:
        return ["1" if v else "0" for v in values]
    if kinds <= {int, float}:  # bool and the rarer types go by csv_cell
        return each_distinct(values, csv_cell)  # equal numbers have the same text (2 == 2.0, 0.0 == -0.0)
    return list(map(csv_cell, values))


_SEP = "\x00"  # joins a column's texts for one search over all of them (a hit is then checked cell by cell)
_FORMULA_START = re.compile(_SEP + "[" + re.escape("".join(FORMULA_PREFIXES)) + "]")


def score_rows(t: ag.Tables) -> Slice:
    """得分明细's rows with their branch's 状态 (`SCORE_CSV`'s columns), a slice at a time."""
    status = dict(zip(t.scores["branch_id"], t.scores["status"], strict=True))
    keys = [k for k, _ in SCORE_CSV]
    read = ["branch_id" if k == "status" else k for k in keys]  # 状态 is its branch's
    at = keys.index("status")

    def values(start: int, stop: int) -> list[list[Any]]:
        columns = t.score_items.columns_at(read, start, stop)
        columns[at] = [status.get(branch_id, math.nan) for branch_id in columns[at]]
        return columns

    return values


# ---------------------------------------------------------------- JSON
#
# The document is `json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))` + newline,
# written without building `doc`: each top-level key's value is encoded on its own, and each table's array
# a slice of elements at a time, as text (`jsontext`: each value as the encoder writes it, in a template).


def _json_scores(t: ag.Tables, section_ids: list[str], n_items: int) -> Iterator[str]:
    """Each branch's scores, with its sections (when it has a total) and its items."""
    shape = Objects(dict.fromkeys(section_ids))

    def section_texts(part: pd.DataFrame, start: int) -> list[str]:
        texts = [json_texts(py_values(part[s].tolist())) for s in shape.keys]
        totals = py_values(part["total"].tolist())
        objects = shape.of(texts)
        return [obj if total is not None else "{}" for total, obj in zip(totals, objects, strict=True)]

    items = Nested(
        t.score_items, ["item_id", "score", "lost", "note"], py_values(t.scores["branch_id"].tolist())
    )

    def item_texts(part: pd.DataFrame, start: int) -> list[str]:
        return [items.array(i) for i in range(start, start + len(part))]

    per = per_slice(n_items + 1)
    columns = [*ag.SCORE_META, "file", *ag.INSPECTION_SCORE_COLUMNS]
    objects = object_texts(t.scores, columns, {"sections": section_texts, "items": item_texts}, per)
    return json_text_array(objects, per)


def _json_tasks(t: ag.Tables, n_tasks: int, counts: list[str]) -> Iterator[str]:
    """Each branch's task counts (`counts`: a key per status of the catalog, then n_blank), with its answers."""
    branch_ids = py_values(t.tasks["branch_id"].tolist())
    answers = Nested(t.task_details, ["task_id", "group_id", "status", "done", "issues"], branch_ids)

    def answer_texts(part: pd.DataFrame, start: int) -> list[str]:
        return [answers.array(i) for i in range(start, start + len(part))]

    per = per_slice(n_tasks)
    columns = ["seq", "branch_id", "branch", "status", "rate", *counts]
    return json_text_array(object_texts(t.tasks, columns, {"answers": answer_texts}, per), per)


def json_parts(
    t: ag.Tables, ov: ag.Overview, campaign: Campaign, generated_at: dt.datetime
) -> dict[str, Callable[[], Iterable[str]]]:
    """The document's top-level keys → a function giving the JSON text of their value, in pieces."""
    cat = campaign.catalog
    section_ids = [s.id for s in cat.sections]
    counts = ag.task_count_columns(cat)
    small = {
        "campaign": {
            "school": campaign.school,
            "title": campaign.title,
            "year": campaign.year,
            "catalog_version": cat.version,
            "catalog_digest": catalog_digest(cat),
        },
        "generated_at": generated_at.isoformat(),
        "overview": _overview(ov),
        "overview_lines": [
            {"block": heading, "label": line.label, "value": py(line.value), "explain": line.explain}
            for heading, lines in ov.blocks()
            for line in lines
        ],
        "ids": {
            "sections": section_ids,
            "items": [i.id for i in cat.items],
            "tasks": [tk.id for tk in cat.tasks],
            # the task count columns (n_done …) → the status each counts ("" for blank or invalid)
            "statuses": {c.key: c.status for c in ag.status_columns(cat)},
        },
    }
    parts: dict[str, Callable[[], Iterable[str]]] = {
        key: (lambda value=value: [ENCODER.encode(value)]) for key, value in small.items()
    }
    tables = {
        "submissions": (t.submissions, list(t.submissions.columns)),
        "task_rates": (t.task_rates, ["task_id", "group_id", *counts, "rate"]),
        "problems": (t.problems, PROBLEM_COLUMNS),
        "inspection": (t.inspection, ag.INSPECTION_BRANCH_COLUMNS),
        "inspection_items": (t.inspection_items, ag.INSPECTION_ITEM_COLUMNS),
        "inspection_scores": (t.inspection_scores, ag.INSPECTION_SCORE_ITEM_COLUMNS),
        "sections": (t.sections, SECTION_COLUMNS),
        "files": (t.files, FILE_COLUMNS),
    }
    if t.inspection_sections is not None:
        tables["inspection_sections"] = (t.inspection_sections, SECTION_COLUMNS)
    for key, (df, columns) in tables.items():
        parts[key] = lambda df=df, columns=columns: json_records(df, columns)
    parts["scores"] = lambda: _json_scores(t, section_ids, len(cat.items))
    parts["tasks"] = lambda: _json_tasks(t, len(cat.tasks), counts)
    return parts


def _overview(ov: ag.Overview) -> dict[str, Any]:
    """The overview's fields as plain values (the files held 身份存疑 as objects), and the statistics' basis."""
    out: dict[str, Any] = {}
    for k, v in dataclasses.asdict(ov).items():
        if k == "terms":  # the round's words: the campaign's catalog says them
            continue
        if isinstance(v, tuple | list):
            out[k] = [{a: py(b) for a, b in x.items()} if isinstance(x, dict) else py(x) for x in v]
        else:
            out[k] = py(v)
    out["basis"] = ov.basis
    return out


def json_chunks(
    t: ag.Tables, ov: ag.Overview, campaign: Campaign, generated_at: dt.datetime
) -> Iterator[bytes]:
    """The document, UTF-8 with a final newline, in pieces: one top-level key's value is built at a time."""
    parts = json_parts(t, ov, campaign, generated_at)
    for k, key in enumerate(sorted(parts)):
        yield (("," if k else "{") + ENCODER.encode(key) + ":").encode("utf-8")
        for piece in parts[key]():
            yield piece.encode("utf-8")
    yield b"}\n"


def csv_export(df: pd.DataFrame, spec: Sequence[tuple[str, str]], unit: str) -> Iterator[bytes]:
    """The CSV of a table's columns in `spec` (SCORE_CSV …), headed in Chinese with the round's unit word."""
    return csv_chunks(df, [k for k, _ in spec], [h.format(unit=unit) for _, h in spec])


def _score_chunks(t: ag.Tables, unit: str) -> Iterator[bytes]:
    keys = [k for k, _ in SCORE_CSV]
    return _csv_slices(score_rows(t), len(t.score_items), keys, [h.format(unit=unit) for _, h in SCORE_CSV])


def _problem_chunks(t: ag.Tables, unit: str) -> Iterator[bytes]:
    """The problems, each with its code's Chinese name (问题类别) beside the code."""
    kind = [problem_name(code, unit) for code in t.problems["code"].tolist()]
    yield from csv_export(t.problems.assign(kind=kind), PROBLEM_CSV, unit)


def write_exports(
    t: ag.Tables, ov: ag.Overview, summary: Path, campaign: Campaign, generated_at: dt.datetime
) -> list[Path]:
    """Write the four CSV files and the JSON beside `summary`, each built while it is written to its temporary
    file; none replaces its previous version unless all were written. Returns their paths."""
    paths = export_paths(summary)
    unit = campaign.catalog.unit
    contents = {
        "scores": _score_chunks(t, unit),
        "tasks": csv_export(t.task_details, TASK_CSV, unit),
        "problems": _problem_chunks(t, unit),
        "files": csv_export(t.files, FILE_CSV, unit),
        "json": json_chunks(t, ov, campaign, generated_at),
    }
    return write_all_atomic((paths[k], chunks) for k, chunks in contents.items())
