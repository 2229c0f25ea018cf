"""Outputs replaced as one set: written aside in full, then committed under a journal.

A run writes every output of its set (the summary, its exports, 退回修改/, 反馈表/; or a command's one
folder) into a staging folder `.dangjian-xlsx.<pid>.staging/` beside them. Nothing the user sees changes
until all of them are written; a failure or a kill before then leaves the previous set as it was (and the
staging folder, removed by the next run). Then the commit: a journal file (`.dangjian-xlsx.journal`)
listing the entries is written first; each entry's previous version is renamed to its kept name
(`汇总表.上次.xlsx`, `退回修改.上次/`: one generation, `keep.py`) and the new one renamed into place; the
journal is removed last. A run killed during the commit leaves the journal: the next run on that folder
finishes the commit (`recover`) and says so, before it reads anything there. Every step can be taken
again, so a kill during the recovery is recovered too.

The caller holds the folder's lock (`lock.py`) around all of this. `DJ_TEST_PAUSE_AT=stage`, `journal` or
`commit:N` makes a test run stop (print a line and sleep) when the set is staged, when the journal is
written, or after the commit's Nth rename, so a test can kill it there.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import sweep_folder, write_text_atomic
from .errors import writing
from .keep import sweep_kept_leftovers
from .ownfiles import is_output_folder

STAGE_PREFIX = ".dangjian-xlsx."
STAGE_SUFFIX = ".staging"
JOURNAL_NAME = ".dangjian-xlsx.journal"
TRASH = ".trash"  # inside the staging folder: the kept versions being replaced, removed with it
PAUSE_ENV = "DJ_TEST_PAUSE_AT"
PAUSED = "DJ_TEST_PAUSED"


class CommitError(Exception):
    """A rename of the commit failed (`error`); `rolled_back`: the previous set is back in place."""

    def __init__(self, error: OSError, rolled_back: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.rolled_back = rolled_back


@dataclass(frozen=True)
class Entry:
    """One entry of a set: `name` in the folder (a file or a folder), its previous version kept as `kept`."""

    name: str
    kept: str


def stage_name(pid: int | None = None) -> str:
    return f"{STAGE_PREFIX}{os.getpid() if pid is None else pid}{STAGE_SUFFIX}"


class OutputSet:
    """The staging folder of one run's set in `folder`; `commit` puts the staged entries in place."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(os.path.abspath(folder))
        self.stage = self.folder / stage_name()

    def path(self, name: str) -> Path:
        """Where the entry `name` is written before the commit."""
        return self.stage / name

    def discard(self) -> None:
        """Remove the staging folder (the set was not committed)."""
        shutil.rmtree(self.stage, ignore_errors=True)

    def commit(self, entries: list[Entry]) -> list[Path]:
        """Put every staged entry of `entries` in place (an entry not staged is left alone), the previous ones
        kept. Returns the kept paths."""
        staged = [e for e in entries if os.path.lexists(self.stage / e.name)]
        _pause("stage")
        journal = {
            "stage": self.stage.name,
            "entries": [
                {"name": e.name, "kept": e.kept, "had": os.path.lexists(self.folder / e.name)} for e in staged
            ],
            "pid": os.getpid(),
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        write_text_atomic(self.folder / JOURNAL_NAME, json.dumps(journal, ensure_ascii=False, indent=1))
        _fsync_folder(self.folder)
        _pause("journal")
        try:
            _apply(self.folder, journal)
        except OSError as exc:
            raise CommitError(exc, _undo(self.folder, journal)) from exc
        return [self.folder / e.kept for e in staged if os.path.lexists(self.folder / e.kept)]


def _apply(folder: Path, journal: dict[str, Any]) -> None:
    """Take every step of the journal's commit not yet taken, then remove the journal and the staging folder."""
    stage = folder / str(journal["stage"])
    steps = 0
    for i, item in enumerate(journal["entries"]):
        name, kept, had = str(item["name"]), str(item["kept"]), bool(item["had"])
        new, target, previous = stage / name, folder / name, folder / kept
        if not os.path.lexists(new):
            continue  # in place already
        if os.path.lexists(target):
            if os.path.lexists(previous):
                _trash(previous, stage, i)
                steps = _step(steps)
            os.rename(target, previous)
            steps = _step(steps)
        elif not had and os.path.lexists(previous):
            _trash(previous, stage, i)  # the kept versions are all of one run: none for an entry that was not
            steps = _step(steps)
        os.rename(new, target)
        steps = _step(steps)
    _fsync_folder(folder)
    (folder / JOURNAL_NAME).unlink(missing_ok=True)
    shutil.rmtree(stage, ignore_errors=True)


def _undo(folder: Path, journal: dict[str, Any]) -> bool:
    """Put the previous set back after a failed commit (in this process): each entry's new version back into
    the staging folder, its previous version back in place, the kept one before it back under its name.
    True when done (the journal is removed); False leaves the journal for the next run to finish."""
    stage = folder / str(journal["stage"])
    try:
        for i, item in reversed(list(enumerate(journal["entries"]))):
            name, kept, had = str(item["name"]), str(item["kept"]), bool(item["had"])
            new, target, previous = stage / name, folder / name, folder / kept
            if not os.path.lexists(new) and os.path.lexists(target):
                os.rename(target, new)
            if had and not os.path.lexists(target) and os.path.lexists(previous):
                os.rename(previous, target)
            trashed = stage / TRASH / f"{i}.0"
            if os.path.lexists(trashed) and not os.path.lexists(previous):
                os.rename(trashed, previous)
        (folder / JOURNAL_NAME).unlink(missing_ok=True)
    except OSError:
        return False
    return True


def _trash(path: Path, stage: Path, i: int) -> None:
    bin_ = stage / TRASH
    bin_.mkdir(exist_ok=True)
    n = 0
    while os.path.lexists(dest := bin_ / f"{i}.{n}"):
        n += 1
    os.rename(path, dest)


def _step(done: int) -> int:
    done += 1
    _pause(f"commit:{done}")
    return done


def _pause(point: str) -> None:
    """The tests' kill point: with DJ_TEST_PAUSE_AT=`point`, say so on stderr and wait to be killed."""
    if os.environ.get(PAUSE_ENV) == point:
        print(PAUSED, point, file=sys.stderr, flush=True)
        time.sleep(600)


def _fsync_folder(folder: Path) -> None:
    """Make the folder's renames durable (POSIX; elsewhere a no-op)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- the next run


def read_journal(folder: Path) -> dict[str, Any] | None:
    """The journal of an interrupted commit in `folder`, or None. A damaged journal (cut short) is empty."""
    path = Path(folder) / JOURNAL_NAME
    try:
        raw = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return {}
    try:
        doc = json.loads(raw)
    except ValueError:
        return {}
    ok = isinstance(doc, dict) and isinstance(doc.get("stage"), str) and isinstance(doc.get("entries"), list)
    return doc if ok else {}


def recover(folder: Path) -> list[str]:
    """Under the folder's lock, before anything there is read: finish a commit a killed run left, then remove
    what killed runs left (staging folders, temporary files). Returns what was done, in Chinese."""
    folder = Path(os.path.abspath(folder))
    said: list[str] = []
    journal = read_journal(folder)
    if journal is not None:
        with writing(folder, "上次运行在替换输出文件时中断，现在也无法完成替换；解决后重新运行即可"):
            said.append(_finish(folder, journal))
    for entry in _stages(folder):
        shutil.rmtree(entry, ignore_errors=True)
    removed = sweep_folder(folder) + sweep_kept_leftovers(folder)
    for sub in _output_folders(folder):
        removed += sweep_folder(sub)
    if removed:
        said.append(f"已删除上次中断的运行留下的 {len(removed)} 个临时文件（位于 {folder}）")
    return said


def _finish(folder: Path, journal: dict[str, Any]) -> str:
    stage = folder / str(journal.get("stage", ""))
    if journal and stage.name.startswith(STAGE_PREFIX) and stage.is_dir():
        _apply(folder, journal)
        names = "、".join(str(e["name"]) for e in journal["entries"])
        return f"上次运行在替换输出文件时中断：已完成替换（{names}），{folder} 中的输出现在都来自那次运行"
    (folder / JOURNAL_NAME).unlink(missing_ok=True)
    return (
        f"上次运行在替换输出文件时中断，且无法完成替换：{folder} 中的汇总表、导出文件和输出文件夹可能来自不同的运行；"
        "本次运行会重新写出全部输出"
    )


def _stages(folder: Path) -> Iterator[Path]:
    """Staging folders of runs that are gone (the caller holds the lock: no other run is writing here)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for e in entries:
        if e.name.startswith(STAGE_PREFIX) and e.name.endswith(STAGE_SUFFIX) and e.name != stage_name():
            yield Path(e.path)


def _output_folders(folder: Path) -> list[Path]:
    """The tool's marked output folders in `folder` (退回修改/, 反馈表/ and their kept copies)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    return [
        Path(e.path) for e in entries if e.is_dir(follow_symlinks=False) and is_output_folder(Path(e.path))
    ]


@contextmanager
def staging(folder: Path) -> Iterator[OutputSet]:
    """An OutputSet of `folder` whose staging folder is removed when the block ends (committed or not)."""
    out = OutputSet(folder)
    out.discard()
    out.stage.mkdir(parents=True)
    try:
        yield out
    finally:
        journal = read_journal(out.folder)
        if not journal or journal.get("stage") != out.stage.name:
            out.discard()  # else a commit was interrupted (Ctrl+C): the next run finishes it from there
