"""Who sent a file: the evidence beside a form's identity, and the branch of a file that has none.

身份存疑 (SPEC §4a rule 1). A form says whose it is (its metadata; a blank form, the name typed in its
header). Other evidence can name someone else:

- the file name and the names of the folders it sits in inside the inbox: a roster name there, by full
  name or by a name people use for it (catalog/names.py: without parentheticals, without 党总支/党委, the
  roster's 简称; longest first, so 教育学院 inside 继续教育学院 is not 教育学院); numbers are never read
  (a leading "10_" is the sender's numbering);
- the header cell of a personalised form, when it names another roster branch (validation reports that
  as 'identity-doubt' with the other branch as `Validation.claimant`);
- the free text of a 附件1 (扣分说明) or 附件2 (完成情况, 存在问题及整改措施), conservatively: branches
  mention each other for joint activities, visits and examples, and such a mention must not hold a
  form. The text counts as evidence only when (a) it never names the form's own branch, by any name;
  (b) it names exactly one other branch by its full roster name, and no further branch; (c) that name
  is written as the actor in at least MIN_TEXT_CELLS different cells, i.e. not right after or before a
  word that makes it a partner or a place (与、和、同、联合、会同、邀请、参观、赴、向 …, or followed by
  与、和、联合、共同 …). 督查评分表 texts are the inspectors' and are not read as evidence.

When any evidence names another roster branch than the identity, the file is held: outcome 身份存疑,
`claimant` the other branch (the first evidence: header, file name, folders, text), one 'identity-doubt'
problem per evidence, first among the file's problems; its values count for nobody (`submission` None).

Attribution (SPEC §4a rule 9). A file rejected before its branch was known (encrypted, corrupt, not the
issued workbook, …) is attributed to a branch when exactly one roster branch is named by the visible
党总支名称 cell of a form sheet (when the workbook could be read), the file name and the folder names
taken together — in that order for `FileRecord.attribution`; two different branches named: nobody. A file
whose metadata names a branch off the roster or another school says whose it is: it is not attributed
(某某大学文学院党总支 is not the roster's 文学院党总支). Its form kind is told by the sheet names or the title
row, else the file name (附件1/评分表, 附件2/任务清单, 督查).

A file that came in a saved e-mail (collect/containers.py) also has its sender's address. When it matches
exactly one roster branch's 邮箱 (collect/mailfrom.py), it attributes a rejected file — and gives a plainly
titled 自查报告 its branch — that nothing else names; it agrees with the other evidence and never overrides it.
A sender of another branch than the form's identity is not by itself 身份存疑: a clerk may forward mail.
An archive's or e-mail's name (its subject) is read as a folder name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..catalog import RosterNames, normalize, roster_names, strip_suffix
from ..layout import BRANCH_CELL, BRANCH_LABEL, META_SHEET, ROW_TITLE, SHEET_BY_KIND, Field, title
from ..messages import Code, render
from ..models import Branch, Campaign, FileRecord, FormKind, Outcome, Problem, RawWorkbook, Submission
from ..validate import header_evidence, read_meta, squash
from .mailfrom import branch_by_sender

EVIDENCE_FILE_NAME = "文件名"
EVIDENCE_FOLDER = "文件夹名"
EVIDENCE_SENDER = "发件人邮箱"
EVIDENCE_RENAMED = "表格上的序号（名单中该序号的名称已改）"
EVIDENCE_NOTES = "扣分说明中的单位名称"
EVIDENCE_TASK_TEXT = "任务清单填写内容中的单位名称"
MIN_TEXT_CELLS = 2  # text evidence: the other branch named as the actor in at least this many cells

_SUFFIX = re.compile(r"\.[^./]*$")
_PARTNER_BEFORE = re.compile(
    r"(?:与|和|同|跟|及|暨|、|联合|会同|协同|携手|邀请|配合|参观|走访|赴|到|向|对|为|帮扶|结对|共建|学习|参加)$"
)
_PARTNER_AFTER = re.compile(r"^(?:与|和|同|及|、|联合|共同|一起|一道|等)")


_MATCHERS: list[tuple[tuple[Branch, ...], RosterNames]] = []


def _names(roster: tuple[Branch, ...]) -> RosterNames:
    """`catalog.roster_names(roster)`, found by the roster's identity first: that cache is keyed by the
    roster's value, which hashes every branch on each look-up — O(roster) work for every file collected."""
    for known, names in _MATCHERS:
        if known is roster:
            return names
    names = roster_names(roster)
    _MATCHERS[:] = [(roster, names), *_MATCHERS[:3]]
    return names


def path_parts(rel: str) -> tuple[str, list[str]]:
    """A path inside the inbox → (file stem, folder names from the innermost out)."""
    parts = rel.replace("\\", "/").split("/")
    return _SUFFIX.sub("", parts[-1]), list(reversed(parts[:-1]))


def name_evidence(rel: str, names: RosterNames) -> list[tuple[str, Branch]]:
    """(evidence, branch) for each roster branch named in the file name, then in the folder names."""
    stem, folders = path_parts(rel)
    out = [(EVIDENCE_FILE_NAME, b) for b in names.named(stem)]
    out += [(EVIDENCE_FOLDER, b) for folder in folders for b in names.named(folder)]
    return out


def _texts(sub: Submission) -> list[str]:
    if sub.kind is FormKind.SCORING:
        return [s.note for s in sub.scores if s.note]
    if sub.kind is FormKind.TASKS:
        return [t for a in sub.answers for t in (a.done, a.issues) if t]
    return []


def text_claimant(sub: Submission, own: Branch, names: RosterNames) -> Branch | None:
    """The other branch the form's free text names as its author (rules in the module docstring)."""
    texts = _texts(sub)
    if not texts or not names.mentions("\n".join(texts)):  # most forms name no branch at all: one scan
        return None
    counted: dict[str, int] = {}
    others: dict[str, Branch] = {}
    for text in texts:
        if own in names.named(text):
            return None  # the form's own branch is named: the text is its own
        flat = normalize(text)
        actors = set()
        for m in names.mentions(text, full_only=True):
            if m.branch == own:
                return None
            others[m.branch.name] = m.branch
            if not _PARTNER_BEFORE.search(flat[: m.start]) and not _PARTNER_AFTER.search(flat[m.end :]):
                actors.add(m.branch.name)
        for name in actors:
            counted[name] = counted.get(name, 0) + 1
    if len(others) != 1:
        return None
    ((name, branch),) = others.items()
    return branch if counted.get(name, 0) >= MIN_TEXT_CELLS else None


def doubt_problems(record: FileRecord, rel: str, campaign: Campaign) -> list[tuple[Problem, Branch]]:
    """'identity-doubt' problems for each evidence (file name, folders, text) naming another branch than
    the form's identity, with the branch each names."""
    own = record.branch
    if own is None:
        return []
    names = _names(campaign.roster)
    found = [(ev, b) for ev, b in name_evidence(rel, names) if b != own]
    sub = record.submission
    if sub is not None:
        other = text_claimant(sub, own, names)
        if other is not None:
            found.append((EVIDENCE_NOTES if sub.kind is FormKind.SCORING else EVIDENCE_TASK_TEXT, other))
    out: list[tuple[Problem, Branch]] = []
    seen: set[tuple[str, str]] = set()
    for ev, b in found:
        if (ev, b.name) not in seen:
            seen.add((ev, b.name))
            out.append((doubt_problem(record.path, own, b, ev, unit=campaign.catalog.unit), b))
    return out


def doubt_problem(path: str, own: Branch, other: Branch, evidence: str, **where: str) -> Problem:
    """An 'identity-doubt' problem: the form is `own`'s, the `evidence` names `other` (`where` may give the
    sheet, cell, field and the unit the message names)."""
    return render(
        Code.IDENTITY_DOUBT,
        file=path,
        field=where.pop("field", evidence),
        value=other.name,
        expected=own.name,
        evidence=evidence,
        **where,
    )


def hold(record: FileRecord, claimant: Branch, evidence: str) -> None:
    """Hold a form as 身份存疑 (in place): counted for nobody, its doubt problems first."""
    doubts = [p for p in record.problems if p.code == Code.IDENTITY_DOUBT]
    rest = [p for p in record.problems if p.code != Code.IDENTITY_DOUBT]
    record.problems = [*doubts, *rest]
    record.outcome = Outcome.IDENTITY_DOUBT
    record.claimant = claimant
    record.submission = None
    own = record.branch.name if record.branch is not None else "（未知）"
    record.reason = f"身份存疑：表格属于{own}，{evidence}却是{claimant.name}"


# ---------------------------------------------------------------- attribution of rejected files


@dataclass
class Seen:
    """What the reading of a file showed before it was rejected: the visible header cells and the sheet
    names and title rows of its form-like sheets (filled by classify, used for attribution)."""

    headers: list[str] = field(default_factory=list)
    kinds: list[FormKind] = field(default_factory=list)
    foreign: bool = False  # its metadata names a branch off the roster, or another school: not ours
    # foreign only by name: this school's form of the roster's branch of the same 序号, under a name like the
    # one the roster now gives it (the roster renamed the branch after the forms were sent)
    renamed: Branch | None = None

    def look(self, raw: RawWorkbook, campaign: Campaign) -> None:
        meta_sheet = raw.sheet(META_SHEET)
        if meta_sheet is not None:
            meta = read_meta(meta_sheet)
            school, owner = meta.get("school", ""), meta.get("branch_name", "")
            self.foreign = bool(school and school != campaign.school)
            if owner and owner not in campaign.branch_by_name and not self.foreign:
                self.foreign = True
                self.renamed = _renamed(owner, meta.get("branch_id", ""), campaign)
        titles = sorted(((squash(title(campaign.catalog, k)), k) for k in FormKind), key=lambda t: -len(t[0]))
        named = Field.BRANCH.label_for(campaign.catalog.unit)  # 党总支名称, 党支部名称 …
        for sheet in raw.sheets:
            kind = sheet_kind(sheet.name)
            label = sheet.get(*BRANCH_LABEL)
            if kind is None and not (isinstance(label, str) and label.strip().startswith(named)):
                continue
            if kind is None:
                head = sheet.get(ROW_TITLE, 0)
                sq = squash(head) if isinstance(head, str) else ""
                kind = next((k for t, k in titles if sq and t in sq), None)
            if kind is not None:
                self.kinds.append(kind)
            header = sheet.get(*BRANCH_CELL)
            if isinstance(header, str) and header.strip():
                self.headers.append(header)


def sheet_kind(name: str) -> FormKind | None:
    """The form a sheet is named like: 督查评分表, 重点任务清单 / 任务清单, 评分表 (longest first)."""
    flat = "".join(name.split())
    if SHEET_BY_KIND[FormKind.INSPECTION] in flat:
        return FormKind.INSPECTION
    if "任务清单" in flat:
        return FormKind.TASKS
    if SHEET_BY_KIND[FormKind.SCORING] in flat:
        return FormKind.SCORING
    return None


def file_kind(stem: str, attachments: tuple[str, str] = ("附件1", "附件2")) -> FormKind | None:
    """The form a file name says: 督查 → 督查评分表, 附件2/任务清单 → 附件2, 附件1/评分表 → 附件1 (the
    attachment labels are the catalog's: `attachments`)."""
    flat = "".join(stem.split())
    if "督查" in flat:
        return FormKind.INSPECTION
    first, second = ("".join(a.split()) for a in attachments)
    has2 = (bool(second) and second in flat) or "任务清单" in flat
    has1 = (bool(first) and first in flat) or "评分表" in flat
    if has2 != has1:
        return FormKind.TASKS if has2 else FormKind.SCORING
    return None


def attribute(record: FileRecord, rel: str, seen: Seen, campaign: Campaign, sender: str = "") -> None:
    """Attribute a rejected file without a branch (in place), when exactly one branch is named; the
    address of the e-mail it came in (`sender`) attributes it when nothing else names a branch."""
    if record.outcome is not Outcome.REJECTED or record.branch is not None or not campaign.roster:
        return
    stem, folders = path_parts(rel)
    if seen.renamed is not None:
        _attribute_to(record, seen.renamed, EVIDENCE_RENAMED, seen, stem, campaign)
        return
    if seen.foreign:  # it says whose it is, and that is not one of ours
        return
    names = _names(campaign.roster)
    sources = [
        (header_evidence(campaign.catalog.unit), [b for h in seen.headers for b in names.named(h)]),
        (EVIDENCE_FILE_NAME, names.named(stem)),
        (EVIDENCE_FOLDER, [b for f in folders for b in names.named(f)]),
    ]
    if not any(bs for _, bs in sources):
        by_mail = branch_by_sender(sender, campaign.roster)
        sources.append((EVIDENCE_SENDER, [by_mail] if by_mail is not None else []))
    branches = _distinct(b for _, bs in sources for b in bs)
    if len(branches) != 1:
        return
    _attribute_to(record, branches[0], next(ev for ev, bs in sources if bs), seen, stem, campaign)


def _attribute_to(
    record: FileRecord, branch: Branch, how: str, seen: Seen, stem: str, campaign: Campaign
) -> None:
    """The rejected file is `branch`'s (told by `how`); its form from its sheets, else from its name."""
    record.branch, record.attribution = branch, how
    if record.kind is None:
        kinds = set(seen.kinds)
        cat = campaign.catalog
        attachments = (cat.form1.attachment, cat.form2.attachment)
        record.kind = kinds.pop() if len(kinds) == 1 else file_kind(stem, attachments)


def folder_branch(rel: str, campaign: Campaign) -> Branch | None:
    """The one roster branch the folders of a path inside the inbox name, or None."""
    names = _names(campaign.roster)
    named = _distinct(b for f in path_parts(rel)[1] for b in names.named(f))
    return named[0] if len(named) == 1 else None


def _distinct(branches: Iterable[Branch]) -> list[Branch]:
    out: list[Branch] = []
    for b in branches:
        if b not in out:
            out.append(b)
    return out


def _renamed(owner: str, branch_id: str, campaign: Campaign) -> Branch | None:
    """The roster's branch of the form's 序号 (`branch_id`, e.g. 02), when its name is like the form's own name
    (`owner`, no longer on the roster: one holds the other, or they start alike once the 党总支 suffix is gone,
    外国语学院 → 外国语言文化学院) — the roster renamed it; None otherwise."""
    branch = next((b for b in campaign.roster if branch_id and b.id == branch_id), None)
    if branch is None:
        return None
    was, now = strip_suffix(normalize(owner)), strip_suffix(normalize(branch.name))
    alike = bool(was and now) and (was in now or now in was or was[:2] == now[:2])
    return branch if alike else None
