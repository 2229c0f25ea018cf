"""`make bench`: generate and collect a province-sized round, side by side with the naive way and the floor.

One run (default N=500 personalized 党总支, i.e. 1,000 returned workbooks):

1. prepares N filled, varied returned pairs (cached under bench/out/, keyed by N; not timed);
2. times, each in a fresh subprocess so that peak memory is per stage and comparable across N:
   - generate: `generate_for_roster` for N branches (2N workbooks written);
   - collect: `run_collect` + `write_outputs` over the 2N files (read, validate, resolve, summary + exports);
   - naive: a loop of `pandas.read_excel(path, sheet_name=None, engine="openpyxl")` (on a fixed sample of the
     files, 1 in k, scaled per file: it is ~10× slower than collect);
   - floor: open each file's zip and inflate every member, nothing else — in one process, and split over
     two processes (collect uses both cores, so the fair floor for it is the two-process one); and, for
     reference, in one process with zipfile inflating through zlib-ng, the zlib that collect's reader uses
     (where it is installed) instead of the standard one;
3. prints the table (median of `--repeat` runs) and the ratios, then how cost per file and peak memory
   change with N (by default N=50 and N).

Peak memory (峰值内存) is the stage process's high-water mark (VmHWM) plus, for every worker process it
forked, the worker's peak *private* memory (smaps_rollup), polled from /proc: what the workers cost beyond
the pages they share with their parent. CPU time (user + system, workers included) is shown beside wall
time: it is what other work on a shared machine disturbs least.

Usage: python bench/run.py [--n 500] [--repeat 3] [--scales 50] [--naive-every 5] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DATA_VERSION = 1  # bump when the prepared inbox changes (the cache is keyed by it)
SEED = 20180926
RESAVED_EVERY = 10  # every 10th workbook is passed once through openpyxl, like a file re-saved by Excel
POLL_SECONDS = 0.005
PRIVATE_POLLS = 5  # a worker's private memory is read every 5th poll (25 ms)

STAGES = ("generate", "collect", "naive", "floor1", "floor2", "floor1ng")
LABELS = {
    "generate": "生成 generate (2N workbooks)",
    "collect": "汇总 collect (ours, end to end)",
    "naive": "朴素 naive pandas+openpyxl",
    "floor1": "下限 floor: unzip, 1 process",
    "floor2": "下限 floor: unzip, 2 processes",
    "floor1ng": "下限 floor: unzip, zlib-ng, 1 proc",
}

# ---------------------------------------------------------------- the round: roster and filled values

UNIVERSITIES = (
    "郑州", "洛阳", "开封", "新乡", "安阳", "南阳", "信阳", "商丘", "周口", "许昌",
    "平顶山", "焦作", "鹤壁", "濮阳", "漯河", "三门峡", "驻马店", "济源", "黄河", "中原",
)  # fmt: skip
COLLEGES = (
    "文学院", "外国语学院", "数学与统计学院", "物理与电子工程学院", "化学化工学院", "生命科学学院",
    "地理与旅游学院", "历史文化学院", "马克思主义学院", "教育科学学院", "音乐学院", "美术学院",
    "体育学院", "经济与管理学院", "法学院", "新闻与传播学院", "信息科学与技术学院", "机电工程学院",
    "建筑工程学院", "软件学院", "国际教育学院", "继续教育学院", "机关", "图书馆", "后勤服务中心",
)  # fmt: skip
NOTES = (
    "主体责任清单已建立，但个别班子成员清单未及时更新，佐证材料不全",
    "本学期支委会研究党建工作记录缺少3月、4月，会议纪要不完整",
    "述职述责述廉材料已收集，督促检查记录偏少",
    "签字背书制度执行不够严格，部分请示件缺少书记签批意见",
    "中心组学习资料归档不完整，缺少2次学习记录",
    "意识形态工作联席会议未按季度召开，二季度缺失",
    "党费收缴记录簿登记不规范，个别月份补交",
    "失联党员管理台帐未及时更新",
)
DONE_TEXTS = (
    "已召开党总支会议专题学习传达，制定贯彻措施{n}条并分解落实，会议记录及学习材料已存档",
    "建立党政负责人每周沟通制度，本学期共沟通{n}次，有记录可查",
    "开展年度考核和谈心谈话{n}人次，发现苗头性问题及时提醒，谈话记录已归档备查",
    "每月固定时间开展主题党日，本年度共{n}次，活动记录完整",
    "本年度发展青年教师党员{n}名、学生党员{m}名，程序规范，发展材料齐全",
)
ISSUES_TEXTS = (
    "个别环节落实不到位，下一步将于10月底前完善制度并加强督促检查",
    "材料归档不够及时，已明确专人负责，每月整理一次",
    "部分支部执行不够规范，将开展专项培训并纳入年终考核",
)


def status_mix(cat: Any) -> tuple[str, ...]:
    """Mostly done, some in progress, one not done, one not applicable (2018's list: 14 : 4 : 1 : 1), taken
    from the catalog's own statuses."""
    opens = cat.open_statuses or (cat.done_status,)
    return (cat.done_status,) * 14 + (opens[0],) * 4 + (opens[-1], cat.na_status or opens[-1])


def branch_name(i: int) -> str:
    """A unique, realistic 党总支 name for roster position i (1-based)."""
    k = len(COLLEGES)
    uni = UNIVERSITIES[((i - 1) // k) % len(UNIVERSITIES)]
    lap = (i - 1) // (k * len(UNIVERSITIES))
    return f"{uni}{'' if lap == 0 else lap + 1}学院{COLLEGES[(i - 1) % k]}党总支"


def bench_campaign(n: int) -> Any:
    """The default campaign with a roster of n branches."""
    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.models import Branch

    if not 1 <= n <= 9999:
        raise SystemExit("N must be between 1 and 9999 (the roster's 序号 has at most 4 digits)")
    return default_campaign(tuple(Branch(seq=i, name=branch_name(i)) for i in range(1, n + 1)))


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
            text = rng.choice(DONE_TEXTS).format(n=rng.randint(2, 12), m=rng.randint(5, 30))
            values[(Field.DONE, task.id)] = text * rng.randint(1, 3)
        if status != cat.done_status:
            values[(Field.ISSUES, task.id)] = rng.choice(ISSUES_TEXTS)
    return values


def _resave(data: bytes) -> bytes:
    """Load and save once through openpyxl: a returned file written by another program."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _build_branch(args: tuple[int, int, str]) -> int:
    n, seq, dest = args
    from dangjian_xlsx.forms import BRANCH_FORMS, build_form, form_filename

    campaign = _prep_campaign(n)
    branch = campaign.roster[seq - 1]
    rng = random.Random(f"{SEED}-{seq}")
    for k, kind in enumerate(BRANCH_FORMS):
        data = build_form(campaign, kind, branch, prefill=form_values(campaign, kind, rng))
        if (2 * seq + k) % RESAVED_EVERY == 0:
            data = _resave(data)
        Path(dest, form_filename(kind, branch)).write_bytes(data)
    return seq


_PREP: dict[int, Any] = {}


def _prep_campaign(n: int) -> Any:
    if n not in _PREP:
        _PREP[n] = bench_campaign(n)
    return _PREP[n]


def _stamp(n: int) -> dict[str, Any]:
    """What the cached inbox depends on; the hash of one generated pair catches any change to the forms."""
    import hashlib

    from dangjian_xlsx.forms import BRANCH_FORMS, build_form

    campaign = bench_campaign(1)
    forms = hashlib.sha256(b"".join(build_form(campaign, k, campaign.roster[0]) for k in BRANCH_FORMS))
    return {"data_version": DATA_VERSION, "n": n, "seed": SEED, "forms": forms.hexdigest()[:16]}


def prepare_inbox(n: int, out: Path = OUT, log: Any = print) -> Path:
    """The returned files of an N-branch round, built once and cached in out/inbox-N (keyed by N and stamp)."""
    inbox = out / f"inbox-{n}"
    stamp_file = out / f"inbox-{n}.json"
    stamp = _stamp(n)
    if inbox.is_dir() and stamp_file.is_file() and json.loads(stamp_file.read_text()) == stamp:
        return inbox
    log(f"准备 preparing {2 * n} filled workbooks in {inbox} (cached for the next run) …")
    t0 = time.perf_counter()
    tmp = out / f"inbox-{n}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    jobs = [(n, seq, str(tmp)) for seq in range(1, n + 1)]
    if n >= 20 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(2, mp_context=_fork_context()) as pool:
            list(pool.map(_build_branch, jobs, chunksize=8))
    else:
        for job in jobs:
            _build_branch(job)
    shutil.rmtree(inbox, ignore_errors=True)
    tmp.rename(inbox)
    stamp_file.write_text(json.dumps(stamp))
    log(f"  done in {time.perf_counter() - t0:.1f} s")
    return inbox


def _fork_context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def inbox_files(inbox: Path) -> list[Path]:
    return sorted(p for p in Path(inbox).rglob("*") if p.is_file())


# ---------------------------------------------------------------- the stages (run in a fresh subprocess)


def _memory_kb(pid: int | str = "self") -> tuple[int, int]:
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


def _unzip_all(paths: Sequence[str]) -> int:
    """The floor: open each zip and inflate every member; nothing else."""
    total = 0
    for p in paths:
        with zipfile.ZipFile(p) as z:
            for info in z.infolist():
                total += len(z.read(info))
    return total


class _Clock:
    """Wall time and CPU time (this process and its reaped children: the workers) of the timed section."""

    def __init__(self) -> None:
        self.wall0, self.cpu0 = time.perf_counter(), _cpu()

    def stop(self, **result: Any) -> dict[str, Any]:
        return {"seconds": time.perf_counter() - self.wall0, "cpu_seconds": _cpu() - self.cpu0, **result}


def _cpu() -> float:
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def stage_generate(n: int, work: Path) -> dict[str, Any]:
    from dangjian_xlsx.forms import generate_for_roster

    campaign = bench_campaign(n)
    out = work / "forms"
    shutil.rmtree(out, ignore_errors=True)
    clock = _Clock()
    gc.freeze()  # as the command line does around generating (forked helpers)
    try:
        paths = generate_for_roster(campaign, out)
    finally:
        gc.unfreeze()
    return clock.stop(files=len(paths), measured=len(paths))


def stage_collect(n: int, inbox: Path, work: Path) -> dict[str, Any]:
    from dangjian_xlsx import aggregate
    from dangjian_xlsx.collect import run_collect
    from dangjian_xlsx.summary import write_exports, write_summary

    campaign = bench_campaign(n)
    out = work / "summary" / "汇总表.xlsx"
    shutil.rmtree(out.parent, ignore_errors=True)
    clock = _Clock()
    gc.freeze()  # as the command line does: before reading (forked helpers), again before writing
    try:
        report = run_collect(inbox, campaign)
        read = time.perf_counter() - clock.wall0
        gc.freeze()
        tables, ov = aggregate.tables_and_overview(report)
        at = report.generated_at
        written = [
            write_summary(tables, ov, out, campaign, at),
            *write_exports(tables, ov, out, campaign, at),
        ]
    finally:
        gc.unfreeze()
    outcomes = Counter(f.outcome.value for f in report.files)
    return clock.stop(
        files=len(report.files),
        measured=len(report.files),
        read_seconds=read,
        outcomes=dict(sorted(outcomes.items())),
        summary_bytes=sum(p.stat().st_size for p in written),
    )


def stage_naive(inbox: Path, every: int) -> dict[str, Any]:
    import pandas as pd

    files = inbox_files(inbox)
    # a fixed random sample: a plain stride would pick only 附件1 (or only 附件2) files when it is even
    sample = sorted(random.Random(SEED).sample(files, max(1, len(files) // every)))
    clock = _Clock()
    for p in sample:
        pd.read_excel(p, sheet_name=None, engine="openpyxl")
    result = clock.stop(files=len(files), measured=len(sample))
    for key in ("seconds", "cpu_seconds"):  # scaled per file to all the files
        result[key] *= len(files) / len(sample)
    return result


def stage_floor(inbox: Path, procs: int, zlib_ng: bool = False) -> dict[str, Any]:
    files = [str(p) for p in inbox_files(inbox)]
    if zlib_ng:  # zipfile calls zlib.decompressobj(-15) and zlib.crc32: zlib-ng's module has the same API
        from dangjian_xlsx.ooxml import zlib

        zipfile.zlib = zlib  # type: ignore[attr-defined]
    clock = _Clock()
    if procs == 1:
        _unzip_all(files)
    else:
        with ProcessPoolExecutor(procs, mp_context=_fork_context()) as pool:
            list(pool.map(_unzip_all, [files[k::procs] for k in range(procs)]))
    # the processes started: a worker done within one memory poll is never seen by the monitor
    return clock.stop(files=len(files), measured=len(files), processes=procs if procs > 1 else 0)


def run_stage_here(stage: str, n: int, inbox: Path, work: Path, every: int) -> dict[str, Any]:
    """Run one stage in this process (the subprocess side of `run_stage`)."""
    work.mkdir(parents=True, exist_ok=True)
    if stage == "generate":
        result = stage_generate(n, work)
    elif stage == "collect":
        result = stage_collect(n, inbox, work)
    elif stage == "naive":
        result = stage_naive(inbox, every)
    elif stage in ("floor1", "floor2"):
        result = stage_floor(inbox, int(stage[-1]))
    elif stage == "floor1ng":
        result = stage_floor(inbox, 1, zlib_ng=True)
    else:
        raise SystemExit(f"unknown stage {stage}")
    result["main_hwm_kb"] = _memory_kb()[0]
    return result


# ---------------------------------------------------------------- the orchestrator


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


def _private_kb(pid: int) -> int:
    """Memory only this process maps (Private_Clean + Private_Dirty of /proc/PID/smaps_rollup), in kB: for a
    forked worker, what it costs beyond the pages it still shares with its parent."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Private_"):
                    total += int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return total


class _TreeMonitor(threading.Thread):
    """Polls the memory of a process and all its descendants until stopped: every process's high-water
    mark (VmHWM, every POLL_SECONDS) and every descendant's private memory (every PRIVATE_POLLS polls:
    reading smaps_rollup costs ~1 ms)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.hwm: dict[int, int] = {}
        self.private: dict[int, int] = {}
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
                hwm, _ = _memory_kb(pid)
                if hwm:
                    self.hwm[pid] = max(self.hwm.get(pid, 0), hwm)
                    if pid != self.pid and polls % PRIVATE_POLLS == 0:
                        self.private[pid] = max(self.private.get(pid, 0), _private_kb(pid))
                todo.extend(_children(pid))
            polls += 1
            self._stop_event.wait(POLL_SECONDS)

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
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def peak_mb(self) -> float:
        return self.main_mb + self.workers_own_mb

    @property
    def raw_mb(self) -> float:
        return self.main_mb + self.workers_hwm_mb


def run_stage(stage: str, n: int, inbox: Path, work: Path, every: int = 5) -> Sample:
    """Run one stage in a fresh Python process, watching its memory (and its workers')."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--stage", stage, "--n", str(n),
           "--inbox", str(inbox), "--work", str(work), "--naive-every", str(every)]  # fmt: skip
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    monitor = _TreeMonitor(proc.pid)
    monitor.start()
    stdout, stderr = proc.communicate()
    monitor.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"stage {stage} (N={n}) failed:\n{stderr.decode(errors='replace')}")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    main_kb = max(result.pop("main_hwm_kb"), monitor.hwm.get(proc.pid, 0))
    workers = [pid for pid in monitor.hwm if pid != proc.pid]
    started = result.pop("processes", 0)  # what the stage says it started, where it knows
    return Sample(
        stage=stage,
        n=n,
        files=result.pop("files"),
        measured=result.pop("measured"),
        seconds=result.pop("seconds"),
        cpu_seconds=result.pop("cpu_seconds"),
        main_mb=main_kb / 1024,
        workers=max(len(workers), started),
        workers_own_mb=sum(monitor.private.get(p, 0) for p in workers) / 1024,
        workers_hwm_mb=sum(monitor.hwm[p] for p in workers) / 1024,
        extra=result,
    )


@dataclass
class Row:
    """The median of a stage's repeated runs at one N."""

    stage: str
    n: int
    files: int
    measured: int
    seconds: float
    spread: float  # (max - min) / median of the runs' seconds
    cpu_seconds: float
    peak_mb: float
    raw_mb: float
    main_mb: float
    workers: int
    runs: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ms_per_file(self) -> float:
        return self.seconds / self.files * 1000 if self.files else 0.0

    @property
    def cpu_ms_per_file(self) -> float:
        return self.cpu_seconds / self.files * 1000 if self.files else 0.0

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0


def _median_row(samples: list[Sample]) -> Row:
    secs = [s.seconds for s in samples]
    med = statistics.median(secs)
    first = samples[0]
    extra = dict(first.extra)
    for key, value in first.extra.items():
        if isinstance(value, float):
            extra[key] = statistics.median(s.extra[key] for s in samples)
    return Row(
        stage=first.stage,
        n=first.n,
        files=first.files,
        measured=first.measured,
        seconds=med,
        spread=(max(secs) - min(secs)) / med if med else 0.0,
        cpu_seconds=statistics.median(s.cpu_seconds for s in samples),
        peak_mb=statistics.median(s.peak_mb for s in samples),
        raw_mb=statistics.median(s.raw_mb for s in samples),
        main_mb=statistics.median(s.main_mb for s in samples),
        workers=max(s.workers for s in samples),
        runs=len(samples),
        extra=extra,
    )


def measure(
    n: int, repeat: int = 3, every: int = 5, out: Path = OUT, stages: Sequence[str] = STAGES, log: Any = print
) -> dict[str, Row]:
    """Every stage at N, `repeat` times (interleaved, so that load from other work spreads over all)."""
    inbox = prepare_inbox(n, out, log)
    work = out / f"work-{n}"
    runs: dict[str, list[Sample]] = {s: [] for s in stages}
    for r in range(repeat):
        for stage in stages:
            log(f"  N={n} run {r + 1}/{repeat}: {stage} …")
            runs[stage].append(run_stage(stage, n, inbox, work, every))
    shutil.rmtree(work, ignore_errors=True)
    return {s: _median_row(samples) for s, samples in runs.items()}


def run_benchmark(
    n: int = 500,
    repeat: int = 3,
    scales: Sequence[int] = (50,),
    every: int = 5,
    out: Path = OUT,
    log: Any = print,
) -> dict[str, Any]:
    """Measure every stage at each N of `scales` plus `n`; returns everything the report prints."""
    started = dt.datetime.now()
    load0 = os.getloadavg()
    sizes = sorted({*scales, n})
    results = {m: measure(m, repeat, every, out, log=log) for m in sizes}
    return {
        "n": n,
        "repeat": repeat,
        "every": every,
        "sizes": sizes,
        "results": results,
        "started": started,
        "finished": dt.datetime.now(),
        "load": (load0, os.getloadavg()),
        "cpus": os.cpu_count(),
    }


# ---------------------------------------------------------------- the report


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int, right: bool = False) -> str:
    gap = " " * max(w - _width(s), 0)
    return gap + s if right else s + gap


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table (first column left-aligned, the others right-aligned), CJK-width aware."""
    widths = [max(_width(r[c]) for r in [header, *rows]) for c in range(len(header))]
    lines = []
    for k, r in enumerate([header, *rows]):
        cells = [_pad(v, widths[c], right=c > 0) for c, v in enumerate(r)]
        lines.append("| " + " | ".join(cells) + " |")
        if k == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


TABLE_HEADER = ("阶段 stage", "文件 files", "秒 s", "毫秒/文件 ms/file", "文件/秒 files/s",
                "CPU 毫秒/文件 cpu ms/file", "峰值内存 peak MB", "进程 procs", "波动 spread")  # fmt: skip


def num(x: float) -> str:
    """2 decimals, or 3 significant digits below 1 (a toy run's floor takes milliseconds)."""
    return f"{x:.2f}" if x >= 1 or x == 0 else f"{x:.3g}"


def stage_table(rows: dict[str, Row]) -> str:
    body = []
    for stage, r in rows.items():
        files = f"{r.files}" if r.measured == r.files else f"{r.files} ({r.measured} timed)"
        body.append(
            [LABELS[stage], files, num(r.seconds), num(r.ms_per_file), f"{r.files_per_s:.0f}",
             num(r.cpu_ms_per_file), f"{r.peak_mb:.0f}", f"1+{r.workers}" if r.workers else "1",
             f"±{r.spread * 50:.0f}%"]
        )  # fmt: skip
    return render_table(TABLE_HEADER, body)


def ratios(rows: dict[str, Row]) -> dict[str, float]:
    ours = rows["collect"].ms_per_file
    return {
        "naive_over_ours": rows["naive"].ms_per_file / ours,
        "ours_over_floor2": ours / rows["floor2"].ms_per_file,
        "ours_over_floor1": ours / rows["floor1"].ms_per_file,
        "ours_over_floor1ng": ours / rows["floor1ng"].ms_per_file,
        "generate_ms_per_workbook": rows["generate"].ms_per_file,
    }


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


NOTES = (
    "峰值内存 peak MB = peak resident size (VmHWM) of the stage's process + Σ over the worker processes it "
    "forked of their peak private memory (smaps_rollup Private_*, polled every 25 ms): pages a worker still "
    "shares with its parent are counted once.",
    "CPU = user + system time of the stage's process and its workers (less sensitive than wall time to "
    "other work on the machine). 波动 spread = ±half of (max − min) / median of the runs' wall times.",
)


def _ratio_lines(main: dict[str, Row], r: dict[str, float], cpus: int = 2) -> list[str]:
    collect, floor1, floor2 = main["collect"], main["floor1"], main["floor2"]
    lines = [
        ("naive / ours", f"{r['naive_over_ours']:.1f}×", "≥ 10×", r["naive_over_ours"] >= 10),
        ("ours / floor (2 procs)", f"{r['ours_over_floor2']:.1f}×", "≤ 3×", r["ours_over_floor2"] <= 3),
        ("ours / floor (1 proc)", f"{r['ours_over_floor1']:.1f}×", "≤ 3×", r["ours_over_floor1"] <= 3),
        ("generate per workbook", f"{r['generate_ms_per_workbook']:.1f} ms", "≤ 20 ms",
         r["generate_ms_per_workbook"] <= 20),
    ]  # fmt: skip
    out = [f"  {name:<24}{value:>9}   target {target:<7} {_mark(ok)}" for name, value, target, ok in lines]
    out.append(
        f"  {'ours / floor (zlib-ng)':<24}{r['ours_over_floor1ng']:>8.1f}×   (for reference: the 1-process floor "
        "inflating with zlib-ng, as collect's reader does, instead of the standard zlib)"
    )
    read = collect.extra.get("read_seconds")
    if read is not None and floor1.seconds and floor2.seconds:
        out.append(
            f"  (the reading part of collect alone — read, validate, resolve — is {read / floor1.seconds:.1f}× "
            f"the 1-process floor and {read / floor2.seconds:.1f}× the 2-process one; the rest is writing the "
            "summary workbook and exports, which the floor does not do)"
        )
    if floor1.cpu_ms_per_file:
        cpu = collect.cpu_ms_per_file / floor1.cpu_ms_per_file
        out.append(
            f"  (CPU time: collect spends {cpu:.1f}× the 1-process floor's CPU per file; even spread perfectly "
            f"over {cpus} cores that is {cpu / cpus:.1f}× the floor in wall time, the least it can reach at this CPU cost)"
        )
    return out


def format_report(res: dict[str, Any]) -> str:
    n, results = res["n"], res["results"]
    main = results[n]
    r = ratios(main)
    out = [
        f"dangjian-xlsx benchmark · {res['started']:%Y-%m-%d %H:%M}–{res['finished']:%H:%M} · "
        f"{res['cpus']} CPUs · Python {platform.python_version()} · load average "
        f"{res['load'][0][0]:.2f} → {res['load'][1][0]:.2f} · median of {res['repeat']} runs per stage",
        "",
        f"N = {n} 党总支 → {main['collect'].files} returned workbooks "
        f"(every {RESAVED_EVERY}th re-saved once by openpyxl)",
        "",
        stage_table(main),
        "",
    ]
    naive, collect = main["naive"], main["collect"]
    if naive.measured != naive.files:
        out.append(
            f"朴素 naive: timed on {naive.measured} of {naive.files} files (a fixed random sample, 1 in "
            f"{res['every']}), scaled per file to all of them."
        )
    read = collect.extra.get("read_seconds")
    if read is not None:
        out.append(
            f"汇总 collect = read + validate + resolve {read:.2f} s, then summary workbook + CSV/JSON "
            f"{collect.seconds - read:.2f} s; outcomes: "
            + ", ".join(f"{k} {v}" for k, v in collect.extra.get("outcomes", {}).items())
        )
    out += [
        *NOTES,
        f"  (peak counting every worker's shared pages again: collect {collect.raw_mb:.0f} MB)",
        "",
        "比值 ratios (per file):",
        *_ratio_lines(main, r, res.get("cpus") or 2),
    ]
    sizes = res["sizes"]
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        body = []
        for stage in STAGES:
            a, b = results[lo][stage], results[hi][stage]
            body.append(
                [LABELS[stage], num(a.ms_per_file), num(b.ms_per_file),
                 f"{b.ms_per_file / a.ms_per_file:.2f}×" if a.ms_per_file else "—",
                 f"{a.peak_mb:.0f}", f"{b.peak_mb:.0f}", f"{b.peak_mb / a.peak_mb:.2f}×" if a.peak_mb else "—"]
            )  # fmt: skip
        header = ("阶段 stage", f"ms/file N={lo}", f"ms/file N={hi}", "变化 change",
                  f"峰值 MB N={lo}", f"峰值 MB N={hi}", "变化 change")  # fmt: skip
        growth = results[hi]["collect"].peak_mb / results[lo]["collect"].peak_mb
        out += [
            "",
            f"随规模变化 scaling, N={lo} → N={hi} ({2 * lo} → {2 * hi} files):",
            "",
            render_table(header, body),
            "",
            f"  collect peak memory N={hi} / N={lo}: {growth:.2f}×   target ≤ 1.5×  {_mark(growth <= 1.5)}",
        ]
        for m in sizes[1:-1]:
            out.append(f"  (also measured at N={m}; not shown)")
    return "\n".join(out)


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=500, help="branches (each returns 2 workbooks); default 500")
    ap.add_argument("--repeat", type=int, default=3, help="runs per stage, the median is shown; default 3")
    ap.add_argument("--scales", default="50", help="other N to compare cost per file and memory with")
    ap.add_argument(
        "--naive-every",
        type=int,
        default=5,
        help="time the naive loop on 1 file in k (a fixed random sample)",
    )
    ap.add_argument("--quick", action="store_true", help="one run per stage, naive on 1 file in 20")
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
    repeat, every = args.repeat, args.naive_every
    if args.quick:
        repeat, every = 1, max(every, 20)
    scales = [int(x) for x in args.scales.split(",") if x.strip()]
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    res = run_benchmark(args.n, max(repeat, 1), scales, max(every, 1), args.out, log=log)
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
