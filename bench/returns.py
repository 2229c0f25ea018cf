"""The real-return inbox: what branches send back, at scale.

Every file starts from a template LibreOffice filled and saved (templates.py); each branch's copy is a
template with the branch's own values rewritten inside its sheet XML (xlsxvary.py): its name and number,
the fill date, the scores and 扣分说明 of the items it loses points on, its 完成情况 and 整改措施 texts. Then, by
the position of the file in the roster (a fixed 40-slot cycle, so every kind holds both forms):

- 70 % `lo-xlsx`: that copy as it is — an .xlsx as LibreOffice wrote it;
- 20 % `openpyxl`: the same from the template loaded and saved once by openpyxl (another program's package,
  varied the same way: as openpyxl would have saved that branch's copy);
- 5 % `xls` and 5 % `ods`: that copy opened and saved as .xls / .ods by LibreOffice (BIFF8 has no XML to
  rewrite: each of these files is written by LibreOffice itself).

The inbox is cached in out/returns-N/ (keyed by N, the templates and DATA_VERSION) with a manifest of every
file's branch, form and kind. Before it is used, a collect over it must accept every file, without a
problem, for its own branch and form, and the summary's counts must say so — a bench whose files are
rejected measures nothing.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.round import FILL_DAYS, ISSUES_TEXTS, NOTES, SEED, done_text, excel_serial, fork_context, workers

DATA_VERSION = 1
KINDS = ("lo-xlsx", "openpyxl", "xls", "ods")
KIND_LABELS = {
    "lo-xlsx": "LibreOffice .xlsx",
    "openpyxl": "openpyxl re-saved .xlsx",
    "xls": "LibreOffice .xls",
    "ods": "LibreOffice .ods",
}
_SPECIAL = {1: "openpyxl", 2: "xls", 3: "ods", 22: "ods", 23: "xls"}
_SPECIAL.update({k: "openpyxl" for k in (6, 11, 16, 21, 26, 31, 36)})
CYCLE = tuple(_SPECIAL.get(k, "lo-xlsx") for k in range(40))  # 28 : 8 : 2 : 2 over 40 files
CONVERT_BATCH = 150  # documents per LibreOffice run when converting


def input_kind(position: int) -> str:
    """The kind of the file at `position` (0-based: branch seq-1, then its form) of the roster."""
    return CYCLE[position % len(CYCLE)]


def mix_text() -> str:
    counts = {k: CYCLE.count(k) for k in KINDS}
    return ", ".join(f"{100 * counts[k] / len(CYCLE):.0f} % {KIND_LABELS[k]}" for k in KINDS)


def varied_values(campaign: Any, kind: Any, tpl: Any, rng: random.Random) -> tuple[dict, dict]:
    """(numbers, texts) by cell for one branch's copy of a template: in the cells the template filled."""
    import datetime as dt

    from dangjian_xlsx.layout import C_DONE, C_ISSUES, C_NOTE, C_SCORE, Field, a1, form_layout
    from dangjian_xlsx.models import FormKind

    cat = campaign.catalog
    lay = form_layout(cat, kind)
    numbers: dict[str, float] = {
        lay.input(Field.DATE).a1: excel_serial(dt.date(2018, 9, rng.choice(FILL_DAYS)))
    }
    texts: dict[str, str] = {}
    if kind is FormKind.SCORING:
        for item in cat.items:
            row = lay.item_rows[item.id]
            if tpl.is_text_slot(a1(row, C_NOTE)):  # an item the template loses points on
                loss = min(rng.choice((0.5, 1, 1.5, 2)), item.points)
                numbers[a1(row, C_SCORE)] = item.points - loss
                texts[a1(row, C_NOTE)] = f"{item.id}：{rng.choice(NOTES)}"
        return numbers, texts
    for task in cat.tasks:
        row = lay.item_rows[task.id]
        if tpl.is_text_slot(a1(row, C_DONE)):
            texts[a1(row, C_DONE)] = done_text(rng)
        if tpl.is_text_slot(a1(row, C_ISSUES)):
            texts[a1(row, C_ISSUES)] = rng.choice(ISSUES_TEXTS)
    return numbers, texts


# ---------------------------------------------------------------- building the files (forked workers)

_STATE: dict[str, Any] = {}


def _build_branch(seq: int) -> list[tuple[str, int, str, str, str]]:
    """The branch's two files: (file name, seq, form, kind, staged .xlsx for LibreOffice to convert or '')."""
    from bench.templates import PATTERNS, renames
    from dangjian_xlsx.forms import BRANCH_FORMS, form_filename

    campaign, templates, dest, stage = (_STATE[k] for k in ("campaign", "templates", "dest", "stage"))
    branch = campaign.roster[seq - 1]
    out = []
    for k, kind in enumerate(BRANCH_FORMS):
        rng = random.Random(f"{SEED}-{seq}-{kind.value}")
        input_kind_ = input_kind(2 * (seq - 1) + k)
        program = "openpyxl" if input_kind_ == "openpyxl" else "lo"
        tpl = templates[(program, kind, rng.randrange(PATTERNS))]
        numbers, texts = varied_values(campaign, kind, tpl, rng)
        data = tpl.vary(numbers, texts, renames(branch))
        name = form_filename(kind, branch, campaign.catalog)
        staged = ""
        if input_kind_ in ("lo-xlsx", "openpyxl"):
            Path(dest, name).write_bytes(data)
        else:
            staged = str(Path(stage, name))
            Path(staged).write_bytes(data)
            name = name.removesuffix(".xlsx") + "." + input_kind_
        out.append((name, seq, kind.value, input_kind_, staged))
    return out


def _convert(staged: list[tuple[str, str]], log: Any) -> None:
    """LibreOffice opens each staged .xlsx and saves it as .xls / .ods: two runs at a time."""
    from bench.templates import run_driver

    docs = [
        {"input": src, "edits": [], "outputs": [{"path": dest, "format": Path(dest).suffix[1:]}]}
        for src, dest in staged
    ]
    batches = [docs[k : k + CONVERT_BATCH] for k in range(0, len(docs), CONVERT_BATCH)]
    log(f"  LibreOffice saves {len(docs)} files as .xls/.ods ({len(batches)} runs) …")
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda b: run_driver(b, timeout=120 + 3 * len(b)), batches))


def prepare_returns(n: int, out: Path, log: Any = print) -> Path:
    """The real-return inbox of an N-branch round, built once and cached in out/returns-N/."""
    from bench.prefilled import prep_campaign
    from bench.templates import build_templates, load_templates

    folder = build_templates(out, log)
    inbox, stamp_file = out / f"returns-{n}", out / f"returns-{n}.json"
    here = Path(__file__)
    code = _digest([here, *(here.with_name(f) for f in ("xlsxvary.py", "zipframe.py", "round.py"))])
    stamp = {
        "data_version": DATA_VERSION,
        "n": n,
        "seed": SEED,
        "templates": _digest(sorted(folder.iterdir())),
        "code": code,
    }
    if (
        inbox.is_dir()
        and stamp_file.is_file()
        and json.loads(stamp_file.read_text())["stamp"] == list_safe(stamp)
    ):
        return inbox
    log(f"准备 preparing {2 * n} real returns in {inbox} ({mix_text()}; cached for the next run) …")
    t0 = time.perf_counter()
    tmp, stage = out / f"returns-{n}.tmp", out / f"returns-{n}.stage"
    for d in (tmp, stage):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    _STATE.update(
        campaign=prep_campaign(n), templates=load_templates(folder), dest=str(tmp), stage=str(stage)
    )
    seqs = range(1, n + 1)
    if workers(n) > 1:
        with ProcessPoolExecutor(2, mp_context=fork_context()) as pool:
            built = [f for files in pool.map(_build_branch, seqs, chunksize=16) for f in files]
    else:
        built = [f for seq in seqs for f in _build_branch(seq)]
    _convert([(src, str(tmp / name)) for name, _s, _f, _k, src in built if src], log)
    shutil.rmtree(stage, ignore_errors=True)
    manifest = {name: {"seq": seq, "form": form, "kind": kind} for name, seq, form, kind, _src in built}
    counts = check_inbox(tmp, manifest, prep_campaign(n))
    shutil.rmtree(inbox, ignore_errors=True)
    tmp.rename(inbox)
    doc = {"stamp": list_safe(stamp), "manifest": manifest, "checked": counts}
    stamp_file.write_text(json.dumps(doc, ensure_ascii=False))
    log(f"  done in {time.perf_counter() - t0:.1f} s; collect accepts all {counts['accepted_files']} files")
    return inbox


def list_safe(stamp: dict[str, Any]) -> dict[str, Any]:
    """The stamp as it reads back from JSON (tuples become lists)."""
    return json.loads(json.dumps(stamp))


def _digest(files: list[Path]) -> str:
    """What a prepared inbox depends on: the templates' bytes, the code that varies them."""
    import hashlib

    h = hashlib.sha256()
    for p in files:
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


def manifest(inbox: Path) -> dict[str, dict[str, Any]]:
    """Every file of a prepared real-return inbox: its branch's seq, form and kind, by file name."""
    return json.loads(Path(f"{inbox}.json").read_text("utf-8"))["manifest"]


def files_of_kind(inbox: Path, kind: str) -> list[Path]:
    return sorted(inbox / name for name, m in manifest(inbox).items() if m["kind"] == kind)


def check_inbox(inbox: Path, expected: dict[str, dict[str, Any]], campaign: Any) -> dict[str, int]:
    """Collect the inbox: every file accepted without a problem for its own branch and form, and the summary's
    counts agreeing; raises naming the first files that were not."""
    from dangjian_xlsx import aggregate
    from dangjian_xlsx.collect import run_collect
    from dangjian_xlsx.models import Outcome

    report = run_collect(inbox, campaign)
    bad = []
    for r in report.files:
        want = expected.get(r.path)
        ok = want is not None and r.outcome is Outcome.ACCEPTED and not r.problems
        if (
            not ok
            or r.branch is None
            or r.branch.seq != want["seq"]
            or r.kind is None
            or r.kind.value != want["form"]
        ):
            problems = "; ".join(f"{p.code} {p.cell} {p.message}" for p in r.problems[:3])
            bad.append(f"{r.path}: {r.outcome.value} {r.branch.name if r.branch else ''} {problems}")
    _, ov = aggregate.tables_and_overview(report)
    n, files = len(campaign.roster), len(expected)
    counts = {
        "files_total": ov.files_total,
        "accepted_files": ov.accepted_files,
        "quality_ok": ov.quality_ok,
        "scored": ov.scored,
        "tasks_counted": ov.tasks_counted,
    }
    want_counts = {
        "files_total": files,
        "accepted_files": files,
        "quality_ok": n,
        "scored": n,
        "tasks_counted": n,
    }
    if bad or counts != want_counts:
        raise SystemExit(
            "the real-return inbox is not what collect accepts, so it would measure nothing:\n"
            + "\n".join(bad[:8])
            + f"\nsummary counts {counts}, expected {want_counts}"
        )
    return counts
