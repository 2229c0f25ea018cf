"""The round's steps for the page: each runs `steps.py`'s step of the same name in a worker process of its
own (`worker.py`) and returns what it returns; a failure is `StepFailed` with the command line's Chinese text."""

from __future__ import annotations

from typing import Any

from .folder import RoundFolder
from .jobs import Progress
from .worker import run


def collect(folder: RoundFolder, progress: Progress | None = None) -> tuple[Any, list[str]]:
    """Collect the inbox and write the summary, its exports, 反馈表/ and 退回修改/ as one set: (report, lines)."""
    return run("collect", folder.root, progress)


def read_inbox(folder: RoundFolder, progress: Progress | None = None) -> Any:
    """The inbox read and checked without writing anything: the report."""
    return run("read_inbox", folder.root, progress)


def generate(folder: RoundFolder, progress: Progress | None = None) -> list[str]:
    """Both forms per branch into 表格/ (earlier ones set aside) and the e-mail drafts: lines."""
    return run("generate", folder.root, progress)


def inspect(folder: RoundFolder, progress: Progress | None = None) -> list[str]:
    """The 督查评分表 into 督查评分表/: lines."""
    return run("inspect", folder.root, progress)
