"""`make bench`: collect a province-sized round of real returns, side by side with the naive way and the floor.

One run (default N=500 personalized 党总支, i.e. 1,000 returned workbooks):

1. prepares the inboxes (cached under bench/out/, not timed):
   - the real returns (returns.py): templates filled and saved by LibreOffice, varied per branch inside their
     own sheet XML — 70 % LibreOffice .xlsx, 20 % openpyxl re-saved .xlsx, 5 % .xls and 5 % .ods written by
     LibreOffice; collect must accept every file for its own branch before anything is timed;
   - the generator-prefilled inbox (prefilled.py), the bench's inbox before: measured as a labelled row;
2. times, each in a fresh subprocess so that peak memory is per stage and comparable across N (`--repeat` timed
   runs of every stage, then one more run of each whose memory is watched: polling it would slow what is timed;
   collect's memory is watched `--memory-runs` times and the median run's shown, as its peak varies between
   runs by what its reader processes inherit when they start):
   - generate: `generate_for_roster` for N branches (2N workbooks written);
   - collect: `run_collect` + the summary workbook and exports over the real returns (read, validate, resolve,
     then the workbook and the exports written by two processes at once, as the command line writes them),
     and the same over the generator-prefilled inbox;
   - naive: a loop of `pandas.read_excel(path, sheet_name=None)` with openpyxl (on a fixed sample of the
     files, 1 in k, scaled per file: it is ~10× slower than collect);
   - floor: open each file's container and inflate every member, nothing else — in one process, and split
     over two processes; and, for reference, in one process with zipfile inflating through zlib-ng, the zlib
     that collect's reader uses (where it is installed) instead of the standard one;
   - per input kind: read + validate each kind's files in one process, beside their floor and naive loop;
3. prints the tables (median of `--repeat` runs) and the ratios, then how cost per file and peak memory
   change with N (by default N=50 and N).

`--province` (`make bench-province`): the real returns of 5,000 branches (10,000 files) collected on the
machine's cores, against the province targets (under 30 s, under 400 MB), and how time and memory grow from
1,000 files (N=500) to 10,000.

Usage: python bench/run.py [--n 500] [--repeat 3] [--scales 50] [--naive-every 5] [--memory-runs 3] [--quick]
       [--province] [--prefilled-only] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import prefilled, returns
from bench.report import format_report
from bench.rows import Row, median_row
from bench.stages import Sample, inbox_files, run_stage, run_stage_here

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BENCH_STAGES = ("generate", "collect", "naive", "floor1", "floor2", "floor1ng")
PREFILLED_STAGES = ("collect_pre", "floor1_pre")
PROVINCE_STAGES = ("collect", "floor1", "floor2")
KIND_LABELS = {
    **returns.KIND_LABELS,
    "prefilled": "生成器预填 generator-prefilled .xlsx",
    "prefilled-openpyxl": "generator-prefilled, openpyxl re-saved",
}


def kinds_file(n: int, out: Path, real: Path | None, pre: Path) -> Path:
    """The files of each input kind, written for the kinds stage."""
    files = inbox_files(pre)
    kinds: dict[str, list[Path]] = {}
    if real is not None:
        kinds = {k: returns.files_of_kind(real, k) for k in returns.KINDS}
        kinds["prefilled"] = [p for p in files if not prefilled.resaved(p)]
    else:
        kinds["prefilled"] = [p for p in files if not prefilled.resaved(p)]
        kinds["prefilled-openpyxl"] = [p for p in files if prefilled.resaved(p)]
    path = out / f"kinds-{n}.json"
    path.write_text(json.dumps({k: [str(p) for p in v] for k, v in kinds.items() if v}, ensure_ascii=False))
    return path


def measure(
    n: int,
    stages: Sequence[str],
    repeat: int,
    every: int,
    out: Path,
    real: bool,
    log: Any,
    memory_runs: int = 1,
) -> dict[str, Row]:
    """Every stage at N, `repeat` times (interleaved, so that load from other work spreads over all), then each
    once more with its memory watched — collect `memory_runs` times, its memory the median run's."""
    real_inbox = returns.prepare_returns(n, out, log) if real else None
    needs_pre = not real or any(s.endswith("_pre") or s == "kinds" for s in stages)
    pre_inbox = prefilled.prepare_inbox(n, out, log) if needs_pre else None
    main = real_inbox or pre_inbox
    assert main is not None
    inbox_of = {s: (pre_inbox if s.endswith("_pre") else main) for s in stages}
    if "kinds" in stages:
        assert pre_inbox is not None
        inbox_of["kinds"] = kinds_file(n, out, real_inbox, pre_inbox)
    work = out / f"work-{n}"
    runs: dict[str, list[Sample]] = {s: [] for s in stages}
    for r in range(repeat):
        for stage in stages:
            log(f"  N={n} run {r + 1}/{repeat}: {stage} …")
            runs[stage].append(run_stage(stage, n, inbox_of[stage], work, every, memory=False))  # type: ignore[arg-type]
    watched: dict[str, list[Sample]] = {}
    for r in range(memory_runs):
        for stage in stages:
            # the kinds stage is one process, its memory not reported; collect's memory is watched
            # `memory_runs` times (its peak varies from run to run with when the reader processes start)
            if stage == "kinds" or (r > 0 and not stage.startswith("collect")):
                continue
            log(
                f"  N={n} memory {r + 1}/{memory_runs}: {stage} …"
                if stage.startswith("collect")
                else f"  N={n} memory: {stage} …"
            )
            watched.setdefault(stage, []).append(
                run_stage(stage, n, inbox_of[stage], work, every, memory=True)
            )  # type: ignore[arg-type]
    shutil.rmtree(work, ignore_errors=True)
    return {s: median_row(samples, watched.get(s, ())) for s, samples in runs.items()}


def run_benchmark(
    n: int = 500,
    repeat: int = 3,
    scales: Sequence[int] = (50,),
    every: int = 5,
    out: Path = OUT,
    log: Any = print,
    real: bool = True,
    province: bool = False,
    memory_runs: int = 3,
) -> dict[str, Any]:
    """Measure every stage at each N of `scales` plus `n`; returns everything the report prints."""
    started = dt.datetime.now()
    load0 = os.getloadavg()
    sizes = sorted({*scales, n})
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for m in sizes:
        if province:
            stages: tuple[str, ...] = PROVINCE_STAGES
        else:
            stages = BENCH_STAGES + (PREFILLED_STAGES if real else ()) + (("kinds",) if m == n else ())
        results[m] = measure(m, stages, repeat, every, out, real, log, memory_runs)
    if real:
        inbox = f"real returns ({returns.mix_text()})"
        if not province:
            inbox += "; the generator-prefilled inbox measured beside them"
    else:
        inbox = f"generator-prefilled (every {prefilled.RESAVED_EVERY}th re-saved once by openpyxl)"
    return {
        "n": n,
        "repeat": repeat,
        "memory_runs": memory_runs,
        "every": every,
        "sizes": sizes,
        "results": results,
        "started": started,
        "finished": dt.datetime.now(),
        "load": (load0, os.getloadavg()),
        "cpus": os.cpu_count(),
        "inbox": inbox,
        "kind_labels": KIND_LABELS,
        "province": province,
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--n", type=int, help="branches (each returns 2 workbooks); default 500, 5000 with --province"
    )
    ap.add_argument(
        "--repeat", type=int, help="runs per stage, the median is shown; default 3, 1 with --province"
    )
    ap.add_argument(
        "--scales", help="other N to compare cost per file and memory with; default 50, 500 with --province"
    )
    ap.add_argument(
        "--naive-every", type=int, default=5, help="time the naive loop on 1 file in k (a fixed sample)"
    )
    ap.add_argument(
        "--memory-runs", type=int, default=3, help="runs of collect whose memory is watched, the median shown"
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="one run per stage (its memory watched once), naive on 1 file in 20",
    )
    ap.add_argument(
        "--province", action="store_true", help="10,000 real returns against the province targets"
    )
    ap.add_argument(
        "--prefilled-only", action="store_true", help="only the generator-prefilled inbox (no LibreOffice)"
    )
    ap.add_argument("--out", type=Path, default=OUT, help="cache and scratch folder (default bench/out)")
    ap.add_argument("--json", type=Path, help="also write the measurements as JSON")
    # internal: run one stage in this (fresh) process and print its measurement as JSON
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--inbox", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.stage:
        print(json.dumps(run_stage_here(args.stage, args.n, args.inbox, args.work, args.naive_every)))
        return 0
    n = args.n or (5000 if args.province else 500)
    repeat = args.repeat or (1 if args.province else 3)
    scales = args.scales if args.scales is not None else ("500" if args.province else "50")
    every = args.naive_every
    memory_runs = args.memory_runs
    if args.quick:
        repeat, every, memory_runs = 1, max(every, 20), 1
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    res = run_benchmark(
        n, max(repeat, 1), [int(x) for x in scales.split(",") if x.strip()], max(every, 1), args.out, log,
        real=not args.prefilled_only, province=args.province, memory_runs=max(memory_runs, 1),
    )  # fmt: skip
    print(format_report(res))
    if args.json:
        doc = {
            **res,
            "results": {m: {s: asdict(r) for s, r in rows.items()} for m, rows in res["results"].items()},
        }
        args.json.write_text(json.dumps(doc, default=str, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
