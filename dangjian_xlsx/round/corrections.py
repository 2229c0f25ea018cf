"""退回修改: per 党总支 a notice ready to paste into an e-mail, and a corrected copy of every form to fix.

For each roster 党总支 whose 附件1 or 附件2 must be corrected (rejected, or accepted with errors) the notice lists
every problem — form, file, sheet and cell, the item's id and first words, what is wrong, what is expected —
and the deadline. The corrected copy is a fresh personalized form from the generator (same identity, same
catalog digest, locked), pre-filled with every value the branch submitted; each problem cell is highlighted
and carries a comment saying what to fix. Its 更正版次 (metadata `revision`) makes it win over the copy it
corrects when both are collected. A returned blank form is said in one line, its copy a fresh form.
Every file received for a branch that could not be counted reaches its notice: a file held 身份存疑 (in the
notices of both branches it names), a rejected file attributed to it by name (with the reason and what to send
instead), a file whose form could not be told, a rejected file sent after its counted form. A branch that
still owes a form or its 自查报告 and has nothing to correct gets a reminder (未交提醒); one that only has
files to look at, a 核对通知. 组织部's inspectors get a notice (and a corrected copy) for each 督查评分表 with
errors (`inspection.inspector_notices`), never mixed into the branch's.

`plan(report)` and `build_pack(report)` are pure (no files read or written unless a `loader` is given to
recover the values of rejected files); `write_pack` writes the pack atomically and removes stale notices;
`pack_jobs` and `finish_pack` do the same in pieces, which `outputs.py` shares with a forked helper.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .. import aggregate as ag
from ..atomic import sweep_folder, write_all_atomic
from ..forms import build_form, form_filename
from ..models import Branch, Campaign, FileRecord, FormKind, Outcome, Report
from ..outnames import PACK_DIR
from ..ownfiles import MARKER_NAME, marker_text
from .copies import Loader, fix_part, inbox_loader, rejected_part, submitted_values
from .inspection import inspector_notices, is_inspection_file
from .mail import MAIL_DIR, Draft, address_of, draft_name, eml_bytes
from .notices import (
    CHECK_NOTICE,
    DOUBT,
    EXTRA,
    FIX,
    FIX_NOTICE,
    INSPECTOR_PREFIX,
    MISSING,
    REJECTED,
    REMINDER,
    UNSORTED,
    Notice,
    Part,
    copy_name,
    notice_text,
)

FORMS = (FormKind.SCORING, FormKind.TASKS)

_STALE = re.compile(
    rf"^({INSPECTOR_PREFIX})?\d+_.+_(({FIX_NOTICE}|{REMINDER}|{CHECK_NOTICE})\.txt|更正\d*\.xlsx)$"
)
_STALE_MAIL = re.compile(rf"^\d+_.+_({FIX_NOTICE}|{REMINDER}|{CHECK_NOTICE})\.eml$")

__all__ = [
    "FIX",
    "MISSING",
    "PACK_DIR",
    "REJECTED",
    "PackCounts",
    "build_pack",
    "copy_name",
    "count_pack",
    "finish_pack",
    "inbox_loader",
    "notice_files",
    "pack_jobs",
    "plan",
    "submitted_values",
    "write_pack",
]


# ---------------------------------------------------------------- the plan


def plan(
    report: Report, loader: Loader | None = None, branches: list[ag.BranchFiles] | None = None
) -> list[Notice]:
    """Per roster 党总支 (roster order) that must correct, still send, or look at something: its notice, with
    text; then the inspectors' notices, one per 督查评分表 to correct."""
    campaign = report.campaign
    bfs = ag.branch_files(report) if branches is None else branches
    out = []
    for bf in bfs:
        parts = branch_parts(campaign, bf, loader)
        if parts or not bf.reports:
            notice = Notice(bf.branch, parts, report_missing=not bf.reports)
            notice.text = notice_text(notice, campaign, report.generated_at)
            out.append(notice)
    return out + inspector_notices(report, loader, bfs)


def branch_parts(campaign: Campaign, bf: ag.BranchFiles, loader: Loader | None) -> list[Part]:
    """The parts of one branch's notice: files it sent whose form is unknown, then per form what it owes
    (fix / rejected / missing), the files held 身份存疑 that name it, rejected files sent after the counted one;
    the parts that ask for something before those that only ask it to look."""
    unsorted = [f for f in bf.unsorted if not is_inspection_file(f)]
    parts = [Part(None, UNSORTED, sorted(unsorted, key=lambda f: f.path))] if unsorted else []
    for kind in FORMS:
        slot = bf.forms[kind]
        base = form_part(campaign, kind, bf.branch, slot.current, slot.rejected, loader)
        doubts = [Part(kind, DOUBT, [f], current=slot.current) for f in bf.doubts if _kind(f) is kind]
        if base is not None and not (base.state == MISSING and doubts):  # the doubt says what to send
            parts.append(base)
        parts += doubts
        later = _sent_after(slot.current, slot.rejected)
        if later:
            parts.append(Part(kind, EXTRA, later, current=slot.current))
    return sorted(parts, key=lambda p: not p.owed)  # what the branch owes first, then what to look at


def _kind(f: FileRecord) -> FormKind | None:
    return f.kind or (f.submission.kind if f.submission is not None else None)


def _sent_after(current: FileRecord | None, rejected: Sequence[FileRecord]) -> list[FileRecord]:
    """Rejected files received no earlier than the counted one (by their time in the inbox): perhaps the
    correction the branch sent, which could not be used."""
    if current is None or (current.outcome is Outcome.NEEDS_FIX and current.submission is None):
        return []
    return sorted((f for f in rejected if f.mtime >= current.mtime), key=lambda f: f.path)


def form_part(
    campaign: Campaign,
    kind: FormKind,
    branch: Branch,
    current: FileRecord | None,
    rejected: Sequence[FileRecord],
    loader: Loader | None,
) -> Part | None:
    """What a branch owes for one form: a fix of the counted file, a new copy for rejected ones, the form
    itself when nothing came; None when the counted file needs nothing."""
    if current is not None:
        if current.outcome is not Outcome.NEEDS_FIX:
            return None
        if current.submission is not None:
            return fix_part(campaign, kind, branch, current, submitted_values(campaign, current))
        return rejected_part(campaign, kind, branch, [current], loader)  # counted, but nothing could be read
    if rejected:
        return rejected_part(campaign, kind, branch, rejected, loader)
    return Part(kind, MISSING)


# ---------------------------------------------------------------- the pack


def build_pack(
    report: Report, loader: Loader | None = None, branches: list[ag.BranchFiles] | None = None
) -> list[tuple[str, bytes]]:
    """Every file of the 退回修改 pack as (name, bytes): notices (UTF-8 with BOM, CRLF) and corrected copies."""
    campaign = report.campaign
    return [f for notice in plan(report, loader, branches) for f in notice_files(notice, campaign)]


def notice_files(notice: Notice, campaign: Campaign) -> list[tuple[str, bytes]]:
    """One notice's files as (name, bytes): the notice, its corrected copies, the e-mail draft of a notice
    to a branch with a usable 邮箱."""
    files = [(notice.filename, notice.text.replace("\n", "\r\n").encode("utf-8-sig"))]
    copies = []
    for part in notice.parts:
        c = part.copy
        if c is None:
            continue
        data = build_form(
            campaign, c.kind, notice.branch, prefill=c.prefill, comments=c.comments, revision=c.revision
        )
        copies.append((c.name, data))
    files += copies
    if not notice.inspector and address_of(notice.branch) is not None:
        attached = (*copies, *_forms_to_use(notice, campaign))
        draft = Draft(notice.branch, notice_subject(notice, campaign), notice.body, attached)
        files.append((f"{MAIL_DIR}/{draft_name(notice.filename)}", eml_bytes(draft)))
    return files


def _forms_to_use(notice: Notice, campaign: Campaign) -> list[tuple[str, bytes]]:
    """The branch's own forms its notice asks it to fill (a form it owes with no corrected copy: not sent, or
    only another's or an unusable file received), for its e-mail: the same bytes `generate` sent out."""
    kinds = dict.fromkeys(
        p.kind for p in notice.parts if p.kind in FORMS and p.copy is None and notice.owes(p)
    )
    return [
        (form_filename(kind, notice.branch, campaign.catalog), build_form(campaign, kind, notice.branch))
        for kind in kinds
        if kind is not None
    ]


def notice_subject(notice: Notice, campaign: Campaign) -> str:
    """The e-mail subject of a notice: what it is, the round, the branch."""
    return f"{notice.title}：{campaign.title}（{notice.branch.name}）"


def unaddressed(notices: list[Notice]) -> list[Branch]:
    """The branches with a notice but no usable 邮箱 in the roster: they get the .txt only, no draft."""
    return [n.branch for n in notices if not n.inspector and address_of(n.branch) is None]


def pack_dir(summary: Path) -> Path:
    """`退回修改/` beside the summary workbook."""
    return Path(summary).parent / PACK_DIR


def write_pack(
    report: Report,
    out_dir: Path,
    loader: Loader | None = None,
    branches: list[ag.BranchFiles] | None = None,
) -> list[Path]:
    """Write the pack into `out_dir` (atomically, file by file); notices and copies of an earlier run that no
    longer apply are removed (only files named like this module's own). Returns the paths written."""
    out_dir = Path(out_dir)
    files = build_pack(report, inbox_loader(report) if loader is None else loader, branches)
    written = write_all_atomic((out_dir / name, data) for name, data in files)
    finish_pack(out_dir, written)
    return written


def pack_jobs(
    report: Report,
    out_dir: Path,
    loader: Loader | None = None,
    branches: list[ag.BranchFiles] | None = None,
) -> list[Callable[[], list[Path]]]:
    """`write_pack` in pieces, for a caller that shares them between processes (`parallel.share`): the plan
    is made here; each job writes one notice's files into `out_dir` (each atomically) and returns their
    paths. `finish_pack` with every job's paths ends the pack."""
    notices = plan(report, inbox_loader(report) if loader is None else loader, branches)
    for folder in (Path(out_dir), Path(out_dir) / MAIL_DIR):  # once for every notice (see sweep_folder)
        sweep_folder(folder)
    return [partial(_write_notice, notice, report.campaign, Path(out_dir)) for notice in notices]


def _write_notice(notice: Notice, campaign: Campaign, out_dir: Path) -> list[Path]:
    files = notice_files(notice, campaign)
    return write_all_atomic(((out_dir / name, data) for name, data in files), sweep=False)


def finish_pack(out_dir: Path, written: list[Path]) -> None:
    """Once the pack's files (`written`) are in `out_dir`: the tool's marker file beside them, so that collect
    never reads the folder as returns; the notices and copies of an earlier run that no longer apply removed
    (only files named like this module's own)."""
    out_dir = Path(out_dir)
    if written:
        write_all_atomic([(out_dir / MARKER_NAME, marker_text().encode("utf-8"))])
    keep = {Path(p).relative_to(out_dir).as_posix() for p in written}
    for folder, stale, prefix in ((out_dir, _STALE, ""), (out_dir / MAIL_DIR, _STALE_MAIL, f"{MAIL_DIR}/")):
        if folder.is_dir():
            for p in folder.iterdir():
                if p.is_file() and prefix + p.name not in keep and stale.match(p.name):
                    p.unlink(missing_ok=True)


def read_notices(folder: Path) -> list[tuple[str, str]]:
    """The notices of a written pack, as (file name, text), in file-name order."""
    out = []
    for p in sorted(Path(folder).glob("*.txt")):
        if _STALE.match(p.name):
            out.append((p.name, p.read_text("utf-8-sig").replace("\r\n", "\n")))
    return out


@dataclass(frozen=True)
class PackCounts:
    """What a written pack holds, counted by file name: documents, not branches (a branch may get a notice
    for its 自查报告 alone; the inspectors' notices are about 督查评分表)."""

    fix_notices: int = 0  # 退回修改通知 to branches
    copies: int = 0  # their corrected copies
    reminders: int = 0  # 未交提醒
    checks: int = 0  # 核对通知
    inspector_notices: int = 0  # 督查评分表 correction notices, to 组织部's inspectors
    inspector_copies: int = 0
    drafts: int = 0  # e-mail drafts (邮件/*.eml) of the notices to branches


def count_pack(paths: list[Path]) -> PackCounts:
    """Count the files of a pack (e.g. what `write_pack` returned) by what each is."""
    n = dict.fromkeys(("fix", "copy", "remind", "check", "insp", "insp_copy", "eml"), 0)
    for p in paths:
        name = Path(p).name
        if _STALE_MAIL.match(name):
            n["eml"] += 1
        if not _STALE.match(name):
            continue
        inspector = name.startswith(INSPECTOR_PREFIX)
        if name.endswith(".xlsx"):
            n["insp_copy" if inspector else "copy"] += 1
        elif inspector:
            n["insp"] += 1
        else:
            n[
                {FIX_NOTICE: "fix", REMINDER: "remind", CHECK_NOTICE: "check"}[name.rsplit("_", 1)[-1][:-4]]
            ] += 1
    return PackCounts(n["fix"], n["copy"], n["remind"], n["check"], n["insp"], n["insp_copy"], n["eml"])


def pack_lines(paths: list[Path], folder: Path) -> list[str]:
    """For the console: what the pack holds, counted as documents (a branch owing only its 自查报告 gets a
    未交提醒 too, so no number here claims a count of branches), its e-mail drafts, and the branches whose
    notice has no draft (no 邮箱 in the roster)."""
    n = count_pack(paths)
    parts = []
    if n.fix_notices:
        parts.append(f"退回修改通知 {n.fix_notices} 份（{n.copies} 份更正表）")
    if n.reminders:
        parts.append(f"未交提醒 {n.reminders} 份")
    if n.checks:
        parts.append(f"核对通知 {n.checks} 份")
    if n.inspector_notices:
        parts.append(f"督查评分表更正通知 {n.inspector_notices} 份（{n.inspector_copies} 份更正表）")
    if not parts:
        return ["没有需要发出的退回修改通知或未交提醒"]
    lines = [f"退回修改：{'、'.join(parts)}；位于 {folder}（dangjian-xlsx remind 可打印通知）"]
    if n.drafts:
        lines.append(
            f"邮件草稿 {n.drafts} 封（收件人、主题、正文和附件已填好，打开核对后即可发送），位于 {Path(folder) / MAIL_DIR}"
        )
    drafted = {Path(p).stem for p in paths if _STALE_MAIL.match(Path(p).name)}
    bare = [
        Path(p).stem
        for p in paths
        if _STALE.match(Path(p).name)
        and Path(p).suffix == ".txt"
        and not Path(p).name.startswith(INSPECTOR_PREFIX)
    ]
    missing = [re.sub(r"^\d+_|_[^_]+$", "", stem) for stem in bare if stem not in drafted]
    if missing:
        lines.append(f"名单中没有可用邮箱、未写邮件草稿的：{'、'.join(missing)}（请复制通知手动发送）")
    return lines
