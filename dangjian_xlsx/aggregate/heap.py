"""Large blocks given back to the system as soon as they are freed (glibc), while a province's tables are made.

glibc's malloc maps a block of 128 KiB or more on its own and unmaps it when it is freed, but it then raises
that threshold to the size of the block just freed: from there on, blocks as large (a table's column, the
lists a long table is built from) come from the heap, and what the tables free while they are built stays
in the process, to be counted in its peak. `map_large_blocks` fixes the threshold where it starts (which also
turns the raising off), once per process; elsewhere (another C library, another system) it does nothing.
"""

from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
LARGE_BLOCK = 128 * 1024  # glibc's own starting threshold

_done = False


def map_large_blocks() -> bool:
    """Fix glibc's mmap threshold at LARGE_BLOCK in this process (and the processes it forks from now on).
    Whether it was set, now or before."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _done = mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK) == 1  # 1: done (musl's stub answers 0)
    return _done
