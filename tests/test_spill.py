"""A collect's answer texts go to a temporary file, not the collecting process's memory (issue 20: what a
branch writes must not grow the process), and read back exactly: in this process, in a forked helper, without
`os.preadv`, and in memory when the file cannot be written."""

from __future__ import annotations

import errno
import os
import pickle
import random
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx import answers, spill
from dangjian_xlsx.aggregate.packedtext import PackedColumn, PackedText, Spans
from dangjian_xlsx.answers import Answers, keeping_texts
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.models import Campaign, TaskAnswer
from dangjian_xlsx.spill import SpillFile, StoredText
from dangjian_xlsx.summary import build_summary

SAMPLE = Path(__file__).resolve().parents[1] / "sample_submissions"
TEXTS = {
    "ascii": "plain text, 1 byte a character" * 3,
    "latin-1": "café – naïve" * 3,  # the dash is beyond Latin-1: two bytes a character
    "bmp": "召开专题会议三次，形成纪要。\n人手不足" * 3,
    "beyond the BMP": "党建𠀀工作😀记录" * 3,
    "a lone surrogate": "甲\ud800乙\udc00丙",
    "latin-1 only": "ÿé\xa0" * 5,
}


@pytest.mark.parametrize("name", list(TEXTS))
def test_a_stored_text_reads_back_as_the_string(tmp_path: Path, name: str) -> None:
    text = TEXTS[name]
    file = SpillFile(tmp_path)
    file.put("前面的文字")  # not at the file's start
    stored = file.put(text)
    assert isinstance(stored, StoredText) and len(stored) == len(text)
    assert str(stored) == text and pickle.loads(pickle.dumps(stored)) == text
    rng = random.Random(name)
    spans = [sorted(rng.randrange(len(text) + 1) for _ in range(2)) for _ in range(200)]
    for a, b in spans:
        assert stored[a:b] == text[a:b]
    assert stored[-3:] == text[-3:] and stored[::2] == text[::2] and stored[0] == text[0]
    assert stored[-1] == text[-1]
    with pytest.raises(IndexError):
        stored[len(text)]
    assert stored.slices([a for a, _ in spans], [b for _, b in spans]) == [text[a:b] for a, b in spans]
    assert stored.slices([], []) == []


def test_the_file_has_no_name_left_behind(tmp_path: Path) -> None:
    """POSIX: removed as soon as made (Windows: when closed) — a killed collect leaves nothing."""
    file = SpillFile(tmp_path)
    stored = file.put("存在问题" * 100)
    assert isinstance(stored, StoredText)
    if os.name == "posix":
        assert list(tmp_path.iterdir()) == []
    file.close()
    assert list(tmp_path.iterdir()) == []


def test_without_preadv_a_text_is_read_with_a_seek(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no os.preadv: the file is read at its position, under the lock."""
    file = SpillFile(tmp_path)
    first, second = file.put("第一段文字" * 50), file.put("第二段" * 70)
    monkeypatch.delattr(os, "preadv", raising=False)
    assert str(second) == "第二段" * 70 and first[5:10] == ("第一段文字" * 50)[5:10]


def test_a_file_that_cannot_be_made_keeps_the_texts_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    file = SpillFile()
    assert file.put("完成情况") == "完成情况" and file.failed is not None
    assert file.put("之后的也是") == "之后的也是"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX: a file size limit stands for the full disk")
def test_a_full_disk_midway_keeps_the_rest_in_memory(tmp_path: Path) -> None:
    """The strings written before the disk filled up still read back; the one that failed and every later one
    stay strings. The disk fills up for real: a file size limit (RLIMIT_FSIZE) the next string goes past."""
    import resource
    import signal

    file = SpillFile(tmp_path)
    before = file.put("写入成功的文字" * 20)
    assert isinstance(before, StoredText)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails (EFBIG) instead of a signal
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file._size + 10, limits[1]))
        assert file.put("磁盘满了" * 20) == "磁盘满了" * 20
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)
    assert isinstance(file.failed, OSError) and file.failed.errno == errno.EFBIG
    assert file.put("后面的") == "后面的"  # not tried again
    assert str(before) == "写入成功的文字" * 20


def _forms(n: int) -> list[tuple[TaskAnswer, ...]]:
    rng = random.Random(n)
    return [
        tuple(
            TaskAnswer(
                f"T{k:02d}", "已完成", f"第{i}份表第{k}项：" + "做法" * rng.randrange(0, 40), "问题" * (k % 3)
            )
            for k in range(1, 21)
        )
        for i in range(n)
    ]


def test_a_collects_texts_are_in_the_file_not_in_memory() -> None:
    forms = _forms(300)
    with keeping_texts() as store:
        kept = [Answers.of(f) for f in forms]
    assert store.chunks and all(isinstance(c, StoredText) for c in store.chunks)
    assert [tuple(a) for a in kept] == forms  # read back exactly
    assert [a[7] for a in kept] == [f[7] for f in forms]
    assert [pickle.loads(pickle.dumps(a)) for a in kept[:5]] == [Answers.of(f) for f in forms[:5]]


def test_kept_in_memory_when_asked() -> None:
    with keeping_texts(spill=False) as store:
        Answers.of(_forms(1)[0])
        store.chunk(0)
    assert all(type(c) is str for c in store.chunks)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork: the exports' helper reads the texts it inherits")
def test_a_forked_helper_reads_the_texts_back() -> None:
    forms = _forms(50)
    with keeping_texts():
        kept = [Answers.of(f) for f in forms]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        ok = [tuple(a) for a in kept] == forms
        os.write(write, b"same" if ok else b"differ")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 16) == b"same"
    os.close(read), os.close(write)
    assert [tuple(a) for a in kept[:3]] == forms[:3]  # and here, after the helper read the same file


def test_a_packed_column_of_stored_texts_reads_as_its_strings(tmp_path: Path) -> None:
    file = SpillFile(tmp_path)
    chunks = ["甲乙丙丁戊己庚辛" * 400, "one two three " * 300]
    stored = [file.put(c) for c in chunks]
    col = PackedColumn()
    rng = random.Random(7)
    want = []
    for text, chunk in zip(stored, chunks, strict=True):
        spans = [sorted(rng.randrange(len(chunk) + 1) for _ in range(2)) for _ in range(30)]
        col.extend(Spans(text, [a for a, _ in spans], [b for _, b in spans]))
        want += [chunk[a:b] for a, b in spans]
    col.extend(["自己的", "文字"])
    want += ["自己的", "文字"]
    s = pd.Series(col.array())
    assert s.tolist() == want and [s[k] for k in range(len(want))] == want
    assert s.iloc[5:40].tolist() == want[5:40] and s.iloc[::-3].tolist() == want[::-3]
    assert pickle.loads(pickle.dumps(s)).tolist() == want
    # the texts in the file are not in memory: only the offsets and the column's own texts count
    assert isinstance(s.array, PackedText) and s.array.nbytes < 1000 < 2 * len(chunks[0])


def test_the_summary_is_the_same_with_the_texts_in_memory(
    campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every output reads the texts back: the summary's bytes (任务明细's texts among them) do not depend on where
    the texts were kept."""
    spilled = run_collect(SAMPLE, campaign)
    with_file = build_summary(*ag.tables_and_overview(spilled), campaign, spilled.generated_at)
    monkeypatch.setattr(answers, "SpillFile", lambda: _InMemory())
    held = run_collect(SAMPLE, campaign)
    in_memory = build_summary(*ag.tables_and_overview(held), campaign, held.generated_at)
    assert with_file == in_memory
    assert spilled.files == held.files


class _InMemory(spill.SpillFile):
    def put(self, text: str) -> str:  # type: ignore[override]
        return text
