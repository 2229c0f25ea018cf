"""The collect pipeline: discover the inbox, read + validate every file (worker processes), resolve duplicates.

Every entry of the inbox ends up in exactly one FileRecord; the batch never stops because one file is bad.
Inputs are only ever opened for reading. The Report depends only on the inbox's contents (paths, bytes,
modification times), never on the clock, so the same inbox gives the same Report.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import parallel
from ..layout import GUIDE_SHEET, META_HEAD_ROWS, META_KEYS, META_SHEET, SHEET_BY_KIND
from ..messages import render
from ..models import Campaign, FileRecord, Outcome, Problem, RawWorkbook, Report, Severity
from ..read import workbook as read
from ..round import inspection
from ..validate import formulas
from ..validate.identity import read_meta
from ..validate.workbook import BLOCKING_CODES, squash, validate
from . import documents
from .resolve import resolve

Progress = Callable[[int, int], None]

SPREADSHEET_FORMATS = read.SPREADSHEET_FORMATS | {"encrypted"}
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".et", ".xltx", ".xlsb", ".ett"})
DOCUMENT_FORMATS = read.DOCUMENT_FORMATS
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})
PARALLEL_THRESHOLD = 40  # jobs=0: below this many files, worker start-up costs more than it saves (measured)

# Short reasons (FileRecord.reason) for rejected files, by the first blocking problem's code.
_REJECT_REASONS = {
    "meta-missing": "不是下发的表格",
    "kind-unknown": "表格类型无法识别",
    "digest-mismatch": "模板版本不符",
    "branch-unknown": "党总支不在名单中",
    "branch-blank": "未填写党总支名称",
    "branch-mismatch": "党总支名称不一致",
    "sheet-missing": "缺少工作表",
    "tampered": "锁定内容被修改",
    "tampered-many": "锁定内容被修改",
    "rows-shifted": "表格行列被改动",
    "file-empty": "空文件",
    "file-unreadable": "无法打开",
    "file-not-spreadsheet": "不是表格文件",
    "file-html-as-xls": "网页格式，不是表格",
    "file-corrupt": "文件损坏",
    "file-encrypted": "文件已加密",
    "file-too-large": "文件过大",
    "zip-bomb": "解压后过大",
    "xml-hostile": "含不安全内容",
    "too-many-sheets": "工作表过多",
    "sheet-too-large": "工作表过大",
}


def _max_file_bytes() -> int:
    """The reader's size limit, checked on the file's size before its bytes are read."""
    return read.DEFAULT_LIMITS.max_file_bytes


# ---------------------------------------------------------------- names


def display_name(name: str) -> str:
    """A file name as the user should see it. Names that are not UTF-8 on disk (os.fsdecode keeps their
    bytes as surrogates) are shown decoded as GBK when that works (Windows zip archives), else with U+FFFD."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("gbk")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def rel_path(path: Path, inbox: Path) -> str:
    """The path relative to the inbox, POSIX separators, printable."""
    rel = os.path.relpath(os.fsdecode(path), os.fsdecode(inbox))
    return "/".join(display_name(p) for p in rel.split(os.sep))


# ---------------------------------------------------------------- discover


def discover(inbox: Path) -> list[Path]:
    """Every entry under the inbox that collect must account for, sorted by relative path.

    Files (including symlinks to anything) are listed; directories are walked without following symlinks.
    Hidden directories and symlinked directories are listed as one entry each and not entered (they are
    reported as ignored); directories that cannot be listed are listed too (reported as unreadable).
    """
    inbox = Path(inbox)
    found: list[Path] = []

    def onerror(exc: OSError) -> None:
        if exc.filename is not None:
            found.append(Path(os.fsdecode(exc.filename)))

    for root, dirs, files in os.walk(inbox, onerror=onerror, followlinks=False):
        keep = []
        for d in dirs:
            full = os.path.join(root, d)
            if d.startswith(".") or os.path.islink(full):
                found.append(Path(full))
            else:
                keep.append(d)
        dirs[:] = sorted(keep)
        found.extend(Path(root, f) for f in files)
    seen: set[str] = set()
    out: list[Path] = []
    for p in sorted(found, key=lambda p: rel_path(p, inbox).split("/")):
        key = os.fsdecode(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _ignore_reason(name: str) -> str:
    """Why a file name is skipped without reading it, or ''."""
    if name.startswith("~$"):
        return "Office 临时锁定文件（~$ 开头）"
    if name.startswith(".~lock."):
        return "LibreOffice 临时锁定文件"
    if name.startswith("."):
        return "隐藏文件"
    if name.lower() in SYSTEM_FILES:
        return "系统文件"
    return ""


# ---------------------------------------------------------------- one file


def _record(rel: str, outcome: Outcome, reason: str, problems: list[Problem], **kw: Any) -> FileRecord:
    return FileRecord(path=rel, outcome=outcome, reason=reason, problems=problems, **kw)


def _ignored(rel: str, reason: str, **kw: Any) -> FileRecord:
    return _record(rel, Outcome.IGNORED, reason, [render("ignored", file=rel, reason=reason)], **kw)


def _rejected(rel: str, code: str, info: dict[str, Any] | None = None, **fields: Any) -> FileRecord:
    """A file rejected for one reason; `info` = what is known of the file (size, mtime, sha256)."""
    p = render(code, file=rel, **fields)
    return _record(rel, Outcome.REJECTED, _REJECT_REASONS.get(code, p.message), [p], **(info or {}))


_OS_REASONS = {
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.ENOENT: "文件已不存在，可能在读取前被移走",
    errno.EIO: "磁盘读取出错",
    errno.ELOOP: "链接形成循环",
    errno.ENAMETOOLONG: "文件名过长",
}


def os_reason(exc: OSError) -> str:
    """A short Chinese reason for an OS error (the OS's own text, often English, otherwise)."""
    return _OS_REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def process_file(
    path: Path, inbox: Path, campaign: Campaign, *, display: str | None = None, follow_links: bool = False
) -> FileRecord:
    """Read, identify and validate one entry; never raises (an unexpected failure rejects the file)."""
    rel = display if display is not None else rel_path(path, inbox)
    try:
        return _process(Path(path), Path(inbox), campaign, rel, follow_links)
    except MemoryError:
        return _rejected(rel, "file-corrupt", reason="内存不足，无法读取")
    except Exception as exc:  # the batch must go on; the file is reported, never dropped
        return _rejected(rel, "file-corrupt", reason=f"读取时出错：{type(exc).__name__}")


def _process(path: Path, inbox: Path, campaign: Campaign, rel: str, follow_links: bool) -> FileRecord:
    name = display_name(os.fsdecode(path.name))
    try:
        st = os.lstat(path)
    except OSError as exc:
        return _rejected(rel, "file-unreadable", reason=os_reason(exc))

    target = path
    if stat.S_ISLNK(st.st_mode):
        real = os.path.realpath(path)
        if not follow_links and not _inside(real, os.path.realpath(inbox)):
            return _ignored(rel, "链接指向收件文件夹以外，未读取")
        try:
            st = os.stat(real)
        except OSError as exc:
            return _ignored(rel, "链接形成循环" if exc.errno == errno.ELOOP else "链接的目标不存在")
        if stat.S_ISDIR(st.st_mode):
            return _ignored(rel, "指向文件夹的链接，未进入")
        target = Path(real)
    if stat.S_ISDIR(st.st_mode):
        if name.startswith("."):
            return _ignored(rel, "隐藏文件夹，未进入")
        return _rejected(rel, "file-unreadable", reason="文件夹无法打开")
    reason = _ignore_reason(name)
    if reason:
        return _ignored(rel, reason, size=st.st_size, mtime=st.st_mtime)
    if not stat.S_ISREG(st.st_mode):
        return _ignored(rel, "不是普通文件")

    limit = _max_file_bytes()
    if st.st_size > limit:
        info = {"size": st.st_size, "mtime": st.st_mtime}
        return _rejected(
            rel, "file-too-large", info, size=read.human_size(st.st_size), limit=read.human_size(limit)
        )
    try:
        with open(target, "rb") as fh:
            st = os.fstat(fh.fileno())
            want = min(st.st_size, limit) + 1  # not read(limit + 1): that allocates the limit every time
            data = fh.read(want)
            if len(data) == want and want <= limit:  # it grew since fstat: read on, up to the limit
                data += fh.read(limit + 1 - want)
    except OSError as exc:
        return _rejected(rel, "file-unreadable", reason=os_reason(exc))
    if len(data) > limit:  # the file grew after it was listed
        info = {"size": len(data), "mtime": st.st_mtime}
        return _rejected(
            rel, "file-too-large", info, size=read.human_size(len(data)), limit=read.human_size(limit)
        )
    info = {"size": len(data), "mtime": st.st_mtime, "sha256": hashlib.sha256(data).hexdigest()}
    return _classify(data, name, rel, campaign, info)


def _classify(data: bytes, name: str, rel: str, campaign: Campaign, meta: dict[str, Any]) -> FileRecord:
    fmt = read.sniff(data)
    suffix = os.path.splitext(name)[1].lower()
    if fmt == "empty":
        return _rejected(rel, "file-empty", meta)
    if fmt in SPREADSHEET_FORMATS or (suffix in SPREADSHEET_SUFFIXES and fmt not in DOCUMENT_FORMATS):
        return _spreadsheet(data, name, rel, campaign, meta, fmt)
    if fmt in DOCUMENT_FORMATS:
        branch = documents.identify_report(name, data, fmt, campaign.roster)
        if branch is not None:
            return _record(rel, Outcome.REPORT, f"{branch.name}的自查报告", [], branch=branch, **meta)
    reason = "压缩包，请解压后放入收件文件夹" if fmt == "zip" else "不是督查表格或自查报告"
    return _record(rel, Outcome.NOT_A_FORM, reason, [render("not-a-form", file=rel)], **meta)


def _spreadsheet(
    data: bytes, name: str, rel: str, campaign: Campaign, meta: dict[str, Any], fmt: str | None = None
) -> FileRecord:
    try:
        raw = _read_form(data, name, fmt)
    except read.ReadError as exc:
        return _rejected(rel, exc.code, meta, **exc.fields)
    v = validate(raw, campaign, rel)
    formulas.explain_blanks(data, raw.fmt, v.problems, campaign)  # blank = formula or #VALUE!?
    if [p.code for p in v.problems] == ["meta-missing"] and not looks_like_form(raw, campaign):
        reason = "本工具生成的汇总表" if _is_summary(raw) else "表格中没有督查表的内容"
        return _record(
            rel, Outcome.NOT_A_FORM, reason, [render("not-a-form", file=rel)], saved_at=raw.saved_at, **meta
        )
    problems = [*_reader_problems(raw, rel), *v.problems]
    ident = v.identity
    branch = campaign.branch_by_name.get(ident.branch_name) if ident is not None else None
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if v.blocking or v.submission is None:
        first = next((p for p in errors if p.code in BLOCKING_CODES), errors[0] if errors else None)
        outcome = Outcome.REJECTED
        reason = _REJECT_REASONS.get(first.code, first.message) if first is not None else "无法读取表格内容"
    elif errors:
        outcome, reason = Outcome.NEEDS_FIX, f"{len(errors)} 处需修改"
    elif problems:
        outcome, reason = Outcome.WARNINGS, f"{len(problems)} 条警告"
    else:
        outcome, reason = Outcome.ACCEPTED, ""
    return FileRecord(
        path=rel,
        outcome=outcome,
        reason=reason,
        kind=ident.kind if ident is not None else None,
        branch=branch,
        submission=v.submission if outcome is not Outcome.REJECTED else None,
        saved_at=raw.saved_at,
        problems=problems,
        **meta,
    )


_SUMMARY_SHEETS = frozenset({"总览", "文件清单", "校验问题"})
_HEAD_ROWS, _HEAD_COLS = 6, 10


# What validation reads of a form: `_meta` only as far as its keys, 填表说明 not at all (only its place)
_FORM_HEADS = {META_SHEET: META_HEAD_ROWS, GUIDE_SHEET: 0}


def _read_form(data: bytes, name: str, fmt: str | None) -> RawWorkbook:
    """The workbook as validation needs it: the metadata sheet read only as far as its keys (the input-cell
    table after them is what calamine would spend most of its time on, for nothing), the 填表说明 sheet's
    text not at all. Read again whole when the keys are not all there (no metadata, or laid out differently:
    validation and the not-a-form check then see everything, as before). Any other spreadsheet, with neither
    sheet, was read whole the first time and is not read again."""
    raw = read.read_workbook(data, name, fmt=fmt, head_rows=_FORM_HEADS)
    meta = raw.sheet(META_SHEET)
    if meta is not None and len(read_meta(meta)) == len(META_KEYS):
        return raw
    if meta is None and raw.sheet(GUIDE_SHEET) is None:
        return raw  # nothing was left out
    return read.read_workbook(data, name, fmt=fmt)


def _is_summary(raw: RawWorkbook) -> bool:
    return {s.name for s in raw.sheets} >= _SUMMARY_SHEETS


def looks_like_form(raw: RawWorkbook, campaign: Campaign) -> bool:
    """A workbook without metadata that still is an attempt at a form (a form sheet name, or a form title
    in its first rows) is rejected with a reason; any other spreadsheet is merely 'not a form'."""
    if _is_summary(raw):
        return False
    if any(s.name in SHEET_BY_KIND.values() for s in raw.sheets):
        return True
    cat = campaign.catalog
    titles = [squash(t) for t in (cat.form1.title, cat.form2.title)]
    for sheet in raw.sheets:
        for row in sheet.rows[:_HEAD_ROWS]:
            for v in row[:_HEAD_COLS]:
                if isinstance(v, str) and len(v) >= 8:
                    sq = squash(v)
                    if any(t in sq for t in titles):
                        return True
    return False


def _reader_problems(raw: RawWorkbook, rel: str) -> list[Problem]:
    """What the reader noted while reading (e.g. an over-long text it cut), as problems of this file."""
    return [render(code, file=rel, **fields) for code, fields in raw.notes]


# ---------------------------------------------------------------- the batch


def _process_all(
    paths: Sequence[Path], inbox: Path, campaign: Campaign, jobs: int, progress: Progress | None
) -> list[FileRecord]:
    total = len(paths)
    if jobs == 0:
        jobs = parallel.cpus() if total > PARALLEL_THRESHOLD else 1
    jobs = max(1, min(jobs, total))
    if progress:
        progress(0, total)
    if not paths:
        return []
    # The first file is read here: that warms up what every helper needs (lazy imports of the reader,
    # validation's per-campaign context), which forked helpers then inherit instead of each redoing it.
    # With one process, `share` reads the rest here too, in order.
    first = process_file(paths[0], inbox, campaign)
    if progress:
        progress(1, total)
    rest = parallel.share(
        lambda k: process_file(paths[k + 1], inbox, campaign),
        total - 1,
        processes=jobs,
        done=(lambda n: progress(n + 1, total)) if progress else None,
    )
    return [first, *rest]


def _generated_at(records: list[FileRecord], campaign: Campaign) -> dt.datetime:
    """Deterministic: the newest input's modification time (the due date when there is none). Ignored
    entries do not count: Office lock files come and go while a form is open."""
    times = [r.mtime for r in records if r.mtime and r.outcome is not Outcome.IGNORED]
    if not times:
        return dt.datetime.combine(campaign.due, dt.time())
    return dt.datetime.fromtimestamp(max(times)).replace(microsecond=0)


def run_collect(inbox: Path, campaign: Campaign, jobs: int = 0, progress: Progress | None = None) -> Report:
    """Collect a folder: every file read, identified, validated; duplicates resolved."""
    inbox = Path(inbox)
    paths = discover(inbox)
    records = resolve(_process_all(paths, inbox, campaign, jobs, progress))
    records = inspection.cross_check(records, campaign)
    return Report(
        inbox=str(inbox), campaign=campaign, files=records, generated_at=_generated_at(records, campaign)
    )


def check_files(paths: Sequence[Path], campaign: Campaign) -> list[FileRecord]:
    """The `check` command: each named file on its own, shown by the path as given; links are followed."""
    out = []
    for p in paths:
        p = Path(p)
        out.append(
            process_file(p, p.parent, campaign, display=display_name(os.fsdecode(p)), follow_links=True)
        )
    return out
