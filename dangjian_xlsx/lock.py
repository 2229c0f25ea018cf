"""One run at a time per output folder: the lock file `.dangjian-xlsx.lock`.

A command that replaces outputs (collect, feedback, inspect) holds the lock of the folder they are in from
before it reads anything until it is done. The file holds who: process id, host, start time and command.
A second run on the same folder is refused (`LockHeld`, exit code 2) and told who holds it. A lock whose
process is gone (same host, no such process) is stale: it is taken over, and the caller is told so. A lock
held by this process is entered again (the library's writers take it too, under the command's).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError, writing

LOCK_NAME = ".dangjian-xlsx.lock"

_held: dict[Path, int] = {}  # the folders this process holds, and how many times entered


class LockHeld(UserError):
    """Another run holds the output folder."""


@dataclass
class Holder:
    """Who holds a lock, as its file says."""

    pid: int = 0
    host: str = ""
    started: str = ""
    command: str = ""

    def said(self) -> str:
        return f"进程 {self.pid}，计算机 {self.host or '未知'}，开始于 {self.started or '未知时间'}，命令：{self.command or '未知'}"


@dataclass
class Lock:
    """A held lock; `notices` says what was found (a stale lock taken over)."""

    folder: Path
    notices: list[str] = field(default_factory=list)


def _command() -> str:
    return " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:500] if sys.argv else ""


def _text() -> str:
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    doc = {"pid": os.getpid(), "host": socket.gethostname(), "started": now, "command": _command()}
    return json.dumps(doc, ensure_ascii=False) + "\n"


def read_holder(path: Path) -> Holder | None:
    """The holder a lock file names; None when there is no such file. An unreadable or damaged file names
    nobody (an empty Holder)."""
    try:
        raw = Path(path).read_bytes()[:4096]
    except FileNotFoundError:
        return None
    except OSError:
        return Holder()
    try:
        doc = json.loads(raw.decode("utf-8", "replace"))
        return Holder(int(doc["pid"]), str(doc["host"]), str(doc["started"]), str(doc["command"]))
    except (ValueError, KeyError, TypeError):
        return Holder()


def _gone(holder: Holder, path: Path) -> bool:
    """True when the holder is surely gone: a process of this host that no longer exists; or nobody (a file
    cut short while it was created) for longer than a minute."""
    if holder.pid <= 0:
        try:
            return time.time() - path.stat().st_mtime > 60
        except OSError:
            return False
    if holder.host != socket.gethostname():
        return False  # another computer: no way to tell
    return _windows_pid_gone(holder.pid) if os.name == "nt" else _posix_pid_gone(holder.pid)


def _posix_pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists (another user's process) or cannot tell
    return False


def _windows_pid_gone(pid: int) -> bool:  # pragma: no cover - Windows only (os.kill there would terminate)
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel32.GetLastError() == 87)  # ERROR_INVALID_PARAMETER: no such process
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return False
        return code.value != 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _create(path: Path) -> bool:
    """Create the lock file holding this process; False when it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(_text())
    return True


def _acquire(folder: Path) -> Lock:
    path = folder / LOCK_NAME
    lock = Lock(folder)
    with writing(path):
        folder.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            if _create(path):
                return lock
            holder = read_holder(path)
            if holder is None:
                continue  # released meanwhile
            if holder.pid == os.getpid() and holder.host == socket.gethostname():
                return lock  # left by this very process (an earlier block that could not remove it)
            if not _gone(holder, path):
                raise LockHeld(
                    f"输出文件夹 {folder} 正被另一次运行使用（{holder.said()}）。请等它结束后再运行；"
                    f"如确认没有其他运行（例如那台计算机已关机），删除 {path} 后重试"
                )
            path.unlink(missing_ok=True)
            lock.notices.append(
                f"发现上次运行留下的锁（{holder.said()}，该进程已不存在），已接管输出文件夹 {folder}"
            )
    raise LockHeld(f"无法取得输出文件夹 {folder} 的锁（{path}）：另一次运行同时在启动，请稍后重试")


@contextmanager
def output_lock(folder: Path) -> Iterator[Lock]:
    """Hold the lock of `folder` (created when missing) for the block; LockHeld when another run holds it."""
    folder = Path(os.path.realpath(folder))  # one key however the folder is named (links, ..)
    if _held.get(folder):
        _held[folder] += 1
        try:
            yield Lock(folder)
        finally:
            _held[folder] -= 1
        return
    made = not folder.exists()
    lock = _acquire(folder)
    _held[folder] = 1
    try:
        yield lock
    finally:
        del _held[folder]
        try:
            (folder / LOCK_NAME).unlink(missing_ok=True)
            if made:
                folder.rmdir()  # made for the lock and left empty: the run wrote nothing
        except OSError:
            pass  # not empty; or a lock left behind, which names this process: the next run takes it over
