"""Atomic file writes: a reader never sees a half-written file, a crash never destroys the old one.

The temporary file is `.<name>.<pid>.<random>.part` beside the target. A writer that was killed (power
cut, kill -9) leaves its temporary file behind; the next write of the same target removes such leftovers
once they are surely stale: their writer process is gone (POSIX), or they are older than a day.
`sweep_folder` removes the stale ones of any target in a folder (the output set's recovery uses it).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

STALE_SECONDS = 24 * 3600  # a temporary file this old is stale whoever wrote it


def write_atomic(path: Path, write: Callable[[Path], None], *, sweep: bool = True) -> Path:
    """Call write(tmp) on a temporary file beside `path`, fsync it, then rename it over `path`.

    `sweep=False` skips the stale-temp sweep, for a batch whose folder was swept once (`sweep_stale_temps`).
    """
    path = Path(path)
    with staged([path], sweep=sweep) as (tmp,):
        write(tmp)
        _fsync(tmp)
    return path


@contextmanager
def staged(paths: Sequence[Path], *, sweep: bool = True) -> Iterator[list[Path]]:
    """A fresh temporary file beside each of `paths` (their folders swept of stale ones first, once each).

    When the block ends normally, each temporary file is renamed over its target, in order; when it raises,
    or a rename fails, the temporary files left are removed (targets not yet replaced stay as they were). The
    block fills them (`fill`): nothing is replaced until all of them are done.
    """
    paths = [Path(p) for p in paths]
    by_folder: dict[Path, list[str]] = {}
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
        by_folder.setdefault(p.parent, []).append(p.name)
    if sweep:
        for folder, names in by_folder.items():
            sweep_stale_temps(folder, names)
    temps: list[Path] = []
    try:
        for p in paths:
            fd, name = tempfile.mkstemp(prefix=f".{p.name}.{os.getpid()}.", suffix=".part", dir=p.parent)
            os.close(fd)
            temps.append(Path(name))
        yield list(temps)
        mode = 0o666 & ~_umask()
        for tmp, p in zip(temps, paths, strict=True):
            os.chmod(tmp, mode)
            os.replace(tmp, p)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)  # only those not renamed are still there


def fill(tmp: Path, data: bytes | Iterable[bytes]) -> None:
    """Write bytes, or chunks as they come (a generator runs while the file is written), into a staged
    temporary file, and fsync it."""
    with open(tmp, "wb") as fh:
        if isinstance(data, bytes):
            fh.write(data)
        else:
            for chunk in data:
                fh.write(chunk)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove the temporary files that killed writers of `path` left beside it; returns those removed."""
    return sweep_stale_temps(path.parent, [path.name])


def sweep_stale_temps(folder: Path, names: Iterable[str]) -> list[Path]:
    """One scan of `folder` removing the stale temporary files of every target in `names`."""
    prefixes = tuple(f".{n}." for n in names)

    def stale(entry: os.DirEntry[str]) -> bool:
        name = entry.name
        prefix = next((p for p in prefixes if name.startswith(p)), None)
        return prefix is not None and name.endswith(".part") and _stale(entry, name[len(prefix) :])

    return _remove_where(folder, stale) if prefixes else []


def _remove_where(folder: Path, stale: Callable[[os.DirEntry[str]], bool]) -> list[Path]:
    """Remove the entries of `folder` that `stale` picks; returns those removed (one gone already, or not
    ours to remove, is left)."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not stale(entry):
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _stale(entry: os.DirEntry[str], rest: str) -> bool:
    if not entry.is_file(follow_symlinks=False):
        return False
    pid = rest.split(".", 1)[0]
    return stale_pid(int(pid) if pid.isdigit() else 0, entry)


def stale_pid(pid: int, entry: os.DirEntry[str]) -> bool:
    """True when the temporary entry a writer `pid` left is surely stale: older than a day, or its writer is
    gone (POSIX; `pid` 0: unknown writer, the age rule only)."""
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    if time.time() - st.st_mtime > STALE_SECONDS:
        return True
    if os.name != "posix" or pid <= 0:
        return False  # no safe liveness probe (os.kill on Windows terminates): wait for the age rule
    return not _alive(pid)


_ANY_TEMP = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.part$")  # `.<name>.<pid>.<random>.part`


def sweep_folder(folder: Path) -> list[Path]:
    """Remove the stale temporary files of every target in `folder` (whatever it was: a killed run may have
    been writing a file no later run writes again); returns those removed. One scan: a batch writing many
    files into one folder (thousands of notices or feedback workbooks) sweeps it once, then writes each
    with `sweep=False` — a scan per file would grow with the square of the files."""

    def stale(entry: os.DirEntry[str]) -> bool:
        m = _ANY_TEMP.match(entry.name)
        return m is not None and entry.is_file(follow_symlinks=False) and stale_pid(int(m.group(1)), entry)

    return _remove_where(folder, stale)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # this process's own writes are never stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists (another user's process) or cannot tell: keep the file
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: Path, data: bytes, *, sweep: bool = True) -> Path:
    path = Path(path)
    with staged([path], sweep=sweep) as (tmp,):
        fill(tmp, data)
    return path


def write_all_atomic(
    files: Iterable[tuple[Path, bytes | Iterable[bytes]]], *, sweep: bool = True
) -> list[Path]:
    """Write several files, each bytes or an iterable of chunks: all are written to temporary files first,
    then each renamed over its target, so a failure while writing any of them replaces none. `sweep=False`:
    the folders were swept once for the whole batch (`sweep_folder`), not again for these files."""
    files = [(Path(p), data) for p, data in files]
    with staged([p for p, _ in files], sweep=sweep) as temps:
        for tmp, (_, data) in zip(temps, files, strict=True):
            fill(tmp, data)
    return [p for p, _ in files]


def write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes_atomic(path, text.encode(encoding))
