"""The C allocator (glibc's `malloc`, on Linux) told how a province's collect uses it; elsewhere nothing is done.

A collect holds its records and tables while its outputs are written by this process and a forked helper, which
share every page until one of them writes it. Two settings keep what each holds its own and small:
- `steady_large_blocks`: a block of 512 KB or more (a long table's column of a hundred thousand rows) is mapped
  on its own and given back whole when freed. glibc raises that bound by itself each time such a block is freed,
  up to 32 MB; then the tables' columns are carved from the heap, and the holes they leave when freed stay with
  the process.
- `give_back_free_memory`: before a helper or a reader process is forked, the heap's free pages are given back: a
  free page still shared with a helper is copied for it as soon as this process reuses it.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any

LARGE_BLOCK = 512 << 10  # bytes: from this size on, a block is mapped on its own (measured: 256 KB to 1 MB)
_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def steady_large_blocks() -> None:
    """Blocks of `LARGE_BLOCK` bytes or more mapped on their own, whatever was freed before (this process and
    the helpers it forks from now on)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)


def give_back_free_memory() -> None:
    """The heap's free pages given back to the system (`malloc_trim`), before a helper is forked."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


@cache
def _libc() -> Any | None:
    """glibc, on Linux (musl has neither function: nothing is done there)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None)
    except OSError:  # pragma: no cover - a process without a C library handle
        return None
