"""Machine-readable exports beside the summary `X.xlsx`: tidy CSV (`X_得分.csv`, `X_任务.csv`, `X_问题.csv`,
`X_文件.csv`; UTF-8 with BOM so Excel opens them) and `X.json`. Every file is written atomically.

Stable catalog ids (S01.1, T01) and branch ids are the join keys. CSV text that a spreadsheet would take
for a formula (starting with = + - @ tab or CR) is neutralised with a leading single quote, following
OWASP's CSV-injection guidance; numbers stay numbers.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
import numbers
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import aggregate as ag
from .atomic import write_all_atomic
from .catalog import catalog_digest
from .models import Campaign

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
        return "'" + v if v.startswith(FORMULA_PREFIXES) else v
    if v is None:
        return ""
    if t is bool:
        return "1" if v else "0"
    if t is float:
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, CRLF line ends (what Excel expects), every cell neutralised."""
    return _csv(header, ([csv_cell(v) for v in r] for r in rows))


def csv_frame(df: pd.DataFrame, columns: list[str]) -> bytes:
    """`csv_bytes` of a table's columns, converted a column at a time (the same bytes, faster)."""
    return _csv(columns, zip(*(csv_values(df[c].tolist()) for c in columns), strict=True))


def csv_values(values: list[Any]) -> list[str]:
    """`csv_cell` of each value; all-text and all-integer columns without a call per cell."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return ["'" + v if v.startswith(FORMULA_PREFIXES) else v for v in values]
    if kinds <= {int}:
        return list(map(str, values))
    if kinds <= {float}:
        isfinite = math.isfinite
        return [(str(int(v)) if v.is_integer() else repr(v)) if isfinite(v) else "" for v in values]
    return list(map(csv_cell, values))


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _rows(df: pd.DataFrame, columns: list[str]) -> Iterable[tuple[Any, ...]]:
    return ag.rows(df, columns)


def _records(df: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    cols = [py_values(df[c].tolist()) for c in columns]
    return [dict(zip(columns, r, strict=True)) for r in zip(*cols, strict=True)]


def py_values(values: list[Any]) -> list[Any]:
    """`py` of each value; columns of plain text, integers and booleans as they are."""
    if set(map(type, values)) <= {str, int, bool}:
        return values
    return list(map(py, values))


def score_rows(t: ag.Tables) -> pd.DataFrame:
    status = dict(zip(t.scores["branch_id"], t.scores["status"], strict=True))
    return t.score_items.assign(status=t.score_items["branch_id"].map(status))


def json_document(
    t: ag.Tables, ov: ag.Overview, campaign: Campaign, generated_at: dt.datetime
) -> dict[str, Any]:
    cat = campaign.catalog
    section_ids = [s.id for s in cat.sections]
    task_ids = [tk.id for tk in cat.tasks]
    items_by_branch: dict[str, list[dict[str, Any]]] = {}
    for r in _records(t.score_items, ["branch_id", "item_id", "score", "lost", "note"]):
        items_by_branch.setdefault(r.pop("branch_id"), []).append(r)
    scores = []
    for r in _records(t.scores, [*ag.SCORE_META, *section_ids, "file", *ag.INSPECTION_SCORE_COLUMNS]):
        sections = {s: r.pop(s) for s in section_ids}
        r["sections"] = sections if r["total"] is not None else {}
        r["items"] = items_by_branch.get(r["branch_id"], [])
        scores.append(r)
    answers_by_branch: dict[str, list[dict[str, Any]]] = {}
    for r in _records(t.task_details, ["branch_id", "task_id", "group_id", "status", "done", "issues"]):
        answers_by_branch.setdefault(r.pop("branch_id"), []).append(r)
    tasks = []
    for r in _records(t.tasks, ["seq", "branch_id", "branch", "status", "rate", *ag.TASK_COUNT_COLUMNS]):
        r["answers"] = answers_by_branch.get(r["branch_id"], [])
        tasks.append(r)
    return {
        "campaign": {
            "school": campaign.school,
            "title": campaign.title,
            "year": campaign.year,
            "catalog_version": cat.version,
            "catalog_digest": catalog_digest(cat),
        },
        "generated_at": generated_at.isoformat(),
        "overview": {k: py(v) for k, v in dataclasses.asdict(ov).items()},
        "submissions": _records(t.submissions, list(t.submissions.columns)),
        "scores": scores,
        "task_rates": _records(t.task_rates, ["task_id", "group_id", *ag.TASK_COUNT_COLUMNS, "rate"]),
        "tasks": tasks,
        "problems": _records(t.problems, PROBLEM_COLUMNS),
        "inspection": _records(t.inspection, ag.INSPECTION_BRANCH_COLUMNS),
        "inspection_items": _records(t.inspection_items, ag.INSPECTION_ITEM_COLUMNS),
        "files": _records(t.files, FILE_COLUMNS),
        "ids": {"sections": section_ids, "items": [i.id for i in cat.items], "tasks": task_ids},
    }


def json_bytes(doc: dict[str, Any]) -> bytes:
    """`json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))` + newline, as UTF-8.

    Encoded a slice of each top-level list at a time (the same text, at the C encoder's speed), so that
    the whole document never also exists as one string: that was the largest allocation of a collect."""
    encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    out = io.BytesIO()
    out.write(b"{")
    for k, key in enumerate(sorted(doc)):
        value = doc[key]
        out.write(("," if k else "").encode() + encoder.encode(key).encode("utf-8") + b":")
        if not isinstance(value, list) or not value:
            out.write(encoder.encode(value).encode("utf-8"))
            continue
        out.write(b"[")
        for i in range(0, len(value), JSON_SLICE):
            part = encoder.encode(value[i : i + JSON_SLICE])[1:-1]  # the elements, without the brackets
            out.write(("," if i else "").encode() + part.encode("utf-8"))
        out.write(b"]")
    out.write(b"}\n")
    return out.getvalue()


JSON_SLICE = 500  # list elements encoded at a time


def write_exports(
    t: ag.Tables, ov: ag.Overview, summary: Path, campaign: Campaign, generated_at: dt.datetime
) -> list[Path]:
    """Write the four CSV files and the JSON beside `summary`; returns their paths."""
    paths = export_paths(summary)
    contents = {
        "scores": csv_frame(score_rows(t), SCORE_COLUMNS),
        "tasks": csv_frame(t.task_details, TASK_COLUMNS),
        "problems": csv_frame(t.problems, PROBLEM_COLUMNS),
        "files": csv_frame(t.files, FILE_COLUMNS),
        "json": json_bytes(json_document(t, ov, campaign, generated_at)),
    }
    return write_all_atomic((paths[k], data) for k, data in contents.items())
