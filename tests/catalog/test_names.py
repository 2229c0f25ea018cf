"""Roster names as people write them (catalog/names.py) and the roster's 简称 column (rule 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dangjian_xlsx.catalog import RosterNames, default_roster, load_roster, parse_roster_rows, roster_csv
from dangjian_xlsx.catalog.names import name_variants, strip_parentheticals
from dangjian_xlsx.errors import ConfigError
from dangjian_xlsx.models import Branch

ROSTER = (
    Branch(seq=1, name="计算机与信息工程学院（软件学院）党总支", short="计算机学院"),
    Branch(seq=2, name="创新创业学院（大学科技园）党总支"),
    Branch(seq=3, name="教育学院党总支"),
    Branch(seq=4, name="继续教育学院党总支"),
    Branch(seq=5, name="文学院党总支"),
    Branch(seq=6, name="文学院党委"),
    Branch(seq=7, name="机关党委"),
)


def seqs(text: str, **kw: bool) -> list[int]:
    return [b.seq for b in RosterNames(ROSTER).named(text, **kw)]


def test_variants() -> None:
    assert strip_parentheticals("创新创业学院（大学科技园）党总支") == "创新创业学院党总支"
    assert name_variants(ROSTER[0]) == (
        "计算机与信息工程学院(软件学院)党总支",
        "计算机与信息工程学院党总支",
        "计算机与信息工程学院(软件学院)",
        "计算机与信息工程学院",
        "软件学院",
        "计算机学院",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("计算机学院党总支自查报告", [1]),  # 简称
        ("软件学院_附件1", [1]),  # the name in brackets
        ("创新创业学院党总支自查报告", [2]),  # without parentheticals
        ("继续教育学院附件1", [4]),  # 教育学院 inside 继续教育学院 is not a match
        ("教育学院与继续教育学院", [3, 4]),
        ("10_机关党委_附件1", [7]),  # the leading number is not read
        ("文学院_附件1", []),  # 文学院 is the short name of two branches: nobody
        ("文学院党委附件1", [6]),
        ("附件1(2)", []),
    ],
)
def test_named_longest_first(text: str, expected: list[int]) -> None:
    assert seqs(text) == expected


def test_full_only_and_lookup() -> None:
    names = RosterNames(ROSTER)
    assert seqs("计算机学院与机关党委", full_only=True) == [7]
    assert names.lookup("计算机学院") == (ROSTER[0], False)
    assert names.lookup(" 机关党委 ") == (ROSTER[6], True)
    assert names.lookup("文学院") == (None, False)


def test_rule10_the_roster_has_a_short_name_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "党总支名称,简称\n计算机与信息工程学院（软件学院）党总支,计算机学院\n文学院党总支,\n", "utf-8"
    )
    roster = load_roster(path)
    assert [(b.name, b.short) for b in roster] == [
        ("计算机与信息工程学院（软件学院）党总支", "计算机学院"),
        ("文学院党总支", ""),
    ]
    again = parse_roster_rows([row.split(",") for row in roster_csv(roster).splitlines()], "x")
    assert again == roster
    assert roster_csv(roster).splitlines()[0] == "序号,党总支名称,简称,联系人,邮箱"
    builtin = {b.name: b.short for b in default_roster()}
    assert builtin["马克思主义学院党总支"] == "马院" and builtin["文学院党总支"] == ""


def test_a_short_name_must_name_one_branch() -> None:
    rows = [
        ["党总支名称", "简称"],
        ["甲学院党总支", "甲院"],
        ["乙学院党总支", "甲院"],
        ["丙学院党总支", "甲学院"],
    ]
    with pytest.raises(ConfigError) as err:
        parse_roster_rows(rows, "r.csv")
    assert "第3行：简称“甲院”与第2行重复" in str(err.value)
    assert "第4行：简称“甲学院”与第2行的党总支名称相同" in str(err.value)


def test_a_one_character_roster_name_is_still_found() -> None:
    from dangjian_xlsx.catalog import RosterNames
    from dangjian_xlsx.models import Branch

    names = RosterNames([Branch(seq=1, name="甲"), Branch(seq=2, name="乙学院党总支")])
    assert [b.name for b in names.named("本表由甲填写，乙学院党总支审核")] == ["甲", "乙学院党总支"]


def test_a_roster_of_party_branches_may_head_its_name_column_as_such(tmp_path) -> None:
    """A 党支部 round's roster says 党支部名称 (or 单位名称), not 党总支名称."""
    from dangjian_xlsx.catalog import load_roster

    for head in ("党支部名称", "单位名称"):
        path = tmp_path / f"{head}.csv"
        path.write_text(
            f"序号,{head},联系人\n1,物理学院第一党支部,张三\n2,物理学院第二党支部,李四\n", "utf-8"
        )
        assert [b.name for b in load_roster(path)] == ["物理学院第一党支部", "物理学院第二党支部"]


def test_nfkc_quick_path_equals_unicodedata() -> None:
    """names.nfkc takes a quick path for Chinese text with full-width punctuation; it must equal NFKC for
    any text, including ones where the quick path must not be taken (a combining mark after a full-width
    letter composes; U+FF5F is full-width but not ASCII; half-width katakana, ligatures, Hangul jamo)."""
    import random
    import unicodedata

    from dangjian_xlsx.catalog.names import nfkc

    samples = [
        "本年度召开党总支会议４次，与文学院党总支联合开展专题学习：整改措施（已落实）。",
        "Ａ\u0301Ｂ", "\uff5f\uff60", "\u3000前后\u3000", "ｶﾞｷﾞ", "ﬁ ﬂ", "\u1100\u1161\u11a8", "①②", "㍻", "",
        "ＡＢＣ１２３！？", "e\u0301", "\uff21\u0308\uff22",
    ]  # fmt: skip
    rng = random.Random(20)
    pool = [chr(c) for c in [*range(0x20, 0x7F), *range(0x300, 0x310), *range(0x3000, 0x3010), *range(0x4E00, 0x4E20),
            *range(0xFF00, 0xFFEF), 0x1100, 0x1161, 0x11A8, 0xAC00, 0x212B, 0x2126, 0xFB01]]  # fmt: skip
    samples += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 30))) for _ in range(3000)]
    for text in samples:
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
