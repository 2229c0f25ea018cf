"""A notice in the branch's own terms, and the header the clerk reads before pasting it.

- Items and tasks as the form shows them: 第一部分第2项 (the section's numeral as printed in 序号, the item's
  place in its section), 第5项任务 (the task's place in 附件2) — never the catalog's ids (S01.2, T05).
- A file by the name it was sent with, never the clerk's inbox folders (`收件/第二批/附件1.xlsx` is
  “附件1.xlsx”); two files of one notice with the same name are told apart by when they were saved.
- Only what the branch must act on: every error, and the warnings that ask something of it (the 填报日期
  left blank or unreadable); routine warnings (a corrected copy's 填报日期 after the self-check, a score
  read as a number …) stay in the summary's 校验问题 and are counted in the header, for the clerk.
- The header: the roster's 联系人 and 邮箱 (a blank one said as 名单中未填), then a blank line; the notice's
  body — what is pasted into an e-mail — starts at the addressee line (`body_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from ..messages import Code
from ..models import Branch, Campaign, FileRecord, Problem, Severity

# A member of an archive or an attachment of a saved e-mail, as collect names it: 压缩包名 › 成员名.
ARCHIVE_SEP = " › "
HEADER_MARK = "【发送前核对】"
NOT_GIVEN = "名单中未填"

# Warnings that ask the branch to do something to the form it sends back: the 填报日期 is required.
ASKS_ACTION = frozenset({Code.DATE_BLANK, Code.DATE_INVALID})


def file_name(path: str) -> str:
    """The name a file was sent with: its inbox path without the folders the clerk sorted it into (an
    archive's member keeps its place in the archive: `第二批/材料.zip › 附件1.xlsx` is `材料.zip › 附件1.xlsx`)."""
    head, sep, rest = path.partition(ARCHIVE_SEP)
    return head.rsplit("/", 1)[-1] + sep + rest


class FileNames:
    """How one notice names its files: by file name; where two of its files share a name, each with when it
    was saved (else which came first). Called: `附件1.xlsx`, `附件1.xlsx，先收到的一份`; `quoted`: the name in
    quotes, `“附件1.xlsx”（先收到的一份）`."""

    def __init__(self, records: Iterable[FileRecord]) -> None:
        by_name: dict[str, dict[str, FileRecord]] = {}
        for rec in records:
            by_name.setdefault(file_name(rec.path), {})[rec.path] = rec
        self._which: dict[str, str] = {}
        for recs in by_name.values():
            if len(recs) > 1:
                self._which.update(_which(list(recs.values())))

    def __call__(self, rec: FileRecord) -> str:
        which = self._which.get(rec.path)
        return file_name(rec.path) + (f"，{which}" if which else "")

    def quoted(self, rec: FileRecord) -> str:
        which = self._which.get(rec.path)
        return f"“{file_name(rec.path)}”" + (f"（{which}）" if which else "")


def _which(recs: list[FileRecord]) -> dict[str, str]:
    """Files of the same name told apart: by the time each was saved, else by the order they came in."""
    ordered = sorted(recs, key=lambda r: (r.mtime, r.path))
    saved = [r.saved_at for r in ordered]
    if None not in saved and len({f"{t:%Y-%m-%d %H:%M}" for t in saved if t}) == len(saved):
        return {r.path: f"保存于{r.saved_at:%Y-%m-%d %H:%M}" for r in ordered}
    if len(ordered) == 2:
        return {ordered[0].path: "先收到的一份", ordered[1].path: "后收到的一份"}
    return {r.path: f"同名文件中第{n}个收到的" for n, r in enumerate(ordered, 1)}


class Named(Protocol):
    """What a notice's part holds that the notice may name (`notices.Part`)."""

    files: list[FileRecord]
    current: FileRecord | None
    basis: FileRecord | None


def named_files(parts: Iterable[Named]) -> list[FileRecord]:
    """Every file a notice's parts may name: their files, the counted file and the copy's basis."""
    parts = list(parts)
    out: list[FileRecord] = [f for p in parts for f in p.files]
    return out + [r for p in parts for r in (p.current, p.basis) if r is not None]


def deadline_note(campaign: Campaign, as_of: dt.date, *, page: bool = False) -> str | None:
    """For the clerk, when the notices can only ask for 尽快: the round's 报送截止日期 has passed and no later
    correction deadline (`correction_due`) is set, or that has passed too. `page`: said for the page (the
    setting is 本轮设置's 更正截止日期 and the next step 重新汇总) instead of the command line."""
    if as_of <= campaign.due:
        return None
    example = (as_of + dt.timedelta(days=7)).isoformat()
    if campaign.correction_due is None:
        how = (
            f"请在“本轮设置”中填写更正截止日期（例如 {example}）后重新汇总"
            if page
            else f"请在 campaign.toml 中设置 correction_due（更正截止日期，例如 correction_due = {example}）后重新运行"
        )
        return f"报送截止日期 {campaign.due.isoformat()} 已过，通知中写的是“请尽快发送”；如要给出更正的期限，{how}"
    if as_of > campaign.correction_due:
        how = (
            "请在“本轮设置”中修改更正截止日期后重新汇总"
            if page
            else "请修改 campaign.toml 中的 correction_due 后重新运行"
        )
        return f"更正截止日期 {campaign.correction_due.isoformat()} 也已过，通知中写的是“请尽快发送”；如要给出新的期限，{how}"
    return None


def deadline(campaign: Campaign, as_of: dt.date, *, fixing: bool) -> tuple[dt.date, str]:
    """By when a notice asks, and what that date is: the round's 报送截止日期 — or, once it has passed, the
    correction deadline (`correction_due`) for what was received and is to be corrected (`fixing`)."""
    if as_of > campaign.due and fixing and campaign.correction_due is not None:
        return campaign.correction_due, "更正截止时间"
    return campaign.due, "报送截止时间"


def to_act_on(rec: FileRecord) -> tuple[list[Problem], list[Problem]]:
    """The file's problems the branch must act on: (its errors, the warnings that ask something of it)."""
    asks = [p for p in rec.warnings if p.code in ASKS_ACTION]
    return rec.errors, asks


def routine_count(records: Iterable[FileRecord]) -> int:
    """How many warnings of these files ask nothing of the branch (left out of the notice)."""
    return sum(1 for rec in records for p in rec.problems if _routine(p))


def _routine(p: Problem) -> bool:
    return p.severity is Severity.WARNING and p.code not in ASKS_ACTION


def header(branch: Branch, routine: int, unit: str) -> list[str]:
    """The lines the clerk reads before pasting: whom to send to, from the roster, and what was left out."""
    contact = " ".join(branch.contact.split()) or NOT_GIVEN  # on one line, whatever the roster's cell held
    mail = " ".join(branch.email.split()) or NOT_GIVEN
    lines = [f"{HEADER_MARK}联系人：{contact}　邮箱：{mail}（通知正文从下面的“{branch.name}：”开始）"]
    if routine:
        lines.append(
            f"{HEADER_MARK}另有 {routine} 条警告无需{unit}处理，未写入通知（见汇总表“校验问题”工作表）"
        )
    return [*lines, ""]


def body_of(text: str) -> str:
    """A notice's body — from the addressee line on, what is pasted into an e-mail — without its header."""
    if not text.startswith(HEADER_MARK):
        return text
    return text.split("\n\n", 1)[1] if "\n\n" in text else text
