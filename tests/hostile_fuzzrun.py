"""Running collect over an inbox of mutants (tests/hostile_fuzz.py) and counting what must never happen:
tracebacks (or an internal error caught as 读取时出错), panic text or library English on the terminal or in a
reason, a file taking longer than HANG_SECONDS, an exit code other than 0/1, an inbox entry missing from
文件清单 (or a row for none), anything written into or changed in the inbox.

`in_process` runs `collect.run_collect` here (one process, so each file's time is known; descriptor 2
captured); `cli` runs `python -m dangjian_xlsx collect` in a subprocess (with RUST_BACKTRACE set and, on
POSIX, a bounded address space) and reads its 文件清单 back.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hostile_fuzz import Mutant

HANG_SECONDS = 10.0
ADDRESS_SPACE = 6 * 1024**3
SHOWN_BADLY = re.compile(
    r"Traceback|panicked|RUST_BACKTRACE|stack backtrace|memory allocation|PanicException|Error:|Exception"
)
LATIN_OK = {
    "Excel",
    "WPS",
    "xlsx",
    "xls",
    "LibreOffice",
    "XML",
    "ZIP",
    "CRC",
    "DTD",
    "GBK",
    "UTF",
    "HTML",
    "OLE",
}


@dataclass
class Findings:
    cases: int = 0
    tracebacks: list[str] = field(default_factory=list)
    panics: list[str] = field(default_factory=list)  # panic text or library English shown or in a reason
    hangs: list[str] = field(default_factory=list)
    unaccounted: list[str] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    slowest: float = 0.0  # the slowest file read in this process, seconds
    command_seconds: float = 0.0  # the command-line runs, in all

    def add(self, other: Findings) -> None:
        self.cases += other.cases
        for name in ("tracebacks", "panics", "hangs", "unaccounted", "exit_codes"):
            getattr(self, name).extend(getattr(other, name))
        self.slowest = max(self.slowest, other.slowest)
        self.command_seconds += other.command_seconds

    @property
    def clean(self) -> bool:
        bad_exit = [c for c in self.exit_codes if c not in (0, 1)]
        return not (self.tracebacks or self.panics or self.hangs or self.unaccounted or bad_exit)

    def summary(self) -> str:
        bad_exit = [c for c in self.exit_codes if c not in (0, 1)]
        return (
            f"cases {self.cases}, tracebacks {len(self.tracebacks)}, panics shown {len(self.panics)}, "
            f"hangs > {HANG_SECONDS:g} s {len(self.hangs)}, unaccounted files {len(self.unaccounted)}, "
            f"exit codes other than 0/1 {len(bad_exit)} (slowest file {self.slowest:.2f} s, "
            f"command line {self.command_seconds:.0f} s)"
        )


def write_inbox(inbox: Path, batch: list[Mutant]) -> dict[str, str]:
    """The mutants as files (a few in a subfolder); shown path → how it was made."""
    inbox.mkdir(parents=True, exist_ok=True)
    out = {}
    for k, m in enumerate(batch):
        rel = f"第{k % 3}批/{m.name}" if k % 7 == 0 else m.name
        path = inbox / rel
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(m.data)
        out[rel] = m.how
    return out


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under `root`: (size, mtime in ns, sha256) by relative path."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            st = path.stat()
            out[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns, _sha(path))
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def english_in(text: str) -> list[str]:
    """Latin words in a reason that are not names the sender knows (file and part names, quoted names
    taken out first)."""
    text = re.sub(r"“[^”]*”|部件 \S+|\S*[/.]\S*", " ", text)
    return [w for w in re.findall(r"[A-Za-z]{4,}", text) if w not in LATIN_OK]


def _record_findings(findings: Findings, records: list, made: dict[str, str]) -> None:
    seen = [r.path for r in records]
    missing = set(made) - set(seen)
    extra = [p for p in seen if p not in made or seen.count(p) > 1]
    findings.unaccounted += sorted(missing) + sorted(set(extra))
    for r in records:
        for p in r.problems:
            if "读取时出错" in p.message:  # an unexpected exception, caught by classify
                findings.tracebacks.append(f"{r.path} [{made.get(r.path)}]: {p.message}")
            elif p.code == "file-corrupt" and english_in(p.message):
                findings.panics.append(f"{r.path} [{made.get(r.path)}]: {p.message}")


@contextlib.contextmanager
def captured_stderr() -> Iterator[list[str]]:
    """Descriptor 2 into a temporary file for the block; its text appended to the yielded list after."""
    text: list[str] = []
    with tempfile.TemporaryFile() as tmp:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(tmp.fileno(), 2)
        try:
            yield text
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            text.append(tmp.read().decode("utf-8", "replace"))


def in_process(inbox: Path, made: dict[str, str]) -> Findings:
    """collect through the library, one process (each file's time from the progress calls)."""
    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.collect import discover, run_collect

    findings = Findings(cases=len(made))
    paths = discover(inbox)
    ticks = [time.monotonic()]
    with captured_stderr() as err:
        report = run_collect(
            inbox, default_campaign(), jobs=1, progress=lambda done, total: ticks.append(time.monotonic())
        )
    times = [b - a for a, b in itertools.pairwise(ticks[1:])]
    for path, took in zip(paths, times, strict=False):
        findings.slowest = max(findings.slowest, took)
        if took > HANG_SECONDS:
            findings.hangs.append(f"{path.relative_to(inbox)}: {took:.1f} s")
    if SHOWN_BADLY.search(err[0]):
        findings.panics.append(f"printed while collecting: {err[0][:500]}")
    _record_findings(findings, report.files, made)
    return findings


def _bounded() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def cli(inbox: Path, out: Path, made: dict[str, str], timeout: float = 600) -> Findings:
    """`python -m dangjian_xlsx collect inbox --out out/汇总表.xlsx` in a subprocess; its 文件清单 read back."""
    findings = Findings(cases=len(made))
    before = snapshot(inbox)
    env = dict(os.environ, RUST_BACKTRACE="1")
    args = [sys.executable, "-m", "dangjian_xlsx", "collect", str(inbox), "--out", str(out / "汇总表.xlsx")]
    start = time.monotonic()
    try:
        done = subprocess.run(
            args, cwd=out.parent, env=env, capture_output=True, text=True, timeout=timeout,
            preexec_fn=_bounded if os.name == "posix" else None,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        findings.hangs.append(f"collect over {len(made)} files ran past {timeout:g} s")
        return findings
    findings.command_seconds = time.monotonic() - start
    findings.exit_codes.append(done.returncode)
    shown = done.stdout + done.stderr
    if "Traceback" in shown:
        findings.tracebacks.append(shown[-3000:])
    elif SHOWN_BADLY.search(shown):
        findings.panics.append(shown[-3000:])
    if snapshot(inbox) != before:
        findings.unaccounted.append("the inbox changed: " + ", ".join(_changes(before, snapshot(inbox))))
    summary = out / "汇总表.xlsx"
    if done.returncode in (0, 1) and summary.is_file():
        _listed(findings, summary, made)
    elif done.returncode in (0, 1):
        findings.unaccounted.append("no summary written")
    return findings


def _changes(before: dict[str, object], after: dict[str, object]) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))[:20]


def _listed(findings: Findings, summary: Path, made: dict[str, str]) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(summary, read_only=True)
    rows = list(wb["文件清单"].iter_rows(values_only=True))
    wb.close()
    h = next(i for i, r in enumerate(rows) if r and r[0] == "文件")
    header = rows[h]
    listed = [dict(zip(header, r, strict=False)) for r in rows[h + 1 :] if r and r[0]]
    paths = [str(r["文件"]) for r in listed]
    findings.unaccounted += sorted(set(made) - set(paths)) + sorted({p for p in paths if p not in made})
    findings.unaccounted += sorted({p for p in paths if paths.count(p) > 1})
    for r in listed:
        reason = str(r.get("原因") or "")
        if english_in(reason):
            findings.panics.append(f"{r['文件']}: {reason}")
