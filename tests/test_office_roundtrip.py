"""Proven against real office software: forms filled in LibreOffice Calc the way a person does, then collected.

One LibreOffice run (tests/office/uno_driver.py under Debian's python3-uno) opens the generated forms of
three 党总支 (and a blank form for a fourth), types different values into them, tries what a person might
try (typing into locked cells or against the in-sheet validation, pasting, unprotecting the sheet with the
password), and saves each as .xlsx, .xls and .ods. The collector must then read back exactly what was
typed, with no problem caused by the office program itself, and catch what the sheet protection and
validation could not stop.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import require_office
from office import FORMATS, Document, DriverResult, Edit, run_driver

from dangjian_xlsx.collect import pipeline as collect
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import (
    C_DONE,
    C_ISSUES,
    C_NOTE,
    C_POINTS,
    C_SCORE,
    C_STATUS,
    C_TASK,
    C_TEXT,
    META_SHEET,
    STATUSES,
    Field,
    a1,
    form_layout,
)
from dangjian_xlsx.models import Campaign, FileRecord, FormKind, Outcome, Severity
from dangjian_xlsx.read import workbook as read

pytestmark = pytest.mark.office

BRANCH_INDEXES = (0, 7, 13)  # three 党总支 of the default roster, each filled differently
BLANK_BRANCH_INDEX = 17  # and one that fills in the blank form
TEXTS_BRANCH_INDEX = 3
# Explanations a person may type that Calc (like Excel) turns into a number or a date in a General cell.
LOOKS_LIKE_DATA = ("100%", "1/2", "3-1", "9月1日", "2018", "TRUE", "0.5")
# What each person types as the fill date: three spellings Calc (zh-CN) turns into a date value.
TYPED_DATES = (
    ("2018-09-27", dt.date(2018, 9, 27)),
    ("2018/9/28", dt.date(2018, 9, 28)),
    ("2018年9月30日", dt.date(2018, 9, 30)),
)
SCORING, TASKS = FormKind.SCORING, FormKind.TASKS


@dataclass
class Filled:
    """One form as a person fills it: the driver document and what the collector must read back."""

    doc: Document
    kind: FormKind
    branch_name: str
    fill_date: dt.date
    # item id -> (score, note); task id -> (status, done, issues)
    scores: dict[str, tuple[float, str]] = field(default_factory=dict)
    answers: dict[str, tuple[str, str, str]] = field(default_factory=dict)


@dataclass
class Run:
    campaign: Campaign
    good: list[Filled]
    locked: dict[FormKind, tuple[Document, list[str]]]  # doc -> cells a person tried to type into
    tamper: dict[FormKind, tuple[Document, set[str]]]  # doc -> cells changed after unprotecting
    # doc, {typed cell: refusal reason}, {pasted cell: problem code}
    invalid: dict[FormKind, tuple[Document, dict[str, str], dict[str, str]]]
    texts: list[Filled]  # free-text cells typed with text that Calc would read as a number or date
    result: DriverResult = field(default_factory=lambda: DriverResult({}))

    @property
    def documents(self) -> list[Document]:
        docs = [f.doc for f in self.good] + [d for d, _ in self.tamper.values()]
        return docs + [d for d, _, _ in self.invalid.values()] + [f.doc for f in self.texts]


# ---------------------------------------------------------------- what the people type


def _num(x: float) -> str:
    """A number as a person types it: 2, 1.5."""
    return str(int(x)) if float(x).is_integer() else str(x)


def _fill_scoring(campaign: Campaign, k: int, doc: Document, branch_name: str) -> Filled:
    lay = form_layout(campaign.catalog, SCORING)
    typed, date = TYPED_DATES[k % len(TYPED_DATES)]
    filled = Filled(doc, SCORING, branch_name, date)
    doc.edits.append(Edit(lay.sheet, lay.input(Field.DATE).a1, typed))
    short = branch_name.removesuffix("党总支")
    for i, item in enumerate(campaign.catalog.items):
        p = item.points
        pattern = (i + k) % 6
        note = ""
        if pattern == 1:
            score = p - 0.5
            note = f"{short}：{item.id} 佐证材料不完整，扣0.5分"
        elif pattern == 2:
            score = 0.0
            note = f"{short}：{item.id} 本年度未开展\n整改：{k + 10}月底前补开"
        elif pattern == 3 and p >= 2:
            score = 1.5
            note = f"{short}：记录不规范（{item.id}）"
        elif pattern == 4:
            score = float(p)
            note = f"佐证：会议记录第{i + 1}页；《{short}工作台账》"
        elif pattern == 5 and p >= 1:
            score = float(p - 1)
            note = f"{item.id} 扣1分：{short}制度未上墙" if p > 1 else f"{item.id} 未落实"
        else:
            score = float(p)
        row = lay.item_rows[item.id]
        doc.edits.append(Edit(lay.sheet, a1(row, C_SCORE), _num(score)))
        if note:
            doc.edits.append(Edit(lay.sheet, a1(row, C_NOTE), note))
        filled.scores[item.id] = (score, note)
    return filled


def _fill_tasks(campaign: Campaign, k: int, doc: Document, branch_name: str) -> Filled:
    lay = form_layout(campaign.catalog, TASKS)
    typed, date = TYPED_DATES[k % len(TYPED_DATES)]
    filled = Filled(doc, TASKS, branch_name, date)
    doc.edits.append(Edit(lay.sheet, lay.input(Field.DATE).a1, typed))
    short = branch_name.removesuffix("党总支")
    for i, task in enumerate(campaign.catalog.tasks):
        status = STATUSES[(i + k) % len(STATUSES)]
        done = f"{short}：{task.id} 召开专题会议{(i + k) % 3 + 1}次，形成会议纪要和工作台账"
        if status == "不适用" and k == 1:
            done = ""  # nothing done is required for a task that does not apply
        if status == "已完成":
            issues = "" if i % 2 == 0 else "无"
        else:
            issues = f"问题：{task.id} 推进较慢。\n整改措施：{k + 10}月底前完成，责任人：{short}书记"
        row = lay.item_rows[task.id]
        doc.edits.append(Edit(lay.sheet, a1(row, C_STATUS), status))
        for col, value in ((C_DONE, done), (C_ISSUES, issues)):
            if value:
                doc.edits.append(Edit(lay.sheet, a1(row, col), value))
        filled.answers[task.id] = (status, done, issues)
    return filled


FILLERS = {SCORING: _fill_scoring, TASKS: _fill_tasks}


def _points_items(campaign: Campaign, points: int) -> list[str]:
    return [it.id for it in campaign.catalog.items if it.points == points]


# ---------------------------------------------------------------- the one LibreOffice run


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, campaign: Campaign) -> Run:
    require_office(uno=True)
    # Under pytest-xdist this module's tests may land on both workers: the first runs LibreOffice, the other
    # waits for it and reuses its files (the pattern pytest-xdist documents for fixtures run only once).
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    base = root / "office_roundtrip"
    with open(root / "office_roundtrip.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        plan = _plan(base, campaign)
        done = base / "driver" / "uno_result.json"
        previous = json.loads(done.read_text("utf-8")) if done.is_file() else {}
        if previous.get("ok"):
            plan.result = DriverResult(previous)
        else:
            plan.result = run_driver(plan.documents, base / "driver")
    return plan


def _plan(base: Path, campaign: Campaign) -> Run:
    """The generated forms (written under `base`) and everything the people will do to them."""
    forms, good_out, bad_out = base / "forms", base / "saved", base / "bad"
    forms.mkdir(parents=True, exist_ok=True)

    def form(kind: FormKind, branch_index: int, tag: str = "") -> Path:
        branch = campaign.roster[branch_index]
        data = build_form(campaign, kind, branch)
        path = forms / (tag + form_filename(kind, branch))
        path.write_bytes(data)
        return path

    s_lay, t_lay = form_layout(campaign.catalog, SCORING), form_layout(campaign.catalog, TASKS)
    good: list[Filled] = []
    for k, bi in enumerate(BRANCH_INDEXES):
        name = campaign.roster[bi].name
        for kind in (SCORING, TASKS):
            src = form(kind, bi)
            good.append(FILLERS[kind](campaign, k, Document(src, good_out, src.stem), name))
    # A 党总支 that took the blank form from blank_forms/ and typed its own name into the header.
    branch = campaign.roster[BLANK_BRANCH_INDEX]
    src = forms / ("blank_" + form_filename(SCORING))
    src.write_bytes(build_form(campaign, SCORING, None))
    doc = Document(src, good_out, f"blank_{branch.id}_附件1")
    doc.edits.append(Edit(s_lay.sheet, s_lay.input(Field.BRANCH).a1, branch.name))
    good.append(_fill_scoring(campaign, len(BRANCH_INDEXES), doc, branch.name))

    # A person tries to type into locked cells (in the first 党总支's real files): refused, nothing changes.
    first_item, first_task = campaign.catalog.items[0].id, campaign.catalog.tasks[0].id
    locked_cells = {
        SCORING: [
            s_lay.input(Field.BRANCH).a1,
            a1(s_lay.item_rows[first_item], C_POINTS),
            a1(s_lay.item_rows[campaign.catalog.items[1].id], C_TEXT),
            "A1",
        ],
        TASKS: [a1(t_lay.item_rows[first_task], C_TASK), "A2"],
    }
    locked: dict[FormKind, tuple[Document, list[str]]] = {}
    for f in good[:2]:
        sheet = s_lay.sheet if f.kind is SCORING else t_lay.sheet
        f.doc.edits.extend(Edit(sheet, c, "9") for c in locked_cells[f.kind])
        locked[f.kind] = (f.doc, locked_cells[f.kind])

    # A person who knows the password unprotects the sheet and changes a 分值 and an item text (附件1),
    # a task text (附件2, and leaves the sheet unprotected).
    pw = campaign.password
    tamper: dict[FormKind, tuple[Document, set[str]]] = {}
    two_pt = _points_items(campaign, 2)
    k, bi = 1, BRANCH_INDEXES[1]
    name = campaign.roster[bi].name
    src = form(SCORING, bi, "tamper_")
    doc = _fill_scoring(campaign, k, Document(src, bad_out, "tamper_附件1"), name).doc
    d_cell = a1(s_lay.item_rows[two_pt[0]], C_POINTS)
    c_item = campaign.catalog.items[5]
    c_cell = a1(s_lay.item_rows[c_item.id], C_TEXT)
    doc.edits += [
        Edit(s_lay.sheet, d_cell, 3, mode="unprotect", password=pw),
        Edit(s_lay.sheet, c_cell, c_item.text + "（已完成）", mode="unprotect", password=pw),
    ]
    tamper[SCORING] = (doc, {d_cell, c_cell})
    src = form(TASKS, bi, "tamper_")
    doc = _fill_tasks(campaign, k, Document(src, bad_out, "tamper_附件2"), name).doc
    b_cell = a1(t_lay.item_rows[campaign.catalog.tasks[3].id], C_TASK)
    doc.edits.append(
        Edit(t_lay.sheet, b_cell, "本项任务已取消", mode="unprotect", password=pw, reprotect=False)
    )
    tamper[TASKS] = (doc, {b_cell})

    # Values against the in-sheet validation: typed → refused by Calc; pasted → caught by the collector.
    invalid: dict[FormKind, tuple[Document, dict[str, str], dict[str, str]]] = {}
    k, bi = 2, BRANCH_INDEXES[2]
    name = campaign.roster[bi].name
    src = form(SCORING, bi, "invalid_")
    filled = _fill_scoring(campaign, k, Document(src, bad_out, "invalid_附件1"), name)
    # the pasted item is one filled with full marks and no note, so the only problem is the range
    full = [i for i in two_pt if filled.scores[i] == (2.0, "")]
    typed_cell = a1(s_lay.item_rows[two_pt[1]], C_SCORE)
    pasted_cell = a1(s_lay.item_rows[full[-1]], C_SCORE)
    filled.doc.edits += [
        Edit(s_lay.sheet, typed_cell, "5"),
        Edit(s_lay.sheet, typed_cell, "2分"),
        Edit(s_lay.sheet, typed_cell, "-1"),
        Edit(s_lay.sheet, pasted_cell, 5, mode="paste"),
    ]
    invalid[SCORING] = (filled.doc, {typed_cell: "validation"}, {pasted_cell: "score-out-of-range"})
    src = form(TASKS, bi, "invalid_")
    filled = _fill_tasks(campaign, k, Document(src, bad_out, "invalid_附件2"), name)
    # the pasted task is one whose texts are both filled, so the only problem is the status
    both = [t for t, (_, done, issues) in filled.answers.items() if done and issues]
    typed_cell = a1(t_lay.item_rows[both[0]], C_STATUS)
    pasted_cell = a1(t_lay.item_rows[both[1]], C_STATUS)
    filled.doc.edits += [
        Edit(t_lay.sheet, typed_cell, "完成了"),
        Edit(t_lay.sheet, pasted_cell, "完成了", mode="paste"),
    ]
    invalid[TASKS] = (filled.doc, {typed_cell: "validation"}, {pasted_cell: "status-invalid"})

    # Explanations that look like numbers or dates to Calc, typed into the free-text cells.
    bi = TEXTS_BRANCH_INDEX
    name = campaign.roster[bi].name
    texts: list[Filled] = []
    src = form(SCORING, bi, "texts_")
    filled = _fill_scoring(campaign, 0, Document(src, bad_out, "texts_附件1"), name)
    lost = [i for i, (score, _) in filled.scores.items() if score < campaign.catalog.item_by_id[i].points]
    for item_id, note in zip(lost, LOOKS_LIKE_DATA, strict=False):
        filled.doc.edits.append(Edit(s_lay.sheet, a1(s_lay.item_rows[item_id], C_NOTE), note))
        filled.scores[item_id] = (filled.scores[item_id][0], note)
    texts.append(filled)
    src = form(TASKS, bi, "texts_")
    filled = _fill_tasks(campaign, 0, Document(src, bad_out, "texts_附件2"), name)
    for task, done in zip(campaign.catalog.tasks, LOOKS_LIKE_DATA, strict=False):
        status, _, issues = filled.answers[task.id]
        filled.doc.edits.append(Edit(t_lay.sheet, a1(t_lay.item_rows[task.id], C_DONE), done))
        filled.answers[task.id] = (status, done, issues)
    texts.append(filled)

    return Run(campaign, good, locked, tamper, invalid, texts)


def _check(path: Path, campaign: Campaign) -> FileRecord:
    (rec,) = collect.check_files([path], campaign)
    return rec


def _shown(rec: FileRecord) -> str:
    return "\n".join(
        f"  {p.severity.value} {p.code} {p.sheet}!{p.cell} {p.value!r}: {p.message}" for p in rec.problems
    )


def _cell(path: Path, sheet: str, ref: str) -> object:
    raw = read.read_workbook(path.read_bytes(), path.name)
    s = raw.sheet(sheet)
    assert s is not None, f"{path.name}: no sheet {sheet}"
    col = 0
    letters = "".join(ch for ch in ref if ch.isalpha())
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return s.get(int(ref[len(letters) :]) - 1, col - 1)


# ---------------------------------------------------------------- the tests


def test_libreoffice_ran_every_edit(run: Run) -> None:
    res = run.result
    assert res.version.startswith("LibreOffice"), res.raw
    for f in run.good:
        edits = res.edits(f.doc)
        expected_locked = len(run.locked[f.kind][1]) if run.locked.get(f.kind, (None,))[0] is f.doc else 0
        refused = [e for e in edits if e["status"] != "applied"]
        assert len(refused) == expected_locked, refused
        for fmt in FORMATS:
            assert f.doc.output(fmt).stat().st_size > 0
    print(f"\nLibreOffice ({res.version}): {len(res.raw['documents'])} documents in {res.seconds:.1f}s")


@pytest.mark.parametrize("fmt", FORMATS)
def test_typed_values_come_back_exactly(run: Run, fmt: str) -> None:
    """Every value typed in Calc and saved as .xlsx/.xls/.ods is collected as typed, with no problem at all."""
    for f in run.good:
        path = f.doc.output(fmt)
        rec = _check(path, run.campaign)
        assert rec.outcome is Outcome.ACCEPTED and not rec.problems, (
            f"{path.name}: {rec.outcome}\n{_shown(rec)}"
        )
        sub = rec.submission
        assert sub is not None and sub.kind is f.kind and sub.branch.name == f.branch_name
        assert sub.fill_date == f.fill_date
        if f.kind is SCORING:
            got = {s.item_id: (s.score, s.note) for s in sub.scores}
            assert got == f.scores
        else:
            got_answers = {a.task_id: (a.status, a.done, a.issues) for a in sub.answers}
            assert got_answers == f.answers
        # the metadata sheet comes back merely hidden from LibreOffice: a normal return
        raw = read.read_workbook(path.read_bytes(), path.name)
        meta = raw.sheet(META_SHEET)
        assert meta is not None and meta.visibility == "hidden"


@pytest.mark.parametrize("fmt", FORMATS)
def test_collect_folder_of_libreoffice_files(run: Run, fmt: str) -> None:
    report = collect.run_collect(run.good[0].doc.output(fmt).parent, run.campaign, jobs=1)
    assert len(report.files) == len(run.good)
    bad = [(r.path, r.outcome, _shown(r)) for r in report.files if r.outcome is not Outcome.ACCEPTED]
    assert not bad
    got = {(r.branch.name, r.kind) for r in report.files if r.branch is not None}
    assert got == {(f.branch_name, f.kind) for f in run.good}


def test_typing_into_locked_cells_is_refused(run: Run) -> None:
    for kind, (doc, cells) in run.locked.items():
        sheet = form_layout(run.campaign.catalog, kind).sheet
        original = Path(doc.input)
        for ref in cells:
            (e,) = run.result.edit(doc, sheet, ref)
            assert e["status"] == "refused" and e["reason"] == "locked", e
            assert e["after"] == e["before"]
            want = _cell(original, sheet, ref)
            assert want is not None
            for fmt in FORMATS:
                assert _cell(doc.output(fmt), sheet, ref) == want, (fmt, ref)


@pytest.mark.parametrize("fmt", FORMATS)
def test_unprotected_sheet_edits_are_rejected_as_tampered(run: Run, fmt: str) -> None:
    for kind, (doc, cells) in run.tamper.items():
        assert all(e["status"] == "applied" for e in run.result.edits(doc)), run.result.edits(doc)
        rec = _check(doc.output(fmt), run.campaign)
        assert rec.outcome is Outcome.REJECTED, f"{kind}: {rec.outcome}\n{_shown(rec)}"
        tampered = {p.cell for p in rec.problems if p.code == "tampered"}
        # Calc recomputes the 合计 row's =SUM of the 分值 column, so a changed 分值 changes the total too.
        lay = form_layout(run.campaign.catalog, kind)
        consequence = {a1(lay.total_row, C_POINTS)} if kind is SCORING else set()
        assert cells <= tampered <= cells | consequence, _shown(rec)
        assert all(p.severity is Severity.ERROR for p in rec.problems if p.code == "tampered")


@pytest.mark.parametrize("fmt", FORMATS)
def test_validation_stops_typing_and_collector_catches_pasting(run: Run, fmt: str) -> None:
    for kind, (doc, typed, pasted) in run.invalid.items():
        sheet = form_layout(run.campaign.catalog, kind).sheet
        for ref in typed:
            # the person's valid value first, then the invalid ones Calc refuses to take
            fill, *attempts = run.result.edit(doc, sheet, ref)
            assert fill["status"] == "applied" and attempts, fill
            for e in attempts:
                assert e["status"] == "refused" and e["reason"] == "validation", e
                assert "rejected by validation" in e["message"]
                assert e["after"] == e["before"] == fill["after"]
        for ref in pasted:
            (e,) = run.result.edit(doc, sheet, ref, mode="paste")
            assert e["status"] == "applied", e
        rec = _check(doc.output(fmt), run.campaign)
        errors = {(p.code, p.cell) for p in rec.problems if p.severity is Severity.ERROR}
        assert errors == {(code, ref) for ref, code in pasted.items()}, _shown(rec)
        assert not rec.warnings, _shown(rec)
        assert rec.outcome is not Outcome.ACCEPTED and rec.outcome is not Outcome.WARNINGS


def test_free_text_that_looks_like_a_number_stays_as_typed(run: Run) -> None:
    for f in run.texts:
        for fmt in FORMATS:
            rec = _check(f.doc.output(fmt), run.campaign)
            assert rec.submission is not None, _shown(rec)
            if f.kind is SCORING:
                got = {s.item_id: (s.score, s.note) for s in rec.submission.scores}
                assert got == f.scores, fmt
            else:
                got_answers = {a.task_id: (a.status, a.done, a.issues) for a in rec.submission.answers}
                assert got_answers == f.answers, fmt


def test_libreoffice_xlsx_read_here_as_calamine_reads_it(run: Run) -> None:
    """Every .xlsx LibreOffice saved in this run (typed, pasted, tampered, texts that look like numbers or
    dates) is read by the fast reader in this process, with calamine's answer to the last value and type."""
    from dangjian_xlsx.read import calamine, formats, scan, xlsxfast
    from dangjian_xlsx.read.limits import DEFAULT_LIMITS

    def shown(raw: object) -> list[object]:
        return [
            (s.name, s.visibility, [[(type(v).__name__, v) for v in row] for row in s.rows])
            for s in raw.sheets  # type: ignore[attr-defined]
        ] + [raw.notes]  # type: ignore[attr-defined]

    for doc in run.documents:
        data = doc.output("xlsx").read_bytes()
        fmt, plain = formats.sniff_parsed(data)
        _, members = scan.safety_pass(data, fmt, DEFAULT_LIMITS, plain, keep_all=True)
        assert members is not None
        for heads in (None, {META_SHEET: 12, "填表说明": 0}):
            fast = xlsxfast.read_members(members, fmt, DEFAULT_LIMITS, None, heads)
            assert fast is not None, f"{doc.name}: the fast reader stepped aside from a LibreOffice file"
            slow = calamine.read_sheets(data, fmt, DEFAULT_LIMITS, None, members, heads)
            assert shown(fast) == shown(slow), doc.name
