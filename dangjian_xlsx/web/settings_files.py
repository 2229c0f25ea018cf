"""本轮设置's files: a roster or a 表格内容.xlsx the clerk uploads is read first, where the command line would
read it (a hidden folder inside the round folder, under the uploaded name, so every message names the clerk's
file), and only made current when it has no problems: stored byte for byte under the name campaign.toml gives
(or campaign.toml pointed to it), the one it replaces kept as `roster.上次.csv` (`keep.previous_file`)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..atomic import write_bytes_atomic
from ..catalog import FORMS_FILE, FormsCheck, check_forms, load_campaign_noted
from ..errors import ConfigError
from ..keep import previous_file
from .folder import RoundFolder
from .settings_campaign import (
    SETTINGS_LOCK,
    STAGING_PREFIX,
    candidate_text,
    check_text,
    current_values,
    file_keys,
    save_files,
    sweep_leftovers,
)
from .store import safe_name

ROSTER_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv", ".txt")
FORMS_SUFFIXES = (".xlsx",)


@dataclass(frozen=True)
class Replaced:
    """A file made current: its name in the round folder, and the previous one's kept copy (if any)."""

    name: str
    kept: str | None
    notes: tuple[str, ...] = ()


def _suffix(upload: str, allowed: tuple[str, ...], what: str) -> str:
    suffix = PurePosixPath(safe_name(upload)).suffix.lower()
    if suffix not in allowed:
        raise ConfigError(
            f"“{upload}”不是可以使用的{what}文件：请上传 {'、'.join(allowed)} 格式的文件"
            "（在 Excel 中“另存为”可以选择格式）"
        )
    return suffix


@contextmanager
def _staged(folder: RoundFolder, upload: str, data: bytes) -> Iterator[Path]:
    """The upload as a file of its own name in a hidden folder of the round folder, removed afterwards."""
    sweep_leftovers(folder)
    where = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder.root))
    path = where / safe_name(upload)
    try:
        path.write_bytes(data)
        yield path
    except ConfigError as exc:
        raise ConfigError(str(exc).replace(str(path), upload).replace(str(where), "")) from exc
    finally:
        shutil.rmtree(where, ignore_errors=True)


def _keep(path: Path) -> str | None:
    """A copy of the current `path` as its `上次` name (replacing an older one); None when there is none."""
    if not path.is_file():
        return None
    kept = previous_file(path)
    write_bytes_atomic(kept, path.read_bytes())
    return kept.name


def _replace(folder: RoundFolder, key: str, default: str, suffix: str, data: bytes, loaded: Any) -> Replaced:
    """Put `data` where campaign.toml's `key` points (with `suffix`), keeping the current file; when the
    name changes, campaign.toml is pointed to the new file and the old one renamed to its kept name."""
    files = file_keys(folder)
    current = files.get(key)
    old = folder.root / current if current else None
    name = current if current and PurePosixPath(current).suffix.lower() == suffix else None
    if name is None:
        base = PurePosixPath(current or default)
        name = str(base.with_suffix(suffix))
    target = folder.root / name
    if name == current:
        kept = _keep(target)
        write_bytes_atomic(target, data)
        return Replaced(name, kept)
    kept_other = _keep(target)  # a file of that name that was not current is kept, not lost
    write_bytes_atomic(target, data)
    new_files = {k: v for k, v in files.items() if not (key == "forms" and k == "catalog")}
    try:
        save_files(folder, loaded, {**new_files, key: name})
    except ConfigError:
        target.unlink(missing_ok=True)
        raise
    kept = None
    if old is not None and old.is_file():
        os.replace(old, previous_file(old))
        kept = previous_file(old).name
    return Replaced(name, kept or kept_other)


def replace_roster(folder: RoundFolder, upload: str, data: bytes) -> Replaced:
    """A roster upload: read by the command line's loader with the round's campaign (ConfigError: which
    row, what, how to fix; nothing changed), then made current."""
    suffix = _suffix(upload, ROSTER_SUFFIXES, "名单")
    with SETTINGS_LOCK, _staged(folder, upload, data) as staged:
        values = current_values(folder)[0]  # the round's settings, even while its current roster is missing
        relative = staged.relative_to(folder.root).as_posix()
        campaign, notes = check_text(
            folder, candidate_text(values, {**file_keys(folder), "roster": relative})
        )
        done = _replace(folder, "roster", "roster.csv", suffix, data, campaign)
        return Replaced(done.name, done.kept, notes)


@dataclass(frozen=True)
class FormsUpload:
    check: FormsCheck
    replaced: Replaced | None  # None: not made current (it has problems)


def replace_forms(folder: RoundFolder, upload: str, data: bytes) -> FormsUpload:
    """A 表格内容.xlsx upload: checked as `forms check` does; made current only without problems."""
    suffix = _suffix(upload, FORMS_SUFFIXES, "表格内容")
    with SETTINGS_LOCK, _staged(folder, upload, data) as staged:
        check = check_forms(staged)
        if check.problems or check.catalog is None:
            return FormsUpload(check, None)
        campaign, _ = load_campaign_noted(folder.campaign_file)
        return FormsUpload(check, _replace(folder, "forms", FORMS_FILE, suffix, data, campaign))


def current_forms(folder: RoundFolder) -> Path | None:
    """The 表格内容 workbook campaign.toml names, when it is a file directly in the round folder."""
    name = file_keys(folder).get("forms")
    if not name:
        return None
    path = folder.root / name
    return path if path.is_file() else None


def current_roster(folder: RoundFolder) -> Path | None:
    name = file_keys(folder).get("roster")
    if not name:
        return None
    path = folder.root / name
    return path if path.is_file() else None
