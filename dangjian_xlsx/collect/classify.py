"""One inbox entry → one FileRecord: read it (within the reader's limits), tell a form from a 自查报告 or
anything else, validate a form and settle its outcome. Never raises: an unexpected failure rejects the file.

The tool's own outputs are never read: a folder holding the output marker (ownfiles) is ignored unentered,
a workbook whose sheets are the summary's or a feedback workbook's is ignored. A form whose evidence of who
sent it disagrees is held as 身份存疑; a rejected file with no branch is attributed by the names it shows
(collect/evidence.py). A document plainly titled 自查报告 whose branch cannot be told is still a 自查报告;
a file named 自查报告 that cannot be opened as a document is rejected as the 自查报告 of the branch its name
or folders show ('report-unreadable'), never as a form nor as 'not a form'.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from pathlib import Path
from typing import Any

from .. import ownfiles, read
from ..layout import GUIDE_SHEET, META_HEAD_ROWS, META_KEYS, META_SHEET, SHEET_BY_KIND
from ..messages import Code, render
from ..models import DEFAULT_UNIT, Branch, Campaign, FileRecord, Outcome, Problem, RawWorkbook, Severity
from ..validate import Validation, explain_blanks, header_evidence, read_meta, squash, validate
from ..visible import visible
from . import containers, documents, evidence, mailfrom
from .inbox import display_name, ignore_reason, rel_path

SPREADSHEET_FORMATS = read.SPREADSHEET_FORMATS | {"encrypted"}
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".et", ".xltx", ".xlsb", ".ett"})
DOCUMENT_FORMATS = read.DOCUMENT_FORMATS
OUTPUT_FOLDER_REASON = "本工具的输出文件夹（退回修改、反馈表等），未读取"
OUTPUT_WORKBOOK_REASON = "本工具生成的汇总表或反馈表，未读取"


def unattributed_report_reason(unit: str = DEFAULT_UNIT) -> str:
    """The reason of a 自查报告 whose branch cannot be told (unit: 党总支, 党支部 …)."""
    return f"自查报告（无法判断所属{unit}，请改名为“{unit}名称+自查报告”）"


def _max_file_bytes() -> int:
    """The reader's size limit, checked on the file's size before its bytes are read."""
    return read.DEFAULT_LIMITS.max_file_bytes


def _record(rel: str, outcome: Outcome, reason: str, problems: list[Problem], **kw: Any) -> FileRecord:
    return FileRecord(path=rel, outcome=outcome, reason=reason, problems=problems, **kw)


def _ignored(rel: str, reason: str, **kw: Any) -> FileRecord:
    return _record(rel, Outcome.IGNORED, reason, [render(Code.IGNORED, file=rel, reason=reason)], **kw)


def _rejected(
    rel: str, code: Code, info: dict[str, Any] | None = None, unit: str = DEFAULT_UNIT, **fields: Any
) -> FileRecord:
    """A file rejected for one reason; `info` = what is known of the file (size, mtime, sha256)."""
    p = render(code, file=rel, unit=unit, **fields)
    return _record(rel, Outcome.REJECTED, code.reason_for(unit) or p.message, [p], **(info or {}))


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
    path: Path | containers.Entry,
    inbox: Path,
    campaign: Campaign,
    *,
    display: str | None = None,
    follow_links: bool = False,
) -> FileRecord:
    """Read, identify and validate one entry — a file, or a member of an archive or e-mail in the inbox
    (`containers.Entry`, re-opened here); never raises (an unexpected failure rejects the file).

    `display` is how the file is shown (default: its path inside the inbox); the evidence of who sent it
    is always read from its path inside the inbox (for a member: the container's name as a folder, and the
    e-mail's sender)."""
    member = path if isinstance(path, containers.Entry) else None
    where = member.where if member is not None else rel_path(_as_path(path), inbox)
    shown = member.shown if member is not None else where
    # as the summary, the notices and the terminal show it: control characters drawn (a name's ESC as ␛)
    rel = visible(display if display is not None else shown, newlines=False)
    seen = _Entry(where, member.sender if member is not None else "")
    unit = campaign.catalog.unit
    try:
        if member is not None:
            record = _process_member(member, campaign, rel, seen)
        else:
            record = _process(_as_path(path), _as_path(inbox), campaign, rel, follow_links, seen)
    except MemoryError:
        record = _rejected(rel, Code.FILE_CORRUPT, reason="内存不足，无法读取", unit=unit)
    except Exception as exc:  # the batch must go on; the file is reported, never dropped
        record = _rejected(rel, Code.FILE_CORRUPT, reason=f"读取时出错：{type(exc).__name__}", unit=unit)
    if not seen.directory:
        evidence.attribute(record, where, seen.seen, campaign, sender=seen.sender)
    return record


def _as_path(path: Path | str | containers.Entry) -> Path:
    """`path` as a Path, not parsed again when it is one already (a collect makes a record per file)."""
    return path if isinstance(path, Path) else Path(path)  # type: ignore[arg-type]


def _process_member(member: containers.Entry, campaign: Campaign, rel: str, entry: _Entry) -> FileRecord:
    """A member of a container: refused as listed, else its bytes re-taken and read like a file."""
    unit = campaign.catalog.unit
    reason = ignore_reason(member.name)
    if reason:
        return _ignored(rel, reason, mtime=member.mtime)
    try:
        if member.refusal is not None:
            raise containers.Refused(member.refusal[0], **member.refusal[1])
        data = containers.member_bytes(member)
    except containers.Refused as exc:
        return containers.refused_record(rel, exc, {"mtime": member.mtime}, unit)
    info = {"size": len(data), "mtime": member.mtime, "sha256": hashlib.sha256(data).hexdigest()}
    if data and containers.kind(member.name, data[:8]):  # a zip in a zip: its members follow it
        return containers.container_record(data, member.name, rel, info, unit)
    return _classify(data, member.name, rel, campaign, info, entry)


class _Entry:
    """One entry as classify goes through it: its path inside the inbox, whether it is a folder, and what
    its reading showed (for attributing it when it is rejected)."""

    def __init__(self, where: str, sender: str = "") -> None:
        self.where = where
        self.sender = sender  # the address of the e-mail it came in, if any
        self.directory = False
        self.seen = evidence.Seen()


def _process(
    path: Path, inbox: Path, campaign: Campaign, rel: str, follow_links: bool, entry: _Entry
) -> FileRecord:
    name = display_name(os.fsdecode(path.name))
    unit = campaign.catalog.unit
    try:
        st = os.lstat(path)
    except OSError as exc:
        return _rejected(rel, Code.FILE_UNREADABLE, reason=os_reason(exc), unit=unit)

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
        entry.directory = True
        if ownfiles.is_output_folder(path):
            return _ignored(rel, OUTPUT_FOLDER_REASON)
        if name.startswith("."):
            return _ignored(rel, "隐藏文件夹，未进入")
        return _rejected(rel, Code.FILE_UNREADABLE, reason="文件夹无法打开", unit=unit)
    reason = ignore_reason(name)
    if reason:
        return _ignored(rel, reason, size=st.st_size, mtime=st.st_mtime)
    if not stat.S_ISREG(st.st_mode):
        return _ignored(rel, "不是普通文件")

    limit = _max_file_bytes()
    if st.st_size > limit:
        info = {"size": st.st_size, "mtime": st.st_mtime}
        size, most = read.human_size(st.st_size), read.human_size(limit)
        return _rejected(rel, Code.FILE_TOO_LARGE, info, unit, size=size, limit=most)
    try:
        with open(target, "rb") as fh:
            st = os.fstat(fh.fileno())
            want = min(st.st_size, limit) + 1  # not read(limit + 1): that allocates the limit every time
            data = fh.read(want)
            if len(data) == want and want <= limit:  # it grew since fstat: read on, up to the limit
                data += fh.read(limit + 1 - want)
    except OSError as exc:
        return _rejected(rel, Code.FILE_UNREADABLE, reason=os_reason(exc), unit=unit)
    if len(data) > limit:  # the file grew after it was listed
        info = {"size": len(data), "mtime": st.st_mtime}
        size, most = read.human_size(len(data)), read.human_size(limit)
        return _rejected(rel, Code.FILE_TOO_LARGE, info, unit, size=size, limit=most)
    info = {"size": len(data), "mtime": st.st_mtime, "sha256": hashlib.sha256(data).hexdigest()}
    if data and containers.kind(name, data[:8]) and target == path:  # a link to an archive is not opened
        return containers.container_record(data, name, rel, info, unit)
    return _classify(data, name, rel, campaign, info, entry)


def _classify(
    data: bytes, name: str, rel: str, campaign: Campaign, meta: dict[str, Any], entry: _Entry
) -> FileRecord:
    sniffed = read.sniff_parsed(data)
    fmt = sniffed.format
    suffix = os.path.splitext(name)[1].lower()
    unit = campaign.catalog.unit
    unusable = _unusable_report(data, name, rel, fmt, campaign, meta, entry)
    if unusable is not None:
        return unusable
    if fmt == "empty":
        return _rejected(rel, Code.FILE_EMPTY, meta, unit)
    if fmt in SPREADSHEET_FORMATS or (suffix in SPREADSHEET_SUFFIXES and fmt not in DOCUMENT_FORMATS):
        return _spreadsheet(data, name, rel, campaign, meta, sniffed, entry)
    doc = documents.report_format(name, data, fmt)
    if doc is not None:
        report = _report(data, name, rel, doc, campaign, meta, entry)
        if report is not None:
            return report
    if suffix == ".toml" and _CAMPAIGN_TABLE.search(data[:_TOML_HEAD]):
        return _ignored(rel, "督查配置文件（campaign.toml），不是交回的材料，未作为文件读取", **meta)
    reason = "压缩包，请解压后放入收件文件夹" if fmt == "zip" else "不是督查表格或自查报告"
    return _record(rel, Outcome.NOT_A_FORM, reason, [render(Code.NOT_A_FORM, file=rel, unit=unit)], **meta)


# The campaign file the clerk may keep in (or beside) the inbox: recognised by its [campaign] table
_CAMPAIGN_TABLE = re.compile(rb"^\s*\[campaign\]\s*$", re.M)
_TOML_HEAD = 64 * 1024


def _unusable_report(
    data: bytes, name: str, rel: str, fmt: str, campaign: Campaign, meta: dict[str, Any], entry: _Entry
) -> FileRecord | None:
    """A file whose name plainly says 自查报告 (not a spreadsheet's name or content: that may be a form) but
    which cannot be opened as a document: rejected as the 自查报告 of the branch its name (else its folders)
    shows (`report-unreadable`: the branch's notice says it under 自查报告); None for any other file."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix in SPREADSHEET_SUFFIXES or fmt in read.SPREADSHEET_FORMATS:
        return None
    titled, branch = documents.named_report(name, campaign.roster)
    if not titled:
        return None
    why = documents.unreadable_reason(data, documents.report_format(name, data, fmt) or fmt)
    if why is None:
        return None
    attribution = evidence.EVIDENCE_FILE_NAME if branch is not None else ""
    if branch is None:
        branch = evidence.folder_branch(entry.where, campaign)
        attribution = evidence.EVIDENCE_FOLDER if branch is not None else ""
    if branch is None:
        branch = mailfrom.branch_by_sender(entry.sender, campaign.roster)
        attribution = evidence.EVIDENCE_SENDER if branch is not None else ""
    p = render(Code.REPORT_UNREADABLE, file=rel, value=why, unit=campaign.catalog.unit)
    reason = f"自查报告文件无法打开（{why}）"
    return _record(rel, Outcome.REJECTED, reason, [p], branch=branch, attribution=attribution, **meta)


def unreadable_report(f: FileRecord) -> Problem | None:
    """The 'report-unreadable' problem of a file rejected as a 自查报告 that could not be opened (its value:
    why), None for any other file: such a file is the branch's 自查报告 part, never a form of unknown kind."""
    return next((p for p in f.problems if p.code == Code.REPORT_UNREADABLE), None)


def _report(
    data: bytes, name: str, rel: str, fmt: str, campaign: Campaign, meta: dict[str, Any], entry: _Entry
) -> FileRecord | None:
    """A 自查报告: of the branch its name or first page names; plainly titled 自查报告 but of no one branch,
    of the branch its folders name, else of nobody (to be renamed) — never 'not a form'."""
    match = documents.match_report(name, data, fmt, campaign.roster)
    branch, attribution = match.branch, ""
    if branch is None and match.plainly_report:
        branch = evidence.folder_branch(entry.where, campaign)
        attribution = evidence.EVIDENCE_FOLDER if branch is not None else ""
    if branch is None and match.plainly_report:
        branch = mailfrom.branch_by_sender(entry.sender, campaign.roster)
        attribution = evidence.EVIDENCE_SENDER if branch is not None else ""
    if branch is not None:
        reason = f"{branch.name}的自查报告"
        return _record(rel, Outcome.REPORT, reason, [], branch=branch, attribution=attribution, **meta)
    if not match.plainly_report:
        return None
    unit = campaign.catalog.unit
    example = campaign.roster[0].name if campaign.roster else f"××学院{unit}"
    suffix = os.path.splitext(name)[1]
    p = render(Code.REPORT_UNATTRIBUTED, file=rel, example=example, suffix=suffix, unit=unit)
    return _record(rel, Outcome.REPORT, unattributed_report_reason(unit), [p], **meta)


def _spreadsheet(
    data: bytes,
    name: str,
    rel: str,
    campaign: Campaign,
    meta: dict[str, Any],
    sniffed: read.Sniffed,
    entry: _Entry,
) -> FileRecord:
    unit = campaign.catalog.unit
    try:
        raw = _read_form(data, name, sniffed)
    except read.ReadError as exc:
        return _rejected(rel, exc.code, meta, unit, **exc.fields)
    if raw.sheet(META_SHEET) is None and ownfiles.is_output_workbook({s.name for s in raw.sheets}):
        return _ignored(rel, OUTPUT_WORKBOOK_REASON, saved_at=raw.saved_at, **meta)
    v = validate(raw, campaign, rel)
    explain_blanks(data, raw.fmt, v.problems, campaign)  # blank = formula or #VALUE!?
    if [p.code for p in v.problems] == [Code.META_MISSING] and not looks_like_form(raw, campaign):
        return _record(
            rel,
            Outcome.NOT_A_FORM,
            "表格中没有督查表的内容",
            [render(Code.NOT_A_FORM, file=rel, unit=unit)],
            saved_at=raw.saved_at,
            **meta,
        )
    problems = [*_reader_problems(raw, rel, unit), *v.problems]
    ident = v.identity
    branch = campaign.branch_by_name.get(ident.branch_name) if ident is not None else None
    if v.blocking or v.submission is None:
        errors = [p for p in problems if p.severity is Severity.ERROR]
        first = next((p for p in errors if Code(p.code).rejects), errors[0] if errors else None)
        outcome = Outcome.REJECTED
        reason = (
            (Code(first.code).reason_for(unit) or first.message) if first is not None else "无法读取表格内容"
        )
    else:
        outcome, reason = counted_outcome(problems)
    record = FileRecord(
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
    _check_identity(record, v, entry.where, campaign)
    if record.outcome is Outcome.REJECTED and record.branch is None:
        entry.seen.look(raw, campaign)  # what it shows of its branch (process_file attributes it)
    return record


def _check_identity(record: FileRecord, v: Validation, where: str, campaign: Campaign) -> None:
    """Hold the form as 身份存疑 (in place) when its header, file name, folders or text name another
    branch than its identity: the header's doubt comes from validation, the rest from collect/evidence."""
    first: tuple[Branch, str] | None = None
    if v.claimant is not None:
        first = (v.claimant, header_evidence(campaign.catalog.unit))
    for p, other in evidence.doubt_problems(record, where, campaign):
        record.problems.append(p)
        first = first or (other, p.field)
    if first is not None:
        evidence.hold(record, *first)


def counted_outcome(problems: list[Problem]) -> tuple[Outcome, str]:
    """The outcome and short reason of a form whose values count: needs fixing (errors), has warnings, or
    accepted."""
    errors = sum(p.severity is Severity.ERROR for p in problems)
    if any(p.code == Code.FORM_BLANK for p in problems):
        return Outcome.NEEDS_FIX, Code.FORM_BLANK.reason_for()  # 空白表格
    if errors:
        return Outcome.NEEDS_FIX, f"{errors} 处需修改"
    if problems:
        return Outcome.WARNINGS, f"{len(problems)} 条警告"
    return Outcome.ACCEPTED, ""


_HEAD_ROWS, _HEAD_COLS = 6, 10


# What validation reads of a form: `_meta` only as far as its keys, 填表说明 not at all (only its place)
_FORM_HEADS = {META_SHEET: META_HEAD_ROWS, GUIDE_SHEET: 0}


def _read_form(data: bytes, name: str, sniffed: read.Sniffed) -> RawWorkbook:
    """The workbook as validation needs it: the metadata sheet read only as far as its keys (the input-cell
    table after them is what calamine would spend most of its time on, for nothing), the 填表说明 sheet's
    text not at all. Read again whole when the keys are not all there (no metadata, or laid out differently:
    validation and the not-a-form check then see everything, as before). Any other spreadsheet, with neither
    sheet, was read whole the first time and is not read again."""
    raw = read.read_workbook(data, name, sniffed=sniffed, head_rows=_FORM_HEADS)
    meta = raw.sheet(META_SHEET)
    if meta is not None and len(read_meta(meta)) == len(META_KEYS):
        return raw
    if meta is None and raw.sheet(GUIDE_SHEET) is None:
        return raw  # nothing was left out
    return read.read_workbook(data, name, sniffed=sniffed)


def looks_like_form(raw: RawWorkbook, campaign: Campaign) -> bool:
    """A workbook without metadata that still is an attempt at a form (a form sheet name, or a form title
    in its first rows) is rejected with a reason; any other spreadsheet is merely 'not a form'."""
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


def _reader_problems(raw: RawWorkbook, rel: str, unit: str) -> list[Problem]:
    """What the reader noted while reading (e.g. an over-long text it cut), as problems of this file."""
    return [render(Code(code), file=rel, unit=unit, **fields) for code, fields in raw.notes]
