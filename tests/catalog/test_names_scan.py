"""Roster names looked up only where one can start (issue 20: the free text of every form is scanned once): one
C-level scan for the names' first two characters, then the dictionary lookups there."""

from __future__ import annotations

import itertools
import time

import pytest

from dangjian_xlsx.catalog import RosterNames
from dangjian_xlsx.models import Branch

ROSTER = (
    Branch(seq=1, name="[试点]学院党总支"),
    Branch(seq=2, name="^甲学院党总支"),
    Branch(seq=3, name="-乙学院党总支"),
    Branch(seq=4, name="文学院党总支"),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[试点]学院党总支_附件1", [1]),
        ("来自^甲学院党总支", [2]),
        ("x-乙学院党总支", [3]),
        ("文学院与^甲学院", [4, 2]),
        ("]\\^-[", []),
    ],
)
def test_a_name_starting_with_a_pattern_character_is_found(text: str, expected: list[int]) -> None:
    """Names are looked up only where one can start (a pattern of their first two characters): those
    characters must stand for themselves."""
    assert [b.seq for b in RosterNames(ROSTER).named(text)] == expected


def test_a_long_text_naming_nobody_is_one_scan() -> None:
    """Free text (扣分说明, 整改措施) is checked for roster names once per form: a text that names nobody costs
    one C-level scan, not a dictionary lookup per character."""
    names = RosterNames(ROSTER)
    text = "党费收缴记录簿登记不规范，个别月份补交。" * 50_000  # a million characters
    start = time.process_time()
    assert names.mentions(text) == []
    assert time.process_time() - start < 0.25
    assert [m.branch.seq for m in names.mentions(text + "文学院党总支")] == [4]


def test_a_text_naming_branches_thousands_of_times_is_not_quadratic() -> None:
    """A cell may name branches over and over (a hostile form's 扣分说明, pasted ten thousand times): each name
    found is checked against the two already taken beside it, not against every one taken before."""
    names = RosterNames(ROSTER)
    unit = "文学院党总支与^甲学院党总支，"

    def cpu(
        repeats: int,
    ) -> float:  # the least of three: what the scan costs, not what the machine did meanwhile
        times = []
        for _ in range(3):
            start = time.process_time()
            names.mentions(unit * repeats)
            times.append(time.process_time() - start)
        return min(times)

    # ten times the text: about ten times the work (a hundred times, were every name checked against all before)
    assert cpu(10_000) < 30 * max(cpu(1_000), 1e-3)
    found = names.mentions(unit * 10_000)
    assert len(found) == 20_000
    assert [m.branch.seq for m in found[:3]] == [4, 2, 4]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
