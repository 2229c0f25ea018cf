"""Long work done for the page (collect, generate …) one at a time, in a worker thread, with its progress for
the page to poll. A job's failure is a Chinese message, as the command line would print it; an unexpected one
also writes the CLI's crash log."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Progress = Callable[[int, int], None]
Work = Callable[[Progress], list[str]]

WAITING, RUNNING, DONE, FAILED = "等待中", "进行中", "已完成", "未完成"
KEEP_JOBS = 50


@dataclass
class Job:
    """One piece of work and what the page shows of it."""

    id: int
    title: str
    state: str = WAITING
    done: int = 0
    total: int = 0
    lines: list[str] = field(default_factory=list)
    error: str = ""
    started: float = 0.0
    ended: float = 0.0

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "lines": list(self.lines),
            "error": self.error,
            "finished": self.finished,
        }


class Jobs:
    """A queue served by one worker thread: two tabs asking at once get their work done one after the other."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._jobs: dict[int, Job] = {}
        self._work: dict[int, Work] = {}
        self._wake = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._serve, name="dangjian-jobs", daemon=True)
        self._thread.start()

    def submit(self, title: str, work: Work) -> Job:
        with self._lock:
            job = Job(next(self._ids), title)
            self._jobs[job.id] = job
            self._work[job.id] = work
            for old in sorted(self._jobs)[:-KEEP_JOBS]:
                if self._jobs[old].finished:
                    del self._jobs[old]
            self._wake.notify()
            return job

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def busy(self) -> bool:
        with self._lock:
            return any(not j.finished for j in self._jobs.values())

    def wait(self, job: Job, timeout: float = 600.0) -> Job:
        """Block until `job` is finished (for the tests and the API that waits)."""
        end = time.monotonic() + timeout
        while not job.finished and time.monotonic() < end:
            time.sleep(0.02)
        return job

    def _serve(self) -> None:
        while True:
            with self._lock:
                while not self._work:
                    self._wake.wait()
                job_id = min(self._work)
                work = self._work.pop(job_id)
                job = self._jobs[job_id]
                job.state, job.started = RUNNING, time.monotonic()
            self._run(job, work)

    @staticmethod
    def _run(job: Job, work: Work) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        try:
            job.lines = list(work(progress))
            job.state = DONE
        except Exception as exc:  # the page says what went wrong, in Chinese, and keeps serving
            job.error = failure_text(exc)
            job.state = FAILED
        finally:
            job.ended = time.monotonic()


def failure_text(exc: BaseException) -> str:
    """What the page says of a failure: the message of the tool's own errors (configuration, a refused
    request, a write that failed, the folder in use), else the CLI's crash line with its log file."""
    from ..errors import UserError

    if isinstance(exc, UserError):  # the tool's own, worker.StepFailed included: already said in Chinese
        return str(exc)
    from ..terminal import crash_line, crash_log

    return crash_line(exc, crash_log(exc))
