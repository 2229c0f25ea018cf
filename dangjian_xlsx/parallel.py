"""Use the second core where it pays: forked worker processes that inherit their inputs instead of receiving
them pickled.

Forking is only done when it is safe and cheap: the `fork` start method exists (Linux, macOS on request) and
this process runs a single thread (forking a multi-threaded process can deadlock the child). Otherwise
callers do the work in this process, as before: the results are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
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


def _child(send: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # reported to the parent, which raises it
        result = (False, exc)
    try:
        send.send(result)
    except Exception as exc:  # e.g. an exception that cannot be pickled
        send.send((False, RuntimeError(f"{type(result[1]).__name__}: {exc}")))
    send.close()


class Beside:
    """`fn(*args)` computed in a forked child while this process goes on; `result()` collects it.

    Without a safe fork (see `fork_context`), or should the child die (e.g. killed for memory),
    `result()` computes it here instead. `fn` must not write files: the parent decides what is written.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._fn, self._args = fn, args
        self._proc: Any = None
        self._recv: Connection | None = None
        ctx = fork_context()
        if ctx is None:
            return
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
        try:
            proc.start()  # fork: the child inherits fn and args, nothing is pickled on the way in
        except OSError:  # e.g. no memory for the fork: do it here
            recv.close()
            send.close()
            return
        send.close()
        self._proc, self._recv = proc, recv

    @property
    def forked(self) -> bool:
        return self._proc is not None

    def result(self) -> Any:
        if self._proc is None or self._recv is None:
            return self._fn(*self._args)
        try:
            ok, value = self._recv.recv()
        except (EOFError, OSError):  # the child died without an answer
            self._finish()
            return self._fn(*self._args)
        self._finish()
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child (when the parent's own work failed and the result is not wanted)."""
        if self._proc is not None:
            self._proc.terminate()
            self._finish()

    def _finish(self) -> None:
        if self._recv is not None:
            self._recv.close()
        if self._proc is not None:
            self._proc.join()
        self._proc, self._recv = None, None

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:  # result() was not collected (an exception on the way): stop the child
            self.cancel()
