"""Watching a bench stage's process tree from /proc: each process's peak resident size (VmHWM), each worker's
peak private memory (smaps_rollup) and how much of it are pages copied from its parent, the workers' CPU, and
their names (the roles they give themselves: dj-collect, dj-reader, dj-write).

Peak memory (峰值内存) is the stage process's high-water mark plus, for every worker process it forked, the
worker's peak *private* memory: what the workers cost beyond the pages they share with their parent. Of that, the
pages a worker shared when first seen and had to copy since — because it or its parent wrote to them — are told
from its own new memory (`TreeMonitor.copied`: a new page adds to private and resident memory, a copied one to
private only).
"""

from __future__ import annotations

import os
import threading

POLL_SECONDS = 0.005
PRIVATE_POLLS = 5  # a worker's private memory is read every 5th poll (25 ms)
CPU_POLL_SECONDS = 0.1  # a timed run: its descendants' CPU, read this often


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


def _by_role(monitor: TreeMonitor, workers: list[int]) -> dict[str, list[int]]:
    """The workers grouped by the role they gave themselves (`role_of`), the roles in order."""
    out: dict[str, list[int]] = {}
    for pid in workers:
        out.setdefault(role_of(monitor.names.get(pid, "")), []).append(pid)
    return dict(sorted(out.items()))


def roles_of(monitor: TreeMonitor, workers: list[int]) -> dict[str, tuple[float, int]]:
    """Per role: Σ MB of the workers' peak private memory, and how many workers had it."""
    return {
        role: (sum(monitor.private.get(p, 0) for p in pids) / 1024, len(pids))
        for role, pids in _by_role(monitor, workers).items()
    }


def copied_of(monitor: TreeMonitor, workers: list[int]) -> dict[str, float]:
    """Per role whose memory was watched: Σ MB of the workers' copied pages (`TreeMonitor.copied`)."""
    return {
        role: sum(monitor.copied.get(p, 0) for p in pids) / 1024
        for role, pids in _by_role(monitor, workers).items()
        if any(p in monitor.copied for p in pids)
    }
