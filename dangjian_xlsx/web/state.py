"""What the page knows of the round between requests: the jobs, and the latest report of the inbox — from
the last collect, or read again (without writing anything) when the inbox or the configuration changed since,
whoever changed them (the page, the command line, a file manager)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import actions
from .folder import RoundFolder
from .jobs import Job, Jobs

Signature = tuple[tuple[str, int, int], ...]


@dataclass
class Seen:
    """A report and the state of the files it was made from."""

    signature: Signature
    report: Any


class RoundState:
    def __init__(self, folder: RoundFolder) -> None:
        self.folder = folder
        self.jobs = Jobs()
        self._lock = threading.Lock()
        self._seen: Seen | None = None

    def signature(self) -> Signature:
        """Every file of the inbox and of the configuration: name, size, modification time."""
        paths = list(_walk(self.folder.inbox)) + [p for p in self.folder.inputs() if p.is_file()]
        out = []
        for p in paths:
            try:
                st = p.stat()
            except OSError:
                continue
            out.append((str(p), st.st_size, st.st_mtime_ns))
        return tuple(sorted(out))

    def report(self) -> Any:
        """The report of the inbox as it is now (read again when anything changed). ConfigError when the
        configuration cannot be read."""
        with self._lock:
            now = self.signature()
            if self._seen is None or self._seen.signature != now:
                self._seen = Seen(now, actions.read_inbox(self.folder))
            return self._seen.report

    def remember(self, report: Any) -> None:
        with self._lock:
            self._seen = Seen(self.signature(), report)

    def collect(self) -> Job:
        """Collect and write the outputs, as a job."""

        def work(progress: Any) -> list[str]:
            report, lines = actions.collect(self.folder, progress)
            self.remember(report)
            return lines

        return self.jobs.submit("汇总", work)


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        found.extend(Path(dirpath) / name for name in filenames)
    return found
