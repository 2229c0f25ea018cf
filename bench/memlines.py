"""The bench report's lines on collect's phases and memory: its phases' times, its processes' peak memory by role
(with the pages each worker had to copy from the collecting process), the collecting process's resident size at
the phase boundaries, and for the province how each process grows per file added."""

from __future__ import annotations

from bench.rows import Row


def phase_lines(collect: Row) -> list[str]:
    """What collect's time and peak memory are made of: its phases, and its processes by role."""
    read = collect.extra.get("read_seconds")
    if read is None:
        return []
    tables = collect.extra.get("aggregate_seconds", 0.0)
    outcomes = ", ".join(f"{k} {v}" for k, v in collect.extra.get("outcomes", {}).items())
    out = [
        f"汇总 collect = read + validate + resolve {read:.2f} s (this process and a forked helper), then the "
        f"tables {tables:.2f} s (this process alone), then summary workbook ‖ CSV/JSON "
        f"{collect.seconds - read - tables:.2f} s (two processes); outcomes: {outcomes}"
    ]
    if collect.roles:
        parts = [f"main {collect.main_mb:.0f} MB (peak resident)"]
        parts += [
            f"{role} {mb:.0f} MB" + (f" ({n} processes)" if n > 1 else "") + _copied_part(collect, role)
            for role, (mb, n) in collect.roles.items()
        ]
        out.append("  collect's peak memory by process: " + ", ".join(parts) + " (workers: private memory)")
        out += _resident_lines(collect)
        if collect.copied:
            out.append(
                "  copied: pages a worker shared with the collecting process when it started and that became its "
                "own since, because either process wrote to them (a freed block reused, a reference counted); "
                "estimated as the growth of its private memory less the growth of its resident size"
            )
    return out


_RESIDENT = (
    ("resident_start_mb", "before reading"),
    ("resident_read_mb", "after reading (the records)"),
    ("resident_tables_mb", "after the tables"),
)


def _resident_lines(collect: Row) -> list[str]:
    """The collecting process's resident size at collect's phase boundaries, then its peak."""
    if not all(key in collect.extra for key, _ in _RESIDENT):
        return []
    parts = [f"{collect.extra[key]:.0f} MB {label}" for key, label in _RESIDENT]
    return [
        "  the collecting process's resident size: " + ", ".join(parts) + f", peak {collect.main_mb:.0f} MB"
    ]


def _phase_growth(lo: Row, hi: Row, added: int) -> list[str]:
    """How the collecting process's growth per added file splits between collect's phases."""
    keys = [key for key, _ in _RESIDENT]
    if not all(key in lo.extra and key in hi.extra for key in keys):
        return []
    marks_lo = [0.0, *(lo.extra[key] for key in keys), lo.main_mb]
    marks_hi = [0.0, *(hi.extra[key] for key in keys), hi.main_mb]
    labels = ("before reading", "the records", "the tables", "the writing (to the peak)")
    steps = [
        ((marks_hi[k + 1] - marks_hi[k]) - (marks_lo[k + 1] - marks_lo[k]), label)
        for k, label in enumerate(labels)
    ]
    parts = [f"{label} {mb * 1024 / added:+.1f}" for mb, label in steps]
    return ["    (main by phase, KB/file: " + ", ".join(parts) + ")"]


def _copied_part(row: Row, role: str) -> str:
    copied = row.copied.get(role)
    return f" (copied {copied:.0f} MB)" if copied is not None and copied >= 0.5 else ""


def role_growth_lines(lo: Row, hi: Row) -> list[str]:
    """How each process's memory grows from one size to the other, per added file."""
    added = hi.files - lo.files
    if added <= 0:
        return []
    rows = [("main", (lo.main_mb, 1), (hi.main_mb, 1))]
    rows += [(role, lo.roles.get(role, (0.0, 0)), hi.roles[role]) for role in hi.roles]
    out = [f"  memory by process, {lo.files} → {hi.files} files (per file added):"]
    for role, (a, _), (b, count) in rows:
        per_file = (b - a) * 1024 / added
        label = role + (f" ×{count}" if count > 1 else "")
        line = f"    {label:<18}{a:>6.0f} → {b:>4.0f} MB   {per_file:+6.1f} KB/file"
        if role in hi.copied:
            c_lo, c_hi = lo.copied.get(role, 0.0), hi.copied[role]
            line += f"   (copied {c_lo:.0f} → {c_hi:.0f} MB, {(c_hi - c_lo) * 1024 / added:+.1f} KB/file)"
        out.append(line)
        if role == "main":
            out += _phase_growth(lo, hi, added)
    return out
