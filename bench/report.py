"""The bench's tables: the median of each stage's runs, the ratios against their targets, per input kind, and
how cost per file and peak memory change with the size of the round."""

from __future__ import annotations

import platform
import unicodedata
from collections.abc import Sequence
from typing import Any

from bench.memlines import phase_lines, role_growth_lines
from bench.rows import Row

LABELS = {
    "generate": "生成 generate (2N workbooks)",
    "collect": "汇总 collect (ours, end to end)",
    "naive": "朴素 naive pandas+openpyxl",
    "floor1": "下限 floor: unzip, 1 process",
    "floor2": "下限 floor: unzip, 2 processes",
    "floor1ng": "下限 floor: unzip, zlib-ng, 1 proc",
    "collect_pre": "汇总 collect · 生成器预填 prefilled inbox",
    "floor1_pre": "下限 floor, 1 proc · 生成器预填 prefilled",
}
TABLE_HEADER = ("阶段 stage", "文件 files", "秒 s", "毫秒/文件 ms/file", "文件/秒 files/s",
                "CPU 毫秒/文件 cpu ms/file", "峰值内存 peak MB", "进程 procs", "波动 spread")  # fmt: skip
KIND_HEADER = ("输入 input kind", "文件 files", "读取+校验 read+validate ms/file", "下限 floor ms/file",
               "朴素 naive ms/file", "ours / floor", "naive / ours")  # fmt: skip
NOTES = (
    "峰值内存 peak MB = peak resident size (VmHWM) of the stage's process + Σ over the worker processes it "
    "forked of their peak private memory (smaps_rollup Private_*, polled every 25 ms): pages a worker still "
    "shares with its parent are counted once. It comes from one more run of each stage, watched (of collect, "
    "several, the one with the median peak shown: its peak varies from run to run): the timed runs are not, "
    "as that polling takes CPU from a stage that uses both cores.",
    "CPU = user + system time of the stage's process and its workers (less sensitive than wall time to "
    "other work on the machine). 波动 spread = ±half of (max − min) / median of the runs' wall times.",
)
PROVINCE = {"seconds": 30.0, "peak_mb": 400.0, "growth": 1.5}


# ---------------------------------------------------------------- rendering


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


def num(x: float) -> str:
    """2 decimals, or 3 significant digits below 1 (a toy run's floor takes milliseconds)."""
    return f"{x:.2f}" if x >= 1 or x == 0 else f"{x:.3g}"


def stage_table(rows: dict[str, Row]) -> str:
    body = []
    for stage, r in rows.items():
        if stage == "kinds":
            continue
        files = f"{r.files}" if r.measured == r.files else f"{r.files} ({r.measured} timed)"
        body.append(
            [LABELS[stage], files, num(r.seconds), num(r.ms_per_file), f"{r.files_per_s:.0f}",
             num(r.cpu_ms_per_file), f"{r.peak_mb:.0f}", f"1+{r.workers}" if r.workers else "1",
             f"±{r.spread * 50:.0f}%"]
        )  # fmt: skip
    return render_table(TABLE_HEADER, body)


def kinds_table(kinds: dict[str, dict[str, Any]], labels: dict[str, str]) -> str:
    body = []
    for kind, k in kinds.items():
        files = k["files"]
        read, floor, naive = (k[x] / files * 1000 for x in ("read", "floor", "naive"))
        body.append(
            [labels.get(kind, kind), str(files), num(read), num(floor), num(naive),
             f"{read / floor:.1f}×" if floor else "—", f"{naive / read:.1f}×" if read else "—"]
        )  # fmt: skip
    return render_table(KIND_HEADER, body)


def ratios(rows: dict[str, Row]) -> dict[str, float]:
    ours = rows["collect"].ms_per_file
    out = {
        "naive_over_ours": rows["naive"].ms_per_file / ours,
        "ours_over_floor2": ours / rows["floor2"].ms_per_file,
        "ours_over_floor1": ours / rows["floor1"].ms_per_file,
        "ours_over_floor1ng": ours / rows["floor1ng"].ms_per_file,
        "generate_ms_per_workbook": rows["generate"].ms_per_file,
    }
    if "collect_pre" in rows:
        out["prefilled_over_floor1"] = rows["collect_pre"].ms_per_file / rows["floor1_pre"].ms_per_file
        out["ours_over_prefilled"] = ours / rows["collect_pre"].ms_per_file
    return out


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _ratio_lines(main: dict[str, Row], r: dict[str, float], cpus: int = 2) -> list[str]:
    collect, floor1, floor2 = main["collect"], main["floor1"], main["floor2"]
    lines = [
        ("naive / ours", f"{r['naive_over_ours']:.1f}×", "≥ 10×", r["naive_over_ours"] >= 10),
        ("ours / floor (1 proc)", f"{r['ours_over_floor1']:.1f}×", "≤ 3×", r["ours_over_floor1"] <= 3),
        ("generate per workbook", f"{r['generate_ms_per_workbook']:.1f} ms", "≤ 20 ms",
         r["generate_ms_per_workbook"] <= 20),
    ]  # fmt: skip
    out = [f"  {name:<24}{value:>9}   target {target:<7} {mark(ok)}" for name, value, target, ok in lines]
    out.append(
        f"  {'ours / floor (2 procs)':<24}{r['ours_over_floor2']:>8.1f}×   (for reference: the floor spread over both "
        "cores, as collect is; the target is set against the 1-process floor)"
    )
    out.append(
        f"  {'ours / floor (zlib-ng)':<24}{r['ours_over_floor1ng']:>8.1f}×   (for reference: the 1-process floor "
        "inflating with zlib-ng, as collect's reader does, instead of the standard zlib)"
    )
    if "prefilled_over_floor1" in r:
        out.append(
            f"  {'prefilled / floor (1 p.)':<24}{r['prefilled_over_floor1']:>8.1f}×   (the generator-prefilled "
            f"inbox, as the bench measured before; the real returns cost {r['ours_over_prefilled']:.2f}× it per file)"
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
    out += _busy_cores_lines(floor1, floor2)
    return out


def _busy_cores_lines(floor1: Row, floor2: Row) -> list[str]:
    """What the machine gave while both cores were busy: the same unzipping costs more CPU per file in two
    processes than in one when the cores slow each other down (a shared host, siblings of one physical core).
    Collect keeps both busy throughout and pays it; the 1-process floor does not."""
    if not floor1.cpu_ms_per_file or not floor2.cpu_ms_per_file:
        return []
    extra = floor2.cpu_ms_per_file / floor1.cpu_ms_per_file - 1
    return [
        f"  (the machine: with both cores busy, the unzip floor took {extra:+.0%} CPU per file against one core "
        "alone — collect, which keeps both busy, pays that too; compare runs whose figure here is alike)"
    ]


def header_lines(res: dict[str, Any]) -> list[str]:
    return [
        f"dangjian-xlsx benchmark · {res['started']:%Y-%m-%d %H:%M}–{res['finished']:%H:%M} · "
        f"{res['cpus']} CPUs · Python {platform.python_version()} · load average "
        f"{res['load'][0][0]:.2f} → {res['load'][1][0]:.2f} · median of {res['repeat']} runs per stage",
        "",
        f"N = {res['n']} 党总支 → {2 * res['n']} returned workbooks: {res['inbox']}",
        "",
    ]


def collect_lines(main: dict[str, Row], every: int) -> list[str]:
    out = []
    naive, collect = main.get("naive"), main["collect"]
    if naive is not None and naive.measured != naive.files:
        out.append(
            f"朴素 naive: timed on {naive.measured} of {naive.files} files (a fixed random sample, 1 in "
            f"{every}), scaled per file to all of them."
        )
    out += phase_lines(collect)
    watched = collect.extra.get("watched_seconds")
    return [
        *out,
        *NOTES,
        *watched_lines(collect),
        f"  (peak counting every worker's shared pages again: collect {collect.raw_mb:.0f} MB)",
        *([f"  (collect in the run whose memory was watched: {watched:.2f} s)"] if watched else []),
    ]


def watched_lines(collect: Row) -> list[str]:
    """How collect's peak varied over the runs whose memory was watched (the median one's memory is shown)."""
    runs, shown = _watched_peaks(collect)
    if not runs:
        return []
    return [f"  (collect's peak memory in {runs} watched runs: {shown} MB; the median run's is shown)"]


def _watched_peaks(row: Row) -> tuple[int, str]:
    """How many watched runs a stage's memory came from and their peaks ("a, b, c"); (0, "") for one."""
    peaks = row.extra.get("watched_peaks_mb", [])
    if len(peaks) < 2:
        return 0, ""
    return len(peaks), ", ".join(f"{mb:.0f}" for mb in sorted(peaks))


def scaling_lines(results: dict[int, dict[str, Row]], sizes: Sequence[int]) -> list[str]:
    lo, hi = sizes[0], sizes[-1]
    stages = [s for s in results[hi] if s in results[lo] and s != "kinds"]
    body = []
    for stage in stages:
        a, b = results[lo][stage], results[hi][stage]
        body.append(
            [LABELS[stage], num(a.ms_per_file), num(b.ms_per_file),
             f"{b.ms_per_file / a.ms_per_file:.2f}×" if a.ms_per_file else "—",
             f"{a.peak_mb:.0f}", f"{b.peak_mb:.0f}", f"{b.peak_mb / a.peak_mb:.2f}×" if a.peak_mb else "—"]
        )  # fmt: skip
    header = ("阶段 stage", f"ms/file N={lo}", f"ms/file N={hi}", "变化 change",
              f"峰值 MB N={lo}", f"峰值 MB N={hi}", "变化 change")  # fmt: skip
    growth = results[hi]["collect"].peak_mb / results[lo]["collect"].peak_mb
    out = [
        "",
        f"随规模变化 scaling, N={lo} → N={hi} ({2 * lo} → {2 * hi} files):",
        "",
        render_table(header, body),
        "",
        f"  collect peak memory N={hi} / N={lo}: {growth:.2f}×   target ≤ 1.5×  {mark(growth <= 1.5)}",
    ]
    return out + [f"  (also measured at N={m}; not shown)" for m in sizes[1:-1]]


def format_report(res: dict[str, Any]) -> str:
    n, results = res["n"], res["results"]
    main = results[n]
    out = [*header_lines(res), stage_table(main), "", *collect_lines(main, res["every"])]
    if "naive" in main:
        out += ["", "比值 ratios (per file):", *_ratio_lines(main, ratios(main), res.get("cpus") or 2)]
    if "kinds" in main:
        out += [
            "",
            "按输入类型 per input kind (read + validate in 1 process, no summary; the floor and the naive loop on "
            "the same files):",
            "",
            kinds_table(main["kinds"].extra["kinds"], res.get("kind_labels", {})),
        ]
    if res.get("province"):
        out += province_lines(results, res["sizes"])
        if "floor1" in main and "floor2" in main:
            out += _busy_cores_lines(main["floor1"], main["floor2"])
    if len(res["sizes"]) > 1:
        out += scaling_lines(results, res["sizes"])
    return "\n".join(out)


def province_lines(results: dict[int, dict[str, Row]], sizes: Sequence[int]) -> list[str]:
    """The province targets: 10,000 files on 2 cores in under 30 s, under 400 MB, memory growing ≤ 1.5×."""
    hi = results[sizes[-1]]["collect"]
    lo = results[sizes[0]]["collect"]
    growth = hi.peak_mb / lo.peak_mb if lo.peak_mb else 0.0
    time_growth = hi.ms_per_file / lo.ms_per_file if lo.ms_per_file else 0.0
    lines = [
        ("collect wall time", f"{hi.seconds:.1f} s", f"< {PROVINCE['seconds']:.0f} s", hi.seconds < PROVINCE["seconds"]),
        ("collect peak memory", f"{hi.peak_mb:.0f} MB", f"< {PROVINCE['peak_mb']:.0f} MB",
         hi.peak_mb < PROVINCE["peak_mb"]),
        (f"peak memory {2 * sizes[0]} → {2 * sizes[-1]} files", f"{growth:.2f}×", f"≤ {PROVINCE['growth']}×",
         growth <= PROVINCE["growth"]),
    ]  # fmt: skip
    out = ["", f"全省 province: {hi.files} files on {hi.workers + 1} processes"]
    out += [f"  {name:<34}{value:>9}   target {target:<8} {mark(ok)}" for name, value, target, ok in lines]
    out.append(
        f"  {'time per file ' + str(2 * sizes[0]) + ' → ' + str(2 * sizes[-1]) + ' files':<34}"
        f"{time_growth:>8.2f}×   ({lo.ms_per_file:.2f} → {hi.ms_per_file:.2f} ms/file)"
    )
    for row in (lo, hi):
        runs, shown = _watched_peaks(row)
        if runs:
            out.append(
                f"  ({row.files} files: collect's peak in {runs} watched runs {shown} MB; the median run's is used)"
            )
    return out + role_growth_lines(lo, hi)
