"""The bench's stages, each run in a fresh Python process (`run.py --stage …`), timed or watched (`watch.py`).

CPU time (user + system, workers included) is measured beside wall time: it is what other work on a shared
machine disturbs least. Watching a stage's memory takes CPU from it: every few milliseconds the watch reads each
process's status and, every 25 ms, walks each worker's memory map — on two cores, time a stage running on both
does not get. So a run is either timed or watched (`run_stage(memory=…)`): a timed run's descendants are only
looked at for their CPU, every `watch.CPU_POLL_SECONDS`; the memory comes from a watched run of its own.
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.round import SEED, bench_campaign, fork_context
from bench.watch import TreeMonitor, copied_of, memory_kb, roles_of

RUN = Path(__file__).resolve().with_name("run.py")


def inbox_files(inbox: Path) -> list[Path]:
    return sorted(p for p in Path(inbox).rglob("*") if p.is_file())


def unpack(paths: Sequence[str]) -> int:
    """The floor: open each file's container and inflate every member (a zip's members, an .xls's streams)."""
    import olefile

    total = 0
    for p in paths:
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                for info in z.infolist():
                    total += len(z.read(info))
        else:
            with olefile.OleFileIO(p) as ole:
                for entry in ole.listdir():
                    total += len(ole.openstream(entry).read())
    return total


def naive_warm_up() -> None:
    """Import what the naive loop uses before it is timed (pandas loads its engines on first use)."""
    import openpyxl  # noqa: F401
    import pandas  # noqa: F401
    import python_calamine  # noqa: F401


def naive_read(path: Path) -> None:
    """What a script would do: pandas with openpyxl (for .xls/.ods pandas' calamine engine, the only one
    installed that reads them — faster than the engines pandas picks by default, xlrd and odfpy)."""
    import pandas as pd

    engine = "openpyxl" if path.suffix == ".xlsx" else "calamine"
    pd.read_excel(path, sheet_name=None, engine=engine)


class Clock:
    """Wall time and CPU time (this process and its reaped children: the workers) of the timed section;
    `reaped` the children's part (run_stage adds what descendants never reaped, such as a worker's own reader
    process, used: it watches them from /proc)."""

    def __init__(self) -> None:
        self.wall0, self.cpu0, self.kids0 = time.perf_counter(), cpu(), cpu(children=True)

    def stop(self, **result: Any) -> dict[str, Any]:
        return {
            "seconds": time.perf_counter() - self.wall0,
            "cpu_seconds": cpu() - self.cpu0,
            "reaped_cpu_seconds": cpu(children=True) - self.kids0,
            **result,
        }


def cpu(children: bool | None = None) -> float:
    """CPU seconds (user + system): this process and its reaped children; only the children with
    `children=True`."""
    import resource

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = kids.ru_utime + kids.ru_stime
    if children:
        return total
    me = resource.getrusage(resource.RUSAGE_SELF)
    return total + me.ru_utime + me.ru_stime


def stage_generate(n: int, work: Path) -> dict[str, Any]:
    from dangjian_xlsx.forms import generate_for_roster

    campaign = bench_campaign(n)
    out = work / "forms"
    shutil.rmtree(out, ignore_errors=True)
    clock = Clock()
    gc.freeze()  # as the command line does around generating (forked helpers)
    try:
        paths = generate_for_roster(campaign, out)
    finally:
        gc.unfreeze()
    return clock.stop(files=len(paths), measured=len(paths))


def stage_collect(n: int, inbox: Path, work: Path) -> dict[str, Any]:
    """Read, validate, resolve, then the summary workbook and its CSV/JSON exports, written as the command
    line writes them (`outputs.write_outputs`: two jobs, shared by this process and a forked helper). Not
    timed: the imports, and what else the command line writes (the correction pack: with this inbox, which
    holds no 自查报告, a 未交提醒 for every branch), and putting the set in place."""
    from dangjian_xlsx import aggregate, parallel
    from dangjian_xlsx.collect import run_collect
    from dangjian_xlsx.summary import write_exports, write_summary

    campaign = bench_campaign(n)
    out = work / "summary" / "汇总表.xlsx"
    shutil.rmtree(out.parent, ignore_errors=True)
    out.parent.mkdir(parents=True)
    clock = Clock()
    resident = [_resident_mb()]  # this process's resident size before reading, after it, after the tables
    gc.freeze()  # as the command line does: before reading (forked helpers), again after it and after the tables
    try:
        report = run_collect(inbox, campaign)
        read = time.perf_counter() - clock.wall0
        resident.append(_resident_mb())
        gc.freeze()
        tables, ov = aggregate.tables_and_overview(report)
        gc.freeze()  # the tables too, as the command line does (`write_outputs(made=...)`)
        tabled = time.perf_counter() - clock.wall0
        resident.append(_resident_mb())
        at = report.generated_at
        jobs = [
            lambda: [write_summary(tables, ov, out, campaign, at)],
            lambda: write_exports(tables, ov, out, campaign, at),
        ]
        written = [
            p
            for paths in parallel.share(lambda k: jobs[k](), len(jobs), chunk=1, name="dj-write")
            for p in paths
        ]
    finally:
        gc.unfreeze()
    outcomes = Counter(f.outcome.value for f in report.files)
    return clock.stop(
        files=len(report.files),
        measured=len(report.files),
        read_seconds=read,
        aggregate_seconds=tabled - read,
        resident_start_mb=resident[0],
        resident_read_mb=resident[1],
        resident_tables_mb=resident[2],
        outcomes=dict(sorted(outcomes.items())),
        summary_bytes=sum(p.stat().st_size for p in written),
    )


def _resident_mb() -> float:
    """This process's resident size now (VmRSS), in MB."""
    return memory_kb()[1] / 1024


def sample(files: Sequence[Path], every: int) -> list[Path]:
    """A fixed random sample, 1 in `every` (a plain stride would pick only one form when it is even)."""
    return sorted(random.Random(SEED).sample(list(files), max(1, len(files) // every)))


def stage_naive(inbox: Path, every: int) -> dict[str, Any]:
    files = inbox_files(inbox)
    chosen = sample(files, every)
    naive_warm_up()
    clock = Clock()
    for p in chosen:
        naive_read(p)
    result = clock.stop(files=len(files), measured=len(chosen))
    for key in ("seconds", "cpu_seconds"):  # scaled per file to all the files
        result[key] *= len(files) / len(chosen)
    return result


def stage_floor(inbox: Path, procs: int, zlib_ng: bool = False) -> dict[str, Any]:
    files = [str(p) for p in inbox_files(inbox)]
    if zlib_ng:  # zipfile calls zlib.decompressobj(-15) and zlib.crc32: zlib-ng's module has the same API
        from dangjian_xlsx.ooxml import zlib

        zipfile.zlib = zlib  # type: ignore[attr-defined]
    clock = Clock()
    if procs == 1:
        unpack(files)
    else:
        with ProcessPoolExecutor(procs, mp_context=fork_context()) as pool:
            list(pool.map(unpack, [files[k::procs] for k in range(procs)]))
    # the processes started: a worker done within one memory poll is never seen by the monitor
    return clock.stop(files=len(files), measured=len(files), processes=procs if procs > 1 else 0)


def stage_kinds(n: int, kinds_file: Path, every: int) -> dict[str, Any]:
    """Per input kind, in this one process: read + validate every file (as collect does for each file, no
    summary), the 1-process floor of the same files, and the naive loop on a sample of them."""
    from dangjian_xlsx.collect import check_files

    campaign = bench_campaign(n)
    kinds = json.loads(kinds_file.read_text("utf-8"))
    # warm up: the reader's lazy imports and the campaign's context, the naive loop's imports
    check_files([Path(next(iter(kinds.values()))[0])], campaign)
    naive_warm_up()
    out: dict[str, Any] = {}
    for kind, names in kinds.items():
        paths = [Path(p) for p in names]
        clock = Clock()
        records = check_files(paths, campaign)
        read = clock.stop()
        clock = Clock()
        unpack([str(p) for p in paths])
        floor = clock.stop()
        chosen = sample(paths, every)
        clock = Clock()
        for p in chosen:
            naive_read(p)
        naive = clock.stop()
        scale = len(paths) / len(chosen)
        out[kind] = {
            "files": len(paths),
            "read": read["seconds"],
            "read_cpu": read["cpu_seconds"],
            "floor": floor["seconds"],
            "naive": naive["seconds"] * scale,
            "naive_timed": len(chosen),
            "outcomes": dict(Counter(r.outcome.value for r in records)),
        }
    return {
        "files": sum(k["files"] for k in out.values()),
        "measured": 0,
        "seconds": 0.0,
        "cpu_seconds": 0.0,
        "kinds": out,
    }


def run_stage_here(stage: str, n: int, inbox: Path, work: Path, every: int) -> dict[str, Any]:
    """Run one stage in this process (the subprocess side of `run_stage`)."""
    work.mkdir(parents=True, exist_ok=True)
    if stage == "generate":
        result = stage_generate(n, work)
    elif stage.startswith("collect"):
        result = stage_collect(n, inbox, work)
    elif stage == "naive":
        result = stage_naive(inbox, every)
    elif stage.startswith("floor1ng"):
        result = stage_floor(inbox, 1, zlib_ng=True)
    elif stage.startswith(("floor1", "floor2")):
        result = stage_floor(inbox, int(stage[5]))
    elif stage == "kinds":
        result = stage_kinds(n, inbox, every)
    else:
        raise SystemExit(f"unknown stage {stage}")
    result["main_hwm_kb"] = memory_kb()[0]
    return result


@dataclass
class Sample:
    """One stage run."""

    stage: str
    n: int
    files: int
    measured: int
    seconds: float
    cpu_seconds: float
    main_mb: float  # the stage process's peak (VmHWM)
    workers: int
    workers_own_mb: float  # Σ over worker processes: peak private memory (not shared with the parent)
    workers_hwm_mb: float  # Σ over worker processes: peak resident size, shared pages included
    # Σ peak private memory (MB) and number of the worker processes of each role (`role_of`)
    roles: dict[str, tuple[float, int]] = field(default_factory=dict)
    copied: dict[str, float] = field(default_factory=dict)  # per role: Σ MB of TreeMonitor.copied
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def peak_mb(self) -> float:
        return self.main_mb + self.workers_own_mb

    @property
    def raw_mb(self) -> float:
        return self.main_mb + self.workers_hwm_mb


def run_stage(stage: str, n: int, inbox: Path, work: Path, every: int = 5, memory: bool = True) -> Sample:
    """Run one stage in a fresh Python process; watching its memory (and its workers'), or timing it with only
    its workers' CPU looked at (`memory=False`: see the module doc)."""
    cmd = [sys.executable, str(RUN), "--stage", stage, "--n", str(n),
           "--inbox", str(inbox), "--work", str(work), "--naive-every", str(every)]  # fmt: skip
    # compiled once into out/pycache, as an installed package is: a stage never compiles what it imports lazily
    # while timed, and the source tree gets no __pycache__
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work.parent / "pycache")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    monitor = TreeMonitor(proc.pid, memory)
    monitor.start()
    stdout, stderr = proc.communicate()
    monitor.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"stage {stage} (N={n}) failed:\n{stderr.decode(errors='replace')}")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    main_kb = max(result.pop("main_hwm_kb"), monitor.hwm.get(proc.pid, 0))
    workers = sorted(monitor.seen)
    started = result.pop("processes", 0)  # what the stage says it started, where it knows
    # the descendants' CPU as /proc saw it, beyond what their parents reaped (a worker's reader process)
    seen = sum(monitor.ticks.values()) / os.sysconf("SC_CLK_TCK")
    unreaped = max(0.0, seen - result.pop("reaped_cpu_seconds", 0.0))
    return Sample(
        stage=stage,
        n=n,
        files=result.pop("files"),
        measured=result.pop("measured"),
        seconds=result.pop("seconds"),
        cpu_seconds=result.pop("cpu_seconds") + unreaped,
        main_mb=main_kb / 1024,
        workers=max(len(workers), started),
        workers_own_mb=sum(monitor.private.get(p, 0) for p in workers) / 1024,
        workers_hwm_mb=sum(monitor.hwm.get(p, 0) for p in workers) / 1024,
        roles=roles_of(monitor, workers),
        copied=copied_of(monitor, workers),
        extra=result,
    )
