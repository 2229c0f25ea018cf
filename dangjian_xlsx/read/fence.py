"""Native reading fenced off from the batch: untrusted bytes are read in a reader process of their own.

python-calamine is Rust. On hostile bytes it can panic (pyo3 turns that into a BaseException, after Rust has
written the panic text — and, with RUST_BACKTRACE set, a backtrace — to file descriptor 2), abort the whole
process when an allocation fails, or run for a long time. `call(fn, *args)` runs `fn(*args)` in this
process's reader process, forked on first use (and again after one was lost):

- its file descriptors 1 and 2 lead nowhere, so nothing it prints reaches the terminal;
- its address space is limited (`READ_MEMORY` on top of what it inherited; POSIX `RLIMIT_AS`), so a runaway
  allocation fails there;
- its answer is awaited `seconds` at most (`READ_SECONDS`): past that it is killed and `Lost(timeout=True)`
  is raised; when it dies (abort, signal), `Lost(timeout=False)`. The next call forks a new one.

Forking needs `os.fork` and a process running a single thread (forking a multi-threaded process can deadlock
the child), as `parallel` requires. Otherwise — on Windows, or in a multi-threaded host — `fn` runs in this
process with descriptor 2 silenced around the call: the reader's pre-checks (the safety pass) are then what
stands between hostile bytes and an abort, and there is no time budget (a reading that runs long cannot be
stopped from inside the process).

A forked child (a `parallel` helper) does not share its parent's reader process: it forks its own.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ..heap import give_back_free_memory
from ..parallel import name_process
from .limits import READ_MEMORY, READ_SECONDS

T = TypeVar("T")


class Lost(Exception):
    """The reader process gave no answer: it died (`timeout` False) or ran past its time (`timeout` True)."""

    def __init__(self, timeout: bool, detail: str = "") -> None:
        self.timeout = timeout
        self.detail = detail
        super().__init__(detail or ("timeout" if timeout else "died"))


def can_fork() -> bool:
    """Whether reading is done in a forked reader process here (else in this process, pre-checks only)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def call(fn: Callable[..., T], *args: Any, seconds: float = READ_SECONDS) -> T:
    """`fn(*args)` in the reader process (see the module doc); its exception re-raised here. `fn` and the
    arguments and result must pickle (`fn` by name: a module-level function)."""
    reader = _reader() if can_fork() else None
    if reader is None:
        with quiet_stderr():
            return fn(*args)
    return reader.call(fn, args, seconds)


# ---------------------------------------------------------------- this process's reader process

_current: _Reader | None = None


def release() -> None:
    """Stop this process's reader process now, if it has one (the next `call` forks a new one): a caller that
    is done reading a batch gives back what the reader holds — its own memory, and the pages it still shares
    with this process, which become its own as this process goes on changing them."""
    global _current
    if _current is not None and _current.owner == os.getpid():
        _current.close()
        _current = None


def _reader() -> _Reader | None:
    """This process's reader process, forked when there is none (or it has ended); None when it cannot be
    forked (out of processes or memory: the reading is then done here)."""
    global _current
    if _current is None or not _current.usable():
        if _current is not None and _current.owner == os.getpid():
            _current.close()
        elif _current is not None:  # inherited: another process's to stop
            _current.drop()
        try:
            _current = _Reader()
        except OSError:
            _current = None
    return _current


def _forget_in_child() -> None:
    """After a fork, in the child: the parent's reader process is the parent's (its socket closed here,
    the process left alone)."""
    global _current
    if _current is not None:
        _current.drop()
        _current = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


@atexit.register
def _stop_at_exit() -> None:
    """This process's reader process stopped and reaped when it exits (no zombie left for init to reap)."""
    release()


class _Reader:
    """One forked reader process and the socket to it."""

    def __init__(self) -> None:
        from multiprocessing.connection import Pipe

        here, there = Pipe(duplex=True)
        give_back_free_memory()  # what this process frees later is not copied for the reader as it is reused
        pid = os.fork()
        if pid == 0:  # the reader process
            here.close()
            _serve(there)  # never returns
        there.close()
        self.pid = pid
        self.conn: Any = here
        self.owner = os.getpid()
        self.alive = True

    def usable(self) -> bool:
        """Alive and this process's (a reader that ended between two files is replaced before the next)."""
        if not self.alive or self.owner != os.getpid():
            return False
        try:
            ended, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            ended = self.pid
        if ended:
            self.alive = False
        return self.alive

    def call(self, fn: Callable[..., T], args: tuple[Any, ...], seconds: float) -> T:
        try:
            self.conn.send((fn, args))
            if not self.conn.poll(seconds):
                self.close()
                raise Lost(timeout=True)
            kind, value = self.conn.recv()
        except (EOFError, OSError) as exc:  # it died (a broken pipe, a message cut short)
            self.close()
            raise Lost(timeout=False, detail=self.ended) from exc
        if kind == "raise":
            raise value
        return value  # type: ignore[no-any-return]

    @property
    def ended(self) -> str:
        return getattr(self, "_ended", "")

    def close(self) -> None:
        """Stop the reader process (killed: it may be stuck) and reap it; its socket closed."""
        with contextlib.suppress(OSError):
            self.conn.close()
        if not self.alive:
            return
        self.alive = False
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            _, status = os.waitpid(self.pid, 0)
            self._ended = _how_it_ended(status)

    def drop(self) -> None:
        """Forget the reader process without stopping it (it belongs to another process)."""
        self.alive = False
        with contextlib.suppress(OSError):
            self.conn.close()


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(sig).name}"
        return f"signal {sig}"
    return f"exit {os.waitstatus_to_exitcode(status)}" if hasattr(os, "waitstatus_to_exitcode") else ""


def _serve(conn: Any) -> None:
    """The reader process: answer calls until the socket closes; never returns, never runs exit handlers."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        name_process("dj-reader")
        _silence(conn.fileno())
        _limit_memory(READ_MEMORY)
        while True:
            try:
                fn, args = conn.recv()
            except EOFError:
                break
            try:
                answer: tuple[str, Any] = ("return", fn(*args))
            except Exception as exc:
                answer = ("raise", exc)
            except BaseException as exc:  # a panic the function let through: said as a plain error
                answer = ("raise", RuntimeError(f"{type(exc).__name__}: {exc}"))
            try:
                conn.send(answer)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an exception that cannot cross
                conn.send(("raise", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]} ({exc})")))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _silence(keep: int) -> None:
    """Descriptors 0–2 to the null device; every other inherited descriptor but `keep` closed (a parent's
    pipe held open here would keep its reader from seeing the end)."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    os.closerange(3, keep)
    os.closerange(keep + 1, _max_fd())


def _max_fd() -> int:
    try:
        return min(int(os.sysconf("SC_OPEN_MAX")), 1 << 20)
    except (AttributeError, ValueError, OSError):
        return 4096


def _limit_memory(budget: int) -> None:
    """At most `budget` bytes of address space on top of what this process holds now (where the platform
    says how much that is)."""
    try:
        import resource

        with open("/proc/self/statm", "rb") as fh:
            used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = used + budget
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        if soft == resource.RLIM_INFINITY or want < soft:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ImportError, OSError, ValueError):
        pass


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Descriptor 2 silenced around a native call made in this process (a panic's text goes nowhere)."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)
