"""A stage's result as the report shows it: the median of its timed runs, its memory from the run watched."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.stages import Sample


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
    roles: dict[str, tuple[float, int]] = field(default_factory=dict)  # see Sample.roles
    copied: dict[str, float] = field(default_factory=dict)  # see Sample.copied

    @property
    def ms_per_file(self) -> float:
        return self.seconds / self.files * 1000 if self.files else 0.0

    @property
    def cpu_ms_per_file(self) -> float:
        return self.cpu_seconds / self.files * 1000 if self.files else 0.0

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0


def median_row(samples: list[Sample], watched: Sequence[Sample] = ()) -> Row:
    """The median of a stage's timed runs; its memory from the `watched` runs (else from the runs' own): all of
    it from the one whose peak is their median, so that its parts (by process, by phase) are of one run."""
    secs = [s.seconds for s in samples]
    med = statistics.median(secs)
    first = samples[0]
    extra = dict(first.extra)
    for key, value in first.extra.items():
        if isinstance(value, float):
            extra[key] = statistics.median(s.extra[key] for s in samples)
    if "kinds" in first.extra:
        extra["kinds"] = _median_kinds([s.extra["kinds"] for s in samples])
    memory = samples
    if watched:
        mid = median_run(watched)
        memory = [mid]
        extra["watched_seconds"] = mid.seconds
        extra["watched_peaks_mb"] = [s.peak_mb for s in watched]
        # memory from the watched run, as the peak is: its resident size at collect's phase boundaries
        extra.update({k: v for k, v in mid.extra.items() if k.startswith("resident_")})
    return Row(
        stage=first.stage,
        n=first.n,
        files=first.files,
        measured=first.measured,
        seconds=med,
        spread=(max(secs) - min(secs)) / med if med else 0.0,
        cpu_seconds=statistics.median(s.cpu_seconds for s in samples),
        peak_mb=statistics.median(s.peak_mb for s in memory),
        raw_mb=statistics.median(s.raw_mb for s in memory),
        main_mb=statistics.median(s.main_mb for s in memory),
        workers=max(s.workers for s in [*samples, *memory]),
        runs=len(samples),
        extra=extra,
        roles=_median_roles([s.roles for s in memory]),
        copied={
            role: statistics.median(s.copied.get(role, 0.0) for s in memory)
            for role in sorted({role for s in memory for role in s.copied})
        },
    )


def median_run(runs: Sequence[Sample]) -> Sample:
    """The run whose peak memory is the median of the runs' (the lower middle one of an even number)."""
    ordered = sorted(runs, key=lambda s: s.peak_mb)
    return ordered[(len(ordered) - 1) // 2]


def _median_roles(runs: list[dict[str, tuple[float, int]]]) -> dict[str, tuple[float, int]]:
    names = sorted({role for run in runs for role in run})
    return {
        role: (
            statistics.median(run.get(role, (0.0, 0))[0] for run in runs),
            max(run.get(role, (0.0, 0))[1] for run in runs),
        )
        for role in names
    }


def _median_kinds(runs: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    out = {}
    for kind, first in runs[0].items():
        out[kind] = {
            k: statistics.median(r[kind][k] for r in runs) if isinstance(v, float) else v
            for k, v in first.items()
        }
    return out
