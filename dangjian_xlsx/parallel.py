"""Use the second core where it pays: forked worker processes, which inherit their inputs instead of
receiving them pickled.

Forking is only done when it is safe and useful: the `fork` start method exists, this process runs a single
thread (forking a multi-threaded process can deadlock the child) and there is a second core. Otherwise the
callers do the same work in this process: the results are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from typing import Any


def cpus() -> int:
    """The cores this process may use (containers, taskset)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def fork_context() -> Any | None:
    """The `fork` multiprocessing context when forking is safe and there is a second core, else None."""
    if cpus() < 2 or threading.active_count() != 1:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")
