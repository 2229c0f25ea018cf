"""A form's task answers kept as one object, their texts in a collect's few large strings, and 任务明细's text
columns as slices of those same strings (issue 20: what a province's collect holds, and what a forked helper
copies when it reads it)."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.aggregate.packedtext import PackedColumn, PackedText, PackedTextDtype, Spans
from dangjian_xlsx.answers import (
    CHUNK_CHARS,
    Answers,
    Scores,
    answers_of,
    keeping_texts,
    scores_of,
    without_notes,
)
from dangjian_xlsx.models import Branch, FileRecord, FormKind, ItemScore, Outcome, Submission, TaskAnswer
from dangjian_xlsx.summary import measure
from dangjian_xlsx.values import shared

ANSWERS = (
    TaskAnswer("T01", "已完成", "召开专题会议三次，形成纪要", ""),
    TaskAnswer("T02", "持续推进", "已制定方案", "人手不足，下月补齐"),
    TaskAnswer("T03", None, "", ""),
    TaskAnswer("T04", "未完成", "=1+1", "含\n换行"),
)


def _fresh(text: str) -> str:
    return "".join(list(text))


def test_answers_read_as_the_tuples_they_were_made_of() -> None:
    a = Answers.of(ANSWERS)
    assert len(a) == 4 and tuple(a) == ANSWERS and a == ANSWERS and a == list(ANSWERS)
    assert a[1] == ANSWERS[1] and a[-1] == ANSWERS[-1] and a[1:3] == ANSWERS[1:3]
    assert hash(a) == hash(ANSWERS) and repr(a) == repr(ANSWERS)
    assert a.task_ids == ("T01", "T02", "T03", "T04") and a.statuses == ("已完成", "持续推进", None, "未完成")
    with pytest.raises(IndexError):
        a[4]
    assert answers_of(()) == () and answers_of(a) is a
    with pytest.raises(ValueError):
        Answers(("T01",), ("已完成",), "ab", __import__("array").array("i", [1]))  # not two texts per task


def test_forms_share_their_ids_and_statuses() -> None:
    one = Answers.of(ANSWERS)
    other = Answers.of(
        tuple(TaskAnswer(_fresh(x.task_id), x.status, x.done + "。", x.issues) for x in ANSWERS)
    )
    assert one.task_ids is other.task_ids and one.statuses is other.statuses


def test_answers_pickle_as_their_own_texts() -> None:
    a = Answers.of(ANSWERS)
    back = pickle.loads(pickle.dumps(a))
    assert back == a and isinstance(back, Answers)
    sub = Submission(kind=FormKind.TASKS, branch=Branch(seq=1, name="文学院党总支"), answers=ANSWERS)
    rec = FileRecord(path="a.xlsx", outcome=Outcome.ACCEPTED, kind=FormKind.TASKS, submission=sub).compact()
    assert isinstance(rec.submission.answers, Answers)
    assert pickle.loads(pickle.dumps(rec)) == rec


def test_a_record_dumps_its_answers_as_the_tuple() -> None:
    """A report is written as JSON (the page's cache, `collect --json`): a record's answers dump as before."""
    sub = Submission(kind=FormKind.TASKS, branch=Branch(seq=1, name="文学院党总支"), answers=ANSWERS)
    rec = FileRecord(path="a.xlsx", outcome=Outcome.ACCEPTED, kind=FormKind.TASKS, submission=sub)
    before = rec.model_dump_json()
    assert rec.compact().model_dump_json() == before
    assert json.loads(before)["submission"]["answers"][1] == [
        "T02",
        "持续推进",
        "已制定方案",
        "人手不足，下月补齐",
    ]


def test_a_collect_keeps_the_texts_in_a_few_strings() -> None:
    forms = [
        tuple(TaskAnswer(f"T{k:02d}", "已完成", f"第{n}份表第{k}项的做法" * 5, "") for k in range(1, 21))
        for n in range(400)
    ]
    with keeping_texts() as store:
        kept = [Answers.of(f) for f in forms]
    made_after = Answers.of(forms[0])
    assert [tuple(a) for a in kept] == forms and tuple(made_after) == forms[0]
    total = sum(len(t.done) for f in forms for t in f)
    assert len({id(a.text) for a in kept}) == len(store.chunks) <= total // CHUNK_CHARS + 1
    assert all(any(a.text is c for c in store.chunks) for a in kept)
    assert not any(made_after.text is c for c in store.chunks)  # outside the block: its own string


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork: the forked helpers' case")
def test_a_forked_helper_keeps_its_own_texts() -> None:
    """A helper forked while the collecting process keeps texts sends its records on: its answers must not
    fill a store of its own (the parent's, copied)."""
    with keeping_texts() as store:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            a = Answers.of(ANSWERS)
            os.write(
                write, b"own" if not any(a.text is c for c in store.chunks) and not store.chunks else b"store"
            )
            os._exit(0)
        os.waitpid(pid, 0)
        assert os.read(read, 16) == b"own"
        os.close(read), os.close(write)


def test_spans_are_where_each_tasks_texts_are() -> None:
    with keeping_texts():
        Answers.of(ANSWERS)  # something before it in the store
        a = Answers.of((*ANSWERS, TaskAnswer("T02", "已完成", "后一份", "")))  # T02 twice: the last counts
    wanted = ["T04", "T02", "T09", "T01"]
    ds, de, is_, ie = a.spans(wanted)
    given = {x.task_id: x for x in a}
    for k, t in enumerate(wanted):
        x = given.get(t)
        assert a.text[ds[k] : de[k]] == (x.done if x else "") and a.text[is_[k] : ie[k]] == (
            x.issues if x else ""
        )


# ---------------------------------------------------------------- a 附件1's scores and their 扣分说明

SCORES = (
    ItemScore("S01.1", 2.0, ""),
    ItemScore("S01.2", 1.5, "会议记录缺两次"),
    ItemScore("S01.3", None, ""),
    ItemScore("S02.1", 0.0, "=1+1 未整改\n另起一行"),
)


def test_scores_read_as_the_tuples_they_were_made_of() -> None:
    s = Scores.of(SCORES)
    assert len(s) == 4 and tuple(s) == SCORES and s == SCORES and s == SCORES and s == list(SCORES)
    assert s[1] == SCORES[1] and s[-1] == SCORES[-1] and s[1:3] == SCORES[1:3]
    assert hash(s) == hash(SCORES) and repr(s) == repr(SCORES)
    assert [type(x) for x in s] == [ItemScore] * 4
    with pytest.raises(IndexError):
        s[4]
    assert without_notes(s) == tuple(x._replace(note="") for x in SCORES)
    with pytest.raises(ValueError):
        Scores(
            (ItemScore("S01.1", 2.0, "说明"),), "说明", __import__("array").array("i", [2])
        )  # its own text


def test_a_record_keeps_scores_with_notes_as_one_object() -> None:
    """A 附件1 with 扣分说明: one `Scores` (its texts in the collect's store); without any: the shared tuples."""
    branch = Branch(seq=1, name="文学院党总支")
    noted = Submission(kind=FormKind.SCORING, branch=branch, scores=SCORES)
    with keeping_texts() as store:
        rec = FileRecord(path="a.xlsx", outcome=Outcome.ACCEPTED, kind=FormKind.SCORING, submission=noted)
        before = rec.model_dump_json()
        rec.compact()
        store.close()
    kept = rec.submission.scores
    assert isinstance(kept, Scores) and kept == SCORES and any(kept.text is c for c in store.chunks)
    # the record holds none of the notes as a string of its own: only the store does
    held = [x for x in _reachable(rec) if isinstance(x, str) and "会议记录" in x]
    (chunk,) = store.chunks
    assert held == [] and "会议记录缺两次" in chunk[0 : len(chunk)]
    assert rec.model_dump_json() == before  # dumped as the tuple it stands for
    assert pickle.loads(pickle.dumps(rec)) == rec and isinstance(pickle.loads(pickle.dumps(kept)), Scores)
    plain = (ItemScore("S01.1", 2.0, ""), ItemScore("S01.2", None, ""))
    bare = FileRecord(
        path="b.xlsx", outcome=Outcome.ACCEPTED, kind=FormKind.SCORING,
        submission=Submission(kind=FormKind.SCORING, branch=branch, scores=plain),
    ).compact()  # fmt: skip
    assert type(bare.submission.scores) is tuple and bare.submission.scores[0] is shared(plain[0])
    assert scores_of(kept) is kept


def _reachable(root: object) -> list[object]:
    import gc

    seen, todo, out = set(), [root], []
    while todo:
        x = todo.pop()
        if id(x) in seen or isinstance(x, type):
            continue
        seen.add(id(x))
        out.append(x)
        todo.extend(gc.get_referents(x))
    return out


def test_scoring_reads_a_branchs_notes_only_when_its_rows_are_made() -> None:
    """The branches' scorings (one per 附件1, all made before the tables) hold no 扣分说明: each branch's are read
    from its form's store when its rows are made (`Scored.items`)."""
    from dangjian_xlsx.aggregate.scores import score_branch
    from dangjian_xlsx.catalog import default_campaign

    campaign = default_campaign()
    cat, branch = campaign.catalog, campaign.roster[0]
    values = tuple(
        ItemScore(it.id, 1.0, f"{it.id}扣分" if k % 3 == 0 else "") for k, it in enumerate(cat.items)
    )
    with keeping_texts():
        rec = FileRecord(
            path="a.xlsx", outcome=Outcome.ACCEPTED, kind=FormKind.SCORING, branch=branch,
            submission=Submission(kind=FormKind.SCORING, branch=branch, scores=values),
        ).compact()  # fmt: skip
        report = ag_report(campaign, [rec])
        (bf,) = [b for b in ag.branch_files(report) if b.branch == branch]
        sc = score_branch(cat, bf)
    assert sc is not None and not [x for x in _reachable(sc) if isinstance(x, str) and "扣分" in x]
    assert sc.items == [(v.item_id, v.score, v.note) for v in values]
    assert sc.scores == [1.0] * len(values)


def ag_report(campaign, files):  # type: ignore[no-untyped-def]
    import datetime as dt

    from dangjian_xlsx.models import Report

    return Report(inbox=".", campaign=campaign, files=files, generated_at=dt.datetime(2018, 9, 30))


# ---------------------------------------------------------------- the packed column


def _plain(values: list) -> pd.Series:
    return pd.Series(values, dtype=pd.Series(["x"]).dtype)


TEXTS = ["甲", "", "乙丙", "=SUM(A1)", "丁\n戊", "", "己"]


def _packed(texts: list[str]) -> pd.Series:
    col = PackedColumn()
    col.extend(texts[:3])
    joined = "前缀" + "".join(texts[3:])
    starts, at = [], 2
    for t in texts[3:]:
        starts.append(at)
        at += len(t)
    col.extend(Spans(joined, starts, [s + len(t) for s, t in zip(starts, texts[3:], strict=True)]))
    return pd.Series(col.array())


def test_a_packed_column_reads_as_a_column_of_strings() -> None:
    packed, plain = _packed(TEXTS), _plain(TEXTS)
    assert isinstance(packed.dtype, PackedTextDtype) and len(packed.array.sources) == 2
    assert packed.tolist() == plain.tolist() == TEXTS
    assert packed.iloc[2:5].tolist() == plain.iloc[2:5].tolist()
    at = np.array([6, 0, 3])
    assert packed.iloc[at].tolist() == plain.iloc[at].tolist()
    assert ag.values_at(packed, slice(1, 4)) == ag.values_at(plain, slice(1, 4))
    assert ag.values_at(packed, at) == ag.values_at(plain, at)
    mask = (packed != "").to_numpy()
    assert packed[mask].tolist() == [t for t in TEXTS if t]
    assert list(packed.isna()) == [False] * len(TEXTS)
    filled = packed.array.take([0, -1, 2], allow_fill=True)
    assert filled[0] == "甲" and filled[2] == "乙丙" and pd.isna(filled[1])
    both = pd.concat([pd.DataFrame({"t": packed}), pd.DataFrame({"t": packed})], ignore_index=True)
    assert both["t"].tolist() == TEXTS * 2
    assert packed.array.copy().tolist() == TEXTS and list(packed.to_numpy()) == TEXTS
    with pytest.raises(TypeError):
        PackedColumn().extend(["a", None])


def test_task_details_refer_to_the_records_texts(tmp_path) -> None:
    """任务明细's 完成情况 and 存在问题 are slices of the strings the records keep them in: no copy."""
    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.collect import run_collect
    from dangjian_xlsx.forms import build_form, form_filename
    from dangjian_xlsx.layout import Field

    campaign = default_campaign()
    cat = campaign.catalog
    done = {t.id: f"{t.id}的做法：已落实" for t in cat.tasks}
    prefill = {(Field.DONE, t): text for t, text in done.items()}
    prefill.update({(Field.STATUS, t.id): cat.statuses[0] for t in cat.tasks})
    for b in campaign.roster[:3]:
        name = form_filename(FormKind.TASKS, b, cat)
        (tmp_path / name).write_bytes(build_form(campaign, FormKind.TASKS, b, prefill=prefill))
    report = run_collect(tmp_path, campaign, jobs=1)
    tables = ag.build_tables(report)
    kept = {id(r.submission.answers.text) for r in report.files if r.submission is not None}
    column = tables.task_details["done"].array
    assert len(kept) >= 1 and isinstance(column, PackedText) and {id(s) for s in column.sources} <= kept
    assert tables.task_details["done"].tolist()[: len(cat.tasks)] == [done[t.id] for t in cat.tasks]


# ---------------------------------------------------------------- the summary's row heights, a slice at a time


def test_row_heights_are_measured_a_slice_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [("长文本" * (k % 40), "短") for k in range(3000)]
    whole = dict(measure.wrapped_heights(texts, [(0, 20.0), (1, 10.0)], 5))
    monkeypatch.setattr(measure, "_MEASURED_ROWS", 7)  # slices that cut the rows anywhere
    assert dict(measure.wrapped_heights(texts, [(0, 20.0), (1, 10.0)], 5)) == whole
    assert whole and all(h > 0 for h in whole.values())
