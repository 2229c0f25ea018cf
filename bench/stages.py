"""The bench's stages, each run in a fresh Python process (`run.py --stage …`), and the watch over its memory.

Peak memory (峰值内存) is the stage process's high-water mark (VmHWM) plus, for every worker process it
forked, the worker's peak *private* memory (smaps_rollup), polled from /proc: what the workers cost beyond
the pages they share with their parent. CPU time (user + system, workers included) is measured beside wall
time: it is what other work on a shared machine disturbs least.

That polling takes CPU from the stage it watches: every few milliseconds it reads each process's status and,
every 25 ms, walks each worker's memory map — on two cores, time a stage running on both does not get. So a
run is either timed or watched (`run_stage(memory=…)`): a timed run's descendants are only looked at for their
CPU, every `CPU_POLL_SECONDS`; the memory comes from a watched run of its own.
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.round import SEED, bench_campaign, fork_context

POLL_SECONDS = 0.005
PRIVATE_POLLS = 5  # a worker's private memory is read every 5th poll (25 ms)
CPU_POLL_SECONDS = 0.1  # a timed run: its descendants' CPU, read this often
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
    gc.freeze()  # as the command line does: before reading (forked helpers), again before writing
    try:
        report = run_collect(inbox, campaign)
        read = time.perf_counter() - clock.wall0
        resident.append(_resident_mb())
        gc.freeze()
        tables, ov = aggregate.tables_and_overview(report)
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


# ---------------------------------------------------------------- watching a stage's process tree


def memory_kb(pid: int | str = "self") -> tuple[int, int]:
    """(VmHWM, VmRSS) of a process in kB: its peak and current resident set size; (0, 0) when it is gone."""
    hwm = rss = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1])
                    break
    except (OSError, ValueError, IndexError):
        pass
    return hwm, rss


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
        except OSError:
            pass
    return out


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process so far, in clock ticks (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return 0


def _rollup_kb(pid: int) -> tuple[int, int]:
    """(private, resident) memory of a process in kB, from /proc/PID/smaps_rollup: private is what only this
    process maps (Private_Clean + Private_Dirty) — for a forked worker, what it costs beyond the pages it still
    shares with its parent —, resident its Rss; (0, 0) when it is gone."""
    private = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Private_"):
                    private += int(line.split()[1])
                elif line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return private, rss


def _name(pid: int) -> str:
    """A process's name (/proc/PID/comm): the package's helpers and reader processes name themselves dj-…"""
    try:
        with open(f"/proc/{pid}/comm", "rb") as fh:
            return fh.read().decode("ascii", "replace").strip()
    except OSError:
        return ""


def role_of(name: str) -> str:
    """What a worker process is by its name: the role it gave itself (dj-collect, dj-reader, dj-write …),
    else "worker" (a process that did not name itself, or a pool's)."""
    return name if name.startswith("dj-") else "worker"


class TreeMonitor(threading.Thread):
    """Polls a process and all its descendants until stopped. Watching `memory`: every process's high-water
    mark (VmHWM, every POLL_SECONDS) and every descendant's private memory (every PRIVATE_POLLS polls:
    reading smaps_rollup costs ~1 ms). Otherwise only the descendants' CPU, every CPU_POLL_SECONDS."""

    def __init__(self, pid: int, memory: bool = True) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.memory = memory
        self.seen: set[int] = set()  # every descendant seen
        self.hwm: dict[int, int] = {}
        self.private: dict[int, int] = {}
        # a descendant's pages that it shared with its parent when first seen and that became its own since
        # (copy-on-write, by either process writing to one), at its peak: the growth of its private memory
        # less the growth of its resident size (a new page adds to both, a copied one to private only)
        self.copied: dict[int, int] = {}
        self._first: dict[int, tuple[int, int]] = {}  # a descendant's (private, resident) when first seen
        self.names: dict[int, str] = {}  # a descendant's name, as last seen (it names itself after the fork)
        self.ticks: dict[
            int, int
        ] = {}  # descendants' CPU, the last seen (a reaped one's is in its parent's rusage)
        self._stop_event = threading.Event()

    def run(self) -> None:
        polls = 0
        while not self._stop_event.is_set():
            todo, seen = [self.pid], set()
            while todo:
                pid = todo.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                self._look(pid, polls)
                todo.extend(_children(pid))
            polls += 1
            self._stop_event.wait(POLL_SECONDS if self.memory else CPU_POLL_SECONDS)

    def _look(self, pid: int, polls: int) -> None:
        if self.memory:
            hwm, _ = memory_kb(pid)
            if not hwm:
                return  # gone
            self.hwm[pid] = max(self.hwm.get(pid, 0), hwm)
        if pid == self.pid:
            return
        ticks = _cpu_ticks(pid)
        if not ticks and not self.memory:
            return  # gone (or not started yet)
        self.seen.add(pid)
        self.ticks[pid] = max(self.ticks.get(pid, 0), ticks)
        if not self.memory or polls % PRIVATE_POLLS == 0:
            self.names[pid] = _name(pid) or self.names.get(pid, "")
            if self.memory:
                self._private(pid)

    def _private(self, pid: int) -> None:
        private, rss = _rollup_kb(pid)
        if not rss:
            return  # gone
        first_private, first_rss = self._first.setdefault(pid, (private, rss))
        if private >= self.private.get(pid, 0):
            self.private[pid] = private
            self.copied[pid] = max(0, (private - first_private) - max(0, rss - first_rss))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


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


def _copied(monitor: TreeMonitor, workers: list[int]) -> dict[str, float]:
    out: dict[str, float] = {}
    for pid in workers:
        role = role_of(monitor.names.get(pid, ""))
        out[role] = out.get(role, 0.0) + monitor.copied.get(pid, 0) / 1024
    return dict(sorted(out.items()))


def _roles(monitor: TreeMonitor, workers: list[int]) -> dict[str, tuple[float, int]]:
    out: dict[str, tuple[float, int]] = {}
    for pid in workers:
        role = role_of(monitor.names.get(pid, ""))
        mb, count = out.get(role, (0.0, 0))
        out[role] = (mb + monitor.private.get(pid, 0) / 1024, count + 1)
    return dict(sorted(out.items()))


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
        roles=_roles(monitor, workers),
        copied=_copied(monitor, workers) if memory else {},
        extra=result,
    )
