"""What the command line prints, made safe: text is never read as rich markup, control characters are shown
visibly (`visible.py`), and an unexpected error is one Chinese line naming a log file with the details.

Every text a command prints may hold what somebody else typed — a cell of a submitted form, a file name,
a path given on the command line, a roster name, a key of campaign.toml — so the consoles here take text
as it is: `[/x]` is printed as `[/x]` (rich would otherwise read it as a closing tag and fail), ESC as ␛.
Colour is given as a style, never as markup inside the text.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from .visible import visible


def tolerant_streams() -> None:
    """stdout and stderr never fail on a character their encoding lacks: a Windows console redirected to a
    file or pipe writes the ANSI code page (GBK), which has no ␛ or ›; such a character becomes ? instead of a
    UnicodeEncodeError. A UTF-8 stream (PowerShell 7, cmd with chcp 65001, Linux) is left as it is."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


class SafeConsole(Console):
    """A rich Console that reads no markup (unless a call asks for it) and shows control characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(highlight=False, markup=False, **kwargs)

    def print(self, *objects: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().print(*(visible(o) if isinstance(o, str) else o for o in objects), **kwargs)

    def rule(self, title: Any = "", **kwargs: Any) -> None:  # type: ignore[override]
        super().rule(Text(visible(title)) if isinstance(title, str) else title, **kwargs)


@contextmanager
def progress(label: str, console: Console) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on `console` (shown only on a terminal); yields a callback(done, total).

    Redrawn from the callback (at most 10 times a second) rather than by rich's refresh thread: a process
    with a second thread cannot safely fork, and collect/generate fork their worker processes.
    """
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        auto_refresh=False,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)
        last = [0.0]

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            now = time.monotonic()
            if now - last[0] >= 0.1 or done >= total:
                last[0] = now
                bar.refresh()

        yield update


def counts_table(title: str, rows: list[tuple[str, object]]) -> Table:
    """Two columns, a label and its count (the overview's lines), the labels shown as they are."""
    t = Table(title=title, show_header=False, title_justify="left")
    t.add_column("项目")
    t.add_column("数量", justify="right")
    for k, v in rows:
        t.add_row(Text(visible(k)), Text(visible(str(v))))
    return t


def labelled(label: str, message: str, style: str = "red") -> Text:
    """`label` in `style`, then `message` as it is (control characters shown)."""
    return Text.assemble((label, style), visible(message))


LOG_PREFIX = "dangjian-xlsx-error-"


def crash_log(exc: BaseException) -> Path | None:
    """Write what is known of an unexpected error (the traceback, the command, the versions) to a new log
    file in the system's temporary folder; its path, or None when even that cannot be written."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    lines = [
        f"dangjian-xlsx {__version__}，Python {platform.python_version()}，{platform.platform()}",
        f"时间：{dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"命令：{' '.join(sys.argv)}",
        f"工作文件夹：{os.getcwd()}",
        "",
        *traceback.format_exception(exc),
    ]
    try:
        fd, name = tempfile.mkstemp(prefix=f"{LOG_PREFIX}{stamp}-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write("\n".join(lines))
    except OSError:
        return None
    return Path(name)


def crash_line(exc: BaseException, log: Path | None) -> str:
    """The one line an unexpected error prints."""
    kind = type(exc).__name__
    if log is None:
        return f"程序内部错误（{kind}），未能完成；详细信息也无法写入日志文件。请把这条信息和所运行的命令发给维护者"
    return f"程序内部错误（{kind}），未能完成。详细信息已写入 {log}，请把该文件发给维护者"


def end_process(code: object) -> NoReturn:
    """End the process as `sys.exit(code)` does, less the interpreter's teardown: the exit handlers run (the
    reader process stopped, helpers reaped) and the streams are flushed, then the process ends without
    freeing one by one the objects a command built (a collect's report and tables), which the system
    reclaims at once. Only for a process with no other thread."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # as sys.exit says a message
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()  # CPython's own exit path runs them the same way
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe or stream: nothing more can be said there
            stream.flush()
    os._exit(status)
