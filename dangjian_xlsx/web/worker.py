"""The round's steps (`steps.py`) run in a fresh process of their own for each job.

The server is multi-threaded, and the reading needs a single-threaded process to fork from: the fence around
every file (`read.fence`: a forked reader process with its time and memory limits, so that one hostile file
never costs the batch or the server) and the parallel helpers. A new interpreter (`python -m
dangjian_xlsx.web.worker STEP FOLDER`) does the work; its progress and its result come back as pickled frames
on its standard output (anything else it prints goes to its standard error). Its failure is the text the command
line would print."""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..errors import UserError

Progress = Callable[[int, int], None]
STEPS = ("collect", "read_inbox", "generate", "inspect")
_HEADER = struct.Struct(">Q")


class StepFailed(UserError):
    """A step failed in the worker; the message is already in Chinese (the CLI's, for the same failure)."""


def run(step: str, root: Path, progress: Progress | None = None) -> Any:
    """Run `steps.<step>(RoundFolder(root), progress)` in a new process; its result, or StepFailed."""
    if step not in STEPS:
        raise ValueError(step)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dangjian_xlsx.web.worker", step, str(root)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None
    try:
        return _receive(proc.stdout, progress, proc)
    finally:
        proc.stdout.close()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _receive(stream: IO[bytes], progress: Progress | None, proc: subprocess.Popen[bytes]) -> Any:
    while True:
        frame = _read_frame(stream)
        if frame is None:
            code = proc.wait()
            raise StepFailed(
                f"处理过程意外中止（进程退出码 {code}）：没有写出新的结果，原有文件不变。请重试；"
                "仍然出现时，请用命令行运行同样的步骤，把显示的信息发给维护者"
            )
        kind, payload = frame
        if kind == "progress":
            if progress is not None:
                progress(*payload)
        elif kind == "done":
            return payload
        else:
            raise StepFailed(payload)


def _read_frame(stream: IO[bytes]) -> tuple[str, Any] | None:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


def _send(out: IO[bytes], kind: str, payload: Any) -> None:
    body = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_HEADER.pack(len(body)) + body)
    out.flush()


def main(argv: list[str]) -> int:
    """In the worker process: the step, its progress and its result sent back on the original stdout; the
    step's own prints go to stderr."""
    step, root = argv
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    from .folder import RoundFolder
    from .jobs import failure_text

    try:
        from . import steps

        result = getattr(steps, step)(RoundFolder.at(root), lambda d, t: _send(out, "progress", (d, t)))
    except BaseException as exc:
        _send(out, "failed", failure_text(exc))
        return 1
    _send(out, "done", result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
