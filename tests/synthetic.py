"""Synthetic collect results (Report objects built straight from the models) for aggregate/summary tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from dangjian_xlsx.layout import STATUSES
from dangjian_xlsx.models import (
    Branch,
    Campaign,
    FileRecord,
    FormKind,
    ItemScore,
    Outcome,
    Problem,
    Report,
    Severity,
    Submission,
    TaskAnswer,
)

GENERATED_AT = dt.datetime(2018, 10, 8, 9, 30)


def expected_total(campaign: Campaign, entered: dict[str, float | None]) -> float:
    """Independent total: full marks except what was entered; blank or out-of-range counts nothing."""
    total = 0.0
    for item in campaign.catalog.items:
        v = entered.get(item.id, item.points)
        if v is not None and 0 <= v <= item.points:
            total += v
    return total


def campaign_with(campaign: Campaign, n: int) -> Campaign:
    """The campaign with a roster of n branches."""
    roster = tuple(Branch(seq=i, name=f"第{i:03d}党总支") for i in range(1, n + 1))
    return campaign.model_copy(update={"roster": roster})


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def form1(
    campaign: Campaign,
    branch: Branch,
    scores: dict[str, float | None] | None = None,
    notes: dict[str, str] | None = None,
    *,
    outcome: Outcome = Outcome.ACCEPTED,
    path: str | None = None,
    fill_date: dt.date | None = dt.date(2018, 9, 28),
    problems: list[Problem] | None = None,
) -> FileRecord:
    """A 附件1 record: full marks unless `scores` says otherwise."""
    scores = scores or {}
    notes = notes or {}
    items = tuple(
        ItemScore(item_id=i.id, score=scores.get(i.id, i.points), note=notes.get(i.id, ""))
        for i in campaign.catalog.items
    )
    path = path or f"{branch.id}_{branch.name}_附件1_评分表.xlsx"
    sub = Submission(kind=FormKind.SCORING, branch=branch, fill_date=fill_date, scores=items)
    return _record(sub, path, 50_000, outcome, problems)


def form2(
    campaign: Campaign,
    branch: Branch,
    statuses: dict[str, str | None] | None = None,
    *,
    outcome: Outcome = Outcome.ACCEPTED,
    path: str | None = None,
    problems: list[Problem] | None = None,
) -> FileRecord:
    statuses = statuses or {}
    answers = tuple(
        TaskAnswer(
            task_id=t.id,
            status=statuses.get(t.id, "已完成"),
            done=f"{t.id} 已落实",
            issues="" if statuses.get(t.id, "已完成") == "已完成" else "继续推进",
        )
        for t in campaign.catalog.tasks
    )
    path = path or f"{branch.id}_{branch.name}_附件2_重点任务清单.xlsx"
    sub = Submission(kind=FormKind.TASKS, branch=branch, fill_date=dt.date(2018, 9, 28), answers=answers)
    return _record(sub, path, 40_000, outcome, problems)


def _record(
    sub: Submission, path: str, size: int, outcome: Outcome, problems: list[Problem] | None
) -> FileRecord:
    """The file record of a counted form."""
    return FileRecord(
        path=path,
        size=size,
        sha256=sha(path),
        outcome=outcome,
        kind=sub.kind,
        branch=sub.branch,
        submission=sub,
        problems=problems or [],
    )


def problem(path: str, code: str = "score-blank", severity: Severity = Severity.ERROR, **kw: str) -> Problem:
    return Problem(file=path, code=code, severity=severity, message=kw.pop("message", "示例问题"), **kw)


def other(path: str, outcome: Outcome, branch: Branch | None = None, **kw: object) -> FileRecord:
    return FileRecord(path=path, size=100, sha256=sha(path), outcome=outcome, branch=branch, **kw)


def report(campaign: Campaign, files: list[FileRecord]) -> Report:
    return Report(inbox="/inbox", campaign=campaign, files=files, generated_at=GENERATED_AT)


def large_report(campaign: Campaign, n: int = 500, seed: int = 7) -> Report:
    """n branches, two forms each (1,000 files), random deductions and task statuses, a few problems."""
    rng = random.Random(seed)
    camp = campaign_with(campaign, n)
    items = camp.catalog.items
    files: list[FileRecord] = []
    for b in camp.roster:
        lost = rng.sample(items, rng.randint(0, 8))
        scores = {i.id: float(rng.randint(0, i.points - 1)) for i in lost}
        notes = {i.id: f"{b.name}：{i.id} 缺少佐证材料，会议记录不全" for i in lost}
        statuses = {t.id: rng.choice(STATUSES) for t in camp.catalog.tasks}
        probs = []
        outcome = Outcome.ACCEPTED
        if rng.random() < 0.1:
            p1 = f"{b.id}_附件1.xlsx"
            blank = rng.choice(items).id
            scores[blank] = None
            probs = [problem(p1, sheet="评分表", cell="E7", field="score", value="")]
            outcome = Outcome.NEEDS_FIX
        files.append(form1(camp, b, scores, notes, outcome=outcome, problems=probs))
        files.append(form2(camp, b, statuses))
    return report(camp, files)


# Text that a spreadsheet would evaluate if it were written as a formula.
INJECTIONS = ('=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-2+3")

# The scores each scenario branch entered (full marks elsewhere); None = blank, 5 on a 2-point item = invalid.
SCENARIO_SCORES: dict[int, dict[str, float | None]] = {
    1: {"S01.1": 1, "S02.1": 0},  # 97
    2: {"S03.1": 1, "S07.2": 2.5},  # 97.5 (ties with 3)
    3: {"S04.1": 1.5, "S08.1": 0},  # 97.5
    4: {"S05.1": None, "S05.2": 5, "S06.1": 1},  # needs fix: 2 items missing
}


def scenario(campaign: Campaign) -> Report:
    """The default 20-branch roster with every situation the summary must show.

    1: both forms accepted + 自查报告; notes are injection strings.
    2: accepted, 附件2 with warnings; ties with 3.
    3: accepted; an older 附件1 superseded, and a rejected later copy (accepted one still counts).
    4: 附件1 accepted with value errors (需修改); no 附件2.
    5: 附件1 rejected (no usable values); 附件2 accepted.
    6..20: nothing. Plus an ignored lock file, a non-form file, a rejected file of an unknown branch.
    """
    b = {x.seq: x for x in campaign.roster}
    s = SCENARIO_SCORES
    files = [
        form1(
            campaign,
            b[1],
            s[1],
            {"S01.1": INJECTIONS[0], "S02.1": INJECTIONS[1]},
            path="第一批/01_附件1.xlsx",
        ),
        form2(campaign, b[1], {"T02": "持续推进", "T03": "不适用"}, path="第一批/01_附件2.xlsx"),
        other("第一批/01_自查报告.docx", Outcome.REPORT, b[1]),
        form1(campaign, b[2], s[2], {"S03.1": INJECTIONS[2], "S07.2": "会议记录缺两次"}),
        form2(
            campaign,
            b[2],
            {"T01": "未完成", "T05": None},
            outcome=Outcome.WARNINGS,
            problems=[
                problem(
                    "02_附件2.xlsx", "date-outside-window", Severity.WARNING, cell="D3", value="2018-10-09"
                )
            ],
        ),
        form1(
            campaign, b[3], s[3], {"S04.1": INJECTIONS[3], "S08.1": "未开展"}, fill_date=dt.date(2018, 9, 29)
        ),
        form1(
            campaign,
            b[3],
            {},
            outcome=Outcome.SUPERSEDED,
            path="旧/03_附件1.xlsx",
            fill_date=dt.date(2018, 9, 27),
        ),
        other(
            "03_附件1(1).xlsx",
            Outcome.REJECTED,
            b[3],
            kind=FormKind.SCORING,
            reason="模板版本不符",
            problems=[problem("03_附件1(1).xlsx", "digest-mismatch", value="abc")],
        ),
        form2(campaign, b[3]),
        form1(
            campaign,
            b[4],
            s[4],
            {"S06.1": "材料不全"},
            outcome=Outcome.NEEDS_FIX,
            problems=[
                problem("04_附件1.xlsx", "score-blank", sheet="评分表", cell="E19", field="score"),
                problem(
                    "04_附件1.xlsx",
                    "score-out-of-range",
                    sheet="评分表",
                    cell="E20",
                    field="score",
                    value="5",
                ),
            ],
        ),
        other(
            "05_附件1.xlsx",
            Outcome.REJECTED,
            b[5],
            kind=FormKind.SCORING,
            reason="表格被修改",
            problems=[problem("05_附件1.xlsx", "tampered", sheet="评分表", cell="C5", value="=1+1")],
        ),
        form2(campaign, b[5], {t.id: "不适用" for t in campaign.catalog.tasks}),
        other("~$01_附件1.xlsx", Outcome.IGNORED, reason="Office 临时文件"),
        other("说明.txt", Outcome.NOT_A_FORM, reason="不是表格"),
        other(
            "未知_附件1.xlsx",
            Outcome.REJECTED,
            kind=FormKind.SCORING,
            reason="党总支不在名单中",
            problems=[problem("未知_附件1.xlsx", "branch-unknown", value="某某党总支")],
        ),
    ]
    return report(campaign, files)
