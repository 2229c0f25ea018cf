"""The generator-prefilled inbox: each branch's pair built by `build_form(..., prefill=…)` with its values
written in (every 10th workbook passed once through openpyxl). No branch ever returns the generator's own
bytes: the bench keeps this inbox as a separately labelled row, beside the real returns (returns.py)."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.round import (
    ISSUES_TEXTS,
    NOTES,
    SEED,
    bench_campaign,
    done_text,
    fork_context,
    status_mix,
    workers,
)

DATA_VERSION = 1  # bump when the prepared inbox changes (the cache is keyed by it)
RESAVED_EVERY = 10  # every 10th workbook is passed once through openpyxl


def form_values(campaign: Any, kind: Any, rng: random.Random) -> dict[Any, object]:
    """Varied values a branch would fill in; a few carry what real returns carry (blanks, '2分', late dates)."""
    from dangjian_xlsx.layout import Field
    from dangjian_xlsx.models import FormKind

    day = rng.choice((26, 27, 28, 29, 30, 30, 30))
    date: object = dt.date(2018, 9, day) if rng.random() > 0.02 else dt.date(2018, 10, 8)
    values: dict[Any, object] = {(Field.DATE, ""): date}
    cat = campaign.catalog
    if kind is FormKind.SCORING:
        quality = rng.uniform(0.6, 0.95)
        for item in cat.items:
            if rng.random() < quality:
                score: object = item.points
            else:
                score = max(item.points - rng.choice((0.5, 1, 1.5, 2)), 0)
                values[(Field.NOTE, item.id)] = rng.choice(NOTES)
            values[(Field.SCORE, item.id)] = score
        if rng.random() < 0.03:  # a score left blank → 需修改
            del values[(Field.SCORE, rng.choice(cat.items).id)]
        if rng.random() < 0.03:  # typed as text → normalized with a warning
            item = rng.choice(cat.items)
            values[(Field.SCORE, item.id)] = f"{item.points}分"
        return values
    mix = status_mix(cat)
    for task in cat.tasks:
        status = rng.choice(mix)
        values[(Field.STATUS, task.id)] = status
        if status != cat.na_status:
            values[(Field.DONE, task.id)] = done_text(rng)
        if status != cat.done_status:
            values[(Field.ISSUES, task.id)] = rng.choice(ISSUES_TEXTS)
    return values


def resave(data: bytes) -> bytes:
    """Load and save once through openpyxl: a returned file written by another program."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_PREP: dict[int, Any] = {}


def prep_campaign(n: int) -> Any:
    """The bench campaign of n branches, built once per process."""
    if n not in _PREP:
        _PREP[n] = bench_campaign(n)
    return _PREP[n]


def _build_branch(args: tuple[int, int, str]) -> int:
    n, seq, dest = args
    from dangjian_xlsx.forms import BRANCH_FORMS, build_form, form_filename

    campaign = prep_campaign(n)
    branch = campaign.roster[seq - 1]
    rng = random.Random(f"{SEED}-{seq}")
    for k, kind in enumerate(BRANCH_FORMS):
        data = build_form(campaign, kind, branch, prefill=form_values(campaign, kind, rng))
        if (2 * seq + k) % RESAVED_EVERY == 0:
            data = resave(data)
        Path(dest, form_filename(kind, branch)).write_bytes(data)
    return seq


def resaved(path: Path) -> bool:
    """Whether a file of this inbox was passed through openpyxl (by its roster number and form)."""
    from dangjian_xlsx.forms import BRANCH_FORMS, form_filename

    seq = int(path.name.split("_", 1)[0])
    k = next(k for k, kind in enumerate(BRANCH_FORMS) if path.name.endswith(form_filename(kind)))
    return (2 * seq + k) % RESAVED_EVERY == 0


def forms_stamp() -> str:
    """The hash of one generated pair: it changes with any change to the forms (layout, digest, version)."""
    import hashlib

    from dangjian_xlsx.forms import BRANCH_FORMS, build_form

    campaign = bench_campaign(1)
    forms = hashlib.sha256(b"".join(build_form(campaign, k, campaign.roster[0]) for k in BRANCH_FORMS))
    return forms.hexdigest()[:16]


def prepare_inbox(n: int, out: Path, log: Any = print) -> Path:
    """The returned files of an N-branch round, built once and cached in out/inbox-N (keyed by N and stamp)."""
    inbox = out / f"inbox-{n}"
    stamp_file = out / f"inbox-{n}.json"
    stamp = {"data_version": DATA_VERSION, "n": n, "seed": SEED, "forms": forms_stamp()}
    if inbox.is_dir() and stamp_file.is_file() and json.loads(stamp_file.read_text()) == stamp:
        return inbox
    log(f"准备 preparing {2 * n} generator-prefilled workbooks in {inbox} (cached for the next run) …")
    t0 = time.perf_counter()
    tmp = out / f"inbox-{n}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    jobs = [(n, seq, str(tmp)) for seq in range(1, n + 1)]
    if workers(n) > 1:
        with ProcessPoolExecutor(2, mp_context=fork_context()) as pool:
            list(pool.map(_build_branch, jobs, chunksize=8))
    else:
        for job in jobs:
            _build_branch(job)
    shutil.rmtree(inbox, ignore_errors=True)
    tmp.rename(inbox)
    stamp_file.write_text(json.dumps(stamp))
    log(f"  done in {time.perf_counter() - t0:.1f} s")
    return inbox
