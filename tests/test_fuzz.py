"""The fuzzer in CI (issue 19, item 7): 300 seeded mutants of filled forms (.xlsx generated and filled, .xls and
.ods saved by LibreOffice, small synthetic files; tests/hostile_fuzz.py) collected through the library and
by the command line (tests/hostile_fuzzrun.py): no traceback, no panic text or library English, no file
over 10 s, exit code 0 or 1, every file once in 文件清单, nothing written into the inbox. `make fuzz` runs the
same over 10,000 mutants (scripts/fuzz.py)."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
from hostile_fuzz import Mutant, mutants, seeds
from hostile_fuzzrun import Findings, cli, english_in, in_process, write_inbox

N = 300
SEED = 19


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> list[Mutant]:
    return list(mutants(seeds(tmp_path_factory.mktemp("seeds")), N, SEED))


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, batch: list[Mutant]) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("fuzz") / "收件"
    return root, write_inbox(root, batch)


def _explain(f: Findings) -> str:
    lines = f.tracebacks + f.panics + f.hangs + f.unaccounted + [f"exit {c}" for c in f.exit_codes]
    return f.summary() + "\n" + "\n".join(line[:600] for line in lines[:20])


def test_collect_in_process_over_the_mutants(inbox: tuple[Path, dict[str, str]]) -> None:
    root, made = inbox
    found = in_process(root, made)
    assert found.cases == N
    assert found.clean, _explain(found)


def test_collect_command_over_the_mutants(inbox: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    root, made = inbox
    out = tmp_path / "out"
    out.mkdir()
    found = cli(root, out, made, timeout=110)
    assert found.exit_codes and found.exit_codes[0] in (0, 1)
    assert found.clean, _explain(found)


def test_the_mutants_are_of_every_kind(batch: list[Mutant]) -> None:
    """Every family of mutation is drawn (a fuzzer stuck on one kind would prove little), from every seed."""
    hows = " ".join(m.how for m in batch)
    for name in (
        "many_attributes", "cut_tag_open", "far_reference", "edge_number", "missing_shared_string",
        "deep_nesting", "add_dtd", "huge_repeat", "impossible_date", "long_text",  # XML
        "drop:", "raw", "size-lie",  # zip members
        "xls_field", "xls_insert", "xls_drop",  # .xls records
        "flip_bits", "set_bytes", "truncate", "insert_chunk", "delete_chunk", "copy_chunk",  # bytes
    ):  # fmt: skip
        assert name in hows, name
    seeds_used = Counter(m.how.split(":")[0] for m in batch)
    assert {"附件1.xlsx", "附件2.xlsx", "附件1.xls", "附件2.xls", "附件1.ods", "附件2.ods"} <= set(seeds_used)


def test_the_mutants_are_the_same_for_the_same_seed(batch: list[Mutant], tmp_path: Path) -> None:
    again = list(mutants(seeds(tmp_path), 40, SEED))
    digest = [hashlib.sha256(m.data).hexdigest() for m in batch[:40]]
    assert [hashlib.sha256(m.data).hexdigest() for m in again] == digest


def test_the_checks_see_what_they_look_for() -> None:
    """The checks are not vacuous: an internal error, library English, a missing file are all found."""
    from dangjian_xlsx.messages import Code, render
    from dangjian_xlsx.models import FileRecord, Outcome

    def rec(path: str, reason: str) -> FileRecord:
        p = render(Code.FILE_CORRUPT, file=path, reason=reason)
        return FileRecord(path=path, outcome=Outcome.REJECTED, reason="文件损坏", problems=[p])

    from hostile_fuzzrun import _record_findings

    found = Findings()
    made = {"a.xlsx": "", "b.xlsx": "", "c.xlsx": ""}
    _record_findings(
        found, [rec("a.xlsx", "读取时出错：ValueError"), rec("b.xlsx", "Cannot detect file format")], made
    )
    assert len(found.tracebacks) == 1 and len(found.panics) == 1 and found.unaccounted == ["c.xlsx"]
    assert english_in("部件 xl/worksheets/sheet1.xml 校验失败") == []
    assert english_in("共享字符串表缺项；可用 Excel/WPS 打开后另存为 .xlsx 再发送") == []
