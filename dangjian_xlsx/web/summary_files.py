"""The written summary of the round (汇总表.xlsx and its CSV/JSON exports, as collect writes them) and whether it
is older than the inbox: the files it was written from (its JSON lists each one with its SHA-256) compared with the
inbox's files now, and the configuration files' times compared with its own — so the page never shows the
numbers of one state beside the download of another without saying so."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..summary import export_paths
from .downloads import listed
from .folder import RoundFolder

EXPORT_LABELS = {
    "scores": "得分（CSV）",
    "tasks": "任务完成情况（CSV）",
    "problems": "校验问题（CSV）",
    "files": "文件清单（CSV）",
    "json": "全部数据（JSON）",
}


@dataclass(frozen=True)
class Download:
    name: str
    label: str
    size: int


@dataclass(frozen=True)
class Written:
    """The summary as written: its file (None before the first collect), the exports beside it, when it was
    written, and why it no longer matches the inbox (empty when it does)."""

    summary: Download | None
    exports: tuple[Download, ...] = ()
    written_at: dt.datetime | None = None
    stale: tuple[str, ...] = field(default_factory=tuple)

    @property
    def current(self) -> bool:
        return self.summary is not None and not self.stale


def download_names(folder: RoundFolder) -> list[str]:
    """The names the page hands out: 汇总表.xlsx and its exports (each only while it exists)."""
    return [folder.summary.name, *(p.name for p in export_paths(folder.summary).values())]


def written(folder: RoundFolder, report: Any) -> Written:
    """What is written in the round folder, checked against `report` (the inbox as it is now; None when it
    cannot be read: the files' times tell then). Every page that shows collect's outputs asks this one
    question, so they never disagree about whether the outputs are current."""
    summary = listed(folder.root, folder.summary.name)
    if summary is None:
        return Written(None)
    exports = []
    paths = export_paths(folder.summary)
    for key, path in paths.items():
        found = listed(folder.root, path.name)
        if found is not None:
            exports.append(Download(found.name, EXPORT_LABELS.get(key, found.name), found.stat().st_size))
    stat = summary.stat()
    reasons = inbox_changes(paths["json"], report)
    if reasons is None:  # no readable JSON beside it: the inbox's times tell instead
        reasons = newer_files(folder.inbox, stat.st_mtime, "收件文件夹中")
    reasons += config_changes(folder, stat.st_mtime)
    return Written(
        Download(summary.name, "汇总表（Excel）", stat.st_size),
        tuple(exports),
        dt.datetime.fromtimestamp(stat.st_mtime),
        tuple(reasons),
    )


def inbox_changes(json_path: Path, report: Any) -> list[str] | None:
    """What changed in the inbox since the summary whose JSON is `json_path` was written (None: no JSON, or
    no report of the inbox to compare with)."""
    then = written_files(json_path) if report is not None else None
    if then is None:
        return None
    now = {f.path: f.sha256 for f in report.files}
    added = sum(1 for p in now if p not in then)
    gone = sum(1 for p in then if p not in now)
    changed = sum(1 for p, digest in now.items() if p in then and then[p] != digest)
    parts = [f"新增 {added} 个文件"] * bool(added)
    parts += [f"移走 {gone} 个文件"] * bool(gone)
    parts += [f"改动 {changed} 个文件"] * bool(changed)
    return [f"汇总之后，收件文件夹{'、'.join(parts)}"] if parts else []


def newer_files(folder: Path, since: float, where: str) -> list[str]:
    """Files under `folder` put there or changed after `since`."""
    n = 0
    for path in folder.rglob("*"):
        try:
            st = path.stat()
        except OSError:
            continue
        if path.is_file() and changed_at(st) > since:
            n += 1
    return [f"汇总之后，{where}有 {n} 个文件是新放入或改动过的"] if n else []


def changed_at(st: os.stat_result) -> float:
    """When a file was last put in place or changed: a copy keeps its modification time but not its change
    time (POSIX) or creation time (Windows), so the latest of them counts."""
    return max(st.st_mtime, st.st_ctime, getattr(st, "st_birthtime", 0.0))


def config_changes(folder: RoundFolder, since: float) -> list[str]:
    """The configuration files (campaign.toml, the roster, 表格内容.xlsx) changed after `since`."""
    names = []
    for path in folder.inputs():
        try:
            if path.is_file() and changed_at(path.stat()) > since:
                names.append(path.name)
        except OSError:
            continue
    return [f"汇总之后，{'、'.join(names)} 改过"] if names else []


@dataclass(frozen=True)
class Feedback:
    """The 反馈表 folder as written: its workbooks, and whether it is older than the summary (a command-line
    collect without --feedback leaves the folder as it was)."""

    files: tuple[Download, ...] = ()
    older: bool = False


def feedback_of(folder: RoundFolder) -> Feedback:
    """The feedback workbooks in 反馈表/ (only .xlsx files directly in it, by name)."""
    try:
        names = sorted(os.listdir(folder.feedback_dir))
    except OSError:
        return Feedback()
    found = [listed(folder.feedback_dir, n) for n in names if n.lower().endswith(".xlsx")]
    paths = [p for p in found if p is not None]
    files = tuple(Download(p.name, "反馈表", p.stat().st_size) for p in paths)
    try:
        older = bool(paths) and max(p.stat().st_mtime for p in paths) < folder.summary.stat().st_mtime - 60
    except OSError:
        older = False
    return Feedback(files, older)


_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


def written_files(json_path: Path) -> dict[str, str] | None:
    """{path: SHA-256} of the files the summary was written from, from its JSON export (None when it cannot be
    read). Read once per version of the file."""
    try:
        st = json_path.stat()
    except OSError:
        return None
    key = (str(json_path), st.st_size, st.st_mtime_ns)
    with _cache_lock:
        if _cache.get("key") == key:
            return _cache["files"]
    try:
        with json_path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        files = {str(f["path"]): str(f.get("sha256", "")) for f in data["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    with _cache_lock:
        _cache.update(key=key, files=files)
    return files
