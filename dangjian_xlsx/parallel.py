"""Use the other cores where it pays: `share` splits a batch between this process and forked helpers, which
inherit their inputs instead of receiving them pickled.

Forking is only done when it is safe and useful: the `fork` start method exists, this process runs a single
thread (forking a multi-threaded process can deadlock the child) and there is a second core. Otherwise the
callers do the same work in this process: the results are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from .heap import give_back_free_memory


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


T = TypeVar("T")
_meanwhile: list[Callable[[], None]] = []  # see `meanwhile`
_CHUNK = 8  # items taken at a time: small enough that no core waits long for the last one


def share(
    fn: Callable[[int], T],
    total: int,
    *,
    processes: int = 0,
    done: Callable[[int], None] | None = None,
    chunk: int = _CHUNK,
    name: str = "dj-helper",
) -> list[T]:
    """[fn(0), …, fn(total-1)], computed by this process and forked helpers together (`processes` in all,
    0 = one per core).

    This process works too (so no third process competes for two cores, and half the results are never
    pickled): each process takes the next `chunk` indexes from a shared counter until none are left; the
    helpers send their results back through pipes, which this process empties between its own chunks.
    `done(k)` is called with the number of results so far, in this process. The helpers go by `name` (see
    `name_process`). A helper that dies loses
    nothing: whatever it took and did not deliver is computed here at the end. Without a safe fork
    (`fork_context`), everything is computed here, in order. An exception in `fn` is raised here: a helper
    that meets one stops, and its chunk is computed here again. The garbage collector is left alone: a
    caller that wants the helpers' inherited pages to stay shared may `gc.freeze()` around the call (the
    CLI's `generate` does).
    """
    ctx = fork_context()
    results: list[Any] = [None] * total
    have = [False] * total
    count = 0

    def put(start: int, values: list[T]) -> None:
        nonlocal count
        for k, v in enumerate(values, start):
            results[k] = v
            have[k] = True
        count += len(values)
        if done is not None:
            done(count)

    helpers = (processes or cpus()) - 1 if ctx is not None and total >= 2 * chunk else 0
    if helpers:
        _share_with_helpers(ctx, helpers, fn, total, chunk, put, name)
    for k in range(total):  # everything when there are no helpers; what a dead helper took, otherwise
        if not have[k]:
            put(k, [fn(k)])
    return results


@contextmanager
def meanwhile(fn: Callable[[], None]) -> Iterator[None]:
    """While the block runs, the first `share` that forks helpers calls `fn` here as soon as they are started,
    before this process takes chunks itself (the helpers take the first ones meanwhile): work this process
    must do anyway, such as imports, done while the other cores are busy. `fn` is called at most once, and not
    at all when no `share` forks (the caller does that work later anyway)."""
    _meanwhile.append(fn)
    try:
        yield
    finally:
        if fn in _meanwhile:
            _meanwhile.remove(fn)


def _share_with_helpers(
    ctx: Any,
    helpers: int,
    fn: Callable[[int], Any],
    total: int,
    chunk: int,
    put: Callable[[int, list[Any]], None],
    name: str,
) -> None:
    """This process and `helpers` forked helpers take chunks from a shared counter until none are left;
    every result reaches `put`, in this process. The helpers are stopped (killed if this process failed)
    before returning."""
    give_back_free_memory()
    counter = ctx.Value("q", 0)
    procs: list[Any] = []
    pipes: list[Any] = []
    finished = False
    try:
        for _ in range(helpers):
            receive, send = ctx.Pipe(duplex=False)
            _widen(send)
            proc = ctx.Process(
                target=_helper, args=(fn, total, chunk, counter, send, os.getpid(), name), daemon=True
            )
            proc.start()
            send.close()
            procs.append(proc)
            pipes.append(receive)
        while _meanwhile:
            _meanwhile.pop(0)()
        while (start := _take(counter, chunk)) < total:
            put(start, [fn(k) for k in range(start, min(start + chunk, total))])
            for pipe in list(pipes):
                while pipe.poll():
                    if not _receive(pipe, pipes, put):
                        break
        for pipe in list(pipes):
            while _receive(pipe, pipes, put):
                pass
        finished = True
    finally:
        for proc in procs:
            if not finished:  # this process failed: the helpers' work is not wanted any more
                proc.kill()
            proc.join(timeout=5)
            if proc.is_alive():  # pragma: no cover - a helper stuck after the work is done
                proc.kill()


def _widen(conn: Any) -> None:
    """A larger pipe buffer (Linux), so that a helper rarely waits for this process to read its results."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), 1031, 1 << 20)  # F_SETPIPE_SZ
    except (ImportError, OSError):
        pass


def _take(counter: Any, chunk: int) -> int:
    with counter.get_lock():
        start = counter.value
        counter.value = start + chunk
    return int(start)


def _receive(pipe: Any, pipes: list[Any], put: Callable[[int, list[Any]], None]) -> bool:
    """One message from a helper; False (and the pipe dropped) when it finished or died."""
    try:
        message = pipe.recv()
    except Exception:  # EOF, or a message cut short by the helper's death
        message = None
    if message is None:
        pipes.remove(pipe)
        pipe.close()
        return False
    put(*message)
    return True


def _die_with_parent() -> None:
    """Linux: this helper is killed as soon as its parent dies (`PR_SET_PDEATHSIG`), also in the middle of a
    chunk — a job writing an output (the summary's exports) must not go on after the parent was killed, into a
    folder the next run recovers. Elsewhere the helper stops at its next chunk."""
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def name_process(name: str) -> None:
    """Linux: this process's name as `ps`, `top` and /proc/PID/comm show it (`PR_SET_NAME`, at most 15 bytes):
    a forked helper or reader process told apart from the command that started it, which keeps its own.
    Elsewhere nothing: the name is only shown, never relied on."""
    _prctl(15, name.encode("ascii")[:15])  # PR_SET_NAME (bytes go as a char pointer)


def _prctl(option: int, arg: Any) -> None:
    """Linux's prctl(option, arg) for this process; nothing elsewhere, or where the libc has none."""
    if not sys.platform.startswith("linux"):  # pragma: no cover
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(option, arg, 0, 0, 0)
    except (OSError, AttributeError, TypeError):  # pragma: no cover - a libc without prctl
        pass


def _helper(
    fn: Callable[[int], Any], total: int, chunk: int, counter: Any, send: Any, parent: int, name: str
) -> None:
    """Take chunks until none are left, or the parent is gone (killed: nobody wants the rest, and a helper
    writing outputs must not go on into a folder the next run cleans up). If `fn` fails here, stop quietly:
    the chunk is not delivered, so the parent computes it again and meets the error itself, where it can be
    reported. Ctrl-C is the parent's to handle (it then stops the helpers): a helper does not print a
    traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    name_process(name)
    try:
        while os.getppid() == parent and (start := _take(counter, chunk)) < total:
            send.send((start, [fn(k) for k in range(start, min(start + chunk, total))]))
        send.send(None)
    except Exception:
        pass
    finally:
        send.close()
